//! `POST /v1/txs`, `POST /v1/txs/batch` and `GET /v1/txs/{hash}`.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use tokio::time::Instant;
use utoipa::IntoParams;
use xianjie_contracts::BlockCtx;
use xianjie_ledger::codec;
use xianjie_ledger::tx::Call;
use xianjie_ledger::Hash;

use super::{parse_hash, ApiError, AppState, ErrorBody, ErrorCode, ErrorDetail, Shared};
use crate::mempool::{
    oversized_batch_count, BatchAdmission, TxBatchBody, MAX_BATCH_BYTES, MAX_BATCH_TXS,
};
pub use xianjie_api::txs::{
    BatchTxView, BatchView, OutcomeView, SignedTxBytes, TxBatchBytes, TxStatus, TxView,
};

/// Body limit of `POST /v1/txs/batch`: the largest batch plus slack, so that
/// a body just over the limit gets `body_too_large` with the exact limit.
pub const BATCH_BODY_LIMIT: usize = MAX_BATCH_BYTES + 1024;

/// Query of `POST /v1/txs`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmitQuery {
    /// Wait until the transaction is committed (up to the node's commit wait, 10 s by default).
    #[serde(default)]
    pub wait: bool,
}

/// Submit a signed transaction.
///
/// The body is the canonical encoding of a `SignedTx`. Without `wait` the
/// answer is 202 once the transaction is admitted to the mempool. With
/// `wait=true` the answer comes when it is committed: 200 if it applied, 422
/// with the contract's code if a contract refused it (it stays in the block
/// as part of the audit trail; the state is unchanged).
#[utoipa::path(
    post,
    path = "/v1/txs",
    tag = "transactions",
    params(SubmitQuery),
    request_body(content = SignedTxBytes, content_type = "application/octet-stream",
        description = "canonical bytes of a SignedTx (at most 16 KiB)"),
    responses(
        (status = 202, description = "admitted, pending", body = TxView),
        (status = 200, description = "committed and applied (wait=true)", body = TxView),
        (status = 400, description = "malformed_tx, wrong_chain, expired, validity_too_long", body = ErrorBody),
        (status = 401, description = "bad_signature", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 409, description = "duplicate_tx: already committed or pending", body = ErrorBody),
        (status = 413, description = "body_too_large", body = ErrorBody),
        (status = 422, description = "committed but refused by a contract (wait=true); code is the contract's", body = ErrorBody),
        (status = 503, description = "mempool_full", body = ErrorBody),
        (status = 504, description = "commit_timeout (wait=true)", body = ErrorBody),
        (status = 507, description = "disk_full: the node's disk is below its reserve (storage.min_free_bytes); it takes no transaction until space is freed", body = ErrorBody),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    query: Result<Query<SubmitQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let body = body?;
    let hash = state.blocking(move |shared| admit(shared, &body)).await?;
    if !query.wait {
        let accepted = TxView {
            hash: hash.to_hex(),
            status: TxStatus::Pending,
            height: None,
            index: None,
            outcome: None,
            call: None,
        };
        return Ok((StatusCode::ACCEPTED, Json(accepted)).into_response());
    }
    let view = wait_for_commit(&state, hash).await?;
    match view.outcome {
        Some(OutcomeView::Error { code }) => Err(ApiError::TxRefused {
            hash,
            height: view.height.unwrap_or_default(),
            index: view.index.unwrap_or_default(),
            code,
        }),
        _ => Ok(Json(view).into_response()),
    }
}

/// The context of the next block: admission judges a transaction as the
/// producer will when it includes it.
fn next_block_ctx(shared: &Shared) -> BlockCtx {
    let tip = *shared.tip.borrow();
    BlockCtx {
        chain_id: shared.genesis.chain_id.clone(),
        height: tip.height + 1,
        time_ms: shared.clock.now_ms().max(tip.time_ms + 1),
        prev_hash: tip.block_hash,
        policies: std::sync::Arc::clone(&shared.policies),
    }
}

fn admit(shared: &Shared, body: &[u8]) -> Result<Hash, ApiError> {
    refuse_if_disk_full(shared)?;
    let ctx = next_block_ctx(shared);
    let hash = shared.mempool.admit(&shared.store, &ctx, body)?;
    tracing::debug!(tx = %hash, "transaction admitted");
    Ok(hash)
}

