//! HSM-protected keys through the CLI (issue 13): `key create --protection hsm` and the -HSM key
//! types in a Premium vault, their refusal in a Standard one, `hsm show` and `hsm configure`.
//! Signatures made in the token are checked by openssl against `key download --encoding PEM`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use vaultmort_test_support::openssl::{digest, signature_digest, verify_signature};

use crate::support::{TestHome, b64, unb64};

/// The Premium vault of these tests.
pub const PREMIUM: &str = "hsm-premium";
/// The Standard vault of these tests.
pub const STANDARD: &str = "hsm-standard";

/// A home with a Premium vault [`PREMIUM`] and a Standard vault [`STANDARD`].
pub fn premium_home() -> TestHome {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let premium = home.ok(&["keyvault", "create", "--name", PREMIUM, "--resource-group", "rg", "--sku", "premium"]);
    assert_eq!(premium["properties"]["sku"]["name"], "premium", "keyvault create --sku premium makes a Premium vault: {premium}");
    let standard = home.ok(&["keyvault", "create", "--name", STANDARD, "--resource-group", "rg"]);
    assert_eq!(standard["properties"]["sku"]["name"], "standard", "the default SKU is standard: {standard}");
    home
}

/// The key names of `vault`, sorted.
pub fn key_names(home: &TestHome, vault: &str) -> Vec<String> {
    let listed = home.ok(&["keyvault", "key", "list", "--vault-name", vault]);
    let mut names: Vec<String> = listed
        .as_array()
        .expect("key list prints an array")
        .iter()
        .map(|k| k["name"].as_str().expect("a listed key has a name").to_string())
        .collect();
    names.sort();
    names
}

/// The public key of `vault`/`name` as `key download --encoding PEM` writes it.
pub fn download_pem(home: &TestHome, vault: &str, name: &str) -> Vec<u8> {
    let file = home.scratch(&format!("{vault}-{name}-{}.pem", rand_suffix()));
    home.ok(&["keyvault", "key", "download", "--vault-name", vault, "--name", name, "--encoding", "PEM", "--file", path(&file)]);
    std::fs::read(&file).expect("key download wrote the PEM file")
}

/// A suffix that keeps scratch file names apart within one test.
fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// A path as a command-line argument.
pub fn path(file: &Path) -> &str {
    file.to_str().expect("scratch paths are UTF-8")
}

/// Signs `message` with `vault`/`name` through the CLI and has openssl verify the signature
/// against `public_pem`; returns openssl's verdict.
pub fn vault_signature_verifies(home: &TestHome, vault: &str, name: &str, algorithm: &str, public_pem: &[u8], message: &[u8]) -> bool {
    let hashed = digest(signature_digest(algorithm), message);
    let signed =
        home.ok(&["keyvault", "key", "sign", "--vault-name", vault, "--name", name, "--algorithm", algorithm, "--digest", &b64(&hashed)]);
    let signature = unb64(signed["signature"].as_str().expect("sign prints the signature"));
    verify_signature(public_pem, algorithm, &hashed, &signature).is_ok()
}

/// `hsm show` as JSON.
pub fn hsm_show(home: &TestHome) -> Value {
    home.ok(&["hsm", "show"])
}

/// The vault key objects `hsm show` lists.
pub fn vault_key_objects(home: &TestHome) -> Vec<Value> {
    hsm_show(home)["objects"].as_array().expect("hsm show lists objects").iter().filter(|o| o["role"] == "vault key").cloned().collect()
}

