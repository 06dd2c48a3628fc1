//! Court-grade receipts through the real binaries: anchor, hand over, fetch
//! the receipt, stop every node, and verify offline with `xianjie verify`
//! against the genesis file — on a dev chain, on a four-validator network,
//! and across a validator-set change made by governance on that network.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use xianjie_ledger::codec::encode;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::governance::Change;
use xianjie_ledger::receipt::Receipt;
use xianjie_ledger::tx::{Approve, Call, Propose, Tx};
use xianjie_ledger::Hash;
use xianjie_tests::network::{NetOptions, Network};
use xianjie_tests::{run_cli, run_node, write_sample_file, CliRun, DevNode};

/// Runs `xianjie ARGS… ` with a node URL and a key file (as an officer would).
fn cli_on(url: &str, key: &Path, args: &[&str]) -> CliRun {
    let mut full = vec!["--node", url, "--json", "--key", key.to_str().unwrap()];
    full.extend_from_slice(args);
    run_cli(&full)
}

/// `xianjie verify` offline: no `--node`, and the nodes are stopped anyway.
fn verify(receipt: &Path, file: Option<&Path>, genesis: &Path, json: bool) -> CliRun {
    let mut args = vec![];
    if json {
        args.push("--json");
    }
    args.extend(["verify", "--receipt", receipt.to_str().unwrap()]);
    if let Some(file) = file {
        args.extend(["--file", file.to_str().unwrap()]);
    }
    args.extend(["--genesis", genesis.to_str().unwrap()]);
    run_cli(&args)
}

/// Anchors `file` as the market regulator, transfers it to the police and
/// has the police receive it; every step through `node_urls` in turn.
/// Returns the digest and the height of the block that holds the receive.
///
/// `caught_up(step, height)` is called before steps 1 and 2 with the height
/// of the previous step's block, so that a network node can be waited for.
fn anchor_and_hand_over(
    node_urls: [&str; 3],
    key: impl Fn(&str) -> std::path::PathBuf,
    caught_up: impl Fn(usize, u64),
    file: &Path,
) -> (String, u64) {
    let colleague = key("market-officer2");
    let anchored = cli_on(
        node_urls[0],
        &key("market-officer"),
        &[
            "evidence",
            "anchor",
            file.to_str().unwrap(),
            "--category",
            "documentary",
            "--case",
            "HZ-SC-2026-001",
            "--note",
            "exported from the shop's till PC",
            "--collected-by",
            colleague.to_str().unwrap(),
        ],
    )
    .expect_code(0)
    .json();
    let digest = anchored["digest"].as_str().unwrap().to_owned();
    caught_up(1, anchored["height"].as_u64().unwrap());
    let transferred = cli_on(
        node_urls[1],
        &key("market-officer"),
        &[
            "evidence", "custody", &digest, "--action", "transfer", "--to", "police",
        ],
    )
    .expect_code(0)
    .json();
    caught_up(2, transferred["height"].as_u64().unwrap());
    let received = cli_on(
        node_urls[2],
        &key("police-officer"),
        &["evidence", "custody", &digest, "--action", "receive"],
    )
    .expect_code(0)
    .json();
    (digest, received["height"].as_u64().unwrap())
}

/// `GET path` on a dev node, signed as a read by the demo key `key_name`.
fn signed_get(node: &DevNode, key_name: &str, path: &str) -> ureq::http::Response<ureq::Body> {
    let mut request = ureq::get(format!("{}{path}", node.url));
    for (name, value) in node.signed_read_headers(key_name, path) {
        request = request.header(name, value);
    }
    request.call().unwrap()
}

