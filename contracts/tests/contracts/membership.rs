//! Officer keys: registration and revocation by the organisation's admin.

use xianjie_contracts::read;
use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::model::{CustodyAction, Role};
use xianjie_ledger::tx::{Call, RegisterOfficer, RevokeOfficer};

use crate::harness::{custody, id_of, key, World};

fn register(public_key: PublicKey, role: Role) -> Call {
    Call::RegisterOfficer(RegisterOfficer { public_key, role })
}

fn revoke(officer: KeyId) -> Call {
    Call::RevokeOfficer(RevokeOfficer { officer })
}

#[test]
fn genesis_officers_are_active_members_of_their_organisations() {
    let world = World::new();
    let admin = world.officer(&world.police.admin);
    assert_eq!(admin.org, world.police.org);
    assert_eq!(admin.role, Role::Admin);
    assert!(admin.active);
    assert_eq!((admin.registered_at, admin.revoked_at), (0, None));
    assert_eq!(world.officer(&world.market.officer).role, Role::Officer);
}

#[test]
fn an_admin_registers_an_officer_into_its_own_organisation() {
    let mut world = World::new();
    let newcomer = key(77);
    let admin = world.market.admin.clone();
    world
        .call(&admin, register(newcomer.public_key(), Role::Head))
        .unwrap();
    let officer = world.officer(&newcomer);
    assert_eq!(officer.id, id_of(&newcomer));
    assert_eq!(officer.public_key, newcomer.public_key());
    assert_eq!(officer.org, world.market.org);
    assert_eq!(officer.role, Role::Head);
    assert!(officer.active);
    assert_eq!(officer.registered_at, world.height);
    assert_eq!(officer.revoked_at, None);
    // The new key can sign at once.
    let digest = world.market_anchor(b"x").digest;
    let mut anchor = world.market_anchor(b"x");
    anchor.collected_by = vec![id_of(&newcomer), id_of(&world.market.officer)];
    world
        .call(&newcomer, world.anchor_call(&newcomer, anchor))
        .unwrap();
    assert_eq!(world.evidence(&digest).anchored_by, id_of(&newcomer));
}

#[test]
fn only_an_admin_may_register() {
    let mut world = World::new();
    let head = world.market.head.clone();
    let officer = world.market.officer.clone();
    assert_eq!(
        world.refused(&head, register(key(77).public_key(), Role::Officer)),
        "not_admin"
    );
    assert_eq!(
        world.refused(&officer, register(key(77).public_key(), Role::Admin)),
        "not_admin"
    );
}

#[test]
fn a_registered_key_cannot_be_registered_again_even_by_another_org() {
    let mut world = World::new();
    let market_admin = world.market.admin.clone();
    let police_admin = world.police.admin.clone();
    let police_officer = world.police.officer.public_key();
    assert_eq!(
        world.refused(&market_admin, register(police_officer, Role::Officer)),
        "officer_exists"
    );
    assert_eq!(
        world.refused(&police_admin, register(police_officer, Role::Admin)),
        "officer_exists"
    );
}

#[test]
fn a_revoked_key_can_never_be_registered_again() {
    let mut world = World::new();
    let admin = world.market.admin.clone();
    let officer = world.market.officer.clone();
    world.call(&admin, revoke(id_of(&officer))).unwrap();
    assert_eq!(
        world.refused(&admin, register(officer.public_key(), Role::Officer)),
        "officer_exists"
    );
    assert!(!world.officer(&officer).active);
}

#[test]
fn a_small_order_key_is_refused() {
    let mut world = World::new();
    let admin = world.market.admin.clone();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        world.refused(&admin, register(PublicKey(identity), Role::Officer)),
        "invalid_key"
    );
}

#[test]
fn an_admin_revokes_an_officer_of_its_own_organisation() {
    let mut world = World::new();
    let admin = world.police.admin.clone();
    let head = world.police.head.clone();
    world.call(&admin, revoke(id_of(&head))).unwrap();
    let revoked = world.officer(&head);
    assert!(!revoked.active);
    assert_eq!(revoked.revoked_at, Some(world.height));
    assert_eq!(revoked.registered_at, 0);
}

#[test]
fn a_revoked_officer_is_refused_with_revoked_signer() {
    let mut world = World::new();
    let admin = world.police.admin.clone();
    let officer = world.police.officer.clone();
    world.call(&admin, revoke(id_of(&officer))).unwrap();
    assert_eq!(
        world.refused(&officer, register(key(78).public_key(), Role::Officer)),
        "revoked_signer"
    );
    let digest = world.anchor_market_file(b"file");
    assert_eq!(
        world.refused(&officer, custody(digest, CustodyAction::Receive, None)),
        "revoked_signer"
    );
}

#[test]
fn a_second_admin_can_revoke_the_first_but_no_admin_can_revoke_itself() {
    let mut world = World::new();
    let admin = world.market.admin.clone();
    let second = key(79);
    world
        .call(&admin, register(second.public_key(), Role::Admin))
        .unwrap();
    assert_eq!(
        world.refused(&admin, revoke(id_of(&admin))),
        "self_revocation"
    );
    world.call(&second, revoke(id_of(&admin))).unwrap();
    assert_eq!(
        world.refused(&admin, revoke(id_of(&second))),
        "revoked_signer"
    );
}

#[test]
fn revocation_refusals() {
    let mut world = World::new();
    let admin = world.market.admin.clone();
    let head = world.market.head.clone();
    let police_officer = id_of(&world.police.officer);
    let officer = id_of(&world.market.officer);
    assert_eq!(world.refused(&head, revoke(officer)), "not_admin");
    assert_eq!(world.refused(&admin, revoke(police_officer)), "other_org");
    assert_eq!(
        world.refused(&admin, revoke(KeyId([7; 20]))),
        "unknown_officer"
    );
    world.call(&admin, revoke(officer)).unwrap();
    assert_eq!(world.refused(&admin, revoke(officer)), "already_revoked");
    assert!(
        read::officer(&world.store, &police_officer)
            .unwrap()
            .unwrap()
            .active
    );
}

#[test]
fn an_unregistered_signer_is_refused_with_unknown_signer() {
    let mut world = World::new();
    let stranger = key(200);
    assert_eq!(
        world.refused(&stranger, register(key(201).public_key(), Role::Admin)),
        "unknown_signer"
    );
    let anchor = world.market_anchor(b"file");
    assert_eq!(
        world.refused(&stranger, world.anchor_call(&stranger, anchor)),
        "unknown_signer"
    );
}
