//! `xianjie-node backup` and `restore`: one file that holds a node's home at
//! a committed height, taken while the node runs or when it is stopped.
//!
//! A running node holds sled's lock on `data/`, and sled 0.34 can neither
//! open a locked store nor export one it has not opened, so the store is not
//! copied: the backup carries the committed blocks `1..=H` with their commit
//! certificates (read from the running node through `GET /v1/admin/chain`,
//! or from the store of a stopped node), and `restore` rebuilds the store by
//! replaying them from the genesis under the block rule, exactly as the node
//! built it. Committed blocks never change, so blocks read while the node
//! goes on committing are one consistent chain up to `H`, and the state,
//! results and indexes at `H` follow from them. Beside the chain it carries
//! the home's files as they are (genesis, config, keys with their modes) and,
//! unless left out, the vault's evidence files.
//!
//! The file: `XJBACKUP`, the format version (u32 BE), the height (u64 BE),
//! then records (a tag byte: 1 a file, 2 a block with its certificate, 0
//! the end), then the BLAKE3 digest of every byte before it. `restore`
//! checks the digest before it writes anything.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _};
use xianjie_contracts::block::{self, Mode, Parent};
use xianjie_ledger::block::{Block, Commit};
use xianjie_ledger::genesis::Genesis;
use xianjie_store::Store;

use xianjie_node::chain::{init_store, read_tip, read_validator_set};
use xianjie_node::chain_export::{
    admin_token, read_frame, write_frame, ADMIN_TOKEN_HEADER, MAX_BLOCKS_PER_REQUEST,
};
use xianjie_node::committed_tip::{Record, TipFile};
use xianjie_node::execution::{block_refusal, StoreState};
use xianjie_node::home::NodeHome;

const MAGIC: &[u8; 8] = b"XJBACKUP";
const FORMAT_VERSION: u32 = 1;
const TAG_END: u8 = 0;
const TAG_FILE: u8 = 1;
const TAG_BLOCK: u8 = 2;
const DIGEST_BYTES: u64 = 32;

/// sled's page cache while a restore rebuilds the store: memory stays
/// bounded however long the chain.
pub const TOOL_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// What a finished backup or restore reports.
pub struct Done {
    /// The committed height the backup holds.
    pub height: u64,
    /// Size of the backup file.
    pub bytes: u64,
    /// Files of the home carried besides the chain.
    pub files: u64,
    /// Time taken.
    pub took: Duration,
    /// A restored chain has one validator (a dev chain): if its node went
    /// past the backup's height, the blocks after it are lost and the
    /// restored node will commit different ones at those heights.
    pub sole_validator: bool,
}

/// Options of `backup`.
pub struct BackupOptions {
    /// The node's home.
    pub home: PathBuf,
    /// The file to write.
    pub out: PathBuf,
    /// Leave the vault's files out.
    pub without_vault: bool,
    /// The running node's API; by default `api.listen` of `config.toml`,
    /// or the dev node's default address.
    pub api: Option<SocketAddr>,
}

/// Writes a backup of `options.home` to `options.out`.
pub fn backup(options: &BackupOptions) -> anyhow::Result<Done> {
    let started = Instant::now();
    let home = &options.home;
    let genesis_path = home.join("genesis.json");
    ensure!(
        genesis_path.is_file(),
        "{} is not a node's home: it has no genesis.json",
        home.display()
    );
    ensure!(
        !options.out.exists(),
        "{} exists already; choose a new file",
        options.out.display()
    );
    let mut source = ChainSource::open(options)?;
    let height = source.tip()?;
    let partial = options.out.with_extension("partial");
    let file = File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut out = HashingWriter::new(BufWriter::new(file));
    let written = (|| -> anyhow::Result<u64> {
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT_VERSION.to_be_bytes())?;
        out.write_all(&height.to_be_bytes())?;
        let mut files = 0;
        for (path, relative) in home_files(home, options)? {
            write_file_record(&mut out, &path, &relative)?;
            files += 1;
        }
        let mut next = 1;
        while next <= height {
            let blocks = source.blocks(next, height)?;
            ensure!(
                !blocks.is_empty(),
                "the node returned no block at height {next}"
            );
            for (block, commit) in blocks {
                ensure!(
                    block.header.height == next,
                    "the node returned height {} where {next} was asked",
                    block.header.height
                );
                out.write_all(&[TAG_BLOCK])?;
                write_frame(&mut out, &block, &commit)?;
                next += 1;
            }
        }
        out.write_all(&[TAG_END])?;
        Ok(files)
    })();
    let files = match written {
        Ok(files) => files,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    let digest = out.hasher.finalize();
    let mut inner = out.inner;
    inner.write_all(digest.as_bytes())?;
    let file = inner.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
        .with_context(|| format!("syncing {}", partial.display()))?;
    std::fs::rename(&partial, &options.out)
        .with_context(|| format!("renaming {}", partial.display()))?;
    let bytes = std::fs::metadata(&options.out)?.len();
    Ok(Done {
        height,
        bytes,
        files,
        took: started.elapsed(),
        sole_validator: false,
    })
}

