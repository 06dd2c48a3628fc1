//! `HOME/committed-tip`: the height and hash of the last committed block,
//! kept outside the sled store, so that a store that lost or changed
//! committed blocks (a truncated or damaged `data/db`, an old backup put
//! back) stops the node at start instead of silently rolling the chain back
//! below blocks whose receipts were already handed out.
//!
//! The file is written on every commit after the store has flushed the
//! block and before anything learns of it (API waiters, the consensus
//! engine): a new file is written and synced, renamed over the old one and
//! the directory synced, so a crash leaves the old record or the new one.
//! A store ahead of the record (a crash between the two writes) is fine and
//! the record catches up.
//!
//! It is text, so that an operator can read it, and ends with a BLAKE3
//! checksum of the lines before it, so that a garbled file is refused
//! rather than believed:
//!
//! ```text
//! xianjie-committed-tip 1
//! genesis <hex>
//! height 30
//! block <hex>
//! resyncing no
//! checksum <hex>
//! ```
//!
//! `resyncing yes` marks a network node whose store was moved aside and
//! that is fetching the chain again from its peers: until its store holds
//! the recorded height (with the recorded hash) the record stays as it was
//! and the node does not vote (see [`open_store`]).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use xianjie_ledger::codec;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::state::keys;
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;
use xianjie_store::Store;

use crate::chain::{init_store, read_tip, Tip};
use crate::error::{Error, Result};

/// The file's name in a node's home (next to `data/`, not in it: moving
/// `data/` aside keeps it).
pub const FILE_NAME: &str = "committed-tip";

/// The format this code writes and reads.
pub const VERSION: u32 = 1;

const MAGIC: &str = "xianjie-committed-tip";

/// What the file records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// The chain's genesis hash.
    pub genesis_hash: Hash,
    /// The last committed height (0: only the genesis).
    pub height: u64,
    /// The hash of the block at that height (the genesis hash at 0).
    pub block_hash: Hash,
    /// The store was moved aside and is being fetched again from peers.
    pub resyncing: bool,
}

impl Record {
    /// The file's text.
    pub fn encode(&self) -> String {
        let body = format!(
            "{MAGIC} {VERSION}\ngenesis {}\nheight {}\nblock {}\nresyncing {}\n",
            self.genesis_hash.to_hex(),
            self.height,
            self.block_hash.to_hex(),
            if self.resyncing { "yes" } else { "no" },
        );
        let checksum = blake3::hash(body.as_bytes()).to_hex();
        format!("{body}checksum {checksum}\n")
    }

    /// Parses the file's text; the reason names what is wrong.
    pub fn decode(text: &str) -> std::result::Result<Record, String> {
        let body_end = text
            .rfind("checksum ")
            .ok_or("it has no checksum line (truncated?)")?;
        let (body, checksum_line) = text.split_at(body_end);
        let stated = checksum_line
            .strip_prefix("checksum ")
            .and_then(|rest| rest.strip_suffix('\n'))
            .ok_or("its checksum line is malformed")?;
        let actual = blake3::hash(body.as_bytes()).to_hex();
        if stated != actual.as_str() {
            return Err(format!(
                "its checksum does not match its content (states {stated}, content hashes to {actual})"
            ));
        }
        let mut lines = body.lines();
        let version = field(&mut lines, MAGIC)?;
        if version.parse::<u32>() != Ok(VERSION) {
            return Err(format!(
                "it is format version {version}; this node reads version {VERSION}"
            ));
        }
        let genesis_hash = hash_field(&mut lines, "genesis")?;
        let height = field(&mut lines, "height")?
            .parse()
            .map_err(|error| format!("height: {error}"))?;
        let block_hash = hash_field(&mut lines, "block")?;
        let resyncing = match field(&mut lines, "resyncing")? {
            "yes" => true,
            "no" => false,
            other => return Err(format!("resyncing: expected yes or no, found {other:?}")),
        };
        if let Some(extra) = lines.next() {
            return Err(format!("unexpected line {extra:?}"));
        }
        Ok(Record {
            genesis_hash,
            height,
            block_hash,
            resyncing,
        })
    }
}

