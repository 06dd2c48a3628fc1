//! Anchoring evidence and superseding anchors.

use xianjie_contracts::{execute, read, Overlay};
use xianjie_ledger::codec::encode;
use xianjie_ledger::crypto::{KeyId, SecretKey};
use xianjie_ledger::hash::{file_digest, Hash};
use xianjie_ledger::model::{
    EvidenceAnchor, EvidenceCategory, EvidenceClass, MAX_CASE_ID_LEN, MAX_COLLECTORS,
    MAX_CO_SIGNATURES, MAX_MEDIA_TYPE_LEN, MAX_SHORT_TEXT_LEN,
};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::keys;
use xianjie_ledger::tx::{Call, RevokeOfficer};

use crate::harness::{
    co_signed, id_of, key, outcome_codes, test_params, World, BLOCK_INTERVAL_MS, CHAIN,
    GENESIS_TIME_MS,
};

/// The code an anchor changed by `edit` is refused with, signed by the
/// market regulator's officer.
fn refused_anchor(world: &mut World, edit: impl FnOnce(&mut EvidenceAnchor)) -> &'static str {
    let mut anchor = world.market_anchor(b"file");
    edit(&mut anchor);
    let signer = world.market.officer.clone();
    world.refused(&signer, world.anchor_call(&signer, anchor))
}

/// The field an `invalid_field` refusal names.
fn invalid_field_name(world: &mut World, edit: impl FnOnce(&mut EvidenceAnchor)) -> &'static str {
    let mut anchor = world.market_anchor(b"file");
    edit(&mut anchor);
    let signer = world.market.officer.clone();
    match world.call(&signer, world.anchor_call(&signer, anchor)) {
        Err(xianjie_contracts::ContractError::InvalidField { field, limit }) => {
            assert!(!limit.is_empty());
            field
        }
        other => panic!("expected invalid_field, got {other:?}"),
    }
}

#[test]
fn an_anchor_records_who_when_and_which_transaction() {
    let mut world = World::new();
    let signer = world.market.officer.clone();
    let anchor = world.co_signed_anchor(&signer, world.market_anchor(b"invoice scan"));
    let tx = world.tx(&signer, Call::AnchorEvidence(anchor.clone()));
    world.submit(&tx).unwrap();
    let record = world.evidence(&anchor.digest);
    assert_eq!(record.anchor, anchor);
    // Both collectors signed: the signer by the transaction, the other by
    // the co-signature kept in the record.
    let co_signers: Vec<KeyId> = record
        .anchor
        .co_signatures
        .iter()
        .map(|c| c.officer())
        .collect();
    assert_eq!(co_signers, vec![id_of(&world.market.officer2)]);
    assert_eq!(record.class, EvidenceClass::DirectUse);
    assert_eq!(record.org, world.market.org);
    assert_eq!(record.anchored_by, id_of(&signer));
    assert_eq!(record.height, 1);
    assert_eq!(record.time_ms, GENESIS_TIME_MS + BLOCK_INTERVAL_MS);
    assert_eq!(record.tx, tx.hash());
    assert_eq!(record.holder, world.market.org);
    assert_eq!(record.pending_transfer, None);
    assert!(record.custody.is_empty());
    assert_eq!(record.superseded_by, None);
    assert!(!record.destroyed);
}

#[test]
fn the_class_comes_from_the_category() {
    let mut world = World::new();
    let signer = world.market.officer.clone();
    for (content, category, class) in [
        (
            b"a".as_slice(),
            EvidenceCategory::Appraisal,
            EvidenceClass::AfterReview,
        ),
        (b"b", EvidenceCategory::Witness, EvidenceClass::Recollect),
        (b"c", EvidenceCategory::Electronic, EvidenceClass::DirectUse),
        (
            b"d",
            EvidenceCategory::EnvironmentalMonitoring,
            EvidenceClass::DirectUse,
        ),
        (
            b"e",
            EvidenceCategory::AccidentInvestigation,
            EvidenceClass::AfterReview,
        ),
        (
            b"f",
            EvidenceCategory::VictimStatement,
            EvidenceClass::Recollect,
        ),
    ] {
        let mut anchor = world.market_anchor(content);
        anchor.category = category;
        world
            .call(&signer, world.anchor_call(&signer, anchor))
            .unwrap();
        assert_eq!(world.evidence(&file_digest(content)).class, class);
    }
}

