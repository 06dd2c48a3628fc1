//! `xianjie-node verify-db`: tamper detection for a stopped node's home.
//!
//! Nothing stored is trusted. The chain is replayed from `genesis.json` into
//! an empty scratch store: for every height the stored header must carry a
//! commit certificate of the validator set in force, the stored block must
//! pass the block rule every validator runs ([`xianjie_contracts::block`]:
//! it chains to its parent, its transactions hash to its tx root and carry
//! valid signatures, and re-executing them gives its results and state
//! roots), and the stored results must be the re-executed ones. Replaying writes exactly what the node wrote,
//! so the scratch store then holds, byte for byte, every record that follows
//! from the chain (headers, blocks, results, certificates, the transaction
//! index, the latest state values and every version of the state tree): the
//! two stores are compared record by record, which finds a flipped byte in
//! any of them, including old state tree nodes that no root check reads.
//! Finally every vault file is re-hashed against its name.
//!
//! The first divergence is reported and the check stops there.
//!
//! Memory stays bounded however long the chain: the copy of the checked
//! store and the replayed store both live on disk (in `TMPDIR` or
//! `--scratch DIR`) behind a bounded sled cache, and the comparison merges
//! two key-ordered scans. `--from-height N` resumes a long check: the state
//! after `N-1` is read from the store's own state history, trusted only once
//! the state tree's root at `N-1` (recomputed from its nodes) is the state
//! root of block `N-1`, whose certificate is checked first; every height
//! from `N` is then checked with the block rule against that history, as a
//! full run checks it (the record-by-record comparison needs a full run).

use std::cmp::Ordering;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use xianjie_contracts::block::{self, ChainState, Mode, Parent, Seen};
use xianjie_contracts::policy::PolicyEngine;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::state::{StateView, WriteSet};
use xianjie_ledger::tx::SignedTx;
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;
use xianjie_store::{StateUpdate, StorageError, Store, DERIVED_PREFIXES};

use xianjie_node::chain::read_validator_set;
use xianjie_node::committed_tip::TipFile;
use xianjie_node::error::{Error, Result};
use xianjie_node::execution::{block_refusal, Refusal, StoreState};
use xianjie_node::home::NodeHome;
use xianjie_node::vault::VAULT_DIR;

/// `HOME/vault/tmp`: partial uploads and transfers, not yet named by their
/// digest, so not yet evidence.
const VAULT_TMP_DIR: &str = "tmp";

/// Log progress every this many heights, so a long check shows it is alive.
const PROGRESS_EVERY_HEIGHTS: u64 = 1_000;

/// sled's page cache for each of the two stores a check opens.
const CACHE_BYTES: u64 = crate::backup::TOOL_CACHE_BYTES;

/// How a check runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The directory for the scratch stores (default: the temporary directory).
    pub scratch: Option<PathBuf>,
    /// Resume at this height (see the module documentation).
    pub from_height: Option<u64>,
}

/// What a check covered (up to the divergence, if one was found).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Heights whose header, certificate, block, results and state root were checked.
    pub heights: u64,
    /// Transactions re-executed.
    pub txs: u64,
    /// Store records compared with the replayed store.
    pub records: u64,
    /// Latest state values among them.
    pub state_values: u64,
    /// Vault files re-hashed.
    pub vault_files: u64,
    /// Bytes of those files.
    pub vault_bytes: u64,
    /// Size of the sled store on disk.
    pub store_bytes: u64,
    /// The store's tip.
    pub tip: u64,
    /// A resumed check: the height it started after and that block's hash.
    /// That block, its certificate and the state under it are checked
    /// against each other, not against the blocks before them: compare the
    /// hash with a receipt or another node's block to trust the rest.
    pub resumed_from: Option<(u64, xianjie_ledger::Hash)>,
}

/// Where a divergence is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The sled database as a whole (it cannot be opened or read).
    Database,
    /// The genesis: the store's record of it, or its state.
    Genesis,
    /// The block at this height.
    Height(u64),
    /// A store record that does not belong to one height.
    Record,
    /// A file of the evidence vault.
    VaultFile(PathBuf),
}

/// The first thing found that is not what the chain implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// Where.
    pub place: Place,
    /// Which value, e.g. `tx root`.
    pub what: String,
    /// What the chain (or the file's name) implies.
    pub expected: String,
    /// What is stored.
    pub found: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Divergence {
            place,
            what,
            expected,
            found,
        } = self;
        match place {
            Place::VaultFile(path) if what == CONTENT => write!(
                f,
                "vault file {}: content hashes to {found}, name says {expected}",
                path.display()
            ),
            Place::VaultFile(path) => write!(
                f,
                "vault file {}: {what}: expected {expected}, found {found}",
                path.display()
            ),
            Place::Database => write!(f, "database: {what}: expected {expected}, found {found}"),
            Place::Genesis => write!(f, "genesis: {what}: expected {expected}, found {found}"),
            Place::Height(height) => write!(
                f,
                "height {height}: {what}: expected {expected}, found {found}"
            ),
            Place::Record => write!(f, "{what}: expected {expected}, found {found}"),
        }
    }
}

const CONTENT: &str = "content";

/// The outcome of [`verify_home`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// What was checked.
    pub summary: Summary,
    /// The first divergence, or `None` if everything matches.
    pub divergence: Option<Divergence>,
}

impl VerifyReport {
    /// Whether nothing diverged.
    #[cfg(test)]
    pub fn is_consistent(&self) -> bool {
        self.divergence.is_none()
    }
}

/// A check either goes on or stops at a divergence; errors (the home cannot
/// be read at all) are separate from both.
type Step = std::result::Result<(), Divergence>;

