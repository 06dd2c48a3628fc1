//! RFC 3161 tokens from `openssl ts -reply`, verified by this crate.
//!
//! Each test builds its own CA and TSA with the OpenSSL command line in a
//! temporary directory. OpenSSL is required: without it the tests fail.

mod support;

use std::fs;

use sha2::{Digest, Sha256};
use support::{
    hex_after, now_ms, openssl, openssl_may_fail, request_for, Eku, KeyKind, Pki, TsSettings,
};
use xianjie_timestamp::{
    parse_response, Error, TimestampToken, TrustedCertificate, VerifiedTimestamp,
};

/// How far genTime may be from the test's clock: openssl runs just now.
const CLOCK_SLACK_MS: u64 = 5 * 60 * 1000;

fn assert_recent(v: &VerifiedTimestamp) {
    let now = now_ms();
    assert!(
        v.gen_time_unix_ms.abs_diff(now) < CLOCK_SLACK_MS,
        "genTime {} ms is not close to now {} ms",
        v.gen_time_unix_ms,
        now
    );
}

/// One PKI with a TSA named "tsa" of `kind`, and a token it issued.
struct Issued {
    pki: Pki,
    digest: [u8; 32],
    nonce: u64,
    response: Vec<u8>,
    token: TimestampToken,
}

fn issue(ca_kind: KeyKind, kind: KeyKind, settings: &TsSettings) -> Issued {
    let pki = Pki::new(ca_kind, "Xianjie Test CA");
    pki.issue_tsa("tsa", kind, Eku::CriticalTimeStamping, 4242);
    let nonce = 0x8765_4321_0fed_cba9;
    let (digest, request) = request_for(&pki, b"checkpoint 17 of chain xianjie-dev", nonce);
    let response = pki.reply("tsa", settings, &request.to_der());
    let token = parse_response(&response).expect("openssl's response parses");
    Issued {
        pki,
        digest,
        nonce,
        response,
        token,
    }
}

/// Checks everything a round trip must show, and returns the verified result.
fn check_round_trip(issued: &Issued) -> VerifiedTimestamp {
    let Issued {
        pki, digest, nonce, ..
    } = issued;
    let tsa = pki.trusted("tsa.crt");
    let direct = issued
        .token
        .verify(digest, Some(*nonce), std::slice::from_ref(&tsa))
        .expect("token verifies under the TSA certificate");
    assert_recent(&direct);
    assert_eq!(direct.policy_oid, "1.2.3.4.1");
    assert_eq!(direct.accuracy_ms, Some(1501));
    assert_eq!(
        direct.tsa_certificate_sha256,
        <[u8; 32]>::from(Sha256::digest(pki.cert_der("tsa.crt")))
    );
    assert_eq!(direct.tsa_certificate_sha256, tsa.sha256());

    // One level of chain: only the CA is trusted, the TSA certificate comes
    // from the token itself (certReq was TRUE).
    let via_ca = issued
        .token
        .verify(digest, Some(*nonce), &[pki.trusted("ca.crt")])
        .expect("token verifies under the issuing CA");
    assert_eq!(via_ca, direct);

    // Without a nonce to compare, the same answer.
    assert_eq!(issued.token.verify(digest, None, &[tsa]).unwrap(), direct);
    check_against_openssl_text(issued, &direct);
    check_openssl_verifies(issued);
    check_token_is_verbatim(issued);
    direct
}

/// The serial and nonce openssl prints for the response are the ones we read.
fn check_against_openssl_text(issued: &Issued, v: &VerifiedTimestamp) {
    let response = issued.pki.path("tsa.tsr");
    let text = openssl(&["ts", "-reply", "-in", &response, "-text"]).stdout;
    let text = String::from_utf8_lossy(&text);
    assert!(text.contains("Status: Granted."), "{text}");
    assert_eq!(
        hex_after(&text, "Serial number:"),
        v.serial_number,
        "{text}"
    );
    assert_eq!(
        hex_after(&text, "Nonce:"),
        issued.nonce.to_be_bytes(),
        "{text}"
    );
}

