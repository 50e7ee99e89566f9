//! `set_secret`, `reveal_secret`, and soft delete with recovery.

use serde_json::json;

use crate::support::TestApp;

#[test]
fn a_deleted_secret_is_listed_as_deleted_and_can_be_recovered() {
    let app = TestApp::unlocked();
    app.vault("secrets-kv");
    let set = app.ok("set_secret", json!({ "vault": "secrets-kv", "input": { "name": "token", "value": "abc", "contentType": null } }));
    assert_eq!(set["version"].as_str().map(str::len), Some(32), "versions are 32 hex digits: {set}");
    assert!(set.get("value").is_none(), "set does not echo the value: {set}");

    app.ok("delete_secret", json!({ "vault": "secrets-kv", "name": "token" }));
    assert_eq!(app.ok("list_secrets", json!({ "vault": "secrets-kv" })), json!([]), "a deleted secret is not listed");
    let deleted = app.ok("list_deleted_secrets", json!({ "vault": "secrets-kv" }));
    assert_eq!(deleted[0]["name"], "token", "{deleted}");
    assert!(deleted[0]["scheduledPurgeDate"].as_str().is_some_and(|d| d.ends_with('Z')), "dates are ISO-8601 UTC: {deleted}");
    assert_eq!(app.error_code("reveal_secret", json!({ "vault": "secrets-kv", "name": "token", "version": null })), "SecretNotFound");

    app.ok("recover_secret", json!({ "vault": "secrets-kv", "name": "token" }));
    assert_eq!(
        app.ok("reveal_secret", json!({ "vault": "secrets-kv", "name": "token", "version": null })),
        "abc",
        "recovered with its value"
    );
}
