//! `xianjie-node backup` and `restore` with the real binaries: a backup
//! taken while a node commits is restored into a new home that `verify-db`
//! passes, that serves a receipt for evidence anchored before the backup,
//! and (for a network node) rejoins its network and commits new blocks; a
//! damaged backup and a non-empty home are refused and nothing is written.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use xianjie_tests::network::{NetOptions, Network};
use xianjie_tests::{run_node, write_sample_file, CliRun, DevNode};

fn node_cmd(args: &[&OsStr]) -> CliRun {
    run_node(args)
}

fn backup(home: &Path, out: &Path, api: &str) -> CliRun {
    node_cmd(&[
        OsStr::new("backup"),
        OsStr::new("--home"),
        home.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--api"),
        OsStr::new(api),
    ])
}

fn restore(file: &Path, home: &Path) -> CliRun {
    node_cmd(&[
        OsStr::new("restore"),
        file.as_os_str(),
        OsStr::new("--home"),
        home.as_os_str(),
    ])
}

fn verify_db(home: &Path) -> CliRun {
    node_cmd(&[
        OsStr::new("verify-db"),
        OsStr::new("--home"),
        home.as_os_str(),
    ])
}

/// The height a backup or restore reports ("… at height N").
fn reported_height(run: &CliRun) -> u64 {
    run.stdout
        .split("at height ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|height| height.parse().ok())
        .unwrap_or_else(|| panic!("no height reported: {run:?}"))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A dev node's home backed up while anchors commit, and the backup file.
struct BackedUp {
    dir: tempfile::TempDir,
    backup: PathBuf,
    height: u64,
    /// Anchored before the backup began.
    digest: String,
}

fn back_up_a_dev_node_under_load() -> BackedUp {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let first = dir.path().join("before.bin");
    write_sample_file(&first, 30_000, 1);
    let anchored = node.anchor_as_market(&first, &["--case", "HZ-SC-2026-011", "--upload"]);
    let digest = anchored["digest"].as_str().unwrap().to_owned();
    let backup_file = dir.path().join("chain.xjbak");
    let api = node.url.trim_start_matches("http://").to_owned();

    let stop = AtomicBool::new(false);
    let (backed_up, anchored_during) = std::thread::scope(|scope| {
        let load = scope.spawn(|| {
            let mut seed = 100;
            while !stop.load(Ordering::Relaxed) {
                let file = dir.path().join(format!("load-{seed}.bin"));
                write_sample_file(&file, 5_000, seed);
                node.anchor_as_market(&file, &[]);
                seed += 1;
            }
            seed - 100
        });
        // Let the load commit a few blocks first, so that the backup runs
        // while blocks are being committed.
        while node.status().unwrap()["height"].as_u64().unwrap() < 4 {
            std::thread::sleep(Duration::from_millis(50));
        }
        let run = backup(&home, &backup_file, &api);
        std::thread::sleep(Duration::from_millis(500));
        stop.store(true, Ordering::Relaxed);
        (run, load.join().unwrap())
    });
    let backed_up = backed_up.expect_code(0);
    assert!(
        anchored_during >= 2,
        "the load committed {anchored_during} anchors"
    );
    let height = reported_height(&backed_up);
    assert!(height >= 4, "{backed_up:?}");
    assert!(backed_up.stdout.contains("took"), "{backed_up:?}");
    let tip = node.status().unwrap()["height"].as_u64().unwrap();
    assert!(
        tip > height,
        "blocks were committed after the backup point: {tip} > {height}"
    );
    for secret in [
        "BEGIN",
        "secret",
        &std::fs::read_to_string(node.key("market-officer")).unwrap(),
    ] {
        assert!(!backed_up.stdout.contains(secret) && !backed_up.stderr.contains(secret));
    }
    node.stop();
    BackedUp {
        dir,
        backup: backup_file,
        height,
        digest,
    }
}

#[test]
fn a_backup_taken_under_load_restores_to_a_home_that_verifies_and_serves_receipts() {
    let backed = back_up_a_dev_node_under_load();
    let restored = backed.dir.path().join("restored");
    let run = restore(&backed.backup, &restored).expect_code(0);
    assert_eq!(reported_height(&run), backed.height, "{run:?}");
    // A dev chain has one validator: the restore warns that later blocks,
    // if there were any, are gone.
    assert!(
        run.stdout.contains("this chain has one validator"),
        "{run:?}"
    );

    let verified = verify_db(&restored).expect_code(0);
    assert!(verified.stdout.contains("is consistent"), "{verified:?}");
    assert!(
        verified
            .stdout
            .contains(&format!("heights  {} checked", backed.height)),
        "{verified:?}"
    );
    // The vault came along: its file is re-hashed.
    assert!(
        !verified.stdout.contains("vault    0 files"),
        "{verified:?}"
    );
    #[cfg(unix)]
    {
        for entry in std::fs::read_dir(restored.join("keys")).unwrap() {
            let path = entry.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        assert_eq!(mode(&restored.join("keys")), 0o700);
    }

    let node = DevNode::start(&restored);
    assert_eq!(
        node.status().unwrap()["height"].as_u64(),
        Some(backed.height)
    );
    let receipt = backed.dir.path().join("before.xjrcpt");
    let saved = node
        .cli_as(
            "market-officer",
            &[
                "evidence",
                "receipt",
                &backed.digest,
                "-o",
                receipt.to_str().unwrap(),
            ],
        )
        .expect_code(0)
        .json();
    assert_eq!(saved["digest"], backed.digest.as_str());
    // And it commits on top of the restored chain.
    let after = backed.dir.path().join("after.bin");
    write_sample_file(&after, 1_000, 7);
    let anchored = node.anchor_as_market(&after, &[]);
    assert_eq!(anchored["height"].as_u64(), Some(backed.height + 1));
}

#[test]
fn a_damaged_backup_or_a_used_home_is_refused_and_nothing_is_written() {
    let backed = back_up_a_dev_node_under_load();
    let bytes = std::fs::read(&backed.backup).unwrap();
    // One byte in the middle of the chain records, and one in the digest.
    for at in [bytes.len() / 2, bytes.len() - 3] {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x01;
        let file = backed.dir.path().join(format!("damaged-{at}.xjbak"));
        std::fs::write(&file, &damaged).unwrap();
        let target = backed.dir.path().join(format!("from-damaged-{at}"));
        let run = restore(&file, &target).expect_code(1);
        assert!(
            run.stderr.contains("is damaged") && run.stderr.contains("nothing was restored"),
            "{run:?}"
        );
        assert!(
            !target.exists(),
            "a damaged backup wrote {}",
            target.display()
        );
    }

    let used = backed.dir.path().join("used");
    std::fs::create_dir_all(&used).unwrap();
    std::fs::write(used.join("config.toml"), "moniker = \"other\"\n").unwrap();
    let run = restore(&backed.backup, &used).expect_code(1);
    assert!(run.stderr.contains("is not empty"), "{run:?}");
    let entries: Vec<_> = std::fs::read_dir(&used).unwrap().collect();
    assert_eq!(entries.len(), 1, "restore wrote into a used home");
    assert_eq!(
        std::fs::read_to_string(used.join("config.toml")).unwrap(),
        "moniker = \"other\"\n"
    );
}

#[test]
fn a_network_node_backed_up_while_running_is_restored_and_rejoins() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 3, Duration::from_secs(90));
    let home = net.nodes[3].home.clone();
    let file = dir.path().join("node3.xjbak");
    // The network commits empty blocks every few tens of milliseconds; the
    // API address comes from the node's config.toml.
    let run = node_cmd(&[
        OsStr::new("backup"),
        OsStr::new("--home"),
        home.as_os_str(),
        OsStr::new("--out"),
        file.as_os_str(),
        OsStr::new("--without-vault"),
    ])
    .expect_code(0);
    let height = reported_height(&run);
    net.kill(3);

    let restored = dir.path().join("node3-restored");
    let run = restore(&file, &restored).expect_code(0);
    assert!(!run.stdout.contains("one validator"), "{run:?}");
    verify_db(&restored).expect_code(0);
    net.nodes[3].home = restored;
    let tip = net.height(0).unwrap();
    assert!(tip >= height);
    net.start(3);
    net.wait_for_height(&[0, 1, 2, 3], tip + 5, Duration::from_secs(120));
    net.assert_same_chain(&[0, 3], tip + 5);
}
