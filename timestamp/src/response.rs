//! TimeStampResp (RFC 3161 §2.4.2): the TSA's answer, from which the token is kept.

use cmpv2::status::{PkiStatus, PkiStatusInfo};
use der::{Decode, Reader, SliceReader};

use crate::token::TimestampToken;
use crate::Error;

/// Reads a TSA's response: refuses any status other than granted or
/// grantedWithMods, and returns the token with its bytes exactly as sent, so
/// that what is stored on chain is what the TSA signed.
///
/// This does not verify the token; call [`TimestampToken::verify`].
pub fn parse_response(der: &[u8]) -> Result<TimestampToken, Error> {
    let (status, token) = split_response(der).map_err(|e| Error::der("TimeStampResp", e))?;
    check_status(&status)?;
    let token = token.ok_or(Error::MissingToken)?;
    TimestampToken::from_der(token)
}

/// The status and the token's TLV bytes, read in place rather than re-encoded.
fn split_response(der: &[u8]) -> der::Result<(PkiStatusInfo<'_>, Option<&[u8]>)> {
    let mut reader = SliceReader::new(der)?;
    let parts = reader.sequence(|r| {
        let status = PkiStatusInfo::decode(r)?;
        let token = if r.is_finished() {
            None
        } else {
            Some(r.tlv_bytes()?)
        };
        Ok((status, token))
    })?;
    reader.finish(parts)
}

fn check_status(info: &PkiStatusInfo<'_>) -> Result<(), Error> {
    match info.status {
        PkiStatus::Accepted | PkiStatus::GrantedWithMods => Ok(()),
        other => Err(Error::Refused {
            status: status_name(other).to_owned(),
            text: status_text(info),
            fail_info: info
                .fail_info
                .map(|f| format!(", failInfo {f:?}"))
                .unwrap_or_default(),
        }),
    }
}

fn status_name(status: PkiStatus) -> &'static str {
    // RFC 3161 §2.4.2 names; cmpv2 calls granted "Accepted".
    match status {
        PkiStatus::Accepted => "granted",
        PkiStatus::GrantedWithMods => "grantedWithMods",
        PkiStatus::Rejection => "rejection",
        PkiStatus::Waiting => "waiting",
        PkiStatus::RevocationWarning => "revocationWarning",
        PkiStatus::RevocationNotification => "revocationNotification",
        PkiStatus::KeyUpdateWarning => "keyUpdateWarning",
    }
}

fn status_text(info: &PkiStatusInfo<'_>) -> String {
    let Some(text) = &info.status_string else {
        return String::new();
    };
    let parts: Vec<&str> = text.iter().map(|s| s.as_str()).collect();
    format!(" ({:?})", parts.join("; "))
}
