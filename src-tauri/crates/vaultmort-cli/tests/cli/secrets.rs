//! Secrets through the CLI: set and show (ASCII, unicode and multi-line values, content type),
//! versions, set-attributes (disable, tags, content type, dates), list without values, download
//! in every encoding, `set --file --encoding base64`, the 25 KB value limit, and download's
//! refusal to overwrite a file.

use serde_json::Value;

use crate::support::{TestHome, b64};

const VAULT: &str = "secret-vault";

fn set(home: &TestHome, name: &str, value: &str) -> Value {
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", name, "--value", value])
}

fn show(home: &TestHome, name: &str) -> Value {
    home.ok(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", name])
}

fn list(home: &TestHome) -> Vec<Value> {
    home.ok(&["keyvault", "secret", "list", "--vault-name", VAULT]).as_array().expect("secret list prints an array").clone()
}

fn versions(home: &TestHome, name: &str) -> Vec<Value> {
    home.ok(&["keyvault", "secret", "list-versions", "--vault-name", VAULT, "--name", name])
        .as_array()
        .expect("list-versions prints an array")
        .clone()
}

/// The version segment at the end of a secret id.
fn version_of(secret: &Value) -> String {
    secret["id"].as_str().and_then(|id| id.rsplit('/').next()).expect("a secret id ends with its version").to_string()
}

/// Whether a JSON value holds a `value` field at any depth.
fn has_value_field(json: &Value) -> bool {
    match json {
        Value::Object(map) => map.contains_key("value") || map.values().any(has_value_field),
        Value::Array(items) => items.iter().any(has_value_field),
        _ => false,
    }
}

fn time(json: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = json.as_str().unwrap_or_else(|| panic!("a time field is an RFC 3339 string, got {json}"));
    chrono::DateTime::parse_from_rfc3339(text).expect("times are RFC 3339").with_timezone(&chrono::Utc)
}

#[test]
fn set_and_show_round_trip_values() {
    let home = TestHome::with_vault(VAULT);
    let plain = set(&home, "plain", "p@ss w0rd; with 'quotes' and \"more\"");
    assert_eq!(plain["value"], "p@ss w0rd; with 'quotes' and \"more\"", "set echoes the value it stored");
    assert_eq!(plain["name"], "plain", "set echoes the name");
    assert!(
        plain["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("https://secret-vault.localhost:8443/secrets/plain/") && version_of(&plain).len() == 32),
        "a secret id is <vault uri>/secrets/<name>/<32-hex version>, got {}",
        plain["id"]
    );
    assert_eq!(show(&home, "plain")["value"], plain["value"], "show returns the value exactly as set");

    let unicode = "Grüße, 世界 — ключ 🔑";
    set(&home, "unicode", unicode);
    assert_eq!(show(&home, "unicode")["value"], unicode, "non-ASCII UTF-8 survives sealing and unsealing unchanged");

    let multi = "line one\nline two\r\n\ttabbed line three\n";
    let file = home.scratch("multi.txt");
    std::fs::write(&file, multi).expect("write the multi-line value file");
    let from_file =
        home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "multi", "--file", file.to_str().expect("utf-8 path")]);
    assert_eq!(from_file["value"], multi, "--file reads the whole file, newlines and tabs included");
    assert_eq!(show(&home, "multi")["value"], multi, "the multi-line value reads back byte for byte");
}

#[test]
fn content_type_is_kept() {
    let home = TestHome::with_vault(VAULT);
    let typed = home.ok(&[
        "keyvault",
        "secret",
        "set",
        "--vault-name",
        VAULT,
        "--name",
        "typed",
        "--value",
        "{}",
        "--content-type",
        "application/json",
    ]);
    assert_eq!(typed["contentType"], "application/json", "set echoes the content type");
    assert_eq!(show(&home, "typed")["contentType"], "application/json", "show returns the stored content type");
    let untyped = set(&home, "untyped", "x");
    assert_eq!(untyped["contentType"], Value::Null, "without --content-type there is none");
}

#[test]
fn versions_keep_their_own_values() {
    let home = TestHome::with_vault(VAULT);
    let first = set(&home, "rotating", "old value");
    let second = set(&home, "rotating", "new value");
    assert_ne!(version_of(&first), version_of(&second), "each set makes a new version id");

    let listed = versions(&home, "rotating");
    assert_eq!(listed.len(), 2, "two sets make two versions");
    let ids: Vec<&str> = listed.iter().filter_map(|v| v["id"].as_str()).collect();
    assert!(
        ids.contains(&first["id"].as_str().expect("id")) && ids.contains(&second["id"].as_str().expect("id")),
        "both ids are listed: {ids:?}"
    );

    let newest = show(&home, "rotating");
    assert_eq!(newest["value"], "new value", "show without --version returns the newest version");
    assert_eq!(newest["id"], second["id"], "the newest is the second set");

    let old_version = version_of(&first);
    let old = home.ok(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "rotating", "--version", &old_version]);
    assert_eq!(old["value"], "old value", "--version returns that version's own value, not the newest");
    let by_id = home.ok(&["keyvault", "secret", "show", "--id", first["id"].as_str().expect("id")]);
    assert_eq!(by_id["value"], "old value", "--id with a version addresses the same version");

    assert_eq!(list(&home).len(), 1, "secret list shows one entry per secret, not per version");
}

