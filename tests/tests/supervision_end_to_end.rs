//! The README's supervision walkthrough, run for real with the demo keys:
//! an agency records ¥80,000 of fake goods sold, fines the seller and closes
//! the case without ever marking it suspected; the chain flags it
//! (以罚代刑); the procuratorate consults the file, requires the transfer
//! (检察意见, D3) and the agency transfers; the flag is resolved.

use xianjie_tests::DevNode;

const SHOP: &str = "91330100MA2H3K4L50";

#[test]
fn a_fined_case_over_a_threshold_is_found_and_sent_on() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let doc = |name: &str| -> String {
        let path = docs.join(format!("{name}.pdf"));
        std::fs::write(&path, format!("{name}, case of the fake-goods shop")).unwrap();
        format!("@{}", path.display())
    };
    let opened = node
        .cli_as(
            "market-officer",
            &[
                "case",
                "open",
                "--title",
                "某商店销售假冒商品",
                "--entity",
                SHOP,
                "--domain",
                "general",
                "--lead",
                "complaint",
            ],
        )
        .expect_code(0)
        .json();
    let case = opened["id"].as_str().unwrap().to_owned();
    let run = |key: &str, action: &str, extra: &[&str]| {
        let mut args = vec!["case", "act", case.as_str(), action];
        args.extend_from_slice(extra);
        node.cli_as(key, &args)
    };
    let act = |key: &str, action: &str, extra: &[&str]| -> serde_json::Value {
        run(key, action, extra).expect_code(0).json()
    };
    let sales = format!(
        "kind=sales-amount,value=8000000,unit=fen,evidence={}",
        doc("sales-ledger")
    );

    // A number without its unit is refused by the chain, with its code.
    let refused = run(
        "market-officer",
        "open-admin-case",
        &[
            "--attach",
            &doc("opening"),
            "--fact",
            &format!(
                "kind=sales-amount,value=8000000,evidence={}",
                doc("sales-ledger")
            ),
        ],
    )
    .expect_code(1)
    .json();
    assert_eq!(refused["code"], "fact_unit_missing", "{refused}");

    act(
        "market-officer",
        "open-admin-case",
        &[
            "--attach",
            &doc("opening"),
            "--fact",
            &sales,
            "--violation-date",
            "20260301",
        ],
    );
    // The agency fines the seller ¥200,000 and confiscates the goods.
    let decided = act(
        "market-head",
        "penalty-decision",
        &[
            "--outcome",
            "fine",
            "--attach",
            &doc("penalty-decision"),
            "--fine-fen",
            "20000000",
            "--penalty-kind",
            "fine",
            "--penalty-kind",
            "confiscation",
        ],
    );
    assert_eq!(decided["state"], "R5_DECIDED", "{decided}");
    act(
        "market-officer",
        "publish",
        &["--attach", &doc("disclosure")],
    );
    let closed = act("market-officer", "close", &["--attach", &doc("closure")]);
    assert_eq!(closed["state"], "R9_CLOSED", "{closed}");

    // The procuratorate consults the file; the agency answers.
    act(
        "procuratorate-officer",
        "request-file",
        &["--attach", &doc("file-request")],
    );
    act(
        "market-officer",
        "answer-file-request",
        &["--attach", &doc("file-index")],
    );
    // The chief procurator requires the transfer: the closed case reopens.
    let reopened = act(
        "procuratorate-head",
        "suggest-transfer",
        &["--attach", &doc("opinion")],
    );
    assert_eq!(reopened["state"], "S1_ADMIN_CASE", "{reopened}");
    // A second decision instead of the transfer is refused.
    let refused = run(
        "market-head",
        "penalty-decision",
        &["--outcome", "penalty", "--attach", &doc("second-decision")],
    )
    .expect_code(1)
    .json();
    assert_eq!(refused["code"], "penalty_instead_of_transfer", "{refused}");

    let officer = node.key("market-officer");
    let officer2 = node.key("market-officer2");
    act(
        "market-officer",
        "mark-suspected",
        &[
            "--attach",
            &doc("threshold"),
            "--attach",
            &doc("evidence-list"),
            "--fact",
            &sales,
        ],
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
    let transferred = act(
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
        ],
    );
    assert_eq!(transferred["state"], "S6_TRANSFERRED", "{transferred}");
}
