//! The time-stamp token (a CMS ContentInfo) and its offline verification.

use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::OctetString;
use der::{Decode, Encode, Tag, Tagged};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::cert::{self, TrustedCertificate};
use crate::digest::HashAlg;
use crate::ess::{self, EssAttributes};
use crate::request::nonce_bytes;
use crate::tstinfo::TstInfo;
use crate::{oids, signature, Error};

/// An RFC 3161 time-stamp token: the DER of its ContentInfo, byte for byte as
/// the TSA sent it. These bytes are what is stored on chain; verifying them
/// again later gives the same answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampToken {
    der: Vec<u8>,
}

/// What a verified token attests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTimestamp {
    /// genTime, milliseconds since 1970-01-01T00:00:00Z (finer digits dropped).
    pub gen_time_unix_ms: u64,
    /// The TSA's serial number of the token, big-endian, without sign byte.
    pub serial_number: Vec<u8>,
    /// The TSA policy under which the token was issued, dotted.
    pub policy_oid: String,
    /// The accuracy the TSA claims for genTime, in milliseconds, if it says.
    pub accuracy_ms: Option<u64>,
    /// SHA-256 of the DER of the TSA certificate that signed the token.
    pub tsa_certificate_sha256: [u8; 32],
}

impl VerifiedTimestamp {
    /// The serial number in lower-case hex, as `openssl ts -reply -text` shows
    /// it after `0x` (upper case there).
    pub fn serial_hex(&self) -> String {
        hex::encode(&self.serial_number)
    }
}

/// The parts of a token that verification works on, decoded once.
struct Parts {
    signed_data: SignedData,
    tst_bytes: Vec<u8>,
    tst: TstInfo,
}

impl TimestampToken {
    /// A token from stored DER bytes (a ContentInfo). Only the outer structure
    /// is checked here; [`verify`](Self::verify) checks the rest.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        ContentInfo::from_der(der).map_err(|e| Error::der("time-stamp token", e))?;
        Ok(TimestampToken { der: der.to_vec() })
    }

    /// The token's DER bytes, to store.
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// The token's DER bytes, to store.
    pub fn into_der(self) -> Vec<u8> {
        self.der
    }

    /// Checks only that the token is a well-formed time-stamp token over
    /// `expected_sha256`, not who signed it: what a ledger that records
    /// tokens can check without trusting any TSA. Reads no clock.
    pub fn check_imprint(&self, expected_sha256: &[u8; 32]) -> Result<(), Error> {
        let parts = decode_parts(&self.der)?;
        check_imprint(&parts.tst, expected_sha256)
    }

    /// Verifies the token offline: that it timestamps `expected_sha256` (and
    /// answers `expected_nonce`, when given), that it is signed by a TSA
    /// certificate in `trusted_tsa_certs` or issued by one of them, and what
    /// time it attests. Reads no clock; the checks and their order are in
    /// docs/timestamp.md.
    pub fn verify(
        &self,
        expected_sha256: &[u8; 32],
        expected_nonce: Option<u64>,
        trusted_tsa_certs: &[TrustedCertificate],
    ) -> Result<VerifiedTimestamp, Error> {
        let parts = decode_parts(&self.der)?;
        check_imprint(&parts.tst, expected_sha256)?;
        check_nonce(&parts.tst, expected_nonce)?;
        let signer = single_signer(&parts.signed_data)?;
        check_versions(&parts.signed_data, signer)?;
        let attrs = signed_attributes(signer)?;
        let hash = HashAlg::from_identifier(&signer.digest_alg)?;
        if hash == HashAlg::Sha1 {
            return Err(Error::UnsupportedDigest {
                found: signer.digest_alg.oid.to_string(),
            });
        }
        if hash.digest(&parts.tst_bytes) != attrs.message_digest.as_bytes() {
            return Err(Error::MessageDigestMismatch);
        }
        let embedded = embedded_certificates(&parts.signed_data);
        let (tsa, issuer) = trusted_signer(&signer.sid, &embedded, trusted_tsa_certs)?;
        cert::check_time_stamping_usage(&tsa)?;
        let gen_time = parts.tst.gen_time.unix_ms;
        cert::check_validity_at(&tsa, gen_time)?;
        if let Some(issuer) = &issuer {
            cert::check_validity_at(&issuer.cert, gen_time)?;
        }
        ess::check_signing_certificate(&attrs.ess, &tsa)?;
        check_signature(signer, hash, &tsa)?;
        finish(&parts.tst, &tsa)
    }
}

