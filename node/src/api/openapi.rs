//! The OpenAPI document, served at `GET /v1/openapi.json`.

use axum::http::Method;
use axum::Json;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, PathItem, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::{
    cases, chain, checkpoints, clues, draws, error, events, evidence, governance, health, history,
    inspections, members, receipt, requests, sessions, stats, supervision, txs, vault, Group,
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
        supervision::facts,
        supervision::flags,
        supervision::threshold_rules,
        supervision::names,
        clues::list,
        clues::show,
        requests::list,
        requests::show,
        draws::list,
        draws::show,
        draws::items,
        draws::inspectors,
        draws::snapshots,
        inspections::list,
        inspections::show,
        inspections::accreditation,
        governance::deadlines,
        governance::policy,
        governance::proposals,
        governance::proposal,
        stats::stats,
        events::events,
        history::consistency,
        checkpoints::latest,
        checkpoints::cosign,
        checkpoints::witnessed,
        checkpoints::timestamped,
        history::inclusion,
        history::validator_changes,
        stats::bulletins,
        stats::bulletin,
        sessions::create,
        sessions::current,
        sessions::end,
        vault::upload,
        vault::download,
        health::livez,
        health::readyz,
        document,
        chain::metrics,
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
        cases::ActionStanding,
        supervision::FlagList,
        supervision::FlagView,
        supervision::RuleMatchView,
        supervision::FactView,
        supervision::RecordedFactView,
        supervision::PenaltyView,
        supervision::CaseFactsView,
        supervision::ThresholdRuleList,
        supervision::ThresholdRuleView,
        supervision::NamesView,
        supervision::NameView,
        clues::ClueList,
        clues::ClueView,
        requests::RequestList,
        requests::RequestView,
        draws::DrawList,
        draws::DrawSummary,
        draws::DrawView,
        draws::ItemList,
        draws::InspectorList,
        draws::SnapshotList,
        inspections::InspectionList,
        inspections::InspectionView,
        governance::DeadlinesView,
        governance::PolicyView,
        governance::ProposalsView,
        stats::StatsView,
        events::EventPage,
        history::ConsistencyView,
        checkpoints::CheckpointView,
        checkpoints::CosignedView,
        checkpoints::WitnessedView,
        checkpoints::TimestampedView,
        checkpoints::OrgTimestampsView,
        checkpoints::TimestampRecordView,
        history::HistoryInclusionView,
        history::ValidatorChangesView,
        events::EventView,
        events::EventKind,
        events::CaseAfterBlock,
        stats::ScopeView,
        stats::StatsRowView,
        stats::StageDaysView,
        stats::OverdueView,
        stats::BulletinView,
        stats::BulletinList,
        stats::BulletinCheck,
        sessions::NewSession,
        sessions::CurrentSession,
        sessions::SessionOfficer,
        vault::VaultFileView,
        vault::FetchView,
        health::Liveness,
        health::Readiness,
        health::ReadinessCheck,
    )),
    modifiers(&SignedReads, &EveryRouteAnswers)
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
                 with headers X-Xianjie-Key (public key, hex) and X-Xianjie-Time (Unix ms, at most 5 minutes behind \
                 and 30 seconds ahead of the node's clock). Each signed request is accepted once: sign every request anew. \
                 401 unsigned_read / bad_read_signature / stale_read / future_read / replayed_read; \
                 403 unknown_signer / revoked_signer, read_denied when the policy set refuses action `read`; \
                 503 signed_reads_busy when the node's memory of fresh signed reads is full.",
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

/// What any route may answer besides its own statuses: 500 `internal`, and
/// 408 `request_timeout` for those under the request timeout (all but the
/// vault's, [`Group::Streaming`]). Added here, from the route table, rather
/// than on every handler.
struct EveryRouteAnswers;

impl Modify for EveryRouteAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for route in super::routes() {
            let Some(operation) = openapi
                .paths
                .paths
                .get_mut(route.path)
                .and_then(|item| operation_mut(item, &route.method))
            else {
                continue;
            };
            add_error(
                operation,
                "500",
                "internal: the node failed; details are in its log",
            );
            if route.group != Group::Streaming {
                add_error(
                    operation,
                    "408",
                    "request_timeout: the request took longer than api.request_timeout",
                );
            }
        }
    }
}

/// The operation of `item` for `method`, if documented.
fn operation_mut<'a>(item: &'a mut PathItem, method: &Method) -> Option<&'a mut Operation> {
    match *method {
        Method::GET => item.get.as_mut(),
        Method::POST => item.post.as_mut(),
        Method::PUT => item.put.as_mut(),
        Method::DELETE => item.delete.as_mut(),
        Method::PATCH => item.patch.as_mut(),
        Method::HEAD => item.head.as_mut(),
        Method::OPTIONS => item.options.as_mut(),
        _ => None,
    }
}

/// Adds an error answer with the [`error::ErrorBody`] schema, unless the
/// handler documents that status itself.
fn add_error(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
                .into()
        });
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
