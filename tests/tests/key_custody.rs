//! Key custody through the real binaries: encrypted key files are made,
//! encrypted, re-keyed and used to sign by `xianjie`, and unlocked by
//! `xianjie-node start`; a wrong passphrase, a tampered header or a key file
//! other users could read is refused and leaves the file as it was.

#![cfg(unix)]

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use xianjie_tests::network::{NetOptions, Network};
use xianjie_tests::{binary, run_cli_with, write_sample_file, CliRun, DevNode};

const PASSPHRASE: &str = "correct horse battery staple";
const NEW_PASSPHRASE: &str = "seven words make a fine passphrase";
const WRONG_PASSPHRASE: &str = "correct horse battery stapler";

fn path_text(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn file_type(path: &Path) -> String {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["type"].as_str().unwrap().to_owned()
}

/// `xianjie keys new --out PATH` with the passphrase in XIANJIE_PASSPHRASE.
fn new_encrypted_key(path: &Path) -> Value {
    run_cli_with(
        &["--json", "keys", "new", "--out", path_text(path)],
        &[("XIANJIE_PASSPHRASE", PASSPHRASE)],
        None,
    )
    .expect_code(0)
    .json()
}

/// `xianjie --key PATH keys show` with the passphrase given as `env`/`stdin`.
fn show(path: &Path, env: &[(&str, &str)], stdin: Option<&str>) -> CliRun {
    let mut args = vec!["--json", "--key", path_text(path)];
    if stdin.is_some() {
        args.extend(["--passphrase-fd", "0"]);
    }
    args.extend(["keys", "show"]);
    run_cli_with(&args, env, stdin)
}

fn assert_refused(run: &CliRun, message: &str) {
    assert_ne!(run.code, 0, "accepted:\n{}", run.stdout);
    assert!(
        run.stderr.contains(message),
        "the refusal does not say {message:?}:\n{}",
        run.stderr
    );
}

#[test]
fn an_encrypted_key_round_trips_and_a_wrong_passphrase_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("me.key");
    let created = new_encrypted_key(&key);
    assert_eq!(created["encrypted"], true);
    assert_eq!(file_type(&key), "xianjie-ed25519-encrypted-key");
    assert_eq!(mode(&key), 0o600);
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(!text.contains("secret_key"), "{text}");

    // The passphrase through a file descriptor (here standard input).
    let shown = show(&key, &[], Some(&format!("{PASSPHRASE}\n")))
        .expect_code(0)
        .json();
    assert_eq!(shown["id"], created["id"]);
    assert_eq!(shown["public_key"], created["public_key"]);

    let before = std::fs::read(&key).unwrap();
    let wrong = show(&key, &[("XIANJIE_PASSPHRASE", WRONG_PASSPHRASE)], None);
    assert_refused(&wrong, "wrong passphrase, or the key file is damaged");
    let rekey = run_cli_with(
        &["keys", "change-passphrase", path_text(&key)],
        &[
            ("XIANJIE_PASSPHRASE", WRONG_PASSPHRASE),
            ("XIANJIE_NEW_PASSPHRASE", NEW_PASSPHRASE),
        ],
        None,
    );
    assert_refused(&rekey, "wrong passphrase");
    let again = run_cli_with(
        &["keys", "encrypt", path_text(&key)],
        &[("XIANJIE_PASSPHRASE", PASSPHRASE)],
        None,
    );
    assert_refused(&again, "already encrypted");
    assert_eq!(std::fs::read(&key).unwrap(), before, "the file was changed");
}

#[test]
fn without_a_passphrase_source_the_cli_names_all_three() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("me.key");
    let refused = run_cli_with(&["keys", "new", "--out", path_text(&key)], &[], None);
    for option in ["--passphrase-fd N", "XIANJIE_PASSPHRASE", "terminal"] {
        assert_refused(&refused, option);
    }
    assert!(!key.exists(), "no key file is written without a passphrase");

    new_encrypted_key(&key);
    let refused = show(&key, &[], None);
    for option in ["--passphrase-fd N", "XIANJIE_PASSPHRASE", "terminal"] {
        assert_refused(&refused, option);
    }
}

/// A change to an encrypted file's JSON, given another key's `keys new` answer.
type HeaderEdit = fn(&mut Value, &Value);

