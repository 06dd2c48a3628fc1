//! 双随机、一公开 on the chain (`xianjie_ledger::random_draw` is the layout,
//! docs/draw.md §11 the rules): the item list and the inspector directory
//! kept by their departments, entity snapshots, and draws from plan to
//! published results.
//!
//! A draw is planned by an officer of one of its issuing departments over
//! the newest, fresh snapshot of an entity directory; the chain takes the
//! inspector snapshot from the directory then. Every issuer and witness
//! commits to a secret nonce; the block holding the last commitment is the
//! seed block, whose hash [`begin_block`] records from the next block's
//! header; every committer reveals; the chain computes the seed and draws
//! positions and inspectors from the snapshot's class counts
//! (`draw::draw_outline`); an issuer or the snapshot's owner shows the drawn
//! rows with their proofs; drawn inspectors may recuse and publish results.
//! A commitment or reveal missing at its deadline fails the draw at the end
//! of the first block past it ([`end_block`]).

use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::deadline::{DeadlineRule, RuleScope};
use xianjie_ledger::draw::{self, DrawResult, DrawnInspection, InspectorRow};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{CaseId, DrawId, OrgId, SnapshotId};
use xianjie_ledger::model::{Officer, Role};
use xianjie_ledger::params::Params;
use xianjie_ledger::random_draw::{
    is_record_id, Committer, DirectoryInspector, DrawClock, DrawState, DrawnEntity, EntitySnapshot,
    InspectionFinding, InspectionItem, InspectionOutcome, InspectionPeriod, InspectorSnapshot,
    RandomDraw, RecusalRecord, DRAW_COMMIT_RULE, DRAW_NAME_RULE, DRAW_RESULT_RULE,
    DRAW_REVEAL_RULE, DRAW_SNAPSHOT_AGE_RULE, MAX_CODE_LEN, MAX_DEPARTMENT_INSPECTORS,
    MAX_DRAWN_INSPECTIONS, MAX_DRAW_INSPECTORS, MAX_NAMED_PER_TX, MAX_OPEN_DRAWS_PER_DEPARTMENT,
    MAX_RECUSALS, MAX_SNAPSHOT_CLASSES, MAX_WITNESSES,
};
use xianjie_ledger::state::{keys, StateView, WriteSet};
use xianjie_ledger::tx::{
    CommitDraw, NameDrawnEntities, PlanDraw, PublishEntitySnapshot, RecordDrawResult,
    RecuseInspector, RevealDraw, SetInspectionItem, SetInspector,
};

use crate::clue::check_not_admin;
use crate::deadline::{day_number, due_at, end_of_day_ms, local_date};
use crate::error::{ContractError, Result};
use crate::evidence::invalid;
use crate::overlay::Overlay;
use crate::{index, read, BlockCtx};

/// Most draws waiting for commitments, a seed block or reveals at once.
pub const MAX_OPEN_DRAWS: u32 = 64;

/// Sets an inspection item; its first setter's department owns it.
pub fn set_item(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &SetInspectionItem,
) -> Result<WriteSet> {
    check_not_admin("set-inspection-item", signer)?;
    check_item_code(&call.item)?;
    check_code("basis", &call.basis)?;
    check_code("method", &call.method)?;
    if let Some(existing) = item(view, &call.item)? {
        if existing.department != signer.org {
            return Err(ContractError::NotItemOwner {
                item: call.item.clone(),
                owner: existing.department,
            });
        }
    }
    let record = InspectionItem {
        code: call.item.clone(),
        basis: call.basis.clone(),
        method: call.method.clone(),
        department: signer.org.clone(),
        document: call.document,
        height: ctx.height,
    };
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::inspection_item(&call.item), &record);
    index::insert(
        &mut stage,
        keys::index::INSPECTION_ITEMS,
        call.item.as_bytes(),
    )?;
    Ok(stage.into_writes())
}

