//! Access control through the command line (issue 5): the practice directory (`ad`,
//! `identity`), RBAC (`role definition|assignment`), access policies (`keyvault set-policy|
//! delete-policy`), the firewall (`keyvault network-rule`, `keyvault update --default-action`,
//! `--source-ip`), signing in (`--as`, `login --as`, `account`) and the access log
//! (`keyvault log list|export|verify`).

use serde_json::Value;

use crate::support::{TestHome, with_db};

const VAULT: &str = "access-vault";

fn vault_scope(home: &TestHome) -> String {
    let vault = home.ok(&["keyvault", "show", "--name", VAULT]);
    vault["id"].as_str().expect("a vault has an id").to_string()
}

#[test]
fn directory_objects_are_created_listed_and_deleted_in_azs_shapes() {
    let home = TestHome::with_vault(VAULT);
    let alice = home.ok(&["ad", "user", "create", "--display-name", "Alice", "--user-principal-name", "alice@contoso.example"]);
    assert_eq!(alice["userPrincipalName"], "alice@contoso.example", "the user is shown as Graph shows it");
    let group = home.ok(&["ad", "group", "create", "--display-name", "Operators", "--mail-nickname", "ops"]);
    assert_eq!(group["securityEnabled"], true, "a security group");
    home.ok(&["ad", "group", "member", "add", "--group", "Operators", "--member-id", "alice@contoso.example"]);
    let members = home.ok(&["ad", "group", "member", "list", "--group", "Operators"]);
    assert_eq!(members[0]["id"], alice["id"], "Alice is the group's member");

    let sp = home.ok(&["ad", "sp", "create", "--display-name", "ci-pipeline"]);
    let password = sp["password"].as_str().expect("the client secret is shown once, at creation");
    assert!(password.len() >= 30, "a client secret of Entra's length");
    let shown = home.ok(&["ad", "sp", "show", "--id", sp["appId"].as_str().expect("an app id")]);
    assert!(!shown.to_string().contains(password), "the secret is never shown again, only its hint");
    assert_eq!(shown["passwordCredentials"][0]["hint"], &password[..3], "the hint is its first three characters");

    let identity = home.ok(&["identity", "create", "--name", "web-identity", "--resource-group", "rg"]);
    assert_eq!(identity["type"], "Microsoft.ManagedIdentity/userAssignedIdentities", "a managed identity as az shows it");
    let users: Vec<Value> = home.ok(&["ad", "user", "list"]).as_array().expect("a list").clone();
    assert!(users.iter().any(|u| u["userPrincipalName"] == "owner@vaultmort.local"), "the local owner is a directory user");

    home.ok(&["ad", "user", "delete", "--id", "alice@contoso.example"]);
    let failure = home.fails(&["ad", "user", "show", "--id", "alice@contoso.example"]);
    assert_eq!(failure.code, "PrincipalNotFound", "a deleted user is gone: {}", failure.stderr);
    assert_eq!(home.ok(&["ad", "group", "member", "list", "--group", "Operators"]), serde_json::json!([]), "and left its groups");
}

