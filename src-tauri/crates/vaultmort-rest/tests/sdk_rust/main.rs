//! The official Azure SDK for Rust (azure_security_keyvault_secrets, _keys and _certificates
//! 1.0) against the
//! server with its default options but for the transport (a reqwest client trusting the
//! practice root and resolving `<vault>.localhost`, the SDK's own way to pass a CA bundle and a
//! host mapping) and a credential that
//! gets its tokens from the practice token endpoint as a practice application of the directory
//! (client credentials). The main suites run as an application with every permission; the last
//! test runs as one that lacks a permission, and from an address the vault firewall excludes.

#[path = "../rest/support.rs"]
#[allow(dead_code)]
mod support;

use std::sync::Arc;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, StatusCode, Transport};
use azure_security_keyvault_certificates::models::{
    CertificateClientCreateCertificateOptions, CertificatePolicy, CreateCertificateParameters, IssuerParameters, X509CertificateProperties,
};
use azure_security_keyvault_certificates::{CertificateClient, CertificateClientOptions};
use azure_security_keyvault_keys::models::{
    CreateKeyParameters, CurveName, EncryptionAlgorithm, KeyClientEncryptOptions, KeyClientSignOptions, KeyOperationParameters, KeyType,
    SignParameters, SignatureAlgorithm, VerifyParameters,
};
use azure_security_keyvault_keys::{KeyClient, KeyClientOptions};
use azure_security_keyvault_secrets::models::{RestoreSecretParameters, SetSecretParameters, UpdateSecretPropertiesParameters};
use azure_security_keyvault_secrets::{ResourceExt, SecretClient, SecretClientOptions};
use futures::TryStreamExt;
use std::net::{IpAddr, Ipv4Addr};

use support::{TestServer, VAULT};
use vaultmort_core::access_policy::PolicyChange;
use vaultmort_core::firewall::{Bypass, DefaultAction, NetworkChanges, NetworkRule};
use vaultmort_core::vaults::UpdateVault;
use vaultmort_core::{Door, RequestContext};

/// Client credentials against the practice token endpoint.
#[derive(Debug)]
struct PracticeCredential {
    client: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: String,
}

#[async_trait::async_trait]
impl TokenCredential for PracticeCredential {
    async fn get_token(&self, scopes: &[&str], _options: Option<TokenRequestOptions<'_>>) -> azure_core::Result<AccessToken> {
        let failed = |e: &dyn std::fmt::Display| azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e.to_string());
        let response = self
            .client
            .post(&self.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.as_str()),
                ("scope", &scopes.join(" ")),
            ])
            .send()
            .await
            .map_err(|e| failed(&e))?;
        let body: serde_json::Value = response.json().await.map_err(|e| failed(&e))?;
        let token = body["access_token"].as_str().ok_or_else(|| failed(&format!("no token: {body}")))?;
        let lifetime = body["expires_in"].as_i64().unwrap_or(3600);
        Ok(AccessToken::new(token.to_string(), time::OffsetDateTime::now_utc() + time::Duration::seconds(lifetime)))
    }
}

/// A practice application's client id and secret.
#[derive(Clone)]
struct App {
    client_id: String,
    client_secret: String,
}

/// Makes a practice application and grants it `permissions` (per kind) on the test vault.
async fn app_with(t: &TestServer, name: &str, keys: &[&str], secrets: &[&str], certificates: &[&str]) -> App {
    let (_, client_id, client_secret) = t.practice_app(name).await;
    let owned = |list: &[&str]| Some(list.iter().map(|p| p.to_string()).collect::<Vec<_>>());
    let change = PolicyChange { keys: owned(keys), secrets: owned(secrets), certificates: owned(certificates) };
    t.core.set_access_policy(&RequestContext::local_owner(Door::Cli), VAULT, &client_id, change).await.expect("the owner grants access");
    App { client_id, client_secret }
}

/// An application with every data-plane permission on the test vault.
async fn full_access_app(t: &TestServer) -> App {
    app_with(t, "rust-sdk-app", &["all"], &["all"], &["all"]).await
}

fn client_options(t: &TestServer, app: &App, http: reqwest::Client) -> (ClientOptions, Arc<dyn TokenCredential>) {
    let credential = Arc::new(PracticeCredential {
        client: t.client(),
        token_url: format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant()),
        client_id: app.client_id.clone(),
        client_secret: app.client_secret.clone(),
    });
    (ClientOptions { transport: Some(Transport::new(Arc::new(http))), ..Default::default() }, credential)
}

