//! The evidence vault from the terminal: `xianjie evidence anchor FILE
//! --upload` stores the file on the officer's node, and `xianjie evidence
//! fetch DIGEST -o FILE` downloads one through it.
//!
//! Both are signed with the officer's key, and the node lets through only
//! evidence the policies let the officer read. A download is written to
//! `FILE.part`, hashed as it arrives, and renamed to `FILE` only if its
//! BLAKE3 is the digest asked for. When the officer's node does not have the
//! file yet it fetches it from the holder's node; the command waits and shows
//! that transfer's progress.

use std::fs::File;
use std::io::{IsTerminal as _, Read, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};
use xianjie_api::vault::FetchStatus;
use xianjie_ledger::Hash;

use super::parse_digest;
use crate::client::{Download, NodeClient};
use crate::{Context, Exit};

/// Longest a vault upload or download may take (a multi-gigabyte disk image
/// over a slow agency link).
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(6 * 3600);
/// How long to wait for the officer's node to fetch a file from the holder.
const FETCH_WAIT: Duration = Duration::from_secs(600);
/// How often to ask the node about a fetch under way.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// `xianjie evidence fetch`
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Digest of the evidence (64 hex characters, as `b3sum` prints it).
    #[arg(value_parser = parse_digest)]
    pub digest: Hash,
    /// Where to write the file.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
}

pub(crate) fn vault_client(context: &Context) -> anyhow::Result<NodeClient> {
    let key = context.load_key()?;
    Ok(
        NodeClient::with_timeouts(&context.node_url, Duration::from_secs(5), TRANSFER_TIMEOUT)
            .signing_reads_with(Some(key)),
    )
}

fn bar(context: &Context, len: u64, what: &str) -> ProgressBar {
    if context.output.is_json() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{what} [{{bar:40}}] {{bytes}}/{{total_bytes}} {{binary_bytes_per_sec}} eta {{eta}}"
    )) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Uploads `path` (whose digest is `digest`) to the officer's node; the
/// node's JSON answer (`digest`, `size`, `stored`).
pub fn upload(context: &Context, path: &Path, digest: &Hash) -> anyhow::Result<Value> {
    let client = vault_client(context)?;
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let len = file.metadata()?.len();
    let progress = bar(context, len, "uploading");
    let body = progress.wrap_read(file);
    let sent = client.put_stream(&format!("/v1/vault?digest={digest}"), body, len);
    progress.finish_and_clear();
    let (status, answer) = match sent {
        Ok(answer) => answer,
        Err(error) => return Err(refusal_behind(&client, digest).unwrap_or(error)),
    };
    if (200..300).contains(&status) {
        return Ok(answer);
    }
    let (code, message) = crate::client::error_detail(&answer).map_or_else(
        || ("unknown".to_owned(), String::new()),
        |error| (error.code.to_string(), error.message),
    );
    Err(anyhow!(
        "the node did not store the file in its vault (HTTP {status} {code}): {message}"
    ))
}

/// Why the node refused an upload whose connection broke. The node answers a
/// refusal (the record is not anchored, or the officer may not read it)
/// before it reads the body and then closes the connection, so a client
/// still sending a large file sees the connection break, not the answer.
/// The same question asked as a signed read gets the answer.
fn refusal_behind(client: &NodeClient, digest: &Hash) -> Option<anyhow::Error> {
    match client.get_json(&format!("/v1/evidence/{digest}")) {
        Ok(Err(refusal)) if matches!(refusal.status, 403 | 404) => Some(anyhow!(
            "the node did not store the file in its vault (HTTP {} {}): {}",
            refusal.status,
            refusal.code,
            refusal.message
        )),
        _ => None,
    }
}

/// Downloads the file (exit 0), or says why not (exit 1 when the node or
/// the digest check says no).
pub fn execute_fetch(context: &Context, args: FetchArgs) -> anyhow::Result<Exit> {
    let client = vault_client(context)?;
    let path = format!("/v1/vault/{}", args.digest);
    let waiting = bar(context, 0, "fetching from the holder's node");
    let started = std::time::Instant::now();
    let (len, body) = loop {
        match client.get_stream(&path)? {
            Download::File { len, body } => break (len, body),
            Download::Pending(report) => {
                if let FetchStatus::Fetching {
                    received, total, ..
                } = report.transfer
                {
                    waiting.set_length(total.unwrap_or(0));
                    waiting.set_position(received);
                }
                if started.elapsed() > FETCH_WAIT {
                    return Err(anyhow!(
                        "the node is still fetching {} from the holder's node after {} s ({}); try again later",
                        args.digest,
                        FETCH_WAIT.as_secs(),
                        transfer_text(&report.transfer)
                    ));
                }
                std::thread::sleep(POLL_INTERVAL);
            }
            Download::Refused(error) => {
                waiting.finish_and_clear();
                eprintln!("not fetched: {}: {}", error.code, error.message);
                if context.output.is_json() {
                    let answer =
                        json!({ "fetched": false, "code": error.code, "message": error.message });
                    context.output.emit(&answer, String::new)?;
                }
                return match error.code.as_str() {
                    "not_anchored" | "not_in_vault" | "read_denied" | "vault_refused" => {
                        Ok(Exit::Negative)
                    }
                    _ => Err(client.unexpected(&path, &error)),
                };
            }
        }
    };
    waiting.finish_and_clear();
    let (size, found) = save_checked(context, body, len, &args.out)?;
    let part = part_path(&args.out);
    if found != args.digest {
        let _ = std::fs::remove_file(&part);
        eprintln!(
            "DIGEST MISMATCH 校验失败: the node sent bytes that hash to {found}, not {}; nothing was kept",
            args.digest
        );
        if context.output.is_json() {
            let answer = json!({ "fetched": false, "code": "digest_mismatch", "found": found });
            context.output.emit(&answer, String::new)?;
        }
        return Ok(Exit::Negative);
    }
    std::fs::rename(&part, &args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let answer = json!({ "fetched": true, "digest": args.digest, "size": size, "file": args.out });
    context.output.emit(&answer, || {
        format!(
            "fetched   {}\nfile      {} ({size} bytes)\nchecked   BLAKE3 matches 校验一致",
            args.digest,
            args.out.display()
        )
    })?;
    Ok(Exit::Success)
}

/// The transfer's state as one line of JSON, as the node sent it.
fn transfer_text(transfer: &FetchStatus) -> String {
    serde_json::to_value(transfer).map_or_else(|error| error.to_string(), |json| json.to_string())
}

/// Streams `body` into `out.part` while hashing it; its size and digest.
fn save_checked(
    context: &Context,
    mut body: impl Read,
    len: Option<u64>,
    out: &Path,
) -> anyhow::Result<(u64, Hash)> {
    let part = part_path(out);
    let mut file =
        File::create(&part).with_context(|| format!("cannot create {}", part.display()))?;
    let progress = bar(context, len.unwrap_or(0), "downloading");
    let mut hasher = blake3::Hasher::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let read = body
            .read(&mut buffer)
            .with_context(|| "the download was cut off; run the command again")?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        file.write_all(&buffer[..read])
            .with_context(|| format!("cannot write {}", part.display()))?;
        size += read as u64;
        progress.set_position(size);
    }
    progress.finish_and_clear();
    file.sync_all()?;
    drop(file);
    if let Some(len) = len.filter(|len| *len != size) {
        let _ = std::fs::remove_file(&part);
        return Err(anyhow!(
            "the download stopped after {size} of {len} bytes; run the command again"
        ));
    }
    Ok((size, Hash(*hasher.finalize().as_bytes())))
}

fn part_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    out.with_file_name(name)
}
