//! The HTTP API: JSON under `/v1`, described by the OpenAPI document at
//! `GET /v1/openapi.json`.
//!
//! Handlers never touch sled on the async executor: each one does its reads
//! in a single [`AppState::blocking`] call. Every error is an [`ApiError`].

mod admin_chain;
pub mod auth;
mod cases;
mod chain;
pub mod checkpoints;
mod clues;
mod draws;
mod error;
mod events;
mod evidence;
mod governance;
mod health;
mod history;
mod inspections;
mod listing;
mod members;
mod openapi;
mod receipt;
pub mod replay;
mod requests;
pub mod sessions;
mod stats;
mod supervision;
mod txs;
mod vault;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{Method, Request as HttpRequest};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use tokio::sync::watch;
use tower_http::trace::TraceLayer;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::tx::MAX_TX_BYTES;
use xianjie_ledger::Hash;
use xianjie_store::Store;

pub use chain::{BlockView, StatusView, ValidatorView};
pub use error::{ApiError, ErrorBody, ErrorCode, ErrorDetail};
pub use events::{CaseAfterBlock, Cursor, EventKind, EventPage, EventView};
pub use evidence::{EvidenceProof, StateEntryProof, TxInclusion};
pub use health::{Liveness, Readiness, ReadinessCheck};
pub use members::OfficerView;
pub use openapi::ApiDoc;
pub use txs::{OutcomeView, SignedTxBytes, TxStatus, TxView};
pub use xianjie_api::evidence::{ProofFailure, VerifiedEvidence};

use crate::chain::Tip;
use crate::config::ApiConfig;
use crate::mempool::Mempool;

/// Body limit of `POST /v1/txs`: the largest transaction plus slack, so that
/// a body just over the transaction limit reaches the handler and gets the
/// same `body_too_large` answer with the exact limit, and anything much larger
/// is cut off while streaming.
pub const TX_BODY_LIMIT: usize = MAX_TX_BYTES + 1024;

/// What every handler can reach.
pub struct Shared {
    /// The node's policy engine (read authorisation, dry runs, admission).
    pub policies: Arc<xianjie_contracts::policy::PolicyEngine>,
    /// The store (read only here; the producer writes).
    pub store: Store,
    /// The genesis document.
    pub genesis: Arc<Genesis>,
    /// Its hash, computed once.
    pub genesis_hash: Hash,
    /// Pending transactions.
    pub mempool: Arc<Mempool>,
    /// The node's clock (admission, sessions, signed-read windows, readiness).
    pub clock: crate::clock::SharedClock,
    /// The latest committed tip.
    pub tip: watch::Receiver<Tip>,
    /// Timeouts.
    pub config: ApiConfig,
    /// Peers and sync state of a network node (`None` for the dev node).
    pub network: Option<Arc<crate::status::NetworkStatus>>,
    /// The evidence vault.
    pub vault: crate::vault::Vault,
    /// Fetches evidence files from other nodes (`None` for the dev node,
    /// which has no peers).
    pub fetcher: Option<Arc<crate::vault::transfer::Fetcher>>,
    /// Free space on the store's disk: below the reserve no transaction is
    /// admitted.
    pub disk: crate::disk::DiskStatus,
    /// The witnesses whose cosignatures of checkpoints this node keeps
    /// (`HOME/witnesses.txt`, [`checkpoints::read_witnesses`]).
    pub witnesses: Arc<[xianjie_ledger::checkpoint::VerifierKey]>,
}

/// The handlers' shared state.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    read_max_skew_ms: u64,
    read_max_future_skew_ms: u64,
    sessions: Arc<sessions::SessionStore>,
    replay: Arc<replay::ReplayGuard>,
    event_streams: Arc<events::EventStreams>,
}

