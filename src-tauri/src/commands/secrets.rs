//! Secrets. Values leave the core only through `reveal_secret`.

use tauri::State;
use vaultmort_core::secrets::{SetSecret, UpdateSecret};

use crate::clipboard::copy_for_a_while;
use crate::dto::{AttributesInput, SavedFile, SecretDetails, SecretItem, SetSecretInput};
use crate::error::CommandError;
use crate::files::{Sensitivity, save};
use crate::state::AppState;

/// Lists the secrets of `vault` (newest version of each), without their values.
#[tauri::command]
#[specta::specta]
pub async fn list_secrets(state: State<'_, AppState>, vault: String) -> Result<Vec<SecretItem>, CommandError> {
    Ok(state.core()?.list_secrets(&state.caller(), &vault).await?.into_iter().map(SecretItem::from).collect())
}

/// Sets a secret: a new version holding the value. Returns the version without the value.
#[tauri::command]
#[specta::specta]
pub async fn set_secret(state: State<'_, AppState>, vault: String, input: SetSecretInput) -> Result<SecretItem, CommandError> {
    let SetSecretInput { name, value, content_type } = input;
    let request = SetSecret { value, content_type, ..SetSecret::new(name, String::new()) };
    let mut created = state.core()?.set_secret(&state.caller(), &vault, request).await?;
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
    let secret = state.core()?.get_secret(&state.caller(), &vault, &name, version.as_deref()).await?;
    // The core returns the value on get; the String goes to the UI as is (IPC needs a copy anyway).
    Ok(secret.value.map(|value| value.as_str().to_owned()).unwrap_or_default())
}

/// Lists every version of secret `name`, newest first, without values.
#[tauri::command]
#[specta::specta]
pub async fn list_secret_versions(state: State<'_, AppState>, vault: String, name: String) -> Result<Vec<SecretItem>, CommandError> {
    let mut versions = state.core()?.list_secret_versions(&state.caller(), &vault, &name).await?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.attributes.created));
    Ok(versions.into_iter().map(SecretItem::from).collect())
}

/// One version's details, without its value (the newest when `version` is null).
#[tauri::command]
#[specta::specta]
pub async fn get_secret_details(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    version: Option<String>,
) -> Result<SecretDetails, CommandError> {
    let mut secret = state.core()?.get_secret(&state.caller(), &vault, &name, version.as_deref()).await?;
    secret.value = None; // Details never carry the value; it is wiped here.
    Ok(secret.into())
}

/// Sets a secret version's enabled flag, activation date, expiry and content type.
#[tauri::command]
#[specta::specta]
pub async fn update_secret(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    version: String,
    attributes: AttributesInput,
    content_type: Option<String>,
) -> Result<SecretDetails, CommandError> {
    let update = UpdateSecret { attributes: attributes.changes()?, content_type };
    Ok(state.core()?.update_secret(&state.caller(), &vault, &name, Some(&version), update).await?.into())
}

/// Writes a secret version's value (the newest when `version` is null) to `path`, readable by
/// its owner only, as `az keyvault secret download` does.
#[tauri::command]
#[specta::specta]
pub async fn save_secret_value(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    version: Option<String>,
    path: String,
) -> Result<SavedFile, CommandError> {
    let secret = state.core()?.get_secret(&state.caller(), &vault, &name, version.as_deref()).await?;
    let value = secret.value.unwrap_or_default();
    save(&path, value.as_bytes(), Sensitivity::Private)
}

/// Copies a secret version's value (the newest when `version` is null) to the clipboard, and
/// clears it again after the configured time (30 s) unless something else was copied since.
/// Returns the seconds until clearing, rounded up (a delay under a second is "1 s", never "0 s").
#[tauri::command]
#[specta::specta]
pub async fn copy_secret(state: State<'_, AppState>, vault: String, name: String, version: Option<String>) -> Result<u32, CommandError> {
    let secret = state.core()?.get_secret(&state.caller(), &vault, &name, version.as_deref()).await?;
    let value = secret.value.unwrap_or_default();
    let clear_after = state.clipboard_clear_after();
    copy_for_a_while(state.clipboard()?, &value, clear_after)?;
    Ok(u32::try_from(clear_after.as_millis().div_ceil(1000)).unwrap_or(u32::MAX))
}
