//! Certificates end to end, with openssl as the referee: self-signed RSA and EC certificates
//! against their policy (subject, SANs with the UPN otherName, EKUs, key usage, validity) and
//! their linked key and secret; the CSR flow with an openssl CA (merge as PEM chain, DER and
//! PKCS#7, a certificate for another key refused, cancel and delete); the practice CA's chain;
//! lifetime actions on the shifted clock (AutoRenew with and without key reuse, EmailContacts,
//! near-expiry and expiry events, each exactly once; Unknown and imported certificates never
//! renewed); backup, restore, delete, recover and purge of the three linked objects; and the
//! policy: show, replace (used by the next renewal), disable, and the default policy.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::support::{TestHome, b64, openssl, openssl_ok, unb64};

const VAULT: &str = "certvault";
const SUBJECT: &str = "CN=petdash.example, O=PetDash, C=US";
const DNS_NAMES: [&str; 2] = ["petdash.example", "www.petdash.example"];
const SAN_EMAIL: &str = "admin@petdash.example";
const SAN_UPN: &str = "svc-petdash@petdash.example";
const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
const CONTACT: &str = "certs-team@petdash.example";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn p(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// The key a test policy asks for.
#[derive(Clone, Copy)]
enum KeyKind {
    Rsa2048,
    Ec(&'static str),
}

/// The PetDash policy of the acceptance criteria, in az's camelCase names.
fn petdash_policy(key: KeyKind, issuer: &str) -> Value {
    let (key_properties, key_usage) = match key {
        KeyKind::Rsa2048 => (
            json!({"exportable": true, "keyType": "RSA", "keySize": 2048, "reuseKey": false}),
            json!(["digitalSignature", "keyEncipherment"]),
        ),
        KeyKind::Ec(curve) => {
            (json!({"exportable": true, "keyType": "EC", "curve": curve, "reuseKey": false}), json!(["digitalSignature"]))
        }
    };
    json!({
        "keyProperties": key_properties,
        "secretProperties": {"contentType": "application/x-pkcs12"},
        "x509CertificateProperties": {
            "subject": SUBJECT,
            "subjectAlternativeNames": {"dnsNames": DNS_NAMES, "emails": [SAN_EMAIL], "upns": [SAN_UPN]},
            "ekus": [SERVER_AUTH, CLIENT_AUTH],
            "keyUsage": key_usage,
            "validityInMonths": 12
        },
        "issuerParameters": {"name": issuer}
    })
}

/// A small RSA policy valid `months` months with the given lifetime actions.
fn lifetime_policy(months: i64, reuse_key: bool, actions: Value) -> Value {
    json!({
        "keyProperties": {"exportable": true, "keyType": "RSA", "keySize": 2048, "reuseKey": reuse_key},
        "secretProperties": {"contentType": "application/x-pkcs12"},
        "x509CertificateProperties": {"subject": "CN=renewing.petdash.example", "keyUsage": ["digitalSignature"], "validityInMonths": months},
        "lifetimeActions": actions,
        "issuerParameters": {"name": "Self"}
    })
}

fn auto_renew_at_percent(percent: i64) -> Value {
    json!({"trigger": {"lifetimePercentage": percent}, "action": {"actionType": "AutoRenew"}})
}

fn email_days_before(days: i64) -> Value {
    json!({"trigger": {"daysBeforeExpiry": days}, "action": {"actionType": "EmailContacts"}})
}

/// Writes `policy` to a scratch file and returns the `@file` argument.
fn policy_arg(home: &TestHome, file: &str, policy: &Value) -> String {
    let path = home.scratch(file);
    std::fs::write(&path, serde_json::to_vec_pretty(policy).expect("a policy serializes")).expect("write the policy file");
    format!("@{}", p(&path))
}

/// `certificate create --policy @file`, returning the operation.
fn create(home: &TestHome, name: &str, policy: &Value) -> Value {
    let arg = policy_arg(home, &format!("{name}.policy.json"), policy);
    home.ok(&["keyvault", "certificate", "create", "--vault-name", VAULT, "--name", name, "--policy", &arg])
}

/// Creates a certificate whose issuer completes at once and returns `certificate show`.
fn create_issued(home: &TestHome, name: &str, policy: &Value) -> Value {
    let op = create(home, name, policy);
    assert_eq!(op["status"], "completed", "Self and the practice CA issue at once, so the operation is completed: {op}");
    show(home, name)
}

fn show(home: &TestHome, name: &str) -> Value {
    home.ok(&["keyvault", "certificate", "show", "--vault-name", VAULT, "--name", name])
}

fn show_version(home: &TestHome, name: &str, version: &str) -> Value {
    home.ok(&["keyvault", "certificate", "show", "--vault-name", VAULT, "--name", name, "--version", version])
}

/// The last path segment of an id URL (the version).
fn version_of(id: &Value) -> String {
    id.as_str().expect("ids are strings").rsplit('/').next().expect("an id has segments").to_string()
}

/// Downloads a certificate version as `encoding` (optionally with its chain) into a scratch file.
fn download(home: &TestHome, name: &str, version: Option<&str>, encoding: &str, chain: bool, file: &str) -> PathBuf {
    let path = home.scratch(file);
    let mut args =
        vec!["keyvault", "certificate", "download", "--vault-name", VAULT, "--name", name, "--encoding", encoding, "--file", p(&path)];
    if let Some(version) = version {
        args.extend(["--version", version]);
    }
    if chain {
        args.push("--chain");
    }
    let printed = home.ok(&args);
    assert_eq!(printed, Value::Null, "download writes the file and prints nothing");
    path
}

fn download_pem(home: &TestHome, name: &str, version: Option<&str>) -> PathBuf {
    let file = format!("{name}-{}.pem", version.unwrap_or("latest"));
    download(home, name, version, "PEM", false, &file)
}

/// openssl's view of a certificate file (`openssl x509 -in f <args>`), as text.
fn x509(cert: &Path, args: &[&str]) -> String {
    let mut all = vec!["x509", "-in", p(cert), "-noout"];
    all.extend_from_slice(args);
    String::from_utf8(openssl_ok(&all, None)).expect("openssl prints text")
}

/// The certificate's SubjectPublicKeyInfo (DER), as openssl extracts it.
fn cert_spki(cert: &Path) -> Vec<u8> {
    let pem = openssl_ok(&["x509", "-in", p(cert), "-noout", "-pubkey"], None);
    openssl_ok(&["pkey", "-pubin", "-outform", "DER"], Some(&pem))
}

/// The SubjectPublicKeyInfo (DER) of `key download --encoding PEM`, normalized by openssl.
fn key_spki(home: &TestHome, name: &str, version: Option<&str>) -> Vec<u8> {
    let path = home.scratch(&format!("{name}-{}-key.pem", version.unwrap_or("latest")));
    let _ = std::fs::remove_file(&path);
    let mut args = vec!["keyvault", "key", "download", "--vault-name", VAULT, "--name", name, "--encoding", "PEM", "--file", p(&path)];
    if let Some(version) = version {
        args.extend(["--version", version]);
    }
    home.ok(&args);
    let pem = std::fs::read(&path).expect("key download wrote the PEM");
    openssl_ok(&["pkey", "-pubin", "-outform", "DER"], Some(&pem))
}

/// The SHA-1 fingerprint openssl computes, as upper-case hex without colons.
fn sha1_fingerprint(cert: &Path) -> String {
    let text = x509(cert, &["-fingerprint", "-sha1"]);
    let (_, value) = text.trim().split_once('=').expect("openssl prints `SHA1 Fingerprint=AA:BB:...`");
    value.replace(':', "").to_ascii_uppercase()
}

/// notBefore and notAfter as openssl reads them.
fn openssl_dates(cert: &Path) -> (DateTime<Utc>, DateTime<Utc>) {
    let text = x509(cert, &["-dates", "-dateopt", "iso_8601"]);
    let field = |name: &str| -> DateTime<Utc> {
        let value = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("openssl -dates prints {name}: {text}"));
        let naive = chrono::NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%d %H:%M:%SZ")
            .unwrap_or_else(|e| panic!("openssl's iso_8601 date '{value}' parses: {e}"));
        naive.and_utc()
    };
    (field("notBefore"), field("notAfter"))
}

/// The PEM blocks with `label` in `text`, each with its BEGIN and END lines.
fn pem_blocks(text: &str, label: &str) -> Vec<String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start..];
        let stop = after.find(&end).expect("every PEM BEGIN has its END") + end.len();
        out.push(format!("{}\n", &after[..stop]));
        rest = &after[stop..];
    }
    out
}

