//! A node whose key is not registered on chain is refused by every peer: it
//! never gets a block, and no peer lists it.

use std::time::Duration;

use xianjie_tests::network::{NetOptions, Network};

#[test]
fn a_peer_with_an_unregistered_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let options = NetOptions {
        extra_nodes: 1,
        ..NetOptions::default()
    };
    let mut net = Network::create(dir.path(), &options);
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
}
