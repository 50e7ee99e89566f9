//! In-process tests of an opened home: the core over the real SQLite store, unlocked by a
//! passphrase. They cover the access log's guarantees: a request whose audit record cannot be
//! written is refused and leaves nothing behind; every operation appends exactly one record
//! naming the operation, caller, status, vault and object, and never a secret value; and a
//! caller that no role assignment or access policy admits (here, one the practice directory does
//! not even know) is refused, with the refusal and its rule on record.

use std::path::{Path, PathBuf};

use tempfile::TempDir;
use vaultmort_core::context::{LOCAL_OWNER_ID, PrincipalKind};
use vaultmort_core::groups::CreateGroup;
use vaultmort_core::keys::{CreateKey, KeyRef};
use vaultmort_core::secrets::{SetSecret, UpdateSecret};
use vaultmort_core::storage::AuditRecord;
use vaultmort_core::vaults::CreateVault;
use vaultmort_core::{Door, Principal, RequestContext};
use vaultmort_crypto::{KeyType, SignatureAlgorithm};
use vaultmort_home::{Home, HomeOptions, KeySourceChoice, STORE_FILE};
use zeroize::Zeroizing;

const VAULT: &str = "home-vault";

/// A home in a temporary folder, with a resource group and a vault made by the owner.
struct TestHome {
    _dir: TempDir,
    home: Home,
    owner: RequestContext,
}

impl TestHome {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary home folder");
        let options = HomeOptions {
            home: Some(dir.path().join("home")),
            key_source: KeySourceChoice::Passphrase,
            passphrase: Some(Zeroizing::new("in-process test passphrase".to_string())),
            prompt: None,
        };
        let home = vaultmort_home::open(options).await.expect("a fresh home opens with a passphrase");
        let owner = RequestContext::local_owner(Door::Desktop);
        let core = &home.core;
        core.create_group(
            &owner,
            CreateGroup { name: "rg".into(), location: "westeurope".into(), tags: Default::default(), subscription: None },
        )
        .await
        .expect("the owner creates a resource group");
        core.create_vault(&owner, CreateVault::new(VAULT, "rg")).await.expect("the owner creates a vault");
        Self { _dir: dir, home, owner }
    }

    fn db(&self) -> PathBuf {
        self.home.path.join(STORE_FILE)
    }
}

/// Runs one SQL statement on the store file through a separate connection.
async fn execute(db: &Path, sql: &'static str) {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db).create_if_missing(false);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("the store file opens with sqlx");
    sqlx::query(sql).execute(&mut conn).await.expect("the statement runs");
    conn.close().await.expect("the connection closes");
}

async fn count(db: &Path, sql: &'static str) -> i64 {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db).create_if_missing(false);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("the store file opens with sqlx");
    let n = sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("the count runs");
    conn.close().await.expect("the connection closes");
    n
}

mod audit_failure {
    use super::*;

    #[tokio::test]
    async fn a_request_whose_audit_record_cannot_be_written_is_refused_and_leaves_nothing() {
        let t = TestHome::new().await;
        let core = &t.home.core;
        core.set_secret(&t.owner, VAULT, SetSecret::new("kept", "written-before-the-outage")).await.expect("the log works at first");

        execute(&t.db(), "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit down'); END;").await;

        let error = core
            .set_secret(&t.owner, VAULT, SetSecret::new("unaudited", "must-never-be-stored"))
            .await
            .expect_err("a write whose audit record cannot be written must be refused");
        assert_eq!(error.code(), "AuditUnavailable", "the refusal must say the audit log is unavailable: {error}");
        assert!(error.to_string().contains("audit"), "the message must say why: {error}");

        // Reads hand nothing out unaudited either, and failed requests cannot be logged.
        let error = core.get_secret(&t.owner, VAULT, "kept", None).await.expect_err("a read that cannot be audited must be refused");
        assert_eq!(error.code(), "AuditUnavailable", "a read with the log down is refused: {error}");
        let error = core.get_secret(&t.owner, VAULT, "missing", None).await.expect_err("a failing request is refused as well");
        assert_eq!(error.code(), "AuditUnavailable", "an unauditable failure reports the audit outage rather than the failure: {error}");

        execute(&t.db(), "DROP TRIGGER audit_down").await;

        let error = core.get_secret(&t.owner, VAULT, "unaudited", None).await.expect_err("the refused secret must not exist");
        assert_eq!(error.code(), "SecretNotFound", "the refused set must have been rolled back: {error}");
        assert_eq!(
            count(&t.db(), "SELECT count(*) FROM objects WHERE name = 'unaudited'").await,
            0,
            "no object row may survive the refused request"
        );
        assert_eq!(
            count(&t.db(), "SELECT count(*) FROM object_versions WHERE name = 'unaudited'").await,
            0,
            "no version row may survive the refused request"
        );
        let kept = core.get_secret(&t.owner, VAULT, "kept", None).await.expect("the earlier secret is untouched");
        assert_eq!(kept.value.as_deref().map(String::as_str), Some("written-before-the-outage"), "the earlier value is intact");
    }
}

