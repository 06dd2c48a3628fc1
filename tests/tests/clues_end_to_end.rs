//! Clues (线索) with the real binaries, as the README walks through them: a
//! 12345 hotline work order dispatched to the market regulator, forwarded to
//! the environment bureau, accepted and converted into a case, with the
//! hotline office following it to the end; a refused route and a refused
//! reader; and a clue about a natural person whose identity number reaches
//! neither the chain's store nor the node's log.

use std::path::Path;

use xianjie_tests::DevNode;

const PLANT: &str = "91330100MA2H3K4L50";
/// A sample identity number with a valid check character (GB 11643).
const PERSON: &str = "11010519491231002X";

#[test]
fn a_hotline_clue_is_forwarded_converted_into_a_case_and_followed_by_its_sender() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let order = dir.path().join("work-order.pdf");
    std::fs::write(
        &order,
        "12345 work order: night-time discharge into the canal",
    )
    .unwrap();
    let order_arg = format!("@{}", order.display());

    let sent = node
        .cli_as(
            "government-officer",
            &[
                "clue",
                "send",
                "--to",
                "market",
                "--source",
                "hotline-12345",
                "--entity",
                PLANT,
                "--matter",
                "environment/illegal-discharge",
                "--material",
                &order_arg,
            ],
        )
        .expect_code(0)
        .json();
    let first = sent["id"].as_str().unwrap().to_owned();
    assert!(first.starts_with("CLUE-"), "{sent}");

    // The market regulator sees it incoming, with its 7-day clock.
    let incoming = node
        .cli_as("market-officer", &["clue", "list", "--incoming"])
        .expect_code(0)
        .json();
    assert_eq!(incoming["complete"], true, "{incoming}");
    assert_eq!(incoming["total"], 1, "{incoming}");
    let listed = &incoming["clues"][0];
    assert_eq!(listed["clue"]["id"], first.as_str(), "{incoming}");
    assert_eq!(listed["clocks"][0]["rule"], "CLUE_RESPONSE");
    assert_eq!(listed["overdue"], false);
    let text = node
        .cli_text_as("market-officer", &["clue", "show", &first])
        .expect_code(0);
    assert!(
        text.stdout.contains("clock CLUE_RESPONSE: due"),
        "{}",
        text.stdout
    );

    // Discharges are the environment bureau's: forwarded there.
    let forwarded = node
        .cli_as(
            "market-officer",
            &[
                "clue",
                "forward",
                &first,
                "--to",
                "environment",
                "--reason",
                "排污由生态环境部门管辖",
            ],
        )
        .expect_code(0)
        .json();
    let second = forwarded["forwarded_as"].as_str().unwrap().to_owned();
    assert_ne!(second, first);

    // The police are not its receiver: refused, nothing changes.
    let refused = node
        .cli_as("police-officer", &["clue", "accept", &second])
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "policy_denied", "{refused}");

    node.cli_as("environment-officer", &["clue", "accept", &second])
        .expect_code(0);
    let opened = node
        .cli_as(
            "environment-officer",
            &[
                "case",
                "open",
                "--title",
                "夜间向河道偷排废水",
                "--entity",
                PLANT,
                "--domain",
                "environment",
                "--lead",
                "clue",
                "--lead-ref",
                &second,
            ],
        )
        .expect_code(0)
        .json();
    let case = opened["id"].as_str().unwrap().to_owned();

    // The bureau consults the market regulator about the case (双向咨询):
    // the request shows on the case with its 7-day clock until answered.
    let asked = node
        .cli_as(
            "environment-officer",
            &[
                "request",
                "ask",
                "--kind",
                "consultation",
                "--case",
                &case,
                "--to",
                "market",
                "--question",
                "该企业是否有市场监管处罚记录？",
            ],
        )
        .expect_code(0)
        .json();
    let request = asked["id"].as_str().unwrap().to_owned();
    let shown = node
        .cli_as("environment-officer", &["case", "show", &case])
        .expect_code(0)
        .json();
    assert_eq!(
        shown["requests"][0]["request"]["id"],
        request.as_str(),
        "{shown}"
    );
    assert_eq!(
        shown["requests"][0]["clocks"][0]["rule"],
        "CONSULTATION_ANSWER"
    );
    // The procuratorate reads every case of its region, but not a request
    // between two other organs.
    let supervised = node
        .cli_as("procuratorate-officer", &["case", "show", &case])
        .expect_code(0)
        .json();
    assert_eq!(
        supervised["requests"],
        serde_json::json!([]),
        "{supervised}"
    );
    let text = node
        .cli_text_as("environment-officer", &["case", "show", &case])
        .expect_code(0);
    assert!(
        text.stdout.contains("CONSULTATION_ANSWER must answer by"),
        "{}",
        text.stdout
    );
    let incoming = node
        .cli_as(
            "market-officer",
            &["request", "list", "--incoming", "--open"],
        )
        .expect_code(0)
        .json();
    assert_eq!(
        incoming["requests"][0]["request"]["id"],
        request.as_str(),
        "{incoming}"
    );
    // Only the organ asked answers.
    let refused = node
        .cli_as(
            "police-officer",
            &["request", "answer", &request, "--answer", "无"],
        )
        .expect_code(1)
        .json();
    assert_eq!(refused["code"], "policy_denied", "{refused}");
    node.cli_as(
        "market-officer",
        &[
            "request",
            "answer",
            &request,
            "--answer",
            "2025年因超标排放被处罚一次",
        ],
    )
    .expect_code(0);
    let shown = node
        .cli_as("environment-officer", &["case", "show", &case])
        .expect_code(0)
        .json();
    assert_eq!(
        shown["requests"][0]["request"]["state"], "answered",
        "{shown}"
    );
    assert!(shown["requests"][0]["clocks"]
        .as_array()
        .unwrap()
        .is_empty());

    // The hotline office sees what became of its work order.
    let followed = node
        .cli_as("government-officer", &["clue", "show", &first])
        .expect_code(0)
        .json();
    assert_eq!(followed["clue"]["state"], "forwarded", "{followed}");
    assert_eq!(followed["final_clue"], second.as_str());
    assert_eq!(followed["final_org"], "environment");
    assert_eq!(followed["final_state"], "converted");
    assert_eq!(followed["final_case"], case.as_str());
    assert!(followed["clocks"].as_array().unwrap().is_empty());
    let at_end = node
        .cli_as("environment-officer", &["clue", "show", &second])
        .expect_code(0)
        .json();
    let steps: Vec<&str> = at_end["clue"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["send", "accept", "convert"]);
    assert_eq!(at_end["clue"]["earlier_senders"][0], "government");

    // The court had no part in it.
    let denied = node
        .cli_as("court-officer", &["clue", "show", &first])
        .expect_code(1)
        .json();
    assert_eq!(denied["code"], "read_denied");
    // A duty crime does not go to the police (D9).
    let duty = node
        .cli_as(
            "market-officer",
            &[
                "clue",
                "send",
                "--to",
                "police",
                "--source",
                "report",
                "--entity",
                PLANT,
                "--matter",
                "bribery",
                "--duty-crime",
            ],
        )
        .expect_code(1)
        .json();
    assert_eq!(duty["code"], "clue_route_refused", "{duty}");
}

