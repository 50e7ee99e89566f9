//! `cargo xtask bench-rest`: the REST door under load, beside `openssl speed`.
//!
//! Builds the `vaultmort` CLI in release mode and, in a throwaway home unlocked by a fixed
//! passphrase (never the user's data or keyring), creates a vault with a secret and an RSA-2048
//! key, starts `vaultmort serve` on a free loopback port and gets a real token from its practice
//! token endpoint (client credentials, with curl trusting the home's practice CA). Then `wrk`
//! drives four routes over TLS with keep-alive at several connection counts:
//!
//! - the OpenID configuration document: the server's cheapest route (no token, no store, no audit
//!   record), so it shows what TLS, HTTP and JSON cost on their own;
//! - a request without a token: the challenge (401), which writes one access-log record and does
//!   nothing else, so it shows the cost of auditing alone;
//! - `GET /secrets/{name}`: a whole authorized request that opens a sealed value;
//! - `POST /keys/{name}//sign` (RS256 over a fixed digest; the empty version is the newest, as the
//!   SDKs send it): the same with an RSA-2048 signature.
//!
//! wrk connects to `127.0.0.1` (the system resolver does not resolve `*.localhost`) and sends
//! `Host: <vault>.localhost:<port>`, so requests are routed by host as an SDK's would be. After
//! each run the access log is verified with `vaultmort keyvault log verify`; the growth of its
//! record count is the number of requests the server audited, printed beside the number wrk
//! completed (the server may audit up to one more per connection: requests that were in flight
//! when wrk stopped counting). Finally `openssl speed rsa2048`, single and `-multi 2`.
//!
//! Everything is printed, a Markdown table last; docs/benchmarks.md records a run. Nothing is
//! asserted: a benchmark measures, tests decide. Left out: HTTP/2 (wrk speaks HTTP/1.1 only) and
//! the other routes, which cost what these show plus their own work.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::process::{self, Project};
use crate::scratch::Scratch;
use crate::setup;

const VAULT: &str = "bench";
const SECRET: &str = "greeting";
const KEY: &str = "signer";
const PASSPHRASE: &str = "bench-rest passphrase";
/// Connection counts; wrk runs two threads, or one for a single connection.
const CONNECTIONS: &[u32] = &[1, 4, 16, 64];
const DURATION_SECONDS: u32 = 10;
/// A fixed SHA-256-sized digest (bytes 0 to 31), base64url: what a client sends to `sign`.
const DIGEST_B64URL: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// One measured route.
struct Route {
    label: &'static str,
    method: &'static str,
    path: String,
    body: Option<String>,
    authorized: bool,
}

/// What one wrk run reported, and what the access log gained meanwhile.
struct Run {
    route: &'static str,
    connections: u32,
    requests: u64,
    seconds: f64,
    non_2xx: u64,
    socket_errors: u64,
    p50_us: f64,
    p90_us: f64,
    p99_us: f64,
    max_us: f64,
    audited: u64,
    /// How busy the machine's CPUs were (percent) in the second before the run, while this
    /// benchmark was idle: other work on the machine skews the figures.
    busy_before: f64,
}

/// What `vaultmort serve` printed on start.
struct Served {
    port: u16,
    tenant: String,
    client_id: String,
    client_secret_file: PathBuf,
}

