//! Four validators in four processes agree on 200 heights: identical block
//! hashes and state roots on every node.

use std::time::Duration;

use xianjie_tests::network::{NetOptions, Network};

#[test]
fn four_validators_commit_200_identical_heights() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 200, Duration::from_secs(150));
    net.assert_same_chain(&[0, 1, 2, 3], 200);
    let status = net.get(0, "/v1/status").unwrap();
    assert_eq!(status["validators"].as_array().unwrap().len(), 4);
    assert_eq!(
        status["network"]["peers"].as_array().unwrap().len(),
        3,
        "{status}"
    );
    let metrics = ureq::get(format!("{}/metrics", net.nodes[0].url))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(metrics.contains("xianjie_height "), "{metrics}");
    assert!(metrics.contains("xianjie_committed_txs_total"), "{metrics}");
}
