//! Signed reads: who is asking, and may they read this?
//!
//! The scheme (headers, digest, freshness) is `xianjie_ledger::read_auth`,
//! shared with the CLI. The checks run in this order, and the first failure
//! answers:
//!
//! 1. the signature headers: none → 401 `unsigned_read`; malformed or not
//!    verifying for this chain, method, path and query → 401
//!    `bad_read_signature`;
//! 2. freshness: the signing time at most 5 minutes behind the node's clock
//!    (configurable with [`AppState::with_read_max_skew`]) → else 401
//!    `stale_read`, and at most 30 seconds ahead of it
//!    ([`AppState::with_read_max_future_skew`]) → else 401 `future_read`;
//! 3. the key is a registered, active officer → else 403 `unknown_signer` /
//!    `revoked_signer`; then the read is used up
//!    ([`super::replay`]): the same read accepted before → 401
//!    `replayed_read`, the node's memory of fresh reads full → 503
//!    `signed_reads_busy`;
//! 4. `contracts::authorize_read` for the resource (case, evidence record,
//!    inspection result) → else 403 `read_denied`.
//!
//! Instead of the three signature headers, a request may carry
//! `Authorization: Bearer TOKEN` with a session token of the web console
//! ([`super::sessions`]): a token that is malformed, unknown or expired
//! answers 401 `bad_session`; a live one names the officer who signed in,
//! and steps 3 (but for the replay check: a token is meant to be sent
//! again) and 4 run exactly as for a signed read (a session of an officer
//! revoked since is refused with 403 `revoked_signer`).
//!
//! Handlers that need the reader take a [`Reader`] extractor (steps 1–3) and
//! call [`authorize`] (step 4); the evidence routes, whose handlers predate
//! signed reads, get all four steps from [`require_evidence_read`].

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use xianjie_contracts::policy::kind_name;
use xianjie_contracts::{ContractError, ReadRecord, ReadResource};
use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::model::{Officer, Org};
use xianjie_ledger::read_auth::{
    read_digest, ReadAuthError, SignedRead, HEADER_KEY, HEADER_SIGNATURE, HEADER_TIME,
};

use super::replay::{fingerprint, ReplayRefusal};
use super::sessions::bearer_token;
use super::{parse_hash, ApiError, AppState, Shared};

/// The officer who signed a read, with their organisation.
#[derive(Debug, Clone)]
pub struct Reader {
    /// The officer record (registered and active).
    pub officer: Officer,
    /// Their organisation.
    pub org: Org,
}

impl Reader {
    /// `officer <id> of `org` (kind, role)`, for refusal messages.
    pub fn describe(&self) -> String {
        format!(
            "officer {} of `{}` ({}, {})",
            self.officer.id,
            self.org.id,
            kind_name(self.org.kind),
            match self.officer.role {
                xianjie_ledger::model::Role::Officer => "officer",
                xianjie_ledger::model::Role::Head => "head",
                xianjie_ledger::model::Role::Admin => "admin",
            }
        )
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(state, parts).await
    }
}

/// Steps 1–3: the signature (or the session token), its freshness, and the
/// officer.
pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<Reader, ApiError> {
    match bearer_token(parts).map_err(ApiError::BadSession)? {
        Some(token) => {
            let (officer, _) = state
                .sessions()
                .resolve(token, state.shared().clock.now_ms())
                .map_err(ApiError::BadSession)?;
            active_officer(state, officer, None).await
        }
        None => authenticate_signed(state, parts).await,
    }
}

/// Steps 1–3 for the signature headers only (a session token is not
/// accepted): what signing in (`POST /v1/sessions`) requires. A read that
/// passes is used up: the same headers are refused from then on.
pub async fn authenticate_signed(state: &AppState, parts: &Parts) -> Result<Reader, ApiError> {
    let signed = signed_read(parts)?;
    let method = parts.method.as_str();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    signed
        .verify(state.chain_id(), method, path_and_query)
        .map_err(auth_error)?;
    let now = state.shared().clock.now_ms();
    signed
        .check_fresh(
            now,
            state.read_max_skew_ms(),
            state.read_max_future_skew_ms(),
        )
        .map_err(auth_error)?;
    let key = signed.public_key;
    let reader = active_officer(state, key.id(), Some(key)).await?;
    // After the officer check, so that only registered officers' reads take
    // room in the node's memory.
    let digest = read_digest(state.chain_id(), method, path_and_query, signed.time_ms);
    state
        .replay_guard()
        .admit(
            fingerprint(&key, &digest),
            signed.fresh_until_ms(state.read_max_skew_ms()),
            now,
        )
        .map_err(replay_error)?;
    Ok(reader)
}

/// The three signature headers, parsed (step 1 but for the signature check).
fn signed_read(parts: &Parts) -> Result<SignedRead, ApiError> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .map(|value| value.to_str().unwrap_or("\u{fffd}"))
    };
    SignedRead::from_headers(
        header(HEADER_KEY),
        header(HEADER_TIME),
        header(HEADER_SIGNATURE),
    )
    .map_err(auth_error)?
    .ok_or(ApiError::UnsignedRead)
}

