//! `GET /v1/events` and `xianjie events` with the real binaries: a
//! follower resumes from a cursor across a node restart without gaps or
//! duplicates, sees only what the policy set lets it read, checks blocks
//! against the genesis, and a Server-Sent Events stream delivers, resumes
//! from `Last-Event-ID` and ends when the node stops.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use xianjie_ledger::crypto::KeyFile;
use xianjie_tests::{write_sample_file, DevNode};

const SHOP: &str = "91330100MA2H3K4L50";

/// Anchors a fresh sample file as the market regulator; its tx hash.
fn anchor(node: &DevNode, dir: &Path, seed: u64) -> String {
    let file = dir.join(format!("evidence-{seed}.bin"));
    write_sample_file(&file, 300, 9_000 + seed);
    let answer = node.anchor_as_market(&file, &[]);
    answer["tx"].as_str().expect("tx hash").to_owned()
}

fn events_as(node: &DevNode, key: &str, args: &[&str]) -> Value {
    let mut full = vec!["events"];
    full.extend_from_slice(args);
    node.cli_as(key, &full).expect_code(0).json()
}

fn txs_of(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["tx"].as_str().expect("tx").to_owned())
        .collect()
}

#[test]
fn a_follower_resumes_from_its_cursor_across_a_restart_without_gaps_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = DevNode::start(&home);
    let first: Vec<String> = (0..3).map(|seed| anchor(&node, dir.path(), seed)).collect();

    let everything = events_as(&node, "market-officer", &["--from-start"]);
    let seen = txs_of(&everything);
    let positions: Vec<usize> = first
        .iter()
        .map(|tx| {
            seen.iter()
                .position(|event| event == tx)
                .unwrap_or_else(|| panic!("anchor {tx} is not among the events: {everything:#}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{positions:?}"
    );
    let second_anchor = &everything["events"][positions[1]];
    assert_eq!(second_anchor["kind"], "evidence");
    assert_eq!(second_anchor["call"], "anchor_evidence");
    assert_eq!(second_anchor["outcome"]["status"], "ok");
    let resume_at = second_anchor["cursor"].as_str().unwrap().to_owned();

    // `--count` stops early and names the cursor after the last event printed.
    let two = events_as(&node, "market-officer", &["--from-start", "--count", "2"]);
    assert_eq!(txs_of(&two), seen[..2].to_vec());
    assert_eq!(two["cursor"], everything["events"][1]["cursor"]);

    // Following prints each event as a line of JSON as it comes.
    let followed = events_as(
        &node,
        "market-officer",
        &["--follow", "--after", &resume_at, "--count", "1"],
    );
    assert_eq!(followed["tx"], first[2].as_str(), "{followed:#}");
    let text = node
        .cli_text_as("market-officer", &["events", "--after", &resume_at])
        .expect_code(0)
        .stdout;
    assert!(
        text.contains(&first[2][..16]) && text.contains("next: xianjie events --after"),
        "{text}"
    );

    let (home, port) = node.stop();
    let node = DevNode::start_on(&home, port);
    let later: Vec<String> = (3..5).map(|seed| anchor(&node, dir.path(), seed)).collect();

    let resumed = events_as(&node, "market-officer", &["--after", &resume_at]);
    let mut expected: Vec<String> = seen[positions[1] + 1..].to_vec();
    expected.extend(later.iter().cloned());
    assert_eq!(
        txs_of(&resumed),
        expected,
        "resumed after {resume_at}: exactly the third anchor and the two made after the restart"
    );
    // The answer's cursor resumes past everything: nothing more to read.
    let next = resumed["cursor"].as_str().unwrap();
    let after_all = events_as(&node, "market-officer", &["--after", next]);
    assert_eq!(txs_of(&after_all), Vec::<String>::new(), "{after_all:#}");
}

#[test]
fn events_are_filtered_by_the_policy_set_like_the_reads_of_their_records() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let opened = node
        .cli_as(
            "market-officer",
            &[
                "case",
                "open",
                "--title",
                "销售过期食品",
                "--entity",
                SHOP,
                "--domain",
                "food_drug",
                "--lead",
                "complaint",
            ],
        )
        .expect_code(0)
        .json();
    let case_id = opened["id"].as_str().expect("case id").to_owned();
    let anchored = anchor(&node, dir.path(), 1);
    node.accredit_for_pesticides("lab", "240012345678");

    let market = events_as(&node, "market-officer", &["--from-start"]);
    let lab = events_as(&node, "lab-officer", &["--from-start"]);
    let case_event = |page: &Value| {
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["kind"] == "case" && event["subject"] == case_id.as_str())
    };
    assert!(
        case_event(&market),
        "the owning agency sees its case: {market:#}"
    );
    assert!(txs_of(&market).contains(&anchored));
    assert!(
        !case_event(&lab),
        "a laboratory is no party of the case: {lab:#}"
    );
    assert!(
        !txs_of(&lab).contains(&anchored),
        "nor a holder of the evidence: {lab:#}"
    );
    // Accreditations are public, as their route is.
    let public = |page: &Value| {
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["kind"] == "accreditation")
    };
    assert!(public(&market) && public(&lab), "{lab:#}");

    // Whoever may read the case sees its events, and nobody else.
    let police = events_as(&node, "police-officer", &["--from-start"]);
    assert_eq!(
        case_event(&police),
        can_read_case(&node, "police-officer", &case_id)
    );
}

