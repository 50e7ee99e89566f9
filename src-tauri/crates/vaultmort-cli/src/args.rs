//! The command line grammar, in az's words: `vaultmort keyvault secret set --vault-name v
//! --name n --value x`. Raw strings are parsed into typed values here or in [`crate::parse`];
//! the command modules receive checked values.

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod appservice;
pub mod dns;

pub use appservice::*;
pub use dns::*;

/// Vaultmort: an offline Azure Key Vault. Commands and output follow `az`.
#[derive(Debug, Parser)]
#[command(name = "vaultmort", version, about, arg_required_else_help = true)]
pub struct Cli {
    /// Output format.
    #[arg(short = 'o', long = "output", global = true, value_enum, default_value_t = OutputFormat::Json)]
    pub output: OutputFormat,
    /// JMESPath query applied to the output (as az's --query).
    #[arg(long, global = true)]
    pub query: Option<String>,
    /// Run as this principal (UPN, app id, display name or object id) instead of the signed-in one.
    #[arg(long = "as", global = true, value_name = "PRINCIPAL")]
    pub as_principal: Option<String>,
    /// The client address the vault firewall and the access log see (loopback by default), to practise firewall rules.
    #[arg(long, global = true, value_name = "IPV4")]
    pub source_ip: Option<std::net::IpAddr>,
    /// What to do.
    #[command(subcommand)]
    pub command: TopCommand,
}

/// Output formats, as az's `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Indented JSON.
    Json,
    /// Compact JSON on one line.
    Jsonc,
    /// A table of the scalar fields.
    Table,
    /// Tab-separated scalar fields, one line per item.
    Tsv,
    /// Nothing.
    None,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum TopCommand {
    /// Resource groups.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Key vaults, keys and secrets.
    #[command(subcommand)]
    Keyvault(KeyvaultCommand),
    /// The installation's shiftable clock (to practise expiry and retention).
    #[command(subcommand)]
    Clock(ClockCommand),
    /// The practice certificate authority.
    #[command(subcommand)]
    Ca(CaCommand),
    /// Events vaults raised (certificate expiry, new versions) and contact notifications.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Sign in as the principal given with --as (UPN, app id, display name or object id); later commands run as it.
    Login,
    /// Subscriptions.
    #[command(subcommand)]
    Account(AccountCommand),
    /// The practice directory (Microsoft Entra ID): users, groups, service principals.
    #[command(subcommand)]
    Ad(AdCommand),
    /// Managed identities.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Azure RBAC: role definitions and assignments.
    #[command(subcommand)]
    Role(RoleCommand),
    /// Practice virtual networks (for vault firewall rules) and practice DNS zones (for App Service custom domains).
    #[command(subcommand)]
    Network(NetworkCommand),
    /// App Service plans (App Service practice).
    #[command(subcommand)]
    Appservice(AppserviceCommand),
    /// Practice web apps: custom domains, Key Vault certificates and SNI bindings, served by `serve --webapp-port`.
    #[command(subcommand)]
    Webapp(WebappCommand),
    /// Serve the vaults over HTTPS with Key Vault's REST API, for the Azure SDKs.
    Serve(ServeArgs),
    /// The HSM that holds this home's HSM-protected keys (RSA-HSM, EC-HSM): a PKCS#11 token.
    #[command(subcommand)]
    Hsm(HsmCommand),
    /// Bring your own key: the HSM vendor's side of a key transfer, played locally.
    #[command(subcommand)]
    Byok(ByokCommand),
    /// Make this machine a client of `vaultmort serve`: trust the practice root, a CA file and
    /// variables per runtime, host names, and an .env file. Prints the plan; --apply performs it.
    SetupClient(SetupClientArgs),
}

/// `vaultmort setup-client ...`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").args(["apply", "remove"])))]
pub struct SetupClientArgs {
    /// Perform the plan (idempotent). The system parts (trust store, /etc/hosts) need root; without
    /// it the user's files are still written and the output names the steps left for `sudo`.
    #[arg(long)]
    pub apply: bool,
    /// Undo what --apply did: the hosts block, the trusted root, the CA files and the .env file (idempotent).
    #[arg(long)]
    pub remove: bool,
    /// The port `vaultmort serve` listens on.
    #[arg(long, default_value_t = vaultmort_core::address::DEFAULT_PORT)]
    pub port: u16,
    /// The application (service principal: display name, app id or object id) whose credentials go
    /// into the .env file; --apply gives it a new client secret, written only into that file.
    #[arg(long, value_name = "NAME|APPID")]
    pub application: Option<String>,
    /// The .env file to write (created 0600).
    #[arg(long, value_name = "PATH", default_value = vaultmort_rest::client_setup::DEFAULT_ENV_FILE)]
    pub env_file: std::path::PathBuf,
    /// The folder for the CA file, the CA bundle and the Java truststore (default: <home>/client).
    #[arg(long, value_name = "DIR")]
    pub client_dir: Option<std::path::PathBuf>,
    /// How <vault>.localhost names resolve: auto (ask the resolver), hosts (lines in /etc/hosts for
    /// every name) or myhostname (NSS resolves *.localhost; lines only for other names).
    #[arg(long, value_name = "auto|hosts|myhostname", default_value = "auto")]
    pub names: vaultmort_rest::client_setup::NameResolution,
}

