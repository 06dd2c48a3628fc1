//! Cases: the transfer state machine of DOMAIN.md §b (forward), §c (reverse)
//! and §d (procuratorial supervision), as a data table ([`table::TABLE`])
//! interpreted by one engine ([`act`]).
//!
//! An administrative agency opens a case at `S0_LEAD` ([`open`]); each later
//! step is a `CaseAction` naming a row of the table. The engine checks, in
//! this order, and refuses with the first failing code:
//!
//! 1. the case exists (`unknown_case`) and the action is in the table
//!    (`unknown_action`);
//! 2. the case's state is one the row starts from (`invalid_transition`);
//! 3. the signer's organisation is the acting party (`wrong_org_kind` if its
//!    kind never performs the action, `not_case_party` otherwise) and its
//!    role suffices (`wrong_role`);
//! 4. the data: attachments (`missing_attachment`), target organisation
//!    (`missing_target`, `target_not_allowed`, `unknown_org`,
//!    `invalid_target`), task force (`taskforce_too_small`,
//!    `invalid_taskforce_member`), reasons (`missing_reason`), outcome
//!    (`missing_outcome`, `invalid_outcome`);
//! 5. the row's guards (`penalty_instead_of_transfer`, `already_suspected`,
//!    `not_overdue`, `window_closed`, …);
//! 6. the on-chain policy set (`policy_denied`).
//!
//! Invariants of §b.3: the task force has at least `cases.min_taskforce`
//! active officers of the owner; only the same-level police (same division
//! code as the agency, or a configured special-jurisdiction target) receives
//! a transfer; once a case reached S2 or the procuratorate required its
//! transfer (D3), an administrative decision may close it only after
//! S8X-final, S10X, S12X or S14, or while it is back in S1 because the head
//! declined the transfer with reasons (`continue-admin`) or the police
//! returned it as outside their remit (`return-to-admin`) and no D3 opinion
//! came after (`penalty_instead_of_transfer`, SC-Transfer Art 11 ¶1). An
//! administrative fine is imposed once per case, the case being one act
//! (`second_fine`, APL Art 29): the event log, not the overwritten mark,
//! says whether one was. A decision (a penalty or none) made before the case ever
//! reached S2 does not end the duty to transfer: the decided case may still
//! be marked suspected, and a penalty stays recorded for the later offset
//! (§b.3 ¶2; `already_suspected` for a case that was on the criminal track). The procuratorial opinion (D3) leaves the
//! agency's preparation (T2–T4) to the agency. At transfer the same-region
//! procuratorate is bound as the supervising procuratorate (抄送, T6c/D1) and
//! the case appears in its `supervised` index, and the case's class C
//! evidence collected by the agency is flagged for re-collection (DOMAIN §e).
//!
//! UNVERIFIED points of DOMAIN §11 are parameters, not code: the day
//! counting and deadlines (`Params::deadlines`, `counting`, `calendar`),
//! whether supervision may run beside a pending reconsideration
//! (`cases.supervision_during_reconsideration`), which categories must be
//! re-collected (`category_classes`: class C), and who reads what (the
//! policy set).

pub mod table;

use std::collections::BTreeSet;

use xianjie_ledger::case::{
    ActionMark, Case, CaseEvent, CaseState, LeadKind, Outcome, Recollection, MAX_ATTACHMENTS,
    MAX_CASE_EVENTS, MAX_CASE_EVIDENCE, MAX_CASE_TITLE_LEN, MAX_TASKFORCE,
};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{is_case_reference, CaseId, OrgId};
use xianjie_ledger::model::{
    EvidenceClass, EvidenceRecord, Officer, Org, OrgKind, Role, MAX_CASE_ID_LEN,
};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::tx::{CaseAction, CaseStep, LinkRecollected, OpenCase};

use crate::error::{ContractError, Result};
use crate::evidence::invalid;
use crate::overlay::Overlay;
use crate::policy::{self, Resource};
use crate::{deadline, index, read, supervision, BlockCtx};

pub use table::{
    action_names, transition, Effect, Guard, MinRole, Next, Party, Target, Transition,
};
use table::{MAX_SUPPLEMENTARY_INVESTIGATIONS, OPEN_CASE, TABLE};

