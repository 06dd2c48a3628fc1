//! Typed node configuration with defaults and validation.
//!
//! The library takes these structs; only the binary turns command-line flags
//! into them. Every queue and batch has a limit, and each limit's default
//! says why it has that value.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use xianjie_ledger::block::{MAX_BLOCK_BYTES, MAX_BLOCK_TXS};
use xianjie_ledger::tx::MAX_TX_BYTES;

use crate::error::{Error, Result};
use crate::vault::VaultLimits;

/// Most transactions waiting in the mempool. Ten thousand is several
/// minutes of the busiest expected load across all member agencies, so a
/// full mempool means the node is falling behind, not a normal burst.
pub const DEFAULT_MEMPOOL_MAX_TXS: usize = 10_000;
/// Most encoded bytes waiting in the mempool: 64 MiB keeps worst-case memory
/// bounded (4,096 maximum-size transactions) on a small agency server.
pub const DEFAULT_MEMPOOL_MAX_BYTES: usize = 64 * 1024 * 1024;
/// Most transactions in one block. Executing and committing 2,000 small
/// transactions takes well under a second, so a client waiting for its
/// transaction never waits behind more than about one second of work.
pub const DEFAULT_BLOCK_MAX_TXS: usize = 2_000;
/// Most encoded transaction bytes in one block: 4 MiB is an eighth of the
/// ledger's block limit, leaving room for the header and the certificate.
pub const DEFAULT_BLOCK_MAX_BYTES: usize = 4 * 1024 * 1024;
/// How long the producer waits after the first pending transaction before
/// building a block, so that a burst of submissions shares one block (and one
/// disk flush) instead of paying a flush each.
pub const DEFAULT_BATCH_WINDOW: Duration = Duration::from_millis(20);
/// How long `POST /v1/txs?wait=true` waits for the commit.
pub const DEFAULT_COMMIT_WAIT: Duration = Duration::from_secs(10);
/// How long any request may take; longer than the commit wait so that a
/// waiting submission answers `commit_timeout` rather than being cut off.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may take, from the first byte of a request, to send
/// all of its headers. Headers are a few hundred bytes: ten seconds is ample
/// on a poor link, and a client that sends half a request is dropped instead
/// of holding a connection (and an open file) forever.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may stay open with no request in progress and no
/// byte sent either way (a new connection waiting for its first request, or
/// a kept-alive one between requests). Longer than the 60-second idle
/// timeout of common load balancers, so that they, not the node, close
/// their pooled connections and never send a request into a closing one.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(75);
/// Most API connections open at once. Well under the common 1,024
/// open-file limit, leaving room for the store, the consensus write-ahead
/// log, vault files and the peer connections; past it a connection is
/// answered `503 too_many_connections` and closed.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Most API connections open at once from one IP address: a quarter of the
/// total, so that one client cannot lock the others out. Behind a load
/// balancer or reverse proxy every request comes from its few addresses:
/// raise it to `max_connections` there.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 128;
/// How old the latest block may be for `GET /readyz` to call a network node
/// caught up. An idle chain makes a block every `consensus.empty_block_wait`
/// (one second by default) and a round whose proposer is down costs a few
/// seconds more; thirty seconds without a block means this node, or the
/// whole network, is not committing.
pub const DEFAULT_READY_MAX_BLOCK_AGE: Duration = Duration::from_secs(30);
/// Address of the HTTP API in dev mode: loopback only, since dev keys sit in
/// plain files next to the node.
pub const DEFAULT_DEV_HTTP_ADDR: &str = "127.0.0.1:7070";
/// Home directory of the dev chain.
pub const DEFAULT_DEV_HOME: &str = ".xianjie-dev";

/// Bounds of the mempool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MempoolLimits {
    /// Most pending transactions.
    pub max_txs: usize,
    /// Most pending encoded bytes.
    pub max_bytes: usize,
}

/// Bounds of one block built by this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLimits {
    /// Most transactions.
    pub max_txs: usize,
    /// Most encoded transaction bytes.
    pub max_bytes: usize,
}

/// Timeouts and connection bounds of the HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiConfig {
    /// How long a `wait=true` submission waits for its commit.
    pub commit_wait: Duration,
    /// How long any request may take before it is answered `request_timeout`.
    pub request_timeout: Duration,
    /// How long a client may take, from a request's first byte, to send its headers.
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in progress and no traffic.
    pub idle_timeout: Duration,
    /// Most API connections open at once.
    pub max_connections: usize,
    /// Most API connections open at once from one IP address.
    pub max_connections_per_ip: usize,
    /// How old the latest block may be for `GET /readyz` to call a network
    /// node caught up.
    pub ready_max_block_age: Duration,
}

