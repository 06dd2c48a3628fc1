//! HTTP calls to a node's `/v1` API, and building and submitting signed transactions.
//!
//! Every failure to get an answer (connection refused, timeout, a 5xx, a body
//! that is not the JSON we expect) becomes an `anyhow` error whose message
//! says what to do next. Answers the node gives on purpose, such as "not
//! anchored" or "the contract refused this transaction", are returned as values.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use rand::RngCore as _;
use serde::de::DeserializeOwned;
use serde_json::Value;
use xianjie_api::chain::StatusView;
use xianjie_api::error::ErrorBody;
use xianjie_api::members::OfficerView;
use xianjie_api::txs::{OutcomeView, TxView};
use xianjie_api::vault::FetchView;
use xianjie_keyfile::Signer;
use xianjie_ledger::codec;
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::tx::{Call, SignedTx, Tx};
use xianjie_ledger::Hash;

/// How many blocks a new transaction stays valid for.
pub const TX_VALIDITY_BLOCKS: u64 = 100;

/// How long to wait for a TCP connection before calling the node unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Upper bound for one call; `wait=true` submissions wait for a commit, and
/// the node answers 504 itself well before this.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// Largest response body read (proof bundles with long custody chains).
const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// A client of one node.
#[derive(Debug, Clone)]
pub struct NodeClient {
    base_url: String,
    agent: ureq::Agent,
    /// The officer key that signs reads (`xianjie_ledger::read_auth`), if any.
    reader: Option<Arc<dyn Signer>>,
    /// The chain id, fetched once for signing reads.
    chain_id: std::sync::Arc<std::sync::OnceLock<String>>,
}

/// The time of the last read this process signed, Unix ms: each read is
/// signed at a later millisecond, so that two reads of one path never carry
/// the same signature (the node accepts a signed read once), whichever
/// client signs them.
static LAST_SIGNED_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// What to tell an officer whose read was refused for want of a signature.
pub const NEEDS_KEY: &str = "this read needs an officer key: pass --key FILE (or set XIANJIE_KEY) \
     with a key registered on this chain, e.g. --key .xianjie-dev/keys/procuratorate-officer.key";

/// An error answer of the node: `{"error":{"code","message",…}}` and its HTTP status.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code such as `not_holder`.
    pub code: String,
    /// Explanation for people.
    pub message: String,
    /// The whole `error` object, with any extra fields (`tx`, `height`).
    pub details: Value,
}

/// The answer to [`NodeClient::get_stream`].
pub enum Download {
    /// The file: its length if the node said, and the body.
    File {
        /// `Content-Length`.
        len: Option<u64>,
        /// The bytes.
        body: ureq::BodyReader<'static>,
    },
    /// Not yet: the node's progress report (`202`).
    Pending(FetchView),
    /// An error answer.
    Refused(ApiError),
}

/// The node's `/v1/status` answer: the fields the CLI relies on, plus the rest.
#[derive(Debug, Clone)]
pub struct NodeStatus {
    /// Chain id that transactions must name.
    pub chain_id: String,
    /// Latest committed height.
    pub height: u64,
    /// The answer, typed.
    pub view: StatusView,
    /// The whole answer, passed through by `xianjie status --json`.
    pub raw: Value,
}

/// Where a submitted transaction was committed.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The transaction hash.
    pub hash: Hash,
    /// Block height.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
}

/// What became of a submitted transaction.
#[derive(Debug, Clone)]
pub enum Submission {
    /// Committed with outcome `ok`.
    Committed(Committed),
    /// Refused by admission (bad signature, unknown signer …) or by the
    /// contract (committed with an error code, e.g. `not_holder`).
    Refused {
        /// The hash of the transaction that was refused.
        tx: Hash,
        /// The node's reason.
        error: ApiError,
    },
}

impl NodeClient {
    /// A client for the node at `base_url` (e.g. `http://127.0.0.1:7070`).
    pub fn new(base_url: &str) -> Self {
        Self::with_timeouts(base_url, CONNECT_TIMEOUT, CALL_TIMEOUT)
    }

