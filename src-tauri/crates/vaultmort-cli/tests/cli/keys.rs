//! Keys through the CLI: versions (create twice, list-versions, show by version and by id),
//! rotation, attributes (enabled, key_ops, nbf, exp, created/updated, recovery level), key
//! types and curves, HSM refusals, and the public JWK download. Every refusal is checked by its
//! error code.

use chrono::{DateTime, Duration, SecondsFormat, Timelike, Utc};
use serde_json::Value;

use crate::support::{TestHome, b64, unb64, unb64url};

const VAULT: &str = "keys-vault";

/// A fixed SHA-256-sized digest (the operations under test do not care what was hashed).
const DIGEST: [u8; 32] = [7u8; 32];

fn create(home: &TestHome, name: &str, extra: &[&str]) -> Value {
    let mut args = vec!["keyvault", "key", "create", "--vault-name", VAULT, "--name", name];
    args.extend_from_slice(extra);
    home.ok(&args)
}

fn kid(key: &Value) -> String {
    key["key"]["kid"].as_str().expect("a key shows its kid").to_string()
}

/// The version segment at the end of a kid URL.
fn version_of(kid: &str) -> String {
    kid.rsplit('/').next().expect("a kid ends with the version").to_string()
}

/// `key <command>` on key `name` (optionally one version) with extra flags.
fn key_args<'a>(command: &'a str, name: &'a str, version: Option<&'a str>, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["keyvault", "key", command, "--vault-name", VAULT, "--name", name];
    if let Some(version) = version {
        args.extend(["--version", version]);
    }
    args.extend_from_slice(extra);
    args
}

fn sign_args<'a>(name: &'a str, version: Option<&'a str>, digest: &'a str) -> Vec<&'a str> {
    key_args("sign", name, version, &["--algorithm", "RS256", "--digest", digest])
}

fn sign(home: &TestHome, name: &str, version: Option<&str>) -> Vec<u8> {
    let digest = b64(&DIGEST);
    let out = home.ok(&sign_args(name, version, &digest));
    unb64(out["signature"].as_str().expect("sign prints the signature"))
}

fn verify(home: &TestHome, name: &str, version: Option<&str>, algorithm: &str, signature: &[u8]) -> bool {
    let (digest, signature) = (b64(&DIGEST), b64(signature));
    let out = home.ok(&key_args("verify", name, version, &["--algorithm", algorithm, "--digest", &digest, "--signature", &signature]));
    out["isValid"].as_bool().expect("verify prints isValid")
}

fn crypt(home: &TestHome, command: &str, name: &str, value: &[u8]) -> Vec<u8> {
    let value = b64(value);
    let out = home.ok(&key_args(command, name, None, &["--algorithm", "RSA-OAEP-256", "--value", &value]));
    unb64(out["result"].as_str().expect("crypto commands print the result"))
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn time(value: &Value, what: &str) -> DateTime<Utc> {
    let text = value.as_str().unwrap_or_else(|| panic!("{what} should be a timestamp, got {value}"));
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{what} '{text}' should be RFC 3339: {e}")).with_timezone(&Utc)
}

/// `at` without its fraction of a second (the CLI prints whole seconds).
fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(0).expect("zero nanoseconds is always valid")
}

fn shift_clock(home: &TestHome, days: &str, hours: &str) {
    home.ok(&["clock", "shift", "--days", days, "--hours", hours]);
}

// ---------------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------------