#[test]
fn hsm_keys_in_a_premium_vault_sign_in_the_token_and_openssl_verifies_them() {
    let home = premium_home();
    let rsa =
        home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "rsa-hsm", "--protection", "hsm", "--size", "3072"]);
    assert_eq!(rsa["key"]["kty"], "RSA-HSM", "--protection hsm turns RSA into RSA-HSM: {rsa}");
    assert_eq!(unb64_url_len(&rsa["key"]["n"]), 384, "a 3072-bit modulus is 384 bytes: {rsa}");
    let ec = home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "ec-hsm", "--kty", "EC-HSM", "--curve", "P-384"]);
    assert_eq!(ec["key"]["kty"], "EC-HSM", "--kty EC-HSM is kept: {ec}");
    assert_eq!(ec["key"]["crv"], "P-384", "{ec}");
    let ec_protected =
        home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "ec-protected", "--kty", "EC", "--protection", "hsm"]);
    assert_eq!(ec_protected["key"]["kty"], "EC-HSM", "--protection hsm turns EC into EC-HSM: {ec_protected}");

    let message = b"signed inside the practice HSM";
    for (name, algorithm) in [("rsa-hsm", "RS256"), ("rsa-hsm", "PS384"), ("ec-hsm", "ES384"), ("ec-protected", "ES256")] {
        let public = download_pem(&home, PREMIUM, name);
        assert!(
            vault_signature_verifies(&home, PREMIUM, name, algorithm, &public, message),
            "openssl verifies the {algorithm} signature of {name}"
        );
        let other = download_pem(&home, PREMIUM, if name == "rsa-hsm" { "ec-hsm" } else { "rsa-hsm" });
        assert!(
            !vault_signature_verifies(&home, PREMIUM, name, algorithm, &other, message),
            "the referee must refuse another key's public key"
        );
    }
    let listed = home.ok(&["keyvault", "key", "show", "--vault-name", PREMIUM, "--name", "rsa-hsm"]);
    assert_eq!(listed["attributes"]["exportable"], false, "an HSM key is not exportable: {listed}");
}

fn unb64_url_len(value: &Value) -> usize {
    crate::support::unb64url(value.as_str().expect("a JWK member is base64url")).len()
}

#[test]
fn a_standard_vault_refuses_hsm_keys_with_azures_message_until_it_is_premium() {
    let home = premium_home();
    for args in [["--kty", "RSA-HSM"], ["--kty", "EC-HSM"], ["--protection", "hsm"]] {
        let mut command = vec!["keyvault", "key", "create", "--vault-name", STANDARD, "--name", "refused"];
        command.extend(args);
        let failure = home.fails(&command);
        assert_eq!(failure.code, "BadParameter", "{args:?} in a Standard vault: {}", failure.stderr);
        assert!(
            failure.stderr.contains("Hardware key operation not allowed on standard vault."),
            "Azure's words for the refusal: {}",
            failure.stderr
        );
    }
    assert!(key_names(&home, STANDARD).is_empty(), "a refused HSM key leaves nothing in the vault");
    assert_eq!(hsm_show(&home)["mode"], "not set up", "a refused HSM key does not even make the practice token");

    let contradiction =
        home.fails(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "x", "--kty", "RSA-HSM", "--protection", "software"]);
    assert_eq!(contradiction.code, "BadParameter", "an HSM type cannot be software-protected: {}", contradiction.stderr);
    let unknown = home.fails(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "x", "--protection", "cloud"]);
    assert_eq!(unknown.code, "BadParameter", "{}", unknown.stderr);

    let updated = home.ok(&["keyvault", "update", "--name", STANDARD, "--sku", "premium"]);
    assert_eq!(updated["properties"]["sku"]["name"], "premium", "keyvault update --sku premium: {updated}");
    let made = home.ok(&["keyvault", "key", "create", "--vault-name", STANDARD, "--name", "now-allowed", "--protection", "hsm"]);
    assert_eq!(made["key"]["kty"], "RSA-HSM", "the vault takes HSM keys once it is Premium: {made}");
}

