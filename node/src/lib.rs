//! Run a Xianjie node: admit transactions, produce and commit blocks, serve the HTTP API.
//!
//! This build runs one validator (`xianjie-node dev`): it commits a block
//! whenever transactions are pending, signs the commit certificate itself,
//! and serves the `/v1` JSON API. The parts, in the order a transaction
//! meets them:
//!
//! - [`api`]: the axum router; `POST /v1/txs` admits a transaction.
//! - [`mempool`]: admission checks (size, canonical decode, signature,
//!   envelope, duplicates, signer) and the bounded queue.
//! - [`producer`]: waits for pending transactions and commits blocks.
//! - [`chain`]: builds, executes (with `xianjie-contracts`), signs and commits
//!   one block to the `xianjie-ledger` store.
//! - [`dev`]: the dev home with its genesis and demo keys; [`config`]: limits
//!   and timeouts; [`node`]: start, serve and shut down.
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
pub mod config;
pub mod dev;
pub mod error;
pub mod mempool;
pub mod node;
pub mod producer;

pub use api::{router, ApiError, AppState};
pub use config::NodeConfig;
pub use error::{Error, Result};
pub use node::Node;