#[test]
fn creating_twice_makes_two_versions_and_show_picks_by_version_or_id() {
    let home = TestHome::with_vault(VAULT);
    let first = create(&home, "versioned", &[]);
    let second = create(&home, "versioned", &[]);
    let (first_kid, second_kid) = (kid(&first), kid(&second));
    assert_ne!(first_kid, second_kid, "a second create makes a new version with its own kid");
    assert_ne!(first["key"]["n"], second["key"]["n"], "each version has fresh key material");
    let base = format!("https://{VAULT}.localhost:8443/keys/versioned/");
    assert!(first_kid.starts_with(&base), "kids are URLs under the vault: {first_kid}");

    let versions = home.ok(&["keyvault", "key", "list-versions", "--vault-name", VAULT, "--name", "versioned"]);
    let mut listed: Vec<&str> = versions
        .as_array()
        .expect("list-versions prints an array")
        .iter()
        .map(|v| v["kid"].as_str().expect("each item has a kid"))
        .collect();
    listed.sort_unstable();
    let mut expected = vec![first_kid.as_str(), second_kid.as_str()];
    expected.sort_unstable();
    assert_eq!(listed, expected, "list-versions shows both versions and nothing else");
    let keys = home.ok(&["keyvault", "key", "list", "--vault-name", VAULT]);
    assert_eq!(keys.as_array().map(Vec::len), Some(1), "key list shows the key once, not once per version: {keys}");

    let newest = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "versioned"]);
    assert_eq!(kid(&newest), second_kid, "show without --version returns the newest version");
    assert_eq!(newest["key"]["n"], second["key"]["n"], "and its public key");

    let old_version = version_of(&first_kid);
    let old = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "versioned", "--version", &old_version]);
    assert_eq!(kid(&old), first_kid, "show --version returns that version");
    assert_eq!(old["key"]["n"], first["key"]["n"], "with the old version's public key");

    let by_id = home.ok(&["keyvault", "key", "show", "--id", &first_kid]);
    assert_eq!(kid(&by_id), first_kid, "show --id <kid> returns the version named in the URL");
    assert_eq!(by_id["key"]["n"], first["key"]["n"], "with that version's public key");
    let latest_id = format!("https://{VAULT}.localhost:8443/keys/versioned");
    assert_eq!(kid(&home.ok(&["keyvault", "key", "show", "--id", &latest_id])), second_kid, "an id without a version means the newest");

    // --id works for operations too: sign with the old version by id, verify with the old version.
    let digest = b64(&DIGEST);
    let signed = home.ok(&["keyvault", "key", "sign", "--id", &first_kid, "--algorithm", "RS256", "--digest", &digest]);
    assert_eq!(signed["kid"], first_kid.as_str(), "sign --id uses the version in the URL");
    let signature = unb64(signed["signature"].as_str().expect("sign prints the signature"));
    assert!(verify(&home, "versioned", Some(&old_version), "RS256", &signature), "the old version verifies its own signature");
    assert!(!verify(&home, "versioned", None, "RS256", &signature), "the newest version is another key and must not verify it");

    let missing = home.fails(&[
        "keyvault",
        "key",
        "show",
        "--vault-name",
        VAULT,
        "--name",
        "versioned",
        "--version",
        "0123456789abcdef0123456789abcdef",
    ]);
    assert_eq!(missing.code, "KeyNotFound", "an unknown version is not found: {}", missing.stderr);
    assert_eq!(missing.status, 3, "not-found errors exit with status 3");
}

#[test]
fn rotate_keeps_type_size_curve_ops_and_old_versions_keep_working() {
    let home = TestHome::with_vault(VAULT);
    let rsa = create(&home, "rsa-rotated", &["--kty", "RSA", "--size", "3072", "--ops", "sign", "verify", "--tags", "team=crypto"]);
    let ec = create(&home, "ec-rotated", &["--kty", "EC", "--curve", "P-384"]);
    let old_rsa_version = version_of(&kid(&rsa));
    let old_ec_version = version_of(&kid(&ec));
    let old_rsa_signature = sign(&home, "rsa-rotated", None);

    let rotated = home.ok(&["keyvault", "key", "rotate", "--vault-name", VAULT, "--name", "rsa-rotated"]);
    assert_ne!(kid(&rotated), kid(&rsa), "rotate makes a new version");
    assert_ne!(rotated["key"]["n"], rsa["key"]["n"], "with new key material");
    assert_eq!(rotated["key"]["kty"], "RSA", "rotation keeps the key type");
    assert_eq!(unb64url(rotated["key"]["n"].as_str().expect("RSA shows n")).len(), 384, "rotation keeps the 3072-bit size");
    assert_eq!(rotated["key"]["keyOps"], rsa["key"]["keyOps"], "rotation keeps key_ops");
    assert_eq!(rotated["key"]["keyOps"], serde_json::json!(["sign", "verify"]), "the ops are the ones given at creation");
    assert_eq!(rotated["tags"], rsa["tags"], "rotation keeps the tags");
    let versions = home.ok(&["keyvault", "key", "list-versions", "--vault-name", VAULT, "--name", "rsa-rotated"]);
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "the old version stays after rotation");

    let rotated_ec = home.ok(&["keyvault", "key", "rotate", "--vault-name", VAULT, "--name", "ec-rotated"]);
    assert_eq!(rotated_ec["key"]["kty"], "EC", "rotation keeps the EC type");
    assert_eq!(rotated_ec["key"]["crv"], "P-384", "rotation keeps the curve");
    assert_eq!(rotated_ec["key"]["keyOps"], ec["key"]["keyOps"], "rotation keeps the default EC ops");
    assert_ne!(rotated_ec["key"]["x"], ec["key"]["x"], "with a new point");

    // The old versions still sign, and old signatures still verify with the old version.
    assert!(
        verify(&home, "rsa-rotated", Some(&old_rsa_version), "RS256", &old_rsa_signature),
        "a signature made before rotation still verifies with the old version"
    );
    assert!(!verify(&home, "rsa-rotated", None, "RS256", &old_rsa_signature), "the rotated version is a different key");
    let after = sign(&home, "rsa-rotated", Some(&old_rsa_version));
    assert!(verify(&home, "rsa-rotated", Some(&old_rsa_version), "RS256", &after), "the old version still signs after rotation");
    assert_eq!(after, old_rsa_signature, "RS256 is deterministic, so the old version signs exactly as before");
    let ec_signed =
        home.ok(&key_args("sign", "ec-rotated", Some(&old_ec_version), &["--algorithm", "ES384", "--digest", &b64(&[1u8; 48])]));
    let ec_signature = unb64(ec_signed["signature"].as_str().expect("sign prints the signature"));
    let (ec_digest, ec_sig) = (b64(&[1u8; 48]), b64(&ec_signature));
    let check = |version: Option<&str>| {
        home.ok(&key_args("verify", "ec-rotated", version, &["--algorithm", "ES384", "--digest", &ec_digest, "--signature", &ec_sig]))["isValid"]
            .as_bool()
            .expect("verify prints isValid")
    };
    assert!(check(Some(&old_ec_version)), "the old EC version still signs and verifies after rotation");
    assert!(!check(None), "the rotated EC version does not verify the old version's signature");
}

