//! Certificates and their wizards: generate (Self, an issuer such as the practice CA, or Unknown
//! for a CSR), merge a signed certificate, import with a preview, download, versions, the policy
//! editor, issuers, contacts and the contacts' outbox.

use tauri::State;
use vaultmort_certs::policy::CertificatePolicy;
use vaultmort_core::certificates::{DownloadFormat, ImportCertificate};
use vaultmort_core::issuers::IssuerChanges;
use vaultmort_core::model::Tags;
use zeroize::Zeroizing;

use crate::dto::{
    CertificateDetails, ContactView, DownloadFormatName, EventView, ImportInput, ImportPreviewView, IssuerView, LifetimeActionForm,
    PendingView, PolicyForm,
};
use crate::dto::{CertificateItem, SavedFile};
use crate::error::CommandError;
use crate::files::{Sensitivity, received_file, save};
use crate::state::AppState;
use vaultmort_home::files::FileKind;

/// Lists the certificates of `vault` (newest version of each).
#[tauri::command]
#[specta::specta]
pub async fn list_certificates(state: State<'_, AppState>, vault: String) -> Result<Vec<CertificateItem>, CommandError> {
    Ok(state.core()?.list_certificates(&state.caller(), &vault).await?.into_iter().map(CertificateItem::from).collect())
}

/// The form for a new certificate: Key Vault's default policy (exportable RSA 2048, PFX, 12
/// months) with the portal's default lifetime action (renew at 80% of the lifetime).
#[tauri::command]
#[specta::specta]
pub async fn default_certificate_policy() -> Result<PolicyForm, CommandError> {
    let mut form = PolicyForm::of(&CertificatePolicy::azure_default())?;
    form.issuer_name = "Self".into();
    form.subject.clear();
    form.lifetime_actions =
        vec![LifetimeActionForm { action: "AutoRenew".into(), lifetime_percentage: Some(80), days_before_expiry: None }];
    Ok(form)
}

/// Creates a certificate from the policy form. With issuer Self or a CA the certificate exists
/// when this returns (status `completed`); with Unknown the operation stays `inProgress` and
/// carries the CSR to have signed and merged.
#[tauri::command]
#[specta::specta]
pub async fn create_certificate(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    policy: PolicyForm,
) -> Result<PendingView, CommandError> {
    let policy = policy.into_policy(CertificatePolicy::azure_default());
    Ok(state.core()?.create_certificate(&state.caller(), &vault, &name, Some(policy), true, Tags::new()).await?.into())
}

/// The certificate's operation (with its CSR while it is pending).
#[tauri::command]
#[specta::specta]
pub async fn get_certificate_operation(state: State<'_, AppState>, vault: String, name: String) -> Result<PendingView, CommandError> {
    Ok(state.core()?.get_certificate_operation(&state.caller(), &vault, &name).await?.into())
}

/// Cancels and deletes a pending operation (the "Delete request" button).
#[tauri::command]
#[specta::specta]
pub async fn delete_certificate_operation(state: State<'_, AppState>, vault: String, name: String) -> Result<PendingView, CommandError> {
    Ok(state.core()?.delete_certificate_operation(&state.caller(), &vault, &name).await?.into())
}

/// Writes the pending operation's CSR to `path` as PEM.
#[tauri::command]
#[specta::specta]
pub async fn save_csr(state: State<'_, AppState>, vault: String, name: String, path: String) -> Result<SavedFile, CommandError> {
    let op: PendingView = state.core()?.get_certificate_operation(&state.caller(), &vault, &name).await?.into();
    if op.csr_pem.is_empty() {
        return Err(CommandError::bad_parameter(format!("certificate '{name}' has no signing request to download")));
    }
    save(&path, op.csr_pem.as_bytes(), Sensitivity::Public)
}

/// Merges the signed certificate (PEM, DER or PKCS#7, base64 of the file's bytes) into the
/// pending operation. A certificate for another key is refused with `KeyMismatch` and the
/// operation stays pending.
#[tauri::command]
#[specta::specta]
pub async fn merge_certificate(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    data: String,
) -> Result<CertificateItem, CommandError> {
    let bytes = received_file(&data, FileKind::Certificate)?;
    Ok(state.core()?.merge_certificate(&state.caller(), &vault, &name, &bytes, true, Tags::new()).await?.into())
}

/// The largest certificate file (in bytes) that importing, previewing and merging accept: the UI
/// refuses a larger file before reading it, and the commands refuse larger bytes.
#[tauri::command]
#[specta::specta]
pub fn certificate_file_limit() -> Result<u32, CommandError> {
    // The limit is a few MiB at most, far below u32::MAX; saturate rather than fail if it grows.
    Ok(u32::try_from(FileKind::Certificate.limit()).unwrap_or(u32::MAX))
}

/// Reads a certificate file (base64 of its bytes) without storing anything: its format, whether
/// it needs a password, and its certificates and key. A wrong password fails with `WrongPassword`.
#[tauri::command]
#[specta::specta]
pub async fn preview_certificate_file(data: String, password: Option<String>) -> Result<ImportPreviewView, CommandError> {
    let bytes = received_file(&data, FileKind::Certificate)?;
    let password = password.map(Zeroizing::new);
    let preview = vaultmort_certs::import::preview(&bytes, password.as_deref().map(String::as_str)).map_err(vaultmort_core::Error::from)?;
    Ok(preview.into())
}

