//! Test support: a real little chain built with the ledger's own store (so
//! proofs are genuine), and a fake node that serves canned HTTP answers.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use xianjie_ledger::block::{
    Block, BlockResults, Commit, CommitSignature, Header, TxOutcome, TxResult,
};
use xianjie_ledger::codec::encode;
use xianjie_ledger::crypto::{vote_digest, KeyId, SecretKey, VoteKind};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::merkle;
use xianjie_ledger::model::{
    CustodyAction, CustodyEvent, EvidenceAnchor, EvidenceCategory, EvidenceClass, EvidenceRecord,
};
use xianjie_ledger::state::keys;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::tx::{Call, RecordCustody, RevokeOfficer, SignedTx, Tx};
use xianjie_ledger::validators::{Validator, ValidatorSet};
use xianjie_ledger::Hash;
use xianjie_store::Store;

pub const CHAIN_ID: &str = "xianjie-test";
pub const ANCHOR_TIME_MS: u64 = 1_700_000_000_000;

/// An anchored file: its record, the `/v1/evidence` JSON and the `/proof` JSON.
pub struct Fixture {
    pub digest: Hash,
    pub record: EvidenceRecord,
    pub evidence_json: Value,
    pub bundle: Value,
}

struct Chain {
    store: Store,
    validator: SecretKey,
    validators: ValidatorSet,
    prev_hash: Hash,
}

impl Chain {
    fn new() -> Self {
        let validator = SecretKey::from_bytes(&[11u8; 32]);
        let validators = ValidatorSet::new(vec![Validator {
            public_key: validator.public_key(),
            power: 10,
            org: org("court"),
        }]);
        let store = Store::temporary().unwrap();
        let genesis_hash = Hash([1u8; 32]);
        store.init_genesis(genesis_hash, WriteSet::new()).unwrap();
        Chain {
            store,
            validator,
            validators,
            prev_hash: genesis_hash,
        }
    }

    /// Commits a block of `txs` writing `record`; returns its header and certificate.
    fn commit(
        &mut self,
        height: u64,
        time_ms: u64,
        txs: Vec<SignedTx>,
        record: &EvidenceRecord,
    ) -> (Header, Commit) {
        let mut writes = WriteSet::new();
        writes.insert(keys::evidence(&record.anchor.digest), Some(encode(record)));
        let update = self.store.compute_state_update(writes, height).unwrap();
        let hashes: Vec<Hash> = txs.iter().map(SignedTx::hash).collect();
        let results = BlockResults(
            hashes
                .iter()
                .map(|tx| TxResult {
                    tx: *tx,
                    outcome: TxOutcome::Ok,
                })
                .collect(),
        );
        let header = Header {
            chain_id: CHAIN_ID.into(),
            height,
            time_ms,
            prev_hash: self.prev_hash,
            history_root: self.store.history_root(height - 1).unwrap(),
            tx_root: merkle::root(&hashes),
            tx_count: txs.len() as u32,
            state_root: update.root,
            results_root: results.root(),
            validators_hash: self.validators.hash(),
            proposer: self.validator.public_key().id(),
        };
        let block_hash = header.hash();
        let vote = vote_digest(CHAIN_ID, height, 0, VoteKind::Precommit, Some(&block_hash));
        let commit = Commit {
            height,
            round: 0,
            block_hash,
            signatures: vec![CommitSignature {
                validator: self.validator.public_key().id(),
                signature: self.validator.sign(&vote.0),
            }],
        };
        let block = Block {
            header: header.clone(),
            txs,
        };
        self.store
            .commit_block(&block, &results, &commit, &update)
            .unwrap();
        self.prev_hash = block_hash;
        (header, commit)
    }
}