/// Builds, sets up, runs every route at every connection count, then openssl, and prints.
pub fn run(project: &Project) -> Result<()> {
    setup::system_packages(project)?;
    for tool in ["wrk", "curl", "openssl"] {
        if !project.finds(tool) {
            return Err(Error::new(format!("`{tool}` is not on PATH; run `cargo xtask setup`")));
        }
    }
    process::run("build (release)", project.cargo().args(["build", "--release", "--package", "vaultmort-cli", "--bin", "vaultmort"]))?;
    let cli = project.target_dir().join("release").join("vaultmort");
    let scratch = Scratch::new("bench-rest")?;
    let home = Home::new(project, &cli, scratch.path())?;

    home.ok(&["group", "create", "--name", "bench-rg", "--location", "westeurope"])?;
    home.ok(&["keyvault", "create", "--name", VAULT, "--resource-group", "bench-rg"])?;
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", SECRET, "--value", "a value worth keeping"])?;
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", KEY, "--kty", "RSA", "--size", "2048"])?;
    let ca = scratch.path().join("ca.pem");
    home.ok(&["ca", "export-root", "--file", &ca.to_string_lossy()])?;

    let mut server = home.serve()?;
    let result = measure(project, &home, &server.served, &ca, scratch.path());
    server.stop();
    let runs = result?;
    let verified = home.verify_log()?;
    let (single, multi) = openssl_speed(project)?;
    print_table(&runs, single, multi, verified);
    Ok(())
}

