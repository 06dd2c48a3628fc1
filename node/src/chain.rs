//! Building, signing and committing blocks as the single validator.
//!
//! Everything here is synchronous and touches sled, so callers run it on a
//! blocking thread. The clock is read by the caller and passed in.

use std::sync::Arc;

use xianjie_contracts::policy::PolicyEngine;
use xianjie_ledger::block::{Commit, CommitSignature, Header, TxOutcome};
use xianjie_ledger::crypto::{vote_digest, SecretKey, VoteKind};
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::tx::SignedTx;
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;
use xianjie_store::Store;

use crate::committed_tip::Recorder;
use crate::error::{Error, Result};
use crate::execution::{build_block, ChainInfo, Executed};
use crate::mempool::Mempool;

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
    /// Root of the history tree over the headers up to this one: the next
    /// header's `history_root`.
    pub history_root: Hash,
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
    /// Chain id, genesis and the policy engine.
    chain: ChainInfo,
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
        policies: Arc<PolicyEngine>,
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
            chain: ChainInfo {
                chain_id: genesis.chain_id.clone(),
                genesis_hash,
                genesis_time_ms: genesis.genesis_time_ms,
                policies,
            },
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
        self.chain.tip(&self.store)
    }

    /// Builds the next block from `candidates` with the block rule (which
    /// leaves out any that are already committed or expired at the new
    /// height), signs it and commits it. Returns `None` (and commits
    /// nothing) when no candidate is left: blocks are made only for
    /// transactions. `mempool` is where the candidates were admitted.
    pub fn commit_next_block(
        &self,
        candidates: Vec<SignedTx>,
        mempool: &Mempool,
        now_ms: u64,
    ) -> Result<Option<BlockSummary>> {
        let parent = self.tip()?;
        let height = parent.height + 1;
        let span = tracing::info_span!("node.block.commit", height = height);
        let _entered = span.enter();
        let started = std::time::Instant::now();
        let proposer = self.validator_key.public_key().id();
        let Executed {
            block,
            results,
            update,
        } = build_block(
            &self.store,
            &self.chain,
            &parent,
            proposer,
            candidates,
            mempool,
            now_ms,
        )?;
        if block.txs.is_empty() {
            return Ok(None);
        }
        let commit = self.sign_commit(&block.header);
        debug_assert!(commit.verify(&block.header, &self.validator_set()?).is_ok());
        let refused = results
            .0
            .iter()
            .filter(|result| result.outcome != TxOutcome::Ok)
            .count();
        self.store
            .commit_block(&block, &results, &commit, &update)?;
        // Before the caller publishes the tip: a block is acknowledged only
        // once its height is recorded outside the store.
        if let Some(recorder) = &self.recorder {
            recorder.committed(height, commit.block_hash)?;
        }
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(
            tx_count = block.txs.len(),
            refused,
            elapsed_ms,
            "block committed"
        );
        Ok(Some(BlockSummary {
            tip: Tip {
                height,
                block_hash: commit.block_hash,
                time_ms: block.header.time_ms,
                state_root: update.root,
                history_root: self.store.history_root(height)?,
            },
            tx_count: block.txs.len(),
            refused,
        }))
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
            &self.chain.chain_id,
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
            history_root: store.history_root(0)?,
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
        history_root: store.history_root(height)?,
    })
}

/// The validator set in force in `store`'s latest state.
pub fn read_validator_set(store: &Store) -> Result<ValidatorSet> {
    xianjie_contracts::read::validators(store).map_err(|source| Error::StateRead {
        what: "validator set",
        source,
    })
}
