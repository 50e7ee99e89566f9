//! Access control through the desktop commands: the directory, "signed in as", access policies
//! from templates, role assignments, check access, the firewall and the access log.

use serde_json::{Value, json};

use crate::support::TestApp;

const VAULT: &str = "access-kv";
const SAM: &str = "sam@petdash.example";

fn sam(app: &TestApp) -> Value {
    let created = app.ok("create_principal", json!({ "kind": "user", "displayName": "Sam", "userPrincipalName": SAM }));
    created["principal"].clone()
}

fn template(app: &TestApp, name: &str) -> Value {
    let config = app.ok("access_configuration", json!({ "vault": VAULT }));
    let found = config["templates"].as_array().and_then(|t| t.iter().find(|t| t["name"] == name).cloned());
    found.unwrap_or_else(|| panic!("template {name} is offered: {config}"))["permissions"].clone()
}

fn create_key(app: &TestApp, name: &str) -> Result<Value, Value> {
    app.invoke("create_key", json!({ "vault": VAULT, "input": { "name": name, "kty": "EC", "size": null, "curve": "P-256" } }))
}

#[test]
fn a_secrets_user_is_refused_a_key_until_a_template_grants_it_and_the_log_shows_it() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let sam = sam(&app);
    assert_eq!(sam["kind"], "user");
    assert_eq!(app.ok("signed_in", json!({}))["owner"], true, "the owner is signed in at first");

    let secrets = template(&app, "Secret Management");
    assert_eq!(secrets["secrets"].as_array().map(Vec::len), Some(7), "the portal's template: every secret permission but purge");
    let written = app.ok("set_access_policy", json!({ "vault": VAULT, "principal": sam["objectId"], "permissions": secrets }));
    assert_eq!(written["flags"], json!([]), "the owner granting Sam is no self-grant");
    // Reader on the vault's subscription lets Sam find the vault, as the portal needs.
    let vault_id = app.ok("list_vaults", json!({}))[0]["resourceId"].as_str().expect("a resource id").to_string();
    let subscription = vault_id.split("/resourceGroups/").next().expect("a subscription scope").to_string();
    let assigned = app.ok("create_role_assignment", json!({ "assignee": SAM, "role": "Reader", "scope": subscription }));
    assert_eq!(assigned["role"], "Reader");
    app.ok("sign_in_as", json!({ "query": SAM }));
    assert_eq!(app.ok("list_vaults", json!({}))[0]["name"], VAULT, "Reader at the subscription reaches the vault in it");
    app.ok("sign_in_as", json!({ "query": "owner" }));

    let signed = app.ok("sign_in_as", json!({ "query": SAM }));
    assert_eq!((signed["name"].as_str(), signed["owner"].as_bool()), (Some(SAM), Some(false)), "{signed}");
    app.ok("set_secret", json!({ "vault": VAULT, "input": { "name": "db", "value": "v1", "contentType": null } }));
    let refused = create_key(&app, "sams-key").expect_err("a Secrets User may not create keys");
    assert_eq!(refused["code"], "Forbidden", "{refused}");
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(message.contains(SAM) && message.contains("create"), "the reason names the caller and the missing permission: {message}");

    let owner = app.ok("sign_in_as", json!({ "query": "owner" }));
    assert_eq!(owner["owner"], true, "signing back in as the owner: {owner}");
    let both = template(&app, "Key & Secret Management");
    app.ok("set_access_policy", json!({ "vault": VAULT, "principal": SAM, "permissions": both }));
    app.ok("sign_in_as", json!({ "query": SAM }));
    create_key(&app, "sams-key").expect("the widened policy lets Sam create a key");

    app.ok("sign_in_as", json!({ "query": "owner" }));
    let denied = app.ok("query_access_log", json!({ "filter": { "caller": SAM, "outcome": "denied" } }));
    let denied = denied.as_array().expect("a list");
    assert_eq!(denied.len(), 1, "exactly Sam's one refusal: {denied:?}");
    assert_eq!((denied[0]["operation"].as_str(), denied[0]["status"].as_u64()), (Some("KeyCreate"), Some(403)));
    assert_eq!(denied[0]["clientAddress"], "127.0.0.1", "the desktop calls from loopback");
    assert!(
        !serde_json::to_string(&app.ok("query_access_log", json!({ "filter": {} }))).unwrap_or_default().contains("v1"),
        "no secret value in the log"
    );
    assert_eq!(app.ok("verify_access_log", json!({}))["valid"], true, "the chain is intact");
}

#[test]
fn a_self_granted_policy_is_flagged_and_check_access_explains_each_operation() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let config = app.ok("access_configuration", json!({ "vault": VAULT }));
    assert_eq!(config["rbacAuthorization"], false);
    assert_eq!(config["allPermissions"]["keys"].as_array().map(Vec::len), Some(20), "20 key permissions");
    assert_eq!(config["allPermissions"]["secrets"].as_array().map(Vec::len), Some(8), "8 secret permissions");
    assert_eq!(config["allPermissions"]["certificates"].as_array().map(Vec::len), Some(16), "16 certificate permissions");
    let me = app.ok("signed_in", json!({}));
    let all = template(&app, "Key, Secret, & Certificate Management");
    let written = app.ok("set_access_policy", json!({ "vault": VAULT, "principal": me["objectId"], "permissions": all }));
    assert_eq!(written["flags"], json!(["self-granted-data-access"]), "writing one's own policy is flagged: {written}");

    sam(&app);
    let lines = app.ok("check_access", json!({ "principal": SAM, "vault": VAULT }));
    let get = lines.as_array().and_then(|l| l.iter().find(|x| x["operation"] == "SecretGet").cloned()).expect("SecretGet is checked");
    assert_eq!(get["allowed"], false, "Sam has no policy yet: {get}");
    assert!(!get["rule"].as_str().unwrap_or_default().is_empty(), "with the rule that refused it");
}

#[test]
fn the_firewall_refuses_data_but_not_management_and_a_rule_admits_loopback() {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let network =
        app.ok("update_network", json!({ "vault": VAULT, "publicNetworkAccess": "Enabled", "defaultAction": "Deny", "bypass": "None" }));
    assert_eq!(network["defaultAction"], "Deny");
    let refused = app.invoke("list_secrets", json!({ "vault": VAULT })).expect_err("Deny with no rule refuses the data plane");
    assert_eq!(
        (&refused["code"], &refused["innerCode"]),
        (&json!("Forbidden"), &json!("ForbiddenByFirewall")),
        "the REST API's code and inner code: {refused}"
    );
    assert!(refused["message"].as_str().unwrap_or_default().contains("127.0.0.1"), "the refusal names the client address: {refused}");
    app.ok("network_rules", json!({ "vault": VAULT }));
    let with_rule = app.ok("change_network_rule", json!({ "vault": VAULT, "rule": "127.0.0.0/8", "subnet": false, "add": true }));
    assert_eq!(with_rule["ipRules"], json!(["127.0.0.0/8"]), "{with_rule}");
    app.ok("list_secrets", json!({ "vault": VAULT }));
    assert_eq!(
        app.error_code("change_network_rule", json!({ "vault": VAULT, "rule": "not-an-ip", "subnet": false, "add": true })),
        "BadParameter"
    );
}
