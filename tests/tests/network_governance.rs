//! A fifth validator is added by governance at a height; its node, started
//! fresh with only the genesis and peer addresses, syncs from height 1
//! across the change and then votes: without it the others lack a quorum.
//! Governance then removes a dead validator and the chain goes on.

use std::time::{Duration, Instant};

use xianjie_ledger::block::Validator;
use xianjie_ledger::governance::Change;
use xianjie_ledger::model::OrgId;
use xianjie_ledger::tx::{Approve, Call, Propose};
use xianjie_tests::network::{signed, NetOptions, Network};

fn wait_committed(net: &Network, hash: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some((status, Some(height))) = net.tx_status(0, hash) {
            if status == "committed" {
                return height;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{hash} not committed\n{}",
            net.log_tails()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn validator_count(net: &Network) -> usize {
    net.get(0, "/v1/status").unwrap()["validators"]
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

    let new_validator = Validator {
        public_key: net.node_key(4).public_key(),
        power: 1,
        org: OrgId::new("lab").unwrap(),
    };
    let proposal = signed(
        &net.key("market-admin"),
        Call::Propose(Propose {
            change: Change::AddValidator(new_validator),
            note_digest: None,
        }),
    );
    assert_eq!(net.submit_tx(0, &proposal), 202);
    let proposal_hash = proposal.hash();
    wait_committed(&net, &proposal_hash.to_hex());
    let id = format!("GOV-{}", &proposal_hash.to_hex()[..16]);
    for admin in [
        "police-admin",
        "procuratorate-admin",
        "court-admin",
        "lab-admin",
    ] {
        if validator_count(&net) == 5 {
            break;
        }
        let approval = signed(
            &net.key(admin),
            Call::Approve(Approve {
                proposal: id.clone(),
            }),
        );
        assert_eq!(net.submit_tx(1, &approval), 202);
        wait_committed(&net, &approval.hash().to_hex());
    }
    assert_eq!(validator_count(&net), 5, "the proposal was applied");
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
    let removal = signed(
        &net.key("court-admin"),
        Call::Propose(Propose {
            change: Change::RemoveValidator(net.node_key(3).public_key().id()),
            note_digest: None,
        }),
    );
    assert_eq!(net.submit_tx(4, &removal), 202);
    wait_committed(&net, &removal.hash().to_hex());
    let id = format!("GOV-{}", &removal.hash().to_hex()[..16]);
    for admin in [
        "market-admin",
        "police-admin",
        "procuratorate-admin",
        "lab-admin",
    ] {
        if validator_count(&net) == 4 {
            break;
        }
        let approval = signed(
            &net.key(admin),
            Call::Approve(Approve {
                proposal: id.clone(),
            }),
        );
        assert_eq!(net.submit_tx(0, &approval), 202);
        wait_committed(&net, &approval.hash().to_hex());
    }
    assert_eq!(validator_count(&net), 4, "the removal was applied");
    let after = net.height(0).unwrap();
    net.wait_for_height(&[0, 1, 2, 4], after + 5, Duration::from_secs(60));
    net.assert_same_chain(&[0, 1, 2, 4], after + 5);
}
