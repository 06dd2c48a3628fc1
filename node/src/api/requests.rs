//! `GET /v1/requests` and `GET /v1/requests/{id}`: the requests between
//! organs (consultations and assistance) of the reader's organisation, with
//! their clocks at the latest block time (docs/request.md §4). A case's
//! requests also show on the case (`of_case`).
//!
//! Both are signed reads; a request is shown only if the policy set lets the
//! reader `read` it (by default the organ that asked and the organ asked).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use xianjie_contracts::{deadline, read, request, ReadResource};
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::params::Params;
use xianjie_ledger::request::{OrganRequest, RequestId, RequestState};
use xianjie_store::Store;

use super::auth::{authorize, internal, may_read, Reader};
use super::listing::{self, to_json};
use super::{ApiError, AppState, ErrorBody};
pub use xianjie_api::requests::{RequestList, RequestView};

/// Most requests one answer lists.
pub const MAX_REQUESTS_LISTED: usize = 500;
/// Most of an organisation's newest requests one answer examines.
pub const MAX_REQUESTS_SCANNED: usize = 5_000;

/// Filters of `GET /v1/requests`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RequestQuery {
    /// `incoming` (asked of the reader's organisation), `outgoing` (asked
    /// by it) or absent for both.
    pub direction: Option<String>,
    /// Only requests in this state (`open`, `answered`).
    pub state: Option<String>,
    /// At most this many, newest first (default and most: 500).
    pub limit: Option<usize>,
}

fn view(params: &Params, request: &OrganRequest, at_ms: u64) -> Result<RequestView, ApiError> {
    let clocks = deadline::request_clocks(params, request, at_ms);
    Ok(RequestView {
        request: to_json(request)?,
        overdue: clocks.iter().any(|clock| clock.overdue),
        clocks: clocks.iter().map(to_json).collect::<Result<_, _>>()?,
    })
}

/// The requests about a case, oldest first, with their clocks at `at_ms`
/// (the caller keeps those its reader may read).
pub fn of_case(store: &Store, case_id: &CaseId, at_ms: u64) -> Result<Vec<RequestView>, ApiError> {
    let params = read::params_shared(store).map_err(internal)?;
    request::requests_of_case(store, case_id)
        .map_err(internal)?
        .iter()
        .map(|found| view(&params, found, at_ms))
        .collect()
}

/// The requests of the reader's organisation, newest first.
#[utoipa::path(
    get,
    path = "/v1/requests",
    tag = "requests",
    params(RequestQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the requests", body = RequestList),
        (status = 400, description = "bad_query: an unknown `direction` or `state`", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<RequestQuery>, QueryRejection>,
) -> Result<Json<RequestList>, ApiError> {
    let query = query?.0;
    let incoming = listing::incoming(query.direction.as_deref())?;
    let wanted_state = listing::wanted_state::<RequestState>(query.state.as_deref())?;
    let limit = listing::limit(query.limit, MAX_REQUESTS_LISTED);
    let tip = state.tip();
    let at_ms = tip.time_ms;
    let org = reader.org.id.clone();
    let org_name = org.to_string();
    let (requests, total, complete) = state
        .blocking(move |shared| {
            let store = &shared.store;
            let params = read::params_shared(store).map_err(internal)?;
            let (ids, complete) =
                request::newest_requests_of_org(store, &org, MAX_REQUESTS_SCANNED)
                    .map_err(internal)?;
            let (out, total) = listing::kept(
                &ids,
                limit,
                |id| {
                    let Some(found) = request::request(store, id).map_err(internal)? else {
                        return Ok(None);
                    };
                    if incoming.is_some_and(|incoming| incoming != (found.to == org))
                        || wanted_state.is_some_and(|state| state != found.state)
                        || !may_read(shared, &reader, &ReadResource::Request(id.clone()))?
                    {
                        return Ok(None);
                    }
                    Ok(Some(found))
                },
                |found| view(&params, &found, at_ms),
            )?;
            Ok((out, total, complete))
        })
        .await?;
    Ok(Json(RequestList {
        org: org_name,
        height: tip.height,
        at_ms,
        requests,
        total,
        complete,
    }))
}

/// One request with its clock.
#[utoipa::path(
    get,
    path = "/v1/requests/{id}",
    tag = "requests",
    params(("id" = String, Path, description = "`REQ-` and 16 hex characters")),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the request", body = RequestView),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "unknown_request", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    reader: Reader,
    id: Result<Path<RequestId>, PathRejection>,
) -> Result<Json<RequestView>, ApiError> {
    let id = id?.0;
    let at_ms = state.tip().time_ms;
    state
        .blocking(move |shared| {
            let found = authorize(shared, &reader, &ReadResource::Request(id.clone()))?
                .into_request()
                .ok_or_else(|| ApiError::UnknownRequest(id.clone()))?;
            let params = read::params_shared(&shared.store).map_err(internal)?;
            view(&params, &found, at_ms)
        })
        .await
        .map(Json)
}
