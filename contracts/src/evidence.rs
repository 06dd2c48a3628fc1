//! Evidence anchors and their chain of custody.
//!
//! An anchor records a file's digest with who collected it, how and for which
//! case (DOMAIN §i.4). It is never deleted: a corrected file is anchored anew
//! with `supersedes`, which links the old record forward. Custody is a small
//! state machine over the record's `holder` and `pending_transfer`:
//!
//! ```text
//!   holder H, nothing pending ──transfer(to R) by H──▶ holder H, pending R
//!   holder H, pending R       ──receive by R────────▶ holder R, nothing pending
//!   holder H, nothing pending ──seal/examine/store/return by H──▶ unchanged
//!   holder H, nothing pending ──destroy by H────────▶ closed: no further events
//! ```
//!
//! A handoff is complete only when the recipient records `receive`, so the
//! chain shows both sides of it (SPC-CPL-Interp Art 111).

use std::collections::{BTreeMap, BTreeSet};

use xianjie_ledger::codec::{encode, Canonical};
use xianjie_ledger::crypto::{self, KeyId, PublicKey, SignedMessage};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{is_case_reference, OrgId};
use xianjie_ledger::model::{
    CoSignature, CustodyAction, CustodyEvent, EvidenceAnchor, EvidenceRecord, Officer,
    MAX_CASE_ID_LEN, MAX_COLLECTORS, MAX_CO_SIGNATURES, MAX_MEDIA_TYPE_LEN, MAX_SHORT_TEXT_LEN,
};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::StateView;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::tx::{Call, RecordCustody, SignedTx};

use crate::error::{ContractError, Result};
use crate::overlay::Overlay;
use crate::policy::{self, Resource};
use crate::{case, read, BlockCtx};

/// The largest `max_custody_events` a genesis may set: a record with this
/// many custody events and every field at its maximum still fits
/// `EvidenceRecord::MAX_ENCODED_LEN`, so it can always be read back (the
/// test `custody_limit_fits_the_record_size_limit` proves it).
pub const MAX_CUSTODY_EVENTS_LIMIT: u16 = 1024;

/// Anchors an evidence file for the signer's organisation, which becomes
/// its first holder.
pub fn anchor(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    anchor: &EvidenceAnchor,
    checked: &CheckedCoSignatures,
) -> Result<WriteSet> {
    check_anchor_fields(anchor)?;
    // Already anchored comes first: `anchor --upload` of a known file by
    // anyone goes on to the upload, whoever it names as collectors.
    if read::evidence(view, &anchor.digest)?.is_some() {
        return Err(ContractError::AlreadyAnchored {
            digest: anchor.digest,
        });
    }
    let params = read::params_shared(view)?;
    let keys = check_collectors(view, &params, &signer.org, &anchor.collected_by)?;
    check_co_signatures(&ctx.chain_id, signer, anchor, &keys, checked)?;
    let class = params
        .class_of(anchor.category)
        .ok_or(ContractError::UnknownCategory {
            category: anchor.category,
        })?;
    let mut writes = WriteSet::new();
    if let Some(old) = &anchor.supersedes {
        let superseded = supersede(view, signer, old, &anchor.digest)?;
        read::write_evidence(&mut writes, &superseded);
    }
    let record = EvidenceRecord {
        anchor: anchor.clone(),
        class,
        org: signer.org.clone(),
        anchored_by: signer.id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
        holder: signer.org.clone(),
        pending_transfer: None,
        custody: Vec::new(),
        superseded_by: None,
        destroyed: false,
    };
    let mut stage = Overlay::new(view);
    case::on_anchor(&mut stage, signer, &record, ctx.height)?;
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::AnchorEvidence,
        Resource::Evidence(&record),
    )?;
    read::write_evidence(&mut writes, &record);
    writes.extend(stage.into_writes());
    Ok(writes)
}

