//! Types, canonical encoding, hashing, signatures, blocks, Merkle and state proofs for the Xianjie ledger.
//!
//! Everything in this crate is pure: no clocks, no randomness, no I/O (the
//! sled store is the `xianjie-store` crate; `clippy.toml` bans the file
//! system, clocks, randomness and `std::sync::Mutex` here), and its modules
//! import each other without a cycle. Every validator must compute
//! byte-identical results from the same
//! inputs, so anything that is hashed, signed or stored goes through
//! [`codec`]'s single canonical encoding and [`hash`]'s domain-separated BLAKE3.
//!
//! ```
//! use xianjie_ledger::{crypto::SecretKey, tx::{Call, Tx, RevokeOfficer}, crypto::KeyId};
//!
//! let key = SecretKey::from_bytes(&[7u8; 32]);
//! let tx = Tx {
//!     chain_id: "xianjie-dev".into(),
//!     signer: key.public_key(),
//!     nonce: 1,
//!     valid_until: 100,
//!     call: Call::RevokeOfficer(RevokeOfficer { officer: KeyId([0u8; 20]) }),
//! };
//! let signed = tx.sign(&key);
//! assert!(signed.verify_signature().is_ok());
//! let bytes = xianjie_ledger::codec::encode(&signed);
//! let back: xianjie_ledger::tx::SignedTx = xianjie_ledger::codec::decode(&bytes).unwrap();
//! assert_eq!(back.hash(), signed.hash());
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod block;
pub mod case;
pub mod checkpoint;
pub mod clue;
pub mod codec;
pub mod crypto;
pub mod deadline;
pub mod deposit;
pub mod draw;
pub mod error;
pub mod genesis;
pub mod governance;
pub mod hash;
pub mod history;
pub mod ids;
pub mod inspection;
pub mod merkle;
pub mod model;
pub mod names;
pub mod params;
pub mod random_draw;
pub mod read_auth;
pub mod receipt;
pub mod receipt_external;
pub mod receipt_witnesses;
pub mod request;
pub mod state;
pub mod stats;
pub mod supervision;
pub mod timestamps;
pub mod tx;
pub mod validators;

pub use error::{Error, Result};
pub use hash::Hash;
