//! Certificate files in and out, with OpenSSL 3 as the referee: `certificate import` of PFX files
//! (OpenSSL 3 defaults, `-legacy`, unencrypted with and without a MAC, empty password, a
//! three-certificate chain, an EC P-256 key) and PEM bundles (plain and encrypted PKCS#8, with
//! the chain), each checked for its subject, chain order, SHA-1 thumbprint and, by a signature
//! openssl verifies, its private key; refused imports (wrong password, no key, a key that does
//! not match, damaged files, unsupported formats) with their codes, human messages free of key
//! material, and an unchanged store; `certificate download` as PFX (openssl reads it with its
//! default settings, with and without a password), PEM and DER; non-exportable keys; and a
//! PFX round trip between two vaults.

use std::path::{Path, PathBuf};

use serde_json::Value;

use vaultmort_test_support::openssl::after_equals;
use vaultmort_test_support::pki::{Leaf, OpensslPki};
use vaultmort_test_support::text::pem_blocks;

use crate::support::{TestHome, b64, ecdsa_raw_to_der, openssl, openssl_ok, store_snapshot, unb64};

const VAULT: &str = "cert-files";

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

fn path(file: &Path) -> &str {
    file.to_str().expect("scratch paths are UTF-8")
}

fn write(file: &Path, bytes: &[u8]) {
    std::fs::write(file, bytes).unwrap_or_else(|e| panic!("scratch file {} must be writable: {e}", file.display()));
}

fn read(file: &Path) -> Vec<u8> {
    std::fs::read(file).unwrap_or_else(|e| panic!("{} should have been written: {e}", file.display()))
}

fn read_text(file: &Path) -> String {
    String::from_utf8(read(file)).unwrap_or_else(|e| panic!("{} should be text: {e}", file.display()))
}

/// Runs openssl and returns stdout as text.
fn openssl_text(args: &[&str]) -> String {
    String::from_utf8(openssl_ok(args, None)).expect("openssl prints text")
}

/// openssl's SHA-1 fingerprint of a PEM certificate, as upper-case hex without colons.
fn sha1_fingerprint(cert_pem: &Path) -> String {
    after_equals(&openssl_text(&["x509", "-in", path(cert_pem), "-noout", "-fingerprint", "-sha1"])).replace(':', "").to_uppercase()
}

/// openssl's SHA-256 fingerprint of one PEM certificate given as text.
fn sha256_fingerprint_of_pem(pem: &str) -> String {
    let out = openssl_ok(&["x509", "-noout", "-fingerprint", "-sha256"], Some(pem.as_bytes()));
    after_equals(&String::from_utf8(out).expect("openssl prints text")).replace(':', "").to_uppercase()
}

/// openssl's subject of a certificate in RFC 2253 form (most specific first, `,` between parts).
fn rfc2253_subject(cert_pem: &Path) -> String {
    after_equals(&openssl_text(&["x509", "-in", path(cert_pem), "-noout", "-subject", "-nameopt", "RFC2253"]))
}

/// The certificate's public key as openssl writes it (SubjectPublicKeyInfo PEM).
fn cert_public_key(cert: &Path, inform: &str) -> String {
    openssl_text(&["x509", "-in", path(cert), "-inform", inform, "-noout", "-pubkey"])
}

/// The base64 lines inside a PEM file (the key material itself).
fn pem_body_lines(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.starts_with("-----") && !l.contains(':') && l.len() >= 16).map(str::to_string).collect()
}

// ---------------------------------------------------------------------------------------------
// A small PKI made by openssl: root CA -> intermediate CA -> RSA leaf and EC P-256 leaf
// ---------------------------------------------------------------------------------------------

/// The shared openssl PKI (root -> intermediate -> RSA and EC leaves) with its files named for
/// these tests. Certificates are valid for a year, far from the 30-day CertificateNearExpiry
/// mark, so the start-up sweep leaves them alone.
struct Pki {
    root: PathBuf,
    intermediate: PathBuf,
    intermediate_key: PathBuf,
    /// RSA 2048 leaf issued by the intermediate.
    leaf: PathBuf,
    /// Its key as unencrypted PKCS#8 PEM.
    leaf_key: PathBuf,
    /// EC P-256 leaf issued by the intermediate.
    ec_leaf: PathBuf,
    /// Its key as unencrypted PKCS#8 PEM.
    ec_key: PathBuf,
    /// The CA certificates, intermediate then root (for `-certfile`).
    cas: PathBuf,
    /// Holds the files' folder for as long as the test runs.
    _files: OpensslPki,
}

impl Pki {
    fn new(_home: &TestHome) -> Self {
        let files = OpensslPki::new();
        let at = |name: &str| files.path(name);
        assert!(read_text(&at(Leaf::Rsa.key())).starts_with("-----BEGIN PRIVATE KEY-----"), "the leaf key is a PKCS#8 PEM");
        Self {
            root: at("root.pem"),
            intermediate: at("intermediate.pem"),
            intermediate_key: at("intermediate.key"),
            leaf: at(Leaf::Rsa.cert()),
            leaf_key: at(Leaf::Rsa.key()),
            ec_leaf: at(Leaf::Ec.cert()),
            ec_key: at(Leaf::Ec.key()),
            cas: at("cas.pem"),
            _files: files,
        }
    }

    /// The RSA leaf's chain, leaf first.
    fn rsa_chain(&self) -> Vec<PathBuf> {
        vec![self.leaf.clone(), self.intermediate.clone(), self.root.clone()]
    }

    /// The EC leaf's chain, leaf first.
    fn ec_chain(&self) -> Vec<PathBuf> {
        vec![self.ec_leaf.clone(), self.intermediate.clone(), self.root.clone()]
    }
}

/// What `openssl pkcs12 -info -noout` says about a PFX's protection (it writes that to stderr).
fn pkcs12_structure(pfx: &Path, password: &str, legacy: bool) -> String {
    let passin = format!("pass:{password}");
    let mut args = vec!["pkcs12", "-info", "-noout", "-in", path(pfx), "-passin", &passin];
    if legacy {
        args.push("-legacy");
    }
    let out = openssl(&args, None);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "openssl must read the PFX it just wrote: {text}");
    text
}

/// `openssl pkcs12 -export` of `cert` with `key` and `extra` options into a new scratch file.
fn pkcs12_export(home: &TestHome, file_name: &str, cert: &Path, key: &Path, extra: &[&str]) -> PathBuf {
    let out = home.scratch(file_name);
    let mut args = vec!["pkcs12", "-export", "-in", path(cert), "-inkey", path(key), "-out", path(&out)];
    args.extend_from_slice(extra);
    openssl_ok(&args, None);
    out
}

