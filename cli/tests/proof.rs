//! The local proof check of `evidence verify` against genuine and corrupted bundles.

mod common;

use serde_json::Value;
use xianjie_cli::evidence::proof::{verify_bundle, ProofBundle, VerifiedEvidence};
use xianjie_ledger::Hash;

use common::{anchored, flip_hex, Fixture};

/// A named way to damage a bundle.
type Corruption = Box<dyn Fn(&mut Value)>;

fn check(bundle: &Value, digest: &Hash) -> Result<VerifiedEvidence, String> {
    let bundle: ProofBundle =
        serde_json::from_value(bundle.clone()).map_err(|e| format!("unreadable: {e}"))?;
    verify_bundle(&bundle, digest).map_err(|failure| failure.check)
}

/// Applies `corrupt` to a copy of the bundle and returns the failed check's name.
fn failed_check(fixture: &Fixture, corrupt: impl FnOnce(&mut Value)) -> String {
    let mut bundle = fixture.bundle.clone();
    corrupt(&mut bundle);
    match check(&bundle, &fixture.digest) {
        Ok(_) => panic!("a corrupted bundle verified"),
        Err(check) => check,
    }
}

#[test]
fn genuine_bundles_verify_and_return_the_proven_record() {
    for transfer in [false, true] {
        let fixture = anchored(b"scanned invoice", transfer);
        let verified = check(&fixture.bundle, &fixture.digest).unwrap();
        assert_eq!(verified.record, fixture.record);
        assert_eq!(verified.height, if transfer { 2 } else { 1 });
        assert_eq!((verified.signed_power, verified.total_power), (10, 10));
        assert_eq!(verified.chain_id, common::CHAIN_ID);
    }
}

#[test]
fn a_bundle_for_another_digest_is_refused() {
    let fixture = anchored(b"file", false);
    let other = xianjie_ledger::hash::file_digest(b"other file");
    assert_eq!(check(&fixture.bundle, &other).unwrap_err(), "digest");
}

#[test]
fn each_broken_link_is_named() {
    let fixture = anchored(b"video of the inspection", true);
    let cases: Vec<(&str, Corruption)> = vec![
        ("block height", Box::new(|b| b["height"] = Value::from(7))),
        (
            "block hash",
            Box::new(|b| flip_hex(&mut b["header"]["state_root"])),
        ),
        ("block hash", Box::new(|b| flip_hex(&mut b["block_hash"]))),
        (
            "validator set",
            Box::new(|b| b["validators"]["validators"][0]["power"] = Value::from(11)),
        ),
        (
            "commit certificate",
            Box::new(|b| flip_hex(&mut b["commit"]["signatures"][0]["signature"])),
        ),
        (
            "commit certificate",
            Box::new(|b| b["commit"]["round"] = Value::from(1)),
        ),
        ("state key", Box::new(|b| flip_hex(&mut b["state"]["key"]))),
        (
            "state proof",
            Box::new(|b| flip_hex(&mut b["state"]["value"])),
        ),
        (
            "anchor transaction",
            Box::new(|b| flip_hex(&mut b["anchor"]["tx_hash"])),
        ),
        (
            "anchor transaction",
            Box::new(|b| flip_hex(&mut b["anchor"]["header"]["tx_root"])),
        ),
        (
            "anchor transaction",
            Box::new(|b| flip_hex(&mut b["anchor"]["inclusion"]["path"][0])),
        ),
        (
            "anchor transaction",
            Box::new(|b| b["anchor"]["index"] = Value::from(0)),
        ),
        (
            "anchor transaction",
            Box::new(|b| b["anchor"]["header"]["time_ms"] = Value::from(1)),
        ),
        (
            "custody transactions",
            Box::new(|b| b["custody"] = Value::Array(vec![])),
        ),
        (
            "custody transaction 1",
            Box::new(|b| flip_hex(&mut b["custody"][0]["header"]["tx_root"])),
        ),
        (
            "custody transaction 1",
            Box::new(|b| b["custody"][0] = b["anchor"].clone()),
        ),
    ];
    for (expected, corrupt) in cases {
        assert_eq!(failed_check(&fixture, corrupt), expected);
    }
}

#[test]
fn flipping_any_byte_of_the_state_proof_or_record_fails() {
    let fixture = anchored(b"disk image", false);
    for field in ["proof", "value"] {
        let bytes = hex::decode(fixture.bundle["state"][field].as_str().unwrap()).unwrap();
        for index in 0..bytes.len() {
            let mut corrupted = bytes.clone();
            corrupted[index] ^= 0x01;
            let mut bundle = fixture.bundle.clone();
            bundle["state"][field] = Value::String(hex::encode(&corrupted));
            assert!(
                check(&bundle, &fixture.digest).is_err(),
                "{field} byte {index} flipped still verifies"
            );
        }
    }
}

#[test]
fn a_record_swapped_for_another_anchored_record_fails() {
    // A node that proves a different (genuinely anchored) record under this digest's question.
    let asked = anchored(b"the file the prosecutor holds", false);
    let other = anchored(b"some other file", false);
    let mut bundle = other.bundle.clone();
    bundle["digest"] = asked.bundle["digest"].clone();
    assert_eq!(check(&bundle, &asked.digest).unwrap_err(), "state key");
}
