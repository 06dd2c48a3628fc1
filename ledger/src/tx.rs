//! Signed transactions.
//!
//! A transaction is `{chain_id, signer, nonce, valid_until, call}` plus an
//! ed25519 signature over its hash. Replay is refused by uniqueness of the
//! transaction hash (the ledger keeps every hash it has committed) together
//! with `valid_until`, a height after which the transaction can no longer be
//! included. There is no per-signer sequence number, so one officer's
//! transactions never wait for each other.

use serde::{Deserialize, Serialize};

use crate::codec::{encode, Canonical};
use crate::crypto::{self, KeyId, PublicKey, SecretKey, Signature};
use crate::error::CryptoError;
use crate::hash::{hash_with, Domain, Hash};
use crate::model::{CustodyAction, EvidenceAnchor, OrgId, Role};

/// Largest encoded signed transaction accepted anywhere.
pub const MAX_TX_BYTES: usize = 16 * 1024;

/// The body of a transaction: what the signer authorises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tx {
    /// Chain the transaction is meant for; others refuse it.
    pub chain_id: String,
    /// The signing key.
    pub signer: PublicKey,
    /// Random number chosen by the client so identical calls get distinct hashes.
    pub nonce: u64,
    /// Last height at which the transaction may be included.
    pub valid_until: u64,
    /// What to do.
    pub call: Call,
}

/// A transaction with its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTx {
    /// The signed body.
    pub tx: Tx,
    /// Signature over [`Tx::hash`].
    pub signature: Signature,
}

/// The contract calls. Variants are encoded by position: append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// An organisation's admin registers an officer key in that organisation.
    RegisterOfficer(RegisterOfficer),
    /// An organisation's admin revokes one of its officer keys.
    RevokeOfficer(RevokeOfficer),
    /// Anchor an evidence file.
    AnchorEvidence(EvidenceAnchor),
    /// Record a custody event on anchored evidence.
    RecordCustody(RecordCustody),
}

/// Registration of an officer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterOfficer {
    /// The officer's public key.
    pub public_key: PublicKey,
    /// The role granted.
    pub role: Role,
}

/// Revocation of an officer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeOfficer {
    /// The officer to revoke.
    pub officer: KeyId,
}

/// A custody event on anchored evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCustody {
    /// The evidence digest.
    pub digest: Hash,
    /// What happens.
    pub action: CustodyAction,
    /// For `transfer`: the receiving organisation.
    pub to: Option<OrgId>,
    /// Digest of an off-chain note about the event.
    pub note_digest: Option<Hash>,
}

impl Tx {
    /// The transaction id: a domain-separated hash of the canonical body.
    pub fn hash(&self) -> Hash {
        hash_with(Domain::Tx, &encode(self))
    }

    /// Signs the transaction hash.
    pub fn sign(self, key: &SecretKey) -> SignedTx {
        let signature = key.sign(&self.hash().0);
        SignedTx {
            tx: self,
            signature,
        }
    }
}

impl SignedTx {
    /// The transaction id (the signature is not part of it).
    pub fn hash(&self) -> Hash {
        self.tx.hash()
    }

    /// The signer's short id.
    pub fn signer_id(&self) -> KeyId {
        self.tx.signer.id()
    }

    /// Checks the signature with the strict rule.
    pub fn verify_signature(&self) -> Result<(), CryptoError> {
        crypto::verify(&self.tx.signer, &self.hash().0, &self.signature)
    }
}

impl Canonical for Tx {
    const KIND: &'static str = "transaction";
    const MAX_ENCODED_LEN: usize = MAX_TX_BYTES;
}

impl Canonical for SignedTx {
    const KIND: &'static str = "signed transaction";
    const MAX_ENCODED_LEN: usize = MAX_TX_BYTES;
}
