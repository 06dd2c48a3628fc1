//! The worked example of docs/keyfile.md is true: its encrypted file opens
//! with its passphrase to its plain file's key, and every block is byte for
//! byte what this crate computes from the stated inputs. When a block is
//! wrong the failure prints the block to paste in its place.

use xianjie_keyfile::{EncryptedKeyFile, KdfParams, Passphrase, StoredKey};
use xianjie_ledger::crypto::{KeyFile, SecretKey};

const DOC: &str = include_str!("../../docs/keyfile.md");

/// The seed, salt and nonce the example states in words.
fn counting_bytes<const N: usize>(first: u8) -> [u8; N] {
    std::array::from_fn(|i| first + i as u8)
}

/// The content of the fenced block right after `<!-- NAME -->`, with a
/// final newline.
fn block(name: &str) -> String {
    let marker = format!("<!-- {name} -->\n");
    let start = DOC
        .find(&marker)
        .unwrap_or_else(|| panic!("docs/keyfile.md has no {marker:?}"));
    let after = &DOC[start + marker.len()..];
    let fence_end = after.find('\n').expect("an opening fence") + 1;
    let body = &after[fence_end..];
    let end = body.find("```").expect("a closing fence");
    body[..end].to_owned()
}

#[test]
fn the_documented_example_decrypts_with_its_passphrase_and_is_what_the_code_writes() {
    let passphrase_line = block("example-passphrase");
    let passphrase = Passphrase::new(passphrase_line.trim_end_matches('\n').to_owned());
    let key = SecretKey::from_bytes(&counting_bytes::<32>(0));

    // What the code writes from the stated inputs, block by block; every
    // wrong block is printed as it should read.
    let salt = counting_bytes::<16>(0xa0);
    let nonce = counting_bytes::<24>(0xb0);
    let sealed =
        EncryptedKeyFile::seal_with(&key, &passphrase, KdfParams::DEFAULT, &salt, nonce).unwrap();
    let cipher_key = KdfParams::DEFAULT.derive_key(&passphrase, &salt).unwrap();
    let expected = [
        ("example-plain", KeyFile::to_json(&key)),
        (
            "example-associated-data",
            String::from_utf8(sealed.associated_data()).unwrap(),
        ),
        ("example-cipher-key", hex::encode(*cipher_key) + "\n"),
        ("example-encrypted", sealed.to_json()),
    ];
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(name, text)| block(name) != *text)
        .map(|(name, text)| format!("<!-- {name} --> should be followed by:\n{text}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "docs/keyfile.md is out of date:\n{}",
        wrong.join("\n")
    );

    // What a third party does: the encrypted file opens, with the stated
    // passphrase only, to the plain file's key.
    let plain_key = KeyFile::parse(&block("example-plain")).expect("the plain example parses");
    let encrypted = || StoredKey::parse(&block("example-encrypted")).expect("it parses");
    assert!(encrypted().is_encrypted());
    let opened = encrypted()
        .unlock(|| Ok(passphrase.clone()))
        .expect("the encrypted example opens with its stated passphrase");
    assert_eq!(opened.to_bytes(), plain_key.to_bytes());
    let wrong_passphrase = Passphrase::new("correct horse battery stapler".into());
    assert!(encrypted().unlock(|| Ok(wrong_passphrase)).is_err());
}
