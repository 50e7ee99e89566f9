//! `vaultmort hsm show|configure`: the PKCS#11 token behind this home's HSM-protected keys.
//!
//! Both are thin: the core opens, checks and reports the token (`Vaultmort::hsm_show`,
//! `Vaultmort::hsm_configure`); this module turns flags into a module choice and the report into
//! one flat object, so `-o table` shows the token at a glance and `--query objects -o table`
//! lists its key objects.

use serde_json::{Value, json};
use vaultmort_core::hsm::{HsmModule, HsmStatus};
use vaultmort_core::{Error, RequestContext, Vaultmort};
use vaultmort_pkcs11::TokenSelector;
use zeroize::Zeroizing;

use crate::CliError;
use crate::args::HsmCommand;

/// The report as `hsm show` prints it: the mode, then the token's fields (null before the
/// first HSM key made the practice token).
fn status(status: HsmStatus) -> Value {
    let token = status.token;
    json!({
        "mode": status.mode,
        "module": token.as_ref().map(|t| t.module.clone()),
        "library": token.as_ref().map(|t| t.library.clone()),
        "label": token.as_ref().map(|t| t.label.clone()),
        "serial": token.as_ref().map(|t| t.serial.clone()),
        "model": token.as_ref().map(|t| t.model.clone()),
        "slot": token.as_ref().map(|t| t.slot),
        "pinState": token.as_ref().map(|t| t.pin_state.clone()),
        "mechanisms": token.as_ref().map(|t| t.mechanisms.clone()).unwrap_or_default(),
        "objects": token.as_ref().map(|t| t.objects.clone()).unwrap_or_default(),
    })
}

/// Runs an `hsm` command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: HsmCommand) -> Result<Value, CliError> {
    Ok(match command {
        HsmCommand::Show => status(core.hsm_show(ctx).await?),
        HsmCommand::Configure { module, token_label, slot, pin } => {
            let token = match (token_label, slot) {
                (Some(label), None) => TokenSelector::Label(label),
                (None, Some(slot)) => TokenSelector::Slot(slot),
                _ => return Err(Error::bad("give one of --token-label and --slot").into()),
            };
            status(core.hsm_configure(ctx, HsmModule { path: module, token, pin: Zeroizing::new(pin) }).await?)
        }
    })
}