/// OpenSSL's own verifier accepts the same response for the same request.
fn check_openssl_verifies(issued: &Issued) {
    let pki = &issued.pki;
    let out = openssl(&[
        "ts",
        "-verify",
        "-in",
        &pki.path("tsa.tsr"),
        "-queryfile",
        &pki.path("tsa.tsq"),
        "-CAfile",
        &pki.path("ca.crt"),
        "-untrusted",
        &pki.path("tsa.crt"),
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("Verification: OK"), "{said}");
}

/// The token kept is the one openssl extracts, byte for byte, and a stored
/// copy verifies the same.
fn check_token_is_verbatim(issued: &Issued) {
    let pki = &issued.pki;
    let token_file = pki.path("token.der");
    openssl(&[
        "ts",
        "-reply",
        "-in",
        &pki.path("tsa.tsr"),
        "-token_out",
        "-out",
        &token_file,
    ]);
    let openssl_token = fs::read(&token_file).unwrap();
    assert_eq!(issued.token.as_der(), openssl_token.as_slice());
    let stored = TimestampToken::from_der(&openssl_token).unwrap();
    assert_eq!(stored, issued.token);
    assert!(!issued.response.is_empty());
}

#[test]
fn rsa_tsa_round_trip_with_each_signer_digest() {
    for signer_digest in ["sha256", "sha384", "sha512"] {
        let settings = TsSettings {
            signer_digest,
            ..TsSettings::default()
        };
        let issued = issue(KeyKind::Rsa, KeyKind::Rsa, &settings);
        check_round_trip(&issued);
    }
}

#[test]
fn ec_p256_tsa_round_trip_with_milliseconds() {
    let settings = TsSettings {
        clock_precision_digits: 3,
        ..TsSettings::default()
    };
    let issued = issue(KeyKind::P256, KeyKind::P256, &settings);
    let v = check_round_trip(&issued);
    // openssl writes genTime with three decimals; print it to compare.
    let text = openssl(&["ts", "-reply", "-in", &issued.pki.path("tsa.tsr"), "-text"]).stdout;
    let text = String::from_utf8_lossy(&text);
    let line = text
        .lines()
        .find(|l| l.starts_with("Time stamp:"))
        .expect("openssl prints the time stamp");
    // openssl prints the fraction without trailing zeros, as DER writes it.
    let millis = format!("{:03}", v.gen_time_unix_ms % 1000);
    let fraction = millis.trim_end_matches('0');
    if fraction.is_empty() {
        assert!(!line.contains('.'), "{line} vs whole second");
    } else {
        assert!(
            line.contains(&format!(".{fraction} ")),
            "{line} vs .{fraction}"
        );
    }
}

#[test]
fn signing_certificate_v1_with_sha1_is_accepted() {
    let settings = TsSettings {
        ess_cert_id_alg: "sha1",
        ..TsSettings::default()
    };
    let issued = issue(KeyKind::Rsa, KeyKind::Rsa, &settings);
    check_round_trip(&issued);
}

#[test]
fn a_token_for_another_digest_or_nonce_is_refused() {
    let issued = issue(KeyKind::Rsa, KeyKind::P256, &TsSettings::default());
    let trusted = [issued.pki.trusted("tsa.crt")];
    let mut other = issued.digest;
    other[31] ^= 1;
    let err = issued.token.verify(&other, None, &trusted).unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
    let err = issued
        .token
        .verify(&issued.digest, Some(issued.nonce + 1), &trusted)
        .unwrap_err();
    assert!(matches!(err, Error::NonceMismatch { .. }), "{err}");
}

/// Where `needle` lies in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> std::ops::Range<usize> {
    let at = haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("certificate embedded in the token");
    at..at + needle.len()
}

/// Flips every byte of the token in turn (two ways) and verifies each copy
/// under `trusted`: a copy is refused, or it verifies to exactly the original
/// result — never to another time, serial or digest. Returns the positions
/// whose flips were accepted.
fn accepted_flips(issued: &Issued, trusted: &[TrustedCertificate]) -> Vec<usize> {
    let original = issued
        .token
        .verify(&issued.digest, Some(issued.nonce), trusted)
        .unwrap();
    let der = issued.token.as_der();
    let mut accepted = Vec::new();
    for at in 0..der.len() {
        for mask in [0x01u8, 0x80] {
            let mut bytes = der.to_vec();
            bytes[at] ^= mask;
            let result = TimestampToken::from_der(&bytes)
                .and_then(|t| t.verify(&issued.digest, Some(issued.nonce), trusted));
            if let Ok(v) = result {
                assert_eq!(
                    v, original,
                    "flip {mask:#04x} at byte {at} changed the result"
                );
                accepted.push(at);
            }
        }
    }
    accepted
}

