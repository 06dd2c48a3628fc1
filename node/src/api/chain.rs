//! `GET /v1/blocks/{height}` and `GET /v1/status`.

use std::sync::atomic::Ordering;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xianjie_ledger::block::{BlockResults, Commit, Header, TxResult};

use super::{ApiError, AppState, ErrorBody};
use crate::chain::read_validator_set;
use crate::status::PeerView;

/// A committed block: header, transaction hashes, results and certificate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BlockView {
    /// Block hash (hash of the header), hex.
    pub hash: String,
    /// The header.
    #[schema(value_type = Object)]
    pub header: Header,
    /// Transaction hashes in block order, hex.
    pub txs: Vec<String>,
    /// Per-transaction results in block order.
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<TxResult>,
    /// The commit certificate.
    #[schema(value_type = Object)]
    pub commit: Commit,
}

/// One validator of the set in force.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValidatorView {
    /// Key id, hex.
    pub id: String,
    /// Consensus public key, hex.
    pub public_key: String,
    /// Voting power.
    pub power: u64,
    /// Organisation that runs it.
    pub org: String,
}

/// The node's view of the chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusView {
    /// Chain id.
    pub chain_id: String,
    /// Latest committed height (0 before the first block).
    pub height: u64,
    /// Hash of the latest block (the genesis hash at height 0).
    pub latest_block_hash: String,
    /// Time of the latest block (the genesis time at height 0), Unix ms.
    pub latest_time_ms: u64,
    /// State root after the latest block.
    pub state_root: String,
    /// Hash of the genesis document.
    pub genesis_hash: String,
    /// Transactions waiting for a block.
    pub mempool_size: usize,
    /// The validator set in force (it commits the next block).
    pub validators: Vec<ValidatorView>,
    /// Version of this node software.
    pub version: String,
    /// Network state; absent on a one-validator dev node.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub network: Option<NetworkView>,
}

/// A network node's view of its peers, consensus and sync.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NetworkView {
    /// This node's moniker.
    pub moniker: String,
    /// This node's libp2p peer id (derived from its node key).
    pub peer_id: String,
    /// Connected consensus peers.
    pub peers: Vec<PeerView>,
    /// Number of connected transaction gossip peers.
    pub gossip_peers: usize,
    /// Peer ids of the validators this node has no consensus connection
    /// to. Consensus messages travel directly between validators and are
    /// not relayed: on a validator this list should be empty.
    pub unconnected_validators: Vec<String>,
    /// Consensus round of the height in progress.
    pub round: u64,
    /// Whether the consensus network listens and answers. When it does
    /// not, this node hears no votes or blocks.
    pub consensus_listening: bool,
    /// `not_listening` while the consensus network is not running,
    /// `syncing` while blocks arrive through block sync, else `caught_up`.
    pub sync: String,
    /// Blocks received through sync since the node started.
    pub synced_blocks: u64,
}

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
