//! Checking a node's proof that a digest is anchored, without trusting the node.
//!
//! The bundle (`GET /v1/evidence/{digest}/proof`) carries the evidence record
//! as a state value, its sparse Merkle proof against a block's `state_root`,
//! that block's header and commit certificate with the validator set, and the
//! anchoring and custody transactions with their Merkle inclusion proofs.
//! [`verify_bundle`] recomputes every link and names the first that fails:
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

use std::fmt;

use serde::Deserialize;
use xianjie_ledger::block::{Commit, Header};
use xianjie_ledger::codec;
use xianjie_ledger::merkle::InclusionProof;
use xianjie_ledger::model::{CustodyEvent, EvidenceRecord};
use xianjie_ledger::state::{keys, StateProof};
use xianjie_ledger::tx::{Call, SignedTx};
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;

/// The JSON of `GET /v1/evidence/{digest}/proof`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProofBundle {
    /// The digest asked about.
    pub digest: Hash,
    /// Height of the certified block whose state holds the record.
    pub height: u64,
    /// That block's header.
    pub header: Header,
    /// That block's hash.
    pub block_hash: Hash,
    /// The certificate of that block.
    pub commit: Commit,
    /// The validators that signed it.
    pub validators: ValidatorSet,
    /// The record in that block's state.
    pub state: StateEntry,
    /// The anchoring transaction.
    pub anchor: TxInclusion,
    /// The custody transactions, oldest first, one per custody event.
    #[serde(default)]
    pub custody: Vec<TxInclusion>,
}

/// A state key, its value and the proof, hex in JSON.
#[derive(Debug, Clone, Deserialize)]
pub struct StateEntry {
    /// `keys::evidence(digest)`.
    #[serde(with = "hex::serde")]
    pub key: Vec<u8>,
    /// Canonical `EvidenceRecord`.
    #[serde(with = "hex::serde")]
    pub value: Vec<u8>,
    /// Canonical `StateProof`.
    #[serde(with = "hex::serde")]
    pub proof: Vec<u8>,
}

/// A transaction and the proof that its block includes it.
#[derive(Debug, Clone, Deserialize)]
pub struct TxInclusion {
    /// Canonical `SignedTx`, hex.
    #[serde(with = "hex::serde")]
    pub tx: Vec<u8>,
    /// Its hash.
    pub tx_hash: Hash,
    /// Its block height.
    pub height: u64,
    /// Its position in the block.
    pub index: u64,
    /// Its block's header.
    pub header: Header,
    /// Its block's certificate.
    pub commit: Commit,
    /// Audit path to the header's `tx_root`.
    pub inclusion: InclusionProof,
}

/// What a successful check established.
#[derive(Debug, Clone)]
pub struct VerifiedEvidence {
    /// The record proven to be in the certified state.
    pub record: EvidenceRecord,
    /// Chain of the certified block.
    pub chain_id: String,
    /// Height of the certified block.
    pub height: u64,
    /// Voting power that signed the certificate.
    pub signed_power: u64,
    /// Total voting power of the set.
    pub total_power: u64,
}

/// The first link of the proof that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofFailure {
    /// Which check failed, e.g. `commit certificate`.
    pub check: String,
    /// Why.
    pub detail: String,
}

impl fmt::Display for ProofFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} check failed: {}", self.check, self.detail)
    }
}

impl std::error::Error for ProofFailure {}

fn ensure(holds: bool, check: &str, detail: impl FnOnce() -> String) -> Result<(), ProofFailure> {
    if holds {
        Ok(())
    } else {
        Err(ProofFailure {
            check: check.to_owned(),
            detail: detail(),
        })
    }
}

fn failure(check: &str, detail: impl fmt::Display) -> ProofFailure {
    ProofFailure {
        check: check.to_owned(),
        detail: detail.to_string(),
    }
}

