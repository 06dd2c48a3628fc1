//! The node's store: sled storage of blocks, transactions by hash, results,
//! commit certificates, the state (latest values, their history and the
//! versioned sparse Merkle tree), secondary indexes and undecided proposals;
//! and what is built by reading it: state proofs and evidence receipts
//! ([`receipt::build`]). The types it stores and the rules that check them
//! are the pure `xianjie_ledger` crate's; all of the ledger's I/O is here.
//!
//! Everything lives in one sled tree under per-kind key prefixes, so that a
//! block, its results, its certificate and all its state changes are written
//! by a single `apply_batch`: after a crash the last height is either whole or
//! absent. The schema version is checked when the store is opened.
//!
//! | prefix | key                       | value                         |
//! |--------|---------------------------|-------------------------------|
//! | `m:`   | name                      | metadata (schema, tip, genesis) |
//! | `h:`   | height (u64 BE)           | canonical `Header`            |
//! | `b:`   | height                    | canonical `Block`             |
//! | `r:`   | height                    | canonical `BlockResults`      |
//! | `c:`   | height                    | canonical `Commit`            |
//! | `t:`   | tx hash                   | height (u64 BE) ‖ index (u32 BE) |
//! | `s:`   | key hash ‖ state key      | version (BE) that wrote it ‖ latest value |
//! | `n:`   | version (BE) ‖ path prefix | the state tree nodes of that version under that prefix (see `node_groups`) |
//! | `v:`   | key hash ‖ version (BE)   | borsh `Option<value>`: a value superseded later, or a deletion |
//!
//! A key's value history is its `s:` record and its `v:` records: a write
//! moves the latest value into `v:` under the version that wrote it, and a
//! deletion also records `None` there. A key written once (most evidence)
//! costs one record, not two.
//! | `x:`   | index name ‖ entry        | empty (secondary indexes)     |
//! | `u:`   | height ‖ round (u32 BE) ‖ block hash | an undecided proposal, encoded by the node |
//! | `y:`   | level (u8) ‖ index (u64 BE) | a perfect subtree of the history tree over the headers (`history`) |
//! | `w:`   | witness key name          | that witness's newest cosigned checkpoint note (`witness`) |
//!
//! Undecided proposals (`u:`) are what a consensus engine has seen but not yet
//! decided: they are written (and flushed) before the engine is told about
//! them, so that a restarted node can still commit a block its write-ahead log
//! decides. [`Store::commit_decided_block`] drops those of the committed
//! height and below in the same batch that writes the block. The commit
//! certificate (`c:`) is the whole certificate: a consensus engine's own
//! certificate converts to it one to one, so nothing else is kept for sync.
//!
//! **Durable before visible.** Every write that counts (a block with its
//! certificate, the genesis, an undecided proposal) returns only once it is
//! on stable storage: sled's flush, then an `fdatasync` of sled's files
//! (`durable`). sled shows a batch to readers as soon as it is applied, so
//! until that sync has returned the store hides the new height: [`Store::tip`],
//! the block records, [`Store::tx_location`] and [`Store::state_value`]
//! answer as of the last durable height. Nothing read from the store can
//! call a block committed before a power cut could no longer undo it.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader, TreeUpdateBatch};
use jmt::{JellyfishMerkleTree, KeyHash, OwnedValue, Version};

use xianjie_ledger::block::{Block, BlockResults, Commit, Header, TxResult};
use xianjie_ledger::codec::{decode, encode, Canonical};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::params::Params;
use xianjie_ledger::state::{key_hash, keys, StateHasher, StateProof, StateView, WriteSet};

mod durable;
mod error;
mod history;
mod hot_values;
mod node_groups;
pub mod receipt;
mod witness;

pub use witness::CosignedCheckpoint;

pub use error::StorageError;

use hot_values::{HotValues, Lookup};

/// The schema version this build reads and writes.
/// 2: the chain parameters gained `uscc_allow_list` (and every category
/// needs a class, three categories more), so a chain of version 1 starts
/// afresh from a new genesis.
/// 3: state tree nodes are stored in groups (`n:`), not one record each;
/// latest values (`s:`) are keyed by key hash and key and carry their
/// version, and `v:` holds only the values they superseded.
/// 4: an evidence anchor carries its collectors' co-signatures, so the
/// transactions and records of an older chain no longer decode.
/// 5: a header commits the history tree of the headers before it
/// (`history_root`), kept under `y:`, so an older chain's headers no longer
/// decode.
pub const SCHEMA_VERSION: u32 = 5;

const META_SCHEMA: &[u8] = b"m:schema";
const META_TIP: &[u8] = b"m:tip";
const META_GENESIS_HASH: &[u8] = b"m:genesis_hash";
const META_GENESIS_ROOT: &[u8] = b"m:genesis_root";

/// The key prefixes of the records that follow entirely from the genesis
/// and the committed blocks (everything but `u:` and `x:`), with what they
/// hold: replaying the chain into an empty store rebuilds them byte for byte.
/// A new kind of record that a genesis or a block commit writes belongs here.
pub const DERIVED_PREFIXES: [(&[u8], &str); 10] = [
    (b"m:", "metadata"),
    (b"h:", "header"),
    (b"b:", "block"),
    (b"r:", "results"),
    (b"c:", "commit certificate"),
    (b"t:", "transaction index entry"),
    (b"s:", "state value"),
    (node_groups::PREFIX, "state tree node group"),
    (b"v:", "state tree value"),
    (history::PREFIX, "history tree node"),
];

/// Every key prefix of the store with what its records are: those derived
/// from the chain ([`DERIVED_PREFIXES`]) and those a node keeps besides it
/// (undecided proposals, secondary indexes, witnesses' notes). A new kind of
/// record belongs here.
pub const RECORD_KINDS: [(&[u8], &str); 13] = [
    (b"m:", "metadata"),
    (b"h:", "headers"),
    (b"b:", "blocks"),
    (b"r:", "block results"),
    (b"c:", "commit certificates"),
    (b"t:", "transaction locations"),
    (b"s:", "latest state values"),
    (node_groups::PREFIX, "state tree nodes"),
    (b"v:", "superseded state values"),
    (history::PREFIX, "history tree nodes"),
    (b"x:", "secondary indexes"),
    (b"u:", "undecided proposals"),
    (witness::PREFIX, "witnessed checkpoints"),
];

/// A computed but not yet committed state transition.
pub struct StateUpdate {
    /// The state root after the writes.
    pub root: Hash,
    writes: WriteSet,
    tree: TreeUpdateBatch,
    version: Version,
    new_keys: BTreeSet<Vec<u8>>,
}

