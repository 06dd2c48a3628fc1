//! The answers of `POST /v1/sessions`, `GET /v1/sessions/current`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new session: the token and who it signs in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewSession {
    /// The bearer token, 64 hex characters. Shown once; keep it secret.
    pub token: String,
    /// When it expires (Unix ms, the node's clock).
    pub expires_at_ms: u64,
    /// The session's officer.
    pub officer: SessionOfficer,
}

/// The officer a session acts for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionOfficer {
    /// Key id, hex.
    pub id: String,
    /// Organisation id.
    pub org: String,
    /// The organisation's official name.
    pub org_name: String,
    /// The organisation's kind (`administrative_agency`, `police`, …,
    /// `government_office`).
    pub org_kind: String,
    /// `officer`, `head` or `admin`.
    pub role: String,
}

/// The current session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CurrentSession {
    /// When it expires (Unix ms, the node's clock).
    pub expires_at_ms: u64,
    /// The node's clock now (Unix ms), so that a browser can count down
    /// without trusting its own clock.
    pub now_ms: u64,
    /// The session's officer.
    pub officer: SessionOfficer,
}
