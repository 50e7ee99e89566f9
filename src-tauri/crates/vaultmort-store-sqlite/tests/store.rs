//! Integration tests of the SQLite store: every `Transaction` method round-trips, names are
//! case-insensitive, versions order by sequence, dropped transactions leave nothing, purges
//! cascade, the file is private and in WAL mode, and concurrent writers queue instead of failing.
//!
//! Each test opens its own store in a fresh temporary directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;
use tempfile::TempDir;
use vaultmort_core::model::{Deletion, ResourceGroup, Sku, Vault};
use vaultmort_core::storage::{AuditRecord, EventRecord, ObjectRecord, Transaction, VaultFilter, VersionRecord};
use vaultmort_core::{ObjectKind, Storage, StoreError};
use vaultmort_store_sqlite::SqliteStore;

/// A fixed instant with whole seconds, as the domain uses.
fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + seconds, 0).expect("the test instants are within chrono's range")
}

/// A fresh store in its own temporary directory (kept alive by the returned guard).
async fn store() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("a temporary directory is needed to hold the database");
    let store = SqliteStore::open(&dir.path().join("vaultmort.db")).await.expect("a new store opens in an empty directory");
    (dir, store)
}

async fn begin(store: &SqliteStore) -> Box<dyn Transaction> {
    store.begin().await.expect("no other writer holds the store, so a transaction starts at once")
}

async fn commit(tx: Box<dyn Transaction>) {
    tx.commit().await.expect("committing a transaction with valid writes succeeds");
}

fn deletion(deleted: i64, purge: i64) -> Deletion {
    Deletion { deleted_at: at(deleted), scheduled_purge: at(purge) }
}

fn vault(id: &str, name: &str, group: &str) -> Vault {
    Vault {
        id: id.to_string(),
        name: name.to_string(),
        tenant_id: "tenant".to_string(),
        subscription_id: "sub".to_string(),
        resource_group: group.to_string(),
        location: "westeurope".to_string(),
        sku: Sku::Standard,
        tags: [("env".to_string(), "test".to_string())].into_iter().collect(),
        soft_delete_retention_days: 7,
        purge_protection: false,
        rbac_authorization: true,
        created: at(0),
        updated: at(1),
        deletion: None,
        certificate_issuers: Vec::new(),
        certificate_contacts: Vec::new(),
        access_policies: Vec::new(),
        network_acls: Default::default(),
        practice_throttling: false,
    }
}

fn object(vault_id: &str, kind: ObjectKind, name: &str) -> ObjectRecord {
    ObjectRecord {
        vault_id: vault_id.to_string(),
        kind,
        name: name.to_string(),
        deletion: None,
        properties: json!({ "policy": { "lifetime": 30 } }),
    }
}

fn version(object: &ObjectRecord, version: &str, sequence: i64) -> VersionRecord {
    VersionRecord {
        vault_id: object.vault_id.clone(),
        kind: object.kind,
        name: object.name.clone(),
        version: version.to_string(),
        sequence,
        created: at(sequence),
        properties: json!({ "attributes": { "enabled": true }, "sequence": sequence }),
        sealed: Some(vec![0, 1, 2, 255, sequence as u8]),
    }
}

fn audit(operation: &str, vault: Option<&str>) -> AuditRecord {
    AuditRecord {
        sequence: 0,
        time: at(5),
        operation: operation.to_string(),
        caller_object_id: "owner-id".to_string(),
        caller_name: "Owner".to_string(),
        caller_type: "user".to_string(),
        client_address: "127.0.0.1".to_string(),
        door: "cli".to_string(),
        vault: vault.map(str::to_string),
        object: vault.map(|_| "secrets/s/v1".to_string()),
        status: 200,
        error_code: None,
        duration_micros: 1234,
        rule: "owner".to_string(),
        flags: Vec::new(),
        parameters: Default::default(),
        previous_hash: String::new(),
        hash: String::new(),
    }
}

/// The chain key the tests append with (a store's is derived from its master key).
fn chain() -> vaultmort_core::audit::AuditChain {
    vaultmort_core::audit::AuditChain::new(b"store test chain key")
}

/// Puts a vault with one secret holding two versions, and commits.
async fn seed(store: &SqliteStore) -> (Vault, ObjectRecord) {
    let v = vault("v1", "Alpha", "Group");
    let o = object(&v.id, ObjectKind::Secret, "Password");
    let mut tx = begin(store).await;
    tx.vault_put(&v).await.expect("a new vault is stored");
    tx.object_put(&o).await.expect("an object in an existing vault is stored");
    tx.version_put(&version(&o, "a1", 1)).await.expect("a version of an existing object is stored");
    tx.version_put(&version(&o, "b2", 2)).await.expect("a version of an existing object is stored");
    commit(tx).await;
    (v, o)
}

/// A direct connection to the database file, for checks the `Storage` API cannot make.
async fn raw(path: &Path) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(path))
        .await
        .expect("the store's file is a SQLite database that a second connection can open")
}

mod open {
    use super::*;

    #[cfg(unix)]
    #[tokio::test]
    async fn database_file_is_private_and_its_new_directory_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a temporary directory is needed to hold the database");
        let path = dir.path().join("nested").join("data").join("vaultmort.db");
        let store = SqliteStore::open(&path).await.expect("open creates missing parent directories");
        let mut tx = begin(&store).await;
        tx.meta_put("k", b"v").await.expect("a metadata value is written");
        commit(tx).await;

