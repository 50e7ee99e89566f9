//! App Service certificates: the Key Vault import with each of Azure's rules (each refused with
//! its own code, nothing stored, and the vault read recorded as the App Service resource
//! provider's), uploads, and the rules of SNI bindings.

use base64::Engine;
use chrono::Duration;
use vaultmort_core::appservice::certificates::{ImportKeyVaultCertificate, UploadCertificate};
use vaultmort_core::appservice::dns::ResourceRef;
use vaultmort_core::appservice::webapps::{CreatePlan, CreateWebApp};
use vaultmort_core::appservice::{CertificateSource, SslState};
use vaultmort_core::firewall::{Bypass, DefaultAction, NetworkChanges};
use vaultmort_core::groups::CreateGroup;
use vaultmort_core::secrets::SetSecret;
use vaultmort_core::vaults::{CreateVault, UpdateVault};
use vaultmort_test_support::home::TestCore;
use zeroize::Zeroizing;

use crate::support::{
    APP, APP_SERVICE, HOST, VAULT, grant_app_service, group, in_group, openssl_pfx, openssl_thumbprint, refused, vault_certificate,
    verified_host, world,
};

fn import(certificate: &str) -> ImportKeyVaultCertificate {
    ImportKeyVaultCertificate {
        subscription: None,
        resource_group: group().into(),
        vault: VAULT.into(),
        certificate_name: certificate.into(),
        name: None,
    }
}

/// How many App Service certificates resource group `rg` holds.
async fn stored(t: &TestCore) -> usize {
    t.core.list_web_certificates(&t.owner, None, Some(group())).await.expect("certificates list").len()
}

#[tokio::test]
async fn the_import_needs_the_resource_providers_secret_get_and_is_logged_as_its_read() {
    let (t, _app) = world("B1").await;
    let cert = vault_certificate(&t, "www", "application/x-pkcs12").await;

    let denied =
        refused(t.core.import_key_vault_certificate(&t.owner, &import("www")).await, "without an access policy App Service may not read");
    assert_eq!(denied.code(), "AzureServiceUnauthorizedToAccessKeyVault", "Azure's status word is the code");
    assert!(denied.to_string().contains(APP_SERVICE), "the message names the principal to grant: {denied}");
    assert!(denied.to_string().contains("--secret-permissions get"), "the message says how to grant it: {denied}");
    assert_eq!(stored(&t).await, 0, "a refused import stores nothing");

    let log = t.core.audit_log(&t.owner, 0, 10_000).await.expect("the log reads");
    let provider_reads: Vec<_> =
        log.iter().filter(|r| r.operation == "SecretGet" && r.caller_name == "Microsoft Azure App Service").collect();
    assert_eq!(provider_reads.len(), 1, "the vault saw one read, by the App Service resource provider");
    assert_eq!(provider_reads[0].status, 403, "and refused it");
    assert_eq!(provider_reads[0].client_address, "203.0.113.80", "from App Service's address, not the caller's");

    grant_app_service(&t).await;
    let imported = t.core.import_key_vault_certificate(&t.owner, &import("www")).await.expect("with secret Get the import works");
    assert_eq!(imported.thumbprint, hex::encode_upper(&cert.x5t), "the imported certificate is the vault's, by thumbprint");
    assert_eq!(imported.name, "petdash-kv-www", "az names an imported certificate <vault>-<certificate>");
    assert_eq!(imported.host_names, vec![HOST.to_string()]);
    match &imported.source {
        CertificateSource::KeyVault { secret_version, .. } => {
            assert_eq!(Some(secret_version), cert.sid.version.as_ref(), "it holds the secret version the certificate names")
        }
        other => panic!("an import remembers its vault: {other:?}"),
    }
    let log = t.core.audit_log(&t.owner, 0, 10_000).await.expect("the log reads");
    assert!(
        log.iter().any(|r| r.operation == "SecretGet" && r.caller_name == "Microsoft Azure App Service" && r.status == 200),
        "the successful read is in the log as the resource provider's"
    );
    let again = refused(t.core.import_key_vault_certificate(&t.owner, &import("www")).await, "the same certificate twice");
    assert_eq!(again.code(), "Conflict");
}

#[tokio::test]
async fn a_firewalled_vault_must_let_trusted_services_through() {
    let (t, _app) = world("B1").await;
    vault_certificate(&t, "www", "application/x-pkcs12").await;
    grant_app_service(&t).await;
    let closed = UpdateVault {
        network: NetworkChanges { default_action: Some(DefaultAction::Deny), bypass: Some(Bypass::None), public_network_access: None },
        ..Default::default()
    };
    t.core.update_vault(&t.owner, VAULT, closed).await.expect("the owner closes the firewall");
    let blocked = refused(t.core.import_key_vault_certificate(&t.owner, &import("www")).await, "the firewall refuses App Service");
    assert_eq!(blocked.code(), "KeyVaultFirewallBlocked");
    assert!(blocked.to_string().contains("AzureServices"), "the message says which bypass to allow: {blocked}");
    assert_eq!(stored(&t).await, 0, "nothing is stored");

    let trusted =
        UpdateVault { network: NetworkChanges { bypass: Some(Bypass::AzureServices), ..Default::default() }, ..Default::default() };
    t.core.update_vault(&t.owner, VAULT, trusted).await.expect("the owner lets trusted services through");
    t.core.import_key_vault_certificate(&t.owner, &import("www")).await.expect("a trusted service passes the firewall");
}