/// Records one custody event on anchored evidence (see the module docs for
/// the state machine).
pub fn record_custody(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &RecordCustody,
) -> Result<WriteSet> {
    let step = Step::of(call)?;
    let digest = call.digest;
    let mut record =
        read::evidence(view, &digest)?.ok_or(ContractError::UnknownEvidence { digest })?;
    if record.destroyed {
        return Err(ContractError::EvidenceDestroyed { digest });
    }
    let max = read::params_shared(view)?.max_custody_events;
    if record.custody.len() >= usize::from(max) {
        return Err(ContractError::CustodyLogFull { digest, max });
    }
    match step {
        Step::Transfer(to) => begin_transfer(view, &mut record, signer, to)?,
        Step::Receive => complete_transfer(&mut record, signer)?,
        Step::Refuse => refuse_transfer(&mut record, signer)?,
        Step::Cancel => cancel_transfer(&mut record, signer)?,
        Step::HolderAction(action) => holder_action(&mut record, signer, action)?,
    }
    record.custody.push(CustodyEvent {
        action: call.action,
        org: signer.org.clone(),
        officer: signer.id,
        to: call.to.clone(),
        note_digest: call.note_digest,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
    });
    // Genesis bounds `max_custody_events` so this cannot trigger; checked
    // anyway because a record that no longer decodes would freeze the item.
    if encode(&record).len() > EvidenceRecord::MAX_ENCODED_LEN {
        return Err(ContractError::CustodyLogFull { digest, max });
    }
    let before = read::evidence(view, &digest)?.ok_or(ContractError::UnknownEvidence { digest })?;
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::RecordCustody,
        Resource::Evidence(&before),
    )?;
    let mut writes = WriteSet::new();
    read::write_evidence(&mut writes, &record);
    Ok(writes)
}

/// A custody call, with `to` checked against its action.
enum Step<'a> {
    Transfer(&'a OrgId),
    Receive,
    Refuse,
    Cancel,
    HolderAction(CustodyAction),
}

impl<'a> Step<'a> {
    fn of(call: &'a RecordCustody) -> Result<Self> {
        match (call.action, &call.to) {
            (CustodyAction::Transfer, Some(to)) => Ok(Step::Transfer(to)),
            (CustodyAction::Transfer, None) => Err(ContractError::MissingRecipient),
            (action, Some(_)) => Err(ContractError::UnexpectedRecipient { action }),
            (CustodyAction::Receive, None) => Ok(Step::Receive),
            (CustodyAction::Refuse, None) => Ok(Step::Refuse),
            (CustodyAction::Cancel, None) => Ok(Step::Cancel),
            (action, None) => Ok(Step::HolderAction(action)),
        }
    }
}

fn begin_transfer(
    view: &dyn StateView,
    record: &mut EvidenceRecord,
    signer: &Officer,
    to: &OrgId,
) -> Result<()> {
    require_holder_and_nothing_pending(record, signer)?;
    if read::org(view, to)?.is_none() {
        return Err(ContractError::UnknownOrg { org: to.clone() });
    }
    if *to == record.holder {
        return Err(ContractError::TransferToSelf { org: to.clone() });
    }
    record.pending_transfer = Some(to.clone());
    Ok(())
}

fn complete_transfer(record: &mut EvidenceRecord, signer: &Officer) -> Result<()> {
    record.holder = take_transfer_addressed_to_signer(record, signer)?;
    Ok(())
}

/// The addressee declines: the transfer ends and the sender still holds the item.
fn refuse_transfer(record: &mut EvidenceRecord, signer: &Officer) -> Result<()> {
    take_transfer_addressed_to_signer(record, signer).map(|_| ())
}

/// Ends the pending transfer if it is addressed to the signer's organisation.
fn take_transfer_addressed_to_signer(
    record: &mut EvidenceRecord,
    signer: &Officer,
) -> Result<OrgId> {
    let digest = record.anchor.digest;
    let recipient = record
        .pending_transfer
        .clone()
        .ok_or(ContractError::NoPendingTransfer { digest })?;
    if recipient != signer.org {
        return Err(ContractError::NotRecipient {
            digest,
            recipient,
            org: signer.org.clone(),
        });
    }
    record.pending_transfer = None;
    Ok(recipient)
}

/// The sender withdraws a transfer the addressee has not received, so an
/// item sent to the wrong organisation is never stuck in transit.
fn cancel_transfer(record: &mut EvidenceRecord, signer: &Officer) -> Result<()> {
    require_holder(record, signer)?;
    if record.pending_transfer.take().is_none() {
        return Err(ContractError::NoPendingTransfer {
            digest: record.anchor.digest,
        });
    }
    Ok(())
}

fn holder_action(
    record: &mut EvidenceRecord,
    signer: &Officer,
    action: CustodyAction,
) -> Result<()> {
    require_holder_and_nothing_pending(record, signer)?;
    if action == CustodyAction::Destroy {
        record.destroyed = true;
    }
    Ok(())
}

