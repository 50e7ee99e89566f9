//! The certificate wizards' commands: generate with each kind of issuer, the CSR flow to a
//! merge (signed by openssl), import with a preview, downloads checked by openssl, the policy
//! editor, issuers, contacts and the outbox.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use vaultmort_test_support::openssl::{make_root_ca, openssl_text_in};

use crate::support::TestApp;

const VAULT: &str = "certs-kv";

/// The default policy form with `subject` and `issuer`.
fn policy(app: &TestApp, subject: &str, issuer: &str) -> Value {
    let mut policy = app.ok("default_certificate_policy", json!({}));
    policy["subject"] = json!(subject);
    policy["issuerName"] = json!(issuer);
    policy
}

fn b64_file(path: &Path) -> String {
    STANDARD.encode(std::fs::read(path).expect("the file exists"))
}

/// An openssl CA in `dir`: ca.key, ca.pem.
fn openssl_ca(dir: &Path) {
    make_root_ca(dir, "ca", "/CN=Desktop Test CA", 30);
}

#[test]
fn generate_self_signed_lists_it_and_a_bad_subject_is_refused_with_its_field() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let mut form = policy(&app, "CN=short.example", "Self");
    form["validityMonths"] = json!(1);
    form["dnsNames"] = json!(["short.example", "www.short.example"]);
    let op = app.ok("create_certificate", json!({ "vault": VAULT, "name": "short", "policy": form }));
    assert_eq!(op["status"], "completed", "Self issues at once: {op}");
    let listed = app.ok("list_certificates", json!({ "vault": VAULT }));
    assert_eq!(listed[0]["subject"], "CN=short.example", "{listed}");

    // The policy editor reads back what the form wrote.
    let read = app.ok("get_certificate_policy", json!({ "vault": VAULT, "name": "short" }));
    assert_eq!(read["dnsNames"], json!(["short.example", "www.short.example"]), "SANs round-trip through the policy: {read}");
    assert_eq!(read["validityMonths"], 1);

    let mut bad = policy(&app, "not a subject", "Self");
    bad["dnsNames"] = json!([]);
    assert_eq!(app.error_code("create_certificate", json!({ "vault": VAULT, "name": "bad", "policy": bad })), "BadParameter");
    assert_eq!(app.ok("list_certificates", json!({ "vault": VAULT })).as_array().map(Vec::len), Some(1), "a refused create writes nothing");
}

