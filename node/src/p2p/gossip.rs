//! Transaction gossip: a small libp2p network (TCP, noise, yamux,
//! gossipsub) beside the consensus network, whose swarm is closed to other
//! protocols in Malachite 0.8.2.
//!
//! A transaction admitted through this node's API is published in a batch
//! with the others admitted at the same moment; every node that receives a
//! batch runs the mempool's admission checks on each transaction (verifying
//! its signature once and remembering it) and keeps it for when it proposes.
//! Connections are gated by `libp2p::allow_block_list`: a peer id not on the
//! [`AllowList`](super::AllowList) is refused when the connection is set up.
//! Batches are published without a gossipsub signature: what a batch
//! carries is signed transaction by transaction, and the connections it
//! travels over are authenticated.
//!
//! A node publishes to every connected peer, and a validator does not pass
//! on a batch it received from another validator ([`Relay`]): validators are
//! connected to each other (consensus messages travel directly between them,
//! `consensus::engine`), so every validator already has the batch from its
//! publisher, and relaying it would only hand each one two more copies.
//! Batches from other nodes (a node that follows the chain and takes
//! submissions) are relayed as gossipsub does, so they reach the validators
//! that node is not connected to.
//!
//! The same swarm carries evidence files between vaults
//! (`crate::vault::transfer`, request-response): chunk requests from other
//! nodes are answered off the executor, and the node's own [`Fetcher`]
//! sends its requests through [`GossipShared::vault_outbound`].
//!
//! [`Gossip`] is a long-lived task in the shape of [`crate::task`].
//!
//! [`Fetcher`]: crate::vault::transfer::Fetcher

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use libp2p::futures::StreamExt as _;
use libp2p::gossipsub::{
    self, IdentTopic, MessageAcceptance, MessageAuthenticity, MessageId, ValidationMode,
};
use libp2p::identity::Keypair;
use libp2p::request_response::{self, OutboundRequestId, ProtocolSupport, ResponseChannel};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{allow_block_list, noise, tcp, yamux, Multiaddr, PeerId, Swarm, SwarmBuilder};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use xianjie_contracts::BlockCtx;
use xianjie_ledger::codec::{self, Canonical};
use xianjie_store::Store;

use super::{addr_peer_id, AllowList};
use crate::chain::Tip;
use crate::clock::SharedClock;
use crate::error::{Error, Result};
use crate::mempool::Mempool;
use crate::task::{self, stopped, Stop};
use crate::vault::transfer::{self, ChunkRequest, ChunkResponse, OutboundChunk, VaultCodec};
use crate::vault::Vault;
use xianjie_contracts::policy::PolicyEngine;

/// The gossipsub topic of transactions; the version changes with the format
/// (2: batches published without a publisher signature, which nodes of
/// version 1 refuse and which refuse theirs).
pub const TX_TOPIC: &str = "/xianjie/txs/2";
/// Largest gossip message.
pub const MAX_GOSSIP_BYTES: usize = 4 * 1024 * 1024;
/// Most transactions published in one message.
pub const MAX_BATCH_TXS: usize = 1024;

/// How long the first transaction of a gossip batch waits for company.
/// Admitted transactions reach the outbox one at a time (each submission,
/// and each of a submitted batch), and without the wait the task published
/// whatever had arrived when it woke, often a message per transaction
/// (every message costs each peer a decode, a blocking task and an
/// admission pass); with it they travel together, a few milliseconds later.
const GOSSIP_LINGER: Duration = Duration::from_millis(5);
/// Bytes a transaction adds to an encoded batch besides its own: its
/// length prefix (a varint, at most 3 bytes for
/// [`xianjie_ledger::tx::MAX_TX_BYTES`]) with room.
const BATCH_ENTRY_OVERHEAD: usize = 8;

/// Locally admitted transactions waiting to be published together.
#[derive(Default)]
struct Outgoing {
    txs: Vec<Vec<u8>>,
    bytes: usize,
    due: Option<tokio::time::Instant>,
}