#[test]
fn a_tampered_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("me.key");
    new_encrypted_key(&key);
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&key).unwrap()).unwrap();
    let other = dir.path().join("other.key");
    let other_key = new_encrypted_key(&other);
    let edits: [(&str, HeaderEdit); 4] = [
        ("fewer passes", |json, _| json["kdf"]["t_cost"] = 2.into()),
        ("less memory", |json, _| {
            json["kdf"]["m_cost_kib"] = 32768.into()
        }),
        ("another salt", |json, _| {
            json["kdf"]["salt"] = "00".repeat(16).into()
        }),
        ("another key's public key and id", |json, other| {
            json["public_key"] = other["public_key"].clone();
            json["id"] = other["id"].clone();
        }),
    ];
    for (what, edit) in edits {
        let mut tampered = original.clone();
        edit(&mut tampered, &other_key);
        // Writing an existing file keeps its mode 0600.
        std::fs::write(&key, tampered.to_string()).unwrap();
        let refused = show(&key, &[("XIANJIE_PASSPHRASE", PASSPHRASE)], None);
        assert_ne!(refused.code, 0, "{what}: accepted");
        assert!(
            refused.stderr.contains("damaged"),
            "{what}: {}",
            refused.stderr
        );
    }
}

#[test]
fn plain_keys_are_encrypted_in_place_and_passphrases_change() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("me.key");
    let created = run_cli_with(
        &["--json", "keys", "new", "--plain", "--out", path_text(&key)],
        &[],
        None,
    )
    .expect_code(0);
    assert!(
        created.stderr.contains("warning") && created.stderr.contains("not be encrypted"),
        "{}",
        created.stderr
    );
    let created = created.json();
    assert_eq!(created["encrypted"], false);
    assert_eq!(file_type(&key), "xianjie-ed25519-secret-key");

    let encrypted = run_cli_with(
        &["--json", "keys", "encrypt", path_text(&key)],
        &[("XIANJIE_PASSPHRASE", PASSPHRASE)],
        None,
    )
    .expect_code(0)
    .json();
    assert_eq!(encrypted["public_key"], created["public_key"]);
    assert_eq!(file_type(&key), "xianjie-ed25519-encrypted-key");
    assert_eq!(mode(&key), 0o600);

    // The old passphrase from the environment, the new one from a descriptor.
    run_cli_with(
        &[
            "keys",
            "change-passphrase",
            path_text(&key),
            "--new-passphrase-fd",
            "0",
        ],
        &[("XIANJIE_PASSPHRASE", PASSPHRASE)],
        Some(&format!("{NEW_PASSPHRASE}\n")),
    )
    .expect_code(0);
    assert_eq!(mode(&key), 0o600);
    let old = show(&key, &[("XIANJIE_PASSPHRASE", PASSPHRASE)], None);
    assert_refused(&old, "wrong passphrase");
    let shown = show(&key, &[("XIANJIE_PASSPHRASE", NEW_PASSPHRASE)], None)
        .expect_code(0)
        .json();
    assert_eq!(shown["public_key"], created["public_key"]);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![OsStr::new("me.key")],
        "a temporary file is left"
    );
}

#[test]
fn a_key_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("me.key");
    new_encrypted_key(&key);
    set_mode(&key, 0o644);
    let refused = show(&key, &[("XIANJIE_PASSPHRASE", PASSPHRASE)], None);
    assert_refused(&refused, &format!("chmod 600 {}", key.display()));
    set_mode(&key, 0o400);
    show(&key, &[("XIANJIE_PASSPHRASE", PASSPHRASE)], None).expect_code(0);
}

#[test]
fn an_encrypted_officer_key_signs_a_transaction_on_a_dev_node() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("chain"));
    let log = std::fs::read_to_string(
        node.home
            .with_extension(format!("{}.log", node.url.rsplit(':').next().unwrap())),
    )
    .unwrap();
    assert!(
        log.contains("demo keys are unencrypted, for development only"),
        "{log}"
    );

    // The market officer's demo key, encrypted in a copy.
    let key = dir.path().join("market-officer.key");
    std::fs::copy(node.key("market-officer"), &key).unwrap();
    run_cli_with(
        &["keys", "encrypt", path_text(&key)],
        &[("XIANJIE_PASSPHRASE", PASSPHRASE)],
        None,
    )
    .expect_code(0);
    let file = dir.path().join("ledger.xlsx");
    write_sample_file(&file, 4096, 3);
    let colleague = node.key("market-officer2");
    let anchor = |stdin: &str| {
        run_cli_with(
            &[
                "--node",
                &node.url,
                "--json",
                "--key",
                path_text(&key),
                "--passphrase-fd",
                "0",
                "evidence",
                "anchor",
                path_text(&file),
                "--category",
                "electronic",
                "--collected-by",
                path_text(&colleague),
            ],
            &[],
            Some(stdin),
        )
    };
    let refused = anchor(&format!("{WRONG_PASSPHRASE}\n"));
    assert_refused(&refused, "wrong passphrase");
    let anchored = anchor(&format!("{PASSPHRASE}\n")).expect_code(0).json();
    assert!(anchored["height"].as_u64().is_some(), "{anchored}");
    let signer = show(&key, &[("XIANJIE_PASSPHRASE", PASSPHRASE)], None).json();
    let record = run_cli_with(
        &[
            "--node",
            &node.url,
            "--json",
            "--key",
            path_text(&key),
            "evidence",
            "show",
            anchored["digest"].as_str().unwrap(),
        ],
        &[("XIANJIE_PASSPHRASE", PASSPHRASE)],
        None,
    )
    .expect_code(0)
    .json();
    assert!(
        record.to_string().contains(signer["id"].as_str().unwrap()),
        "the record does not name the encrypted key's officer: {record}"
    );
}

