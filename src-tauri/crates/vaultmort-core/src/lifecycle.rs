//! The life cycle keys, secrets and certificates share, as one API taking the object kind:
//! soft delete, list and show deleted, recover, purge, backup and restore.
//!
//! Every operation is one whole request (authorize, run, audit) under the kind's own action, so
//! the access log and the permissions checked are Key Vault's per kind (`KeyDelete` needs the
//! keys `delete` permission, `CertificatePurge` the certificates `purge` permission, ...).
//! The answer is an [`ObjectBundle`], the kind's bundle in an enum; a door that serves one kind
//! takes it out with [`ObjectBundle::into_key`] and its siblings.
//!
//! What a kind adds to the shared steps is elsewhere: a certificate takes its key and secret
//! through delete, recover, purge and backup ([`crate::objects`], [`crate::backup`]), and a key or
//! secret that a certificate manages is refused. Left out: the kind-specific operations (create,
//! get, update, crypto), which stay in [`crate::keys`], [`crate::secrets`] and
//! [`crate::certificates`].

use crate::authz::{Action, actions};
use crate::certificates::CertificateBundle;
use crate::keys::KeyBundle;
use crate::model::Vault;
use crate::objects::{DeletedInfo, Listing, ObjectId, Step};
use crate::secrets::SecretBundle;
use crate::storage::{ObjectRecord, VersionRecord};
use crate::{Error, ObjectKind, RequestContext, Result, Vaultmort};

/// A key, secret or certificate as the life-cycle operations return it: the newest version,
/// with its deletion facts when it is soft-deleted. A secret comes without its value.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectBundle {
    /// A key.
    Key(KeyBundle),
    /// A secret (without its value).
    Secret(SecretBundle),
    /// A certificate (boxed: its bundle, with the DER and policy, is the largest).
    Certificate(Box<CertificateBundle>),
}

impl ObjectBundle {
    /// Which kind of object this is.
    pub fn kind(&self) -> ObjectKind {
        match self {
            ObjectBundle::Key(_) => ObjectKind::Key,
            ObjectBundle::Secret(_) => ObjectKind::Secret,
            ObjectBundle::Certificate(_) => ObjectKind::Certificate,
        }
    }

    /// The id of the version it shows.
    pub fn id(&self) -> &ObjectId {
        match self {
            ObjectBundle::Key(key) => &key.id,
            ObjectBundle::Secret(secret) => &secret.id,
            ObjectBundle::Certificate(certificate) => &certificate.id,
        }
    }

    /// Its deletion facts, when it is soft-deleted.
    pub fn deleted(&self) -> Option<&DeletedInfo> {
        match self {
            ObjectBundle::Key(key) => key.deleted.as_ref(),
            ObjectBundle::Secret(secret) => secret.deleted.as_ref(),
            ObjectBundle::Certificate(certificate) => certificate.deleted.as_ref(),
        }
    }

    fn wrong_kind(&self, expected: ObjectKind) -> Error {
        Error::WrongObjectKind { expected, found: self.kind() }
    }

    /// The key, or `WrongObjectKind` (`InternalError`) when this is another kind.
    pub fn into_key(self) -> Result<KeyBundle> {
        match self {
            ObjectBundle::Key(key) => Ok(key),
            other => Err(other.wrong_kind(ObjectKind::Key)),
        }
    }

    /// The secret, or `WrongObjectKind` (`InternalError`) when this is another kind.
    pub fn into_secret(self) -> Result<SecretBundle> {
        match self {
            ObjectBundle::Secret(secret) => Ok(secret),
            other => Err(other.wrong_kind(ObjectKind::Secret)),
        }
    }

    /// The certificate, or `WrongObjectKind` (`InternalError`) when this is another kind.
    pub fn into_certificate(self) -> Result<CertificateBundle> {
        match self {
            ObjectBundle::Certificate(certificate) => Ok(*certificate),
            other => Err(other.wrong_kind(ObjectKind::Certificate)),
        }
    }
}

