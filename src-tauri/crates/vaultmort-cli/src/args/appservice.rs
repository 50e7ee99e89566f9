//! The grammar of App Service practice, in az's words: `appservice plan ...` and `webapp ...`
//! (sites, custom host names, certificates and SNI bindings). Each command takes `-g` and, as az
//! does, `--subscription` (the default practice subscription when absent).

use clap::{Args, Subcommand};

/// `-g/--resource-group` with `--subscription`.
#[derive(Debug, Args, Clone)]
pub struct InGroup {
    /// Resource group.
    #[arg(short = 'g', long)]
    pub resource_group: String,
    /// Subscription name or id (`account list`); the default practice subscription when absent.
    #[arg(long)]
    pub subscription: Option<String>,
}

/// An optional `-g` with `--subscription`, for lists.
#[derive(Debug, Args, Clone)]
pub struct MaybeInGroup {
    /// Only this resource group (the whole subscription when absent).
    #[arg(short = 'g', long)]
    pub resource_group: Option<String>,
    /// Subscription name or id (`account list`); the default practice subscription when absent.
    #[arg(long)]
    pub subscription: Option<String>,
}

/// `-g`, `--subscription` and `-n/--name`.
#[derive(Debug, Args, Clone)]
pub struct Named {
    #[command(flatten)]
    pub group: InGroup,
    /// Name.
    #[arg(short = 'n', long)]
    pub name: String,
}

/// `vaultmort appservice ...`
#[derive(Debug, Subcommand)]
pub enum AppserviceCommand {
    /// App Service plans: the pricing tier that decides what a web app may have (F1: no custom
    /// domains; D1: custom domains but no SSL bindings; B1 and up: SNI SSL).
    #[command(subcommand)]
    Plan(PlanCommand),
}

/// `vaultmort appservice plan ...`
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Create an App Service plan in a resource group.
    Create {
        #[command(flatten)]
        plan: Named,
        /// Pricing tier: F1 (free), D1 (shared), B1-B3 (basic), S1-S3 (standard), P1V2-P3V3 (premium).
        #[arg(long, default_value = "B1")]
        sku: String,
    },
    /// Change a plan's pricing tier (moving down is refused while its apps use what the lower tier lacks).
    Update {
        #[command(flatten)]
        plan: Named,
        /// The new pricing tier (F1, D1, B1, S1, P1V2, ...).
        #[arg(long)]
        sku: String,
    },
    /// Show a plan.
    Show(Named),
    /// List plans, of a resource group or of the subscription.
    List(MaybeInGroup),
    /// Delete a plan no web app runs on.
    Delete {
        #[command(flatten)]
        plan: Named,
        /// Accepted for az compatibility; there is no prompt.
        #[arg(short = 'y', long)]
        yes: bool,
    },
}

/// `vaultmort webapp ...`
#[derive(Debug, Subcommand)]
pub enum WebappCommand {
    /// Create a web app on a plan of the same resource group; it answers at
    /// https://<name>.azurewebsites.localhost on the port `serve --webapp-port` prints.
    Create {
        #[command(flatten)]
        app: Named,
        /// The App Service plan's name (in the same resource group).
        #[arg(short = 'p', long)]
        plan: String,
    },
    /// Show a web app (host names, SSL states, HTTPS Only, customDomainVerificationId).
    Show(Named),
    /// List web apps, of a resource group or of the subscription.
    List(MaybeInGroup),
    /// Delete a web app; the front end stops serving its host names.
    Delete(Named),
    /// Change a web app's settings.
    Update {
        #[command(flatten)]
        app: Named,
        /// HTTPS Only: redirect plain HTTP to HTTPS (301).
        #[arg(long, value_name = "BOOL")]
        https_only: Option<bool>,
    },
    /// Vaultmort's own: the /etc/hosts lines (`127.0.0.1 <host>`) for every default and custom
    /// host name of every web app, so browsers and curl reach the front end without --resolve:
    /// `vaultmort webapp hosts-file -o tsv | sudo tee -a /etc/hosts`.
    HostsFile,
    /// Site configuration, custom host names and TLS/SSL certificates.
    #[command(subcommand)]
    Config(WebappConfigCommand),
}

/// `vaultmort webapp config ...`
#[derive(Debug, Subcommand)]
pub enum WebappConfigCommand {
    /// Change the site configuration.
    Set {
        #[command(flatten)]
        app: Named,
        /// The lowest TLS version the site accepts: 1.2 or 1.3.
        #[arg(long, value_name = "VERSION")]
        min_tls_version: Option<String>,
    },
    /// Custom host names (domains) of a web app.
    #[command(subcommand)]
    Hostname(HostnameCommand),
    /// TLS/SSL certificates (uploaded PFX files or Key Vault certificates) and SNI bindings.
    #[command(subcommand)]
    Ssl(SslCommand),
}