#[test]
fn every_single_byte_flip_is_refused_or_changes_nothing() {
    for kind in [KeyKind::Rsa, KeyKind::P256] {
        let issued = issue(KeyKind::Rsa, kind, &TsSettings::default());
        let der = issued.token.as_der();
        // openssl embeds the TSA certificate (certReq) and the CA (`certs`).
        let tsa_cert = find(der, &issued.pki.cert_der("tsa.crt"));
        let ca_cert = find(der, &issued.pki.cert_der("ca.crt"));

        // Trusting the TSA certificate itself, the embedded copies are not
        // used: flips inside them may pass, with the same result. Any other
        // flip — TSTInfo, signed attributes, signature, signer — is refused.
        let accepted = accepted_flips(&issued, &[issued.pki.trusted("tsa.crt")]);
        let outside: Vec<_> = accepted
            .iter()
            .filter(|at| !tsa_cert.contains(at) && !ca_cert.contains(at))
            .collect();
        assert!(
            outside.is_empty(),
            "{kind:?}: flips accepted at {outside:?}"
        );

        // Trusting only the CA, the TSA certificate is the token's own copy:
        // a flip inside it is refused as well.
        let accepted = accepted_flips(&issued, &[issued.pki.trusted("ca.crt")]);
        let outside: Vec<_> = accepted.iter().filter(|at| !ca_cert.contains(at)).collect();
        assert!(
            outside.is_empty(),
            "{kind:?}: flips accepted at {outside:?}"
        );
    }
}

#[test]
fn a_tsa_outside_the_trusted_list_is_refused() {
    let trusted_pki = Pki::new(KeyKind::Rsa, "Xianjie Test CA");
    trusted_pki.issue_tsa("tsa", KeyKind::Rsa, Eku::CriticalTimeStamping, 4242);
    let trusted_tsa = trusted_pki.trusted("tsa.crt");
    let trusted_ca = trusted_pki.trusted("ca.crt");

    // Another TSA under another CA with other names.
    let other = issue(KeyKind::Rsa, KeyKind::Rsa, &TsSettings::default());
    let other_pki_names = Pki::new(KeyKind::Rsa, "Some Other CA");
    other_pki_names.issue_tsa("other-tsa", KeyKind::Rsa, Eku::CriticalTimeStamping, 7);
    let (digest, request) = request_for(&other_pki_names, b"data", 1);
    let response = other_pki_names.reply("other-tsa", &TsSettings::default(), &request.to_der());
    let token = parse_response(&response).unwrap();
    for trusted in [&trusted_tsa, &trusted_ca] {
        let err = token
            .verify(&digest, Some(1), std::slice::from_ref(trusted))
            .unwrap_err();
        assert!(matches!(err, Error::UntrustedTsa { .. }), "{err}");
    }

    // An impostor: a CA and TSA with the very names and serial of the trusted
    // ones, but other keys.
    let err = other
        .token
        .verify(&other.digest, None, std::slice::from_ref(&trusted_ca))
        .unwrap_err();
    assert!(matches!(err, Error::CertificateSignature { .. }), "{err}");
    let err = other
        .token
        .verify(&other.digest, None, std::slice::from_ref(&trusted_tsa))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::SigningCertificateMismatch | Error::BadSignature { .. }
        ),
        "{err}"
    );
    // And the same token is fine under its own TSA certificate.
    other
        .token
        .verify(&other.digest, None, &[other.pki.trusted("tsa.crt")])
        .unwrap();
}

/// Signs the TSTInfo of a genuine token again with `openssl cms` (CAdES, so with
/// signing-certificate-v2) under TSA certificate `name`: this makes tokens
/// whose certificate `openssl ts -reply` itself would not sign with.
fn resign_with_cms(issued: &Issued, name: &str) -> TimestampToken {
    let pki = &issued.pki;
    let token_file = pki.path("genuine.der");
    fs::write(&token_file, issued.token.as_der()).unwrap();
    let tst_file = pki.path("tstinfo.der");
    openssl(&[
        "cms",
        "-verify",
        "-noverify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &token_file,
        "-out",
        &tst_file,
    ]);
    let out_file = pki.path(&format!("{name}-token.der"));
    openssl(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-cades",
        "-nosmimecap",
        "-md",
        "sha256",
        "-econtent_type",
        "1.2.840.113549.1.9.16.1.4",
        "-in",
        &tst_file,
        "-signer",
        &pki.path(&format!("{name}.crt")),
        "-inkey",
        &pki.path(&format!("{name}.key")),
        "-outform",
        "DER",
        "-out",
        &out_file,
    ]);
    TimestampToken::from_der(&fs::read(&out_file).unwrap()).unwrap()
}