/// Opens a case at `S0_LEAD`, owned by the signer's administrative agency.
pub fn open(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &OpenCase,
) -> Result<WriteSet> {
    if call.title.trim().is_empty()
        || call.title.len() > MAX_CASE_TITLE_LEN
        || call.title.chars().any(char::is_control)
    {
        return Err(invalid(
            "title",
            format!("1-{MAX_CASE_TITLE_LEN} bytes without control characters"),
        ));
    }
    if let Some(reference) = &call.lead.reference {
        if !is_case_reference(reference) {
            return Err(invalid(
                "lead.reference",
                format!("1-{MAX_CASE_ID_LEN} characters of A-Z, a-z, 0-9, -, _, / and ."),
            ));
        }
    }
    // A natural person is named by the salted hash of the identity number
    // (docs/clue.md §3); a legal person by its checked USCC.
    let entity = match xianjie_ledger::clue::is_person_code(&call.entity) {
        true => call.entity.clone(),
        false => read::chain_uscc(view, &call.entity)?,
    };
    let params = read::params_shared(view)?;
    if !params.cases.domains.contains(&call.domain) {
        return Err(ContractError::UnknownDomain {
            domain: call.domain.clone(),
        });
    }
    let org = signer_org(view, signer)?;
    if org.kind != OrgKind::AdministrativeAgency {
        return Err(ContractError::WrongOrgKind {
            action: OPEN_CASE.into(),
            kind: org.kind,
            expected: "an administrative agency".into(),
        });
    }
    check_role(OPEN_CASE, MinRole::Officer, signer)?;
    let id = CaseId::for_tx(tx_hash);
    if read::case(view, &id)?.is_some() {
        return Err(ContractError::CaseExists { case_id: id });
    }
    let case = Case {
        id: id.clone(),
        title: call.title.clone(),
        entity,
        domain: call.domain.clone(),
        lead: call.lead.clone(),
        owner: org.id.clone(),
        region: org.region.clone(),
        state: CaseState::S0Lead,
        police: None,
        procuratorate: None,
        court: None,
        taskforce: Vec::new(),
        flags: Default::default(),
        marks: vec![ActionMark {
            action: OPEN_CASE.into(),
            seq: 0,
            time_ms: ctx.time_ms,
            height: ctx.height,
            outcome: None,
        }],
        opened_height: ctx.height,
        opened_at_ms: ctx.time_ms,
        updated_at_ms: ctx.time_ms,
        event_count: 1,
        paused: Vec::new(),
    };
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::OpenCase,
        Resource::Case(&case),
    )?;
    let event = CaseEvent {
        seq: 0,
        action: OPEN_CASE.into(),
        from: CaseState::S0Lead,
        to: CaseState::S0Lead,
        org: org.id.clone(),
        officer: signer.id,
        attachments: Vec::new(),
        officers: Vec::new(),
        target: None,
        reason_digest: None,
        outcome: None,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
    };
    let mut stage = Overlay::new(view);
    if call.lead.kind == LeadKind::Clue {
        let reference = call.lead.reference.as_deref();
        crate::clue::convert_by_case(
            &mut stage,
            ctx,
            signer,
            tx_hash,
            (&id, &case.entity),
            reference,
        )?;
    }
    if call.lead.kind == LeadKind::RandomInspection {
        let reference = call.lead.reference.as_deref();
        crate::random_draw::open_case_on_finding(
            &mut stage,
            signer,
            (&id, &case.entity),
            reference,
        )?;
    }
    read::put(&mut stage, keys::case_event(&id, 0), &event);
    read::put(&mut stage, keys::case(&id), &case);
    index::insert(&mut stage, keys::index::OPEN_CASES, id.as_bytes())?;
    index::insert(&mut stage, &keys::index::org_cases(&org.id), id.as_bytes())?;
    Ok(stage.into_writes())
}

/// Records one step of a case (see the module docs for the checks).
pub fn act(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &CaseAction,
) -> Result<WriteSet> {
    act_with(view, ctx, signer, tx_hash, call, None)
}

/// Records one step of a case with the key facts it rests on (see
/// [`crate::supervision`]): the facts are checked before anything else of
/// the step, and recorded with it.
pub fn act_step(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    step: &CaseStep,
) -> Result<WriteSet> {
    supervision::check_step(step, deadline::local_date(ctx.time_ms))?;
    act_with(view, ctx, signer, tx_hash, &step.action, Some(step))
}

fn act_with(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &CaseAction,
    step: Option<&CaseStep>,
) -> Result<WriteSet> {
    check_bounds(call)?;
    let mut case = read::case(view, &call.case_id)?.ok_or_else(|| ContractError::UnknownCase {
        case_id: call.case_id.clone(),
    })?;
    let row = transition(&call.action).ok_or_else(|| ContractError::UnknownAction {
        action: call.action.clone(),
    })?;
    let params = read::params_shared(view)?;
    if !row.from.contains(&case.state) || gained_later(row, case.state, &params) {
        return Err(ContractError::InvalidTransition {
            action: row.action.into(),
            state: case.state,
        });
    }
    let org = signer_org(view, signer)?;
    let party = acting_party(view, row, &case, &org)?;
    check_role(row.action, row.role, signer)?;
    check_attachments(row, &params, &case, call)?;
    let target = check_target(view, row, &params, &case, call)?;
    check_taskforce(view, row, &params, signer, call)?;
    if row.reason && call.reason_digest.is_none() {
        return Err(ContractError::MissingReason {
            action: row.action.into(),
        });
    }
    let next = next_state(row, &case, call)?;
    check_guards(view, row, &params, &case, signer, call.outcome, ctx)?;
    if case.event_count >= MAX_CASE_EVENTS {
        return Err(ContractError::CaseLogFull {
            case_id: case.id.clone(),
        });
    }
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::Case(row.action),
        Resource::Case(&case),
    )?;

    let mut stage = Overlay::new(view);
    let from = case.state;
    // Before the state changes: a clock stops with the time it has run.
    deadline::stop_clocks(&params, &mut case, row.action, ctx.time_ms);
    if party == Party::Procuratorate && case.procuratorate.is_none() {
        bind_procuratorate(&mut stage, &mut case, &org.id)?;
    }
    for effect in row.effects {
        apply_effect(&mut stage, &mut case, *effect, call, target.as_ref())?;
    }
    case.state = next;
    update_flags(&mut case, next);
    let seq = case.event_count;
    set_mark(&mut case, row.action, seq, ctx, call.outcome);
    supervision::on_step(&mut stage, ctx, &params, &mut case, (row.action, step), seq)?;
    case.event_count += 1;
    case.updated_at_ms = ctx.time_ms;
    if next.is_terminal() {
        index::remove(&mut stage, keys::index::OPEN_CASES, case.id.as_bytes())?;
    } else if from.is_terminal() {
        // D3 reopened a case closed without a transfer.
        index::insert(&mut stage, keys::index::OPEN_CASES, case.id.as_bytes())?;
    }
    if row.action == "file" && from == CaseState::S8sFilingSupervision {
        // The 催办函 clock starts at the filing under supervision.
        set_mark(
            &mut case,
            xianjie_ledger::case::SUPERVISED_FILING,
            seq,
            ctx,
            None,
        );
    }
    for attachment in &call.attachments {
        if let Some(record) = read::evidence(&stage, &attachment.digest)? {
            link_evidence(&mut stage, &case, &record, ctx.height)?;
        }
    }
    if row.effects.contains(&Effect::Transfer) {
        supervision::on_transfer(&mut stage, ctx, &case)?;
        for digest in read::case_evidence(&stage, &case.id)? {
            if let Some(record) = read::evidence(&stage, &digest)? {
                flag_for_recollection(&mut stage, &case, &record, ctx.height)?;
            }
        }
    }
    let event = CaseEvent {
        seq,
        action: row.action.into(),
        from,
        to: next,
        org: org.id.clone(),
        officer: signer.id,
        attachments: call.attachments.clone(),
        officers: call.officers.clone(),
        target: call.to.clone(),
        reason_digest: call.reason_digest,
        outcome: call.outcome,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
    };
    read::put(&mut stage, keys::case_event(&case.id, seq), &event);
    read::put(&mut stage, keys::case(&case.id), &case);
    Ok(stage.into_writes())
}

