//! `GET /v1/admin/chain?from=A&to=B`: committed blocks `A..=B` (at most
//! [`MAX_BLOCKS_PER_REQUEST`], none once the answer holds
//! [`MAX_BYTES_PER_REQUEST`], never past the tip) with their certificates,
//! framed as [`crate::chain_export`] describes, for `xianjie-node backup`
//! against a running node. Only a caller holding the node's admin token
//! (derived from its key file) is answered: blocks carry transaction bodies.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::{ApiError, AppState};
use crate::chain_export::{
    token_matches, write_frame, ADMIN_TOKEN_HEADER, MAX_BLOCKS_PER_REQUEST, MAX_BYTES_PER_REQUEST,
};

/// The route, merged into the router beside the documented API: it is an
/// operator's tool, not part of the API that clients program against.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/admin/chain", get(export))
}

#[derive(Debug, Deserialize)]
struct Range {
    from: u64,
    to: u64,
}

async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(range): Query<Range>,
) -> Result<Response, ApiError> {
    let offered = headers
        .get(ADMIN_TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let tip = state.tip().height;
    let body = state
        .blocking(move |shared| {
            // The vault lives in the node's home; the key file beside it.
            let home = shared
                .vault
                .root()
                .parent()
                .map(std::path::Path::to_path_buf);
            if !home.is_some_and(|home| token_matches(&home, &offered)) {
                return Ok(None);
            }
            let from = range.from.max(1);
            let to = range
                .to
                .min(tip)
                .min(from.saturating_add(MAX_BLOCKS_PER_REQUEST - 1));
            let mut body = Vec::new();
            for height in from..=to {
                if body.len() >= MAX_BYTES_PER_REQUEST {
                    break;
                }
                let missing = |what: &str| {
                    ApiError::Internal(format!("height {height} has no stored {what}"))
                };
                let block = shared
                    .store
                    .block(height)?
                    .ok_or_else(|| missing("block"))?;
                let commit = shared
                    .store
                    .commit(height)?
                    .ok_or_else(|| missing("certificate"))?;
                write_frame(&mut body, &block, &commit)
                    .map_err(|error| ApiError::Internal(error.to_string()))?;
            }
            Ok(Some(body))
        })
        .await?;
    Ok(match body {
        Some(body) => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            Body::from(body),
        )
            .into_response(),
        None => (
            StatusCode::FORBIDDEN,
            "the x-xianjie-admin header must carry the node's admin token",
        )
            .into_response(),
    })
}