        let file_mode = std::fs::metadata(&path).expect("open created the file").permissions().mode() & 0o777;
        assert_eq!(file_mode, 0o600, "the database holds sealed material and must be readable by its owner only");
        let parent = path.parent().expect("the database path has a parent");
        let dir_mode = std::fs::metadata(parent).expect("open created the directory").permissions().mode() & 0o777;
        assert_eq!(dir_mode, 0o700, "a directory created for the database must be owner-only");
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        if wal.exists() {
            let wal_mode = std::fs::metadata(&wal).expect("the WAL file exists").permissions().mode() & 0o777;
            assert_eq!(wal_mode, 0o600, "the WAL file holds recent writes and must be as private as the database");
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn existing_file_with_wide_permissions_is_narrowed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a temporary directory is needed to hold the database");
        let path = dir.path().join("vaultmort.db");
        std::fs::write(&path, b"").expect("an empty file can be created");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("permissions can be widened");
        let _store = SqliteStore::open(&path).await.expect("an empty file opens as a new database");
        let mode = std::fs::metadata(&path).expect("the file exists").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "open must restrict a pre-existing file, not only files it creates");
    }

    #[tokio::test]
    async fn journal_mode_is_wal() {
        let (_dir, store) = store().await;
        let mut conn = raw(store.path()).await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut conn).await.expect("PRAGMA journal_mode answers");
        assert_eq!(mode, "wal", "WAL mode is persistent, so open must have switched the file to it");
    }

    #[tokio::test]
    async fn reopening_keeps_data_and_does_not_rerun_migrations() {
        let dir = tempfile::tempdir().expect("a temporary directory is needed to hold the database");
        let path = dir.path().join("vaultmort.db");
        let store = SqliteStore::open(&path).await.expect("a new store opens");
        assert_eq!(store.path(), path, "path() reports the file the store was opened on");
        let mut tx = begin(&store).await;
        tx.meta_put("tenant", b"t1").await.expect("a metadata value is written");
        commit(tx).await;
        store.close().await;

        let store = SqliteStore::open(&path).await.expect("an up-to-date store opens again without migrating");
        let mut tx = begin(&store).await;
        let value = tx.meta_get("tenant").await.expect("metadata can be read");
        assert_eq!(value.as_deref(), Some(&b"t1"[..]), "committed data must survive closing and reopening");
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory is needed to hold the file");
        let path = dir.path().join("vaultmort.db");
        std::fs::write(&path, vec![b'x'; 4096]).expect("a junk file can be written");
        let error = SqliteStore::open(&path).await.expect_err("a file of junk is not a SQLite database");
        assert!(
            matches!(error, StoreError::Corrupt(_)),
            "SQLite reports a non-database file as SQLITE_NOTADB, which the store calls corrupt; got {error:?}"
        );
    }
}

mod meta {
    use super::*;

    #[tokio::test]
    async fn put_get_and_overwrite() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        assert_eq!(tx.meta_get("missing").await.expect("reading succeeds"), None, "an unset key has no value");
        tx.meta_put("k", &[0, 159, 146, 150]).await.expect("binary values are accepted");
        assert_eq!(
            tx.meta_get("k").await.expect("reading succeeds").as_deref(),
            Some(&[0u8, 159, 146, 150][..]),
            "a value comes back byte for byte, even when not UTF-8"
        );
        tx.meta_put("k", b"second").await.expect("an existing key can be overwritten");
        assert_eq!(
            tx.meta_get("k").await.expect("reading succeeds").as_deref(),
            Some(&b"second"[..]),
            "meta_put replaces the previous value"
        );
    }
}

mod data_keys {
    use super::*;

    #[tokio::test]
    async fn insert_get_and_latest() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        assert_eq!(tx.data_key_latest().await.expect("reading succeeds"), None, "a new store has no data key");
        let first = tx.data_key_insert(b"wrapped-1", at(0)).await.expect("a data key is stored");
        let second = tx.data_key_insert(b"wrapped-2", at(1)).await.expect("a data key is stored");
        assert!(second > first, "data key ids grow, so the newest key has the largest id");
        assert_eq!(tx.data_key_latest().await.expect("reading succeeds"), Some(second), "the latest key is the last inserted");
        assert_eq!(
            tx.data_key_get(first).await.expect("reading succeeds").as_deref(),
            Some(&b"wrapped-1"[..]),
            "each id returns the wrapped key stored under it"
        );
        assert_eq!(tx.data_key_get(second + 100).await.expect("reading succeeds"), None, "an unknown id has no key");
    }
}

mod resource_groups {
    use super::*;

    fn group(subscription: &str, name: &str) -> ResourceGroup {
        ResourceGroup {
            subscription_id: subscription.to_string(),
            name: name.to_string(),
            location: "westeurope".to_string(),
            tags: [("team".to_string(), "a".to_string())].into_iter().collect(),
        }
    }

    #[tokio::test]
    async fn put_get_list_delete() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        let rg = group("sub", "Prod");
        tx.resource_group_put(&rg).await.expect("a group is stored");
        tx.resource_group_put(&group("sub", "dev")).await.expect("a group is stored");
        tx.resource_group_put(&group("other", "elsewhere")).await.expect("a group is stored");

        assert_eq!(tx.resource_group_get("sub", "Prod").await.expect("reading succeeds"), Some(rg.clone()), "a group round-trips");
        assert_eq!(
            tx.resource_group_get("sub", "PROD").await.expect("reading succeeds"),
            Some(rg.clone()),
            "resource group names are case-insensitive"
        );
        assert_eq!(tx.resource_group_get("other", "Prod").await.expect("reading succeeds"), None, "groups belong to one subscription");

        let names: Vec<String> = tx.resource_group_list("sub").await.expect("listing succeeds").into_iter().map(|g| g.name).collect();
        assert_eq!(names, ["dev", "Prod"], "a subscription lists only its own groups, ordered by name ignoring case");

        let mut changed = rg.clone();
        changed.location = "northeurope".to_string();
        tx.resource_group_put(&changed).await.expect("an existing group can be replaced");
        assert_eq!(
            tx.resource_group_get("sub", "prod").await.expect("reading succeeds").map(|g| g.location),
            Some("northeurope".to_string()),
            "put replaces an existing group"
        );

        tx.resource_group_delete("sub", "pRoD").await.expect("a group is deleted");
        assert_eq!(tx.resource_group_get("sub", "Prod").await.expect("reading succeeds"), None, "delete matches names ignoring case");
        assert_eq!(tx.resource_group_list("sub").await.expect("listing succeeds").len(), 1, "only the deleted group is gone");
    }
}

mod vaults {
    use super::*;

    #[tokio::test]
    async fn put_get_and_replace() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        let v = vault("v1", "Alpha", "Group");
        tx.vault_put(&v).await.expect("a vault is stored");
        assert_eq!(tx.vault_get("Alpha").await.expect("reading succeeds"), Some(v.clone()), "a vault round-trips");
        assert_eq!(tx.vault_get("aLPHA").await.expect("reading succeeds"), Some(v.clone()), "vault names are case-insensitive");
        assert_eq!(tx.vault_get("beta").await.expect("reading succeeds"), None, "an unknown name has no vault");