fn field<'a>(lines: &mut std::str::Lines<'a>, name: &str) -> std::result::Result<&'a str, String> {
    lines
        .next()
        .and_then(|line| line.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| format!("expected a `{name}` line"))
}

fn hash_field(lines: &mut std::str::Lines<'_>, name: &str) -> std::result::Result<Hash, String> {
    let text = field(lines, name)?;
    Hash::from_hex(text).map_err(|error| format!("{name}: {error}"))
}

/// The file in one home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipFile {
    path: PathBuf,
}

impl TipFile {
    /// `home`/committed-tip.
    pub fn in_home(home: &Path) -> TipFile {
        TipFile {
            path: home.join(FILE_NAME),
        }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The record, or `None` when there is no file (a new home, or one
    /// written by a release that did not keep it).
    pub fn read(&self) -> Result<Option<Record>> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(Error::io("reading", &self.path)(error)),
        };
        let text = String::from_utf8(bytes).map_err(|_| self.unreadable("it is not text"))?;
        Record::decode(&text)
            .map(Some)
            .map_err(|reason| self.unreadable(&reason))
    }

    fn unreadable(&self, reason: &str) -> Error {
        Error::CommittedTipFile {
            path: self.path.clone(),
            reason: reason.to_owned(),
        }
    }

