//! Resource groups and vaults through the CLI: group create/list/show/delete (deleting a group
//! soft-deletes its vaults), `keyvault create` defaults and name rules, list with and without a
//! group filter, show, update (tags, SKU, purge protection, fixed retention), duplicate names
//! (also case-insensitive and held by a deleted vault), the port in vault URIs and object ids,
//! and the table, TSV and `--query` output forms; the practice-throttling switch (issue 6).

use serde_json::Value;

use crate::support::TestHome;

/// Runs a command that must succeed and returns its stdout as text (for `-o table`/`-o tsv`).
fn text(home: &TestHome, args: &[&str]) -> String {
    let out = home.run(args);
    assert!(out.status.success(), "`vaultmort {}` should succeed, but failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("the CLI prints UTF-8")
}

/// The names of the vaults in a `keyvault list` answer, sorted.
fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .expect("a list command prints a JSON array")
        .iter()
        .map(|v| v["name"].as_str().expect("every listed item has a name").to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn group_create_list_show_delete() {
    let home = TestHome::new();
    let created = home.ok(&["group", "create", "--name", "rg-one", "--location", "WestEurope", "--tags", "env=dev", "team=core"]);
    assert_eq!(created["name"], "rg-one", "create echoes the group's name");
    assert_eq!(created["location"], "westeurope", "locations are stored in lower case, as Azure normalises them");
    assert_eq!(created["tags"]["env"], "dev", "tags given at creation are kept");
    assert_eq!(created["tags"]["team"], "core", "every tag pair is kept");
    assert!(
        created["id"].as_str().is_some_and(|id| id.ends_with("/resourceGroups/rg-one") && id.starts_with("/subscriptions/")),
        "a group id is /subscriptions/<sub>/resourceGroups/<name>, got {}",
        created["id"]
    );
    home.ok(&["group", "create", "--name", "rg-two", "--location", "northeurope"]);

    let list = home.ok(&["group", "list"]);
    assert_eq!(names(&list), ["rg-one", "rg-two"], "group list shows both created groups and nothing else");

    let shown = home.ok(&["group", "show", "--name", "rg-one"]);
    assert_eq!(shown, created, "show returns the same group that create returned");

    let missing = home.fails(&["group", "show", "--name", "rg-none"]);
    assert_eq!(missing.code, "ResourceGroupNotFound", "a group that was never created is not found");
    assert_eq!(missing.status, 3, "not-found errors exit with status 3");

    home.ok(&["group", "delete", "--name", "rg-one", "--yes"]);
    assert_eq!(home.fails(&["group", "show", "--name", "rg-one"]).code, "ResourceGroupNotFound", "a deleted group is gone");
    assert_eq!(names(&home.ok(&["group", "list"])), ["rg-two"], "only the remaining group is listed after the delete");
    assert_eq!(
        home.fails(&["group", "delete", "--name", "rg-one"]).code,
        "ResourceGroupNotFound",
        "deleting a group twice reports that it no longer exists"
    );
}

#[test]
fn group_delete_soft_deletes_its_vaults() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "doomed", "--location", "westeurope"]);
    home.ok(&["group", "create", "--name", "kept", "--location", "westeurope"]);
    home.ok(&["keyvault", "create", "--name", "doomed-vault", "--resource-group", "doomed"]);
    home.ok(&["keyvault", "create", "--name", "kept-vault", "--resource-group", "kept"]);
    home.ok(&["keyvault", "secret", "set", "--vault-name", "doomed-vault", "--name", "s", "--value", "inside"]);

    home.ok(&["group", "delete", "--name", "doomed", "--yes"]);

    assert_eq!(
        home.fails(&["keyvault", "show", "--name", "doomed-vault"]).code,
        "VaultNotFound",
        "a vault in a deleted group is no longer active"
    );
    assert_eq!(names(&home.ok(&["keyvault", "list"])), ["kept-vault"], "only the vault of the surviving group stays active");
    let deleted = home.ok(&["keyvault", "list-deleted"]);
    assert_eq!(names(&deleted), ["doomed-vault"], "deleting a group soft-deletes (not purges) its vaults");
    let shown = home.ok(&["keyvault", "show-deleted", "--name", "doomed-vault"]);
    assert!(shown["properties"]["deletionDate"].is_string(), "the soft-deleted vault carries its deletion date: {shown}");

    home.ok(&["group", "create", "--name", "doomed", "--location", "westeurope"]);
    home.ok(&["keyvault", "recover", "--name", "doomed-vault"]);
    let secret = home.ok(&["keyvault", "secret", "show", "--vault-name", "doomed-vault", "--name", "s"]);
    assert_eq!(secret["value"], "inside", "a vault soft-deleted with its group comes back with its contents");
}