/// `vaultmort hsm ...`
#[derive(Debug, Subcommand)]
pub enum HsmCommand {
    /// Show the HSM: mode, module, token, slot, PIN state, mechanisms and key objects.
    Show,
    /// Use a PKCS#11 module (a real HSM, a YubiHSM, another SoftHSM token) instead of the
    /// practice token. The token is opened and logged into before anything changes.
    #[command(group(clap::ArgGroup::new("token").required(true).args(["token_label", "slot"])))]
    Configure {
        /// The module's shared library (such as /usr/lib/softhsm/libsofthsm2.so).
        #[arg(long, value_name = "PATH")]
        module: std::path::PathBuf,
        /// The token's label.
        #[arg(long, value_name = "LABEL")]
        token_label: Option<String>,
        /// The token's slot id.
        #[arg(long, value_name = "N")]
        slot: Option<u64>,
        /// The token's user PIN; read from VAULTMORT_HSM_PIN when not given, to keep it off the command line.
        #[arg(long, env = "VAULTMORT_HSM_PIN", hide_env_values = true)]
        pin: String,
    },
}

/// `vaultmort byok ...`
#[derive(Debug, Subcommand)]
pub enum ByokCommand {
    /// Wrap a target key for a key-exchange key (KEK), as an on-premises HSM's BYOK tool does,
    /// and write the `.byok` file `keyvault key import --byok-file` takes. Runs in a SoftHSM
    /// token of its own (the simulated customer HSM), never in the vault's HSM.
    #[command(group(clap::ArgGroup::new("target").required(true).args(["size", "key_file"])))]
    Wrap {
        /// The KEK's public key, as `keyvault key download --encoding PEM` writes it (PEM or DER).
        #[arg(long, value_name = "FILE")]
        kek_file: std::path::PathBuf,
        /// The KEK's kid URL (https://<vault>.<host>/keys/<name>/<version>), written into the file's header.
        #[arg(long, value_name = "URL")]
        kek_kid: String,
        /// The type of target key to generate in the vendor token: RSA (the default; Key Vault's BYOK into the practice HSM takes RSA keys).
        #[arg(long, requires = "size")]
        kty: Option<String>,
        /// Generate an RSA target key of this size: 2048, 3072 or 4096.
        #[arg(long, conflicts_with = "key_file")]
        size: Option<u32>,
        /// Take an existing private key instead: a PKCS#8 PEM file.
        #[arg(long, value_name = "FILE")]
        key_file: Option<std::path::PathBuf>,
        /// The password of an encrypted --key-file.
        #[arg(long, requires = "key_file")]
        key_password: Option<String>,
        /// The `.byok` file to write (must not exist).
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Also write the target key's public key here (PEM), to verify the vault's signatures later.
        #[arg(long, value_name = "FILE")]
        public_out: Option<std::path::PathBuf>,
        /// The simulated vendor HSM's folder (a SoftHSM2 token of its own); `<home>/byok-vendor-hsm` by default.
        #[arg(long, value_name = "DIR")]
        vendor_hsm: Option<std::path::PathBuf>,
    },
}

/// `vaultmort account ...`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Subscriptions the signed-in principal has a role in.
    List,
    /// The current subscription and who is signed in.
    Show,
    /// Choose the subscription (shows it; commands take --subscription where az does).
    Set {
        /// Subscription name or id.
        #[arg(short = 's', long)]
        subscription: String,
    },
    /// Make another practice subscription, to practise what crosses a subscription's edge
    /// (App Service imports certificates only from vaults of its own subscription).
    Create {
        /// The subscription's display name (unique).
        #[arg(short = 'n', long)]
        name: String,
    },
}

/// `vaultmort ad ...`
#[derive(Debug, Subcommand)]
pub enum AdCommand {
    /// Users.
    #[command(subcommand)]
    User(AdUserCommand),
    /// Groups.
    #[command(subcommand)]
    Group(AdGroupCommand),
    /// Service principals (an application and its principal, with a client secret).
    #[command(subcommand)]
    Sp(AdSpCommand),
}

/// `vaultmort ad user ...`
#[derive(Debug, Subcommand)]
pub enum AdUserCommand {
    /// Create a user.
    Create {
        /// Display name.
        #[arg(long)]
        display_name: String,
        /// User principal name (name@domain).
        #[arg(long)]
        user_principal_name: String,
    },
    /// List users.
    List,
    /// Show a user.
    Show(DirectoryId),
    /// Delete a user.
    Delete(DirectoryId),
}

/// `--id`: a UPN, app id, display name or object id.
#[derive(Debug, Args, Clone)]
pub struct DirectoryId {
    /// UPN, app id, display name or object id.
    #[arg(long)]
    pub id: String,
}

/// `vaultmort ad group ...`
#[derive(Debug, Subcommand)]
pub enum AdGroupCommand {
    /// Create a security group.
    Create {
        /// Display name.
        #[arg(long)]
        display_name: String,
        /// Accepted for az compatibility.
        #[arg(long)]
        mail_nickname: Option<String>,
    },
    /// List groups.
    List,
    /// Show a group.
    Show(GroupId),
    /// Delete a group.
    Delete(GroupId),
    /// Group members.
    #[command(subcommand)]
    Member(AdGroupMemberCommand),
}

/// `--group`: display name or object id.
#[derive(Debug, Args, Clone)]
pub struct GroupId {
    /// Group display name or object id.
    #[arg(short = 'g', long)]
    pub group: String,
}

/// `vaultmort ad group member ...`
#[derive(Debug, Subcommand)]
pub enum AdGroupMemberCommand {
    /// Add a member (a user, service principal, managed identity or group).
    Add(GroupMember),
    /// Remove a member.
    Remove(GroupMember),
    /// List direct members.
    List(GroupId),
}

/// `--group` and `--member-id`.
#[derive(Debug, Args, Clone)]
pub struct GroupMember {
    /// Group display name or object id.
    #[arg(short = 'g', long)]
    pub group: String,
    /// The member: UPN, app id, display name or object id.
    #[arg(long)]
    pub member_id: String,
}

