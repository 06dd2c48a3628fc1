//! Plain HTTP/1.1 over one TCP connection, so a test decides exactly when a
//! connection opens, stays open, and what it sends; and a node of a
//! one-validator network started the test's own way.

#![allow(dead_code)] // each test file uses a different part of the kit

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use xianjie_tests::network::{NetOptions, Network};

/// One answer: status code and body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends `GET path` on `stream` (keep-alive unless `close`) and reads the
/// answer; `None` if the connection fails or closes first.
pub fn get_on(stream: &mut TcpStream, path: &str, close: bool) -> Option<Answer> {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let connection = if close { "close" } else { "keep-alive" };
    let request = format!("GET {path} HTTP/1.1\r\nhost: test\r\nconnection: {connection}\r\n\r\n");
    // A refused connection may be answered before the request is read.
    let _ = stream.write_all(request.as_bytes());
    read_answer(stream)
}

/// Reads one answer with a content-length body.
pub fn read_answer(stream: &mut TcpStream) -> Option<Answer> {
    let mut received = Vec::new();
    let mut byte = [0u8; 1];
    while !received.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        received.push(byte[0]);
    }
    let head = String::from_utf8(received).ok()?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(Answer {
        status,
        body: String::from_utf8(body).ok()?,
    })
}

/// `GET path` on a new connection that closes after the answer.
pub fn get(addr: SocketAddr, path: &str) -> Option<Answer> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    get_on(&mut stream, path, true)
}

/// Polls `GET path` until it answers `status`, for at most `timeout`.
pub fn wait_for(addr: SocketAddr, path: &str, status: u16, timeout: Duration) -> Answer {
    let deadline = Instant::now() + timeout;
    loop {
        let answer = get(addr, path);
        if let Some(answer) = answer.filter(|answer| answer.status == status) {
            return answer;
        }
        assert!(
            Instant::now() < deadline,
            "{addr}{path} did not answer {status} within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A one-validator network in `dir` (nothing started), with `api_settings`
/// added to node 0's `[api]` section.
pub fn one_node(dir: &Path, api_settings: &str) -> (Network, SocketAddr) {
    let net = Network::create(
        dir,
        &NetOptions {
            validators: 1,
            ..NetOptions::default()
        },
    );
    set_api(&net, 0, api_settings);
    let addr = api_addr(&net, 0);
    (net, addr)
}

/// Sets `settings` (`key = value` lines) in node `i`'s `[api]` section,
/// replacing the values `testnet` wrote.
pub fn set_api(net: &Network, i: usize, settings: &str) {
    let path = net.nodes[i].home.join("config.toml");
    let config = std::fs::read_to_string(&path).expect("config.toml");
    let start = config.find("[api]\n").expect("an [api] section") + "[api]\n".len();
    let end = config[start..]
        .find("\n[")
        .map_or(config.len(), |at| start + at + 1);
    let mut section: Vec<String> = config[start..end].lines().map(str::to_owned).collect();
    for setting in settings.lines().filter(|line| !line.trim().is_empty()) {
        let key = setting.split('=').next().expect("key = value").trim();
        section.retain(|line| line.split('=').next().map(str::trim) != Some(key));
        section.push(setting.to_owned());
    }
    let config = format!(
        "{}{}\n{}",
        &config[..start],
        section.join("\n"),
        &config[end..]
    );
    std::fs::write(&path, config).expect("write config.toml");
}

/// Node `i`'s API address.
pub fn api_addr(net: &Network, i: usize) -> SocketAddr {
    net.nodes[i]
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("an API address")
}

/// A `xianjie-node start` process, killed when dropped.
pub struct Started(pub Child);

impl Started {
    /// Runs `xianjie-node start --home HOME` through `wrapper` (e.g.
    /// `prlimit --nofile=256:256`), its log in `HOME.log`.
    pub fn start(home: &Path, wrapper: &[&str]) -> Started {
        let log = std::fs::File::create(home.with_extension("log")).expect("node log");
        let node = xianjie_tests::binary("xianjie-node");
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(node);
                command
            }
            None => Command::new(node),
        };
        let child = command
            .arg("start")
            .arg("--home")
            .arg(home)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start xianjie-node");
        Started(child)
    }

    /// Whether the process still runs.
    pub fn running(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(None))
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