/// Sets an inspector of the admin's own department.
pub fn set_inspector(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &SetInspector,
) -> Result<WriteSet> {
    if signer.role != Role::Admin {
        return Err(ContractError::WrongRole {
            action: "set-inspector".into(),
            role: signer.role,
            required: "the department's admin key",
        });
    }
    let officer = read::officer(view, &call.officer)?
        .filter(|officer| {
            officer.org == signer.org && officer.role != Role::Admin && officer.active
        })
        .ok_or_else(|| {
            invalid(
                "officer",
                format!("an active officer or head key of {}", signer.org),
            )
        })?;
    check_code("certificate", &call.certificate)?;
    check_scopes(view, &call.scopes)?;
    if !draw::is_date(call.valid_from)
        || !draw::is_date(call.valid_until)
        || call.valid_from > call.valid_until
    {
        return Err(invalid(
            "valid_until",
            "two yyyymmdd dates, the first not after the second".into(),
        ));
    }
    let list = keys::index::department_inspectors(&signer.org);
    let entry = officer.id.to_hex();
    if !index::contains(view, &list, entry.as_bytes())?
        && index::len(view, &list)? as usize >= MAX_DEPARTMENT_INSPECTORS
    {
        return Err(invalid(
            "officer",
            format!("at most {MAX_DEPARTMENT_INSPECTORS} inspectors per department"),
        ));
    }
    let record = DirectoryInspector {
        officer: officer.id,
        department: signer.org.clone(),
        certificate: call.certificate.clone(),
        scopes: call.scopes.clone(),
        valid_from: call.valid_from,
        valid_until: call.valid_until,
        height: ctx.height,
    };
    let mut stage = Overlay::new(view);
    read::put(
        &mut stage,
        keys::directory_inspector(&signer.org, &officer.id),
        &record,
    );
    index::insert(&mut stage, &list, entry.as_bytes())?;
    Ok(stage.into_writes())
}

/// Publishes a snapshot of the signer's department's entity directory.
pub fn publish_snapshot(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &PublishEntitySnapshot,
) -> Result<WriteSet> {
    check_not_admin("publish-entity-snapshot", signer)?;
    if call.classes.len() > MAX_SNAPSHOT_CLASSES {
        return Err(invalid(
            "classes",
            format!("at most {MAX_SNAPSHOT_CLASSES} risk classes"),
        ));
    }
    if draw::check_class_counts(&call.classes)? == 0 {
        return Err(xianjie_ledger::error::DrawError::EmptyPopulation {
            planned_classes: false,
        }
        .into());
    }
    let snapshot = EntitySnapshot {
        id: SnapshotId::for_tx(tx_hash),
        owner: signer.org.clone(),
        root: call.root,
        classes: call.classes.clone(),
        rows_file: call.rows_file,
        height: ctx.height,
        time_ms: ctx.time_ms,
    };
    let key = keys::entity_snapshot(&snapshot.id);
    if read::record::<EntitySnapshot>(view, &key)?.is_some() {
        return Err(ContractError::RecordExists {
            id: snapshot.id.to_string(),
        });
    }
    let mut stage = Overlay::new(view);
    read::put(&mut stage, key, &snapshot);
    index::insert(
        &mut stage,
        &keys::index::entity_snapshots(&signer.org),
        snapshot.id.as_bytes(),
    )?;
    index::insert(
        &mut stage,
        &keys::index::snapshot_file(&snapshot.rows_file),
        snapshot.id.as_bytes(),
    )?;
    Ok(stage.into_writes())
}

/// The snapshots whose rows file has this digest, oldest first (a vault
/// keeps such a file for re-runs; docs/draw.md §11.1).
pub fn snapshots_of_file(view: &dyn StateView, digest: &Hash) -> Result<Vec<EntitySnapshot>> {
    let mut found = Vec::new();
    for id in index::id_entries::<SnapshotId>(view, &keys::index::snapshot_file(digest))? {
        found.extend(snapshot(view, &id)?);
    }
    Ok(found)
}

