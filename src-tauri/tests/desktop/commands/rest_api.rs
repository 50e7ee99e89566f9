//! The REST API page's commands (issue 6): the server starts from the app on loopback, answers a
//! real HTTPS client that trusts the exported CA with a token from the owner's secret, refuses a
//! second start and a taken port with codes, and frees its port when stopped; a vault's practice
//! throttling is switched through its command and the running server follows it.

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};
use vaultmort_desktop::clipboard::{Clipboard, MemoryClipboard};
use vaultmort_test_support::openssl::openssl_text;

use crate::support::TestApp;

const VAULT: &str = "rest-kv";

/// An unlocked app with vault `rest-kv` holding secret `pw` = `hunter2`, and a memory clipboard.
fn app_with_vault() -> (TestApp, Arc<MemoryClipboard>) {
    let app = TestApp::new();
    let clipboard = Arc::new(MemoryClipboard::default());
    app.state().set_clipboard(clipboard.clone());
    app.unlock();
    app.vault(VAULT);
    app.ok("set_secret", json!({ "vault": VAULT, "input": { "name": "pw", "value": "hunter2", "contentType": null } }));
    (app, clipboard)
}

/// Exports the CA through the command into the app's scratch folder and returns the PEM.
fn export_ca(app: &TestApp) -> (std::path::PathBuf, String) {
    let path = app.home.scratch("vaultmort-root.pem");
    let saved = app.ok("save_ca_certificate", json!({ "path": path }));
    assert_eq!(saved["path"], path.to_str().expect("utf-8"), "the file the person chose: {saved}");
    (path.clone(), std::fs::read_to_string(&path).expect("the CA file was written"))
}

/// An HTTPS client that trusts only `ca_pem` and reaches the vault's and the token endpoint's
/// hosts at the server's loopback port (Debian's resolver does not resolve `*.localhost`).
fn client(ca_pem: &str, port: u16) -> reqwest::Client {
    let root = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("the exported CA is PEM");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    reqwest::Client::builder()
        .tls_certs_only([root])
        .resolve(&format!("{VAULT}.localhost"), addr)
        .resolve("localhost", addr)
        .no_proxy()
        .build()
        .expect("an HTTPS client")
}

/// A token for the owner's client credentials from the status's token endpoint.
async fn owner_token(client: &reqwest::Client, status: &Value, secret: &str) -> String {
    let endpoint = status["tokenEndpoint"].as_str().expect("a running server names its token endpoint");
    let client_id = status["clientId"].as_str().expect("the owner's client id");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret),
        ("scope", "https://vault.azure.net/.default"),
    ];
    let response = client.post(endpoint).form(&form).send().await.expect("the token endpoint answers over HTTPS");
    assert_eq!(response.status(), 200, "the owner's secret gets a token");
    let body: Value = response.json().await.expect("a JSON token");
    body["access_token"].as_str().expect("an access token").to_string()
}

