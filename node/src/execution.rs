//! The node's side of the block rule ([`xianjie_contracts::block`]): the
//! store is the state a block runs on, and the mempool with the committed
//! index is what this node has seen. The dev producer and the consensus
//! proposer build with [`build_block`]; every validator judges a proposal,
//! and a decided block it did not execute (sync, the write-ahead log), with
//! [`check_block`].
//!
//! Synchronous and touches sled: callers run it off the async executor.

use std::collections::BTreeSet;
use std::sync::Arc;

use xianjie_contracts::block::{self, BuildFault, ChainState, Parent, Proposal, Seen};
use xianjie_contracts::policy::PolicyEngine;
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::state::{StateView, WriteSet};
use xianjie_ledger::tx::SignedTx;
use xianjie_ledger::Hash;
use xianjie_store::{StateUpdate, Store};

use crate::chain::{read_tip, read_validator_set, Tip};
use crate::error::{Error, Result};
use crate::mempool::Mempool;

pub use xianjie_contracts::block::{body_matches_header as matches_header, Mode as Check};

/// A block executed against the state of its parent, ready to commit.
pub type Executed = block::Executed<StateUpdate>;

/// Why a block is refused, or [`Refusal::Fault`] when this node failed
/// while judging it.
pub type Refusal = block::Refusal<Error>;

/// What a node knows about the chain it runs.
#[derive(Debug, Clone)]
pub struct ChainInfo {
    /// Chain id.
    pub chain_id: String,
    /// Hash of the genesis document.
    pub genesis_hash: Hash,
    /// Time of the genesis.
    pub genesis_time_ms: u64,
    /// The node's policy engine.
    pub policies: Arc<PolicyEngine>,
}

/// The node's one policy engine, made at start and shared by block
/// execution, admission and the API's reads.
pub fn policy_engine() -> Result<Arc<PolicyEngine>> {
    PolicyEngine::new()
        .map(Arc::new)
        .map_err(Error::PolicySchema)
}

impl ChainInfo {
    /// The latest committed tip of `store`.
    pub fn tip(&self, store: &Store) -> Result<Tip> {
        read_tip(store, self.genesis_hash, self.genesis_time_ms)
    }

    /// `tip` as the parent of the next block on this chain.
    pub fn parent(&self, tip: &Tip) -> Parent {
        Parent {
            chain_id: self.chain_id.clone(),
            height: tip.height,
            block_hash: tip.block_hash,
            time_ms: tip.time_ms,
            history_root: tip.history_root,
        }
    }
}

/// The store as the state a block runs on.
pub struct StoreState<'a>(pub &'a Store);

impl StateView for StoreState<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        StateView::get(self.0, key)
    }

    fn known_params(&self) -> Option<Arc<xianjie_ledger::params::Params>> {
        self.0.known_params()
    }
}

impl ChainState for StoreState<'_> {
    type Update = StateUpdate;
    type Fault = Error;

    fn state_update(
        &self,
        writes: WriteSet,
        new_keys: BTreeSet<Vec<u8>>,
        height: u64,
    ) -> Result<(Hash, StateUpdate)> {
        let update = self
            .0
            .compute_state_update(writes, height)?
            .with_new_keys(new_keys);
        Ok((update.root, update))
    }
}

/// What this node has seen: its mempool (admitted, so checked once) and its
/// committed index.
pub struct NodeSeen<'a> {
    /// The committed index.
    pub store: &'a Store,
    /// Admitted transactions and verified signatures.
    pub mempool: &'a Mempool,
}

impl Seen for NodeSeen<'_> {
    type Fault = Error;

    /// A transaction the mempool holds is not committed (see the `mempool`
    /// module), so it is not looked up; debug builds (every test run) look it
    /// up anyway and check.
    fn is_committed(&self, tx_hash: &Hash) -> Result<bool> {
        if self.mempool.contains(tx_hash) {
            debug_assert!(
                self.store.tx_location(tx_hash)?.is_none(),
                "the mempool holds committed transaction {tx_hash}"
            );
            return Ok(false);
        }
        Ok(self.store.tx_location(tx_hash)?.is_some())
    }

    fn signature_verifies(&self, tx_hash: &Hash, tx: &SignedTx) -> bool {
        self.mempool.signature_verifies(tx_hash, tx)
    }

    fn admitted(&self, tx_hash: &Hash) -> bool {
        self.mempool.contains(tx_hash)
    }
}

/// Builds the next block on `parent` from `candidates` (oldest first) with
/// the block rule, under the validator set in force in `store`.
pub fn build_block(
    store: &Store,
    chain: &ChainInfo,
    parent: &Tip,
    proposer: KeyId,
    candidates: Vec<SignedTx>,
    mempool: &Mempool,
    now_ms: u64,
) -> Result<Executed> {
    let validators = read_validator_set(store)?;
    let seen = NodeSeen { store, mempool };
    block::build(
        &StoreState(store),
        &chain.parent(parent),
        &validators,
        &chain.policies,
        Proposal {
            proposer,
            candidates,
            now_ms,
        },
        &seen,
    )
    .map_err(|fault| match fault {
        BuildFault::CorruptState(fault) => Error::CorruptState { fault },
        BuildFault::Storage(error) => error,
    })
}

