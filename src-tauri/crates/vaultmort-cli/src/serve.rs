//! `vaultmort serve`: the REST door, headless. Opens the home, makes (or reads) the local
//! owner's client secret in the home, starts the server, runs the scheduler every minute (as
//! the desktop app does) and runs until Ctrl-C or SIGTERM.
//!
//! On start it prints the connection settings to stdout, once the server answers: one JSON line
//! (vault URL pattern, port, tenant, client id, token endpoint, authority, ...) or, with
//! `--settings-format env`, `KEY=VALUE` lines for a `.env` file followed by a blank line. The
//! owner's client secret is printed (to stderr) once, when it is made, and otherwise stays in
//! `<home>/rest-client-secret`. The secret file, the listener and those facts come from
//! `vaultmort_rest::launch`, shared with the desktop app's REST API toggle.
//!
//! With `--ephemeral` it runs on a throwaway home ([`vaultmort_home::open_ephemeral`]) that is
//! removed when the server stops on Ctrl-C or SIGTERM and when start-up fails (SIGKILL leaves it
//! behind in `$TMPDIR`). `--seed FILE` (only with `--ephemeral`) is read and checked before the
//! home is made ([`vaultmort_core::seed`]), applied as the local owner, and the settings then
//! also carry `caFile` (the practice root, written into the home), `vaults` and `applications`
//! (each seeded application's client id and fresh client secret), `home` and `ephemeral`.
//!
//! With `--webapp-port` it also starts the App Service front end (`vaultmort-appservice`) on
//! an HTTPS and a plain HTTP port of the same address, serving every practice web app's host
//! names; the start-up line then carries `webappHttpsPort` and `webappHttpPort`.
//!
//! Vaults whose stored `practiceThrottling` setting is on (`keyvault update
//! --practice-throttling true`) are throttled; `--throttle VAULT` adds vaults for this run only.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value, json};
use vaultmort_core::seed::{Seed, SeedReport};
use vaultmort_core::{Door, RequestContext};
use vaultmort_home::files::{self, FileKind, Sensitivity};
use vaultmort_home::{Home, HomeOptions};
use vaultmort_rest::Server;
use vaultmort_rest::launch::{self, ClientFacts};
use zeroize::Zeroizing;

use crate::CliError;
use crate::args::ServeArgs;

/// How often the scheduler runs while serving.
const SCHEDULER_PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// The practice root's file in a throwaway home (`caFile` in the settings).
pub const CA_FILE: &str = "practice-root.pem";

/// How the start-up settings are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SettingsFormat {
    /// One JSON object on one line.
    Json,
    /// `KEY=VALUE` lines for a `.env` file, then a blank line.
    Env,
}

fn api_error(e: vaultmort_rest::ApiError) -> CliError {
    CliError { code: e.code, message: e.message }
}

fn internal(message: String) -> CliError {
    CliError { code: "InternalError".into(), message }
}

/// Ctrl-C and SIGTERM, listened to from the start so that a signal that comes while the server
/// is starting is not lost (and does not kill the process before a throwaway home is removed).
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> Result<Self, CliError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let failed = |e: std::io::Error| internal(format!("listening for Ctrl-C and SIGTERM: {e}"));
            Ok(Self {
                interrupt: signal(SignalKind::interrupt()).map_err(failed)?,
                terminate: signal(SignalKind::terminate()).map_err(failed)?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn wait(&mut self) -> Result<(), CliError> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
            Ok(())
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await.map_err(|e| internal(format!("waiting for Ctrl-C: {e}")))
    }
}

/// Reads and checks a seed file, before any home is made.
fn read_seed(path: &Path) -> Result<Seed, CliError> {
    // A seed holds secret values: kept in zeroizing buffers, never echoed.
    let bytes = Zeroizing::new(files::read_input(path, FileKind::Json)?);
    let text = std::str::from_utf8(&bytes).map_err(|_| CliError::file(path, "the seed file is not UTF-8 text"))?;
    vaultmort_core::seed::parse_seed(text).map_err(|e| {
        let wire = e.wire();
        CliError { code: wire.to_string(), message: format!("the seed file {} is refused: {}", path.display(), wire.message) }
    })
}