fn check_bounds(call: &CaseAction) -> Result<()> {
    if call.attachments.len() > MAX_ATTACHMENTS {
        return Err(invalid(
            "attachments",
            format!("at most {MAX_ATTACHMENTS} attachments"),
        ));
    }
    let digests: BTreeSet<_> = call.attachments.iter().map(|a| a.digest).collect();
    if digests.len() != call.attachments.len() {
        return Err(invalid(
            "attachments",
            "a list without repeated digests".into(),
        ));
    }
    if call.officers.len() > MAX_TASKFORCE {
        return Err(invalid(
            "officers",
            format!("at most {MAX_TASKFORCE} officers"),
        ));
    }
    if call.officers.iter().collect::<BTreeSet<_>>().len() != call.officers.len() {
        return Err(invalid(
            "officers",
            "a list without repeated officers".into(),
        ));
    }
    Ok(())
}

fn signer_org(view: &dyn StateView, signer: &Officer) -> Result<Org> {
    read::org(view, &signer.org)?.ok_or_else(|| ContractError::CorruptState {
        key: format!("org/{}", signer.org),
        reason: "an officer's organisation is missing".into(),
    })
}

fn describe(parties: &[Party]) -> String {
    parties
        .iter()
        .map(|party| match party {
            Party::Owner => "owning agency",
            Party::Police => "receiving police",
            Party::Procuratorate => "supervising procuratorate",
            Party::Court => "trial court",
            Party::HigherProcuratorate => "higher procuratorate the case was sent up to",
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The actions that send a case up to a higher procuratorate, naming it as
/// their target.
const SENT_UP_BY: [&str; 2] = ["request-higher-review", "report-to-higher"];

/// The higher procuratorate the case was last sent up to: the target of the
/// latest `request-higher-review` or `report-to-higher` event, read through
/// its mark's `seq`.
pub fn higher_procuratorate(view: &dyn StateView, case: &Case) -> Result<Option<OrgId>> {
    let Some(latest) = SENT_UP_BY
        .iter()
        .filter_map(|action| case.mark(action))
        .max_by_key(|mark| mark.seq)
    else {
        return Ok(None);
    };
    let key = keys::case_event(&case.id, latest.seq);
    let event: CaseEvent =
        read::record(view, &key)?.ok_or_else(|| ContractError::CorruptState {
            key: format!("case-event/{}/{}", case.id, latest.seq),
            reason: "the event of a mark is missing".into(),
        })?;
    Ok(event.target)
}

/// The party the signer's organisation acts as.
fn acting_party(view: &dyn StateView, row: &Transition, case: &Case, org: &Org) -> Result<Party> {
    for party in row.actors {
        let matches = match party {
            Party::Owner => case.owner == org.id,
            Party::Police => case.police.as_ref() == Some(&org.id),
            Party::Procuratorate => match &case.procuratorate {
                Some(bound) => *bound == org.id,
                None => org.kind == OrgKind::Procuratorate && org.region == case.region,
            },
            Party::Court => case.court.as_ref() == Some(&org.id),
            Party::HigherProcuratorate => {
                org.kind == OrgKind::Procuratorate
                    && higher_procuratorate(view, case)?.as_ref() == Some(&org.id)
            }
        };
        if matches {
            return Ok(*party);
        }
    }
    let expected = describe(row.actors);
    if row.actors.iter().any(|party| party.org_kind() == org.kind) {
        Err(ContractError::NotCaseParty {
            action: row.action.into(),
            org: org.id.clone(),
            expected,
        })
    } else {
        Err(ContractError::WrongOrgKind {
            action: row.action.into(),
            kind: org.kind,
            expected,
        })
    }
}

fn check_role(action: &str, required: MinRole, signer: &Officer) -> Result<()> {
    let allowed = match (required, signer.role) {
        (_, Role::Admin) => false,
        (MinRole::Head, Role::Officer) => false,
        (MinRole::Head, Role::Head) | (MinRole::Officer, Role::Officer | Role::Head) => true,
    };
    if allowed {
        return Ok(());
    }
    Err(ContractError::WrongRole {
        action: action.into(),
        role: signer.role,
        required: match required {
            MinRole::Officer => "an officer or head key",
            MinRole::Head => "the head's key",
        },
    })
}

fn check_attachments(
    row: &Transition,
    params: &Params,
    case: &Case,
    call: &CaseAction,
) -> Result<()> {
    let extra = params
        .cases
        .domain_attachments
        .iter()
        .filter(|entry| entry.domain == case.domain && entry.action == row.action)
        .map(|entry| entry.kind);
    for kind in row.attachments.iter().copied().chain(extra) {
        if !call.attachments.iter().any(|a| a.kind == kind) {
            return Err(ContractError::MissingAttachment {
                action: row.action.into(),
                kind,
            });
        }
    }
    Ok(())
}

/// The target organisation, checked against the row's rule.
fn check_target(
    view: &dyn StateView,
    row: &Transition,
    params: &Params,
    case: &Case,
    call: &CaseAction,
) -> Result<Option<Org>> {
    if row.target == Target::None {
        return match call.to {
            Some(_) => Err(ContractError::TargetNotAllowed {
                action: row.action.into(),
            }),
            None => Ok(None),
        };
    }
    let to = call
        .to
        .as_ref()
        .ok_or_else(|| ContractError::MissingTarget {
            action: row.action.into(),
        })?;
    let org = read::org(view, to)?.ok_or_else(|| ContractError::UnknownOrg { org: to.clone() })?;
    let refuse = |reason: String| ContractError::InvalidTarget {
        action: row.action.into(),
        target: to.clone(),
        reason,
    };
    match row.target {
        Target::SameLevelPolice => {
            let configured = params
                .cases
                .transfer_targets
                .iter()
                .any(|t| t.agency == case.owner && t.police == *to);
            if org.kind != OrgKind::Police {
                return Err(refuse("it is not a police organ".into()));
            }
            if org.region != case.region && !configured {
                return Err(refuse(format!(
                    "only the same-level police (region {}) or a configured special-jurisdiction police receives a transfer (SC-Transfer Art 5 ¶2)",
                    case.region
                )));
            }
        }
        Target::OtherPolice => {
            if org.kind != OrgKind::Police {
                return Err(refuse("it is not a police organ".into()));
            }
            if case.police.as_ref() == Some(to) {
                return Err(refuse("the case is already with it".into()));
            }
        }
        Target::Court => {
            if org.kind != OrgKind::Court {
                return Err(refuse("it is not a court".into()));
            }
        }
        Target::HigherProcuratorate => {
            check_higher_procuratorate(view, case, &org).map_err(refuse)?
        }
        Target::None => {}
    }
    Ok(Some(org))
}

/// A procuratorate above the supervising one (a higher level) whose
/// division contains the case's region: `330000` contains `330100`.
fn check_higher_procuratorate(
    view: &dyn StateView,
    case: &Case,
    org: &Org,
) -> std::result::Result<(), String> {
    if org.kind != OrgKind::Procuratorate {
        return Err("it is not a procuratorate".into());
    }
    let supervising = match &case.procuratorate {
        Some(id) => read::org(view, id).map_err(|e| e.to_string())?,
        None => None,
    };
    let above = supervising.is_none_or(|own| org.level < own.level && org.id != own.id);
    let prefix = org.region.trim_end_matches("00");
    if !above || org.region == case.region || !case.region.starts_with(prefix) {
        return Err(format!(
            "the higher procuratorate is one of a higher level whose division contains {}",
            case.region
        ));
    }
    Ok(())
}

fn check_taskforce(
    view: &dyn StateView,
    row: &Transition,
    params: &Params,
    signer: &Officer,
    call: &CaseAction,
) -> Result<()> {
    if !row.taskforce {
        if call.officers.is_empty() {
            return Ok(());
        }
        return Err(invalid(
            "officers",
            format!("empty: {} names no officers", row.action),
        ));
    }
    let min = params.cases.min_taskforce;
    if call.officers.len() < usize::from(min) {
        return Err(ContractError::TaskforceTooSmall {
            named: call.officers.len(),
            min,
        });
    }
    for officer in &call.officers {
        let active_member = read::officer(view, officer)?
            .is_some_and(|record| record.active && record.org == signer.org);
        if !active_member {
            return Err(ContractError::InvalidTaskforceMember {
                officer: *officer,
                org: signer.org.clone(),
            });
        }
    }
    Ok(())
}

fn next_state(row: &Transition, case: &Case, call: &CaseAction) -> Result<CaseState> {
    let allowed = row.outcomes();
    match (call.outcome, allowed.is_empty()) {
        (Some(outcome), true) => {
            return Err(ContractError::InvalidOutcome {
                action: row.action.into(),
                outcome,
            })
        }
        (None, false) => {
            return Err(ContractError::MissingOutcome {
                action: row.action.into(),
                allowed,
            })
        }
        (Some(outcome), false) if !allowed.contains(&outcome) => {
            return Err(ContractError::InvalidOutcome {
                action: row.action.into(),
                outcome,
            })
        }
        _ => {}
    }
    row.next_state(case.state, call.outcome)
        .ok_or_else(|| ContractError::InvalidTransition {
            action: row.action.into(),
            state: case.state,
        })
}

/// Whether `action` may extend `rule`'s clock now: the parameters give the
/// rule this extension, the clock runs, it was not extended since it
/// started and it is not yet due.
fn check_extension(
    params: &Params,
    case: &Case,
    action: &str,
    rule_id: &str,
    ctx: &BlockCtx,
) -> Result<()> {
    let not_extendable = || ContractError::NotExtendable {
        rule: rule_id.into(),
    };
    let rule = params
        .deadlines
        .iter()
        .find(|rule| rule.id == rule_id)
        .filter(|rule| rule.extension.as_ref().is_some_and(|e| e.action == action))
        .ok_or_else(not_extendable)?;
    let start = deadline::started_by(rule, case).ok_or_else(not_extendable)?;
    if deadline::extension_granted(rule, case, start).is_some() {
        return Err(ContractError::AlreadyExtended {
            case_id: case.id.clone(),
            rule: rule_id.into(),
        });
    }
    let clock = deadline::clock(params, rule, case, ctx.time_ms).ok_or_else(not_extendable)?;
    if clock.expired {
        return Err(ContractError::ExtensionTooLate {
            rule: rule_id.into(),
            due_at_ms: clock.due_at_ms,
        });
    }
    Ok(())
}

/// The event (`CaseEvent::seq`) of the administrative fine (罚款) decided on
/// the case, if one was: a `penalty-decision` with outcome `fine`. The case
/// is one act, and an act is fined once (APL Art 29). The `penalty-decision`
/// mark keeps only the latest decision, so an earlier fine it no longer
/// shows is looked up in the event log (at most [`MAX_CASE_EVENTS`] reads,
/// and only when a later decision overwrote the mark).
pub fn fine_imposed(view: &dyn StateView, case: &Case) -> Result<Option<u32>> {
    let Some(latest) = case.mark("penalty-decision") else {
        return Ok(None);
    };
    if latest.outcome == Some(Outcome::Fine) {
        return Ok(Some(latest.seq));
    }
    for seq in 0..latest.seq {
        let event: CaseEvent =
            read::record(view, &keys::case_event(&case.id, seq))?.ok_or_else(|| {
                ContractError::CorruptState {
                    key: format!("case-event/{}/{seq}", case.id),
                    reason: "an event below the case's event count is missing".into(),
                }
            })?;
        if event.action == "penalty-decision" && event.outcome == Some(Outcome::Fine) {
            return Ok(Some(seq));
        }
    }
    Ok(None)
}

/// Whether the case is back with the agency for administrative handling
/// without a transfer due: the head declined the transfer with reasons
/// recorded and the agency continued (T5x `continue-admin`), or the police
/// returned the matter in writing as outside their remit (T7c
/// `return-to-admin`), and no procuratorial opinion requiring the transfer
/// (D3 `suggest-transfer`) came after. The decline stays reviewable (D3,
/// SC-Transfer Arts 14 ¶2, 16): an opinion recorded later bars the penalty
/// again until the head decides on the transfer once more.
fn back_for_administrative_handling(case: &Case) -> bool {
    if case.state != CaseState::S1AdminCase {
        return false;
    }
    let Some(back) = ["continue-admin", "return-to-admin"]
        .iter()
        .filter_map(|action| case.mark(action))
        .max_by_key(|mark| mark.seq)
    else {
        return false;
    };
    case.mark("suggest-transfer")
        .is_none_or(|opinion| opinion.seq < back.seq)
}

/// A penalty (or fine) was decided and not published since: in R5 and R6
/// the case's decision, elsewhere one decided before the case turned
/// criminal. A decision of no penalty is not published.
fn check_penalty_to_publish(case: &Case) -> Result<()> {
    let unpublished = case.mark("penalty-decision").is_some_and(|decision| {
        decision.outcome.is_some_and(|o| o.is_a(Outcome::Penalty))
            && case
                .mark("publish")
                .is_none_or(|published| published.seq < decision.seq)
    });
    if unpublished {
        Ok(())
    } else {
        Err(ContractError::NothingToPublish {
            case_id: case.id.clone(),
        })
    }
}

/// D6: a 通知撤销案件书 was recorded and no 复议 or 复核 decision after it
/// revoked it.
fn check_withdrawal_notice(case: &Case) -> Result<()> {
    let standing = case.mark("notify-withdrawal").is_some_and(|notice| {
        ["decide-proc-reconsideration", "decide-higher-review"]
            .iter()
            .filter_map(|action| case.mark(action))
            .all(|decision| decision.seq < notice.seq || decision.outcome != Some(Outcome::Revoke))
    });
    if standing {
        Ok(())
    } else {
        Err(ContractError::NoWithdrawalNotice {
            case_id: case.id.clone(),
        })
    }
}

/// States rows gained with the D6 notice to correct
/// ([`deadline::has_withdrawal_notice_rules`]), as (action, states).
const GAINED_WITH_WITHDRAWAL_NOTICE: &[(&str, &[CaseState])] = &[(
    "notice-to-correct",
    &[
        CaseState::S8Filed,
        CaseState::S9ItemsHandedOver,
        CaseState::S10Investigation,
    ],
)];

/// Whether `row` runs from `state` only on chains with rules these
/// parameters lack, so that blocks written before it replay as they were.
fn gained_later(row: &Transition, state: CaseState, params: &Params) -> bool {
    GAINED_WITH_WITHDRAWAL_NOTICE
        .iter()
        .any(|(action, states)| *action == row.action && states.contains(&state))
        && !deadline::has_withdrawal_notice_rules(params)
}

/// Of the rules an `Overdue` guard names, the one whose clock would run in
/// `state` (the one to wait for), else the first.
fn awaited_rule(params: &Params, rules: &[&'static str], state: CaseState) -> &'static str {
    rules
        .iter()
        .copied()
        .find(|id| {
            params
                .deadlines
                .iter()
                .any(|rule| rule.id == *id && rule.on.contains(&state))
        })
        .or_else(|| rules.first().copied())
        .unwrap_or_default()
}

fn check_guards(
    view: &dyn StateView,
    row: &Transition,
    params: &Params,
    case: &Case,
    signer: &Officer,
    outcome: Option<Outcome>,
    ctx: &BlockCtx,
) -> Result<()> {
    for guard in row.guards {
        match guard {
            Guard::TaskforceMember => {
                if signer.role != Role::Head && !case.taskforce.contains(&signer.id) {
                    return Err(ContractError::NotTaskforceMember { officer: signer.id });
                }
            }
            Guard::Overdue(rules) => {
                let overdue = deadline::case_clocks(params, case, ctx.time_ms)
                    .iter()
                    .any(|clock| rules.contains(&clock.rule.as_str()) && clock.expired);
                if !overdue {
                    return Err(ContractError::NotOverdue {
                        rule: awaited_rule(params, rules, case.state).into(),
                    });
                }
            }
            Guard::WithinWindow(rule) => {
                let closed = deadline::case_clocks(params, case, ctx.time_ms)
                    .into_iter()
                    .find(|clock| clock.rule == *rule && clock.expired);
                if let Some(clock) = closed {
                    return Err(ContractError::WindowClosed {
                        rule: clock.rule,
                        due_at_ms: clock.due_at_ms,
                    });
                }
            }
            Guard::Answers(request) => {
                let pending = case.mark(request).is_some_and(|asked| {
                    case.mark(row.action)
                        .is_none_or(|answered| answered.seq < asked.seq)
                });
                if !pending {
                    return Err(ContractError::NothingToAnswer {
                        action: row.action.into(),
                        request: (*request).into(),
                    });
                }
            }
            Guard::After(earlier) => {
                if case.mark(earlier).is_none() {
                    return Err(ContractError::StepMissing {
                        action: row.action.into(),
                        needs: (*earlier).into(),
                    });
                }
            }
            Guard::NeverTransferred => {
                let decided = matches!(
                    case.state,
                    CaseState::R5Decided
                        | CaseState::R6Replied
                        | CaseState::R7Published
                        | CaseState::R8FollowUp
                        | CaseState::R9Closed
                );
                if decided && case.mark("transfer").is_some() {
                    return Err(ContractError::AlreadyTransferred {
                        case_id: case.id.clone(),
                    });
                }
            }
            Guard::NoPenaltyInsteadOfTransfer => {
                let transfer_due = case.flags.suspected || case.mark("suggest-transfer").is_some();
                if transfer_due
                    && !case.flags.transfer_resolved
                    && !back_for_administrative_handling(case)
                {
                    return Err(ContractError::PenaltyInsteadOfTransfer {
                        case_id: case.id.clone(),
                    });
                }
            }
            Guard::Extends(rule) => check_extension(params, case, row.action, rule, ctx)?,
            Guard::NoFineAfterCriminalFine => {
                let criminal_fine = case
                    .mark("judgment")
                    .is_some_and(|judgment| judgment.outcome == Some(Outcome::ConvictedFined));
                if criminal_fine && outcome == Some(Outcome::Fine) {
                    return Err(ContractError::FineAfterCriminalFine {
                        case_id: case.id.clone(),
                    });
                }
            }
            Guard::StopsClock(rule_id) => {
                let running = params
                    .deadlines
                    .iter()
                    .find(|rule| {
                        rule.id == *rule_id
                            && rule.pause.as_ref().is_some_and(|p| p.suspend == row.action)
                    })
                    .is_some_and(|rule| deadline::started_by(rule, case).is_some());
                if !running {
                    return Err(ContractError::ClockNotRunning {
                        rule: (*rule_id).into(),
                    });
                }
            }
            Guard::RestartsClock(rule_id) => {
                let stopped = params
                    .deadlines
                    .iter()
                    .find(|rule| {
                        rule.id == *rule_id
                            && rule.pause.as_ref().is_some_and(|p| p.resume == row.action)
                    })
                    .is_some_and(|rule| deadline::is_stopped(rule, case));
                if !stopped {
                    return Err(ContractError::ClockNotStopped {
                        rule: (*rule_id).into(),
                    });
                }
            }
            Guard::NoSecondFine => {
                if outcome == Some(Outcome::Fine) {
                    if let Some(seq) = fine_imposed(view, case)? {
                        return Err(ContractError::SecondFine {
                            case_id: case.id.clone(),
                            seq,
                        });
                    }
                }
            }
            Guard::NeverSuspected => {
                if case.state != CaseState::S1AdminCase && case.flags.suspected {
                    return Err(ContractError::AlreadySuspected {
                        case_id: case.id.clone(),
                    });
                }
            }
            Guard::NotReconsidered => {
                if case.flags.reconsidered {
                    return Err(ContractError::AlreadyReconsidered);
                }
            }
            Guard::SupplementaryInvestigationsLeft => {
                if case.flags.supplementary_investigations >= MAX_SUPPLEMENTARY_INVESTIGATIONS {
                    return Err(ContractError::SupplementaryInvestigationLimit {
                        case_id: case.id.clone(),
                        limit: MAX_SUPPLEMENTARY_INVESTIGATIONS,
                    });
                }
            }
            Guard::PenaltyToPublish => check_penalty_to_publish(case)?,
            Guard::NotHandedOver => {
                if case.flags.items_handed_over {
                    return Err(ContractError::AlreadyHandedOver);
                }
            }
            Guard::SupervisionDuringReconsideration => {
                if case.state == CaseState::S8rReconsideration
                    && !params.cases.supervision_during_reconsideration
                {
                    return Err(ContractError::SupervisionDuringReconsideration);
                }
            }
            Guard::WithdrawalNoticeStands => check_withdrawal_notice(case)?,
            Guard::NoticeBeforeInvestigation => {
                if case.state != CaseState::S10Investigation {
                    check_withdrawal_notice(case)?;
                }
            }
            Guard::ReplyBeforeClose => {
                if let Some(opinion) = case.mark("reverse-transfer") {
                    let replied = case.mark("reply").is_some_and(|r| r.seq > opinion.seq);
                    if !replied {
                        return Err(ContractError::ReplyRequired);
                    }
                }
            }
        }
    }
    Ok(())
}

fn add_party_index(stage: &mut Overlay<'_>, case: &Case, org: &OrgId) -> Result<()> {
    index::insert(stage, &keys::index::org_cases(org), case.id.as_bytes())
}

fn bind_procuratorate(stage: &mut Overlay<'_>, case: &mut Case, org: &OrgId) -> Result<()> {
    case.procuratorate = Some(org.clone());
    add_party_index(stage, case, org)?;
    index::insert(
        stage,
        &keys::index::supervised_cases(org),
        case.id.as_bytes(),
    )
}

/// The procuratorate that supervises transfers from `region`: a member
/// procuratorate with the same division code (the one with the smallest id
/// if several are).
fn regional_procuratorate(view: &dyn StateView, region: &str) -> Result<Option<OrgId>> {
    for id in read::orgs_in_region(view, region)? {
        if read::org(view, &id)?.is_some_and(|org| org.kind == OrgKind::Procuratorate) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

fn apply_effect(
    stage: &mut Overlay<'_>,
    case: &mut Case,
    effect: Effect,
    call: &CaseAction,
    target: Option<&Org>,
) -> Result<()> {
    match effect {
        Effect::Taskforce => case.taskforce = call.officers.clone(),
        Effect::Transfer | Effect::Forward => {
            if let Some(police) = target {
                case.police = Some(police.id.clone());
                add_party_index(stage, case, &police.id)?;
            }
            if effect == Effect::Transfer && case.procuratorate.is_none() {
                // The transfer itself is mandatory (SC-Transfer Art 5); the
                // copy to the procuratorate is not in the regulation (T6c,
                // UNVERIFIED), so a region without a member procuratorate
                // does not block it: the first one to act is bound then.
                if let Some(procuratorate) = regional_procuratorate(stage, &case.region)? {
                    bind_procuratorate(stage, case, &procuratorate)?;
                }
            }
        }
        Effect::JoinHigherProcuratorate => {
            if let Some(higher) = target {
                add_party_index(stage, case, &higher.id)?;
                index::insert(
                    stage,
                    &keys::index::supervised_cases(&higher.id),
                    case.id.as_bytes(),
                )?;
            }
        }
        Effect::BindCourt => {
            if let Some(court) = target {
                case.court = Some(court.id.clone());
                add_party_index(stage, case, &court.id)?;
            }
        }
        Effect::ItemsHandedOver => case.flags.items_handed_over = true,
        Effect::Reconsidered => {
            case.flags.reconsidered = true;
            if call.outcome == Some(Outcome::Uphold) {
                case.flags.non_filing_final = true;
            }
        }
        Effect::NonFilingFinal => case.flags.non_filing_final = true,
        Effect::SupplementaryInvestigation => {
            // The guard bounds it by MAX_SUPPLEMENTARY_INVESTIGATIONS.
            case.flags.supplementary_investigations += 1;
        }
    }
    Ok(())
}

/// The history facts after entering `next` (DOMAIN §b.3 ¶1).
fn update_flags(case: &mut Case, next: CaseState) {
    let flags = &mut case.flags;
    if next.is_criminal_track() {
        flags.suspected = true;
    }
    if next == CaseState::S8Filed {
        // Filed after all: the non-filing is no longer final.
        flags.non_filing_final = false;
        flags.transfer_resolved = false;
    }
    if next == CaseState::S12Indicted {
        // Indicted after a revoked non-prosecution: the criminal case is
        // open again until judgment.
        flags.transfer_resolved = false;
    }
    if flags.non_filing_final
        || matches!(
            next,
            CaseState::S10xWithdrawn | CaseState::S12xNotProsecuted | CaseState::S14Judgment
        )
    {
        flags.transfer_resolved = true;
    }
}

/// Records that `action` happened at event `seq` (one mark per action: the
/// latest wins). Also used for the marks the chain records itself
/// (`supervised-filing`, `threshold-met`).
pub(crate) fn set_mark(
    case: &mut Case,
    action: &str,
    seq: u32,
    ctx: &BlockCtx,
    outcome: Option<Outcome>,
) {
    let mark = ActionMark {
        action: action.into(),
        seq,
        time_ms: ctx.time_ms,
        height: ctx.height,
        outcome,
    };
    match case.marks.iter_mut().find(|m| m.action == action) {
        Some(existing) => *existing = mark,
        None => case.marks.push(mark),
    }
}

/// Links an evidence record to a case (idempotent), flagging it if the case
/// was already transferred.
pub(crate) fn link_evidence(
    stage: &mut Overlay<'_>,
    case: &Case,
    record: &EvidenceRecord,
    height: u64,
) -> Result<()> {
    let name = keys::index::case_evidence(&case.id);
    let digest = record.anchor.digest.0;
    if !index::contains(stage, &name, &digest)? {
        if index::len(stage, &name)? as usize >= MAX_CASE_EVIDENCE {
            return Err(ContractError::CaseEvidenceFull {
                case_id: case.id.clone(),
            });
        }
        index::insert(stage, &name, &digest)?;
    }
    if case.mark("transfer").is_some() {
        flag_for_recollection(stage, case, record, height)?;
    }
    Ok(())
}

/// Class C evidence the owning agency collected must be re-collected once
/// the case is transferred (DOMAIN §e).
fn flag_for_recollection(
    stage: &mut Overlay<'_>,
    case: &Case,
    record: &EvidenceRecord,
    height: u64,
) -> Result<()> {
    if record.class != EvidenceClass::Recollect || record.org != case.owner {
        return Ok(());
    }
    let key = keys::recollection(&record.anchor.digest);
    if read::record::<Recollection>(stage, &key)?.is_some() {
        return Ok(());
    }
    let flag = Recollection {
        original: record.anchor.digest,
        case_id: case.id.clone(),
        requires_recollection: true,
        flagged_height: height,
        recollected: None,
        linked_by: None,
        linked_height: None,
    };
    read::put(stage, key, &flag);
    Ok(())
}

/// Called when evidence is anchored: an anchor naming an existing case is
/// linked to it, and only a party of the case may do that.
pub(crate) fn on_anchor(
    stage: &mut Overlay<'_>,
    signer: &Officer,
    record: &EvidenceRecord,
    height: u64,
) -> Result<()> {
    let Some(case_id) = &record.anchor.case_id else {
        return Ok(());
    };
    let Some(case) = read::case(stage, case_id)? else {
        return Ok(());
    };
    if !case.parties().contains(&&signer.org) {
        return Err(ContractError::NotCaseParty {
            action: "anchor-evidence".into(),
            org: signer.org.clone(),
            expected: "a party".into(),
        });
    }
    link_evidence(stage, &case, record, height)
}

/// Links a re-collected statement to the flagged record it replaces: signed
/// by the case's police or procuratorate, for a record its organisation
/// anchored.
pub fn link_recollected(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &LinkRecollected,
) -> Result<WriteSet> {
    let mut flag =
        read::recollection(view, &call.original)?.ok_or(ContractError::NotRecollectable {
            digest: call.original,
        })?;
    if flag.recollected.is_some() {
        return Err(ContractError::AlreadyLinked {
            digest: call.original,
        });
    }
    let case = read::case(view, &flag.case_id)?.ok_or_else(|| ContractError::CorruptState {
        key: format!("case/{}", flag.case_id),
        reason: "a flagged record's case is missing".into(),
    })?;
    let criminal_side = [&case.police, &case.procuratorate];
    if !criminal_side.contains(&&Some(signer.org.clone())) {
        return Err(ContractError::NotCaseParty {
            action: "link-recollected".into(),
            org: signer.org.clone(),
            expected: "receiving police or supervising procuratorate".into(),
        });
    }
    let fresh = read::evidence(view, &call.recollected)?.ok_or(ContractError::UnknownEvidence {
        digest: call.recollected,
    })?;
    if fresh.org != signer.org {
        return Err(ContractError::RecollectedOtherOrg {
            digest: call.recollected,
            owner: fresh.org,
        });
    }
    let original = read::evidence(view, &call.original)?.ok_or(ContractError::UnknownEvidence {
        digest: call.original,
    })?;
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::LinkRecollected,
        Resource::Evidence(&original),
    )?;
    flag.recollected = Some(call.recollected);
    flag.linked_by = Some(signer.org.clone());
    flag.linked_height = Some(ctx.height);
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::recollection(&call.original), &flag);
    link_evidence(&mut stage, &case, &fresh, ctx.height)?;
    Ok(stage.into_writes())
}

/// Every row of the table (for help texts and the API).
pub fn transitions() -> &'static [Transition] {
    TABLE
}