fn decode_parts(der: &[u8]) -> Result<Parts, Error> {
    let info = ContentInfo::from_der(der).map_err(|e| Error::der("time-stamp token", e))?;
    if info.content_type != oids::SIGNED_DATA {
        return Err(Error::NotSignedData {
            found: info.content_type.to_string(),
        });
    }
    let signed_data = info
        .content
        .decode_as::<SignedData>()
        .map_err(|e| Error::der("SignedData", e))?;
    let encap = &signed_data.encap_content_info;
    if encap.econtent_type != oids::TST_INFO {
        return Err(Error::NotTstInfo {
            found: encap.econtent_type.to_string(),
        });
    }
    let tst_bytes = match &encap.econtent {
        Some(any) if any.tag() == Tag::OctetString => any.value().to_vec(),
        _ => return Err(Error::MissingTstInfo),
    };
    let tst = TstInfo::from_der(&tst_bytes).map_err(|e| Error::der("TSTInfo", e))?;
    Ok(Parts {
        signed_data,
        tst_bytes,
        tst,
    })
}

fn check_imprint(tst: &TstInfo, expected: &[u8; 32]) -> Result<(), Error> {
    let imprint = &tst.message_imprint;
    let alg = &imprint.hash_algorithm;
    let params_ok = alg.parameters.as_ref().is_none_or(|p| p.is_null());
    if alg.oid != oids::SHA256 || !params_ok {
        return Err(Error::ImprintAlgorithm {
            found: alg.oid.to_string(),
        });
    }
    let found = imprint.hashed_message.as_bytes();
    if found != expected {
        return Err(Error::DigestMismatch {
            expected: hex::encode(expected),
            found: hex::encode(found),
        });
    }
    Ok(())
}

fn check_nonce(tst: &TstInfo, expected: Option<u64>) -> Result<(), Error> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let found = tst.nonce.as_ref().ok_or(Error::NonceMissing { expected })?;
    if found.as_bytes() != nonce_bytes(expected) {
        return Err(Error::NonceMismatch {
            expected,
            found: hex::encode(found.as_bytes()),
        });
    }
    Ok(())
}

fn single_signer(signed_data: &SignedData) -> Result<&SignerInfo, Error> {
    let signers = signed_data.signer_infos.0.as_slice();
    match signers {
        [one] => Ok(one),
        _ => Err(Error::SignerCount {
            found: signers.len(),
        }),
    }
}

/// RFC 5652 fixes the versions for a TSTInfo signed by issuer and serial
/// (SignedData 3, SignerInfo 1) or by key identifier (SignerInfo 3), and asks
/// that digestAlgorithms list the signer's; holding to that leaves no field of
/// the token that can change without the token being refused.
fn check_versions(signed_data: &SignedData, signer: &SignerInfo) -> Result<(), Error> {
    let refuse = |detail| Error::NotConformant { detail };
    if signed_data.version != CmsVersion::V3 {
        return Err(refuse(
            "version is not 3 (RFC 5652 §5.1 for a non-data content)",
        ));
    }
    let expected = match signer.sid {
        SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
        SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
    };
    if signer.version != expected {
        return Err(refuse(
            "SignerInfo version does not match its sid (RFC 5652 §5.3)",
        ));
    }
    if !signed_data
        .digest_algorithms
        .iter()
        .any(|a| *a == signer.digest_alg)
    {
        return Err(refuse(
            "digestAlgorithms does not list the signer's digest algorithm",
        ));
    }
    Ok(())
}

/// The signed attributes verification needs.
struct SignedAttrs<'a> {
    message_digest: OctetString,
    ess: EssAttributes<'a>,
}

/// Reads content-type, message-digest and the signing-certificate attributes.
/// Each must occur at most once with one value (RFC 5652 §11.1, §11.2), so that
/// what is checked is all the signer said.
fn signed_attributes(signer: &SignerInfo) -> Result<SignedAttrs<'_>, Error> {
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or(Error::NoSignedAttributes)?;
    let single = |oid| {
        let mut found = attrs.iter().filter(move |a| a.oid == oid);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(a), None) if a.values.len() == 1 => Ok(a.values.get(0)),
            _ => Err(()),
        }
    };
    let content_type = single(oids::ATTR_CONTENT_TYPE).map_err(|()| Error::ContentTypeAttribute)?;
    let is_tst = content_type
        .and_then(|v| v.decode_as::<der::asn1::ObjectIdentifier>().ok())
        .is_some_and(|oid| oid == oids::TST_INFO);
    if !is_tst {
        return Err(Error::ContentTypeAttribute);
    }
    let message_digest = single(oids::ATTR_MESSAGE_DIGEST)
        .ok()
        .flatten()
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or(Error::MessageDigestAttribute)?;
    let ess = EssAttributes {
        v1: single(oids::ATTR_SIGNING_CERTIFICATE)
            .map_err(|()| Error::SigningCertificateMismatch)?,
        v2: single(oids::ATTR_SIGNING_CERTIFICATE_V2)
            .map_err(|()| Error::SigningCertificateMismatch)?,
    };
    Ok(SignedAttrs {
        message_digest,
        ess,
    })
}