impl AppState {
    /// Wraps the shared parts.
    pub fn new(shared: Shared) -> Self {
        AppState {
            shared: Arc::new(shared),
            read_max_skew_ms: xianjie_ledger::read_auth::DEFAULT_MAX_SKEW_MS,
            read_max_future_skew_ms: xianjie_ledger::read_auth::DEFAULT_MAX_FUTURE_SKEW_MS,
            sessions: Arc::new(sessions::SessionStore::new()),
            replay: Arc::new(replay::ReplayGuard::default()),
            event_streams: Arc::new(events::EventStreams::default()),
        }
    }

    /// The signed reads accepted and still fresh, refused if sent again.
    pub fn replay_guard(&self) -> &replay::ReplayGuard {
        &self.replay
    }

    /// Remembers at most `capacity` fresh signed reads (default
    /// [`replay::DEFAULT_REPLAY_CAPACITY`]); past that, new signed reads are
    /// refused until the oldest go stale. Starts with an empty memory.
    pub fn with_read_replay_capacity(mut self, capacity: usize) -> Self {
        self.replay = Arc::new(replay::ReplayGuard::new(capacity));
        self
    }

    /// The open `GET /v1/events` streams; [`events::EventStreams::close_all`]
    /// ends them when the node stops.
    pub fn event_streams(&self) -> &Arc<events::EventStreams> {
        &self.event_streams
    }

    /// The web console's live sessions (in memory only).
    pub fn sessions(&self) -> &sessions::SessionStore {
        &self.sessions
    }

    /// How far behind this node's clock a signed read's time may be (default
    /// five minutes, `xianjie_ledger::read_auth::DEFAULT_MAX_SKEW_MS`); also
    /// how long an accepted read is remembered to refuse its replay.
    pub fn with_read_max_skew(mut self, max_skew: std::time::Duration) -> Self {
        self.read_max_skew_ms = u64::try_from(max_skew.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// How far ahead of this node's clock a signed read's time may be
    /// (default 30 seconds, `xianjie_ledger::read_auth::DEFAULT_MAX_FUTURE_SKEW_MS`).
    pub fn with_read_max_future_skew(mut self, max_skew: std::time::Duration) -> Self {
        self.read_max_future_skew_ms = u64::try_from(max_skew.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// The past freshness bound of signed reads, in milliseconds.
    pub fn read_max_skew_ms(&self) -> u64 {
        self.read_max_skew_ms
    }

    /// The future freshness bound of signed reads, in milliseconds.
    pub fn read_max_future_skew_ms(&self) -> u64 {
        self.read_max_future_skew_ms
    }

    /// The shared parts.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The latest committed tip.
    pub fn tip(&self) -> Tip {
        *self.shared.tip.borrow()
    }

    /// A receiver that wakes on every new tip.
    pub fn tip_receiver(&self) -> watch::Receiver<Tip> {
        self.shared.tip.clone()
    }

    /// The chain id.
    pub fn chain_id(&self) -> &str {
        &self.shared.genesis.chain_id
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        self.shared.genesis_hash
    }

    /// Runs `work` (sled reads, signature checks) on the blocking pool.
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Shared) -> Result<T, ApiError> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        tokio::task::spawn_blocking(move || work(&shared))
            .await
            .map_err(|join| ApiError::Internal(format!("blocking task failed: {join}")))?
    }
}

/// Who may call a route, which decides the refusals it can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, unsigned.
    Public,
    /// An active officer, by signed read or session token: the handler
    /// takes the [`auth::Reader`] extractor.
    Officer,
    /// An active officer, by signed read only (signing in): the handler
    /// takes `Reader<auth::SignedOnly>`.
    SignedOnly,
    /// A session token only.
    Session,
}

/// Which layers wrap a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Answered `request_timeout` past `api.request_timeout`.
    Timed,
    /// No request timeout: bodies of any size stream (the evidence vault,
    /// up to `vault.max_file_bytes`).
    Streaming,
}

/// One route of the API: an entry of [`routes`].
pub struct ApiRoute {
    /// The method.
    pub method: Method,
    /// The path, with `{name}` parameters as axum and OpenAPI write them.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Its layers.
    pub group: Group,
    /// The handler, with any route-specific layer (body limits).
    pub handler: MethodRouter<AppState>,
}

