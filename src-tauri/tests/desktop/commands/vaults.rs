//! `check_vault_name`, `create_vault`, `list_vaults`.

use serde_json::json;

use crate::support::TestApp;

#[test]
fn a_bad_vault_name_is_a_bad_parameter_with_a_message() {
    let app = TestApp::unlocked();
    app.ok("create_group", json!({ "name": "rg", "location": "westeurope" }));
    let input = json!({ "name": "1-bad--name", "resourceGroup": "rg", "location": null, "sku": "standard", "retentionDays": 7, "purgeProtection": false });
    let error = app.invoke("create_vault", json!({ "input": input })).expect_err("the name breaks the rules");
    assert_eq!(error["code"], "BadParameter", "{error}");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("must start with a letter")), "the message names the rule: {error}");
    assert_eq!(error.as_object().map(|o| o.len()), Some(3), "errors are exactly {{code, innerCode, message}}: {error}");
    assert_eq!(error["innerCode"], serde_json::Value::Null, "a bad name has no inner code: {error}");
    assert_eq!(app.ok("list_vaults", json!({})), json!([]), "nothing was created");
}

#[test]
fn check_vault_name_returns_the_broken_rule_or_null() {
    let app = TestApp::new();
    assert_eq!(app.ok("check_vault_name", json!({ "name": "petdash-kv" })), json!(null));
    let rule = app.ok("check_vault_name", json!({ "name": "kv" }));
    assert!(rule.as_str().is_some_and(|r| r.contains("3 to 24 characters")), "too short: {rule}");
}

#[test]
fn created_vaults_are_listed() {
    let app = TestApp::unlocked();
    app.vault("listed-kv");
    let vaults = app.ok("list_vaults", json!({}));
    assert_eq!(vaults[0]["name"], "listed-kv", "{vaults}");
    assert_eq!((vaults[0]["resourceGroup"].as_str(), vaults[0]["retentionDays"].as_u64()), (Some("rg"), Some(7)));
    assert_eq!(app.error_code("list_secrets", json!({ "vault": "missing-kv" })), "VaultNotFound");
}
