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
        let log = std::fs::File::create(home.with_extension(format!("{port}.log")))
            .expect("node log file");
        let child = Command::new(binary("xianjie-node"))
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

    /// The path of a demo key, e.g. `key("market-officer")`.
    pub fn key(&self, name: &str) -> PathBuf {
        self.home.join("keys").join(format!("{name}.key"))
    }

    /// Runs `xianjie --node URL --key KEY --json ARGS…`.
    pub fn cli_as(&self, key: &str, args: &[&str]) -> CliRun {
        let key_path = self.key(key);
        let mut full = vec!["--node", &self.url, "--json", "--key"];
        let key_text = key_path.to_str().expect("utf-8 path");
        full.push(key_text);
        full.extend_from_slice(args);
        run_cli(&full)
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

/// Runs the `xianjie` binary with the given arguments.
pub fn run_cli(args: &[&str]) -> CliRun {
    let output: Output = Command::new(binary("xianjie"))
        .args(args)
        .env_remove("XIANJIE_NODE")
        .env_remove("XIANJIE_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("run xianjie");
    CliRun {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Writes `len` pseudo-random bytes (seeded, so failures reproduce) to `path`.
pub fn write_sample_file(path: &Path, len: usize, seed: u64) {
    use rand::{RngCore, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    std::fs::write(path, bytes).expect("write sample file");
}