#[test]
fn roles_decide_what_a_principal_may_do_and_as_switches_the_caller() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["ad", "user", "create", "--display-name", "Rita", "--user-principal-name", "rita@contoso.example"]);
    let failure = home.fails(&["--as", "rita@contoso.example", "keyvault", "show", "--name", VAULT]);
    assert_eq!(failure.code, "Forbidden", "without a role Rita sees nothing: {}", failure.stderr);

    let scope = vault_scope(&home);
    let assignment =
        home.ok(&["role", "assignment", "create", "--assignee", "rita@contoso.example", "--role", "Reader", "--scope", &scope]);
    assert_eq!(assignment["roleDefinitionName"], "Reader", "the assignment names its role");
    home.ok(&["--as", "rita@contoso.example", "keyvault", "show", "--name", VAULT]);
    let failure = home.fails(&["--as", "rita@contoso.example", "keyvault", "update", "--name", VAULT, "--tags", "env=prod"]);
    assert_eq!(failure.code, "Forbidden", "a Reader cannot change the vault: {}", failure.stderr);
    assert!(failure.stderr.contains("Microsoft.KeyVault/vaults/write"), "the refusal names the action: {}", failure.stderr);

    let listed = home.ok(&["role", "assignment", "list", "--assignee", "rita@contoso.example", "--all"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "one assignment for Rita: {listed}");
    home.ok(&["role", "assignment", "delete", "--assignee", "rita@contoso.example", "--role", "Reader", "--scope", &scope]);
    let failure = home.fails(&["--as", "rita@contoso.example", "keyvault", "show", "--name", VAULT]);
    assert_eq!(failure.code, "Forbidden", "with the assignment deleted, Rita is refused again: {}", failure.stderr);

    let subscription = home.ok(&["account", "show"])["id"].as_str().expect("a subscription id").to_string();
    let definition = format!(
        r#"{{"Name":"Secret Peeker","Description":"reads one secret","DataActions":["Microsoft.KeyVault/vaults/secrets/getSecret/action"],"AssignableScopes":["/subscriptions/{subscription}"]}}"#
    );
    let role = home.ok(&["role", "definition", "create", "--role-definition", &definition]);
    assert_eq!(role["roleType"], "CustomRole", "a custom role");
    let custom = home.ok(&["role", "definition", "list", "--custom-role-only"]);
    assert_eq!(custom.as_array().map(Vec::len), Some(1), "exactly the one custom role: {custom}");
    let builtins = home.ok(&["role", "definition", "list", "--name", "Key Vault Secrets User"]);
    assert_eq!(
        builtins[0]["permissions"][0]["dataActions"],
        serde_json::json!(["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"]),
        "the built-in role carries Azure's dataActions"
    );
    home.ok(&["role", "definition", "delete", "--name", "Secret Peeker"]);
}

#[test]
fn access_policies_grant_data_access_and_a_contributors_self_grant_is_flagged() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "db", "--value", "policy-guarded-value"]);
    home.ok(&["ad", "user", "create", "--display-name", "Dev", "--user-principal-name", "dev@contoso.example"]);
    let failure = home.fails(&["--as", "dev@contoso.example", "keyvault", "secret", "show", "--vault-name", VAULT, "--name", "db"]);
    assert_eq!(failure.code, "Forbidden: AccessDenied", "no policy, no access, and Key Vault's inner code says so: {}", failure.stderr);
    assert!(failure.stderr.contains("secrets/get") && failure.stderr.contains("dev@contoso.example"), "{}", failure.stderr);

    let vault =
        home.ok(&["keyvault", "set-policy", "--name", VAULT, "--upn", "dev@contoso.example", "--secret-permissions", "get", "list"]);
    let policies = vault["properties"]["accessPolicies"].as_array().expect("policies").clone();
    assert_eq!(policies.len(), 2, "the creator's policy and Dev's");
    assert_eq!(vault["flags"], serde_json::json!([]), "the owner granting Dev is not a self-grant");
    let secret = home.ok(&["--as", "dev@contoso.example", "keyvault", "secret", "show", "--vault-name", VAULT, "--name", "db"]);
    assert_eq!(secret["value"], "policy-guarded-value", "the policy lets Dev read");
    let failure =
        home.fails(&["--as", "dev@contoso.example", "keyvault", "secret", "set", "--vault-name", VAULT, "--name", "db", "--value", "x"]);
    assert!(failure.stderr.contains("secrets/set"), "set is not in Dev's policy: {}", failure.stderr);
    let failure = home.fails(&["keyvault", "set-policy", "--name", VAULT, "--upn", "dev@contoso.example", "--secret-permissions", "sign"]);
    assert_eq!(failure.code, "BadParameter", "sign is not a secret permission: {}", failure.stderr);
    home.ok(&["keyvault", "delete-policy", "--name", VAULT, "--upn", "dev@contoso.example"]);
    let failure = home.fails(&["--as", "dev@contoso.example", "keyvault", "secret", "show", "--vault-name", VAULT, "--name", "db"]);
    assert_eq!(failure.code, "Forbidden: AccessDenied", "with the policy deleted Dev is refused: {}", failure.stderr);

    home.ok(&["ad", "user", "create", "--display-name", "Con", "--user-principal-name", "con@contoso.example"]);
    let subscription = format!("/subscriptions/{}", home.ok(&["account", "show"])["id"].as_str().expect("an id"));
    home.ok(&["role", "assignment", "create", "--assignee", "con@contoso.example", "--role", "Contributor", "--scope", &subscription]);
    let written = home.ok(&[
        "--as",
        "con@contoso.example",
        "keyvault",
        "set-policy",
        "--name",
        VAULT,
        "--upn",
        "con@contoso.example",
        "--secret-permissions",
        "all",
    ]);
    assert_eq!(written["flags"], serde_json::json!(["self-granted-data-access"]), "a Contributor's self-grant is allowed and flagged");
    let secret = home.ok(&["--as", "con@contoso.example", "keyvault", "secret", "show", "--vault-name", VAULT, "--name", "db"]);
    assert_eq!(secret["value"], "policy-guarded-value", "the self-granted policy works");
    let logged = home.ok(&["keyvault", "log", "list", "--operation", "VaultAccessPolicyWrite", "--caller", "con@contoso.example"]);
    assert_eq!(logged[0]["properties"]["flags"], serde_json::json!(["self-granted-data-access"]), "the audit record is flagged");
}

