//! Deleting objects and the vault's "deleted objects" list: recover or purge, for keys, secrets
//! and certificates alike, through the core's kind-generic life cycle. A certificate takes its
//! key and secret with it, as in Key Vault.

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
    let deleted = core.delete_object(&state.caller(), &vault, kind.into(), &name).await?;
    DeletedItem::of(&deleted).ok_or_else(|| CommandError::new("InternalError", "the deleted object came back without its deletion date"))
}

/// Lists the soft-deleted objects of one kind with their purge dates.
#[tauri::command]
#[specta::specta]
pub async fn list_deleted(state: State<'_, AppState>, vault: String, kind: ObjectKindName) -> Result<Vec<DeletedItem>, CommandError> {
    let core = state.core()?;
    let deleted = core.list_deleted_objects(&state.caller(), &vault, kind.into()).await?;
    Ok(deleted.iter().filter_map(DeletedItem::of).collect())
}

/// Recovers a soft-deleted object with all its versions.
#[tauri::command]
#[specta::specta]
pub async fn recover_object(state: State<'_, AppState>, vault: String, kind: ObjectKindName, name: String) -> Result<(), CommandError> {
    let core = state.core()?;
    core.recover_object(&state.caller(), &vault, kind.into(), &name).await?;
    Ok(())
}

/// Purges a soft-deleted object for good (refused while the vault has purge protection).
#[tauri::command]
#[specta::specta]
pub async fn purge_object(state: State<'_, AppState>, vault: String, kind: ObjectKindName, name: String) -> Result<(), CommandError> {
    let core = state.core()?;
    core.purge_object(&state.caller(), &vault, kind.into(), &name).await?;
    Ok(())
}
