//! Typed access to the state records, over the key layout of
//! [`xianjie_ledger::state::keys`].
//!
//! The readers are public (the node's API reads through them); the writers
//! are private to the crate and sit here too, so that each record kind's key
//! and encoding are decided in one place.

use std::sync::Arc;

use xianjie_ledger::case::{Case, CaseEvent, Recollection};
use xianjie_ledger::codec::{decode, encode, Canonical};
use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::governance::{NodeKeys, Proposal};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{CaseId, InspectionId, OrgId, ProposalId};
use xianjie_ledger::inspection::{Accreditation, Inspection};
use xianjie_ledger::model::{EvidenceRecord, Officer, Org, MAX_CASE_ID_LEN};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::validators::ValidatorSet;

use crate::deadline::{self, Clock};
use crate::error::{ContractError, Result};
use crate::overlay::Overlay;
use crate::{index, uscc};

/// The chain parameters. Written at genesis, so their absence is corruption.
pub fn params(view: &dyn StateView) -> Result<Params> {
    params_shared(view).map(|params| Params::clone(&params))
}

/// A party's or laboratory's 统一社会信用代码 as the chain accepts it (the
/// parameters' allow-list of pilot-era codes included), normalised;
/// `invalid_entity` otherwise.
pub fn chain_uscc(view: &dyn StateView, code: &str) -> Result<String> {
    let params = params_shared(view)?;
    uscc::validate_on_chain(code, &params).map_err(|error| ContractError::InvalidEntity { error })
}

/// [`params`] without a copy. The parameters change only by governance, yet
/// every transaction reads them (validity window, collectors, deadlines,
/// the policy set), so a view that memoises them answers
/// [`StateView::known_params`] (the node's store does, and a block's reads,
/// [`crate::BlockReads`], ask it once per block or admitted batch); any
/// other view decodes them.
pub fn params_shared(view: &dyn StateView) -> Result<Arc<Params>> {
    if let Some(params) = view.known_params() {
        return Ok(params);
    }
    let Some(bytes) = view.get(keys::PARAMS) else {
        return required::<Params>(view, keys::PARAMS).map(Arc::new);
    };
    let params: Arc<Params> =
        Arc::new(decode(&bytes).map_err(|error| ContractError::CorruptState {
            key: printable_key(keys::PARAMS),
            reason: error.to_string(),
        })?);
    Ok(params)
}

/// The validator set in force. Written at genesis, so its absence is corruption.
pub fn validators(view: &dyn StateView) -> Result<ValidatorSet> {
    required(view, keys::VALIDATORS)
}

/// A member organisation.
pub fn org(view: &dyn StateView, id: &OrgId) -> Result<Option<Org>> {
    optional(view, &keys::org(id))
}

/// A registered officer key, active or revoked.
pub fn officer(view: &dyn StateView, id: &KeyId) -> Result<Option<Officer>> {
    optional(view, &keys::officer(id))
}

/// An anchored evidence record.
pub fn evidence(view: &dyn StateView, digest: &Hash) -> Result<Option<EvidenceRecord>> {
    optional(view, &keys::evidence(digest))
}

/// Every member organisation's id, sorted.
pub fn orgs(view: &dyn StateView) -> Result<Vec<OrgId>> {
    let mut ids: Vec<OrgId> = index::text_entries(view, keys::index::ORGS)?
        .iter()
        .filter_map(|id| OrgId::new(id).ok())
        .collect();
    ids.sort();
    Ok(ids)
}

/// Member organisations with the given division code, sorted by id.
pub fn orgs_in_region(view: &dyn StateView, region: &str) -> Result<Vec<OrgId>> {
    let mut ids: Vec<OrgId> = index::text_entries(view, &keys::index::orgs_in_region(region))?
        .iter()
        .filter_map(|id| OrgId::new(id).ok())
        .collect();
    ids.sort();
    Ok(ids)
}

/// A case.
pub fn case(view: &dyn StateView, id: &CaseId) -> Result<Option<Case>> {
    if id.as_str().is_empty() || id.as_str().len() > MAX_CASE_ID_LEN {
        return Ok(None);
    }
    optional(view, &keys::case(id))
}

/// A case's event log, oldest first (event 0 is the opening).
pub fn case_events(view: &dyn StateView, id: &CaseId) -> Result<Vec<CaseEvent>> {
    let Some(case) = case(view, id)? else {
        return Ok(Vec::new());
    };
    (0..case.event_count)
        .map(|seq| required(view, &keys::case_event(id, seq)))
        .collect()
}

/// Digests of the evidence linked to a case (anchored with its id, or
/// attached to one of its actions), in the order linked.
pub fn case_evidence(view: &dyn StateView, id: &CaseId) -> Result<Vec<Hash>> {
    Ok(index::entries(view, &keys::index::case_evidence(id))?
        .into_iter()
        .filter_map(|entry| <[u8; 32]>::try_from(entry.as_slice()).ok().map(Hash))
        .collect())
}

