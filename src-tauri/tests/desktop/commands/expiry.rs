//! `expiring_soon`: the report's items, and the vaults the signed-in principal could not read.

use serde_json::json;

use crate::support::TestApp;

#[test]
fn only_what_expires_within_the_window_is_listed_soonest_first() {
    let app = TestApp::unlocked();
    app.vault("expiry-kv");
    for (name, months) in [("later", 24), ("sooner", 2)] {
        app.self_signed("expiry-kv", name, months);
    }
    let names = |days: u32| -> Vec<String> {
        let found = app.ok("expiring_soon", json!({ "withinDays": days }));
        found["items"].as_array().expect("a list").iter().map(|item| item["name"].as_str().unwrap_or_default().to_string()).collect()
    };
    assert_eq!(names(10), Vec::<String>::new(), "nothing expires within 10 days");
    assert_eq!(names(100), ["sooner"], "the 2-month certificate expires within 100 days");
    assert_eq!(names(800), ["sooner", "later"], "soonest first");
}

#[test]
fn an_expired_key_is_listed_with_negative_days_and_a_secret_by_its_expiry() {
    let app = TestApp::unlocked();
    app.vault("past-kv");
    let input = json!({ "name": "old", "kty": "EC", "size": null, "curve": "P-256", "keyOps": null, "enabled": null, "notBefore": null, "expires": "2020-01-01T00:00:00Z", "tags": null });
    app.ok("create_key", json!({ "vault": "past-kv", "input": input }));
    app.ok("set_secret", json!({ "vault": "past-kv", "input": { "name": "s", "value": "v", "contentType": null } }));
    let version = app.ok("get_secret_details", json!({ "vault": "past-kv", "name": "s", "version": null }))["item"]["version"].clone();
    let in_ten_days =
        (chrono::Utc::now() + chrono::Duration::days(10) + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let attributes = json!({ "enabled": true, "notBefore": null, "expires": in_ten_days });
    app.ok("update_secret", json!({ "vault": "past-kv", "name": "s", "version": version, "attributes": attributes, "contentType": null }));

    let found = app.ok("expiring_soon", json!({ "withinDays": 30 }));
    let found = found["items"].as_array().expect("a list");
    assert_eq!(found.len(), 2, "the expired key and the secret: {found:?}");
    assert_eq!((found[0]["kind"].as_str(), found[0]["name"].as_str()), (Some("key"), Some("old")), "the expired key comes first");
    assert!(
        found[0]["daysLeft"].as_i64().is_some_and(|d| d < -300),
        "an expiry in 2020 is long past, which the UI's 'Hide expired' relies on: {found:?}"
    );
    assert_eq!(found[1]["daysLeft"], 10, "whole days to the secret's expiry: {found:?}");
}

#[test]
fn a_vault_the_signed_in_principal_cannot_read_is_named_with_the_refusal() {
    const SAM: &str = "sam@petdash.example";
    let app = TestApp::unlocked();
    app.vault("open-kv");
    app.vault("shut-kv");
    app.self_signed("open-kv", "open-cert", 2);
    app.self_signed("shut-kv", "shut-cert", 1);
    app.ok("create_principal", json!({ "kind": "user", "displayName": "Sam", "userPrincipalName": SAM }));
    let list = json!({ "keys": ["list"], "secrets": ["list"], "certificates": ["list"] });
    app.ok("set_access_policy", json!({ "vault": "open-kv", "principal": SAM, "permissions": list }));
    let vault_id = app.ok("list_vaults", json!({}))[0]["resourceId"].as_str().expect("a resource id").to_string();
    let subscription = vault_id.split("/resourceGroups/").next().expect("a subscription scope").to_string();
    app.ok("create_role_assignment", json!({ "assignee": SAM, "role": "Reader", "scope": subscription }));
    app.ok("sign_in_as", json!({ "query": SAM }));

    let report = app.ok("expiring_soon", json!({ "withinDays": 100 }));
    let names: Vec<_> = report["items"].as_array().expect("a list").iter().map(|i| i["name"].clone()).collect();
    assert_eq!(names, [json!("open-cert")], "the readable vault's certificate, and nothing of the other: {report}");
    let unreadable = report["unreadable"].as_array().expect("a list of unreadable vaults");
    assert_eq!(unreadable.len(), 1, "{report}");
    assert_eq!(unreadable[0]["vault"], "shut-kv", "the vault Sam may not read is named: {report}");
    let refusals = unreadable[0]["refusals"].as_array().expect("the refusals");
    let kinds: Vec<_> = refusals.iter().map(|r| r["kind"].clone()).collect();
    assert_eq!(kinds, [json!("key"), json!("secret"), json!("certificate")], "one refusal per kind: {report}");
    for refusal in refusals {
        assert_eq!(refusal["error"]["code"], "Forbidden", "{refusal}");
        assert!(refusal["error"]["message"].as_str().is_some_and(|m| m.contains(SAM)), "the message names the caller: {refusal}");
    }
}
