//! Time-stamp tokens over history checkpoints (`Call::RecordTimestamp`;
//! the layout is `xianjie_ledger::timestamps`).
//!
//! Built-in rules, no policy: a token is self-verifying, so any active
//! officer may record one. The checkpoint parses, names this chain
//! (`xianjie/<chain id>/…`), covers at least one header and names a block
//! below the one being built (`invalid_checkpoint`); the token is a well-formed time-stamp token over
//! SHA-256 of the checkpoint body (`timestamp_not_for_checkpoint`); and it
//! covers a larger checkpoint than the last one recorded
//! (`timestamp_not_newer`), which keeps the log sorted by size.
//!
//! Not checked here: who signed the token (a verifier trusts a TSA by its
//! certificate, `xianjie verify --tsa-cert`), and whether the checkpoint's
//! root is this chain's (execution sees the state, not the headers). A
//! receipt builder uses a token only for a checkpoint its own header states,
//! and a verifier checks the anchor's header against the root.

use xianjie_ledger::checkpoint::{Checkpoint, ORIGIN_PREFIX};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::model::Officer;
use xianjie_ledger::state::{keys, StateView, WriteSet};
use xianjie_ledger::timestamps::{
    imprint_of, TimestampLog, TimestampRecord, MAX_CHECKPOINT_BODY_BYTES, MAX_TOKEN_BYTES,
};
use xianjie_ledger::tx::RecordTimestamp;
use xianjie_timestamp::TimestampToken;

use crate::error::{ContractError, Result};
use crate::overlay::Overlay;
use crate::{read, BlockCtx};

/// How many tokens are recorded, and the size of the last checkpoint.
pub fn log(view: &dyn StateView) -> Result<TimestampLog> {
    Ok(read::record(view, keys::TIMESTAMP_LOG)?.unwrap_or_default())
}

/// The `seq`-th recorded token.
pub fn record(view: &dyn StateView, seq: u64) -> Result<Option<TimestampRecord>> {
    read::record(view, &keys::timestamp(seq))
}

/// Records a token; see the module documentation for the rules.
pub fn record_timestamp(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &RecordTimestamp,
) -> Result<WriteSet> {
    let checkpoint = check_checkpoint(ctx, &call.checkpoint)?;
    check_token(&call.token, &call.checkpoint)?;
    let before = log(view)?;
    if before.count > 0 && checkpoint.size <= before.last_size {
        return Err(ContractError::TimestampNotNewer {
            size: checkpoint.size,
            last: before.last_size,
        });
    }
    let stored = TimestampRecord {
        seq: before.count,
        size: checkpoint.size,
        checkpoint: call.checkpoint.clone(),
        token: call.token.clone(),
        org: signer.org.clone(),
        officer: signer.id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
    };
    let after = TimestampLog {
        count: before.count + 1,
        last_size: checkpoint.size,
    };
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::timestamp(stored.seq), &stored);
    read::put(&mut stage, keys::TIMESTAMP_LOG.to_vec(), &after);
    Ok(stage.into_writes())
}

/// The body parses, names this chain and a committed block.
fn check_checkpoint(ctx: &BlockCtx, body: &str) -> Result<Checkpoint> {
    let invalid = |reason: String| ContractError::InvalidCheckpoint { reason };
    if body.len() > MAX_CHECKPOINT_BODY_BYTES {
        return Err(invalid(format!(
            "it is {} bytes, more than {MAX_CHECKPOINT_BODY_BYTES}",
            body.len()
        )));
    }
    let checkpoint = Checkpoint::parse_body(body).map_err(|e| invalid(e.to_string()))?;
    let own = format!("{ORIGIN_PREFIX}{}/", ctx.chain_id);
    if !checkpoint.origin.starts_with(&own) {
        return Err(invalid(format!(
            "its origin `{}` is not this chain's (`{own}…`)",
            checkpoint.origin
        )));
    }
    if checkpoint.size == 0 {
        return Err(invalid(
            "it covers no header, so a token over it dates nothing".into(),
        ));
    }
    if checkpoint.block_height >= ctx.height {
        return Err(invalid(format!(
            "it names block {}, which is not committed before block {}",
            checkpoint.block_height, ctx.height
        )));
    }
    Ok(checkpoint)
}

/// The token is a time-stamp token over SHA-256 of the body.
fn check_token(token: &[u8], body: &str) -> Result<()> {
    let invalid = |reason: String| ContractError::TimestampNotForCheckpoint { reason };
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
        return Err(invalid(format!(
            "it is {} bytes; a token is 1 to {MAX_TOKEN_BYTES}",
            token.len()
        )));
    }
    TimestampToken::from_der(token)
        .and_then(|token| token.check_imprint(&imprint_of(body)))
        .map_err(|e| invalid(e.to_string()))
}
