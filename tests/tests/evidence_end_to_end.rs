//! The README walkthrough, run for real: anchor an evidence file, hand it
//! over to the police, verify it, tamper with it, restart the node.

use xianjie_tests::{write_sample_file, DevNode};

#[test]
fn anchor_hand_over_verify_tamper_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    for org in ["market", "police", "procuratorate", "court", "lab"] {
        for role in ["officer", "officer2", "head", "admin"] {
            assert!(
                node.key(&format!("{org}-{role}")).exists(),
                "{org}-{role} key missing"
            );
        }
    }

    let file = dir.path().join("seized-ledger.xlsx");
    write_sample_file(&file, 3 * 1024 * 1024 + 17, 42);
    let expected_digest = blake3::hash(&std::fs::read(&file).unwrap())
        .to_hex()
        .to_string();
    let file_arg = file.to_str().unwrap();

    // 1. The market regulator anchors the file, collected by two officers as
    // the law asks; an officer alone is refused and told what to add.
    let alone = node
        .cli_as(
            "market-officer",
            &["evidence", "anchor", file_arg, "--category", "electronic"],
        )
        .expect_code(1);
    assert!(
        alone.stderr.contains("too_few_collectors") && alone.stderr.contains("--collected-by"),
        "{alone:?}"
    );
    let colleague = node.key("market-officer2");
    let anchored = node
        .cli_as(
            "market-officer",
            &[
                "evidence",
                "anchor",
                file_arg,
                "--category",
                "electronic",
                "--case",
                "HZ-SC-2026-001",
                "--note",
                "copied from the shop's till PC",
                "--collected-by",
                colleague.to_str().unwrap(),
            ],
        )
        .expect_code(0)
        .json();
    assert_eq!(
        anchored["digest"], expected_digest,
        "digest must equal plain BLAKE3 (b3sum)"
    );
    assert!(anchored["height"].as_u64().unwrap() >= 1);
    assert_eq!(anchored["tx"].as_str().unwrap().len(), 64);
    // Both collectors signed it, and the record shows who did.
    assert_eq!(anchored["signed_by"].as_array().map(Vec::len), Some(2));
    let shown = node
        .cli_text_as("market-officer", &["evidence", "show", &expected_digest])
        .expect_code(0);
    assert!(
        shown.stdout.contains("(signed the anchor)") && shown.stdout.contains("(co-signed)"),
        "{}",
        shown.stdout
    );

    // The same file cannot be anchored twice.
    let again = node
        .cli_as(
            "market-officer2",
            &["evidence", "anchor", file_arg, "--category", "electronic"],
        )
        .expect_code(1);
    assert!(
        again.stderr.contains("already_anchored") || again.stdout.contains("already_anchored"),
        "{again:?}"
    );

    // 2. Hand over to the police: the sender transfers, the receiver receives.
    node.cli_as(
        "market-officer",
        &[
            "evidence",
            "custody",
            &expected_digest,
            "--action",
            "transfer",
            "--to",
            "police",
        ],
    )
    .expect_code(0);
    let pending = node
        .cli_as("court-officer", &["evidence", "show", &expected_digest])
        .expect_code(0)
        .json();
    assert_eq!(
        pending["holder"], "market",
        "a handoff is complete only after receive"
    );
    // Only the addressee may receive.
    node.cli_as(
        "court-officer",
        &[
            "evidence",
            "custody",
            &expected_digest,
            "--action",
            "receive",
        ],
    )
    .expect_code(1);
    node.cli_as(
        "police-officer",
        &[
            "evidence",
            "custody",
            &expected_digest,
            "--action",
            "receive",
        ],
    )
    .expect_code(0);

    // The former holder can no longer act on it; the denial is in a block.
    let denied = node
        .cli_as(
            "market-officer",
            &["evidence", "custody", &expected_digest, "--action", "seal"],
        )
        .expect_code(1);
    assert!(
        denied.stderr.contains("not_holder") || denied.stdout.contains("not_holder"),
        "{denied:?}"
    );
    node.cli_as(
        "police-officer2",
        &[
            "evidence",
            "custody",
            &expected_digest,
            "--action",
            "seal",
            "--note",
            "sealed in bag 7",
        ],
    )
    .expect_code(0);

    let shown = node
        .cli_as(
            "procuratorate-officer",
            &["evidence", "show", &expected_digest],
        )
        .expect_code(0)
        .json();
    assert_eq!(shown["holder"], "police");
    assert_eq!(shown["class"], "A");
    let actions: Vec<&str> = shown["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["transfer", "receive", "seal"]);

    // 3. A prosecutor verifies the file in hand.
    let verified = node
        .cli_as("procuratorate-officer", &["evidence", "verify", file_arg])
        .expect_code(0)
        .json();
    assert_eq!(verified["anchored"], true);
    assert_eq!(verified["digest"], expected_digest);
    assert_eq!(verified["org"], "market");
    assert_eq!(verified["class"], "A");
    assert_eq!(verified["height"], anchored["height"]);

    // 4. One changed byte: the file is simply not anchored.
    let tampered = dir.path().join("tampered.xlsx");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[1_000_000] ^= 0x01;
    std::fs::write(&tampered, bytes).unwrap();
    let refused = node
        .cli_as(
            "procuratorate-officer",
            &["evidence", "verify", tampered.to_str().unwrap()],
        )
        .expect_code(1)
        .json();
    assert_eq!(refused["anchored"], false);
    assert_ne!(refused["digest"], expected_digest);

    // 5. Restart the node: the chain resumes from sled and still verifies.
    let height_before = node.status().unwrap()["height"].as_u64().unwrap();
    let (home, port) = node.stop();
    let node = DevNode::start_on(&home, port);
    assert_eq!(
        node.status().unwrap()["height"].as_u64().unwrap(),
        height_before
    );
    let after = node
        .cli_as("court-officer", &["evidence", "verify", file_arg])
        .expect_code(0)
        .json();
    assert_eq!(after["anchored"], true);
    assert_eq!(after["holder"], "police");
    // New transactions still commit after the restart.
    node.cli_as(
        "police-officer",
        &[
            "evidence",
            "custody",
            &expected_digest,
            "--action",
            "examine",
        ],
    )
    .expect_code(0);
    assert!(node.status().unwrap()["height"].as_u64().unwrap() > height_before);
}

#[test]
fn status_reports_the_dev_chain() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(dir.path());
    let status = xianjie_tests::run_cli(&["--node", &node.url, "--json", "status"])
        .expect_code(0)
        .json();
    assert_eq!(status["chain_id"], "xianjie-dev");
    assert_eq!(status["height"], 0);
}