        let mut deleted = v.clone();
        deleted.deletion = Some(deletion(10, 20));
        deleted.purge_protection = true;
        tx.vault_put(&deleted).await.expect("a vault is replaced by id");
        assert_eq!(tx.vault_get("alpha").await.expect("reading succeeds"), Some(deleted), "put replaces the vault with the same id");
    }

    #[tokio::test]
    async fn names_are_unique_ignoring_case() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        tx.vault_put(&vault("v1", "Alpha", "g")).await.expect("a vault is stored");
        let error =
            tx.vault_put(&vault("v2", "ALPHA", "g")).await.expect_err("a second vault may not take a name that differs only in case");
        assert!(matches!(error, StoreError::Database(_)), "a constraint violation is a database error, got {error:?}");
    }

    #[tokio::test]
    async fn list_filters_by_group_and_deletion_and_orders_by_name() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        tx.vault_put(&vault("1", "charlie", "Group-A")).await.expect("a vault is stored");
        tx.vault_put(&vault("2", "Alpha", "group-a")).await.expect("a vault is stored");
        tx.vault_put(&vault("3", "bravo", "group-b")).await.expect("a vault is stored");
        let mut gone = vault("4", "delta", "group-a");
        gone.deletion = Some(deletion(1, 2));
        tx.vault_put(&gone).await.expect("a vault is stored");

        let names = |vaults: Vec<Vault>| vaults.into_iter().map(|v| v.name).collect::<Vec<_>>();
        let all = tx.vault_list(&VaultFilter::default()).await.expect("listing succeeds");
        assert_eq!(names(all), ["Alpha", "bravo", "charlie"], "the default filter lists active vaults ordered by name ignoring case");
        let in_a =
            tx.vault_list(&VaultFilter { resource_group: Some("GROUP-A".to_string()), deleted: false }).await.expect("listing succeeds");
        assert_eq!(names(in_a), ["Alpha", "charlie"], "the resource group filter ignores case and excludes deleted vaults");
        let deleted = tx.vault_list(&VaultFilter { resource_group: None, deleted: true }).await.expect("listing succeeds");
        assert_eq!(names(deleted), ["delta"], "deleted: true lists only soft-deleted vaults");
    }
}

mod objects {
    use super::*;

    #[tokio::test]
    async fn put_get_and_replace() {
        let (_dir, store) = store().await;
        let (v, o) = seed(&store).await;
        let mut tx = begin(&store).await;
        assert_eq!(
            tx.object_get(&v.id, ObjectKind::Secret, "Password").await.expect("reading succeeds"),
            Some(o.clone()),
            "an object round-trips"
        );
        assert_eq!(
            tx.object_get(&v.id, ObjectKind::Secret, "PASSWORD").await.expect("reading succeeds"),
            Some(o.clone()),
            "object names are case-insensitive"
        );
        assert_eq!(
            tx.object_get(&v.id, ObjectKind::Key, "Password").await.expect("reading succeeds"),
            None,
            "keys, secrets and certificates have separate names"
        );

        let mut deleted = o.clone();
        deleted.name = "password".to_string();
        deleted.deletion = Some(deletion(3, 4));
        deleted.properties = json!({ "changed": true });
        tx.object_put(&deleted).await.expect("an object is replaced");
        let stored = tx.object_get(&v.id, ObjectKind::Secret, "password").await.expect("reading succeeds").expect("the object exists");
        assert_eq!(stored.deletion, deleted.deletion, "put replaces the deletion dates");
        assert_eq!(stored.properties, deleted.properties, "put replaces the properties");
        assert_eq!(stored.name, "Password", "the name keeps the casing it was created with");
    }

    #[tokio::test]
    async fn list_filters_by_kind_and_deletion_and_orders_by_name() {
        let (_dir, store) = store().await;
        let (v, _) = seed(&store).await;
        let mut tx = begin(&store).await;
        tx.object_put(&object(&v.id, ObjectKind::Secret, "apple")).await.expect("an object is stored");
        tx.object_put(&object(&v.id, ObjectKind::Key, "kappa")).await.expect("an object is stored");
        let mut gone = object(&v.id, ObjectKind::Secret, "zulu");
        gone.deletion = Some(deletion(1, 2));
        tx.object_put(&gone).await.expect("an object is stored");

        let names = |objects: Vec<ObjectRecord>| objects.into_iter().map(|o| o.name).collect::<Vec<_>>();
        let active = tx.object_list(&v.id, ObjectKind::Secret, false).await.expect("listing succeeds");
        assert_eq!(names(active), ["apple", "Password"], "active secrets only, ordered by name ignoring case");
        let deleted = tx.object_list(&v.id, ObjectKind::Secret, true).await.expect("listing succeeds");
        assert_eq!(names(deleted), ["zulu"], "deleted: true lists only soft-deleted objects");
        let keys = tx.object_list(&v.id, ObjectKind::Key, false).await.expect("listing succeeds");
        assert_eq!(names(keys), ["kappa"], "listing is per kind");
    }

    #[tokio::test]
    async fn an_object_needs_its_vault() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        let error = tx
            .object_put(&object("no-such-vault", ObjectKind::Key, "k"))
            .await
            .expect_err("foreign keys are enforced, so an object cannot point at a missing vault");
        assert!(matches!(error, StoreError::Database(_)), "a constraint violation is a database error, got {error:?}");
    }
}

mod versions {
    use super::*;

    #[tokio::test]
    async fn get_by_id_and_latest_by_sequence() {
        let (_dir, store) = store().await;
        let (v, o) = seed(&store).await;
        let mut tx = begin(&store).await;
        // A version id that sorts before the others but has the highest sequence.
        let newest = version(&o, "0-newest", 3);
        tx.version_put(&newest).await.expect("a version is stored");

        assert_eq!(
            tx.version_get(&v.id, o.kind, "password", None).await.expect("reading succeeds"),
            Some(newest.clone()),
            "without a version id the highest sequence answers, whatever the ids' order, and names ignore case"
        );
        assert_eq!(
            tx.version_get(&v.id, o.kind, &o.name, Some("a1")).await.expect("reading succeeds"),
            Some(version(&o, "a1", 1)),
            "a version round-trips, sealed bytes included"
        );
        assert_eq!(
            tx.version_get(&v.id, o.kind, &o.name, Some("nope")).await.expect("reading succeeds"),
            None,
            "an unknown version id has no version"
        );
        assert_eq!(
            tx.version_get(&v.id, ObjectKind::Key, &o.name, None).await.expect("reading succeeds"),
            None,
            "versions belong to one kind"
        );
    }

