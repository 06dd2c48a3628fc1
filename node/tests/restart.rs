//! A node stopped and reopened on the same home resumes where it was.

mod common;

use axum::http::StatusCode;
use common::{custody_call, signed, TestChain};
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::model::CustodyAction;
use xianjie_node::{Error, Node, NodeConfig};

#[tokio::test]
async fn restart_resumes_with_the_same_height_and_records() {
    let chain = TestChain::start().await;
    let digest = chain.anchor("market", b"inspection photo").await;
    let market = chain.key("market", "officer");
    chain
        .submit_ok(&signed(
            &market,
            custody_call(digest, CustodyAction::Seal, None),
        ))
        .await;
    let status_before = chain.status().await;
    let record_before = chain.evidence(&digest).await.json;
    let genesis_before = std::fs::read(chain.home().genesis_path()).unwrap();

    let chain = chain.restart().await;
    let status_after = chain.status().await;
    for field in [
        "height",
        "latest_block_hash",
        "state_root",
        "genesis_hash",
        "latest_time_ms",
    ] {
        assert_eq!(status_after[field], status_before[field], "{field}");
    }
    assert_eq!(chain.evidence(&digest).await.json, record_before);
    assert_eq!(
        std::fs::read(chain.home().genesis_path()).unwrap(),
        genesis_before
    );

    // The chain goes on from there, and replays are still refused.
    let police = chain.key("police", "officer");
    let next = signed(&police, custody_call(digest, CustodyAction::Examine, None));
    let reply = chain.submit(&next).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json["error"]["height"],
        status_before["height"].as_u64().unwrap() + 1
    );
    let block = chain
        .get(&format!("/v1/blocks/{}", reply.json["error"]["height"]))
        .await;
    assert_eq!(
        block.json["header"]["prev_hash"],
        status_before["latest_block_hash"]
    );
}

#[tokio::test]
async fn a_store_from_another_genesis_is_refused() {
    let chain = TestChain::start().await;
    let home = chain.home();
    chain.node.shutdown().await.unwrap();

    let path = home.genesis_path();
    let mut genesis = Genesis::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    genesis.genesis_time_ms += 1;
    std::fs::write(&path, genesis.to_json()).unwrap();

    match Node::start_dev(NodeConfig::dev(home.root())).await {
        Err(error @ Error::GenesisMismatch { .. }) => {
            assert!(error.to_string().contains("genesis.json"), "{error}");
        }
        Err(other) => panic!("expected a genesis mismatch, got {other}"),
        Ok(_) => panic!("a node started on a store from another genesis"),
    }
}