// ---------------------------------------------------------------------------------------------
// enabled, key_ops, nbf, exp
// ---------------------------------------------------------------------------------------------

#[test]
fn a_disabled_version_refuses_with_key_disabled_while_others_work() {
    let home = TestHome::with_vault(VAULT);
    let old_version = version_of(&kid(&create(&home, "toggled", &[])));
    let new_version = version_of(&kid(&create(&home, "toggled", &[])));
    let digest = b64(&DIGEST);

    let disabled = home.ok(&[
        "keyvault",
        "key",
        "set-attributes",
        "--vault-name",
        VAULT,
        "--name",
        "toggled",
        "--version",
        &old_version,
        "--enabled",
        "false",
    ]);
    assert_eq!(disabled["attributes"]["enabled"], false, "set-attributes --enabled false shows the version disabled");
    let failure = home.fails(&sign_args("toggled", Some(&old_version), &digest));
    assert_eq!(failure.code, "Forbidden: KeyDisabled", "signing with a disabled version is refused as KeyDisabled: {}", failure.stderr);
    assert!(failure.stderr.contains("sign"), "the message names the refused operation: {}", failure.stderr);
    let encrypt = home.fails(&key_args("encrypt", "toggled", Some(&old_version), &["--algorithm", "RSA-OAEP", "--value", "AAAA"]));
    assert_eq!(encrypt.code, "Forbidden: KeyDisabled", "every operation on a disabled version is refused: {}", encrypt.stderr);

    sign(&home, "toggled", Some(&new_version));
    sign(&home, "toggled", None);
    let newest = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "toggled"]);
    assert_eq!(newest["attributes"]["enabled"], true, "disabling one version leaves the others enabled");

    home.ok(&[
        "keyvault",
        "key",
        "set-attributes",
        "--vault-name",
        VAULT,
        "--name",
        "toggled",
        "--version",
        &old_version,
        "--enabled",
        "true",
    ]);
    let signature = sign(&home, "toggled", Some(&old_version));
    assert!(verify(&home, "toggled", Some(&old_version), "RS256", &signature), "a re-enabled version signs again");

    let created_disabled = create(&home, "born-disabled", &["--disabled"]);
    assert_eq!(created_disabled["attributes"]["enabled"], false, "create --disabled makes a disabled key");
    assert_eq!(
        home.fails(&sign_args("born-disabled", None, &digest)).code,
        "Forbidden: KeyDisabled",
        "a key created disabled refuses to sign"
    );
}

