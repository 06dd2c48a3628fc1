//! The answers of `GET /v1/deadlines`, `GET /v1/policy` and `GET /v1/governance/proposals[/{id}]`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The statutory deadline rules and how days are counted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeadlinesView {
    /// The rules (DOMAIN Appendix A): `{id, scope, on, start, stop, limit, unit, kind, actor, source, verified, overrides}`.
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<serde_json::Value>,
    /// Day counting (`start_day_excluded`, `holiday_roll_over`).
    #[schema(value_type = Object)]
    pub counting: serde_json::Value,
    /// Holidays and 调休 make-up working days (`yyyymmdd`).
    #[schema(value_type = Object)]
    pub calendar: serde_json::Value,
}

/// The policy set in force.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PolicyView {
    /// The Cedar policy text.
    pub policy_set: String,
    /// Whether it is the default policy set.
    pub is_default: bool,
    /// BLAKE3 of the text, hex.
    pub digest: String,
    /// The Cedar schema policies are validated against.
    pub schema: String,
}

/// Governance proposals and how many approvals one needs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalsView {
    /// Approvals (M) a proposal needs now.
    pub required_approvals: usize,
    /// The current height (proposals expire after `expires_height`).
    pub height: u64,
    /// Every proposal, oldest first (the ledger's `Proposal`).
    #[schema(value_type = Vec<Object>)]
    pub proposals: Vec<serde_json::Value>,
}