pub async fn run(args: ServeArgs, options: HomeOptions) -> Result<(), CliError> {
    let mut signals = StopSignals::install()?;
    if !args.bind.is_loopback() && !args.allow_remote {
        return Err(CliError {
            code: "BadParameter".into(),
            message: format!("--bind {} is not a loopback address; add --allow-remote to serve other machines", args.bind),
        });
    }
    if args.seed.is_some() && !args.ephemeral {
        return Err(CliError {
            code: "BadParameter".into(),
            message: "--seed fills a throwaway home only: add --ephemeral (seeding an existing home is not supported)".into(),
        });
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "WARNING: serving on {}: other machines can reach these practice vaults. Anyone with a token (or any token, in developer mode) can use them.",
            args.bind
        );
    }
    let seed = args.seed.as_deref().map(read_seed).transpose()?;
    if args.ephemeral {
        let ephemeral = vaultmort_home::open_ephemeral().await?;
        let served = serve_home(&args, &ephemeral.home, seed, &mut signals).await;
        let folder = ephemeral.home.path.clone();
        // Removed whether serving ended well or start-up failed.
        let closed = ephemeral.close();
        if let Err(error) = &closed {
            eprintln!("WARNING: {error}; remove {} yourself", folder.display());
        }
        served?;
        closed?;
        Ok(())
    } else {
        let home = vaultmort_home::open(options).await?;
        serve_home(&args, &home, None, &mut signals).await
    }
}

