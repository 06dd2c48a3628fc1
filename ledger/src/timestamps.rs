//! Trusted timestamps of the history: RFC 3161 tokens over checkpoints,
//! recorded on chain (`Call::RecordTimestamp`, docs/timestamp.md § "On the
//! chain").
//!
//! A token from a time-stamp authority (TSA) over SHA-256 of a checkpoint
//! body (docs/checkpoint.md §2) shows that every header the checkpoint's
//! history holds existed by the token's time. Each organisation keeps its
//! own log, in the order of the checkpoints it stamped, so that one
//! organisation's stamps (from a TSA others do not trust, or recorded in
//! bad faith) never stand in the way of another's, and a receipt builder
//! finds each organisation's first token that covers a block by binary
//! search:
//!
//! - `timestamp/orgs` holds the [`TimestampOrgs`] that recorded any;
//! - `timestamp/<org>/log` holds that organisation's [`TimestampLog`];
//! - `timestamp/<org>/<n>` (n from 0, 8 bytes big-endian) holds its n-th
//!   [`TimestampRecord`]; sizes strictly increase with n.
//!
//! Whether a TSA is to be trusted is the verifier's business (its
//! certificate, `xianjie verify --tsa-cert`); the chain checks only that the
//! token covers the checkpoint it is recorded with.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::codec::Canonical;
use crate::crypto::KeyId;
use crate::hash::Hash;
use crate::ids::OrgId;

/// Largest token recorded, in bytes. `openssl ts` tokens with the TSA
/// certificate embedded are 1.5–4 KiB; this leaves room for a chain of two
/// and fits in a transaction (`tx::MAX_TX_BYTES`).
pub const MAX_TOKEN_BYTES: usize = 12 * 1024;

/// Largest checkpoint body recorded, in bytes (a body is under 300).
pub const MAX_CHECKPOINT_BODY_BYTES: usize = 1024;

/// Most organisations whose logs a receipt's builder looks through, and so
/// most time-stamped checkpoints a receipt carries (one per organisation).
pub const MAX_STAMPING_ORGS: usize = 16;

/// The organisations that recorded tokens, sorted, at most
/// [`MAX_STAMPING_ORGS`] (a later one is refused: `timestamp_orgs_full`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampOrgs(pub Vec<OrgId>);

/// How many tokens are recorded, and the checkpoint size of the last one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampLog {
    /// Number of recorded tokens.
    pub count: u64,
    /// Checkpoint size of the last one (0 when none).
    pub last_size: u64,
}

/// One recorded token and the checkpoint it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampRecord {
    /// Position in the log, from 0.
    pub seq: u64,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The checkpoint body, byte for byte.
    pub checkpoint: String,
    /// The token (DER ContentInfo) as the TSA sent it.
    pub token: Vec<u8>,
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

/// What a token must time-stamp for a checkpoint body: SHA-256 of its bytes.
pub fn imprint_of(checkpoint_body: &str) -> [u8; 32] {
    Sha256::digest(checkpoint_body.as_bytes()).into()
}

/// The first of `count` recorded tokens whose checkpoint holds block
/// `height` (size at least `height`), by binary search: `at(seq)` reads
/// the `seq`-th record. `O(log count)` reads.
pub fn first_covering<E>(
    count: u64,
    height: u64,
    mut at: impl FnMut(u64) -> Result<TimestampRecord, E>,
) -> Result<Option<TimestampRecord>, E> {
    let (mut low, mut high) = (0, count);
    let mut found = None;
    while low < high {
        let middle = low + (high - low) / 2;
        let stored = at(middle)?;
        if stored.size >= height {
            high = middle;
            found = Some(stored);
        } else {
            low = middle + 1;
        }
    }
    Ok(found)
}

impl Canonical for TimestampOrgs {
    const KIND: &'static str = "timestamping organisations";
    const MAX_ENCODED_LEN: usize = MAX_STAMPING_ORGS * 40 + 8;
}

impl Canonical for TimestampLog {
    const KIND: &'static str = "timestamp log";
    const MAX_ENCODED_LEN: usize = 32;
}

impl Canonical for TimestampRecord {
    const KIND: &'static str = "timestamp record";
    const MAX_ENCODED_LEN: usize = MAX_TOKEN_BYTES + MAX_CHECKPOINT_BODY_BYTES + 512;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64, size: u64) -> TimestampRecord {
        TimestampRecord {
            seq,
            size,
            checkpoint: String::new(),
            token: Vec::new(),
            org: OrgId::new("court").expect("valid id"),
            officer: KeyId([0; 20]),
            height: 0,
            time_ms: 0,
            tx: Hash([0; 32]),
        }
    }

    #[test]
    fn the_first_covering_token_is_found_in_log_reads() {
        let sizes = [3u64, 7, 8, 20, 21];
        let mut reads = 0;
        let mut find = |height| {
            first_covering::<()>(sizes.len() as u64, height, |seq| {
                reads += 1;
                Ok(record(seq, sizes[seq as usize]))
            })
            .expect("no read fails")
            .map(|found| found.size)
        };
        let found: Vec<Option<u64>> = [1, 3, 4, 8, 9, 21, 22].map(&mut find).to_vec();
        assert_eq!(
            found,
            [Some(3), Some(3), Some(7), Some(8), Some(20), Some(21), None]
        );
        assert!(reads <= 7 * 3, "{reads} reads for 7 searches of 5 records");
        assert_eq!(first_covering::<()>(0, 1, |_| unreachable!()), Ok(None));
    }

    #[test]
    fn the_imprint_is_sha256_of_the_body_bytes() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            hex::encode(imprint_of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