#[test]
fn a_person_named_by_a_clue_is_only_a_salted_hash_on_chain_and_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let number_file = dir.path().join("person.txt");
    std::fs::write(&number_file, format!("{PERSON}\n")).unwrap();
    let salt = home.join("keys").join("person.salt");
    let person_args = [
        "--person-from",
        number_file.to_str().unwrap(),
        "--person-salt",
        salt.to_str().unwrap(),
    ];
    let mut args = vec![
        "clue",
        "send",
        "--to",
        "police",
        "--source",
        "report",
        "--matter",
        "fraud/online",
    ];
    args.extend_from_slice(&person_args);
    let sent = node.cli_as("market-officer", &args).expect_code(0).json();
    let id = sent["id"].as_str().unwrap().to_owned();
    let shown = node
        .cli_as("police-officer", &["clue", "show", &id])
        .expect_code(0)
        .json();
    let mut hash_args = vec!["clue", "person-hash"];
    hash_args.extend_from_slice(&person_args);
    let hash = node
        .cli_as("police-officer", &hash_args)
        .expect_code(0)
        .json();
    assert_eq!(
        shown["clue"]["subject"]["natural_person"], hash["person"],
        "{shown}"
    );
    // Another salt gives another hash: the salt is what keeps it private.
    let other_salt = dir.path().join("other.salt");
    let other_args = [
        "clue",
        "person-hash",
        "--person-from",
        number_file.to_str().unwrap(),
        "--person-salt",
        other_salt.to_str().unwrap(),
    ];
    // A salt others may read, or one repeated byte, is refused.
    std::fs::write(&other_salt, "0123456789abcdef".repeat(4)).unwrap();
    let loose = node.cli_as("police-officer", &other_args).expect_code(2);
    assert!(loose.stderr.contains("chmod 600"), "{loose:?}");
    use std::os::unix::fs::PermissionsExt as _;
    let private = std::fs::Permissions::from_mode(0o600);
    std::fs::set_permissions(&other_salt, private).unwrap();
    let other = node
        .cli_as("police-officer", &other_args)
        .expect_code(0)
        .json();
    std::fs::write(&other_salt, "11".repeat(32)).unwrap();
    let repeated = node.cli_as("police-officer", &other_args).expect_code(2);
    assert!(repeated.stderr.contains("repeated byte"), "{repeated:?}");
    assert_ne!(other["person"], hash["person"]);
    // A case about the person names the same salted hash, never the number.
    let mut open = vec![
        "case",
        "open",
        "--title",
        "网络诈骗举报",
        "--domain",
        "general",
        "--lead",
        "complaint",
    ];
    open.extend_from_slice(&person_args);
    let opened = node.cli_as("market-officer", &open).expect_code(0).json();
    let case = opened["id"].as_str().unwrap().to_owned();
    let shown = node
        .cli_as("market-officer", &["case", "show", &case])
        .expect_code(0)
        .json();
    let expected = format!("person:{}", hash["person"].as_str().unwrap());
    assert_eq!(shown["case"]["entity"], expected.as_str(), "{shown}");
    // A file that does not hold an identity number is refused before anything is sent.
    std::fs::write(&number_file, "110105194912310021\n").unwrap();
    let bad = node.cli_as("market-officer", &args).expect_code(2);
    assert!(bad.stderr.contains("identity card number"), "{bad:?}");

    let (home, _) = node.stop();
    let mut files = Vec::new();
    collect_files(&home, &mut files);
    collect_files(dir.path(), &mut files);
    let mut searched = 0;
    for file in files {
        if file == number_file || file.starts_with(dir.path().join("person.txt")) {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        searched += bytes.len();
        assert!(
            !bytes.windows(PERSON.len()).any(|w| w == PERSON.as_bytes()),
            "{} holds the identity number",
            file.display()
        );
    }
    assert!(searched > 0);
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}