/// `secret show --name <cert>`: the JSON and the decoded value bytes.
fn secret_of(home: &TestHome, name: &str) -> (Value, Vec<u8>) {
    let secret = home.ok(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", name]);
    let value = unb64(secret["value"].as_str().expect("a certificate's secret has a value"));
    (secret, value)
}

/// What `openssl pkcs12 -info -nodes -passin pass:` prints for a PFX (it fails the test if openssl cannot read it).
fn pkcs12_dump(home: &TestHome, pfx: &[u8], file: &str) -> String {
    let path = home.scratch(file);
    std::fs::write(&path, pfx).expect("write the PFX");
    let out = openssl(&["pkcs12", "-in", p(&path), "-info", "-nodes", "-passin", "pass:"], None);
    assert!(
        out.status.success(),
        "openssl must read the certificate's PFX with the empty password: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("openssl prints text")
}

/// The SubjectPublicKeyInfo (DER) derived by openssl from a private key in PEM.
fn private_key_spki(pem: &str) -> Vec<u8> {
    openssl_ok(&["pkey", "-pubout", "-outform", "DER"], Some(pem.as_bytes()))
}

/// DER of a PEM certificate block, by openssl.
fn pem_to_der(pem: &str) -> Vec<u8> {
    openssl_ok(&["x509", "-outform", "DER"], Some(pem.as_bytes()))
}

fn versions(home: &TestHome, name: &str) -> Vec<String> {
    let list = home.ok(&["keyvault", "certificate", "list-versions", "--vault-name", VAULT, "--name", name]);
    let mut out: Vec<String> = list.as_array().expect("list-versions prints an array").iter().map(|v| version_of(&v["id"])).collect();
    out.sort();
    out
}

/// The events of one type about certificate `name` (any version), oldest first.
fn events(home: &TestHome, event_type: &str, name: &str) -> Vec<Value> {
    let all = home.ok(&["events", "list", "--vault-name", VAULT, "--event-type", event_type]);
    let prefix = format!("certificates/{name}/");
    all.as_array()
        .expect("events list prints an array")
        .iter()
        .filter(|e| e["subject"].as_str().is_some_and(|s| s.starts_with(&prefix)))
        .cloned()
        .collect()
}

fn time_of(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().unwrap_or_else(|| panic!("expected an RFC 3339 time, got {value}"));
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("'{text}' is RFC 3339: {e}")).with_timezone(&Utc)
}

fn clock_now(home: &TestHome) -> DateTime<Utc> {
    time_of(&home.ok(&["clock", "show"])["now"])
}

/// Shifts the clock (whole hours, rounding up) so that it reads at least `target`, at most an hour later.
fn shift_to(home: &TestHome, target: DateTime<Utc>) {
    let now = clock_now(home);
    let seconds = (target - now).num_seconds();
    assert!(seconds > 0, "the test only moves the clock forward: now {now}, target {target}");
    let hours = (seconds + 3599) / 3600;
    home.ok(&["clock", "shift", "--hours", &hours.to_string()]);
}

/// When a LifetimePercentage trigger fires, computed as Key Vault does (the share of the validity period).
fn percent_point(not_before: DateTime<Utc>, not_after: DateTime<Utc>, percent: i64) -> DateTime<Utc> {
    not_before + Duration::seconds((not_after - not_before).num_seconds() * percent / 100)
}

fn validity(cert: &Value) -> (DateTime<Utc>, DateTime<Utc>) {
    (time_of(&cert["attributes"]["notBefore"]), time_of(&cert["attributes"]["expires"]))
}

/// A test CA made by openssl: a self-signed CA:TRUE certificate and its key.
struct OpensslCa {
    cert: PathBuf,
    key: PathBuf,
}

fn make_ca(home: &TestHome) -> OpensslCa {
    let cert = home.scratch("ca.pem");
    let key = home.scratch("ca.key");
    openssl_ok(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=Test CA",
            "-days",
            "60",
            "-keyout",
            p(&key),
            "-out",
            p(&cert),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        None,
    );
    OpensslCa { cert, key }
}

/// Has the openssl CA sign a CSR (DER), copying its requested extensions; returns the PEM leaf.
fn sign_csr(home: &TestHome, ca: &OpensslCa, csr_der: &[u8], file: &str) -> PathBuf {
    let csr = home.scratch(&format!("{file}.csr.der"));
    std::fs::write(&csr, csr_der).expect("write the CSR");
    let out = home.scratch(file);
    openssl_ok(
        &[
            "x509",
            "-req",
            "-inform",
            "DER",
            "-in",
            p(&csr),
            "-CA",
            p(&ca.cert),
            "-CAkey",
            p(&ca.key),
            "-CAcreateserial",
            "-days",
            "30",
            "-copy_extensions",
            "copy",
            "-out",
            p(&out),
        ],
        None,
    );
    out
}

/// Creates a certificate with issuer Unknown and returns its CSR (DER) from `pending show`.
fn create_pending(home: &TestHome, name: &str, policy: &Value) -> Vec<u8> {
    let op = create(home, name, policy);
    assert_eq!(op["status"], "inProgress", "issuer Unknown leaves the operation in progress until a merge: {op}");
    let pending = home.ok(&["keyvault", "certificate", "pending", "show", "--vault-name", VAULT, "--name", name]);
    assert_eq!(pending["status"], "inProgress", "pending show reports the operation in progress: {pending}");
    unb64(pending["csr"].as_str().expect("pending show carries the CSR as base64 DER"))
}

fn merge(home: &TestHome, name: &str, file: &Path) -> Value {
    home.ok(&["keyvault", "certificate", "pending", "merge", "--vault-name", VAULT, "--name", name, "--file", p(file)])
}

fn pending_status(home: &TestHome, name: &str) -> Value {
    home.ok(&["keyvault", "certificate", "pending", "show", "--vault-name", VAULT, "--name", name])["status"].clone()
}

/// Checks that certificate, key and secret of `cert` (a `certificate show` answer) agree: the
/// same version in id, kid and sid, the key's public key is the certificate's, and the secret
/// is a PFX whose private key belongs to the certificate. Returns the secret's PFX dump.
fn assert_linked_objects_agree(home: &TestHome, name: &str, cert: &Value, cert_pem: &Path) -> String {
    let version = version_of(&cert["id"]);
    assert_eq!(version_of(&cert["kid"]), version, "the certificate's kid names its own version: {cert}");
    assert_eq!(version_of(&cert["sid"]), version, "the certificate's sid names its own version: {cert}");
    let key = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", name]);
    assert_eq!(key["key"]["kid"], cert["kid"], "`key show --name <cert>` is the certificate's key version");
    assert_eq!(key["managed"], true, "a certificate's key is managed by the certificate");
    assert_eq!(key_spki(home, name, None), cert_spki(cert_pem), "the key's public key is the certificate's public key (openssl)");
    let (secret, pfx) = secret_of(home, name);
    assert_eq!(secret["id"], cert["sid"], "`secret show --name <cert>` is the certificate's secret version");
    assert_eq!(secret["contentType"], "application/x-pkcs12", "the policy's content type is the secret's");
    assert_eq!(secret["kid"], cert["kid"], "a certificate's secret points at the certificate's key");
    assert_eq!(secret["managed"], true, "a certificate's secret is managed by the certificate");
    let dump = pkcs12_dump(home, &pfx, &format!("{name}-{version}-secret.pfx"));
    let keys = pem_blocks(&dump, "PRIVATE KEY");
    assert_eq!(keys.len(), 1, "an exportable certificate's PFX holds its private key: {dump}");
    assert_eq!(private_key_spki(&keys[0]), cert_spki(cert_pem), "the PFX's private key belongs to the certificate");
    let certs = pem_blocks(&dump, "CERTIFICATE");
    let leaf = std::fs::read_to_string(cert_pem).expect("the downloaded PEM reads");
    assert!(
        certs.iter().any(|c| pem_to_der(c) == pem_to_der(&leaf)),
        "the PFX holds the certificate itself (found {} certificates)",
        certs.len()
    );
    dump
}

// ---------------------------------------------------------------------------------------------
// 1. Self-signed certificates against their policy
// ---------------------------------------------------------------------------------------------

/// Creates a self-signed PetDash certificate and checks every policy item with openssl, then
/// its key and secret.
fn self_signed_matches_policy(key: KeyKind) {
    let home = TestHome::with_vault(VAULT);
    let cert = create_issued(&home, "petdash", &petdash_policy(key, "Self"));
    let pem = download_pem(&home, "petdash", None);

    let subject = x509(&pem, &["-subject", "-nameopt", "RFC2253"]);
    assert_eq!(subject.trim(), "subject=CN=petdash.example,O=PetDash,C=US", "the subject holds CN, O and C of the policy");
    let issuer = x509(&pem, &["-issuer", "-nameopt", "RFC2253"]);
    assert_eq!(issuer.trim(), "issuer=CN=petdash.example,O=PetDash,C=US", "a self-signed certificate is its own issuer");

    let text = x509(&pem, &["-text"]);
    let san_line = text
        .lines()
        .skip_while(|l| !l.contains("X509v3 Subject Alternative Name"))
        .nth(1)
        .unwrap_or_else(|| panic!("the certificate has a SAN extension: {text}"))
        .trim()
        .to_string();
    let sans: Vec<&str> = san_line.split(", ").collect();
    for dns in DNS_NAMES {
        assert!(sans.contains(&format!("DNS:{dns}").as_str()), "SAN DNS:{dns} from the policy is present: {san_line}");
    }
    assert!(sans.contains(&format!("email:{SAN_EMAIL}").as_str()), "the policy's email is an rfc822Name SAN: {san_line}");
    assert!(
        sans.iter().any(|s| s.starts_with("othername:") && s.contains("UPN") && s.ends_with(SAN_UPN)),
        "the policy's UPN is an otherName (UPN) SAN: {san_line}"
    );
    assert_eq!(sans.len(), 4, "exactly the policy's four SANs, nothing more: {san_line}");

    let ext = |name: &str| -> String {
        let block = x509(&pem, &["-ext", name]);
        block.lines().skip(1).map(str::trim).collect::<Vec<_>>().join(" ")
    };
    let eku = ext("extendedKeyUsage");
    assert_eq!(eku, "TLS Web Server Authentication, TLS Web Client Authentication", "the EKUs are serverAuth and clientAuth");
    let key_usage = x509(&pem, &["-ext", "keyUsage"]);
    let expected_usage = match key {
        KeyKind::Rsa2048 => "Digital Signature, Key Encipherment",
        KeyKind::Ec(_) => "Digital Signature",
    };
    assert_eq!(key_usage.lines().nth(1).map(str::trim), Some(expected_usage), "the key usage is exactly the policy's: {key_usage}");
    assert!(key_usage.contains("critical"), "key usage is a critical extension (RFC 5280 4.2.1.3): {key_usage}");

    match key {
        KeyKind::Rsa2048 => assert!(text.contains("Public-Key: (2048 bit)") && text.contains("rsaEncryption"), "an RSA 2048 key: {text}"),
        KeyKind::Ec(curve) => {
            assert!(text.contains("id-ecPublicKey"), "an EC key: {text}");
            assert!(text.contains(&format!("NIST CURVE: {curve}")), "the policy's curve {curve}: {text}");
        }
    }

    let (not_before, not_after) = openssl_dates(&pem);
    let days = (not_after - not_before).num_days();
    assert!((365..=366).contains(&days), "12 months of validity is 365 or 366 days, openssl reads {days} ({not_before} .. {not_after})");
    assert_eq!(not_before.checked_add_months(chrono::Months::new(12)), Some(not_after), "notAfter is exactly 12 months after notBefore");
    assert_eq!(validity(&cert), (not_before, not_after), "the certificate's nbf/exp attributes are its validity");

    let verify = openssl(&["verify", "-x509_strict", "-CAfile", p(&pem), p(&pem)], None);
    assert!(
        verify.status.success(),
        "openssl verifies the self-signed certificate strictly against itself: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );

    assert_eq!(cert["x509ThumbprintHex"].as_str(), Some(sha1_fingerprint(&pem).as_str()), "x509ThumbprintHex is the SHA-1 fingerprint");
    let der = download(&home, "petdash", None, "DER", false, "petdash.der");
    assert_eq!(std::fs::read(&der).expect("DER download"), pem_to_der(&std::fs::read_to_string(&pem).expect("PEM")), "DER = PEM");
    assert_eq!(unb64(cert["cer"].as_str().expect("cer")), std::fs::read(&der).expect("DER"), "cer is the certificate's DER");

    assert_linked_objects_agree(&home, "petdash", &cert, &pem);
}

#[test]
fn self_signed_rsa_2048_matches_its_policy_in_openssl() {
    self_signed_matches_policy(KeyKind::Rsa2048);
}

#[test]
fn self_signed_ec_p256_matches_its_policy_in_openssl() {
    self_signed_matches_policy(KeyKind::Ec("P-256"));
}

#[test]
fn self_signed_ec_p384_matches_its_policy_in_openssl() {
    self_signed_matches_policy(KeyKind::Ec("P-384"));
}

#[test]
fn non_exportable_certificate_secret_holds_no_private_key() {
    let home = TestHome::with_vault(VAULT);
    let mut policy = petdash_policy(KeyKind::Ec("P-256"), "Self");
    policy["keyProperties"]["exportable"] = json!(false);
    let cert = create_issued(&home, "locked", &policy);
    let pem = download_pem(&home, "locked", None);

    let (secret, pfx) = secret_of(&home, "locked");
    assert_eq!(secret["contentType"], "application/x-pkcs12", "the secret is still a PFX");
    let dump = pkcs12_dump(&home, &pfx, "locked.pfx");
    assert!(pem_blocks(&dump, "PRIVATE KEY").is_empty(), "a non-exportable key never leaves the vault in the secret: {dump}");
    let certs = pem_blocks(&dump, "CERTIFICATE");
    assert_eq!(certs.len(), 1, "the secret still carries the certificate: {dump}");
    assert_eq!(pem_to_der(&certs[0]), unb64(cert["cer"].as_str().expect("cer")), "the secret's certificate is the certificate");

    let key = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "locked"]);
    assert_eq!(key["key"]["kid"], cert["kid"], "the key still exists for signing in the vault");
    assert_eq!(key_spki(&home, "locked", None), cert_spki(&pem), "and it is the certificate's key");

    let refused = home.fails(&[
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
        p(&home.scratch("locked-download.pfx")),
    ]);
    assert!(refused.stderr.contains("not exportable"), "a PFX download of a non-exportable key is refused and says why: {refused:?}");
    assert!(!home.scratch("locked-download.pfx").exists(), "a refused download writes no file");
}

