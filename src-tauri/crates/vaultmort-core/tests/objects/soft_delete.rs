//! Soft delete of keys, secrets and certificates: delete, list and show deleted, recover with
//! every version, purge, names held by deleted objects (`ObjectIsDeletedButRecoverable`), purge
//! protection, the recovery level each vault setting gives, and the retention sweep.

use chrono::Duration;
use vaultmort_certs::policy::CertificatePolicy;
use vaultmort_core::keys::CreateKey;
use vaultmort_core::objects::{DeletedInfo, ObjectId};
use vaultmort_core::secrets::SetSecret;
use vaultmort_core::vaults::CreateVault;
use vaultmort_core::{ObjectKind, Result};
use vaultmort_crypto::KeyType;
use vaultmort_test_support::home::{GROUP, TestCore};

use crate::support::{VAULT, core_with_vault, refused};

const KINDS: [ObjectKind; 3] = [ObjectKind::Key, ObjectKind::Secret, ObjectKind::Certificate];

/// The not-found code of a kind.
fn not_found(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Key => "KeyNotFound",
        ObjectKind::Secret => "SecretNotFound",
        ObjectKind::Certificate => "CertificateNotFound",
    }
}

/// Makes (or adds a version to) an object of `kind` named `name` in `vault`.
async fn make(t: &TestCore, vault: &str, kind: ObjectKind, name: &str) -> Result<()> {
    match kind {
        ObjectKind::Key => t.core.create_key(&t.owner, vault, CreateKey::new(name, KeyType::Ec)).await.map(|_| ()),
        ObjectKind::Secret => t.core.set_secret(&t.owner, vault, SetSecret::new(name, format!("value of {name}"))).await.map(|_| ()),
        ObjectKind::Certificate => {
            let mut policy = CertificatePolicy::self_signed(&format!("CN={name}.example"));
            policy.key_props.as_mut().expect("key properties").kty = Some("EC".into());
            policy.key_props.as_mut().expect("key properties").key_size = None;
            policy.key_props.as_mut().expect("key properties").curve = Some("P-256".into());
            t.core.create_certificate(&t.owner, vault, name, Some(policy), true, Default::default()).await.map(|_| ())
        }
    }
}

/// Reads the newest version of the object.
async fn get(t: &TestCore, vault: &str, kind: ObjectKind, name: &str) -> Result<()> {
    match kind {
        ObjectKind::Key => t.core.get_key(&t.owner, vault, name, None).await.map(|_| ()),
        ObjectKind::Secret => t.core.get_secret(&t.owner, vault, name, None).await.map(|_| ()),
        ObjectKind::Certificate => t.core.get_certificate(&t.owner, vault, name, None).await.map(|_| ()),
    }
}

/// How many versions the object has (refused while it is deleted).
async fn version_count(t: &TestCore, vault: &str, kind: ObjectKind, name: &str) -> Result<usize> {
    match kind {
        ObjectKind::Key => t.core.list_key_versions(&t.owner, vault, name).await.map(|v| v.len()),
        ObjectKind::Secret => t.core.list_secret_versions(&t.owner, vault, name).await.map(|v| v.len()),
        ObjectKind::Certificate => t.core.list_certificate_versions(&t.owner, vault, name).await.map(|v| v.len()),
    }
}

/// The names in the kind's active list.
async fn active_names(t: &TestCore, vault: &str, kind: ObjectKind) -> Vec<String> {
    let ids: Result<Vec<ObjectId>> = match kind {
        ObjectKind::Key => t.core.list_keys(&t.owner, vault).await.map(|l| l.into_iter().map(|b| b.id).collect()),
        ObjectKind::Secret => t.core.list_secrets(&t.owner, vault).await.map(|l| l.into_iter().map(|b| b.id).collect()),
        ObjectKind::Certificate => t.core.list_certificates(&t.owner, vault).await.map(|l| l.into_iter().map(|b| b.id).collect()),
    };
    ids.expect("the active list reads").into_iter().map(|id| id.name).collect()
}

/// The names and deletion facts in the kind's deleted list.
async fn deleted(t: &TestCore, vault: &str, kind: ObjectKind) -> Vec<(String, Option<DeletedInfo>)> {
    let listed: Result<Vec<(ObjectId, Option<DeletedInfo>)>> = match kind {
        ObjectKind::Key => t
            .core
            .list_deleted_objects(&t.owner, vault, ObjectKind::Key)
            .await
            .map(|l| l.into_iter().map(|b| (b.id().clone(), b.deleted().cloned())).collect()),
        ObjectKind::Secret => t
            .core
            .list_deleted_objects(&t.owner, vault, ObjectKind::Secret)
            .await
            .map(|l| l.into_iter().map(|b| (b.id().clone(), b.deleted().cloned())).collect()),
        ObjectKind::Certificate => t
            .core
            .list_deleted_objects(&t.owner, vault, ObjectKind::Certificate)
            .await
            .map(|l| l.into_iter().map(|b| (b.id().clone(), b.deleted().cloned())).collect()),
    };
    listed.expect("the deleted list reads").into_iter().map(|(id, info)| (id.name, info)).collect()
}