/// Everything a node needs besides its genesis and keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    /// The home directory (genesis.json, keys/, data/).
    pub home: PathBuf,
    /// Where the HTTP API listens.
    pub http_addr: SocketAddr,
    /// Mempool bounds.
    pub mempool: MempoolLimits,
    /// Block bounds.
    pub block: BlockLimits,
    /// Batching delay before building a block.
    pub batch_window: Duration,
    /// API timeouts.
    pub api: ApiConfig,
    /// Bounds of the evidence vault (`HOME/vault`).
    pub vault: VaultLimits,
    /// Free bytes the store's disk keeps (`storage.min_free_bytes`); below
    /// them the node takes no transactions and starts no height.
    pub min_free_bytes: u64,
}

impl Default for MempoolLimits {
    fn default() -> Self {
        MempoolLimits {
            max_txs: DEFAULT_MEMPOOL_MAX_TXS,
            max_bytes: DEFAULT_MEMPOOL_MAX_BYTES,
        }
    }
}

impl Default for BlockLimits {
    fn default() -> Self {
        BlockLimits {
            max_txs: DEFAULT_BLOCK_MAX_TXS,
            max_bytes: DEFAULT_BLOCK_MAX_BYTES,
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            commit_wait: DEFAULT_COMMIT_WAIT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
            ready_max_block_age: DEFAULT_READY_MAX_BLOCK_AGE,
        }
    }
}

impl NodeConfig {
    /// The dev-mode configuration for a home directory, with default limits.
    pub fn dev(home: impl Into<PathBuf>) -> Self {
        NodeConfig {
            home: home.into(),
            http_addr: DEFAULT_DEV_HTTP_ADDR
                .parse()
                .expect("the default address is a valid socket address"),
            mempool: MempoolLimits::default(),
            block: BlockLimits::default(),
            batch_window: DEFAULT_BATCH_WINDOW,
            api: ApiConfig::default(),
            vault: VaultLimits::default(),
            min_free_bytes: crate::disk::DEFAULT_MIN_FREE_BYTES,
        }
    }

    /// Checks that the limits are usable and consistent with the ledger's.
    pub fn validate(&self) -> Result<()> {
        let fail = |reason: String| Err(Error::Config { reason });
        if self.mempool.max_txs == 0 || self.mempool.max_bytes < MAX_TX_BYTES {
            return fail(format!(
                "the mempool must hold at least one transaction of {MAX_TX_BYTES} bytes"
            ));
        }
        if self.block.max_txs == 0 || self.block.max_txs > MAX_BLOCK_TXS {
            return fail(format!("block.max_txs must be 1-{MAX_BLOCK_TXS}"));
        }
        // Half the ledger limit leaves room for the header, the certificate
        // and the per-transaction length prefixes.
        if self.block.max_bytes < MAX_TX_BYTES || self.block.max_bytes > MAX_BLOCK_BYTES / 2 {
            return fail(format!(
                "block.max_bytes must be between {MAX_TX_BYTES} and {}",
                MAX_BLOCK_BYTES / 2
            ));
        }
        if self.api.commit_wait.is_zero() || self.api.request_timeout <= self.api.commit_wait {
            return fail(
                "api.request_timeout must be longer than api.commit_wait, which must be positive"
                    .into(),
            );
        }
        self.api.validate_connections()
    }
}

impl ApiConfig {
    /// Checks the connection timeouts and bounds.
    pub fn validate_connections(&self) -> Result<()> {
        let fail = |reason: &str| {
            Err(Error::Config {
                reason: reason.to_owned(),
            })
        };
        if self.header_read_timeout.is_zero() || self.idle_timeout.is_zero() {
            return fail("api.header_read_timeout and api.idle_timeout must be positive");
        }
        if self.max_connections == 0 {
            return fail("api.max_connections must be at least 1");
        }
        if self.max_connections_per_ip == 0 || self.max_connections_per_ip > self.max_connections {
            return fail("api.max_connections_per_ip must be between 1 and api.max_connections");
        }
        if self.ready_max_block_age.is_zero() {
            return fail("api.ready_max_block_age must be positive");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_defaults_validate_and_bad_limits_do_not() {
        let config = NodeConfig::dev("/tmp/x");
        config.validate().unwrap();
        let mut bad = config.clone();
        bad.block.max_txs = 0;
        assert!(bad.validate().is_err());
        let mut bad = config.clone();
        bad.api.request_timeout = bad.api.commit_wait;
        assert!(bad.validate().is_err());
        let mut bad = config;
        bad.mempool.max_bytes = 10;
        assert!(bad.validate().is_err());
    }

    #[test]
    fn connection_bounds_and_timeouts_are_validated() {
        let config = NodeConfig::dev("/tmp/x");
        let broken: [fn(&mut ApiConfig); 6] = [
            |api| api.header_read_timeout = Duration::ZERO,
            |api| api.idle_timeout = Duration::ZERO,
            |api| api.max_connections = 0,
            |api| api.max_connections_per_ip = 0,
            |api| api.max_connections_per_ip = api.max_connections + 1,
            |api| api.ready_max_block_age = Duration::ZERO,
        ];
        for breaks in broken {
            let mut bad = config.clone();
            breaks(&mut bad.api);
            let error = bad.validate().unwrap_err().to_string();
            assert!(error.contains("api."), "{error}");
        }
    }
}