/// What `xianjie case show` answers for this officer: the events must agree.
fn can_read_case(node: &DevNode, key: &str, case_id: &str) -> bool {
    let run = node.cli_as(key, &["case", "show", case_id]);
    match run.code {
        0 => true,
        1 => false,
        other => panic!("case show exited {other}: {}", run.stderr),
    }
}

#[test]
fn each_event_is_checked_against_the_certified_block_and_a_wrong_genesis_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let tx = anchor(&node, dir.path(), 7);
    let genesis = node.home.join("genesis.json");
    let checked = events_as(
        &node,
        "market-officer",
        &[
            "--from-start",
            "--verify",
            "--genesis",
            genesis.to_str().unwrap(),
        ],
    );
    let events = checked["events"].as_array().unwrap();
    assert!(events.iter().any(|event| event["tx"] == tx.as_str()));
    assert!(
        events.iter().all(|event| event["verified"] == true),
        "{checked:#}"
    );

    // A genesis naming another validator (an officer's key, a valid key
    // that signed no block): the certificates do not check.
    let mut other: Value =
        serde_json::from_str(&std::fs::read_to_string(&genesis).unwrap()).unwrap();
    let stranger =
        KeyFile::parse(&std::fs::read_to_string(node.key("court-officer")).unwrap()).unwrap();
    other["validators"][0]["public_key"] = Value::String(stranger.public_key().to_hex());
    let forged = dir.path().join("other-genesis.json");
    std::fs::write(&forged, other.to_string()).unwrap();
    let refused = node.cli_as(
        "market-officer",
        &[
            "events",
            "--from-start",
            "--verify",
            "--genesis",
            forged.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("validator set other than the genesis set"),
        "{}",
        refused.stderr
    );
}

#[test]
fn malformed_and_foreign_cursors_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let malformed = node.cli_as("market-officer", &["events", "--after", "12"]);
    assert_eq!(malformed.code, 2, "{}", malformed.stderr);
    assert!(
        malformed.stderr.contains("HEIGHT-INDEX"),
        "{}",
        malformed.stderr
    );
    let ahead = node.cli_as("market-officer", &["events", "--after", "100000-0"]);
    assert_eq!(ahead.code, 2, "{}", ahead.stderr);
    assert!(ahead.stderr.contains("bad_query"), "{}", ahead.stderr);
    assert!(ahead.stderr.contains("another chain"), "{}", ahead.stderr);
    let unsigned = xianjie_tests::run_cli(&["--node", &node.url, "events"]);
    assert_eq!(unsigned.code, 2, "{}", unsigned.stderr);
    assert!(unsigned.stderr.contains("--key"), "{}", unsigned.stderr);
}

/// Opens `GET /v1/events` as Server-Sent Events, signed by a demo key; the
/// reader is positioned after the response headers.
fn open_stream(
    node: &DevNode,
    key_name: &str,
    query: &str,
    last_event_id: Option<&str>,
) -> BufReader<TcpStream> {
    let path = format!("/v1/events{query}");
    let headers = node.signed_read_headers(key_name, &path);
    open_stream_with(node, &path, &headers, last_event_id)
}

