//! Starting and stopping a node: open the store, start the producer, serve
//! the API, and shut down in order.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, AppState};
use crate::chain::Chain;
use crate::committed_tip::{self, NodeKind};
use crate::config::NodeConfig;
use crate::dev::{DevHome, DevSetup};
use crate::disk::DiskWatch;
use crate::error::{Error, Result};
use crate::http_server::{self, ConnectionLimits};
use crate::mempool::Mempool;
use crate::producer::Producer;
use crate::vault::{Vault, VAULT_DIR};

/// A running node: the producer task and the state the API serves.
pub struct Node {
    state: AppState,
    stop: watch::Sender<bool>,
    producer: JoinHandle<Result<()>>,
    disk_watch: JoinHandle<Result<()>>,
}

impl Node {
    /// Prepares the dev home (creating it on the first start) and starts a
    /// node on it. Must be called inside a Tokio runtime.
    pub async fn start_dev(config: NodeConfig) -> Result<Node> {
        config.validate()?;
        let home = DevHome::new(&config.home);
        let setup = tokio::task::spawn_blocking(move || home.prepare())
            .await
            .map_err(|join| Error::Task {
                task: "preparing the dev home",
                reason: join.to_string(),
            })??;
        if setup.created {
            tracing::info!(home = %config.home.display(), "created a new dev chain: genesis.json and demo keys written");
        }
        Node::start(config, setup).await
    }

    /// Opens the store in `config.home`/data and starts producing blocks.
    pub async fn start(config: NodeConfig, setup: DevSetup) -> Result<Node> {
        config.validate()?;
        let home = config.home.clone();
        let genesis = Arc::new(setup.genesis);
        let chain_genesis = Arc::clone(&genesis);
        let policies = crate::execution::policy_engine()?;
        let chain_policies = Arc::clone(&policies);
        let chain = tokio::task::spawn_blocking(move || -> Result<(Chain, crate::chain::Tip)> {
            // Refuses a store that lost committed blocks (see committed_tip).
            let opened = committed_tip::open_store(&home, &chain_genesis, NodeKind::Dev)?;
            let data_dir = DevHome::new(&home).data_dir();
            let chain = Chain::open(
                opened.store,
                &chain_genesis,
                setup.validator_key,
                chain_policies,
                &data_dir,
            )?
            .with_recorder(opened.recorder);
            Ok((chain, opened.tip))
        })
        .await
        .map_err(|join| Error::Task {
            task: "opening the store",
            reason: join.to_string(),
        })?;
        let (chain, tip) = chain?;
        let chain = Arc::new(chain);
        let data_dir = DevHome::new(&config.home).data_dir();
        let (disk_watch, disk) = DiskWatch::new(&data_dir, config.min_free_bytes)?;
        let (tip_sender, tip_receiver) = watch::channel(tip);
        let mempool = Arc::new(Mempool::new(config.mempool));
        let clock = crate::clock::system();
        let state = AppState::new(api::Shared {
            policies,
            store: chain.store().clone(),
            genesis_hash: genesis.hash(),
            genesis,
            mempool: Arc::clone(&mempool),
            clock: Arc::clone(&clock),
            tip: tip_receiver,
            config: config.api,
            network: None,
            vault: Vault::open(config.home.join(VAULT_DIR), config.vault)?,
            fetcher: None,
            disk: disk.clone(),
            witnesses: api::checkpoints::read_witnesses(&config.home)?.into(),
        });
        let producer = Producer {
            chain,
            mempool,
            tip: tip_sender,
            block_limits: config.block,
            batch_window: config.batch_window,
            clock,
            disk,
        };
        let (stop, stop_receiver) = watch::channel(false);
        let disk_watch = disk_watch.spawn(stop_receiver.clone());
        let producer = producer.spawn(stop_receiver);
        tracing::info!(height = tip.height, "node started");
        Ok(Node {
            state,
            stop,
            producer,
            disk_watch,
        })
    }

    /// The state the API handlers share.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// The HTTP API of this node.
    pub fn router(&self) -> axum::Router {
        api::router(self.state())
    }

    /// Resolves when the producer has stopped on its own, which only happens
    /// after a fatal error: the node should then shut down.
    pub fn producer_stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut tip = self.state.tip_receiver();
        async move { while tip.changed().await.is_ok() {} }
    }

    /// Serves the API on `listener` until `shutdown` resolves or the producer
    /// fails, then stops the node. In-flight requests and the block being
    /// committed finish first.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let producer_stopped = self.producer_stopped();
        let event_streams = std::sync::Arc::clone(self.state.event_streams());
        let stop_serving = async move {
            tokio::select! {
                () = shutdown => tracing::info!("shutdown requested; finishing in-flight work"),
                () = producer_stopped => tracing::error!("the block producer stopped; shutting down"),
            }
            // Event streams never finish on their own: end them so that the
            // server's wait for in-flight responses does.
            event_streams.close_all();
        };
        let limits = ConnectionLimits::from(&self.state.shared().config);
        http_server::serve(listener, self.router(), limits, stop_serving).await;
        self.shutdown().await
    }

    /// Stops the producer after its current block, waits for it and drops
    /// this node's store handles (sled flushes when the last handle goes;
    /// every block was already flushed at commit). Routers obtained from
    /// [`Node::router`] hold handles too: drop them before reopening the
    /// home. Returns the producer's error, if it failed.
    pub async fn shutdown(self) -> Result<()> {
        let Node {
            state,
            stop,
            producer,
            disk_watch,
        } = self;
        // Ignored: the producer may already have exited and dropped its receiver.
        let _ = stop.send(true);
        // It only measures; it stops at the signal and cannot fail after.
        let _ = disk_watch.await;
        let result = producer.await.map_err(|join| Error::Task {
            task: "block producer",
            reason: join.to_string(),
        })?;
        // Blocks are flushed as they commit; this makes the shutdown explicit
        // even for anything sled buffered since.
        let flushed = state.shared().store.flush();
        drop(state);
        result?;
        flushed.map_err(Error::from)
    }
}
