//! `xianjie evidence receipt DIGEST -o FILE`: fetch the court-grade receipt
//! of an anchored digest and save it.
//!
//! The receipt is the node's `GET /v1/evidence/{digest}/receipt`: a binary,
//! self-contained file (`docs/receipt.md`) that anyone can check offline with
//! `xianjie verify --receipt FILE --file EVIDENCE --genesis genesis.json`.
//! The request is a signed read (`--key`): the node lets only officers whom
//! the read policy allows fetch an evidence record's receipt. This command
//! only checks that what it saves is a well-formed receipt of the digest
//! asked for; the proofs are checked by `xianjie verify`, which needs the
//! genesis and no node (and no key).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use clap::Args;
use serde_json::{json, Value};
use xianjie_ledger::hash::file_digest;
use xianjie_ledger::receipt::{Receipt, MAX_RECEIPT_BYTES};
use xianjie_ledger::Hash;

use super::parse_digest;
use crate::client::{NodeClient, NEEDS_KEY};
use crate::{Context, Exit};

/// How long to wait for a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Upper bound for the whole download (building a receipt reads every header).
const CALL_TIMEOUT: Duration = Duration::from_secs(300);

/// `xianjie evidence receipt`
#[derive(Debug, Args)]
pub struct ReceiptArgs {
    /// Digest of the evidence (64 hex characters, as `b3sum` prints it).
    #[arg(value_parser = parse_digest)]
    pub digest: Hash,
    /// Where to write the receipt file.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
}

/// Saves the receipt (exit 0), or says the digest is not anchored (exit 1).
pub fn execute(context: &Context, args: ReceiptArgs) -> anyhow::Result<Exit> {
    let client = context.client();
    let base_url = client.base_url();
    let Some(bytes) = fetch(&client, &args.digest)? else {
        let json = json!({ "anchored": false, "digest": args.digest });
        context.output.emit(&json, || {
            format!(
                "NOT ANCHORED 未存证: no evidence with digest {} is on the ledger",
                args.digest
            )
        })?;
        return Ok(Exit::Negative);
    };
    let receipt = Receipt::from_bytes(&bytes).map_err(|error| {
        anyhow!(
            "the node at {base_url} sent a receipt this CLI cannot read ({}: {error}); \
             are both the same version?",
            error.code()
        )
    })?;
    if receipt.digest != args.digest {
        return Err(anyhow!(
            "the node at {base_url} sent the receipt of {} when asked for {}",
            receipt.digest,
            args.digest
        ));
    }
    write_atomically(&args.out, &bytes)?;
    let json = summary_json(&args, &receipt, &bytes);
    context
        .output
        .emit(&json, || summary_text(&args, &receipt, &bytes))?;
    Ok(Exit::Success)
}

/// `GET /v1/evidence/{digest}/receipt`, signed as a read with the client's
/// key (the node applies the evidence read policy): the bytes, or `None` if
/// not anchored.
pub(crate) fn fetch(client: &NodeClient, digest: &Hash) -> anyhow::Result<Option<Vec<u8>>> {
    let base_url = client.base_url();
    let path = format!("/v1/evidence/{digest}/receipt");
    let agent = crate::client::agent(CONNECT_TIMEOUT, CALL_TIMEOUT);
    let mut request = agent.get(format!("{base_url}{path}"));
    for (name, value) in client.read_headers("GET", &path)? {
        request = request.header(name, value);
    }
    let mut response = request.call().map_err(|error| {
        anyhow!(
            "cannot reach the node at {base_url} ({error}); is it running? \
             point --node (or XIANJIE_NODE) at a running node"
        )
    })?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_RECEIPT_BYTES as u64 + 1)
        .read_to_vec()
        .map_err(|error| anyhow!("reading the receipt from {base_url} failed: {error}"))?;
    if (200..300).contains(&status) {
        return Ok(Some(body));
    }
    let error = serde_json::from_slice::<xianjie_api::ErrorBody>(&body)
        .ok()
        .map(|body| body.error);
    let code = error.as_ref().map_or(String::new(), |e| e.code.to_string());
    let code = code.as_str();
    if status == 404 && code == "not_anchored" {
        return Ok(None);
    }
    if code == "unsigned_read" && !client.signs_reads() {
        return Err(anyhow!("{NEEDS_KEY}"));
    }
    let message = error.map_or_else(|| "(no message)".to_owned(), |e| e.message);
    let hint = match (crate::client::advice(code), status) {
        (Some(advice), _) => advice,
        (None, 404) => "; the node may run an older version without receipts",
        (None, 300..=399) => "; the CLI does not follow redirects, which would send a signed request twice: point --node (or XIANJIE_NODE) at the node's own address",
        (None, _) => "",
    };
    Err(anyhow!(
        "the node at {base_url} answered the receipt request with HTTP {status} {code}: {message}{hint}"
    ))
}

