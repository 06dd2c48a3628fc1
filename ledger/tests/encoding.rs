//! Golden bytes and round trips for every canonically encoded type.
//!
//! The golden hex strings are the format: if one of these tests fails, the
//! encoding changed and every stored block, signature and receipt with it.
//! Change them only together with `codec::FORMAT_VERSION` or a new variant
//! appended at the end of an enum.

use proptest::prelude::*;
use xianjie_ledger::block::{
    Block, BlockResults, Commit, CommitSignature, Header, TxOutcome, TxResult,
};
use xianjie_ledger::case::*;
use xianjie_ledger::clue::{ClueAction, ClueId, ClueSource, ClueSubject};
use xianjie_ledger::codec::{decode, encode, Canonical};
use xianjie_ledger::crypto::{KeyId, PublicKey, SecretKey, Signature};
use xianjie_ledger::deadline::{appendix_a_rules, default_calendar, DayCounting};
use xianjie_ledger::genesis::{Genesis, GenesisOfficer, GenesisOrg};
use xianjie_ledger::governance::*;
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{CaseId, InspectionId, OrgId};
use xianjie_ledger::inspection::*;
use xianjie_ledger::model::*;
use xianjie_ledger::params::Params;
use xianjie_ledger::request::{RequestAbout, RequestId, RequestKind};
use xianjie_ledger::stats::StatsScope;
use xianjie_ledger::tx::{
    Accredit, AnswerClue, AnswerOrgan, Approve, AskOrgan, Call, CaseAction, CaseStep,
    DisputeInspection, LinkRecollected, NodeKeyCall, OpenCase, Propose, PublishBulletin,
    RecognizeInspection, RecordCustody, RecordDeposit, RecordInspection, RecordRetest,
    RecordTimestamp, RegisterOfficer, RequestRetest, RevokeOfficer, SendClue, SignedTx, Tx,
};
use xianjie_ledger::validators::{Validator, ValidatorSet};

fn key(seed: u8) -> SecretKey {
    SecretKey::from_bytes(&[seed; 32])
}

fn org_id(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

fn sample_anchor() -> EvidenceAnchor {
    EvidenceAnchor {
        digest: Hash([0xd1; 32]),
        size: 1024,
        media_type: "image/jpeg".into(),
        category: EvidenceCategory::Electronic,
        case_id: Some("HZ-2026-1".into()),
        collected_at: 1_700_000_000,
        collected_by: vec![KeyId([0x11; 20])],
        capture_method: "photo".into(),
        capture_tool: "cam 1".into(),
        provenance_note_digest: None,
        supersedes: None,
        co_signatures: Vec::new(),
    }
}

/// The sample anchor with a second collector, key 2, who co-signed it for
/// a submission by key 1 on chain `xj`.
fn co_signed_sample_anchor() -> EvidenceAnchor {
    let mut anchor = sample_anchor();
    anchor.collected_by.push(key(2).public_key().id());
    anchor.co_sign("xj", &key(1).public_key().id(), &key(2));
    anchor
}

fn sample_tx(call: Call) -> SignedTx {
    Tx {
        chain_id: "xj".into(),
        signer: key(1).public_key(),
        nonce: 7,
        valid_until: 300,
        call,
    }
    .sign(&key(1))
}

fn sample_header() -> Header {
    Header {
        chain_id: "xj".into(),
        height: 2,
        time_ms: 1_700_000_000_000,
        prev_hash: Hash([0xaa; 32]),
        history_root: Hash([0xab; 32]),
        tx_root: Hash([0xbb; 32]),
        tx_count: 1,
        state_root: Hash([0xcc; 32]),
        results_root: Hash([0xdd; 32]),
        validators_hash: Hash([0xee; 32]),
        proposer: KeyId([0x22; 20]),
    }
}

fn sample_record() -> EvidenceRecord {
    EvidenceRecord {
        anchor: sample_anchor(),
        class: EvidenceClass::DirectUse,
        org: org_id("market"),
        anchored_by: KeyId([0x11; 20]),
        height: 3,
        time_ms: 5,
        tx: Hash([0x33; 32]),
        holder: org_id("police"),
        pending_transfer: None,
        custody: vec![CustodyEvent {
            action: CustodyAction::Receive,
            org: org_id("police"),
            officer: KeyId([0x44; 20]),
            to: None,
            note_digest: None,
            height: 4,
            time_ms: 6,
            tx: Hash([0x55; 32]),
        }],
        superseded_by: None,
        destroyed: false,
    }
}

fn round_trip<T: Canonical + PartialEq + std::fmt::Debug>(value: &T) -> Vec<u8> {
    let bytes = encode(value);
    assert_eq!(&decode::<T>(&bytes).unwrap(), value);
    // Trailing bytes are refused.
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode::<T>(&longer).is_err());
    bytes
}