impl Outgoing {
    /// Adds a transaction. Returns a batch to publish at once when the
    /// waiting ones reach [`MAX_BATCH_TXS`] or would pass
    /// [`MAX_GOSSIP_BYTES`] with it.
    fn push(&mut self, tx: Vec<u8>) -> Option<Vec<Vec<u8>>> {
        let size = tx.len() + BATCH_ENTRY_OVERHEAD;
        let full = if self.bytes + size + BATCH_ENTRY_OVERHEAD > MAX_GOSSIP_BYTES {
            Some(self.take())
        } else {
            None
        };
        if self.txs.is_empty() {
            self.due = Some(tokio::time::Instant::now() + GOSSIP_LINGER);
        }
        self.txs.push(tx);
        self.bytes += size;
        match full {
            Some(full) if !full.is_empty() => Some(full),
            _ if self.txs.len() >= MAX_BATCH_TXS => Some(self.take()),
            _ => None,
        }
    }

    /// Everything waiting, oldest first; empties the queue.
    fn take(&mut self) -> Vec<Vec<u8>> {
        self.bytes = 0;
        self.due = None;
        std::mem::take(&mut self.txs)
    }
}

/// Which received batches this node passes on to its other peers.
#[derive(Debug, Default)]
struct Relay {
    /// This node's peer id.
    own: Option<PeerId>,
    /// The validators' peer ids, refreshed after every block.
    validators: BTreeSet<PeerId>,
}

impl Relay {
    /// Whether a batch that `source` delivered goes on to this node's other
    /// peers: always, unless both this node and `source` are validators
    /// (the publisher reached every validator itself).
    fn passes_on(&self, source: &PeerId) -> bool {
        let own_is_validator = self.own.is_some_and(|own| self.validators.contains(&own));
        !(own_is_validator && self.validators.contains(source))
    }

    /// Reads the validator set in force; keeps the last one if it cannot.
    fn refresh(&mut self, store: &Store) {
        match super::validator_peers(store) {
            Ok(validators) => self.validators = validators,
            Err(error) => tracing::warn!(%error, "gossip relay: validator set unread"),
        }
    }
}

/// A batch of transactions as published: each one's canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxBatch {
    /// Canonical bytes of signed transactions.
    pub txs: Vec<Vec<u8>>,
}

impl Canonical for TxBatch {
    const KIND: &'static str = "transaction batch";
    const MAX_ENCODED_LEN: usize = MAX_GOSSIP_BYTES;
}

#[derive(NetworkBehaviour)]
struct Behaviour {
    allowed: allow_block_list::Behaviour<allow_block_list::AllowedPeers>,
    gossipsub: gossipsub::Behaviour,
    vault: request_response::Behaviour<VaultCodec>,
}

/// What the gossip task needs.
pub struct GossipConfig {
    /// This node's libp2p identity.
    pub keypair: Keypair,
    /// Where to listen.
    pub listen: Multiaddr,
    /// Peers to keep connected.
    pub peers: Vec<Multiaddr>,
    /// The chain id (admission context).
    pub chain_id: String,
}

/// Handles shared with the rest of the node.
pub struct GossipShared {
    /// The mempool that admits received transactions.
    pub mempool: Arc<Mempool>,
    /// The store (admission reads it).
    pub store: Store,
    /// The committed tip (admission judges against the next height).
    pub tip: watch::Receiver<Tip>,
    /// Peer ids allowed to connect; updated after blocks.
    pub allow: watch::Receiver<AllowList>,
    /// Locally admitted transactions to publish.
    pub outbox: mpsc::Receiver<Vec<u8>>,
    /// Connected gossip peers, for the status page.
    pub connected: Arc<AtomicUsize>,
    /// This node's evidence vault (files served to other nodes).
    pub vault: Vault,
    /// Chunk requests of this node's fetcher.
    pub vault_outbound: mpsc::Receiver<OutboundChunk>,
    /// Admission judges against the next block's time by it.
    pub clock: SharedClock,
    /// Decides which nodes may fetch a vault file.
    pub policies: Arc<PolicyEngine>,
}

