//! The answers of `GET /livez` and `GET /readyz`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `GET /livez` answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Liveness {
    /// Always true: an answer at all means the process is up.
    pub live: bool,
}

/// `GET /readyz` answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// Whether every check passes (then the status is 200, else 503).
    pub ready: bool,
    /// Every check, in order: `store`, `consensus_listening` (network
    /// nodes only), `caught_up`.
    pub checks: Vec<ReadinessCheck>,
}

/// One condition of readiness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReadinessCheck {
    /// `store`, `consensus_listening` or `caught_up`.
    pub name: String,
    /// Whether it holds.
    pub ok: bool,
    /// What was found, and when it fails, what it means.
    pub detail: String,
}

impl ReadinessCheck {
    /// A check named `name`.
    pub fn new(name: &str, ok: bool, detail: String) -> Self {
        ReadinessCheck {
            name: name.to_owned(),
            ok,
            detail,
        }
    }
}
