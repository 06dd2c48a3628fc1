//! Identifiers of ledger records that are not keys: organisation ids and
//! the ids of cases, inspection results and governance proposals.
//! (Key ids are [`crate::crypto::KeyId`]; evidence records are addressed by
//! [`crate::hash::Hash`] digests.)

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::hash::Hash;

/// Longest organisation id.
pub const MAX_ORG_ID_LEN: usize = 32;
/// A short, stable organisation id such as `market` or `police-330100`:
/// 1–32 characters of `a-z`, `0-9` and `-`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgId(String);

impl OrgId {
    /// Validates and wraps an id.
    pub fn new(id: &str) -> Result<Self, String> {
        let ok = !id.is_empty()
            && id.len() <= MAX_ORG_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(OrgId(id.to_owned()))
        } else {
            Err(format!(
                "organisation id {id:?} must be 1-{MAX_ORG_ID_LEN} characters of a-z, 0-9 and -"
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        OrgId::new(&value)
    }
}

impl From<OrgId> for String {
    fn from(id: OrgId) -> Self {
        id.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgId({})", self.0)
    }
}

/// Defines a record id: a string newtype whose encoding is the bare string
/// (so blocks, state and JSON are byte-identical to plain strings), with the
/// id derived from the creating transaction's hash.
///
/// Decoding accepts any string on purpose: an id inside a signed
/// transaction is checked by the contract that reads it, which refuses a
/// malformed one with its own error code (committed in block results).
macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix of ids derived from a transaction hash.
            pub const PREFIX: &'static str = $prefix;

            /// The id of the record created by the transaction `tx_hash`:
            /// the prefix and the first 8 bytes of the hash in lower-case hex.
            pub fn for_tx(tx_hash: &Hash) -> Self {
                let hex: String = tx_hash.0[..8].iter().map(|b| format!("{b:02x}")).collect();
                $name(format!("{}{hex}", Self::PREFIX))
            }

            /// Wraps text as an id without checking its shape (the contracts
            /// check ids where they enter the chain).
            pub fn new(text: impl Into<String>) -> Self {
                $name(text.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's text, by value.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Debug prints the quoted string, as it did before ids had a type,
        // so messages that quote an id read (and hash) the same.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        // An id reads as text wherever text is wanted (formatting, keys of
        // maps by text, helpers taking `&str`); only the other direction,
        // text or another kind of id where this id is wanted, needs a
        // conversion, and that is the mix-up the type exists to stop.
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        // Parsing never fails: the shape is checked where the id is used.
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok($name(text.to_owned()))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(text.to_owned())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name(text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

record_id!(
    /// A case: `CASE-` and 16 hex characters of the opening transaction's
    /// hash for cases opened on chain. An evidence anchor may also name a
    /// case number from the agency's own system (1-64 characters of
    /// `A-Z a-z 0-9 - _ / .`, checked by the evidence contract).
    CaseId,
    "CASE-"
);

/// Longest case id (or case number named by an evidence anchor).
pub const MAX_CASE_ID_LEN: usize = 64;

/// Whether `text` has the shape of a case id or a reference to one (a case
/// number in an agency's system, a draw or result id named as a lead):
/// 1-64 characters of `A-Z a-z 0-9 - _ / .`.
pub fn is_case_reference(text: &str) -> bool {
    (1..=MAX_CASE_ID_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b))
}

record_id!(
    /// An inspection or test result: `INSP-` and 16 hex characters of the
    /// recording transaction's hash.
    InspectionId,
    "INSP-"
);

record_id!(
    /// A clue (线索): `CLUE-` and 16 hex characters of the sending (or
    /// forwarding) transaction's hash.
    ClueId,
    "CLUE-"
);

record_id!(
    /// A request between organs (a consultation, 咨询, or an assistance,
    /// 协助): `REQ-` and 16 hex characters of the asking transaction's hash.
    RequestId,
    "REQ-"
);

record_id!(
    /// A governance proposal: `GOV-` and 16 hex characters of the proposing
    /// transaction's hash.
    ProposalId,
    "GOV-"
);

record_id!(
    /// A random draw (双随机 抽查): `DRAW-` and 16 hex characters of the
    /// planning transaction's hash. Commitments to the draw's nonces bind it
    /// (`draw::commitment`).
    DrawId,
    "DRAW-"
);

record_id!(
    /// A snapshot of an inspected-entity directory: `SNAP-` and 16 hex
    /// characters of the publishing transaction's hash.
    SnapshotId,
    "SNAP-"
);

#[cfg(test)]
mod record_id_tests {
    use super::*;

    #[test]
    fn ids_encode_as_bare_strings() {
        let text = "CASE-0011223344556677".to_owned();
        let id = CaseId::new(text.clone());
        let bytes = postcard::to_allocvec(&text).unwrap();
        assert_eq!(postcard::to_allocvec(&id).unwrap(), bytes);
        assert_eq!(postcard::from_bytes::<CaseId>(&bytes).unwrap(), id);
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"CASE-0011223344556677\""
        );
    }

    #[test]
    fn case_references() {
        assert!(is_case_reference("JX-2026/001.a_b"));
        assert!(is_case_reference(&"a".repeat(MAX_CASE_ID_LEN)));
        for bad in ["", "案件1", "a b", "a:b"] {
            assert!(!is_case_reference(bad), "{bad:?}");
        }
        assert!(!is_case_reference(&"a".repeat(MAX_CASE_ID_LEN + 1)));
    }

    #[test]
    fn derived_ids_take_eight_bytes_of_the_hash() {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&[0x3f, 0x9a, 0x0c, 0x1b, 0x2d, 0x4e, 0x5f, 0x60]);
        bytes[8] = 0xff;
        let hash = Hash(bytes);
        assert_eq!(CaseId::for_tx(&hash).as_str(), "CASE-3f9a0c1b2d4e5f60");
        assert_eq!(
            InspectionId::for_tx(&hash).as_str(),
            "INSP-3f9a0c1b2d4e5f60"
        );
        assert_eq!(ProposalId::for_tx(&hash).as_str(), "GOV-3f9a0c1b2d4e5f60");
        assert_eq!(DrawId::for_tx(&hash).as_str(), "DRAW-3f9a0c1b2d4e5f60");
    }
}
