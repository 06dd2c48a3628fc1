//! Serves the HTTP API on a TCP listener, with bounds on what clients can
//! hold: a header-read timeout, an idle timeout, and caps on open
//! connections in total and per IP address. Both the dev node and network
//! nodes serve through [`serve`].
//!
//! Every connection costs the node an open file. Without these bounds a
//! client could open connections and send nothing (or half a request) until
//! the process hit its open-file limit, after which it could accept nothing
//! at all. With them, idle and stalled connections are closed, and a
//! connection past a cap is answered `503 too_many_connections` at once and
//! closed, so the API keeps answering.
//!
//! Consensus and transaction gossip listen on their own sockets in their
//! own tasks, so an API flood cannot take their connections; and since
//! `api.max_connections` stays well under the open-file limit (a warning at
//! start says when it does not), the API cannot use up the files they need
//! either.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt as _;

use crate::config::ApiConfig;

/// Refusals being written at once. Each holds a connection for at most
/// [`REFUSAL_LINGER`]; past this many, a connection over a cap is closed
/// without an answer, so refusing cannot itself use up open files.
const REFUSALS_IN_FLIGHT: usize = 32;
/// How long a refused connection is kept to write the 503 and let the
/// client read it (closing with its request unread would reset the
/// connection and lose the answer).
const REFUSAL_LINGER: Duration = Duration::from_secs(1);
/// Pause after a failed `accept` that is not about one connection (such as
/// running out of open files), so the loop does not spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(250);

/// The connection timeouts and bounds of [`serve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client may take, from a request's first byte, to send its headers.
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in progress and no traffic.
    pub idle_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// Most connections open at once from one IP address.
    pub max_connections_per_ip: usize,
}

impl From<&ApiConfig> for ConnectionLimits {
    fn from(api: &ApiConfig) -> Self {
        ConnectionLimits {
            header_read_timeout: api.header_read_timeout,
            idle_timeout: api.idle_timeout,
            max_connections: api.max_connections,
            max_connections_per_ip: api.max_connections_per_ip,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops
/// accepting, lets every in-flight request finish (kept-alive connections
/// close after their current response) and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let (stop, stopping) = watch::channel(false);
    let slots = Slots::new(limits);
    let refusals = Arc::new(Semaphore::new(REFUSALS_IN_FLIGHT));
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            // Reaps finished connections so the set does not grow.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(&error, limits).await;
                    continue;
                }
            },
        };
        match slots.take(peer.ip()) {
            Ok(slot) => {
                let connection = Connection {
                    router: router.clone(),
                    limits,
                    stopping: stopping.clone(),
                    _slot: slot,
                };
                tasks.spawn(connection.run(stream));
            }
            Err(refusal) => {
                tracing::debug!(%peer, code = refusal.code(), "API connection refused");
                // No permit: close at once rather than hold another file.
                if let Ok(permit) = Arc::clone(&refusals).try_acquire_owned() {
                    tasks.spawn(refuse(stream, refusal, permit));
                }
            }
        }
    }
    drop(listener);
    // Ignored: every receiver may be gone already.
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
}

/// Logs a failed `accept`. Errors about one connection (reset before it was
/// accepted) are skipped; anything else, most likely the open-file limit,
/// pauses the loop briefly.
async fn accept_failed(error: &io::Error, limits: ConnectionLimits) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused
    ) {
        return;
    }
    tracing::error!(
        %error,
        max_connections = limits.max_connections,
        "cannot accept API connections; if the process is out of open files, raise its limit \
         (systemd LimitNOFILE=, ulimit -n) or lower api.max_connections"
    );
    tokio::time::sleep(ACCEPT_RETRY).await;
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// `api.max_connections` are open.
    Total(usize),
    /// `api.max_connections_per_ip` are open from this address.
    PerIp(usize, IpAddr),
}

