//! Request bodies over the limit or malformed get their own errors, readable by the client
//! (issue 11 point 5).

use axum::body::Bytes;
use reqwest::Version;
use tokio::io::AsyncWriteExt;

use crate::support::{TestServer, VAULT, assert_error, read_until_closed};

/// Eight times the default body limit.
const EIGHT_MB: usize = 8 * 1024 * 1024;

async fn put_eight_megabytes(t: &TestServer, version: Version) {
    let token = t.owner_token().await;
    let response = t
        .client_http(version)
        .put(format!("{}/secrets/big?api-version=7.6", t.vault_url()))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(vec![b'x'; EIGHT_MB])
        .send()
        .await
        .unwrap_or_else(|e| panic!("the client reads the server's answer over {version:?} instead of a broken connection: {e:?}"));
    assert_eq!(response.version(), version, "the protocol asked for");
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("the 413 carries Key Vault's JSON error body");
    assert_error(status, &body, 413, "RequestBodyTooLarge", "an 8 MB body");
}

// reqwest reads an answer that comes while it still sends, so these two held before the fix
// too; the raw clients below send everything first, as curl and Python's requests do.
#[tokio::test]
async fn an_8_mb_body_is_answered_413_with_its_body_over_http1() {
    let t = TestServer::start().await;
    put_eight_megabytes(&t, Version::HTTP_11).await;
}

#[tokio::test]
async fn an_8_mb_body_is_answered_413_with_its_body_over_http2() {
    let t = TestServer::start().await;
    put_eight_megabytes(&t, Version::HTTP_2).await;
}

// Regression, issue 11 point 5: an 8 MB PUT got a broken pipe over HTTP/1.1 instead of the 413:
// the server stopped reading at the limit and closed. A client that writes its whole request
// before it reads now gets the 413 and its body.
#[tokio::test]
async fn issue11_an_8_mb_body_sent_whole_over_http1_gets_the_413_body() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let mut tls = t.tls_connect(None, &[b"http/1.1"]).await.expect("a TLS connection");
    let head = format!(
        "PUT /secrets/big?api-version=7.6 HTTP/1.1\r\nHost: {VAULT}.localhost:{}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {EIGHT_MB}\r\n\r\n",
        t.addr().port()
    );
    tls.write_all(head.as_bytes()).await.expect("the head is sent");
    let sent = tls.write_all(&vec![b'x'; EIGHT_MB]).await;
    assert!(sent.is_ok(), "the server lets the client finish sending instead of resetting the connection: {sent:?}");
    tls.flush().await.expect("flushed");
    let answer = read_until_closed(&mut tls, std::time::Duration::from_secs(15)).await.expect("the server answers and closes");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "the status: {answer:.300}");
    assert!(answer.contains("\"code\":\"RequestBodyTooLarge\""), "the JSON error body arrives whole: {answer:.600}");
}

// Regression, issue 11 point 5: over HTTP/2 the same PUT got a stream error. A client that sends
// as flow control lets it, then reads, now gets the 413 and its body on the stream.
#[tokio::test]
async fn issue11_an_8_mb_body_sent_whole_over_http2_gets_the_413_body() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let tls = t.tls_connect(None, &[b"h2"]).await.expect("a TLS connection");
    let (mut send, connection) = h2::client::handshake(tls).await.expect("the HTTP/2 handshake");
    tokio::spawn(connection);
    let request = axum::http::Request::put(format!("{}/secrets/big?api-version=7.6", t.vault_url()))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("content-length", EIGHT_MB.to_string())
        .body(())
        .expect("a request");
    let (response, mut body) = send.send_request(request, false).expect("the head is sent");
    let mut left = EIGHT_MB;
    let sending = async {
        while left > 0 {
            body.reserve_capacity(left.min(64 * 1024));
            let granted = std::future::poll_fn(|cx| body.poll_capacity(cx)).await;
            let granted = granted.ok_or("the server ended the stream before the body was sent")?;
            let granted = granted.map_err(|e| format!("the server reset the stream: {e}"))?;
            body.send_data(Bytes::from(vec![b'x'; granted]), granted == left).map_err(|e| format!("send: {e}"))?;
            left -= granted;
        }
        Ok::<(), String>(())
    };
    let sent = tokio::time::timeout(std::time::Duration::from_secs(15), sending).await.expect("the body is sent in time");
    assert!(sent.is_ok(), "the server reads the whole body instead of resetting the stream: {sent:?}");
    let response = response.await.expect("the answer on the stream");
    assert_eq!(response.status(), 413);
    let mut answer = response.into_body();
    let mut text = Vec::new();
    while let Some(chunk) = answer.data().await {
        let chunk = chunk.expect("the answer's body arrives whole");
        let _ = answer.flow_control().release_capacity(chunk.len());
        text.extend_from_slice(&chunk);
    }
    let body: serde_json::Value = serde_json::from_slice(&text).expect("a JSON body");
    assert_eq!(body["error"]["code"], "RequestBodyTooLarge", "Key Vault's code: {body}");
}

// Regression, issue 11 point 5: a malformed chunked body got 413 where 400 is right.
#[tokio::test]
async fn issue11_a_malformed_chunked_body_is_a_bad_request_not_too_large() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let mut tls = t.tls_connect(None, &[b"http/1.1"]).await.expect("a TLS connection");
    let request = format!(
        "PUT /secrets/chunked?api-version=7.6 HTTP/1.1\r\nHost: {VAULT}.localhost:{}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n",
        t.addr().port()
    );
    tls.write_all(request.as_bytes()).await.expect("the request is sent");
    tls.flush().await.expect("flushed");
    let answer = read_until_closed(&mut tls, std::time::Duration::from_secs(15)).await.expect("the server answers and closes");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "a chunk size that is not hex is a malformed request, not an oversized one: {answer}");
    assert!(answer.contains("BadParameter"), "in Key Vault's error shape: {answer}");
}
