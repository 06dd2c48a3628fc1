//! The answers of `POST /v1/txs`, `POST /v1/txs/batch` and `GET /v1/txs/{hash}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use xianjie_ledger::block::TxOutcome;

use crate::error::ErrorDetail;

/// The body of `POST /v1/txs/batch` as the OpenAPI document shows it
/// (only the document uses this type; the node's handler decodes the body itself).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct TxBatchBytes(pub Vec<u8>);

/// What became of one transaction of a batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchTxView {
    /// Transaction hash, hex; absent when the bytes are not a signed
    /// transaction or were refused before decoding (`mempool_full` when the
    /// mempool was already full as the batch arrived; one that fills up
    /// during the batch names the transactions it refuses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// The HTTP status `POST /v1/txs` answers for this transaction alone:
    /// 202 when admitted (pending), 503 when the mempool is full (send it
    /// again later), otherwise the refusal's status.
    pub status: u16,
    /// Why it was not admitted: the error `POST /v1/txs` answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

/// The answer to `POST /v1/txs/batch`: one result per transaction, in order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchView {
    /// How many transactions were admitted.
    pub admitted: usize,
    /// How many were not.
    pub refused: usize,
    /// Each transaction's outcome, in the order of the batch.
    pub results: Vec<BatchTxView>,
}

/// The body of `POST /v1/txs`: the canonical bytes of a `SignedTx`, as
/// `xianjie` writes them. Only the OpenAPI document uses this type.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct SignedTxBytes(pub Vec<u8>);

/// Whether a transaction is in a block yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TxStatus {
    /// Admitted, waiting for a block.
    Pending,
    /// In a committed block.
    Committed,
}

/// What a committed transaction did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OutcomeView {
    /// Applied.
    Ok,
    /// Refused by a contract; the state is unchanged.
    Error {
        /// The contract's stable code, e.g. `not_holder`.
        code: String,
    },
}

/// A transaction's status (and, once committed, where it is and what it did).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TxView {
    /// Transaction hash, hex.
    pub hash: String,
    /// Pending or committed.
    pub status: TxStatus,
    /// Height of its block, once committed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Position in its block, once committed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Result, once committed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeView>,
    /// The kind of call, e.g. `anchor_evidence` (`GET /v1/txs/{hash}` only).
    /// The call's fields are not shown: this read is unsigned, and they carry
    /// what the policy-gated reads protect (case titles and entities, case
    /// ids, inspection results); read those through the signed endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
}

impl From<TxOutcome> for OutcomeView {
    fn from(outcome: TxOutcome) -> Self {
        match outcome {
            TxOutcome::Ok => OutcomeView::Ok,
            TxOutcome::Error { code } => OutcomeView::Error { code },
        }
    }
}
