//! A commit is acknowledged only once it is on stable storage.
//!
//! A dev node runs under `strace`, and anchors are submitted with
//! `wait=true` (the CLI's `evidence anchor`). From the trace of the node's
//! system calls, for every anchor: the answer to the client (the first write
//! to an accepted socket that carries the transaction's hash) comes after an
//! `fsync` or `fdatasync` of the store's data file (`HOME/data/db`, any
//! descriptor of it) that returned 0 and began after the last `pwrite` of
//! that file holding the anchored digest. sled's own flush
//! (`sync_file_range`) does not count: it neither empties the disk's write
//! cache nor writes the file's size.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use xianjie_tests::{free_port, write_sample_file, DevNode};

/// Anchors submitted, one block each.
const ANCHORS: u64 = 4;

#[test]
fn every_acknowledged_commit_follows_an_fsync_of_the_store() {
    let strace_found = Command::new("strace").arg("-V").output();
    assert!(
        matches!(&strace_found, Ok(output) if output.status.success()),
        "strace is needed to trace the node's system calls and was not found in PATH \
         (install the Debian package `strace`; scripts/test does): {strace_found:?}"
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let home = dir.path().join("home");
    let trace_file = dir.path().join("node.strace");
    let wrapper: Vec<&OsStr> = [
        "strace",
        "-f",
        "-xx",
        "-s",
        "4194304",
        "-e",
        "trace=openat,close,accept,accept4,pwrite64,write,writev,sendto,sendmsg,\
         fsync,fdatasync,sync_file_range",
        "-o",
    ]
    .iter()
    .map(OsStr::new)
    .chain([trace_file.as_os_str()])
    .collect();
    let node = DevNode::start_wrapped(&home, free_port(), &wrapper);

    let mut anchored = Vec::new();
    for seed in 0..ANCHORS {
        let file = dir.path().join(format!("evidence-{seed}.bin"));
        write_sample_file(&file, 200, 7_000 + seed);
        let answer = node.anchor_as_market(&file, &[]);
        let tx = answer["tx"]
            .as_str()
            .expect("tx hash in the answer")
            .to_owned();
        let digest = hex_bytes(answer["digest"].as_str().expect("digest in the answer"));
        anchored.push((tx, digest));
    }
    stop_traced_node(node, &trace_file);

    let text = std::fs::read_to_string(&trace_file).expect("read the trace");
    let db_path = home.join("data").join("db");
    let events = parse_trace(&text, db_path.to_str().expect("utf-8 path"));
    for (tx, digest) in &anchored {
        check_durable_before_acknowledged(&events, tx, digest);
    }
}

/// Stops the node (the first process of the trace) and then `strace`, which
/// writes out the rest of the trace as it exits.
fn stop_traced_node(node: DevNode, trace_file: &Path) {
    let text = std::fs::read_to_string(trace_file).expect("read the trace");
    let pid = text
        .split_whitespace()
        .next()
        .expect("a traced system call")
        .to_owned();
    Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let alive = Command::new("kill")
            .args(["-0", &pid])
            .output()
            .is_ok_and(|output| output.status.success());
        if !alive {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    node.stop();
}

/// What the check needs of one system call.
#[derive(Debug)]
enum What {
    /// `pwrite64` to the store's data file.
    StoreWrite(Vec<u8>),
    /// `fsync` or `fdatasync` of the store's data file that returned 0.
    StoreSync,
    /// A write to a socket the node accepted.
    Answer(Vec<u8>),
}

#[derive(Debug)]
struct Event {
    what: What,
    /// Line of the trace where the call began.
    began: usize,
    /// Line where it returned.
    returned: usize,
}

/// The events of the trace, in the order they returned. A call split by
/// another thread's (`<unfinished ...>` … `<... resumed>`) is joined.
fn parse_trace(text: &str, db_path: &str) -> Vec<Event> {
    let mut pending: HashMap<&str, (usize, String)> = HashMap::new();
    let mut store_fds: Vec<i64> = Vec::new();
    let mut socket_fds: Vec<i64> = Vec::new();
    let mut store_opened = false;
    let mut events = Vec::new();
    for (line_number, line) in text.lines().enumerate() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        let (began, call) = if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            // A descriptor is gone from the table as soon as `close` begins,
            // so another thread's `accept4` or `openat` may be handed the same
            // number before this `close` is printed as returned: forget the
            // number now, not when the close returns.
            if let Some(fd) = closed_descriptor(head) {
                forget(&mut store_fds, &mut socket_fds, fd);
            }
            pending.insert(pid, (line_number, head.to_owned()));
            continue;
        } else if rest.starts_with("<... ") {
            let Some((began, head)) = pending.remove(pid) else {
                continue;
            };
            let tail = rest.split_once(" resumed>").map_or("", |(_, tail)| tail);
            (began, format!("{head}{tail}"))
        } else {
            (line_number, rest.to_owned())
        };
        let Some((name, _)) = call.split_once('(') else {
            continue;
        };
        // strace pads short calls with spaces before ` = result`.
        let result = call
            .rsplit_once(" = ")
            .and_then(|(_, result)| result.split_whitespace().next())
            .and_then(|result| result.parse::<i64>().ok());
        let first_argument = call[name.len() + 1..]
            .split([',', ')'])
            .next()
            .and_then(|fd| fd.trim().parse::<i64>().ok());
        let event = |what| Event {
            what,
            began,
            returned: line_number,
        };
        match (name, result) {
            ("openat", Some(fd)) if fd >= 0 => {
                if decode_strings(&call) == db_path.as_bytes() {
                    store_fds.push(fd);
                    store_opened = true;
                } else {
                    store_fds.retain(|&known| known != fd);
                }
                socket_fds.retain(|&known| known != fd);
            }
            ("accept" | "accept4", Some(fd)) if fd >= 0 => {
                store_fds.retain(|&known| known != fd);
                socket_fds.push(fd);
            }
            // A split close was handled where it began.
            ("close", _) if began == line_number => {
                if let Some(fd) = first_argument {
                    forget(&mut store_fds, &mut socket_fds, fd);
                }
            }
            ("pwrite64", _) if is_in(first_argument, &store_fds) => {
                events.push(event(What::StoreWrite(decode_strings(&call))));
            }
            ("fsync" | "fdatasync", Some(0)) if is_in(first_argument, &store_fds) => {
                events.push(event(What::StoreSync));
            }
            ("write" | "writev" | "sendto" | "sendmsg", _)
                if is_in(first_argument, &socket_fds) =>
            {
                events.push(event(What::Answer(decode_strings(&call))));
            }
            _ => {}
        }
    }
    assert!(
        store_opened,
        "the trace shows no open descriptor of {db_path}: is this the store's data file?"
    );
    events
}

