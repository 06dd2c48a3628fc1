//! `xianjie-node bench`: starts a local network of node processes, submits
//! pre-signed transactions from concurrent clients and prints committed
//! transactions per second and submit-to-final latency. In the same run it
//! measures this machine's signature-verification rate and prints the
//! throughput as a fraction of the bound `cores × verify rate ÷ validators`
//! (every validator checks every signature once).
//!
//! Two phases: a saturation phase (every client submits as fast as the nodes
//! admit, waiting and resending when a mempool is full) gives throughput; a paced phase at half that rate gives latency
//! under a sustainable load. Latency is measured from the moment a client
//! sends a transaction until a watcher sees it in a committed block on
//! node 0 (polled every 10 ms, so figures include up to 10 ms of polling).
//! Each phase also prints its block rate and how many of its heights needed
//! more than one consensus round (the round of each commit certificate).
//! With `--down K` the last K validators are stopped before the phases.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use rand::RngCore as _;
use xianjie_ledger::codec;
use xianjie_ledger::crypto::{self, KeyFile, SecretKey};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::model::{EvidenceAnchor, EvidenceCategory};
use xianjie_ledger::tx::{Call, SignedTx, Tx};

use crate::testnet::{write_testnet, TestnetOptions, TESTNET_CHAIN_ID};
use xianjie_node::clock::{Clock as _, SystemClock};
use xianjie_node::mempool::TxBatchBody;

/// Flags of `xianjie-node bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Validators of the local network.
    #[arg(long, default_value_t = 4)]
    pub validators: usize,
    /// Transactions of the saturation phase (the paced phase sends half).
    #[arg(long, default_value_t = 20_000)]
    pub txs: usize,
    /// Concurrent submitting clients.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Where to write the network (default: a fresh directory under the system temp dir).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Base port of the network (API P+i, consensus P+100+i, gossip P+200+i).
    #[arg(long, default_value_t = 27070)]
    pub base_port: u16,
    /// Transactions per request: clients submit with `POST /v1/txs/batch`
    /// (at most 1,024 per request).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub batch: u16,
    /// Submit one transaction per request (`POST /v1/txs`) instead of batches.
    #[arg(long)]
    pub single: bool,
    /// Only measure this machine's one-core rates (signature verification,
    /// admission, block execution); start no network.
    #[arg(long)]
    pub rates_only: bool,
    /// Stop this many validators (the last ones) once the network runs, and
    /// measure with the others: how the chain fares while some are down.
    /// The rest must hold more than two thirds of the power.
    #[arg(long, default_value_t = 0)]
    pub down: usize,
    /// A long run: send `--txs` transactions in chunks of this many, at
    /// saturation, and print per chunk the throughput, submit-to-final
    /// latency, node 0's disk per committed transaction and its memory
    /// (0: one saturation and one half-load phase).
    #[arg(long, default_value_t = 0)]
    pub chunk: usize,
}

/// An evidence anchor of a random digest, signed by `key` (an officer) and
/// naming and co-signed by `colleague` (an officer of the same
/// organisation), the second collector the chain asks for. Both signatures
/// are made here, before any clock starts.
pub fn anchor_tx(
    chain_id: &str,
    key: &SecretKey,
    colleague: &SecretKey,
    valid_until: u64,
) -> SignedTx {
    let mut digest = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut digest);
    let signer = key.public_key().id();
    let mut anchor = EvidenceAnchor {
        digest: Hash(digest),
        size: 1024,
        media_type: "application/octet-stream".into(),
        category: EvidenceCategory::Documentary,
        case_id: None,
        collected_at: 1_700_000_000,
        collected_by: vec![signer, colleague.public_key().id()],
        capture_method: "download".into(),
        capture_tool: "xianjie-node bench".into(),
        provenance_note_digest: None,
        supersedes: None,
        co_signatures: Vec::new(),
    };
    anchor.co_sign(chain_id, &signer, colleague);
    Tx {
        chain_id: chain_id.to_owned(),
        signer: key.public_key(),
        nonce: rand::rngs::OsRng.next_u64(),
        valid_until,
        call: Call::AnchorEvidence(anchor),
    }
    .sign(key)
}

/// The demo officers who sign the benchmark's anchors: two per organisation,
/// each naming the other as second collector.
pub struct Officers {
    keys: Vec<SecretKey>,
}

