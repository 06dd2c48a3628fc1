//! 双随机 draws on the chain (docs/draw.md §11): the item list and the
//! inspector directory kept by their departments, entity snapshots, a joint
//! draw from plan to published results whose outcome equals the algorithm
//! run on the rows, failure at the deadlines, recusal, a finding opening a
//! case, and every refusal with its code.

use xianjie_contracts::random_draw;
use xianjie_ledger::case::{LeadKind, LeadSource};
use xianjie_ledger::draw::{self, ClassRatio, DrawPlan, EntityRow, PlanItem};
use xianjie_ledger::hash::{file_digest, Hash};
use xianjie_ledger::ids::{DrawId, SnapshotId};
use xianjie_ledger::merkle;
use xianjie_ledger::random_draw::{
    DrawState, InspectionFinding, InspectionPeriod, ProvenRow, RandomDraw,
};
use xianjie_ledger::tx::{
    Call, CommitDraw, NameDrawnEntities, OpenCase, PlanDraw, PublishEntitySnapshot,
    RecordDrawResult, RecuseInspector, RevealDraw, SetInspectionItem, SetInspector,
};

use crate::sim::{self, head, id_of, officer, officer2, org_id, uscc_for, Sim, DAY_MS};

const ITEM: &str = "FOOD-01";
/// The tax department's item, for joint draws.
const TAX_ITEM: &str = "TAX-01";

/// The item each test department is responsible for.
fn item_of(department: &str) -> &'static str {
    match department {
        "tax" => TAX_ITEM,
        _ => ITEM,
    }
}

/// 30 entities in classes 1–3, sorted by class then id.
fn rows() -> Vec<EntityRow> {
    let mut rows: Vec<EntityRow> = (0..30)
        .map(|n| EntityRow {
            entity: uscc_for("330106", 500 + n),
            industry: "H6210".into(),
            risk_class: 1 + (n % 3) as u8,
        })
        .collect();
    rows.sort_by(|a, b| (a.risk_class, &a.entity).cmp(&(b.risk_class, &b.entity)));
    rows
}

fn nonce(org: &str, draw: &DrawId) -> Hash {
    file_digest(format!("nonce of {org} for {draw}").as_bytes())
}

/// A plan of each department's item, two inspectors from each.
fn plan_of(departments: &[&str], ratios: &[(u8, u16)]) -> DrawPlan {
    let mut items: Vec<PlanItem> = departments
        .iter()
        .map(|department| PlanItem {
            item: item_of(department).into(),
            department: org_id(department),
        })
        .collect();
    items.sort_by(|a, b| a.item.cmp(&b.item));
    DrawPlan {
        items,
        ratios: ratios
            .iter()
            .map(|&(risk_class, basis_points)| ClassRatio {
                risk_class,
                basis_points,
            })
            .collect(),
        inspectors_per_inspection: 2,
        departments: departments.iter().map(|d| org_id(d)).collect(),
    }
}

fn set_inspector(
    sim: &mut Sim,
    org: &str,
    key: &xianjie_ledger::crypto::SecretKey,
    scopes: &[&str],
) -> String {
    sim.code(
        &sim::admin(org),
        Call::SetInspector(SetInspector {
            officer: id_of(key),
            certificate: format!("ZF-{org}-{}", &id_of(key).to_string()[..6]),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            valid_from: 20260101,
            valid_until: 20261231,
        }),
    )
}

/// The items of `market` and `tax`, three inspectors of each department's
/// item at each, and a snapshot of [`rows`] published by `market`.
fn directories() -> (Sim, SnapshotId) {
    let mut sim = Sim::new();
    for org in ["market", "tax"] {
        let item = Call::SetInspectionItem(SetInspectionItem {
            item: item_of(org).into(),
            basis: "food-safety-law/art-87".into(),
            method: "on-site".into(),
            document: file_digest(item_of(org).as_bytes()),
        });
        assert_eq!(sim.code(&officer(org), item), "ok");
        for key in [officer(org), officer2(org), head(org)] {
            assert_eq!(set_inspector(&mut sim, org, &key, &[item_of(org)]), "ok");
        }
    }
    let snapshot = publish(&mut sim, "market", &rows());
    (sim, snapshot)
}

fn publish(sim: &mut Sim, org: &str, rows: &[EntityRow]) -> SnapshotId {
    let hash = sim
        .run(
            &officer(org),
            Call::PublishEntitySnapshot(PublishEntitySnapshot {
                root: draw::entity_root(rows).unwrap(),
                classes: draw::class_counts(rows),
                rows_file: file_digest(b"rows file"),
            }),
        )
        .expect("published");
    SnapshotId::for_tx(&hash)
}

fn plan(
    sim: &mut Sim,
    snapshot: &SnapshotId,
    plan: DrawPlan,
    witnesses: &[&str],
) -> Result<DrawId, String> {
    let today = xianjie_contracts::deadline::local_date(sim.time_ms);
    let call = Call::PlanDraw(PlanDraw {
        plan,
        snapshot: snapshot.clone(),
        witnesses: witnesses.iter().map(|w| org_id(w)).collect(),
        period: InspectionPeriod {
            from: today,
            until: 20261231,
        },
    });
    sim.run(&officer("market"), call)
        .map(|hash| DrawId::for_tx(&hash))
        .map_err(|error| error.code().to_owned())
}