/// The descriptor of a `close(N` call head, if that is what it is.
fn closed_descriptor(head: &str) -> Option<i64> {
    head.strip_prefix("close(")?
        .split([',', ')'])
        .next()?
        .trim()
        .parse()
        .ok()
}

fn forget(store_fds: &mut Vec<i64>, socket_fds: &mut Vec<i64>, fd: i64) {
    store_fds.retain(|&known| known != fd);
    socket_fds.retain(|&known| known != fd);
}

fn is_in(fd: Option<i64>, fds: &[i64]) -> bool {
    fd.is_some_and(|fd| fds.contains(&fd))
}

fn check_durable_before_acknowledged(events: &[Event], tx: &str, digest: &[u8]) {
    let answer = events
        .iter()
        .find(|event| matches!(&event.what, What::Answer(bytes) if contains(bytes, tx.as_bytes())))
        .unwrap_or_else(|| panic!("the trace shows no answer to the client naming tx {tx}"));
    let written = events
        .iter()
        .rev()
        .filter(|event| event.returned < answer.began)
        .find(|event| matches!(&event.what, What::StoreWrite(bytes) if contains(bytes, digest)))
        .unwrap_or_else(|| {
            panic!("the trace shows no write of tx {tx}'s anchored digest to the store before its answer")
        });
    let synced = events.iter().any(|event| {
        matches!(event.what, What::StoreSync)
            && event.began > written.returned
            && event.returned < answer.began
    });
    assert!(
        synced,
        "tx {tx}: the node acknowledged the commit (trace line {}) without an fsync/fdatasync \
         of the store's data file after its block was written (trace line {}): the block was \
         not on stable storage when the client was told it was committed",
        answer.began + 1,
        written.returned + 1,
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The bytes of every quoted string of a call printed with `strace -xx`
/// (every byte as `\xHH`), one after another.
fn decode_strings(call: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut inside = false;
    let mut chars = call.chars().peekable();
    while let Some(c) = chars.next() {
        match (inside, c) {
            (false, '"') => inside = true,
            (true, '"') => inside = false,
            (true, '\\') => {
                let escape: String = chars.by_ref().take(3).collect();
                let hex = escape.strip_prefix('x').expect("strace -xx prints \\xHH");
                bytes.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
            }
            (true, other) => bytes.extend(other.to_string().as_bytes()),
            (false, _) => {}
        }
    }
    bytes
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex"))
        .collect()
}

/// A connection accepted on a number another thread is closing, printed
/// before that close returns, is still the client's connection.
#[test]
fn a_descriptor_reused_while_its_close_is_in_flight_is_still_traced() {
    let trace = "\
100 openat(AT_FDCWD, \"\\x2f\\x64\\x62\", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = 9
101 close(12 <unfinished ...>
102 accept4(7, {sa_family=AF_INET, sin_port=htons(5000)}, [16], SOCK_CLOEXEC|SOCK_NONBLOCK) = 12
101 <... close resumed>) = 0
102 writev(12, [{iov_base=\"\\x74\\x78\", iov_len=2}], 1) = 2
";
    let events = parse_trace(trace, "/db");
    assert!(
        events
            .iter()
            .any(|event| matches!(&event.what, What::Answer(bytes) if bytes == b"tx")),
        "the answer on the reused descriptor was lost: {events:?}"
    );
}
