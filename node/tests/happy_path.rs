//! Anchor evidence, hand it over, read it back, and prove it.

mod common;

use axum::http::{Method, StatusCode};
use common::{custody_call, signed, TestChain};
use xianjie_ledger::codec;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::model::CustodyAction;
use xianjie_node::api::EvidenceProof;

fn trusted_validators(chain: &TestChain) -> xianjie_ledger::validators::ValidatorSet {
    let text = std::fs::read_to_string(chain.home().genesis_path()).unwrap();
    Genesis::from_json(&text).unwrap().validator_set()
}

#[tokio::test]
async fn anchor_then_read_class_and_holder() {
    let chain = TestChain::start().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let digest = xianjie_ledger::hash::file_digest(b"photo of the counterfeit goods");
    let tx = signed(&key, common::anchor_call(&key, &colleague, digest));
    let reply = chain.submit_ok(&tx).await;
    assert_eq!(reply.json["status"], "committed");
    assert_eq!(reply.json["hash"], tx.hash().to_hex());
    let height = reply.json["height"].as_u64().unwrap();
    assert!(height >= 1);
    assert_eq!(reply.json["index"], 0);

    let record = chain.evidence(&digest).await;
    assert_eq!(record.status, StatusCode::OK);
    assert_eq!(record.json["digest"], digest.to_hex());
    assert_eq!(record.json["class"], "A");
    assert_eq!(record.json["holder"], "market");
    assert_eq!(record.json["org"], "market");
    assert_eq!(record.json["anchored_by"], key.public_key().id().to_hex());
    assert_eq!(record.json["tx"], tx.hash().to_hex());
    assert_eq!(record.json["height"], height);
    assert_eq!(record.json["custody"], serde_json::json!([]));
    assert_eq!(record.json["anchor"]["media_type"], "image/jpeg");

    let by_hash = chain.get(&format!("/v1/txs/{}", tx.hash())).await;
    assert_eq!(by_hash.json["status"], "committed");
    assert_eq!(by_hash.json["outcome"]["status"], "ok");
    assert_eq!(by_hash.json["call"], "anchor_evidence");
    assert!(by_hash.json.get("tx").is_none(), "{}", by_hash.json);

    let block = chain.get(&format!("/v1/blocks/{height}")).await;
    assert_eq!(block.status, StatusCode::OK);
    assert_eq!(block.json["header"]["height"], height);
    assert_eq!(block.json["txs"][0], tx.hash().to_hex());
    assert_eq!(block.json["commit"]["block_hash"], block.json["hash"]);

    let status = chain.status().await;
    assert_eq!(status["chain_id"], "xianjie-dev");
    assert_eq!(status["height"], height);
    assert_eq!(status["latest_block_hash"], block.json["hash"]);
    assert_eq!(status["validators"][0]["org"], "market");
    assert_eq!(status["validators"][0]["power"], 1);
}

