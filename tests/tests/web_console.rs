//! The web console in a real browser: headless Debian Chromium, driven over
//! WebDriver (chromedriver) by `fantoccini`, against a real dev node, signed
//! in with a link from the real `xianjie login`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian packages
//! `chromium` and `chromium-driver`; `.ci/run` installs them). Without them
//! these tests fail and say how to install them.
//!
//! With `XIANJIE_SCREENSHOTS=docs/screenshots` (a path relative to the
//! workspace root, or absolute) the tests also save screenshots of the main
//! pages there: that is how the README's pictures are refreshed.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use xianjie_ledger::case::{Attachment, LeadKind, LeadSource};
use xianjie_ledger::clue::{ClueAction, ClueId, ClueSource, ClueSubject};
use xianjie_ledger::crypto::{KeyId, SecretKey};
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::ids::{CaseId, DrawId, OrgId, SnapshotId};
use xianjie_ledger::params::Params;
use xianjie_ledger::request::{RequestAbout, RequestId, RequestKind};
use xianjie_ledger::tx::{
    AnswerClue, AskOrgan, Call, CaseAction, CommitDraw, NameDrawnEntities, OpenCase, PlanDraw,
    PublishEntitySnapshot, RevealDraw, SendClue, SetInspectionItem, SetInspector,
};
use xianjie_tests::backdated::BackdatedChain;
use xianjie_tests::{free_port, run_cli, write_sample_file, DevNode};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long to wait for something the page must show; a failure, not a
/// timing assertion: a working page shows it within a second or two.
const PAGE_WAIT: Duration = Duration::from_secs(60);
/// A laptop screen, and a tablet held upright.
const LAPTOP: (u32, u32) = (1280, 900);
const TABLET: (u32, u32) = (820, 1180);

/// A shop's 统一社会信用代码 (synthetic, valid under GB 32100).
const SHOP: &str = "91330100MA2H3K4L50";
const CASE_TITLE: &str = "超市销售过期食品";
const DAY_MS: u64 = 24 * 3600 * 1000;

/// One browser at a time: two cores do not run two Chromiums and a node well.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A chromedriver process and a headless Chromium session with a fresh profile.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Browser {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: the web console tests drive Debian's Chromium. \
                 Install it with `apt-get install -y chromium chromium-driver` \
                 (package {package}); .ci/run does this when it is missing"
            );
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + PAGE_WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().expect("profile directory");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--window-size={},{}", LAPTOP.0, LAPTOP.1),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session through chromedriver");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Opens the `xianjie login` link (which signs the tab in), then `view`.
    async fn sign_in(&self, link: &str, view: &str) {
        self.client.goto(link).await.expect("open the login link");
        self.wait_for("[data-testid=session-officer]").await;
        self.open(view).await;
    }

    /// Navigates within the console, e.g. `#/cases`.
    async fn open(&self, view: &str) {
        self.client
            .execute("location.hash = arguments[0];", vec![json!(view)])
            .await
            .expect("navigate");
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PAGE_WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("the page never showed {css}: {error}"))
    }

    async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.expect("element text")
    }

    async fn page_text(&self) -> String {
        self.text("body").await
    }

    /// Saves a screenshot of the whole page at `width` (and at least
    /// `height`) when `XIANJIE_SCREENSHOTS` names a directory.
    async fn screenshot(&self, name: &str, (width, height): (u32, u32)) {
        let Some(dir) = screenshot_dir() else {
            return;
        };
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize");
        let page_height = self
            .client
            .execute(
                "window.scrollTo(0, 0); return document.documentElement.scrollHeight;",
                vec![],
            )
            .await
            .expect("page height")
            .as_u64()
            .and_then(|h| u32::try_from(h).ok())
            .unwrap_or(height);
        self.client
            .set_window_size(width, page_height.clamp(height, 3000))
            .await
            .expect("resize to the page");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        std::fs::write(dir.join(name), png).expect("write screenshot");
        self.client
            .set_window_size(LAPTOP.0, LAPTOP.1)
            .await
            .expect("resize back");
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn screenshot_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("XIANJIE_SCREENSHOTS")?);
    Some(if dir.is_absolute() {
        dir
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir)
    })
}

fn now_ms() -> u64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    u64::try_from(elapsed.as_millis()).expect("milliseconds fit u64")
}

/// The link `xianjie login` prints for demo key `key`.
fn login_link(node: &DevNode, key: &str) -> String {
    let run = node.cli_as(key, &["login"]).expect_code(0);
    let link = run.json()["url"].as_str().expect("url").to_owned();
    assert!(
        link.starts_with(&format!("{}/#session=", node.url)),
        "{link}"
    );
    link
}

fn org_name(node: &DevNode, id: &str) -> String {
    let mut response = ureq::get(format!("{}/v1/orgs", node.url))
        .call()
        .expect("GET /v1/orgs");
    let orgs: Value = response.body_mut().read_json().expect("orgs JSON");
    orgs.as_array()
        .expect("a list")
        .iter()
        .find(|org| org["id"] == id)
        .and_then(|org| org["name"].as_str())
        .expect("the organisation")
        .to_owned()
}

