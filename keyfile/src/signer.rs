//! Whatever signs with a key: a key file's secret in memory, or a key that
//! never leaves a PKCS#11 token ([`crate::pkcs11`]).
//!
//! A key is named either by a file path or by a `pkcs11:` URI
//! ([`KeySpec::parse`]); [`open_signer`] turns either into a [`Signer`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use xianjie_ledger::crypto::{PublicKey, SecretKey, Signature};

use crate::error::Result;
use crate::passphrase::PassphraseSources;
use crate::pkcs11::{Pkcs11Signer, Pkcs11Uri, URI_SCHEME};

/// Signs messages with one Ed25519 key.
pub trait Signer: Send + Sync + std::fmt::Debug {
    /// The key's public half.
    fn public_key(&self) -> PublicKey;
    /// An Ed25519 signature of `message` (pure Ed25519, RFC 8032), as
    /// [`xianjie_ledger::crypto::verify`] checks it. A token may fail
    /// (unplugged, session lost), so signing can fail.
    fn sign(&self, message: &[u8]) -> Result<Signature>;
}

/// A key file's secret, unlocked in memory.
impl Signer for SecretKey {
    fn public_key(&self) -> PublicKey {
        SecretKey::public_key(self)
    }

    fn sign(&self, message: &[u8]) -> Result<Signature> {
        Ok(SecretKey::sign(self, message))
    }
}

/// Where a key is: a key file, or an object on a PKCS#11 token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySpec {
    /// A key file of either format.
    File(PathBuf),
    /// A `pkcs11:` URI.
    Pkcs11(Pkcs11Uri),
}

impl KeySpec {
    /// A `pkcs11:` URI if `path` starts with the scheme, else a file path.
    pub fn parse(path: &Path) -> Result<KeySpec> {
        match path.to_str() {
            Some(text) if text.starts_with(URI_SCHEME) => {
                Pkcs11Uri::parse(text).map(KeySpec::Pkcs11)
            }
            _ => Ok(KeySpec::File(path.to_owned())),
        }
    }
}

/// Opens the key `path` names: a key file is read and, if encrypted,
/// unlocked with a passphrase from `sources`; a `pkcs11:` URI logs in to
/// the token (its PIN from the URI's `pin-source`, else from `sources`) and
/// checks one signature of the key.
pub fn open_signer(path: &Path, sources: &PassphraseSources) -> Result<Arc<dyn Signer>> {
    match KeySpec::parse(path)? {
        KeySpec::File(path) => Ok(Arc::new(crate::read_key(&path, sources)?)),
        KeySpec::Pkcs11(uri) => Ok(Arc::new(Pkcs11Signer::open(&uri, sources)?)),
    }
}

/// The public key `path` names, without a passphrase for a key file (its
/// header has it); a token is logged in to, as some tokens show public
/// keys only then.
pub fn read_public_key(path: &Path, sources: &PassphraseSources) -> Result<PublicKey> {
    match KeySpec::parse(path)? {
        KeySpec::File(path) => Ok(crate::read_stored_key(&path)?.public_key()),
        KeySpec::Pkcs11(uri) => Ok(Pkcs11Signer::open(&uri, sources)?.public_key()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_key_signs_as_the_ledger_verifies() {
        let key = SecretKey::from_bytes(&[4; 32]);
        let signer: &dyn Signer = &key;
        let signature = signer.sign(b"message").unwrap();
        xianjie_ledger::crypto::verify(&signer.public_key(), b"message", &signature).unwrap();
    }

    #[test]
    fn paths_and_uris_are_told_apart() {
        assert_eq!(
            KeySpec::parse(Path::new("keys/officer.key")).unwrap(),
            KeySpec::File(PathBuf::from("keys/officer.key"))
        );
        assert!(matches!(
            KeySpec::parse(Path::new("pkcs11:token=T;object=O")).unwrap(),
            KeySpec::Pkcs11(_)
        ));
        assert!(KeySpec::parse(Path::new("pkcs11:object=O")).is_err());
    }
}
