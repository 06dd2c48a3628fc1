//! `GET /v1/orgs` and `GET /v1/officers/{id}`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use xianjie_contracts::read;
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::Org;

use super::{ApiError, AppState, ErrorBody};
pub use xianjie_api::members::OfficerView;

/// The member organisations.
#[utoipa::path(
    get,
    path = "/v1/orgs",
    tag = "members",
    responses((status = 200, description = "organisations as recorded on chain", body = Vec<Object>))
)]
pub async fn orgs(State(state): State<AppState>) -> Result<Json<Vec<Org>>, ApiError> {
    let orgs = state
        .blocking(|shared| {
            // The genesis members in the genesis's order (the order of the
            // process), then those admitted by governance since, by id.
            let admitted = read::orgs(&shared.store).map_err(internal)?;
            let founders: Vec<OrgId> = shared
                .genesis
                .orgs
                .iter()
                .map(|e| e.org.id.clone())
                .collect();
            let later = admitted.into_iter().filter(|id| !founders.contains(id));
            let ids: Vec<OrgId> = founders.iter().cloned().chain(later).collect();
            let mut orgs = Vec::with_capacity(ids.len());
            for id in ids {
                let org = read::org(&shared.store, &id)
                    .map_err(internal)?
                    .ok_or_else(|| {
                        ApiError::Internal(format!("the index names missing org {id}"))
                    })?;
                orgs.push(org);
            }
            Ok(orgs)
        })
        .await?;
    Ok(Json(orgs))
}

/// An officer key by id.
#[utoipa::path(
    get,
    path = "/v1/officers/{id}",
    tag = "members",
    params(("id" = String, Path, description = "officer key id, 40 hex characters")),
    responses(
        (status = 200, description = "the officer", body = OfficerView),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 404, description = "unknown_officer", body = ErrorBody),
    )
)]
pub async fn officer(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<OfficerView>, ApiError> {
    let id_text = id?.0;
    // A malformed id names no officer: answer as for an unknown one.
    let id = KeyId::from_hex(&id_text).map_err(|_| ApiError::UnknownOfficer(id_text.clone()))?;
    let view = state
        .blocking(move |shared| {
            let Some(officer) = read::officer(&shared.store, &id).map_err(internal)? else {
                return Ok(None);
            };
            let org = read::org(&shared.store, &officer.org)
                .map_err(internal)?
                .ok_or_else(|| {
                    ApiError::Internal(format!("officer {id} names missing org {}", officer.org))
                })?;
            Ok(Some(OfficerView {
                officer,
                org_name: org.name,
                org_kind: org.kind,
            }))
        })
        .await?;
    view.map(Json).ok_or(ApiError::UnknownOfficer(id_text))
}

fn internal(error: xianjie_contracts::ContractError) -> ApiError {
    ApiError::Internal(format!("reading the state: {error}"))
}