fn hex_of<T: Canonical + PartialEq + std::fmt::Debug>(value: &T) -> String {
    hex::encode(round_trip(value))
}

#[test]
fn golden_evidence_record() {
    // 01 version | 32×d1 digest | 80 08 size 1024 | 0a "image/jpeg" | 03 electronic |
    // 01 Some 09 "HZ-2026-1" | collected_at varint | 01 one collector 20×11 | ...
    assert_eq!(hex_of(&sample_record()), GOLDEN_EVIDENCE_RECORD);
}

#[test]
fn golden_co_signed_anchor_and_its_co_signing_digest() {
    let anchor = co_signed_sample_anchor();
    let signer = key(1).public_key().id();
    let digest = anchor.co_signing_digest("xj", &signer);
    assert_eq!(digest.to_hex(), GOLDEN_CO_SIGNING_DIGEST);
    // The digest as docs/receipt.md gives it, computed here from the spec:
    // the chain id, the signer and the anchor with an empty co-signature
    // list, whose encoding ends with the 00 of that empty list.
    let mut unsigned = anchor.clone();
    unsigned.co_signatures.clear();
    let unsigned_bytes = encode(&unsigned);
    assert_eq!(unsigned_bytes.last(), Some(&0u8));
    let mut spec =
        blake3::Hasher::new_derive_key("xianjie 2026-12 evidence anchor co-signature v1");
    spec.update(&2u64.to_be_bytes());
    spec.update(b"xj");
    spec.update(&signer.0);
    spec.update(&unsigned_bytes);
    assert_eq!(digest.0, *spec.finalize().as_bytes());
    // ... and the anchor's own encoding is that prefix, the list count and
    // each co-signature's key and signature.
    let bytes = encode(&anchor);
    let co = &anchor.co_signatures[0];
    let expected = [
        &unsigned_bytes[..unsigned_bytes.len() - 1],
        &[0x01],
        &co.public_key.0,
        &co.signature.0,
    ]
    .concat();
    assert_eq!(bytes, expected);
    assert_eq!(co.public_key, key(2).public_key());
    assert!(co.verify(&digest).is_ok());
    assert_eq!(hex_of(&anchor), GOLDEN_CO_SIGNED_ANCHOR);
    let signed = sample_tx(Call::AnchorEvidence(anchor));
    assert_eq!(hex_of(&signed), GOLDEN_SIGNED_CO_SIGNED_ANCHOR);
}

#[test]
fn golden_transactions_for_every_call() {
    let anchor = sample_tx(Call::AnchorEvidence(sample_anchor()));
    assert_eq!(hex_of(&anchor), GOLDEN_SIGNED_ANCHOR);
    assert_eq!(anchor.hash().to_hex(), GOLDEN_ANCHOR_TX_HASH);
    let custody = sample_tx(Call::RecordCustody(RecordCustody {
        digest: Hash([0xd1; 32]),
        action: CustodyAction::Transfer,
        to: Some(org_id("police")),
        note_digest: Some(Hash([0x66; 32])),
    }));
    assert_eq!(hex_of(&custody), GOLDEN_SIGNED_CUSTODY);
    let register = sample_tx(Call::RegisterOfficer(RegisterOfficer {
        public_key: key(2).public_key(),
        role: Role::Head,
    }));
    assert_eq!(hex_of(&register), GOLDEN_SIGNED_REGISTER);
    let revoke = sample_tx(Call::RevokeOfficer(RevokeOfficer {
        officer: KeyId([0x77; 20]),
    }));
    assert_eq!(hex_of(&revoke), GOLDEN_SIGNED_REVOKE);
    assert_eq!(hex_of(&anchor.tx), GOLDEN_ANCHOR_TX_BODY);
    for signed in [&anchor, &custody, &register, &revoke] {
        assert_eq!(signed.hash_from_encoding(&encode(signed)), signed.hash());
    }
    assert_eq!(
        anchor.hash_from_encoding(&encode(&anchor)).to_hex(),
        GOLDEN_ANCHOR_TX_HASH
    );
}

