//! The answers of `GET /v1/draws…`: inspection items, a department's
//! inspector directory, entity snapshots and random draws (双随机、一公开;
//! docs/draw.md §11). All are every member's to read.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One draw with what a re-run needs besides the entity rows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DrawView {
    /// The draw (the ledger's `RandomDraw`).
    #[schema(value_type = Object)]
    pub draw: serde_json::Value,
    /// The inspector rows it reads (`InspectorRow`s, sorted by key id).
    #[schema(value_type = Vec<Object>)]
    pub inspectors: Vec<serde_json::Value>,
    /// The entity snapshot it reads (the ledger's `EntitySnapshot`).
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
    /// Published results (`InspectionOutcome`s), by inspection number.
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<serde_json::Value>,
    /// The block time the state is read at (Unix ms).
    pub at_ms: u64,
    /// The deadline the draw waits against (commitments or reveals), or the
    /// results' due time once drawn.
    pub due_at_ms: Option<u64>,
    /// Whether that deadline passed with work still missing.
    pub overdue: bool,
}

/// One line of the list of draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DrawSummary {
    /// The draw's id.
    pub id: String,
    /// The inspection item codes.
    pub items: Vec<String>,
    /// Where it stands (`committing`, …, `drawn`, `failed`).
    pub state: String,
    /// The department whose officer planned it.
    pub planned_by: String,
    /// Its departments.
    pub departments: Vec<String>,
    /// Inspections drawn (0 before the seed is known).
    pub inspections: usize,
    /// When it was planned (Unix ms).
    pub time_ms: u64,
}

/// The newest draws.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DrawList {
    /// The height read.
    pub height: u64,
    /// Draws, newest first.
    pub draws: Vec<DrawSummary>,
    /// Whether these are all draws (only the newest 500 are listed).
    pub complete: bool,
}

/// The inspection-item list (抽查事项清单).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ItemList {
    /// Items (`InspectionItem`s), in the order first set.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

/// A department's inspector directory (执法检查人员名录库).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InspectorList {
    /// The department.
    pub org: String,
    /// Its inspectors (`DirectoryInspector`s), in the order first set.
    #[schema(value_type = Vec<Object>)]
    pub inspectors: Vec<serde_json::Value>,
}

/// A department's entity snapshots, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SnapshotList {
    /// The department.
    pub org: String,
    /// Snapshots (`EntitySnapshot`s), newest first.
    #[schema(value_type = Vec<Object>)]
    pub snapshots: Vec<serde_json::Value>,
}
