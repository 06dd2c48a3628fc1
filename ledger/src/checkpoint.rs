//! Checkpoints of the history tree, as C2SP signed notes, and the
//! cosignatures of witnesses (docs/checkpoint.md).
//!
//! A checkpoint names a size and root of the history tree (the tree over
//! all earlier header hashes that each header commits) and the header that
//! commits it. Its text is a c2sp.org/tlog-checkpoint body with two
//! extension lines; witnesses co-sign it with c2sp.org/tlog-cosignature
//! (`cosignature/v1`, signature type 0x04) signatures, and any party may add
//! plain c2sp.org/signed-note Ed25519 signatures (type 0x01). Everything
//! here is text in, text out: no clock (a cosignature's time is an
//! argument), no state (which checkpoint a witness co-signed last is the
//! witness's business).
//!
//! Parsing is strict so that every accepted text prints back byte for byte:
//! canonical decimals, lower-case hex, padded base64 with no stray bits.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::crypto::{verify, PublicKey, SecretKey, Signature};
use crate::error::CheckpointError;
use crate::hash::Hash;

/// Longest signed note read, in bytes. A checkpoint body is under 300 bytes
/// and a cosignature line about 130, so this holds [`MAX_SIGNATURES`] of them.
pub const MAX_NOTE_BYTES: usize = 32 * 1024;

/// Most signature lines read in one note (the signed-note spec asks for at
/// least 16; Go's `sumdb/note` reads 100).
pub const MAX_SIGNATURES: usize = 100;

/// First part of every Xianjie checkpoint origin.
pub const ORIGIN_PREFIX: &str = "xianjie/";

/// Starts every signature line: U+2014 em dash, then a space.
const SIGNATURE_PREFIX: &str = "— ";

/// First line of the message a witness signs (c2sp.org/tlog-cosignature).
const COSIGNATURE_HEADER: &str = "cosignature/v1\n";

/// Ed25519 signature bytes.
const SIGNATURE_LEN: usize = 64;

/// A cosignature's payload: big-endian seconds, then the Ed25519 signature.
const COSIGNATURE_LEN: usize = 8 + SIGNATURE_LEN;

/// Latest cosignature time the spec allows (2^63 - 1 seconds).
const MAX_COSIGNATURE_TIME: u64 = i64::MAX as u64;

/// A checkpoint of the history tree: what the chain publishes and
/// witnesses co-sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// `xianjie/<chain id>/<genesis hash>` ([`Checkpoint::origin_for`]).
    pub origin: String,
    /// Headers covered by the tree.
    pub size: u64,
    /// The published (size-bound) history root over those headers.
    pub root: Hash,
    /// Height of the header that commits `root`: always `size + 1`.
    pub block_height: u64,
    /// Hash of that header.
    pub block_hash: Hash,
    /// That header's time, in milliseconds since the Unix epoch.
    pub time_ms: u64,
}

impl Checkpoint {
    /// Whether `header` is the one the `block` and `time` lines name, and
    /// commits this checkpoint's root (`docs/checkpoint.md` §2.2).
    pub fn is_stated_by(&self, header: &crate::block::Header) -> bool {
        (self.block_height, self.block_hash, self.root, self.time_ms)
            == (
                header.height,
                header.hash(),
                header.history_root,
                header.time_ms,
            )
    }

    /// The origin line of a chain's checkpoints. The genesis hash makes it
    /// unique even when two networks share a chain id.
    pub fn origin_for(chain_id: &str, genesis_hash: &Hash) -> String {
        format!("{ORIGIN_PREFIX}{chain_id}/{}", genesis_hash.to_hex())
    }

    /// The chain id the origin names, if the origin has the form
    /// [`Checkpoint::origin_for`] gives (`xianjie/<chain id>/<64 hex>`; a
    /// chain id may itself hold `/`).
    pub fn chain_id(&self) -> Option<&str> {
        let (chain, genesis) = self.origin.strip_prefix(ORIGIN_PREFIX)?.rsplit_once('/')?;
        Hash::from_hex(genesis).is_ok().then_some(chain)
    }

