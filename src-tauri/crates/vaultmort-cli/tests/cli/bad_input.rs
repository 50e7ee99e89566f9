//! Bad input gets a clear error and changes nothing. Each case checks the exact error code, the
//! exit status, that the message names the offending thing (the name, the size, the algorithm,
//! the member...), that there is no panic, and that every table but the access log is row for
//! row what it was before. Requests that reach the core are audited even though refused: the
//! access log grows by exactly one record carrying the failing status and code. Flags the CLI
//! itself cannot parse (an unknown algorithm, a date, base64, an id URL) are refused before any
//! request exists, as `az` refuses them client-side, and leave the log untouched.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::{Failure, OpensslKey, TestHome, audit_rows, b64, b64url, store_snapshot};

/// Who refuses a bad request.
#[derive(Debug, Clone, Copy)]
enum RefusedBy {
    /// The core, inside its audited pipeline: the named operation is logged with the error.
    Core(&'static str),
    /// The CLI while reading its flags: no core request is made, so nothing is logged.
    Door,
}

const VAULT: &str = "bad-input";

/// Runs `args`, which must fail with `code`, a message naming each of `mentions`, the store
/// unchanged, and the access log grown as `by` implies.
fn refused(home: &TestHome, args: &[&str], code: &str, mentions: &[&str], by: RefusedBy) -> Failure {
    let before = store_snapshot(home);
    let log_before = audit_rows(home);
    let failure = home.fails(args);
    let command = args.join(" ");
    let command = if command.len() > 200 { format!("{}...", &command[..200]) } else { command };
    assert_eq!(failure.code, code, "`{command}` must be refused with {code}: {}", failure.stderr);
    let exit = if code.contains("NotFound") { 3 } else { 1 };
    assert_eq!(failure.status, exit, "`{command}` fails with {code}, which exits with {exit}");
    for mention in mentions {
        assert!(failure.stderr.contains(mention), "the message for `{command}` must name the offending '{mention}': {}", failure.stderr);
    }
    assert_eq!(store_snapshot(home), before, "a refused `{command}` must leave every table (but the access log) unchanged");

    let log_after = audit_rows(home);
    assert!(log_after.starts_with(&log_before), "the access log is append-only: `{command}` must not change earlier records");
    let added = &log_after[log_before.len()..];
    match by {
        RefusedBy::Core(operation) => {
            assert_eq!(added.len(), 1, "`{command}` reached the core, so exactly one access-log record must be added: {added:?}");
            let record = &added[0];
            assert_eq!(record.operation, operation, "the record must name the operation refused");
            assert_eq!(record.error_code.as_deref(), Some(code), "the record must carry the error code of the refusal");
            let status = match code {
                "BadParameter" => 400,
                "OperationNotAllowed" => 403,
                _ if code.contains("NotFound") => 404,
                other => panic!("the helper knows no HTTP status for {other}"),
            };
            assert_eq!(record.status, status, "the record must carry the refusal's HTTP status");
            assert_eq!(record.caller_name, "owner@vaultmort.local", "the CLI calls as the installation's owner");
            assert_eq!(record.door, "cli", "the record must name the door");
            let flag = |name: &str| args.iter().position(|a| *a == name).and_then(|i| args.get(i + 1)).copied();
            let vault = if args.starts_with(&["keyvault", "create"]) { flag("--name") } else { flag("--vault-name") };
            if let Some(vault) = vault {
                assert_eq!(record.vault.as_deref(), Some(vault), "the record of `{command}` must name the vault asked for");
            }
            let collection = match args.get(1) {
                Some(&"key") => Some("keys"),
                Some(&"secret") => Some("secrets"),
                _ => None,
            };
            if let (Some(collection), Some(name), true) = (collection, flag("--name"), args.contains(&"--vault-name")) {
                let path = format!("{collection}/{name}");
                assert!(
                    record.object.as_deref().is_some_and(|o| o == path || o.starts_with(&format!("{path}/"))),
                    "the record of `{command}` must name the object asked for ({path}), got {:?}",
                    record.object
                );
            }
        }
        RefusedBy::Door => {
            assert!(added.is_empty(), "`{command}` is refused by the CLI before any request exists, so nothing is logged: {added:?}");
        }
    }
    failure
}

fn vault_home() -> TestHome {
    TestHome::with_vault(VAULT)
}

fn write_jwk(home: &TestHome, name: &str, jwk: &Value) -> String {
    let path = home.scratch(name);
    std::fs::write(&path, jwk.to_string()).expect("write the JWK file");
    path.to_str().expect("utf-8 path").to_string()
}

#[test]
fn invalid_vault_names_are_refused() {
    let home = vault_home();
    let long = "v".repeat(25);
    for (name, why) in [
        ("ab", "3 to 24"),
        (long.as_str(), "3 to 24"),
        ("1vault", "start with a letter"),
        ("my_vault", "letters, digits and hyphens"),
        ("vault.name", "letters, digits and hyphens"),
        ("vault-", "end with a letter or digit"),
        ("my--vault", "two hyphens"),
    ] {
        refused(
            &home,
            &["keyvault", "create", "--name", name, "--resource-group", "rg"],
            "BadParameter",
            &[name, why],
            RefusedBy::Core("VaultPut"),
        );
    }
}

#[test]
fn invalid_key_and_secret_names_are_refused() {
    let home = vault_home();
    let too_long = "k".repeat(128);
    for name in ["my_secret", "with space", "dot.ted", too_long.as_str()] {
        let args = ["keyvault", "secret", "set", "--vault-name", VAULT, "--name", name, "--value", "v"];
        refused(&home, &args, "BadParameter", &[name, "127"], RefusedBy::Core("SecretSet"));
    }
    for name in ["my_key", too_long.as_str()] {
        refused(
            &home,
            &["keyvault", "key", "create", "--vault-name", VAULT, "--name", name, "--kty", "EC"],
            "BadParameter",
            &[name, "127"],
            RefusedBy::Core("KeyCreate"),
        );
    }
    // The limit is exactly 127: one character less than the refused name is fine.
    let longest = "k".repeat(127);
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", &longest, "--value", "v"]);
}

#[test]
fn an_oversize_secret_is_refused() {
    let home = vault_home();
    let value = "x".repeat(25_601);
    refused(
        &home,
        &["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "big", "--value", &value],
        "BadParameter",
        &["25601", "25600"],
        RefusedBy::Core("SecretSet"),
    );
    // The same through --file: the CLI stops reading past the limit (issue 11 point 8), so it
    // refuses the file itself, naming the limit, before any request exists.
    let file = home.scratch("big.txt");
    std::fs::write(&file, &value).expect("write the value");
    refused(
        &home,
        &["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "big", "--file", file.to_str().expect("utf-8")],
        "BadParameter",
        &["25600", "big.txt"],
        RefusedBy::Door,
    );
    // 25600 bytes is the limit itself, and accepted.
    let value = "x".repeat(25_600);
    let set = home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "big", "--value", &value]);
    assert_eq!(set["value"].as_str().map(str::len), Some(25_600), "a value of exactly 25 KB is allowed");
}

#[test]
fn unknown_algorithms_are_refused() {
    let home = vault_home();
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "rsa", "--kty", "RSA"]);
    let digest = b64(&[7u8; 32]);
    refused(
        &home,
        &["keyvault", "key", "sign", "--vault-name", VAULT, "--name", "rsa", "--algorithm", "RS999", "--digest", &digest],
        "BadParameter",
        &["'RS999' is not a known signature algorithm", "RS256"],
        RefusedBy::Door,
    );
    refused(
        &home,
        &["keyvault", "key", "encrypt", "--vault-name", VAULT, "--name", "rsa", "--algorithm", "RS999", "--value", &b64(b"hello")],
        "BadParameter",
        &["'RS999' is not a known encryption algorithm", "RSA-OAEP"],
        RefusedBy::Door,
    );
    refused(
        &home,
        &[
            "keyvault",
            "key",
            "verify",
            "--vault-name",
            VAULT,
            "--name",
            "rsa",
            "--algorithm",
            "RS999",
            "--digest",
            &digest,
            "--signature",
            &digest,
        ],
        "BadParameter",
        &["RS999"],
        RefusedBy::Door,
    );
}