    #[tokio::test]
    async fn list_orders_by_sequence_and_put_replaces() {
        let (_dir, store) = store().await;
        let (v, o) = seed(&store).await;
        let mut tx = begin(&store).await;
        tx.version_put(&version(&o, "0-third", 3)).await.expect("a version is stored");
        let mut changed = version(&o, "a1", 1);
        changed.sealed = None;
        changed.properties = json!({ "attributes": { "enabled": false } });
        tx.version_put(&changed).await.expect("an existing version is replaced");

        let listed = tx.version_list(&v.id, o.kind, "PASSWORD").await.expect("listing succeeds");
        let ids: Vec<&str> = listed.iter().map(|r| r.version.as_str()).collect();
        assert_eq!(ids, ["a1", "b2", "0-third"], "versions list oldest first by sequence, not by id");
        assert_eq!(listed[0], changed, "put replaces a version with the same id, and a missing sealed value stays missing");
    }

    #[tokio::test]
    async fn a_version_needs_its_object_and_errors_hide_the_sealed_bytes() {
        let (_dir, store) = store().await;
        let (v, _) = seed(&store).await;
        let mut tx = begin(&store).await;
        let orphan = VersionRecord {
            sealed: Some(b"TOP-SECRET-SEALED-BYTES".to_vec()),
            ..version(&object(&v.id, ObjectKind::Key, "missing"), "v", 1)
        };
        let error = tx.version_put(&orphan).await.expect_err("a version cannot exist without its object");
        let message = error.to_string();
        assert!(!message.contains("TOP-SECRET"), "error messages must never carry row data; got {message}");
    }
}

mod audit {
    use super::*;

    #[tokio::test]
    async fn append_returns_growing_sequences_and_list_pages() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        let mut sequences = Vec::new();
        for i in 0..5 {
            let record = audit(&format!("Op{i}"), if i % 2 == 0 { Some("Alpha") } else { None });
            sequences.push(tx.audit_append(&record, &chain()).await.expect("an audit record is appended"));
        }
        assert!(sequences.windows(2).all(|w| w[1] > w[0]), "each appended record gets a larger sequence than the last");

        let page = tx.audit_list(sequences[1], 2).await.expect("reading succeeds");
        let ops: Vec<&str> = page.iter().map(|r| r.operation.as_str()).collect();
        assert_eq!(ops, ["Op2", "Op3"], "the page starts after the given sequence, oldest first, and stops at the limit");
        let expected = AuditRecord {
            sequence: sequences[2],
            previous_hash: page[0].previous_hash.clone(),
            hash: page[0].hash.clone(),
            ..audit("Op2", Some("Alpha"))
        };
        assert_eq!(page[0], expected, "every field round-trips and the sequence is the stored one");
        assert_eq!(page[1].vault, None, "an absent vault stays absent");

        let all = tx.audit_list(0, 100).await.expect("reading succeeds");
        assert_eq!(all.len(), 5, "after 0 with a large limit every record is returned");
        assert!(tx.audit_list(sequences[4], 10).await.expect("reading succeeds").is_empty(), "nothing follows the last record");
    }

    #[tokio::test]
    async fn statuses_and_errors_round_trip() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        let record = AuditRecord { status: 403, error_code: Some("Forbidden".to_string()), ..audit("SecretGet", Some("v")) };
        let sequence = tx.audit_append(&record, &chain()).await.expect("an audit record is appended");
        let listed = tx.audit_list(0, 1).await.expect("reading succeeds");
        let chained = AuditRecord { sequence, previous_hash: listed[0].previous_hash.clone(), hash: listed[0].hash.clone(), ..record };
        assert_eq!(listed, [chained], "a refusal is logged with its status and code");
    }

    #[tokio::test]
    async fn appends_form_a_hash_chain_that_ends_at_the_stored_head() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        for i in 0..3 {
            tx.audit_append(&audit(&format!("Op{i}"), None), &chain()).await.expect("an audit record is appended");
        }
        commit(tx).await;
        // A read session appends under the write lock as well.
        let mut session = store.begin_read().await.expect("a read session opens");
        session.audit_append(&audit("Op3", None), &chain()).await.expect("a read session appends its record");
        let records = session.audit_list(0, 100).await.expect("reading succeeds");
        let head = session.meta_get(vaultmort_core::audit::CHAIN_HEAD_KEY).await.expect("meta reads").expect("the head is kept");
        let head = vaultmort_core::audit::ChainHead::decode(&head).expect("the head decodes");
        assert_eq!(records[0].previous_hash, vaultmort_core::audit::GENESIS, "the first record follows the genesis value");
        assert!(records.windows(2).all(|w| w[1].previous_hash == w[0].hash), "each record holds its predecessor's hash");
        let verification = chain().verify(&records, Some(&head));
        assert!(verification.valid, "the stored chain verifies: {:?}", verification.problems);
    }

    #[tokio::test]
    async fn a_snapshot_holds_every_record_and_the_head_in_a_transaction_and_a_session() {
        let (_dir, store) = store().await;
        let mut session = store.begin_read().await.expect("a read session opens");
        let empty = session.audit_snapshot().await.expect("an empty log is read");
        assert_eq!((empty.records.len(), empty.head), (0, None), "an empty log has no records and no chain head");
        let sequences = session.audit_append_all(&[audit("Op0", None), audit("Op1", None)], &chain()).await.expect("a session appends");
        drop(session);

        let mut tx = begin(&store).await;
        let snapshot = tx.audit_snapshot().await.expect("a write transaction reads a snapshot");
        let last = snapshot.records.last().expect("the appended records are read");
        assert_eq!(snapshot.records.len(), 2, "every record is in the snapshot");
        assert_eq!(
            snapshot.head.as_ref().map(|h| (h.sequence, h.hash.clone())),
            Some((sequences[1], last.hash.clone())),
            "the head names the newest record"
        );
        tx.audit_append(&audit("Op2", None), &chain()).await.expect("the transaction goes on after its snapshot");
        commit(tx).await;

        let mut session = store.begin_read().await.expect("a read session opens");
        let snapshot = session.audit_snapshot().await.expect("a read session reads a snapshot");
        assert!(chain().verify(&snapshot.records, snapshot.head.as_ref()).valid, "the snapshot verifies");
        session.audit_append(&audit("Op3", None), &chain()).await.expect("the session still appends after its read transaction ended");
        assert_eq!(session.audit_list(0, 100).await.expect("reading succeeds").len(), 4, "the session sees its own append");
    }

    /// Regression, issue 11 point 1: read in a session while others append, the records and
    /// the chain head must come from one moment, or a growing log looks truncated.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn issue11_point1_a_snapshot_in_a_read_session_agrees_with_its_head_while_others_append() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let (_dir, store) = store().await;
        let store = Arc::new(store);
        let stop = Arc::new(AtomicBool::new(false));
        let appenders: Vec<_> = (0..2)
            .map(|i| {
                let (store, stop) = (Arc::clone(&store), Arc::clone(&stop));
                tokio::spawn(async move {
                    let mut appended = 0;
                    // Bounded, so the test ends even if the reader never does.
                    while appended < 20_000 && !stop.load(Ordering::Relaxed) {
                        let mut session = store.begin_read().await.expect("a read session opens");
                        session.audit_append(&audit(&format!("Op{i}.{appended}"), None), &chain()).await.expect("a session appends");
                        appended += 1;
                    }
                    appended
                })
            })
            .collect();
        let mut disagreements = Vec::new();
        for run in 0..40 {
            let mut session = store.begin_read().await.expect("a read session opens");
            let snapshot = session.audit_snapshot().await.expect("a snapshot is read beside the appenders");
            let verification = chain().verify(&snapshot.records, snapshot.head.as_ref());
            if !verification.valid {
                disagreements.push(format!("run {run}: {:?}", verification.problems));
            }
        }
        stop.store(true, Ordering::Relaxed);
        let mut appended = 0;
        for appender in appenders {
            appended += appender.await.expect("no appender panics");
        }
        assert!(appended >= 40, "the log must grow while it is read for this test to mean anything ({appended} appends)");
        assert!(disagreements.is_empty(), "a snapshot's records and head must agree: {disagreements:#?}");
    }
}

