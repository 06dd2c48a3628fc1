//! The `xianjie-node` binary: parses flags, sets up logging and runs a node
//! (`dev`, `start`). The operator's tools beside the daemon live here, not
//! in the node library: `verify-db` ([`verify_db`]), `backup` and `restore`
//! ([`backup`]), `bench` ([`bench`]), `testnet` ([`testnet`]), `usage`
//! ([`usage`]) and the history witness `witness` ([`witness`]).

mod backup;
mod bench;
mod genesis;
mod testnet;
mod usage;
mod verify_db;
mod witness;

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;
use xianjie_node::dev::DevHome;
use xianjie_node::{Node, NodeConfig};

/// A node allocates and frees many small buffers per transaction (decoding,
/// policy requests, storage batches); glibc's allocator spent about a sixth
/// of a loaded node's CPU on them, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Run a Xianjie ledger node.
#[derive(Debug, Parser)]
#[command(name = "xianjie-node", version, about)]
struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a one-validator dev chain with demo organisations and keys.
    Dev {
        /// Home directory: genesis.json, keys/ and data/.
        #[arg(long, default_value = xianjie_node::config::DEFAULT_DEV_HOME)]
        home: PathBuf,
        /// Address of the HTTP API.
        #[arg(long, default_value = xianjie_node::config::DEFAULT_DEV_HTTP_ADDR)]
        http: SocketAddr,
    },
    /// Write the genesis and a home per node of an N-node network on this machine.
    Testnet {
        /// Number of validators.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Homes of extra nodes whose keys are not in the genesis (governance can add them).
        #[arg(long, default_value_t = 0)]
        extra_nodes: usize,
        /// Output directory: genesis.json, keys/, node0 … node{N-1}.
        #[arg(long)]
        out: PathBuf,
        /// Node i serves its API on 127.0.0.1:P+i, consensus on P+100+i, gossip on P+200+i.
        #[arg(long, default_value_t = crate::testnet::DEFAULT_BASE_PORT)]
        base_port: u16,
        /// consensus.timeout_propose of every node, e.g. 2s.
        #[arg(long, value_parser = humantime_serde::re::humantime::parse_duration, default_value = "2s")]
        timeout_propose: std::time::Duration,
        /// consensus.empty_block_wait of every node, e.g. 1s.
        #[arg(long, value_parser = humantime_serde::re::humantime::parse_duration, default_value = "1s")]
        empty_block_wait: std::time::Duration,
    },
    /// Run one node of a network from its home (see `testnet`).
    ///
    /// An encrypted keys/node.key is unlocked with a passphrase from
    /// --passphrase-file, else the systemd credential xianjie-node-passphrase
    /// ($CREDENTIALS_DIRECTORY), else XIANJIE_NODE_PASSPHRASE, else the terminal.
    Start {
        /// The node's home: config.toml, genesis.json, keys/node.key.
        #[arg(long)]
        home: PathBuf,
        /// A file (mode 0600) whose first line is node.key's passphrase.
        #[arg(long, value_name = "PATH")]
        passphrase_file: Option<PathBuf>,
    },
    /// Check a stopped node's store and vault for tampering: replay the chain
    /// from genesis, compare every stored record and re-hash every vault file.
    /// Exit 0 if everything matches, 1 at the first divergence, 2 if the home
    /// cannot be checked.
    VerifyDb {
        /// The node's home (a dev home or a network node's home).
        #[arg(long)]
        home: PathBuf,
        /// Where the replayed store and the copy of the checked one are
        /// kept while the check runs (default: TMPDIR). Needs about twice
        /// the store's size.
        #[arg(long)]
        scratch: Option<PathBuf>,
        /// Resume a long check at this height: the state after the height
        /// before is taken from the store's state history once its root
        /// matches that block's certified state root.
        #[arg(long)]
        from_height: Option<u64>,
    },
    /// Write one file holding the home at a committed height (store as its
    /// chain, genesis, config, keys, vault), while the node runs or when it
    /// is stopped.
    Backup {
        /// The node's home.
        #[arg(long)]
        home: PathBuf,
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Leave the vault's evidence files out.
        #[arg(long)]
        without_vault: bool,
        /// The running node's API address (default: api.listen of
        /// config.toml, or the dev node's default).
        #[arg(long)]
        api: Option<SocketAddr>,
    },
    /// Write a new home from a backup file; the store is rebuilt by
    /// replaying the backup's chain under the block rule.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// The new home (must not exist or be empty).
        #[arg(long)]
        home: PathBuf,
    },
    /// Start a local network, load it with pre-signed transactions and print
    /// committed tx/s and submit-to-final latency.
    Bench(crate::bench::BenchArgs),
    /// Witness a chain's history: co-sign each newer checkpoint once it is
    /// certified and extends the last one co-signed; stop at a fork (exit 3).
    ///
    /// An encrypted key is unlocked like a node key (--passphrase-file, the
    /// systemd credential, XIANJIE_NODE_PASSPHRASE, the terminal).
    Witness {
        /// A node's API, e.g. http://127.0.0.1:7070; repeat to follow several
        /// (read from the first that answers, co-signatures sent to all).
        #[arg(long = "node", required_unless_present = "show_vkey")]
        nodes: Vec<String>,
        /// The chain's complete genesis document.
        #[arg(long, required_unless_present = "show_vkey")]
        genesis: Option<PathBuf>,
        /// The witness's key file (`xianjie keys new --out FILE`).
        #[arg(long)]
        key: PathBuf,
        /// The witness's key name, e.g. witness.court.example/w1.
        #[arg(long)]
        name: String,
        /// Its state file: the last checkpoint co-signed.
        #[arg(long, required_unless_present = "show_vkey")]
        state: Option<PathBuf>,
        /// A file holding the passphrase of an encrypted key.
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
        /// Keep witnessing, one round every this long (e.g. 30s); without
        /// it, one round.
        #[arg(long, value_parser = humantime_serde::re::humantime::parse_duration)]
        every: Option<std::time::Duration>,
        /// Print the witness's vkey (for nodes' witnesses.txt and verifiers'
        /// witness lists) and exit.
        #[arg(long)]
        show_vkey: bool,
    },
    /// Write a stopped node's genesis.json with every field spelled out, as
    /// `xianjie verify` needs it, after checking that its hash is the one
    /// the node's chain began with.
    Genesis {
        /// The node's home.
        #[arg(long)]
        home: PathBuf,
        /// Where to write it (must not exist); default: stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print where a stopped node's store spends its bytes: records and
    /// bytes per record kind, per committed transaction, and on disk.
    Usage {
        /// The node's home (a dev home or a network node's home).
        #[arg(long)]
        home: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

fn main() -> anyhow::Result<()> {
    // Before anything is written: the store, vault and keys are for this user only.
    xianjie_node::file_modes::restrict_new_files();
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    match cli.command {
        Command::Dev { home, http } => runtime.block_on(run_dev(home, http)),
        Command::Testnet {
            validators,
            extra_nodes,
            out,
            base_port,
            timeout_propose,
            empty_block_wait,
        } => {
            let options = crate::testnet::TestnetOptions {
                validators,
                extra_nodes,
                out: out.clone(),
                base_port,
                timeout_propose,
                empty_block_wait,
            };
            let nodes = crate::testnet::write_testnet(&options)
                .with_context(|| format!("writing the test network to {}", out.display()))?;
            println!(
                "wrote {} node homes and the genesis to {}",
                nodes.len(),
                out.display()
            );
            for node in &nodes {
                println!(
                    "  {}  api {}  {}",
                    node.home.display(),
                    node.api,
                    if node.validator {
                        "validator"
                    } else {
                        "not registered"
                    }
                );
            }
            println!("start each with: xianjie-node start --home <home>");
            Ok(())
        }
        Command::Start {
            home,
            passphrase_file,
        } => runtime.block_on(run_start(home, passphrase_file)),
        Command::Bench(args) => runtime.block_on(crate::bench::run(args)),
        Command::Genesis { home, out } => {
            drop(runtime);
            let completed = crate::genesis::complete(&home)
                .with_context(|| format!("completing the genesis of {}", home.display()))?;
            crate::genesis::write(&completed, out.as_ref())
        }
        Command::Witness {
            nodes,
            genesis,
            key,
            name,
            state,
            passphrase_file,
            every,
            show_vkey,
        } => {
            drop(runtime);
            let options = crate::witness::WitnessOptions {
                nodes: nodes
                    .iter()
                    .map(|node| node.trim_end_matches('/').to_owned())
                    .collect(),
                genesis: genesis.unwrap_or_default(),
                key,
                name,
                state: state.unwrap_or_default(),
                passphrase_file,
                every,
            };
            if show_vkey {
                println!("{}", crate::witness::vkey(&options)?);
                return Ok(());
            }
            std::process::exit(crate::witness::run(&options)?)
        }
        Command::Usage { home } => {
            drop(runtime);
            let usage = crate::usage::measure(&home)
                .with_context(|| format!("measuring the store of {}", home.display()))?;
            print!("{}", crate::usage::render(&usage));
            Ok(())
        }
        Command::VerifyDb {
            home,
            scratch,
            from_height,
        } => {
            drop(runtime);
            let options = crate::verify_db::Options {
                scratch,
                from_height,
            };
            std::process::exit(run_verify_db(&home, &options))
        }
        Command::Backup {
            home,
            out,
            without_vault,
            api,
        } => {
            drop(runtime);
            let options = crate::backup::BackupOptions {
                home,
                out,
                without_vault,
                api,
            };
            let done = crate::backup::backup(&options)
                .with_context(|| format!("backing up {}", options.home.display()))?;
            print_done("backup", &options.out, &done);
            Ok(())
        }
        Command::Restore { file, home } => {
            drop(runtime);
            let done = crate::backup::restore(&file, &home)
                .with_context(|| format!("restoring {} into {}", file.display(), home.display()))?;
            print_done("restore", &home, &done);
            Ok(())
        }
    }
}

/// Prints what a backup or restore did: height, size, time.
fn print_done(what: &str, path: &std::path::Path, done: &crate::backup::Done) {
    println!(
        "{what}: {} at height {}\n  size     {} ({} files besides the chain)\n  took     {:.1?}",
        path.display(),
        done.height,
        bytesize::ByteSize(done.bytes),
        done.files,
        done.took,
    );
    if done.sole_validator {
        println!(
            "  note     this chain has one validator: if its node had committed past height {}, \
those blocks are lost, and this node will commit different blocks at their heights \
(receipts issued for the lost ones will not verify against it)",
            done.height
        );
    }
}

/// Runs `verify-db` and prints its report; returns the exit code.
fn run_verify_db(home: &std::path::Path, options: &crate::verify_db::Options) -> i32 {
    use crate::verify_db::{verify_home_with, Summary};
    let started = std::time::Instant::now();
    let report = match verify_home_with(home, options) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("verify-db: cannot check {}: {error}", home.display());
            return 2;
        }
    };
    let Summary {
        heights,
        txs,
        records,
        state_values,
        vault_files,
        vault_bytes,
        store_bytes,
        tip,
        resumed_from,
    } = report.summary;
    if resumed_from.is_some() && heights == 0 && report.divergence.is_none() {
        eprintln!(
            "verify-db: nothing to check in {}: --from-height is past the tip, height {tip}",
            home.display()
        );
        return 2;
    }
    let store = match resumed_from {
        None => format!("{records} records ({state_values} state values) match the replayed chain"),
        Some((height, hash)) => format!(
            "records not compared (a resumed check); it trusts block {height}, {hash}, as \
stored: compare that hash with a receipt or another node"
        ),
    };
    let checked = format!(
        "  heights  {heights} checked, {txs} transactions re-executed\n  \
         store    {store}; {} on disk\n  \
         vault    {vault_files} files, {} re-hashed\n  \
         took     {:.1?}",
        bytesize::ByteSize(store_bytes),
        bytesize::ByteSize(vault_bytes),
        started.elapsed(),
    );
    match report.divergence {
        None => {
            println!("verify-db: {} is consistent\n{checked}", home.display());
            0
        }
        Some(divergence) => {
            println!(
                "verify-db: DIVERGENCE in {}\n  {divergence}\nchecked before it:\n{checked}",
                home.display()
            );
            1
        }
    }
}

