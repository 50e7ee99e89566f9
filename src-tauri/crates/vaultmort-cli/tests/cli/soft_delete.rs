//! Soft delete, recover, purge and purge protection for keys, secrets and vaults, and the
//! retention sweep driven by the shiftable clock (`vaultmort clock shift|show|reset`): what
//! stays recoverable until its retention period ends and what is gone for good after it.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::support::TestHome;

/// Keys and secrets share the soft-delete life cycle; this names the commands that differ.
#[derive(Clone, Copy)]
enum Kind {
    Key,
    Secret,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Key => "key",
            Kind::Secret => "secret",
        }
    }

    fn not_found(self) -> &'static str {
        match self {
            Kind::Key => "KeyNotFound",
            Kind::Secret => "SecretNotFound",
        }
    }

    /// Adds a version (key create / secret set) and returns the command's output; `tag`
    /// distinguishes secret values.
    fn add_version(self, home: &TestHome, vault: &str, name: &str, tag: &str) -> Value {
        match self {
            Kind::Key => home.ok(&["keyvault", "key", "create", "--vault-name", vault, "--name", name, "--kty", "EC", "--curve", "P-256"]),
            Kind::Secret => home.ok(&["keyvault", "secret", "set", "--vault-name", vault, "--name", name, "--value", tag]),
        }
    }

    fn add_version_fails(self, home: &TestHome, vault: &str, name: &str) -> crate::support::Failure {
        match self {
            Kind::Key => {
                home.fails(&["keyvault", "key", "create", "--vault-name", vault, "--name", name, "--kty", "EC", "--curve", "P-256"])
            }
            Kind::Secret => home.fails(&["keyvault", "secret", "set", "--vault-name", vault, "--name", name, "--value", "again"]),
        }
    }

    /// `keyvault <kind> <verb> --vault-name <vault> --name <name>` expecting success.
    fn named_ok(self, home: &TestHome, verb: &str, vault: &str, name: &str) -> Value {
        home.ok(&["keyvault", self.word(), verb, "--vault-name", vault, "--name", name])
    }

    /// The same, expecting failure.
    fn named_fails(self, home: &TestHome, verb: &str, vault: &str, name: &str) -> crate::support::Failure {
        home.fails(&["keyvault", self.word(), verb, "--vault-name", vault, "--name", name])
    }

    fn list_deleted(self, home: &TestHome, vault: &str) -> Vec<Value> {
        home.ok(&["keyvault", self.word(), "list-deleted", "--vault-name", vault]).as_array().expect("list-deleted prints an array").clone()
    }

    fn deleted_names(self, home: &TestHome, vault: &str) -> Vec<String> {
        self.list_deleted(home, vault).iter().filter_map(|o| o["name"].as_str().map(str::to_string)).collect()
    }

    fn version_ids(self, home: &TestHome, vault: &str, name: &str) -> Vec<String> {
        let field = match self {
            Kind::Key => "kid",
            Kind::Secret => "id",
        };
        let mut ids: Vec<String> = self
            .named_ok(home, "list-versions", vault, name)
            .as_array()
            .expect("list-versions prints an array")
            .iter()
            .map(|v| v[field].as_str().expect("every version has an id").to_string())
            .collect();
        ids.sort();
        ids
    }
}

fn time(json: &Value) -> DateTime<Utc> {
    let text = json.as_str().unwrap_or_else(|| panic!("a time field is an RFC 3339 string, got {json}"));
    DateTime::parse_from_rfc3339(text).expect("times are RFC 3339").with_timezone(&Utc)
}

fn home_with_vault(vault: &str, extra: &[&str]) -> TestHome {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let mut args = vec!["keyvault", "create", "--name", vault, "--resource-group", "rg"];
    args.extend_from_slice(extra);
    home.ok(&args);
    home
}

/// How many rows the store's `objects` and `object_versions` tables hold (material included).
fn stored_object_rows(home: &TestHome) -> (i64, i64) {
    crate::support::with_db(&home.db_file(), async |conn| {
        let objects: i64 = sqlx::query_scalar("SELECT count(*) FROM objects").fetch_one(&mut *conn).await.expect("count objects");
        let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM object_versions").fetch_one(&mut *conn).await.expect("count versions");
        (objects, versions)
    })
}

fn vault_names(list: &Value) -> Vec<String> {
    list.as_array().expect("a JSON array").iter().filter_map(|v| v["name"].as_str().map(str::to_string)).collect()
}