    /// The note text: origin, size, root, then the `block` and `time`
    /// extension lines, each ending in a newline.
    pub fn to_body(&self) -> String {
        format!(
            "{}\n{}\n{}\nblock {} {}\ntime {}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root.0),
            self.block_height,
            self.block_hash.to_hex(),
            self.time_ms
        )
    }

    /// Parses a body printed by [`Checkpoint::to_body`], and only such a
    /// body: a witness must not co-sign text that two parsers read apart.
    pub fn parse_body(body: &str) -> Result<Checkpoint, CheckpointError> {
        let mut lines = BodyLines(body);
        let origin = parse_origin(lines.next("origin")?)?;
        let size = parse_decimal("tree size", lines.next("tree size")?)?;
        let root = parse_root(lines.next("root hash")?)?;
        let (block_height, block_hash) = parse_block_line(lines.next("block")?)?;
        let time_ms = parse_time_line(lines.next("time")?)?;
        lines.finish()?;
        if size.checked_add(1) != Some(block_height) {
            return Err(CheckpointError::BlockHeightMismatch { size, block_height });
        }
        Ok(Checkpoint {
            origin,
            size,
            root,
            block_height,
            block_hash,
            time_ms,
        })
    }

    /// Whether the two checkpoints cannot both be true of one chain: the same
    /// origin and size (or block height) with anything else different. Both
    /// may carry valid signatures; a witness that sees this has seen a fork,
    /// refuses the second and raises an alert.
    pub fn conflicts_with(&self, other: &Checkpoint) -> bool {
        self.origin == other.origin
            && (self.size == other.size || self.block_height == other.block_height)
            && self != other
    }
}

/// The lines of a checkpoint body, taken one at a time.
struct BodyLines<'a>(&'a str);

impl<'a> BodyLines<'a> {
    /// The next line without its newline; every line must end in one.
    fn next(&mut self, field: &'static str) -> Result<&'a str, CheckpointError> {
        if self.0.is_empty() {
            return Err(CheckpointError::MissingLine { field });
        }
        let (line, rest) =
            self.0
                .split_once('\n')
                .ok_or_else(|| CheckpointError::MalformedLine {
                    field,
                    line: self.0.to_owned(),
                    expected: "a line ending in a newline",
                })?;
        self.0 = rest;
        Ok(line)
    }

    /// Refuses anything after the last line.
    fn finish(self) -> Result<(), CheckpointError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let line = self.0.split('\n').next().unwrap_or_default();
        Err(CheckpointError::ExtraLine {
            line: line.to_owned(),
        })
    }
}

fn parse_origin(line: &str) -> Result<String, CheckpointError> {
    let malformed = || CheckpointError::MalformedLine {
        field: "origin",
        line: line.to_owned(),
        expected: "xianjie/<chain id>/<genesis hash, 64 lower-case hex>, without spaces or '+'",
    };
    let rest = line.strip_prefix(ORIGIN_PREFIX).ok_or_else(malformed)?;
    let (chain_id, genesis_hash) = rest.rsplit_once('/').ok_or_else(malformed)?;
    if chain_id.is_empty() || !is_valid_name(line) {
        return Err(malformed());
    }
    parse_hex("genesis hash", genesis_hash)?;
    Ok(line.to_owned())
}

/// A decimal as Go and this module print it: digits only, no leading zero.
fn parse_decimal(field: &'static str, text: &str) -> Result<u64, CheckpointError> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical
        .then(|| text.parse::<u64>().ok())
        .flatten()
        .ok_or_else(|| CheckpointError::NonCanonicalNumber {
            field,
            text: text.to_owned(),
        })
}

/// 64 lower-case hex characters (upper case would print back differently).
fn parse_hex(field: &'static str, text: &str) -> Result<Hash, CheckpointError> {
    let invalid = || CheckpointError::InvalidHex {
        field,
        text: text.to_owned(),
    };
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(invalid());
    }
    Hash::from_hex(text).map_err(|_| invalid())
}

