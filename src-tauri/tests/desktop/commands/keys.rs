//! `create_key`, `list_keys`, `sign_digest`, `verify_digest`.

use serde_json::json;

use crate::support::TestApp;

#[test]
fn rsa_keys_sign_and_bad_input_is_a_bad_parameter() {
    let app = TestApp::unlocked();
    app.vault("keys-kv");
    let key = app.ok("create_key", json!({ "vault": "keys-kv", "input": { "name": "rsa", "kty": "RSA", "size": 2048, "curve": null } }));
    assert!(key["keyOps"].as_array().is_some_and(|ops| ops.contains(&json!("sign"))), "RSA keys may sign by default: {key}");
    assert!(key["kid"].as_str().is_some_and(|kid| kid.starts_with("https://keys-kv.localhost:8443/keys/rsa/")), "{key}");
    assert_eq!(app.ok("list_keys", json!({ "vault": "keys-kv" }))[0]["name"], "rsa");

    let sign = |digest: &str, algorithm: &str| {
        app.invoke("sign_digest", json!({ "vault": "keys-kv", "name": "rsa", "algorithm": algorithm, "digest": digest }))
    };
    let digest = base64_of(&[1u8; 32]);
    assert!(sign(&digest, "RS256").is_ok(), "RS256 over a SHA-256 digest");
    assert_eq!(sign("not base64!", "RS256").expect_err("bad base64")["code"], "BadParameter");
    assert_eq!(sign(&digest, "XX999").expect_err("unknown algorithm")["code"], "BadParameter");
    assert_eq!(sign(&base64_of(&[1u8; 20]), "RS256").expect_err("wrong digest length")["code"], "BadParameter");
    let curve_on_rsa = json!({ "vault": "keys-kv", "input": { "name": "odd", "kty": "RSA", "size": null, "curve": "P-256" } });
    assert_eq!(app.error_code("create_key", curve_on_rsa), "BadParameter", "RSA keys take no curve");
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