#[test]
fn the_firewall_admits_by_cidr_and_leaves_management_alone() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--value", "behind-the-firewall"]);
    home.ok(&["keyvault", "network-rule", "add", "--name", VAULT, "--ip-address", "203.0.113.0/24"]);
    let vault = home.ok(&["keyvault", "update", "--name", VAULT, "--default-action", "Deny", "--bypass", "None"]);
    assert_eq!(vault["properties"]["networkAcls"]["defaultAction"], "Deny", "the firewall is on");
    let rules = home.ok(&["keyvault", "network-rule", "list", "--name", VAULT]);
    assert_eq!(rules["ipRules"][0]["value"], "203.0.113.0/24", "the rule is listed");

    let shown = home.ok(&["--source-ip", "203.0.113.77", "keyvault", "secret", "show", "--vault-name", VAULT, "--name", "s"]);
    assert_eq!(shown["value"], "behind-the-firewall", "an address inside the range is admitted");
    let failure = home.fails(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "s"]);
    assert_eq!(
        failure.code, "Forbidden: ForbiddenByFirewall",
        "loopback is not in the rule, and the inner code says so: {}",
        failure.stderr
    );
    assert!(failure.stderr.contains("127.0.0.1"), "the refusal names the client address: {}", failure.stderr);
    let failure = home.fails(&["--source-ip", "198.51.100.1", "keyvault", "secret", "list", "--vault-name", VAULT]);
    assert!(failure.stderr.contains("198.51.100.1"), "{}", failure.stderr);
    home.ok(&["--source-ip", "198.51.100.1", "keyvault", "update", "--name", VAULT, "--tags", "managed=yes"]);
    let failure = home.fails(&["keyvault", "update", "--name", VAULT, "--default-action", "Sometimes"]);
    assert_eq!(failure.code, "BadParameter", "{}", failure.stderr);
    let failure = home.fails(&["keyvault", "network-rule", "add", "--name", VAULT, "--ip-address", "10.0.0.1/8"]);
    assert_eq!(failure.code, "BadParameter", "host bits after the prefix are refused: {}", failure.stderr);

    let created = home.ok(&[
        "keyvault",
        "create",
        "--name",
        "walled-vault",
        "-g",
        "rg",
        "--default-action",
        "Deny",
        "--network-acls-ips",
        "198.51.100.7",
    ]);
    let acls = &created["properties"]["networkAcls"];
    assert_eq!(acls["defaultAction"], "Deny", "a vault can be created behind its firewall");
    assert_eq!(acls["ipRules"][0]["value"], "198.51.100.7/32", "a single address is kept as a /32 range");
}