#[test]
fn golden_header_results_commit_validators_block() {
    let header = sample_header();
    assert_eq!(hex_of(&header), GOLDEN_HEADER);
    assert_eq!(header.hash().to_hex(), GOLDEN_HEADER_HASH);
    let results = BlockResults(vec![
        TxResult {
            tx: Hash([1; 32]),
            outcome: TxOutcome::Ok,
        },
        TxResult {
            tx: Hash([2; 32]),
            outcome: TxOutcome::Error {
                code: "not_holder".into(),
            },
        },
    ]);
    assert_eq!(hex_of(&results), GOLDEN_RESULTS);
    let commit = Commit {
        height: 2,
        round: 0,
        block_hash: header.hash(),
        signatures: vec![CommitSignature {
            validator: KeyId([0x22; 20]),
            signature: key(3).sign(b"x"),
        }],
    };
    assert_eq!(hex_of(&commit), GOLDEN_COMMIT);
    let validators = ValidatorSet::new(vec![Validator {
        public_key: key(3).public_key(),
        power: 10,
        org: org_id("court"),
    }]);
    assert_eq!(hex_of(&validators), GOLDEN_VALIDATORS);
    let block = Block {
        header,
        txs: vec![sample_tx(Call::AnchorEvidence(sample_anchor()))],
    };
    round_trip(&block);
    assert_eq!(
        xianjie_ledger::hash::hash_with(xianjie_ledger::hash::Domain::Header, &encode(&block))
            .to_hex()
            .len(),
        64
    );
}

#[test]
fn genesis_params_org_officer_round_trip_and_hash_is_stable() {
    let genesis = Genesis {
        chain_id: "xj".into(),
        genesis_time_ms: 1,
        orgs: vec![GenesisOrg {
            org: Org {
                id: org_id("court"),
                name: "法院".into(),
                kind: OrgKind::Court,
                uscc: "11330100000000000X".into(),
                region: "330100".into(),
                level: OrgLevel::Prefecture,
            },
            officers: vec![GenesisOfficer {
                public_key: key(4).public_key(),
                role: Role::Admin,
            }],
        }],
        validators: vec![Validator {
            public_key: key(3).public_key(),
            power: 1,
            org: org_id("court"),
        }],
        params: Params::default(),
        threshold_rules: Vec::new(),
    };
    round_trip(&genesis);
    assert_eq!(genesis.hash().to_hex(), GOLDEN_GENESIS_HASH);
    // JSON round trip gives the same canonical value.
    let back = Genesis::from_json(&genesis.to_json()).unwrap();
    assert_eq!(back.hash(), genesis.hash());
    round_trip(&Params::default());
    round_trip(&genesis.orgs[0].org);
    round_trip(&Officer {
        id: key(4).public_key().id(),
        public_key: key(4).public_key(),
        org: org_id("court"),
        role: Role::Admin,
        active: false,
        registered_at: 0,
        revoked_at: Some(9),
    });
}

#[test]
fn enum_tags_are_positional_and_append_only() {
    // The first byte after the version of a Call is its variant tag.
    let tags: Vec<u8> = [
        Call::RegisterOfficer(RegisterOfficer {
            public_key: key(2).public_key(),
            role: Role::Officer,
        }),
        Call::RevokeOfficer(RevokeOfficer {
            officer: KeyId::default(),
        }),
        Call::AnchorEvidence(sample_anchor()),
        Call::RecordCustody(RecordCustody {
            digest: Hash::default(),
            action: CustodyAction::Seal,
            to: None,
            note_digest: None,
        }),
    ]
    .into_iter()
    .chain(new_calls())
    .chain(clue_calls())
    .chain(request_calls())
    .map(|call| postcard::to_allocvec(&call).unwrap()[0])
    .collect();
    assert_eq!(tags, (0..25).collect::<Vec<u8>>());
    let categories: Vec<u8> = EvidenceCategory::ALL
        .iter()
        .map(|c| postcard::to_allocvec(c).unwrap()[0])
        .collect();
    assert_eq!(categories, (0..12).collect::<Vec<u8>>());
    // Organisation kinds are stored in every `org/<id>` record: the kinds a
    // chain was written with keep their tags, and the government office is
    // appended after them.
    let kinds: Vec<u8> = OrgKind::NAMES
        .iter()
        .map(|(kind, _)| postcard::to_allocvec(kind).unwrap()[0])
        .collect();
    assert_eq!(kinds, (0..7).collect::<Vec<u8>>());
    assert_eq!(
        postcard::to_allocvec(&OrgKind::SupervisoryCommission).unwrap(),
        vec![6]
    );
    assert_eq!(
        postcard::to_allocvec(&OrgKind::GovernmentOffice).unwrap(),
        vec![5]
    );
    assert_eq!(
        postcard::to_allocvec(&OrgKind::TestingBody).unwrap(),
        vec![4]
    );
}

