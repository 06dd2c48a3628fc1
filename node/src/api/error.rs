//! The one error type of the HTTP API.
//!
//! Every error answer, from a handler, an extractor rejection, an unknown
//! route, a wrong method or a timeout, is an [`ApiError`] rendered as
//! `{"error": {"code": "<stable_code>", "message": "<what happened and what to do>"}}`.
//! Codes are stable; messages are for people. Internal details are logged
//! (once, here) and never sent.

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use xianjie_contracts::ContractError;
use xianjie_ledger::ids::{CaseId, ClueId, InspectionId, ProposalId, RequestId};
use xianjie_ledger::Hash;

use crate::mempool::AdmissionError;
pub use xianjie_api::error::{ErrorBody, ErrorCode, ErrorDetail};

/// An API failure.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError {
    /// No route matches the path.
    NotFound,
    /// The route exists but not with this method.
    MethodNotAllowed,
    /// The body is larger than the route accepts.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read.
    BadBody(String),
    /// The query string is malformed.
    BadQuery(String),
    /// A path parameter is malformed.
    BadPath(String),
    /// The body is not a canonically encoded signed transaction.
    MalformedTx(String),
    /// The signature does not verify.
    BadSignature,
    /// The contracts refuse the transaction at admission.
    Refused(ContractError),
    /// The transaction is already committed or pending.
    DuplicateTx {
        /// Its hash.
        hash: Hash,
        /// Whether it is committed (rather than pending).
        committed: bool,
    },
    /// The mempool is at its limit.
    MempoolFull,
    /// A waiting submission was not committed in time.
    CommitTimeout {
        /// Its hash.
        hash: Hash,
    },
    /// A submission expired in the mempool before a block included it.
    ExpiredInMempool {
        /// Its hash.
        hash: Hash,
    },
    /// The transaction was committed but a contract refused it.
    TxRefused {
        /// Its hash.
        hash: Hash,
        /// Height of the block that holds it.
        height: u64,
        /// Its position in the block.
        index: u32,
        /// The contract's stable code.
        code: String,
    },
    /// A digest is not 64 hex characters.
    BadDigest(String),
    /// No such transaction.
    UnknownTx(Hash),
    /// No block at that height.
    UnknownBlock {
        /// Height asked for.
        height: u64,
        /// Current tip.
        tip: u64,
    },
    /// No such officer.
    UnknownOfficer(String),
    /// No evidence with that digest.
    NotAnchored(Hash),
    /// The uploaded content does not hash to the digest the client gave.
    DigestMismatch {
        /// The digest the client expected.
        expected: Hash,
        /// What the content hashes to.
        found: Hash,
    },
    /// This node's vault does not have the file and cannot fetch it.
    NotInVault(Hash),
    /// Every node holding the file refused this node's organisation.
    VaultRefused(String),
    /// Fetching the file from other nodes failed repeatedly.
    VaultFetchFailed(String),
    /// The file is larger than the vault accepts.
    VaultFileTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The disk is below a reserve: the vault's (an upload) or the
    /// store's (a transaction).
    DiskFull(String),
    /// An upload's body sent nothing for too long; nothing was stored.
    UploadStalled {
        /// How long the node waited for the next bytes.
        idle: std::time::Duration,
    },
    /// An upload's body arrived slower on average than the vault's floor;
    /// nothing was stored.
    UploadTooSlow {
        /// The floor, in bytes per second.
        min_bytes_per_sec: u64,
    },
    /// A read that needs an officer's signature came without one.
    UnsignedRead,
    /// The read's signature headers are malformed or do not verify.
    BadReadSignature(String),
    /// The read was signed too long before the node's clock.
    StaleRead(String),
    /// The read was signed too far ahead of the node's clock.
    FutureRead(String),
    /// This signed read was accepted before; a signature serves one request.
    ReplayedRead,
    /// A checkpoint note that does not parse, or is of another chain.
    BadCheckpoint(String),
    /// A checkpoint that names a header this chain does not have: the
    /// witness follows another history.
    CheckpointMismatch(String),
    /// A cosignature by no witness in this node's `witnesses.txt`.
    UnknownWitness(String),
    /// The node has as many `GET /v1/events` streams open as it allows.
    EventStreamsBusy {
        /// How many streams a node keeps open.
        limit: usize,
    },
    /// The node's memory of fresh signed reads (kept to refuse replays) is
    /// full.
    SignedReadsBusy {
        /// How many it holds.
        capacity: usize,
        /// How long until the oldest goes stale, in milliseconds.
        retry_after_ms: u64,
    },
    /// The reading key is not a registered, active officer
    /// (`unknown_signer` / `revoked_signer`).
    UnknownReader {
        /// The stable code.
        code: &'static str,
        /// The key id, hex.
        id: String,
    },
    /// The on-chain policy set does not let this officer read the resource.
    ReadDenied {
        /// What was asked for, e.g. `case CASE-…`.
        what: String,
        /// Who asked: officer id, organisation, kind and role.
        who: String,
        /// Which policies could have permitted it.
        policies: &'static str,
    },
    /// No case with that id.
    UnknownCase(CaseId),
    /// No inspection result with that id.
    UnknownInspection(InspectionId),
    /// No clue with that id.
    UnknownClue(ClueId),
    /// No request with that id.
    UnknownRequest(RequestId),
    /// No random draw with that id.
    UnknownDraw(xianjie_ledger::ids::DrawId),
    /// No entity snapshot with that id.
    UnknownSnapshot(xianjie_ledger::ids::SnapshotId),
    /// No governance proposal with that id.
    UnknownProposal(ProposalId),
    /// No bulletin with that id.
    UnknownBulletin(String),
    /// No CMA certificate recorded for that laboratory and number.
    UnknownAccreditation {
        /// The laboratory's USCC.
        lab: String,
        /// The certificate number.
        cma: String,
    },
    /// The `Authorization: Bearer` session token is malformed, unknown or
    /// expired.
    BadSession(super::sessions::SessionRefusal),
    /// The officer has as many live sessions as a node keeps for one officer.
    TooManySessions {
        /// The per-officer bound.
        max: usize,
        /// How long until the officer's oldest session expires, in milliseconds.
        retry_after_ms: u64,
    },
    /// The node holds as many live sessions as it allows in all.
    SessionsFull,
    /// The request took longer than the server allows.
    RequestTimeout,
    /// The node is stopping and cannot commit any more.
    ShuttingDown,
    /// Something failed inside the node; details are logged, not sent.
    Internal(String),
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            NotFound
            | UnknownTx(_)
            | UnknownBlock { .. }
            | UnknownOfficer(_)
            | NotAnchored(_)
            | NotInVault(_)
            | UnknownCase(_)
            | UnknownInspection(_)
            | UnknownClue(_)
            | UnknownRequest(_)
            | UnknownDraw(_)
            | UnknownSnapshot(_)
            | UnknownProposal(_)
            | UnknownBulletin(_)
            | UnknownAccreditation { .. } => StatusCode::NOT_FOUND,
            UnsignedRead | BadReadSignature(_) | StaleRead(_) | FutureRead(_) | ReplayedRead
            | BadSession(_) => StatusCode::UNAUTHORIZED,
            TooManySessions { .. } => StatusCode::TOO_MANY_REQUESTS,
            UnknownReader { .. } | ReadDenied { .. } | VaultRefused(_) => StatusCode::FORBIDDEN,
            DigestMismatch { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            VaultFetchFailed(_) => StatusCode::BAD_GATEWAY,
            VaultFileTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            DiskFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BadBody(_)
            | BadQuery(_)
            | BadPath(_)
            | MalformedTx(_)
            | BadDigest(_)
            | BadCheckpoint(_)
            | ExpiredInMempool { .. } => StatusCode::BAD_REQUEST,
            CheckpointMismatch(_) => StatusCode::CONFLICT,
            UnknownWitness(_) => StatusCode::FORBIDDEN,
            BadSignature => StatusCode::UNAUTHORIZED,
            Refused(error) => refusal_status(error.code()),
            DuplicateTx { .. } => StatusCode::CONFLICT,
            TxRefused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            MempoolFull
            | ShuttingDown
            | SessionsFull
            | SignedReadsBusy { .. }
            | EventStreamsBusy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            CommitTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            RequestTimeout | UploadStalled { .. } | UploadTooSlow { .. } => {
                StatusCode::REQUEST_TIMEOUT
            }
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        use ApiError::*;
        match self {
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            BodyTooLarge { .. } => "body_too_large",
            BadBody(_) => "bad_body",
            BadQuery(_) => "bad_query",
            BadPath(_) => "bad_path",
            MalformedTx(_) => "malformed_tx",
            BadSignature => "bad_signature",
            Refused(error) => error.code(),
            DuplicateTx { .. } => "duplicate_tx",
            MempoolFull => "mempool_full",
            CommitTimeout { .. } => "commit_timeout",
            ExpiredInMempool { .. } => "expired",
            TxRefused { code, .. } => code,
            BadDigest(_) => "bad_digest",
            UnknownTx(_) => "unknown_tx",
            UnknownBlock { .. } => "unknown_block",
            UnknownOfficer(_) => "unknown_officer",
            NotAnchored(_) => "not_anchored",
            DigestMismatch { .. } => "digest_mismatch",
            NotInVault(_) => "not_in_vault",
            VaultRefused(_) => "vault_refused",
            VaultFetchFailed(_) => "vault_fetch_failed",
            VaultFileTooLarge { .. } => "file_too_large",
            DiskFull(_) => "disk_full",
            UploadStalled { .. } => "upload_stalled",
            UploadTooSlow { .. } => "upload_too_slow",
            UnsignedRead => "unsigned_read",
            BadReadSignature(_) => "bad_read_signature",
            StaleRead(_) => "stale_read",
            FutureRead(_) => "future_read",
            ReplayedRead => "replayed_read",
            SignedReadsBusy { .. } => "signed_reads_busy",
            EventStreamsBusy { .. } => "event_streams_busy",
            BadCheckpoint(_) => "bad_checkpoint",
            CheckpointMismatch(_) => "checkpoint_mismatch",
            UnknownWitness(_) => "unknown_witness",
            UnknownReader { code, .. } => code,
            ReadDenied { .. } => "read_denied",
            UnknownCase(_) => "unknown_case",
            UnknownInspection(_) => "unknown_inspection",
            UnknownClue(_) => "unknown_clue",
            UnknownRequest(_) => "unknown_request",
            UnknownDraw(_) => "unknown_draw",
            UnknownSnapshot(_) => "unknown_snapshot",
            UnknownProposal(_) => "unknown_proposal",
            UnknownBulletin(_) => "unknown_bulletin",
            UnknownAccreditation { .. } => "unknown_accreditation",
            BadSession(_) => "bad_session",
            TooManySessions { .. } => "too_many_sessions",
            SessionsFull => "sessions_full",
            RequestTimeout => "request_timeout",
            ShuttingDown => "shutting_down",
            Internal(_) => "internal",
        }
    }

    /// What happened and what to do, for a person.
    pub fn message(&self) -> String {
        use ApiError::*;
        match self {
            NotFound => "no such endpoint; GET /v1/openapi.json lists the API".into(),
            MethodNotAllowed => "this endpoint does not accept that method; GET /v1/openapi.json lists the API".into(),
            BodyTooLarge { limit } => format!("the request body is larger than {limit} bytes; a signed transaction never is"),
            BadBody(reason) => format!("the request body could not be read: {reason}"),
            BadQuery(reason) => format!("the query string is malformed: {reason}"),
            BadPath(reason) => format!("the path is malformed: {reason}"),
            MalformedTx(reason) => format!(
                "the body is not the canonical encoding of a signed transaction ({reason}); send the exact bytes `xianjie` produces, as application/octet-stream"
            ),
            BadSignature => "the signature does not verify under the signer's key; sign the transaction again with the key named as signer".into(),
            Refused(error) => format!("{error}; {}", refusal_advice(error.code())),
            DuplicateTx { hash, committed: true } => format!(
                "transaction {hash} is already committed; a transaction is applied once. GET /v1/txs/{hash} shows its result"
            ),
            DuplicateTx { hash, committed: false } => format!(
                "transaction {hash} is already pending; wait for it with GET /v1/txs/{hash}"
            ),
            MempoolFull => "the node has too many pending transactions; retry in a few seconds".into(),
            CommitTimeout { hash } => format!(
                "transaction {hash} is pending but was not committed in time; check it later with GET /v1/txs/{hash}"
            ),
            ExpiredInMempool { hash } => format!(
                "transaction {hash} expired before a block included it; sign a new one with a later valid_until"
            ),
            TxRefused { hash, height, code, .. } => format!(
                "transaction {hash} was committed at height {height} but the contracts refused it with `{code}`; the state is unchanged and the refusal stays on the record"
            ),
            BadDigest(reason) => format!("a digest is 64 hex characters (BLAKE3, as b3sum prints it): {reason}"),
            UnknownTx(hash) => format!("no committed or pending transaction has hash {hash}"),
            UnknownBlock { height, tip } => format!("there is no block at height {height}; the chain's latest height is {tip}"),
            UnknownOfficer(id) => format!("no officer key with id {id} is registered on this chain"),
            NotAnchored(digest) => format!(
                "a file with BLAKE3 digest {digest} is not anchored on this chain; check that you hashed the original file"
            ),
            DigestMismatch { expected, found } => format!(
                "the uploaded content hashes to {found}, not {expected}; nothing was stored. Check that you sent the whole original file"
            ),
            NotInVault(digest) => format!(
                "this node's vault does not have the file {digest}; upload it with `xianjie evidence anchor FILE --upload` on the node of the agency that holds it"
            ),
            VaultRefused(reason) => format!(
                "the nodes holding this file refused to send it to this node's organisation ({reason}); ask through a node of an organisation the policies let read it"
            ),
            VaultFetchFailed(reason) => format!(
                "fetching the file from the holder's node failed repeatedly ({reason}); ask again to retry, and tell the operator if it persists"
            ),
            VaultFileTooLarge { limit } => format!(
                "the file is larger than this node's vault accepts ({limit} bytes, vault.max_file_bytes); nothing was stored"
            ),
            DiskFull(reason) => format!("{reason}; nothing was stored. Ask the operator to free space"),
            UploadStalled { idle } => format!(
                "no bytes of the upload arrived for {} s, so the node stopped waiting; nothing was stored. Send the file again",
                idle.as_secs_f64()
            ),
            UploadTooSlow { min_bytes_per_sec } => format!(
                "the upload arrived slower than this node's floor of {min_bytes_per_sec} bytes per second (vault.min_upload_bytes_per_sec), so the node stopped it; nothing was stored. Send the file again over a working connection"
            ),
            UnsignedRead => "this read needs an officer's signature: sign the request with an officer key (headers X-Xianjie-Key, X-Xianjie-Time, X-Xianjie-Signature; the CLI does it when given --key or XIANJIE_KEY)".into(),
            BadReadSignature(reason) => format!(
                "the read signature was refused ({reason}); sign BLAKE3-derive-key(\"xianjie 2026-11 api read request v1\") of chain_id, method, path and query, and time, as xianjie_ledger::read_auth does"
            ),
            StaleRead(reason) => format!("{reason}; check this machine's clock and sign the read again"),
            FutureRead(reason) => format!("{reason}; this machine's clock is ahead of the node's: set it right (e.g. with NTP) and sign the read again"),
            ReplayedRead => "this exact signed request was accepted before, and a signature serves one request only; sign the request again (the CLI signs each request anew). If you did not send it twice, someone may have captured the signed request: tell your organisation's admin".into(),
            BadCheckpoint(reason) => format!(
                "the body is not a cosigned checkpoint of this chain ({reason}); send the note `xianjie-node witness` writes: the checkpoint of GET /v1/checkpoints/latest and the witness's cosignature line"
            ),
            CheckpointMismatch(reason) => format!(
                "{reason}: the checkpoint is of another history than this node's; if the witness follows this chain, it has seen a fork — compare the two checkpoints"
            ),
            UnknownWitness(reason) => format!(
                "{reason}; add the witness's key (the vkey `xianjie-node witness --show-vkey` prints) to HOME/witnesses.txt and restart the node"
            ),
            EventStreamsBusy { limit } => format!(
                "the node has {limit} event streams open, its limit; retry shortly, or long-poll `GET /v1/events?after=CURSOR&wait_ms=N` without `Accept: text/event-stream`"
            ),
            SignedReadsBusy { capacity, retry_after_ms } => format!(
                "the node remembers every signed read of the last minutes to refuse replays, and holds {capacity} still fresh, its limit; retry in {} s with a new signature, or read through a web console session (bearer token), which takes no room",
                retry_after_ms.div_ceil(1000)
            ),
            UnknownReader { code: "revoked_signer", id } => format!(
                "key {id} was revoked and may no longer read; ask your organisation's admin for a new one"
            ),
            UnknownReader { id, .. } => format!(
                "key {id} is not a registered officer of this chain; ask your organisation's admin to register it (`xianjie keys show` prints its id)"
            ),
            ReadDenied { what, who, policies } => format!(
                "the on-chain policy set does not let {who} read {what}: no policy permits action `read` on it (policies that could: {policies}); ask an organisation that may read it, or propose a policy change with `xianjie gov propose policy FILE` (`xianjie policy show` prints the policies in force)"
            ),
            UnknownCase(id) => format!("no case with id {id} is on this chain; case ids look like CASE-3f9a0c1b2d4e5f60 (`xianjie case list`)"),
            UnknownInspection(id) => format!("no inspection result with id {id} is on this chain; ids look like INSP-3f9a0c1b2d4e5f60"),
            UnknownRequest(id) => format!("no request with id {id} is on this chain; request ids look like REQ-3f9a0c1b2d4e5f60 (`xianjie request list`)"),
            UnknownDraw(id) => format!("no draw with id {id} is on this chain; draw ids look like DRAW-3f9a0c1b2d4e5f60 (`xianjie draw list`)"),
            UnknownSnapshot(id) => format!("no entity snapshot with id {id} is on this chain; snapshot ids look like SNAP-3f9a0c1b2d4e5f60 (`xianjie draw snapshot list --org ORG`)"),
            UnknownClue(id) => format!("no clue with id {id} is on this chain; clue ids look like CLUE-3f9a0c1b2d4e5f60 (`xianjie clue list`)"),
            UnknownProposal(id) => format!("no governance proposal with id {id}; `xianjie gov list` lists them"),
            UnknownBulletin(id) => format!("no bulletin with id {id} is on this chain; bulletin ids look like BUL-3f9a0c1b2d4e5f60 (`xianjie stats bulletins` lists them)"),
            UnknownAccreditation { lab, cma } => format!("no CMA certificate {cma} is recorded for the laboratory with USCC {lab}"),
            BadSession(super::sessions::SessionRefusal::Malformed) => "the Authorization header is not `Bearer` and a 64-hex-character session token; sign in again with `xianjie login`".into(),
            BadSession(super::sessions::SessionRefusal::Unknown) => "the session token is unknown or expired (sessions last 30 minutes and end when the node restarts); sign in again with `xianjie login`".into(),
            TooManySessions { max, retry_after_ms } => format!(
                "this officer already has {max} live sessions, the most a node keeps for one officer, and a new one never ends an open one; sign out elsewhere (\"Sign out\" in the console) or wait for a session to expire (in {} s at the latest), then sign in again",
                retry_after_ms.div_ceil(1000)
            ),
            SessionsFull => "the node holds as many live sessions as it allows; retry when some have expired, or sign requests with the officer key instead".into(),
            RequestTimeout => "the request took too long; retry later".into(),
            ShuttingDown => "the node is shutting down and commits nothing more; retry against a running node".into(),
            Internal(_) => "the node failed internally and logged the details; retry, and tell the operator if it persists".into(),
        }
    }

    fn body(&self) -> ErrorBody {
        let (tx, height, index) = match self {
            ApiError::TxRefused {
                hash,
                height,
                index,
                ..
            } => (Some(hash.to_hex()), Some(*height), Some(*index)),
            _ => (None, None, None),
        };
        ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::parse(self.code()),
                message: self.message(),
                tx,
                height,
                index,
            },
        }
    }
}

