//! The block rule, written once: which block a proposer builds on a parent,
//! and whether a block on a parent gives the roots its header claims.
//!
//! The dev producer, the consensus proposer, every validator and `verify-db`
//! call [`build`] and [`check`] and nothing else, so they cannot drift apart
//! (a drift is a fork, or a false tamper alarm). The node supplies the state
//! as a [`ChainState`] (reads, and the state tree's root after a write set)
//! and what it has already seen as a [`Seen`] (committed transactions,
//! transactions its own admission checked). Both are traits so that this
//! module stays free of I/O: the node implements them over its store and
//! mempool.

use std::collections::BTreeSet;
use std::sync::Arc;

use xianjie_ledger::block::{Block, BlockResults, Header, MAX_BLOCK_TXS};
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::merkle;
use xianjie_ledger::state::{StateView, WriteSet};
use xianjie_ledger::tx::SignedTx;
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;

use crate::policy::PolicyEngine;
use crate::{execute_block_hashed, privacy, BlockCtx, ContractError};

/// The state a block executes on: reads, and the state tree's next root.
pub trait ChainState: StateView {
    /// A computed state transition that the caller commits later.
    type Update;
    /// A failure of the node's own storage (not of the block).
    type Fault;

    /// The state root after `writes` at version `height`, with the update
    /// that commits it. `new_keys` are written keys the execution found
    /// absent (a hint that spares the commit a look-up).
    fn state_update(
        &self,
        writes: WriteSet,
        new_keys: BTreeSet<Vec<u8>>,
        height: u64,
    ) -> Result<(Hash, Self::Update), Self::Fault>;
}

/// What the node running the rule has already seen, so that each check runs
/// once per transaction per node.
pub trait Seen {
    /// A failure of the node's own storage.
    type Fault;

    /// Whether the transaction with this hash is in a committed block.
    fn is_committed(&self, tx_hash: &Hash) -> Result<bool, Self::Fault>;

    /// Whether `tx`'s signature verifies (a node may answer from what it
    /// verified at admission: verification is deterministic).
    fn signature_verifies(&self, tx_hash: &Hash, tx: &SignedTx) -> bool;

    /// Whether this node's admission already passed the transaction's
    /// stateless checks (its free text among them). The hash covers the
    /// call, so the answer holds for any copy with that hash.
    fn admitted(&self, tx_hash: &Hash) -> bool;
}

/// The block a new block follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    /// The chain id.
    pub chain_id: String,
    /// The parent's height (0: the genesis).
    pub height: u64,
    /// The parent's hash (the genesis hash at height 0).
    pub block_hash: Hash,
    /// The parent's time (the genesis time at height 0).
    pub time_ms: u64,
    /// Root of the history tree over the headers up to the parent's (of
    /// `height` leaves): the next header's `history_root`.
    pub history_root: Hash,
}

/// How strictly [`check`] judges a block's time and free text.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// A live proposal: its time must not be more than `drift_ms` ahead of
    /// `now_ms`, and free text holding a personal identifier refuses it.
    Proposal {
        /// This node's clock.
        now_ms: u64,
        /// The allowed drift.
        drift_ms: u64,
    },
    /// A block decided earlier (from sync, the write-ahead log or a stored
    /// chain): its certificate already shows the validators accepted it, so
    /// only what its roots depend on is judged.
    Decided,
}

/// What a proposer puts forward: its transactions (oldest first), its key,
/// and its clock's time.
pub struct Proposal {
    /// The proposer.
    pub proposer: KeyId,
    /// Candidate transactions, oldest first.
    pub candidates: Vec<SignedTx>,
    /// The proposer's clock.
    pub now_ms: u64,
}

/// A block executed on its parent's state, ready to commit.
pub struct Executed<U> {
    /// The block.
    pub block: Block,
    /// Its transactions' results.
    pub results: BlockResults,
    /// The state after it, not yet written.
    pub update: U,
}

/// Why [`check`] refuses a block, or why it could not judge it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal<F> {
    /// The header does not extend the parent on this chain.
    #[error("the header does not follow the tip: {what}")]
    WrongParent {
        /// Which link: "chain id", "height" or "previous block hash".
        what: &'static str,
        /// What the parent requires.
        expected: String,
        /// What the header says.
        found: String,
    },
    /// The block time is not after the parent's, or too far ahead of the clock.
    #[error("block time {time_ms} is not after the parent's {parent_ms} or is more than {drift_ms} ms ahead of this node's clock {now_ms}")]
    BadTime {
        /// Block time.
        time_ms: u64,
        /// Parent's time.
        parent_ms: u64,
        /// The node's clock (0 for a decided block).
        now_ms: u64,
        /// The allowed drift (0 for a decided block).
        drift_ms: u64,
    },
    /// More transactions than any block may carry.
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
    /// A proposal's free text holds a personal identifier ([`privacy`]).
    #[error("transaction {0} carries a personal identifier in free text")]
    PersonalInformation(Hash),
    /// The header's proposer is not a validator of this height.
    #[error("proposer {0} is not a validator")]
    UnknownProposer(KeyId),
    /// A count or root of the header differs from the body or from execution.
    #[error("the header's {what} differs from this node's execution")]
    Mismatch {
        /// "transaction count", "validators hash", "transaction root",
        /// "results root" or "state root".
        what: &'static str,
        /// What the header says.
        header: String,
        /// What the body or execution gives.
        computed: String,
    },
    /// The state is damaged: no block can be judged on it.
    #[error(transparent)]
    CorruptState(ContractError),
    /// The node's storage failed while judging.
    #[error("the node's storage failed while judging the block")]
    Fault(F),
}

