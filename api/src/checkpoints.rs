//! The answers of `GET /v1/checkpoints/latest`,
//! `POST /v1/checkpoints/cosignatures` and `GET /v1/checkpoints/witnessed`:
//! checkpoints of the history tree and the witnesses' cosignatures of them
//! (`docs/checkpoint.md`).

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
