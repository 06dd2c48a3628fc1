//! Signed reads (`xianjie_ledger::read_auth`) and the case, inspection and
//! governance endpoints.

mod common;

use axum::http::{Method, StatusCode};
use common::{now_ms, signed, TestChain};
use xianjie_ledger::case::{Attachment, AttachmentKind, LeadKind, LeadSource};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::governance::{Change, ParamChange};
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::read_auth::{SignedRead, DEFAULT_MAX_SKEW_MS};
use xianjie_ledger::tx::{Approve, Call, CaseAction, OpenCase, Propose, RecognizeInspection};

/// A shop's 统一社会信用代码 (synthetic, valid under GB 32100).
const SHOP: &str = "91330100MA2H3K4L50";

async fn open_case(chain: &TestChain) -> xianjie_ledger::ids::CaseId {
    let market = chain.key("market", "officer");
    let reply = chain
        .submit_ok(&signed(
            &market,
            Call::OpenCase(OpenCase {
                title: "超市销售过期食品".into(),
                entity: SHOP.into(),
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

async fn act(
    chain: &TestChain,
    key: &SecretKey,
    case_id: &str,
    action: &str,
    kinds: &[AttachmentKind],
) {
    let attachments = kinds
        .iter()
        .map(|kind| Attachment {
            kind: *kind,
            digest: note_digest(&format!("{case_id} {action} {kind}")),
        })
        .collect();
    chain
        .submit_ok(&signed(
            key,
            Call::CaseAction(CaseAction {
                case_id: case_id.into(),
                action: action.into(),
                attachments,
                officers: Vec::new(),
                to: None,
                reason_digest: None,
                outcome: None,
            }),
        ))
        .await;
}

#[tokio::test]
async fn evidence_reads_are_signed_fresh_by_an_officer_and_allowed_by_policy() {
    let chain = TestChain::start().await;
    let digest = chain.anchor("market", b"till records").await;
    let uri = format!("/v1/evidence/{digest}");

    // No signature: 401 unsigned_read, on every evidence route.
    for path in [
        uri.clone(),
        format!("{uri}/proof"),
        format!("{uri}/receipt"),
    ] {
        let reply = chain.get(&path).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "unsigned_read"),
            "{path}: {}",
            reply.json
        );
    }

    // Signed by the anchoring organisation: 200.
    let market = chain.key("market", "officer2");
    let ok = chain.get_as(&uri, &market).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_eq!(ok.json["holder"], "market");
    let proof = chain.get_as(&format!("{uri}/proof"), &market).await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.json);

    // The laboratory is no party: the default policies refuse, 403 read_denied.
    let lab = chain.key("lab", "officer");
    let denied = chain.get_as(&uri, &lab).await;
    assert_eq!(
        (denied.status, denied.code()),
        (StatusCode::FORBIDDEN, "read_denied"),
        "{}",
        denied.json
    );
    let message = denied.json["error"]["message"].as_str().unwrap();
    assert!(message.contains("read-evidence-holders"), "{message}");
    assert!(message.contains("`lab`"), "{message}");

    // Signed six minutes ago: 401 stale_read.
    let stale = chain
        .request_signed_at(
            Method::GET,
            &uri,
            Vec::new(),
            &market,
            now_ms() - DEFAULT_MAX_SKEW_MS - 60_000,
        )
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::UNAUTHORIZED, "stale_read"),
        "{}",
        stale.json
    );

    // Signed for another path: 401 bad_read_signature.
    let other = SignedRead::sign(
        &market,
        "xianjie-dev",
        "GET",
        "/v1/evidence/other",
        now_ms(),
    );
    let bad = common::send_with(
        chain.router(),
        Method::GET,
        &uri,
        Vec::new(),
        &other.headers(),
    )
    .await;
    assert_eq!(
        (bad.status, bad.code()),
        (StatusCode::UNAUTHORIZED, "bad_read_signature"),
        "{}",
        bad.json
    );
    // Only some headers: also bad_read_signature.
    let partial = common::send_with(
        chain.router(),
        Method::GET,
        &uri,
        Vec::new(),
        &other.headers()[..2],
    )
    .await;
    assert_eq!(partial.code(), "bad_read_signature");

    // A well-signed read by a key that is not an officer: 403 unknown_signer.
    let stranger = SecretKey::from_bytes(&[42; 32]);
    let unknown = chain.get_as(&uri, &stranger).await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::FORBIDDEN, "unknown_signer")
    );

    // Public reads stay public.
    for path in [
        "/v1/status",
        "/v1/openapi.json",
        "/v1/deadlines",
        "/v1/policy",
    ] {
        assert_eq!(chain.get(path).await.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn cases_list_show_and_actions_for_the_signing_officer() {
    let chain = TestChain::start().await;
    let case_id = open_case(&chain).await;
    let market = chain.key("market", "officer");
    act(
        &chain,
        &market,
        &case_id,
        "open-admin-case",
        &[AttachmentKind::CaseOpeningRecord],
    )
    .await;

    assert_eq!(chain.get("/v1/cases").await.code(), "unsigned_read");
    let list = chain.get_as("/v1/cases", &market).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    assert_eq!(list.json["cases"][0]["id"], case_id.as_str());
    assert_eq!(list.json["cases"][0]["state"], "S1_ADMIN_CASE");
    assert_eq!(list.json["cases"][0]["overdue"], false);
    let filtered = chain.get_as("/v1/cases?state=S8_FILED", &market).await;
    assert_eq!(filtered.json["cases"], serde_json::json!([]));
    assert_eq!(
        chain.get_as("/v1/cases?state=NOPE", &market).await.code(),
        "bad_query"
    );
    // The court is no party yet: the case is not listed, and not readable.
    let court = chain.key("court", "officer");
    assert_eq!(
        chain.get_as("/v1/cases", &court).await.json["cases"],
        serde_json::json!([])
    );
    let refused = chain.get_as(&format!("/v1/cases/{case_id}"), &court).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "read_denied")
    );
    // The region's procuratorate reads every case of its region.
    let procuratorate = chain.key("procuratorate", "officer");
    let detail = chain
        .get_as(&format!("/v1/cases/{case_id}"), &procuratorate)
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.json);
    assert_eq!(detail.json["state"], "S1_ADMIN_CASE");
    assert_eq!(detail.json["overdue"], false);
    assert_eq!(detail.json["case"]["owner"], "market");
    assert_eq!(detail.json["events"][0]["action"], "open-case");
    assert_eq!(detail.json["events"][1]["action"], "open-admin-case");
    assert!(detail.json["clocks"].is_array());
    assert_eq!(detail.json["attachments"][0]["kind"], "case-opening-record");
    assert!(detail.json["attachments"][0]["class"].is_null());
    assert!(detail.json["at_ms"].as_u64().unwrap() > 0);
    assert_eq!(
        chain
            .get_as("/v1/cases/CASE-0000000000000000", &market)
            .await
            .code(),
        "unknown_case"
    );

    // What may the officer do next? mark-suspected, but not approve-transfer.
    let actions = chain
        .get_as(&format!("/v1/cases/{case_id}/actions"), &market)
        .await;
    assert_eq!(actions.status, StatusCode::OK, "{}", actions.json);
    let find = |name: &str| {
        actions.json["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|action| action["action"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone()
    };
    let suspected = find("mark-suspected");
    assert_eq!(suspected["allowed"], true, "{suspected}");
    assert_eq!(
        suspected["attachments"],
        serde_json::json!(["threshold-evaluation", "evidence-list"])
    );
    let approve = find("approve-transfer");
    assert_eq!(approve["allowed"], false);
    assert_eq!(approve["code"], "invalid_transition");
    assert_eq!(approve["role"], "head");
    assert_eq!(find("penalty-decision")["code"], "wrong_role");
    assert_eq!(find("receive")["code"], "invalid_transition");
    // Where the officer stands, from the table: may record it once the
    // documents are supplied; the head's decision; another state's action.
    assert_eq!(suspected["standing"], "supply");
    assert_eq!(suspected["in_state"], true);
    assert_eq!(find("penalty-decision")["standing"], "wrong_role");
    assert_eq!(approve["standing"], "other_state");
    assert_eq!(approve["in_state"], false);
    assert_eq!(find("receive")["parties"], serde_json::json!(["police"]));
    // Those the officer may record come first, other states' last.
    let standings: Vec<String> = actions.json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action["standing"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(standings.first().map(String::as_str), Some("supply"));
    assert_eq!(standings.last().map(String::as_str), Some("other_state"));
    // The police is no party: refused by party, with the contracts' reason.
    let police = chain.key("police", "officer");
    let police_actions = chain
        .get_as(&format!("/v1/cases/{case_id}/actions"), &police)
        .await;
    assert_eq!(police_actions.code(), "read_denied");
}

#[tokio::test]
async fn inspections_accreditations_policy_deadlines_and_governance() {
    let chain = TestChain::start().await;
    let lab_uscc = chain.org_uscc("lab").await;
    let recorded = chain.record_lab_inspection(SHOP, "GB2763-pesticide").await;
    let hash = xianjie_ledger::Hash::from_hex(recorded.json["hash"].as_str().unwrap()).unwrap();
    let id = xianjie_ledger::ids::InspectionId::for_tx(&hash);
    let police = chain.key("police", "officer");
    chain
        .submit_ok(&signed(
            &police,
            Call::RecognizeInspection(RecognizeInspection { id: id.clone() }),
        ))
        .await;

    let uri = format!("/v1/inspections?entity={SHOP}&matter=GB2763-pesticide");
    assert_eq!(chain.get(&uri).await.code(), "unsigned_read");
    let list = chain.get_as(&uri, &police).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    let result = &list.json["results"][0];
    assert_eq!(result["inspection"]["id"], id.as_str());
    assert_eq!(result["valid"], true, "{result}");
    assert_eq!(result["recognised"], true);
    assert_eq!(result["recognised_by"], serde_json::json!(["police"]));
    assert_eq!(result["problems"], serde_json::json!([]));
    let one = chain
        .get_as(&format!("/v1/inspections/{id}"), &police)
        .await;
    assert_eq!(one.json["inspection"]["issuer"], "lab");
    assert_eq!(
        chain
            .get_as("/v1/inspections/INSP-0000000000000000", &police)
            .await
            .code(),
        "unknown_inspection"
    );
    let certificate = chain
        .get(&format!("/v1/accreditations/{lab_uscc}/240012345678"))
        .await;
    assert_eq!(certificate.status, StatusCode::OK, "{}", certificate.json);
    assert_eq!(certificate.json["periods"][0]["recorded_by"], "market");

    let policy = chain.get("/v1/policy").await.json;
    assert_eq!(policy["is_default"], true);
    assert!(policy["policy_set"]
        .as_str()
        .unwrap()
        .contains("read-case-parties"));
    let deadlines = chain.get("/v1/deadlines").await.json;
    assert!(!deadlines["rules"].as_array().unwrap().is_empty());
    let proposals = chain.get("/v1/governance/proposals").await.json;
    assert_eq!(proposals["proposals"], serde_json::json!([]));
    assert!(proposals["required_approvals"].as_u64().unwrap() >= 1);
    assert_eq!(
        chain.get("/v1/governance/proposals/GOV-00").await.code(),
        "unknown_proposal"
    );

    let doc = chain.get("/v1/openapi.json").await.json;
    for path in [
        "/v1/cases",
        "/v1/cases/{id}",
        "/v1/cases/{id}/actions",
        "/v1/cases/{id}/facts",
        "/v1/supervision/flags",
        "/v1/threshold-rules",
        "/v1/names",
        "/v1/inspections",
        "/v1/inspections/{id}",
        "/v1/accreditations/{lab}/{cma}",
        "/v1/deadlines",
        "/v1/policy",
        "/v1/governance/proposals",
        "/v1/governance/proposals/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} not documented");
    }
    assert!(doc["components"]["securitySchemes"]["signed_read"].is_object());
}

