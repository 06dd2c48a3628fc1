//! Short-lived session tokens for the web console: `POST /v1/sessions`,
//! `GET /v1/sessions/current` and `DELETE /v1/sessions/current`.
//!
//! A browser never holds an officer's private key. Instead `xianjie login`
//! signs `POST /v1/sessions` exactly like a signed read
//! (`xianjie_ledger::read_auth`: signature, freshness, registered and active
//! officer) and the node answers with a random 256-bit token, valid for
//! [`SESSION_TTL_MS`]. The browser sends it as `Authorization: Bearer TOKEN`;
//! the [`Reader`] extractor resolves it to the same officer and
//! re-checks on every request that the officer is still active, so reads by
//! token pass exactly the checks and policies of signed reads.
//!
//! Tokens live in this process's memory only (a restart signs everyone
//! out), keyed by their BLAKE3 hash so that the table never holds a usable
//! token; they are never logged. The table is bounded: at most
//! [`MAX_SESSIONS_PER_OFFICER`] per officer (past that, signing in is
//! refused with 429 `too_many_sessions` until the officer signs out
//! elsewhere or a session expires: a new session never ends a live one, so
//! that whoever signs in cannot push the officer out) and [`MAX_SESSIONS`]
//! in all (past that, 503 `sessions_full` until some expire). A token cannot
//! mint another: creating a session needs the officer's signature, and one
//! signature makes at most one session (a signed read is used up once
//! accepted, [`super::replay`]).

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use xianjie_ledger::crypto::KeyId;

use super::auth::{self, Reader, SignedOnly};
use super::{ApiError, AppState, ErrorBody};
pub use xianjie_api::sessions::{CurrentSession, NewSession, SessionOfficer};

/// How long a session token is valid: 30 minutes from its creation.
pub const SESSION_TTL_MS: u64 = 30 * 60 * 1000;
/// Most live sessions on one node.
pub const MAX_SESSIONS: usize = 4096;
/// Most live sessions of one officer; past that, signing in is refused.
pub const MAX_SESSIONS_PER_OFFICER: usize = 8;
/// A token is 32 random bytes, sent as 64 lower-case hex characters.
pub const TOKEN_BYTES: usize = 32;

/// The BLAKE3 hash of a token: what the table is keyed by.
type TokenHash = [u8; 32];

/// One live session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Session {
    officer: KeyId,
    expires_at_ms: u64,
}

/// Why a session token is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionRefusal {
    /// The `Authorization` header is not `Bearer` and 64 hex characters.
    Malformed,
    /// No live session has this token (never issued, expired, or ended).
    Unknown,
}

/// The in-memory table of live sessions. Time is an input: every method
/// takes the caller's clock.
#[derive(Debug, Default)]
pub struct SessionStore {
    sessions: Mutex<BTreeMap<TokenHash, Session>>,
}

/// A freshly issued token, as the officer receives it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// 64 hex characters.
    pub token: String,
    /// When it stops being accepted (Unix ms).
    pub expires_at_ms: u64,
}

fn token_hash(token: &str) -> TokenHash {
    *blake3::hash(token.as_bytes()).as_bytes()
}

impl SessionStore {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn table(&self) -> std::sync::MutexGuard<'_, BTreeMap<TokenHash, Session>> {
        // A panic while holding the lock leaves a consistent map (every
        // change is one insert or remove), so a poisoned lock is still usable.
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Issues a token for `officer` at `now_ms` from `random` (32 bytes the
    /// caller drew from the operating system's RNG). Refused, and nothing
    /// changed but expired sessions dropped, when the officer has
    /// [`MAX_SESSIONS_PER_OFFICER`] live sessions (`too_many_sessions`) or
    /// the table [`MAX_SESSIONS`] (`sessions_full`).
    pub fn issue(
        &self,
        officer: KeyId,
        now_ms: u64,
        random: [u8; TOKEN_BYTES],
    ) -> Result<IssuedToken, ApiError> {
        let token = hex::encode(random);
        let expires_at_ms = now_ms.saturating_add(SESSION_TTL_MS);
        let mut table = self.table();
        table.retain(|_, session| session.expires_at_ms > now_ms);
        let own = table
            .values()
            .filter(|session| session.officer == officer)
            .map(|session| session.expires_at_ms);
        let (count, first_expiry) = own.fold((0, u64::MAX), |(count, first), expiry| {
            (count + 1, first.min(expiry))
        });
        if count >= MAX_SESSIONS_PER_OFFICER {
            return Err(ApiError::TooManySessions {
                max: MAX_SESSIONS_PER_OFFICER,
                retry_after_ms: first_expiry.saturating_sub(now_ms),
            });
        }
        if table.len() >= MAX_SESSIONS {
            return Err(ApiError::SessionsFull);
        }
        table.insert(
            token_hash(&token),
            Session {
                officer,
                expires_at_ms,
            },
        );
        Ok(IssuedToken {
            token,
            expires_at_ms,
        })
    }

    /// The officer and expiry of a live token at `now_ms`.
    pub fn resolve(&self, token: &str, now_ms: u64) -> Result<(KeyId, u64), SessionRefusal> {
        if !is_token(token) {
            return Err(SessionRefusal::Malformed);
        }
        let hash = token_hash(token);
        let mut table = self.table();
        match table.get(&hash) {
            Some(session) if session.expires_at_ms > now_ms => {
                Ok((session.officer, session.expires_at_ms))
            }
            Some(_) => {
                table.remove(&hash);
                Err(SessionRefusal::Unknown)
            }
            None => Err(SessionRefusal::Unknown),
        }
    }

    /// Ends a session (sign-out). Whether it was live.
    pub fn end(&self, token: &str) -> bool {
        is_token(token) && self.table().remove(&token_hash(token)).is_some()
    }

    /// How many sessions are in the table (live or not yet purged).
    pub fn len(&self) -> usize {
        self.table().len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn is_token(text: &str) -> bool {
    text.len() == TOKEN_BYTES * 2 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The bearer token of a request: `Ok(None)` without an `Authorization`
/// header, an error when it is not `Bearer` and a well-formed token.
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, SessionRefusal> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| SessionRefusal::Malformed)?;
    let token = text
        .strip_prefix("Bearer ")
        .ok_or(SessionRefusal::Malformed)?
        .trim();
    if is_token(token) {
        Ok(Some(token))
    } else {
        Err(SessionRefusal::Malformed)
    }
}

fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => format!("{other:?}"),
    }
}

