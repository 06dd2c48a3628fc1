//! Web console sessions (`POST /v1/sessions`, `Authorization: Bearer`):
//! a token reads exactly what its officer's signed reads may, and no more.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{send_with, signed, TestChain};
use tower::ServiceExt as _;
use xianjie_ledger::case::{LeadKind, LeadSource};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::tx::{Call, OpenCase, RevokeOfficer};
use xianjie_node::api::sessions::MAX_SESSIONS_PER_OFFICER;

async fn sign_in(chain: &TestChain, key: &SecretKey) -> String {
    let reply = chain
        .request_as(Method::POST, "/v1/sessions", Vec::new(), key)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    let token = reply.json["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 64);
    assert_eq!(
        reply.json["officer"]["id"],
        key.public_key().id().to_hex().as_str()
    );
    token
}

async fn get_with_token(chain: &TestChain, uri: &str, token: &str) -> common::Reply {
    let authorization = format!("Bearer {token}");
    send_with(
        chain.router(),
        Method::GET,
        uri,
        Vec::new(),
        &[("authorization", authorization)],
    )
    .await
}

async fn open_case(chain: &TestChain) -> xianjie_ledger::ids::CaseId {
    let reply = chain
        .submit_ok(&signed(
            &chain.key("market", "officer"),
            Call::OpenCase(OpenCase {
                title: "超市销售过期食品".into(),
                entity: "91330100MA2H3K4L50".into(),
                domain: "food_drug".into(),
                lead: LeadSource {
                    kind: LeadKind::Complaint,
                    reference: None,
                },
            }),
        ))
        .await;
    let hash = xianjie_ledger::Hash::from_hex(reply.json["hash"].as_str().unwrap()).unwrap();
    xianjie_ledger::ids::CaseId::for_tx(&hash)
}

#[tokio::test]
async fn a_session_token_reads_as_its_officer_under_the_same_policies() {
    let chain = TestChain::start().await;
    let case_id = open_case(&chain).await;
    let market = sign_in(&chain, &chain.key("market", "officer")).await;

    let current = get_with_token(&chain, "/v1/sessions/current", &market).await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.json);
    assert_eq!(current.json["officer"]["org"], "market");

    let list = get_with_token(&chain, "/v1/cases", &market).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    assert_eq!(list.json["cases"][0]["id"], case_id.as_str());
    let shown = get_with_token(&chain, &format!("/v1/cases/{case_id}"), &market).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.json);

    // The laboratory is no party to the case: its token is refused by the
    // policies exactly as its signed read is.
    let lab = sign_in(&chain, &chain.key("lab", "officer")).await;
    let denied = get_with_token(&chain, &format!("/v1/cases/{case_id}"), &lab).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.code(), "read_denied");
    let listed = get_with_token(&chain, "/v1/cases", &lab).await;
    assert_eq!(listed.json["cases"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn unknown_malformed_and_ended_tokens_are_refused() {
    let chain = TestChain::start().await;
    let unknown = get_with_token(&chain, "/v1/cases", &"ab".repeat(32)).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.code(), "bad_session");
    let malformed = get_with_token(&chain, "/v1/cases", "not-a-token").await;
    assert_eq!(malformed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(malformed.code(), "bad_session");

    let token = sign_in(&chain, &chain.key("court", "officer")).await;
    let request = Request::builder()
        .method(Method::DELETE)
        .uri("/v1/sessions/current")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let ended = chain.router().oneshot(request).await.unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    let after = get_with_token(&chain, "/v1/cases", &token).await;
    assert_eq!(after.code(), "bad_session");
}

#[tokio::test]
async fn a_session_cannot_mint_another_and_signing_in_needs_a_signature() {
    let chain = TestChain::start().await;
    let token = sign_in(&chain, &chain.key("court", "officer")).await;
    let by_token = send_with(
        chain.router(),
        Method::POST,
        "/v1/sessions",
        Vec::new(),
        &[("authorization", format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(by_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(by_token.code(), "unsigned_read");
    let unsigned = chain
        .request(Method::POST, "/v1/sessions", Vec::new())
        .await;
    assert_eq!(unsigned.code(), "unsigned_read");
    // A signature over another path does not sign in.
    let read = xianjie_ledger::read_auth::SignedRead::sign(
        &chain.key("court", "officer"),
        xianjie_node::dev::DEV_CHAIN_ID,
        "GET",
        "/v1/cases",
        common::now_ms(),
    );
    let replayed = send_with(
        chain.router(),
        Method::POST,
        "/v1/sessions",
        Vec::new(),
        &read.headers(),
    )
    .await;
    assert_eq!(replayed.code(), "bad_read_signature");
}

#[tokio::test]
async fn a_revoked_officer_s_session_stops_reading_at_once() {
    let chain = TestChain::start().await;
    let officer = chain.key("police", "officer2");
    let token = sign_in(&chain, &officer).await;
    assert_eq!(
        get_with_token(&chain, "/v1/cases", &token).await.status,
        StatusCode::OK
    );
    let revoke = Call::RevokeOfficer(RevokeOfficer {
        officer: officer.public_key().id(),
    });
    chain
        .submit_ok(&signed(&chain.key("police", "admin"), revoke))
        .await;
    let refused = get_with_token(&chain, "/v1/cases", &token).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "revoked_signer");
    // Nor may the revoked key sign in again.
    let again = chain
        .request_as(Method::POST, "/v1/sessions", Vec::new(), &officer)
        .await;
    assert_eq!(again.code(), "revoked_signer");
}

#[tokio::test]
async fn one_sign_in_signature_makes_at_most_one_session() {
    let chain = TestChain::start().await;
    let read = xianjie_ledger::read_auth::SignedRead::sign(
        &chain.key("court", "officer"),
        xianjie_node::dev::DEV_CHAIN_ID,
        "POST",
        "/v1/sessions",
        common::now_ms(),
    );
    let headers = read.headers();
    let sign_in_with = || {
        send_with(
            chain.router(),
            Method::POST,
            "/v1/sessions",
            Vec::new(),
            &headers,
        )
    };
    let first = sign_in_with().await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    for _ in 0..3 {
        let again = sign_in_with().await;
        assert_eq!(
            (again.status, again.code()),
            (StatusCode::UNAUTHORIZED, "replayed_read"),
            "{}",
            again.json
        );
    }
    assert_eq!(chain.node.state().sessions().len(), 1);
}

#[tokio::test]
async fn past_the_per_officer_cap_signing_in_is_refused_and_live_sessions_stay() {
    let chain = TestChain::start().await;
    let officer = chain.key("court", "officer");
    let mut tokens = Vec::new();
    for _ in 0..MAX_SESSIONS_PER_OFFICER {
        tokens.push(sign_in(&chain, &officer).await);
    }
    let refused = chain
        .request_as(Method::POST, "/v1/sessions", Vec::new(), &officer)
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_sessions"),
        "{}",
        refused.json
    );
    let message = refused.json["error"]["message"].as_str().unwrap();
    assert!(message.contains("sign out elsewhere"), "{message}");
    // Every session, the earliest too, still reads.
    for token in &tokens {
        let current = get_with_token(&chain, "/v1/sessions/current", token).await;
        assert_eq!(current.status, StatusCode::OK, "{}", current.json);
    }
    // Signed out of one, the officer may sign in again.
    let request = Request::builder()
        .method(Method::DELETE)
        .uri("/v1/sessions/current")
        .header("authorization", format!("Bearer {}", tokens[0]))
        .body(Body::empty())
        .unwrap();
    let ended = chain.router().oneshot(request).await.unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    sign_in(&chain, &officer).await;
}