/// Plans a draw; see the module documentation.
pub fn plan(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &PlanDraw,
) -> Result<WriteSet> {
    check_not_admin("plan-draw", signer)?;
    let plan = &call.plan;
    draw::check_plan(plan)?;
    if !plan.departments.contains(&signer.org) {
        return Err(ContractError::NotDrawIssuer {
            org: signer.org.clone(),
        });
    }
    check_plan_items(view, plan)?;
    check_witnesses(view, call)?;
    check_open_draws(view, &signer.org)?;
    let params = read::params(view)?;
    let snapshot = fresh_snapshot(view, &params, ctx, &call.snapshot)?;
    // Counted from the class counts, before any drawing work.
    let inspections = draw::planned_inspections(plan, &snapshot.classes);
    if inspections > MAX_DRAWN_INSPECTIONS as u64 {
        return Err(ContractError::DrawTooLarge {
            inspections: inspections as usize,
            max: MAX_DRAWN_INSPECTIONS,
        });
    }
    let inspectors = inspector_snapshot(view, plan)?;
    let date = local_date(ctx.time_ms);
    check_period(&call.period, date)?;
    // A trial draw on a zero seed refuses an empty population and too few
    // eligible inspectors before anyone commits.
    let trial = draw::draw_outline(
        &Hash([0; 32]),
        plan,
        (&snapshot.classes, snapshot.root),
        &inspectors,
        date,
    )?;
    let mut committers: Vec<Committer> = plan
        .departments
        .iter()
        .chain(&call.witnesses)
        .map(|org| Committer {
            org: org.clone(),
            commitment: None,
            nonce: None,
        })
        .collect();
    committers.sort_by(|a, b| a.org.as_str().as_bytes().cmp(b.org.as_str().as_bytes()));
    let record = RandomDraw {
        id: DrawId::for_tx(tx_hash),
        plan: plan.clone(),
        planned_by: signer.org.clone(),
        witnesses: call.witnesses.clone(),
        snapshot: snapshot.id.clone(),
        entity_root: snapshot.root,
        inspector_root: trial.result.inspector_root,
        date,
        period: call.period,
        state: DrawState::Committing,
        committers,
        commit_deadline_ms: due(&params, DRAW_COMMIT_RULE, ctx.time_ms),
        reveal_deadline_ms: None,
        name_deadline_ms: None,
        seed_block: None,
        seed: None,
        classes: Vec::new(),
        inspections: Vec::new(),
        results_due_ms: None,
        missing: Vec::new(),
        height: ctx.height,
        time_ms: ctx.time_ms,
    };
    let key = keys::draw(&record.id);
    if read::record::<RandomDraw>(view, &key)?.is_some() {
        return Err(ContractError::RecordExists {
            id: record.id.to_string(),
        });
    }
    let mut stage = Overlay::new(view);
    put_draw(&mut stage, &record);
    read::put(
        &mut stage,
        keys::draw_inspectors(&record.id),
        &InspectorSnapshot(inspectors),
    );
    index::insert(&mut stage, keys::index::DRAWS, record.id.as_bytes())?;
    index::insert(&mut stage, keys::index::OPEN_DRAWS, record.id.as_bytes())?;
    Ok(stage.into_writes())
}

/// Records an issuer's or witness's commitment.
pub fn commit(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &CommitDraw,
) -> Result<WriteSet> {
    check_not_admin("commit-draw", signer)?;
    let mut record = required_draw(view, &call.draw)?;
    check_state(&record, DrawState::Committing, "commit")?;
    check_before(&record, ctx, record.commit_deadline_ms)?;
    let committer = committer_of(&mut record, signer)?;
    if committer.commitment.is_some() {
        return Err(ContractError::DrawStepDone {
            id: call.draw.clone(),
            org: signer.org.clone(),
            step: "committed",
        });
    }
    committer.commitment = Some(call.commitment);
    if record.all_committed() {
        // This block is the seed block; `begin_block` of the next one
        // records its hash.
        record.state = DrawState::Seeding;
        record.seed_block = Some((ctx.height, Hash([0; 32])));
    }
    let mut stage = Overlay::new(view);
    put_draw(&mut stage, &record);
    Ok(stage.into_writes())
}

/// Records a reveal; the last one draws.
pub fn reveal(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &RevealDraw,
) -> Result<WriteSet> {
    check_not_admin("reveal-draw", signer)?;
    let mut record = required_draw(view, &call.draw)?;
    check_state(&record, DrawState::Revealing, "reveal")?;
    check_before(&record, ctx, record.reveal_deadline_ms.unwrap_or(0))?;
    let id = record.id.clone();
    let committer = committer_of(&mut record, signer)?;
    if committer.nonce.is_some() {
        return Err(ContractError::DrawStepDone {
            id,
            org: signer.org.clone(),
            step: "revealed",
        });
    }
    let commitment = committer.commitment.unwrap_or(Hash([0; 32]));
    draw::check_reveal(&commitment, &call.nonce.0, &id, &signer.org)?;
    committer.nonce = Some(call.nonce);
    if record.committers.iter().all(|c| c.nonce.is_some()) {
        draw_positions(view, &mut record)?;
        let params = read::params(view)?;
        record.name_deadline_ms = Some(due(&params, DRAW_NAME_RULE, ctx.time_ms));
    }
    let mut stage = Overlay::new(view);
    put_draw(&mut stage, &record);
    Ok(stage.into_writes())
}