mod audit_records {
    use super::*;

    /// Reads the records added since `cursor`, leaving out the record of the previous log read.
    async fn added(t: &TestHome, cursor: &mut i64) -> Vec<AuditRecord> {
        let had_read = *cursor > 0;
        let mut records = t.home.core.audit_log(&t.owner, *cursor, 1000).await.expect("the owner reads the log");
        if let Some(last) = records.last() {
            *cursor = last.sequence;
        }
        if had_read {
            assert!(!records.is_empty(), "the previous log read must itself be on record");
            let first = records.remove(0);
            assert_eq!(first.operation, "AuditLogRead", "the previous log read is itself on record, first");
        }
        records
    }

    /// Asserts that exactly one record was added, for `operation` with `status`, and returns it.
    async fn one(t: &TestHome, cursor: &mut i64, operation: &str, status: u16, error_code: Option<&str>) -> AuditRecord {
        let records = added(t, cursor).await;
        assert_eq!(records.len(), 1, "{operation} must append exactly one record, got {records:?}");
        let record = records.into_iter().next().expect("one record");
        assert_eq!(record.operation, operation, "the record names the operation");
        assert_eq!(record.status, status, "the record carries the status");
        assert_eq!(record.error_code.as_deref(), error_code, "the record carries the error code of a failure, none on success");
        assert_eq!(record.caller_object_id, LOCAL_OWNER_ID, "the record names the caller's object id");
        assert_eq!(record.caller_name, "owner@vaultmort.local", "the record names the caller");
        assert_eq!(record.door, "desktop", "the record names the door");
        assert_eq!(record.client_address, "127.0.0.1", "the record names the client address");
        assert!(!record.rule.is_empty(), "the record names the rule that decided");
        record
    }

