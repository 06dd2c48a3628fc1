//! A chain written by an earlier build (`tests/fixtures/chain-before.tar.gz`,
//! made by `tests/fixtures/make-chain-before.sh`: evidence, custody, a
//! refused attempt, a case through transfer to trial, accreditation, an
//! inspection and its recognition, officers, governance) replays to the
//! same blocks, results and state with this build's block rule: `verify-db`
//! re-executes every height and compares every stored record byte for byte
//! with the replay. The node then resumes the chain and extends it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use xianjie_tests::{run_node, write_sample_file, DevNode};

/// Heights the fixture holds (the walkthrough commits one block per command).
const FIXTURE_HEIGHT: u64 = 27;

fn unpack_fixture(dir: &Path) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/chain-before.tar.gz");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&fixture)
        .arg("-C")
        .arg(&home)
        .status()
        .expect("tar runs");
    assert!(status.success(), "unpacking {}", fixture.display());
    home
}

#[test]
fn a_chain_written_by_an_earlier_build_replays_identically_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let home = unpack_fixture(dir.path());

    let report = run_node(&[
        OsStr::new("verify-db"),
        OsStr::new("--home"),
        home.as_os_str(),
    ])
    .expect_code(0);
    assert!(report.stdout.contains("is consistent"), "{report:?}");
    assert!(
        report
            .stdout
            .contains(&format!("heights  {FIXTURE_HEIGHT} checked")),
        "{report:?}"
    );

    // The fixture keeps its demo keys: the node resumes as its validator.
    let node = DevNode::start(&home);
    let status = node.status().expect("status");
    assert_eq!(status["height"].as_u64(), Some(FIXTURE_HEIGHT), "{status}");
    let file = dir.path().join("after.bin");
    write_sample_file(&file, 4_096, 7);
    let anchored = node.anchor_as_market(&file, &[]);
    assert_eq!(
        anchored["height"].as_u64(),
        Some(FIXTURE_HEIGHT + 1),
        "{anchored}"
    );
    node.stop();
    run_node(&[
        OsStr::new("verify-db"),
        OsStr::new("--home"),
        home.as_os_str(),
    ])
    .expect_code(0);
}