/// `vaultmort ad sp ...`
#[derive(Debug, Subcommand)]
pub enum AdSpCommand {
    /// Create an application with its service principal; prints its client secret once.
    Create {
        /// Display name.
        #[arg(long)]
        display_name: String,
    },
    /// List service principals.
    List,
    /// Show a service principal.
    Show(DirectoryId),
    /// Delete a service principal.
    Delete(DirectoryId),
}

/// `vaultmort identity ...`
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Create a user-assigned managed identity.
    Create {
        /// Name.
        #[arg(short = 'n', long)]
        name: String,
        /// Accepted for az compatibility.
        #[arg(short = 'g', long)]
        resource_group: Option<String>,
    },
    /// List managed identities.
    List,
    /// Show a managed identity.
    Show(DirectoryId),
    /// Delete a managed identity.
    Delete(DirectoryId),
}

/// `vaultmort role ...`
#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Role definitions.
    #[command(subcommand)]
    Definition(RoleDefinitionCommand),
    /// Role assignments.
    #[command(subcommand)]
    Assignment(RoleAssignmentCommand),
}

/// `vaultmort role definition ...`
#[derive(Debug, Subcommand)]
pub enum RoleDefinitionCommand {
    /// Create a custom role from a JSON definition.
    Create {
        /// The definition: JSON text, or @file.json.
        #[arg(long)]
        role_definition: String,
    },
    /// List role definitions.
    List {
        /// Only this role.
        #[arg(short = 'n', long)]
        name: Option<String>,
        /// Only custom roles.
        #[arg(long)]
        custom_role_only: bool,
    },
    /// Delete a custom role.
    Delete {
        /// Role name or id.
        #[arg(short = 'n', long)]
        name: String,
    },
}

/// `vaultmort role assignment ...`
#[derive(Debug, Subcommand)]
pub enum RoleAssignmentCommand {
    /// Assign a role.
    Create {
        /// UPN, app id, display name or object id.
        #[arg(long)]
        assignee: String,
        /// Role name or id.
        #[arg(long)]
        role: String,
        /// Scope (resource id): /subscriptions/<id>[/resourceGroups/<rg>[/providers/Microsoft.KeyVault/vaults/<vault>[/secrets/<name>]]].
        #[arg(long)]
        scope: String,
    },
    /// List role assignments.
    List {
        /// Only this principal.
        #[arg(long)]
        assignee: Option<String>,
        /// Only this role.
        #[arg(long)]
        role: Option<String>,
        /// Only this scope (the subscription's when absent and --all is not given).
        #[arg(long)]
        scope: Option<String>,
        /// Also assignments at scopes above --scope.
        #[arg(long)]
        include_inherited: bool,
        /// Assignments at every scope.
        #[arg(long)]
        all: bool,
    },
    /// Delete role assignments.
    Delete {
        /// Assignment ids.
        #[arg(long)]
        ids: Option<String>,
        /// UPN, app id, display name or object id.
        #[arg(long)]
        assignee: Option<String>,
        /// Role name or id.
        #[arg(long)]
        role: Option<String>,
        /// Scope.
        #[arg(long)]
        scope: Option<String>,
    },
}

/// `vaultmort network ...`
#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Practice virtual networks.
    #[command(subcommand)]
    Vnet(VnetCommand),
    /// Practice DNS zones and record sets, which App Service checks custom domains against.
    #[command(subcommand)]
    Dns(DnsCommand),
}

/// `vaultmort network vnet ...`
#[derive(Debug, Subcommand)]
pub enum VnetCommand {
    /// Create a virtual network with subnets.
    Create {
        /// Resource group.
        #[arg(short = 'g', long)]
        resource_group: String,
        /// Name.
        #[arg(short = 'n', long)]
        name: String,
        /// Subnets as name=CIDR (10.0.1.0/24), space-separated.
        #[arg(long, num_args = 1..)]
        subnets: Vec<String>,
    },
    /// List virtual networks.
    List,
    /// Place a principal in a subnet (its requests then come from it); --subnet none takes it out.
    Place {
        /// UPN, app id, display name or object id.
        #[arg(long)]
        principal: String,
        /// Subnet resource id, or none.
        #[arg(long)]
        subnet: String,
    },
}

/// `vaultmort serve ...`
///
/// With `--ephemeral` the server runs on a throwaway home (a fresh folder under `$TMPDIR`, its
/// master key only in memory) that is removed when the server stops on Ctrl-C or SIGTERM;
/// `--seed FILE` fills it first, and the start-up line then carries everything a test suite
/// needs (CA file, vault URLs, application credentials). See docs/seed.md.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port (0 picks a free one; the chosen port is printed).
    #[arg(long, default_value_t = vaultmort_core::address::DEFAULT_PORT)]
    pub port: u16,
    /// Address to listen on; loopback unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Allow a non-loopback --bind address (other machines can then reach the vaults).
    #[arg(long)]
    pub allow_remote: bool,
    /// The vault that https://localhost:<port> and https://127.0.0.1:<port> reach.
    #[arg(long)]
    pub default_vault: Option<String>,
    /// Developer mode: accept any bearer token as the local owner (every response says so).
    #[arg(long)]
    pub dev_any_token: bool,
    /// Throttle this vault like Key Vault's service limits (429 with Retry-After) for this run
    /// only; repeatable. `keyvault update --practice-throttling true` keeps it on for good.
    #[arg(long = "throttle", value_name = "VAULT")]
    pub throttle: Vec<String>,
    /// App Service practice: also serve the web apps over HTTPS on this port (0 picks a free
    /// one; printed as webappHttpsPort). Each host name gets the certificate bound to it, or the
    /// built-in *.azurewebsites.localhost one; renewed Key Vault certificates are picked up
    /// without a restart. `vaultmort webapp hosts-file` prints the /etc/hosts lines for the host names.
    #[arg(long, value_name = "PORT")]
    pub webapp_port: Option<u16>,
    /// The web apps' plain HTTP port (0, the default, picks a free one; printed as
    /// webappHttpPort): HTTPS Only apps redirect it to HTTPS with a 301.
    #[arg(long, value_name = "PORT", requires = "webapp_port")]
    pub webapp_http_port: Option<u16>,
    /// Run on a throwaway home: a new folder under $TMPDIR (vaultmort-ephemeral-*) with a master
    /// key held only in this process's memory (no keyring, no passphrase), removed when the
    /// server stops on Ctrl-C or SIGTERM, or fails to start. VAULTMORT_HOME is ignored.
    #[arg(long)]
    pub ephemeral: bool,
    /// Fill the throwaway home from this YAML or JSON file before serving (groups, vaults,
    /// secrets, keys, certificates, applications, access policies, role assignments); a wrong
    /// file is refused, with the path of the offending entry, before anything starts. Needs
    /// --ephemeral.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<std::path::PathBuf>,
    /// How the start-up line on stdout is written: one JSON object (json), or KEY=VALUE lines
    /// for a .env file followed by a blank line (env).
    #[arg(long, value_enum, default_value_t = crate::serve::SettingsFormat::Json)]
    pub settings_format: crate::serve::SettingsFormat,
}