fn diverged(
    place: Place,
    what: impl Into<String>,
    expected: impl ToString,
    found: impl ToString,
) -> Divergence {
    Divergence {
        place,
        what: what.into(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Checks the store and the vault of the stopped node at `home` (a dev home
/// or a network node's home: both keep `genesis.json` and `data/`).
///
/// `Err` means the check could not run (no home, no store, the store is in
/// use); a damaged store or vault is a report with a divergence.
#[cfg(test)]
pub fn verify_home(home: &Path) -> Result<VerifyReport> {
    verify_home_with(home, &Options::default())
}

/// [`verify_home`] with `options`.
pub fn verify_home_with(home: &Path, options: &Options) -> Result<VerifyReport> {
    let layout = NodeHome::new(home);
    let genesis_path = layout.genesis_path();
    if !genesis_path.is_file() {
        return Err(Error::NotAHome {
            home: home.to_owned(),
            reason: format!("it has no {}", genesis_path.display()),
        });
    }
    let genesis = read_genesis(&genesis_path)?;
    let data_dir = layout.data_dir();
    ensure_store_exists(home, &data_dir)?;
    ensure_not_locked(&data_dir)?;

    let mut summary = Summary::default();
    tracing::info!(home = %home.display(), "verifying the store against a replay of the chain");
    let scratch = copy_store(&data_dir, options.scratch.as_deref())?;
    let copy = scratch.path().join("data");
    let replay_dir = scratch.path().join("replay");
    // sled may panic on damaged files rather than return an error; that is
    // damage to report, not a crash of the checker.
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let opened = Store::open_with_cache(&copy, CACHE_BYTES);
        let stores = Stores {
            replay_dir: &replay_dir,
            from_height: options.from_height.filter(|&height| height > 1),
        };
        verify_store(opened, home, &data_dir, &genesis, &stores, &mut summary)
    }));
    wait_until_released(&copy);
    if replay_dir.exists() {
        wait_until_released(&replay_dir);
    }
    drop(scratch);
    let store_step = match checked {
        Ok(result) => result?,
        Err(panic) => Err(diverged(
            Place::Database,
            "reading the store",
            "readable records",
            format!("a panic: {}", panic_message(&panic)),
        )),
    };
    if let Err(divergence) = store_step {
        return Ok(VerifyReport {
            summary,
            divergence: Some(divergence),
        });
    }
    tracing::info!(
        heights = summary.heights,
        "store matches the replayed chain; re-hashing the vault"
    );
    let divergence = verify_vault(&home.join(VAULT_DIR), &mut summary)?.err();
    Ok(VerifyReport {
        summary,
        divergence,
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

fn read_genesis(path: &Path) -> Result<Genesis> {
    let text = std::fs::read_to_string(path).map_err(Error::io("reading", path))?;
    Ok(Genesis::from_json(&text)?)
}

fn ensure_store_exists(home: &Path, data_dir: &Path) -> Result<()> {
    // sled keeps its records in `data/db`; opening a directory without it
    // would create an empty store, which proves nothing.
    if data_dir.join("db").is_file() {
        Ok(())
    } else {
        Err(Error::NotAHome {
            home: home.to_owned(),
            reason: format!(
                "there is no store in {}; has a node ever run in this home?",
                data_dir.display()
            ),
        })
    }
}

/// sled lets one process open a store; a running node holds an exclusive
/// lock on `data/db`. Checking it here turns sled's opaque I/O error into
/// advice. The probe lock is released before the store is opened.
pub(crate) fn ensure_not_locked(data_dir: &Path) -> Result<()> {
    let db_file = data_dir.join("db");
    let file = File::options()
        .read(true)
        .write(true)
        .open(&db_file)
        .map_err(Error::io("opening", &db_file))?;
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::DatabaseLocked {
            data_dir: data_dir.to_owned(),
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(Error::Io {
            action: "locking",
            path: db_file,
            source,
        }),
    }
}

/// sled closes its files (and releases its lock) when its background I/O
/// threads let go of them, a moment after the last handle is dropped. Waiting
/// for that here means a caller in the same process (a test, a second check)
/// can open the store as soon as this check returns.
pub(crate) fn wait_until_released(data_dir: &Path) {
    const POLL: std::time::Duration = std::time::Duration::from_millis(10);
    const ATTEMPTS: u32 = 1_000;
    let db_file = data_dir.join("db");
    for _ in 0..ATTEMPTS {
        match File::options().read(true).write(true).open(&db_file) {
            Ok(file) if file.try_lock().is_err() => std::thread::sleep(POLL),
            _ => return,
        }
    }
    tracing::warn!(path = %db_file.display(), "sled still holds the store's lock");
}

/// A failed read of the stored database is a divergence: the store opened
/// and no other process uses it, so a record that cannot be read or decoded
/// (or that sled's own checksums reject) is damaged.
fn read<T>(
    place: &Place,
    what: &str,
    result: std::result::Result<T, StorageError>,
) -> std::result::Result<T, Divergence> {
    result.map_err(|error| diverged(place.clone(), what, format!("a readable {what}"), error))
}

/// Evaluates a read of the stored database: a failure returns its
/// divergence from the enclosing function, a value is unwrapped.
macro_rules! read_or_diverge {
    ($place:expr, $what:expr, $result:expr) => {
        match read(&$place, $what, $result) {
            Ok(value) => value,
            Err(divergence) => return Ok(Err(divergence)),
        }
    };
}

/// sled rewrites its files when it opens a store (recovery at the end of
/// its log, new snapshots): the check opens a copy, so that the home it
/// checks stays byte for byte as it was. The copy needs as much free space
/// in the temporary directory (`TMPDIR`) as `data/` takes.
fn copy_store(data_dir: &Path, scratch: Option<&Path>) -> Result<tempfile::TempDir> {
    let parent = scratch.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let scratch = tempfile::Builder::new()
        .prefix("xianjie-verify-db-")
        .tempdir_in(&parent)
        .map_err(Error::io("creating a directory in", &parent))?;
    copy_tree(data_dir, &scratch.path().join("data"))?;
    Ok(scratch)
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(Error::io("creating", to))?;
    let entries = std::fs::read_dir(from).map_err(Error::io("reading", from))?;
    for entry in entries {
        let entry = entry.map_err(Error::io("reading", from))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(Error::io("reading", &source))?;
        if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).map_err(Error::io("copying", &source))?;
        }
    }
    Ok(())
}

pub(crate) fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => dir_size(&entry.path()),
            _ => entry.metadata().map_or(0, |meta| meta.len()),
        })
        .sum()
}

/// Checks the store `opened` from a copy of `data_dir` (the home's), first
/// against the home's committed-tip record, then against a replay.
/// Where the replay goes and where it starts.
struct Stores<'a> {
    replay_dir: &'a Path,
    /// Resume at this height (above 1), from the stored state history.
    from_height: Option<u64>,
}

