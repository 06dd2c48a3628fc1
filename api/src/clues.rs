//! The answers of `GET /v1/clues` and `GET /v1/clues/{id}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A clue, its running clocks and what finally became of it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClueView {
    /// The clue (the ledger's `Clue`).
    #[schema(value_type = Object)]
    pub clue: serde_json::Value,
    /// Its running clocks at the latest block time (`CLUE_RESPONSE`,
    /// `CLUE_DECISION`), each with its due time and whether it is overdue.
    #[schema(value_type = Vec<Object>)]
    pub clocks: Vec<serde_json::Value>,
    /// Whether a clock is overdue.
    pub overdue: bool,
    /// Where the clue ended up, following its forwards: the last clue's id.
    pub final_clue: String,
    /// That clue's receiver.
    pub final_org: String,
    /// That clue's state (`sent`, `accepted`, `converted`, `not-actionable`).
    pub final_state: String,
    /// The case it became, if it did.
    pub final_case: Option<String>,
}

/// The clues of the reader's organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClueList {
    /// The reader's organisation.
    pub org: String,
    /// The height read.
    pub height: u64,
    /// The block time the clocks are evaluated at (Unix ms).
    pub at_ms: u64,
    /// Matching clues, newest first (at most `limit`).
    pub clues: Vec<ClueView>,
    /// How many of the examined clues matched.
    pub total: usize,
    /// Whether every clue of the organisation was examined (only the
    /// newest 5,000 are).
    pub complete: bool,
}
