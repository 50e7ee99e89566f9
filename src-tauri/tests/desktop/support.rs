//! Building the app on the mock runtime and calling its commands the way the web view does.

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager};
use vaultmort_desktop::AppState;
use vaultmort_home::KeySourceChoice;
/// The test passphrase (long enough for a new store), shared with the other crates' tests.
pub use vaultmort_test_support::PASSPHRASE;
use vaultmort_test_support::home::TestHome;

/// The app on the mock runtime, over its own throwaway home.
pub struct TestApp {
    /// The app; its "main" window comes from tauri.conf.json.
    pub app: App<MockRuntime>,
    /// The home folder (`home.home_dir()`) and scratch files beside it, removed when the test ends.
    pub home: TestHome,
}

impl TestApp {
    /// A new, locked app on a fresh home whose store will be protected by a passphrase.
    pub fn new() -> Self {
        Self::with_state(|state| state)
    }

    /// A new, locked app on a fresh home, with the state `customize` makes of the default one
    /// (e.g. a shorter clipboard delay). Clipboard and notifier are plugged in through
    /// [`TestApp::state`].
    pub fn with_state(customize: impl FnOnce(AppState) -> AppState) -> Self {
        Self::on_home(TestHome::new(), customize)
    }

    /// A new, locked app on an existing `home` (e.g. one an earlier app of the test left behind).
    pub fn on_home(home: TestHome, customize: impl FnOnce(AppState) -> AppState) -> Self {
        let app = app_with(customize(AppState::new(home.home_dir(), KeySourceChoice::Passphrase)));
        Self { app, home }
    }

    /// The app's state, as the commands see it.
    pub fn state(&self) -> tauri::State<'_, AppState> {
        self.app.state::<AppState>()
    }

    /// Closes the app and hands back its home, for a test that opens it again.
    pub fn close(self) -> TestHome {
        drop(self.app);
        self.home
    }

    /// Unlocks the store with [`PASSPHRASE`].
    pub fn unlock(&self) {
        let status = self.ok("unlock", json!({ "passphrase": PASSPHRASE }));
        assert_eq!(status["unlocked"], true, "the test passphrase opens (or creates) the store: {status}");
    }

    /// A fresh home, already unlocked (the store is created with [`PASSPHRASE`]).
    pub fn unlocked() -> Self {
        let app = Self::new();
        app.unlock();
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
        self.vault_with(name, false);
    }

    /// Creates resource group `rg` (if needed) and vault `name` in it, with purge protection or not.
    pub fn vault_with(&self, name: &str, purge_protection: bool) {
        self.vault_of_sku(name, "standard", purge_protection);
    }

    /// Creates resource group `rg` (if needed) and premium vault `name` in it, which holds HSM keys.
    pub fn premium_vault(&self, name: &str) {
        self.vault_of_sku(name, "premium", false);
    }

    fn vault_of_sku(&self, name: &str, sku: &str, purge_protection: bool) {
        if self.ok("list_groups", json!({})).as_array().is_none_or(|groups| !groups.iter().any(|g| g["name"] == "rg")) {
            self.ok("create_group", json!({ "name": "rg", "location": "westeurope" }));
        }
        let input = json!({ "name": name, "resourceGroup": "rg", "location": null, "sku": sku, "retentionDays": 7, "purgeProtection": purge_protection });
        self.ok("create_vault", json!({ "input": input }));
    }

    /// Creates a self-signed certificate `name` (subject `CN=<name>.example`) valid for `months`,
    /// from the default policy as the Generate wizard starts from.
    pub fn self_signed(&self, vault: &str, name: &str, months: u32) -> Value {
        let mut policy = self.ok("default_certificate_policy", json!({}));
        policy["subject"] = json!(format!("CN={name}.example"));
        policy["validityMonths"] = json!(months);
        let created = self.ok("create_certificate", json!({ "vault": vault, "name": name, "policy": policy }));
        assert_eq!(created["status"], "completed", "a self-signed certificate exists as soon as create returns: {created}");
        created
    }
}

/// Builds the app exactly as `run` does, minus the plugins, over `state`, and opens its main window.
pub fn app_with(state: AppState) -> App<MockRuntime> {
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