impl ApiRoute {
    fn new<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone())
            .unwrap_or_else(|_| panic!("{method} {path}: a method the router cannot route"));
        ApiRoute {
            method,
            path,
            access,
            group: Group::Timed,
            handler: on(filter, handler),
        }
    }

    fn in_group(mut self, group: Group) -> Self {
        self.group = group;
        self
    }

    fn body_limit(mut self, limit: DefaultBodyLimit) -> Self {
        self.handler = self.handler.layer(limit);
        self
    }
}

/// Every route of the API, in one table: [`router`] builds the router from
/// it, and the tests check the OpenAPI document against it (each route is
/// documented, with every status it can answer). A new route goes here.
pub fn routes() -> Vec<ApiRoute> {
    use Access::{Officer, Public, Session, SignedOnly};
    use Group::Streaming;
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    vec![
        ApiRoute::new(POST, "/v1/txs", Public, txs::submit)
            .body_limit(DefaultBodyLimit::max(TX_BODY_LIMIT)),
        ApiRoute::new(POST, "/v1/txs/batch", Public, txs::submit_batch)
            .body_limit(DefaultBodyLimit::max(txs::BATCH_BODY_LIMIT)),
        ApiRoute::new(GET, "/v1/txs/{hash}", Public, txs::get),
        ApiRoute::new(GET, "/v1/blocks/{height}", Public, chain::block),
        ApiRoute::new(GET, "/v1/status", Public, chain::status),
        ApiRoute::new(GET, "/v1/history/consistency", Public, history::consistency),
        ApiRoute::new(GET, "/v1/history/inclusion", Public, history::inclusion),
        ApiRoute::new(
            GET,
            "/v1/history/validator-changes",
            Public,
            history::validator_changes,
        ),
        ApiRoute::new(GET, "/v1/checkpoints/latest", Public, checkpoints::latest),
        ApiRoute::new(
            POST,
            "/v1/checkpoints/cosignatures",
            Public,
            checkpoints::cosign,
        )
        .body_limit(DefaultBodyLimit::max(64 * 1024)),
        ApiRoute::new(
            GET,
            "/v1/checkpoints/witnessed",
            Public,
            checkpoints::witnessed,
        ),
        ApiRoute::new(
            GET,
            "/v1/checkpoints/timestamped",
            Public,
            checkpoints::timestamped,
        ),
        ApiRoute::new(GET, "/v1/orgs", Public, members::orgs),
        ApiRoute::new(GET, "/v1/officers/{id}", Public, members::officer),
        ApiRoute::new(GET, "/v1/evidence/{digest}", Officer, evidence::record),
        ApiRoute::new(GET, "/v1/evidence/{digest}/proof", Officer, evidence::proof),
        ApiRoute::new(
            GET,
            "/v1/evidence/{digest}/receipt",
            Officer,
            receipt::receipt,
        ),
        ApiRoute::new(GET, "/v1/cases", Officer, cases::list),
        ApiRoute::new(GET, "/v1/cases/{id}", Officer, cases::show),
        ApiRoute::new(GET, "/v1/cases/{id}/actions", Officer, cases::actions),
        ApiRoute::new(GET, "/v1/cases/{id}/facts", Officer, supervision::facts),
        ApiRoute::new(GET, "/v1/supervision/flags", Officer, supervision::flags),
        ApiRoute::new(
            GET,
            "/v1/threshold-rules",
            Public,
            supervision::threshold_rules,
        ),
        ApiRoute::new(GET, "/v1/names", Public, supervision::names),
        ApiRoute::new(GET, "/v1/deadlines", Public, governance::deadlines),
        ApiRoute::new(GET, "/v1/policy", Public, governance::policy),
        ApiRoute::new(
            GET,
            "/v1/governance/proposals",
            Public,
            governance::proposals,
        ),
        ApiRoute::new(
            GET,
            "/v1/governance/proposals/{id}",
            Public,
            governance::proposal,
        ),
        ApiRoute::new(GET, "/v1/draws", Officer, draws::list),
        ApiRoute::new(GET, "/v1/draws/items", Officer, draws::items),
        ApiRoute::new(GET, "/v1/draws/inspectors", Officer, draws::inspectors),
        ApiRoute::new(GET, "/v1/draws/snapshots", Officer, draws::snapshots),
        ApiRoute::new(GET, "/v1/draws/{id}", Officer, draws::show),
        ApiRoute::new(GET, "/v1/requests", Officer, requests::list),
        ApiRoute::new(GET, "/v1/requests/{id}", Officer, requests::show),
        ApiRoute::new(GET, "/v1/clues", Officer, clues::list),
        ApiRoute::new(GET, "/v1/clues/{id}", Officer, clues::show),
        ApiRoute::new(GET, "/v1/inspections", Officer, inspections::list),
        ApiRoute::new(GET, "/v1/inspections/{id}", Officer, inspections::show),
        ApiRoute::new(
            GET,
            "/v1/accreditations/{lab}/{cma}",
            Public,
            inspections::accreditation,
        ),
        ApiRoute::new(GET, "/v1/stats", Officer, stats::stats),
        // Streaming: an SSE answer lasts as long as its client follows.
        ApiRoute::new(GET, "/v1/events", Officer, events::events).in_group(Streaming),
        ApiRoute::new(GET, "/v1/bulletins", Public, stats::bulletins),
        ApiRoute::new(GET, "/v1/bulletins/{id}", Public, stats::bulletin),
        ApiRoute::new(POST, "/v1/sessions", SignedOnly, sessions::create),
        ApiRoute::new(GET, "/v1/sessions/current", Session, sessions::current),
        ApiRoute::new(
            Method::DELETE,
            "/v1/sessions/current",
            Session,
            sessions::end,
        ),
        ApiRoute::new(Method::PUT, "/v1/vault", Officer, vault::upload)
            .in_group(Streaming)
            .body_limit(DefaultBodyLimit::disable()),
        ApiRoute::new(GET, "/v1/vault/{digest}", Officer, vault::download).in_group(Streaming),
        ApiRoute::new(GET, "/v1/openapi.json", Public, openapi::document),
        ApiRoute::new(GET, "/metrics", Public, chain::metrics),
        ApiRoute::new(GET, "/livez", Public, health::livez),
        ApiRoute::new(GET, "/readyz", Public, health::readyz),
    ]
}