/// `vaultmort ca ...`
#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Write the practice CA's root certificate, to trust it.
    ExportRoot {
        /// Output file.
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
        /// PEM or DER.
        #[arg(short = 'e', long, default_value = "PEM")]
        encoding: String,
    },
}

/// `vaultmort events ...`
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// List events and notifications, oldest first.
    List {
        /// Only this vault.
        #[arg(long)]
        vault_name: Option<String>,
        /// Only this event type (CertificateNearExpiry, CertificateExpired, CertificateNewVersionCreated, CertificateContactsNotified, KeyNewVersionCreated, KeyNearExpiry).
        #[arg(long)]
        event_type: Option<String>,
    },
}

/// `vaultmort group ...`
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a resource group (or update its tags).
    Create {
        /// Name.
        #[arg(short = 'n', long = "name", visible_alias = "resource-group", short_alias = 'g')]
        name: String,
        /// Location, such as westeurope.
        #[arg(short = 'l', long)]
        location: String,
        /// Tags: `key=value` pairs, space-separated.
        #[arg(long, num_args = 0..)]
        tags: Option<Vec<String>>,
        /// Subscription name or id (`account list`); the default practice subscription when absent.
        #[arg(long)]
        subscription: Option<String>,
    },
    /// List resource groups.
    List,
    /// Show a resource group.
    Show {
        /// Name.
        #[arg(short = 'n', long = "name", visible_alias = "resource-group", short_alias = 'g')]
        name: String,
    },
    /// Delete a resource group; its vaults are soft-deleted.
    Delete {
        /// Name.
        #[arg(short = 'n', long = "name", visible_alias = "resource-group", short_alias = 'g')]
        name: String,
        /// Accepted for az compatibility; there is no prompt.
        #[arg(short = 'y', long)]
        yes: bool,
    },
}

/// `vaultmort keyvault ...`
#[derive(Debug, Subcommand)]
pub enum KeyvaultCommand {
    /// Create a vault.
    Create(VaultCreate),
    /// List vaults.
    List {
        /// Only this resource group.
        #[arg(short = 'g', long)]
        resource_group: Option<String>,
    },
    /// Show a vault.
    Show(VaultName),
    /// Change a vault's settings.
    Update(VaultUpdate),
    /// Soft-delete a vault.
    Delete(VaultName),
    /// List soft-deleted vaults.
    ListDeleted,
    /// Show a soft-deleted vault.
    ShowDeleted(VaultName),
    /// Recover a soft-deleted vault.
    Recover(VaultName),
    /// Purge a soft-deleted vault for good.
    Purge(VaultName),
    /// Grant a principal data-plane permissions through an access policy.
    SetPolicy(SetPolicy),
    /// Remove a principal's access policy.
    DeletePolicy(PolicyPrincipal),
    /// Firewall rules.
    #[command(subcommand)]
    NetworkRule(NetworkRuleCommand),
    /// The access log.
    #[command(subcommand)]
    Log(LogCommand),
    /// What a principal may do on a vault, operation by operation.
    CheckAccess {
        /// Vault name.
        #[arg(short = 'n', long = "name")]
        name: String,
        /// UPN, app id, display name or object id.
        #[arg(long)]
        assignee: String,
    },
    /// Keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Secrets.
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Certificates.
    #[command(subcommand)]
    Certificate(CertificateCommand),
}