/// Builds the swarm and listens.
fn swarm(config: &GossipConfig) -> Result<Swarm<Behaviour>> {
    let fail = |what: &str, e: String| Error::Config {
        reason: format!("transaction gossip: {what}: {e}"),
    };
    let gossip_config = gossipsub::ConfigBuilder::default()
        .heartbeat_interval(Duration::from_millis(500))
        // Every transaction in a batch carries its own signature, checked by
        // the mempool on arrival, and only allow-listed nodes connect (over
        // authenticated noise channels): a publisher signature on the batch
        // would add a verification for every copy a node receives (each
        // node receives a batch from several peers) and protect nothing.
        .validation_mode(ValidationMode::Anonymous)
        .max_transmit_size(MAX_GOSSIP_BYTES + 64 * 1024)
        // Content-addressed ids: the same batch relayed twice is seen once.
        .message_id_fn(|message| MessageId::from(blake3::hash(&message.data).as_bytes().to_vec()))
        // The task decides per batch whether it is relayed ([`Relay`]).
        .validate_messages()
        .build()
        .map_err(|e| fail("gossipsub configuration", e.to_string()))?;
    let mut swarm = SwarmBuilder::with_existing_identity(config.keypair.clone())
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| fail("transport", e.to_string()))?
        .with_behaviour(|_key| {
            let gossipsub =
                gossipsub::Behaviour::new(MessageAuthenticity::Anonymous, gossip_config)?;
            let vault = request_response::Behaviour::with_codec(
                VaultCodec,
                [(transfer::PROTOCOL, ProtocolSupport::Full)],
                request_response::Config::default().with_request_timeout(Duration::from_secs(30)),
            );
            Ok(Behaviour {
                allowed: allow_block_list::Behaviour::default(),
                gossipsub,
                vault,
            })
        })
        .map_err(|e| fail("behaviour", e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build();
    swarm
        .behaviour_mut()
        .gossipsub
        .subscribe(&IdentTopic::new(TX_TOPIC))
        .map_err(|e| fail("subscribe", e.to_string()))?;
    swarm
        .listen_on(config.listen.clone())
        // The transport error's Display can be empty; its Debug form names the cause.
        .map_err(|e| fail(&format!("listen on {}", config.listen), format!("{e:?}")))?;
    Ok(swarm)
}

/// The gossip task: its swarm, already listening, and its inputs.
pub struct Gossip {
    config: GossipConfig,
    shared: GossipShared,
    swarm: Swarm<Behaviour>,
}

impl Gossip {
    /// Builds the swarm and listens: a port that cannot be bound fails here,
    /// before anything runs.
    pub fn listen(config: GossipConfig, shared: GossipShared) -> Result<Gossip> {
        let swarm = swarm(&config)?;
        Ok(Gossip {
            config,
            shared,
            swarm,
        })
    }

    /// Starts [`Gossip::run`] as a task.
    pub fn spawn(self, stop: Stop) -> JoinHandle<Result<()>> {
        task::spawn("transaction gossip", self.run(stop))
    }

    /// Relays transactions and vault chunks until `stop` turns true.
    pub async fn run(self, mut stop: Stop) -> Result<()> {
        let Gossip {
            config,
            shared,
            mut swarm,
        } = self;
        let GossipShared {
            mempool,
            store,
            tip,
            mut allow,
            mut outbox,
            connected,
            vault,
            mut vault_outbound,
            clock,
            policies,
        } = shared;
        let mut pending: HashMap<OutboundRequestId, PendingReply> = HashMap::new();
        let (served_sender, mut served) =
            mpsc::channel::<(ResponseChannel<ChunkResponse>, ChunkResponse)>(64);
        let topic = IdentTopic::new(TX_TOPIC);
        let mut allowed: HashSet<PeerId> = HashSet::new();
        apply_allow_list(&mut swarm, &mut allowed, &allow.borrow_and_update());
        let mut redial = tokio::time::interval(Duration::from_secs(2));
        let mut outgoing = Outgoing::default();
        let mut blocks = tip.clone();
        let mut relay = Relay {
            own: Some(*swarm.local_peer_id()),
            validators: BTreeSet::new(),
        };
        relay.refresh(&store);
        let admit = Admitter {
            mempool,
            store,
            tip,
            chain_id: config.chain_id.clone(),
            clock,
            policies,
        };
        loop {
            tokio::select! {
                biased;
                () = stopped(&mut stop) => break,
                Some(tx) = outbox.recv() => {
                    if let Some(batch) = outgoing.push(tx) {
                        publish(&mut swarm, &topic, batch);
                    }
                }
                _ = tokio::time::sleep_until(outgoing.due.unwrap_or_else(tokio::time::Instant::now)), if outgoing.due.is_some() => {
                    publish(&mut swarm, &topic, outgoing.take());
                }
                Some(outbound) = vault_outbound.recv() => {
                    let id = swarm.behaviour_mut().vault.send_request(&outbound.peer, outbound.request);
                    pending.insert(id, outbound.reply);
                }
                Some((channel, response)) = served.recv() => {
                    // Fails only if the requester went away meanwhile.
                    let _ = swarm.behaviour_mut().vault.send_response(channel, response);
                }
                Ok(()) = blocks.changed() => {
                    blocks.borrow_and_update();
                    relay.refresh(&admit.store);
                }
                Ok(()) = allow.changed() => {
                    let list = allow.borrow_and_update().clone();
                    apply_allow_list(&mut swarm, &mut allowed, &list);
                }
                _ = redial.tick() => {
                    for peer in &config.peers {
                        let connected = addr_peer_id(peer).is_some_and(|id| swarm.is_connected(&id));
                        if !connected {
                            // Dial errors are logged by the swarm event below.
                            let _ = swarm.dial(peer.clone());
                        }
                    }
                }
                event = swarm.select_next_some() => match event {
                    SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(gossipsub::Event::Message { message, message_id, propagation_source })) => {
                        // Reported before admission: gossipsub relays (or
                        // drops from its cache) at once, and each
                        // transaction is checked on its own by the mempool.
                        let acceptance = if relay.passes_on(&propagation_source) {
                            MessageAcceptance::Accept
                        } else {
                            MessageAcceptance::Ignore
                        };
                        swarm.behaviour_mut().gossipsub.report_message_validation_result(&message_id, &propagation_source, acceptance);
                        admit.spawn(message.data);
                    }
                    SwarmEvent::Behaviour(BehaviourEvent::Vault(event)) => {
                        on_vault_event(event, &mut pending, &admit, &vault, &served_sender);
                    }
                    SwarmEvent::ConnectionEstablished { .. } | SwarmEvent::ConnectionClosed { .. } => {
                        connected.store(swarm.connected_peers().count(), Ordering::Relaxed);
                    }
                    SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                        tracing::debug!(?peer_id, %error, "gossip dial failed");
                    }
                    SwarmEvent::IncomingConnectionError { error, .. } => {
                        tracing::debug!(%error, "gossip connection refused");
                    }
                    _ => {}
                },
            }
        }
        tracing::debug!("transaction gossip stopped");
        Ok(())
    }
}

