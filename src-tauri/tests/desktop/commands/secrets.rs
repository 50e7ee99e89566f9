//! `set_secret`, `list_secrets`, `reveal_secret`, `list_secret_versions`, `get_secret_details`,
//! `update_secret`, `save_secret_value`. Copying is in `clipboard`, deleting in `deleted`.

use serde_json::{Value, json};

use crate::support::TestApp;

#[test]
fn a_set_secret_is_listed_without_its_value_and_revealed_on_demand() {
    let app = TestApp::unlocked();
    app.vault("secrets-kv");
    let set = app.ok("set_secret", json!({ "vault": "secrets-kv", "input": { "name": "token", "value": "abc", "contentType": null } }));
    assert_eq!(set["version"].as_str().map(str::len), Some(32), "versions are 32 hex digits: {set}");
    assert!(set.get("value").is_none(), "set does not echo the value: {set}");
    let listed = app.ok("list_secrets", json!({ "vault": "secrets-kv" }));
    assert!(!listed.to_string().contains("abc"), "a listing never carries values: {listed}");
    assert_eq!(app.ok("reveal_secret", json!({ "vault": "secrets-kv", "name": "token", "version": null })), "abc");
}

#[test]
fn versions_are_revealed_and_edited_one_by_one() {
    let app = TestApp::unlocked();
    app.vault("versions-kv");
    let set = |value: &str| {
        app.ok("set_secret", json!({ "vault": "versions-kv", "input": { "name": "db", "value": value, "contentType": "text/plain" } }))
    };
    let first = set("one");
    // Creation times have whole seconds; wait so that "newest first" has a clear order.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = set("two");
    let versions = app.ok("list_secret_versions", json!({ "vault": "versions-kv", "name": "db" }));
    let ids: Vec<&Value> = versions.as_array().expect("a list").iter().map(|v| &v["version"]).collect();
    assert_eq!(ids, [&second["version"], &first["version"]], "two versions, newest first");
    assert!(!versions.to_string().contains("one"), "the version list carries no values: {versions}");
    let reveal = |version: &Value| app.ok("reveal_secret", json!({ "vault": "versions-kv", "name": "db", "version": version }));
    assert_eq!(reveal(&first["version"]), "one", "an older version keeps its own value");
    assert_eq!(reveal(&Value::Null), "two", "no version means the newest");

    let details = app.ok("get_secret_details", json!({ "vault": "versions-kv", "name": "db", "version": first["version"] }));
    assert_eq!(details["managed"], false, "a secret set by hand is editable: {details}");
    assert!(!details.to_string().contains("\"one\""), "details never carry the value: {details}");
    let attributes = json!({ "enabled": false, "notBefore": "2020-01-01T00:00:00Z", "expires": "2099-06-01T12:00:00Z" });
    let args = json!({ "vault": "versions-kv", "name": "db", "version": first["version"], "attributes": attributes, "contentType": "application/json" });
    let updated = app.ok("update_secret", args);
    assert_eq!(updated["item"]["enabled"], false, "the version is disabled: {updated}");
    assert_eq!(updated["item"]["contentType"], "application/json", "the content type changed: {updated}");
    assert_eq!(updated["notBefore"], "2020-01-01T00:00:00Z", "the activation date is kept: {updated}");
    let refused = app.invoke("reveal_secret", json!({ "vault": "versions-kv", "name": "db", "version": first["version"] }));
    let refused = refused.expect_err("a disabled version's value cannot be read");
    assert_eq!((&refused["code"], &refused["innerCode"]), (&json!("Forbidden"), &json!("SecretDisabled")), "Key Vault's codes: {refused}");
    assert_eq!(reveal(&Value::Null), "two", "disabling one version leaves the others readable");
}

#[test]
fn a_certificates_secret_is_marked_managed() {
    let app = TestApp::unlocked();
    app.vault("managed-kv");
    app.self_signed("managed-kv", "site", 12);
    let details = app.ok("get_secret_details", json!({ "vault": "managed-kv", "name": "site", "version": null }));
    assert_eq!(details["managed"], true, "a certificate's secret is read-only in the UI, which needs to know: {details}");
}

#[cfg(unix)]
#[test]
fn a_downloaded_value_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::unlocked();
    app.vault("download-kv");
    app.ok(
        "set_secret",
        json!({ "vault": "download-kv", "input": { "name": "conn", "value": "Server=db;Password=pw", "contentType": null } }),
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("conn.txt");
    let saved = app.ok("save_secret_value", json!({ "vault": "download-kv", "name": "conn", "version": null, "path": file.to_str() }));
    assert_eq!(saved["bytes"], 21, "the command reports the bytes written: {saved}");
    assert_eq!(std::fs::read_to_string(&file).expect("written"), "Server=db;Password=pw", "the file holds exactly the value");
    let mode = std::fs::metadata(&file).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a secret value on disk must be readable by its owner only, as az keyvault secret download does");
    let nowhere = json!({ "vault": "download-kv", "name": "conn", "version": null, "path": "" });
    assert_eq!(app.error_code("save_secret_value", nowhere), "BadParameter", "an empty path (a cancelled dialog) writes nothing");
}