    /// Replaces the record durably: a synced new file renamed over the old
    /// one, then the directory synced so that the rename survives a crash.
    pub fn write(&self, record: &Record) -> Result<()> {
        let partial = self.path.with_extension("partial");
        let mut file = fs::File::create(&partial).map_err(Error::io("creating", &partial))?;
        file.write_all(record.encode().as_bytes())
            .map_err(Error::io("writing", &partial))?;
        file.sync_all().map_err(Error::io("syncing", &partial))?;
        fs::rename(&partial, &self.path).map_err(Error::io("renaming", &partial))?;
        sync_dir(self.path.parent().unwrap_or(Path::new(".")))
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(Error::io("syncing", dir))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<()> {
    // Directories cannot be opened for syncing there; the rename is as
    // durable as the platform makes it.
    Ok(())
}

/// Keeps the record in step with the commits of a running node.
#[derive(Debug)]
pub struct Recorder {
    file: TipFile,
    genesis_hash: Hash,
    /// While re-syncing: the record to reach before writing again.
    resync_target: Mutex<Option<Record>>,
}

impl Recorder {
    /// A recorder for `home`'s file, re-syncing towards `resync_target` if given.
    pub fn new(home: &Path, genesis_hash: Hash, resync_target: Option<Record>) -> Recorder {
        Recorder {
            file: TipFile::in_home(home),
            genesis_hash,
            resync_target: Mutex::new(resync_target),
        }
    }

    /// The file written.
    pub fn file(&self) -> &TipFile {
        &self.file
    }

    /// The recorded height a re-syncing node must get past before it may
    /// vote again.
    pub fn resyncing_below(&self) -> Option<u64> {
        self.target().map(|record| record.height)
    }

    fn target(&self) -> Option<Record> {
        *self
            .resync_target
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that the store has committed (and flushed) `block_hash` at
    /// `height`. Call it before anything acknowledges the block. While
    /// re-syncing, heights up to the recorded one leave the file alone (at
    /// the recorded height the block must be the one recorded); the first
    /// height past it ends the re-sync.
    pub fn committed(&self, height: u64, block_hash: Hash) -> Result<()> {
        if let Some(target) = self.target() {
            if height < target.height {
                return Ok(());
            }
            if height == target.height {
                if block_hash != target.block_hash {
                    return Err(Error::ResyncDiverged {
                        height,
                        recorded: target.block_hash,
                        synced: block_hash,
                        file: self.file.path.clone(),
                    });
                }
                // The node may have voted in the height after the recorded
                // one before its store was lost: it is past only after that.
                return Ok(());
            }
            tracing::warn!(
                height,
                "re-synced past the recorded height; restart the node to vote again"
            );
            *self
                .resync_target
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        }
        self.file.write(&Record {
            genesis_hash: self.genesis_hash,
            height,
            block_hash,
            resyncing: false,
        })
    }
}

/// Which kind of node opens the store: each recovers differently from a
/// store that is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// `xianjie-node dev`: the only copy of the chain is its own.
    Dev,
    /// `xianjie-node start`: peers hold the chain and can send it again.
    Network,
}

impl NodeKind {
    fn remedy(self, home: &Path, data_dir: &Path, record: &Record) -> String {
        let file = home.join(FILE_NAME);
        match self {
            NodeKind::Dev => format!(
                "Restore {} from a backup that reaches height {} (check it first with \
                 `xianjie-node verify-db --home {}`) and keep the damaged copy for inspection; \
                 leave {} in place.",
                data_dir.display(),
                record.height,
                home.display(),
                file.display()
            ),
            NodeKind::Network => format!(
                "Move {} aside (keep it for inspection) and start the node again: it fetches \
                 the chain again from its peers and does not vote until it has caught up past \
                 height {}. Leave {} in place: it is what keeps the node from voting twice.",
                data_dir.display(),
                record.height,
                file.display()
            ),
        }
    }
}

/// A store opened and checked against the home's record.
pub struct OpenedStore {
    /// The store.
    pub store: Store,
    /// Its tip, checked against its certificate and state tree.
    pub tip: Tip,
    /// Writes the record on each commit.
    pub recorder: Recorder,
}

/// Opens `home`'s store for a node of `kind`, applying the genesis to a new
/// store, and refuses a store that lost or changed committed blocks: one
/// whose tip is below the recorded height or whose block at that height has
/// another hash, one sled cannot open, and one whose tip's certificate or
/// state root does not hold. A network node whose store was moved aside
/// starts re-syncing (and must not vote: see [`Recorder::resyncing_below`]).
pub fn open_store(home: &Path, genesis: &Genesis, kind: NodeKind) -> Result<OpenedStore> {
    let opening = Opening {
        home,
        data_dir: home.join("data"),
        file: TipFile::in_home(home),
        genesis,
        kind,
    };
    let record = opening.file.read()?;
    let store_existed = opening.data_dir.join("db").is_file();
    if let Some(record) = record.as_ref().filter(|_| !store_existed) {
        check_same_chain(&opening.file, record, genesis)?;
    }
    if let Some(record) = record.filter(|record| record.height > 0 && !store_existed) {
        if kind == NodeKind::Dev {
            return Err(opening.damaged(
                &record,
                format!(
                    "there is no store, but {} records height {} (block {})",
                    opening.file.path().display(),
                    record.height,
                    record.block_hash
                ),
            ));
        }
    }
    let store = opening.open(record.as_ref())?;
    // A genesis.json that is not the store's own says so first: that is the
    // likelier mistake than a record from another chain.
    check_store_genesis(&store, genesis, &opening.data_dir)?;
    if let Some(record) = &record {
        check_same_chain(&opening.file, record, genesis)?;
    }
    let (tip, resync_target) = match record {
        None => (opening.first_record(&store)?, None),
        Some(record) => opening
            .check_against(&store, record, store_existed)
            .map_err(|damage| opening.damaged(&record, damage))??,
    };
    Ok(OpenedStore {
        store,
        tip,
        recorder: Recorder::new(home, genesis.hash(), resync_target),
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

fn check_store_genesis(store: &Store, genesis: &Genesis, data_dir: &Path) -> Result<()> {
    match store.genesis_hash()? {
        Some(stored) if stored != genesis.hash() => Err(Error::GenesisMismatch {
            data_dir: data_dir.to_owned(),
            stored,
            expected: genesis.hash(),
        }),
        _ => Ok(()),
    }
}

fn check_same_chain(file: &TipFile, record: &Record, genesis: &Genesis) -> Result<()> {
    if record.genesis_hash == genesis.hash() {
        return Ok(());
    }
    Err(Error::CommittedTipFile {
        path: file.path().to_owned(),
        reason: format!(
            "it belongs to the chain with genesis {}, but genesis.json hashes to {}",
            record.genesis_hash,
            genesis.hash()
        ),
    })
}

/// One start's view of the home.
struct Opening<'a> {
    home: &'a Path,
    data_dir: PathBuf,
    file: TipFile,
    genesis: &'a Genesis,
    kind: NodeKind,
}

/// A store's tip and, while re-syncing, the record to reach; `Err(damage)`
/// for a damaged store, `Ok(Err(..))` for any other failure.
type Compared = std::result::Result<Result<(Tip, Option<Record>)>, String>;

impl Opening<'_> {
    fn damaged(&self, record: &Record, damage: String) -> Error {
        Error::StoreDamaged {
            data_dir: self.data_dir.clone(),
            damage,
            remedy: self.kind.remedy(self.home, &self.data_dir, record),
        }
    }

    /// Opens sled. With a record, a store sled cannot open is damage.
    fn open(&self, record: Option<&Record>) -> Result<Store> {
        // sled may panic on damaged files rather than return an error.
        let data_dir = &self.data_dir;
        let opened =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Store::open(data_dir)));
        let damage = match opened {
            Ok(Ok(store)) => return Ok(store),
            Ok(Err(error)) if error.to_string().contains("could not acquire lock") => {
                return Err(Error::DatabaseLocked {
                    data_dir: self.data_dir.clone(),
                });
            }
            Ok(Err(error)) if record.is_none() => return Err(error.into()),
            Ok(Err(error)) => format!("sled cannot open it ({error})"),
            Err(panic) => format!("sled panicked opening it ({})", panic_message(&panic)),
        };
        Err(match record {
            Some(record) => self.damaged(
                record,
                format!(
                    "{damage}, and {} records height {} (block {})",
                    self.file.path().display(),
                    record.height,
                    record.block_hash
                ),
            ),
            None => Error::Task {
                task: "opening the store",
                reason: damage,
            },
        })
    }

    fn check_against(&self, store: &Store, record: Record, store_existed: bool) -> Compared {
        let stored_height = store
            .tip()
            .map_err(|error| format!("its tip is unreadable: {error}"))?
            .unwrap_or(0);
        let resync = self.kind == NodeKind::Network && (record.resyncing || !store_existed);
        if stored_height < record.height && !resync {
            return Err(format!(
                "its tip is height {stored_height}, but {} records height {} (block {}): \
                 committed blocks are missing",
                self.file.path().display(),
                record.height,
                record.block_hash
            ));
        }
        if let Err(error) = init_store(store, self.genesis, &self.data_dir) {
            return Ok(Err(error));
        }
        if stored_height >= record.height {
            let hash = store_block_hash(store, self.genesis, record.height)?;
            if hash != record.block_hash {
                return Err(format!(
                    "its block at height {} is {hash}, but {} records block {}",
                    record.height,
                    self.file.path().display(),
                    record.block_hash
                ));
            }
        }
        // Not past the recorded height yet: go on fetching without voting.
        if resync && stored_height <= record.height {
            if let Err(error) = self.mark_resyncing(record) {
                return Ok(Err(error));
            }
            return Ok(Ok((check_tip(store, self.genesis)?, Some(record))));
        }
        let tip = check_tip(store, self.genesis)?;
        if tip.height != record.height || record.resyncing {
            tracing::info!(
                recorded = record.height,
                height = tip.height,
                file = %self.file.path().display(),
                "the store is ahead of the committed-tip record (a stop between the two writes, \
                 or a finished re-sync); recording its tip"
            );
            if let Err(error) = self.file.write(&record_of(self.genesis, &tip)) {
                return Ok(Err(error));
            }
        }
        Ok(Ok((tip, None)))
    }

    /// A home without a record (new, or from a release that did not keep
    /// one): the store's tip is recorded.
    fn first_record(&self, store: &Store) -> Result<Tip> {
        init_store(store, self.genesis, &self.data_dir)?;
        let tip = check_tip(store, self.genesis).map_err(|damage| Error::StoreDamaged {
            data_dir: self.data_dir.clone(),
            damage,
            remedy: format!(
                "Restore {} from a backup and check it with `xianjie-node verify-db --home {}`.",
                self.data_dir.display(),
                self.home.display()
            ),
        })?;
        if tip.height > 0 {
            tracing::info!(
                height = tip.height,
                file = %self.file.path().display(),
                "no committed-tip record in this home (written by an earlier release); \
                 recording the store's tip"
            );
        }
        self.file.write(&record_of(self.genesis, &tip))?;
        Ok(tip)
    }

    fn mark_resyncing(&self, record: Record) -> Result<()> {
        tracing::warn!(
            recorded = record.height,
            file = %self.file.path().display(),
            "the store is below the recorded height: fetching the chain again from peers; \
             this node does not vote until it has caught up and is restarted"
        );
        if record.resyncing {
            return Ok(());
        }
        self.file.write(&Record {
            resyncing: true,
            ..record
        })
    }
}

fn record_of(genesis: &Genesis, tip: &Tip) -> Record {
    Record {
        genesis_hash: genesis.hash(),
        height: tip.height,
        block_hash: tip.block_hash,
        resyncing: false,
    }
}

/// The hash of the store's block at `height` (the genesis hash at 0).
fn store_block_hash(
    store: &Store,
    genesis: &Genesis,
    height: u64,
) -> std::result::Result<Hash, String> {
    if height == 0 {
        return Ok(genesis.hash());
    }
    match store.header(height) {
        Ok(Some(header)) => Ok(header.hash()),
        Ok(None) => Err(format!("it has no header at height {height}")),
        Err(error) => Err(format!(
            "its header at height {height} is unreadable: {error}"
        )),
    }
}

/// Checks the tip: its header against its commit certificate (by the
/// validator set in force before it) and its state root against the state
/// tree. The whole chain is `verify-db`'s to check.
pub fn check_tip(store: &Store, genesis: &Genesis) -> std::result::Result<Tip, String> {
    let tip = read_tip(store, genesis.hash(), genesis.genesis_time_ms)
        .map_err(|error| format!("its tip is unreadable: {error}"))?;
    let height = tip.height;
    let tree_root = store
        .state_root_at(height)
        .map_err(|error| format!("its state tree at height {height} is unreadable: {error}"))?;
    if tree_root != Some(tip.state_root) {
        return Err(format!(
            "its state tree at height {height} has root {}, but the tip records state root {}",
            tree_root.map_or_else(|| "nothing".to_owned(), |root| root.to_string()),
            tip.state_root
        ));
    }
    if height == 0 {
        return Ok(tip);
    }
    let header = store
        .header(height)
        .ok()
        .flatten()
        .ok_or_else(|| format!("the header of its tip (height {height}) is unreadable"))?;
    let commit =
        store.commit(height).ok().flatten().ok_or_else(|| {
            format!("the commit certificate of its tip (height {height}) is missing")
        })?;
    let validators = validators_before(store, height)?;
    if header.validators_hash != validators.hash() {
        return Err(format!(
            "its tip (height {height}) names validator set {}, but the set in force is {}",
            header.validators_hash,
            validators.hash()
        ));
    }
    commit.verify(&header, &validators).map_err(|error| {
        format!("the commit certificate of its tip (height {height}) does not hold: {error}")
    })?;
    Ok(tip)
}

/// The validator set in force for the block at `height`: the state's after
/// the block before.
fn validators_before(store: &Store, height: u64) -> std::result::Result<ValidatorSet, String> {
    let bytes = store
        .state_value_at(keys::VALIDATORS, height - 1)
        .map_err(|error| {
            format!(
                "the validator set at height {} is unreadable: {error}",
                height - 1
            )
        })?
        .ok_or_else(|| format!("the state at height {} has no validator set", height - 1))?;
    codec::decode(&bytes).map_err(|error| {
        format!(
            "the validator set at height {} does not decode: {error}",
            height - 1
        )
    })
}

#[cfg(test)]
mod tests {
    use xianjie_ledger::block::{Commit, CommitSignature};
    use xianjie_ledger::crypto::{vote_digest, SecretKey, VoteKind};

