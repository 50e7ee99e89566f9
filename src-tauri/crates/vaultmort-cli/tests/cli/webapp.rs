//! `vaultmort webapp ...` from outside: the PetDash story end to end against a running
//! `vaultmort serve --webapp-port` (a practice-CA certificate imported from Key Vault, bound to
//! www.petdash.com, served over real TLS, renewed and swapped without a restart), and every Key
//! Vault import and binding rule refused with its code and message, leaving nothing half-made.
//! openssl, curl and Python's ssl module are the referees of what is served.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vaultmort_test_support::openssl::Scratch;
use vaultmort_test_support::text::pem_blocks;

use crate::support::{TestHome, openssl, openssl_ok};

/// The App Service resource provider's app id, as Azure's (and Vaultmort's directory) has it.
pub const APP_SERVICE_APP_ID: &str = "abfa0a7c-a6b6-4736-8310-5855508787cd";
const VAULT: &str = "petdashkv";
const HOST: &str = "www.petdash.com";
const KEEP_ALIVE_CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/scripts/keep_alive_client.py");

pub fn p(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// `args` followed by `scope` (`-g rg`, perhaps with `--subscription`).
fn with(args: &[&str], scope: &[&str]) -> Vec<String> {
    args.iter().chain(scope).map(|s| s.to_string()).collect()
}

/// Runs a command that must succeed, with `scope` appended.
pub fn ok_in(home: &TestHome, args: &[&str], scope: &[&str]) -> Value {
    let all = with(args, scope);
    home.ok(&all.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Runs a command that must fail, with `scope` appended.
pub fn fails_in(home: &TestHome, args: &[&str], scope: &[&str]) -> crate::support::Failure {
    let all = with(args, scope);
    home.fails(&all.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Makes plan `plan` of `sku` and web app `app` on it in the group `scope` names; returns the app.
pub fn plan_and_app(home: &TestHome, scope: &[&str], plan: &str, sku: &str, app: &str) -> Value {
    let made = ok_in(home, &["appservice", "plan", "create", "-n", plan, "--sku", sku], scope);
    assert_eq!(made["sku"]["name"], sku, "the plan has the SKU asked for: {made}");
    let app = ok_in(home, &["webapp", "create", "-n", app, "--plan", plan], scope);
    assert_eq!(app["defaultHostName"], format!("{}.azurewebsites.localhost", app["name"].as_str().unwrap_or_default()), "{app}");
    app
}

/// Makes zone `zone` in the group `scope` names, with the TXT and CNAME records that verify
/// `<relative>.<zone>` for `app` (as `webapp show` printed it).
pub fn verify_domain(home: &TestHome, scope: &[&str], app: &Value, zone: &str, relative: &str) {
    ok_in(home, &["network", "dns", "zone", "create", "-n", zone], scope);
    let id = app["customDomainVerificationId"].as_str().expect("a web app has a customDomainVerificationId");
    let asuid = format!("asuid.{relative}");
    ok_in(home, &["network", "dns", "record-set", "txt", "add-record", "-z", zone, "-n", &asuid, "-v", id], scope);
    let target = app["defaultHostName"].as_str().expect("a default host name");
    ok_in(home, &["network", "dns", "record-set", "cname", "set-record", "-z", zone, "-n", relative, "-c", target], scope);
}

/// A self-signed certificate for `dns_name` valid `days` days, made by openssl, as a PFX file
/// protected by `password`.
pub fn openssl_pfx(scratch: &Scratch, name: &str, dns_name: &str, days: u32, password: &str) -> PathBuf {
    let (key, cert, pfx) = (format!("{name}.key"), format!("{name}.pem"), format!("{name}.pfx"));
    let days = days.to_string();
    let subject = format!("/CN={dns_name}");
    let san = format!("subjectAltName=DNS:{dns_name}");
    scratch.openssl(&[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &cert, "-days", &days, "-subj", &subject, "-addext", &san,
    ]);
    let passout = format!("pass:{password}");
    scratch.openssl(&["pkcs12", "-export", "-inkey", &key, "-in", &cert, "-passout", &passout, "-out", &pfx]);
    scratch.path(&pfx)
}

/// The SHA-1 fingerprint of a PEM certificate file, as openssl computes it (upper-case hex).
fn openssl_thumbprint(pem: &Path) -> String {
    let printed = String::from_utf8(openssl_ok(&["x509", "-in", p(pem), "-noout", "-fingerprint", "-sha1"], None)).expect("text");
    printed.trim().rsplit('=').next().unwrap_or_default().replace(':', "").to_ascii_uppercase()
}

/// openssl's one-line subject of a PEM certificate, for failure messages.
fn openssl_subject(pem: &[u8]) -> String {
    String::from_utf8_lossy(&openssl_ok(&["x509", "-noout", "-subject"], Some(pem))).trim().to_string()
}

/// openssl's `serial=...` of a PEM certificate (file or text).
fn openssl_serial(pem: &[u8]) -> String {
    let printed = String::from_utf8(openssl_ok(&["x509", "-noout", "-serial"], Some(pem))).expect("text");
    printed.trim().trim_start_matches("serial=").to_ascii_uppercase()
}

/// The `(name, thumbprint)` of every App Service certificate of the group `scope` names.
pub fn certificates_in(home: &TestHome, scope: &[&str]) -> Vec<(String, String)> {
    let listed = ok_in(home, &["webapp", "config", "ssl", "list"], scope);
    let mut out: Vec<(String, String)> = listed
        .as_array()
        .expect("ssl list prints an array")
        .iter()
        .map(|c| (c["name"].as_str().unwrap_or_default().to_string(), c["thumbprint"].as_str().unwrap_or_default().to_string()))
        .collect();
    out.sort();
    out
}

/// Writes a certificate policy to a scratch file and returns the `@file` argument.
fn policy_arg(home: &TestHome, name: &str, policy: &Value) -> String {
    let path = home.scratch(&format!("{name}.policy.json"));
    std::fs::write(&path, serde_json::to_vec(policy).expect("a policy serializes")).expect("the policy file is written");
    format!("@{}", p(&path))
}

/// A policy for `CN=<dns_name>` (and that SAN), RSA 2048, 12 months, from `issuer`.
fn site_policy(dns_name: &str, issuer: &str, content_type: &str, lifetime_actions: Value) -> Value {
    json!({
        "keyProperties": {"exportable": true, "keyType": "RSA", "keySize": 2048, "reuseKey": false},
        "secretProperties": {"contentType": content_type},
        "x509CertificateProperties": {
            "subject": format!("CN={dns_name}"),
            "subjectAlternativeNames": {"dnsNames": [dns_name]},
            "ekus": ["1.3.6.1.5.5.7.3.1"],
            "keyUsage": ["digitalSignature", "keyEncipherment"],
            "validityInMonths": 12
        },
        "lifetimeActions": lifetime_actions,
        "issuerParameters": {"name": issuer}
    })
}

fn create_certificate(home: &TestHome, vault: &str, name: &str, policy: &Value) -> Value {
    let arg = policy_arg(home, name, policy);
    let op = home.ok(&["keyvault", "certificate", "create", "--vault-name", vault, "--name", name, "--policy", &arg]);
    assert_eq!(op["status"], "completed", "Self and the practice CA issue at once: {op}");
    home.ok(&["keyvault", "certificate", "show", "--vault-name", vault, "--name", name])
}

/// The latest version of a vault certificate, downloaded as PEM.
fn download_pem(home: &TestHome, vault: &str, name: &str, file: &str) -> PathBuf {
    let path = home.scratch(file);
    home.ok(&["keyvault", "certificate", "download", "--vault-name", vault, "--name", name, "--encoding", "PEM", "--file", p(&path)]);
    path
}

/// What a probe saw instead of the state it waits for.
#[derive(Debug)]
struct NotYet(String);

/// A probe's "not yet", saying what it saw.
fn not_yet<T>(seen: String) -> Result<T, NotYet> {
    Err(NotYet(seen))
}

/// Waits up to 30 s for `probe` to give a value (the front end reloads within a second of a
/// change; the margin is for a loaded machine).
fn eventually<T>(what: &str, mut probe: impl FnMut() -> Result<T, NotYet>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match probe() {
            Ok(value) => return value,
            Err(NotYet(last)) if Instant::now() > deadline => panic!("{what} within 30 s; last seen: {last}"),
            Err(_) => std::thread::sleep(Duration::from_millis(300)),
        }
    }
}

/// `vaultmort serve --port 0 --webapp-port 0 --webapp-http-port 0` on a test home, killed on drop.
struct FrontEndServer {
    child: Child,
    https_port: u16,
    http_port: u16,
}

impl FrontEndServer {
    fn start(home: &TestHome) -> Self {
        let mut child = home
            .command()
            .args(["serve", "--port", "0", "--webapp-port", "0", "--webapp-http-port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("vaultmort serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a start-up line");
        let info: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        let port = |key: &str| info[key].as_u64().and_then(|p| u16::try_from(p).ok()).filter(|p| *p > 0);
        let (Some(https_port), Some(http_port)) = (port("webappHttpsPort"), port("webappHttpPort")) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the start-up line names the web apps' HTTPS and HTTP ports when --webapp-port is given: {line}");
        };
        Self { child, https_port, http_port }
    }

    /// Whether the serve process is still the one started (it has not exited).
    fn still_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for FrontEndServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The chain the front end presents for `host` on `port` (PEM blocks, leaf first), as
/// `openssl s_client -showcerts` receives it.
fn presented_chain(port: u16, host: &str) -> Result<Vec<String>, NotYet> {
    let connect = format!("127.0.0.1:{port}");
    let out = openssl(&["s_client", "-connect", &connect, "-servername", host, "-showcerts"], Some(b""));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let blocks = pem_blocks(&text);
    if blocks.is_empty() {
        return not_yet(format!("no certificate in the handshake: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(blocks)
}

/// Runs curl with `args`; returns whether it succeeded, its stdout and its stderr.
fn curl(args: &[&str]) -> (bool, String, String) {
    let out = Command::new("curl").args(["-sS", "--max-time", "20"]).args(args).stdin(Stdio::null()).output().expect("curl runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A Python client holding one TLS connection to the front end open.
struct KeepAliveClient {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl KeepAliveClient {
    fn connect(port: u16, host: &str, ca: &Path) -> Self {
        let mut child = Command::new("python3")
            .args([KEEP_ALIVE_CLIENT, host, &port.to_string(), p(ca)])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the keep-alive client");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Self { child, stdin, stdout }
    }

    /// Sends one `GET /` on the open connection: (status, thumbprint presented, local port).
    fn request(&mut self) -> (String, String, String) {
        writeln!(self.stdin).expect("the client reads its stdin");
        self.stdin.flush().expect("flush");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("the client answers");
        let mut parts = line.split_whitespace().map(str::to_string);
        let status = parts.next().unwrap_or_default();
        assert_ne!(status, "ERROR", "the open connection still answers: {line}");
        (status, parts.next().unwrap_or_default(), parts.next().unwrap_or_default())
    }
}

impl Drop for KeepAliveClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// 1. The PetDash story, from outside
// ---------------------------------------------------------------------------------------------

#[test]
fn petdash_story_from_outside_a_key_vault_certificate_is_served_for_www_petdash_com_and_its_renewal_is_swapped_in_without_a_restart() {
    let home = TestHome::with_vault(VAULT);
    let mut server = FrontEndServer::start(&home);
    let serve_pid = server.child.id();
    let root = home.scratch("root.pem");
    home.ok(&["ca", "export-root", "--file", p(&root)]);
    let rg: &[&str] = &["-g", "rg"];

    // The vault's certificate: issued by the practice CA, a PKCS#12 secret, renewed at 80 %.
    home.ok(&[
        "keyvault",
        "certificate",
        "issuer",
        "create",
        "--vault-name",
        VAULT,
        "--issuer-name",
        "practice",
        "--provider-name",
        "VaultmortPractice",
    ]);
    let auto_renew = json!([{"trigger": {"lifetimePercentage": 80}, "action": {"actionType": "AutoRenew"}}]);
    let created = create_certificate(&home, VAULT, "petdash-www", &site_policy(HOST, "practice", "application/x-pkcs12", auto_renew));
    let first_version = created["id"].as_str().and_then(|id| id.rsplit('/').next()).expect("a version").to_string();
    let vault_leaf = download_pem(&home, VAULT, "petdash-www", "petdash-www-1.pem");
    let vault_serial = openssl_serial(&std::fs::read(&vault_leaf).expect("the downloaded certificate"));
    home.ok(&["keyvault", "set-policy", "--name", VAULT, "--spn", APP_SERVICE_APP_ID, "--secret-permissions", "get"]);

    // The site, its domain in practice DNS, the import and the SNI binding.
    let app = plan_and_app(&home, rg, "petdash-plan", "B1", "petdash");
    verify_domain(&home, rg, &app, "petdash.com", "www");
    let added = ok_in(&home, &["webapp", "config", "hostname", "add", "--webapp-name", "petdash", "--hostname", HOST], rg);
    assert_eq!(added["name"], format!("petdash/{HOST}"), "hostname add answers with the new binding: {added}");
    let imported = ok_in(
        &home,
        &["webapp", "config", "ssl", "import", "-n", "petdash", "--key-vault", VAULT, "--key-vault-certificate-name", "petdash-www"],
        rg,
    );
    let thumbprint = imported["thumbprint"].as_str().expect("the imported certificate has a thumbprint").to_string();
    assert_eq!(thumbprint, openssl_thumbprint(&vault_leaf), "App Service holds the vault's certificate (openssl's SHA-1): {imported}");
    assert_eq!(imported["keyVaultSecretVersion"], first_version.as_str(), "the import took the certificate's current version");
    let bound = ok_in(
        &home,
        &["webapp", "config", "ssl", "bind", "-n", "petdash", "--certificate-thumbprint", &thumbprint, "--ssl-type", "SNI"],
        rg,
    );
    let state = bound["hostNameSslStates"].as_array().and_then(|s| s.iter().find(|s| s["name"] == HOST)).cloned().unwrap_or_default();
    assert_eq!(state["sslState"], "SniEnabled", "the binding is SNI: {bound}");
    assert_eq!(state["thumbprint"], thumbprint.as_str(), "the binding names the imported certificate: {bound}");

    // From outside: openssl sees the vault's certificate for www.petdash.com, chained to the root.
    let port = server.https_port;
    let chain = eventually("the running front end presents the vault's certificate for www.petdash.com", || {
        let chain = presented_chain(port, HOST)?;
        let serial = openssl_serial(chain[0].as_bytes());
        if serial == vault_serial {
            Ok(chain)
        } else {
            not_yet(format!("{} serial {serial}, the vault's is {vault_serial}", openssl_subject(chain[0].as_bytes())))
        }
    });
    assert!(chain.len() >= 2, "the front end sends the intermediate with the leaf, got {} certificate(s)", chain.len());
    let leaf = home.scratch("presented-leaf.pem");
    let intermediate = home.scratch("presented-intermediate.pem");
    std::fs::write(&leaf, &chain[0]).expect("leaf");
    std::fs::write(&intermediate, &chain[1]).expect("intermediate");
    let verify = openssl(&["verify", "-CAfile", p(&root), "-untrusted", p(&intermediate), "-verify_hostname", HOST, p(&leaf)], None);
    assert!(
        verify.status.success(),
        "openssl verifies the presented leaf for www.petdash.com through the presented intermediate to the exported practice root: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );

    // curl trusts the root and gets the page; TLS 1.1 is refused by the server (an alert).
    let resolve = format!("{HOST}:{port}:127.0.0.1");
    let url = format!("https://{HOST}:{port}/");
    let (ok, body, err) = curl(&["--cacert", p(&root), "--resolve", &resolve, "-w", "\n%{http_code}", &url]);
    assert!(ok, "curl reaches https://www.petdash.com over the practice root: {err}");
    let (page, status) = body.rsplit_once('\n').unwrap_or_default();
    assert_eq!(status, "200", "the page answers 200: {body}");
    assert!(page.contains("petdash"), "the page names the app: {page}");
    let (ok, _, err) = curl(&[
        "--cacert",
        p(&root),
        "--resolve",
        &resolve,
        "--tlsv1.1",
        "--tls-max",
        "1.1",
        "--ciphers",
        "DEFAULT@SECLEVEL=0",
        "-o",
        "/dev/null",
        &url,
    ]);
    assert!(!ok, "a TLS 1.1 handshake is refused");
    assert!(err.contains("alert"), "the refusal is the server's alert, not a client that could not offer TLS 1.1: {err}");

    // Minimum TLS 1.3: a TLS 1.2 handshake is refused from then on; back to 1.2, it is served.
    let tls12 = |root: &Path| {
        curl(&["--cacert", p(root), "--resolve", &resolve, "--tlsv1.2", "--tls-max", "1.2", "-o", "/dev/null", "-w", "%{http_code}", &url])
    };
    assert_eq!(tls12(&root).1, "200", "TLS 1.2 is served by default");
    let refused = fails_in(&home, &["webapp", "config", "set", "-n", "petdash", "--min-tls-version", "1.1"], rg);
    assert_eq!(refused.code, "BadParameter", "TLS 1.1 is not offered as a minimum: {}", refused.stderr);
    let config = ok_in(&home, &["webapp", "config", "set", "-n", "petdash", "--min-tls-version", "1.3"], rg);
    assert_eq!(config["minTlsVersion"], "1.3", "{config}");
    let err = eventually("a TLS 1.2 handshake is refused once the minimum is 1.3", || match tls12(&root) {
        (false, _, err) => Ok(err),
        (true, out, _) => not_yet(format!("still served: {out}")),
    });
    assert!(err.contains("alert"), "the server refuses it with an alert: {err}");
    ok_in(&home, &["webapp", "config", "set", "-n", "petdash", "--min-tls-version", "1.2"], rg);
    eventually("TLS 1.2 is served again once the minimum is back to 1.2", || match tls12(&root) {
        (true, out, _) if out == "200" => Ok(()),
        (_, out, err) => not_yet(format!("{out} {err}")),
    });

    // HTTPS Only: plain HTTP is redirected.
    let http_port = server.http_port;
    let http_resolve = format!("{HOST}:{http_port}:127.0.0.1");
    let http_url = format!("http://{HOST}:{http_port}/");
    let (_, before, _) = curl(&["--resolve", &http_resolve, "-o", "/dev/null", "-w", "%{http_code}", &http_url]);
    assert_eq!(before, "200", "without HTTPS Only, plain HTTP serves the page");
    let updated = ok_in(&home, &["webapp", "update", "-n", "petdash", "--https-only", "true"], rg);
    assert_eq!(updated["httpsOnly"], true, "{updated}");
    let redirect = eventually("plain HTTP is redirected once HTTPS Only is on", || {
        let (_, out, err) = curl(&["--resolve", &http_resolve, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", &http_url]);
        if out.starts_with("301 ") { Ok(out) } else { not_yet(format!("{out} {err}")) }
    });
    assert_eq!(redirect, format!("301 https://{HOST}:{port}/"), "a 301 to the same host on the HTTPS port");

    // A browser-like client opens a connection before the renewal and keeps it.
    let mut client = KeepAliveClient::connect(port, HOST, &root);
    let (status, presented_before, local_port) = client.request();
    assert_eq!(status, "200", "the kept connection's first request is served");
    assert_eq!(presented_before, thumbprint, "the kept connection was made with the bound certificate");

    // The clock moves to the renewal point; the next CLI command runs the scheduler (renewal,
    // then App Service's due 24-hour sync), as the serve process would within a minute.
    home.ok(&["clock", "shift", "--days", "300"]);
    home.ok(&["clock", "show"]);
    let versions = home.ok(&["keyvault", "certificate", "list-versions", "--vault-name", VAULT, "--name", "petdash-www"]);
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "AutoRenew at 80 % made a second version: {versions}");
    let renewed = home.ok(&["keyvault", "certificate", "show", "--vault-name", VAULT, "--name", "petdash-www"]);
    let new_version = renewed["id"].as_str().and_then(|id| id.rsplit('/').next()).expect("a version").to_string();
    assert_ne!(new_version, first_version, "the latest version is the renewed one");
    let new_leaf = download_pem(&home, VAULT, "petdash-www", "petdash-www-2.pem");
    let new_serial = openssl_serial(&std::fs::read(&new_leaf).expect("the renewed certificate"));
    let new_thumbprint = openssl_thumbprint(&new_leaf);
    assert_ne!(new_serial, vault_serial, "the renewed certificate is a new certificate");
    let synced = ok_in(&home, &["webapp", "config", "ssl", "show", "--certificate-thumbprint", &new_thumbprint], rg);
    assert_eq!(synced["keyVaultSecretVersion"], new_version.as_str(), "the scheduler's sync took the new version: {synced}");
    assert_eq!(synced["keyVaultSecretStatus"], "Succeeded", "{synced}");
    let app = ok_in(&home, &["webapp", "show", "-n", "petdash"], rg);
    let state = app["hostNameSslStates"].as_array().and_then(|s| s.iter().find(|s| s["name"] == HOST)).cloned().unwrap_or_default();
    assert_eq!(state["thumbprint"], new_thumbprint.as_str(), "the binding followed the certificate to its new thumbprint: {app}");

    // New handshakes get the new certificate from the same, never restarted, process...
    eventually("the running front end presents the renewed certificate", || {
        let presented = presented_chain(port, HOST)?;
        let serial = openssl_serial(presented[0].as_bytes());
        if serial == new_serial {
            Ok(())
        } else {
            not_yet(format!("{} serial {serial}, the vault's new one is {new_serial}", openssl_subject(presented[0].as_bytes())))
        }
    });
    assert!(server.still_running(), "the serve process never exited");
    assert_eq!(server.child.id(), serve_pid, "the same serve process (pid {serve_pid}) answers");
    // ... and the connection opened before the swap still answers, over the same TCP connection.
    let (status, presented_after, local_port_after) = client.request();
    assert_eq!(status, "200", "the connection opened before the swap still answers its second request");
    assert_eq!(local_port_after, local_port, "the second answer came over the same connection");
    assert_eq!(presented_after, thumbprint, "that connection keeps the certificate it was made with");
}

// ---------------------------------------------------------------------------------------------
// 2. Every import and binding rule, refused with its code and message
// ---------------------------------------------------------------------------------------------

/// `webapp show` and the certificates of `rg`, to compare before and after a refusal.
fn site_state(home: &TestHome, rg: &[&str]) -> (Value, Vec<(String, String)>) {
    (ok_in(home, &["webapp", "show", "-n", "petdash"], rg), certificates_in(home, rg))
}

fn import(scope: &[&str], app: &str, certificate: &str) -> Vec<String> {
    with(&["webapp", "config", "ssl", "import", "-n", app, "--key-vault", VAULT, "--key-vault-certificate-name", certificate], scope)
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn every_key_vault_import_rule_is_refused_with_its_code_and_message_and_leaves_nothing_half_made() {
    let home = TestHome::with_vault(VAULT);
    let rg: &[&str] = &["-g", "rg"];
    let none = json!([]);
    for name in ["site-a", "site-b", "site-c"] {
        create_certificate(&home, VAULT, name, &site_policy(HOST, "Self", "application/x-pkcs12", none.clone()));
    }
    create_certificate(&home, VAULT, "site-pem", &site_policy(HOST, "Self", "application/x-pem-file", none.clone()));
    let scratch = Scratch::new();
    let locked = openssl_pfx(&scratch, "locked", HOST, 365, "x");
    home.ok(&[
        "keyvault",
        "secret",
        "set",
        "--vault-name",
        VAULT,
        "--name",
        "locked",
        "--file",
        p(&locked),
        "--encoding",
        "base64",
        "--content-type",
        "application/x-pkcs12",
    ]);
    let app = plan_and_app(&home, rg, "petdash-plan", "B1", "petdash");
    verify_domain(&home, rg, &app, "petdash.com", "www");
    ok_in(&home, &["webapp", "config", "hostname", "add", "--webapp-name", "petdash", "--hostname", HOST], rg);

    // No access policy for App Service yet.
    let before = site_state(&home, rg);
    let refused = home.fails(&strs(&import(rg, "petdash", "site-a")));
    assert_eq!(refused.code, "AzureServiceUnauthorizedToAccessKeyVault", "App Service may not read the secret: {}", refused.stderr);
    assert!(
        refused.stderr.contains(APP_SERVICE_APP_ID) && refused.stderr.contains("set-policy"),
        "the message names the principal and the fix: {}",
        refused.stderr
    );
    assert_eq!(site_state(&home, rg), before, "a refused import stores no certificate and changes no binding");
    home.ok(&["keyvault", "set-policy", "--name", VAULT, "--spn", APP_SERVICE_APP_ID, "--secret-permissions", "get"]);
    let imported = home.ok(&strs(&import(rg, "petdash", "site-a")));
    assert_eq!(imported["keyVaultSecretStatus"], "Succeeded", "with secret Get the import goes through: {imported}");
    assert_eq!(certificates_in(&home, rg).len(), 1, "one certificate now");

    // A firewall that lets nothing through, trusted services included.
    home.ok(&["keyvault", "update", "--name", VAULT, "--default-action", "Deny", "--bypass", "None"]);
    let before = site_state(&home, rg);
    let refused = home.fails(&strs(&import(rg, "petdash", "site-b")));
    assert_eq!(refused.code, "KeyVaultFirewallBlocked", "the vault's firewall refuses the resource provider: {}", refused.stderr);
    assert!(refused.stderr.contains("--bypass AzureServices"), "the message names the fix: {}", refused.stderr);
    assert_eq!(site_state(&home, rg), before, "a refused import stores nothing");
    home.ok(&["keyvault", "update", "--name", VAULT, "--bypass", "AzureServices"]);
    let imported = home.ok(&strs(&import(rg, "petdash", "site-b")));
    assert_eq!(imported["keyVaultSecretName"], "site-b", "trusted services pass the firewall: {imported}");
    home.ok(&["keyvault", "update", "--name", VAULT, "--default-action", "Allow"]);

    // A PEM secret, and a password-protected PFX.
    let before = site_state(&home, rg);
    let refused = home.fails(&strs(&import(rg, "petdash", "site-pem")));
    assert_eq!(refused.code, "KeyVaultSecretNotPkcs12", "App Service imports only PKCS#12: {}", refused.stderr);
    assert!(refused.stderr.contains("application/x-pem-file"), "the message names the secret's content type: {}", refused.stderr);
    assert_eq!(site_state(&home, rg), before, "a refused import stores nothing");
    let refused = home.fails(&strs(&import(rg, "petdash", "locked")));
    assert_eq!(refused.code, "KeyVaultSecretPasswordProtected", "a PFX with a password is refused: {}", refused.stderr);
    assert!(refused.stderr.contains("password"), "the message says why: {}", refused.stderr);
    assert_eq!(site_state(&home, rg), before, "a refused import stores nothing");

    // A web app in another subscription.
    let second = home.ok(&["account", "create", "--name", "PetDash staging"]);
    let second_id = second["id"].as_str().expect("the new subscription's id").to_string();
    assert_eq!(second["isDefault"], false, "a made subscription is not the default one: {second}");
    let listed = home.ok(&["account", "list"]);
    assert!(
        listed.as_array().is_some_and(|all| all.iter().any(|s| s["id"] == second_id.as_str())),
        "account list shows the new subscription: {listed}"
    );
    let group = home.ok(&["group", "create", "--name", "rg-staging", "--location", "westeurope", "--subscription", "PetDash staging"]);
    assert!(group["id"].as_str().is_some_and(|id| id.contains(&second_id)), "the group lives in the new subscription: {group}");
    let staging: &[&str] = &["-g", "rg-staging", "--subscription", &second_id];
    plan_and_app(&home, staging, "staging-plan", "B1", "petdash-staging");
    let refused = home.fails(&strs(&import(staging, "petdash-staging", "site-c")));
    assert_eq!(refused.code, "KeyVaultInAnotherSubscription", "the vault is in the default subscription: {}", refused.stderr);
    assert!(refused.stderr.contains(&second_id), "the message names the app's subscription: {}", refused.stderr);
    assert_eq!(certificates_in(&home, staging), Vec::new(), "nothing is stored in the other subscription's group");
    assert_eq!(site_state(&home, rg), before, "nor in the vault's");
}

#[test]
fn a_certificate_that_does_not_cover_the_host_name_or_has_expired_is_not_bound() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let rg: &[&str] = &["-g", "rg"];
    let app = plan_and_app(&home, rg, "petdash-plan", "B1", "petdash");
    verify_domain(&home, rg, &app, "petdash.com", "www");
    ok_in(&home, &["webapp", "config", "hostname", "add", "--webapp-name", "petdash", "--hostname", HOST], rg);
    let scratch = Scratch::new();

    // Another domain's certificate: uploaded, but bound to nothing.
    let other = openssl_pfx(&scratch, "other", "other.example.com", 365, "pw");
    let uploaded = ok_in(
        &home,
        &["webapp", "config", "ssl", "upload", "-n", "petdash", "--certificate-file", p(&other), "--certificate-password", "pw"],
        rg,
    );
    let other_thumbprint = uploaded["thumbprint"].as_str().expect("a thumbprint").to_string();
    assert_eq!(other_thumbprint, openssl_thumbprint(&scratch.path("other.pem")), "the upload holds openssl's certificate: {uploaded}");
    assert_eq!(uploaded["hostNames"], json!(["other.example.com"]), "{uploaded}");
    let before = site_state(&home, rg);
    for hostname in [Some(HOST), None] {
        let mut args = vec!["webapp", "config", "ssl", "bind", "-n", "petdash", "--certificate-thumbprint", &other_thumbprint];
        args.extend(["--ssl-type", "SNI"]);
        if let Some(host) = hostname {
            args.extend(["--hostname", host]);
        }
        let refused = fails_in(&home, &args, rg);
        assert_eq!(refused.code, "CertificateDoesNotCoverHostName", "other.example.com does not cover www: {}", refused.stderr);
        assert!(refused.stderr.contains("other.example.com"), "the message names what it covers: {}", refused.stderr);
        assert_eq!(site_state(&home, rg), before, "a refused binding changes nothing");
    }

    // A certificate valid for one day, two days on.
    let short = openssl_pfx(&scratch, "short", HOST, 1, "pw");
    let uploaded = ok_in(
        &home,
        &["webapp", "config", "ssl", "upload", "-n", "petdash", "--certificate-file", p(&short), "--certificate-password", "pw"],
        rg,
    );
    let short_thumbprint = uploaded["thumbprint"].as_str().expect("a thumbprint").to_string();
    home.ok(&["clock", "shift", "--days", "2"]);
    let before = site_state(&home, rg);
    let refused = fails_in(
        &home,
        &["webapp", "config", "ssl", "bind", "-n", "petdash", "--certificate-thumbprint", &short_thumbprint, "--ssl-type", "SNI"],
        rg,
    );
    assert_eq!(refused.code, "CertificateExpired", "a certificate past its not-after is not bound: {}", refused.stderr);
    assert!(refused.stderr.contains("expired"), "the message says so: {}", refused.stderr);
    assert_eq!(site_state(&home, rg), before, "a refused binding changes nothing");

    // The wrong password, and a file that never ends.
    let refused = fails_in(
        &home,
        &["webapp", "config", "ssl", "upload", "-n", "petdash", "--certificate-file", p(&short), "--certificate-password", "wrong"],
        rg,
    );
    assert!(refused.stderr.contains("password"), "a wrong PFX password is named: {}", refused.stderr);
    let started = Instant::now();
    let refused = fails_in(&home, &["webapp", "config", "ssl", "upload", "-n", "petdash", "--certificate-file", "/dev/zero"], rg);
    assert!(started.elapsed() < Duration::from_secs(20), "/dev/zero is refused at once, not read to its end");
    assert_eq!(refused.code, "BadParameter", "an endless file is a bad parameter: {}", refused.stderr);
    assert!(refused.stderr.contains("larger than"), "the file is refused as too large: {}", refused.stderr);
    assert_eq!(site_state(&home, rg), before, "refused uploads store nothing");
}

/// The SSL state and thumbprint of `host` in `webapp show`.
fn binding_of(app: &Value, host: &str) -> (Value, Value) {
    let state = app["hostNameSslStates"].as_array().and_then(|s| s.iter().find(|s| s["name"] == host)).cloned().unwrap_or_default();
    (state["sslState"].clone(), state["thumbprint"].clone())
}

#[test]
fn sync_now_takes_a_new_key_vault_version_at_once_and_a_failed_look_keeps_the_last_good_certificate() {
    let home = TestHome::with_vault(VAULT);
    let rg: &[&str] = &["-g", "rg"];
    let policy = site_policy(HOST, "Self", "application/x-pkcs12", json!([]));
    let first = create_certificate(&home, VAULT, "site", &policy);
    home.ok(&["keyvault", "set-policy", "--name", VAULT, "--spn", APP_SERVICE_APP_ID, "--secret-permissions", "get"]);
    let app = plan_and_app(&home, rg, "petdash-plan", "B1", "petdash");
    verify_domain(&home, rg, &app, "petdash.com", "www");
    ok_in(&home, &["webapp", "config", "hostname", "add", "--webapp-name", "petdash", "--hostname", HOST], rg);
    let imported = home.ok(&strs(&import(rg, "petdash", "site")));
    let old = imported["thumbprint"].as_str().expect("a thumbprint").to_string();
    assert_eq!(first["x509ThumbprintHex"], old.as_str(), "the import holds the vault's current version");
    ok_in(&home, &["webapp", "config", "ssl", "bind", "-n", "petdash", "--certificate-thumbprint", &old, "--ssl-type", "SNI"], rg);

    // A new version in the vault; the 24-hour sync is not due, so App Service still holds the old one.
    let second = create_certificate(&home, VAULT, "site", &policy);
    let new = second["x509ThumbprintHex"].as_str().expect("a thumbprint").to_string();
    assert_ne!(new, old, "a new version is a new certificate");
    let held = ok_in(&home, &["webapp", "config", "ssl", "show", "--certificate-thumbprint", &old], rg);
    assert_eq!(held["thumbprint"], old.as_str(), "before Sync now, the old version is held: {held}");

    // Sync now takes it at once, and the binding follows.
    let synced = ok_in(&home, &["webapp", "config", "ssl", "sync"], rg);
    assert_eq!(synced.as_array().map(Vec::len), Some(1), "the group's one Key Vault certificate was looked at: {synced}");
    assert_eq!(synced[0]["thumbprint"], new.as_str(), "Sync now took the new version: {synced}");
    assert_eq!(synced[0]["keyVaultSecretStatus"], "Succeeded", "{synced}");
    let second_version = second["id"].as_str().and_then(|id| id.rsplit('/').next()).expect("a version");
    assert_eq!(synced[0]["keyVaultSecretVersion"], second_version, "{synced}");
    let shown = ok_in(&home, &["webapp", "show", "-n", "petdash"], rg);
    assert_eq!(binding_of(&shown, HOST), (json!("SniEnabled"), json!(new)), "the binding moved to the new thumbprint: {shown}");

    // Without access, a look fails, says why, and keeps the last good certificate and binding.
    home.ok(&["keyvault", "delete-policy", "--name", VAULT, "--spn", APP_SERVICE_APP_ID]);
    create_certificate(&home, VAULT, "site", &policy);
    let failed = ok_in(&home, &["webapp", "config", "ssl", "sync", "--certificate-thumbprint", &new], rg);
    assert_eq!(failed[0]["keyVaultSecretStatus"], "AzureServiceUnauthorizedToAccessKeyVault", "the failed look is recorded: {failed}");
    assert!(
        failed[0]["sync"]["message"].as_str().is_some_and(|m| m.contains("set-policy")),
        "the recorded failure says how to fix it: {failed}"
    );
    assert_eq!(failed[0]["thumbprint"], new.as_str(), "the last good certificate stays: {failed}");
    let shown = ok_in(&home, &["webapp", "show", "-n", "petdash"], rg);
    assert_eq!(binding_of(&shown, HOST), (json!("SniEnabled"), json!(new)), "the binding stays: {shown}");
    let unknown = fails_in(&home, &["webapp", "config", "ssl", "sync", "--certificate-thumbprint", &old], rg);
    assert_eq!(unknown.code, "CertificateNotFound", "the old thumbprint is gone with its version: {}", unknown.stderr);
    assert_eq!(unknown.status, 3, "not found exits with 3");

    // A bound certificate is not deleted; unbound, it is.
    let in_use = fails_in(&home, &["webapp", "config", "ssl", "delete", "--certificate-thumbprint", &new], rg);
    assert!(in_use.code.contains("CertificateInUse"), "a bound certificate stays: {}", in_use.stderr);
    let unbound = ok_in(&home, &["webapp", "config", "ssl", "unbind", "-n", "petdash", "--certificate-thumbprint", &new], rg);
    assert_eq!(binding_of(&unbound, HOST), (json!("Disabled"), Value::Null), "unbind removes the binding: {unbound}");
    ok_in(&home, &["webapp", "config", "ssl", "delete", "--certificate-thumbprint", &new], rg);
    assert_eq!(certificates_in(&home, rg), Vec::new(), "the certificate is gone");
    let lines = home.ok(&["webapp", "hosts-file"]);
    assert_eq!(
        lines,
        json!(["127.0.0.1 petdash.azurewebsites.localhost", format!("127.0.0.1 {HOST}")]),
        "hosts-file names the default and the custom host name"
    );
}
