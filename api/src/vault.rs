//! The answers of `PUT /v1/vault` and `GET /v1/vault/{digest}` (a transfer
//! from another node under way).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An evidence file in the vault.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VaultFileView {
    /// Plain BLAKE3 of the content, hex.
    pub digest: String,
    /// Length in bytes.
    pub size: u64,
    /// `new`, or `existing` when identical content was already stored.
    pub stored: String,
}

/// A transfer from another node under way: the `202` answer of
/// `GET /v1/vault/{digest}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FetchView {
    /// The digest being fetched.
    pub digest: String,
    /// Where the transfer stands.
    pub transfer: FetchStatus,
}

/// Where a transfer stands, for the API and the officer's progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum FetchStatus {
    /// Bytes are arriving.
    Fetching {
        /// Bytes received so far.
        received: u64,
        /// The file's length, once a node has answered.
        total: Option<u64>,
        /// Failed attempts so far.
        failed_attempts: u32,
        /// Why the last attempt failed.
        last_error: Option<String>,
    },
    /// Every node that holds it refused this node's organisation.
    Refused {
        /// The holders' reason.
        reason: String,
    },
    /// Given up after repeated failures (asking again starts over).
    Failed {
        /// Failed attempts.
        failed_attempts: u32,
        /// Why the last attempt failed.
        last_error: String,
    },
    /// Stored in this node's vault.
    Done,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The node's 202 answers, as the node wrote them before the type moved
    /// here, read back and written again unchanged.
    #[test]
    fn fetch_views_round_trip_the_nodes_json() {
        let answers = [
            r#"{"digest":"ab","transfer":{"state":"fetching","received":1048576,"total":3145728,"failed_attempts":1,"last_error":"peer went away"}}"#,
            r#"{"digest":"ab","transfer":{"state":"fetching","received":0,"total":null,"failed_attempts":0,"last_error":null}}"#,
            r#"{"digest":"ab","transfer":{"state":"refused","reason":"read_denied"}}"#,
            r#"{"digest":"ab","transfer":{"state":"failed","failed_attempts":5,"last_error":"timeout"}}"#,
            r#"{"digest":"ab","transfer":{"state":"done"}}"#,
        ];
        for answer in answers {
            let view: FetchView = serde_json::from_str(answer).unwrap();
            assert_eq!(serde_json::to_string(&view).unwrap(), answer);
        }
        let view: FetchView = serde_json::from_str(answers[0]).unwrap();
        assert_eq!(
            view.transfer,
            FetchStatus::Fetching {
                received: 1_048_576,
                total: Some(3_145_728),
                failed_attempts: 1,
                last_error: Some("peer went away".into()),
            }
        );
    }
}