// ---------------------------------------------------------------------------------------------
// 2. The CSR flow with issuer Unknown
// ---------------------------------------------------------------------------------------------

/// Checks a CSR with openssl: the self-signature verifies and subject and SANs are the policy's.
fn assert_csr_matches_policy(home: &TestHome, csr: &[u8]) {
    let path = home.scratch("request.csr.der");
    std::fs::write(&path, csr).expect("write the CSR");
    let out = openssl(&["req", "-inform", "DER", "-in", p(&path), "-verify", "-noout"], None);
    assert!(out.status.success(), "openssl verifies the CSR's self-signature: {}", String::from_utf8_lossy(&out.stderr));
    let subject =
        String::from_utf8(openssl_ok(&["req", "-inform", "DER", "-in", p(&path), "-noout", "-subject", "-nameopt", "RFC2253"], None))
            .expect("text");
    assert_eq!(subject.trim(), "subject=CN=petdash.example,O=PetDash,C=US", "the CSR asks for the policy's subject");
    let text = String::from_utf8(openssl_ok(&["req", "-inform", "DER", "-in", p(&path), "-noout", "-text"], None)).expect("text");
    for dns in DNS_NAMES {
        assert!(text.contains(&format!("DNS:{dns}")), "the CSR requests SAN DNS:{dns}: {text}");
    }
    assert!(text.contains(&format!("email:{SAN_EMAIL}")), "the CSR requests the email SAN: {text}");
    assert!(text.contains(SAN_UPN) && text.contains("UPN"), "the CSR requests the UPN otherName: {text}");
    assert!(text.contains("TLS Web Server Authentication"), "the CSR requests the policy's EKUs: {text}");
}

