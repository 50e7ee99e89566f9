//! `vaultmort serve --ephemeral --seed FILE`: a seeded throwaway server for test suites. A seed
//! with every kind of object is served to the applications it names (a token from the token
//! endpoint, then the REST API read with reqwest), a wrong seed is refused before anything
//! starts, and the throwaway home (under a private TMPDIR per test) is gone after SIGTERM,
//! Ctrl-C and a failed start, and refused to any other command while the server runs.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The api-version the requests send (one the Azure SDKs send).
const API_VERSION: &str = "7.6";

/// Every kind of object a seed can list.
const EVERY_KIND: &str = r#"
groups: [{name: rg0, location: northeurope}]
applications: [{name: ci-app}, {name: idle-app}, {name: rbac-app}]
vaults:
  - name: seed-vault
    resourceGroup: rg1
    sku: standard
    tags: {purpose: tests}
    secrets:
      - {name: db-conn, value: "Server=x", contentType: text/plain}
    keys:
      - {name: signer, kty: RSA, size: 2048}
      - {name: ec-signer, kty: EC, curve: P-256, keyOps: [sign, verify]}
    issuers: [{name: practice}]
    certificates:
      - {name: site, subject: "CN=site.example", issuer: Self}
      - {name: leaf, subject: "CN=leaf.example", issuer: practice, dnsNames: [leaf.example], validityMonths: 6, keyType: EC}
    accessPolicies:
      - {application: ci-app, secrets: [get, list], keys: [get, sign], certificates: [get]}
  - name: rbac-vault
    resourceGroup: rg0
    enableRbacAuthorization: true
    secrets: [{name: api-key, value: "k-123"}, {name: other, value: "not yours"}]
roleAssignments:
  - {role: Key Vault Secrets User, application: rbac-app, scope: rbac-vault/secrets/api-key}
"#;

/// A private TMPDIR for one test, to count the throwaway homes left in it.
struct PrivateTmp {
    dir: tempfile::TempDir,
}

impl PrivateTmp {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("a private TMPDIR") }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write a scratch file");
        path
    }

    /// The throwaway homes in this TMPDIR.
    fn homes(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .expect("list the private TMPDIR")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.starts_with("vaultmort-ephemeral-"))
            .collect()
    }

    /// `vaultmort` with this TMPDIR and no `VAULTMORT_*` setting of the calling environment.
    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_vaultmort"));
        for (key, _) in std::env::vars() {
            if key.starts_with("VAULTMORT_") {
                command.env_remove(key);
            }
        }
        command.env("TMPDIR", self.dir.path());
        command
    }
}

/// A running `serve --ephemeral`, killed on drop if a test did not stop it.
struct Throwaway {
    child: Child,
    /// The settings line (JSON) or lines (env).
    settings: String,
}

impl Throwaway {
    fn start(tmp: &PrivateTmp, seed: Option<&Path>, extra: &[&str]) -> Self {
        let mut command = tmp.command();
        command.args(["serve", "--ephemeral", "--port", "0"]);
        if let Some(seed) = seed {
            command.arg("--seed").arg(seed);
        }
        let mut child =
            command.args(extra).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("serve starts");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut settings = String::new();
        // JSON: one line. env: lines up to a blank one.
        loop {
            let mut line = String::new();
            let read = reader.read_line(&mut line).expect("read the settings");
            settings.push_str(&line);
            if read == 0 || !extra.contains(&"env") || line == "\n" {
                break;
            }
        }
        if settings.is_empty() {
            let mut stderr = String::new();
            let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut stderr));
            let _ = child.wait();
            panic!("serve printed no settings: {stderr}");
        }
        Self { child, settings }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.settings).unwrap_or_else(|e| panic!("the settings line is JSON ({e}): {}", self.settings))
    }

    /// Sends `signal` (TERM, INT) and waits for the exit, returning its status.
    fn stop(mut self, signal: &str) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args([&format!("-{signal}"), &pid]).status().expect("kill runs");
        assert!(sent.success(), "the signal was delivered");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for serve") {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "serve must stop within 30 s of SIG{signal}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTPS client trusting `ca_file`, reaching `localhost` and each vault's host on loopback.
