//! The hash algorithms a token may name, by OID.

use const_oid::ObjectIdentifier;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierOwned;

use crate::{oids, Error};

/// A hash algorithm a token may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HashAlg {
    /// Only for ESSCertID certificate hashes (RFC 2634 fixes SHA-1 there).
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    /// The algorithm an AlgorithmIdentifier names. Parameters must be absent or
    /// NULL: anything else is not one of these hashes.
    pub fn from_identifier(id: &AlgorithmIdentifierOwned) -> Result<Self, Error> {
        let unsupported = || Error::UnsupportedDigest {
            found: id.oid.to_string(),
        };
        let params_ok = id.parameters.as_ref().is_none_or(|p| p.is_null());
        if !params_ok {
            return Err(unsupported());
        }
        Self::from_oid(&id.oid).ok_or_else(unsupported)
    }

    fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            oids::SHA1 => Some(HashAlg::Sha1),
            oids::SHA256 => Some(HashAlg::Sha256),
            oids::SHA384 => Some(HashAlg::Sha384),
            oids::SHA512 => Some(HashAlg::Sha512),
            _ => None,
        }
    }

    /// The hash of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha1 => Sha1::digest(data).to_vec(),
            HashAlg::Sha256 => Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}