fn apply_allow_list(swarm: &mut Swarm<Behaviour>, current: &mut HashSet<PeerId>, next: &AllowList) {
    let gate = &mut swarm.behaviour_mut().allowed;
    for peer in next {
        if current.insert(*peer) {
            gate.allow_peer(*peer);
        }
    }
    let removed: Vec<PeerId> = current
        .iter()
        .filter(|peer| !next.contains(peer))
        .copied()
        .collect();
    for peer in removed {
        current.remove(&peer);
        // Disallowing also closes any open connection to the peer.
        swarm.behaviour_mut().allowed.disallow_peer(peer);
        tracing::info!(%peer, "peer removed from the gossip allow-list");
    }
}

fn publish(swarm: &mut Swarm<Behaviour>, topic: &IdentTopic, txs: Vec<Vec<u8>>) {
    let count = txs.len();
    let bytes = codec::encode(&TxBatch { txs });
    if bytes.len() > MAX_GOSSIP_BYTES {
        tracing::warn!(count, "transaction batch too large to gossip; kept local");
        return;
    }
    if let Err(error) = swarm
        .behaviour_mut()
        .gossipsub
        .publish(topic.clone(), bytes)
    {
        // No peer yet (a one-node network, or peers still connecting): the
        // transactions stay in this node's mempool and it proposes them.
        tracing::debug!(%error, count, "transactions not gossiped");
    }
}

