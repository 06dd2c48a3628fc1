//! The home of one node of a network (`xianjie-node start --home DIR`) and
//! its `config.toml`.
//!
//! ```text
//! DIR/config.toml       this file's settings (see CONFIG_TEMPLATE for every key and default)
//! DIR/genesis.json      the chain's genesis, identical on every node
//! DIR/keys/node.key     the node's ed25519 key: its consensus key and, derived
//!                       from the same seed, its libp2p identity (mode 0600)
//! DIR/data/             the sled store
//! DIR/committed-tip     the last committed height and block hash, outside
//!                       the store (see committed_tip)
//! DIR/wal/              the consensus write-ahead log
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{
    ApiConfig, BlockLimits, MempoolLimits, DEFAULT_BATCH_WINDOW, DEFAULT_BLOCK_MAX_BYTES,
    DEFAULT_BLOCK_MAX_TXS, DEFAULT_COMMIT_WAIT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_IP as DEFAULT_API_MAX_CONNECTIONS_PER_IP,
    DEFAULT_MEMPOOL_MAX_BYTES, DEFAULT_MEMPOOL_MAX_TXS, DEFAULT_READY_MAX_BLOCK_AGE,
    DEFAULT_REQUEST_TIMEOUT,
};
use crate::error::{Error, Result};
use crate::vault::VaultLimits;

/// The files of a network node's home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeHome {
    root: PathBuf,
}

impl NodeHome {
    /// The home rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        NodeHome { root: root.into() }
    }

    /// The home directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `DIR/config.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    /// `DIR/genesis.json`.
    pub fn genesis_path(&self) -> PathBuf {
        self.root.join("genesis.json")
    }

    /// `DIR/keys/node.key`.
    pub fn node_key_path(&self) -> PathBuf {
        self.root.join("keys").join("node.key")
    }

    /// `DIR/data`.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// `DIR/wal/consensus.wal`.
    pub fn wal_path(&self) -> PathBuf {
        self.root.join("wal").join("consensus.wal")
    }

    /// Reads and validates `config.toml`.
    pub fn read_config(&self) -> Result<FileConfig> {
        let path = self.config_path();
        let text = std::fs::read_to_string(&path).map_err(Error::io("reading", &path))?;
        let config: FileConfig = toml::from_str(&text).map_err(|e| Error::Config {
            reason: format!("{}: {e}", path.display()),
        })?;
        config.validate()?;
        Ok(config)
    }
}

/// `config.toml` of a network node. Every section and key but `moniker`,
/// `api.listen` and `p2p.*` has a default; unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The node's name in logs and metrics.
    pub moniker: String,
    /// The key this validator signs votes and proposals with, when it is
    /// not the node key: a `pkcs11:` URI (a server cipher machine) or a key
    /// file. The node key stays the peer identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consensus_key: Option<String>,
    /// The HTTP API.
    pub api: ApiSection,
    /// Peer-to-peer networking.
    pub p2p: P2pSection,
    /// Consensus timing.
    #[serde(default)]
    pub consensus: ConsensusSection,
    /// Block sync.
    #[serde(default)]
    pub sync: SyncSection,
    /// Mempool bounds.
    #[serde(default)]
    pub mempool: MempoolSection,
    /// Bounds of the blocks this node proposes.
    #[serde(default)]
    pub block: BlockSection,
    /// The evidence vault.
    #[serde(default)]
    pub vault: VaultSection,
    /// The store's disk.
    #[serde(default)]
    pub storage: StorageSection,
    /// Fault injection for the test suite only; never set on a real node.
    #[serde(default, skip_serializing_if = "TestingSection::is_off")]
    pub testing: TestingSection,
}

