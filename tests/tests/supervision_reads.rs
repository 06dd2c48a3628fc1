//! Procuratorial supervision end to end, with the real binaries: the
//! market regulator opens an administrative case whose sales amount meets
//! the fake-goods threshold (CL140-FAKE-v2008), its head decides a penalty
//! with `xianjie case act` instead of transferring, and the chain flags it
//! 以罚代刑. The procuratorate then reads the flag, the case's facts and the
//! rules through the API and the CLI; the court, no party to the case,
//! sees neither; bad filters are refused.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use xianjie_ledger::case::{Attachment, AttachmentKind, LeadKind, LeadSource};
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::supervision::{Fact, FactKind, FactUnit};
use xianjie_ledger::tx::{Call, CaseAction, CaseStep, OpenCase};
use xianjie_tests::backdated::BackdatedChain;
use xianjie_tests::DevNode;

/// A shop's 统一社会信用代码 (synthetic, valid under GB 32100).
const SHOP: &str = "91330100MA2H3K4L50";
const DAY_MS: u64 = 24 * 3600 * 1000;
/// ¥60,000 in fen: over the ¥50,000 sales threshold of CL140-FAKE-v2008.
const SALES_FEN: i64 = 6_000_000;

fn now_ms() -> u64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    u64::try_from(elapsed.as_millis()).expect("milliseconds fit u64")
}

/// A dev chain that began `days` ago, on which the market regulator opened
/// a general case and its administrative case with the sales amount over
/// the threshold (a `CaseStep` carrying the fact and its evidence digest);
/// the case id and the evidence digest.
fn chain_with_case_over_threshold(home: &Path, days: u64) -> (String, String) {
    let started = now_ms() - days * DAY_MS;
    let mut chain = BackdatedChain::create(home, started);
    chain.set_time(started + 1000);
    let market = chain.key("market", "officer");
    let opened = chain.commit(
        &market,
        Call::OpenCase(OpenCase {
            title: "商店销售假冒洗发水".into(),
            entity: SHOP.into(),
            domain: "general".into(),
            lead: LeadSource {
                kind: LeadKind::Complaint,
                reference: None,
            },
        }),
    );
    let case_id = xianjie_ledger::ids::CaseId::for_tx(&opened);
    let evidence = note_digest("till records of the shop");
    chain.commit(
        &market,
        Call::CaseStep(CaseStep {
            action: CaseAction {
                case_id: case_id.clone(),
                action: "open-admin-case".into(),
                attachments: vec![Attachment {
                    kind: AttachmentKind::CaseOpeningRecord,
                    digest: note_digest("case opening record"),
                }],
                officers: Vec::new(),
                to: None,
                reason_digest: None,
                outcome: None,
            },
            facts: vec![Fact {
                kind: FactKind::SalesAmount,
                value: SALES_FEN,
                unit: Some(FactUnit::Fen),
                year: None,
                evidence: Some(evidence),
            }],
            violation_date: None,
            penalty: None,
        }),
    );
    chain.close();
    (case_id.into_string(), evidence.to_hex())
}

/// `GET url+path`, with a session token if given: status and JSON body.
fn get(url: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = ureq::get(format!("{url}{path}"))
        .config()
        .http_status_as_error(false)
        .build();
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let mut response = request.call().expect("GET");
    let body = response.body_mut().read_json().unwrap_or(Value::Null);
    (response.status().as_u16(), body)
}

fn flag_of<'a>(flags: &'a Value, case_id: &str) -> Option<&'a Value> {
    flags["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .find(|flag| flag["case_id"] == case_id)
}