fn record(sim: &Sim, id: &DrawId) -> RandomDraw {
    random_draw::draw(sim, id).unwrap().expect("the draw")
}

fn commit_tx(sim: &mut Sim, org: &str, id: &DrawId) -> xianjie_ledger::tx::SignedTx {
    let commitment = draw::commitment(&nonce(org, id).0, id, &org_id(org));
    sim.tx(
        &officer(org),
        Call::CommitDraw(CommitDraw {
            draw: id.clone(),
            commitment,
        }),
    )
}

fn reveal_tx(sim: &mut Sim, org: &str, id: &DrawId) -> xianjie_ledger::tx::SignedTx {
    sim.tx(
        &officer(org),
        Call::RevealDraw(RevealDraw {
            draw: id.clone(),
            nonce: nonce(org, id),
        }),
    )
}

/// Commits every committer in one block (the seed block); the next block
/// records its hash before its transactions.
fn commit_all(sim: &mut Sim, id: &DrawId, orgs: &[&str]) {
    let txs: Vec<_> = orgs.iter().map(|org| commit_tx(sim, org, id)).collect();
    assert!(sim.block(&txs).iter().all(|code| code == "ok"));
    assert_eq!(record(sim, id).state, DrawState::Seeding);
    let seed_block = sim.prev_hash();
    sim.block(&[]);
    let recorded = record(sim, id);
    assert_eq!(recorded.state, DrawState::Revealing);
    assert_eq!(recorded.seed_block.map(|(_, hash)| hash), Some(seed_block));
}

fn name_all(sim: &mut Sim, id: &DrawId, rows: &[EntityRow]) -> Vec<String> {
    name_all_as(sim, id, rows, "market")
}

fn name_all_as(sim: &mut Sim, id: &DrawId, rows: &[EntityRow], org: &str) -> Vec<String> {
    let leaves: Vec<Hash> = rows.iter().map(EntityRow::hash).collect();
    let drawn = record(sim, id);
    let mut codes = Vec::new();
    for (first, chunk) in drawn.inspections.chunks(16).enumerate() {
        let shown = chunk
            .iter()
            .map(|inspection| ProvenRow {
                row: rows[inspection.position as usize].clone(),
                proof: merkle::prove(&leaves, inspection.position as usize).unwrap(),
            })
            .collect();
        let call = Call::NameDrawnEntities(NameDrawnEntities {
            draw: id.clone(),
            first: (first * 16) as u32,
            rows: shown,
        });
        codes.push(sim.code(&officer(org), call));
    }
    codes
}

/// A draw of `market`'s, witnessed by `proc`, committed and revealed: its
/// positions are drawn, its rows not yet shown.
fn revealed(ratios: &[(u8, u16)]) -> (Sim, DrawId) {
    let (mut sim, snapshot) = directories();
    let id = plan(&mut sim, &snapshot, plan_of(&["market"], ratios), &["proc"]).unwrap();
    commit_all(&mut sim, &id, &["market", "proc"]);
    let txs = [
        reveal_tx(&mut sim, "market", &id),
        reveal_tx(&mut sim, "proc", &id),
    ];
    assert_eq!(sim.block(&txs), ["ok", "ok"]);
    assert_eq!(record(&sim, &id).state, DrawState::Naming);
    (sim, id)
}

/// A joint draw of `market` and `tax`, witnessed by `proc`, drawn and named.
fn drawn() -> (Sim, DrawId) {
    let (mut sim, snapshot) = directories();
    let id = plan(
        &mut sim,
        &snapshot,
        plan_of(&["market", "tax"], &[(1, 2000), (2, 5000), (3, 10000)]),
        &["proc"],
    )
    .unwrap();
    commit_all(&mut sim, &id, &["market", "proc", "tax"]);
    let txs: Vec<_> = ["tax", "proc", "market"]
        .iter()
        .map(|org| reveal_tx(&mut sim, org, &id))
        .collect();
    assert!(sim.block(&txs).iter().all(|code| code == "ok"));
    assert_eq!(record(&sim, &id).state, DrawState::Naming);
    assert!(name_all(&mut sim, &id, &rows())
        .iter()
        .all(|code| code == "ok"));
    (sim, id)
}

