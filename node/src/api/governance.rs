//! Public chain rules: `GET /v1/deadlines`, `GET /v1/policy`,
//! `GET /v1/governance/proposals` and `GET /v1/governance/proposals/{id}`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use xianjie_contracts::{governance, policy, read};
use xianjie_ledger::ids::ProposalId;

use super::auth::internal;
use super::listing::to_json;
use super::{ApiError, AppState, ErrorBody};
pub use xianjie_api::governance::{DeadlinesView, PolicyView, ProposalsView};

/// The deadline rules, day counting and holiday calendar in force.
#[utoipa::path(
    get,
    path = "/v1/deadlines",
    tag = "rules",
    responses((status = 200, description = "the rules", body = DeadlinesView))
)]
pub async fn deadlines(State(state): State<AppState>) -> Result<Json<DeadlinesView>, ApiError> {
    state
        .blocking(|shared| {
            let params = read::params(&shared.store).map_err(internal)?;
            Ok(DeadlinesView {
                rules: params
                    .deadlines
                    .iter()
                    .map(to_json)
                    .collect::<Result<_, _>>()?,
                counting: to_json(&params.counting)?,
                calendar: to_json(&params.calendar)?,
            })
        })
        .await
        .map(Json)
}

/// The Cedar policy set in force and its schema.
#[utoipa::path(
    get,
    path = "/v1/policy",
    tag = "rules",
    responses((status = 200, description = "the policy set", body = PolicyView))
)]
pub async fn policy(State(state): State<AppState>) -> Result<Json<PolicyView>, ApiError> {
    state
        .blocking(|shared| {
            let params = read::params(&shared.store).map_err(internal)?;
            Ok(PolicyView {
                is_default: params.policy_set == policy::DEFAULT_POLICY_SET,
                digest: xianjie_ledger::hash::file_digest(params.policy_set.as_bytes()).to_hex(),
                policy_set: params.policy_set,
                schema: policy::SCHEMA_TEXT.to_owned(),
            })
        })
        .await
        .map(Json)
}

/// Every governance proposal.
#[utoipa::path(
    get,
    path = "/v1/governance/proposals",
    tag = "governance",
    responses((status = 200, description = "the proposals", body = ProposalsView))
)]
pub async fn proposals(State(state): State<AppState>) -> Result<Json<ProposalsView>, ApiError> {
    let height = state.tip().height;
    state
        .blocking(move |shared| {
            let store = &shared.store;
            Ok(ProposalsView {
                required_approvals: governance::required_approvals(store).map_err(internal)?,
                height,
                proposals: read::proposals(store)
                    .map_err(internal)?
                    .iter()
                    .map(to_json)
                    .collect::<Result<_, _>>()?,
            })
        })
        .await
        .map(Json)
}

/// One governance proposal.
#[utoipa::path(
    get,
    path = "/v1/governance/proposals/{id}",
    tag = "governance",
    params(("id" = String, Path, description = "`GOV-` and 16 hex characters")),
    responses(
        (status = 200, description = "the proposal (the ledger's `Proposal`) with `required_approvals`", body = Object),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 404, description = "unknown_proposal", body = ErrorBody),
    )
)]
pub async fn proposal(
    State(state): State<AppState>,
    id: Result<Path<ProposalId>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = id?.0;
    state
        .blocking(move |shared| {
            let store = &shared.store;
            let proposal = read::proposal(store, &id)
                .map_err(internal)?
                .ok_or_else(|| ApiError::UnknownProposal(id.clone()))?;
            let mut json = to_json(&proposal)?;
            if let Some(object) = json.as_object_mut() {
                object.insert(
                    "required_approvals".into(),
                    governance::required_approvals(store)
                        .map_err(internal)?
                        .into(),
                );
            }
            Ok(json)
        })
        .await
        .map(Json)
}