#[test]
fn csr_merged_as_pem_with_chain_links_certificate_key_and_secret() {
    let home = TestHome::with_vault(VAULT);
    let csr = create_pending(&home, "webapp", &petdash_policy(KeyKind::Rsa2048, "Unknown"));
    assert_csr_matches_policy(&home, &csr);

    let ca = make_ca(&home);
    let leaf = sign_csr(&home, &ca, &csr, "webapp-leaf.pem");
    let chain = home.scratch("webapp-chain.pem");
    let mut both = std::fs::read(&leaf).expect("leaf");
    both.extend(std::fs::read(&ca.cert).expect("CA"));
    std::fs::write(&chain, both).expect("write the chain");

    let merged = merge(&home, "webapp", &chain);
    assert_eq!(merged["issuer"], "CN=Test CA", "the merged certificate is the CA-signed one");
    assert_eq!(pending_status(&home, "webapp"), "completed", "after the merge the operation is completed");
    let pending = home.ok(&["keyvault", "certificate", "pending", "show", "--vault-name", VAULT, "--name", "webapp"]);
    assert_eq!(pending["target"], merged["id"], "the completed operation points at the merged version");

    let cert = show(&home, "webapp");
    assert_eq!(cert["id"], merged["id"], "the merged version is the certificate's current version");
    let pem = download_pem(&home, "webapp", None);
    assert_eq!(
        pem_to_der(&std::fs::read_to_string(&pem).expect("pem")),
        pem_to_der(&std::fs::read_to_string(&leaf).expect("leaf")),
        "the stored certificate is the signed leaf"
    );
    let verify = openssl(&["verify", "-x509_strict", "-CAfile", p(&ca.cert), p(&pem)], None);
    assert!(verify.status.success(), "the downloaded certificate chains to the test CA: {}", String::from_utf8_lossy(&verify.stderr));

    let dump = assert_linked_objects_agree(&home, "webapp", &cert, &pem);
    let certs: Vec<Vec<u8>> = pem_blocks(&dump, "CERTIFICATE").iter().map(|c| pem_to_der(c)).collect();
    let ca_der = pem_to_der(&std::fs::read_to_string(&ca.cert).expect("CA"));
    assert_eq!(certs.len(), 2, "the secret's PFX holds the leaf and the CA that came with it: {dump}");
    assert!(certs.contains(&ca_der), "the merged chain's CA is in the secret's PFX");

    let chain_download = download(&home, "webapp", None, "PEM", true, "webapp-download-chain.pem");
    let blocks = pem_blocks(&std::fs::read_to_string(&chain_download).expect("chain"), "CERTIFICATE");
    assert_eq!(blocks.len(), 2, "download --chain gives the leaf and the merged CA");
    assert_eq!(pem_to_der(&blocks[1]), ca_der, "the chain continues with the CA");

    let key = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "webapp"]);
    assert_eq!(key["attributes"]["enabled"], true, "the merged certificate's key is enabled");
}

#[test]
fn csr_merged_as_der_alone() {
    let home = TestHome::with_vault(VAULT);
    let csr = create_pending(&home, "derleaf", &petdash_policy(KeyKind::Ec("P-256"), "Unknown"));
    let ca = make_ca(&home);
    let leaf = sign_csr(&home, &ca, &csr, "derleaf.pem");
    let der = home.scratch("derleaf.der");
    std::fs::write(&der, pem_to_der(&std::fs::read_to_string(&leaf).expect("leaf"))).expect("write DER");

    let merged = merge(&home, "derleaf", &der);
    assert_eq!(unb64(merged["cer"].as_str().expect("cer")), std::fs::read(&der).expect("DER"), "the merged certificate is the DER given");
    assert_eq!(pending_status(&home, "derleaf"), "completed", "the operation is completed");
    let pem = download_pem(&home, "derleaf", None);
    let dump = assert_linked_objects_agree(&home, "derleaf", &show(&home, "derleaf"), &pem);
    assert_eq!(pem_blocks(&dump, "CERTIFICATE").len(), 1, "a leaf merged alone gives a PFX with the leaf only: {dump}");
}

#[test]
fn csr_merged_as_pkcs7_brings_its_chain() {
    let home = TestHome::with_vault(VAULT);
    let csr = create_pending(&home, "p7leaf", &petdash_policy(KeyKind::Rsa2048, "Unknown"));
    let ca = make_ca(&home);
    let leaf = sign_csr(&home, &ca, &csr, "p7leaf.pem");
    let p7b = home.scratch("p7leaf.p7b");
    openssl_ok(&["crl2pkcs7", "-nocrl", "-certfile", p(&leaf), "-certfile", p(&ca.cert), "-out", p(&p7b)], None);

    let merged = merge(&home, "p7leaf", &p7b);
    let leaf_der = pem_to_der(&std::fs::read_to_string(&leaf).expect("leaf"));
    assert_eq!(unb64(merged["cer"].as_str().expect("cer")), leaf_der, "the leaf of the PKCS#7 bundle becomes the certificate");
    let pem = download_pem(&home, "p7leaf", None);
    let dump = assert_linked_objects_agree(&home, "p7leaf", &show(&home, "p7leaf"), &pem);
    let certs: Vec<Vec<u8>> = pem_blocks(&dump, "CERTIFICATE").iter().map(|c| pem_to_der(c)).collect();
    assert!(certs.contains(&pem_to_der(&std::fs::read_to_string(&ca.cert).expect("CA"))), "the PKCS#7's CA is in the secret: {dump}");
    assert_eq!(certs.len(), 2, "leaf and CA, no more: {dump}");
}

#[test]
fn merging_a_certificate_for_another_key_is_refused_and_changes_nothing() {
    let home = TestHome::with_vault(VAULT);
    let csr = create_pending(&home, "guarded", &petdash_policy(KeyKind::Rsa2048, "Unknown"));
    let ca = make_ca(&home);

    // A certificate for a key openssl made, with the same subject: only the key differs.
    let other_key = home.scratch("other.key");
    let other_csr = home.scratch("other.csr.der");
    openssl_ok(
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/C=US/O=PetDash/CN=petdash.example",
            "-keyout",
            p(&other_key),
            "-outform",
            "DER",
            "-out",
            p(&other_csr),
        ],
        None,
    );
    let foreign = sign_csr(&home, &ca, &std::fs::read(&other_csr).expect("CSR"), "foreign.pem");
    let refused =
        home.fails(&["keyvault", "certificate", "pending", "merge", "--vault-name", VAULT, "--name", "guarded", "--file", p(&foreign)]);
    assert_eq!(refused.code, "KeyMismatch", "a certificate for another key must be refused as a key mismatch: {refused:?}");
    assert!(
        refused.stderr.contains("another key") || refused.stderr.contains("does not match"),
        "the message says the certificate belongs to another key: {}",
        refused.stderr
    );
    assert_eq!(pending_status(&home, "guarded"), "inProgress", "a refused merge leaves the operation in progress");
    home.fails(&["keyvault", "certificate", "show", "--vault-name", VAULT, "--name", "guarded"]);

    let right = sign_csr(&home, &ca, &csr, "right.pem");
    let merged = merge(&home, "guarded", &right);
    assert_eq!(pending_status(&home, "guarded"), "completed", "the right certificate still merges after a refused one");
    let pem = download_pem(&home, "guarded", None);
    assert_linked_objects_agree(&home, "guarded", &merged, &pem);
    assert_eq!(versions(&home, "guarded").len(), 1, "the refused merge left no version behind");
}

#[test]
fn merge_without_an_operation_in_progress_is_bad_parameter() {
    let home = TestHome::with_vault(VAULT);
    create_issued(&home, "selfmade", &petdash_policy(KeyKind::Ec("P-256"), "Self"));
    let ca = make_ca(&home);
    let leaf = home.scratch("any.pem");
    std::fs::copy(&ca.cert, &leaf).expect("copy");
    let refused =
        home.fails(&["keyvault", "certificate", "pending", "merge", "--vault-name", VAULT, "--name", "selfmade", "--file", p(&leaf)]);
    assert_eq!(refused.code, "BadParameter", "a certificate with no operation in progress has nothing to merge into: {refused:?}");
    assert!(refused.stderr.contains("pending"), "the message says there is no pending operation: {}", refused.stderr);

    // A cancelled operation takes no merge either.
    let csr = create_pending(&home, "dropped", &petdash_policy(KeyKind::Rsa2048, "Unknown"));
    home.ok(&["keyvault", "certificate", "pending", "cancel", "--vault-name", VAULT, "--name", "dropped"]);
    let signed = sign_csr(&home, &ca, &csr, "dropped.pem");
    let refused =
        home.fails(&["keyvault", "certificate", "pending", "merge", "--vault-name", VAULT, "--name", "dropped", "--file", p(&signed)]);
    assert_eq!(refused.code, "BadParameter", "a cancelled operation cannot be merged into: {refused:?}");
}

#[test]
fn pending_cancel_then_delete() {
    let home = TestHome::with_vault(VAULT);
    create_pending(&home, "abandoned", &petdash_policy(KeyKind::Rsa2048, "Unknown"));
    let cancelled = home.ok(&["keyvault", "certificate", "pending", "cancel", "--vault-name", VAULT, "--name", "abandoned"]);
    assert_eq!(cancelled["status"], "cancelled", "cancel answers with the cancelled operation: {cancelled}");
    assert_eq!(cancelled["cancellationRequested"], true, "cancel records that cancellation was requested");
    assert_eq!(pending_status(&home, "abandoned"), "cancelled", "pending show reports the cancellation afterwards");

    home.ok(&["keyvault", "certificate", "pending", "delete", "--vault-name", VAULT, "--name", "abandoned"]);
    let gone = home.fails(&["keyvault", "certificate", "pending", "show", "--vault-name", VAULT, "--name", "abandoned"]);
    assert_eq!(gone.code, "CertificateNotFound", "a deleted operation is not found: {gone:?}");
    assert_eq!(gone.status, 3, "not found exits with 3");
}

