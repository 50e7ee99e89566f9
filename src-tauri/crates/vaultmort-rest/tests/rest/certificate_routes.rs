//! Certificates through the REST door: create answers an operation in progress, pending then
//! shows the real status, and the certificate, its policy, issuers and contacts read back in
//! Key Vault's shapes.

use reqwest::Method;
use serde_json::json;

use crate::support::{TestServer, assert_error};

#[tokio::test]
async fn a_self_signed_certificate_is_created_read_and_deleted() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let v = "?api-version=7.6";
    let policy = json!({
        "key_props": {"kty": "RSA", "key_size": 2048, "exportable": true, "reuse_key": false},
        "secret_props": {"contentType": "application/x-pkcs12"},
        "x509_props": {"subject": "CN=rest.example", "validity_months": 12},
        "issuer": {"name": "Self"}
    });
    let (status, op) = t.call(&token, Method::POST, &format!("/certificates/site/create{v}"), Some(json!({"policy": policy}))).await;
    assert_eq!(status, 202, "create answers 202: {op}");
    assert_eq!(op["status"], "inProgress", "the SDK pollers need a first answer in progress");
    assert_eq!(op["id"], format!("{}/certificates/site/pending", t.vault_url()));
    let (status, pending) = t.call(&token, Method::GET, &format!("/certificates/site/pending{v}"), None).await;
    assert_eq!((status, &pending["status"]), (200, &json!("completed")), "pending shows the real status: {pending}");

    let (status, cert) = t.call(&token, Method::GET, &format!("/certificates/site{v}"), None).await;
    assert_eq!(status, 200, "get: {cert}");
    let id = cert["id"].as_str().expect("an id");
    let version = id.rsplit('/').next().expect("a version");
    assert_eq!(cert["kid"], format!("{}/keys/site/{version}", t.vault_url()), "kid names the key of the same version");
    assert_eq!(cert["sid"], format!("{}/secrets/site/{version}", t.vault_url()));
    assert!(cert["cer"].is_string() && cert["x5t"].is_string());
    assert_eq!(cert["policy"]["x509_props"]["subject"], "CN=rest.example");
    assert_eq!(cert["policy"]["id"], format!("{}/certificates/site/policy", t.vault_url()));

    let (status, policy) = t.call(&token, Method::GET, &format!("/certificates/site/policy{v}"), None).await;
    assert_eq!((status, &policy["issuer"]["name"]), (200, &json!("Self")));
    let (_, listed) = t.call(&token, Method::GET, &format!("/certificates{v}"), None).await;
    assert_eq!(
        listed["value"][0]["id"],
        format!("{}/certificates/site", t.vault_url()),
        "a listing of current certificates names each by its id without a version, as Key Vault does"
    );
    let (status, secret) = t.call(&token, Method::GET, &format!("/secrets/site{v}"), None).await;
    assert_eq!((status, &secret["contentType"]), (200, &json!("application/x-pkcs12")), "the certificate's secret: {secret}");

    let (status, deleted) = t.call(&token, Method::DELETE, &format!("/certificates/site{v}"), None).await;
    assert_eq!(status, 200, "delete: {deleted}");
    assert_eq!(deleted["recoveryId"], format!("{}/deletedcertificates/site", t.vault_url()));
    let (status, body) = t.call(&token, Method::GET, &format!("/certificates/site{v}"), None).await;
    assert_error(status, &body, 404, "CertificateNotFound", "a deleted certificate");
}

