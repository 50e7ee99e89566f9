//! One client connection, from accept to close, with every wait bounded so that a slow or idle
//! client cannot hold the server's file descriptors ([`ConnectionLimits`]):
//!
//! - at most [`ConnectionLimits::max_connections_per_address`] connections from one source
//!   address at once; beyond that a new connection is closed at accept, before its handshake
//!   ([`AddressSlots`]), while the others go on;
//! - the TLS handshake, the HTTP/1.1 request head and the whole request body each have a time
//!   (the body's is enforced by [`crate::body::TimedBody`]);
//! - a connection with no request in flight for the idle time is shut down gracefully (GOAWAY
//!   on HTTP/2) and dropped if it has not closed within a short grace. This covers HTTP/1.1
//!   keep-alive, an idle HTTP/2 connection, and one whose HEADERS never finish (an unfinished
//!   header block is not a request yet); HTTP/2 keep-alive pings also drop a peer that stops
//!   answering.
//!
//! [`serve_http`] is everything after the handshake, for any stream: the App Service front end
//! (`vaultmort-appservice`) serves its HTTPS and plain HTTP ports through it and [`AddressSlots`]
//! with the same bounds.
//!
//! Left out: what a request does (the router's business).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tower::ServiceExt;
use vaultmort_core::Vaultmort;

use crate::body::TimedBody;
use crate::tls;

/// How long a connection and its requests may take; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// The TLS handshake, from accept. Default 10 s: a handshake is a few round trips.
    pub tls_handshake_timeout: Duration,
    /// An HTTP/1.1 request head, from the first byte the server waits for. Default 30 s
    /// (hyper's own default), so a client that never finishes its headers is cut off.
    pub header_timeout: Duration,
    /// A request body, from the moment its head arrived to its last byte. Default 30 s: the
    /// largest accepted body (1 MiB) needs under 0.3 Mbit/s to make it.
    pub body_timeout: Duration,
    /// A connection with no request in flight (HTTP/1.1 keep-alive, HTTP/2 idle or with an
    /// unfinished header block). Default 60 s, under the 90 s most client pools keep a
    /// connection, and an HTTP/2 GOAWAY tells the client before the close.
    pub idle_timeout: Duration,
    /// How often an HTTP/2 connection with requests in flight is pinged; a peer that does not
    /// answer within the same time is dropped. Default 20 s.
    pub http2_ping_interval: Duration,
    /// Connections one source address may hold at once. Default 256: four times the largest
    /// concurrency the benchmarks use, and a quarter of the usual 1,024 file descriptors a
    /// process may open, so one client cannot take them all.
    pub max_connections_per_address: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            tls_handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            http2_ping_interval: Duration::from_secs(20),
            max_connections_per_address: 256,
        }
    }
}

/// The longest wait for a connection to close after a graceful shutdown began (a peer that
/// never acknowledges a GOAWAY, or never reads its response); shorter when the idle time is.
const MAX_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Counts the connections each source address holds.
#[derive(Debug)]
pub struct AddressSlots {
    max_per_address: usize,
    held: Mutex<HashMap<IpAddr, usize>>,
}

impl AddressSlots {
    /// At most `max_per_address` connections per address.
    pub fn new(max_per_address: usize) -> Arc<Self> {
        Arc::new(Self { max_per_address, held: Mutex::default() })
    }

    /// A slot for one more connection from `address`, or `None` when it holds its share.
    pub fn take(self: &Arc<Self>, address: IpAddr) -> Option<AddressSlot> {
        let address = address.to_canonical();
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let count = held.entry(address).or_insert(0);
        if *count >= self.max_per_address {
            if *count == 0 {
                held.remove(&address);
            }
            return None;
        }
        *count += 1;
        Some(AddressSlot { slots: self.clone(), address })
    }
}

/// One connection's place in its address's count, given back when dropped.
#[derive(Debug)]
pub struct AddressSlot {
    slots: Arc<AddressSlots>,
    address: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&self.address);
            }
        }
    }
}

/// Requests in flight on one connection, and since when it has had none.
#[derive(Debug)]
struct Activity {
    in_flight: AtomicUsize,
    idle_since: Mutex<Instant>,
}

impl Activity {
    fn new() -> Arc<Self> {
        Arc::new(Self { in_flight: AtomicUsize::new(0), idle_since: Mutex::new(Instant::now()) })
    }

    /// Marks a request in flight until the returned guard is dropped.
    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self.clone())
    }

    /// When the connection became idle, or `None` while a request is in flight.
    fn idle_since(&self) -> Option<Instant> {
        let since = *self.idle_since.lock().unwrap_or_else(PoisonError::into_inner);
        (self.in_flight.load(Ordering::SeqCst) == 0).then_some(since)
    }
}

/// One request in flight.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut since = self.0.idle_since.lock().unwrap_or_else(PoisonError::into_inner);
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            *since = Instant::now();
        }
    }
}

/// What every connection of one server shares.
pub(crate) struct Shared {
    pub(crate) limits: ConnectionLimits,
    pub(crate) tls_config: Arc<rustls::ServerConfig>,
    pub(crate) identity: Arc<tls::ServerIdentity>,
    pub(crate) core: Arc<Vaultmort>,
    pub(crate) router: axum::Router,
}

/// Serves one accepted connection until it closes or a bound cuts it off; `slot` is held all
/// the while.
pub(crate) async fn serve(shared: Arc<Shared>, tcp: TcpStream, peer: SocketAddr, slot: AddressSlot) {
    let _slot = slot;
    let handshake = tls::handshake(tcp, shared.tls_config.clone(), &shared.identity, &shared.core);
    let Ok(Some(stream)) = tokio::time::timeout(shared.limits.tls_handshake_timeout, handshake).await else {
        return;
    };
    serve_http(stream, peer, shared.router.clone(), &shared.limits).await;
}

/// Serves HTTP/1.1 or HTTP/2 on `io` (a TLS stream after its handshake, or plain TCP) with
/// `router` until the connection closes or a bound of `limits` cuts it off: the head time, each
/// body's time, the idle time and HTTP/2 pings. Each request carries [`ConnectInfo`]`(peer)`.
pub async fn serve_http<I>(io: I, peer: SocketAddr, router: axum::Router, limits: &ConnectionLimits)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let activity = Activity::new();
    let service = {
        let (activity, body_timeout) = (activity.clone(), limits.body_timeout);
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            let in_flight = activity.begin();
            request.extensions_mut().insert(ConnectInfo(peer));
            let request = request.map(|body| axum::body::Body::new(TimedBody::new(body, Instant::now() + body_timeout)));
            let router = router.clone();
            async move {
                let _in_flight = in_flight;
                router.oneshot(request).await
            }
        })
    };
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new()).keep_alive_interval(limits.http2_ping_interval).keep_alive_timeout(limits.http2_ping_interval);
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    loop {
        let check_at = match activity.idle_since() {
            Some(since) if since.elapsed() >= limits.idle_timeout => break,
            Some(since) => since + limits.idle_timeout,
            None => Instant::now() + limits.idle_timeout,
        };
        tokio::select! {
            _ = connection.as_mut() => return,
            () = tokio::time::sleep_until(check_at) => {}
        }
    }
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(limits.idle_timeout.min(MAX_SHUTDOWN_GRACE), connection).await;
}
