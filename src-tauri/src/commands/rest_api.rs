//! The REST API page: start and stop Key Vault's REST API (the same server as `vaultmort
//! serve`, from `vaultmort_rest`), say where it listens and what a client needs, export the
//! practice CA's root to trust, copy the owner's client secret, switch a vault's practice
//! throttling, and set up a client: the plan of `vaultmort setup-client`
//! (`vaultmort_rest::client_setup`) and the client's own files (CA files, `.env`), the system
//! parts being left to `sudo vaultmort setup-client --apply`.
//!
//! The app serves on loopback only; the secret file, the listener's coded errors and the client
//! facts come from `vaultmort_rest::launch`, as for the CLI. Left out: developer mode
//! (`--dev-any-token`) and a default vault for `https://localhost:<port>`, which stay CLI
//! options; each request to the server is authenticated, authorized and audited there.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tauri::State;
use vaultmort_core::directory::DirectoryObjectKind;
use vaultmort_core::vaults::UpdateVault;
use vaultmort_core::{Principal, Vaultmort};
use vaultmort_rest::Server;
use vaultmort_rest::client_setup::{self, NameResolution, SetupRequest, StepSelection, SystemPaths};
use vaultmort_rest::launch::{self, ClientFacts};

use crate::clipboard::copy_for_a_while;
use crate::dto::{ClientApplication, ClientSetupBlock, ClientSetupPlan, ClientSetupStep, RestApiStatus, RestVaultUrl};
use crate::dto::{SavedFile, VaultView};
use crate::error::CommandError;
use crate::files::{Sensitivity, save};
use crate::state::{AppState, RunningRestApi};

/// The app's REST API listens here only: other machines never reach it.
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Whether the REST API runs, and the URLs, token endpoint and ids a client needs.
#[tauri::command]
#[specta::specta]
pub async fn rest_api_status(state: State<'_, AppState>) -> Result<RestApiStatus, CommandError> {
    let core = state.core()?;
    let running = state.rest_api().lock().await;
    Ok(status(&state, &core, running.as_ref().map(|r| &r.facts)).await)
}

/// Starts the REST API on loopback at `port` (0 picks a free one). A port in use is
/// `AddressInUse`; starting while it runs is `Conflict`. The answer carries the owner's client
/// secret when this start made it, the only time the UI sees it.
#[tauri::command]
#[specta::specta]
pub async fn start_rest_api(state: State<'_, AppState>, port: u16) -> Result<RestApiStatus, CommandError> {
    let core = state.core()?;
    let mut running = state.rest_api().lock().await;
    if let Some(current) = running.as_ref() {
        return Err(CommandError::new(
            "Conflict",
            format!("the REST API is already running on port {}: stop it before starting it again", current.facts.port),
        ));
    }
    let credentials = launch::home_credentials(Arc::clone(&core), state.home())?;
    let listener = launch::bind(LOOPBACK, port).await?;
    let options = vaultmort_rest::Options::new(Arc::new(credentials.credentials));
    let server = Server::start(Arc::clone(&core), listener, options).await?;
    let facts = ClientFacts::of(&server, credentials.secret_file);
    log::info!("REST API started on https://localhost:{}", facts.port);
    let mut answer = status(&state, &core, Some(&facts)).await;
    answer.new_client_secret = credentials.created_secret.map(|secret| secret.as_str().to_owned());
    *running = Some(RunningRestApi { server, facts });
    Ok(answer)
}

/// Stops the REST API (nothing happens when it is not running); its port is free afterwards.
#[tauri::command]
#[specta::specta]
pub async fn stop_rest_api(state: State<'_, AppState>) -> Result<RestApiStatus, CommandError> {
    let core = state.core()?;
    let mut running = state.rest_api().lock().await;
    if let Some(stopped) = running.take() {
        stopped.server.shutdown().await;
        log::info!("REST API on port {} stopped", stopped.facts.port);
    }
    Ok(status(&state, &core, None).await)
}

/// Writes the practice CA's root certificate, PEM, to `path`: the CA clients trust to reach the
/// REST API (the same file as `vaultmort ca export-root`).
#[tauri::command]
#[specta::specta]
pub async fn save_ca_certificate(state: State<'_, AppState>, path: String) -> Result<SavedFile, CommandError> {
    let der = state.core()?.practice_ca_root(&state.caller()).await?;
    let pem = vaultmort_certs::pem::write_pem(&[der], None).map_err(vaultmort_core::Error::from)?;
    save(&path, pem.as_bytes(), Sensitivity::Public)
}

/// Copies the local owner's client secret to the clipboard, cleared again as a copied secret
/// is. Only while acting as the owner (`Forbidden` otherwise: it is the owner's credential);
/// `NotFound` before the first start made it. Returns the seconds until clearing.
#[tauri::command]
#[specta::specta]
pub async fn copy_rest_client_secret(state: State<'_, AppState>) -> Result<u32, CommandError> {
    state.core()?;
    let caller = state.caller().principal;
    if caller.object_id != Principal::local_owner().object_id {
        return Err(CommandError::new(
            "Forbidden",
            format!("the client secret is the local owner's; {} may not copy it (sign in as the owner)", caller.name),
        ));
    }
    let secret = launch::read_owner_secret(state.home())?
        .ok_or_else(|| CommandError::new("NotFound", "there is no client secret yet: start the REST API once to make it"))?;
    let clear_after = state.clipboard_clear_after();
    copy_for_a_while(state.clipboard()?, &secret, clear_after)?;
    Ok(u32::try_from(clear_after.as_millis().div_ceil(1000)).unwrap_or(u32::MAX))
}

