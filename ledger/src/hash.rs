//! Domain-separated BLAKE3 hashing.
//!
//! Every kind of hashed object has its own `derive_key` context, so a
//! transaction hash can never be mistaken for a header, a Merkle node or a
//! vote. Evidence files are the exception: their digest is plain BLAKE3 of the
//! file's bytes, so it equals what `b3sum` prints.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 32-byte BLAKE3 output. Serialised as 64 lower-case hex characters in
/// JSON and as 32 raw bytes in the canonical encoding.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash(pub [u8; 32]);

/// The kinds of hashed object. Changing a context string is a breaking change
/// of the chain format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Domain {
    /// A transaction body; its hash is the transaction id that is signed.
    Tx,
    /// A block header; its hash is the block hash.
    Header,
    /// A leaf of the RFC 6962 transaction or result tree.
    MerkleLeaf,
    /// An inner node of the RFC 6962 tree.
    MerkleNode,
    /// The published root: binds the leaf count to the RFC 6962 tree root.
    MerkleRoot,
    /// A consensus vote (what validators sign to commit a block).
    Vote,
    /// A transaction result, the leaf data of the results tree.
    TxResult,
    /// A key of the state tree.
    StateKey,
    /// Nodes and values inside the sparse Merkle state tree.
    StateTree,
    /// A validator set.
    Validators,
    /// The genesis document.
    Genesis,
    /// Public key to short identifier.
    KeyId,
    /// Free text kept off chain (notes, reasons); only its digest is stored.
    Note,
    /// A consensus proposal (what a proposer signs to propose a block in a round).
    Proposal,
    /// A signed read request to the node's API (`read_auth`).
    ReadRequest,
    /// What a collector co-signs on an evidence anchor
    /// (`EvidenceAnchor::co_signing_digest`).
    AnchorCoSignature,
    /// A supervision statistics table (`stats::StatsTable::digest`).
    StatsTable,
    /// A row of an inspected-entity directory snapshot (`draw::EntityRow::hash`).
    DrawEntityRow,
    /// A row of an inspector directory snapshot (`draw::InspectorRow::hash`).
    DrawInspectorRow,
    /// A commitment to a random draw's secret nonce (`draw::commitment`).
    DrawCommitment,
    /// A random draw's seed (`draw::seed`).
    DrawSeed,
    /// The counter-mode stream of words a random draw consumes (`docs/draw.md` §5).
    DrawStream,
    /// A natural person named as the subject of a clue or case: the
    /// organisations' shared salt and the identity number (`clue::person_subject`).
    PersonSubject,
}