#[tokio::test]
async fn a_pilot_era_code_is_queried_once_governance_allow_lists_it() {
    let chain = TestChain::start().await;
    // Genuine but issued with a wrong check character (DOMAIN §h.4).
    let pilot = "91350100M0001TGQXM";
    let market = chain.key("market", "officer");
    let query = format!("/v1/inspections?entity={pilot}");
    assert_eq!(chain.get_as(&query, &market).await.code(), "bad_query");

    let proposal = signed(
        &chain.key("market", "admin"),
        Call::Propose(Propose {
            change: Change::Param(ParamChange::UsccAllowList(vec![pilot.into()])),
            note_digest: None,
        }),
    );
    chain.submit_ok(&proposal).await;
    let id = xianjie_ledger::ids::ProposalId::for_tx(&proposal.hash());
    // Four of the six members: a majority.
    for org in ["police", "procuratorate", "court"] {
        let approval = Call::Approve(Approve {
            proposal: id.clone(),
        });
        chain
            .submit_ok(&signed(&chain.key(org, "admin"), approval))
            .await;
    }
    chain.record_lab_inspection(pilot, "GB2763-pesticide").await;
    let list = chain.get_as(&query, &market).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    assert_eq!(list.json["entity"], pilot);
    assert_eq!(list.json["results"].as_array().unwrap().len(), 1);
}

