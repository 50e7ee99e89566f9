//! The front end as a whole: what it reports, how it stops, and the bounds every connection of
//! both ports is held to.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vaultmort_appservice::{CertificateOrigin, Options};
use vaultmort_rest::ConnectionLimits;

use crate::support::{KeptConnection, Practice};

/// Reads until the server closes the connection, at most `bound`: whether it did.
async fn closed_within(stream: &mut TcpStream, bound: Duration) -> bool {
    let mut buffer = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(bound, read_all).await.is_ok()
}

fn quick_limits() -> ConnectionLimits {
    ConnectionLimits {
        tls_handshake_timeout: Duration::from_secs(1),
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn served_now_lists_every_host_name_with_its_certificate_and_expiry() {
    let practice = Practice::start().await;
    practice.web_app("beta").await;
    practice.web_app("alpha").await;
    practice.front_end.reload().await.expect("the front end reloads");
    let default = practice.front_end.default_certificate();
    let served = practice.front_end.served_now();
    let hosts: Vec<&str> = served.iter().map(|s| s.host.as_str()).collect();
    assert_eq!(hosts, ["alpha.azurewebsites.localhost", "beta.azurewebsites.localhost"], "every default host name, by app");
    for site in &served {
        assert!(site.default_host, "{} is a default host name", site.host);
        assert_eq!(site.presented.origin, CertificateOrigin::Default, "{} has no binding", site.host);
        assert_eq!(site.presented.certificate, default, "{} is served with the default certificate", site.host);
    }
    let days = default.days_left(chrono::Utc::now());
    assert!((88..=90).contains(&days), "the default certificate is fresh, with about 90 days left: {days}");
    assert_eq!(default.thumbprint.len(), 40, "a SHA-1 thumbprint in hex: {}", default.thumbprint);
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_stops_both_ports_and_closes_open_connections() {
    let practice = Practice::start().await;
    let app = practice.web_app("petdash").await;
    practice.front_end.reload().await.expect("the front end reloads");
    let (https, http) = (practice.front_end.https_addr(), practice.front_end.http_addr());
    let mut open = KeptConnection::https(https.port(), &app.default_host_name, &practice.root).await;
    assert_eq!(open.get(&app.default_host_name, "/").await.status, 200, "the connection works before the shutdown");

    let Practice { test: _test, front_end, .. } = practice;
    front_end.shutdown().await;
    assert!(TcpStream::connect(https).await.is_err(), "the HTTPS port no longer accepts");
    assert!(TcpStream::connect(http).await.is_err(), "nor does the HTTP port");
    let after = tokio::time::timeout(Duration::from_secs(5), open.try_get(&app.default_host_name, "/")).await;
    assert!(matches!(after, Ok(Err(_))), "a connection open at the shutdown is closed, not left answering");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_per_address_are_bounded_across_both_ports() {
    let limits = ConnectionLimits { max_connections_per_address: 2, ..ConnectionLimits::default() };
    let practice = Practice::start_with(Options { connection_limits: limits, ..Options::default() }).await;
    let mut first = KeptConnection::http(practice.http_port()).await;
    let mut second = KeptConnection::http(practice.http_port()).await;
    // A request on each makes sure both were accepted (and hold their slots) before the third.
    assert_eq!(first.get("nosuch.example", "/").await.status, 404, "the first connection is served");
    assert_eq!(second.get("nosuch.example", "/").await.status, 404, "the second connection is served");

    let mut third = TcpStream::connect(practice.front_end.https_addr()).await.expect("the kernel accepts the TCP connection");
    assert!(
        closed_within(&mut third, Duration::from_secs(5)).await,
        "a third connection from the same address, on either port, is closed at once"
    );
    assert_eq!(first.get("nosuch.example", "/").await.status, 404, "while the ones holding slots go on");

    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = KeptConnection::http(practice.http_port()).await;
    assert_eq!(again.get("nosuch.example", "/").await.status, 404, "a closed connection gives its slot back");
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_and_idle_clients_are_cut_off_on_both_ports() {
    let practice = Practice::start_with(Options { connection_limits: quick_limits(), ..Options::default() }).await;

    let mut silent = TcpStream::connect(practice.front_end.https_addr()).await.expect("the HTTPS port accepts");
    assert!(
        closed_within(&mut silent, Duration::from_secs(4)).await,
        "a client that never sends its ClientHello is dropped after the handshake time"
    );

    let mut unfinished = TcpStream::connect(practice.front_end.http_addr()).await.expect("the HTTP port accepts");
    unfinished.write_all(b"GET / HTTP/1.1\r\nHost: petdash.azurewebsites.localhost\r\n").await.expect("part of a head is sent");
    assert!(closed_within(&mut unfinished, Duration::from_secs(4)).await, "a client that never finishes its headers is cut off");

    let mut idle = KeptConnection::http(practice.http_port()).await;
    assert_eq!(idle.get("nosuch.example", "/").await.status, 404, "the connection is served at first");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(idle.try_get("nosuch.example", "/").await.is_err(), "a keep-alive connection idle past the idle time is closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_front_end_over_a_home_without_web_apps_serves_nothing_but_answers() {
    let practice = Practice::start().await;
    assert!(practice.front_end.served_now().is_empty(), "no web app, no host name served");
    let mut http = KeptConnection::http(practice.http_port()).await;
    assert_eq!(http.get("anything.azurewebsites.localhost", "/").await.status, 404, "every host is unknown");
    assert_eq!(vaultmort_appservice::system_context().door, vaultmort_core::Door::System, "the front end calls the core as the system");
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_front_end_stops_it_as_shutdown_does() {
    let practice = Practice::start().await;
    let https = practice.front_end.https_addr();
    let mut open = KeptConnection::http(practice.http_port()).await;
    assert_eq!(open.get("nosuch.example", "/").await.status, 404, "the connection works while the front end lives");
    let Practice { test: _test, front_end, .. } = practice;
    drop(front_end);
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        while TcpStream::connect(https).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "the HTTPS port stops accepting once the front end is dropped");
    let after = tokio::time::timeout(Duration::from_secs(5), open.try_get("nosuch.example", "/")).await;
    assert!(matches!(after, Ok(Err(_))), "and its open connections are closed");
}
