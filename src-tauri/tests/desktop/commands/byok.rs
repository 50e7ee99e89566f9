//! `byok_default_folder`, `byok_wrap`, and `import_key` with a `.byok` file: the BYOK wizard's
//! four steps through IPC, with the real `vaultmort` CLI as the vendor tool in a child process
//! and openssl checking the imported key's signatures against the target's public key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use vaultmort_test_support::openssl::{OpensslKey, openssl_ok, verify_signature};

use super::hsm::hsm_input;
use crate::support::TestApp;

/// Steps 1 and 2: a KEK (RSA-HSM, `import` only) in premium vault `vault`, its public key saved.
fn kek(app: &TestApp, vault: &str) -> Value {
    app.premium_vault(vault);
    let kek = app.ok("create_key", json!({ "vault": vault, "input": hsm_input("kek", "RSA", Some(&["import"])) }));
    assert_eq!((kek["kty"].as_str(), &kek["keyOps"]), (Some("RSA-HSM"), &json!(["import"])), "a key-exchange key: {kek}");
    kek
}

/// Step 3's input.
fn wrap_input(app: &TestApp, target: &str, size: Option<u32>, pem: Option<&[u8]>) -> Value {
    json!({
        "targetName": target,
        "targetSize": size,
        "targetKey": pem.map(|p| STANDARD.encode(p)),
        "targetPassword": null,
        "folder": app.home.scratch("byok").to_str().expect("UTF-8 path"),
    })
}