    /// A client that gives up sooner, for best-effort lookups.
    pub fn with_timeouts(base_url: &str, connect: Duration, call: Duration) -> Self {
        NodeClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            agent: agent(connect, call),
            reader: None,
            chain_id: Default::default(),
        }
    }

    /// The same client, signing every read with `key` (when `Some`).
    pub fn signing_reads_with(mut self, key: Option<Arc<dyn Signer>>) -> Self {
        self.reader = key;
        self
    }

    /// Whether reads are signed.
    pub fn signs_reads(&self) -> bool {
        self.reader.is_some()
    }

    /// The read-signature headers for `method path_and_query` now (empty
    /// without a key). `path_and_query` must be exactly what is sent, e.g.
    /// `/v1/evidence/<digest>/receipt`.
    pub fn read_headers(
        &self,
        method: &str,
        path_and_query: &str,
    ) -> anyhow::Result<Vec<(&'static str, String)>> {
        let Some(key) = &self.reader else {
            return Ok(Vec::new());
        };
        let chain_id = match self.chain_id.get() {
            Some(chain_id) => chain_id.clone(),
            None => {
                let chain_id = self.status()?.chain_id;
                self.chain_id.get_or_init(|| chain_id).clone()
            }
        };
        let time_ms = self.next_signing_time_ms();
        let digest =
            xianjie_ledger::read_auth::read_digest(&chain_id, method, path_and_query, time_ms);
        let signed = xianjie_ledger::read_auth::SignedRead {
            public_key: key.public_key(),
            time_ms,
            signature: key
                .sign(&digest.0)
                .context("cannot sign the read request")?,
        };
        Ok(signed.headers().to_vec())
    }

    /// Now, or a millisecond after the last read this process signed if that
    /// is not earlier: every read gets its own time, hence its own signature.
    fn next_signing_time_ms(&self) -> u64 {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| {
                u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
            });
        let previous = LAST_SIGNED_MS
            .fetch_update(
                std::sync::atomic::Ordering::Relaxed,
                std::sync::atomic::Ordering::Relaxed,
                |last| Some(now_ms.max(last.saturating_add(1))),
            )
            .unwrap_or_default();
        now_ms.max(previous.saturating_add(1))
    }

    /// The node's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET /v1/status`.
    pub fn status(&self) -> anyhow::Result<NodeStatus> {
        let raw = self
            .get_unsigned("/v1/status")?
            .map_err(|e| self.unexpected("/v1/status", &e))?;
        match serde_json::from_value::<StatusView>(raw.clone()) {
            Ok(view) => Ok(NodeStatus {
                chain_id: view.chain_id.clone(),
                height: view.height,
                view,
                raw,
            }),
            Err(_) => Err(anyhow!(
                "the node at {} answered /v1/status without a chain_id and height; is it a Xianjie node?",
                self.base_url
            )),
        }
    }

    /// `GET /v1/evidence/{digest}`: the record JSON, or `None` if not anchored.
    pub fn evidence(&self, digest: &Hash) -> anyhow::Result<Option<Value>> {
        let path = format!("/v1/evidence/{digest}");
        self.get_optional(&path, "not_anchored")
    }

    /// `GET /v1/evidence/{digest}/proof`: the proof bundle JSON, or `None` if not anchored.
    pub fn evidence_proof(&self, digest: &Hash) -> anyhow::Result<Option<Value>> {
        let path = format!("/v1/evidence/{digest}/proof");
        self.get_optional(&path, "not_anchored")
    }

    /// `GET /v1/officers/{id}`: the officer, or `None` if the key is not registered.
    pub fn officer(&self, id: &KeyId) -> anyhow::Result<Option<OfficerView>> {
        let path = format!("/v1/officers/{id}");
        match self.get_json(&path)? {
            Ok(value) => self.typed(&path, value).map(Some),
            Err(error) if error.status == 404 => Ok(None),
            Err(error) => Err(self.unexpected(&path, &error)),
        }
    }

    /// Signs `call` with `key` for the node's chain and submits it, waiting for the commit.
    pub fn sign_and_submit(&self, key: &dyn Signer, call: Call) -> anyhow::Result<Submission> {
        let status = self.status()?;
        let tx = build_tx(key, call, &status.chain_id, status.height, random_nonce());
        self.submit(&sign_tx(tx, key)?)
    }

    /// `POST /v1/txs?wait=true` with the canonical bytes of `signed`.
    pub fn submit(&self, signed: &SignedTx) -> anyhow::Result<Submission> {
        let tx = signed.hash();
        let url = format!("{}/v1/txs?wait=true", self.base_url);
        let response = self
            .agent
            .post(&url)
            .content_type("application/octet-stream")
            .send(&codec::encode(signed)[..]);
        let (status, body) = self.read_response(response)?;
        match status {
            200..=299 => self.committed(tx, body),
            504 => Err(anyhow!(
                "the node accepted transaction {tx} but it was not committed in time ({}); \
                 it may still commit: check with `curl {}/v1/txs/{tx}` before retrying",
                error_from(status, &body).message,
                self.base_url
            )),
            // A missing route is a node/CLI version mismatch, not a refusal.
            404 => Err(self.unexpected("/v1/txs", &error_from(status, &body))),
            400..=499 => Ok(Submission::Refused {
                tx,
                error: error_from(status, &body),
            }),
            _ => Err(self.unexpected("/v1/txs", &error_from(status, &body))),
        }
    }

    /// A 2xx answer to a submission: committed, normally with outcome `ok`.
    fn committed(&self, tx: Hash, body: Value) -> anyhow::Result<Submission> {
        let view: TxView = serde_json::from_value(body).with_context(|| {
            format!(
                "the node at {} answered a submission with unexpected JSON",
                self.base_url
            )
        })?;
        if let Some(OutcomeView::Error { code }) = view.outcome {
            // The contract refused it; the node reports that as 422, but a
            // committed error outcome means the same thing.
            let details = serde_json::json!({ "code": code, "height": view.height });
            return Ok(Submission::Refused {
                tx,
                error: ApiError {
                    status: 200,
                    message: format!("committed with outcome {code}"),
                    code,
                    details,
                },
            });
        }
        let (Ok(hash), Some(height)) = (Hash::from_hex(&view.hash), view.height) else {
            return Err(anyhow!(
                "the node at {} answered a submission with unexpected JSON",
                self.base_url
            ));
        };
        let committed = Committed {
            hash,
            height,
            index: view.index.unwrap_or_default(),
        };
        if committed.hash != tx {
            return Err(anyhow!(
                "the node reported transaction {} but we sent {tx}; is --node a Xianjie node?",
                committed.hash
            ));
        }
        Ok(Submission::Committed(committed))
    }

    /// The JSON answer `value` of `path` as the API type `T`.
    pub fn typed<T: DeserializeOwned>(&self, path: &str, value: Value) -> anyhow::Result<T> {
        serde_json::from_value(value).with_context(|| {
            format!(
                "the node at {} answered {path} with unexpected JSON; is it a Xianjie node of this version?",
                self.base_url
            )
        })
    }

    /// GET a JSON document as the API type `T`; any error answer is
    /// unexpected ([`NodeClient::unexpected`]).
    pub fn get_typed<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        match self.get_json(path)? {
            Ok(value) => self.typed(path, value),
            Err(error) => Err(self.unexpected(path, &error)),
        }
    }

    /// GET where a 404 with `absent_code` means "no such thing".
    fn get_optional(&self, path: &str, absent_code: &str) -> anyhow::Result<Option<Value>> {
        match self.get_json(path)? {
            Ok(value) => Ok(Some(value)),
            Err(error) if error.status == 404 && error.code == absent_code => Ok(None),
            Err(error) => Err(self.unexpected(path, &error)),
        }
    }

    /// GET a JSON document, signed as a read when the client has a key:
    /// `Ok(Ok(json))` on 2xx, `Ok(Err(api_error))` on an error answer, `Err`
    /// if there was no usable answer at all, or if the node wants a signed
    /// read and the client has no key ([`NEEDS_KEY`]).
    pub fn get_json(&self, path: &str) -> anyhow::Result<Result<Value, ApiError>> {
        let url = format!("{}{path}", self.base_url);
        let mut request = self.agent.get(&url);
        for (name, value) in self.read_headers("GET", path)? {
            request = request.header(name, value);
        }
        let (status, body) = self.read_response(request.call())?;
        if (200..300).contains(&status) {
            return Ok(Ok(body));
        }
        let error = error_from(status, &body);
        if error.code == "unsigned_read" && !self.signs_reads() {
            return Err(anyhow!("{NEEDS_KEY}"));
        }
        Ok(Err(error))
    }

    /// PUT `len` bytes streamed from `body` to `path_and_query`, signed as a
    /// read; the status and JSON answer.
    pub fn put_stream(
        &self,
        path_and_query: &str,
        body: impl std::io::Read + 'static,
        len: u64,
    ) -> anyhow::Result<(u16, Value)> {
        let url = format!("{}{path_and_query}", self.base_url);
        let mut request = self
            .agent
            .put(&url)
            .header("content-type", "application/octet-stream")
            .header("content-length", len.to_string());
        for (name, value) in self.read_headers("PUT", path_and_query)? {
            request = request.header(name, value);
        }
        let response = request.send(ureq::SendBody::from_owned_reader(body));
        self.read_response(response)
    }

    /// GET a file, signed as a read: its body as a reader on 200, the JSON
    /// answer on any other 2xx (e.g. 202 "being fetched"), or the error.
    pub fn get_stream(&self, path: &str) -> anyhow::Result<Download> {
        let url = format!("{}{path}", self.base_url);
        let mut request = self.agent.get(&url);
        for (name, value) in self.read_headers("GET", path)? {
            request = request.header(name, value);
        }
        let response = request.call().map_err(|error| self.unreachable(error))?;
        if response.status().as_u16() == 200 {
            let len = response
                .headers()
                .get("content-length")
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.parse().ok());
            return Ok(Download::File {
                len,
                body: response.into_body().into_reader(),
            });
        }
        let (status, body) = self.read_response(Ok(response))?;
        if (200..300).contains(&status) {
            let report = serde_json::from_value(body).with_context(|| {
                format!("the node's progress report for {path} is not a transfer")
            })?;
            return Ok(Download::Pending(report));
        }
        let error = error_from(status, &body);
        if error.code == "unsigned_read" && !self.signs_reads() {
            return Err(anyhow!("{NEEDS_KEY}"));
        }
        Ok(Download::Refused(error))
    }

    /// GET a public JSON document without signing.
    fn get_unsigned(&self, path: &str) -> anyhow::Result<Result<Value, ApiError>> {
        let url = format!("{}{path}", self.base_url);
        let (status, body) = self.read_response(self.agent.get(&url).call())?;
        if (200..300).contains(&status) {
            Ok(Ok(body))
        } else {
            Ok(Err(error_from(status, &body)))
        }
    }

    /// The status and JSON body of a response (non-JSON bodies become a string value).
    fn read_response(
        &self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut response = response.map_err(|error| self.unreachable(error))?;
        let status = response.status().as_u16();
        if response.status().is_redirection() {
            return Err(self.redirected(&response));
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string()
            .map_err(|error| self.unreachable(error))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, body))
    }

    /// Redirects are not followed: the same signed headers would go out a
    /// second time, to an address the officer did not choose.
    fn redirected(&self, response: &ureq::http::Response<ureq::Body>) -> anyhow::Error {
        let location = response
            .headers()
            .get("location")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("(no location)");
        anyhow!(
            "the node at {} answered HTTP {} redirecting to {location}; the CLI does not follow \
             redirects, which would send a signed request twice: point --node (or XIANJIE_NODE) \
             at the node's own address",
            self.base_url,
            response.status().as_u16()
        )
    }

    fn unreachable(&self, error: ureq::Error) -> anyhow::Error {
        let hint = match &error {
            ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
                "check --node (or XIANJIE_NODE): it must look like http://127.0.0.1:7070"
            }
            ureq::Error::Timeout(_) => "the node did not answer in time; is it overloaded or stuck?",
            _ => "is the node running? start one with `xianjie-node dev`, or point --node (or XIANJIE_NODE) at a running node",
        };
        anyhow!(
            "cannot reach the node at {} ({error}); {hint}",
            self.base_url
        )
    }

    /// An error for an answer the CLI did not expect, with what to check.
    pub fn unexpected(&self, path: &str, error: &ApiError) -> anyhow::Error {
        let hint = match (advice(&error.code), error.status) {
            (Some(advice), _) => advice,
            (None, 404) => "; the node may run an older version than this CLI",
            (None, 500..=599) => "; the node's log may say more",
            (None, _) => "",
        };
        anyhow!(
            "the node at {} answered {path} with HTTP {} {}: {}{hint}",
            self.base_url,
            error.status,
            error.code,
            error.message
        )
    }
}