fn client(ca_file: &Path, port: u16, vaults: &[&str]) -> reqwest::Client {
    let pem = std::fs::read(ca_file).expect("the CA file is there while the server runs");
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).expect("the CA file is PEM")])
        .resolve("localhost", address)
        .no_proxy();
    for vault in vaults {
        builder = builder.resolve(&format!("{vault}.localhost"), address);
    }
    builder.build().expect("an HTTPS client")
}

async fn token(client: &reqwest::Client, settings: &Value, application: &str) -> String {
    let app = &settings["applications"][application];
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app["clientId"].as_str().expect("a client id")),
        ("client_secret", app["clientSecret"].as_str().expect("a client secret")),
        ("scope", "https://vault.azure.net/.default"),
    ];
    let endpoint = settings["tokenEndpoint"].as_str().expect("a token endpoint");
    let response = client.post(endpoint).form(&form).send().await.expect("the token endpoint answers");
    assert!(response.status().is_success(), "the seeded application {application} gets a token: {}", response.status());
    let body: Value = response.json().await.expect("a JSON token response");
    body["access_token"].as_str().expect("an access token").to_string()
}

async fn get(client: &reqwest::Client, url: &str, token: &str) -> (u16, Value) {
    let url = format!("{url}?api-version={API_VERSION}");
    let response = client.get(&url).bearer_auth(token).send().await.expect("the vault answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[test]
fn a_seed_with_every_kind_is_served_to_its_applications_and_gone_after_sigterm() {
    let tmp = PrivateTmp::new();
    let seed = tmp.write("seed.yaml", EVERY_KIND);
    let server = Throwaway::start(&tmp, Some(&seed), &[]);
    let settings = server.json();
    let home = PathBuf::from(settings["home"].as_str().expect("the settings name the home"));
    let ca_file = PathBuf::from(settings["caFile"].as_str().expect("the settings name the CA file"));
    let port = u16::try_from(settings["port"].as_u64().expect("a port")).expect("a TCP port");
    assert_eq!(settings["ephemeral"], true, "the settings say the home is throwaway");
    assert!(ca_file.starts_with(&home), "the CA file lives in the throwaway home: {}", ca_file.display());
    assert_eq!(tmp.homes().len(), 1, "one throwaway home in TMPDIR while serving");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&home).expect("the home exists").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the throwaway home is private");
    }
    assert_eq!(settings["vaults"]["seed-vault"], format!("https://seed-vault.localhost:{port}"), "vault URLs by name");
    assert_eq!(settings["vaults"]["rbac-vault"], format!("https://rbac-vault.localhost:{port}"), "every seeded vault is listed");
    assert_eq!(settings["authority"], format!("https://localhost:{port}"), "the authority to give a credential");
    for app in ["ci-app", "idle-app", "rbac-app"] {
        assert!(settings["applications"][app]["clientSecret"].as_str().is_some_and(|s| s.len() >= 30), "{app} has a client secret");
    }

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let client = client(&ca_file, port, &["seed-vault", "rbac-vault"]);
        let vault = settings["vaults"]["seed-vault"].as_str().expect("the vault's URL");
        let ci = token(&client, &settings, "ci-app").await;
        let (status, secret) = get(&client, &format!("{vault}/secrets/db-conn"), &ci).await;
        assert_eq!(status, 200, "ci-app's policy grants get on secrets: {secret}");
        assert_eq!(secret["value"], "Server=x", "the seeded value is served");
        assert_eq!(secret["contentType"], "text/plain", "with its content type");
        let (status, key) = get(&client, &format!("{vault}/keys/signer"), &ci).await;
        assert_eq!(status, 200, "ci-app may get keys: {key}");
        assert_eq!(key["key"]["kty"], "RSA", "the seeded RSA key");
        assert_eq!(key["key"]["n"].as_str().map(str::len), Some(342), "2048 bits: 256 bytes, 342 base64url characters");
        let (status, key) = get(&client, &format!("{vault}/keys/ec-signer"), &ci).await;
        assert_eq!((status, key["key"]["crv"].as_str()), (200, Some("P-256")), "the seeded EC key: {key}");
        assert_eq!(key["key"]["key_ops"], serde_json::json!(["sign", "verify"]), "with the seeded operations");
        for name in ["site", "leaf"] {
            let (status, certificate) = get(&client, &format!("{vault}/certificates/{name}"), &ci).await;
            assert_eq!(status, 200, "ci-app may get certificates: {certificate}");
            assert!(certificate["cer"].as_str().is_some_and(|c| !c.is_empty()), "certificate {name} was issued at once");
        }
        let idle = token(&client, &settings, "idle-app").await;
        let (status, refusal) = get(&client, &format!("{vault}/secrets/db-conn"), &idle).await;
        assert_eq!(status, 403, "an application without a policy is refused: {refusal}");

        let rbac_vault = settings["vaults"]["rbac-vault"].as_str().expect("the RBAC vault's URL");
        let rbac = token(&client, &settings, "rbac-app").await;
        let (status, secret) = get(&client, &format!("{rbac_vault}/secrets/api-key"), &rbac).await;
        assert_eq!((status, secret["value"].as_str()), (200, Some("k-123")), "the role assignment on the secret grants it: {secret}");
        let (status, _) = get(&client, &format!("{rbac_vault}/secrets/other"), &rbac).await;
        assert_eq!(status, 403, "the role was assigned on one secret, not the vault");
        let (status, _) = get(&client, &format!("{vault}/secrets/db-conn"), &rbac).await;
        assert_eq!(status, 403, "nor on the other vault");
    });

    let status = server.stop("TERM");
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
    assert!(!home.exists(), "the throwaway home is removed after SIGTERM: {}", home.display());
    assert!(tmp.homes().is_empty(), "nothing is left in TMPDIR: {:?}", tmp.homes());
}

