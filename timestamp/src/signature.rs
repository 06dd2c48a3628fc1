//! Signature verification by algorithm: RSA PKCS#1 v1.5 with SHA-256/384/512
//! and ECDSA P-256 with SHA-256. SM2 comes with the 国密 network option.

use der::asn1::ObjectIdentifier as Oid;
use der::Encode;
use p256::ecdsa::signature::Verifier;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::digest::HashAlg;
use crate::{cert, oids, Error};

/// Whether `signature` over `message` verifies under `signer`'s public key.
///
/// `sig_alg` is the signature algorithm as named by the signer. When it is bare
/// `rsaEncryption` (as OpenSSL writes in CMS), `digest_alg` names the hash; when
/// it names a hash itself, `digest_alg` (if given) must agree, so that a token
/// cannot claim one hash for the message digest and another for the signature.
/// Errors are for algorithms or keys this crate cannot use; `Ok(false)` means
/// the signature is wrong.
pub(crate) fn verify(
    signer: &Certificate,
    sig_alg: &AlgorithmIdentifierOwned,
    digest_alg: Option<HashAlg>,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    let spki = &signer.tbs_certificate.subject_public_key_info;
    let unsupported = || Error::UnsupportedSignature {
        found: sig_alg.oid.to_string(),
        key: spki.algorithm.oid.to_string(),
    };
    if !parameters_allowed(sig_alg) {
        return Err(unsupported());
    }
    let sig_alg = &sig_alg.oid;
    let hash = signature_hash(sig_alg, digest_alg).ok_or_else(unsupported)?;
    match spki.algorithm.oid {
        oids::RSA_ENCRYPTION if is_rsa(sig_alg) => verify_rsa(signer, hash, message, signature),
        oids::EC_PUBLIC_KEY if *sig_alg == oids::ECDSA_WITH_SHA256 => {
            verify_p256(signer, message, signature)
        }
        _ => Err(unsupported()),
    }
}

/// RSA PKCS#1 v1.5 identifiers carry NULL (RFC 4055 §5; absent is tolerated);
/// ECDSA ones carry nothing (RFC 5758 §3.2). Anything else is refused rather
/// than ignored, so no byte of the identifier goes unchecked.
fn parameters_allowed(alg: &AlgorithmIdentifierOwned) -> bool {
    match &alg.parameters {
        None => true,
        Some(p) => p.is_null() && is_rsa(&alg.oid),
    }
}

fn is_rsa(sig_alg: &Oid) -> bool {
    [
        oids::RSA_ENCRYPTION,
        oids::SHA256_WITH_RSA,
        oids::SHA384_WITH_RSA,
        oids::SHA512_WITH_RSA,
    ]
    .contains(sig_alg)
}

/// The hash the signature algorithm implies, checked against the digest
/// algorithm when both are named.
fn signature_hash(sig_alg: &Oid, digest_alg: Option<HashAlg>) -> Option<HashAlg> {
    let implied = match *sig_alg {
        oids::RSA_ENCRYPTION => return digest_alg.filter(|h| *h != HashAlg::Sha1),
        oids::SHA256_WITH_RSA | oids::ECDSA_WITH_SHA256 => HashAlg::Sha256,
        oids::SHA384_WITH_RSA => HashAlg::Sha384,
        oids::SHA512_WITH_RSA => HashAlg::Sha512,
        _ => return None,
    };
    match digest_alg {
        Some(named) if named != implied => None,
        _ => Some(implied),
    }
}

fn bad_key(signer: &Certificate, detail: String) -> Error {
    Error::BadPublicKey {
        subject: cert::subject(signer),
        detail,
    }
}

fn verify_rsa(
    signer: &Certificate,
    hash: HashAlg,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    let spki_der = signer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| bad_key(signer, e.to_string()))?;
    let key =
        RsaPublicKey::from_public_key_der(&spki_der).map_err(|e| bad_key(signer, e.to_string()))?;
    let digest = hash.digest(message);
    let scheme = match hash {
        HashAlg::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        HashAlg::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
        HashAlg::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
        HashAlg::Sha1 => return Ok(false),
    };
    Ok(key.verify(scheme, &digest, signature).is_ok())
}

fn verify_p256(signer: &Certificate, message: &[u8], signature: &[u8]) -> Result<bool, Error> {
    let spki = &signer.tbs_certificate.subject_public_key_info;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<Oid>().ok());
    if curve != Some(oids::P256) {
        return Err(Error::UnsupportedSignature {
            found: oids::ECDSA_WITH_SHA256.to_string(),
            key: format!("id-ecPublicKey on curve {curve:?}"),
        });
    }
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| bad_key(signer, "public key BIT STRING has unused bits".into()))?;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
        .map_err(|e| bad_key(signer, e.to_string()))?;
    let Ok(sig) = p256::ecdsa::Signature::from_der(signature) else {
        return Ok(false);
    };
    // Verifier hashes the message with SHA-256, as ecdsa-with-SHA256 says.
    Ok(key.verify(message, &sig).is_ok())
}