#[test]
fn algorithms_that_do_not_fit_the_key_and_wrong_digest_lengths_are_refused() {
    let home = vault_home();
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "rsa", "--kty", "RSA"]);
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "p256", "--kty", "EC", "--curve", "P-256"]);
    let sign = |key: &'static str, algorithm: &'static str, digest: &[u8]| {
        let digest = b64(digest);
        move |home: &TestHome, code: &str, mentions: &[&str]| {
            refused(
                home,
                &["keyvault", "key", "sign", "--vault-name", VAULT, "--name", key, "--algorithm", algorithm, "--digest", &digest],
                code,
                mentions,
                RefusedBy::Core("KeySign"),
            )
        }
    };
    sign("rsa", "ES256", &[1u8; 32])(&home, "BadParameter", &["ES256", "RSA"]);
    sign("p256", "ES384", &[1u8; 48])(&home, "BadParameter", &["ES384", "P-256"]);
    sign("p256", "RS256", &[1u8; 32])(&home, "BadParameter", &["RS256", "P-256"]);
    sign("rsa", "RS256", &[1u8; 31])(&home, "BadParameter", &["RS256", "32", "31"]);
    sign("rsa", "PS512", &[1u8; 32])(&home, "BadParameter", &["PS512", "64", "32"]);
    sign("p256", "ES256", &[1u8; 33])(&home, "BadParameter", &["ES256", "32", "33"]);
    refused(
        &home,
        &["keyvault", "key", "encrypt", "--vault-name", VAULT, "--name", "p256", "--algorithm", "RSA-OAEP", "--value", &b64(b"hello")],
        "OperationNotAllowed",
        &["encrypt", "sign, verify"],
        RefusedBy::Core("KeyEncrypt"),
    );
}