/// `keyvault certificate ...`
#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Create a certificate from a policy (Self and the practice CA complete at once; Unknown leaves a CSR to merge).
    Create {
        #[command(flatten)]
        vault: InVault,
        /// Certificate name.
        #[arg(short = 'n', long)]
        name: String,
        /// The policy: JSON text, or @file.json.
        #[arg(short = 'p', long)]
        policy: String,
        /// Create it disabled.
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        disabled: Option<bool>,
        /// Tags: `key=value` pairs.
        #[arg(long, num_args = 0..)]
        tags: Option<Vec<String>>,
    },
    /// Import a certificate with its private key (PFX, or PEM with a PKCS#8 key).
    Import {
        #[command(flatten)]
        vault: InVault,
        /// Certificate name.
        #[arg(short = 'n', long)]
        name: String,
        /// The PFX or PEM file.
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
        /// The file's password.
        #[arg(long)]
        password: Option<String>,
        /// A policy: JSON text, or @file.json.
        #[arg(short = 'p', long)]
        policy: Option<String>,
        /// Import it disabled.
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        disabled: Option<bool>,
        /// Tags: `key=value` pairs.
        #[arg(long, num_args = 0..)]
        tags: Option<Vec<String>>,
    },
    /// Show a certificate version.
    Show(ObjectTarget),
    /// List certificates.
    List(InVault),
    /// List a certificate's versions.
    ListVersions(ObjectName),
    /// Change a version's attributes and tags, or the certificate's policy.
    SetAttributes {
        #[command(flatten)]
        target: ObjectTarget,
        /// Enable or disable (its key and secret too).
        #[arg(long)]
        enabled: Option<bool>,
        /// Tags: `key=value` pairs.
        #[arg(long, num_args = 0..)]
        tags: Option<Vec<String>>,
        /// A new policy: JSON text, or @file.json.
        #[arg(short = 'p', long)]
        policy: Option<String>,
    },
    /// Download a certificate: PEM or DER (public), or PFX with the private key.
    Download {
        #[command(flatten)]
        target: ObjectTarget,
        /// Output file.
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
        /// PEM, DER or PFX.
        #[arg(short = 'e', long, default_value = "PEM")]
        encoding: String,
        /// With PEM: include the issuing chain.
        #[arg(long)]
        chain: bool,
        /// With PFX: protect the file with this password (none by default).
        #[arg(long)]
        password: Option<String>,
    },
    /// Print Key Vault's default certificate policy.
    GetDefaultPolicy,
    /// Show a certificate's policy.
    ShowPolicy(ObjectName),
    #[command(flatten)]
    Lifecycle(LifecycleCommand),
    /// The pending operation of a certificate being issued.
    #[command(subcommand)]
    Pending(PendingCommand),
    /// Certificate issuers of a vault.
    #[command(subcommand)]
    Issuer(IssuerCommand),
    /// Certificate contacts of a vault.
    #[command(subcommand)]
    Contact(ContactCommand),
}

/// `keyvault certificate pending ...`
#[derive(Debug, Subcommand)]
pub enum PendingCommand {
    /// Show the pending operation and its CSR.
    Show(ObjectName),
    /// Merge the signed certificate (PEM, DER or PKCS#7, with its chain).
    Merge {
        #[command(flatten)]
        target: ObjectName,
        /// The signed certificate file.
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
        /// Tags: `key=value` pairs.
        #[arg(long, num_args = 0..)]
        tags: Option<Vec<String>>,
        /// Merge it disabled.
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        disabled: Option<bool>,
    },
    /// Cancel the operation.
    Cancel(ObjectName),
    /// Delete the operation.
    Delete(ObjectName),
}

/// Flags shared by issuer create and update.
#[derive(Debug, Args, Clone)]
pub struct IssuerArgs {
    #[command(flatten)]
    pub vault: InVault,
    /// Issuer name.
    #[arg(long)]
    pub issuer_name: String,
    /// Provider: VaultmortPractice for the local CA (DigiCert, GlobalSign cannot issue offline).
    #[arg(long)]
    pub provider_name: Option<String>,
    /// Account id.
    #[arg(long)]
    pub account_id: Option<String>,
    /// Account password.
    #[arg(long)]
    pub password: Option<String>,
    /// Organization id.
    #[arg(long)]
    pub organization_id: Option<String>,
    /// Disable (or with false, enable) the issuer.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub disabled: Option<bool>,
}

/// `keyvault certificate issuer ...`
#[derive(Debug, Subcommand)]
pub enum IssuerCommand {
    /// Create an issuer.
    Create(IssuerArgs),
    /// Change an issuer.
    Update(IssuerArgs),
    /// Show an issuer.
    Show {
        #[command(flatten)]
        vault: InVault,
        /// Issuer name.
        #[arg(long)]
        issuer_name: String,
    },
    /// List issuers.
    List(InVault),
    /// Delete an issuer.
    Delete {
        #[command(flatten)]
        vault: InVault,
        /// Issuer name.
        #[arg(long)]
        issuer_name: String,
    },
}

/// `keyvault certificate contact ...`
#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Add a contact.
    Add {
        #[command(flatten)]
        vault: InVault,
        /// Email address.
        #[arg(long)]
        email: String,
        /// Name.
        #[arg(long)]
        name: Option<String>,
        /// Phone.
        #[arg(long)]
        phone: Option<String>,
    },
    /// List contacts.
    List(InVault),
    /// Remove a contact by email.
    Delete {
        #[command(flatten)]
        vault: InVault,
        /// Email address.
        #[arg(long)]
        email: String,
    },
}

/// A vault named by `--name`.
#[derive(Debug, Args)]
pub struct VaultName {
    /// Vault name.
    #[arg(short = 'n', long = "name")]
    pub name: String,
    /// Accepted for az compatibility (vault names are unique in the tenant).
    #[arg(short = 'g', long)]
    pub resource_group: Option<String>,
}

/// `keyvault create`
#[derive(Debug, Args)]
pub struct VaultCreate {
    /// Vault name (3-24 letters, digits, hyphens).
    #[arg(short = 'n', long = "name")]
    pub name: String,
    /// Resource group.
    #[arg(short = 'g', long)]
    pub resource_group: String,
    /// Location; the resource group's by default.
    #[arg(short = 'l', long)]
    pub location: Option<String>,
    /// standard or premium.
    #[arg(long, default_value = "standard")]
    pub sku: String,
    /// Soft-delete retention, 7 to 90 days.
    #[arg(long, default_value_t = 90)]
    pub retention_days: u32,
    /// Turn on purge protection (cannot be turned off).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub enable_purge_protection: Option<bool>,
    /// Use Azure RBAC for the data plane.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub enable_rbac_authorization: Option<bool>,
    /// Tags: `key=value` pairs.
    #[arg(long, num_args = 0..)]
    pub tags: Option<Vec<String>>,
    /// Firewall default action: Allow or Deny.
    #[arg(long)]
    pub default_action: Option<String>,
    /// Trusted services bypass: AzureServices or None.
    #[arg(long)]
    pub bypass: Option<String>,
    /// Public network access: Enabled or Disabled.
    #[arg(long)]
    pub public_network_access: Option<String>,
    /// IP rules: IPv4 addresses or CIDR ranges, space-separated.
    #[arg(long, num_args = 1..)]
    pub network_acls_ips: Option<Vec<String>>,
}