/// `[api]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSection {
    /// Where the HTTP API listens.
    pub listen: SocketAddr,
    /// How long `POST /v1/txs?wait=true` waits for the commit.
    #[serde(default = "default_commit_wait", with = "humantime_serde")]
    pub commit_wait: Duration,
    /// How long any request may take.
    #[serde(default = "default_request_timeout", with = "humantime_serde")]
    pub request_timeout: Duration,
    /// How long a client may take, from a request's first byte, to send its headers.
    #[serde(default = "default_header_read_timeout", with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in progress and no traffic.
    #[serde(default = "default_idle_timeout", with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// Most API connections open at once.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Most API connections open at once from one IP address.
    #[serde(default = "default_api_max_connections_per_ip")]
    pub max_connections_per_ip: usize,
    /// How old the latest block may be for `GET /readyz` to answer 200.
    #[serde(default = "default_ready_max_block_age", with = "humantime_serde")]
    pub ready_max_block_age: Duration,
}

/// `[p2p]`. Addresses are libp2p multiaddrs; a peer's address ends in
/// `/p2p/<peer id>`, which pins the key it must prove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct P2pSection {
    /// Where consensus (votes, proposals, sync) listens, e.g. `/ip4/0.0.0.0/tcp/7170`.
    pub listen: String,
    /// Where transaction gossip listens, e.g. `/ip4/0.0.0.0/tcp/7270`.
    pub gossip_listen: String,
    /// Consensus peers to keep connected.
    #[serde(default)]
    pub persistent_peers: Vec<String>,
    /// Gossip peers to keep connected.
    #[serde(default)]
    pub gossip_peers: Vec<String>,
    /// Most connections from one IP address (several nodes on one machine need more than 5).
    #[serde(default = "default_max_connections_per_ip")]
    pub max_connections_per_ip: usize,
}

/// `[consensus]`: Tendermint timeouts and block timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsensusSection {
    /// How long to wait for a proposal before prevoting nil, in round 0.
    #[serde(with = "humantime_serde")]
    pub timeout_propose: Duration,
    /// How much `timeout_propose` grows each round.
    #[serde(with = "humantime_serde")]
    pub timeout_propose_delta: Duration,
    /// How long to wait for more prevotes after seeing 2/3 of any.
    #[serde(with = "humantime_serde")]
    pub timeout_prevote: Duration,
    /// How long to wait for more precommits after seeing 2/3 of any.
    #[serde(with = "humantime_serde")]
    pub timeout_precommit: Duration,
    /// How much the prevote and precommit timeouts grow each round.
    #[serde(with = "humantime_serde")]
    pub timeout_vote_delta: Duration,
    /// How long a proposer with an empty mempool waits for a transaction
    /// before proposing an empty block. Bounds the block rate of an idle chain.
    #[serde(with = "humantime_serde")]
    pub empty_block_wait: Duration,
    /// How far ahead of this node's clock a proposed block time may be.
    #[serde(with = "humantime_serde")]
    pub max_clock_drift: Duration,
}

/// `[sync]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncSection {
    /// How often this node tells its peers its height.
    #[serde(with = "humantime_serde")]
    pub status_interval: Duration,
    /// How long to wait for a block range from a peer.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
}

/// `[mempool]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MempoolSection {
    /// Most pending transactions.
    pub max_txs: usize,
    /// Most pending encoded bytes.
    pub max_bytes: usize,
}

/// `[block]`: bounds of the blocks this node proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlockSection {
    /// Most transactions.
    pub max_txs: usize,
    /// Most encoded transaction bytes.
    pub max_bytes: usize,
}

/// `[vault]`: bounds of the evidence vault (`HOME/vault`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VaultSection {
    /// Largest evidence file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Free disk space, in bytes, that uploads and transfers never use.
    pub min_free_bytes: u64,
    /// Slowest average upload rate, in bytes per second, over any period of
    /// `api.request_timeout` (0: no floor).
    pub min_upload_bytes_per_sec: u64,
}

impl Default for VaultSection {
    fn default() -> Self {
        let limits = VaultLimits::default();
        VaultSection {
            max_file_bytes: limits.max_file_bytes,
            min_free_bytes: limits.min_free_bytes,
            min_upload_bytes_per_sec: limits.min_upload_bytes_per_sec,
        }
    }
}

/// `[storage]`: the store's disk (`HOME/data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSection {
    /// Free disk space, in bytes, below which the node takes no
    /// transactions and starts no new height (`crate::disk`).
    pub min_free_bytes: u64,
}