impl StateUpdate {
    /// Tells the commit that `keys` hold no value in the state this update
    /// builds on (the executor read them and found nothing), so it need not
    /// look for values to keep as history. Debug builds look anyway and
    /// check.
    pub fn with_new_keys(mut self, keys: BTreeSet<Vec<u8>>) -> Self {
        self.new_keys = keys;
        self
    }
}

/// Where a committed transaction sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxLocation {
    /// Block height.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
}

/// The node's database.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    /// Latest values of the most read state keys, mirrored from `db`.
    hot: Arc<HotValues>,
    /// The chain parameters last decoded, with the bytes they came from.
    params: Arc<Mutex<Option<DecodedParams>>>,
    /// sled's files, synced after each flush (`None`: a temporary store).
    files: Option<Arc<durable::DataFiles>>,
    /// The highest height on stable storage; readers see no further.
    durable_height: Arc<AtomicU64>,
}

/// Parameters as decoded, with the bytes they were decoded from.
type DecodedParams = (Vec<u8>, Arc<Params>);

/// Shorthand for results of the store.
pub type StoreResult<T> = Result<T, StorageError>;

fn height_key(prefix: &[u8], height: u64) -> Vec<u8> {
    [prefix, &height.to_be_bytes()].concat()
}

/// `s:` ‖ key hash ‖ key: where a state key's latest value lives. The hash
/// comes first so that the state tree, which knows only key hashes, can
/// find it; the key follows so that every record names its key.
fn latest_value_key(hash: &KeyHash, key: &[u8]) -> Vec<u8> {
    [b"s:".as_slice(), &hash.0, key].concat()
}

/// `v:` ‖ key hash ‖ version (BE): a value a key held from `version` until
/// it was written again, or (`None`) its deletion at `version`.
fn superseded_value_key(hash: &KeyHash, version: Version) -> Vec<u8> {
    [b"v:".as_slice(), &hash.0, &version.to_be_bytes()].concat()
}

/// A latest-value record: the version that wrote it and the value.
fn split_latest<'a>(key: &[u8], record: &'a [u8]) -> StoreResult<(Version, &'a [u8])> {
    if record.len() < 8 {
        return Err(corrupt(key, "expected a version before the value"));
    }
    let (version, value) = record.split_at(8);
    Ok((be_u64(key, version)?, value))
}

fn borsh_value(value: Option<&[u8]>) -> StoreResult<Vec<u8>> {
    borsh::to_vec(&value.map(<[u8]>::to_vec)).map_err(|e| StorageError::Tree(e.to_string()))
}

pub(crate) fn corrupt(key: &[u8], reason: impl ToString) -> StorageError {
    StorageError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: reason.to_string(),
    }
}

fn be_u64(key: &[u8], bytes: &[u8]) -> StoreResult<u64> {
    let array: [u8; 8] = bytes
        .try_into()
        .map_err(|_| corrupt(key, "expected 8 bytes"))?;
    Ok(u64::from_be_bytes(array))
}

impl Store {
    /// Opens (or creates) a store, checking its schema version.
    pub fn open(path: &Path) -> StoreResult<Self> {
        Self::open_configured(path, sled::Config::new())
    }

    /// Opens (or creates) a store whose page cache holds at most
    /// `cache_bytes`, for tools that read or rebuild a whole chain
    /// (`verify-db`, `restore`): sled's default cache (1 GiB) would let
    /// their memory grow with the chain.
    pub fn open_with_cache(path: &Path, cache_bytes: u64) -> StoreResult<Self> {
        Self::open_configured(path, sled::Config::new().cache_capacity(cache_bytes))
    }

    fn open_configured(path: &Path, config: sled::Config) -> StoreResult<Self> {
        let db = config.path(path).open()?;
        let files = durable::DataFiles::open(path)?;
        Self::from_db(db, Some(Arc::new(files)))
    }

    /// A throwaway store in memory, for tests.
    pub fn temporary() -> StoreResult<Self> {
        Self::from_db(sled::Config::new().temporary(true).open()?, None)
    }

    fn from_db(db: sled::Db, files: Option<Arc<durable::DataFiles>>) -> StoreResult<Self> {
        match db.get(META_SCHEMA)? {
            Some(bytes) => {
                let array: [u8; 4] = bytes
                    .as_ref()
                    .try_into()
                    .map_err(|_| corrupt(META_SCHEMA, "expected 4 bytes"))?;
                let found = u32::from_be_bytes(array);
                if found != SCHEMA_VERSION {
                    return Err(StorageError::SchemaVersion {
                        found,
                        expected: SCHEMA_VERSION,
                    });
                }
            }
            None if db.is_empty() => {
                db.insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
            }
            None => return Err(corrupt(META_SCHEMA, "data present but no schema version")),
        }
        let store = Store {
            db,
            hot: Arc::default(),
            params: Arc::default(),
            files,
            durable_height: Arc::default(),
        };
        store.sync()?;
        // Everything sled recovered is on stable storage now.
        let tip = store.stored_tip()?.unwrap_or(0);
        store.durable_height.store(tip, Ordering::Release);
        Ok(store)
    }

    /// Flushes sled and puts what it wrote on stable storage.
    fn sync(&self) -> StoreResult<()> {
        self.db.flush()?;
        if let Some(files) = &self.files {
            files.sync()?;
        }
        Ok(())
    }

    /// The highest height readers may see: every record up to it is on
    /// stable storage.
    fn durable_height(&self) -> u64 {
        self.durable_height.load(Ordering::Acquire)
    }

    /// `None` for a height written but not yet durable.
    fn if_durable<T>(&self, height: u64, found: Option<T>) -> Option<T> {
        found.filter(|_| height <= self.durable_height())
    }

    fn get_decoded<T: Canonical>(&self, key: &[u8]) -> StoreResult<Option<T>> {
        match self.db.get(key)? {
            None => Ok(None),
            Some(bytes) => decode(&bytes).map(Some).map_err(|e| corrupt(key, e)),
        }
    }

    fn get_hash(&self, key: &[u8]) -> StoreResult<Option<Hash>> {
        self.db
            .get(key)?
            .map(|bytes| {
                let array: [u8; 32] = bytes
                    .as_ref()
                    .try_into()
                    .map_err(|_| corrupt(key, "expected 32 bytes"))?;
                Ok(Hash(array))
            })
            .transpose()
    }

    /// The genesis hash, once the genesis has been applied.
    pub fn genesis_hash(&self) -> StoreResult<Option<Hash>> {
        self.get_hash(META_GENESIS_HASH)
    }

