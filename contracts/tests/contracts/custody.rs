//! The chain of custody: handoffs between organisations and the holder's acts.

use xianjie_ledger::hash::{note_digest, Hash};
use xianjie_ledger::model::{CustodyAction, CustodyEvent};
use xianjie_ledger::params::Params;
use xianjie_ledger::tx::{Call, RecordCustody};

use crate::harness::{
    custody, id_of, org_id, test_params, World, BLOCK_INTERVAL_MS, GENESIS_TIME_MS,
};

use CustodyAction::{Cancel, Destroy, Examine, Receive, Refuse, Return, Seal, Store, Transfer};

/// A world with one market-regulator anchor.
fn world_with_file() -> (World, Hash) {
    let mut world = World::new();
    let digest = world.anchor_market_file(b"seized ledger book");
    (world, digest)
}

/// Market regulator transfers the item to the police (not yet received).
fn transfer_to_police(world: &mut World, digest: Hash) {
    let market = world.market.officer.clone();
    let police = world.police.org.clone();
    world
        .call(&market, custody(digest, Transfer, Some(&police)))
        .unwrap();
}

#[test]
fn a_handoff_is_complete_only_after_receive() {
    let (mut world, digest) = world_with_file();
    transfer_to_police(&mut world, digest);
    let record = world.evidence(&digest);
    assert_eq!(
        record.holder, world.market.org,
        "a transfer alone does not move the item"
    );
    assert_eq!(record.pending_transfer, Some(world.police.org.clone()));

    let police = world.police.officer.clone();
    world.call(&police, custody(digest, Receive, None)).unwrap();
    let record = world.evidence(&digest);
    assert_eq!(record.holder, world.police.org);
    assert_eq!(record.pending_transfer, None);
    let actions: Vec<_> = record
        .custody
        .iter()
        .map(|e| (e.action, e.org.clone()))
        .collect();
    assert_eq!(
        actions,
        vec![
            (Transfer, world.market.org.clone()),
            (Receive, world.police.org.clone())
        ]
    );
}

#[test]
fn every_event_records_who_when_which_transaction_and_the_note() {
    let (mut world, digest) = world_with_file();
    let signer = world.market.head.clone();
    let note = note_digest("封存于证物室 3 号柜");
    let tx = world.tx(
        &signer,
        Call::RecordCustody(RecordCustody {
            digest,
            action: Seal,
            to: None,
            note_digest: Some(note),
        }),
    );
    world.submit(&tx).unwrap();
    let height = world.height;
    assert_eq!(
        world.evidence(&digest).custody,
        vec![CustodyEvent {
            action: Seal,
            org: world.market.org.clone(),
            officer: id_of(&signer),
            to: None,
            note_digest: Some(note),
            height,
            time_ms: GENESIS_TIME_MS + height * BLOCK_INTERVAL_MS,
            tx: tx.hash(),
        }]
    );
}

#[test]
fn receive_by_a_third_organisation_is_refused() {
    let (mut world, digest) = world_with_file();
    transfer_to_police(&mut world, digest);
    let prosecutor = world.proc.officer.clone();
    assert_eq!(
        world.refused(&prosecutor, custody(digest, Receive, None)),
        "not_recipient"
    );
    let market = world.market.officer.clone();
    assert_eq!(
        world.refused(&market, custody(digest, Receive, None)),
        "not_recipient"
    );
    assert_eq!(
        world.evidence(&digest).pending_transfer,
        Some(world.police.org.clone())
    );
}

#[test]
fn receive_without_a_pending_transfer_is_refused() {
    let (mut world, digest) = world_with_file();
    let police = world.police.officer.clone();
    assert_eq!(
        world.refused(&police, custody(digest, Receive, None)),
        "no_pending_transfer"
    );
    let market = world.market.officer.clone();
    assert_eq!(
        world.refused(&market, custody(digest, Receive, None)),
        "no_pending_transfer"
    );
}

#[test]
fn only_the_holder_may_act_on_the_item() {
    let (mut world, digest) = world_with_file();
    let police = world.police.officer.clone();
    let proc = world.proc.org.clone();
    for action in [Seal, Examine, Store, Return, Destroy] {
        assert_eq!(
            world.refused(&police, custody(digest, action, None)),
            "not_holder",
            "{action:?}"
        );
    }
    assert_eq!(
        world.refused(&police, custody(digest, Transfer, Some(&proc))),
        "not_holder"
    );

    // After the handoff the roles swap.
    transfer_to_police(&mut world, digest);
    world.call(&police, custody(digest, Receive, None)).unwrap();
    let market = world.market.officer.clone();
    assert_eq!(
        world.refused(&market, custody(digest, Seal, None)),
        "not_holder"
    );
    world.call(&police, custody(digest, Examine, None)).unwrap();
}

#[test]
fn nothing_but_receive_while_a_transfer_is_pending() {
    let (mut world, digest) = world_with_file();
    transfer_to_police(&mut world, digest);
    let market = world.market.officer.clone();
    let proc = world.proc.org.clone();
    assert_eq!(
        world.refused(&market, custody(digest, Transfer, Some(&proc))),
        "transfer_pending"
    );
    assert_eq!(
        world.refused(&market, custody(digest, Seal, None)),
        "transfer_pending"
    );
    assert_eq!(
        world.refused(&market, custody(digest, Destroy, None)),
        "transfer_pending"
    );
    // The recipient is not yet the holder either.
    let police = world.police.officer.clone();
    assert_eq!(
        world.refused(&police, custody(digest, Seal, None)),
        "not_holder"
    );
}