fn replay_error(refusal: ReplayRefusal) -> ApiError {
    match refusal {
        ReplayRefusal::Replayed => ApiError::ReplayedRead,
        ReplayRefusal::Full {
            capacity,
            retry_after_ms,
        } => ApiError::SignedReadsBusy {
            capacity,
            retry_after_ms,
        },
    }
}

/// Step 3: `id` is a registered officer (with public key `key`, when the
/// request was signed with one) who is still active.
async fn active_officer(
    state: &AppState,
    id: KeyId,
    key: Option<PublicKey>,
) -> Result<Reader, ApiError> {
    state
        .blocking(move |shared| {
            let unknown = || ApiError::UnknownReader {
                code: "unknown_signer",
                id: id.to_hex(),
            };
            let officer = xianjie_contracts::read::officer(&shared.store, &id)
                .map_err(internal)?
                .filter(|officer| key.is_none_or(|key| officer.public_key == key))
                .ok_or_else(unknown)?;
            if !officer.active {
                return Err(ApiError::UnknownReader {
                    code: "revoked_signer",
                    id: id.to_hex(),
                });
            }
            let org = xianjie_contracts::read::org(&shared.store, &officer.org)
                .map_err(internal)?
                .ok_or_else(|| ApiError::Internal(format!("org {} is missing", officer.org)))?;
            Ok(Reader { officer, org })
        })
        .await
}

fn auth_error(error: ReadAuthError) -> ApiError {
    match error {
        ReadAuthError::Stale { .. } => ApiError::StaleRead(error.to_string()),
        ReadAuthError::Future { .. } => ApiError::FutureRead(error.to_string()),
        other => ApiError::BadReadSignature(other.to_string()),
    }
}

pub(super) fn internal(error: ContractError) -> ApiError {
    ApiError::Internal(format!("reading the state: {error}"))
}

/// Step 4: may `reader` read `resource`? Missing resources answer 404.
pub fn authorize(
    shared: &Shared,
    reader: &Reader,
    resource: &ReadResource,
) -> Result<ReadRecord, ApiError> {
    let (policies, store) = (&*shared.policies, &shared.store);
    match xianjie_contracts::authorize_read(policies, store, &reader.officer.id, resource) {
        Ok(record) => Ok(record),
        Err(ContractError::PolicyDenied { .. }) => Err(denied(reader, resource)),
        Err(ContractError::UnknownCase { case_id }) => Err(ApiError::UnknownCase(case_id)),
        Err(ContractError::UnknownEvidence { digest }) => Err(ApiError::NotAnchored(digest)),
        Err(ContractError::UnknownInspection { id }) => Err(ApiError::UnknownInspection(id)),
        Err(
            error @ (ContractError::UnknownSigner { .. } | ContractError::RevokedSigner { .. }),
        ) => Err(ApiError::UnknownReader {
            code: error.code(),
            id: reader.officer.id.to_hex(),
        }),
        Err(other) => Err(internal(other)),
    }
}

/// Whether `reader` may read `resource` (a refusal by policy is `false`).
pub fn may_read(
    shared: &Shared,
    reader: &Reader,
    resource: &ReadResource,
) -> Result<bool, ApiError> {
    match authorize(shared, reader, resource) {
        Ok(_) => Ok(true),
        Err(ApiError::ReadDenied { .. }) => Ok(false),
        Err(error) => Err(error),
    }
}

fn denied(reader: &Reader, resource: &ReadResource) -> ApiError {
    let (what, policies) = match resource {
        ReadResource::Case(id) => (
            format!("case {id}"),
            "`read-case-parties` (the owning agency, police, procuratorate and court of the case) and `read-case-regional-procuratorate` in the default set",
        ),
        ReadResource::Evidence(digest) => (
            format!("evidence record {digest}"),
            "`read-evidence-holders` (the anchoring organisation, the holder, the addressee of a pending transfer, the parties of its case) and `read-evidence-judicial` (procuratorates and courts) in the default set",
        ),
        ReadResource::Inspection(id) => (
            format!("inspection result {id}"),
            "`inspection-stances-and-reads` (every member) in the default set",
        ),
    };
    ApiError::ReadDenied {
        what,
        who: reader.describe(),
        policies,
    }
}

/// Middleware of the `/v1/evidence/{digest}…` routes: all four steps, with
/// the digest taken from the raw path. A digest that does not parse from the
/// raw path is refused here (400 `bad_digest`), never left to the handler:
/// the handler's extractor percent-decodes, so `%61bc…` would reach it as a
/// valid digest that no policy had been asked about. An unknown digest is
/// left to the handler (404 `not_anchored`), after the signature.
pub async fn require_evidence_read(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let reader = match authenticate(&state, &parts).await {
        Ok(reader) => reader,
        Err(error) => return error.into_response(),
    };
    let segment = parts.uri.path().split('/').nth(3).unwrap_or_default();
    let digest = match parse_hash(segment) {
        Ok(digest) => digest,
        Err(error) => return error.into_response(),
    };
    let checked = state
        .blocking(
            move |shared| match authorize(shared, &reader, &ReadResource::Evidence(digest)) {
                Ok(_) | Err(ApiError::NotAnchored(_)) => Ok(()),
                Err(error) => Err(error),
            },
        )
        .await;
    if let Err(error) = checked {
        return error.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
