//! The witnesses' check of a receipt (`docs/receipt.md` §10.1): a receipt
//! that the validators' keys alone could have minted is refused unless
//! enough listed witnesses co-signed a checkpoint of a history holding
//! every header of the receipt.
//!
//! Every witnessed checkpoint's structure is checked by
//! [`Receipt::verify_with`] (`receipt.rs`); here the listed witnesses whose
//! cosignatures verify are counted across all of them, each once.

use std::collections::BTreeSet;

use crate::checkpoint::{verify_note, SignedNote, VerifierKey};
use crate::error::CheckpointError;
use crate::receipt::{Receipt, ReceiptError, TrustRoot};

/// What the witnesses' check proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witnessed {
    /// The listed witnesses that co-signed, each once, in list order.
    pub witnesses: Vec<String>,
    /// The largest history co-signed (headers).
    pub size: u64,
}

impl Receipt {
    /// Requires `required` of the `witnesses` to have co-signed a checkpoint
    /// holding every header of the receipt. Run after
    /// [`Receipt::verify_with`] succeeded with the same `trust`.
    pub fn verify_witnessed(
        &self,
        trust: &TrustRoot,
        witnesses: &[VerifierKey],
        required: usize,
    ) -> Result<Witnessed, ReceiptError> {
        let checkpoints = self.check_witnessed_checkpoints(trust)?;
        let mut signed = BTreeSet::new();
        let mut size = 0;
        for ((index, witnessed), checkpoint) in self.witnessed.iter().enumerate().zip(&checkpoints)
        {
            let invalid =
                |reason: String| ReceiptError::WitnessedCheckpointInvalid { index, reason };
            let note = SignedNote::parse(&witnessed.note).map_err(|e| invalid(e.to_string()))?;
            match verify_note(&note, witnesses) {
                Ok(verified) => {
                    signed.extend(verified.into_iter().map(|v| v.key_index));
                    size = size.max(checkpoint.size);
                }
                Err(CheckpointError::NoKnownSignature { .. }) => {}
                Err(error) => return Err(invalid(error.to_string())),
            }
        }
        let names: Vec<String> = signed
            .iter()
            .filter_map(|&i| witnesses.get(i).map(|w| w.name.clone()))
            .collect();
        if names.len() < required || required == 0 {
            return Err(ReceiptError::TooFewWitnesses {
                verified: names,
                required,
                listed: witnesses.len(),
            });
        }
        Ok(Witnessed {
            witnesses: names,
            size,
        })
    }
}
