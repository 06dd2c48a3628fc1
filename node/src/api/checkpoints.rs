//! Checkpoints of the history tree and their witnesses
//! (`docs/checkpoint.md`): `GET /v1/checkpoints/latest` states the newest
//! certified history; a witness that checked it co-signs and sends the note
//! to `POST /v1/checkpoints/cosignatures`; `GET /v1/checkpoints/witnessed`
//! lists each witness's newest note, which receipts carry;
//! `GET /v1/checkpoints/timestamped` tells a time-stamping service
//! (`xianjie checkpoint timestamp`) which checkpoint was stamped last.
//!
//! Only witnesses in `HOME/witnesses.txt` are accepted (one vkey per line,
//! [`WitnessList`]); the node checks each cosignature and that the note's
//! checkpoint is exactly the one its own headers give, and keeps a
//! witness's note only if it covers more headers than the one it holds.

use std::path::Path;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::Json;
use xianjie_ledger::checkpoint::{verify_note, Checkpoint, SignedNote, VerifierKey, WitnessList};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::receipt::CertifiedHeader;
use xianjie_store::Store;

use super::{ApiError, AppState, ErrorBody, Shared};
use crate::error::{Error, Result};

pub use xianjie_api::checkpoints::{
    CheckpointView, CosignedView, OrgTimestampsView, TimestampRecordView, TimestampedView,
    WitnessedView,
};

/// The file of a node's home that lists the witnesses it accepts.
pub const WITNESSES_FILE: &str = "witnesses.txt";

/// Largest cosigned note accepted: the spec's limit for a signed note.
const MAX_NOTE_BYTES: usize = 32 * 1024;

/// The witnesses of `HOME/witnesses.txt`; none if the file is absent.
pub fn read_witnesses(home: &Path) -> Result<Vec<VerifierKey>> {
    let path = home.join(WITNESSES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(Error::io("reading", &path)(error)),
    };
    let list = WitnessList::parse(&text).map_err(|error| Error::Config {
        reason: format!("{}: {error}", path.display()),
    })?;
    Ok(list.witnesses)
}

/// The newest checkpoint.
#[utoipa::path(
    get,
    path = "/v1/checkpoints/latest",
    tag = "chain",
    responses(
        (status = 200, description = "the checkpoint and its certified header", body = CheckpointView),
        (status = 404, description = "unknown_block: no block yet", body = ErrorBody),
    )
)]
pub async fn latest(State(state): State<AppState>) -> Result<Json<CheckpointView>, ApiError> {
    let height = state.tip().height;
    let view = state
        .blocking(move |shared| checkpoint_at(shared, height))
        .await?;
    Ok(Json(view))
}

/// The checkpoint header `height` names: the history over the headers
/// before it.
fn checkpoint_at(shared: &Shared, height: u64) -> Result<CheckpointView, ApiError> {
    let unknown = ApiError::UnknownBlock {
        height,
        tip: height,
    };
    let header = shared.store.header(height)?.ok_or(unknown)?;
    let commit = shared.store.commit(height)?.ok_or_else(|| {
        ApiError::Internal(format!("block {height} has no stored commit certificate"))
    })?;
    let checkpoint = Checkpoint {
        origin: Checkpoint::origin_for(&shared.genesis.chain_id, &shared.genesis_hash),
        size: height - 1,
        root: header.history_root,
        block_height: height,
        block_hash: header.hash(),
        time_ms: header.time_ms,
    };
    Ok(CheckpointView {
        body: checkpoint.to_body(),
        size: checkpoint.size,
        certified: CertifiedHeader { header, commit },
    })
}

/// Keeps a witness's cosignature of a checkpoint of this chain.
#[utoipa::path(
    post,
    path = "/v1/checkpoints/cosignatures",
    tag = "chain",
    request_body(content = String, content_type = "text/plain",
        description = "a signed note: the checkpoint body, a blank line, the witness's cosignature line"),
    responses(
        (status = 200, description = "kept", body = CosignedView),
        (status = 400, description = "bad_checkpoint", body = ErrorBody),
        (status = 403, description = "unknown_witness", body = ErrorBody),
        (status = 409, description = "checkpoint_mismatch: another history", body = ErrorBody),
        (status = 413, description = "body_too_large", body = ErrorBody),
    )
)]
pub async fn cosign(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CosignedView>, ApiError> {
    let body = body?;
    if body.len() > MAX_NOTE_BYTES {
        return Err(ApiError::BodyTooLarge {
            limit: MAX_NOTE_BYTES,
        });
    }
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::BadCheckpoint("the note is not UTF-8".into()))?;
    let view = state.blocking(move |shared| keep(shared, &text)).await?;
    Ok(Json(view))
}

