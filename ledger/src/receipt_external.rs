//! What a receipt carries about things outside the chain: checkpoints a
//! time-stamp authority stamped (`docs/receipt.md` §10.2) and the numbers
//! court chains gave the record's deposits (§10.3).
//!
//! The ledger checks everything but the token's CMS signature: that needs
//! the TSA's certificate, which only the verifier can choose to trust, so
//! [`CheckpointToCheck`] hands the token and the imprint it must carry to
//! the caller (`xianjie verify --tsa-cert`, with `xianjie-timestamp`).
//!
//! Why a stamped checkpoint needs no certificate of its own: the token fixes
//! SHA-256 of the body, the body fixes the root, and the inclusion proof
//! fixes the anchor's (certified) header hash as a leaf under that root. So
//! whoever asked for the token knew the anchor's header by the token's
//! time, whichever validators signed the checkpoint's own header.

use crate::checkpoint::Checkpoint;
use crate::codec;
use crate::deposit::{check_labels, Deposit};
use crate::hash::Hash;
use crate::receipt::{Receipt, ReceiptError, TimestampedCheckpoint};
use crate::state::keys;
use crate::timestamps::imprint_of;

/// A timestamped checkpoint whose structure holds; its token is still to
/// be checked against a TSA certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointToCheck {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// What the token must time-stamp: SHA-256 of the body.
    pub imprint: [u8; 32],
    /// The token's DER bytes.
    pub token: Vec<u8>,
}

impl Receipt {
    /// Every timestamped checkpoint names this chain and holds the anchor's
    /// header in its history.
    pub(crate) fn check_timestamped_checkpoints(
        &self,
        genesis_hash: &Hash,
    ) -> Result<Vec<CheckpointToCheck>, ReceiptError> {
        let origin = Checkpoint::origin_for(&self.chain_id, genesis_hash);
        self.timestamped
            .iter()
            .enumerate()
            .map(|(index, timestamped)| {
                self.check_timestamped(timestamped, &origin)
                    .map_err(|reason| ReceiptError::TimestampedCheckpointInvalid { index, reason })
            })
            .collect()
    }

    fn check_timestamped(
        &self,
        timestamped: &TimestampedCheckpoint,
        origin: &str,
    ) -> Result<CheckpointToCheck, String> {
        let checkpoint =
            Checkpoint::parse_body(&timestamped.checkpoint).map_err(|e| e.to_string())?;
        if checkpoint.origin != origin {
            return Err(format!(
                "it is a checkpoint of `{}`, not of this chain (`{origin}`)",
                checkpoint.origin
            ));
        }
        let anchor_height = self.record.height;
        let anchor = self
            .headers
            .iter()
            .find(|c| c.header.height == anchor_height)
            .ok_or_else(|| {
                format!("the receipt has no header at the anchor's height {anchor_height}")
            })?;
        let inclusion = &timestamped.anchor_inclusion;
        let leaf = anchor_height - 1;
        if inclusion.leaf_index != leaf || inclusion.tree_size != checkpoint.size {
            return Err(format!(
                "the proof is for leaf {} of {}, not leaf {leaf} of {}",
                inclusion.leaf_index, inclusion.tree_size, checkpoint.size
            ));
        }
        inclusion
            .verify(&anchor.header.hash(), &checkpoint.root)
            .map_err(|e| format!("the anchor's header is not in the stamped history: {e}"))?;
        Ok(CheckpointToCheck {
            imprint: imprint_of(&timestamped.checkpoint),
            token: timestamped.token.clone(),
            checkpoint,
        })
    }

    /// The deposits are the value under `deposit/<digest>` at the receipt's
    /// height, and each names a well-formed chain and number.
    pub(crate) fn verify_deposits(
        &self,
        tip: &crate::block::Header,
    ) -> Result<Vec<Deposit>, ReceiptError> {
        let Some(proven) = &self.deposits else {
            return Ok(Vec::new());
        };
        let invalid = |reason: String| ReceiptError::DepositProofInvalid {
            height: self.height,
            reason,
        };
        let list = &proven.deposits.0;
        if list.is_empty() {
            return Err(invalid(
                "the list is empty; a receipt without deposits omits it".into(),
            ));
        }
        for deposit in list {
            check_labels(&deposit.court_chain, &deposit.deposit_id)
                .map_err(|(field, reason)| invalid(format!("a deposit's {field} {reason}")))?;
        }
        proven
            .proof
            .verify(
                &tip.state_root,
                &keys::deposits(&self.digest),
                Some(&codec::encode(&proven.deposits)),
            )
            .map_err(|e| invalid(e.to_string()))?;
        Ok(list.clone())
    }
}