impl Default for StorageSection {
    fn default() -> Self {
        StorageSection {
            min_free_bytes: crate::disk::DEFAULT_MIN_FREE_BYTES,
        }
    }
}

/// `[testing]`: makes this node misbehave so the test suite can check that
/// the others survive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TestingSection {
    /// Sign a conflicting vote for every vote and a conflicting proposal for
    /// every proposal (double signing).
    pub equivocate: bool,
}

impl TestingSection {
    fn is_off(&self) -> bool {
        !self.equivocate
    }
}

/// Default `consensus.timeout_propose`: on a LAN a proposal of a few MB
/// arrives well within a second; two leave room for a slow disk.
pub const DEFAULT_TIMEOUT_PROPOSE: Duration = Duration::from_secs(2);
/// Default `consensus.timeout_prevote` and `timeout_precommit`.
pub const DEFAULT_TIMEOUT_VOTE: Duration = Duration::from_secs(1);
/// Default `consensus.timeout_propose_delta` and `timeout_vote_delta`.
pub const DEFAULT_TIMEOUT_DELTA: Duration = Duration::from_millis(500);
/// Default `consensus.empty_block_wait`: an idle chain makes one block a second.
pub const DEFAULT_EMPTY_BLOCK_WAIT: Duration = Duration::from_secs(1);
/// Default `consensus.max_clock_drift`.
pub const DEFAULT_MAX_CLOCK_DRIFT: Duration = Duration::from_secs(5);
/// Default `sync.status_interval`.
pub const DEFAULT_SYNC_STATUS_INTERVAL: Duration = Duration::from_secs(2);
/// Default `sync.request_timeout`.
pub const DEFAULT_SYNC_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Default `p2p.max_connections_per_ip`.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 64;

fn default_commit_wait() -> Duration {
    DEFAULT_COMMIT_WAIT
}

fn default_request_timeout() -> Duration {
    DEFAULT_REQUEST_TIMEOUT
}

fn default_header_read_timeout() -> Duration {
    DEFAULT_HEADER_READ_TIMEOUT
}

fn default_idle_timeout() -> Duration {
    DEFAULT_IDLE_TIMEOUT
}

fn default_max_connections() -> usize {
    DEFAULT_MAX_CONNECTIONS
}

fn default_api_max_connections_per_ip() -> usize {
    DEFAULT_API_MAX_CONNECTIONS_PER_IP
}

fn default_ready_max_block_age() -> Duration {
    DEFAULT_READY_MAX_BLOCK_AGE
}

fn default_max_connections_per_ip() -> usize {
    DEFAULT_MAX_CONNECTIONS_PER_IP
}

impl Default for ConsensusSection {
    fn default() -> Self {
        ConsensusSection {
            timeout_propose: DEFAULT_TIMEOUT_PROPOSE,
            timeout_propose_delta: DEFAULT_TIMEOUT_DELTA,
            timeout_prevote: DEFAULT_TIMEOUT_VOTE,
            timeout_precommit: DEFAULT_TIMEOUT_VOTE,
            timeout_vote_delta: DEFAULT_TIMEOUT_DELTA,
            empty_block_wait: DEFAULT_EMPTY_BLOCK_WAIT,
            max_clock_drift: DEFAULT_MAX_CLOCK_DRIFT,
        }
    }
}

impl Default for SyncSection {
    fn default() -> Self {
        SyncSection {
            status_interval: DEFAULT_SYNC_STATUS_INTERVAL,
            request_timeout: DEFAULT_SYNC_REQUEST_TIMEOUT,
        }
    }
}

impl Default for MempoolSection {
    fn default() -> Self {
        MempoolSection {
            max_txs: DEFAULT_MEMPOOL_MAX_TXS,
            max_bytes: DEFAULT_MEMPOOL_MAX_BYTES,
        }
    }
}

impl Default for BlockSection {
    fn default() -> Self {
        BlockSection {
            max_txs: DEFAULT_BLOCK_MAX_TXS,
            max_bytes: DEFAULT_BLOCK_MAX_BYTES,
        }
    }
}