fn secret_client_for(t: &TestServer, app: &App, http: reqwest::Client) -> SecretClient {
    let (client_options, credential) = client_options(t, app, http);
    let options = SecretClientOptions { client_options, ..Default::default() };
    SecretClient::new(&t.vault_url(), credential, Some(options)).expect("a secret client")
}

fn secret_client(t: &TestServer, app: &App) -> SecretClient {
    secret_client_for(t, app, t.client())
}

fn certificate_client(t: &TestServer, app: &App) -> CertificateClient {
    let (client_options, credential) = client_options(t, app, t.client());
    let options = CertificateClientOptions { client_options, ..Default::default() };
    CertificateClient::new(&t.vault_url(), credential, Some(options)).expect("a certificate client")
}

fn key_client(t: &TestServer, app: &App) -> KeyClient {
    let (client_options, credential) = client_options(t, app, t.client());
    let options = KeyClientOptions { client_options, ..Default::default() };
    KeyClient::new(&t.vault_url(), credential, Some(options)).expect("a key client")
}

/// The service's error code an SDK error carries.
fn service_code(error: &azure_core::Error) -> Option<String> {
    match error.kind() {
        azure_core::error::ErrorKind::HttpResponse { error_code, .. } => error_code.clone(),
        _ => None,
    }
}

/// An application granted only secrets get is refused a write and any key listing with 403
/// `Forbidden`; then, with the firewall on and only 127.0.0.1 admitted, the full-access
/// application is refused from 127.0.0.2 with the inner code `ForbiddenByFirewall`.
#[tokio::test]
async fn refusals_through_the_rust_sdk() {
    let t = TestServer::start().await;
    let full = full_access_app(&t).await;
    let limited = app_with(&t, "rust-sdk-limited", &[], &["get"], &[]).await;
    let set = |value: &str| SetSecretParameters { value: Some(value.into()), ..Default::default() }.try_into().expect("JSON");
    secret_client(&t, &full).set_secret("shared", set("readable"), None).await.expect("the full-access app sets a secret");

    let reader = secret_client(&t, &limited);
    let got = reader.get_secret("shared", None).await.expect("secrets get is granted").into_model().expect("a secret");
    assert_eq!(got.value.as_deref(), Some("readable"));
    let refused = reader.set_secret("shared", set("overwritten"), None).await.expect_err("secrets set is not granted");
    assert_eq!(refused.http_status(), Some(StatusCode::Forbidden));
    assert_eq!(service_code(&refused).as_deref(), Some("Forbidden"), "the SDK's error carries Key Vault's code");
    assert!(refused.to_string().contains("secrets set"), "and the message names the permission: {refused}");
    let keys = key_client(&t, &limited);
    let mut pager = keys.list_key_properties(None).expect("a pager");
    let refused = pager.try_next().await.expect_err("keys list is not granted");
    assert_eq!(refused.http_status(), Some(StatusCode::Forbidden));

    let owner = RequestContext::local_owner(Door::Cli);
    t.core.change_network_rule(&owner, VAULT, NetworkRule::Ip("127.0.0.1".into()), true).await.expect("a rule for 127.0.0.1");
    let deny = UpdateVault {
        network: NetworkChanges { default_action: Some(DefaultAction::Deny), bypass: Some(Bypass::None), public_network_access: None },
        ..Default::default()
    };
    t.core.update_vault(&owner, VAULT, deny).await.expect("the firewall is on");
    let near = secret_client(&t, &full);
    near.get_secret("shared", None).await.expect("127.0.0.1 is admitted");
    let far = secret_client_for(&t, &full, t.client_from(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))));
    let refused = far.get_secret("shared", None).await.expect_err("127.0.0.2 is not admitted");
    assert_eq!(refused.http_status(), Some(StatusCode::Forbidden));
    assert_eq!(service_code(&refused).as_deref(), Some("Forbidden"), "{refused}");
    assert!(refused.to_string().contains("127.0.0.2"), "the message names the address: {refused}");
    let azure_core::error::ErrorKind::HttpResponse { raw_response: Some(raw), .. } = refused.kind() else {
        panic!("an HTTP error keeps its response: {refused:?}")
    };
    let body: serde_json::Value = serde_json::from_slice(raw.body().as_ref()).expect("a JSON error body");
    assert_eq!(body["error"]["innererror"]["code"], "ForbiddenByFirewall", "the inner error names the firewall: {body}");
}

