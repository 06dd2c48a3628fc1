//! Free space on the node's disk, and what the node does when it runs low.
//!
//! A node that cannot write must not take on work it cannot record, and
//! must not exit either: it keeps answering reads. [`DiskWatch`] measures
//! the file system holding the store every [`CHECK_INTERVAL`] and publishes
//! a [`DiskState`]. Below the reserve (`storage.min_free_bytes`) the disk
//! counts as full:
//!
//! - the API refuses new transactions with `disk_full` (the vault refuses
//!   uploads by its own reserve, `vault.min_free_bytes`);
//! - the dev producer commits no block;
//! - a network validator does not start the next height once the current
//!   one is committed, so it signs no vote it might not be able to keep
//!   ([`crate::consensus::app`]); the other validators go on without it.
//!
//! Nothing already acknowledged is touched. When space returns, all of it
//! resumes on its own, and a validator catches up by sync. The reserve is
//! there so that the store never meets a full disk in the middle of a
//! commit: below twice the reserve the watch warns in the log and the
//! metrics show the free bytes (`xianjie_disk_free_bytes`) and the state
//! (`xianjie_disk_full`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::task::{self, stopped, Stop};

/// How often the free space is measured.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Free bytes the ledger leaves on its disk by default. Small enough for a
/// developer's machine; an agency's node sets `storage.min_free_bytes` to
/// what a day of its traffic needs.
pub const DEFAULT_MIN_FREE_BYTES: u64 = 64 * 1024 * 1024;

/// The last measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskState {
    /// Free bytes available to the node.
    pub free_bytes: u64,
    /// The reserve it keeps.
    pub reserve: u64,
}

impl DiskState {
    /// Below the reserve: no new work is taken on.
    pub fn is_full(&self) -> bool {
        self.free_bytes < self.reserve
    }

    /// Below twice the reserve: worth a warning.
    pub fn is_low(&self) -> bool {
        self.free_bytes < self.reserve.saturating_mul(2)
    }

    /// Why a transaction is refused, for the `disk_full` answer.
    pub fn refusal(&self) -> String {
        format!(
            "the node's disk has {} free, below its reserve of {} (storage.min_free_bytes): \
             it takes no new transactions until space is freed",
            bytesize::ByteSize(self.free_bytes),
            bytesize::ByteSize(self.reserve),
        )
    }
}

/// Readers of the disk state: the API, the producer and the consensus host.
pub type DiskStatus = watch::Receiver<DiskState>;

/// Waits until the disk is not full (at once if it is not), or the stop.
/// `false` if the node is stopping.
pub async fn wait_for_space(disk: &mut DiskStatus, stop: &mut Stop) -> bool {
    loop {
        if !disk.borrow_and_update().is_full() {
            return true;
        }
        tokio::select! {
            biased;
            () = stopped(stop) => return false,
            changed = disk.changed() => {
                if changed.is_err() {
                    // No watch any more: the last value stands; go on.
                    return true;
                }
            }
        }
    }
}

/// The task that measures the disk.
pub struct DiskWatch {
    path: PathBuf,
    sender: watch::Sender<DiskState>,
}

impl DiskWatch {
    /// Measures `path` once (a path that cannot be measured fails here) and
    /// returns the watch with its readers.
    pub fn new(path: &Path, reserve: u64) -> Result<(DiskWatch, DiskStatus)> {
        let state = DiskState {
            free_bytes: free_bytes(path)?,
            reserve,
        };
        record(&state);
        let (sender, receiver) = watch::channel(state);
        Ok((
            DiskWatch {
                path: path.to_owned(),
                sender,
            },
            receiver,
        ))
    }

    /// Starts measuring.
    pub fn spawn(self, stop: Stop) -> JoinHandle<Result<()>> {
        task::spawn("disk watch", self.run(stop))
    }

    async fn run(self, mut stop: Stop) -> Result<()> {
        let mut ticks = tokio::time::interval(CHECK_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = stopped(&mut stop) => return Ok(()),
                _ = ticks.tick() => self.measure(),
            }
        }
    }

    fn measure(&self) {
        let free = match free_bytes(&self.path) {
            Ok(free) => free,
            Err(error) => {
                tracing::warn!(%error, "cannot measure the free disk space");
                return;
            }
        };
        let before = *self.sender.borrow();
        let now = DiskState {
            free_bytes: free,
            ..before
        };
        record(&now);
        log_change(&before, &now);
        self.sender.send_replace(now);
    }
}

fn record(state: &DiskState) {
    let metrics = Metrics::get();
    metrics
        .disk_free_bytes
        .set(i64::try_from(state.free_bytes).unwrap_or(i64::MAX));
    metrics.disk_full.set(i64::from(state.is_full()));
}

fn log_change(before: &DiskState, now: &DiskState) {
    let free = bytesize::ByteSize(now.free_bytes);
    let reserve = bytesize::ByteSize(now.reserve);
    match (before.is_full(), now.is_full()) {
        (false, true) => tracing::error!(
            %free, %reserve,
            "disk full: new transactions are refused and this node commits no new height until space is freed"
        ),
        (true, false) => {
            tracing::info!(%free, %reserve, "disk space is back: taking transactions and committing again")
        }
        _ if now.is_low() && !before.is_low() => tracing::warn!(
            %free, %reserve,
            "disk space low: below twice the reserve (storage.min_free_bytes)"
        ),
        _ => {}
    }
}

/// Free bytes available to this process on the file system holding `path`.
pub fn free_bytes(path: &Path) -> Result<u64> {
    let stats = nix::sys::statvfs::statvfs(path).map_err(|errno| Error::Io {
        action: "measuring free space of",
        path: path.to_owned(),
        source: std::io::Error::from(errno),
    })?;
    // The field types are platform-defined (u32 on some 32-bit systems).
    #[allow(clippy::useless_conversion)]
    let (blocks, block_size) = (
        u64::from(stats.blocks_available()),
        u64::from(stats.fragment_size()),
    );
    Ok(blocks.saturating_mul(block_size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_below_the_reserve_and_low_below_twice_it() {
        let state = |free_bytes| DiskState {
            free_bytes,
            reserve: 100,
        };
        assert!(state(99).is_full() && state(99).is_low());
        assert!(!state(100).is_full() && state(100).is_low());
        assert!(!state(199).is_full() && state(199).is_low());
        assert!(!state(200).is_low());
    }

    #[test]
    fn a_real_directory_has_free_space() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_bytes(dir.path()).unwrap() > 0);
        assert!(free_bytes(&dir.path().join("missing")).is_err());
    }

    #[tokio::test]
    async fn waiting_for_space_returns_when_the_disk_empties_or_the_node_stops() {
        let full = DiskState {
            free_bytes: 1,
            reserve: 10,
        };
        let (sender, mut disk) = watch::channel(full);
        let (_stop_sender, mut stop) = watch::channel(false);
        let waiting = tokio::spawn(async move { wait_for_space(&mut disk, &mut stop).await });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        sender.send_replace(DiskState {
            free_bytes: 20,
            ..full
        });
        assert!(waiting.await.unwrap());

        let (_sender, mut disk) = watch::channel(full);
        let (stop_sender, mut stop) = watch::channel(false);
        stop_sender.send_replace(true);
        assert!(!wait_for_space(&mut disk, &mut stop).await);
    }
}