/// Admits received transactions off the async executor.
struct Admitter {
    mempool: Arc<Mempool>,
    store: Store,
    tip: watch::Receiver<Tip>,
    chain_id: String,
    clock: SharedClock,
    policies: Arc<PolicyEngine>,
}

/// Why a received batch was dropped unread.
#[derive(Debug, thiserror::Error)]
enum BatchRefusal {
    /// It announces more transactions than a batch may hold.
    #[error("the batch announces {count} transactions; the limit is {MAX_BATCH_TXS}")]
    TooMany {
        /// The announced count.
        count: u64,
    },
    /// It is not a canonically encoded batch.
    #[error(transparent)]
    Undecodable(#[from] xianjie_ledger::error::CodecError),
}

/// Refuses a received batch that announces more than [`MAX_BATCH_TXS`]
/// transactions, before decoding it: its count alone could otherwise make
/// decoding allocate millions of empty vectors. Reads a few bytes only.
fn check_batch_count(data: &[u8]) -> std::result::Result<(), BatchRefusal> {
    match crate::mempool::oversized_batch_count(data) {
        Some(count) => Err(BatchRefusal::TooMany { count }),
        None => Ok(()),
    }
}

/// Decodes a received batch whose count [`check_batch_count`] accepted.
fn decode_batch(data: &[u8]) -> std::result::Result<TxBatch, BatchRefusal> {
    check_batch_count(data)?;
    Ok(codec::decode(data)?)
}

impl Admitter {
    fn spawn(&self, data: Vec<u8>) {
        // Checked here, so that an oversized batch costs no blocking task.
        if let Err(error) = check_batch_count(&data) {
            tracing::debug!(%error, "transaction batch dropped");
            return;
        }
        let mempool = Arc::clone(&self.mempool);
        let store = self.store.clone();
        let tip = *self.tip.borrow();
        let ctx = BlockCtx {
            chain_id: self.chain_id.clone(),
            height: tip.height + 1,
            time_ms: self.clock.now_ms().max(tip.time_ms + 1),
            prev_hash: tip.block_hash,
            policies: Arc::clone(&self.policies),
        };
        // Decoding up to 4 MiB happens on the blocking pool with admission,
        // not on the swarm's event loop.
        tokio::task::spawn_blocking(move || {
            let batch = match decode_batch(&data) {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::debug!(%error, "transaction batch dropped");
                    return;
                }
            };
            for admission in mempool.admit_gossiped_batch(&store, &ctx, &batch.txs) {
                if let Err(error) = admission.result {
                    tracing::trace!(%error, "gossiped transaction not admitted");
                }
            }
        });
    }
}

type PendingReply = tokio::sync::oneshot::Sender<std::result::Result<ChunkResponse, String>>;

