//! The API's connection bounds: idle and half-sent connections are closed,
//! connections past the caps are refused with a 503, and the API keeps
//! answering under a low open-file limit.

mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::{get_on, one_node, wait_for, Started};

/// Opens a connection from the loopback address `from` (any 127.x.y.z).
fn connect_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("a runtime");
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        socket
            .bind(SocketAddr::from((from, 0)))
            .expect("bind the client address");
        socket.connect(to).await.expect("connect")
    });
    let stream = stream.into_std().expect("a std stream");
    stream.set_nonblocking(false).expect("blocking mode");
    stream
}

/// A kept-alive connection from `from` whose first request was answered 200.
fn held_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    // A connection closed just before may still hold its slot for a moment.
    for _ in 0..50 {
        let mut stream = connect_from(from, to);
        match get_on(&mut stream, "/livez", false) {
            Some(answer) if answer.status == 200 => return stream,
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    panic!("no connection from {from:?} was served");
}

#[test]
fn connections_past_the_per_address_and_total_caps_are_refused_with_a_503() {
    let dir = tempfile::tempdir().unwrap();
    let (net, addr) = one_node(
        dir.path(),
        "max_connections = 5\nmax_connections_per_ip = 3\nidle_timeout = \"5m\"",
    );
    let _node = Started::start(&net.nodes[0].home, &[]);
    wait_for(addr, "/livez", 200, Duration::from_secs(60));

    let mut first = Vec::new();
    for _ in 0..3 {
        first.push(held_from([127, 0, 0, 1], addr));
    }
    let mut fourth = connect_from([127, 0, 0, 1], addr);
    let refused = get_on(&mut fourth, "/livez", false).expect("an answer");
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(
        refused.json()["error"]["code"],
        "too_many_connections_from_address"
    );
    assert!(refused.body.contains("api.max_connections_per_ip"));

    let _second = [
        held_from([127, 0, 0, 2], addr),
        held_from([127, 0, 0, 2], addr),
    ];
    let mut sixth = connect_from([127, 0, 0, 3], addr);
    let refused = get_on(&mut sixth, "/livez", false).expect("an answer");
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(refused.json()["error"]["code"], "too_many_connections");

    // The held connections still work, and a closed one frees its place.
    let again = get_on(&mut first[0], "/v1/status", false).expect("an answer");
    assert_eq!(again.status, 200);
    drop(first.remove(0));
    held_from([127, 0, 0, 3], addr);
}

#[test]
fn idle_and_half_sent_connections_do_not_lock_out_the_api_under_a_low_file_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (net, addr) = one_node(
        dir.path(),
        "header_read_timeout = \"1s\"\nidle_timeout = \"1s\"\nmax_connections = 100\nmax_connections_per_ip = 100",
    );
    let mut node = Started::start(&net.nodes[0].home, &["prlimit", "--nofile=256:256"]);
    wait_for(addr, "/v1/status", 200, Duration::from_secs(60));

    // Half a request each: the headers never end.
    let mut half_sent: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).expect("connect");
            stream
                .write_all(b"GET /v1/status HTTP/1.1\r\nhost: test\r\n")
                .expect("send half a request");
            stream
        })
        .collect();
    let idle: Vec<TcpStream> = (0..400)
        .map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect"))
        .collect();

    let status = wait_for(addr, "/v1/status", 200, Duration::from_secs(30));
    assert!(status.json()["height"].is_u64(), "{}", status.body);
    assert!(node.running(), "the node must survive the flood");

    // The server closed every half-sent request (no answer, just the end
    // of the stream); a read that times out means it is still open.
    for stream in &mut half_sent {
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut rest = Vec::new();
        match stream.read_to_end(&mut rest) {
            Ok(_) => assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest)),
            Err(error) => assert_eq!(
                error.kind(),
                std::io::ErrorKind::ConnectionReset,
                "the half-sent connection is still open: {error}"
            ),
        }
    }
    drop(idle);
    let log = std::fs::read_to_string(net.nodes[0].home.with_extension("log")).unwrap();
    assert!(!log.contains("Too many open files"), "{log}");
}
