//! `xianjie evidence verify FILE`: is this exact file anchored, and can the
//! node prove it?
//!
//! The file is hashed locally; any change to it changes the digest, so a
//! changed file is simply "not anchored" (exit 1). For an anchored digest the
//! node's proof bundle is checked locally (see [`super::proof`]) and the
//! record printed is the one the proof covers, not the node's unproven JSON.

use std::path::PathBuf;

use anyhow::{anyhow, Context as _};
use clap::Args;
use serde_json::{json, Value};
use xianjie_ledger::Hash;

use super::hashing_progress;
use super::proof::{verify_bundle, ProofBundle, VerifiedEvidence};
use super::render::describe_record;
use crate::client::NodeClient;
use crate::hashing::{hash_file, FileDigest};
use crate::{Context, Exit};

/// `xianjie evidence verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The file to check.
    pub file: PathBuf,
}

/// Exit 0 with the proven record, 1 if not anchored, 2 if the proof fails.
pub fn execute(context: &Context, args: VerifyArgs) -> anyhow::Result<Exit> {
    let file = hash_file(&args.file, hashing_progress(context))
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let client = context.client();
    if client.evidence(&file.digest)?.is_none() {
        return print_not_anchored(context, &args, &file);
    }
    let verified = fetch_and_verify(&client, &file.digest)?;
    print_verified(context, &args, &file, &verified)
}

/// Fetches the proof bundle and checks it; any inconsistency is an error (exit 2).
fn fetch_and_verify(client: &NodeClient, digest: &Hash) -> anyhow::Result<VerifiedEvidence> {
    let Some(bundle_json) = client.evidence_proof(digest)? else {
        return Err(anyhow!(
            "the node at {} says {digest} is anchored but has no proof for it; try again, \
             and if it persists ask another agency's node",
            client.base_url()
        ));
    };
    let bundle: ProofBundle = serde_json::from_value(bundle_json).with_context(|| {
        format!(
            "the node at {} sent a proof this CLI cannot read; are both the same version?",
            client.base_url()
        )
    })?;
    verify_bundle(&bundle, digest).map_err(|failure| {
        anyhow!(
            "the node at {} claims {digest} is anchored, but its proof is inconsistent: {failure}. \
             Do not rely on this answer; verify against another agency's node",
            client.base_url()
        )
    })
}

fn print_not_anchored(
    context: &Context,
    args: &VerifyArgs,
    file: &FileDigest,
) -> anyhow::Result<Exit> {
    let json = json!({ "anchored": false, "digest": file.digest, "size": file.size });
    context.output.emit(&json, || {
        format!(
            "NOT ANCHORED: {} ({} bytes)\ndigest {}\n\
             No evidence with this digest is on the ledger. If this file was anchored, \
             it has been changed since: any change to a file changes its digest.",
            args.file.display(),
            file.size,
            file.digest
        )
    })?;
    Ok(Exit::Negative)
}

fn print_verified(
    context: &Context,
    args: &VerifyArgs,
    file: &FileDigest,
    verified: &VerifiedEvidence,
) -> anyhow::Result<Exit> {
    let record = &verified.record;
    let json = json!({
        "anchored": true,
        "digest": file.digest,
        "size": file.size,
        "height": record.height,
        "time_ms": record.time_ms,
        "tx": record.tx,
        "org": record.org,
        "anchored_by": record.anchored_by,
        "class": record.class,
        "category": record.anchor.category,
        "case_id": record.anchor.case_id,
        "holder": record.holder,
        "pending_transfer": record.pending_transfer,
        "custody": record.custody,
        "superseded_by": record.superseded_by,
        "destroyed": record.destroyed,
        "proof_verified": true,
        "proof": proof_json(verified),
    });
    context.output.emit(&json, || {
        format!(
            "ANCHORED: {} is unchanged since it was anchored\n{}\nproof         verified: {}",
            args.file.display(),
            describe_record(&file.digest, record),
            proof_summary(verified)
        )
    })?;
    Ok(Exit::Success)
}

fn proof_json(verified: &VerifiedEvidence) -> Value {
    json!({
        "chain_id": verified.chain_id,
        "height": verified.height,
        "signed_power": verified.signed_power,
        "total_power": verified.total_power,
    })
}

fn proof_summary(verified: &VerifiedEvidence) -> String {
    format!(
        "record in the state of block {} of chain {}, certified by validators holding {} of {} voting power",
        verified.height, verified.chain_id, verified.signed_power, verified.total_power
    )
}
