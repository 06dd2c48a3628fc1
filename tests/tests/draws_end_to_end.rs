//! 双随机 draws with the real binaries, as the README walks through them:
//! the market regulator sets an item and its inspectors, publishes an
//! entity snapshot, plans a draw witnessed by the procuratorate; both
//! commit and reveal; the drawn rows are shown with their proofs; the
//! procuratorate re-runs the draw from the rows file (and a doctored file
//! does not match); a drawn inspector publishes a finding, and a case opens
//! on it, once.

use std::path::Path;

use xianjie_tests::DevNode;

const ROWS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/examples/draw-entities.json"
);

fn key_id(node: &DevNode, key: &str) -> String {
    let shown = node.cli_as(key, &["keys", "show"]).expect_code(0).json();
    shown["id"].as_str().unwrap().to_owned()
}

/// The walkthrough's two items, three inspectors and snapshot; returns the
/// snapshot id.
fn directories(node: &DevNode) -> String {
    for (item, description) in [
        ("FOOD-01", "食品经营者主体责任落实情况"),
        ("FOOD-02", "食品经营许可证公示情况"),
    ] {
        node.cli_as(
            "market-officer",
            &[
                "draw",
                "item",
                "set",
                "--item",
                item,
                "--basis",
                "food-safety-law/art-87",
                "--method",
                "on-site",
                "--description",
                description,
            ],
        )
        .expect_code(0);
    }
    for role in ["officer", "officer2", "head"] {
        let officer = key_id(node, &format!("market-{role}"));
        let certificate = format!("ZF-3301-{role}");
        node.cli_as(
            "market-admin",
            &[
                "draw",
                "inspector",
                "set",
                "--scope",
                "FOOD-01",
                "--scope",
                "FOOD-02",
                "--officer",
                &officer,
                "--certificate",
                &certificate,
                "--valid-from",
                "20260101",
                "--valid-until",
                "20291231",
            ],
        )
        .expect_code(0);
    }
    let published = node
        .cli_as(
            "market-officer",
            &["draw", "snapshot", "publish", "--rows", ROWS],
        )
        .expect_code(0)
        .json();
    assert_eq!(published["rows"], 12, "{published}");
    published["id"].as_str().unwrap().to_owned()
}

fn nonce_file(dir: &Path, org: &str) -> String {
    dir.join(format!("{org}.nonce")).display().to_string()
}

