//! Reads guarded by the default policy set (DOMAIN §a): evidence records and
//! inspection results, and the identity checks of `authorize_read`.

use xianjie_contracts::policy::{authorize_read, ReadRecord, ReadResource};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::hash::{file_digest, Hash};
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::model::{CustodyAction, EvidenceAnchor, EvidenceCategory, Role};
use xianjie_ledger::tx::{Call, RecordCustody, RegisterOfficer, RevokeOfficer};

use crate::expect::{drive, open_case};
use crate::sim::{self, org_id, Sim};

pub(crate) fn anchor(sim: &mut Sim, org: &str, content: &[u8], case_id: Option<&str>) -> Hash {
    let anchor = EvidenceAnchor {
        digest: file_digest(content),
        size: content.len() as u64,
        media_type: "application/pdf".into(),
        category: EvidenceCategory::Documentary,
        case_id: case_id.map(CaseId::from),
        collected_at: 1_780_000_000,
        collected_by: vec![
            sim::id_of(&sim::officer(org)),
            sim::id_of(&sim::officer2(org)),
        ],
        capture_method: "scan".into(),
        capture_tool: "scanner".into(),
        provenance_note_digest: None,
        supersedes: None,
        co_signatures: Vec::new(),
    };
    sim.run(&sim::officer(org), sim::anchor_call(org, anchor))
        .unwrap();
    file_digest(content)
}

