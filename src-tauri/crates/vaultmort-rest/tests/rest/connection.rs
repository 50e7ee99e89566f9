//! Slow, idle and greedy clients are cut off within the connection limits (issue 11 point 3):
//! a body that stops half way, a head that never ends, an idle HTTP/2 connection, one whose
//! HEADERS or body never finish, and more connections from one address than its share.
//!
//! Each test sets bounds of about a second and waits far longer (`PATIENCE`) for the cut: they
//! fail by waiting out the patience when nothing cuts, never by measuring speed.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use axum::body::Bytes;
use tokio::io::AsyncWriteExt;
use vaultmort_rest::ConnectionLimits;

use crate::support::{TestServer, VAULT, read_until_closed};

/// How long a test waits for a cut the server should make within about a second.
const PATIENCE: Duration = Duration::from_secs(12);

/// Limits of a second or so, so the tests see them act.
fn short_limits() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    }
}

fn token_path(t: &TestServer) -> String {
    format!("/{}/oauth2/v2.0/token", t.server.tenant())
}

// Regression, issue 11 point 3: a client that sent its headers and part of its body was held
// forever (75 s and counting), on the token endpoint that needs no token.
#[tokio::test]
async fn issue11_a_body_that_stops_half_way_is_answered_408_and_cut_off() {
    let t = TestServer::start_with(|o| o.connection_limits = short_limits()).await;
    let mut tls = t.tls_connect(None, &[b"http/1.1"]).await.expect("a TLS connection");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: localhost:{}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type=client",
        token_path(&t),
        t.addr().port()
    );
    tls.write_all(head.as_bytes()).await.expect("the head and part of the body are sent");
    tls.flush().await.expect("flushed");
    let answer = read_until_closed(&mut tls, PATIENCE).await.expect("the server closes a connection whose body stopped coming");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "the client is told its body timed out before the close: {answer}");
    assert!(answer.contains("RequestTimeout"), "in Key Vault's error shape: {answer}");
}

// Regression, issue 11 point 3: a request head that never ends is cut off too.
#[tokio::test]
async fn issue11_a_head_that_never_ends_is_cut_off() {
    let t = TestServer::start_with(|o| o.connection_limits = short_limits()).await;
    let mut tls = t.tls_connect(None, &[b"http/1.1"]).await.expect("a TLS connection");
    let partial = format!("GET /secrets?api-version=7.6 HTTP/1.1\r\nHost: {VAULT}.localhost:{}\r\nX-Slow: ", t.addr().port());
    tls.write_all(partial.as_bytes()).await.expect("part of a head is sent");
    tls.flush().await.expect("flushed");
    assert!(read_until_closed(&mut tls, PATIENCE).await.is_some(), "the server closes a connection whose head stopped coming");
}

// Regression, issue 11 point 3: an HTTP/1.1 keep-alive connection left idle is closed.
#[tokio::test]
async fn issue11_an_idle_http1_keep_alive_connection_is_closed() {
    let t =
        TestServer::start_with(|o| o.connection_limits = ConnectionLimits { header_timeout: Duration::from_secs(60), ..short_limits() })
            .await;
    let mut tls = t.tls_connect(None, &[b"http/1.1"]).await.expect("a TLS connection");
    let request = format!("GET /{}/v2.0/.well-known/openid-configuration HTTP/1.1\r\nHost: localhost\r\n\r\n", t.server.tenant());
    tls.write_all(request.as_bytes()).await.expect("a whole request is sent");
    tls.flush().await.expect("flushed");
    let answer = read_until_closed(&mut tls, PATIENCE).await.expect("the server closes the kept-alive connection once idle");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"), "the request itself was answered before the close");
}

/// An HTTP/2 client connection over TLS (ALPN h2), with its connection task.
async fn h2_client(t: &TestServer) -> (h2::client::SendRequest<Bytes>, tokio::task::JoinHandle<Result<(), h2::Error>>) {
    let tls = t.tls_connect(None, &[b"h2"]).await.expect("a TLS connection");
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]), "the server chose HTTP/2");
    let (send, connection) = h2::client::handshake(tls).await.expect("the HTTP/2 handshake");
    (send, tokio::spawn(connection))
}