/// While a transfer is pending the item is in transit: neither side may act
/// on it until the recipient records `receive`.
fn require_holder_and_nothing_pending(record: &EvidenceRecord, signer: &Officer) -> Result<()> {
    require_holder(record, signer)?;
    if let Some(to) = &record.pending_transfer {
        return Err(ContractError::TransferPending {
            digest: record.anchor.digest,
            to: to.clone(),
        });
    }
    Ok(())
}

fn require_holder(record: &EvidenceRecord, signer: &Officer) -> Result<()> {
    if record.holder == signer.org {
        return Ok(());
    }
    Err(ContractError::NotHolder {
        digest: record.anchor.digest,
        holder: record.holder.clone(),
        org: signer.org.clone(),
    })
}

/// The old record with its forward link set, if the signer's organisation
/// may supersede it.
fn supersede(
    view: &dyn StateView,
    signer: &Officer,
    old: &Hash,
    new: &Hash,
) -> Result<EvidenceRecord> {
    let mut record =
        read::evidence(view, old)?.ok_or(ContractError::SupersedeUnknown { digest: *old })?;
    if let Some(by) = record.superseded_by {
        return Err(ContractError::AlreadySuperseded { digest: *old, by });
    }
    if record.org != signer.org {
        return Err(ContractError::SupersedeOtherOrg {
            digest: *old,
            owner: record.org,
        });
    }
    record.superseded_by = Some(*new);
    Ok(record)
}

/// Collectors: at least `min_collectors` (the law asks for two officers,
/// SC-Transfer Art 5, APL Art 42), each an active officer of the anchoring
/// organisation, since that organisation vouches for the collection.
/// Answers each collector's registered key.
fn check_collectors(
    view: &dyn StateView,
    params: &Params,
    org: &OrgId,
    collectors: &[KeyId],
) -> Result<BTreeMap<KeyId, PublicKey>> {
    if collectors.len() < usize::from(params.min_collectors) {
        return Err(ContractError::TooFewCollectors {
            named: collectors.len(),
            min: params.min_collectors,
        });
    }
    let mut keys = BTreeMap::new();
    for collector in collectors {
        match read::officer(view, collector)? {
            Some(officer) if officer.active && officer.org == *org => {
                keys.insert(*collector, officer.public_key);
            }
            _ => {
                return Err(ContractError::UnknownCollector {
                    collector: *collector,
                    org: org.clone(),
                })
            }
        }
    }
    Ok(keys)
}

/// The co-signatures of a block's anchors that verify, found in one batch
/// check before the block runs ([`crypto::verify_each`]: 256 signatures at a
/// time cost about a quarter of as many single checks). Checking them one by
/// one inside each anchor made execution about four times slower. The
/// answers are the single rule's (ZIP 215 makes the batch equation agree
/// with it), so a co-signature missing here is simply checked again alone:
/// every validator reaches the same result either way.
#[derive(Debug, Default)]
pub struct CheckedCoSignatures(BTreeSet<([u8; 32], [u8; 32], [u8; 64])>);

impl CheckedCoSignatures {
    /// Batch-checks every co-signature of `txs`' anchors on chain `chain_id`.
    pub fn of_block(chain_id: &str, txs: &[SignedTx]) -> Self {
        let mut signed = Vec::new();
        for tx in txs {
            let Call::AnchorEvidence(anchor) = &tx.tx.call else {
                continue;
            };
            // Too many is refused by the field checks before any is verified.
            if anchor.co_signatures.is_empty() || anchor.co_signatures.len() > MAX_CO_SIGNATURES {
                continue;
            }
            let digest = anchor.co_signing_digest(chain_id, &tx.tx.signer.id());
            signed.extend(anchor.co_signatures.iter().map(|co| (digest, co)));
        }
        let messages: Vec<SignedMessage<'_>> = signed
            .iter()
            .map(|(digest, co)| SignedMessage {
                public_key: &co.public_key,
                message: &digest.0,
                signature: &co.signature,
            })
            .collect();
        let answers = crypto::verify_each(&messages);
        CheckedCoSignatures(
            signed
                .iter()
                .zip(answers)
                .filter(|(_, answer)| answer.is_ok())
                .map(|((digest, co), _)| Self::entry(digest, co))
                .collect(),
        )
    }

    fn holds(&self, digest: &Hash, co_signature: &CoSignature) -> bool {
        self.0.contains(&Self::entry(digest, co_signature))
    }

