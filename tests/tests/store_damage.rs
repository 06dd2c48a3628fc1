//! A dev node whose store lost or changed committed blocks (a truncated or
//! damaged `data/db`) refuses to start instead of rolling the chain back
//! below receipts already handed out; `verify-db` reports the damage; and
//! `verify-db` leaves every file of the home as it found it.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xianjie_tests::{binary, copy_dir, free_port, run_node, write_sample_file, CliRun, DevNode};

/// How long a refusing node may take to exit.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(60);

/// A stopped dev node's home with several blocks of anchored evidence.
struct RecordedChain {
    dir: tempfile::TempDir,
    home: PathBuf,
    /// The last committed height.
    height: u64,
}

impl RecordedChain {
    /// Anchors `files` files through the CLI (a block each), checking after
    /// each that the committed-tip record already holds the anchoring
    /// block when the anchor is acknowledged; stops the node.
    fn record(files: u64) -> RecordedChain {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("chain");
        std::fs::create_dir_all(&home).unwrap();
        let node = DevNode::start(&home);
        let mut height = 0;
        for seed in 0..files {
            let file = dir.path().join(format!("evidence-{seed}.bin"));
            write_sample_file(&file, 5_000 + seed as usize, seed);
            let anchored = node.anchor_as_market(&file, &[]);
            height = anchored["height"].as_u64().unwrap();
            let (recorded_height, recorded_block) = committed_tip(&home);
            let block = get_json(&node.url, &format!("/v1/blocks/{height}"));
            assert!(recorded_height >= height, "acknowledged before recorded");
            if recorded_height == height {
                assert_eq!(recorded_block, block["hash"].as_str().unwrap());
            }
        }
        node.stop();
        assert_eq!(committed_tip(&home).0, height);
        RecordedChain { dir, home, height }
    }

    /// A copy of the home to damage, so every case starts from the original.
    fn copy(&self, name: &str) -> PathBuf {
        let copy = self.dir.path().join(name);
        copy_dir(&self.home, &copy);
        copy
    }
}

fn get_json(url: &str, path: &str) -> serde_json::Value {
    ureq::get(format!("{url}{path}"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap()
}

/// The height and block hash in `home/committed-tip`.
fn committed_tip(home: &Path) -> (u64, String) {
    let text = std::fs::read_to_string(home.join("committed-tip")).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_owned()
    };
    (field("height").parse().unwrap(), field("block"))
}

fn verify_db(home: &Path) -> CliRun {
    run_node(&[
        OsStr::new("verify-db"),
        OsStr::new("--home"),
        home.as_os_str(),
    ])
}

/// Every file under `home` by relative path, with its size and BLAKE3 hash.
fn fingerprint(home: &Path) -> BTreeMap<PathBuf, (u64, String)> {
    let mut files = BTreeMap::new();
    let mut pending = vec![home.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                let relative = path.strip_prefix(home).unwrap().to_path_buf();
                files.insert(
                    relative,
                    (
                        bytes.len() as u64,
                        blake3::hash(&bytes).to_hex().to_string(),
                    ),
                );
            }
        }
    }
    files
}

/// Runs `xianjie-node dev` on `home`, which must refuse to start: a node
/// still running after [`REFUSAL_TIMEOUT`] started on the damaged store.
fn dev_must_refuse(home: &Path) -> String {
    let log = home.with_extension("refused.log");
    let child = Command::new(binary("xianjie-node"))
        .args(["dev", "--home"])
        .arg(home)
        .args(["--http", &format!("127.0.0.1:{}", free_port())])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let status = wait_or_kill(child);
    let stderr = std::fs::read_to_string(&log).unwrap();
    let status =
        status.unwrap_or_else(|| panic!("the dev node started on a damaged store:\n{stderr}"));
    assert!(!status.success(), "{stderr}");
    stderr
}

fn wait_or_kill(mut child: std::process::Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + REFUSAL_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// verify-db must report `home` damaged and leave it byte for byte as it was.
fn verify_db_reports_damage(home: &Path) -> CliRun {
    let before = fingerprint(home);
    let report = verify_db(home);
    assert_eq!(report.code, 1, "{report:?}");
    assert!(report.stdout.contains("DIVERGENCE"), "{report:?}");
    assert_eq!(
        fingerprint(home),
        before,
        "verify-db changed the home it checked"
    );
    report
}

#[test]
fn verify_db_leaves_a_consistent_home_byte_identical() {
    let chain = RecordedChain::record(3);
    let before = fingerprint(&chain.home);
    let report = verify_db(&chain.home).expect_code(0);
    assert!(report.stdout.contains("is consistent"), "{report:?}");
    assert_eq!(
        fingerprint(&chain.home),
        before,
        "verify-db changed the home it checked"
    );
}

#[test]
fn a_store_cut_to_half_is_refused_and_reported() {
    let chain = RecordedChain::record(6);
    let home = chain.copy("truncated");
    let db = home.join("data").join("db");
    let file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    let len = file.metadata().unwrap().len();
    file.set_len(len / 2).unwrap();
    drop(file);

    let report = verify_db_reports_damage(&home);
    assert!(report.stdout.contains("committed tip"), "{report:?}");
    assert!(
        report
            .stdout
            .contains(&format!("a chain up to height {}", chain.height)),
        "{report:?}"
    );

    let stderr = dev_must_refuse(&home);
    assert!(stderr.contains("is damaged"), "{stderr}");
    assert!(
        stderr.contains(&format!("records height {}", chain.height)),
        "{stderr}"
    );
    assert!(stderr.contains("from a backup"), "{stderr}");
    // Refusing to start does not make the damage pass for a consistent store.
    verify_db_reports_damage(&home);
    // Nor does a second attempt.
    dev_must_refuse(&home);
}

#[test]
fn eight_flipped_bytes_in_the_store_are_refused_and_reported() {
    let chain = RecordedChain::record(6);
    let home = chain.copy("flipped");
    let db = home.join("data").join("db");
    let mut bytes = std::fs::read(&db).unwrap();
    let middle = bytes.len() / 2;
    for byte in &mut bytes[middle..middle + 8] {
        *byte ^= 0xff;
    }
    std::fs::write(&db, &bytes).unwrap();

    verify_db_reports_damage(&home);
    let stderr = dev_must_refuse(&home);
    assert!(stderr.contains("is damaged"), "{stderr}");
    assert!(stderr.contains("from a backup"), "{stderr}");
    verify_db_reports_damage(&home);
}
