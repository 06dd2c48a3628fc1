//! A node whose key is not registered on chain is refused by every peer: it
//! never gets a block, and no peer lists it. Once its organisation's admin
//! registers the key, the same node, configured with one peer only, is let
//! in: it syncs, and a transaction submitted to it reaches the validators
//! and commits.

use std::time::{Duration, Instant};

use xianjie_tests::network::{anchor_tx, NetOptions, Network};
use xianjie_tests::run_cli;

/// Keeps only the first address of each peer list in `config`.
fn first_peer_only(config: &str) -> String {
    let mut out = Vec::new();
    let mut kept_in_list = None;
    for line in config.lines() {
        if line.ends_with("_peers = [") {
            kept_in_list = Some(false);
        } else if line == "]" {
            kept_in_list = None;
        } else if let Some(kept) = kept_in_list {
            if kept {
                continue;
            }
            kept_in_list = Some(true);
        }
        out.push(line);
    }
    out.join("\n")
}

#[test]
fn a_node_is_refused_until_its_key_is_registered_then_follows_through_one_peer() {
    let dir = tempfile::tempdir().unwrap();
    let options = NetOptions {
        extra_nodes: 1,
        ..NetOptions::default()
    };
    let mut net = Network::create(dir.path(), &options);
    let config_path = net.nodes[4].home.join("config.toml");
    let config = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(&config_path, first_peer_only(&config)).unwrap();
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 5, Duration::from_secs(60));
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(
        net.height(4),
        Some(0),
        "the outsider got no block\n{}",
        net.log_tails()
    );
    let outsider = net.get(4, "/v1/status").unwrap()["network"]["peer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for i in 0..4 {
        let status = net.get(i, "/v1/status").unwrap();
        let peers = status["network"]["peers"].as_array().unwrap();
        assert_eq!(peers.len(), 3, "node {i}: {status}");
        assert!(
            !peers
                .iter()
                .any(|peer| peer["peer_id"] == outsider.as_str()),
            "node {i} lists the outsider"
        );
        assert_eq!(status["network"]["gossip_peers"], 3, "node {i}: {status}");
    }

    // Registered by an admin of its organisation, the node is let in through
    // its one peer and follows the chain by block sync.
    let node_key = net.node_key(4).public_key().to_hex();
    let admin_key = net.dir.join("keys/market-admin.key");
    run_cli(&[
        "--node",
        net.nodes[0].url.as_str(),
        "--key",
        admin_key.to_str().unwrap(),
        "node-key",
        "register",
        &node_key,
    ])
    .expect_code(0);
    let target = net.height(0).unwrap() + 3;
    net.wait_for_height(&[4], target, Duration::from_secs(90));
    net.assert_same_chain(&[0, 4], target);
    // Its status (refreshed every two seconds) names the three validators
    // it has no connection to.
    let others: Vec<String> = (1..4).map(|i| net.peer_id(i)).collect();
    net.wait_for_unconnected(4, &others, Duration::from_secs(10));

    // A transaction submitted to it reaches the validators and commits.
    let tx = anchor_tx(&net.key("lab-officer"), &net.key("lab-officer2"));
    assert_eq!(net.submit_tx(4, &tx), 202);
    let hash = tx.hash().to_hex();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !matches!(net.tx_status(0, &hash), Some((status, _)) if status == "committed") {
        assert!(
            Instant::now() < deadline,
            "the follower's transaction did not commit\n{}",
            net.log_tails()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
