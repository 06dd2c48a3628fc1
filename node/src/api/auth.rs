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
//! 4. `contracts::authorize_officer_read` for the resource (case, evidence record,
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
//! Every signed route takes the one extractor [`Reader`], which runs steps
//! 1–3 before the handler: `Reader` (signature or session token) or
//! `Reader<SignedOnly>` (signature only: signing in). The handler then calls
//! [`authorize`] (step 4), which returns the record the decision was made
//! on, so the handler reads neither the officer nor the record again.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use xianjie_contracts::policy::kind_name;
use xianjie_contracts::{ContractError, ReadRecord, ReadResource};
use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::model::{EvidenceRecord, Officer, Org};
use xianjie_ledger::read_auth::{
    read_digest, ReadAuthError, SignedRead, HEADER_KEY, HEADER_SIGNATURE, HEADER_TIME,
};
use xianjie_ledger::Hash;

use super::replay::{fingerprint, ReplayRefusal};
use super::sessions::bearer_token;
use super::{parse_hash, ApiError, AppState, Shared};

/// The credentials a signed route accepts: the type parameter of [`Reader`].
pub trait Credentials: Send + Sync + 'static {
    /// Whether a session token (`Authorization: Bearer`) stands in for the
    /// signature headers.
    const SESSIONS: bool;
}

/// A signed read or a session token: every signed route but signing in.
#[derive(Debug, Clone, Copy)]
pub struct SignedOrSession;

impl Credentials for SignedOrSession {
    const SESSIONS: bool = true;
}

/// The signature headers only: signing in (`POST /v1/sessions`), so that a
/// session cannot extend itself.
#[derive(Debug, Clone, Copy)]
pub struct SignedOnly;

impl Credentials for SignedOnly {
    const SESSIONS: bool = false;
}

/// The extractor of every signed route: the officer who signed the request
/// (or signed in to the session), with their organisation. Extracting it
/// runs steps 1–3; a refusal answers before the handler runs.
#[derive(Debug, Clone)]
pub struct Reader<C = SignedOrSession> {
    /// The officer record (registered and active).
    pub officer: Officer,
    /// Their organisation.
    pub org: Org,
    credentials: PhantomData<C>,
}

impl<C> Reader<C> {
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

impl<C: Credentials> FromRequestParts<AppState> for Reader<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let reader = if C::SESSIONS {
            authenticate(state, parts).await?
        } else {
            authenticate_signed(state, parts).await?
        };
        Ok(Reader {
            officer: reader.officer,
            org: reader.org,
            credentials: PhantomData,
        })
    }
}

/// Steps 1–3: the signature (or the session token), its freshness, and the
/// officer.
pub(super) async fn authenticate(state: &AppState, parts: &Parts) -> Result<Reader, ApiError> {
    match bearer_token(&parts.headers).map_err(ApiError::BadSession)? {
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
/// accepted). A read that passes is used up: the same headers are refused
/// from then on.
async fn authenticate_signed(state: &AppState, parts: &Parts) -> Result<Reader, ApiError> {
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
            Ok(Reader {
                officer,
                org,
                credentials: PhantomData,
            })
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

/// Step 4: may `reader` read `resource`? The record the policy decided on,
/// read once; the officer is the one step 3 read. Missing resources answer
/// 404.
pub fn authorize(
    shared: &Shared,
    reader: &Reader,
    resource: &ReadResource,
) -> Result<ReadRecord, ApiError> {
    let (policies, store) = (&*shared.policies, &shared.store);
    match xianjie_contracts::authorize_officer_read(policies, store, &reader.officer, resource) {
        Ok(record) => Ok(record),
        Err(ContractError::PolicyDenied { .. }) => Err(denied(reader, resource)),
        Err(ContractError::UnknownCase { case_id }) => Err(ApiError::UnknownCase(case_id)),
        Err(ContractError::UnknownEvidence { digest }) => Err(ApiError::NotAnchored(digest)),
        Err(ContractError::UnknownInspection { id }) => Err(ApiError::UnknownInspection(id)),
        Err(ContractError::UnknownClue { id }) => Err(ApiError::UnknownClue(id)),
        Err(ContractError::UnknownRequest { id }) => Err(ApiError::UnknownRequest(id)),
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
            "`read-case-parties` (the owning agency, police, procuratorate and court of the case), `read-case-regional-procuratorate` and `read-case-regional-government` (the procuratorate and the people's government of the case's division code) in the default set",
        ),
        ReadResource::Evidence(digest) => (
            format!("evidence record {digest}"),
            "`read-evidence-holders` (the anchoring organisation, the holder, the addressee of a pending transfer, the parties of its case) and `read-evidence-judicial` (procuratorates and courts) in the default set",
        ),
        ReadResource::Inspection(id) => (
            format!("inspection result {id}"),
            "`inspection-stances-and-reads` (every member) in the default set",
        ),
        ReadResource::Request(id) => (
            format!("request {id}"),
            "`read-request-parties` (the organ that asked and the organ asked) in the default set",
        ),
        ReadResource::Clue(id) => (
            format!("clue {id}"),
            "`read-clue-parties` (the sender, the receiver and the organs that sent it earlier) in the default set",
        ),
    };
    ApiError::ReadDenied {
        what,
        who: reader.describe(),
        policies,
    }
}

/// The digest of a `/v1/evidence/{digest}…` route, parsed from the raw
/// path: a digest that does not parse from the raw path is refused (400
/// `bad_digest`). Axum's `Path` percent-decodes, so `%61bc…` would pass as
/// a valid digest while the signature covers another spelling. Taken after
/// the [`Reader`], so an unsigned request is refused first.
#[derive(Debug, Clone, Copy)]
pub struct EvidenceDigest(
    /// The digest.
    pub Hash,
);

impl<S: Send + Sync> FromRequestParts<S> for EvidenceDigest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let segment = parts.uri.path().split('/').nth(3).unwrap_or_default();
        parse_hash(segment).map(EvidenceDigest)
    }
}

/// Step 4 for an evidence route: the record, if `reader` may read it.
pub async fn authorize_evidence(
    state: &AppState,
    reader: Reader,
    digest: Hash,
) -> Result<EvidenceRecord, ApiError> {
    state
        .blocking(move |shared| {
            authorize(shared, &reader, &ReadResource::Evidence(digest))?
                .into_evidence()
                .ok_or(ApiError::NotAnchored(digest))
        })
        .await
}
