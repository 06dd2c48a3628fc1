//! The answers of `GET /v1/blocks/{height}` and `GET /v1/status`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use xianjie_ledger::block::{Commit, Header, TxResult};

/// A committed block: header, transaction hashes, results and certificate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BlockView {
    /// Block hash (hash of the header), hex.
    pub hash: String,
    /// The header.
    #[schema(value_type = Object)]
    pub header: Header,
    /// Transaction hashes in block order, hex.
    pub txs: Vec<String>,
    /// Per-transaction results in block order.
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<TxResult>,
    /// The commit certificate.
    #[schema(value_type = Object)]
    pub commit: Commit,
}

/// One validator of the set in force.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValidatorView {
    /// Key id, hex.
    pub id: String,
    /// Consensus public key, hex.
    pub public_key: String,
    /// Voting power.
    pub power: u64,
    /// Organisation that runs it.
    pub org: String,
}

/// The node's view of the chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusView {
    /// Chain id.
    pub chain_id: String,
    /// Latest committed height (0 before the first block).
    pub height: u64,
    /// Hash of the latest block (the genesis hash at height 0).
    pub latest_block_hash: String,
    /// Time of the latest block (the genesis time at height 0), Unix ms.
    pub latest_time_ms: u64,
    /// State root after the latest block.
    pub state_root: String,
    /// Hash of the genesis document.
    pub genesis_hash: String,
    /// Transactions waiting for a block.
    pub mempool_size: usize,
    /// The validator set in force (it commits the next block).
    pub validators: Vec<ValidatorView>,
    /// Version of this node software.
    pub version: String,
    /// Network state; absent on a one-validator dev node.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub network: Option<NetworkView>,
}

/// A network node's view of its peers, consensus and sync.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NetworkView {
    /// This node's moniker.
    pub moniker: String,
    /// This node's libp2p peer id (derived from its node key).
    pub peer_id: String,
    /// Connected consensus peers.
    pub peers: Vec<PeerView>,
    /// Number of connected transaction gossip peers.
    pub gossip_peers: usize,
    /// Peer ids of the validators this node has no consensus connection
    /// to. Consensus messages travel directly between validators and are
    /// not relayed: on a validator this list should be empty.
    pub unconnected_validators: Vec<String>,
    /// Consensus round of the height in progress.
    pub round: u64,
    /// Whether the consensus network listens and answers. When it does
    /// not, this node hears no votes or blocks.
    pub consensus_listening: bool,
    /// `not_listening` while the consensus network is not running,
    /// `syncing` while blocks arrive through block sync, else `caught_up`.
    pub sync: String,
    /// Blocks received through sync since the node started.
    pub synced_blocks: u64,
}

/// One connected consensus peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PeerView {
    /// libp2p peer id.
    pub peer_id: String,
    /// The peer's moniker.
    pub moniker: String,
    /// The address of the connection.
    pub address: String,
}
