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
    #[error(
        "no consistency proof goes from {from} leaves to {to}: the first tree must not be larger"
    )]
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

/// Failures of checkpoints, signed notes, verifier keys and witness
/// cosignatures (`checkpoint`, docs/checkpoint.md).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The signed note is longer than a verifier reads.
    #[error("signed note is {len} bytes, more than the limit of {max}; a checkpoint note is far smaller, so this is not one")]
    NoteTooLarge {
        /// Bytes received.
        len: usize,
        /// The limit ([`crate::checkpoint::MAX_NOTE_BYTES`]).
        max: usize,
    },
    /// The signed note has more signature lines than a verifier reads.
    #[error("signed note has {count} signature lines, more than the limit of {max}; drop signatures that nobody verifies")]
    TooManySignatures {
        /// Signature lines found.
        count: usize,
        /// The limit ([`crate::checkpoint::MAX_SIGNATURES`]).
        max: usize,
    },
    /// A control character other than newline (a tab, a carriage return).
    #[error("signed note has control character U+{code:04X} at byte {offset}; notes use newline (LF) only, with no tabs or CR")]
    ControlCharacter {
        /// The character.
        code: u32,
        /// Its byte offset in the note.
        offset: usize,
    },
    /// No blank line followed by signature lines ending in a newline.
    #[error("signed note has no signature block: expected the text, a blank line, then signature lines each ending in a newline")]
    NoSignatureBlock,
    /// A line of the signature block does not start with an em dash and a space.
    #[error("signature line {line:?} does not start with \"— \" (U+2014 em dash, space)")]
    NotASignatureLine {
        /// The offending line.
        line: String,
    },
    /// A signature line is not `— <name> <base64>` with at least 5 bytes.
    #[error("signature line {line:?} is malformed: {reason}")]
    MalformedSignatureLine {
        /// The offending line.
        line: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A key name is empty or contains a space or a plus sign.
    #[error("key name {name:?} is invalid: it must be non-empty, without spaces or '+'")]
    InvalidKeyName {
        /// The name.
        name: String,
    },
    /// Note text that cannot be signed.
    #[error("note text is invalid: {reason}")]
    InvalidNoteText {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A verifier key is not `<name>+<8 hex>+<base64(type ‖ key)>`.
    #[error("verifier key {vkey:?} is malformed: {reason}")]
    MalformedVerifierKey {
        /// The key text.
        vkey: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two listed keys share a name and key id.
    #[error("keys {name}+{key_id} are listed twice; remove one from the list")]
    AmbiguousKey {
        /// The shared name.
        name: String,
        /// The shared key id, hex.
        key_id: String,
    },
    /// A listed key signed twice.
    #[error(
        "key {name}+{key_id} signed the note more than once; a note carries one signature per key"
    )]
    DuplicateSignature {
        /// The key's name.
        name: String,
        /// The key's id, hex.
        key_id: String,
    },
    /// A signature from a listed key does not verify: the note is refused.
    #[error("signature of listed key {name}+{key_id} does not verify: {reason}; the note was altered or the signature forged")]
    BadSignature {
        /// The key's name.
        name: String,
        /// The key's id, hex.
        key_id: String,
        /// Why.
        reason: &'static str,
    },
    /// None of the listed keys signed the note.
    #[error(
        "no listed key signed the note ({ignored} signatures from unlisted keys were ignored)"
    )]
    NoKnownSignature {
        /// Signature lines ignored.
        ignored: usize,
    },
    /// Fewer distinct witnesses than the threshold co-signed.
    #[error("{} of the required {threshold} witnesses co-signed (of {listed} listed){}", .verified.len(), name_witnesses(.verified))]
    TooFewWitnesses {
        /// Names of the witnesses whose cosignatures verified.
        verified: Vec<String>,
        /// Cosignatures required.
        threshold: usize,
        /// Witnesses listed.
        listed: usize,
    },
    /// The witness policy itself is unusable.
    #[error("witness policy is invalid: {reason}")]
    InvalidWitnessPolicy {
        /// What is wrong with it.
        reason: String,
    },
    /// A cosignature time beyond 2^63 - 1 seconds (c2sp.org/tlog-cosignature).
    #[error("cosignature time {time} is beyond 2^63 - 1 seconds")]
    TimeOutOfRange {
        /// The time.
        time: u64,
    },
    /// A checkpoint body line is missing.
    #[error("checkpoint body ends before its {field} line; a body has exactly 5 lines, each ending in a newline")]
    MissingLine {
        /// The line expected.
        field: &'static str,
    },
    /// A checkpoint body has lines after the `time` line.
    #[error("checkpoint body has an extra line {line:?} after its 5 lines")]
    ExtraLine {
        /// The first extra line.
        line: String,
    },
    /// A checkpoint body line has the wrong form.
    #[error("checkpoint {field} line {line:?} is malformed: expected {expected}")]
    MalformedLine {
        /// The line's field.
        field: &'static str,
        /// The line.
        line: String,
        /// Its form.
        expected: &'static str,
    },
    /// A decimal with a sign, a leading zero, or out of range.
    #[error("checkpoint {field} {text:?} is not a canonical decimal (digits only, no leading zero, at most 2^64 - 1)")]
    NonCanonicalNumber {
        /// The field.
        field: &'static str,
        /// The text.
        text: String,
    },
    /// Not 64 lower-case hex characters.
    #[error("checkpoint {field} {text:?} is not 64 lower-case hex characters")]
    InvalidHex {
        /// The field.
        field: &'static str,
        /// The text.
        text: String,
    },
    /// Not the padded standard base64 of 32 bytes.
    #[error("checkpoint root {text:?} is not the padded standard base64 of 32 bytes")]
    InvalidBase64 {
        /// The text.
        text: String,
    },
    /// The named block is not the one that commits a tree of this size.
    #[error("checkpoint names block {block_height} for a tree of {size} headers; the block committing it is at height size + 1")]
    BlockHeightMismatch {
        /// Tree size.
        size: u64,
        /// Block height named.
        block_height: u64,
    },
}

/// `: a, b and 3 more`, or nothing when no witness verified.
fn name_witnesses(names: &[String]) -> String {
    if names.is_empty() {
        return String::new();
    }
    format!(": {}", name_fields(names))
}
