//! A validator whose store lost committed blocks refuses to start (a
//! validator rolled back below heights it voted on could sign twice); with
//! its store moved aside it fetches the chain again from its peers without
//! voting, and records its tip again once it is past the recorded height.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xianjie_tests::binary;
use xianjie_tests::network::{NetOptions, Network};

/// The height and block hash in `home/committed-tip`, and whether it is re-syncing.
fn committed_tip(home: &Path) -> (u64, String, bool) {
    let text = std::fs::read_to_string(home.join("committed-tip")).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_owned()
    };
    (
        field("height").parse().unwrap(),
        field("block"),
        field("resyncing") == "yes",
    )
}

/// Runs `xianjie-node start` on `home`, which must refuse to start.
fn start_must_refuse(home: &Path) -> String {
    let log = home.with_extension("refused.log");
    let mut child = Command::new(binary("xianjie-node"))
        .arg("start")
        .arg("--home")
        .arg(home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stderr = std::fs::read_to_string(&log).unwrap();
    let status = status.unwrap_or_else(|| panic!("the node started on a damaged store:\n{stderr}"));
    assert!(!status.success(), "{stderr}");
    stderr
}

#[test]
fn a_validator_with_a_cut_store_refuses_and_with_its_store_moved_aside_resyncs() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    net.start_all();
    net.wait_for_height(&[0, 1, 2, 3], 5, Duration::from_secs(60));
    net.stop(3);
    let home = net.nodes[3].home.clone();
    let (recorded, block, resyncing) = committed_tip(&home);
    assert!(recorded >= 5 && !resyncing);
    assert_eq!(net.block_id(0, recorded).unwrap().0, block);

    let db = home.join("data").join("db");
    let file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.set_len(file.metadata().unwrap().len() / 2).unwrap();
    drop(file);
    let stderr = start_must_refuse(&home);
    assert!(stderr.contains("is damaged"), "{stderr}");
    assert!(
        stderr.contains(&format!("records height {recorded}")),
        "{stderr}"
    );
    assert!(stderr.contains("aside"), "{stderr}");
    assert_eq!(committed_tip(&home), (recorded, block.clone(), false));

    std::fs::rename(home.join("data"), home.join("data.damaged")).unwrap();
    net.start(3);
    net.wait_for_height(&[3], recorded + 3, Duration::from_secs(120));
    net.assert_same_chain(&[0, 3], recorded + 2);
    let (height, _, resyncing) = committed_tip(&home);
    assert!(
        height > recorded && !resyncing,
        "re-sync finished in the record"
    );
    let log = std::fs::read_to_string(home.with_extension("2.log")).unwrap();
    assert!(log.contains("without voting"), "{log}");
    assert!(log.contains("restart the node to vote again"), "{log}");
}