/// Checks every link of `bundle` for `digest`; returns the proven record.
pub fn verify_bundle(
    bundle: &ProofBundle,
    digest: &Hash,
) -> Result<VerifiedEvidence, ProofFailure> {
    ensure(bundle.digest == *digest, "digest", || {
        format!("asked about {digest}, the proof is about {}", bundle.digest)
    })?;
    let signed_power = verify_certified_header(bundle)?;
    let record = verify_state_record(bundle, digest)?;
    verify_anchor_tx(bundle, &record)?;
    verify_custody_txs(bundle, &record)?;
    Ok(VerifiedEvidence {
        record,
        chain_id: bundle.header.chain_id.clone(),
        height: bundle.header.height,
        signed_power,
        total_power: bundle.validators.total_power(),
    })
}

/// Header ↔ block hash ↔ validator set ↔ certificate; returns the signed power.
fn verify_certified_header(bundle: &ProofBundle) -> Result<u64, ProofFailure> {
    let header = &bundle.header;
    ensure(header.height == bundle.height, "block height", || {
        format!(
            "the proof is for height {} but its header is height {}",
            bundle.height, header.height
        )
    })?;
    ensure(header.hash() == bundle.block_hash, "block hash", || {
        format!(
            "the header hashes to {}, not {}",
            header.hash(),
            bundle.block_hash
        )
    })?;
    ensure(
        bundle.validators.hash() == header.validators_hash,
        "validator set",
        || "the validator set is not the one the header commits to".to_owned(),
    )?;
    bundle
        .commit
        .verify(header, &bundle.validators)
        .map_err(|error| failure("commit certificate", error))?;
    // Every signer was checked by `verify`, so summing their power is safe.
    Ok(bundle
        .commit
        .signatures
        .iter()
        .filter_map(|entry| bundle.validators.get(&entry.validator))
        .map(|validator| validator.power)
        .sum())
}

/// The state proof of the record under the certified header's state root.
fn verify_state_record(
    bundle: &ProofBundle,
    digest: &Hash,
) -> Result<EvidenceRecord, ProofFailure> {
    let key = keys::evidence(digest);
    ensure(bundle.state.key == key, "state key", || {
        "the proof is for another state key than this digest's".to_owned()
    })?;
    let proof: StateProof =
        codec::decode(&bundle.state.proof).map_err(|error| failure("state proof", error))?;
    proof
        .verify(&bundle.header.state_root, &key, Some(&bundle.state.value))
        .map_err(|error| failure("state proof", error))?;
    let record: EvidenceRecord =
        codec::decode(&bundle.state.value).map_err(|error| failure("evidence record", error))?;
    ensure(record.anchor.digest == *digest, "evidence record", || {
        format!("the proven record is about {}", record.anchor.digest)
    })?;
    Ok(record)
}

/// The anchoring transaction is the one the record names, signed by its
/// officer, anchoring exactly this record's anchor, in the named block.
fn verify_anchor_tx(bundle: &ProofBundle, record: &EvidenceRecord) -> Result<(), ProofFailure> {
    let check = "anchor transaction";
    let signed = verify_inclusion(check, bundle, &bundle.anchor, &record.tx, record.height)?;
    ensure(
        bundle.anchor.header.time_ms == record.time_ms,
        check,
        || "its block time differs from the record's anchoring time".to_owned(),
    )?;
    ensure(signed.signer_id() == record.anchored_by, check, || {
        format!(
            "signed by {}, the record says {}",
            signed.signer_id(),
            record.anchored_by
        )
    })?;
    match &signed.tx.call {
        Call::AnchorEvidence(anchor) if *anchor == record.anchor => {}
        _ => {
            return Err(failure(
                check,
                "it does not anchor this record's file and metadata",
            ))
        }
    }
    verify_co_signatures(&signed.tx.chain_id, record)
}

