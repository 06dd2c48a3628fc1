//! Keys inside a real SoftHSM2 token, used through `pkcs11:` URIs by the
//! real binaries: an officer whose key never leaves the token anchors
//! evidence on a dev chain, a validator of a four-node network signs its
//! votes with a consensus key that lives in a token, and a validator whose
//! consensus key cannot be opened does not start.

#[path = "../../keyfile/tests/support/softhsm.rs"]
mod softhsm;

use std::path::Path;
use std::time::Duration;

use softhsm::{SoftHsm, PIN_TOKEN, TOKEN, VALIDATOR_TOKEN};
use xianjie_ledger::block::Commit;
use xianjie_ledger::crypto::{self, vote_digest, PublicKey, VoteKind};
use xianjie_ledger::genesis::Genesis;
use xianjie_tests::network::{NetOptions, Network};
use xianjie_tests::{run_cli, run_node, write_sample_file, DevNode};

/// The process's tokens: an officer key on one, a validator key on another.
fn hsm() -> &'static SoftHsm {
    SoftHsm::get()
}

/// What `xianjie keys show --key URI --json` prints (`id`, `public_key`).
fn show(uri: &str) -> serde_json::Value {
    run_cli(&["--json", "--key", uri, "keys", "show"])
        .expect_code(0)
        .json()
}

#[test]
fn an_officer_key_inside_softhsm2_signs_transactions_and_reads() {
    let hsm = hsm();
    let uri = hsm.uri(TOKEN, "officer");
    let key = show(&uri);
    let id = key["id"].as_str().unwrap().to_owned();
    let public_key = key["public_key"].as_str().unwrap().to_owned();

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("chain");
    std::fs::create_dir_all(&home).unwrap();
    let node = DevNode::start(&home);
    let file = dir.path().join("seized-phone.img");
    write_sample_file(&file, 8192, 3);
    let colleague = node.key("market-officer2");
    let anchor = [
        "evidence",
        "anchor",
        file.to_str().unwrap(),
        "--category",
        "electronic",
        "--collected-by",
        colleague.to_str().unwrap(),
    ];
    let key_uri = Path::new(&uri);

    let unknown = node.cli_with_key_file(key_uri, &anchor).expect_code(1);
    assert!(
        unknown.stderr.contains("refused by the ledger"),
        "an unregistered token key signs nothing: {unknown:?}"
    );
    node.cli_as(
        "market-admin",
        &["officer", "register", &public_key, "--role", "officer"],
    )
    .expect_code(0);

    let anchored = node
        .cli_with_key_file(key_uri, &anchor)
        .expect_code(0)
        .json();
    let digest = anchored["digest"].as_str().unwrap();
    let tx = anchored["tx"].as_str().unwrap();
    assert_eq!(anchored["signed_by"][0], id.as_str(), "{anchored}");
    let committed = node.status().unwrap();
    assert!(committed["height"].as_u64().unwrap() >= anchored["height"].as_u64().unwrap());

    // Read back with a read the token signs: the chain names the token's
    // key as the one that anchored, in the transaction it signed.
    let shown = node
        .cli_with_key_file(key_uri, &["evidence", "show", digest])
        .expect_code(0)
        .json();
    let text = shown.to_string();
    assert!(
        text.contains(&format!("\"anchored_by\":\"{id}\"")) && text.contains(tx),
        "{shown}"
    );

    // The human form of `keys show` asks the node who the key is.
    let human = run_cli(&["--node", &node.url, "--key", &uri, "keys", "show"]).expect_code(0);
    assert!(
        human.stdout.contains(&id) && human.stdout.contains("officer of market"),
        "{human:?}"
    );

    // A URI naming no key is refused before anything is sent.
    let missing = hsm.uri(TOKEN, "nobody");
    let refused = node
        .cli_with_key_file(Path::new(&missing), &anchor)
        .expect_code(2);
    assert!(
        refused
            .stderr
            .contains("has no private key labelled \"nobody\""),
        "{refused:?}"
    );
}

#[test]
fn a_validator_signs_consensus_votes_inside_softhsm2_on_a_running_network() {
    let hsm = hsm();
    let uri = hsm.uri(VALIDATOR_TOKEN, "validator");
    let hsm_key = PublicKey::from_hex(show(&uri)["public_key"].as_str().unwrap()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut net = Network::create(dir.path(), &NetOptions::default());
    // Validator 3's consensus key is the token's; keys/node.key stays its
    // peer identity, which the others let in as a configured peer.
    let replaced = net.node_key(3).public_key();
    let genesis_path = net.dir.join("genesis.json");
    let mut genesis = Genesis::from_json(&std::fs::read_to_string(&genesis_path).unwrap()).unwrap();
    genesis
        .validators
        .iter_mut()
        .find(|validator| validator.public_key == replaced)
        .expect("node 3 is a genesis validator")
        .public_key = hsm_key;
    let text = genesis.to_json();
    std::fs::write(&genesis_path, &text).unwrap();
    for node in &net.nodes {
        std::fs::write(node.home.join("genesis.json"), &text).unwrap();
    }
    let config_path = net.nodes[3].home.join("config.toml");
    let config = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(&config_path, format!("consensus_key = \"{uri}\"\n{config}")).unwrap();

    net.start_all();
    let up_to = 16;
    net.wait_for_height(&[0, 1, 2, 3], up_to, Duration::from_secs(120));
    net.assert_same_chain(&[0, 1, 2, 3], up_to);

    let chain_id = genesis.chain_id.as_str();
    let (mut signed, mut proposed) = (0, 0);
    for height in 1..=up_to {
        let block = net.get(0, &format!("/v1/blocks/{height}")).unwrap();
        let commit: Commit = serde_json::from_value(block["commit"].clone()).unwrap();
        for signature in &commit.signatures {
            if signature.validator != hsm_key.id() {
                continue;
            }
            let digest = vote_digest(
                chain_id,
                commit.height,
                commit.round,
                VoteKind::Precommit,
                Some(&commit.block_hash),
            );
            crypto::verify(&hsm_key, &digest.0, &signature.signature)
                .expect("the token's precommit verifies under its public key");
            signed += 1;
        }
        if block["header"]["proposer"] == hsm_key.id().to_hex().as_str() {
            proposed += 1;
        }
    }
    assert!(
        signed > 0,
        "no commit certificate of heights 1..={up_to} carries the token validator's precommit\n{}",
        net.log_tails()
    );
    assert!(
        proposed > 0,
        "the token validator proposed none of heights 1..={up_to}\n{}",
        net.log_tails()
    );
}

#[test]
fn a_validator_whose_consensus_key_cannot_be_opened_does_not_start() {
    let hsm = hsm();
    let dir = tempfile::tempdir().unwrap();
    let net = Network::create(
        dir.path(),
        &NetOptions {
            validators: 1,
            ..NetOptions::default()
        },
    );
    let home = &net.nodes[0].home;
    let config_path = home.join("config.toml");
    let config = std::fs::read_to_string(&config_path).unwrap();
    // A token no other test of this process uses.
    let uri = hsm.uri(PIN_TOKEN, "nobody");
    std::fs::write(&config_path, format!("consensus_key = \"{uri}\"\n{config}")).unwrap();
    let refused = run_node(&["start".as_ref(), "--home".as_ref(), home.as_os_str()]);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(
        refused.stderr.contains("consensus_key")
            && refused
                .stderr
                .contains("has no private key labelled \"nobody\""),
        "{refused:?}"
    );
}
