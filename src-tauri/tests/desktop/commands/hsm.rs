//! `hsm_status`, `configure_hsm`, and HSM protection in `create_key`: the practice token is made
//! by the first HSM key, shows that key as a sensitive, non-extractable object, and signs with
//! it (openssl checks the signature); a standard vault refuses HSM keys as Key Vault does.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use vaultmort_test_support::openssl::verify_signature;

use crate::support::TestApp;

/// `create_key`'s input for an HSM key of family `kty` (RSA or EC) with operations `ops`.
pub fn hsm_input(name: &str, kty: &str, ops: Option<&[&str]>) -> Value {
    let (size, curve) = if kty == "RSA" { (json!(2048), Value::Null) } else { (Value::Null, json!("P-256")) };
    json!({ "name": name, "kty": kty, "protection": "hsm", "size": size, "curve": curve, "keyOps": ops, "enabled": null, "notBefore": null, "expires": null, "tags": null })
}

#[test]
fn the_first_hsm_key_sets_up_the_practice_token_which_holds_it_sensitive_and_not_extractable() {
    let app = TestApp::unlocked();
    let before = app.ok("hsm_status", json!({}));
    assert_eq!(before, json!({ "mode": "not set up", "token": null }), "a new home has no token until an HSM key needs one");

    app.premium_vault("hsm-kv");
    let key = app.ok("create_key", json!({ "vault": "hsm-kv", "input": hsm_input("signer", "EC", None) }));
    assert_eq!(key["kty"], "EC-HSM", "HSM protection turns EC into EC-HSM: {key}");
    let rsa = app.ok("create_key", json!({ "vault": "hsm-kv", "input": hsm_input("rsa-signer", "RSA", None) }));
    assert_eq!(rsa["kty"], "RSA-HSM", "and RSA into RSA-HSM: {rsa}");

    let status = app.ok("hsm_status", json!({}));
    assert_eq!(status["mode"], "practice", "the home's own SoftHSM token: {status}");
    let token = &status["token"];
    assert!(token["module"].as_str().is_some_and(|m| m.contains("softhsm")), "the module is SoftHSM's: {token}");
    assert!(token["label"].as_str().is_some_and(|l| l.starts_with("vaultmort")), "the practice token's label: {token}");
    assert!(token["slot"].as_str().is_some_and(|s| s.parse::<u64>().is_ok()), "the slot id is a decimal string: {token}");
    assert_eq!(token["pinState"], "ok", "the PIN has not been mistyped: {token}");
    let mechanisms = token["mechanisms"].as_array().expect("a list of mechanisms");
    assert!(mechanisms.iter().any(|m| m == "CKM_ECDSA") && mechanisms.iter().any(|m| m == "CKM_RSA_PKCS"), "{mechanisms:?}");
    let vault_keys: Vec<&Value> =
        token["objects"].as_array().expect("a list of objects").iter().filter(|o| o["role"] == "vault key").collect();
    assert_eq!(vault_keys.len(), 2, "one token object per HSM key: {token}");
    for object in &vault_keys {
        assert_eq!(
            (object["class"].as_str(), object["sensitive"].as_bool(), object["extractable"].as_bool()),
            (Some("private key"), Some(true), Some(false)),
            "a vault key is a private key the token never lets out: {object}"
        );
    }
    let types: Vec<&str> = vault_keys.iter().filter_map(|o| o["keyType"].as_str()).collect();
    assert!(types.contains(&"EC") && types.contains(&"RSA"), "the objects' key types: {types:?}");

    // Signing runs in the token; openssl checks the signature against the key's public half.
    let digest = [9u8; 32];
    let signature =
        app.ok("sign_digest", json!({ "vault": "hsm-kv", "name": "signer", "algorithm": "ES256", "digest": STANDARD.encode(digest) }));
    let signature = STANDARD.decode(signature.as_str().expect("base64 text")).expect("the signature is base64");
    let public = app.home.scratch("signer.pem");
    app.ok(
        "save_public_key",
        json!({ "vault": "hsm-kv", "name": "signer", "version": null, "path": public.to_str().expect("UTF-8 path") }),
    );
    let pem = std::fs::read(&public).expect("the public key was saved");
    verify_signature(&pem, "ES256", &digest, &signature).expect("openssl accepts the HSM key's ES256 signature");
}