// ---------------------------------------------------------------------------------------------
// Checks of an imported certificate
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KeyKind {
    Rsa,
    Ec,
}

fn import(home: &TestHome, vault: &str, name: &str, file: &Path, password: Option<&str>) -> Value {
    let mut args = vec!["keyvault", "certificate", "import", "--vault-name", vault, "--name", name, "--file", path(file)];
    if let Some(password) = password {
        args.extend(["--password", password]);
    }
    home.ok(&args)
}

fn download(home: &TestHome, vault: &str, name: &str, extra: &[&str], file_name: &str) -> PathBuf {
    let file = home.scratch(file_name);
    let mut args = vec!["keyvault", "certificate", "download", "--vault-name", vault, "--name", name, "--file", path(&file)];
    args.extend_from_slice(extra);
    assert_eq!(home.ok(&args), Value::Null, "download writes the file and prints nothing");
    file
}

/// Checks that certificate `name` in `vault` is `chain[0]` with issuers `chain[1..]` in order and
/// holds the private key of `chain[0]` (openssl verifies a signature made with it).
fn assert_imported(home: &TestHome, vault: &str, name: &str, chain: &[PathBuf], kind: KeyKind) {
    let leaf = &chain[0];
    let shown = home.ok(&["keyvault", "certificate", "show", "--vault-name", vault, "--name", name]);
    assert_eq!(
        shown["subject"].as_str(),
        Some(rfc2253_subject(leaf).as_str()),
        "the imported certificate's subject must be the subject openssl wrote into the leaf"
    );
    assert_eq!(
        shown["x509ThumbprintHex"].as_str(),
        Some(sha1_fingerprint(leaf).as_str()),
        "x509ThumbprintHex is the SHA-1 of the leaf's DER, so it must equal openssl's SHA-1 fingerprint"
    );
    let leaf_der = openssl_ok(&["x509", "-in", path(leaf), "-outform", "DER"], None);
    assert_eq!(unb64(shown["cer"].as_str().expect("show prints cer")), leaf_der, "cer must be the leaf certificate's DER, byte for byte");

    let chain_file = download(home, vault, name, &["--encoding", "PEM", "--chain"], &format!("{name}-{vault}-chain.pem"));
    let blocks = pem_blocks(&read_text(&chain_file));
    let got: Vec<String> = blocks.iter().map(|b| sha256_fingerprint_of_pem(b)).collect();
    let want: Vec<String> = chain.iter().map(|c| sha256_fingerprint_of_pem(&read_text(c))).collect();
    assert_eq!(got, want, "download --chain must give the leaf then its issuers in order, exactly the certificates of the file imported");

    assert_key_belongs_to(home, vault, name, leaf, kind);
}

/// Signs a digest with the certificate's key through `key sign` and has openssl verify it with
/// the public key of `cert` (an openssl-made file): only the right private key can pass.
fn assert_key_belongs_to(home: &TestHome, vault: &str, name: &str, cert: &Path, kind: KeyKind) {
    let tag = format!("{vault}-{name}");
    let public = home.scratch(&format!("{tag}-public.pem"));
    write(&public, cert_public_key(cert, "PEM").as_bytes());
    let message = home.scratch(&format!("{tag}-message.bin"));
    write(&message, &openssl_ok(&["rand", "512"], None));
    let digest = openssl_ok(&["dgst", "-sha256", "-binary", path(&message)], None);
    let algorithm = if kind == KeyKind::Rsa { "RS256" } else { "ES256" };
    let out =
        home.ok(&["keyvault", "key", "sign", "--vault-name", vault, "--name", name, "--algorithm", algorithm, "--digest", &b64(&digest)]);
    let raw = unb64(out["signature"].as_str().expect("key sign prints the signature as base64"));
    let signature = if kind == KeyKind::Ec {
        assert_eq!(raw.len(), 64, "an ES256 signature is raw r || s of 32 bytes each");
        ecdsa_raw_to_der(&raw)
    } else {
        raw
    };
    let sig_file = home.scratch(&format!("{tag}-signature.bin"));
    write(&sig_file, &signature);
    let verify = |msg: &Path| openssl(&["dgst", "-sha256", "-verify", path(&public), "-signature", path(&sig_file), path(msg)], None);
    let good = verify(&message);
    assert!(
        good.status.success(),
        "openssl must verify the {algorithm} signature with the certificate's public key, proving the imported key is the certificate's: {}",
        String::from_utf8_lossy(&good.stderr)
    );
    let mut changed = read(&message);
    changed[0] ^= 1;
    let changed_file = home.scratch(&format!("{tag}-changed.bin"));
    write(&changed_file, &changed);
    assert!(!verify(&changed_file).status.success(), "openssl must reject the signature for a changed message (the check can fail)");
}

// ---------------------------------------------------------------------------------------------
// Import: PFX
// ---------------------------------------------------------------------------------------------

#[test]
fn imports_an_openssl3_default_pfx_with_a_password() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "default.pfx", &pki.leaf, &pki.leaf_key, &["-passout", "pass:s3cret-pw"]);
    let info = pkcs12_structure(&pfx, "s3cret-pw", false);
    assert!(info.contains("AES-256-CBC"), "OpenSSL 3's default PFX uses PBES2 with AES-256-CBC, which this test is about: {info}");
    let shown = import(&home, VAULT, "default-pfx", &pfx, Some("s3cret-pw"));
    assert_eq!(shown["contentType"], "application/x-pkcs12", "a PFX import keeps its secret as PKCS#12");
    assert_imported(&home, VAULT, "default-pfx", &pki.rsa_chain()[..1], KeyKind::Rsa);
}

#[test]
fn imports_a_legacy_pfx() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "legacy.pfx", &pki.leaf, &pki.leaf_key, &["-legacy", "-passout", "pass:legacy-pw"]);
    let info = pkcs12_structure(&pfx, "legacy-pw", true);
    assert!(info.contains("RC2") || info.contains("3DES"), "-legacy writes RC2/3DES encryption, which this test is about: {info}");
    import(&home, VAULT, "legacy-pfx", &pfx, Some("legacy-pw"));
    assert_imported(&home, VAULT, "legacy-pfx", &pki.rsa_chain()[..1], KeyKind::Rsa);
}