fn verify_store(
    opened: std::result::Result<Store, StorageError>,
    home: &Path,
    data_dir: &Path,
    genesis: &Genesis,
    stores: &Stores<'_>,
    summary: &mut Summary,
) -> Result<Step> {
    let stored = match opened {
        Ok(store) => store,
        // The directory holds a sled store that this process may write and
        // no other process uses (see the checks before): if sled cannot open
        // it, its files are damaged.
        Err(error) => {
            return Ok(Err(diverged(
                Place::Database,
                format!("sled's files in {}", data_dir.display()),
                "files that pass sled's checksums when opened",
                error,
            )))
        }
    };
    // The home's files, not the copy's (which sled may have rewritten).
    summary.store_bytes = dir_size(data_dir);
    let step = check_committed_tip(&stored, home, genesis);
    if step.is_err() {
        return Ok(step);
    }
    let replay = Store::open_with_cache(stores.replay_dir, CACHE_BYTES)?;
    let step = replay_chain(&stored, &replay, genesis, stores.from_height, summary)?;
    if step.is_err() || stores.from_height.is_some() {
        return Ok(step);
    }
    compare_records(&stored, &replay, summary)
}

/// The home's committed-tip record (written on every commit) against the
/// store: a store below it, or with another block at its height, lost or
/// changed committed blocks, however consistent what is left may be.
fn check_committed_tip(stored: &Store, home: &Path, genesis: &Genesis) -> Step {
    let file = TipFile::in_home(home);
    let what = |detail: &str| format!("{detail} recorded in {}", file.path().display());
    let record = match file.read() {
        Ok(Some(record)) => record,
        // A home from a release that did not keep the record.
        Ok(None) => return Ok(()),
        Err(error) => {
            return Err(diverged(
                Place::Record,
                what("the committed tip"),
                "a readable record",
                error,
            ))
        }
    };
    if record.genesis_hash != genesis.hash() {
        return Err(diverged(
            Place::Genesis,
            what("the genesis hash"),
            genesis.hash(),
            record.genesis_hash,
        ));
    }
    let tip = read(&Place::Database, "tip", stored.tip())?.unwrap_or(0);
    if tip < record.height {
        // A network node fetching its chain again from peers is below its
        // record until it has caught up.
        if record.resyncing {
            return Ok(());
        }
        return Err(diverged(
            Place::Database,
            what("the committed tip"),
            format!(
                "a chain up to height {} (block {})",
                record.height, record.block_hash
            ),
            format!("a chain up to height {tip}: committed blocks are missing"),
        ));
    }
    let found = if record.height == 0 {
        stored.genesis_hash().ok().flatten()
    } else {
        let header = read(
            &Place::Height(record.height),
            "header",
            stored.header(record.height),
        )?;
        header.map(|header| header.hash())
    };
    if found != Some(record.block_hash) {
        return Err(diverged(
            Place::Height(record.height),
            what("the block hash"),
            record.block_hash,
            found.map_or_else(|| "nothing".to_owned(), |hash| hash.to_string()),
        ));
    }
    Ok(())
}

/// Replays the chain from `genesis` into `replay`, checking every stored
/// height of `stored` on the way.
fn replay_chain(
    stored: &Store,
    replay: &Store,
    genesis: &Genesis,
    from_height: Option<u64>,
    summary: &mut Summary,
) -> Result<Step> {
    let genesis_hash = genesis.hash();
    let place = Place::Genesis;
    let stored_genesis = read_or_diverge!(place, "genesis hash", stored.genesis_hash());
    match stored_genesis {
        Some(found) if found == genesis_hash => {}
        Some(found) => {
            return Ok(Err(diverged(
                place,
                "genesis hash recorded in the store (is this genesis.json the home's own?)",
                genesis_hash,
                found,
            )))
        }
        None => {
            return Ok(Err(diverged(
                place,
                "genesis hash recorded in the store",
                genesis_hash,
                "nothing",
            )))
        }
    }
    let writes = xianjie_contracts::genesis_writes(genesis).map_err(Error::GenesisRefused)?;
    let genesis_root = replay.init_genesis(genesis_hash, writes)?;
    let stored_root = read_or_diverge!(place, "genesis state root", stored.genesis_state_root());
    if stored_root != Some(genesis_root) {
        return Ok(Err(diverged(
            place,
            "genesis state root",
            genesis_root,
            stored_root.map_or_else(|| "nothing".to_owned(), |root| root.to_string()),
        )));
    }
    let tip = read_or_diverge!(place, "tip", stored.tip()).unwrap_or(0);
    summary.tip = tip;
    tracing::info!(tip, "replaying the chain");

    let mut parent = Parent {
        chain_id: genesis.chain_id.clone(),
        height: 0,
        block_hash: genesis_hash,
        time_ms: genesis.genesis_time_ms,
        history_root: xianjie_ledger::merkle::empty_root(),
    };
    let policies = xianjie_node::execution::policy_engine()?;
    let first = match from_height.map(|from| from.min(tip + 1) - 1) {
        Some(start) if start > 0 => {
            parent = match resume_point(stored, &parent.chain_id, start)? {
                Ok(parent) => parent,
                Err(divergence) => return Ok(Err(divergence)),
            };
            summary.resumed_from = Some((start, parent.block_hash));
            start + 1
        }
        _ => 1,
    };
    let progress = Progress::new(first, tip);
    for height in first..=tip {
        let step = match from_height {
            None => replay_height(stored, replay, &policies, &parent, summary)?,
            Some(_) => {
                let history = match History::at(stored, height - 1)? {
                    Ok(history) => history,
                    Err(divergence) => return Ok(Err(divergence)),
                };
                let validators = history.validators()?;
                match check_height(
                    stored,
                    &history,
                    &history,
                    &validators,
                    &policies,
                    &parent,
                    summary,
                )? {
                    // A resumed check keeps no replay: the stored history
                    // tree gives the next root, which the next header's
                    // certified `history_root` then checks.
                    Ok((next, _, _)) => Ok(Parent {
                        history_root: read_or_diverge!(
                            Place::Height(height),
                            "history tree",
                            stored.history_root(height)
                        ),
                        ..next
                    }),
                    Err(divergence) => Err(divergence),
                }
            }
        };
        match step {
            Ok(next) => parent = next,
            Err(divergence) => {
                progress.finish();
                return Ok(Err(divergence));
            }
        }
        summary.heights += 1;
        progress.at(height);
    }
    progress.finish();
    Ok(Ok(()))
}

/// Progress of the replay: a bar when stderr is a terminal, a log line every
/// [`PROGRESS_EVERY_HEIGHTS`] otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    tip: u64,
}

