//! An organisation's admin manages its officers' and nodes' keys from the
//! command line, against a real dev node: a new officer can sign only once
//! registered and no longer once revoked; a node key is registered once and
//! revoked once. An agency that is not yet a member is admitted by
//! governance, and its admin then registers its own officers.

use std::path::{Path, PathBuf};

use xianjie_tests::{run_cli, write_sample_file, DevNode};

/// A dev node with its home in a new temporary directory.
fn dev_node() -> (tempfile::TempDir, DevNode) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    (dir, node)
}

/// A plain key file `name` in `dir` made by `xianjie keys new --plain`, and what it printed
/// (`id`, `public_key`).
fn new_key(dir: &Path, name: &str) -> (PathBuf, serde_json::Value) {
    let file = dir.join(name);
    // Plain: these keys are handed around within the test; encrypted ones
    // are key_custody.rs's subject.
    let created = run_cli(&[
        "--json",
        "keys",
        "new",
        "--plain",
        "--out",
        file.to_str().unwrap(),
    ])
    .expect_code(0)
    .json();
    (file, created)
}

#[test]
fn an_admin_registers_and_revokes_officer_and_node_keys() {
    let (dir, node) = dev_node();

    let (key_file, created) = new_key(dir.path(), "new-officer.key");
    let public_key = created["public_key"].as_str().unwrap().to_owned();
    let colleague = node.key("market-officer");
    let anchor = |name: &str| {
        let file = dir.path().join(name);
        write_sample_file(&file, 4096, name.len() as u64);
        node.cli_with_key_file(
            &key_file,
            &[
                "evidence",
                "anchor",
                file.to_str().unwrap(),
                "--category",
                "documentary",
                "--collected-by",
                colleague.to_str().unwrap(),
            ],
        )
    };

    let unknown = anchor("before.pdf").expect_code(1);
    assert!(
        unknown.stderr.contains("refused by the ledger"),
        "an unregistered key signs nothing: {unknown:?}"
    );

    // Only an admin registers officers.
    node.cli_as("market-officer", &["officer", "register", &public_key])
        .expect_code(1);
    let registered = node
        .cli_as(
            "market-admin",
            &["officer", "register", &public_key, "--role", "officer"],
        )
        .expect_code(0)
        .json();
    assert_eq!(registered["id"], created["id"]);
    assert_eq!(registered["role"], "officer");
    let shown = node
        .cli_with_key_file(&key_file, &["keys", "show"])
        .expect_code(0)
        .json();
    assert_eq!(shown["public_key"], public_key.as_str());

    let anchored = anchor("after.pdf").expect_code(0).json();
    assert_eq!(anchored["digest"].as_str().unwrap().len(), 64);

    // Revoked by its key id: it signs nothing from then on.
    let id = created["id"].as_str().unwrap();
    node.cli_as("market-admin", &["officer", "revoke", id])
        .expect_code(0);
    anchor("revoked.pdf").expect_code(1);

    // A node key: registered once, revoked once.
    let (_, node_key) = new_key(dir.path(), "node.key");
    let node_public_key = node_key["public_key"].as_str().unwrap();
    let register = ["node-key", "register", node_public_key];
    let revoke = ["node-key", "revoke", node_public_key];
    node.cli_as("police-admin", &register).expect_code(0);
    node.cli_as("police-admin", &register).expect_code(1);
    node.cli_as("police-admin", &revoke).expect_code(0);
    node.cli_as("police-admin", &revoke).expect_code(1);

    // A malformed key is a usage error, caught before anything is signed.
    let bad = node
        .cli_as("police-admin", &["node-key", "register", "abcd"])
        .expect_code(2);
    assert!(bad.stderr.contains("not a public key"), "{bad:?}");
}

