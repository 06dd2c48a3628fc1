//! A write overlay over a state view, so the transactions of one block see
//! each other's effects before anything is committed.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::sync::Arc;

use xianjie_ledger::params::Params;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::state::{keys, StateView};

/// Pending writes layered over a base view.
pub struct Overlay<'a> {
    base: &'a dyn StateView,
    writes: WriteSet,
}

impl<'a> Overlay<'a> {
    /// An empty overlay.
    pub fn new(base: &'a dyn StateView) -> Self {
        Overlay {
            base,
            writes: WriteSet::new(),
        }
    }

    /// Adds a transaction's writes.
    pub fn apply(&mut self, writes: WriteSet) {
        self.writes.extend(writes);
    }

    /// Stages one write (`None` deletes).
    pub fn put(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.writes.insert(key, value);
    }

    /// All writes so far.
    pub fn into_writes(self) -> WriteSet {
        self.writes
    }
}

impl StateView for Overlay<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.writes.get(key) {
            Some(value) => value.clone(),
            None => self.base.get(key),
        }
    }

    /// The base's parameters, unless this overlay rewrote them.
    fn known_params(&self) -> Option<Arc<Params>> {
        if self.writes.contains_key(keys::PARAMS) {
            return None;
        }
        self.base.known_params()
    }
}

/// The state a block executes on, read through a memo. The base does not
/// change while a block executes (its own writes go to an [`Overlay`] above
/// it), yet every transaction reads the same records again: the chain
/// parameters three times, its signer's and collectors' officer records,
/// their organisations. Each record is read from the base once per block,
/// and the parameters decoded once.
pub struct BlockReads<'a> {
    base: &'a dyn StateView,
    values: RefCell<BTreeMap<Vec<u8>, Option<Vec<u8>>>>,
    params: OnceCell<Option<Arc<Params>>>,
}

impl<'a> BlockReads<'a> {
    /// A memo over `base`, empty.
    pub fn new(base: &'a dyn StateView) -> Self {
        BlockReads {
            base,
            values: RefCell::new(BTreeMap::new()),
            params: OnceCell::new(),
        }
    }
}

impl BlockReads<'_> {
    /// Those of `keys` this memo read from the base and found absent.
    pub fn absent_among<'k>(
        &self,
        keys: impl Iterator<Item = &'k Vec<u8>>,
    ) -> std::collections::BTreeSet<Vec<u8>> {
        let values = self.values.borrow();
        keys.filter(|key| matches!(values.get(*key), Some(None)))
            .cloned()
            .collect()
    }
}

impl StateView for BlockReads<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(value) = self.values.borrow().get(key) {
            return value.clone();
        }
        let value = self.base.get(key);
        self.values.borrow_mut().insert(key.to_vec(), value.clone());
        value
    }

    /// Missing or undecodable parameters give `None`, so that the caller's
    /// own read reports them as corrupt state.
    fn known_params(&self) -> Option<Arc<Params>> {
        self.params
            .get_or_init(|| crate::read::params_shared(self.base).ok())
            .clone()
    }
}