#[test]
fn a_joint_draw_gives_what_the_algorithm_gives_on_the_rows() {
    let (sim, id) = drawn();
    let chain = record(&sim, &id);
    assert_eq!(chain.state, DrawState::Drawn);
    assert_eq!(
        chain
            .committers
            .iter()
            .map(|c| c.org.as_str())
            .collect::<Vec<_>>(),
        ["market", "proc", "tax"]
    );
    // The seed from the recorded seed block and the nonces, re-computed.
    let (_, block_hash) = chain.seed_block.unwrap();
    let reveals: Vec<_> = ["market", "proc", "tax"]
        .iter()
        .map(|org| (org_id(org), nonce(org, &id).0))
        .collect();
    let seed = draw::seed(&block_hash, &reveals).unwrap();
    assert_eq!(chain.seed, Some(seed));
    // The whole draw, from the rows, equals the chain's.
    let inspectors = random_draw::inspector_rows(&sim, &id).unwrap();
    assert_eq!(inspectors.len(), 6, "both departments' inspectors");
    // Each inspection has market's team, then tax's.
    let of = |org: &str| [officer(org), officer2(org), head(org)].map(|key| id_of(&key));
    for inspection in &chain.inspections {
        assert_eq!(inspection.inspectors.len(), 4);
        assert!(inspection.inspectors[..2]
            .iter()
            .all(|i| of("market").contains(i)));
        assert!(inspection.inspectors[2..]
            .iter()
            .all(|i| of("tax").contains(i)));
    }
    let expected = draw::draw(&seed, &chain.plan, &rows(), &inspectors, chain.date).unwrap();
    let claimed = random_draw::as_result(&chain);
    assert_eq!(claimed, expected);
    assert!(draw::verify(&claimed, &rows(), &inspectors).is_ok());
    // ceil(10 × 20 %) + ceil(10 × 50 %) + 10.
    assert_eq!(chain.inspections.len(), 2 + 5 + 10);
    assert!(chain.results_due_ms.is_some());
}

#[test]
fn reveal_order_blocks_and_their_contents_after_the_seed_block_do_not_change_the_outcome() {
    let outcome = |split: bool, noise: bool| {
        let (mut sim, snapshot) = directories();
        let id = plan(
            &mut sim,
            &snapshot,
            plan_of(&["market"], &[(1, 3000), (2, 3000)]),
            &["proc"],
        )
        .unwrap();
        commit_all(&mut sim, &id, &["market", "proc"]);
        if noise {
            // Unrelated transactions in the blocks after the seed block.
            let other = sim.tx(
                &officer("tax"),
                Call::SetInspectionItem(SetInspectionItem {
                    item: "TAX-01".into(),
                    basis: "tax-law/art-1".into(),
                    method: "documents".into(),
                    document: file_digest(b"tax"),
                }),
            );
            assert_eq!(sim.block(&[other]), ["ok"]);
        }
        if split {
            let tx = reveal_tx(&mut sim, "proc", &id);
            assert_eq!(sim.block(&[tx]), ["ok"]);
            sim.block(&[]);
            let tx = reveal_tx(&mut sim, "market", &id);
            assert_eq!(sim.block(&[tx]), ["ok"]);
        } else {
            let txs = [
                reveal_tx(&mut sim, "market", &id),
                reveal_tx(&mut sim, "proc", &id),
            ];
            assert_eq!(sim.block(&txs), ["ok", "ok"]);
        }
        let chain = record(&sim, &id);
        (chain.seed, chain.inspections)
    };
    let first = outcome(false, false);
    assert!(first.0.is_some());
    assert_eq!(outcome(true, false), first);
    assert_eq!(outcome(true, true), first);
}

#[test]
fn a_withheld_reveal_fails_the_draw_on_record_and_a_late_reveal_is_refused() {
    let (mut sim, snapshot) = directories();
    let id = plan(
        &mut sim,
        &snapshot,
        plan_of(&["market"], &[(1, 5000)]),
        &["proc"],
    )
    .unwrap();
    commit_all(&mut sim, &id, &["market", "proc"]);
    let tx = reveal_tx(&mut sim, "market", &id);
    assert_eq!(sim.block(&[tx]), ["ok"]);
    // Past the two-day reveal window: the next block fails the draw.
    sim.advance(3 * DAY_MS);
    let late = reveal_tx(&mut sim, "proc", &id);
    assert_eq!(sim.block(&[late]), ["draw_deadline_passed"]);
    let failed = record(&sim, &id);
    assert_eq!(failed.state, DrawState::Failed);
    assert_eq!(failed.missing, [org_id("proc")]);
    assert_eq!(failed.seed, None);
    // Nothing more happens to it, and a new draw needs new commitments.
    let again = reveal_tx(&mut sim, "proc", &id);
    assert_eq!(sim.block(&[again]), ["draw_wrong_state"]);
    let next = plan(
        &mut sim,
        &snapshot,
        plan_of(&["market"], &[(1, 5000)]),
        &["proc"],
    )
    .unwrap();
    assert_eq!(record(&sim, &next).state, DrawState::Committing);
    assert!(record(&sim, &next)
        .committers
        .iter()
        .all(|c| c.commitment.is_none()));
}

#[test]
fn a_missing_commitment_fails_the_draw_at_its_deadline() {
    let (mut sim, snapshot) = directories();
    let id = plan(
        &mut sim,
        &snapshot,
        plan_of(&["market"], &[(1, 5000)]),
        &["proc"],
    )
    .unwrap();
    let tx = commit_tx(&mut sim, "market", &id);
    assert_eq!(sim.block(&[tx]), ["ok"]);
    sim.advance(3 * DAY_MS);
    let late = commit_tx(&mut sim, "proc", &id);
    assert_eq!(sim.block(&[late]), ["draw_deadline_passed"]);
    let failed = record(&sim, &id);
    assert_eq!(
        (failed.state, failed.missing),
        (DrawState::Failed, vec![org_id("proc")])
    );
}

