//! A stopped validator no longer costs a propose timeout at each of its
//! turns: once it has proposed none of the recent blocks, the others skip
//! it, and heights are decided in round 0 except one probe height in
//! `PROBE_INTERVAL`, where it has round 0 and its absence costs a timeout.
//! Restarted, it proposes its probe block and is back in the rotation.

use std::time::{Duration, Instant};

use xianjie_node::consensus::proposer::PROBE_INTERVAL;
use xianjie_tests::network::{NetOptions, Network};

/// Headers that decide who is absent: twice the total power of four
/// validators of power 1.
const WINDOW: u64 = 8;

/// The round that decided `height`, from node `i`'s commit certificate.
fn commit_round(net: &Network, i: usize, height: u64) -> u64 {
    let block = net
        .get(i, &format!("/v1/blocks/{height}"))
        .unwrap_or_else(|| panic!("node {i} has no block {height}"));
    block["commit"]["round"]
        .as_u64()
        .unwrap_or_else(|| panic!("block {height} has no commit round: {block}"))
}

/// The key id (hex) of the proposer named in the header of `height`.
fn header_proposer(net: &Network, i: usize, height: u64) -> Option<String> {
    let block = net.get(i, &format!("/v1/blocks/{height}"))?;
    Some(block["header"]["proposer"].as_str()?.to_owned())
}

#[test]
fn a_stopped_validator_is_skipped_and_proposes_again_once_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    let node3 = net.node_key(3).public_key().id().to_hex();
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 3, Duration::from_secs(60));

    net.kill(3);
    // Its last block is at most one height above node 0's tip now (one in
    // flight); a window later it is absent.
    let from = net.height(0).unwrap() + 2 + WINDOW;
    // At least twenty heights before the probe height watched.
    let probe = ((from + 20) / PROBE_INTERVAL + 1) * PROBE_INTERVAL;
    net.wait_for_height(&[0, 1, 2], probe + 1, Duration::from_secs(300));

    let late: Vec<(u64, u64)> = (from..=probe + 1)
        .filter(|height| *height != probe)
        .map(|height| (height, commit_round(&net, 0, height)))
        .filter(|(_, round)| *round > 0)
        .collect();
    let heights = probe + 1 - from;
    // One in four of them had the stopped validator as round-0 proposer
    // before; a loaded machine may delay a rare proposal past its timeout.
    assert!(
        late.len() as u64 <= (heights / 20).max(1),
        "of {heights} heights from {from} on, {} were decided after round 0 \
         (height, round): {late:?}",
        late.len()
    );
    assert!(
        commit_round(&net, 0, probe) > 0,
        "the probe height {probe} is the stopped validator's round 0 and costs a timeout"
    );

    net.start(3);
    let restarted = net.height(0).unwrap();
    // Back, it proposes at a probe height, then has ordinary turns again.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut next = restarted + 1;
    let mut proposed = Vec::new();
    loop {
        while next <= net.height(0).unwrap_or(0) {
            if header_proposer(&net, 0, next).as_deref() == Some(node3.as_str()) {
                proposed.push(next);
            }
            next += 1;
        }
        if proposed
            .iter()
            .any(|height| !height.is_multiple_of(PROBE_INTERVAL))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the restarted validator proposed no ordinary block from height {restarted} to {next} \
             (its blocks: {proposed:?})\n{}",
            net.log_tails()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let first = proposed[0];
    assert_eq!(
        first % PROBE_INTERVAL,
        0,
        "its first block after the restart is its probe block (its blocks: {proposed:?})"
    );
    net.wait_for_height(&[0, 1, 2, 3], next, Duration::from_secs(60));
    net.assert_same_chain(&[0, 1, 2, 3], next);
}