#[test]
fn a_draw_is_committed_revealed_named_re_run_and_a_finding_opens_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let snapshot = directories(&node);

    let plan = |items: &[&str]| {
        let mut args = vec!["draw", "plan", "--snapshot", &snapshot];
        for item in items {
            args.extend(["--item", item]);
        }
        args.extend([
            "--ratio",
            "1:20",
            "--ratio",
            "2:50",
            "--ratio",
            "3:100",
            "--witness",
            "procuratorate",
        ]);
        node.cli_as("market-officer", &args)
    };
    // An item not on the list is named before anything is signed.
    let unknown = plan(&["FOOD-01", "FOOD-99"]).expect_code(2);
    assert!(unknown.stderr.contains("FOOD-99"), "{unknown:?}");
    // Two items in one visit, given in any order.
    let planned = plan(&["FOOD-02", "FOOD-01"]).expect_code(0).json();
    let draw = planned["id"].as_str().unwrap().to_owned();
    assert!(draw.starts_with("DRAW-"), "{planned}");
    let shown = node
        .cli_as("procuratorate-officer", &["draw", "show", &draw])
        .expect_code(0)
        .json();
    let items: Vec<&str> = shown["draw"]["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["FOOD-01", "FOOD-02"], "{shown}");
    assert_eq!(shown["draw"]["plan"]["departments"][0], "market", "{shown}");

    // The police are no party: they cannot commit.
    let police = nonce_file(dir.path(), "police");
    let refused = node
        .cli_as(
            "police-officer",
            &["draw", "commit", &draw, "--nonce-file", &police],
        )
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "not_draw_committer", "{refused}");

    let market_nonce = nonce_file(dir.path(), "market");
    let commit =
        |key: &str, file: &str| node.cli_as(key, &["draw", "commit", &draw, "--nonce-file", file]);
    let reveal =
        |key: &str, file: &str| node.cli_as(key, &["draw", "reveal", &draw, "--nonce-file", file]);
    commit("market-officer", &market_nonce).expect_code(0);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&market_nonce).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the nonce file is private");
    // Revealing before every commitment is in would publish the nonce
    // early: the CLI checks the draw and sends nothing.
    let early = reveal("market-officer", &market_nonce).expect_code(1);
    assert!(early.stderr.contains("nothing was sent"), "{early:?}");
    // Committing again re-sends the same commitment from the kept file;
    // the chain says it is done already.
    let again = commit("market-officer", &market_nonce)
        .expect_code(1)
        .json();
    assert_eq!(again["code"], "draw_step_done", "{again}");
    // Another draw's nonce file is not taken for this one.
    let foreign = dir.path().join("foreign.nonce");
    std::fs::write(
        &foreign,
        format!("DRAW-0000000000000000 {}\n", "ab".repeat(32)),
    )
    .unwrap();
    let refused = commit("procuratorate-officer", foreign.to_str().unwrap()).expect_code(2);
    assert!(refused.stderr.contains("not for"), "{refused:?}");
    let witness_nonce = nonce_file(dir.path(), "procuratorate");
    commit("procuratorate-officer", &witness_nonce).expect_code(0);
    // The witness's file does not open the market's commitment.
    let swapped = reveal("market-officer", &witness_nonce).expect_code(1);
    assert!(swapped.stderr.contains("does not open"), "{swapped:?}");
    reveal("market-officer", &market_nonce).expect_code(0);
    reveal("procuratorate-officer", &witness_nonce).expect_code(0);
    node.cli_as("market-officer", &["draw", "name", &draw, "--rows", ROWS])
        .expect_code(0);

    let shown = node
        .cli_as("market-officer", &["draw", "show", &draw])
        .expect_code(0)
        .json();
    let record = &shown["draw"];
    assert_eq!(record["state"], "drawn", "{shown}");
    // ceil(6 × 20 %) + ceil(4 × 50 %) + 2.
    let inspections = record["inspections"].as_array().unwrap();
    assert_eq!(inspections.len(), 2 + 2 + 2, "{shown}");
    assert_eq!(shown["inspectors"].as_array().unwrap().len(), 3);
    let text = node
        .cli_text_as("market-officer", &["draw", "show", &draw])
        .expect_code(0)
        .stdout;
    assert!(
        text.contains("[drawn]") && text.contains("procuratorate revealed"),
        "{text}"
    );

    // The witness re-runs it from the node's copy of the rows, and from the
    // department's file.
    for rows in [&[][..], &["--rows", ROWS][..]] {
        let mut args = vec!["draw", "verify", &draw];
        args.extend_from_slice(rows);
        let verified = node
            .cli_as("procuratorate-officer", &args)
            .expect_code(0)
            .json();
        assert_eq!(verified["matches"], true, "{verified}");
    }
    // A file with one row's industry changed is another snapshot.
    let doctored = dir.path().join("doctored.json");
    let original = std::fs::read_to_string(ROWS).unwrap();
    std::fs::write(
        &doctored,
        original.replacen("\"industry\": \"F5221\"", "\"industry\": \"F5222\"", 1),
    )
    .unwrap();
    let mismatch = node
        .cli_as(
            "procuratorate-officer",
            &[
                "draw",
                "verify",
                &draw,
                "--rows",
                doctored.to_str().unwrap(),
            ],
        )
        .expect_code(1)
        .json();
    assert_eq!(mismatch["matches"], false, "{mismatch}");

    // One of inspection 0's inspectors publishes a finding.
    let first = &inspections[0];
    let entity = first["entity"].as_str().unwrap().to_owned();
    let assigned: Vec<String> = first["inspectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    let inspector = ["market-officer", "market-officer2", "market-head"]
        .into_iter()
        .find(|key| assigned.contains(&key_id(&node, key)))
        .expect("a drawn inspector among the market's keys");
    let outsider = ["market-officer", "market-officer2", "market-head"]
        .into_iter()
        .find(|key| !assigned.contains(&key_id(&node, key)))
        .unwrap();
    let result = |key: &str| {
        node.cli_as(
            key,
            &[
                "draw",
                "result",
                &draw,
                "--inspection",
                "0",
                "--finding",
                "finding",
                "--record",
                "现场检查笔录",
            ],
        )
    };
    let refused = result(outsider).expect_code(1).json();
    assert_eq!(refused["code"], "inspector_not_assigned", "{refused}");
    let published = result(inspector).expect_code(0).json();
    let reference = published["reference"].as_str().unwrap().to_owned();
    assert_eq!(reference, format!("{draw}/0"));

    let open = |entity: &str| {
        node.cli_as(
            "market-officer",
            &[
                "case",
                "open",
                "--title",
                "抽查发现问题",
                "--entity",
                entity,
                "--domain",
                "food_drug",
                "--lead",
                "random-inspection",
                "--lead-ref",
                &reference,
            ],
        )
    };
    let other = inspections[1]["entity"].as_str().unwrap();
    let wrong = open(other).expect_code(1).json();
    assert_eq!(wrong["code"], "invalid_field", "{wrong}");
    let opened = open(&entity).expect_code(0).json();
    let case = opened["id"].as_str().unwrap().to_owned();
    let again = open(&entity).expect_code(1).json();
    assert_eq!(again["code"], "invalid_field", "{again}");
    let after = node
        .cli_as("procuratorate-officer", &["draw", "show", &draw])
        .expect_code(0)
        .json();
    assert_eq!(after["results"][0]["case"], case.as_str(), "{after}");
    assert_eq!(after["results"][0]["finding"], "finding");
}
