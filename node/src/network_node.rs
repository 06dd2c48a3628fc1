//! One node of a network (`xianjie-node start --home DIR`): the store, the
//! mempool, transaction gossip, the consensus engine and the HTTP API.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use xianjie_keyfile::passphrase::NODE_CREDENTIAL_NAME;
use xianjie_keyfile::{PassphraseSource, PassphraseSources, Signer};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::genesis::Genesis;

use crate::api::{self, AppState};
use crate::committed_tip::{self, NodeKind};
use crate::consensus::{self, EngineSettings, HostParts, RunningEngine};
use crate::disk::DiskWatch;
use crate::error::{Error, Result};
use crate::execution::ChainInfo;
use crate::home::NodeHome;
use crate::http_server::{self, ConnectionLimits};
use crate::mempool::Mempool;
use crate::metrics::Metrics;
use crate::p2p;
use crate::p2p::gossip::{self, Gossip};
use crate::status::NetworkStatus;
use crate::vault::transfer::{self, Fetcher, TransferWatch};
use crate::vault::{Vault, VAULT_DIR};

/// A running network node.
pub struct NetworkNode {
    state: AppState,
    stop: watch::Sender<bool>,
    engine: RunningEngine,
    gossip: JoinHandle<Result<()>>,
}

/// The variable that may hold an encrypted node key's passphrase.
pub const NODE_PASSPHRASE_VARIABLE: &str = "XIANJIE_NODE_PASSPHRASE";

/// Where an encrypted node key's passphrase comes from, in order:
/// `--passphrase-file PATH`, the systemd credential
/// `xianjie-node-passphrase` (`$CREDENTIALS_DIRECTORY`), the variable
/// `XIANJIE_NODE_PASSPHRASE`, the terminal.
pub fn node_passphrase_sources(passphrase_file: Option<PathBuf>) -> PassphraseSources {
    PassphraseSources::new(vec![
        PassphraseSource::File {
            flag: "--passphrase-file",
            path: passphrase_file,
        },
        PassphraseSource::SystemdCredential {
            name: NODE_CREDENTIAL_NAME,
        },
        PassphraseSource::Environment {
            variable: NODE_PASSPHRASE_VARIABLE,
        },
        PassphraseSource::Terminal,
    ])
}

/// Reads `HOME/keys/node.key`, plain or encrypted. It is refused if other
/// users could read it: unlike the rest of the home, which a start
/// tightens, a key that was exposed may have been copied, and only its
/// operator can judge that. Run it before anything else starts, so that a
/// missing passphrase stops the node at once.
pub fn read_node_key(home: &Path, passphrases: &PassphraseSources) -> Result<SecretKey> {
    let path = NodeHome::new(home).node_key_path();
    let node_key_error = |reason| Error::NodeKey {
        path: path.clone(),
        reason,
    };
    let stored = xianjie_keyfile::read_stored_key(&path).map_err(node_key_error)?;
    let encrypted = stored.is_encrypted();
    let key = stored
        .unlock(|| passphrases.existing(&path))
        .map_err(node_key_error)?;
    tracing::info!(
        path = %path.display(),
        key_id = %key.public_key().id(),
        encrypted,
        "node key read"
    );
    Ok(key)
}

/// The key the validator signs votes and proposals with: `consensus_key`
/// of `config.toml` if set (a `pkcs11:` URI, or a key file relative to the
/// home), else the node key itself. Its PIN or passphrase comes from the
/// URI's `pin-source`, else from `passphrases` (the node key's sources).
pub fn open_consensus_key(
    home: &Path,
    config: &crate::home::FileConfig,
    node_key: &SecretKey,
    passphrases: &PassphraseSources,
) -> Result<Arc<dyn Signer>> {
    let Some(named) = &config.consensus_key else {
        return Ok(Arc::new(node_key.clone()));
    };
    let path = if named.starts_with(xianjie_keyfile::pkcs11::URI_SCHEME) {
        PathBuf::from(named)
    } else {
        home.join(named)
    };
    let signer =
        xianjie_keyfile::open_signer(&path, passphrases).map_err(|reason| Error::ConsensusKey {
            key: named.clone(),
            reason,
        })?;
    tracing::info!(
        key = %named.split('?').next().unwrap_or_default(),
        key_id = %signer.public_key().id(),
        "consensus key opened; the node key stays the peer identity"
    );
    Ok(signer)
}

