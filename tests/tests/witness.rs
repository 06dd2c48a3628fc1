//! Checkpoints and witnesses with the real binaries: `xianjie-node witness`
//! co-signs a dev chain's checkpoints, checking each against the last one it
//! co-signed; the node keeps the notes of listed witnesses only; and a fork
//! (the same genesis and validator key, another history) is caught: the
//! witness co-signs nothing on it, writes what it saw and will not start
//! again until that is looked at.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_json::Value;
use xianjie_ledger::checkpoint::{require_witnesses, Checkpoint, SignedNote, VerifierKey};
use xianjie_tests::{
    copy_dir, run_cli, run_node, verify_receipt, write_sample_file, CliRun, DevNode,
};

const FORK_EXIT_CODE: i32 = 3;

struct Witness {
    key: PathBuf,
    name: String,
    state: PathBuf,
}

impl Witness {
    fn new(dir: &Path, name: &str) -> Witness {
        let key = dir.join(format!("{}.key", name.replace('/', "_")));
        run_cli(&["keys", "new", "--plain", "--out", key.to_str().unwrap()]).expect_code(0);
        Witness {
            key,
            name: name.to_owned(),
            state: dir.join(format!("{}.state", name.replace('/', "_"))),
        }
    }

    fn vkey(&self) -> String {
        let run = run_node(&[
            OsStr::new("witness"),
            OsStr::new("--show-vkey"),
            OsStr::new("--key"),
            self.key.as_os_str(),
            OsStr::new("--name"),
            OsStr::new(&self.name),
        ])
        .expect_code(0);
        run.stdout.trim().to_owned()
    }

    /// One round against `node`, with the genesis of `home`.
    fn round(&self, node: &DevNode) -> CliRun {
        run_node(&[
            OsStr::new("witness"),
            OsStr::new("--node"),
            OsStr::new(&node.url),
            OsStr::new("--genesis"),
            node.home.join("genesis.json").as_os_str(),
            OsStr::new("--key"),
            self.key.as_os_str(),
            OsStr::new("--name"),
            OsStr::new(&self.name),
            OsStr::new("--state"),
            self.state.as_os_str(),
        ])
    }
}

fn anchor(node: &DevNode, dir: &Path, seed: u64) {
    let file = dir.join(format!("witnessed-{seed}.bin"));
    write_sample_file(&file, 150, 51_000 + seed);
    node.anchor_as_market(&file, &[]);
}

fn get(node: &DevNode, path: &str) -> Value {
    ureq::get(format!("{}{path}", node.url))
        .call()
        .expect("node answers")
        .into_body()
        .read_json()
        .expect("JSON")
}

fn post_note(node: &DevNode, note: &str) -> (u16, Value) {
    let response = ureq::post(format!("{}/v1/checkpoints/cosignatures", node.url))
        .config()
        .http_status_as_error(false)
        .build()
        .header("content-type", "text/plain")
        .send(note)
        .expect("node answers");
    let status = response.status().as_u16();
    (status, response.into_body().read_json().expect("JSON"))
}