fn sample_case_action() -> CaseAction {
    CaseAction {
        case_id: "CASE-0123456789abcdef".into(),
        action: "transfer".into(),
        attachments: vec![Attachment {
            kind: AttachmentKind::TransferLetter,
            digest: Hash([0xa1; 32]),
        }],
        officers: vec![KeyId([0x12; 20])],
        to: Some(org_id("police")),
        reason_digest: Some(Hash([0xa2; 32])),
        outcome: Some(Outcome::Uphold),
    }
}

fn sample_open_case() -> OpenCase {
    OpenCase {
        title: "假冒".into(),
        entity: "91110000600037341L".into(),
        domain: "general".into(),
        lead: LeadSource {
            kind: LeadKind::Sampling,
            reference: Some("INSP-1".into()),
        },
    }
}

fn sample_record_inspection() -> RecordInspection {
    RecordInspection {
        entity: "91110000600037341L".into(),
        matter: "GB2763".into(),
        inspectors: vec![KeyId([3; 20])],
        report_date: 20250601,
        conclusion: Conclusion::NonConforming,
        report_digest: Hash([4; 32]),
        lab: Some(LabRef {
            uscc: "91110000600037341L".into(),
            cma_number: "161512050001".into(),
        }),
        scope: "lot 1".into(),
        valid_until: Some(20260601),
        objection: Some(ObjectionWindow {
            rule: "FOOD_RETEST_OBJECTION".into(),
            notified_on: 20250602,
        }),
    }
}

/// One value of every call variant added after the first four, in order.
fn new_calls() -> Vec<Call> {
    vec![
        Call::OpenCase(sample_open_case()),
        Call::CaseAction(sample_case_action()),
        Call::LinkRecollected(LinkRecollected {
            original: Hash([1; 32]),
            recollected: Hash([2; 32]),
        }),
        Call::Accredit(Accredit {
            lab_uscc: "91110000600037341L".into(),
            cma_number: "161512050001".into(),
            scope: vec!["GB2763".into()],
            valid_from: 20200101,
            valid_to: 20251231,
            certificate_digest: None,
        }),
        Call::RecordInspection(sample_record_inspection()),
        Call::RecognizeInspection(RecognizeInspection {
            id: "INSP-1".into(),
        }),
        Call::DisputeInspection(DisputeInspection {
            id: "INSP-1".into(),
            reason_digest: Hash([5; 32]),
        }),
        Call::Propose(Propose {
            change: Change::Param(ParamChange::MinTaskforce(3)),
            note_digest: None,
        }),
        Call::Approve(Approve {
            proposal: "GOV-1".into(),
        }),
        Call::RegisterNodeKey(NodeKeyCall {
            public_key: key(5).public_key(),
        }),
        Call::RevokeNodeKey(NodeKeyCall {
            public_key: key(5).public_key(),
        }),
        Call::RequestRetest(RequestRetest {
            id: "INSP-1".into(),
            requested_on: 20250605,
            request_digest: Hash([6; 32]),
        }),
        Call::RecordRetest(RecordRetest {
            of: "INSP-1".into(),
            result: sample_record_inspection(),
        }),
        Call::CaseStep(CaseStep {
            action: sample_case_action(),
            facts: Vec::new(),
            violation_date: None,
            penalty: None,
        }),
        Call::PublishBulletin(PublishBulletin {
            height: 7,
            scope: StatsScope {
                region: Some("330100".into()),
                from: Some(20260101),
                ..StatsScope::default()
            },
            digest: Hash([7; 32]),
        }),
        Call::RecordTimestamp(RecordTimestamp {
            checkpoint: "xianjie/c/g\n1\nAA==\n".into(),
            token: vec![0x30, 0x03, 0x02, 0x01, 0x01],
        }),
        Call::RecordDeposit(RecordDeposit {
            digest: Hash([8; 32]),
            court_chain: "tianping".into(),
            deposit_id: "TP-1".into(),
            bundle_sha256: Hash([9; 32]),
        }),
    ]
}

/// The two calls of court-facing records, byte for byte: the variant index
/// (19, 20: appended after `PublishBulletin`), then the fields in order
/// (`docs/receipt.md` §5.5).
#[test]
fn golden_timestamp_and_deposit_calls() {
    let calls = new_calls();
    let timestamp = &calls[calls.len() - 2];
    assert_eq!(
        hex::encode(postcard::to_allocvec(timestamp).unwrap()),
        concat!(
            "13", // RecordTimestamp
            "13",
            "7869616e6a69652f632f670a310a41413d3d0a", // checkpoint, 19 bytes
            "05",
            "3003020101", // token, 5 bytes
        )
    );
    let deposit = &calls[calls.len() - 1];
    assert_eq!(
        hex::encode(postcard::to_allocvec(deposit).unwrap()),
        [
            "14".to_owned(), // RecordDeposit
            "08".repeat(32), // digest
            "08".to_owned() + &hex::encode("tianping"),
            "04".to_owned() + &hex::encode("TP-1"),
            "09".repeat(32), // bundle_sha256
        ]
        .concat()
    );
}