#[test]
fn a_penalty_instead_of_transfer_is_flagged_and_read_by_the_procuratorate() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let (case_id, evidence) = chain_with_case_over_threshold(&home, 2);
    let node = DevNode::start(&home);

    // Facts recorded, no flag yet: nothing was decided.
    let facts = node
        .cli_as("procuratorate-officer", &["case", "facts", &case_id])
        .expect_code(0)
        .json();
    assert_eq!(facts["facts"][0]["kind"], "sales-amount");
    assert_eq!(facts["facts"][0]["value"], SALES_FEN);
    assert_eq!(facts["facts"][0]["unit"], "fen");
    assert_eq!(facts["facts"][0]["evidence"], evidence.as_str());
    assert_eq!(facts["matched"][0]["rule_id"], "CL140-FAKE-v2008");
    let none = node
        .cli_as("procuratorate-officer", &["supervision", "flags"])
        .expect_code(0)
        .json();
    assert!(flag_of(&none, &case_id).is_none(), "{none}");

    // The head may decide now, once the decision document is attached.
    let actions = node
        .cli_as("market-head", &["case", "actions", &case_id])
        .expect_code(0)
        .json();
    let penalty = actions["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["action"] == "penalty-decision")
        .expect("penalty-decision listed");
    assert_eq!(penalty["standing"], "supply", "{penalty}");
    assert_eq!(penalty["in_state"], true);
    // An officer of the agency may not: it is the head's decision.
    let text = node
        .cli_text_as("market-officer", &["case", "actions", &case_id])
        .expect_code(0)
        .stdout;
    let refused = text
        .split("not yours in")
        .nth(1)
        .unwrap_or_else(|| panic!("no refused section:\n{text}"));
    assert!(
        refused.contains("作出处罚决定 (penalty-decision)")
            && refused.contains("needs the head's key"),
        "{text}"
    );
    // The procuratorate reads the case but is not the agency: the agency's
    // acts of this state are refused to it for the party.
    let procuratorate_view = node
        .cli_as("procuratorate-officer", &["case", "actions", &case_id])
        .expect_code(0)
        .json();
    let in_state: Vec<&Value> = procuratorate_view["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|action| action["in_state"] == true)
        .collect();
    let agency_only: Vec<&&Value> = in_state
        .iter()
        .filter(|action| action["parties"] == serde_json::json!(["owner"]))
        .collect();
    assert!(!agency_only.is_empty(), "{procuratorate_view}");
    for action in agency_only {
        assert_eq!(action["standing"], "wrong_party", "{action}");
    }

    // The head decides a penalty instead of transferring: the chain flags it.
    let decision = dir.path().join("penalty-decision.txt");
    std::fs::write(&decision, "行政处罚决定书").unwrap();
    node.cli_as(
        "market-head",
        &[
            "case",
            "act",
            &case_id,
            "penalty-decision",
            "--outcome",
            "penalty",
            "--attach",
            &format!("penalty-decision=@{}", decision.display()),
        ],
    )
    .expect_code(0);

    let flags = node
        .cli_as(
            "procuratorate-officer",
            &["supervision", "flags", "--region", "330100", "--open"],
        )
        .expect_code(0)
        .json();
    let flag = flag_of(&flags, &case_id).unwrap_or_else(|| panic!("no flag: {flags}"));
    assert_eq!(flag["kind"], "penalty_instead_of_transfer");
    assert_eq!(flag["owner"], "market");
    assert_eq!(flag["region"], "330100");
    assert_eq!(flag["domain"], "general");
    assert_eq!(flag["open"], true);
    assert_eq!(flag["days_since_raised"], 0);
    assert_eq!(flag["rules"][0]["rule_id"], "CL140-FAKE-v2008");
    assert_eq!(flag["rules"][0]["version"], 1);
    assert_eq!(flag["rules"][0]["facts"][0]["kind"], "sales-amount");
    assert_eq!(flag["rules"][0]["facts"][0]["value"], SALES_FEN);
    // The procuratorate's event stream shows the case as it stood after
    // each of its steps: no flag before the decision, the flag after it.
    let events = node
        .cli_as("procuratorate-officer", &["events", "--from-start"])
        .expect_code(0)
        .json();
    let case_events: Vec<&Value> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["kind"] == "case" && event["subject"] == case_id.as_str())
        .collect();
    let decision = case_events
        .iter()
        .find(|event| event["action"] == "penalty-decision")
        .unwrap_or_else(|| panic!("no penalty-decision event: {events:#}"));
    assert_eq!(
        decision["case"]["open_flags"],
        serde_json::json!(["penalty_instead_of_transfer"]),
        "{decision:#}"
    );
    let shown = node
        .cli_as("procuratorate-officer", &["case", "show", &case_id])
        .expect_code(0)
        .json();
    assert_eq!(decision["case"]["state"], shown["state"], "{shown:#}");
    let opened = case_events
        .iter()
        .find(|event| event["action"] == "open")
        .unwrap_or_else(|| panic!("no open event: {events:#}"));
    assert_eq!(
        opened["case"]["open_flags"],
        serde_json::json!([]),
        "{opened:#}"
    );
    assert_ne!(
        opened["case"]["state"], decision["case"]["state"],
        "{events:#}"
    );
    // Resolved ones only: none.
    let resolved = node
        .cli_as(
            "procuratorate-officer",
            &["supervision", "flags", "--resolved"],
        )
        .expect_code(0)
        .json();
    assert!(flag_of(&resolved, &case_id).is_none(), "{resolved}");
    // The text shows the Chinese names.
    let text = node
        .cli_text_as("procuratorate-officer", &["supervision", "flags"])
        .expect_code(0)
        .stdout;
    assert!(
        text.contains("以罚代刑 (penalty_instead_of_transfer)")
            && text.contains("销售金额 (sales-amount) 6000000 fen (¥60000.00)")
            && text.contains("CL140-FAKE-v2008 v1"),
        "{text}"
    );
    let facts = node
        .cli_as("procuratorate-officer", &["case", "facts", &case_id])
        .expect_code(0)
        .json();
    assert_eq!(facts["penalties"].as_array().unwrap().len(), 1, "{facts}");

    // The court is no party to the case: no flag, and the facts are refused.
    let court = node
        .cli_as("court-officer", &["supervision", "flags"])
        .expect_code(0)
        .json();
    assert!(flag_of(&court, &case_id).is_none(), "{court}");
    let denied = node
        .cli_as("court-officer", &["case", "facts", &case_id])
        .expect_code(1)
        .json();
    assert_eq!(denied["code"], "read_denied");

    // Bad filters are refused by the CLI and by the API.
    node.cli_as(
        "procuratorate-officer",
        &["supervision", "flags", "--region", "33"],
    )
    .expect_code(2);
    let unsigned = get(&node.url, "/v1/supervision/flags", None);
    assert_eq!(unsigned.0, 401, "{}", unsigned.1);
    assert_eq!(unsigned.1["error"]["code"], "unsigned_read");
    let link = node
        .cli_as("procuratorate-officer", &["login"])
        .expect_code(0)
        .json()["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let token = link.split("#session=").nth(1).expect("a session token");
    for query in [
        "region=33x",
        "org=not%20an%20org",
        "case=not%20a%20case",
        "limit=0",
        "open=maybe",
    ] {
        let (status, body) = get(
            &node.url,
            &format!("/v1/supervision/flags?{query}"),
            Some(token),
        );
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_query", "{query}");
    }
    let (status, body) = get(&node.url, "/v1/supervision/flags?org=market", Some(token));
    assert_eq!(status, 200, "{body}");
    assert!(flag_of(&body, &case_id).is_some(), "{body}");
    let (status, body) = get(&node.url, "/v1/supervision/flags?org=police", Some(token));
    assert_eq!(status, 200, "{body}");
    assert!(flag_of(&body, &case_id).is_none(), "{body}");
    // One case's flags: this case's only, and none for a case without any.
    let (status, body) = get(
        &node.url,
        &format!("/v1/supervision/flags?case={case_id}"),
        Some(token),
    );
    assert_eq!(status, 200, "{body}");
    let listed = body["flags"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{body}");
    assert_eq!(listed[0]["case_id"], case_id.as_str());
    assert_eq!(listed[0]["kind"], "penalty_instead_of_transfer");
    let (status, body) = get(
        &node.url,
        "/v1/supervision/flags?case=CASE-0000000000000000",
        Some(token),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body["flags"].as_array().unwrap().is_empty(), "{body}");
    let (status, body) = get(
        &node.url,
        &format!("/v1/supervision/flags?case={case_id}&open=false"),
        Some(token),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body["flags"].as_array().unwrap().is_empty(), "{body}");

    let by_cli = node
        .cli_as(
            "procuratorate-officer",
            &["supervision", "flags", "--case", &case_id],
        )
        .expect_code(0)
        .json();
    assert_eq!(by_cli["flags"].as_array().unwrap().len(), 1, "{by_cli}");

    // The people's government leading the linkage work in the region reads
    // the region's flags; the court, no party, still sees none through the
    // case filter.
    let government = node
        .cli_as("government-officer", &["supervision", "flags"])
        .expect_code(0)
        .json();
    assert!(flag_of(&government, &case_id).is_some(), "{government}");
    let court_link = node
        .cli_as("court-officer", &["login"])
        .expect_code(0)
        .json()["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let court_token = court_link.split("#session=").nth(1).expect("a token");
    let (status, body) = get(
        &node.url,
        &format!("/v1/supervision/flags?case={case_id}"),
        Some(court_token),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body["flags"].as_array().unwrap().is_empty(), "{body}");

    // The rules, public, with their predicates as data.
    let rules = node
        .cli_as("procuratorate-officer", &["rules", "list"])
        .expect_code(0)
        .json();
    let ids: Vec<&str> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["rule_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"CL140-FAKE-v2008") && ids.contains(&"CL201-TAX-v2024"),
        "{ids:?}"
    );
    let shown = node
        .cli_text_as(
            "procuratorate-officer",
            &["rules", "show", "CL140-FAKE-v2008"],
        )
        .expect_code(0)
        .stdout;
    assert!(shown.contains("sales-amount ≥ 5000000 fen"), "{shown}");
    node.cli_as("procuratorate-officer", &["rules", "show", "NO-SUCH-RULE"])
        .expect_code(1);
}