fn keep(shared: &Shared, text: &str) -> Result<CosignedView, ApiError> {
    let bad = |error: &dyn std::fmt::Display| ApiError::BadCheckpoint(error.to_string());
    let note = SignedNote::parse(text).map_err(|e| bad(&e))?;
    let checkpoint = Checkpoint::parse_body(&note.text).map_err(|e| bad(&e))?;
    check_is_ours(shared, &checkpoint)?;
    let witnesses = &shared.witnesses;
    if witnesses.is_empty() {
        return Err(ApiError::UnknownWitness(
            "this node lists no witnesses".into(),
        ));
    }
    let verified = verify_note(&note, witnesses).map_err(|error| {
        ApiError::UnknownWitness(format!("no listed witness's cosignature verifies: {error}"))
    })?;
    let mut kept = Vec::new();
    for witness in verified {
        let line = note
            .signatures
            .iter()
            .find(|signature| signature.name == witness.name)
            .cloned();
        let own = SignedNote {
            text: note.text.clone(),
            signatures: line.into_iter().collect(),
        };
        if covers_more(&shared.store, &witness.name, checkpoint.size)? {
            shared
                .store
                .put_cosigned_checkpoint(&witness.name, &own.to_text())?;
            tracing::info!(witness = %witness.name, size = checkpoint.size, "cosigned checkpoint kept");
        }
        kept.push(witness.name);
    }
    Ok(CosignedView {
        size: checkpoint.size,
        witnesses: kept,
    })
}

/// The checkpoint must be the one this node's own certified header gives.
fn check_is_ours(shared: &Shared, checkpoint: &Checkpoint) -> Result<(), ApiError> {
    let origin = Checkpoint::origin_for(&shared.genesis.chain_id, &shared.genesis_hash);
    if checkpoint.origin != origin {
        return Err(ApiError::BadCheckpoint(format!(
            "its origin is `{}`, this chain's is `{origin}`",
            checkpoint.origin
        )));
    }
    let ours = checkpoint_at(shared, checkpoint.block_height).map_err(|error| match error {
        ApiError::UnknownBlock { .. } => ApiError::CheckpointMismatch(format!(
            "this node has no header {} yet",
            checkpoint.block_height
        )),
        other => other,
    })?;
    if ours.body != checkpoint.to_body() {
        return Err(ApiError::CheckpointMismatch(format!(
            "this chain's checkpoint of {} headers is not the one co-signed",
            checkpoint.size
        )));
    }
    Ok(())
}

/// Whether a note of `size` headers is newer than the one kept for `witness`.
fn covers_more(store: &Store, witness: &str, size: u64) -> Result<bool, ApiError> {
    Ok(store
        .cosigned()?
        .iter()
        .find(|kept| kept.witness == witness)
        .is_none_or(|kept| size > kept.checkpoint.size))
}

/// Each listed witness's newest cosigned checkpoint.
#[utoipa::path(
    get,
    path = "/v1/checkpoints/witnessed",
    tag = "chain",
    responses((status = 200, description = "the notes, by witness", body = Vec<WitnessedView>))
)]
pub async fn witnessed(
    State(state): State<AppState>,
) -> Result<Json<Vec<WitnessedView>>, ApiError> {
    let notes = state
        .blocking(|shared| witnessed_notes(&shared.store))
        .await?;
    Ok(Json(notes))
}

fn witnessed_notes(store: &Store) -> Result<Vec<WitnessedView>, ApiError> {
    Ok(store
        .cosigned()?
        .into_iter()
        .map(|kept| WitnessedView {
            witness: kept.witness,
            size: kept.checkpoint.size,
            note: kept.note.to_text(),
        })
        .collect())
}

/// The time-stamp tokens recorded over checkpoints: each organisation's
/// count and newest.
#[utoipa::path(
    get,
    path = "/v1/checkpoints/timestamped",
    tag = "chain",
    responses((status = 200, description = "each organisation's count and newest token", body = TimestampedView))
)]
pub async fn timestamped(State(state): State<AppState>) -> Result<Json<TimestampedView>, ApiError> {
    let view = state
        .blocking(|shared| timestamped_view(&shared.store))
        .await?;
    Ok(Json(view))
}

fn timestamped_view(store: &Store) -> Result<TimestampedView, ApiError> {
    let orgs = xianjie_contracts::timestamps::orgs(store).map_err(super::auth::internal)?;
    let orgs = orgs
        .0
        .iter()
        .map(|org| org_timestamps(store, org))
        .collect::<Result<_, _>>()?;
    Ok(TimestampedView { orgs })
}

fn org_timestamps(store: &Store, org: &OrgId) -> Result<OrgTimestampsView, ApiError> {
    use xianjie_contracts::timestamps::{log, record};
    let log = log(store, org).map_err(super::auth::internal)?;
    let latest = match log.count.checked_sub(1) {
        Some(seq) => record(store, org, seq).map_err(super::auth::internal)?,
        None => None,
    };
    Ok(OrgTimestampsView {
        org: org.to_string(),
        count: log.count,
        last_size: log.last_size,
        latest: latest.map(|stamped| TimestampRecordView {
            seq: stamped.seq,
            size: stamped.size,
            checkpoint: stamped.checkpoint,
            token: hex::encode(&stamped.token),
            org: stamped.org.to_string(),
            height: stamped.height,
            tx: stamped.tx.to_hex(),
        }),
    })
}