    #[tokio::test]
    async fn every_operation_appends_one_record_without_secret_values() {
        let t = TestHome::new().await;
        let core = &t.home.core;
        let ctx = &t.owner;
        let value = "audit-must-never-hold-this-value-5e1f";
        let mut cursor = 0;

        // The setup's two requests are on record first.
        let setup = added(&t, &mut cursor).await;
        let operations: Vec<&str> = setup.iter().map(|r| r.operation.as_str()).collect();
        assert_eq!(operations, ["ResourceGroupPut", "VaultPut"], "the setup's requests are logged in order");
        assert_eq!(setup[1].vault.as_deref(), Some(VAULT), "a vault's creation names the vault");
        assert!(setup.windows(2).all(|w| w[0].sequence < w[1].sequence), "sequences increase");

        let set = core.set_secret(ctx, VAULT, SetSecret::new("s1", value)).await.expect("set");
        let version = set.id.version.clone().expect("a set secret names its version");
        let r = one(&t, &mut cursor, "SecretSet", 200, None).await;
        assert_eq!(r.vault.as_deref(), Some(VAULT), "the record names the vault");
        assert_eq!(r.object.as_deref(), Some(format!("secrets/s1/{version}").as_str()), "the record names the object version");
        assert_eq!(
            r.rule,
            format!("access policy for object {LOCAL_OWNER_ID} grants secrets/set"),
            "the owner is allowed by the access policy it got as the vault's creator"
        );

        let got = core.get_secret(ctx, VAULT, "s1", None).await.expect("get");
        assert_eq!(got.value.as_deref().map(String::as_str), Some(value), "the value reads back");
        let r = one(&t, &mut cursor, "SecretGet", 200, None).await;
        assert_eq!(r.object.as_deref(), Some(format!("secrets/s1/{version}").as_str()), "a read names the version it read");

        core.list_secrets(ctx, VAULT).await.expect("list");
        let r = one(&t, &mut cursor, "SecretList", 200, None).await;
        assert_eq!(r.vault.as_deref(), Some(VAULT), "a listing names the vault");

        core.update_secret(ctx, VAULT, "s1", None, UpdateSecret { content_type: Some("text/plain".into()), ..Default::default() })
            .await
            .expect("update");
        one(&t, &mut cursor, "SecretUpdate", 200, None).await;

        let key = core.create_key(ctx, VAULT, CreateKey::new("k1", KeyType::Ec)).await.expect("create key");
        let r = one(&t, &mut cursor, "KeyCreate", 200, None).await;
        assert_eq!(
            r.object.as_deref(),
            Some(format!("keys/k1/{}", key.id.version.as_deref().expect("a new key names its version")).as_str()),
            "a key's creation names its version"
        );

        core.sign(ctx, KeyRef::latest(VAULT, "k1"), SignatureAlgorithm::Es256, &[9u8; 32]).await.expect("sign");
        let r = one(&t, &mut cursor, "KeySign", 200, None).await;
        assert!(r.object.as_deref().is_some_and(|o| o.starts_with("keys/k1")), "a signature names the key: {:?}", r.object);

        let error = core.get_secret(ctx, VAULT, "missing", None).await.expect_err("a missing secret");
        assert_eq!(error.code(), "SecretNotFound", "{error}");
        let r = one(&t, &mut cursor, "SecretGet", 404, Some("SecretNotFound")).await;
        assert_eq!(r.object.as_deref(), Some("secrets/missing"), "a failure names what was asked for");

        let error = core.set_secret(ctx, VAULT, SetSecret::new("bad_name", value)).await.expect_err("a bad name");
        assert_eq!(error.code(), "BadParameter", "{error}");
        one(&t, &mut cursor, "SecretSet", 400, Some("BadParameter")).await;

        let error = core.get_secret(ctx, "no-such-vault", "s1", None).await.expect_err("a missing vault");
        assert_eq!(error.code(), "VaultNotFound", "{error}");
        let r = one(&t, &mut cursor, "SecretGet", 404, Some("VaultNotFound")).await;
        assert_eq!(r.vault.as_deref(), Some("no-such-vault"), "a failure names the vault asked for");

        core.delete_object(ctx, VAULT, vaultmort_core::ObjectKind::Secret, "s1").await.expect("delete");
        one(&t, &mut cursor, "SecretDelete", 200, None).await;

        core.show_vault(ctx, VAULT).await.expect("show vault");
        let r = one(&t, &mut cursor, "VaultGet", 200, None).await;
        assert_eq!(r.vault.as_deref(), Some(VAULT), "a vault read names the vault");

        let error = core.show_vault(ctx, "no-such-vault").await.expect_err("a missing vault");
        assert_eq!(error.code(), "VaultNotFound", "{error}");
        let r = one(&t, &mut cursor, "VaultGet", 404, Some("VaultNotFound")).await;
        assert_eq!(r.vault.as_deref(), Some("no-such-vault"), "a failed vault read names the vault asked for");

        // No record, anywhere in the log, holds the value (raw, as the store keeps it, or base64).
        let all = core.audit_log(ctx, 0, 1000).await.expect("the whole log");
        let text = serde_json::to_string(&all).expect("records serialise");
        assert!(!text.contains(value), "an access-log record must never contain a secret value");
        assert!(!text.contains("YXVkaXQtbXVzdC1uZXZlci1ob2xk"), "nor its base64");
        assert_eq!(
            count(&t.db(), "SELECT count(*) FROM audit_log WHERE instr(operation || caller_name || coalesce(object, '') || rule, 'audit-must-never') > 0").await,
            0,
            "the stored rows hold no value either"
        );
    }
}

