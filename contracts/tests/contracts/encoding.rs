//! Golden bytes of a stored evidence record. The encoding is committed in
//! the state root, so any change to it — a reordered field, a renumbered
//! enum variant — is a chain-format change and must fail this test.
//!
//! Encoding: format version byte, then postcard: fields in declaration
//! order, integers as LEB128 varints, strings and sequences length-prefixed,
//! `Option` as 00 / 01 + value, enum variants by index, fixed-size ids
//! (`Hash`, `KeyId`) as raw bytes without a length.

use xianjie_ledger::codec::{decode, encode};
use xianjie_ledger::crypto::{KeyId, PublicKey, Signature};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::model::{
    CoSignature, CustodyAction, CustodyEvent, EvidenceAnchor, EvidenceCategory, EvidenceClass,
    EvidenceRecord,
};

use crate::harness::org_id;

fn sample_record() -> EvidenceRecord {
    EvidenceRecord {
        anchor: EvidenceAnchor {
            digest: Hash([0xd1; 32]),
            size: 300,
            media_type: "image/png".into(),
            category: EvidenceCategory::Electronic,
            case_id: Some("C-1".into()),
            collected_at: 1000,
            collected_by: vec![KeyId([0x0a; 20]), KeyId([0x0b; 20])],
            capture_method: "scan".into(),
            capture_tool: String::new(),
            provenance_note_digest: None,
            supersedes: Some(Hash([0x5e; 32])),
            co_signatures: vec![CoSignature {
                public_key: PublicKey([0xc5; 32]),
                signature: Signature([0x51; 64]),
            }],
        },
        class: EvidenceClass::DirectUse,
        org: org_id("market"),
        anchored_by: KeyId([0x0a; 20]),
        height: 7,
        time_ms: 128,
        tx: Hash([0x7f; 32]),
        holder: org_id("police"),
        pending_transfer: None,
        custody: vec![
            CustodyEvent {
                action: CustodyAction::Transfer,
                org: org_id("market"),
                officer: KeyId([0x0b; 20]),
                to: Some(org_id("police")),
                note_digest: None,
                height: 8,
                time_ms: 129,
                tx: Hash([0x80; 32]),
            },
            CustodyEvent {
                action: CustodyAction::Receive,
                org: org_id("police"),
                officer: KeyId([0x0c; 20]),
                to: None,
                note_digest: Some(Hash([0x0e; 32])),
                height: 9,
                time_ms: 130,
                tx: Hash([0x81; 32]),
            },
        ],
        superseded_by: None,
        destroyed: false,
    }
}

#[test]
fn evidence_record_golden_bytes() {
    #[rustfmt::skip]
    let expected: Vec<u8> = [
        &[0x01][..],                   // codec format version
        // anchor
        &[0xd1; 32],                   //   digest
        &[0xac, 0x02],                 //   size = 300 (varint)
        &[0x09], b"image/png",         //   media_type
        &[0x03],                       //   category = Electronic (variant 3)
        &[0x01, 0x03], b"C-1",         //   case_id = Some("C-1")
        &[0xe8, 0x07],                 //   collected_at = 1000
        &[0x02],                       //   collected_by: 2 ids
        &[0x0a; 20],                   //     id 1
        &[0x0b; 20],                   //     id 2
        &[0x04], b"scan",              //   capture_method
        &[0x00],                       //   capture_tool = ""
        &[0x00],                       //   provenance_note_digest = None
        &[0x01], &[0x5e; 32],          //   supersedes = Some(..)
        &[0x01],                       //   co_signatures: 1
        &[0xc5; 32],                   //     public_key
        &[0x51; 64],                   //     signature
        // record
        &[0x00],                       // class = DirectUse (A)
        &[0x06], b"market",            // org
        &[0x0a; 20],                   // anchored_by
        &[0x07],                       // height = 7
        &[0x80, 0x01],                 // time_ms = 128
        &[0x7f; 32],                   // tx
        &[0x06], b"police",            // holder
        &[0x00],                       // pending_transfer = None
        &[0x02],                       // custody: 2 events
        &[0x00],                       //   action = Transfer (variant 0)
        &[0x06], b"market",            //   org
        &[0x0b; 20],                   //   officer
        &[0x01, 0x06], b"police",      //   to = Some("police")
        &[0x00],                       //   note_digest = None
        &[0x08],                       //   height = 8
        &[0x81, 0x01],                 //   time_ms = 129
        &[0x80; 32],                   //   tx
        &[0x01],                       //   action = Receive (variant 1)
        &[0x06], b"police",            //   org
        &[0x0c; 20],                   //   officer
        &[0x00],                       //   to = None
        &[0x01], &[0x0e; 32],          //   note_digest = Some(..)
        &[0x09],                       //   height = 9
        &[0x82, 0x01],                 //   time_ms = 130
        &[0x81; 32],                   //   tx
        &[0x00],                       // superseded_by = None
        &[0x00],                       // destroyed = false
    ]
    .concat();
    let record = sample_record();
    let bytes = encode(&record);
    assert_eq!(hex(&bytes), hex(&expected));
    assert_eq!(decode::<EvidenceRecord>(&bytes).unwrap(), record);
}

#[test]
fn a_record_with_a_trailing_byte_or_changed_version_is_refused() {
    let mut bytes = encode(&sample_record());
    bytes.push(0);
    assert!(decode::<EvidenceRecord>(&bytes).is_err());
    let mut bytes = encode(&sample_record());
    bytes[0] = 2;
    assert!(decode::<EvidenceRecord>(&bytes).is_err());
}