fn parse_root(text: &str) -> Result<Hash, CheckpointError> {
    let bytes = BASE64
        .decode(text)
        .map_err(|_| CheckpointError::InvalidBase64 {
            text: text.to_owned(),
        })?;
    let root: [u8; 32] = bytes
        .try_into()
        .map_err(|_| CheckpointError::InvalidBase64 {
            text: text.to_owned(),
        })?;
    Ok(Hash(root))
}

fn parse_block_line(line: &str) -> Result<(u64, Hash), CheckpointError> {
    let (height, hash) = line
        .strip_prefix("block ")
        .and_then(|rest| rest.split_once(' '))
        .ok_or_else(|| CheckpointError::MalformedLine {
            field: "block",
            line: line.to_owned(),
            expected: "block <height> <header hash>",
        })?;
    Ok((
        parse_decimal("block height", height)?,
        parse_hex("block hash", hash)?,
    ))
}

fn parse_time_line(line: &str) -> Result<u64, CheckpointError> {
    let time = line
        .strip_prefix("time ")
        .ok_or_else(|| CheckpointError::MalformedLine {
            field: "time",
            line: line.to_owned(),
            expected: "time <milliseconds since the Unix epoch>",
        })?;
    parse_decimal("time", time)
}

/// A key name (and origin): non-empty, no Unicode space, no '+' (which
/// separates a verifier key's parts), no control character (a note may not
/// hold one, so such a name could never sign).
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

fn check_name(name: &str) -> Result<(), CheckpointError> {
    if is_valid_name(name) {
        return Ok(());
    }
    Err(CheckpointError::InvalidKeyName {
        name: name.to_owned(),
    })
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The signing key's name.
    pub name: String,
    /// The signing key's id ([`VerifierKey::key_id`]).
    pub key_id: [u8; 4],
    /// The signature bytes after the key id: 64 for type 0x01, 8 (time)
    /// and 64 for a cosignature; others are kept as they are.
    pub payload: Vec<u8>,
}

impl NoteSignature {
    /// `— <name> <base64(key id ‖ payload)>` and a newline.
    pub fn to_line(&self) -> String {
        let mut bytes = self.key_id.to_vec();
        bytes.extend_from_slice(&self.payload);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, BASE64.encode(bytes))
    }

    /// Parses one line, without its newline.
    fn parse_line(line: &str) -> Result<NoteSignature, CheckpointError> {
        let malformed = |reason| CheckpointError::MalformedSignatureLine {
            line: line.to_owned(),
            reason,
        };
        let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(|| {
            CheckpointError::NotASignatureLine {
                line: line.to_owned(),
            }
        })?;
        let (name, encoded) = rest
            .split_once(' ')
            .ok_or_else(|| malformed("no space between the key name and the signature"))?;
        check_name(name)?;
        let bytes = BASE64
            .decode(encoded)
            .map_err(|_| malformed("the signature is not padded standard base64"))?;
        // A key id and at least one byte of signature, as Go requires.
        if bytes.len() < 5 {
            return Err(malformed("the signature is shorter than 5 bytes"));
        }
        let (key_id, payload) = bytes.split_at(4);
        Ok(NoteSignature {
            name: name.to_owned(),
            key_id: [key_id[0], key_id[1], key_id[2], key_id[3]],
            payload: payload.to_vec(),
        })
    }
}

