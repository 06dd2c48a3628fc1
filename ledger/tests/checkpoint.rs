//! Checkpoints, signed notes and witness cosignatures (`checkpoint`,
//! docs/checkpoint.md): the published test vectors of the reference Go
//! implementations, byte-exact round trips, one refusal per malformed
//! variant, cosignature thresholds and forks, and the worked example of
//! docs/checkpoint.md.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use xianjie_ledger::checkpoint::{
    cosign, require_witnesses, sign_ed25519, verify_note, Checkpoint, KeyKind, NoteSignature,
    SignedNote, VerifierKey, MAX_NOTE_BYTES, MAX_SIGNATURES,
};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::error::CheckpointError;
use xianjie_ledger::merkle;
use xianjie_ledger::Hash;

// ---------------------------------------------------------------------------
// golang.org/x/mod sumdb/note, note_test.go at commit
// fe2ec04f7c3c3aa6fad97631aafcff6e49e2d1db (TestNewVerifier, TestSign,
// TestOpen).

const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n";
const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/// Go's signer key format, `PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed)`,
/// read here only: Xianjie keeps secret keys in its own key files.
fn go_signer_key(skey: &str) -> (String, SecretKey) {
    let parts: Vec<&str> = skey.splitn(5, '+').collect();
    assert_eq!(&parts[..2], ["PRIVATE", "KEY"]);
    let bytes = BASE64.decode(parts[4]).unwrap();
    assert_eq!(bytes[0], 0x01);
    let seed: [u8; 32] = bytes[1..].try_into().unwrap();
    (parts[2].to_owned(), SecretKey::from_bytes(&seed))
}

fn vkey(text: &str) -> VerifierKey {
    VerifierKey::parse(text).unwrap()
}

fn names(verified: &[xianjie_ledger::checkpoint::Verified]) -> Vec<&str> {
    verified.iter().map(|v| v.name.as_str()).collect()
}

#[test]
fn go_vkeys_parse_and_print_back() {
    for text in [PETER_VKEY, ENOCH_VKEY] {
        let key = vkey(text);
        assert_eq!(key.kind, KeyKind::Ed25519);
        assert_eq!(key.to_string(), text);
    }
    assert_eq!(vkey(PETER_VKEY).key_id(), [0xc7, 0x4f, 0x20, 0xa3]);
}

#[test]
fn go_vkey_manglings_are_refused() {
    // TestNewVerifier: every proper substring, every byte plus one.
    let bytes = PETER_VKEY.as_bytes();
    for i in 0..=bytes.len() {
        for j in i + 1..=bytes.len() {
            if i != 0 || j != bytes.len() {
                let part = std::str::from_utf8(&bytes[i..j]).unwrap();
                assert!(VerifierKey::parse(part).is_err(), "{part:?}");
            }
        }
    }
    for i in 0..bytes.len() {
        let mut mangled = bytes.to_vec();
        mangled[i] += 1;
        let mangled = String::from_utf8(mangled).unwrap();
        assert!(VerifierKey::parse(&mangled).is_err(), "{mangled:?}");
    }
    // Wrong key length and unknown type, each with a matching key id.
    for bad in [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ] {
        assert!(matches!(
            VerifierKey::parse(bad),
            Err(CheckpointError::MalformedVerifierKey { .. })
        ));
    }
}

#[test]
fn go_signature_is_reproduced_byte_for_byte() {
    let (name, key) = go_signer_key(PETER_SKEY);
    assert_eq!(
        VerifierKey::new(&name, KeyKind::Ed25519, key.public_key())
            .unwrap()
            .to_string(),
        PETER_VKEY
    );
    let signature = sign_ed25519(GO_TEXT, &name, &key).unwrap();
    assert_eq!(signature.to_line(), PETER_SIG);
    let note = SignedNote {
        text: GO_TEXT.to_owned(),
        signatures: vec![signature],
    };
    assert_eq!(note.to_text(), format!("{GO_TEXT}\n{PETER_SIG}"));
}