#[test]
fn the_app_starts_the_rest_api_which_serves_a_secret_and_stops_it_again() {
    let (app, clipboard) = app_with_vault();
    let stopped = app.ok("rest_api_status", json!({}));
    assert_eq!(
        (stopped["running"].as_bool(), stopped["port"].as_u64()),
        (Some(false), Some(8443)),
        "off, with the default port: {stopped}"
    );
    assert_eq!(stopped["clientSecretExists"], false, "no secret before the first start");

    let started = app.ok("start_rest_api", json!({ "port": 0 }));
    assert_eq!(started["running"], true, "{started}");
    assert_eq!(started["address"], "127.0.0.1", "the app serves on loopback only");
    let port = u16::try_from(started["port"].as_u64().expect("a port")).expect("a TCP port");
    assert!(port > 0, "port 0 asks for a free port, and the status names the one chosen");
    let url = format!("https://{VAULT}.localhost:{port}");
    assert_eq!(started["vaults"], json!([{ "vault": VAULT, "url": url, "practiceThrottling": false }]), "each vault's URL: {started}");
    let tenant = started["tenantId"].as_str().expect("a tenant id");
    assert_eq!(started["tokenEndpoint"], format!("https://localhost:{port}/{tenant}/oauth2/v2.0/token"), "{started}");
    let secret = started["newClientSecret"].as_str().expect("the first start shows the new client secret once").to_string();
    let secret_file = app.home.home_dir().join("rest-client-secret");
    assert_eq!(started["clientSecretFile"], secret_file.to_str().expect("utf-8"), "the secret is kept in the home");
    assert_eq!(app.ok("rest_api_status", json!({}))["newClientSecret"], Value::Null, "later answers never carry the secret");

    app.ok("copy_rest_client_secret", json!({}));
    assert_eq!(clipboard.read_text().expect("read").as_str(), secret, "the copy puts the same secret on the clipboard");

    let (ca_path, ca_pem) = export_ca(&app);
    let subject = openssl_text(&["x509", "-noout", "-subject", "-in", ca_path.to_str().expect("temp paths are UTF-8")], None);
    assert!(subject.starts_with("subject="), "openssl reads the exported CA and prints its subject: {subject}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&ca_path).expect("the file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "a CA certificate is public");
    }

    let value = tauri::async_runtime::block_on(async {
        let client = client(&ca_pem, port);
        let token = owner_token(&client, &started, &secret).await;
        let response = client
            .get(format!("{url}/secrets/pw?api-version=7.6"))
            .bearer_auth(token)
            .send()
            .await
            .expect("the vault answers over HTTPS with the exported CA trusted");
        assert_eq!(response.status(), 200, "the owner reads its secret");
        let body: Value = response.json().await.expect("a JSON secret");
        body["value"].as_str().map(str::to_string)
    });
    assert_eq!(value.as_deref(), Some("hunter2"), "the secret set through the app comes back through the REST API");

    assert_eq!(app.error_code("start_rest_api", json!({ "port": 0 })), "Conflict", "a second start while running is refused");

    let stopped = app.ok("stop_rest_api", json!({}));
    assert_eq!(stopped["running"], false, "{stopped}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "after stop, nothing listens on port {port}");

    let again = app.ok("start_rest_api", json!({ "port": 0 }));
    assert_eq!(again["newClientSecret"], Value::Null, "a later start reads the secret from its file and does not show it again");
    app.ok("stop_rest_api", json!({}));
}

#[test]
fn a_port_in_use_is_refused_with_a_code() {
    let (app, _clipboard) = app_with_vault();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = taken.local_addr().expect("an address").port();
    assert_eq!(
        app.error_code("start_rest_api", json!({ "port": port })),
        "AddressInUse",
        "the UI can tell the person to pick another port"
    );
    assert_eq!(app.ok("rest_api_status", json!({}))["running"], false, "a failed start leaves it stopped");
}

#[test]
fn practice_throttling_switched_in_the_app_throttles_the_running_server() {
    let (app, _clipboard) = app_with_vault();
    let vault = app.ok("set_practice_throttling", json!({ "vault": VAULT, "on": true }));
    assert_eq!(vault["practiceThrottling"], true, "the vault view shows the setting: {vault}");
    assert_eq!(app.ok("list_vaults", json!({}))[0]["practiceThrottling"], true, "and so does the vault list");

    let started = app.ok("start_rest_api", json!({ "port": 0 }));
    assert_eq!(started["vaults"][0]["practiceThrottling"], true, "the REST API page shows which vaults are throttled");
    let port = u16::try_from(started["port"].as_u64().expect("a port")).expect("a TCP port");
    let secret = started["newClientSecret"].as_str().expect("a new secret").to_string();
    let (_, ca_pem) = export_ca(&app);
    let client = client(&ca_pem, port);
    let token = tauri::async_runtime::block_on(owner_token(&client, &started, &secret));
    let create = |name: String| {
        let request = client
            .post(format!("https://{VAULT}.localhost:{port}/keys/{name}/create?api-version=7.6"))
            .bearer_auth(&token)
            .json(&json!({ "kty": "EC" }));
        tauri::async_runtime::block_on(async { request.send().await.expect("the server answers") })
    };
    for i in 0..20 {
        assert_eq!(create(format!("k{i}")).status(), 200, "the first 20 key creations in 10 s pass");
    }
    let refused = create("k20".into());
    assert_eq!(refused.status(), 429, "the 21st is over Key Vault's limit for key creations");
    assert!(refused.headers().contains_key("retry-after"), "and says when to retry");

    let vault = app.ok("set_practice_throttling", json!({ "vault": VAULT, "on": false }));
    assert_eq!(vault["practiceThrottling"], false, "{vault}");
    assert_eq!(create("k21".into()).status(), 200, "switched off in the app, the running server follows at once");
    app.ok("stop_rest_api", json!({}));
}

