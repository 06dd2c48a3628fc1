//! Byzantine fault-tolerant consensus: the node as the host of a Malachite
//! (Tendermint) engine. Every Malachite type stays inside this module, so an
//! upgrade of the engine touches only these files.
//!
//! | file | what |
//! |---|---|
//! | [`context`] | our `Context`: heights, key-id addresses, header values, votes, validator sets, proposer selection |
//! | [`proposer`] | the proposer schedule: who proposed none of the recent blocks, and the rotation that skips them but for probe turns |
//! | [`signing`] | votes signed over the ledger's `vote_digest` (so a commit certificate *is* a ledger `Commit`); proposals over their own domain |
//! | [`codec`] | every engine type in the ledger's canonical binary codec, for the wire and the write-ahead log |
//! | [`streaming`] | a proposal as parts (Init, transaction chunks, Fin with the header) and their bounded reassembly |
//! | [`app`] | the host loop: propose from the mempool, re-execute proposals, commit decided blocks, serve and accept sync |
//! | [`engine`] | the engine's configuration and start, the allow-list and peer-status tasks |
//!
//! The value decided is a block header; its id is the block hash. The
//! transactions travel in the proposal parts and are stored by the node
//! (undecided proposals in the store's `u:` records until their height is
//! committed), so the engine's write-ahead log holds headers only.

pub mod app;
pub mod codec;
pub mod context;
pub mod engine;
pub mod proposer;
pub mod signing;
pub mod streaming;

pub use app::HostParts;
pub use engine::{start, EngineSettings, RunningEngine};

/// Runs `register` on the process-wide Prometheus registry the engine
/// reports to, under the `xianjie` prefix.
pub fn with_metrics_registry(register: impl FnOnce(&mut prometheus_client::registry::Registry)) {
    malachitebft_app_channel::app::metrics::SharedRegistry::global()
        .with_prefix("xianjie", register);
}

/// The text exposition (OpenMetrics) of every metric in the process: the
/// engine's and the node's.
pub fn export_metrics() -> String {
    let mut text = String::new();
    malachitebft_app_channel::app::metrics::export(&mut text);
    text
}