    /// The state root at height 0.
    pub fn genesis_state_root(&self) -> StoreResult<Option<Hash>> {
        self.get_hash(META_GENESIS_ROOT)
    }

    /// Puts everything written so far on stable storage (blocks already are
    /// when their commit returns; this is for an orderly shutdown).
    pub fn flush(&self) -> StoreResult<()> {
        self.sync()
    }

    /// The last committed height (0 after genesis), or `None` on a fresh
    /// store. A height being committed counts once it is durable.
    pub fn tip(&self) -> StoreResult<Option<u64>> {
        Ok(self.stored_tip()?.map(|tip| tip.min(self.durable_height())))
    }

    fn stored_tip(&self) -> StoreResult<Option<u64>> {
        self.db
            .get(META_TIP)?
            .map(|bytes| be_u64(META_TIP, &bytes))
            .transpose()
    }

    /// Applies the genesis state as version 0 of the state tree.
    pub fn init_genesis(&self, genesis_hash: Hash, writes: WriteSet) -> StoreResult<Hash> {
        if self.tip()?.is_some() {
            return Err(StorageError::OutOfOrder {
                got: 0,
                tip: self.tip()?.unwrap_or(0),
            });
        }
        let update = self.compute_state_update(writes, 0)?;
        let mut batch = sled::Batch::default();
        self.stage_state(&mut batch, &update)?;
        batch.insert(META_GENESIS_HASH, &genesis_hash.0);
        batch.insert(META_GENESIS_ROOT, &update.root.0);
        batch.insert(META_TIP, &0u64.to_be_bytes());
        self.apply_state_batch(batch, &update)?;
        Ok(update.root)
    }

    /// Computes the state root after `writes` at `version` (a block height)
    /// without changing the store.
    pub fn compute_state_update(
        &self,
        mut writes: WriteSet,
        version: Version,
    ) -> StoreResult<StateUpdate> {
        writes.insert(keys::TIP.to_vec(), Some(version.to_be_bytes().to_vec()));
        let (root, batch) =
            if writes.values().all(Option::is_some) && self.extends_tree(version)? {
                self.put_values(&writes, version)
            } else {
                self.put_values_one_by_one(&writes, version)
            }
            .map_err(|e| StorageError::Tree(e.to_string()))?;
        Ok(StateUpdate {
            root: Hash(root.0),
            writes,
            tree: batch,
            version,
            new_keys: BTreeSet::new(),
        })
    }

    /// Whether `version` follows a stored version of the state tree (or starts
    /// it), as every block's does. The batch insertion needs it; computing an
    /// update over a gap (tests do) goes key by key.
    fn extends_tree(&self, version: Version) -> StoreResult<bool> {
        if version == 0 {
            return Ok(true);
        }
        let tree = JellyfishMerkleTree::<_, StateHasher>::new(self);
        let previous = tree
            .get_root_hash_option(version - 1)
            .map_err(|e| StorageError::Tree(e.to_string()))?;
        Ok(previous.is_some())
    }

    /// A write set without deletions, inserted into the state tree as one
    /// sorted batch: each new internal node is built and hashed once, where
    /// inserting key by key rebuilds and rehashes the whole path for every
    /// key. The tree, its root and its new nodes are the same either way (the
    /// state tree library's own tests compare the two), and
    /// `batch_and_one_by_one_agree` checks it for this store.
    fn put_values(
        &self,
        writes: &WriteSet,
        version: Version,
    ) -> anyhow::Result<(jmt::RootHash, TreeUpdateBatch)> {
        let tree = JellyfishMerkleTree::<_, StateHasher>::new(self);
        let value_set: Vec<(KeyHash, OwnedValue)> = writes
            .iter()
            .filter_map(|(key, value)| Some((key_hash(key), value.clone()?)))
            .collect();
        let (mut roots, batch) = tree.batch_put_value_sets(vec![value_set], None, version)?;
        let root = roots.pop().ok_or_else(|| anyhow::anyhow!("no root"))?;
        Ok((root, batch))
    }

    /// Any write set, deletions included (the batch insertion cannot delete).
    fn put_values_one_by_one(
        &self,
        writes: &WriteSet,
        version: Version,
    ) -> anyhow::Result<(jmt::RootHash, TreeUpdateBatch)> {
        let tree = JellyfishMerkleTree::<_, StateHasher>::new(self);
        let value_set: Vec<(KeyHash, Option<OwnedValue>)> = writes
            .iter()
            .map(|(key, value)| (key_hash(key), value.clone()))
            .collect();
        tree.put_value_set(value_set, version)
    }

    fn stage_state(&self, batch: &mut sled::Batch, update: &StateUpdate) -> StoreResult<()> {
        for (key, group) in node_groups::group(update.tree.node_batch.nodes())? {
            batch.insert(key, group);
        }
        for (key, value) in &update.writes {
            let hash = key_hash(key);
            let latest_key = latest_value_key(&hash, key);
            let new_key = update.new_keys.contains(key);
            debug_assert!(
                !new_key || self.db.get(&latest_key)?.is_none(),
                "a key said to be new has a value"
            );
            if new_key {
                // Nothing to keep as history.
            } else if let Some(old) = self.db.get(&latest_key)? {
                let (old_version, old_value) = split_latest(&latest_key, &old)?;
                batch.insert(
                    superseded_value_key(&hash, old_version),
                    borsh_value(Some(old_value))?,
                );
            }
            match value {
                Some(bytes) => {
                    let record = [update.version.to_be_bytes().as_slice(), bytes].concat();
                    batch.insert(latest_key, record);
                }
                None => {
                    batch.remove(latest_key);
                    batch.insert(
                        superseded_value_key(&hash, update.version),
                        borsh_value(None)?,
                    );
                }
            }
        }
        Ok(())
    }

    /// Commits a block with its results, certificate and state update in one
    /// atomic batch, and returns once it is on stable storage (sled's flush
    /// and an `fdatasync` of its files). Readers see the block only then. An
    /// error means the block may not be durable: it must not be acknowledged,
    /// and the node must stop.
    pub fn commit_block(
        &self,
        block: &Block,
        results: &BlockResults,
        commit: &Commit,
        update: &StateUpdate,
    ) -> StoreResult<()> {
        let batch = self.stage_block(block, results, commit, update)?;
        self.apply_state_batch(batch, update)
    }