fn officer_view<C>(reader: &Reader<C>) -> SessionOfficer {
    SessionOfficer {
        id: reader.officer.id.to_hex(),
        org: reader.org.id.to_string(),
        org_name: reader.org.name.clone(),
        org_kind: wire_name(&reader.org.kind),
        role: wire_name(&reader.officer.role),
    }
}

/// Signs an officer in: a new session token for the officer who signed the
/// request.
///
/// The request carries the three signed-read headers over `POST
/// /v1/sessions` (no body); a bearer token is not accepted here, so a
/// session cannot extend itself. `xianjie login` does this and prints a link
/// to the web console.
#[utoipa::path(
    post,
    path = "/v1/sessions",
    tag = "sessions",
    security(("signed_read" = [])),
    responses(
        (status = 201, description = "the session", body = NewSession),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (one signature makes one session)", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 429, description = "too_many_sessions: the officer's live sessions are at the limit; sign out elsewhere or wait for one to expire", body = ErrorBody),
        (status = 503, description = "sessions_full (the node's session table), signed_reads_busy (its memory of fresh signed reads)", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    reader: Reader<SignedOnly>,
) -> Result<(StatusCode, Json<NewSession>), ApiError> {
    let mut random = [0u8; TOKEN_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    let issued =
        state
            .sessions()
            .issue(reader.officer.id, state.shared().clock.now_ms(), random)?;
    tracing::info!(officer = %reader.officer.id, "session opened");
    Ok((
        StatusCode::CREATED,
        Json(NewSession {
            token: issued.token,
            expires_at_ms: issued.expires_at_ms,
            officer: officer_view(&reader),
        }),
    ))
}

/// Who the bearer token signs in, and until when.
#[utoipa::path(
    get,
    path = "/v1/sessions/current",
    tag = "sessions",
    security(("session" = [])),
    responses(
        (status = 200, description = "the session", body = CurrentSession),
        (status = 401, description = "bad_session (unknown, expired or malformed token), unsigned_read", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
    )
)]
pub async fn current(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<Json<CurrentSession>, ApiError> {
    let token = bearer_token(&parts.headers)
        .map_err(ApiError::BadSession)?
        .ok_or(ApiError::UnsignedRead)?;
    let now_ms = state.shared().clock.now_ms();
    let (_, expires_at_ms) = state
        .sessions()
        .resolve(token, now_ms)
        .map_err(ApiError::BadSession)?;
    let reader = auth::authenticate(&state, &parts).await?;
    Ok(Json(CurrentSession {
        expires_at_ms,
        now_ms,
        officer: officer_view(&reader),
    }))
}

/// Signs out: the bearer token stops being accepted at once.
#[utoipa::path(
    delete,
    path = "/v1/sessions/current",
    tag = "sessions",
    security(("session" = [])),
    responses(
        (status = 204, description = "the session ended"),
        (status = 401, description = "bad_session, unsigned_read", body = ErrorBody),
    )
)]
pub async fn end(State(state): State<AppState>, parts: Parts) -> Result<StatusCode, ApiError> {
    let token = bearer_token(&parts.headers)
        .map_err(ApiError::BadSession)?
        .ok_or(ApiError::UnsignedRead)?;
    if state.sessions().end(token) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::BadSession(SessionRefusal::Unknown))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000;

    fn officer(byte: u8) -> KeyId {
        KeyId([byte; 20])
    }

    fn random(n: u32) -> [u8; TOKEN_BYTES] {
        let mut bytes = [0u8; TOKEN_BYTES];
        bytes[..4].copy_from_slice(&n.to_be_bytes());
        bytes
    }

    #[test]
    fn a_token_resolves_to_its_officer_until_it_expires() {
        let store = SessionStore::new();
        let issued = store.issue(officer(1), NOW, random(1)).unwrap();
        assert_eq!(issued.token.len(), 64);
        assert_eq!(issued.expires_at_ms, NOW + SESSION_TTL_MS);
        assert_eq!(
            store.resolve(&issued.token, NOW + SESSION_TTL_MS - 1),
            Ok((officer(1), NOW + SESSION_TTL_MS))
        );
        assert_eq!(
            store.resolve(&issued.token, NOW + SESSION_TTL_MS),
            Err(SessionRefusal::Unknown)
        );
        // An expired session is removed, not kept.
        assert!(store.is_empty());
    }

    #[test]
    fn unknown_and_malformed_tokens_are_refused() {
        let store = SessionStore::new();
        store.issue(officer(1), NOW, random(1)).unwrap();
        let never_issued = hex::encode(random(2));
        assert_eq!(
            store.resolve(&never_issued, NOW),
            Err(SessionRefusal::Unknown)
        );
        for malformed in ["", "abc", &"zz".repeat(32), &"a".repeat(65)] {
            assert_eq!(
                store.resolve(malformed, NOW),
                Err(SessionRefusal::Malformed)
            );
        }
    }

    #[test]
    fn an_ended_session_is_refused() {
        let store = SessionStore::new();
        let issued = store.issue(officer(1), NOW, random(1)).unwrap();
        assert!(store.end(&issued.token));
        assert!(!store.end(&issued.token));
        assert_eq!(
            store.resolve(&issued.token, NOW),
            Err(SessionRefusal::Unknown)
        );
    }

    #[test]
    fn the_table_keeps_hashes_not_tokens() {
        let store = SessionStore::new();
        let issued = store.issue(officer(1), NOW, random(7)).unwrap();
        let table = store.table();
        assert!(table.contains_key(&token_hash(&issued.token)));
        assert!(!format!("{table:?}").contains(&issued.token));
    }

    #[test]
    fn past_the_per_officer_cap_signing_in_is_refused_and_no_session_ends() {
        let store = SessionStore::new();
        let tokens: Vec<_> = (0..MAX_SESSIONS_PER_OFFICER as u32)
            .map(|n| {
                store
                    .issue(officer(1), NOW + u64::from(n), random(n))
                    .unwrap()
                    .token
            })
            .collect();
        let refused = store.issue(officer(1), NOW + 100, random(99)).unwrap_err();
        assert_eq!(refused.code(), "too_many_sessions");
        assert!(matches!(
            refused,
            ApiError::TooManySessions { max: MAX_SESSIONS_PER_OFFICER, retry_after_ms }
                if retry_after_ms == SESSION_TTL_MS - 100
        ));
        for token in &tokens {
            assert!(store.resolve(token, NOW + 100).is_ok());
        }
        // Another officer is not affected; and once the first session
        // expires, the officer may sign in again.
        store.issue(officer(2), NOW + 100, random(100)).unwrap();
        store
            .issue(officer(1), NOW + SESSION_TTL_MS, random(101))
            .unwrap();
    }

    #[test]
    fn a_full_table_refuses_until_sessions_expire() {
        let store = SessionStore::new();
        for n in 0..MAX_SESSIONS as u32 {
            let who = KeyId({
                let mut id = [0u8; 20];
                id[..4].copy_from_slice(&n.to_be_bytes());
                id
            });
            store.issue(who, NOW, random(n)).unwrap();
        }
        assert_eq!(
            store
                .issue(officer(0xee), NOW + 1, random(u32::MAX))
                .unwrap_err()
                .code(),
            "sessions_full"
        );
        assert!(store
            .issue(officer(0xee), NOW + SESSION_TTL_MS, random(u32::MAX))
            .is_ok());
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn bearer_headers_parse_strictly() {
        let parts = |value: Option<&str>| {
            let mut builder = axum::http::Request::get("/v1/cases");
            if let Some(value) = value {
                builder = builder.header(header::AUTHORIZATION, value);
            }
            builder.body(()).unwrap().into_parts().0
        };
        let token = "ab".repeat(32);
        assert_eq!(bearer_token(&parts(None).headers), Ok(None));
        assert_eq!(
            bearer_token(&parts(Some(&format!("Bearer {token}"))).headers),
            Ok(Some(token.as_str()))
        );
        for bad in [
            format!("Basic {token}"),
            format!("bearer{token}"),
            "Bearer short".to_owned(),
        ] {
            assert_eq!(
                bearer_token(&parts(Some(&bad)).headers),
                Err(SessionRefusal::Malformed)
            );
        }
    }
}
