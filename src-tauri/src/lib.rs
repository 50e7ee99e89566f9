//! The Vaultmort desktop app: a Tauri 2 shell over the core.
//!
//! The web UI (in `ui/`) calls the commands in [`commands`] over Tauri's IPC; each is a thin
//! adapter over [`vaultmort_core::Vaultmort`], which the app opens lazily from a Vaultmort home
//! ([`AppState`]). The TypeScript side of the commands (`ui/src/bindings.ts`) is generated from
//! these Rust types by [`specta_builder`]; a test fails when the committed file is stale.
//!
//! Two ways to assemble the app: [`configure`] adds only the commands and state (what the
//! mock-runtime tests drive), and [`run`] adds the plugins (single instance per home, logging,
//! window state, file dialogs, notifications, clipboard) and starts the real window. What the
//! window may call is fixed by `capabilities/default.json`. Left out: every business rule, which
//! lives in the GUI-free crates under `crates/`.
#![forbid(unsafe_code)]

pub mod clipboard;
pub mod commands;
mod dto;
mod error;
mod files;
pub mod notices;
mod state;
mod vendor_tool;

/// The IPC command names, one list shared with the build script.
mod command_names;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tauri::Manager;

pub use command_names::COMMANDS;
pub use dto::*;
pub use error::CommandError;
pub use state::AppState;

/// Every command with its TypeScript types: the invoke handler, and the source of
/// `ui/src/bindings.ts`. Errors reach the UI as `{ status: "error", error: CommandError }`.
pub fn specta_builder<R: tauri::Runtime>() -> tauri_specta::Builder<R> {
    use commands::{access, app_service, byok, certificates, deleted, expiry, groups, hsm, keys, rest_api, secrets, session, vaults};
    tauri_specta::Builder::<R>::new()
        .error_handling(tauri_specta::ErrorHandlingMode::Result)
        // One TypeScript type per DTO: with serde phases on, every type with an `Option` field
        // would be exported twice, as `X_Serialize` (`k: T | null`) and `X_Deserialize` (`k?: T | null`).
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            session::session_status,
            session::unlock,
            session::ui_ready,
            groups::list_groups,
            groups::create_group,
            vaults::check_vault_name,
            vaults::list_vaults,
            vaults::create_vault,
            secrets::list_secrets,
            secrets::set_secret,
            secrets::reveal_secret,
            secrets::list_secret_versions,
            secrets::get_secret_details,
            secrets::update_secret,
            secrets::save_secret_value,
            secrets::copy_secret,
            deleted::delete_object,
            deleted::list_deleted,
            deleted::recover_object,
            deleted::purge_object,
            keys::key_catalog,
            keys::list_keys,
            keys::create_key,
            keys::list_key_versions,
            keys::get_key,
            keys::update_key,
            keys::rotate_key,
            keys::save_public_key,
            keys::sign_digest,
            keys::verify_digest,
            keys::crypto_operation,
            keys::import_key,
            hsm::hsm_status,
            hsm::configure_hsm,
            byok::byok_default_folder,
            byok::byok_wrap,
            certificates::list_certificates,
            certificates::default_certificate_policy,
            certificates::create_certificate,
            certificates::get_certificate_operation,
            certificates::delete_certificate_operation,
            certificates::save_csr,
            certificates::merge_certificate,
            certificates::certificate_file_limit,
            certificates::preview_certificate_file,
            certificates::import_certificate,
            certificates::save_certificate,
            certificates::list_certificate_versions,
            certificates::get_certificate_policy,
            certificates::update_certificate_policy,
            certificates::list_issuers,
            certificates::set_issuer,
            certificates::delete_issuer,
            certificates::get_contacts,
            certificates::set_contacts,
            certificates::list_outbox,
            expiry::expiring_soon,
            access::list_principals,
            access::create_principal,
            access::delete_principal,
            access::signed_in,
            access::sign_in_as,
            access::access_configuration,
            access::set_access_policy,
            access::delete_access_policy,
            access::set_rbac_authorization,
            access::list_role_definitions,
            access::list_role_assignments,
            access::create_role_assignment,
            access::delete_role_assignment,
            access::check_access,
            access::network_rules,
            access::update_network,
            access::change_network_rule,
            access::query_access_log,
            access::verify_access_log,
            rest_api::rest_api_status,
            rest_api::start_rest_api,
            rest_api::stop_rest_api,
            rest_api::save_ca_certificate,
            rest_api::copy_rest_client_secret,
            rest_api::set_practice_throttling,
            rest_api::client_setup_plan,
            rest_api::write_client_files,
            app_service::list_app_service_plans,
            app_service::create_app_service_plan,
            app_service::change_app_service_plan_sku,
            app_service::delete_app_service_plan,
            app_service::list_web_apps,
            app_service::create_web_app,
            app_service::get_web_app,
            app_service::delete_web_app,
            app_service::update_web_app_settings,
            app_service::check_custom_domain,
            app_service::add_custom_domain,
            app_service::remove_custom_domain,
            app_service::list_dns_zones,
            app_service::create_dns_zone,
            app_service::get_dns_zone,
            app_service::delete_dns_zone,
            app_service::change_dns_record,
            app_service::list_web_certificates,
            app_service::upload_web_certificate,
            app_service::import_key_vault_certificate,
            app_service::delete_web_certificate,
            app_service::sync_web_certificates,
            app_service::bind_web_certificate,
            app_service::unbind_web_certificate,
            app_service::front_end_status,
            app_service::start_front_end,
            app_service::stop_front_end,
        ])
}

