//! Executing whole blocks: refused transactions stay with their code and
//! write nothing, later transactions see earlier writes, and every validator
//! computes the same bytes.

use xianjie_contracts::{execute, read};
use xianjie_ledger::block::TxOutcome;
use xianjie_ledger::codec::encode;
use xianjie_ledger::governance::{Change, GovernanceParams, ParamChange};
use xianjie_ledger::model::{CustodyAction, Role};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::keys;
use xianjie_ledger::tx::{Call, Propose, RegisterOfficer, SignedTx};

use crate::harness::{custody, id_of, key, outcome_codes, test_params, World};

#[test]
fn refused_transactions_keep_their_code_and_write_nothing() {
    let mut world = World::new();
    let officer = world.market.officer.clone();
    let stranger = key(200);
    let good = world.tx(
        &officer,
        world.anchor_call(&officer, world.market_anchor(b"a")),
    );
    let unknown_signer = world.tx(
        &stranger,
        world.anchor_call(&stranger, world.market_anchor(b"b")),
    );
    let double = world.tx(
        &officer,
        world.anchor_call(&officer, world.market_anchor(b"a")),
    );
    let not_holder = world.tx(
        &world.police.officer.clone(),
        custody(world.market_anchor(b"a").digest, CustodyAction::Seal, None),
    );

    // What the accepted transaction alone writes.
    let alone = execute(&world.store, &world.next_ctx(), &good).unwrap();

    let txs = vec![
        good.clone(),
        unknown_signer.clone(),
        double.clone(),
        not_holder.clone(),
    ];
    let (results, writes) = world.run_block(txs.clone());
    assert_eq!(
        outcome_codes(&results),
        ["ok", "unknown_signer", "already_anchored", "not_holder"]
    );
    let hashes: Vec<_> = results.0.iter().map(|r| r.tx).collect();
    assert_eq!(hashes, txs.iter().map(SignedTx::hash).collect::<Vec<_>>());
    assert_eq!(writes, alone, "refused transactions add no writes");
    assert_eq!(
        results.0[1].outcome,
        TxOutcome::Error {
            code: "unknown_signer".into()
        }
    );
}

#[test]
fn later_transactions_see_earlier_writes_in_the_same_block() {
    let mut world = World::new();
    let officer = world.market.officer.clone();
    let admin = world.police.admin.clone();
    let newcomer = key(90);
    let anchor = world.market_anchor(b"a");
    let police_org = world.police.org.clone();
    let txs = vec![
        world.tx(&officer, world.anchor_call(&officer, anchor.clone())),
        world.tx(
            &officer,
            custody(anchor.digest, CustodyAction::Transfer, Some(&police_org)),
        ),
        world.tx(
            &admin,
            Call::RegisterOfficer(RegisterOfficer {
                public_key: newcomer.public_key(),
                role: Role::Officer,
            }),
        ),
        world.tx(
            &newcomer,
            custody(anchor.digest, CustodyAction::Receive, None),
        ),
    ];
    let (results, _) = world.run_block(txs);
    assert_eq!(outcome_codes(&results), ["ok", "ok", "ok", "ok"]);
    let record = world.evidence(&anchor.digest);
    assert_eq!(record.holder, police_org);
    assert_eq!(record.custody.len(), 2);
    assert!(read::officer(&world.store, &newcomer.public_key().id())
        .unwrap()
        .is_some());
}

#[test]
fn a_refusal_early_in_a_block_does_not_leak_into_later_transactions() {
    let mut world = World::new();
    let officer = world.market.officer.clone();
    let anchor = world.market_anchor(b"a");
    let police_org = world.police.org.clone();
    let mut bad = anchor.clone();
    bad.media_type = "nonsense".into();
    let txs = vec![
        world.tx(&officer, world.anchor_call(&officer, bad)),
        world.tx(
            &officer,
            custody(anchor.digest, CustodyAction::Transfer, Some(&police_org)),
        ),
    ];
    let (results, writes) = world.run_block(txs);
    assert_eq!(
        outcome_codes(&results),
        ["invalid_field", "unknown_evidence"]
    );
    assert!(writes.is_empty());
}