/// Imports a certificate with its private key from a PFX or PEM file.
#[tauri::command]
#[specta::specta]
pub async fn import_certificate(state: State<'_, AppState>, vault: String, input: ImportInput) -> Result<CertificateItem, CommandError> {
    let data = Zeroizing::new(received_file(&input.data, FileKind::Certificate)?);
    let request = ImportCertificate {
        name: input.name,
        data,
        password: input.password.map(Zeroizing::new),
        policy: None,
        enabled: true,
        tags: Tags::new(),
    };
    Ok(state.core()?.import_certificate(&state.caller(), &vault, request).await?.into())
}

/// Writes a certificate version (the newest when `version` is null) to `path`: CER (DER), PEM,
/// PEM with the chain, or PFX with the private key under `password` (none when null).
#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)] // One IPC call per download; each argument is one form field.
pub async fn save_certificate(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    version: Option<String>,
    format: DownloadFormatName,
    password: Option<String>,
    path: String,
) -> Result<SavedFile, CommandError> {
    let (format, sensitivity) = match format {
        DownloadFormatName::Cer => (DownloadFormat::Der, Sensitivity::Public),
        DownloadFormatName::Pem => (DownloadFormat::Pem, Sensitivity::Public),
        DownloadFormatName::Chain => (DownloadFormat::PemChain, Sensitivity::Public),
        DownloadFormatName::Pfx => (DownloadFormat::Pfx, Sensitivity::Private),
    };
    let password = password.map(Zeroizing::new);
    let bytes = state
        .core()?
        .download_certificate(&state.caller(), &vault, &name, version.as_deref(), format, password.as_deref().map(String::as_str))
        .await?;
    save(&path, &bytes, sensitivity)
}

/// Every version of certificate `name`, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_certificate_versions(
    state: State<'_, AppState>,
    vault: String,
    name: String,
) -> Result<Vec<CertificateDetails>, CommandError> {
    let mut versions = state.core()?.list_certificate_versions(&state.caller(), &vault, &name).await?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.attributes.created));
    Ok(versions.into_iter().map(CertificateDetails::from).collect())
}

/// The certificate's policy, as the editor shows it.
#[tauri::command]
#[specta::specta]
pub async fn get_certificate_policy(state: State<'_, AppState>, vault: String, name: String) -> Result<PolicyForm, CommandError> {
    PolicyForm::of(&state.core()?.get_certificate_policy(&state.caller(), &vault, &name).await?)
}

/// Replaces the certificate's policy with the editor's (it applies from the next version);
/// what the editor does not show is kept.
#[tauri::command]
#[specta::specta]
pub async fn update_certificate_policy(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    policy: PolicyForm,
) -> Result<PolicyForm, CommandError> {
    let core = state.core()?;
    let current = core.get_certificate_policy(&state.caller(), &vault, &name).await?;
    PolicyForm::of(&core.update_certificate_policy(&state.caller(), &vault, &name, policy.into_policy(current)).await?)
}

/// The vault's certificate issuers.
#[tauri::command]
#[specta::specta]
pub async fn list_issuers(state: State<'_, AppState>, vault: String) -> Result<Vec<IssuerView>, CommandError> {
    Ok(state.core()?.list_certificate_issuers(&state.caller(), &vault).await?.into_iter().map(IssuerView::from).collect())
}

/// Adds or replaces an issuer: a name for policies, and its provider (`VaultmortPractice` for
/// the practice CA, which can issue here; `DigiCert` or `GlobalSign`, which cannot offline).
#[tauri::command]
#[specta::specta]
pub async fn set_issuer(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    provider: String,
    account_id: Option<String>,
) -> Result<IssuerView, CommandError> {
    let changes = IssuerChanges { provider: Some(provider), account_id, enabled: Some(true), ..IssuerChanges::default() };
    Ok(state.core()?.set_certificate_issuer(&state.caller(), &vault, &name, changes).await?.into())
}

/// Removes an issuer.
#[tauri::command]
#[specta::specta]
pub async fn delete_issuer(state: State<'_, AppState>, vault: String, name: String) -> Result<IssuerView, CommandError> {
    Ok(state.core()?.delete_certificate_issuer(&state.caller(), &vault, &name).await?.into())
}

/// The vault's certificate contacts (none when unset).
#[tauri::command]
#[specta::specta]
pub async fn get_contacts(state: State<'_, AppState>, vault: String) -> Result<Vec<ContactView>, CommandError> {
    Ok(state.core()?.get_certificate_contacts(&state.caller(), &vault).await?.into_iter().map(ContactView::from).collect())
}

/// Replaces the vault's certificate contacts; an empty list removes them.
#[tauri::command]
#[specta::specta]
pub async fn set_contacts(state: State<'_, AppState>, vault: String, contacts: Vec<ContactView>) -> Result<Vec<ContactView>, CommandError> {
    let core = state.core()?;
    if contacts.is_empty() {
        core.delete_certificate_contacts(&state.caller(), &vault).await?;
        return Ok(Vec::new());
    }
    let contacts = contacts.into_iter().map(Into::into).collect();
    Ok(core.set_certificate_contacts(&state.caller(), &vault, contacts).await?.into_iter().map(ContactView::from).collect())
}

/// The contacts' outbox: notifications the EmailContacts lifetime action wrote (no mail leaves
/// the machine), newest first; of one vault, or of all when `vault` is null.
#[tauri::command]
#[specta::specta]
pub async fn list_outbox(state: State<'_, AppState>, vault: Option<String>) -> Result<Vec<EventView>, CommandError> {
    let core = state.core()?;
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = core.list_events(&state.caller(), vault.as_deref(), after, 500).await?;
        let full = page.len() == 500;
        after = page.last().map_or(after, |e| e.sequence);
        out.extend(page.into_iter().filter(|e| e.event_type == "CertificateContactsNotified").map(EventView::from));
        if !full {
            break;
        }
    }
    out.reverse();
    Ok(out)
}
