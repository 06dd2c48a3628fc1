//! `GET /v1/stats`, `GET /v1/bulletins` and `GET /v1/bulletins/{id}`:
//! supervision statistics computed from the chain at a height, and the
//! bulletins (通报) that anchor their digests.
//!
//! The table is `xianjie_contracts::stats::compute` over the state as it
//! was after block `height` (the store keeps every version of the state
//! tree, [`Store::state_value_at`]) and that block's time, so every node
//! answers the same numbers and digest for the same height and scope.
//!
//! A statistics read is signed and passes the policy set with action
//! `read-stats` on the scope (by default: an organisation's own slice, a
//! procuratorate's or a people's government's region). A bulletin is public once anchored: its route
//! recomputes the table at the bulletin's height with its scope and says
//! whether the digest matches, for anyone to check.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use xianjie_contracts::{bulletin, stats, ContractError};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::state::StateView;
use xianjie_ledger::stats::{StatsScope, StatsTable};
use xianjie_store::Store;

use super::auth::{internal, Reader};
use super::{ApiError, AppState, ErrorBody, Shared};
pub use xianjie_api::stats::{
    BulletinCheck, BulletinList, BulletinView, OverdueView, ScopeView, StageDaysView, StatsRowView,
    StatsView,
};

/// Filters of `GET /v1/stats`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct StatsQuery {
    /// The height to count at (default: the latest).
    pub height: Option<u64>,
    /// Only cases in which this organisation is a party.
    pub org: Option<String>,
    /// Only cases of this six-digit division code.
    pub region: Option<String>,
    /// Only cases of this domain, e.g. `food_drug`.
    pub domain: Option<String>,
    /// First day counted, `yyyymmdd` (China local time, inclusive).
    pub from: Option<u32>,
    /// Last day counted, `yyyymmdd` (inclusive).
    pub to: Option<u32>,
}

/// The state as it was after one block (also read by `GET /v1/events`).
pub(super) struct StateAt<'a> {
    pub(super) store: &'a Store,
    pub(super) height: u64,
}

impl StateView for StateAt<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        // As for the store's own view: a read that fails has no honest answer.
        self.store
            .state_value_at(key, self.height)
            .expect("state read failed: the database is unreadable, stopping")
    }
}

/// The block time of `height` (the genesis time at 0), or `unknown_block`
/// past the tip.
fn time_at(shared: &Shared, height: u64, tip: u64) -> Result<u64, ApiError> {
    if height > tip {
        return Err(ApiError::UnknownBlock { height, tip });
    }
    if height == 0 {
        return Ok(shared.genesis.genesis_time_ms);
    }
    shared
        .store
        .header(height)
        .map_err(|error| ApiError::Internal(format!("reading header {height}: {error}")))?
        .map(|header| header.time_ms)
        .ok_or(ApiError::UnknownBlock { height, tip })
}

/// The table of `scope` at `height`.
fn table_at(
    shared: &Shared,
    scope: &StatsScope,
    height: u64,
    tip: u64,
) -> Result<StatsTable, ApiError> {
    let at_ms = time_at(shared, height, tip)?;
    let view = StateAt {
        store: &shared.store,
        height,
    };
    stats::compute(&view, scope, height, at_ms).map_err(|error| match error {
        ContractError::InvalidField { .. } => ApiError::BadQuery(error.to_string()),
        other => internal(other),
    })
}

fn scope_of(query: &StatsQuery) -> Result<StatsScope, ApiError> {
    let scope = StatsScope {
        org: query
            .org
            .as_deref()
            .map(OrgId::new)
            .transpose()
            .map_err(|error| ApiError::BadQuery(format!("org: {error}")))?,
        region: query.region.clone(),
        domain: query.domain.clone(),
        from: query.from,
        to: query.to,
    };
    stats::check_scope(&scope).map_err(|error| ApiError::BadQuery(error.to_string()))?;
    Ok(scope)
}