    use super::*;
    use crate::chain::Chain;
    use crate::dev::{test_anchor, DevHome};
    use crate::execution::{build_block, ChainInfo, Executed};
    use crate::mempool::Mempool;

    const START_MS: u64 = 1_800_000_000_000;

    fn record(height: u64) -> Record {
        Record {
            genesis_hash: Hash([1; 32]),
            height,
            block_hash: Hash([2; 32]),
            resyncing: false,
        }
    }

    #[test]
    fn a_record_round_trips_through_text_and_file() {
        for record in [
            record(0),
            record(30),
            Record {
                resyncing: true,
                ..record(u64::MAX)
            },
        ] {
            assert_eq!(Record::decode(&record.encode()), Ok(record));
        }
        let dir = tempfile::tempdir().unwrap();
        let file = TipFile::in_home(dir.path());
        assert_eq!(file.read().unwrap(), None);
        file.write(&record(7)).unwrap();
        assert_eq!(file.read().unwrap(), Some(record(7)));
        file.write(&record(8)).unwrap();
        assert_eq!(file.read().unwrap(), Some(record(8)));
        // Only the file itself is left: the partial one was renamed over it.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from(FILE_NAME)]);
    }

    #[test]
    fn a_torn_or_garbled_file_is_refused_by_its_checksum() {
        let text = record(30).encode();
        for cut in 0..text.len() {
            assert!(
                Record::decode(&text[..cut]).is_err(),
                "a file cut at byte {cut} was accepted"
            );
        }
        let garbled = text.replace("height 30", "height 31");
        let reason = Record::decode(&garbled).unwrap_err();
        assert!(reason.contains("checksum does not match"), "{reason}");

        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(FILE_NAME), garbled).unwrap();
        let error = TipFile::in_home(dir.path()).read().unwrap_err();
        assert!(matches!(error, Error::CommittedTipFile { .. }), "{error}");
        assert!(error.to_string().contains("move the file aside"), "{error}");
    }

