//! Runs the real `xianjie` binary: key files, exit codes, and every evidence
//! command against a fake node that serves genuine proofs.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};
use xianjie_ledger::codec;
use xianjie_ledger::crypto::{KeyFile, SecretKey};
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::model::{CustodyAction, EvidenceCategory};
use xianjie_ledger::tx::{Call, SignedTx};

use common::{anchored, api_error, closed_port_url, officer_key, status_json, FakeNode, Request};

fn xianjie(args: &[&str]) -> Output {
    xianjie_with_env(args, &[])
}

/// Runs the CLI with only the given XIANJIE_* variables, and no terminal.
fn xianjie_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xianjie"))
        .args(args)
        .env_remove("XIANJIE_NODE")
        .env_remove("XIANJIE_KEY")
        .env_remove("XIANJIE_PASSPHRASE")
        .env_remove("XIANJIE_NEW_PASSPHRASE")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run xianjie")
}

/// Writes a key file the way the CLI wants it: readable by its owner only.
fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn exit_code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Writes the fixed officer key (the one the fixtures sign with) into `dir`.
fn officer_key_file(dir: &Path) -> String {
    let path = dir.join("officer.key");
    write_private(&path, &KeyFile::to_json(&officer_key()));
    path.to_str().unwrap().to_owned()
}

#[test]
fn keys_new_then_show_round_trips_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("me.key");
    let key = key.to_str().unwrap();

    let passphrase = [("XIANJIE_PASSPHRASE", "correct horse battery")];
    let created = xianjie_with_env(&["--json", "keys", "new", "--out", key], &passphrase);
    assert_eq!(exit_code(&created), 0, "{}", stderr(&created));
    let created = stdout_json(&created);
    assert_eq!(created["id"].as_str().unwrap().len(), 40);
    assert_eq!(created["public_key"].as_str().unwrap().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    assert_eq!(created["encrypted"], true);
    let shown = xianjie_with_env(&["keys", "show", "--json", "--key", key], &passphrase);
    assert_eq!(exit_code(&shown), 0, "{}", stderr(&shown));
    let shown = stdout_json(&shown);
    assert_eq!(shown["id"], created["id"]);
    assert_eq!(shown["public_key"], created["public_key"]);

    let before = std::fs::read(key).unwrap();
    let again = xianjie_with_env(&["keys", "new", "--out", key], &passphrase);
    assert_eq!(exit_code(&again), 2);
    assert!(
        stderr(&again).contains("refusing to overwrite"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read(key).unwrap(), before);
}

#[test]
fn key_comes_from_the_environment_too() {
    let dir = tempfile::tempdir().unwrap();
    let key = officer_key_file(dir.path());
    let output = Command::new(env!("CARGO_BIN_EXE_xianjie"))
        .args(["--json", "keys", "show"])
        .env("XIANJIE_KEY", &key)
        .output()
        .unwrap();
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output)["id"],
        officer_key().public_key().id().to_hex()
    );
}