/// `keyvault update`
#[derive(Debug, Args)]
pub struct VaultUpdate {
    /// Vault name.
    #[arg(short = 'n', long = "name")]
    pub name: String,
    /// Accepted for az compatibility.
    #[arg(short = 'g', long)]
    pub resource_group: Option<String>,
    /// standard or premium.
    #[arg(long)]
    pub sku: Option<String>,
    /// Turn on purge protection.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub enable_purge_protection: Option<bool>,
    /// Use Azure RBAC for the data plane.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub enable_rbac_authorization: Option<bool>,
    /// Retention days (fixed at creation; a different value is refused).
    #[arg(long)]
    pub retention_days: Option<u32>,
    /// Tags: `key=value` pairs (replace all; none to clear).
    #[arg(long, num_args = 0..)]
    pub tags: Option<Vec<String>>,
    /// Firewall default action: Allow or Deny.
    #[arg(long)]
    pub default_action: Option<String>,
    /// Trusted services bypass: AzureServices or None.
    #[arg(long)]
    pub bypass: Option<String>,
    /// Public network access: Enabled or Disabled.
    #[arg(long)]
    pub public_network_access: Option<String>,
    /// Practice throttling (Vaultmort's own): the REST API answers 429 with Retry-After past
    /// Key Vault's service limits, to practise retry logic.
    #[arg(long, value_name = "BOOL")]
    pub practice_throttling: Option<bool>,
}

/// Whose access policy: `--upn`, `--object-id` or `--spn`.
#[derive(Debug, Args, Clone)]
pub struct PolicyPrincipal {
    /// Vault name.
    #[arg(short = 'n', long = "name")]
    pub name: String,
    /// Accepted for az compatibility.
    #[arg(short = 'g', long)]
    pub resource_group: Option<String>,
    /// A user's principal name.
    #[arg(long)]
    pub upn: Option<String>,
    /// An object id (user, group, service principal or managed identity).
    #[arg(long)]
    pub object_id: Option<String>,
    /// A service principal's app id or display name.
    #[arg(long)]
    pub spn: Option<String>,
}

impl PolicyPrincipal {
    /// The principal query from whichever of `--upn`, `--object-id` and `--spn` was given
    /// (exactly one must be).
    pub fn principal(&self) -> Result<&str, vaultmort_core::Error> {
        match [&self.upn, &self.object_id, &self.spn].into_iter().flatten().collect::<Vec<_>>().as_slice() {
            [one] => Ok(one.as_str()),
            [] => Err(vaultmort_core::Error::bad("say whose policy: give one of --upn, --object-id and --spn")),
            _ => Err(vaultmort_core::Error::bad("give only one of --upn, --object-id and --spn")),
        }
    }
}

/// `keyvault set-policy`.
#[derive(Debug, Args, Clone)]
pub struct SetPolicy {
    #[command(flatten)]
    pub target: PolicyPrincipal,
    /// Key permissions (space-separated; `all` for every one).
    #[arg(long, num_args = 0..)]
    pub key_permissions: Option<Vec<String>>,
    /// Secret permissions.
    #[arg(long, num_args = 0..)]
    pub secret_permissions: Option<Vec<String>>,
    /// Certificate permissions.
    #[arg(long, num_args = 0..)]
    pub certificate_permissions: Option<Vec<String>>,
}

/// `keyvault network-rule ...`
#[derive(Debug, Subcommand)]
pub enum NetworkRuleCommand {
    /// Add an IP rule or a virtual network rule.
    Add(NetworkRuleArgs),
    /// Remove an IP rule or a virtual network rule.
    Remove(NetworkRuleArgs),
    /// Show the vault's firewall settings and rules.
    List(VaultName),
}

/// `--name` with `--ip-address` or `--subnet`.
#[derive(Debug, Args, Clone)]
pub struct NetworkRuleArgs {
    /// Vault name.
    #[arg(short = 'n', long = "name")]
    pub name: String,
    /// Accepted for az compatibility.
    #[arg(short = 'g', long)]
    pub resource_group: Option<String>,
    /// IPv4 address or CIDR range.
    #[arg(long, required_unless_present = "subnet", conflicts_with = "subnet")]
    pub ip_address: Option<String>,
    /// Subnet resource id.
    #[arg(long)]
    pub subnet: Option<String>,
}

/// `keyvault log ...`
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// List access log records (AuditEvent shape), oldest first.
    List(LogFilter),
    /// Write access log records to a file as JSON lines.
    Export {
        #[command(flatten)]
        filter: LogFilter,
        /// Output file (must not exist).
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
    },
    /// Check the log's hash chain; fails when a record was changed or removed.
    Verify,
}

/// Access log filters.
#[derive(Debug, Args, Clone, Default)]
pub struct LogFilter {
    /// Only this vault.
    #[arg(long)]
    pub vault_name: Option<String>,
    /// Only this caller (object id or name).
    #[arg(long)]
    pub caller: Option<String>,
    /// Only this operation (SecretGet, VaultPut, ...).
    #[arg(long)]
    pub operation: Option<String>,
    /// Only this result: Succeeded, Denied or Failed.
    #[arg(long)]
    pub result: Option<String>,
    /// From this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub start_time: Option<String>,
    /// Until this time.
    #[arg(long)]
    pub end_time: Option<String>,
    /// Only the newest N.
    #[arg(long)]
    pub top: Option<usize>,
}