/// Every route at every connection count, with the access log counted around each run.
fn measure(project: &Project, home: &Home, served: &Served, ca: &Path, dir: &Path) -> Result<Vec<Run>> {
    let token = token(project, served, ca)?;
    let routes = [
        Route {
            label: "OpenID configuration (no token, no store)",
            method: "GET",
            path: format!("/{}/v2.0/.well-known/openid-configuration", served.tenant),
            body: None,
            authorized: false,
        },
        Route {
            label: "no token: challenge 401 (audited)",
            method: "GET",
            path: format!("/secrets/{SECRET}?api-version=7.5"),
            body: None,
            authorized: false,
        },
        Route { label: "secret get", method: "GET", path: format!("/secrets/{SECRET}?api-version=7.5"), body: None, authorized: true },
        Route {
            label: "RSA-2048 sign (RS256)",
            method: "POST",
            path: format!("/keys/{KEY}//sign?api-version=7.5"),
            body: Some(format!(r#"{{"alg":"RS256","value":"{DIGEST_B64URL}"}}"#)),
            authorized: true,
        },
    ];
    let mut runs = Vec::new();
    for route in &routes {
        let script = dir.join("route.lua");
        write_script(&script, route, served.port, &token)?;
        for &connections in CONNECTIONS {
            let before = home.verify_log()?;
            let busy_before = busy_percent();
            let mut run = wrk(project, &script, served.port, &route.path, connections)?;
            let after = home.verify_log()?;
            run.route = route.label;
            run.busy_before = busy_before;
            // The verification before the run appended its own record after counting.
            run.audited = after.saturating_sub(before + 1);
            println!(
                "bench-rest: {} with {connections} connections: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, {} not 2xx, {} completed, {} audited",
                route.label,
                run.requests as f64 / run.seconds,
                run.p50_us / 1000.0,
                run.p99_us / 1000.0,
                run.non_2xx,
                run.requests,
                run.audited
            );
            runs.push(run);
        }
    }
    Ok(runs)
}

/// The Lua script that shapes wrk's requests for `route` and reports its figures on one line.
fn write_script(path: &Path, route: &Route, port: u16, token: &str) -> Result<()> {
    let mut lua = String::new();
    lua.push_str(&format!("wrk.method = \"{}\"\n", route.method));
    lua.push_str(&format!("wrk.headers[\"Host\"] = \"{VAULT}.localhost:{port}\"\n"));
    if route.authorized {
        lua.push_str(&format!("wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"));
    }
    if let Some(body) = &route.body {
        lua.push_str(&format!("wrk.body = '{body}'\n"));
        lua.push_str("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
    }
    // Latency percentiles are in microseconds; one line that `parse_report` reads.
    lua.push_str(
        "function done(summary, latency, requests)\n\
         \x20 local e = summary.errors\n\
         \x20 io.write(string.format(\"XTASK-WRK %d %d %d %d %.1f %.1f %.1f %.1f\\n\",\n\
         \x20   summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,\n\
         \x20   latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))\n\
         end\n",
    );
    std::fs::write(path, lua).map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
}

/// One wrk run; `route` is filled in by the caller.
fn wrk(project: &Project, script: &Path, port: u16, path: &str, connections: u32) -> Result<Run> {
    let threads = connections.min(2);
    let mut command = project.command("wrk");
    command
        .args(["--latency", "-t", &threads.to_string(), "-c", &connections.to_string(), "-d", &format!("{DURATION_SECONDS}s")])
        .args(["--timeout", "10s", "-s"])
        .arg(script)
        .arg(format!("https://127.0.0.1:{port}{path}"));
    println!("$ {}", process::display(&command));
    let output = command.output().map_err(|e| Error::new(format!("cannot start wrk: {e}")))?;
    let text = String::from_utf8_lossy(&output.stdout);
    print!("{text}");
    if !output.status.success() {
        return Err(Error::new(format!("wrk failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr))));
    }
    parse_report(&text, connections).ok_or_else(|| Error::new("wrk printed no XTASK-WRK line"))
}

/// Reads the line the script's `done` writes.
fn parse_report(text: &str, connections: u32) -> Option<Run> {
    let line = text.lines().find_map(|l| l.strip_prefix("XTASK-WRK "))?;
    let fields: Vec<f64> = line.split_whitespace().map(str::parse).collect::<std::result::Result<_, _>>().ok()?;
    let [requests, duration_us, non_2xx, socket_errors, p50, p90, p99, max] = fields[..] else { return None };
    Some(Run {
        route: "",
        connections,
        requests: requests as u64,
        seconds: duration_us / 1e6,
        non_2xx: non_2xx as u64,
        socket_errors: socket_errors as u64,
        p50_us: p50,
        p90_us: p90,
        p99_us: p99,
        max_us: max,
        audited: 0,
        busy_before: 0.0,
    })
}

/// A bearer token from the practice token endpoint (client credentials), fetched with curl.
fn token(project: &Project, served: &Served, ca: &Path) -> Result<String> {
    let secret = std::fs::read_to_string(&served.client_secret_file)
        .map_err(|e| Error::new(format!("cannot read the client secret {}: {e}", served.client_secret_file.display())))?;
    // The client id is a UUID and the secret base64url: neither needs form encoding.
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fvault.azure.net%2F.default",
        served.client_id,
        secret.trim()
    );
    let url = format!("https://localhost:{}/{}/oauth2/v2.0/token", served.port, served.tenant);
    let mut command = project.command("curl");
    // The form goes through stdin so that the secret is not on a command line.
    command.args(["-sS", "--fail-with-body", "--cacert"]).arg(ca).args(["--data-binary", "@-", &url]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    println!("$ {} (form on stdin)", process::display(&command));
    let mut child = command.spawn().map_err(|e| Error::new(format!("cannot start curl: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(form.as_bytes()).map_err(|e| Error::new(format!("cannot send the token form to curl: {e}")))?;
    }
    let output = child.wait_with_output().map_err(|e| Error::new(format!("curl: {e}")))?;
    let body = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(Error::new(format!("the token request failed: {body} {}", String::from_utf8_lossy(&output.stderr))));
    }
    json_field(&body, "access_token").ok_or_else(|| Error::new(format!("the token endpoint answered without a token: {body}")))
}

/// The share of CPU time (percent, over all CPUs) spent on anything but idling during one
/// second, measured while this benchmark is idle: the server and wrk share the machine's cores,
/// so other work shows up in the figures, and the table says how much there was.
fn busy_percent() -> f64 {
    fn sample() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal ...: idle and iowait are idle time.
        let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
        Some((fields.iter().sum(), idle))
    }
    let Some((total_a, idle_a)) = sample() else { return 0.0 };
    std::thread::sleep(Duration::from_secs(1));
    let Some((total_b, idle_b)) = sample() else { return 0.0 };
    let total = total_b.saturating_sub(total_a).max(1) as f64;
    100.0 * (1.0 - idle_b.saturating_sub(idle_a) as f64 / total)
}

/// `openssl speed -seconds 5 rsa2048`, on one core and with `-multi 2`: RSA-2048 signs per second.
fn openssl_speed(project: &Project) -> Result<(f64, f64)> {
    let mut rates = Vec::new();
    for multi in [None, Some("2")] {
        let mut command = project.command("openssl");
        command.args(["speed", "-seconds", "5"]);
        if let Some(n) = multi {
            command.args(["-multi", n]);
        }
        command.arg("rsa2048");
        println!("$ {}", process::display(&command));
        let text = process::output(&mut command).ok_or_else(|| Error::new("openssl speed failed"))?;
        print!("{text}");
        // The summary line: "rsa 2048 bits <s/sign> <s/verify> <sign/s> <verify/s>".
        let line =
            text.lines().rfind(|l| l.starts_with("rsa 2048 bits")).ok_or_else(|| Error::new("openssl speed printed no rsa 2048 line"))?;
        let rate = line.split_whitespace().nth(5).and_then(|s| s.parse::<f64>().ok());
        rates.push(rate.ok_or_else(|| Error::new(format!("cannot read the sign rate in `{line}`")))?);
    }
    Ok((rates[0], rates[1]))
}

fn print_table(runs: &[Run], single: f64, multi: f64, verified: u64) {
    println!();
    println!("| route | connections | requests/s | p50 | p90 | p99 | max | not 2xx | completed | audited | CPU busy before |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for r in runs {
        let errors = if r.socket_errors > 0 { format!(" ({} socket errors)", r.socket_errors) } else { String::new() };
        println!(
            "| {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {:.1} ms | {}{errors} | {} | {} | {:.0}% |",
            r.route,
            r.connections,
            r.requests as f64 / r.seconds,
            r.p50_us / 1000.0,
            r.p90_us / 1000.0,
            r.p99_us / 1000.0,
            r.max_us / 1000.0,
            r.non_2xx,
            r.requests,
            r.audited,
            r.busy_before
        );
    }
    println!();
    println!("openssl speed rsa2048: {single:.0} signs/s on one core, {multi:.0} with -multi 2");
    let best_sign = runs.iter().filter(|r| r.route.starts_with("RSA")).map(|r| r.requests as f64 / r.seconds).fold(0.0, f64::max);
    println!(
        "best REST RSA-2048 sign rate: {best_sign:.0}/s = {:.2}x openssl on one core, {:.2}x openssl -multi 2",
        best_sign / single,
        best_sign / multi
    );
    println!("access log: {verified} records, hash chain verified");
}

/// The throwaway home and the CLI that works on it.
struct Home<'a> {
    project: &'a Project,
    cli: &'a Path,
    settings: Vec<(&'static str, PathBuf)>,
}

impl<'a> Home<'a> {
    fn new(project: &'a Project, cli: &'a Path, dir: &Path) -> Result<Self> {
        let settings = vec![
            ("VAULTMORT_HOME", dir.join("home")),
            ("VAULTMORT_KEY_SOURCE", PathBuf::from("passphrase")),
            ("VAULTMORT_PASSPHRASE", PathBuf::from(PASSPHRASE)),
            // Nothing may reach the user's own configuration, data or keyring.
            ("XDG_CONFIG_HOME", dir.join("config")),
            ("XDG_DATA_HOME", dir.join("data")),
            ("XDG_CACHE_HOME", dir.join("cache")),
        ];
        Ok(Self { project, cli, settings })
    }

    fn command(&self) -> Command {
        let mut command = self.project.command(self.cli);
        command.envs(self.settings.iter().map(|(k, v)| (*k, v.as_os_str())));
        command
    }

    fn ok(&self, args: &[&str]) -> Result<()> {
        let mut command = self.command();
        command.args(args).stdout(Stdio::null());
        process::run(&format!("vaultmort {}", args.join(" ")), &mut command)
    }

    /// Verifies the access log's chain and returns its record count.
    fn verify_log(&self) -> Result<u64> {
        let mut command = self.command();
        command.args(["keyvault", "log", "verify"]);
        let text =
            process::output(&mut command).ok_or_else(|| Error::new("`vaultmort keyvault log verify` failed: the chain does not verify"))?;
        json_field(&text, "records").and_then(|n| n.parse().ok()).ok_or_else(|| Error::new(format!("no record count in `{text}`")))
    }

    /// Starts `vaultmort serve` on a free port and reads the line it prints.
    fn serve(&self) -> Result<Server> {
        let mut command = self.command();
        command.args(["serve", "--port", "0"]).stdout(Stdio::piped()).stderr(Stdio::null());
        println!("$ {}", process::display(&command));
        let mut child = command.spawn().map_err(|e| Error::new(format!("cannot start vaultmort serve: {e}")))?;
        let stdout = child.stdout.take().ok_or_else(|| Error::new("no stdout from vaultmort serve"))?;
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let served = match read {
            Ok(n) if n > 0 => parse_served(&line),
            _ => None,
        };
        match served {
            Some(served) => {
                println!("bench-rest: serving on port {}", served.port);
                Ok(Server { child, served })
            }
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(Error::new(format!("vaultmort serve did not print its start line (got `{}`)", line.trim())))
            }
        }
    }
}

fn parse_served(line: &str) -> Option<Served> {
    Some(Served {
        port: json_field(line, "port")?.parse().ok()?,
        tenant: json_field(line, "tenantId")?,
        client_id: json_field(line, "clientId")?,
        client_secret_file: PathBuf::from(json_field(line, "clientSecretFile")?),
    })
}

/// The running server.
struct Server {
    child: Child,
    served: Served,
}

impl Server {
    /// Ctrl-C, as a user would stop it; killed if it has not ended after 10 s.
    fn stop(&mut self) {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of the first `"name":` in a JSON text, for a string (unescaped) or a number.
/// Enough for the flat objects read here; the task runner has no JSON parser.
fn json_field(text: &str, name: &str) -> Option<String> {
    let key = format!("\"{name}\"");
    let after = &text[text.find(&key)? + key.len()..];
    let value = after.trim_start().strip_prefix(':')?.trim_start();
    if let Some(quoted) = value.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        None
    } else {
        let end = value.find([',', '}', '\n']).unwrap_or(value.len());
        Some(value[..end].trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_field_reads_strings_with_escapes_and_numbers() {
        let line = r#"{"port": 8443, "tenantId":"t-1","clientSecretFile":"/tmp/a\"b","records":12}"#;
        assert_eq!(json_field(line, "port").as_deref(), Some("8443"), "a number is read up to its comma");
        assert_eq!(json_field(line, "tenantId").as_deref(), Some("t-1"), "a string is read without its quotes");
        assert_eq!(json_field(line, "clientSecretFile").as_deref(), Some("/tmp/a\"b"), "an escaped quote does not end a string");
        assert_eq!(json_field(line, "records").as_deref(), Some("12"), "the last number ends at the brace");
        assert_eq!(json_field(line, "missing"), None, "a missing field is none");
    }

    #[test]
    fn the_script_report_line_is_read_in_order() {
        let text = "Running 10s test\nXTASK-WRK 1000 10000000 3 0 500.0 900.0 1500.5 4000.0\n";
        let run = parse_report(text, 4).expect("a well-formed line parses");
        assert_eq!((run.requests, run.non_2xx, run.socket_errors), (1000, 3, 0), "counts come first");
        assert_eq!(run.seconds, 10.0, "the duration is in microseconds");
        assert_eq!(run.p99_us, 1500.5, "percentiles follow in microseconds");
    }
}
