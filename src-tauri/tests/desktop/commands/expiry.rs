//! `expiring_soon`.

use serde_json::json;

use crate::support::TestApp;

#[test]
fn only_what_expires_within_the_window_is_listed_soonest_first() {
    let app = TestApp::unlocked();
    app.vault("expiry-kv");
    for (name, months) in [("later", 24), ("sooner", 2)] {
        let input = json!({ "name": name, "subject": format!("CN={name}.example"), "validityMonths": months });
        app.ok("create_self_signed_certificate", json!({ "vault": "expiry-kv", "input": input }));
    }
    let names = |days: u32| -> Vec<String> {
        let found = app.ok("expiring_soon", json!({ "withinDays": days }));
        found.as_array().expect("a list").iter().map(|item| item["name"].as_str().unwrap_or_default().to_string()).collect()
    };
    assert_eq!(names(10), Vec::<String>::new(), "nothing expires within 10 days");
    assert_eq!(names(100), ["sooner"], "the 2-month certificate expires within 100 days");
    assert_eq!(names(800), ["sooner", "later"], "soonest first");
}
