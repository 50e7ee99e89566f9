//! The App Services blade: App Service plans (with their SKU), web apps and their site settings
//! (HTTPS Only, minimum TLS), custom domains with App Service's domain check, the practice DNS
//! zones that check reads, App Service certificates (an uploaded PFX or an imported Key Vault
//! certificate, with its sync status and "Sync now"), SNI SSL bindings, and the local HTTPS
//! front end (`vaultmort_appservice`) that serves the sites, started and stopped here like the
//! REST API.
//!
//! Each command is one core call made as the signed-in principal in the default subscription;
//! the tier rules, the domain check and the import rules are the core's. The front end listens
//! on loopback only and is asked, not told, what it presents for each host name. Left out:
//! opening a browser (the app has no opener; the blade copies a site's URL instead) and
//! subscriptions other than the default one.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use tauri::State;
use vaultmort_appservice::{FrontEnd, FrontEndError};
use vaultmort_core::Vaultmort;
use vaultmort_core::appservice::certificates::{ImportKeyVaultCertificate, SyncRequest, UploadCertificate};
use vaultmort_core::appservice::dns::ResourceRef;
use vaultmort_core::appservice::webapps::{CreatePlan, CreateWebApp, WebAppUpdate};
use vaultmort_home::files::FileKind;
use vaultmort_rest::launch;
use zeroize::Zeroizing;

use crate::dto::{
    AppServicePlanView, DnsZoneView, FrontEndStatus, HostNameCheckView, RecordChangeInput, RecordSetView, ServedSiteView,
    WebAppSettingsInput, WebAppView, WebCertificateUploadInput, WebCertificateView, iso,
};
use crate::error::CommandError;
use crate::files::received_file;
use crate::state::AppState;

/// The front end listens here only: other machines never reach the practice sites.
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// The only SSL type practice bindings have.
const SNI: &str = "SNI";

/// A resource of `resource_group` in the default subscription.
fn named(resource_group: String, name: String) -> ResourceRef {
    ResourceRef { subscription: None, resource_group, name }
}

/// Lists App Service plans of a resource group, or of the subscription when it is null.
#[tauri::command]
#[specta::specta]
pub async fn list_app_service_plans(
    state: State<'_, AppState>,
    resource_group: Option<String>,
) -> Result<Vec<AppServicePlanView>, CommandError> {
    let plans = state.core()?.list_plans(&state.caller(), None, resource_group.as_deref()).await?;
    Ok(plans.into_iter().map(AppServicePlanView::from).collect())
}

/// Creates an App Service plan with a SKU (`F1`, `D1`, `B1`-`B3`, `S1`-`S3`, `P1V2`...).
#[tauri::command]
#[specta::specta]
pub async fn create_app_service_plan(
    state: State<'_, AppState>,
    resource_group: String,
    name: String,
    sku: String,
) -> Result<AppServicePlanView, CommandError> {
    let request = CreatePlan { plan: named(resource_group, name), sku };
    Ok(state.core()?.create_plan(&state.caller(), &request).await?.into())
}

/// Changes the SKU of an existing plan (`appservice plan update --sku`); the core refuses a
/// tier that does not allow what the plan's apps use. A plan that is not there is
/// `AppServicePlanNotFound` rather than made.
#[tauri::command]
#[specta::specta]
pub async fn change_app_service_plan_sku(
    state: State<'_, AppState>,
    resource_group: String,
    name: String,
    sku: String,
) -> Result<AppServicePlanView, CommandError> {
    let request = CreatePlan { plan: named(resource_group, name), sku };
    Ok(state.core()?.update_plan(&state.caller(), &request).await?.into())
}

/// Deletes a plan no web app runs on.
#[tauri::command]
#[specta::specta]
pub async fn delete_app_service_plan(state: State<'_, AppState>, resource_group: String, name: String) -> Result<(), CommandError> {
    Ok(state.core()?.delete_plan(&state.caller(), &named(resource_group, name)).await?)
}