#[test]
fn disabled_secret_cannot_be_read_but_is_listed() {
    let home = TestHome::with_vault(VAULT);
    set(&home, "off", "hidden");
    let updated = home.ok(&["keyvault", "secret", "set-attributes", "--vault-name", VAULT, "--name", "off", "--enabled", "false"]);
    assert_eq!(updated["attributes"]["enabled"], false, "set-attributes --enabled false disables the version");
    assert!(!has_value_field(&updated), "set-attributes does not return the value");

    let refused = home.fails(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "off"]);
    assert_eq!(refused.code, "Forbidden: SecretDisabled", "a disabled secret's value is refused: {}", refused.stderr);
    assert!(!refused.stderr.contains("hidden"), "the refusal must not leak the value");

    let listed = list(&home);
    let entry = listed.iter().find(|s| s["name"] == "off").expect("a disabled secret is still listed");
    assert_eq!(entry["attributes"]["enabled"], false, "the list shows it as disabled");

    home.ok(&["keyvault", "secret", "set-attributes", "--vault-name", VAULT, "--name", "off", "--enabled", "true"]);
    assert_eq!(show(&home, "off")["value"], "hidden", "re-enabling makes the value readable again");
}

#[test]
fn set_attributes_tags_content_type_and_dates() {
    let home = TestHome::with_vault(VAULT);
    let original = set(&home, "attrs", "v");
    let updated = home.ok(&[
        "keyvault",
        "secret",
        "set-attributes",
        "--vault-name",
        VAULT,
        "--name",
        "attrs",
        "--tags",
        "owner=alice",
        "tier=gold",
        "--content-type",
        "text/plain",
        "--not-before",
        "2031-02-03T04:05:06Z",
        "--expires",
        "2035-01-01",
    ]);
    assert_eq!(updated["id"], original["id"], "set-attributes changes the version in place; it makes no new version");
    let shown = show(&home, "attrs");
    assert_eq!(shown["tags"], serde_json::json!({"owner": "alice", "tier": "gold"}), "tags were stored");
    assert_eq!(shown["contentType"], "text/plain", "the content type was stored");
    assert_eq!(time(&shown["attributes"]["notBefore"]).to_rfc3339(), "2031-02-03T04:05:06+00:00", "--not-before is shown as given");
    assert_eq!(
        time(&shown["attributes"]["expires"]).to_rfc3339(),
        "2035-01-01T00:00:00+00:00",
        "a plain --expires date means midnight UTC"
    );
    assert_eq!(shown["value"], "v", "nbf and exp are informational for secrets: the value stays readable");
    assert_eq!(versions(&home, "attrs").len(), 1, "still a single version");

    let bad = home.fails(&["keyvault", "secret", "set-attributes", "--vault-name", VAULT, "--name", "attrs", "--expires", "not-a-date"]);
    assert_eq!(bad.code, "BadParameter", "an unreadable date is refused");
}

#[test]
fn list_never_shows_values() {
    let home = TestHome::with_vault(VAULT);
    set(&home, "one", "value-one-should-not-appear");
    set(&home, "two", "value-two-should-not-appear");
    set(&home, "two", "value-two-b-should-not-appear");
    let listed = home.ok(&["keyvault", "secret", "list", "--vault-name", VAULT]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "both secrets are listed");
    assert!(!has_value_field(&listed), "secret list must not carry a value field: {listed}");
    assert!(!listed.to_string().contains("should-not-appear"), "no secret value text appears in list output");
    let versions_out = home.ok(&["keyvault", "secret", "list-versions", "--vault-name", VAULT, "--name", "two"]);
    assert!(!has_value_field(&versions_out), "list-versions must not carry values either: {versions_out}");
}