mod authorization {
    use super::*;

    #[tokio::test]
    async fn a_principal_other_than_the_owner_is_refused_and_the_refusal_is_audited() {
        let t = TestHome::new().await;
        let core = &t.home.core;
        core.set_secret(&t.owner, VAULT, SetSecret::new("s1", "owner-only-value")).await.expect("the owner sets a secret");

        let stranger = RequestContext {
            principal: Principal {
                object_id: "11111111-2222-3333-4444-555555555555".into(),
                name: "app@contoso.example".into(),
                kind: PrincipalKind::ServicePrincipal,
            },
            source: "192.0.2.7".parse().expect("an address"),
            // A door that vouches for its caller: over REST (a token) the pipeline would first
            // refuse a principal the directory does not know, with 401.
            door: Door::Cli,
        };
        let before = core.audit_log(&t.owner, 0, 1000).await.expect("the owner reads the log").len();

        let error = core.get_secret(&stranger, VAULT, "s1", None).await.expect_err("a stranger may not read the secret");
        assert_eq!(error.code(), "Forbidden", "nothing grants an unknown caller anything: {error}");
        assert!(error.to_string().contains("app@contoso.example"), "the message names the caller: {error}");
        assert!(error.to_string().contains("secrets/get"), "the message names the permission needed: {error}");
        assert!(!error.to_string().contains("owner-only-value"), "a refusal never shows the value");

        let error = core.set_secret(&stranger, VAULT, SetSecret::new("s1", "overwrite")).await.expect_err("nor write it");
        assert_eq!(error.code(), "Forbidden", "{error}");
        let error = core.create_vault(&stranger, CreateVault::new("stranger-vault", "rg")).await.expect_err("nor create vaults");
        assert_eq!(error.code(), "Forbidden", "{error}");
        let error = core.audit_log(&stranger, 0, 1000).await.expect_err("nor read the log");
        assert_eq!(error.code(), "Forbidden", "{error}");

        let log = core.audit_log(&t.owner, 0, 1000).await.expect("the owner reads the log");
        // The records after the owner's earlier log read: four refusals.
        let refusals: Vec<&AuditRecord> = log[before + 1..].iter().collect();
        let operations: Vec<&str> = refusals.iter().map(|r| r.operation.as_str()).collect();
        assert_eq!(operations, ["SecretGet", "SecretSet", "VaultPut", "AuditLogRead"], "each refusal is on record, once, in order");
        for record in &refusals {
            assert_eq!(record.status, 403, "a refusal is logged as 403");
            assert_eq!(record.error_code.as_deref(), Some("Forbidden"), "with its code");
            assert_eq!(record.caller_object_id, "11111111-2222-3333-4444-555555555555", "the refused caller is named");
            assert_eq!(record.caller_name, "app@contoso.example", "by name too");
            assert_eq!(record.client_address, "192.0.2.7", "with the address it came from");
            assert_eq!(record.door, "cli", "and the door");
            assert!(
                record.rule.contains("no role assignment or access policy grants") && record.rule.contains("app@contoso.example"),
                "the record carries the rule that refused: {}",
                record.rule
            );
        }
        assert_eq!(refusals[0].vault.as_deref(), Some(VAULT), "a refused data-plane request names the vault");
        assert_eq!(refusals[0].object.as_deref(), Some("secrets/s1"), "and the object");
        assert!(refusals[0].rule.contains("secrets/get"), "the rule names the permission: {}", refusals[0].rule);

        let still = core.get_secret(&t.owner, VAULT, "s1", None).await.expect("the owner still reads the secret");
        assert_eq!(still.value.as_deref().map(String::as_str), Some("owner-only-value"), "the stranger's write changed nothing");
        let error = core.show_vault(&t.owner, "stranger-vault").await.expect_err("the stranger's vault was not made");
        assert_eq!(error.code(), "VaultNotFound", "{error}");
    }
}
