//! Court-chain deposit numbers (`Call::RecordDeposit`; the layout is
//! `xianjie_ledger::deposit`).
//!
//! The evidence is anchored (`unknown_evidence`); the policy set permits
//! `record-deposit` on it (`policy_denied`; by default the anchoring
//! organisation, the holder, procuratorates and courts), checked before
//! anything about the recorded deposits so that one who may not record
//! learns nothing of them; the chain name and number are labels
//! (`invalid_field`; privacy's identifier check runs on them at admission,
//! `personal_information`); the same number on the same chain is recorded
//! once (`deposit_exists`); at most `deposit::MAX_DEPOSITS` per file
//! (`deposits_full`).

use xianjie_ledger::deposit::{check_labels, Deposit, Deposits, MAX_DEPOSITS};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::model::Officer;
use xianjie_ledger::state::{keys, StateView, WriteSet};
use xianjie_ledger::tx::RecordDeposit;

use crate::error::{ContractError, Result};
use crate::overlay::Overlay;
use crate::policy::{self, Action, Resource};
use crate::{read, BlockCtx};

/// The deposits recorded for an evidence file, oldest first.
pub fn deposits(view: &dyn StateView, digest: &Hash) -> Result<Deposits> {
    Ok(read::record(view, &keys::deposits(digest))?.unwrap_or_default())
}

/// Records a deposit number; see the module documentation for the rules.
pub fn record_deposit(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &RecordDeposit,
) -> Result<WriteSet> {
    let digest = call.digest;
    let evidence =
        read::evidence(view, &digest)?.ok_or(ContractError::UnknownEvidence { digest })?;
    // Before anything else about the deposits: one who may not record learns
    // nothing of which numbers are recorded.
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        Action::RecordDeposit,
        Resource::Evidence(&evidence),
    )?;
    check_labels(&call.court_chain, &call.deposit_id)
        .map_err(|(field, limit)| ContractError::InvalidField { field, limit })?;
    let mut list = deposits(view, &digest)?;
    let same = |d: &Deposit| d.court_chain == call.court_chain && d.deposit_id == call.deposit_id;
    if list.0.iter().any(same) {
        return Err(ContractError::DepositExists {
            court_chain: call.court_chain.clone(),
            deposit_id: call.deposit_id.clone(),
        });
    }
    if list.0.len() >= MAX_DEPOSITS {
        return Err(ContractError::DepositsFull { max: MAX_DEPOSITS });
    }
    list.0.push(Deposit {
        court_chain: call.court_chain.clone(),
        deposit_id: call.deposit_id.clone(),
        bundle_sha256: call.bundle_sha256,
        org: signer.org.clone(),
        officer: signer.id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
    });
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::deposits(&digest), &list);
    Ok(stage.into_writes())
}
