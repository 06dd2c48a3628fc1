//! Every signed route (access `Officer` or `SignedOnly` in the route table)
//! refuses a request before its handler runs, through the one `Reader`
//! extractor: the same status and the same body for the same defect on
//! every route, whatever its path parameters, query or body.

mod common;

use axum::http::StatusCode;
use common::{now_ms, send_with, TestChain};
use serde_json::{json, Value};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::read_auth::SignedRead;
use xianjie_node::api::{routes, Access};
use xianjie_node::dev::DEV_CHAIN_ID;

const UNSIGNED: &str = "this read needs an officer's signature: sign the request with an officer key (headers X-Xianjie-Key, X-Xianjie-Time, X-Xianjie-Signature; the CLI does it when given --key or XIANJIE_KEY)";
const BAD_SIGNATURE: &str = "the read signature was refused (the read signature does not verify for this chain, method, path and time); sign BLAKE3-derive-key(\"xianjie 2026-11 api read request v1\") of chain_id, method, path and query, and time, as xianjie_ledger::read_auth does";

fn refusal(code: &str, message: &str) -> Value {
    json!({ "error": { "code": code, "message": message } })
}

/// The route's path with each `{parameter}` filled in: a well-formed digest
/// (64 hex) or id, so that only the signature can be wrong.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{digest}" => "ab".repeat(32),
            "{id}" => "CASE-0000000000000000".to_owned(),
            s if s.starts_with('{') => "x".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_signed_route_refuses_bad_signatures_alike_before_its_handler() {
    let chain = TestChain::start().await;
    let market = chain.key("market", "officer");
    let stranger = SecretKey::from_bytes(&[42; 32]);
    let signed_routes: Vec<_> = routes()
        .into_iter()
        .filter(|route| matches!(route.access, Access::Officer | Access::SignedOnly))
        .collect();
    for path in ["/v1/evidence/{digest}/receipt", "/v1/sessions", "/v1/vault"] {
        assert!(
            signed_routes.iter().any(|route| route.path == path),
            "{path} is a signed route"
        );
    }
    for route in signed_routes {
        let method = route.method.clone();
        let uri = concrete(route.path);
        let send = |headers: Vec<(&'static str, String)>| {
            let (router, method, uri) = (chain.router(), method.clone(), uri.clone());
            async move { send_with(router, method, &uri, Vec::new(), &headers).await }
        };
        let what = format!("{method} {uri}");

        let unsigned = send(Vec::new()).await;
        assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(unsigned.json, refusal("unsigned_read", UNSIGNED), "{what}");

        // Signed by an officer, but over another path.
        let elsewhere = SignedRead::sign(
            &market,
            DEV_CHAIN_ID,
            method.as_str(),
            "/v1/elsewhere",
            now_ms(),
        );
        let bad = send(elsewhere.headers().to_vec()).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(
            bad.json,
            refusal("bad_read_signature", BAD_SIGNATURE),
            "{what}"
        );

        // Well signed, by a key that is no officer.
        let unknown = SignedRead::sign(&stranger, DEV_CHAIN_ID, method.as_str(), &uri, now_ms());
        let unknown = send(unknown.headers().to_vec()).await;
        assert_eq!(unknown.status, StatusCode::FORBIDDEN, "{what}");
        let message = format!(
            "key {} is not a registered officer of this chain; ask your organisation's admin to register it (`xianjie keys show` prints its id)",
            stranger.public_key().id().to_hex()
        );
        assert_eq!(unknown.json, refusal("unknown_signer", &message), "{what}");
    }
}