#[test]
fn create_applies_azure_defaults() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let vault = home.ok(&["keyvault", "create", "--name", "defaults-vault", "--resource-group", "rg"]);
    let props = &vault["properties"];
    assert_eq!(vault["name"], "defaults-vault", "create echoes the name");
    assert_eq!(vault["resourceGroup"], "rg", "the vault belongs to the named group");
    assert_eq!(vault["location"], "westeurope", "without --location the vault takes its group's location");
    assert_eq!(vault["type"], "Microsoft.KeyVault/vaults", "the ARM resource type is Key Vault's");
    assert_eq!(props["sku"]["name"], "standard", "the default SKU is standard");
    assert_eq!(props["sku"]["family"], "A", "Key Vault SKUs are in family A");
    assert_eq!(props["softDeleteRetentionInDays"], 90, "soft-delete retention defaults to 90 days");
    assert_eq!(props["enableSoftDelete"], true, "soft delete is always on, as in Azure today");
    assert_eq!(props["enablePurgeProtection"], Value::Null, "az shows purge protection as null until it is turned on");
    assert_eq!(props["enableRbacAuthorization"], false, "access policies are the default permission model");
    assert_eq!(props["vaultUri"], "https://defaults-vault.localhost:8443/", "the vault URI uses the default port 8443");
    assert!(props["tenantId"].as_str().is_some_and(|t| t.len() == 36), "the vault names its tenant (a GUID): {props}");
    assert!(
        vault["id"].as_str().is_some_and(|id| id.ends_with("/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/defaults-vault")),
        "the vault id is its ARM resource id, got {}",
        vault["id"]
    );

    let placed = home.ok(&["keyvault", "create", "--name", "placed-vault", "--resource-group", "rg", "--location", "northeurope"]);
    assert_eq!(placed["location"], "northeurope", "an explicit --location overrides the group's");
}

#[test]
fn port_from_environment_appears_in_vault_uri_and_object_ids() {
    let mut home = TestHome::new();
    home.env.push(("VAULTMORT_PORT".into(), "9999".into()));
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let vault = home.ok(&["keyvault", "create", "--name", "port-vault", "--resource-group", "rg"]);
    assert_eq!(vault["properties"]["vaultUri"], "https://port-vault.localhost:9999/", "VAULTMORT_PORT sets the port in the vault URI");
    let key = home.ok(&["keyvault", "key", "create", "--vault-name", "port-vault", "--name", "k"]);
    assert!(
        key["key"]["kid"].as_str().is_some_and(|kid| kid.starts_with("https://port-vault.localhost:9999/keys/k/")),
        "key ids live under the vault URI with the configured port, got {}",
        key["key"]["kid"]
    );
    let secret = home.ok(&["keyvault", "secret", "set", "--vault-name", "port-vault", "--name", "s", "--value", "v"]);
    assert!(
        secret["id"].as_str().is_some_and(|id| id.starts_with("https://port-vault.localhost:9999/secrets/s/")),
        "secret ids live under the vault URI with the configured port, got {}",
        secret["id"]
    );
}

