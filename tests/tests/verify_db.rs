//! `xianjie-node verify-db` on a real dev node's home: an untouched home
//! passes; one flipped byte in any kind of stored record, in sled's own
//! files or in a vault file is found and named.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use xianjie_ledger::block::{BlockResults, Header};
use xianjie_ledger::codec::decode;
use xianjie_ledger::state::key_hash;
use xianjie_tests::{
    copy_dir, run_node, wait_until_sled_released, write_sample_file, CliRun, DevNode,
};

/// A stopped dev node's home with evidence anchored and handed over.
struct RecordedChain {
    _dir: tempfile::TempDir,
    home: PathBuf,
    /// The first anchored file and its digest (hex).
    evidence: PathBuf,
    digest: String,
    /// The height and transaction (hex) that anchored it.
    anchor_height: u64,
    anchor_tx: String,
}

impl RecordedChain {
    /// Anchors three files through the CLI, hands the first over to the
    /// police and seals it, stops the node; checks that verify-db refuses
    /// the home while the node runs.
    fn record() -> RecordedChain {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("chain");
        std::fs::create_dir_all(&home).unwrap();
        let node = DevNode::start(&home);
        let mut anchors = Vec::new();
        for seed in 0..3u64 {
            let file = dir.path().join(format!("evidence-{seed}.bin"));
            write_sample_file(&file, 20_000 + seed as usize, seed);
            let anchored = node.anchor_as_market(&file, &["--case", "HZ-SC-2026-007"]);
            anchors.push((file, anchored));
        }
        let (evidence, anchored) = anchors.swap_remove(0);
        let digest = anchored["digest"].as_str().unwrap().to_owned();
        for (key, action) in [
            (
                "market-officer",
                &["--action", "transfer", "--to", "police"][..],
            ),
            ("police-officer", &["--action", "receive"][..]),
            ("police-officer2", &["--action", "seal"][..]),
        ] {
            let mut args = vec!["evidence", "custody", &digest];
            args.extend_from_slice(action);
            node.cli_as(key, &args).expect_code(0);
        }

        let running = verify_db(&home).expect_code(2);
        assert!(
            running.stderr.contains("in use by another process"),
            "{running:?}"
        );
        node.stop();
        RecordedChain {
            _dir: dir,
            home,
            evidence,
            digest,
            anchor_height: anchored["height"].as_u64().unwrap(),
            anchor_tx: anchored["tx"].as_str().unwrap().to_owned(),
        }
    }

    /// A copy of the home to damage, so every case starts from the original.
    fn copy(&self, name: &str) -> PathBuf {
        let copy = self._dir.path().join(name);
        copy_dir(&self.home, &copy);
        copy
    }
}

fn verify_db(home: &Path) -> CliRun {
    run_node(&[
        OsStr::new("verify-db"),
        OsStr::new("--home"),
        home.as_os_str(),
    ])
}

/// Opens the stopped node's store, lets `damage` change it, and closes it
/// again before another process needs it.
fn with_sled(home: &Path, damage: impl FnOnce(&sled::Db)) {
    let data_dir = home.join("data");
    {
        let db = sled::open(&data_dir).unwrap();
        damage(&db);
        db.flush().unwrap();
    }
    wait_until_sled_released(&data_dir);
}

/// Rewrites the record under `key` with the byte at `offset` (chosen from
/// the stored value) flipped.
fn flip_record(home: &Path, key: &[u8], offset: impl FnOnce(&[u8]) -> usize) {
    with_sled(home, |db| {
        let mut value = db
            .get(key)
            .unwrap()
            .unwrap_or_else(|| panic!("no record under {}", key.escape_ascii()))
            .to_vec();
        let at = offset(&value);
        value[at] ^= 0x01;
        db.insert(key, value).unwrap();
    });
}

/// The first key of the store with this prefix.
fn first_key(home: &Path, prefix: &[u8]) -> Vec<u8> {
    let mut key = None;
    with_sled(home, |db| {
        key = Some(db.scan_prefix(prefix).next().unwrap().unwrap().0.to_vec());
    });
    key.unwrap()
}

