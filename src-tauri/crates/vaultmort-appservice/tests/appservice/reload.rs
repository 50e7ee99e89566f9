//! Keeping what is served current: changes reach new handshakes (by the watcher or an explicit
//! reload, from this process or another on the same home) and never disturb open connections.

use std::time::Duration;

use vaultmort_appservice::{Options, ReloadTimes};
use vaultmort_certs::policy::{CertificatePolicy, SubjectAlternativeNames};
use vaultmort_core::access_policy::PolicyChange;
use vaultmort_core::appservice::certificates::{ImportKeyVaultCertificate, SyncRequest};
use vaultmort_core::appservice::webapps::CreateWebApp;
use vaultmort_core::directory::APP_SERVICE_APP_ID;
use vaultmort_test_support::home::GROUP;
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

/// A self-signed Key Vault certificate for `host` in `vault` (a new version each call); its leaf.
async fn vault_certificate(practice: &Practice, vault: &str, name: &str, host: &str) -> Vec<u8> {
    let mut policy = CertificatePolicy::self_signed(&format!("CN={host}"));
    let x509 = policy.x509_props.as_mut().expect("the default policy has x509 properties");
    x509.sans = Some(SubjectAlternativeNames { dns_names: Some(vec![host.into()]), emails: None, upns: None });
    policy.secret_props.as_mut().expect("the default policy has secret properties").content_type = Some("application/x-pkcs12".into());
    let core = &practice.test.core;
    let made = core
        .create_certificate(&practice.test.owner, vault, name, Some(policy), true, Default::default())
        .await
        .expect("the owner makes a self-signed certificate");
    assert_eq!(made.status, "completed", "a self-signed certificate is issued at once");
    core.get_certificate(&practice.test.owner, vault, name, None).await.expect("the certificate reads").cer
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renewed_key_vault_certificate_reaches_new_handshakes_after_sync_now_without_a_restart() {
    let times = ReloadTimes { poll_interval: Duration::from_millis(100), reload_interval: Duration::from_secs(3600) };
    let practice = Practice::start_with(Options { reload_times: times, ..Options::default() }).await;
    let (core, owner) = (&practice.test.core, &practice.test.owner);
    practice.test.vault("petdash-kv").await;
    let first = vault_certificate(&practice, "petdash-kv", "www", "www.petdash.com").await;
    let grant = PolicyChange { secrets: Some(vec!["get".into()]), ..Default::default() };
    core.set_access_policy(owner, "petdash-kv", APP_SERVICE_APP_ID, grant).await.expect("the owner gives App Service secret Get");
    let app = practice.web_app("petdash").await;
    practice.custom_domain(&app, "petdash.com", "www").await;
    let import = ImportKeyVaultCertificate {
        subscription: None,
        resource_group: GROUP.into(),
        vault: "petdash-kv".into(),
        certificate_name: "www".into(),
        name: None,
    };
    let imported = core.import_key_vault_certificate(owner, &import).await.expect("App Service imports the vault's certificate");
    core.bind_certificate(owner, &reference("petdash"), &imported.thumbprint, "SNI", Some("www.petdash.com"))
        .await
        .expect("the owner binds it");

    let (first_serial, _) = serial_and_names(&first);
    practice
        .until_served("the watcher serves the binding without an explicit reload", |s| {
            s.iter().any(|s| s.host == "www.petdash.com" && s.presented.certificate.serial_number == first_serial)
        })
        .await;
    let seen = s_client(practice.https_port(), Some("www.petdash.com"), &[]).await;
    assert_eq!(seen.leaf(), first.as_slice(), "the vault's leaf is what www.petdash.com presents");
    let mut before = KeptConnection::https(practice.https_port(), "www.petdash.com", &first).await;
    assert_eq!(before.get("www.petdash.com", "/").await.status, 200, "a client trusting the self-signed leaf gets the page");

    let second = vault_certificate(&practice, "petdash-kv", "www", "www.petdash.com").await;
    let sync = SyncRequest { subscription: None, resource_group: GROUP.into(), thumbprint: None };
    core.sync_web_certificates(owner, &sync).await.expect("Sync now");
    let (second_serial, _) = serial_and_names(&second);
    assert_ne!(second_serial, first_serial, "the vault made a new version with a new serial");
    practice
        .until_served("the watcher serves the renewed version once Sync now announced it", |s| {
            s.iter().any(|s| s.host == "www.petdash.com" && s.presented.certificate.serial_number == second_serial)
        })
        .await;
    let seen = s_client(practice.https_port(), Some("www.petdash.com"), &[]).await;
    assert_eq!(seen.leaf(), second.as_slice(), "a new handshake gets the renewed leaf, with no restart of the front end");
    let still = before.get("www.petdash.com", "/").await;
    assert_eq!(still.status, 200, "the connection opened before the renewal still answers: {}", still.body);
    assert!(still.body.contains(&first_serial), "naming the certificate its handshake presented: {}", still.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_reload_keeps_the_last_good_sites() {
    let practice = Practice::start().await;
    let app = practice.web_app("petdash").await;
    practice.front_end.reload().await.expect("the front end reloads");
    let before = practice.front_end.served_now();
    assert_eq!(before.len(), 1, "the app's default host name is served: {before:?}");

    // Damage the web app's stored record behind the core's back, as a broken disk or a hand
    // edit would: the core refuses to read it, so the next reload fails.
    let url = format!("sqlite://{}", practice.test.home.db_file().display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("the store opens a second time");
    let damaged = sqlx::query("UPDATE resources SET body = '{\"damaged\":true}' WHERE name = 'petdash'")
        .execute(&pool)
        .await
        .expect("the record is overwritten");
    assert_eq!(damaged.rows_affected(), 1, "exactly the web app's record is damaged");
    pool.close().await;

    let failed = practice.front_end.reload().await.expect_err("a reload over a record the core cannot read fails");
    assert!(!failed.code().is_empty() && !failed.message().is_empty(), "the failure has a code and a message: {failed:?}");
    assert_eq!(practice.front_end.served_now(), before, "the last good sites are still what is served");
    let seen = s_client(practice.https_port(), Some(&app.default_host_name), &[]).await;
    assert!(seen.ok, "and new handshakes still succeed:\n{}", seen.printed);
    let mut http = KeptConnection::http(practice.http_port()).await;
    assert_eq!(http.get(&app.default_host_name, "/").await.status, 200, "and the page is still answered");
}