impl FileConfig {
    /// The limits and API settings shared with the dev node, validated.
    pub fn node_config(&self, home: &Path) -> Result<crate::NodeConfig> {
        let config = crate::NodeConfig {
            home: home.to_owned(),
            http_addr: self.api.listen,
            mempool: MempoolLimits {
                max_txs: self.mempool.max_txs,
                max_bytes: self.mempool.max_bytes,
            },
            block: BlockLimits {
                max_txs: self.block.max_txs,
                max_bytes: self.block.max_bytes,
            },
            batch_window: DEFAULT_BATCH_WINDOW,
            api: ApiConfig {
                commit_wait: self.api.commit_wait,
                request_timeout: self.api.request_timeout,
                header_read_timeout: self.api.header_read_timeout,
                idle_timeout: self.api.idle_timeout,
                max_connections: self.api.max_connections,
                max_connections_per_ip: self.api.max_connections_per_ip,
                ready_max_block_age: self.api.ready_max_block_age,
            },
            vault: VaultLimits {
                max_file_bytes: self.vault.max_file_bytes,
                min_free_bytes: self.vault.min_free_bytes,
                min_upload_bytes_per_sec: self.vault.min_upload_bytes_per_sec,
            },
            min_free_bytes: self.storage.min_free_bytes,
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<()> {
        let fail = |reason: String| Err(Error::Config { reason });
        if self.moniker.is_empty() {
            return fail("moniker must not be empty".into());
        }
        let c = &self.consensus;
        if c.timeout_propose.is_zero()
            || c.timeout_prevote.is_zero()
            || c.timeout_precommit.is_zero()
        {
            return fail("consensus timeouts must be positive".into());
        }
        if c.empty_block_wait >= c.timeout_propose {
            return fail(
                "consensus.empty_block_wait must be shorter than consensus.timeout_propose, \
                 or validators give up on the proposal before it is made"
                    .into(),
            );
        }
        if self.sync.status_interval.is_zero() || self.sync.request_timeout.is_zero() {
            return fail("sync intervals must be positive".into());
        }
        if self.p2p.max_connections_per_ip == 0 {
            return fail("p2p.max_connections_per_ip must be positive".into());
        }
        self.node_config(Path::new("")).map(drop)
    }
}

/// Values that differ per node when `testnet` writes `config.toml`.
pub struct ConfigValues<'a> {
    /// `moniker`.
    pub moniker: &'a str,
    /// `api.listen`.
    pub api_listen: SocketAddr,
    /// `p2p.listen`.
    pub p2p_listen: &'a str,
    /// `p2p.gossip_listen`.
    pub gossip_listen: &'a str,
    /// `p2p.persistent_peers`.
    pub persistent_peers: &'a [String],
    /// `p2p.gossip_peers`.
    pub gossip_peers: &'a [String],
    /// `consensus.timeout_propose`.
    pub timeout_propose: Duration,
    /// `consensus.empty_block_wait`.
    pub empty_block_wait: Duration,
}

/// The text of a `config.toml` with every key, its default and what it does.
pub fn config_text(values: &ConfigValues<'_>) -> String {
    let list = |items: &[String]| {
        if items.is_empty() {
            "[]".to_owned()
        } else {
            let lines: Vec<String> = items
                .iter()
                .map(|item| format!("    \"{item}\","))
                .collect();
            format!("[\n{}\n]", lines.join("\n"))
        }
    };
    let duration = |d: Duration| humantime_serde::re::humantime::format_duration(d).to_string();
    format!(
        r#"# xianjie-node configuration. `xianjie-node start --home DIR` reads DIR/config.toml.
# Durations are written like "500ms", "2s", "1m".

# The node's name in logs and metrics.
moniker = "{moniker}"

# The key this validator signs votes and proposals with, if not keys/node.key:
# a key on a PKCS#11 token (server cipher machine), e.g.
#   consensus_key = "pkcs11:token=VALIDATOR;object=consensus?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/etc/xianjie/pin"
# (the PIN file readable by the node's user only; without pin-source the PIN
# comes from the node passphrase's sources), or a key file relative to this
# directory. keys/node.key stays the node's peer identity: the validator proves
# its consensus key to peers over that identity. The genesis (or the validator
# set) must hold this key's public key, and the other nodes must let this
# node's peer id in: list it in their persistent_peers, or have the organisation
# register keys/node.key as a node key (`xianjie node-key register`).
# consensus_key = "pkcs11:token=…;object=…"

[api]
# Where the HTTP API (/v1/..., /metrics) listens.
listen = "{api_listen}"
# How long POST /v1/txs?wait=true waits for the commit.
commit_wait = "{commit_wait}"
# How long any request may take.
request_timeout = "{request_timeout}"
# How long a client may take, from a request's first byte, to send all its
# headers; a client that sends half a request is disconnected.
header_read_timeout = "{header_read_timeout}"
# How long a connection may stay open with no request in progress and nothing
# sent either way (keep-alive); keep it longer than a load balancer's idle timeout.
idle_timeout = "{idle_timeout}"
# Most API connections open at once, and from one IP address. Past either bound
# a connection is answered 503 (too_many_connections) and closed. Keep
# max_connections well under the open-file limit (`ulimit -n`, systemd
# LimitNOFILE=). Behind a load balancer or reverse proxy every client shares its
# address: set max_connections_per_ip to max_connections there.
max_connections = {max_connections}
max_connections_per_ip = {api_max_per_ip}
# GET /readyz answers 503 when the latest block is older than this.
ready_max_block_age = "{ready_max_block_age}"

[p2p]
# Consensus (votes, proposals, block sync): a libp2p multiaddr, TCP or QUIC.
listen = "{p2p_listen}"
# Transaction gossip, a second small libp2p network beside consensus.
gossip_listen = "{gossip_listen}"
# Peers to keep connected. A peer's address ends in /p2p/<peer id>; its peer id
# is derived from its node key. Besides these peers, only node keys registered
# on chain (validators and organisations' node keys) are let in. Votes and
# proposals are not relayed: a validator lists every other validator.
persistent_peers = {persistent_peers}
gossip_peers = {gossip_peers}
# Most connections from one IP address (several nodes on one machine need more than 5).
max_connections_per_ip = {max_per_ip}

[consensus]
# Tendermint timeouts of round 0; each round adds the delta.
timeout_propose = "{timeout_propose}"
timeout_propose_delta = "{delta}"
timeout_prevote = "{vote}"
timeout_precommit = "{vote}"
timeout_vote_delta = "{delta}"
# How long a proposer with an empty mempool waits for a transaction before it
# proposes an empty block (bounds the block rate of an idle chain; must be
# shorter than timeout_propose).
empty_block_wait = "{empty_block_wait}"
# How far ahead of this node's clock a proposed block time may be.
max_clock_drift = "{drift}"

[sync]
# How often this node tells its peers its height, and how long it waits for
# a range of blocks from a peer.
status_interval = "{status_interval}"
request_timeout = "{sync_timeout}"

[mempool]
# Bounds of the pending transactions.
max_txs = {mempool_txs}
max_bytes = {mempool_bytes}

[block]
# Bounds of the blocks this node proposes.
max_txs = {block_txs}
max_bytes = {block_bytes}

[vault]
# Evidence files live in HOME/vault, named by their BLAKE3 digest.
# Largest file accepted (uploads and transfers from other nodes), in bytes.
max_file_bytes = {vault_max}
# Free disk space, in bytes, that the vault never uses.
min_free_bytes = {vault_reserve}
# Slowest average rate, in bytes per second, an upload may keep over any
# period of api.request_timeout; a slower one is cut off (0: no floor).
min_upload_bytes_per_sec = {vault_min_rate}

[storage]
# Free disk space, in bytes, the store keeps on HOME/data's file system.
# Below it the node refuses new transactions (disk_full) and starts no new
# height (a validator stops voting) until space is freed; below twice it the
# log warns. Reads go on. Set it to what a day of this node's traffic needs.
min_free_bytes = {storage_reserve}
"#,
        moniker = values.moniker,
        api_listen = values.api_listen,
        commit_wait = duration(DEFAULT_COMMIT_WAIT),
        request_timeout = duration(DEFAULT_REQUEST_TIMEOUT),
        header_read_timeout = duration(DEFAULT_HEADER_READ_TIMEOUT),
        idle_timeout = duration(DEFAULT_IDLE_TIMEOUT),
        max_connections = DEFAULT_MAX_CONNECTIONS,
        api_max_per_ip = DEFAULT_API_MAX_CONNECTIONS_PER_IP,
        ready_max_block_age = duration(DEFAULT_READY_MAX_BLOCK_AGE),
        p2p_listen = values.p2p_listen,
        gossip_listen = values.gossip_listen,
        persistent_peers = list(values.persistent_peers),
        gossip_peers = list(values.gossip_peers),
        max_per_ip = DEFAULT_MAX_CONNECTIONS_PER_IP,
        vault_max = crate::vault::DEFAULT_MAX_FILE_BYTES,
        vault_reserve = crate::vault::DEFAULT_MIN_FREE_BYTES,
        vault_min_rate = crate::vault::DEFAULT_MIN_UPLOAD_BYTES_PER_SEC,
        storage_reserve = crate::disk::DEFAULT_MIN_FREE_BYTES,
        timeout_propose = duration(values.timeout_propose),
        delta = duration(DEFAULT_TIMEOUT_DELTA),
        vote = duration(DEFAULT_TIMEOUT_VOTE),
        empty_block_wait = duration(values.empty_block_wait),
        drift = duration(DEFAULT_MAX_CLOCK_DRIFT),
        status_interval = duration(DEFAULT_SYNC_STATUS_INTERVAL),
        sync_timeout = duration(DEFAULT_SYNC_REQUEST_TIMEOUT),
        mempool_txs = DEFAULT_MEMPOOL_MAX_TXS,
        mempool_bytes = DEFAULT_MEMPOOL_MAX_BYTES,
        block_txs = DEFAULT_BLOCK_MAX_TXS,
        block_bytes = DEFAULT_BLOCK_MAX_BYTES,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_config_parses_back_with_the_documented_defaults() {
        let text = config_text(&ConfigValues {
            moniker: "node0",
            api_listen: "127.0.0.1:7070".parse().unwrap(),
            p2p_listen: "/ip4/127.0.0.1/tcp/7170",
            gossip_listen: "/ip4/127.0.0.1/tcp/7270",
            persistent_peers: &["/ip4/127.0.0.1/tcp/7171/p2p/x".to_owned()],
            gossip_peers: &[],
            timeout_propose: DEFAULT_TIMEOUT_PROPOSE,
            empty_block_wait: DEFAULT_EMPTY_BLOCK_WAIT,
        });
        let config: FileConfig = toml::from_str(&text).unwrap();
        config.validate().unwrap();
        assert_eq!(config.consensus, ConsensusSection::default());
        assert_eq!(config.sync, SyncSection::default());
        assert_eq!(config.mempool, MempoolSection::default());
        assert_eq!(config.block, BlockSection::default());
        assert!(!config.testing.equivocate);
        assert_eq!(config.p2p.persistent_peers.len(), 1);
        let minimal: FileConfig = toml::from_str(
            "moniker = \"n\"\n[api]\nlisten = \"127.0.0.1:1\"\n[p2p]\nlisten = \"/ip4/127.0.0.1/tcp/2\"\ngossip_listen = \"/ip4/127.0.0.1/tcp/3\"\n",
        )
        .unwrap();
        assert_eq!(minimal.consensus, config.consensus);
        let mut written_api = config.api.clone();
        written_api.listen = minimal.api.listen;
        assert_eq!(
            minimal.api, written_api,
            "the template writes the API defaults"
        );
        let api = minimal.node_config(Path::new("/tmp/x")).unwrap().api;
        assert_eq!(api, ApiConfig::default());
        assert!(toml::from_str::<FileConfig>(&format!("{text}\nunknown = 1\n")).is_err());
        assert_eq!(config.consensus_key, None, "the node key signs by default");
        let with_token: FileConfig = toml::from_str(&format!(
            "consensus_key = \"pkcs11:token=t;object=o\"\n{text}"
        ))
        .unwrap();
        assert_eq!(
            with_token.consensus_key.as_deref(),
            Some("pkcs11:token=t;object=o")
        );
    }
}
