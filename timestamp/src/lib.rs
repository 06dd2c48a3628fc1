//! RFC 3161 trusted timestamps for Xianjie, independent of the chain.
//!
//! The ledger timestamps its signed history checkpoints with a time-stamp
//! authority (TSA). This crate builds the request, reads the TSA's response,
//! and verifies a stored token offline against the TSA's certificate:
//!
//! 1. [`TimestampRequest::for_sha256`] and [`TimestampRequest::to_der`]: the body
//!    the node POSTs to the TSA with `Content-Type: application/timestamp-query`;
//! 2. [`parse_response`]: the `application/timestamp-reply` body, checked for a
//!    granted status, gives a [`TimestampToken`] whose bytes are stored as sent;
//! 3. [`TimestampToken::verify`]: the checks of docs/timestamp.md, which read no
//!    clock and no network, give a [`VerifiedTimestamp`].
//!
//! The crate does no I/O: the HTTP exchange belongs to the node. RSA
//! (PKCS#1 v1.5, SHA-256/384/512) and ECDSA P-256 tokens verify today; SM2 with
//! SM3 comes with the 国密 network option.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod cert;
mod digest;
mod error;
mod ess;
mod oids;
mod request;
mod response;
mod signature;
mod token;
mod tstinfo;

pub use cert::TrustedCertificate;
pub use error::Error;
pub use request::TimestampRequest;
pub use response::parse_response;
pub use token::{TimestampToken, VerifiedTimestamp};

/// MIME type of the request body the node POSTs to a TSA (RFC 3161 §3.4).
pub const REQUEST_CONTENT_TYPE: &str = "application/timestamp-query";
/// MIME type of the TSA's response body (RFC 3161 §3.4).
pub const RESPONSE_CONTENT_TYPE: &str = "application/timestamp-reply";
