//! `GET /v1/history/consistency` and `GET /v1/history/inclusion`: proofs
//! over the history tree of the headers (`xianjie_ledger::history`), read
//! from the store's perfect subtrees. Public, like the blocks they prove:
//! they hold only header hashes.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use xianjie_ledger::receipt::CertifiedValidatorChange;

use super::{ApiError, AppState, ErrorBody};

pub use xianjie_api::history::{ConsistencyView, HistoryInclusionView, ValidatorChangesView};

/// Most headers one `GET /v1/history/validator-changes` reads: the range is
/// scanned header by header (about 0.1 s per 100,000 on a laptop disk), so
/// one public request stays cheap; a caller far behind asks in steps.
pub const MAX_CHANGE_SCAN: u64 = 100_000;

/// The two trees of a consistency proof.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// Headers in the earlier tree (0 to `to`).
    pub from: u64,
    /// Headers in the later tree (default: every committed header).
    pub to: Option<u64>,
}

/// Proof that the history over the first `to` headers extends the one over
/// the first `from`.
#[utoipa::path(
    get,
    path = "/v1/history/consistency",
    tag = "chain",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "the proof", body = ConsistencyView),
        (status = 400, description = "bad_query", body = ErrorBody),
        (status = 404, description = "unknown_block: a tree larger than the chain", body = ErrorBody),
    )
)]
pub async fn consistency(
    State(state): State<AppState>,
    query: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Result<Json<ConsistencyView>, ApiError> {
    let Query(ConsistencyQuery { from, to }) = query?;
    let tip = state.tip().height;
    let to = to.unwrap_or(tip);
    within_chain(to, tip)?;
    if from > to {
        return Err(ApiError::BadQuery(format!(
            "from ({from}) must not exceed to ({to}): a proof shows a later history extends an earlier one"
        )));
    }
    let view = state
        .blocking(move |shared| {
            let store = &shared.store;
            let proof = store
                .history_consistency(from, to)?
                .map_err(|error| ApiError::BadQuery(error.to_string()))?;
            Ok(ConsistencyView {
                from,
                to,
                from_root: store.history_root(from)?,
                to_root: store.history_root(to)?,
                proof,
            })
        })
        .await?;
    Ok(Json(view))
}

/// The header and the tree of an inclusion proof.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InclusionQuery {
    /// The header's height (1 to `size`).
    pub height: u64,
    /// Headers in the tree (default: every committed header).
    pub size: Option<u64>,
}

/// Proof that header `height` is in the history over the first `size`
/// headers.
#[utoipa::path(
    get,
    path = "/v1/history/inclusion",
    tag = "chain",
    params(InclusionQuery),
    responses(
        (status = 200, description = "the proof", body = HistoryInclusionView),
        (status = 400, description = "bad_query", body = ErrorBody),
        (status = 404, description = "unknown_block: a tree larger than the chain", body = ErrorBody),
    )
)]
pub async fn inclusion(
    State(state): State<AppState>,
    query: Result<Query<InclusionQuery>, QueryRejection>,
) -> Result<Json<HistoryInclusionView>, ApiError> {
    let Query(InclusionQuery { height, size }) = query?;
    let tip = state.tip().height;
    let size = size.unwrap_or(tip);
    within_chain(size, tip)?;
    if height == 0 || height > size {
        return Err(ApiError::BadQuery(format!(
            "height {height} is not in a history of {size} headers: give 1 ≤ height ≤ size"
        )));
    }
    let view = state
        .blocking(move |shared| {
            let store = &shared.store;
            let header = store
                .header(height)?
                .ok_or(ApiError::UnknownBlock { height, tip })?;
            let proof = store
                .history_inclusion(height, size)?
                .ok_or(ApiError::UnknownBlock { height, tip })?;
            Ok(HistoryInclusionView {
                height,
                header_hash: header.hash(),
                size,
                root: store.history_root(size)?,
                proof,
            })
        })
        .await?;
    Ok(Json(view))
}

/// The headers a validator-changes answer spans.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ValidatorChangesQuery {
    /// The header whose set the caller trusts (0: the genesis set).
    pub from: u64,
    /// The header whose set it wants to trust (default: the newest).
    pub to: Option<u64>,
}

/// The validator-set changes between two headers, each proven and with the
/// certified header of the block that wrote it: a witness that trusts the
/// set of header `from` checks them in order to trust the set of `to`.
#[utoipa::path(
    get,
    path = "/v1/history/validator-changes",
    tag = "chain",
    params(ValidatorChangesQuery),
    responses(
        (status = 200, description = "the changes", body = ValidatorChangesView),
        (status = 400, description = "bad_query: from after to, or a range over the scan limit", body = ErrorBody),
        (status = 404, description = "unknown_block: a header beyond the chain", body = ErrorBody),
    )
)]
pub async fn validator_changes(
    State(state): State<AppState>,
    query: Result<Query<ValidatorChangesQuery>, QueryRejection>,
) -> Result<Json<ValidatorChangesView>, ApiError> {
    let Query(ValidatorChangesQuery { from, to }) = query?;
    let tip = state.tip().height;
    let to = to.unwrap_or(tip);
    within_chain(to, tip)?;
    if from > to || to - from > MAX_CHANGE_SCAN {
        return Err(ApiError::BadQuery(format!(
            "from ({from}) must not exceed to ({to}), and a range spans at most \
             {MAX_CHANGE_SCAN} headers: ask in steps"
        )));
    }
    let view = state
        .blocking(move |shared| {
            let changes =
                xianjie_store::receipt::certified_validator_changes(&shared.store, from, to)?
                    .into_iter()
                    .map(|(certified, change)| CertifiedValidatorChange { certified, change })
                    .collect();
            Ok(ValidatorChangesView { from, to, changes })
        })
        .await?;
    Ok(Json(view))
}

/// A tree of `size` headers needs header `size` committed.
fn within_chain(size: u64, tip: u64) -> Result<(), ApiError> {
    if size > tip {
        return Err(ApiError::UnknownBlock { height: size, tip });
    }
    Ok(())
}
