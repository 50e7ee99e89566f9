//! `vaultmort serve`: the REST door, headless. Opens the home, makes (or reads) the local
//! owner's client secret in the home, starts the server, runs the scheduler every minute (as
//! the desktop app does) and runs until Ctrl-C.
//!
//! On start it prints one JSON line to stdout with what a client needs (vault URL, port,
//! tenant, client id, token endpoint), so scripts can read it; the client secret is printed
//! once, when it is made, and otherwise stays in `<home>/rest-client-secret`. The secret file,
//! the listener and those facts come from `vaultmort_rest::launch`, shared with the desktop
//! app's REST API toggle.
//!
//! With `--webapp-port` it also starts the App Service front end (`vaultmort-appservice`) on
//! an HTTPS and a plain HTTP port of the same address, serving every practice web app's host
//! names; the start-up line then carries `webappHttpsPort` and `webappHttpPort`.
//!
//! Vaults whose stored `practiceThrottling` setting is on (`keyvault update
//! --practice-throttling true`) are throttled; `--throttle VAULT` adds vaults for this run only.

use std::sync::Arc;

use serde_json::json;
use vaultmort_home::HomeOptions;
use vaultmort_rest::Server;
use vaultmort_rest::launch::{self, ClientFacts};

use crate::CliError;
use crate::args::ServeArgs;

/// How often the scheduler runs while serving.
const SCHEDULER_PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

fn api_error(e: vaultmort_rest::ApiError) -> CliError {
    CliError { code: e.code, message: e.message }
}

pub async fn run(args: ServeArgs, options: HomeOptions) -> Result<(), CliError> {
    if !args.bind.is_loopback() && !args.allow_remote {
        return Err(CliError {
            code: "BadParameter".into(),
            message: format!("--bind {} is not a loopback address; add --allow-remote to serve other machines", args.bind),
        });
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "WARNING: serving on {}: other machines can reach these practice vaults. Anyone with a token (or any token, in developer mode) can use them.",
            args.bind
        );
    }
    let home = vaultmort_home::open(options).await?;
    home.core.tick().await?;
    let owner_secret = launch::home_credentials(home.core.clone(), &home.path).map_err(api_error)?;
    let listener = launch::bind(args.bind, args.port).await.map_err(api_error)?;
    let mut options = vaultmort_rest::Options::new(Arc::new(owner_secret.credentials));
    options.default_vault = args.default_vault.clone();
    options.dev_any_token = args.dev_any_token;
    options.throttled_vaults = args.throttle.clone();
    let server = Server::start(home.core.clone(), listener, options).await.map_err(api_error)?;
    let front_end = match args.webapp_port {
        Some(https_port) => {
            let https = launch::bind(args.bind, https_port).await.map_err(api_error)?;
            let http = launch::bind(args.bind, args.webapp_http_port.unwrap_or(0)).await.map_err(api_error)?;
            let started = vaultmort_appservice::FrontEnd::start(home.core.clone(), https, http)
                .await
                .map_err(|e| CliError { code: e.code().to_string(), message: e.message() });
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
    if let Some(secret) = &owner_secret.created_secret {
        eprintln!("A client secret for the local owner was made and saved in {} (shown once):", facts.secret_file.display());
        eprintln!("  client id: {}", facts.client_id);
        eprintln!("  client secret: {}", secret.as_str());
    }
    if args.dev_any_token {
        eprintln!("DEVELOPER MODE: any bearer token is accepted as the local owner.");
    }
    let info = json!({
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
    });
    println!("{info}");
    eprintln!(
        "Serving Key Vault's REST API on https://<vault>.localhost:{port}; trust the CA from `vaultmort ca export-root`. Ctrl-C stops."
    );
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
    tokio::signal::ctrl_c().await.map_err(|e| CliError { code: "InternalError".into(), message: format!("waiting for Ctrl-C: {e}") })?;
    scheduler.abort();
    if let Some(front_end) = front_end {
        front_end.shutdown().await;
    }
    server.shutdown().await;
    Ok(())
}
