//! Resource groups.

use tauri::State;
use vaultmort_core::groups::CreateGroup;

use crate::dto::GroupView;
use crate::error::CommandError;
use crate::state::AppState;

/// Lists the resource groups.
#[tauri::command]
#[specta::specta]
pub async fn list_groups(state: State<'_, AppState>) -> Result<Vec<GroupView>, CommandError> {
    Ok(state.core()?.list_groups(&state.caller()).await?.into_iter().map(GroupView::from).collect())
}

/// Creates a resource group in `location` (an existing group in the same location is kept).
#[tauri::command]
#[specta::specta]
pub async fn create_group(state: State<'_, AppState>, name: String, location: String) -> Result<GroupView, CommandError> {
    let request = CreateGroup { name, location, ..CreateGroup::default() };
    Ok(state.core()?.create_group(&state.caller(), request).await?.into())
}
