//! The answers of `GET /v1/checkpoints/latest`,
//! `POST /v1/checkpoints/cosignatures` and `GET /v1/checkpoints/witnessed`:
//! checkpoints of the history tree and the witnesses' cosignatures of them
//! (`docs/checkpoint.md`); and of `GET /v1/checkpoints/timestamped`, the
//! time-stamp tokens recorded over them (`docs/timestamp.md`, "On the chain").

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use xianjie_ledger::receipt::CertifiedHeader;

/// The newest checkpoint: the history over every header but the latest,
/// named by the latest, whose commit certificate is the validators'
/// attestation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckpointView {
    /// The checkpoint body, five lines (`docs/checkpoint.md` §2).
    pub body: String,
    /// Headers the history covers.
    pub size: u64,
    /// The header the body names, with its commit certificate.
    #[schema(value_type = Object)]
    pub certified: CertifiedHeader,
}

/// What a node kept of a cosigned checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CosignedView {
    /// Headers the checkpoint covers.
    pub size: u64,
    /// The listed witnesses whose cosignature verified and was kept.
    pub witnesses: Vec<String>,
}

/// A witness's newest cosigned checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WitnessedView {
    /// The witness's key name.
    pub witness: String,
    /// Headers the checkpoint covers.
    pub size: u64,
    /// The signed note: the body, a blank line, the cosignature line.
    pub note: String,
}

/// The time-stamp tokens recorded on chain over checkpoints: one log per
/// organisation that stamps.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimestampedView {
    /// Each organisation's log, by organisation id.
    pub orgs: Vec<OrgTimestampsView>,
}

/// One organisation's log of time-stamp tokens.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrgTimestampsView {
    /// The organisation.
    pub org: String,
    /// How many tokens it recorded.
    pub count: u64,
    /// The checkpoint size of the newest one (0 when none): a new token
    /// must cover a larger checkpoint.
    pub last_size: u64,
    /// The newest one, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<TimestampRecordView>,
}

/// One recorded token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimestampRecordView {
    /// Position in the log, from 0.
    pub seq: u64,
    /// The checkpoint's size.
    pub size: u64,
    /// The checkpoint body.
    pub checkpoint: String,
    /// The token's DER bytes, hex.
    pub token: String,
    /// The recording organisation.
    pub org: String,
    /// The height it was recorded at.
    pub height: u64,
    /// The recording transaction, hex.
    pub tx: String,
}
