//! Building, signing and committing blocks as the single validator.
//!
//! Everything here is synchronous and touches sled, so callers run it on a
//! blocking thread. The clock is read by the caller and passed in.

use xianjie_contracts::BlockCtx;
use xianjie_ledger::block::{Block, Commit, CommitSignature, Header, TxOutcome};
use xianjie_ledger::crypto::{vote_digest, SecretKey, VoteKind};
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::merkle;
use xianjie_ledger::tx::SignedTx;
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;
use xianjie_store::Store;

use crate::committed_tip::Recorder;
use crate::error::{Error, Result};

/// The latest committed height, as waiters and the API see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tip {
    /// Height (0 before the first block).
    pub height: u64,
    /// Hash of the block at that height (the genesis hash at height 0).
    pub block_hash: Hash,
    /// Block time (the genesis time at height 0).
    pub time_ms: u64,
    /// State root after that height.
    pub state_root: Hash,
}

/// What one committed block did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSummary {
    /// The new tip.
    pub tip: Tip,
    /// Transactions in the block.
    pub tx_count: usize,
    /// Of which refused by a contract (kept with their code).
    pub refused: usize,
}

/// The chain as one validator sees it: the store plus the signing key.
pub struct Chain {
    store: Store,
    chain_id: String,
    genesis_hash: Hash,
    genesis_time_ms: u64,
    validator_key: SecretKey,
    /// Records each commit outside the store (`HOME/committed-tip`).
    recorder: Option<Recorder>,
}

impl Chain {
    /// Opens the chain on `store`, applying the genesis to a fresh store and
    /// refusing a store that grew from another genesis.
    pub fn open(
        store: Store,
        genesis: &Genesis,
        validator_key: SecretKey,
        data_dir: &std::path::Path,
    ) -> Result<Chain> {
        let genesis_hash = genesis.hash();
        init_store(&store, genesis, data_dir)?;
        let validator_id = validator_key.public_key().id();
        if genesis.validator_set().get(&validator_id).is_none() {
            return Err(Error::NotAValidator {
                key_id: validator_id.to_hex(),
                chain_id: genesis.chain_id.clone(),
            });
        }
        Ok(Chain {
            store,
            chain_id: genesis.chain_id.clone(),
            genesis_hash,
            genesis_time_ms: genesis.genesis_time_ms,
            validator_key,
            recorder: None,
        })
    }

    /// Records every commit with `recorder` before it is acknowledged, so
    /// that a store which later loses blocks is caught at start.
    pub fn with_recorder(mut self, recorder: Recorder) -> Chain {
        self.recorder = Some(recorder);
        self
    }

    /// The store the chain writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The latest committed height.
    pub fn tip(&self) -> Result<Tip> {
        read_tip(&self.store, self.genesis_hash, self.genesis_time_ms)
    }

    /// Builds the next block from `candidates`, leaving out any that are
    /// already committed or expired at the new height, signs it and commits
    /// it. Returns `None` (and commits nothing) when no candidate is left:
    /// blocks are made only for transactions.
    pub fn commit_next_block(
        &self,
        candidates: Vec<SignedTx>,
        now_ms: u64,
    ) -> Result<Option<BlockSummary>> {
        let parent = self.tip()?;
        let height = parent.height + 1;
        let txs = self.still_includable(candidates, height)?;
        if txs.is_empty() {
            return Ok(None);
        }
        let span = tracing::info_span!("node.block.commit", height = height, tx_count = txs.len());
        let _entered = span.enter();
        let started = std::time::Instant::now();

        // Block time moves forward even if the wall clock steps back.
        let time_ms = now_ms.max(parent.time_ms + 1);
        let ctx = BlockCtx {
            chain_id: self.chain_id.clone(),
            height,
            time_ms,
        };
        // The set in force before this block is the one that commits it.
        let validators = self.validator_set()?;
        let (results, writes) = xianjie_contracts::execute_block(&self.store, &ctx, &txs)
            .map_err(|fault| Error::CorruptState { fault })?;
        let update = self.store.compute_state_update(writes, height)?;
        let header = Header {
            chain_id: self.chain_id.clone(),
            height,
            time_ms,
            prev_hash: parent.block_hash,
            tx_root: merkle::root(&txs.iter().map(SignedTx::hash).collect::<Vec<_>>()),
            tx_count: u32::try_from(txs.len())
                .expect("block limits keep tx_count far below u32::MAX"),
            state_root: update.root,
            results_root: results.root(),
            validators_hash: validators.hash(),
            proposer: self.validator_key.public_key().id(),
        };
        let commit = self.sign_commit(&header);
        debug_assert!(commit.verify(&header, &validators).is_ok());
        let refused = results
            .0
            .iter()
            .filter(|result| result.outcome != TxOutcome::Ok)
            .count();
        let block = Block { header, txs };
        self.store
            .commit_block(&block, &results, &commit, &update)?;
        // Before the caller publishes the tip: a block is acknowledged only
        // once its height is recorded outside the store.
        if let Some(recorder) = &self.recorder {
            recorder.committed(height, commit.block_hash)?;
        }
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(refused, elapsed_ms, "block committed");
        Ok(Some(BlockSummary {
            tip: Tip {
                height,
                block_hash: commit.block_hash,
                time_ms,
                state_root: update.root,
            },
            tx_count: block.txs.len(),
            refused,
        }))
    }

