//! Secrets. Values leave the core only through `reveal_secret`.

use tauri::State;
use vaultmort_core::secrets::SetSecret;

use super::owner;
use crate::dto::{DeletedItem, SecretItem, SetSecretInput};
use crate::error::CommandError;
use crate::state::AppState;

/// Lists the secrets of `vault` (newest version of each), without their values.
#[tauri::command]
#[specta::specta]
pub async fn list_secrets(state: State<'_, AppState>, vault: String) -> Result<Vec<SecretItem>, CommandError> {
    Ok(state.core()?.list_secrets(&owner(), &vault).await?.into_iter().map(SecretItem::from).collect())
}

/// Sets a secret: a new version holding the value. Returns the version without the value.
#[tauri::command]
#[specta::specta]
pub async fn set_secret(state: State<'_, AppState>, vault: String, input: SetSecretInput) -> Result<SecretItem, CommandError> {
    let SetSecretInput { name, value, content_type } = input;
    let request = SetSecret { value, content_type, ..SetSecret::new(name, String::new()) };
    let mut created = state.core()?.set_secret(&owner(), &vault, request).await?;
    created.value = None; // The view has no value field; drop (and wipe) it here already.
    Ok(created.into())
}

/// Returns the value of a secret: the newest version, or `version`.
#[tauri::command]
#[specta::specta]
pub async fn reveal_secret(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    version: Option<String>,
) -> Result<String, CommandError> {
    let secret = state.core()?.get_secret(&owner(), &vault, &name, version.as_deref()).await?;
    // The core returns the value on get; the String goes to the UI as is (IPC needs a copy anyway).
    Ok(secret.value.map(|value| value.as_str().to_owned()).unwrap_or_default())
}

/// Soft-deletes a secret; it stays recoverable for the vault's retention period.
#[tauri::command]
#[specta::specta]
pub async fn delete_secret(state: State<'_, AppState>, vault: String, name: String) -> Result<SecretItem, CommandError> {
    Ok(state.core()?.delete_secret(&owner(), &vault, &name).await?.into())
}

/// Lists the soft-deleted secrets of `vault` with their purge dates.
#[tauri::command]
#[specta::specta]
pub async fn list_deleted_secrets(state: State<'_, AppState>, vault: String) -> Result<Vec<DeletedItem>, CommandError> {
    Ok(state.core()?.list_deleted_secrets(&owner(), &vault).await?.into_iter().filter_map(DeletedItem::of_secret).collect())
}

/// Recovers a soft-deleted secret with all its versions.
#[tauri::command]
#[specta::specta]
pub async fn recover_secret(state: State<'_, AppState>, vault: String, name: String) -> Result<SecretItem, CommandError> {
    Ok(state.core()?.recover_secret(&owner(), &vault, &name).await?.into())
}