#[test]
fn malformed_jwk_files_are_refused() {
    let home = vault_home();
    let rsa = OpensslKey::rsa(2048);
    let other = OpensslKey::rsa(2048);
    let ec = OpensslKey::ec("P-256");
    let import = |home: &TestHome, file: &str, code: &str, mentions: &[&str], by: RefusedBy| {
        refused(home, &["keyvault", "key", "import", "--vault-name", VAULT, "--name", "imported", "--file", file], code, mentions, by)
    };

    let not_json = home.scratch("not-json.json");
    std::fs::write(&not_json, "this is not { JSON").expect("write");
    import(&home, not_json.to_str().expect("utf-8"), "BadParameter", &["not-json.json", "JSON Web Key"], RefusedBy::Door);

    let mut missing_d = rsa.jwk.clone();
    missing_d.as_object_mut().expect("a JSON object").remove("d");
    import(&home, &write_jwk(&home, "missing-d.json", &missing_d), "BadParameter", &["'d'"], RefusedBy::Core("KeyImport"));

    let mut ec_missing_d = ec.jwk.clone();
    ec_missing_d.as_object_mut().expect("a JSON object").remove("d");
    import(&home, &write_jwk(&home, "ec-missing-d.json", &ec_missing_d), "BadParameter", &["'d'"], RefusedBy::Core("KeyImport"));

    let oct = json!({"kty": "oct", "k": "c2VjcmV0LXN5bW1ldHJpYy1rZXktYnl0ZXMtMzItYnl0ZXM"});
    import(&home, &write_jwk(&home, "oct.json", &oct), "BadParameter", &["oct"], RefusedBy::Core("KeyImport"));

    let mut foreign_d = rsa.jwk.clone();
    foreign_d["d"] = other.jwk["d"].clone();
    import(
        &home,
        &write_jwk(&home, "foreign-d.json", &foreign_d),
        "BadParameter",
        &["RSA members", "consistent"],
        RefusedBy::Core("KeyImport"),
    );

    let mut off_curve = ec.jwk.clone();
    let mut y = URL_SAFE_NO_PAD.decode(off_curve["y"].as_str().expect("the EC JWK has y")).expect("y is base64url");
    y[31] ^= 0x01;
    off_curve["y"] = Value::String(b64url(&y));
    import(&home, &write_jwk(&home, "off-curve.json", &off_curve), "BadParameter", &["x", "y", "P-256"], RefusedBy::Core("KeyImport"));

    let mut unknown_curve = ec.jwk.clone();
    unknown_curve["crv"] = json!("P-192");
    import(&home, &write_jwk(&home, "p192.json", &unknown_curve), "BadParameter", &["P-192"], RefusedBy::Core("KeyImport"));

    let mut no_curve = ec.jwk.clone();
    no_curve.as_object_mut().expect("a JSON object").remove("crv");
    import(&home, &write_jwk(&home, "no-crv.json", &no_curve), "BadParameter", &["'crv'"], RefusedBy::Core("KeyImport"));

    let mut bad_member = rsa.jwk.clone();
    bad_member["n"] = json!("not base64url!!");
    import(&home, &write_jwk(&home, "bad-n.json", &bad_member), "BadParameter", &["bad-n.json", "base64url"], RefusedBy::Door);

    // The untouched keys import, so each refusal above is down to the one change made.
    import_ok(&home, &write_jwk(&home, "rsa.json", &rsa.jwk));
    import_ok(&home, &write_jwk(&home, "ec.json", &ec.jwk));
}