#[test]
fn go_note_opens_with_one_two_or_no_known_keys() {
    let text = format!("{GO_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let note = SignedNote::parse(&text).unwrap();
    assert_eq!(note.text, GO_TEXT);
    assert_eq!(note.to_text(), text);
    let peter_only = verify_note(&note, &[vkey(PETER_VKEY)]).unwrap();
    assert_eq!(names(&peter_only), ["PeterNeumann"]);
    assert_eq!(peter_only[0].time_unix_s, None);
    let both = verify_note(&note, &[vkey(ENOCH_VKEY), vkey(PETER_VKEY)]).unwrap();
    assert_eq!(names(&both), ["PeterNeumann", "EnochRoot"]);
    assert_eq!(both[0].key_index, 1);
    assert_eq!(
        verify_note(&note, &[]),
        Err(CheckpointError::NoKnownSignature { ignored: 2 })
    );
}

#[test]
fn go_key_listed_twice_is_ambiguous() {
    let note = SignedNote::parse(&format!("{GO_TEXT}\n{ENOCH_SIG}")).unwrap();
    let enoch = vkey(ENOCH_VKEY);
    assert!(matches!(
        verify_note(&note, &[enoch.clone(), vkey(PETER_VKEY), enoch]),
        Err(CheckpointError::AmbiguousKey { .. })
    ));
}

#[test]
fn go_tampered_and_repeated_signatures() {
    let peter = [vkey(PETER_VKEY)];
    let tampered = format!("{GO_TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    let note = SignedNote::parse(&tampered).unwrap();
    assert!(matches!(
        verify_note(&note, &peter),
        Err(CheckpointError::BadSignature { .. })
    ));
    // Go drops a repeated signature of a known key; this module refuses it
    // (docs/checkpoint.md, "Verifying"). Unknown keys' lines are ignored,
    // repeated or tampered.
    let twice = SignedNote::parse(&format!("{GO_TEXT}\n{PETER_SIG}{PETER_SIG}")).unwrap();
    assert_eq!(
        verify_note(&twice, &peter),
        Err(CheckpointError::DuplicateSignature {
            name: "PeterNeumann".into(),
            key_id: "c74f20a3".into()
        })
    );
    let enoch_tampered = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
    let noisy = format!("{GO_TEXT}\n{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{enoch_tampered}");
    let verified = verify_note(&SignedNote::parse(&noisy).unwrap(), &peter).unwrap();
    assert_eq!(names(&verified), ["PeterNeumann"]);
}

/// Whether an error is the one a case expects.
type ErrorCheck = fn(&CheckpointError) -> bool;

#[test]
fn go_malformed_notes_are_refused() {
    let too_many = format!("{GO_TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES + 1));
    assert!(too_many.len() <= MAX_NOTE_BYTES);
    assert_eq!(
        SignedNote::parse(&too_many),
        Err(CheckpointError::TooManySignatures {
            count: MAX_SIGNATURES + 1,
            max: MAX_SIGNATURES
        })
    );
    let at_limit = format!("{GO_TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES));
    assert_eq!(
        SignedNote::parse(&at_limit).unwrap().signatures.len(),
        MAX_SIGNATURES
    );
    // Go's "\xff" case is not UTF-8, which a &str cannot hold.
    let cases: [(String, ErrorCheck); 6] = [
        (GO_TEXT.to_owned(), |e| {
            *e == CheckpointError::NoSignatureBlock
        }),
        (format!("{GO_TEXT}\n"), |e| {
            *e == CheckpointError::NoSignatureBlock
        }),
        (
            format!("{GO_TEXT}\n{}", PETER_SIG.trim_end_matches('\n')),
            |e| *e == CheckpointError::NoSignatureBlock,
        ),
        (format!("\x01{GO_TEXT}\n{PETER_SIG}"), |e| {
            *e == CheckpointError::ControlCharacter { code: 1, offset: 0 }
        }),
        (
            format!("{GO_TEXT}\n— Bad Name {}", &PETER_SIG[17..]),
            |e| matches!(e, CheckpointError::MalformedSignatureLine { .. }),
        ),
        (format!("{GO_TEXT}\n{PETER_SIG}Unexpected line.\n"), |e| {
            matches!(e, CheckpointError::NotASignatureLine { .. })
        }),
    ];
    for (text, expected) in cases {
        let error = SignedNote::parse(&text).unwrap_err();
        assert!(expected(&error), "{text:?}: {error}");
    }
}

// ---------------------------------------------------------------------------
// c2sp.org/signed-note (github.com/C2SP/C2SP signed-note.md at commit
// 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9), "Example".

#[test]
fn c2sp_signed_note_example_verifies() {
    let key = vkey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
    let text = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    let note = SignedNote::parse(text).unwrap();
    assert_eq!(note.to_text(), text);
    assert_eq!(
        names(&verify_note(&note, &[key]).unwrap()),
        ["example.com/foo"]
    );
}

// ---------------------------------------------------------------------------
// cosignature/v1. Neither c2sp.org/tlog-cosignature nor
// github.com/transparency-dev/formats (note/note_cosigv1_test.go at commit
// 0b850f1a7b4a5b70deeacac6535e4b8023809d21) publishes a cosignature with its
// key; these check what they do publish: type-0x04 and type-0x01 vkeys (so
// the key id with its type byte) and the layout of a cosignature's bytes.

#[test]
fn transparency_dev_cosignature_vkeys_have_our_key_ids() {
    let remora = vkey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
    assert_eq!(remora.kind, KeyKind::Cosignature);
    assert_eq!(remora.key_id(), [0xda, 0x77, 0xad, 0xe7]);
    let test = vkey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6");
    assert_eq!(test.kind, KeyKind::Ed25519);
    // One key, two types, two ids (VKeyToCosignatureV1 in note_cosigv1.go).
    let as_witness = VerifierKey::new("TEST", KeyKind::Cosignature, test.public_key).unwrap();
    assert_ne!(as_witness.key_id(), test.key_id());
    assert_eq!(
        VerifierKey::parse(&as_witness.to_string()).unwrap(),
        as_witness
    );
}

#[test]
fn published_cosignatures_carry_their_time_in_the_spec_layout() {
    // (signature bytes after "— <name> ", expected time): the example of
    // c2sp.org/tlog-cosignature, whose signed message shows
    // "time 1679315147", and TestCoSigV1Timestamp of note_cosigv1_test.go.
    for (encoded, time) in [
        ("jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==", 1679315147u64),
        ("ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==", 1727964367),
    ] {
        let line = format!("— witness.example.com/w1 {encoded}\n");
        let note = SignedNote::parse(&format!("a\nb\nc\n\n{line}")).unwrap();
        let signature = &note.signatures[0];
        assert_eq!(signature.to_line(), line);
        assert_eq!(signature.payload.len(), 8 + 64);
        assert_eq!(u64::from_be_bytes(signature.payload[..8].try_into().unwrap()), time);
    }
}

// ---------------------------------------------------------------------------
// Checkpoint bodies.

fn checkpoint(size: u64, root_byte: u8) -> Checkpoint {
    Checkpoint {
        origin: Checkpoint::origin_for("xianjie-test", &Hash([0x11; 32])),
        size,
        root: Hash([root_byte; 32]),
        block_height: size + 1,
        block_hash: Hash([0x22; 32]),
        time_ms: 1_796_630_400_000,
    }
}

#[test]
fn body_round_trips_byte_for_byte() {
    for size in [0, 1, 9, 10, u64::MAX - 1] {
        let checkpoint = checkpoint(size, 0xab);
        let body = checkpoint.to_body();
        assert_eq!(Checkpoint::parse_body(&body).unwrap(), checkpoint);
        assert_eq!(Checkpoint::parse_body(&body).unwrap().to_body(), body);
    }
    let zero_time = Checkpoint {
        time_ms: 0,
        ..checkpoint(3, 0)
    };
    assert_eq!(
        Checkpoint::parse_body(&zero_time.to_body()).unwrap(),
        zero_time
    );
}

/// `body` with the `index`th line (from 0) replaced.
fn with_line(body: &str, index: usize, line: &str) -> String {
    let mut lines: Vec<&str> = body.lines().collect();
    lines[index] = line;
    lines.join("\n") + "\n"
}

#[test]
fn malformed_bodies_are_refused_each_with_its_own_error() {
    let body = checkpoint(41, 0xab).to_body();
    let lines: Vec<&str> = body.lines().collect();
    let hash = "22".repeat(32);
    assert!(
        lines[2].ends_with("s="),
        "the stray bits case needs this root"
    );
    let stray_bits = lines[2].replace("s=", "t=");
    let non_canonical = |field: &'static str, text: &str| CheckpointError::NonCanonicalNumber {
        field,
        text: text.into(),
    };
    let cases: Vec<(String, CheckpointError)> = vec![
        (
            lines[..4].join("\n") + "\n",
            CheckpointError::MissingLine { field: "time" },
        ),
        (
            String::new(),
            CheckpointError::MissingLine { field: "origin" },
        ),
        (
            format!("{body}extra\n"),
            CheckpointError::ExtraLine {
                line: "extra".into(),
            },
        ),
        (
            format!("{body}\n"),
            CheckpointError::ExtraLine {
                line: String::new(),
            },
        ),
        (
            body.trim_end_matches('\n').to_owned(),
            CheckpointError::MalformedLine {
                field: "time",
                line: lines[4].into(),
                expected: "a line ending in a newline",
            },
        ),
        (
            with_line(&body, 1, "041"),
            non_canonical("tree size", "041"),
        ),
        (
            with_line(&body, 1, "+41"),
            non_canonical("tree size", "+41"),
        ),
        (
            with_line(&body, 3, &format!("block 042 {hash}")),
            non_canonical("block height", "042"),
        ),
        (
            with_line(&body, 4, "time 01796630400000"),
            non_canonical("time", "01796630400000"),
        ),
        (
            with_line(&body, 3, &format!("block 42 {}", "AB".repeat(32))),
            CheckpointError::InvalidHex {
                field: "block hash",
                text: "AB".repeat(32),
            },
        ),
        (
            with_line(
                &body,
                0,
                &format!("xianjie/xianjie-test/{}", "AB".repeat(32)),
            ),
            CheckpointError::InvalidHex {
                field: "genesis hash",
                text: "AB".repeat(32),
            },
        ),
        (
            with_line(&body, 2, lines[2].trim_end_matches('=')),
            CheckpointError::InvalidBase64 {
                text: lines[2].trim_end_matches('=').into(),
            },
        ),
        (
            // Same bytes, but the last character's unused bits set.
            with_line(&body, 2, &stray_bits),
            CheckpointError::InvalidBase64 {
                text: stray_bits.clone(),
            },
        ),
        (
            with_line(&body, 2, &BASE64.encode([0xab; 31])),
            CheckpointError::InvalidBase64 {
                text: BASE64.encode([0xab; 31]),
            },
        ),
        (
            with_line(&body, 3, &format!("block 41 {hash}")),
            CheckpointError::BlockHeightMismatch {
                size: 41,
                block_height: 41,
            },
        ),
        (
            with_line(&body, 3, &format!("blocks 42 {hash}")),
            CheckpointError::MalformedLine {
                field: "block",
                line: format!("blocks 42 {hash}"),
                expected: "block <height> <header hash>",
            },
        ),
        (
            with_line(&body, 4, "timestamp 1"),
            CheckpointError::MalformedLine {
                field: "time",
                line: "timestamp 1".into(),
                expected: "time <milliseconds since the Unix epoch>",
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(Checkpoint::parse_body(&text), Err(expected), "{text:?}");
    }
    // The size whose block height would overflow.
    let max = with_line(
        &with_line(&body, 1, &u64::MAX.to_string()),
        3,
        &format!("block {} {hash}", u64::MAX),
    );
    assert!(matches!(
        Checkpoint::parse_body(&max),
        Err(CheckpointError::BlockHeightMismatch { .. })
    ));
    for origin in [
        "xianjie//".to_owned() + &"11".repeat(32),
        "xianjie/a b/".to_owned() + &"11".repeat(32),
        "xianjie/a+b/".to_owned() + &"11".repeat(32),
        "other/xianjie-test/".to_owned() + &"11".repeat(32),
        "xianjie/xianjie-test".to_owned(),
    ] {
        assert!(
            matches!(
                Checkpoint::parse_body(&with_line(&body, 0, &origin)),
                Err(CheckpointError::MalformedLine {
                    field: "origin",
                    ..
                })
            ),
            "{origin}"
        );
    }
}

#[test]
fn oversize_note_and_line_without_em_dash_are_refused() {
    let body = checkpoint(1, 1).to_body();
    let huge = format!("{body}{}\n\n{PETER_SIG}", "x".repeat(MAX_NOTE_BYTES));
    assert!(matches!(
        SignedNote::parse(&huge),
        Err(CheckpointError::NoteTooLarge { .. })
    ));
    for dash in ["- ", "– ", "—"] {
        let line = PETER_SIG.replacen("— ", dash, 1);
        assert!(matches!(
            SignedNote::parse(&format!("{body}\n{line}")),
            Err(CheckpointError::NotASignatureLine { .. })
        ));
    }
    assert!(matches!(
        sign_ed25519("no newline", "a", &SecretKey::from_bytes(&[1; 32])),
        Err(CheckpointError::InvalidNoteText { .. })
    ));
    assert!(matches!(
        sign_ed25519(&body, "a b", &SecretKey::from_bytes(&[1; 32])),
        Err(CheckpointError::InvalidKeyName { .. })
    ));
}

// ---------------------------------------------------------------------------
// Cosignatures and witness thresholds.

struct Witness {
    name: &'static str,
    key: SecretKey,
}

impl Witness {
    fn new(name: &'static str, seed: u8) -> Witness {
        Witness {
            name,
            key: SecretKey::from_bytes(&[seed; 32]),
        }
    }

    fn vkey(&self) -> VerifierKey {
        VerifierKey::new(self.name, KeyKind::Cosignature, self.key.public_key()).unwrap()
    }

    fn cosign(&self, checkpoint: &Checkpoint, time: u64) -> NoteSignature {
        cosign(checkpoint, self.name, &self.key, time).unwrap()
    }
}

fn witnesses() -> [Witness; 3] {
    [
        Witness::new("witness.example.org/a", 0xa1),
        Witness::new("witness.example.org/b", 0xb2),
        Witness::new("witness.example.org/c", 0xc3),
    ]
}

fn cosigned(checkpoint: &Checkpoint, signatures: Vec<NoteSignature>) -> SignedNote {
    SignedNote {
        text: checkpoint.to_body(),
        signatures,
    }
}

#[test]
fn cosignature_verifies_with_its_time_and_round_trips() {
    let [a, ..] = witnesses();
    let checkpoint = checkpoint(7, 3);
    let note = cosigned(&checkpoint, vec![a.cosign(&checkpoint, 1_796_630_405)]);
    let text = note.to_text();
    assert_eq!(SignedNote::parse(&text).unwrap(), note);
    let verified = verify_note(&note, &[a.vkey()]).unwrap();
    assert_eq!(verified[0].kind, KeyKind::Cosignature);
    assert_eq!(verified[0].time_unix_s, Some(1_796_630_405));
    // A cosignature key does not verify plain note signatures, nor the reverse.
    let plain = VerifierKey::new(a.name, KeyKind::Ed25519, a.key.public_key()).unwrap();
    assert!(matches!(
        verify_note(&note, &[plain]),
        Err(CheckpointError::NoKnownSignature { ignored: 1 })
    ));
}

#[test]
fn every_flipped_byte_of_body_or_signature_fails() {
    let [a, ..] = witnesses();
    let checkpoint = checkpoint(7, 3);
    let note = cosigned(&checkpoint, vec![a.cosign(&checkpoint, 1_796_630_405)]);
    let keys = [a.vkey()];
    for i in 0..note.text.len() {
        let mut text = note.text.clone().into_bytes();
        text[i] ^= 0x01;
        let tampered = SignedNote {
            text: String::from_utf8(text).unwrap(),
            ..note.clone()
        };
        assert!(verify_note(&tampered, &keys).is_err(), "text byte {i}");
    }
    let signature = &note.signatures[0];
    for i in 0..4 + signature.payload.len() {
        let mut tampered = note.clone();
        match i {
            0..=3 => tampered.signatures[0].key_id[i] ^= 0x01,
            _ => tampered.signatures[0].payload[i - 4] ^= 0x01,
        }
        assert!(verify_note(&tampered, &keys).is_err(), "signature byte {i}");
    }
}

#[test]
fn cosignature_time_is_bounded_by_the_spec() {
    let [a, ..] = witnesses();
    let checkpoint = checkpoint(7, 3);
    assert!(a
        .cosign(&checkpoint, i64::MAX as u64)
        .payload
        .starts_with(&[0x7f]));
    assert_eq!(
        cosign(&checkpoint, a.name, &a.key, 1 << 63),
        Err(CheckpointError::TimeOutOfRange { time: 1 << 63 })
    );
    let invalid = Checkpoint {
        block_height: 7,
        ..checkpoint
    };
    assert!(matches!(
        cosign(&invalid, a.name, &a.key, 1),
        Err(CheckpointError::BlockHeightMismatch { .. })
    ));
}

#[test]
fn a_cosignature_of_one_witness_does_not_count_for_another() {
    let [a, b, _] = witnesses();
    let checkpoint = checkpoint(7, 3);
    let by_a = a.cosign(&checkpoint, 1_796_630_405);
    let note = cosigned(&checkpoint, vec![by_a.clone()]);
    assert_eq!(
        require_witnesses(&note, &[b.vkey()], 1),
        Err(CheckpointError::TooFewWitnesses {
            verified: vec![],
            threshold: 1,
            listed: 1
        })
    );
    // A's signature under B's name and key id.
    let relabelled = NoteSignature {
        name: b.name.into(),
        key_id: b.vkey().key_id(),
        ..by_a
    };
    assert!(matches!(
        verify_note(&cosigned(&checkpoint, vec![relabelled]), &[b.vkey()]),
        Err(CheckpointError::BadSignature { .. })
    ));
}

#[test]
fn threshold_counts_distinct_witnesses() {
    let [a, b, c] = witnesses();
    let listed = [a.vkey(), b.vkey(), c.vkey()];
    let checkpoint = checkpoint(7, 3);
    let stranger = Witness::new("witness.example.org/stranger", 0xd4);
    let note = cosigned(
        &checkpoint,
        vec![
            stranger.cosign(&checkpoint, 1),
            a.cosign(&checkpoint, 2),
            c.cosign(&checkpoint, 3),
        ],
    );
    let two = require_witnesses(&note, &listed, 2).unwrap();
    assert_eq!(names(&two), [a.name, c.name]);
    let error = require_witnesses(&note, &listed, 3).unwrap_err();
    assert_eq!(
        error,
        CheckpointError::TooFewWitnesses {
            verified: vec![a.name.into(), c.name.into()],
            threshold: 3,
            listed: 3
        }
    );
    assert_eq!(
        error.to_string(),
        "2 of the required 3 witnesses co-signed (of 3 listed): witness.example.org/a, witness.example.org/c"
    );
    // A witness signing twice (even at two times) is refused, not counted twice.
    let mut twice = note.clone();
    twice.signatures.push(a.cosign(&checkpoint, 4));
    assert!(matches!(
        require_witnesses(&twice, &listed, 2),
        Err(CheckpointError::DuplicateSignature { .. })
    ));
}

#[test]
fn unusable_witness_policies_are_refused() {
    let [a, b, _] = witnesses();
    let checkpoint = checkpoint(7, 3);
    let note = cosigned(&checkpoint, vec![a.cosign(&checkpoint, 2)]);
    let same_key_other_name = VerifierKey::new(
        "witness.example.org/a-again",
        KeyKind::Cosignature,
        a.key.public_key(),
    )
    .unwrap();
    let plain = VerifierKey::new(b.name, KeyKind::Ed25519, b.key.public_key()).unwrap();
    for (listed, threshold) in [
        (vec![a.vkey()], 0),
        (vec![a.vkey()], 2),
        (vec![a.vkey(), same_key_other_name], 2),
        (vec![a.vkey(), plain], 1),
    ] {
        assert!(matches!(
            require_witnesses(&note, &listed, threshold),
            Err(CheckpointError::InvalidWitnessPolicy { .. })
        ));
    }
}

#[test]
fn forks_are_cosignable_but_conflict() {
    let [a, ..] = witnesses();
    let left = checkpoint(7, 3);
    let right = checkpoint(7, 4);
    for side in [&left, &right] {
        let note = cosigned(side, vec![a.cosign(side, 5)]);
        assert!(verify_note(&note, &[a.vkey()]).is_ok());
    }
    assert!(left.conflicts_with(&right) && right.conflicts_with(&left));
    let other_header = Checkpoint {
        block_hash: Hash([0x33; 32]),
        ..left.clone()
    };
    assert!(left.conflicts_with(&other_header));
    assert!(!left.conflicts_with(&left.clone()));
    assert!(!left.conflicts_with(&checkpoint(8, 4)));
    let other_chain = Checkpoint {
        origin: Checkpoint::origin_for("xianjie-other", &Hash([0x11; 32])),
        ..right
    };
    assert!(!left.conflicts_with(&other_chain));
}

// ---------------------------------------------------------------------------
// docs/checkpoint.md, "Worked example".

const DOC: &str = include_str!("../../docs/checkpoint.md");

mod doc_sections;

/// The fenced block between `<!-- NAME:begin -->` and `<!-- NAME:end -->`,
/// without its fences.
fn doc_block(name: &str) -> String {
    doc_sections::fenced(doc_sections::between(DOC, name)).to_owned()
}

/// The example's checkpoint: three header hashes 01…01, 02…02, 03…03 under
/// the history root, committed by header 04…04 at height 4.
fn doc_checkpoint() -> Checkpoint {
    let headers = [Hash([0x01; 32]), Hash([0x02; 32]), Hash([0x03; 32])];
    Checkpoint {
        origin: Checkpoint::origin_for("xianjie-demo", &Hash([0x47; 32])),
        size: 3,
        root: merkle::root(&headers),
        block_height: 4,
        block_hash: Hash([0x04; 32]),
        time_ms: 1_796_630_400_000,
    }
}

fn doc_witnesses() -> [Witness; 2] {
    [
        Witness::new("witness.court.example/w1", 0x01),
        Witness::new("witness.agency.example/w2", 0x02),
    ]
}

#[test]
fn worked_example_matches_the_document() {
    let checkpoint = doc_checkpoint();
    assert_eq!(doc_block("example-body"), checkpoint.to_body());
    let [w1, w2] = doc_witnesses();
    assert_eq!(
        doc_block("example-vkeys"),
        format!("{}\n{}\n", w1.vkey(), w2.vkey())
    );
    let note = cosigned(
        &checkpoint,
        vec![
            w1.cosign(&checkpoint, 1_796_630_405),
            w2.cosign(&checkpoint, 1_796_630_407),
        ],
    );
    assert_eq!(doc_block("example-note"), note.to_text());
    assert_eq!(
        doc_block("example-cosigned-message"),
        format!("cosignature/v1\ntime 1796630405\n{}", checkpoint.to_body())
    );
    let parsed = SignedNote::parse(&doc_block("example-note")).unwrap();
    let verified = require_witnesses(&parsed, &[w1.vkey(), w2.vkey()], 2).unwrap();
    assert_eq!(verified[1].time_unix_s, Some(1_796_630_407));
}

#[test]
fn a_witness_list_names_cosignature_keys_and_its_threshold() {
    use xianjie_ledger::checkpoint::{KeyKind, VerifierKey, WitnessList};
    use xianjie_ledger::crypto::SecretKey;
    let key = |seed: u8, name: &str, kind| {
        VerifierKey::new(name, kind, SecretKey::from_bytes(&[seed; 32]).public_key())
            .unwrap()
            .to_string()
    };
    let a = key(1, "court.example/w1", KeyKind::Cosignature);
    let b = key(2, "procuratorate.example/w1", KeyKind::Cosignature);
    let text = format!("# witnesses of the Hangzhou network\n{a}\n\n{b}  # second\nrequire 2\n");
    let list = WitnessList::parse(&text).unwrap();
    assert_eq!(list.witnesses.len(), 2);
    assert_eq!(list.required, Some(2));
    assert_eq!(
        WitnessList::parse(&format!("{a}\n")).unwrap().required,
        None
    );
    for bad in [
        format!("{a}\nrequire 3\n"),
        format!("{a}\nrequire 0\n"),
        format!("{a}\nrequire two\n"),
        format!("{a}\nrequire 1\nrequire 1\n"),
        format!("{a}\n{}\n", key(3, "plain.example", KeyKind::Ed25519)),
        format!(
            "{a}\n{}\n",
            key(1, "court.example/w2", KeyKind::Cosignature)
        ),
        "require 1\n".to_owned(),
        "not a key\n".to_owned(),
    ] {
        assert!(WitnessList::parse(&bad).is_err(), "{bad}");
    }
}