impl Progress {
    fn new(first: u64, tip: u64) -> Progress {
        use std::io::IsTerminal as _;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(tip);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:40}] {pos}/{len} heights, {per_sec}, eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("replaying");
            bar.set_position(first.saturating_sub(1));
            bar
        });
        Progress { bar, tip }
    }

    fn at(&self, height: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(height),
            None if height.is_multiple_of(PROGRESS_EVERY_HEIGHTS) => {
                tracing::info!(height, tip = self.tip, "replayed");
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Checks one height against the replayed store and commits it there.
fn replay_height(
    stored: &Store,
    replay: &Store,
    policies: &Arc<PolicyEngine>,
    parent: &Parent,
    summary: &mut Summary,
) -> Result<std::result::Result<Parent, Divergence>> {
    // The set in force is the replayed state's, never the stored one.
    let validators = read_validator_set(replay)?;
    let checked = check_height(
        stored,
        &StoreState(replay),
        &Replayed(replay),
        &validators,
        policies,
        parent,
        summary,
    )?;
    Ok(match checked {
        Ok((next, executed, commit)) => {
            replay.commit_block(
                &executed.block,
                &executed.results,
                &commit,
                &executed.update,
            )?;
            Ok(Parent {
                history_root: replay.history_root(next.height)?,
                ..next
            })
        }
        Err(divergence) => Err(divergence),
    })
}

/// The parent of a resumed check: block `height` of the store, whose
/// certificate verifies under the set in force before it and whose
/// certified state root is the root of the stored state tree at `height`.
fn resume_point(
    stored: &Store,
    chain_id: &str,
    height: u64,
) -> Result<std::result::Result<Parent, Divergence>> {
    let place = Place::Height(height);
    let Some(header) = read_or_diverge!(place, "header", stored.header(height)) else {
        return Ok(Err(diverged(place, "header", "a record", "nothing")));
    };
    let Some(commit) = read_or_diverge!(place, "commit certificate", stored.commit(height)) else {
        return Ok(Err(diverged(
            place,
            "commit certificate",
            "a record",
            "nothing",
        )));
    };
    let validators = match History::at(stored, height - 1)? {
        Ok(history) => history.validators()?,
        Err(divergence) => return Ok(Err(divergence)),
    };
    if let Err(error) = commit.verify(&header, &validators) {
        return Ok(Err(diverged(
            place,
            "commit certificate",
            format!(
                "precommits of more than 2/3 of the power of validator set {} for block {}",
                validators.hash(),
                header.hash()
            ),
            error,
        )));
    }
    let root = read_or_diverge!(place, "state tree", stored.state_root_at(height));
    if root != Some(header.state_root) {
        return Ok(Err(diverged(
            place,
            "state root of the stored state history (the resumed check starts from it)",
            header.state_root,
            root.map_or_else(|| "nothing".to_owned(), |root| root.to_string()),
        )));
    }
    tracing::info!(
        height,
        "resuming from the stored state, which matches its certified root"
    );
    Ok(Ok(Parent {
        chain_id: chain_id.to_owned(),
        height,
        block_hash: header.hash(),
        time_ms: header.time_ms,
        history_root: read_or_diverge!(place, "history tree", stored.history_root(height)),
    }))
}

/// The stored state as it was after block `version`, read from the store's
/// state history with every value proven against that block's state root
/// (a damaged value is not executed on); new roots are computed over the
/// stored tree of that version without writing anything.
struct History<'a> {
    store: &'a Store,
    version: u64,
    root: Hash,
}

impl<'a> History<'a> {
    /// The state after block `version`, proven against its header's state
    /// root (the genesis root at 0).
    fn at(store: &'a Store, version: u64) -> Result<std::result::Result<History<'a>, Divergence>> {
        let place = Place::Height(version);
        let root = if version == 0 {
            read_or_diverge!(
                Place::Genesis,
                "genesis state root",
                store.genesis_state_root()
            )
        } else {
            read_or_diverge!(place, "header", store.header(version)).map(|header| header.state_root)
        };
        Ok(match root {
            Some(root) => Ok(History {
                store,
                version,
                root,
            }),
            None => Err(diverged(place, "header", "a record", "nothing")),
        })
    }

    fn validators(&self) -> Result<ValidatorSet> {
        xianjie_contracts::read::validators(self).map_err(|source| Error::StateRead {
            what: "validator set",
            source,
        })
    }
}

impl StateView for History<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        // As the store's own view: a failed read cannot be answered honestly
        // (the panic is reported as damage to the database).
        let (value, proof) = self
            .store
            .state_proof(key, self.version)
            .expect("state read failed: the database is unreadable");
        if let Err(error) = proof.verify(&self.root, key, value.as_deref()) {
            panic!(
                "state value `{}` at height {} does not match that height's certified state root: {error}",
                key.escape_ascii(),
                self.version
            );
        }
        value
    }
}

impl ChainState for History<'_> {
    type Update = StateUpdate;
    type Fault = Error;

    fn state_update(
        &self,
        writes: WriteSet,
        new_keys: std::collections::BTreeSet<Vec<u8>>,
        height: u64,
    ) -> Result<(Hash, StateUpdate)> {
        let update = self
            .store
            .compute_state_update(writes, height)?
            .with_new_keys(new_keys);
        Ok((update.root, update))
    }
}

/// The transactions committed before the history's version.
impl Seen for History<'_> {
    type Fault = Error;

    fn is_committed(&self, tx_hash: &Hash) -> Result<bool> {
        Ok(self
            .store
            .tx_location(tx_hash)?
            .is_some_and(|location| location.height <= self.version))
    }

    fn signature_verifies(&self, tx_hash: &Hash, tx: &SignedTx) -> bool {
        tx.verify_signature_of(tx_hash).is_ok()
    }

    fn admitted(&self, _: &Hash) -> bool {
        false
    }
}

/// Replaying the chain has seen exactly the transactions it replayed, and
/// verifies every signature itself.
pub(crate) struct Replayed<'a>(pub(crate) &'a Store);

impl Seen for Replayed<'_> {
    type Fault = Error;

    fn is_committed(&self, tx_hash: &Hash) -> Result<bool> {
        Ok(self.0.tx_location(tx_hash)?.is_some())
    }

    fn signature_verifies(&self, tx_hash: &Hash, tx: &SignedTx) -> bool {
        tx.verify_signature_of(tx_hash).is_ok()
    }

    fn admitted(&self, _: &Hash) -> bool {
        false
    }
}

/// What a checked height gives: the next parent, the execution and the
/// certificate to commit it with.
type Checked = (
    Parent,
    xianjie_node::execution::Executed,
    xianjie_ledger::block::Commit,
);

