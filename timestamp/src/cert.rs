//! Certificates: the trusted TSA certificates given by configuration, and the
//! checks RFC 3161 and RFC 5280 ask of a TSA certificate and of its issuer.

use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::Certificate;

use crate::{oids, signature, Error};

/// A certificate the verifier trusts: the TSA's own certificate, or the CA
/// that issued it. Kept with its DER bytes as given, since trust is decided by
/// byte equality.
#[derive(Clone, Debug)]
pub struct TrustedCertificate {
    pub(crate) cert: Certificate,
    pub(crate) der: Vec<u8>,
}

impl TrustedCertificate {
    /// A certificate from its DER bytes.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let cert = Certificate::from_der(der).map_err(bad_trusted)?;
        Ok(TrustedCertificate {
            cert,
            der: der.to_vec(),
        })
    }

    /// A certificate from PEM text (`-----BEGIN CERTIFICATE-----`).
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        // The bytes inside the PEM are kept as they are: trust is byte equality.
        let (label, der) =
            der::pem::decode_vec(pem.as_bytes()).map_err(|e| bad_trusted(e.into()))?;
        if label != "CERTIFICATE" {
            return Err(Error::BadTrustedCertificate {
                detail: format!("PEM label is {label:?}, not \"CERTIFICATE\""),
            });
        }
        Self::from_der(&der)
    }

    /// The certificate's DER bytes.
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of the certificate's DER bytes, the name a verified timestamp
    /// gives its TSA certificate.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.der).into()
    }

    /// The subject, as RFC 4514 text, for messages.
    pub fn subject(&self) -> String {
        subject(&self.cert)
    }
}

fn bad_trusted(e: der::Error) -> Error {
    Error::BadTrustedCertificate {
        detail: e.to_string(),
    }
}

pub(crate) fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate.subject.to_string()
}

/// RFC 3161 §2.3: exactly one extendedKeyUsage extension, critical, whose only
/// purpose is id-kp-timeStamping. OpenSSL's `ts -verify` asks the same.
pub(crate) fn check_time_stamping_usage(cert: &Certificate) -> Result<(), Error> {
    let fail = |reason| Error::TimeStampingUsage {
        subject: subject(cert),
        reason,
    };
    let extensions = cert.tbs_certificate.extensions.as_deref().unwrap_or(&[]);
    let mut ekus = extensions
        .iter()
        .filter(|e| e.extn_id == oids::EXT_KEY_USAGE);
    let eku = ekus
        .next()
        .ok_or_else(|| fail("no extendedKeyUsage extension"))?;
    if ekus.next().is_some() {
        return Err(fail("more than one extendedKeyUsage extension"));
    }
    if !eku.critical {
        return Err(fail("extendedKeyUsage is not critical"));
    }
    let purposes = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes())
        .map_err(|_| fail("extendedKeyUsage is not valid DER"))?;
    if purposes.0 != [oids::KP_TIME_STAMPING] {
        return Err(fail("extendedKeyUsage is not id-kp-timeStamping alone"));
    }
    Ok(())
}

/// genTime must fall in the certificate's validity: a token issued under an
/// expired or not-yet-valid certificate is refused. Only the token's own time
/// is compared, so the verdict is the same whenever it is computed.
pub(crate) fn check_validity_at(cert: &Certificate, gen_time_unix_ms: u64) -> Result<(), Error> {
    let validity = &cert.tbs_certificate.validity;
    let not_before = millis(validity.not_before.to_unix_duration());
    let not_after = millis(validity.not_after.to_unix_duration());
    if (not_before..=not_after).contains(&gen_time_unix_ms) {
        return Ok(());
    }
    Err(Error::OutsideValidity {
        subject: subject(cert),
        gen_time_unix_ms,
        not_before_unix_ms: not_before,
        not_after_unix_ms: not_after,
    })
}

fn millis(d: core::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Whether `issuer` issued `cert`: names chain, `issuer` is a CA allowed to sign
/// certificates, and its key verifies the certificate's signature.
pub(crate) fn issued_by(cert: &Certificate, issuer: &TrustedCertificate) -> Result<bool, Error> {
    if cert.tbs_certificate.issuer != issuer.cert.tbs_certificate.subject {
        return Ok(false);
    }
    check_is_ca(&issuer.cert)?;
    // RFC 5280 §4.1.1.2: the outer algorithm must equal the signed one, else
    // the outer copy could be altered unnoticed.
    if cert.signature_algorithm != cert.tbs_certificate.signature {
        return Err(Error::CertificateSignature {
            issuer: issuer.subject(),
        });
    }
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| Error::der("TBSCertificate", e))?;
    let sig = cert
        .signature
        .as_bytes()
        .ok_or_else(|| Error::CertificateSignature {
            issuer: issuer.subject(),
        })?;
    let ok = signature::verify(&issuer.cert, &cert.signature_algorithm, None, &tbs, sig)?;
    if !ok {
        return Err(Error::CertificateSignature {
            issuer: issuer.subject(),
        });
    }
    Ok(true)
}

fn check_is_ca(cert: &Certificate) -> Result<(), Error> {
    let not_ca = || Error::IssuerNotCa {
        subject: subject(cert),
    };
    let extensions = cert.tbs_certificate.extensions.as_deref().unwrap_or(&[]);
    let basic = extensions
        .iter()
        .find(|e| e.extn_id == oids::BASIC_CONSTRAINTS)
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok());
    if !basic.is_some_and(|b| b.ca) {
        return Err(not_ca());
    }
    // keyUsage is optional; when present it must allow certificate signing.
    let usage = extensions.iter().find(|e| e.extn_id == oids::KEY_USAGE);
    if let Some(usage) = usage {
        let usage = KeyUsage::from_der(usage.extn_value.as_bytes()).map_err(|_| not_ca())?;
        if !usage.0.contains(KeyUsages::KeyCertSign) {
            return Err(not_ca());
        }
    }
    Ok(())
}

/// The certificate's SubjectKeyIdentifier, if it has one.
pub(crate) fn subject_key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    let extensions = cert.tbs_certificate.extensions.as_deref()?;
    let ext = extensions
        .iter()
        .find(|e| e.extn_id == oids::SUBJECT_KEY_IDENTIFIER)?;
    x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(ext.extn_value.as_bytes())
        .ok()
        .map(|ski| ski.0.as_bytes().to_vec())
}