/// Shows drawn rows with their proofs; the last ones make the draw drawn.
pub fn name_entities(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &NameDrawnEntities,
) -> Result<WriteSet> {
    check_not_admin("name-drawn-entities", signer)?;
    let mut record = required_draw(view, &call.draw)?;
    check_state(&record, DrawState::Naming, "name the drawn entities of")?;
    check_before(&record, ctx, record.name_deadline_ms.unwrap_or(0))?;
    let snapshot = required_snapshot(view, &record.snapshot)?;
    // Whoever holds the rows (the vault serves them to every member) may
    // show them; the proofs decide.
    if !record.is_committer(&signer.org) && snapshot.owner != signer.org {
        return Err(ContractError::NotDrawCommitter {
            id: record.id.clone(),
            org: signer.org.clone(),
        });
    }
    let named = record
        .inspections
        .iter()
        .take_while(|i| i.entity.is_some())
        .count();
    let remaining = record.inspections.len() - named;
    if call.first as usize != named
        || call.rows.is_empty()
        || call.rows.len() > MAX_NAMED_PER_TX.min(remaining)
    {
        return Err(invalid(
            "rows",
            format!(
                "1-{} rows from inspection {named}, the first not yet named",
                MAX_NAMED_PER_TX.min(remaining)
            ),
        ));
    }
    let total = snapshot.rows();
    for (offset, shown) in call.rows.iter().enumerate() {
        let number = named + offset;
        let inspection = &mut record.inspections[number];
        let proof = &shown.proof;
        let fits = proof.leaf_index == inspection.position
            && proof.tree_size == total
            && shown.row.risk_class == inspection.risk_class
            && proof.verify(&shown.row.hash(), &snapshot.root).is_ok();
        if !fits {
            return Err(ContractError::EntityProofInvalid {
                id: record.id.clone(),
                inspection: number as u32,
                position: inspection.position,
            });
        }
        inspection.entity = Some(shown.row.entity.clone());
    }
    let mut stage = Overlay::new(view);
    if record.inspections.iter().all(|i| i.entity.is_some()) {
        let params = read::params(view)?;
        record.state = DrawState::Drawn;
        // Due after the period ends, or after the draw if it ends later.
        let period_end = day_number(record.period.until).map_or(0, end_of_day_ms);
        let start = period_end.max(ctx.time_ms);
        record.results_due_ms = Some(due(&params, DRAW_RESULT_RULE, start));
        index::remove(&mut stage, keys::index::OPEN_DRAWS, record.id.as_bytes())?;
    }
    put_draw(&mut stage, &record);
    Ok(stage.into_writes())
}

/// Replaces a recused inspector by the method of docs/draw.md §8. The
/// recused inspector asks (自行回避) or a head of the department whose team
/// the inspector is on decides; at most [`MAX_RECUSALS`] per inspection,
/// since every replacement can be foreseen from the public seed.
pub fn recuse(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &RecuseInspector,
) -> Result<WriteSet> {
    check_not_admin("recuse-inspector", signer)?;
    let mut record = required_draw(view, &call.draw)?;
    check_state(&record, DrawState::Drawn, "recuse an inspector of")?;
    let number = call.inspection;
    let head = signer.role == Role::Head
        && team_department(&record, number, &call.officer).map_or(
            // Not on the inspection: any department's head hears why
            // (`inspector_not_assigned`).
            record.plan.departments.contains(&signer.org),
            |department| department == &signer.org,
        );
    if signer.id != call.officer && !head {
        return Err(ContractError::WrongRole {
            action: "recuse-inspector".into(),
            role: signer.role,
            required: "the recused inspector's own key, or a head of the department whose team the inspector is on",
        });
    }
    let done = record
        .inspections
        .get(number as usize)
        .map_or(0, |inspection| inspection.recusals.len());
    if done >= MAX_RECUSALS {
        return Err(ContractError::TooManyRecusals {
            id: record.id.clone(),
            inspection: number,
            max: MAX_RECUSALS,
        });
    }
    if read::record::<InspectionOutcome>(view, &keys::draw_result(&record.id, number))?.is_some() {
        return Err(ContractError::RecordExists {
            id: format!("{}/{number}", record.id),
        });
    }
    let rows = inspector_rows(view, &record.id)?;
    let replaced = draw::recuse(&as_result(&record), &rows, number as usize, &call.officer)?;
    let drawn = &replaced.inspections[number as usize];
    let kept = &mut record.inspections[number as usize];
    kept.inspectors = drawn.inspectors.clone();
    kept.recusals = drawn.recusals.clone();
    kept.recusal_records.push(RecusalRecord {
        by: signer.id,
        reason: call.reason,
        height: ctx.height,
    });
    let mut stage = Overlay::new(view);
    put_draw(&mut stage, &record);
    Ok(stage.into_writes())
}

/// The department whose team `officer` is on in inspection `number`
/// (docs/draw.md §7).
fn team_department<'a>(record: &'a RandomDraw, number: u32, officer: &KeyId) -> Option<&'a OrgId> {
    let slot = record
        .inspections
        .get(number as usize)?
        .inspectors
        .iter()
        .position(|assigned| assigned == officer)?;
    record
        .plan
        .team_of_slot(slot)
        .map(|(_, department)| department)
}

