//! `GET /v1/history/consistency` and `GET /v1/history/inclusion`: proofs
//! over the history tree of the headers (`xianjie_ledger::history`), read
//! from the store's perfect subtrees. Public, like the blocks they prove:
//! they hold only header hashes.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiError, AppState, ErrorBody};

pub use xianjie_api::history::{ConsistencyView, HistoryInclusionView};

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

/// A tree of `size` headers needs header `size` committed.
fn within_chain(size: u64, tip: u64) -> Result<(), ApiError> {
    if size > tip {
        return Err(ApiError::UnknownBlock { height: size, tip });
    }
    Ok(())
}
