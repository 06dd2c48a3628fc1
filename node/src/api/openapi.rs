//! The OpenAPI document, served at `GET /v1/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

use super::{chain, error, evidence, members, receipt, txs};

/// The API description. Ledger types (headers, certificates, transactions)
/// appear as plain objects; their JSON form is the ledger crate's serde form.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Xianjie node API",
        description = "Anchor evidence hashes and chains of custody on the Xianjie ledger, and prove them."
    ),
    paths(
        txs::submit,
        txs::get,
        chain::block,
        chain::status,
        members::orgs,
        members::officer,
        evidence::record,
        evidence::proof,
        receipt::receipt,
        document,
    ),
    components(schemas(
        error::ErrorBody,
        error::ErrorDetail,
        txs::SignedTxBytes,
        txs::TxView,
        txs::TxStatus,
        txs::OutcomeView,
        chain::BlockView,
        chain::StatusView,
        chain::ValidatorView,
        members::OfficerView,
        evidence::EvidenceProof,
        evidence::StateEntryProof,
        evidence::TxInclusion,
    ))
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "the OpenAPI 3.1 document", body = Object))
)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
