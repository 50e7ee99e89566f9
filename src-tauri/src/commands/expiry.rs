//! What expires soon, across every vault: the overview's reminder list.
//!
//! A thin adapter over [`vaultmort_core::Vaultmort::expiring_soon`], which lists, authorizes and
//! audits per vault and says which vaults the signed-in principal could not read.

use tauri::State;

use crate::dto::ExpiringReportView;
use crate::error::CommandError;
use crate::state::AppState;

/// The keys, secrets and certificates whose newest version expires within `withinDays` of now
/// by the installation's (shiftable) clock, soonest first (already expired and disabled ones
/// too), and the vaults whose objects the signed-in principal may not list.
#[tauri::command]
#[specta::specta]
pub async fn expiring_soon(state: State<'_, AppState>, within_days: u32) -> Result<ExpiringReportView, CommandError> {
    let within = std::time::Duration::from_secs(u64::from(within_days) * 24 * 60 * 60);
    Ok(state.core()?.expiring_soon(&state.caller(), within).await?.into())
}
