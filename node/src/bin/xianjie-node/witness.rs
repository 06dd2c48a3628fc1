//! `xianjie-node witness`: a witness of a chain's history, run by an agency
//! or a court beside (not inside) the validators (`docs/checkpoint.md` §7).
//!
//! Each round it reads the newest checkpoint from a node, checks the
//! certificate of the header it names against the validators, checks that it
//! extends the last checkpoint this witness co-signed (the same body for the
//! same size, else a consistency proof from the node), records it as its new
//! last one on stable storage, co-signs it and sends the note to every node
//! it follows. A checkpoint that does not extend the last one is a fork: the
//! witness co-signs nothing more, writes what it saw next to its state and
//! exits with code 3; it refuses to start again until an operator has looked
//! and removed that file.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context as _};
use serde::{Deserialize, Serialize};
use xianjie_api::checkpoints::CheckpointView;
use xianjie_api::history::{ConsistencyView, ValidatorChangesView};
use xianjie_ledger::checkpoint::{cosign, Checkpoint, KeyKind, SignedNote, VerifierKey};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::receipt::follow_validator_changes;
use xianjie_ledger::validators::ValidatorSet;

/// Exit code of a witness that saw a fork.
pub const FORK_EXIT_CODE: i32 = 3;

/// What the witness was told to do.
#[derive(Debug)]
pub struct WitnessOptions {
    /// The nodes it follows: it reads from the first that answers and sends
    /// its cosignature to all.
    pub nodes: Vec<String>,
    /// The chain's genesis document.
    pub genesis: PathBuf,
    /// The witness's key file.
    pub key: PathBuf,
    /// Its key name, e.g. `witness.court.example/w1`.
    pub name: String,
    /// Its state file: the last checkpoint it co-signed.
    pub state: PathBuf,
    /// Where an encrypted key's passphrase comes from.
    pub passphrase_file: Option<PathBuf>,
    /// Pause between rounds; `None`: one round.
    pub every: Option<Duration>,
}

/// The last checkpoint co-signed, as kept in the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    body: String,
    /// The validator set that certified the header `body` names: the set
    /// this witness trusts now. Absent in a state written before witnesses
    /// followed validator-set changes, which only ever trusted the genesis
    /// set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    validators: Option<ValidatorSet>,
}

/// Why a round ended without a cosignature.
enum Outcome {
    Cosigned(u64),
    NothingNew(u64),
}

/// The witness's vkey line, for nodes' `witnesses.txt` and verifiers' lists.
pub fn vkey(options: &WitnessOptions) -> anyhow::Result<String> {
    let key = read_key(options)?;
    Ok(VerifierKey::new(&options.name, KeyKind::Cosignature, key.public_key())?.to_string())
}

/// Runs rounds until a fork, an error, or (without `every`) after one.
/// Returns the process exit code.
pub fn run(options: &WitnessOptions) -> anyhow::Result<i32> {
    refuse_after_a_fork(&options.state)?;
    let key = read_key(options)?;
    let genesis = read_genesis(&options.genesis)?;
    let validators = ValidatorSet::new(genesis.validators.clone());
    let origin = Checkpoint::origin_for(&genesis.chain_id, &genesis.hash());
    let agent = xianjie_node_agent();
    loop {
        match round(options, &agent, &key, &origin, &validators) {
            Ok(Outcome::Cosigned(size)) => tracing::info!(size, "checkpoint co-signed"),
            Ok(Outcome::NothingNew(size)) => tracing::info!(size, "no newer checkpoint"),
            Err(RoundError::Fork(report)) => {
                let path = alert_path(&options.state);
                write_durably(&path, report.as_bytes())?;
                tracing::error!(alert = %path.display(), "FORK: the chain's history does not extend the checkpoint this witness co-signed; co-signing stopped");
                eprintln!("{report}\nwritten to {}", path.display());
                return Ok(FORK_EXIT_CODE);
            }
            Err(RoundError::Failed(error)) if options.every.is_none() => return Err(error),
            Err(RoundError::Failed(error)) => tracing::warn!("round failed: {error:#}"),
        }
        match options.every {
            Some(pause) => std::thread::sleep(pause),
            None => return Ok(0),
        }
    }
}