fn import_ok(home: &TestHome, file: &str) {
    home.ok(&["keyvault", "key", "import", "--vault-name", VAULT, "--name", "imported", "--file", file]);
}

#[test]
fn missing_vaults_keys_and_secrets_are_not_found() {
    let home = vault_home();
    let f = refused(
        &home,
        &["keyvault", "secret", "show", "--vault-name", "nosuchvault", "--name", "s"],
        "VaultNotFound",
        &["nosuchvault"],
        RefusedBy::Core("SecretGet"),
    );
    assert!(f.stderr.starts_with("ERROR: (VaultNotFound)"), "errors print as az does: {}", f.stderr);
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", "nosuchvault", "--name", "k"],
        "VaultNotFound",
        &["nosuchvault"],
        RefusedBy::Core("KeyCreate"),
    );
    refused(
        &home,
        &["keyvault", "key", "show", "--vault-name", VAULT, "--name", "nokey"],
        "KeyNotFound",
        &["nokey", VAULT],
        RefusedBy::Core("KeyGet"),
    );
    let digest = b64(&[1u8; 32]);
    refused(
        &home,
        &["keyvault", "key", "sign", "--vault-name", VAULT, "--name", "nokey", "--algorithm", "RS256", "--digest", &digest],
        "KeyNotFound",
        &["nokey"],
        RefusedBy::Core("KeySign"),
    );
    refused(
        &home,
        &["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "nosecret"],
        "SecretNotFound",
        &["nosecret", VAULT],
        RefusedBy::Core("SecretGet"),
    );
    refused(
        &home,
        &["keyvault", "secret", "delete", "--vault-name", VAULT, "--name", "nosecret"],
        "SecretNotFound",
        &["nosecret"],
        RefusedBy::Core("SecretDelete"),
    );
}

#[test]
fn bad_dates_are_refused() {
    let home = vault_home();
    refused(
        &home,
        &["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--value", "v", "--expires", "tomorrow"],
        "BadParameter",
        &["--expires", "tomorrow"],
        RefusedBy::Door,
    );
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "EC", "--not-before", "2030-13-45"],
        "BadParameter",
        &["--not-before", "2030-13-45"],
        RefusedBy::Door,
    );
    refused(
        &home,
        &[
            "keyvault",
            "secret",
            "set",
            "--vault-name",
            VAULT,
            "--name",
            "s",
            "--value",
            "v",
            "--not-before",
            "2030-01-02",
            "--expires",
            "2030-01-01",
        ],
        "BadParameter",
        &["2030-01-01", "2030-01-02"],
        RefusedBy::Core("SecretSet"),
    );
    refused(
        &home,
        &[
            "keyvault",
            "key",
            "create",
            "--vault-name",
            VAULT,
            "--name",
            "k",
            "--kty",
            "EC",
            "--not-before",
            "2030-01-01",
            "--expires",
            "2030-01-01",
        ],
        "BadParameter",
        &["2030-01-01", "expiry"],
        RefusedBy::Core("KeyCreate"),
    );
}

#[test]
fn more_than_fifteen_tags_are_refused() {
    let home = vault_home();
    let tags: Vec<String> = (0..16).map(|i| format!("t{i}=v{i}")).collect();
    let mut args: Vec<&str> = vec!["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--value", "v", "--tags"];
    args.extend(tags.iter().map(String::as_str));
    refused(&home, &args, "BadParameter", &["16", "15"], RefusedBy::Core("SecretSet"));
    // Fifteen is the limit itself.
    home.ok(&args[..args.len() - 1]);
}