/// `GET uri` with exactly the headers of `read`, as a captured request
/// would be sent again.
async fn send_read(router: axum::Router, uri: &str, read: &SignedRead) -> common::Reply {
    common::send_with(router, Method::GET, uri, Vec::new(), &read.headers()).await
}

#[tokio::test]
async fn a_signed_read_serves_one_request() {
    let chain = TestChain::start().await;
    let digest = chain.anchor("market", b"till records").await;
    let market = chain.key("market", "officer");
    // Through the evidence middleware and through the `Reader` extractor.
    for uri in [format!("/v1/evidence/{digest}"), "/v1/cases".to_owned()] {
        let read = SignedRead::sign(&market, "xianjie-dev", "GET", &uri, now_ms());
        let first = send_read(chain.router(), &uri, &read).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}: {}", first.json);
        for _ in 0..3 {
            let again = send_read(chain.router(), &uri, &read).await;
            assert_eq!(
                (again.status, again.code()),
                (StatusCode::UNAUTHORIZED, "replayed_read"),
                "{uri}: {}",
                again.json
            );
            let message = again.json["error"]["message"].as_str().unwrap();
            assert!(message.contains("sign the request again"), "{message}");
        }
        // Signed anew, the same read is answered.
        let fresh = chain.get_as(&uri, &market).await;
        assert_eq!(fresh.status, StatusCode::OK, "{uri}: {}", fresh.json);
    }
}