/// Which object: `--vault-name` and `--name` (and `--version`), or `--id`.
#[derive(Debug, Args, Clone)]
pub struct ObjectTarget {
    /// Vault name.
    #[arg(long, required_unless_present = "id")]
    pub vault_name: Option<String>,
    /// Object name.
    #[arg(short = 'n', long, required_unless_present = "id")]
    pub name: Option<String>,
    /// Version; the newest by default.
    #[arg(long)]
    pub version: Option<String>,
    /// The object's id URL instead of vault, name and version.
    #[arg(long, conflicts_with_all = ["vault_name", "name", "version"])]
    pub id: Option<String>,
}

/// An object named by `--vault-name` and `--name` only (no version).
#[derive(Debug, Args, Clone)]
pub struct ObjectName {
    /// Vault name.
    #[arg(long, required_unless_present = "id")]
    pub vault_name: Option<String>,
    /// Object name.
    #[arg(short = 'n', long, required_unless_present = "id")]
    pub name: Option<String>,
    /// The object's id URL instead.
    #[arg(long, conflicts_with_all = ["vault_name", "name"])]
    pub id: Option<String>,
}

/// `--vault-name` alone.
#[derive(Debug, Args, Clone)]
pub struct InVault {
    /// Vault name.
    #[arg(long)]
    pub vault_name: String,
}

/// Attribute flags shared by create, set and set-attributes.
#[derive(Debug, Args, Clone, Default)]
pub struct AttributeArgs {
    /// Expiry (RFC 3339 or YYYY-MM-DD, UTC).
    #[arg(long)]
    pub expires: Option<String>,
    /// Not valid before (RFC 3339 or YYYY-MM-DD, UTC).
    #[arg(long)]
    pub not_before: Option<String>,
    /// Tags: `key=value` pairs.
    #[arg(long, num_args = 0..)]
    pub tags: Option<Vec<String>>,
}

/// `vaultmort keyvault key rotation-policy ...`
#[derive(Debug, Subcommand)]
pub enum RotationPolicyCommand {
    /// Show a key's rotation policy (Key Vault's default when none was set).
    Show(ObjectName),
    /// Replace a key's rotation policy.
    Update {
        #[command(flatten)]
        target: ObjectName,
        /// The policy as Key Vault writes it: JSON text, or @file.json.
        #[arg(long)]
        value: String,
    },
}

/// `keyvault key ...`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a key, or a new version of one.
    Create {
        #[command(flatten)]
        vault: InVault,
        /// Key name.
        #[arg(short = 'n', long)]
        name: String,
        /// Key type: RSA, EC, RSA-HSM, EC-HSM.
        #[arg(long, default_value = "RSA")]
        kty: String,
        /// RSA size: 2048, 3072, 4096.
        #[arg(long)]
        size: Option<u32>,
        /// EC curve: P-256, P-384, P-521, P-256K.
        #[arg(long)]
        curve: Option<String>,
        /// Permitted operations (space-separated).
        #[arg(long, num_args = 1..)]
        ops: Option<Vec<String>>,
        /// software or hsm.
        #[arg(long)]
        protection: Option<String>,
        /// Create the key disabled.
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        disabled: Option<bool>,
        #[command(flatten)]
        attributes: AttributeArgs,
    },
    /// Import a private key: a JSON Web Key file, a PKCS#8 PEM file, or a BYOK key-transfer
    /// file wrapped for one of the vault's key-exchange keys.
    #[command(group(clap::ArgGroup::new("source").required(true).args(["file", "pem_file", "pem_string", "byok_file", "byok_string"])))]
    #[command(group(clap::ArgGroup::new("pem").args(["pem_file", "pem_string"])))]
    #[command(group(clap::ArgGroup::new("byok").args(["byok_file", "byok_string"])))]
    Import {
        #[command(flatten)]
        vault: InVault,
        /// Key name.
        #[arg(short = 'n', long)]
        name: String,
        #[command(flatten)]
        source: ImportSource,
        /// Permitted operations.
        #[arg(long, num_args = 1..)]
        ops: Option<Vec<String>>,
        /// Import the key disabled.
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        disabled: Option<bool>,
        #[command(flatten)]
        attributes: AttributeArgs,
    },
    /// Show a key version's public JWK and attributes.
    Show(ObjectTarget),
    /// List keys.
    List(InVault),
    /// List a key's versions.
    ListVersions(ObjectName),
    /// Change a version's attributes, tags or operations.
    SetAttributes {
        #[command(flatten)]
        target: ObjectTarget,
        /// Enable or disable.
        #[arg(long)]
        enabled: Option<bool>,
        /// Permitted operations.
        #[arg(long, num_args = 1..)]
        ops: Option<Vec<String>>,
        #[command(flatten)]
        attributes: AttributeArgs,
    },
    /// Download the public key (PEM, DER, or the public JWK).
    Download {
        #[command(flatten)]
        target: ObjectTarget,
        /// Output file.
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
        /// PEM, DER or JWK.
        #[arg(short = 'e', long, default_value = "PEM")]
        encoding: String,
    },
    #[command(flatten)]
    Lifecycle(LifecycleCommand),
    /// Make a new version with the same parameters.
    Rotate(ObjectName),
    /// Show or replace a key's rotation policy (carried out by the scheduler on the clock).
    #[command(subcommand)]
    RotationPolicy(RotationPolicyCommand),
    /// Encrypt with the public key.
    Encrypt(CryptoArgs),
    /// Decrypt with the private key.
    Decrypt(CryptoArgs),
    /// Wrap a symmetric key (base64 value) with the public key.
    Wrap(CryptoArgs),
    /// Unwrap a symmetric key with the private key.
    Unwrap(CryptoArgs),
    /// Sign a digest.
    Sign {
        #[command(flatten)]
        target: ObjectTarget,
        /// RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, ES256K.
        #[arg(short = 'a', long)]
        algorithm: String,
        /// The digest, base64.
        #[arg(long)]
        digest: String,
    },
    /// Verify a signature over a digest.
    Verify {
        #[command(flatten)]
        target: ObjectTarget,
        /// The signature algorithm.
        #[arg(short = 'a', long)]
        algorithm: String,
        /// The digest, base64.
        #[arg(long)]
        digest: String,
        /// The signature, base64.
        #[arg(long)]
        signature: String,
    },
}

