//! A write overlay over a state view, so the transactions of one block see
//! each other's effects before anything is committed.

use xianjie_ledger::state::StateView;
use xianjie_ledger::storage::WriteSet;

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
}
