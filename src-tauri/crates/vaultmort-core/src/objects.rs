//! What keys, secrets and certificates share: object ids, versions with attributes and tags,
//! and the steps of the soft-delete life cycle (delete, list and show deleted, recover, purge)
//! run as whole requests; [`crate::lifecycle`] exposes them by object kind.
//!
//! The kind-specific modules ([`crate::keys`], [`crate::secrets`]) keep only what differs.

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::model::{Attributes, Deletion, Recovery, Tags, Vault};
use crate::storage::{ObjectRecord, Transaction, VersionRecord};
use crate::{Error, ObjectKind, Result, StoreError};

/// Identifies an object or one of its versions: `https://<vault>.<host>/<kind>s/<name>/<version>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectId {
    /// Vault name.
    pub vault: String,
    /// Key, secret or certificate.
    pub kind: ObjectKind,
    /// Object name.
    pub name: String,
    /// Version id, when the id names a version.
    pub version: Option<String>,
}

impl ObjectId {
    /// `keys/<name>/<version>` (or without the version).
    pub fn path(&self) -> String {
        match &self.version {
            Some(version) => format!("{}/{}/{}", self.kind.collection(), self.name, version),
            None => format!("{}/{}", self.kind.collection(), self.name),
        }
    }

    /// The id as a URL under `vault_base` (`https://<vault>.localhost:8443`).
    pub fn url(&self, vault_base: &str) -> String {
        format!("{}/{}", vault_base.trim_end_matches('/'), self.path())
    }

    /// The recovery id of a deleted object: `deleted<kind>s/<name>`.
    pub fn recovery_path(&self) -> String {
        format!("deleted{}/{}", self.kind.collection(), self.name)
    }
}

/// Facts about a soft-deleted object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedInfo {
    /// `deletedkeys/<name>` and so on, to be put under the vault's URL.
    pub recovery_path: String,
    /// When it was deleted.
    pub deleted_date: DateTime<Utc>,
    /// When it will be purged.
    pub scheduled_purge_date: DateTime<Utc>,
}

/// A version's stored properties: attributes and tags common to every kind, plus `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredVersion<T> {
    /// Attributes.
    pub attributes: Attributes,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// Whether the object's lifetime is managed by a certificate.
    #[serde(default)]
    pub managed: bool,
    /// Kind-specific properties.
    #[serde(flatten)]
    pub extra: T,
}

/// Decodes a version's stored properties.
pub(crate) fn decode<T: DeserializeOwned>(record: &VersionRecord) -> Result<StoredVersion<T>> {
    serde_json::from_value(record.properties.clone())
        .map_err(|e| Error::Storage(StoreError::Corrupt(format!("{} '{}' version properties: {e}", record.kind, record.name))))
}

/// Encodes a version's properties for storage.
pub(crate) fn encode<T: Serialize>(props: &StoredVersion<T>) -> Result<serde_json::Value> {
    serde_json::to_value(props).map_err(|e| Error::Storage(StoreError::Corrupt(format!("encoding version properties: {e}"))))
}

/// The id of a version record.
pub(crate) fn version_id(vault: &Vault, record: &VersionRecord) -> ObjectId {
    ObjectId { vault: vault.name.clone(), kind: record.kind, name: record.name.clone(), version: Some(record.version.clone()) }
}

/// The deleted facts of an object, if it is deleted.
pub(crate) fn deleted_info(object: &ObjectRecord) -> Option<DeletedInfo> {
    object.deletion.map(|d| DeletedInfo {
        recovery_path: format!("deleted{}/{}", object.kind.collection(), object.name),
        deleted_date: d.deleted_at,
        scheduled_purge_date: d.scheduled_purge,
    })
}

/// The recovery level facts shown with every version.
pub(crate) fn recovery(vault: &Vault) -> Recovery {
    Recovery::of(vault)
}

fn not_found(vault: &Vault, kind: ObjectKind, name: &str, version: Option<&str>) -> Error {
    Error::ObjectNotFound { kind, vault: vault.name.clone(), name: name.to_string(), version: version.map(str::to_string) }
}

/// Loads an active object, or `*NotFound` (also when it is soft-deleted, as Key Vault answers).
pub(crate) async fn active_object(tx: &mut dyn Transaction, vault: &Vault, kind: ObjectKind, name: &str) -> Result<ObjectRecord> {
    crate::names::check_object_name(kind, name)?;
    match tx.object_get(&vault.id, kind, name).await? {
        Some(object) if object.deletion.is_none() => Ok(object),
        _ => Err(not_found(vault, kind, name, None)),
    }
}

