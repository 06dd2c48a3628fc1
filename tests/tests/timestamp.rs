//! Trusted timestamps and court-chain deposits with the real binaries and a
//! real time-stamp authority: OpenSSL's `openssl ts -reply`, behind a small
//! HTTP front that this test runs, with a CA and TSA certificate it makes.
//!
//! `xianjie checkpoint timestamp` has the TSA stamp the newest checkpoint
//! and records the token on chain; the receipt of evidence anchored before
//! it carries the token, and `xianjie verify --tsa-cert` accepts it under
//! that TSA and refuses it under another. The ledger refuses a token over
//! another checkpoint. A deposit bundle is exported, its number recorded,
//! and the next receipt names it.

#[allow(dead_code)]
#[path = "../../timestamp/tests/support/mod.rs"]
mod tsa_pki;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use tsa_pki::{Eku, KeyKind, Pki, TsSettings};
use xianjie_ledger::codec::encode;
use xianjie_ledger::crypto::KeyFile;
use xianjie_ledger::timestamps::imprint_of;
use xianjie_ledger::tx::{Call, RecordTimestamp, Tx};
use xianjie_tests::{write_sample_file, DevNode};
use xianjie_timestamp::{parse_response, TimestampRequest};

/// A TSA: `openssl ts -reply` answering RFC 3161 requests POSTed over HTTP.
struct Tsa {
    pki: Arc<Pki>,
    url: String,
}

impl Tsa {
    fn start(ca_name: &str) -> Tsa {
        let pki = Pki::new(KeyKind::P256, ca_name);
        pki.issue_tsa("tsa", KeyKind::P256, Eku::CriticalTimeStamping, 7);
        let pki = Arc::new(pki);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        let serving = Arc::clone(&pki);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                answer(&serving, stream);
            }
        });
        Tsa { pki, url }
    }

    fn cert(&self, file: &str) -> String {
        self.pki.path(file)
    }

    /// A token over `data`'s SHA-256, straight from openssl.
    fn token_over(&self, data: &str) -> Vec<u8> {
        let request = TimestampRequest::for_sha256(imprint_of(data), 1);
        let response = self
            .pki
            .reply("tsa", &TsSettings::default(), &request.to_der());
        parse_response(&response).unwrap().into_der()
    }
}

/// One HTTP/1.1 exchange: read the POSTed request, answer openssl's reply.
fn answer(pki: &Pki, stream: TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut request = vec![0; length];
    reader.read_exact(&mut request).unwrap();
    let reply = pki.reply("tsa", &TsSettings::default(), &request);
    let mut stream = reader.into_inner();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/timestamp-reply\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        reply.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&reply).unwrap();
}

/// One round of `xianjie checkpoint timestamp` by the court against `tsa`,
/// trusting `cert`.
fn stamp(node: &DevNode, tsa: &Tsa, cert: &str) -> xianjie_tests::CliRun {
    stamp_as(node, "court-officer", tsa, cert)
}

fn stamp_as(node: &DevNode, key: &str, tsa: &Tsa, cert: &str) -> xianjie_tests::CliRun {
    node.cli_as(
        key,
        &[
            "checkpoint",
            "timestamp",
            "--tsa",
            &tsa.url,
            "--tsa-cert",
            cert,
        ],
    )
}

fn verify(node: &DevNode, receipt: &Path, extra: &[&str]) -> xianjie_tests::CliRun {
    xianjie_tests::verify_receipt(receipt, &node.home.join("genesis.json"), extra)
}

fn receipt(node: &DevNode, digest: &str, out: &Path) {
    node.cli_as(
        "market-officer",
        &["evidence", "receipt", digest, "-o", out.to_str().unwrap()],
    )
    .expect_code(0);
}

fn get(node: &DevNode, path: &str) -> Value {
    ureq::get(format!("{}{path}", node.url))
        .call()
        .unwrap()
        .into_body()
        .read_json()
        .unwrap()
}