#[tokio::test]
async fn submit_without_wait_is_pending_then_committed() {
    let chain = TestChain::start().await;
    let key = chain.key("lab", "officer");
    let colleague = chain.key("lab", "officer2");
    let digest = xianjie_ledger::hash::file_digest(b"test report");
    let tx = signed(&key, common::anchor_call(&key, &colleague, digest));
    let reply = chain.submit_bytes(codec::encode(&tx), false).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(
        reply.json,
        serde_json::json!({"hash": tx.hash().to_hex(), "status": "pending"})
    );
    // Pending now or already committed: either way the hash is known, and a
    // second submission is a duplicate.
    assert_eq!(
        chain.submit_bytes(codec::encode(&tx), false).await.code(),
        "duplicate_tx"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let view = chain.get(&format!("/v1/txs/{}", tx.hash())).await;
        if view.json["status"] == "committed" {
            break;
        }
        assert_eq!(view.json["status"], "pending");
        assert!(
            std::time::Instant::now() < deadline,
            "not committed in time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(chain.evidence(&digest).await.json["class"], "A");
}

#[tokio::test]
async fn handover_then_the_proof_bundle_verifies() {
    let chain = TestChain::start().await;
    let digest = chain.anchor("market", b"seized counterfeit labels").await;
    let market = chain.key("market", "officer2");
    let police = chain.key("police", "officer");
    chain
        .submit_ok(&signed(
            &market,
            custody_call(digest, CustodyAction::Transfer, Some("police")),
        ))
        .await;
    chain
        .submit_ok(&signed(
            &police,
            custody_call(digest, CustodyAction::Receive, None),
        ))
        .await;
    let record = chain.evidence(&digest).await.json;
    assert_eq!(record["holder"], "police");
    assert_eq!(record["custody"][0]["action"], "transfer");
    assert_eq!(record["custody"][1]["action"], "receive");

    let reply = chain
        .get_as(
            &format!("/v1/evidence/{digest}/proof"),
            &chain.key("police", "officer"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let tip = chain.status().await["height"].as_u64().unwrap();
    assert_eq!(reply.json["height"], tip);
    let bundle: EvidenceProof = serde_json::from_value(reply.json).unwrap();
    let trusted = trusted_validators(&chain);
    let proven = bundle.verify(&trusted).expect("every proof verifies");
    assert_eq!(proven.holder.as_str(), "police");
    assert_eq!(bundle.custody.len(), 2);

    assert_tampering_is_detected(&bundle, &trusted);
}

/// Changing any part of the bundle breaks it.
fn assert_tampering_is_detected(
    bundle: &EvidenceProof,
    trusted: &xianjie_ledger::validators::ValidatorSet,
) {
    let mut other_holder = bundle.clone();
    let last = other_holder.state.value.len() - 1;
    other_holder.state.value[last] ^= 1;
    assert!(other_holder.verify(trusted).is_err());

    let mut bad_state_proof = bundle.clone();
    let middle = bad_state_proof.state.proof.len() / 2;
    bad_state_proof.state.proof[middle] ^= 1;
    assert!(bad_state_proof.verify(trusted).is_err());

    let mut bad_inclusion = bundle.clone();
    bad_inclusion.custody[1].inclusion.leaf_index += 1;
    assert!(bad_inclusion.verify(trusted).is_err());

    let mut bad_header = bundle.clone();
    bad_header.header.time_ms += 1;
    assert!(bad_header.verify(trusted).is_err());

    let mut bad_anchor_header = bundle.clone();
    bad_anchor_header.anchor.header.tx_root.0[0] ^= 1;
    assert!(bad_anchor_header.verify(trusted).is_err());

    let mut dropped_event = bundle.clone();
    dropped_event.custody.pop();
    assert!(dropped_event.verify(trusted).is_err());

    let stranger = xianjie_ledger::crypto::SecretKey::from_bytes(&[7; 32]);
    let untrusted = xianjie_ledger::validators::ValidatorSet::new(vec![
        xianjie_ledger::validators::Validator {
            public_key: stranger.public_key(),
            power: 1,
            org: xianjie_ledger::ids::OrgId::new("market").unwrap(),
        },
    ]);
    assert!(bundle.verify(&untrusted).is_err());
}

#[tokio::test]
async fn orgs_and_officers_are_listed() {
    let chain = TestChain::start().await;
    let orgs = chain.get("/v1/orgs").await;
    assert_eq!(orgs.status, StatusCode::OK);
    let ids: Vec<&str> = orgs
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "market",
            "police",
            "procuratorate",
            "court",
            "lab",
            "government",
            "environment"
        ]
    );
    assert_eq!(orgs.json[3]["name"], "杭州市中级人民法院");
    assert_eq!(orgs.json[0]["region"], "330100");
    for org in orgs.json.as_array().unwrap() {
        let uscc = org["uscc"].as_str().unwrap();
        assert_eq!(xianjie_contracts::uscc::validate(uscc).unwrap(), uscc);
    }

    let head = chain.key("court", "head");
    let officer = chain
        .get(&format!("/v1/officers/{}", head.public_key().id()))
        .await;
    assert_eq!(officer.status, StatusCode::OK);
    assert_eq!(officer.json["role"], "head");
    assert_eq!(officer.json["org"], "court");
    assert_eq!(officer.json["org_name"], "杭州市中级人民法院");
    assert_eq!(officer.json["org_kind"], "court");
    assert_eq!(officer.json["active"], true);
}

#[tokio::test]
async fn openapi_document_parses_and_lists_the_paths() {
    let chain = TestChain::start().await;
    let reply = chain.get("/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.json["openapi"].as_str().unwrap().starts_with("3."));
    let paths = reply.json["paths"].as_object().unwrap();
    for path in [
        "/v1/txs",
        "/v1/txs/{hash}",
        "/v1/blocks/{height}",
        "/v1/status",
        "/v1/orgs",
        "/v1/officers/{id}",
        "/v1/evidence/{digest}",
        "/v1/evidence/{digest}/proof",
        "/v1/openapi.json",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(paths["/v1/txs"]["post"]["responses"]["422"].is_object());
    assert!(reply.json["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn a_burst_of_submissions_shares_blocks() {
    let chain = TestChain::start().await;
    let key = chain.key("procuratorate", "officer");
    let colleague = chain.key("procuratorate", "officer2");
    let mut submissions = tokio::task::JoinSet::new();
    for i in 0..40u32 {
        let digest = xianjie_ledger::hash::file_digest(&i.to_be_bytes());
        let body = codec::encode(&signed(&key, common::anchor_call(&key, &colleague, digest)));
        let router = chain.router();
        submissions.spawn(async move {
            common::send(router, Method::POST, "/v1/txs?wait=true", body).await
        });
    }
    let mut heights = std::collections::BTreeSet::new();
    while let Some(reply) = submissions.join_next().await {
        let reply = reply.unwrap();
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        heights.insert(reply.json["height"].as_u64().unwrap());
    }
    assert!(
        heights.len() < 40,
        "40 concurrent submissions took {} blocks",
        heights.len()
    );
}