/// A block exercising every call, with refusals mixed in.
fn busy_block(world: &mut World) -> Vec<SignedTx> {
    let officer = world.market.officer.clone();
    let admin = world.market.admin.clone();
    let police = world.police.officer.clone();
    let police_org = world.police.org.clone();
    let first = world.market_anchor(b"first");
    let mut second = world.market_anchor(b"second");
    second.supersedes = Some(first.digest);
    vec![
        world.tx(&officer, world.anchor_call(&officer, first.clone())),
        world.tx(&officer, world.anchor_call(&officer, second.clone())),
        world.tx(
            &officer,
            custody(second.digest, CustodyAction::Transfer, Some(&police_org)),
        ),
        world.tx(
            &police,
            custody(second.digest, CustodyAction::Receive, None),
        ),
        world.tx(&police, custody(first.digest, CustodyAction::Seal, None)),
        world.tx(
            &admin,
            Call::RegisterOfficer(RegisterOfficer {
                public_key: key(91).public_key(),
                role: Role::Head,
            }),
        ),
        world.tx(
            &key(201),
            world.anchor_call(&key(201), world.market_anchor(b"third")),
        ),
    ]
}

#[test]
fn the_same_block_on_two_fresh_stores_gives_identical_bytes() {
    let mut first = World::new();
    let mut second = World::new();
    let txs = busy_block(&mut first);
    assert_eq!(
        txs,
        busy_block(&mut second),
        "the fixture itself is deterministic"
    );
    let (results_a, writes_a) = first.run_block(txs.clone());
    let (results_b, writes_b) = second.run_block(txs);
    assert_eq!(encode(&results_a), encode(&results_b));
    assert_eq!(results_a.root(), results_b.root());
    assert_eq!(writes_a, writes_b);
    assert_eq!(
        outcome_codes(&results_a),
        ["ok", "ok", "ok", "ok", "not_holder", "ok", "unknown_signer"]
    );
    let root_a = first.store.header(1).unwrap().unwrap().state_root;
    let root_b = second.store.header(1).unwrap().unwrap().state_root;
    assert_eq!(root_a, root_b);
}

/// A block names as new exactly the keys it wrote that held nothing before:
/// fresh evidence, not the record an earlier block wrote and this one
/// changes. The commit skips looking those up, and the old record of a
/// changed key is still kept as history.
#[test]
fn a_block_names_the_keys_it_writes_for_the_first_time() {
    let mut world = World::new();
    let officer = world.market.officer.clone();
    let earlier = world.market_anchor(b"earlier");
    world
        .call(&officer, world.anchor_call(&officer, earlier.clone()))
        .unwrap();
    let before = world.store.tip().unwrap().unwrap();
    let fresh = world.market_anchor(b"fresh");
    let police_org = world.police.org.clone();
    let txs = vec![
        world.tx(&officer, world.anchor_call(&officer, fresh.clone())),
        world.tx(
            &officer,
            custody(earlier.digest, CustodyAction::Transfer, Some(&police_org)),
        ),
    ];
    let (results, writes, new_keys) = world.run_block_with_new_keys(txs);
    assert_eq!(outcome_codes(&results), ["ok", "ok"]);
    let fresh_key = keys::evidence(&fresh.digest);
    let earlier_key = keys::evidence(&earlier.digest);
    assert!(writes.contains_key(&fresh_key) && writes.contains_key(&earlier_key));
    assert!(new_keys.contains(&fresh_key));
    assert!(!new_keys.contains(&earlier_key));
    assert!(new_keys.iter().all(|key| writes.contains_key(key)));
    // The earlier record, before this block changed it, is still readable.
    let old = world.store.state_value_at(&earlier_key, before).unwrap();
    assert!(old.is_some());
    assert_ne!(old, world.store.state_value(&earlier_key).unwrap());
}