#[test]
fn commit_and_reveal_refusals() {
    let (mut sim, snapshot) = directories();
    let id = plan(
        &mut sim,
        &snapshot,
        plan_of(&["market"], &[(1, 5000)]),
        &["proc"],
    )
    .unwrap();
    // Only issuers and witnesses commit, once, and not with an admin key.
    let tx = commit_tx(&mut sim, "tax", &id);
    assert_eq!(sim.block(&[tx]), ["not_draw_committer"]);
    let admin = sim.tx(
        &sim::admin("market"),
        Call::CommitDraw(CommitDraw {
            draw: id.clone(),
            commitment: Hash([1; 32]),
        }),
    );
    assert_eq!(sim.block(&[admin]), ["wrong_role"]);
    let early = reveal_tx(&mut sim, "market", &id);
    assert_eq!(sim.block(&[early]), ["draw_wrong_state"]);
    let txs = [
        commit_tx(&mut sim, "market", &id),
        commit_tx(&mut sim, "market", &id),
    ];
    assert_eq!(sim.block(&txs), ["ok", "draw_step_done"]);
    // Revealing in the seed block itself is too early.
    let txs = [
        commit_tx(&mut sim, "proc", &id),
        reveal_tx(&mut sim, "market", &id),
    ];
    assert_eq!(sim.block(&txs), ["ok", "draw_wrong_state"]);
    // A nonce that does not open the commitment.
    let wrong = sim.tx(
        &officer("proc"),
        Call::RevealDraw(RevealDraw {
            draw: id.clone(),
            nonce: nonce("market", &id),
        }),
    );
    assert_eq!(sim.block(&[wrong]), ["reveal_mismatch"]);
    let unknown = sim.tx(
        &officer("proc"),
        Call::RevealDraw(RevealDraw {
            draw: DrawId::new("DRAW-0000000000000000"),
            nonce: nonce("proc", &id),
        }),
    );
    assert_eq!(sim.block(&[unknown]), ["unknown_draw"]);
}

#[test]
fn plan_refusals_have_their_codes() {
    let (mut sim, snapshot) = directories();
    let good = || plan_of(&["market"], &[(1, 5000)]);
    let with = |change: fn(&mut DrawPlan)| {
        let mut plan = good();
        change(&mut plan);
        plan
    };
    let unknown = SnapshotId::new("SNAP-0000000000000000");
    let refused = [
        (
            with(|p| p.ratios[0].basis_points = 10_001),
            &snapshot,
            &["proc"][..],
            "ratio_above_100_percent",
        ),
        (
            with(|p| p.items[0].item = "FOOD-99".into()),
            &snapshot,
            &["proc"],
            "unknown_item",
        ),
        // An item named with another department than its responsible one.
        (
            with(|p| p.items[0].department = org_id("tax")),
            &snapshot,
            &["proc"],
            "invalid_plan",
        ),
        // No rows of the planned class.
        (
            plan_of(&["market"], &[(7, 5000)]),
            &snapshot,
            &["proc"],
            "empty_population",
        ),
        // The planner's department must issue the draw; witnesses are others.
        (
            plan_of(&["tax"], &[(1, 5000)]),
            &snapshot,
            &["proc"],
            "not_draw_issuer",
        ),
        (good(), &snapshot, &[], "invalid_field"),
        (good(), &snapshot, &["market"], "invalid_field"),
        (good(), &snapshot, &["nobody"], "unknown_org"),
        (good(), &unknown, &["proc"], "unknown_snapshot"),
        // Too many inspectors per inspection for the directory.
        (
            with(|p| p.inspectors_per_inspection = 4),
            &snapshot,
            &["proc"],
            "too_few_inspectors",
        ),
    ];
    for (planned, on, witnesses, code) in refused {
        assert_eq!(
            plan(&mut sim, on, planned, witnesses),
            Err(code.into()),
            "{code}"
        );
    }
    // A joint plan that swaps the items' departments: the list decides.
    let mut swapped = plan_of(&["market", "tax"], &[(1, 5000)]);
    for item in &mut swapped.items {
        item.department = org_id(if item.item == ITEM { "tax" } else { "market" });
    }
    assert_eq!(
        plan(&mut sim, &snapshot, swapped, &["proc"]),
        Err("invalid_field".into())
    );
    // 100 % of every class is 30 inspections: allowed.
    assert!(plan(
        &mut sim,
        &snapshot,
        plan_of(&["market"], &[(1, 10000), (2, 10000), (3, 10000)]),
        &["proc"]
    )
    .is_ok());
    // A newer snapshot makes the old one stale; so does age.
    let newer = publish(&mut sim, "market", &rows());
    assert_eq!(
        plan(&mut sim, &snapshot, good(), &["proc"]),
        Err("stale_snapshot".into())
    );
    assert!(plan(&mut sim, &newer, good(), &["proc"]).is_ok());
    // 90 days, rolled over a weekend to the next working day, are long past.
    sim.advance(100 * DAY_MS);
    assert_eq!(
        plan(&mut sim, &newer, good(), &["proc"]),
        Err("stale_snapshot".into())
    );
}

