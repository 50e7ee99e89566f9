//! `key_catalog`, `create_key`, `list_keys`, `list_key_versions`, `get_key`, `update_key`, `rotate_key`,
//! `save_public_key`, `sign_digest`, `verify_digest`, `crypto_operation`, `import_key` (JWK and
//! PEM; BYOK files are in `byok`). openssl is the referee for the saved public key, for a
//! ciphertext made outside Vaultmort, and for the keys the import wizard brings in.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use vaultmort_test_support::openssl::{OpensslKey, openssl_ok, openssl_text, verify_signature};

use crate::support::TestApp;

#[test]
fn rsa_keys_sign_and_bad_input_is_a_bad_parameter() {
    let app = TestApp::unlocked();
    app.vault("keys-kv");
    let key = app.ok("create_key", json!({ "vault": "keys-kv", "input": rsa_input("rsa") }));
    assert!(key["keyOps"].as_array().is_some_and(|ops| ops.contains(&json!("sign"))), "RSA keys may sign by default: {key}");
    assert!(key["kid"].as_str().is_some_and(|kid| kid.starts_with("https://keys-kv.localhost:8443/keys/rsa/")), "{key}");
    assert_eq!(app.ok("list_keys", json!({ "vault": "keys-kv" }))[0]["name"], "rsa");

    let sign = |digest: &str, algorithm: &str| {
        app.invoke("sign_digest", json!({ "vault": "keys-kv", "name": "rsa", "algorithm": algorithm, "digest": digest }))
    };
    let digest = STANDARD.encode([1u8; 32]);
    assert!(sign(&digest, "RS256").is_ok(), "RS256 over a SHA-256 digest");
    assert_eq!(sign("not base64!", "RS256").expect_err("bad base64")["code"], "BadParameter");
    assert_eq!(sign(&digest, "XX999").expect_err("unknown algorithm")["code"], "BadParameter");
    assert_eq!(sign(&STANDARD.encode([1u8; 20]), "RS256").expect_err("wrong digest length")["code"], "BadParameter");
    let curve_on_rsa = json!({ "vault": "keys-kv", "input": { "name": "odd", "kty": "RSA", "size": null, "curve": "P-256", "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null } });
    assert_eq!(app.error_code("create_key", curve_on_rsa), "BadParameter", "RSA keys take no curve");
}

#[test]
fn the_create_form_sets_operations_dates_and_tags() {
    let app = TestApp::unlocked();
    app.vault("form-kv");
    let input = json!({
        "name": "wrapper", "kty": "RSA", "size": 2048, "curve": null,
        "keyOps": ["wrapKey", "unwrapKey"], "enabled": true,
        "notBefore": "2020-01-01T00:00:00Z", "expires": "2099-12-31T23:00:00Z",
        "tags": { "team": "payments", "env": "test" },
    });
    let key = app.ok("create_key", json!({ "vault": "form-kv", "input": input }));
    assert_eq!(key["keyOps"], json!(["wrapKey", "unwrapKey"]), "the operations ticked in the form replace the type's defaults: {key}");
    assert_eq!(key["expires"], "2099-12-31T23:00:00Z", "the expiry is kept to the second: {key}");
    let details = app.ok("get_key", json!({ "vault": "form-kv", "name": "wrapper", "version": null }));
    assert_eq!(details["notBefore"], "2020-01-01T00:00:00Z", "the activation date is kept: {details}");
    assert_eq!(details["tags"], json!({ "team": "payments", "env": "test" }), "the tags are kept: {details}");
    let sign = json!({ "vault": "form-kv", "name": "wrapper", "algorithm": "RS256", "digest": STANDARD.encode([1u8; 32]) });
    assert_eq!(app.error_code("sign_digest", sign), "OperationNotAllowed", "a key made for wrapping only must refuse to sign");
}

#[test]
fn rotate_adds_a_current_version_and_a_disabled_version_refuses_to_sign() {
    let app = TestApp::unlocked();
    app.vault("rotate-kv");
    let first = app.ok("create_key", json!({ "vault": "rotate-kv", "input": rsa_input("k") }));
    // Creation times have whole seconds; wait so that "newest first" has a clear order.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let rotated = app.ok("rotate_key", json!({ "vault": "rotate-kv", "name": "k" }));
    assert_ne!(rotated["version"], first["version"], "a rotation makes a new version");
    assert_eq!(rotated["kty"], "RSA", "a rotation keeps the key type");

    let versions = app.ok("list_key_versions", json!({ "vault": "rotate-kv", "name": "k" }));
    let ids: Vec<&Value> = versions.as_array().expect("a list").iter().map(|v| &v["version"]).collect();
    assert_eq!(ids, [&rotated["version"], &first["version"]], "two versions, newest (the current one) first");
    let current = app.ok("get_key", json!({ "vault": "rotate-kv", "name": "k", "version": null }));
    assert_eq!(current["item"]["version"], rotated["version"], "the newest version is the current one");
    assert_eq!(current["size"], "RSA 2048", "the details name the size: {current}");
    let old = app.ok("get_key", json!({ "vault": "rotate-kv", "name": "k", "version": first["version"] }));
    assert_eq!(old["item"]["version"], first["version"], "an older version can still be read");
    let jwk: Value = serde_json::from_str(old["publicJwk"].as_str().expect("the JWK is a string")).expect("the JWK is JSON");
    assert!(jwk.get("d").is_none() && jwk["n"].is_string(), "the details show only the public half: {jwk}");

    let sign = json!({ "vault": "rotate-kv", "name": "k", "algorithm": "PS256", "digest": STANDARD.encode([2u8; 32]) });
    app.ok("sign_digest", sign.clone());
    let attributes = json!({ "enabled": false, "notBefore": null, "expires": "2099-01-01T00:00:00Z" });
    let updated =
        app.ok("update_key", json!({ "vault": "rotate-kv", "name": "k", "version": rotated["version"], "attributes": attributes }));
    assert_eq!(
        (updated["item"]["enabled"].as_bool(), updated["item"]["expires"].as_str()),
        (Some(false), Some("2099-01-01T00:00:00Z")),
        "{updated}"
    );
    let refused = app.invoke("sign_digest", sign).expect_err("the core refuses to sign with a disabled current version");
    assert_eq!((&refused["code"], &refused["innerCode"]), (&json!("Forbidden"), &json!("KeyDisabled")), "Key Vault's codes: {refused}");
    let bad = json!({ "enabled": true, "notBefore": "yesterday", "expires": null });
    assert_eq!(
        app.error_code("update_key", json!({ "vault": "rotate-kv", "name": "k", "version": first["version"], "attributes": bad })),
        "BadParameter"
    );
}

#[test]
fn the_saved_public_key_is_a_pem_openssl_reads_with_the_jwk_modulus() {
    let app = TestApp::unlocked();
    app.vault("pem-kv");
    app.ok("create_key", json!({ "vault": "pem-kv", "input": rsa_input("download") }));
    let dir = tempfile::tempdir().expect("a temp dir");
    let pem = dir.path().join("download.pem");
    let saved = app.ok("save_public_key", json!({ "vault": "pem-kv", "name": "download", "version": null, "path": pem.to_str() }));
    let written = std::fs::read_to_string(&pem).expect("the PEM was written");
    assert_eq!(saved["bytes"].as_u64(), Some(written.len() as u64), "the command reports the bytes it wrote: {saved}");
    assert!(written.starts_with("-----BEGIN PUBLIC KEY-----"), "a SubjectPublicKeyInfo PEM, as az keyvault key download writes");
    openssl_text(&["pkey", "-pubin", "-in", path(&pem), "-noout"], None);

    let details = app.ok("get_key", json!({ "vault": "pem-kv", "name": "download", "version": null }));
    let jwk: Value = serde_json::from_str(details["publicJwk"].as_str().expect("a JWK string")).expect("JSON");
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().expect("an RSA JWK has n")).expect("n is base64url");
    let modulus = openssl_text(&["rsa", "-pubin", "-in", path(&pem), "-noout", "-modulus"], None);
    assert_eq!(modulus.trim(), format!("Modulus={}", hex::encode_upper(&n)), "the file holds the key the details pane shows");
}

#[test]
fn encrypt_and_wrap_round_trip_and_an_openssl_ciphertext_decrypts() {
    let app = TestApp::unlocked();
    app.vault("crypto-kv");
    app.ok("create_key", json!({ "vault": "crypto-kv", "input": rsa_input("box") }));
    let run = |operation: &str, algorithm: &str, input: &str| {
        let args =
            json!({ "vault": "crypto-kv", "name": "box", "version": null, "operation": operation, "algorithm": algorithm, "input": input });
        app.ok("crypto_operation", args).as_str().expect("base64 output").to_string()
    };
    let plaintext = STANDARD.encode("Hello from Vaultmort");
    for algorithm in ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] {
        let ciphertext = run("encrypt", algorithm, &plaintext);
        assert_ne!(ciphertext, plaintext, "{algorithm} encrypts");
        assert_eq!(run("decrypt", algorithm, &ciphertext), plaintext, "{algorithm}: decrypt undoes encrypt");
        let symmetric = STANDARD.encode([0x5au8; 32]);
        let wrapped = run("wrapKey", algorithm, &symmetric);
        assert_eq!(run("unwrapKey", algorithm, &wrapped), symmetric, "{algorithm}: unwrap returns the wrapped bytes");
    }

    let dir = tempfile::tempdir().expect("a temp dir");
    let pem = dir.path().join("box.pem");
    app.ok("save_public_key", json!({ "vault": "crypto-kv", "name": "box", "version": null, "path": pem.to_str() }));
    let plain = dir.path().join("plain.txt");
    let encrypted = dir.path().join("cipher.bin");
    std::fs::write(&plain, "made by openssl").expect("write the plaintext");
    openssl_text(
        &[
            "pkeyutl",
            "-encrypt",
            "-pubin",
            "-inkey",
            path(&pem),
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-in",
            path(&plain),
            "-out",
            path(&encrypted),
        ],
        None,
    );
    let ciphertext = STANDARD.encode(std::fs::read(&encrypted).expect("openssl wrote the ciphertext"));
    assert_eq!(
        STANDARD.decode(run("decrypt", "RSA-OAEP", &ciphertext)).expect("base64"),
        b"made by openssl",
        "OAEP with SHA-1 (openssl's default) is Key Vault's RSA-OAEP, so the vault decrypts openssl's ciphertext"
    );
    let args =
        json!({ "vault": "crypto-kv", "name": "box", "version": null, "operation": "decrypt", "algorithm": "RSA-OAEP", "input": "%%" });
    assert_eq!(app.error_code("crypto_operation", args), "BadParameter", "input that is not base64 is refused");
}

#[test]
fn ec_keys_sign_but_do_not_encrypt() {
    let app = TestApp::unlocked();
    app.vault("ec-kv");
    let input = json!({ "name": "ec", "kty": "EC", "size": null, "curve": "P-256", "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null });
    app.ok("create_key", json!({ "vault": "ec-kv", "input": input }));
    let args = json!({ "vault": "ec-kv", "name": "ec", "version": null, "operation": "encrypt", "algorithm": "RSA-OAEP", "input": STANDARD.encode("x") });
    let code = app.error_code("crypto_operation", args);
    assert!(
        ["BadParameter", "OperationNotAllowed"].contains(&code.as_str()),
        "an EC key cannot encrypt, which the try-it panel says: {code}"
    );
}

/// The create form's input for an RSA 2048 key with the type's defaults.
pub fn rsa_input(name: &str) -> Value {
    json!({ "name": name, "kty": "RSA", "size": 2048, "curve": null, "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null })
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

#[test]
fn the_key_catalog_offers_what_create_and_sign_accept() {
    let app = TestApp::unlocked();
    app.vault("catalog-kv");
    let catalog = app.ok("key_catalog", json!({}));
    let available: Vec<&Value> =
        catalog["keyTypes"].as_array().expect("key types").iter().filter(|t| t["shapes"]["available"] == true).collect();
    let kinds: Vec<_> = available.iter().map(|t| t["shapes"]["kty"].clone()).collect();
    assert_eq!(kinds, [json!("RSA"), json!("EC"), json!("RSA-HSM"), json!("EC-HSM")], "software and HSM types are offered: {catalog}");
    let premium_only: Vec<_> = available.iter().map(|t| t["shapes"]["premiumVaultOnly"].clone()).collect();
    assert_eq!(
        premium_only,
        [json!(false), json!(false), json!(true), json!(true)],
        "the wizard offers HSM protection in premium vaults only"
    );
    let rsa = available[0];
    assert_eq!(rsa["shapes"]["sizes"], json!([2048, 3072, 4096]), "{rsa}");
    assert_eq!(rsa["shapes"]["defaultSize"], 2048, "the form's default size: {rsa}");
    assert_eq!(rsa["encryptionAlgorithms"], json!(["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]), "{rsa}");
    let ec = available[1];
    assert_eq!(ec["shapes"]["defaultCurve"], "P-256", "the form's default curve: {ec}");
    assert_eq!(ec["encryptionAlgorithms"], json!([]), "EC keys do not encrypt: {ec}");
    let hsm = available[2];
    assert_eq!(hsm["shapes"]["sizes"], rsa["shapes"]["sizes"], "RSA-HSM keys come in the sizes of RSA keys: {hsm}");
    assert!(hsm["operations"].as_array().is_some_and(|ops| ops.contains(&json!("import"))), "a KEK's one operation is offered: {hsm}");
    let certificate_kinds: Vec<_> =
        catalog["certificateKeyTypes"].as_array().expect("certificate key types").iter().map(|t| t["kty"].clone()).collect();
    assert_eq!(certificate_kinds, [json!("RSA"), json!("EC"), json!("RSA-HSM"), json!("EC-HSM")], "{catalog}");

    // An EC key per curve signs with exactly the algorithms offered for its curve, over the digest offered.
    for curve in ec["shapes"]["curves"].as_array().expect("curves") {
        let name = format!("ec-{}", curve.as_str().unwrap_or_default().to_ascii_lowercase());
        let input = json!({ "name": name, "kty": "EC", "size": null, "curve": curve, "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null });
        let key = app.ok("create_key", json!({ "vault": "catalog-kv", "input": input }));
        assert_eq!(&key["curve"], curve, "the listed key carries its curve, for the try-it panel: {key}");
        for offer in ec["signatureAlgorithms"].as_array().expect("algorithms").iter().filter(|o| &o["curve"] == curve) {
            let length = match offer["digest"].as_str() {
                Some("SHA-256") => 32,
                Some("SHA-384") => 48,
                Some("SHA-512") => 64,
                other => panic!("an unexpected digest {other:?}"),
            };
            let digest = STANDARD.encode(vec![5u8; length]);
            let signed =
                app.invoke("sign_digest", json!({ "vault": "catalog-kv", "name": name, "algorithm": offer["name"], "digest": digest }));
            assert!(signed.is_ok(), "{name} signs with offered {offer}: {signed:?}");
        }
    }
}

/// `import_key`'s input: `data` is the file's bytes, base64-encoded as the page sends them.
fn import_input(name: &str, format: &str, data: &[u8], password: Option<&str>, protection: &str) -> Value {
    json!({ "name": name, "format": format, "data": STANDARD.encode(data), "password": password, "protection": protection, "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null })
}

/// Signs with `name` and has openssl check the signature under `public_pem`.
fn assert_signature_fits(app: &TestApp, vault: &str, name: &str, algorithm: &str, public_pem: &[u8]) {
    // The digest is as long as the algorithm's hash: 32 bytes for *256, 48 for *384.
    let digest = if algorithm.ends_with("384") { vec![3u8; 48] } else { vec![3u8; 32] };
    let signed = app.ok("sign_digest", json!({ "vault": vault, "name": name, "algorithm": algorithm, "digest": STANDARD.encode(&digest) }));
    let signature = STANDARD.decode(signed.as_str().expect("base64 text")).expect("base64");
    verify_signature(public_pem, algorithm, &digest, &signature)
        .unwrap_or_else(|refused| panic!("openssl must accept {name}'s {algorithm} signature under the original public key: {refused:?}"));
}

#[test]
fn the_import_wizard_takes_a_jwk_a_pem_and_an_encrypted_pem() {
    let app = TestApp::unlocked();
    app.vault("import-kv");

    let ec = OpensslKey::ec("P-256");
    let jwk = serde_json::to_vec(&ec.jwk).expect("JSON");
    let imported = app.ok("import_key", json!({ "vault": "import-kv", "input": import_input("from-jwk", "jwk", &jwk, None, "software") }));
    assert_eq!((imported["kty"].as_str(), imported["curve"].as_str()), (Some("EC"), Some("P-256")), "{imported}");
    assert_signature_fits(&app, "import-kv", "from-jwk", "ES256", &ec.public_pem());

    let rsa = OpensslKey::rsa(2048);
    let imported =
        app.ok("import_key", json!({ "vault": "import-kv", "input": import_input("from-pem", "pem", &rsa.pem, None, "software") }));
    assert_eq!(imported["kty"], "RSA", "{imported}");
    assert_signature_fits(&app, "import-kv", "from-pem", "PS256", &rsa.public_pem());

    let encrypted = openssl_ok(&["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:Pem-Pass-9"], Some(&rsa.pem));
    let import = |password: Option<&str>| {
        app.invoke(
            "import_key",
            json!({ "vault": "import-kv", "input": import_input("from-encrypted", "pem", &encrypted, password, "software") }),
        )
    };
    assert_eq!(import(None).expect_err("no password")["code"], "WrongPassword", "an encrypted PEM needs its password");
    assert_eq!(import(Some("wrong")).expect_err("a wrong password")["code"], "WrongPassword");
    assert_eq!(import(Some("Pem-Pass-9")).expect("the right password opens it")["kty"], "RSA");
    assert_signature_fits(&app, "import-kv", "from-encrypted", "RS256", &rsa.public_pem());

    let traditional = openssl_ok(&["pkey", "-traditional"], Some(&rsa.pem));
    let refused =
        app.invoke("import_key", json!({ "vault": "import-kv", "input": import_input("old", "pem", &traditional, None, "software") }));
    assert_eq!(refused.expect_err("not PKCS#8")["code"], "UnsupportedFormat", "Key Vault takes PKCS#8 PEM keys only");
    let garbage =
        app.invoke("import_key", json!({ "vault": "import-kv", "input": import_input("odd", "jwk", b"{\"kty\":", None, "software") }));
    assert_eq!(garbage.expect_err("not JSON")["code"], "BadParameter", "a broken JWK is a bad parameter");
    let hsm = app.invoke("import_key", json!({ "vault": "import-kv", "input": import_input("odd", "pem", &rsa.pem, None, "hsm") }));
    assert_eq!(hsm.expect_err("a standard vault")["code"], "BadParameter", "a standard vault takes no HSM key, imported or not");
}

#[test]
fn the_import_wizard_puts_a_pem_key_into_the_hsm_of_a_premium_vault() {
    let app = TestApp::unlocked();
    app.premium_vault("import-hsm-kv");
    let ec = OpensslKey::ec("P-384");
    let imported = app.ok("import_key", json!({ "vault": "import-hsm-kv", "input": import_input("onprem", "pem", &ec.pem, None, "hsm") }));
    assert_eq!((imported["kty"].as_str(), imported["curve"].as_str()), (Some("EC-HSM"), Some("P-384")), "{imported}");
    assert_signature_fits(&app, "import-hsm-kv", "onprem", "ES384", &ec.public_pem());
    let status = app.ok("hsm_status", json!({}));
    let objects = status["token"]["objects"].as_array().expect("a list");
    assert!(
        objects.iter().any(|o| o["role"] == "vault key" && o["keyType"] == "EC" && o["sensitive"] == true && o["extractable"] == false),
        "the imported key is a sensitive, non-extractable token object: {status}"
    );
}
