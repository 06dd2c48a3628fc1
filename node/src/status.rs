//! What a network node knows about its peers and sync, for `/v1/status`.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long after the last block received through sync a node still
/// reports itself as syncing.
pub const SYNCING_GRACE: Duration = Duration::from_secs(3);

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

/// Shared, updated by the consensus and gossip tasks.
#[derive(Debug)]
pub struct NetworkStatus {
    /// This node's moniker.
    pub moniker: String,
    /// This node's libp2p peer id.
    pub peer_id: String,
    /// Consensus peers, refreshed every few seconds.
    pub consensus_peers: Mutex<Vec<PeerView>>,
    /// Number of connected gossip peers.
    pub gossip_peers: Arc<AtomicUsize>,
    /// Consensus round of the height in progress.
    pub round: AtomicU64,
    /// Blocks received through sync since start.
    pub synced_blocks: AtomicU64,
    last_synced: Mutex<Option<Instant>>,
}

impl NetworkStatus {
    /// A status with no peers yet.
    pub fn new(moniker: String, peer_id: String) -> Self {
        NetworkStatus {
            moniker,
            peer_id,
            consensus_peers: Mutex::new(Vec::new()),
            gossip_peers: Arc::new(AtomicUsize::new(0)),
            round: AtomicU64::new(0),
            synced_blocks: AtomicU64::new(0),
            last_synced: Mutex::new(None),
        }
    }

    /// Records a block received through sync.
    pub fn synced_one(&self) {
        self.synced_blocks.fetch_add(1, Ordering::Relaxed);
        *self.last_synced.lock().expect("status lock") = Some(Instant::now());
    }

    /// `syncing` while blocks arrive through sync, else `caught_up`.
    pub fn sync_state(&self) -> &'static str {
        let last = *self.last_synced.lock().expect("status lock");
        match last {
            Some(at) if at.elapsed() < SYNCING_GRACE => "syncing",
            _ => "caught_up",
        }
    }

    /// The consensus peers.
    pub fn peers(&self) -> Vec<PeerView> {
        self.consensus_peers.lock().expect("status lock").clone()
    }
}