#[test]
fn directory_and_snapshot_refusals() {
    let (mut sim, _) = directories();
    // Only the responsible department changes an item.
    let change = Call::SetInspectionItem(SetInspectionItem {
        item: ITEM.into(),
        basis: "other".into(),
        method: "on-site".into(),
        document: file_digest(b"x"),
    });
    assert_eq!(sim.code(&officer("tax"), change), "not_item_owner");
    // An inspector's scope names listed items; an admin sets only its own
    // department's officers; an officer key does not set inspectors.
    assert_eq!(
        set_inspector(&mut sim, "tax", &officer("tax"), &["FOOD-99"]),
        "unknown_item"
    );
    assert_eq!(
        set_inspector(&mut sim, "tax", &officer("market"), &[ITEM]),
        "invalid_field"
    );
    let by_officer = Call::SetInspector(SetInspector {
        officer: id_of(&officer2("tax")),
        certificate: "ZF-1".into(),
        scopes: vec![ITEM.into()],
        valid_from: 20260101,
        valid_until: 20261231,
    });
    assert_eq!(sim.code(&officer("tax"), by_officer), "wrong_role");
    // A certificate number that is an identity card number is refused.
    let personal = Call::SetInspector(SetInspector {
        officer: id_of(&officer2("tax")),
        certificate: "11010519491231002X".into(),
        scopes: vec![ITEM.into()],
        valid_from: 20260101,
        valid_until: 20261231,
    });
    assert_eq!(
        xianjie_contracts::privacy::check_call(&personal)
            .unwrap_err()
            .code(),
        "personal_information"
    );
    // An empty snapshot, and class counts out of order.
    let empty = Call::PublishEntitySnapshot(PublishEntitySnapshot {
        root: merkle::empty_root(),
        classes: Vec::new(),
        rows_file: file_digest(b""),
    });
    assert_eq!(sim.code(&officer("market"), empty), "empty_population");
    let mut classes = draw::class_counts(&rows());
    classes.reverse();
    let unsorted = Call::PublishEntitySnapshot(PublishEntitySnapshot {
        root: draw::entity_root(&rows()).unwrap(),
        classes,
        rows_file: file_digest(b"rows"),
    });
    assert_eq!(sim.code(&officer("market"), unsorted), "invalid_row");
}

#[test]
fn a_draw_over_inspectors_out_of_scope_or_expired_is_refused() {
    let (mut sim, snapshot) = directories();
    let other = Call::SetInspectionItem(SetInspectionItem {
        item: "DRUG-01".into(),
        basis: "drug-law/art-1".into(),
        method: "on-site".into(),
        document: file_digest(b"drug"),
    });
    assert_eq!(sim.code(&officer("market"), other), "ok");
    // Market's inspectors move to another item; one keeps FOOD-01 but expired.
    for key in [officer("market"), officer2("market")] {
        assert_eq!(set_inspector(&mut sim, "market", &key, &["DRUG-01"]), "ok");
    }
    let expired = Call::SetInspector(SetInspector {
        officer: id_of(&head("market")),
        certificate: "ZF-HEAD".into(),
        scopes: vec![ITEM.into()],
        valid_from: 20250101,
        valid_until: 20251231,
    });
    assert_eq!(sim.code(&sim::admin("market"), expired), "ok");
    assert_eq!(
        plan(
            &mut sim,
            &snapshot,
            plan_of(&["market"], &[(1, 5000)]),
            &["proc"]
        ),
        Err("too_few_inspectors".into())
    );
}

#[test]
fn a_plan_of_several_items_draws_only_inspectors_with_all_their_departments_items() {
    let (mut sim, snapshot) = directories();
    let second = Call::SetInspectionItem(SetInspectionItem {
        item: "FOOD-02".into(),
        basis: "food-safety-law/art-35".into(),
        method: "on-site".into(),
        document: file_digest(b"item FOOD-02"),
    });
    assert_eq!(sim.code(&officer("market"), second), "ok");
    // Two of market's three inspectors take the second item too.
    for key in [officer("market"), officer2("market")] {
        assert_eq!(
            set_inspector(&mut sim, "market", &key, &[ITEM, "FOOD-02"]),
            "ok"
        );
    }
    let two_items = |per_inspection: u8| {
        let mut plan = plan_of(&["market"], &[(1, 5000)]);
        plan.items.push(PlanItem {
            item: "FOOD-02".into(),
            department: org_id("market"),
        });
        plan.inspectors_per_inspection = per_inspection;
        plan
    };
    assert_eq!(
        plan(&mut sim, &snapshot, two_items(3), &["proc"]),
        Err("too_few_inspectors".into())
    );
    let id = plan(&mut sim, &snapshot, two_items(2), &["proc"]).unwrap();
    let rows = random_draw::inspector_rows(&sim, &id).unwrap();
    let mut officers: Vec<_> = rows.iter().map(|row| row.officer).collect();
    officers.sort();
    let mut both = vec![id_of(&officer("market")), id_of(&officer2("market"))];
    both.sort();
    assert_eq!(
        officers, both,
        "the head lacks FOOD-02: not in the snapshot"
    );
    assert!(rows.iter().all(|row| row.scopes == [ITEM, "FOOD-02"]));
}