fn witnessed(node: &DevNode) -> Vec<(String, u64, String)> {
    get(node, "/v1/checkpoints/witnessed")
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["witness"].as_str().unwrap().to_owned(),
                entry["size"].as_u64().unwrap(),
                entry["note"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A dev node whose home lists `witnesses` (it reads the list at start).
fn start_with_witnesses(home: &Path, witnesses: &[&Witness]) -> DevNode {
    let list: String = witnesses
        .iter()
        .map(|w| format!("{}\n", w.vkey()))
        .collect();
    std::fs::write(home.join("witnesses.txt"), list).unwrap();
    DevNode::start(home)
}

#[test]
fn a_listed_witness_cosigns_each_newer_checkpoint_and_the_node_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = DevNode::start(&home);
    anchor(&node, dir.path(), 1);
    let (home, _) = node.stop();
    let court = Witness::new(dir.path(), "witness.court.example/w1");
    let stranger = Witness::new(dir.path(), "witness.elsewhere.example/w1");
    let node = start_with_witnesses(&home, &[&court]);

    court.round(&node).expect_code(0);
    let notes = witnessed(&node);
    assert_eq!(notes.len(), 1, "{notes:?}");
    let (name, first_size, note) = &notes[0];
    assert_eq!(name, &court.name);
    let latest = get(&node, "/v1/checkpoints/latest");
    assert_eq!(Some(*first_size), latest["size"].as_u64());
    let parsed = SignedNote::parse(note).unwrap();
    let vkey = VerifierKey::parse(&court.vkey()).unwrap();
    require_witnesses(&parsed, std::slice::from_ref(&vkey), 1).unwrap();
    let checkpoint = Checkpoint::parse_body(&parsed.text).unwrap();
    let tip_header = &latest["certified"]["header"];
    assert_eq!(
        checkpoint.root.to_hex(),
        tip_header["history_root"].as_str().unwrap()
    );

    // A round with nothing new co-signs nothing; a longer chain is checked
    // for consistency with the last co-signed checkpoint, then co-signed.
    court.round(&node).expect_code(0);
    anchor(&node, dir.path(), 2);
    anchor(&node, dir.path(), 3);
    court.round(&node).expect_code(0);
    let notes = witnessed(&node);
    assert_eq!(notes[0].1, first_size + 2, "{notes:?}");

    // A witness the node does not list is refused, and so is a note of a
    // checkpoint this chain does not have; neither changes what is kept.
    stranger.round(&node).expect_code(0);
    assert_eq!(witnessed(&node).len(), 1);
    let stranger_note = {
        let body = get(&node, "/v1/checkpoints/latest")["body"]
            .as_str()
            .unwrap()
            .to_owned();
        let key = xianjie_ledger::crypto::KeyFile::parse(
            &std::fs::read_to_string(&stranger.key).unwrap(),
        )
        .unwrap();
        let checkpoint = Checkpoint::parse_body(&body).unwrap();
        let line =
            xianjie_ledger::checkpoint::cosign(&checkpoint, &stranger.name, &key, 1_800_000_000)
                .unwrap();
        SignedNote {
            text: body,
            signatures: vec![line],
        }
        .to_text()
    };
    let (status, refused) = post_note(&node, &stranger_note);
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (403, Some("unknown_witness"))
    );
    let mut other = checkpoint.clone();
    other.root.0[0] ^= 1;
    let key = xianjie_ledger::crypto::KeyFile::parse(&std::fs::read_to_string(&court.key).unwrap())
        .unwrap();
    let forged = SignedNote {
        text: other.to_body(),
        signatures: vec![xianjie_ledger::checkpoint::cosign(
            &other,
            &court.name,
            &key,
            1_800_000_000,
        )
        .unwrap()],
    };
    let (status, refused) = post_note(&node, &forged.to_text());
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (409, Some("checkpoint_mismatch"))
    );
    let (status, refused) = post_note(&node, "not a note\n");
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("bad_checkpoint"))
    );
    assert_eq!(witnessed(&node)[0].1, first_size + 2);
}