/// Admission refusals by the contracts: a bad envelope is the client's
/// mistake (400); an unknown or revoked signer is not allowed to act (403).
fn refusal_status(code: &str) -> StatusCode {
    match code {
        "unknown_signer" | "revoked_signer" => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn refusal_advice(code: &str) -> &'static str {
    match code {
        "wrong_chain" => "sign the transaction for this chain's id (GET /v1/status shows it)",
        "expired" => "sign it again with a valid_until after the current height (GET /v1/status)",
        "validity_too_long" => "sign it again with a valid_until nearer the current height",
        "unknown_signer" => {
            "the signing key is not registered; ask your organisation's admin to register it"
        }
        "revoked_signer" => {
            "the signing key was revoked; ask your organisation's admin for a new one"
        }
        "personal_information" => {
            "take the identifier out of the text and sign again; documents that name people go in the vault, referred to by digest"
        }
        _ => "the transaction was not admitted",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        // Logged here and only here, so each server failure appears once.
        match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "request failed inside the node")
            }
            _ if status.is_server_error() => {
                tracing::warn!(code = self.code(), "request not served")
            }
            _ => {}
        }
        (status, Json(self.body())).into_response()
    }
}

impl From<AdmissionError> for ApiError {
    fn from(error: AdmissionError) -> Self {
        match error {
            AdmissionError::TooLarge { max, .. } => ApiError::BodyTooLarge { limit: max },
            AdmissionError::Malformed(reason) => ApiError::MalformedTx(reason.to_string()),
            AdmissionError::BadSignature => ApiError::BadSignature,
            AdmissionError::Refused(error) => ApiError::Refused(error),
            AdmissionError::Duplicate { hash, location } => ApiError::DuplicateTx {
                hash,
                committed: location.is_some(),
            },
            AdmissionError::Full => ApiError::MempoolFull,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<crate::Error> for ApiError {
    fn from(error: crate::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<xianjie_store::StorageError> for ApiError {
    fn from(error: xianjie_store::StorageError) -> Self {
        ApiError::Internal(format!("storage: {error}"))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit: super::TX_BODY_LIMIT,
            }
        } else {
            ApiError::BadBody(rejection.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadQuery(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::BadPath(rejection.body_text())
    }
}
