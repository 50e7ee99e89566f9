//! The built-in `*.azurewebsites.localhost` certificate, as openssl sees it on the wire.

use crate::support::{Practice, s_client, serial_and_names, verify_chain};

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_web_app_is_served_with_the_practice_wildcard() {
    let practice = Practice::start().await;
    let app = practice.web_app("petdash").await;
    practice.front_end.reload().await.expect("the front end reloads");
    assert_eq!(app.default_host_name, "petdash.azurewebsites.localhost", "a web app's default host name is under the practice suffix");

    let seen = s_client(practice.https_port(), Some(&app.default_host_name), &[]).await;
    assert!(seen.ok, "the handshake for a default host name succeeds:\n{}", seen.printed);
    let (serial, names) = serial_and_names(seen.leaf());
    assert!(
        names.contains("DNS:*.azurewebsites.localhost") && names.contains("DNS:azurewebsites.localhost"),
        "the default certificate names the wildcard and the suffix itself: {names}"
    );
    assert_eq!(
        serial,
        practice.front_end.default_certificate().serial_number,
        "the leaf on the wire is the default certificate the front end reports"
    );
    assert_eq!(
        seen.chain.len(),
        2,
        "the leaf comes with the practice intermediate, so clients that trust only the root can build the chain"
    );
    verify_chain(&practice.root, &seen.chain).expect("openssl verifies the presented chain up to the practice root");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_or_missing_server_name_gets_the_default_certificate() {
    let practice = Practice::start().await;
    let expected = practice.front_end.default_certificate().serial_number;
    for sni in [Some("nosuchapp.example.com"), Some("ghost.azurewebsites.localhost"), None] {
        let seen = s_client(practice.https_port(), sni, &[]).await;
        assert!(seen.ok, "a handshake for {sni:?} still succeeds (with the default certificate):\n{}", seen.printed);
        let (serial, _) = serial_and_names(seen.leaf());
        assert_eq!(serial, expected, "SNI {sni:?} names no web app, so the default certificate is presented");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rustls_client_trusting_only_the_practice_root_accepts_a_default_host_name() {
    let practice = Practice::start().await;
    let app = practice.web_app("kennel").await;
    practice.front_end.reload().await.expect("the front end reloads");
    let mut connection = crate::support::KeptConnection::https(practice.https_port(), &app.default_host_name, &practice.root).await;
    let answer = connection.get(&app.default_host_name, "/").await;
    assert_eq!(answer.status, 200, "webpki accepts *.azurewebsites.localhost for {}: {}", app.default_host_name, answer.body);
}