pub fn org(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

pub fn officer_key() -> SecretKey {
    SecretKey::from_bytes(&[12u8; 32])
}

fn sign(key: &SecretKey, nonce: u64, call: Call) -> SignedTx {
    Tx {
        chain_id: CHAIN_ID.into(),
        signer: key.public_key(),
        nonce,
        valid_until: 1000,
        call,
    }
    .sign(key)
}

fn inclusion_json(txs: &[SignedTx], index: usize, header: &Header, commit: &Commit) -> Value {
    let hashes: Vec<Hash> = txs.iter().map(SignedTx::hash).collect();
    json!({
        "tx": hex::encode(encode(&txs[index])),
        "tx_hash": hashes[index],
        "height": header.height,
        "index": index,
        "header": header,
        "commit": commit,
        "inclusion": merkle::prove(&hashes, index).unwrap(),
    })
}

/// Anchors `file_bytes` in block 1 (after a filler tx, so the Merkle path is
/// not empty); with `transfer`, block 2 records a transfer to `police`.
pub fn anchored(file_bytes: &[u8], transfer: bool) -> Fixture {
    let mut chain = Chain::new();
    let officer = officer_key();
    let digest = xianjie_ledger::hash::file_digest(file_bytes);
    let anchor = EvidenceAnchor {
        digest,
        size: file_bytes.len() as u64,
        media_type: "application/pdf".into(),
        category: EvidenceCategory::Electronic,
        case_id: Some("CASE-1".into()),
        collected_at: 1_699_990_000,
        collected_by: vec![officer.public_key().id()],
        capture_method: "file".into(),
        capture_tool: "test".into(),
        provenance_note_digest: None,
        supersedes: None,
        co_signatures: Vec::new(),
    };
    let filler = sign(
        &SecretKey::from_bytes(&[13u8; 32]),
        1,
        Call::RevokeOfficer(RevokeOfficer {
            officer: KeyId([9; 20]),
        }),
    );
    let anchor_tx = sign(&officer, 2, Call::AnchorEvidence(anchor.clone()));
    let mut record = EvidenceRecord {
        anchor,
        class: EvidenceClass::DirectUse,
        org: org("market"),
        anchored_by: officer.public_key().id(),
        height: 1,
        time_ms: ANCHOR_TIME_MS,
        tx: anchor_tx.hash(),
        holder: org("market"),
        pending_transfer: None,
        custody: vec![],
        superseded_by: None,
        destroyed: false,
    };
    let block_1 = vec![filler, anchor_tx];
    let (mut header, mut commit) = chain.commit(1, ANCHOR_TIME_MS, block_1.clone(), &record);
    let anchor_json = inclusion_json(&block_1, 1, &header, &commit);
    let mut custody_json = vec![];
    if transfer {
        let call = RecordCustody {
            digest,
            action: CustodyAction::Transfer,
            to: Some(org("police")),
            note_digest: None,
        };
        let custody_tx = sign(&officer, 3, Call::RecordCustody(call));
        record.custody.push(CustodyEvent {
            action: CustodyAction::Transfer,
            org: org("market"),
            officer: officer.public_key().id(),
            to: Some(org("police")),
            note_digest: None,
            height: 2,
            time_ms: ANCHOR_TIME_MS + 5000,
            tx: custody_tx.hash(),
        });
        record.pending_transfer = Some(org("police"));
        let block_2 = vec![custody_tx];
        (header, commit) = chain.commit(2, ANCHOR_TIME_MS + 5000, block_2.clone(), &record);
        custody_json.push(inclusion_json(&block_2, 0, &header, &commit));
    }
    let key = keys::evidence(&digest);
    let (value, proof) = chain.store.state_proof(&key, header.height).unwrap();
    assert_eq!(
        value,
        Some(encode(&record)),
        "fixture state holds the record"
    );
    let bundle = json!({
        "digest": digest,
        "height": header.height,
        "header": header,
        "block_hash": header.hash(),
        "commit": commit,
        "validators": chain.validators,
        "state": {"key": hex::encode(&key), "value": hex::encode(encode(&record)), "proof": hex::encode(encode(&proof))},
        "anchor": anchor_json,
        "custody": custody_json,
    });
    let mut evidence_json = serde_json::to_value(&record).unwrap();
    evidence_json["digest"] = json!(digest);
    Fixture {
        digest,
        record,
        evidence_json,
        bundle,
    }
}

/// Changes the first hex digit of a hex string in place.
pub fn flip_hex(value: &mut Value) {
    let text = value.as_str().expect("a hex string").to_owned();
    let first = if text.starts_with('0') { '1' } else { '0' };
    *value = Value::String(format!("{first}{}", &text[1..]));
}

/// One request the fake node received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

type Handler = dyn Fn(&Request) -> (u16, Value) + Send + Sync;

/// A fake node on a local port answering with `handler`, one connection at a time.
pub struct FakeNode {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeNode {
    pub fn start(handler: impl Fn(&Request) -> (u16, Value) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, handler.as_ref(), &seen);
            }
        });
        FakeNode { url, requests }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// Answers one request, recording it before answering: the client may exit,
/// and the test read the record, as soon as the answer arrives.
fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body).ok()?;
    let request = Request { method, path, body };
    let (status, answer) = handler(&request);
    seen.lock().unwrap().push(request);
    let text = answer.to_string();
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let mut stream = stream;
    stream.write_all(response.as_bytes()).ok()
}

/// The error body the node sends.
pub fn api_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

/// A `/v1/status` answer.
pub fn status_json(height: u64) -> Value {
    json!({
        "chain_id": CHAIN_ID, "height": height, "latest_block_hash": "00".repeat(32),
        "latest_time_ms": ANCHOR_TIME_MS, "state_root": "00".repeat(32), "genesis_hash": "01".repeat(32),
        "mempool_size": 0, "validators": [], "version": "test",
    })
}

/// A local port nothing listens on (bound, then released).
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