/// Where the committed blocks come from.
enum ChainSource {
    /// A stopped node's store, opened directly.
    Store(Store),
    /// A running node, through its API.
    Api { base: String, token: String },
}

impl ChainSource {
    fn open(options: &BackupOptions) -> anyhow::Result<ChainSource> {
        let data_dir = options.home.join("data");
        ensure!(
            data_dir.join("db").is_file(),
            "there is no store in {}; has a node ever run in this home?",
            data_dir.display()
        );
        if !store_in_use(&data_dir)? {
            tracing::info!("the node is stopped: reading its store");
            let store = Store::open_with_cache(&data_dir, TOOL_CACHE_BYTES)
                .with_context(|| format!("opening the store in {}", data_dir.display()))?;
            return Ok(ChainSource::Store(store));
        }
        let api = match options.api {
            Some(api) => api,
            None => default_api(&options.home)?,
        };
        tracing::info!(%api, "the node is running: reading committed blocks through its API");
        Ok(ChainSource::Api {
            base: format!("http://{api}"),
            token: admin_token(&options.home)?,
        })
    }

    /// The height the backup is taken at: the tip as the source sees it now.
    fn tip(&mut self) -> anyhow::Result<u64> {
        match self {
            ChainSource::Store(store) => Ok(store.tip()?.unwrap_or(0)),
            ChainSource::Api { base, .. } => {
                let status: serde_json::Value = ureq::get(format!("{base}/v1/status"))
                    .call()
                    .with_context(|| format!("asking the running node at {base} for its status"))?
                    .body_mut()
                    .read_json()?;
                status["height"]
                    .as_u64()
                    .context("the node's status has no height")
            }
        }
    }

    /// Blocks from `from` on, at most up to `to`.
    fn blocks(&mut self, from: u64, to: u64) -> anyhow::Result<Vec<(Block, Commit)>> {
        let to = to.min(from + MAX_BLOCKS_PER_REQUEST - 1);
        match self {
            ChainSource::Store(store) => (from..=to)
                .map(|height| {
                    let block = store.block(height)?.context("a block is missing")?;
                    let commit = store.commit(height)?.context("a certificate is missing")?;
                    Ok((block, commit))
                })
                .collect(),
            ChainSource::Api { base, token } => {
                let url = format!("{base}/v1/admin/chain?from={from}&to={to}");
                let response = ureq::get(&url)
                    .header(ADMIN_TOKEN_HEADER, token.as_str())
                    .call()
                    .with_context(|| {
                        format!("reading blocks {from}..={to} from the running node")
                    })?;
                let mut reader = response.into_body().into_reader();
                let mut blocks = Vec::new();
                while let Some(frame) = read_frame(&mut reader)? {
                    blocks.push(frame);
                }
                Ok(blocks)
            }
        }
    }
}

fn default_api(home: &Path) -> anyhow::Result<SocketAddr> {
    let layout = NodeHome::new(home);
    if layout.config_path().is_file() {
        return Ok(layout.read_config()?.api.listen);
    }
    Ok(xianjie_node::config::DEFAULT_DEV_HTTP_ADDR.parse()?)
}

