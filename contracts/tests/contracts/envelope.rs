//! The transaction envelope: chain id and validity window.

use xianjie_contracts::membership::check_envelope;
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::tx::{Call, RevokeOfficer, Tx};

use crate::harness::{test_params, World, CHAIN};

/// A harmless call signed by the market admin with the given envelope.
fn signed(world: &World, chain_id: &str, valid_until: u64) -> xianjie_ledger::tx::SignedTx {
    Tx {
        chain_id: chain_id.into(),
        signer: world.market.admin.public_key(),
        nonce: 1,
        valid_until,
        call: Call::RevokeOfficer(RevokeOfficer {
            officer: KeyId([0; 20]),
        }),
    }
    .sign(&world.market.admin)
}

fn envelope_code(world: &World, chain_id: &str, valid_until: u64) -> Result<(), &'static str> {
    check_envelope(
        &world.store,
        &world.next_ctx(),
        &signed(world, chain_id, valid_until),
    )
    .map_err(|e| e.code())
}

#[test]
fn another_chain_is_refused() {
    let world = World::new();
    assert_eq!(
        envelope_code(&world, "xianjie-other", 5),
        Err("wrong_chain")
    );
}

#[test]
fn the_window_runs_from_the_current_height_to_max_validity_blocks_ahead() {
    let mut world = World::new();
    world.height = 50; // the envelope check reads only params
    let height = world.next_ctx().height;
    let max = test_params().max_tx_validity_blocks;
    assert_eq!(envelope_code(&world, CHAIN, height - 1), Err("expired"));
    assert_eq!(envelope_code(&world, CHAIN, height), Ok(()));
    assert_eq!(envelope_code(&world, CHAIN, height + max), Ok(()));
    assert_eq!(
        envelope_code(&world, CHAIN, height + max + 1),
        Err("validity_too_long")
    );
    assert_eq!(
        envelope_code(&world, CHAIN, u64::MAX),
        Err("validity_too_long")
    );
}

#[test]
fn execute_checks_the_envelope_before_the_signer() {
    let mut world = World::new();
    let tx = signed(&world, "xianjie-other", 5);
    assert_eq!(world.submit(&tx).unwrap_err().code(), "wrong_chain");
    let tx = Tx {
        valid_until: 0,
        ..signed(&world, CHAIN, 0).tx
    }
    .sign(&world.market.admin);
    assert_eq!(world.submit(&tx).unwrap_err().code(), "expired");
}
