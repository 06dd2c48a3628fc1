//! End-to-end tests that drive the real xianjie-node and xianjie binaries.
//!
//! The harness starts real node processes on loopback ports in temporary
//! homes and runs the real `xianjie` binary against them, exactly as an
//! officer would. Binaries are the ones cargo built for this test run
//! (`cargo test --workspace` builds every workspace binary first).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a node may take to answer its first status request.
const NODE_START_TIMEOUT: Duration = Duration::from_secs(60);

/// The path of a workspace binary built for this test run.
pub fn binary(name: &str) -> PathBuf {
    // Test executables live in target/<profile>/deps; binaries one level up.
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile> directory");
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace`, which builds it",
        path.display()
    );
    path
}

/// A free loopback port (the OS picks it; a tiny race with other processes is accepted).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// A running `xianjie-node dev` process; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct DevNode {
    /// The node's home directory.
    pub home: PathBuf,
    /// The API base URL.
    pub url: String,
    port: u16,
    child: Option<Child>,
}

impl DevNode {
    /// Starts a dev node in `home` on a fresh port and waits until it answers.
    pub fn start(home: &Path) -> DevNode {
        Self::start_on(home, free_port())
    }

    /// Starts a dev node in `home` on `port`.
    pub fn start_on(home: &Path, port: u16) -> DevNode {
        Self::start_wrapped(home, port, &[])
    }

    /// Starts a dev node in `home` on `port` as the last arguments of
    /// `wrapper` (e.g. `strace -o FILE`), or directly when it is empty.
    /// Dropping the node stops the wrapper's process.
    pub fn start_wrapped(home: &Path, port: u16, wrapper: &[&std::ffi::OsStr]) -> DevNode {
        let log = std::fs::File::create(home.with_extension(format!("{port}.log")))
            .expect("node log file");
        let mut command = match wrapper.split_first() {
            None => Command::new(binary("xianjie-node")),
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(binary("xianjie-node"));
                command
            }
        };
        let child = command
            .args(["dev", "--home"])
            .arg(home)
            .args(["--http", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start xianjie-node");
        let node = DevNode {
            home: home.to_path_buf(),
            url: format!("http://127.0.0.1:{port}"),
            port,
            child: Some(child),
        };
        node.wait_until_ready();
        node
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + NODE_START_TIMEOUT;
        while Instant::now() < deadline {
            if self.status().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "node did not answer on {} within {NODE_START_TIMEOUT:?}",
            self.url
        );
    }

    /// `GET /v1/status`, or `None` if the node does not answer.
    pub fn status(&self) -> Option<serde_json::Value> {
        let mut response = ureq::get(format!("{}/v1/status", self.url)).call().ok()?;
        response.body_mut().read_json().ok()
    }

    /// The headers that sign `GET path_and_query` as a read by the demo key
    /// `key_name`, now (`xianjie_ledger::read_auth`).
    pub fn signed_read_headers(
        &self,
        key_name: &str,
        path_and_query: &str,
    ) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(self.key(key_name)).expect("read a demo key");
        let key = xianjie_ledger::crypto::KeyFile::parse(&text).expect("a demo key file");
        let status = self.status().expect("the node answers its status");
        let chain_id = status["chain_id"].as_str().expect("chain id");
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_millis();
        let now_ms = u64::try_from(now_ms).expect("milliseconds fit u64");
        xianjie_ledger::read_auth::SignedRead::sign(&key, chain_id, "GET", path_and_query, now_ms)
            .headers()
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }

    /// The path of a demo key, e.g. `key("market-officer")`.
    pub fn key(&self, name: &str) -> PathBuf {
        self.home.join("keys").join(format!("{name}.key"))
    }

    /// The market regulator's head records a laboratory's CMA certificate
    /// for pesticide residues (`GB2763-pesticide`), valid 2024–2029.
    pub fn accredit_for_pesticides(&self, lab: &str, cma: &str) {
        let args = [
            "lab",
            "accredit",
            "--lab",
            lab,
            "--cma",
            cma,
            "--scope",
            "GB2763-pesticide",
            "--from",
            "20240101",
            "--to",
            "20291231",
        ];
        self.cli_as("market-head", &args).expect_code(0);
    }

    /// Runs `xianjie --node URL --key KEY --json ARGS…` with a demo key.
    pub fn cli_as(&self, key: &str, args: &[&str]) -> CliRun {
        self.cli_with_key_file(&self.key(key), args)
    }

    /// Runs `xianjie --node URL --key KEY ARGS…` with a demo key: the human
    /// output, as an officer reads it.
    pub fn cli_text_as(&self, key: &str, args: &[&str]) -> CliRun {
        let key_file = self.key(key);
        let mut full = vec![
            "--node",
            &self.url,
            "--key",
            key_file.to_str().expect("utf-8 path"),
        ];
        full.extend_from_slice(args);
        run_cli(&full)
    }

    /// Runs `xianjie --node URL --key KEY_FILE --json ARGS…` with any key file.
    pub fn cli_with_key_file(&self, key_file: &Path, args: &[&str]) -> CliRun {
        let key_text = key_file.to_str().expect("utf-8 path");
        let mut full = vec!["--node", &self.url, "--json", "--key", key_text];
        full.extend_from_slice(args);
        run_cli(&full)
    }

    /// Anchors `file` as the market regulator's officer, collected with
    /// (and co-signed by) `market-officer2`, as electronic evidence, with
    /// any further `evidence anchor` arguments; fails the test unless it
    /// commits, and returns the CLI's JSON answer.
    pub fn anchor_as_market(&self, file: &Path, extra: &[&str]) -> serde_json::Value {
        let colleague = self.key("market-officer2");
        let mut args = vec![
            "evidence",
            "anchor",
            file.to_str().expect("utf-8 path"),
            "--category",
            "electronic",
            "--collected-by",
            colleague.to_str().expect("utf-8 path"),
        ];
        args.extend_from_slice(extra);
        self.cli_as("market-officer", &args).expect_code(0).json()
    }

    /// Stops the node gracefully (SIGTERM) and waits for it to exit.
    pub fn stop(mut self) -> (PathBuf, u16) {
        self.shutdown();
        (self.home.clone(), self.port)
    }

    fn shutdown(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The outcome of one `xianjie` run.
#[derive(Debug)]
pub struct CliRun {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// A finished process's exit code and output, as text.
impl From<Output> for CliRun {
    fn from(output: Output) -> Self {
        CliRun {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl CliRun {
    /// Parses stdout as JSON, failing the test with both streams if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\nstdout: {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts the exit code, showing both streams when it differs.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Today's date in China (`yyyymmdd`), as the chain dates reports and
/// applications.
pub fn today_in_china() -> String {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis();
    let now_ms = u64::try_from(now_ms).expect("milliseconds fit in u64");
    xianjie_contracts::deadline::local_date(now_ms).to_string()
}

/// Runs the `xianjie` binary with the given arguments.
pub fn run_cli(args: &[&str]) -> CliRun {
    run_cli_with(args, &[], None)
}

/// The variables through which the CLI would take its node, key or
/// passphrases from the test's own environment: every run starts without them.
const CLI_VARIABLES: [&str; 4] = [
    "XIANJIE_NODE",
    "XIANJIE_KEY",
    "XIANJIE_PASSPHRASE",
    "XIANJIE_NEW_PASSPHRASE",
];

/// Runs the `xianjie` binary with the given arguments, environment
/// variables `env`, and `stdin` as its standard input (none when `None`:
/// the CLI then sees no terminal, as in a script).
pub fn run_cli_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> CliRun {
    let mut command = Command::new(binary("xianjie"));
    command.args(args);
    for variable in CLI_VARIABLES {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("run xianjie");
    if let Some(text) = stdin {
        use std::io::Write as _;
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The CLI may exit before reading everything (a refusal): ignore a broken pipe.
        let _ = pipe.write_all(text.as_bytes());
    }
    child.wait_with_output().expect("wait for xianjie").into()
}

/// Runs `xianjie --json verify --receipt RECEIPT --genesis GENESIS EXTRA…`
/// (offline: no node).
pub fn verify_receipt(receipt: &Path, genesis: &Path, extra: &[&str]) -> CliRun {
    let mut args = vec![
        "--json",
        "verify",
        "--receipt",
        receipt.to_str().expect("utf-8 path"),
        "--genesis",
        genesis.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    run_cli(&args)
}

/// Runs the `xianjie-node` binary with the given arguments (for its
/// one-shot subcommands such as `verify-db`).
pub fn run_node(args: &[&std::ffi::OsStr]) -> CliRun {
    Command::new(binary("xianjie-node"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run xianjie-node")
        .into()
}

/// Copies the directory tree `from` to `to` (files and directories only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy directory");
    for entry in std::fs::read_dir(from).expect("read directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Waits until no handle holds the lock of the sled store in `data_dir`.
/// sled releases it when its background I/O threads let go of the files, a
/// moment after the last handle in this process is dropped; another process
/// (a node, `verify-db`) can open the store only then.
pub fn wait_until_sled_released(data_dir: &Path) {
    let db_file = data_dir.join("db");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let file = std::fs::File::options()
            .read(true)
            .write(true)
            .open(&db_file)
            .expect("open the sled db file");
        if file.try_lock().is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("sled still holds {} after 30 s", db_file.display());
}

/// Writes `len` pseudo-random bytes (seeded, so failures reproduce) to `path`.
pub fn write_sample_file(path: &Path, len: usize, seed: u64) {
    use rand::{RngCore, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    std::fs::write(path, bytes).expect("write sample file");
}

/// A network of `xianjie-node start` processes written by `xianjie-node testnet`.
pub mod network {
    use std::ffi::OsStr;
    use std::fs::File;
    use std::net::TcpListener;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use xianjie_ledger::codec;
    use xianjie_ledger::crypto::{KeyFile, SecretKey};
    use xianjie_ledger::hash::Hash;
    use xianjie_ledger::model::{EvidenceAnchor, EvidenceCategory};
    use xianjie_ledger::tx::{Call, SignedTx, Tx};

    use super::binary;

    /// Chain id that `xianjie-node testnet` writes.
    pub const CHAIN_ID: &str = "xianjie-testnet";

    /// A transaction anchoring a random digest, signed by officer `key` and
    /// naming `colleague`, an officer of the same organisation, as second
    /// collector, who co-signs it (the chain asks for two signing collectors).
    pub fn anchor_tx(key: &SecretKey, colleague: &SecretKey) -> SignedTx {
        use rand::RngCore;
        let mut digest = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut digest);
        let signer = key.public_key().id();
        let mut anchor = EvidenceAnchor {
            digest: Hash(digest),
            size: 10,
            media_type: "text/plain".into(),
            category: EvidenceCategory::Documentary,
            case_id: None,
            collected_at: 1_700_000_000,
            collected_by: vec![signer, colleague.public_key().id()],
            capture_method: "download".into(),
            capture_tool: "xianjie-tests".into(),
            provenance_note_digest: None,
            supersedes: None,
            co_signatures: Vec::new(),
        };
        anchor.co_sign(CHAIN_ID, &signer, colleague);
        signed(key, Call::AnchorEvidence(anchor))
    }

    /// `call` signed by `key` for the test chain, valid for 50,000 blocks.
    pub fn signed(key: &SecretKey, call: Call) -> SignedTx {
        use rand::RngCore;
        Tx {
            chain_id: CHAIN_ID.into(),
            signer: key.public_key(),
            nonce: rand::thread_rng().next_u64(),
            valid_until: 50_000,
            call,
        }
        .sign(key)
    }

    /// One node's process and addresses.
    pub struct NetNode {
        /// Its home.
        pub home: PathBuf,
        /// API base URL.
        pub url: String,
        child: Option<Child>,
        starts: u32,
    }

    /// A test network on loopback; every process is killed when dropped.
    pub struct Network {
        /// The directory `testnet` wrote.
        pub dir: PathBuf,
        /// The nodes, validators first.
        pub nodes: Vec<NetNode>,
    }

    /// Options for [`Network::create`].
    #[derive(Debug, Clone)]
    pub struct NetOptions {
        /// Validators in the genesis.
        pub validators: usize,
        /// Homes whose keys are not registered.
        pub extra_nodes: usize,
        /// `consensus.timeout_propose`.
        pub timeout_propose: &'static str,
        /// `consensus.empty_block_wait`.
        pub empty_block_wait: &'static str,
    }

    impl Default for NetOptions {
        fn default() -> Self {
            NetOptions {
                validators: 4,
                extra_nodes: 0,
                timeout_propose: "1s",
                empty_block_wait: "20ms",
            }
        }
    }

    /// A base port P such that P..P+300 are free on loopback now, below the
    /// kernel's ephemeral range: a port in that range can be taken as the
    /// source port of some outgoing connection while a killed node is down,
    /// and the node could not listen on it again when restarted.
    pub fn free_base_port(nodes: usize) -> u16 {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse::<u16>().ok())
            .unwrap_or(32_768);
        let top = ephemeral_start.saturating_sub(310).max(10_500);
        for _ in 0..200 {
            let base: u16 = rng.gen_range(10_000..top);
            let free = (0..nodes as u16).all(|i| {
                [0u16, 100, 200]
                    .iter()
                    .all(|offset| TcpListener::bind(("127.0.0.1", base + offset + i)).is_ok())
            });
            if free {
                return base;
            }
        }
        panic!("no free range of loopback ports");
    }

    impl Network {
        /// Writes a network into `dir` (nothing started yet).
        pub fn create(dir: &Path, options: &NetOptions) -> Network {
            let total = options.validators + options.extra_nodes;
            let base = free_base_port(total);
            let out = dir.join("net");
            let status = Command::new(binary("xianjie-node"))
                .args(["testnet", "--validators", &options.validators.to_string()])
                .args(["--extra-nodes", &options.extra_nodes.to_string()])
                .arg("--out")
                .arg(&out)
                .args(["--base-port", &base.to_string()])
                .args(["--timeout-propose", options.timeout_propose])
                .args(["--empty-block-wait", options.empty_block_wait])
                .stdout(Stdio::null())
                .status()
                .expect("run xianjie-node testnet");
            assert!(status.success(), "xianjie-node testnet failed");
            let nodes = (0..total)
                .map(|i| NetNode {
                    home: out.join(format!("node{i}")),
                    url: format!("http://127.0.0.1:{}", base + i as u16),
                    child: None,
                    starts: 0,
                })
                .collect();
            Network { dir: out, nodes }
        }

        /// Appends a line to node `i`'s config.toml (e.g. a `[testing]` section).
        pub fn append_config(&self, i: usize, text: &str) {
            let path = self.nodes[i].home.join("config.toml");
            let mut config = std::fs::read_to_string(&path).expect("config.toml");
            config.push('\n');
            config.push_str(text);
            std::fs::write(&path, config).expect("write config.toml");
        }

        /// Starts node `i` (its log goes to `<home>.<n>.log`).
        pub fn start(&mut self, i: usize) {
            self.start_with(i, &[], &[]);
        }

        /// Starts node `i` with further arguments of `start` (e.g.
        /// `--passphrase-file PATH`) and environment variables (e.g.
        /// `CREDENTIALS_DIRECTORY`). The node's passphrase variables are
        /// not inherited from the test's environment.
        pub fn start_with(&mut self, i: usize, args: &[&OsStr], env: &[(&str, &OsStr)]) {
            let node = &mut self.nodes[i];
            assert!(node.child.is_none(), "node {i} is already running");
            node.starts += 1;
            let log = File::create(node.home.with_extension(format!("{}.log", node.starts)))
                .expect("node log");
            let child = Command::new(binary("xianjie-node"))
                .arg("start")
                .arg("--home")
                .arg(&node.home)
                .args(args)
                .env("RUST_LOG", "info,arc_malachitebft=warn,libp2p=warn")
                .env_remove("XIANJIE_NODE_PASSPHRASE")
                .env_remove("CREDENTIALS_DIRECTORY")
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start xianjie-node");
            node.child = Some(child);
        }

        /// Starts every node.
        pub fn start_all(&mut self) {
            for i in 0..self.nodes.len() {
                self.start(i);
            }
        }

        /// Kills node `i` with SIGKILL.
        pub fn kill(&mut self, i: usize) {
            if let Some(mut child) = self.nodes[i].child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }

        /// Stops node `i` with SIGTERM and waits for it.
        pub fn stop(&mut self, i: usize) {
            if let Some(mut child) = self.nodes[i].child.take() {
                let _ = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status();
                let deadline = Instant::now() + Duration::from_secs(15);
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = child.try_wait() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                let _ = child.kill();
                let _ = child.wait();
            }
        }

        /// `GET path` on node `i`, as JSON.
        pub fn get(&self, i: usize, path: &str) -> Option<serde_json::Value> {
            let mut response = ureq::get(format!("{}{path}", self.nodes[i].url))
                .call()
                .ok()?;
            response.body_mut().read_json().ok()
        }

        /// Node `i`'s committed height, if it answers.
        pub fn height(&self, i: usize) -> Option<u64> {
            self.get(i, "/v1/status")?["height"].as_u64()
        }

        /// Waits until every node in `which` is at `height` or above.
        pub fn wait_for_height(&self, which: &[usize], height: u64, timeout: Duration) {
            let deadline = Instant::now() + timeout;
            loop {
                let heights: Vec<Option<u64>> = which.iter().map(|i| self.height(*i)).collect();
                if heights.iter().all(|h| h.is_some_and(|h| h >= height)) {
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "nodes {which:?} did not reach height {height} within {timeout:?}: {heights:?}\n{}",
                    self.log_tails()
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }

        /// Node `i`'s libp2p peer id, from its status.
        pub fn peer_id(&self, i: usize) -> String {
            let status = self.get(i, "/v1/status").expect("the node answers");
            status["network"]["peer_id"]
                .as_str()
                .expect("a peer id")
                .to_owned()
        }

        /// Waits until node `i`'s status lists exactly `expected` (in any
        /// order) as validators it has no consensus connection to.
        pub fn wait_for_unconnected(&self, i: usize, expected: &[String], timeout: Duration) {
            let mut expected = expected.to_vec();
            expected.sort();
            let deadline = Instant::now() + timeout;
            loop {
                let mut listed: Option<Vec<String>> =
                    self.get(i, "/v1/status").and_then(|status| {
                        serde_json::from_value(status["network"]["unconnected_validators"].clone())
                            .ok()
                    });
                if let Some(listed) = &mut listed {
                    listed.sort();
                }
                if listed.as_ref() == Some(&expected) {
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "node {i} lists {listed:?} as unconnected validators, not {expected:?}"
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }

        /// `(block hash, state root)` of `height` on node `i`.
        pub fn block_id(&self, i: usize, height: u64) -> Option<(String, String)> {
            let block = self.get(i, &format!("/v1/blocks/{height}"))?;
            Some((
                block["hash"].as_str()?.to_owned(),
                block["header"]["state_root"].as_str()?.to_owned(),
            ))
        }

        /// Asserts that nodes `which` hold identical blocks at heights `1..=up_to`.
        pub fn assert_same_chain(&self, which: &[usize], up_to: u64) {
            for height in 1..=up_to {
                let first = self.block_id(which[0], height);
                assert!(first.is_some(), "node {} has no block {height}", which[0]);
                for i in &which[1..] {
                    assert_eq!(
                        self.block_id(*i, height),
                        first,
                        "node {i} differs at height {height}"
                    );
                }
            }
        }

        /// Submits canonical transaction bytes to node `i`; returns the HTTP status.
        pub fn submit(&self, i: usize, bytes: &[u8]) -> u16 {
            match ureq::post(format!("{}/v1/txs", self.nodes[i].url))
                .header("content-type", "application/octet-stream")
                .send(bytes)
            {
                Ok(response) => response.status().as_u16(),
                Err(ureq::Error::StatusCode(code)) => code,
                Err(_) => 0,
            }
        }

        /// A demo key of the network, e.g. `key("market-officer")`.
        pub fn key(&self, name: &str) -> SecretKey {
            let text = std::fs::read_to_string(self.dir.join("keys").join(format!("{name}.key")))
                .expect("key file");
            KeyFile::parse(&text).expect("key file parses")
        }

        /// Node `i`'s node key.
        pub fn node_key(&self, i: usize) -> SecretKey {
            let text = std::fs::read_to_string(self.nodes[i].home.join("keys/node.key"))
                .expect("node key");
            KeyFile::parse(&text).expect("key file parses")
        }

        /// Submits `tx` to node `i`; returns the HTTP status.
        pub fn submit_tx(&self, i: usize, tx: &SignedTx) -> u16 {
            self.submit(i, &codec::encode(tx))
        }

        /// Where node `i` says a transaction is: `(status, height)`.
        pub fn tx_status(&self, i: usize, hash: &str) -> Option<(String, Option<u64>)> {
            let view = self.get(i, &format!("/v1/txs/{hash}"))?;
            Some((view["status"].as_str()?.to_owned(), view["height"].as_u64()))
        }

        /// The last lines of every node's current log, for failure messages.
        pub fn log_tails(&self) -> String {
            let mut out = String::new();
            for node in &self.nodes {
                let path = node.home.with_extension(format!("{}.log", node.starts));
                if let Ok(text) = std::fs::read_to_string(&path) {
                    let lines: Vec<&str> = text.lines().collect();
                    let tail = lines[lines.len().saturating_sub(8)..].join("\n");
                    out.push_str(&format!("--- {}\n{tail}\n", path.display()));
                }
            }
            out
        }
    }

    impl Drop for Network {
        fn drop(&mut self) {
            for i in 0..self.nodes.len() {
                self.kill(i);
            }
            if std::thread::panicking() {
                // Keep the logs of a failed test: the temporary home goes.
                let keep =
                    std::env::temp_dir().join(format!("xianjie-failed-{}", std::process::id()));
                let _ = std::fs::create_dir_all(&keep);
                for node in &self.nodes {
                    for start in 1..=node.starts {
                        let log = node.home.with_extension(format!("{start}.log"));
                        if let Some(name) = log.file_name() {
                            let _ = std::fs::copy(&log, keep.join(name));
                        }
                    }
                }
                eprintln!("node logs kept in {}", keep.display());
            }
        }
    }
}

/// A dev home whose chain began in the past: its first blocks are committed
/// by the node's own block builder (`xianjie_node::chain::Chain`) with block
/// times the test chooses, before the `xianjie-node dev` binary resumes it
/// with the real clock.
///
/// Statutory clocks run for days; a test cannot wait for one to expire, but
/// block time is an input of the block builder, so the history of a case
/// can honestly have happened weeks ago. Nothing is faked afterwards: the
/// node evaluates the clocks at its latest block time as always.
pub mod backdated {
    use std::path::Path;

    use xianjie_ledger::crypto::SecretKey;
    use xianjie_ledger::genesis::Genesis;
    use xianjie_ledger::tx::{Call, SignedTx, Tx};
    use xianjie_ledger::Hash;
    use xianjie_node::chain::Chain;
    use xianjie_node::config::MempoolLimits;
    use xianjie_node::dev::{DevHome, DEV_CHAIN_ID};
    use xianjie_node::mempool::Mempool;
    use xianjie_store::Store;

    /// How many blocks a backdated transaction stays valid for.
    const VALIDITY_BLOCKS: u64 = 50;

    /// A dev chain being written in the past; drop it (or call
    /// [`BackdatedChain::close`]) before starting the node on its home.
    pub struct BackdatedChain {
        home: DevHome,
        chain: Chain,
        /// Empty: the chain's transactions are not admitted through a node.
        mempool: Mempool,
        time_ms: u64,
    }

    impl BackdatedChain {
        /// Creates the dev home in `home` (demo keys, genesis) with its
        /// genesis at `genesis_time_ms`, and opens its store.
        pub fn create(home: &Path, genesis_time_ms: u64) -> BackdatedChain {
            let dev = DevHome::new(home);
            let setup = dev.prepare().expect("dev home");
            assert!(setup.created, "{} already holds a chain", home.display());
            let mut genesis: Genesis = setup.genesis;
            genesis.genesis_time_ms = genesis_time_ms;
            genesis.validate().expect("backdated genesis is valid");
            std::fs::write(dev.genesis_path(), genesis.to_json()).expect("write genesis");
            let data_dir = dev.data_dir();
            let store = Store::open(&data_dir).expect("open store");
            let policies = xianjie_node::execution::policy_engine().expect("policy engine");
            let chain = Chain::open(store, &genesis, setup.validator_key, policies, &data_dir)
                .expect("open chain");
            BackdatedChain {
                home: dev,
                chain,
                mempool: Mempool::new(MempoolLimits::default()),
                time_ms: genesis_time_ms,
            }
        }

        /// A demo key, e.g. `key("market", "officer")`.
        pub fn key(&self, org: &str, role: &str) -> SecretKey {
            self.home.officer_key(org, role).expect("demo key")
        }

        /// Moves the block clock to `time_ms` (never backwards).
        pub fn set_time(&mut self, time_ms: u64) {
            assert!(time_ms >= self.time_ms, "block time only moves forward");
            self.time_ms = time_ms;
        }

        /// Commits `call` signed by `key` in a block of its own at the
        /// current block clock, which then moves one minute on; the
        /// transaction's hash. Fails the test if the contracts refuse it.
        pub fn commit(&mut self, key: &SecretKey, call: Call) -> Hash {
            use rand::RngCore;
            let height = self.chain.tip().expect("tip").height;
            let tx: SignedTx = Tx {
                chain_id: DEV_CHAIN_ID.into(),
                signer: key.public_key(),
                nonce: rand::thread_rng().next_u64(),
                valid_until: height + VALIDITY_BLOCKS,
                call,
            }
            .sign(key);
            let hash = tx.hash();
            let summary = self
                .chain
                .commit_next_block(vec![tx], &self.mempool, self.time_ms)
                .expect("commit")
                .expect("a block");
            assert_eq!(summary.refused, 0, "transaction {hash} was refused");
            self.time_ms += 60_000;
            hash
        }

        /// A random draw as the chain keeps it.
        pub fn draw(
            &self,
            id: &xianjie_ledger::ids::DrawId,
        ) -> xianjie_ledger::random_draw::RandomDraw {
            xianjie_contracts::random_draw::draw(self.chain.store(), id)
                .expect("a readable state")
                .expect("the draw")
        }

        /// Closes the store so that a node can open the home.
        pub fn close(self) {
            drop(self.chain);
        }
    }
}