    fn entry(digest: &Hash, co: &CoSignature) -> ([u8; 32], [u8; 32], [u8; 64]) {
        (digest.0, co.public_key.0, co.signature.0)
    }
}

/// Every collector signs: the transaction's signer by the transaction, each
/// other collector by exactly one co-signature over the anchor's
/// co-signing digest, made with their registered key. A name alone is one
/// officer's claim about another; with every name signed, the
/// `min_collectors` names checked above are as many signatures.
fn check_co_signatures(
    chain_id: &str,
    signer: &Officer,
    anchor: &EvidenceAnchor,
    keys: &BTreeMap<KeyId, PublicKey>,
    checked: &CheckedCoSignatures,
) -> Result<()> {
    let mut signed = BTreeSet::from([signer.id]);
    if !anchor.co_signatures.is_empty() {
        let digest = anchor.co_signing_digest(chain_id, &signer.id);
        for co_signature in &anchor.co_signatures {
            let officer = co_signature.officer();
            let Some(registered) = keys.get(&officer) else {
                return Err(ContractError::CoSignerNotCollector { officer });
            };
            if !signed.insert(officer) {
                return Err(ContractError::DuplicateCoSignature { officer });
            }
            let valid =
                checked.holds(&digest, co_signature) || co_signature.verify(&digest).is_ok();
            if *registered != co_signature.public_key || !valid {
                return Err(ContractError::BadCoSignature { officer });
            }
        }
    }
    match anchor.collected_by.iter().find(|id| !signed.contains(id)) {
        Some(collector) => Err(ContractError::CollectorNotSigned {
            collector: *collector,
        }),
        None => Ok(()),
    }
}

/// The bounds of an anchor's fields that need no state: what the contract
/// checks first, and what the CLI checks before it hashes and signs.
pub fn check_anchor_fields(anchor: &EvidenceAnchor) -> Result<()> {
    if !is_media_type(&anchor.media_type) {
        return Err(invalid(
            "media_type",
            format!("1-{MAX_MEDIA_TYPE_LEN} printable ASCII characters of the form type/subtype"),
        ));
    }
    if let Some(case_id) = &anchor.case_id {
        if !is_case_reference(case_id) {
            return Err(invalid(
                "case_id",
                format!(
                    "absent, or 1-{MAX_CASE_ID_LEN} characters of A-Z, a-z, 0-9, -, _, / and ."
                ),
            ));
        }
    }
    check_short_text("capture_method", &anchor.capture_method)?;
    check_short_text("capture_tool", &anchor.capture_tool)?;
    let collectors = &anchor.collected_by;
    if collectors.is_empty() || collectors.len() > MAX_COLLECTORS {
        return Err(invalid(
            "collected_by",
            format!("1-{MAX_COLLECTORS} officer key ids"),
        ));
    }
    if collectors.iter().collect::<BTreeSet<_>>().len() != collectors.len() {
        return Err(invalid(
            "collected_by",
            "a list without repeated officers".into(),
        ));
    }
    // Bounded before any signature is checked.
    if anchor.co_signatures.len() > MAX_CO_SIGNATURES {
        return Err(invalid(
            "co_signatures",
            format!("at most {MAX_CO_SIGNATURES} co-signatures, one per collector"),
        ));
    }
    Ok(())
}

pub(crate) fn invalid(field: &'static str, limit: String) -> ContractError {
    ContractError::InvalidField { field, limit }
}

/// A list of links or digests: at most `most`, none named twice.
pub(crate) fn check_distinct<T: Ord + Clone>(
    field: &'static str,
    items: &[T],
    most: usize,
) -> Result<()> {
    let mut sorted = items.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if items.len() > most || sorted.len() != items.len() {
        return Err(invalid(field, format!("at most {most}, each once")));
    }
    Ok(())
}

/// Free text kept on chain: short, and without control characters that could
/// forge lines in logs and printed reports.
pub(crate) fn check_short_text(field: &'static str, text: &str) -> Result<()> {
    if text.len() > MAX_SHORT_TEXT_LEN || text.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("at most {MAX_SHORT_TEXT_LEN} bytes of UTF-8 without control characters"),
        ));
    }
    Ok(())
}