/// Every collector signed: each co-signature verifies over the anchor's
/// co-signing digest, and every collector but the signer co-signed.
fn verify_co_signatures(chain_id: &str, record: &EvidenceRecord) -> Result<(), ProofFailure> {
    let check = "collectors' signatures";
    let anchor = &record.anchor;
    let digest = anchor.co_signing_digest(chain_id, &record.anchored_by);
    for co_signature in &anchor.co_signatures {
        let officer = co_signature.officer();
        ensure(co_signature.verify(&digest).is_ok(), check, || {
            format!("the co-signature of officer {officer} does not verify")
        })?;
    }
    let missing = super::draft::missing_co_signers(anchor, &record.anchored_by);
    ensure(missing.is_empty(), check, || {
        format!("collectors {} did not sign", super::draft::list(&missing))
    })
}

/// One custody transaction per custody event, each the one the event names.
fn verify_custody_txs(bundle: &ProofBundle, record: &EvidenceRecord) -> Result<(), ProofFailure> {
    ensure(
        bundle.custody.len() == record.custody.len(),
        "custody transactions",
        || {
            format!(
                "the record has {} custody events, the proof has {} transactions",
                record.custody.len(),
                bundle.custody.len()
            )
        },
    )?;
    for (number, (inclusion, event)) in bundle.custody.iter().zip(&record.custody).enumerate() {
        verify_custody_tx(
            &format!("custody transaction {}", number + 1),
            bundle,
            inclusion,
            event,
            record,
        )?;
    }
    Ok(())
}

fn verify_custody_tx(
    check: &str,
    bundle: &ProofBundle,
    inclusion: &TxInclusion,
    event: &CustodyEvent,
    record: &EvidenceRecord,
) -> Result<(), ProofFailure> {
    let signed = verify_inclusion(check, bundle, inclusion, &event.tx, event.height)?;
    ensure(signed.signer_id() == event.officer, check, || {
        format!(
            "signed by {}, the record says {}",
            signed.signer_id(),
            event.officer
        )
    })?;
    match &signed.tx.call {
        Call::RecordCustody(custody)
            if custody.digest == record.anchor.digest
                && custody.action == event.action
                && custody.to == event.to
                && custody.note_digest == event.note_digest =>
        {
            Ok(())
        }
        _ => Err(failure(check, "it does not record this custody event")),
    }
}

/// Decodes the transaction and checks hash, signature, its block's
/// certificate and the Merkle path to that block's `tx_root`.
fn verify_inclusion(
    check: &str,
    bundle: &ProofBundle,
    inclusion: &TxInclusion,
    expected_tx: &Hash,
    expected_height: u64,
) -> Result<SignedTx, ProofFailure> {
    let certified_height = bundle.height;
    let signed: SignedTx = codec::decode(&inclusion.tx).map_err(|error| failure(check, error))?;
    let tx_hash = signed.hash();
    ensure(tx_hash == inclusion.tx_hash, check, || {
        format!(
            "the transaction hashes to {tx_hash}, not {}",
            inclusion.tx_hash
        )
    })?;
    ensure(tx_hash == *expected_tx, check, || {
        format!("the record names transaction {expected_tx}, the proof has {tx_hash}")
    })?;
    signed
        .verify_signature()
        .map_err(|error| failure(check, error))?;
    let header = &inclusion.header;
    ensure(
        header.height == expected_height && inclusion.height == expected_height,
        check,
        || {
            format!(
                "the record puts it in block {expected_height}, the proof in block {} (header {})",
                inclusion.height, header.height
            )
        },
    )?;
    ensure(header.height <= certified_height, check, || {
        format!(
            "its block {} is after the certified block {certified_height}",
            header.height
        )
    })?;
    ensure(
        inclusion.inclusion.leaf_index == inclusion.index,
        check,
        || "the inclusion proof is for another position in the block".to_owned(),
    )?;
    inclusion
        .inclusion
        .verify(&tx_hash, &header.tx_root)
        .map_err(|error| failure(check, format!("not included in its block: {error}")))?;
    Ok(signed)
}
