//! ed25519 keys and signatures with one validity rule everywhere.
//!
//! Signature validity is consensus-critical, so every check goes through
//! [`verify`] or [`verify_each`], which apply the same rule: ZIP 215, as
//! implemented by ed25519-zebra, plus a refusal of public keys of small
//! order. ZIP 215 fixes every edge case of ed25519 (`S` must be reduced, `A`
//! and `R` must decode, the equation is the cofactored `[8][S]B = [8]R +
//! [8][k]A`) so that checking signatures together in a batch gives exactly
//! the answer of checking them one by one, whatever else is in the batch.
//! The strict cofactorless rule (`verify_strict`) does not have that
//! property: a batch may accept a crafted signature that the single check
//! refuses, and different validators would batch it with different
//! neighbours. Keys and signing stay with ed25519-dalek; the signatures are
//! the same RFC 8032 signatures. The signature scheme lives behind this
//! module so that another scheme (SM2) can be added as a network option
//! without touching contracts.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use ed25519_zebra::{batch, VerificationKey, VerificationKeyBytes};
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

/// Verifies a signature with the rule used everywhere in Xianjie.
pub fn verify(
    public_key: &PublicKey,
    message: &[u8],
    signature: &Signature,
) -> Result<(), CryptoError> {
    let key = verification_key(public_key)?;
    key.verify(&ed25519_zebra::Signature::from(signature.0), message)
        .map_err(|_| CryptoError::BadSignature)
}

/// One signature to check with [`verify_each`].
#[derive(Clone, Copy, Debug)]
pub struct SignedMessage<'a> {
    /// The key it claims to be made with.
    pub public_key: &'a PublicKey,
    /// The message signed.
    pub message: &'a [u8],
    /// The signature.
    pub signature: &'a Signature,
}

/// How many signatures are checked in one batch equation. A failed batch is
/// checked again one by one to find the bad signatures, which costs about one
/// single check more per signature of that batch whatever its size; from
/// about 200 points the curve library switches to a faster multiplication
/// (Pippenger's), so 256 checks about a quarter faster per signature than 64.
pub const VERIFY_BATCH: usize = 256;

