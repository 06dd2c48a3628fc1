//! Deposits on a court's evidence chain (司法区块链存证): the number a
//! court chain gave an evidence file's deposit bundle, recorded back on
//! this chain (`Call::RecordDeposit`, docs/deposit.md) so that a receipt can
//! name it.
//!
//! Stored under `deposit/<digest>` as [`Deposits`], oldest first, at most
//! [`MAX_DEPOSITS`] per evidence file. The chain name and the number are
//! short ASCII labels: they are codes, never free text, so no personal
//! information can ride on them.

use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::KeyId;
use crate::hash::Hash;
use crate::ids::OrgId;

/// Most deposits recorded for one evidence file.
pub const MAX_DEPOSITS: usize = 16;
/// Longest court-chain name, in bytes.
pub const MAX_COURT_CHAIN_LEN: usize = 64;
/// Longest deposit number, in bytes.
pub const MAX_DEPOSIT_ID_LEN: usize = 128;

/// One deposit of an evidence file's bundle on a court chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    /// The court chain, e.g. `tianping` (a label, [`check_label`]).
    pub court_chain: String,
    /// The number that chain returned for the deposit.
    pub deposit_id: String,
    /// SHA-256 of the bundle file that was deposited.
    pub bundle_sha256: Hash,
    /// Organisation that recorded it.
    pub org: OrgId,
    /// Officer who signed the transaction.
    pub officer: KeyId,
    /// Height it was recorded at.
    pub height: u64,
    /// Block time of that height (Unix ms).
    pub time_ms: u64,
    /// The transaction.
    pub tx: Hash,
}

/// Every deposit of one evidence file, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposits(pub Vec<Deposit>);

/// Whether `text` is a label: 1 to `max` bytes of ASCII letters, digits and
/// `. _ : / -`. Returns why not.
pub fn check_label(text: &str, max: usize) -> Result<(), String> {
    if text.is_empty() || text.len() > max {
        return Err(format!("must be 1 to {max} bytes, not {}", text.len()));
    }
    match text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '/' | '-')))
    {
        Some(c) => Err(format!(
            "holds {c:?}: only ASCII letters, digits and . _ : / - are allowed"
        )),
        None => Ok(()),
    }
}

/// Both labels of a deposit: the court chain (at most
/// [`MAX_COURT_CHAIN_LEN`] bytes) and the number (at most
/// [`MAX_DEPOSIT_ID_LEN`]). Returns the field that is not a label
/// (`court_chain` or `deposit_id`) and why.
pub fn check_labels(court_chain: &str, deposit_id: &str) -> Result<(), (&'static str, String)> {
    for (field, text, max) in [
        ("court_chain", court_chain, MAX_COURT_CHAIN_LEN),
        ("deposit_id", deposit_id, MAX_DEPOSIT_ID_LEN),
    ] {
        check_label(text, max).map_err(|reason| (field, reason))?;
    }
    Ok(())
}

impl Canonical for Deposits {
    const KIND: &'static str = "deposits";
    const MAX_ENCODED_LEN: usize = MAX_DEPOSITS * 512;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_short_ascii_codes() {
        assert!(check_label("tianping", MAX_COURT_CHAIN_LEN).is_ok());
        assert!(check_label("TP-2026:0012/34.5_a", MAX_DEPOSIT_ID_LEN).is_ok());
        assert!(check_label("", 8).unwrap_err().contains("1 to 8"));
        assert!(check_label("123456789", 8).unwrap_err().contains("not 9"));
        assert!(check_label("天平链", 64).unwrap_err().contains("'天'"));
        assert!(check_label("a b", 64).unwrap_err().contains("' '"));
        assert_eq!(check_labels("tianping", "TP-1"), Ok(()));
        assert_eq!(
            check_labels("tian ping", "TP-1").unwrap_err().0,
            "court_chain"
        );
        assert_eq!(
            check_labels("tianping", &"9".repeat(129)).unwrap_err().0,
            "deposit_id"
        );
    }
}
