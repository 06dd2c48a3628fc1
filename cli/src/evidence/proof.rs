//! Checking a node's proof that a digest is anchored, without trusting the node.
//!
//! The bundle (`GET /v1/evidence/{digest}/proof`) carries the evidence record
//! as a state value, its sparse Merkle proof against a block's `state_root`,
//! that block's header and commit certificate with the validator set, and the
//! anchoring and custody transactions with their Merkle inclusion proofs.
//! [`verify_bundle`] (the API crate's verifier) recomputes every link and names the
//! first that fails:
//!
//! ```text
//! validators --signs--> commit --certifies--> header --state_root--> record
//!                                                                    |  tx, height, time
//!         anchor/custody tx --inclusion proof--> their block's tx_root
//! ```
//!
//! Every block involved (the certified one and those of the anchor and custody
//! transactions) must carry a certificate from the bundle's validator set.
//! What this does not prove: that this validator set is the chain's real one
//! (that needs the genesis file and the validator history), so a node that
//! forged a whole set could forge a bundle. Asking a second agency's node
//! guards against that; an offline check against the genesis would too.

use xianjie_ledger::Hash;

pub use xianjie_api::evidence::{
    EvidenceProof as ProofBundle, ProofFailure, StateEntryProof as StateEntry, TxInclusion,
    VerifiedEvidence,
};

/// Checks every link of `bundle` for `digest` against the bundle's own
/// validator set; returns the proven record. The check is the API crate's
/// (`xianjie_api::EvidenceProof::verify_digest`), the one the node's tests use.
pub fn verify_bundle(
    bundle: &ProofBundle,
    digest: &Hash,
) -> Result<VerifiedEvidence, ProofFailure> {
    bundle.verify_digest(digest, &bundle.validators)
}