#[test]
fn the_csr_flow_ends_in_a_merged_certificate_signed_by_openssl() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let dir = tempfile::tempdir().expect("scratch");
    let mut form = policy(&app, "CN=ext.example", "Unknown");
    let renew = app.error_code("create_certificate", json!({ "vault": VAULT, "name": "ext", "policy": form }));
    assert_eq!(renew, "BadParameter", "nothing can renew a certificate whose CA is not integrated");
    form["lifetimeActions"] = json!([{ "action": "EmailContacts", "lifetimePercentage": 80, "daysBeforeExpiry": null }]);
    let op = app.ok("create_certificate", json!({ "vault": VAULT, "name": "ext", "policy": form }));
    assert_eq!(op["status"], "inProgress", "issuer Unknown waits for a signed certificate: {op}");
    let csr_pem = op["csrPem"].as_str().expect("a CSR");
    assert!(csr_pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"), "the CSR is PEM: {csr_pem}");

    // The download writes the same CSR, and openssl accepts its self-signature.
    let csr_path = dir.path().join("ext.csr");
    let saved = app.ok("save_csr", json!({ "vault": VAULT, "name": "ext", "path": csr_path }));
    assert_eq!(std::fs::read_to_string(&csr_path).expect("written"), csr_pem, "the download is the CSR shown: {saved}");
    let subject = openssl_text_in(dir.path(), &["req", "-in", "ext.csr", "-noout", "-verify", "-subject"]);
    assert!(subject.contains("CN=ext.example") || subject.contains("CN = ext.example"), "{subject}");

    // A certificate for another key is refused and the request stays pending.
    openssl_ca(dir.path());
    let mismatch =
        app.error_code("merge_certificate", json!({ "vault": VAULT, "name": "ext", "data": b64_file(&dir.path().join("ca.pem")) }));
    assert_eq!(mismatch, "KeyMismatch", "the CA's own certificate does not carry the pending key");
    assert_eq!(app.ok("get_certificate_operation", json!({ "vault": VAULT, "name": "ext" }))["status"], "inProgress");

    openssl_text_in(
        dir.path(),
        &["x509", "-req", "-in", "ext.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "77", "-days", "20", "-out", "ext.pem"],
    );
    let merged = app.ok("merge_certificate", json!({ "vault": VAULT, "name": "ext", "data": b64_file(&dir.path().join("ext.pem")) }));
    assert_eq!(merged["subject"], "CN=ext.example", "{merged}");
    let versions = app.ok("list_certificate_versions", json!({ "vault": VAULT, "name": "ext" }));
    assert_eq!(versions[0]["issuer"], "CN=Desktop Test CA", "the merged version is the CA-signed one: {versions}");
    assert_eq!(versions[0]["serial"], "4D", "serial 77 as openssl set it: {versions}");

    // The vault's copy verifies against the CA: download the PEM and let openssl check the chain.
    let out = dir.path().join("back.pem");
    app.ok("save_certificate", json!({ "vault": VAULT, "name": "ext", "version": null, "format": "pem", "password": null, "path": out }));
    openssl_text_in(dir.path(), &["verify", "-CAfile", "ca.pem", "back.pem"]);
}

#[test]
fn a_password_protected_pfx_is_previewed_then_imported_and_downloads_are_real() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let dir = tempfile::tempdir().expect("scratch");
    let d = dir.path();
    openssl_ca(d);
    openssl_text_in(
        d,
        &["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=import.example"],
    );
    std::fs::write(d.join("san.ext"), "subjectAltName=DNS:import.example,DNS:www.import.example\n").expect("ext file");
    openssl_text_in(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "5",
            "-days",
            "30",
            "-extfile",
            "san.ext",
            "-out",
            "leaf.pem",
        ],
    );
    openssl_text_in(
        d,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "leaf.key",
            "-in",
            "leaf.pem",
            "-certfile",
            "ca.pem",
            "-passout",
            "pass:pfx-pass-1",
            "-out",
            "leaf.pfx",
        ],
    );
    let data = b64_file(&d.join("leaf.pfx"));

    let asked = app.ok("preview_certificate_file", json!({ "data": data, "password": null }));
    assert_eq!(asked["needsPassword"], true, "the wizard asks for the password only now: {asked}");
    assert_eq!(asked["chain"], json!([]), "nothing of a protected file shows before its password");
    assert_eq!(app.error_code("preview_certificate_file", json!({ "data": data, "password": "wrong" })), "WrongPassword");
    let shown = app.ok("preview_certificate_file", json!({ "data": data, "password": "pfx-pass-1" }));
    assert_eq!(shown["hasPrivateKey"], true);
    assert_eq!(shown["chain"][0]["subject"], "CN=import.example");
    assert_eq!(shown["chain"][0]["issuer"], "CN=Desktop Test CA");
    assert_eq!(shown["chain"][0]["sans"], json!(["import.example", "www.import.example"]));
    assert_eq!(shown["chain"][0]["key"], "RSA 2048");
    assert_eq!(shown["chain"][1]["subject"], "CN=Desktop Test CA", "the chain is previewed too");
    assert_eq!(app.ok("list_certificates", json!({ "vault": VAULT })), json!([]), "a preview writes nothing");

    let input = json!({ "name": "imported", "data": data, "password": "pfx-pass-1" });
    let imported = app.ok("import_certificate", json!({ "vault": VAULT, "input": input }));
    assert_eq!(imported["subject"], "CN=import.example", "{imported}");

    // CER is the DER openssl wrote; PFX with a password opens in openssl with that password and
    // holds the imported key; the PFX file is readable by its owner only.
    let cer = d.join("back.cer");
    app.ok(
        "save_certificate",
        json!({ "vault": VAULT, "name": "imported", "version": null, "format": "cer", "password": null, "path": cer }),
    );
    let der = openssl_text_in(d, &["x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der"]);
    assert!(der.is_empty());
    assert_eq!(
        std::fs::read(&cer).expect("cer"),
        std::fs::read(d.join("leaf.der")).expect("der"),
        "the CER download is the certificate's DER"
    );
    let pfx = d.join("back.pfx");
    app.ok(
        "save_certificate",
        json!({ "vault": VAULT, "name": "imported", "version": null, "format": "pfx", "password": "out-pass", "path": pfx }),
    );
    openssl_text_in(d, &["pkcs12", "-in", "back.pfx", "-passin", "pass:out-pass", "-nodes", "-out", "back-all.pem"]);
    let modulus = |args: &[&str]| openssl_text_in(d, args);
    assert_eq!(
        modulus(&["rsa", "-in", "back-all.pem", "-noout", "-modulus"]),
        modulus(&["rsa", "-in", "leaf.key", "-noout", "-modulus"]),
        "the downloaded PFX holds the imported private key"
    );
    assert_eq!(mode_of(&pfx), 0o600, "a PFX with a private key is written for its owner only");
    assert_eq!(mode_of(&cer), 0o644, "a certificate is public");

    let again = json!({ "name": "imported", "data": data, "password": "pfx-pass-1" });
    app.ok("import_certificate", json!({ "vault": VAULT, "input": again }));
    let versions = app.ok("list_certificate_versions", json!({ "vault": VAULT, "name": "imported" }));
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "importing under a used name adds a version, as in Key Vault: {versions}");
}