impl Domain {
    /// The BLAKE3 `derive_key` context for this kind.
    pub const fn context(self) -> &'static str {
        match self {
            Domain::Tx => "xianjie 2026-11 transaction v1",
            Domain::Header => "xianjie 2026-11 block header v1",
            Domain::MerkleLeaf => "xianjie 2026-11 merkle leaf v1",
            Domain::MerkleNode => "xianjie 2026-11 merkle node v1",
            Domain::MerkleRoot => "xianjie 2026-11 merkle root v1",
            Domain::Vote => "xianjie 2026-11 consensus vote v1",
            Domain::TxResult => "xianjie 2026-11 transaction result v1",
            Domain::StateKey => "xianjie 2026-11 state key v1",
            Domain::StateTree => "xianjie 2026-11 state tree v1",
            Domain::Validators => "xianjie 2026-11 validator set v1",
            Domain::Genesis => "xianjie 2026-11 genesis v1",
            Domain::KeyId => "xianjie 2026-11 key id v1",
            Domain::Note => "xianjie 2026-11 note v1",
            Domain::Proposal => "xianjie 2026-11 consensus proposal v1",
            Domain::ReadRequest => "xianjie 2026-11 api read request v1",
            Domain::AnchorCoSignature => "xianjie 2026-12 evidence anchor co-signature v1",
            Domain::StatsTable => "xianjie 2026-12 supervision statistics table v1",
            Domain::DrawEntityRow => "xianjie 2026-12 random draw entity row v1",
            Domain::DrawInspectorRow => "xianjie 2026-12 random draw inspector row v1",
            Domain::DrawCommitment => "xianjie 2026-12 random draw commitment v1",
            Domain::DrawSeed => "xianjie 2026-12 random draw seed v1",
            Domain::DrawStream => "xianjie 2026-12 random draw stream v2",
            Domain::PersonSubject => "xianjie 2026-12 person subject v1",
        }
    }

    /// Every domain, in declaration order (`ALL[d as usize] == d`).
    pub const ALL: [Domain; 23] = [
        Domain::Tx,
        Domain::Header,
        Domain::MerkleLeaf,
        Domain::MerkleNode,
        Domain::MerkleRoot,
        Domain::Vote,
        Domain::TxResult,
        Domain::StateKey,
        Domain::StateTree,
        Domain::Validators,
        Domain::Genesis,
        Domain::KeyId,
        Domain::Note,
        Domain::Proposal,
        Domain::ReadRequest,
        Domain::AnchorCoSignature,
        Domain::StatsTable,
        Domain::DrawEntityRow,
        Domain::DrawInspectorRow,
        Domain::DrawCommitment,
        Domain::DrawSeed,
        Domain::DrawStream,
        Domain::PersonSubject,
    ];

    /// A fresh hasher for this domain, the same as
    /// `blake3::Hasher::new_derive_key(self.context())`. Deriving the
    /// context's key costs a BLAKE3 compression, as much as hashing the two
    /// children of a state-tree node, so it is done once per domain and the
    /// keyed hasher cloned.
    pub fn hasher(self) -> blake3::Hasher {
        static PROTOTYPES: OnceLock<Vec<blake3::Hasher>> = OnceLock::new();
        let prototypes = PROTOTYPES.get_or_init(|| {
            Domain::ALL
                .iter()
                .map(|domain| blake3::Hasher::new_derive_key(domain.context()))
                .collect()
        });
        match prototypes.get(self as usize) {
            Some(prototype) if Domain::ALL[self as usize] == self => prototype.clone(),
            // A domain missing from `ALL` still hashes correctly, only slower.
            _ => blake3::Hasher::new_derive_key(self.context()),
        }
    }
}

/// Hashes `parts` in order under the given domain.
pub fn hash_parts(domain: Domain, parts: &[&[u8]]) -> Hash {
    let mut hasher = domain.hasher();
    for part in parts {
        hasher.update(part);
    }
    Hash(*hasher.finalize().as_bytes())
}

/// Hashes one byte string under the given domain.
pub fn hash_with(domain: Domain, bytes: &[u8]) -> Hash {
    hash_parts(domain, &[bytes])
}

/// The digest of an evidence file held in memory: plain BLAKE3, equal to `b3sum`.
pub fn file_digest(bytes: &[u8]) -> Hash {
    Hash(*blake3::hash(bytes).as_bytes())
}

/// The on-chain digest of a free-text note; the text itself stays off chain.
pub fn note_digest(text: &str) -> Hash {
    hash_with(Domain::Note, text.as_bytes())
}

impl Hash {
    /// Lower-case hex, as `b3sum` prints it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(text: &str) -> Result<Self, hex::FromHexError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut out)?;
        Ok(Hash(out))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl std::str::FromStr for Hash {
    type Err = hex::FromHexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hash::from_hex(s)
    }
}

