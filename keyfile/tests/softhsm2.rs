//! Keys on a real SoftHSM2 token: signatures the ledger accepts, and clear
//! refusals of a wrong PIN, a missing object and a key that is not Ed25519.

mod support;

use std::path::Path;

use support::softhsm::{self, SoftHsm, PIN_TOKEN, TOKEN};
use xianjie_keyfile::{
    open_signer, KeySpec, PassphraseSource, PassphraseSources, Pkcs11Signer, Pkcs11Uri, Signer,
};
use xianjie_ledger::crypto;

fn hsm() -> &'static SoftHsm {
    SoftHsm::get()
}

/// No passphrase source at all: the PIN must come from the URI.
fn no_sources() -> PassphraseSources {
    PassphraseSources::new(Vec::new())
}

fn open(uri: &str) -> xianjie_keyfile::Result<Pkcs11Signer> {
    Pkcs11Signer::open(&Pkcs11Uri::parse(uri).unwrap(), &no_sources())
}

#[test]
fn a_token_key_signs_what_the_ledger_verifies() {
    let signer = open_signer(Path::new(&hsm().uri(TOKEN, "officer")), &no_sources()).unwrap();
    for message in [&b""[..], b"a transaction hash", &[0xa5; 1000]] {
        let signature = signer.sign(message).unwrap();
        crypto::verify(&signer.public_key(), message, &signature).unwrap();
    }
    let other = open(&hsm().uri(TOKEN, "second")).unwrap();
    assert_ne!(
        other.public_key(),
        signer.public_key(),
        "each label is its own key"
    );
    let signature = other.sign(b"m").unwrap();
    assert!(crypto::verify(&signer.public_key(), b"m", &signature).is_err());
}

#[test]
fn the_pin_may_come_from_the_passphrase_sources() {
    let hsm = hsm();
    let uri = format!(
        "pkcs11:token={TOKEN};object=officer?module-path={}",
        softhsm::MODULE
    );
    let sources = PassphraseSources::new(vec![PassphraseSource::File {
        flag: "--passphrase-file",
        path: Some(hsm.pin_file.clone()),
    }]);
    let signer = open_signer(Path::new(&uri), &sources).unwrap();
    let expected = open(&hsm.uri(TOKEN, "officer")).unwrap().public_key();
    assert_eq!(signer.public_key(), expected);
    let error = open_signer(Path::new(&uri), &no_sources())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no PIN for token") && error.contains("pin-source=FILE"),
        "{error}"
    );
}

#[test]
fn a_wrong_pin_is_refused_clearly() {
    let hsm = hsm();
    let wrong = hsm.dir.join("wrong-pin");
    softhsm::write_private(&wrong, "9999\n");
    let uri = format!(
        "pkcs11:token={PIN_TOKEN};object=officer?module-path={}&pin-source={}",
        softhsm::MODULE,
        wrong.display()
    );
    let error = open(&uri).unwrap_err();
    assert!(
        matches!(error, xianjie_keyfile::Error::WrongPin { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("refused the PIN"), "{error}");
}

#[test]
fn an_unknown_object_or_token_is_refused_clearly() {
    let hsm = hsm();
    let error = open(&hsm.uri(TOKEN, "nobody")).unwrap_err().to_string();
    assert!(
        error.contains("has no private key labelled \"nobody\"")
            && error.contains("--list-objects"),
        "{error}"
    );
    let error = open(&hsm.uri("no-such-token", "officer"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no PKCS#11 token is labelled \"no-such-token\"") && error.contains(TOKEN),
        "{error}"
    );
}

#[test]
fn a_key_that_is_not_ed25519_is_refused_at_open() {
    let error = open(&hsm().uri(TOKEN, "p256")).unwrap_err();
    assert!(
        matches!(error, xianjie_keyfile::Error::NotEd25519 { .. }),
        "{error}"
    );
    let text = error.to_string();
    assert!(
        text.contains("CKK_EC") && text.contains("not CKK_EC_EDWARDS"),
        "{text}"
    );
}

#[test]
fn a_missing_module_is_named() {
    let error = open("pkcs11:token=t;object=o?module-path=/nonexistent/libpkcs11.so")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("/nonexistent/libpkcs11.so") && error.contains("apt-get install softhsm2"),
        "{error}"
    );
    assert!(matches!(
        KeySpec::parse(Path::new(&hsm().uri(TOKEN, "officer"))).unwrap(),
        KeySpec::Pkcs11(_)
    ));
}
