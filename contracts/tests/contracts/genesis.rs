//! The genesis state and the checks a genesis document must pass.

use xianjie_contracts::{genesis_writes, read};
use xianjie_ledger::model::EvidenceCategory;
use xianjie_ledger::params::Params;

use crate::harness::{test_params, valid_uscc, World};

fn genesis_code(edit: impl FnOnce(&mut xianjie_ledger::genesis::Genesis)) -> &'static str {
    let mut genesis = World::new().genesis;
    edit(&mut genesis);
    genesis_writes(&genesis).unwrap_err().code()
}

#[test]
fn genesis_writes_params_validators_orgs_and_officers() {
    let world = World::new();
    let genesis = &world.genesis;
    assert_eq!(read::params(&world.store).unwrap(), genesis.params);
    assert_eq!(
        read::validators(&world.store).unwrap(),
        genesis.validator_set()
    );
    for entry in &genesis.orgs {
        assert_eq!(
            read::org(&world.store, &entry.org.id).unwrap().as_ref(),
            Some(&entry.org)
        );
        for officer in &entry.officers {
            let stored = read::officer(&world.store, &officer.public_key.id())
                .unwrap()
                .unwrap();
            assert_eq!(stored.org, entry.org.id);
            assert_eq!(stored.role, officer.role);
            assert!(stored.active);
        }
    }
    // params, validators, 3 orgs, 12 officers, and two organisation indexes
    // (all, and by region: here one region), each a count, one page and
    // three entry positions; the five threshold rules and their index (a
    // count, one page and five entry positions).
    assert_eq!(
        genesis_writes(genesis).unwrap().len(),
        2 + 3 + 12 + 2 * 5 + 5 + 7
    );
    assert_eq!(read::orgs(&world.store).unwrap().len(), 3);
    assert_eq!(
        read::orgs_in_region(&world.store, "330100").unwrap().len(),
        3
    );
}

#[test]
fn uscc_is_stored_normalised() {
    let mut genesis = World::new().genesis;
    let code = genesis.orgs[0].org.uscc.clone();
    genesis.orgs[0].org.uscc = format!("{}-{}", &code[..8], &code[8..]).to_lowercase();
    let writes = genesis_writes(&genesis).unwrap();
    let key = xianjie_ledger::state::keys::org(&genesis.orgs[0].org.id);
    let stored: xianjie_ledger::model::Org =
        xianjie_ledger::codec::decode(writes[&key].as_ref().unwrap()).unwrap();
    assert_eq!(stored.uscc, code);
}

#[test]
fn genesis_refusals() {
    assert_eq!(
        genesis_code(|g| g.orgs[1].org.uscc = "91350100M0001TGQXM".into()),
        "invalid_uscc"
    );
    assert_eq!(
        genesis_code(|g| g.orgs[1].org.uscc = "913501".into()),
        "invalid_uscc"
    );
    assert_eq!(
        genesis_code(|g| g.orgs[2].org.region = "33010".into()),
        "invalid_region"
    );
    assert_eq!(
        genesis_code(|g| g.orgs[2].org.region = "33010X".into()),
        "invalid_region"
    );
    assert_eq!(
        genesis_code(|g| g.orgs[0].org.name = String::new()),
        "invalid_org_name"
    );
    assert_eq!(
        genesis_code(|g| g.orgs[1].org.uscc = g.orgs[0].org.uscc.clone()),
        "uscc_in_use"
    );
    assert_eq!(
        genesis_code(|g| g.orgs.push(g.orgs[0].clone())),
        "invalid_genesis"
    );
    assert_eq!(
        genesis_code(|g| g.chain_id = String::new()),
        "invalid_genesis"
    );
    assert_eq!(
        genesis_code(|g| g
            .params
            .category_classes
            .retain(|c| c.category != EvidenceCategory::Witness)),
        "invalid_genesis"
    );
    assert_eq!(
        genesis_code(|g| {
            let duplicate = g.params.category_classes[0];
            g.params.category_classes.push(duplicate);
        }),
        "invalid_genesis"
    );
    assert_eq!(
        genesis_code(|g| g.params.min_collectors = 9),
        "invalid_genesis"
    );
    assert_eq!(
        genesis_code(|g| g.params.max_custody_events = 0),
        "invalid_genesis"
    );
    assert_eq!(
        genesis_code(|g| g.params.max_custody_events = u16::MAX),
        "invalid_genesis"
    );
    assert_eq!(
        genesis_code(|g| g.params.max_tx_validity_blocks = 0),
        "invalid_genesis"
    );
}

#[test]
fn default_params_and_letter_department_codes_are_accepted() {
    let mut genesis = World::new().genesis;
    genesis.params = Params::default();
    genesis.orgs[0].org.uscc = valid_uscc("N2330106MA2B3C4D1");
    assert!(genesis_writes(&genesis).is_ok());
    assert_ne!(test_params(), Params::default());
}

#[test]
fn genesis_writes_are_deterministic() {
    let genesis = World::new().genesis;
    assert_eq!(
        genesis_writes(&genesis).unwrap(),
        genesis_writes(&genesis.clone()).unwrap()
    );
}

#[test]
fn a_pilot_era_member_code_needs_the_allow_list() {
    let pilot = "91350100M0001TGQXM";
    assert_eq!(
        genesis_code(|g| g.orgs[1].org.uscc = pilot.into()),
        "invalid_uscc"
    );
    let mut genesis = World::new().genesis;
    genesis.orgs[1].org.uscc = pilot.into();
    genesis.params.uscc_allow_list = vec![pilot.into()];
    let writes = genesis_writes(&genesis).unwrap();
    let key = xianjie_ledger::state::keys::org(&genesis.orgs[1].org.id);
    let stored: xianjie_ledger::model::Org =
        xianjie_ledger::codec::decode(writes[&key].as_ref().unwrap()).unwrap();
    assert_eq!(stored.uscc, pilot);
    genesis.params.uscc_allow_list = vec!["9135010".into()];
    assert_eq!(
        genesis_writes(&genesis).unwrap_err().code(),
        "invalid_genesis"
    );
}
