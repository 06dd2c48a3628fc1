//! `PUT /v1/vault` and `GET /v1/vault/{digest}`: evidence files in this
//! node's vault (`crate::vault`).
//!
//! Both are signed by an officer. An upload is streamed to disk and hashed
//! as it arrives; it is kept only if its digest is anchored on chain and the
//! officer may read that evidence record (so the vault holds evidence, not
//! arbitrary files). A download passes the same read policy; a file this
//! node lacks is fetched from the holder's node (network nodes only) and the
//! answer is `202` with the transfer's progress until it is here.

use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use libp2p::futures::StreamExt as _;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::IntoParams;
use xianjie_contracts::ReadResource;
use xianjie_ledger::Hash;

use super::auth::{authorize, Reader};
use super::{parse_hash, ApiError, AppState};
use crate::vault::transfer::FetchStatus;
use crate::vault::{Sealed, Vault};
pub use xianjie_api::vault::{FetchView, VaultFileView};

/// `PUT /v1/vault` query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// The digest the client expects (64 hex); the upload is refused if the
    /// content hashes to anything else.
    pub digest: Option<String>,
}

enum Piece {
    Data(Bytes),
    /// The body ended early; the writer answers with this error and keeps nothing.
    Abort(ApiError),
}

/// Stores an evidence file streamed in the body.
///
/// With `digest`, the read policy is asked before the body is read, so a
/// refused officer costs the node no disk writes. Either way the file goes
/// under its digest only after the policy allowed it, never before. A body
/// that sends no bytes for as long as `api.request_timeout`, or that
/// averages less than `vault.min_upload_bytes_per_sec` over any period that
/// long, is abandoned.
#[utoipa::path(
    put, path = "/v1/vault",
    tag = "vault",
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the evidence file"),
    responses(
        (status = 201, description = "stored", body = VaultFileView),
        (status = 200, description = "identical content was already stored", body = VaultFileView),
        (status = 400, description = "bad_query, bad_digest, bad_body (the upload was cut off)", body = super::ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = super::ErrorBody),
        (status = 403, description = "read_denied: the officer may not read this evidence; unknown_signer, revoked_signer", body = super::ErrorBody),
        (status = 404, description = "the content's digest is not anchored", body = super::ErrorBody),
        (status = 408, description = "upload_stalled: no bytes arrived for api.request_timeout; upload_too_slow: over a period of api.request_timeout, fewer bytes than vault.min_upload_bytes_per_sec on average", body = super::ErrorBody),
        (status = 413, description = "larger than vault.max_file_bytes", body = super::ErrorBody),
        (status = 422, description = "the content does not match `digest`", body = super::ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = super::ErrorBody),
        (status = 507, description = "the disk would go below vault.min_free_bytes", body = super::ErrorBody),
    ),
    security(("signed_read" = []), ("session" = [])),
)]
pub async fn upload(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<UploadQuery>, QueryRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let expected = query.digest.as_deref().map(parse_hash).transpose()?;
    if let Some(digest) = expected {
        let reader = reader.clone();
        state
            .blocking(move |shared| authorize_content(shared, &reader, digest, Use::Keep))
            .await?;
    }
    let declared_len = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    let vault = state.shared().vault.clone();
    let (pieces, mut received) = mpsc::channel::<Piece>(16);
    let writer = tokio::task::spawn_blocking(move || -> Result<Sealed, ApiError> {
        let mut incoming = vault.begin_upload(declared_len).map_err(vault_error)?;
        while let Some(piece) = received.blocking_recv() {
            match piece {
                Piece::Data(bytes) => incoming.write(&bytes).map_err(vault_error)?,
                // Dropping `incoming` unfinished deletes what was written.
                Piece::Abort(error) => return Err(error),
            }
        }
        // Dropping `sealed` unstored (a mismatch, or a refusal later) deletes it.
        let sealed = incoming.seal().map_err(vault_error)?;
        match expected {
            Some(expected) if expected != sealed.digest() => Err(ApiError::DigestMismatch {
                expected,
                found: sealed.digest(),
            }),
            _ => Ok(sealed),
        }
    });
    // The routes of the vault have no request timeout (a large file takes
    // long), so a client that stops sending would pin the writer's blocking
    // thread forever: a pause as long as any other request may take ends it.
    // A pause just short of that, again and again, would pin it as well:
    // every period that long must average at least a floor.
    let idle_limit = state.shared().config.request_timeout;
    let mut pace = UploadPace::new(
        idle_limit,
        state.shared().vault.limits().min_upload_bytes_per_sec,
    );
    let mut body = request.into_body().into_data_stream();
    loop {
        let piece = match tokio::time::timeout(idle_limit, body.next()).await {
            Ok(None) => break,
            Ok(Some(Ok(bytes))) => match pace.record(bytes.len()) {
                Ok(()) => Piece::Data(bytes),
                Err(too_slow) => Piece::Abort(too_slow),
            },
            Ok(Some(Err(_))) => Piece::Abort(ApiError::BadBody("the upload was cut off".into())),
            Err(_idle) => Piece::Abort(ApiError::UploadStalled { idle: idle_limit }),
        };
        let abort = matches!(piece, Piece::Abort(_));
        // A closed channel means the writer refused (size, disk): its error answers.
        if pieces.send(piece).await.is_err() || abort {
            break;
        }
    }
    drop(pieces);
    let sealed = writer
        .await
        .map_err(|join| ApiError::Internal(format!("vault writer failed: {join}")))??;
    keep_if_readable(&state, reader, sealed).await
}