impl NetworkNode {
    /// Reads the home and starts every part with the node key `key`
    /// ([`read_node_key`]) as the peer identity and `validator_key`
    /// ([`open_consensus_key`]) signing votes and proposals. Must run
    /// inside a multi-thread Tokio runtime.
    pub async fn start(
        root: &Path,
        key: SecretKey,
        validator_key: Arc<dyn Signer>,
    ) -> Result<NetworkNode> {
        let home = NodeHome::new(root);
        let file = home.read_config()?;
        let config = file.node_config(home.root())?;
        let genesis_path = home.genesis_path();
        let text =
            std::fs::read_to_string(&genesis_path).map_err(Error::io("reading", &genesis_path))?;
        let genesis = Arc::new(Genesis::from_json(&text)?);
        // Refuses a store that lost committed blocks; a store moved aside
        // is fetched again from peers without voting (see committed_tip).
        let opened = {
            let genesis = Arc::clone(&genesis);
            let root = home.root().to_owned();
            tokio::task::spawn_blocking(move || {
                committed_tip::open_store(&root, &genesis, NodeKind::Network)
            })
            .await
            .map_err(|join| Error::Task {
                task: "opening the store",
                reason: join.to_string(),
            })??
        };
        let store = opened.store;
        let follow_only = opened.recorder.resyncing_below().is_some();
        let chain = ChainInfo {
            chain_id: genesis.chain_id.clone(),
            genesis_hash: genesis.hash(),
            genesis_time_ms: genesis.genesis_time_ms,
            policies: crate::execution::policy_engine()?,
        };
        let tip = chain.tip(&store)?;
        Metrics::get()
            .height
            .set(i64::try_from(tip.height).unwrap_or(i64::MAX));
        let (tip_sender, tip_receiver) = watch::channel(tip);

        let mempool = Arc::new(Mempool::new(config.mempool));
        let (outbox, outbox_receiver) = mpsc::channel(config.mempool.max_txs);
        mempool.set_gossip_outbox(outbox);

        let persistent_peers = parse_all(&file.p2p.persistent_peers)?;
        let gossip_peers = parse_all(&file.p2p.gossip_peers)?;
        let configured_peers: Vec<libp2p::PeerId> = persistent_peers
            .iter()
            .chain(&gossip_peers)
            .filter_map(p2p::addr_peer_id)
            .collect();
        let allow_list = p2p::allow_list(&store, &configured_peers)?;
        let (allow_sender, allow_receiver) = watch::channel(allow_list);
        let keypair = p2p::keypair(&key);
        let peer_id = keypair.public().to_peer_id();
        let status = Arc::new(NetworkStatus::new(
            file.moniker.clone(),
            peer_id.to_string(),
        ));
        let (stop, stop_receiver) = watch::channel(false);
        let (disk_watch, disk) = DiskWatch::new(&home.data_dir(), config.min_free_bytes)?;
        // Detached: it only measures, and ends on `stop`.
        drop(disk_watch.spawn(stop_receiver.clone()));
        let vault = Vault::open(home.root().join(VAULT_DIR), config.vault)?;
        let (vault_outbound, vault_outbound_receiver) = mpsc::channel(64);
        let fetcher = Fetcher::new(
            store.clone(),
            vault.clone(),
            Arc::clone(&chain.policies),
            key.public_key(),
            vault_outbound,
        );
        let (committed_cases, committed_cases_receiver) =
            mpsc::channel(transfer::COMMITTED_CASES_BACKLOG);
        // Detached: it ends on `stop`, or when the host drops the tip.
        drop(
            TransferWatch {
                fetcher: Arc::clone(&fetcher),
                tip: tip_receiver.clone(),
                committed: committed_cases_receiver,
            }
            .spawn(stop_receiver.clone()),
        );

        let clock = crate::clock::system();
        let gossip = Gossip::listen(
            gossip::GossipConfig {
                keypair,
                listen: p2p::parse_addr(&file.p2p.gossip_listen)?,
                peers: gossip_peers,
                chain_id: chain.chain_id.clone(),
            },
            gossip::GossipShared {
                mempool: Arc::clone(&mempool),
                store: store.clone(),
                tip: tip_receiver.clone(),
                allow: allow_receiver.clone(),
                outbox: outbox_receiver,
                connected: Arc::clone(&status.gossip_peers),
                vault: vault.clone(),
                vault_outbound: vault_outbound_receiver,
                clock: Arc::clone(&clock),
                policies: Arc::clone(&chain.policies),
            },
        )?
        .spawn(stop_receiver.clone());
        let engine = consensus::start(
            HostParts {
                store: store.clone(),
                chain: chain.clone(),
                mempool: Arc::clone(&mempool),
                address: consensus::context::Address(validator_key.public_key().id()),
                block_limits: config.block,
                consensus: file.consensus.clone(),
                tip: tip_sender,
                committed_cases,
                allow: allow_sender,
                configured_peers,
                status: Arc::clone(&status),
                recorder: opened.recorder,
                clock: Arc::clone(&clock),
                disk: disk.clone(),
            },
            key,
            validator_key,
            EngineSettings {
                moniker: file.moniker.clone(),
                listen: p2p::parse_addr(&file.p2p.listen)?,
                persistent_peers,
                max_connections_per_ip: file.p2p.max_connections_per_ip,
                sync: file.sync.clone(),
                wal_path: home.wal_path(),
                equivocate: file.testing.equivocate,
                follow_only,
            },
            allow_receiver,
            Arc::clone(&status),
            stop_receiver,
        )
        .await?;
        let state = AppState::new(api::Shared {
            policies: Arc::clone(&chain.policies),
            store,
            genesis_hash: genesis.hash(),
            genesis,
            mempool,
            clock,
            tip: tip_receiver,
            config: config.api,
            network: Some(status),
            vault,
            fetcher: Some(fetcher),
            disk,
            witnesses: api::checkpoints::read_witnesses(home.root())?.into(),
        });
        tracing::info!(height = tip.height, moniker = %file.moniker, %peer_id, "network node started");
        Ok(NetworkNode {
            state,
            stop,
            engine,
            gossip,
        })
    }