    /// [`Store::commit_block`] for a block decided by consensus: the same
    /// atomic batch also drops every undecided proposal of this height and
    /// below, which can no longer be decided.
    pub fn commit_decided_block(
        &self,
        block: &Block,
        results: &BlockResults,
        commit: &Commit,
        update: &StateUpdate,
    ) -> StoreResult<()> {
        let mut batch = self.stage_block(block, results, commit, update)?;
        let end = height_key(b"u:", block.header.height.saturating_add(1));
        for item in self.db.range(b"u:".to_vec()..end) {
            let (key, _) = item?;
            batch.remove(key);
        }
        self.apply_state_batch(batch, update)
    }

    /// Applies a batch that writes `update`'s state and puts it on stable
    /// storage, then shows its height to readers. The in-memory latest values
    /// keep in step: their written keys are forgotten before sled applies the
    /// batch and again once the height is shown (see `hot_values`), so a
    /// value read in between (the old one, see [`Store::state_value`]) is
    /// not kept.
    fn apply_state_batch(&self, batch: sled::Batch, update: &StateUpdate) -> StoreResult<()> {
        self.hot.invalidate(update.writes.keys());
        let durable = self
            .db
            .apply_batch(batch)
            .map_err(StorageError::from)
            .and_then(|()| self.sync());
        if durable.is_ok() {
            self.durable_height.store(update.version, Ordering::Release);
        }
        self.hot.invalidate(update.writes.keys());
        durable
    }

    /// Persists an undecided proposal for `height`, `round` and `block_hash`
    /// (bytes in the caller's encoding) and returns once it is on stable
    /// storage.
    pub fn put_undecided(
        &self,
        height: u64,
        round: u32,
        block_hash: &Hash,
        bytes: &[u8],
    ) -> StoreResult<()> {
        let key = [
            height_key(b"u:", height).as_slice(),
            &round.to_be_bytes(),
            &block_hash.0,
        ]
        .concat();
        self.db.insert(key, bytes)?;
        self.sync()
    }

    /// The undecided proposals kept for `height`: (round, block hash, bytes).
    pub fn undecided_at(&self, height: u64) -> StoreResult<Vec<(u32, Hash, Vec<u8>)>> {
        let prefix = height_key(b"u:", height);
        let mut out = Vec::new();
        for item in self.db.scan_prefix(&prefix) {
            let (key, value) = item?;
            let rest = &key[prefix.len()..];
            if rest.len() != 4 + 32 {
                return Err(corrupt(&key, "expected round and block hash"));
            }
            let round = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
            let mut hash = [0u8; 32];
            hash.copy_from_slice(&rest[4..]);
            out.push((round, Hash(hash), value.to_vec()));
        }
        Ok(out)
    }

    /// The value a state key held after block `height` (0: the genesis
    /// state), read from the versioned state tree.
    pub fn state_value_at(&self, key: &[u8], height: u64) -> StoreResult<Option<Vec<u8>>> {
        self.get_value_option(height, key_hash(key))
            .map_err(|e| StorageError::Tree(e.to_string()))
    }

    /// The state tree's root after block `height` (0: the genesis state), or
    /// `None` when the tree holds no such version. Recomputed from the tree's
    /// nodes, so it checks them against a header's `state_root`.
    pub fn state_root_at(&self, height: u64) -> StoreResult<Option<Hash>> {
        let tree = JellyfishMerkleTree::<_, StateHasher>::new(self);
        tree.get_root_hash_option(height)
            .map(|root| root.map(|root| Hash(root.0)))
            .map_err(|e| StorageError::Tree(e.to_string()))
    }

    fn stage_block(
        &self,
        block: &Block,
        results: &BlockResults,
        commit: &Commit,
        update: &StateUpdate,
    ) -> StoreResult<sled::Batch> {
        let height = block.header.height;
        let tip = self.tip()?.unwrap_or(0);
        if height != tip + 1 || update.version != height {
            return Err(StorageError::OutOfOrder { got: height, tip });
        }
        // `tip` was just read: no need for `history_root`'s own check of it.
        let history_root = xianjie_ledger::history::root(self, tip)?;
        if block.header.history_root != history_root {
            return Err(StorageError::HistoryMismatch {
                height,
                expected: history_root.to_hex(),
                found: block.header.history_root.to_hex(),
            });
        }
        let mut batch = sled::Batch::default();
        self.stage_history(&mut batch, height, &block.header.hash())?;
        batch.insert(height_key(b"h:", height), encode(&block.header));
        batch.insert(height_key(b"b:", height), encode(block));
        batch.insert(height_key(b"r:", height), encode(results));
        batch.insert(height_key(b"c:", height), encode(commit));
        if results.0.len() != block.txs.len() {
            return Err(StorageError::ResultsMismatch {
                txs: block.txs.len(),
                results: results.0.len(),
            });
        }
        // Each result names its transaction's hash, computed once when the
        // block was executed.
        for (index, result) in results.0.iter().enumerate() {
            let location = [
                height.to_be_bytes().as_slice(),
                &(index as u32).to_be_bytes(),
            ]
            .concat();
            batch.insert([b"t:".as_slice(), &result.tx.0].concat(), location);
        }
        self.stage_state(&mut batch, update)?;
        batch.insert(META_TIP, &height.to_be_bytes());
        Ok(batch)
    }

    /// A header by height.
    pub fn header(&self, height: u64) -> StoreResult<Option<Header>> {
        let found = self.get_decoded(&height_key(b"h:", height))?;
        Ok(self.if_durable(height, found))
    }

    /// A block by height.
    pub fn block(&self, height: u64) -> StoreResult<Option<Block>> {
        let found = self.get_decoded(&height_key(b"b:", height))?;
        Ok(self.if_durable(height, found))
    }

    /// The results of a block.
    pub fn results(&self, height: u64) -> StoreResult<Option<BlockResults>> {
        let found = self.get_decoded(&height_key(b"r:", height))?;
        Ok(self.if_durable(height, found))
    }

    /// The commit certificate of a block.
    pub fn commit(&self, height: u64) -> StoreResult<Option<Commit>> {
        let found = self.get_decoded(&height_key(b"c:", height))?;
        Ok(self.if_durable(height, found))
    }

    /// Where a committed transaction is, if it was committed.
    pub fn tx_location(&self, tx: &Hash) -> StoreResult<Option<TxLocation>> {
        let key = [b"t:".as_slice(), &tx.0].concat();
        let Some(bytes) = self.db.get(&key)? else {
            return Ok(None);
        };
        if bytes.len() != 12 {
            return Err(corrupt(&key, "expected 12 bytes"));
        }
        let height = be_u64(&key, &bytes[..8])?;
        let index = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        Ok(self.if_durable(height, Some(TxLocation { height, index })))
    }