#[test]
fn the_same_digest_cannot_be_anchored_twice_even_by_another_org() {
    let mut world = World::new();
    let digest = world.anchor_market_file(b"file");
    assert_eq!(refused_anchor(&mut world, |_| {}), "already_anchored");
    let mut police_anchor = world.market_anchor(b"file");
    police_anchor.collected_by = vec![id_of(&world.police.officer), id_of(&world.police.officer2)];
    let police = world.police.officer.clone();
    assert_eq!(
        world.refused(&police, world.anchor_call(&police, police_anchor)),
        "already_anchored"
    );
    // Said first, whoever is named: `anchor --upload` of a known file goes
    // on to the upload even when the officer names no colleague.
    let mut alone = world.market_anchor(b"file");
    alone.collected_by = vec![id_of(&world.police.officer)];
    assert_eq!(
        world.refused(&police, world.anchor_call(&police, alone)),
        "already_anchored"
    );
    assert_eq!(world.evidence(&digest).org, world.market.org);
}

#[test]
fn a_category_missing_from_the_parameters_is_refused() {
    // Genesis refuses such parameters, so replace them in an overlay.
    let world = World::new();
    let mut params = test_params();
    params
        .category_classes
        .retain(|entry| entry.category != EvidenceCategory::OnsiteRecord);
    let mut overlay = Overlay::new(&world.store);
    overlay.apply([(keys::PARAMS.to_vec(), Some(encode(&params)))].into());
    let mut anchor = world.market_anchor(b"onsite");
    anchor.category = EvidenceCategory::OnsiteRecord;
    let tx = xianjie_ledger::tx::Tx {
        chain_id: crate::harness::CHAIN.into(),
        signer: world.market.officer.public_key(),
        nonce: 1,
        valid_until: 5,
        call: world.anchor_call(&world.market.officer, anchor),
    }
    .sign(&world.market.officer);
    let error = execute(&overlay, &world.next_ctx(), &tx).unwrap_err();
    assert_eq!(error.code(), "unknown_category");
}

#[test]
fn free_text_naming_a_person_by_an_identifier_is_refused_and_nothing_is_written() {
    let mut world = World::new();
    let tool = |a: &mut EvidenceAnchor| a.capture_tool = "取证手机 机主13812345678".into();
    let method = |a: &mut EvidenceAnchor| {
        a.capture_method = "photograph of ID 11010519491231002X".into();
    };
    assert_eq!(refused_anchor(&mut world, tool), "personal_information");
    assert_eq!(refused_anchor(&mut world, method), "personal_information");
    let digest = world.market_anchor(b"file").digest;
    assert!(read::evidence(&world.store, &digest).unwrap().is_none());
    // The same anchor without the identifiers is taken.
    let anchor = world.market_anchor(b"file");
    let signer = world.market.officer.clone();
    world
        .call(&signer, world.anchor_call(&signer, anchor))
        .unwrap();
    assert!(read::evidence(&world.store, &digest).unwrap().is_some());
}

#[test]
fn collectors_must_be_enough_distinct_active_officers_of_the_anchoring_org() {
    let mut world = World::new();
    let market_officer = id_of(&world.market.officer);
    let police_officer = id_of(&world.police.officer);
    assert_eq!(
        refused_anchor(&mut world, |a| a.collected_by.truncate(1)),
        "too_few_collectors"
    );
    assert_eq!(
        refused_anchor(&mut world, |a| a.collected_by[1] = police_officer),
        "unknown_collector"
    );
    assert_eq!(
        refused_anchor(&mut world, |a| a.collected_by[1] = KeyId([3; 20])),
        "unknown_collector"
    );
    assert_eq!(
        refused_anchor(&mut world, |a| a.collected_by[1] = market_officer),
        "invalid_field"
    );
    assert_eq!(
        refused_anchor(&mut world, |a| a.collected_by.clear()),
        "invalid_field"
    );
    let too_many: Vec<KeyId> = (0..=MAX_COLLECTORS as u8).map(|i| KeyId([i; 20])).collect();
    assert_eq!(
        refused_anchor(&mut world, |a| a.collected_by = too_many),
        "invalid_field"
    );
}

