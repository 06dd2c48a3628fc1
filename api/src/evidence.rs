//! The proof bundle of `GET /v1/evidence/{digest}/proof` and its one
//! verifier, [`EvidenceProof::verify_digest`].
//!
//! The bundle carries the evidence record as a state value, its sparse
//! Merkle proof against a block's `state_root`, that block's header and
//! commit certificate with the validator set, and the anchoring and custody
//! transactions with their Merkle inclusion proofs. The verifier recomputes
//! every link and names the first that fails:
//!
//! ```text
//! validators --signs--> commit --certifies--> header --state_root--> record
//!                                                                    |  tx, height, time
//!         anchor/custody tx --inclusion proof--> their block's tx_root
//! ```
//!
//! Which validator set is trusted is the caller's choice: the genesis's
//! (the node's tests), or the bundle's own (`xianjie evidence verify`,
//! which then proves nothing about whether that set is the chain's real one;
//! the receipt, `xianjie_ledger::receipt`, does).

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xianjie_ledger::block::{Commit, Header};
use xianjie_ledger::codec;
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::merkle::InclusionProof;
use xianjie_ledger::model::{CustodyEvent, EvidenceAnchor, EvidenceRecord};
use xianjie_ledger::state::{keys, StateProof};
use xianjie_ledger::tx::{Call, SignedTx};
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;

/// The state proof of the evidence record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StateEntryProof {
    /// The state key, hex.
    #[serde(with = "hex::serde")]
    #[schema(value_type = String)]
    pub key: Vec<u8>,
    /// The canonical `EvidenceRecord`, hex.
    #[serde(with = "hex::serde")]
    #[schema(value_type = String)]
    pub value: Vec<u8>,
    /// The canonical `StateProof`, hex.
    #[serde(with = "hex::serde")]
    #[schema(value_type = String)]
    pub proof: Vec<u8>,
}

/// A transaction and the proof that it is in a committed block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TxInclusion {
    /// The canonical `SignedTx`, hex.
    #[serde(with = "hex::serde")]
    #[schema(value_type = String)]
    pub tx: Vec<u8>,
    /// Its hash, hex.
    #[schema(value_type = String)]
    pub tx_hash: Hash,
    /// Height of its block.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// Header of its block.
    #[schema(value_type = Object)]
    pub header: Header,
    /// Commit certificate of its block.
    #[schema(value_type = Object)]
    pub commit: Commit,
    /// RFC 6962 inclusion proof against `header.tx_root`.
    #[schema(value_type = Object)]
    pub inclusion: InclusionProof,
}

/// Proofs of an evidence record and of its transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceProof {
    /// The evidence digest (BLAKE3 of the file), hex.
    #[schema(value_type = String)]
    pub digest: Hash,
    /// The height the state proof is against (the tip when asked).
    pub height: u64,
    /// Header at that height.
    #[schema(value_type = Object)]
    pub header: Header,
    /// Its hash, hex.
    #[schema(value_type = String)]
    pub block_hash: Hash,
    /// Its commit certificate.
    #[schema(value_type = Object)]
    pub commit: Commit,
    /// The validator set that committed it.
    #[schema(value_type = Object)]
    pub validators: ValidatorSet,
    /// The record and its state proof against `header.state_root`.
    pub state: StateEntryProof,
    /// The anchoring transaction.
    pub anchor: TxInclusion,
    /// One entry per custody event, oldest first.
    pub custody: Vec<TxInclusion>,
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

impl EvidenceProof {
    /// Checks every link of the bundle for the digest it names against the
    /// `trusted` validators (from the genesis, not from the bundle); returns
    /// the proven record. [`EvidenceProof::verify_digest`] does the checking.
    pub fn verify(&self, trusted: &ValidatorSet) -> Result<EvidenceRecord, ProofFailure> {
        self.verify_digest(&self.digest, trusted)
            .map(|verified| verified.record)
    }

    /// Checks every link of the bundle for `digest`, with `validators` as
    /// the set that must have certified the block; returns what it proves.
    pub fn verify_digest(
        &self,
        digest: &Hash,
        validators: &ValidatorSet,
    ) -> Result<VerifiedEvidence, ProofFailure> {
        ensure(self.digest == *digest, "digest", || {
            format!("asked about {digest}, the proof is about {}", self.digest)
        })?;
        let signed_power = self.verify_certified_header(validators)?;
        let record = self.verify_state_record(digest)?;
        self.verify_anchor_tx(&record)?;
        self.verify_custody_txs(&record)?;
        Ok(VerifiedEvidence {
            record,
            chain_id: self.header.chain_id.clone(),
            height: self.header.height,
            signed_power,
            total_power: validators.total_power(),
        })
    }

