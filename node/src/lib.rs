//! Run a Xianjie node: admit transactions, produce and commit blocks, serve the HTTP API.
//!
//! Two modes. `xianjie-node dev` runs one validator that commits a block
//! whenever transactions are pending and signs the commit certificate
//! itself. `xianjie-node start --home DIR` runs one node of a network of
//! agencies: blocks are decided by Byzantine fault-tolerant consensus
//! ([`consensus`], Malachite over libp2p) among the validators, transactions
//! reach every node by gossip ([`p2p`]), and only node keys registered on
//! chain may connect. `xianjie-node testnet` ([`testnet`]) writes the homes
//! ([`home`]) of such a network; [`network_node`] starts one.
//!
//! The parts of the dev node, in the order a transaction meets them:
//!
//! - [`api`]: the axum router; `POST /v1/txs` admits a transaction.
//! - [`mempool`]: admission checks (size, canonical decode, signature,
//!   envelope, duplicates, signer) and the bounded queue.
//! - [`producer`]: waits for pending transactions and commits blocks.
//! - [`chain`]: builds, executes (with `xianjie-contracts`), signs and commits
//!   one block to the `xianjie-ledger` store.
//! - [`dev`]: the dev home with its genesis and demo keys; [`config`]: limits
//!   and timeouts; [`node`]: start, serve and shut down; [`http_server`]:
//!   the API's connections, their timeouts and bounds.
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
pub mod clock;
pub mod committed_tip;
pub mod config;
pub mod consensus;
pub mod dev;
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
pub mod vault;
pub mod web;

pub use api::{router, ApiError, AppState};
pub use config::NodeConfig;
pub use error::{Error, Result};
pub use node::Node;
