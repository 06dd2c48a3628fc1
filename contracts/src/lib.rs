//! Execute Xianjie transactions deterministically: membership, evidence, custody, cases, inspections, governance and policies.
//!
//! [`execute`] is a pure function of the state it reads, the block context and
//! the transaction: no clocks, no randomness, no I/O, `BTreeMap` only. Every
//! validator computes byte-identical write sets and results. A transaction
//! that breaks a rule returns a [`ContractError`] whose [`ContractError::code`]
//! is stable; the node keeps such a transaction in its block with that code so
//! the denied attempt stays in the audit trail, and the state is unchanged.
//!
//! A transaction passes these gates in order: [`membership::check_envelope`]
//! (chain id, validity window), [`membership::check_signer`] (a registered,
//! active officer), the built-in rules of its call ([`membership`],
//! [`evidence`], [`case`], [`inspection`], [`governance`]), and — for every
//! call except key management and governance — the on-chain Cedar policy set
//! ([`policy`]). [`block`] is the block rule every node runs to build and
//! to check a block, written once. [`genesis_writes`] builds the state at height 0, [`read`] is
//! the typed view of the state that contracts and the node's API share,
//! [`deadline`] computes statutory clocks from block time, and
//! [`authorize_read`] guards the node's reads with the same policy set.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod block;
pub mod bulletin;
pub mod case;
pub mod clue;
pub mod deadline;
pub mod deposit;
pub mod error;
pub mod evidence;
pub mod genesis;
pub mod governance;
pub mod index;
pub mod inspection;
pub mod membership;
pub mod overlay;
pub mod params;
pub mod policy;
pub mod privacy;
pub mod random_draw;
pub mod read;
pub mod request;
pub mod stats;
pub mod supervision;
pub mod timestamps;
pub mod uscc;

use xianjie_ledger::block::{BlockResults, TxOutcome, TxResult};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::state::StateView;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::tx::{Call, SignedTx};

pub use error::{ContractError, Result};
pub use genesis::genesis_writes;
pub use membership::check_signer;
pub use overlay::{BlockReads, Overlay};
pub use policy::{
    authorize_node_read, authorize_officer_read, authorize_read, node_org, ReadRecord, ReadResource,
};

/// What a transaction may know about the block it executes in, and the
/// policy engine its writes are decided with.
#[derive(Debug, Clone)]
pub struct BlockCtx {
    /// The chain id.
    pub chain_id: String,
    /// Height of the block being built.
    pub height: u64,
    /// Block time (Unix milliseconds).
    pub time_ms: u64,
    /// Hash of the previous block's header (the genesis hash at height 1):
    /// a random draw's seed block is recorded from it (`random_draw`).
    pub prev_hash: Hash,
    /// Decides the policy-gated calls (the node's one engine).
    pub policies: std::sync::Arc<policy::PolicyEngine>,
}

/// Executes one transaction whose signature the caller has already verified.
/// Returns the writes it makes, or why it is refused.
pub fn execute(view: &dyn StateView, ctx: &BlockCtx, tx: &SignedTx) -> Result<WriteSet> {
    let checked = evidence::CheckedCoSignatures::default();
    execute_hashed(view, ctx, tx, &tx.hash(), &checked)
}

/// The checks a transaction whose signature verified passes before it may
/// wait for a block: its envelope (chain id, validity window at `ctx`'s
/// height), its signer (a registered, active officer) and its free text.
/// Execution runs the same checks first, in the same order, so a node's
/// admission refuses with the code a block would record.
pub fn check_admission(
    view: &dyn StateView,
    ctx: &BlockCtx,
    tx: &SignedTx,
) -> Result<xianjie_ledger::model::Officer> {
    membership::check_envelope(view, ctx, tx)?;
    let officer = check_signer(view, tx)?;
    privacy::check_call(&tx.tx.call)?;
    Ok(officer)
}