#[test]
fn hsm_show_lists_the_practice_token_and_its_non_extractable_key_objects() {
    let home = premium_home();
    let before = hsm_show(&home);
    assert_eq!(before["mode"], "not set up", "no HSM key yet, so no token: {before}");
    assert_eq!(before["objects"], Value::Array(vec![]), "{before}");

    home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "one", "--kty", "RSA-HSM"]);
    home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "two", "--kty", "EC-HSM"]);
    home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "soft", "--kty", "RSA"]);
    let shown = hsm_show(&home);
    assert_eq!(shown["mode"], "practice", "the first HSM key made Vaultmort's own token: {shown}");
    assert!(shown["label"].as_str().is_some_and(|l| l.starts_with("vaultmort")), "the practice token's label: {shown}");
    assert!(shown["module"].as_str().is_some_and(|m| m.ends_with("libsofthsm2.so")), "SoftHSM2 is the practice module: {shown}");
    assert!(shown["serial"].as_str().is_some_and(|s| !s.is_empty()), "{shown}");
    assert!(shown["slot"].is_u64(), "{shown}");
    assert_eq!(shown["pinState"], "ok", "{shown}");
    let mechanisms: Vec<&str> = shown["mechanisms"].as_array().expect("mechanisms").iter().filter_map(Value::as_str).collect();
    for needed in ["CKM_RSA_PKCS_OAEP", "CKM_ECDSA", "CKM_AES_KEY_WRAP_PAD"] {
        assert!(mechanisms.contains(&needed), "the token offers {needed}: {mechanisms:?}");
    }
    let keys = vault_key_objects(&home);
    assert_eq!(keys.len(), 2, "one token object per HSM key, none for the software key: {shown}");
    let mut types: Vec<&str> = keys.iter().map(|k| k["keyType"].as_str().expect("keyType")).collect();
    types.sort();
    assert_eq!(types, ["EC", "RSA"], "{shown}");
    for key in &keys {
        assert_eq!(key["class"], "private key", "{key}");
        assert_eq!(key["sensitive"], true, "a vault key is CKA_SENSITIVE: {key}");
        assert_eq!(key["extractable"], false, "a vault key is not CKA_EXTRACTABLE: {key}");
    }

    let table = home.run(&["hsm", "show", "-o", "table"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("practice") && table.contains("PinState"), "-o table shows the token's summary: {table}");
    let objects = home.run(&["hsm", "show", "--query", "objects", "-o", "table"]);
    let objects = String::from_utf8_lossy(&objects.stdout);
    assert_eq!(objects.matches("vault key").count(), 2, "--query objects -o table lists the key objects: {objects}");
}

/// A SoftHSM2 token of its own in `dir`, made with `softhsm2-util` (not Vaultmort), for
/// `hsm configure`; returns the configuration file to point SOFTHSM2_CONF at.
fn foreign_softhsm(dir: &Path, label: &str, pin: &str) -> std::path::PathBuf {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).expect("the token folder is made");
    let conf = dir.join("softhsm2.conf");
    std::fs::write(&conf, format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display()))
        .expect("the SoftHSM configuration is written");
    let out = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args(["--init-token", "--free", "--label", label, "--so-pin", "5678", "--pin", pin])
        .output()
        .expect("softhsm2-util runs (Debian package softhsm2)");
    assert!(out.status.success(), "softhsm2-util made the token: {}", String::from_utf8_lossy(&out.stderr));
    conf
}

#[test]
fn hsm_configure_checks_the_token_before_it_replaces_the_practice_hsm() {
    let mut home = premium_home();
    let conf = foreign_softhsm(&home.scratch("other-hsm"), "team-hsm", "24681357");
    home.env.push(("SOFTHSM2_CONF".into(), path(&conf).into()));
    let module = "/usr/lib/softhsm/libsofthsm2.so";

    let wrong = home.fails(&["hsm", "configure", "--module", module, "--token-label", "team-hsm", "--pin", "00000000"]);
    assert_eq!(wrong.code, "HsmUnavailable", "a wrong PIN is refused: {}", wrong.stderr);
    assert!(wrong.stderr.contains("PIN"), "the message says the PIN is wrong: {}", wrong.stderr);
    let missing = home.fails(&["hsm", "configure", "--module", module, "--token-label", "no-such-token", "--pin", "24681357"]);
    assert_eq!(missing.code, "HsmUnavailable", "an unknown token is refused: {}", missing.stderr);
    let no_module = home.fails(&["hsm", "configure", "--module", "/nonexistent/libpkcs11.so", "--slot", "0", "--pin", "1"]);
    assert_eq!(no_module.code, "HsmUnavailable", "a missing module is refused: {}", no_module.stderr);
    assert_eq!(hsm_show(&home)["mode"], "not set up", "refused configurations change nothing");
    let usage = home.run(&["hsm", "configure", "--module", module, "--pin", "24681357"]);
    assert_eq!(usage.status.code(), Some(2), "a token must be named (--token-label or --slot)");

    // The PIN from the environment, so that it need not be on the command line.
    let mut command = home.command();
    command.args(["hsm", "configure", "--module", module, "--token-label", "team-hsm"]).env("VAULTMORT_HSM_PIN", "24681357");
    let out = command.output().expect("the vaultmort binary runs");
    assert!(out.status.success(), "hsm configure with VAULTMORT_HSM_PIN: {}", String::from_utf8_lossy(&out.stderr));
    let configured: Value = serde_json::from_slice(&out.stdout).expect("hsm configure prints JSON");
    assert_eq!(configured["mode"], "module", "{configured}");
    assert_eq!(configured["label"], "team-hsm", "{configured}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("24681357"), "the PIN is never printed");

    home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "in-team-hsm", "--kty", "RSA-HSM"]);
    let shown = hsm_show(&home);
    assert_eq!(shown["label"], "team-hsm", "later commands use the configured token: {shown}");
    assert_eq!(vault_key_objects(&home).len(), 1, "the new key is an object of the configured token: {shown}");
    let public = download_pem(&home, PREMIUM, "in-team-hsm");
    assert!(vault_signature_verifies(&home, PREMIUM, "in-team-hsm", "RS256", &public, b"team"), "the configured token signs");
    assert!(!home.home_dir().join("hsm").exists(), "no practice token was made beside the configured one");
}