#[tokio::test]
async fn secrets_through_the_rust_sdk() {
    let t = TestServer::start().await;
    let client = secret_client(&t, &full_access_app(&t).await);
    let set = SetSecretParameters { value: Some("from rust".into()), ..Default::default() };
    let secret = client.set_secret("rusty", set.try_into().expect("JSON"), None).await.expect("set").into_model().expect("a secret");
    assert_eq!(secret.value.as_deref(), Some("from rust"));
    let id = secret.resource_id().expect("an id the SDK parses");
    assert_eq!(id.name, "rusty");
    let got = client.get_secret("rusty", None).await.expect("get").into_model().expect("a secret");
    assert_eq!(got.value.as_deref(), Some("from rust"));

    let update = UpdateSecretPropertiesParameters { content_type: Some("text/plain".into()), ..Default::default() };
    let updated = client
        .update_secret_properties("rusty", update.try_into().expect("JSON"), None)
        .await
        .expect("update")
        .into_model()
        .expect("props");
    assert_eq!(updated.content_type.as_deref(), Some("text/plain"));

    for i in 0..30 {
        let set = SetSecretParameters { value: Some("x".into()), ..Default::default() };
        client.set_secret(&format!("paged-{i}"), set.try_into().expect("JSON"), None).await.expect("set");
    }
    let mut pager = client.list_secret_properties(None).expect("a pager");
    let mut count = 0;
    while let Some(_item) = pager.try_next().await.expect("a page") {
        count += 1;
    }
    assert_eq!(count, 31, "the pager follows nextLink across pages of 25");

    let backup = client.backup_secret("rusty", None).await.expect("backup").into_model().expect("a backup");
    client.delete_secret("rusty", None).await.expect("delete");
    let deleted = client.get_deleted_secret("rusty", None).await.expect("get deleted").into_model().expect("deleted");
    assert!(deleted.recovery_id.is_some_and(|r| r.ends_with("/deletedsecrets/rusty")));
    client.recover_deleted_secret("rusty", None).await.expect("recover");
    client.delete_secret("rusty", None).await.expect("delete again");
    client.purge_deleted_secret("rusty", None).await.expect("purge");
    let restore = RestoreSecretParameters { secret_backup: backup.value };
    let restored = client.restore_secret(restore.try_into().expect("JSON"), None).await.expect("restore").into_model().expect("a secret");
    assert_eq!(restored.resource_id().expect("an id").name, "rusty");

    let missing = client.get_secret("never-set", None).await.expect_err("a missing secret is an error");
    assert_eq!(missing.http_status(), Some(StatusCode::NotFound));
}

