//! ed25519 keys and signatures with one validity rule everywhere.
//!
//! Signature validity is consensus-critical, so every check goes through
//! [`verify`], which uses ed25519-dalek's `verify_strict` (rejects small-order
//! keys and non-canonical encodings). Batch verification is randomised and may
//! disagree with the strict rule on crafted inputs, so it never decides
//! validity. The signature scheme lives behind this module so that another
//! scheme (SM2) can be added as a network option without touching contracts.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::CryptoError;
use crate::hash::{fixed_bytes, hash_with, Domain, Hash};

/// An ed25519 public key (32 bytes; hex in JSON).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub [u8; 32]);

/// An ed25519 signature (64 bytes; hex in JSON).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signature(pub [u8; 64]);

/// A short identifier derived from a public key: the first 20 bytes of its
/// domain-separated hash. Officers and validators are referred to by it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct KeyId(pub [u8; 20]);

/// A private signing key. Never serialised by this crate except through
/// [`SecretKey::to_bytes`], and never printed.
#[derive(Clone)]
pub struct SecretKey(SigningKey);

impl SecretKey {
    /// Builds a key from its 32-byte seed. Callers draw the seed from the
    /// operating system's RNG; this crate has no randomness of its own.
    pub fn from_bytes(seed: &[u8; 32]) -> Self {
        SecretKey(SigningKey::from_bytes(seed))
    }

    /// The 32-byte seed. Handle with care.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// Signs a message.
    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.0.sign(message).to_bytes())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(public {})", self.public_key())
    }
}

/// Verifies a signature with the strict rule used everywhere in Xianjie.
pub fn verify(
    public_key: &PublicKey,
    message: &[u8],
    signature: &Signature,
) -> Result<(), CryptoError> {
    let key = decompressed(public_key)?;
    let signature = ed25519_dalek::Signature::from_bytes(&signature.0);
    key.verify_strict(message, &signature)
        .map_err(|_| CryptoError::BadSignature)
}

/// How many decompressed keys each thread keeps; the cache is emptied when
/// it is full. A network has a few hundred officer keys at most.
const DECOMPRESSED_KEYS_PER_THREAD: usize = 1024;

thread_local! {
    static DECOMPRESSED_KEYS: RefCell<BTreeMap<[u8; 32], VerifyingKey>> =
        const { RefCell::new(BTreeMap::new()) };
}

/// The curve point of `public_key`. Decompressing a key costs about a
/// tenth of a verification, and a block's transactions are signed by few
/// keys, so each thread keeps the points it decompressed. The point is a
/// function of the bytes alone, so the cache cannot change an answer.
fn decompressed(public_key: &PublicKey) -> Result<VerifyingKey, CryptoError> {
    let cached = DECOMPRESSED_KEYS.with(|keys| keys.borrow().get(&public_key.0).copied());
    if let Some(key) = cached {
        return Ok(key);
    }
    let key = VerifyingKey::from_bytes(&public_key.0).map_err(|_| CryptoError::InvalidPublicKey)?;
    DECOMPRESSED_KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if keys.len() >= DECOMPRESSED_KEYS_PER_THREAD {
            keys.clear();
        }
        keys.insert(public_key.0, key);
    });
    Ok(key)
}

impl PublicKey {
    /// The short identifier of this key.
    pub fn id(&self) -> KeyId {
        let digest = hash_with(Domain::KeyId, &self.0);
        let mut id = [0u8; 20];
        id.copy_from_slice(&digest.0[..20]);
        KeyId(id)
    }

    /// Whether the bytes are a usable ed25519 point (not small order).
    pub fn is_valid(&self) -> bool {
        decompressed(self).is_ok_and(|key| !key.is_weak())
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut out).map_err(|e| CryptoError::MalformedKey {
            reason: format!("public key must be 64 hex characters: {e}"),
        })?;
        Ok(PublicKey(out))
    }
}

impl KeyId {
    /// Lower-case hex (40 characters).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 40 hex characters.
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let mut out = [0u8; 20];
        hex::decode_to_slice(text.trim(), &mut out).map_err(|e| CryptoError::MalformedKey {
            reason: format!("an id is 40 hex characters: {e}"),
        })?;
        Ok(KeyId(out))
    }
}

