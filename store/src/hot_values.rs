//! The latest values of the state keys nearly every transaction reads and
//! few write ([`keys::is_read_by_most_transactions`]), kept in memory in
//! front of sled: the chain parameters, the validator set, organisations
//! and officers. A sled read walks the tree from its root even for a key read
//! a moment ago, and admission and execution read these keys for every
//! batch and block.
//!
//! The memory mirrors sled and never answers differently: every write of
//! state goes through [`HotValues::invalidate`] before and after sled applies
//! it, which drops the written keys and moves the generation on, and a value
//! read from sled is remembered only if no invalidation happened since the
//! read began ([`HotValues::remember`]). A read that raced a write therefore
//! either saw the new value or is not remembered.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use xianjie_ledger::state::keys;

/// Most values remembered; past it the memory starts again empty. A network
/// has a few thousand officers at most.
const MAX_VALUES: usize = 16_384;

/// See the module documentation.
#[derive(Default)]
pub(super) struct HotValues(RwLock<Memory>);

#[derive(Default)]
struct Memory {
    /// Moves on with every invalidation.
    generation: u64,
    values: HashMap<Vec<u8>, Option<Vec<u8>>>,
}

/// What the memory knows of a key.
pub(super) enum Lookup {
    /// Not a key kept in memory: read sled.
    NotKept,
    /// Its latest value (`None`: absent).
    Known(Option<Vec<u8>>),
    /// Kept but not known yet: read sled, then [`HotValues::remember`] the
    /// value with this generation.
    Unknown(u64),
}

impl HotValues {
    /// What the memory knows of `key`.
    pub(super) fn lookup(&self, key: &[u8]) -> Lookup {
        if !keys::is_read_by_most_transactions(key) {
            return Lookup::NotKept;
        }
        let memory = self.0.read().unwrap_or_else(PoisonError::into_inner);
        match memory.values.get(key) {
            Some(value) => Lookup::Known(value.clone()),
            None => Lookup::Unknown(memory.generation),
        }
    }

    /// Remembers `value`, read from sled after [`HotValues::lookup`] gave
    /// `generation`, unless a write was invalidated since.
    pub(super) fn remember(&self, key: &[u8], generation: u64, value: Option<Vec<u8>>) {
        let mut memory = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if memory.generation != generation {
            return;
        }
        if memory.values.len() >= MAX_VALUES {
            memory.values.clear();
        }
        memory.values.insert(key.to_vec(), value);
    }

    /// Forgets the written `keys`; called before and after sled applies them.
    pub(super) fn invalidate<'k>(&self, written: impl Iterator<Item = &'k Vec<u8>>) {
        let mut memory = self.0.write().unwrap_or_else(PoisonError::into_inner);
        memory.generation += 1;
        for key in written {
            memory.values.remove(key.as_slice());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(values: &HotValues, key: &[u8]) -> Option<Option<Vec<u8>>> {
        match values.lookup(key) {
            Lookup::Known(value) => Some(value),
            _ => None,
        }
    }

    #[test]
    fn only_hot_keys_are_kept_and_a_read_that_raced_a_write_is_not() {
        let values = HotValues::default();
        assert!(matches!(values.lookup(b"evidence/x"), Lookup::NotKept));
        let Lookup::Unknown(generation) = values.lookup(keys::PARAMS) else {
            panic!("params are kept");
        };
        values.remember(keys::PARAMS, generation, Some(b"old".to_vec()));
        assert_eq!(known(&values, keys::PARAMS), Some(Some(b"old".to_vec())));

        // A write drops the key; a read that began before it is not kept.
        let Lookup::Unknown(stale) = values.lookup(b"officer/1") else {
            panic!("officers are kept");
        };
        values.invalidate([keys::PARAMS.to_vec(), b"officer/1".to_vec()].iter());
        assert_eq!(known(&values, keys::PARAMS), None);
        values.remember(b"officer/1", stale, Some(b"before the write".to_vec()));
        assert_eq!(known(&values, b"officer/1"), None);

        // Absence is remembered too.
        let Lookup::Unknown(fresh) = values.lookup(b"officer/1") else {
            panic!("officers are kept");
        };
        values.remember(b"officer/1", fresh, None);
        assert_eq!(known(&values, b"officer/1"), Some(None));
    }
}
