//! Backup and restore of keys, secrets and certificates as opaque, authenticated blobs (called
//! through [`crate::lifecycle`], which names each kind's action).
//!
//! A blob is `VMBK` + a format byte + AES-256-GCM over a JSON payload holding every version of
//! the object with its material. It is sealed with the tenant's backup key (kept in the store,
//! wrapped by the master key) and bound to the tenant id, so a blob restores only into a vault
//! of the same practice tenant and any changed byte makes it unreadable.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vaultmort_crypto::aead::{self, KEY_LEN, SealingKey};

use crate::authz::Action;
use crate::barrier::SealContext;
use crate::model::Vault;
use crate::objects;
use crate::storage::{ObjectRecord, Transaction, VersionRecord};
use crate::{Error, ObjectKind, RequestContext, Result, Vaultmort, names};

const MAGIC: &[u8; 4] = b"VMBK";
const FORMAT: u8 = 1;
const BACKUP_KEY: &str = "backup.key";
/// Key Vault refuses to back up objects with more versions than this.
pub const MAX_BACKUP_VERSIONS: usize = 500;

#[derive(Serialize, Deserialize)]
struct Payload {
    tenant_id: String,
    kind: ObjectKind,
    name: String,
    made: DateTime<Utc>,
    object_properties: serde_json::Value,
    versions: Vec<BackupVersion>,
    /// Objects that travel with this one (a certificate's key and secret).
    #[serde(default)]
    linked: Vec<Payload>,
}

#[derive(Serialize, Deserialize)]
struct BackupVersion {
    version: String,
    sequence: i64,
    created: DateTime<Utc>,
    properties: serde_json::Value,
    /// Base64 of the plaintext material; only ever inside the sealed blob.
    material: Option<String>,
}

impl Drop for BackupVersion {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.material.zeroize();
    }
}

fn aad(tenant_id: &str) -> Vec<u8> {
    format!("vaultmort/backup/v1/{tenant_id}").into_bytes()
}

fn damaged() -> Error {
    Error::bad("the backup blob is damaged, was altered, or was made by another Vaultmort tenant; nothing was restored")
}

impl Vaultmort {
    async fn tenant_backup_key(&self, tx: &mut dyn Transaction) -> Result<SealingKey> {
        let context = SealContext::installation("backup-key");
        let key = match tx.meta_get(BACKUP_KEY).await? {
            Some(sealed) => self.barrier.open_with_master(&context, &sealed)?,
            None => {
                let fresh = aead::random_key()?;
                tx.meta_put(BACKUP_KEY, &self.barrier.seal_with_master(&context, fresh.as_ref())?).await?;
                zeroize::Zeroizing::new(fresh.to_vec())
            }
        };
        let bytes: [u8; KEY_LEN] = key.as_slice().try_into().map_err(|_| Error::Integrity("the backup key has the wrong length".into()))?;
        Ok(SealingKey::new(&bytes)?)
    }

    /// Reads one object with every version (and its material) into a payload.
    async fn pack(&self, req: &mut crate::pipeline::Request<'_>, vault: &Vault, kind: ObjectKind, name: &str) -> Result<Payload> {
        let object = objects::active_object(req.tx.as_mut(), vault, kind, name).await?;
        let records = req.tx.version_list(&vault.id, kind, &object.name).await?;
        if records.len() > MAX_BACKUP_VERSIONS {
            return Err(Error::bad(format!(
                "{kind} '{name}' has {} versions; backups are limited to {MAX_BACKUP_VERSIONS}",
                records.len()
            )));
        }
        let mut versions = Vec::with_capacity(records.len());
        for record in &records {
            let material = match record.sealed {
                Some(_) => Some(STANDARD.encode(objects::open_material(self, req.tx.as_mut(), record).await?.as_slice())),
                None => None,
            };
            versions.push(BackupVersion {
                version: record.version.clone(),
                sequence: record.sequence,
                created: record.created,
                properties: record.properties.clone(),
                material,
            });
        }
        Ok(Payload {
            tenant_id: self.tenant.tenant_id.clone(),
            kind,
            name: object.name.clone(),
            made: req.now,
            object_properties: object.properties.clone(),
            versions,
            linked: Vec::new(),
        })
    }