/// Tightens the modes of an existing home before the node opens it, and
/// warns about each path that was looser.
fn secure_home(home: &std::path::Path) -> anyhow::Result<()> {
    let loosened = xianjie_node::file_modes::secure_home(home)
        .with_context(|| format!("restricting the file modes of {}", home.display()))?;
    xianjie_node::file_modes::warn_loosened(&loosened);
    Ok(())
}

async fn run_start(home: PathBuf, passphrase_file: Option<PathBuf>) -> anyhow::Result<()> {
    // Before secure_home, which would quietly tighten a node.key that other
    // users could read: that one is refused instead (read_node_key).
    let passphrases = xianjie_node::network_node::node_passphrase_sources(passphrase_file);
    let key = xianjie_node::network_node::read_node_key(&home, &passphrases)
        .with_context(|| format!("reading the node key in {}", home.display()))?;
    secure_home(&home)?;
    let config = xianjie_node::home::NodeHome::new(&home)
        .read_config()
        .with_context(|| format!("reading the node's configuration in {}", home.display()))?;
    let validator_key =
        xianjie_node::network_node::open_consensus_key(&home, &config, &key, &passphrases)?;
    drop(passphrases);
    xianjie_node::http_server::raise_open_file_limit(config.api.max_connections);
    let http = config.api.listen;
    // Bound before anything starts, so that a taken address stops the node
    // before it joins consensus.
    let listener = bind_api(http, "api.listen in config.toml").await?;
    let node = xianjie_node::network_node::NetworkNode::start(&home, key, validator_key)
        .await
        .with_context(|| format!("starting the node in {}", home.display()))?;
    eprintln!(
        "xianjie-node {}: {} of chain {}\n  API   http://{http}/v1/status  metrics http://{http}/metrics  health http://{http}/readyz",
        env!("CARGO_PKG_VERSION"),
        config.moniker,
        node.state().chain_id(),
    );
    node.serve(listener, shutdown_signal())
        .await
        .context("the node stopped with an error")?;
    tracing::info!("node stopped cleanly");
    Ok(())
}

