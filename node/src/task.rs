//! The one shape of the node's long-lived tasks: the dev producer
//! (`producer::Producer`), the consensus host (`consensus::app::Host`),
//! transaction gossip (`p2p::gossip::Gossip`) and the vault's transfer
//! watcher (`vault::transfer::TransferWatch`).
//!
//! - A struct holds everything the task needs; whatever can fail at start
//!   (binding a socket) fails in its constructor, before anything runs.
//! - `fn spawn(self, …, stop: Stop) -> JoinHandle<Result<()>>` starts it,
//!   always through [`spawn`].
//! - `async fn run(self, …, mut stop: Stop) -> Result<()>` is its loop: a
//!   `biased` `select!` whose first branch is [`stopped`], so the node's
//!   stop signal is seen between two pieces of work, never in the middle
//!   of one, and the task returns `Ok(())`.
//! - A task returns `Err` only for a failure the node cannot go on after
//!   (a storage error); [`spawn`] logs it, once, the same way for every task.

use std::future::Future;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::Result;

/// The node's stop signal: `true` once the node is shutting down.
pub type Stop = watch::Receiver<bool>;

/// Resolves once `stop` turns true, or once its sender is gone (the node
/// that would send it is gone too).
pub async fn stopped(stop: &mut Stop) {
    // An error means the sender was dropped: stop as well.
    let _ = stop.wait_for(|stopping| *stopping).await;
}

/// Spawns the long-lived task `name`, running `run`. A task that fails is
/// logged here, so that each failure appears once in the same form.
pub fn spawn<F>(name: &'static str, run: F) -> JoinHandle<Result<()>>
where
    F: Future<Output = Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        let outcome = run.await;
        match &outcome {
            Ok(()) => tracing::debug!(task = name, "task stopped"),
            // The caller decides what a failure means (the host's and the
            // producer's stop the node; others are logged and left).
            Err(error) => tracing::error!(task = name, %error, "task failed"),
        }
        outcome
    })
}