#[test]
fn a_tsa_certificate_without_critical_time_stamping_usage_is_refused() {
    let issued = issue(KeyKind::Rsa, KeyKind::Rsa, &TsSettings::default());
    let pki = &issued.pki;
    pki.issue_tsa("no-eku", KeyKind::Rsa, Eku::Absent, 5);
    pki.issue_tsa("soft-eku", KeyKind::P256, Eku::NonCriticalTimeStamping, 6);

    // openssl ts itself refuses to sign with either certificate.
    for name in ["no-eku", "soft-eku"] {
        let cnf = pki.ts_config(name, &TsSettings::default());
        let out = openssl_may_fail(&[
            "ts",
            "-reply",
            "-config",
            &cnf,
            "-queryfile",
            &pki.path("tsa.tsq"),
            "-out",
            &pki.path("refused.tsr"),
        ]);
        assert!(!out.status.success(), "openssl ts signed with {name}");
    }

    // Control: the same construction under the proper TSA certificate verifies.
    let control = resign_with_cms(&issued, "tsa");
    let ca = [pki.trusted("ca.crt")];
    let v = control
        .verify(&issued.digest, Some(issued.nonce), &ca)
        .unwrap();
    assert_recent(&v);

    for name in ["no-eku", "soft-eku"] {
        let token = resign_with_cms(&issued, name);
        for trusted in [pki.trusted(&format!("{name}.crt")), pki.trusted("ca.crt")] {
            let err = token
                .verify(&issued.digest, Some(issued.nonce), &[trusted])
                .unwrap_err();
            assert!(
                matches!(err, Error::TimeStampingUsage { .. }),
                "{name}: {err}"
            );
        }
    }
}

#[test]
fn a_refusing_tsa_gives_its_status() {
    let pki = Pki::new(KeyKind::Rsa, "Xianjie Test CA");
    pki.issue_tsa("tsa", KeyKind::Rsa, Eku::CriticalTimeStamping, 1);
    let settings = TsSettings {
        digests: "sha384",
        ..TsSettings::default()
    };
    let (_, request) = request_for(&pki, b"data", 9);
    let response = pki.reply("tsa", &settings, &request.to_der());
    let err = parse_response(&response).unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err}");
    assert!(err.to_string().contains("rejection"), "{err}");
}

#[test]
fn openssl_reads_our_request() {
    let pki = Pki::new(KeyKind::Rsa, "Xianjie Test CA");
    let nonce = 0x0123_4567_89ab_cdef;
    let (digest, request) = request_for(&pki, b"what the ledger timestamps", nonce);
    let query = pki.path("ours.tsq");
    fs::write(&query, request.to_der()).unwrap();
    let out = openssl(&["ts", "-query", "-in", &query, "-text"]).stdout;
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("Version: 1"), "{text}");
    assert!(text.contains("Hash Algorithm: sha256"), "{text}");
    assert!(text.contains("Certificate required: yes"), "{text}");
    assert_eq!(hex_after(&text, "Nonce:"), nonce.to_be_bytes(), "{text}");
    assert_eq!(message_data(&text), digest, "{text}");
}

/// The bytes of openssl's `Message data:` hex dump.
fn message_data(text: &str) -> Vec<u8> {
    let dump = text
        .split("Message data:")
        .nth(1)
        .expect("openssl prints the message data");
    dump.lines()
        .skip(1)
        .take_while(|l| l.contains(" - "))
        .flat_map(|l| {
            let after = l.split_once(" - ").map(|(_, rest)| rest).unwrap_or("");
            let hex_part: String = after.chars().take(48).collect();
            hex_part
                .replace('-', " ")
                .split_whitespace()
                .map(|b| u8::from_str_radix(b, 16).expect("hex byte"))
                .collect::<Vec<_>>()
        })
        .collect()
}
