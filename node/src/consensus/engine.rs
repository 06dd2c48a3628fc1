//! Starting the Malachite engine for this node: its configuration, identity
//! and the tasks that keep its peer allow-list and the status page current.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use bytesize::ByteSize;
use libp2p::{Multiaddr, PeerId};
use malachitebft_app_channel::app::config::{
    ConsensusConfig, DiscoveryConfig, NodeConfig, P2pConfig, ProtocolNames, PubSubProtocol,
    ValuePayload, ValueSyncConfig,
};
use malachitebft_app_channel::app::types::codec::Codec as _;
use malachitebft_app_channel::{
    ConsensusContext, EngineBuilder, EngineHandle, NetworkContext, NetworkIdentity, NetworkRequest,
    RequestContext, Signer as _, SyncContext, WalContext,
};
use malachitebft_engine_byzantine::{ByzantineConfig, Trigger};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use xianjie_keyfile::Signer as KeySigner;
use xianjie_ledger::crypto::{PublicKey, SecretKey};
use xianjie_ledger::Hash;
use xianjie_store::Store;

use super::app::{Host, HostParts};
use super::codec::{WireCodec, MAX_SYNC_RESPONSE_BYTES};
use super::context::{Address, Ctx, Value};
use super::signing::{ConsensusSigner, ConsensusVerifier};
use crate::error::{Error, Result};
use crate::home::SyncSection;
use crate::metrics::Metrics;
use crate::p2p::{self, AllowList};
use crate::status::{NetworkStatus, PeerView};
use crate::task::Stop;

/// How the engine's network and sync are set up.
pub struct EngineSettings {
    /// Moniker.
    pub moniker: String,
    /// Where consensus listens.
    pub listen: Multiaddr,
    /// Peers to keep connected.
    pub persistent_peers: Vec<Multiaddr>,
    /// Most connections from one IP.
    pub max_connections_per_ip: usize,
    /// Sync timing.
    pub sync: SyncSection,
    /// The write-ahead log file.
    pub wal_path: std::path::PathBuf,
    /// Test-only: double-sign every vote and proposal.
    pub equivocate: bool,
    /// Follow the chain without signing anything: a node re-fetching the
    /// chain below heights it may already have voted on must not vote again.
    pub follow_only: bool,
}

#[derive(Clone, Debug)]
struct MalachiteConfig {
    moniker: String,
    consensus: ConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl NodeConfig for MalachiteConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }
    fn consensus(&self) -> &ConsensusConfig {
        &self.consensus
    }
    fn consensus_mut(&mut self) -> &mut ConsensusConfig {
        &mut self.consensus
    }
    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }
    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

fn malachite_config(settings: &EngineSettings) -> MalachiteConfig {
    let discovery = DiscoveryConfig {
        enabled: false,
        max_connections_per_ip: settings.max_connections_per_ip,
        ..DiscoveryConfig::default()
    };
    let p2p = P2pConfig {
        listen_addr: settings.listen.clone(),
        persistent_peers: settings.persistent_peers.clone(),
        // The allow-list: only persistent peers (configured ones and the
        // peer ids of keys registered on chain) may connect.
        persistent_peers_only: true,
        discovery,
        rpc_max_size: ByteSize::b(MAX_SYNC_RESPONSE_BYTES as u64 + 1024 * 1024),
        // Votes and proposal parts go straight to every connected peer and
        // are not relayed. With gossipsub (the default) every peer relayed
        // each message to the others, so each validator received every
        // proposal three times in a network of four, and checked a libp2p
        // signature on every copy besides the consensus signature inside;
        // that was about a tenth of the nodes' CPU under load
        // (BENCHMARKS.md, item 20). It needs validators connected to each
        // other, which `/v1/status` shows (`unconnected_validators`).
        protocol: PubSubProtocol::Broadcast,
        protocol_names: ProtocolNames {
            consensus: "/xianjie/consensus/1".into(),
            discovery_kad: "/xianjie/discovery/kad/1".into(),
            discovery_regres: "/xianjie/discovery/reqres/1".into(),
            sync: "/xianjie/sync/1".into(),
            validator_proof: "/xianjie/validator-proof/1".into(),
        },
        ..P2pConfig::default()
    };
    let consensus = ConsensusConfig {
        // Disabled, the engine decides only blocks that sync brings with
        // their certificates, and never signs.
        enabled: !settings.follow_only,
        p2p,
        value_payload: ValuePayload::ProposalAndParts,
        ..ConsensusConfig::default()
    };
    let value_sync = ValueSyncConfig {
        enabled: true,
        status_update_interval: settings.sync.status_interval,
        request_timeout: settings.sync.request_timeout,
        max_response_size: ByteSize::b(MAX_SYNC_RESPONSE_BYTES as u64 + 1024 * 1024),
        ..ValueSyncConfig::default()
    };
    MalachiteConfig {
        moniker: settings.moniker.clone(),
        consensus,
        value_sync,
    }
}