#[tokio::test]
async fn issuers_and_contacts_read_back() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let v = "?api-version=7.6";
    let (status, issuer) =
        t.call(&token, Method::PUT, &format!("/certificates/issuers/practice{v}"), Some(json!({"provider": "VaultmortPractice"}))).await;
    assert_eq!(status, 200, "set issuer: {issuer}");
    assert_eq!(issuer["id"], format!("{}/certificates/issuers/practice", t.vault_url()));
    let (_, listed) = t.call(&token, Method::GET, &format!("/certificates/issuers{v}"), None).await;
    assert_eq!(listed["value"][0]["provider"], "VaultmortPractice");
    let (status, contacts) =
        t.call(&token, Method::PUT, &format!("/certificates/contacts{v}"), Some(json!({"contacts": [{"email": "a@example.com"}]}))).await;
    assert_eq!((status, &contacts["contacts"][0]["email"]), (200, &json!("a@example.com")), "{contacts}");
    let (status, body) = t.call(&token, Method::PUT, &format!("/certificates/contacts{v}"), Some(json!({"contacts": "nobody"}))).await;
    assert_error(status, &body, 400, "BadParameter", "contacts that are not a list");
}

#[tokio::test]
async fn rng_returns_the_bytes_asked_for() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let (status, body) = t.call(&token, Method::POST, "/rng?api-version=7.6", Some(json!({"count": 32}))).await;
    assert_eq!(status, 200, "{body}");
    let bytes = vaultmort_crypto::jwk::b64url::decode(body["value"].as_str().expect("a value")).expect("base64url");
    assert_eq!(bytes.len(), 32);
    let (status, body) = t.call(&token, Method::POST, "/rng?api-version=7.6", Some(json!({"count": 0}))).await;
    assert_error(status, &body, 400, "BadParameter", "zero bytes");
}

/// `outContentType` on a secret read: a PFX certificate's secret comes back as PEM (openssl reads
/// its key and certificate), a wrong value and a plain secret are 400 `BadParameter`.
#[tokio::test]
async fn a_certificates_secret_is_read_as_pem_with_out_content_type() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let v = "?api-version=2026-04-01";
    let policy = json!({
        "key_props": {"kty": "EC", "crv": "P-256", "exportable": true, "reuse_key": false},
        "secret_props": {"contentType": "application/x-pkcs12"},
        "x509_props": {"subject": "CN=pem.example", "validity_months": 12},
        "issuer": {"name": "Self"}
    });
    let (status, op) = t.call(&token, Method::POST, &format!("/certificates/site/create{v}"), Some(json!({"policy": policy}))).await;
    assert_eq!(status, 202, "{op}");
    let pem_type = "application%2Fx-pem-file";
    for path in [format!("/secrets/site{v}&outContentType={pem_type}"), format!("/secrets/site/{v}&outContentType={pem_type}")] {
        let (status, secret) = t.call(&token, Method::GET, &path, None).await;
        assert_eq!(status, 200, "{path}: {secret}");
        assert_eq!(secret["contentType"], "application/x-pem-file", "the answer names the format it is in");
        let text = secret["value"].as_str().expect("a value");
        let key = openssl(&["pkey", "-noout", "-text"], text);
        assert!(key.contains("Private-Key"), "openssl reads the PEM's private key: {key}");
        let subject = openssl(&["x509", "-noout", "-subject"], text);
        assert!(subject.contains("CN=pem.example") || subject.contains("CN = pem.example"), "and its certificate: {subject}");
    }
    let (status, stored) = t.call(&token, Method::GET, &format!("/secrets/site{v}"), None).await;
    assert_eq!((status, stored["contentType"].as_str()), (200, Some("application/x-pkcs12")), "without it, the stored format");

    let (status, body) = t.call(&token, Method::GET, &format!("/secrets/site{v}&outContentType=text%2Fplain"), None).await;
    assert_error(status, &body, 400, "BadParameter", "an unknown outContentType");
    let (status, _) = t.call(&token, Method::PUT, &format!("/secrets/plain{v}"), Some(json!({"value": "x"}))).await;
    assert_eq!(status, 200);
    let (status, body) = t.call(&token, Method::GET, &format!("/secrets/plain{v}&outContentType={pem_type}"), None).await;
    assert_error(status, &body, 400, "BadParameter", "a plain secret has no certificate format");
}

/// What the `openssl` CLI prints for `args` with `input` on stdin; a refusal fails the test.
fn openssl(args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("openssl runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("openssl reads its input");
    let out = child.wait_with_output().expect("openssl finishes");
    assert!(out.status.success(), "openssl {args:?} refused: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