/// What to do about a refused signed read, by the node's code.
pub fn advice(code: &str) -> Option<&'static str> {
    Some(match code {
        "replayed_read" => {
            "\nthe node had already accepted this very signed request, and a signature serves one \
             request: run the command again (it signs anew). If you did not run it twice, someone \
             may have captured and resent your signed request: tell your organisation's admin"
        }
        "stale_read" | "future_read" => {
            "\nthis machine's clock and the node's disagree (a read may be signed at most 5 minutes \
             before, and 30 seconds after, the node's time): set the clock right (NTP) and run the \
             command again"
        }
        "signed_reads_busy" => {
            "\nthe node is holding as many fresh signed reads as it can remember; run the command \
             again in a minute"
        }
        "too_many_sessions" => {
            "\nsign out of a web console session elsewhere (\"Sign out\"), or wait for one to \
             expire, then run `xianjie login` again"
        }
        _ => return None,
    })
}

/// The HTTP agent: JSON errors read as values, no redirects followed.
pub fn agent(connect: Duration, call: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        // 4xx and 5xx carry JSON errors that we read ourselves.
        .http_status_as_error(false)
        // A redirect would send the same signed headers again, elsewhere.
        .max_redirects(0)
        .timeout_connect(Some(connect))
        .timeout_global(Some(call))
        .user_agent(format!("xianjie-cli/{}", crate::VERSION))
        .build();
    ureq::Agent::new_with_config(config)
}