#[test]
fn key_ops_limit_operations_with_operation_not_allowed() {
    let home = TestHome::with_vault(VAULT);
    let key = create(&home, "signer-only", &["--ops", "sign", "verify"]);
    assert_eq!(key["key"]["keyOps"], serde_json::json!(["sign", "verify"]), "create --ops sets key_ops");
    let value = b64(&[9u8; 256]);
    for (command, operation) in [("encrypt", "encrypt"), ("decrypt", "decrypt"), ("wrap", "wrapKey"), ("unwrap", "unwrapKey")] {
        let failure = home.fails(&key_args(command, "signer-only", None, &["--algorithm", "RSA-OAEP", "--value", &value]));
        assert_eq!(failure.code, "OperationNotAllowed", "`key {command}` on a sign/verify key is refused: {}", failure.stderr);
        assert!(
            failure.stderr.contains(&format!("'{operation}'")),
            "the message names the refused operation '{operation}': {}",
            failure.stderr
        );
    }
    let signature = sign(&home, "signer-only", None);
    assert!(verify(&home, "signer-only", None, "RS256", &signature), "the permitted operations work");

    let changed =
        home.ok(&["keyvault", "key", "set-attributes", "--vault-name", VAULT, "--name", "signer-only", "--ops", "encrypt", "decrypt"]);
    assert_eq!(changed["key"]["keyOps"], serde_json::json!(["encrypt", "decrypt"]), "set-attributes --ops replaces key_ops");
    let ciphertext = crypt(&home, "encrypt", "signer-only", b"now allowed");
    assert_eq!(crypt(&home, "decrypt", "signer-only", &ciphertext), b"now allowed", "encrypt and decrypt work once permitted");
    let failure = home.fails(&sign_args("signer-only", None, &b64(&DIGEST)));
    assert_eq!(failure.code, "OperationNotAllowed", "sign is refused once it is no longer in key_ops: {}", failure.stderr);
    assert!(failure.stderr.contains("'sign'"), "the message names 'sign': {}", failure.stderr);
    let wrap = home.fails(&key_args("wrap", "signer-only", None, &["--algorithm", "RSA-OAEP", "--value", &b64(&[1u8; 32])]));
    assert_eq!(wrap.code, "OperationNotAllowed", "wrapKey is a separate permission from encrypt: {}", wrap.stderr);

    let ec_wrong =
        home.fails(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "ec-encrypt", "--kty", "EC", "--ops", "encrypt"]);
    assert_eq!(ec_wrong.code, "BadParameter", "an EC key cannot be given encrypt: {}", ec_wrong.stderr);
}

#[test]
fn not_before_in_the_future_refuses_until_the_clock_passes_it() {
    let home = TestHome::with_vault(VAULT);
    let nbf = Utc::now() + Duration::days(2);
    let key = create(&home, "future", &["--not-before", &rfc3339(nbf)]);
    assert_eq!(time(&key["attributes"]["notBefore"], "notBefore"), whole_seconds(nbf), "the key shows its not-before date");
    let digest = b64(&DIGEST);
    let failure = home.fails(&sign_args("future", None, &digest));
    assert_eq!(failure.code, "KeyNotYetValid", "a key is not usable before its nbf: {}", failure.stderr);
    let encrypt = home.fails(&key_args("encrypt", "future", None, &["--algorithm", "RSA-OAEP", "--value", "AAAA"]));
    assert_eq!(encrypt.code, "KeyNotYetValid", "no operation works before nbf: {}", encrypt.stderr);

    shift_clock(&home, "1", "0");
    assert_eq!(home.fails(&sign_args("future", None, &digest)).code, "KeyNotYetValid", "one day later it is still too early");
    shift_clock(&home, "2", "0");
    let signature = sign(&home, "future", None);
    assert!(verify(&home, "future", None, "RS256", &signature), "after the clock passes nbf the key signs and verifies");
}

