//! `vaultmort serve`: loopback unless told otherwise, the start-up line scripts read, the
//! owner's client secret in the home, a server certificate openssl verifies against the
//! exported practice root, and a running server that agrees with the CLI beside it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{TestHome, openssl};

#[test]
fn a_non_loopback_bind_needs_allow_remote() {
    let home = TestHome::new();
    let failure = home.fails(&["serve", "--bind", "0.0.0.0", "--port", "0"]);
    assert_eq!(failure.code, "BadParameter", "serving other machines must be asked for: {}", failure.stderr);
    assert!(failure.stderr.contains("--allow-remote"), "the error names the flag: {}", failure.stderr);
}

/// A `vaultmort serve` child over a test home, on a port the system picked, stopped on drop.
pub struct RunningServer {
    child: std::process::Child,
    /// The start-up line.
    pub info: Value,
    /// The port.
    pub port: u64,
    /// The exported practice root, to trust.
    pub root: std::path::PathBuf,
}

impl RunningServer {
    /// Starts `serve --port 0 --default-vault <vault>` and reads its start-up line.
    pub fn start(home: &TestHome, vault: &str) -> Self {
        let root = home.scratch("root.pem");
        home.ok(&["ca", "export-root", "--file", root.to_str().expect("utf-8 path")]);
        let mut child = home
            .command()
            .args(["serve", "--port", "0", "--default-vault", vault])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("vaultmort serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a start-up line");
        let info: Value = match serde_json::from_str(&line) {
            Ok(info) => info,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the start-up line is JSON: {e}: {line}");
            }
        };
        let port = info["port"].as_u64().unwrap_or(0);
        Self { child, info, port, root }
    }

    /// Sends a request with curl (trusting the practice root, at most 20 s) and returns the
    /// status and the JSON body (Null when empty or not JSON).
    pub fn curl(&self, method: &str, path: &str, headers: &[&str], body: Option<&str>) -> (u16, Value) {
        let url = format!("https://127.0.0.1:{}{path}", self.port);
        let mut command = Command::new("curl");
        command.args(["-sS", "--max-time", "20", "--cacert"]).arg(&self.root).args(["-X", method, "-w", "\n%{http_code}"]);
        for header in headers {
            command.args(["-H", header]);
        }
        if let Some(body) = body {
            command.args(["--data-binary", body]);
        }
        let out = command.arg(&url).stdin(Stdio::null()).output().expect("curl runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
        let status = status
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("curl {method} {url} gave no status: {text} {}", String::from_utf8_lossy(&out.stderr)));
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    /// A token for the local owner from the practice token endpoint.
    pub fn owner_token(&self, home: &TestHome) -> String {
        let secret = std::fs::read_to_string(home.path().join("home").join("rest-client-secret")).expect("the owner's client secret");
        let tenant = self.info["tenantId"].as_str().expect("a tenant id");
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fvault.azure.net%2F.default",
            self.info["clientId"].as_str().expect("the owner's client id"),
            secret.trim()
        );
        let (status, body) =
            self.curl("POST", &format!("/{tenant}/oauth2/v2.0/token"), &["Content-Type: application/x-www-form-urlencoded"], Some(&form));
        assert_eq!(status, 200, "the owner gets a token: {body}");
        body["access_token"].as_str().expect("an access token").to_string()
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_prints_its_address_and_presents_a_certificate_from_the_practice_ca() {
    let home = TestHome::with_vault("served");
    let server = RunningServer::start(&home, "served");
    let info = &server.info;
    let port = server.port;
    assert!(port > 0, "a port: {info}");
    let tenant = info["tenantId"].as_str().expect("a tenant id");
    assert_eq!(info["tokenEndpoint"], format!("https://localhost:{port}/{tenant}/oauth2/v2.0/token"), "the token endpoint");
    let secret_file = home.path().join("home").join("rest-client-secret");
    let secret = std::fs::read_to_string(&secret_file).expect("the client secret is kept in the home");
    assert!(secret.trim().len() >= 32, "a long random client secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file).expect("the secret file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the secret file is private to its owner, not {mode:o}");
    }
    let connect = format!("127.0.0.1:{port}");
    let root = server.root.to_str().expect("utf-8 path");
    let out = openssl(
        &[
            "s_client",
            "-connect",
            &connect,
            "-servername",
            "served.localhost",
            "-verify_hostname",
            "served.localhost",
            "-CAfile",
            root,
            "-verify_return_error",
            "-brief",
        ],
        Some(b""),
    );
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && text.contains("Verification: OK"),
        "openssl verifies the server for served.localhost against the practice root: {text}"
    );
}

/// Regression, issue 11 point 2: a running server did not see the CLI's `clock shift`: a token
/// whose lifetime had run out on the shifted clock was still accepted, and writes over REST were
/// stamped with the unshifted time.
#[test]
fn a_running_server_refuses_an_expired_token_right_after_the_cli_shifts_the_clock() {
    let home = TestHome::with_vault("served");
    let server = RunningServer::start(&home, "served");
    let token = server.owner_token(&home);
    let bearer = format!("Authorization: Bearer {token}");
    let (status, body) = server.curl("GET", "/secrets?api-version=7.6", &[&bearer], None);
    assert_eq!(status, 200, "the fresh token works: {body}");

    // Tokens live an hour: two hours on, this one has expired.
    home.ok(&["clock", "shift", "--hours", "2"]);
    let (status, body) = server.curl("GET", "/secrets?api-version=7.6", &[&bearer], None);
    assert_eq!(status, 401, "the running server reads the shifted clock at once and refuses the expired token: {body}");

    let token = server.owner_token(&home);
    let bearer = format!("Authorization: Bearer {token}");
    let (status, body) =
        server.curl("PUT", "/secrets/stamped?api-version=7.6", &[&bearer, "Content-Type: application/json"], Some(r#"{"value":"v"}"#));
    assert_eq!(status, 200, "a new token works: {body}");
    let created = body["attributes"]["created"].as_i64().expect("a creation time");
    let shifted_now = chrono::Utc::now().timestamp() + 2 * 3600;
    assert!(
        (created - shifted_now).abs() < 60,
        "a write over REST is stamped with the shifted time: created {created}, shifted now {shifted_now}"
    );
}