enum RoundError {
    Fork(String),
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for RoundError {
    fn from(error: anyhow::Error) -> Self {
        RoundError::Failed(error)
    }
}

fn round(
    options: &WitnessOptions,
    agent: &ureq::Agent,
    key: &SecretKey,
    origin: &str,
    genesis_set: &ValidatorSet,
) -> Result<Outcome, RoundError> {
    let (node, view) = newest_checkpoint(agent, &options.nodes)?;
    let last = read_state(&options.state)?;
    let validators = follow_validators(agent, &node, last.as_ref(), genesis_set, &view)?;
    let checkpoint = check_certified(&view, origin, &validators)?;
    if let Some(last) = &last {
        let previous = Checkpoint::parse_body(&last.body)
            .map_err(|error| anyhow!("{}: {error}", options.state.display()))?;
        if !extends(agent, &node, &previous, &checkpoint)? {
            return Err(RoundError::Fork(fork_report(&node, &last.body, &view.body)));
        }
        if checkpoint.size == previous.size {
            return Ok(Outcome::NothingNew(checkpoint.size));
        }
    }
    // Recorded before the cosignature leaves: after a crash the witness
    // never co-signs an older or conflicting checkpoint.
    let state = serde_json::to_vec_pretty(&State {
        body: view.body.clone(),
        validators: Some(validators),
    })
    .map_err(anyhow::Error::from)?;
    write_durably(&options.state, &state)?;
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(anyhow::Error::from)?
        .as_secs();
    let signature = cosign(&checkpoint, &options.name, key, time).map_err(anyhow::Error::from)?;
    let note = SignedNote {
        text: view.body.clone(),
        signatures: vec![signature],
    };
    send(agent, &options.nodes, &note.to_text());
    Ok(Outcome::Cosigned(checkpoint.size))
}

/// The newest checkpoint of the first node that answers.
fn newest_checkpoint(
    agent: &ureq::Agent,
    nodes: &[String],
) -> anyhow::Result<(String, CheckpointView)> {
    let mut errors = Vec::new();
    for node in nodes {
        match get_json::<CheckpointView>(agent, &format!("{node}/v1/checkpoints/latest")) {
            Ok(view) => return Ok((node.clone(), view)),
            Err(error) => errors.push(format!("{node}: {error:#}")),
        }
    }
    bail!("no node answered with a checkpoint: {}", errors.join("; "))
}

/// The validator set that should certify the checkpoint's header: the one
/// this witness trusts (the genesis set, or the set of the last checkpoint
/// it co-signed), moved along every validator-set change since, each change
/// certified by the set before it and proven in the state
/// (`GET /v1/history/validator-changes`, `follow_validator_changes`).
fn follow_validators(
    agent: &ureq::Agent,
    node: &str,
    last: Option<&State>,
    genesis_set: &ValidatorSet,
    view: &CheckpointView,
) -> anyhow::Result<ValidatorSet> {
    let (trusted, trusted_at) = match last {
        Some(state) => {
            let previous = Checkpoint::parse_body(&state.body)?;
            let set = state
                .validators
                .clone()
                .unwrap_or_else(|| genesis_set.clone());
            (set, previous.block_height)
        }
        None => (genesis_set.clone(), 0),
    };
    let header = &view.certified.header;
    if header.height < trusted_at {
        bail!(
            "{node} serves header {}, older than the {trusted_at} this witness co-signed; it is behind",
            header.height
        );
    }
    if header.validators_hash == trusted.hash() {
        return Ok(trusted);
    }
    // In steps the node answers (`MAX_CHANGE_SCAN` headers each), so a
    // witness that was away for long catches up.
    let mut set = trusted;
    let mut from = trusted_at;
    while from < header.height {
        let to = header.height.min(from + CHANGE_SCAN_STEP);
        let path = format!("{node}/v1/history/validator-changes?from={from}&to={to}");
        let answer: ValidatorChangesView = get_json(agent, &path)?;
        if (answer.from, answer.to) != (from, to) {
            bail!("{node} answered the validator changes of another range");
        }
        set = follow_validator_changes(&header.chain_id, &set, from, &answer.changes)
            .map_err(|reason| anyhow!("{node}'s validator-set changes do not hold: {reason}"))?;
        from = to;
    }
    tracing::info!(header = header.height, "followed the validator set");
    Ok(set)
}

/// Headers per `GET /v1/history/validator-changes` request: the node's
/// limit per answer (`MAX_CHANGE_SCAN`).
const CHANGE_SCAN_STEP: u64 = 100_000;

/// The checkpoint the body states, once the header it names is the one the
/// validators certified and gives the same root, height and time.
fn check_certified(
    view: &CheckpointView,
    origin: &str,
    validators: &ValidatorSet,
) -> anyhow::Result<Checkpoint> {
    let checkpoint = Checkpoint::parse_body(&view.body)?;
    if checkpoint.origin != origin {
        bail!(
            "the node serves checkpoints of `{}`, not of `{origin}` (the genesis given)",
            checkpoint.origin
        );
    }
    let header = &view.certified.header;
    if checkpoint.chain_id() != Some(header.chain_id.as_str()) {
        bail!("the header the node sent is of chain `{}`", header.chain_id);
    }
    if !checkpoint.is_stated_by(header) {
        bail!("the checkpoint does not state the header the node sent with it");
    }
    if header.validators_hash != validators.hash() {
        bail!(
            "header {} is committed by a validator set other than the one the chain's proven \
             validator-set changes lead to",
            header.height
        );
    }
    view.certified
        .commit
        .verify(header, validators)
        .map_err(|error| {
            anyhow!(
                "header {}: its commit certificate fails: {error}",
                header.height
            )
        })?;
    Ok(checkpoint)
}

/// Whether `next` extends `previous`: the same body for the same size, a
/// verified consistency proof for a larger one. A smaller one is a node
/// behind the others, not a fork: it is skipped.
fn extends(
    agent: &ureq::Agent,
    node: &str,
    previous: &Checkpoint,
    next: &Checkpoint,
) -> anyhow::Result<bool> {
    if next.size < previous.size {
        bail!(
            "{node} serves a checkpoint of {} headers, older than the {} this witness co-signed; \
             it is behind",
            next.size,
            previous.size
        );
    }
    if next.size == previous.size {
        return Ok(previous == next);
    }
    let path = format!(
        "{node}/v1/history/consistency?from={}&to={}",
        previous.size, next.size
    );
    let view: ConsistencyView = get_json(agent, &path)?;
    if (view.from, view.to) != (previous.size, next.size) {
        bail!("{node} answered a proof for other sizes");
    }
    Ok(view.proof.verify(&previous.root, &next.root).is_ok())
}

fn fork_report(node: &str, previous: &str, next: &str) -> String {
    format!(
        "FORK seen at {node}: its newest checkpoint does not extend the one this witness \
         co-signed.\n\nco-signed before:\n{previous}\nserved now:\n{next}"
    )
}

/// Sends the note to every node; a node that refuses it is logged.
fn send(agent: &ureq::Agent, nodes: &[String], note: &str) {
    for node in nodes {
        let url = format!("{node}/v1/checkpoints/cosignatures");
        let sent = agent
            .post(&url)
            .header("content-type", "text/plain")
            .send(note);
        match sent {
            Ok(_) => tracing::info!(%node, "cosignature sent"),
            Err(error) => tracing::warn!(%node, "cosignature not taken: {error}"),
        }
    }
}

fn get_json<T: serde::de::DeserializeOwned>(agent: &ureq::Agent, url: &str) -> anyhow::Result<T> {
    let mut response = agent
        .get(url)
        .call()
        .with_context(|| format!("GET {url}"))?;
    response
        .body_mut()
        .read_json()
        .with_context(|| format!("reading the answer of GET {url}"))
}

fn xianjie_node_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn read_key(options: &WitnessOptions) -> anyhow::Result<SecretKey> {
    let sources =
        xianjie_node::network_node::node_passphrase_sources(options.passphrase_file.clone());
    let stored = xianjie_keyfile::read_stored_key(&options.key)
        .with_context(|| format!("reading the witness key {}", options.key.display()))?;
    stored
        .unlock(|| sources.existing(&options.key))
        .with_context(|| format!("unlocking the witness key {}", options.key.display()))
}

fn read_genesis(path: &Path) -> anyhow::Result<Genesis> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the genesis {}", path.display()))?;
    Genesis::from_complete_json(&text)
        .with_context(|| format!("{} is not a complete genesis document", path.display()))
}

fn read_state(path: &Path) -> anyhow::Result<Option<State>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("{} is not a witness state file", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
    }
}

fn alert_path(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".FORK");
    PathBuf::from(name)
}

fn refuse_after_a_fork(state: &Path) -> anyhow::Result<()> {
    let alert = alert_path(state);
    if alert.exists() {
        bail!(
            "this witness saw a fork ({}); it co-signs nothing until an operator has compared \
             the two checkpoints in that file and removed it",
            alert.display()
        );
    }
    Ok(())
}

/// Writes through a temporary file, fsync and rename, so that the file is
/// either the old or the new one after a crash.
fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a file in {}", dir.display()))?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}