#[test]
fn human_keys_show_survives_an_unreachable_node() {
    let dir = tempfile::tempdir().unwrap();
    let key = officer_key_file(dir.path());
    let output = xianjie(&["--node", &closed_port_url(), "--key", &key, "keys", "show"]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("not reachable"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn signing_without_a_key_is_a_usage_error() {
    let output = xianjie(&["evidence", "custody", &"ab".repeat(32), "--action", "seal"]);
    assert_eq!(exit_code(&output), 2);
    assert!(stderr(&output).contains("--key"), "{}", stderr(&output));
}

#[test]
fn unreachable_node_exits_2_and_says_what_to_do() {
    let node = closed_port_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evidence.bin");
    std::fs::write(&file, b"bytes").unwrap();
    for args in [
        vec!["--node", &node, "status"],
        vec![
            "--node",
            &node,
            "--json",
            "evidence",
            "verify",
            file.to_str().unwrap(),
        ],
    ] {
        let output = xianjie(&args);
        assert_eq!(exit_code(&output), 2, "{args:?}");
        let message = stderr(&output);
        assert!(message.contains("cannot reach the node"), "{message}");
        assert!(message.contains("xianjie-node dev"), "{message}");
        assert!(
            output.stdout.is_empty(),
            "nothing on stdout when there is no answer"
        );
    }
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let bad_category = xianjie(&["evidence", "anchor", "f", "--category", "rumour"]);
    assert_eq!(exit_code(&bad_category), 2);
    let missing = xianjie(&[
        "--node",
        &closed_port_url(),
        "evidence",
        "verify",
        "/nonexistent/file.pdf",
    ]);
    assert_eq!(exit_code(&missing), 2);
    assert!(stderr(&missing).contains("/nonexistent/file.pdf"));
}

#[test]
fn status_passes_the_node_answer_through() {
    let node = FakeNode::start(|request| match request.path.as_str() {
        "/v1/status" => (200, status_json(42)),
        _ => (404, api_error("not_found", "no route")),
    });
    let output = xianjie(&["--node", &node.url, "--json", "status"]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let answer = stdout_json(&output);
    assert_eq!(
        (answer["chain_id"].as_str(), answer["height"].as_u64()),
        (Some(common::CHAIN_ID), Some(42))
    );
    let human = xianjie(&["--node", &node.url, "status"]);
    assert!(
        stdout(&human).contains("height        42"),
        "{}",
        stdout(&human)
    );
}

/// A node that knows one anchored file and serves its record and proof.
fn node_with(fixture: &common::Fixture, bundle: Value) -> FakeNode {
    let digest = fixture.digest.to_hex();
    let record = fixture.evidence_json.clone();
    FakeNode::start(move |request| {
        let path = request.path.as_str();
        if path == format!("/v1/evidence/{digest}") {
            (200, record.clone())
        } else if path == format!("/v1/evidence/{digest}/proof") {
            (200, bundle.clone())
        } else if path.starts_with("/v1/evidence/") {
            (
                404,
                api_error("not_anchored", "no evidence with this digest"),
            )
        } else {
            (404, api_error("not_found", "no route"))
        }
    })
}

#[test]
fn verify_reports_anchored_files_with_a_checked_proof() {
    let contents = b"%PDF-1.7 seized ledger pages";
    let fixture = anchored(contents, true);
    let node = node_with(&fixture, fixture.bundle.clone());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ledger.pdf");
    std::fs::write(&file, contents).unwrap();
    let file = file.to_str().unwrap();

    let output = xianjie(&["--node", &node.url, "--json", "evidence", "verify", file]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let answer = stdout_json(&output);
    assert_eq!(answer["anchored"], true);
    assert_eq!(answer["digest"], fixture.digest.to_hex());
    assert_eq!(answer["height"], 1);
    assert_eq!(answer["org"], "market");
    assert_eq!(answer["class"], "A");
    assert_eq!(answer["holder"], "market");
    assert_eq!(answer["proof_verified"], true);
    assert_eq!(answer["custody"][0]["action"], "transfer");

    let human = xianjie(&["--node", &node.url, "evidence", "verify", file]);
    let text = stdout(&human);
    assert_eq!(exit_code(&human), 0);
    for expected in [
        "ANCHORED",
        "proof         verified",
        "+08:00 Asia/Shanghai",
        "A: usable directly",
        "transfer -> police",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn a_changed_file_is_simply_not_anchored() {
    let fixture = anchored(b"original contents", false);
    let node = node_with(&fixture, fixture.bundle.clone());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tampered.pdf");
    std::fs::write(&file, b"original contents, edited").unwrap();
    let file = file.to_str().unwrap();

    let output = xianjie(&["--node", &node.url, "--json", "evidence", "verify", file]);
    assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
    let answer = stdout_json(&output);
    assert_eq!(answer["anchored"], false);
    assert_eq!(
        answer["digest"],
        blake3::hash(b"original contents, edited").to_hex().as_str()
    );
    let human = xianjie(&["--node", &node.url, "evidence", "verify", file]);
    assert_eq!(exit_code(&human), 1);
    assert!(
        stdout(&human).contains("NOT ANCHORED"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn an_inconsistent_proof_exits_2_naming_the_check() {
    let contents = b"photo of the warehouse";
    let fixture = anchored(contents, false);
    let mut bundle = fixture.bundle.clone();
    common::flip_hex(&mut bundle["commit"]["signatures"][0]["signature"]);
    let node = node_with(&fixture, bundle);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("photo.jpg");
    std::fs::write(&file, contents).unwrap();

    let output = xianjie(&[
        "--node",
        &node.url,
        "--json",
        "evidence",
        "verify",
        file.to_str().unwrap(),
    ]);
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("commit certificate check failed"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn show_prints_the_record_or_exits_1() {
    let fixture = anchored(b"contract scan", true);
    let node = node_with(&fixture, fixture.bundle.clone());
    let digest = fixture.digest.to_hex();

    let output = xianjie(&["--node", &node.url, "--json", "evidence", "show", &digest]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let answer = stdout_json(&output);
    assert_eq!(answer["digest"], digest);
    assert_eq!(answer["class"], "A");
    assert_eq!(answer["holder"], "market");
    assert_eq!(answer["pending_transfer"], "police");
    let event = &answer["custody"][0];
    for field in ["action", "org", "to", "height", "time_ms", "tx"] {
        assert!(
            !event[field].is_null(),
            "custody event lacks {field}: {event}"
        );
    }
    assert_eq!(answer["anchor"]["case_id"], "CASE-1");

    let unknown = xianjie(&["--node", &node.url, "evidence", "show", &"00".repeat(32)]);
    assert_eq!(exit_code(&unknown), 1);
    assert!(stdout(&unknown).contains("NOT ANCHORED"));
}

/// A node that commits every valid transaction at height 8 (chain height 7).
fn committing_node() -> FakeNode {
    FakeNode::start(
        |request: &Request| match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/v1/status") => (200, status_json(7)),
            ("POST", "/v1/txs?wait=true") => {
                let signed: SignedTx = match codec::decode(&request.body) {
                    Ok(signed) => signed,
                    Err(error) => return (400, api_error("malformed_tx", &error.to_string())),
                };
                if signed.verify_signature().is_err() {
                    return (401, api_error("bad_signature", "signature does not verify"));
                }
                (
                    200,
                    json!({"hash": signed.hash(), "status": "committed", "height": 8, "index": 0, "outcome": {"status": "ok"}}),
                )
            }
            _ => (404, api_error("not_found", "no route")),
        },
    )
}

fn submitted_tx(node: &FakeNode) -> SignedTx {
    let request = node
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .expect("a transaction was posted");
    codec::decode(&request.body).expect("canonical SignedTx bytes")
}

#[test]
fn anchor_signs_locally_and_submits_the_file_digest() {
    let node = committing_node();
    let dir = tempfile::tempdir().unwrap();
    let key = officer_key_file(dir.path());
    let file = dir.path().join("recording.mp4");
    std::fs::write(&file, b"not really a video").unwrap();
    // Colleagues named by key file: their ids go on chain, and each
    // co-signs the anchor with their key.
    let second = SecretKey::from_bytes(&[22; 32]);
    let second_file = dir.path().join("second.key");
    write_private(&second_file, &KeyFile::to_json(&second));
    let colleague = second.public_key().id().to_hex();
    let third = SecretKey::from_bytes(&[33; 32]);
    let third_file = dir.path().join("third.key");
    write_private(&third_file, &KeyFile::to_json(&third));

    let output = xianjie(&[
        "--node",
        &node.url,
        "--key",
        &key,
        "--json",
        "evidence",
        "anchor",
        file.to_str().unwrap(),
        "--category",
        "audiovisual",
        "--case",
        "CASE-9",
        "--note",
        "handed over by the shop owner",
        "--collected-by",
        second_file.to_str().unwrap(),
        "--collected-by",
        third_file.to_str().unwrap(),
        "--collected-at",
        "1700000000",
    ]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let answer = stdout_json(&output);
    let signed = submitted_tx(&node);
    assert_eq!(
        answer["digest"],
        blake3::hash(b"not really a video").to_hex().as_str()
    );
    assert_eq!(answer["tx"], signed.hash().to_hex());
    assert_eq!(answer["height"], 8);

    assert_eq!(signed.tx.chain_id, common::CHAIN_ID);
    assert_eq!(signed.tx.valid_until, 7 + 100);
    assert_eq!(signed.tx.signer, officer_key().public_key());
    let Call::AnchorEvidence(anchor) = &signed.tx.call else {
        panic!("not an anchor: {:?}", signed.tx.call)
    };
    assert_eq!(anchor.category, EvidenceCategory::Audiovisual);
    assert_eq!(anchor.media_type, "video/mp4");
    assert_eq!(anchor.size, 18);
    assert_eq!(anchor.case_id.as_deref(), Some("CASE-9"));
    assert_eq!(anchor.collected_at, 1_700_000_000);
    assert_eq!(anchor.collected_by[0], officer_key().public_key().id());
    assert_eq!(anchor.collected_by[1].to_hex(), colleague);
    assert_eq!(anchor.collected_by[2], third.public_key().id());
    // Both colleagues co-signed, for this signer and chain.
    let digest = anchor.co_signing_digest(common::CHAIN_ID, &officer_key().public_key().id());
    let co_signers: Vec<_> = anchor.co_signatures.iter().map(|c| c.officer()).collect();
    assert_eq!(
        co_signers,
        vec![second.public_key().id(), third.public_key().id()]
    );
    assert!(anchor
        .co_signatures
        .iter()
        .all(|c| c.verify(&digest).is_ok()));
    assert_eq!(
        answer["signed_by"],
        json!([
            officer_key().public_key().id(),
            second.public_key().id(),
            third.public_key().id()
        ])
    );
    assert_eq!(anchor.capture_method, "file");
    assert!(anchor.capture_tool.starts_with("xianjie-cli "));
    assert_eq!(
        anchor.provenance_note_digest,
        Some(note_digest("handed over by the shop owner"))
    );
    let body = String::from_utf8_lossy(
        &node
            .requests()
            .into_iter()
            .find(|r| r.method == "POST")
            .unwrap()
            .body,
    )
    .into_owned();
    assert!(
        !body.contains("shop owner"),
        "the note text itself never goes on chain"
    );
}

/// Writes `key` as a key file named `name` in `dir`.
fn key_file(dir: &Path, name: &str, key: &SecretKey) -> String {
    let path = dir.join(name);
    write_private(&path, &KeyFile::to_json(key));
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_collector_named_by_id_alone_is_refused_before_anything_is_sent() {
    let node = committing_node();
    let dir = tempfile::tempdir().unwrap();
    let key = officer_key_file(dir.path());
    let file = dir.path().join("scan.pdf");
    std::fs::write(&file, b"scan").unwrap();
    let colleague = SecretKey::from_bytes(&[22; 32]).public_key().id().to_hex();
    let output = xianjie(&[
        "--node",
        &node.url,
        "--key",
        &key,
        "evidence",
        "anchor",
        file.to_str().unwrap(),
        "--category",
        "documentary",
        "--collected-by",
        &colleague,
    ]);
    assert_eq!(exit_code(&output), 2, "{}", stderr(&output));
    let message = stderr(&output);
    for hint in [
        colleague.as_str(),
        "--unsigned-out",
        "evidence cosign",
        "--draft",
    ] {
        assert!(message.contains(hint), "{hint} missing from: {message}");
    }
    assert!(node.requests().iter().all(|r| r.method != "POST"));
}

#[test]
fn a_draft_is_co_signed_by_the_colleague_and_then_submitted() {
    let node = committing_node();
    let dir = tempfile::tempdir().unwrap();
    let key = officer_key_file(dir.path());
    let colleague = SecretKey::from_bytes(&[22; 32]);
    let colleague_key = key_file(dir.path(), "colleague.key", &colleague);
    let stranger_key = key_file(
        dir.path(),
        "stranger.key",
        &SecretKey::from_bytes(&[44; 32]),
    );
    let file = dir.path().join("scan.pdf");
    std::fs::write(&file, b"scan").unwrap();
    let draft = dir.path().join("scan.draft");
    let draft_arg = draft.to_str().unwrap();
    let with_node = |key: &str, args: &[&str]| {
        let mut all: Vec<&str> = vec!["--node", node.url.as_str(), "--key", key];
        all.extend_from_slice(args);
        xianjie(&all)
    };
    let id = colleague.public_key().id().to_hex();
    let file_arg = file.to_str().unwrap();

    // 1. The draft: written, nothing submitted.
    let written = with_node(
        &key,
        &[
            "--json",
            "evidence",
            "anchor",
            file_arg,
            "--category",
            "documentary",
            "--collected-by",
            &id,
            "--unsigned-out",
            draft_arg,
        ],
    );
    assert_eq!(exit_code(&written), 0, "{}", stderr(&written));
    assert_eq!(stdout_json(&written)["missing_co_signatures"], json!([id]));
    // Submitting it before the colleague co-signed is refused, saying who must.
    let early = with_node(&key, &["evidence", "anchor", "--draft", draft_arg]);
    assert_eq!(exit_code(&early), 2);
    assert!(stderr(&early).contains(&id) && stderr(&early).contains("evidence cosign"));
    // Only a named collector co-signs.
    let stranger = xianjie(&["--key", &stranger_key, "evidence", "cosign", draft_arg]);
    assert_eq!(exit_code(&stranger), 2);
    assert!(
        stderr(&stranger).contains("not named as a collector"),
        "{}",
        stderr(&stranger)
    );
    assert!(node.requests().iter().all(|r| r.method != "POST"));

    // 2. The colleague co-signs, offline, checking the file in hand.
    let cosigned = xianjie(&[
        "--key",
        &colleague_key,
        "--json",
        "evidence",
        "cosign",
        draft_arg,
        "--file",
        file_arg,
    ]);
    assert_eq!(exit_code(&cosigned), 0, "{}", stderr(&cosigned));
    assert_eq!(stdout_json(&cosigned)["missing_co_signatures"], json!([]));

    // 3. The first officer submits it.
    let submitted = with_node(
        &key,
        &[
            "--json", "evidence", "anchor", file_arg, "--draft", draft_arg,
        ],
    );
    assert_eq!(exit_code(&submitted), 0, "{}", stderr(&submitted));
    let signed = submitted_tx(&node);
    let Call::AnchorEvidence(anchor) = &signed.tx.call else {
        panic!("not an anchor: {:?}", signed.tx.call)
    };
    assert_eq!(
        anchor.digest.to_hex(),
        blake3::hash(b"scan").to_hex().as_str()
    );
    assert_eq!(anchor.co_signatures.len(), 1);
    assert_eq!(
        anchor.co_signatures[0].officer(),
        colleague.public_key().id()
    );
    let digest = anchor.co_signing_digest(common::CHAIN_ID, &signed.signer_id());
    assert!(anchor.co_signatures[0].verify(&digest).is_ok());
}

#[test]
fn custody_records_the_event() {
    let node = committing_node();
    let dir = tempfile::tempdir().unwrap();
    let key = officer_key_file(dir.path());
    let digest = "ab".repeat(32);
    let output = xianjie(&[
        "--node",
        &node.url,
        "--key",
        &key,
        "--json",
        "evidence",
        "custody",
        &digest,
        "--action",
        "transfer",
        "--to",
        "police-330100",
        "--note",
        "case file 2024-17",
    ]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let answer = stdout_json(&output);
    assert_eq!(
        (answer["digest"].as_str(), answer["action"].as_str()),
        (Some(digest.as_str()), Some("transfer"))
    );
    assert_eq!(answer["height"], 8);
    let signed = submitted_tx(&node);
    assert_eq!(answer["tx"], signed.hash().to_hex());
    let Call::RecordCustody(custody) = &signed.tx.call else {
        panic!("not custody")
    };
    assert_eq!(custody.action, CustodyAction::Transfer);
    assert_eq!(
        custody.to.as_ref().map(|org| org.as_str()),
        Some("police-330100")
    );
    assert_eq!(custody.note_digest, Some(note_digest("case file 2024-17")));
}

#[test]
fn a_refused_transaction_prints_code_and_message_and_exits_1() {
    let node = FakeNode::start(|request| match request.path.as_str() {
        "/v1/status" => (200, status_json(3)),
        "/v1/txs?wait=true" => (
            422,
            json!({"error": {"code": "not_holder", "message": "market does not hold this item", "tx": "00", "height": 4}}),
        ),
        _ => (404, api_error("not_found", "no route")),
    });
    let dir = tempfile::tempdir().unwrap();
    let key = officer_key_file(dir.path());
    let digest = "cd".repeat(32);
    let args = [
        "--node", &node.url, "--key", &key, "evidence", "custody", &digest, "--action", "seal",
    ];

    let human = xianjie(&args);
    assert_eq!(exit_code(&human), 1);
    assert!(
        stderr(&human).contains("not_holder: market does not hold this item"),
        "{}",
        stderr(&human)
    );

    let mut json_args = args.to_vec();
    json_args.insert(0, "--json");
    let output = xianjie(&json_args);
    assert_eq!(exit_code(&output), 1);
    let answer = stdout_json(&output);
    assert_eq!(
        (answer["refused"].as_bool(), answer["code"].as_str()),
        (Some(true), Some("not_holder"))
    );
    assert_eq!(answer["height"], 4);
}

#[test]
fn transfer_without_recipient_is_refused_before_signing() {
    let node = committing_node();
    let dir = tempfile::tempdir().unwrap();
    let key = officer_key_file(dir.path());
    let output = xianjie(&[
        "--node",
        &node.url,
        "--key",
        &key,
        "evidence",
        "custody",
        &"ab".repeat(32),
        "--action",
        "transfer",
    ]);
    assert_eq!(exit_code(&output), 2);
    assert!(stderr(&output).contains("--to ORG"));
    assert!(node.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_server_error_exits_2() {
    let node = FakeNode::start(|_| (500, api_error("internal", "disk full")));
    let output = xianjie(&["--node", &node.url, "status"]);
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("HTTP 500 internal: disk full"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn hash_prints_the_plain_blake3_digest_offline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    let expected = blake3::hash(&bytes).to_hex().to_string();
    let file = path.to_str().unwrap();
    // No node is running at this address: hashing must not need one.
    let text = xianjie(&["--node", &closed_port_url(), "evidence", "hash", file]);
    assert_eq!(exit_code(&text), 0, "{}", stderr(&text));
    assert_eq!(stdout(&text).trim(), expected);
    let json = xianjie(&["--json", "evidence", "hash", file]);
    assert_eq!(stdout_json(&json)["digest"], expected);
    assert_eq!(stdout_json(&json)["size"], 200_000);
    let missing = xianjie(&["evidence", "hash", "/nonexistent/file"]);
    assert_eq!(exit_code(&missing), 2);
}