/// What every valid receipt of the walkthrough must say.
fn assert_names_agency_class_and_custody(facts: &Value, digest: &str) {
    assert_eq!(facts["valid"], true, "{facts:#}");
    assert_eq!(facts["digest"], digest);
    assert_eq!(facts["file_checked"], true);
    assert_eq!(facts["org"], "market");
    assert_eq!(facts["org_name"], "杭州市市场监督管理局");
    assert_eq!(facts["class"], "A");
    assert_eq!(facts["category"], "documentary");
    assert_eq!(facts["case_id"], "HZ-SC-2026-001");
    assert_eq!(facts["holder"], "police");
    assert!(facts["anchor_time"].as_str().unwrap().contains("+08:00"));
    // Both collectors signed: the submitter, then the co-signer.
    assert_eq!(facts["signed_by"][0], facts["officer"], "{facts:#}");
    assert_eq!(facts["signed_by"], facts["collected_by"], "{facts:#}");
    assert_eq!(facts["signed_by"].as_array().unwrap().len(), 2);
    let custody = facts["custody"].as_array().unwrap();
    assert_eq!(custody.len(), 2, "{facts:#}");
    assert_eq!(custody[0]["action"], "transfer");
    assert_eq!(custody[0]["org"], "market");
    assert_eq!(custody[0]["to"], "police");
    assert_eq!(custody[1]["action"], "receive");
    assert_eq!(custody[1]["org"], "police");
    assert!(custody[1]["height"].as_u64() > custody[0]["height"].as_u64());
}

#[test]
fn a_receipt_verifies_offline_and_detects_a_changed_file_and_another_chain() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let file = dir.path().join("till.csv");
    write_sample_file(&file, 64 * 1024 + 3, 11);
    let (digest, _) = anchor_and_hand_over(
        [&node.url, &node.url, &node.url],
        |name| node.key(name),
        |_, _| {},
        &file,
    );

    // The receipt, through the CLI and straight from the API.
    let receipt = dir.path().join("till.xjrcpt");
    let saved = node
        .cli_as(
            "court-officer",
            &[
                "evidence",
                "receipt",
                &digest,
                "-o",
                receipt.to_str().unwrap(),
            ],
        )
        .expect_code(0)
        .json();
    assert_eq!(saved["digest"], digest.as_str());
    let bytes = std::fs::read(&receipt).unwrap();
    assert_eq!(&bytes[..6], b"XJRCPT");
    assert_eq!(saved["bytes"], bytes.len());
    // The API route is a signed read, like every evidence route.
    let path = format!("/v1/evidence/{digest}/receipt");
    assert!(matches!(
        ureq::get(format!("{}{path}", node.url)).call(),
        Err(ureq::Error::StatusCode(401))
    ));
    let mut response = signed_get(&node, "court-officer", &path);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/octet-stream"
    );
    let from_api = response
        .body_mut()
        .with_config()
        .limit(1 << 26)
        .read_to_vec()
        .unwrap();
    assert_eq!(&from_api[..7], b"XJRCPT\x04");
    Receipt::from_bytes(&from_api).unwrap();
    let keyless = run_cli(&[
        "--node",
        &node.url,
        "evidence",
        "receipt",
        &digest,
        "-o",
        dir.path().join("keyless").to_str().unwrap(),
    ])
    .expect_code(2);
    assert!(
        keyless.stderr.contains("needs an officer key"),
        "{}",
        keyless.stderr
    );
    let unknown = "00".repeat(32);
    node.cli_as(
        "court-officer",
        &[
            "evidence",
            "receipt",
            &unknown,
            "-o",
            dir.path().join("none").to_str().unwrap(),
        ],
    )
    .expect_code(1);
    assert!(!dir.path().join("none").exists());

    // From here on there is no node.
    let genesis = home.join("genesis.json");
    node.stop();

    let facts = verify(&receipt, Some(&file), &genesis, true)
        .expect_code(0)
        .json();
    assert_names_agency_class_and_custody(&facts, &digest);
    assert_eq!(facts["validator_changes"], serde_json::json!([]));

    let text = verify(&receipt, Some(&file), &genesis, false).expect_code(0);
    for expected in [
        "VALID 有效",
        "market (杭州市市场监督管理局)",
        "police (杭州市公安局)",
        "A 类",
        "documentary (书证",
        "transfer 移交",
        "receive 接收",
        "UTC",
        "+08:00",
        "HZ-SC-2026-001",
        "(signed the anchor)",
        "(co-signed)",
        &digest,
    ] {
        assert!(
            text.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            text.stdout
        );
    }

    // Without --file the receipt alone verifies, and says the file was not checked.
    let alone = verify(&receipt, None, &genesis, true).expect_code(0).json();
    assert_eq!(alone["file_checked"], false);

    // A file changed in one byte: the receipt is genuine, the file is not the anchored one.
    let mut changed_bytes = std::fs::read(&file).unwrap();
    changed_bytes[1000] ^= 0x20;
    let changed = dir.path().join("till-changed.csv");
    std::fs::write(&changed, changed_bytes).unwrap();
    let answer = verify(&receipt, Some(&changed), &genesis, true)
        .expect_code(1)
        .json();
    assert_eq!(answer["valid"], false);
    assert_eq!(answer["reason"], "file_mismatch");
    assert!(answer["message_zh"].as_str().unwrap().contains("不一致"));
    let text = verify(&receipt, Some(&changed), &genesis, false).expect_code(1);
    assert!(
        text.stdout.contains("INVALID 无效 [file_mismatch]"),
        "{}",
        text.stdout
    );

    // A receipt with one byte flipped.
    let mut tampered_bytes = bytes.clone();
    let middle = tampered_bytes.len() / 2;
    tampered_bytes[middle] ^= 0x01;
    let tampered = dir.path().join("tampered.xjrcpt");
    std::fs::write(&tampered, tampered_bytes).unwrap();
    let answer = verify(&tampered, Some(&file), &genesis, true)
        .expect_code(1)
        .json();
    assert_eq!(answer["valid"], false);
    assert!(answer["reason"].as_str().is_some());

    // Another dev chain's genesis (same chain id, other genesis and validator).
    let other_home = dir.path().join("other");
    std::fs::create_dir_all(&other_home).unwrap();
    DevNode::start(&other_home).stop();
    let answer = verify(
        &receipt,
        Some(&file),
        &other_home.join("genesis.json"),
        true,
    )
    .expect_code(1)
    .json();
    assert_eq!(answer["reason"], "genesis_mismatch");

    // Usage errors and unreadable inputs exit 2.
    run_cli(&["verify", "--receipt", receipt.to_str().unwrap()]).expect_code(2);
    verify(&dir.path().join("missing.xjrcpt"), None, &genesis, true).expect_code(2);
    verify(&receipt, None, &file, true).expect_code(2);
}

