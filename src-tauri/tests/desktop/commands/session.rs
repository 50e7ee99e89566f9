//! `session_status` and `unlock`, and the Locked answer before them.

use serde_json::json;

use crate::support::{PASSPHRASE, TestApp};

#[test]
fn a_new_home_asks_for_a_first_passphrase_and_refuses_a_short_one() {
    let app = TestApp::new();
    let status = app.ok("session_status", json!({}));
    assert_eq!(
        status,
        json!({ "unlocked": false, "needsPassphrase": true, "firstRun": true, "home": app.home.home_dir().display().to_string() }),
        "with no store and the passphrase key source, the UI must ask for a new passphrase"
    );
    assert_eq!(app.error_code("unlock", json!({ "passphrase": "short" })), "BadParameter", "a new passphrase has at least 8 characters");
    assert_eq!(app.ok("unlock", json!({ "passphrase": PASSPHRASE }))["unlocked"], true);
    assert_eq!(app.ok("session_status", json!({}))["unlocked"], true, "once open, the store stays open");
}

#[test]
fn data_commands_before_unlock_answer_locked() {
    let app = TestApp::new();
    assert_eq!(app.error_code("list_vaults", json!({})), "Locked", "nothing is read before the store is unlocked");
    assert_eq!(app.error_code("list_secrets", json!({ "vault": "kv" })), "Locked");
    assert_eq!(app.ok("check_vault_name", json!({ "name": "fine-name" })), json!(null), "the pure name check works while locked");
}

#[test]
fn an_existing_home_wants_its_own_passphrase() {
    let first = TestApp::new();
    first.ok("unlock", json!({ "passphrase": PASSPHRASE }));
    first.ok("create_group", json!({ "name": "kept", "location": "westeurope" }));
    let again = TestApp::on_home(first.close(), |state| state);
    let status = again.ok("session_status", json!({}));
    assert_eq!((status["needsPassphrase"].as_bool(), status["firstRun"].as_bool()), (Some(true), Some(false)), "{status}");
    assert_eq!(again.error_code("unlock", json!({ "passphrase": "not the passphrase" })), "WrongPassphrase");
    assert_eq!(again.error_code("list_groups", json!({})), "Locked", "a wrong passphrase opens nothing");
    again.ok("unlock", json!({ "passphrase": PASSPHRASE }));
    assert_eq!(again.ok("list_groups", json!({}))[0]["name"], "kept", "the right passphrase opens the same store");
}
