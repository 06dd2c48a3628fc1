//! A dev chain in a temporary directory, driven through the router without
//! sockets, with the real block producer running.

#![allow(dead_code)] // each test file uses a different part of the kit

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use rand::RngCore as _;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt as _;
use xianjie_ledger::codec;
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::hash::{file_digest, Hash};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::inspection::{Conclusion, LabRef};
use xianjie_ledger::model::{CustodyAction, EvidenceAnchor, EvidenceCategory};
use xianjie_ledger::read_auth::SignedRead;
use xianjie_ledger::tx::{Accredit, Call, RecordCustody, RecordInspection, SignedTx, Tx};
use xianjie_node::dev::{DevHome, DEV_CHAIN_ID};
use xianjie_node::{Node, NodeConfig};

/// A running dev node and its home.
pub struct TestChain {
    pub dir: TempDir,
    pub node: Node,
}

/// A response: status and parsed JSON body.
pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
}

impl Reply {
    /// `error.code` of an error body.
    pub fn code(&self) -> &str {
        self.json["error"]["code"]
            .as_str()
            .unwrap_or("<no error.code>")
    }
}

impl TestChain {
    /// Creates a dev home in a new temporary directory and starts a node.
    pub async fn start() -> TestChain {
        TestChain::start_with(|_| {}).await
    }

    /// As [`TestChain::start`], with the test's own limits or timeouts.
    pub async fn start_with(configure: impl FnOnce(&mut NodeConfig)) -> TestChain {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut config = test_config(dir.path());
        configure(&mut config);
        let node = Node::start_dev(config).await.expect("dev node starts");
        TestChain { dir, node }
    }

    /// Stops the node and starts a new one on the same home.
    pub async fn restart(self) -> TestChain {
        let TestChain { dir, node } = self;
        node.shutdown().await.expect("clean shutdown");
        let node = Node::start_dev(test_config(dir.path()))
            .await
            .expect("dev node restarts");
        TestChain { dir, node }
    }

    pub fn home(&self) -> DevHome {
        DevHome::new(self.dir.path().join("home"))
    }

    pub fn router(&self) -> Router {
        self.node.router()
    }

    /// A demo key, e.g. `key("police", "officer")`.
    pub fn key(&self, org: &str, role: &str) -> SecretKey {
        self.home().officer_key(org, role).expect("demo key file")
    }

    pub async fn request(&self, method: Method, uri: &str, body: Vec<u8>) -> Reply {
        send(self.router(), method, uri, body).await
    }

    /// A request signed as a read by `key` (`xianjie_ledger::read_auth`), now.
    pub async fn request_as(
        &self,
        method: Method,
        uri: &str,
        body: Vec<u8>,
        key: &SecretKey,
    ) -> Reply {
        self.request_signed_at(method, uri, body, key, now_ms())
            .await
    }

    /// A request signed as a read by `key` at `time_ms`.
    pub async fn request_signed_at(
        &self,
        method: Method,
        uri: &str,
        body: Vec<u8>,
        key: &SecretKey,
        time_ms: u64,
    ) -> Reply {
        let read = SignedRead::sign(key, DEV_CHAIN_ID, method.as_str(), uri, time_ms);
        send_with(self.router(), method, uri, body, &read.headers()).await
    }

    /// `GET uri` signed by `key`.
    pub async fn get_as(&self, uri: &str, key: &SecretKey) -> Reply {
        self.request_as(Method::GET, uri, Vec::new(), key).await
    }

    /// A reader that the default policies let read every evidence record
    /// (procuratorates and courts verify integrity).
    pub fn judicial_reader(&self) -> SecretKey {
        self.key("procuratorate", "officer")
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.request(Method::GET, uri, Vec::new()).await
    }

    /// The USCC of a member organisation, as `/v1/orgs` lists it.
    pub async fn org_uscc(&self, org: &str) -> String {
        let orgs = self.get("/v1/orgs").await.json;
        orgs.as_array()
            .expect("a list of organisations")
            .iter()
            .find(|listed| listed["id"] == org)
            .and_then(|listed| listed["uscc"].as_str())
            .unwrap_or_else(|| panic!("no organisation {org}"))
            .to_owned()
    }

    pub async fn submit_bytes(&self, bytes: Vec<u8>, wait: bool) -> Reply {
        let uri = if wait { "/v1/txs?wait=true" } else { "/v1/txs" };
        self.request(Method::POST, uri, bytes).await
    }

    pub async fn submit(&self, tx: &SignedTx) -> Reply {
        self.submit_bytes(codec::encode(tx), true).await
    }

    /// Submits with `wait=true` and insists it applied.
    pub async fn submit_ok(&self, tx: &SignedTx) -> Reply {
        let reply = self.submit(tx).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        assert_eq!(reply.json["outcome"]["status"], "ok");
        reply
    }