/// Soft-deletes the object; returns what the deletion reported.
async fn delete(t: &TestCore, vault: &str, kind: ObjectKind, name: &str) -> Result<Option<DeletedInfo>> {
    match kind {
        ObjectKind::Key => t.core.delete_object(&t.owner, vault, ObjectKind::Key, name).await.map(|b| b.deleted().cloned()),
        ObjectKind::Secret => t.core.delete_object(&t.owner, vault, ObjectKind::Secret, name).await.map(|b| b.deleted().cloned()),
        ObjectKind::Certificate => t.core.delete_object(&t.owner, vault, ObjectKind::Certificate, name).await.map(|b| b.deleted().cloned()),
    }
}

/// Shows the deleted object.
async fn get_deleted(t: &TestCore, vault: &str, kind: ObjectKind, name: &str) -> Result<Option<DeletedInfo>> {
    match kind {
        ObjectKind::Key => t.core.get_deleted_object(&t.owner, vault, ObjectKind::Key, name).await.map(|b| b.deleted().cloned()),
        ObjectKind::Secret => t.core.get_deleted_object(&t.owner, vault, ObjectKind::Secret, name).await.map(|b| b.deleted().cloned()),
        ObjectKind::Certificate => {
            t.core.get_deleted_object(&t.owner, vault, ObjectKind::Certificate, name).await.map(|b| b.deleted().cloned())
        }
    }
}

async fn recover(t: &TestCore, vault: &str, kind: ObjectKind, name: &str) -> Result<()> {
    match kind {
        ObjectKind::Key => t.core.recover_object(&t.owner, vault, ObjectKind::Key, name).await.map(|_| ()),
        ObjectKind::Secret => t.core.recover_object(&t.owner, vault, ObjectKind::Secret, name).await.map(|_| ()),
        ObjectKind::Certificate => t.core.recover_object(&t.owner, vault, ObjectKind::Certificate, name).await.map(|_| ()),
    }
}

async fn purge(t: &TestCore, vault: &str, kind: ObjectKind, name: &str) -> Result<()> {
    match kind {
        ObjectKind::Key => t.core.purge_object(&t.owner, vault, ObjectKind::Key, name).await,
        ObjectKind::Secret => t.core.purge_object(&t.owner, vault, ObjectKind::Secret, name).await,
        ObjectKind::Certificate => t.core.purge_object(&t.owner, vault, ObjectKind::Certificate, name).await,
    }
}

#[tokio::test]
async fn deleted_objects_are_listed_recovered_with_every_version_and_purged() {
    let t = core_with_vault().await;
    for kind in KINDS {
        let name = format!("life-{kind}");
        let name = name.as_str();
        make(&t, VAULT, kind, name).await.expect("the first version is made");
        make(&t, VAULT, kind, name).await.expect("the second version is made");

        let info = delete(&t, VAULT, kind, name).await.expect("delete works").expect("a deleted object reports its deletion");
        assert_eq!(info.recovery_path, format!("deleted{}/{name}", kind.collection()), "the recovery id of a deleted {kind}");
        assert_eq!(
            info.scheduled_purge_date - info.deleted_date,
            Duration::days(90),
            "a {kind} is purged 90 days after deletion in a vault with the default retention"
        );
        refused(get(&t, VAULT, kind, name).await, not_found(kind), None, &format!("reading a deleted {kind}"));
        assert!(!active_names(&t, VAULT, kind).await.contains(&name.to_string()), "a deleted {kind} leaves the active list");
        let listed = deleted(&t, VAULT, kind).await;
        assert_eq!(listed, [(name.to_string(), Some(info.clone()))], "the deleted {kind} is listed as deleted, with its dates");
        assert_eq!(get_deleted(&t, VAULT, kind, name).await.expect("show deleted works"), Some(info), "show deleted agrees with the list");

        refused(
            make(&t, VAULT, kind, name).await,
            "Conflict",
            Some("ObjectIsDeletedButRecoverable"),
            &format!("a new {kind} under the name of a deleted one"),
        );
        refused(delete(&t, VAULT, kind, name).await, not_found(kind), None, &format!("deleting a {kind} twice"));

        recover(&t, VAULT, kind, name).await.expect("recover works");
        get(&t, VAULT, kind, name).await.unwrap_or_else(|e| panic!("a recovered {kind} reads again: {e}"));
        assert_eq!(version_count(&t, VAULT, kind, name).await.expect("versions list"), 2, "a {kind} is recovered with every version");
        assert!(deleted(&t, VAULT, kind).await.is_empty(), "a recovered {kind} leaves the deleted list");
        refused(recover(&t, VAULT, kind, name).await, not_found(kind), None, &format!("recovering a {kind} that is not deleted"));

        refused(purge(&t, VAULT, kind, name).await, not_found(kind), None, &format!("purging a {kind} that is not deleted"));
        delete(&t, VAULT, kind, name).await.expect("delete works again");
        purge(&t, VAULT, kind, name).await.expect("purge works");
        assert!(deleted(&t, VAULT, kind).await.is_empty(), "a purged {kind} is gone from the deleted list");
        refused(get_deleted(&t, VAULT, kind, name).await, not_found(kind), None, &format!("showing a purged {kind}"));
        refused(recover(&t, VAULT, kind, name).await, not_found(kind), None, &format!("recovering a purged {kind}"));
        make(&t, VAULT, kind, name).await.unwrap_or_else(|e| panic!("a purged {kind}'s name is free again: {e}"));
        assert_eq!(version_count(&t, VAULT, kind, name).await.expect("versions"), 1, "the new {kind} starts with one version");
    }
}

