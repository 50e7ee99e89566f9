//! Vaults.

use tauri::State;
use vaultmort_core::vaults::CreateVault;

use crate::dto::{CreateVaultInput, VaultView};
use crate::error::CommandError;
use crate::state::AppState;

/// Checks a vault name without asking the store: `null` when it is valid, else the rule it
/// breaks. Works while locked, for as-you-type feedback.
#[tauri::command]
#[specta::specta]
pub async fn check_vault_name(name: String) -> Result<Option<String>, CommandError> {
    Ok(vaultmort_core::names::check_vault_name(&name).err().map(|error| error.to_string()))
}

/// Lists the vaults that are not deleted.
#[tauri::command]
#[specta::specta]
pub async fn list_vaults(state: State<'_, AppState>) -> Result<Vec<VaultView>, CommandError> {
    Ok(state.core()?.list_vaults(&state.caller(), None).await?.into_iter().map(VaultView::from).collect())
}

/// Creates a vault in an existing resource group (access policies, no tags).
#[tauri::command]
#[specta::specta]
pub async fn create_vault(state: State<'_, AppState>, input: CreateVaultInput) -> Result<VaultView, CommandError> {
    let request = CreateVault {
        location: input.location,
        sku: input.sku.into(),
        retention_days: input.retention_days,
        purge_protection: input.purge_protection,
        ..CreateVault::new(input.name, input.resource_group)
    };
    Ok(state.core()?.create_vault(&state.caller(), request).await?.into())
}