/// An unsigned transaction for `chain_id` valid for [`TX_VALIDITY_BLOCKS`] after `height`.
pub fn build_tx(key: &dyn Signer, call: Call, chain_id: &str, height: u64, nonce: u64) -> Tx {
    Tx {
        chain_id: chain_id.to_owned(),
        signer: key.public_key(),
        nonce,
        valid_until: height.saturating_add(TX_VALIDITY_BLOCKS),
        call,
    }
}

/// Signs the transaction hash with `key` (`Tx::sign` for any [`Signer`]).
pub fn sign_tx(tx: Tx, key: &dyn Signer) -> anyhow::Result<SignedTx> {
    let signature = key
        .sign(&tx.hash().0)
        .context("cannot sign the transaction")?;
    Ok(SignedTx { tx, signature })
}

/// A nonce from the operating system's RNG: identical calls get distinct hashes.
pub fn random_nonce() -> u64 {
    rand::rngs::OsRng.next_u64()
}

/// The `error` object of an error answer, if `body` is one.
pub fn error_detail(body: &Value) -> Option<xianjie_api::ErrorDetail> {
    serde_json::from_value::<ErrorBody>(body.clone())
        .ok()
        .map(|body| body.error)
}

/// Reads `{"error":{"code","message"}}` ([`ErrorBody`]), tolerating bodies
/// that are not.
pub fn error_from(status: u16, body: &Value) -> ApiError {
    let details = match body.get("error") {
        Some(error) if error.is_object() => error.clone(),
        _ => Value::Null,
    };
    match serde_json::from_value::<ErrorBody>(body.clone()) {
        Ok(ErrorBody { error }) => ApiError {
            status,
            code: error.code.to_string(),
            message: error.message,
            details,
        },
        Err(_) => ApiError {
            status,
            code: format!("http_{status}"),
            message: match body {
                Value::String(text) => text.chars().take(200).collect(),
                _ => String::from("(no message)"),
            },
            details,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read_leniently() {
        let body =
            serde_json::json!({"error": {"code": "not_holder", "message": "m", "height": 5}});
        let error = error_from(422, &body);
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("not_holder", "m")
        );
        assert_eq!(error.details["height"], 5);
        let html = error_from(502, &Value::String("<html>bad gateway</html>".into()));
        assert_eq!(html.code, "http_502");
        assert!(html.message.contains("bad gateway"));
    }

    #[test]
    fn transactions_expire_a_fixed_number_of_blocks_ahead() {
        let key = xianjie_ledger::crypto::SecretKey::from_bytes(&[5u8; 32]);
        let call = Call::RevokeOfficer(xianjie_ledger::tx::RevokeOfficer {
            officer: KeyId([0; 20]),
        });
        let tx = build_tx(&key, call, "xianjie-dev", 42, 7);
        assert_eq!(tx.valid_until, 42 + TX_VALIDITY_BLOCKS);
        assert_eq!(tx.signer, key.public_key());
        assert_ne!(random_nonce(), random_nonce());
    }

    #[test]
    fn every_read_is_signed_at_its_own_millisecond() {
        let client = NodeClient::new("http://h:1");
        let times: Vec<u64> = (0..1000).map(|_| client.next_signing_time_ms()).collect();
        assert!(times.windows(2).all(|pair| pair[0] < pair[1]));
        // Another client (commands make one per call) continues the sequence.
        let other = NodeClient::new("http://h:2");
        assert!(other.next_signing_time_ms() > times[999]);
    }

    #[test]
    fn refused_reads_come_with_advice() {
        for code in [
            "replayed_read",
            "stale_read",
            "future_read",
            "signed_reads_busy",
            "too_many_sessions",
        ] {
            assert!(advice(code).is_some(), "{code}");
        }
        assert!(advice("replayed_read").unwrap().contains("again"));
        assert_eq!(advice("not_holder"), None);
    }

    #[test]
    fn base_url_loses_its_trailing_slash() {
        assert_eq!(NodeClient::new("http://h:1/").base_url(), "http://h:1");
    }
}