// ---------------------------------------------------------------------------------------------
// 3. The practice CA
// ---------------------------------------------------------------------------------------------

#[test]
fn practice_ca_chain_verifies_against_the_exported_root() {
    let home = TestHome::with_vault(VAULT);
    let issuer = home.ok(&[
        "keyvault",
        "certificate",
        "issuer",
        "create",
        "--vault-name",
        VAULT,
        "--issuer-name",
        "practice",
        "--provider-name",
        "VaultmortPractice",
    ]);
    assert_eq!(issuer["provider"], "VaultmortPractice", "the issuer keeps its provider");
    let cert = create_issued(&home, "practiced", &petdash_policy(KeyKind::Ec("P-256"), "practice"));

    let root = home.scratch("root.pem");
    home.ok(&["ca", "export-root", "-f", p(&root)]);
    let root_der_file = home.scratch("root.der");
    home.ok(&["ca", "export-root", "-f", p(&root_der_file), "--encoding", "DER"]);
    let root_pem = std::fs::read_to_string(&root).expect("root PEM");
    assert_eq!(std::fs::read(&root_der_file).expect("root DER"), pem_to_der(&root_pem), "export-root DER is the PEM's certificate");

    let root_text = x509(&root, &["-text"]);
    let constraints = x509(&root, &["-ext", "basicConstraints"]);
    assert!(constraints.contains("CA:TRUE"), "the root is a CA: {constraints}");
    assert_eq!(
        x509(&root, &["-subject", "-nameopt", "RFC2253"]).trim_start_matches("subject="),
        x509(&root, &["-issuer", "-nameopt", "RFC2253"]).trim_start_matches("issuer="),
        "the root is self-issued: {root_text}"
    );
    let self_check = openssl(&["verify", "-x509_strict", "-CAfile", p(&root), p(&root)], None);
    assert!(self_check.status.success(), "the root's self-signature verifies: {}", String::from_utf8_lossy(&self_check.stderr));

    let chain = download(&home, "practiced", None, "PEM", true, "practiced-chain.pem");
    let blocks = pem_blocks(&std::fs::read_to_string(&chain).expect("chain"), "CERTIFICATE");
    assert!(blocks.len() >= 2, "download --chain gives the leaf and at least the intermediate, got {}", blocks.len());
    let leaf = home.scratch("practiced-leaf.pem");
    let intermediate = home.scratch("practiced-intermediate.pem");
    std::fs::write(&leaf, &blocks[0]).expect("leaf");
    std::fs::write(&intermediate, &blocks[1]).expect("intermediate");
    assert_eq!(pem_to_der(&blocks[0]), unb64(cert["cer"].as_str().expect("cer")), "the chain starts with the certificate");
    if let Some(third) = blocks.get(2) {
        assert_eq!(pem_to_der(third), pem_to_der(&root_pem), "a third chain certificate can only be the exported root");
    }
    let intermediate_constraints = x509(&intermediate, &["-ext", "basicConstraints"]);
    assert!(intermediate_constraints.contains("CA:TRUE"), "the intermediate is a CA: {intermediate_constraints}");

    let verify = openssl(&["verify", "-x509_strict", "-CAfile", p(&root), "-untrusted", p(&intermediate), p(&leaf)], None);
    assert!(
        verify.status.success(),
        "openssl verifies leaf <- intermediate <- exported root strictly: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let without_intermediate = openssl(&["verify", "-CAfile", p(&root), p(&leaf)], None);
    assert!(!without_intermediate.status.success(), "the leaf is signed by the intermediate, not directly by the root");

    assert_eq!(x509(&leaf, &["-subject", "-nameopt", "RFC2253"]).trim(), "subject=CN=petdash.example,O=PetDash,C=US", "policy subject");
    let (not_before, not_after) = openssl_dates(&leaf);
    assert_eq!(not_before.checked_add_months(chrono::Months::new(12)), Some(not_after), "the practice CA honours 12 months of validity");
    assert_linked_objects_agree(&home, "practiced", &cert, &leaf);

    // The same root issues the next certificate (the CA is made once per installation).
    create_issued(&home, "practiced-two", &petdash_policy(KeyKind::Rsa2048, "practice"));
    let second = download(&home, "practiced-two", None, "PEM", true, "practiced-two-chain.pem");
    let second_blocks = pem_blocks(&std::fs::read_to_string(&second).expect("chain"), "CERTIFICATE");
    let second_leaf = home.scratch("practiced-two-leaf.pem");
    std::fs::write(&second_leaf, &second_blocks[0]).expect("leaf");
    let verify = openssl(&["verify", "-x509_strict", "-CAfile", p(&root), "-untrusted", p(&intermediate), p(&second_leaf)], None);
    assert!(verify.status.success(), "the second certificate chains to the same root: {}", String::from_utf8_lossy(&verify.stderr));
}

#[test]
fn issuer_with_an_online_provider_is_configured_but_cannot_issue_offline() {
    let home = TestHome::with_vault(VAULT);
    let issuer = home.ok(&[
        "keyvault",
        "certificate",
        "issuer",
        "create",
        "--vault-name",
        VAULT,
        "--issuer-name",
        "digi",
        "--provider-name",
        "DigiCert",
    ]);
    assert_eq!(issuer["provider"], "DigiCert", "a DigiCert issuer can be configured");
    let shown = home.ok(&["keyvault", "certificate", "issuer", "show", "--vault-name", VAULT, "--issuer-name", "digi"]);
    assert_eq!(shown["provider"], "DigiCert", "and shown");

    let policy = petdash_policy(KeyKind::Rsa2048, "digi");
    let arg = policy_arg(&home, "digi.json", &policy);
    let refused = home.fails(&["keyvault", "certificate", "create", "--vault-name", VAULT, "--name", "online", "--policy", &arg]);
    assert_eq!(refused.code, "BadParameter", "an offline install cannot reach DigiCert: {refused:?}");
    assert!(
        refused.stderr.contains("DigiCert") && refused.stderr.contains("offline"),
        "the message names the provider and why: {}",
        refused.stderr
    );
    let missing = home.fails(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "online"]);
    assert_eq!(missing.code, "KeyNotFound", "a refused create leaves no key behind: {missing:?}");
}

// ---------------------------------------------------------------------------------------------
// 4. Lifetime actions and events on the shifted clock
// ---------------------------------------------------------------------------------------------