#[test]
fn a_revoked_officer_cannot_be_named_as_collector() {
    let mut world = World::new();
    let admin = world.market.admin.clone();
    let officer2 = id_of(&world.market.officer2);
    world
        .call(
            &admin,
            Call::RevokeOfficer(RevokeOfficer { officer: officer2 }),
        )
        .unwrap();
    assert_eq!(refused_anchor(&mut world, |_| {}), "unknown_collector");
    // With the head as second collector it is fine again.
    let head = id_of(&world.market.head);
    let mut anchor = world.market_anchor(b"file");
    anchor.collected_by[1] = head;
    let signer = world.market.officer.clone();
    world
        .call(&signer, world.anchor_call(&signer, anchor))
        .unwrap();
}

#[test]
fn a_single_collector_is_enough_when_the_parameters_say_so() {
    let mut world = World::with_params(Params {
        min_collectors: 1,
        ..test_params()
    });
    let mut anchor = world.market_anchor(b"file");
    anchor.collected_by.truncate(1);
    let signer = world.market.officer.clone();
    world
        .call(&signer, world.anchor_call(&signer, anchor))
        .unwrap();
}

#[test]
fn field_bounds_name_the_field() {
    let mut world = World::new();
    let long_media = format!("application/{}", "x".repeat(MAX_MEDIA_TYPE_LEN));
    let long_case = "C".repeat(MAX_CASE_ID_LEN + 1);
    let long_text = "x".repeat(MAX_SHORT_TEXT_LEN + 1);
    assert_eq!(
        invalid_field_name(&mut world, |a| a.media_type = String::new()),
        "media_type"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.media_type = "pdf".into()),
        "media_type"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.media_type = long_media),
        "media_type"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.media_type = "图片/jpeg".into()),
        "media_type"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.case_id = Some(String::new().into())),
        "case_id"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.case_id = Some("（2026）刑初1号".into())),
        "case_id"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.case_id = Some(long_case.into())),
        "case_id"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.capture_method = long_text.clone()),
        "capture_method"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.capture_tool = long_text),
        "capture_tool"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.capture_tool = "a\u{1b}[2Jb".into()),
        "capture_tool"
    );
    assert_eq!(
        invalid_field_name(&mut world, |a| a.collected_by.clear()),
        "collected_by"
    );
}

#[test]
fn fields_at_their_limits_are_accepted() {
    let mut world = World::new();
    let mut anchor = world.market_anchor(b"file");
    anchor.media_type = format!("a/{}", "x".repeat(MAX_MEDIA_TYPE_LEN - 2));
    anchor.case_id = Some("C".repeat(MAX_CASE_ID_LEN).into());
    anchor.capture_method = "x".repeat(MAX_SHORT_TEXT_LEN);
    anchor.capture_tool = String::new();
    anchor.provenance_note_digest = Some(Hash([5; 32]));
    let signer = world.market.officer.clone();
    let anchor = world.co_signed_anchor(&signer, anchor);
    world
        .call(&signer, Call::AnchorEvidence(anchor.clone()))
        .unwrap();
    assert_eq!(world.evidence(&anchor.digest).anchor, anchor);
}

#[test]
fn a_corrected_file_supersedes_the_old_anchor_which_is_kept() {
    let mut world = World::new();
    let old = world.anchor_market_file(b"blurred scan");
    let mut anchor = world.market_anchor(b"clear scan");
    anchor.supersedes = Some(old);
    let new = anchor.digest;
    let head = world.market.head.clone();
    world.call(&head, world.anchor_call(&head, anchor)).unwrap();
    let old_record = world.evidence(&old);
    assert_eq!(old_record.superseded_by, Some(new));
    assert_eq!(old_record.anchor.digest, old);
    assert_eq!(world.evidence(&new).anchor.supersedes, Some(old));
    assert_eq!(world.evidence(&new).superseded_by, None);
}

