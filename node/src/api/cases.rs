//! `GET /v1/cases`, `GET /v1/cases/{id}` and `GET /v1/cases/{id}/actions`.
//!
//! Every case read is signed by an officer (see [`super::auth`]) and passes
//! the on-chain policy set with action `read`. Clocks and "overdue" are
//! evaluated at the latest block time, never at the node's wall clock, so
//! every node gives the same answer for the same height.

use std::collections::BTreeSet;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use xianjie_contracts::case::{self as rules, MinRole, Party, Target, Transition};
use xianjie_contracts::policy::{self, Resource};
use xianjie_contracts::{read, BlockCtx, ContractError, ReadResource};
use xianjie_ledger::case::{Attachment, Case, CaseState};
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::ids::{CaseId, OrgId};
use xianjie_ledger::model::OrgKind;
use xianjie_ledger::tx::CaseAction;
use xianjie_store::Store;

use super::auth::{authorize, internal, may_read, Reader};
use super::listing::to_json;
use super::{ApiError, AppState, ErrorBody};
pub use xianjie_api::cases::{
    ActionStanding, ActionView, ActionsView, AttachmentView, CaseDetail, CaseEvidence, CaseList,
    CaseSummary,
};

/// Filters of `GET /v1/cases`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct CaseQuery {
    /// Only cases in this state, e.g. `S8X_NOT_FILED`.
    pub state: Option<String>,
    /// Only cases with an overdue duty (`true`) or without one (`false`).
    pub overdue: Option<bool>,
}

fn state_name(state: CaseState) -> String {
    state.name().to_owned()
}

/// The cases the signing officer may read, optionally filtered.
///
/// Candidates are the officer's organisation's cases, the cases it
/// supervises and every open case; each passes the policy set (`read`).
#[utoipa::path(
    get,
    path = "/v1/cases",
    tag = "cases",
    params(CaseQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the cases", body = CaseList),
        (status = 400, description = "bad_query", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Result<Json<CaseList>, ApiError> {
    let query = query?.0;
    let wanted = query
        .state
        .as_deref()
        .map(|text| text.parse::<CaseState>().map_err(ApiError::BadQuery))
        .transpose()?;
    let tip = state.tip();
    let at_ms = tip.time_ms;
    let cases = state
        .blocking(move |shared| {
            let store = &shared.store;
            let mut ids = BTreeSet::new();
            ids.extend(read::cases_of_org(store, &reader.org.id).map_err(internal)?);
            ids.extend(read::supervised_cases(store, &reader.org.id).map_err(internal)?);
            ids.extend(read::open_cases(store).map_err(internal)?);
            let params = read::params(store).map_err(internal)?;
            let mut out = Vec::new();
            for id in ids {
                let Some(case) = read::case(store, &id).map_err(internal)? else {
                    continue;
                };
                if wanted.is_some_and(|wanted| wanted != case.state) {
                    continue;
                }
                let clocks = xianjie_contracts::deadline::case_clocks(&params, &case, at_ms);
                let overdue = clocks.iter().any(|clock| clock.overdue);
                if query.overdue.is_some_and(|want| want != overdue) {
                    continue;
                }
                if !may_read(shared, &reader, &ReadResource::Case(id.clone()))? {
                    continue;
                }
                out.push(summary(&case, overdue, next_due(&clocks)));
            }
            Ok(out)
        })
        .await?;
    Ok(Json(CaseList {
        height: tip.height,
        at_ms,
        cases,
    }))
}

/// The due time that matters next: of a duty (overdue or not) or of a
/// window still open. A window that has closed (an optional period nobody
/// used) is history, not a deadline, so it does not count.
fn next_due(clocks: &[xianjie_contracts::deadline::Clock]) -> Option<u64> {
    clocks
        .iter()
        .filter(|clock| clock.overdue || !clock.expired)
        .map(|clock| clock.due_at_ms)
        .min()
}

fn summary(case: &Case, overdue: bool, next_due_at_ms: Option<u64>) -> CaseSummary {
    let name = |org: &Option<OrgId>| org.as_ref().map(|org| org.to_string());
    CaseSummary {
        id: case.id.clone(),
        title: case.title.clone(),
        entity: case.entity.clone(),
        domain: case.domain.clone(),
        owner: case.owner.to_string(),
        state: state_name(case.state),
        police: name(&case.police),
        procuratorate: name(&case.procuratorate),
        court: name(&case.court),
        overdue,
        next_due_at_ms,
        updated_at_ms: case.updated_at_ms,
    }
}

/// A case: record, timeline, running clocks and due times, attachments and
/// linked evidence with their classes.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}",
    tag = "cases",
    params(("id" = String, Path, description = "case id, `CASE-` and 16 hex characters")),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the case", body = CaseDetail),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "unknown_case", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    reader: Reader,
    id: Result<Path<CaseId>, PathRejection>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = id?.0;
    let tip = state.tip();
    state
        .blocking(move |shared| {
            let case = authorize(shared, &reader, &ReadResource::Case(id.clone()))?
                .into_case()
                .ok_or_else(|| ApiError::UnknownCase(id.clone()))?;
            let mut detail = detail(&shared.store, case, tip.height, tip.time_ms)?;
            detail.requests.retain(|view| {
                let id = view.request["id"].as_str().unwrap_or_default();
                may_read(shared, &reader, &ReadResource::Request(id.into())).unwrap_or(false)
            });
            Ok(detail)
        })
        .await
        .map(Json)
}

/// `case` (as the read's authorisation found it) with its events, clocks
/// and attachments.
fn detail(store: &Store, case: Case, height: u64, at_ms: u64) -> Result<CaseDetail, ApiError> {
    let id = &case.id;
    let events = read::case_events(store, id).map_err(internal)?;
    let clocks = read::case_clocks(store, id, at_ms)
        .map_err(internal)?
        .unwrap_or_default();
    let class_of = |digest| -> Result<Option<String>, ApiError> {
        Ok(read::evidence(store, digest)
            .map_err(internal)?
            .map(|record| wire_name(&record.class)))
    };
    let mut attachments = Vec::new();
    for event in &events {
        for Attachment { kind, digest } in &event.attachments {
            attachments.push(AttachmentView {
                seq: event.seq,
                action: event.action.clone(),
                kind: kind.name().to_owned(),
                digest: digest.to_hex(),
                class: class_of(digest)?,
            });
        }
    }
    let mut evidence = Vec::new();
    for digest in read::case_evidence(store, id).map_err(internal)? {
        let Some(record) = read::evidence(store, &digest).map_err(internal)? else {
            continue;
        };
        let recollection = read::recollection(store, &digest).map_err(internal)?;
        evidence.push(CaseEvidence {
            digest: digest.to_hex(),
            class: wire_name(&record.class),
            category: wire_name(&record.anchor.category),
            org: record.org.to_string(),
            holder: record.holder.to_string(),
            requires_recollection: recollection
                .as_ref()
                .is_some_and(|r| r.requires_recollection && r.recollected.is_none()),
            recollected: recollection.and_then(|r| r.recollected.map(|h| h.to_hex())),
        });
    }
    Ok(CaseDetail {
        height,
        at_ms,
        state: state_name(case.state),
        overdue: clocks.iter().any(|clock| clock.overdue),
        case: to_json(&case)?,
        events: events.iter().map(to_json).collect::<Result<_, _>>()?,
        clocks: clocks.iter().map(to_json).collect::<Result<_, _>>()?,
        attachments,
        evidence,
        requests: super::requests::of_case(store, &case.id, at_ms)?,
    })
}

/// The serde name of a ledger enum value (`"A"`, `"witness"`).
fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => format!("{other:?}"),
    }
}

