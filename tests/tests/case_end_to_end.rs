//! The README's case walkthrough, run for real with the demo keys: a
//! transfer, a refusal to file, reconsideration, filing supervision, an
//! extended prosecution review, judgment; then one recognised inspection.

use xianjie_tests::DevNode;

const SHOP: &str = "91330100MA2H3K4L50";

#[test]
fn a_case_from_lead_to_judgment_and_a_recognised_inspection() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let doc = |name: &str| -> String {
        let path = docs.join(format!("{name}.pdf"));
        std::fs::write(
            &path,
            format!("{name}, case of the expired-food supermarket"),
        )
        .unwrap();
        format!("@{}", path.display())
    };

    let open_case = |title: &str| {
        let args = [
            "case",
            "open",
            "--title",
            title,
            "--entity",
            SHOP,
            "--domain",
            "food_drug",
            "--lead",
            "complaint",
        ];
        node.cli_as("market-officer", &args)
    };
    // A title naming the complainant by phone number is refused when the
    // node admits it, so the text never reaches a block.
    let refused = open_case("投诉人13812345678反映超市销售过期食品")
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "personal_information", "{refused}");
    assert!(refused["height"].is_null(), "it reached a block: {refused}");
    assert!(
        !refused.to_string().contains("13812345678"),
        "the refusal repeats the number: {refused}"
    );
    let opened = open_case("超市销售过期食品").expect_code(0).json();
    let case = opened["id"].as_str().unwrap().to_owned();
    assert!(case.starts_with("CASE-"), "{opened}");
    let act = |key: &str, action: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["case", "act", case.as_str(), action];
        args.extend_from_slice(extra);
        node.cli_as(key, &args).expect_code(0).json()
    };
    let market_officer = node.key("market-officer");
    let market_officer2 = node.key("market-officer2");

    act(
        "market-officer",
        "open-admin-case",
        &["--attach", &doc("opening")],
    );
    act(
        "market-officer",
        "mark-suspected",
        &[
            "--attach",
            &doc("threshold"),
            "--attach",
            &doc("evidence-list"),
        ],
    );
    act(
        "market-officer",
        "form-taskforce",
        &[
            "--officer",
            market_officer.to_str().unwrap(),
            "--officer",
            market_officer2.to_str().unwrap(),
        ],
    );
    let reported = act(
        "market-officer",
        "submit-report",
        &["--attach", &doc("report")],
    );
    assert_eq!(reported["state"], "S4_PENDING_APPROVAL");

    let actions = node
        .cli_as("market-officer", &["case", "actions", &case])
        .expect_code(0)
        .json();
    let approve = actions["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "approve-transfer")
        .unwrap()
        .clone();
    assert_eq!(approve["allowed"], false);
    assert_eq!(approve["code"], "wrong_role");
    let head_actions = node
        .cli_as("market-head", &["case", "actions", &case])
        .expect_code(0)
        .json();
    assert_eq!(head_actions["actions"][0]["allowed"], true);

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
    act("police-officer", "receive", &["--attach", &doc("receipt")]);
    let shown = node
        .cli_as("police-officer", &["case", "show", &case])
        .expect_code(0)
        .json();
    assert_eq!(shown["state"], "S7_RECEIVED");
    assert_eq!(shown["overdue"], false);
    assert!(shown["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .any(
            |clock| clock["rule"] == "PSB_FILING_DECISION" && clock["due_at_ms"].as_u64().is_some()
        ));

    // Declining to file is the head's decision: an officer is refused.
    let refused = node
        .cli_as(
            "police-officer",
            &[
                "case",
                "act",
                &case,
                "decline-filing",
                "--attach",
                &doc("non-filing"),
                "--reason",
                "amount below the threshold",
            ],
        )
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "wrong_role");
    act(
        "police-head",
        "decline-filing",
        &[
            "--attach",
            &doc("non-filing"),
            "--reason",
            "amount below the threshold",
        ],
    );
    act(
        "market-officer",
        "request-reconsideration",
        &["--attach", &doc("reconsideration")],
    );
    let upheld = act(
        "police-head",
        "decide-reconsideration",
        &[
            "--outcome",
            "uphold",
            "--attach",
            &doc("reconsideration-decision"),
        ],
    );
    assert_eq!(upheld["state"], "S8X_NOT_FILED");
    act(
        "procuratorate-officer",
        "request-supervision",
        &["--attach", &doc("supervision")],
    );
    act(
        "procuratorate-head",
        "order-filing",
        &["--attach", &doc("filing-notice")],
    );
    let filed = act("police-head", "file", &["--attach", &doc("filing")]);
    assert_eq!(filed["state"], "S8_FILED");
    act("police-officer", "start-investigation", &[]);
    act(
        "police-officer",
        "refer-for-prosecution",
        &["--attach", &doc("prosecution")],
    );
    // A major case: the chief procurator extends the month of review by
    // fifteen days, once.
    let extension = [
        "--attach",
        &doc("extension"),
        "--reason",
        "major case: several suppliers",
    ];
    act(
        "procuratorate-head",
        "extend-prosecution-review",
        &extension,
    );
    // The clocks running on the case, as `case show` lists them.
    let clocks_running = |key: &str| -> Vec<serde_json::Value> {
        let shown = node
            .cli_as(key, &["case", "show", &case])
            .expect_code(0)
            .json();
        shown["clocks"].as_array().unwrap().clone()
    };
    let review = clocks_running("procuratorate-officer")
        .into_iter()
        .find(|clock| clock["rule"] == "PROC_PROSECUTION_DECISION")
        .expect("the review clock runs");
    assert_eq!(review["extension"]["limit"], 15, "{review}");
    assert_eq!(review["extension"]["unit"], "calendar_day", "{review}");
    let shown = node
        .cli_text_as("procuratorate-officer", &["case", "show", &case])
        .expect_code(0);
    assert!(
        shown.stdout.contains("extended by 15 calendar_day"),
        "{}",
        shown.stdout
    );
    let mut again = vec!["case", "act", case.as_str(), "extend-prosecution-review"];
    again.extend_from_slice(&extension);
    let refused = node
        .cli_as("procuratorate-head", &again)
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "already_extended", "{refused}");
    // Evidence is short: back to the police for supplementary investigation
    // (a month), and the review restarts from the new referral.
    let returned = act(
        "procuratorate-head",
        "return-for-investigation",
        &[
            "--attach",
            &doc("supplementary"),
            "--reason",
            "the supplier's accounts are missing",
        ],
    );
    assert_eq!(returned["state"], "S10_INVESTIGATION");
    let investigating = clocks_running("police-officer");
    assert!(
        investigating
            .iter()
            .any(|clock| clock["rule"] == "PSB_SUPPLEMENTARY_INVESTIGATION"
                && clock["limit"] == 1
                && clock["unit"] == "month"),
        "{investigating:?}"
    );
    act(
        "police-officer",
        "refer-for-prosecution",
        &["--attach", &doc("prosecution-2")],
    );
    let review = clocks_running("procuratorate-officer")
        .into_iter()
        .find(|clock| clock["rule"] == "PROC_PROSECUTION_DECISION")
        .expect("the review restarts");
    assert!(review["extension"].is_null(), "{review}");
    act(
        "procuratorate-head",
        "indict",
        &["--to", "court", "--attach", &doc("indictment")],
    );
    act("court-officer", "accept-trial", &[]);
    let judged = act(
        "court-head",
        "judgment",
        &["--outcome", "convicted", "--attach", &doc("judgment")],
    );
    assert_eq!(judged["state"], "S14_JUDGMENT");
    act("court-officer", "feedback", &["--attach", &doc("outcome")]);
    act("market-officer", "close", &["--attach", &doc("closure")]);

    let closed = node
        .cli_as("procuratorate-officer", &["case", "show", &case])
        .expect_code(0)
        .json();
    assert_eq!(closed["state"], "S16_CLOSED");
    assert_eq!(closed["clocks"], serde_json::json!([]));
    let timeline: Vec<_> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(timeline.len(), 24, "{timeline:?}");
    assert!(closed["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["kind"] == "judgment"));
    let list = node
        .cli_as("market-officer", &["case", "list"])
        .expect_code(0)
        .json();
    assert_eq!(list["cases"][0]["id"], case.as_str());

    // The laboratory is no party: refused by the policies, exit 1.
    let denied = node
        .cli_as("lab-officer", &["case", "show", &case])
        .expect_code(1)
        .json();
    assert_eq!(denied["code"], "read_denied");
    // Without a key the node does not answer; the CLI says to pass one.
    let unsigned =
        xianjie_tests::run_cli(&["--node", &node.url, "case", "show", &case]).expect_code(2);
    assert!(unsigned.stderr.contains("pass --key"), "{unsigned:?}");

    // A recognised inspection. The market regulator records laboratories'
    // CMA certificates for pesticide residues, 2024–2029.
    node.accredit_for_pesticides("lab", "240012345678");
    let lab1 = node.key("lab-officer");
    let lab2 = node.key("lab-officer2");
    let recorded = node
        .cli_as(
            "lab-officer",
            &[
                "inspection",
                "record",
                "--entity",
                SHOP,
                "--matter",
                "GB2763-pesticide",
                "--report-date",
                "20250301",
                "--conclusion",
                "non-conforming",
                "--report",
                &doc("test-report"),
                "--lab",
                "lab",
                "--cma",
                "240012345678",
                "--inspector",
                lab1.to_str().unwrap(),
                "--inspector",
                lab2.to_str().unwrap(),
                "--scope",
                "batch 2025-02",
            ],
        )
        .expect_code(0)
        .json();
    let listed = node
        .cli_as(
            "lab-officer",
            &[
                "inspection",
                "list",
                "--entity",
                SHOP,
                "--matter",
                "GB2763-pesticide",
            ],
        )
        .expect_code(0)
        .json();
    let id = listed["results"][0]["inspection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(recorded["id"], id.as_str());
    assert_eq!(listed["results"][0]["recognised"], false);
    node.cli_as("police-officer", &["inspection", "recognize", &id])
        .expect_code(0);
    let seen = node
        .cli_as(
            "procuratorate-officer",
            &[
                "inspection",
                "list",
                "--entity",
                SHOP,
                "--matter",
                "GB2763-pesticide",
            ],
        )
        .expect_code(0)
        .json();
    let result = &seen["results"][0];
    assert_eq!(result["valid"], true, "{result}");
    assert_eq!(result["recognised"], true);
    assert_eq!(result["recognised_by"], serde_json::json!(["police"]));

    // A result the party objects to: the re-test (复检) applied for inside
    // the window holds it, and the re-test's result replaces it.
    let today = xianjie_tests::today_in_china();
    let report_args = |report: &str, conclusion: &'static str, (lab, cma)| -> Vec<String> {
        [
            "--report-date",
            today.as_str(),
            "--conclusion",
            conclusion,
            "--report",
            report,
            "--lab",
            lab,
            "--cma",
            cma,
            "--inspector",
            lab1.to_str().unwrap(),
            "--inspector",
            lab2.to_str().unwrap(),
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let mut record = [
        "inspection",
        "record",
        "--entity",
        SHOP,
        "--matter",
        "GB2763-pesticide",
        "--objection",
    ]
    .map(str::to_owned)
    .to_vec();
    record.push(format!("FOOD_RETEST_OBJECTION@{today}"));
    let first_lab = ("lab", "240012345678");
    record.extend(report_args(
        &doc("test-report-2"),
        "non-conforming",
        first_lab,
    ));
    let objected: Vec<&str> = record.iter().map(String::as_str).collect();
    let objected = node.cli_as("lab-officer", &objected).expect_code(0).json();
    let objected = objected["id"].as_str().unwrap().to_owned();
    node.cli_as(
        "lab-officer",
        &[
            "inspection",
            "request-retest",
            &objected,
            "--requested-on",
            &today,
            "--application",
            &doc("retest-application"),
        ],
    )
    .expect_code(0);
    let held = node
        .cli_as("police-officer", &["inspection", "show", &objected])
        .expect_code(0)
        .json();
    assert_eq!(held["valid"], false, "{held}");
    assert!(
        held["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|problem| problem["problem"] == "retest_pending"),
        "{held}"
    );
    let mut retest = vec![
        "inspection".to_owned(),
        "retest".to_owned(),
        objected.clone(),
    ];
    // Not by the laboratory of the first test (FSL Art 88).
    let mut same_lab = retest.clone();
    same_lab.extend(report_args(&doc("retest-report"), "conforming", first_lab));
    let same_lab: Vec<&str> = same_lab.iter().map(String::as_str).collect();
    let refused = node.cli_as("lab-officer", &same_lab).expect_code(1).json();
    assert_eq!(refused["code"], "same_retest_lab", "{refused}");
    let second_lab = ("12330100MB0T7RQC3F", "240087654321");
    node.accredit_for_pesticides(second_lab.0, second_lab.1);
    retest.extend(report_args(&doc("retest-report"), "conforming", second_lab));
    let retest: Vec<&str> = retest.iter().map(String::as_str).collect();
    let replacement = node.cli_as("lab-officer", &retest).expect_code(0).json();
    assert_eq!(replacement["retest_of"], objected.as_str());
    let replacement = replacement["id"].as_str().unwrap().to_owned();
    let shown = node
        .cli_text_as("police-officer", &["inspection", "show", &objected])
        .expect_code(0);
    assert!(
        shown
            .stdout
            .contains(&format!("replaced by the re-test result {replacement}")),
        "{}",
        shown.stdout
    );
    node.cli_as("police-officer", &["inspection", "recognize", &replacement])
        .expect_code(0);
    let refused = node
        .cli_as("court-officer", &["inspection", "recognize", &objected])
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "not_recognisable", "{refused}");

    let policy = node
        .cli_as("court-officer", &["policy", "show"])
        .expect_code(0)
        .json();
    assert_eq!(policy["is_default"], true);
    node.cli_as("market-admin", &["gov", "list"]).expect_code(0);
}
