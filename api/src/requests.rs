//! The answers of `GET /v1/requests` and `GET /v1/requests/{id}`, and the
//! requests a case shows (`CaseDetail::requests`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A request between organs with its running clock.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestView {
    /// The request (the ledger's `OrganRequest`).
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// Its running clock at the latest block time while it is open
    /// (`CONSULTATION_ANSWER` or `ASSISTANCE_ANSWER`), with its due time.
    #[schema(value_type = Vec<Object>)]
    pub clocks: Vec<serde_json::Value>,
    /// Whether the clock is overdue.
    pub overdue: bool,
}

/// The requests of the reader's organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestList {
    /// The reader's organisation.
    pub org: String,
    /// The height read.
    pub height: u64,
    /// The block time the clocks are evaluated at (Unix ms).
    pub at_ms: u64,
    /// Matching requests, newest first (at most `limit`).
    pub requests: Vec<RequestView>,
    /// How many of the examined requests matched.
    pub total: usize,
    /// Whether every request of the organisation was examined (only the
    /// newest 5,000 are).
    pub complete: bool,
}
