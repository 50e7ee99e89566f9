//! Building the app on the mock runtime and calling its commands the way the web view does.

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager};
use tempfile::TempDir;
use vaultmort_desktop::AppState;
use vaultmort_home::KeySourceChoice;

/// A passphrase long enough for a new store.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// The app on the mock runtime, over its own throwaway home.
pub struct TestApp {
    /// The app; its "main" window comes from tauri.conf.json.
    pub app: App<MockRuntime>,
    /// The home folder, removed when the test ends.
    pub home: TempDir,
}

impl TestApp {
    /// A new, locked app on a fresh home whose store will be protected by a passphrase.
    pub fn new() -> Self {
        let home = tempfile::tempdir().expect("a temp dir for the home");
        let app = app_on(home.path());
        Self { app, home }
    }

    /// A fresh home, already unlocked (the store is created with [`PASSPHRASE`]).
    pub fn unlocked() -> Self {
        let app = Self::new();
        let status = app.ok("unlock", json!({ "passphrase": PASSPHRASE }));
        assert_eq!(status["unlocked"], true, "unlocking a new home with a long passphrase creates the store: {status}");
        app
    }

    /// Calls `command` with `args` through IPC: `Ok(data)` or `Err(error)`, where a command's
    /// error is a `CommandError` object and a framework refusal (ACL, bad arguments) a string.
    pub fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        let webview = self.app.get_webview_window("main").expect("tauri.conf.json declares the main window");
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: command.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                // The local origin on Linux: what the ACL treats as the app's own pages.
                url: "tauri://localhost".parse().expect("a valid URL"),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                // The key the mock builder installs; a wrong key is dropped silently (a hang).
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize().expect("command responses are JSON"))
    }

    /// Calls `command`, which must succeed, and returns its data.
    pub fn ok(&self, command: &str, args: Value) -> Value {
        match self.invoke(command, args.clone()) {
            Ok(data) => data,
            Err(error) => panic!("{command}({args}) must succeed, but failed: {error}"),
        }
    }

    /// Calls `command`, which must fail with a `CommandError`, and returns its code.
    pub fn error_code(&self, command: &str, args: Value) -> String {
        match self.invoke(command, args.clone()) {
            Ok(data) => panic!("{command}({args}) must fail, but returned {data}"),
            Err(error) => {
                let message = error["message"].as_str().unwrap_or_default();
                assert!(!message.is_empty(), "every CommandError carries a message for a person: {error}");
                error["code"].as_str().unwrap_or_else(|| panic!("a command error is {{code, message}}, not {error}")).to_string()
            }
        }
    }

    /// Creates resource group `rg` and vault `name` in it.
    pub fn vault(&self, name: &str) {
        self.ok("create_group", json!({ "name": "rg", "location": "westeurope" }));
        let input = json!({ "name": name, "resourceGroup": "rg", "location": null, "sku": "standard", "retentionDays": 7, "purgeProtection": false });
        self.ok("create_vault", json!({ "input": input }));
    }
}

/// Builds the app exactly as `run` does, minus the plugins, with the passphrase key source, and
/// opens its main window.
pub fn app_on(home: &std::path::Path) -> App<MockRuntime> {
    let state = AppState::new(home, KeySourceChoice::Passphrase);
    let app = vaultmort_desktop::configure(mock_builder(), state)
        .build(vaultmort_desktop::context())
        .expect("the app builds on the mock runtime");
    // A running app creates its configured windows when the event loop starts, which a test's
    // app never does: create "main" from tauri.conf.json here, as that start-up would.
    let main = app.config().app.windows.iter().find(|w| w.label == "main").expect("tauri.conf.json declares the main window").clone();
    tauri::WebviewWindowBuilder::from_config(app.handle(), &main)
        .and_then(|b| b.build())
        .expect("the main window opens on the mock runtime");
    app
}