/// The clue calls (docs/clue.md): a hotline clue about a legal person,
/// and its forward.
fn clue_calls() -> Vec<Call> {
    vec![
        Call::SendClue(SendClue {
            source: ClueSource::Hotline12345,
            subject: ClueSubject::LegalPerson("91110000600037341L".into()),
            matter: "food-safety/expired".into(),
            duty_crime: false,
            to: org_id("police"),
            received_on: 20260601,
            materials: vec![Hash([7; 32])],
        }),
        Call::AnswerClue(AnswerClue {
            clue: ClueId::new("CLUE-0123456789abcdef"),
            action: ClueAction::Forward,
            to: Some(org_id("environment")),
            document: None,
        }),
    ]
}

/// The clue calls byte for byte: the variant index (21, 22: appended after
/// `RecordDeposit`), then the fields in order (`docs/receipt.md` §5.5).
#[test]
fn golden_clue_calls() {
    let calls = clue_calls();
    assert_eq!(
        hex::encode(postcard::to_allocvec(&calls[0]).unwrap()),
        [
            "15",                                       // SendClue
            "00",                                       // hotline-12345
            "00",                                       // LegalPerson
            "1239313131303030303630303033373334314c",   // USCC, 18 bytes
            "13666f6f642d7361666574792f65787069726564", // matter, 19 bytes
            "00",                                       // duty_crime false
            "06706f6c696365",                           // to "police"
            "f9cdd409",                                 // 20260601 as a varint
            "01",                                       // one material
            &"07".repeat(32),
        ]
        .concat()
    );
    assert_eq!(
        hex::encode(postcard::to_allocvec(&calls[1]).unwrap()),
        concat!(
            "16",                                           // AnswerClue
            "15434c55452d30313233343536373839616263646566", // clue id, 21 bytes
            "03",                                           // forward
            "010b656e7669726f6e6d656e74",                   // Some("environment")
            "00",                                           // no document
        )
    );
    for call in clue_calls() {
        round_trip(&sample_tx(call));
    }
}

/// The request calls (docs/request.md): the police ask an agency to test
/// a case's items, and the answer linking the result.
fn request_calls() -> Vec<Call> {
    vec![
        Call::AskOrgan(AskOrgan {
            kind: RequestKind::Testing,
            about: RequestAbout::Case("CASE-0123456789abcdef".into()),
            to: org_id("market"),
            question: Hash([5; 32]),
        }),
        Call::AnswerOrgan(AnswerOrgan {
            request: RequestId::new("REQ-0123456789abcdef"),
            document: Hash([6; 32]),
            inspections: vec![InspectionId::new("INSP-0123456789abcdef")],
            evidence: Vec::new(),
        }),
    ]
}

/// The request calls byte for byte: the variant index (23, 24: appended
/// after `AnswerClue`), then the fields in order (`docs/receipt.md` §5.5).
#[test]
fn golden_request_calls() {
    let calls = request_calls();
    assert_eq!(
        hex::encode(postcard::to_allocvec(&calls[0]).unwrap()),
        [
            "17",                                           // AskOrgan
            "01",                                           // testing
            "00",                                           // about a case
            "15434153452d30313233343536373839616263646566", // its id, 21 bytes
            "066d61726b6574",                               // to "market"
            &"05".repeat(32),                               // question
        ]
        .concat()
    );
    assert_eq!(
        hex::encode(postcard::to_allocvec(&calls[1]).unwrap()),
        [
            "18",                                           // AnswerOrgan
            "145245512d30313233343536373839616263646566",   // request id, 20 bytes
            &"06".repeat(32),                               // document
            "01",                                           // one result
            "15494e53502d30313233343536373839616263646566", // its id, 21 bytes
            "00",                                           // no evidence
        ]
        .concat()
    );
    for call in request_calls() {
        round_trip(&sample_tx(call));
    }
}