#[test]
fn download_in_each_encoding() {
    let home = TestHome::with_vault(VAULT);
    let dl = |name: &str, file: &str, encoding: Option<&str>| -> Vec<u8> {
        let path = home.scratch(file);
        let path_text = path.to_str().expect("utf-8 path").to_string();
        let mut args = vec!["keyvault", "secret", "download", "--vault-name", VAULT, "--name", name, "--file", &path_text];
        if let Some(e) = encoding {
            args.extend(["--encoding", e]);
        }
        assert_eq!(home.ok(&args), Value::Null, "download prints nothing");
        std::fs::read(&path).expect("download wrote the file")
    };

    let text = "héllo\nworld";
    set(&home, "text", text);
    assert_eq!(dl("text", "text.out", None), text.as_bytes(), "the default download writes the value's UTF-8 bytes");
    assert_eq!(dl("text", "text-utf8.out", Some("utf-8")), text.as_bytes(), "explicit utf-8 is the same");

    let binary: Vec<u8> = (0u8..=255).rev().collect();
    set(&home, "b64", &b64(&binary));
    assert_eq!(dl("b64", "b64.out", Some("base64")), binary, "--encoding base64 decodes a base64 value to its bytes");

    set(&home, "hex", "00ff10abCD");
    assert_eq!(dl("hex", "hex.out", Some("hex")), [0x00, 0xff, 0x10, 0xab, 0xcd], "--encoding hex decodes a hex value to its bytes");

    let path = home.scratch("not-b64.out");
    let failure = home.fails(&[
        "keyvault",
        "secret",
        "download",
        "--vault-name",
        VAULT,
        "--name",
        "text",
        "--file",
        path.to_str().expect("utf-8 path"),
        "--encoding",
        "base64",
    ]);
    assert_eq!(failure.code, "BadParameter", "a value that is not base64 cannot be downloaded as base64");
    assert!(!path.exists(), "a failed download leaves no file behind");
}

#[test]
fn set_from_file_as_base64_stores_the_file_bytes_encoded() {
    let home = TestHome::with_vault(VAULT);
    let bytes: Vec<u8> = vec![0x00, 0x01, 0xfe, 0xff, b'\n', 0x80, 0x7f, 0xc3];
    let file = home.scratch("blob.bin");
    std::fs::write(&file, &bytes).expect("write the binary file");
    let file_text = file.to_str().expect("utf-8 path");

    let refused = home.fails(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "bin", "--file", file_text]);
    assert_eq!(refused.code, "BadParameter", "a binary file is not UTF-8 text, so the default encoding refuses it");

    let stored =
        home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "bin", "--file", file_text, "--encoding", "base64"]);
    assert_eq!(stored["value"], b64(&bytes), "--encoding base64 stores the base64 text of the file's bytes");
    assert_eq!(show(&home, "bin")["value"], b64(&bytes), "show returns that base64 text");

    let out = home.scratch("blob.back");
    home.ok(&[
        "keyvault",
        "secret",
        "download",
        "--vault-name",
        VAULT,
        "--name",
        "bin",
        "--file",
        out.to_str().expect("utf-8 path"),
        "--encoding",
        "base64",
    ]);
    assert_eq!(std::fs::read(&out).expect("downloaded file"), bytes, "upload and download with base64 round-trip the exact bytes");
}

#[test]
fn value_size_limit_is_25600_bytes() {
    let home = TestHome::with_vault(VAULT);
    let at_limit = "x".repeat(25_600);
    let stored = set(&home, "big", &at_limit);
    assert_eq!(stored["value"].as_str().map(str::len), Some(25_600), "a value of exactly 25 KB is accepted");

    let over = "y".repeat(25_601);
    let refused = home.fails(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "big", "--value", &over]);
    assert_eq!(refused.code, "BadParameter", "one byte over 25 KB is refused");
    assert_eq!(versions(&home, "big").len(), 1, "the refused set made no new version");
    assert_eq!(show(&home, "big")["value"].as_str().map(str::len), Some(25_600), "the stored value is unchanged");

    let refused_new = home.fails(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "too-big", "--value", &over]);
    assert_eq!(refused_new.code, "BadParameter", "an oversized value is refused for a new secret too");
    let names: Vec<Value> = list(&home).iter().map(|s| s["name"].clone()).collect();
    assert_eq!(names, ["big"], "the refused secret was not created");

    // The limit counts UTF-8 bytes, not characters: 12 801 two-byte characters are 25 602 bytes.
    let wide = "é".repeat(12_801);
    let refused_wide = home.fails(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "wide", "--value", &wide]);
    assert_eq!(refused_wide.code, "BadParameter", "the limit is in bytes, so 12 801 two-byte characters are too many");
}

#[test]
fn download_refuses_to_overwrite() {
    let home = TestHome::with_vault(VAULT);
    set(&home, "s", "new content");
    let path = home.scratch("existing.txt");
    std::fs::write(&path, b"precious").expect("write the existing file");
    let failure =
        home.fails(&["keyvault", "secret", "download", "--vault-name", VAULT, "--name", "s", "--file", path.to_str().expect("utf-8 path")]);
    assert_eq!(failure.code, "FileExists", "download must not overwrite an existing file: {}", failure.stderr);
    assert_eq!(std::fs::read(&path).expect("the file is still there"), b"precious", "the existing file is untouched");
}