fn height_key(prefix: &[u8], height: u64) -> Vec<u8> {
    [prefix, &height.to_be_bytes()].concat()
}

/// Where `needle` starts in `haystack`.
fn position(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .expect("the field's bytes are in the record")
}

fn last_byte(value: &[u8]) -> usize {
    value.len() - 1
}

/// Chooses which byte of a stored value to flip.
type ChooseOffset = Box<dyn FnOnce(&[u8]) -> usize>;

/// One stored record to damage and what the report must say.
struct Target {
    name: &'static str,
    key: Vec<u8>,
    /// Which byte of the value to flip.
    offset: ChooseOffset,
    /// Text the divergence line must contain.
    expect: String,
}

#[test]
fn an_untouched_home_passes_and_each_flipped_record_is_named() {
    let chain = RecordedChain::record();
    let passed = verify_db(&chain.home).expect_code(0);
    assert!(passed.stdout.contains("is consistent"), "{passed:?}");
    let re_executed: u64 = passed
        .stdout
        .split(" transactions re-executed")
        .next()
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no transaction count: {passed:?}"));
    assert!(
        re_executed >= 6,
        "3 anchors, transfer, receive and seal were replayed: {passed:?}"
    );

    let height = chain.anchor_height;
    let at_height = |what: &str| format!("height {height}: {what}");
    let digest_bytes: Vec<u8> = (0..chain.digest.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&chain.digest[i..i + 2], 16).unwrap())
        .collect();
    let anchor_tx: Vec<u8> = (0..chain.anchor_tx.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&chain.anchor_tx[i..i + 2], 16).unwrap())
        .collect();
    // The anchored digest is a field of the anchoring transaction's body.
    let digest_in_block = digest_bytes.clone();
    let targets = vec![
        Target {
            name: "a byte of a header's state root",
            key: height_key(b"h:", height),
            offset: Box::new(|value| {
                let header: Header = decode(value).unwrap();
                position(value, &header.state_root.0) + 5
            }),
            // The certificate no longer signs the header's hash.
            expect: at_height("commit certificate"),
        },
        Target {
            name: "a byte of a transaction's body in a block",
            key: height_key(b"b:", height),
            offset: Box::new(move |value| position(value, &digest_in_block) + 3),
            expect: at_height("tx root"),
        },
        Target {
            // A transaction's id leaves its signature out: the tx root does
            // not cover this byte, its signature check does.
            name: "a byte of a transaction's signature in a block",
            key: height_key(b"b:", height),
            offset: Box::new(last_byte),
            expect: at_height("signature of transaction"),
        },
        Target {
            name: "a byte of a transaction's hash in the results",
            key: height_key(b"r:", height),
            offset: Box::new(|value| {
                let results: BlockResults = decode(value).unwrap();
                position(value, &results.0[0].tx.0) + 7
            }),
            expect: at_height("results root of the stored results"),
        },
        Target {
            name: "a byte of a commit certificate's signature",
            key: height_key(b"c:", height),
            offset: Box::new(last_byte),
            expect: at_height("commit certificate"),
        },
        Target {
            name: "a byte of the latest evidence record",
            key: {
                let key = [b"evidence/".as_slice(), &digest_bytes].concat();
                [b"s:".as_slice(), &key_hash(&key).0, &key].concat()
            },
            offset: Box::new(last_byte),
            expect: "state value `evidence/".to_owned(),
        },
        Target {
            name: "a byte of a state tree node",
            key: first_key(&chain.home, b"n:"),
            offset: Box::new(last_byte),
            expect: "state tree node".to_owned(),
        },
        Target {
            name: "a byte of a versioned state tree value",
            key: first_key(&chain.home, b"v:"),
            offset: Box::new(last_byte),
            expect: "state tree value".to_owned(),
        },
        Target {
            name: "a byte of a transaction's index entry",
            key: [b"t:".as_slice(), &anchor_tx].concat(),
            offset: Box::new(last_byte),
            expect: "transaction index entry".to_owned(),
        },
    ];
    for (i, target) in targets.into_iter().enumerate() {
        let home = chain.copy(&format!("damaged-{i}"));
        flip_record(&home, &target.key, target.offset);
        let report = verify_db(&home);
        assert_eq!(report.code, 1, "{}: {report:?}", target.name);
        assert!(
            report.stdout.contains("DIVERGENCE") && report.stdout.contains(&target.expect),
            "{}: expected {:?} in the report: {report:?}",
            target.name,
            target.expect
        );
    }
}

