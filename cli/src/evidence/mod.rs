//! `xianjie evidence …`: anchor files, verify them, show records, record custody.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use xianjie_keyfile::Signer;
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::{CoSignature, EvidenceAnchor, EvidenceRecord};
use xianjie_ledger::Hash;

use crate::client::{ApiError, Committed, Submission};
use crate::hashing::Progress;
use crate::{Context, Exit};

/// Adds `key`'s co-signature to `anchor` for its submission by `signer` on
/// `chain_id` (`EvidenceAnchor::co_sign` for any [`Signer`]).
pub fn co_sign(
    anchor: &mut EvidenceAnchor,
    chain_id: &str,
    signer: &KeyId,
    key: &dyn Signer,
) -> anyhow::Result<()> {
    let digest = anchor.co_signing_digest(chain_id, signer);
    let signature = key.sign(&digest.0).context("cannot co-sign the anchor")?;
    anchor.co_signatures.push(CoSignature {
        public_key: key.public_key(),
        signature,
    });
    Ok(())
}

pub mod anchor;
pub mod cosign;
pub mod custody;
pub mod deposit;
pub mod draft;
pub mod hash;
pub mod proof;
pub mod receipt;
pub(crate) mod render;
pub mod show;
pub mod vault;
pub mod verify;

/// `xianjie evidence …`
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: EvidenceCommand,
}

/// The `evidence` subcommands.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Hash a file and anchor its digest, category and provenance on the ledger.
    Anchor(anchor::AnchorArgs),
    /// Add your co-signature, as a collector, to an anchor draft.
    Cosign(cosign::CosignArgs),
    /// Check whether this exact file is anchored, and verify the node's proof.
    Verify(verify::VerifyArgs),
    /// Print a file's digest (plain BLAKE3, as `b3sum`) without contacting a node.
    Hash(hash::HashArgs),
    /// Show the record and custody chain of an anchored digest.
    Show(show::ShowArgs),
    /// Record a custody event: transfer, receive, seal, examine, store, return, destroy.
    Custody(custody::CustodyArgs),
    /// Save the court-grade receipt of a digest, checkable offline with `xianjie verify`.
    Receipt(receipt::ReceiptArgs),
    /// Download an evidence file through your node's vault, checking its digest.
    Fetch(vault::FetchArgs),
    /// Write the bundle a court chain's deposit (司法链存证) takes: digests,
    /// checkpoint, time-stamp token and every proof.
    ExportDeposit(deposit::ExportArgs),
    /// Record the deposit number a court chain returned, so receipts name it.
    RecordDeposit(deposit::RecordArgs),
}

/// Runs an `evidence` subcommand.
pub fn execute(context: &Context, args: EvidenceArgs) -> anyhow::Result<Exit> {
    match args.command {
        EvidenceCommand::Anchor(args) => anchor::execute(context, args),
        EvidenceCommand::Cosign(args) => cosign::execute(context, args),
        EvidenceCommand::Verify(args) => verify::execute(context, args),
        EvidenceCommand::Hash(args) => hash::execute(context, args),
        EvidenceCommand::Show(args) => show::execute(context, args),
        EvidenceCommand::Custody(args) => custody::execute(context, args),
        EvidenceCommand::Receipt(args) => receipt::execute(context, args),
        EvidenceCommand::Fetch(args) => vault::execute_fetch(context, args),
        EvidenceCommand::ExportDeposit(args) => deposit::export(context, args),
        EvidenceCommand::RecordDeposit(args) => deposit::record(context, args),
    }
}

/// clap parser for a 64-hex-character digest.
pub fn parse_digest(text: &str) -> Result<Hash, String> {
    Hash::from_hex(text).map_err(|_| {
        "a digest is 64 hex characters, as `b3sum` or `xianjie evidence verify` prints it"
            .to_owned()
    })
}

/// clap parser for an organisation id such as `police-330100`.
pub fn parse_org_id(text: &str) -> Result<OrgId, String> {
    OrgId::new(text)
}

/// The progress mode for hashing: never with `--json`.
fn hashing_progress(context: &Context) -> Progress {
    if context.output.is_json() {
        Progress::Hidden
    } else {
        Progress::OnTerminal
    }
}

/// The stable JSON form of a record: the ledger's serde form plus `digest`.
pub fn record_json(digest: &Hash, record: &EvidenceRecord) -> anyhow::Result<Value> {
    let mut value = serde_json::to_value(record)?;
    if let Value::Object(map) = &mut value {
        map.insert("digest".into(), json!(digest));
    }
    Ok(value)
}

/// Prints a committed transaction with `fields` (JSON) or `human` (text).
fn print_committed(
    context: &Context,
    committed: &Committed,
    mut fields: Value,
    human: impl FnOnce() -> String,
) -> anyhow::Result<Exit> {
    if let Value::Object(map) = &mut fields {
        map.insert("tx".into(), json!(committed.hash));
        map.insert("height".into(), json!(committed.height));
        map.insert("index".into(), json!(committed.index));
    }
    context.output.emit(&fields, human)?;
    Ok(Exit::Success)
}

/// Reports a refused transaction: code and message on stderr; with `--json`
/// also `{"refused": true, "code", "message", "tx", "height"}` on stdout.
fn print_refusal(context: &Context, tx: &Hash, error: &ApiError) -> anyhow::Result<Exit> {
    let height = error.details.get("height").cloned().unwrap_or(Value::Null);
    eprintln!("refused by the ledger: {}: {}", error.code, error.message);
    eprintln!("transaction {tx}{}", refusal_hint(&error.code));
    if context.output.is_json() {
        let answer = json!({
            "refused": true,
            "code": error.code,
            "message": error.message,
            "tx": tx,
            "height": height,
        });
        context.output.emit(&answer, String::new)?;
    }
    Ok(Exit::Negative)
}

/// What to do about the refusals an officer can fix.
fn refusal_hint(code: &str) -> &'static str {
    match code {
        "unknown_signer" => {
            "\nyour key is not registered on this chain: give `xianjie keys show` output to your organisation's admin"
        }
        "not_holder" => "\nonly the organisation holding the item may do this: see `xianjie evidence show DIGEST`",
        "already_anchored" => "\nthis file is already anchored: see `xianjie evidence verify FILE`",
        "not_anchored" => "\nno evidence with this digest is anchored: check the digest",
        "too_few_collectors" => {
            "\nname the other officers who collected it: --collected-by ID|KEYFILE (repeat for each)"
        }
        "collector_not_signed" | "bad_co_signature" => {
            "\nevery collector signs: pass their key file to --collected-by, or have them co-sign a draft (--unsigned-out, then `xianjie evidence cosign`)"
        }
        _ => "",
    }
}

/// Prints the outcome of a submission.
fn print_submission(
    context: &Context,
    submission: &Submission,
    fields: Value,
    human: impl FnOnce(&Committed) -> String,
) -> anyhow::Result<Exit> {
    match submission {
        Submission::Committed(committed) => {
            print_committed(context, committed, fields, || human(committed))
        }
        Submission::Refused { tx, error } => print_refusal(context, tx, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_accept_hex_and_explain_refusals() {
        let digest = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
        assert_eq!(parse_digest(digest).unwrap().to_hex(), digest);
        assert!(parse_digest("abc").unwrap_err().contains("64 hex"));
        assert!(parse_org_id("police-330100").is_ok());
        assert!(parse_org_id("Police").is_err());
    }
}
