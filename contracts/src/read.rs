//! Typed access to the state records, over the key layout of
//! [`xianjie_ledger::state::keys`].
//!
//! The readers are public (the node's API reads through them); the writers
//! are private to the crate and sit here too, so that each record kind's key
//! and encoding are decided in one place.

use xianjie_ledger::block::ValidatorSet;
use xianjie_ledger::codec::{decode, encode, Canonical};
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::hash::Hash;
use xianjie_ledger::model::{EvidenceRecord, Officer, Org, OrgId, Params};
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::storage::WriteSet;

use crate::error::{ContractError, Result};

/// The chain parameters. Written at genesis, so their absence is corruption.
pub fn params(view: &dyn StateView) -> Result<Params> {
    required(view, keys::PARAMS)
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

fn required<T: Canonical>(view: &dyn StateView, key: &[u8]) -> Result<T> {
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