fn mode_of(path: &PathBuf) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("the file exists").permissions().mode() & 0o777
}

#[test]
fn the_practice_ca_issues_once_it_is_an_issuer_and_contacts_get_outbox_mail() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let refused = app.error_code(
        "create_certificate",
        json!({ "vault": VAULT, "name": "ca-issued", "policy": policy(&app, "CN=ca.example", "practice-ca") }),
    );
    assert_eq!(refused, "BadParameter", "an issuer the vault does not have is refused");
    let issuer = app.ok("set_issuer", json!({ "vault": VAULT, "name": "practice-ca", "provider": "VaultmortPractice", "accountId": null }));
    assert_eq!(issuer["provider"], "VaultmortPractice");
    assert_eq!(app.ok("list_issuers", json!({ "vault": VAULT }))[0]["name"], "practice-ca");

    let mut form = policy(&app, "CN=ca.example", "practice-ca");
    form["validityMonths"] = json!(1);
    form["lifetimeActions"] = json!([{ "action": "EmailContacts", "lifetimePercentage": null, "daysBeforeExpiry": 20 }]);
    let op = app.ok("create_certificate", json!({ "vault": VAULT, "name": "ca-issued", "policy": form }));
    assert_eq!(op["status"], "completed", "the practice CA issues at once: {op}");
    let versions = app.ok("list_certificate_versions", json!({ "vault": VAULT, "name": "ca-issued" }));
    assert!(versions[0]["issuer"].as_str().unwrap_or_default().contains("Vaultmort"), "issued by the practice CA: {versions}");
    assert_eq!(
        versions[0]["chain"],
        json!(["CN=Vaultmort Practice Issuing CA,O=Vaultmort,OU=Practice", "CN=Vaultmort Practice Root CA,O=Vaultmort,OU=Practice"]),
        "with the issuing CA and the root in its chain"
    );

    assert_eq!(app.ok("get_contacts", json!({ "vault": VAULT })), json!([]), "no contacts yet");
    let contacts = json!([{ "email": "admin@petdash.example", "name": "Admin", "phone": null }]);
    assert_eq!(app.ok("set_contacts", json!({ "vault": VAULT, "contacts": contacts })), contacts);

    // The policy editor changes the action; the outbox stays empty until the clock says so.
    let mut edited = app.ok("get_certificate_policy", json!({ "vault": VAULT, "name": "ca-issued" }));
    assert_eq!(edited["lifetimeActions"][0]["action"], "EmailContacts", "{edited}");
    edited["lifetimeActions"][0]["daysBeforeExpiry"] = json!(25);
    let saved = app.ok("update_certificate_policy", json!({ "vault": VAULT, "name": "ca-issued", "policy": edited }));
    assert_eq!(saved["lifetimeActions"][0]["daysBeforeExpiry"], 25, "{saved}");
    assert_eq!(app.ok("list_outbox", json!({ "vault": null })), json!([]));
}