impl Officers {
    /// The `officer` and `officer2` key files of every demo organisation in `dir`.
    pub fn read(dir: &Path) -> anyhow::Result<Officers> {
        let mut keys = Vec::new();
        for org in xianjie_node::dev::demo_org_ids() {
            for role in ["officer", "officer2"] {
                let path = dir.join(format!("{org}-{role}.key"));
                let text = std::fs::read_to_string(&path)?;
                keys.push(KeyFile::parse(&text)?);
            }
        }
        Ok(Officers { keys })
    }

    /// The `i`-th anchor: signers take turns; keys come in pairs of
    /// colleagues, so `n ^ 1` is signer `n`'s colleague.
    pub fn anchor(&self, chain_id: &str, i: usize, valid_until: u64) -> SignedTx {
        let signer = i % self.keys.len();
        anchor_tx(
            chain_id,
            &self.keys[signer],
            &self.keys[signer ^ 1],
            valid_until,
        )
    }
}

/// Signatures verified per second on one core with the ledger's rule.
#[derive(Debug, Clone, Copy)]
pub struct VerifyRates {
    /// Checked one by one ([`xianjie_ledger::crypto::verify`]).
    pub one_by_one: f64,
    /// Checked together as admission does, in batches of
    /// [`crypto::VERIFY_BATCH`] signed by eight keys
    /// ([`xianjie_ledger::crypto::verify_each`]).
    pub batched: f64,
}

/// [`VerifyRates`] over `samples` transactions signed by eight keys.
pub fn verify_rates_per_core(samples: usize) -> VerifyRates {
    let keys: Vec<SecretKey> = (0..8u8)
        .map(|seed| SecretKey::from_bytes(&[seed + 7; 32]))
        .collect();
    let txs: Vec<(Hash, SignedTx)> = (0..samples)
        .map(|i| {
            let colleague = &keys[(i + 1) % keys.len()];
            let tx = anchor_tx("bench", &keys[i % keys.len()], colleague, 1);
            (tx.hash(), tx)
        })
        .collect();
    let started = Instant::now();
    for (hash, tx) in &txs {
        assert!(tx.verify_signature_of(hash).is_ok());
    }
    let one_by_one = samples as f64 / started.elapsed().as_secs_f64();
    let checks: Vec<_> = txs
        .iter()
        .map(|(hash, tx)| tx.signature_check(hash))
        .collect();
    let started = Instant::now();
    assert!(crypto::verify_each(&checks).iter().all(Result::is_ok));
    let batched = samples as f64 / started.elapsed().as_secs_f64();
    VerifyRates {
        one_by_one,
        batched,
    }
}

/// Transactions per one admission batch in [`admission_rate_per_core`]: the
/// clients' default batch.
const ADMISSION_BATCH: usize = 256;

