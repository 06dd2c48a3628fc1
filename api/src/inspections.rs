//! The answers of `GET /v1/inspections` and `GET /v1/inspections/{id}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An inspection result and where it stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InspectionView {
    /// The result (the ledger's `Inspection`).
    #[schema(value_type = Object)]
    pub inspection: serde_json::Value,
    /// Whether it may be recognised at the latest block time: a certified
    /// laboratory in scope on the report date, objection window closed, not
    /// expired, not disputed.
    pub valid: bool,
    /// Whether another organisation recognised it (互认).
    pub recognised: bool,
    /// Organisations that recognised it.
    pub recognised_by: Vec<String>,
    /// Organisations that dispute it.
    pub disputed_by: Vec<String>,
    /// Why it is not valid (empty if it is), e.g. `{"problem": "out_of_scope"}`.
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<serde_json::Value>,
    /// The same, for people.
    pub problem_texts: Vec<String>,
}

/// Results for an entity.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InspectionList {
    /// The entity asked about.
    pub entity: String,
    /// The matter asked about, if any.
    pub matter: Option<String>,
    /// The height read.
    pub height: u64,
    /// The block time validity is evaluated at (Unix ms).
    pub at_ms: u64,
    /// The results the officer may read, oldest first.
    pub results: Vec<InspectionView>,
}