/// Binds the API's listener; the error names the address, the setting and
/// what to do.
async fn bind_api(http: SocketAddr, setting: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(http).await.with_context(|| {
        format!(
            "the API cannot listen on {http} ({setting}); stop whatever uses that address \
             (perhaps another node on this machine) or choose another"
        )
    })
}

/// `info` unless RUST_LOG says otherwise (the consensus engine and libp2p
/// log every vote at `info`: they get `warn`); always to stderr, so stdout
/// stays free for anything a script reads.
fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,arc_malachitebft=warn,libp2p=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only help a person at a terminal; in files they are noise.
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run_dev(home: PathBuf, http: SocketAddr) -> anyhow::Result<()> {
    secure_home(&home)?;
    let mut config = NodeConfig::dev(&home);
    config.http_addr = http;
    xianjie_node::http_server::raise_open_file_limit(config.api.max_connections);
    let listener = bind_api(http, "--http").await?;
    let node = Node::start_dev(config)
        .await
        .with_context(|| format!("starting the dev node in {}", home.display()))?;
    print_banner(&node, &home, http);
    node.serve(listener, shutdown_signal())
        .await
        .context("the node stopped with an error")?;
    tracing::info!("node stopped cleanly");
    Ok(())
}

fn print_banner(node: &Node, home: &std::path::Path, http: SocketAddr) {
    let state = node.state();
    let tip = state.tip();
    let keys = DevHome::new(home).keys_dir();
    eprintln!(
        "xianjie-node {}: chain {} at height {}\n  API   http://{http}/v1/status  (OpenAPI: /v1/openapi.json)\n  keys  {}  (<org>-<role>.key for market, police, procuratorate, court, lab)\n        demo keys are unencrypted, for development only",
        env!("CARGO_PKG_VERSION"),
        state.chain_id(),
        tip.height,
        keys.display(),
    );
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