/// `type/subtype`, optionally with parameters (`text/plain; charset=utf-8`):
/// printable ASCII, a non-empty RFC 6838 name on each side of the slash.
fn is_media_type(text: &str) -> bool {
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b);
    let Some((kind, rest)) = text.split_once('/') else {
        return false;
    };
    let subtype = rest.split(';').next().unwrap_or_default().trim_end();
    text.len() <= MAX_MEDIA_TYPE_LEN
        && text.bytes().all(|b| (b' '..=b'~').contains(&b))
        && !text.ends_with(' ')
        && !kind.is_empty()
        && kind.bytes().all(is_name_byte)
        && !subtype.is_empty()
        && subtype.bytes().all(is_name_byte)
}

#[cfg(test)]
mod tests {
    use super::*;
    use xianjie_ledger::codec::decode;

    #[test]
    fn media_types() {
        for good in [
            "image/jpeg",
            "application/pdf",
            "text/plain; charset=utf-8",
            "application/vnd.ms-excel",
            "a/b",
        ] {
            assert!(is_media_type(good), "{good}");
        }
        let too_long = format!("application/{}", "x".repeat(MAX_MEDIA_TYPE_LEN));
        for bad in [
            "",
            "image",
            "/jpeg",
            "image/",
            "image /jpeg",
            "image/jpeg ",
            "图像/jpeg",
            "image/jp\teg",
            "image/;x",
            too_long.as_str(),
        ] {
            assert!(!is_media_type(bad), "{bad:?}");
        }
    }

    #[test]
    fn short_texts() {
        assert!(check_short_text("capture_tool", "").is_ok());
        assert!(check_short_text("capture_tool", "取证工具 v2.1").is_ok());
        assert!(check_short_text("capture_tool", &"x".repeat(MAX_SHORT_TEXT_LEN)).is_ok());
        assert!(check_short_text("capture_tool", &"x".repeat(MAX_SHORT_TEXT_LEN + 1)).is_err());
        assert!(check_short_text("capture_tool", "a\nb").is_err());
    }

    /// A record with every field at its longest and `events` custody events.
    fn worst_case_record(events: usize) -> EvidenceRecord {
        let org = OrgId::new(&"z".repeat(xianjie_ledger::ids::MAX_ORG_ID_LEN)).unwrap();
        let hash = Hash([0xff; 32]);
        let event = CustodyEvent {
            action: CustodyAction::Transfer,
            org: org.clone(),
            officer: KeyId([0xff; 20]),
            to: Some(org.clone()),
            note_digest: Some(hash),
            height: u64::MAX,
            time_ms: u64::MAX,
            tx: hash,
        };
        EvidenceRecord {
            anchor: EvidenceAnchor {
                digest: hash,
                size: u64::MAX,
                media_type: "x".repeat(MAX_MEDIA_TYPE_LEN),
                category: xianjie_ledger::model::EvidenceCategory::Party,
                case_id: Some("x".repeat(MAX_CASE_ID_LEN).into()),
                collected_at: u64::MAX,
                collected_by: vec![KeyId([0xff; 20]); MAX_COLLECTORS],
                capture_method: "x".repeat(MAX_SHORT_TEXT_LEN),
                capture_tool: "x".repeat(MAX_SHORT_TEXT_LEN),
                provenance_note_digest: Some(hash),
                supersedes: Some(hash),
                co_signatures: vec![
                    xianjie_ledger::model::CoSignature {
                        public_key: PublicKey([0xff; 32]),
                        signature: xianjie_ledger::crypto::Signature([0xff; 64]),
                    };
                    MAX_CO_SIGNATURES
                ],
            },
            class: xianjie_ledger::model::EvidenceClass::Recollect,
            org: org.clone(),
            anchored_by: KeyId([0xff; 20]),
            height: u64::MAX,
            time_ms: u64::MAX,
            tx: hash,
            holder: org.clone(),
            pending_transfer: Some(org),
            custody: vec![event; events],
            superseded_by: Some(hash),
            destroyed: true,
        }
    }

    #[test]
    fn custody_limit_fits_the_record_size_limit() {
        let bytes = encode(&worst_case_record(usize::from(MAX_CUSTODY_EVENTS_LIMIT)));
        assert!(
            bytes.len() <= EvidenceRecord::MAX_ENCODED_LEN,
            "{} bytes exceed {}",
            bytes.len(),
            EvidenceRecord::MAX_ENCODED_LEN
        );
        assert_eq!(
            decode::<EvidenceRecord>(&bytes).unwrap().custody.len(),
            usize::from(MAX_CUSTODY_EVENTS_LIMIT)
        );
    }
}
