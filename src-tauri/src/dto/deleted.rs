//! The deleted-objects list (`commands::deleted`).

use super::{ObjectKindName, iso};
use serde::Serialize;
use specta::Type;
use vaultmort_core::lifecycle::ObjectBundle;

/// A soft-deleted key, secret or certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeletedItem {
    /// What kind of object.
    pub kind: ObjectKindName,
    /// Its name.
    pub name: String,
    /// When it was deleted.
    pub deleted_date: String,
    /// When it will be purged for good.
    pub scheduled_purge_date: String,
}

impl DeletedItem {
    /// The view of a deleted object; `None` for one that is not deleted.
    pub(crate) fn of(object: &ObjectBundle) -> Option<Self> {
        let deleted = object.deleted()?;
        Some(Self {
            kind: object.kind().into(),
            name: object.id().name.clone(),
            deleted_date: iso(deleted.deleted_date),
            scheduled_purge_date: iso(deleted.scheduled_purge_date),
        })
    }
}
