//! `expiring_soon`.

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
        found.as_array().expect("a list").iter().map(|item| item["name"].as_str().unwrap_or_default().to_string()).collect()
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
    let found = found.as_array().expect("a list");
    assert_eq!(found.len(), 2, "the expired key and the secret: {found:?}");
    assert_eq!((found[0]["kind"].as_str(), found[0]["name"].as_str()), (Some("key"), Some("old")), "the expired key comes first");
    assert!(
        found[0]["daysLeft"].as_i64().is_some_and(|d| d < -300),
        "an expiry in 2020 is long past, which the UI's 'Hide expired' relies on: {found:?}"
    );
    assert_eq!(found[1]["daysLeft"], 10, "whole days to the secret's expiry: {found:?}");
}