/// Opens `path` as Server-Sent Events with these credential headers.
fn open_stream_with(
    node: &DevNode,
    path: &str,
    headers: &[(String, String)],
    last_event_id: Option<&str>,
) -> BufReader<TcpStream> {
    let mut request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(id) = last_event_id {
        request.push_str(&format!("Last-Event-ID: {id}\r\n"));
    }
    request.push_str("\r\n");
    let address = node.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            return reader;
        }
        if line.to_ascii_lowercase().starts_with("content-type") {
            assert!(line.contains("text/event-stream"), "{line}");
        }
    }
}

/// The next SSE event's `id` and JSON `data` (chunked framing and keep-alive
/// comments skipped).
fn next_sse_event(reader: &mut BufReader<TcpStream>) -> (String, Value) {
    let (mut id, mut data) = (None, None);
    loop {
        let mut line = String::new();
        let read = reader
            .read_line(&mut line)
            .expect("an event before the read timeout");
        assert!(read > 0, "the stream ended before the next event");
        let line = line.trim_end();
        if let Some(value) = line.strip_prefix("id: ") {
            id = Some(value.to_owned());
        } else if let Some(value) = line.strip_prefix("data: ") {
            data = Some(serde_json::from_str(value).expect("JSON data"));
        } else if line.is_empty() {
            if let (Some(id), Some(data)) = (id.take(), data.take()) {
                return (id, data);
            }
        }
    }
}

#[test]
fn a_server_sent_event_stream_delivers_resumes_from_last_event_id_and_ends_when_the_node_stops() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let mut stream = open_stream(&node, "market-officer", "", None);
    // Only new events: the anchors made after the stream opened.
    let made: Vec<String> = (0..2).map(|seed| anchor(&node, dir.path(), seed)).collect();
    let mut received = Vec::new();
    let mut last_id = String::new();
    while received.len() < made.len() {
        let (id, data) = next_sse_event(&mut stream);
        assert_eq!(data["cursor"], id.as_str());
        if data["kind"] == "evidence" {
            received.push(data["tx"].as_str().unwrap().to_owned());
            if received.len() == 1 {
                last_id = id;
            }
        }
    }
    assert_eq!(received, made);

    // A reconnecting client sends the last id it handled and gets what follows.
    let mut resumed = open_stream(&node, "market-officer", "", Some(&last_id));
    let (_, data) = loop {
        let (id, data) = next_sse_event(&mut resumed);
        if data["kind"] == "evidence" {
            break (id, data);
        }
    };
    assert_eq!(data["tx"], made[1].as_str());

    // Stopping the node ends the streams instead of waiting on them: the
    // stream ends within the read timeout (10 s), before the harness would
    // kill a node that did not stop (15 s).
    let stopping = std::thread::spawn(move || node.stop());
    loop {
        let mut line = String::new();
        match stream.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => panic!("the stream did not end within 10 s of the stop: {error}"),
        }
    }
    stopping.join().unwrap();
}

#[test]
fn a_stream_opened_with_a_console_session_ends_when_the_session_does() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let link = node
        .cli_as("market-officer", &["login"])
        .expect_code(0)
        .json()["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let token = link
        .split("#session=")
        .nth(1)
        .expect("a session token")
        .to_owned();
    let bearer = [("Authorization".to_owned(), format!("Bearer {token}"))];
    let mut stream = open_stream_with(&node, "/v1/events", &bearer, None);
    let first = anchor(&node, dir.path(), 1);
    let (_, data) = next_sse_event(&mut stream);
    assert_eq!(data["tx"], first.as_str());

    // Signing out ends the session; the stream ends at its next event.
    let signed_out = ureq::delete(format!("{}/v1/sessions/current", node.url))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("sign out");
    assert_eq!(signed_out.status().as_u16(), 204);
    anchor(&node, dir.path(), 2);
    let mut rest = String::new();
    loop {
        let mut line = String::new();
        match stream.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => rest.push_str(&line),
            Err(error) => panic!("the stream went on after the sign-out: {error}; {rest}"),
        }
    }
    assert!(
        rest.contains("event: error") && rest.contains("data: bad_session"),
        "{rest}"
    );
    assert!(
        !rest.contains("\"kind\":\"evidence\""),
        "an event after the sign-out: {rest}"
    );
}