#[test]
fn email_contacts_then_auto_renew_each_fire_exactly_once() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "certificate", "contact", "add", "--vault-name", VAULT, "--email", CONTACT]);
    // EmailContacts 10 days before expiry comes first (day 18-21 of a 28-31 day month), then
    // AutoRenew at 80% (day 22.4-24.8).
    let policy = lifetime_policy(1, false, json!([auto_renew_at_percent(80), email_days_before(10)]));
    let first = create_issued(&home, "renewing", &policy);
    let v1 = version_of(&first["id"]);
    let (not_before, not_after) = validity(&first);
    let email_at = not_after - Duration::days(10);
    let renew_at = percent_point(not_before, not_after, 80);
    assert!(email_at < renew_at - Duration::hours(3), "the test needs the email point well before the renewal point");
    assert_eq!(events(&home, "CertificateNewVersionCreated", "renewing").len(), 1, "creation raises one new-version event");

    shift_to(&home, email_at - Duration::hours(2));
    assert_eq!(versions(&home, "renewing"), vec![v1.clone()], "before any trigger point there is one version");
    assert!(events(&home, "CertificateContactsNotified", "renewing").is_empty(), "no contact is notified before the EmailContacts point");

    shift_to(&home, email_at + Duration::hours(1));
    let notified = events(&home, "CertificateContactsNotified", "renewing");
    assert_eq!(notified.len(), 1, "the EmailContacts point fires exactly one notification: {notified:?}");
    let to: Vec<&str> = notified[0]["data"]["to"].as_array().expect("data.to lists recipients").iter().filter_map(Value::as_str).collect();
    assert_eq!(to, vec![CONTACT], "the vault's contact is the recipient");
    assert_eq!(notified[0]["subject"], format!("certificates/renewing/{v1}"), "the notification is about the current version");
    let at = time_of(&notified[0]["eventTime"]);
    assert!(at >= email_at && at <= clock_now(&home), "the notification is recorded at the shifted time it fired ({at})");
    assert_eq!(versions(&home, "renewing"), vec![v1.clone()], "EmailContacts does not renew");

    shift_to(&home, renew_at - Duration::hours(2));
    assert_eq!(versions(&home, "renewing").len(), 1, "just before the 80% point there is still one version");

    shift_to(&home, renew_at + Duration::hours(1));
    let all = versions(&home, "renewing");
    assert_eq!(all.len(), 2, "at 80% of the lifetime AutoRenew makes exactly one new version: {all:?}");
    let current = show(&home, "renewing");
    let v2 = version_of(&current["id"]);
    assert_ne!(v2, v1, "the current version is the renewed one");
    assert!(all.contains(&v1) && all.contains(&v2), "both versions are listed");
    let created = events(&home, "CertificateNewVersionCreated", "renewing");
    let for_v2: Vec<&Value> = created.iter().filter(|e| e["subject"] == format!("certificates/renewing/{v2}")).collect();
    assert_eq!(for_v2.len(), 1, "one CertificateNewVersionCreated for the renewed version: {created:?}");
    assert_eq!(created.len(), 2, "creation and renewal, nothing else: {created:?}");

    let pem_v1 = download_pem(&home, "renewing", Some(&v1));
    let pem_v2 = download_pem(&home, "renewing", Some(&v2));
    assert_ne!(cert_spki(&pem_v1), cert_spki(&pem_v2), "reuseKey false: the renewed certificate has a new public key");
    assert_eq!(key_spki(&home, "renewing", Some(&v2)), cert_spki(&pem_v2), "the new key version is the new certificate's key");
    assert_eq!(key_spki(&home, "renewing", Some(&v1)), cert_spki(&pem_v1), "the old key version is kept with the old certificate");
    let (renewed_from, renewed_until) = openssl_dates(&pem_v2);
    assert!(renewed_from >= renew_at, "the renewed certificate starts at the shifted time of renewal ({renewed_from})");
    assert_eq!(
        renewed_from.checked_add_months(chrono::Months::new(1)),
        Some(renewed_until),
        "the renewal is valid 1 month as the policy says"
    );
    assert_eq!(x509(&pem_v2, &["-subject", "-nameopt", "RFC2253"]).trim(), "subject=CN=renewing.petdash.example", "same policy subject");
    assert_linked_objects_agree(&home, "renewing", &current, &pem_v2);

    // Running again does nothing twice.
    home.ok(&["clock", "shift", "--hours", "2"]);
    home.ok(&["keyvault", "certificate", "list", "--vault-name", VAULT]);
    assert_eq!(versions(&home, "renewing").len(), 2, "later runs do not renew again");
    assert_eq!(events(&home, "CertificateNewVersionCreated", "renewing").len(), 2, "no further new-version events");
    assert_eq!(events(&home, "CertificateContactsNotified", "renewing").len(), 1, "the contacts were notified exactly once");
}

#[test]
fn auto_renew_before_email_point_supersedes_the_old_versions_notification() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "certificate", "contact", "add", "--vault-name", VAULT, "--email", CONTACT]);
    // AutoRenew at 80% (day 22.4-24.8) comes before EmailContacts 3 days before expiry (day 25-28).
    let policy = lifetime_policy(1, false, json!([auto_renew_at_percent(80), email_days_before(3)]));
    let first = create_issued(&home, "early", &policy);
    let v1 = version_of(&first["id"]);
    let (not_before, not_after) = validity(&first);
    let renew_at = percent_point(not_before, not_after, 80);
    let email_at = not_after - Duration::days(3);
    assert!(renew_at < email_at - Duration::hours(3), "the renewal point comes first in this test");

    home.ok(&["clock", "shift", "--days", "20"]);
    assert_eq!(versions(&home, "early"), vec![v1.clone()], "20 days in, before 80%, there is one version");
    assert!(events(&home, "CertificateContactsNotified", "early").is_empty(), "and no notification");

    shift_to(&home, renew_at + Duration::hours(1));
    let all = versions(&home, "early");
    assert_eq!(all.len(), 2, "80% passed: exactly one renewal: {all:?}");
    let v2 = version_of(&show(&home, "early")["id"]);
    assert_eq!(
        events(&home, "CertificateNewVersionCreated", "early")
            .iter()
            .filter(|e| e["subject"] == format!("certificates/early/{v2}"))
            .count(),
        1,
        "one new-version event for the renewed version"
    );
    assert!(events(&home, "CertificateContactsNotified", "early").is_empty(), "the EmailContacts point has not come yet");

    // The old version's EmailContacts point passes, but the old version is no longer current:
    // lifetime actions apply to the current version, whose own points are weeks away.
    shift_to(&home, email_at + Duration::hours(1));
    assert_eq!(versions(&home, "early").len(), 2, "no further renewal");
    assert!(
        events(&home, "CertificateContactsNotified", "early").is_empty(),
        "contacts are not warned about a version that renewal already replaced"
    );
}

#[test]
fn auto_renew_with_reuse_key_keeps_the_public_key() {
    let home = TestHome::with_vault(VAULT);
    let policy = lifetime_policy(1, true, json!([auto_renew_at_percent(80)]));
    let first = create_issued(&home, "steady", &policy);
    let v1 = version_of(&first["id"]);
    let (not_before, not_after) = validity(&first);
    shift_to(&home, percent_point(not_before, not_after, 80) - Duration::hours(2));
    assert_eq!(versions(&home, "steady").len(), 1, "not renewed before 80%");
    shift_to(&home, percent_point(not_before, not_after, 80) + Duration::hours(1));
    let all = versions(&home, "steady");
    assert_eq!(all.len(), 2, "renewed once at 80%: {all:?}");
    let current = show(&home, "steady");
    let v2 = version_of(&current["id"]);
    assert_ne!(v1, v2, "a new version");
    let pem_v1 = download_pem(&home, "steady", Some(&v1));
    let pem_v2 = download_pem(&home, "steady", Some(&v2));
    assert_eq!(cert_spki(&pem_v1), cert_spki(&pem_v2), "reuseKey true: the renewed certificate keeps the public key");
    assert_ne!(sha1_fingerprint(&pem_v1), sha1_fingerprint(&pem_v2), "but it is a different certificate");
    assert_eq!(key_spki(&home, "steady", Some(&v2)), cert_spki(&pem_v2), "the new key version holds the same key");
    assert_linked_objects_agree(&home, "steady", &current, &pem_v2);
}

#[test]
fn near_expiry_and_expired_events_are_recorded_once_with_their_times() {
    let home = TestHome::with_vault(VAULT);
    // 2 months and no lifetime actions: nothing renews, the events still come.
    let mut policy = lifetime_policy(2, false, json!([]));
    policy.as_object_mut().expect("object").remove("lifetimeActions");
    let cert = create_issued(&home, "fading", &policy);
    let version = version_of(&cert["id"]);
    let (_, not_after) = validity(&cert);
    let near_at = not_after - Duration::days(30);

    shift_to(&home, near_at - Duration::hours(2));
    assert!(events(&home, "CertificateNearExpiry", "fading").is_empty(), "more than 30 days before expiry there is no near-expiry event");

    shift_to(&home, near_at + Duration::hours(1));
    let near = events(&home, "CertificateNearExpiry", "fading");
    assert_eq!(near.len(), 1, "30 days before expiry one CertificateNearExpiry: {near:?}");
    let at = time_of(&near[0]["eventTime"]);
    assert!(at >= near_at && at <= clock_now(&home), "the event carries the shifted time it was raised ({at}, due {near_at})");
    assert_eq!(time_of(&near[0]["data"]["expires"]), not_after, "the event says when the certificate expires");
    assert_eq!(near[0]["subject"], format!("certificates/fading/{version}"), "the event names the version");
    assert!(events(&home, "CertificateExpired", "fading").is_empty(), "not expired yet");

    shift_to(&home, not_after + Duration::hours(1));
    let expired = events(&home, "CertificateExpired", "fading");
    assert_eq!(expired.len(), 1, "after expiry one CertificateExpired: {expired:?}");
    let at = time_of(&expired[0]["eventTime"]);
    assert!(at >= not_after && at <= clock_now(&home), "the expiry event carries the shifted time ({at}, expiry {not_after})");

    home.ok(&["clock", "shift", "--days", "3"]);
    assert_eq!(events(&home, "CertificateNearExpiry", "fading").len(), 1, "near-expiry is raised once");
    assert_eq!(events(&home, "CertificateExpired", "fading").len(), 1, "expiry is raised once");
    assert_eq!(versions(&home, "fading"), vec![version], "without AutoRenew nothing renews");
}