#[tokio::test]
async fn the_secret_must_be_a_pkcs12_without_a_password() {
    let (t, _app) = world("B1").await;
    grant_app_service(&t).await;
    vault_certificate(&t, "pem", "application/x-pem-file").await;
    let pem = refused(t.core.import_key_vault_certificate(&t.owner, &import("pem")).await, "a PEM secret is not imported");
    assert_eq!(pem.code(), "KeyVaultSecretNotPkcs12");
    assert!(pem.to_string().contains("application/x-pem-file"), "the message names the content type found: {pem}");

    let locked = openssl_pfx(&format!("/CN={HOST}"), &[HOST], 30, "hunter2");
    let value = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&locked));
    let secret = SetSecret {
        name: "locked".into(),
        value,
        content_type: Some("application/x-pkcs12".into()),
        enabled: true,
        not_before: None,
        expires: None,
        tags: Default::default(),
    };
    t.core.set_secret(&t.owner, VAULT, secret).await.expect("a password-protected PFX secret is set");
    let protected = refused(t.core.import_key_vault_certificate(&t.owner, &import("locked")).await, "a PFX with a password is refused");
    assert_eq!(protected.code(), "KeyVaultSecretPasswordProtected");

    let missing = refused(t.core.import_key_vault_certificate(&t.owner, &import("nothing")).await, "a missing certificate");
    assert_eq!(missing.code(), "KeyVaultSecretDoesNotExist");
    assert_eq!(stored(&t).await, 0, "no refusal stored anything");
}

#[tokio::test]
async fn the_vault_must_be_in_the_web_apps_subscription() {
    let (t, _app) = world("B1").await;
    vault_certificate(&t, "www", "application/x-pkcs12").await;
    grant_app_service(&t).await;
    let other = t.core.create_subscription(&t.owner, "Other practice").await.expect("a second subscription");
    let request = CreateGroup {
        name: "rg-other".into(),
        location: "westeurope".into(),
        tags: Default::default(),
        subscription: Some("Other practice".into()),
    };
    let made = t.core.create_group(&t.owner, request).await.expect("a group in the second subscription");
    assert_eq!(made.subscription_id, other.id, "the group lands in the subscription named");
    let there = |name: &str| ResourceRef { subscription: Some(other.id.clone()), resource_group: "rg-other".into(), name: name.into() };
    t.core.create_plan(&t.owner, &CreatePlan { plan: there("plan"), sku: "B1".into() }).await.expect("plan");
    t.core.create_web_app(&t.owner, &CreateWebApp { app: there("petdash-other"), plan: "plan".into() }).await.expect("app");

    let request = ImportKeyVaultCertificate { subscription: Some(other.id.clone()), resource_group: "rg-other".into(), ..import("www") };
    let crossed = refused(t.core.import_key_vault_certificate(&t.owner, &request).await, "a vault of another subscription");
    assert_eq!(crossed.code(), "KeyVaultInAnotherSubscription");
    let log = t.core.audit_log(&t.owner, 0, 10_000).await.expect("log");
    assert!(!log.iter().any(|r| r.caller_name == "Microsoft Azure App Service"), "the vault of another subscription was never read");
    let listed = t.core.list_web_certificates(&t.owner, Some(&other.id), None).await.expect("list");
    assert!(listed.is_empty(), "nothing was stored in the other subscription");
}

#[tokio::test]
async fn an_rbac_vault_needs_a_key_vault_data_role_for_app_service() {
    let (t, _app) = world("B1").await;
    let mut rbac = CreateVault::new("kvr", group());
    rbac.rbac_authorization = true;
    t.vault_with(rbac).await;
    t.core.create_role_assignment(&t.owner, "owner@vaultmort.local", "Key Vault Administrator", "/").await.ok();
    let op = t
        .core
        .create_certificate(&t.owner, "kvr", "www", Some(crate::support::vault_policy("application/x-pkcs12")), true, Default::default())
        .await
        .expect("the owner makes a certificate in the RBAC vault");
    assert_eq!(op.status, "completed");
    let request = ImportKeyVaultCertificate { vault: "kvr".into(), ..import("www") };
    let denied = refused(t.core.import_key_vault_certificate(&t.owner, &request).await, "no role, no read");
    assert_eq!(denied.code(), "AzureServiceUnauthorizedToAccessKeyVault");
    assert!(denied.to_string().contains("Key Vault Certificate User"), "the message names the roles that allow it: {denied}");

    let vault = t.core.show_vault(&t.owner, "kvr").await.expect("vault");
    t.core.create_role_assignment(&t.owner, APP_SERVICE, "Key Vault Certificate User", &vault.resource_id()).await.expect("role assigned");
    t.core.import_key_vault_certificate(&t.owner, &request).await.expect("Key Vault Certificate User lets App Service read");
}

