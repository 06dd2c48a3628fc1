//! The object identifiers this crate compares against, spelled out once so that
//! each check names what it expects.

use const_oid::ObjectIdentifier as Oid;

/// id-signedData (RFC 5652 §5.1): the ContentInfo type of every time-stamp token.
pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// id-ct-TSTInfo (RFC 3161 §2.4.2): the encapsulated content of a token.
pub const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-contentType signed attribute (RFC 5652 §11.1).
pub const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest signed attribute (RFC 5652 §11.2).
pub const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// id-aa-signingCertificate (RFC 2634 §5.4): ESSCertID with a SHA-1 hash.
pub const ATTR_SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signingCertificateV2 (RFC 5035 §3): ESSCertIDv2, hash algorithm named.
pub const ATTR_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// SHA-1, only ever used to compare an ESSCertID's certificate hash.
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// SHA-256 (NIST).
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// SHA-384 (NIST).
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// SHA-512 (NIST).
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// rsaEncryption: the hash is then the SignerInfo's digestAlgorithm.
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption.
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
/// sha512WithRSAEncryption.
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
/// ecdsa-with-SHA256.
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// id-ecPublicKey: an elliptic-curve key, the curve in the parameters.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 (NIST P-256).
pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");

/// id-ce-extKeyUsage (RFC 5280 §4.2.1.12).
pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
/// id-ce-basicConstraints (RFC 5280 §4.2.1.9).
pub const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// id-ce-keyUsage (RFC 5280 §4.2.1.3).
pub const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// id-ce-subjectKeyIdentifier (RFC 5280 §4.2.1.2).
pub const SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
/// id-kp-timeStamping (RFC 3161 §2.3).
pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