impl Refusal {
    fn code(&self) -> &'static str {
        match self {
            Refusal::Total(_) => "too_many_connections",
            Refusal::PerIp(..) => "too_many_connections_from_address",
        }
    }

    fn message(&self) -> String {
        match self {
            Refusal::Total(limit) => format!(
                "this node already serves its limit of {limit} API connections \
                 (api.max_connections); retry in a moment, and reuse or close idle connections"
            ),
            Refusal::PerIp(limit, ip) => format!(
                "{ip} already holds this node's limit of {limit} API connections per address \
                 (api.max_connections_per_ip); reuse or close idle connections, and retry"
            ),
        }
    }

    /// The whole HTTP answer: a 503 with the API's error body, closing.
    fn response(&self) -> Vec<u8> {
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.message() }
        })
        .to_string();
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }
}

/// Answers a refused connection with a 503, then reads and drops whatever
/// the client sends until it closes or [`REFUSAL_LINGER`] passes.
async fn refuse(mut stream: TcpStream, refusal: Refusal, _permit: OwnedSemaphorePermit) {
    let answer = async {
        stream.write_all(&refusal.response()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        io::Result::Ok(())
    };
    // Either way the connection closes when `stream` drops.
    let _ = tokio::time::timeout(REFUSAL_LINGER, answer).await;
}

/// The open connections, in total and per address.
#[derive(Clone)]
struct Slots {
    total: Arc<Semaphore>,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
    limits: ConnectionLimits,
}

/// One connection's place among the open ones, given back when dropped.
struct Slot {
    _total: OwnedSemaphorePermit,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl Slots {
    fn new(limits: ConnectionLimits) -> Slots {
        Slots {
            total: Arc::new(Semaphore::new(limits.max_connections)),
            per_ip: Arc::new(Mutex::new(HashMap::new())),
            limits,
        }
    }

    fn take(&self, ip: IpAddr) -> Result<Slot, Refusal> {
        let mut per_ip = self.per_ip.lock().expect("connection count lock");
        let count = per_ip.entry(ip).or_insert(0);
        if *count >= self.limits.max_connections_per_ip {
            return Err(Refusal::PerIp(self.limits.max_connections_per_ip, ip));
        }
        let total = Arc::clone(&self.total)
            .try_acquire_owned()
            .map_err(|_| Refusal::Total(self.limits.max_connections))?;
        *count += 1;
        Ok(Slot {
            _total: total,
            per_ip: Arc::clone(&self.per_ip),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_ip = self.per_ip.lock().expect("connection count lock");
        if let Some(count) = per_ip.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                per_ip.remove(&self.ip);
            }
        }
    }
}

/// One accepted connection.
struct Connection {
    router: Router,
    limits: ConnectionLimits,
    stopping: watch::Receiver<bool>,
    _slot: Slot,
}

impl Connection {
    /// Serves HTTP/1.1 on `stream` until the client closes, a timeout
    /// expires, or the server stops (after the request in progress).
    async fn run(mut self, stream: TcpStream) {
        let clock = Arc::new(ConnectionClock::new());
        let io = TokioIo::new(Watched {
            inner: stream,
            clock: Arc::clone(&clock),
        });
        let service = Tracked {
            router: self.router.clone(),
            clock: Arc::clone(&clock),
        };
        let connection = hyper::server::conn::http1::Builder::new()
            // The clock below times headers from their first byte; hyper's
            // own timer would start when the connection goes idle.
            .header_read_timeout(None::<Duration>)
            .serve_connection(io, service);
        tokio::pin!(connection);
        let mut draining = false;
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(error) = served {
                        tracing::debug!(%error, "API connection ended with an error");
                    }
                    return;
                }
                expired = clock.expired(self.limits) => {
                    tracing::debug!(reason = expired, "closing an API connection");
                    return;
                }
                _ = self.stopping.wait_for(|stop| *stop), if !draining => {
                    draining = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Where a connection is between requests, for its timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No request in progress; nothing received since `since` (the last
    /// traffic, the end of the last request, or the connection's opening).
    Idle { since: Instant },
    /// The first byte of a request arrived at `since`; its headers are not
    /// complete yet.
    ReadingHead { since: Instant },
    /// The router is handling `requests` requests (it bounds them itself
    /// with `api.request_timeout`).
    Handling { requests: usize },
}

/// A connection's [`Phase`], moved by its reads and writes ([`Watched`])
/// and its requests ([`Tracked`]).
#[derive(Debug)]
struct ConnectionClock {
    phase: Mutex<Phase>,
    changed: Notify,
}

impl ConnectionClock {
    fn new() -> Self {
        ConnectionClock {
            phase: Mutex::new(Phase::Idle {
                since: Instant::now(),
            }),
            changed: Notify::new(),
        }
    }

    fn update(&self, next: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.phase.lock().expect("connection clock lock");
        let before = *phase;
        *phase = next(before);
        // Moving from idle to a request or back changes the deadline.
        if std::mem::discriminant(&before) != std::mem::discriminant(&*phase) {
            self.changed.notify_one();
        }
    }

    fn received(&self) {
        self.update(|phase| match phase {
            Phase::Idle { .. } => Phase::ReadingHead {
                since: Instant::now(),
            },
            other => other,
        });
    }

    fn sent(&self) {
        self.update(|phase| match phase {
            Phase::Idle { .. } => Phase::Idle {
                since: Instant::now(),
            },
            other => other,
        });
    }

    fn request_started(&self) {
        self.update(|phase| match phase {
            Phase::Handling { requests } => Phase::Handling {
                requests: requests + 1,
            },
            _ => Phase::Handling { requests: 1 },
        });
    }

    fn request_finished(&self) {
        self.update(|phase| match phase {
            Phase::Handling { requests } if requests > 1 => Phase::Handling {
                requests: requests - 1,
            },
            _ => Phase::Idle {
                since: Instant::now(),
            },
        });
    }

    /// When the connection must close unless something happens first, and why.
    fn deadline(&self, limits: ConnectionLimits) -> Option<(Instant, &'static str)> {
        match *self.phase.lock().expect("connection clock lock") {
            Phase::Idle { since } => Some((since + limits.idle_timeout, "idle_timeout")),
            Phase::ReadingHead { since } => {
                Some((since + limits.header_read_timeout, "header_read_timeout"))
            }
            Phase::Handling { .. } => None,
        }
    }

    /// Resolves, with the timeout's name, when a deadline passes.
    async fn expired(&self, limits: ConnectionLimits) -> &'static str {
        loop {
            match self.deadline(limits) {
                Some((deadline, reason)) if deadline <= Instant::now() => return reason,
                Some((deadline, _)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => {}
                        () = self.changed.notified() => {}
                    }
                }
                None => self.changed.notified().await,
            }
        }
    }
}

/// The router as a hyper service that tells the clock when each request
/// starts (its headers are complete) and when its response is ready.
#[derive(Clone)]
struct Tracked {
    router: Router,
    clock: Arc<ConnectionClock>,
}

/// Marks the request finished when dropped, also if hyper drops it.
struct InProgress(Arc<ConnectionClock>);

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

impl hyper::service::Service<hyper::Request<Incoming>> for Tracked {
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future =
        Pin<Box<dyn Future<Output = Result<axum::response::Response, Infallible>> + Send>>;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        self.clock.request_started();
        let in_progress = InProgress(Arc::clone(&self.clock));
        let router = self.router.clone();
        Box::pin(async move {
            let response = router.oneshot(request).await;
            drop(in_progress);
            response
        })
    }
}

/// A TCP stream that reports its traffic to the connection's clock.
struct Watched {
    inner: TcpStream,
    clock: Arc<ConnectionClock>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.clock.received();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.clock.sent();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.clock.sent();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Raises this process's soft open-file limit to its hard limit (every
/// API connection, peer connection, store and vault file is one) and logs
/// both; warns when `max_connections` leaves too little room under it.
/// Returns the soft limit in force.
pub fn raise_open_file_limit(max_connections: usize) -> Option<u64> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok(limits) => limits,
        Err(error) => {
            tracing::warn!(%error, "cannot read the open-file limit");
            return None;
        }
    };
    let in_force = if soft < hard {
        match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => hard,
            Err(error) => {
                tracing::warn!(%error, soft, hard, "cannot raise the open-file limit");
                soft
            }
        }
    } else {
        soft
    };
    tracing::info!(
        soft = in_force,
        hard,
        was = soft,
        "open-file limit (RLIMIT_NOFILE)"
    );
    let needed = max_connections as u64 + FILES_BESIDES_API;
    if in_force < needed {
        tracing::warn!(
            limit = in_force,
            max_connections,
            "api.max_connections plus the about {FILES_BESIDES_API} other files a node needs \
             (store, peers, refused connections) exceed the open-file limit: raise the limit \
             (systemd LimitNOFILE=, ulimit -n) to at least {needed}, or lower api.max_connections"
        );
    }
    Some(in_force)
}

