//! Procuratorial supervision reads: `GET /v1/supervision/flags`,
//! `GET /v1/cases/{id}/facts`, `GET /v1/threshold-rules`, and the name
//! tables `GET /v1/names`.
//!
//! A flag and a case's facts are readable by whoever may read the case: each
//! passes the on-chain policy set with action `read` on its case, through
//! [`authorize`] and [`may_read`] like every other case read. Days are
//! counted to the latest block time, never to the node's wall clock.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use xianjie_contracts::{index, ReadResource};
use xianjie_ledger::codec::{decode, Canonical};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::ids::{is_case_reference, CaseId};
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::supervision::{CaseFacts, FlagKind, SupervisionFlag, ThresholdRule};
use xianjie_store::Store;

use super::auth::{authorize, internal, may_read, Reader};
use super::{ApiError, AppState, ErrorBody};
pub use xianjie_api::names::{NameView, NamesView};
pub use xianjie_api::supervision::{
    CaseFactsView, FactView, FlagList, FlagView, PenaltyView, RecordedFactView, RuleMatchView,
    ThresholdRuleList, ThresholdRuleView,
};

/// Most flags one answer lists (`limit`'s default and ceiling).
pub const MAX_FLAGS: usize = 500;

/// Filters of `GET /v1/supervision/flags`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct FlagQuery {
    /// Only flags of cases owned by agencies of this division code (6 digits).
    pub region: Option<String>,
    /// Only flags of cases owned by this organisation.
    pub org: Option<String>,
    /// Only the flags of this case (its id, `CASE-` and 16 hex characters).
    #[param(value_type = Option<String>)]
    pub case: Option<CaseId>,
    /// Only open flags (`true`) or only resolved ones (`false`).
    pub open: Option<bool>,
    /// At most this many flags, newest first (1–500, default 500).
    pub limit: Option<usize>,
}

/// A stored record, decoded; `None` when the key is empty.
fn record<T: Canonical>(store: &Store, key: &[u8]) -> Result<Option<T>, ApiError> {
    let Some(bytes) = store.get(key) else {
        return Ok(None);
    };
    decode(&bytes).map(Some).map_err(|error| {
        ApiError::Internal(format!("reading {}: {error}", String::from_utf8_lossy(key)))
    })
}

fn entries(store: &Store, name: &[u8]) -> Result<Vec<String>, ApiError> {
    index::text_entries(store, name).map_err(internal)
}

/// The stored flags a query may answer before its filters: one case's (its
/// keys, one per kind), a region's (its index) or every flag (the index).
fn candidate_flags(
    store: &Store,
    region: Option<&str>,
    case: Option<&CaseId>,
) -> Result<Vec<SupervisionFlag>, ApiError> {
    if let Some(case_id) = case {
        let mut flags = Vec::new();
        for kind in FlagKind::ALL {
            if let Some(flag) = record(store, &keys::flag(case_id, kind.name()))? {
                flags.push(flag);
            }
        }
        return Ok(flags);
    }
    let index = match region {
        Some(region) => keys::index::region_flags(region),
        None => keys::index::FLAGS.to_vec(),
    };
    let mut flags = Vec::new();
    for entry in entries(store, &index)? {
        let Some((case_id, kind)) = entry.rsplit_once('/') else {
            continue;
        };
        if let Some(flag) = record(store, &keys::flag(&CaseId::from(case_id), kind))? {
            flags.push(flag);
        }
    }
    Ok(flags)
}

/// The supervision flags of the cases the signing officer may read, newest
/// first: kind (以罚代刑 / 有案不移), the rules met with the facts that met
/// them, owner, region, domain, when raised, days since, and resolution.
#[utoipa::path(
    get,
    path = "/v1/supervision/flags",
    tag = "supervision",
    params(FlagQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the flags", body = FlagList),
        (status = 400, description = "bad_query: region is not 6 digits, org is not an organisation id, case is not a case id, limit is not 1–500, or a value is malformed", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn flags(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<FlagQuery>, QueryRejection>,
) -> Result<Json<FlagList>, ApiError> {
    let query = query?.0;
    let region = query.region.clone();
    if let Some(region) = &region {
        if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::BadQuery(format!(
                "region {region:?} is not a 6-digit division code"
            )));
        }
    }
    let org = query
        .org
        .as_deref()
        .map(|text| {
            OrgId::new(text).map_err(|error| ApiError::BadQuery(format!("org {text:?}: {error}")))
        })
        .transpose()?;
    if let Some(case) = &query.case {
        if !is_case_reference(case) {
            return Err(ApiError::BadQuery(format!(
                "case {case:?} is not a case id"
            )));
        }
    }
    let limit = query.limit.unwrap_or(MAX_FLAGS);
    if !(1..=MAX_FLAGS).contains(&limit) {
        return Err(ApiError::BadQuery(format!(
            "limit {limit} is not between 1 and {MAX_FLAGS}"
        )));
    }
    let tip = state.tip();
    let at_ms = tip.time_ms;
    let flags = state
        .blocking(move |shared| {
            let store = &shared.store;
            let mut out = Vec::new();
            for flag in candidate_flags(store, region.as_deref(), query.case.as_ref())? {
                if org.as_ref().is_some_and(|org| *org != flag.owner)
                    || region.as_ref().is_some_and(|region| *region != flag.region)
                    || query
                        .open
                        .is_some_and(|open| open != flag.resolved_height.is_none())
                {
                    continue;
                }
                if !may_read(shared, &reader, &ReadResource::Case(flag.case_id.clone()))? {
                    continue;
                }
                out.push(FlagView::new(&flag, at_ms));
            }
            out.sort_by(|a, b| {
                (b.raised_height, &a.case_id, &a.kind).cmp(&(a.raised_height, &b.case_id, &b.kind))
            });
            out.truncate(limit);
            Ok(out)
        })
        .await?;
    Ok(Json(FlagList {
        height: tip.height,
        at_ms,
        flags,
    }))
}

