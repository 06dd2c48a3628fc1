//! The HTTP API: JSON under `/v1`, described by the OpenAPI document at
//! `GET /v1/openapi.json`.
//!
//! Handlers never touch sled on the async executor: each one does its reads
//! in a single [`AppState::blocking`] call. Every error is an [`ApiError`].

pub mod auth;
mod cases;
mod chain;
mod error;
mod evidence;
mod governance;
mod health;
mod inspections;
mod members;
mod openapi;
mod receipt;
pub mod sessions;
mod txs;
mod vault;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::Request as HttpRequest;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::{watch, Notify};
use tower_http::trace::TraceLayer;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::storage::Store;
use xianjie_ledger::tx::MAX_TX_BYTES;
use xianjie_ledger::Hash;

pub use chain::{BlockView, StatusView, ValidatorView};
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use evidence::{EvidenceProof, ProofCheckError, StateEntryProof, TxInclusion};
pub use health::{Liveness, Readiness, ReadinessCheck};
pub use members::OfficerView;
pub use openapi::ApiDoc;
pub use txs::{OutcomeView, SignedTxBytes, TxStatus, TxView};

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
    /// The store (read only here; the producer writes).
    pub store: Store,
    /// The genesis document.
    pub genesis: Arc<Genesis>,
    /// Its hash, computed once.
    pub genesis_hash: Hash,
    /// Pending transactions.
    pub mempool: Arc<Mempool>,
    /// Wakes the producer.
    pub tx_admitted: Arc<Notify>,
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
}

/// The handlers' shared state.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    read_max_skew_ms: u64,
    sessions: Arc<sessions::SessionStore>,
}

impl AppState {
    /// Wraps the shared parts.
    pub fn new(shared: Shared) -> Self {
        AppState {
            shared: Arc::new(shared),
            read_max_skew_ms: xianjie_ledger::read_auth::DEFAULT_MAX_SKEW_MS,
            sessions: Arc::new(sessions::SessionStore::new()),
        }
    }

    /// The web console's live sessions (in memory only).
    pub fn sessions(&self) -> &sessions::SessionStore {
        &self.sessions
    }

    /// How far a signed read's time may be from this node's clock (default
    /// five minutes, `xianjie_ledger::read_auth::DEFAULT_MAX_SKEW_MS`).
    pub fn with_read_max_skew(mut self, max_skew: std::time::Duration) -> Self {
        self.read_max_skew_ms = u64::try_from(max_skew.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// The freshness bound of signed reads, in milliseconds.
    pub fn read_max_skew_ms(&self) -> u64 {
        self.read_max_skew_ms
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

/// The API router. Tests drive it with `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/v1/txs",
            post(txs::submit).layer(DefaultBodyLimit::max(TX_BODY_LIMIT)),
        )
        .route(
            "/v1/txs/batch",
            post(txs::submit_batch).layer(DefaultBodyLimit::max(txs::BATCH_BODY_LIMIT)),
        )
        .route("/v1/txs/{hash}", get(txs::get))
        .route("/v1/blocks/{height}", get(chain::block))
        .route("/v1/status", get(chain::status))
        .route("/v1/orgs", get(members::orgs))
        .route("/v1/officers/{id}", get(members::officer))
        .merge(evidence_routes(state.clone()))
        .route("/v1/cases", get(cases::list))
        .route("/v1/cases/{id}", get(cases::show))
        .route("/v1/cases/{id}/actions", get(cases::actions))
        .route("/v1/deadlines", get(governance::deadlines))
        .route("/v1/policy", get(governance::policy))
        .route("/v1/governance/proposals", get(governance::proposals))
        .route("/v1/governance/proposals/{id}", get(governance::proposal))
        .route("/v1/inspections", get(inspections::list))
        .route("/v1/inspections/{id}", get(inspections::show))
        .route(
            "/v1/accreditations/{lab}/{cma}",
            get(inspections::accreditation),
        )
        .route("/v1/sessions", post(sessions::create))
        .route(
            "/v1/sessions/current",
            get(sessions::current).delete(sessions::end),
        )
        .route("/v1/openapi.json", get(openapi::document))
        .route("/metrics", get(chain::metrics))
        .route("/livez", get(health::livez))
        .route("/readyz", get(health::readyz))
        .merge(crate::web::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            enforce_request_timeout,
        ))
        // After the timeout layer: a large upload or download may take longer
        // than any other request.
        .merge(vault_routes())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                // Server errors are logged once, by ApiError.
                .on_failure(()),
        )
        .with_state(state)
}

/// The evidence routes: every read is signed and passes the policy set
/// (`auth::require_evidence_read`).
fn evidence_routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/evidence/{digest}", get(evidence::record))
        .route("/v1/evidence/{digest}/proof", get(evidence::proof))
        .route("/v1/evidence/{digest}/receipt", get(receipt::receipt))
        .route_layer(middleware::from_fn_with_state(
            state,
            auth::require_evidence_read,
        ))
}

/// The evidence vault: signed by an officer, bodies of any size up to
/// `vault.max_file_bytes`, streamed.
fn vault_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/vault",
            axum::routing::put(vault::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/v1/vault/{digest}", get(vault::download))
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