/// A note: its text and its signature lines (c2sp.org/signed-note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, ending in a newline (a checkpoint body).
    pub text: String,
    /// The signatures, in the order of their lines.
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// Parses a signed note. Signatures are not checked here
    /// ([`verify_note`]); the limits are, before any other work.
    pub fn parse(note: &str) -> Result<SignedNote, CheckpointError> {
        if note.len() > MAX_NOTE_BYTES {
            return Err(CheckpointError::NoteTooLarge {
                len: note.len(),
                max: MAX_NOTE_BYTES,
            });
        }
        check_characters(note)?;
        // The text ends at the last blank line (it may hold blank lines).
        let split = note
            .rfind("\n\n")
            .ok_or(CheckpointError::NoSignatureBlock)?;
        let (text, block) = (&note[..=split], &note[split + 2..]);
        let lines = block
            .strip_suffix('\n')
            .ok_or(CheckpointError::NoSignatureBlock)?;
        let count = lines.split('\n').count();
        if count > MAX_SIGNATURES {
            return Err(CheckpointError::TooManySignatures {
                count,
                max: MAX_SIGNATURES,
            });
        }
        let signatures = lines
            .split('\n')
            .map(NoteSignature::parse_line)
            .collect::<Result<_, _>>()?;
        Ok(SignedNote {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note: text, a blank line, the signature lines.
    pub fn to_text(&self) -> String {
        let mut note = format!("{}\n", self.text);
        for signature in &self.signatures {
            note.push_str(&signature.to_line());
        }
        note
    }
}

/// Refuses control characters other than newline (UTF-8 is the type's).
fn check_characters(text: &str) -> Result<(), CheckpointError> {
    match text.char_indices().find(|&(_, c)| c < ' ' && c != '\n') {
        Some((offset, c)) => Err(CheckpointError::ControlCharacter {
            code: u32::from(c),
            offset,
        }),
        None => Ok(()),
    }
}

/// Text that can be signed: it ends in a newline and holds no control
/// character but newlines.
fn check_note_text(text: &str) -> Result<(), CheckpointError> {
    if !text.ends_with('\n') {
        return Err(CheckpointError::InvalidNoteText {
            reason: "it must end in a newline",
        });
    }
    check_characters(text)
}

/// The signature types this module verifies (c2sp.org/signed-note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// 0x01: Ed25519 over the note text.
    Ed25519,
    /// 0x04: timestamped Ed25519 checkpoint cosignature (`cosignature/v1`).
    Cosignature,
}

impl KeyKind {
    /// The signature type byte of the spec.
    pub const fn type_byte(self) -> u8 {
        match self {
            KeyKind::Ed25519 => 0x01,
            KeyKind::Cosignature => 0x04,
        }
    }

    fn from_type_byte(byte: u8) -> Option<KeyKind> {
        match byte {
            0x01 => Some(KeyKind::Ed25519),
            0x04 => Some(KeyKind::Cosignature),
            _ => None,
        }
    }
}

/// A named public key and the signature type it verifies; its text form is
/// the spec's vkey, `<name>+<key id hex>+<base64(type ‖ public key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    /// The key name signature lines carry.
    pub name: String,
    /// The signature type.
    pub kind: KeyKind,
    /// The Ed25519 public key.
    pub public_key: PublicKey,
}

impl VerifierKey {
    /// A key with a checked name and public key.
    pub fn new(
        name: &str,
        kind: KeyKind,
        public_key: PublicKey,
    ) -> Result<VerifierKey, CheckpointError> {
        let key = VerifierKey {
            name: name.to_owned(),
            kind,
            public_key,
        };
        check_name(name)?;
        if !public_key.is_valid() {
            return Err(malformed_vkey(
                &key.to_string(),
                "not a usable Ed25519 public key",
            ));
        }
        Ok(key)
    }

    /// SHA-256(name ‖ "\n" ‖ type byte ‖ public key), first 4 bytes. The type
    /// byte gives one key a different id for each signature type.
    pub fn key_id(&self) -> [u8; 4] {
        let digest = Sha256::new()
            .chain_update(self.name.as_bytes())
            .chain_update(b"\n")
            .chain_update([self.kind.type_byte()])
            .chain_update(self.public_key.0)
            .finalize();
        [digest[0], digest[1], digest[2], digest[3]]
    }

    /// Parses a vkey, checking that its key id is the key's.
    pub fn parse(vkey: &str) -> Result<VerifierKey, CheckpointError> {
        // The name cannot hold '+'; the base64 part can.
        let (name, rest) = vkey
            .split_once('+')
            .ok_or_else(|| malformed_vkey(vkey, "expected <name>+<key id>+<key>"))?;
        let (id_hex, encoded) = rest
            .split_once('+')
            .ok_or_else(|| malformed_vkey(vkey, "expected <name>+<key id>+<key>"))?;
        check_name(name)?;
        let stated = parse_key_id(id_hex)
            .ok_or_else(|| malformed_vkey(vkey, "the key id is not 8 lower-case hex characters"))?;
        let (kind, public_key) = parse_typed_key(vkey, encoded)?;
        let key = VerifierKey::new(name, kind, public_key)?;
        if key.key_id() != stated {
            let reason = format!(
                "key id {id_hex} is not this key's id {}",
                hex::encode(key.key_id())
            );
            return Err(malformed_vkey(vkey, reason));
        }
        Ok(key)
    }
}

