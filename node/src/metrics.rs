//! Prometheus metrics of the node, served at `GET /metrics` together with
//! the consensus engine's own.
//!
//! Following the metrics style, there are no rate metrics: throughput is
//! exported as counters (`xianjie_committed_txs_total`,
//! `xianjie_committed_blocks_total`) and Prometheus computes rates, e.g.
//! `rate(xianjie_committed_txs_total[1m])` for transactions per second.

use std::sync::OnceLock;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The node's metrics (one set per process).
pub struct Metrics {
    /// Latest committed height.
    pub height: Gauge,
    /// Consensus round of the height in progress.
    pub round: Gauge,
    /// Transactions pending in the mempool.
    pub mempool_size: Gauge,
    /// Committed transactions (refused ones included).
    pub committed_txs: Counter,
    /// Committed blocks.
    pub committed_blocks: Counter,
    /// Blocks received through sync rather than live consensus.
    pub synced_blocks: Counter,
    /// Proposals this node refused.
    pub refused_proposals: Counter,
    /// Heights that ended with evidence of a validator double signing.
    pub misbehaviour_heights: Counter,
    /// Seconds between a block's time and its parent's.
    pub block_interval_seconds: Histogram,
    /// Seconds to execute and commit a decided block on this node.
    pub commit_seconds: Histogram,
    /// Connected consensus peers.
    pub consensus_peers: Gauge,
    /// Connected transaction gossip peers.
    pub gossip_peers: Gauge,
    /// Free bytes on the store's disk.
    pub disk_free_bytes: Gauge,
    /// 1 while the store's disk is below its reserve.
    pub disk_full: Gauge,
}

impl Metrics {
    /// The process's metrics, registered on first use.
    pub fn get() -> &'static Metrics {
        static METRICS: OnceLock<Metrics> = OnceLock::new();
        METRICS.get_or_init(|| {
            let metrics = Metrics::new();
            crate::consensus::with_metrics_registry(|registry| metrics.register(registry));
            metrics
        })
    }

    fn new() -> Self {
        let buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
        Metrics {
            height: Gauge::default(),
            round: Gauge::default(),
            mempool_size: Gauge::default(),
            committed_txs: Counter::default(),
            committed_blocks: Counter::default(),
            synced_blocks: Counter::default(),
            refused_proposals: Counter::default(),
            misbehaviour_heights: Counter::default(),
            block_interval_seconds: Histogram::new(buckets),
            commit_seconds: Histogram::new(buckets),
            consensus_peers: Gauge::default(),
            gossip_peers: Gauge::default(),
            disk_free_bytes: Gauge::default(),
            disk_full: Gauge::default(),
        }
    }

    fn register(&self, registry: &mut Registry) {
        registry.register("height", "Latest committed height", self.height.clone());
        registry.register(
            "round",
            "Consensus round of the height in progress",
            self.round.clone(),
        );
        registry.register(
            "mempool_size",
            "Transactions pending in the mempool",
            self.mempool_size.clone(),
        );
        registry.register(
            "committed_txs",
            "Committed transactions, refused ones included (rate() gives tx/s)",
            self.committed_txs.clone(),
        );
        registry.register(
            "committed_blocks",
            "Committed blocks",
            self.committed_blocks.clone(),
        );
        registry.register(
            "synced_blocks",
            "Blocks received through sync",
            self.synced_blocks.clone(),
        );
        registry.register(
            "refused_proposals",
            "Proposals this node refused",
            self.refused_proposals.clone(),
        );
        registry.register(
            "misbehaviour_heights",
            "Heights with evidence of a validator double signing",
            self.misbehaviour_heights.clone(),
        );
        registry.register(
            "block_interval_seconds",
            "Block time minus the parent's block time",
            self.block_interval_seconds.clone(),
        );
        registry.register(
            "commit_seconds",
            "Time to execute and commit a decided block",
            self.commit_seconds.clone(),
        );
        registry.register(
            "consensus_peers",
            "Connected consensus peers",
            self.consensus_peers.clone(),
        );
        registry.register(
            "gossip_peers",
            "Connected transaction gossip peers",
            self.gossip_peers.clone(),
        );
        registry.register(
            "disk_free_bytes",
            "Free bytes on the store's disk",
            self.disk_free_bytes.clone(),
        );
        registry.register(
            "disk_full",
            "1 while the store's disk is below its reserve: no transactions, no new heights",
            self.disk_full.clone(),
        );
    }
}

/// The text exposition of every metric of the process.
pub fn render() -> String {
    Metrics::get();
    crate::consensus::export_metrics()
}
