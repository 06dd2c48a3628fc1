//! `GET /v1/evidence/{digest}` and `GET /v1/evidence/{digest}/proof`.
//!
//! The proof bundle lets anyone holding the validator set (from the genesis)
//! check, without trusting this node, that the record is in the state under
//! a committed header and that its anchoring and custody transactions are in
//! committed blocks. [`EvidenceProof::verify`] (in `xianjie_api`) is that check.

use axum::extract::State;
use axum::Json;
pub use xianjie_api::evidence::{EvidenceProof, StateEntryProof, TxInclusion};
use xianjie_ledger::block::{Commit, Header};
use xianjie_ledger::codec;
use xianjie_ledger::merkle;
use xianjie_ledger::model::EvidenceRecord;
use xianjie_ledger::state::keys;
use xianjie_ledger::Hash;
use xianjie_store::Store;

use super::auth::{authorize_evidence, EvidenceDigest, Reader};
use super::{ApiError, AppState, ErrorBody, Shared};
use crate::chain::read_validator_set;

/// An anchored evidence record: class, holder, custody history.
///
/// The body is the on-chain `EvidenceRecord` as JSON with `digest` added:
/// `digest, class ("A"/"B"/"C"), org, anchored_by, height, time_ms, tx,
/// holder, pending_transfer, custody [{action, org, officer, to, …}],
/// superseded_by, destroyed, anchor {…}`.
#[utoipa::path(
    get,
    path = "/v1/evidence/{digest}",
    tag = "evidence",
    params(("digest" = String, Path, description = "BLAKE3 of the file, 64 hex characters (as b3sum prints it)")),
    responses(
        (status = 200, description = "the record", body = Object),
        (status = 400, description = "bad_digest", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "not_anchored", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    ),
    security(("signed_read" = []), ("session" = []))
)]
pub async fn record(
    State(state): State<AppState>,
    reader: Reader,
    EvidenceDigest(digest): EvidenceDigest,
) -> Result<Json<serde_json::Value>, ApiError> {
    let record = authorize_evidence(&state, reader, digest).await?;
    let mut json = serde_json::to_value(&record)
        .map_err(|error| ApiError::Internal(format!("evidence record to JSON: {error}")))?;
    if let Some(object) = json.as_object_mut() {
        object.insert("digest".into(), serde_json::Value::String(digest.to_hex()));
    }
    Ok(Json(json))
}

/// Proofs of an evidence record against the latest header.
///
/// Check it with the validator set of the genesis: the commit certificate
/// signs the header, the state proof shows the record under
/// `header.state_root`, and each transaction's inclusion proof shows it under
/// its own committed header's `tx_root`.
#[utoipa::path(
    get,
    path = "/v1/evidence/{digest}/proof",
    tag = "evidence",
    params(("digest" = String, Path, description = "BLAKE3 of the file, 64 hex characters")),
    responses(
        (status = 200, description = "the proof bundle", body = EvidenceProof),
        (status = 400, description = "bad_digest", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "not_anchored", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    ),
    security(("signed_read" = []), ("session" = []))
)]
pub async fn proof(
    State(state): State<AppState>,
    reader: Reader,
    EvidenceDigest(digest): EvidenceDigest,
) -> Result<Json<EvidenceProof>, ApiError> {
    authorize_evidence(&state, reader, digest).await?;
    let height = state.tip().height;
    state
        .blocking(move |shared| build_proof(shared, digest, height))
        .await?
        .map(Json)
        .ok_or(ApiError::NotAnchored(digest))
}

/// Everything is read as of `height`, so the bundle is consistent even if a
/// block is committed meanwhile.
fn build_proof(
    shared: &Shared,
    digest: Hash,
    height: u64,
) -> Result<Option<EvidenceProof>, ApiError> {
    let store = &shared.store;
    let key = keys::evidence(&digest);
    let (value, state_proof) = store.state_proof(&key, height)?;
    let Some(value) = value else {
        return Ok(None);
    };
    let record: EvidenceRecord = codec::decode(&value).map_err(|error| {
        ApiError::Internal(format!("stored evidence {digest} does not decode: {error}"))
    })?;
    let (header, commit) = committed_header(store, height)?;
    let validators = read_validator_set(store)?;
    let anchor = tx_inclusion(store, &record.tx)?;
    let custody = record
        .custody
        .iter()
        .map(|event| tx_inclusion(store, &event.tx))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(EvidenceProof {
        digest,
        height,
        block_hash: commit.block_hash,
        header,
        commit,
        validators,
        state: StateEntryProof {
            key,
            value,
            proof: codec::encode(&state_proof),
        },
        anchor,
        custody,
    }))
}

fn committed_header(store: &Store, height: u64) -> Result<(Header, Commit), ApiError> {
    let missing = |what: &str| ApiError::Internal(format!("no {what} stored at height {height}"));
    let header = store.header(height)?.ok_or_else(|| missing("header"))?;
    let commit = store.commit(height)?.ok_or_else(|| missing("commit"))?;
    Ok((header, commit))
}

fn tx_inclusion(store: &Store, tx_hash: &Hash) -> Result<TxInclusion, ApiError> {
    let location = store
        .tx_location(tx_hash)?
        .ok_or_else(|| ApiError::Internal(format!("recorded tx {tx_hash} is not in any block")))?;
    let block = store.block(location.height)?.ok_or_else(|| {
        ApiError::Internal(format!("no block stored at height {}", location.height))
    })?;
    let index = location.index as usize;
    let inclusion = merkle::prove(&block.tx_hashes(), index).ok_or_else(|| {
        ApiError::Internal(format!(
            "tx index {index} outside block {}",
            location.height
        ))
    })?;
    let (header, commit) = committed_header(store, location.height)?;
    Ok(TxInclusion {
        tx: codec::encode(&block.txs[index]),
        tx_hash: *tx_hash,
        height: location.height,
        index: location.index,
        header,
        commit,
        inclusion,
    })
}
