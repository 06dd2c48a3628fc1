//! The typed HTTP contract of a Xianjie node, shared by the node (which
//! serialises these types) and the `xianjie` CLI (which deserialises them):
//! the JSON answers of `/v1`, the error body with its typed code, and the
//! evidence proof bundle with its verifier.
//!
//! No HTTP server or client lives here: the node's axum handlers build
//! these values, the CLI's ureq client reads them. Each type's JSON is the
//! API's wire format; the node's OpenAPI document derives its schemas from
//! the `ToSchema` derives below.

pub mod cases;
pub mod chain;
pub mod checkpoints;
pub mod clues;
pub mod draws;
pub mod error;
pub mod events;
pub mod evidence;
pub mod governance;
pub mod health;
pub mod history;
pub mod inspections;
pub mod members;
pub mod names;
pub mod requests;
pub mod sessions;
pub mod stats;
pub mod supervision;
pub mod txs;
pub mod vault;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use evidence::{EvidenceProof, ProofFailure, StateEntryProof, TxInclusion, VerifiedEvidence};