#[test]
fn a_flipped_byte_in_sleds_own_file_is_found() {
    let chain = RecordedChain::record();
    verify_db(&chain.home).expect_code(0);
    // sled keeps values uncompressed in its log file `data/db`: the first
    // header's bytes are there. It is an early record, long followed by
    // others, so the damage cannot pass for a write torn by a crash.
    let key = height_key(b"h:", 1);
    let mut header = Vec::new();
    with_sled(&chain.home, |db| {
        header = db.get(&key).unwrap().unwrap().to_vec()
    });
    let home = chain.copy("damaged-file");
    let log_path = home.join("data").join("db");
    let mut log = std::fs::read(&log_path).unwrap();
    let at = position(&log, &header) + header.len() / 2;
    log[at] ^= 0x01;
    std::fs::write(&log_path, log).unwrap();

    let report = verify_db(&home);
    assert_eq!(report.code, 1, "{report:?}");
    // Whatever part of the check notices (sled's checksums at open, or a
    // record that no longer matches the chain), it is reported, not a crash.
    assert!(report.stdout.contains("DIVERGENCE"), "{report:?}");
}

#[test]
fn a_flipped_byte_in_a_vault_file_is_named() {
    let chain = RecordedChain::record();
    let vault_file = chain
        .home
        .join("vault")
        .join(&chain.digest[..2])
        .join(&chain.digest);
    std::fs::create_dir_all(vault_file.parent().unwrap()).unwrap();
    std::fs::copy(&chain.evidence, &vault_file).unwrap();
    // A partial upload is not evidence yet and is not checked.
    let tmp = chain.home.join("vault").join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("upload-1"), b"half an upl").unwrap();

    let passed = verify_db(&chain.home).expect_code(0);
    assert!(passed.stdout.contains("vault    1 files"), "{passed:?}");

    let mut bytes = std::fs::read(&vault_file).unwrap();
    bytes[10_000] ^= 0x01;
    std::fs::write(&vault_file, &bytes).unwrap();
    let report = verify_db(&chain.home).expect_code(1);
    let expected = format!(
        "vault file {}: content hashes to {}, name says {}",
        vault_file.display(),
        blake3::hash(&bytes).to_hex(),
        chain.digest
    );
    assert!(report.stdout.contains(&expected), "{report:?}");
}

