//! The history tree as the store keeps it: each perfect subtree under
//! `y:` ‖ level (u8) ‖ index (u64 BE), written in the batch that commits the
//! header that completes it (`xianjie_ledger::history`). Roots and proofs
//! are read from these records; no header is rehashed.

use xianjie_ledger::error::ProofError;
use xianjie_ledger::hash::Hash;
use xianjie_ledger::history::{self, ConsistencyProof, HistoryNodes};
use xianjie_ledger::merkle::InclusionProof;

use crate::{corrupt, StorageError, Store, StoreResult};

/// The key prefix of the history tree's records.
pub(crate) const PREFIX: &[u8] = b"y:";

fn node_key(level: u32, index: u64) -> Vec<u8> {
    // A tree of at most 2^64 leaves has at most 65 levels.
    let level = u8::try_from(level).unwrap_or(u8::MAX);
    [PREFIX, &[level], &index.to_be_bytes()].concat()
}

impl HistoryNodes for Store {
    type Fault = StorageError;

    fn perfect(&self, level: u32, index: u64) -> StoreResult<Hash> {
        let key = node_key(level, index);
        self.get_hash(&key)?
            .ok_or_else(|| corrupt(&key, "a history tree node is missing"))
    }
}

impl Store {
    /// Stages the history tree records that header `height`, with hash
    /// `header_hash`, completes.
    pub(crate) fn stage_history(
        &self,
        batch: &mut sled::Batch,
        height: u64,
        header_hash: &Hash,
    ) -> StoreResult<()> {
        for node in history::append(self, height - 1, header_hash)? {
            batch.insert(node_key(node.level, node.index), &node.hash.0);
        }
        Ok(())
    }

    /// The published root of the history tree over headers `1..=size`: the
    /// `history_root` of header `size + 1`. `size` must not exceed the
    /// stored tip.
    pub fn history_root(&self, size: u64) -> StoreResult<Hash> {
        self.check_history_size(size)?;
        history::root(self, size)
    }

    /// The proof that header `height` is in the history tree over headers
    /// `1..=size`; `None` unless `1 ≤ height ≤ size`.
    pub fn history_inclusion(&self, height: u64, size: u64) -> StoreResult<Option<InclusionProof>> {
        self.check_history_size(size)?;
        match height.checked_sub(1) {
            Some(index) => history::prove_inclusion(self, index, size),
            None => Ok(None),
        }
    }

    /// The proof that the history tree over headers `1..=to` extends the
    /// one over `1..=from`; `Err` inside if `from > to`.
    pub fn history_consistency(
        &self,
        from: u64,
        to: u64,
    ) -> StoreResult<Result<ConsistencyProof, ProofError>> {
        self.check_history_size(to)?;
        history::prove_consistency(self, from, to)
    }

    /// A tree larger than the durable tip would need records not yet (or
    /// never) written.
    fn check_history_size(&self, size: u64) -> StoreResult<()> {
        let tip = self.tip()?.unwrap_or(0);
        if size > tip {
            return Err(StorageError::HistoryBeyondTip { size, tip });
        }
        Ok(())
    }
}