#[test]
fn a_standard_vault_refuses_hsm_keys_with_bad_parameter() {
    let app = TestApp::unlocked();
    app.vault("std-kv");
    let refused = app.invoke("create_key", json!({ "vault": "std-kv", "input": hsm_input("k", "RSA", None) })).expect_err("an HSM key");
    assert_eq!(refused["code"], "BadParameter", "Key Vault's code for an HSM key in a standard vault: {refused}");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("standard vault")), "and it says why: {refused}");
    assert_eq!(app.ok("list_keys", json!({ "vault": "std-kv" })), json!([]), "nothing was stored");
    assert_eq!(app.ok("hsm_status", json!({}))["mode"], "not set up", "a refused key makes no token");
}

#[test]
fn configure_hsm_reads_the_form_and_keeps_nothing_a_module_cannot_open() {
    let app = TestApp::unlocked();
    let form = |path: &str, label: Value, slot: Value, pin: &str| json!({ "input": { "path": path, "tokenLabel": label, "slot": slot, "pin": pin } });
    let module = "/usr/lib/softhsm/libsofthsm2.so";
    for (args, why) in [
        (form("", json!("t"), Value::Null, "1234"), "a module path is needed"),
        (form(module, Value::Null, Value::Null, "1234"), "a label or a slot is needed"),
        (form(module, json!("t"), json!("1"), "1234"), "not both a label and a slot"),
        (form(module, Value::Null, json!("slot one"), "1234"), "a slot is a number"),
        (form(module, json!("t"), Value::Null, ""), "a PIN is needed"),
    ] {
        assert_eq!(app.error_code("configure_hsm", args.clone()), "BadParameter", "{why}: {args}");
    }
    let missing = form("/nonexistent/libpkcs11.so", json!("t"), Value::Null, "1234");
    assert_eq!(app.error_code("configure_hsm", missing), "HsmUnavailable", "a module that does not load is the core's HsmUnavailable");
    assert_eq!(app.ok("hsm_status", json!({}))["mode"], "not set up", "a refused configuration changes nothing");
}

#[test]
fn configure_hsm_switches_to_another_token_where_new_hsm_keys_then_live() {
    use vaultmort_pkcs11::softhsm::SoftHsmDir;
    use zeroize::Zeroizing;
    let app = TestApp::unlocked();
    // A SoftHSM token of the test's own, as a user's other HSM would be; this process's SoftHSM
    // then reads that folder's configuration.
    let other = app.home.scratch("other-hsm");
    SoftHsmDir::new(&other)
        .init_token("desk-module", &Zeroizing::new("other-so-pin".into()), &Zeroizing::new("other-user-pin".into()))
        .expect("SoftHSM makes the other token");
    let module = vaultmort_pkcs11::softhsm::module_path();
    let module = module.to_str().expect("a UTF-8 path");
    let form = |pin: &str| json!({ "input": { "path": module, "tokenLabel": "desk-module", "slot": null, "pin": pin } });
    assert_eq!(app.error_code("configure_hsm", form("wrong-pin")), "HsmUnavailable", "a wrong PIN is refused before anything changes");
    assert_eq!(app.ok("hsm_status", json!({}))["mode"], "not set up", "and nothing changed");

    let status = app.ok("configure_hsm", form("other-user-pin"));
    assert_eq!((status["mode"].as_str(), status["token"]["label"].as_str()), (Some("module"), Some("desk-module")), "{status}");
    app.premium_vault("module-kv");
    app.ok("create_key", json!({ "vault": "module-kv", "input": hsm_input("in-module", "EC", None) }));
    let status = app.ok("hsm_status", json!({}));
    assert_eq!(status["mode"], "module", "the configured module stays the home's HSM: {status}");
    let objects = status["token"]["objects"].as_array().expect("a list");
    assert!(
        objects.iter().any(|o| o["role"] == "vault key" && o["keyType"] == "EC"),
        "the new key lives in the configured token: {status}"
    );
}
