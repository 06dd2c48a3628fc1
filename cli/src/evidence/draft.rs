//! An anchor waiting for its collectors' co-signatures.
//!
//! Every officer named as collector signs an anchor: the one who submits it
//! by the transaction, each other by a co-signature over the anchor's
//! co-signing digest (`docs/receipt.md`). When a colleague's key is not at
//! hand, `evidence anchor … --unsigned-out DRAFT` writes this file, each
//! colleague adds their co-signature with `evidence cosign DRAFT`, and the
//! first officer submits it with `evidence anchor --draft DRAFT`. The file
//! is JSON, so an officer can read what they are asked to sign.

use std::path::Path;

use anyhow::{bail, Context as _};
use serde::{Deserialize, Serialize};
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::model::EvidenceAnchor;

/// The `type` field of a draft file.
pub const DRAFT_TYPE: &str = "xianjie-anchor-draft";

/// Largest draft file read: an anchor fits a transaction (16 KiB encoded),
/// and its JSON is at most a few times larger.
const MAX_DRAFT_BYTES: u64 = 128 * 1024;

/// The draft file: the anchor, and who will submit it on which chain (both
/// are part of what the co-signers sign).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Draft {
    /// Always [`DRAFT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The chain the anchor is for.
    pub chain_id: String,
    /// The officer who will submit the anchor transaction.
    pub signer: KeyId,
    /// The anchor, with the co-signatures gathered so far.
    pub anchor: EvidenceAnchor,
}

impl Draft {
    /// A draft of `anchor`, to be submitted by `signer` on `chain_id`.
    pub fn new(chain_id: &str, signer: KeyId, anchor: EvidenceAnchor) -> Draft {
        Draft {
            kind: DRAFT_TYPE.to_owned(),
            chain_id: chain_id.to_owned(),
            signer,
            anchor,
        }
    }

    /// Reads and checks a draft file.
    pub fn read(path: &Path) -> anyhow::Result<Draft> {
        let size = std::fs::metadata(path)
            .with_context(|| format!("cannot read the draft {}", path.display()))?
            .len();
        if size > MAX_DRAFT_BYTES {
            bail!(
                "{} is {size} bytes, larger than any anchor draft; pass the file written by `xianjie evidence anchor --unsigned-out`",
                path.display()
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the draft {}", path.display()))?;
        let draft: Draft = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not an anchor draft; pass the file written by `xianjie evidence anchor --unsigned-out`",
                path.display()
            )
        })?;
        if draft.kind != DRAFT_TYPE {
            bail!(
                "{} has type {:?}, not {DRAFT_TYPE:?}; pass the file written by `xianjie evidence anchor --unsigned-out`",
                path.display(),
                draft.kind
            );
        }
        Ok(draft)
    }

    /// Writes the draft (through a temporary file, so a reader never sees
    /// half of it).
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        let partial = path.with_extension("partial");
        std::fs::write(&partial, text)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, path)
            .with_context(|| format!("cannot write the draft {}", path.display()))
    }

    /// The collectors other than the signer without a co-signature yet.
    pub fn missing(&self) -> Vec<KeyId> {
        missing_co_signers(&self.anchor, &self.signer)
    }

    /// Checks every co-signature gathered so far, as the chain will: a
    /// draft changed after someone co-signed it is refused here, before
    /// anything is submitted.
    pub fn check_co_signatures(&self) -> anyhow::Result<()> {
        let digest = self.anchor.co_signing_digest(&self.chain_id, &self.signer);
        for co_signature in &self.anchor.co_signatures {
            let officer = co_signature.officer();
            if !self.anchor.collected_by.contains(&officer) {
                bail!("officer {officer} co-signed the draft but is not named as a collector; make a new draft");
            }
            if co_signature.verify(&digest).is_err() {
                bail!(
                    "the co-signature of officer {officer} does not verify: the draft was changed after they signed it; make a new draft and have it co-signed again"
                );
            }
        }
        Ok(())
    }
}

pub use xianjie_api::evidence::{list, missing_co_signers};

#[cfg(test)]
mod tests {
    use super::*;
    use xianjie_ledger::crypto::SecretKey;
    use xianjie_ledger::hash::Hash;
    use xianjie_ledger::model::EvidenceCategory;

    fn anchor(collectors: &[&SecretKey]) -> EvidenceAnchor {
        EvidenceAnchor {
            digest: Hash([1; 32]),
            size: 1,
            media_type: "text/plain".into(),
            category: EvidenceCategory::Documentary,
            case_id: None,
            collected_at: 1,
            collected_by: collectors.iter().map(|k| k.public_key().id()).collect(),
            capture_method: "file".into(),
            capture_tool: "test".into(),
            provenance_note_digest: None,
            supersedes: None,
            co_signatures: Vec::new(),
        }
    }

    #[test]
    fn a_draft_names_who_has_yet_to_co_sign_and_refuses_a_change_after_signing() {
        let (me, other, third) = (
            SecretKey::from_bytes(&[1; 32]),
            SecretKey::from_bytes(&[2; 32]),
            SecretKey::from_bytes(&[3; 32]),
        );
        let signer = me.public_key().id();
        let mut draft = Draft::new("c", signer, anchor(&[&me, &other, &third]));
        let (other_id, third_id) = (other.public_key().id(), third.public_key().id());
        assert_eq!(draft.missing(), vec![other_id, third_id]);
        draft.anchor.co_sign("c", &signer, &other);
        assert_eq!(draft.missing(), vec![third_id]);
        draft.check_co_signatures().unwrap();

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("anchor.draft");
        draft.write(&path).unwrap();
        let back = Draft::read(&path).unwrap();
        assert_eq!(back.anchor, draft.anchor);
        assert_eq!(back.signer, signer);

        draft.anchor.size = 2;
        let error = draft.check_co_signatures().unwrap_err().to_string();
        assert!(error.contains("changed after"), "{error}");
    }
}