#[test]
fn bad_base64_is_refused() {
    let home = vault_home();
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "rsa", "--kty", "RSA"]);
    refused(
        &home,
        &["keyvault", "key", "sign", "--vault-name", VAULT, "--name", "rsa", "--algorithm", "RS256", "--digest", "!!not*base64!!"],
        "BadParameter",
        &["--digest", "base64"],
        RefusedBy::Door,
    );
    refused(
        &home,
        &["keyvault", "key", "decrypt", "--vault-name", VAULT, "--name", "rsa", "--algorithm", "RSA-OAEP", "--value", "%%%"],
        "BadParameter",
        &["--value", "base64"],
        RefusedBy::Door,
    );
}

#[test]
fn bad_key_parameters_are_refused() {
    let home = vault_home();
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "RSA", "--size", "1024"],
        "BadParameter",
        &["1024", "2048"],
        RefusedBy::Core("KeyCreate"),
    );
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "EC", "--curve", "P-192"],
        "BadParameter",
        &["'P-192' is not a known curve", "P-256"],
        RefusedBy::Door,
    );
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "RSA", "--curve", "P-256"],
        "BadParameter",
        &["--curve", "RSA"],
        RefusedBy::Core("KeyCreate"),
    );
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "EC", "--size", "2048"],
        "BadParameter",
        &["--size", "EC"],
        RefusedBy::Core("KeyCreate"),
    );
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "DSA"],
        "BadParameter",
        &["'DSA' is not a known key type"],
        RefusedBy::Door,
    );
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "RSA", "--ops", "sign", "frobnicate"],
        "BadParameter",
        &["'frobnicate' is not a known key operation", "wrapKey"],
        RefusedBy::Door,
    );
    refused(
        &home,
        &["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "EC", "--ops", "sign", "encrypt"],
        "BadParameter",
        &["encrypt", "EC"],
        RefusedBy::Core("KeyCreate"),
    );
}

#[test]
fn ids_that_are_not_object_urls_are_refused() {
    let home = vault_home();
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--value", "v"]);
    refused(&home, &["keyvault", "secret", "show", "--id", "notaurl"], "BadParameter", &["notaurl"], RefusedBy::Door);
    let key_id = format!("https://{VAULT}.localhost:8443/keys/s");
    refused(&home, &["keyvault", "secret", "show", "--id", &key_id], "BadParameter", &[key_id.as_str(), "secrets"], RefusedBy::Door);
    let too_deep = format!("https://{VAULT}.localhost:8443/secrets/s/0123456789abcdef0123456789abcdef/extra");
    refused(&home, &["keyvault", "secret", "show", "--id", &too_deep], "BadParameter", &["extra"], RefusedBy::Door);
    refused(
        &home,
        &["keyvault", "secret", "show", "--id", "http://bad-input.localhost/secrets/s"],
        "BadParameter",
        &["http://bad-input"],
        RefusedBy::Door,
    );
    // A version that is not a version id reaches the core, where no such version exists.
    let bad_version = format!("https://{VAULT}.localhost:8443/secrets/s/not-a-version");
    refused(
        &home,
        &["keyvault", "secret", "show", "--id", &bad_version],
        "SecretNotFound",
        &["not-a-version"],
        RefusedBy::Core("SecretGet"),
    );
}

#[test]
fn garbage_ciphertext_is_refused_without_a_panic() {
    let home = vault_home();
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "rsa", "--kty", "RSA"]);
    for (algorithm, ciphertext) in [
        ("RSA-OAEP", vec![0x41u8; 256]),
        ("RSA-OAEP-256", vec![0xFFu8; 256]),
        ("RSA1_5", vec![0x00u8; 256]),
        ("RSA-OAEP", vec![0x41u8; 5]),
        ("RSA-OAEP-256", vec![0x41u8; 512]),
    ] {
        refused(
            &home,
            &["keyvault", "key", "decrypt", "--vault-name", VAULT, "--name", "rsa", "--algorithm", algorithm, "--value", &b64(&ciphertext)],
            "BadParameter",
            &["decrypt"],
            RefusedBy::Core("KeyDecrypt"),
        );
    }
    refused(
        &home,
        &["keyvault", "key", "unwrap", "--vault-name", VAULT, "--name", "rsa", "--algorithm", "RSA-OAEP", "--value", &b64(&[0x41u8; 256])],
        "BadParameter",
        &[],
        RefusedBy::Core("KeyUnwrap"),
    );
}