/// Ids of the cases in which an organisation is a party.
pub fn cases_of_org(view: &dyn StateView, org: &OrgId) -> Result<Vec<CaseId>> {
    index::id_entries(view, &keys::index::org_cases(org))
}

/// Ids of the cases a procuratorate supervises (every case transferred in
/// its region, and every case it acted on).
pub fn supervised_cases(view: &dyn StateView, procuratorate: &OrgId) -> Result<Vec<CaseId>> {
    index::id_entries(view, &keys::index::supervised_cases(procuratorate))
}

/// Ids of the cases that are not closed (the only cases that can have a
/// running clock).
pub fn open_cases(view: &dyn StateView) -> Result<Vec<CaseId>> {
    index::id_entries(view, keys::index::OPEN_CASES)
}

/// Open cases with an overdue duty at `at_ms` (the node passes the latest
/// block time), each with its running clocks.
pub fn overdue_cases(view: &dyn StateView, at_ms: u64) -> Result<Vec<(Case, Vec<Clock>)>> {
    let params = params_shared(view)?;
    let mut out = Vec::new();
    for id in open_cases(view)? {
        let Some(case) = case(view, &id)? else {
            continue;
        };
        let clocks = deadline::case_clocks(&params, &case, at_ms);
        if clocks.iter().any(|clock| clock.overdue) {
            out.push((case, clocks));
        }
    }
    Ok(out)
}

/// The running clocks of a case at `at_ms`.
pub fn case_clocks(view: &dyn StateView, id: &CaseId, at_ms: u64) -> Result<Option<Vec<Clock>>> {
    let params = params_shared(view)?;
    Ok(case(view, id)?.map(|case| deadline::case_clocks(&params, &case, at_ms)))
}

/// The re-collection status of a class C evidence record, if it was flagged.
pub fn recollection(view: &dyn StateView, digest: &Hash) -> Result<Option<Recollection>> {
    optional(view, &keys::recollection(digest))
}

/// An inspection result.
pub fn inspection(view: &dyn StateView, id: &InspectionId) -> Result<Option<Inspection>> {
    if id.as_str().is_empty() || id.as_str().len() > MAX_CASE_ID_LEN {
        return Ok(None);
    }
    optional(view, &keys::inspection(id))
}

/// Results recorded for an entity (USCC, normalised), of one matter or any.
pub fn inspections(
    view: &dyn StateView,
    entity: &str,
    matter: Option<&str>,
) -> Result<Vec<Inspection>> {
    let entity = crate::uscc::normalize(entity);
    let mut out = Vec::new();
    for id in index::id_entries::<InspectionId>(view, &keys::index::inspections(&entity, matter))? {
        out.push(required(view, &keys::inspection(&id))?);
    }
    Ok(out)
}

/// A laboratory's CMA certificate record.
pub fn accreditation(
    view: &dyn StateView,
    lab_uscc: &str,
    cma_number: &str,
) -> Result<Option<Accreditation>> {
    optional(
        view,
        &keys::accreditation(&crate::uscc::normalize(lab_uscc), cma_number),
    )
}

/// A governance proposal.
pub fn proposal(view: &dyn StateView, id: &ProposalId) -> Result<Option<Proposal>> {
    optional(view, &keys::proposal(id))
}

/// Every governance proposal, oldest first.
pub fn proposals(view: &dyn StateView) -> Result<Vec<Proposal>> {
    index::id_entries::<ProposalId>(view, keys::index::PROPOSALS)?
        .iter()
        .map(|id| required(view, &keys::proposal(id)))
        .collect()
}

/// The registered node keys (besides the validators), sorted by key.
pub fn registered_node_keys(view: &dyn StateView) -> Result<NodeKeys> {
    Ok(optional(view, keys::NODE_KEYS)?.unwrap_or_default())
}

/// The network allow-list: every validator's consensus key (which is also
/// its node key) and every registered node key, sorted, without repeats.
pub fn node_keys(view: &dyn StateView) -> Result<Vec<PublicKey>> {
    let mut keys: Vec<PublicKey> = validators(view)?
        .validators
        .iter()
        .map(|validator| validator.public_key)
        .collect();
    keys.extend(
        registered_node_keys(view)?
            .0
            .iter()
            .map(|node| node.public_key),
    );
    keys.sort();
    keys.dedup();
    Ok(keys)
}

/// Any record under a key.
pub(crate) fn record<T: Canonical>(view: &dyn StateView, key: &[u8]) -> Result<Option<T>> {
    optional(view, key)
}

