//! `GET /v1/events`: the committed transactions a signed-in officer may
//! read, in chain order, for agencies' own case systems to follow the chain
//! without polling every record.
//!
//! One route, two forms. With `Accept: text/event-stream` it is a
//! Server-Sent Events stream (each event's SSE `id` is its cursor, and a
//! reconnecting `EventSource` sends it back as `Last-Event-ID`); otherwise
//! a long poll answering an [`EventPage`] as soon as there is at least one
//! event, or after `wait_ms` with none.
//!
//! Every event passes the policy set like the read of its subject would
//! (`read` of the case, evidence record or inspection result, evaluated on
//! the latest state); governance, membership, accreditation and bulletin
//! transactions are public, as their routes are; an officer always sees
//! their own transactions. The work of one answer is bounded (events per
//! answer, blocks looked through), and a stream reads the next events from
//! the store only when its connection has taken the previous ones, so a
//! slow client holds no growing buffer; a client that stops reading is
//! closed by the connection's idle timeout once its socket is full.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use tokio::sync::watch;
use utoipa::IntoParams;
use xianjie_contracts::{deadline, read, ReadResource};
use xianjie_ledger::block::TxOutcome;
use xianjie_ledger::clue::ClueAction;
use xianjie_ledger::codec::decode;
use xianjie_ledger::ids::{CaseId, ClueId, DrawId, InspectionId, RequestId};
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::supervision::{FlagKind, SupervisionFlag};
use xianjie_ledger::tx::{Call, SignedTx};
use xianjie_ledger::Hash;

use super::auth::{internal, may_read, Reader};
use super::stats::StateAt;
use super::{ApiError, AppState, ErrorBody, Shared};
pub use xianjie_api::events::{CaseAfterBlock, Cursor, EventKind, EventPage, EventView};

/// Events in one answer (or one read of a stream) unless `limit` says fewer.
pub const DEFAULT_EVENTS_PER_ANSWER: usize = 100;
/// Most events in one answer.
pub const MAX_EVENTS_PER_ANSWER: usize = 1_000;
/// Most blocks one answer looks through: an officer who may read few of
/// many transactions gets an answer with fewer events (maybe none) and a
/// cursor further on, rather than a request that reads the whole chain.
pub const MAX_BLOCKS_PER_ANSWER: u64 = 1_000;
/// Longest wait of a long poll, in milliseconds.
pub const MAX_WAIT_MS: u64 = 30_000;
/// Most event streams open at once on one node.
pub const MAX_EVENT_STREAMS: usize = 64;
/// How often a stream with nothing to send writes an SSE comment, so that
/// proxies and the connection's idle timeout see a live connection.
const STREAM_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The query of `GET /v1/events`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct EventQuery {
    /// Start after this cursor (`HEIGHT-INDEX`; `1-0` is the start of the
    /// chain). Default: the stream's `Last-Event-ID` header, else the next
    /// block, so only new events.
    pub after: Option<String>,
    /// Most events in the answer, 1 to 1,000 (default 100).
    pub limit: Option<usize>,
    /// Long poll: how long to wait for a first event, in milliseconds, up to
    /// 30,000 (default 0: answer at once).
    pub wait_ms: Option<u64>,
}

/// The node's open event streams: counted against [`MAX_EVENT_STREAMS`],
/// and ended when the node stops (an endless response would otherwise hold
/// the graceful shutdown open).
#[derive(Debug)]
pub struct EventStreams {
    open: AtomicUsize,
    closing: watch::Sender<bool>,
}

impl Default for EventStreams {
    fn default() -> Self {
        EventStreams {
            open: AtomicUsize::new(0),
            closing: watch::channel(false).0,
        }
    }
}

impl EventStreams {
    /// Ends every open stream and refuses new ones (the node is stopping).
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }

    fn admit(self: &Arc<Self>) -> Result<StreamSlot, ApiError> {
        if *self.closing.borrow() {
            return Err(ApiError::ShuttingDown);
        }
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < MAX_EVENT_STREAMS).then_some(open + 1)
            })
            .map_err(|_| ApiError::EventStreamsBusy {
                limit: MAX_EVENT_STREAMS,
            })?;
        Ok(StreamSlot(Arc::clone(self)))
    }
}