    /// The laboratory's CMA certificate for `matter` (recorded by the market
    /// regulator's head) and a non-conforming result of two lab officers for
    /// `entity`; the reply of the result's transaction.
    pub async fn record_lab_inspection(&self, entity: &str, matter: &str) -> Reply {
        let lab_uscc = self.org_uscc("lab").await;
        let cma_number = "240012345678";
        self.submit_ok(&signed(
            &self.key("market", "head"),
            Call::Accredit(Accredit {
                lab_uscc: lab_uscc.clone(),
                cma_number: cma_number.into(),
                scope: vec![matter.into()],
                valid_from: 20240101,
                valid_to: 20991231,
                certificate_digest: None,
            }),
        ))
        .await;
        let lab = self.key("lab", "officer");
        let lab2 = self.key("lab", "officer2");
        self.submit_ok(&signed(
            &lab,
            Call::RecordInspection(RecordInspection {
                entity: entity.into(),
                matter: matter.into(),
                inspectors: vec![lab.public_key().id(), lab2.public_key().id()],
                report_date: 20250301,
                conclusion: Conclusion::NonConforming,
                report_digest: file_digest(b"report"),
                lab: Some(LabRef {
                    uscc: lab_uscc,
                    cma_number: cma_number.into(),
                }),
                scope: "batch 2025-02".into(),
                valid_until: None,
                objection: None,
            }),
        ))
        .await
    }

    /// `GET /v1/status`.
    pub async fn status(&self) -> Value {
        let reply = self.get("/v1/status").await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.json
    }

    /// Height and state root, to show that a refusal changed nothing.
    pub async fn height_and_root(&self) -> (u64, String) {
        let status = self.status().await;
        (
            status["height"].as_u64().expect("height"),
            status["state_root"]
                .as_str()
                .expect("state_root")
                .to_owned(),
        )
    }

    /// `GET /v1/evidence/{digest}`, signed by [`TestChain::judicial_reader`].
    pub async fn evidence(&self, digest: &Hash) -> Reply {
        self.get_as(&format!("/v1/evidence/{digest}"), &self.judicial_reader())
            .await
    }

    /// Anchors a fresh file's digest as `org`'s officer, collected with
    /// `officer2`; returns the digest.
    pub async fn anchor(&self, org: &str, file: &[u8]) -> Hash {
        let key = self.key(org, "officer");
        let colleague = self.key(org, "officer2");
        let digest = file_digest(file);
        self.submit_ok(&signed(&key, anchor_call(&key, &colleague, digest)))
            .await;
        digest
    }
}

/// Unix milliseconds now, and never the same twice in one test process:
/// the node accepts a signed read once, so two reads of one path by one key
/// must not be signed at the same millisecond (as the CLI ensures too).
pub fn now_ms() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64;
    let previous = LAST
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            Some(now.max(last + 1))
        })
        .expect("the closure always answers");
    now.max(previous + 1)
}

/// Sends one request through a router and parses the JSON answer.
pub async fn send(router: Router, method: Method, uri: &str, body: Vec<u8>) -> Reply {
    send_with(router, method, uri, body, &[]).await
}

/// [`send`] with extra headers.
pub async fn send_with(
    router: Router,
    method: Method,
    uri: &str,
    body: Vec<u8>,
    headers: &[(&str, String)],
) -> Reply {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/octet-stream");
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    let request = builder.body(Body::from(body)).expect("request");
    let response = router.oneshot(request).await.expect("router is infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    assert!(
        content_type.starts_with("application/json"),
        "{uri} answered {status} with content-type {content_type:?}: {}",
        String::from_utf8_lossy(&bytes)
    );
    let json = serde_json::from_slice(&bytes).expect("JSON body");
    Reply { status, json }
}

fn test_config(dir: &std::path::Path) -> NodeConfig {
    let mut config = NodeConfig::dev(dir.join("home"));
    // Short batching keeps the suite fast; the logic is the same.
    config.batch_window = std::time::Duration::from_millis(2);
    config
}

/// Signs `call` for the dev chain, valid for the next thousand blocks.
pub fn signed(key: &SecretKey, call: Call) -> SignedTx {
    signed_for(DEV_CHAIN_ID, key, call)
}

pub fn signed_for(chain_id: &str, key: &SecretKey, call: Call) -> SignedTx {
    Tx {
        chain_id: chain_id.to_owned(),
        signer: key.public_key(),
        nonce: rand::rngs::OsRng.next_u64(),
        valid_until: 1_000,
        call,
    }
    .sign(key)
}

/// An anchor of `digest` collected by two officers, as the chain asks:
/// `collector` signs the transaction, `colleague` co-signs the anchor.
pub fn anchor_call(collector: &SecretKey, colleague: &SecretKey, digest: Hash) -> Call {
    let mut anchor = EvidenceAnchor {
        digest,
        size: 1234,
        media_type: "image/jpeg".into(),
        category: EvidenceCategory::Physical,
        case_id: Some("HZ-2026-001".into()),
        collected_at: 1_760_000_000,
        collected_by: vec![collector.public_key().id(), colleague.public_key().id()],
        capture_method: "photograph".into(),
        capture_tool: "Canon EOS R6 / firmware 1.8".into(),
        provenance_note_digest: None,
        supersedes: None,
        co_signatures: Vec::new(),
    };
    anchor.co_sign(DEV_CHAIN_ID, &collector.public_key().id(), colleague);
    Call::AnchorEvidence(anchor)
}

pub fn custody_call(digest: Hash, action: CustodyAction, to: Option<&str>) -> Call {
    Call::RecordCustody(RecordCustody {
        digest,
        action,
        to: to.map(|id| OrgId::new(id).expect("org id")),
        note_digest: None,
    })
}
