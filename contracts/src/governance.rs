//! Governance: changes that need the approval of M of the N voting
//! organisations (`Params::governance`), and the network's node keys.
//!
//! An admin of a voting organisation proposes a [`Change`]; its organisation
//! counts as the first approval. Admins of other voting organisations
//! approve, one vote per organisation. The change applies in the block where
//! the M-th approval lands (at once if M is 1). A change is checked when
//! proposed — a policy set that does not parse or validate is refused then
//! (`invalid_policy`), parameters are re-validated exactly like genesis
//! parameters (`invalid_params`) — and checked again when applied, because the
//! state may have changed meanwhile; a change that no longer applies refuses
//! the approval that would apply it, with the same codes.
//!
//! Validators: the set stored under `state::keys::VALIDATORS` after block h
//! is the set that commits block h+1. `AddValidator` / `RemoveValidator`
//! write the new set there (sorted by `ValidatorSet::new`, never empty).
//! Node keys: a validator's consensus key is also its node key; an admin may
//! register extra node keys of its organisation (`read::node_keys` lists both).
//!
//! Members: `AddOrg` admits an organisation that was not in the genesis, with
//! its first admin key; from then on it is a member like any other (its admin
//! registers its keys, its nodes may be proposed as validators).

use std::collections::BTreeSet;

use xianjie_ledger::governance::{
    Change, NewOrg, NodeKey, ParamChange, Proposal, ProposalStatus, MAX_NODE_KEYS,
};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{OrgId, ProposalId};
use xianjie_ledger::model::{Officer, Org, Role};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::tx::{Approve, NodeKeyCall, Propose};
use xianjie_ledger::validators::{ValidatorSet, MAX_VALIDATORS};

use crate::error::{ContractError, Result};
use crate::membership::{self, require_admin};
use crate::overlay::Overlay;
use crate::{genesis, index, params, policy, read, BlockCtx};

/// The voting organisations (N): the parameters' list, or every member.
pub fn voters(view: &dyn StateView, params: &Params) -> Result<Vec<OrgId>> {
    if params.governance.voters.is_empty() {
        read::orgs(view)
    } else {
        Ok(params.governance.voters.clone())
    }
}

/// M for the current parameters.
pub fn required_approvals(view: &dyn StateView) -> Result<usize> {
    let params = read::params(view)?;
    let n = voters(view, &params)?.len();
    Ok(params.governance.required_approvals(n))
}

fn require_voter(view: &dyn StateView, signer: &Officer) -> Result<Vec<OrgId>> {
    require_admin(signer)?;
    let params = read::params(view)?;
    let voters = voters(view, &params)?;
    if !voters.contains(&signer.org) {
        return Err(ContractError::NotVoter {
            org: signer.org.clone(),
        });
    }
    Ok(voters)
}

/// An admin of a voting organisation proposes a change.
pub fn propose(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &Propose,
) -> Result<WriteSet> {
    require_voter(view, signer)?;
    let id = ProposalId::for_tx(tx_hash);
    if read::proposal(view, &id)?.is_some() {
        return Err(ContractError::InvalidField {
            field: "proposal id",
            limit: "unique; sign again with a new nonce".into(),
        });
    }
    let mut stage = Overlay::new(view);
    // Checked now on a scratch copy: an invalid change never becomes a proposal.
    apply(&mut Overlay::new(view), &call.change, ctx.height)?;
    let params = read::params(view)?;
    let proposal = Proposal {
        id: id.clone(),
        change: call.change.clone(),
        note_digest: call.note_digest,
        proposer_org: signer.org.clone(),
        proposer: signer.id,
        approvals: vec![signer.org.clone()],
        created_height: ctx.height,
        expires_height: ctx
            .height
            .saturating_add(params.governance.proposal_ttl_blocks),
        status: ProposalStatus::Open,
    };
    index::insert(&mut stage, keys::index::PROPOSALS, id.as_bytes())?;
    settle(&mut stage, ctx, proposal)?;
    Ok(stage.into_writes())
}

/// An admin of another voting organisation approves a proposal.
pub fn approve(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &Approve,
) -> Result<WriteSet> {
    require_admin(signer)?;
    let mut proposal =
        read::proposal(view, &call.proposal)?.ok_or_else(|| ContractError::UnknownProposal {
            id: call.proposal.clone(),
        })?;
    if proposal.status != ProposalStatus::Open {
        return Err(ContractError::ProposalClosed { id: proposal.id });
    }
    if ctx.height > proposal.expires_height {
        return Err(ContractError::ProposalExpired {
            id: proposal.id,
            expired_at: proposal.expires_height,
        });
    }
    require_voter(view, signer)?;
    if proposal.approvals.contains(&signer.org) {
        return Err(ContractError::AlreadyApproved {
            id: proposal.id,
            org: signer.org.clone(),
        });
    }
    proposal.approvals.push(signer.org.clone());
    let mut stage = Overlay::new(view);
    settle(&mut stage, ctx, proposal)?;
    Ok(stage.into_writes())
}

