//! What a network node knows about its peers and sync, for `/v1/status`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libp2p::PeerId;
pub use xianjie_api::chain::PeerView;
use xianjie_ledger::crypto::PublicKey;

/// How long after the last block received through sync a node still
/// reports itself as syncing.
pub const SYNCING_GRACE: Duration = Duration::from_secs(3);

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
    /// Validators this node has no consensus connection to, refreshed with
    /// the peers.
    unconnected_validators: Mutex<Vec<String>>,
    /// The unconnected validators last warned about.
    warned_unconnected: Mutex<Vec<String>>,
    last_synced: Mutex<Option<Instant>>,
    /// Whether the consensus network listens and answers; false until the
    /// engine's start confirms it, and again if it stops.
    consensus_listening: AtomicBool,
    /// The validator key each connected consensus peer proved, by peer id
    /// bytes, refreshed with the peers.
    validator_proofs: Mutex<HashMap<Vec<u8>, PublicKey>>,
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
            unconnected_validators: Mutex::new(Vec::new()),
            warned_unconnected: Mutex::new(Vec::new()),
            last_synced: Mutex::new(None),
            consensus_listening: AtomicBool::new(false),
            validator_proofs: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the validator keys the connected peers proved.
    pub fn set_validator_proofs(&self, proofs: HashMap<Vec<u8>, PublicKey>) {
        *self
            .validator_proofs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = proofs;
    }

    /// The validator key the connected peer `peer_id` (its bytes) proved.
    pub fn proven_validator_key(&self, peer_id: &[u8]) -> Option<PublicKey> {
        self.validator_proofs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(peer_id)
            .copied()
    }

    /// Records a block received through sync.
    pub fn synced_one(&self) {
        self.synced_blocks.fetch_add(1, Ordering::Relaxed);
        *self.last_synced.lock().expect("status lock") = Some(Instant::now());
    }

    /// `not_listening` while the consensus network is not running (the
    /// node hears no votes and no blocks, so it cannot know whether it is
    /// behind), `syncing` while blocks arrive through sync, else `caught_up`.
    pub fn sync_state(&self) -> &'static str {
        if !self.consensus_listening() {
            return "not_listening";
        }
        let last = *self.last_synced.lock().expect("status lock");
        match last {
            Some(at) if at.elapsed() < SYNCING_GRACE => "syncing",
            _ => "caught_up",
        }
    }

    /// Whether the consensus network listens and answers.
    pub fn consensus_listening(&self) -> bool {
        self.consensus_listening.load(Ordering::Relaxed)
    }

    /// Records whether the consensus network listens and answers.
    pub fn set_consensus_listening(&self, listening: bool) {
        self.consensus_listening.store(listening, Ordering::Relaxed);
    }

    /// Records the validators this node has no consensus connection to.
    /// Consensus messages are not relayed, so a validator must be connected
    /// to every other: a validator warns when the same ones are missing in
    /// two refreshes in a row (connections take a moment after a start).
    pub fn set_unconnected_validators(&self, missing: Vec<PeerId>, own_is_validator: bool) {
        let missing: Vec<String> = missing.iter().map(PeerId::to_string).collect();
        let mut current = self.unconnected_validators.lock().expect("status lock");
        let mut warned = self.warned_unconnected.lock().expect("status lock");
        if own_is_validator && !missing.is_empty() && *current == missing && *warned != missing {
            tracing::warn!(
                validators = ?missing,
                "no consensus connection to these validators: consensus messages are not \
                 relayed, so they and this node do not hear each other"
            );
            *warned = missing.clone();
        }
        if missing.is_empty() {
            warned.clear();
        }
        *current = missing;
    }

    /// Validators this node has no consensus connection to.
    pub fn unconnected_validators(&self) -> Vec<String> {
        self.unconnected_validators
            .lock()
            .expect("status lock")
            .clone()
    }

    /// The consensus peers.
    pub fn peers(&self) -> Vec<PeerView> {
        self.consensus_peers.lock().expect("status lock").clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_caught_up_while_the_consensus_network_is_not_listening() {
        let status = NetworkStatus::new("n".into(), "p".into());
        assert_eq!(status.sync_state(), "not_listening");
        status.set_consensus_listening(true);
        assert_eq!(status.sync_state(), "caught_up");
        status.synced_one();
        assert_eq!(status.sync_state(), "syncing");
        status.set_consensus_listening(false);
        assert_eq!(status.sync_state(), "not_listening");
    }
}
