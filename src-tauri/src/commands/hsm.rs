//! The HSM page: the home's PKCS#11 token (module, identity, PIN state, mechanisms, key objects),
//! and switching to another PKCS#11 module. The core opens, checks and keeps the configuration;
//! this only reads the form.

use std::path::PathBuf;

use tauri::State;
use vaultmort_core::hsm::HsmModule;
use vaultmort_pkcs11::TokenSelector;
use zeroize::Zeroizing;

use crate::dto::{HsmModuleInput, HsmStatusView};
use crate::error::CommandError;
use crate::state::AppState;

/// The HSM's state: `not set up` until the first HSM key makes the practice token.
#[tauri::command]
#[specta::specta]
pub async fn hsm_status(state: State<'_, AppState>) -> Result<HsmStatusView, CommandError> {
    Ok(state.core()?.hsm_show(&state.caller()).await?.into())
}

/// Uses the PKCS#11 module of the form from now on. The core logs into the token first, so a
/// wrong path, token or PIN changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn configure_hsm(state: State<'_, AppState>, input: HsmModuleInput) -> Result<HsmStatusView, CommandError> {
    let module = module_of(input)?;
    Ok(state.core()?.hsm_configure(&state.caller(), module).await?.into())
}

/// The core's request from the form: a path, exactly one of label and slot, and a PIN.
fn module_of(input: HsmModuleInput) -> Result<HsmModule, CommandError> {
    let pin = Zeroizing::new(input.pin);
    let path = input.path.trim();
    if path.is_empty() {
        return Err(CommandError::bad_parameter("enter the path of the PKCS#11 module (a .so file)"));
    }
    let label = input.token_label.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let slot = input.slot.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let token = match (label, slot) {
        (Some(label), None) => TokenSelector::Label(label.to_string()),
        (None, Some(slot)) => TokenSelector::Slot(
            slot.parse().map_err(|_| CommandError::bad_parameter(format!("the slot '{slot}' is not a slot id (a whole number)")))?,
        ),
        (Some(_), Some(_)) => return Err(CommandError::bad_parameter("give the token's label or its slot, not both")),
        (None, None) => return Err(CommandError::bad_parameter("give the token's label or its slot")),
    };
    if pin.is_empty() {
        return Err(CommandError::bad_parameter("enter the token's user PIN"));
    }
    Ok(HsmModule { path: PathBuf::from(path), token, pin })
}