/// The running engine and the node's tasks around it.
pub struct RunningEngine {
    handle: EngineHandle,
    host: JoinHandle<Result<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningEngine {
    /// Resolves when the host stops on its own (a fatal error), with it.
    pub fn host_task(&mut self) -> &mut JoinHandle<Result<()>> {
        &mut self.host
    }

    /// Stops the engine and the tasks. The host's last answer is already
    /// durable: stopping at any point is safe.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Err(error) = self.handle.actor.kill_and_wait(None).await {
            tracing::debug!(%error, "the consensus engine was already stopped");
        }
        self.handle.handle.abort();
        self.host.abort();
    }
}

fn network_error(what: &'static str) -> impl FnOnce(eyre::Report) -> Error {
    move |report| Error::Network {
        what,
        reason: format!("{report:#}"),
    }
}

/// Starts the engine as a validator with `validator_key` (it votes whenever
/// the key is in a height's validator set, and follows the chain
/// otherwise), and the host that answers it, until `stop`. `node_key` is
/// the libp2p identity; the validator proof binds the validator key to its
/// peer id (the two are one key unless `consensus_key` names another).
pub async fn start(
    parts: HostParts,
    node_key: SecretKey,
    validator_key: Arc<dyn KeySigner>,
    settings: EngineSettings,
    allow: watch::Receiver<AllowList>,
    status: Arc<NetworkStatus>,
    stop: Stop,
) -> Result<RunningEngine> {
    let chain_id = parts.chain.chain_id.clone();
    let keypair = p2p::keypair(&node_key);
    let peer_id = keypair.public().to_peer_id();
    let validator_public_key = validator_key.public_key();
    let address = Address(validator_public_key.id());
    let signer = ConsensusSigner::new(validator_key, &chain_id);
    let proof = signer
        .sign_validator_proof(validator_public_key.0.to_vec(), peer_id.to_bytes())
        .await
        .map_err(|e| Error::Network {
            what: "the validator proof",
            reason: e.to_string(),
        })?;
    let proof_bytes = WireCodec.encode(&proof).map_err(|e| Error::Network {
        what: "the validator proof",
        reason: e.to_string(),
    })?;
    let identity = NetworkIdentity::new_validator(
        settings.moniker.clone(),
        keypair,
        address.to_string(),
        proof_bytes,
    );
    let config = malachite_config(&settings);
    if let Some(parent) = settings.wal_path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
    }
    let wal = WalContext::new(settings.wal_path.clone(), WireCodec);
    let consensus = if settings.follow_only {
        tracing::warn!("following the chain without voting until the store has caught up");
        ConsensusContext::new_full_node(address, Box::new(ConsensusVerifier::new(&chain_id)))
    } else {
        ConsensusContext::new_validator(
            address,
            Box::new(ConsensusVerifier::new(&chain_id)),
            Box::new(signer.clone()),
        )
    };
    let (channels, handle) = if settings.equivocate {
        tracing::warn!("TESTING: this node double-signs every vote and proposal");
        EngineBuilder::new(Ctx, config)
            .with_default_wal(wal)
            .with_byzantine_network(malachitebft_app_channel::ByzantineContext {
                identity,
                codec: WireCodec,
                config: ByzantineConfig {
                    equivocate_votes: Trigger::Always,
                    equivocate_proposals: Trigger::Always,
                    ..ByzantineConfig::default()
                },
                signer: Box::new(signer),
                address,
                conflicting_value_fn: Some(Box::new(|value: &Value| {
                    let mut header = value.header().clone();
                    header.time_ms += 1;
                    Value::new(header)
                })),
                conflicting_vote_value_fn: Some(Box::new(|id: Option<&Hash>| {
                    let mut bytes = id.map_or([0; 32], |id| id.0);
                    bytes[31] ^= 1;
                    Hash(bytes)
                })),
            })
            .await
            .map_err(network_error("the consensus network"))?
            .with_default_consensus(consensus)
            .with_default_sync(SyncContext::new(WireCodec))
            .with_default_request(RequestContext::new(100))
            .build()
            .await
            .map_err(network_error("the consensus engine"))?
    } else {
        malachitebft_app_channel::start_engine(
            Ctx,
            config,
            wal,
            NetworkContext::new(identity, WireCodec),
            consensus,
            SyncContext::new(WireCodec),
            RequestContext::new(100),
        )
        .await
        .map_err(network_error("the consensus engine"))?
    };
    let net_requests = channels.net_requests.clone();
    let listening = confirm_listening(&net_requests).await;
    let watched = PeerWatch {
        requests: net_requests.clone(),
        status: Arc::clone(&status),
        allow: allow.clone(),
        store: parts.store.clone(),
        // The peer id the validator key would have: what the validator
        // set is compared with.
        own: p2p::peer_id(&validator_public_key).unwrap_or(peer_id),
    };
    let host = Host::new(parts).spawn(channels, stop);
    let running = RunningEngine {
        handle,
        host,
        tasks: Vec::new(),
    };
    if let Err(reason) = listening {
        running.stop().await;
        return Err(Error::ConsensusListen {
            address: settings.listen.to_string(),
            reason: bind_diagnosis(&settings.listen).unwrap_or(reason),
        });
    }
    status.set_consensus_listening(true);
    tracing::info!(address = %settings.listen, "consensus network listening");
    Ok(RunningEngine {
        tasks: vec![
            tokio::spawn(keep_allow_list(net_requests, allow)),
            tokio::spawn(watch_peers(watched)),
        ],
        ..running
    })
}