/// Open files a node needs besides its API connections: the store, the
/// write-ahead log, vault files being read or written, consensus and gossip
/// connections to every peer, refusals in flight, and the runtime's own.
const FILES_BESIDES_API: u64 = 256;

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(2),
            idle_timeout: Duration::from_secs(10),
            max_connections: 3,
            max_connections_per_ip: 2,
        }
    }

    #[test]
    fn slots_refuse_past_the_per_address_and_total_bounds_and_come_back() {
        let slots = Slots::new(limits());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let c: IpAddr = "10.0.0.3".parse().unwrap();
        let first = slots.take(a).unwrap();
        let _second = slots.take(a).unwrap();
        assert_eq!(slots.take(a).err(), Some(Refusal::PerIp(2, a)));
        let _third = slots.take(b).unwrap();
        assert_eq!(slots.take(c).err(), Some(Refusal::Total(3)));
        drop(first);
        assert!(slots.take(a).is_ok(), "a closed connection frees its slot");
    }

    #[test]
    fn a_refusal_is_a_complete_503_with_the_api_error_body() {
        let text = String::from_utf8(Refusal::Total(7).response()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["code"], "too_many_connections");
        assert!(json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("api.max_connections"));
    }

    fn phase(clock: &ConnectionClock) -> Phase {
        *clock.phase.lock().unwrap()
    }

    #[test]
    fn the_deadline_follows_the_request_cycle() {
        let limits = limits();
        let clock = ConnectionClock::new();
        let Phase::Idle { since: opened } = phase(&clock) else {
            panic!("a new connection is idle");
        };
        assert_eq!(
            clock.deadline(limits),
            Some((opened + limits.idle_timeout, "idle_timeout"))
        );
        clock.received();
        let Phase::ReadingHead { since: first_byte } = phase(&clock) else {
            panic!("a first byte starts a request's head");
        };
        clock.received();
        assert_eq!(
            clock.deadline(limits),
            Some((
                first_byte + limits.header_read_timeout,
                "header_read_timeout"
            )),
            "later bytes of the head do not extend it"
        );
        clock.request_started();
        clock.sent();
        assert_eq!(
            clock.deadline(limits),
            None,
            "a request in progress has no deadline"
        );
        clock.request_finished();
        let Phase::Idle { since: finished } = phase(&clock) else {
            panic!("idle again after the request");
        };
        assert!(finished >= first_byte);
        assert_eq!(
            clock.deadline(limits),
            Some((finished + limits.idle_timeout, "idle_timeout"))
        );
    }

    #[tokio::test]
    async fn a_passed_deadline_expires_the_connection() {
        let limits = limits();
        let clock = ConnectionClock::new();
        let long_ago = Instant::now()
            .checked_sub(limits.idle_timeout * 2)
            .expect("an instant in the past");
        *clock.phase.lock().unwrap() = Phase::Idle { since: long_ago };
        assert_eq!(clock.expired(limits).await, "idle_timeout");
        *clock.phase.lock().unwrap() = Phase::ReadingHead { since: long_ago };
        assert_eq!(clock.expired(limits).await, "header_read_timeout");
    }
}