/// `xianjie-node start --home HOME ARGS` run to its end (a refusal), with
/// no passphrase from the test's environment or a terminal.
fn start_refused(home: &Path, args: &[&str]) -> CliRun {
    Command::new(binary("xianjie-node"))
        .arg("start")
        .arg("--home")
        .arg(home)
        .args(args)
        .env_remove("XIANJIE_NODE_PASSPHRASE")
        .env_remove("CREDENTIALS_DIRECTORY")
        .stdin(Stdio::null())
        .output()
        .expect("run xianjie-node")
        .into()
}

/// A file (mode 0600) holding `passphrase` on one line.
fn passphrase_file(path: &Path, passphrase: &str) -> PathBuf {
    std::fs::write(path, format!("{passphrase}\n")).unwrap();
    set_mode(path, 0o600);
    path.to_owned()
}

#[test]
fn network_nodes_with_encrypted_keys_commit_with_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    let node_key = |i: usize| net.nodes[i].home.join("keys").join("node.key");
    for i in [2, 3] {
        run_cli_with(
            &["keys", "encrypt", path_text(&node_key(i))],
            &[("XIANJIE_PASSPHRASE", PASSPHRASE)],
            None,
        )
        .expect_code(0);
    }
    let node3 = net.nodes[3].home.clone();

    // Refusals at start, before anything listens.
    let refused = start_refused(&node3, &[]);
    for option in [
        "--passphrase-file PATH",
        "xianjie-node-passphrase",
        "XIANJIE_NODE_PASSPHRASE",
        "terminal",
    ] {
        assert_refused(&refused, option);
    }
    let wrong = passphrase_file(&dir.path().join("wrong.pass"), WRONG_PASSPHRASE);
    assert_refused(
        &start_refused(&node3, &["--passphrase-file", path_text(&wrong)]),
        "wrong passphrase",
    );
    let node1_key = node_key(1);
    set_mode(&node1_key, 0o640);
    assert_refused(
        &start_refused(&net.nodes[1].home, &[]),
        &format!("chmod 600 {}", node1_key.display()),
    );
    assert_eq!(mode(&node1_key), 0o640, "a refused start changes no mode");
    set_mode(&node1_key, 0o600);

    // Node 2 gets its passphrase as a systemd credential, node 3 from a file.
    let credentials = dir.path().join("credentials");
    std::fs::create_dir(&credentials).unwrap();
    passphrase_file(&credentials.join("xianjie-node-passphrase"), PASSPHRASE);
    let pass = passphrase_file(&dir.path().join("node3.pass"), PASSPHRASE);
    set_mode(&pass, 0o644);
    assert_refused(
        &start_refused(&node3, &["--passphrase-file", path_text(&pass)]),
        &format!("chmod 600 {}", pass.display()),
    );
    set_mode(&pass, 0o600);
    net.start(0);
    net.start(1);
    net.start_with(
        2,
        &[],
        &[("CREDENTIALS_DIRECTORY", credentials.as_os_str())],
    );
    net.start_with(3, &[OsStr::new("--passphrase-file"), pass.as_os_str()], &[]);
    net.wait_for_height(&[0, 1, 2, 3], 5, Duration::from_secs(120));
    net.assert_same_chain(&[0, 1, 2, 3], 5);
    // Without node 0 the chain needs the votes of both encrypted nodes
    // (three of four validators), so it goes on only if they sign.
    net.stop(0);
    let height = net.height(1).expect("node 1 answers");
    net.wait_for_height(&[1, 2, 3], height + 5, Duration::from_secs(120));
    net.assert_same_chain(&[1, 2, 3], height + 5);

    for i in [2, 3] {
        let log = std::fs::read_to_string(net.nodes[i].home.with_extension("1.log")).unwrap();
        assert!(
            log.lines()
                .any(|line| line.contains("node key read") && line.contains("encrypted=true")),
            "node {i}'s log does not say its key was encrypted:\n{log}"
        );
        assert!(!log.contains(PASSPHRASE), "node {i} logged its passphrase");
    }
}