fn verify_db_with(home: &Path, extra: &[&str]) -> CliRun {
    let mut args = vec![
        OsStr::new("verify-db"),
        OsStr::new("--home"),
        home.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    run_node(&args)
}

/// The hash of the stored block at `height`, read from the store of a
/// copy of the home (opening a store may rewrite its files).
fn chain_block_hash(copy: &Path, height: u64) -> String {
    let store = xianjie_store::Store::open(&copy.join("data")).unwrap();
    store.header(height).unwrap().unwrap().hash().to_string()
}

/// The heights a report says it checked.
fn heights_checked(run: &CliRun) -> u64 {
    run.stdout
        .split(" checked,")
        .next()
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no height count: {run:?}"))
}

/// The divergence line of a report.
fn divergence_line(run: &CliRun) -> String {
    run.stdout
        .lines()
        .nth(1)
        .unwrap_or_else(|| panic!("no divergence line: {run:?}"))
        .to_owned()
}

#[test]
fn a_resumed_check_reports_damage_past_its_start_with_the_full_runs_line() {
    let chain = RecordedChain::record();
    let tip = heights_checked(&verify_db(&chain.home).expect_code(0));
    assert!(tip >= 4, "{tip}");
    let resumed = verify_db_with(&chain.home, &["--from-height", "3"]).expect_code(0);
    assert_eq!(heights_checked(&resumed), tip - 2, "{resumed:?}");
    // It names the block it trusted, for the operator to compare.
    let api = chain_block_hash(&chain.copy("read-hash"), 2);
    assert!(
        resumed.stdout.contains(&format!("trusts block 2, {api}")),
        "{resumed:?}"
    );
    // Past the tip there is nothing to check, and it says so.
    let past = verify_db_with(&chain.home, &["--from-height", &(tip + 5).to_string()]);
    let past = past.expect_code(2);
    assert!(past.stderr.contains("nothing to check"), "{past:?}");

    // The tip's block: a byte of its last transaction's signature.
    let home = chain.copy("damaged-tip");
    flip_record(&home, &height_key(b"b:", tip), last_byte);
    let full = verify_db(&home).expect_code(1);
    let resumed = verify_db_with(&home, &["--from-height", "3"]).expect_code(1);
    let line = divergence_line(&full);
    assert!(
        line.contains(&format!("height {tip}: signature of transaction")),
        "{full:?}"
    );
    assert_eq!(divergence_line(&resumed), line, "{resumed:?}");
}

#[test]
fn a_resumed_check_does_not_trust_state_history_its_certified_root_refutes() {
    use xianjie_ledger::state::keys;
    let chain = RecordedChain::record();
    let home = chain.copy("damaged-history");
    // The validator set, written at genesis and read at every height: its
    // latest value, not the state tree that commits to it.
    let key = [
        b"s:".as_slice(),
        &key_hash(keys::VALIDATORS).0,
        keys::VALIDATORS,
    ]
    .concat();
    flip_record(&home, &key, last_byte);
    let resumed = verify_db_with(&home, &["--from-height", "3"]).expect_code(1);
    assert!(
        resumed
            .stdout
            .contains("does not match that height's certified state root"),
        "{resumed:?}"
    );
}

/// `usage` counts what `verify-db` re-executed, and its rows add up.
#[test]
fn usage_counts_the_committed_transactions_and_adds_up() {
    let chain = RecordedChain::record();
    let verified = verify_db(&chain.home).expect_code(0);
    let txs: u64 = verified
        .stdout
        .split(" transactions re-executed")
        .next()
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("{verified:?}"));
    let usage = run_node(&[
        OsStr::new("usage"),
        OsStr::new("--home"),
        chain.home.as_os_str(),
    ])
    .expect_code(0);
    assert!(
        usage
            .stdout
            .contains(&format!("{txs} committed transactions")),
        "{usage:?}"
    );
    let bytes_of = |line: &str| -> u64 {
        line.split_whitespace()
            .rev()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    };
    let rows: u64 = usage
        .stdout
        .lines()
        .filter(|line| line.as_bytes().get(1) == Some(&b':'))
        .map(bytes_of)
        .sum();
    let total = usage
        .stdout
        .lines()
        .find(|line| line.starts_with("all records"))
        .map(bytes_of)
        .unwrap();
    assert_eq!(rows, total, "{usage:?}");
    assert!(total > 0);
}

/// Address space for `verify-db` under `prlimit --as`: far below what
/// sled's default page cache (1 GiB) alone may grow to; the check keeps its
/// stores on disk behind a 64 MiB cache each.
const VERIFY_DB_ADDRESS_SPACE: &str = "--as=805306368";

#[test]
fn verify_db_runs_under_a_memory_cap() {
    let chain = RecordedChain::record();
    let scratch = chain._dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let output = std::process::Command::new("prlimit")
        .arg(VERIFY_DB_ADDRESS_SPACE)
        .arg(xianjie_tests::binary("xianjie-node"))
        .args(["verify-db", "--home"])
        .arg(&chain.home)
        .arg("--scratch")
        .arg(&scratch)
        .output()
        .expect("prlimit is installed (util-linux)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("is consistent"), "{stdout}");
    // The scratch stores went where they were told, and were removed.
    let left: Vec<_> = std::fs::read_dir(&scratch)
        .unwrap()
        .flatten()
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("xianjie-verify-db-")
        })
        .collect();
    assert!(left.is_empty(), "scratch left behind: {left:?}");
}