/// The whole life cycle of one object kind in a vault with 30-day retention.
fn object_life_cycle(kind: Kind) {
    let vault = "life-vault";
    let home = home_with_vault(vault, &["--retention-days", "30"]);
    let name = "doomed";
    kind.add_version(&home, vault, name, "first value");
    kind.add_version(&home, vault, name, "second value");
    let versions_before = kind.version_ids(&home, vault, name);
    assert_eq!(versions_before.len(), 2, "two versions were made");

    let deleted = kind.named_ok(&home, "delete", vault, name);
    assert!(deleted["deletedDate"].is_string(), "delete answers with the deleted object and its deletedDate: {deleted}");

    let gone = kind.named_fails(&home, "show", vault, name);
    assert_eq!(gone.code, kind.not_found(), "a soft-deleted {} is not found by show", kind.word());
    assert_eq!(gone.status, 3, "not found exits with status 3");
    let active = home.ok(&["keyvault", kind.word(), "list", "--vault-name", vault]);
    assert_eq!(active, serde_json::json!([]), "a soft-deleted {} is not in the active list", kind.word());

    let listed = kind.list_deleted(&home, vault);
    assert_eq!(listed.len(), 1, "list-deleted has the deleted {}", kind.word());
    let entry = &listed[0];
    assert_eq!(entry["name"], name, "the deleted entry is the one deleted");
    let deleted_date = time(&entry["deletedDate"]);
    let purge_date = time(&entry["scheduledPurgeDate"]);
    assert_eq!(
        purge_date - deleted_date,
        chrono::Duration::days(30),
        "scheduledPurgeDate is deletedDate plus the vault's 30-day retention"
    );
    assert!((Utc::now() - deleted_date).num_minutes().abs() < 5, "deletedDate is the (unshifted) time of the delete: {deleted_date}");
    let collection = match kind {
        Kind::Key => "deletedkeys",
        Kind::Secret => "deletedsecrets",
    };
    assert_eq!(
        entry["recoveryId"],
        format!("https://{vault}.localhost:8443/{collection}/{name}"),
        "the recovery id is the vault URI + deleted<kind>s/<name>"
    );
    assert_eq!(entry["attributes"]["recoverableDays"], 30, "recoverableDays reports the vault's retention");

    let shown = kind.named_ok(&home, "show-deleted", vault, name);
    assert_eq!(shown["recoveryId"], entry["recoveryId"], "show-deleted finds the same deleted object");
    assert_eq!(shown["scheduledPurgeDate"], entry["scheduledPurgeDate"], "show-deleted and list-deleted agree on the purge date");
    if let Kind::Secret = kind {
        assert!(shown.get("value").is_none(), "show-deleted does not reveal a secret value: {shown}");
    }

    let conflict = kind.add_version_fails(&home, vault, name);
    assert_eq!(
        conflict.code,
        "Conflict: ObjectIsDeletedButRecoverable",
        "the name of a deleted but recoverable {} cannot be reused: {}",
        kind.word(),
        conflict.stderr
    );

    let recovered = kind.named_ok(&home, "recover", vault, name);
    assert!(recovered.get("deletedDate").is_none(), "a recovered object is no longer marked deleted: {recovered}");
    assert_eq!(kind.version_ids(&home, vault, name), versions_before, "recover brings back every version with its id");
    assert!(kind.list_deleted(&home, vault).is_empty(), "a recovered object leaves list-deleted");
    if let Kind::Secret = kind {
        let value = home.ok(&["keyvault", "secret", "show", "--vault-name", vault, "--name", name]);
        assert_eq!(value["value"], "second value", "the recovered secret's newest value reads back");
    } else {
        kind.named_ok(&home, "show", vault, name);
    }
    assert_eq!(
        kind.named_fails(&home, "recover", vault, name).code,
        kind.not_found(),
        "recovering an object that is not deleted finds no deleted object"
    );

    kind.named_ok(&home, "delete", vault, name);
    assert_eq!(stored_object_rows(&home), (1, 2), "a deleted {} keeps its object and both versions in the store", kind.word());
    assert_eq!(kind.named_ok(&home, "purge", vault, name), Value::Null, "purge prints nothing");
    assert_eq!(stored_object_rows(&home), (0, 0), "purge removes the object and every version (with its material) from the store");
    assert_eq!(
        kind.named_fails(&home, "show-deleted", vault, name).code,
        kind.not_found(),
        "a purged object is not in the deleted state either"
    );
    assert!(kind.list_deleted(&home, vault).is_empty(), "a purged object leaves list-deleted");
    assert_eq!(kind.named_fails(&home, "recover", vault, name).code, kind.not_found(), "a purged object cannot be recovered");

    kind.add_version(&home, vault, name, "fresh value");
    assert_eq!(kind.version_ids(&home, vault, name).len(), 1, "after purge the name is free and starts again with one version");
    assert!(
        kind.version_ids(&home, vault, name).iter().all(|v| !versions_before.contains(v)),
        "the reused name holds a new version, none of the purged ones"
    );
}

