//! The state at height 0, written from the genesis document.
//!
//! The ledger checks the document's structure (`Genesis::validate`); this
//! module adds the legal and operational checks — USCC checksums, division
//! codes, parameters every later transaction can live with (the same
//! [`crate::params::validate`] governance applies), a policy set that
//! validates against the schema — because a genesis that passes them is the
//! starting point of every validator. Besides the records it writes the
//! organisation indexes (all, and by division code).

use std::collections::{BTreeMap, BTreeSet};

use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::{Officer, Org, MAX_SHORT_TEXT_LEN};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::state::{keys, StateView};

use crate::error::{ContractError, Result};
use crate::overlay::Overlay;
use crate::{index, params, read, uscc};

/// Length of an administrative division code (GB/T 2260).
const REGION_LEN: usize = 6;

/// Validates a genesis document and returns the state it starts from:
/// parameters, validator set, organisations and their first officers.
/// Organisations are stored with their USCC in normalised form.
pub fn genesis_writes(genesis: &Genesis) -> Result<WriteSet> {
    genesis
        .validate()
        .map_err(|error| ContractError::InvalidGenesis {
            reason: error.to_string(),
        })?;
    let org_ids: BTreeSet<OrgId> = genesis
        .orgs
        .iter()
        .map(|entry| entry.org.id.clone())
        .collect();
    params::validate(&genesis.params, &org_ids)
        .map_err(|reason| invalid(format!("params: {reason}")))?;
    let mut writes = WriteSet::new();
    read::write_params(&mut writes, &genesis.params);
    read::write_validators(&mut writes, &genesis.validator_set());
    let empty = EmptyState;
    let mut indexes = Overlay::new(&empty);
    let mut usccs = BTreeMap::new();
    for entry in &genesis.orgs {
        let org = checked_org(&entry.org, &genesis.params)?;
        if let Some(holder) = usccs.insert(org.uscc.clone(), org.id.clone()) {
            return Err(ContractError::UsccInUse {
                uscc: org.uscc,
                org: holder,
            });
        }
        for officer in &entry.officers {
            read::write_officer(
                &mut writes,
                &Officer {
                    id: officer.public_key.id(),
                    public_key: officer.public_key,
                    org: org.id.clone(),
                    role: officer.role,
                    active: true,
                    registered_at: 0,
                    revoked_at: None,
                },
            );
        }
        read::write_org(&mut writes, &org);
        index_org(&mut indexes, &org)?;
    }
    for rule in &genesis.threshold_rules {
        crate::supervision::install_rule(&mut indexes, rule)
            .map_err(|error| invalid(format!("threshold rules: {error}")))?;
    }
    writes.extend(indexes.into_writes());
    Ok(writes)
}

/// The empty state the genesis indexes are built over.
struct EmptyState;

impl StateView for EmptyState {
    fn get(&self, _key: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

fn invalid(reason: String) -> ContractError {
    ContractError::InvalidGenesis { reason }
}

/// Adds a member to the organisation indexes (all, and by division code).
pub(crate) fn index_org(stage: &mut Overlay<'_>, org: &Org) -> Result<()> {
    let id = org.id.as_str().as_bytes();
    index::insert(stage, keys::index::ORGS, id)?;
    index::insert(stage, &keys::index::orgs_in_region(&org.region), id)
}

/// The organisation as stored, after checking its name, USCC (under the
/// parameters' allow-list) and region: the same rules for a genesis member
/// and one admitted by governance.
pub(crate) fn checked_org(org: &Org, params: &Params) -> Result<Org> {
    if org.name.trim().is_empty()
        || org.name.len() > MAX_SHORT_TEXT_LEN
        || org.name.chars().any(char::is_control)
    {
        return Err(ContractError::InvalidOrgName {
            org: org.id.clone(),
            max: MAX_SHORT_TEXT_LEN,
        });
    }
    let uscc =
        uscc::validate_on_chain(&org.uscc, params).map_err(|error| ContractError::InvalidUscc {
            org: org.id.clone(),
            error,
        })?;
    let region_ok =
        org.region.len() == REGION_LEN && org.region.bytes().all(|b| b.is_ascii_digit());
    if !region_ok {
        return Err(ContractError::InvalidRegion {
            org: org.id.clone(),
            region: org.region.clone(),
        });
    }
    Ok(Org {
        uscc,
        ..org.clone()
    })
}
