//! A network node fails loudly when it cannot listen, and its health
//! endpoints say whether it is up and whether it is ready.

mod common;

use std::ffi::OsStr;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{api_addr, get, one_node, set_api, wait_for};
use xianjie_tests::network::{NetOptions, Network};

#[test]
fn a_taken_consensus_port_makes_start_exit_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let (net, api) = one_node(dir.path(), "");
    // `testnet` puts node i's consensus on its API port + 100.
    let consensus = api.port() + 100;
    let _taken = TcpListener::bind(("127.0.0.1", consensus)).expect("occupy the consensus port");
    let home = &net.nodes[0].home;
    let mut child = Command::new(xianjie_tests::binary("xianjie-node"))
        .arg("start")
        .arg("--home")
        .arg(home)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xianjie-node");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the node") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the node kept running although its consensus port is taken");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "{stderr}");
    let address = format!("/ip4/127.0.0.1/tcp/{consensus}");
    assert!(stderr.contains(&address), "{stderr}");
    assert!(stderr.contains("p2p.listen"), "{stderr}");
    assert!(stderr.contains("in use"), "{stderr}");
}

#[test]
fn a_taken_api_port_makes_start_exit_before_it_joins_consensus() {
    let dir = tempfile::tempdir().unwrap();
    let (net, api) = one_node(dir.path(), "");
    let _taken = TcpListener::bind(api).expect("occupy the API port");
    let run = xianjie_tests::run_node(&[
        OsStr::new("start"),
        OsStr::new("--home"),
        net.nodes[0].home.as_os_str(),
    ]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains(&api.to_string()), "{}", run.stderr);
    assert!(run.stderr.contains("api.listen"), "{}", run.stderr);
    assert!(
        !net.nodes[0].home.join("wal").exists(),
        "consensus must not start: {}",
        run.stderr
    );
}

#[test]
fn livez_answers_and_readyz_is_503_until_the_network_commits() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    for i in 0..4 {
        set_api(&net, i, "ready_max_block_age = \"1s\"");
    }
    let addr = api_addr(&net, 0);
    let genesis: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(net.dir.join("genesis.json")).unwrap())
            .unwrap();
    let genesis_ms = genesis["genesis_time_ms"].as_u64().expect("genesis time");
    net.start(0);
    let live = wait_for(addr, "/livez", 200, Duration::from_secs(60));
    assert_eq!(live.json()["live"], true);

    // Alone, one validator of four commits nothing: once the genesis is
    // older than the bound, the node is not caught up.
    let bound_passed = genesis_ms + 1_500;
    while now_ms() < bound_passed {
        std::thread::sleep(Duration::from_millis(100));
    }
    let answer = get(addr, "/readyz").expect("an answer");
    assert_eq!(answer.status, 503, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["ready"], false);
    let check = |name: &str| {
        body["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|check| check["name"] == name)
            .unwrap_or_else(|| panic!("no {name} check: {body}"))
            .clone()
    };
    assert_eq!(check("store")["ok"], true, "{body}");
    assert_eq!(check("consensus_listening")["ok"], true, "{body}");
    assert_eq!(check("caught_up")["ok"], false, "{body}");
    assert!(
        check("caught_up")["detail"]
            .as_str()
            .unwrap()
            .contains("api.ready_max_block_age"),
        "{body}"
    );
    let status = net.get(0, "/v1/status").unwrap();
    assert_eq!(status["network"]["consensus_listening"], true, "{status}");

    for i in 1..4 {
        net.start(i);
    }
    let ready = wait_for(addr, "/readyz", 200, Duration::from_secs(120));
    assert_eq!(ready.json()["ready"], true);
}

fn now_ms() -> u64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    u64::try_from(since.as_millis()).unwrap()
}