/// Writes next to the target and renames, so a reader never sees half a receipt.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} is not a file path", path.display()))?;
    let mut temporary_name = file_name.to_os_string();
    temporary_name.push(format!(".partial-{}", std::process::id()));
    let temporary = path.with_file_name(temporary_name);
    let result = std::fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.with_context(|| format!("cannot write the receipt to {}", path.display()))
}

fn summary_json(args: &ReceiptArgs, receipt: &Receipt, bytes: &[u8]) -> Value {
    json!({
        "anchored": true,
        "digest": receipt.digest,
        "receipt": args.out.display().to_string(),
        "bytes": bytes.len(),
        "receipt_blake3": file_digest(bytes),
        "chain_id": receipt.chain_id,
        "genesis_hash": receipt.genesis_hash,
        "height": receipt.height,
        "headers": receipt.headers.len(),
        "validator_changes": receipt.validator_changes.iter().map(|c| c.height).collect::<Vec<_>>(),
        "custody_events": receipt.custody.len(),
    })
}

fn summary_text(args: &ReceiptArgs, receipt: &Receipt, bytes: &[u8]) -> String {
    [
        format!(
            "RECEIPT 存证回执 written to {} ({} bytes)",
            args.out.display(),
            bytes.len()
        ),
        format!("digest        {}", receipt.digest),
        format!(
            "chain         {} at block {}, genesis {}",
            receipt.chain_id, receipt.height, receipt.genesis_hash
        ),
        format!(
            "contents      {} certified headers, {} validator set changes, {} custody events",
            receipt.headers.len(),
            receipt.validator_changes.len(),
            receipt.custody.len()
        ),
        format!("receipt hash  {} (BLAKE3 of the file)", file_digest(bytes)),
        format!(
            "check offline: xianjie verify --receipt {} --file EVIDENCE --genesis genesis.json",
            args.out.display()
        ),
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cli, Command};
    use clap::Parser;

    #[test]
    fn receipt_needs_a_digest_and_an_output_file() {
        let digest = "ab".repeat(32);
        let cli = Cli::parse_from(["xianjie", "evidence", "receipt", &digest, "-o", "r.xjrcpt"]);
        let Command::Evidence(crate::evidence::EvidenceArgs {
            command: crate::evidence::EvidenceCommand::Receipt(args),
        }) = cli.command
        else {
            panic!("not a receipt command");
        };
        assert_eq!(args.digest.to_hex(), digest);
        assert_eq!(args.out, PathBuf::from("r.xjrcpt"));
        assert!(Cli::try_parse_from(["xianjie", "evidence", "receipt", &digest]).is_err());
        assert!(Cli::try_parse_from(["xianjie", "evidence", "receipt", "abc", "-o", "f"]).is_err());
    }

    #[test]
    fn receipts_are_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xjrcpt");
        write_atomically(&path, b"XJRCPT").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"XJRCPT");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomically(&dir.path().join("missing/r"), b"x").is_err());
    }

    #[test]
    fn an_unreachable_node_is_an_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap()
            .port();
        let client = NodeClient::new(&format!("http://127.0.0.1:{port}"));
        let error = fetch(&client, &Hash([1; 32])).unwrap_err();
        assert!(error.to_string().contains("cannot reach"), "{error}");
    }
}
