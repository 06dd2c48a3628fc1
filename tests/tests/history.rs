//! The history tree with the real binaries: every header's `history_root`
//! is the RFC 6962 root of the header hashes before it (computed here from
//! the blocks, not by the node's tree code); `GET /v1/history/*` proofs
//! and `xianjie history` check them against certified headers; and a chain
//! whose history forked after a root was recorded is refused.

use std::path::Path;

use serde_json::Value;
use xianjie_ledger::hash::Hash;
use xianjie_ledger::merkle;
use xianjie_tests::{copy_dir, write_sample_file, DevNode};

fn anchor(node: &DevNode, dir: &Path, seed: u64) {
    let file = dir.join(format!("evidence-{seed}.bin"));
    write_sample_file(&file, 200, 31_000 + seed);
    node.anchor_as_market(&file, &[]);
}

fn get(node: &DevNode, path: &str) -> (u16, Value) {
    let response = ureq::get(format!("{}{path}", node.url))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .expect("node answers");
    let status = response.status().as_u16();
    let body = response.into_body().read_json().expect("JSON body");
    (status, body)
}

fn tip(node: &DevNode) -> u64 {
    node.status().expect("status")["height"].as_u64().unwrap()
}

fn header_hashes(node: &DevNode) -> Vec<(Hash, Hash)> {
    (1..=tip(node))
        .map(|height| {
            let (status, block) = get(node, &format!("/v1/blocks/{height}"));
            assert_eq!(status, 200, "{block}");
            let hash = Hash::from_hex(block["hash"].as_str().unwrap()).unwrap();
            let history =
                Hash::from_hex(block["header"]["history_root"].as_str().unwrap()).unwrap();
            (hash, history)
        })
        .collect()
}

fn history(node: &DevNode, args: &[&str]) -> xianjie_tests::CliRun {
    let mut full = vec!["history"];
    full.extend_from_slice(args);
    node.cli_as("market-officer", &full)
}

#[test]
fn each_header_commits_the_history_before_it_and_the_proofs_check() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    for seed in 0..4 {
        anchor(&node, dir.path(), seed);
    }
    let headers = header_hashes(&node);
    let tip = headers.len() as u64;
    assert!(tip >= 4, "{tip} blocks");
    let hashes: Vec<Hash> = headers.iter().map(|(hash, _)| *hash).collect();
    for (index, (_, history_root)) in headers.iter().enumerate() {
        assert_eq!(
            *history_root,
            merkle::root(&hashes[..index]),
            "header {} must commit the headers before it",
            index + 1
        );
    }

    // The API's proofs, from every earlier size to the newest certified one.
    let newest = tip - 1;
    for from in 0..=newest {
        let (status, view) = get(
            &node,
            &format!("/v1/history/consistency?from={from}&to={newest}"),
        );
        assert_eq!(status, 200, "{view}");
        assert_eq!(
            view["from_root"],
            headers[from as usize].1.to_hex().as_str()
        );
        assert_eq!(
            view["to_root"],
            headers[newest as usize].1.to_hex().as_str()
        );
        let proof: xianjie_ledger::history::ConsistencyProof =
            serde_json::from_value(view["proof"].clone()).unwrap();
        proof
            .verify(&headers[from as usize].1, &headers[newest as usize].1)
            .unwrap();
    }
    let (status, view) = get(&node, &format!("/v1/history/inclusion?height=2&size={tip}"));
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["header_hash"], hashes[1].to_hex().as_str());
    assert_eq!(view["root"], merkle::root(&hashes).to_hex().as_str());

    // The CLI checks against the certified headers and their certificates.
    let genesis = node.home.join("genesis.json");
    let genesis = genesis.to_str().unwrap();
    let checked = history(&node, &["consistency", "--from", "2", "--genesis", genesis])
        .expect_code(0)
        .json();
    assert_eq!(checked["consistent"], true);
    assert_eq!(checked["to"], newest);
    assert_eq!(checked["certificates_checked"], true);
    assert_eq!(checked["from_root"], headers[2].1.to_hex().as_str());
    let included = history(&node, &["inclusion", "--height", "3", "--genesis", genesis])
        .expect_code(0)
        .json();
    assert_eq!(included["included"], true);
    assert_eq!(included["header_hash"], hashes[2].to_hex().as_str());

    // Bad ranges change nothing and say what is wrong.
    let (status, refused) = get(&node, "/v1/history/consistency?from=3&to=2");
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("bad_query"))
    );
    let (status, refused) = get(
        &node,
        &format!("/v1/history/consistency?from=1&to={}", tip + 1),
    );
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (404, Some("unknown_block"))
    );
    let (status, refused) = get(&node, &format!("/v1/history/inclusion?height=0&size={tip}"));
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("bad_query"))
    );
    // A dev chain's one validator never changes: no change to follow, and
    // the same bounds as the proofs.
    let (status, changes) = get(&node, "/v1/history/validator-changes?from=0");
    assert_eq!(status, 200, "{changes}");
    assert_eq!(
        (changes["from"].as_u64(), changes["to"].as_u64()),
        (Some(0), Some(tip))
    );
    assert_eq!(changes["changes"], serde_json::json!([]));
    for (query, expected) in [
        ("from=3&to=2".to_owned(), (400, "bad_query")),
        (format!("from=0&to={}", tip + 1), (404, "unknown_block")),
    ] {
        let (status, refused) = get(&node, &format!("/v1/history/validator-changes?{query}"));
        assert_eq!(
            (status, refused["error"]["code"].as_str().unwrap()),
            expected,
            "{query}"
        );
    }
    let uncertified = history(
        &node,
        &["consistency", "--from", "1", "--to", &tip.to_string()],
    );
    assert_ne!(uncertified.code, 0);
    assert!(
        uncertified.stderr.contains("not certified yet"),
        "{}",
        uncertified.stderr
    );
}

#[test]
fn a_history_forked_after_a_root_was_recorded_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = DevNode::start(&home);
    anchor(&node, dir.path(), 10);
    let common = tip(&node);
    let (home, _) = node.stop();
    // The same genesis and validator key, so the same chain up to `common`:
    // what the holders of every validator key could do.
    let fork_home = dir.path().join("fork");
    copy_dir(&home, &fork_home);

    let honest = DevNode::start(&home);
    anchor(&honest, dir.path(), 11);
    anchor(&honest, dir.path(), 12);
    let recorded = history(
        &honest,
        &["consistency", "--from", &(common + 1).to_string()],
    )
    .expect_code(0)
    .json();
    let recorded_root = recorded["from_root"].as_str().unwrap().to_owned();
    let shared_root = history(&honest, &["consistency", "--from", &common.to_string()])
        .expect_code(0)
        .json()["from_root"]
        .as_str()
        .unwrap()
        .to_owned();
    honest.stop();

    let forked = DevNode::start(&fork_home);
    anchor(&forked, dir.path(), 21);
    anchor(&forked, dir.path(), 22);
    let refused = history(
        &forked,
        &[
            "consistency",
            "--from",
            &(common + 1).to_string(),
            "--root",
            &recorded_root,
        ],
    );
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    assert!(refused.stderr.contains("rewritten"), "{}", refused.stderr);
    // The part both share still checks.
    history(
        &forked,
        &[
            "consistency",
            "--from",
            &common.to_string(),
            "--root",
            &shared_root,
        ],
    )
    .expect_code(0);
}