pub(crate) fn put<T: Canonical>(writes: &mut Overlay<'_>, key: Vec<u8>, value: &T) {
    writes.put(key, Some(encode(value)));
}

pub(crate) fn write_params(writes: &mut WriteSet, params: &Params) {
    writes.insert(keys::PARAMS.to_vec(), Some(encode(params)));
}

pub(crate) fn write_validators(writes: &mut WriteSet, validators: &ValidatorSet) {
    writes.insert(keys::VALIDATORS.to_vec(), Some(encode(validators)));
}

pub(crate) fn write_org(writes: &mut WriteSet, org: &Org) {
    writes.insert(keys::org(&org.id), Some(encode(org)));
}

pub(crate) fn write_officer(writes: &mut WriteSet, officer: &Officer) {
    writes.insert(keys::officer(&officer.id), Some(encode(officer)));
}

pub(crate) fn write_evidence(writes: &mut WriteSet, record: &EvidenceRecord) {
    writes.insert(keys::evidence(&record.anchor.digest), Some(encode(record)));
}

fn optional<T: Canonical>(view: &dyn StateView, key: &[u8]) -> Result<Option<T>> {
    view.get(key)
        .map(|bytes| {
            decode(&bytes).map_err(|error| ContractError::CorruptState {
                key: printable_key(key),
                reason: error.to_string(),
            })
        })
        .transpose()
}

pub(crate) fn required<T: Canonical>(view: &dyn StateView, key: &[u8]) -> Result<T> {
    optional(view, key)?.ok_or_else(|| ContractError::CorruptState {
        key: printable_key(key),
        reason: "missing; the genesis state was never written".into(),
    })
}

/// A state key as an operator can read it: text prefixes stay text, binary
/// ids after the first `/` become hex (`officer/9f3a…`).
pub(crate) fn printable_key(key: &[u8]) -> String {
    let is_text = |bytes: &[u8]| bytes.iter().all(|b| b.is_ascii_graphic());
    if is_text(key) {
        return String::from_utf8_lossy(key).into_owned();
    }
    match key.iter().position(|&b| b == b'/') {
        Some(slash) if is_text(&key[..slash]) => format!(
            "{}/{}",
            String::from_utf8_lossy(&key[..slash]),
            hex_of(&key[slash + 1..])
        ),
        _ => hex_of(key),
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use xianjie_ledger::model::{OrgKind, OrgLevel};

    struct MapView(BTreeMap<Vec<u8>, Vec<u8>>);

    impl StateView for MapView {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            self.0.get(key).cloned()
        }
    }

    fn view_of(writes: WriteSet) -> MapView {
        MapView(
            writes
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect(),
        )
    }

    #[test]
    fn missing_params_and_validators_are_corrupt_state() {
        let empty = MapView(BTreeMap::new());
        let error = params(&empty).unwrap_err();
        assert_eq!(error.code(), "corrupt_state");
        assert!(error.to_string().contains("params"), "{error}");
        assert_eq!(validators(&empty).unwrap_err().code(), "corrupt_state");
        assert_eq!(officer(&empty, &KeyId([1; 20])).unwrap(), None);
    }

    #[test]
    fn written_records_read_back() {
        let org_record = Org {
            id: OrgId::new("market").unwrap(),
            name: "市场监督管理局".into(),
            kind: OrgKind::AdministrativeAgency,
            uscc: "91110000600037341L".into(),
            region: "110000".into(),
            level: OrgLevel::Prefecture,
        };
        let mut writes = WriteSet::new();
        write_params(&mut writes, &Params::default());
        write_validators(&mut writes, &ValidatorSet::default());
        write_org(&mut writes, &org_record);
        let view = view_of(writes);
        assert_eq!(params(&view).unwrap(), Params::default());
        assert_eq!(validators(&view).unwrap(), ValidatorSet::default());
        assert_eq!(org(&view, &org_record.id).unwrap(), Some(org_record));
    }

    #[test]
    fn an_undecodable_record_is_corrupt_state_naming_its_key() {
        let digest = Hash([0xab; 32]);
        let mut map = BTreeMap::new();
        map.insert(keys::evidence(&digest), vec![1, 2, 3]);
        let error = evidence(&MapView(map), &digest).unwrap_err();
        assert_eq!(error.code(), "corrupt_state");
        assert!(
            error
                .to_string()
                .contains(&format!("evidence/{}", digest.to_hex())),
            "{error}"
        );
    }

    #[test]
    fn printable_keys() {
        assert_eq!(printable_key(b"org/market"), "org/market");
        assert_eq!(
            printable_key(&keys::officer(&KeyId([0x0f; 20]))),
            format!("officer/{}", "0f".repeat(20))
        );
        assert_eq!(printable_key(&[0xff, 0x00]), "ff00");
    }
}