/// Lists web apps of a resource group, or of the subscription when it is null.
#[tauri::command]
#[specta::specta]
pub async fn list_web_apps(state: State<'_, AppState>, resource_group: Option<String>) -> Result<Vec<WebAppView>, CommandError> {
    let apps = state.core()?.list_web_apps(&state.caller(), None, resource_group.as_deref()).await?;
    Ok(apps.into_iter().map(WebAppView::from).collect())
}

/// Creates a web app on a plan of the same resource group.
#[tauri::command]
#[specta::specta]
pub async fn create_web_app(
    state: State<'_, AppState>,
    resource_group: String,
    name: String,
    plan: String,
) -> Result<WebAppView, CommandError> {
    let request = CreateWebApp { app: named(resource_group, name), plan };
    Ok(state.core()?.create_web_app(&state.caller(), &request).await?.into())
}

/// Shows a web app with its custom domains and bindings.
#[tauri::command]
#[specta::specta]
pub async fn get_web_app(state: State<'_, AppState>, resource_group: String, name: String) -> Result<WebAppView, CommandError> {
    Ok(state.core()?.show_web_app(&state.caller(), &named(resource_group, name)).await?.into())
}

/// Deletes a web app; the front end stops serving its host names.
#[tauri::command]
#[specta::specta]
pub async fn delete_web_app(state: State<'_, AppState>, resource_group: String, name: String) -> Result<(), CommandError> {
    Ok(state.core()?.delete_web_app(&state.caller(), &named(resource_group, name)).await?)
}

/// Changes HTTPS Only and the minimum TLS version (a null setting stays as it is).
#[tauri::command]
#[specta::specta]
pub async fn update_web_app_settings(
    state: State<'_, AppState>,
    resource_group: String,
    name: String,
    settings: WebAppSettingsInput,
) -> Result<WebAppView, CommandError> {
    let update = WebAppUpdate { https_only: settings.https_only, min_tls_version: settings.min_tls_version.map(Into::into) };
    Ok(state.core()?.update_web_app(&state.caller(), &named(resource_group, name), &update).await?.into())
}

/// App Service's domain check of `host` for a web app, without adding it: the `asuid.<host>`
/// TXT record and the CNAME / A alternatives, each present or missing.
#[tauri::command]
#[specta::specta]
pub async fn check_custom_domain(
    state: State<'_, AppState>,
    resource_group: String,
    app: String,
    host: String,
) -> Result<HostNameCheckView, CommandError> {
    Ok(state.core()?.check_host_name(&state.caller(), &named(resource_group, app), &host).await?.into())
}

/// Adds a custom domain once the check passes (`HostNameNotVerified` names what is missing).
#[tauri::command]
#[specta::specta]
pub async fn add_custom_domain(
    state: State<'_, AppState>,
    resource_group: String,
    app: String,
    host: String,
) -> Result<WebAppView, CommandError> {
    Ok(state.core()?.add_host_name(&state.caller(), &named(resource_group, app), &host).await?.into())
}

/// Removes a custom domain and its binding.
#[tauri::command]
#[specta::specta]
pub async fn remove_custom_domain(
    state: State<'_, AppState>,
    resource_group: String,
    app: String,
    host: String,
) -> Result<WebAppView, CommandError> {
    Ok(state.core()?.delete_host_name(&state.caller(), &named(resource_group, app), &host).await?.into())
}

/// Lists practice DNS zones of a resource group, or of the subscription when it is null.
#[tauri::command]
#[specta::specta]
pub async fn list_dns_zones(state: State<'_, AppState>, resource_group: Option<String>) -> Result<Vec<DnsZoneView>, CommandError> {
    let zones = state.core()?.list_dns_zones(&state.caller(), None, resource_group.as_deref()).await?;
    Ok(zones.into_iter().map(DnsZoneView::from).collect())
}

/// Creates a practice DNS zone (`petdash.com`).
#[tauri::command]
#[specta::specta]
pub async fn create_dns_zone(state: State<'_, AppState>, resource_group: String, name: String) -> Result<DnsZoneView, CommandError> {
    Ok(state.core()?.create_dns_zone(&state.caller(), &named(resource_group, name)).await?.into())
}