#[test]
fn a_witness_catches_a_forked_history_and_stops_co_signing() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = DevNode::start(&home);
    anchor(&node, dir.path(), 10);
    let (home, _) = node.stop();
    // The same genesis and validator key: a second history that the holders
    // of every validator key could write.
    let fork_home = dir.path().join("fork");
    copy_dir(&home, &fork_home);
    let court = Witness::new(dir.path(), "witness.court.example/w1");

    let honest = start_with_witnesses(&home, &[&court]);
    anchor(&honest, dir.path(), 11);
    anchor(&honest, dir.path(), 12);
    court.round(&honest).expect_code(0);
    let co_signed = witnessed(&honest)[0].1;
    honest.stop();

    // The fork has as many blocks: the same size with another root.
    let forked = start_with_witnesses(&fork_home, &[&court]);
    anchor(&forked, dir.path(), 21);
    anchor(&forked, dir.path(), 22);
    assert_eq!(
        get(&forked, "/v1/checkpoints/latest")["size"].as_u64(),
        Some(co_signed)
    );
    let caught = court.round(&forked);
    assert_eq!(caught.code, FORK_EXIT_CODE, "{caught:?}");
    assert!(caught.stderr.contains("FORK"), "{}", caught.stderr);
    assert!(
        witnessed(&forked).is_empty(),
        "nothing co-signed on the fork"
    );

    // Longer, it is refused by the consistency proof too; the witness will
    // not even start until its alert is looked at.
    let alert = PathBuf::from(format!("{}.FORK", court.state.display()));
    assert!(std::fs::read_to_string(&alert)
        .unwrap()
        .contains("co-signed before"));
    let refused = court.round(&forked);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("saw a fork"), "{}", refused.stderr);
    std::fs::remove_file(&alert).unwrap();
    anchor(&forked, dir.path(), 23);
    let caught = court.round(&forked);
    assert_eq!(caught.code, FORK_EXIT_CODE, "{caught:?}");
    assert!(witnessed(&forked).is_empty());
}

/// A receipt of `file` from `node`, written to `out`.
fn receipt_of(node: &DevNode, file: &Path, out: &Path) {
    let digest = run_cli(&["evidence", "hash", file.to_str().unwrap()])
        .expect_code(0)
        .stdout
        .trim()
        .to_owned();
    node.cli_as(
        "court-officer",
        &["evidence", "receipt", &digest, "-o", out.to_str().unwrap()],
    )
    .expect_code(0);
}

fn verify(receipt: &Path, genesis: &Path, witnesses: Option<&Path>) -> CliRun {
    match witnesses {
        Some(list) => verify_receipt(receipt, genesis, &["--witnesses", list.to_str().unwrap()]),
        None => verify_receipt(receipt, genesis, &[]),
    }
}

