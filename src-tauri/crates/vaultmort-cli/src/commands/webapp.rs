//! `vaultmort webapp ...`: practice web apps, their site settings, custom host names, App
//! Service certificates and SNI bindings. Each command calls one core operation of
//! `vaultmort_core::appservice`; the rules (tiers, the domain check, Key Vault import, binding)
//! are the core's, and so are the refusals' codes and messages.

use serde_json::Value;
use vaultmort_core::appservice::MinTlsVersion;
use vaultmort_core::appservice::certificates::{ImportKeyVaultCertificate, SyncRequest, UploadCertificate};
use vaultmort_core::appservice::webapps::{CreateWebApp, WebAppUpdate};
use vaultmort_core::{RequestContext, Vaultmort};
use vaultmort_home::files::FileKind;
use zeroize::Zeroizing;

use super::appservice::{group, resource};
use super::read_file;
use crate::args::{HostnameCommand, Named, SslCommand, WebappCommand, WebappConfigCommand, WebappName};
use crate::{CliError, dto};

/// The web app `--webapp-name` names.
fn webapp(app: WebappName) -> Named {
    Named { group: app.group, name: app.webapp_name }
}

/// A vault named by its name or by its resource id (`--key-vault` takes either, as az does).
fn vault_name(key_vault: &str) -> String {
    let trimmed = key_vault.trim().trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((_, last)) if trimmed.to_ascii_lowercase().contains("/providers/microsoft.keyvault/vaults/") => last.to_string(),
        _ => trimmed.to_string(),
    }
}

/// Runs a `webapp` command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: WebappCommand) -> Result<Value, CliError> {
    Ok(match command {
        WebappCommand::Create { app, plan } => dto::web_app(&core.create_web_app(ctx, &CreateWebApp { app: resource(app), plan }).await?),
        WebappCommand::Show(app) => dto::web_app(&core.show_web_app(ctx, &resource(app)).await?),
        WebappCommand::List(scope) => Value::Array(
            core.list_web_apps(ctx, scope.subscription.as_deref(), scope.resource_group.as_deref())
                .await?
                .iter()
                .map(dto::web_app)
                .collect(),
        ),
        WebappCommand::Delete(app) => {
            core.delete_web_app(ctx, &resource(app)).await?;
            Value::Null
        }
        WebappCommand::Update { app, https_only } => {
            dto::web_app(&core.update_web_app(ctx, &resource(app), &WebAppUpdate { https_only, min_tls_version: None }).await?)
        }
        WebappCommand::HostsFile => hosts_file(core, ctx).await?,
        WebappCommand::Config(WebappConfigCommand::Set { app, min_tls_version }) => {
            let min_tls_version = min_tls_version.as_deref().map(str::parse::<MinTlsVersion>).transpose()?;
            dto::site_config(&core.update_web_app(ctx, &resource(app), &WebAppUpdate { https_only: None, min_tls_version }).await?)
        }
        WebappCommand::Config(WebappConfigCommand::Hostname(command)) => hostname(core, ctx, command).await?,
        WebappCommand::Config(WebappConfigCommand::Ssl(command)) => ssl(core, ctx, command).await?,
    })
}

/// `127.0.0.1 <host>` for every default and custom host name of every web app the caller can
/// see, in every subscription (the core's list).
async fn hosts_file(core: &Vaultmort, ctx: &RequestContext) -> Result<Value, CliError> {
    let entries = core.web_app_host_entries(ctx).await?;
    Ok(Value::Array(entries.into_iter().map(|(address, host)| Value::String(format!("{address} {host}"))).collect()))
}

async fn hostname(core: &Vaultmort, ctx: &RequestContext, command: HostnameCommand) -> Result<Value, CliError> {
    Ok(match command {
        HostnameCommand::Add(target) => {
            let app = core.add_host_name(ctx, &resource(webapp(target.app)), &target.hostname).await?;
            dto::host_name_binding(&app, &target.hostname)
        }
        HostnameCommand::List(app) => dto::host_name_bindings(&core.show_web_app(ctx, &resource(webapp(app))).await?),
        HostnameCommand::Delete(target) => {
            core.delete_host_name(ctx, &resource(webapp(target.app)), &target.hostname).await?;
            Value::Null
        }
        HostnameCommand::Check(target) => {
            let check = core.check_host_name(ctx, &resource(webapp(target.app)), &target.hostname).await?;
            serde_json::to_value(check)
                .map_err(|e| CliError { code: "InternalError".into(), message: format!("the check does not print: {e}") })?
        }
    })
}

async fn ssl(core: &Vaultmort, ctx: &RequestContext, command: SslCommand) -> Result<Value, CliError> {
    Ok(match command {
        SslCommand::Upload { app, certificate_file, certificate_password, certificate_name } => {
            // The certificate goes into the app's resource group, so the app must be there.
            core.show_web_app(ctx, &resource(app.clone())).await?;
            let upload = UploadCertificate {
                subscription: app.group.subscription,
                resource_group: app.group.resource_group,
                name: certificate_name,
                pfx: read_file(&certificate_file, FileKind::Certificate)?,
                password: certificate_password.map(Zeroizing::new),
            };
            dto::web_certificate(&core.upload_web_certificate(ctx, &upload).await?)
        }
        SslCommand::Import { app, key_vault, key_vault_certificate_name, certificate_name } => {
            core.show_web_app(ctx, &resource(app.clone())).await?;
            let import = ImportKeyVaultCertificate {
                subscription: app.group.subscription,
                resource_group: app.group.resource_group,
                vault: vault_name(&key_vault),
                certificate_name: key_vault_certificate_name,
                name: certificate_name,
            };
            dto::web_certificate(&core.import_key_vault_certificate(ctx, &import).await?)
        }
        SslCommand::Bind { app, certificate_thumbprint, ssl_type, hostname } => {
            dto::web_app(&core.bind_certificate(ctx, &resource(app), &certificate_thumbprint, &ssl_type, hostname.as_deref()).await?)
        }
        SslCommand::Unbind { app, certificate_thumbprint, hostname } => {
            dto::web_app(&core.unbind_certificate(ctx, &resource(app), &certificate_thumbprint, hostname.as_deref()).await?)
        }
        SslCommand::List(scope) => Value::Array(
            core.list_web_certificates(ctx, scope.subscription.as_deref(), Some(&scope.resource_group))
                .await?
                .iter()
                .map(dto::web_certificate)
                .collect(),
        ),
        SslCommand::Show { group, certificate_thumbprint } => dto::web_certificate(
            &core.show_web_certificate(ctx, group.subscription.as_deref(), &group.resource_group, &certificate_thumbprint).await?,
        ),
        SslCommand::Delete { group, certificate_thumbprint } => {
            core.delete_web_certificate(ctx, group.subscription.as_deref(), &group.resource_group, &certificate_thumbprint).await?;
            Value::Null
        }
        SslCommand::Sync { group: scope, certificate_thumbprint } => {
            let scope = group(scope);
            let request =
                SyncRequest { subscription: scope.subscription, resource_group: scope.resource_group, thumbprint: certificate_thumbprint };
            Value::Array(core.sync_web_certificates(ctx, &request).await?.iter().map(dto::web_certificate).collect())
        }
    })
}
