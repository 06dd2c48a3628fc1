//! `xianjie checkpoint timestamp`: has a time-stamp authority (TSA) stamp
//! the newest checkpoint of the history, and records the token on chain
//! (`docs/timestamp.md`, "On the chain").
//!
//! One round: read the newest checkpoint (`GET /v1/checkpoints/latest`)
//! and the last size the signer's organisation stamped
//! (`GET /v1/checkpoints/timestamped`: one log per organisation); if the
//! history grew, POST an RFC 3161 request over SHA-256 of the checkpoint
//! body to the TSA, verify the answer against the TSA's certificate (the
//! imprint, the nonce, the signature), and sign a `RecordTimestamp`
//! transaction with `--key`. With `--every` the rounds go on, and a round
//! that fails is reported and retried at the next one: a TSA that is down
//! for an hour costs an hour's stamps, not the service.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Subcommand};
use rand::RngCore as _;
use serde_json::json;
use xianjie_api::checkpoints::{CheckpointView, TimestampedView};
use xianjie_keyfile::Signer;
use xianjie_ledger::checkpoint::Checkpoint;
use xianjie_ledger::timestamps::imprint_of;
use xianjie_ledger::tx::{Call, RecordTimestamp};
use xianjie_timestamp::{
    parse_response, TimestampRequest, TrustedCertificate, VerifiedTimestamp, REQUEST_CONTENT_TYPE,
};

use crate::client::{NodeClient, Submission};
use crate::output::format_time_ms;
use crate::{Context, Exit};

/// Longest TSA answer read (a token with a certificate chain is a few KiB).
const MAX_TSA_RESPONSE_BYTES: u64 = 64 * 1024;

/// How long one TSA exchange may take.
const TSA_TIMEOUT: Duration = Duration::from_secs(30);

/// `xianjie checkpoint`
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    #[command(subcommand)]
    command: CheckpointCommand,
}

#[derive(Debug, Subcommand)]
enum CheckpointCommand {
    /// Have a TSA time-stamp the newest checkpoint and record the token on
    /// chain (needs --key: any officer of a member organisation).
    #[command(
        after_help = "Examples:\n  xianjie checkpoint timestamp --tsa http://tsa.example.cn/tsa --tsa-cert tsa.pem\n  \
                      xianjie checkpoint timestamp --tsa http://tsa.example.cn/tsa --tsa-cert ca.pem --every 10m"
    )]
    Timestamp {
        /// The TSA's RFC 3161 HTTP address (requests are POSTed as
        /// application/timestamp-query).
        #[arg(long, value_name = "URL")]
        tsa: String,
        /// The TSA's certificate, or the CA certificate that issued it (PEM
        /// or DER): every token is verified against it before it is recorded.
        #[arg(long, value_name = "FILE")]
        tsa_cert: PathBuf,
        /// Keep stamping, one round every this long (e.g. 10m); without it,
        /// one round.
        #[arg(long, value_name = "DURATION", value_parser = humantime_serde::re::humantime::parse_duration)]
        every: Option<Duration>,
    },
}

/// Runs `xianjie checkpoint`.
pub fn execute(context: &Context, args: CheckpointArgs) -> anyhow::Result<Exit> {
    match args.command {
        CheckpointCommand::Timestamp {
            tsa,
            tsa_cert,
            every,
        } => {
            let stamper = Stamper {
                tsa_url: tsa,
                trusted: read_certificate(&tsa_cert)?,
                agent: crate::client::agent(TSA_TIMEOUT, TSA_TIMEOUT),
            };
            match every {
                None => stamper.round(context),
                Some(interval) => loop {
                    if let Err(error) = stamper.round(context) {
                        eprintln!("this round failed, trying again in {interval:?}: {error:#}");
                    }
                    std::thread::sleep(interval);
                },
            }
        }
    }
}

/// A TSA certificate file, PEM or DER.
pub fn read_certificate(path: &Path) -> anyhow::Result<TrustedCertificate> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = match std::str::from_utf8(&bytes) {
        Ok(text) if text.contains("-----BEGIN") => TrustedCertificate::from_pem(text),
        _ => TrustedCertificate::from_der(&bytes),
    };
    parsed.map_err(|error| {
        anyhow!(
            "{} is not an X.509 certificate (PEM or DER): {error}",
            path.display()
        )
    })
}

struct Stamper {
    tsa_url: String,
    trusted: TrustedCertificate,
    agent: ureq::Agent,
}