fn embedded_certificates(signed_data: &SignedData) -> Vec<&Certificate> {
    let Some(set) = &signed_data.certificates else {
        return Vec::new();
    };
    set.0
        .iter()
        .filter_map(|c| match c {
            CertificateChoices::Certificate(cert) => Some(cert),
            CertificateChoices::Other(_) => None,
        })
        .collect()
}

fn names_signer(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = &cert.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            is.issuer == tbs.issuer && is.serial_number == tbs.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert::subject_key_identifier(cert).as_deref() == Some(ski.0.as_bytes())
        }
    }
}

/// The certificate that signed, and the trusted CA that issued it when it is
/// not itself trusted. Trusted certificates are tried before the token's own,
/// and a certificate is trusted when its DER equals a trusted one byte for
/// byte, or when a trusted CA certificate issued it (one level, no more).
fn trusted_signer<'a>(
    sid: &SignerIdentifier,
    embedded: &[&Certificate],
    trusted: &'a [TrustedCertificate],
) -> Result<(Certificate, Option<&'a TrustedCertificate>), Error> {
    let direct = trusted.iter().find(|t| names_signer(sid, &t.cert));
    if let Some(t) = direct {
        return Ok((t.cert.clone(), None));
    }
    let candidates: Vec<&Certificate> = embedded
        .iter()
        .copied()
        .filter(|c| names_signer(sid, c))
        .collect();
    let first = candidates.first().ok_or(Error::SignerCertificateNotFound)?;
    let mut first_error = None;
    for cand in &candidates {
        let der = cand.to_der().map_err(|e| Error::der("certificate", e))?;
        if let Some(t) = trusted.iter().find(|t| t.der == der) {
            return Ok((t.cert.clone(), None));
        }
        for anchor in trusted {
            match cert::issued_by(cand, anchor) {
                Ok(true) => return Ok(((*cand).clone(), Some(anchor))),
                Ok(false) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    Err(first_error.unwrap_or_else(|| Error::UntrustedTsa {
        subject: cert::subject(first),
    }))
}

/// The signature is over the DER of the signed attributes as a SET OF (tag
/// 0x31, not the [0] they carry in SignerInfo), RFC 5652 §5.4. They are
/// re-encoded from what was decoded, so that what is verified is what was read.
fn check_signature(signer: &SignerInfo, hash: HashAlg, tsa: &Certificate) -> Result<(), Error> {
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or(Error::NoSignedAttributes)?;
    let message = attrs
        .to_der()
        .map_err(|e| Error::der("signed attributes", e))?;
    let ok = signature::verify(
        tsa,
        &signer.signature_algorithm,
        Some(hash),
        &message,
        signer.signature.as_bytes(),
    )?;
    if !ok {
        return Err(Error::BadSignature {
            subject: cert::subject(tsa),
        });
    }
    Ok(())
}

fn finish(tst: &TstInfo, tsa: &Certificate) -> Result<VerifiedTimestamp, Error> {
    let tsa_der = tsa.to_der().map_err(|e| Error::der("TSA certificate", e))?;
    Ok(VerifiedTimestamp {
        gen_time_unix_ms: tst.gen_time.unix_ms,
        serial_number: unsigned_bytes(tst.serial_number.as_bytes()),
        policy_oid: tst.policy.to_string(),
        accuracy_ms: tst.accuracy.as_ref().map(accuracy_ms),
        tsa_certificate_sha256: Sha256::digest(&tsa_der).into(),
    })
}

/// An INTEGER's bytes without the zero byte DER puts before a set top bit.
fn unsigned_bytes(bytes: &[u8]) -> Vec<u8> {
    match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest.to_vec(),
        _ => bytes.to_vec(),
    }
}

/// Accuracy in milliseconds, rounded up: micros count as a whole millisecond
/// so that the claimed uncertainty is never understated.
fn accuracy_ms(a: &x509_tsp::Accuracy) -> u64 {
    let part = |v: Option<i16>| u64::try_from(v.unwrap_or(0)).unwrap_or(0);
    let seconds = a.seconds.unwrap_or(0).saturating_mul(1000);
    let micros_as_ms = part(a.micros).div_ceil(1000);
    seconds
        .saturating_add(part(a.millis))
        .saturating_add(micros_as_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_bytes_drops_the_sign_byte_only() {
        assert_eq!(unsigned_bytes(&[0]), vec![0]);
        assert_eq!(unsigned_bytes(&[0, 0x80]), vec![0x80]);
        assert_eq!(unsigned_bytes(&[0x12, 0x34]), vec![0x12, 0x34]);
    }

    #[test]
    fn accuracy_rounds_micros_up() {
        let acc = x509_tsp::Accuracy {
            seconds: Some(1),
            millis: Some(500),
            micros: Some(100),
        };
        assert_eq!(accuracy_ms(&acc), 1501);
    }

    #[test]
    fn garbage_is_not_a_token() {
        assert!(matches!(
            TimestampToken::from_der(b"not der"),
            Err(Error::Malformed { .. })
        ));
    }
}