#[test]
fn list_all_and_by_group_and_show() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg-a", "--location", "westeurope"]);
    home.ok(&["group", "create", "--name", "rg-b", "--location", "westeurope"]);
    home.ok(&["keyvault", "create", "--name", "vault-a1", "--resource-group", "rg-a"]);
    home.ok(&["keyvault", "create", "--name", "vault-a2", "--resource-group", "rg-a"]);
    let b1 = home.ok(&["keyvault", "create", "--name", "vault-b1", "--resource-group", "rg-b"]);

    assert_eq!(names(&home.ok(&["keyvault", "list"])), ["vault-a1", "vault-a2", "vault-b1"], "list without -g shows every vault");
    assert_eq!(names(&home.ok(&["keyvault", "list", "-g", "rg-a"])), ["vault-a1", "vault-a2"], "-g keeps only that group's vaults");
    assert_eq!(names(&home.ok(&["keyvault", "list", "--resource-group", "rg-b"])), ["vault-b1"], "the long flag filters the same way");
    assert_eq!(
        home.fails(&["keyvault", "list", "-g", "rg-none"]).code,
        "ResourceGroupNotFound",
        "filtering by a group that does not exist is an error, not an empty list"
    );

    assert_eq!(home.ok(&["keyvault", "show", "--name", "vault-b1"]), b1, "show returns what create returned");
    let missing = home.fails(&["keyvault", "show", "--name", "vault-zz"]);
    assert_eq!(missing.code, "VaultNotFound", "an unknown vault is not found");
    assert_eq!(missing.status, 3, "not-found errors exit with status 3");
}

#[test]
fn update_tags_sku_and_purge_protection() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let created = home.ok(&["keyvault", "create", "--name", "upd-vault", "--resource-group", "rg", "--tags", "a=1", "b=2"]);
    assert_eq!(created["tags"], serde_json::json!({"a": "1", "b": "2"}), "tags given at creation are kept");

    let retagged = home.ok(&["keyvault", "update", "--name", "upd-vault", "--tags", "c=3"]);
    assert_eq!(retagged["tags"], serde_json::json!({"c": "3"}), "update --tags replaces all tags rather than merging");

    let premium = home.ok(&["keyvault", "update", "--name", "upd-vault", "--sku", "premium"]);
    assert_eq!(premium["properties"]["sku"]["name"], "premium", "--sku premium changes the SKU");
    assert_eq!(premium["tags"], serde_json::json!({"c": "3"}), "changing the SKU leaves the tags alone");

    let protected = home.ok(&["keyvault", "update", "--name", "upd-vault", "--enable-purge-protection", "true"]);
    assert_eq!(protected["properties"]["enablePurgeProtection"], true, "purge protection can be turned on after creation");

    let refused = home.fails(&["keyvault", "update", "--name", "upd-vault", "--enable-purge-protection", "false"]);
    assert_eq!(refused.code, "BadParameter", "purge protection cannot be turned off once on: {}", refused.stderr);
    let shown = home.ok(&["keyvault", "show", "--name", "upd-vault"]);
    assert_eq!(shown["properties"]["enablePurgeProtection"], true, "the refused update left purge protection on");
    assert_eq!(shown["properties"]["sku"]["name"], "premium", "earlier updates persist");
}

#[test]
fn update_retention_is_fixed_at_creation() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    home.ok(&["keyvault", "create", "--name", "ret-vault", "--resource-group", "rg", "--retention-days", "30"]);

    let refused = home.fails(&["keyvault", "update", "--name", "ret-vault", "--retention-days", "60"]);
    assert_eq!(refused.code, "BadParameter", "Azure fixes retention at creation, so a different value is refused: {}", refused.stderr);
    let same = home.ok(&["keyvault", "update", "--name", "ret-vault", "--retention-days", "30"]);
    assert_eq!(same["properties"]["softDeleteRetentionInDays"], 30, "repeating the creation value is accepted and changes nothing");
    let shown = home.ok(&["keyvault", "show", "--name", "ret-vault"]);
    assert_eq!(shown["properties"]["softDeleteRetentionInDays"], 30, "the refused update did not change the retention");
}