#[test]
fn key_soft_delete_recover_purge() {
    object_life_cycle(Kind::Key);
}

#[test]
fn secret_soft_delete_recover_purge() {
    object_life_cycle(Kind::Secret);
}

#[test]
fn purge_protection_blocks_manual_purge_of_keys_and_secrets() {
    let vault = "guarded-vault";
    let home = home_with_vault(vault, &["--enable-purge-protection"]);
    for kind in [Kind::Key, Kind::Secret] {
        kind.add_version(&home, vault, "kept", "value");
        kind.named_ok(&home, "delete", vault, "kept");
        let refused = kind.named_fails(&home, "purge", vault, "kept");
        assert_eq!(
            refused.code,
            "PurgeProtectionEnabled",
            "purge protection refuses to purge a deleted {}: {}",
            kind.word(),
            refused.stderr
        );
        assert_eq!(kind.deleted_names(&home, vault), ["kept"], "the refused purge left the deleted {} in list-deleted", kind.word());
        let recovered = kind.named_ok(&home, "recover", vault, "kept");
        assert!(recovered.get("deletedDate").is_none(), "purge protection still allows recovery of a {}", kind.word());
    }
}

#[test]
fn purge_protection_blocks_manual_purge_of_a_vault() {
    let home = home_with_vault("guarded-vault", &["--enable-purge-protection"]);
    home.ok(&["keyvault", "delete", "--name", "guarded-vault"]);
    let refused = home.fails(&["keyvault", "purge", "--name", "guarded-vault"]);
    assert_eq!(refused.code, "PurgeProtectionEnabled", "a deleted vault with purge protection cannot be purged: {}", refused.stderr);
    let shown = home.ok(&["keyvault", "show-deleted", "--name", "guarded-vault"]);
    assert_eq!(shown["properties"]["purgeProtectionEnabled"], true, "the deleted vault is still there and shows its protection");
    assert_eq!(vault_names(&home.ok(&["keyvault", "list-deleted"])), ["guarded-vault"], "the refused purge left it in list-deleted");
}

#[test]
fn retention_sweep_purges_deleted_keys_and_secrets_even_with_protection() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    home.ok(&["keyvault", "create", "--name", "short-vault", "--resource-group", "rg", "--retention-days", "7"]);
    home.ok(&[
        "keyvault",
        "create",
        "--name",
        "short-guarded",
        "--resource-group",
        "rg",
        "--retention-days",
        "7",
        "--enable-purge-protection",
    ]);
    for vault in ["short-vault", "short-guarded"] {
        for kind in [Kind::Key, Kind::Secret] {
            kind.add_version(&home, vault, "aging", "value");
            kind.named_ok(&home, "delete", vault, "aging");
            kind.add_version(&home, vault, "alive", "value");
        }
    }

    let shifted = home.ok(&["clock", "shift", "--days", "6"]);
    assert_eq!(shifted["offsetSeconds"], 6 * 86_400, "clock shift reports the total offset");
    for vault in ["short-vault", "short-guarded"] {
        for kind in [Kind::Key, Kind::Secret] {
            assert_eq!(
                kind.deleted_names(&home, vault),
                ["aging"],
                "after 6 of 7 days the deleted {} in {vault} is still recoverable",
                kind.word()
            );
            kind.named_ok(&home, "show-deleted", vault, "aging");
        }
    }

    home.ok(&["clock", "shift", "--days", "2"]);
    for vault in ["short-vault", "short-guarded"] {
        for kind in [Kind::Key, Kind::Secret] {
            assert!(
                kind.list_deleted(&home, vault).is_empty(),
                "after 8 days the 7-day retention has ended and the deleted {} in {vault} is purged (protection only blocks manual purge)",
                kind.word()
            );
            assert_eq!(
                kind.named_fails(&home, "show-deleted", vault, "aging").code,
                kind.not_found(),
                "the swept {} is gone from the deleted state",
                kind.word()
            );
            kind.named_ok(&home, "show", vault, "alive");
            kind.add_version(&home, vault, "aging", "reborn");
        }
    }
    let reused = home.ok(&["keyvault", "secret", "show", "--vault-name", "short-vault", "--name", "aging"]);
    assert_eq!(reused["value"], "reborn", "after the sweep the name is free for a new secret");
}