/// [`execute`] with the transaction hash computed once by the caller.
fn execute_hashed(
    view: &dyn StateView,
    ctx: &BlockCtx,
    tx: &SignedTx,
    tx_hash: &Hash,
    checked: &evidence::CheckedCoSignatures,
) -> Result<WriteSet> {
    let officer = check_admission(view, ctx, tx)?;
    let signer = &officer;
    match &tx.tx.call {
        Call::RegisterOfficer(call) => membership::register_officer(view, ctx, signer, call),
        Call::RevokeOfficer(call) => membership::revoke_officer(view, ctx, signer, call),
        Call::AnchorEvidence(anchor) => {
            evidence::anchor(view, ctx, signer, tx_hash, anchor, checked)
        }
        Call::RecordCustody(call) => evidence::record_custody(view, ctx, signer, tx_hash, call),
        Call::OpenCase(call) => case::open(view, ctx, signer, tx_hash, call),
        Call::CaseAction(call) => case::act(view, ctx, signer, tx_hash, call),
        Call::CaseStep(step) => case::act_step(view, ctx, signer, tx_hash, step),
        Call::LinkRecollected(call) => case::link_recollected(view, ctx, signer, call),
        Call::Accredit(call) => inspection::accredit(view, ctx, signer, call),
        Call::RecordInspection(call) => inspection::record(view, ctx, signer, tx_hash, call),
        Call::RecognizeInspection(call) => inspection::recognize(view, ctx, signer, call),
        Call::DisputeInspection(call) => inspection::dispute(view, ctx, signer, call),
        Call::RequestRetest(call) => inspection::request_retest(view, ctx, signer, call),
        Call::RecordRetest(call) => inspection::record_retest(view, ctx, signer, tx_hash, call),
        Call::Propose(call) => governance::propose(view, ctx, signer, tx_hash, call),
        Call::Approve(call) => governance::approve(view, ctx, signer, call),
        Call::RegisterNodeKey(call) => governance::register_node_key(view, ctx, signer, call),
        Call::RevokeNodeKey(call) => governance::revoke_node_key(view, signer, call),
        Call::PublishBulletin(call) => bulletin::publish(view, ctx, signer, tx_hash, call),
        Call::RecordTimestamp(call) => {
            timestamps::record_timestamp(view, ctx, signer, tx_hash, call)
        }
        Call::RecordDeposit(call) => deposit::record_deposit(view, ctx, signer, tx_hash, call),
        Call::SendClue(call) => clue::send(view, ctx, signer, tx_hash, call),
        Call::AnswerClue(call) => clue::answer(view, ctx, signer, tx_hash, call),
        Call::AskOrgan(call) => request::ask(view, ctx, signer, tx_hash, call),
        Call::AnswerOrgan(call) => request::answer(view, ctx, signer, tx_hash, call),
        Call::SetInspectionItem(call) => random_draw::set_item(view, ctx, signer, call),
        Call::SetInspector(call) => random_draw::set_inspector(view, ctx, signer, call),
        Call::PublishEntitySnapshot(call) => {
            random_draw::publish_snapshot(view, ctx, signer, tx_hash, call)
        }
        Call::PlanDraw(call) => random_draw::plan(view, ctx, signer, tx_hash, call),
        Call::CommitDraw(call) => random_draw::commit(view, ctx, signer, call),
        Call::RevealDraw(call) => random_draw::reveal(view, ctx, signer, call),
        Call::NameDrawnEntities(call) => random_draw::name_entities(view, ctx, signer, call),
        Call::RecuseInspector(call) => random_draw::recuse(view, ctx, signer, call),
        Call::RecordDrawResult(call) => random_draw::record_result(view, ctx, signer, call),
    }
}

/// Executes a block's transactions in order, each seeing the writes of those
/// before it. Returns every transaction's result and the block's write set;
/// a refused transaction contributes its error code and no writes. Fails only
/// when the state itself is damaged (`corrupt_state`): then no block may be
/// built from this node's state at all.
pub fn execute_block(
    view: &dyn StateView,
    ctx: &BlockCtx,
    txs: &[SignedTx],
) -> Result<(BlockResults, WriteSet)> {
    let hashes: Vec<Hash> = txs.iter().map(SignedTx::hash).collect();
    let executed = execute_block_hashed(view, ctx, txs, &hashes)?;
    Ok((executed.results, executed.writes))
}