/// The random-draw calls (docs/draw.md §11), one of each.
fn draw_calls() -> Vec<Call> {
    use xianjie_ledger::draw::{ClassCount, ClassRatio, DrawPlan, EntityRow};
    use xianjie_ledger::ids::{DrawId, SnapshotId};
    use xianjie_ledger::random_draw::{InspectionFinding, ProvenRow};
    use xianjie_ledger::tx::*;
    let draw = || DrawId::new("DRAW-0123456789abcdef");
    vec![
        Call::SetInspectionItem(SetInspectionItem {
            item: "FOOD-01".into(),
            basis: "food-safety-law/art-87".into(),
            method: "on-site".into(),
            document: Hash([9; 32]),
        }),
        Call::CommitDraw(CommitDraw {
            draw: draw(),
            commitment: Hash([7; 32]),
        }),
        Call::RevealDraw(RevealDraw {
            draw: draw(),
            nonce: Hash([8; 32]),
        }),
        Call::SetInspector(SetInspector {
            officer: KeyId([3; 20]),
            certificate: "ZF-1".into(),
            scopes: vec!["FOOD-01".into()],
            valid_from: 20260101,
            valid_until: 20261231,
        }),
        Call::PublishEntitySnapshot(PublishEntitySnapshot {
            root: Hash([1; 32]),
            classes: vec![ClassCount {
                risk_class: 1,
                rows: 12,
            }],
            rows_file: Hash([2; 32]),
        }),
        Call::PlanDraw(PlanDraw {
            plan: DrawPlan {
                items: vec![xianjie_ledger::draw::PlanItem {
                    item: "FOOD-01".into(),
                    department: org_id("market"),
                }],
                ratios: vec![ClassRatio {
                    risk_class: 1,
                    basis_points: 2000,
                }],
                inspectors_per_inspection: 2,
                departments: vec![org_id("market")],
            },
            snapshot: SnapshotId::new("SNAP-0123456789abcdef"),
            witnesses: vec![org_id("procuratorate")],
            period: xianjie_ledger::random_draw::InspectionPeriod {
                from: 20261207,
                until: 20261231,
            },
        }),
        Call::NameDrawnEntities(NameDrawnEntities {
            draw: draw(),
            first: 0,
            rows: vec![ProvenRow {
                row: EntityRow {
                    entity: "91330100MA2H0100XM".into(),
                    industry: "F5221".into(),
                    risk_class: 1,
                },
                proof: xianjie_ledger::merkle::InclusionProof {
                    leaf_index: 0,
                    tree_size: 1,
                    path: Vec::new(),
                },
            }],
        }),
        Call::RecuseInspector(RecuseInspector {
            draw: draw(),
            inspection: 1,
            officer: KeyId([3; 20]),
            reason: Hash([4; 32]),
        }),
        Call::RecordDrawResult(RecordDrawResult {
            draw: draw(),
            inspection: 1,
            finding: InspectionFinding::Finding,
            document: Hash([5; 32]),
        }),
    ]
}

/// The draw calls byte for byte, the first three: the variant index (25,
/// 29, 30: appended after `AnswerOrgan`), then the fields in order
/// (`docs/receipt.md` §5.5); every one round-trips.
#[test]
fn golden_draw_calls() {
    let calls = draw_calls();
    let id = "15445241572d30313233343536373839616263646566"; // DRAW-…, 21 bytes
    assert_eq!(
        hex::encode(postcard::to_allocvec(&calls[0]).unwrap()),
        [
            "19",                                             // SetInspectionItem
            "07464f4f442d3031",                               // "FOOD-01"
            "16666f6f642d7361666574792d6c61772f6172742d3837", // basis, 22 bytes
            "076f6e2d73697465",                               // "on-site"
            &"09".repeat(32),                                 // document
        ]
        .concat()
    );
    assert_eq!(
        hex::encode(postcard::to_allocvec(&calls[1]).unwrap()),
        ["1d", id, &"07".repeat(32)].concat() // CommitDraw, draw, commitment
    );
    assert_eq!(
        hex::encode(postcard::to_allocvec(&calls[2]).unwrap()),
        ["1e", id, &"08".repeat(32)].concat() // RevealDraw, draw, nonce
    );
    for call in draw_calls() {
        round_trip(&sample_tx(call));
    }
}

