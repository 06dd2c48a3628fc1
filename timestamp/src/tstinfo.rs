//! TSTInfo (RFC 3161 §2.4.2), read with a genTime that may carry fractions of
//! a second: RFC 3161 allows them and many TSAs send milliseconds, while der's
//! own GeneralizedTime accepts whole seconds only.

use der::asn1::{Int, OctetString};
use der::{
    DateTime, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag, Writer,
};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;
use x509_tsp::{Accuracy, MessageImprint, TsaPolicyId, TspVersion};

/// TSTInfo with [`GenTime`] in place of der's whole-second GeneralizedTime.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TstInfo {
    pub version: TspVersion,
    pub policy: TsaPolicyId,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    pub gen_time: GenTime,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// A DER GeneralizedTime `YYYYMMDDhhmmss[.f…]Z`, kept as read and as
/// milliseconds since the Unix epoch (digits past the millisecond are dropped).
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct GenTime {
    raw: OctetString,
    pub unix_ms: u64,
}

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GenTime {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let raw = reader.read_vec(header.length)?;
        let unix_ms =
            parse_generalized_time(&raw).ok_or_else(|| Tag::GeneralizedTime.value_error())?;
        Ok(GenTime {
            raw: OctetString::new(raw)?,
            unix_ms,
        })
    }
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        self.raw.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.raw.encode_value(writer)
    }
}

/// Milliseconds since the Unix epoch of a DER GeneralizedTime, or `None` if the
/// text is not one: UTC (`Z`) only, a `.` before the fraction, no trailing zero
/// in the fraction and no empty fraction (X.690 §11.7).
pub(crate) fn parse_generalized_time(text: &[u8]) -> Option<u64> {
    let body = text.strip_suffix(b"Z")?;
    let (whole, fraction) = match body.iter().position(|&b| b == b'.') {
        Some(dot) => (&body[..dot], Some(&body[dot + 1..])),
        None => (body, None),
    };
    if whole.len() != 14 || !whole.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let field = |from: usize, len: usize| digits(&whole[from..from + len]);
    let year = u16::try_from(field(0, 4)?).ok()?;
    let [month, day, hour, minute, second] =
        [4, 6, 8, 10, 12].map(|at| field(at, 2).and_then(|v| u8::try_from(v).ok()));
    let date = DateTime::new(year, month?, day?, hour?, minute?, second?).ok()?;
    let millis = fraction.map(fraction_millis).unwrap_or(Some(0))?;
    let seconds_ms = u64::try_from(date.unix_duration().as_millis()).ok()?;
    seconds_ms.checked_add(millis)
}

fn fraction_millis(fraction: &[u8]) -> Option<u64> {
    let canonical = !fraction.is_empty()
        && fraction.iter().all(u8::is_ascii_digit)
        && fraction.last() != Some(&b'0');
    if !canonical {
        return None;
    }
    let mut first3 = [b'0'; 3];
    for (slot, digit) in first3.iter_mut().zip(fraction) {
        *slot = *digit;
    }
    digits(&first3)
}

fn digits(text: &[u8]) -> Option<u64> {
    text.iter().try_fold(0u64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::parse_generalized_time as p;

    #[test]
    fn whole_seconds() {
        assert_eq!(p(b"19700101000000Z"), Some(0));
        assert_eq!(p(b"20230607112626Z"), Some(1_686_137_186_000));
    }

    #[test]
    fn fractions_to_the_millisecond() {
        assert_eq!(p(b"20230607112626.5Z"), Some(1_686_137_186_500));
        assert_eq!(p(b"20230607112626.123Z"), Some(1_686_137_186_123));
        assert_eq!(p(b"20230607112626.1239Z"), Some(1_686_137_186_123));
        assert_eq!(p(b"20230607112626.05Z"), Some(1_686_137_186_050));
    }

    #[test]
    fn non_der_forms_are_refused() {
        for bad in [
            &b"20230607112626"[..],
            b"20230607112626.Z",
            b"20230607112626.50Z",
            b"20230607112626,5Z",
            b"202306071126Z",
            b"20230607112626+0800",
            b"20231307112626Z",
            b"2023060711262aZ",
        ] {
            assert_eq!(p(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