/// The action (audit name and permission) of each life-cycle operation on one kind.
struct KindActions {
    delete: Action,
    get_deleted: Action,
    list_deleted: Action,
    recover: Action,
    purge: Action,
    backup: Action,
    restore: Action,
}

/// Key Vault's actions for the life cycle of `kind`.
fn kind_actions(kind: ObjectKind) -> KindActions {
    match kind {
        ObjectKind::Key => KindActions {
            delete: actions::KEY_DELETE,
            get_deleted: actions::KEY_GET_DELETED,
            list_deleted: actions::KEY_LIST_DELETED,
            recover: actions::KEY_RECOVER,
            purge: actions::KEY_PURGE,
            backup: actions::KEY_BACKUP,
            restore: actions::KEY_RESTORE,
        },
        ObjectKind::Secret => KindActions {
            delete: actions::SECRET_DELETE,
            get_deleted: actions::SECRET_GET_DELETED,
            list_deleted: actions::SECRET_LIST_DELETED,
            recover: actions::SECRET_RECOVER,
            purge: actions::SECRET_PURGE,
            backup: actions::SECRET_BACKUP,
            restore: actions::SECRET_RESTORE,
        },
        ObjectKind::Certificate => KindActions {
            delete: actions::CERTIFICATE_DELETE,
            get_deleted: actions::CERTIFICATE_GET_DELETED,
            list_deleted: actions::CERTIFICATE_LIST_DELETED,
            recover: actions::CERTIFICATE_RECOVER,
            purge: actions::CERTIFICATE_PURGE,
            backup: actions::CERTIFICATE_BACKUP,
            restore: actions::CERTIFICATE_RESTORE,
        },
    }
}

/// Builds the bundle of a stored object's version, by the object's kind.
fn object_bundle(vault: &Vault, object: &ObjectRecord, version: &VersionRecord) -> Result<ObjectBundle> {
    Ok(match object.kind {
        ObjectKind::Key => ObjectBundle::Key(crate::keys::bundle(vault, object, version)?),
        ObjectKind::Secret => ObjectBundle::Secret(crate::secrets::bundle_without_value(vault, object, version)?),
        ObjectKind::Certificate => ObjectBundle::Certificate(Box::new(crate::certificates::bundle(vault, object, version)?)),
    })
}

impl Vaultmort {
    /// Soft-deletes an object with all its versions (a certificate with its key and secret) and
    /// returns it; it stays recoverable for the vault's retention period.
    pub async fn delete_object(&self, ctx: &RequestContext, vault: &str, kind: ObjectKind, name: &str) -> Result<ObjectBundle> {
        self.lifecycle(ctx, kind_actions(kind).delete, (kind, vault, name), Step::Delete, object_bundle).await
    }

    /// Lists the soft-deleted objects of a kind.
    pub async fn list_deleted_objects(&self, ctx: &RequestContext, vault: &str, kind: ObjectKind) -> Result<Vec<ObjectBundle>> {
        self.listing(ctx, kind_actions(kind).list_deleted, (kind, vault), Listing::Deleted, object_bundle).await
    }

    /// Shows a soft-deleted object.
    pub async fn get_deleted_object(&self, ctx: &RequestContext, vault: &str, kind: ObjectKind, name: &str) -> Result<ObjectBundle> {
        self.lifecycle(ctx, kind_actions(kind).get_deleted, (kind, vault, name), Step::ShowDeleted, object_bundle).await
    }

    /// Recovers a soft-deleted object with all its versions (a certificate with its key and
    /// secret).
    pub async fn recover_object(&self, ctx: &RequestContext, vault: &str, kind: ObjectKind, name: &str) -> Result<ObjectBundle> {
        self.lifecycle(ctx, kind_actions(kind).recover, (kind, vault, name), Step::Recover, object_bundle).await
    }

    /// Purges a soft-deleted object for good (a certificate with its key and secret); refused
    /// while the vault has purge protection.
    pub async fn purge_object(&self, ctx: &RequestContext, vault: &str, kind: ObjectKind, name: &str) -> Result<()> {
        self.purge_request(ctx, kind_actions(kind).purge, (kind, vault, name)).await
    }