#[tokio::test]
async fn a_read_signed_ahead_of_the_node_s_clock_is_refused_and_the_past_window_stays() {
    let chain = TestChain::start().await;
    let police = chain.key("police", "officer");
    let at = |offset_ms: i64| now_ms().saturating_add_signed(offset_ms);
    let ahead = chain
        .request_signed_at(
            Method::GET,
            "/v1/cases",
            Vec::new(),
            &police,
            at(4 * 60_000),
        )
        .await;
    assert_eq!(
        (ahead.status, ahead.code()),
        (StatusCode::UNAUTHORIZED, "future_read"),
        "{}",
        ahead.json
    );
    let message = ahead.json["error"]["message"].as_str().unwrap();
    assert!(message.contains("clock is ahead"), "{message}");
    // Within the 30 seconds of drift allowed ahead, and four minutes behind.
    for offset_ms in [20_000, -4 * 60_000] {
        let reply = chain
            .request_signed_at(Method::GET, "/v1/cases", Vec::new(), &police, at(offset_ms))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{offset_ms}: {}", reply.json);
    }
}

#[tokio::test]
async fn a_node_whose_memory_of_reads_is_full_refuses_new_ones_and_forgets_none() {
    let chain = TestChain::start().await;
    let state = chain.node.state().with_read_replay_capacity(2);
    let router = || xianjie_node::api::router(state.clone());
    let police = chain.key("police", "officer");
    let reads: Vec<SignedRead> = (0..3)
        .map(|_| SignedRead::sign(&police, "xianjie-dev", "GET", "/v1/cases", now_ms()))
        .collect();
    for read in &reads[..2] {
        assert_eq!(
            send_read(router(), "/v1/cases", read).await.status,
            StatusCode::OK
        );
    }
    let busy = send_read(router(), "/v1/cases", &reads[2]).await;
    assert_eq!(
        (busy.status, busy.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "signed_reads_busy"),
        "{}",
        busy.json
    );
    // The reads it holds are still refused as replays: none was forgotten.
    for read in &reads[..2] {
        assert_eq!(
            send_read(router(), "/v1/cases", read).await.code(),
            "replayed_read"
        );
    }
}
