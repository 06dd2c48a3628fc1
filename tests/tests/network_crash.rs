//! A validator killed with SIGKILL under load and restarted catches up by
//! itself; no committed transaction is lost and the state roots agree.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use xianjie_tests::network::{anchor_tx, NetOptions, Network};

#[test]
fn a_validator_killed_under_load_catches_up_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 3, Duration::from_secs(60));

    // Load: a client submits to nodes 0-2 until told to stop.
    // Signer and second collector of each kind of anchor the client sends.
    let keys = [
        [net.key("market-officer"), net.key("market-officer2")],
        [net.key("police-officer2"), net.key("police-officer")],
    ];
    let urls: Vec<String> = net.nodes.iter().map(|node| node.url.clone()).collect();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let accepted = Arc::clone(&accepted);
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let [key, colleague] = &keys[n % keys.len()];
                let tx = anchor_tx(key, colleague);
                let bytes = xianjie_ledger::codec::encode(&tx);
                let response = ureq::post(format!("{}/v1/txs", urls[n % 3]))
                    .header("content-type", "application/octet-stream")
                    .send(&bytes[..]);
                if response.is_ok_and(|r| r.status().as_u16() == 202) {
                    accepted.lock().unwrap().push(tx.hash().to_hex());
                }
                n += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    std::thread::sleep(Duration::from_secs(3));
    let before = net.height(3).unwrap();
    net.kill(3);
    std::thread::sleep(Duration::from_secs(4));
    let progressed = net.height(0).unwrap();
    assert!(
        progressed > before,
        "three of four validators keep committing"
    );
    net.start(3);
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    load.join().unwrap();

    let accepted = accepted.lock().unwrap().clone();
    assert!(
        accepted.len() > 100,
        "the load ran ({} transactions)",
        accepted.len()
    );
    // Every accepted transaction commits, and node 3 catches up past them.
    let mut top = 0;
    for hash in &accepted {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some((status, Some(height))) = net.tx_status(0, hash) {
                if status == "committed" {
                    top = top.max(height);
                    break;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{hash} was accepted but never committed"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    net.wait_for_height(&[0, 1, 2, 3], top + 2, Duration::from_secs(90));
    for hash in &accepted {
        let (status, _) = net.tx_status(3, hash).unwrap();
        assert_eq!(status, "committed", "node 3 lost {hash}");
    }
    net.assert_same_chain(&[0, 1, 2, 3], top + 2);
    let status = net.get(3, "/v1/status").unwrap();
    assert!(
        status["network"]["synced_blocks"].as_u64().unwrap() > 0,
        "node 3 caught up by sync: {status}"
    );
}