/// Applies the proposal if it has M approvals of current voters, and writes it.
fn settle(stage: &mut Overlay<'_>, ctx: &BlockCtx, mut proposal: Proposal) -> Result<()> {
    let params = read::params(stage)?;
    let voters: BTreeSet<OrgId> = voters(stage, &params)?.into_iter().collect();
    let approvals = proposal
        .approvals
        .iter()
        .filter(|org| voters.contains(*org))
        .count();
    if approvals >= params.governance.required_approvals(voters.len()) {
        apply(stage, &proposal.change, ctx.height)?;
        proposal.status = ProposalStatus::Applied { height: ctx.height };
    }
    read::put(stage, keys::proposal(&proposal.id), &proposal);
    Ok(())
}

fn member_orgs(view: &dyn StateView) -> Result<BTreeSet<OrgId>> {
    Ok(read::orgs(view)?.into_iter().collect())
}

fn invalid_params(reason: String) -> ContractError {
    ContractError::InvalidParams { reason }
}

/// Validates a change against the current state and stages its writes;
/// `height` is the block that applies it.
fn apply(stage: &mut Overlay<'_>, change: &Change, height: u64) -> Result<()> {
    let mut params = read::params(stage)?;
    match change {
        Change::PolicySet(text) => {
            policy::validate_policy_set(text)
                .map_err(|reason| ContractError::InvalidPolicy { reason })?;
            params.policy_set = text.clone();
            write_params(stage, &params)
        }
        Change::Param(change) => {
            apply_param(&mut params, change)?;
            write_params(stage, &params)
        }
        Change::Holidays(calendar) => {
            params.calendar = calendar.clone();
            write_params(stage, &params)
        }
        Change::AddValidator(validator) => {
            let mut set = read::validators(stage)?;
            if !validator.public_key.is_valid() {
                return Err(ContractError::InvalidKey {
                    public_key: validator.public_key,
                });
            }
            if read::org(stage, &validator.org)?.is_none() {
                return Err(ContractError::UnknownOrg {
                    org: validator.org.clone(),
                });
            }
            let id = validator.public_key.id();
            if set.get(&id).is_some() {
                return Err(ContractError::ValidatorExists { validator: id });
            }
            if set.validators.len() >= MAX_VALIDATORS {
                return Err(ContractError::TooManyValidators);
            }
            if validator.power == 0 || set.total_power().checked_add(validator.power).is_none() {
                return Err(invalid_params(
                    "a validator's power must be positive and the total must not overflow".into(),
                ));
            }
            set.validators.push(validator.clone());
            write_validators(stage, ValidatorSet::new(set.validators));
            Ok(())
        }
        Change::RemoveValidator(id) => {
            let set = read::validators(stage)?;
            if set.get(id).is_none() {
                return Err(ContractError::UnknownValidator { validator: *id });
            }
            if set.validators.len() == 1 {
                return Err(ContractError::LastValidator);
            }
            let remaining = set
                .validators
                .into_iter()
                .filter(|v| v.public_key.id() != *id)
                .collect();
            write_validators(stage, ValidatorSet::new(remaining));
            Ok(())
        }
        Change::AddOrg(new) => add_org(stage, new, height),
        Change::ThresholdRule(rule) => crate::supervision::install_rule(stage, rule),
    }
}

/// Admits a member organisation under the rules a genesis member meets
/// (name, USCC checksum, division code), with a unique id and USCC, and
/// registers its first admin. If the voters are "every member" it votes in
/// governance from the next transaction on: N grows, and with it M when M is
/// a majority (`threshold` 0); a fixed threshold stays as it is.
fn add_org(stage: &mut Overlay<'_>, new: &NewOrg, height: u64) -> Result<()> {
    let org = genesis::checked_org(&new.org, &read::params(stage)?)?;
    if read::org(stage, &org.id)?.is_some() {
        return Err(ContractError::OrgExists { org: org.id });
    }
    for member in read::orgs(stage)? {
        let record = read::required::<Org>(stage, &keys::org(&member))?;
        if record.uscc == org.uscc {
            return Err(ContractError::UsccInUse {
                uscc: org.uscc,
                org: member,
            });
        }
    }
    let admin = membership::new_officer(stage, new.admin, &org.id, Role::Admin, height)?;
    read::put(stage, keys::org(&org.id), &org);
    read::put(stage, keys::officer(&admin.id), &admin);
    genesis::index_org(stage, &org)
}

