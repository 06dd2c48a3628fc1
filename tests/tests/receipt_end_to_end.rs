//! Court-grade receipts through the real binaries: anchor, hand over, fetch
//! the receipt, stop every node, and verify offline with `xianjie verify`
//! against the genesis file — on a dev chain and on a four-validator network.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::receipt::Receipt;
use xianjie_tests::network::{NetOptions, Network};
use xianjie_tests::{run_cli, write_sample_file, CliRun, DevNode};

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
    let mut response = ureq::get(format!("{}/v1/evidence/{digest}/receipt", node.url))
        .call()
        .unwrap();
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
    assert_eq!(&from_api[..7], b"XJRCPT\x01");
    let unknown = "00".repeat(32);
    assert!(matches!(
        ureq::get(format!("{}/v1/evidence/{unknown}/receipt", node.url)).call(),
        Err(ureq::Error::StatusCode(404))
    ));
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

#[test]
fn a_receipt_from_a_four_validator_network_verifies_offline() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    for i in 0..4 {
        net.start(i);
    }
    net.wait_for_height(&[0, 1, 2, 3], 1, Duration::from_secs(120));
    let file = dir.path().join("seized.bin");
    write_sample_file(&file, 200 * 1024, 12);
    let urls: Vec<String> = net.nodes.iter().map(|node| node.url.clone()).collect();
    let keys = net.dir.join("keys");
    let wait = Duration::from_secs(60);
    let (digest, received_at) = anchor_and_hand_over(
        [&urls[0], &urls[1], &urls[2]],
        |name| keys.join(format!("{name}.key")),
        |step, height| net.wait_for_height(&[step], height, wait),
        &file,
    );
    net.wait_for_height(&[3], received_at, wait);
    // Fetched from a node that took no part in the hand-over.
    let receipt = dir.path().join("seized.xjrcpt");
    run_cli(&[
        "--node",
        &urls[3],
        "--json",
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
