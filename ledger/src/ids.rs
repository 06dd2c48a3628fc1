//! Identifiers of ledger records that are not keys: organisation ids.
//! (Key ids are [`crate::crypto::KeyId`]; records are addressed by
//! [`crate::hash::Hash`] digests.)

use std::fmt;

use serde::{Deserialize, Serialize};

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