#[test]
fn login_remembers_the_principal_and_account_shows_it() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["ad", "user", "create", "--display-name", "Lena", "--user-principal-name", "lena@contoso.example"]);
    let failure = home.fails(&["login"]);
    assert_eq!(failure.code, "BadParameter", "login needs --as: {}", failure.stderr);
    let signed_in = home.ok(&["login", "--as", "lena@contoso.example"]);
    assert_eq!(signed_in["name"], "lena@contoso.example", "login names the principal");
    let failure = home.fails(&["keyvault", "list"]);
    assert_eq!(failure.code, "Forbidden", "later commands run as Lena, who has no role: {}", failure.stderr);
    assert_eq!(home.ok(&["account", "list"]), serde_json::json!([]), "Lena holds no role in any subscription");
    home.ok(&["--as", "owner@vaultmort.local", "login"]);
    assert_eq!(home.ok(&["account", "show"])["user"]["name"], "owner@vaultmort.local", "back to the owner");
    home.ok(&["keyvault", "list"]);
    let failure = home.fails(&["--as", "nobody@contoso.example", "keyvault", "list"]);
    assert_eq!(failure.code, "PrincipalNotFound", "no anonymous or unknown callers: {}", failure.stderr);
}

#[test]
fn the_log_lists_exports_and_verifies_and_catches_an_edit() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--value", "log-me-not-9d2e"]);
    home.ok(&["ad", "user", "create", "--display-name", "Eve", "--user-principal-name", "eve@contoso.example"]);
    home.fails(&["--as", "eve@contoso.example", "keyvault", "secret", "show", "--vault-name", VAULT, "--name", "s"]);

    let denied = home.ok(&["keyvault", "log", "list", "--vault-name", VAULT, "--result", "Denied"]);
    let denied = denied.as_array().expect("a list").clone();
    assert_eq!(denied.len(), 1, "exactly Eve's refusal: {denied:?}");
    assert_eq!(denied[0]["operationName"], "SecretGet", "AuditEvent's operationName");
    assert_eq!(denied[0]["identity"]["claim"]["name"], "eve@contoso.example", "the caller");
    assert_eq!(denied[0]["callerIpAddress"], "127.0.0.1", "the client address");
    assert_eq!(denied[0]["properties"]["httpStatusCode"], 403, "the status");
    assert_eq!(denied[0]["resultType"], "Forbidden", "the result");

    let file = home.scratch("log.jsonl");
    let exported = home.ok(&["keyvault", "log", "export", "--file", file.to_str().expect("utf-8 path")]);
    let text = std::fs::read_to_string(&file).expect("the export is written");
    assert_eq!(text.lines().count() as u64, exported["records"].as_u64().expect("a count"), "one JSON line per record");
    assert!(text.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()), "every line is JSON");
    assert!(!text.contains("log-me-not-9d2e"), "no secret value in the exported log");

    let verified = home.ok(&["keyvault", "log", "verify"]);
    assert_eq!(verified["valid"], true, "the untouched log verifies");
    with_db(&home.db_file(), async |conn| {
        sqlx::query("UPDATE audit_log SET client_address = '10.9.9.9' WHERE operation = 'SecretGet'")
            .execute(&mut *conn)
            .await
            .expect("the edit runs");
    });
    let failure = home.fails(&["keyvault", "log", "verify"]);
    assert_eq!(failure.code, "AuditLogTampered", "an edited record is caught: {}", failure.stderr);
    assert!(failure.stderr.contains("changed"), "the message says what is wrong: {}", failure.stderr);
}