/// Step 4: imports the transfer as key `name`.
fn import_transfer(app: &TestApp, vault: &str, name: &str, transfer: &str) -> Result<Value, Value> {
    let input = json!({ "name": name, "format": "byok", "data": transfer, "password": null, "protection": "hsm", "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null });
    app.invoke("import_key", json!({ "vault": vault, "input": input }))
}

/// Signs a digest with `name` and has openssl check it against `public_pem`.
fn assert_signs_for(app: &TestApp, vault: &str, name: &str, public_pem: &[u8]) {
    let digest = [5u8; 32];
    let signature = app.ok("sign_digest", json!({ "vault": vault, "name": name, "algorithm": "RS256", "digest": STANDARD.encode(digest) }));
    let signature = STANDARD.decode(signature.as_str().expect("base64 text")).expect("a base64 signature");
    verify_signature(public_pem, "RS256", &digest, &signature)
        .expect("openssl accepts the vault's signature under the target key's own public key: the key arrived whole");
}

#[test]
fn the_byok_wizard_brings_a_key_generated_in_the_vendor_hsm() {
    let app = TestApp::unlocked();
    let kek = kek(&app, "byok-kv");
    let folder = app.ok("byok_default_folder", json!({}));
    assert_eq!(folder, app.home.home_dir().join("byok").to_str().expect("UTF-8 path"), "the suggested folder is in the home");

    let wrapped = app.ok("byok_wrap", json!({ "vault": "byok-kv", "kek": "kek", "input": wrap_input(&app, "brought", Some(2048), None) }));
    assert_eq!(wrapped["kekKid"], kek["kid"], "the file is made for the KEK's current version: {wrapped}");
    assert_eq!(wrapped["targetKey"], "an RSA 2048 key", "{wrapped}");
    for file in ["byokFile", "publicKeyFile", "kekFile"] {
        let path = wrapped[file].as_str().unwrap_or_default();
        assert!(std::path::Path::new(path).is_file(), "the wizard shows where {file} went, and it is there: {wrapped}");
    }
    let transfer = STANDARD.decode(wrapped["transfer"].as_str().expect("base64 text")).expect("base64");
    assert_eq!(transfer, std::fs::read(wrapped["byokFile"].as_str().expect("a path")).expect("readable"), "the bytes are the file's");
    let blob: Value = serde_json::from_slice(&transfer).expect("a .byok file is JSON");
    assert_eq!(
        (&blob["header"]["kid"], blob["header"]["enc"].as_str()),
        (&kek["kid"], Some("CKM_RSA_AES_KEY_WRAP")),
        "the vendor tools' header: {blob}"
    );

    // A second run never overwrites the first one's files.
    let again = app.ok("byok_wrap", json!({ "vault": "byok-kv", "kek": "kek", "input": wrap_input(&app, "brought", Some(2048), None) }));
    assert_ne!(again["byokFile"], wrapped["byokFile"], "a new file name: {again}");

    let imported = import_transfer(&app, "byok-kv", "brought", wrapped["transfer"].as_str().expect("base64")).expect("the import succeeds");
    assert_eq!(imported["kty"], "RSA-HSM", "a transferred key lands in the HSM: {imported}");
    let public = std::fs::read(wrapped["publicKeyFile"].as_str().expect("a path")).expect("the target's public key");
    assert_signs_for(&app, "byok-kv", "brought", &public);

    let status = app.ok("hsm_status", json!({}));
    let objects = status["token"]["objects"].as_array().expect("a list");
    assert_eq!(objects.iter().filter(|o| o["role"] == "vault key").count(), 2, "the KEK and the brought key are token objects: {status}");
    assert!(
        objects.iter().filter(|o| o["role"] == "vault key").all(|o| o["sensitive"] == true && o["extractable"] == false),
        "the transferred key is as locked in as a generated one: {status}"
    );
}

#[test]
fn the_byok_wizard_brings_an_existing_pem_key_and_refuses_a_changed_file() {
    let app = TestApp::unlocked();
    kek(&app, "pem-kv");
    let target = OpensslKey::rsa(2048);
    // Encrypted, as keys often travel; the wizard sends the password beside the file.
    let encrypted = openssl_ok(&["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:Target-Pass-1"], Some(&target.pem));
    let mut input = wrap_input(&app, "onprem", None, Some(&encrypted));
    let refused = app.invoke("byok_wrap", json!({ "vault": "pem-kv", "kek": "kek", "input": input.clone() })).expect_err("no password");
    assert_eq!(refused["code"], "WrongPassword", "an encrypted key needs its password: {refused}");
    input["targetPassword"] = json!("Target-Pass-1");
    let wrapped = app.ok("byok_wrap", json!({ "vault": "pem-kv", "kek": "kek", "input": input }));
    let leftovers: Vec<_> = std::fs::read_dir(app.home.home_dir())
        .expect("the home is a folder")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(".byok-target-"))
        .collect();
    assert!(leftovers.is_empty(), "the target key's temporary file is gone once the vendor tool has run: {leftovers:?}");
    assert_eq!(wrapped["targetKey"], "an RSA 2048 key", "{wrapped}");
    assert_eq!(
        std::fs::read(wrapped["publicKeyFile"].as_str().expect("a path")).expect("written"),
        target.public_pem(),
        "the public key written is the PEM key's own"
    );

    let transfer = STANDARD.decode(wrapped["transfer"].as_str().expect("base64")).expect("base64");
    let mut blob: Value = serde_json::from_slice(&transfer).expect("JSON");
    let ciphertext = blob["ciphertext"].as_str().expect("text").to_string();
    let flipped = if ciphertext.ends_with('A') { "B" } else { "A" };
    blob["ciphertext"] = json!(format!("{}{flipped}", &ciphertext[..ciphertext.len() - 1]));
    let changed = STANDARD.encode(serde_json::to_vec(&blob).expect("JSON"));
    let refused = import_transfer(&app, "pem-kv", "onprem", &changed).expect_err("a changed transfer file");
    assert_eq!(refused["code"], "BadParameter", "a changed file does not unwrap: {refused}");
    assert_eq!(app.ok("list_keys", json!({ "vault": "pem-kv" })).as_array().map(Vec::len), Some(1), "only the KEK is stored");

    let software = json!({ "name": "onprem", "format": "byok", "data": wrapped["transfer"], "password": null, "protection": "software", "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null });
    assert_eq!(
        app.error_code("import_key", json!({ "vault": "pem-kv", "input": software })),
        "BadParameter",
        "a transfer always lands in the HSM"
    );

    import_transfer(&app, "pem-kv", "onprem", wrapped["transfer"].as_str().expect("base64")).expect("the unchanged file imports");
    assert_signs_for(&app, "pem-kv", "onprem", &target.public_pem());
}

#[test]
fn the_vendor_step_says_what_went_wrong() {
    let missing = TestApp::with_state(|state| state.with_vendor_program("/nonexistent/vaultmort"));
    missing.unlock();
    let input = json!({ "vault": "any-kv", "kek": "kek", "input": wrap_input(&missing, "t", Some(2048), None) });
    let refused = missing.invoke("byok_wrap", input).expect_err("no CLI there");
    assert_eq!(refused["code"], "VendorToolMissing", "{refused}");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("/nonexistent/vaultmort")), "it names where it looked: {refused}");

    let app = TestApp::unlocked();
    kek(&app, "err-kv");
    // An EC key as the KEK: the CLI refuses it, and its code and message come through.
    let ec = json!({ "name": "ec", "kty": "EC", "size": null, "curve": "P-256", "keyOps": null, "enabled": null, "notBefore": null, "expires": null, "tags": null });
    app.ok("create_key", json!({ "vault": "err-kv", "input": ec }));
    let input = json!({ "vault": "err-kv", "kek": "ec", "input": wrap_input(&app, "t", Some(2048), None) });
    let refused = app.invoke("byok_wrap", input).expect_err("an EC key is no KEK");
    assert_eq!(refused["code"], "BadParameter", "the CLI's own code: {refused}");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("EC public key")), "and its message: {refused}");
    // A traditional (not PKCS#8) target key is refused before the vendor tool runs.
    let traditional = b"-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAL\n-----END RSA PRIVATE KEY-----\n";
    let input = json!({ "vault": "err-kv", "kek": "kek", "input": wrap_input(&app, "old", None, Some(traditional)) });
    let refused = app.invoke("byok_wrap", input).expect_err("a traditional key");
    assert_eq!(refused["code"], "UnsupportedFormat", "Key Vault takes PKCS#8 keys: {refused}");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("pkcs8")), "and says how to convert: {refused}");
    let relative = json!({ "vault": "err-kv", "kek": "kek", "input": { "targetName": "t", "targetSize": 2048, "folder": "relative/dir" } });
    assert_eq!(app.error_code("byok_wrap", relative), "BadParameter", "the folder must be absolute");
    let folder = app.home.scratch("byok");
    let listing =
        || std::fs::read_dir(&folder).map(|entries| entries.filter_map(Result::ok).map(|e| e.file_name()).collect::<Vec<_>>()).ok();
    let before = listing();
    let no_target = json!({ "vault": "err-kv", "kek": "kek", "input": wrap_input(&app, "none", None, None) });
    assert_eq!(app.error_code("byok_wrap", no_target), "BadParameter", "a target key is needed");
    assert_eq!(listing(), before, "a refusal writes nothing, not even the KEK's public key");
}