/// What the signing officer may do next on a case, and why not the rest.
///
/// Each action of the transition table is dry-run through the contracts'
/// own checks (state, party, role, guards, policy set) at the latest block
/// time, with the attachments, reason and outcome it requires filled in;
/// `allowed` means the officer may record it by supplying them. Where the
/// action needs a target organisation or a task force, the node tries the
/// first eligible organisation; when none fits, or for the task force, the
/// data checks are skipped and only the policy set decides.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}/actions",
    tag = "cases",
    params(("id" = String, Path, description = "case id")),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "every action, allowed or with the refusal", body = ActionsView),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "unknown_case", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn actions(
    State(state): State<AppState>,
    reader: Reader,
    id: Result<Path<CaseId>, PathRejection>,
) -> Result<Json<ActionsView>, ApiError> {
    let id = id?.0;
    let tip = state.tip();
    let ctx = BlockCtx {
        chain_id: state.chain_id().to_owned(),
        height: tip.height + 1,
        time_ms: tip.time_ms,
        prev_hash: tip.block_hash,
        policies: std::sync::Arc::clone(&state.shared().policies),
    };
    state
        .blocking(move |shared| {
            let store = &shared.store;
            let case = authorize(shared, &reader, &ReadResource::Case(id.clone()))?
                .into_case()
                .ok_or_else(|| ApiError::UnknownCase(id.clone()))?;
            let mut actions = rules::transitions()
                .iter()
                .map(|row| dry_run(store, &ctx, &reader, &case, row))
                .collect::<Result<Vec<_>, _>>()?;
            actions.sort_by_key(|action| action.standing);
            Ok(ActionsView {
                case_id: case.id.clone(),
                state: state_name(case.state),
                officer: reader.officer.id.to_hex(),
                org: reader.org.id.to_string(),
                role: wire_name(&reader.officer.role),
                actions,
            })
        })
        .await
        .map(Json)
}

/// Codes that only say the dry run's made-up data was not right.
const DATA_CODES: &[&str] = &[
    "taskforce_too_small",
    "invalid_taskforce_member",
    "missing_target",
    "target_not_allowed",
    "invalid_target",
    "unknown_org",
];