/// How `ui/src/bindings.ts` is written: TypeScript, with a header saying where it comes from.
pub fn typescript() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default()
        .header("// Generated by `cargo xtask bindings` from the Rust command types in src-tauri/. Do not edit.")
}

/// The app's compiled-in configuration: tauri.conf.json, capabilities (the ACL), icon and the
/// embedded `ui/dist`.
pub fn context<R: tauri::Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Adds the commands and the state to `builder`, and nothing else: no plugins (the log plugin
/// installs a process-wide logger, the clipboard opens the display), so tests can build the app
/// on the mock runtime.
pub fn configure<R: tauri::Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    let specta = specta_builder::<R>();
    builder.manage(state).invoke_handler(specta.invoke_handler())
}

/// Runs the desktop app on the home named by `--home` / `VAULTMORT_HOME` (else the OS data
/// directory) until its window closes.
pub fn run() -> ExitCode {
    let state = match AppState::from_args_and_env(std::env::args().skip(1)) {
        Ok(state) => state,
        Err(error) => {
            eprintln!("vaultmort-desktop: {error}");
            return ExitCode::FAILURE;
        }
    };
    let home = state.home().to_path_buf();
    let builder = tauri::Builder::default()
        // First, so that a second launch on the same home hands over before anything else starts.
        .plugin(single_instance(&home))
        .plugin(logging(&home))
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_clipboard_manager::init());
    let builder = builder.setup(|app| {
        let state = app.state::<AppState>();
        state.set_clipboard(Arc::new(PluginClipboard(app.handle().clone())));
        state.set_notifier(Arc::new(PluginNotifier(app.handle().clone())));
        Ok(())
    });
    match configure(builder, state).run(context()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("vaultmort-desktop: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One instance per home: a second launch on the same home focuses the first window and exits.
/// Launches on different homes (parallel test runs) never meet. The D-Bus name must not have an
/// element starting with a digit, hence the `h`.
fn single_instance(home: &Path) -> tauri::plugin::TauriPlugin<tauri::Wry> {
    let digest = hex::encode(Sha256::digest(home.as_os_str().as_encoded_bytes()));
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(format!("dev.vaultmort.desktop.h{}", &digest[..16]))
        .callback(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                // Best effort: a window manager may refuse focus; the first instance keeps running.
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        })
        .build()
}

/// Logs to stdout and to `<home>/logs/desktop.log`, so that everything of one installation
/// lives in its home.
fn logging(home: &Path) -> tauri::plugin::TauriPlugin<tauri::Wry> {
    use tauri_plugin_log::{Target, TargetKind};
    tauri_plugin_log::Builder::new()
        .level(log::LevelFilter::Info)
        .clear_targets()
        .target(Target::new(TargetKind::Stdout))
        .target(Target::new(TargetKind::Folder { path: home.join("logs"), file_name: Some("desktop".into()) }))
        .build()
}

/// The system clipboard through the clipboard-manager plugin.
#[derive(Debug)]
struct PluginClipboard(tauri::AppHandle);

impl clipboard::Clipboard for PluginClipboard {
    fn write_text(&self, text: &str) -> Result<(), CommandError> {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        self.0.clipboard().write_text(text).map_err(clipboard_error)
    }
    fn read_text(&self) -> Result<zeroize::Zeroizing<String>, CommandError> {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        // An empty or non-text clipboard reads as an error; it holds no copied secret either way.
        Ok(zeroize::Zeroizing::new(self.0.clipboard().read_text().unwrap_or_default()))
    }
    fn clear(&self) -> Result<(), CommandError> {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        self.0.clipboard().clear().map_err(clipboard_error)
    }
}

fn clipboard_error(error: tauri_plugin_clipboard_manager::Error) -> CommandError {
    CommandError::new("ClipboardUnavailable", format!("the clipboard cannot be used: {error}"))
}

/// Desktop notifications through the notification plugin.
#[derive(Debug)]
struct PluginNotifier(tauri::AppHandle);

impl notices::Notifier for PluginNotifier {
    fn notify(&self, notice: &notices::Notice) -> Result<(), CommandError> {
        use tauri_plugin_notification::NotificationExt;
        log::info!("notification: {}: {}", notice.title, notice.body);
        self.0
            .notification()
            .builder()
            .title(&notice.title)
            .body(&notice.body)
            .show()
            .map_err(|error| CommandError::new("NotificationFailed", format!("cannot show a notification: {error}")))
    }
}
