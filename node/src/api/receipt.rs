//! `GET /v1/evidence/{digest}/receipt`: the court-grade evidence receipt.
//!
//! The receipt (`docs/receipt.md`, `xianjie_ledger::receipt`) is a binary,
//! self-contained file: the record and its state proof at the current tip,
//! the anchor and custody transactions with their inclusion proofs, the
//! certified headers they need and every validator-set change since the
//! genesis. `xianjie verify --receipt FILE --genesis genesis.json` checks it
//! offline.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::auth::{authorize_evidence, EvidenceDigest, Reader};
use super::{ApiError, AppState, ErrorBody};

/// The media type of a receipt file.
pub const RECEIPT_CONTENT_TYPE: &str = "application/octet-stream";

/// The evidence receipt of a digest at the current tip, as a file.
///
/// A signed read, like every evidence route (the read policy decides who
/// may fetch it); checking the receipt needs no key.
///
/// The body starts with `XJRCPT` and the format version; the format is
/// specified byte by byte in `docs/receipt.md`. Building it reads every
/// header once (to find validator-set changes), so it costs more than the
/// JSON proof for long chains.
#[utoipa::path(
    get,
    path = "/v1/evidence/{digest}/receipt",
    tag = "evidence",
    params(("digest" = String, Path, description = "BLAKE3 of the file, 64 hex characters")),
    responses(
        (status = 200, description = "the receipt file (docs/receipt.md)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, description = "bad_digest", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "not_anchored", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    ),
    security(("signed_read" = []), ("session" = []))
)]
pub async fn receipt(
    State(state): State<AppState>,
    reader: Reader,
    EvidenceDigest(digest): EvidenceDigest,
) -> Result<Response, ApiError> {
    authorize_evidence(&state, reader, digest).await?;
    let height = state.tip().height;
    let receipt = state
        .blocking(move |shared| {
            xianjie_store::receipt::build_witnessed_or_latest(&shared.store, &digest, height)
                .map_err(|error| {
                    ApiError::Internal(format!("building the receipt of {digest}: {error}"))
                })
        })
        .await?
        .ok_or(ApiError::NotAnchored(digest))?;
    let disposition = format!("attachment; filename=\"{digest}.xjrcpt\"");
    Ok((
        [
            (header::CONTENT_TYPE, RECEIPT_CONTENT_TYPE.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        receipt.to_bytes(),
    )
        .into_response())
}
