//! The evidence vault across agency nodes, with real node processes on
//! loopback (node0 = market regulator, node1 = police, node2 =
//! procuratorate, node3 = court):
//!
//! - an organisation without a right to read an evidence file is refused by
//!   the holder's node, and nothing is sent;
//! - when a case is transferred to the police, the police node fetches the
//!   case's evidence from the market regulator's node by itself, byte for
//!   byte, and an officer downloads it with `xianjie evidence fetch`;
//! - a transfer whose bytes do not hash to the digest (the holder's copy
//!   damaged) is discarded, reported, and retried until it succeeds.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use xianjie_ledger::read_auth::SignedRead;
use xianjie_tests::network::{NetOptions, Network};
use xianjie_tests::{run_cli, write_sample_file, CliRun};

const SHOP: &str = "91330100MA2H3K4L50";
const MARKET: usize = 0;
const POLICE: usize = 1;

struct Agencies {
    net: Network,
    files: PathBuf,
}

impl Agencies {
    fn key_path(&self, name: &str) -> PathBuf {
        self.net.dir.join("keys").join(format!("{name}.key"))
    }

    /// `xianjie --node <node i> --json --key <name> ARGS…`
    fn cli(&self, node: usize, key: &str, args: &[&str]) -> CliRun {
        let key_path = self.key_path(key);
        let mut full = vec![
            "--node",
            self.net.nodes[node].url.as_str(),
            "--json",
            "--key",
            key_path.to_str().unwrap(),
        ];
        full.extend_from_slice(args);
        run_cli(&full)
    }

    fn write(&self, name: &str, len: usize, seed: u64) -> (PathBuf, String) {
        let path = self.files.join(name);
        write_sample_file(&path, len, seed);
        let digest = blake3::hash(&std::fs::read(&path).unwrap())
            .to_hex()
            .to_string();
        (path, digest)
    }

    fn vault_path(&self, node: usize, digest: &str) -> PathBuf {
        self.net.nodes[node]
            .home
            .join("vault")
            .join(&digest[..2])
            .join(digest)
    }

    /// A signed `GET path` on node `i` as officer `key`: status and JSON body
    /// (the body of a 200 file download is not JSON and reads as Null).
    fn signed_get(&self, node: usize, key: &str, path: &str) -> (u16, Value) {
        let status: Value = ureq::get(format!("{}/v1/status", self.net.nodes[node].url))
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let signed = SignedRead::sign(
            &self.net.key(key),
            status["chain_id"].as_str().unwrap(),
            "GET",
            path,
            now_ms,
        );
        let mut request = ureq::get(format!("{}{path}", self.net.nodes[node].url))
            .config()
            .http_status_as_error(false)
            .build();
        for (name, value) in &signed.headers() {
            request = request.header(*name, value.as_str());
        }
        let mut response = request.call().unwrap();
        let code = response.status().as_u16();
        let body = response.body_mut().read_json().unwrap_or(Value::Null);
        (code, body)
    }

    fn wait_for(&self, what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if done() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("timed out waiting for {what}\n{}", self.net.log_tails());
    }

    /// Opens a case at the market regulator and takes it to S4 (report
    /// approved), ready to be transferred.
    fn case_ready_for_transfer(&self) -> String {
        let opened = self
            .cli(
                MARKET,
                "market-officer",
                &[
                    "case",
                    "open",
                    "--title",
                    "销售假冒注册商标商品",
                    "--entity",
                    SHOP,
                    "--domain",
                    "food_drug",
                    "--lead",
                    "random-inspection",
                ],
            )
            .expect_code(0)
            .json();
        let case = opened["id"].as_str().unwrap().to_owned();
        let doc = |name: &str| {
            let path = self.files.join(format!("{name}.pdf"));
            std::fs::write(&path, format!("{name} of {case}")).unwrap();
            format!("@{}", path.display())
        };
        let officer = self.key_path("market-officer");
        let officer2 = self.key_path("market-officer2");
        let steps: Vec<(&str, &str, Vec<String>)> = vec![
            (
                "market-officer",
                "open-admin-case",
                vec!["--attach".into(), doc("opening")],
            ),
            (
                "market-officer",
                "mark-suspected",
                vec![
                    "--attach".into(),
                    doc("threshold"),
                    "--attach".into(),
                    doc("list"),
                ],
            ),
            (
                "market-officer",
                "form-taskforce",
                vec![
                    "--officer".into(),
                    officer.display().to_string(),
                    "--officer".into(),
                    officer2.display().to_string(),
                ],
            ),
            (
                "market-officer",
                "submit-report",
                vec!["--attach".into(), doc("report")],
            ),
            (
                "market-head",
                "approve-transfer",
                vec!["--attach".into(), doc("decision")],
            ),
        ];
        for (key, action, extra) in steps {
            let mut args = vec!["case", "act", case.as_str(), action];
            args.extend(extra.iter().map(String::as_str));
            self.cli(MARKET, key, &args).expect_code(0);
        }
        case
    }