/// What [`execute_block_hashed`] gives.
pub struct ExecutedBlock {
    /// Every transaction's result, in order.
    pub results: BlockResults,
    /// The block's writes.
    pub writes: WriteSet,
    /// The written keys that the block read and found absent from `view`
    /// (a new evidence record, for one): committing the writes onto that
    /// state need not look for a value they replace.
    pub new_keys: std::collections::BTreeSet<Vec<u8>>,
}

/// [`execute_block`] for a caller that has hashed the transactions already
/// (a node hashes each one to check the block): `hashes[i]` must be
/// `txs[i].hash()`, which debug builds assert.
pub fn execute_block_hashed(
    view: &dyn StateView,
    ctx: &BlockCtx,
    txs: &[SignedTx],
    hashes: &[Hash],
) -> Result<ExecutedBlock> {
    assert_eq!(txs.len(), hashes.len(), "one hash per transaction");
    let base = BlockReads::new(view);
    let mut overlay = Overlay::new(&base);
    let mut results = Vec::with_capacity(txs.len());
    let checked = evidence::CheckedCoSignatures::of_block(&ctx.chain_id, txs);
    random_draw::begin_block(&mut overlay, ctx)?;
    for (tx, &tx_hash) in txs.iter().zip(hashes) {
        debug_assert_eq!(tx_hash, tx.hash(), "a transaction's hash");
        let outcome = match execute_hashed(&overlay, ctx, tx, &tx_hash, &checked) {
            Ok(writes) => {
                overlay.apply(writes);
                TxOutcome::Ok
            }
            // A damaged record is this node's fault, not the transaction's:
            // another validator would not see it, so recording it as a result
            // would fork the chain. The whole block is abandoned instead.
            Err(error) if error.is_state_fault() => return Err(error),
            Err(error) => TxOutcome::Error {
                code: error.code().to_owned(),
            },
        };
        results.push(TxResult {
            tx: tx_hash,
            outcome,
        });
    }
    supervision::end_block(&mut overlay, ctx)?;
    random_draw::end_block(&mut overlay, ctx)?;
    let writes = overlay.into_writes();
    Ok(ExecutedBlock {
        results: BlockResults(results),
        new_keys: base.absent_among(writes.keys()),
        writes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use xianjie_ledger::crypto::SecretKey;
    use xianjie_ledger::state::keys;
    use xianjie_ledger::tx::{RevokeOfficer, Tx};

    /// A state whose only officer record is garbage.
    struct DamagedState {
        officer_key: Vec<u8>,
    }

    impl StateView for DamagedState {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            if key == keys::PARAMS {
                return Some(xianjie_ledger::codec::encode(
                    &xianjie_ledger::params::Params::default(),
                ));
            }
            (key == self.officer_key.as_slice()).then(|| vec![0xff, 0x00])
        }
    }

    #[test]
    fn a_damaged_record_abandons_the_block_instead_of_becoming_a_result() {
        let key = SecretKey::from_bytes(&[9; 32]);
        let tx = Tx {
            chain_id: "c".into(),
            signer: key.public_key(),
            nonce: 1,
            valid_until: 10,
            call: Call::RevokeOfficer(RevokeOfficer {
                officer: key.public_key().id(),
            }),
        }
        .sign(&key);
        let state = DamagedState {
            officer_key: keys::officer(&key.public_key().id()),
        };
        let ctx = BlockCtx {
            chain_id: "c".into(),
            height: 1,
            time_ms: 1,
            prev_hash: Hash([0; 32]),
            policies: std::sync::Arc::new(policy::PolicyEngine::new().unwrap()),
        };
        let error = execute_block(&state, &ctx, &[tx]).expect_err("state fault");
        assert_eq!(error.code(), "corrupt_state");
    }
}