#[test]
fn an_hsm_key_backup_restores_into_its_own_token_and_is_refused_by_another_homes() {
    let home = premium_home();
    home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "kept", "--kty", "EC-HSM", "--curve", "P-256"]);
    let public = download_pem(&home, PREMIUM, "kept");
    let backup = home.scratch("kept.backup");
    home.ok(&["keyvault", "key", "backup", "--vault-name", PREMIUM, "--name", "kept", "--file", path(&backup)]);
    home.ok(&["keyvault", "key", "delete", "--vault-name", PREMIUM, "--name", "kept"]);
    home.ok(&["keyvault", "key", "purge", "--vault-name", PREMIUM, "--name", "kept"]);
    assert!(vault_key_objects(&home).is_empty(), "purge destroys the token object: {}", hsm_show(&home));

    let restored = home.ok(&["keyvault", "key", "restore", "--vault-name", PREMIUM, "--file", path(&backup)]);
    assert_eq!(restored["key"]["kty"], "EC-HSM", "{restored}");
    assert_eq!(vault_key_objects(&home).len(), 1, "the restore unwrapped the key into a new token object");
    assert_eq!(download_pem(&home, PREMIUM, "kept"), public, "the same key came back");
    assert!(vault_signature_verifies(&home, PREMIUM, "kept", "ES256", &public, b"restored"), "and it signs as before");

    // Another home has another token, whose backup key cannot unwrap this one's keys.
    let other = premium_home();
    other.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "own", "--kty", "RSA-HSM"]);
    let refused = other.fails(&["keyvault", "key", "restore", "--vault-name", PREMIUM, "--file", path(&backup)]);
    assert_eq!(refused.code, "BadParameter", "a backup of another HSM's key: {}", refused.stderr);
    assert_eq!(key_names(&other, PREMIUM), ["own"], "the refused restore stores nothing");
    assert_eq!(vault_key_objects(&other).len(), 1, "and leaves no token object");
}