#[test]
fn expiry_refuses_sign_encrypt_wrap_but_keeps_decrypt_unwrap_verify() {
    let home = TestHome::with_vault(VAULT);
    let exp = Utc::now() + Duration::days(1);
    let key = create(&home, "expiring", &["--expires", &rfc3339(exp)]);
    assert_eq!(time(&key["attributes"]["expires"], "expires"), whole_seconds(exp), "the key shows its expiry");

    // Made before expiry.
    let ciphertext = crypt(&home, "encrypt", "expiring", b"readable after expiry");
    let aes_key = [42u8; 32];
    let wrapped = crypt(&home, "wrap", "expiring", &aes_key);
    let signature = sign(&home, "expiring", None);

    shift_clock(&home, "1", "1");
    let digest = b64(&DIGEST);
    let value = b64(b"too late");
    for (args, operation) in [
        (sign_args("expiring", None, &digest), "sign"),
        (key_args("encrypt", "expiring", None, &["--algorithm", "RSA-OAEP-256", "--value", &value]), "encrypt"),
        (key_args("wrap", "expiring", None, &["--algorithm", "RSA-OAEP-256", "--value", &value]), "wrapKey"),
    ] {
        let failure = home.fails(&args);
        assert_eq!(failure.code, "KeyExpired", "{operation} after expiry is refused as KeyExpired: {}", failure.stderr);
        assert!(failure.stderr.contains(&format!("'{operation}'")), "the message names '{operation}': {}", failure.stderr);
    }
    assert_eq!(crypt(&home, "decrypt", "expiring", &ciphertext), b"readable after expiry", "decrypt still works after expiry");
    assert_eq!(crypt(&home, "unwrap", "expiring", &wrapped), aes_key, "unwrap still works after expiry");
    assert!(verify(&home, "expiring", None, "RS256", &signature), "verify still works after expiry");

    // Moving the expiry forward makes the key usable again.
    let later = rfc3339(Utc::now() + Duration::days(30));
    home.ok(&["keyvault", "key", "set-attributes", "--vault-name", VAULT, "--name", "expiring", "--expires", &later]);
    sign(&home, "expiring", None);
}

// ---------------------------------------------------------------------------------------------
// Attributes shown
// ---------------------------------------------------------------------------------------------

#[test]
fn created_and_updated_move_as_they_should() {
    let home = TestHome::with_vault(VAULT);
    let before = whole_seconds(Utc::now());
    let key = create(&home, "timed", &[]);
    let created = time(&key["attributes"]["created"], "created");
    let updated = time(&key["attributes"]["updated"], "updated");
    assert!(created >= before && created <= Utc::now(), "created is the creation time ({created}, test started {before})");
    assert_eq!(created, updated, "a new version's updated equals its created");
    assert_eq!(key["attributes"]["enabled"], true, "keys are enabled by default");
    assert_eq!(key["attributes"]["exportable"], false, "software keys are not exportable");

    shift_clock(&home, "0", "2");
    let shown = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "timed"]);
    assert_eq!(shown["attributes"], key["attributes"], "showing a key changes nothing");
    sign(&home, "timed", None);
    let after_use = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "timed"]);
    assert_eq!(after_use["attributes"]["updated"], key["attributes"]["updated"], "using a key is not an update");

    let changed = home.ok(&["keyvault", "key", "set-attributes", "--vault-name", VAULT, "--name", "timed", "--tags", "env=test"]);
    let changed_updated = time(&changed["attributes"]["updated"], "updated");
    assert_eq!(time(&changed["attributes"]["created"], "created"), created, "set-attributes does not change created");
    assert!(
        changed_updated >= created + Duration::hours(2),
        "set-attributes moves updated to the (shifted) current time: {changed_updated} vs created {created}"
    );
    assert_eq!(changed["tags"]["env"], "test", "the tags are set");
    let shown = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "timed"]);
    assert_eq!(shown["attributes"]["updated"], changed["attributes"]["updated"], "the new updated time is stored");

    let second = create(&home, "timed", &[]);
    assert!(time(&second["attributes"]["created"], "created") > created, "a new version has its own, later, created time");
    let first_version = version_of(&kid(&key));
    let first = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "timed", "--version", &first_version]);
    assert_eq!(first["attributes"]["updated"], changed["attributes"]["updated"], "a new version does not touch the old one's updated");
}

fn recovery_of(vault_flags: &[&str]) -> (Value, Value) {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let mut args = vec!["keyvault", "create", "--name", VAULT, "--resource-group", "rg"];
    args.extend_from_slice(vault_flags);
    home.ok(&args);
    let key = create(&home, "recoverable", &[]);
    let listed = home.ok(&["keyvault", "key", "list-versions", "--vault-name", VAULT, "--name", "recoverable"]);
    assert_eq!(listed[0]["attributes"]["recoveryLevel"], key["attributes"]["recoveryLevel"], "list-versions shows the same recovery level");
    assert_eq!(listed[0]["attributes"]["recoverableDays"], key["attributes"]["recoverableDays"], "and the same recoverable days");
    (key["attributes"]["recoveryLevel"].clone(), key["attributes"]["recoverableDays"].clone())
}