#[test]
fn imports_unencrypted_pfx_files_with_and_without_a_mac() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let none = ["-keypbe", "NONE", "-certpbe", "NONE"];
    let variants: [(&str, Vec<&str>, Option<&str>); 3] = [
        ("plain-mac-empty", [none.as_slice(), &["-passout", "pass:"]].concat(), None),
        ("plain-nomac", [none.as_slice(), &["-nomac", "-passout", "pass:"]].concat(), None),
        ("plain-mac-pw", [none.as_slice(), &["-passout", "pass:mac-only"]].concat(), Some("mac-only")),
    ];
    for (name, options, password) in variants {
        let pfx = pkcs12_export(&home, &format!("{name}.pfx"), &pki.leaf, &pki.leaf_key, &options);
        // openssl reads the key without decrypting anything: it is stored in the clear.
        let info = pkcs12_structure(&pfx, password.unwrap_or(""), false);
        assert!(!info.contains("Shrouded Keybag"), "{name}: -keypbe NONE stores the key unencrypted: {info}");
        import(&home, VAULT, name, &pfx, password);
        assert_imported(&home, VAULT, name, &pki.rsa_chain()[..1], KeyKind::Rsa);
    }
    // The MAC still guards the password-protected unencrypted file: a wrong password is refused.
    let pfx = home.scratch("plain-mac-pw.pfx");
    let failure = home.fails(&[
        "keyvault",
        "certificate",
        "import",
        "--vault-name",
        VAULT,
        "--name",
        "bad",
        "--file",
        path(&pfx),
        "--password",
        "nope",
    ]);
    assert_eq!(failure.code, "WrongPassword", "the MAC of an unencrypted PFX checks the password: {}", failure.stderr);
}

#[test]
fn imports_a_pfx_with_an_empty_password() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "empty.pfx", &pki.leaf, &pki.leaf_key, &["-passout", "pass:"]);
    import(&home, VAULT, "empty-none", &pfx, None);
    assert_imported(&home, VAULT, "empty-none", &pki.rsa_chain()[..1], KeyKind::Rsa);
    import(&home, VAULT, "empty-given", &pfx, Some(""));
    assert_imported(&home, VAULT, "empty-given", &pki.rsa_chain()[..1], KeyKind::Rsa);
    let failure =
        home.fails(&["keyvault", "certificate", "import", "--vault-name", VAULT, "--name", "bad", "--file", path(&pfx), "--password", "x"]);
    assert_eq!(failure.code, "WrongPassword", "a PFX made with an empty password does not open with another one: {}", failure.stderr);
}

#[test]
fn imports_a_pfx_with_a_three_certificate_chain() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "chain.pfx", &pki.leaf, &pki.leaf_key, &["-certfile", path(&pki.cas), "-passout", "pass:chain-pw"]);
    let listed = openssl_text(&["pkcs12", "-in", path(&pfx), "-nokeys", "-passin", "pass:chain-pw"]);
    assert_eq!(pem_blocks(&listed).len(), 3, "openssl put the leaf and both CA certificates in the PFX");
    let shown = import(&home, VAULT, "chain-pfx", &pfx, Some("chain-pw"));
    assert_eq!(
        shown["issuer"].as_str(),
        Some(after_equals(&openssl_text(&["x509", "-in", path(&pki.leaf), "-noout", "-issuer", "-nameopt", "RFC2253"])).as_str()),
        "the leaf's issuer is the intermediate CA"
    );
    assert_imported(&home, VAULT, "chain-pfx", &pki.rsa_chain(), KeyKind::Rsa);

    // The order inside the file must not matter: root first, then intermediate.
    let reversed = home.scratch("reversed-cas.pem");
    write(&reversed, &[read(&pki.root), read(&pki.intermediate)].concat());
    let pfx =
        pkcs12_export(&home, "chain-reversed.pfx", &pki.leaf, &pki.leaf_key, &["-certfile", path(&reversed), "-passout", "pass:chain-pw"]);
    import(&home, VAULT, "chain-reversed", &pfx, Some("chain-pw"));
    assert_imported(&home, VAULT, "chain-reversed", &pki.rsa_chain(), KeyKind::Rsa);
}

#[test]
fn imports_a_pfx_with_an_ec_p256_key() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "ec.pfx", &pki.ec_leaf, &pki.ec_key, &["-certfile", path(&pki.cas), "-passout", "pass:ec-pw"]);
    let shown = import(&home, VAULT, "ec-pfx", &pfx, Some("ec-pw"));
    assert_eq!(shown["policy"]["keyProperties"]["keyType"], "EC", "the imported key is EC, and the policy says so");
    assert_eq!(shown["policy"]["keyProperties"]["curve"], "P-256", "the imported key is on P-256");
    assert_imported(&home, VAULT, "ec-pfx", &pki.ec_chain(), KeyKind::Ec);
}

// ---------------------------------------------------------------------------------------------
// Import: PEM
// ---------------------------------------------------------------------------------------------

#[test]
fn imports_a_pem_with_an_unencrypted_pkcs8_key() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pem = home.scratch("bundle.pem");
    write(&pem, &[read(&pki.leaf), read(&pki.leaf_key)].concat());
    let shown = import(&home, VAULT, "pem-plain", &pem, None);
    assert_eq!(shown["contentType"], "application/x-pem-file", "a PEM import keeps its secret as PEM");
    assert_imported(&home, VAULT, "pem-plain", &pki.rsa_chain()[..1], KeyKind::Rsa);

    // The EC leaf too, key first this time.
    let ec_pem = home.scratch("ec-bundle.pem");
    write(&ec_pem, &[read(&pki.ec_key), read(&pki.ec_leaf)].concat());
    import(&home, VAULT, "pem-ec", &ec_pem, None);
    assert_imported(&home, VAULT, "pem-ec", &pki.ec_chain()[..1], KeyKind::Ec);
}

#[test]
fn imports_a_pem_with_an_encrypted_pkcs8_key() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let encrypted = home.scratch("leaf-encrypted.pem");
    openssl_ok(
        &["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", path(&pki.leaf_key), "-passout", "pass:secret", "-out", path(&encrypted)],
        None,
    );
    assert!(read_text(&encrypted).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"), "openssl wrote an encrypted PKCS#8 key");
    let pem = home.scratch("encrypted-bundle.pem");
    write(&pem, &[read(&pki.leaf), read(&encrypted)].concat());
    import(&home, VAULT, "pem-encrypted", &pem, Some("secret"));
    assert_imported(&home, VAULT, "pem-encrypted", &pki.rsa_chain()[..1], KeyKind::Rsa);
}