#[test]
fn an_upload_the_node_refuses_says_why_even_for_a_large_file() {
    let (dir, node) = dev_node();
    // Large enough that the node's early answer arrives while the CLI is
    // still sending: the connection is closed under it.
    let file = dir.path().join("seized-disk.img");
    write_sample_file(&file, 48 * 1024 * 1024, 7);
    let file = file.to_str().unwrap();
    let market_colleague = node.key("market-officer2");
    let anchor = [
        "evidence",
        "anchor",
        file,
        "--category",
        "electronic",
        "--collected-by",
        market_colleague.to_str().unwrap(),
        "--upload",
    ];
    node.cli_as("market-officer", &anchor).expect_code(0);
    // The lab may not read the market's record: its upload is refused before
    // the body is read, and the officer is told why.
    let refused = node.cli_as("lab-officer", &anchor).expect_code(2);
    assert!(
        refused.stderr.contains("read_denied"),
        "the refusal's reason, not a broken connection: {refused:?}"
    );
}

#[test]
fn a_new_agency_is_admitted_by_governance_and_registers_its_own_officers() {
    let (dir, node) = dev_node();
    let (admin_file, admin) = new_key(dir.path(), "eco-admin.key");
    let (officer_file, officer) = new_key(dir.path(), "eco-officer.key");
    let (officer2_file, officer2) = new_key(dir.path(), "eco-officer2.key");
    let admin_key = admin["public_key"].as_str().unwrap();
    let officer_key = officer["public_key"].as_str().unwrap();
    let body = "91330200MA2H3K4L5";
    let uscc = format!(
        "{body}{}",
        xianjie_contracts::uscc::check_character(body).unwrap()
    );
    let propose = |uscc: &str| {
        node.cli_as(
            "market-admin",
            &[
                "gov",
                "propose",
                "add-org",
                "eco",
                "--name",
                "宁波市生态环境局",
                "--kind",
                "administrative-agency",
                "--uscc",
                uscc,
                "--region",
                "330200",
                "--level",
                "prefecture",
                "--admin",
                admin_key,
            ],
        )
    };
    let wrong = format!("{body}{}", if uscc.ends_with('0') { '1' } else { '0' });
    let refused = propose(&wrong).expect_code(1);
    assert!(refused.stderr.contains("invalid_uscc"), "{refused:?}");

    let proposal = propose(&uscc).expect_code(0).json();
    assert_eq!(proposal["change"], "add_org");
    let id = proposal["id"].as_str().unwrap();
    // Not a member until M of N approve: its admin registers nobody yet.
    let register = ["officer", "register", officer_key];
    node.cli_with_key_file(&admin_file, &register)
        .expect_code(1);
    node.cli_as("police-admin", &["gov", "approve", id])
        .expect_code(0);
    node.cli_as("procuratorate-admin", &["gov", "approve", id])
        .expect_code(0);
    node.cli_as("court-admin", &["gov", "approve", id])
        .expect_code(0);

    let orgs: serde_json::Value = ureq::get(format!("{}/v1/orgs", node.url))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let admitted = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|org| org["id"] == "eco")
        .expect("the new member is listed");
    assert_eq!(admitted["uscc"], uscc.as_str());
    assert_eq!(orgs[0]["id"], "market", "genesis members first, in order");

    node.cli_with_key_file(&admin_file, &register)
        .expect_code(0);
    let officer2_key = officer2["public_key"].as_str().unwrap();
    node.cli_with_key_file(&admin_file, &["officer", "register", officer2_key])
        .expect_code(0);
    let file = dir.path().join("discharge-sample.csv");
    write_sample_file(&file, 2048, 9);
    let anchored = node
        .cli_with_key_file(
            &officer_file,
            &[
                "evidence",
                "anchor",
                file.to_str().unwrap(),
                "--category",
                "documentary",
                "--collected-by",
                officer2_file.to_str().unwrap(),
            ],
        )
        .expect_code(0)
        .json();
    assert_eq!(anchored["digest"].as_str().unwrap().len(), 64);
}
