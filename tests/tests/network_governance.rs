//! A fifth validator is added by governance at a height; its node, started
//! fresh with only the genesis and peer addresses, syncs from height 1
//! across the change and then votes: without it the others lack a quorum.
//! Governance then removes a dead validator and the chain goes on. The
//! admins propose and approve with the `xianjie gov` commands, as an agency
//! would.

use std::time::Duration;

use xianjie_tests::network::{NetOptions, Network};
use xianjie_tests::{run_cli, CliRun};

/// Runs `xianjie --node <node i> --json --key <demo key> ARGS…`.
fn cli(net: &Network, i: usize, key: &str, args: &[&str]) -> CliRun {
    let key_file = net.dir.join("keys").join(format!("{key}.key"));
    let mut full = vec![
        "--node",
        net.nodes[i].url.as_str(),
        "--json",
        "--key",
        key_file.to_str().expect("utf-8 path"),
    ];
    full.extend_from_slice(args);
    run_cli(&full)
}

/// Proposes a change through node `i` and returns the proposal id.
fn propose(net: &Network, i: usize, admin: &str, change: &[&str]) -> String {
    let mut args = vec!["gov", "propose"];
    args.extend_from_slice(change);
    let proposed = cli(net, i, admin, &args).expect_code(0).json();
    proposed["id"].as_str().expect("proposal id").to_owned()
}

/// Approves through node `i` with each admin in turn until the validator
/// set has `until` members. The set is read from node `i`, where the CLI
/// waited for each approval to commit: another node may not have it yet.
fn approve_until(net: &Network, i: usize, id: &str, admins: &[&str], until: usize) {
    for admin in admins {
        if validator_count(net, i) == until {
            return;
        }
        cli(net, i, admin, &["gov", "approve", id]).expect_code(0);
    }
}

fn validator_count(net: &Network, i: usize) -> usize {
    net.get(i, "/v1/status").unwrap()["validators"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_validator_added_by_governance_syncs_from_genesis_and_votes() {
    let dir = tempfile::tempdir().unwrap();
    let options = NetOptions {
        extra_nodes: 1,
        ..NetOptions::default()
    };
    let mut net = Network::create(dir.path(), &options);
    for i in 0..4 {
        net.start(i);
    }
    net.wait_for_height(&[0, 1, 2, 3], 3, Duration::from_secs(60));

    let new_key = net.node_key(4).public_key().to_hex();
    let id = propose(
        &net,
        0,
        "market-admin",
        &["add-validator", &new_key, "--org", "lab"],
    );
    approve_until(
        &net,
        1,
        &id,
        &[
            "police-admin",
            "procuratorate-admin",
            "court-admin",
            "lab-admin",
        ],
        5,
    );
    assert_eq!(validator_count(&net, 1), 5, "the proposal was applied");
    let changed_at = net.height(0).unwrap();

    // A fresh node: nothing but its key, the genesis and peer addresses.
    net.start(4);
    net.wait_for_height(&[0, 1, 2, 3, 4], changed_at + 5, Duration::from_secs(120));
    net.assert_same_chain(&[0, 1, 2, 3, 4], changed_at + 5);

    // Three of five validators are not two thirds: progress now needs node 4.
    net.kill(3);
    let before = net.height(0).unwrap();
    net.wait_for_height(&[0, 1, 2, 4], before + 5, Duration::from_secs(120));
    net.assert_same_chain(&[0, 1, 2, 4], before + 5);

    // Governance removes the dead validator; the four others go on.
    // By key id, as `/v1/status` lists validators.
    let dead_id = net.node_key(3).public_key().id().to_hex();
    let id = propose(&net, 4, "court-admin", &["remove-validator", &dead_id]);
    approve_until(
        &net,
        0,
        &id,
        &[
            "market-admin",
            "police-admin",
            "procuratorate-admin",
            "lab-admin",
        ],
        4,
    );
    assert_eq!(validator_count(&net, 0), 4, "the removal was applied");
    let after = net.height(0).unwrap();
    net.wait_for_height(&[0, 1, 2, 4], after + 5, Duration::from_secs(60));
    net.assert_same_chain(&[0, 1, 2, 4], after + 5);
}