#[test]
fn imports_a_pem_with_its_chain() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    // Key, then the CA certificates before the leaf: the leaf is found by its key, the chain by issuer.
    let pem = home.scratch("chain-bundle.pem");
    write(&pem, &[read(&pki.leaf_key), read(&pki.root), read(&pki.leaf), read(&pki.intermediate)].concat());
    import(&home, VAULT, "pem-chain", &pem, None);
    assert_imported(&home, VAULT, "pem-chain", &pki.rsa_chain(), KeyKind::Rsa);

    let encrypted = home.scratch("ec-encrypted.pem");
    openssl_ok(
        &["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", path(&pki.ec_key), "-passout", "pass:secret", "-out", path(&encrypted)],
        None,
    );
    let pem = home.scratch("ec-chain-bundle.pem");
    write(&pem, &[read(&pki.ec_leaf), read(&pki.intermediate), read(&pki.root), read(&encrypted)].concat());
    import(&home, VAULT, "pem-ec-chain", &pem, Some("secret"));
    assert_imported(&home, VAULT, "pem-ec-chain", &pki.ec_chain(), KeyKind::Ec);
}

// ---------------------------------------------------------------------------------------------
// Import: refusals
// ---------------------------------------------------------------------------------------------

/// A home with one imported certificate (so `certificate list` has something to compare).
fn home_with_one_certificate() -> (TestHome, Pki) {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "existing.pfx", &pki.leaf, &pki.leaf_key, &["-passout", "pass:existing"]);
    import(&home, VAULT, "existing", &pfx, Some("existing"));
    (home, pki)
}

/// Imports `file` (as certificate `refused`), which must fail with `code`; the message must
/// mention one of `words` and none of `secrets`, and the store and `certificate list` must be
/// unchanged.
fn assert_import_refused(home: &TestHome, file: &Path, password: Option<&str>, code: &str, words: &[&str], secrets: &[String]) -> String {
    let list = || home.ok(&["keyvault", "certificate", "list", "--vault-name", VAULT]);
    let (store_before, list_before) = (store_snapshot(home), list());
    let mut args = vec!["keyvault", "certificate", "import", "--vault-name", VAULT, "--name", "refused", "--file", path(file)];
    if let Some(password) = password {
        args.extend(["--password", password]);
    }
    let failure = home.fails(&args);
    let what = file.file_name().and_then(|n| n.to_str()).unwrap_or("the file");
    assert_eq!(failure.code, code, "importing {what} must fail with {code}: {}", failure.stderr);
    assert_eq!(failure.status, 1, "a refused import exits with 1 (not a usage error, not NotFound)");
    let message = failure.stderr.to_lowercase();
    assert!(
        words.iter().any(|w| message.contains(&w.to_lowercase())),
        "the message for {what} should say what is wrong in human terms (one of {words:?}): {}",
        failure.stderr
    );
    for secret in secrets {
        assert!(
            !failure.stderr.contains(secret.as_str()),
            "the message for {what} must not contain key material or passwords: {}",
            failure.stderr
        );
    }
    assert!(!failure.stderr.contains("-----BEGIN"), "the message for {what} must not echo PEM blocks: {}", failure.stderr);
    let store_after = store_snapshot(home);
    let changed: Vec<String> = store_after
        .iter()
        .filter(|(table, rows)| store_before.get(*table) != Some(rows))
        .map(|(table, rows)| {
            let before = store_before.get(table).cloned().unwrap_or_default();
            let added: Vec<&String> = rows.iter().filter(|r| !before.contains(r)).collect();
            let removed: Vec<&String> = before.iter().filter(|r| !rows.contains(r)).collect();
            format!("{table}: added {added:?}, removed {removed:?}")
        })
        .collect();
    assert!(changed.is_empty(), "a refused import of {what} must leave every table but the access log unchanged; changed: {changed:#?}");
    assert_eq!(store_after.len(), store_before.len(), "a refused import of {what} must not add or drop tables");
    assert_eq!(list(), list_before, "a refused import of {what} must not change the certificate list");
    failure.stderr
}

/// The key's base64 lines and the passwords: none may appear in an error message.
fn secrets_of(key_pem: &Path, passwords: &[&str]) -> Vec<String> {
    let mut out = pem_body_lines(&read_text(key_pem));
    assert!(!out.is_empty(), "the key file has base64 lines to look for");
    out.extend(passwords.iter().filter(|p| p.len() >= 4).map(|p| p.to_string()));
    out
}

#[test]
fn wrong_or_missing_passwords_are_refused_as_wrong_password() {
    let (home, pki) = home_with_one_certificate();
    let secrets = secrets_of(&pki.leaf_key, &["right-password", "wrong-password"]);
    let pfx = pkcs12_export(&home, "protected.pfx", &pki.leaf, &pki.leaf_key, &["-passout", "pass:right-password"]);
    assert_import_refused(&home, &pfx, Some("wrong-password"), "WrongPassword", &["password"], &secrets);
    assert_import_refused(&home, &pfx, None, "WrongPassword", &["password"], &secrets);
    let legacy = pkcs12_export(&home, "protected-legacy.pfx", &pki.leaf, &pki.leaf_key, &["-legacy", "-passout", "pass:right-password"]);
    assert_import_refused(&home, &legacy, Some("wrong-password"), "WrongPassword", &["password"], &secrets);

    let encrypted = home.scratch("encrypted-key.pem");
    openssl_ok(
        &["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", path(&pki.leaf_key), "-passout", "pass:right-password", "-out", path(&encrypted)],
        None,
    );
    let pem = home.scratch("encrypted.pem");
    write(&pem, &[read(&pki.leaf), read(&encrypted)].concat());
    assert_import_refused(&home, &pem, Some("wrong-password"), "WrongPassword", &["password"], &secrets);
    assert_import_refused(&home, &pem, None, "WrongPassword", &["password"], &secrets);
}

