//! The one error type of the crate: every message says what is wrong and what to do.

/// Why a time-stamp request, response or token was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Some DER could not be decoded.
    #[error("{what} is not valid DER ({detail}); check that the bytes are the unaltered {what} and not PEM, base64 or a truncated copy")]
    Malformed {
        /// Which structure was being read.
        what: &'static str,
        /// The decoder's own message.
        detail: String,
    },
    /// The token decodes but breaks a rule of RFC 5652 or RFC 3161 on its fields.
    #[error("the token does not follow RFC 5652: {detail}; the TSA is not conformant or the token was altered")]
    NotConformant {
        /// Which rule is broken.
        detail: &'static str,
    },
    /// A trusted TSA certificate given by configuration could not be read.
    #[error("trusted TSA certificate is unreadable ({detail}); configure the TSA certificate as PEM (-----BEGIN CERTIFICATE-----) or DER, as issued by the TSA")]
    BadTrustedCertificate {
        /// The decoder's message.
        detail: String,
    },
    /// The TSA answered with a status other than granted / grantedWithMods.
    #[error("the TSA refused the request: status {status}{text}{fail_info}; fix what the TSA names (hash algorithm, policy, request format) or ask its operator")]
    Refused {
        /// The PKIStatus, by name.
        status: String,
        /// The TSA's free text, if any, prefixed for display.
        text: String,
        /// The PKIFailureInfo bits, if any, prefixed for display.
        fail_info: String,
    },
    /// A granted response without a token.
    #[error("the TSA granted the request but sent no time-stamp token; the TSA is not RFC 3161 conformant, ask its operator")]
    MissingToken,
    /// The token's ContentInfo is not SignedData.
    #[error("the token's content type is {found}, not id-signedData; this is not an RFC 3161 time-stamp token")]
    NotSignedData {
        /// The content type found.
        found: String,
    },
    /// The SignedData does not encapsulate a TSTInfo.
    #[error("the token encapsulates {found}, not id-ct-TSTInfo; this is a CMS signature but not a time-stamp token")]
    NotTstInfo {
        /// The eContentType found.
        found: String,
    },
    /// The TSTInfo is absent (detached) or not an OCTET STRING.
    #[error("the token carries no TSTInfo (detached or not an OCTET STRING); a time-stamp token must embed its TSTInfo")]
    MissingTstInfo,
    /// The messageImprint is not SHA-256.
    #[error("the token's messageImprint uses hash algorithm {found}, not SHA-256; request the timestamp with TimestampRequest::for_sha256")]
    ImprintAlgorithm {
        /// The algorithm found.
        found: String,
    },
    /// The token timestamps another digest.
    #[error("the token timestamps digest {found}, not the expected {expected}; this token belongs to other data: check which bytes were hashed")]
    DigestMismatch {
        /// Expected SHA-256, hex.
        expected: String,
        /// Digest in the token, hex.
        found: String,
    },
    /// A nonce was expected but the token has none.
    #[error("the token carries no nonce but nonce {expected} was sent; the response does not answer this request, request again")]
    NonceMissing {
        /// Nonce sent.
        expected: u64,
    },
    /// The nonce differs.
    #[error("the token's nonce is {found}, not {expected}; the response answers another request (replay or mix-up), request again")]
    NonceMismatch {
        /// Nonce sent.
        expected: u64,
        /// Nonce found, hex of its INTEGER bytes.
        found: String,
    },
    /// Not exactly one SignerInfo.
    #[error("the token has {found} SignerInfos, RFC 3161 requires exactly one")]
    SignerCount {
        /// Number found.
        found: usize,
    },
    /// The SignerInfo has no signed attributes.
    #[error("the token's SignerInfo has no signed attributes; RFC 3161 requires content-type, message-digest and signing-certificate")]
    NoSignedAttributes,
    /// The content-type attribute is missing or wrong.
    #[error("signed attribute content-type is missing, repeated or not id-ct-TSTInfo; the token is malformed or altered")]
    ContentTypeAttribute,
    /// The message-digest attribute is missing or malformed.
    #[error("signed attribute message-digest is missing, repeated or not an OCTET STRING; the token is malformed or altered")]
    MessageDigestAttribute,
    /// The message-digest does not match the TSTInfo.
    #[error("signed attribute message-digest does not match the hash of the TSTInfo; the token was altered after signing")]
    MessageDigestMismatch,
    /// A digest algorithm this crate does not verify.
    #[error("digest algorithm {found} is not supported (SHA-256, SHA-384, SHA-512 are); ask the TSA to sign with one of those")]
    UnsupportedDigest {
        /// The algorithm found.
        found: String,
    },
    /// A signature algorithm this crate does not verify.
    #[error("signature algorithm {found} with key type {key} is not supported (RSA PKCS#1 v1.5 with SHA-256/384/512 and ECDSA P-256 with SHA-256 are; SM2 will come with the 国密 network option)")]
    UnsupportedSignature {
        /// The algorithm found.
        found: String,
        /// The key algorithm of the certificate.
        key: String,
    },
    /// No certificate matches the SignerInfo's identifier.
    #[error("no certificate among the trusted TSA certificates and those in the token matches the token's signer; configure this TSA's certificate, or ask the TSA to include its certificate (certReq)")]
    SignerCertificateNotFound,
    /// The signer certificate is neither trusted nor issued by a trusted certificate.
    #[error("the token is signed by {subject}, which is neither a trusted TSA certificate nor issued by one; configure this TSA's certificate (or its issuing CA) if it is meant to be trusted")]
    UntrustedTsa {
        /// Subject of the signer certificate.
        subject: String,
    },
    /// The trusted issuer of the TSA certificate is not a CA.
    #[error("the trusted certificate {subject} issued the TSA certificate but is not a CA (basicConstraints cA / keyUsage keyCertSign); configure the TSA certificate itself")]
    IssuerNotCa {
        /// Subject of the trusted certificate.
        subject: String,
    },
    /// The issuer's signature over the TSA certificate does not verify.
    #[error("the TSA certificate's signature does not verify under the trusted certificate {issuer}; the certificate is forged or the wrong CA is configured")]
    CertificateSignature {
        /// Subject of the would-be issuer.
        issuer: String,
    },
    /// No signing-certificate(-v2) attribute.
    #[error("the token has neither signing-certificate nor signing-certificate-v2 signed attribute; RFC 3161 §2.4.1 requires one, ask the TSA operator")]
    SigningCertificateMissing,
    /// The signing-certificate attribute names another certificate.
    #[error("the token's signing-certificate attribute names another certificate than the one that signed; the token mixes certificates, refuse it")]
    SigningCertificateMismatch,
    /// The TSA certificate lacks the critical timeStamping EKU.
    #[error("TSA certificate {subject}: {reason}; RFC 3161 §2.3 requires exactly one critical extendedKeyUsage of id-kp-timeStamping, ask the TSA for a proper certificate")]
    TimeStampingUsage {
        /// Subject of the certificate.
        subject: String,
        /// What is wrong with the extension.
        reason: &'static str,
    },
    /// genTime lies outside a certificate's validity.
    #[error("genTime {gen_time_unix_ms} ms lies outside the validity of {subject} ({not_before_unix_ms}..={not_after_unix_ms} ms since 1970); the token was issued with an expired or not-yet-valid certificate")]
    OutsideValidity {
        /// Subject of the certificate.
        subject: String,
        /// genTime, ms since the Unix epoch.
        gen_time_unix_ms: u64,
        /// notBefore, ms since the Unix epoch.
        not_before_unix_ms: u64,
        /// notAfter, ms since the Unix epoch.
        not_after_unix_ms: u64,
    },
    /// The public key in a certificate cannot be read.
    #[error("the public key of {subject} cannot be read ({detail}); the certificate is malformed or uses an unsupported key")]
    BadPublicKey {
        /// Subject of the certificate.
        subject: String,
        /// Why.
        detail: String,
    },
    /// The token's signature does not verify.
    #[error("the token's signature does not verify under the TSA certificate {subject}; the token was altered or is not from this TSA")]
    BadSignature {
        /// Subject of the certificate.
        subject: String,
    },
}

impl Error {
    /// A DER decoding error, tagged with the structure that was being read.
    pub(crate) fn der(what: &'static str, e: der::Error) -> Self {
        Error::Malformed {
            what,
            detail: e.to_string(),
        }
    }
}