fn can_read(sim: &Sim, org: &str, resource: &ReadResource) -> bool {
    match authorize_read(
        &crate::sim::policies(),
        sim,
        &sim::id_of(&sim::officer(org)),
        resource,
    ) {
        Ok(record) => {
            // The record the decision was made on is the one asked for.
            let read = match record {
                ReadRecord::Case(case) => ReadResource::Case(case.id),
                ReadRecord::Evidence(record) => ReadResource::Evidence(record.anchor.digest),
                ReadRecord::Inspection(result) => ReadResource::Inspection(result.id),
                ReadRecord::Clue(clue) => ReadResource::Clue(clue.id),
                ReadRecord::Request(request) => ReadResource::Request(request.id),
            };
            assert_eq!(&read, resource);
            true
        }
        Err(error) if error.code() == "policy_denied" => false,
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn evidence_is_read_by_its_holders_the_case_parties_and_the_judiciary() {
    let mut sim = Sim::new();
    let loose = ReadResource::Evidence(anchor(&mut sim, "market", b"loose file", None));
    assert!(can_read(&sim, "market", &loose));
    for org in ["proc", "proc-b", "court"] {
        assert!(can_read(&sim, org, &loose), "{org}");
    }
    for org in ["tax", "police", "lab"] {
        assert!(!can_read(&sim, org, &loose), "{org}");
    }
    // A pending transfer lets the addressee read it.
    sim.run(
        &sim::officer("market"),
        Call::RecordCustody(RecordCustody {
            digest: file_digest(b"loose file"),
            action: CustodyAction::Transfer,
            to: Some(org_id("police")),
            note_digest: None,
        }),
    )
    .unwrap();
    assert!(can_read(&sim, "police", &loose));

    // Evidence of a case: the case's police reads it once the case is transferred.
    let case_id = open_case(&mut sim, "general");
    let item = ReadResource::Evidence(anchor(&mut sim, "market", b"case file", Some(&case_id)));
    assert!(!can_read(&sim, "police", &item));
    drive(&mut sim, &case_id, "S6_TRANSFERRED");
    assert!(can_read(&sim, "police", &item));
    assert!(!can_read(&sim, "police-b", &item));
    assert!(!can_read(&sim, "lab", &item));
}

#[test]
fn only_active_officers_read() {
    let mut sim = Sim::new();
    let digest = anchor(&mut sim, "market", b"file", None);
    let temp = SecretKey::from_bytes(&[66; 32]);
    sim.run(
        &sim::admin("market"),
        Call::RegisterOfficer(RegisterOfficer {
            public_key: temp.public_key(),
            role: Role::Officer,
        }),
    )
    .unwrap();
    let resource = ReadResource::Evidence(digest);
    assert!(authorize_read(&crate::sim::policies(), &sim, &sim::id_of(&temp), &resource).is_ok());
    sim.run(
        &sim::admin("market"),
        Call::RevokeOfficer(RevokeOfficer {
            officer: sim::id_of(&temp),
        }),
    )
    .unwrap();
    assert_eq!(
        authorize_read(&crate::sim::policies(), &sim, &sim::id_of(&temp), &resource)
            .unwrap_err()
            .code(),
        "revoked_signer"
    );
    assert_eq!(
        authorize_read(
            &crate::sim::policies(),
            &sim,
            &sim::id_of(&sim::officer("market")),
            &ReadResource::Evidence(Hash([7; 32]))
        )
        .unwrap_err()
        .code(),
        "unknown_evidence"
    );
    assert_eq!(
        authorize_read(
            &crate::sim::policies(),
            &sim,
            &sim::id_of(&sim::officer("market")),
            &ReadResource::Inspection("INSP-0000000000000000".into())
        )
        .unwrap_err()
        .code(),
        "unknown_inspection"
    );
}

#[test]
fn a_node_reads_for_its_organisation_with_the_least_role() {
    use xianjie_contracts::policy::{authorize_node_read, node_org};
    use xianjie_ledger::tx::NodeKeyCall;

    let mut sim = Sim::new();
    let digest = anchor(&mut sim, "market", b"vault file", None);
    let resource = ReadResource::Evidence(digest);
    // The genesis validator's key speaks for its organisation.
    let validator = SecretKey::from_bytes(&[250; 32]).public_key();
    assert_eq!(node_org(&sim, &validator).unwrap(), org_id("market"));
    assert!(can_read(&sim, "market", &resource));
    assert_eq!(
        authorize_node_read(&crate::sim::policies(), &sim, &validator, &resource).unwrap(),
        org_id("market")
    );
    // A key the police registered reads what police officers read: not a
    // loose record of another agency.
    let police_node = SecretKey::from_bytes(&[241; 32]).public_key();
    sim.run(
        &sim::admin("police"),
        Call::RegisterNodeKey(NodeKeyCall {
            public_key: police_node,
        }),
    )
    .unwrap();
    assert_eq!(node_org(&sim, &police_node).unwrap(), org_id("police"));
    assert_eq!(
        authorize_node_read(&crate::sim::policies(), &sim, &police_node, &resource)
            .unwrap_err()
            .code(),
        "policy_denied"
    );
    // A court node reads every record, as court officers do.
    let court_node = SecretKey::from_bytes(&[242; 32]).public_key();
    sim.run(
        &sim::admin("court"),
        Call::RegisterNodeKey(NodeKeyCall {
            public_key: court_node,
        }),
    )
    .unwrap();
    assert_eq!(
        authorize_node_read(&crate::sim::policies(), &sim, &court_node, &resource).unwrap(),
        org_id("court")
    );
    // An unknown key gets nothing.
    let stranger = SecretKey::from_bytes(&[243; 32]).public_key();
    assert_eq!(
        authorize_node_read(&crate::sim::policies(), &sim, &stranger, &resource)
            .unwrap_err()
            .code(),
        "unknown_node_key"
    );
}

/// The people's government leading the linkage work (GOV_SUPERIOR) reads
/// the cases of its own region, and through them their supervision flags,
/// but not another region's; it reads no evidence and acts on no case.
#[test]
fn a_government_office_reads_its_regions_cases_and_acts_on_none() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S2_SUSPECTED_CRIME");
    let case = ReadResource::Case(case_id.clone());
    assert!(can_read(&sim, "gov", &case));
    assert!(!can_read(&sim, "gov-b", &case));
    let item = ReadResource::Evidence(anchor(&mut sim, "market", b"case file", Some(&case_id)));
    assert!(!can_read(&sim, "gov", &item));

    let step =
        crate::expect::call_for(crate::expect::expectation("form-taskforce", None), &case_id);
    for role in [Role::Officer, Role::Head] {
        let before = sim.state.clone();
        let code = sim.code(&sim::key_for("gov", role), Call::CaseAction(step.clone()));
        assert!(
            ["wrong_org_kind", "not_case_party", "policy_denied"].contains(&code.as_str()),
            "{role:?}: {code}"
        );
        assert_eq!(sim.state, before, "a refusal changes nothing");
    }
}

/// `authorize_officer_read`, given the officer record already read, decides
/// as `authorize_read` does by key id, returns the same record, and refuses
/// a record that says revoked.
#[test]
fn an_officer_read_once_is_decided_as_by_key_id() {
    use xianjie_contracts::policy::authorize_officer_read;

    let mut sim = Sim::new();
    let resource = ReadResource::Evidence(anchor(&mut sim, "market", b"loose file", None));
    let policies = crate::sim::policies();
    for org in ["market", "proc", "court", "tax", "police", "lab"] {
        let id = sim::id_of(&sim::officer(org));
        let officer = xianjie_contracts::read::officer(&sim, &id)
            .unwrap()
            .unwrap();
        let by_id = authorize_read(&policies, &sim, &id, &resource).map_err(|e| e.code());
        let given =
            authorize_officer_read(&policies, &sim, &officer, &resource).map_err(|e| e.code());
        assert_eq!(by_id, given, "{org}");
    }
    let mut revoked = xianjie_contracts::read::officer(&sim, &sim::id_of(&sim::officer("market")))
        .unwrap()
        .unwrap();
    revoked.active = false;
    assert_eq!(
        authorize_officer_read(&policies, &sim, &revoked, &resource)
            .unwrap_err()
            .code(),
        "revoked_signer"
    );
}