#[tokio::test]
async fn a_deleted_certificate_takes_its_key_and_secret_with_it() {
    let t = core_with_vault().await;
    make(&t, VAULT, ObjectKind::Certificate, "site").await.expect("the certificate is made");
    delete(&t, VAULT, ObjectKind::Certificate, "site").await.expect("the certificate is deleted");
    for kind in [ObjectKind::Key, ObjectKind::Secret] {
        refused(get(&t, VAULT, kind, "site").await, not_found(kind), None, &format!("the {kind} of a deleted certificate"));
        let names: Vec<String> = deleted(&t, VAULT, kind).await.into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["site"], "the certificate's {kind} is deleted with it");
        refused(recover(&t, VAULT, kind, "site").await, "BadParameter", None, &format!("recovering a certificate's {kind} alone"));
    }
    recover(&t, VAULT, ObjectKind::Certificate, "site").await.expect("the certificate recovers");
    for kind in [ObjectKind::Key, ObjectKind::Secret] {
        get(&t, VAULT, kind, "site").await.unwrap_or_else(|e| panic!("the certificate's {kind} is recovered with it: {e}"));
    }
    delete(&t, VAULT, ObjectKind::Certificate, "site").await.expect("deleted again");
    purge(&t, VAULT, ObjectKind::Certificate, "site").await.expect("purged");
    for kind in KINDS {
        assert!(deleted(&t, VAULT, kind).await.is_empty(), "purging the certificate purges its {kind} too");
    }
}

#[tokio::test]
async fn purge_protection_refuses_purges_and_the_recovery_level_follows_the_vault() {
    let t = TestCore::new().await;
    let mut protected = CreateVault::new("protected-kv", GROUP);
    protected.purge_protection = true;
    t.vault_with(protected).await;
    let mut short = CreateVault::new("short-kv", GROUP);
    short.retention_days = 7;
    t.vault_with(short).await;
    t.vault("plain-kv").await;

    for (vault, level, days) in
        [("plain-kv", "Recoverable+Purgeable", 90), ("protected-kv", "Recoverable", 90), ("short-kv", "CustomizedRecoverable+Purgeable", 7)]
    {
        let key = t.core.create_key(&t.owner, vault, CreateKey::new("k", KeyType::Ec)).await.expect("a key is made");
        assert_eq!(key.recovery.recovery_level, level, "the recovery level of objects in {vault}");
        assert_eq!(key.recovery.recoverable_days, days, "the recoverable days of objects in {vault}");
    }

    for kind in [ObjectKind::Key, ObjectKind::Secret] {
        make(&t, "protected-kv", kind, "guarded").await.expect("made");
        delete(&t, "protected-kv", kind, "guarded").await.expect("deleting under purge protection works");
        refused(
            purge(&t, "protected-kv", kind, "guarded").await,
            "PurgeProtectionEnabled",
            None,
            &format!("purging a {kind} in a vault with purge protection"),
        );
        assert_eq!(deleted(&t, "protected-kv", kind).await.len(), 1, "the refused purge left the deleted {kind} in place");
        recover(&t, "protected-kv", kind, "guarded").await.expect("recovery still works under purge protection");
    }
}

#[tokio::test]
async fn the_retention_sweep_purges_deleted_objects_when_their_time_is_up_even_under_protection() {
    let t = TestCore::new().await;
    let mut vault = CreateVault::new("swept-kv", GROUP);
    vault.retention_days = 7;
    vault.purge_protection = true;
    t.vault_with(vault).await;
    for kind in [ObjectKind::Key, ObjectKind::Secret] {
        make(&t, "swept-kv", kind, "old").await.expect("made");
        delete(&t, "swept-kv", kind, "old").await.expect("deleted");
    }
    make(&t, "swept-kv", ObjectKind::Key, "alive").await.expect("made");

    let early = t.core.sweep_retention().await.expect("the sweep runs");
    assert!(early.objects.is_empty(), "nothing is purged before its retention ends: {:?}", early.objects);
    t.core.shift_clock(&t.owner, Duration::days(8)).await.expect("the owner moves the practice clock");
    let report = t.core.sweep_retention().await.expect("the sweep runs");
    assert_eq!(report.objects.len(), 2, "both deleted objects are purged once 7 days have passed: {:?}", report.objects);
    for kind in [ObjectKind::Key, ObjectKind::Secret] {
        assert!(deleted(&t, "swept-kv", kind).await.is_empty(), "the swept {kind} is gone from the deleted list");
    }
    get(&t, "swept-kv", ObjectKind::Key, "alive").await.expect("an object that was never deleted is untouched by the sweep");
}