/// Publishes a drawn inspection's result: signed by one of its inspectors.
pub fn record_result(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &RecordDrawResult,
) -> Result<WriteSet> {
    check_not_admin("record-draw-result", signer)?;
    let record = required_draw(view, &call.draw)?;
    check_state(&record, DrawState::Drawn, "record a result of")?;
    let inspection = record.inspections.get(call.inspection as usize).ok_or(
        xianjie_ledger::error::DrawError::NoSuchInspection {
            index: call.inspection as usize,
            count: record.inspections.len(),
        },
    )?;
    if !inspection.inspectors.contains(&signer.id) {
        return Err(xianjie_ledger::error::DrawError::NotAssigned {
            officer: signer.id.to_string(),
            index: call.inspection as usize,
        }
        .into());
    }
    let key = keys::draw_result(&record.id, call.inspection);
    if read::record::<InspectionOutcome>(view, &key)?.is_some() {
        return Err(ContractError::RecordExists {
            id: format!("{}/{}", record.id, call.inspection),
        });
    }
    let outcome = InspectionOutcome {
        draw: record.id.clone(),
        inspection: call.inspection,
        entity: inspection.entity.clone().unwrap_or_default(),
        finding: call.finding,
        document: call.document,
        org: signer.org.clone(),
        officer: signer.id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        case: None,
    };
    let mut stage = Overlay::new(view);
    read::put(&mut stage, key, &outcome);
    Ok(stage.into_writes())
}

/// Links the case an agency opens on a finding (`lead.kind`
/// `random-inspection`, `lead.reference` `DRAW-…/<inspection>`): the result
/// is a finding about the case's entity, the agency is one of the draw's
/// departments, and no case was opened on it before. A reference of
/// another form names a draw held outside this chain (the national
/// platform's, or on paper) and is kept as given.
pub(crate) fn open_case_on_finding(
    stage: &mut Overlay<'_>,
    signer: &Officer,
    (case_id, entity): (&CaseId, &str),
    reference: Option<&str>,
) -> Result<()> {
    let wrong = || {
        invalid(
            "lead.reference",
            "DRAW-…/<inspection>: a published finding of a draw of your department about this entity, not yet a case".into(),
        )
    };
    let Some((id, number)) =
        reference.and_then(xianjie_ledger::random_draw::parse_finding_reference)
    else {
        return Ok(());
    };
    let record = draw(&*stage, &id)?.ok_or_else(wrong)?;
    let key = keys::draw_result(&id, number);
    let mut outcome = read::record::<InspectionOutcome>(&*stage, &key)?.ok_or_else(wrong)?;
    let usable = record.plan.departments.contains(&signer.org)
        && outcome.finding == InspectionFinding::Finding
        && outcome.entity == entity
        && outcome.case.is_none();
    if !usable {
        return Err(wrong());
    }
    outcome.case = Some(case_id.clone());
    read::put(stage, key, &outcome);
    Ok(())
}

/// Before a block's transactions: records the seed block's hash (from this
/// block's `prev_hash`) for draws whose last commitment was in the previous
/// block, so their reveals may follow in this very block.
pub fn begin_block(stage: &mut Overlay<'_>, ctx: &BlockCtx) -> Result<()> {
    let seeded = |clock: &DrawClock| {
        clock.state == DrawState::Seeding
            && clock.seed_height.map(|height| height + 1) == Some(ctx.height)
    };
    for_open_draws(stage, seeded, |record, params| {
        record.seed_block = Some((ctx.height - 1, ctx.prev_hash));
        record.state = DrawState::Revealing;
        record.reveal_deadline_ms = Some(due(params, DRAW_REVEAL_RULE, ctx.time_ms));
    })
}

/// After a block's transactions: fails the draws whose commitment, reveal or
/// naming deadline has passed, naming the organisations that did not act.
pub fn end_block(stage: &mut Overlay<'_>, ctx: &BlockCtx) -> Result<()> {
    let late = |clock: &DrawClock| {
        matches!(
            clock.state,
            DrawState::Committing | DrawState::Revealing | DrawState::Naming
        ) && clock.deadline_ms.is_some_and(|due| ctx.time_ms > due)
    };
    for_open_draws(stage, late, |record, _| {
        record.missing = record.waiting_for();
        record.state = DrawState::Failed;
    })
}