    #[test]
    fn another_format_version_is_refused_by_name() {
        let body = record(3)
            .encode()
            .replace(&format!("{MAGIC} {VERSION}\n"), &format!("{MAGIC} 2\n"));
        let body = &body[..body.rfind("checksum ").unwrap()];
        let text = format!(
            "{body}checksum {}\n",
            blake3::hash(body.as_bytes()).to_hex()
        );
        let reason = Record::decode(&text).unwrap_err();
        assert!(reason.contains("format version 2"), "{reason}");
    }

    /// A dev home whose node committed `blocks` blocks of one anchor each.
    struct DevChain {
        _dir: tempfile::TempDir,
        home: PathBuf,
        genesis: Genesis,
        validator_key: SecretKey,
    }

    fn dev_chain(blocks: u8) -> DevChain {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let setup = DevHome::new(&home).prepare().unwrap();
        let chain = DevChain {
            _dir: dir,
            home,
            genesis: setup.genesis,
            validator_key: setup.validator_key,
        };
        let opened = chain.open(NodeKind::Dev).unwrap();
        let dev = Chain::open(
            opened.store,
            &chain.genesis,
            chain.validator_key.clone(),
            crate::execution::policy_engine().unwrap(),
            &chain.data_dir(),
        )
        .unwrap()
        .with_recorder(opened.recorder);
        let mempool = Mempool::new(crate::config::MempoolLimits::default());
        for block in 0..blocks {
            let summary = dev
                .commit_next_block(
                    vec![chain.anchor(block)],
                    &mempool,
                    START_MS + u64::from(block),
                )
                .unwrap()
                .unwrap();
            // Recorded by the time the block is handed back for publishing.
            assert_eq!(chain.recorded().height, summary.tip.height);
            assert_eq!(chain.recorded().block_hash, summary.tip.block_hash);
        }
        drop(dev);
        chain.wait_until_closed();
        chain
    }

