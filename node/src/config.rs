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

/// Timeouts of the HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiConfig {
    /// How long a `wait=true` submission waits for its commit.
    pub commit_wait: Duration,
    /// How long any request may take before it is answered `request_timeout`.
    pub request_timeout: Duration,
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
}