#[test]
fn issuer_unknown_refuses_auto_renew_and_is_never_renewed() {
    let home = TestHome::with_vault(VAULT);
    let mut refused_policy = petdash_policy(KeyKind::Rsa2048, "Unknown");
    refused_policy["lifetimeActions"] = json!([auto_renew_at_percent(80)]);
    let arg = policy_arg(&home, "unknown-autorenew.json", &refused_policy);
    let refused = home.fails(&["keyvault", "certificate", "create", "--vault-name", VAULT, "--name", "manual", "--policy", &arg]);
    assert_eq!(refused.code, "BadParameter", "nothing can renew a certificate from issuer Unknown, so AutoRenew is refused: {refused:?}");
    assert!(refused.stderr.contains("AutoRenew"), "the message names AutoRenew: {}", refused.stderr);
    let nothing = home.fails(&["keyvault", "certificate", "pending", "show", "--vault-name", VAULT, "--name", "manual"]);
    assert_eq!(nothing.code, "CertificateNotFound", "the refused create left no operation: {nothing:?}");

    // The allowed shape: issuer Unknown with EmailContacts, 1 month, merged from a CA.
    let mut policy = petdash_policy(KeyKind::Rsa2048, "Unknown");
    policy["x509CertificateProperties"]["validityInMonths"] = json!(1);
    policy["lifetimeActions"] = json!([{"trigger": {"lifetimePercentage": 80}, "action": {"actionType": "EmailContacts"}}]);
    let csr = create_pending(&home, "manual", &policy);
    let ca = make_ca(&home);
    let merged = merge(&home, "manual", &sign_csr(&home, &ca, &csr, "manual.pem"));
    let version = version_of(&merged["id"]);

    // Nor can a policy update add AutoRenew to it.
    let refused = home.fails(&["keyvault", "certificate", "set-attributes", "--vault-name", VAULT, "--name", "manual", "--policy", &arg]);
    assert_eq!(refused.code, "BadParameter", "AutoRenew cannot be added to an Unknown policy later: {refused:?}");

    let (_, not_after) = validity(&merged);
    shift_to(&home, not_after + Duration::days(2));
    assert_eq!(versions(&home, "manual"), vec![version], "an Unknown certificate is never renewed, even past its expiry");
    assert_eq!(events(&home, "CertificateNewVersionCreated", "manual").len(), 1, "only the merge made a version");
    assert_eq!(events(&home, "CertificateExpired", "manual").len(), 1, "its expiry is still reported");
}

#[test]
fn imported_certificate_gets_an_unknown_policy_and_is_not_renewed() {
    let home = TestHome::with_vault(VAULT);
    let key = home.scratch("imported.key");
    let cert = home.scratch("imported.pem");
    openssl_ok(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=imported.petdash.example",
            "-days",
            "30",
            "-keyout",
            p(&key),
            "-out",
            p(&cert),
        ],
        None,
    );
    let pfx = home.scratch("imported.pfx");
    openssl_ok(&["pkcs12", "-export", "-in", p(&cert), "-inkey", p(&key), "-passout", "pass:import-me", "-out", p(&pfx)], None);
    let imported = home.ok(&[
        "keyvault",
        "certificate",
        "import",
        "--vault-name",
        VAULT,
        "--name",
        "imported",
        "--file",
        p(&pfx),
        "--password",
        "import-me",
    ]);
    assert_eq!(imported["x509ThumbprintHex"].as_str(), Some(sha1_fingerprint(&cert).as_str()), "the imported certificate is openssl's");
    let version = version_of(&imported["id"]);

    let policy = home.ok(&["keyvault", "certificate", "show-policy", "--vault-name", VAULT, "--name", "imported"]);
    assert_eq!(policy["issuerParameters"]["name"], "Unknown", "an imported certificate's policy names issuer Unknown: {policy}");
    let actions = policy["lifetimeActions"].as_array().cloned().unwrap_or_default();
    assert!(actions.iter().all(|a| a["action"]["actionType"] != "AutoRenew"), "no AutoRenew for an imported certificate: {policy}");
    assert_eq!(policy["x509CertificateProperties"]["subject"], "CN=imported.petdash.example", "the policy takes the certificate's subject");

    let pem = download_pem(&home, "imported", None);
    assert_eq!(
        pem_to_der(&std::fs::read_to_string(&pem).expect("pem")),
        pem_to_der(&std::fs::read_to_string(&cert).expect("cert")),
        "same DER"
    );
    assert_linked_objects_agree(&home, "imported", &imported, &pem);
    let (_, not_after) = validity(&imported);
    shift_to(&home, not_after + Duration::days(5));
    assert_eq!(versions(&home, "imported"), vec![version], "an imported certificate is not renewed when its lifetime passes");
    assert_eq!(events(&home, "CertificateNewVersionCreated", "imported").len(), 1, "only the import made a version");
    assert_eq!(events(&home, "CertificateExpired", "imported").len(), 1, "its expiry is reported");
}

// ---------------------------------------------------------------------------------------------
// 5. Backup, restore, delete, recover, purge
// ---------------------------------------------------------------------------------------------

/// Signs `data` with the certificate's key version (RS256) and has openssl verify it against the
/// certificate's public key.
fn assert_key_signs_for_certificate(home: &TestHome, name: &str, version: &str, cert_pem: &Path) {
    let data = format!("signed by {name}/{version}").into_bytes();
    let digest = openssl_ok(&["dgst", "-sha256", "-binary"], Some(&data));
    let signed = home.ok(&[
        "keyvault",
        "key",
        "sign",
        "--vault-name",
        VAULT,
        "--name",
        name,
        "--version",
        version,
        "--algorithm",
        "RS256",
        "--digest",
        &b64(&digest),
    ]);
    let signature = home.scratch(&format!("{name}-{version}.sig"));
    std::fs::write(&signature, unb64(signed["signature"].as_str().expect("sign prints the signature"))).expect("write signature");
    let public = home.scratch(&format!("{name}-{version}-public.pem"));
    std::fs::write(&public, openssl_ok(&["x509", "-in", p(cert_pem), "-noout", "-pubkey"], None)).expect("write public key");
    let out = openssl(&["dgst", "-sha256", "-verify", p(&public), "-signature", p(&signature)], Some(&data));
    assert!(
        out.status.success(),
        "openssl verifies the key's RS256 signature with the certificate's public key: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn backup_purge_restore_brings_back_certificate_key_and_secret() {
    let home = TestHome::with_vault(VAULT);
    let policy = petdash_policy(KeyKind::Rsa2048, "Self");
    let first = create_issued(&home, "kept", &policy);
    let second = create_issued(&home, "kept", &policy);
    let (v1, v2) = (version_of(&first["id"]), version_of(&second["id"]));
    assert_ne!(v1, v2, "a second create makes a second version");
    let pem_v1 = download_pem(&home, "kept", Some(&v1));
    let pem_v2 = download_pem(&home, "kept", Some(&v2));
    let before_versions = versions(&home, "kept");

    let backup = home.scratch("kept.backup");
    home.ok(&["keyvault", "certificate", "backup", "--vault-name", VAULT, "--name", "kept", "--file", p(&backup)]);
    home.ok(&["keyvault", "certificate", "delete", "--vault-name", VAULT, "--name", "kept"]);
    home.ok(&["keyvault", "certificate", "purge", "--vault-name", VAULT, "--name", "kept"]);
    assert_eq!(home.fails(&["keyvault", "certificate", "show", "--vault-name", VAULT, "--name", "kept"]).code, "CertificateNotFound");
    assert_eq!(home.fails(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "kept"]).code, "KeyNotFound", "purged key");
    assert_eq!(
        home.fails(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "kept"]).code,
        "SecretNotFound",
        "purged secret"
    );

    let restored = home.ok(&["keyvault", "certificate", "restore", "--vault-name", VAULT, "--file", p(&backup)]);
    assert_eq!(restored["id"], second["id"], "restore answers with the newest version under its original id");
    assert_eq!(versions(&home, "kept"), before_versions, "every version comes back");
    let key = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "kept"]);
    assert_eq!(key["key"]["kid"], second["kid"], "the key comes back with the certificate");
    let (secret, _) = secret_of(&home, "kept");
    assert_eq!(secret["id"], second["sid"], "the secret comes back with the certificate");
    assert_eq!(
        show_version(&home, "kept", &v1)["x509ThumbprintHex"],
        first["x509ThumbprintHex"],
        "the old version is the same certificate"
    );
    assert_linked_objects_agree(&home, "kept", &show(&home, "kept"), &pem_v2);
    assert_key_signs_for_certificate(&home, "kept", &v2, &pem_v2);
    assert_key_signs_for_certificate(&home, "kept", &v1, &pem_v1);
}