/// One admitted stream; gives its place back when the stream is dropped.
struct StreamSlot(Arc<EventStreams>);

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The committed transactions the officer may read, after a cursor.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "events",
    params(EventQuery),
    security(("signed_read" = [])),
    responses(
        (status = 200, description = "an EventPage (long poll), or with `Accept: text/event-stream` a stream of SSE events whose `id` is the cursor, `event` the kind and `data` an EventView", body = EventPage),
        (status = 400, description = "bad_query: a malformed or unknown cursor, a limit outside 1–1000, a wait over 30000 ms", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "unknown_signer, revoked_signer", body = ErrorBody),
        (status = 503, description = "event_streams_busy (the node's open streams; retry shortly or long-poll), signed_reads_busy, shutting_down", body = ErrorBody),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    query: Result<Query<EventQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = query?.0;
    let limit = answer_limit(query.limit)?;
    let wait = wait_limit(query.wait_ms)?;
    let after = match query.after.as_deref() {
        Some(text) => Some(text),
        None => headers
            .get("last-event-id")
            .and_then(|value| value.to_str().ok()),
    };
    let tip = state.tip().height;
    let start = match after {
        Some(text) => text.parse::<Cursor>().map_err(ApiError::BadQuery)?,
        None => Cursor::after_block(tip),
    };
    let start = checked_cursor(&state, start, tip).await?;
    if wants_stream(&headers) {
        // The reader was authenticated by now, so the token is well formed.
        let session = super::sessions::bearer_token(&headers)
            .ok()
            .flatten()
            .map(str::to_owned);
        let slot = state.event_streams().admit()?;
        return Ok(stream(state, reader, session, start, limit, slot).into_response());
    }
    long_poll(state, reader, start, limit, wait)
        .await
        .map(|page| Json(page).into_response())
}

fn answer_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit.unwrap_or(DEFAULT_EVENTS_PER_ANSWER) {
        limit @ 1..=MAX_EVENTS_PER_ANSWER => Ok(limit),
        other => Err(ApiError::BadQuery(format!(
            "limit {other} is outside 1–{MAX_EVENTS_PER_ANSWER}"
        ))),
    }
}

fn wait_limit(wait_ms: Option<u64>) -> Result<Duration, ApiError> {
    match wait_ms.unwrap_or(0) {
        wait @ 0..=MAX_WAIT_MS => Ok(Duration::from_millis(wait)),
        other => Err(ApiError::BadQuery(format!(
            "wait_ms {other} is over {MAX_WAIT_MS}; poll again instead"
        ))),
    }
}

fn wants_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|accept| accept.contains("text/event-stream"))
}

/// Refuses a cursor past the next block or past the end of its block: one
/// from another chain, or made up.
async fn checked_cursor(state: &AppState, cursor: Cursor, tip: u64) -> Result<Cursor, ApiError> {
    if cursor.height > tip.saturating_add(1) {
        return Err(ApiError::BadQuery(format!(
            "cursor {cursor} is past the next block {}: is it from another chain, or from \
             before this node's store was replaced? Start again from `1-0`",
            tip + 1
        )));
    }
    if cursor.height > tip {
        return match cursor.index {
            0 => Ok(cursor),
            _ => Err(ApiError::BadQuery(format!(
                "cursor {cursor} names a transaction of block {}, which is not committed yet; \
                 a cursor of the next block is `{}-0`",
                cursor.height, cursor.height
            ))),
        };
    }
    let count = state
        .blocking(move |shared| {
            let header = shared.store.header(cursor.height)?;
            header
                .map(|header| header.tx_count)
                .ok_or_else(|| missing(cursor.height, "header"))
        })
        .await?;
    if cursor.index > count {
        return Err(ApiError::BadQuery(format!(
            "cursor {cursor} names transaction {} of block {}, which has {count}",
            cursor.index, cursor.height
        )));
    }
    Ok(cursor)
}

fn missing(height: u64, what: &str) -> ApiError {
    ApiError::Internal(format!("committed block {height} has no stored {what}"))
}

/// Answers once there is an event after `start`, or after `wait`.
async fn long_poll(
    state: AppState,
    reader: Reader,
    start: Cursor,
    limit: usize,
    wait: Duration,
) -> Result<EventPage, ApiError> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut tips = state.tip_receiver();
    let mut at = start;
    loop {
        tips.borrow_and_update();
        let tip = state.tip().height;
        let (events, next) = read_events(&state, &reader, at, tip, limit).await?;
        at = next;
        let caught_up = at.height > tip;
        if !events.is_empty() || !caught_up || tokio::time::Instant::now() >= deadline {
            return Ok(EventPage {
                events,
                cursor: at.to_string(),
                tip,
            });
        }
        match tokio::time::timeout_at(deadline, tips.changed()).await {
            Ok(Ok(())) => {}
            // The deadline passed, or the node is stopping: answer what there is.
            Ok(Err(_)) | Err(_) => {
                return Ok(EventPage {
                    events,
                    cursor: at.to_string(),
                    tip,
                })
            }
        }
    }
}