    impl DevChain {
        fn open(&self, kind: NodeKind) -> Result<OpenedStore> {
            let opened = open_store(&self.home, &self.genesis, kind);
            if opened.is_err() {
                self.wait_until_closed();
            }
            opened
        }

        fn anchor(&self, seed: u8) -> xianjie_ledger::tx::SignedTx {
            let dev = DevHome::new(&self.home);
            let officer = dev.officer_key("market", "officer").unwrap();
            let colleague = dev.officer_key("market", "officer2").unwrap();
            test_anchor(&officer, &colleague, seed + 1, "committed-tip tests")
        }

        fn data_dir(&self) -> PathBuf {
            self.home.join("data")
        }

        fn file(&self) -> TipFile {
            TipFile::in_home(&self.home)
        }

        fn recorded(&self) -> Record {
            self.file().read().unwrap().unwrap()
        }

        /// Opens, checks and closes the store; its tip.
        fn reopen(&self, kind: NodeKind) -> Result<Tip> {
            let opened = self.open(kind)?;
            let tip = opened.tip;
            drop(opened);
            self.wait_until_closed();
            Ok(tip)
        }

        /// sled lets go of its lock a moment after the last handle is dropped.
        fn wait_until_closed(&self) {
            let db = self.data_dir().join("db");
            for _ in 0..3_000 {
                let Ok(file) = fs::File::options().read(true).write(true).open(&db) else {
                    return;
                };
                if file.try_lock().is_ok() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            panic!("sled never released {}", db.display());
        }

        /// Commits a block built honestly and then changed by `tamper`,
        /// signed by `signer`, straight into the store (as damage would
        /// leave it), without recording it.
        fn commit_unrecorded(&self, signer: &SecretKey, tamper: impl FnOnce(&mut Executed)) {
            let store = Store::open(&self.data_dir()).unwrap();
            let info = ChainInfo {
                chain_id: self.genesis.chain_id.clone(),
                genesis_hash: self.genesis.hash(),
                genesis_time_ms: self.genesis.genesis_time_ms,
                policies: crate::execution::policy_engine().unwrap(),
            };
            let parent = info.tip(&store).unwrap();
            let mut executed = build_block(
                &store,
                &info,
                &parent,
                self.validator_key.public_key().id(),
                vec![self.anchor(100)],
                &crate::mempool::Mempool::new(crate::config::MempoolLimits::default()),
                parent.time_ms + 1_000,
            )
            .unwrap();
            tamper(&mut executed);
            let header = &executed.block.header;
            let block_hash = header.hash();
            let digest = vote_digest(
                &header.chain_id,
                header.height,
                0,
                VoteKind::Precommit,
                Some(&block_hash),
            );
            let commit = Commit {
                height: header.height,
                round: 0,
                block_hash,
                signatures: vec![CommitSignature {
                    validator: signer.public_key().id(),
                    signature: signer.sign(&digest.0),
                }],
            };
            store
                .commit_block(
                    &executed.block,
                    &executed.results,
                    &commit,
                    &executed.update,
                )
                .unwrap();
            drop(store);
            self.wait_until_closed();
        }
    }