#[test]
fn files_without_a_private_key_are_refused_as_no_private_key() {
    let (home, pki) = home_with_one_certificate();
    let secrets = secrets_of(&pki.leaf_key, &["nokeys-pw"]);
    let nokeys = home.scratch("nokeys.pfx");
    openssl_ok(
        &[
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            path(&pki.leaf),
            "-certfile",
            path(&pki.cas),
            "-passout",
            "pass:nokeys-pw",
            "-out",
            path(&nokeys),
        ],
        None,
    );
    assert_import_refused(&home, &nokeys, Some("nokeys-pw"), "NoPrivateKey", &["private key"], &secrets);

    let der = home.scratch("leaf.cer");
    openssl_ok(&["x509", "-in", path(&pki.leaf), "-outform", "DER", "-out", path(&der)], None);
    assert_import_refused(&home, &der, None, "NoPrivateKey", &["private key"], &secrets);

    let pem = home.scratch("certs-only.pem");
    write(&pem, &[read(&pki.leaf), read(&pki.cas)].concat());
    assert_import_refused(&home, &pem, None, "NoPrivateKey", &["private key"], &secrets);
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused_as_key_mismatch() {
    let (home, pki) = home_with_one_certificate();
    let other_key = home.scratch("intermediate-pkcs8.pem");
    openssl_ok(&["pkcs8", "-topk8", "-nocrypt", "-in", path(&pki.intermediate_key), "-out", path(&other_key)], None);
    let pem = home.scratch("mismatch.pem");
    write(&pem, &[read(&pki.leaf), read(&other_key)].concat());
    let mut secrets = secrets_of(&other_key, &[]);
    secrets.extend(secrets_of(&pki.leaf_key, &[]));
    assert_import_refused(&home, &pem, None, "KeyMismatch", &["match"], &secrets);

    // An EC key with the RSA leaf: a different key type altogether.
    let pem = home.scratch("mismatch-ec.pem");
    write(&pem, &[read(&pki.leaf), read(&pki.ec_key)].concat());
    assert_import_refused(&home, &pem, None, "KeyMismatch", &["match"], &secrets_of(&pki.ec_key, &[]));
}

/// `bytes` with the bit `mask` of byte `index` flipped.
fn flip(bytes: &[u8], index: usize, mask: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[index] ^= mask;
    out
}

#[test]
fn damaged_files_are_refused_as_corrupt_or_wrong_password() {
    let (home, pki) = home_with_one_certificate();
    let secrets = secrets_of(&pki.leaf_key, &["damage-pw"]);
    let pfx = pkcs12_export(&home, "good.pfx", &pki.leaf, &pki.leaf_key, &["-certfile", path(&pki.cas), "-passout", "pass:damage-pw"]);
    let good = read(&pfx);

    let truncated = home.scratch("truncated.pfx");
    write(&truncated, &good[..good.len() / 2]);
    assert_import_refused(&home, &truncated, Some("damage-pw"), "CorruptInput", &["damaged", "truncated"], &secrets);

    // The MAC's digest is the last `04 20 <32 bytes>` of the file (then the salt and iterations).
    let mac_digest = (0..good.len() - 34).rev().find(|&i| good[i] == 0x04 && good[i + 1] == 0x20).expect("the PFX ends with a SHA-256 MAC");
    assert!(good.len() - mac_digest < 64, "the MAC digest sits at the end of the file");
    let bad_mac = home.scratch("bad-mac.pfx");
    write(&bad_mac, &flip(&good, mac_digest + 10, 0x01));
    assert!(
        !openssl(&["pkcs12", "-in", path(&bad_mac), "-noout", "-passin", "pass:damage-pw"], None).status.success(),
        "openssl also refuses the altered MAC"
    );
    let stderr = assert_import_refused(&home, &bad_mac, Some("damage-pw"), "CorruptInput", &["damaged", "altered"], &secrets);
    assert!(
        !stderr.to_lowercase().contains("password is wrong"),
        "the right password with a damaged MAC is damage, not a wrong password: {stderr}"
    );

    // A flipped byte inside the encrypted contents: the MAC fails and the contents no longer
    // decrypt, which is indistinguishable from a wrong password.
    let flipped = home.scratch("flipped.pfx");
    write(&flipped, &flip(&good, good.len() / 2, 0xff));
    let failure = home.fails(&[
        "keyvault",
        "certificate",
        "import",
        "--vault-name",
        VAULT,
        "--name",
        "refused",
        "--file",
        path(&flipped),
        "--password",
        "damage-pw",
    ]);
    assert!(
        failure.code == "CorruptInput" || failure.code == "WrongPassword",
        "a PFX with a flipped byte is refused as CorruptInput or WrongPassword: {}",
        failure.stderr
    );
    let code = failure.code.clone();
    let words: &[&str] = if code == "CorruptInput" { &["damaged"] } else { &["password"] };
    assert_import_refused(&home, &flipped, Some("damage-pw"), &code, words, &secrets);

    let random = home.scratch("random.bin");
    write(&random, &openssl_ok(&["rand", "3000"], None));
    assert_import_refused(&home, &random, Some("damage-pw"), "CorruptInput", &["damaged", "not a pfx"], &secrets);

    // A PEM whose key block's base64 is damaged.
    let pem_text = [read_text(&pki.leaf), read_text(&pki.leaf_key)].concat();
    let broken = pem_text.replacen("-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY-----\n!!!!", 1);
    let broken_pem = home.scratch("broken.pem");
    write(&broken_pem, broken.as_bytes());
    assert_import_refused(&home, &broken_pem, None, "CorruptInput", &["damaged", "malformed"], &secrets);
}

#[test]
fn unsupported_formats_are_refused_with_a_clear_code() {
    let (home, pki) = home_with_one_certificate();
    // A traditional ("RSA PRIVATE KEY") key: refused with the command that converts it.
    let traditional = home.scratch("traditional.key");
    openssl_ok(&["rsa", "-in", path(&pki.leaf_key), "-traditional", "-out", path(&traditional)], None);
    assert!(read_text(&traditional).starts_with("-----BEGIN RSA PRIVATE KEY-----"), "openssl wrote a traditional RSA key");
    let pem = home.scratch("traditional.pem");
    write(&pem, &[read(&pki.leaf), read(&traditional)].concat());
    let stderr = assert_import_refused(&home, &pem, None, "UnsupportedFormat", &["PKCS#8"], &secrets_of(&traditional, &[]));
    assert!(stderr.contains("openssl pkcs8 -topk8"), "the message must give the conversion command `openssl pkcs8 -topk8`: {stderr}");

    // The traditional EC form too.
    let ec_traditional = home.scratch("traditional-ec.key");
    openssl_ok(&["ec", "-in", path(&pki.ec_key), "-out", path(&ec_traditional)], None);
    assert!(read_text(&ec_traditional).contains("-----BEGIN EC PRIVATE KEY-----"), "openssl ec writes the traditional SEC1 form");
    let pem = home.scratch("traditional-ec.pem");
    write(&pem, &[read(&pki.ec_leaf), read(&ec_traditional)].concat());
    let stderr = assert_import_refused(&home, &pem, None, "UnsupportedFormat", &["PKCS#8"], &secrets_of(&ec_traditional, &[]));
    assert!(stderr.contains("openssl pkcs8 -topk8"), "the message must give the conversion command: {stderr}");

    // A text file that is no PEM at all.
    let text = home.scratch("notes.txt");
    write(&text, b"These are my notes about the certificate, not the certificate itself.\n");
    let failure = home.fails(&["keyvault", "certificate", "import", "--vault-name", VAULT, "--name", "refused", "--file", path(&text)]);
    assert!(
        failure.code == "CorruptInput" || failure.code == "UnsupportedFormat",
        "a text file is neither PFX nor PEM: it must be refused as CorruptInput or UnsupportedFormat, not as a missing key: {}",
        failure.stderr
    );
    let code = failure.code.clone();
    assert_import_refused(&home, &text, None, &code, &["PEM", "PFX"], &[]);

    // An empty file.
    let empty = home.scratch("empty.pfx");
    write(&empty, b"");
    assert_import_refused(&home, &empty, None, "CorruptInput", &["empty"], &[]);
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/// `openssl pkcs12 -info -nodes` of `pfx` with OpenSSL 3 defaults (no -legacy): stdout, or None
/// when openssl refuses the password.
fn pkcs12_info(pfx: &Path, password: &str) -> Option<String> {
    let passin = format!("pass:{password}");
    let out = openssl(&["pkcs12", "-info", "-in", path(pfx), "-nodes", "-passin", &passin], None);
    out.status.success().then(|| String::from_utf8(out.stdout).expect("openssl prints PEM text"))
}

/// Checks a downloaded PFX in openssl: it opens with `password` (and not with `wrong`), holds
/// one private key and `chain`'s certificates, and the key belongs to the leaf.
fn assert_pfx_in_openssl(pfx: &Path, password: &str, wrong: &str, chain: &[PathBuf]) {
    let info = pkcs12_info(pfx, password).unwrap_or_else(|| {
        let passin = format!("pass:{password}");
        let out = openssl(&["pkcs12", "-info", "-in", path(pfx), "-nodes", "-passin", &passin], None);
        panic!("OpenSSL 3 must open the downloaded PFX with its default settings: {}", String::from_utf8_lossy(&out.stderr))
    });
    assert!(
        pkcs12_info(pfx, wrong).is_none(),
        "openssl must refuse the PFX with the password {wrong:?}: the password must really be applied"
    );
    let blocks = pem_blocks(&info);
    let keys = blocks.iter().filter(|b| b.starts_with("-----BEGIN PRIVATE KEY-----")).count();
    assert_eq!(keys, 1, "the PFX holds exactly one private key:\n{info}");
    let certs: Vec<String> =
        blocks.iter().filter(|b| b.starts_with("-----BEGIN CERTIFICATE-----")).map(|b| sha256_fingerprint_of_pem(b)).collect();
    let mut want: Vec<String> = chain.iter().map(|c| sha256_fingerprint_of_pem(&read_text(c))).collect();
    let mut got = certs.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want, "the PFX holds the leaf and its chain, no more and no less");

    let passin = format!("pass:{password}");
    let key = openssl_ok(&["pkcs12", "-in", path(pfx), "-nocerts", "-nodes", "-passin", &passin], None);
    let key_public = String::from_utf8(openssl_ok(&["pkey", "-pubout"], Some(&key))).expect("openssl prints PEM");
    let leaf = openssl_ok(&["pkcs12", "-in", path(pfx), "-clcerts", "-nokeys", "-passin", &passin], None);
    let leaf_public = String::from_utf8(openssl_ok(&["x509", "-pubkey", "-noout"], Some(&leaf))).expect("openssl prints PEM");
    assert_eq!(key_public, leaf_public, "the PFX's private key must belong to its leaf certificate (openssl pkey -pubout = x509 -pubkey)");
    assert_eq!(key_public, cert_public_key(&chain[0], "PEM"), "the PFX's key must be the key of the original leaf");
}

#[test]
fn pfx_download_without_a_password_opens_in_openssl3() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "in.pfx", &pki.leaf, &pki.leaf_key, &["-certfile", path(&pki.cas), "-passout", "pass:in"]);
    import(&home, VAULT, "exported", &pfx, Some("in"));
    let out = download(&home, VAULT, "exported", &["--encoding", "PFX"], "out.pfx");
    assert_pfx_in_openssl(&out, "", "not-the-password", &pki.rsa_chain());

    // An EC certificate as well.
    let ec_pfx = pkcs12_export(&home, "ec-in.pfx", &pki.ec_leaf, &pki.ec_key, &["-passout", "pass:in"]);
    import(&home, VAULT, "exported-ec", &ec_pfx, Some("in"));
    let out = download(&home, VAULT, "exported-ec", &["--encoding", "PFX"], "ec-out.pfx");
    assert_pfx_in_openssl(&out, "", "not-the-password", &pki.ec_chain()[..1]);
}