/// Reads the clock of every open draw and runs `change` on those `wants`
/// picks, writing them back; a draw no longer open leaves the open list.
/// One read when no draw is open, a few bytes per open draw otherwise.
fn for_open_draws(
    stage: &mut Overlay<'_>,
    wants: impl Fn(&DrawClock) -> bool,
    mut change: impl FnMut(&mut RandomDraw, &Params),
) -> Result<()> {
    let open: Vec<DrawId> = index::id_entries(&*stage, keys::index::OPEN_DRAWS)?;
    let mut params = None;
    for id in open {
        let clock: DrawClock = read::required(&*stage, &keys::draw_clock(&id))?;
        if !wants(&clock) {
            continue;
        }
        let params = match &params {
            Some(params) => params,
            None => params.insert(read::params(&*stage)?),
        };
        let mut record = required_draw(&*stage, &id)?;
        change(&mut record, params);
        if !record.is_open() {
            index::remove(stage, keys::index::OPEN_DRAWS, id.as_bytes())?;
        }
        put_draw(stage, &record);
    }
    Ok(())
}

/// Writes a draw and its clock.
fn put_draw(stage: &mut Overlay<'_>, record: &RandomDraw) {
    read::put(stage, keys::draw(&record.id), record);
    read::put(stage, keys::draw_clock(&record.id), &DrawClock::of(record));
}

/// A draw.
pub fn draw(view: &dyn StateView, id: &DrawId) -> Result<Option<RandomDraw>> {
    // Only the shape the chain makes: `draw/item/…` or `draw/DRAW-…/inspectors`
    // must never be read as a draw.
    if !is_record_id(id.as_str(), "DRAW-") {
        return Ok(None);
    }
    read::record(view, &keys::draw(id))
}

/// The inspector rows a draw reads.
pub fn inspector_rows(view: &dyn StateView, id: &DrawId) -> Result<Vec<InspectorRow>> {
    Ok(read::required::<InspectorSnapshot>(view, &keys::draw_inspectors(id))?.0)
}

/// The published results of a draw, by inspection number.
pub fn results(view: &dyn StateView, record: &RandomDraw) -> Result<Vec<InspectionOutcome>> {
    let mut found = Vec::new();
    for number in 0..record.inspections.len() as u32 {
        if let Some(outcome) = read::record(view, &keys::draw_result(&record.id, number))? {
            found.push(outcome);
        }
    }
    Ok(found)
}

/// An inspection item.
pub fn item(view: &dyn StateView, code: &str) -> Result<Option<InspectionItem>> {
    if code.is_empty() || code.len() > draw::MAX_ITEM_LEN {
        return Ok(None);
    }
    read::record(view, &keys::inspection_item(code))
}

/// Every inspection item, in the order first set.
pub fn items(view: &dyn StateView) -> Result<Vec<InspectionItem>> {
    let mut found = Vec::new();
    for code in index::text_entries(view, keys::index::INSPECTION_ITEMS)? {
        found.extend(item(view, &code)?);
    }
    Ok(found)
}

/// A department's inspectors, in the order first set.
pub fn department_inspectors(view: &dyn StateView, org: &OrgId) -> Result<Vec<DirectoryInspector>> {
    let mut found = Vec::new();
    for entry in index::text_entries(view, &keys::index::department_inspectors(org))? {
        let officer = KeyId::from_hex(&entry).map_err(|_| ContractError::CorruptState {
            key: format!("index/draw/inspectors/{org}"),
            reason: format!("{entry:?} is no key id"),
        })?;
        found.extend(read::record::<DirectoryInspector>(
            view,
            &keys::directory_inspector(org, &officer),
        )?);
    }
    Ok(found)
}

/// An entity snapshot.
pub fn snapshot(view: &dyn StateView, id: &SnapshotId) -> Result<Option<EntitySnapshot>> {
    if !is_record_id(id.as_str(), "SNAP-") {
        return Ok(None);
    }
    read::record(view, &keys::entity_snapshot(id))
}

/// Every draw id, newest first, at most `at_most`, and whether that is all.
pub fn newest_draws(view: &dyn StateView, at_most: usize) -> Result<(Vec<DrawId>, bool)> {
    index::newest_ids(view, keys::index::DRAWS, at_most)
}

/// The draw as the algorithm's result type (entities not yet named are
/// empty), for recusal and for `draw::verify`.
pub fn as_result(record: &RandomDraw) -> DrawResult {
    DrawResult {
        plan: record.plan.clone(),
        seed: record.seed.unwrap_or(Hash([0; 32])),
        date: record.date,
        entity_root: record.entity_root,
        inspector_root: record.inspector_root,
        classes: record.classes.clone(),
        inspections: record
            .inspections
            .iter()
            .map(|i| DrawnInspection {
                entity: i.entity.clone().unwrap_or_default(),
                risk_class: i.risk_class,
                inspectors: i.inspectors.clone(),
                recusals: i.recusals.clone(),
            })
            .collect(),
    }
}