#[test]
fn supersede_refusals() {
    let mut world = World::new();
    let old = world.anchor_market_file(b"v1");
    assert_eq!(
        refused_anchor(&mut world, |a| a.supersedes = Some(Hash([9; 32]))),
        "supersede_unknown"
    );

    // Another organisation cannot supersede the market regulator's anchor.
    let mut police_anchor = world.market_anchor(b"police copy");
    police_anchor.collected_by = vec![id_of(&world.police.officer), id_of(&world.police.officer2)];
    police_anchor.supersedes = Some(old);
    let police = world.police.officer.clone();
    assert_eq!(
        world.refused(&police, world.anchor_call(&police, police_anchor)),
        "supersede_other_org"
    );

    let mut v2 = world.market_anchor(b"v2");
    v2.supersedes = Some(old);
    let signer = world.market.officer.clone();
    world.call(&signer, world.anchor_call(&signer, v2)).unwrap();
    let mut v3 = world.market_anchor(b"v3");
    v3.supersedes = Some(old);
    assert_eq!(
        world.refused(&signer, world.anchor_call(&signer, v3)),
        "already_superseded"
    );
    assert_eq!(world.evidence(&old).superseded_by, Some(file_digest(b"v2")));
}

#[test]
fn read_evidence_of_an_unknown_digest_is_none() {
    let world = World::new();
    assert_eq!(read::evidence(&world.store, &Hash([1; 32])).unwrap(), None);
}

// --- every collector signs ----------------------------------------------

/// The code `anchor`, as given (no co-signing added), is refused with when
/// `signer` submits it; the refusal writes nothing.
fn refused_as_given(world: &mut World, signer: &SecretKey, anchor: EvidenceAnchor) -> &'static str {
    let digest = anchor.digest;
    let code = world.refused(signer, Call::AnchorEvidence(anchor));
    assert!(read::evidence(&world.store, &digest).unwrap().is_none());
    code
}

#[test]
fn a_named_collector_who_did_not_sign_is_refused() {
    let mut world = World::new();
    let signer = world.market.officer.clone();
    let unsigned = world.market_anchor(b"file");
    assert_eq!(
        refused_as_given(&mut world, &signer, unsigned.clone()),
        "collector_not_signed"
    );
    // With the second collector's co-signature the same anchor is taken.
    let officer2 = world.market.officer2.clone();
    let signed = co_signed(unsigned, &signer, &[&officer2]);
    world.call(&signer, Call::AnchorEvidence(signed)).unwrap();
}

#[test]
fn a_signer_who_is_not_a_collector_needs_every_collector_to_co_sign() {
    let mut world = World::new();
    let head = world.market.head.clone();
    let officer2 = world.market.officer2.clone();
    let only_one = co_signed(world.market_anchor(b"file"), &head, &[&officer2]);
    assert_eq!(
        refused_as_given(&mut world, &head, only_one),
        "collector_not_signed"
    );
}

#[test]
fn a_co_signature_by_an_officer_not_named_is_refused() {
    let mut world = World::new();
    let signer = world.market.officer.clone();
    let (officer2, head, police) = (
        world.market.officer2.clone(),
        world.market.head.clone(),
        world.police.officer.clone(),
    );
    for stranger in [&head, &police, &key(201)] {
        let anchor = co_signed(
            world.market_anchor(b"file"),
            &signer,
            &[&officer2, stranger],
        );
        assert_eq!(
            refused_as_given(&mut world, &signer, anchor),
            "co_signer_not_collector"
        );
    }
}

/// A block's co-signatures are checked together before it runs; the
/// answers must be those of the single check, wherever the bad one sits.
#[test]
fn a_block_checks_its_co_signatures_together_with_the_single_answers() {
    let mut world = World::new();
    let signer = world.market.officer.clone();
    let officer2 = world.market.officer2.clone();
    let mut calls = Vec::new();
    for n in 0..5u8 {
        let mut anchor = co_signed(world.market_anchor(&[b'f', n]), &signer, &[&officer2]);
        if n == 2 {
            anchor.co_signatures[0].signature.0[9] ^= 1;
        }
        calls.push(Call::AnchorEvidence(anchor));
    }
    let txs: Vec<_> = calls
        .into_iter()
        .map(|call| world.tx(&signer, call))
        .collect();
    let (results, _) = world.run_block(txs);
    assert_eq!(
        outcome_codes(&results),
        vec!["ok", "ok", "bad_co_signature", "ok", "ok"]
    );
}