fn malformed_vkey(vkey: &str, reason: impl Into<String>) -> CheckpointError {
    CheckpointError::MalformedVerifierKey {
        vkey: vkey.to_owned(),
        reason: reason.into(),
    }
}

fn parse_key_id(text: &str) -> Option<[u8; 4]> {
    let lower = text.len() == 8 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let mut id = [0u8; 4];
    (lower && hex::decode_to_slice(text, &mut id).is_ok()).then_some(id)
}

/// `base64(type byte ‖ 32-byte key)`.
fn parse_typed_key(vkey: &str, encoded: &str) -> Result<(KeyKind, PublicKey), CheckpointError> {
    let bytes = BASE64
        .decode(encoded)
        .map_err(|_| malformed_vkey(vkey, "the key is not padded standard base64"))?;
    let (&type_byte, key) = bytes
        .split_first()
        .ok_or_else(|| malformed_vkey(vkey, "the key is empty"))?;
    let kind = KeyKind::from_type_byte(type_byte).ok_or_else(|| {
        malformed_vkey(
            vkey,
            format!("signature type 0x{type_byte:02x} is not supported (0x01 Ed25519, 0x04 cosignature/v1)"),
        )
    })?;
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| malformed_vkey(vkey, "an Ed25519 public key is 32 bytes"))?;
    Ok((kind, PublicKey(key)))
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut typed = vec![self.kind.type_byte()];
        typed.extend_from_slice(&self.public_key.0);
        write!(
            f,
            "{}+{}+{}",
            self.name,
            hex::encode(self.key_id()),
            BASE64.encode(typed)
        )
    }
}

/// Signs note text with a plain Ed25519 (type 0x01) note signature.
pub fn sign_ed25519(
    note_text: &str,
    name: &str,
    key: &SecretKey,
) -> Result<NoteSignature, CheckpointError> {
    check_note_text(note_text)?;
    let vkey = VerifierKey::new(name, KeyKind::Ed25519, key.public_key())?;
    Ok(NoteSignature {
        key_id: vkey.key_id(),
        name: vkey.name,
        payload: key.sign(note_text.as_bytes()).0.to_vec(),
    })
}

/// A witness's `cosignature/v1` signature of a checkpoint at a time it
/// reads from its own clock (this crate has none).
pub fn cosign(
    checkpoint: &Checkpoint,
    witness_name: &str,
    key: &SecretKey,
    time_unix_s: u64,
) -> Result<NoteSignature, CheckpointError> {
    if time_unix_s > MAX_COSIGNATURE_TIME {
        return Err(CheckpointError::TimeOutOfRange { time: time_unix_s });
    }
    // Never sign a body that verifiers would refuse to parse.
    let body = checkpoint.to_body();
    Checkpoint::parse_body(&body)?;
    let vkey = VerifierKey::new(witness_name, KeyKind::Cosignature, key.public_key())?;
    let signature = key.sign(&cosigned_message(time_unix_s, &body));
    let mut payload = time_unix_s.to_be_bytes().to_vec();
    payload.extend_from_slice(&signature.0);
    Ok(NoteSignature {
        key_id: vkey.key_id(),
        name: vkey.name,
        payload,
    })
}

/// What a cosignature signs: `cosignature/v1`, `time <seconds>`, then the
/// whole note text, extension lines included.
fn cosigned_message(time_unix_s: u64, note_text: &str) -> Vec<u8> {
    format!("{COSIGNATURE_HEADER}time {time_unix_s}\n{note_text}").into_bytes()
}

/// A signature of a note that verified under a listed key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Position of the key in the list given.
    pub key_index: usize,
    /// The key's name.
    pub name: String,
    /// The key's signature type.
    pub kind: KeyKind,
    /// A cosignature's time, in seconds since the Unix epoch.
    pub time_unix_s: Option<u64>,
}