/// The rate of an upload, held to a floor in each window of `window`: an
/// average since the start would let an early burst buy hours of trickle.
struct UploadPace {
    window: std::time::Duration,
    min_bytes_per_sec: u64,
    window_start: std::time::Instant,
    window_bytes: u64,
}

impl UploadPace {
    fn new(window: std::time::Duration, min_bytes_per_sec: u64) -> Self {
        UploadPace {
            window,
            min_bytes_per_sec,
            window_start: std::time::Instant::now(),
            window_bytes: 0,
        }
    }

    /// Counts `len` more bytes; once the current window is over,
    /// `upload_too_slow` if it averaged below the floor, else a new window.
    fn record(&mut self, len: usize) -> Result<(), ApiError> {
        self.window_bytes = self.window_bytes.saturating_add(len as u64);
        let elapsed = self.window_start.elapsed();
        if elapsed < self.window {
            return Ok(());
        }
        let expected = self.min_bytes_per_sec as f64 * elapsed.as_secs_f64();
        if (self.window_bytes as f64) < expected {
            return Err(ApiError::UploadTooSlow {
                min_bytes_per_sec: self.min_bytes_per_sec,
            });
        }
        self.window_start = std::time::Instant::now();
        self.window_bytes = 0;
        Ok(())
    }
}

/// What an officer does with a file of the vault.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Uploads it.
    Keep,
    /// Downloads it.
    Read,
}

/// Whether `reader` may keep or read this content: anchored evidence the
/// officer may read; or the rows file of an entity snapshot
/// (docs/draw.md §11.1), which its department's officers upload and every
/// member's officers read (一公开).
fn authorize_content(
    shared: &super::Shared,
    reader: &Reader,
    digest: Hash,
    what: Use,
) -> Result<(), ApiError> {
    match authorize(shared, reader, &ReadResource::Evidence(digest)) {
        Err(ApiError::NotAnchored(_)) => {
            let snapshots =
                xianjie_contracts::random_draw::snapshots_of_file(&shared.store, &digest)
                    .map_err(super::auth::internal)?;
            let allowed = match what {
                Use::Keep => snapshots.iter().any(|s| s.owner == reader.org.id),
                Use::Read => !snapshots.is_empty(),
            };
            if allowed {
                Ok(())
            } else {
                Err(ApiError::NotAnchored(digest))
            }
        }
        other => other.map(|_| ()),
    }
}