#[test]
fn retention_sweep_purges_deleted_vaults() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    home.ok(&["keyvault", "create", "--name", "old-vault", "--resource-group", "rg", "--retention-days", "7"]);
    home.ok(&[
        "keyvault",
        "create",
        "--name",
        "old-guarded",
        "--resource-group",
        "rg",
        "--retention-days",
        "7",
        "--enable-purge-protection",
    ]);
    home.ok(&["keyvault", "create", "--name", "long-vault", "--resource-group", "rg", "--retention-days", "90"]);
    home.ok(&["keyvault", "secret", "set", "--vault-name", "old-vault", "--name", "ghost", "--value", "old contents"]);
    for vault in ["old-vault", "old-guarded", "long-vault"] {
        home.ok(&["keyvault", "delete", "--name", vault]);
    }

    home.ok(&["clock", "shift", "--days", "6"]);
    let mut deleted = vault_names(&home.ok(&["keyvault", "list-deleted"]));
    deleted.sort();
    assert_eq!(deleted, ["long-vault", "old-guarded", "old-vault"], "six days into a seven-day retention every deleted vault remains");

    assert_eq!(stored_object_rows(&home), (1, 1), "the deleted vault's secret is still stored while the vault is recoverable");
    home.ok(&["clock", "shift", "--days", "2"]);
    assert_eq!(stored_object_rows(&home), (0, 0), "the sweep removed the purged vault's secret and its sealed version from the store");
    let deleted = vault_names(&home.ok(&["keyvault", "list-deleted"]));
    assert_eq!(deleted, ["long-vault"], "after the 7-day retention both short vaults are purged, protected or not; the 90-day one stays");
    assert_eq!(
        home.fails(&["keyvault", "show-deleted", "--name", "old-vault"]).code,
        "DeletedVaultNotFound",
        "the swept vault is no longer in the deleted state"
    );

    home.ok(&["keyvault", "create", "--name", "old-vault", "--resource-group", "rg"]);
    assert_eq!(
        home.ok(&["keyvault", "secret", "list", "--vault-name", "old-vault"]),
        serde_json::json!([]),
        "the reused name is a new, empty vault: the purged vault's secrets did not come back"
    );
    home.ok(&["keyvault", "create", "--name", "old-guarded", "--resource-group", "rg"]);
}

