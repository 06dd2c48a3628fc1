//! Bad input through the API: each is answered with a clear 4xx JSON error
//! and changes nothing.

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::{anchor_call, custody_call, signed, signed_for, TestChain};
use xianjie_ledger::codec;
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::hash::file_digest;
use xianjie_ledger::model::{CustodyAction, Role};
use xianjie_ledger::tx::{Call, RegisterOfficer, RevokeOfficer, MAX_TX_BYTES};

#[tokio::test]
async fn garbage_and_non_canonical_bytes_are_malformed_tx() {
    let chain = TestChain::start().await;
    let before = chain.height_and_root().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let valid = codec::encode(&signed(
        &key,
        anchor_call(&key, &colleague, file_digest(b"x")),
    ));
    let mut trailing = valid.clone();
    trailing.push(0);
    let mut wrong_version = valid;
    wrong_version[0] = 9;
    for body in [
        b"hello, ledger".to_vec(),
        Vec::new(),
        trailing,
        wrong_version,
    ] {
        let reply = chain.submit_bytes(body, false).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.json);
        assert_eq!(reply.code(), "malformed_tx");
        assert!(reply.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("canonical"));
    }
    assert_eq!(chain.height_and_root().await, before);
    assert_eq!(chain.status().await["mempool_size"], 0);
}

#[tokio::test]
async fn wrong_chain_id_is_refused() {
    let chain = TestChain::start().await;
    let before = chain.height_and_root().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let digest = file_digest(b"wrong chain");
    let tx = signed_for("xianjie-other", &key, anchor_call(&key, &colleague, digest));
    let reply = chain.submit(&tx).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "wrong_chain");
    assert_eq!(chain.height_and_root().await, before);
    assert_eq!(chain.evidence(&digest).await.code(), "not_anchored");
}

#[tokio::test]
async fn a_flipped_signature_byte_is_bad_signature() {
    let chain = TestChain::start().await;
    let before = chain.height_and_root().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let digest = file_digest(b"forged");
    let mut tx = signed(&key, anchor_call(&key, &colleague, digest));
    tx.signature.0[17] ^= 0x01;
    let reply = chain.submit(&tx).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "bad_signature");
    assert_eq!(chain.height_and_root().await, before);
    assert_eq!(chain.evidence(&digest).await.code(), "not_anchored");
}