/// Whether a process holds sled's lock on the store (`verify-db`'s probe).
fn store_in_use(data_dir: &Path) -> anyhow::Result<bool> {
    match crate::verify_db::ensure_not_locked(data_dir) {
        Ok(()) => Ok(false),
        Err(xianjie_node::error::Error::DatabaseLocked { .. }) => Ok(true),
        Err(error) => Err(error.into()),
    }
}

/// The home's files a backup carries, with their paths in the home: all but
/// the store (rebuilt from the chain), the consensus log of heights past the
/// backup's, the committed-tip record (written anew for the backup's height),
/// partial uploads and, if asked, the vault.
fn home_files(home: &Path, options: &BackupOptions) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut skip = vec![
        home.join("data"),
        home.join("wal"),
        TipFile::in_home(home).path().to_owned(),
        home.join("vault").join("tmp"),
    ];
    if options.without_vault {
        skip.push(home.join("vault"));
    }
    let out = std::path::absolute(&options.out)?;
    let mut found = Vec::new();
    collect(home, home, &skip, &out, &mut found)?;
    found.sort();
    Ok(found)
}

fn collect(
    home: &Path,
    dir: &Path,
    skip: &[PathBuf],
    out: &Path,
    found: &mut Vec<(PathBuf, String)>,
) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if skip.contains(&path) || std::path::absolute(&path)? == out {
            continue;
        }
        let kind = std::fs::symlink_metadata(&path)?.file_type();
        if kind.is_dir() {
            collect(home, &path, skip, out, found)?;
        } else if kind.is_file() && path.extension().is_none_or(|ext| ext != "partial") {
            let relative = path.strip_prefix(home)?;
            let relative = relative
                .to_str()
                .with_context(|| format!("{} is not UTF-8", path.display()))?
                .to_owned();
            found.push((path, relative));
        } else if !kind.is_file() {
            tracing::warn!(path = %path.display(), "skipping an entry that is not a file");
        }
    }
    Ok(())
}

