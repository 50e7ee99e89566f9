//! What the front end is given: each host name with its bound certificate; the daily sync and
//! "Sync now" bringing a renewed Key Vault certificate to its binding; a failed sync keeping the
//! last good one; private keys sealed at rest.

use chrono::Duration;
use vaultmort_core::appservice::certificates::{ImportKeyVaultCertificate, SyncRequest};
use vaultmort_core::appservice::{ServedSite, SslState};

use crate::support::{APP, HOST, VAULT, grant_app_service, group, in_group, vault_certificate, verified_host, world};

fn import() -> ImportKeyVaultCertificate {
    ImportKeyVaultCertificate {
        subscription: None,
        resource_group: group().into(),
        vault: VAULT.into(),
        certificate_name: "www".into(),
        name: None,
    }
}

fn site<'s>(sites: &'s [ServedSite], host: &str) -> &'s ServedSite {
    sites.iter().find(|s| s.host == host).unwrap_or_else(|| panic!("the front end is given {host}: {sites:?}"))
}

#[tokio::test]
async fn a_renewed_vault_certificate_reaches_its_binding_on_the_daily_sync_and_a_failed_sync_keeps_the_last_good_one() {
    let (t, app) = world("B1").await;
    let first = vault_certificate(&t, "www", "application/x-pkcs12").await;
    grant_app_service(&t).await;
    let imported = t.core.import_key_vault_certificate(&t.owner, &import()).await.expect("import");
    verified_host(&t, &app).await;
    t.core.bind_certificate(&t.owner, &in_group(APP), &imported.thumbprint, "SNI", Some(HOST)).await.expect("bind");

    let sites = t.core.served_sites(&t.owner).await.expect("sites");
    assert!(site(&sites, "petdash.azurewebsites.localhost").certificate.is_none(), "the default host uses the built-in certificate");
    let served = site(&sites, HOST).certificate.clone().expect("the bound host has its certificate");
    assert_eq!(served.thumbprint, hex::encode_upper(&first.x5t), "the vault's certificate is served");
    assert_eq!(served.chain[0], first.cer, "with the vault's leaf first");

    let second = vault_certificate(&t, "www", "application/x-pkcs12").await;
    assert_ne!(second.x5t, first.x5t, "the vault has a new version");
    t.core.tick().await.expect("the scheduler runs");
    let sites = t.core.served_sites(&t.owner).await.expect("sites");
    assert_eq!(
        site(&sites, HOST).certificate.as_ref().map(|c| c.thumbprint.clone()),
        Some(served.thumbprint.clone()),
        "before 24 hours nothing syncs"
    );

    t.core.shift_clock(&t.owner, Duration::hours(25)).await.expect("clock");
    let (_, report) = t.core.tick().await.expect("the scheduler runs");
    assert_eq!(report.web_certificates_synced.len(), 1, "one certificate was due: {report:?}");
    let sites = t.core.served_sites(&t.owner).await.expect("sites");
    let renewed = site(&sites, HOST).certificate.clone().expect("still bound");
    assert_eq!(renewed.thumbprint, hex::encode_upper(&second.x5t), "the new version is served after the daily sync");
    let app_now = t.core.show_web_app(&t.owner, &in_group(APP)).await.expect("app");
    let binding = app_now.host_name(HOST).expect("host");
    assert_eq!(
        (binding.ssl_state, binding.thumbprint.clone()),
        (SslState::SniEnabled, Some(renewed.thumbprint.clone())),
        "the binding follows"
    );

    // Sync now, after the permission is taken away: the failure is recorded, the certificate kept.
    let change = vaultmort_core::access_policy::PolicyChange { secrets: Some(vec![]), ..Default::default() };
    t.core.set_access_policy(&t.owner, VAULT, crate::support::APP_SERVICE, change).await.expect("the owner takes secret Get away");
    vault_certificate(&t, "www", "application/x-pkcs12").await;
    let synced =
        t.core.sync_web_certificates(&t.owner, &SyncRequest { resource_group: group().into(), ..Default::default() }).await.expect("sync");
    let status = synced[0].sync.clone().expect("a Key Vault certificate has a sync status");
    assert_eq!(status.key_vault_secret_status, "AzureServiceUnauthorizedToAccessKeyVault", "the failure is shown: {status:?}");
    assert!(status.message.is_some_and(|m| m.contains("secret Get")), "with what to do");
    let sites = t.core.served_sites(&t.owner).await.expect("sites");
    assert_eq!(
        site(&sites, HOST).certificate.as_ref().map(|c| c.thumbprint.clone()),
        Some(renewed.thumbprint.clone()),
        "the last good stays"
    );
    let log = t.core.audit_log(&t.owner, 0, 10_000).await.expect("log");
    assert!(
        log.iter().any(|r| r.operation == "WebCertificateWrite" && r.flags.iter().any(|f| f == "syncFailed")),
        "the failed sync is recorded"
    );

    grant_app_service(&t).await;
    let third = t.core.get_certificate(&t.owner, VAULT, "www", None).await.expect("cert");
    t.core.sync_web_certificates(&t.owner, &SyncRequest { resource_group: group().into(), ..Default::default() }).await.expect("sync now");
    let sites = t.core.served_sites(&t.owner).await.expect("sites");
    assert_eq!(
        site(&sites, HOST).certificate.as_ref().map(|c| c.thumbprint.clone()),
        Some(hex::encode_upper(&third.x5t)),
        "Sync now brings it at once"
    );

    // The vault's certificate is deleted: the daily sync records it and the site keeps serving.
    t.core.delete_object(&t.owner, VAULT, vaultmort_core::ObjectKind::Certificate, "www").await.expect("the owner deletes the certificate");
    t.core.shift_clock(&t.owner, Duration::hours(25)).await.expect("clock");
    let (_, report) = t.core.tick().await.expect("the scheduler runs");
    assert!(
        report.web_certificates_synced.iter().any(|r| r.ends_with("KeyVaultSecretDoesNotExist")),
        "the failure is reported: {report:?}"
    );
    let listed = t.core.list_web_certificates(&t.owner, None, Some(group())).await.expect("list");
    let status = listed[0].sync.clone().expect("status");
    assert_eq!(status.key_vault_secret_status, "KeyVaultSecretDoesNotExist", "the certificate list shows why");
    let sites = t.core.served_sites(&t.owner).await.expect("sites");
    assert_eq!(
        site(&sites, HOST).certificate.as_ref().map(|c| c.thumbprint.clone()),
        Some(hex::encode_upper(&third.x5t)),
        "the last good stays"
    );
}

#[tokio::test]
async fn an_app_service_certificates_private_key_is_sealed_at_rest() {
    let (t, app) = world("B1").await;
    vault_certificate(&t, "www", "application/x-pkcs12").await;
    grant_app_service(&t).await;
    let imported = t.core.import_key_vault_certificate(&t.owner, &import()).await.expect("import");
    verified_host(&t, &app).await;
    t.core.bind_certificate(&t.owner, &in_group(APP), &imported.thumbprint, "SNI", Some(HOST)).await.expect("bind");
    let sites = t.core.served_sites(&t.owner).await.expect("sites");
    let key = site(&sites, HOST).certificate.clone().expect("bound").pkcs8;
    // The EC or RSA private key's PKCS#8 bytes: a 32-byte run of them must appear nowhere on disk.
    let needle = &key[key.len() - 32..];
    for entry in std::fs::read_dir(t.home.home_dir()).expect("home lists") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            let bytes = std::fs::read(&path).expect("file reads");
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{} holds the private key in plaintext", path.display());
        }
    }
}