fn write_params(stage: &mut Overlay<'_>, params: &Params) -> Result<()> {
    let orgs = member_orgs(stage)?;
    params::validate(params, &orgs).map_err(invalid_params)?;
    read::put(stage, keys::PARAMS.to_vec(), params);
    Ok(())
}

fn write_validators(stage: &mut Overlay<'_>, set: ValidatorSet) {
    read::put(stage, keys::VALIDATORS.to_vec(), &set);
}

fn apply_param(params: &mut Params, change: &ParamChange) -> Result<()> {
    match change {
        ParamChange::MinCollectors(value) => params.min_collectors = *value,
        ParamChange::MaxCustodyEvents(value) => params.max_custody_events = *value,
        ParamChange::MaxTxValidityBlocks(value) => params.max_tx_validity_blocks = *value,
        ParamChange::CategoryClass(entry) => {
            params
                .category_classes
                .retain(|existing| existing.category != entry.category);
            params.category_classes.push(*entry);
            params.category_classes.sort_by_key(|e| e.category);
        }
        ParamChange::DeadlineRule(rule) => {
            match params.deadlines.iter_mut().find(|r| r.id == rule.id) {
                Some(existing) => *existing = rule.clone(),
                None => params.deadlines.push(rule.clone()),
            }
        }
        ParamChange::RemoveDeadlineRule(id) => {
            let before = params.deadlines.len();
            params.deadlines.retain(|rule| rule.id != *id);
            if params.deadlines.len() == before {
                return Err(invalid_params(format!("there is no deadline rule {id:?}")));
            }
        }
        ParamChange::DayCounting(counting) => params.counting = *counting,
        ParamChange::Governance(governance) => params.governance = governance.clone(),
        ParamChange::MinTaskforce(value) => params.cases.min_taskforce = *value,
        ParamChange::CaseDomains(domains) => params.cases.domains = domains.clone(),
        ParamChange::DomainAttachments(list) => params.cases.domain_attachments = list.clone(),
        ParamChange::TransferTargets(list) => params.cases.transfer_targets = list.clone(),
        ParamChange::MinInspectors(value) => params.inspections.min_inspectors = *value,
        ParamChange::UsccAllowList(list) => params.uscc_allow_list = list.clone(),
        ParamChange::SupervisionDuringReconsideration(value) => {
            params.cases.supervision_during_reconsideration = *value
        }
    }
    Ok(())
}

/// An admin registers a node key of its organisation.
pub fn register_node_key(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &NodeKeyCall,
) -> Result<WriteSet> {
    require_admin(signer)?;
    if !call.public_key.is_valid() {
        return Err(ContractError::InvalidKey {
            public_key: call.public_key,
        });
    }
    let mut nodes = read::registered_node_keys(view)?;
    if nodes.0.iter().any(|n| n.public_key == call.public_key) {
        return Err(ContractError::NodeKeyExists {
            public_key: call.public_key,
        });
    }
    if nodes.0.len() >= MAX_NODE_KEYS {
        return Err(ContractError::NodeKeysFull);
    }
    nodes.0.push(NodeKey {
        public_key: call.public_key,
        org: signer.org.clone(),
        registered_height: ctx.height,
    });
    nodes.0.sort_by_key(|n| n.public_key);
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::NODE_KEYS.to_vec(), &nodes);
    Ok(stage.into_writes())
}

/// An admin revokes a node key of its organisation.
pub fn revoke_node_key(
    view: &dyn StateView,
    signer: &Officer,
    call: &NodeKeyCall,
) -> Result<WriteSet> {
    require_admin(signer)?;
    let mut nodes = read::registered_node_keys(view)?;
    let position = nodes
        .0
        .iter()
        .position(|n| n.public_key == call.public_key)
        .ok_or(ContractError::UnknownNodeKey {
            public_key: call.public_key,
        })?;
    if nodes.0[position].org != signer.org {
        return Err(ContractError::NotKeyOwner {
            org: nodes.0[position].org.clone(),
        });
    }
    nodes.0.remove(position);
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::NODE_KEYS.to_vec(), &nodes);
    Ok(stage.into_writes())
}