    /// Backs up an object (a certificate with its key and secret) as a whole request.
    pub(crate) async fn backup_request(
        &self,
        ctx: &RequestContext,
        action: Action,
        kind: ObjectKind,
        vault_name: &str,
        name: &str,
    ) -> Result<Vec<u8>> {
        let mut req = self.request(ctx, action).await?;
        req.set_object(format!("{}/{name}", kind.collection()));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            let mut payload = self.pack(&mut req, &vault, kind, name).await?;
            if kind == ObjectKind::Certificate {
                // A certificate's key and secret travel with it.
                for linked in [ObjectKind::Key, ObjectKind::Secret] {
                    if req.tx.object_get(&vault.id, linked, name).await?.is_some_and(|o| o.deletion.is_none()) {
                        payload.linked.push(self.pack(&mut req, &vault, linked, name).await?);
                    }
                }
            }
            let json =
                zeroize::Zeroizing::new(serde_json::to_vec(&payload).map_err(|e| Error::Integrity(format!("backup encoding: {e}")))?);
            let sealed = self.tenant_backup_key(req.tx.as_mut()).await?.seal(&aad(&self.tenant.tenant_id), &json)?;
            let mut blob = Vec::with_capacity(5 + sealed.len());
            blob.extend_from_slice(MAGIC);
            blob.push(FORMAT);
            blob.extend_from_slice(&sealed);
            Ok(blob)
        }
        .await;
        req.finish(result).await
    }

    /// Refuses a restore over an existing (or soft-deleted) object of the same name.
    async fn check_restorable(req: &mut crate::pipeline::Request<'_>, vault: &Vault, kind: ObjectKind, name: &str) -> Result<()> {
        names::check_object_name(kind, name)?;
        if let Some(existing) = req.tx.object_get(&vault.id, kind, name).await? {
            let (inner, state) = match existing.deletion {
                Some(_) => ("ObjectIsDeletedButRecoverable", "a deleted but recoverable"),
                None => ("ObjectAlreadyExists", "an existing"),
            };
            return Err(Error::Conflict {
                inner,
                message: format!("{} '{}' cannot be restored: the vault has {state} {kind} of that name", kind.title(), name),
            });
        }
        Ok(())
    }

    /// Writes one payload's object and versions; returns the object and its newest version.
    async fn unpack(
        &self,
        req: &mut crate::pipeline::Request<'_>,
        vault: &Vault,
        payload: &Payload,
    ) -> Result<(ObjectRecord, VersionRecord)> {
        let kind = payload.kind;
        let object = ObjectRecord {
            vault_id: vault.id.clone(),
            kind,
            name: payload.name.clone(),
            deletion: None,
            properties: payload.object_properties.clone(),
        };
        req.tx.object_put(&object).await?;
        let mut latest = None;
        for version in &payload.versions {
            names::check_version(&version.version).map_err(|_| damaged())?;
            let sealed = match &version.material {
                Some(text) => {
                    let mut plain = zeroize::Zeroizing::new(STANDARD.decode(text).map_err(|_| damaged())?);
                    if kind == ObjectKind::Key {
                        plain = self.restore_key_material(req.tx.as_mut(), &version.properties, plain).await?;
                    }
                    let context = SealContext::version(&vault.id, kind, &object.name, &version.version);
                    Some(self.barrier.seal(req.tx.as_mut(), &context, &plain).await?)
                }
                None => None,
            };
            let record = VersionRecord {
                vault_id: vault.id.clone(),
                kind,
                name: object.name.clone(),
                version: version.version.clone(),
                sequence: version.sequence,
                created: version.created,
                properties: version.properties.clone(),
                sealed,
            };
            req.tx.version_put(&record).await?;
            if latest.as_ref().is_none_or(|l: &VersionRecord| l.sequence < record.sequence) {
                latest = Some(record);
            }
        }
        let latest = latest.ok_or_else(damaged)?;
        Ok((object, latest))
    }

    /// A backed-up key version's material made usable here: a software key is its own handle;
    /// an HSM key's handle holds the key wrapped by its token's backup key, which this home's
    /// HSM unwraps into a new token object, or refuses when it is another HSM's.
    async fn restore_key_material(
        &self,
        tx: &mut dyn Transaction,
        properties: &serde_json::Value,
        plain: zeroize::Zeroizing<Vec<u8>>,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        // Version properties carry the key's fields at the top level (`StoredVersion` flattens them).
        let info: crate::keys::KeyMaterialInfo = serde_json::from_value(properties.clone()).map_err(|_| damaged())?;
        if info.provider != vaultmort_crypto::ProviderKind::Pkcs11 {
            return Ok(plain);
        }
        let provider = self.hsm_provider_making(tx).await?;
        let handle = vaultmort_crypto::ProviderKey { kind: info.provider, bytes: plain };
        let restored = vaultmort_crypto::CryptoProvider::restore(provider.as_ref(), &handle)?;
        Ok(restored.bytes)
    }

    /// Restores a blob into `vault_name`; returns the object's record and its newest version.
    pub(crate) async fn restore_request(
        &self,
        ctx: &RequestContext,
        action: Action,
        kind: ObjectKind,
        vault_name: &str,
        blob: &[u8],
    ) -> Result<(Vault, ObjectRecord, VersionRecord)> {
        let mut req = self.request(ctx, action).await?;
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            if blob.len() < 5 || &blob[..4] != MAGIC || blob[4] != FORMAT {
                return Err(Error::bad("this is not a Vaultmort backup blob"));
            }
            let json =
                self.tenant_backup_key(req.tx.as_mut()).await?.open(&aad(&self.tenant.tenant_id), &blob[5..]).map_err(|_| damaged())?;
            let payload: Payload = serde_json::from_slice(&json).map_err(|_| damaged())?;
            if payload.tenant_id != self.tenant.tenant_id {
                return Err(damaged());
            }
            if payload.kind != kind {
                return Err(Error::bad(format!("this backup holds a {}, not a {kind}", payload.kind)));
            }
            req.set_object(format!("{}/{}", kind.collection(), payload.name));
            Self::check_restorable(&mut req, &vault, kind, &payload.name).await?;
            for linked in &payload.linked {
                Self::check_restorable(&mut req, &vault, linked.kind, &linked.name).await?;
            }
            let (object, latest) = self.unpack(&mut req, &vault, &payload).await?;
            for linked in &payload.linked {
                self.unpack(&mut req, &vault, linked).await?;
            }
            Ok((vault, object, latest))
        }
        .await;
        req.finish(result).await
    }
}