/// Shows a zone with its record sets.
#[tauri::command]
#[specta::specta]
pub async fn get_dns_zone(state: State<'_, AppState>, resource_group: String, name: String) -> Result<DnsZoneView, CommandError> {
    Ok(state.core()?.show_dns_zone(&state.caller(), &named(resource_group, name)).await?.into())
}

/// Deletes a zone and its records.
#[tauri::command]
#[specta::specta]
pub async fn delete_dns_zone(state: State<'_, AppState>, resource_group: String, name: String) -> Result<(), CommandError> {
    Ok(state.core()?.delete_dns_zone(&state.caller(), &named(resource_group, name)).await?)
}

/// Adds, sets or removes a record of a zone (a TXT, a CNAME, an A record); returns the record
/// set as it is now.
#[tauri::command]
#[specta::specta]
pub async fn change_dns_record(
    state: State<'_, AppState>,
    resource_group: String,
    zone: String,
    change: RecordChangeInput,
) -> Result<RecordSetView, CommandError> {
    let change = change.into();
    Ok(state.core()?.change_dns_record(&state.caller(), &named(resource_group, zone), &change).await?.into())
}

/// Lists App Service certificates of a resource group (or the subscription), each Key Vault one
/// with its sync status.
#[tauri::command]
#[specta::specta]
pub async fn list_web_certificates(
    state: State<'_, AppState>,
    resource_group: Option<String>,
) -> Result<Vec<WebCertificateView>, CommandError> {
    let certificates = state.core()?.list_web_certificates(&state.caller(), None, resource_group.as_deref()).await?;
    Ok(certificates.into_iter().map(WebCertificateView::from).collect())
}

/// Uploads a PFX (base64 of the file the person chose, bounded as every imported certificate
/// file is) with its password.
#[tauri::command]
#[specta::specta]
pub async fn upload_web_certificate(
    state: State<'_, AppState>,
    resource_group: String,
    input: WebCertificateUploadInput,
) -> Result<WebCertificateView, CommandError> {
    let pfx = received_file(&input.data, FileKind::Certificate)?;
    let upload = UploadCertificate {
        subscription: None,
        resource_group,
        name: input.name.filter(|n| !n.trim().is_empty()),
        pfx,
        password: input.password.map(Zeroizing::new),
    };
    Ok(state.core()?.upload_web_certificate(&state.caller(), &upload).await?.into())
}

/// "Import Key Vault certificate": reads the vault's certificate as the App Service resource
/// provider (which needs secret Get there) and keeps it in sync.
#[tauri::command]
#[specta::specta]
pub async fn import_key_vault_certificate(
    state: State<'_, AppState>,
    resource_group: String,
    vault: String,
    certificate_name: String,
    name: Option<String>,
) -> Result<WebCertificateView, CommandError> {
    let import = ImportKeyVaultCertificate {
        subscription: None,
        resource_group,
        vault,
        certificate_name,
        name: name.filter(|n| !n.trim().is_empty()),
    };
    Ok(state.core()?.import_key_vault_certificate(&state.caller(), &import).await?.into())
}

/// Deletes a certificate no binding uses.
#[tauri::command]
#[specta::specta]
pub async fn delete_web_certificate(state: State<'_, AppState>, resource_group: String, thumbprint: String) -> Result<(), CommandError> {
    Ok(state.core()?.delete_web_certificate(&state.caller(), None, &resource_group, &thumbprint).await?)
}

/// "Sync now": looks at the vault for one Key Vault certificate (by thumbprint) or all of the
/// group's; each one's outcome is in its sync status.
#[tauri::command]
#[specta::specta]
pub async fn sync_web_certificates(
    state: State<'_, AppState>,
    resource_group: String,
    thumbprint: Option<String>,
) -> Result<Vec<WebCertificateView>, CommandError> {
    let request = SyncRequest { subscription: None, resource_group, thumbprint };
    let synced = state.core()?.sync_web_certificates(&state.caller(), &request).await?;
    Ok(synced.into_iter().map(WebCertificateView::from).collect())
}

