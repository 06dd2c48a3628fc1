//! Signed read requests: how an officer proves to a node's API who is asking.
//!
//! Reads of case details, evidence records and inspection results pass the
//! same on-chain policies as writes (action `read`), so the node must know
//! which officer asks. The client signs, with the officer's ed25519 key
//! (strict verification, [`crate::crypto::verify`]), the domain-separated
//! digest ([`Domain::ReadRequest`]) of
//!
//! ```text
//! len(chain_id) ‖ chain_id ‖ len(method) ‖ method ‖ len(path_and_query) ‖ path_and_query ‖ time_ms
//! ```
//!
//! (lengths and `time_ms` as 8-byte big-endian integers; `method` upper
//! case, e.g. `GET`; `path_and_query` exactly as sent, e.g.
//! `/v1/cases?state=S8_FILED`; `time_ms` the client's Unix time in
//! milliseconds) and sends three headers:
//!
//! | header | value |
//! |---|---|
//! | `X-Xianjie-Key` | the officer's public key, 64 hex characters |
//! | `X-Xianjie-Time` | `time_ms`, decimal |
//! | `X-Xianjie-Signature` | the signature, 128 hex characters |
//!
//! The node checks, in order: the signature ([`SignedRead::verify`]), the
//! freshness of `time_ms` against its own clock ([`SignedRead::check_fresh`]:
//! at most [`DEFAULT_MAX_SKEW_MS`] in the past and
//! [`DEFAULT_MAX_FUTURE_SKEW_MS`] in the future unless configured), that the
//! key is a registered, active officer, that this exact signature was not
//! accepted before, and the policy set for the resource. Binding the chain id
//! and the exact path stops a signature from being replayed on another chain
//! or for another resource; the time bound lets the node remember every
//! signature it accepted until it goes stale, so that each is used once.
//!
//! This module is pure (the caller passes the clock), and it is the one
//! place where both the node and the CLI build and check read signatures.
//!
//! ```
//! use xianjie_ledger::crypto::SecretKey;
//! use xianjie_ledger::read_auth::SignedRead;
//!
//! let key = SecretKey::from_bytes(&[3u8; 32]);
//! let read = SignedRead::sign(&key, "xianjie-dev", "GET", "/v1/cases", 1_700_000_000_000);
//! let [(_, k), (_, t), (_, s)] = read.headers();
//! let back = SignedRead::from_headers(Some(&k), Some(&t), Some(&s)).unwrap().unwrap();
//! back.verify("xianjie-dev", "GET", "/v1/cases").unwrap();
//! back.check_fresh(1_700_000_060_000, 300_000, 30_000).unwrap();
//! assert!(back.verify("xianjie-dev", "GET", "/v1/cases?overdue=true").is_err());
//! ```

use crate::crypto::{self, PublicKey, SecretKey, Signature};
use crate::hash::{hash_parts, Domain, Hash};

/// Header carrying the officer's public key (hex).
pub const HEADER_KEY: &str = "x-xianjie-key";
/// Header carrying the signing time (Unix milliseconds, decimal).
pub const HEADER_TIME: &str = "x-xianjie-time";
/// Header carrying the signature (hex).
pub const HEADER_SIGNATURE: &str = "x-xianjie-signature";
/// How far in the past of the node's clock the signing time may be: five
/// minutes (network delay, slow clients, clocks running behind).
pub const DEFAULT_MAX_SKEW_MS: u64 = 5 * 60 * 1000;
/// How far in the future of the node's clock the signing time may be: 30
/// seconds of clock drift. Any more would let a signature made now stay
/// acceptable, and so worth capturing, long after it was sent.
pub const DEFAULT_MAX_FUTURE_SKEW_MS: u64 = 30 * 1000;

/// Why a read request's signature is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadAuthError {
    /// Some but not all of the three headers are present, or one is malformed.
    #[error("malformed read signature headers: {0}")]
    Malformed(String),
    /// The signature does not verify for this chain, method, path and time.
    #[error("the read signature does not verify for this chain, method, path and time")]
    BadSignature,
    /// The signing time is too far in the past of the node's clock.
    #[error("the read was signed at {time_ms} ms, {skew_ms} ms before the node's clock (at most {max_skew_ms} ms)")]
    Stale {
        /// The signing time.
        time_ms: u64,
        /// How far behind the node's clock it is.
        skew_ms: u64,
        /// The bound.
        max_skew_ms: u64,
    },
    /// The signing time is too far in the future of the node's clock.
    #[error("the read was signed at {time_ms} ms, {skew_ms} ms ahead of the node's clock (at most {max_skew_ms} ms)")]
    Future {
        /// The signing time.
        time_ms: u64,
        /// How far ahead of the node's clock it is.
        skew_ms: u64,
        /// The bound.
        max_skew_ms: u64,
    },
}