#[test]
fn naming_refuses_a_row_that_is_not_at_the_drawn_position() {
    let (mut sim, id) = revealed(&[(2, 3000)]);
    let rows = rows();
    let leaves: Vec<Hash> = rows.iter().map(EntityRow::hash).collect();
    let position = record(&sim, &id).inspections[0].position as usize;
    let neighbour = if position + 1 < rows.len() {
        position + 1
    } else {
        position - 1
    };
    // The neighbour's row with its own, valid proof: not the drawn one.
    let shown = ProvenRow {
        row: rows[neighbour].clone(),
        proof: merkle::prove(&leaves, neighbour).unwrap(),
    };
    let call = Call::NameDrawnEntities(NameDrawnEntities {
        draw: id.clone(),
        first: 0,
        rows: vec![shown],
    });
    assert_eq!(sim.code(&officer("market"), call), "entity_proof_invalid");
    // An organisation neither issuing nor witnessing does not name.
    let mut right = ProvenRow {
        row: rows[position].clone(),
        proof: merkle::prove(&leaves, position).unwrap(),
    };
    let by_outsider = Call::NameDrawnEntities(NameDrawnEntities {
        draw: id.clone(),
        first: 0,
        rows: vec![right.clone()],
    });
    assert_eq!(
        sim.code(&officer("police"), by_outsider),
        "not_draw_committer"
    );
    // Naming from the wrong place, or a proof over another tree size.
    let skipping = Call::NameDrawnEntities(NameDrawnEntities {
        draw: id.clone(),
        first: 1,
        rows: vec![right.clone()],
    });
    assert_eq!(sim.code(&officer("market"), skipping), "invalid_field");
    let mut resized = right.clone();
    resized.proof.tree_size += 1;
    let resized = Call::NameDrawnEntities(NameDrawnEntities {
        draw: id.clone(),
        first: 0,
        rows: vec![resized],
    });
    assert_eq!(
        sim.code(&officer("market"), resized),
        "entity_proof_invalid"
    );
    // A row whose class was altered does not verify either.
    right.row.risk_class = 3;
    let altered = Call::NameDrawnEntities(NameDrawnEntities {
        draw: id.clone(),
        first: 0,
        rows: vec![right],
    });
    assert_eq!(
        sim.code(&officer("market"), altered),
        "entity_proof_invalid"
    );
    // The witness may show the rows too: the proofs decide.
    let named = name_all_as(&mut sim, &id, &rows, "proc");
    assert!(named.iter().all(|code| code == "ok"), "{named:?}");
    assert_eq!(record(&sim, &id).state, DrawState::Drawn);
    let open =
        xianjie_contracts::index::entries(&sim, xianjie_ledger::state::keys::index::OPEN_DRAWS)
            .unwrap();
    assert!(open.is_empty(), "a drawn draw leaves the open list");
}

#[test]
fn a_recusal_draws_the_replacement_the_algorithm_draws() {
    let (mut sim, id) = drawn();
    let before = record(&sim, &id);
    let officer_out = before.inspections[3].inspectors[0];
    let inspectors = random_draw::inspector_rows(&sim, &id).unwrap();
    let expected = draw::recuse(
        &random_draw::as_result(&before),
        &inspectors,
        3,
        &officer_out,
    )
    .unwrap();
    let call = |officer| {
        Call::RecuseInspector(RecuseInspector {
            draw: id.clone(),
            inspection: 3,
            officer,
            reason: file_digest(b"related to the entity's manager"),
        })
    };
    // Another officer does not recuse someone else; the inspector does.
    let other = ["market", "tax"]
        .iter()
        .flat_map(|org| [officer(org), officer2(org)])
        .find(|key| id_of(key) != officer_out)
        .unwrap();
    assert_eq!(sim.code(&other, call(officer_out)), "wrong_role");
    assert_eq!(sim.code(&key_of_id(&officer_out), call(officer_out)), "ok");
    let after = record(&sim, &id);
    assert_eq!(random_draw::as_result(&after), expected);
    assert_eq!(after.inspections[3].recusals[0].officer, officer_out);
    let kept = &after.inspections[3].recusal_records[0];
    let reason = file_digest(b"related to the entity's manager");
    assert_eq!((kept.by, kept.reason), (officer_out, reason));
    // The recused officer is no longer assigned; a witness's head cannot
    // recuse; a department's head can, up to the limit of two.
    assert_eq!(
        sim.code(&head("tax"), call(officer_out)),
        "inspector_not_assigned"
    );
    // The second recusal is in the tax team (slots 2 and 3): its
    // replacement is the tax department's third inspector.
    let assigned = after.inspections[3].inspectors[2];
    assert_eq!(sim.code(&head("proc"), call(assigned)), "wrong_role");
    // A head recuses only from its own department's team.
    assert_eq!(sim.code(&head("market"), call(assigned)), "wrong_role");
    assert_eq!(sim.code(&head("tax"), call(assigned)), "ok");
    let tax_team = &record(&sim, &id).inspections[3].inspectors[2..];
    assert!(tax_team
        .iter()
        .all(|drawn| [officer("tax"), officer2("tax"), head("tax")]
            .iter()
            .any(|key| &id_of(key) == drawn)));
    let third = record(&sim, &id).inspections[3].inspectors[0];
    assert_eq!(sim.code(&head("market"), call(third)), "too_many_recusals");
    let after = record(&sim, &id);
    assert!(draw::verify(&random_draw::as_result(&after), &rows(), &inspectors).is_ok());
}