#[test]
fn golden_case_transactions() {
    // 01 version | tx … | 05 CaseAction | 15 "CASE-0123456789abcdef" | 08 "transfer" |
    // 01 attachment: 06 TransferLetter, 32×a1 | 01 officer 20×12 | 01 Some 06 "police" |
    // 01 Some 32×a2 | 01 Some 01 Uphold | signature.
    let action = sample_tx(Call::CaseAction(sample_case_action()));
    assert_eq!(hex_of(&action), GOLDEN_SIGNED_CASE_ACTION);
    let open = sample_tx(Call::OpenCase(sample_open_case()));
    assert_eq!(hex_of(&open), GOLDEN_SIGNED_OPEN_CASE);
    let propose = sample_tx(Call::Propose(Propose {
        change: Change::PolicySet("permit (principal, action, resource);".into()),
        note_digest: Some(Hash([6; 32])),
    }));
    assert_eq!(hex_of(&propose), GOLDEN_SIGNED_PROPOSE);
    for call in new_calls() {
        round_trip(&sample_tx(call));
    }
}

#[test]
fn case_inspection_and_governance_records_round_trip() {
    let case = Case {
        id: "CASE-0123456789abcdef".into(),
        title: "假冒".into(),
        entity: "91110000600037341L".into(),
        domain: "food_drug".into(),
        lead: LeadSource {
            kind: LeadKind::Complaint,
            reference: None,
        },
        owner: org_id("market"),
        region: "330100".into(),
        state: CaseState::S8sFilingSupervision,
        police: Some(org_id("police")),
        procuratorate: Some(org_id("proc")),
        court: None,
        taskforce: vec![KeyId([1; 20]), KeyId([2; 20])],
        flags: CaseFlags {
            suspected: true,
            ..CaseFlags::default()
        },
        marks: vec![ActionMark {
            action: "receive".into(),
            seq: 7,
            time_ms: 9,
            height: 8,
            outcome: None,
        }],
        opened_height: 1,
        opened_at_ms: 2,
        updated_at_ms: 3,
        event_count: 8,
        paused: vec![PausedClock {
            rule: "REV_ADMIN_PROSECUTION_REVIEW".into(),
            start_seq: 5,
            used: 2,
        }],
    };
    round_trip(&case);
    round_trip(&CaseEvent {
        seq: 1,
        action: "transfer".into(),
        from: CaseState::S5Approved,
        to: CaseState::S6Transferred,
        org: org_id("market"),
        officer: KeyId([1; 20]),
        attachments: sample_case_action().attachments,
        officers: vec![],
        target: Some(org_id("police")),
        reason_digest: None,
        outcome: None,
        height: 2,
        time_ms: 3,
        tx: Hash([4; 32]),
    });
    round_trip(&Recollection {
        original: Hash([1; 32]),
        case_id: case.id.clone(),
        requires_recollection: true,
        flagged_height: 3,
        recollected: Some(Hash([2; 32])),
        linked_by: Some(org_id("police")),
        linked_height: Some(4),
    });
    round_trip(&Accreditation {
        lab_uscc: "91110000600037341L".into(),
        cma_number: "1".into(),
        periods: vec![AccreditationPeriod {
            scope: vec!["GB2763".into()],
            valid_from: 20200101,
            valid_to: 20251231,
            certificate_digest: None,
            recorded_by: org_id("market"),
            officer: KeyId([1; 20]),
            height: 5,
        }],
    });
    round_trip(&Proposal {
        id: "GOV-1".into(),
        change: Change::Holidays(default_calendar()),
        note_digest: None,
        proposer_org: org_id("market"),
        proposer: KeyId([1; 20]),
        approvals: vec![org_id("market")],
        created_height: 1,
        expires_height: 2,
        status: ProposalStatus::Applied { height: 2 },
    });
    round_trip(&NodeKeys(vec![NodeKey {
        public_key: key(5).public_key(),
        org: org_id("lab"),
        registered_height: 3,
    }]));
    let params = Params {
        deadlines: appendix_a_rules(),
        counting: DayCounting::default(),
        ..Params::default()
    };
    round_trip(&params);
}

#[test]
fn a_genesis_written_before_the_case_parameters_still_parses() {
    // The parameters as the first release wrote them: the new fields are absent.
    let old = r#"{
      "chain_id": "xj", "genesis_time_ms": 1, "orgs": [],
      "validators": [{"public_key": "PK", "power": 1, "org": "court"}],
      "params": {"min_collectors": 1, "max_custody_events": 256,
                 "max_tx_validity_blocks": 100000, "category_classes": []}
    }"#
    .replace("PK", &key(3).public_key().to_hex());
    let genesis: Genesis = serde_json::from_str(&old).unwrap();
    let defaults = Params::default();
    // Read with the defaults of the release that wrote it, not today's: the
    // supervision clocks and the tobacco domain came later.
    assert_eq!(genesis.params.deadlines, appendix_a_rules());
    assert_eq!(genesis.params.calendar, defaults.calendar);
    assert_eq!(
        genesis.params.cases,
        xianjie_ledger::case::CaseParams::first_release()
    );
    assert!(genesis.threshold_rules.is_empty());
    assert_eq!(genesis.params.governance, defaults.governance);
    assert_eq!(genesis.params.policy_set, DEFAULT_POLICY_SET);
    // And the full defaults survive a JSON round trip.
    let json = serde_json::to_string(&defaults).unwrap();
    assert_eq!(serde_json::from_str::<Params>(&json).unwrap(), defaults);
}