/// The API router, built from [`routes`]. Tests drive it with
/// `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    let (mut timed, mut streaming) = (Router::new(), Router::new());
    for route in routes() {
        let group = match route.group {
            Group::Timed => &mut timed,
            Group::Streaming => &mut streaming,
        };
        *group = std::mem::take(group).route(route.path, route.handler);
    }
    timed
        .merge(crate::web::routes())
        .merge(admin_chain::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            enforce_request_timeout,
        ))
        // After the timeout layer: a large upload or download may take longer
        // than any other request.
        .merge(streaming)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                // Server errors are logged once, by ApiError.
                .on_failure(()),
        )
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Answers `request_timeout` (as JSON, like every error) when a request runs
/// longer than configured.
async fn enforce_request_timeout(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(state.shared.config.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::RequestTimeout.into_response(),
    }
}

/// One span per request: a process-unique request id, the method, and the
/// matched route (not the raw path, which carries ids).
fn request_span<B>(request: &HttpRequest<B>) -> tracing::Span {
    static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);
    let request_id = NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed);
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |path| path.as_str());
    tracing::info_span!(
        "node.http.request",
        request_id = request_id,
        method = %request.method(),
        route = route,
    )
}

/// Parses a 64-hex-character digest or transaction hash from a path.
fn parse_hash(text: &str) -> Result<Hash, ApiError> {
    if text.len() != 64 {
        return Err(ApiError::BadDigest(format!(
            "got {} characters",
            text.len()
        )));
    }
    Hash::from_hex(text).map_err(|error| ApiError::BadDigest(error.to_string()))
}
