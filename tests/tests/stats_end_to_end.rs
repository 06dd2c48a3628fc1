//! Supervision statistics with the real binaries: a case transferred on a
//! dev node, `xianjie stats` as the agency and the procuratorate, a refused
//! slice, a bulletin (通报) published and checked, and a published table
//! whose numbers were changed refused by the check.

use xianjie_tests::DevNode;

const SHOP: &str = "91330100MA2H3K4L50";

#[test]
fn statistics_a_bulletin_and_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let doc = |name: &str| -> String {
        let path = docs.join(format!("{name}.pdf"));
        std::fs::write(&path, format!("{name} of the statistics walkthrough")).unwrap();
        format!("@{}", path.display())
    };

    let opened = node
        .cli_as(
            "market-officer",
            &[
                "case",
                "open",
                "--title",
                "超市销售过期食品",
                "--entity",
                SHOP,
                "--domain",
                "food_drug",
            ],
        )
        .expect_code(0)
        .json();
    let case = opened["id"].as_str().unwrap().to_owned();
    let act = |key: &str, action: &str, extra: &[&str]| {
        let mut args = vec!["case", "act", case.as_str(), action];
        args.extend_from_slice(extra);
        node.cli_as(key, &args).expect_code(0).json()
    };
    let officer = node.key("market-officer");
    let officer2 = node.key("market-officer2");
    act(
        "market-officer",
        "open-admin-case",
        &["--attach", &doc("opening")],
    );
    act(
        "market-officer",
        "mark-suspected",
        &["--attach", &doc("threshold"), "--attach", &doc("evidence")],
    );
    act(
        "market-officer",
        "form-taskforce",
        &[
            "--officer",
            officer.to_str().unwrap(),
            "--officer",
            officer2.to_str().unwrap(),
        ],
    );
    act(
        "market-officer",
        "submit-report",
        &["--attach", &doc("report")],
    );
    act(
        "market-head",
        "approve-transfer",
        &["--attach", &doc("decision")],
    );
    act(
        "market-officer",
        "transfer",
        &[
            "--to",
            "police",
            "--attach",
            &doc("letter"),
            "--attach",
            &doc("inquiry"),
            "--attach",
            &doc("inventory"),
            "--attach",
            &doc("test-report"),
        ],
    );

    // The agency reads its own slice.
    let own = node
        .cli_as("market-officer", &["stats", "--org", "market"])
        .expect_code(0)
        .json();
    let row = &own["rows"][0];
    assert_eq!(row["org"], "market", "{own}");
    assert_eq!(row["domain"], "food_drug");
    for (column, count) in [
        ("opened", 1),
        ("suspected", 1),
        ("transferred", 1),
        ("filed", 0),
    ] {
        assert_eq!(row[column], count, "{column}: {own}");
    }
    assert_eq!(own["scope"]["org"], "market");
    assert_eq!(own["stage_days"][0]["stage"], "opened-suspected");
    assert_eq!(own["stage_days"][0]["cases"], 1);
    assert!(own["overdue"].as_array().is_some());
    assert_eq!(own["digest"].as_str().unwrap().len(), 64);
    // The human table names the columns.
    let text = node
        .cli_text_as("market-officer", &["stats", "--org", "market"])
        .expect_code(0);
    assert!(text.stdout.contains("transf"), "{}", text.stdout);

    // Not another organisation's slice, nor a region: the policy refuses.
    let refused = node
        .cli_as("market-officer", &["stats", "--region", "330100"])
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "read_denied", "{refused}");

    // The procuratorate reads its region and publishes a bulletin of it.
    let regional = node
        .cli_as("procuratorate-officer", &["stats", "--region", "330100"])
        .expect_code(0)
        .json();
    assert_eq!(regional["rows"][0]["transferred"], 1, "{regional}");
    let height = regional["height"].as_u64().unwrap().to_string();
    let published = node
        .cli_as(
            "procuratorate-officer",
            &[
                "stats", "publish", "--region", "330100", "--height", &height,
            ],
        )
        .expect_code(0)
        .json();
    let bulletin = published["bulletin"].as_str().unwrap().to_owned();
    assert!(bulletin.starts_with("BUL-"), "{published}");
    assert_eq!(published["digest"], regional["digest"]);

    // The police (no stats rights at all in this slice) can still check it:
    // a published bulletin is public. The chain moved on; the check
    // recomputes at the bulletin's height.
    act("police-officer", "receive", &["--attach", &doc("receipt")]);
    let checked = node
        .cli_as("police-officer", &["stats", "check", &bulletin])
        .expect_code(0)
        .json();
    assert_eq!(checked["matches"], true, "{checked}");
    assert_eq!(checked["computed_digest"], regional["digest"]);

    // The table as published checks out; with one number changed it is refused.
    let table = dir.path().join("table.json");
    std::fs::write(&table, regional.to_string()).unwrap();
    let table_arg = table.to_str().unwrap();
    node.cli_as(
        "police-officer",
        &["stats", "check", &bulletin, "--table", table_arg],
    )
    .expect_code(0);
    let mut changed = regional.clone();
    changed["rows"][0]["transferred"] = serde_json::json!(0);
    std::fs::write(&table, changed.to_string()).unwrap();
    let mismatch = node
        .cli_as(
            "police-officer",
            &["stats", "check", &bulletin, "--table", table_arg],
        )
        .expect_code(1)
        .json();
    assert_eq!(mismatch["matches"], false, "{mismatch}");
    let listed = node
        .cli_as("police-officer", &["stats", "bulletins"])
        .expect_code(0)
        .json();
    assert_eq!(listed["bulletins"][0]["id"], bulletin.as_str());

    // The people's government leading the linkage work (GOV_SUPERIOR) reads
    // its region and anchors a bulletin of it too; anyone checks it.
    let governed = node
        .cli_as("government-officer", &["stats", "--region", "330100"])
        .expect_code(0)
        .json();
    assert_eq!(governed["rows"][0]["transferred"], 1, "{governed}");
    let published = node
        .cli_as(
            "government-officer",
            &["stats", "publish", "--region", "330100"],
        )
        .expect_code(0)
        .json();
    let by_government = published["bulletin"].as_str().unwrap().to_owned();
    let checked = node
        .cli_as("market-officer", &["stats", "check", &by_government])
        .expect_code(0)
        .json();
    assert_eq!(checked["matches"], true, "{checked}");
    assert_eq!(checked["computed_digest"], governed["digest"], "{checked}");
    let listed = node
        .cli_as("police-officer", &["stats", "bulletins"])
        .expect_code(0)
        .json();
    let entry = listed["bulletins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["id"] == by_government.as_str())
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(entry["publisher"], "government", "{entry}");

    // An agency cannot publish.
    let refused = node
        .cli_as("market-officer", &["stats", "publish", "--org", "market"])
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "wrong_org_kind", "{refused}");
}