/// The digest an officer signs to read `path_and_query` with `method` on
/// `chain_id` at `time_ms`.
pub fn read_digest(chain_id: &str, method: &str, path_and_query: &str, time_ms: u64) -> Hash {
    hash_parts(
        Domain::ReadRequest,
        &[
            &(chain_id.len() as u64).to_be_bytes(),
            chain_id.as_bytes(),
            &(method.len() as u64).to_be_bytes(),
            method.as_bytes(),
            &(path_and_query.len() as u64).to_be_bytes(),
            path_and_query.as_bytes(),
            &time_ms.to_be_bytes(),
        ],
    )
}

/// The signature part of a read request, as carried in its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRead {
    /// The officer's public key.
    pub public_key: PublicKey,
    /// When it was signed (Unix milliseconds, the client's clock).
    pub time_ms: u64,
    /// Signature over [`read_digest`].
    pub signature: Signature,
}

impl SignedRead {
    /// Signs a read request.
    pub fn sign(
        key: &SecretKey,
        chain_id: &str,
        method: &str,
        path_and_query: &str,
        time_ms: u64,
    ) -> Self {
        let digest = read_digest(chain_id, method, path_and_query, time_ms);
        SignedRead {
            public_key: key.public_key(),
            time_ms,
            signature: key.sign(&digest.0),
        }
    }

