//! One validator double-signs every vote and proposal; the others do not
//! diverge and keep committing the transactions they get.

use std::time::Duration;

use xianjie_tests::network::{anchor_tx, NetOptions, Network};

#[test]
fn an_equivocating_validator_causes_no_divergence() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    net.append_config(3, "[testing]\nequivocate = true\n");
    net.start_all();
    net.wait_for_height(&[0, 1, 2], 5, Duration::from_secs(60));
    let key = net.key("court-officer");
    let colleague = net.key("court-officer2");
    let mut hashes = Vec::new();
    for n in 0..20 {
        let tx = anchor_tx(&key, &colleague);
        assert_eq!(net.submit_tx(n % 3, &tx), 202);
        hashes.push(tx.hash().to_hex());
    }
    net.wait_for_height(&[0, 1, 2], 40, Duration::from_secs(120));
    net.assert_same_chain(&[0, 1, 2], 40);
    for hash in &hashes {
        assert_eq!(net.tx_status(0, hash).unwrap().0, "committed", "{hash}");
    }
    // The double signer itself follows the same chain.
    if net.height(3).is_some_and(|h| h >= 40) {
        net.assert_same_chain(&[0, 3], 40);
    }
    let metrics = ureq::get(format!("{}/metrics", net.nodes[0].url))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let evidence = metrics
        .lines()
        .find(|line| line.starts_with("xianjie_misbehaviour_heights_total"))
        .and_then(|line| line.split_whitespace().last())
        .and_then(|value| value.parse::<f64>().ok())
        .unwrap_or(0.0);
    assert!(evidence > 0.0, "the double signing is reported as evidence");
}