    /// The result of a committed transaction.
    pub fn tx_result(&self, location: TxLocation) -> StoreResult<Option<TxResult>> {
        Ok(self
            .results(location.height)?
            .and_then(|results| results.0.get(location.index as usize).cloned()))
    }

    /// The latest value of a state key.
    pub fn state_value(&self, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        let generation = match self.hot.lookup(key) {
            Lookup::Known(value) => return Ok(value),
            Lookup::Unknown(generation) => Some(generation),
            Lookup::NotKept => None,
        };
        let value = self.state_value_in_db(key)?;
        if let Some(generation) = generation {
            self.hot.remember(key, generation, value.clone());
        }
        Ok(value)
    }

    /// The latest durable value: while a block is being made durable, a
    /// value it wrote is answered from the history as of the height before.
    fn state_value_in_db(&self, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        let latest_key = latest_value_key(&key_hash(key), key);
        match self.db.get(&latest_key)? {
            None => Ok(None),
            Some(record) => {
                let (version, value) = split_latest(&latest_key, &record)?;
                let durable = self.durable_height();
                if version > durable {
                    return self.state_value_at(key, durable);
                }
                Ok(Some(value.to_vec()))
            }
        }
    }

    /// The value of a state key at `height` and its proof against that height's state root.
    pub fn state_proof(
        &self,
        key: &[u8],
        height: u64,
    ) -> StoreResult<(Option<Vec<u8>>, StateProof)> {
        let tree = JellyfishMerkleTree::<_, StateHasher>::new(self);
        let (value, proof) = tree
            .get_with_proof(key_hash(key), height)
            .map_err(|e| StorageError::Tree(e.to_string()))?;
        Ok((value, StateProof(proof)))
    }

    /// Adds an entry to a secondary index (e.g. evidence by case).
    pub fn index_entries(&self, index: &[u8], prefix: &[u8]) -> StoreResult<Vec<Vec<u8>>> {
        let start = [b"x:".as_slice(), index, b"/", prefix].concat();
        let skip = 3 + index.len();
        self.db
            .scan_prefix(&start)
            .map(|item| {
                item.map(|(key, _)| key[skip..].to_vec())
                    .map_err(StorageError::from)
            })
            .collect()
    }

    /// Stages secondary index entries into a batch-free write (used after commit).
    pub fn add_index_entries(&self, index: &[u8], entries: &[Vec<u8>]) -> StoreResult<()> {
        let mut batch = sled::Batch::default();
        for entry in entries {
            batch.insert([b"x:".as_slice(), index, b"/", entry].concat(), &[]);
        }
        self.db.apply_batch(batch)?;
        Ok(())
    }

    /// Bytes used on disk.
    pub fn size_on_disk(&self) -> StoreResult<u64> {
        Ok(self.db.size_on_disk()?)
    }

    /// Every record whose key starts with `prefix`, in key order, as the
    /// stored bytes. For audits that compare a store record by record with
    /// one rebuilt from the blocks (`xianjie-node verify-db`).
    pub fn raw_records<'a>(
        &'a self,
        prefix: &[u8],
    ) -> impl Iterator<Item = StoreResult<(Vec<u8>, Vec<u8>)>> + 'a {
        self.db.scan_prefix(prefix).map(|item| {
            item.map(|(key, value)| (key.to_vec(), value.to_vec()))
                .map_err(StorageError::from)
        })
    }
}

/// A failed read is the trait's one fatal fault: it panics (see
/// [`StateView`]'s "Read failures"), so that the node stops rather than
/// executes against a guess.
impl StateView for Store {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        // A failed read cannot be answered honestly; the node must stop rather
        // than execute against a guess.
        self.state_value(key)
            .expect("state read failed: the database is unreadable, stopping")
    }

    /// The parameters every transaction and every read consults, decoded
    /// again only when their bytes changed, so all readers share one value
    /// (the policy engine's memo knows it by its address). Always the
    /// decoding of the current bytes; bytes that do not decode give `None`,
    /// and the caller's own read reports them.
    fn known_params(&self) -> Option<Arc<Params>> {
        let bytes = self.get(keys::PARAMS)?;
        let mut memo = self.params.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cached, params)) = memo.as_ref() {
            if *cached == bytes {
                return Some(Arc::clone(params));
            }
        }
        let params = Arc::new(decode::<Params>(&bytes).ok()?);
        *memo = Some((bytes, Arc::clone(&params)));
        Some(params)
    }
}

impl TreeReader for Store {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        match self.db.get(node_groups::group_key(node_key))? {
            None => Ok(None),
            Some(group) => Ok(node_groups::find(&group, node_key)?),
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        // The latest value, unless it is newer than asked for. A key hash
        // names one state key (BLAKE3), so the prefix holds one record.
        let prefix = [b"s:".as_slice(), &key_hash.0].concat();
        if let Some(item) = self.db.scan_prefix(&prefix).next() {
            let (latest_key, record) = item?;
            let (version, value) = split_latest(&latest_key, &record)?;
            if version <= max_version {
                return Ok(Some(value.to_vec()));
            }
        }
        let start = superseded_value_key(&key_hash, 0);
        let end = superseded_value_key(&key_hash, max_version);
        match self.db.range(start..=end).next_back() {
            None => Ok(None),
            Some(item) => {
                let (_, bytes) = item?;
                Ok(borsh::from_slice::<Option<OwnedValue>>(&bytes)?)
            }
        }
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        anyhow::bail!("state tree restoration is not supported by this store")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xianjie_ledger::block::TxOutcome;

    /// Reopens a store this process just closed. sled's background flusher
    /// holds the file lock for a moment after the last handle is dropped, so
    /// an immediate reopen in the same process can find it still locked.
    fn reopen(path: &Path) -> StoreResult<Store> {
        for _ in 0..100 {
            match Store::open(path) {
                Err(StorageError::Sled(sled::Error::Io(error)))
                    if error.to_string().contains("could not acquire lock") =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => return other,
            }
        }
        Store::open(path)
    }

    /// Header `height` on `store`'s history (which the store checks; a
    /// height past the tip's next gets a placeholder root).
    fn header(store: &Store, height: u64, state_root: Hash) -> Header {
        Header {
            chain_id: "t".into(),
            height,
            time_ms: height,
            prev_hash: Hash::default(),
            history_root: store.history_root(height - 1).unwrap_or_default(),
            tx_root: xianjie_ledger::merkle::empty_root(),
            tx_count: 0,
            state_root,
            results_root: BlockResults::default().root(),
            validators_hash: Hash::default(),
            proposer: Default::default(),
        }
    }