/// Set up a client: the plan shows the same blocks as `vaultmort setup-client` for the running
/// server's port and lists the applications; writing the client's files makes a 0600 `.env`
/// whose new secret gets a token from the running server and a CA file a real HTTPS client
/// trusts; a second write changes nothing; the system files are never touched by the app.
#[test]
fn the_app_shows_the_client_plan_and_writes_an_env_file_whose_secret_gets_a_token() {
    use std::os::unix::fs::PermissionsExt;
    let (app, _clipboard) = app_with_vault();
    let created = app.ok("create_principal", json!({ "kind": "servicePrincipal", "displayName": "reporting", "userPrincipalName": null }));
    let client_id = created["principal"]["appId"].as_str().expect("the application's client id").to_string();
    let started = app.ok("start_rest_api", json!({ "port": 0 }));
    let port = u16::try_from(started["port"].as_u64().expect("a port")).expect("a TCP port");

    let plan = app.ok("client_setup_plan", json!({ "application": "reporting", "envFile": null }));
    assert_eq!(plan["port"], port, "the plan is for the running server's port: {plan}");
    let steps: Vec<&str> = plan["blocks"].as_array().expect("blocks").iter().filter_map(|b| b["step"].as_str()).collect();
    assert_eq!(steps, ["trust", "caFile", "names", "envFile"], "one block per step, in order: {plan}");
    assert!(plan["blocks"][0]["text"].as_str().is_some_and(|t| t.contains("update-ca-certificates")), "the trust block: {plan}");
    assert_eq!(plan["blocks"][0]["needsRoot"], true, "trusting system-wide needs root");
    assert!(
        plan["applications"].as_array().is_some_and(|a| a.iter().any(|x| x["clientId"] == client_id.as_str())),
        "the new application can be chosen: {plan}"
    );
    assert!(plan["systemCommand"].as_str().is_some_and(|c| c.starts_with("sudo vaultmort setup-client --apply")), "{plan}");

    let folder = app.home.scratch("client-files");
    let env_file = folder.join(".env.vaultmort");
    let written = app.ok("write_client_files", json!({ "application": client_id, "envFile": env_file }));
    let outcome: Vec<(&str, &str)> =
        written.as_array().expect("steps").iter().map(|s| (s["step"].as_str().unwrap_or(""), s["status"].as_str().unwrap_or(""))).collect();
    assert_eq!(outcome, [("caFile", "changed"), ("envFile", "changed")], "only the client's own files are written: {written}");
    let mode = std::fs::metadata(&env_file).expect("the .env file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the .env file holds a secret: private to its owner, not {mode:o}");
    let env = std::fs::read_to_string(&env_file).expect("the .env file");
    let value = |name: &str| env.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).unwrap_or_default().to_string();
    assert_eq!(value("AZURE_CLIENT_ID"), client_id, "the chosen application");
    let secret = value("AZURE_CLIENT_SECRET");
    assert!(secret.len() >= 32, "a long random secret in the file");
    assert!(!written.to_string().contains(&secret), "the secret never crosses to the UI");

    let ca = std::fs::read_to_string(folder.join("practice-root.pem")).expect("the CA file beside the .env");
    let client = client(&ca, port);
    let token = tauri::async_runtime::block_on(async {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", "https://vault.azure.net/.default"),
        ];
        let endpoint = format!("{}/{}/oauth2/v2.0/token", value("AZURE_AUTHORITY_HOST"), value("AZURE_TENANT_ID"));
        let response = client.post(endpoint).form(&form).send().await.expect("the token endpoint answers over HTTPS, trusting the CA file");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    });
    assert_eq!(token.0, 200, "the .env's credentials get a token from the running server: {}", token.1);

    let again = app.ok("write_client_files", json!({ "application": client_id, "envFile": env_file }));
    assert!(again.as_array().is_some_and(|s| s.iter().all(|x| x["status"] == "unchanged")), "a second write changes nothing: {again}");
    assert_eq!(std::fs::read_to_string(&env_file).expect("the .env file"), env, "the same .env, the same secret");
    app.ok("stop_rest_api", json!({}));
}
