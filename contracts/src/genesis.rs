//! The state at height 0, written from the genesis document.
//!
//! The ledger checks the document's structure (`Genesis::validate`); this
//! module adds the legal and operational checks — USCC checksums, division
//! codes, a complete category-to-class mapping, parameters every later
//! transaction can live with — because a genesis that passes them is the
//! starting point of every validator.

use std::collections::BTreeSet;

use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::model::{
    EvidenceCategory, Officer, Org, Params, MAX_COLLECTORS, MAX_SHORT_TEXT_LEN,
};
use xianjie_ledger::storage::WriteSet;

use crate::error::{ContractError, Result};
use crate::evidence::MAX_CUSTODY_EVENTS_LIMIT;
use crate::{read, uscc};

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
    check_params(&genesis.params)?;
    let mut writes = WriteSet::new();
    read::write_params(&mut writes, &genesis.params);
    read::write_validators(&mut writes, &genesis.validator_set());
    let mut usccs = BTreeSet::new();
    for entry in &genesis.orgs {
        let org = checked_org(&entry.org)?;
        if !usccs.insert(org.uscc.clone()) {
            return Err(invalid(format!(
                "USCC {} is used by two organisations",
                org.uscc
            )));
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
    }
    Ok(writes)
}

fn invalid(reason: String) -> ContractError {
    ContractError::InvalidGenesis { reason }
}

/// The organisation as stored, after checking its name, USCC and region.
fn checked_org(org: &Org) -> Result<Org> {
    if org.name.trim().is_empty()
        || org.name.len() > MAX_SHORT_TEXT_LEN
        || org.name.chars().any(char::is_control)
    {
        return Err(invalid(format!(
            "organisation {} needs a name of 1-{MAX_SHORT_TEXT_LEN} bytes without control characters",
            org.id
        )));
    }
    let uscc = uscc::validate(&org.uscc).map_err(|error| ContractError::InvalidUscc {
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

/// Parameters under which every rule can be met and every record read back.
fn check_params(params: &Params) -> Result<()> {
    for category in EvidenceCategory::ALL {
        let entries = params
            .category_classes
            .iter()
            .filter(|entry| entry.category == category)
            .count();
        if entries != 1 {
            return Err(invalid(format!(
                "params.category_classes must give category {category:?} exactly one class, found {entries}"
            )));
        }
    }
    if usize::from(params.min_collectors) > MAX_COLLECTORS {
        return Err(invalid(format!(
            "params.min_collectors is {} but an anchor names at most {MAX_COLLECTORS} collectors",
            params.min_collectors
        )));
    }
    if !(1..=MAX_CUSTODY_EVENTS_LIMIT).contains(&params.max_custody_events) {
        return Err(invalid(format!(
            "params.max_custody_events must be 1-{MAX_CUSTODY_EVENTS_LIMIT} so a full record still fits its size limit"
        )));
    }
    if params.max_tx_validity_blocks == 0 {
        return Err(invalid(
            "params.max_tx_validity_blocks must be at least 1".into(),
        ));
    }
    Ok(())
}