#[test]
fn a_checkpoint_stamped_by_a_real_tsa_dates_the_receipt_and_only_that_tsa_verifies_it() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let file = dir.path().join("seized.bin");
    write_sample_file(&file, 4096, 31);
    let anchored = node.anchor_as_market(&file, &[]);
    let digest = anchored["digest"].as_str().unwrap().to_owned();
    let anchor_height = anchored["height"].as_u64().unwrap();
    // The dev chain makes blocks only for transactions: the history holding
    // the anchor's block is stated by the next block's header.
    let tsa = Tsa::start("Xianjie Test TSA CA");
    assert_eq!(
        stamp(&node, &tsa, &tsa.cert("ca.crt"))
            .expect_code(0)
            .json()["stamped"],
        false
    );
    anchor_filler(&node, dir.path(), 1);
    let elsewhere = Tsa::start("Another CA");

    // Under a certificate it was not issued by, the TSA's token is not
    // recorded; under its CA it is.
    let refused = stamp(&node, &tsa, &elsewhere.cert("ca.crt")).expect_code(2);
    assert!(
        refused.stderr.contains("does not verify"),
        "{}",
        refused.stderr
    );
    assert_eq!(court_log(&node)["count"], 0);
    let stamped = stamp(&node, &tsa, &tsa.cert("ca.crt"))
        .expect_code(0)
        .json();
    assert_eq!(stamped["stamped"], true, "{stamped:#}");
    let size = stamped["size"].as_u64().unwrap();
    assert!(size >= anchor_height, "{stamped:#}");
    let log = court_log(&node);
    assert_eq!(log["count"], 1);
    assert_eq!(log["last_size"], size);

    // The receipt carries the token: checked under the TSA's CA and under
    // the TSA's own certificate, refused under another CA.
    let receipt_path = dir.path().join("seized.receipt");
    receipt(&node, &digest, &receipt_path);
    let plain = verify(&node, &receipt_path, &[]).expect_code(0).json();
    assert_eq!(plain["timestamps_carried"], 1, "{plain:#}");
    assert!(plain["timestamp"].is_null());
    for cert in ["ca.crt", "tsa.crt"] {
        let checked = verify(&node, &receipt_path, &["--tsa-cert", &tsa.cert(cert)])
            .expect_code(0)
            .json();
        let timestamp = &checked["timestamp"];
        assert_eq!(timestamp["history_size"], size, "{checked:#}");
        assert_eq!(
            timestamp["gen_time_ms"], stamped["gen_time_ms"],
            "{checked:#}"
        );
        assert_eq!(timestamp["serial"], stamped["serial"]);
        // Stamped after its block, as the TSA's clock and the block's agree.
        let after = timestamp["after_block_time_ms"].as_i64().unwrap();
        assert!((0..120_000).contains(&(after + 1_000)), "{checked:#}");
    }
    let wrong = verify(
        &node,
        &receipt_path,
        &["--tsa-cert", &elsewhere.cert("ca.crt")],
    )
    .expect_code(1)
    .json();
    assert_eq!(wrong["reason"], "timestamp_unverified", "{wrong:#}");

    // A token over another checkpoint is refused by the ledger, and a token
    // for an older checkpoint than the last one too.
    let latest = get(&node, "/v1/checkpoints/latest");
    let body = latest["body"].as_str().unwrap().to_owned();
    let forged = Call::RecordTimestamp(RecordTimestamp {
        checkpoint: body.clone(),
        token: tsa.token_over(&body.replace('\n', " ")),
    });
    assert_eq!(submit(&node, forged), "timestamp_not_for_checkpoint");
    let old = log["latest"]["checkpoint"].as_str().unwrap().to_owned();
    let replayed = Call::RecordTimestamp(RecordTimestamp {
        checkpoint: old.clone(),
        token: tsa.token_over(&old),
    });
    assert_eq!(submit(&node, replayed), "timestamp_not_newer");
    assert_eq!(court_log(&node)["count"], 1);

    // Evidence anchored after the stamp has no token yet; the next round
    // stamps a larger checkpoint that holds it.
    let later = dir.path().join("later.bin");
    write_sample_file(&later, 4096, 32);
    let later_digest = node.anchor_as_market(&later, &[])["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    let later_receipt = dir.path().join("later.receipt");
    receipt(&node, &later_digest, &later_receipt);
    let none = verify(&node, &later_receipt, &["--tsa-cert", &tsa.cert("ca.crt")])
        .expect_code(1)
        .json();
    assert_eq!(none["reason"], "timestamp_unverified");
    anchor_filler(&node, dir.path(), 2);
    let second = stamp(&node, &tsa, &tsa.cert("ca.crt"))
        .expect_code(0)
        .json();
    assert!(second["size"].as_u64().unwrap() > size, "{second:#}");
    receipt(&node, &later_digest, &later_receipt);
    verify(&node, &later_receipt, &["--tsa-cert", &tsa.cert("ca.crt")]).expect_code(0);
    // The first evidence keeps the earliest token: the strongest date.
    receipt(&node, &digest, &receipt_path);
    let first = verify(&node, &receipt_path, &["--tsa-cert", &tsa.cert("ca.crt")])
        .expect_code(0)
        .json();
    assert_eq!(first["timestamp"]["history_size"], size);

    // The procuratorate stamps with a TSA the court does not trust: its own
    // log, so the court's stamps still count, and a receipt carries one
    // token of each; each TSA's certificate verifies its own, and given
    // both, the earlier date is shown.
    anchor_filler(&node, dir.path(), 3);
    let other = stamp_as(
        &node,
        "procuratorate-officer",
        &elsewhere,
        &elsewhere.cert("ca.crt"),
    )
    .expect_code(0)
    .json();
    assert_eq!(other["org"], "procuratorate", "{other:#}");
    assert_eq!(court_log(&node)["count"], 2);
    receipt(&node, &digest, &receipt_path);
    let both = verify(&node, &receipt_path, &[]).expect_code(0).json();
    assert_eq!(both["timestamps_carried"], 2, "{both:#}");
    // Each TSA's token is over its organisation's checkpoint: the court's
    // first one, the procuratorate's larger one.
    assert!(other["size"].as_u64().unwrap() > size, "{other:#}");
    for (cert, stamped_size) in [
        (tsa.cert("ca.crt"), &stamped["size"]),
        (elsewhere.cert("ca.crt"), &other["size"]),
    ] {
        let checked = verify(&node, &receipt_path, &["--tsa-cert", &cert])
            .expect_code(0)
            .json();
        assert_eq!(
            &checked["timestamp"]["history_size"], stamped_size,
            "{checked:#}"
        );
    }
    let earliest = verify(
        &node,
        &receipt_path,
        &[
            "--tsa-cert",
            &elsewhere.cert("ca.crt"),
            "--tsa-cert",
            &tsa.cert("ca.crt"),
        ],
    )
    .expect_code(0)
    .json();
    assert_eq!(earliest["timestamp"]["history_size"], size, "{earliest:#}");
}

