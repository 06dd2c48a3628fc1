//! The one error type of this crate, with a sub-enum per failure domain.

/// Everything that can go wrong in the ledger crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes could not be decoded into the expected type.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A key or signature was malformed or did not verify.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A Merkle or state proof did not verify.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// A genesis document is inconsistent.
    #[error("invalid genesis: {reason}")]
    Genesis {
        /// What is wrong with it.
        reason: String,
    },
    /// A genesis document leaves out fields that its hash encodes, so the
    /// hash would depend on defaults built into this program.
    #[error("the genesis document leaves out {}", name_fields(.missing))]
    IncompleteGenesis {
        /// The missing fields as JSON paths (`params.policy_set`,
        /// `params.deadlines[3].scope`).
        missing: Vec<String>,
    },
}

/// Most missing fields named in one message; the rest are counted.
const MAX_NAMED_FIELDS: usize = 12;

fn name_fields(fields: &[String]) -> String {
    let named = fields
        .iter()
        .take(MAX_NAMED_FIELDS)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    match fields.len().saturating_sub(MAX_NAMED_FIELDS) {
        0 => named,
        more => format!("{named} and {more} more"),
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Failures of the canonical codec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The input is longer than the type allows.
    #[error("encoded {kind} is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// The type being decoded.
        kind: &'static str,
        /// Bytes received.
        len: usize,
        /// The limit for that type.
        max: usize,
    },
    /// The leading format version is not one this build understands.
    #[error("unsupported format version {found} (expected {expected})")]
    Version {
        /// Version byte found.
        found: u8,
        /// Version this build writes.
        expected: u8,
    },
    /// The input was empty.
    #[error("empty input")]
    Empty,
    /// The bytes do not describe a value of the type.
    #[error("malformed {kind}: {reason}")]
    Malformed {
        /// The type being decoded.
        kind: &'static str,
        /// The decoder's complaint.
        reason: String,
    },
    /// Bytes remained after a complete value.
    #[error("{extra} trailing bytes after {kind}")]
    TrailingBytes {
        /// The type being decoded.
        kind: &'static str,
        /// How many bytes were left.
        extra: usize,
    },
    /// The bytes decode, but are not the one canonical encoding of the value.
    #[error("{kind} is not canonically encoded")]
    NotCanonical {
        /// The type being decoded.
        kind: &'static str,
    },
}

/// Failures of keys and signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The bytes are not a valid ed25519 public key.
    #[error("invalid public key")]
    InvalidPublicKey,
    /// The signature does not verify under the strict rule.
    #[error("signature does not verify")]
    BadSignature,
    /// A key file or hex string could not be parsed.
    #[error("malformed key: {reason}")]
    MalformedKey {
        /// What is wrong with it.
        reason: String,
    },
}

/// Failures of Merkle inclusion and state proofs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is outside the tree.
    #[error("leaf index {index} is outside a tree of {size} leaves")]
    IndexOutOfRange {
        /// Index claimed by the proof.
        index: u64,
        /// Tree size claimed by the proof.
        size: u64,
    },
    /// The proof path has the wrong number of hashes for its position.
    #[error("proof path has the wrong length")]
    WrongPathLength,
    /// The recomputed root differs from the expected one.
    #[error("recomputed root does not match")]
    RootMismatch,
    /// A consistency proof between two tree sizes that cannot be compared
    /// (the first larger than the second).
    #[error("no consistency proof goes from {from} leaves to {to}: the first tree must not be larger")]
    SizesOutOfOrder {
        /// Size of the first tree.
        from: u64,
        /// Size of the second tree.
        to: u64,
    },
    /// The sparse Merkle (state) proof was rejected.
    #[error("state proof rejected: {reason}")]
    State {
        /// Why the proof library rejected it.
        reason: String,
    },
}