    /// The three headers (lower-case names) and their values.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            (HEADER_KEY, self.public_key.to_hex()),
            (HEADER_TIME, self.time_ms.to_string()),
            (HEADER_SIGNATURE, self.signature.to_hex()),
        ]
    }

    /// Parses the three header values: `Ok(None)` if none is present (an
    /// unsigned read), an error if only some are or one is malformed.
    pub fn from_headers(
        key: Option<&str>,
        time: Option<&str>,
        signature: Option<&str>,
    ) -> Result<Option<Self>, ReadAuthError> {
        let (key, time, signature) = match (key, time, signature) {
            (None, None, None) => return Ok(None),
            (Some(key), Some(time), Some(signature)) => (key, time, signature),
            _ => {
                return Err(ReadAuthError::Malformed(format!(
                    "send all three of {HEADER_KEY}, {HEADER_TIME} and {HEADER_SIGNATURE}"
                )))
            }
        };
        let public_key = PublicKey::from_hex(key)
            .map_err(|_| ReadAuthError::Malformed(format!("{HEADER_KEY} is 64 hex characters")))?;
        let time_ms = time.trim().parse::<u64>().map_err(|_| {
            ReadAuthError::Malformed(format!("{HEADER_TIME} is Unix milliseconds, decimal"))
        })?;
        let mut bytes = [0u8; 64];
        hex::decode_to_slice(signature.trim(), &mut bytes).map_err(|_| {
            ReadAuthError::Malformed(format!("{HEADER_SIGNATURE} is 128 hex characters"))
        })?;
        Ok(Some(SignedRead {
            public_key,
            time_ms,
            signature: Signature(bytes),
        }))
    }

    /// Checks the signature (strictly) for this chain, method and path.
    pub fn verify(
        &self,
        chain_id: &str,
        method: &str,
        path_and_query: &str,
    ) -> Result<(), ReadAuthError> {
        let digest = read_digest(chain_id, method, path_and_query, self.time_ms);
        crypto::verify(&self.public_key, &digest.0, &self.signature)
            .map_err(|_| ReadAuthError::BadSignature)
    }

    /// Checks that the signing time is at most `max_past_ms` before `now_ms`
    /// and at most `max_future_ms` after it. The future bound is the smaller:
    /// a read travels forward in time, so only clock drift puts its time
    /// ahead, while the past bound also covers the trip.
    pub fn check_fresh(
        &self,
        now_ms: u64,
        max_past_ms: u64,
        max_future_ms: u64,
    ) -> Result<(), ReadAuthError> {
        let skew_ms = now_ms.abs_diff(self.time_ms);
        if self.time_ms <= now_ms && skew_ms > max_past_ms {
            return Err(ReadAuthError::Stale {
                time_ms: self.time_ms,
                skew_ms,
                max_skew_ms: max_past_ms,
            });
        }
        if self.time_ms > now_ms && skew_ms > max_future_ms {
            return Err(ReadAuthError::Future {
                time_ms: self.time_ms,
                skew_ms,
                max_skew_ms: max_future_ms,
            });
        }
        Ok(())
    }

    /// The last instant (node clock, Unix ms) at which this read is still
    /// fresh under a past bound of `max_past_ms`: until then the node must
    /// remember it to refuse a replay; after it, freshness refuses it anyway.
    pub fn fresh_until_ms(&self, max_past_ms: u64) -> u64 {
        self.time_ms.saturating_add(max_past_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_bytes(&[9u8; 32])
    }

    #[test]
    fn a_signature_binds_chain_method_path_and_time() {
        let read = SignedRead::sign(&key(), "c", "GET", "/v1/cases/CASE-1", 1000);
        read.verify("c", "GET", "/v1/cases/CASE-1").unwrap();
        for (chain, method, path) in [
            ("d", "GET", "/v1/cases/CASE-1"),
            ("c", "POST", "/v1/cases/CASE-1"),
            ("c", "GET", "/v1/cases/CASE-2"),
            ("c", "GET", "/v1/cases/CASE-1?x=1"),
        ] {
            assert_eq!(
                read.verify(chain, method, path),
                Err(ReadAuthError::BadSignature)
            );
        }
        let later = SignedRead {
            time_ms: 1001,
            ..read.clone()
        };
        assert_eq!(
            later.verify("c", "GET", "/v1/cases/CASE-1"),
            Err(ReadAuthError::BadSignature)
        );
    }

    #[test]
    fn the_preimage_is_length_prefixed() {
        // Moving a byte between fields changes the digest.
        assert_ne!(
            read_digest("ab", "GET", "/x", 1),
            read_digest("a", "bGET", "/x", 1)
        );
    }

    #[test]
    fn headers_round_trip_and_partial_headers_are_malformed() {
        let read = SignedRead::sign(&key(), "c", "GET", "/v1/x", 42);
        let [(_, k), (_, t), (_, s)] = read.headers();
        assert_eq!(
            SignedRead::from_headers(Some(&k), Some(&t), Some(&s)).unwrap(),
            Some(read)
        );
        assert_eq!(SignedRead::from_headers(None, None, None).unwrap(), None);
        assert!(matches!(
            SignedRead::from_headers(Some(&k), None, Some(&s)),
            Err(ReadAuthError::Malformed(_))
        ));
        assert!(matches!(
            SignedRead::from_headers(Some("zz"), Some(&t), Some(&s)),
            Err(ReadAuthError::Malformed(_))
        ));
        assert!(matches!(
            SignedRead::from_headers(Some(&k), Some("soon"), Some(&s)),
            Err(ReadAuthError::Malformed(_))
        ));
    }

    #[test]
    fn the_future_bound_is_tighter_than_the_past_bound() {
        const T: u64 = 1_000_000;
        let read = SignedRead::sign(&key(), "c", "GET", "/", T);
        let check =
            |now_ms| read.check_fresh(now_ms, DEFAULT_MAX_SKEW_MS, DEFAULT_MAX_FUTURE_SKEW_MS);
        // The node's clock ahead of the signing time: up to five minutes.
        check(T + DEFAULT_MAX_SKEW_MS).unwrap();
        assert!(matches!(
            check(T + DEFAULT_MAX_SKEW_MS + 1),
            Err(ReadAuthError::Stale { .. })
        ));
        // The signing time ahead of the node's clock: up to 30 seconds.
        check(T - DEFAULT_MAX_FUTURE_SKEW_MS).unwrap();
        assert!(matches!(
            check(T - DEFAULT_MAX_FUTURE_SKEW_MS - 1),
            Err(ReadAuthError::Future { .. })
        ));
        assert!(matches!(
            check(T - 4 * 60 * 1000),
            Err(ReadAuthError::Future { .. })
        ));
        assert_eq!(
            read.fresh_until_ms(DEFAULT_MAX_SKEW_MS),
            T + DEFAULT_MAX_SKEW_MS
        );
    }
}