/// Switches a vault's practice throttling (a vault update, authorized and audited by the core);
/// a running REST API follows it at once.
#[tauri::command]
#[specta::specta]
pub async fn set_practice_throttling(state: State<'_, AppState>, vault: String, on: bool) -> Result<VaultView, CommandError> {
    let update = UpdateVault { practice_throttling: Some(on), ..UpdateVault::default() };
    Ok(state.core()?.update_vault(&state.caller(), &vault, update).await?.into())
}

/// The status, with `facts` when the server runs. The vault URLs are a convenience: a
/// signed-in principal who may not list vaults sees none rather than an error page.
async fn status(state: &AppState, core: &Vaultmort, facts: Option<&ClientFacts>) -> RestApiStatus {
    let secret_file = launch::owner_secret_path(state.home());
    let vaults = match facts {
        Some(facts) => match core.list_vaults(&state.caller(), None).await {
            Ok(vaults) => vaults.iter().map(|vault| RestVaultUrl::of(vault, facts)).collect(),
            Err(error) => {
                log::info!("the REST API page lists no vault URLs: {error}");
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    RestApiStatus {
        running: facts.is_some(),
        port: facts.map_or(vaultmort_core::address::DEFAULT_PORT, |f| f.port),
        address: LOOPBACK.to_string(),
        vaults,
        token_endpoint: facts.map(|f| f.token_endpoint.clone()),
        authority: facts.map(|f| f.authority.clone()),
        tenant_id: core.tenant().tenant_id.clone(),
        client_id: Principal::local_owner().object_id,
        client_secret_exists: secret_file.exists(),
        client_secret_file: secret_file.display().to_string(),
        new_client_secret: None,
    }
}

/// The port a client plan is for: the running server's, else the default.
async fn client_port(state: &AppState) -> u16 {
    state.rest_api().lock().await.as_ref().map_or(vaultmort_core::address::DEFAULT_PORT, |r| r.facts.port)
}

/// The request for `env_file` (its folder also takes the CA files), or the home's `client`
/// folder and the default `.env` name there when the person has not chosen yet.
fn client_request(state: &AppState, port: u16, application: Option<String>, env_file: Option<&str>) -> SetupRequest {
    let env_file = match env_file {
        Some(path) => PathBuf::from(path),
        None => state.home().join(client_setup::CLIENT_DIR).join(client_setup::DEFAULT_ENV_FILE),
    };
    let client_dir = env_file.parent().map_or_else(|| state.home().join(client_setup::CLIENT_DIR), Path::to_path_buf);
    SetupRequest { port, application, client_dir, env_file, names: NameResolution::Auto }
}

/// The plan `vaultmort setup-client` prints, for the running server's port (else the default),
/// with the applications that can be chosen for the `.env` file. Changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn client_setup_plan(
    state: State<'_, AppState>,
    application: Option<String>,
    env_file: Option<String>,
) -> Result<ClientSetupPlan, CommandError> {
    let core = state.core()?;
    let caller = state.caller();
    let port = client_port(&state).await;
    let request = client_request(&state, port, application, env_file.as_deref());
    let plan = client_setup::plan(&core, &caller, &SystemPaths::from_env(), &request).await?;
    let applications = core
        .list_principals(&caller, Some(DirectoryObjectKind::ServicePrincipal))
        .await?
        .into_iter()
        .filter_map(|p| Some(ClientApplication { client_id: p.app_id?, display_name: p.display_name }))
        .collect();
    Ok(ClientSetupPlan {
        system_command: format!("sudo vaultmort setup-client --apply --port {port}"),
        home_id: plan.home_id.clone(),
        port,
        blocks: client_setup::plan_blocks(&plan).into_iter().map(ClientSetupBlock::from).collect(),
        applications,
    })
}

/// Writes a client's own files: the `.env` file at `env_file` (0600; with a new client secret
/// for `application`, kept in that file only) and, beside it, the practice root, the CA bundle
/// and the Java truststore. The system parts (trust store, hosts file) are left to
/// `sudo vaultmort setup-client --apply`. Running it again changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn write_client_files(
    state: State<'_, AppState>,
    application: Option<String>,
    env_file: String,
) -> Result<Vec<ClientSetupStep>, CommandError> {
    let core = state.core()?;
    let caller = state.caller();
    let port = client_port(&state).await;
    let request = client_request(&state, port, application, Some(&env_file));
    let paths = SystemPaths::from_env();
    let plan = client_setup::plan(&core, &caller, &paths, &request).await?;
    let reports = client_setup::apply(&core, &caller, &paths, &plan, StepSelection::USER).await;
    for report in &reports {
        log::info!("client set-up, {:?}: {:?}", report.step, report.status);
    }
    Ok(reports.into_iter().map(ClientSetupStep::from).collect())
}