/// A block with cases, inspections, governance and node keys, refusals mixed
/// in. The case and proposal ids derive from transaction hashes, which the
/// fixture computes before the block runs.
fn case_block(world: &mut World) -> Vec<SignedTx> {
    use xianjie_ledger::case::{Attachment, AttachmentKind, LeadKind, LeadSource};
    use xianjie_ledger::governance::{Change, ParamChange};
    use xianjie_ledger::hash::file_digest;
    use xianjie_ledger::ids::CaseId;
    use xianjie_ledger::inspection::Conclusion;
    use xianjie_ledger::tx::{CaseAction, NodeKeyCall, OpenCase, Propose, RecordInspection};

    let officer = world.market.officer.clone();
    let officer2 = world.market.officer2.clone();
    let admin = world.market.admin.clone();
    let police_admin = world.police.admin.clone();
    let open = world.tx(
        &officer,
        Call::OpenCase(OpenCase {
            title: "假冒伪劣产品".into(),
            entity: crate::harness::valid_uscc("91330106MA2B3C4D1"),
            domain: "general".into(),
            lead: LeadSource {
                kind: LeadKind::Complaint,
                reference: None,
            },
        }),
    );
    let case_id = CaseId::for_tx(&open.hash());
    let step = |action: &str, kinds: &[AttachmentKind]| {
        Call::CaseAction(CaseAction {
            case_id: case_id.clone(),
            action: action.into(),
            attachments: kinds
                .iter()
                .map(|kind| Attachment {
                    kind: *kind,
                    digest: file_digest(kind.name().as_bytes()),
                })
                .collect(),
            officers: vec![],
            to: None,
            reason_digest: None,
            outcome: None,
        })
    };
    let inspection = RecordInspection {
        entity: crate::harness::valid_uscc("91330106MA2B3C4D1"),
        matter: "GB2763-pesticide".into(),
        inspectors: vec![id_of(&officer), id_of(&officer2)],
        report_date: 20260101,
        conclusion: Conclusion::Conforming,
        report_digest: file_digest(b"report"),
        lab: None,
        scope: "lot 7".into(),
        valid_until: None,
        objection: None,
    };
    vec![
        open,
        world.tx(
            &officer,
            step("open-admin-case", &[AttachmentKind::CaseOpeningRecord]),
        ),
        world.tx(
            &officer,
            step("mark-suspected", &[AttachmentKind::ThresholdEvaluation]),
        ),
        world.tx(
            &officer,
            step("approve-transfer", &[AttachmentKind::DecisionRecord]),
        ),
        world.tx(&officer, Call::RecordInspection(inspection)),
        world.tx(
            &admin,
            Call::Propose(Propose {
                change: Change::Param(ParamChange::MinTaskforce(3)),
                note_digest: None,
            }),
        ),
        world.tx(
            &police_admin,
            Call::RegisterNodeKey(NodeKeyCall {
                public_key: key(180).public_key(),
            }),
        ),
        world.tx(
            &world.police.officer.clone(),
            step("receive", &[AttachmentKind::Receipt]),
        ),
    ]
}

#[test]
fn a_block_of_case_inspection_and_governance_calls_is_deterministic() {
    let mut first = World::new();
    let mut second = World::new();
    let txs = case_block(&mut first);
    assert_eq!(txs, case_block(&mut second));
    let (results_a, writes_a) = first.run_block(txs.clone());
    let (results_b, writes_b) = second.run_block(txs);
    assert_eq!(
        outcome_codes(&results_a),
        [
            "ok",
            "ok",
            "missing_attachment",
            "invalid_transition",
            "ok",
            "ok",
            "ok",
            "invalid_transition"
        ]
    );
    assert_eq!(encode(&results_a), encode(&results_b));
    assert_eq!(writes_a, writes_b);
    let root_a = first.store.header(1).unwrap().unwrap().state_root;
    let root_b = second.store.header(1).unwrap().unwrap().state_root;
    assert_eq!(root_a, root_b);
}

#[test]
fn a_parameter_change_governs_the_transactions_after_it_in_the_same_block() {
    let mut world = World::with_params(Params {
        governance: GovernanceParams {
            voters: vec![],
            threshold: 1,
            proposal_ttl_blocks: 10,
        },
        ..test_params()
    });
    let officer = world.market.officer.clone();
    let admin = world.market.admin.clone();
    let one_collector = |world: &World, content: &[u8]| {
        let mut anchor = world.market_anchor(content);
        anchor.collected_by.truncate(1);
        Call::AnchorEvidence(anchor)
    };
    let set_collectors = |min| {
        Call::Propose(Propose {
            change: Change::Param(ParamChange::MinCollectors(min)),
            note_digest: None,
        })
    };

    // Each block: a one-collector anchor, the change, another such anchor.
    let lower_then_raise = [
        (1, ["too_few_collectors", "ok", "ok"]),
        (2, ["ok", "ok", "too_few_collectors"]),
    ];
    for (min, expected) in lower_then_raise {
        let block = vec![
            world.tx(
                &officer,
                one_collector(&world, format!("before {min}").as_bytes()),
            ),
            world.tx(&admin, set_collectors(min)),
            world.tx(
                &officer,
                one_collector(&world, format!("after {min}").as_bytes()),
            ),
        ];
        let (results, _) = world.run_block(block);
        assert_eq!(
            outcome_codes(&results),
            expected,
            "setting the minimum to {min}"
        );
    }
}