/// The court's time-stamp log, as `GET /v1/checkpoints/timestamped` lists it
/// (zeros before it stamps anything).
fn court_log(node: &DevNode) -> Value {
    let view = get(node, "/v1/checkpoints/timestamped");
    view["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|log| log["org"] == "court")
        .cloned()
        .unwrap_or_else(|| serde_json::json!({ "count": 0, "last_size": 0 }))
}

/// Anchors one more file, so that a later header states the history
/// holding the blocks before it.
fn anchor_filler(node: &DevNode, dir: &Path, seed: u64) {
    let file = dir.join(format!("filler-{seed}.bin"));
    write_sample_file(&file, 512, 900 + seed);
    node.anchor_as_market(&file, &[]);
}

/// Signs `call` with the court officer's demo key and submits it, waiting
/// for the commit; returns the outcome's code (`ok` or the refusal).
fn submit(node: &DevNode, call: Call) -> String {
    let key = KeyFile::parse(&std::fs::read_to_string(node.key("court-officer")).unwrap()).unwrap();
    let status = get(node, "/v1/status");
    let signed = Tx {
        chain_id: status["chain_id"].as_str().unwrap().to_owned(),
        signer: key.public_key(),
        nonce: rand::random(),
        valid_until: status["height"].as_u64().unwrap() + 50,
        call,
    }
    .sign(&key);
    let mut response = ureq::post(format!("{}/v1/txs?wait=true", node.url))
        .config()
        .http_status_as_error(false)
        .build()
        .header("content-type", "application/octet-stream")
        .send(&encode(&signed)[..])
        .unwrap();
    let answer: Value = response.body_mut().read_json().unwrap();
    answer["outcome"]["code"]
        .as_str()
        .or(answer["error"]["code"].as_str())
        .or(answer["outcome"]["status"].as_str())
        .unwrap_or_else(|| panic!("no outcome in {answer:#}"))
        .to_owned()
}

#[test]
fn a_deposit_bundle_is_exported_its_number_recorded_and_named_by_the_next_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let file = dir.path().join("ledger-book.pdf");
    write_sample_file(&file, 8192, 33);
    let digest = node.anchor_as_market(&file, &[])["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    // Against another chain's genesis the receipt does not verify, and
    // nothing is written.
    let genesis_text = std::fs::read_to_string(node.home.join("genesis.json")).unwrap();
    let other_genesis = dir.path().join("other-genesis.json");
    let other_chain = genesis_text.replacen("\"chain_id\": \"", "\"chain_id\": \"other-", 1);
    assert_ne!(other_chain, genesis_text);
    std::fs::write(&other_genesis, other_chain).unwrap();
    let unproven = dir.path().join("unproven.json");
    let refused = node.cli_as(
        "procuratorate-officer",
        &[
            "evidence",
            "export-deposit",
            &digest,
            "-o",
            unproven.to_str().unwrap(),
            "--genesis",
            other_genesis.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("chain_id_mismatch"),
        "{}",
        refused.stderr
    );
    assert!(!unproven.exists());
    let bundle = dir.path().join("deposit.json");
    let exported = node
        .cli_as(
            "procuratorate-officer",
            &[
                "evidence",
                "export-deposit",
                &digest,
                "-o",
                bundle.to_str().unwrap(),
                "--genesis",
                node.home.join("genesis.json").to_str().unwrap(),
            ],
        )
        .expect_code(0)
        .json();
    let bytes = std::fs::read(&bundle).unwrap();
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    assert_eq!(exported["bundle_sha256"], sha256);
    let parsed: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(parsed["format"], "xianjie-deposit/1");
    assert_eq!(parsed["evidence"]["digest_blake3"], digest);
    let receipt_bytes = hex::decode(parsed["receipt_hex"].as_str().unwrap()).unwrap();
    let carried = dir.path().join("carried.receipt");
    std::fs::write(&carried, &receipt_bytes).unwrap();
    let from_bundle = verify(&node, &carried, &["--file", file.to_str().unwrap()])
        .expect_code(0)
        .json();
    assert_eq!(from_bundle["deposits"], Value::Array(Vec::new()));

    // The police are no party to this evidence: the policy refuses them.
    let record = |key: &str, number: &str, bundle: &Path| {
        node.cli_as(
            key,
            &[
                "evidence",
                "record-deposit",
                &digest,
                "--court-chain",
                "tianping",
                "--deposit-id",
                number,
                "--bundle",
                bundle.to_str().unwrap(),
            ],
        )
    };
    let denied = record("police-officer", "TP-2026-000123", &bundle)
        .expect_code(1)
        .json();
    assert_eq!(denied["code"], "policy_denied", "{denied:#}");
    let recorded = record("procuratorate-officer", "TP-2026-000123", &bundle)
        .expect_code(0)
        .json();
    assert_eq!(recorded["bundle_sha256"], sha256);
    let again = record("procuratorate-officer", "TP-2026-000123", &bundle)
        .expect_code(1)
        .json();
    assert_eq!(again["code"], "deposit_exists", "{again:#}");
    // Bad input changes nothing: a number with a space, another file's bundle.
    let spaced = record("procuratorate-officer", "TP 1", &bundle);
    assert_ne!(spaced.code, 0);
    assert!(spaced.stderr.contains("--deposit-id"), "{}", spaced.stderr);
    let other = dir.path().join("other.json");
    std::fs::write(
        &other,
        String::from_utf8(bytes.clone())
            .unwrap()
            .replace(&digest, &"0".repeat(64)),
    )
    .unwrap();
    let mismatched = record("procuratorate-officer", "TP-2026-000124", &other);
    assert_ne!(mismatched.code, 0);
    assert!(
        mismatched.stderr.contains("not the deposit bundle"),
        "{}",
        mismatched.stderr
    );

    let receipt_path = dir.path().join("named.receipt");
    receipt(&node, &digest, &receipt_path);
    let named = verify(&node, &receipt_path, &[]).expect_code(0).json();
    let deposits = named["deposits"].as_array().unwrap();
    assert_eq!(deposits.len(), 1, "{named:#}");
    assert_eq!(deposits[0]["court_chain"], "tianping");
    assert_eq!(deposits[0]["deposit_id"], "TP-2026-000123");
    assert_eq!(deposits[0]["bundle_sha256"], sha256);
    assert_eq!(deposits[0]["org"], "procuratorate");

    // A receipt whose deposit list was edited no longer verifies.
    let mut tampered = std::fs::read(&receipt_path).unwrap();
    let at = tampered
        .windows(b"TP-2026-000123".len())
        .position(|w| w == b"TP-2026-000123")
        .unwrap();
    tampered[at + 13] = b'4';
    let tampered_path = dir.path().join("tampered.receipt");
    std::fs::write(&tampered_path, &tampered).unwrap();
    let refused = verify(&node, &tampered_path, &[]).expect_code(1).json();
    assert_eq!(refused["reason"], "deposit_proof_invalid", "{refused:#}");
}