#[test]
fn delete_recover_and_purge_cover_key_and_secret() {
    let home = TestHome::with_vault(VAULT);
    let cert = create_issued(&home, "linked", &petdash_policy(KeyKind::Ec("P-256"), "Self"));
    let pem = download_pem(&home, "linked", None);

    let deleted = home.ok(&["keyvault", "certificate", "delete", "--vault-name", VAULT, "--name", "linked"]);
    assert!(deleted["recoveryId"].as_str().is_some_and(|r| r.contains("deletedcertificates/linked")), "delete answers with a recovery id");
    assert_eq!(home.fails(&["keyvault", "certificate", "show", "--vault-name", VAULT, "--name", "linked"]).code, "CertificateNotFound");
    assert_eq!(
        home.fails(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "linked"]).code,
        "KeyNotFound",
        "deleting a certificate soft-deletes its key"
    );
    assert_eq!(
        home.fails(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "linked"]).code,
        "SecretNotFound",
        "deleting a certificate soft-deletes its secret"
    );
    home.ok(&["keyvault", "certificate", "show-deleted", "--vault-name", VAULT, "--name", "linked"]);
    home.ok(&["keyvault", "key", "show-deleted", "--vault-name", VAULT, "--name", "linked"]);
    home.ok(&["keyvault", "secret", "show-deleted", "--vault-name", VAULT, "--name", "linked"]);

    let recovered = home.ok(&["keyvault", "certificate", "recover", "--vault-name", VAULT, "--name", "linked"]);
    assert_eq!(recovered["id"], cert["id"], "recover brings back the same version");
    assert_linked_objects_agree(&home, "linked", &show(&home, "linked"), &pem);

    home.ok(&["keyvault", "certificate", "delete", "--vault-name", VAULT, "--name", "linked"]);
    home.ok(&["keyvault", "certificate", "purge", "--vault-name", VAULT, "--name", "linked"]);
    for (kind, code) in [("certificate", "CertificateNotFound"), ("key", "KeyNotFound"), ("secret", "SecretNotFound")] {
        let gone = home.fails(&["keyvault", kind, "show-deleted", "--vault-name", VAULT, "--name", "linked"]);
        assert_eq!(gone.code, code, "purging the certificate purges its {kind} too: {gone:?}");
        let gone = home.fails(&["keyvault", kind, "show", "--vault-name", VAULT, "--name", "linked"]);
        assert_eq!(gone.code, code, "the purged {kind} is not active either: {gone:?}");
    }
    let again = create_issued(&home, "linked", &petdash_policy(KeyKind::Ec("P-256"), "Self"));
    assert_eq!(versions(&home, "linked"), vec![version_of(&again["id"])], "after a purge the name starts afresh with one version");
}

// ---------------------------------------------------------------------------------------------
// 6. The policy
// ---------------------------------------------------------------------------------------------

#[test]
fn show_policy_and_a_replaced_policy_drive_the_next_renewal() {
    let home = TestHome::with_vault(VAULT);
    let policy = lifetime_policy(12, false, json!([{"trigger": {"daysBeforeExpiry": 30}, "action": {"actionType": "AutoRenew"}}]));
    let first = create_issued(&home, "evolving", &policy);
    let shown = home.ok(&["keyvault", "certificate", "show-policy", "--vault-name", VAULT, "--name", "evolving"]);
    assert_eq!(shown["x509CertificateProperties"]["subject"], "CN=renewing.petdash.example", "show-policy gives the subject: {shown}");
    assert_eq!(shown["x509CertificateProperties"]["validityInMonths"], 12, "and the validity");
    assert_eq!(shown["keyProperties"]["keySize"], 2048, "and the key size");
    assert_eq!(shown["lifetimeActions"][0]["trigger"]["daysBeforeExpiry"], 30, "and the lifetime action");
    assert_eq!(first["policy"], shown, "certificate show carries the same policy");

    // The new policy: P-256, another subject, 6 months, renew at 10% of the lifetime.
    let new_policy = json!({
        "keyProperties": {"exportable": true, "keyType": "EC", "curve": "P-256", "reuseKey": false},
        "secretProperties": {"contentType": "application/x-pkcs12"},
        "x509CertificateProperties": {"subject": "CN=v2.petdash.example, O=PetDash", "keyUsage": ["digitalSignature"], "validityInMonths": 6},
        "lifetimeActions": [auto_renew_at_percent(10)],
        "issuerParameters": {"name": "Self"}
    });
    let arg = policy_arg(&home, "new-policy.json", &new_policy);
    home.ok(&["keyvault", "certificate", "set-attributes", "--vault-name", VAULT, "--name", "evolving", "--policy", &arg]);
    let shown = home.ok(&["keyvault", "certificate", "show-policy", "--vault-name", VAULT, "--name", "evolving"]);
    assert_eq!(shown["x509CertificateProperties"]["validityInMonths"], 6, "show-policy gives the replaced policy: {shown}");
    assert_eq!(shown["x509CertificateProperties"]["subject"], "CN=v2.petdash.example, O=PetDash", "with its subject");
    assert_eq!(versions(&home, "evolving").len(), 1, "replacing the policy does not by itself make a version");

    // 10% of the first (12-month) version's lifetime is about 36.5 days.
    let (not_before, not_after) = validity(&first);
    shift_to(&home, percent_point(not_before, not_after, 10) + Duration::hours(1));
    assert_eq!(versions(&home, "evolving").len(), 2, "the new policy's AutoRenew renewed the certificate");
    let current = show(&home, "evolving");
    let pem = download_pem(&home, "evolving", Some(&version_of(&current["id"])));
    let (from, until) = openssl_dates(&pem);
    assert_eq!(from.checked_add_months(chrono::Months::new(6)), Some(until), "the renewal uses the new policy's 6 months");
    assert_eq!(x509(&pem, &["-subject", "-nameopt", "RFC2253"]).trim(), "subject=CN=v2.petdash.example,O=PetDash", "and its subject");
    assert!(x509(&pem, &["-text"]).contains("NIST CURVE: P-256"), "and its key type");
    assert_linked_objects_agree(&home, "evolving", &current, &pem);
}

#[test]
fn disabling_a_certificate_disables_its_secret() {
    let home = TestHome::with_vault(VAULT);
    create_issued(&home, "switch", &petdash_policy(KeyKind::Ec("P-256"), "Self"));
    let disabled = home.ok(&["keyvault", "certificate", "set-attributes", "--vault-name", VAULT, "--name", "switch", "--enabled", "false"]);
    assert_eq!(disabled["attributes"]["enabled"], false, "set-attributes answers with the disabled certificate");
    let refused = home.fails(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "switch"]);
    assert_eq!(refused.code, "Forbidden: SecretDisabled", "a disabled certificate's secret cannot be read: {refused:?}");
    let key = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "switch"]);
    assert_eq!(key["attributes"]["enabled"], false, "its key is disabled too");

    home.ok(&["keyvault", "certificate", "set-attributes", "--vault-name", VAULT, "--name", "switch", "--enabled", "true"]);
    let (secret, _) = secret_of(&home, "switch");
    assert_eq!(secret["attributes"]["enabled"], true, "enabling the certificate enables its secret again");
}

#[test]
fn default_policy_is_accepted_back_by_create() {
    let home = TestHome::with_vault(VAULT);
    let default = home.ok(&["keyvault", "certificate", "get-default-policy"]);
    assert_eq!(default["issuerParameters"]["name"], "Self", "the default policy is self-signed: {default}");
    assert_eq!(default["x509CertificateProperties"]["subject"], "CN=CLIGetDefaultPolicy", "with az's default subject");
    let path = home.scratch("default.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&default).expect("json")).expect("write the default policy");
    let op = home.ok(&[
        "keyvault",
        "certificate",
        "create",
        "--vault-name",
        VAULT,
        "--name",
        "defaulted",
        "--policy",
        &format!("@{}", p(&path)),
    ]);
    assert_eq!(op["status"], "completed", "the default policy creates a certificate at once: {op}");
    let policy = home.ok(&["keyvault", "certificate", "show-policy", "--vault-name", VAULT, "--name", "defaulted"]);
    assert_eq!(policy, default, "the certificate keeps the default policy as given");
    let pem = download_pem(&home, "defaulted", None);
    assert_eq!(
        x509(&pem, &["-subject", "-nameopt", "RFC2253"]).trim(),
        "subject=CN=CLIGetDefaultPolicy",
        "openssl sees the default subject"
    );
    assert!(x509(&pem, &["-text"]).contains("Public-Key: (2048 bit)"), "an RSA 2048 key as the default says");
}