#[test]
fn recovery_level_follows_the_vault() {
    assert_eq!(
        recovery_of(&[]),
        (Value::from("Recoverable+Purgeable"), Value::from(90)),
        "a default vault (90 days, no purge protection) makes keys Recoverable+Purgeable for 90 days"
    );
    assert_eq!(
        recovery_of(&["--retention-days", "7"]),
        (Value::from("CustomizedRecoverable+Purgeable"), Value::from(7)),
        "a retention below 90 days is CustomizedRecoverable, with that many days"
    );
    assert_eq!(
        recovery_of(&["--enable-purge-protection"]),
        (Value::from("Recoverable"), Value::from(90)),
        "purge protection removes +Purgeable"
    );
}

// ---------------------------------------------------------------------------------------------
// Key types and curves
// ---------------------------------------------------------------------------------------------

#[test]
fn ec_curves_and_rsa_sizes_are_as_asked() {
    let home = TestHome::with_vault(VAULT);
    let default_ec = create(&home, "ec-default", &["--kty", "EC"]);
    assert_eq!(default_ec["key"]["crv"], "P-256", "an EC key without --curve is P-256");
    assert_eq!(default_ec["key"]["keyOps"], serde_json::json!(["sign", "verify"]), "EC keys default to sign and verify");
    for (curve, coordinate) in [("P-256", 32), ("P-384", 48), ("P-521", 66), ("P-256K", 32)] {
        let key = create(&home, &format!("ec-{}", curve.to_ascii_lowercase()), &["--kty", "EC", "--curve", curve]);
        assert_eq!(key["key"]["kty"], "EC", "--kty EC makes an EC key");
        assert_eq!(key["key"]["crv"], curve, "--curve {curve} makes a {curve} key");
        for member in ["x", "y"] {
            let bytes = unb64url(key["key"][member].as_str().expect("EC keys show x and y"));
            assert_eq!(bytes.len(), coordinate, "{curve} coordinates are {coordinate} bytes (JWK pads them)");
        }
        assert_eq!(key["key"]["n"], Value::Null, "an EC key has no modulus");
    }
    let default_rsa = create(&home, "rsa-default", &[]);
    assert_eq!(default_rsa["key"]["kty"], "RSA", "the default key type is RSA");
    assert_eq!(unb64url(default_rsa["key"]["n"].as_str().expect("RSA shows n")).len(), 256, "the default RSA size is 2048 bits");
    assert_eq!(default_rsa["key"]["e"], "AQAB", "the public exponent is 65537");
    assert_eq!(
        default_rsa["key"]["keyOps"],
        serde_json::json!(["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]),
        "RSA keys default to all six operations"
    );

    let bad_size = home.fails(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "odd", "--size", "1024"]);
    assert_eq!(bad_size.code, "BadParameter", "1024-bit RSA is refused: {}", bad_size.stderr);
    let bad_curve = home.fails(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "odd", "--kty", "EC", "--curve", "P-192"]);
    assert_eq!(bad_curve.code, "BadParameter", "an unknown curve is refused: {}", bad_curve.stderr);
    let mixed = home.fails(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "odd", "--kty", "EC", "--size", "2048"]);
    assert_eq!(mixed.code, "BadParameter", "--size on an EC key is refused: {}", mixed.stderr);
    let wrong_alg = home.fails(&[
        "keyvault",
        "key",
        "sign",
        "--vault-name",
        VAULT,
        "--name",
        "ec-default",
        "--algorithm",
        "ES384",
        "--digest",
        &b64(&[0u8; 48]),
    ]);
    assert_eq!(wrong_alg.code, "BadParameter", "ES384 does not fit a P-256 key: {}", wrong_alg.stderr);
}