impl Stamper {
    fn round(&self, context: &Context) -> anyhow::Result<Exit> {
        // The key first: a round that could not record a token must not
        // spend one (a TSA may bill each).
        let key = context.load_key()?;
        let client = context.client();
        let org = own_org(&client, key.as_ref())?;
        let latest: CheckpointView = client.get_typed("/v1/checkpoints/latest")?;
        if !Checkpoint::parse_body(&latest.body)?.is_stated_by(&latest.certified.header) {
            bail!("the node's newest checkpoint does not state the header it came with");
        }
        let last_size = last_stamped_size(&client, &org)?;
        if latest.size <= last_size {
            return nothing_to_do(context, latest.size, last_size);
        }
        let (token, verified) = self.stamp(&latest.body)?;
        let call = Call::RecordTimestamp(RecordTimestamp {
            checkpoint: latest.body.clone(),
            token,
        });
        match client.sign_and_submit(key.as_ref(), call)? {
            Submission::Committed(committed) => {
                let answer = json!({
                    "stamped": true,
                    "org": org,
                    "size": latest.size,
                    "gen_time_ms": verified.gen_time_unix_ms,
                    "serial": verified.serial_hex(),
                    "tsa_subject": self.trusted.subject(),
                    "tx": committed.hash,
                    "height": committed.height,
                });
                context.output.emit(&answer, || {
                    format!(
                        "the checkpoint of {} headers was stamped at {} (token serial {}); \
                         recorded in {org}'s log at height {} in transaction {}",
                        latest.size,
                        format_time_ms(verified.gen_time_unix_ms),
                        verified.serial_hex(),
                        committed.height,
                        committed.hash
                    )
                })?;
                Ok(Exit::Success)
            }
            // Another service of this organisation recorded a newer token
            // meanwhile: nothing is lost.
            Submission::Refused { error, .. } if error.code == "timestamp_not_newer" => {
                nothing_to_do(context, latest.size, last_stamped_size(&client, &org)?)
            }
            Submission::Refused { tx, error } => {
                bail!(
                    "the ledger refused the token (transaction {tx}): {}: {}",
                    error.code,
                    error.message
                )
            }
        }
    }

    /// Asks the TSA for a token over the body and verifies it.
    fn stamp(&self, body: &str) -> anyhow::Result<(Vec<u8>, VerifiedTimestamp)> {
        let imprint = imprint_of(body);
        let nonce = rand::rngs::OsRng.next_u64();
        let request = TimestampRequest::for_sha256(imprint, nonce);
        let mut response = self
            .agent
            .post(&self.tsa_url)
            .header("content-type", REQUEST_CONTENT_TYPE)
            .send(&request.to_der()[..])
            .with_context(|| format!("the TSA at {} did not answer", self.tsa_url))?;
        let status = response.status().as_u16();
        let der = response
            .body_mut()
            .with_config()
            .limit(MAX_TSA_RESPONSE_BYTES)
            .read_to_vec()
            .with_context(|| format!("reading the answer of the TSA at {}", self.tsa_url))?;
        if status != 200 {
            bail!("the TSA at {} answered HTTP {status}", self.tsa_url);
        }
        let token = parse_response(&der)
            .with_context(|| format!("the TSA at {} gave no token", self.tsa_url))?;
        let verified = token
            .verify(&imprint, Some(nonce), std::slice::from_ref(&self.trusted))
            .with_context(|| {
                format!(
                    "the TSA's token does not verify against {}",
                    self.trusted.subject()
                )
            })?;
        Ok((token.into_der(), verified))
    }
}

fn nothing_to_do(context: &Context, size: u64, last_size: u64) -> anyhow::Result<Exit> {
    let answer = json!({ "stamped": false, "size": size, "last_size": last_size });
    context.output.emit(&answer, || {
        format!(
            "the newest checkpoint covers {size} headers and {last_size} are stamped already; \
             nothing to do"
        )
    })?;
    Ok(Exit::Success)
}

/// The organisation of the signing key: tokens go to its log.
fn own_org(client: &NodeClient, key: &dyn Signer) -> anyhow::Result<String> {
    let id = key.public_key().id();
    let officer = client.officer(&id)?.ok_or_else(|| {
        anyhow!(
            "key {id} is not registered on this chain: give `xianjie keys show` output to your \
             organisation's admin"
        )
    })?;
    Ok(officer.officer.org.to_string())
}

/// The size of the last checkpoint `org` stamped (0 when none).
fn last_stamped_size(client: &NodeClient, org: &str) -> anyhow::Result<u64> {
    let view: TimestampedView = client.get_typed("/v1/checkpoints/timestamped")?;
    Ok(view
        .orgs
        .iter()
        .find(|log| log.org == org)
        .map_or(0, |log| log.last_size))
}
