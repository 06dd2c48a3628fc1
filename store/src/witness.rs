//! Checkpoints as the witnesses co-signed them: the newest cosigned note of
//! each witness, under `w:` ‖ the witness's key name. A witness only ever
//! co-signs a checkpoint that extends the last one it co-signed, so its
//! newest note covers every smaller history; receipts carry these notes
//! (`receipt::build`). They are not derived from the chain (a node holds
//! those its witnesses sent it), so `verify-db` and a replay leave them
//! alone.

use xianjie_ledger::checkpoint::{Checkpoint, SignedNote};

use crate::{corrupt, Store, StoreResult};

/// A witness's newest cosigned note, read back.
#[derive(Debug, Clone)]
pub struct CosignedCheckpoint {
    /// The witness's key name.
    pub witness: String,
    /// The checkpoint the note states.
    pub checkpoint: Checkpoint,
    /// The note: the body and the witness's cosignature line.
    pub note: SignedNote,
}

/// The key prefix of the witnesses' notes.
pub(crate) const PREFIX: &[u8] = b"w:";

impl Store {
    /// Keeps `note` (a signed note: a checkpoint body and the cosignature of
    /// the witness named `witness`) as that witness's newest, on stable
    /// storage before it returns. The caller has verified it.
    pub fn put_cosigned_checkpoint(&self, witness: &str, note: &str) -> StoreResult<()> {
        let key = [PREFIX, witness.as_bytes()].concat();
        self.db.insert(key, note.as_bytes())?;
        self.sync()
    }

    /// Each witness's newest cosigned note, parsed, by witness name. A note
    /// that no longer parses is a damaged store.
    pub fn cosigned(&self) -> StoreResult<Vec<CosignedCheckpoint>> {
        let mut notes = Vec::new();
        for (witness, text) in self.cosigned_checkpoints()? {
            let key = [PREFIX, witness.as_bytes()].concat();
            let note = SignedNote::parse(&text).map_err(|error| corrupt(&key, error))?;
            let checkpoint =
                Checkpoint::parse_body(&note.text).map_err(|error| corrupt(&key, error))?;
            notes.push(CosignedCheckpoint {
                witness,
                checkpoint,
                note,
            });
        }
        Ok(notes)
    }

    /// Each witness's newest cosigned note, by witness name: (name, note).
    pub fn cosigned_checkpoints(&self) -> StoreResult<Vec<(String, String)>> {
        let mut notes = Vec::new();
        for item in self.db.scan_prefix(PREFIX) {
            let (key, value) = item?;
            let text = |bytes: &[u8]| {
                String::from_utf8(bytes.to_vec()).map_err(|_| corrupt(&key, "expected UTF-8"))
            };
            notes.push((text(&key[PREFIX.len()..])?, text(&value)?));
        }
        Ok(notes)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn each_witness_keeps_its_newest_note() {
        let store = Store::temporary().unwrap();
        assert!(store.cosigned_checkpoints().unwrap().is_empty());
        store
            .put_cosigned_checkpoint("w.example/a", "first\n")
            .unwrap();
        store
            .put_cosigned_checkpoint("w.example/b", "other\n")
            .unwrap();
        store
            .put_cosigned_checkpoint("w.example/a", "second\n")
            .unwrap();
        assert_eq!(
            store.cosigned_checkpoints().unwrap(),
            vec![
                ("w.example/a".to_owned(), "second\n".to_owned()),
                ("w.example/b".to_owned(), "other\n".to_owned()),
            ]
        );
    }
}
