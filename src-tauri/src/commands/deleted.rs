//! Deleting objects and the vault's "deleted objects" list: recover or purge, for keys, secrets
//! and certificates alike. A certificate takes its key and secret with it, as in Key Vault.

use tauri::State;

use crate::dto::{DeletedItem, ObjectKindName};
use crate::error::CommandError;
use crate::state::AppState;

/// Soft-deletes a key, secret or certificate with all its versions; it stays recoverable for the
/// vault's retention period.
#[tauri::command]
#[specta::specta]
pub async fn delete_object(
    state: State<'_, AppState>,
    vault: String,
    kind: ObjectKindName,
    name: String,
) -> Result<DeletedItem, CommandError> {
    let core = state.core()?;
    let ctx = state.caller();
    let deleted = match kind {
        ObjectKindName::Key => DeletedItem::of(kind, core.delete_key(&ctx, &vault, &name).await?.deleted, name),
        ObjectKindName::Secret => DeletedItem::of(kind, core.delete_secret(&ctx, &vault, &name).await?.deleted, name),
        ObjectKindName::Certificate => DeletedItem::of(kind, core.delete_certificate(&ctx, &vault, &name).await?.deleted, name),
    };
    deleted.ok_or_else(|| CommandError::new("InternalError", "the deleted object came back without its deletion date"))
}

/// Lists the soft-deleted objects of one kind with their purge dates.
#[tauri::command]
#[specta::specta]
pub async fn list_deleted(state: State<'_, AppState>, vault: String, kind: ObjectKindName) -> Result<Vec<DeletedItem>, CommandError> {
    let core = state.core()?;
    let ctx = state.caller();
    let items: Vec<Option<DeletedItem>> = match kind {
        ObjectKindName::Key => {
            core.list_deleted_keys(&ctx, &vault).await?.into_iter().map(|k| DeletedItem::of(kind, k.deleted, k.id.name)).collect()
        }
        ObjectKindName::Secret => {
            core.list_deleted_secrets(&ctx, &vault).await?.into_iter().map(|s| DeletedItem::of(kind, s.deleted, s.id.name)).collect()
        }
        ObjectKindName::Certificate => {
            core.list_deleted_certificates(&ctx, &vault).await?.into_iter().map(|c| DeletedItem::of(kind, c.deleted, c.id.name)).collect()
        }
    };
    Ok(items.into_iter().flatten().collect())
}

/// Recovers a soft-deleted object with all its versions.
#[tauri::command]
#[specta::specta]
pub async fn recover_object(state: State<'_, AppState>, vault: String, kind: ObjectKindName, name: String) -> Result<(), CommandError> {
    let core = state.core()?;
    let ctx = state.caller();
    match kind {
        ObjectKindName::Key => drop(core.recover_key(&ctx, &vault, &name).await?),
        ObjectKindName::Secret => drop(core.recover_secret(&ctx, &vault, &name).await?),
        ObjectKindName::Certificate => drop(core.recover_certificate(&ctx, &vault, &name).await?),
    }
    Ok(())
}

/// Purges a soft-deleted object for good (refused while the vault has purge protection).
#[tauri::command]
#[specta::specta]
pub async fn purge_object(state: State<'_, AppState>, vault: String, kind: ObjectKindName, name: String) -> Result<(), CommandError> {
    let core = state.core()?;
    let ctx = state.caller();
    match kind {
        ObjectKindName::Key => core.purge_key(&ctx, &vault, &name).await?,
        ObjectKindName::Secret => core.purge_secret(&ctx, &vault, &name).await?,
        ObjectKindName::Certificate => core.purge_certificate(&ctx, &vault, &name).await?,
    }
    Ok(())
}
