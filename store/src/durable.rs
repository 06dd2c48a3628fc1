//! Putting what sled wrote on stable storage.
//!
//! sled 0.34's `Db::flush` writes its log buffers with `pwrite` and, on
//! Linux, `sync_file_range`: the pages reach the device, but the device's
//! write cache is not emptied and the file's size and other metadata are
//! not written. sled calls `fsync` only from its background flusher (every
//! 500 ms), so a block acknowledged right after `flush` can vanish in a
//! power cut. [`DataFiles::sync`] closes that gap after every flush that
//! makes a write count (a block, the genesis, an undecided proposal):
//!
//! - `db`, sled's one log file that holds every record: `fdatasync`, which
//!   writes the file's data and the size needed to read it, and flushes the
//!   device cache. Any descriptor of the file will do (`fsync` works on the
//!   inode), so the store opens its own.
//! - `blobs/<lsn>`, where sled puts an item too big for a log buffer
//!   (over a quarter of a 512 KiB segment: a large block or tree page):
//!   sled writes them with plain `write` and never syncs them. Each new one
//!   is synced once, then the `blobs` directory that names it.
//! - the data directory itself, when its entries changed (sled renames a
//!   new `snap.<lsn>` snapshot into place, already synced, without syncing
//!   the directory; `conf` and `db` are created at the first open).
//!
//! sled's recovery reads `conf`, the newest snapshot and then the log from
//! the snapshot's stable point, checking each message's CRC, so these files
//! are all it needs. An `fsync` failure is sticky: the kernel may have
//! dropped the dirty pages it could not write, so a later `fsync` that
//! succeeds proves nothing (the "fsyncgate" problem). After one failure
//! every later sync fails too, and the node stops.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::error::StorageError;

/// The files of one sled database that must be synced, and what is known
/// to be synced already.
pub(crate) struct DataFiles {
    dir: PathBuf,
    /// sled's log (`DIR/db`), opened read-only: `fdatasync` needs no more.
    log: File,
    /// Entry names of `DIR` and `DIR/blobs` as of the last sync.
    known: Mutex<Known>,
    /// An earlier sync failed (see the module documentation).
    failed: AtomicBool,
}

#[derive(Default)]
struct Known {
    dir: BTreeSet<OsString>,
    blobs: BTreeSet<OsString>,
}

impl DataFiles {
    /// The files of the sled database at `dir`, which sled has opened.
    /// Everything in it is synced once here: a store reopened after a crash
    /// may hold records that only reached the page cache.
    pub(crate) fn open(dir: &Path) -> Result<DataFiles, StorageError> {
        let log_path = dir.join("db");
        let log = File::open(&log_path).map_err(|source| sync_error(&log_path, source))?;
        let files = DataFiles {
            dir: dir.to_path_buf(),
            log,
            known: Mutex::default(),
            failed: AtomicBool::new(false),
        };
        let conf = dir.join("conf");
        if conf.exists() {
            sync_file(&conf)?;
        }
        files.sync()?;
        Ok(files)
    }

    /// Makes everything sled has flushed durable. Call after `Db::flush`.
    pub(crate) fn sync(&self) -> Result<(), StorageError> {
        if self.failed.load(Ordering::Acquire) {
            return Err(StorageError::SyncFailedBefore {
                path: self.dir.display().to_string(),
            });
        }
        let synced = self.sync_all_files();
        if synced.is_err() {
            self.failed.store(true, Ordering::Release);
        }
        synced
    }

    fn sync_all_files(&self) -> Result<(), StorageError> {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        let blobs_dir = self.dir.join("blobs");
        if blobs_dir.is_dir() {
            let names = entry_names(&blobs_dir)?;
            let mut changed = names.len() != known.blobs.len();
            for name in names.difference(&known.blobs) {
                changed = true;
                sync_file(&blobs_dir.join(name))?;
            }
            if changed {
                sync_file(&blobs_dir)?;
                known.blobs = names;
            }
        }
        self.log
            .sync_data()
            .map_err(|source| sync_error(&self.dir.join("db"), source))?;
        let names = entry_names(&self.dir)?;
        if names != known.dir {
            sync_file(&self.dir)?;
            known.dir = names;
        }
        Ok(())
    }
}

fn entry_names(dir: &Path) -> Result<BTreeSet<OsString>, StorageError> {
    let read = || -> io::Result<BTreeSet<OsString>> {
        std::fs::read_dir(dir)?
            .map(|entry| entry.map(|entry| entry.file_name()))
            .collect()
    };
    read().map_err(|source| sync_error(dir, source))
}

/// `fsync` of a file, or of a directory (its entries).
fn sync_file(path: &Path) -> Result<(), StorageError> {
    File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|source| sync_error(path, source))
}

fn sync_error(path: &Path, source: io::Error) -> StorageError {
    StorageError::Sync {
        path: path.display().to_string(),
        source,
    }
}
