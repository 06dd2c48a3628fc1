//! The block producer: waits for pending transactions, batches them briefly,
//! and commits blocks until the mempool's queue is empty.
//!
//! Blocks are made only when something is pending, and not while the disk
//! is below its reserve ([`crate::disk`]). sled work runs on the
//! blocking pool; a storage failure ends the task with an error, which drops
//! the tip channel so every waiter and the binary learn that the node stopped.
//! A long-lived task in the shape of [`crate::task`].

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::chain::{BlockSummary, Chain, Tip};
use crate::clock::SharedClock;
use crate::config::BlockLimits;
use crate::disk::{self, DiskStatus};
use crate::error::{Error, Result};
use crate::mempool::Mempool;
use crate::task::{self, stopped, Stop};

/// The producer's inputs and outputs.
pub struct Producer {
    /// The chain it commits to.
    pub chain: Arc<Chain>,
    /// Where transactions wait.
    pub mempool: Arc<Mempool>,
    /// Publishes each new tip.
    pub tip: watch::Sender<Tip>,
    /// Bounds of a block.
    pub block_limits: BlockLimits,
    /// Delay between the first pending transaction and building.
    pub batch_window: Duration,
    /// Block times come from it.
    pub clock: SharedClock,
    /// Free disk space: no block is made while the disk is full.
    pub disk: DiskStatus,
}

impl Producer {
    /// Starts [`Producer::run`] as a task.
    pub fn spawn(self, stop: Stop) -> JoinHandle<Result<()>> {
        task::spawn("block producer", self.run(stop))
    }

    /// Runs until `stop` turns true (or its sender is dropped). A block in
    /// progress is always finished first: the stop signal is only looked at
    /// between blocks.
    pub async fn run(self, mut stop: Stop) -> Result<()> {
        let mut disk = self.disk.clone();
        loop {
            tokio::select! {
                biased;
                () = stopped(&mut stop) => return Ok(()),
                () = self.mempool.wait_for_queued(None) => {}
            }
            tokio::time::sleep(self.batch_window).await;
            while self.mempool.has_queued() {
                if !disk::wait_for_space(&mut disk, &mut stop).await {
                    return Ok(());
                }
                self.produce_one().await?;
            }
        }
    }

    /// Takes one batch, commits it as a block and publishes the new tip.
    async fn produce_one(&self) -> Result<()> {
        let batch = self.mempool.take_batch(self.block_limits);
        let hashes: Vec<_> = batch.iter().map(|tx| tx.hash()).collect();
        let chain = Arc::clone(&self.chain);
        let mempool = Arc::clone(&self.mempool);
        let now_ms = self.clock.now_ms();
        let outcome =
            tokio::task::spawn_blocking(move || chain.commit_next_block(batch, &mempool, now_ms))
                .await
                .map_err(|join| Error::Task {
                    task: "block commit",
                    reason: join.to_string(),
                })
                .and_then(|result| result);
        // A failure ends the task, which logs it (`task::spawn`).
        let summary: Option<BlockSummary> = outcome?;
        self.mempool.remove(&hashes);
        match summary {
            Some(summary) => {
                self.tip.send_replace(summary.tip);
            }
            // Every candidate was dropped (expired or already committed).
            // Wake waiters anyway so they see their transaction is gone.
            None => self.tip.send_modify(|_| {}),
        }
        Ok(())
    }
}
