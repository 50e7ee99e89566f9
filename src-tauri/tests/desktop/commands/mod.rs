//! The commands through IPC, one module per command module, plus the first session end to end.

mod access;
mod app_service;
mod byok;
mod certificates;
mod clipboard;
mod deleted;
mod expiry;
mod hsm;
mod keys;
mod notices;
mod rest_api;
mod secrets;
mod session;
mod vaults;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::support::{PASSPHRASE, TestApp};

/// What a person does in a first session: unlock a new home, make a group and a vault, keep a
/// secret, sign with a key, issue a certificate, and see it among what expires in the next year.
#[test]
fn a_first_session_from_unlock_to_expiring_certificate() {
    let app = TestApp::new();
    let status = app.ok("session_status", json!({}));
    assert_eq!((status["unlocked"].as_bool(), status["firstRun"].as_bool()), (Some(false), Some(true)), "a new home waits: {status}");
    assert_eq!(app.ok("unlock", json!({ "passphrase": PASSPHRASE }))["unlocked"], true, "the passphrase creates the store");

    let group = app.ok("create_group", json!({ "name": "rg", "location": "WestEurope" }));
    assert_eq!(group, json!({ "name": "rg", "location": "westeurope" }), "locations are kept in lower case");
    let input = json!({ "name": "petdash-kv", "resourceGroup": "rg", "location": null, "sku": "premium", "retentionDays": 7, "purgeProtection": false });
    let vault = app.ok("create_vault", json!({ "input": input }));
    assert_eq!(vault["vaultUri"], "https://petdash-kv.localhost:8443/", "the vault's address as the SDKs would use it");
    assert_eq!((vault["sku"].as_str(), vault["location"].as_str()), (Some("premium"), Some("westeurope")), "{vault}");

    let secret = json!({ "name": "db-password", "value": "s3cret", "contentType": "text/plain" });
    app.ok("set_secret", json!({ "vault": "petdash-kv", "input": secret }));
    let listed = app.ok("list_secrets", json!({ "vault": "petdash-kv" }));
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "one secret: {listed}");
    assert!(!listed.to_string().contains("s3cret"), "a listing never carries values: {listed}");
    let value = app.ok("reveal_secret", json!({ "vault": "petdash-kv", "name": "db-password", "version": null }));
    assert_eq!(value, "s3cret", "reveal returns the value that was set");

    let input = json!({ "name": "signer", "kty": "EC", "size": null, "curve": "P-256", "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null });
    let key = app.ok("create_key", json!({ "vault": "petdash-kv", "input": input }));
    assert_eq!(key["kty"], "EC");
    let digest = STANDARD.encode([7u8; 32]);
    let signature = app.ok("sign_digest", json!({ "vault": "petdash-kv", "name": "signer", "algorithm": "ES256", "digest": digest }));
    let verify = |digest: &str| {
        app.ok(
            "verify_digest",
            json!({ "vault": "petdash-kv", "name": "signer", "algorithm": "ES256", "digest": digest, "signature": signature }),
        )
    };
    assert_eq!(verify(&digest), true, "the signature verifies over the digest it was made for");
    assert_eq!(verify(&STANDARD.encode([8u8; 32])), false, "and not over another digest");

    let mut policy = app.ok("default_certificate_policy", json!({}));
    policy["subject"] = json!("CN=petdash.example");
    let operation = app.ok("create_certificate", json!({ "vault": "petdash-kv", "name": "site", "policy": policy }));
    assert_eq!(operation["status"], "completed", "a self-signed certificate exists at once: {operation}");
    let certificate = &app.ok("list_certificates", json!({ "vault": "petdash-kv" }))[0];
    assert_eq!(certificate["subject"], "CN=petdash.example", "{certificate}");

    let report = app.ok("expiring_soon", json!({ "withinDays": 400 }));
    assert_eq!(report["unreadable"], json!([]), "the owner reads every vault: {report}");
    let expiring = report["items"].as_array().expect("a list");
    assert_eq!(expiring.len(), 1, "only the certificate expires (its key and secret go with it): {expiring:?}");
    assert_eq!((expiring[0]["kind"].as_str(), expiring[0]["name"].as_str()), (Some("certificate"), Some("site")));
    let days = expiring[0]["daysLeft"].as_i64().expect("daysLeft is a number");
    assert!((360..=366).contains(&days), "a 12-month certificate has about a year left, not {days} days");
}
