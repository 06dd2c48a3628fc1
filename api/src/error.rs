//! The body of every error answer: `{"error": {"code", "message", …}}`,
//! with the code typed ([`ErrorCode`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

/// The JSON body of every error answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error object.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `duplicate_tx` or `not_holder`.
    #[schema(value_type = String)]
    pub code: ErrorCode,
    /// What happened and what to do about it.
    pub message: String,
    /// For refusals of a committed transaction: its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<String>,
    /// For refusals of a committed transaction: the block height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// For refusals of a committed transaction: its position in the block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
}

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// The stable code of an error answer. The API's own codes are
        /// variants; a contract's refusal (at admission or of a committed
        /// transaction) carries the contract's code in [`ErrorCode::Contract`].
        /// Serialises to the snake_case string, e.g. `"duplicate_tx"`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// A contract's stable code, e.g. `not_holder`, `unknown_signer`
            /// or `expired`.
            Contract(String),
        }

        impl ErrorCode {
            /// The code as sent.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                    ErrorCode::Contract(code) => code,
                }
            }

            /// The API's own code spelt `code`, else a contract's.
            pub fn parse(code: &str) -> Self {
                match code {
                    $($code => ErrorCode::$variant,)*
                    other => ErrorCode::Contract(other.to_owned()),
                }
            }
        }
    };
}

error_codes! {
    /// No route matches the path.
    NotFound = "not_found",
    /// The route exists but not with this method.
    MethodNotAllowed = "method_not_allowed",
    /// The body is larger than the route accepts.
    BodyTooLarge = "body_too_large",
    /// The body could not be read.
    BadBody = "bad_body",
    /// The query string is malformed.
    BadQuery = "bad_query",
    /// A path parameter is malformed.
    BadPath = "bad_path",
    /// The body is not a canonically encoded signed transaction.
    MalformedTx = "malformed_tx",
    /// The signature does not verify.
    BadSignature = "bad_signature",
    /// The transaction is already committed or pending.
    DuplicateTx = "duplicate_tx",
    /// The mempool is at its limit.
    MempoolFull = "mempool_full",
    /// A waiting submission was not committed in time.
    CommitTimeout = "commit_timeout",
    /// A submission expired in the mempool (or, at admission, the contracts'
    /// `expired`: the same code).
    Expired = "expired",
    /// A digest is not 64 hex characters.
    BadDigest = "bad_digest",
    /// No such transaction.
    UnknownTx = "unknown_tx",
    /// No block at that height.
    UnknownBlock = "unknown_block",
    /// No such officer.
    UnknownOfficer = "unknown_officer",
    /// No evidence with that digest.
    NotAnchored = "not_anchored",
    /// The uploaded content does not hash to the digest the client gave.
    DigestMismatch = "digest_mismatch",
    /// This node's vault does not have the file and cannot fetch it.
    NotInVault = "not_in_vault",
    /// Every node holding the file refused this node's organisation.
    VaultRefused = "vault_refused",
    /// Fetching the file from other nodes failed repeatedly.
    VaultFetchFailed = "vault_fetch_failed",
    /// The file is larger than the vault accepts.
    FileTooLarge = "file_too_large",
    /// The vault's disk is too full.
    DiskFull = "disk_full",
    /// An upload's body sent nothing for too long.
    UploadStalled = "upload_stalled",
    /// An upload's body arrived slower than the vault's floor.
    UploadTooSlow = "upload_too_slow",
    /// A read that needs an officer's signature came without one.
    UnsignedRead = "unsigned_read",
    /// The read's signature headers are malformed or do not verify.
    BadReadSignature = "bad_read_signature",
    /// The read was signed too long before the node's clock.
    StaleRead = "stale_read",
    /// The read was signed too far ahead of the node's clock.
    FutureRead = "future_read",
    /// This signed read was accepted before.
    ReplayedRead = "replayed_read",
    /// The node's memory of fresh signed reads is full.
    SignedReadsBusy = "signed_reads_busy",
    /// The node has as many event streams open as it allows.
    EventStreamsBusy = "event_streams_busy",
    /// A checkpoint note that does not parse, or is of another chain.
    BadCheckpoint = "bad_checkpoint",
    /// A checkpoint that names a header this chain does not have.
    CheckpointMismatch = "checkpoint_mismatch",
    /// A cosignature by no witness this node lists.
    UnknownWitness = "unknown_witness",
    /// The on-chain policy set does not let this officer read the resource.
    ReadDenied = "read_denied",
    /// No case with that id.
    UnknownCase = "unknown_case",
    /// No inspection result with that id.
    UnknownInspection = "unknown_inspection",
    /// No governance proposal with that id.
    UnknownProposal = "unknown_proposal",
    /// No CMA certificate recorded for that laboratory and number.
    UnknownAccreditation = "unknown_accreditation",
    /// No bulletin with that id.
    UnknownBulletin = "unknown_bulletin",
    /// The session token is malformed, unknown or expired.
    BadSession = "bad_session",
    /// The officer has as many live sessions as a node keeps for one.
    TooManySessions = "too_many_sessions",
    /// The node holds as many live sessions as it allows.
    SessionsFull = "sessions_full",
    /// The request took longer than the server allows.
    RequestTimeout = "request_timeout",
    /// The node is stopping.
    ShuttingDown = "shutting_down",
    /// Something failed inside the node.
    Internal = "internal",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ErrorCode {
    type Err = std::convert::Infallible;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Ok(ErrorCode::parse(code))
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ErrorCode::parse(&code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_as_their_strings() {
        for code in ["duplicate_tx", "not_holder", "expired", "internal"] {
            let parsed = ErrorCode::parse(code);
            assert_eq!(parsed.as_str(), code);
            let json = serde_json::to_string(&parsed).unwrap();
            assert_eq!(json, format!("\"{code}\""));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), parsed);
        }
        assert_eq!(
            ErrorCode::parse("not_holder"),
            ErrorCode::Contract("not_holder".into())
        );
    }
}
