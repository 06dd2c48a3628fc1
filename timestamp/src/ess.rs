//! The ESS signing-certificate attributes (RFC 2634 §5.4, RFC 5035 §3) by which
//! the TSA binds its signature to one certificate, so that a token cannot be
//! passed off as signed under another certificate of the same key.

use der::asn1::{Any, OctetString};
use der::{Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use crate::digest::HashAlg;
use crate::Error;

/// `SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificate {
    pub certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// `ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertId {
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: GeneralNames,
    pub serial_number: SerialNumber,
}

/// The signing-certificate attribute values found among the signed attributes.
#[derive(Default)]
pub(crate) struct EssAttributes<'a> {
    pub v1: Option<&'a Any>,
    pub v2: Option<&'a Any>,
}

/// Checks that every signing-certificate attribute present names `cert` first
/// (RFC 5035 §3: the first ESSCertID is the signer's); at least one must be
/// present.
pub(crate) fn check_signing_certificate(
    attrs: &EssAttributes<'_>,
    cert: &Certificate,
) -> Result<(), Error> {
    if attrs.v1.is_none() && attrs.v2.is_none() {
        return Err(Error::SigningCertificateMissing);
    }
    let cert_der = cert
        .to_der()
        .map_err(|e| Error::der("TSA certificate", e))?;
    if let Some(value) = attrs.v1 {
        let first = decode::<SigningCertificate>(value)?
            .certs
            .into_iter()
            .next();
        let id = first.ok_or(Error::SigningCertificateMismatch)?;
        check_one(
            HashAlg::Sha1,
            &id.cert_hash,
            id.issuer_serial.as_ref(),
            cert,
            &cert_der,
        )?;
    }
    if let Some(value) = attrs.v2 {
        let first = decode::<SigningCertificateV2>(value)?
            .certs
            .into_iter()
            .next();
        let id = first.ok_or(Error::SigningCertificateMismatch)?;
        // RFC 5035: an absent hashAlgorithm means SHA-256.
        let hash = match &id.hash_algorithm {
            Some(alg) => HashAlg::from_identifier(alg)?,
            None => HashAlg::Sha256,
        };
        check_one(
            hash,
            &id.cert_hash,
            id.issuer_serial.as_ref(),
            cert,
            &cert_der,
        )?;
    }
    Ok(())
}

fn decode<'a, T: der::Choice<'a> + der::DecodeValue<'a>>(value: &'a Any) -> Result<T, Error> {
    value
        .decode_as::<T>()
        .map_err(|e| Error::der("signing-certificate attribute", e))
}

fn check_one(
    hash: HashAlg,
    cert_hash: &OctetString,
    issuer_serial: Option<&IssuerSerial>,
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<(), Error> {
    if hash.digest(cert_der) != cert_hash.as_bytes() {
        return Err(Error::SigningCertificateMismatch);
    }
    // issuerSerial is optional; when given it must name the same certificate.
    if let Some(is) = issuer_serial {
        let tbs = &cert.tbs_certificate;
        let issuer_named = is
            .issuer
            .iter()
            .any(|n| matches!(n, GeneralName::DirectoryName(dn) if *dn == tbs.issuer));
        if is.serial_number != tbs.serial_number || !issuer_named {
            return Err(Error::SigningCertificateMismatch);
        }
    }
    Ok(())
}