/// Judges `block` as the next block on `parent` with the block rule, under
/// the validator set in force in `store`. Signatures the mempool verified
/// are not verified again.
pub fn check_block(
    store: &Store,
    chain: &ChainInfo,
    parent: &Tip,
    block: xianjie_ledger::block::Block,
    mempool: &Mempool,
    check: Check,
) -> std::result::Result<Executed, Refusal> {
    let validators = read_validator_set(store).map_err(Refusal::Fault)?;
    let seen = NodeSeen { store, mempool };
    block::check(
        &StoreState(store),
        &chain.parent(parent),
        &validators,
        &chain.policies,
        block,
        check,
        &seen,
    )
}

/// A refusal of the block itself, or this node's own failure while judging
/// it as the node's error.
pub fn block_refusal(refusal: Refusal) -> Result<Refusal> {
    match refusal {
        block::Refusal::Fault(error) => Err(error),
        block::Refusal::CorruptState(fault) => Err(Error::CorruptState { fault }),
        refusal => Ok(refusal),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use xianjie_ledger::block::TxOutcome;

    use super::*;
    use crate::dev::{test_anchor as anchor, DevHome};

    /// A node that skips the free-text check, as a careless proposer would.
    struct AdmitsEverything<'a>(NodeSeen<'a>);

    impl Seen for AdmitsEverything<'_> {
        type Fault = Error;

        fn is_committed(&self, tx_hash: &Hash) -> Result<bool> {
            self.0.is_committed(tx_hash)
        }

        fn signature_verifies(&self, tx_hash: &Hash, tx: &SignedTx) -> bool {
            self.0.signature_verifies(tx_hash, tx)
        }

        fn admitted(&self, _: &Hash) -> bool {
            true
        }
    }

    /// A proposal carrying a personal identifier in free text is not built
    /// and is refused before it is executed; the same block, once certified,
    /// is followed.
    #[test]
    fn proposals_with_personal_identifiers_are_refused_but_decided_blocks_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let dev = DevHome::new(dir.path().join("home"));
        let setup = dev.prepare().unwrap();
        let store = Store::temporary().unwrap();
        crate::chain::init_store(&store, &setup.genesis, Path::new("(memory)")).unwrap();
        let chain = ChainInfo {
            chain_id: setup.genesis.chain_id.clone(),
            genesis_hash: setup.genesis.hash(),
            genesis_time_ms: setup.genesis.genesis_time_ms,
            policies: policy_engine().unwrap(),
        };
        let parent = chain.tip(&store).unwrap();
        let officer = dev.officer_key("market", "officer").unwrap();
        let colleague = dev.officer_key("market", "officer2").unwrap();
        let clean = anchor(&officer, &colleague, 1, "camera");
        let leaky = anchor(&officer, &colleague, 2, "phone of 13812345678");
        let proposer = setup.validator_key.public_key().id();
        let candidates = vec![clean.clone(), leaky.clone()];
        let time_ms = parent.time_ms + 1_000;
        let mempool = Mempool::new(crate::config::MempoolLimits::default());
        // An honest proposer leaves it out.
        let built = build_block(
            &store, &chain, &parent, proposer, candidates, &mempool, time_ms,
        )
        .unwrap();
        assert_eq!(built.block.txs, vec![clean.clone()]);
        // A proposer that does not is refused.
        let with_leak = vec![clean.clone(), leaky.clone()];
        let careless = AdmitsEverything(NodeSeen {
            store: &store,
            mempool: &mempool,
        });
        let validators = read_validator_set(&store).unwrap();
        let executed = block::build(
            &StoreState(&store),
            &chain.parent(&parent),
            &validators,
            &chain.policies,
            Proposal {
                proposer,
                candidates: with_leak,
                now_ms: time_ms,
            },
            &careless,
        )
        .unwrap_or_else(|_| panic!("built"));
        assert_eq!(executed.block.txs.len(), 2);
        let proposal = Check::Proposal {
            now_ms: parent.time_ms + 1_000,
            drift_ms: 0,
        };
        let refused = check_block(
            &store,
            &chain,
            &parent,
            executed.block.clone(),
            &mempool,
            proposal,
        );
        match refused {
            Err(Refusal::PersonalInformation(hash)) => assert_eq!(hash, leaky.hash()),
            Err(other) => panic!("refused for another reason: {other}"),
            Ok(_) => panic!("the proposal was accepted"),
        }
        let followed = check_block(
            &store,
            &chain,
            &parent,
            executed.block,
            &mempool,
            Check::Decided,
        )
        .unwrap_or_else(|refusal| panic!("{refusal}"));
        let outcomes: Vec<_> = followed.results.0.iter().map(|r| &r.outcome).collect();
        assert_eq!(outcomes[0], &TxOutcome::Ok);
        assert!(
            matches!(outcomes[1], TxOutcome::Error { code } if code == "personal_information"),
            "{outcomes:?}"
        );
    }
}
