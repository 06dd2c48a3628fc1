//! The answers of `GET /v1/officers/{id}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use xianjie_ledger::model::{Officer, OrgKind};

/// An officer key record, with its organisation's name and kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OfficerView {
    /// The on-chain officer record (id, public_key, org, role, active,
    /// registered_at, revoked_at).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub officer: Officer,
    /// The organisation's official name.
    pub org_name: String,
    /// The organisation's kind.
    #[schema(value_type = String)]
    pub org_kind: OrgKind,
}
