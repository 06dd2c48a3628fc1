//! The canonical binary encoding of everything hashed, signed or stored.
//!
//! Layout: one format-version byte ([`FORMAT_VERSION`]) followed by the
//! postcard encoding of the value (LEB128 varints, length-prefixed strings and
//! sequences, enum variants by their declared index). The types encoded here
//! contain no maps and no floats, so every value has exactly one encoding.
//! Decoding enforces that: it rejects inputs over the type's size limit,
//! unknown versions, trailing bytes, and any input whose re-encoding differs
//! from the bytes received (for instance an over-long varint). Hashes and
//! signatures are therefore always computed over the canonical bytes.

use serde::{de::DeserializeOwned, Serialize};

use crate::error::CodecError;

/// The version byte that prefixes every canonical encoding.
pub const FORMAT_VERSION: u8 = 1;

/// A type with a canonical encoding and a bound on its encoded size.
pub trait Canonical: Serialize + DeserializeOwned {
    /// Name used in error messages.
    const KIND: &'static str;
    /// The largest encoding accepted when decoding, version byte included.
    const MAX_ENCODED_LEN: usize;
}

/// Where an encoding's buffer starts: most values (a transaction, an
/// evidence record, an officer) fit, so the buffer is not reallocated
/// through its doublings from one byte. Larger values (a block) grow from
/// there.
const START_CAPACITY: usize = 512;

/// Encodes a value canonically.
pub fn encode<T: Canonical>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(START_CAPACITY.min(T::MAX_ENCODED_LEN));
    out.push(FORMAT_VERSION);
    // Serialising plain data (no maps, no custom failing impls) into a Vec
    // cannot fail; a failure would be a programming error in a type definition.
    postcard::to_extend(value, out).expect("canonical types always serialise")
}

/// A postcard output that, instead of storing the bytes, checks that they
/// equal `expected` as they are produced: re-encoding to compare needs no
/// copy of the value's encoding (a block's is megabytes).
struct SameAs<'a> {
    expected: &'a [u8],
}

impl postcard::ser_flavors::Flavor for SameAs<'_> {
    type Output = bool;

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        match self.expected.strip_prefix(data) {
            Some(rest) => {
                self.expected = rest;
                Ok(())
            }
            None => Err(postcard::Error::SerializeBufferFull),
        }
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.try_extend(&[data])
    }

    fn finalize(self) -> postcard::Result<bool> {
        Ok(self.expected.is_empty())
    }
}

/// Whether `body` is exactly the postcard encoding of `value`.
fn encodes_to<T: Serialize>(value: &T, body: &[u8]) -> bool {
    postcard::serialize_with_flavor(value, SameAs { expected: body }).unwrap_or(false)
}

/// Decodes a value, accepting only its canonical encoding.
pub fn decode<T: Canonical>(bytes: &[u8]) -> Result<T, CodecError> {
    if bytes.len() > T::MAX_ENCODED_LEN {
        return Err(CodecError::TooLarge {
            kind: T::KIND,
            len: bytes.len(),
            max: T::MAX_ENCODED_LEN,
        });
    }
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version != FORMAT_VERSION {
        return Err(CodecError::Version {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let (value, rest) =
        postcard::take_from_bytes::<T>(body).map_err(|e| CodecError::Malformed {
            kind: T::KIND,
            reason: e.to_string(),
        })?;
    if !rest.is_empty() {
        return Err(CodecError::TrailingBytes {
            kind: T::KIND,
            extra: rest.len(),
        });
    }
    if !encodes_to(&value, body) {
        return Err(CodecError::NotCanonical { kind: T::KIND });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        a: u64,
        b: String,
    }

    impl Canonical for Sample {
        const KIND: &'static str = "sample";
        const MAX_ENCODED_LEN: usize = 32;
    }

    #[test]
    fn golden_bytes() {
        let bytes = encode(&Sample {
            a: 300,
            b: "hi".into(),
        });
        // version, varint(300) = ac 02, len 2, "hi"
        assert_eq!(bytes, vec![1, 0xac, 0x02, 2, b'h', b'i']);
        assert_eq!(
            decode::<Sample>(&bytes).unwrap(),
            Sample {
                a: 300,
                b: "hi".into()
            }
        );
    }

    #[test]
    fn rejects_trailing_bytes_version_size_and_non_canonical_varints() {
        let mut bytes = encode(&Sample {
            a: 1,
            b: String::new(),
        });
        bytes.push(0);
        assert!(matches!(
            decode::<Sample>(&bytes),
            Err(CodecError::TrailingBytes { .. })
        ));
        assert!(matches!(
            decode::<Sample>(&[2, 1, 0]),
            Err(CodecError::Version { .. })
        ));
        assert!(matches!(decode::<Sample>(&[]), Err(CodecError::Empty)));
        assert!(matches!(
            decode::<Sample>(&[1u8; 33]),
            Err(CodecError::TooLarge { .. })
        ));
        // 1 encoded as an over-long varint (0x81 0x00) decodes but is not canonical.
        assert!(matches!(
            decode::<Sample>(&[1, 0x81, 0x00, 0]),
            Err(CodecError::NotCanonical { .. }) | Err(CodecError::Malformed { .. })
        ));
        assert!(matches!(
            decode::<Sample>(&[1, 0xff]),
            Err(CodecError::Malformed { .. })
        ));
    }

    #[test]
    fn the_canonical_check_compares_every_byte_and_the_length() {
        let value = Sample {
            a: 300,
            b: "hi".into(),
        };
        let bytes = encode(&value);
        let body = &bytes[1..];
        assert!(encodes_to(&value, body));
        assert!(!encodes_to(&value, &body[..body.len() - 1]));
        assert!(!encodes_to(&value, &[body, &[0]].concat()));
        for at in 0..body.len() {
            let mut changed = body.to_vec();
            changed[at] ^= 1;
            assert!(!encodes_to(&value, &changed), "byte {at}");
        }
        // 300 as an over-long varint (0xac 0x82 0x00) with the same string.
        assert!(matches!(
            decode::<Sample>(&[1, 0xac, 0x82, 0x00, 2, b'h', b'i']),
            Err(CodecError::NotCanonical { .. })
        ));
    }
}