    /// Drops candidates a block at `height` must not carry: those already
    /// committed (a resubmission that raced a commit) and those whose
    /// `valid_until` has passed.
    fn still_includable(&self, candidates: Vec<SignedTx>, height: u64) -> Result<Vec<SignedTx>> {
        let mut txs = Vec::with_capacity(candidates.len());
        for tx in candidates {
            if tx.tx.valid_until < height {
                tracing::debug!(tx = %tx.hash(), "dropping expired transaction");
                continue;
            }
            if self.store.tx_location(&tx.hash())?.is_some() {
                tracing::debug!(tx = %tx.hash(), "dropping already committed transaction");
                continue;
            }
            txs.push(tx);
        }
        Ok(txs)
    }

    /// The validator set in force.
    pub fn validator_set(&self) -> Result<ValidatorSet> {
        read_validator_set(&self.store)
    }

    /// The single validator's precommit certificate for `header`.
    fn sign_commit(&self, header: &Header) -> Commit {
        let block_hash = header.hash();
        const ROUND: u32 = 0;
        let digest = vote_digest(
            &self.chain_id,
            header.height,
            ROUND,
            VoteKind::Precommit,
            Some(&block_hash),
        );
        Commit {
            height: header.height,
            round: ROUND,
            block_hash,
            signatures: vec![CommitSignature {
                validator: self.validator_key.public_key().id(),
                signature: self.validator_key.sign(&digest.0),
            }],
        }
    }
}

/// Applies the genesis to a fresh store, and refuses a store that grew from
/// another genesis.
pub fn init_store(store: &Store, genesis: &Genesis, data_dir: &std::path::Path) -> Result<()> {
    let genesis_hash = genesis.hash();
    match store.genesis_hash()? {
        None => {
            let writes =
                xianjie_contracts::genesis_writes(genesis).map_err(Error::GenesisRefused)?;
            store.init_genesis(genesis_hash, writes)?;
        }
        Some(stored) if stored != genesis_hash => {
            return Err(Error::GenesisMismatch {
                data_dir: data_dir.to_owned(),
                stored,
                expected: genesis_hash,
            });
        }
        Some(_) => {}
    }
    Ok(())
}

/// The tip of a store opened from a genesis with the given hash and time.
pub fn read_tip(store: &Store, genesis_hash: Hash, genesis_time_ms: u64) -> Result<Tip> {
    let height = store.tip()?.ok_or(Error::MissingState { what: "tip" })?;
    if height == 0 {
        let state_root = store.genesis_state_root()?.ok_or(Error::MissingState {
            what: "genesis state root",
        })?;
        return Ok(Tip {
            height,
            block_hash: genesis_hash,
            time_ms: genesis_time_ms,
            state_root,
        });
    }
    let header = store.header(height)?.ok_or(Error::MissingState {
        what: "header of the tip",
    })?;
    Ok(Tip {
        height,
        block_hash: header.hash(),
        time_ms: header.time_ms,
        state_root: header.state_root,
    })
}

/// The validator set in force in `store`'s latest state.
pub fn read_validator_set(store: &Store) -> Result<ValidatorSet> {
    xianjie_contracts::read::validators(store).map_err(|source| Error::StateRead {
        what: "validator set",
        source,
    })
}