/// Transactions per second one core admits into a mempool (decode,
/// signature check, envelope and signer checks against the state), in
/// batches as gossip and the batch endpoint hand them over.
pub fn admission_rate_per_core(
    genesis: &Path,
    officers: &Officers,
    count: usize,
) -> anyhow::Result<f64> {
    let (store, chain) = scratch_chain(genesis)?;
    let tip = chain.tip(&store)?;
    let mempool = xianjie_node::mempool::Mempool::new(xianjie_node::config::MempoolLimits {
        max_txs: count,
        max_bytes: count * xianjie_ledger::tx::MAX_TX_BYTES,
    });
    let ctx = xianjie_contracts::BlockCtx {
        chain_id: chain.chain_id.clone(),
        height: tip.height + 1,
        time_ms: SystemClock.now_ms(),
        prev_hash: tip.block_hash,
        policies: std::sync::Arc::clone(&chain.policies),
    };
    let txs: Vec<Vec<u8>> = (0..count)
        .map(|i| codec::encode(&officers.anchor(&chain.chain_id, i, 1_000)))
        .collect();
    let started = Instant::now();
    for batch in txs.chunks(ADMISSION_BATCH) {
        for admission in mempool.admit_gossiped_batch(&store, &ctx, batch) {
            admission.result?;
        }
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

fn scratch_chain(
    genesis: &Path,
) -> anyhow::Result<(xianjie_store::Store, xianjie_node::execution::ChainInfo)> {
    let text = std::fs::read_to_string(genesis)?;
    let genesis = xianjie_ledger::genesis::Genesis::from_json(&text)?;
    let store = xianjie_store::Store::temporary()?;
    xianjie_node::chain::init_store(&store, &genesis, Path::new("(memory)"))?;
    let chain = xianjie_node::execution::ChainInfo {
        chain_id: genesis.chain_id.clone(),
        genesis_hash: genesis.hash(),
        genesis_time_ms: genesis.genesis_time_ms,
        policies: xianjie_node::execution::policy_engine()?,
    };
    Ok((store, chain))
}

/// Transactions per second one core executes into a block (contracts and
/// the state root), measured on a scratch store of the network's genesis:
/// the median of three blocks, each on a fresh store.
pub fn execution_rate_per_core(
    genesis: &Path,
    officers: &Officers,
    count: usize,
) -> anyhow::Result<f64> {
    let mut rates = (0..3)
        .map(|_| execution_rate_once(genesis, officers, count))
        .collect::<anyhow::Result<Vec<f64>>>()?;
    rates.sort_by(f64::total_cmp);
    Ok(rates[1])
}

fn execution_rate_once(genesis: &Path, officers: &Officers, count: usize) -> anyhow::Result<f64> {
    let (store, chain) = scratch_chain(genesis)?;
    let tip = chain.tip(&store)?;
    let txs: Vec<SignedTx> = (0..count)
        .map(|i| officers.anchor(&chain.chain_id, i, 1_000))
        .collect();
    let started = Instant::now();
    let executed = xianjie_node::execution::build_block(
        &store,
        &chain,
        &tip,
        xianjie_ledger::crypto::KeyId::default(),
        txs,
        // Nothing held: every transaction is looked up, as in a check of a
        // proposal whose transactions did not reach this node first.
        &xianjie_node::mempool::Mempool::new(xianjie_node::config::MempoolLimits::default()),
        SystemClock.now_ms(),
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let ok = executed
        .results
        .0
        .iter()
        .filter(|result| result.outcome == xianjie_ledger::block::TxOutcome::Ok)
        .count();
    if ok != count {
        bail!("only {ok} of {count} benchmark transactions execute");
    }
    Ok(count as f64 / seconds)
}

struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The network directory `bench` chose itself: removed when the run ends
/// (each run writes hundreds of megabytes), unless the nodes' logs were asked
/// for. Declared before the node processes, so they stop first.
struct Scratch(Option<PathBuf>);

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn http_height(url: &str) -> Option<u64> {
    let mut response = ureq::get(format!("{url}/v1/status")).call().ok()?;
    let status: serde_json::Value = response.body_mut().read_json().ok()?;
    status["height"].as_u64()
}

/// A committed block's transaction hashes and the round that decided it.
fn block_txs(url: &str, height: u64) -> Option<(Vec<String>, u64)> {
    let mut response = ureq::get(format!("{url}/v1/blocks/{height}")).call().ok()?;
    let block: serde_json::Value = response.body_mut().read_json().ok()?;
    let txs = block["txs"]
        .as_array()?
        .iter()
        .filter_map(|hash| hash.as_str().map(str::to_owned))
        .collect();
    Some((txs, block["commit"]["round"].as_u64()?))
}

/// Result of one phase.
struct Phase {
    committed: usize,
    seconds: f64,
    latencies_ms: Vec<f64>,
    refused: usize,
    /// Heights committed until the last benchmark transaction.
    blocks: u64,
    /// Of those, the heights decided after round 0.
    late_blocks: u64,
}

impl Phase {
    fn blocks_note(&self) -> String {
        format!(
            "{} blocks, {:.1} blocks/s, {} decided after round 0",
            self.blocks,
            self.blocks as f64 / self.seconds,
            self.late_blocks
        )
    }
}

/// The validators that keep running when `down` of `validators` (of equal
/// power) stop: consensus needs more than two thirds of the power.
fn running_validators(validators: usize, down: usize) -> anyhow::Result<usize> {
    let running = validators.saturating_sub(down);
    if down >= validators || 3 * running <= 2 * validators {
        bail!(
            "--down {down} leaves {running} of {validators} validators, not more than two thirds: \
             the chain would stop; use at most {} with --validators {validators}",
            (validators - 1) / 3
        );
    }
    Ok(running)
}

/// Runs the benchmark and prints its figures.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || run_blocking(&args))
        .await
        .context("the benchmark thread failed")?
}

fn run_blocking(args: &BenchArgs) -> anyhow::Result<()> {
    if args.validators == 0 || args.clients == 0 || args.txs == 0 {
        bail!("--validators, --clients and --txs must be positive");
    }
    let running = running_validators(args.validators, args.down)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!("measuring signature verification on this machine…");
    let verify_rates = verify_rates_per_core(4_000);
    let bound = cores as f64 * verify_rates.one_by_one / args.validators as f64;

    let out = match &args.out {
        Some(out) => out.clone(),
        None => std::env::temp_dir().join(format!("xianjie-bench-{}", std::process::id())),
    };
    let keep = args.out.is_some() || std::env::var_os("XIANJIE_BENCH_LOG").is_some();
    let _scratch = Scratch((!keep).then(|| out.clone()));
    let mut options = TestnetOptions::new(args.validators, &out);
    options.base_port = args.base_port;
    options.timeout_propose = Duration::from_secs(3);
    options.empty_block_wait = Duration::from_millis(50);
    let nodes = write_testnet(&options).context("writing the network")?;
    if args.rates_only {
        let (admission_rate, execution_rate) = one_core_rates(&out)?;
        print_rates(
            cores,
            args.validators,
            verify_rates,
            admission_rate,
            execution_rate,
        );
        return Ok(());
    }
    let exe = std::env::current_exe().context("locating xianjie-node")?;
    let mut processes = Processes(Vec::new());
    for node in &nodes {
        let log = std::fs::File::create(node.home.with_extension("log"))?;
        processes.0.push(
            Command::new(&exe)
                .arg("start")
                .arg("--home")
                .arg(&node.home)
                .env(
                    "RUST_LOG",
                    std::env::var("XIANJIE_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
                )
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .context("starting a node")?,
        );
    }
    let urls: Vec<String> = nodes.iter().map(|node| node.api.clone()).collect();
    wait_until(Duration::from_secs(60), || {
        urls.iter()
            .all(|url| http_height(url).is_some_and(|h| h >= 2))
    })
    .context("the network did not start")?;
    eprintln!(
        "network of {} validators running in {}",
        args.validators,
        out.display()
    );
    let node0_pid = processes.0[0].id();
    // The last ones stop; clients and the watcher use the others.
    for mut child in processes.0.drain(running..) {
        let _ = child.kill();
        let _ = child.wait();
    }
    let urls = &urls[..running];
    if args.down > 0 {
        eprintln!("stopped {} of the validators", args.down);
    }

    let (admission_rate, execution_rate) = one_core_rates(&out)?;
    let officers = Officers::read(&out.join("keys"))?;
    let submit = if args.single {
        Submit::Single
    } else {
        Submit::Batch(usize::from(args.batch))
    };
    if args.chunk > 0 {
        let node0 = Node0 {
            data_dir: nodes[0].home.join("data"),
            pid: node0_pid,
        };
        return long_run(args, urls, &officers, &node0, submit);
    }
    eprintln!("signing {} transactions…", args.txs + args.txs / 2);
    let sign = |count: usize| -> Vec<SignedTx> {
        (0..count)
            .map(|i| officers.anchor(TESTNET_CHAIN_ID, i, 50_000))
            .collect()
    };
    let saturation_txs = sign(args.txs);
    let paced_txs = sign(args.txs / 2);

    let saturation = phase(urls, saturation_txs, args.clients, None, submit)?;
    if saturation.committed == 0 {
        bail!(
            "no benchmark transaction was committed within 120 s ({} refused); \
             rerun with XIANJIE_BENCH_LOG=info and read the nodes' logs in the network directory",
            saturation.refused
        );
    }
    let rate = saturation.committed as f64 / saturation.seconds;
    let paced = phase(urls, paced_txs, args.clients, Some(rate / 2.0), submit)?;
    drop(processes);

    let (p50, p99) = percentiles(saturation.latencies_ms.clone());
    let (paced_p50, paced_p99) = percentiles(paced.latencies_ms.clone());
    println!(
        "xianjie-node bench: {} validators{}, {} clients, {cores} cores, {}",
        args.validators,
        if args.down > 0 {
            format!(" ({} stopped)", args.down)
        } else {
            String::new()
        },
        args.clients,
        match submit {
            Submit::Single => "one transaction per request (POST /v1/txs)".to_owned(),
            Submit::Batch(size) => format!("batches of up to {size} (POST /v1/txs/batch)"),
        }
    );
    println!(
        "  saturation   {} txs committed in {:.2} s: {:.0} tx/s; latency p50 {:.0} ms, p99 {:.0} ms{}",
        saturation.committed,
        saturation.seconds,
        rate,
        p50,
        p99,
        refused_note(saturation.refused)
    );
    println!("               {}", saturation.blocks_note());
    println!(
        "  half load    {} txs at {:.0} tx/s offered: {:.0} tx/s; latency p50 {:.0} ms, p99 {:.0} ms{}",
        paced.committed,
        rate / 2.0,
        paced.committed as f64 / paced.seconds,
        paced_p50,
        paced_p99,
        refused_note(paced.refused)
    );
    println!("               {}", paced.blocks_note());
    println!(
        "  committed    {:.2} of the bound cores × verify rate ÷ validators",
        rate / bound
    );
    print_rates(
        cores,
        args.validators,
        verify_rates,
        admission_rate,
        execution_rate,
    );
    Ok(())
}

/// Node 0 of the benchmark network, whose disk and memory a long run follows.
struct Node0 {
    data_dir: PathBuf,
    pid: u32,
}

/// Sends `args.txs` in chunks of `args.chunk` at saturation and prints a
/// line per chunk: how the cost changes as the chain grows.
fn long_run(
    args: &BenchArgs,
    urls: &[String],
    officers: &Officers,
    node0: &Node0,
    submit: Submit,
) -> anyhow::Result<()> {
    println!(
        "xianjie-node bench, long run: {} validators, {} clients, chunks of {}",
        args.validators, args.clients, args.chunk
    );
    println!(
        "{:>6} {:>11} {:>8} {:>8} {:>8} {:>10} {:>9} {:>9}",
        "chunk", "committed", "tx/s", "p50 ms", "p99 ms", "disk B/tx", "RSS MiB", "refused"
    );
    let (mut sent, mut committed, mut rates) = (0, 0, Vec::new());
    while sent < args.txs {
        let count = args.chunk.min(args.txs - sent);
        let valid_until = http_height(&urls[0]).unwrap_or(0) + 40_000;
        let txs: Vec<SignedTx> = (sent..sent + count)
            .map(|i| officers.anchor(TESTNET_CHAIN_ID, i, valid_until))
            .collect();
        let chunk = phase(urls, txs, args.clients, None, submit)?;
        sent += count;
        committed += chunk.committed;
        let rate = chunk.committed as f64 / chunk.seconds;
        rates.push(rate);
        let (p50, p99) = percentiles(chunk.latencies_ms);
        let disk_per_tx = crate::verify_db::dir_size(&node0.data_dir) / committed.max(1) as u64;
        let rss_mib = resident_bytes(node0.pid).map_or_else(
            || "-".to_owned(),
            |bytes| format!("{:.0}", bytes as f64 / 1048576.0),
        );
        println!(
            "{:>6} {committed:>11} {rate:>8.0} {p50:>8.0} {p99:>8.0} {disk_per_tx:>10} {rss_mib:>9} {:>9}",
            rates.len(),
            chunk.refused
        );
    }
    if let (Some(first), Some(last)) = (rates.first(), rates.last()) {
        println!(
            "last chunk at {:.0} % of the first ({last:.0} vs {first:.0} tx/s)",
            100.0 * last / first
        );
    }
    Ok(())
}

/// Resident memory of a process (Linux `/proc`), if it can be read.
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// The admission and execution rates of one core over 2,000 transactions,
/// on a scratch chain from the network's genesis in `out`.
fn one_core_rates(out: &Path) -> anyhow::Result<(f64, f64)> {
    let officers = Officers::read(&out.join("keys"))?;
    let genesis = out.join("genesis.json");
    let execution_rate = execution_rate_per_core(&genesis, &officers, 2_000)?;
    let admission_rate = admission_rate_per_core(&genesis, &officers, 2_000)?;
    Ok((admission_rate, execution_rate))
}

fn print_rates(
    cores: usize,
    validators: usize,
    verify_rates: VerifyRates,
    admission_rate: f64,
    execution_rate: f64,
) {
    let bound = |rate: f64| cores as f64 * rate / validators as f64;
    println!(
        "  verify rate  {:.0} signatures/s per core one by one; bound cores × rate ÷ validators = {:.0} tx/s",
        verify_rates.one_by_one,
        bound(verify_rates.one_by_one)
    );
    println!(
        "               {:.0} signatures/s per core in batches of {} from 8 keys, as admission checks them; bound {:.0} tx/s",
        verify_rates.batched,
        crypto::VERIFY_BATCH,
        bound(verify_rates.batched)
    );
    println!(
        "  admission    {admission_rate:.0} tx/s per core (decode, signature, envelope and signer checks, in batches of 256; every node admits every transaction)"
    );
    println!(
        "  execution    {execution_rate:.0} tx/s per core (one 2,000-transaction block: contracts and state root); cores × rate ÷ validators = {:.0} tx/s",
        cores as f64 * execution_rate / validators as f64
    );
}

fn refused_note(refused: usize) -> String {
    if refused == 0 {
        String::new()
    } else {
        format!(" ({refused} submissions refused)")
    }
}

fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    while !done() {
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// How clients send transactions.
#[derive(Debug, Clone, Copy)]
enum Submit {
    /// `POST /v1/txs`, one transaction per request.
    Single,
    /// `POST /v1/txs/batch`, up to this many per request.
    Batch(usize),
}

/// Submits `txs` from `clients` threads (round robin over the nodes), at
/// `rate` tx/s in total if given, and follows node 0's blocks until all are
/// committed or 120 s pass.
fn phase(
    urls: &[String],
    txs: Vec<SignedTx>,
    clients: usize,
    rate: Option<f64>,
    submit: Submit,
) -> anyhow::Result<Phase> {
    let start_height = http_height(&urls[0]).context("node 0 does not answer")?;
    let total = txs.len();
    let submitted: Arc<Mutex<HashMap<String, Instant>>> =
        Arc::new(Mutex::new(HashMap::with_capacity(total)));
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    // Encoded and hashed before the clock starts, as they were signed.
    let mut shares: Vec<Vec<Prepared>> = (0..clients).map(|_| Vec::new()).collect();
    for (i, tx) in txs.iter().enumerate() {
        shares[i % clients].push(Prepared {
            hash: tx.hash().to_hex(),
            bytes: codec::encode(tx),
        });
    }
    let started = Instant::now();
    let mut handles = Vec::new();
    for (client, share) in shares.into_iter().enumerate() {
        let client = Client {
            url: urls[client % urls.len()].clone(),
            submitted: Arc::clone(&submitted),
            refused: Arc::clone(&refused),
            interval: rate.map(|r| Duration::from_secs_f64(clients as f64 / r)),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
            began: Instant::now(),
        };
        handles.push(std::thread::spawn(move || match submit {
            Submit::Single => client.send_singly(share),
            Submit::Batch(size) => client.send_batches(share, size),
        }));
    }

    let mut latencies = Vec::with_capacity(total);
    let mut last_commit = started;
    let mut next = start_height + 1;
    let (mut blocks, mut late_blocks, mut late_so_far) = (0, 0, 0);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = 0usize;
    while Instant::now() < deadline {
        let tip = http_height(&urls[0]).unwrap_or(0);
        while next <= tip {
            let Some((hashes, round)) = block_txs(&urls[0], next) else {
                break;
            };
            let now = Instant::now();
            let map = submitted.lock().expect("lock");
            late_so_far += u64::from(round > 0);
            for hash in hashes {
                if let Some(at) = map.get(&hash) {
                    latencies.push(now.duration_since(*at).as_secs_f64() * 1000.0);
                    seen += 1;
                    last_commit = now;
                    blocks = next - start_height;
                    late_blocks = late_so_far;
                }
            }
            drop(map);
            next += 1;
        }
        let all_sent = handles.iter().all(|h| h.is_finished());
        if all_sent && seen + refused.load(Ordering::Relaxed) >= total {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for handle in handles {
        let _ = handle.join();
    }
    Ok(Phase {
        committed: seen,
        seconds: last_commit.duration_since(started).as_secs_f64().max(1e-3),
        latencies_ms: latencies,
        refused: refused.load(Ordering::Relaxed),
        blocks,
        late_blocks,
    })
}

/// A transaction as a client sends it: its hash as blocks list it, and its
/// bytes.
struct Prepared {
    hash: String,
    bytes: Vec<u8>,
}

/// One submitting client: a thread with its own HTTP connection to one node.
struct Client {
    url: String,
    submitted: Arc<Mutex<HashMap<String, Instant>>>,
    refused: Arc<std::sync::atomic::AtomicUsize>,
    /// Pacing: the n-th transaction is due `n × interval` after `began`.
    interval: Option<Duration>,
    agent: ureq::Agent,
    began: Instant,
}

/// How long a client keeps resending transactions a full mempool refused.
const RESEND_FOR: Duration = Duration::from_secs(100);

impl Client {
    /// When the n-th transaction is due (now, unpaced).
    fn due(&self, n: usize) -> Instant {
        match self.interval {
            Some(interval) => self.began + interval.mul_f64(n as f64),
            None => self.began,
        }
    }

    fn mark_sent<'a>(&self, txs: impl IntoIterator<Item = &'a Prepared>) {
        let at = Instant::now();
        let mut map = self.submitted.lock().expect("lock");
        for tx in txs {
            map.insert(tx.hash.clone(), at);
        }
    }

    fn send_singly(self, share: Vec<Prepared>) {
        for (n, tx) in share.into_iter().enumerate() {
            if let Some(wait) = self.due(n).checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            self.mark_sent([&tx]);
            let bytes = tx.bytes;
            // A full mempool (503) is back-pressure: wait and send again.
            let accepted = loop {
                let status = self
                    .agent
                    .post(format!("{}/v1/txs", self.url))
                    .header("content-type", "application/octet-stream")
                    .send(&bytes[..])
                    .map(|response| response.status().as_u16())
                    .unwrap_or(0);
                if status != 503 || self.began.elapsed() > RESEND_FOR {
                    break status == 202;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            if !accepted {
                self.refused.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Sends every due transaction (up to `size`) in one batch, then the
    /// next; unpaced, that is `size` at a time back to back.
    fn send_batches(self, share: Vec<Prepared>, size: usize) {
        let mut next = 0;
        while next < share.len() {
            if let Some(wait) = self.due(next).checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let now = Instant::now();
            let mut end = next + 1;
            while end < share.len() && end - next < size && self.due(end) <= now {
                end += 1;
            }
            let batch = &share[next..end];
            self.mark_sent(batch);
            let mut waiting: Vec<Vec<u8>> = batch.iter().map(|tx| tx.bytes.clone()).collect();
            // Those a full mempool refused (503) are sent again after a pause.
            while !waiting.is_empty() {
                let (full, refused) = self.send_batch(std::mem::take(&mut waiting));
                self.refused.fetch_add(refused, Ordering::Relaxed);
                if full.is_empty() {
                    break;
                }
                if self.began.elapsed() > RESEND_FOR {
                    self.refused.fetch_add(full.len(), Ordering::Relaxed);
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
                waiting = full;
            }
            next = end;
        }
    }

    /// One `POST /v1/txs/batch`: the transactions to send again (mempool
    /// full) and how many were refused for good.
    fn send_batch(&self, txs: Vec<Vec<u8>>) -> (Vec<Vec<u8>>, usize) {
        let count = txs.len();
        let body = codec::encode(&TxBatchBody { txs: txs.clone() });
        let answer = self
            .agent
            .post(format!("{}/v1/txs/batch", self.url))
            .header("content-type", "application/octet-stream")
            .send(&body[..])
            .ok()
            .filter(|response| response.status().as_u16() == 200)
            .and_then(|mut response| {
                response
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024 * 1024)
                    .read_json::<serde_json::Value>()
                    .ok()
            });
        let Some(statuses) = answer
            .as_ref()
            .and_then(|answer| answer["results"].as_array())
        else {
            return (Vec::new(), count);
        };
        let mut again = Vec::new();
        let mut refused = count.saturating_sub(statuses.len());
        for (tx, result) in txs.into_iter().zip(statuses) {
            match result["status"].as_u64() {
                Some(202) => {}
                Some(503) => again.push(tx),
                _ => refused += 1,
            }
        }
        (again, refused)
    }
}

fn percentiles(mut values: Vec<f64>) -> (f64, f64) {
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_validators_must_leave_more_than_two_thirds() {
        assert_eq!(running_validators(4, 0).unwrap(), 4);
        assert_eq!(running_validators(4, 1).unwrap(), 3);
        let refused = running_validators(4, 2).unwrap_err().to_string();
        assert!(refused.contains("at most 1"), "{refused}");
        assert!(running_validators(3, 1).is_err());
        assert!(running_validators(1, 1).is_err());
        assert_eq!(running_validators(7, 2).unwrap(), 5);
    }
}
