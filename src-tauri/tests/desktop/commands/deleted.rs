//! `delete_object`, `list_deleted`, `recover_object`, `purge_object` for keys, secrets and
//! certificates.

use serde_json::{Value, json};

use super::keys::rsa_input;
use crate::support::TestApp;

/// Creates one object of `kind` named `name` in `vault`.
fn create(app: &TestApp, vault: &str, kind: &str, name: &str) {
    match kind {
        "key" => drop(app.ok("create_key", json!({ "vault": vault, "input": rsa_input(name) }))),
        "secret" => drop(app.ok("set_secret", json!({ "vault": vault, "input": { "name": name, "value": "v", "contentType": null } }))),
        _ => drop(app.self_signed(vault, name, 12)),
    }
}

fn names(listed: &Value) -> Vec<&str> {
    listed.as_array().expect("a list").iter().filter_map(|item| item["name"].as_str()).collect()
}

#[test]
fn every_kind_is_deleted_listed_recovered_and_purged() {
    let app = TestApp::unlocked();
    app.vault("deleted-kv");
    for (kind, list) in [("key", "list_keys"), ("secret", "list_secrets"), ("certificate", "list_certificates")] {
        for name in ["keep", "gone"] {
            create(&app, "deleted-kv", kind, &format!("{kind}-{name}"));
        }
        let args = |name: &str| json!({ "vault": "deleted-kv", "kind": kind, "name": format!("{kind}-{name}") });
        for name in ["keep", "gone"] {
            let deleted = app.ok("delete_object", args(name));
            assert_eq!(deleted["kind"], kind, "the answer says what was deleted: {deleted}");
            assert!(deleted["scheduledPurgeDate"].as_str().is_some_and(|d| d.ends_with('Z')), "dates are ISO-8601 UTC: {deleted}");
        }
        let live = app.ok(list, json!({ "vault": "deleted-kv" }));
        assert!(!names(&live).iter().any(|n| n.starts_with(kind)), "a deleted {kind} is no longer listed: {live}");
        let deleted = app.ok("list_deleted", json!({ "vault": "deleted-kv", "kind": kind }));
        let mut found = names(&deleted);
        found.sort_unstable();
        assert_eq!(found, [format!("{kind}-gone"), format!("{kind}-keep")], "both deleted {kind}s are listed under their kind only");

        app.ok("recover_object", args("keep"));
        let live = app.ok(list, json!({ "vault": "deleted-kv" }));
        assert!(names(&live).contains(&format!("{kind}-keep").as_str()), "a recovered {kind} is listed again: {live}");
        app.ok("purge_object", args("gone"));
        assert_eq!(app.ok("list_deleted", json!({ "vault": "deleted-kv", "kind": kind })), json!([]), "nothing is left to recover");
        assert!(app.invoke("recover_object", args("gone")).is_err(), "a purged {kind} is gone for good");
    }
}

#[test]
fn a_certificate_takes_its_key_and_secret_along() {
    let app = TestApp::unlocked();
    app.vault("along-kv");
    app.self_signed("along-kv", "site", 12);
    app.ok("delete_object", json!({ "vault": "along-kv", "kind": "certificate", "name": "site" }));
    assert_eq!(
        app.error_code("reveal_secret", json!({ "vault": "along-kv", "name": "site", "version": null })),
        "SecretNotFound",
        "the certificate's secret goes with it, as in Key Vault"
    );
    app.ok("recover_object", json!({ "vault": "along-kv", "kind": "certificate", "name": "site" }));
    let value = app.ok("reveal_secret", json!({ "vault": "along-kv", "name": "site", "version": null }));
    assert!(value.as_str().is_some_and(|v| !v.is_empty()), "and comes back with it");
}

#[test]
fn purge_protection_refuses_the_purge_but_not_the_recovery() {
    let app = TestApp::unlocked();
    app.vault_with("protected-kv", true);
    app.ok("set_secret", json!({ "vault": "protected-kv", "input": { "name": "s", "value": "v", "contentType": null } }));
    let args = json!({ "vault": "protected-kv", "kind": "secret", "name": "s" });
    app.ok("delete_object", args.clone());
    assert_eq!(app.error_code("purge_object", args.clone()), "PurgeProtectionEnabled", "purge protection holds for the retention period");
    assert_eq!(names(&app.ok("list_deleted", json!({ "vault": "protected-kv", "kind": "secret" }))), ["s"], "the refused purge left it");
    app.ok("recover_object", args);
    assert_eq!(app.ok("reveal_secret", json!({ "vault": "protected-kv", "name": "s", "version": null })), "v", "recovery still works");
}
