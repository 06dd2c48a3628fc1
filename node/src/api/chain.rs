//! `GET /v1/blocks/{height}` and `GET /v1/status`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xianjie_ledger::block::{BlockResults, Commit, Header, TxResult};

use super::{ApiError, AppState, ErrorBody};
use crate::chain::read_validator_set;

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
    /// The validator set in force.
    pub validators: Vec<ValidatorView>,
    /// Version of this node software.
    pub version: String,
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
    }))
}