mod directory {
    use super::*;
    use vaultmort_core::storage::{DirectoryEntry, EntryKind};

    #[tokio::test]
    async fn entries_round_trip_by_kind_and_id_case_insensitively() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        let entry =
            DirectoryEntry { kind: EntryKind::Principal, id: "ABC".into(), name: "Alice".into(), body: json!({"upn": "alice@x.example"}) };
        tx.directory_put(&entry).await.expect("an entry is stored");
        let other = DirectoryEntry { kind: EntryKind::RoleAssignment, id: "abc".into(), name: "a".into(), body: json!({}) };
        tx.directory_put(&other).await.expect("the same id under another kind is another entry");
        assert_eq!(tx.directory_get(EntryKind::Principal, "abc").await.expect("reads"), Some(entry.clone()), "ids ignore case");
        assert_eq!(tx.directory_list(EntryKind::Principal).await.expect("lists"), [entry], "a list holds only its kind");
        tx.directory_delete(EntryKind::Principal, "abc").await.expect("deletes");
        assert!(tx.directory_get(EntryKind::Principal, "ABC").await.expect("reads").is_none(), "a deleted entry is gone");
        assert_eq!(tx.directory_list(EntryKind::RoleAssignment).await.expect("lists").len(), 1, "other kinds are untouched");
    }
}

mod resolve {
    use super::*;

    #[tokio::test]
    async fn one_step_finds_vault_object_and_version_like_three_steps_do() {
        let (_dir, store) = store().await;
        let (vault, object) = seed(&store).await;
        let mut tx = begin(&store).await;
        let newest = tx.resolve("alpha", object.kind, "password", None).await.expect("resolved").expect("the vault exists");
        assert_eq!(newest.vault, vault, "the vault is found by name, ignoring case");
        assert_eq!(newest.object.as_ref(), Some(&object), "the object is found by kind and name, ignoring case");
        assert_eq!(newest.version.as_ref().map(|v| v.version.as_str()), Some("b2"), "no version asked for means the newest");
        let older = tx.resolve("Alpha", object.kind, "Password", Some("a1")).await.expect("resolved").expect("the vault exists");
        assert_eq!(
            older.version,
            tx.version_get(&vault.id, object.kind, "Password", Some("a1")).await.expect("read"),
            "the same record as version_get"
        );
        let no_version = tx.resolve("Alpha", object.kind, "Password", Some("zz")).await.expect("resolved").expect("the vault exists");
        assert!(no_version.object.is_some() && no_version.version.is_none(), "a missing version leaves the object found");
        let no_object = tx.resolve("Alpha", ObjectKind::Key, "Password", None).await.expect("resolved").expect("the vault exists");
        assert!(no_object.object.is_none() && no_object.version.is_none(), "another kind is another object");
        assert!(tx.resolve("Nowhere", object.kind, "Password", None).await.expect("resolved").is_none(), "no vault, no answer");
    }
}

mod events {
    use super::*;

    fn event(vault: &Vault, event_type: &str) -> EventRecord {
        EventRecord {
            sequence: 0,
            time: at(1_900_000_000),
            vault_id: vault.id.clone(),
            vault_name: vault.name.clone(),
            event_type: event_type.to_string(),
            subject: "certificates/site/abc".to_string(),
            data: json!({"daysLeft": 30}),
        }
    }