/// Hex in rows of 32 bytes, so a mismatch points at its offset.
fn hex(bytes: &[u8]) -> String {
    bytes
        .chunks(32)
        .enumerate()
        .map(|(row, chunk)| {
            let cells: String = chunk.iter().map(|b| format!("{b:02x}")).collect();
            format!("{:04x}: {cells}\n", row * 32)
        })
        .collect()
}

/// The largest records the contracts can write still fit their decode
/// limits, so no record ever becomes unreadable.
#[test]
fn worst_case_records_fit_their_size_limits() {
    use xianjie_contracts::case::action_names;
    use xianjie_ledger::case::*;
    use xianjie_ledger::codec::Canonical;
    use xianjie_ledger::ids::{OrgId, MAX_ORG_ID_LEN};
    use xianjie_ledger::inspection::*;
    use xianjie_ledger::model::{MAX_CASE_ID_LEN, MAX_SHORT_TEXT_LEN};

    let org = OrgId::new(&"z".repeat(MAX_ORG_ID_LEN)).unwrap();
    let hash = Hash([0xff; 32]);
    let id = KeyId([0xff; 20]);
    let mark = |action: &str| ActionMark {
        action: action.into(),
        seq: u32::MAX,
        time_ms: u64::MAX,
        height: u64::MAX,
        outcome: Some(Outcome::NoPenalty),
    };
    let case = Case {
        id: "x".repeat(MAX_CASE_ID_LEN).into(),
        title: "长".repeat(MAX_CASE_TITLE_LEN / 3),
        entity: "x".repeat(18),
        domain: "x".repeat(MAX_DOMAIN_LEN),
        lead: LeadSource {
            kind: LeadKind::Other,
            reference: Some("x".repeat(MAX_CASE_ID_LEN)),
        },
        owner: org.clone(),
        region: "330100".into(),
        state: CaseState::R9Closed,
        police: Some(org.clone()),
        procuratorate: Some(org.clone()),
        court: Some(org.clone()),
        taskforce: vec![id; MAX_TASKFORCE],
        flags: CaseFlags::default(),
        marks: std::iter::once("open-case")
            .chain(action_names())
            .map(mark)
            .collect(),
        opened_height: u64::MAX,
        opened_at_ms: u64::MAX,
        updated_at_ms: u64::MAX,
        event_count: u32::MAX,
        // At most one entry per deadline rule.
        paused: (0..xianjie_ledger::deadline::MAX_DEADLINE_RULES)
            .map(|_| PausedClock {
                rule: "X".repeat(xianjie_ledger::deadline::MAX_RULE_ID_LEN),
                start_seq: u32::MAX,
                used: u32::MAX,
            })
            .collect(),
    };
    assert!(encode(&case).len() <= Case::MAX_ENCODED_LEN);
    let event = CaseEvent {
        seq: u32::MAX,
        action: "x".repeat(MAX_ACTION_LEN),
        from: CaseState::R9Closed,
        to: CaseState::R9Closed,
        org: org.clone(),
        officer: id,
        attachments: vec![
            Attachment {
                kind: AttachmentKind::ProcuratorialSuggestion,
                digest: hash,
            };
            MAX_ATTACHMENTS
        ],
        officers: vec![id; MAX_TASKFORCE],
        target: Some(org.clone()),
        reason_digest: Some(hash),
        outcome: Some(Outcome::NoPenalty),
        height: u64::MAX,
        time_ms: u64::MAX,
        tx: hash,
    };
    assert!(encode(&event).len() <= CaseEvent::MAX_ENCODED_LEN);
    let inspection = Inspection {
        id: "x".repeat(MAX_CASE_ID_LEN).into(),
        entity: "x".repeat(18),
        matter: "x".repeat(MAX_MATTER_LEN),
        issuer: org.clone(),
        inspectors: vec![id; MAX_INSPECTORS],
        report_date: u32::MAX,
        conclusion: Conclusion::Inconclusive,
        report_digest: hash,
        lab: Some(LabRef {
            uscc: "x".repeat(18),
            cma_number: "x".repeat(MAX_CMA_LEN),
        }),
        scope: "x".repeat(MAX_SHORT_TEXT_LEN),
        valid_until: Some(u32::MAX),
        objection: Some(ObjectionWindow {
            rule: "X".repeat(48),
            notified_on: u32::MAX,
        }),
        recorded_by: id,
        height: u64::MAX,
        time_ms: u64::MAX,
        tx: hash,
        stances: vec![
            Stance {
                org: org.clone(),
                kind: StanceKind::Disputed,
                officer: id,
                reason_digest: Some(hash),
                height: u64::MAX,
            };
            MAX_STANCES
        ],
        retest: Some(Retest {
            requested_on: u32::MAX,
            request_digest: hash,
            recorded_by: id,
            height: u64::MAX,
            result: Some(format!("INSP-{}", "f".repeat(16)).into()),
        }),
        retest_of: Some(format!("INSP-{}", "f".repeat(16)).into()),
    };
    assert!(encode(&inspection).len() <= Inspection::MAX_ENCODED_LEN);
    let accreditation = Accreditation {
        lab_uscc: "x".repeat(18),
        cma_number: "x".repeat(MAX_CMA_LEN),
        periods: vec![
            AccreditationPeriod {
                scope: vec!["x".repeat(MAX_MATTER_LEN); MAX_SCOPE_MATTERS],
                valid_from: u32::MAX,
                valid_to: u32::MAX,
                certificate_digest: Some(hash),
                recorded_by: org.clone(),
                officer: id,
                height: u64::MAX,
            };
            MAX_ACCREDITATION_PERIODS
        ],
    };
    assert!(encode(&accreditation).len() <= Accreditation::MAX_ENCODED_LEN);
}