fn dry_run(
    store: &Store,
    ctx: &BlockCtx,
    reader: &Reader,
    case: &Case,
    row: &Transition,
) -> Result<ActionView, ApiError> {
    let params = read::params(store).map_err(internal)?;
    let mut kinds: Vec<_> = row.attachments.to_vec();
    for extra in &params.cases.domain_attachments {
        if extra.domain == case.domain && extra.action == row.action && !kinds.contains(&extra.kind)
        {
            kinds.push(extra.kind);
        }
    }
    let attachments = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| Attachment {
            kind: *kind,
            digest: note_digest(&format!("xianjie dry run {} {i}", row.action)),
        })
        .collect();
    let call = CaseAction {
        case_id: case.id.clone(),
        action: row.action.to_owned(),
        attachments,
        officers: Vec::new(),
        to: candidate_target(store, row.target, case, &params)?,
        reason_digest: row.reason.then(|| note_digest("xianjie dry run")),
        outcome: row.outcomes().first().copied(),
    };
    let hash = note_digest("xianjie dry run tx");
    let refusal = match rules::act(store, ctx, &reader.officer, &hash, &call) {
        Ok(_) => None,
        Err(error) if DATA_CODES.contains(&error.code()) => policy::authorize(
            &ctx.policies,
            store,
            &reader.officer,
            policy::Action::Case(row.action),
            Resource::Case(case),
        )
        .err(),
        Err(error) if error.is_state_fault() => return Err(internal(error)),
        Err(error) => Some(error),
    };
    let in_state = row.from.contains(&case.state);
    let needs_input = !kinds.is_empty()
        || row.target != Target::None
        || row.taskforce
        || row.reason
        || !row.outcomes().is_empty();
    let standing = match refusal.as_ref().map(ContractError::code) {
        _ if !in_state => ActionStanding::OtherState,
        None if needs_input => ActionStanding::Supply,
        None => ActionStanding::Now,
        Some("wrong_org_kind" | "not_case_party") => ActionStanding::WrongParty,
        Some("wrong_role") => ActionStanding::WrongRole,
        Some(_) => ActionStanding::Refused,
    };
    Ok(ActionView {
        in_state,
        standing,
        parties: row
            .actors
            .iter()
            .map(|party| party_name(*party).to_owned())
            .collect(),
        action: row.action.to_owned(),
        rows: row.rows.to_owned(),
        summary: row.summary.to_owned(),
        allowed: refusal.is_none(),
        code: refusal.as_ref().map(|error| error.code().to_owned()),
        reason: refusal.as_ref().map(ContractError::to_string),
        role: match row.role {
            MinRole::Head => "head",
            MinRole::Officer => "officer",
        }
        .to_owned(),
        attachments: kinds.iter().map(|kind| kind.name().to_owned()).collect(),
        target: match row.target {
            Target::None => None,
            Target::SameLevelPolice => Some("the same-level police (same region)".into()),
            Target::OtherPolice => Some("another police organ, the competent one".into()),
            Target::Court => Some("a court".into()),
            Target::HigherProcuratorate => {
                Some("the higher procuratorate whose division contains the case's".into())
            }
        },
        taskforce: row.taskforce,
        reason_required: row.reason,
        outcomes: row
            .outcomes()
            .iter()
            .map(|outcome| outcome.name().to_owned())
            .collect(),
    })
}

/// The wire name of a party of the table.
fn party_name(party: Party) -> &'static str {
    match party {
        Party::Owner => "owner",
        Party::Police => "police",
        Party::Procuratorate => "procuratorate",
        Party::Court => "court",
        Party::HigherProcuratorate => "higher-procuratorate",
    }
}

/// The first organisation that could be named as the action's target.
fn candidate_target(
    store: &Store,
    target: Target,
    case: &Case,
    params: &xianjie_ledger::params::Params,
) -> Result<Option<OrgId>, ApiError> {
    let kind_of = |id: &OrgId| -> Result<Option<xianjie_ledger::model::Org>, ApiError> {
        read::org(store, id).map_err(internal)
    };
    let pick =
        |ids: Vec<OrgId>, want: OrgKind, skip: Option<&OrgId>| -> Result<Option<OrgId>, ApiError> {
            for id in ids {
                if Some(&id) == skip {
                    continue;
                }
                if kind_of(&id)?.is_some_and(|org| org.kind == want) {
                    return Ok(Some(id));
                }
            }
            Ok(None)
        };
    match target {
        Target::None => Ok(None),
        Target::SameLevelPolice => {
            let mut ids = read::orgs_in_region(store, &case.region).map_err(internal)?;
            ids.extend(
                params
                    .cases
                    .transfer_targets
                    .iter()
                    .filter(|t| t.agency == case.owner)
                    .map(|t| t.police.clone()),
            );
            pick(ids, OrgKind::Police, None)
        }
        Target::OtherPolice => pick(
            read::orgs(store).map_err(internal)?,
            OrgKind::Police,
            case.police.as_ref(),
        ),
        Target::Court => pick(read::orgs(store).map_err(internal)?, OrgKind::Court, None),
        Target::HigherProcuratorate => {
            let containing: Vec<_> = read::orgs(store)
                .map_err(internal)?
                .into_iter()
                .filter(|id| {
                    kind_of(id).ok().flatten().is_some_and(|org| {
                        org.region != case.region
                            && case.region.starts_with(org.region.trim_end_matches("00"))
                    })
                })
                .collect();
            pick(containing, OrgKind::Procuratorate, None)
        }
    }
}