/// Loads a version (the newest when `version` is `None`) of an active object.
pub(crate) async fn active_version(
    tx: &mut dyn Transaction,
    vault: &Vault,
    kind: ObjectKind,
    name: &str,
    version: Option<&str>,
) -> Result<(ObjectRecord, VersionRecord)> {
    let object = active_object(tx, vault, kind, name).await?;
    if let Some(v) = version {
        crate::names::check_version(v).map_err(|_| not_found(vault, kind, name, Some(v)))?;
    }
    let record = tx.version_get(&vault.id, kind, &object.name, version).await?.ok_or_else(|| not_found(vault, kind, name, version))?;
    Ok((object, record))
}

/// The newest version of every active object of a kind, by name.
pub(crate) async fn latest_versions(
    tx: &mut dyn Transaction,
    vault: &Vault,
    kind: ObjectKind,
) -> Result<Vec<(ObjectRecord, VersionRecord)>> {
    let objects = tx.object_list(&vault.id, kind, false).await?;
    let mut out = Vec::with_capacity(objects.len());
    for object in objects {
        if let Some(latest) = tx.version_get(&vault.id, kind, &object.name, None).await? {
            out.push((object, latest));
        }
    }
    Ok(out)
}

/// Whether a stored version belongs to a certificate (its key or secret).
pub(crate) fn is_managed(record: &VersionRecord) -> bool {
    record.properties.get("managed").and_then(|m| m.as_bool()).unwrap_or(false)
}

/// Refuses to change a key or secret that a certificate manages: Key Vault only lets the
/// certificate operations touch them.
pub(crate) async fn refuse_if_managed(
    tx: &mut dyn Transaction,
    vault: &Vault,
    kind: ObjectKind,
    name: &str,
    operation: &str,
) -> Result<()> {
    if kind == ObjectKind::Certificate {
        return Ok(());
    }
    if let Some(object) = tx.object_get(&vault.id, kind, name).await?
        && let Some(latest) = tx.version_get(&vault.id, kind, &object.name, None).await?
        && is_managed(&latest)
    {
        return Err(Error::bad(format!(
            "{kind} '{}' is managed by certificate '{}': {operation} it through the certificate commands instead",
            object.name, object.name
        )));
    }
    Ok(())
}

/// Gets (or makes) the object a new version is added to and returns it with the next sequence
/// number. A soft-deleted object of that name blocks new versions, as in Key Vault.
pub(crate) async fn object_for_new_version(
    tx: &mut dyn Transaction,
    vault: &Vault,
    kind: ObjectKind,
    name: &str,
) -> Result<(ObjectRecord, i64)> {
    crate::names::check_object_name(kind, name)?;
    match tx.object_get(&vault.id, kind, name).await? {
        Some(object) if object.deletion.is_some() => Err(Error::Conflict {
            inner: "ObjectIsDeletedButRecoverable",
            message: format!(
                "{} '{}' is currently in a deleted but recoverable state, and its name cannot be reused; recover it or purge it first",
                kind.title(),
                object.name
            ),
        }),
        Some(object) => {
            let next = tx.version_get(&vault.id, kind, &object.name, None).await?.map(|v| v.sequence + 1).unwrap_or(1);
            Ok((object, next))
        }
        None => {
            let object = ObjectRecord {
                vault_id: vault.id.clone(),
                kind,
                name: name.to_string(),
                deletion: None,
                properties: serde_json::Value::Object(Default::default()),
            };
            tx.object_put(&object).await?;
            Ok((object, 1))
        }
    }
}

