//! Court-chain deposits (司法区块链存证, `docs/deposit.md`):
//! `xianjie evidence export-deposit DIGEST -o FILE` writes the bundle a
//! court chain's deposit takes, and `xianjie evidence record-deposit`
//! records the number the court chain returned back on this chain, so that
//! later receipts name it.
//!
//! The bundle is one JSON document (`xianjie-deposit/1`): the evidence's
//! digest, class and custody as proven by its receipt (verified against the
//! genesis before anything is written), the witnessed
//! checkpoint and time-stamp token the receipt carries, and the receipt
//! itself (hex), which holds every proof. What a court chain stores is the
//! bundle's SHA-256 (printed, and recorded with the number), or the bundle.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context as _};
use clap::Args;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use xianjie_ledger::checkpoint::SignedNote;
use xianjie_ledger::deposit::check_labels;
use xianjie_ledger::model::EvidenceRecord;
use xianjie_ledger::receipt::Receipt;
use xianjie_ledger::tx::{Call, RecordDeposit};
use xianjie_ledger::Hash;

use super::parse_digest;
use super::receipt::{fetch, write_atomically};
use crate::output::wire_name;
use crate::{Context, Exit};

/// The bundle format's name and version, its first field.
pub const BUNDLE_FORMAT: &str = "xianjie-deposit/1";

/// `xianjie evidence export-deposit`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Digest of the evidence (64 hex characters).
    #[arg(value_parser = parse_digest)]
    pub digest: Hash,
    /// Where to write the bundle (JSON).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// The chain's genesis document: the receipt is verified against it
    /// before anything is written, so what goes to the court is proven.
    #[arg(long, value_name = "GENESIS")]
    pub genesis: PathBuf,
}

/// `xianjie evidence record-deposit`
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  xianjie evidence record-deposit 3f9a… --court-chain tianping \
                        --deposit-id TP-2026-000123 --bundle deposit.json"
)]
pub struct RecordArgs {
    /// Digest of the evidence (64 hex characters).
    #[arg(value_parser = parse_digest)]
    pub digest: Hash,
    /// The court chain (ASCII letters, digits, `. _ : / -`), e.g. `tianping`.
    #[arg(long, value_name = "NAME")]
    pub court_chain: String,
    /// The deposit number the court chain returned (same characters).
    #[arg(long, value_name = "NUMBER")]
    pub deposit_id: String,
    /// The bundle file that was deposited (its SHA-256 is recorded).
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,
}

/// The bundle. Field order is the file's order (`docs/deposit.md` §2).
#[derive(Debug, Serialize)]
struct Bundle<'a> {
    format: &'static str,
    chain_id: &'a str,
    genesis_hash: Hash,
    evidence: EvidenceSummary<'a>,
    custody: Vec<CustodySummary>,
    receipt_height: u64,
    witnessed_checkpoints: Vec<&'a str>,
    timestamps: Vec<TimestampSummary<'a>>,
    receipt_sha256: String,
    receipt_hex: String,
}

#[derive(Debug, Serialize)]
struct EvidenceSummary<'a> {
    digest_blake3: Hash,
    size: u64,
    media_type: &'a str,
    class: String,
    category: String,
    org: String,
    anchored_height: u64,
    anchored_at_ms: u64,
    anchor_tx: Hash,
    case_id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct CustodySummary {
    action: String,
    org: String,
    height: u64,
    time_ms: u64,
    tx: Hash,
}

#[derive(Debug, Serialize)]
struct TimestampSummary<'a> {
    checkpoint: &'a str,
    token_hex: String,
}

/// Writes the bundle (exit 0), or says the digest is not anchored (exit 1).
pub fn export(context: &Context, args: ExportArgs) -> anyhow::Result<Exit> {
    let client = context.client();
    let Some(bytes) = fetch(&client, &args.digest)? else {
        let answer = json!({ "anchored": false, "digest": args.digest });
        context.output.emit(&answer, || {
            format!(
                "NOT ANCHORED 未存证: no evidence with digest {} is on the ledger",
                args.digest
            )
        })?;
        return Ok(Exit::Negative);
    };
    let genesis = crate::verify::read_genesis(&args.genesis)?;
    let receipt = Receipt::from_bytes(&bytes)
        .map_err(|error| anyhow!("the node sent a receipt this CLI cannot read: {error}"))?;
    if receipt.digest != args.digest {
        bail!(
            "the node sent the receipt of {} when asked for {}",
            receipt.digest,
            args.digest
        );
    }
    receipt.verify(&genesis, None).map_err(|error| {
        anyhow!(
            "the node's receipt does not verify against {} ({}: {error}); nothing was written",
            args.genesis.display(),
            error.code()
        )
    })?;
    let witnessed = witnessed_bodies(&receipt)?;
    let bundle = bundle(&receipt, &bytes, witnessed);
    let mut text = serde_json::to_string_pretty(&bundle)?;
    text.push('\n');
    write_atomically(&args.out, text.as_bytes())?;
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    let answer = json!({
        "digest": args.digest,
        "bundle": args.out.display().to_string(),
        "bundle_sha256": sha256,
        "bytes": text.len(),
        "witnessed_checkpoints": bundle.witnessed_checkpoints.len(),
        "timestamps": bundle.timestamps.len(),
    });
    context.output.emit(&answer, || {
        format!(
            "wrote the deposit bundle of {} to {} ({} bytes)\nSHA-256 {sha256}\n\
             deposit it on the court chain, then record the number it returns:\n  \
             xianjie evidence record-deposit {} --court-chain NAME --deposit-id NUMBER --bundle {}",
            args.digest,
            args.out.display(),
            text.len(),
            args.digest,
            args.out.display()
        )
    })?;
    Ok(Exit::Success)
}