async fn read_events(
    state: &AppState,
    reader: &Reader,
    from: Cursor,
    tip: u64,
    limit: usize,
) -> Result<(Vec<EventView>, Cursor), ApiError> {
    let reader = reader.clone();
    state
        .blocking(move |shared| scan(shared, &reader, from, tip, limit))
        .await
}

/// The readable events from `from` up to block `tip` (at most `limit`, and
/// at most [`MAX_BLOCKS_PER_ANSWER`] blocks looked through), and the cursor
/// after the last transaction looked at.
fn scan(
    shared: &Shared,
    reader: &Reader,
    from: Cursor,
    tip: u64,
    limit: usize,
) -> Result<(Vec<EventView>, Cursor), ApiError> {
    let mut events = Vec::new();
    let mut at = from;
    let last = tip.min(from.height.saturating_add(MAX_BLOCKS_PER_ANSWER - 1));
    while at.height <= last {
        let height = at.height;
        let block = shared
            .store
            .block(height)?
            .ok_or_else(|| missing(height, "block"))?;
        let results = shared
            .store
            .results(height)?
            .ok_or_else(|| missing(height, "results"))?;
        let skip = usize::try_from(at.index).unwrap_or(usize::MAX);
        for (index, (signed, result)) in block.txs.iter().zip(&results.0).enumerate().skip(skip) {
            if events.len() == limit {
                return Ok((events, at));
            }
            let index = u32::try_from(index).map_err(|_| missing(height, "index"))?;
            let after = Cursor {
                height,
                index: index + 1,
            };
            let described = Described::of(signed, result.tx, &result.outcome);
            if described.visible_to(shared, reader, signed)? {
                let case = match (&described.audience, &result.outcome) {
                    (Audience::Readers(ReadResource::Case(id)), TxOutcome::Ok) => {
                        case_after_block(shared, height, block.header.time_ms, id)?
                    }
                    _ => None,
                };
                let mut view = described.view(after, block.header.time_ms, signed, result)?;
                view.case = case;
                events.push(view);
            }
            at = after;
        }
        at = Cursor::after_block(height);
    }
    Ok((events, at))
}

/// Who may see a transaction's event.
enum Audience {
    /// Every officer (the routes of these records are public).
    Everyone,
    /// Officers who may read this record; nobody else but the signer.
    Readers(ReadResource),
}

/// What an event says about its transaction, before it is shown.
struct Described {
    kind: EventKind,
    audience: Audience,
    subject: Option<String>,
    action: Option<String>,
}