#[test]
fn hsm_keys_need_a_premium_vault() {
    // Issue 13 made HSM keys real (hsm.rs tests them in depth); here: Standard refuses, Premium takes them.
    let home = TestHome::with_vault(VAULT);
    for kty in ["RSA-HSM", "EC-HSM"] {
        let failure = home.fails(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "hsm", "--kty", kty]);
        assert_eq!(failure.code, "BadParameter", "{kty} on a standard vault is a bad parameter: {}", failure.stderr);
        assert!(failure.stderr.contains("premium"), "the message says a premium vault is needed: {}", failure.stderr);
    }
    let protection = home.fails(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "hsm", "--protection", "hsm"]);
    assert_eq!(protection.code, "BadParameter", "--protection hsm is the same as an -HSM type: {}", protection.stderr);
    assert_eq!(
        home.ok(&["keyvault", "key", "list", "--vault-name", VAULT]),
        Value::Array(vec![]),
        "a refused HSM key leaves nothing behind"
    );

    home.ok(&["keyvault", "create", "--name", "premium-vault", "--resource-group", "rg", "--sku", "premium"]);
    for kty in ["RSA-HSM", "EC-HSM"] {
        let made = home.ok(&["keyvault", "key", "create", "--vault-name", "premium-vault", "--name", &kty.to_lowercase(), "--kty", kty]);
        assert_eq!(made["key"]["kty"], kty, "a premium vault makes {kty} keys: {made}");
    }
}

// ---------------------------------------------------------------------------------------------
// Public JWK download
// ---------------------------------------------------------------------------------------------