    fn damage_of(error: Error) -> (String, String) {
        match error {
            Error::StoreDamaged { damage, remedy, .. } => (damage, remedy),
            other => panic!("expected StoreDamaged, got {other}"),
        }
    }

    #[test]
    fn a_new_home_records_its_genesis_and_each_commit_is_recorded() {
        let chain = dev_chain(3);
        let recorded = chain.recorded();
        assert_eq!(recorded.height, 3);
        assert_eq!(recorded.genesis_hash, chain.genesis.hash());
        assert!(!recorded.resyncing);
        assert_eq!(chain.reopen(NodeKind::Dev).unwrap().height, 3);

        let fresh = dev_chain(0);
        assert_eq!(fresh.recorded().height, 0);
        assert_eq!(fresh.recorded().block_hash, fresh.genesis.hash());
    }

    #[test]
    fn a_store_below_the_record_is_refused_by_both_kinds_of_node() {
        let chain = dev_chain(2);
        chain
            .file()
            .write(&Record {
                height: 5,
                block_hash: Hash([5; 32]),
                ..chain.recorded()
            })
            .unwrap();
        for kind in [NodeKind::Dev, NodeKind::Network] {
            let (damage, remedy) = damage_of(chain.reopen(kind).err().unwrap());
            assert!(damage.contains("its tip is height 2"), "{damage}");
            assert!(damage.contains("records height 5"), "{damage}");
            let expected = match kind {
                NodeKind::Dev => "from a backup",
                NodeKind::Network => "Move",
            };
            assert!(remedy.contains(expected), "{remedy}");
        }
        // The record that caught the damage is kept.
        assert_eq!(chain.recorded().height, 5);
    }

    #[test]
    fn another_block_at_the_recorded_height_is_refused() {
        let chain = dev_chain(2);
        let recorded = chain.recorded();
        chain
            .file()
            .write(&Record {
                block_hash: Hash([9; 32]),
                ..recorded
            })
            .unwrap();
        let (damage, _) = damage_of(chain.reopen(NodeKind::Dev).err().unwrap());
        assert!(
            damage.contains(&format!("its block at height 2 is {}", recorded.block_hash)),
            "{damage}"
        );
    }