#[tokio::test]
async fn a_replayed_transaction_is_a_duplicate() {
    let chain = TestChain::start().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let digest = file_digest(b"replayed");
    let tx = signed(&key, anchor_call(&key, &colleague, digest));
    let first = chain.submit_ok(&tx).await;
    let before = chain.height_and_root().await;
    let record = chain.evidence(&digest).await.json;

    let replay = chain.submit(&tx).await;
    assert_eq!(replay.status, StatusCode::CONFLICT);
    assert_eq!(replay.code(), "duplicate_tx");
    assert!(replay.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already committed"));
    assert_eq!(chain.height_and_root().await, before);
    assert_eq!(chain.evidence(&digest).await.json, record);

    // A replay with a forged signature is refused for the signature first.
    let mut forged = tx.clone();
    forged.signature.0[0] ^= 0x80;
    assert_eq!(chain.submit(&forged).await.code(), "bad_signature");
    assert_eq!(first.json["hash"], tx.hash().to_hex());
}

#[tokio::test]
async fn an_unknown_signer_is_forbidden() {
    let chain = TestChain::start().await;
    let before = chain.height_and_root().await;
    let stranger = SecretKey::from_bytes(&[42u8; 32]);
    let digest = file_digest(b"stranger");
    let reply = chain
        .submit(&signed(
            &stranger,
            anchor_call(&stranger, &stranger, digest),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "unknown_signer");
    assert_eq!(chain.height_and_root().await, before);
    assert_eq!(chain.evidence(&digest).await.code(), "not_anchored");
}

#[tokio::test]
async fn a_revoked_signer_is_forbidden() {
    let chain = TestChain::start().await;
    let admin = chain.key("police", "admin");
    let officer = chain.key("police", "officer2");
    let officer_colleague = chain.key("police", "officer");
    let revoke = Call::RevokeOfficer(RevokeOfficer {
        officer: officer.public_key().id(),
    });
    chain.submit_ok(&signed(&admin, revoke)).await;
    let record = chain
        .get(&format!("/v1/officers/{}", officer.public_key().id()))
        .await;
    assert_eq!(record.json["active"], false);

    let before = chain.height_and_root().await;
    let digest = file_digest(b"after revocation");
    let reply = chain
        .submit(&signed(
            &officer,
            anchor_call(&officer, &officer_colleague, digest),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "revoked_signer");
    assert_eq!(chain.height_and_root().await, before);
    assert_eq!(chain.evidence(&digest).await.code(), "not_anchored");
}

#[tokio::test]
async fn an_oversized_body_is_413_json() {
    let chain = TestChain::start().await;
    let before = chain.height_and_root().await;
    // Just over the transaction limit (reaches the handler) and far over the
    // route's body limit (cut off while reading): both answer the same.
    for size in [MAX_TX_BYTES + 1, 1024 * 1024] {
        let reply = chain.submit_bytes(vec![1u8; size], true).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "size {size}");
        assert_eq!(reply.code(), "body_too_large");
    }
    assert_eq!(chain.height_and_root().await, before);
}

#[tokio::test]
async fn custody_by_a_non_holder_is_committed_as_not_holder_and_changes_nothing() {
    let chain = TestChain::start().await;
    let digest = chain.anchor("market", b"seized ledger book").await;
    let before = chain.evidence(&digest).await.json;
    assert_eq!(before["holder"], "market");

    let police = chain.key("police", "officer");
    let tx = signed(&police, custody_call(digest, CustodyAction::Seal, None));
    let reply = chain.submit(&tx).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.json
    );
    assert_eq!(reply.code(), "not_holder");
    let error = &reply.json["error"];
    assert_eq!(error["tx"], tx.hash().to_hex());
    let height = error["height"].as_u64().expect("height of the refusal");

    // The refusal is in the audit trail, with its code.
    let block = chain.get(&format!("/v1/blocks/{height}")).await;
    assert_eq!(block.status, StatusCode::OK);
    let index = block.json["txs"]
        .as_array()
        .unwrap()
        .iter()
        .position(|hash| hash == &tx.hash().to_hex())
        .expect("refused tx is in its block");
    assert_eq!(
        block.json["results"][index]["outcome"]["error"]["code"],
        "not_holder"
    );
    let by_hash = chain.get(&format!("/v1/txs/{}", tx.hash())).await;
    assert_eq!(
        by_hash.json["outcome"],
        serde_json::json!({"status": "error", "code": "not_holder"})
    );

    // The record is unchanged: same holder, no custody event.
    assert_eq!(chain.evidence(&digest).await.json, before);
}

#[tokio::test]
async fn other_bad_requests_are_json_errors() {
    let chain = TestChain::start().await;
    let cases = [
        (
            Method::GET,
            "/v1/nothing-here",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        // `/` is the web console; other paths outside `/v1` are still JSON 404s.
        (
            Method::GET,
            "/web/nothing-here",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::DELETE,
            "/v1/status",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Method::GET,
            "/v1/txs",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Method::GET,
            "/v1/evidence/not-hex",
            StatusCode::BAD_REQUEST,
            "bad_digest",
        ),
        (
            Method::GET,
            &format!("/v1/evidence/{}", "ab".repeat(31)),
            StatusCode::BAD_REQUEST,
            "bad_digest",
        ),
        (
            Method::GET,
            &format!("/v1/evidence/{}", "00".repeat(32)),
            StatusCode::NOT_FOUND,
            "not_anchored",
        ),
        (
            Method::GET,
            &format!("/v1/evidence/{}/proof", "00".repeat(32)),
            StatusCode::NOT_FOUND,
            "not_anchored",
        ),
        (
            Method::GET,
            "/v1/blocks/abc",
            StatusCode::BAD_REQUEST,
            "bad_path",
        ),
        (
            Method::GET,
            "/v1/blocks/99",
            StatusCode::NOT_FOUND,
            "unknown_block",
        ),
        (
            Method::GET,
            &format!("/v1/txs/{}", "11".repeat(32)),
            StatusCode::NOT_FOUND,
            "unknown_tx",
        ),
        (
            Method::GET,
            &format!("/v1/officers/{}", "22".repeat(20)),
            StatusCode::NOT_FOUND,
            "unknown_officer",
        ),
        (
            Method::POST,
            "/v1/txs?wait=perhaps",
            StatusCode::BAD_REQUEST,
            "bad_query",
        ),
    ];
    // Signed by a reader every evidence record is open to; the signature
    // is ignored where reads are public.
    let reader = chain.judicial_reader();
    for (method, uri, status, code) in cases {
        let reply = chain
            .request_as(method.clone(), uri, Vec::new(), &reader)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{method} {uri}: {}",
            reply.json
        );
        assert!(!reply.json["error"]["message"].as_str().unwrap().is_empty());
    }
    let not_anchored = chain
        .get_as(&format!("/v1/evidence/{}", "00".repeat(32)), &reader)
        .await;
    assert!(not_anchored.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not anchored on this chain"));
}

#[tokio::test]
async fn registering_a_key_twice_is_refused_with_its_contract_code() {
    // A contract refusal other than custody: committed with its code, 422.
    let chain = TestChain::start().await;
    let police_admin = chain.key("police", "admin");
    let officer = chain.key("court", "officer");
    let register = Call::RegisterOfficer(RegisterOfficer {
        public_key: officer.public_key(),
        role: Role::Officer,
    });
    let reply = chain.submit(&signed(&police_admin, register)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.code(), "officer_exists");
}

#[tokio::test]
async fn a_full_mempool_is_503_and_a_slow_commit_is_504() {
    // One pending transaction at most, and a producer that batches for far
    // longer than a submission waits.
    let chain = TestChain::start_with(|config| {
        config.mempool.max_txs = 1;
        config.batch_window = Duration::from_millis(800);
        config.api.commit_wait = Duration::from_millis(50);
    })
    .await;
    let key = chain.key("court", "officer");
    let colleague = chain.key("court", "officer2");
    let first = signed(&key, anchor_call(&key, &colleague, file_digest(b"first")));
    let reply = chain.submit(&first).await;
    assert_eq!(reply.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(reply.code(), "commit_timeout");
    assert!(reply.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains(&first.hash().to_hex()));

    let second = signed(&key, anchor_call(&key, &colleague, file_digest(b"second")));
    let reply = chain.submit_bytes(codec::encode(&second), false).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.code(), "mempool_full");

    // The first one still commits once the batching window closes.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while chain.get(&format!("/v1/txs/{}", first.hash())).await.json["status"] != "committed" {
        assert!(std::time::Instant::now() < deadline, "never committed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
