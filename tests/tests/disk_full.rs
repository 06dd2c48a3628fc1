//! A node whose disk fills, on a real small file system (tmpfs): it does not
//! exit and keeps answering reads; it refuses new transactions with
//! `disk_full`; a validator stops voting (a network that needs its vote
//! stalls) and resumes when space returns; nothing acknowledged is lost.
//! The node's reserve is the default `storage.min_free_bytes`, 64 MiB.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use xianjie_ledger::codec;
use xianjie_tests::network::{anchor_tx, NetOptions, Network};
use xianjie_tests::{copy_dir, DevNode};

/// The default reserve, `storage.min_free_bytes`.
const RESERVE: u64 = 64 * 1024 * 1024;

/// A tmpfs of `megabytes` mounted at `at`, unmounted when dropped.
struct SmallDisk {
    at: PathBuf,
}

impl SmallDisk {
    fn mount(at: &Path, megabytes: u64) -> SmallDisk {
        std::fs::create_dir_all(at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(at)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mounting a tmpfs at {} failed: this test needs root (or CAP_SYS_ADMIN)",
            at.display()
        );
        SmallDisk { at: at.to_owned() }
    }

    fn free_bytes(&self) -> u64 {
        xianjie_node::disk::free_bytes(&self.at).unwrap()
    }

    /// Writes a file that leaves `left` bytes free.
    fn fill_leaving(&self, left: u64) -> PathBuf {
        let filler = self.at.join("filler");
        let size = self.free_bytes().saturating_sub(left);
        let chunk = vec![0x5a_u8; 1024 * 1024];
        let mut file = std::fs::File::create(&filler).unwrap();
        let mut written = 0;
        while written < size {
            let n = chunk.len().min(usize::try_from(size - written).unwrap());
            std::io::Write::write_all(&mut file, &chunk[..n]).unwrap();
            written += n as u64;
        }
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
    }
}

fn metric(url: &str, name: &str) -> Option<f64> {
    let text = ureq::get(format!("{url}/metrics"))
        .call()
        .ok()?
        .into_body()
        .read_to_string()
        .ok()?;
    text.lines()
        .find(|line| line.split_whitespace().next() == Some(name))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The error code of a refused submission's body.
fn refusal(url: &str, bytes: &[u8]) -> (u16, String) {
    match ureq::post(format!("{url}/v1/txs"))
        .header("content-type", "application/octet-stream")
        .config()
        .http_status_as_error(false)
        .build()
        .send(bytes)
    {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let body: serde_json::Value = response.body_mut().read_json().unwrap_or_default();
            let code = body["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (status, code)
        }
        Err(error) => panic!("submitting to {url}: {error}"),
    }
}

#[test]
fn a_validator_with_a_full_disk_stays_up_stops_voting_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    // Node 3's home moves onto a 192 MiB tmpfs.
    let disk = SmallDisk::mount(&dir.path().join("small"), 192);
    let home = disk.at.join("node3");
    copy_dir(&net.nodes[3].home, &home);
    net.nodes[3].home = home;
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 2, Duration::from_secs(60));
    let (officer, colleague) = (net.key("market-officer"), net.key("market-officer2"));
    // Transactions the network acknowledged as committed.
    let mut acknowledged = Vec::new();
    let commit_on = |net: &Network, i: usize| {
        let tx = anchor_tx(&officer, &colleague);
        assert_eq!(net.submit_tx(i, &tx), 202);
        let hash = tx.hash().to_hex();
        wait_until(
            "the transaction commits",
            Duration::from_secs(30),
            || matches!(net.tx_status(0, &hash), Some((status, _)) if status == "committed"),
        );
        hash
    };
    acknowledged.push(commit_on(&net, 3));
    let url3 = net.nodes[3].url.clone();
    assert_eq!(metric(&url3, "xianjie_disk_full"), Some(0.0));

    // Below the reserve: refusals, reads, and the others go on.
    let filler = disk.fill_leaving(RESERVE / 2);
    wait_until("node 3 sees its disk full", Duration::from_secs(10), || {
        metric(&url3, "xianjie_disk_full") == Some(1.0)
    });
    let free = metric(&url3, "xianjie_disk_free_bytes").unwrap();
    assert!(free < RESERVE as f64, "{free}");
    let tx = codec::encode(&anchor_tx(&officer, &colleague));
    assert_eq!(refusal(&url3, &tx), (507, "disk_full".to_owned()));
    let status = net
        .get(3, "/v1/status")
        .expect("node 3 still answers reads");
    let held_at = status["height"].as_u64().unwrap();
    acknowledged.push(commit_on(&net, 0));
    acknowledged.push(commit_on(&net, 0));
    assert!(
        net.height(3).unwrap() <= held_at + 1,
        "node 3 went on committing heights with a full disk"
    );

    // Without node 1, the chain needs node 3's vote: it stalls.
    net.kill(1);
    let stalled = anchor_tx(&officer, &colleague);
    assert_eq!(net.submit_tx(0, &stalled), 202);
    let height0 = net.height(0).unwrap();
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        net.height(0).unwrap(),
        height0,
        "the chain went on without node 1: node 3 voted with a full disk\n{}",
        net.log_tails()
    );
    assert!(net.get(3, "/v1/status").is_some(), "node 3 exited");

    // Space returns: node 3 catches up and votes again, so the chain moves.
    std::fs::remove_file(filler).unwrap();
    let hash = stalled.hash().to_hex();
    wait_until(
        "the stalled transaction commits once node 3 votes again",
        Duration::from_secs(60),
        || matches!(net.tx_status(0, &hash), Some((status, _)) if status == "committed"),
    );
    acknowledged.push(hash);
    wait_until(
        "node 3 takes transactions again",
        Duration::from_secs(10),
        || metric(&url3, "xianjie_disk_full") == Some(0.0),
    );
    acknowledged.push(commit_on(&net, 3));
    let tip = net.height(0).unwrap();
    net.wait_for_height(&[0, 2, 3], tip, Duration::from_secs(30));
    net.assert_same_chain(&[0, 2, 3], tip);
    // Nothing acknowledged was lost, on any node.
    for hash in &acknowledged {
        for i in [0, 2, 3] {
            let (status, _) = net.tx_status(i, hash).unwrap();
            assert_eq!(status, "committed", "{hash} on node {i}");
        }
    }
    drop(net);
}