/// Starts the server over `home`, prints the settings and serves until a stop signal.
async fn serve_home(args: &ServeArgs, home: &Home, seed: Option<Seed>, signals: &mut StopSignals) -> Result<(), CliError> {
    home.core.tick().await?;
    let owner = RequestContext::local_owner(Door::Cli);
    let seeded = match seed {
        Some(seed) => Some(home.core.apply_seed(&owner, seed).await.map_err(|e| {
            let wire = e.wire();
            CliError { code: wire.to_string(), message: format!("the seed could not be applied: {}", wire.message) }
        })?),
        None => None,
    };
    let ca_file = if args.ephemeral { Some(write_ca_file(home, &owner).await?) } else { None };
    let owner_secret = launch::home_credentials(home.core.clone(), &home.path).map_err(api_error)?;
    let listener = launch::bind(args.bind, args.port).await.map_err(api_error)?;
    let mut options = vaultmort_rest::Options::new(Arc::new(owner_secret.credentials));
    options.default_vault = args.default_vault.clone();
    options.dev_any_token = args.dev_any_token;
    options.throttled_vaults = args.throttle.clone();
    let server = Server::start(home.core.clone(), listener, options).await.map_err(api_error)?;
    let front_end = match args.webapp_port {
        Some(https_port) => {
            let started = async {
                let https = launch::bind(args.bind, https_port).await.map_err(api_error)?;
                let http = launch::bind(args.bind, args.webapp_http_port.unwrap_or(0)).await.map_err(api_error)?;
                vaultmort_appservice::FrontEnd::start(home.core.clone(), https, http)
                    .await
                    .map_err(|e| CliError { code: e.code().to_string(), message: e.message() })
            }
            .await;
            match started {
                Ok(front_end) => Some(front_end),
                Err(error) => {
                    server.shutdown().await;
                    return Err(error);
                }
            }
        }
        None => None,
    };
    let facts = ClientFacts::of(&server, owner_secret.secret_file.clone());
    let port = facts.port;
    if let Some(secret) = &owner_secret.created_secret
        && !args.ephemeral
    {
        eprintln!("A client secret for the local owner was made and saved in {} (shown once):", facts.secret_file.display());
        eprintln!("  client id: {}", facts.client_id);
        eprintln!("  client secret: {}", secret.as_str());
    }
    if args.dev_any_token {
        eprintln!("DEVELOPER MODE: any bearer token is accepted as the local owner.");
    }
    let mut info = json!({
        "url": format!("https://<vault>.localhost:{port}"),
        "defaultVaultUrl": args.default_vault.as_ref().map(|_| format!("https://localhost:{port}")),
        "port": port,
        "tenantId": facts.tenant_id,
        "clientId": facts.client_id,
        "clientSecretFile": facts.secret_file,
        "tokenEndpoint": facts.token_endpoint,
        "authority": facts.authority,
        "devAnyToken": args.dev_any_token,
        "webappHttpsPort": front_end.as_ref().map(|f| f.https_addr().port()),
        "webappHttpPort": front_end.as_ref().map(|f| f.http_addr().port()),
        "ephemeral": args.ephemeral,
    });
    if let (Some(map), Some(ca_file)) = (info.as_object_mut(), &ca_file) {
        map.insert("caFile".into(), json!(ca_file));
        map.insert("home".into(), json!(home.path));
        map.insert("vaults".into(), vaults_json(&facts, seeded.as_ref()));
        map.insert("applications".into(), applications_json(seeded.as_ref()));
    }
    let settings = match args.settings_format {
        SettingsFormat::Json => format!("{info}\n"),
        SettingsFormat::Env => env_lines(&info, seeded.as_ref()),
    };
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        // Written and flushed at once: a test harness reads up to the end of this line.
        stdout.write_all(settings.as_bytes()).and_then(|()| stdout.flush()).map_err(|e| internal(format!("writing the settings: {e}")))?;
    }
    eprintln!(
        "Serving Key Vault's REST API on https://<vault>.localhost:{port}; trust the CA from {}. Ctrl-C or SIGTERM stops.",
        match &ca_file {
            Some(file) => file.display().to_string(),
            None => "`vaultmort ca export-root`".to_string(),
        }
    );
    if args.ephemeral {
        eprintln!("Throwaway home {}: removed when the server stops (not on SIGKILL).", home.path.display());
    }
    if let Some(front_end) = &front_end {
        eprintln!(
            "Serving the practice web apps on https://<host>:{} and http://<host>:{}; `vaultmort webapp hosts-file` prints the /etc/hosts lines for their host names.",
            front_end.https_addr().port(),
            front_end.http_addr().port()
        );
    }
    // The installation's periodic work (retention purges, certificate lifetime actions, key
    // rotation policies) keeps running while the server does, as in the desktop app.
    let scheduler = {
        let core = home.core.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(SCHEDULER_PERIOD).await;
                if let Err(e) = core.tick().await {
                    eprintln!("the scheduler's run failed ({}): {e}", e.code());
                }
            }
        })
    };
    let waited = signals.wait().await;
    scheduler.abort();
    if let Some(front_end) = front_end {
        front_end.shutdown().await;
    }
    server.shutdown().await;
    waited
}

/// Writes the practice root (PEM) into the throwaway home, for `caFile`.
async fn write_ca_file(home: &Home, owner: &RequestContext) -> Result<PathBuf, CliError> {
    let der = home.core.practice_ca_root(owner).await?;
    let pem = vaultmort_certs::pem::write_pem(&[der], None).map_err(vaultmort_core::Error::from)?;
    let path = home.path.join(CA_FILE);
    // A public certificate, but it lives in the private home and goes with it.
    files::write_output(&path, pem.as_bytes(), Sensitivity::Private, files::Existing::Refuse)?;
    Ok(path)
}

fn vaults_json(facts: &ClientFacts, seeded: Option<&SeedReport>) -> Value {
    let mut vaults = Map::new();
    for name in seeded.map(|s| s.vaults.as_slice()).unwrap_or_default() {
        vaults.insert(name.clone(), json!(facts.vault_url(name)));
    }
    Value::Object(vaults)
}