/// Verifies the signatures of listed keys, in line order. A line whose name
/// and key id match no listed key is ignored (c2sp.org/signed-note); a
/// listed key's line that does not verify, or a second line of the same key,
/// refuses the whole note, and so does a note no listed key signed.
pub fn verify_note(
    note: &SignedNote,
    keys: &[VerifierKey],
) -> Result<Vec<Verified>, CheckpointError> {
    let ids: Vec<[u8; 4]> = keys.iter().map(VerifierKey::key_id).collect();
    check_unambiguous(keys, &ids)?;
    let mut verified: Vec<Verified> = Vec::new();
    for signature in &note.signatures {
        let Some(index) =
            (0..keys.len()).find(|&i| keys[i].name == signature.name && ids[i] == signature.key_id)
        else {
            continue;
        };
        if verified.iter().any(|v| v.key_index == index) {
            return Err(CheckpointError::DuplicateSignature {
                name: signature.name.clone(),
                key_id: hex::encode(signature.key_id),
            });
        }
        let time_unix_s = check_signature(&keys[index], &note.text, signature)?;
        verified.push(Verified {
            key_index: index,
            name: signature.name.clone(),
            kind: keys[index].kind,
            time_unix_s,
        });
    }
    if verified.is_empty() {
        let ignored = note.signatures.len();
        return Err(CheckpointError::NoKnownSignature { ignored });
    }
    Ok(verified)
}

/// Refuses a list in which one name and key id stand for two keys.
fn check_unambiguous(keys: &[VerifierKey], ids: &[[u8; 4]]) -> Result<(), CheckpointError> {
    for (i, key) in keys.iter().enumerate() {
        if (0..i).any(|j| keys[j].name == key.name && ids[j] == ids[i]) {
            return Err(CheckpointError::AmbiguousKey {
                name: key.name.clone(),
                key_id: hex::encode(ids[i]),
            });
        }
    }
    Ok(())
}

/// Checks one signature of a listed key; a cosignature's time is returned.
fn check_signature(
    key: &VerifierKey,
    text: &str,
    signature: &NoteSignature,
) -> Result<Option<u64>, CheckpointError> {
    let bad = |reason| CheckpointError::BadSignature {
        name: key.name.clone(),
        key_id: hex::encode(signature.key_id),
        reason,
    };
    match key.kind {
        KeyKind::Ed25519 => {
            let bytes: [u8; SIGNATURE_LEN] = signature.payload[..]
                .try_into()
                .map_err(|_| bad("an Ed25519 note signature is 64 bytes"))?;
            verify(&key.public_key, text.as_bytes(), &Signature(bytes))
                .map_err(|_| bad("Ed25519 over the note text fails"))?;
            Ok(None)
        }
        KeyKind::Cosignature => {
            if signature.payload.len() != COSIGNATURE_LEN {
                return Err(bad("a cosignature is 8 bytes of time and 64 of signature"));
            }
            let (time, bytes) = signature.payload.split_at(8);
            let mut seconds = [0u8; 8];
            seconds.copy_from_slice(time);
            let time = u64::from_be_bytes(seconds);
            if time > MAX_COSIGNATURE_TIME {
                return Err(bad("its time is beyond 2^63 - 1 seconds"));
            }
            let mut signed = [0u8; SIGNATURE_LEN];
            signed.copy_from_slice(bytes);
            verify(
                &key.public_key,
                &cosigned_message(time, text),
                &Signature(signed),
            )
            .map_err(|_| bad("Ed25519 over the cosigned message fails"))?;
            Ok(Some(time))
        }
    }
}

