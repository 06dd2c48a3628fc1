//! The answers of `GET /v1/history/consistency` and
//! `GET /v1/history/inclusion`: proofs over the history tree, whose leaves
//! are the header hashes (block 1 first) and whose root over the first `n`
//! headers is the `history_root` of header `n + 1`; and of
//! `GET /v1/history/validator-changes`, what it takes to trust the
//! validators that certify a later header.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use xianjie_ledger::hash::Hash;
use xianjie_ledger::history::ConsistencyProof;
use xianjie_ledger::merkle::InclusionProof;

/// Proof that the history over the first `to` headers extends the history
/// over the first `from`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyView {
    /// Headers in the earlier tree.
    pub from: u64,
    /// Headers in the later tree.
    pub to: u64,
    /// Root of the earlier tree (`history_root` of header `from + 1`), hex.
    #[schema(value_type = String)]
    pub from_root: Hash,
    /// Root of the later tree (`history_root` of header `to + 1`), hex.
    #[schema(value_type = String)]
    pub to_root: Hash,
    /// The proof (RFC 9162 §2.1.4; `docs/receipt.md` §7.3).
    #[schema(value_type = Object)]
    pub proof: ConsistencyProof,
}

/// Proof that header `height` is in the history over the first `size`
/// headers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryInclusionView {
    /// The header's height (leaf `height - 1`).
    pub height: u64,
    /// Its hash, hex.
    #[schema(value_type = String)]
    pub header_hash: Hash,
    /// Headers in the tree.
    pub size: u64,
    /// Root of that tree (`history_root` of header `size + 1`), hex.
    #[schema(value_type = String)]
    pub root: Hash,
    /// The audit path (RFC 9162 §2.1.3).
    #[schema(value_type = Object)]
    pub proof: InclusionProof,
}

/// The validator-set changes written by blocks `from` to `to - 1`, each with
/// the certified header of the block that wrote it
/// (`xianjie_ledger::receipt::follow_validator_changes` checks them).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValidatorChangesView {
    /// The first block that may have written a change.
    pub from: u64,
    /// The header whose validator set the changes lead to.
    pub to: u64,
    /// The changes, ascending.
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<xianjie_ledger::receipt::CertifiedValidatorChange>,
}