impl Described {
    fn of(signed: &SignedTx, tx: Hash, outcome: &TxOutcome) -> Described {
        let applied = matches!(outcome, TxOutcome::Ok);
        let case = |id: &CaseId, action: Option<String>| Described {
            kind: EventKind::Case,
            audience: Audience::Readers(ReadResource::Case(id.clone())),
            subject: Some(id.to_string()),
            action,
        };
        let evidence = |kind, digest: &Hash, action| Described {
            kind,
            audience: Audience::Readers(ReadResource::Evidence(*digest)),
            subject: Some(digest.to_hex()),
            action,
        };
        let inspection = |id: &InspectionId| Described {
            kind: EventKind::Inspection,
            audience: Audience::Readers(ReadResource::Inspection(id.clone())),
            subject: Some(id.to_string()),
            action: None,
        };
        let clue = |id: &ClueId, action: Option<String>| Described {
            kind: EventKind::Clue,
            audience: Audience::Readers(ReadResource::Clue(id.clone())),
            subject: Some(id.to_string()),
            action,
        };
        let request = |id: &RequestId, action: Option<String>| Described {
            kind: EventKind::Request,
            audience: Audience::Readers(ReadResource::Request(id.clone())),
            subject: Some(id.to_string()),
            action,
        };
        let draw = |id: &DrawId, action: &str| Described {
            kind: EventKind::Draw,
            audience: Audience::Everyone,
            subject: Some(id.to_string()),
            action: Some(action.into()),
        };
        let public = |kind| Described {
            kind,
            audience: Audience::Everyone,
            subject: None,
            action: None,
        };
        match &signed.tx.call {
            Call::OpenCase(_) => case(&CaseId::for_tx(&tx), Some("open".into())),
            Call::CaseAction(call) => case(&call.case_id, Some(call.action.clone())),
            Call::CaseStep(step) => case(&step.action.case_id, Some(step.action.action.clone())),
            Call::AnchorEvidence(anchor) => evidence(EventKind::Evidence, &anchor.digest, None),
            Call::LinkRecollected(link) => evidence(EventKind::Evidence, &link.original, None),
            Call::RecordCustody(custody) => evidence(
                EventKind::Custody,
                &custody.digest,
                Some(custody_action_name(custody.action)),
            ),
            Call::RecordInspection(_) => inspection(&InspectionId::for_tx(&tx)),
            // A refused retest recorded nothing under its own id.
            Call::RecordRetest(_) if applied => inspection(&InspectionId::for_tx(&tx)),
            Call::RecordRetest(retest) => inspection(&retest.of),
            Call::RecognizeInspection(call) => inspection(&call.id),
            Call::DisputeInspection(call) => inspection(&call.id),
            Call::RequestRetest(call) => inspection(&call.id),
            Call::Accredit(_) => public(EventKind::Accreditation),
            Call::Propose(_) | Call::Approve(_) => public(EventKind::Governance),
            Call::RegisterOfficer(_)
            | Call::RevokeOfficer(_)
            | Call::RegisterNodeKey(_)
            | Call::RevokeNodeKey(_) => public(EventKind::Membership),
            Call::PublishBulletin(_) => public(EventKind::Bulletin),
            Call::RecordTimestamp(_) => public(EventKind::Timestamp),
            Call::RecordDeposit(call) => evidence(EventKind::Deposit, &call.digest, None),
            Call::SendClue(_) => clue(&ClueId::for_tx(&tx), Some("send".into())),
            // A forward's readers are the forwarded clue's: the organ it went
            // to besides every organ the original clue concerned.
            Call::AnswerClue(call) if applied && call.action == ClueAction::Forward => Described {
                audience: Audience::Readers(ReadResource::Clue(ClueId::for_tx(&tx))),
                ..clue(&call.clue, Some(call.action.name().into()))
            },
            Call::AnswerClue(call) => clue(&call.clue, Some(call.action.name().into())),
            Call::AskOrgan(call) => request(&RequestId::for_tx(&tx), Some(call.kind.name().into())),
            Call::AnswerOrgan(call) => request(&call.request, Some("answer".into())),
            // 一公开: draws, directories and results are every member's to see.
            Call::SetInspectionItem(_) | Call::SetInspector(_) | Call::PublishEntitySnapshot(_) => {
                public(EventKind::Draw)
            }
            Call::PlanDraw(_) => draw(&DrawId::for_tx(&tx), "plan"),
            Call::CommitDraw(call) => draw(&call.draw, "commit"),
            Call::RevealDraw(call) => draw(&call.draw, "reveal"),
            Call::NameDrawnEntities(call) => draw(&call.draw, "name"),
            Call::RecuseInspector(call) => draw(&call.draw, "recuse"),
            Call::RecordDrawResult(call) => draw(&call.draw, "result"),
        }
    }

    fn visible_to(
        &self,
        shared: &Shared,
        reader: &Reader,
        signed: &SignedTx,
    ) -> Result<bool, ApiError> {
        if signed.tx.signer.id() == reader.officer.id {
            return Ok(true);
        }
        match &self.audience {
            Audience::Everyone => Ok(true),
            Audience::Readers(resource) => match may_read(shared, reader, resource) {
                Ok(allowed) => Ok(allowed),
                // The record of a refused transaction may not exist.
                Err(
                    ApiError::UnknownCase(_)
                    | ApiError::NotAnchored(_)
                    | ApiError::UnknownInspection(_)
                    | ApiError::UnknownClue(_)
                    | ApiError::UnknownRequest(_),
                ) => Ok(false),
                Err(error) => Err(error),
            },
        }
    }

    fn view(
        self,
        after: Cursor,
        time_ms: u64,
        signed: &SignedTx,
        result: &xianjie_ledger::block::TxResult,
    ) -> Result<EventView, ApiError> {
        Ok(EventView {
            cursor: after.to_string(),
            height: after.height,
            index: after.index - 1,
            time_ms,
            tx: result.tx.to_hex(),
            signer: signed.tx.signer.id().to_hex(),
            call: super::txs::call_kind(&signed.tx.call)?,
            kind: self.kind,
            subject: self.subject,
            action: self.action,
            outcome: result.outcome.clone().into(),
            case: None,
        })
    }
}