/// Network tests run one at a time: two four-node networks on a small
/// machine slow each other down and compete for ports.
static NETWORK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `xianjie verify` takes the genesis hash from the document alone: a
/// genesis.json that leaves out a field the hash encodes is refused with the
/// field's name and where to get the complete file (exit 2, as for any
/// unreadable input), not completed with defaults compiled into the program
/// (docs/receipt.md §6.1). The complete file verifies the same receipt.
#[test]
fn verify_refuses_a_genesis_that_leaves_out_a_hashed_field() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let file = dir.path().join("till.csv");
    write_sample_file(&file, 4096, 5);
    let (digest, _) = anchor_and_hand_over(
        [&node.url, &node.url, &node.url],
        |name| node.key(name),
        |_, _| {},
        &file,
    );
    let receipt = dir.path().join("till.xjrcpt");
    node.cli_as(
        "court-officer",
        &[
            "evidence",
            "receipt",
            &digest,
            "-o",
            receipt.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    let genesis = home.join("genesis.json");
    node.stop();

    let facts = verify(&receipt, Some(&file), &genesis, true)
        .expect_code(0)
        .json();
    assert_eq!(facts["valid"], true);
    let complete: Value =
        serde_json::from_str(&std::fs::read_to_string(&genesis).unwrap()).unwrap();
    for field in ["policy_set", "uscc_allow_list"] {
        let mut document = complete.clone();
        let removed = document["params"].as_object_mut().unwrap().remove(field);
        assert!(removed.is_some(), "the node writes params.{field}");
        let partial = dir.path().join(format!("genesis-without-{field}.json"));
        std::fs::write(&partial, document.to_string()).unwrap();
        for json in [true, false] {
            let refused = verify(&receipt, Some(&file), &partial, json).expect_code(2);
            assert!(
                refused.stderr.contains(&format!("params.{field}")),
                "{}",
                refused.stderr
            );
            assert!(
                refused.stderr.contains("complete genesis.json")
                    && refused.stderr.contains("HOME/genesis.json"),
                "{}",
                refused.stderr
            );
            assert!(refused.stdout.is_empty(), "no verdict: {}", refused.stdout);
        }
    }

    // The node that ran the chain completes an older, partial file, and the
    // completed file verifies the receipt; a file the chain did not begin
    // with is refused, not completed.
    let mut document = complete.clone();
    document["params"]
        .as_object_mut()
        .unwrap()
        .remove("policy_set");
    std::fs::write(&genesis, document.to_string()).unwrap();
    let completed = dir.path().join("genesis-completed.json");
    let home_arg = home.to_str().unwrap();
    let out_arg = completed.to_str().unwrap();
    let run = run_node(&["genesis", "--home", home_arg, "--out", out_arg].map(OsStr::new));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let facts = verify(&receipt, Some(&file), &completed, true)
        .expect_code(0)
        .json();
    assert_eq!(facts["valid"], true);
    assert!(
        run.stderr.contains(facts["genesis_hash"].as_str().unwrap()),
        "{}",
        run.stderr
    );
    document["params"]["max_custody_events"] = Value::from(7);
    std::fs::write(&genesis, document.to_string()).unwrap();
    let other = dir.path().join("genesis-other.json");
    let run = run_node(
        &[
            "genesis",
            "--home",
            home_arg,
            "--out",
            other.to_str().unwrap(),
        ]
        .map(OsStr::new),
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("the chain began with genesis"),
        "{}",
        run.stderr
    );
    assert!(!other.exists(), "nothing written for a chain it is not");
}

/// Starts all four nodes of a network and returns three that are committing
/// blocks (a quorum of four), in node order, and the fourth.
fn start_quorum(net: &mut Network, timeout: Duration) -> ([usize; 3], usize) {
    for i in 0..4 {
        net.start(i);
    }
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let live: Vec<usize> = (0..4)
            .filter(|&i| net.height(i).is_some_and(|height| height >= 1))
            .collect();
        if let [a, b, c, ..] = live[..] {
            let other = (0..4).find(|i| ![a, b, c].contains(i)).unwrap_or(3);
            return ([a, b, c], other);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "fewer than three nodes commit blocks\n{}",
            net.log_tails()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_receipt_from_a_four_validator_network_verifies_offline() {
    let dir = tempfile::tempdir().unwrap();
    let _one_network_at_a_time = NETWORK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut net = Network::create(dir.path(), &NetOptions::default());
    // Three of the four validators are a quorum; the steps and the receipt
    // use three that commit, so that a slow fourth node does not matter.
    let (live, _) = start_quorum(&mut net, Duration::from_secs(120));
    let file = dir.path().join("seized.bin");
    write_sample_file(&file, 200 * 1024, 12);
    let urls: Vec<String> = net.nodes.iter().map(|node| node.url.clone()).collect();
    let keys = net.dir.join("keys");
    let wait = Duration::from_secs(60);
    let (digest, received_at) = anchor_and_hand_over(
        live.map(|i| urls[i].as_str()),
        |name| keys.join(format!("{name}.key")),
        |step, height| net.wait_for_height(&[live[step]], height, wait),
        &file,
    );
    net.wait_for_height(&[live[0]], received_at, wait);
    // Fetched from another node than the one that recorded the last step.
    let receipt = dir.path().join("seized.xjrcpt");
    let reader = keys.join("procuratorate-officer.key");
    run_cli(&[
        "--node",
        &urls[live[0]],
        "--json",
        "--key",
        reader.to_str().unwrap(),
        "evidence",
        "receipt",
        &digest,
        "-o",
        receipt.to_str().unwrap(),
    ])
    .expect_code(0);
    for i in 0..4 {
        net.stop(i);
    }

    let genesis = net.dir.join("genesis.json");
    let facts = verify(&receipt, Some(&file), &genesis, true)
        .expect_code(0)
        .json();
    assert_names_agency_class_and_custody(&facts, &digest);
    assert_eq!(facts["chain_id"], "xianjie-testnet");
    // Every certificate was checked against the four-validator genesis set,
    // and each carries the precommits of more than two thirds of it.
    assert!(facts["certified_headers"].as_u64().unwrap() >= 3);
    let genesis = Genesis::from_json(&std::fs::read_to_string(&genesis).unwrap()).unwrap();
    assert_eq!(genesis.validators.len(), 4);
    let parsed = Receipt::from_bytes(&std::fs::read(&receipt).unwrap()).unwrap();
    for certified in &parsed.headers {
        assert!(
            certified.commit.signatures.len() >= 3,
            "block {} is certified by {} validators",
            certified.header.height,
            certified.commit.signatures.len()
        );
    }
}

/// A witness (`xianjie-node witness`) with its key and state in `dir`.
struct Witness {
    key: std::path::PathBuf,
    state: std::path::PathBuf,
}

impl Witness {
    fn new(dir: &Path) -> Witness {
        let key = dir.join("witness.key");
        run_cli(&["keys", "new", "--plain", "--out", key.to_str().unwrap()]).expect_code(0);
        Witness {
            key,
            state: dir.join("witness.state"),
        }
    }

    /// One round against `url`; returns the state it wrote.
    fn round(&self, url: &str, genesis: &Path) -> Value {
        run_node(&[
            OsStr::new("witness"),
            OsStr::new("--node"),
            OsStr::new(url),
            OsStr::new("--genesis"),
            genesis.as_os_str(),
            OsStr::new("--key"),
            self.key.as_os_str(),
            OsStr::new("--name"),
            OsStr::new("witness.court.example/w1"),
            OsStr::new("--state"),
            self.state.as_os_str(),
        ])
        .expect_code(0);
        serde_json::from_slice(&std::fs::read(&self.state).unwrap()).unwrap()
    }
}

/// Signs `call` with the network's demo key `key_name` for the chain's
/// current height and submits it to `url`, waiting for the commit.
fn submit_and_wait(net: &Network, url: &str, key_name: &str, call: Call) -> Hash {
    let key = net.key(key_name);
    let status: Value = ureq::get(format!("{url}/v1/status"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let signed = Tx {
        chain_id: status["chain_id"].as_str().unwrap().to_owned(),
        signer: key.public_key(),
        nonce: rand::random(),
        valid_until: status["height"].as_u64().unwrap() + 1_000,
        call,
    }
    .sign(&key);
    let mut response = ureq::post(format!("{url}/v1/txs?wait=true"))
        .header("content-type", "application/octet-stream")
        .send(&encode(&signed)[..])
        .unwrap_or_else(|error| panic!("{key_name}'s transaction refused: {error}"));
    let answer: Value = response.body_mut().read_json().unwrap();
    assert_eq!(answer["outcome"]["status"], "ok", "{answer:#}");
    signed.hash()
}

#[test]
fn a_receipt_spanning_a_governance_validator_removal_verifies_offline() {
    let dir = tempfile::tempdir().unwrap();
    let _one_network_at_a_time = NETWORK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut net = Network::create(dir.path(), &NetOptions::default());
    let wait = Duration::from_secs(120);
    // Three committing nodes are used; the fourth is the one removed.
    let (live, removed_node) = start_quorum(&mut net, wait);
    let urls: Vec<String> = net.nodes.iter().map(|node| node.url.clone()).collect();
    let keys = net.dir.join("keys");
    let file = dir.path().join("seized.bin");
    write_sample_file(&file, 10 * 1024, 13);

    // 1. Anchored while four validators commit.
    let anchored = cli_on(
        &urls[live[0]],
        &keys.join("market-officer.key"),
        &[
            "evidence",
            "anchor",
            file.to_str().unwrap(),
            "--category",
            "electronic",
            "--collected-by",
            keys.join("market-officer2.key").to_str().unwrap(),
        ],
    )
    .expect_code(0)
    .json();
    let digest = anchored["digest"].as_str().unwrap().to_owned();
    // A witness co-signs the history while the genesis set certifies it.
    let witness = Witness::new(dir.path());
    let first = witness.round(&urls[live[0]], &net.dir.join("genesis.json"));
    assert_eq!(
        first["validators"]["validators"].as_array().unwrap().len(),
        4
    );

    // 2. Governance removes the fourth node from the validator set: proposed by the
    // market regulator's admin, approved by two more organisations (3 of 5).
    let removed = net.node_key(removed_node).public_key().id();
    let proposal = submit_and_wait(
        &net,
        &urls[live[0]],
        "market-admin",
        Call::Propose(Propose {
            change: Change::RemoveValidator(removed),
            note_digest: None,
        }),
    );
    let id = xianjie_ledger::ids::ProposalId::from(format!("GOV-{}", &proposal.to_hex()[..16]));
    // Four of the six demo members (the proposer and three): a majority.
    for admin in ["police-admin", "procuratorate-admin", "court-admin"] {
        submit_and_wait(
            &net,
            &urls[live[0]],
            admin,
            Call::Approve(Approve {
                proposal: id.clone(),
            }),
        );
    }
    let validators = |i: usize| {
        net.get(i, "/v1/status").unwrap()["validators"]
            .as_array()
            .unwrap()
            .len()
    };
    let deadline = std::time::Instant::now() + wait;
    while validators(live[0]) != 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the validator was not removed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    net.stop(removed_node);

    // 3. Handed over while the three remaining validators commit.
    let transferred = cli_on(
        &urls[live[1]],
        &keys.join("market-officer.key"),
        &[
            "evidence", "custody", &digest, "--action", "transfer", "--to", "police",
        ],
    )
    .expect_code(0)
    .json();
    net.wait_for_height(&[live[2]], transferred["height"].as_u64().unwrap(), wait);
    let received = cli_on(
        &urls[live[2]],
        &keys.join("police-officer.key"),
        &["evidence", "custody", &digest, "--action", "receive"],
    )
    .expect_code(0)
    .json();
    net.wait_for_height(&[live[0]], received["height"].as_u64().unwrap(), wait);
    // The witness follows the proven change to the set that certifies the
    // newer checkpoint, and co-signs it.
    let second = witness.round(&urls[live[0]], &net.dir.join("genesis.json"));
    assert_eq!(
        second["validators"]["validators"].as_array().unwrap().len(),
        3
    );
    let size = |state: &Value| {
        let body = state["body"].as_str().unwrap();
        xianjie_ledger::checkpoint::Checkpoint::parse_body(body)
            .unwrap()
            .size
    };
    assert!(size(&second) > size(&first), "{second:#}");
    let receipt = dir.path().join("seized.xjrcpt");
    let reader = keys.join("procuratorate-officer.key");
    run_cli(&[
        "--node",
        &urls[live[0]],
        "--json",
        "--key",
        reader.to_str().unwrap(),
        "evidence",
        "receipt",
        &digest,
        "-o",
        receipt.to_str().unwrap(),
    ])
    .expect_code(0);
    for i in live {
        net.stop(i);
    }

    let genesis = net.dir.join("genesis.json");
    let facts = verify(&receipt, Some(&file), &genesis, true)
        .expect_code(0)
        .json();
    assert_eq!(facts["valid"], true);
    assert_eq!(facts["custody"].as_array().unwrap().len(), 2);
    let changes = facts["validator_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{facts:#}");
    let change_height = changes[0].as_u64().unwrap();
    assert!(change_height > anchored["height"].as_u64().unwrap());
    assert!(change_height < transferred["height"].as_u64().unwrap());
    let parsed = Receipt::from_bytes(&std::fs::read(&receipt).unwrap()).unwrap();
    assert_eq!(parsed.validator_changes[0].validators.validators.len(), 3);
    assert!(parsed.validator_changes[0]
        .validators
        .get(&removed)
        .is_none());

    // Without the change's proof the later headers name a set not in force.
    let mut forged = parsed.clone();
    forged.validator_changes.clear();
    let forged_path = dir.path().join("forged.xjrcpt");
    std::fs::write(&forged_path, forged.to_bytes()).unwrap();
    let answer = verify(&forged_path, Some(&file), &genesis, true)
        .expect_code(1)
        .json();
    assert_eq!(answer["reason"], "validator_set_mismatch");
}