#[test]
fn pfx_download_with_a_password_opens_only_with_that_password() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "in.pfx", &pki.leaf, &pki.leaf_key, &["-certfile", path(&pki.cas), "-passout", "pass:in"]);
    import(&home, VAULT, "exported", &pfx, Some("in"));
    let out = download(&home, VAULT, "exported", &["--encoding", "PFX", "--password", "export-pw"], "out.pfx");
    assert_pfx_in_openssl(&out, "export-pw", "export-pX", &pki.rsa_chain());
    assert!(pkcs12_info(&out, "").is_none(), "a password-protected PFX must not open without its password");
    assert!(!String::from_utf8_lossy(&read(&out)).contains("PRIVATE KEY"), "the PFX is binary, not a PEM with the key in the clear");

    // A certificate Vaultmort made itself (default policy: self-signed RSA 2048).
    create_with_policy(&home, "made-here", true);
    let cert = download(&home, VAULT, "made-here", &["--encoding", "PEM"], "made-here.pem");
    let out = download(&home, VAULT, "made-here", &["--encoding", "PFX", "--password", "export-pw"], "made-here.pfx");
    assert_pfx_in_openssl(&out, "export-pw", "", &[cert]);
}

/// Creates certificate `name` in [`VAULT`] from Key Vault's default policy with
/// `keyProperties.exportable` set, and checks it was issued at once.
fn create_with_policy(home: &TestHome, name: &str, exportable: bool) -> Value {
    let mut policy = home.ok(&["keyvault", "certificate", "get-default-policy"]);
    policy["keyProperties"]["exportable"] = Value::Bool(exportable);
    policy["x509CertificateProperties"]["subject"] = Value::String(format!("CN={name}.example.com"));
    let file = home.scratch(&format!("{name}-policy.json"));
    write(&file, policy.to_string().as_bytes());
    let policy_arg = format!("@{}", path(&file));
    let op = home.ok(&["keyvault", "certificate", "create", "--vault-name", VAULT, "--name", name, "--policy", &policy_arg]);
    assert_eq!(op["status"], "completed", "a self-signed certificate is issued at once: {op}");
    let shown = home.ok(&["keyvault", "certificate", "show", "--vault-name", VAULT, "--name", name]);
    assert_eq!(shown["policy"]["keyProperties"]["exportable"], exportable, "the policy keeps keyProperties.exportable");
    shown
}

