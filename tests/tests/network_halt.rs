//! With two of four validators stopped there is no quorum: no block is
//! committed and the two that run do not fork. Restarted, they go on.
//! Throughout, a running validator's status names the validators it has
//! no consensus connection to.

use std::time::Duration;

use xianjie_tests::network::{NetOptions, Network};

#[test]
fn two_of_four_stopped_halts_without_forking_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 10, Duration::from_secs(60));
    let peers: Vec<String> = (0..4).map(|i| net.peer_id(i)).collect();
    net.wait_for_unconnected(0, &[], Duration::from_secs(10));
    net.stop(2);
    net.kill(3);
    // Let any height in flight finish, then watch for five seconds.
    std::thread::sleep(Duration::from_secs(2));
    let halted = (net.height(0).unwrap(), net.height(1).unwrap());
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        (net.height(0).unwrap(), net.height(1).unwrap()),
        halted,
        "no block without two thirds of the power"
    );
    let common = halted.0.min(halted.1);
    net.assert_same_chain(&[0, 1], common);
    net.wait_for_unconnected(0, &peers[2..], Duration::from_secs(10));

    net.start(2);
    net.start(3);
    let resumed = halted.0.max(halted.1) + 10;
    net.wait_for_height(&[0, 1, 2, 3], resumed, Duration::from_secs(120));
    net.assert_same_chain(&[0, 1, 2, 3], resumed);
    net.wait_for_unconnected(0, &[], Duration::from_secs(10));
}