/// Why [`build`] could not build a block: the node's own state, never the
/// transactions (those that cannot go in are left out).
#[derive(Debug)]
pub enum BuildFault<F> {
    /// The state is damaged.
    CorruptState(ContractError),
    /// The node's storage failed.
    Storage(F),
}

/// Builds the next block on `parent` from the proposal's candidates under
/// `validators` (the set in force), deciding policies with `policies`.
/// Leaves out what no honest validator accepts in a
/// proposal: expired, already committed and repeated transactions, and free
/// text with a personal identifier that this node's admission did not check.
pub fn build<S, N>(
    state: &S,
    parent: &Parent,
    validators: &ValidatorSet,
    policies: &Arc<PolicyEngine>,
    proposal: Proposal,
    seen: &N,
) -> Result<Executed<S::Update>, BuildFault<S::Fault>>
where
    S: ChainState,
    N: Seen<Fault = S::Fault>,
{
    let Proposal {
        proposer,
        candidates,
        now_ms,
    } = proposal;
    let height = parent.height + 1;
    let mut distinct = BTreeSet::new();
    let mut txs = Vec::with_capacity(candidates.len().min(MAX_BLOCK_TXS));
    let mut hashes = Vec::with_capacity(txs.capacity());
    for tx in candidates.into_iter().take(MAX_BLOCK_TXS) {
        let hash = tx.hash();
        let leave_out = tx.tx.valid_until < height
            || !distinct.insert(hash)
            || seen.is_committed(&hash).map_err(BuildFault::Storage)?
            || (!seen.admitted(&hash) && privacy::check_call(&tx.tx.call).is_err());
        if !leave_out {
            txs.push(tx);
            hashes.push(hash);
        }
    }
    // Block time moves forward even if the wall clock steps back.
    let time_ms = now_ms.max(parent.time_ms + 1);
    let (results, state_root, update) = execute(state, parent, policies, time_ms, &txs, &hashes)?;
    let header = Header {
        chain_id: parent.chain_id.clone(),
        height,
        time_ms,
        prev_hash: parent.block_hash,
        history_root: parent.history_root,
        tx_root: merkle::root(&hashes),
        tx_count: u32::try_from(txs.len()).expect("MAX_BLOCK_TXS is far below u32::MAX"),
        state_root,
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

/// Judges `block` as the next block on `parent` under `validators` (the set
/// in force), deciding policies with `policies`: every link and count of its header, every transaction's
/// signature, then its execution, whose results and state roots must be the
/// header's. Returns the execution, ready to commit.
pub fn check<S, N>(
    state: &S,
    parent: &Parent,
    validators: &ValidatorSet,
    policies: &Arc<PolicyEngine>,
    block: Block,
    mode: Mode,
    seen: &N,
) -> Result<Executed<S::Update>, Refusal<S::Fault>>
where
    S: ChainState,
    N: Seen<Fault = S::Fault>,
{
    let header = &block.header;
    check_links(header, parent, mode)?;
    if header.validators_hash != validators.hash() {
        return Err(mismatch(
            "validators hash",
            header.validators_hash,
            validators.hash(),
        ));
    }
    if validators.get(&header.proposer).is_none() {
        return Err(Refusal::UnknownProposer(header.proposer));
    }
    if block.txs.len() > MAX_BLOCK_TXS {
        return Err(Refusal::TooLarge);
    }
    if header.tx_count as usize != block.txs.len() {
        return Err(mismatch(
            "transaction count",
            header.tx_count,
            block.txs.len(),
        ));
    }
    // The body must be the one the header commits to before any signature
    // is verified: hashing is cheap, verifying is not.
    let hashes = distinct_uncommitted(&block.txs, seen)?;
    let tx_root = merkle::root(&hashes);
    if tx_root != header.tx_root {
        return Err(mismatch("transaction root", header.tx_root, tx_root));
    }
    check_signed_and_clean(&block.txs, &hashes, mode, seen)?;
    let (results, state_root, update) =
        execute(state, parent, policies, header.time_ms, &block.txs, &hashes).map_err(|fault| {
            match fault {
                BuildFault::CorruptState(error) => Refusal::CorruptState(error),
                BuildFault::Storage(fault) => Refusal::Fault(fault),
            }
        })?;
    if results.root() != header.results_root {
        return Err(mismatch(
            "results root",
            header.results_root,
            results.root(),
        ));
    }
    if state_root != header.state_root {
        return Err(mismatch("state root", header.state_root, state_root));
    }
    Ok(Executed {
        block,
        results,
        update,
    })
}

/// Checks what binds a decided block's body to its certified header: the
/// transaction count and root. Enough for a block received by sync, whose
/// header a commit certificate vouches for, until [`check`] runs it.
pub fn body_matches_header(block: &Block) -> bool {
    block.header.tx_count as usize == block.txs.len()
        && block.compute_tx_root() == block.header.tx_root
}

fn mismatch<F>(what: &'static str, header: impl ToString, computed: impl ToString) -> Refusal<F> {
    Refusal::Mismatch {
        what,
        header: header.to_string(),
        computed: computed.to_string(),
    }
}

/// The header's chain id, height, parent hash and time against the parent.
fn check_links<F>(header: &Header, parent: &Parent, mode: Mode) -> Result<(), Refusal<F>> {
    let wrong_parent = |what, expected: String, found: String| Refusal::WrongParent {
        what,
        expected,
        found,
    };
    if header.chain_id != parent.chain_id {
        let found = header.chain_id.clone();
        return Err(wrong_parent("chain id", parent.chain_id.clone(), found));
    }
    let height = parent.height + 1;
    if header.height != height {
        let found = header.height.to_string();
        return Err(wrong_parent("height", height.to_string(), found));
    }
    if header.prev_hash != parent.block_hash {
        let (expected, found) = (parent.block_hash.to_string(), header.prev_hash.to_string());
        return Err(wrong_parent("previous block hash", expected, found));
    }
    if header.history_root != parent.history_root {
        let (expected, found) = (
            parent.history_root.to_string(),
            header.history_root.to_string(),
        );
        return Err(wrong_parent("history root", expected, found));
    }
    let (now_ms, drift_ms) = match mode {
        Mode::Proposal { now_ms, drift_ms } => (now_ms, drift_ms),
        Mode::Decided => (0, 0),
    };
    let ahead =
        matches!(mode, Mode::Proposal { .. }) && header.time_ms > now_ms.saturating_add(drift_ms);
    if header.time_ms <= parent.time_ms || ahead {
        return Err(Refusal::BadTime {
            time_ms: header.time_ms,
            parent_ms: parent.time_ms,
            now_ms,
            drift_ms,
        });
    }
    Ok(())
}

/// Each transaction once and not yet committed. Returns their hashes in
/// order.
fn distinct_uncommitted<N: Seen>(
    txs: &[SignedTx],
    seen: &N,
) -> Result<Vec<Hash>, Refusal<N::Fault>> {
    let mut distinct = BTreeSet::new();
    let mut hashes = Vec::with_capacity(txs.len());
    for tx in txs {
        let hash = tx.hash();
        if !distinct.insert(hash) {
            return Err(Refusal::DuplicateTx(hash));
        }
        if seen.is_committed(&hash).map_err(Refusal::Fault)? {
            return Err(Refusal::AlreadyCommitted(hash));
        }
        hashes.push(hash);
    }
    Ok(hashes)
}

/// Each transaction signed; in a proposal, free of personal identifiers.
fn check_signed_and_clean<N: Seen>(
    txs: &[SignedTx],
    hashes: &[Hash],
    mode: Mode,
    seen: &N,
) -> Result<(), Refusal<N::Fault>> {
    // A decided block is certified already: refusing it for its free text
    // would only stop this node from following the chain (the contracts
    // still refuse such a transaction, with the same result on every node).
    let proposal = matches!(mode, Mode::Proposal { .. });
    for (tx, hash) in txs.iter().zip(hashes) {
        if !seen.signature_verifies(hash, tx) {
            return Err(Refusal::BadSignature(*hash));
        }
        if proposal && !seen.admitted(hash) && privacy::check_call(&tx.tx.call).is_err() {
            return Err(Refusal::PersonalInformation(*hash));
        }
    }
    Ok(())
}

/// Runs the transactions on the parent's state at `time_ms` and computes the
/// state root after them.
fn execute<S: ChainState>(
    state: &S,
    parent: &Parent,
    policies: &Arc<PolicyEngine>,
    time_ms: u64,
    txs: &[SignedTx],
    hashes: &[Hash],
) -> Result<(BlockResults, Hash, S::Update), BuildFault<S::Fault>> {
    let height = parent.height + 1;
    let ctx = BlockCtx {
        chain_id: parent.chain_id.clone(),
        height,
        time_ms,
        prev_hash: parent.block_hash,
        policies: Arc::clone(policies),
    };
    let executed =
        execute_block_hashed(state, &ctx, txs, hashes).map_err(BuildFault::CorruptState)?;
    let (state_root, update) = state
        .state_update(executed.writes, executed.new_keys, height)
        .map_err(BuildFault::Storage)?;
    Ok((executed.results, state_root, update))
}