#[test]
fn pem_and_der_downloads_are_the_same_certificate_in_openssl() {
    let home = TestHome::with_vault(VAULT);
    let pki = Pki::new(&home);
    let pfx = pkcs12_export(&home, "in.pfx", &pki.ec_leaf, &pki.ec_key, &["-certfile", path(&pki.cas), "-passout", "pass:in"]);
    import(&home, VAULT, "imported", &pfx, Some("in"));
    create_with_policy(&home, "created", true);
    for name in ["imported", "created"] {
        let shown = home.ok(&["keyvault", "certificate", "show", "--vault-name", VAULT, "--name", name]);
        let thumbprint = shown["x509ThumbprintHex"].as_str().expect("show prints x509ThumbprintHex").to_string();
        let pem = download(&home, VAULT, name, &["--encoding", "PEM"], &format!("{name}.pem"));
        let der = download(&home, VAULT, name, &["--encoding", "DER"], &format!("{name}.cer"));
        let pem_text = read_text(&pem);
        assert_eq!(pem_blocks(&pem_text).len(), 1, "a PEM download without --chain holds the one certificate: {pem_text}");
        assert!(!pem_text.contains("PRIVATE KEY"), "a PEM certificate download must never carry the private key");
        let pem_fp = sha1_fingerprint(&pem);
        let der_fp = after_equals(&openssl_text(&["x509", "-in", path(&der), "-inform", "DER", "-noout", "-fingerprint", "-sha1"]))
            .replace(':', "")
            .to_uppercase();
        assert_eq!(pem_fp, der_fp, "{name}: the PEM and DER downloads must be the same certificate");
        assert_eq!(pem_fp, thumbprint, "{name}: openssl's SHA-1 fingerprint must equal x509ThumbprintHex");
        assert_eq!(read(&der), unb64(shown["cer"].as_str().expect("show prints cer")), "{name}: the DER download is cer, byte for byte");
        assert_eq!(cert_public_key(&pem, "PEM"), cert_public_key(&der, "DER"), "{name}: both downloads carry the same public key");
    }
    let imported = download(&home, VAULT, "imported", &["--encoding", "PEM"], "imported-again.pem");
    assert_eq!(sha1_fingerprint(&imported), sha1_fingerprint(&pki.ec_leaf), "the imported certificate downloads as the original leaf");
}

#[test]
fn a_non_exportable_key_gives_no_pfx_but_pem_and_der() {
    let home = TestHome::with_vault(VAULT);
    let shown = create_with_policy(&home, "locked", false);
    create_with_policy(&home, "open", true);
    let pfx = home.scratch("locked.pfx");
    for extra in [&[][..], &["--password", "pw"][..]] {
        let mut args = vec![
            "keyvault",
            "certificate",
            "download",
            "--vault-name",
            VAULT,
            "--name",
            "locked",
            "--encoding",
            "PFX",
            "--file",
            path(&pfx),
        ];
        args.extend_from_slice(extra);
        let failure = home.fails(&args);
        assert_eq!(failure.code, "Forbidden", "a PFX carries the private key, which the policy says is not exportable: {}", failure.stderr);
        assert!(failure.stderr.contains("exportable"), "the message should say the key is not exportable: {}", failure.stderr);
        assert!(!pfx.exists(), "no PFX file may be written when the download is refused");
    }
    // The control: the same policy with exportable true downloads as PFX.
    let open = download(&home, VAULT, "open", &["--encoding", "PFX"], "open.pfx");
    assert!(pkcs12_info(&open, "").is_some_and(|i| i.contains("PRIVATE KEY")), "an exportable certificate downloads as a PFX with its key");

    let pem = download(&home, VAULT, "locked", &["--encoding", "PEM"], "locked.pem");
    let der = download(&home, VAULT, "locked", &["--encoding", "DER"], "locked.cer");
    let thumbprint = shown["x509ThumbprintHex"].as_str().expect("show prints x509ThumbprintHex");
    assert_eq!(sha1_fingerprint(&pem), thumbprint, "the PEM download of a non-exportable certificate still works");
    let der_fp = after_equals(&openssl_text(&["x509", "-in", path(&der), "-inform", "DER", "-noout", "-fingerprint", "-sha1"]));
    assert_eq!(der_fp.replace(':', ""), thumbprint, "the DER download of a non-exportable certificate still works");
    assert!(!read_text(&pem).contains("PRIVATE KEY"), "the PEM certificate download never carries the key");
}