#[test]
fn valid_names_are_accepted() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let longest = "kv-test-ab12-cd34-ef56gh";
    assert_eq!(longest.len(), 24, "the test name must be exactly the 24-character maximum");
    for name in ["abc", longest, "a-b-c", "Vault-9"] {
        let vault = home.ok(&["keyvault", "create", "--name", name, "--resource-group", "rg"]);
        assert_eq!(vault["name"], name, "'{name}' follows every naming rule and must be accepted");
    }
    assert_eq!(names(&home.ok(&["keyvault", "list"])).len(), 4, "all four valid vaults exist");
}

#[test]
fn invalid_names_are_refused() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let too_long = "a".repeat(25);
    let cases: [(&str, &str); 6] = [
        ("ab", "shorter than 3 characters"),
        (&too_long, "longer than 24 characters"),
        ("1vault", "starting with a digit"),
        ("vault-", "ending with a hyphen"),
        ("my--vault", "containing two hyphens in a row"),
        ("my_vault", "containing an underscore"),
    ];
    for (name, why) in cases {
        let failure = home.fails(&["keyvault", "create", "--name", name, "--resource-group", "rg"]);
        assert_eq!(failure.code, "BadParameter", "a vault name {why} ('{name}') must be refused: {}", failure.stderr);
        assert_eq!(failure.status, 1, "a refused parameter exits with status 1");
    }
    assert_eq!(home.ok(&["keyvault", "list"]), serde_json::json!([]), "no refused name created a vault");
}

#[test]
fn duplicate_names_are_refused_even_by_case_and_when_deleted() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    home.ok(&["group", "create", "--name", "rg2", "--location", "westeurope"]);
    home.ok(&["keyvault", "create", "--name", "dup-vault", "--resource-group", "rg"]);

    let again = home.fails(&["keyvault", "create", "--name", "dup-vault", "--resource-group", "rg"]);
    assert_eq!(again.code, "VaultAlreadyExists", "the same name twice is refused");
    let other_group = home.fails(&["keyvault", "create", "--name", "dup-vault", "--resource-group", "rg2"]);
    assert_eq!(other_group.code, "VaultAlreadyExists", "vault names are unique in the tenant, not per group");
    let upper = home.fails(&["keyvault", "create", "--name", "DUP-Vault", "--resource-group", "rg"]);
    assert_eq!(upper.code, "VaultAlreadyExists", "vault names are case-insensitive, so a change of case is the same name");
    assert_eq!(names(&home.ok(&["keyvault", "list"])), ["dup-vault"], "no duplicate was created");

    home.ok(&["keyvault", "delete", "--name", "dup-vault"]);
    let deleted = home.fails(&["keyvault", "create", "--name", "dup-vault", "--resource-group", "rg"]);
    assert_eq!(deleted.code, "VaultAlreadyExists", "a soft-deleted vault still holds its name");
    assert!(
        deleted.stderr.contains("deleted"),
        "the message must say the name is held by a deleted vault so the user knows to recover or purge: {}",
        deleted.stderr
    );
    assert!(!again.stderr.contains("deleted"), "for an active vault the message must not claim the holder is deleted: {}", again.stderr);
}

#[test]
fn retention_outside_7_to_90_days_is_refused() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    for days in ["6", "91"] {
        let failure = home.fails(&["keyvault", "create", "--name", "ret-vault", "--resource-group", "rg", "--retention-days", days]);
        assert_eq!(failure.code, "BadParameter", "retention of {days} days is outside 7..=90 and must be refused");
    }
    for days in ["7", "90"] {
        let name = format!("edge-{days}");
        let vault = home.ok(&["keyvault", "create", "--name", &name, "--resource-group", "rg", "--retention-days", days]);
        assert_eq!(
            vault["properties"]["softDeleteRetentionInDays"].to_string(),
            days,
            "{days} days is a boundary of the allowed range and must be accepted"
        );
    }
}

