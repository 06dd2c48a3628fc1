//! `xianjie evidence show DIGEST`: the record and custody chain of a digest.
//!
//! This prints what the node says, without checking a proof; `evidence
//! verify FILE` is the command that proves a file is unchanged.

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use xianjie_ledger::model::EvidenceRecord;
use xianjie_ledger::Hash;

use super::render::describe_record;
use super::{parse_digest, record_json};
use crate::{Context, Exit};

/// `xianjie evidence show`
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Digest of the evidence (64 hex characters).
    #[arg(value_parser = parse_digest)]
    pub digest: Hash,
}

/// Prints the record, or says that nothing is anchored under the digest (exit 1).
pub fn execute(context: &Context, args: ShowArgs) -> anyhow::Result<Exit> {
    let client = context.client();
    let Some(answer) = client.evidence(&args.digest)? else {
        let json = json!({ "anchored": false, "digest": args.digest });
        context.output.emit(&json, || {
            format!(
                "NOT ANCHORED: no evidence with digest {} is on the ledger",
                args.digest
            )
        })?;
        return Ok(Exit::Negative);
    };
    let record: EvidenceRecord = serde_json::from_value(answer).with_context(|| {
        format!("the node at {} sent an evidence record this CLI cannot read; are both the same version?", client.base_url())
    })?;
    let json = record_json(&args.digest, &record)?;
    context
        .output
        .emit(&json, || describe_record(&args.digest, &record))?;
    Ok(Exit::Success)
}