#[test]
fn a_certificate_with_an_hsm_key_is_signed_in_the_token_and_never_leaves_as_pfx() {
    let home = premium_home();
    let mut policy = home.ok(&["keyvault", "certificate", "get-default-policy"]);
    policy["keyProperties"]["keyType"] = "RSA-HSM".into();
    policy["keyProperties"]["exportable"] = false.into();
    policy["x509CertificateProperties"]["subject"] = "CN=hsm.example".into();
    let policy_file = home.scratch("hsm-policy.json");
    std::fs::write(&policy_file, policy.to_string()).expect("the policy is written");
    let policy_arg = format!("@{}", path(&policy_file));

    let made = home.ok(&["keyvault", "certificate", "create", "--vault-name", PREMIUM, "--name", "hsm-cert", "--policy", &policy_arg]);
    assert_eq!(made["status"], "completed", "a self-signed HSM certificate completes at once: {made}");
    let key = home.ok(&["keyvault", "key", "show", "--vault-name", PREMIUM, "--name", "hsm-cert"]);
    assert_eq!(key["key"]["kty"], "RSA-HSM", "the certificate's key is an HSM key: {key}");
    assert_eq!(vault_key_objects(&home).len(), 1, "its key is a token object");

    let cert = home.scratch("hsm-cert.pem");
    home.ok(&[
        "keyvault",
        "certificate",
        "download",
        "--vault-name",
        PREMIUM,
        "--name",
        "hsm-cert",
        "--encoding",
        "PEM",
        "--file",
        path(&cert),
    ]);
    let verified = Command::new("openssl").args(["verify", "-CAfile", path(&cert), path(&cert)]).output().expect("openssl runs");
    assert!(
        verified.status.success(),
        "openssl accepts the self-signature made in the token: {}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let cert_public =
        Command::new("openssl").args(["x509", "-in", path(&cert), "-noout", "-pubkey"]).output().expect("openssl runs").stdout;
    assert_eq!(cert_public, download_pem(&home, PREMIUM, "hsm-cert"), "the certificate carries the HSM key's public key");

    let pfx = home.scratch("hsm-cert.pfx");
    let refused = home.fails(&[
        "keyvault",
        "certificate",
        "download",
        "--vault-name",
        PREMIUM,
        "--name",
        "hsm-cert",
        "--encoding",
        "PFX",
        "--file",
        path(&pfx),
    ]);
    assert_eq!(refused.code, "Forbidden", "no PFX with a private key that cannot leave the token: {}", refused.stderr);
    assert!(!pfx.exists(), "nothing is written");

    policy["keyProperties"]["exportable"] = true.into();
    std::fs::write(&policy_file, policy.to_string()).expect("the policy is rewritten");
    let exportable =
        home.fails(&["keyvault", "certificate", "create", "--vault-name", PREMIUM, "--name", "exportable", "--policy", &policy_arg]);
    assert_eq!(exportable.code, "BadParameter", "an HSM key cannot be exportable: {}", exportable.stderr);
    policy["keyProperties"]["exportable"] = false.into();
    std::fs::write(&policy_file, policy.to_string()).expect("the policy is rewritten");
    let standard =
        home.fails(&["keyvault", "certificate", "create", "--vault-name", STANDARD, "--name", "hsm-cert", "--policy", &policy_arg]);
    assert_eq!(standard.code, "BadParameter", "{}", standard.stderr);
    assert!(standard.stderr.contains("Hardware key operation not allowed on standard vault."), "{}", standard.stderr);
    assert_eq!(vault_key_objects(&home).len(), 1, "the refused certificates left no token object");
}

#[test]
fn only_a_principal_with_the_right_may_see_or_choose_the_hsm_and_the_pin_never_reaches_the_log() {
    let home = premium_home();
    home.ok(&["ad", "user", "create", "--display-name", "Dev", "--user-principal-name", "dev@contoso.example"]);
    let show = home.fails(&["--as", "dev@contoso.example", "hsm", "show"]);
    assert_eq!(show.code, "Forbidden", "a user without a role cannot read the HSM: {}", show.stderr);
    let pin = "pin-that-must-not-be-logged";
    let configure = home.fails(&[
        "--as",
        "dev@contoso.example",
        "hsm",
        "configure",
        "--module",
        "/usr/lib/softhsm/libsofthsm2.so",
        "--slot",
        "0",
        "--pin",
        pin,
    ]);
    assert_eq!(configure.code, "Forbidden", "nor choose it: {}", configure.stderr);
    let owner_try =
        home.fails(&["hsm", "configure", "--module", "/usr/lib/softhsm/libsofthsm2.so", "--token-label", "none-such", "--pin", pin]);
    assert_eq!(owner_try.code, "HsmUnavailable", "{}", owner_try.stderr);

    let log = home.ok(&["keyvault", "log", "list", "--operation", "HsmConfigure"]);
    let records = log.as_array().expect("log list prints an array");
    assert_eq!(records.len(), 2, "both attempts are in the access log: {log}");
    assert_eq!(records[0]["resultType"], "Forbidden", "{log}");
    assert!(!log.to_string().contains(pin), "the PIN is recorded only as a keyed hash: {log}");
}