    /// Header ↔ block hash ↔ validator set ↔ certificate; returns the signed power.
    fn verify_certified_header(&self, validators: &ValidatorSet) -> Result<u64, ProofFailure> {
        let header = &self.header;
        ensure(header.height == self.height, "block height", || {
            format!(
                "the proof is for height {} but its header is height {}",
                self.height, header.height
            )
        })?;
        ensure(header.hash() == self.block_hash, "block hash", || {
            format!(
                "the header hashes to {}, not {}",
                header.hash(),
                self.block_hash
            )
        })?;
        ensure(
            validators.hash() == header.validators_hash,
            "validator set",
            || "the validator set is not the one the header commits to".to_owned(),
        )?;
        self.commit
            .verify(header, validators)
            .map_err(|error| failure("commit certificate", error))?;
        // Every signer was checked by `verify`, so summing their power is safe.
        Ok(self
            .commit
            .signatures
            .iter()
            .filter_map(|entry| validators.get(&entry.validator))
            .map(|validator| validator.power)
            .sum())
    }

    /// The state proof of the record under the certified header's state root.
    fn verify_state_record(&self, digest: &Hash) -> Result<EvidenceRecord, ProofFailure> {
        let key = keys::evidence(digest);
        ensure(self.state.key == key, "state key", || {
            "the proof is for another state key than this digest's".to_owned()
        })?;
        let proof: StateProof =
            codec::decode(&self.state.proof).map_err(|error| failure("state proof", error))?;
        proof
            .verify(&self.header.state_root, &key, Some(&self.state.value))
            .map_err(|error| failure("state proof", error))?;
        let record: EvidenceRecord =
            codec::decode(&self.state.value).map_err(|error| failure("evidence record", error))?;
        ensure(record.anchor.digest == *digest, "evidence record", || {
            format!("the proven record is about {}", record.anchor.digest)
        })?;
        Ok(record)
    }

    /// The anchoring transaction is the one the record names, signed by its
    /// officer, anchoring exactly this record's anchor, in the named block.
    fn verify_anchor_tx(&self, record: &EvidenceRecord) -> Result<(), ProofFailure> {
        let check = "anchor transaction";
        let signed = self.verify_inclusion(check, &self.anchor, &record.tx, record.height)?;
        ensure(self.anchor.header.time_ms == record.time_ms, check, || {
            "its block time differs from the record's anchoring time".to_owned()
        })?;
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

    /// One custody transaction per custody event, each the one the event names.
    fn verify_custody_txs(&self, record: &EvidenceRecord) -> Result<(), ProofFailure> {
        ensure(
            self.custody.len() == record.custody.len(),
            "custody transactions",
            || {
                format!(
                    "the record has {} custody events, the proof has {} transactions",
                    record.custody.len(),
                    self.custody.len()
                )
            },
        )?;
        for (number, (inclusion, event)) in self.custody.iter().zip(&record.custody).enumerate() {
            self.verify_custody_tx(
                &format!("custody transaction {}", number + 1),
                inclusion,
                event,
                record,
            )?;
        }
        Ok(())
    }

    fn verify_custody_tx(
        &self,
        check: &str,
        inclusion: &TxInclusion,
        event: &CustodyEvent,
        record: &EvidenceRecord,
    ) -> Result<(), ProofFailure> {
        let signed = self.verify_inclusion(check, inclusion, &event.tx, event.height)?;
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
    /// height and the Merkle path to that block's `tx_root`.
    fn verify_inclusion(
        &self,
        check: &str,
        inclusion: &TxInclusion,
        expected_tx: &Hash,
        expected_height: u64,
    ) -> Result<SignedTx, ProofFailure> {
        let certified_height = self.height;
        let signed: SignedTx =
            codec::decode(&inclusion.tx).map_err(|error| failure(check, error))?;
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
            inclusion.inclusion.leaf_index == u64::from(inclusion.index),
            check,
            || "the inclusion proof is for another position in the block".to_owned(),
        )?;
        inclusion
            .inclusion
            .verify(&tx_hash, &header.tx_root)
            .map_err(|error| failure(check, format!("not included in its block: {error}")))?;
        Ok(signed)
    }
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
    let missing = missing_co_signers(anchor, &record.anchored_by);
    ensure(missing.is_empty(), check, || {
        format!("collectors {} did not sign", list(&missing))
    })
}

/// The collectors of `anchor` other than `signer` who have not co-signed.
pub fn missing_co_signers(anchor: &EvidenceAnchor, signer: &KeyId) -> Vec<KeyId> {
    anchor
        .collected_by
        .iter()
        .filter(|id| *id != signer)
        .filter(|id| !anchor.co_signatures.iter().any(|c| c.officer() == **id))
        .copied()
        .collect()
}

/// The ids, comma-separated.
pub fn list(ids: &[KeyId]) -> String {
    ids.iter().map(KeyId::to_hex).collect::<Vec<_>>().join(", ")
}