/// A home whose runs get at most 2 GiB of address space, so a CLI that reads an endless input
/// whole fails fast (an allocation failure) instead of taking the machine's memory.
fn memory_bounded_home() -> TestHome {
    let mut home = vault_home();
    home.shell_prelude = Some("ulimit -v 2097152".into());
    home
}

// Regression, issue 11 point 8: every file input of the CLI (`--file`, `@file`) reads at most one
// byte past the largest file of its kind, so `/dev/zero` (no size in its metadata, no end) is
// refused by the CLI itself, named with the limit, before any request exists.
#[test]
fn issue11_point8_dev_zero_is_refused_at_once_by_every_file_input() {
    let home = memory_bounded_home();
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "rsa", "--kty", "RSA"]);
    let zero = "/dev/zero";
    let at_zero = "@/dev/zero";
    for (args, limit) in [
        (vec!["keyvault", "certificate", "import", "--vault-name", VAULT, "--name", "c", "--file", zero], "1048576"),
        (vec!["keyvault", "certificate", "pending", "merge", "--vault-name", VAULT, "--name", "c", "--file", zero], "1048576"),
        (vec!["keyvault", "certificate", "create", "--vault-name", VAULT, "--name", "c", "--policy", at_zero], "1048576"),
        (vec!["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--file", zero], "25600"),
        (vec!["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--file", zero, "--encoding", "base64"], "25600"),
        (vec!["keyvault", "key", "import", "--vault-name", VAULT, "--name", "k", "--file", zero], "65536"),
        (vec!["keyvault", "key", "rotation-policy", "update", "--vault-name", VAULT, "--name", "rsa", "--value", at_zero], "1048576"),
        (vec!["keyvault", "secret", "restore", "--vault-name", VAULT, "--file", zero], "67108864"),
        (vec!["keyvault", "key", "restore", "--vault-name", VAULT, "--file", zero], "67108864"),
        (vec!["keyvault", "certificate", "restore", "--vault-name", VAULT, "--file", zero], "67108864"),
        (vec!["role", "definition", "create", "--role-definition", at_zero], "1048576"),
    ] {
        refused(&home, &args, "BadParameter", &[zero, limit], RefusedBy::Door);
    }
    // `secret set --value` takes its value literally (only `--file` reads a file), so `@/dev/zero`
    // is a ten-character value and nothing is read.
    let set = home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "literal", "--value", at_zero]);
    assert_eq!(set["value"], at_zero, "--value is the value itself, not a file to read: {set}");
}

// Regression, issue 11 point 8: a regular file one byte over its kind's limit is refused before
// it reaches the core (nothing is stored or logged), and the message names the file and the limit.
#[test]
fn issue11_point8_an_oversized_regular_file_is_refused_with_its_limit() {
    let home = memory_bounded_home();
    let sized = |name: &str, len: u64| {
        let path = home.scratch(name);
        // A sparse file: its size is real, its blocks are not written.
        std::fs::File::create(&path).and_then(|f| f.set_len(len)).expect("create the oversized file");
        path.to_str().expect("utf-8 path").to_string()
    };
    let secret = sized("value.txt", 25 * 1024 + 1);
    let certificate = sized("big.pfx", 1024 * 1024 + 1);
    let jwk = sized("big.jwk", 64 * 1024 + 1);
    let backup = sized("big.backup", 64 * 1024 * 1024 + 1);
    for (args, limit) in [
        (vec!["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--file", &secret], "25600"),
        (vec!["keyvault", "certificate", "import", "--vault-name", VAULT, "--name", "c", "--file", &certificate], "1048576"),
        (vec!["keyvault", "key", "import", "--vault-name", VAULT, "--name", "k", "--file", &jwk], "65536"),
        (vec!["keyvault", "secret", "restore", "--vault-name", VAULT, "--file", &backup], "67108864"),
    ] {
        let file = args.last().copied().unwrap_or_default();
        let failure = refused(&home, &args, "BadParameter", &[file, limit], RefusedBy::Door);
        assert!(failure.stderr.contains("larger than"), "the message says why the file is refused: {}", failure.stderr);
    }
}
