//! The OpenAPI document, served at `GET /v1/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    cases, chain, error, evidence, governance, health, inspections, members, receipt, sessions, txs,
};

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
        txs::submit_batch,
        txs::get,
        chain::block,
        chain::status,
        members::orgs,
        members::officer,
        evidence::record,
        evidence::proof,
        receipt::receipt,
        cases::list,
        cases::show,
        cases::actions,
        inspections::list,
        inspections::show,
        inspections::accreditation,
        governance::deadlines,
        governance::policy,
        governance::proposals,
        governance::proposal,
        sessions::create,
        sessions::current,
        sessions::end,
        health::livez,
        health::readyz,
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
        cases::CaseList,
        cases::CaseSummary,
        cases::CaseDetail,
        cases::AttachmentView,
        cases::CaseEvidence,
        cases::ActionsView,
        cases::ActionView,
        inspections::InspectionList,
        inspections::InspectionView,
        governance::DeadlinesView,
        governance::PolicyView,
        governance::ProposalsView,
        sessions::NewSession,
        sessions::CurrentSession,
        sessions::SessionOfficer,
        health::Liveness,
        health::Readiness,
        health::ReadinessCheck,
    )),
    modifiers(&SignedReads)
)]
pub struct ApiDoc;

/// Declares the `signed_read` security scheme: reads of cases, evidence and
/// inspections carry `X-Xianjie-Key`, `X-Xianjie-Time` and
/// `X-Xianjie-Signature` (see `xianjie_ledger::read_auth`).
struct SignedReads;

impl Modify for SignedReads {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "signed_read",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Xianjie-Signature",
                "ed25519 signature (ZIP 215), hex, by an active officer key over \
                 BLAKE3 derive_key(\"xianjie 2026-11 api read request v1\") of \
                 u64be(len) ‖ chain_id ‖ u64be(len) ‖ method ‖ u64be(len) ‖ path-and-query ‖ u64be(time_ms); \
                 with headers X-Xianjie-Key (public key, hex) and X-Xianjie-Time (Unix ms, within ±5 minutes of the node's clock). \
                 401 unsigned_read / bad_read_signature / stale_read; 403 read_denied when the policy set refuses action `read`.",
            ))),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A web console session token (64 hex characters) from POST /v1/sessions \
                         (`xianjie login`), valid 30 minutes, kept in the node's memory only. \
                         Accepted wherever `signed_read` is, in its place; reads by token pass the \
                         same officer checks and policies. 401 bad_session when unknown or expired.",
                    ))
                    .build(),
            ),
        );
    }
}

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