impl Signature {
    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// The message validators sign to vote for a block: binds the chain, the
/// height, the round and the block hash (or nil).
pub fn vote_digest(
    chain_id: &str,
    height: u64,
    round: u32,
    kind: VoteKind,
    block_hash: Option<&Hash>,
) -> Hash {
    let nil = [0u8; 32];
    let (present, hash) = match block_hash {
        Some(h) => (1u8, &h.0),
        None => (0u8, &nil),
    };
    crate::hash::hash_parts(
        Domain::Vote,
        &[
            &(chain_id.len() as u64).to_be_bytes(),
            chain_id.as_bytes(),
            &height.to_be_bytes(),
            &round.to_be_bytes(),
            &[kind as u8, present],
            hash,
        ],
    )
}

/// The two kinds of consensus vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u8)]
#[serde(rename_all = "lowercase")]
pub enum VoteKind {
    /// First-phase vote.
    Prevote = 1,
    /// Second-phase vote; a quorum of these commits a block.
    Precommit = 2,
}

macro_rules! byte_newtype_traits {
    ($name:ident, $len:expr) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                fixed_bytes::serialize(&self.0, serializer)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                fixed_bytes::deserialize::<D, $len>(deserializer).map($name)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), hex::encode(self.0))
            }
        }
    };
}

byte_newtype_traits!(PublicKey, 32);
byte_newtype_traits!(Signature, 64);
byte_newtype_traits!(KeyId, 20);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_keeps_its_own_answer_once_its_point_is_cached() {
        let first = SecretKey::from_bytes(&[3u8; 32]);
        let second = SecretKey::from_bytes(&[4u8; 32]);
        let by_first = first.sign(b"message");
        let by_second = second.sign(b"message");
        for _ in 0..2 {
            assert!(verify(&first.public_key(), b"message", &by_first).is_ok());
            assert!(verify(&second.public_key(), b"message", &by_second).is_ok());
            assert_eq!(
                verify(&second.public_key(), b"message", &by_first),
                Err(CryptoError::BadSignature)
            );
            // y = 2 is not the y-coordinate of a curve point.
            let mut off_curve = [0u8; 32];
            off_curve[0] = 2;
            assert_eq!(
                verify(&PublicKey(off_curve), b"message", &by_first),
                Err(CryptoError::InvalidPublicKey)
            );
        }
        // Past the cache's bound it is emptied and refilled, answers unchanged.
        for seed in 0..=DECOMPRESSED_KEYS_PER_THREAD {
            let mut bytes = [5u8; 32];
            bytes[..8].copy_from_slice(&(seed as u64).to_le_bytes());
            let key = SecretKey::from_bytes(&bytes);
            assert!(verify(&key.public_key(), b"message", &key.sign(b"message")).is_ok());
        }
        assert!(verify(&first.public_key(), b"message", &by_first).is_ok());
        assert_eq!(
            verify(&first.public_key(), b"message", &by_second),
            Err(CryptoError::BadSignature)
        );
    }

    #[test]
    fn sign_and_verify_strict() {
        let key = SecretKey::from_bytes(&[1u8; 32]);
        let signature = key.sign(b"message");
        assert!(verify(&key.public_key(), b"message", &signature).is_ok());
        assert_eq!(
            verify(&key.public_key(), b"other", &signature),
            Err(CryptoError::BadSignature)
        );
        let mut flipped = signature;
        flipped.0[10] ^= 1;
        assert!(verify(&key.public_key(), b"message", &flipped).is_err());
    }

    /// RFC 8032, section 7.1, tests 1 to 3: (seed, public key, message,
    /// signature). They pin the arithmetic whatever backend the curve
    /// library picks for the CPU it is built for.
    const RFC_8032_VECTORS: [(&str, &str, &str, &str); 3] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
             085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac\
             18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        ),
    ];

    /// The group order L, little-endian.
    const GROUP_ORDER: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];

    fn plus_group_order(scalar: &[u8]) -> [u8; 32] {
        let mut sum = [0u8; 32];
        let mut carry = 0u16;
        for (i, byte) in sum.iter_mut().enumerate() {
            let total = u16::from(scalar[i]) + u16::from(GROUP_ORDER[i]) + carry;
            *byte = total as u8;
            carry = total >> 8;
        }
        sum
    }

    #[test]
    fn rfc_8032_vectors_sign_and_verify_and_their_malleated_twins_are_refused() {
        for (seed, public, message, signature) in RFC_8032_VECTORS {
            let seed: [u8; 32] = hex::decode(seed).unwrap().try_into().unwrap();
            let key = SecretKey::from_bytes(&seed);
            let public = PublicKey::from_hex(public).unwrap();
            let message = hex::decode(message).unwrap();
            let signature = Signature(hex::decode(signature).unwrap().try_into().unwrap());
            assert_eq!(key.public_key(), public);
            assert_eq!(key.sign(&message), signature);
            assert_eq!(verify(&public, &message, &signature), Ok(()));
            // The same signature with S + L: the same equation holds, but a
            // non-canonical S would let anyone make a second valid encoding.
            let mut malleated = signature;
            malleated.0[32..].copy_from_slice(&plus_group_order(&signature.0[32..]));
            assert_ne!(malleated, signature);
            assert_eq!(
                verify(&public, &message, &malleated),
                Err(CryptoError::BadSignature)
            );
        }
    }

    #[test]
    fn small_order_public_key_is_refused() {
        // The identity point encodes as 0x01 followed by zeros: small order.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        assert!(!PublicKey(weak).is_valid());
        let key = SecretKey::from_bytes(&[2u8; 32]);
        assert!(key.public_key().is_valid());
        assert!(verify(&PublicKey(weak), b"m", &key.sign(b"m")).is_err());
    }

    #[test]
    fn key_id_is_stable_golden() {
        let key = SecretKey::from_bytes(&[0u8; 32]);
        assert_eq!(
            key.public_key().to_hex(),
            "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
        );
        let id = key.public_key().id();
        assert_eq!(id, key.public_key().id());
        assert_eq!(KeyId::from_hex(&id.to_hex()).unwrap(), id);
        assert_eq!(id.to_hex().len(), 40);
    }

    #[test]
    fn vote_digest_binds_every_field() {
        let block = Hash([9u8; 32]);
        let base = vote_digest("c", 1, 0, VoteKind::Precommit, Some(&block));
        assert_ne!(
            base,
            vote_digest("d", 1, 0, VoteKind::Precommit, Some(&block))
        );
        assert_ne!(
            base,
            vote_digest("c", 2, 0, VoteKind::Precommit, Some(&block))
        );
        assert_ne!(
            base,
            vote_digest("c", 1, 1, VoteKind::Precommit, Some(&block))
        );
        assert_ne!(
            base,
            vote_digest("c", 1, 0, VoteKind::Prevote, Some(&block))
        );
        assert_ne!(base, vote_digest("c", 1, 0, VoteKind::Precommit, None));
    }
}

