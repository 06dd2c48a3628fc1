//! Transactions submitted to different nodes reach the proposers by gossip
//! and each commits exactly once, even when it was submitted to two nodes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use xianjie_tests::network::{anchor_tx, NetOptions, Network};

#[test]
fn transactions_submitted_to_any_node_commit_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 3, Duration::from_secs(60));
    // Signer and second collector, from four organisations.
    let officers = [
        ["market-officer", "market-officer2"],
        ["police-officer", "police-officer2"],
        ["court-officer", "court-officer2"],
        ["lab-officer2", "lab-officer"],
    ];
    let keys: Vec<_> = officers
        .iter()
        .map(|[signer, colleague]| [net.key(signer), net.key(colleague)])
        .collect();
    let mut hashes = Vec::new();
    for n in 0..80 {
        let [key, colleague] = &keys[n % keys.len()];
        let tx = anchor_tx(key, colleague);
        let node = n % 4;
        assert_eq!(net.submit_tx(node, &tx), 202, "node {node} refused tx {n}");
        if n % 10 == 0 {
            // The same transaction at another node: admitted there, or
            // already known from gossip; never committed twice.
            let again = net.submit_tx((node + 1) % 4, &tx);
            assert!(
                again == 202 || again == 409,
                "resubmission answered {again}"
            );
        }
        hashes.push(tx.hash().to_hex());
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut heights = HashMap::new();
    for hash in &hashes {
        loop {
            if let Some(("committed", Some(height))) = net
                .tx_status(0, hash)
                .as_ref()
                .map(|(status, height)| (status.as_str(), *height))
            {
                heights.insert(hash.clone(), height);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{hash} not committed\n{}",
                net.log_tails()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let top = *heights.values().max().unwrap();
    net.wait_for_height(&[0, 1, 2, 3], top, Duration::from_secs(30));
    for i in 1..4 {
        for hash in &hashes {
            assert_eq!(
                net.tx_status(i, hash).unwrap(),
                ("committed".to_owned(), Some(heights[hash])),
                "node {i} places {hash} elsewhere"
            );
        }
    }
    // Count every transaction in every block: each exactly once.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for height in 1..=top {
        let block = net.get(0, &format!("/v1/blocks/{height}")).unwrap();
        for tx in block["txs"].as_array().unwrap() {
            *seen.entry(tx.as_str().unwrap().to_owned()).or_default() += 1;
        }
    }
    for hash in &hashes {
        assert_eq!(
            seen.get(hash),
            Some(&1),
            "{hash} is not in exactly one block"
        );
    }
    net.assert_same_chain(&[0, 1, 2, 3], top);
}
