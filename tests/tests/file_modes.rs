//! A node's files are its user's alone: the store, the vault's evidence and
//! the keys are never readable by other local users, and a home whose modes
//! were loosened (copied, restored from a backup) is tightened at the next
//! start, with a warning per path.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use xianjie_tests::{write_sample_file, DevNode};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every directory and file below `root`, the root included.
fn walk(root: &Path) -> Vec<PathBuf> {
    let mut paths = vec![root.to_owned()];
    let mut index = 0;
    while index < paths.len() {
        let path = paths[index].clone();
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                paths.push(entry.unwrap().path());
            }
        }
        index += 1;
    }
    paths
}

/// Paths below `root` that a user other than the owner could read or enter.
fn open_to_others(root: &Path) -> Vec<(PathBuf, u32)> {
    walk(root)
        .into_iter()
        .map(|path| {
            let mode = mode(&path);
            (path, mode)
        })
        .filter(|(_, mode)| mode & 0o077 != 0)
        .collect()
}

#[test]
fn a_home_is_private_and_a_loosened_one_is_tightened_at_start() {
    let dir = tempfile::tempdir().unwrap();
    // The parent is the test's, with the usual 0755; the home is the node's.
    set_mode(dir.path(), 0o755);
    let home = dir.path().join("chain");
    let node = DevNode::start(&home);
    let file = dir.path().join("seized-ledger.xlsx");
    write_sample_file(&file, 64 * 1024, 7);
    let anchored = node.anchor_as_market(&file, &["--upload"]);
    let digest = anchored["digest"].as_str().unwrap().to_owned();
    let (home, port) = node.stop();

    let vault_file = home.join("vault").join(&digest[..2]).join(&digest);
    assert!(vault_file.is_file(), "the upload is in the vault");
    assert_eq!(
        open_to_others(&home),
        vec![],
        "a node writes private files only"
    );
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&vault_file), 0o600);
    assert_eq!(mode(&home.join("data").join("db")), 0o600);

    // An operator restores the home with loose modes.
    set_mode(&home, 0o755);
    set_mode(&home.join("data"), 0o755);
    set_mode(&home.join("data").join("db"), 0o644);
    set_mode(&home.join("vault"), 0o755);
    set_mode(&home.join("keys").join("market-officer.key"), 0o644);

    let node = DevNode::start_on(&home, port);
    let log = std::fs::read_to_string(home.with_extension(format!("{port}.log"))).unwrap();
    node.stop();
    assert_eq!(open_to_others(&home), vec![], "start tightens what it owns");
    for loosened in ["data/db", "vault", "keys/market-officer.key"] {
        let path = home.join(loosened);
        assert!(
            log.lines().any(|line| line.contains("file mode was looser")
                && line.contains(path.to_str().unwrap())),
            "no warning naming {loosened} in the node's log:\n{log}"
        );
    }
}