#[test]
fn a_tampered_signed_transaction_fails_its_signature_check() {
    let signed = sample_tx(Call::AnchorEvidence(sample_anchor()));
    let bytes = encode(&signed);
    let mut rejected = 0;
    for i in 1..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x01;
        match decode::<SignedTx>(&bad) {
            Err(_) => rejected += 1,
            Ok(tx) => {
                assert!(
                    tx.verify_signature().is_err(),
                    "byte {i} flipped and still valid"
                );
                rejected += 1;
            }
        }
    }
    assert_eq!(rejected, bytes.len() - 1);
}

fn arb_hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash)
}

fn arb_category() -> impl Strategy<Value = EvidenceCategory> {
    (0usize..9).prop_map(|i| EvidenceCategory::ALL[i])
}

prop_compose! {
    fn arb_anchor()(digest in arb_hash(), size in any::<u64>(), media in "[a-z]{1,10}/[a-z]{1,10}",
                    category in arb_category(), case_id in proptest::option::of("[A-Z0-9-]{1,20}".prop_map(CaseId::new)),
                    collected_at in any::<u64>(), ids in proptest::collection::vec(any::<[u8; 20]>(), 0..4),
                    method in ".{0,20}", tool in ".{0,20}", note in proptest::option::of(arb_hash()),
                    supersedes in proptest::option::of(arb_hash()),
                    co in proptest::collection::vec(any::<([u8; 32], [u8; 32], [u8; 32])>(), 0..3)) -> EvidenceAnchor {
        EvidenceAnchor {
            digest, size, media_type: media, category, case_id, collected_at,
            collected_by: ids.into_iter().map(KeyId).collect(), capture_method: method,
            capture_tool: tool, provenance_note_digest: note, supersedes,
            co_signatures: co.into_iter().map(|(key, r, s)| CoSignature {
                public_key: PublicKey(key),
                signature: Signature([r, s].concat().try_into().unwrap()),
            }).collect(),
        }
    }
}

proptest! {
    #[test]
    fn any_anchor_transaction_round_trips(anchor in arb_anchor(), nonce in any::<u64>(), until in any::<u64>(), seed in any::<[u8; 32]>()) {
        let signer = SecretKey::from_bytes(&seed);
        let signed = Tx { chain_id: "xianjie-dev".into(), signer: signer.public_key(), nonce, valid_until: until, call: Call::AnchorEvidence(anchor) }.sign(&signer);
        let bytes = encode(&signed);
        let back: SignedTx = decode(&bytes).unwrap();
        prop_assert_eq!(&back, &signed);
        prop_assert!(back.verify_signature().is_ok());
        prop_assert_eq!(encode(&back), bytes.clone());
        // The hash read off the received bytes is the id computed from the body.
        prop_assert_eq!(back.hash_from_encoding(&bytes), signed.hash());
    }

    #[test]
    fn any_header_round_trips(height in any::<u64>(), time in any::<u64>(), count in any::<u32>(), roots in any::<[[u8; 32]; 6]>()) {
        let header = Header { chain_id: "c".into(), height, time_ms: time, prev_hash: Hash(roots[0]), history_root: Hash(roots[5]), tx_root: Hash(roots[1]), tx_count: count, state_root: Hash(roots[2]), results_root: Hash(roots[3]), validators_hash: Hash(roots[4]), proposer: KeyId::default() };
        let back: Header = decode(&encode(&header)).unwrap();
        prop_assert_eq!(back.hash(), header.hash());
    }

    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode::<SignedTx>(&bytes);
        let _ = decode::<Block>(&bytes);
        let _ = decode::<EvidenceRecord>(&bytes);
        let _ = decode::<Commit>(&bytes);
        let _ = decode::<Case>(&bytes);
        let _ = decode::<Inspection>(&bytes);
        let _ = decode::<Proposal>(&bytes);
        let _ = decode::<Params>(&bytes);
    }
}

#[test]
fn public_key_json_is_hex() {
    let pk: PublicKey = key(1).public_key();
    assert_eq!(
        serde_json::to_string(&pk).unwrap(),
        format!("\"{}\"", pk.to_hex())
    );
}

include!("golden.in");
