//! The pages: a known host's page naming the app and the certificate, 404 for any other host,
//! plain HTTP served or redirected, and escaping.

use vaultmort_appservice::page::escape;
use vaultmort_core::appservice::webapps::WebAppUpdate;

use crate::support::{KeptConnection, Practice};

#[tokio::test(flavor = "multi_thread")]
async fn a_known_host_gets_a_page_naming_the_app_and_the_certificate_presented() {
    let practice = Practice::start().await;
    let app = practice.web_app("petdash").await;
    practice.front_end.reload().await.expect("the front end reloads");
    let certificate = practice.front_end.default_certificate();

    let mut connection = KeptConnection::https(practice.https_port(), &app.default_host_name, &practice.root).await;
    let answer = connection.get(&app.default_host_name, "/any/path?x=1").await;
    assert_eq!(answer.status, 200, "any path of a known host is answered: {}", answer.body);
    assert_eq!(answer.headers["content-type"], "text/html; charset=utf-8", "the page is HTML");
    for (what, text) in [
        ("the app", "petdash"),
        ("the host", app.default_host_name.as_str()),
        ("the subject", "*.azurewebsites.localhost"),
        ("the thumbprint", certificate.thumbprint.as_str()),
        ("the serial number", certificate.serial_number.as_str()),
        ("which certificate", "built-in default certificate"),
    ] {
        assert!(answer.body.contains(text), "the page names {what} ({text}):\n{}", answer.body);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_no_web_app_has_gets_404_on_both_ports() {
    let practice = Practice::start().await;
    let app = practice.web_app("petdash").await;
    practice.front_end.reload().await.expect("the front end reloads");

    let mut https = KeptConnection::https(practice.https_port(), &app.default_host_name, &practice.root).await;
    let answer = https.get("nosuch.example.com", "/").await;
    assert_eq!(answer.status, 404, "a Host no web app has is not found, whatever the SNI was: {}", answer.body);
    assert!(
        answer.body.contains("No web app has the host name") && answer.body.contains("nosuch.example.com"),
        "the page says so: {}",
        answer.body
    );

    let mut http = KeptConnection::http(practice.http_port()).await;
    let answer = http.get("nosuch.example.com:8080", "/").await;
    assert_eq!(answer.status, 404, "plain HTTP for an unknown host is not found either: {}", answer.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_serves_the_page_unless_the_app_is_https_only() {
    let practice = Practice::start().await;
    let app = practice.web_app("petdash").await;
    practice.front_end.reload().await.expect("the front end reloads");
    let host = app.default_host_name.clone();

    let mut http = KeptConnection::http(practice.http_port()).await;
    let answer = http.get(&format!("{host}:{}", practice.http_port()), "/").await;
    assert_eq!(answer.status, 200, "an app that is not HTTPS only answers plain HTTP: {}", answer.body);
    assert!(
        answer.body.contains("plain HTTP") && answer.body.contains("petdash"),
        "the page says it came over plain HTTP: {}",
        answer.body
    );

    practice.update("petdash", WebAppUpdate { https_only: Some(true), min_tls_version: None }).await;
    practice.front_end.reload().await.expect("the front end reloads");
    let mut http = KeptConnection::http(practice.http_port()).await;
    let answer = http.get(&format!("{}:{}", host.to_uppercase(), practice.http_port()), "/orders/7?sort=new&page=2").await;
    assert_eq!(answer.status, 301, "HTTPS only redirects plain HTTP permanently: {}", answer.body);
    let expected = format!("https://{host}:{}/orders/7?sort=new&page=2", practice.https_port());
    assert_eq!(answer.headers["location"], expected.as_str(), "to the same host, path and query on the HTTPS port");
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_page_prints_is_escaped() {
    assert_eq!(
        escape(r#"<a href="x">'&'</a>"#),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
        "every HTML-special character is escaped"
    );
    let practice = Practice::start().await;
    let mut http = KeptConnection::http(practice.http_port()).await;
    // `'` and `&` are allowed in a Host (RFC 3986 sub-delims), and the 404 page prints the host.
    let answer = http.get("x'y&z.example", "/").await;
    assert_eq!(answer.status, 404, "no web app has that host: {}", answer.body);
    assert!(answer.body.contains("x&#39;y&amp;z.example"), "the host is printed escaped: {}", answer.body);
    assert!(!answer.body.contains("x'y&z"), "and never raw: {}", answer.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http2_request_is_routed_by_its_authority() {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    use hyper_util::rt::{TokioExecutor, TokioIo};

    let practice = Practice::start().await;
    let app = practice.web_app("petdash").await;
    practice.front_end.reload().await.expect("the front end reloads");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from(practice.root.clone())).expect("the root is a CA certificate");
    let mut config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let tcp = tokio::net::TcpStream::connect(practice.front_end.https_addr()).await.expect("the HTTPS port accepts");
    let name = rustls::pki_types::ServerName::try_from(app.default_host_name.clone()).expect("a DNS name");
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)).connect(name, tcp).await.expect("the handshake succeeds");
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]), "HTTP/2 is negotiated");
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls)).await.expect("an HTTP/2 connection");
    tokio::spawn(connection);

    for (authority, status) in [(app.default_host_name.as_str(), 200), ("nosuch.example.com", 404)] {
        let request =
            hyper::Request::get(format!("https://{authority}/")).body(Empty::<Bytes>::new()).expect("a request without a Host header");
        let response = sender.send_request(request).await.expect("the request is answered");
        assert_eq!(response.status().as_u16(), status, "HTTP/2 carries the host in :authority, and {authority} is routed by it");
        let body = response.into_body().collect().await.expect("a body").to_bytes();
        assert!(String::from_utf8_lossy(&body).contains(authority), "the page names {authority}");
    }
}