// Regression, issue 11 point 3: an idle HTTP/2 connection was held forever. The h2 client
// answers pings, so only the idle bound can close it.
#[tokio::test]
async fn issue11_an_idle_http2_connection_is_closed() {
    let t = TestServer::start_with(|o| o.connection_limits = short_limits()).await;
    let (mut send, connection) = h2_client(&t).await;
    let request = axum::http::Request::get(format!(
        "https://localhost:{}/{}/v2.0/.well-known/openid-configuration",
        t.addr().port(),
        t.server.tenant()
    ))
    .body(())
    .expect("a request");
    let (response, _) = send.send_request(request, true).expect("the request is sent");
    let response = response.await.expect("an answer");
    assert_eq!(response.status(), 200, "the connection works before it goes idle");
    drop(response);
    let ended = tokio::time::timeout(PATIENCE, connection).await;
    assert!(ended.is_ok(), "the server closes an HTTP/2 connection with nothing in flight");
}

// Regression, issue 11 point 3: an HTTP/2 stream whose body never finishes is answered 408,
// and the connection, idle after that, is closed.
#[tokio::test]
async fn issue11_an_http2_body_that_never_finishes_is_answered_408_and_the_connection_closed() {
    let t = TestServer::start_with(|o| o.connection_limits = short_limits()).await;
    let (mut send, connection) = h2_client(&t).await;
    let request = axum::http::Request::post(format!("https://localhost:{}{}", t.addr().port(), token_path(&t)))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", "1000")
        .body(())
        .expect("a request");
    let (response, mut body) = send.send_request(request, false).expect("the head is sent");
    body.send_data(Bytes::from_static(b"grant_type=client"), false).expect("part of the body is sent");
    let response = tokio::time::timeout(PATIENCE, response).await.expect("the server answers a body that stopped coming");
    let response = response.expect("an answer on the stream");
    assert_eq!(response.status(), 408, "the body timed out");
    drop(body);
    let ended = tokio::time::timeout(PATIENCE, connection).await;
    assert!(ended.is_ok(), "the connection, idle after the answer, is closed");
}

// Regression, issue 11 point 3: an HTTP/2 connection that leaves a header block unfinished
// (HEADERS without END_HEADERS, no CONTINUATION) was held forever. A raw client that never
// answers the server's frames.
#[tokio::test]
async fn issue11_an_http2_header_block_that_never_finishes_is_cut_off() {
    let t = TestServer::start_with(|o| o.connection_limits = short_limits()).await;
    let mut tls = t.tls_connect(None, &[b"h2"]).await.expect("a TLS connection");
    let mut frames = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    frames.extend_from_slice(&[0, 0, 0, 0x4, 0, 0, 0, 0, 0]); // SETTINGS, empty
    // HEADERS on stream 1 with END_STREAM but not END_HEADERS: `:method GET` (static index 2),
    // `:scheme https` (7), and nothing more, ever.
    frames.extend_from_slice(&[0, 0, 2, 0x1, 0x1, 0, 0, 0, 1, 0x82, 0x87]);
    tls.write_all(&frames).await.expect("the preface and half a header block are sent");
    tls.flush().await.expect("flushed");
    assert!(read_until_closed(&mut tls, PATIENCE).await.is_some(), "the server closes a connection whose header block stopped");
}

// Regression, issue 11 point 3: 1,000 connections held by one client took the server from 21
// to 1,021 file descriptors. Beyond its address's share a connection is refused at once, while
// another address is still served and a freed place can be taken again.
#[tokio::test]
async fn issue11_connections_beyond_the_per_address_cap_are_refused_while_others_are_served() {
    const CAP: usize = 4;
    let t = TestServer::start_with(|o| {
        o.connection_limits = ConnectionLimits { max_connections_per_address: CAP, ..ConnectionLimits::default() }
    })
    .await;
    let near = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let mut held = Vec::new();
    for i in 0..CAP {
        held.push(t.tls_connect(near, &[b"http/1.1"]).await.unwrap_or_else(|e| panic!("connection {i} is within the cap: {e}")));
    }
    let refused = t.tls_connect(near, &[b"http/1.1"]).await;
    assert!(refused.is_err(), "connection {} from the same address is closed before its handshake", CAP + 1);

    let far = t.client_from(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))));
    let answer = far
        .get(format!("https://localhost:{}/{}/v2.0/.well-known/openid-configuration", t.addr().port(), t.server.tenant()))
        .send()
        .await
        .expect("another address is still served");
    assert_eq!(answer.status(), 200, "a normal request from 127.0.0.2 answers while 127.0.0.1 is at its cap");

    drop(held.pop());
    // The server notices the close when it reads; try again for a while.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match t.tls_connect(near, &[b"http/1.1"]).await {
            Ok(_) => break,
            Err(e) => assert!(tokio::time::Instant::now() < deadline, "a freed place is given to a new connection: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