/// `--webapp-name` with `-g` and `--subscription`.
#[derive(Debug, Args, Clone)]
pub struct WebappName {
    #[command(flatten)]
    pub group: InGroup,
    /// The web app's name.
    #[arg(long)]
    pub webapp_name: String,
}

/// A web app and one of its host names.
#[derive(Debug, Args, Clone)]
pub struct WebappHostname {
    #[command(flatten)]
    pub app: WebappName,
    /// The host name (www.petdash.com).
    #[arg(long)]
    pub hostname: String,
}

/// `vaultmort webapp config hostname ...`
#[derive(Debug, Subcommand)]
pub enum HostnameCommand {
    /// Add a custom domain. App Service checks practice DNS first: an `asuid.<host>` TXT record
    /// holding the app's customDomainVerificationId, and a CNAME to <app>.azurewebsites.localhost
    /// (or an A record to 127.0.0.1). The plan must be D1 or above.
    Add(WebappHostname),
    /// List a web app's host names and their SSL states.
    List(WebappName),
    /// Remove a custom domain and its binding.
    Delete(WebappHostname),
    /// Vaultmort's own (az has no such command): show the DNS records App Service looks for
    /// before it adds this host name, and which of them practice DNS holds now.
    Check(WebappHostname),
}

/// `vaultmort webapp config ssl ...`
#[derive(Debug, Subcommand)]
pub enum SslCommand {
    /// Upload a PFX file (with its password) into the web app's resource group.
    Upload {
        #[command(flatten)]
        app: Named,
        /// The PFX file.
        #[arg(long, value_name = "FILE")]
        certificate_file: std::path::PathBuf,
        /// The PFX file's password.
        #[arg(long)]
        certificate_password: Option<String>,
        /// The certificate's name; its thumbprint by default.
        #[arg(long)]
        certificate_name: Option<String>,
    },
    /// Import a Key Vault certificate into the web app's resource group, read as the App Service
    /// resource provider (app id abfa0a7c-a6b6-4736-8310-5855508787cd): it needs secret Get in
    /// the vault, passage through the vault's firewall (trusted services), the same subscription
    /// and a PKCS#12 secret without a password. App Service syncs it every 24 hours.
    Import {
        #[command(flatten)]
        app: Named,
        /// The vault's name or resource id.
        #[arg(long)]
        key_vault: String,
        /// The Key Vault certificate's name.
        #[arg(long)]
        key_vault_certificate_name: String,
        /// The App Service certificate's name; <vault>-<certificate> by default.
        #[arg(long)]
        certificate_name: Option<String>,
    },
    /// Bind a certificate to the web app's custom domains it covers (or to --hostname) with SNI
    /// SSL. The plan must be B1 or above; the certificate must cover the host name and not have expired.
    Bind {
        #[command(flatten)]
        app: Named,
        /// The certificate's thumbprint (SHA-1, hex).
        #[arg(long)]
        certificate_thumbprint: String,
        /// SNI (IP-based SSL is not offered: every practice app shares one address).
        #[arg(long)]
        ssl_type: String,
        /// Only this host name.
        #[arg(long)]
        hostname: Option<String>,
    },
    /// Remove a certificate's SNI bindings from the web app (from every host name, or --hostname).
    Unbind {
        #[command(flatten)]
        app: Named,
        /// The certificate's thumbprint.
        #[arg(long)]
        certificate_thumbprint: String,
        /// Only this host name.
        #[arg(long)]
        hostname: Option<String>,
    },
    /// List the certificates of a resource group.
    List(InGroup),
    /// Show a certificate of a resource group.
    Show {
        #[command(flatten)]
        group: InGroup,
        /// The certificate's thumbprint.
        #[arg(long)]
        certificate_thumbprint: String,
    },
    /// Delete a certificate no binding uses.
    Delete {
        #[command(flatten)]
        group: InGroup,
        /// The certificate's thumbprint.
        #[arg(long)]
        certificate_thumbprint: String,
    },
    /// Vaultmort's "Sync now": look at the vault at once for a new version of the resource
    /// group's Key Vault certificates (or of one), instead of waiting for the 24-hour sync.
    Sync {
        #[command(flatten)]
        group: InGroup,
        /// Only the certificate with this thumbprint.
        #[arg(long)]
        certificate_thumbprint: Option<String>,
    },
}