/// Where `keyvault key import` finds the key (exactly one of the JWK, PEM and BYOK sources).
#[derive(Debug, Args, Clone)]
pub struct ImportSource {
    /// A JSON file holding a private JWK (RSA or EC).
    #[arg(short = 'f', long = "file", visible_alias = "jwk-file")]
    pub file: Option<std::path::PathBuf>,
    /// A PEM file holding a PKCS#8 private key (`PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` with --pem-password).
    #[arg(long)]
    pub pem_file: Option<std::path::PathBuf>,
    /// The PEM text itself instead of --pem-file.
    #[arg(long, allow_hyphen_values = true)]
    pub pem_string: Option<String>,
    /// The password of an encrypted PKCS#8 PEM key.
    #[arg(long, requires = "pem")]
    pub pem_password: Option<String>,
    /// A `.byok` key-transfer file made by an HSM vendor's tool (or `vaultmort byok wrap`) for a key-exchange key of this vault.
    #[arg(long)]
    pub byok_file: Option<std::path::PathBuf>,
    /// The `.byok` file's JSON text itself instead of --byok-file.
    #[arg(long)]
    pub byok_string: Option<String>,
    /// The type of key a BYOK transfer carries: RSA or EC (imported as RSA-HSM or EC-HSM); RSA by default.
    #[arg(long, requires = "byok")]
    pub kty: Option<String>,
    /// software or hsm (a BYOK transfer is always hsm).
    #[arg(long)]
    pub protection: Option<String>,
}

/// Flags of encrypt, decrypt, wrap and unwrap.
#[derive(Debug, Args, Clone)]
pub struct CryptoArgs {
    #[command(flatten)]
    pub target: ObjectTarget,
    /// RSA-OAEP, RSA-OAEP-256 or RSA1_5.
    #[arg(short = 'a', long)]
    pub algorithm: String,
    /// The input: base64, or text with `--data-type plaintext`.
    #[arg(long)]
    pub value: String,
    /// How `--value` (encrypt) or the result (decrypt) is written: base64 or plaintext.
    #[arg(long, default_value = "base64")]
    pub data_type: String,
}

/// `keyvault secret ...`
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Set a secret (a new version).
    Set {
        #[command(flatten)]
        vault: InVault,
        /// Secret name.
        #[arg(short = 'n', long)]
        name: String,
        /// The value.
        #[arg(long, required_unless_present = "file", conflicts_with = "file")]
        value: Option<String>,
        /// Read the value from a file.
        #[arg(short = 'f', long)]
        file: Option<std::path::PathBuf>,
        /// How the file is read: utf-8 (default), ascii, base64 (file bytes stored as base64), hex.
        #[arg(short = 'e', long)]
        encoding: Option<String>,
        /// Content type.
        #[arg(long)]
        content_type: Option<String>,
        /// Create the version disabled.
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        disabled: Option<bool>,
        #[command(flatten)]
        attributes: AttributeArgs,
    },
    /// Show a secret version with its value.
    Show(ObjectTarget),
    /// List secrets (no values).
    List(InVault),
    /// List a secret's versions (no values).
    ListVersions(ObjectName),
    /// Change a version's attributes, tags or content type.
    SetAttributes {
        #[command(flatten)]
        target: ObjectTarget,
        /// Enable or disable.
        #[arg(long)]
        enabled: Option<bool>,
        /// Content type.
        #[arg(long)]
        content_type: Option<String>,
        #[command(flatten)]
        attributes: AttributeArgs,
    },
    /// Write a secret's value to a file.
    Download {
        #[command(flatten)]
        target: ObjectTarget,
        /// Output file.
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
        /// utf-8 (default), ascii, base64 (value decoded from base64), hex.
        #[arg(short = 'e', long)]
        encoding: Option<String>,
    },
    #[command(flatten)]
    Lifecycle(LifecycleCommand),
}

/// Soft delete, recovery and backup: the same commands for keys, secrets and certificates (a
/// certificate's key and secret go with it).
#[derive(Debug, Subcommand)]
pub enum LifecycleCommand {
    /// Soft-delete it, with all its versions.
    Delete(ObjectName),
    /// List the soft-deleted ones.
    ListDeleted(InVault),
    /// Show a soft-deleted one.
    ShowDeleted(ObjectName),
    /// Recover a soft-deleted one.
    Recover(ObjectName),
    /// Purge a soft-deleted one for good.
    Purge(ObjectName),
    /// Back it up, with all its versions, to a file.
    Backup {
        #[command(flatten)]
        target: ObjectName,
        /// Output file.
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
    },
    /// Restore it from a backup file.
    Restore {
        #[command(flatten)]
        vault: InVault,
        /// Backup file.
        #[arg(short = 'f', long)]
        file: std::path::PathBuf,
    },
}

/// `vaultmort clock ...`
#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Show the installation's time and shift.
    Show,
    /// Move the clock forward (or back with negative values).
    Shift {
        /// Days.
        #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
        days: i64,
        /// Hours.
        #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
        hours: i64,
    },
    /// Return to the real time.
    Reset,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks the whole grammar (unique flag names, valid defaults) only when a command is
    /// first used; this test checks every subcommand up front.
    #[test]
    fn grammar_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