#[test]
fn a_pfx_round_trips_between_two_vaults() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "create", "--name", "cert-files-two", "--resource-group", "rg"]);
    let pki = Pki::new(&home);
    let cases =
        [("rsa", &pki.leaf, &pki.leaf_key, pki.rsa_chain(), KeyKind::Rsa), ("ec", &pki.ec_leaf, &pki.ec_key, pki.ec_chain(), KeyKind::Ec)];
    for (tag, leaf, key, chain, kind) in cases {
        let pfx = pkcs12_export(&home, &format!("{tag}-in.pfx"), leaf, key, &["-certfile", path(&pki.cas), "-passout", "pass:in"]);
        let first = import(&home, VAULT, tag, &pfx, Some("in"));
        let moved = download(&home, VAULT, tag, &["--encoding", "PFX", "--password", "carry-pw"], &format!("{tag}-moved.pfx"));
        let second = import(&home, "cert-files-two", tag, &moved, Some("carry-pw"));
        assert_eq!(
            second["x509ThumbprintHex"], first["x509ThumbprintHex"],
            "{tag}: the round trip keeps the certificate (same thumbprint)"
        );
        assert_eq!(second["cer"], first["cer"], "{tag}: the round trip keeps the certificate byte for byte");
        let der_one = download(&home, VAULT, tag, &["--encoding", "DER"], &format!("{tag}-one.cer"));
        let der_two = download(&home, "cert-files-two", tag, &["--encoding", "DER"], &format!("{tag}-two.cer"));
        assert_eq!(cert_public_key(&der_one, "DER"), cert_public_key(&der_two, "DER"), "{tag}: the round trip keeps the public key");
        // The second vault holds the same private key with the same chain.
        assert_imported(&home, "cert-files-two", tag, &chain, kind);
        assert_ne!(second["id"], first["id"], "{tag}: the copy is a separate certificate in the other vault");
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 11 point 9: file modes and symlinks of everything the CLI writes
// ---------------------------------------------------------------------------------------------

/// The permission bits of `file`.
fn mode(file: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(file).unwrap_or_else(|e| panic!("{} should have been written: {e}", file.display())).permissions().mode()
        & 0o777
}

/// A home with a secret, an exportable certificate and a key in [`VAULT`], whose later runs
/// have umask 000 (so a file created with the default mode would be 0666).
fn home_with_umask_000() -> TestHome {
    let mut home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "db-password", "--value", "hunter2"]);
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "signing", "--kty", "EC"]);
    create_with_policy(&home, "site", true);
    home.shell_prelude = Some("umask 000".into());
    home
}

// Regression, issue 11 point 9: files with private content (a secret value, a PFX with the
// private key, a certificate's secret, backups, the access log) are created 0600 whatever the
// umask; public files (certificates, public keys, the CA root) are 0644, never world-writable.
#[test]
fn issue11_point9_private_files_are_0600_under_umask_000() {
    let home = home_with_umask_000();
    let base = ["--vault-name", VAULT];
    let cases: Vec<(&str, Vec<&str>, u32)> = vec![
        ("secret.txt", vec!["keyvault", "secret", "download", "--name", "db-password"], 0o600),
        ("site-secret.pfx", vec!["keyvault", "secret", "download", "--name", "site", "--encoding", "base64"], 0o600),
        ("site.pfx", vec!["keyvault", "certificate", "download", "--name", "site", "--encoding", "PFX"], 0o600),
        ("site-pw.pfx", vec!["keyvault", "certificate", "download", "--name", "site", "--encoding", "PFX", "--password", "pw"], 0o600),
        ("secret.backup", vec!["keyvault", "secret", "backup", "--name", "db-password"], 0o600),
        ("key.backup", vec!["keyvault", "key", "backup", "--name", "signing"], 0o600),
        ("site.backup", vec!["keyvault", "certificate", "backup", "--name", "site"], 0o600),
        ("site.pem", vec!["keyvault", "certificate", "download", "--name", "site", "--encoding", "PEM"], 0o644),
        ("site.cer", vec!["keyvault", "certificate", "download", "--name", "site", "--encoding", "DER"], 0o644),
        ("signing.pem", vec!["keyvault", "key", "download", "--name", "signing"], 0o644),
    ];
    for (file_name, command, expected) in cases {
        let file = home.scratch(file_name);
        let mut args = command.clone();
        args.extend(base);
        args.extend(["--file", path(&file)]);
        home.ok(&args);
        assert_eq!(mode(&file), expected, "`{}` must create {file_name} with mode {expected:o} under umask 000", command.join(" "));
    }
    let log = home.scratch("access.log");
    home.ok(&["keyvault", "log", "export", "--file", path(&log)]);
    assert_eq!(mode(&log), 0o600, "the access log names who read which secret: 0600 under umask 000");
    let root = home.scratch("root.pem");
    home.ok(&["ca", "export-root", "--file", path(&root)]);
    assert_eq!(mode(&root), 0o644, "the practice CA's root certificate is public: 0644, not world-writable");
    let leftovers: Vec<_> = std::fs::read_dir(home.scratch("x").parent().expect("scratch folder"))
        .expect("list the scratch folder")
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file is left beside the downloads: {leftovers:?}");
}

// Regression, issue 11 point 9: a symlink planted where the CLI will write never redirects the
// write. At the target itself it is refused (`FileExists`, as any existing file: the CLI never
// overwrites), even when it dangles; and the temporary file's name cannot be predicted, so a
// symlink planted at the old fixed name `.<file>.vaultmort-partial` is not written through.
#[test]
fn issue11_point9_a_symlink_at_the_target_is_not_followed() {
    let home = home_with_umask_000();
    let elsewhere = home.scratch("elsewhere.txt");
    write(&elsewhere, b"the attacker's file");
    let missing = home.scratch("not-yet-there.txt");
    for (link_name, pointed_to) in [("to-existing.txt", &elsewhere), ("dangling.txt", &missing)] {
        let link = home.scratch(link_name);
        std::os::unix::fs::symlink(pointed_to, &link).expect("plant a symlink at the target");
        let failure =
            home.fails(&["keyvault", "secret", "download", "--vault-name", VAULT, "--name", "db-password", "--file", path(&link)]);
        assert_eq!(failure.code, "FileExists", "a symlink at the target is refused like any existing file: {}", failure.stderr);
        assert!(failure.stderr.contains(link_name), "the message names the target: {}", failure.stderr);
        assert!(std::fs::symlink_metadata(&link).expect("stat").file_type().is_symlink(), "the symlink is left as it was");
    }
    assert_eq!(read(&elsewhere), b"the attacker's file", "the file a symlink points to must not be written");
    assert!(!missing.exists(), "a dangling symlink's target must not be created");

    let target = home.scratch("value.txt");
    let predictable = home.scratch(".value.txt.vaultmort-partial");
    std::os::unix::fs::symlink(&elsewhere, &predictable).expect("plant a symlink at the old temporary name");
    home.ok(&["keyvault", "secret", "download", "--vault-name", VAULT, "--name", "db-password", "--file", path(&target)]);
    assert_eq!(read(&target), b"hunter2", "the download itself is written");
    assert_eq!(mode(&target), 0o600, "and is private");
    assert_eq!(read(&elsewhere), b"the attacker's file", "a symlink beside the target must not receive the secret");
}