fn key_of_id(id: &xianjie_ledger::crypto::KeyId) -> xianjie_ledger::crypto::SecretKey {
    ["market", "tax"]
        .iter()
        .flat_map(|org| [officer(org), officer2(org), head(org)])
        .find(|key| &id_of(key) == id)
        .expect("a drawn inspector's key")
}

#[test]
fn results_are_published_by_drawn_inspectors_and_a_finding_opens_one_case() {
    let (mut sim, id) = drawn();
    let chain = record(&sim, &id);
    let inspection = &chain.inspections[0];
    let entity = inspection.entity.clone().unwrap();
    let inspector = key_of_id(&inspection.inspectors[0]);
    let result = |finding| {
        Call::RecordDrawResult(RecordDrawResult {
            draw: id.clone(),
            inspection: 0,
            finding,
            document: file_digest(b"inspection record"),
        })
    };
    // Someone not drawn for the inspection does not record its result.
    let outsider = ["market", "tax"]
        .iter()
        .flat_map(|org| [officer(org), officer2(org), head(org)])
        .find(|key| !inspection.inspectors.contains(&id_of(key)))
        .unwrap();
    assert_eq!(
        sim.code(&outsider, result(InspectionFinding::Finding)),
        "inspector_not_assigned"
    );
    assert_eq!(
        sim.code(&inspector, result(InspectionFinding::Finding)),
        "ok"
    );
    assert_eq!(
        sim.code(&inspector, result(InspectionFinding::Compliant)),
        "record_exists"
    );
    // Once a result is out, the inspection's inspectors stay.
    let recusal = Call::RecuseInspector(RecuseInspector {
        draw: id.clone(),
        inspection: 0,
        officer: inspection.inspectors[0],
        reason: file_digest(b"late"),
    });
    assert_eq!(sim.code(&inspector, recusal), "record_exists");

    let open = |entity: &str, reference: &str| {
        Call::OpenCase(OpenCase {
            entity: entity.into(),
            domain: "food_drug".into(),
            title: "抽查发现问题".into(),
            lead: LeadSource {
                kind: LeadKind::RandomInspection,
                reference: Some(reference.into()),
            },
        })
    };
    let reference = xianjie_ledger::random_draw::finding_reference(&id, 0);
    // Another entity, a result that is not a finding, or a reference that is
    // no result: refused.
    let other = chain.inspections[1].entity.clone().unwrap();
    assert_eq!(
        sim.code(&officer("market"), open(&other, &reference)),
        "invalid_field"
    );
    assert_eq!(
        sim.code(&officer("market"), open(&entity, &format!("{id}/1"))),
        "invalid_field"
    );
    assert_eq!(
        sim.code(&officer("market"), open(&entity, &reference)),
        "ok"
    );
    // The finding became that case, once.
    assert_eq!(
        sim.code(&officer("market"), open(&entity, &reference)),
        "invalid_field"
    );
    let outcome = random_draw::results(&sim, &chain).unwrap();
    assert_eq!(outcome.len(), 1);
    assert!(outcome[0].case.is_some());
}

#[test]
fn ids_of_other_records_are_no_draws_and_do_not_stop_the_chain() {
    let (mut sim, snapshot) = directories();
    let id = plan(
        &mut sim,
        &snapshot,
        plan_of(&["market"], &[(1, 5000)]),
        &["proc"],
    )
    .unwrap();
    // Keys that exist under `draw/`, but hold other records.
    for alias in [
        "item/FOOD-01".to_owned(),
        format!("{id}/inspectors"),
        format!("snapshot/{snapshot}"),
        id.to_uppercase(),
    ] {
        let call = Call::CommitDraw(CommitDraw {
            draw: DrawId::new(alias.clone()),
            commitment: Hash([1; 32]),
        });
        let tx = sim.tx(&officer("market"), call);
        assert_eq!(sim.block(&[tx]), ["unknown_draw"], "{alias}");
    }
    let stale = SnapshotId::new(format!("{id}/inspectors"));
    assert_eq!(
        plan(
            &mut sim,
            &stale,
            plan_of(&["market"], &[(1, 5000)]),
            &["proc"]
        ),
        Err("unknown_snapshot".into())
    );
}