#[test]
fn a_vendor_tool_that_hangs_fails_or_answers_garbage_is_reported_not_waited_for() {
    use std::os::unix::fs::PermissionsExt;
    // One stand-in tool whose behaviour a file beside it picks: one process holds one home's
    // practice token, so the three cases share one app.
    let dir = tempfile::tempdir().expect("a folder for the stand-in tool");
    let mode = dir.path().join("mode");
    let tool = dir.path().join("vaultmort");
    let body = format!(
        "#!/bin/sh\ncase \"$(cat '{}')\" in\n  hang) exec sleep 60 ;;\n  fail) echo 'ERROR: (Forbidden: ForbiddenByPolicy) the vendor says no' >&2; exit 3 ;;\n  *) echo 'not json' ;;\nesac\n",
        mode.display()
    );
    std::fs::write(&tool, body).expect("the stand-in tool is written");
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).expect("it is executable");
    let app = TestApp::with_state(|state| state.with_vendor_program(&tool).with_vendor_timeout(std::time::Duration::from_secs(2)));
    app.unlock();
    kek(&app, "tool-kv");
    for (case, code, inner) in
        [("hang", "VendorToolTimeout", None), ("fail", "Forbidden", Some("ForbiddenByPolicy")), ("garbage", "VendorToolFailed", None)]
    {
        std::fs::write(&mode, case).expect("the mode file is written");
        let started = std::time::Instant::now();
        let input = json!({ "vault": "tool-kv", "kek": "kek", "input": wrap_input(&app, "t", Some(2048), None) });
        let refused = app.invoke("byok_wrap", input).expect_err("the stand-in tool never makes a file");
        assert_eq!((refused["code"].as_str(), refused["innerCode"].as_str()), (Some(code), inner), "{case}: {refused}");
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{case}: the tool is not waited for past the timeout");
    }
}