#[test]
fn a_receipt_minted_with_the_validator_keys_alone_is_refused_under_witnesses() {
    use xianjie_ledger::receipt::Receipt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = DevNode::start(&home);
    anchor(&node, dir.path(), 30);
    let (home, _) = node.stop();
    let fork_home = dir.path().join("fork");
    copy_dir(&home, &fork_home);
    let court = Witness::new(dir.path(), "witness.court.example/w1");
    let list = dir.path().join("witnesses.txt");
    std::fs::write(
        &list,
        format!("# the court's witness\n{}\nrequire 1\n", court.vkey()),
    )
    .unwrap();
    let genesis = home.join("genesis.json");

    // The honest chain: anchored, then witnessed; its receipt carries the
    // court's cosignature of a history holding all its headers.
    let honest = start_with_witnesses(&home, &[&court]);
    let file = dir.path().join("witnessed-31.bin");
    anchor(&honest, dir.path(), 31);
    anchor(&honest, dir.path(), 32);
    court.round(&honest).expect_code(0);
    let receipt = dir.path().join("honest.xjrcpt");
    receipt_of(&honest, &file, &receipt);
    let checked = verify(&receipt, &genesis, Some(&list))
        .expect_code(0)
        .json();
    assert_eq!(
        checked["witnessed"]["witnesses"][0],
        court.name.as_str(),
        "{checked:#}"
    );
    assert_eq!(checked["witnessed"]["required"], 1);
    honest.stop();

    // The same keys write another history: its receipt verifies against the
    // genesis alone, and is refused once the witnesses are asked.
    let forked = start_with_witnesses(&fork_home, &[&court]);
    let forged_file = dir.path().join("witnessed-41.bin");
    anchor(&forked, dir.path(), 41);
    anchor(&forked, dir.path(), 42);
    let caught = court.round(&forked);
    assert_eq!(caught.code, FORK_EXIT_CODE, "{caught:?}");
    let forged = dir.path().join("forged.xjrcpt");
    receipt_of(&forked, &forged_file, &forged);
    verify(&forged, &genesis, None).expect_code(0);
    let refused = verify(&forged, &genesis, Some(&list)).expect_code(1).json();
    assert_eq!(refused["reason"], "too_few_witnesses", "{refused:#}");

    // Grafting the honest chain's witnessed checkpoint onto the forged
    // receipt does not help: its headers are not in that history.
    let honest_receipt = Receipt::from_bytes(&std::fs::read(&receipt).unwrap()).unwrap();
    let mut grafted = Receipt::from_bytes(&std::fs::read(&forged).unwrap()).unwrap();
    let mut witnessed = honest_receipt.witnessed[0].clone();
    witnessed.inclusions.truncate(grafted.headers.len());
    while witnessed.inclusions.len() < grafted.headers.len() {
        witnessed.inclusions.push(witnessed.inclusions[0].clone());
    }
    grafted.witnessed = vec![witnessed];
    let grafted_path = dir.path().join("grafted.xjrcpt");
    std::fs::write(&grafted_path, grafted.to_bytes()).unwrap();
    let refused = verify(&grafted_path, &genesis, None).expect_code(1).json();
    assert_eq!(
        refused["reason"], "witnessed_checkpoint_invalid",
        "{refused:#}"
    );

    // A flipped byte in the honest receipt's cosignature (in its signature,
    // past the key id and time) is caught by the witness list.
    let mut tampered = honest_receipt.clone();
    let note = &mut tampered.witnessed[0].note;
    let at = note.len() - 8;
    let flipped: String = note
        .char_indices()
        .map(|(i, c)| {
            if i == at {
                if c == 'A' {
                    'B'
                } else {
                    'A'
                }
            } else {
                c
            }
        })
        .collect();
    *note = flipped;
    let tampered_path = dir.path().join("tampered.xjrcpt");
    std::fs::write(&tampered_path, tampered.to_bytes()).unwrap();
    let refused = verify(&tampered_path, &genesis, Some(&list))
        .expect_code(1)
        .json();
    assert_eq!(
        refused["reason"], "witnessed_checkpoint_invalid",
        "{refused:#}"
    );
}

#[test]
fn witnesses_that_co_signed_different_sizes_all_count_in_a_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = DevNode::start(&home);
    anchor(&node, dir.path(), 60);
    let (home, _) = node.stop();
    let court = Witness::new(dir.path(), "witness.court.example/w1");
    let procuratorate = Witness::new(dir.path(), "witness.procuratorate.example/w1");
    let node = start_with_witnesses(&home, &[&court, &procuratorate]);
    let file = dir.path().join("witnessed-61.bin");
    anchor(&node, dir.path(), 61);
    anchor(&node, dir.path(), 62);
    court.round(&node).expect_code(0);
    anchor(&node, dir.path(), 63);
    anchor(&node, dir.path(), 64);
    procuratorate.round(&node).expect_code(0);
    let sizes: Vec<u64> = witnessed(&node).iter().map(|(_, size, _)| *size).collect();
    assert_eq!(sizes.len(), 2);
    assert_ne!(
        sizes[0], sizes[1],
        "the two witnesses co-signed different sizes"
    );

    let list = dir.path().join("witnesses.txt");
    std::fs::write(
        &list,
        format!("{}\n{}\nrequire 2\n", court.vkey(), procuratorate.vkey()),
    )
    .unwrap();
    let receipt = dir.path().join("r.xjrcpt");
    receipt_of(&node, &file, &receipt);
    let checked = verify(&receipt, &home.join("genesis.json"), Some(&list))
        .expect_code(0)
        .json();
    assert_eq!(
        checked["witnessed"]["witnesses"].as_array().unwrap().len(),
        2,
        "{checked:#}"
    );
    // Built where both histories cover it: the smaller of the two sizes.
    assert_eq!(checked["height"].as_u64(), sizes.iter().min().copied());
}