    fn commit_for(header: &Header) -> Commit {
        Commit {
            height: header.height,
            round: 0,
            block_hash: header.hash(),
            signatures: vec![],
        }
    }

    #[test]
    fn state_proofs_of_presence_and_absence_against_each_height() {
        let store = Store::temporary().unwrap();
        let mut writes = WriteSet::new();
        writes.insert(b"a".to_vec(), Some(b"one".to_vec()));
        let root0 = store.init_genesis(Hash([1; 32]), writes).unwrap();
        assert_eq!(store.tip().unwrap(), Some(0));

        let mut writes = WriteSet::new();
        writes.insert(b"a".to_vec(), Some(b"two".to_vec()));
        writes.insert(b"b".to_vec(), Some(b"bee".to_vec()));
        let update = store.compute_state_update(writes, 1).unwrap();
        let block = Block {
            header: header(&store, 1, update.root),
            txs: vec![],
        };
        store
            .commit_block(
                &block,
                &BlockResults::default(),
                &commit_for(&block.header),
                &update,
            )
            .unwrap();
        let root1 = update.root;
        assert_ne!(root0, root1);

        let (value, proof) = store.state_proof(b"a", 0).unwrap();
        assert_eq!(value.as_deref(), Some(b"one".as_slice()));
        proof.verify(&root0, b"a", Some(b"one")).unwrap();
        assert!(proof.verify(&root0, b"a", Some(b"two")).is_err());

        let (value, proof) = store.state_proof(b"a", 1).unwrap();
        assert_eq!(value.as_deref(), Some(b"two".as_slice()));
        proof.verify(&root1, b"a", Some(b"two")).unwrap();
        assert!(proof.verify(&root0, b"a", Some(b"two")).is_err());

        let (value, proof) = store.state_proof(b"missing", 1).unwrap();
        assert!(value.is_none());
        proof.verify(&root1, b"missing", None).unwrap();
        assert!(proof.verify(&root1, b"b", None).is_err());
        assert_eq!(
            store.state_value(b"b").unwrap().as_deref(),
            Some(b"bee".as_slice())
        );
    }

    #[test]
    fn flipping_any_byte_of_an_encoded_state_proof_fails() {
        let store = Store::temporary().unwrap();
        let mut writes = WriteSet::new();
        for i in 0..20u8 {
            writes.insert(vec![b'k', i], Some(vec![i; 3]));
        }
        let root = store.init_genesis(Hash([1; 32]), writes).unwrap();
        let (value, proof) = store.state_proof(&[b'k', 7], 0).unwrap();
        let value = value.unwrap();
        let bytes = encode(&proof);
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            let rejected = match decode::<StateProof>(&bad) {
                Err(_) => true,
                Ok(p) => p.verify(&root, &[b'k', 7], Some(&value)).is_err(),
            };
            assert!(rejected, "flipping byte {i} still verified");
        }
    }

    #[test]
    fn every_record_is_of_a_listed_kind() {
        let store = Store::temporary().unwrap();
        store.init_genesis(Hash([1; 32]), WriteSet::new()).unwrap();
        for value in [b"one".as_slice(), b"two"] {
            commit_writes(&store, &[(b"k", Some(value))]);
        }
        store.put_undecided(3, 0, &Hash([3; 32]), b"p").unwrap();
        store
            .put_cosigned_checkpoint("w.example/a", "note\n")
            .unwrap();
        store.add_index_entries(b"i", &[b"e".to_vec()]).unwrap();
        let mut kinds_seen = BTreeSet::new();
        for item in store.db.iter() {
            let (key, _) = item.unwrap();
            let kind = RECORD_KINDS
                .iter()
                .position(|(prefix, _)| key.starts_with(prefix))
                .unwrap_or_else(|| {
                    panic!("{:?} is of no listed kind", String::from_utf8_lossy(&key))
                });
            kinds_seen.insert(kind);
        }
        let missing: Vec<&str> = (0..RECORD_KINDS.len())
            .filter(|kind| !kinds_seen.contains(kind))
            .map(|kind| RECORD_KINDS[kind].1)
            .collect();
        // These blocks carry no transactions, so no transaction locations.
        assert_eq!(
            missing,
            ["transaction locations"],
            "kinds without records here"
        );
        for (prefix, _) in DERIVED_PREFIXES {
            assert!(RECORD_KINDS.iter().any(|(listed, _)| *listed == prefix));
        }
    }

    #[test]
    fn a_header_naming_another_history_is_refused_and_changes_nothing() {
        let store = Store::temporary().unwrap();
        store.init_genesis(Hash([1; 32]), WriteSet::new()).unwrap();
        commit_writes(&store, &[(b"k", Some(b"one"))]);
        let update = store.compute_state_update(WriteSet::new(), 2).unwrap();
        let mut header = header(&store, 2, update.root);
        let honest = header.history_root;
        header.history_root.0[31] ^= 1;
        let block = Block {
            header,
            txs: vec![],
        };
        let refused = store.commit_block(
            &block,
            &BlockResults::default(),
            &commit_for(&block.header),
            &update,
        );
        assert!(
            matches!(
                refused,
                Err(StorageError::HistoryMismatch { height: 2, .. })
            ),
            "{refused:?}"
        );
        assert_eq!(store.tip().unwrap(), Some(1));
        assert_eq!(store.history_root(1).unwrap(), honest);
        assert!(matches!(
            store.history_root(2),
            Err(StorageError::HistoryBeyondTip { size: 2, tip: 1 })
        ));
    }