    /// Backs up an object with all its versions (a certificate with its key and secret) as an
    /// opaque blob that restores into a vault of the same tenant.
    pub async fn backup_object(&self, ctx: &RequestContext, vault: &str, kind: ObjectKind, name: &str) -> Result<Vec<u8>> {
        self.backup_request(ctx, kind_actions(kind).backup, kind, vault, name).await
    }

    /// Restores a backup blob of an object of `kind`; refused when the blob holds another kind,
    /// or the vault has an object (or a deleted one) of that name.
    pub async fn restore_object(&self, ctx: &RequestContext, vault: &str, kind: ObjectKind, blob: &[u8]) -> Result<ObjectBundle> {
        let (vault, object, latest) = self.restore_request(ctx, kind_actions(kind).restore, kind, vault, blob).await?;
        object_bundle(&vault, &object, &latest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [ObjectKind; 3] = [ObjectKind::Key, ObjectKind::Secret, ObjectKind::Certificate];

    fn deleted_secret() -> ObjectBundle {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("a valid time");
        ObjectBundle::Secret(SecretBundle {
            id: ObjectId { vault: "v".into(), kind: ObjectKind::Secret, name: "s".into(), version: Some("1".into()) },
            value: None,
            content_type: None,
            attributes: crate::model::Attributes { enabled: true, not_before: None, expires: None, created: at, updated: at },
            recovery: crate::model::Recovery { recovery_level: "Recoverable".into(), recoverable_days: 90 },
            tags: Default::default(),
            managed: false,
            key_id: None,
            deleted: Some(DeletedInfo {
                recovery_path: "deletedsecrets/s".into(),
                deleted_date: at,
                scheduled_purge_date: at + chrono::Duration::days(90),
            }),
        })
    }

    #[test]
    fn a_bundle_gives_its_own_kind_and_refuses_another_with_a_coded_error() {
        let bundle = deleted_secret();
        assert_eq!(bundle.kind(), ObjectKind::Secret, "a secret bundle is a secret");
        assert_eq!(bundle.id().name, "s", "the id is the secret's");
        assert_eq!(bundle.deleted().map(|d| d.recovery_path.as_str()), Some("deletedsecrets/s"), "the deletion facts are the secret's");
        assert!(bundle.clone().into_secret().is_ok(), "a secret comes out as a secret");
        for refused in [bundle.clone().into_key().map(drop), bundle.into_certificate().map(drop)] {
            let error = refused.expect_err("a secret never comes out as another kind");
            assert!(
                matches!(error, Error::WrongObjectKind { found: ObjectKind::Secret, .. }),
                "the error says what the bundle holds: {error:?}"
            );
            assert_eq!((error.code(), error.status()), ("InternalError", 500), "a door's mix-up is an internal error, not the caller's");
        }
    }

    #[test]
    fn every_kind_keeps_its_own_key_vault_actions() {
        for kind in KINDS {
            let a = kind_actions(kind);
            let title = kind.title();
            let named = [
                (a.delete, "Delete"),
                (a.get_deleted, "GetDeleted"),
                (a.list_deleted, "ListDeleted"),
                (a.recover, "Recover"),
                (a.purge, "Purge"),
                (a.backup, "Backup"),
                (a.restore, "Restore"),
            ];
            for (action, step) in named {
                assert_eq!(action.operation, format!("{title}{step}"), "the access log names a {kind} {step} as Key Vault does");
                match action.permission {
                    crate::authz::Permission::Data { kind: checked, .. } => {
                        assert_eq!(checked, kind, "{title}{step} is checked against the {kind} permissions")
                    }
                    other => panic!("{title}{step} is a data-plane action, not {other:?}"),
                }
            }
            assert!(a.get_deleted.read_only && a.list_deleted.read_only, "showing deleted {kind}s changes nothing");
            assert!(!a.delete.read_only && !a.recover.read_only && !a.purge.read_only, "delete, recover and purge write");
        }
    }
}