    fn transfer_to_police(&self, case: &str) {
        // The transfer carries the letter, the inquiry record, the
        // inventory and the test report (SC-Transfer Art 6).
        let mut args = vec![
            "case".to_owned(),
            "act".into(),
            case.into(),
            "transfer".into(),
        ];
        args.extend(["--to".into(), "police".into()]);
        for name in ["letter", "inquiry", "inventory", "test-report"] {
            let path = self.files.join(format!("{name}.pdf"));
            std::fs::write(&path, format!("{name} of {case}")).unwrap();
            args.extend(["--attach".into(), format!("@{}", path.display())]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.cli(MARKET, "market-officer", &args).expect_code(0);
    }
}

fn start() -> (tempfile::TempDir, Agencies) {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 1, Duration::from_secs(90));
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    (dir, Agencies { net, files })
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    std::fs::read(a).unwrap() == std::fs::read(b).unwrap()
}

#[test]
fn case_evidence_travels_to_the_police_only_once_transferred_and_checked() {
    let (_dir, agencies) = start();
    let case = agencies.case_ready_for_transfer();
    let market_colleague = agencies.key_path("market-officer2");

    // Seized evidence, anchored to the case and stored on the market
    // regulator's node in one step.
    let (video, video_digest) = agencies.write("seizure-video.bin", 3 * 1024 * 1024 + 17, 7);
    let anchored = agencies
        .cli(
            MARKET,
            "market-officer",
            &[
                "evidence",
                "anchor",
                video.to_str().unwrap(),
                "--category",
                "audiovisual",
                "--case",
                &case,
                "--upload",
                "--collected-by",
                market_colleague.to_str().unwrap(),
            ],
        )
        .expect_code(0)
        .json();
    assert_eq!(anchored["vault"]["stored"], "new", "{anchored}");
    assert!(same_bytes(
        &video,
        &agencies.vault_path(MARKET, &video_digest)
    ));

    // Before the transfer the police may not read it. A market officer (who
    // may) asks through the police node: the holder checks the police node's
    // organisation, refuses, and sends nothing.
    let refused = agencies
        .cli(
            POLICE,
            "market-officer",
            &[
                "evidence",
                "fetch",
                &video_digest,
                "-o",
                agencies.files.join("x").to_str().unwrap(),
            ],
        )
        .expect_code(1);
    assert!(
        refused.stderr.contains("vault_refused"),
        "{}",
        refused.stderr
    );
    assert!(!agencies.vault_path(POLICE, &video_digest).exists());
    let part = agencies.net.nodes[POLICE]
        .home
        .join("vault/tmp")
        .join(format!("{video_digest}.part"));
    assert!(!part.exists(), "a refused transfer left {}", part.display());
    // And the police officer is refused by their own node's policy check.
    agencies
        .cli(
            POLICE,
            "police-officer",
            &[
                "evidence",
                "fetch",
                &video_digest,
                "-o",
                agencies.files.join("y").to_str().unwrap(),
            ],
        )
        .expect_code(1);

    // Transferred: the police node fetches the case's evidence by itself.
    agencies.transfer_to_police(&case);
    let fetched = agencies.vault_path(POLICE, &video_digest);
    agencies.wait_for(
        "the police node to receive the video",
        Duration::from_secs(60),
        || fetched.exists(),
    );
    assert!(same_bytes(&video, &fetched));

    // A police officer downloads it through the police node.
    let out = agencies.files.join("downloaded.bin");
    let answer = agencies
        .cli(
            POLICE,
            "police-officer",
            &[
                "evidence",
                "fetch",
                &video_digest,
                "-o",
                out.to_str().unwrap(),
            ],
        )
        .expect_code(0)
        .json();
    assert_eq!(answer["fetched"], true);
    assert!(same_bytes(&video, &out));

    // Evidence added to the case later, whose copy on the holder's node is
    // damaged: the police node discards what it received and retries; once
    // the holder's copy is repaired the transfer succeeds.
    let (photo, photo_digest) = agencies.write("scene-photos.bin", 1024 * 1024 + 5, 11);
    agencies
        .cli(
            MARKET,
            "market-officer",
            &[
                "evidence",
                "anchor",
                photo.to_str().unwrap(),
                "--category",
                "documentary",
                "--case",
                &case,
                "--collected-by",
                market_colleague.to_str().unwrap(),
            ],
        )
        .expect_code(0);
    let mut damaged = std::fs::read(&photo).unwrap();
    damaged[300_000] ^= 0x01;
    let holder_copy = agencies.vault_path(MARKET, &photo_digest);
    std::fs::create_dir_all(holder_copy.parent().unwrap()).unwrap();
    std::fs::write(&holder_copy, &damaged).unwrap();

    let status_path = format!("/v1/vault/{photo_digest}");
    let mut report = Value::Null;
    agencies.wait_for(
        "a corrupt transfer to be reported",
        Duration::from_secs(60),
        || {
            let (code, body) = agencies.signed_get(POLICE, "police-officer", &status_path);
            report = body;
            code == 202 && report["transfer"]["failed_attempts"].as_u64().unwrap_or(0) >= 1
        },
    );
    let last_error = report["transfer"]["last_error"]
        .as_str()
        .unwrap_or_default();
    assert!(last_error.contains("discarded"), "{report}");
    assert!(!agencies.vault_path(POLICE, &photo_digest).exists());

    std::fs::write(&holder_copy, std::fs::read(&photo).unwrap()).unwrap();
    let received = agencies.vault_path(POLICE, &photo_digest);
    agencies.wait_for("the retried transfer", Duration::from_secs(90), || {
        received.exists()
    });
    assert!(same_bytes(&photo, &received));

    // A transfer resumes from the bytes already received: the police node
    // holds the first MiB of the next file from an interrupted transfer, and
    // the holder's copy is damaged only inside that first MiB. Only a
    // transfer that asks for the rest, and not the start, can succeed.
    let (export, export_digest) = agencies.write("till-export.bin", 2 * 1024 * 1024 + 99, 13);
    let original = std::fs::read(&export).unwrap();
    let tmp = agencies.net.nodes[POLICE].home.join("vault/tmp");
    std::fs::write(
        tmp.join(format!("{export_digest}.part")),
        &original[..1024 * 1024],
    )
    .unwrap();
    let mut damaged = original.clone();
    damaged[1000] ^= 0x80;
    let holder_copy = agencies.vault_path(MARKET, &export_digest);
    std::fs::create_dir_all(holder_copy.parent().unwrap()).unwrap();
    std::fs::write(&holder_copy, &damaged).unwrap();
    agencies
        .cli(
            MARKET,
            "market-officer",
            &[
                "evidence",
                "anchor",
                export.to_str().unwrap(),
                "--category",
                "electronic",
                "--case",
                &case,
                "--collected-by",
                market_colleague.to_str().unwrap(),
            ],
        )
        .expect_code(0);
    let resumed = agencies.vault_path(POLICE, &export_digest);
    agencies.wait_for("the resumed transfer", Duration::from_secs(60), || {
        resumed.exists()
    });
    assert_eq!(std::fs::read(&resumed).unwrap(), original);
}