    #[tokio::test]
    async fn events_round_trip_filter_by_vault_and_go_with_their_vault() {
        let (_dir, store) = store().await;
        let (alpha, _) = seed(&store).await;
        let beta = vault("v2", "Beta", "Group");
        let mut tx = begin(&store).await;
        tx.vault_put(&beta).await.expect("a second vault is stored");
        let first = tx.event_append(&event(&alpha, "CertificateNearExpiry")).await.expect("appended");
        let second = tx.event_append(&event(&beta, "CertificateExpired")).await.expect("appended");
        assert!(second > first, "sequences grow");
        let all = tx.event_list(None, 0, 10).await.expect("listed");
        assert_eq!(all.len(), 2, "both vaults' events are listed without a filter");
        assert_eq!(all[0], EventRecord { sequence: first, ..event(&alpha, "CertificateNearExpiry") }, "every field round-trips");
        let only_beta = tx.event_list(Some(&beta.id), 0, 10).await.expect("listed");
        assert_eq!(
            only_beta.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>(),
            ["CertificateExpired"],
            "the filter keeps one vault"
        );
        tx.vault_purge(&beta.id).await.expect("purged");
        assert_eq!(tx.event_list(None, 0, 10).await.expect("listed").len(), 1, "a purged vault's events go with it");
    }
}

mod transactions {
    use super::*;

    #[tokio::test]
    async fn dropping_without_commit_leaves_nothing() {
        let (_dir, store) = store().await;
        {
            let mut tx = begin(&store).await;
            tx.meta_put("k", b"v").await.expect("a metadata value is written");
            tx.data_key_insert(b"w", at(0)).await.expect("a data key is stored");
            let v = vault("v1", "Alpha", "g");
            tx.vault_put(&v).await.expect("a vault is stored");
            let o = object(&v.id, ObjectKind::Key, "k");
            tx.object_put(&o).await.expect("an object is stored");
            tx.version_put(&version(&o, "1", 1)).await.expect("a version is stored");
            tx.audit_append(&audit("KeyCreate", Some("Alpha")), &chain()).await.expect("an audit record is appended");
            // Dropped here without commit.
        }
        let mut tx = begin(&store).await;
        assert_eq!(tx.meta_get("k").await.expect("reading succeeds"), None, "a dropped transaction's metadata must not persist");
        assert_eq!(tx.data_key_latest().await.expect("reading succeeds"), None, "a dropped transaction's data key must not persist");
        assert_eq!(tx.vault_get("alpha").await.expect("reading succeeds"), None, "a dropped transaction's vault must not persist");
        assert!(tx.audit_list(0, 10).await.expect("reading succeeds").is_empty(), "a dropped transaction's audit record must not persist");
    }

    #[tokio::test]
    async fn committed_writes_are_seen_by_later_transactions() {
        let (_dir, store) = store().await;
        let (v, _) = seed(&store).await;
        let mut tx = begin(&store).await;
        assert_eq!(tx.vault_get(&v.name).await.expect("reading succeeds"), Some(v), "a committed vault is visible afterwards");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_begin_waits_for_the_first_commit() {
        let (_dir, store) = store().await;
        let store = Arc::new(store);
        let mut first = begin(&store).await;
        first.meta_put("owner", b"first").await.expect("a metadata value is written");

        let second_store = Arc::clone(&store);
        let second = tokio::spawn(async move {
            let mut tx = second_store.begin().await.expect("the second writer waits for the lock instead of failing");
            let seen = tx.meta_get("owner").await.expect("reading succeeds");
            tx.meta_put("owner", b"second").await.expect("a metadata value is written");
            tx.commit().await.expect("the second transaction commits");
            seen
        });

        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!second.is_finished(), "BEGIN IMMEDIATE must make the second writer wait while the first holds the lock");
        commit(first).await;

        let seen = tokio::time::timeout(std::time::Duration::from_secs(4), second)
            .await
            .expect("the second writer gets the lock soon after the first commits")
            .expect("the second writer's task does not panic");
        assert_eq!(seen.as_deref(), Some(&b"first"[..]), "the second transaction began after the first committed, so it sees its write");
        let mut tx = begin(&store).await;
        assert_eq!(tx.meta_get("owner").await.expect("reading succeeds").as_deref(), Some(&b"second"[..]), "both writes landed, in order");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_concurrent_writers_all_succeed() {
        let (_dir, store) = store().await;
        let store = Arc::new(store);
        let tasks: Vec<_> = (0..12)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let mut tx = store.begin().await.expect("every writer eventually gets the lock");
                    tx.audit_append(&audit(&format!("Op{i}"), None), &chain()).await.expect("an audit record is appended");
                    tokio::task::yield_now().await;
                    tx.commit().await.expect("every writer commits");
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("no writer panics");
        }
        let mut tx = begin(&store).await;
        assert_eq!(
            tx.audit_list(0, 100).await.expect("reading succeeds").len(),
            12,
            "more writers than pooled connections all get through"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_read_sessions_and_writers_keep_one_unbroken_chain() {
        let (_dir, store) = store().await;
        let store = Arc::new(store);
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    for round in 0..5 {
                        let record = audit(&format!("Op{i}.{round}"), None);
                        if i % 4 == 0 {
                            let mut tx = store.begin().await.expect("a writer gets the lock");
                            tx.audit_append(&record, &chain()).await.expect("a writer appends");
                            tx.commit().await.expect("a writer commits");
                        } else {
                            let mut session = store.begin_read().await.expect("a read session opens");
                            session.audit_append(&record, &chain()).await.expect("a read session appends, retrying a lost race");
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("no appender panics");
        }
        let mut tx = begin(&store).await;
        let records = tx.audit_list(0, 1000).await.expect("reading succeeds");
        assert_eq!(records.len(), 80, "every append landed exactly once");
        let head = tx.meta_get(vaultmort_core::audit::CHAIN_HEAD_KEY).await.expect("meta reads").expect("the head is kept");
        let head = vaultmort_core::audit::ChainHead::decode(&head).expect("the trigger writes the head in the core's format");
        let verification = chain().verify(&records, Some(&head));
        assert!(verification.valid, "racing appends never fork the chain: {:?}", verification.problems);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn group_appends_in_a_transaction_and_in_a_session_keep_one_chain_with_racing_sessions() {
        let (_dir, store) = store().await;
        let store = Arc::new(store);
        let racers: Vec<_> = (0..4)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    for round in 0..5 {
                        let mut session = store.begin_read().await.expect("a read session opens");
                        session.audit_append(&audit(&format!("Solo{i}.{round}"), None), &chain()).await.expect("a session appends");
                    }
                })
            })
            .collect();
        // More records than one INSERT carries, with a flag and a parameter to round-trip.
        let mut group: Vec<AuditRecord> = (0..300).map(|i| audit(&format!("Group{i}"), Some("Alpha"))).collect();
        group[7].flags = vec!["SelfGrant".to_string()];
        group[7].parameters.insert("value".to_string(), "hmac-sha256:00".to_string());
        let mut tx = begin(&store).await;
        let sequences = tx.audit_append_all(&group, &chain()).await.expect("a group is appended in a transaction");
        commit(tx).await;
        // A group from a read session: one statement, racing the sessions for the chain head.
        let session_group: Vec<AuditRecord> = (0..100).map(|i| audit(&format!("Session{i}"), None)).collect();
        let mut session = store.begin_read().await.expect("a read session opens");
        let session_sequences = session.audit_append_all(&session_group, &chain()).await.expect("a group is appended in a session");
        session.commit().await.expect("a session's commit is a no-op");
        assert!(session_sequences.windows(2).all(|w| w[1] == w[0] + 1), "a session group is consecutive too");
        for racer in racers {
            racer.await.expect("no session panics");
        }
        assert_eq!(sequences.len(), 300, "one sequence per record");
        assert!(sequences.windows(2).all(|w| w[1] == w[0] + 1), "a group's records are consecutive, in the order given");

        let mut tx = begin(&store).await;
        let records = tx.audit_list(0, 1000).await.expect("reading succeeds");
        assert_eq!(records.len(), 420, "every record landed exactly once");
        let seventh = records.iter().find(|r| r.sequence == sequences[7]).expect("the record with a flag is stored");
        assert_eq!((seventh.operation.as_str(), seventh.flags.as_slice()), ("Group7", &["SelfGrant".to_string()][..]), "fields round-trip");
        assert_eq!(seventh.parameters.get("value").map(String::as_str), Some("hmac-sha256:00"), "parameters round-trip");
        let head = tx.meta_get(vaultmort_core::audit::CHAIN_HEAD_KEY).await.expect("meta reads").expect("the head is kept");
        let head = vaultmort_core::audit::ChainHead::decode(&head).expect("the trigger writes the head in the core's format");
        let verification = chain().verify(&records, Some(&head));
        assert!(verification.valid, "a group append and racing sessions keep one chain: {:?}", verification.problems);
    }
}