/// Keeps an upload only if it is anchored evidence the uploader may read
/// (or a snapshot's rows file, [`authorize_content`]).
/// The policy is asked before the file goes under its digest, so a refused
/// upload never has a stored file to remove, and never removes one that an
/// allowed upload or a transfer of the same content stored meanwhile.
async fn keep_if_readable(
    state: &AppState,
    reader: Reader,
    sealed: Sealed,
) -> Result<Response, ApiError> {
    state
        .blocking(move |shared| {
            // On refusal `sealed` is dropped unstored, which deletes it.
            authorize_content(shared, &reader, sealed.digest(), Use::Keep)?;
            let stored = sealed.store().map_err(vault_error)?;
            let status = if stored.newly_stored {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            tracing::info!(digest = %stored.digest, size = stored.size, new = stored.newly_stored, "evidence file stored in the vault");
            let view = VaultFileView {
                digest: stored.digest.to_hex(),
                size: stored.size,
                stored: if stored.newly_stored { "new" } else { "existing" }.to_owned(),
            };
            Ok((status, Json(view)).into_response())
        })
        .await
}

/// Downloads an evidence file, fetching it from the holder's node first if
/// this node does not have it.
#[utoipa::path(
    get, path = "/v1/vault/{digest}",
    tag = "vault",
    params(("digest" = String, Path, description = "BLAKE3 digest, 64 hex")),
    responses(
        (status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 202, description = "being fetched from the holder's node; ask again", body = FetchView),
        (status = 400, description = "bad_digest", body = super::ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = super::ErrorBody),
        (status = 403, description = "read_denied, vault_refused: the policies let neither the officer nor this node's organisation read it; unknown_signer, revoked_signer", body = super::ErrorBody),
        (status = 404, description = "not_anchored, or not_in_vault: no node has it", body = super::ErrorBody),
        (status = 502, description = "vault_fetch_failed: the transfer failed repeatedly", body = super::ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = super::ErrorBody),
    ),
    security(("signed_read" = []), ("session" = [])),
)]
pub async fn download(
    State(state): State<AppState>,
    reader: Reader,
    digest: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let digest = parse_hash(&digest?.0)?;
    let local = state
        .blocking(move |shared| {
            authorize_content(shared, &reader, digest, Use::Read)?;
            Ok(shared.vault.size_of(&digest))
        })
        .await?;
    if let Some(size) = local {
        return stream_file(&state.shared().vault, &digest, size).await;
    }
    let Some(fetcher) = state.shared().fetcher.clone() else {
        return Err(ApiError::NotInVault(digest));
    };
    // A transfer that ended without the file is answered once; asking again
    // starts a new one.
    let status = fetcher
        .take_failure(&digest)
        .unwrap_or_else(|| fetcher.request(digest));
    match status {
        FetchStatus::Done => {
            let size = state
                .shared()
                .vault
                .size_of(&digest)
                .ok_or(ApiError::NotInVault(digest))?;
            stream_file(&state.shared().vault, &digest, size).await
        }
        FetchStatus::Refused { reason } => Err(ApiError::VaultRefused(reason)),
        FetchStatus::Failed { last_error, .. } => Err(ApiError::VaultFetchFailed(last_error)),
        transfer @ FetchStatus::Fetching { .. } => Ok((
            StatusCode::ACCEPTED,
            [(header::RETRY_AFTER, "1")],
            Json(FetchView {
                digest: digest.to_hex(),
                transfer,
            }),
        )
            .into_response()),
    }
}

async fn stream_file(vault: &Vault, digest: &Hash, size: u64) -> Result<Response, ApiError> {
    let path = vault.path_of(digest);
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|error| ApiError::Internal(format!("opening {}: {error}", path.display())))?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        file,
        256 * 1024,
    ));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::ETAG, format!("\"{}\"", digest.to_hex())),
        ],
        body,
    )
        .into_response())
}

fn vault_error(error: crate::Error) -> ApiError {
    match error {
        crate::Error::VaultFileTooLarge { limit } => ApiError::VaultFileTooLarge { limit },
        error @ crate::Error::VaultDiskFull { .. } => ApiError::DiskFull(error.to_string()),
        error => ApiError::Internal(error.to_string()),
    }
}