/// `disk_full` while the store's disk is below its reserve: a transaction
/// admitted now could not be committed ([`crate::disk`]).
fn refuse_if_disk_full(shared: &Shared) -> Result<(), ApiError> {
    let disk = *shared.disk.borrow();
    if disk.is_full() {
        return Err(ApiError::DiskFull(disk.refusal()));
    }
    Ok(())
}

/// Submit up to 1,024 signed transactions in one request.
///
/// The body is the canonical encoding of a list of signed transactions,
/// each given as its canonical bytes (`TxBatchBody` in `xianjie-node`): the
/// format version byte 1, then a varint count, then for each transaction a
/// varint length and the bytes `POST /v1/txs` would take. At most 1,024
/// transactions and 4 MiB. Each transaction passes exactly the checks of
/// `POST /v1/txs`, in order, and is admitted or refused on its own: the
/// answer (200) lists, in the order sent, each one's hash and the status and
/// error `POST /v1/txs` would have answered for it alone (202 admitted; 503
/// `mempool_full`: send it again later). Only a body that is not such a
/// list is refused as a whole.
#[utoipa::path(
    post,
    path = "/v1/txs/batch",
    tag = "transactions",
    request_body(content = TxBatchBytes, content_type = "application/octet-stream",
        description = "canonical encoding of a list of canonical SignedTx bytes (at most 1,024 transactions, 4 MiB)"),
    responses(
        (status = 200, description = "every transaction judged; see each result", body = BatchView),
        (status = 400, description = "bad_body: not the canonical encoding of a transaction list, or more than 1,024 transactions", body = ErrorBody),
        (status = 413, description = "body_too_large: more than 4 MiB", body = ErrorBody),
        (status = 507, description = "disk_full: the node's disk is below its reserve; no transaction of the batch is judged", body = ErrorBody),
    )
)]
pub async fn submit_batch(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = match body {
        Ok(body) if body.len() <= MAX_BATCH_BYTES => body,
        Ok(_) => return Ok(batch_too_large()),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(batch_too_large())
        }
        Err(rejection) => return Err(rejection.into()),
    };
    // The count is checked before decoding: a body of a few MiB can announce
    // millions of empty transactions, each of which decoding would allocate.
    if let Some(count) = oversized_batch_count(&body) {
        return Err(ApiError::BadBody(format!(
            "the batch holds {count} transactions; the limit is {MAX_BATCH_TXS}"
        )));
    }
    let outcomes = state
        .blocking(move |shared| {
            // Up to 4 MiB to decode: on the blocking pool, not an async worker.
            let batch: TxBatchBody = codec::decode(&body).map_err(|error| {
                ApiError::BadBody(format!(
                    "not the canonical encoding of a transaction batch ({error})"
                ))
            })?;
            refuse_if_disk_full(shared)?;
            let ctx = next_block_ctx(shared);
            Ok(shared.mempool.admit_batch(&shared.store, &ctx, batch.txs))
        })
        .await?;
    let results: Vec<BatchTxView> = outcomes.into_iter().map(batch_tx_view).collect();
    let admitted = results
        .iter()
        .filter(|result| result.error.is_none())
        .count();
    tracing::debug!(admitted, sent = results.len(), "transaction batch judged");
    Ok(Json(BatchView {
        admitted,
        refused: results.len() - admitted,
        results,
    })
    .into_response())
}

/// `body_too_large` for a batch, with the batch limit.
fn batch_too_large() -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: ErrorCode::BodyTooLarge,
            message: format!(
                "the request body is larger than {MAX_BATCH_BYTES} bytes; send the transactions in smaller batches"
            ),
            tx: None,
            height: None,
            index: None,
        },
    };
    (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
}

fn batch_tx_view(outcome: BatchAdmission) -> BatchTxView {
    let hash = outcome.hash.map(|hash| hash.to_hex());
    match outcome.result {
        Ok(()) => BatchTxView {
            hash,
            status: StatusCode::ACCEPTED.as_u16(),
            error: None,
        },
        Err(refusal) => {
            let error = ApiError::from(refusal);
            if let ApiError::Internal(detail) = &error {
                tracing::error!(%detail, "admitting a transaction of a batch failed inside the node");
            }
            BatchTxView {
                hash,
                status: error.status().as_u16(),
                error: Some(ErrorDetail {
                    code: ErrorCode::parse(error.code()),
                    message: error.message(),
                    tx: None,
                    height: None,
                    index: None,
                }),
            }
        }
    }
}

