//! Blocks, their headers, per-transaction results and commit certificates.

use serde::{Deserialize, Serialize};

use crate::codec::{encode, Canonical};
use crate::crypto::{self, vote_digest, KeyId, Signature, VoteKind};
use crate::hash::{hash_with, Domain, Hash};
use crate::merkle;
use crate::tx::{SignedTx, MAX_TX_BYTES};
use crate::validators::{ValidatorSet, MAX_VALIDATORS};

/// Most transactions in one block.
pub const MAX_BLOCK_TXS: usize = 20_000;
/// Largest encoded block.
pub const MAX_BLOCK_BYTES: usize = 32 * 1024 * 1024;

/// A block header. Its hash is the block hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Chain id.
    pub chain_id: String,
    /// Height, from 1.
    pub height: u64,
    /// Block time chosen by the proposer (Unix milliseconds), later than its parent's.
    pub time_ms: u64,
    /// Hash of the previous header (the genesis hash for height 1).
    pub prev_hash: Hash,
    /// Root of the history tree over the hashes of every earlier header,
    /// block 1 first: the tree of `height - 1` leaves (`history`).
    pub history_root: Hash,
    /// RFC 6962 root over the transaction hashes.
    pub tx_root: Hash,
    /// Number of transactions.
    pub tx_count: u32,
    /// Sparse Merkle root of the whole state after this block.
    pub state_root: Hash,
    /// RFC 6962 root over the result hashes.
    pub results_root: Hash,
    /// Hash of the validator set that commits this block.
    pub validators_hash: Hash,
    /// The proposing validator.
    pub proposer: KeyId,
}

impl Header {
    /// The block hash.
    pub fn hash(&self) -> Hash {
        hash_with(Domain::Header, &encode(self))
    }
}

/// A header and its ordered transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// The transactions in execution order.
    pub txs: Vec<SignedTx>,
}

impl Block {
    /// The transaction hashes in order.
    pub fn tx_hashes(&self) -> Vec<Hash> {
        self.txs.iter().map(SignedTx::hash).collect()
    }

    /// The root the header must carry for these transactions.
    pub fn compute_tx_root(&self) -> Hash {
        merkle::root(&self.tx_hashes())
    }
}

/// The outcome of one transaction. A failed transaction stays in its block
/// with a stable error code, so denied attempts remain in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxOutcome {
    /// Applied.
    Ok,
    /// Refused; the state is unchanged.
    Error {
        /// Stable, machine-readable code such as `not_holder`.
        code: String,
    },
}

/// The result of one transaction, committed in the results tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxResult {
    /// The transaction.
    pub tx: Hash,
    /// What happened.
    pub outcome: TxOutcome,
}

impl TxResult {
    /// The leaf data of the results tree.
    pub fn hash(&self) -> Hash {
        hash_with(Domain::TxResult, &encode(self))
    }
}

/// Results of all transactions of a block, in block order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BlockResults(pub Vec<TxResult>);

impl BlockResults {
    /// The results root the header must carry.
    pub fn root(&self) -> Hash {
        let leaves: Vec<Hash> = self.0.iter().map(TxResult::hash).collect();
        merkle::root(&leaves)
    }
}

/// One validator's precommit signature in a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSignature {
    /// The validator.
    pub validator: KeyId,
    /// Its signature over the precommit vote digest.
    pub signature: Signature,
}

/// Proof that validators holding more than 2/3 of the power committed a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// Height.
    pub height: u64,
    /// Consensus round that decided it.
    pub round: u32,
    /// The committed block hash.
    pub block_hash: Hash,
    /// Precommit signatures.
    pub signatures: Vec<CommitSignature>,
}

/// Why a commit certificate is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommitError {
    /// The certificate is for another block or height.
    #[error("certificate is for another block")]
    WrongBlock,
    /// A signer is not in the validator set, or signs twice.
    #[error("signer {0} is not a validator of this height or signs twice")]
    UnknownSigner(KeyId),
    /// A signature does not verify.
    #[error("signature of validator {0} does not verify")]
    BadSignature(KeyId),
    /// Not enough power signed.
    #[error("signed power {signed} of {total} is not more than two thirds")]
    InsufficientPower {
        /// Power that signed.
        signed: u64,
        /// Total power of the set.
        total: u64,
    },
}

impl Commit {
    /// Checks the certificate for `header` against the validator set in force.
    pub fn verify(&self, header: &Header, validators: &ValidatorSet) -> Result<(), CommitError> {
        let block_hash = header.hash();
        if self.height != header.height || self.block_hash != block_hash {
            return Err(CommitError::WrongBlock);
        }
        let digest = vote_digest(
            &header.chain_id,
            self.height,
            self.round,
            VoteKind::Precommit,
            Some(&block_hash),
        );
        let mut seen = std::collections::BTreeSet::new();
        let mut signed: u64 = 0;
        for entry in &self.signatures {
            let validator = validators
                .get(&entry.validator)
                .filter(|_| seen.insert(entry.validator))
                .ok_or(CommitError::UnknownSigner(entry.validator))?;
            crypto::verify(&validator.public_key, &digest.0, &entry.signature)
                .map_err(|_| CommitError::BadSignature(entry.validator))?;
            signed = signed.saturating_add(validator.power);
        }
        let total = validators.total_power();
        // More than two thirds, in integers: 3 * signed > 2 * total.
        if u128::from(signed) * 3 > u128::from(total) * 2 {
            Ok(())
        } else {
            Err(CommitError::InsufficientPower { signed, total })
        }
    }
}

impl Canonical for Header {
    const KIND: &'static str = "block header";
    const MAX_ENCODED_LEN: usize = 1024;
}

impl Canonical for Block {
    const KIND: &'static str = "block";
    const MAX_ENCODED_LEN: usize = MAX_BLOCK_BYTES;
}

impl Canonical for TxResult {
    const KIND: &'static str = "transaction result";
    const MAX_ENCODED_LEN: usize = 512;
}

impl Canonical for BlockResults {
    const KIND: &'static str = "block results";
    const MAX_ENCODED_LEN: usize = MAX_BLOCK_TXS * 512;
}

impl Canonical for Commit {
    const KIND: &'static str = "commit certificate";
    const MAX_ENCODED_LEN: usize = MAX_VALIDATORS * 128;
}

// Every transaction in a block must also fit the single-transaction limit.
const _: () = assert!(MAX_BLOCK_BYTES >= MAX_TX_BYTES * 2);