/// Soft-deletes an object (all its versions) and returns it with its newest version.
pub(crate) async fn soft_delete(
    tx: &mut dyn Transaction,
    vault: &Vault,
    kind: ObjectKind,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(ObjectRecord, VersionRecord)> {
    let (mut object, latest) = active_version(tx, vault, kind, name, None).await?;
    object.deletion =
        Some(Deletion { deleted_at: now, scheduled_purge: now + Duration::days(i64::from(vault.soft_delete_retention_days)) });
    tx.object_put(&object).await?;
    Ok((object, latest))
}

/// Loads a soft-deleted object with its newest version.
pub(crate) async fn deleted_object(
    tx: &mut dyn Transaction,
    vault: &Vault,
    kind: ObjectKind,
    name: &str,
) -> Result<(ObjectRecord, VersionRecord)> {
    crate::names::check_object_name(kind, name)?;
    let missing = || Error::DeletedObjectNotFound { kind, vault: vault.name.clone(), name: name.to_string() };
    let object = match tx.object_get(&vault.id, kind, name).await? {
        Some(object) if object.deletion.is_some() => object,
        _ => return Err(missing()),
    };
    let latest = tx.version_get(&vault.id, kind, &object.name, None).await?.ok_or_else(missing)?;
    Ok((object, latest))
}

/// Every soft-deleted object of a kind with its newest version.
pub(crate) async fn deleted_objects(
    tx: &mut dyn Transaction,
    vault: &Vault,
    kind: ObjectKind,
) -> Result<Vec<(ObjectRecord, VersionRecord)>> {
    let objects = tx.object_list(&vault.id, kind, true).await?;
    let mut out = Vec::with_capacity(objects.len());
    for object in objects {
        if let Some(latest) = tx.version_get(&vault.id, kind, &object.name, None).await? {
            out.push((object, latest));
        }
    }
    Ok(out)
}

/// Brings a soft-deleted object back.
pub(crate) async fn recover(
    tx: &mut dyn Transaction,
    vault: &Vault,
    kind: ObjectKind,
    name: &str,
) -> Result<(ObjectRecord, VersionRecord)> {
    let (mut object, latest) = deleted_object(tx, vault, kind, name).await?;
    object.deletion = None;
    tx.object_put(&object).await?;
    Ok((object, latest))
}

/// Removes a soft-deleted object for good, unless purge protection holds.
pub(crate) async fn purge(tx: &mut dyn Transaction, vault: &Vault, kind: ObjectKind, name: &str) -> Result<()> {
    let (object, _) = deleted_object(tx, vault, kind, name).await?;
    if vault.purge_protection {
        let until = object.deletion.map(|d| d.scheduled_purge.to_rfc3339()).unwrap_or_default();
        return Err(Error::PurgeProtected(format!(
            "vault '{}' has purge protection: deleted {} '{}' cannot be purged before its retention period ends ({until})",
            vault.name, kind, object.name
        )));
    }
    tx.object_purge(&vault.id, kind, &object.name).await?;
    Ok(())
}

/// Where a new version goes: its object, id and sequence number.
pub(crate) struct NewVersion<'a> {
    pub(crate) object: &'a ObjectRecord,
    pub(crate) version: &'a str,
    pub(crate) sequence: i64,
}

/// Seals a version's secret material and stores the version.
pub(crate) async fn put_version<T: Serialize>(
    core: &crate::Vaultmort,
    tx: &mut dyn Transaction,
    vault: &Vault,
    new: NewVersion<'_>,
    props: &StoredVersion<T>,
    material: Option<&[u8]>,
) -> Result<VersionRecord> {
    let NewVersion { object, version, sequence } = new;
    let sealed = match material {
        Some(plain) => {
            let context = crate::barrier::SealContext::version(&vault.id, object.kind, &object.name, version);
            Some(core.barrier.seal(tx, &context, plain).await?)
        }
        None => None,
    };
    let record = VersionRecord {
        vault_id: vault.id.clone(),
        kind: object.kind,
        name: object.name.clone(),
        version: version.to_string(),
        sequence,
        created: props.attributes.created,
        properties: encode(props)?,
        sealed,
    };
    tx.version_put(&record).await?;
    Ok(record)
}

/// Opens a version's sealed material.
pub(crate) async fn open_material(
    core: &crate::Vaultmort,
    tx: &mut dyn Transaction,
    record: &VersionRecord,
) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let sealed =
        record.sealed.as_ref().ok_or_else(|| Error::Integrity(format!("{} '{}' has no stored material", record.kind, record.name)))?;
    let context = crate::barrier::SealContext::version(&record.vault_id, record.kind, &record.name, &record.version);
    core.barrier.open(tx, &context, sealed).await
}

/// A soft-delete step on a whole object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Soft-delete.
    Delete,
    /// Show the deleted object.
    ShowDeleted,
    /// Recover it.
    Recover,
}

/// Which versions a listing returns.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Listing<'a> {
    /// The newest version of every active object.
    Latest,
    /// The newest version of every soft-deleted object.
    Deleted,
    /// Every version of one active object.
    Versions(&'a str),
}

/// Turns stored records into what an operation returns.
pub(crate) type Build<T> = fn(&Vault, &ObjectRecord, &VersionRecord) -> Result<T>;

/// The objects that share a name with an object of `kind` and go through its life cycle with it.
fn linked_kinds(kind: ObjectKind) -> &'static [ObjectKind] {
    match kind {
        ObjectKind::Certificate => &[ObjectKind::Key, ObjectKind::Secret],
        ObjectKind::Key | ObjectKind::Secret => &[],
    }
}