    /// The state the API handlers share.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves the API on `listener` until `shutdown` resolves or consensus
    /// stops with an error, then stops every part.
    pub async fn serve(
        mut self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let router = api::router(self.state());
        let limits = ConnectionLimits::from(&self.state.shared().config);
        let (failed_sender, failed_receiver) = tokio::sync::oneshot::channel::<()>();
        let event_streams = Arc::clone(self.state.event_streams());
        // The API runs in its own task beside consensus and gossip, which
        // have their own listeners: its connection caps keep a flood of
        // clients to itself.
        let server = tokio::spawn(async move {
            let stop_serving = async move {
                tokio::select! {
                    () = shutdown => tracing::info!("shutdown requested"),
                    _ = failed_receiver => tracing::error!("consensus stopped; shutting down"),
                }
                // Event streams never finish on their own: end them so that
                // the server's wait for in-flight responses does.
                event_streams.close_all();
            };
            http_server::serve(listener, router, limits, stop_serving).await;
        });
        let outcome = tokio::select! {
            joined = self.engine.host_task() => Some(joined),
            _ = wait_finished(&server) => None,
        };
        let host_error = match outcome {
            Some(Ok(Ok(()))) => None,
            Some(Ok(Err(error))) => Some(error),
            Some(Err(join)) => Some(Error::Task {
                task: "consensus host",
                reason: join.to_string(),
            }),
            None => None,
        };
        let _ = failed_sender.send(());
        server.await.map_err(|join| Error::Task {
            task: "HTTP server",
            reason: join.to_string(),
        })?;
        let _ = self.stop.send(true);
        self.engine.stop().await;
        self.gossip.abort();
        let flushed = self.state.shared().store.flush();
        match host_error {
            Some(error) => Err(error),
            None => flushed.map_err(Error::from),
        }
    }
}

async fn wait_finished<T>(task: &JoinHandle<T>) {
    while !task.is_finished() {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

fn parse_all(addresses: &[String]) -> Result<Vec<libp2p::Multiaddr>> {
    addresses.iter().map(|text| p2p::parse_addr(text)).collect()
}