#[tokio::test]
async fn keys_through_the_rust_sdk() {
    let t = TestServer::start().await;
    let client = key_client(&t, &full_access_app(&t).await);
    let rsa = CreateKeyParameters { kty: Some(KeyType::Rsa), key_size: Some(2048), ..Default::default() };
    let key = client.create_key("rusty-rsa", rsa.try_into().expect("JSON"), None).await.expect("create").into_model().expect("a key");
    let kid = key.key.as_ref().and_then(|k| k.kid.clone()).expect("a kid");
    let version = kid.rsplit('/').next().expect("a version").to_string();
    let ec = CreateKeyParameters { kty: Some(KeyType::Ec), curve: Some(CurveName::P256), ..Default::default() };
    client.create_key("rusty-ec", ec.try_into().expect("JSON"), None).await.expect("create EC");

    let digest = vaultmort_crypto::aead::sha256(b"rust sdk").to_vec();
    let sign = SignParameters { algorithm: Some(SignatureAlgorithm::Rs256), value: Some(digest.clone()) };
    let options = KeyClientSignOptions { key_version: Some(version.clone()), ..Default::default() };
    let signed =
        client.sign("rusty-rsa", sign.try_into().expect("JSON"), Some(options)).await.expect("sign").into_model().expect("a result");
    let verify = VerifyParameters { algorithm: Some(SignatureAlgorithm::Rs256), digest: Some(digest), signature: signed.result.clone() };
    let verified =
        client.verify("rusty-rsa", &version, verify.try_into().expect("JSON"), None).await.expect("verify").into_model().expect("a result");
    assert_eq!(verified.value, Some(true), "the signature verifies");

    let encrypt =
        KeyOperationParameters { algorithm: Some(EncryptionAlgorithm::RsaOaep256), value: Some(b"plain".to_vec()), ..Default::default() };
    let options = KeyClientEncryptOptions { key_version: Some(version.clone()), ..Default::default() };
    let encrypted = client
        .encrypt("rusty-rsa", encrypt.try_into().expect("JSON"), Some(options))
        .await
        .expect("encrypt")
        .into_model()
        .expect("a result");
    let decrypt =
        KeyOperationParameters { algorithm: Some(EncryptionAlgorithm::RsaOaep256), value: encrypted.result, ..Default::default() };
    let decrypted = client
        .decrypt("rusty-rsa", &version, decrypt.try_into().expect("JSON"), None)
        .await
        .expect("decrypt")
        .into_model()
        .expect("a result");
    assert_eq!(decrypted.result.as_deref(), Some(&b"plain"[..]));

    let rotated = client.rotate_key("rusty-rsa", None).await.expect("rotate").into_model().expect("a key");
    assert_ne!(rotated.key.and_then(|k| k.kid), Some(kid), "a new version");
    let mut pager = client.list_key_properties(None).expect("a pager");
    let mut names = Vec::new();
    while let Some(item) = pager.try_next().await.expect("a page") {
        names.push(item.kid.unwrap_or_default());
    }
    assert_eq!(names.len(), 2, "both keys: {names:?}");
    client.delete_key("rusty-ec", None).await.expect("delete");
    client.get_deleted_key("rusty-ec", None).await.expect("get deleted");
    client.recover_deleted_key("rusty-ec", None).await.expect("recover");
}

#[tokio::test]
async fn a_certificate_through_the_rust_sdk_poller() {
    let t = TestServer::start().await;
    let client = certificate_client(&t, &full_access_app(&t).await);
    let policy = CertificatePolicy {
        issuer_parameters: Some(IssuerParameters { name: Some("Self".into()), ..Default::default() }),
        x509_certificate_properties: Some(X509CertificateProperties {
            subject: Some("CN=rust.example".into()),
            validity_in_months: Some(12),
            ..Default::default()
        }),
        ..Default::default()
    };
    let parameters = CreateCertificateParameters { certificate_policy: Some(policy), ..Default::default() };
    let options = CertificateClientCreateCertificateOptions {
        method_options: azure_core::http::poller::PollerOptions { frequency: azure_core::time::Duration::seconds(1), ..Default::default() },
    };
    let poller = client.begin_create_certificate("rusty-cert", parameters.try_into().expect("JSON"), Some(options)).expect("a poller");
    let certificate = poller.await.expect("the poller completes").into_model().expect("a certificate");
    assert!(certificate.cer.as_ref().is_some_and(|cer| !cer.is_empty()), "the DER certificate");
    assert!(
        certificate.id.as_deref().is_some_and(|id| id.starts_with(&format!("{}/certificates/rusty-cert/", t.vault_url()))),
        "an absolute id: {:?}",
        certificate.id
    );
    let got = client.get_certificate("rusty-cert", None).await.expect("get").into_model().expect("a certificate");
    assert_eq!(got.cer, certificate.cer);
}

// Regression, issue 11 point 4: an api-version that is no Key Vault version was served. The
// SDK, told to send `garbage`, reads Key Vault's 400 `BadParameter` naming it.
#[tokio::test]
async fn issue11_a_bad_api_version_is_refused_through_the_rust_sdk() {
    let t = TestServer::start().await;
    let app = full_access_app(&t).await;
    let (client_options, credential) = client_options(&t, &app, t.client());
    let options = SecretClientOptions { api_version: "garbage".into(), client_options, ..Default::default() };
    let client = SecretClient::new(&t.vault_url(), credential, Some(options)).expect("a secret client");
    let refused = client.get_secret("anything", None).await.expect_err("an unknown api-version is refused");
    assert_eq!(refused.http_status(), Some(StatusCode::BadRequest), "Key Vault answers 400: {refused}");
    assert_eq!(service_code(&refused).as_deref(), Some("BadParameter"), "the SDK reads Key Vault's code: {refused}");
    assert!(refused.to_string().contains("garbage"), "and the message names the version: {refused}");
}