    #[test]
    fn commits_are_atomic_ordered_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let update_root;
        {
            let store = Store::open(dir.path()).unwrap();
            store.init_genesis(Hash([2; 32]), WriteSet::new()).unwrap();
            let update = store.compute_state_update(WriteSet::new(), 2).unwrap();
            let block = Block {
                header: header(&store, 2, update.root),
                txs: vec![],
            };
            assert!(matches!(
                store.commit_block(
                    &block,
                    &BlockResults::default(),
                    &commit_for(&block.header),
                    &update
                ),
                Err(StorageError::OutOfOrder { .. })
            ));
            let update = store.compute_state_update(WriteSet::new(), 1).unwrap();
            update_root = update.root;
            let block = Block {
                header: header(&store, 1, update.root),
                txs: vec![],
            };
            store
                .commit_block(
                    &block,
                    &BlockResults::default(),
                    &commit_for(&block.header),
                    &update,
                )
                .unwrap();
        }
        let store = reopen(dir.path()).unwrap();
        assert_eq!(store.tip().unwrap(), Some(1));
        assert_eq!(store.header(1).unwrap().unwrap().state_root, update_root);
        assert_eq!(store.genesis_hash().unwrap(), Some(Hash([2; 32])));
        assert_eq!(store.results(1).unwrap(), Some(BlockResults::default()));
    }

    #[test]
    fn undecided_proposals_are_dropped_with_the_decided_block_and_old_values_stay_readable() {
        let store = Store::temporary().unwrap();
        let mut writes = WriteSet::new();
        writes.insert(b"validators".to_vec(), Some(b"set0".to_vec()));
        store.init_genesis(Hash([1; 32]), writes).unwrap();
        store.put_undecided(1, 0, &Hash([7; 32]), b"p1").unwrap();
        store.put_undecided(1, 2, &Hash([8; 32]), b"p1b").unwrap();
        store.put_undecided(2, 0, &Hash([9; 32]), b"p2").unwrap();
        assert_eq!(
            store.undecided_at(1).unwrap(),
            vec![
                (0, Hash([7; 32]), b"p1".to_vec()),
                (2, Hash([8; 32]), b"p1b".to_vec())
            ]
        );
        let mut writes = WriteSet::new();
        writes.insert(b"validators".to_vec(), Some(b"set1".to_vec()));
        let update = store.compute_state_update(writes, 1).unwrap();
        let block = Block {
            header: header(&store, 1, update.root),
            txs: vec![],
        };
        store
            .commit_decided_block(
                &block,
                &BlockResults::default(),
                &commit_for(&block.header),
                &update,
            )
            .unwrap();
        assert!(store.undecided_at(1).unwrap().is_empty());
        assert_eq!(store.undecided_at(2).unwrap().len(), 1);
        assert_eq!(
            store.state_value_at(b"validators", 0).unwrap().as_deref(),
            Some(b"set0".as_slice())
        );
        assert_eq!(
            store.state_value_at(b"validators", 1).unwrap().as_deref(),
            Some(b"set1".as_slice())
        );
        assert_eq!(store.state_value_at(b"missing", 1).unwrap(), None);
    }

    #[test]
    fn state_root_at_names_each_committed_version_and_no_other() {
        let store = Store::temporary().unwrap();
        let mut writes = WriteSet::new();
        writes.insert(b"validators".to_vec(), Some(b"set0".to_vec()));
        let genesis_root = store.init_genesis(Hash([1; 32]), writes).unwrap();
        let first = commit_writes(&store, &[(b"k", Some(b"v1"))]);
        let second = commit_writes(&store, &[(b"k", Some(b"v2"))]);
        assert_eq!(store.state_root_at(0).unwrap(), Some(genesis_root));
        assert_eq!(store.state_root_at(1).unwrap(), Some(first));
        assert_eq!(store.state_root_at(2).unwrap(), Some(second));
        assert_ne!(first, second);
        assert_eq!(store.state_root_at(3).unwrap(), None);
    }

    /// Commits `writes` as the next height and returns its state root.
    fn commit_writes(store: &Store, writes: &[(&[u8], Option<&[u8]>)]) -> Hash {
        commit_writes_as(store, writes, false)
    }

    /// [`commit_writes`] through [`Store::commit_decided_block`] if `decided`.
    fn commit_writes_as(store: &Store, writes: &[(&[u8], Option<&[u8]>)], decided: bool) -> Hash {
        let writes: WriteSet = writes
            .iter()
            .map(|(key, value)| (key.to_vec(), value.map(<[u8]>::to_vec)))
            .collect();
        let height = store.tip().unwrap().unwrap() + 1;
        let update = store.compute_state_update(writes, height).unwrap();
        let block = Block {
            header: header(store, height, update.root),
            txs: vec![],
        };
        let commit = commit_for(&block.header);
        let results = BlockResults::default();
        if decided {
            store.commit_decided_block(&block, &results, &commit, &update)
        } else {
            store.commit_block(&block, &results, &commit, &update)
        }
        .unwrap();
        update.root
    }

    /// The latest values kept in memory follow every write, through both
    /// commit paths and a deletion, and a clone of the store shares them.
    #[test]
    fn values_kept_in_memory_follow_every_write() {
        let store = Store::temporary().unwrap();
        let officer = keys::officer(&xianjie_ledger::crypto::KeyId([4; 20]));
        let mut writes = WriteSet::new();
        writes.insert(keys::PARAMS.to_vec(), Some(b"params 0".to_vec()));
        store.init_genesis(Hash([1; 32]), writes).unwrap();
        let other = store.clone();
        let read = |key: &[u8]| other.state_value(key).unwrap();
        let in_db = |key: &[u8]| other.state_value_in_db(key).unwrap();
        for _ in 0..2 {
            assert_eq!(read(keys::PARAMS), Some(b"params 0".to_vec()));
            assert_eq!(read(&officer), None);
        }
        assert!(matches!(store.hot.lookup(keys::PARAMS), Lookup::Known(_)));

        commit_writes(
            &store,
            &[(keys::PARAMS, Some(b"params 1")), (&officer, Some(b"one"))],
        );
        assert_eq!(read(keys::PARAMS), Some(b"params 1".to_vec()));
        assert_eq!(read(&officer), Some(b"one".to_vec()));

        commit_writes(&store, &[(&officer, None)]);
        assert_eq!(read(&officer), None);
        assert_eq!(read(keys::PARAMS), Some(b"params 1".to_vec()));

        // The decided-block path too.
        commit_writes_as(&store, &[(&officer, Some(b"two"))], true);
        for key in [keys::PARAMS, officer.as_slice()] {
            assert_eq!(read(key), in_db(key));
        }
        assert_eq!(read(&officer), Some(b"two".to_vec()));
    }

    /// The batch insertion (write sets without deletions) and key-by-key
    /// insertion give the same root and the same new tree nodes, for new keys
    /// and changed ones, over a tree that already holds many keys.
    #[test]
    fn batch_and_one_by_one_agree() {
        let store = Store::temporary().unwrap();
        store.init_genesis(Hash([1; 32]), WriteSet::new()).unwrap();
        let key = |i: u32| format!("key/{i}").into_bytes();
        let value = |i: u32, round: u8| vec![round; 1 + (i as usize % 40)];
        for round in 0..3u8 {
            let mut writes: Vec<(Vec<u8>, Option<Vec<u8>>)> = (0..400)
                .map(|i| (key(u32::from(round) * 400 + i), Some(value(i, round))))
                .collect();
            writes.push((key(7), None)); // one deletion per block
            let writes: Vec<(&[u8], Option<&[u8]>)> = writes
                .iter()
                .map(|(k, v)| (k.as_slice(), v.as_deref()))
                .collect();
            commit_writes(&store, &writes);
        }
        let version = store.tip().unwrap().unwrap() + 1;
        // New keys, and changes to keys written at each earlier height.
        let mut writes = WriteSet::new();
        for i in (0..1_200).step_by(7).chain(5_000..5_300) {
            writes.insert(key(i), Some(value(i, 9)));
        }
        writes.insert(keys::TIP.to_vec(), Some(version.to_be_bytes().to_vec()));
        let (batch_root, batch) = store.put_values(&writes, version).unwrap();
        let (one_root, one_by_one) = store.put_values_one_by_one(&writes, version).unwrap();
        assert_eq!(batch_root, one_root);
        assert_eq!(batch.node_batch.nodes(), one_by_one.node_batch.nodes());
        assert_eq!(batch.node_batch.values(), one_by_one.node_batch.values());
        // And compute_state_update takes the batch path for such a set.
        let update = store.compute_state_update(writes, version).unwrap();
        assert_eq!(update.root, Hash(batch_root.0));
    }

    /// A key said to be new must hold nothing: debug builds (every test run)
    /// refuse to commit an update that would drop the value it replaces from
    /// the key's history.
    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "a key said to be new has a value")]
    fn a_key_with_a_value_cannot_be_passed_as_new() {
        let store = Store::temporary().unwrap();
        store.init_genesis(Hash([1; 32]), WriteSet::new()).unwrap();
        commit_writes(&store, &[(b"k", Some(b"one"))]);
        let writes: WriteSet = [(b"k".to_vec(), Some(b"two".to_vec()))].into();
        let update = store
            .compute_state_update(writes, 2)
            .unwrap()
            .with_new_keys([b"k".to_vec()].into());
        let block = Block {
            header: header(&store, 2, update.root),
            txs: vec![],
        };
        let commit = commit_for(&block.header);
        let _ = store.commit_block(&block, &BlockResults::default(), &commit, &update);
    }

    /// Every height's value and proof of a key written, left alone,
    /// overwritten, deleted and written again: the latest value and the
    /// superseded ones together are its whole history.
    #[test]
    fn a_keys_history_across_writes_deletion_and_rewrite_is_readable_at_every_height() {
        let store = Store::temporary().unwrap();
        let mut roots = vec![store.init_genesis(Hash([1; 32]), WriteSet::new()).unwrap()];
        let steps: [Option<&[u8]>; 6] = [
            Some(b"one"),
            None, // another key changes; this one keeps "one"
            Some(b"two"),
            None, // deleted
            None, // still deleted
            Some(b"three"),
        ];
        let mut expected = vec![None];
        for (i, step) in steps.iter().enumerate() {
            let root = match (i, step) {
                (1 | 4, _) => commit_writes(&store, &[(b"other", Some(&[i as u8]))]),
                (3, None) => commit_writes(&store, &[(b"k", None)]),
                (_, value) => commit_writes(&store, &[(b"k", *value)]),
            };
            roots.push(root);
            let value = match i {
                1 => Some(b"one".as_slice()),
                4 => None,
                _ => *step,
            };
            expected.push(value);
        }
        assert_eq!(
            store.state_value(b"k").unwrap().as_deref(),
            Some(b"three".as_slice())
        );
        for (height, (root, value)) in roots.iter().zip(&expected).enumerate() {
            let height = height as u64;
            assert_eq!(
                store.state_value_at(b"k", height).unwrap().as_deref(),
                *value,
                "{height}"
            );
            let (proved, proof) = store.state_proof(b"k", height).unwrap();
            assert_eq!(proved.as_deref(), *value, "height {height}");
            proof.verify(root, b"k", *value).unwrap();
        }
        let deleted = store.raw_records(b"v:").filter(|r| {
            let (_, value) = r.as_ref().unwrap();
            value.as_slice() == borsh_value(None).unwrap().as_slice()
        });
        assert_eq!(deleted.count(), 1, "one deletion recorded");
    }

    /// The transaction index is written from the results' hashes, so results
    /// that do not match the block one to one are refused, not indexed.
    #[test]
    fn a_block_with_results_for_other_transactions_is_not_committed() {
        let store = Store::temporary().unwrap();
        store.init_genesis(Hash([1; 32]), WriteSet::new()).unwrap();
        let update = store.compute_state_update(WriteSet::new(), 1).unwrap();
        let block = Block {
            header: header(&store, 1, update.root),
            txs: vec![],
        };
        let results = BlockResults(vec![TxResult {
            tx: Hash([9; 32]),
            outcome: TxOutcome::Ok,
        }]);
        let error = store
            .commit_block(&block, &results, &commit_for(&block.header), &update)
            .unwrap_err();
        assert!(
            matches!(error, StorageError::ResultsMismatch { txs: 0, results: 1 }),
            "{error}"
        );
        assert_eq!(store.tip().unwrap(), Some(0));
        assert_eq!(store.tx_location(&Hash([9; 32])).unwrap(), None);
    }

    #[test]
    fn raw_records_are_the_stored_bytes_of_one_prefix_in_key_order() {
        let store = Store::temporary().unwrap();
        let mut writes = WriteSet::new();
        writes.insert(b"b".to_vec(), Some(b"2".to_vec()));
        writes.insert(b"a".to_vec(), Some(b"1".to_vec()));
        store.init_genesis(Hash([1; 32]), writes).unwrap();
        let records: Vec<_> = store
            .raw_records(b"s:")
            .collect::<StoreResult<_>>()
            .unwrap();
        let latest = |key: &[u8], value: &[u8]| {
            let record = [0u64.to_be_bytes().as_slice(), value].concat();
            (latest_value_key(&key_hash(key), key), record)
        };
        let mut expected = vec![
            latest(b"a", b"1"),
            latest(b"b", b"2"),
            latest(keys::TIP, &0u64.to_be_bytes()),
        ];
        expected.sort();
        assert_eq!(records, expected);
    }

    #[test]
    fn refuses_a_different_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = sled::open(dir.path()).unwrap();
            db.insert(META_SCHEMA, &99u32.to_be_bytes()).unwrap();
            db.flush().unwrap();
        }
        assert!(matches!(
            reopen(dir.path()),
            Err(StorageError::SchemaVersion { found: 99, .. })
        ));
    }
}
