//! The answers of `PUT /v1/vault`.

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
