//! Time-stamp tokens over history checkpoints (`Call::RecordTimestamp`;
//! the layout is `xianjie_ledger::timestamps`).
//!
//! Built-in rules, no policy: a token is self-verifying, so any active
//! officer may record one, in its organisation's own log. The checkpoint
//! parses, names this chain (`xianjie/<chain id>/<genesis hash>`), covers
//! at least one header and names a block below the one being built
//! (`invalid_checkpoint`); the token is a well-formed time-stamp token over
//! SHA-256 of the checkpoint body (`timestamp_not_for_checkpoint`); it
//! covers a larger checkpoint than the last one the signer's organisation
//! recorded (`timestamp_not_newer`), which keeps each log sorted by size;
//! and at most `MAX_STAMPING_ORGS` organisations keep logs
//! (`timestamp_orgs_full`).
//!
//! One log per organisation, because which TSA to trust is each verifier's
//! choice: an organisation that stamps with a TSA a court does not trust,
//! or records tokens in bad faith, fills only its own log, and receipts
//! carry the first covering token of every log.
//!
//! Not checked here: who signed the token (a verifier trusts a TSA by its
//! certificate, `xianjie verify --tsa-cert`), and whether the checkpoint's
//! root is this chain's (execution sees the state, not the headers). A
//! receipt builder uses a token only for a checkpoint its own header states,
//! and a verifier checks the anchor's header against the root.

use xianjie_ledger::checkpoint::{Checkpoint, ORIGIN_PREFIX};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::Officer;
use xianjie_ledger::state::{keys, StateView, WriteSet};
use xianjie_ledger::timestamps::{
    imprint_of, TimestampLog, TimestampOrgs, TimestampRecord, MAX_CHECKPOINT_BODY_BYTES,
    MAX_STAMPING_ORGS, MAX_TOKEN_BYTES,
};
use xianjie_ledger::tx::RecordTimestamp;
use xianjie_timestamp::TimestampToken;

use crate::error::{ContractError, Result};
use crate::overlay::Overlay;
use crate::{read, BlockCtx};

/// The organisations that recorded tokens, sorted.
pub fn orgs(view: &dyn StateView) -> Result<TimestampOrgs> {
    Ok(read::record(view, keys::TIMESTAMP_ORGS)?.unwrap_or_default())
}

/// How many tokens `org` recorded, and the size of its last checkpoint.
pub fn log(view: &dyn StateView, org: &OrgId) -> Result<TimestampLog> {
    Ok(read::record(view, &keys::timestamp_log(org))?.unwrap_or_default())
}

/// The `seq`-th token `org` recorded.
pub fn record(view: &dyn StateView, org: &OrgId, seq: u64) -> Result<Option<TimestampRecord>> {
    read::record(view, &keys::timestamp(org, seq))
}

/// Records a token in the signer's organisation's log; see the module
/// documentation for the rules.
pub fn record_timestamp(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &RecordTimestamp,
) -> Result<WriteSet> {
    let checkpoint = check_checkpoint(ctx, &call.checkpoint)?;
    check_token(&call.token, &call.checkpoint)?;
    let org = &signer.org;
    let before = log(view, org)?;
    if before.count > 0 && checkpoint.size <= before.last_size {
        return Err(ContractError::TimestampNotNewer {
            size: checkpoint.size,
            last: before.last_size,
        });
    }
    let mut stage = Overlay::new(view);
    if before.count == 0 {
        let mut stamping = orgs(view)?;
        if stamping.0.len() >= MAX_STAMPING_ORGS {
            return Err(ContractError::TimestampOrgsFull {
                max: MAX_STAMPING_ORGS,
            });
        }
        let at = stamping.0.binary_search(org).unwrap_or_else(|at| at);
        stamping.0.insert(at, org.clone());
        read::put(&mut stage, keys::TIMESTAMP_ORGS.to_vec(), &stamping);
    }
    let stored = TimestampRecord {
        seq: before.count,
        size: checkpoint.size,
        checkpoint: call.checkpoint.clone(),
        token: call.token.clone(),
        org: org.clone(),
        officer: signer.id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
    };
    let after = TimestampLog {
        count: before.count + 1,
        last_size: checkpoint.size,
    };
    read::put(&mut stage, keys::timestamp(org, stored.seq), &stored);
    read::put(&mut stage, keys::timestamp_log(org), &after);
    Ok(stage.into_writes())
}

/// The body parses, names this chain (its id, then a genesis hash) and a
/// committed block, and covers at least one header.
fn check_checkpoint(ctx: &BlockCtx, body: &str) -> Result<Checkpoint> {
    let invalid = |reason: String| ContractError::InvalidCheckpoint { reason };
    if body.len() > MAX_CHECKPOINT_BODY_BYTES {
        return Err(invalid(format!(
            "it is {} bytes, more than {MAX_CHECKPOINT_BODY_BYTES}",
            body.len()
        )));
    }
    let checkpoint = Checkpoint::parse_body(body).map_err(|e| invalid(e.to_string()))?;
    if checkpoint.chain_id() != Some(ctx.chain_id.as_str()) {
        return Err(invalid(format!(
            "its origin `{}` is not this chain's (`{ORIGIN_PREFIX}{}/<genesis hash>`)",
            checkpoint.origin, ctx.chain_id
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