/// Checks the stored height after `parent` with the block rule on `state`
/// (with `validators` the set in force there). Returns it as the next parent
/// with its execution.
fn check_height<S, N>(
    stored: &Store,
    state: &S,
    seen: &N,
    validators: &ValidatorSet,
    policies: &Arc<PolicyEngine>,
    parent: &Parent,
    summary: &mut Summary,
) -> Result<std::result::Result<Checked, Divergence>>
where
    S: ChainState<Update = StateUpdate, Fault = Error>,
    N: Seen<Fault = Error>,
{
    let height = parent.height + 1;
    let place = Place::Height(height);
    let missing = |what: &str| Ok(Err(diverged(place.clone(), what, "a record", "nothing")));

    let Some(header) = read_or_diverge!(place, "header", stored.header(height)) else {
        return missing("header");
    };
    let header_hash = header.hash();
    let Some(commit) = read_or_diverge!(place, "commit certificate", stored.commit(height)) else {
        return missing("commit certificate");
    };
    if let Err(error) = commit.verify(&header, validators) {
        return Ok(Err(diverged(
            place,
            "commit certificate",
            format!(
                "precommits of more than 2/3 of the power of validator set {} for block {header_hash}",
                validators.hash()
            ),
            error,
        )));
    }
    let Some(block) = read_or_diverge!(place, "block", stored.block(height)) else {
        return missing("block");
    };
    if block.header != header {
        return Ok(Err(diverged(
            place,
            "header inside the block record",
            format!("header {header_hash}"),
            format!("header {}", block.header.hash()),
        )));
    }
    let executed = match block::check(
        state,
        parent,
        validators,
        policies,
        block,
        Mode::Decided,
        seen,
    ) {
        Ok(executed) => executed,
        Err(refusal) => return Ok(Err(refusal_divergence(place, block_refusal(refusal)?))),
    };
    let Some(stored_results) = read_or_diverge!(place, "results", stored.results(height)) else {
        return missing("results");
    };
    let stored_results_root = stored_results.root();
    if stored_results_root != header.results_root || stored_results != executed.results {
        return Ok(Err(diverged(
            place,
            "results root of the stored results",
            header.results_root,
            stored_results_root,
        )));
    }
    summary.txs += executed.block.txs.len() as u64;
    let next = Parent {
        chain_id: parent.chain_id.clone(),
        height,
        block_hash: header_hash,
        time_ms: header.time_ms,
        // The root over the headers up to this one; the caller sets it from
        // the history tree once this height is in it.
        history_root: parent.history_root,
    };
    Ok(Ok((next, executed, commit)))
}

/// The block rule's refusal of a stored block, as what the report names.
fn refusal_divergence(place: Place, refusal: Refusal) -> Divergence {
    match refusal {
        Refusal::WrongParent {
            what,
            expected,
            found,
        } => {
            let what = if what == "height" {
                "header height"
            } else {
                what
            };
            diverged(place, what, expected, found)
        }
        Refusal::BadTime {
            time_ms, parent_ms, ..
        } => diverged(
            place,
            "block time",
            format!("after {parent_ms} (the parent's)"),
            time_ms,
        ),
        Refusal::UnknownProposer(proposer) => diverged(
            place,
            "proposer",
            "a validator of the set in force",
            proposer,
        ),
        Refusal::Mismatch {
            what,
            header,
            computed,
        } => match what {
            "validators hash" => diverged(
                place,
                "validators hash (the set in force)",
                computed,
                header,
            ),
            "transaction root" => diverged(place, "tx root", header, computed),
            "results root" => diverged(
                place,
                "results of re-executing the block",
                format!("results root {header}"),
                format!("results root {computed}"),
            ),
            "state root" => diverged(
                place,
                "state root after re-executing the block",
                header,
                computed,
            ),
            what => diverged(place, what, header, computed),
        },
        Refusal::BadSignature(tx) => diverged(
            place,
            format!("signature of transaction {tx}"),
            "a valid signature by its signer",
            "a signature that does not verify",
        ),
        Refusal::AlreadyCommitted(tx) => diverged(
            place,
            format!("transaction {tx}"),
            "in no earlier block",
            "already committed at an earlier height",
        ),
        other => diverged(place, "block", "a block the block rule accepts", other),
    }
}

/// Compares every record of the derived kinds in both stores, merging the
/// two key-ordered scans.
fn compare_records(stored: &Store, replay: &Store, summary: &mut Summary) -> Result<Step> {
    for (prefix, kind) in DERIVED_PREFIXES {
        let mut stored_records = stored.raw_records(prefix);
        let mut replayed_records = replay.raw_records(prefix);
        let place = Place::Record;
        let mut found = read_or_diverge!(place, kind, stored_records.next().transpose());
        let mut expected = replayed_records.next().transpose()?;
        loop {
            let order = match (&found, &expected) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((found_key, _)), Some((expected_key, _))) => found_key.cmp(expected_key),
            };
            match (order, found, expected) {
                (Ordering::Less, Some((key, value)), _) => {
                    return Ok(Err(diverged(
                        record_place(&key),
                        describe_key(&key, kind),
                        "no such record (replaying the chain does not write it)",
                        format!("{} bytes", value.len()),
                    )));
                }
                (Ordering::Greater, _, Some((key, value))) => {
                    return Ok(Err(diverged(
                        record_place(&key),
                        describe_key(&key, kind),
                        format!("{} bytes", value.len()),
                        "no such record",
                    )));
                }
                (Ordering::Equal, Some((key, found_value)), Some((_, value))) => {
                    if found_value != value {
                        return Ok(Err(diverged(
                            record_place(&key),
                            describe_key(&key, kind),
                            describe_difference(&value, &found_value, Side::Expected),
                            describe_difference(&value, &found_value, Side::Found),
                        )));
                    }
                }
                _ => unreachable!("the order is computed from the records present"),
            }
            summary.records += 1;
            if *prefix == *b"s:" {
                summary.state_values += 1;
            }
            found = read_or_diverge!(place, kind, stored_records.next().transpose());
            expected = replayed_records.next().transpose()?;
        }
    }
    Ok(Ok(()))
}

/// Height records (`h:`, `b:`, `r:`, `c:` and a height) belong to a height.
fn record_place(key: &[u8]) -> Place {
    match height_of(key) {
        Some(height) => Place::Height(height),
        None => Place::Record,
    }
}

fn height_of(key: &[u8]) -> Option<u64> {
    let (prefix, rest) = key.split_at_checked(2)?;
    if ![b"h:", b"b:", b"r:", b"c:"].contains(&prefix.try_into().ok()?) {
        return None;
    }
    Some(u64::from_be_bytes(rest.try_into().ok()?))
}