#[test]
fn a_co_signature_that_does_not_verify_is_refused() {
    let mut world = World::new();
    let signer = world.market.officer.clone();
    let officer2 = world.market.officer2.clone();
    let good = co_signed(world.market_anchor(b"file"), &signer, &[&officer2]);

    let mut flipped = good.clone();
    flipped.co_signatures[0].signature.0[7] ^= 1;
    assert_eq!(
        refused_as_given(&mut world, &signer, flipped),
        "bad_co_signature"
    );
    // Over another anchor's content: the co-signature of one file's anchor
    // carried onto another's, and an anchor changed after co-signing.
    let mut other_file = world.market_anchor(b"another file");
    other_file.co_signatures = good.co_signatures.clone();
    assert_eq!(
        refused_as_given(&mut world, &signer, other_file),
        "bad_co_signature"
    );
    let mut changed = good.clone();
    changed.capture_tool = "another tool".into();
    assert_eq!(
        refused_as_given(&mut world, &signer, changed),
        "bad_co_signature"
    );
    // For another submitter: officer2 co-signed for `signer`, not the head.
    let head = world.market.head.clone();
    assert_eq!(
        refused_as_given(&mut world, &head, good.clone()),
        "bad_co_signature"
    );
    // For another chain.
    let mut other_chain = world.market_anchor(b"file");
    other_chain.co_sign("another-chain", &id_of(&signer), &officer2);
    assert_eq!(
        refused_as_given(&mut world, &signer, other_chain),
        "bad_co_signature"
    );
    // A signature under another key (here a small-order one, which would
    // verify anything) names another officer id: not a collector's.
    let mut weak = good.clone();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    weak.co_signatures[0].public_key = xianjie_ledger::crypto::PublicKey(identity);
    assert_eq!(
        refused_as_given(&mut world, &signer, weak),
        "co_signer_not_collector"
    );
    // The good one is taken, and chain CHAIN is the one the harness signs for.
    assert_eq!(world.next_ctx().chain_id, CHAIN);
    world.call(&signer, Call::AnchorEvidence(good)).unwrap();
}

#[test]
fn one_signature_per_officer() {
    let mut world = World::new();
    let signer = world.market.officer.clone();
    let officer2 = world.market.officer2.clone();
    let twice = co_signed(
        world.market_anchor(b"file"),
        &signer,
        &[&officer2, &officer2],
    );
    assert_eq!(
        refused_as_given(&mut world, &signer, twice),
        "duplicate_co_signature"
    );
    // The signer co-signing their own anchor is a second signature too.
    let own = co_signed(world.market_anchor(b"file"), &signer, &[&officer2, &signer]);
    assert_eq!(
        refused_as_given(&mut world, &signer, own),
        "duplicate_co_signature"
    );
}

#[test]
fn co_signatures_are_bounded_before_any_is_checked() {
    let mut world = World::new();
    let signer = world.market.officer.clone();
    let officer2 = world.market.officer2.clone();
    let many: Vec<&SecretKey> = vec![&officer2; MAX_CO_SIGNATURES + 1];
    let anchor = co_signed(world.market_anchor(b"file"), &signer, &many);
    assert_eq!(
        invalid_field_name(&mut world, |a| *a = anchor),
        "co_signatures"
    );
}

#[test]
fn three_collectors_when_the_parameters_ask_for_three_means_three_signatures() {
    let mut world = World::with_params(Params {
        min_collectors: 3,
        ..test_params()
    });
    let signer = world.market.officer.clone();
    let (officer2, head) = (world.market.officer2.clone(), world.market.head.clone());
    // Two signing collectors are too few.
    let two = co_signed(world.market_anchor(b"file"), &signer, &[&officer2]);
    assert_eq!(
        refused_as_given(&mut world, &signer, two),
        "too_few_collectors"
    );
    // Three named, two signed: refused.
    let mut three = world.market_anchor(b"file");
    three.collected_by.push(id_of(&head));
    let two_of_three = co_signed(three.clone(), &signer, &[&officer2]);
    assert_eq!(
        refused_as_given(&mut world, &signer, two_of_three),
        "collector_not_signed"
    );
    // Three named, three signed: taken.
    let all_three = co_signed(three, &signer, &[&officer2, &head]);
    world
        .call(&signer, Call::AnchorEvidence(all_three))
        .unwrap();
}