#[cfg(unix)]
fn mode_of(metadata: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    metadata.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> u32 {
    0o600
}

fn write_file_record(out: &mut impl Write, path: &Path, relative: &str) -> anyhow::Result<()> {
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let metadata = file.metadata()?;
    let len = metadata.len();
    let name_len = u16::try_from(relative.len()).context("a path too long")?;
    out.write_all(&[TAG_FILE])?;
    out.write_all(&name_len.to_be_bytes())?;
    out.write_all(relative.as_bytes())?;
    out.write_all(&mode_of(&metadata).to_be_bytes())?;
    out.write_all(&len.to_be_bytes())?;
    let copied = io::copy(&mut file.take(len), out)?;
    ensure!(copied == len, "{} shrank while it was read", path.display());
    Ok(())
}

/// Forwards writes and hashes them.
struct HashingWriter<W> {
    inner: W,
    hasher: blake3::Hasher,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: blake3::Hasher::new(),
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the home `home` from the backup `file`, rebuilding its store by
/// replaying the backup's chain. Nothing is written unless the file's digest
/// matches; a home left half-written by a later failure is removed.
pub fn restore(file: &Path, home: &Path) -> anyhow::Result<Done> {
    let started = Instant::now();
    ensure_empty(home)?;
    let height = check_digest(file)?;
    let existed = home.exists();
    let restored = write_home(file, home);
    if restored.is_err() {
        remove_written(home, existed);
    }
    let (files, sole_validator) = restored?;
    Ok(Done {
        height,
        bytes: std::fs::metadata(file)?.len(),
        files,
        took: started.elapsed(),
        sole_validator,
    })
}

fn ensure_empty(home: &Path) -> anyhow::Result<()> {
    if !home.exists() {
        return Ok(());
    }
    let mut entries =
        std::fs::read_dir(home).with_context(|| format!("reading {}", home.display()))?;
    if entries.next().is_some() {
        bail!(
            "{} is not empty; restore writes a new home and never overwrites one",
            home.display()
        );
    }
    Ok(())
}

fn remove_written(home: &Path, existed: bool) {
    if !existed {
        let _ = std::fs::remove_dir_all(home);
        return;
    }
    if let Ok(entries) = std::fs::read_dir(home) {
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// Checks the header and the digest of the whole file; returns its height.
fn check_digest(path: &Path) -> anyhow::Result<u64> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let len = file.metadata()?.len();
    let mut reader = BufReader::new(file);
    let height = read_header(&mut reader, path)?;
    ensure!(
        len >= 21 + DIGEST_BYTES,
        "{} is damaged: it is too short to hold a backup",
        path.display()
    );
    let mut hasher = blake3::Hasher::new();
    hasher.update(MAGIC);
    hasher.update(&FORMAT_VERSION.to_be_bytes());
    hasher.update(&height.to_be_bytes());
    let body = len - DIGEST_BYTES - 20;
    let hashed = io::copy(&mut (&mut reader).take(body), &mut HashUpdate(&mut hasher))?;
    ensure!(
        hashed == body,
        "{} is damaged: it is shorter than its size",
        path.display()
    );
    let mut carried = [0u8; 32];
    reader.read_exact(&mut carried)?;
    let computed = hasher.finalize();
    if computed != blake3::Hash::from_bytes(carried) {
        bail!(
            "{} is damaged: its content hashes to {computed}, but the backup's digest is {}; nothing was restored",
            path.display(),
            blake3::Hash::from_bytes(carried)
        );
    }
    Ok(height)
}

struct HashUpdate<'a>(&'a mut blake3::Hasher);

impl Write for HashUpdate<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn read_header(reader: &mut impl Read, path: &Path) -> anyhow::Result<u64> {
    let mut magic = [0u8; 8];
    let mut version = [0u8; 4];
    let mut height = [0u8; 8];
    let read = reader
        .read_exact(&mut magic)
        .and_then(|()| reader.read_exact(&mut version))
        .and_then(|()| reader.read_exact(&mut height));
    ensure!(
        read.is_ok() && &magic == MAGIC,
        "{} is not a xianjie-node backup",
        path.display()
    );
    let version = u32::from_be_bytes(version);
    ensure!(
        version == FORMAT_VERSION,
        "{} is a backup of format {version}; this build reads format {FORMAT_VERSION}",
        path.display()
    );
    Ok(u64::from_be_bytes(height))
}

/// Writes the files, then replays the chain into a new store.
fn write_home(path: &Path, home: &Path) -> anyhow::Result<(u64, bool)> {
    let mut reader = BufReader::new(File::open(path)?);
    let height = read_header(&mut reader, path)?;
    std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    let mut files = 0;
    let mut replay: Option<Replay> = None;
    loop {
        let mut tag = [0u8; 1];
        reader.read_exact(&mut tag)?;
        match tag[0] {
            TAG_FILE => {
                ensure!(replay.is_none(), "a file after the chain began");
                restore_file(&mut reader, home)?;
                files += 1;
            }
            TAG_BLOCK => {
                let (block, commit) =
                    read_frame(&mut reader)?.context("a block record without a block")?;
                let replay = match &mut replay {
                    Some(replay) => replay,
                    None => replay.insert(Replay::start(home)?),
                };
                replay.apply(block, commit)?;
            }
            TAG_END => break,
            other => bail!("an unknown record {other} in the backup"),
        }
    }
    let replay = match replay {
        Some(replay) => replay,
        None => Replay::start(home)?,
    };
    ensure!(
        replay.parent.height == height,
        "the backup holds blocks up to height {}, its header says {height}",
        replay.parent.height
    );
    let sole_validator = read_validator_set(&replay.store)?.validators.len() == 1;
    replay.finish(home)?;
    let loosened = xianjie_node::file_modes::secure_home(home)?;
    xianjie_node::file_modes::warn_loosened(&loosened);
    Ok((files, sole_validator))
}

fn restore_file(reader: &mut impl Read, home: &Path) -> anyhow::Result<()> {
    let mut name_len = [0u8; 2];
    reader.read_exact(&mut name_len)?;
    let mut name = vec![0u8; usize::from(u16::from_be_bytes(name_len))];
    reader.read_exact(&mut name)?;
    let name = String::from_utf8(name).context("a file name that is not UTF-8")?;
    let relative = Path::new(&name);
    ensure!(
        relative
            .components()
            .all(|part| matches!(part, Component::Normal(_))),
        "a file outside the home: {name}"
    );
    let mut mode = [0u8; 4];
    let mut len = [0u8; 8];
    reader.read_exact(&mut mode)?;
    reader.read_exact(&mut len)?;
    let target = home.join(relative);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut out =
        File::create(&target).with_context(|| format!("creating {}", target.display()))?;
    let len = u64::from_be_bytes(len);
    let copied = io::copy(&mut reader.take(len), &mut out)?;
    ensure!(copied == len, "the backup ends inside {name}");
    out.sync_all()?;
    set_mode(&target, u32::from_be_bytes(mode))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o777))
        .with_context(|| format!("setting the mode of {}", path.display()))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> anyhow::Result<()> {
    Ok(())
}

/// The restored store, with the chain replayed so far.
struct Replay {
    store: Store,
    genesis_hash: xianjie_ledger::Hash,
    policies: std::sync::Arc<xianjie_contracts::policy::PolicyEngine>,
    parent: Parent,
}

impl Replay {
    /// Opens the new home's store and applies its genesis.
    fn start(home: &Path) -> anyhow::Result<Replay> {
        let genesis_path = home.join("genesis.json");
        let text =
            std::fs::read_to_string(&genesis_path).context("the backup holds no genesis.json")?;
        let genesis = Genesis::from_json(&text)?;
        let data_dir = home.join("data");
        let store = Store::open_with_cache(&data_dir, TOOL_CACHE_BYTES)?;
        init_store(&store, &genesis, &data_dir)?;
        let tip = read_tip(&store, genesis.hash(), genesis.genesis_time_ms)?;
        Ok(Replay {
            store,
            genesis_hash: genesis.hash(),
            policies: xianjie_node::execution::policy_engine()?,
            parent: Parent {
                chain_id: genesis.chain_id.clone(),
                height: tip.height,
                block_hash: tip.block_hash,
                time_ms: tip.time_ms,
                history_root: tip.history_root,
            },
        })
    }

    /// Checks `block` and its certificate as `verify-db` does and commits it.
    fn apply(&mut self, block: Block, commit: Commit) -> anyhow::Result<()> {
        let height = block.header.height;
        let validators = read_validator_set(&self.store)?;
        commit
            .verify(&block.header, &validators)
            .map_err(|error| anyhow::anyhow!("height {height}: commit certificate: {error}"))?;
        let seen = crate::verify_db::Replayed(&self.store);
        let executed = block::check(
            &StoreState(&self.store),
            &self.parent,
            &validators,
            &self.policies,
            block,
            Mode::Decided,
            &seen,
        )
        .map_err(|refusal| match block_refusal(refusal) {
            Ok(refusal) => anyhow::anyhow!("height {height}: the block rule refuses it: {refusal}"),
            Err(error) => anyhow::anyhow!("height {height}: {error}"),
        })?;
        self.store.commit_block(
            &executed.block,
            &executed.results,
            &commit,
            &executed.update,
        )?;
        self.parent = Parent {
            chain_id: self.parent.chain_id.clone(),
            height,
            block_hash: executed.block.header.hash(),
            time_ms: executed.block.header.time_ms,
            history_root: self.store.history_root(height)?,
        };
        Ok(())
    }

    /// Records the restored tip beside the store, as the node does.
    fn finish(self, home: &Path) -> anyhow::Result<()> {
        self.store.flush()?;
        TipFile::in_home(home).write(&Record {
            genesis_hash: self.genesis_hash,
            height: self.parent.height,
            block_hash: self.parent.block_hash,
            resyncing: false,
        })?;
        let data_dir = home.join("data");
        drop(self.store);
        crate::verify_db::wait_until_released(&data_dir);
        Ok(())
    }
}
