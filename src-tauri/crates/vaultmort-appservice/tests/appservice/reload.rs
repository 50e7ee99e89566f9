//! Keeping what is served current: changes reach new handshakes (by the watcher or an explicit
//! reload, from this process or another on the same home) and never disturb open connections.

use std::time::Duration;

use vaultmort_appservice::{Options, ReloadTimes};
use vaultmort_core::appservice::webapps::CreateWebApp;
use vaultmort_test_support::pki::{Leaf, OpensslPki};

use crate::support::{KeptConnection, PLAN, Practice, reference, s_client, serial_and_names, upload_and_bind};

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_opened_before_a_rebinding_keeps_answering_while_new_handshakes_see_the_new_certificate() {
    let practice = Practice::start().await;
    let pki = OpensslPki::new();
    let app = practice.web_app("petdash").await;
    practice.custom_domain(&app, "example.com", "leaf").await;
    upload_and_bind(&practice, &pki, Leaf::Rsa, "petdash", "leaf.example.com").await;
    practice.front_end.reload().await.expect("the front end reloads");

    let mut before = KeptConnection::https(practice.https_port(), "leaf.example.com", &pki.der("root.pem")).await;
    let first = before.get("leaf.example.com", "/").await;
    assert_eq!(first.status, 200, "the first request on the old connection is answered: {}", first.body);
    assert!(first.body.contains("<dd>03</dd>"), "it was served the RSA leaf (serial 03): {}", first.body);

    upload_and_bind(&practice, &pki, Leaf::Ec, "petdash", "leaf.example.com").await;
    practice.front_end.reload().await.expect("the front end reloads");

    let fresh = s_client(practice.https_port(), Some("leaf.example.com"), &[]).await;
    let (serial, _) = serial_and_names(fresh.leaf());
    assert_eq!(serial, "04", "a handshake after the reload gets the newly bound EC leaf (serial 04)");
    let second = before.get("leaf.example.com", "/").await;
    assert_eq!(second.status, 200, "the connection opened before the swap still answers keep-alive requests: {}", second.body);
    assert!(second.body.contains("<dd>03</dd>"), "and its page names the certificate its own handshake presented: {}", second.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_watcher_reloads_when_any_process_on_the_home_announces_a_change() {
    let times = ReloadTimes { poll_interval: Duration::from_millis(100), reload_interval: Duration::from_secs(3600) };
    let practice = Practice::start_with(Options { reload_times: times, ..Options::default() }).await;
    practice.web_app("first").await;
    practice
        .until_served("an app made through this core is served without an explicit reload", |s| s.iter().any(|s| s.app == "first"))
        .await;

    // A second core on the same home stands for another process (the CLI, say).
    let other = practice.test.home.open().await.expect("the home opens a second time").core;
    let request = CreateWebApp { app: reference("second"), plan: PLAN.into() };
    other.create_web_app(&practice.test.owner, &request).await.expect("the other process creates a web app");
    practice.until_served("an app made by another process on the home is served", |s| s.iter().any(|s| s.app == "second")).await;

    let seen = s_client(practice.https_port(), Some("second.azurewebsites.localhost"), &[]).await;
    assert!(seen.ok, "and its host name is served:\n{}", seen.printed);
}