#[test]
fn a_dev_node_with_a_full_disk_refuses_transactions_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&dir.path().join("small"), 160);
    let home = disk.at.join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let file = dir.path().join("evidence.bin");
    xianjie_tests::write_sample_file(&file, 2_000, 7);
    let first = node.anchor_as_market(&file, &[]);
    let digest = first["digest"].as_str().unwrap().to_owned();

    let filler = disk.fill_leaving(RESERVE / 2);
    wait_until(
        "the node sees its disk full",
        Duration::from_secs(10),
        || metric(&node.url, "xianjie_disk_full") == Some(1.0),
    );
    let height = node.status().unwrap()["height"].as_u64().unwrap();
    let second = dir.path().join("second.bin");
    xianjie_tests::write_sample_file(&second, 2_000, 8);
    let refused = node.cli_as(
        "market-officer",
        &[
            "evidence",
            "anchor",
            second.to_str().unwrap(),
            "--category",
            "electronic",
            "--collected-by",
            node.key("market-officer2").to_str().unwrap(),
        ],
    );
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(refused.stderr.contains("disk_full"), "{refused:?}");
    // Reads go on: the anchored record is still served.
    let shown = node.cli_as("market-officer", &["evidence", "show", &digest]);
    let shown = shown.expect_code(0).json();
    assert_eq!(shown["holder"], "market", "{shown}");
    assert!(shown.to_string().contains(&digest), "{shown}");
    assert_eq!(
        node.status().unwrap()["height"].as_u64().unwrap(),
        height,
        "a block was committed with a full disk"
    );

    std::fs::remove_file(filler).unwrap();
    wait_until(
        "the node takes transactions again",
        Duration::from_secs(10),
        || metric(&node.url, "xianjie_disk_full") == Some(0.0),
    );
    node.anchor_as_market(&second, &[]);
    assert!(node.status().unwrap()["height"].as_u64().unwrap() > height);
    node.stop();
}