#[test]
fn transfer_needs_a_known_other_recipient_and_other_actions_none() {
    let (mut world, digest) = world_with_file();
    let market = world.market.officer.clone();
    let market_org = world.market.org.clone();
    let police_org = world.police.org.clone();
    assert_eq!(
        world.refused(&market, custody(digest, Transfer, None)),
        "missing_recipient"
    );
    assert_eq!(
        world.refused(
            &market,
            custody(digest, Transfer, Some(&org_id("customs-330100")))
        ),
        "unknown_org"
    );
    assert_eq!(
        world.refused(&market, custody(digest, Transfer, Some(&market_org))),
        "transfer_to_self"
    );
    for action in [Receive, Seal, Examine, Store, Return, Destroy] {
        assert_eq!(
            world.refused(&market, custody(digest, action, Some(&police_org))),
            "unexpected_recipient",
            "{action:?}"
        );
    }
    assert!(world.evidence(&digest).custody.is_empty());
}

#[test]
fn custody_on_an_unknown_digest_is_refused() {
    let mut world = World::new();
    let market = world.market.officer.clone();
    assert_eq!(
        world.refused(&market, custody(Hash([4; 32]), Seal, None)),
        "unknown_evidence"
    );
}

#[test]
fn nothing_may_be_recorded_after_destroy() {
    let (mut world, digest) = world_with_file();
    let market = world.market.officer.clone();
    world.call(&market, custody(digest, Destroy, None)).unwrap();
    let record = world.evidence(&digest);
    assert!(record.destroyed);
    assert_eq!(record.custody.len(), 1);
    let police_org = world.police.org.clone();
    assert_eq!(
        world.refused(&market, custody(digest, Seal, None)),
        "evidence_destroyed"
    );
    assert_eq!(
        world.refused(&market, custody(digest, Transfer, Some(&police_org))),
        "evidence_destroyed"
    );
}

#[test]
fn an_item_can_travel_on_and_come_back() {
    let (mut world, digest) = world_with_file();
    let market = world.market.officer.clone();
    let police = world.police.officer.clone();
    let prosecutor = world.proc.head.clone();
    let (market_org, police_org, proc_org) = (
        world.market.org.clone(),
        world.police.org.clone(),
        world.proc.org.clone(),
    );
    world.call(&market, custody(digest, Seal, None)).unwrap();
    world
        .call(&market, custody(digest, Transfer, Some(&police_org)))
        .unwrap();
    world.call(&police, custody(digest, Receive, None)).unwrap();
    world
        .call(&police, custody(digest, Transfer, Some(&proc_org)))
        .unwrap();
    world
        .call(&prosecutor, custody(digest, Receive, None))
        .unwrap();
    world
        .call(&prosecutor, custody(digest, Transfer, Some(&market_org)))
        .unwrap();
    world.call(&market, custody(digest, Receive, None)).unwrap();
    world.call(&market, custody(digest, Return, None)).unwrap();
    let record = world.evidence(&digest);
    assert_eq!(record.holder, market_org);
    assert_eq!(record.custody.len(), 8);
    let heights: Vec<u64> = record.custody.iter().map(|e| e.height).collect();
    assert!(
        heights.windows(2).all(|pair| pair[0] < pair[1]),
        "events are in order"
    );
}

#[test]
fn the_custody_log_is_bounded_by_the_parameters() {
    let mut world = World::with_params(Params {
        max_custody_events: 3,
        ..test_params()
    });
    let digest = world.anchor_market_file(b"file");
    let market = world.market.officer.clone();
    for _ in 0..3 {
        world.call(&market, custody(digest, Examine, None)).unwrap();
    }
    assert_eq!(
        world.refused(&market, custody(digest, Examine, None)),
        "custody_log_full"
    );
    assert_eq!(world.evidence(&digest).custody.len(), 3);
}

#[test]
fn the_sender_may_cancel_a_transfer_not_yet_received() {
    let (mut world, digest) = world_with_file();
    transfer_to_police(&mut world, digest);
    let police = world.police.officer.clone();
    assert_eq!(
        world.refused(&police, custody(digest, Cancel, None)),
        "not_holder",
        "only the sender may withdraw its transfer"
    );
    let market = world.market.officer.clone();
    world.call(&market, custody(digest, Cancel, None)).unwrap();
    let record = world.evidence(&digest);
    assert_eq!(record.holder, world.market.org);
    assert_eq!(record.pending_transfer, None);
    assert_eq!(
        world.refused(&police, custody(digest, Receive, None)),
        "no_pending_transfer",
        "a cancelled transfer can no longer be received"
    );
    assert_eq!(
        world.refused(&market, custody(digest, Cancel, None)),
        "no_pending_transfer"
    );
    // The holder may act on the item again.
    world.call(&market, custody(digest, Seal, None)).unwrap();
}

#[test]
fn the_addressee_may_refuse_a_transfer_and_the_sender_keeps_the_item() {
    let (mut world, digest) = world_with_file();
    transfer_to_police(&mut world, digest);
    let prosecutor = world.proc.officer.clone();
    assert_eq!(
        world.refused(&prosecutor, custody(digest, Refuse, None)),
        "not_recipient"
    );
    let police = world.police.officer.clone();
    world.call(&police, custody(digest, Refuse, None)).unwrap();
    let record = world.evidence(&digest);
    assert_eq!(record.holder, world.market.org);
    assert_eq!(record.pending_transfer, None);
    let actions: Vec<_> = record.custody.iter().map(|e| e.action).collect();
    assert_eq!(actions, vec![Transfer, Refuse]);
    assert_eq!(
        world.refused(&police, custody(digest, Refuse, None)),
        "no_pending_transfer"
    );
}
