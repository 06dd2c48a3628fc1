//! Building and checking blocks for consensus: the proposer executes its
//! transactions to fill in the header; every validator re-executes a
//! proposal and refuses it unless the header is exactly what it computes.
//!
//! Synchronous and touches sled: callers run it off the async executor.

use std::collections::BTreeSet;

use xianjie_contracts::BlockCtx;
use xianjie_ledger::block::{Block, BlockResults, Header, MAX_BLOCK_TXS};
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::merkle;
use xianjie_ledger::tx::SignedTx;
use xianjie_ledger::Hash;
use xianjie_store::{StateUpdate, Store};

use crate::chain::{read_tip, read_validator_set, Tip};
use crate::error::{Error, Result};
use crate::mempool::Mempool;

/// A block executed against the state of its parent, ready to commit.
pub struct Executed {
    /// The block.
    pub block: Block,
    /// Its transactions' results.
    pub results: BlockResults,
    /// The state after it, not yet written.
    pub update: StateUpdate,
}

/// What a node knows about the chain it runs.
#[derive(Debug, Clone)]
pub struct ChainInfo {
    /// Chain id.
    pub chain_id: String,
    /// Hash of the genesis document.
    pub genesis_hash: Hash,
    /// Time of the genesis.
    pub genesis_time_ms: u64,
}

impl ChainInfo {
    /// The latest committed tip of `store`.
    pub fn tip(&self, store: &Store) -> Result<Tip> {
        read_tip(store, self.genesis_hash, self.genesis_time_ms)
    }
}