/// Issue 11 point 7: "the store is busy" reached a person. A writer waits for another
/// connection's write lock (here a raw connection, as another process would hold it) for the
/// store's bound, and only past it gets a typed error that says so.
mod contention {
    use std::time::Duration;

    use vaultmort_store_sqlite::{DEFAULT_LOCK_WAIT, StoreOptions};

    use super::*;

    /// A raw connection holding the write lock with an uncommitted write.
    async fn hold_write_lock(path: &Path) -> sqlx::SqliteConnection {
        let mut holder = raw(path).await;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut holder).await.expect("the holder takes the write lock");
        sqlx::query("INSERT INTO meta (key, value) VALUES ('holder', x'01')").execute(&mut holder).await.expect("the holder writes");
        holder
    }

    /// Regression, issue 11 point 7: the old bound was five seconds, which a loaded server's
    /// writers could exceed; a lock held for six is now waited out.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn issue11_point7_a_writer_waits_out_a_lock_held_longer_than_the_old_five_seconds() {
        const HELD: Duration = Duration::from_secs(6);
        assert!(HELD < DEFAULT_LOCK_WAIT, "the test holds the lock for less than the store's bound");
        let (dir, store) = store().await;
        let mut holder = hold_write_lock(&dir.path().join("vaultmort.db")).await;
        let store = Arc::new(store);
        let waiter = {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut tx = store.begin().await?;
                let seen = tx.meta_get("holder").await?;
                tx.meta_put("waiter", b"1").await?;
                tx.commit().await?;
                Ok::<_, StoreError>(seen)
            })
        };
        tokio::time::sleep(HELD).await;
        if waiter.is_finished() {
            let outcome = waiter.await.expect("the writer's task does not panic");
            panic!("a writer must still be waiting while another connection holds the write lock, but it ended with {outcome:?}");
        }
        sqlx::query("COMMIT").execute(&mut holder).await.expect("the holder commits");
        let seen = tokio::time::timeout(Duration::from_secs(10), waiter)
            .await
            .expect("the writer gets the lock soon after it is released")
            .expect("the writer's task does not panic")
            .expect("a writer waits for a lock held six seconds instead of failing with 'the store is busy'");
        assert_eq!(seen.as_deref(), Some(&[1u8][..]), "the writer began after the holder committed, so it sees the holder's write");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn issue11_point7_a_lock_held_past_the_bound_ends_in_a_busy_error_naming_it_and_the_store_recovers() {
        let dir = tempfile::tempdir().expect("a temporary directory is needed to hold the database");
        let path = dir.path().join("vaultmort.db");
        let options = StoreOptions::default().lock_wait(Duration::from_millis(300));
        let store = SqliteStore::open_with(&path, options).await.expect("a new store opens with a short lock wait");
        let mut holder = hold_write_lock(&path).await;
        let refused = tokio::time::timeout(Duration::from_secs(10), store.begin())
            .await
            .expect("a writer gives up once its bound has passed, not later than a few seconds after")
            .err()
            .expect("a write lock held past the bound cannot be taken");
        match &refused {
            StoreError::Busy(message) => {
                assert!(message.contains("0.3 s"), "the message names the bound that was waited: {message}");
                assert!(message.contains("write lock"), "the message says which lock was held: {message}");
            }
            other => panic!("a lock held past the bound is StoreError::Busy, not {other:?}"),
        }
        sqlx::query("COMMIT").execute(&mut holder).await.expect("the holder commits");
        let mut tx = store.begin().await.expect("once the lock is free a writer gets it at once");
        assert_eq!(tx.meta_get("holder").await.expect("reading succeeds").as_deref(), Some(&[1u8][..]), "the holder's write is seen");
    }
}

mod purge {
    use super::*;

    async fn count(path: &Path, sql: &'static str) -> i64 {
        let mut conn = raw(path).await;
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("the count query runs")
    }