/// A dev node with a file of `len` bytes anchored by the market regulator;
/// the file's path.
fn node_with_anchored_file(dir: &Path, len: usize) -> (DevNode, PathBuf) {
    let node = DevNode::start(&dir.join("home"));
    let file = dir.join("till-records.bin");
    write_sample_file(&file, len, 2026);
    let path = file.to_str().expect("UTF-8 path");
    let colleague = node.key("market-officer2");
    node.cli_as(
        "market-officer",
        &[
            "evidence",
            "anchor",
            path,
            "--category",
            "documentary",
            "--collected-by",
            colleague.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    (node, file)
}

/// Chooses `file` in the Verify page and waits for the verdict.
async fn verify(browser: &Browser, file: &Path) -> String {
    browser.open("#/verify").await;
    let input = browser.wait_for("[data-testid=file-input]").await;
    input
        .send_keys(file.to_str().expect("UTF-8 path"))
        .await
        .expect("choose the file");
    browser
        .wait_for("[data-testid=verify-result][data-status]")
        .await
        .attr("data-status")
        .await
        .expect("status attribute")
        .expect("a status")
}

#[tokio::test]
async fn an_anchored_file_shows_as_anchored_by_its_agency() {
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    // Larger than one 4 MiB chunk of the hashing worker.
    let (node, file) = node_with_anchored_file(dir.path(), 9 * 1024 * 1024 + 17);
    let expected_digest = run_cli(&["evidence", "hash", file.to_str().unwrap()])
        .expect_code(0)
        .stdout
        .trim()
        .to_owned();
    // Handed over to the police: the custody chain has two events.
    node.cli_as(
        "market-officer",
        &[
            "evidence",
            "custody",
            &expected_digest,
            "--action",
            "transfer",
            "--to",
            "police",
        ],
    )
    .expect_code(0);
    node.cli_as(
        "police-officer",
        &[
            "evidence",
            "custody",
            &expected_digest,
            "--action",
            "receive",
        ],
    )
    .expect_code(0);
    let browser = Browser::start().await;
    browser
        .sign_in(&login_link(&node, "procuratorate-officer"), "#/verify")
        .await;

    assert_eq!(verify(&browser, &file).await, "anchored");
    // The browser's BLAKE3 is the node's and b3sum's.
    assert_eq!(browser.text("[data-testid=digest]").await, expected_digest);
    let agency = browser.text("[data-testid=anchored-org]").await;
    assert!(agency.contains("market"), "{agency}");
    assert!(agency.contains(&org_name(&node, "market")), "{agency}");
    assert!(browser.page_text().await.contains("已存证"));
    let holder = browser.text("[data-testid=holder]").await;
    assert!(holder.contains("police"), "{holder}");
    let custody = browser.text("[data-testid=custody]").await;
    assert!(
        custody.contains("移交") && custody.contains("接收"),
        "{custody}"
    );

    // The receipt downloads through the same session.
    browser
        .wait_for("[data-testid=receipt-download]")
        .await
        .click()
        .await
        .expect("click");
    let status = browser.text(".status-line:not(:empty)").await;
    assert!(
        status.contains(&format!("{expected_digest}.xjrcpt")),
        "{status}"
    );
    browser.screenshot("verify-anchored.png", LAPTOP).await;

    // u64 values beyond 2^53 are kept exact, not rounded.
    let nonce = browser
        .client
        .execute(
            "return import('/web/api.js').then((api) => api.parseJsonExact(arguments[0]).nonce);",
            vec![json!(
                r#"{"nonce": 18446744073709551615, "note": "1e3 \"42\""}"#
            )],
        )
        .await
        .expect("parse");
    assert_eq!(nonce, json!("18446744073709551615"));
    browser.close().await;
}

#[tokio::test]
async fn a_changed_file_shows_as_not_anchored() {
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (node, file) = node_with_anchored_file(dir.path(), 4096);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[100] ^= 1;
    let changed = dir.path().join("till-records-changed.bin");
    std::fs::write(&changed, bytes).unwrap();
    let browser = Browser::start().await;

    // Signed out, the digest is computed but the lookup asks for a sign-in.
    browser.client.goto(&node.url).await.expect("open");
    assert_eq!(verify(&browser, &changed).await, "signin");
    browser.wait_for("[data-testid=signin-prompt]").await;

    browser
        .sign_in(&login_link(&node, "court-officer"), "#/verify")
        .await;
    assert_eq!(verify(&browser, &changed).await, "not-anchored");
    let text = browser.text("[data-testid=not-anchored]").await;
    assert!(text.contains("未存证"), "{text}");
    assert!(!browser.page_text().await.contains("已存证"));

    // In English too.
    browser
        .wait_for("[data-testid=language]")
        .await
        .click()
        .await
        .expect("switch language");
    assert_eq!(verify(&browser, &changed).await, "not-anchored");
    let text = browser.text("[data-testid=not-anchored]").await;
    assert!(text.contains("Not anchored"), "{text}");
    browser.screenshot("verify-not-anchored.png", LAPTOP).await;
    browser.close().await;
}

/// Moves `case_id` by `action`, with the attachments the transition table
/// (and the case's domain) require.
fn act(
    chain: &mut BackdatedChain,
    key: &SecretKey,
    case_id: &str,
    action: &str,
    to: Option<&str>,
    officers: Vec<KeyId>,
) {
    let row = xianjie_contracts::case::transition(action).expect("an action of the table");
    let mut kinds = row.attachments.to_vec();
    for extra in &Params::default().cases.domain_attachments {
        if extra.domain == "food_drug" && extra.action == action && !kinds.contains(&extra.kind) {
            kinds.push(extra.kind);
        }
    }
    let attachments = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| Attachment {
            kind: *kind,
            digest: note_digest(&format!("{case_id} {action} {i}")),
        })
        .collect();
    chain.commit(
        key,
        Call::CaseAction(CaseAction {
            case_id: case_id.into(),
            action: action.to_owned(),
            attachments,
            officers,
            to: to.map(|org| OrgId::new(org).expect("org id")),
            reason_digest: row
                .reason
                .then(|| note_digest(&format!("{case_id} {action} reasons"))),
            outcome: None,
        }),
    );
}

/// Opens a food case as the market regulator at the chain's current block
/// time and transfers it to the police (every step up to the transfer).
fn open_and_transfer(chain: &mut BackdatedChain) -> String {
    let market = chain.key("market", "officer");
    let opened = chain.commit(
        &market,
        Call::OpenCase(OpenCase {
            title: CASE_TITLE.into(),
            entity: SHOP.into(),
            domain: "food_drug".into(),
            lead: LeadSource {
                kind: LeadKind::Complaint,
                reference: None,
            },
        }),
    );
    let case_id = xianjie_ledger::ids::CaseId::for_tx(&opened);
    let taskforce = vec![
        market.public_key().id(),
        chain.key("market", "officer2").public_key().id(),
    ];
    for action in ["open-admin-case", "mark-suspected"] {
        act(chain, &market, &case_id, action, None, vec![]);
    }
    act(chain, &market, &case_id, "form-taskforce", None, taskforce);
    act(chain, &market, &case_id, "submit-report", None, vec![]);
    let head = chain.key("market", "head");
    act(chain, &head, &case_id, "approve-transfer", None, vec![]);
    act(chain, &market, &case_id, "transfer", Some("police"), vec![]);
    case_id.into_string()
}

/// The cases of [`node_with_overdue_case`].
struct Cases {
    /// Received 20 days ago, no filing decision: overdue.
    overdue: String,
    /// Filed and referred for prosecution 20 days ago; the chief procurator
    /// extended the month of review by fifteen days.
    extended_review: String,
    /// Not prosecuted; the administrative-prosecution review registered 20
    /// days ago was suspended the next day and resumed two days ago.
    resumed_review: String,
}

/// A dev node whose chain began 30 days ago: the market regulator opened
/// three food cases then and transferred them; the police received them 20
/// days ago. The first has no filing decision, and its 10-day clock (food
/// and drug sector) has run out. The second was filed and referred for
/// prosecution, and its review extended. The third was not prosecuted, and
/// its administrative-prosecution review suspended and resumed. The police
/// anchor a file today, so the latest block time is now.
fn node_with_overdue_case(dir: &Path) -> (DevNode, Cases) {
    let home = dir.join("home");
    let started = now_ms() - 30 * DAY_MS;
    let mut chain = BackdatedChain::create(&home, started);
    chain.set_time(started + 1000);
    let overdue = open_and_transfer(&mut chain);
    let extended_review = open_and_transfer(&mut chain);
    let resumed_review = open_and_transfer(&mut chain);
    chain.set_time(now_ms() - 20 * DAY_MS);
    let police = chain.key("police", "officer");
    act(&mut chain, &police, &overdue, "receive", None, vec![]);
    act(
        &mut chain,
        &police,
        &extended_review,
        "receive",
        None,
        vec![],
    );
    let police_head = chain.key("police", "head");
    act(
        &mut chain,
        &police_head,
        &extended_review,
        "file",
        None,
        vec![],
    );
    for action in ["start-investigation", "refer-for-prosecution"] {
        act(&mut chain, &police, &extended_review, action, None, vec![]);
    }
    let chief_procurator = chain.key("procuratorate", "head");
    act(
        &mut chain,
        &chief_procurator,
        &extended_review,
        "extend-prosecution-review",
        None,
        vec![],
    );
    // Not prosecuted and reviewed for an administrative penalty: the review
    // was suspended the next day and resumed two days ago.
    act(
        &mut chain,
        &police,
        &resumed_review,
        "receive",
        None,
        vec![],
    );
    act(
        &mut chain,
        &police_head,
        &resumed_review,
        "file",
        None,
        vec![],
    );
    for action in ["start-investigation", "refer-for-prosecution"] {
        act(&mut chain, &police, &resumed_review, action, None, vec![]);
    }
    for action in ["not-prosecute", "internal-transfer", "register-review"] {
        act(
            &mut chain,
            &chief_procurator,
            &resumed_review,
            action,
            None,
            vec![],
        );
    }
    for (days_ago, action) in [(19, "suspend-review"), (2, "resume-review")] {
        chain.set_time(now_ms() - days_ago * DAY_MS);
        act(
            &mut chain,
            &chief_procurator,
            &resumed_review,
            action,
            None,
            vec![],
        );
    }
    chain.close();

    let node = DevNode::start(&home);
    let today = dir.join("inquiry-record.txt");
    std::fs::write(&today, "询问笔录 2026").unwrap();
    let colleague = node.key("police-officer2");
    node.cli_as(
        "police-officer",
        &[
            "evidence",
            "anchor",
            today.to_str().unwrap(),
            "--category",
            "witness",
            "--collected-by",
            colleague.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    (
        node,
        Cases {
            overdue,
            extended_review,
            resumed_review,
        },
    )
}

/// The note under a case's clock (`class`: `clock-extended`, …), after
/// checking that the clock is not overdue.
async fn clock_note(browser: &Browser, case_id: &str, rule: &str, class: &str) -> String {
    browser.open(&format!("#/cases/{case_id}")).await;
    let row = format!("tr[data-rule={rule}]");
    let overdue = browser.wait_for(&row).await.attr("data-overdue").await;
    assert_eq!(overdue.unwrap().as_deref(), Some("false"), "{rule}");
    browser.text(&format!("{row} .{class}")).await
}

#[tokio::test]
async fn a_case_past_its_deadline_is_shown_overdue() {
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (node, cases) = node_with_overdue_case(dir.path());
    let case_id = cases.overdue;
    // The node itself says so, evaluated at its latest block time.
    let listed = node
        .cli_as("police-officer", &["case", "list", "--overdue"])
        .expect_code(0)
        .json();
    assert_eq!(listed["cases"][0]["id"], case_id.as_str());
    // The next due time shown is the overdue duty's, not that of a closed
    // optional window that ran out earlier.
    let shown = node
        .cli_as("police-officer", &["case", "show", &case_id])
        .expect_code(0)
        .json();
    let clocks = shown["clocks"].as_array().expect("clocks");
    let duty_due = clocks
        .iter()
        .filter(|clock| clock["overdue"] == true)
        .filter_map(|clock| clock["due_at_ms"].as_u64())
        .min();
    let window_due = clocks
        .iter()
        .filter(|clock| clock["overdue"] == false && clock["expired"] == true)
        .filter_map(|clock| clock["due_at_ms"].as_u64())
        .min();
    assert!(
        window_due.is_some() && duty_due.is_some() && window_due < duty_due,
        "{shown}"
    );
    assert_eq!(listed["cases"][0]["next_due_at_ms"].as_u64(), duty_due);

    let browser = Browser::start().await;
    browser
        .sign_in(&login_link(&node, "police-officer"), "#/cases")
        .await;
    let row = format!("tr[data-case-id='{case_id}']");
    let overdue = browser
        .wait_for(&row)
        .await
        .attr("data-overdue")
        .await
        .expect("attribute");
    assert_eq!(overdue.as_deref(), Some("true"));
    let badge = browser
        .text(&format!("{row} [data-testid=overdue-badge]"))
        .await;
    assert_eq!(badge, "已逾期");
    let countdown = browser
        .text(&format!("{row} [data-testid=countdown]"))
        .await;
    assert!(countdown.contains("已超期"), "{countdown}");
    let color = browser
        .client
        .execute(
            "return getComputedStyle(document.querySelector(arguments[0])).backgroundColor;",
            vec![json!(format!("{row} [data-testid=overdue-badge]"))],
        )
        .await
        .expect("style");
    assert_eq!(color, json!("rgb(179, 38, 30)"), "the overdue badge is red");
    browser.screenshot("cases-overdue.png", LAPTOP).await;
    browser.screenshot("cases-overdue-tablet.png", TABLET).await;

    browser.open(&format!("#/cases/{case_id}")).await;
    let detail = browser.wait_for("[data-testid=case-detail]").await;
    assert_eq!(
        detail.attr("data-overdue").await.unwrap().as_deref(),
        Some("true")
    );
    let clock = browser
        .wait_for("tr[data-rule=PSB_FILING_DECISION]")
        .await
        .attr("data-overdue")
        .await
        .unwrap();
    assert_eq!(clock.as_deref(), Some("true"));
    let receive = browser
        .text("[data-testid=case-timeline] li[data-action=receive]")
        .await;
    // Rules, actions, domain and documents by their Chinese names, not codes.
    assert!(
        receive.contains("开始计时")
            && receive.contains("公安立案审查")
            && receive.contains("签收回执")
            && !receive.contains("PSB_FILING_DECISION"),
        "{receive}"
    );
    let rule = browser
        .text("tr[data-rule=PSB_FILING_DECISION] [data-testid=clock-rule]")
        .await;
    assert!(rule.contains("公安立案审查"), "{rule}");
    assert_eq!(browser.text("[data-testid=case-domain]").await, "食品药品");
    let opened = browser
        .text("[data-testid=case-timeline] li[data-action=open-case]")
        .await;
    assert!(
        opened.contains("登记线索") && !opened.contains("open-case"),
        "{opened}"
    );
    let attachments = browser.text("[data-testid=attachments]").await;
    assert!(
        attachments.contains("涉嫌犯罪案件移送书") && attachments.contains("移送公安机关"),
        "{attachments}"
    );
    let page = browser.text("main").await;
    for code in [
        "PSB_FILING_DECISION",
        "food_drug",
        "open-case",
        "transfer-letter",
    ] {
        assert!(
            !page.contains(code),
            "the case page shows the code {code}:\n{page}"
        );
    }
    browser.screenshot("case-page.png", LAPTOP).await;
    // The English names behind the language switch.
    browser
        .wait_for("[data-testid=language]")
        .await
        .click()
        .await
        .expect("switch language");
    assert_eq!(
        browser.text("[data-testid=case-domain]").await,
        "food and drug"
    );
    let rule = browser
        .text("tr[data-rule=PSB_FILING_DECISION] [data-testid=clock-rule]")
        .await;
    assert!(rule.contains("police filing decision"), "{rule}");
    browser
        .wait_for("[data-testid=language]")
        .await
        .click()
        .await
        .expect("switch language back");

    // An extended clock says so, and runs to its new due time: the month
    // of review from 20 days ago plus fifteen days is not overdue.
    let extended = clock_note(
        &browser,
        &cases.extended_review,
        "PROC_PROSECUTION_DECISION",
        "clock-extended",
    )
    .await;
    assert!(
        extended.contains("已延长 15 日") && extended.contains("CPL Art 172"),
        "{extended}"
    );
    // A review suspended (中止审查) and resumed counts the days it had left
    // from the resumption: ten working days from 20 days ago would be over.
    let paused = clock_note(
        &browser,
        &cases.resumed_review,
        "REV_ADMIN_PROSECUTION_REVIEW",
        "clock-paused",
    )
    .await;
    assert!(
        paused.contains("曾中止") && paused.contains("SPP-Reverse-Guide-2024"),
        "{paused}"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_officer_without_rights_sees_no_case_details() {
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (node, cases) = node_with_overdue_case(dir.path());
    let case_id = cases.overdue;
    let browser = Browser::start().await;
    // The laboratory is no party to the case.
    browser
        .sign_in(&login_link(&node, "lab-officer"), "#/cases")
        .await;
    browser.wait_for("[data-testid=case-list-empty]").await;
    assert!(!browser.page_text().await.contains(&case_id));

    browser.open(&format!("#/cases/{case_id}")).await;
    let denied = browser.text("[data-testid=case-denied]").await;
    assert!(denied.contains("无权查看"), "{denied}");
    let page = browser.page_text().await;
    for detail in [CASE_TITLE, SHOP, "PSB_FILING_DECISION", "receive"] {
        assert!(!page.contains(detail), "the page shows {detail}:\n{page}");
    }
    assert!(browser
        .client
        .find(Locator::Css("[data-testid=case-detail]"))
        .await
        .is_err());
    browser.close().await;
}

#[tokio::test]
async fn recognised_inspection_results_are_shown_per_matter() {
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let report = dir.path().join("test-report.pdf");
    std::fs::write(&report, "检验报告 GB2763").unwrap();
    node.accredit_for_pesticides("lab", "240012345678");
    let report_arg = format!("@{}", report.display());
    let inspectors = [node.key("lab-officer"), node.key("lab-officer2")];
    // The laboratory records a result signed by two of its inspectors.
    let record_result = |report_date: &str, extra: &[&str]| -> String {
        let mut args = vec![
            "inspection",
            "record",
            "--entity",
            SHOP,
            "--matter",
            "GB2763-pesticide",
            "--report-date",
            report_date,
            "--conclusion",
            "non-conforming",
            "--report",
            &report_arg,
            "--lab",
            "lab",
            "--cma",
            "240012345678",
            "--inspector",
            inspectors[0].to_str().unwrap(),
            "--inspector",
            inspectors[1].to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let recorded = node.cli_as("lab-officer", &args).expect_code(0).json();
        recorded["id"].as_str().unwrap().to_owned()
    };
    let recorded = record_result("20250301", &["--scope", "batch 2025-02"]);
    let listed = node
        .cli_as("lab-officer", &["inspection", "list", "--entity", SHOP])
        .expect_code(0)
        .json();
    let id = listed["results"][0]["inspection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(id, recorded);
    node.cli_as("police-officer", &["inspection", "recognize", &id])
        .expect_code(0);
    // A second result the party objected to: its re-test is pending.
    let today = xianjie_tests::today_in_china();
    let objection = format!("FOOD_RETEST_OBJECTION@{today}");
    let objected = record_result(&today, &["--objection", &objection]);
    node.cli_as(
        "lab-officer",
        &[
            "inspection",
            "request-retest",
            &objected,
            "--requested-on",
            &today,
            "--application",
            &report_arg,
        ],
    )
    .expect_code(0);

    let browser = Browser::start().await;
    browser
        .sign_in(&login_link(&node, "procuratorate-officer"), "#/inspections")
        .await;
    let input = browser.wait_for("[data-testid=entity-input]").await;
    input.send_keys(SHOP).await.expect("type the USCC");
    browser
        .wait_for("[data-testid=entity-search]")
        .await
        .click()
        .await
        .expect("search");
    let card = format!("[data-matter=GB2763-pesticide] article[data-id='{id}']");
    let status = browser
        .wait_for(&card)
        .await
        .attr("data-status")
        .await
        .unwrap();
    assert_eq!(status.as_deref(), Some("valid-recognised"));
    let recognised_by = browser
        .text(&format!("{card} [data-testid=recognised-by]"))
        .await;
    assert!(recognised_by.contains("police"), "{recognised_by}");
    let held = format!("[data-matter=GB2763-pesticide] article[data-id='{objected}']");
    let status = browser.wait_for(&held).await.attr("data-status").await;
    assert_eq!(status.unwrap().as_deref(), Some("invalid"));
    let retest = browser.text(&format!("{held} [data-testid=retest]")).await;
    assert!(
        retest.contains(&format!("当事人于 {today} 申请复检")),
        "{retest}"
    );
    browser.screenshot("inspections.png", LAPTOP).await;
    browser.close().await;
}

/// ¥60,000 in fen: over the ¥50,000 sales threshold of CL140-FAKE-v2008.
const SALES_FEN: i64 = 6_000_000;

/// Opens a general case whose administrative case records a sales amount
/// over the fake-goods threshold (a `CaseStep` with the fact and its
/// evidence), as the market regulator would; the case id.
fn open_case_over_threshold(chain: &mut BackdatedChain) -> String {
    use xianjie_ledger::case::AttachmentKind;
    use xianjie_ledger::supervision::{Fact, FactKind, FactUnit};
    use xianjie_ledger::tx::CaseStep;
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
                evidence: Some(note_digest("till records of the shop")),
            }],
            violation_date: None,
            penalty: None,
        }),
    );
    case_id.into_string()
}

#[tokio::test]
async fn the_supervisor_page_shows_a_flagged_case_and_opens_it() {
    use xianjie_ledger::case::{AttachmentKind, Outcome};
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let started = now_ms() - 30 * DAY_MS;
    let mut chain = BackdatedChain::create(&home, started);
    chain.set_time(started + 1000);
    // A food case transferred 30 days ago and received 20 days ago, with no
    // filing decision: the police's clock is overdue.
    let overdue = open_and_transfer(&mut chain);
    let flagged = open_case_over_threshold(&mut chain);
    chain.set_time(now_ms() - 20 * DAY_MS);
    let police = chain.key("police", "officer");
    act(&mut chain, &police, &overdue, "receive", None, vec![]);
    // Three days and an hour ago the market regulator's head decided a
    // penalty on the flagged case instead of transferring it: 以罚代刑.
    chain.set_time(now_ms() - 3 * DAY_MS - 3600 * 1000);
    let head = chain.key("market", "head");
    chain.commit(
        &head,
        Call::CaseAction(CaseAction {
            case_id: flagged.as_str().into(),
            action: "penalty-decision".into(),
            attachments: vec![Attachment {
                kind: AttachmentKind::PenaltyDecision,
                digest: note_digest("行政处罚决定书"),
            }],
            officers: Vec::new(),
            to: None,
            reason_digest: None,
            outcome: Some(Outcome::Penalty),
        }),
    );
    chain.close();
    let node = DevNode::start(&home);
    // A block now: days are counted to the latest block time.
    let today = dir.path().join("inquiry-record.txt");
    std::fs::write(&today, "询问笔录 2026").unwrap();
    let colleague = node.key("police-officer2");
    node.cli_as(
        "police-officer",
        &[
            "evidence",
            "anchor",
            today.to_str().unwrap(),
            "--category",
            "witness",
            "--collected-by",
            colleague.to_str().unwrap(),
        ],
    )
    .expect_code(0);

    let browser = Browser::start().await;
    browser
        .sign_in(&login_link(&node, "procuratorate-officer"), "#/supervision")
        .await;
    let row = format!("[data-testid=flag][data-case-id='{flagged}']");
    let open = browser
        .wait_for(&row)
        .await
        .attr("data-open")
        .await
        .unwrap();
    assert_eq!(open.as_deref(), Some("true"));
    assert_eq!(
        browser
            .text(&format!("{row} [data-testid=flag-kind]"))
            .await,
        "以罚代刑"
    );
    let rule = browser
        .text(&format!("{row} [data-testid=flag-rule]"))
        .await;
    assert!(
        rule.contains("CL140-FAKE-v2008") && rule.contains("第 1 版"),
        "{rule}"
    );
    let fact = browser
        .text(&format!("{row} [data-testid=flag-fact]"))
        .await;
    assert!(
        fact.contains("销售金额") && fact.contains("6000000") && fact.contains("¥60000.00"),
        "{fact}"
    );
    assert_eq!(
        browser
            .text(&format!("{row} [data-testid=flag-days]"))
            .await,
        "3 天"
    );
    // The police's overdue filing decision, under the police, counted by
    // the region's statistics (the overdue rows of GET /v1/stats).
    let group = "[data-testid=overdue-group][data-org=police][data-rule=PSB_FILING_DECISION]";
    let text = browser.text(group).await;
    assert!(text.contains("公安立案审查"), "{text}");
    assert_eq!(
        browser
            .text(&format!("{group} [data-testid=overdue-count]"))
            .await,
        "1"
    );
    // Stage durations from the same statistics: the transferred case spent
    // its time in S1 and later stages.
    browser.wait_for("[data-testid=stages]").await;
    browser.screenshot("supervision.png", LAPTOP).await;

    // One click opens the case, with its facts and the rule they met.
    browser
        .wait_for(&format!("{row} [data-testid=case-link]"))
        .await
        .click()
        .await
        .expect("click the case");
    let detail = browser.wait_for("[data-testid=case-detail]").await;
    let hash = browser
        .client
        .execute("return location.hash;", vec![])
        .await
        .expect("hash");
    assert_eq!(hash, json!(format!("#/cases/{flagged}")));
    assert!(detail.text().await.unwrap().contains("商店销售假冒洗发水"));
    let state = browser.text("[data-testid=case-state]").await;
    assert!(state.contains("已作出决定"), "{state}");
    let facts = browser.text("[data-testid=case-facts]").await;
    assert!(
        facts.contains("销售金额") && facts.contains("CL140-FAKE-v2008"),
        "{facts}"
    );
    // The case's own flags (GET /v1/supervision/flags?case=…): the rule
    // and version, the facts that met it, days since raised, still open.
    let flag = "[data-testid=case-flag][data-kind=penalty_instead_of_transfer]";
    let open = browser
        .wait_for(flag)
        .await
        .attr("data-open")
        .await
        .unwrap();
    assert_eq!(open.as_deref(), Some("true"));
    assert_eq!(
        browser
            .text(&format!("{flag} [data-testid=flag-kind]"))
            .await,
        "以罚代刑"
    );
    let rule = browser
        .text(&format!("{flag} [data-testid=flag-rule]"))
        .await;
    assert!(
        rule.contains("CL140-FAKE-v2008") && rule.contains("第 1 版"),
        "{rule}"
    );
    let fact = browser
        .text(&format!("{flag} [data-testid=flag-fact]"))
        .await;
    assert!(fact.contains("¥60000.00"), "{fact}");
    assert_eq!(
        browser
            .text(&format!("{flag} [data-testid=flag-days]"))
            .await,
        "3 天"
    );
    assert_eq!(
        browser
            .text(&format!("{flag} [data-testid=flag-status]"))
            .await,
        "未纠正"
    );
    assert_eq!(
        browser.text("[data-testid=case-flags] h3").await,
        "监督标记"
    );
    // The overdue food case has no flag: its page says so.
    browser.open(&format!("#/cases/{overdue}")).await;
    browser.wait_for("[data-testid=case-flags-empty]").await;

    // In English too.
    browser.open("#/supervision").await;
    browser.wait_for(&row).await;
    browser
        .wait_for("[data-testid=language]")
        .await
        .click()
        .await
        .expect("switch language");
    let kind = browser
        .text(&format!("{row} [data-testid=flag-kind]"))
        .await;
    assert_eq!(kind, "penalty instead of transfer");
    browser.open(&format!("#/cases/{flagged}")).await;
    let status = browser
        .text("[data-testid=case-flag] [data-testid=flag-status]")
        .await;
    assert_eq!(status, "open");
    let kind = browser
        .text("[data-testid=case-flag] [data-testid=flag-kind]")
        .await;
    assert_eq!(kind, "penalty instead of transfer");
    assert_eq!(
        browser.text("[data-testid=case-flags] h3").await,
        "Supervision flags"
    );
    browser.close().await;
}

/// A clue sent by the 12345 hotline office, received on the block's date.
fn hotline_clue(chain: &mut BackdatedChain, time_ms: u64, matter: &str) -> ClueId {
    chain.set_time(time_ms);
    let government = chain.key("government", "officer");
    let call = Call::SendClue(SendClue {
        source: ClueSource::Hotline12345,
        subject: ClueSubject::LegalPerson(SHOP.into()),
        matter: matter.into(),
        duty_crime: false,
        to: OrgId::new("market").unwrap(),
        received_on: xianjie_contracts::deadline::local_date(time_ms),
        materials: Vec::new(),
    });
    ClueId::for_tx(&chain.commit(&government, call))
}

#[tokio::test]
async fn incoming_clues_show_their_clocks_and_where_a_forwarded_one_ended_up() {
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut chain = BackdatedChain::create(&home, now_ms() - 30 * DAY_MS);
    // Ten days unanswered: past the 7-day CLUE_RESPONSE.
    let late = hotline_clue(&mut chain, now_ms() - 10 * DAY_MS, "food-safety/expired");
    let fresh = hotline_clue(&mut chain, now_ms() - 3_600_000, "environment/discharge");
    let market = chain.key("market", "officer");
    // The bureau opens a case from it and consults the market regulator.
    let forwarded = ClueId::for_tx(&chain.commit(
        &market,
        Call::AnswerClue(AnswerClue {
            clue: fresh.clone(),
            action: ClueAction::Forward,
            to: Some(OrgId::new("environment").unwrap()),
            document: None,
        }),
    ));
    let bureau = chain.key("environment", "officer");
    let case = CaseId::for_tx(&chain.commit(
        &bureau,
        Call::OpenCase(OpenCase {
            title: "夜间偷排".into(),
            entity: SHOP.into(),
            domain: "environment".into(),
            lead: LeadSource {
                kind: LeadKind::Clue,
                reference: Some(forwarded.to_string()),
            },
        }),
    ));
    let consultation = RequestId::for_tx(&chain.commit(
        &bureau,
        Call::AskOrgan(AskOrgan {
            kind: RequestKind::Consultation,
            about: RequestAbout::Case(case.clone()),
            to: OrgId::new("market").unwrap(),
            question: note_digest("处罚记录？"),
        }),
    ));
    chain.close();
    let node = DevNode::start(&home);
    let browser = Browser::start().await;
    browser
        .sign_in(&login_link(&node, "market-officer"), "#/clues")
        .await;
    browser.wait_for("[data-testid=clues-incoming]").await;
    let late_row = format!("[data-testid=clues-incoming] tr[data-clue-id='{late}']");
    let row = browser.wait_for(&late_row).await;
    assert_eq!(
        row.attr("data-overdue").await.unwrap().as_deref(),
        Some("true")
    );
    let late_text = browser.text(&late_row).await;
    assert!(late_text.contains("已逾期"), "{late_text}");
    assert!(late_text.contains("12345热线"), "{late_text}");
    assert!(late_text.contains("待接收"), "{late_text}");
    // The forwarded one is no longer the market's to answer: no clock, and
    // it shows where it went.
    let fresh_row = format!("[data-testid=clues-incoming] tr[data-clue-id='{fresh}']");
    let row = browser.wait_for(&fresh_row).await;
    assert_eq!(
        row.attr("data-overdue").await.unwrap().as_deref(),
        Some("false")
    );
    let final_text = browser
        .text(&format!("{fresh_row} [data-testid=clue-final]"))
        .await;
    assert!(
        final_text.contains(&org_name(&node, "environment")),
        "{final_text}"
    );
    assert!(final_text.contains("已立案"), "{final_text}");
    // The market's forward is among the clues it sent, converted into the
    // bureau's case: no clock runs on it.
    let sent = browser.text("[data-testid=clues-outgoing]").await;
    assert!(sent.contains("environment/discharge"), "{sent}");
    assert!(sent.contains(&format!("已立案 {case}")), "{sent}");
    assert!(!sent.contains("剩余") && !sent.contains("已逾期"), "{sent}");
    // The bureau's consultation waits for the market regulator's answer.
    let asked = format!("[data-testid=open-requests] tr[data-request-id='{consultation}']");
    let text = browser.text(&asked).await;
    assert!(
        text.contains("咨询") && text.contains(case.as_str()),
        "{text}"
    );
    assert!(text.contains("剩余"), "{text}");
    browser.screenshot("clues", LAPTOP).await;
    // On the case the clue became, its agency sees the consultation with its
    // clock (the market regulator is no party of the case).
    browser
        .sign_in(
            &login_link(&node, "environment-officer"),
            &format!("#/cases/{case}"),
        )
        .await;
    let request_row = format!("[data-testid=requests] tr[data-request-id='{consultation}']");
    let row = browser.wait_for(&request_row).await;
    assert_eq!(
        row.attr("data-overdue").await.unwrap().as_deref(),
        Some("false")
    );
    let text = browser.text(&request_row).await;
    assert!(text.contains("咨询"), "{text}");
    assert!(text.contains("剩余"), "{text}");
    browser.close().await;
}

/// The walkthrough's entity snapshot (docs/examples/draw-entities.json).
fn draw_rows() -> (String, Vec<xianjie_ledger::draw::EntityRow>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/draw-entities.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let rows = serde_json::from_str(&text).unwrap();
    (text, rows)
}

/// On a backdated chain: the item, the market's three inspectors, the
/// snapshot, and a draw planned at `time_ms` and committed by both
/// organisations; returns the draw's id.
fn committed_draw(chain: &mut BackdatedChain, time_ms: u64, snapshot: &SnapshotId) -> DrawId {
    use xianjie_ledger::draw::{self, ClassRatio, DrawPlan, PlanItem};
    chain.set_time(time_ms);
    let market = chain.key("market", "officer");
    let plan = Call::PlanDraw(PlanDraw {
        plan: DrawPlan {
            items: vec![PlanItem {
                item: "FOOD-01".into(),
                department: OrgId::new("market").unwrap(),
            }],
            ratios: [(1, 2000), (2, 5000), (3, 10000)]
                .map(|(risk_class, basis_points)| ClassRatio {
                    risk_class,
                    basis_points,
                })
                .to_vec(),
            inspectors_per_inspection: 2,
            departments: vec![OrgId::new("market").unwrap()],
        },
        snapshot: snapshot.clone(),
        witnesses: vec![OrgId::new("procuratorate").unwrap()],
        period: period_from(time_ms),
    });
    let id = DrawId::for_tx(&chain.commit(&market, plan));
    for org in ["market", "procuratorate"] {
        let commitment = draw::commitment(&draw_nonce(org, &id).0, &id, &OrgId::new(org).unwrap());
        let key = chain.key(org, "officer");
        chain.commit(
            &key,
            Call::CommitDraw(CommitDraw {
                draw: id.clone(),
                commitment,
            }),
        );
    }
    id
}

/// Thirty days of inspections from the day of `time_ms`.
fn period_from(time_ms: u64) -> xianjie_ledger::random_draw::InspectionPeriod {
    use xianjie_contracts::deadline::{date_of_day, day_number, local_date};
    let from = local_date(time_ms);
    let until = date_of_day(day_number(from).unwrap() + 30);
    xianjie_ledger::random_draw::InspectionPeriod { from, until }
}

fn draw_nonce(org: &str, id: &DrawId) -> xianjie_ledger::Hash {
    xianjie_ledger::hash::file_digest(format!("{org} {id}").as_bytes())
}

fn reveal(chain: &mut BackdatedChain, org: &str, id: &DrawId) {
    let key = chain.key(org, "officer");
    chain.commit(
        &key,
        Call::RevealDraw(RevealDraw {
            draw: id.clone(),
            nonce: draw_nonce(org, id),
        }),
    );
}

/// A drawn and named draw, and a failed one whose witness never revealed.
fn chain_with_draws(home: &Path) -> (DrawId, DrawId) {
    use xianjie_ledger::draw;
    use xianjie_ledger::random_draw::{DrawState, ProvenRow};
    let mut chain = BackdatedChain::create(home, now_ms() - 10 * DAY_MS);
    let market = chain.key("market", "officer");
    chain.commit(
        &market,
        Call::SetInspectionItem(SetInspectionItem {
            item: "FOOD-01".into(),
            basis: "food-safety-law/art-87".into(),
            method: "on-site".into(),
            document: note_digest("食品经营者主体责任落实情况"),
        }),
    );
    let admin = chain.key("market", "admin");
    for role in ["officer", "officer2", "head"] {
        let officer = chain.key("market", role).public_key().id();
        chain.commit(
            &admin,
            Call::SetInspector(SetInspector {
                officer,
                certificate: format!("ZF-3301-{role}"),
                scopes: vec!["FOOD-01".into()],
                valid_from: 20260101,
                valid_until: 20291231,
            }),
        );
    }
    let (_, rows) = draw_rows();
    let snapshot = SnapshotId::for_tx(&chain.commit(
        &market,
        Call::PublishEntitySnapshot(PublishEntitySnapshot {
            root: draw::entity_root(&rows).unwrap(),
            classes: draw::class_counts(&rows),
            rows_file: note_digest("rows"),
        }),
    ));
    let drawn = committed_draw(&mut chain, now_ms() - 9 * DAY_MS, &snapshot);
    reveal(&mut chain, "market", &drawn);
    reveal(&mut chain, "procuratorate", &drawn);
    let leaves: Vec<_> = rows.iter().map(draw::EntityRow::hash).collect();
    let record = chain.draw(&drawn);
    let shown = record
        .inspections
        .iter()
        .map(|inspection| ProvenRow {
            row: rows[inspection.position as usize].clone(),
            proof: xianjie_ledger::merkle::prove(&leaves, inspection.position as usize).unwrap(),
        })
        .collect();
    chain.commit(
        &market,
        Call::NameDrawnEntities(NameDrawnEntities {
            draw: drawn.clone(),
            first: 0,
            rows: shown,
        }),
    );
    assert_eq!(chain.draw(&drawn).state, DrawState::Drawn);
    // The second: the procuratorate keeps its nonce past the deadline.
    let failed = committed_draw(&mut chain, now_ms() - 8 * DAY_MS, &snapshot);
    reveal(&mut chain, "market", &failed);
    chain.set_time(now_ms() - DAY_MS);
    chain.commit(
        &market,
        Call::SetInspectionItem(SetInspectionItem {
            item: "FOOD-02".into(),
            basis: "food-safety-law/art-87".into(),
            method: "sampling".into(),
            document: note_digest("抽检"),
        }),
    );
    assert_eq!(chain.draw(&failed).state, DrawState::Failed);
    chain.close();
    (drawn, failed)
}

#[tokio::test]
async fn a_draw_is_re_run_in_the_browser_and_a_failed_one_names_who_withheld() {
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let (drawn, failed) = chain_with_draws(&home);
    let (text, _) = draw_rows();
    let rows_file = dir.path().join("entities.json");
    std::fs::write(&rows_file, &text).unwrap();
    let doctored = dir.path().join("doctored.json");
    std::fs::write(
        &doctored,
        text.replacen("\"industry\": \"F5221\"", "\"industry\": \"F5222\"", 1),
    )
    .unwrap();
    let node = DevNode::start(&home);
    let browser = Browser::start().await;
    browser
        .sign_in(&login_link(&node, "procuratorate-officer"), "#/draws")
        .await;
    let list = browser.text("[data-testid=draws]").await;
    assert!(
        list.contains(drawn.as_str()) && list.contains(failed.as_str()),
        "{list}"
    );
    assert!(
        list.contains("已抽取") && list.contains("抽取失败"),
        "{list}"
    );

    browser.open(&format!("#/draws/{drawn}")).await;
    let period = browser.text("[data-testid=draw-period]").await;
    assert!(period.starts_with("检查期间 20"), "{period}");
    let table = browser.text("[data-testid=draw-inspections]").await;
    assert!(table.contains("91330100MA2H01"), "{table}");
    let choose = |file: PathBuf| {
        let browser = &browser;
        async move {
            let input = browser.wait_for("[data-testid=rerun-file]").await;
            input
                .send_keys(file.to_str().unwrap())
                .await
                .expect("choose the file");
            let verdict = browser
                .wait_for("[data-testid=rerun-result][data-status]")
                .await;
            let status = verdict.attr("data-status").await.unwrap().unwrap();
            (status, verdict.text().await.unwrap())
        }
    };
    // The browser's own implementation of docs/draw.md agrees with the chain.
    let (status, verdict) = choose(rows_file).await;
    assert_eq!(status, "match", "{verdict}");
    assert!(
        verdict.contains("12 个名录对象") && verdict.contains("6 项检查"),
        "{verdict}"
    );
    browser.screenshot("draw", LAPTOP).await;
    // Another snapshot's rows do not.
    browser.open("#/draws").await;
    browser.open(&format!("#/draws/{drawn}")).await;
    let (status, verdict) = choose(doctored).await;
    assert_eq!(status, "mismatch", "{verdict}");

    browser.open(&format!("#/draws/{failed}")).await;
    let notice = browser.text("[data-testid=draw-failed]").await;
    assert!(
        notice.contains(&org_name(&node, "procuratorate")),
        "{notice}"
    );
    let state = browser.wait_for("[data-testid=draw-state]").await;
    assert_eq!(
        state.attr("data-state").await.unwrap().as_deref(),
        Some("failed")
    );
    browser.close().await;
}

/// The fenced block between `<!-- NAME:begin -->` and `<!-- NAME:end -->` of docs/draw.md.
fn draw_doc_block(name: &str) -> String {
    let doc = include_str!("../../docs/draw.md");
    let begin = doc
        .find(&format!("<!-- {name}:begin -->"))
        .expect("begin marker");
    let end = doc
        .find(&format!("<!-- {name}:end -->"))
        .expect("end marker");
    let block = &doc[begin..end];
    let body = &block[block.find('\n').unwrap() + 1..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.rfind("```").expect("closing fence")].to_owned()
}

/// The console's own re-run (node/web/draw.js, written from docs/draw.md
/// alone) prints exactly the worked example of §10, recusals included.
#[tokio::test]
async fn the_browsers_draw_code_gives_the_documents_worked_example() {
    let _one = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("home"));
    let browser = Browser::start().await;
    browser
        .sign_in(&login_link(&node, "market-officer"), "#/draws")
        .await;
    let input: Value = serde_json::from_str(&draw_doc_block("draw-example-input")).unwrap();
    let script = r#"
        const [input, done] = arguments;
        import("/web/draw.js").then((lib) => {
          const out = [];
          const hex = (text) => out.push("  " + text);
          for (const [org, nonce] of input.reveals) {
            out.push(`commitment of ${org}:`);
            hex(lib.commitment(nonce, input.draw_id, org));
          }
          const seed = lib.seedOf(input.block_hash, input.reveals);
          out.push("seed:"); hex(seed);
          out.push("encoding of entity row 0:"); hex(lib.entityRowEncoding(input.entities[0]));
          out.push("entity root:"); hex(lib.entityRoot(input.entities));
          out.push("encoding of inspector row 0:"); hex(lib.inspectorRowEncoding(input.inspectors[0]));
          out.push("inspector root:"); hex(lib.inspectorRoot(input.inspectors));
          const run = (recusals) => lib.rerun({ seed, plan: input.plan, date: input.date, entities: input.entities, inspectors: input.inspectors, recusals });
          const drawn = run([]);
          for (const c of drawn.classes) out.push(`class ${c.risk_class}: population ${c.population}, drawn ${c.drawn}`);
          drawn.inspections.forEach((inspection, j) => {
            out.push(`inspection ${j}: ${inspection.entity} (class ${inspection.risk_class})`);
            inspection.inspectors.forEach(hex);
          });
          // "first" is slot 0; "slot s" the inspector in slot s at that point (docs/draw.md §10).
          const slotOf = (notation) => {
            if (notation === "first") return 0;
            const slot = /^slot (\d+)$/.exec(notation);
            if (!slot) throw new Error(`recusal notation ${notation}`);
            return Number(slot[1]);
          };
          const recusals = [];
          input.recusals.forEach((recusal) => {
            const j = recusal.inspection;
            const officer = run(recusals).inspections[j].inspectors[slotOf(recusal.officer)];
            recusals.push({ inspection: j, officer });
            const after = run(recusals).inspections[j];
            const r = after.recusals.length - 1;
            const last = after.recusals[r];
            out.push(`recusal ${r} on inspection ${j}:`);
            hex(`${last.officer} replaced by`);
            hex(last.replacement);
          });
          // Each recused inspection once, in the order first recused.
          const final = run(recusals);
          for (const j of new Set(input.recusals.map((recusal) => recusal.inspection))) {
            const count = final.inspections[j].recusals.length;
            out.push(`inspection ${j} after the recusal${count === 1 ? "" : "s"}:`);
            final.inspections[j].inspectors.forEach(hex);
          }
          done(out.join("\n") + "\n");
        }).catch((error) => done("error: " + error));
    "#;
    let printed = browser
        .client
        .execute_async(script, vec![input])
        .await
        .expect("the script runs");
    let printed = printed.as_str().expect("text").to_owned();
    assert_eq!(printed, draw_doc_block("draw-example-output"));
    browser.close().await;
}