/// Why a proposed block is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The header does not extend the local tip on this chain.
    #[error("the header does not follow the tip: {0}")]
    WrongParent(&'static str),
    /// The block time is not after the parent's, or too far ahead of our clock.
    #[error("block time {time_ms} is not after the parent's {parent_ms} or is more than {drift_ms} ms ahead of this node's clock {now_ms}")]
    BadTime {
        /// Block time.
        time_ms: u64,
        /// Parent's time.
        parent_ms: u64,
        /// Our clock.
        now_ms: u64,
        /// The allowed drift.
        drift_ms: u64,
    },
    /// More transactions or bytes than any block may carry.
    #[error("the block is over the size or count limit")]
    TooLarge,
    /// The same transaction appears twice.
    #[error("transaction {0} appears twice")]
    DuplicateTx(Hash),
    /// A transaction is already in an earlier block.
    #[error("transaction {0} is already committed")]
    AlreadyCommitted(Hash),
    /// A signature does not verify.
    #[error("the signature of transaction {0} does not verify")]
    BadSignature(Hash),
    /// A transaction's free text holds a personal identifier, which no honest
    /// node admits (`xianjie_contracts::privacy`).
    #[error("transaction {0} carries a personal identifier in free text")]
    PersonalInformation(Hash),
    /// The header's proposer is not a validator of this height.
    #[error("proposer {0} is not a validator")]
    UnknownProposer(KeyId),
    /// A root or count of the header differs from what execution gives.
    #[error("the header's {0} differs from this node's execution")]
    Mismatch(&'static str),
    /// The local node failed while checking.
    #[error(transparent)]
    Local(#[from] Error),
}

/// Builds the next block on `parent` from `candidates` (oldest first): drops
/// expired, already committed and repeated transactions, and those whose
/// free text validators refuse in a proposal (admitted by a node that did not
/// check it yet, for one); executes the rest and fills in the header.
pub fn build_block(
    store: &Store,
    chain: &ChainInfo,
    parent: &Tip,
    proposer: KeyId,
    candidates: Vec<SignedTx>,
    mempool: &Mempool,
    now_ms: u64,
) -> Result<Executed> {
    let height = parent.height + 1;
    let mut seen = BTreeSet::new();
    let mut txs = Vec::with_capacity(candidates.len());
    for tx in candidates {
        let hash = tx.hash();
        if tx.tx.valid_until < height
            || !seen.insert(hash)
            || is_committed(store, mempool, &hash)?
            || xianjie_contracts::privacy::check_call(&tx.tx.call).is_err()
        {
            continue;
        }
        txs.push((tx, hash));
    }
    execute_into_block(store, chain, parent, proposer, txs, now_ms)
}

/// Whether `hash` is in the committed index. A transaction the mempool holds
/// is not (see the `mempool` module), so it is not looked up; debug builds
/// (every test run) look it up anyway and check.
fn is_committed(store: &Store, mempool: &Mempool, hash: &Hash) -> Result<bool> {
    if mempool.contains(hash) {
        debug_assert!(
            store.tx_location(hash)?.is_none(),
            "the mempool holds committed transaction {hash}"
        );
        return Ok(false);
    }
    Ok(store.tx_location(hash)?.is_some())
}

/// Executes `txs` (with their hashes) as the next block on `parent`, as
/// they are, and fills in the header.
fn execute_into_block(
    store: &Store,
    chain: &ChainInfo,
    parent: &Tip,
    proposer: KeyId,
    txs: Vec<(SignedTx, Hash)>,
    now_ms: u64,
) -> Result<Executed> {
    let height = parent.height + 1;
    let (txs, hashes): (Vec<SignedTx>, Vec<Hash>) = txs.into_iter().unzip();
    // Block time moves forward even if the wall clock steps back.
    let time_ms = now_ms.max(parent.time_ms + 1);
    let validators = read_validator_set(store)?;
    let ctx = BlockCtx {
        chain_id: chain.chain_id.clone(),
        height,
        time_ms,
    };
    let executed = xianjie_contracts::execute_block_hashed(store, &ctx, &txs, &hashes)
        .map_err(|fault| Error::CorruptState { fault })?;
    let results = executed.results;
    let update = store
        .compute_state_update(executed.writes, height)?
        .with_new_keys(executed.new_keys);
    let header = Header {
        chain_id: chain.chain_id.clone(),
        height,
        time_ms,
        prev_hash: parent.block_hash,
        tx_root: merkle::root(&hashes),
        tx_count: u32::try_from(txs.len()).expect("block limits keep tx_count below u32::MAX"),
        state_root: update.root,
        results_root: results.root(),
        validators_hash: validators.hash(),
        proposer,
    };
    Ok(Executed {
        block: Block { header, txs },
        results,
        update,
    })
}

/// How strictly [`check_block`] judges a block.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// A live proposal: block time must not be more than `drift_ms` ahead of `now_ms`.
    Proposal {
        /// This node's clock.
        now_ms: u64,
        /// The allowed drift.
        drift_ms: u64,
    },
    /// A block decided earlier (from sync or the write-ahead log): its
    /// certificate already shows the validators accepted its time.
    Decided,
}

/// Re-executes `block` on `parent` and checks every field of its header.
/// Transaction signatures are checked once per node: those the mempool has
/// already verified are not verified again.
pub fn check_block(
    store: &Store,
    chain: &ChainInfo,
    parent: &Tip,
    block: Block,
    mempool: &Mempool,
    check: Check,
) -> std::result::Result<Executed, Refusal> {
    let header = &block.header;
    let height = parent.height + 1;
    if header.chain_id != chain.chain_id {
        return Err(Refusal::WrongParent("chain id"));
    }
    if header.height != height {
        return Err(Refusal::WrongParent("height"));
    }
    if header.prev_hash != parent.block_hash {
        return Err(Refusal::WrongParent("previous block hash"));
    }
    let ahead = match check {
        Check::Proposal { now_ms, drift_ms } => header.time_ms > now_ms.saturating_add(drift_ms),
        Check::Decided => false,
    };
    if header.time_ms <= parent.time_ms || ahead {
        let (now_ms, drift_ms) = match check {
            Check::Proposal { now_ms, drift_ms } => (now_ms, drift_ms),
            Check::Decided => (0, 0),
        };
        return Err(Refusal::BadTime {
            time_ms: header.time_ms,
            parent_ms: parent.time_ms,
            now_ms,
            drift_ms,
        });
    }
    let validators = read_validator_set(store)?;
    if header.validators_hash != validators.hash() {
        return Err(Refusal::Mismatch("validators hash"));
    }
    if validators.get(&header.proposer).is_none() {
        return Err(Refusal::UnknownProposer(header.proposer));
    }
    if block.txs.len() > MAX_BLOCK_TXS || header.tx_count as usize != block.txs.len() {
        return Err(Refusal::TooLarge);
    }
    let mut seen = BTreeSet::new();
    let mut hashes = Vec::with_capacity(block.txs.len());
    for tx in &block.txs {
        let hash = tx.hash();
        if !seen.insert(hash) {
            return Err(Refusal::DuplicateTx(hash));
        }
        if is_committed(store, mempool, &hash)? {
            return Err(Refusal::AlreadyCommitted(hash));
        }
        if !mempool.signature_verifies(&hash, tx) {
            return Err(Refusal::BadSignature(hash));
        }
        // A decided block is certified already; refusing it would only stop
        // this node from following the chain (the contracts still refuse
        // such a transaction, with the same result on every node).
        let proposal = matches!(check, Check::Proposal { .. });
        if proposal && xianjie_contracts::privacy::check_call(&tx.tx.call).is_err() {
            return Err(Refusal::PersonalInformation(hash));
        }
        hashes.push(hash);
    }
    if merkle::root(&hashes) != header.tx_root {
        return Err(Refusal::Mismatch("transaction root"));
    }
    let ctx = BlockCtx {
        chain_id: chain.chain_id.clone(),
        height,
        time_ms: header.time_ms,
    };
    let executed = xianjie_contracts::execute_block_hashed(store, &ctx, &block.txs, &hashes)
        .map_err(|fault| Error::CorruptState { fault })?;
    let results = executed.results;
    if results.root() != header.results_root {
        return Err(Refusal::Mismatch("results root"));
    }
    let update = store
        .compute_state_update(executed.writes, height)
        .map_err(Error::from)?
        .with_new_keys(executed.new_keys);
    if update.root != header.state_root {
        return Err(Refusal::Mismatch("state root"));
    }
    Ok(Executed {
        block,
        results,
        update,
    })
}

/// Checks only what binds a decided block's bytes to its certified header:
/// the transaction count and root. Used for blocks received by sync, whose
/// header hash a commit certificate already vouches for.
pub fn matches_header(block: &Block) -> bool {
    block.header.tx_count as usize == block.txs.len()
        && block.compute_tx_root() == block.header.tx_root
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use xianjie_ledger::block::TxOutcome;

    use super::*;
    use crate::dev::{test_anchor as anchor, DevHome};

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
        let with_leak = vec![(clean.clone(), clean.hash()), (leaky.clone(), leaky.hash())];
        let executed =
            execute_into_block(&store, &chain, &parent, proposer, with_leak, time_ms).unwrap();
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