/// How long the engine's network may take to answer its first state
/// request; it answers within milliseconds once it listens.
const LISTEN_CONFIRM_TIMEOUT: Duration = Duration::from_secs(30);

/// Waits until the engine's network task answers a state request, which
/// it only does after it bound its listen address. Malachite 0.8.2 logs a
/// failed `listen_on` ("Error listening on …") and ends the network task
/// without telling the application; a request then goes unanswered
/// (`Ok(None)` or a dropped reply), and the node would otherwise sit at its
/// height while the network moves on. Returns why it does not listen.
async fn confirm_listening(requests: &mpsc::Sender<NetworkRequest>) -> Result<(), String> {
    use malachitebft_app_channel::ConsensusRequestError;
    let deadline = tokio::time::Instant::now() + LISTEN_CONFIRM_TIMEOUT;
    loop {
        match NetworkRequest::dump_state(requests).await {
            Ok(Some(_)) => return Ok(()),
            Ok(None) | Err(ConsensusRequestError::Recv | ConsensusRequestError::Closed) => {
                return Err("the engine's network stopped as it started".into())
            }
            // Busy: ask again.
            Err(ConsensusRequestError::Full) => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "the engine's network did not answer within {LISTEN_CONFIRM_TIMEOUT:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the operating system says when this process binds `address` now,
/// if that fails: Malachite logs the original error but does not return it.
fn bind_diagnosis(address: &Multiaddr) -> Option<String> {
    use libp2p::multiaddr::Protocol;
    let mut ip = None;
    let mut failed = None;
    for protocol in address.iter() {
        match protocol {
            Protocol::Ip4(v4) => ip = Some(std::net::IpAddr::V4(v4)),
            Protocol::Ip6(v6) => ip = Some(std::net::IpAddr::V6(v6)),
            Protocol::Tcp(port) => {
                let at = std::net::SocketAddr::new(ip?, port);
                failed = std::net::TcpListener::bind(at).err();
            }
            Protocol::Udp(port) => {
                let at = std::net::SocketAddr::new(ip?, port);
                failed = std::net::UdpSocket::bind(at).err();
            }
            _ => {}
        }
    }
    failed.map(|error| error.to_string())
}

/// Lets every allowed peer id in, and drops removed ones, as `/p2p/<id>`
/// persistent peers: Malachite admits only persistent peers when
/// `persistent_peers_only` is on.
async fn keep_allow_list(
    requests: mpsc::Sender<NetworkRequest>,
    mut allow: watch::Receiver<AllowList>,
) {
    let mut current = AllowList::new();
    loop {
        let next = allow.borrow_and_update().clone();
        for peer in next.difference(&current) {
            match NetworkRequest::add_persistent_peer(&requests, p2p::peer_only_addr(*peer)).await {
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%peer, %error, "cannot allow a peer in the consensus network")
                }
            }
        }
        for peer in current.difference(&next) {
            tracing::info!(%peer, "peer removed from the consensus allow-list");
            let _ =
                NetworkRequest::remove_persistent_peer(&requests, p2p::peer_only_addr(*peer)).await;
        }
        current = next;
        if allow.changed().await.is_err() {
            return;
        }
    }
}

/// What [`watch_peers`] reads and writes.
struct PeerWatch {
    requests: mpsc::Sender<NetworkRequest>,
    status: Arc<NetworkStatus>,
    allow: watch::Receiver<AllowList>,
    store: Store,
    /// The peer id of this node's validator key.
    own: PeerId,
}

/// Refreshes the consensus peers shown by `/v1/status` every two seconds,
/// and the validators this node has no connection to. A refused peer is
/// briefly known to the engine (between its identify message and the
/// close); only allowed peers are shown.
async fn watch_peers(watch: PeerWatch) {
    let mut every = tokio::time::interval(Duration::from_secs(2));
    loop {
        every.tick().await;
        let dump = match NetworkRequest::dump_state(&watch.requests).await {
            Ok(Some(dump)) => dump,
            // The request queue is busy: try at the next tick.
            Err(malachitebft_app_channel::ConsensusRequestError::Full) => continue,
            // No answer from the network task: it has stopped.
            Ok(None) | Err(_) => {
                if watch.status.consensus_listening() {
                    tracing::error!(
                        "the consensus network stopped: this node no longer hears votes or \
                         blocks; restart it"
                    );
                }
                watch.status.set_consensus_listening(false);
                continue;
            }
        };
        watch.status.set_consensus_listening(true);
        let mut peers: Vec<PeerView> = dump
            .peers
            .iter()
            .filter(|(id, _)| watch.allow.borrow().contains(id))
            .map(|(id, info)| PeerView {
                peer_id: id.to_string(),
                moniker: info.moniker.clone(),
                address: info.address.to_string(),
            })
            .collect();
        peers.sort_by(|a, b| a.moniker.cmp(&b.moniker));
        Metrics::get()
            .consensus_peers
            .set(i64::try_from(peers.len()).unwrap_or(i64::MAX));
        // Only allowed peers, like those shown: a refused one is known
        // briefly before its connection closes.
        let proofs = validator_proofs(
            dump.peers
                .iter()
                .filter(|(id, _)| watch.allow.borrow().contains(id))
                .map(|(id, info)| (id, info.consensus_public_key.as_deref())),
        );
        match p2p::validator_peers(&watch.store) {
            Ok(validators) => {
                // A validator whose key is not its peer key is connected
                // when a peer proved that key: count it under the peer id
                // its key would have.
                let connected: BTreeSet<PeerId> = dump
                    .peers
                    .keys()
                    .copied()
                    .chain(proofs.values().filter_map(p2p::peer_id))
                    .collect();
                let missing = unconnected(&validators, &connected, &watch.own);
                watch
                    .status
                    .set_unconnected_validators(missing, validators.contains(&watch.own));
            }
            Err(error) => tracing::warn!(%error, "validator set unread"),
        }
        *watch.status.consensus_peers.lock().expect("status lock") = peers;
        watch.status.set_validator_proofs(proofs);
    }
}

/// The validator key each connected peer proved (Malachite checked the
/// proof's signature with [`ConsensusVerifier`] and that it names the
/// peer's own id), by peer id bytes.
fn validator_proofs<'a>(
    peers: impl Iterator<Item = (&'a PeerId, Option<&'a [u8]>)>,
) -> std::collections::HashMap<Vec<u8>, PublicKey> {
    peers
        .filter_map(|(id, key)| {
            let key = <[u8; 32]>::try_from(key?).ok()?;
            Some((id.to_bytes(), PublicKey(key)))
        })
        .collect()
}

/// The validators other than `own` that are not among `connected`.
fn unconnected(
    validators: &BTreeSet<PeerId>,
    connected: &BTreeSet<PeerId>,
    own: &PeerId,
) -> Vec<PeerId> {
    validators
        .iter()
        .filter(|peer| *peer != own && !connected.contains(peer))
        .copied()
        .collect()
}