#[test]
fn vault_soft_delete_recover_and_purge() {
    let home = home_with_vault("box-vault", &["--retention-days", "14"]);
    home.ok(&["keyvault", "secret", "set", "--vault-name", "box-vault", "--name", "inner", "--value", "still here"]);
    home.ok(&["keyvault", "key", "create", "--vault-name", "box-vault", "--name", "inner-key", "--kty", "EC"]);

    assert_eq!(home.ok(&["keyvault", "delete", "--name", "box-vault"]), Value::Null, "vault delete prints nothing");
    assert_eq!(home.fails(&["keyvault", "show", "--name", "box-vault"]).code, "VaultNotFound", "a deleted vault is not active");
    assert_eq!(home.ok(&["keyvault", "list"]), serde_json::json!([]), "a deleted vault is not in the active list");

    let listed = home.ok(&["keyvault", "list-deleted"]);
    assert_eq!(vault_names(&listed), ["box-vault"], "list-deleted has the vault");
    let shown = home.ok(&["keyvault", "show-deleted", "--name", "box-vault"]);
    assert_eq!(listed[0], shown, "show-deleted and list-deleted agree");
    let props = &shown["properties"];
    assert_eq!(
        time(&props["scheduledPurgeDate"]) - time(&props["deletionDate"]),
        chrono::Duration::days(14),
        "a vault's purge is scheduled its retention period after its deletion"
    );
    assert_eq!(props["location"], "westeurope", "the deleted vault keeps its location");
    assert_eq!(shown["type"], "Microsoft.KeyVault/deletedVaults", "deleted vaults have their own ARM type");

    for args in [
        &["keyvault", "secret", "show", "--vault-name", "box-vault", "--name", "inner"][..],
        &["keyvault", "secret", "list", "--vault-name", "box-vault"][..],
        &["keyvault", "key", "show", "--vault-name", "box-vault", "--name", "inner-key"][..],
        &["keyvault", "key", "list", "--vault-name", "box-vault"][..],
    ] {
        assert_eq!(home.fails(args).code, "VaultNotFound", "`{}` cannot reach into a deleted vault", args.join(" "));
    }

    let recovered = home.ok(&["keyvault", "recover", "--name", "box-vault"]);
    assert_eq!(recovered["properties"]["softDeleteRetentionInDays"], 14, "the recovered vault keeps its settings");
    let secret = home.ok(&["keyvault", "secret", "show", "--vault-name", "box-vault", "--name", "inner"]);
    assert_eq!(secret["value"], "still here", "recovering the vault brings its secrets back, readable");
    home.ok(&["keyvault", "key", "show", "--vault-name", "box-vault", "--name", "inner-key"]);
    assert_eq!(home.ok(&["keyvault", "list-deleted"]), serde_json::json!([]), "a recovered vault leaves list-deleted");

    home.ok(&["keyvault", "delete", "--name", "box-vault"]);
    assert_eq!(home.ok(&["keyvault", "purge", "--name", "box-vault"]), Value::Null, "purge prints nothing");
    assert_eq!(home.fails(&["keyvault", "show-deleted", "--name", "box-vault"]).code, "DeletedVaultNotFound", "a purged vault is gone");
    assert_eq!(
        home.fails(&["keyvault", "recover", "--name", "box-vault"]).code,
        "DeletedVaultNotFound",
        "a purged vault cannot be recovered"
    );
    assert_eq!(home.ok(&["keyvault", "list-deleted"]), serde_json::json!([]), "a purged vault leaves list-deleted");
    assert_eq!(stored_object_rows(&home), (0, 0), "purging the vault removed its objects and sealed versions from the store");

    home.ok(&["keyvault", "create", "--name", "box-vault", "--resource-group", "rg"]);
    assert_eq!(
        home.fails(&["keyvault", "secret", "show", "--vault-name", "box-vault", "--name", "inner"]).code,
        "SecretNotFound",
        "the re-created vault is new: the purged vault's secret is gone for good"
    );
    assert_eq!(home.ok(&["keyvault", "key", "list", "--vault-name", "box-vault"]), serde_json::json!([]), "and so are its keys");
}

#[test]
fn clock_show_shift_and_reset() {
    let home = TestHome::new();
    let start = home.ok(&["clock", "show"]);
    assert_eq!(start["offsetSeconds"], 0, "a new home's clock is not shifted");
    assert!((time(&start["now"]) - Utc::now()).num_minutes().abs() < 5, "unshifted, the clock reads the real time: {start}");

    home.ok(&["clock", "shift", "--days", "3", "--hours", "5"]);
    let shifted = home.ok(&["clock", "show"]);
    assert_eq!(shifted["offsetSeconds"], 3 * 86_400 + 5 * 3_600, "clock show reports the stored offset in seconds");
    let days = shifted["offsetDays"].as_f64().expect("offsetDays is a number");
    assert!((days - (3.0 + 5.0 / 24.0)).abs() < 1e-9, "offsetDays is the offset in (fractional) days, got {days}");
    let ahead = time(&shifted["now"]) - Utc::now();
    assert!((ahead - chrono::Duration::hours(77)).num_minutes().abs() < 5, "the shifted clock reads 77 hours ahead, got {ahead}");

    home.ok(&["clock", "shift", "--days", "-1"]);
    assert_eq!(home.ok(&["clock", "show"])["offsetSeconds"], 2 * 86_400 + 5 * 3_600, "shifts add up, and negative shifts go back");

    let reset = home.ok(&["clock", "reset"]);
    assert_eq!(reset["offsetSeconds"], 0, "clock reset returns the offset to 0");
    assert_eq!(home.ok(&["clock", "show"])["offsetSeconds"], 0, "the reset is stored, not just printed");
}