/// The text form of a key file (`HOME/keys/<org>-<role>.key`, `xianjie keys new`).
/// JSON with the secret seed, the public key and its id, all hex. Parsing
/// and printing are pure; reading and writing the file (mode 0600) is the
/// caller's job.
#[derive(Serialize, Deserialize)]
pub struct KeyFile {
    /// Always `xianjie-ed25519-secret-key`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The 32-byte seed, hex.
    pub secret_key: String,
    /// The public key, hex.
    pub public_key: PublicKey,
    /// The key id, hex.
    pub id: KeyId,
}

/// The `type` field of a key file.
pub const KEY_FILE_TYPE: &str = "xianjie-ed25519-secret-key";

impl KeyFile {
    /// The key file text for a secret key.
    pub fn to_json(key: &SecretKey) -> String {
        let file = KeyFile {
            kind: KEY_FILE_TYPE.to_owned(),
            secret_key: hex::encode(key.to_bytes()),
            public_key: key.public_key(),
            id: key.public_key().id(),
        };
        // Plain strings always serialise.
        serde_json::to_string_pretty(&file).expect("key file serialises") + "\n"
    }

    /// Parses key file text and checks that its public key matches its secret.
    pub fn parse(text: &str) -> Result<SecretKey, CryptoError> {
        let file: KeyFile = serde_json::from_str(text).map_err(|e| CryptoError::MalformedKey {
            reason: format!("not a key file: {e}"),
        })?;
        if file.kind != KEY_FILE_TYPE {
            return Err(CryptoError::MalformedKey {
                reason: format!("type is {:?}, expected {KEY_FILE_TYPE:?}", file.kind),
            });
        }
        let mut seed = [0u8; 32];
        hex::decode_to_slice(file.secret_key.trim(), &mut seed).map_err(|_| {
            CryptoError::MalformedKey {
                reason: "secret_key must be 64 hex characters".into(),
            }
        })?;
        let key = SecretKey::from_bytes(&seed);
        if key.public_key() != file.public_key {
            return Err(CryptoError::MalformedKey {
                reason: "public_key does not belong to secret_key".into(),
            });
        }
        Ok(key)
    }
}

#[cfg(test)]
mod key_file_tests {
    use super::*;

    #[test]
    fn key_file_round_trip_and_mismatch() {
        let key = SecretKey::from_bytes(&[3u8; 32]);
        let text = KeyFile::to_json(&key);
        assert_eq!(
            KeyFile::parse(&text).unwrap().public_key(),
            key.public_key()
        );
        let other = SecretKey::from_bytes(&[4u8; 32]).public_key().to_hex();
        let tampered = text.replace(&key.public_key().to_hex(), &other);
        assert!(KeyFile::parse(&tampered).is_err());
        assert!(KeyFile::parse("{}").is_err());
    }
}