/// Serde for fixed-size byte arrays: hex in human-readable formats, a fixed
/// tuple of raw bytes (no length prefix) in the canonical binary encoding.
pub(crate) mod fixed_bytes {
    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::ser::SerializeTuple;
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&hex::encode(bytes))
        } else {
            let mut tuple = serializer.serialize_tuple(N)?;
            for byte in bytes {
                tuple.serialize_element(byte)?;
            }
            tuple.end()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        deserializer: D,
    ) -> Result<[u8; N], D::Error> {
        if deserializer.is_human_readable() {
            let text: std::borrow::Cow<'de, str> = serde::Deserialize::deserialize(deserializer)?;
            let mut out = [0u8; N];
            hex::decode_to_slice(text.as_ref(), &mut out)
                .map_err(|e| D::Error::custom(format!("expected {} hex characters: {e}", N * 2)))?;
            Ok(out)
        } else {
            deserializer.deserialize_tuple(N, ArrayVisitor::<N>)
        }
    }

    struct ArrayVisitor<const N: usize>;

    impl<'de, const N: usize> Visitor<'de> for ArrayVisitor<N> {
        type Value = [u8; N];
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{N} bytes")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = [0u8; N];
            for (index, slot) in out.iter_mut().enumerate() {
                *slot = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(index, &self))?;
            }
            Ok(out)
        }
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fixed_bytes::serialize(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        fixed_bytes::deserialize(deserializer).map(Hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_hasher_equals_a_fresh_derive_key_hasher() {
        for (index, domain) in Domain::ALL.iter().enumerate() {
            assert_eq!(*domain as usize, index, "{domain:?} out of place in ALL");
            let mut fresh = blake3::Hasher::new_derive_key(domain.context());
            let mut cloned = domain.hasher();
            fresh.update(b"state tree node");
            cloned.update(b"state tree node");
            assert_eq!(cloned.finalize(), fresh.finalize(), "{domain:?}");
            // The prototype is not changed by a clone's use.
            assert_eq!(
                domain.hasher().finalize(),
                blake3::Hasher::new_derive_key(domain.context()).finalize()
            );
        }
    }

    #[test]
    fn every_context_is_distinct_and_names_its_version() {
        let mut seen = std::collections::BTreeSet::new();
        for domain in Domain::ALL {
            let context = domain.context();
            assert!(seen.insert(context), "{domain:?} reuses {context:?}");
            assert!(context.starts_with("xianjie 20"), "{context:?}");
            // A version suffix: " v1", or a later one after a breaking change.
            let version = context.rsplit_once(" v").map(|(_, n)| n);
            assert!(
                version.is_some_and(|n| n.parse::<u8>().is_ok_and(|n| n >= 1)),
                "{context:?}"
            );
        }
        // The random-draw contexts are printed in docs/draw.md §2 and
        // re-implemented from there by ledger/tests/draw.rs.
        assert_eq!(
            Domain::DrawEntityRow.context(),
            "xianjie 2026-12 random draw entity row v1"
        );
        assert_eq!(
            Domain::DrawInspectorRow.context(),
            "xianjie 2026-12 random draw inspector row v1"
        );
        assert_eq!(
            Domain::DrawCommitment.context(),
            "xianjie 2026-12 random draw commitment v1"
        );
        assert_eq!(
            Domain::DrawSeed.context(),
            "xianjie 2026-12 random draw seed v1"
        );
        assert_eq!(
            Domain::DrawStream.context(),
            "xianjie 2026-12 random draw stream v2"
        );
    }

    #[test]
    fn file_digest_is_plain_blake3_as_b3sum_prints_it() {
        // b3sum of the empty input and of "abc" (BLAKE3 reference vectors).
        assert_eq!(
            file_digest(b"").to_hex(),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(
            file_digest(b"abc").to_hex(),
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
    }

    #[test]
    fn every_domain_gives_a_different_hash_of_the_same_bytes() {
        let mut seen = std::collections::BTreeSet::new();
        for domain in Domain::ALL {
            assert!(
                seen.insert(hash_with(domain, b"same bytes")),
                "{domain:?} collides"
            );
        }
        assert!(!seen.contains(&file_digest(b"same bytes")));
    }

    #[test]
    fn hex_round_trip_and_json_form() {
        let hash = hash_with(Domain::Tx, b"x");
        assert_eq!(Hash::from_hex(&hash.to_hex()).unwrap(), hash);
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(json, format!("\"{}\"", hash.to_hex()));
        assert_eq!(serde_json::from_str::<Hash>(&json).unwrap(), hash);
        assert!(serde_json::from_str::<Hash>("\"abcd\"").is_err());
    }
}