#[tokio::test]
async fn a_binding_needs_a_basic_tier_an_added_host_and_a_covering_unexpired_certificate() {
    let (t, app) = world("D1").await;
    let covering = openssl_pfx(&format!("/CN={HOST}"), &[HOST], 10, "pw");
    let wildcard = openssl_pfx("/CN=*.petdash.com", &["*.petdash.com"], 400, "pw");
    let other = openssl_pfx("/CN=shop.example.com", &["shop.example.com", "petdash.com"], 400, "pw");
    let upload = |pfx: &[u8], name: &str| UploadCertificate {
        subscription: None,
        resource_group: group().into(),
        name: Some(name.into()),
        pfx: pfx.to_vec(),
        password: Some(Zeroizing::new("pw".into())),
    };
    let wrong = refused(
        t.core
            .upload_web_certificate(
                &t.owner,
                &UploadCertificate { password: Some(Zeroizing::new("nope".into())), ..upload(&covering, "c") },
            )
            .await,
        "a wrong PFX password",
    );
    assert_eq!(wrong.code(), "WrongPassword");
    let covering_cert = t.core.upload_web_certificate(&t.owner, &upload(&covering, "www")).await.expect("upload");
    assert_eq!(covering_cert.thumbprint, openssl_thumbprint(&covering, "pw"), "the thumbprint is the SHA-1 openssl computes");
    let wildcard_cert = t.core.upload_web_certificate(&t.owner, &upload(&wildcard, "wild")).await.expect("upload");
    let other_cert = t.core.upload_web_certificate(&t.owner, &upload(&other, "other")).await.expect("upload");

    let not_added = refused(
        t.core.bind_certificate(&t.owner, &in_group(APP), &covering_cert.thumbprint, "SNI", Some(HOST)).await,
        "a host name the app does not have",
    );
    // D1 refuses SSL bindings before anything else about the host.
    assert_eq!(not_added.code(), "SkuNotAllowed", "Shared (D1) does not allow SSL bindings: {not_added}");
    verified_host(&t, &app).await;
    let shared =
        refused(t.core.bind_certificate(&t.owner, &in_group(APP), &covering_cert.thumbprint, "SNI", Some(HOST)).await, "D1 binding");
    assert_eq!(shared.code(), "SkuNotAllowed");
    t.core.create_plan(&t.owner, &CreatePlan { plan: in_group("plan"), sku: "B1".into() }).await.expect("scale up to B1");

    let elsewhere = refused(
        t.core.bind_certificate(&t.owner, &in_group(APP), &covering_cert.thumbprint, "SNI", Some("api.petdash.com")).await,
        "a host name that was never added",
    );
    assert_eq!(elsewhere.code(), "HostNameNotAdded");
    let not_covering = refused(
        t.core.bind_certificate(&t.owner, &in_group(APP), &other_cert.thumbprint, "SNI", Some(HOST)).await,
        "a certificate for other names (petdash.com does not cover www.petdash.com)",
    );
    assert_eq!(not_covering.code(), "CertificateDoesNotCoverHostName");
    let ip = refused(t.core.bind_certificate(&t.owner, &in_group(APP), &covering_cert.thumbprint, "IP", Some(HOST)).await, "IP SSL");
    assert_eq!(ip.code(), "BadParameter");
    let unbound = t.core.show_web_app(&t.owner, &in_group(APP)).await.expect("app");
    assert_eq!(unbound.host_name(HOST).map(|h| h.ssl_state), Some(SslState::Disabled), "no refusal bound anything");

    let bound =
        t.core.bind_certificate(&t.owner, &in_group(APP), &wildcard_cert.thumbprint, "SNI", None).await.expect("a wildcard covers www");
    assert_eq!(bound.host_name(HOST).and_then(|h| h.thumbprint.clone()), Some(wildcard_cert.thumbprint.clone()), "the wildcard is bound");

    t.core.shift_clock(&t.owner, Duration::days(11)).await.expect("the clock moves past the 10-day certificate");
    let expired = refused(t.core.bind_certificate(&t.owner, &in_group(APP), &covering_cert.thumbprint, "SNI", Some(HOST)).await, "expired");
    assert_eq!(expired.code(), "CertificateExpired");
    let still = t.core.show_web_app(&t.owner, &in_group(APP)).await.expect("app");
    assert_eq!(
        still.host_name(HOST).and_then(|h| h.thumbprint.clone()),
        Some(wildcard_cert.thumbprint.clone()),
        "the refusal kept the binding"
    );
    let in_use = refused(t.core.delete_web_certificate(&t.owner, None, group(), &wildcard_cert.thumbprint).await, "a bound certificate");
    assert_eq!(in_use.code(), "Conflict");
}