fn applications_json(seeded: Option<&SeedReport>) -> Value {
    let mut applications = Map::new();
    for app in seeded.map(|s| s.applications.as_slice()).unwrap_or_default() {
        applications.insert(app.name.clone(), json!({"clientId": app.client_id, "clientSecret": app.client_secret.as_str()}));
    }
    Value::Object(applications)
}

/// `NAME` of a `VAULTMORT_VAULT_<NAME>_URL` or `VAULTMORT_APP_<NAME>_*` line: upper case, every
/// character but a letter or digit as `_`.
pub fn env_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}

/// A `.env` value: as it is when it needs no quoting, else in single quotes (no expansion).
fn env_value(value: &str) -> String {
    let plain = value.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:~+=@%,".contains(c));
    if plain && !value.is_empty() { value.to_string() } else { format!("'{}'", value.replace('\'', "'\\''")) }
}

/// The settings as `.env` lines, then a blank line.
fn env_lines(info: &Value, seeded: Option<&SeedReport>) -> String {
    let text = |key: &str| info.get(key).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut push = |key: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| v != "null") {
            lines.push((key.to_string(), value));
        }
    };
    push("AZURE_TENANT_ID", text("tenantId"));
    push("AZURE_AUTHORITY_HOST", text("authority"));
    push("VAULTMORT_PORT", text("port"));
    push("VAULTMORT_TOKEN_ENDPOINT", text("tokenEndpoint"));
    push("VAULTMORT_OWNER_CLIENT_ID", text("clientId"));
    push("VAULTMORT_OWNER_CLIENT_SECRET_FILE", text("clientSecretFile"));
    push("VAULTMORT_HOME", text("home"));
    push("VAULTMORT_CA_FILE", text("caFile"));
    push("SSL_CERT_FILE", text("caFile"));
    push("REQUESTS_CA_BUNDLE", text("caFile"));
    push("NODE_EXTRA_CA_CERTS", text("caFile"));
    push("VAULTMORT_WEBAPP_HTTPS_PORT", text("webappHttpsPort"));
    push("VAULTMORT_WEBAPP_HTTP_PORT", text("webappHttpPort"));
    if let Some(Value::Object(vaults)) = info.get("vaults") {
        for (name, url) in vaults {
            push(&format!("VAULTMORT_VAULT_{}_URL", env_name(name)), url.as_str().map(str::to_string));
        }
    }
    let applications = seeded.map(|s| s.applications.as_slice()).unwrap_or_default();
    if let [only] = applications {
        push("AZURE_CLIENT_ID", Some(only.client_id.clone()));
        push("AZURE_CLIENT_SECRET", Some(only.client_secret.to_string()));
    }
    for app in applications {
        push(&format!("VAULTMORT_APP_{}_CLIENT_ID", env_name(&app.name)), Some(app.client_id.clone()));
        push(&format!("VAULTMORT_APP_{}_CLIENT_SECRET", env_name(&app.name)), Some(app.client_secret.to_string()));
    }
    let mut out = String::new();
    for (key, value) in lines {
        out.push_str(&format!("{key}={}\n", env_value(&value)));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_and_values_are_safe_for_dotenv() {
        assert_eq!(env_name("seed-vault"), "SEED_VAULT", "hyphens become underscores, letters upper case");
        assert_eq!(env_name("ci app.2"), "CI_APP_2", "any other character too");
        assert_eq!(env_value("https://a.localhost:1234"), "https://a.localhost:1234", "a URL needs no quotes");
        assert_eq!(env_value("/tmp/with space"), "'/tmp/with space'", "a space is quoted");
        assert_eq!(env_value("it's"), "'it'\\''s'", "a single quote is closed, escaped and reopened");
    }
}
