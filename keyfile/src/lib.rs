//! Xianjie key files as they lie on disk, for the `xianjie` CLI and
//! `xianjie-node`.
//!
//! Two formats, told apart by their `type` field and specified byte for
//! byte in `docs/keyfile.md`:
//!
//! - plain, `xianjie-ed25519-secret-key`: the seed in hex
//!   (`xianjie_ledger::crypto::KeyFile`, unchanged);
//! - encrypted, `xianjie-ed25519-encrypted-key` version 1
//!   ([`EncryptedKeyFile`]): the seed sealed by XChaCha20-Poly1305 under a
//!   key Argon2id derives from a passphrase.
//!
//! Either way a key file is refused unless only its owner can read it
//! ([`file::refuse_if_readable_by_others`]).
//!
//! A key may instead live on a PKCS#11 token (an officer's UKey, a server's
//! cipher machine), named by a `pkcs11:` URI ([`pkcs11`]). Both kinds sign
//! through [`Signer`]; [`open_signer`] opens either from what `--key` says. This crate is not in the ledger
//! because the ledger is pure: sealing needs fresh randomness and reading
//! needs the file system.
//!
//! ```
//! use xianjie_keyfile::{KdfParams, Passphrase, StoredKey};
//! use xianjie_ledger::crypto::SecretKey;
//!
//! let key = SecretKey::from_bytes(&[5; 32]);
//! let passphrase = Passphrase::new("correct horse battery".into());
//! let text = StoredKey::seal(&key, &passphrase, KdfParams::MINIMUM).unwrap();
//! let stored = StoredKey::parse(&text).unwrap();
//! assert!(stored.is_encrypted());
//! assert_eq!(stored.public_key(), key.public_key());
//! let unlocked = stored.unlock(|| Ok(passphrase.clone())).unwrap();
//! assert_eq!(unlocked.public_key(), key.public_key());
//! ```

pub mod encrypted;
pub mod error;
pub mod file;
pub mod passphrase;
pub mod pkcs11;
pub mod signer;

use std::path::Path;

use xianjie_ledger::crypto::{KeyFile, PublicKey, SecretKey, KEY_FILE_TYPE};

pub use encrypted::{EncryptedKeyFile, KdfParams, ENCRYPTED_KEY_FILE_TYPE};
pub use error::{Error, Result};
pub use passphrase::{Passphrase, PassphraseSource, PassphraseSources};
pub use pkcs11::{Pkcs11Signer, Pkcs11Uri};
pub use signer::{open_signer, KeySpec, Signer};

/// A key file's content, parsed; an encrypted one is not yet decrypted.
pub enum StoredKey {
    /// The plain format: the key itself.
    Plain(SecretKey),
    /// The encrypted format: the public key is known, the secret needs the
    /// passphrase.
    Encrypted(EncryptedKeyFile),
}

impl StoredKey {
    /// Parses either format, chosen by the `type` field.
    pub fn parse(text: &str) -> Result<StoredKey> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| Error::malformed(format!("not JSON: {error}")))?;
        match value.get("type").and_then(serde_json::Value::as_str) {
            Some(KEY_FILE_TYPE) => KeyFile::parse(text)
                .map(StoredKey::Plain)
                .map_err(|error| Error::malformed(error.to_string())),
            Some(ENCRYPTED_KEY_FILE_TYPE) => {
                EncryptedKeyFile::parse(text).map(StoredKey::Encrypted)
            }
            other => Err(Error::malformed(format!(
                "type is {other:?}, expected {KEY_FILE_TYPE:?} or {ENCRYPTED_KEY_FILE_TYPE:?}"
            ))),
        }
    }

    /// The text of an encrypted key file holding `key`, with a fresh salt and nonce.
    pub fn seal(key: &SecretKey, passphrase: &Passphrase, kdf: KdfParams) -> Result<String> {
        EncryptedKeyFile::seal(key, passphrase, kdf).map(|file| file.to_json())
    }

    /// Whether a passphrase is needed.
    pub fn is_encrypted(&self) -> bool {
        matches!(self, StoredKey::Encrypted(_))
    }

    /// The public key, known without the passphrase.
    pub fn public_key(&self) -> PublicKey {
        match self {
            StoredKey::Plain(key) => key.public_key(),
            StoredKey::Encrypted(file) => file.public_key,
        }
    }

    /// The secret key; `passphrase` is called only for an encrypted file.
    pub fn unlock(self, passphrase: impl FnOnce() -> Result<Passphrase>) -> Result<SecretKey> {
        match self {
            StoredKey::Plain(key) => Ok(key),
            StoredKey::Encrypted(file) => file.open(&passphrase()?),
        }
    }
}

/// Reads the key file `path` (refused if others can read it) without
/// decrypting it.
pub fn read_stored_key(path: &Path) -> Result<StoredKey> {
    StoredKey::parse(&file::read_private_text(path)?)
}

/// Reads and, if it is encrypted, unlocks the key file `path` with a
/// passphrase from `sources`.
pub fn read_key(path: &Path, sources: &PassphraseSources) -> Result<SecretKey> {
    read_stored_key(path)?.unlock(|| sources.existing(path))
}
