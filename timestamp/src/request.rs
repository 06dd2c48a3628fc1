//! TimeStampReq (RFC 3161 §2.4.1), as the node sends it to a TSA.

use der::asn1::{Any, Int, OctetString};
use der::Encode;
use spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

use crate::oids;

/// A request to timestamp one SHA-256 digest.
///
/// The caller hashes its own bytes; the TSA never sees them. The nonce lets the
/// caller tell this request's answer from a replayed one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampRequest {
    digest: [u8; 32],
    nonce: u64,
}

impl TimestampRequest {
    /// A request for `digest` (SHA-256 of the data being timestamped) with `nonce`.
    pub fn for_sha256(digest: [u8; 32], nonce: u64) -> Self {
        TimestampRequest { digest, nonce }
    }

    /// The digest this request timestamps.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The nonce this request carries.
    pub fn nonce(&self) -> u64 {
        self.nonce
    }

    /// DER of the TimeStampReq: version 1, SHA-256 messageImprint, the nonce, and
    /// certReq TRUE so that the TSA puts its certificate in the token (an offline
    /// verifier may then need only the issuing CA).
    pub fn to_der(&self) -> Vec<u8> {
        let req = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: sha256_imprint(&self.digest),
            req_policy: None,
            nonce: Some(nonce_int(self.nonce)),
            cert_req: true,
            extensions: None,
        };
        // Every field has a fixed shape and size, so encoding cannot fail.
        req.to_der()
            .expect("a TimeStampReq of fixed shape always encodes")
    }
}

fn sha256_imprint(digest: &[u8; 32]) -> MessageImprint {
    MessageImprint {
        // NULL parameters, as OpenSSL and most TSAs write them.
        hash_algorithm: AlgorithmIdentifier {
            oid: oids::SHA256,
            parameters: Some(Any::null()),
        },
        hashed_message: OctetString::new(digest.to_vec()).expect("32 bytes fit an OCTET STRING"),
    }
}

fn nonce_int(nonce: u64) -> Int {
    Int::new(&nonce_bytes(nonce)).expect("minimal two's complement bytes are a valid INTEGER")
}

/// The minimal two's-complement bytes of a non-negative INTEGER: leading zero
/// bytes dropped, one zero kept in front when the top bit is set (else the TSA
/// would read a negative number).
pub(crate) fn nonce_bytes(nonce: u64) -> Vec<u8> {
    let bytes = nonce.to_be_bytes();
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut out = Vec::with_capacity(9);
    if bytes[first] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&bytes[first..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    #[test]
    fn nonce_bytes_are_minimal_and_positive() {
        assert_eq!(nonce_bytes(0), vec![0]);
        assert_eq!(nonce_bytes(1), vec![1]);
        assert_eq!(nonce_bytes(0x7f), vec![0x7f]);
        assert_eq!(nonce_bytes(0x80), vec![0, 0x80]);
        assert_eq!(nonce_bytes(0x0100), vec![1, 0]);
        assert_eq!(
            nonce_bytes(u64::MAX),
            vec![0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
    }

    #[test]
    fn request_decodes_back_with_its_fields() {
        let req = TimestampRequest::for_sha256([0xab; 32], 0x8000_0000_0000_0001);
        let der = req.to_der();
        let back = TimeStampReq::from_der(&der).unwrap();
        assert_eq!(back.version, TspVersion::V1);
        assert!(back.cert_req);
        assert_eq!(back.message_imprint.hash_algorithm.oid, oids::SHA256);
        assert_eq!(back.message_imprint.hashed_message.as_bytes(), &[0xab; 32]);
        assert_eq!(
            back.nonce.unwrap().as_bytes(),
            nonce_bytes(0x8000_0000_0000_0001)
        );
    }
}
