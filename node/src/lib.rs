//! Run a Xianjie node: admit transactions, produce and commit blocks, serve the HTTP API.
//!
//! Two modes. `xianjie-node dev` ([`node`]) runs one validator that commits a
//! block whenever transactions are pending and signs the commit certificate
//! itself. `xianjie-node start --home DIR` ([`network_node`]) runs one node
//! of a network of agencies: blocks are decided by Byzantine fault-tolerant
//! consensus ([`consensus`], Malachite over libp2p), transactions reach every
//! node by gossip ([`p2p`]), and only node keys registered on chain may
//! connect. The operator tools (`verify-db`, `bench`, `testnet`) live in the
//! binary, `src/bin/xianjie-node/`, not in this library.
//!
//! Modules (dev: the dev node; network: a network node; both):
//!
//! - [`api`] (both): the axum handlers and the route table `api::routes`;
//!   signed reads and sessions (`api::auth`, `api::sessions`).
//! - [`mempool`] (both): admission checks and the bounded queue;
//!   `Mempool::wait_for_queued` wakes the producer and the proposer.
//! - [`execution`] (both): the block rule of `xianjie_contracts::block` over
//!   the store and mempool (`StoreState`, `NodeSeen`, `build_block`,
//!   `check_block`); the node's one policy engine (`policy_engine`).
//! - [`producer`] (dev): waits for queued transactions and commits blocks.
//! - [`chain`] (dev): builds, signs and commits one block as the single
//!   validator; tip and validator-set reads used by both modes.
//! - [`consensus`] (network): the Malachite host (`consensus/app.rs`),
//!   proposer schedule, signing, codec and proposal streaming.
//! - [`p2p`] (network): libp2p identities, the peer allow-list and
//!   transaction gossip.
//! - [`vault`] (both; transfers network only): evidence files on disk, and
//!   fetching them from other nodes.
//! - [`clock`] (both): the one injected clock (`Clock`, `SystemClock`,
//!   `SharedClock`).
//! - [`committed_tip`] (both): the `HOME/committed-tip` record and
//!   `open_store`, which refuses a store that lost committed blocks.
//! - [`file_modes`] (both): umask 0077 and tightening a loosened home.
//! - [`http_server`] (both): the API's connections, their timeouts and
//!   bounds.
//! - [`config`] (both): typed limits and timeouts; [`error`] (both): the
//!   library's one error type.
//! - [`dev`] (dev): the dev home, its genesis and demo keys.
//! - [`home`] (network): a network node's home and `config.toml`.
//! - [`node`] (dev): start, serve and shut down a dev node.
//! - [`network_node`] (network): start and serve one network node.
//! - [`metrics`] (both): Prometheus metrics; [`status`] (network): peers
//!   and sync state for `/v1/status`.
//! - [`web`] (both): the web console, served at `/`.
//! - [`task`] (both): the one shape of the long-lived tasks.
//! - [`disk`] (both): free space on the store's disk; below the reserve no
//!   transactions are taken and no new height is started.
//!
//! Long-lived tasks: both run [`disk::DiskWatch`]; dev runs
//! [`producer::Producer`]; network runs [`consensus::app::Host`],
//! [`p2p::gossip::Gossip`] and [`vault::transfer::TransferWatch`]. Each is a struct holding its inputs,
//! started by `spawn(self, …, stop) -> JoinHandle<Result<()>>` through
//! [`task::spawn`], which logs a failure once and alike for all; its `run`
//! loop is a `biased` `select!` whose first branch is the node's stop
//! signal ([`task::stopped`]), looked at between two pieces of work.
//!
//! Tests drive the API without sockets:
//!
//! ```no_run
//! # async fn example() -> xianjie_node::Result<()> {
//! use tower::ServiceExt as _;
//! let node = xianjie_node::Node::start_dev(xianjie_node::NodeConfig::dev("/tmp/home")).await?;
//! let request = axum::http::Request::get("/v1/status").body(axum::body::Body::empty()).unwrap();
//! let response = node.router().oneshot(request).await.unwrap();
//! assert!(response.status().is_success());
//! node.shutdown().await
//! # }
//! ```

pub mod api;
pub mod chain;
pub mod chain_export;
pub mod clock;
pub mod committed_tip;
pub mod config;
pub mod consensus;
pub mod dev;
pub mod disk;
pub mod error;
pub mod execution;
pub mod file_modes;
pub mod home;
pub mod http_server;
pub mod mempool;
pub mod metrics;
pub mod network_node;
pub mod node;
pub mod p2p;
pub mod producer;
pub mod status;
pub mod task;
pub mod vault;
pub mod web;

pub use api::{router, ApiError, AppState};
pub use config::NodeConfig;
pub use error::{Error, Result};
pub use node::Node;