    #[tokio::test]
    async fn vault_purge_removes_its_objects_and_versions() {
        let (_dir, store) = store().await;
        let (v, _) = seed(&store).await;
        let other = vault("v2", "Other", "g");
        let mut tx = begin(&store).await;
        tx.vault_put(&other).await.expect("a vault is stored");
        let kept = object(&other.id, ObjectKind::Key, "kept");
        tx.object_put(&kept).await.expect("an object is stored");
        tx.version_put(&version(&kept, "1", 1)).await.expect("a version is stored");
        tx.vault_purge(&v.id).await.expect("a vault is purged");
        commit(tx).await;

        let mut tx = begin(&store).await;
        assert_eq!(tx.vault_get(&v.name).await.expect("reading succeeds"), None, "a purged vault is gone");
        assert!(
            tx.object_list(&v.id, ObjectKind::Secret, false).await.expect("listing succeeds").is_empty(),
            "purging a vault removes its objects"
        );
        drop(tx);
        assert_eq!(
            count(store.path(), "SELECT count(*) FROM object_versions WHERE vault_id = 'v1'").await,
            0,
            "purging a vault removes its versions, including the sealed material"
        );
        assert_eq!(count(store.path(), "SELECT count(*) FROM object_versions").await, 1, "other vaults' versions stay");
    }

    #[tokio::test]
    async fn object_purge_removes_its_versions_only() {
        let (_dir, store) = store().await;
        let (v, o) = seed(&store).await;
        let mut tx = begin(&store).await;
        let other = object(&v.id, ObjectKind::Secret, "other");
        tx.object_put(&other).await.expect("an object is stored");
        tx.version_put(&version(&other, "1", 1)).await.expect("a version is stored");
        tx.object_purge(&v.id, o.kind, "PASSWORD").await.expect("an object is purged by name ignoring case");
        assert_eq!(tx.object_get(&v.id, o.kind, &o.name).await.expect("reading succeeds"), None, "a purged object is gone");
        assert!(
            tx.version_list(&v.id, o.kind, &o.name).await.expect("listing succeeds").is_empty(),
            "purging an object removes its versions"
        );
        assert_eq!(tx.version_list(&v.id, o.kind, "other").await.expect("listing succeeds").len(), 1, "other objects keep their versions");
        assert!(tx.vault_get(&v.name).await.expect("reading succeeds").is_some(), "purging an object leaves its vault");
    }

    #[tokio::test]
    async fn vaults_due_for_purge_are_deleted_and_past_their_date() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        tx.vault_put(&vault("1", "active", "g")).await.expect("a vault is stored");
        for (id, name, purge) in [("2", "due", 100), ("3", "exactly", 200), ("4", "later", 201)] {
            let mut v = vault(id, name, "g");
            v.deletion = Some(deletion(0, purge));
            tx.vault_put(&v).await.expect("a vault is stored");
        }
        let due: Vec<String> = tx.vaults_due_for_purge(at(200)).await.expect("the query succeeds").into_iter().map(|v| v.name).collect();
        assert_eq!(due, ["due", "exactly"], "deleted vaults whose purge date is at or before now are due; active and later ones are not");
    }

    #[tokio::test]
    async fn objects_due_for_purge_skip_deleted_vaults() {
        let (_dir, store) = store().await;
        let mut tx = begin(&store).await;
        let live = vault("1", "live", "g");
        let mut dead = vault("2", "dead", "g");
        dead.deletion = Some(deletion(0, 1_000));
        tx.vault_put(&live).await.expect("a vault is stored");
        tx.vault_put(&dead).await.expect("a vault is stored");
        let cases = [
            (&live, "due", Some(deletion(0, 50))),
            (&live, "not-yet", Some(deletion(0, 500))),
            (&live, "active", None),
            (&dead, "in-deleted-vault", Some(deletion(0, 50))),
        ];
        for (v, name, del) in cases {
            tx.object_put(&ObjectRecord { deletion: del, ..object(&v.id, ObjectKind::Certificate, name) })
                .await
                .expect("an object is stored");
        }
        let due = tx.objects_due_for_purge(at(100)).await.expect("the query succeeds");
        let names: Vec<&str> = due.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            names,
            ["due"],
            "only deleted objects past their date in active vaults are due; a deleted vault's objects go with the vault"
        );
        assert_eq!(due[0].kind, ObjectKind::Certificate, "the kind round-trips through the due query");
    }

    #[tokio::test]
    async fn due_queries_with_times_before_any_date_return_nothing() {
        let (_dir, store) = store().await;
        let (v, o) = seed(&store).await;
        let mut tx = begin(&store).await;
        tx.object_put(&ObjectRecord { deletion: Some(deletion(10, 20)), ..o }).await.expect("an object is soft-deleted");
        assert!(tx.objects_due_for_purge(at(19)).await.expect("the query succeeds").is_empty(), "one second before the date is not due");
        assert_eq!(tx.objects_due_for_purge(at(20)).await.expect("the query succeeds").len(), 1, "the purge date itself is due");
        assert!(tx.vaults_due_for_purge(at(1_000)).await.expect("the query succeeds").is_empty(), "an active vault is never due: {v:?}");
    }
}

mod corruption {
    use super::*;

    #[tokio::test]
    async fn a_vault_body_of_the_wrong_shape_is_corrupt_and_not_echoed() {
        let (_dir, store) = store().await;
        let mut conn = raw(store.path()).await;
        sqlx::query("INSERT INTO vaults (id, name, resource_group, body) VALUES ('x', 'broken', 'g', '{\"leak\":\"PRIVATE-VALUE\"}')")
            .execute(&mut conn)
            .await
            .expect("a row can be written behind the store's back");
        drop(conn);
        let mut tx = begin(&store).await;
        let error = tx.vault_get("broken").await.expect_err("a body that is not a vault cannot be decoded");
        assert!(matches!(error, StoreError::Corrupt(_)), "an undecodable row is reported as corrupt, got {error:?}");
        let message = error.to_string();
        assert!(!message.contains("PRIVATE-VALUE"), "error messages must never carry row data; got {message}");
    }

    #[tokio::test]
    async fn an_unknown_object_kind_is_refused_by_the_schema() {
        let (_dir, store) = store().await;
        let (v, _) = seed(&store).await;
        let mut conn = raw(store.path()).await;
        let result = sqlx::query("INSERT INTO objects (vault_id, kind, name, properties) VALUES (?, 'widget', 'w', '{}')")
            .bind(&v.id)
            .execute(&mut conn)
            .await;
        assert!(result.is_err(), "the kind column only accepts key, secret and certificate");
    }
}