/// The block time a draw rule's period from `start_ms` ends at; a chain
/// whose parameters lack the rule uses its default period.
pub fn due(params: &Params, rule_id: &str, start_ms: u64) -> u64 {
    let defaults = xianjie_ledger::random_draw::deadline_rules();
    let rule: Option<&DeadlineRule> = params
        .deadlines
        .iter()
        .find(|rule| rule.scope == RuleScope::Draw && rule.id == rule_id)
        .or_else(|| defaults.iter().find(|rule| rule.id == rule_id));
    rule.map_or(u64::MAX, |rule| {
        due_at(
            &params.calendar,
            &params.counting,
            rule.unit,
            rule.limit,
            start_ms,
        )
    })
}

/// Computes the seed and draws positions and inspectors (all nonces are in).
fn draw_positions(view: &dyn StateView, record: &mut RandomDraw) -> Result<()> {
    let (_, block_hash) = record
        .seed_block
        .ok_or_else(|| ContractError::CorruptState {
            key: format!("draw/{}", record.id),
            reason: "revealing without a seed block".into(),
        })?;
    let reveals: Vec<(OrgId, [u8; 32])> = record
        .committers
        .iter()
        .filter_map(|c| c.nonce.map(|nonce| (c.org.clone(), nonce.0)))
        .collect();
    let seed = draw::seed(&block_hash, &reveals)?;
    let snapshot = required_snapshot(view, &record.snapshot)?;
    let rows = inspector_rows(view, &record.id)?;
    let outline = draw::draw_outline(
        &seed,
        &record.plan,
        (&snapshot.classes, snapshot.root),
        &rows,
        record.date,
    )?;
    record.seed = Some(seed);
    record.classes = outline.result.classes;
    record.inspections = outline
        .result
        .inspections
        .into_iter()
        .zip(outline.positions)
        .map(|(drawn, position)| DrawnEntity {
            position,
            risk_class: drawn.risk_class,
            entity: None,
            inspectors: drawn.inspectors,
            recusals: drawn.recusals,
            recusal_records: Vec::new(),
        })
        .collect();
    record.state = DrawState::Naming;
    Ok(())
}

/// Every item of the plan is on the list, with the department the plan
/// names for it as its responsible department.
fn check_plan_items(view: &dyn StateView, plan: &draw::DrawPlan) -> Result<()> {
    for planned in &plan.items {
        let listed = item(view, &planned.item)?.ok_or_else(|| ContractError::UnknownItem {
            item: planned.item.clone(),
        })?;
        if listed.department != planned.department {
            return Err(invalid(
                "plan.items",
                format!(
                    "each item with its responsible department on the list: {} is {}'s, not {}'s",
                    planned.item, listed.department, planned.department
                ),
            ));
        }
    }
    Ok(())
}

/// The plan's departments' inspectors whose scope has all their
/// department's items of the plan, narrowed to those, sorted by key id.
fn inspector_snapshot(view: &dyn StateView, plan: &draw::DrawPlan) -> Result<Vec<InspectorRow>> {
    let mut rows = Vec::new();
    for department in &plan.departments {
        let items: Vec<&str> = plan.items_of(department).collect();
        for inspector in department_inspectors(view, department)? {
            // A revoked key cannot sign a result: it is not drawn.
            let active = read::officer(view, &inspector.officer)?.is_some_and(|o| o.active);
            if active {
                rows.extend(inspector.row_for(&items));
            }
        }
    }
    if rows.len() > MAX_DRAW_INSPECTORS {
        return Err(xianjie_ledger::error::DrawError::TooManyRows {
            directory: "inspector",
            count: rows.len(),
            max: MAX_DRAW_INSPECTORS,
        }
        .into());
    }
    rows.sort_by_key(|row| row.officer.0);
    Ok(rows)
}

/// The snapshot, which must be its owner's newest and younger than the
/// `DRAW_SNAPSHOT_AGE` period.
fn fresh_snapshot(
    view: &dyn StateView,
    params: &Params,
    ctx: &BlockCtx,
    id: &SnapshotId,
) -> Result<EntitySnapshot> {
    let snapshot = required_snapshot(view, id)?;
    let (newest, _) =
        index::newest_ids::<SnapshotId>(view, &keys::index::entity_snapshots(&snapshot.owner), 1)?;
    let expired = ctx.time_ms > due(params, DRAW_SNAPSHOT_AGE_RULE, snapshot.time_ms);
    if newest.first() != Some(&snapshot.id) || expired {
        return Err(ContractError::StaleSnapshot {
            id: snapshot.id,
            owner: snapshot.owner,
        });
    }
    Ok(snapshot)
}