fn describe_key(key: &[u8], kind: &str) -> String {
    let rest = &key[2.min(key.len())..];
    match height_of(key) {
        Some(_) => format!("{kind} record"),
        // A latest value's key is the state key's hash, then the state key.
        None if key.starts_with(b"s:") && rest.len() > 32 => {
            format!("{kind} `{}`", rest[32..].escape_ascii())
        }
        None if key.starts_with(b"m:") => format!("{kind} `{}`", rest.escape_ascii()),
        None => format!("{kind} {}", hex::encode(rest)),
    }
}

/// Which of two compared values to describe.
#[derive(Clone, Copy)]
enum Side {
    Expected,
    Found,
}

/// Says where two values first differ, from one side's point of view.
fn describe_difference(expected: &[u8], found: &[u8], side: Side) -> String {
    let value = match side {
        Side::Expected => expected,
        Side::Found => found,
    };
    let offset = expected
        .iter()
        .zip(found)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(found.len()));
    match value.get(offset) {
        Some(byte) => format!(
            "{} bytes with 0x{byte:02x} at offset {offset} (BLAKE3 {})",
            value.len(),
            blake3::hash(value)
        ),
        None => format!("{} bytes (BLAKE3 {})", value.len(), blake3::hash(value)),
    }
}

/// Re-hashes every file of the vault against its name.
fn verify_vault(vault: &Path, summary: &mut Summary) -> Result<Step> {
    let entries = match std::fs::read_dir(vault) {
        Ok(entries) => entries,
        // No vault yet: nothing was uploaded to this node.
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Ok(())),
        Err(error) => return Err(Error::io("reading", vault)(error)),
    };
    let mut prefixes = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io("reading", vault))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == VAULT_TMP_DIR {
            continue;
        }
        if entry.path().is_dir() && name.len() == 2 && is_lower_hex(&name) {
            prefixes.push(entry.path());
        } else {
            // The vault may keep its own bookkeeping beside the prefix
            // directories; only digest-named files are evidence.
            tracing::warn!(path = %entry.path().display(), "skipping a vault entry that is not a prefix directory");
        }
    }
    prefixes.sort();
    for prefix_dir in prefixes {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&prefix_dir).map_err(Error::io("reading", &prefix_dir))? {
            files.push(entry.map_err(Error::io("reading", &prefix_dir))?.path());
        }
        files.sort();
        for path in files {
            if let Err(divergence) = verify_vault_file(&prefix_dir, &path, summary)? {
                return Ok(Err(divergence));
            }
        }
    }
    Ok(Ok(()))
}