/// The case after block `height`, read from the state of that height: its
/// state, clocks at the block's time and open flags.
fn case_after_block(
    shared: &Shared,
    height: u64,
    time_ms: u64,
    id: &CaseId,
) -> Result<Option<CaseAfterBlock>, ApiError> {
    let view = StateAt {
        store: &shared.store,
        height,
    };
    let Some(case) = read::case(&view, id).map_err(internal)? else {
        return Ok(None);
    };
    let params = read::params_shared(&view).map_err(internal)?;
    let clocks = deadline::case_clocks(&params, &case, time_ms)
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| ApiError::Internal(format!("a clock to JSON: {error}")))?;
    let mut open_flags = Vec::new();
    for kind in FlagKind::ALL {
        let Some(bytes) = view.get(&keys::flag(id, kind.name())) else {
            continue;
        };
        let flag: SupervisionFlag = decode(&bytes)
            .map_err(|error| ApiError::Internal(format!("reading a flag of {id}: {error}")))?;
        if flag.resolved_height.is_none() {
            open_flags.push(kind.name().to_owned());
        }
    }
    Ok(Some(CaseAfterBlock {
        state: case.state.name().to_owned(),
        clocks,
        open_flags,
    }))
}

fn custody_action_name(action: xianjie_ledger::model::CustodyAction) -> String {
    match serde_json::to_value(action) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{action:?}"),
    }
}

/// The SSE form: events as they commit, until the client goes or the node
/// stops.
fn stream(
    state: AppState,
    reader: Reader,
    session: Option<String>,
    start: Cursor,
    limit: usize,
    slot: StreamSlot,
) -> Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let follower = Follower {
        tips: state.tip_receiver(),
        closing: state.event_streams().closing.subscribe(),
        state,
        reader,
        session,
        at: start,
        limit,
        ready: VecDeque::new(),
        finished: false,
        _slot: slot,
    };
    let events = futures_util::stream::unfold(follower, |mut follower| async move {
        follower
            .next_event()
            .await
            .map(|event| (Ok(event), follower))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(STREAM_KEEP_ALIVE))
}

/// The state of one stream between events.
struct Follower {
    state: AppState,
    reader: Reader,
    /// The console session the stream was opened with, if any: the stream
    /// ends when the session does (expiry or sign-out), as every other read
    /// of the session would be refused.
    session: Option<String>,
    tips: watch::Receiver<crate::chain::Tip>,
    closing: watch::Receiver<bool>,
    at: Cursor,
    limit: usize,
    ready: VecDeque<EventView>,
    /// Set after an error event: the stream ends at the next poll.
    finished: bool,
    _slot: StreamSlot,
}

impl Follower {
    /// The next SSE event, or `None` to end the stream.
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if self.finished || *self.closing.borrow() {
                return None;
            }
            if let Some(token) = &self.session {
                let now_ms = self.state.shared().clock.now_ms();
                if self.state.sessions().resolve(token, now_ms).is_err() {
                    self.finished = true;
                    return Some(Event::default().event("error").data("bad_session"));
                }
            }
            if let Some(view) = self.ready.pop_front() {
                return Some(sse_event(&view));
            }
            self.tips.borrow_and_update();
            let tip = self.state.tip().height;
            match read_events(&self.state, &self.reader, self.at, tip, self.limit).await {
                Ok((events, next)) => {
                    self.at = next;
                    self.ready.extend(events);
                    if !self.ready.is_empty() || self.at.height <= tip {
                        continue;
                    }
                }
                Err(error) => {
                    // A revoked officer, or a store failure: say why and end.
                    let code = error.code().to_owned();
                    tracing::debug!(%code, "event stream ended");
                    self.finished = true;
                    return Some(Event::default().event("error").data(code));
                }
            }
            tokio::select! {
                changed = self.tips.changed() => if changed.is_err() { return None },
                _ = self.closing.changed() => return None,
            }
        }
    }
}

fn sse_event(view: &EventView) -> Event {
    let kind = match serde_json::to_value(view.kind) {
        Ok(serde_json::Value::String(kind)) => kind,
        _ => "event".to_owned(),
    };
    let event = Event::default().id(view.cursor.clone()).event(kind);
    match event.json_data(view) {
        Ok(event) => event,
        Err(_) => Event::default().event("error").data("internal"),
    }
}