/// Refuses a plan when the chain's, or the planning department's, open
/// draws are at their limits: one department cannot hold every slot.
fn check_open_draws(view: &dyn StateView, org: &OrgId) -> Result<()> {
    let open: Vec<DrawId> = index::id_entries(view, keys::index::OPEN_DRAWS)?;
    if open.len() >= MAX_OPEN_DRAWS as usize {
        return Err(ContractError::DrawsFull {
            max: MAX_OPEN_DRAWS,
        });
    }
    let mut own = 0;
    for id in &open {
        let clock: DrawClock = read::required(view, &keys::draw_clock(id))?;
        if clock.planned_by == *org {
            own += 1;
        }
    }
    if own >= MAX_OPEN_DRAWS_PER_DEPARTMENT {
        return Err(ContractError::DrawsFull {
            max: MAX_OPEN_DRAWS_PER_DEPARTMENT as u32,
        });
    }
    Ok(())
}

/// A period of real dates, from the draw date on, at most 366 days long.
fn check_period(period: &InspectionPeriod, date: u32) -> Result<()> {
    let days = |d: u32| day_number(d);
    let fits = match (days(period.from), days(period.until), days(date)) {
        (Some(from), Some(until), Some(today)) => {
            today <= from && from <= until && until - from < 366
        }
        _ => false,
    };
    if !fits {
        return Err(invalid(
            "period",
            format!("two yyyymmdd dates, from the draw date ({date}) on, the first not after the second, at most 366 days"),
        ));
    }
    Ok(())
}

fn check_witnesses(view: &dyn StateView, call: &PlanDraw) -> Result<()> {
    let witnesses = &call.witnesses;
    let sorted = witnesses
        .windows(2)
        .all(|w| w[0].as_str().as_bytes() < w[1].as_str().as_bytes());
    if witnesses.is_empty() || witnesses.len() > MAX_WITNESSES || !sorted {
        return Err(invalid(
            "witnesses",
            format!("1-{MAX_WITNESSES} organisations, sorted, without repeats"),
        ));
    }
    for org in witnesses.iter().chain(&call.plan.departments) {
        if call.plan.departments.contains(org) && witnesses.contains(org) {
            return Err(invalid(
                "witnesses",
                format!("organisations other than the departments; {org} issues the draw"),
            ));
        }
        read::org(view, org)?.ok_or_else(|| ContractError::UnknownOrg { org: org.clone() })?;
    }
    Ok(())
}

fn check_scopes(view: &dyn StateView, scopes: &[String]) -> Result<()> {
    let sorted = scopes.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes());
    if scopes.is_empty() || scopes.len() > draw::MAX_SCOPES || !sorted {
        return Err(invalid(
            "scopes",
            format!("1-{} item codes, sorted, without repeats", draw::MAX_SCOPES),
        ));
    }
    for code in scopes {
        item(view, code)?.ok_or_else(|| ContractError::UnknownItem { item: code.clone() })?;
    }
    Ok(())
}

fn check_item_code(code: &str) -> Result<()> {
    let ok = (1..=draw::MAX_ITEM_LEN).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(invalid(
            "item",
            format!(
                "1-{} printable ASCII characters without spaces",
                draw::MAX_ITEM_LEN
            ),
        ));
    }
    Ok(())
}

fn check_code(field: &'static str, code: &str) -> Result<()> {
    xianjie_ledger::deposit::check_label(code, MAX_CODE_LEN).map_err(|limit| invalid(field, limit))
}

fn check_state(record: &RandomDraw, needs: DrawState, action: &'static str) -> Result<()> {
    if record.state == needs {
        return Ok(());
    }
    Err(ContractError::DrawWrongState {
        id: record.id.clone(),
        state: record.state.name(),
        action,
        needs: needs.name(),
    })
}

fn check_before(record: &RandomDraw, ctx: &BlockCtx, deadline_ms: u64) -> Result<()> {
    if ctx.time_ms > deadline_ms {
        return Err(ContractError::DrawDeadlinePassed {
            id: record.id.clone(),
            deadline_ms,
        });
    }
    Ok(())
}

fn committer_of<'a>(record: &'a mut RandomDraw, signer: &Officer) -> Result<&'a mut Committer> {
    let id = record.id.clone();
    record
        .committers
        .iter_mut()
        .find(|c| c.org == signer.org)
        .ok_or_else(|| ContractError::NotDrawCommitter {
            id,
            org: signer.org.clone(),
        })
}

fn required_draw(view: &dyn StateView, id: &DrawId) -> Result<RandomDraw> {
    draw(view, id)?.ok_or_else(|| ContractError::UnknownDraw { id: id.clone() })
}

fn required_snapshot(view: &dyn StateView, id: &SnapshotId) -> Result<EntitySnapshot> {
    snapshot(view, id)?.ok_or_else(|| ContractError::UnknownSnapshot { id: id.clone() })
}
