//! The command list against the capability, and the ACL that the list switches on.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::json;

use crate::support::TestApp;

/// The capability grants every app command, and nothing else of the app.
#[test]
fn the_capability_allows_exactly_the_listed_commands() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/default.json");
    let capability: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("capabilities/default.json exists")).expect("it is JSON");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions is a list")
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.contains(':'))
        .map(str::to_string)
        .collect();
    let listed: BTreeSet<String> = vaultmort_desktop::COMMANDS.iter().map(|name| format!("allow-{}", name.replace('_', "-"))).collect();
    assert_eq!(granted, listed, "the main window must be allowed every app command (or the UI breaks) and only those");
}

/// A plugin command the capability does not grant is refused before it runs, with a plain
/// string error rather than a CommandError: the window cannot read the clipboard. So is an app
/// command missing from the list.
#[test]
fn the_acl_refuses_what_the_capability_does_not_grant() {
    let app = TestApp::new();
    let refusal = app.invoke("plugin:clipboard-manager|read_text", json!({})).expect_err("reading the clipboard is not granted");
    assert!(refusal.is_string(), "framework refusals are strings, which the UI's host seam normalises: {refusal}");
    assert!(refusal.as_str().is_some_and(|r| r.contains("not allowed")), "refused by the ACL: {refusal}");
    let refusal = app.invoke("not_a_command", json!({})).expect_err("an unknown app command is refused");
    assert!(refusal.as_str().is_some_and(|r| r.contains("not allowed")), "an unknown command is refused by the ACL: {refusal}");
}