/// Where a transaction is.
enum Lookup {
    Committed(TxView),
    Pending(TxView),
    Unknown,
}

/// Waits until `hash` is committed, it leaves the mempool uncommitted
/// (expired), the commit wait runs out, or the node stops.
async fn wait_for_commit(state: &AppState, hash: Hash) -> Result<TxView, ApiError> {
    let deadline = Instant::now() + state.shared().config.commit_wait;
    let mut tips = state.tip_receiver();
    loop {
        // Mark the current tip seen before looking, so a commit that lands
        // after the look always wakes the wait below.
        tips.borrow_and_update();
        match state
            .blocking(move |shared| lookup(shared, hash, false))
            .await?
        {
            Lookup::Committed(view) => return Ok(view),
            Lookup::Unknown => return Err(ApiError::ExpiredInMempool { hash }),
            Lookup::Pending(_) => {}
        }
        match tokio::time::timeout_at(deadline, tips.changed()).await {
            Err(_elapsed) => return Err(ApiError::CommitTimeout { hash }),
            Ok(Err(_producer_gone)) => return Err(ApiError::ShuttingDown),
            Ok(Ok(())) => {}
        }
    }
}

/// Finds a transaction. The mempool is read before the store: the producer
/// commits before it removes from the mempool, so a transaction is never
/// missed in between.
fn lookup(shared: &Shared, hash: Hash, with_call: bool) -> Result<Lookup, ApiError> {
    let pending = shared.mempool.get(&hash);
    if let Some(location) = shared.store.tx_location(&hash)? {
        let result = shared.store.tx_result(location)?.ok_or_else(|| {
            ApiError::Internal(format!("no result stored for committed tx {hash}"))
        })?;
        let call = if with_call {
            let block = shared.store.block(location.height)?.ok_or_else(|| {
                ApiError::Internal(format!("no block stored at height {}", location.height))
            })?;
            let tx = block.txs.get(location.index as usize).ok_or_else(|| {
                ApiError::Internal(format!(
                    "no transaction {} in the block at height {}",
                    location.index, location.height
                ))
            })?;
            Some(call_kind(&tx.tx.call)?)
        } else {
            None
        };
        return Ok(Lookup::Committed(TxView {
            hash: hash.to_hex(),
            status: TxStatus::Committed,
            height: Some(location.height),
            index: Some(location.index),
            outcome: Some(result.outcome.into()),
            call,
        }));
    }
    Ok(match pending {
        Some(tx) => Lookup::Pending(TxView {
            hash: hash.to_hex(),
            status: TxStatus::Pending,
            height: None,
            index: None,
            outcome: None,
            call: with_call.then(|| call_kind(&tx.tx.call)).transpose()?,
        }),
        None => Lookup::Unknown,
    })
}

/// The call's name as its JSON form tags it (`open_case`, `anchor_evidence`,
/// …), without any of its fields.
pub(super) fn call_kind(call: &Call) -> Result<String, ApiError> {
    match serde_json::to_value(call) {
        Ok(serde_json::Value::Object(tagged)) if tagged.len() == 1 => {
            Ok(tagged.keys().next().cloned().unwrap_or_default())
        }
        // The value itself is not logged: it holds the protected fields.
        Ok(_) => Err(ApiError::Internal(
            "a call's JSON is not tagged by its kind".into(),
        )),
        Err(error) => Err(ApiError::Internal(format!("a call to JSON: {error}"))),
    }
}

/// A transaction by hash: pending or committed, where it is, its result and
/// the kind of call. Unsigned, so public: the call's fields (case titles and
/// entities, case ids, inspection results) are not shown; the signed,
/// policy-gated endpoints serve them.
#[utoipa::path(
    get,
    path = "/v1/txs/{hash}",
    tag = "transactions",
    params(("hash" = String, Path, description = "transaction hash, 64 hex characters")),
    responses(
        (status = 200, description = "the transaction's status, location, outcome and kind of call", body = TxView),
        (status = 400, description = "bad_digest", body = ErrorBody),
        (status = 404, description = "unknown_tx", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    hash: Result<Path<String>, PathRejection>,
) -> Result<Json<TxView>, ApiError> {
    let hash = parse_hash(&hash?.0)?;
    match state
        .blocking(move |shared| lookup(shared, hash, true))
        .await?
    {
        Lookup::Committed(view) | Lookup::Pending(view) => Ok(Json(view)),
        Lookup::Unknown => Err(ApiError::UnknownTx(hash)),
    }
}
