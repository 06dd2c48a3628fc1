//! `GET /v1/blocks/{height}` and `GET /v1/status`.

use std::sync::atomic::Ordering;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use xianjie_ledger::block::BlockResults;

use super::{ApiError, AppState, ErrorBody};
use crate::chain::read_validator_set;

pub use xianjie_api::chain::{BlockView, NetworkView, StatusView, ValidatorView};

/// A committed block by height.
#[utoipa::path(
    get,
    path = "/v1/blocks/{height}",
    tag = "chain",
    params(("height" = u64, Path, description = "block height, from 1")),
    responses(
        (status = 200, description = "the block", body = BlockView),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 404, description = "unknown_block", body = ErrorBody),
    )
)]
pub async fn block(
    State(state): State<AppState>,
    height: Result<Path<u64>, PathRejection>,
) -> Result<Json<BlockView>, ApiError> {
    let Path(height) = height?;
    let tip = state.tip().height;
    let view = state
        .blocking(move |shared| {
            let store = &shared.store;
            let Some(block) = store.block(height)? else {
                return Ok(None);
            };
            let missing =
                |what: &str| ApiError::Internal(format!("block {height} has no stored {what}"));
            let BlockResults(results) = store.results(height)?.ok_or_else(|| missing("results"))?;
            let commit = store.commit(height)?.ok_or_else(|| missing("commit"))?;
            Ok(Some(BlockView {
                hash: block.header.hash().to_hex(),
                txs: block.tx_hashes().iter().map(|hash| hash.to_hex()).collect(),
                header: block.header,
                results,
                commit,
            }))
        })
        .await?;
    view.map(Json).ok_or(ApiError::UnknownBlock { height, tip })
}

/// The chain's tip, the validators and the mempool size.
#[utoipa::path(
    get,
    path = "/v1/status",
    tag = "chain",
    responses((status = 200, description = "status", body = StatusView))
)]
pub async fn status(State(state): State<AppState>) -> Result<Json<StatusView>, ApiError> {
    let tip = state.tip();
    let validators = state
        .blocking(|shared| read_validator_set(&shared.store).map_err(ApiError::from))
        .await?;
    Ok(Json(StatusView {
        chain_id: state.chain_id().to_owned(),
        height: tip.height,
        latest_block_hash: tip.block_hash.to_hex(),
        latest_time_ms: tip.time_ms,
        state_root: tip.state_root.to_hex(),
        genesis_hash: state.genesis_hash().to_hex(),
        mempool_size: state.shared().mempool.len(),
        validators: validators
            .validators
            .iter()
            .map(|validator| ValidatorView {
                id: validator.public_key.id().to_hex(),
                public_key: validator.public_key.to_hex(),
                power: validator.power,
                org: validator.org.to_string(),
            })
            .collect(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        network: state.shared().network.as_ref().map(|network| NetworkView {
            moniker: network.moniker.clone(),
            peer_id: network.peer_id.clone(),
            peers: network.peers(),
            gossip_peers: network.gossip_peers.load(Ordering::Relaxed),
            unconnected_validators: network.unconnected_validators(),
            round: network.round.load(Ordering::Relaxed),
            consensus_listening: network.consensus_listening(),
            sync: network.sync_state().to_owned(),
            synced_blocks: network.synced_blocks.load(Ordering::Relaxed),
        }),
    }))
}

/// Prometheus metrics (text exposition): the node's (`xianjie_*`) and the
/// consensus engine's. Throughput is a counter (`xianjie_committed_txs_total`);
/// Prometheus computes rates.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "meta",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain", body = String))
)]
pub async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    let metrics = crate::metrics::Metrics::get();
    metrics
        .mempool_size
        .set(i64::try_from(state.shared().mempool.len()).unwrap_or(i64::MAX));
    if let Some(network) = &state.shared().network {
        let gossip = network.gossip_peers.load(Ordering::Relaxed);
        metrics
            .gossip_peers
            .set(i64::try_from(gossip).unwrap_or(i64::MAX));
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        crate::metrics::render(),
    )
}