/// Step 4 for statistics: may `reader` read the slice?
fn authorize_stats(shared: &Shared, reader: &Reader, scope: &StatsScope) -> Result<(), ApiError> {
    let (policies, store) = (&*shared.policies, &shared.store);
    match xianjie_contracts::policy::authorize_stats_read(policies, store, &reader.officer.id, scope)
    {
        Ok(()) => Ok(()),
        Err(ContractError::PolicyDenied { .. }) => Err(ApiError::ReadDenied {
            what: format!("the statistics of scope {} (action `read-stats`)", scope.describe()),
            who: reader.describe(),
            policies: "`read-stats-own` (an organisation's own slice: org=<its id>), `read-stats-regional-procuratorate` and `read-stats-regional-government` (a procuratorate's or a people's government's region: region=<its division code>) in the default set",
        }),
        Err(
            error @ (ContractError::UnknownSigner { .. } | ContractError::RevokedSigner { .. }),
        ) => Err(ApiError::UnknownReader {
            code: error.code(),
            id: reader.officer.id.to_hex(),
        }),
        Err(other) => Err(internal(other)),
    }
}

/// Supervision statistics of a scope at a height: counts per owning agency,
/// region and domain, median days per stage, overdue duties, flags, and the
/// table's digest (what a bulletin anchors).
#[utoipa::path(
    get,
    path = "/v1/stats",
    tag = "stats",
    params(StatsQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "the table", body = StatsView),
        (status = 400, description = "bad_query", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "unknown_block: the height is past the tip", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    )
)]
pub async fn stats(
    State(state): State<AppState>,
    reader: Reader,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Json<StatsView>, ApiError> {
    let query = query?.0;
    let scope = scope_of(&query)?;
    let tip = state.tip().height;
    let height = query.height.unwrap_or(tip);
    state
        .blocking(move |shared| {
            authorize_stats(shared, &reader, &scope)?;
            let table = table_at(shared, &scope, height, tip)?;
            Ok(StatsView::from_table(&table))
        })
        .await
        .map(Json)
}

/// Every published bulletin, in publication order.
#[utoipa::path(
    get,
    path = "/v1/bulletins",
    tag = "stats",
    responses((status = 200, description = "the bulletins", body = BulletinList))
)]
pub async fn bulletins(State(state): State<AppState>) -> Result<Json<BulletinList>, ApiError> {
    let tip = state.tip().height;
    state
        .blocking(move |shared| {
            let store = &shared.store;
            let mut out = Vec::new();
            for id in bulletin::bulletins(store).map_err(internal)? {
                if let Some(record) = bulletin::bulletin(store, &id).map_err(internal)? {
                    out.push(BulletinView::from_bulletin(&record));
                }
            }
            Ok(BulletinList {
                height: tip,
                bulletins: out,
            })
        })
        .await
        .map(Json)
}

/// A bulletin, with its table recomputed at its height with its scope and
/// whether the digests match.
#[utoipa::path(
    get,
    path = "/v1/bulletins/{id}",
    tag = "stats",
    params(("id" = String, Path, description = "bulletin id, `BUL-` and 16 hex characters")),
    responses(
        (status = 200, description = "the bulletin and its recomputed table", body = BulletinCheck),
        (status = 400, description = "bad_path", body = ErrorBody),
        (status = 404, description = "unknown_bulletin", body = ErrorBody),
    )
)]
pub async fn bulletin(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<BulletinCheck>, ApiError> {
    let id = id?.0;
    let tip = state.tip().height;
    state
        .blocking(move |shared| {
            let record = bulletin::bulletin(&shared.store, &id)
                .map_err(internal)?
                .ok_or_else(|| ApiError::UnknownBulletin(id.clone()))?;
            let table = table_at(shared, &record.scope, record.height, tip)?;
            Ok(BulletinCheck {
                matches: table.digest() == record.digest,
                bulletin: BulletinView::from_bulletin(&record),
                table: StatsView::from_table(&table),
            })
        })
        .await
        .map(Json)
}