#[test]
fn missing_resource_group_is_reported() {
    let home = TestHome::new();
    let failure = home.fails(&["keyvault", "create", "--name", "orphan-vault", "--resource-group", "nowhere"]);
    assert_eq!(failure.code, "ResourceGroupNotFound", "a vault needs an existing resource group");
    assert_eq!(failure.status, 3, "not-found errors exit with status 3");
    assert!(failure.stderr.contains("nowhere"), "the message names the missing group: {}", failure.stderr);
}

#[test]
fn table_tsv_and_query_outputs() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    home.ok(&["keyvault", "create", "--name", "out-one", "--resource-group", "rg"]);
    home.ok(&["keyvault", "create", "--name", "out-two", "--resource-group", "rg"]);

    let names_tsv = text(&home, &["keyvault", "list", "--query", "[].name", "-o", "tsv"]);
    let mut lines: Vec<&str> = names_tsv.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["out-one", "out-two"], "--query \"[].name\" -o tsv prints exactly the names, one per line: {names_tsv:?}");

    let tsv = text(&home, &["keyvault", "list", "-o", "tsv"]);
    let rows: Vec<Vec<&str>> = tsv.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "-o tsv prints one line per vault: {tsv:?}");
    for name in ["out-one", "out-two"] {
        assert!(
            rows.iter().any(|row| row.contains(&name) && row.contains(&"westeurope") && row.contains(&"rg")),
            "a TSV row holds the vault's scalar fields (name, location, group) for {name}: {tsv:?}"
        );
    }
    assert!(!tsv.contains('{'), "TSV leaves out nested objects rather than printing JSON: {tsv:?}");

    let table = text(&home, &["keyvault", "list", "-o", "table"]);
    let mut table_lines = table.lines();
    let header = table_lines.next().expect("a table has a header line");
    for column in ["Name", "Location", "ResourceGroup"] {
        assert!(header.split_whitespace().any(|h| h == column), "the table header has a {column} column: {table:?}");
    }
    let rule = table_lines.next().expect("a table has a rule line under the header");
    assert!(rule.chars().all(|c| c == '-' || c == ' '), "the second table line is a rule of dashes: {rule:?}");
    let body: Vec<&str> = table_lines.collect();
    assert_eq!(body.len(), 2, "the table has one row per vault: {table:?}");
    assert!(body.iter().any(|l| l.contains("out-one")) && body.iter().any(|l| l.contains("out-two")), "each vault has its row: {table:?}");

    let one = home.ok(&["keyvault", "show", "--name", "out-one", "--query", "properties.sku.name"]);
    assert_eq!(one, "standard", "--query picks a nested field from show's JSON");
    let bad_query = home.fails(&["keyvault", "list", "--query", "[?"]);
    assert_eq!(bad_query.code, "BadParameter", "an invalid JMESPath expression is a parameter error");
}

/// Issue 6: practice throttling is a stored vault setting, switched with `keyvault update`.
#[test]
fn practice_throttling_is_switched_with_keyvault_update_and_kept() {
    let home = TestHome::with_vault("slow-kv");
    let shown = home.ok(&["keyvault", "show", "--name", "slow-kv"]);
    assert_eq!(shown["properties"]["practiceThrottling"], false, "off by default: {shown}");
    let updated = home.ok(&["keyvault", "update", "--name", "slow-kv", "--practice-throttling", "true"]);
    assert_eq!(updated["properties"]["practiceThrottling"], true, "update answers with the new setting: {updated}");
    let shown = home.ok(&["keyvault", "show", "--name", "slow-kv"]);
    assert_eq!(shown["properties"]["practiceThrottling"], true, "a later run reads it from the store: {shown}");
    let off = home.ok(&["keyvault", "update", "--name", "slow-kv", "--practice-throttling", "false"]);
    assert_eq!(off["properties"]["practiceThrottling"], false, "and switched off again: {off}");
}