    #[test]
    fn a_store_ahead_of_the_record_or_without_one_is_recorded() {
        let chain = dev_chain(2);
        let at_one = Record {
            height: 1,
            block_hash: Store::open(&chain.data_dir())
                .unwrap()
                .header(1)
                .unwrap()
                .unwrap()
                .hash(),
            ..chain.recorded()
        };
        let at_two = chain.recorded();
        chain.wait_until_closed();
        chain.file().write(&at_one).unwrap();
        assert_eq!(chain.reopen(NodeKind::Dev).unwrap().height, 2);
        assert_eq!(chain.recorded(), at_two);

        fs::remove_file(chain.file().path()).unwrap();
        assert_eq!(chain.reopen(NodeKind::Dev).unwrap().height, 2);
        assert_eq!(chain.recorded(), at_two);
    }

    #[test]
    fn a_missing_store_is_refused_by_a_dev_node_and_resynced_by_a_network_node() {
        let chain = dev_chain(2);
        let recorded = chain.recorded();
        fs::rename(chain.data_dir(), chain.home.join("data.damaged")).unwrap();
        let (damage, _) = damage_of(chain.reopen(NodeKind::Dev).err().unwrap());
        assert!(damage.contains("there is no store"), "{damage}");
        assert!(
            !chain.data_dir().exists(),
            "a refused start creates nothing"
        );

        let opened = chain.open(NodeKind::Network).unwrap();
        assert_eq!(opened.tip.height, 0);
        assert_eq!(opened.recorder.resyncing_below(), Some(2));
        assert_eq!(
            chain.recorded(),
            Record {
                resyncing: true,
                ..recorded
            }
        );
        // Heights below the record leave it alone; the recorded one must
        // be the recorded block; then recording goes on as usual.
        opened.recorder.committed(1, Hash([1; 32])).unwrap();
        assert!(chain.recorded().resyncing);
        let error = opened.recorder.committed(2, Hash([3; 32])).unwrap_err();
        assert!(
            matches!(error, Error::ResyncDiverged { height: 2, .. }),
            "{error}"
        );
        opened.recorder.committed(2, recorded.block_hash).unwrap();
        assert!(chain.recorded().resyncing);
        assert_eq!(opened.recorder.resyncing_below(), Some(2));
        opened.recorder.committed(3, Hash([4; 32])).unwrap();
        assert_eq!(
            chain.recorded(),
            Record {
                height: 3,
                block_hash: Hash([4; 32]),
                ..recorded
            }
        );
        assert_eq!(opened.recorder.resyncing_below(), None);
        drop(opened);
        chain.wait_until_closed();

        // A restart half-way through a re-sync goes on re-syncing.
        chain
            .file()
            .write(&Record {
                resyncing: true,
                ..recorded
            })
            .unwrap();
        let opened = chain.open(NodeKind::Network).unwrap();
        assert_eq!(opened.recorder.resyncing_below(), Some(2));
    }

    #[test]
    fn a_tip_whose_certificate_or_state_root_does_not_hold_is_refused() {
        let chain = dev_chain(1);
        let stranger = SecretKey::from_bytes(&[42; 32]);
        chain.commit_unrecorded(&stranger, |_| {});
        let (damage, _) = damage_of(chain.reopen(NodeKind::Dev).err().unwrap());
        assert!(
            damage.contains("commit certificate of its tip (height 2)"),
            "{damage}"
        );

        let chain = dev_chain(1);
        let key = chain.validator_key.clone();
        chain.commit_unrecorded(&key, |executed| {
            executed.block.header.state_root = Hash([9; 32]);
        });
        let (damage, _) = damage_of(chain.reopen(NodeKind::Dev).err().unwrap());
        assert!(damage.contains("state tree at height 2"), "{damage}");
    }

    #[test]
    fn a_record_of_another_chain_is_refused() {
        let chain = dev_chain(1);
        chain
            .file()
            .write(&Record {
                genesis_hash: Hash([7; 32]),
                ..chain.recorded()
            })
            .unwrap();
        let error = chain.reopen(NodeKind::Dev).err().unwrap();
        assert!(matches!(error, Error::CommittedTipFile { .. }), "{error}");
    }
}
