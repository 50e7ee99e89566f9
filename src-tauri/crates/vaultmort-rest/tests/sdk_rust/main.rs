//! The official Azure SDK for Rust (azure_security_keyvault_secrets, _keys and _certificates
//! 1.0) against the
//! server, unchanged but for the transport (a reqwest client trusting the practice root and
//! resolving `<vault>.localhost`), `verify_challenge_resource: false`, and a credential that
//! gets its tokens from the practice token endpoint with the owner's client secret.

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
use support::{OWNER_SECRET, TestServer};

/// Client credentials against the practice token endpoint.
#[derive(Debug)]
struct PracticeCredential {
    client: reqwest::Client,
    token_url: String,
}

#[async_trait::async_trait]
impl TokenCredential for PracticeCredential {
    async fn get_token(&self, scopes: &[&str], _options: Option<TokenRequestOptions<'_>>) -> azure_core::Result<AccessToken> {
        let owner = vaultmort_core::Principal::local_owner();
        let failed = |e: &dyn std::fmt::Display| azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e.to_string());
        let response = self
            .client
            .post(&self.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", owner.object_id.as_str()),
                ("client_secret", OWNER_SECRET),
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

fn client_options(t: &TestServer) -> (ClientOptions, Arc<dyn TokenCredential>) {
    let http = t.client();
    let credential = Arc::new(PracticeCredential {
        client: http.clone(),
        token_url: format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant()),
    });
    (ClientOptions { transport: Some(Transport::new(Arc::new(http))), ..Default::default() }, credential)
}

fn secret_client(t: &TestServer) -> SecretClient {
    let (client_options, credential) = client_options(t);
    let options = SecretClientOptions { client_options, verify_challenge_resource: Some(false), ..Default::default() };
    SecretClient::new(&t.vault_url(), credential, Some(options)).expect("a secret client")
}

fn certificate_client(t: &TestServer) -> CertificateClient {
    let (client_options, credential) = client_options(t);
    let options = CertificateClientOptions { client_options, verify_challenge_resource: Some(false), ..Default::default() };
    CertificateClient::new(&t.vault_url(), credential, Some(options)).expect("a certificate client")
}

fn key_client(t: &TestServer) -> KeyClient {
    let (client_options, credential) = client_options(t);
    let options = KeyClientOptions { client_options, verify_challenge_resource: Some(false), ..Default::default() };
    KeyClient::new(&t.vault_url(), credential, Some(options)).expect("a key client")
}

#[tokio::test]
async fn secrets_through_the_rust_sdk() {
    let t = TestServer::start().await;
    let client = secret_client(&t);
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
    let client = key_client(&t);
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
    let client = certificate_client(&t);
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