fn is_lower_hex(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn verify_vault_file(prefix_dir: &Path, path: &Path, summary: &mut Summary) -> Result<Step> {
    let place = Place::VaultFile(path.to_owned());
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = prefix_dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.len() != 64 || !is_lower_hex(&name) || !name.starts_with(&prefix) {
        return Ok(Err(diverged(
            place,
            "file name",
            format!("64 lowercase hex digits of a BLAKE3 digest starting with {prefix}"),
            name,
        )));
    }
    let metadata = std::fs::symlink_metadata(path).map_err(Error::io("reading", path))?;
    if !metadata.is_file() {
        return Ok(Err(diverged(
            place,
            "entry type",
            "a regular file",
            "something else",
        )));
    }
    let file = File::open(path).map_err(Error::io("reading", path))?;
    // Streamed: evidence files can be far larger than memory.
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(file)
        .map_err(Error::io("reading", path))?;
    let digest = hasher.finalize().to_hex().to_string();
    if digest != name {
        return Ok(Err(diverged(place, CONTENT, name, digest)));
    }
    summary.vault_files += 1;
    summary.vault_bytes += metadata.len();
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use xianjie_ledger::block::{Block, Commit, CommitSignature, TxOutcome};
    use xianjie_ledger::crypto::{vote_digest, SecretKey, VoteKind};
    use xianjie_ledger::tx::SignedTx;

    use super::*;
    use xianjie_node::chain::{read_tip, Chain};
    use xianjie_node::dev::DevHome;
    use xianjie_node::execution::{build_block, ChainInfo, Executed};
    use xianjie_node::mempool::Mempool;

    /// Block times of the test chains: fixed, so runs are reproducible.
    const START_MS: u64 = 1_800_000_000_000;

    /// A dev home with a chain of `blocks` blocks of two anchors each.
    struct TestChain {
        _dir: tempfile::TempDir,
        home: PathBuf,
        genesis: Genesis,
        validator_key: SecretKey,
    }

    /// An anchor signed by `key`, naming `colleague` as second collector.
    fn anchor(key: &SecretKey, colleague: &SecretKey, seed: u8) -> SignedTx {
        xianjie_node::dev::test_anchor(key, colleague, seed, "verify-db tests")
    }

    fn test_chain(blocks: u8) -> TestChain {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let dev = DevHome::new(&home);
        let setup = dev.prepare().unwrap();
        let officer = dev.officer_key("market", "officer").unwrap();
        let colleague = dev.officer_key("market", "officer2").unwrap();
        let store = Store::open(&dev.data_dir()).unwrap();
        let chain = Chain::open(
            store,
            &setup.genesis,
            setup.validator_key.clone(),
            xianjie_node::execution::policy_engine().unwrap(),
            &dev.data_dir(),
        )
        .unwrap();
        let mempool = Mempool::new(xianjie_node::config::MempoolLimits::default());
        for block in 0..blocks {
            let txs = vec![
                anchor(&officer, &colleague, 2 * block + 1),
                anchor(&officer, &colleague, 2 * block + 2),
            ];
            let now = START_MS.max(setup.genesis.genesis_time_ms) + u64::from(block) * 1_000;
            chain
                .commit_next_block(txs, &mempool, now)
                .unwrap()
                .unwrap();
        }
        drop(chain);
        wait_until_store_closed(&home);
        TestChain {
            _dir: dir,
            home,
            genesis: setup.genesis,
            validator_key: setup.validator_key,
        }
    }

    /// sled releases its lock when its background I/O threads let go of
    /// the files, a moment after the last handle is dropped (a node process
    /// simply exits). Tests that reopen a store in-process wait for that.
    fn wait_until_store_closed(home: &Path) {
        let db_file = home.join("data").join("db");
        for _ in 0..3_000 {
            let file = File::options()
                .read(true)
                .write(true)
                .open(&db_file)
                .unwrap();
            if file.try_lock().is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("sled never released {}", db_file.display());
    }

    impl TestChain {
        fn store(&self) -> Store {
            Store::open(&self.home.join("data")).unwrap()
        }

        /// Builds the next block honestly, lets `tamper` change it, signs
        /// the (possibly changed) header with `signer` and commits it
        /// without any check, as a tampered store would hold it.
        fn commit_tampered(&self, signer: &SecretKey, tamper: impl FnOnce(&mut Executed)) -> u64 {
            let store = self.store();
            let info = ChainInfo {
                chain_id: self.genesis.chain_id.clone(),
                genesis_hash: self.genesis.hash(),
                genesis_time_ms: self.genesis.genesis_time_ms,
                policies: xianjie_node::execution::policy_engine().unwrap(),
            };
            let parent = read_tip(&store, info.genesis_hash, info.genesis_time_ms).unwrap();
            let dev = DevHome::new(&self.home);
            let officer = dev.officer_key("police", "officer").unwrap();
            let colleague = dev.officer_key("police", "officer2").unwrap();
            let mut executed =
                build_block(
                    &store,
                    &info,
                    &parent,
                    self.validator_key.public_key().id(),
                    vec![
                        anchor(&officer, &colleague, 200),
                        anchor(&officer, &colleague, 201),
                    ],
                    &xianjie_node::mempool::Mempool::new(
                        xianjie_node::config::MempoolLimits::default(),
                    ),
                    parent.time_ms + 1_000,
                )
                .unwrap();
            tamper(&mut executed);
            let commit = sign(&executed.block, signer);
            store
                .commit_block(
                    &executed.block,
                    &executed.results,
                    &commit,
                    &executed.update,
                )
                .unwrap();
            drop(store);
            wait_until_store_closed(&self.home);
            executed.block.header.height
        }
    }

    fn sign(block: &Block, key: &SecretKey) -> Commit {
        let block_hash = block.header.hash();
        let digest = vote_digest(
            &block.header.chain_id,
            block.header.height,
            0,
            VoteKind::Precommit,
            Some(&block_hash),
        );
        Commit {
            height: block.header.height,
            round: 0,
            block_hash,
            signatures: vec![CommitSignature {
                validator: key.public_key().id(),
                signature: key.sign(&digest.0),
            }],
        }
    }

    fn write_vault_file(home: &Path, content: &[u8]) -> PathBuf {
        let digest = blake3::hash(content).to_hex().to_string();
        let dir = home.join(VAULT_DIR).join(&digest[..2]);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(&digest);
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn an_untouched_chain_and_vault_are_consistent() {
        let chain = test_chain(3);
        write_vault_file(&chain.home, b"seized ledger");
        write_vault_file(&chain.home, &[7u8; 100_000]);
        // Partial uploads are not evidence yet.
        let tmp = chain.home.join(VAULT_DIR).join(VAULT_TMP_DIR);
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(tmp.join("upload-1"), b"half a fi").unwrap();

        let report = verify_home(&chain.home).unwrap();
        assert_eq!(report.divergence, None);
        let summary = report.summary;
        assert_eq!(summary.heights, 3);
        assert_eq!(summary.txs, 6);
        assert_eq!(summary.vault_files, 2);
        assert_eq!(summary.vault_bytes, 13 + 100_000);
        assert!(summary.state_values > 0);
        assert!(summary.records > summary.state_values);
    }

    #[test]
    fn a_fresh_home_without_blocks_or_vault_is_consistent() {
        let chain = test_chain(0);
        let report = verify_home(&chain.home).unwrap();
        assert!(report.is_consistent(), "{:?}", report.divergence);
        assert_eq!(report.summary.heights, 0);
        assert_eq!(report.summary.vault_files, 0);
    }

    /// A block that a tampered store could hold, and what must be reported.
    struct TamperCase {
        name: &'static str,
        tamper: fn(&mut Executed),
        /// Sign with a key that is not a validator.
        foreign_signer: bool,
        what: &'static str,
    }

    #[test]
    fn each_tampered_part_of_a_block_is_reported_at_its_height() {
        let cases = [
            TamperCase {
                name: "stored results altered",
                tamper: |executed| {
                    executed.results.0[1].outcome = TxOutcome::Error {
                        code: "not_holder".into(),
                    }
                },
                foreign_signer: false,
                what: "results root of the stored results",
            },
            TamperCase {
                name: "a transaction dropped from the block body",
                // Its result goes too: the store writes one result per transaction.
                tamper: |executed| {
                    executed.block.txs.pop();
                    executed.results.0.pop();
                },
                foreign_signer: false,
                what: "transaction count",
            },
            TamperCase {
                name: "a transaction of the block body replaced",
                tamper: |executed| {
                    let stranger = SecretKey::from_bytes(&[5; 32]);
                    executed.block.txs[0] = anchor(&stranger, &stranger, 99);
                },
                foreign_signer: false,
                what: "tx root",
            },
            TamperCase {
                name: "a transaction's signature altered",
                tamper: |executed| executed.block.txs[1].signature.0[7] ^= 0x01,
                foreign_signer: false,
                what: "signature of transaction",
            },
            TamperCase {
                name: "certificate by a non-validator",
                tamper: |_| {},
                foreign_signer: true,
                what: "commit certificate",
            },
            TamperCase {
                name: "header re-signed with another state root",
                tamper: |executed| executed.block.header.state_root = Hash([9; 32]),
                foreign_signer: false,
                what: "state root after re-executing the block",
            },
            TamperCase {
                name: "header re-signed with another parent",
                tamper: |executed| executed.block.header.prev_hash = Hash([9; 32]),
                foreign_signer: false,
                what: "previous block hash",
            },
            TamperCase {
                name: "header re-signed with other results",
                tamper: |executed| {
                    executed.results.0[0].outcome = TxOutcome::Error {
                        code: "not_holder".into(),
                    };
                    executed.block.header.results_root = executed.results.root();
                },
                foreign_signer: false,
                what: "results of re-executing the block",
            },
        ];
        for case in cases {
            let chain = test_chain(2);
            let foreign = SecretKey::from_bytes(&[42; 32]);
            let signer = if case.foreign_signer {
                &foreign
            } else {
                &chain.validator_key
            };
            let height = chain.commit_tampered(signer, case.tamper);
            let report = verify_home(&chain.home).unwrap();
            let divergence = report
                .divergence
                .unwrap_or_else(|| panic!("{}: not detected", case.name));
            assert_eq!(divergence.place, Place::Height(height), "{}", case.name);
            assert!(
                divergence.what.starts_with(case.what),
                "{}: {divergence}",
                case.name
            );
            assert_eq!(report.summary.heights, height - 1, "{}", case.name);
        }
    }

    fn resumed_at(home: &Path, from_height: u64) -> VerifyReport {
        let options = Options {
            scratch: None,
            from_height: Some(from_height),
        };
        verify_home_with(home, &options).unwrap()
    }

    #[test]
    fn a_resumed_check_reports_damage_past_its_start_as_a_full_run_does() {
        let chain = test_chain(4);
        let resumed = resumed_at(&chain.home, 3);
        assert_eq!(resumed.divergence, None);
        assert_eq!(resumed.summary.heights, 2, "heights 3 and 4");
        assert_eq!(resumed.summary.txs, 4);

        let height = chain.commit_tampered(&chain.validator_key, |executed| {
            let stranger = SecretKey::from_bytes(&[5; 32]);
            executed.block.txs[0] = anchor(&stranger, &stranger, 99);
        });
        let full = verify_home(&chain.home).unwrap().divergence.unwrap();
        let resumed = resumed_at(&chain.home, 3);
        let divergence = resumed.divergence.unwrap();
        assert_eq!(divergence.place, Place::Height(height));
        assert!(divergence.what.starts_with("tx root"), "{divergence}");
        assert_eq!(divergence.to_string(), full.to_string());
        assert_eq!(resumed.summary.heights, 2);
    }

    #[test]
    fn a_genesis_that_is_not_the_stores_own_is_reported() {
        let chain = test_chain(1);
        let other = test_chain(0);
        std::fs::copy(
            other.home.join("genesis.json"),
            chain.home.join("genesis.json"),
        )
        .unwrap();
        let divergence = verify_home(&chain.home).unwrap().divergence.unwrap();
        assert_eq!(divergence.place, Place::Genesis);
        assert!(divergence.what.starts_with("genesis hash"), "{divergence}");
    }

    #[test]
    fn a_vault_file_whose_content_changed_is_named() {
        let chain = test_chain(1);
        write_vault_file(&chain.home, b"first file");
        let path = write_vault_file(&chain.home, b"inspection report");
        assert!(verify_home(&chain.home).unwrap().is_consistent());

        let mut bytes = std::fs::read(&path).unwrap();
        bytes[3] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        let divergence = verify_home(&chain.home).unwrap().divergence.unwrap();
        assert_eq!(divergence.place, Place::VaultFile(path.clone()));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            divergence.to_string(),
            format!(
                "vault file {}: content hashes to {}, name says {name}",
                path.display(),
                blake3::hash(&bytes).to_hex()
            )
        );
    }

    #[test]
    fn a_vault_file_not_named_by_a_digest_is_reported() {
        let chain = test_chain(0);
        let dir = chain.home.join(VAULT_DIR).join("ab");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("renamed.pdf"), b"x").unwrap();
        let divergence = verify_home(&chain.home).unwrap().divergence.unwrap();
        assert_eq!(divergence.what, "file name");
    }

    #[test]
    fn a_home_that_cannot_be_checked_is_an_error_not_a_divergence() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            verify_home(dir.path()),
            Err(Error::NotAHome { .. })
        ));

        let chain = test_chain(0);
        let store = chain.store();
        assert!(matches!(
            verify_home(&chain.home),
            Err(Error::DatabaseLocked { .. })
        ));
        drop(store);
        wait_until_store_closed(&chain.home);
        std::fs::remove_dir_all(chain.home.join("data")).unwrap();
        assert!(matches!(
            verify_home(&chain.home),
            Err(Error::NotAHome { .. })
        ));
    }

    /// Every file under `dir` with its bytes.
    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(files(&path));
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
        found.sort();
        found
    }

    #[test]
    fn the_checked_home_is_left_byte_for_byte_as_it_was() {
        let chain = test_chain(3);
        let before = files(&chain.home);
        assert!(verify_home(&chain.home).unwrap().is_consistent());
        assert!(files(&chain.home) == before, "verify-db changed the home");
    }

    #[test]
    fn a_store_below_or_unlike_its_committed_tip_record_diverges() {
        use xianjie_node::committed_tip::Record;
        let chain = test_chain(2);
        let file = TipFile::in_home(&chain.home);
        let at_two = Record {
            genesis_hash: chain.genesis.hash(),
            height: 2,
            block_hash: read_tip(
                &chain.store(),
                chain.genesis.hash(),
                chain.genesis.genesis_time_ms,
            )
            .unwrap()
            .block_hash,
            resyncing: false,
        };
        wait_until_store_closed(&chain.home);
        file.write(&at_two).unwrap();
        assert!(verify_home(&chain.home).unwrap().is_consistent());

        file.write(&Record {
            height: 5,
            ..at_two
        })
        .unwrap();
        let divergence = verify_home(&chain.home).unwrap().divergence.unwrap();
        assert_eq!(divergence.place, Place::Database);
        assert!(
            divergence.what.starts_with("the committed tip"),
            "{divergence}"
        );
        assert!(
            divergence
                .found
                .contains("up to height 2: committed blocks are missing"),
            "{divergence}"
        );
        // A network node re-syncing is below its record on purpose.
        file.write(&Record {
            height: 5,
            resyncing: true,
            ..at_two
        })
        .unwrap();
        assert!(verify_home(&chain.home).unwrap().is_consistent());

        file.write(&Record {
            block_hash: Hash([9; 32]),
            ..at_two
        })
        .unwrap();
        let divergence = verify_home(&chain.home).unwrap().divergence.unwrap();
        assert_eq!(divergence.place, Place::Height(2));
        assert!(
            divergence.what.starts_with("the block hash"),
            "{divergence}"
        );

        std::fs::write(file.path(), "garbled").unwrap();
        let divergence = verify_home(&chain.home).unwrap().divergence.unwrap();
        assert!(
            divergence.what.starts_with("the committed tip"),
            "{divergence}"
        );
    }

    #[test]
    fn differences_are_described_at_the_first_differing_byte() {
        let expected = describe_difference(b"abcd", b"abXd", Side::Expected);
        let found = describe_difference(b"abcd", b"abXd", Side::Found);
        assert!(
            expected.starts_with("4 bytes with 0x63 at offset 2"),
            "{expected}"
        );
        assert!(
            found.starts_with("4 bytes with 0x58 at offset 2"),
            "{found}"
        );
        assert!(describe_difference(b"ab", b"abc", Side::Expected).starts_with("2 bytes (BLAKE3"));
        assert_eq!(
            describe_key(
                &[b"s:".as_slice(), &[7; 32], b"officer/\x01"].concat(),
                "state value"
            ),
            "state value `officer/\\x01`"
        );
        assert_eq!(
            record_place(&[b"r:".as_slice(), &7u64.to_be_bytes()].concat()),
            Place::Height(7)
        );
    }
}