/// [`verify`] for each of `items`, in order, checked in batches of
/// [`VERIFY_BATCH`]: a batch costs about a quarter of as many single checks
/// when its signatures share a few keys, as a block's officers' do. The
/// answers are those of [`verify`] one by one (ZIP 215 makes the batch
/// equation agree with the single one; a batch that fails is checked again
/// one by one). The batch's random coefficients are drawn from a hash of
/// the batch itself, so this crate stays free of randomness.
pub fn verify_each(items: &[SignedMessage<'_>]) -> Vec<Result<(), CryptoError>> {
    let mut answers = Vec::with_capacity(items.len());
    for chunk in items.chunks(VERIFY_BATCH) {
        match verify_batch(chunk) {
            Ok(()) => answers.extend(chunk.iter().map(|_| Ok(()))),
            Err(_) => answers.extend(
                chunk
                    .iter()
                    .map(|item| verify(item.public_key, item.message, item.signature)),
            ),
        }
    }
    answers
}

/// Whether every signature of `items` verifies (one batch equation).
fn verify_batch(items: &[SignedMessage<'_>]) -> Result<(), CryptoError> {
    let mut batch = batch::Verifier::new();
    let mut transcript = blake3::Hasher::new_derive_key(BATCH_COEFFICIENTS_CONTEXT);
    for item in items {
        // The key rule beyond ZIP 215 (no small order) is the single check's.
        verification_key(item.public_key)?;
        transcript.update(&item.public_key.0);
        transcript.update(&item.signature.0);
        transcript.update(&(item.message.len() as u64).to_le_bytes());
        transcript.update(item.message);
        batch.queue((
            VerificationKeyBytes::from(item.public_key.0),
            ed25519_zebra::Signature::from(item.signature.0),
            item.message,
        ));
    }
    batch
        .verify(TranscriptRng(transcript.finalize_xof()))
        .map_err(|_| CryptoError::BadSignature)
}

/// Domain of the hash that draws a batch's coefficients.
const BATCH_COEFFICIENTS_CONTEXT: &str = "xianjie 2026-11 ed25519 batch coefficients v1";

/// The batch equation's coefficients, read from the hash of everything in
/// the batch (as ed25519-dalek's own batch check does): whoever chose the
/// signatures cannot choose coefficients that make bad ones cancel out
/// without breaking the hash.
struct TranscriptRng(blake3::OutputReader);

impl rand_core::RngCore for TranscriptRng {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.0.fill(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.0.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for TranscriptRng {}

/// How many decoded keys each thread keeps; the cache is emptied when it is
/// full. A network has a few hundred officer keys at most.
const DECOMPRESSED_KEYS_PER_THREAD: usize = 1024;

thread_local! {
    static DECOMPRESSED_KEYS: RefCell<BTreeMap<[u8; 32], VerificationKey>> =
        const { RefCell::new(BTreeMap::new()) };
}

/// The verification key of `public_key`, refused if its point does not
/// decode or has small order (such a key would verify signatures anyone can
/// make). Decoding a key costs about a tenth of a verification, and a
/// block's transactions are signed by few keys, so each thread keeps the
/// keys it decoded. The key is a function of the bytes alone, so the cache
/// cannot change an answer.
fn verification_key(public_key: &PublicKey) -> Result<VerificationKey, CryptoError> {
    let cached = DECOMPRESSED_KEYS.with(|keys| keys.borrow().get(&public_key.0).copied());
    if let Some(key) = cached {
        return Ok(key);
    }
    let point =
        VerifyingKey::from_bytes(&public_key.0).map_err(|_| CryptoError::InvalidPublicKey)?;
    if point.is_weak() {
        return Err(CryptoError::InvalidPublicKey);
    }
    let key = VerificationKey::try_from(public_key.0).map_err(|_| CryptoError::InvalidPublicKey)?;
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
        verification_key(self).is_ok()
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

    /// Keys of every kind and signatures good and bad, more than one batch.
    fn mixed_signatures() -> Vec<(PublicKey, Vec<u8>, Signature)> {
        let officers: Vec<SecretKey> = (1..=5u8)
            .map(|seed| SecretKey::from_bytes(&[seed; 32]))
            .collect();
        let mut weak = [0u8; 32];
        weak[0] = 1;
        let mut off_curve = [0u8; 32];
        off_curve[0] = 2;
        (0..3 * VERIFY_BATCH + 7)
            .map(|i| {
                let key = &officers[i % officers.len()];
                let message = (i as u64).to_le_bytes().to_vec();
                let mut signature = key.sign(&message);
                let mut public_key = key.public_key();
                match i % 23 {
                    5 => signature.0[40] ^= 1,
                    11 => signature = key.sign(b"another message"),
                    17 => public_key = PublicKey(weak),
                    19 => public_key = PublicKey(off_curve),
                    _ => {}
                }
                (public_key, message, signature)
            })
            .collect()
    }

    fn as_items(signed: &[(PublicKey, Vec<u8>, Signature)]) -> Vec<SignedMessage<'_>> {
        signed
            .iter()
            .map(|(public_key, message, signature)| SignedMessage {
                public_key,
                message,
                signature,
            })
            .collect()
    }

    #[test]
    fn checking_in_batches_answers_as_checking_one_by_one() {
        let signed = mixed_signatures();
        let one_by_one: Vec<_> = signed
            .iter()
            .map(|(key, message, signature)| verify(key, message, signature))
            .collect();
        assert!(one_by_one.iter().any(Result::is_ok));
        assert!(one_by_one.contains(&Err(CryptoError::BadSignature)));
        assert!(one_by_one.contains(&Err(CryptoError::InvalidPublicKey)));
        assert_eq!(verify_each(&as_items(&signed)), one_by_one);
        // Batches of good signatures only, and the same signatures in
        // another order (other batch neighbours), give the same answers.
        let good: Vec<_> = signed
            .iter()
            .zip(&one_by_one)
            .filter(|(_, answer)| answer.is_ok())
            .map(|(item, _)| item.clone())
            .collect();
        assert!(verify_each(&as_items(&good)).iter().all(Result::is_ok));
        let mut reversed = signed.clone();
        reversed.reverse();
        let mut answers = verify_each(&as_items(&reversed));
        answers.reverse();
        assert_eq!(answers, one_by_one);
    }

    /// A signature whose `R` carries a point of order 8, made with the
    /// secret scalar: `[S]B = R + [k]A` fails by that point, the cofactored
    /// equation holds. The strict rule refuses it; ZIP 215 accepts it, and
    /// so does every batch it is put in, which is why it is the rule.
    fn signature_with_small_order_component(seed: &[u8; 32], message: &[u8]) -> Signature {
        use curve25519_dalek::constants::EIGHT_TORSION;
        use curve25519_dalek::scalar::{clamp_integer, Scalar};
        use curve25519_dalek::EdwardsPoint;
        use sha2::{Digest, Sha512};

        let expanded: [u8; 64] = Sha512::digest(seed).into();
        let secret =
            Scalar::from_bytes_mod_order(clamp_integer(expanded[..32].try_into().unwrap()));
        let public = EdwardsPoint::mul_base(&secret).compress();
        let nonce = Scalar::from_bytes_mod_order([42u8; 32]);
        let r = (EdwardsPoint::mul_base(&nonce) + EIGHT_TORSION[1]).compress();
        let challenge: [u8; 64] = Sha512::new()
            .chain_update(r.as_bytes())
            .chain_update(public.as_bytes())
            .chain_update(message)
            .finalize()
            .into();
        let s = nonce + Scalar::from_bytes_mod_order_wide(&challenge) * secret;
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(r.as_bytes());
        signature[32..].copy_from_slice(s.as_bytes());
        Signature(signature)
    }

    #[test]
    fn a_signature_with_a_small_order_component_has_one_answer_alone_and_in_any_batch() {
        let seed = [7u8; 32];
        let key = SecretKey::from_bytes(&seed);
        let public_key = key.public_key();
        let crafted = signature_with_small_order_component(&seed, b"crafted");
        let strict = VerifyingKey::from_bytes(&public_key.0)
            .unwrap()
            .verify_strict(
                b"crafted",
                &ed25519_dalek::Signature::from_bytes(&crafted.0),
            );
        assert!(strict.is_err(), "the strict rule refuses it");
        assert_eq!(verify(&public_key, b"crafted", &crafted), Ok(()));
        let mut signed = mixed_signatures();
        for position in [0, 1, VERIFY_BATCH / 2, signed.len()] {
            let mut with_crafted = signed.clone();
            with_crafted.insert(position, (public_key, b"crafted".to_vec(), crafted));
            assert_eq!(verify_each(&as_items(&with_crafted))[position], Ok(()));
        }
        // With only good neighbours the whole batch equation holds.
        signed.retain(|(key, message, signature)| verify(key, message, signature).is_ok());
        signed.truncate(VERIFY_BATCH - 1);
        signed.push((public_key, b"crafted".to_vec(), crafted));
        assert!(verify_batch(&as_items(&signed)).is_ok());
        // Changing the message still breaks it.
        assert_eq!(
            verify(&public_key, b"crafted!", &crafted),
            Err(CryptoError::BadSignature)
        );
    }

    #[test]
    fn sign_and_verify() {
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
    fn small_order_public_keys_are_refused_even_for_signatures_they_verify() {
        // With the identity as key, `[8][S]B = [8]R` for R = [S]B: the
        // signature verifies under ZIP 215 for any message, so the key
        // rule refuses the key itself, alone and in a batch.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let key = PublicKey(identity);
        let s = [9u8; 32];
        let r = curve25519_dalek::EdwardsPoint::mul_base(
            &curve25519_dalek::scalar::Scalar::from_bytes_mod_order(s),
        )
        .compress();
        let mut forged = [0u8; 64];
        forged[..32].copy_from_slice(r.as_bytes());
        forged[32..]
            .copy_from_slice(curve25519_dalek::scalar::Scalar::from_bytes_mod_order(s).as_bytes());
        let forged = Signature(forged);
        let zebra = ed25519_zebra::VerificationKey::try_from(identity).unwrap();
        assert!(zebra
            .verify(&ed25519_zebra::Signature::from(forged.0), b"any")
            .is_ok());
        assert_eq!(
            verify(&key, b"any", &forged),
            Err(CryptoError::InvalidPublicKey)
        );
        let items = [SignedMessage {
            public_key: &key,
            message: b"any",
            signature: &forged,
        }];
        assert_eq!(
            verify_each(&items),
            vec![Err(CryptoError::InvalidPublicKey)]
        );
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

/// The plain text form of a key file (`HOME/keys/<org>-<role>.key`,
/// `xianjie keys new --plain`; docs/keyfile.md). JSON with the secret seed,
/// the public key and its id, all hex. Parsing and printing are pure;
/// reading and writing the file (mode 0600), and the encrypted format, are
/// the `xianjie-keyfile` crate's.
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
        seed.fill(0);
        if key.public_key() != file.public_key {
            return Err(CryptoError::MalformedKey {
                reason: "public_key does not belong to secret_key".into(),
            });
        }
        if file.id != file.public_key.id() {
            return Err(CryptoError::MalformedKey {
                reason: "id is not the id of public_key".into(),
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
        let other_id = SecretKey::from_bytes(&[4u8; 32]).public_key().id().to_hex();
        let wrong_id = text.replace(&key.public_key().id().to_hex(), &other_id);
        assert!(KeyFile::parse(&wrong_id).is_err());
        assert!(KeyFile::parse("{}").is_err());
    }
}