/// Requires cosignatures of at least `threshold` distinct listed witnesses.
/// Witnesses must be cosignature (0x04) keys with distinct public keys: a
/// `cosignature/v1` message does not name its signer, so one key listed
/// under two names would count twice. A witness that signed twice refuses
/// the note ([`verify_note`]).
pub fn require_witnesses(
    note: &SignedNote,
    witnesses: &[VerifierKey],
    threshold: usize,
) -> Result<Vec<Verified>, CheckpointError> {
    check_witness_policy(witnesses, threshold)?;
    let verified = match verify_note(note, witnesses) {
        Ok(verified) => verified,
        Err(CheckpointError::NoKnownSignature { .. }) => Vec::new(),
        Err(other) => return Err(other),
    };
    if verified.len() < threshold {
        return Err(CheckpointError::TooFewWitnesses {
            verified: verified.into_iter().map(|v| v.name).collect(),
            threshold,
            listed: witnesses.len(),
        });
    }
    Ok(verified)
}

fn check_witness_policy(
    witnesses: &[VerifierKey],
    threshold: usize,
) -> Result<(), CheckpointError> {
    let invalid = |reason: String| CheckpointError::InvalidWitnessPolicy { reason };
    if threshold == 0 || threshold > witnesses.len() {
        return Err(invalid(format!(
            "threshold {threshold} must be between 1 and the {} witnesses listed",
            witnesses.len()
        )));
    }
    for (i, witness) in witnesses.iter().enumerate() {
        if witness.kind != KeyKind::Cosignature {
            return Err(invalid(format!(
                "witness {witness} is not a cosignature/v1 (type 0x04) key"
            )));
        }
        if let Some(other) = witnesses[..i]
            .iter()
            .find(|other| other.public_key == witness.public_key)
        {
            return Err(invalid(format!(
                "witnesses {} and {} share one public key",
                other.name, witness.name
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosigned_message_is_the_spec_layout() {
        // c2sp.org/tlog-cosignature, "Ed25519 signed message": the example.
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            cosigned_message(1679315147, body),
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn decimals_are_canonical() {
        assert_eq!(parse_decimal("f", "0"), Ok(0));
        assert_eq!(parse_decimal("f", "18446744073709551615"), Ok(u64::MAX));
        for bad in [
            "",
            "00",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "18446744073709551616",
            "1e3",
        ] {
            assert!(
                matches!(
                    parse_decimal("f", bad),
                    Err(CheckpointError::NonCanonicalNumber { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn names_refuse_spaces_plus_and_control_characters() {
        assert!(is_valid_name("witness.example.org/w1"));
        assert!(is_valid_name("见证人.法院.example/1"));
        for bad in [
            "",
            "a b",
            "a+b",
            "a\u{3000}b",
            "a\u{a0}b",
            "a\tb",
            "a\u{7f}b",
        ] {
            assert!(!is_valid_name(bad), "{bad:?}");
        }
    }
}

/// A list of witnesses as a court or an agency writes it down: one vkey
/// per line (type `0x04`), blank lines and `#` comments ignored, and for a
/// verifier the line `require M`, how many of them must have co-signed
/// (`docs/checkpoint.md` §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessList {
    /// The witnesses, in file order.
    pub witnesses: Vec<VerifierKey>,
    /// How many must co-sign, if the list says.
    pub required: Option<usize>,
}

impl WitnessList {
    /// Parses a witness list; every key must be a cosignature key and the
    /// list must satisfy [`require_witnesses`]' policy.
    pub fn parse(text: &str) -> Result<WitnessList, CheckpointError> {
        let mut list = WitnessList {
            witnesses: Vec::new(),
            required: None,
        };
        for (number, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |reason: &str| CheckpointError::InvalidWitnessPolicy {
                reason: format!("line {}: {reason}: `{line}`", number + 1),
            };
            if let Some(count) = line.strip_prefix("require ") {
                let count: usize = count
                    .trim()
                    .parse()
                    .map_err(|_| bad("expected `require M`"))?;
                if list.required.replace(count).is_some() {
                    return Err(bad("a second `require` line"));
                }
                continue;
            }
            let key = VerifierKey::parse(line)?;
            if key.kind != KeyKind::Cosignature {
                return Err(bad("not a witness (cosignature/v1, type 0x04) key"));
            }
            list.witnesses.push(key);
        }
        let threshold = list.required.unwrap_or(list.witnesses.len().max(1));
        check_witness_policy(&list.witnesses, threshold)?;
        Ok(list)
    }
}
