//! `GET /v1/clues` and `GET /v1/clues/{id}`: the clues of the reader's
//! organisation, with their clocks at the latest block time and where each
//! ended up after its forwards (docs/clue.md §5).
//!
//! Both are signed reads; a clue is shown only if the policy set lets the
//! reader `read` it (by default its sender, its receiver and the organs that
//! sent it earlier).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use xianjie_contracts::{clue, deadline, read, ReadResource};
use xianjie_ledger::clue::{Clue, ClueId, ClueState, MAX_CLUE_HOPS};
use xianjie_ledger::params::Params;

use super::auth::{authorize, internal, may_read, Reader};
use super::listing::{self, to_json};
use super::{ApiError, AppState, ErrorBody, Shared};
pub use xianjie_api::clues::{ClueList, ClueView};

/// Most clues one answer lists.
pub const MAX_CLUES_LISTED: usize = 500;
/// Most of an organisation's newest clues one answer examines, so that a
/// list stays bounded however many clues other organs send it.
pub const MAX_CLUES_SCANNED: usize = 5_000;

/// Filters of `GET /v1/clues`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ClueQuery {
    /// `incoming` (sent to the reader's organisation), `outgoing` (sent by
    /// it, or earlier on by it) or absent for both.
    pub direction: Option<String>,
    /// Only clues in this state (`sent`, `accepted`, `converted`,
    /// `not-actionable`, `forwarded`).
    pub state: Option<String>,
    /// Only clues with an overdue clock (`true`).
    pub overdue: Option<bool>,
    /// At most this many, newest first (default and most: 500).
    pub limit: Option<usize>,
}

fn view(
    (shared, reader): (&Shared, &Reader),
    params: &Params,
    clue: &Clue,
    at_ms: u64,
) -> Result<ClueView, ApiError> {
    let clocks = deadline::clue_clocks(params, clue, at_ms);
    // The sender sees what became of its clue: follow the forwards (at most
    // MAX_CLUE_HOPS), as far as the policies let the reader read them (by
    // default all the way: the reader is an earlier sender of each).
    let mut last = clue.clone();
    for _ in 0..MAX_CLUE_HOPS {
        let Some(next) = last.forwarded_as.clone() else {
            break;
        };
        if !may_read(shared, reader, &ReadResource::Clue(next.clone()))? {
            break;
        }
        match clue::clue(&shared.store, &next).map_err(internal)? {
            Some(next) => last = next,
            None => break,
        }
    }
    Ok(ClueView {
        clue: to_json(clue)?,
        overdue: clocks.iter().any(|clock| clock.overdue),
        clocks: clocks.iter().map(to_json).collect::<Result<_, _>>()?,
        final_clue: last.id.to_string(),
        final_org: last.to.to_string(),
        final_state: last.state.name().to_owned(),
        final_case: last.case.map(String::from),
    })
}

/// The clues of the reader's organisation, newest first.
#[utoipa::path(
    get,
    path = "/v1/clues",
    tag = "clues",
    params(ClueQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the clues", body = ClueList),
        (status = 400, description = "bad_query: an unknown `direction` or `state`", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<ClueQuery>, QueryRejection>,
) -> Result<Json<ClueList>, ApiError> {
    let query = query?.0;
    let incoming = listing::incoming(query.direction.as_deref())?;
    let wanted_state = listing::wanted_state::<ClueState>(query.state.as_deref())?;
    let limit = listing::limit(query.limit, MAX_CLUES_LISTED);
    let tip = state.tip();
    let at_ms = tip.time_ms;
    let org = reader.org.id.clone();
    let org_name = org.to_string();
    let (clues, total, complete) = state
        .blocking(move |shared| {
            let store = &shared.store;
            let params = read::params_shared(store).map_err(internal)?;
            let (ids, complete) =
                clue::newest_clues_of_org(store, &org, MAX_CLUES_SCANNED).map_err(internal)?;
            let (out, total) = listing::kept(
                &ids,
                limit,
                |id| {
                    let Some(found) = clue::clue(store, id).map_err(internal)? else {
                        return Ok(None);
                    };
                    if incoming.is_some_and(|incoming| incoming != (found.to == org))
                        || wanted_state.is_some_and(|state| state != found.state)
                        || !may_read(shared, &reader, &ReadResource::Clue(id.clone()))?
                    {
                        return Ok(None);
                    }
                    let view = view((shared, &reader), &params, &found, at_ms)?;
                    // The overdue filter needs the clocks: the view is made first.
                    Ok(query
                        .overdue
                        .is_none_or(|want| want == view.overdue)
                        .then_some(view))
                },
                Ok,
            )?;
            Ok((out, total, complete))
        })
        .await?;
    Ok(Json(ClueList {
        org: org_name,
        height: tip.height,
        at_ms,
        clues,
        total,
        complete,
    }))
}

/// One clue with its clocks and where it ended up.
#[utoipa::path(
    get,
    path = "/v1/clues/{id}",
    tag = "clues",
    params(("id" = String, Path, description = "`CLUE-` and 16 hex characters")),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the clue", body = ClueView),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "unknown_clue", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    reader: Reader,
    id: Result<Path<ClueId>, PathRejection>,
) -> Result<Json<ClueView>, ApiError> {
    let id = id?.0;
    let at_ms = state.tip().time_ms;
    state
        .blocking(move |shared| {
            let found = authorize(shared, &reader, &ReadResource::Clue(id.clone()))?
                .into_clue()
                .ok_or_else(|| ApiError::UnknownClue(id.clone()))?;
            let params = read::params_shared(&shared.store).map_err(internal)?;
            view((shared, &reader), &params, &found, at_ms)
        })
        .await
        .map(Json)
}