/// Binds a certificate to a custom domain of a web app with SNI SSL.
#[tauri::command]
#[specta::specta]
pub async fn bind_web_certificate(
    state: State<'_, AppState>,
    resource_group: String,
    app: String,
    thumbprint: String,
    host: String,
) -> Result<WebAppView, CommandError> {
    let app = named(resource_group, app);
    Ok(state.core()?.bind_certificate(&state.caller(), &app, &thumbprint, SNI, Some(&host)).await?.into())
}

/// Removes the SNI binding of a certificate from a custom domain (every one it is bound to when
/// `host` is null).
#[tauri::command]
#[specta::specta]
pub async fn unbind_web_certificate(
    state: State<'_, AppState>,
    resource_group: String,
    app: String,
    thumbprint: String,
    host: Option<String>,
) -> Result<WebAppView, CommandError> {
    let app = named(resource_group, app);
    Ok(state.core()?.unbind_certificate(&state.caller(), &app, &thumbprint, host.as_deref()).await?.into())
}

/// Whether the front end runs, and for every host name the certificate it presents now.
#[tauri::command]
#[specta::specta]
pub async fn front_end_status(state: State<'_, AppState>) -> Result<FrontEndStatus, CommandError> {
    let core = state.core()?;
    let running = state.front_end().lock().await;
    if let Some(front_end) = running.as_ref() {
        // What the store holds now, not what the watcher last saw: the blade shows a binding
        // made a moment ago. A failed read keeps what was served before, which is what the
        // front end still presents.
        if let Err(error) = front_end.reload().await {
            log::warn!("the App Service front end could not read the sites again ({}): {error}", error.code());
        }
    }
    status(&core, running.as_ref()).await
}

/// Starts the front end on loopback: HTTPS on `https_port`, plain HTTP on `http_port` (0 picks
/// a free one). A port in use is `AddressInUse`; starting while it runs is `Conflict`.
#[tauri::command]
#[specta::specta]
pub async fn start_front_end(state: State<'_, AppState>, https_port: u16, http_port: u16) -> Result<FrontEndStatus, CommandError> {
    let core = state.core()?;
    let mut running = state.front_end().lock().await;
    if let Some(current) = running.as_ref() {
        return Err(CommandError::new(
            "Conflict",
            format!(
                "the App Service front end is already running on port {}: stop it before starting it again",
                current.https_addr().port()
            ),
        ));
    }
    let https = launch::bind(LOOPBACK, https_port).await?;
    let http = launch::bind(LOOPBACK, http_port).await?;
    let front_end = FrontEnd::start(Arc::clone(&core), https, http).await.map_err(front_end_error)?;
    log::info!("App Service front end started on https://{} and http://{}", front_end.https_addr(), front_end.http_addr());
    *running = Some(front_end);
    status(&core, running.as_ref()).await
}

/// Stops the front end (nothing happens when it is not running); its ports are free afterwards.
#[tauri::command]
#[specta::specta]
pub async fn stop_front_end(state: State<'_, AppState>) -> Result<FrontEndStatus, CommandError> {
    let core = state.core()?;
    let mut running = state.front_end().lock().await;
    if let Some(stopped) = running.take() {
        let port = stopped.https_addr().port();
        stopped.shutdown().await;
        log::info!("App Service front end on port {port} stopped");
    }
    status(&core, None).await
}

/// The status of `front_end`, with days left counted from the installation's clock (after
/// catching up with a shift another process made).
async fn status(core: &Vaultmort, front_end: Option<&FrontEnd>) -> Result<FrontEndStatus, CommandError> {
    core.catch_up().await?;
    let now = core.clock().now();
    let sites = match front_end {
        Some(front_end) => {
            let port = front_end.https_addr().port();
            front_end.served_now().into_iter().map(|served| ServedSiteView::of(served, port, now)).collect()
        }
        None => Vec::new(),
    };
    Ok(FrontEndStatus {
        running: front_end.is_some(),
        address: LOOPBACK.to_string(),
        https_port: front_end.map(|f| f.https_addr().port()),
        http_port: front_end.map(|f| f.http_addr().port()),
        now: iso(now),
        sites,
    })
}

/// The front end's coded error as the UI receives it.
fn front_end_error(error: FrontEndError) -> CommandError {
    CommandError::new(error.code(), error.message())
}