#[test]
fn a_plan_that_draws_nobody_or_too_many_is_refused_before_drawing() {
    // Only class 1 has rows here and its ratio is 0.
    let rows: Vec<EntityRow> = rows().into_iter().filter(|r| r.risk_class == 1).collect();
    let (mut sim, _) = directories();
    let only_one = publish(&mut sim, "market", &rows);
    assert_eq!(
        plan(
            &mut sim,
            &only_one,
            plan_of(&["market"], &[(1, 0), (2, 5000)]),
            &["proc"]
        ),
        Err("empty_population".into())
    );
    // 600 rows at 100 %: more than one draw holds.
    let many: Vec<EntityRow> = (0..600)
        .map(|n| EntityRow {
            entity: format!("9133010{n:010}X"),
            industry: "H6210".into(),
            risk_class: 1,
        })
        .collect();
    let big = publish(&mut sim, "market", &many);
    assert_eq!(
        plan(
            &mut sim,
            &big,
            plan_of(&["market"], &[(1, 10000)]),
            &["proc"]
        ),
        Err("draw_too_large".into())
    );
}

#[test]
fn one_department_holds_at_most_eight_open_draws() {
    let (mut sim, snapshot) = directories();
    let good = || plan_of(&["market"], &[(1, 5000)]);
    let mut open = Vec::new();
    for _ in 0..8 {
        open.push(plan(&mut sim, &snapshot, good(), &["proc"]).unwrap());
    }
    assert_eq!(
        plan(&mut sim, &snapshot, good(), &["proc"]),
        Err("draws_full".into())
    );
    // A failed draw frees its place.
    sim.advance(3 * DAY_MS);
    sim.block(&[]);
    assert!(open
        .iter()
        .all(|id| record(&sim, id).state == DrawState::Failed));
    assert!(plan(&mut sim, &snapshot, good(), &["proc"]).is_ok());
}

#[test]
fn the_seed_block_is_the_block_of_the_last_commitment() {
    let (mut sim, snapshot) = directories();
    let id = plan(
        &mut sim,
        &snapshot,
        plan_of(&["market", "tax"], &[(1, 5000)]),
        &["proc"],
    )
    .unwrap();
    for org in ["tax", "proc"] {
        let tx = commit_tx(&mut sim, org, &id);
        assert_eq!(sim.block(&[tx]), ["ok"]);
        assert_eq!(record(&sim, &id).state, DrawState::Committing);
        assert_eq!(record(&sim, &id).seed_block, None);
    }
    let tx = commit_tx(&mut sim, "market", &id);
    assert_eq!(sim.block(&[tx]), ["ok"]);
    let last_commitment_block = sim.height;
    let expected = sim.prev_hash();
    sim.block(&[]);
    assert_eq!(
        record(&sim, &id).seed_block,
        Some((last_commitment_block, expected))
    );
}

#[test]
fn rows_not_shown_by_the_naming_deadline_fail_the_draw_naming_the_departments() {
    let (mut sim, id) = revealed(&[(1, 5000)]);
    assert!(record(&sim, &id).name_deadline_ms.is_some());
    sim.advance(3 * DAY_MS);
    let late = name_all(&mut sim, &id, &rows());
    assert_eq!(late, ["draw_deadline_passed"]);
    sim.block(&[]);
    let failed = record(&sim, &id);
    assert_eq!(
        (failed.state, failed.missing),
        (DrawState::Failed, vec![org_id("market")])
    );
}

#[test]
fn the_inspection_period_starts_on_the_draw_date_at_the_earliest_and_lasts_a_year_at_most() {
    let (mut sim, snapshot) = directories();
    let today = xianjie_contracts::deadline::local_date(sim.time_ms);
    let mut try_period = |from: u32, until: u32| {
        let call = Call::PlanDraw(PlanDraw {
            plan: plan_of(&["market"], &[(1, 5000)]),
            snapshot: snapshot.clone(),
            witnesses: vec![org_id("proc")],
            period: InspectionPeriod { from, until },
        });
        sim.code(&officer("market"), call)
    };
    assert_eq!(
        try_period(20260501, 20260630),
        "invalid_field",
        "before the draw date"
    );
    assert_eq!(
        try_period(20260701, 20260630),
        "invalid_field",
        "ends before it starts"
    );
    assert_eq!(
        try_period(20260701, 20270702),
        "invalid_field",
        "longer than a year"
    );
    assert_eq!(
        try_period(20260230, 20260630),
        "invalid_field",
        "no such date"
    );
    assert_eq!(try_period(today, today), "ok");
    // Results are due 20 working days after the period ends.
    let (sim, id) = drawn();
    let chain = record(&sim, &id);
    let end = xianjie_contracts::deadline::day_number(chain.period.until).unwrap();
    assert!(chain.results_due_ms.unwrap() > xianjie_contracts::deadline::end_of_day_ms(end));
}