impl crate::Vaultmort {
    /// Shows one version (the newest when `version` is `None`) as a whole request.
    pub(crate) async fn show_version<T>(
        &self,
        ctx: &crate::RequestContext,
        action: crate::authz::Action,
        (kind, vault_name, name): (ObjectKind, &str, &str),
        version: Option<&str>,
        build: Build<T>,
    ) -> Result<T> {
        let mut req = self.request(ctx, action).await?;
        req.set_object(format!("{}/{name}", kind.collection()));
        let result = async {
            let (vault, object, record) = req.data_version(vault_name, kind, name, version).await?;
            build(&vault, &object, &record)
        }
        .await;
        req.finish(result).await
    }

    /// Runs one soft-delete step as a whole request.
    pub(crate) async fn lifecycle<T>(
        &self,
        ctx: &crate::RequestContext,
        action: crate::authz::Action,
        (kind, vault_name, name): (ObjectKind, &str, &str),
        step: Step,
        build: Build<T>,
    ) -> Result<T> {
        let mut req = self.request(ctx, action).await?;
        let prefix = if step == Step::Delete { "" } else { "deleted" };
        req.set_object(format!("{prefix}{}/{name}", kind.collection()));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            if step != Step::ShowDeleted {
                refuse_if_managed(req.tx.as_mut(), &vault, kind, name, if step == Step::Delete { "delete" } else { "recover" }).await?;
            }
            let (object, latest) = match step {
                Step::Delete => soft_delete(req.tx.as_mut(), &vault, kind, name, req.now).await?,
                Step::ShowDeleted => deleted_object(req.tx.as_mut(), &vault, kind, name).await?,
                Step::Recover => recover(req.tx.as_mut(), &vault, kind, name).await?,
            };
            if step != Step::ShowDeleted {
                // A certificate's key and secret are deleted and recovered with it.
                for linked in linked_kinds(kind) {
                    if let Some(mut record) = req.tx.object_get(&vault.id, *linked, name).await? {
                        record.deletion = object.deletion;
                        req.tx.object_put(&record).await?;
                    }
                }
            }
            build(&vault, &object, &latest)
        }
        .await;
        req.finish(result).await
    }

    /// Purges a soft-deleted object as a whole request.
    pub(crate) async fn purge_request(
        &self,
        ctx: &crate::RequestContext,
        action: crate::authz::Action,
        (kind, vault_name, name): (ObjectKind, &str, &str),
    ) -> Result<()> {
        let mut req = self.request(ctx, action).await?;
        req.set_object(format!("deleted{}/{name}", kind.collection()));
        let mut cleanup = crate::keys::TokenCleanup::default();
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            refuse_if_managed(req.tx.as_mut(), &vault, kind, name, "purge").await?;
            if kind == ObjectKind::Key {
                cleanup.collect(self, req.tx.as_mut(), &vault.id, name).await?;
            }
            purge(req.tx.as_mut(), &vault, kind, name).await?;
            for linked in linked_kinds(kind) {
                if req.tx.object_get(&vault.id, *linked, name).await?.is_some_and(|o| o.deletion.is_some()) {
                    if *linked == ObjectKind::Key {
                        cleanup.collect(self, req.tx.as_mut(), &vault.id, name).await?;
                    }
                    req.tx.object_purge(&vault.id, *linked, name).await?;
                }
            }
            Ok(())
        }
        .await;
        req.finish(result).await?;
        // The records are gone for good: now their HSM keys go too.
        cleanup.run()
    }

    /// Lists objects or versions as a whole request.
    pub(crate) async fn listing<T>(
        &self,
        ctx: &crate::RequestContext,
        action: crate::authz::Action,
        (kind, vault_name): (ObjectKind, &str),
        which: Listing<'_>,
        build: Build<T>,
    ) -> Result<Vec<T>> {
        let mut req = self.request(ctx, action).await?;
        if let Listing::Versions(name) = which {
            req.set_object(format!("{}/{name}", kind.collection()));
        }
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            let pairs = match which {
                Listing::Latest => latest_versions(req.tx.as_mut(), &vault, kind).await?,
                Listing::Deleted => deleted_objects(req.tx.as_mut(), &vault, kind).await?,
                Listing::Versions(name) => {
                    let object = active_object(req.tx.as_mut(), &vault, kind, name).await?;
                    let versions = req.tx.version_list(&vault.id, kind, &object.name).await?;
                    versions.into_iter().map(|v| (object.clone(), v)).collect()
                }
            };
            pairs.iter().map(|(object, version)| build(&vault, object, version)).collect()
        }
        .await;
        req.finish(result).await
    }
}
