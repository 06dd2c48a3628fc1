//! `GET /v1/draws…`: the inspection-item list, a department's inspector
//! directory and entity snapshots, and random draws with their inspector
//! rows and published results (docs/draw.md §11). 双随机、一公开: every
//! member's officers read them all; the reads are signed like every other.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use xianjie_contracts::{index, random_draw};
use xianjie_ledger::ids::{DrawId, OrgId, SnapshotId};
use xianjie_ledger::random_draw::{DrawState, RandomDraw};
use xianjie_ledger::state::keys;
use xianjie_store::Store;

use super::auth::{internal, Reader};
use super::listing::to_json;
use super::{ApiError, AppState, ErrorBody};
pub use xianjie_api::draws::{
    DrawList, DrawSummary, DrawView, InspectorList, ItemList, SnapshotList,
};

/// Most draws one answer lists.
pub const MAX_DRAWS_LISTED: usize = 500;

/// The department of `GET /v1/draws/inspectors` and `/snapshots`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct OrgQuery {
    /// The department (default: the reader's organisation).
    pub org: Option<String>,
}

fn org_of(query: OrgQuery, reader: &Reader) -> Result<OrgId, ApiError> {
    match query.org {
        Some(text) => {
            OrgId::new(&text).map_err(|error| ApiError::BadQuery(format!("org {text:?}: {error}")))
        }
        None => Ok(reader.org.id.clone()),
    }
}

/// The deadline a draw runs against at `at_ms` and whether it is overdue.
fn due(record: &RandomDraw, store: &Store, at_ms: u64) -> Result<(Option<u64>, bool), ApiError> {
    if record.state == DrawState::Drawn {
        let results = random_draw::results(store, record).map_err(internal)?;
        let due = record.results_due_ms;
        let open = results.len() < record.inspections.len();
        return Ok((due, open && due.is_some_and(|due| at_ms > due)));
    }
    let due = record.deadline_ms();
    Ok((due, due.is_some_and(|due| at_ms > due)))
}

/// The newest draws, newest first.
#[utoipa::path(
    get,
    path = "/v1/draws",
    tag = "draws",
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the draws", body = DrawList),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _reader: Reader,
) -> Result<Json<DrawList>, ApiError> {
    let height = state.tip().height;
    let (draws, complete) = state
        .blocking(move |shared| {
            let store = &shared.store;
            let (ids, complete) =
                random_draw::newest_draws(store, MAX_DRAWS_LISTED).map_err(internal)?;
            let mut draws = Vec::with_capacity(ids.len());
            for id in &ids {
                if let Some(found) = random_draw::draw(store, id).map_err(internal)? {
                    draws.push(DrawSummary {
                        id: found.id.to_string(),
                        items: found.plan.items.iter().map(|i| i.item.clone()).collect(),
                        state: found.state.name().to_owned(),
                        planned_by: found.planned_by.to_string(),
                        departments: found
                            .plan
                            .departments
                            .iter()
                            .map(|d| d.to_string())
                            .collect(),
                        inspections: found.inspections.len(),
                        time_ms: found.time_ms,
                    });
                }
            }
            Ok((draws, complete))
        })
        .await?;
    Ok(Json(DrawList {
        height,
        draws,
        complete,
    }))
}

/// One draw with its inspector rows, snapshot and results.
#[utoipa::path(
    get,
    path = "/v1/draws/{id}",
    tag = "draws",
    params(("id" = String, Path, description = "`DRAW-` and 16 hex characters")),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the draw", body = DrawView),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
        (status = 404, description = "unknown_draw", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    _reader: Reader,
    id: Result<Path<DrawId>, PathRejection>,
) -> Result<Json<DrawView>, ApiError> {
    let id = id?.0;
    let at_ms = state.tip().time_ms;
    state
        .blocking(move |shared| {
            let store = &shared.store;
            let record = random_draw::draw(store, &id)
                .map_err(internal)?
                .ok_or_else(|| ApiError::UnknownDraw(id.clone()))?;
            let snapshot = random_draw::snapshot(store, &record.snapshot)
                .map_err(internal)?
                .ok_or_else(|| ApiError::Internal(format!("{id} names no snapshot")))?;
            let inspectors = random_draw::inspector_rows(store, &id).map_err(internal)?;
            let results = random_draw::results(store, &record).map_err(internal)?;
            let (due_at_ms, overdue) = due(&record, store, at_ms)?;
            Ok(DrawView {
                draw: to_json(&record)?,
                inspectors: inspectors.iter().map(to_json).collect::<Result<_, _>>()?,
                snapshot: to_json(&snapshot)?,
                results: results.iter().map(to_json).collect::<Result<_, _>>()?,
                at_ms,
                due_at_ms,
                overdue,
            })
        })
        .await
        .map(Json)
}

/// The inspection-item list (抽查事项清单).
#[utoipa::path(
    get,
    path = "/v1/draws/items",
    tag = "draws",
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the items", body = ItemList),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn items(
    State(state): State<AppState>,
    _reader: Reader,
) -> Result<Json<ItemList>, ApiError> {
    state
        .blocking(move |shared| {
            let items = random_draw::items(&shared.store).map_err(internal)?;
            Ok(ItemList {
                items: items.iter().map(to_json).collect::<Result<_, _>>()?,
            })
        })
        .await
        .map(Json)
}

/// A department's inspector directory (执法检查人员名录库).
#[utoipa::path(
    get,
    path = "/v1/draws/inspectors",
    tag = "draws",
    params(OrgQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the department's inspectors", body = InspectorList),
        (status = 400, description = "bad_query: an org that is no organisation id", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn inspectors(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<OrgQuery>, QueryRejection>,
) -> Result<Json<InspectorList>, ApiError> {
    let org = org_of(query?.0, &reader)?;
    state
        .blocking(move |shared| {
            let found =
                random_draw::department_inspectors(&shared.store, &org).map_err(internal)?;
            Ok(InspectorList {
                org: org.to_string(),
                inspectors: found.iter().map(to_json).collect::<Result<_, _>>()?,
            })
        })
        .await
        .map(Json)
}

/// A department's entity snapshots, newest first.
#[utoipa::path(
    get,
    path = "/v1/draws/snapshots",
    tag = "draws",
    params(OrgQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the department's snapshots", body = SnapshotList),
        (status = 400, description = "bad_query: an org that is no organisation id", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn snapshots(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<OrgQuery>, QueryRejection>,
) -> Result<Json<SnapshotList>, ApiError> {
    let org = org_of(query?.0, &reader)?;
    state
        .blocking(move |shared| {
            let store = &shared.store;
            let (ids, _) = index::newest_ids::<SnapshotId>(
                store,
                &keys::index::entity_snapshots(&org),
                MAX_DRAWS_LISTED,
            )
            .map_err(internal)?;
            let mut snapshots = Vec::new();
            for id in &ids {
                if let Some(found) = random_draw::snapshot(store, id).map_err(internal)? {
                    snapshots.push(to_json(&found)?);
                }
            }
            Ok(SnapshotList {
                org: org.to_string(),
                snapshots,
            })
        })
        .await
        .map(Json)
}
