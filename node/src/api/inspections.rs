//! `GET /v1/inspections?entity=&matter=`, `GET /v1/inspections/{id}` and
//! `GET /v1/accreditations/{lab}/{cma}`.
//!
//! Inspection reads are signed and pass the policy set (action `read`);
//! validity (`check_recognition`) is evaluated at the latest block time.
//! Accreditations (CMA certificates) are public records.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use xianjie_contracts::{inspection, read, ReadResource};
use xianjie_ledger::ids::InspectionId;
use xianjie_ledger::inspection::{Inspection, StanceKind, MAX_MATTER_LEN};
use xianjie_store::Store;

use super::auth::{authorize, internal, may_read, Reader};
use super::{ApiError, AppState, ErrorBody};
pub use xianjie_api::inspections::{InspectionList, InspectionView};

/// Filters of `GET /v1/inspections`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct InspectionQuery {
    /// The inspected entity's USCC (统一社会信用代码).
    pub entity: String,
    /// Only this matter code.
    pub matter: Option<String>,
    /// Only results valid for recognition now (`true`) or not (`false`).
    pub valid: Option<bool>,
}

fn view(store: &Store, inspection: &Inspection, at_ms: u64) -> Result<InspectionView, ApiError> {
    let problems = inspection::check_recognition(store, inspection, at_ms).map_err(internal)?;
    let orgs = |kind: StanceKind| -> Vec<String> {
        inspection
            .stances
            .iter()
            .filter(|stance| stance.kind == kind)
            .map(|stance| stance.org.to_string())
            .collect()
    };
    let recognised_by = orgs(StanceKind::Recognised);
    Ok(InspectionView {
        inspection: serde_json::to_value(inspection)
            .map_err(|error| ApiError::Internal(format!("inspection to JSON: {error}")))?,
        valid: problems.is_empty(),
        recognised: !recognised_by.is_empty(),
        recognised_by,
        disputed_by: orgs(StanceKind::Disputed),
        problem_texts: problems.iter().map(ToString::to_string).collect(),
        problems: problems
            .iter()
            .map(|problem| serde_json::to_value(problem).unwrap_or_default())
            .collect(),
    })
}

/// Inspection results recorded for an entity (and matter), each with its
/// validity for recognition and the organisations that recognised it.
#[utoipa::path(
    get,
    path = "/v1/inspections",
    tag = "inspections",
    params(InspectionQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the results", body = InspectionList),
        (status = 400, description = "bad_query: missing or malformed parameters, an `entity` that is not a valid USCC, a `matter` that is not a matter code", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<InspectionQuery>, QueryRejection>,
) -> Result<Json<InspectionList>, ApiError> {
    let query = query?.0;
    // Both go into an index key: a matter like `X#p0` would name one of the
    // index's own pages, which does not decode as an entry list.
    if let Some(matter) = query
        .matter
        .as_deref()
        .filter(|matter| !xianjie_contracts::inspection::is_code(matter, MAX_MATTER_LEN))
    {
        return Err(ApiError::BadQuery(format!(
            "`matter` {matter:?} is not a matter code: 1-{MAX_MATTER_LEN} characters of A-Z, a-z, 0-9, ., _ and -"
        )));
    }
    let tip = state.tip();
    let at_ms = tip.time_ms;
    let matter = query.matter.clone();
    let asked = query.entity.clone();
    let (listed_entity, results) = state
        .blocking(move |shared| {
            let store = &shared.store;
            // The chain's rule, its allow-list of pilot-era codes included.
            let params = read::params_shared(store).map_err(internal)?;
            let entity =
                xianjie_contracts::uscc::validate_on_chain(&asked, &params).map_err(|error| {
                    ApiError::BadQuery(format!("`entity` is not a valid USCC: {error}"))
                })?;
            let mut out = Vec::new();
            for result in read::inspections(store, &entity, matter.as_deref()).map_err(internal)? {
                if !may_read(
                    shared,
                    &reader,
                    &ReadResource::Inspection(result.id.clone()),
                )? {
                    continue;
                }
                let view = view(store, &result, at_ms)?;
                if query.valid.is_some_and(|want| want != view.valid) {
                    continue;
                }
                out.push(view);
            }
            Ok((entity, out))
        })
        .await?;
    Ok(Json(InspectionList {
        entity: listed_entity,
        matter: query.matter,
        height: tip.height,
        at_ms,
        results,
    }))
}

/// One inspection result with its validity and stances.
#[utoipa::path(
    get,
    path = "/v1/inspections/{id}",
    tag = "inspections",
    params(("id" = String, Path, description = "`INSP-` and 16 hex characters")),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the result", body = InspectionView),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "unknown_inspection", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    reader: Reader,
    id: Result<Path<InspectionId>, PathRejection>,
) -> Result<Json<InspectionView>, ApiError> {
    let id = id?.0;
    let at_ms = state.tip().time_ms;
    state
        .blocking(move |shared| {
            let result = authorize(shared, &reader, &ReadResource::Inspection(id.clone()))?
                .into_inspection()
                .ok_or_else(|| ApiError::UnknownInspection(id.clone()))?;
            view(&shared.store, &result, at_ms)
        })
        .await
        .map(Json)
}

/// A laboratory's CMA certificate: every validity period with its scope.
#[utoipa::path(
    get,
    path = "/v1/accreditations/{lab}/{cma}",
    tag = "inspections",
    params(
        ("lab" = String, Path, description = "the laboratory's USCC"),
        ("cma" = String, Path, description = "the CMA certificate number"),
    ),
    responses(
        (status = 200, description = "the certificate record (the ledger's `Accreditation`)", body = Object),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 404, description = "unknown_accreditation", body = ErrorBody),
    )
)]
pub async fn accreditation(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (lab, cma) = path?.0;
    state
        .blocking(move |shared| {
            let record = read::accreditation(&shared.store, &lab, &cma)
                .map_err(internal)?
                .ok_or(ApiError::UnknownAccreditation { lab, cma })?;
            serde_json::to_value(record)
                .map_err(|error| ApiError::Internal(format!("accreditation to JSON: {error}")))
        })
        .await
        .map(Json)
}
