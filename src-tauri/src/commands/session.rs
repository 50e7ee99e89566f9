//! Opening the store: the first thing the UI asks, and the passphrase screen's answer.

use tauri::State;
use zeroize::Zeroizing;

use crate::dto::SessionStatus;
use crate::error::CommandError;
use crate::state::AppState;

/// Reports whether the store is open. If it is not open yet and needs no passphrase (its master
/// key is in the OS keyring, or a new store can keep its key there), opens it now. Otherwise
/// reports `needsPassphrase`, with `firstRun` when there is no store yet.
#[tauri::command]
#[specta::specta]
pub async fn session_status(state: State<'_, AppState>) -> Result<SessionStatus, CommandError> {
    state.open(None).await
}

/// Opens the store with `passphrase`; on first run, creates the store under it (at least 8
/// characters, else `BadParameter`). A wrong passphrase fails with `WrongPassphrase` and changes
/// nothing. Already open: reports so.
#[tauri::command]
#[specta::specta]
pub async fn unlock(state: State<'_, AppState>, passphrase: String) -> Result<SessionStatus, CommandError> {
    state.open(Some(Zeroizing::new(passphrase))).await
}

/// The UI calls this once its first interactive view is on screen; the app logs the time from
/// its start to then (the start-up benchmark reads that line). Returns the milliseconds.
#[tauri::command]
#[specta::specta]
pub async fn ui_ready(state: State<'_, AppState>, view: String) -> Result<u32, CommandError> {
    let first = state.first_view_shown();
    let ms = u32::try_from(first.as_millis()).unwrap_or(u32::MAX);
    log::info!("first interactive view '{view}' after {ms} ms");
    Ok(ms)
}