#[test]
fn the_first_view_is_reported_once() {
    let app = TestApp::new();
    let first = app.ok("ui_ready", json!({ "view": "unlock" }));
    let again = app.ok("ui_ready", json!({ "view": "portal" }));
    assert!(first.as_u64().is_some(), "milliseconds since start: {first}");
    assert_eq!(first, again, "only the first view counts for start-up time");
}

// Regression, issue 11 point 8: the UI reads import files itself and refuses one larger than
// `certificate_file_limit` before reading it; the commands refuse such bytes too (measured on the
// base64 text before it is decoded), with BadParameter naming the limit, and store nothing.
#[test]
fn issue11_point8_oversized_certificate_bytes_are_refused_with_the_limit() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let limit = app.ok("certificate_file_limit", json!({}));
    assert_eq!(limit, 1024 * 1024, "the UI is told the same limit the CLI applies to certificate files");
    let limit = usize::try_from(limit.as_u64().expect("a number")).expect("fits");
    let oversized = STANDARD.encode(vec![0u8; limit + 1]);
    let refused = |command: &str, args: Value| {
        let error = app.invoke(command, args).expect_err("an oversized certificate file must be refused");
        assert_eq!(error["code"], "BadParameter", "{command}: too large is the caller's mistake: {error}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&limit.to_string()), "{command}: the message names the limit: {message}");
    };
    refused("preview_certificate_file", json!({ "data": oversized, "password": null }));
    refused("import_certificate", json!({ "vault": VAULT, "input": { "name": "big", "data": oversized, "password": null } }));
    refused("merge_certificate", json!({ "vault": VAULT, "name": "big", "data": oversized }));
    assert_eq!(app.ok("list_certificates", json!({ "vault": VAULT })), json!([]), "a refused import stores nothing");
}

// Issue 11 point 9: the desktop writes downloads through the same code as the CLI. The save dialog
// has already asked before replacing a file, so a symlink at the chosen path is replaced by the
// download itself; the file it pointed to is not written.
#[cfg(unix)]
#[test]
fn issue11_point9_a_symlink_at_the_saved_path_is_replaced_not_followed() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    app.self_signed(VAULT, "site", 12);
    let dir = tempfile::tempdir().expect("a temp dir");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::write(&elsewhere, b"untouched").expect("write the pointed-to file");
    let pfx = dir.path().join("site.pfx");
    std::os::unix::fs::symlink(&elsewhere, &pfx).expect("plant a symlink at the chosen path");
    app.ok("save_certificate", json!({ "vault": VAULT, "name": "site", "version": null, "format": "pfx", "password": null, "path": pfx }));
    assert_eq!(std::fs::read(&elsewhere).expect("read"), b"untouched", "the symlink's target must not receive the private key");
    let meta = std::fs::symlink_metadata(&pfx).expect("stat");
    assert!(meta.file_type().is_file(), "the download replaced the symlink with a regular file");
    assert_eq!(mode_of(&pfx), 0o600, "a PFX without a password holds the private key: owner only");
}
