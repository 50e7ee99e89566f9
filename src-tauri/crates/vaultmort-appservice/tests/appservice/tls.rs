//! TLS versions and ALPN per site, as openssl's client sees them.

use vaultmort_core::appservice::MinTlsVersion;
use vaultmort_core::appservice::webapps::WebAppUpdate;

use crate::support::{Practice, s_client};

/// openssl's own default security level refuses TLS 1.1 before a byte is sent; level 0 lets it
/// offer TLS 1.1, so a failure is the server's refusal.
const OFFER_OLD_VERSIONS: &str = "DEFAULT@SECLEVEL=0";

#[tokio::test(flavor = "multi_thread")]
async fn tls_1_1_and_1_0_are_never_accepted() {
    let practice = Practice::start().await;
    let app = practice.web_app("legacy").await;
    practice.front_end.reload().await.expect("the front end reloads");
    let host = app.default_host_name.as_str();

    let control = s_client(practice.https_port(), Some(host), &["-tls1_2", "-cipher", OFFER_OLD_VERSIONS]).await;
    assert!(control.ok, "the same client settings with TLS 1.2 succeed, so the refusals below are about the version:\n{}", control.printed);
    for version in ["-tls1_1", "-tls1"] {
        let seen = s_client(practice.https_port(), Some(host), &[version, "-cipher", OFFER_OLD_VERSIONS]).await;
        assert!(!seen.ok, "{version} must be refused by the server:\n{}", seen.printed);
        assert!(seen.chain.is_empty(), "no certificate is sent on a refused {version} handshake:\n{}", seen.printed);
        // rustls answers a hello without TLS 1.2 or 1.3 with an alert; openssl failing on its
        // own ("no protocols available") would print none, and prove nothing about the server.
        assert!(seen.printed.contains("SSL alert number"), "the refusal of {version} is the server's alert:\n{}", seen.printed);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls13_minimum_site_refuses_tls12_and_the_others_do_not() {
    let practice = Practice::start().await;
    let strict = practice.web_app("strict").await;
    let relaxed = practice.web_app("relaxed").await;
    let updated = practice.update("strict", WebAppUpdate { https_only: None, min_tls_version: Some(MinTlsVersion::Tls13) }).await;
    assert_eq!(updated.min_tls_version, MinTlsVersion::Tls13, "the update is stored");
    practice.front_end.reload().await.expect("the front end reloads");

    let refused = s_client(practice.https_port(), Some(&strict.default_host_name), &["-tls1_2"]).await;
    assert!(!refused.ok, "a TLS 1.3-minimum site refuses TLS 1.2:\n{}", refused.printed);
    let accepted = s_client(practice.https_port(), Some(&strict.default_host_name), &["-tls1_3"]).await;
    assert!(accepted.ok && accepted.printed.contains("TLSv1.3"), "and accepts TLS 1.3:\n{}", accepted.printed);
    let other = s_client(practice.https_port(), Some(&relaxed.default_host_name), &["-tls1_2"]).await;
    assert!(
        other.ok && other.printed.contains("TLSv1.2"),
        "a TLS 1.2-minimum site on the same port still speaks TLS 1.2:\n{}",
        other.printed
    );
    let served = practice.front_end.served_now();
    let strict_now = served.iter().find(|s| s.host == strict.default_host_name).expect("the strict app is served");
    assert_eq!(strict_now.min_tls_version, MinTlsVersion::Tls13, "served_now reports the minimum version in force");
}

#[tokio::test(flavor = "multi_thread")]
async fn alpn_offers_http11_and_h2() {
    let practice = Practice::start().await;
    let app = practice.web_app("alpn").await;
    practice.front_end.reload().await.expect("the front end reloads");
    for protocol in ["http/1.1", "h2"] {
        let seen = s_client(practice.https_port(), Some(&app.default_host_name), &["-alpn", protocol]).await;
        assert!(
            seen.printed.contains(&format!("ALPN protocol: {protocol}")),
            "the server selects {protocol} when the client offers only it:\n{}",
            seen.printed
        );
    }
}