#[test]
fn jwk_download_holds_only_public_members() {
    let home = TestHome::with_vault(VAULT);
    for (name, flags) in [("rsa-pub", vec!["--kty", "RSA"]), ("ec-pub", vec!["--kty", "EC", "--curve", "P-384"])] {
        let key = create(&home, name, &flags);
        let file = home.scratch(&format!("{name}.json"));
        let file_str = file.to_str().expect("scratch paths are UTF-8");
        home.ok(&["keyvault", "key", "download", "--vault-name", VAULT, "--name", name, "--encoding", "JWK", "--file", file_str]);
        let text = std::fs::read_to_string(&file).expect("download --encoding JWK writes a text file");
        let jwk: Value = serde_json::from_str(&text).expect("the JWK file is JSON");
        let members = jwk.as_object().expect("a JWK is a JSON object");
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(!members.contains_key(private), "the downloaded JWK must not carry the private member '{private}': {text}");
        }
        assert_eq!(jwk["kid"], key["key"]["kid"], "the JWK names the version it came from");
        assert_eq!(jwk["kty"], key["key"]["kty"], "and its type");
        assert_eq!(jwk["key_ops"], key["key"]["keyOps"], "and its operations (as key_ops)");
        for public in ["n", "e", "crv", "x", "y"] {
            let shown = &key["key"][public];
            if shown.is_null() {
                assert!(!members.contains_key(public), "the JWK has no '{public}' when the key has none: {text}");
            } else {
                assert_eq!(&jwk[public], shown, "the JWK's '{public}' is the one key show prints");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rotation policies carried out on the shifted clock
// ---------------------------------------------------------------------------------------------

/// The versions of key `name`, oldest first, with their attributes.
fn key_versions(home: &TestHome, name: &str) -> Vec<Value> {
    let mut versions =
        home.ok(&["keyvault", "key", "list-versions", "--vault-name", VAULT, "--name", name]).as_array().expect("an array").clone();
    versions.sort_by_key(|v| time(&v["attributes"]["created"], "created"));
    versions
}

fn key_events(home: &TestHome, event_type: &str, name: &str) -> Vec<Value> {
    let all = home.ok(&["events", "list", "--vault-name", VAULT, "--event-type", event_type]);
    let prefix = format!("keys/{name}/");
    all.as_array().expect("an array").iter().filter(|e| e["subject"].as_str().is_some_and(|s| s.starts_with(&prefix))).cloned().collect()
}

#[test]
fn a_rotation_policy_rotates_on_the_clock_and_applies_its_expiry_time() {
    let home = TestHome::with_vault(VAULT);
    let first = create(&home, "auto-rotated", &["--kty", "EC", "--curve", "P-256"]);
    let policy =
        r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P30D"},"action":{"type":"Rotate"}}],"attributes":{"expiryTime":"P90D"}}"#;
    let set =
        home.ok(&["keyvault", "key", "rotation-policy", "update", "--vault-name", VAULT, "--name", "auto-rotated", "--value", policy]);
    assert_eq!(set["lifetimeActions"][0]["action"]["type"], "Rotate", "the policy is stored as given: {set}");
    assert_eq!(set["attributes"]["expiryTime"], "P90D");
    let shown = home.ok(&["keyvault", "key", "rotation-policy", "show", "--vault-name", VAULT, "--name", "auto-rotated"]);
    assert_eq!(shown["lifetimeActions"], set["lifetimeActions"], "show reads back what update wrote");

    shift_clock(&home, "29", "0");
    assert_eq!(key_versions(&home, "auto-rotated").len(), 1, "29 days after creation nothing is due yet");

    shift_clock(&home, "2", "0");
    let versions = key_versions(&home, "auto-rotated");
    assert_eq!(versions.len(), 2, "31 days after creation the Rotate action made a second version");
    let newest = versions.last().expect("a newest version");
    let newest_kid = newest["kid"].as_str().expect("a listed version shows its kid");
    assert_ne!(version_of(newest_kid), version_of(&kid(&first)), "the newest version is a new one");
    let created = time(&newest["attributes"]["created"], "created");
    let expires = time(&newest["attributes"]["expires"], "the new version's expiry");
    assert_eq!(expires - created, Duration::days(90), "expiryTime P90D is applied to the new version");
    let events = key_events(&home, "KeyNewVersionCreated", "auto-rotated");
    assert_eq!(events.len(), 1, "the rotation records one KeyNewVersionCreated event: {events:?}");
    let log = home.ok(&["keyvault", "log", "list", "--vault-name", VAULT, "--operation", "KeyRotate"]);
    let by_scheduler = log.as_array().expect("an array").iter().filter(|r| r["properties"]["door"] == "system").count();
    assert_eq!(by_scheduler, 1, "the scheduler's rotation is in the access log: {log}");

    shift_clock(&home, "1", "0");
    assert_eq!(key_versions(&home, "auto-rotated").len(), 2, "the new version starts its own 30 days: no second rotation a day later");
    let rotated = home.ok(&["keyvault", "key", "rotate", "--vault-name", VAULT, "--name", "auto-rotated"]);
    let manual_expires = time(&rotated["attributes"]["expires"], "a manual rotation's expiry");
    let manual_created = time(&rotated["attributes"]["created"], "created");
    assert_eq!(manual_expires - manual_created, Duration::days(90), "a manual rotation applies expiryTime too");
}

#[test]
fn a_notify_action_records_key_near_expiry_once_per_version() {
    let home = TestHome::with_vault(VAULT);
    let now = time(&home.ok(&["clock", "show"])["now"], "now");
    let expires = rfc3339(whole_seconds(now + Duration::days(40)));
    create(&home, "notified", &["--expires", &expires]);
    let policy = r#"{"lifetimeActions":[{"trigger":{"timeBeforeExpiry":"P10D"},"action":{"type":"Notify"}}]}"#;
    home.ok(&["keyvault", "key", "rotation-policy", "update", "--vault-name", VAULT, "--name", "notified", "--value", policy]);

    shift_clock(&home, "29", "0");
    assert!(key_events(&home, "KeyNearExpiry", "notified").is_empty(), "11 days before expiry: not yet");
    shift_clock(&home, "2", "0");
    assert_eq!(key_events(&home, "KeyNearExpiry", "notified").len(), 1, "9 days before expiry: KeyNearExpiry recorded");
    shift_clock(&home, "1", "0");
    assert_eq!(key_events(&home, "KeyNearExpiry", "notified").len(), 1, "once per version, not on every tick");
    assert_eq!(key_versions(&home, "notified").len(), 1, "Notify never rotates");
}

#[test]
fn a_malformed_rotation_policy_is_refused_with_a_clear_error() {
    let home = TestHome::with_vault(VAULT);
    create(&home, "strict", &[]);
    let too_soon = r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P3D"},"action":{"type":"Rotate"}}]}"#;
    let failure =
        home.fails(&["keyvault", "key", "rotation-policy", "update", "--vault-name", VAULT, "--name", "strict", "--value", too_soon]);
    assert_eq!(failure.code, "BadParameter", "{failure:?}");
    assert!(failure.stderr.contains("7 days"), "the message says the minimum: {failure:?}");
    let not_json = home.fails(&["keyvault", "key", "rotation-policy", "update", "--vault-name", VAULT, "--name", "strict", "--value", "{"]);
    assert_eq!(not_json.code, "BadParameter");
    let shown = home.ok(&["keyvault", "key", "rotation-policy", "show", "--vault-name", VAULT, "--name", "strict"]);
    assert_eq!(shown["lifetimeActions"][0]["action"]["type"], "Notify", "nothing was stored: the default policy is still shown");
}