/// Routes vault request-response events: answers to this node's requests go
/// back to the fetcher; requests from other nodes are served on the blocking
/// pool and their answers come back through `served`.
fn on_vault_event(
    event: request_response::Event<ChunkRequest, ChunkResponse>,
    pending: &mut HashMap<OutboundRequestId, PendingReply>,
    admit: &Admitter,
    vault: &Vault,
    served: &mpsc::Sender<(ResponseChannel<ChunkResponse>, ChunkResponse)>,
) {
    match event {
        request_response::Event::Message { peer, message, .. } => match message {
            request_response::Message::Request {
                request, channel, ..
            } => {
                let (store, vault, served) = (admit.store.clone(), vault.clone(), served.clone());
                let policies = Arc::clone(&admit.policies);
                tokio::task::spawn_blocking(move || {
                    let response =
                        transfer::serve_chunk(&store, &policies, &vault, &peer, &request);
                    let _ = served.blocking_send((channel, response));
                });
            }
            request_response::Message::Response {
                request_id,
                response,
            } => {
                if let Some(reply) = pending.remove(&request_id) {
                    let _ = reply.send(Ok(response));
                }
            }
        },
        request_response::Event::OutboundFailure {
            request_id, error, ..
        } => {
            if let Some(reply) = pending.remove(&request_id) {
                let _ = reply.send(Err(error.to_string()));
            }
        }
        request_response::Event::InboundFailure { peer, error, .. } => {
            tracing::debug!(%peer, %error, "serving a vault chunk failed");
        }
        request_response::Event::ResponseSent { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admitted_transactions_wait_for_company_up_to_the_count_limit() {
        let mut outgoing = Outgoing::default();
        assert!(outgoing.due.is_none());
        for i in 0..MAX_BATCH_TXS - 1 {
            assert_eq!(outgoing.push(vec![i as u8; 100]), None);
            assert!(outgoing.due.is_some(), "the first one starts the wait");
        }
        let batch = outgoing
            .push(vec![0xff; 100])
            .expect("the 1,024th fills a batch");
        assert_eq!(batch.len(), MAX_BATCH_TXS);
        assert_eq!(batch[1], vec![1; 100], "in the order admitted");
        assert_eq!(batch[MAX_BATCH_TXS - 1], vec![0xff; 100]);
        assert!(outgoing.due.is_none() && outgoing.take().is_empty());

        assert_eq!(outgoing.push(vec![7; 10]), None);
        assert_eq!(
            outgoing.take(),
            vec![vec![7; 10]],
            "published when the wait ends"
        );
    }

    #[test]
    fn a_gossip_batch_never_passes_the_message_size_limit() {
        let mut outgoing = Outgoing::default();
        let mut batches = Vec::new();
        for i in 0..600u32 {
            let mut tx = vec![0u8; xianjie_ledger::tx::MAX_TX_BYTES];
            tx[..4].copy_from_slice(&i.to_be_bytes());
            batches.extend(outgoing.push(tx));
        }
        batches.push(outgoing.take());
        assert!(
            batches.len() >= 3,
            "600 largest transactions need several messages"
        );
        let mut next = 0u32;
        for txs in batches {
            let encoded = codec::encode(&TxBatch { txs });
            assert!(encoded.len() <= MAX_GOSSIP_BYTES, "{} bytes", encoded.len());
            for tx in codec::decode::<TxBatch>(&encoded).unwrap().txs {
                assert_eq!(tx[..4], next.to_be_bytes(), "each once, in order");
                next += 1;
            }
        }
        assert_eq!(next, 600);
    }

    #[test]
    fn a_validator_relays_only_what_came_from_nodes_that_are_not_validators() {
        let (validator_a, validator_b, follower) = (p2p_peer(1), p2p_peer(2), p2p_peer(3));
        let validators: BTreeSet<PeerId> = [validator_a, validator_b].into();
        let at_validator = Relay {
            own: Some(validator_a),
            validators: validators.clone(),
        };
        assert!(
            !at_validator.passes_on(&validator_b),
            "the publisher reached every validator"
        );
        assert!(
            at_validator.passes_on(&follower),
            "a follower's batch goes on to the others"
        );
        let at_follower = Relay {
            own: Some(follower),
            validators,
        };
        assert!(at_follower.passes_on(&validator_a));
        assert!(at_follower.passes_on(&p2p_peer(4)));
        assert!(
            Relay::default().passes_on(&validator_a),
            "an unknown set relays everything"
        );
    }

    fn p2p_peer(seed: u8) -> PeerId {
        let key = xianjie_ledger::crypto::SecretKey::from_bytes(&[seed; 32]);
        super::super::keypair(&key).public().to_peer_id()
    }

    #[test]
    fn a_batch_announcing_too_many_transactions_is_refused_before_decoding() {
        // 1,025 announced and nothing after: decoding would fail on the
        // missing bytes, so a `TooMany` shows the count was judged first.
        let over = MAX_BATCH_TXS as u64 + 1;
        let announced = [
            codec::FORMAT_VERSION,
            (over & 0x7f) as u8 | 0x80,
            (over >> 7) as u8,
        ];
        assert!(
            matches!(decode_batch(&announced), Err(BatchRefusal::TooMany { count }) if count == over)
        );
        let full = codec::encode(&TxBatch {
            txs: vec![vec![7]; MAX_BATCH_TXS],
        });
        assert_eq!(decode_batch(&full).unwrap().txs.len(), MAX_BATCH_TXS);
        assert!(matches!(
            decode_batch(b"garbage"),
            Err(BatchRefusal::Undecodable(_))
        ));
    }
}