/// The witnessed checkpoints' notes, each with every cosignature line.
fn witnessed_bodies(receipt: &Receipt) -> anyhow::Result<Vec<&str>> {
    receipt
        .witnessed
        .iter()
        .map(|witnessed| {
            SignedNote::parse(&witnessed.note)
                .map(|_| witnessed.note.as_str())
                .map_err(|error| anyhow!("the receipt's witnessed note does not parse: {error}"))
        })
        .collect()
}

fn bundle<'a>(receipt: &'a Receipt, bytes: &[u8], witnessed: Vec<&'a str>) -> Bundle<'a> {
    let record: &EvidenceRecord = &receipt.record;
    let anchor = &record.anchor;
    Bundle {
        format: BUNDLE_FORMAT,
        chain_id: &receipt.chain_id,
        genesis_hash: receipt.genesis_hash,
        evidence: EvidenceSummary {
            digest_blake3: receipt.digest,
            size: anchor.size,
            media_type: &anchor.media_type,
            class: wire_name(&record.class),
            category: wire_name(&anchor.category),
            org: record.org.to_string(),
            anchored_height: record.height,
            anchored_at_ms: record.time_ms,
            anchor_tx: record.tx,
            case_id: anchor.case_id.as_deref(),
        },
        custody: record
            .custody
            .iter()
            .map(|event| CustodySummary {
                action: wire_name(&event.action),
                org: event.org.to_string(),
                height: event.height,
                time_ms: event.time_ms,
                tx: event.tx,
            })
            .collect(),
        receipt_height: receipt.height,
        witnessed_checkpoints: witnessed,
        timestamps: receipt
            .timestamped
            .iter()
            .map(|stamped| TimestampSummary {
                checkpoint: &stamped.checkpoint,
                token_hex: hex::encode(&stamped.token),
            })
            .collect(),
        receipt_sha256: hex::encode(Sha256::digest(bytes)),
        receipt_hex: hex::encode(bytes),
    }
}

/// Records the court chain's number (exit 0), or prints the refusal (exit 1).
pub fn record(context: &Context, args: RecordArgs) -> anyhow::Result<Exit> {
    check_labels(&args.court_chain, &args.deposit_id)
        .map_err(|(field, reason)| anyhow!("--{} {reason}", field.replace('_', "-")))?;
    let bytes = std::fs::read(&args.bundle)
        .with_context(|| format!("reading the bundle {}", args.bundle.display()))?;
    check_is_bundle_of(&bytes, &args.digest).with_context(|| {
        format!(
            "{} is not the deposit bundle of {}",
            args.bundle.display(),
            args.digest
        )
    })?;
    let bundle_sha256 = Hash(Sha256::digest(&bytes).into());
    let call = Call::RecordDeposit(RecordDeposit {
        digest: args.digest,
        court_chain: args.court_chain.clone(),
        deposit_id: args.deposit_id.clone(),
        bundle_sha256,
    });
    let key = context.load_key()?;
    let submission = context.client().sign_and_submit(key.as_ref(), call)?;
    let fields = json!({
        "digest": args.digest,
        "court_chain": args.court_chain,
        "deposit_id": args.deposit_id,
        "bundle_sha256": bundle_sha256,
    });
    super::print_submission(context, &submission, fields, |committed| {
        format!(
            "recorded deposit {} on {} for {} at height {}; receipts built at this height or later name it",
            args.deposit_id, args.court_chain, args.digest, committed.height
        )
    })
}

/// The file is a bundle of this format for this digest.
fn check_is_bundle_of(bytes: &[u8], digest: &Hash) -> anyhow::Result<()> {
    let value: serde_json::Value = serde_json::from_slice(bytes).context("it is not JSON")?;
    if value["format"] != BUNDLE_FORMAT {
        bail!("its format is {}, not {BUNDLE_FORMAT}", value["format"]);
    }
    if value["evidence"]["digest_blake3"] != digest.to_hex() {
        bail!("it is the bundle of {}", value["evidence"]["digest_blake3"]);
    }
    Ok(())
}