#[test]
fn ctrl_c_removes_the_throwaway_home_too() {
    let tmp = PrivateTmp::new();
    let server = Throwaway::start(&tmp, None, &[]);
    let settings = server.json();
    assert_eq!(settings["vaults"], serde_json::json!({}), "no seed, no vaults");
    let status = server.stop("INT");
    assert!(status.success(), "Ctrl-C is a clean stop: {status:?}");
    assert!(tmp.homes().is_empty(), "nothing is left in TMPDIR after Ctrl-C: {:?}", tmp.homes());
}

#[test]
fn wrong_seeds_are_refused_before_anything_starts() {
    let cases = [
        (
            "unknown field",
            "vaults: [{name: seed-vault, resourceGroup: rg, secrets: [{name: a, value: b, colour: red}]}]",
            "vaults[0].secrets[0].colour",
        ),
        ("bad vault name", "vaults: [{name: 'no_underscores', resourceGroup: rg}]", "vaults[0].name"),
        (
            "unknown application",
            "applications: [{name: ci-app}]\nvaults: [{name: seed-vault, resourceGroup: rg, accessPolicies: [{application: nobody, secrets: [get]}]}]",
            "vaults[0].accessPolicies[0].application: no application named 'nobody' in applications",
        ),
        (
            "duplicate names",
            "vaults: [{name: seed-vault, resourceGroup: rg, keys: [{name: k, kty: EC}, {name: K, kty: EC}]}]",
            "vaults[0].keys[1].name",
        ),
        (
            "bad permission",
            "applications: [{name: a}]\nvaults: [{name: seed-vault, resourceGroup: rg, accessPolicies: [{application: a, secrets: [steal]}]}]",
            "vaults[0].accessPolicies[0].secrets",
        ),
        (
            "bad role",
            "applications: [{name: a}]\nvaults: [{name: seed-vault, resourceGroup: rg}]\nroleAssignments: [{role: Wizard, application: a, scope: seed-vault}]",
            "roleAssignments[0].role",
        ),
    ];
    for (what, text, path) in cases {
        let tmp = PrivateTmp::new();
        let seed = tmp.write("seed.yaml", text);
        let out = tmp
            .command()
            .args(["serve", "--ephemeral", "--port", "0", "--seed"])
            .arg(&seed)
            .stdin(Stdio::null())
            .output()
            .expect("serve runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "a seed with a {what} is refused");
        assert!(stderr.contains("ERROR: (BadParameter)"), "a {what} is the caller's mistake: {stderr}");
        assert!(stderr.contains(path), "the refusal of a {what} names `{path}`: {stderr}");
        assert!(out.stdout.is_empty(), "nothing is printed on stdout for a {what}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(tmp.homes().is_empty(), "no throwaway home is made for a {what}: {:?}", tmp.homes());
    }
}

#[test]
fn a_seed_needs_a_throwaway_home() {
    let tmp = PrivateTmp::new();
    let seed = tmp.write("seed.yaml", "applications: [{name: a}]");
    let home = tmp.path().join("real-home");
    let out = tmp
        .command()
        .env("VAULTMORT_HOME", &home)
        .args(["serve", "--port", "0", "--seed"])
        .arg(&seed)
        .stdin(Stdio::null())
        .output()
        .expect("serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "--seed without --ephemeral is refused");
    assert!(stderr.contains("--ephemeral"), "the refusal says what to add: {stderr}");
    assert!(!home.exists(), "the real home is not even made");
}

#[test]
fn a_failed_start_removes_the_throwaway_home() {
    let tmp = PrivateTmp::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let seed = tmp.write("seed.yaml", "vaults: [{name: seed-vault, resourceGroup: rg, secrets: [{name: a, value: b}]}]");
    let out = tmp
        .command()
        .args(["serve", "--ephemeral", "--port", &port, "--seed"])
        .arg(&seed)
        .stdin(Stdio::null())
        .output()
        .expect("serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a taken port stops the start");
    assert!(stderr.contains("AddressInUse"), "the reason is given: {stderr}");
    assert!(out.stdout.is_empty(), "no settings are printed for a server that did not start");
    assert!(tmp.homes().is_empty(), "the seeded throwaway home is removed after a failed start: {:?}", tmp.homes());
}

#[test]
fn another_command_on_the_throwaway_home_is_refused_while_it_runs() {
    let tmp = PrivateTmp::new();
    let server = Throwaway::start(&tmp, None, &[]);
    let home = server.json()["home"].as_str().expect("the home").to_string();
    let out = tmp.command().env("VAULTMORT_HOME", &home).args(["keyvault", "list"]).stdin(Stdio::null()).output().expect("the CLI runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "another process cannot open a throwaway home");
    assert!(stderr.contains("ERROR: (EphemeralHome)"), "with its own code: {stderr}");
    assert!(stderr.contains("serve --ephemeral"), "and a message that says why: {stderr}");
    assert!(server.stop("TERM").success(), "the server is unharmed and stops cleanly");
    assert!(tmp.homes().is_empty(), "and its home is gone: {:?}", tmp.homes());
}

#[test]
fn env_settings_are_dotenv_lines_ending_with_a_blank_line() {
    let tmp = PrivateTmp::new();
    let seed =
        tmp.write("seed.json", r#"{"applications": [{"name": "ci-app"}], "vaults": [{"name": "env-vault", "resourceGroup": "rg"}]}"#);
    let server = Throwaway::start(&tmp, Some(&seed), &["--settings-format", "env"]);
    assert!(server.settings.ends_with("\n\n"), "the settings end with a blank line: {:?}", server.settings);
    let lines: std::collections::BTreeMap<&str, &str> =
        server.settings.lines().filter(|l| !l.is_empty()).map(|l| l.split_once('=').expect("KEY=VALUE")).collect();
    let port = lines["VAULTMORT_PORT"];
    assert_eq!(lines["VAULTMORT_VAULT_ENV_VAULT_URL"], format!("https://env-vault.localhost:{port}"), "one URL line per vault");
    assert_eq!(lines["AZURE_AUTHORITY_HOST"], format!("https://localhost:{port}"), "the authority for Azure credentials");
    for key in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"] {
        assert_eq!(lines[key], lines["VAULTMORT_CA_FILE"], "{key} points at the practice root");
    }
    assert!(Path::new(lines["VAULTMORT_CA_FILE"]).exists(), "the CA file exists while serving");
    assert_eq!(lines["AZURE_CLIENT_ID"], lines["VAULTMORT_APP_CI_APP_CLIENT_ID"], "one application: its id is the default");
    assert_eq!(lines["AZURE_CLIENT_SECRET"], lines["VAULTMORT_APP_CI_APP_CLIENT_SECRET"], "and its secret");
    assert!(lines.contains_key("AZURE_TENANT_ID"), "the tenant is there");
    assert!(server.stop("TERM").success(), "a clean stop");
    assert!(tmp.homes().is_empty(), "and the home is gone: {:?}", tmp.homes());
}
