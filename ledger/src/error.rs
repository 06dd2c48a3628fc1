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

/// Refusals of a random draw (双随机 抽查: `draw`, docs/draw.md §9). Each has
/// a stable [`DrawError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DrawError {
    /// A directory snapshot has more rows than a draw reads.
    #[error("the {directory} snapshot has {count} rows, more than the limit of {max}; split the directory by department or region and draw per part")]
    TooManyRows {
        /// `entity` or `inspector`.
        directory: &'static str,
        /// Rows given.
        count: usize,
        /// The limit ([`crate::draw::MAX_ENTITIES`] or [`crate::draw::MAX_INSPECTORS`]).
        max: usize,
    },
    /// A row is out of order: rows are sorted strictly by entity id (or officer key id) bytes.
    #[error("the {directory} snapshot is not sorted: row {index} ({key}) does not come after the row before it; sort the rows by {directory} id, byte by byte")]
    RowsNotSorted {
        /// `entity` or `inspector`.
        directory: &'static str,
        /// Position of the offending row, from 0.
        index: usize,
        /// Its id (entity id, or officer key id in hex).
        key: String,
    },
    /// Two rows have the same entity id (or officer key id).
    #[error("the {directory} snapshot lists {key} twice (rows {first} and {second}); keep one row per {directory}")]
    DuplicateRow {
        /// `entity` or `inspector`.
        directory: &'static str,
        /// The repeated id.
        key: String,
        /// Position of the first row.
        first: usize,
        /// Position of the second row.
        second: usize,
    },
    /// A row's fields are out of their bounds.
    #[error("row {index} of the {directory} snapshot is invalid: {reason}")]
    InvalidRow {
        /// `entity` or `inspector`.
        directory: &'static str,
        /// Position of the row, from 0.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing to draw from: no entity at all, or none in the plan's risk classes.
    #[error("the entity population is empty{}; a draw needs a non-empty snapshot of the inspected-entity directory covering the plan's risk classes", if *.planned_classes { " in the plan's risk classes" } else { "" })]
    EmptyPopulation {
        /// Whether entities exist, but none in a class the plan draws from.
        planned_classes: bool,
    },
    /// A ratio above 100 %.
    #[error("the ratio for risk class {risk_class} is {basis_points} basis points, above 100 % (10000); give at most 10000")]
    RatioAboveFull {
        /// The class.
        risk_class: u8,
        /// The ratio given.
        basis_points: u16,
    },
    /// The plan itself is unusable.
    #[error("the inspection plan is invalid: {reason}")]
    InvalidPlan {
        /// What is wrong with it.
        reason: String,
    },
    /// Fewer eligible inspectors than one inspection needs.
    #[error("only {eligible} inspectors of {department} are valid on {date} for its items {items}, fewer than the {needed} it sends on each inspection; add or renew inspectors, or widen their scopes")]
    TooFewInspectors {
        /// Eligible inspectors of the department.
        eligible: usize,
        /// Inspectors per inspection of each department.
        needed: usize,
        /// The department short of inspectors.
        department: String,
        /// Its item codes in the plan, comma-separated.
        items: String,
        /// The draw date (`yyyymmdd`).
        date: u32,
    },
    /// A draw date that is not a `yyyymmdd` calendar date.
    #[error("draw date {date} is not a yyyymmdd date")]
    InvalidDate {
        /// The date given.
        date: u32,
    },
    /// Fewer revealed nonces than a seed needs.
    #[error("{count} nonces revealed; a seed needs the issuing department's and at least one other organisation's ({min} in all)")]
    TooFewReveals {
        /// Reveals given.
        count: usize,
        /// The minimum ([`crate::draw::MIN_REVEALS`]).
        min: usize,
    },
    /// More revealed nonces than a seed reads.
    #[error("{count} nonces revealed, more than the limit of {max}")]
    TooManyReveals {
        /// Reveals given.
        count: usize,
        /// The limit ([`crate::draw::MAX_REVEALS`]).
        max: usize,
    },
    /// One organisation revealed twice.
    #[error("organisation {org} revealed more than one nonce; each committing organisation reveals exactly one")]
    DuplicateReveal {
        /// The organisation.
        org: String,
    },
    /// A revealed nonce does not open the organisation's commitment.
    #[error("the nonce revealed by {org} does not match its commitment for draw {draw}; reveal the nonce committed for this draw")]
    RevealMismatch {
        /// The organisation.
        org: String,
        /// The draw id.
        draw: String,
    },
    /// A recusal names an inspection the draw does not have.
    #[error(
        "inspection {index} does not exist: the draw has {count} inspections (numbered from 0)"
    )]
    NoSuchInspection {
        /// Index given.
        index: usize,
        /// Inspections in the draw.
        count: usize,
    },
    /// A recusal names an inspector not assigned to the inspection.
    #[error("inspector {officer} is not assigned to inspection {index}; only an assigned inspector can recuse")]
    NotAssigned {
        /// The officer's key id, hex.
        officer: String,
        /// The inspection.
        index: usize,
    },
    /// No eligible inspector is left to replace a recused one.
    #[error("no eligible inspector is left to replace {officer} on inspection {index}; add or renew inspectors valid for the item and draw again")]
    NoReplacement {
        /// The recused officer, hex.
        officer: String,
        /// The inspection.
        index: usize,
    },
    /// A recusal against a directory snapshot other than the one drawn from.
    #[error("the {directory} snapshot root {found} is not the root {expected} the draw used; recuse against the same snapshot")]
    SnapshotMismatch {
        /// `entity` or `inspector`.
        directory: &'static str,
        /// The root recorded in the draw.
        expected: String,
        /// The root of the rows given.
        found: String,
    },
    /// A claimed draw is not what re-running it gives.
    #[error("re-running the draw does not give the claimed result{}; the claimed entities, inspectors or recusals are not the ones the seed and snapshots give", match .inspection { Some(index) => format!(" (inspection {index} differs)"), None => String::new() })]
    ResultMismatch {
        /// The first inspection that differs, when one does.
        inspection: Option<usize>,
    },
}

impl DrawError {
    /// The stable, machine-readable reason code (docs/draw.md §9).
    pub fn code(&self) -> &'static str {
        match self {
            DrawError::TooManyRows { .. } => "too_many_rows",
            DrawError::RowsNotSorted { .. } => "rows_not_sorted",
            DrawError::DuplicateRow { .. } => "duplicate_row",
            DrawError::InvalidRow { .. } => "invalid_row",
            DrawError::EmptyPopulation { .. } => "empty_population",
            DrawError::RatioAboveFull { .. } => "ratio_above_100_percent",
            DrawError::InvalidPlan { .. } => "invalid_plan",
            DrawError::TooFewInspectors { .. } => "too_few_inspectors",
            DrawError::InvalidDate { .. } => "invalid_draw_date",
            DrawError::TooFewReveals { .. } => "too_few_reveals",
            DrawError::TooManyReveals { .. } => "too_many_reveals",
            DrawError::DuplicateReveal { .. } => "duplicate_reveal",
            DrawError::RevealMismatch { .. } => "reveal_mismatch",
            DrawError::NoSuchInspection { .. } => "no_such_inspection",
            DrawError::NotAssigned { .. } => "inspector_not_assigned",
            DrawError::NoReplacement { .. } => "no_replacement",
            DrawError::SnapshotMismatch { .. } => "snapshot_mismatch",
            DrawError::ResultMismatch { .. } => "result_mismatch",
        }
    }
}