/// A case's key facts (with units and evidence digests), penalty decisions
/// and the threshold rules they met at the last evaluation. Readable by
/// whoever may read the case; a case with no facts recorded answers empty
/// lists.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}/facts",
    tag = "supervision",
    params(("id" = String, Path, description = "case id, `CASE-` and 16 hex characters")),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the case's facts", body = CaseFactsView),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "unknown_case", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn facts(
    State(state): State<AppState>,
    reader: Reader,
    id: Result<Path<CaseId>, PathRejection>,
) -> Result<Json<CaseFactsView>, ApiError> {
    let id = id?.0;
    let height = state.tip().height;
    state
        .blocking(move |shared| {
            let case = authorize(shared, &reader, &ReadResource::Case(id.clone()))?
                .into_case()
                .ok_or_else(|| ApiError::UnknownCase(id.clone()))?;
            let facts = record::<CaseFacts>(&shared.store, &keys::case_facts(&case.id))?
                .unwrap_or_else(|| CaseFacts {
                    case_id: case.id.clone(),
                    ..CaseFacts::default()
                });
            Ok(CaseFactsView::new(height, &facts))
        })
        .await
        .map(Json)
}

/// The threshold rules on chain (DOMAIN §g), by id, with their predicates
/// as data. Public: they are law, not case data.
#[utoipa::path(
    get,
    path = "/v1/threshold-rules",
    tag = "supervision",
    responses((status = 200, description = "the rules", body = ThresholdRuleList))
)]
pub async fn threshold_rules(
    State(state): State<AppState>,
) -> Result<Json<ThresholdRuleList>, ApiError> {
    let height = state.tip().height;
    state
        .blocking(move |shared| {
            let store = &shared.store;
            let mut rules = Vec::new();
            for id in entries(store, keys::index::THRESHOLD_RULES)? {
                if let Some(rule) = record::<ThresholdRule>(store, &keys::threshold_rule(&id))? {
                    rules.push(ThresholdRuleView::new(&rule));
                }
            }
            rules.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
            Ok(ThresholdRuleList { height, rules })
        })
        .await
        .map(Json)
}

/// The Chinese and English names of every state, action, deadline rule,
/// domain, outcome, attachment kind, clock actor, flag, fact kind and
/// penalty kind (`xianjie_api::names`). The web console shows these.
#[utoipa::path(
    get,
    path = "/v1/names",
    tag = "rules",
    responses((status = 200, description = "the name tables", body = NamesView))
)]
pub async fn names() -> Json<NamesView> {
    Json(NamesView::all())
}

#[cfg(test)]
mod tests {
    use xianjie_api::names::{lookup, ACTIONS, DEADLINE_RULES};
    use xianjie_contracts::case::table::OPEN_CASE;
    use xianjie_contracts::case::transitions;

    /// Every action of the contracts' table has a name: a new row without
    /// one fails here.
    #[test]
    fn every_action_of_the_table_has_a_name() {
        assert!(lookup(ACTIONS, OPEN_CASE).is_some());
        for row in transitions() {
            assert!(
                lookup(ACTIONS, row.action).is_some(),
                "action {} has no name in xianjie_api::names::ACTIONS",
                row.action
            );
        }
    }

    /// Every deadline rule the actions name (extensions, pauses) and every
    /// rule of the default parameters has a name.
    #[test]
    fn every_deadline_rule_has_a_name() {
        let params = xianjie_ledger::params::Params::default();
        for rule in &params.deadlines {
            assert!(
                lookup(DEADLINE_RULES, &rule.id).is_some(),
                "{} has no name",
                rule.id
            );
            if let Some(extension) = &rule.extension {
                assert!(
                    lookup(ACTIONS, &extension.action).is_some(),
                    "{}",
                    extension.action
                );
            }
            if let Some(pause) = &rule.pause {
                assert!(
                    lookup(ACTIONS, &pause.suspend).is_some(),
                    "{}",
                    pause.suspend
                );
                assert!(lookup(ACTIONS, &pause.resume).is_some(), "{}", pause.resume);
            }
        }
    }
}
