//! Certificates.

use tauri::State;
use vaultmort_certs::policy::{ActionProperties, CertificatePolicy, LifetimeAction, TriggerProperties};
use vaultmort_core::model::Tags;

use super::owner;
use crate::dto::{CertificateItem, SelfSignedInput};
use crate::error::CommandError;
use crate::state::AppState;

/// Lists the certificates of `vault` (newest version of each).
#[tauri::command]
#[specta::specta]
pub async fn list_certificates(state: State<'_, AppState>, vault: String) -> Result<Vec<CertificateItem>, CommandError> {
    Ok(state.core()?.list_certificates(&owner(), &vault).await?.into_iter().map(CertificateItem::from).collect())
}

/// Creates a self-signed certificate for `subject`, valid for `validityMonths`, and returns it.
/// The policy is Key Vault's default (exportable RSA 2048, PFX secret) with the Azure portal's
/// default lifetime action: renew automatically at 80% of the lifetime.
#[tauri::command]
#[specta::specta]
pub async fn create_self_signed_certificate(
    state: State<'_, AppState>,
    vault: String,
    input: SelfSignedInput,
) -> Result<CertificateItem, CommandError> {
    let mut policy = CertificatePolicy::self_signed(&input.subject);
    if let Some(x509) = policy.x509_props.as_mut() {
        x509.validity_months = Some(i64::from(input.validity_months));
    }
    policy.lifetime_actions = Some(vec![LifetimeAction {
        trigger: Some(TriggerProperties { lifetime_percentage: Some(80), days_before_expiry: None }),
        action: Some(ActionProperties { action_type: Some("AutoRenew".into()) }),
    }]);
    let core = state.core()?;
    core.create_certificate(&owner(), &vault, &input.name, Some(policy), true, Tags::new()).await?;
    Ok(core.get_certificate(&owner(), &vault, &input.name, None).await?.into())
}
