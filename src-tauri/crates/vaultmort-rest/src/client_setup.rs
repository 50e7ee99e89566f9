//! What a machine needs to be a client of the REST API, as one plan every door shares
//! (`vaultmort setup-client` and the desktop app's "Set up a client"): the practice root in the
//! system trust store, a CA file and the environment variables for runtimes that ignore that
//! store, host names for every vault and App Service web app, and an `.env` file with an
//! application's credentials.
//!
//! [`plan`] reads the core (vaults, web apps' host names, the practice root, the chosen
//! application) and changes nothing; [`plan_blocks`] renders it as copyable text. [`apply`]
//! performs the chosen steps and [`remove`] undoes them; both are idempotent and report each
//! step as changed, unchanged, needing root, skipped or failed ([`StepReport`]). Every system
//! path comes from one [`SystemPaths`], whose root `VAULTMORT_SYSTEM_ROOT` moves (for tests and
//! chroots), so nothing here is bound to the real `/etc`.
//!
//! The hosts file is edited in one marked block per home (`# BEGIN vaultmort <home id>` ..
//! `# END vaultmort <home id>`): every byte outside it is kept, other homes' blocks included; the
//! file is read with a bound, never written through a symlink, and replaced atomically with its
//! mode kept.
//!
//! Left out: asking for root (the door says which steps need it) and showing the new client
//! secret, which is only ever written into the `.env` file (0600), never returned.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::ToSocketAddrs;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use vaultmort_core::directory::DirectoryObjectKind;
use vaultmort_core::{RequestContext, Vaultmort};
use zeroize::Zeroizing;

/// The environment variable that moves every system path under another root (tests, chroots).
pub const SYSTEM_ROOT_VARIABLE: &str = "VAULTMORT_SYSTEM_ROOT";

/// The file name `--env-file` defaults to, in the current folder.
pub const DEFAULT_ENV_FILE: &str = ".env.vaultmort";

/// The folder inside the home for the CA file and the Java truststore.
pub const CLIENT_DIR: &str = "client";

/// The password of the Java truststore. It holds only a public certificate: the password
/// guards nothing secret, Java just requires one.
pub const TRUSTSTORE_PASSWORD: &str = "vaultmort";

/// The name the probe asks the resolver for, to learn whether `*.localhost` resolves already.
const PROBE_NAME: &str = "vaultmort-probe.localhost";

/// The largest hosts file read (a blocklist can be large; anything beyond this is refused).
const MAX_HOSTS_FILE: u64 = 16 * 1024 * 1024;

/// The largest `.env` file read when checking whether it is ours.
const MAX_ENV_FILE: u64 = 64 * 1024;

/// Where the system's files are: `/` normally, another root under `VAULTMORT_SYSTEM_ROOT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemPaths {
    root: PathBuf,
}

impl SystemPaths {
    /// `/`, or the root `VAULTMORT_SYSTEM_ROOT` names.
    pub fn from_env() -> Self {
        match std::env::var_os(SYSTEM_ROOT_VARIABLE).filter(|v| !v.is_empty()) {
            Some(root) => Self::under(root),
            None => Self::under("/"),
        }
    }

    /// The system files under `root`.
    pub fn under(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn at(&self, absolute: &str) -> PathBuf {
        self.root.join(absolute.trim_start_matches('/'))
    }

    fn is_real_root(&self) -> bool {
        self.root == Path::new("/")
    }

    /// `/etc/hosts`.
    pub fn hosts_file(&self) -> PathBuf {
        self.at("/etc/hosts")
    }

    /// `/usr/local/share/ca-certificates`: the administrator's CA certificates.
    pub fn local_certificates_dir(&self) -> PathBuf {
        self.at("/usr/local/share/ca-certificates")
    }

    /// `/etc/ssl/certs/ca-certificates.crt`: the bundle `update-ca-certificates` writes.
    pub fn system_bundle(&self) -> PathBuf {
        self.at("/etc/ssl/certs/ca-certificates.crt")
    }

    /// The `update-ca-certificates` command line (`--fresh` rebuilds every link, needed after a
    /// removal); under another root, every folder it uses is moved there.
    pub fn update_ca_certificates(&self, fresh: bool) -> Vec<String> {
        let mut argv = vec!["update-ca-certificates".to_string()];
        if fresh {
            argv.push("--fresh".into());
        }
        if !self.is_real_root() {
            for (flag, path) in [
                ("--certsconf", "/etc/ca-certificates.conf"),
                ("--certsdir", "/usr/share/ca-certificates"),
                ("--localcertsdir", "/usr/local/share/ca-certificates"),
                ("--etccertsdir", "/etc/ssl/certs"),
                ("--hooksdir", "/etc/ca-certificates/update.d"),
            ] {
                argv.push(flag.into());
                argv.push(self.at(path).display().to_string());
            }
        }
        argv
    }
}

/// How `<vault>.localhost` names are to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NameResolution {
    /// Ask the resolver: when `*.localhost` resolves already (NSS `myhostname`), only names
    /// outside `.localhost` get hosts lines.
    #[default]
    Auto,
    /// Hosts lines for every name.
    HostsFile,
    /// `*.localhost` resolves through `myhostname`: hosts lines only for other names.
    Myhostname,
}

impl std::str::FromStr for NameResolution {
    type Err = vaultmort_core::Error;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "hosts" | "hosts-file" => Ok(Self::HostsFile),
            "myhostname" => Ok(Self::Myhostname),
            other => Err(vaultmort_core::Error::bad(format!("names '{other}' is not auto, hosts or myhostname"))),
        }
    }
}

/// What the plan is made for.
#[derive(Debug, Clone)]
pub struct SetupRequest {
    /// The port the REST API is served on.
    pub port: u16,
    /// The application (display name, app id or object id) whose credentials go into the
    /// `.env` file; `None` leaves that step out.
    pub application: Option<String>,
    /// The folder for the CA file, the bundle and the Java truststore.
    pub client_dir: PathBuf,
    /// The `.env` file.
    pub env_file: PathBuf,
    /// How host names are to resolve.
    pub names: NameResolution,
}

/// One vault as a client addresses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultUrl {
    /// The vault's name.
    pub name: String,
    /// `https://<vault>.localhost:<port>`.
    pub url: String,
}

/// One environment variable a runtime reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentVariable {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Who reads it.
    pub read_by: String,
}

/// Step 1: the root in the system trust store.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustPlan {
    /// `/usr/local/share/ca-certificates/vaultmort-practice-root-<home id>.crt`.
    pub certificate_file: PathBuf,
    /// The `update-ca-certificates` command line.
    pub update_command: Vec<String>,
    /// The bundle that command writes (what OpenSSL, curl, Go and .NET read).
    pub system_bundle: PathBuf,
}

/// Step 2: files for runtimes that ignore the system store, and their variables.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaFilePlan {
    /// The practice root alone, PEM.
    pub root_file: PathBuf,
    /// The system bundle (when readable) plus the practice root, PEM: for variables that
    /// replace the system store rather than add to it.
    pub bundle_file: PathBuf,
    /// The Java truststore (PKCS12).
    pub truststore_file: PathBuf,
    /// The keytool command that makes it.
    pub keytool_command: Vec<String>,
    /// Whether `keytool` is on PATH (otherwise the command is only shown).
    pub keytool_found: bool,
    /// The variables, per runtime.
    pub environment: Vec<EnvironmentVariable>,
    /// What each runtime reads without variables.
    pub notes: Vec<String>,
}

/// Step 3: host names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamesPlan {
    /// The hosts file.
    pub hosts_file: PathBuf,
    /// How names are to resolve, as asked.
    pub resolution: NameResolution,
    /// Whether `*.localhost` resolves already (the probe's answer; `false` when not asked).
    pub localhost_resolves: bool,
    /// Every host name clients use: vaults and web apps.
    pub host_names: Vec<String>,
    /// The lines of the home's block (empty: no block is needed).
    pub lines: Vec<String>,
    /// How to make `*.localhost` resolve through NSS instead.
    pub myhostname_help: String,
}

/// The application whose credentials go into the `.env` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRef {
    /// Its display name.
    pub display_name: String,
    /// Its application (client) id.
    pub client_id: String,
}

/// Step 4: the `.env` file.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvFilePlan {
    /// Where it goes.
    pub path: PathBuf,
    /// The application, or `None` when none was chosen (the step is left out).
    pub application: Option<ApplicationRef>,
    /// Its lines, the secret shown as a placeholder.
    pub lines: Vec<String>,
}

/// Everything a client machine needs, computed from the core; nothing is changed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientPlan {
    /// The short id of the home (the first 8 characters of its tenant id), naming its files and
    /// its hosts block.
    pub home_id: String,
    /// The practice tenant.
    pub tenant_id: String,
    /// `https://localhost:<port>`, the authority host.
    pub authority: String,
    /// The port.
    pub port: u16,
    /// Every vault the caller can list.
    pub vaults: Vec<VaultUrl>,
    /// Step 1.
    pub trust: TrustPlan,
    /// Step 2.
    pub ca_file: CaFilePlan,
    /// Step 3.
    pub names: NamesPlan,
    /// Step 4.
    pub env_file: EnvFilePlan,
    /// The practice root, PEM.
    pub root_pem: String,
}

/// The steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// The root in the system trust store.
    Trust,
    /// The CA file, bundle and truststore.
    CaFile,
    /// The hosts block.
    Names,
    /// The `.env` file.
    EnvFile,
}

impl Step {
    /// Whether the step writes system files (needs root on a real system).
    pub fn is_system(self) -> bool {
        matches!(self, Step::Trust | Step::Names)
    }
}

/// Which steps to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepSelection {
    /// Trust and names (system files).
    pub system: bool,
    /// The CA file and the `.env` file (the user's files).
    pub user: bool,
}

impl StepSelection {
    /// Every step.
    pub const ALL: Self = Self { system: true, user: true };
    /// Only the user's files (what the desktop app writes).
    pub const USER: Self = Self { system: false, user: true };

    fn includes(self, step: Step) -> bool {
        if step.is_system() { self.system } else { self.user }
    }
}

/// What happened to one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum StepStatus {
    /// Files were written or removed.
    Changed,
    /// Everything was already as asked.
    Unchanged,
    /// The step writes system files and this process may not: run it as root.
    NeedsRoot,
    /// Not run, and why.
    Skipped {
        /// Why.
        reason: String,
    },
    /// It failed.
    Failed {
        /// An Azure-style code.
        code: String,
        /// What went wrong.
        message: String,
    },
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// The step.
    pub step: Step,
    /// What happened.
    #[serde(flatten)]
    pub status: StepStatus,
    /// The files it wrote or removed, or found as asked.
    pub files: Vec<PathBuf>,
}

/// A titled block of the plan, as text to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanBlock {
    /// The step it belongs to.
    pub step: Step,
    /// Its heading.
    pub title: String,
    /// Shell commands or file lines.
    pub text: String,
    /// Whether running it needs root.
    pub needs_root: bool,
}

/// The home's short id: the first 8 alphanumeric characters of its tenant id.
pub fn home_id(core: &Vaultmort) -> String {
    core.tenant().tenant_id.chars().filter(char::is_ascii_alphanumeric).take(8).collect::<String>().to_ascii_lowercase()
}

/// The `.env` file's first line, by which `remove` knows the file is one it wrote.
fn env_marker(home_id: &str) -> String {
    format!("# Written by `vaultmort setup-client` for home {home_id}; `vaultmort setup-client --remove` deletes it.")
}

fn begin_marker(home_id: &str) -> String {
    format!("# BEGIN vaultmort {home_id}")
}

fn end_marker(home_id: &str) -> String {
    format!("# END vaultmort {home_id}")
}

/// Computes the plan; changes nothing. The caller must be able to list vaults and web apps,
/// export the practice root and, with an application, read the directory.
pub async fn plan(
    core: &Vaultmort,
    ctx: &RequestContext,
    paths: &SystemPaths,
    request: &SetupRequest,
) -> Result<ClientPlan, vaultmort_core::Error> {
    let home_id = home_id(core);
    let tenant_id = core.tenant().tenant_id.clone();
    let port = request.port;
    let authority = format!("https://localhost:{port}");
    let root_der = core.practice_ca_root(ctx).await?;
    let root_pem = vaultmort_certs::pem::write_pem(&[root_der], None).map_err(vaultmort_core::Error::from)?.to_string();

    let mut vaults: Vec<VaultUrl> = core
        .list_vaults(ctx, None)
        .await?
        .into_iter()
        .map(|v| VaultUrl { url: format!("https://{}.localhost:{port}", v.name), name: v.name })
        .collect();
    vaults.sort_by(|a, b| a.name.cmp(&b.name));
    let web_hosts = core.web_app_host_entries(ctx).await?;

    let application = match &request.application {
        Some(query) => {
            let object = core.show_principal(ctx, query).await?;
            if object.kind != DirectoryObjectKind::ServicePrincipal {
                return Err(vaultmort_core::Error::bad(format!(
                    "'{}' is not an application (service principal): only applications sign in with a client secret",
                    object.display_name
                )));
            }
            let client_id = object.app_id.clone().ok_or_else(|| vaultmort_core::Error::bad("the application has no client id"))?;
            Some(ApplicationRef { display_name: object.display_name, client_id })
        }
        None => None,
    };

    // Step 1.
    let trust = TrustPlan {
        certificate_file: paths.local_certificates_dir().join(format!("vaultmort-practice-root-{home_id}.crt")),
        update_command: paths.update_ca_certificates(false),
        system_bundle: paths.system_bundle(),
    };

    // Step 2.
    let root_file = request.client_dir.join("practice-root.pem");
    let bundle_file = request.client_dir.join("ca-bundle.pem");
    let truststore_file = request.client_dir.join("practice-root.p12");
    let keytool_command = vec![
        "keytool".to_string(),
        "-importcert".into(),
        "-noprompt".into(),
        "-storetype".into(),
        "PKCS12".into(),
        "-alias".into(),
        format!("vaultmort-practice-root-{home_id}"),
        "-file".into(),
        root_file.display().to_string(),
        "-keystore".into(),
        truststore_file.display().to_string(),
        "-storepass".into(),
        TRUSTSTORE_PASSWORD.into(),
    ];
    let variable = |name: &str, value: String, read_by: &str| EnvironmentVariable { name: name.into(), value, read_by: read_by.into() };
    let environment = vec![
        variable("SSL_CERT_FILE", bundle_file.display().to_string(), "OpenSSL: Python's ssl, httpx, curl, Ruby; Go; .NET on Linux"),
        variable("REQUESTS_CA_BUNDLE", bundle_file.display().to_string(), "Python requests (the Azure SDK for Python's default transport)"),
        variable("NODE_EXTRA_CA_CERTS", root_file.display().to_string(), "Node.js (adds to its built-in CAs)"),
        variable(
            "JAVA_TOOL_OPTIONS",
            format!("-Djavax.net.ssl.trustStore={} -Djavax.net.ssl.trustStorePassword={TRUSTSTORE_PASSWORD}", truststore_file.display()),
            "Java (this truststore replaces the JDK's cacerts for the process)",
        ),
    ];
    let notes = vec![
        ".NET on Linux reads OpenSSL's system store, so step 1 is enough; SSL_CERT_FILE also works.".to_string(),
        "Go reads SSL_CERT_FILE when set, else the system bundle of step 1.".to_string(),
        "Python, Node.js and Java ship or pick their own CA lists: they need the variables above.".to_string(),
    ];
    let ca_file = CaFilePlan {
        root_file,
        bundle_file,
        truststore_file,
        keytool_command,
        keytool_found: find_on_path("keytool").is_some(),
        environment,
        notes,
    };

    // Step 3.
    let localhost_resolves = match request.names {
        NameResolution::Auto => localhost_resolves(),
        NameResolution::HostsFile => false,
        NameResolution::Myhostname => true,
    };
    let mut host_names: Vec<String> = vaults.iter().map(|v| format!("{}.localhost", v.name)).collect();
    host_names.extend(web_hosts.iter().map(|(_, host)| host.clone()));
    let mut lines = Vec::new();
    let mut seen = BTreeSet::new();
    for vault in &vaults {
        let host = format!("{}.localhost", vault.name);
        if !localhost_resolves && seen.insert(host.clone()) {
            lines.push(format!("127.0.0.1 {host}"));
            lines.push(format!("::1 {host}"));
        }
    }
    for (address, host) in &web_hosts {
        let under_localhost = host == "localhost" || host.ends_with(".localhost");
        if (!localhost_resolves || !under_localhost) && seen.insert(host.clone()) {
            lines.push(format!("{address} {host}"));
        }
    }
    let names = NamesPlan {
        hosts_file: paths.hosts_file(),
        resolution: request.names,
        localhost_resolves,
        host_names,
        lines,
        myhostname_help: "Instead of hosts lines, the NSS module myhostname resolves every *.localhost name to loopback: \
                          `sudo apt-get install libnss-myhostname` and put `myhostname` in the hosts line of /etc/nsswitch.conf, \
                          before dns (for example `hosts: files myhostname dns`)."
            .into(),
    };

    // Step 4.
    let env_lines = match &application {
        Some(app) => {
            env_lines(&home_id, &authority, &tenant_id, app, &vaults, &ca_file, "<a new client secret, written only into this file>")
        }
        None => Vec::new(),
    };
    let env_file = EnvFilePlan { path: request.env_file.clone(), application, lines: env_lines };

    Ok(ClientPlan { home_id, tenant_id, authority, port, vaults, trust, ca_file, names, env_file, root_pem })
}

/// The `.env` file's lines.
fn env_lines(
    home_id: &str,
    authority: &str,
    tenant_id: &str,
    application: &ApplicationRef,
    vaults: &[VaultUrl],
    ca_file: &CaFilePlan,
    secret: &str,
) -> Vec<String> {
    let mut lines = vec![
        env_marker(home_id),
        format!("AZURE_AUTHORITY_HOST={authority}"),
        format!("AZURE_TENANT_ID={tenant_id}"),
        format!("AZURE_CLIENT_ID={}", application.client_id),
        format!("AZURE_CLIENT_SECRET={secret}"),
    ];
    if let Some(first) = vaults.first() {
        lines.push(format!("VAULT_URL={}", first.url));
    }
    for vault in vaults {
        let name: String = vault.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        lines.push(format!("VAULT_URL_{name}={}", vault.url));
    }
    for variable in &ca_file.environment {
        // JAVA_TOOL_OPTIONS holds a space: quoted, as dotenv readers and shells take it.
        if variable.value.contains(' ') {
            lines.push(format!("{}=\"{}\"", variable.name, variable.value));
        } else {
            lines.push(format!("{}={}", variable.name, variable.value));
        }
    }
    lines
}

/// Whether `*.localhost` resolves already (the probe name is one no hosts file lists).
fn localhost_resolves() -> bool {
    (PROBE_NAME, 0).to_socket_addrs().map(|mut addresses| addresses.any(|a| a.ip().is_loopback())).unwrap_or(false)
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| std::fs::metadata(candidate).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

fn shell_quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn shell_line(argv: &[String]) -> String {
    argv.iter().map(|w| shell_quote(w)).collect::<Vec<_>>().join(" ")
}

/// The plan as titled text blocks (shell commands and file lines), as the CLI prints it and the
/// desktop app shows it with a copy button each.
pub fn plan_blocks(plan: &ClientPlan) -> Vec<PlanBlock> {
    let mut blocks = Vec::new();
    let trust = &plan.trust;
    blocks.push(PlanBlock {
        step: Step::Trust,
        title: "1. Trust the practice root system-wide".into(),
        text: format!(
            "# The root file is written by step 2 (or `vaultmort ca export-root --file <path>`).\nsudo install -m 0644 {} {}\nsudo {}\n",
            shell_quote(&plan.ca_file.root_file.display().to_string()),
            shell_quote(&trust.certificate_file.display().to_string()),
            shell_line(&trust.update_command)
        ),
        needs_root: true,
    });
    let ca = &plan.ca_file;
    let mut text =
        format!("# {} holds the practice root; {} the system bundle plus the root.\n", ca.root_file.display(), ca.bundle_file.display());
    for variable in &ca.environment {
        text.push_str(&format!("export {}={}    # {}\n", variable.name, shell_quote(&variable.value), variable.read_by));
    }
    text.push_str(&format!("{}\n", shell_line(&ca.keytool_command)));
    for note in &ca.notes {
        text.push_str(&format!("# {note}\n"));
    }
    blocks.push(PlanBlock {
        step: Step::CaFile,
        title: "2. A CA file and variables for runtimes that ignore the system store".into(),
        text,
        needs_root: false,
    });
    let names = &plan.names;
    let text = if names.host_names.is_empty() {
        "# No vault or web app yet: no host name to resolve.\n".to_string()
    } else if names.lines.is_empty() {
        format!(
            "# Every host name is under .localhost, which resolves already (NSS myhostname or systemd-resolved): no {} lines needed.\n",
            names.hosts_file.display()
        )
    } else {
        let mut text = format!("# In {}:\n{}\n", names.hosts_file.display(), begin_marker(&plan.home_id));
        for line in &names.lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(&end_marker(&plan.home_id));
        text.push('\n');
        text.push_str(&format!("# {}\n", names.myhostname_help));
        text
    };
    blocks.push(PlanBlock { step: Step::Names, title: "3. Host names".into(), text, needs_root: !names.lines.is_empty() });
    let env = &plan.env_file;
    let text = match &env.application {
        Some(_) => format!("# {} (mode 0600):\n{}\n", env.path.display(), env.lines.join("\n")),
        None => "# Choose an application (a service principal) for the .env file: `--application NAME|APPID`.\n".to_string(),
    };
    blocks.push(PlanBlock { step: Step::EnvFile, title: "4. The .env file".into(), text, needs_root: false });
    blocks
}

/// The plan as one text.
pub fn plan_text(plan: &ClientPlan) -> String {
    plan_blocks(plan)
        .iter()
        .map(|b| format!("## {}{}\n{}", b.title, if b.needs_root { " (needs root)" } else { "" }, b.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Performs the `selection` of `plan`'s steps, in order. A second run changes nothing. The
/// `.env` file gets a new client secret for the application (its other secrets are kept) unless
/// the file, one this home wrote, holds a secret of that application that still signs in: then
/// that secret is kept and only the other lines are brought up to date.
pub async fn apply(
    core: &Vaultmort,
    ctx: &RequestContext,
    paths: &SystemPaths,
    plan: &ClientPlan,
    selection: StepSelection,
) -> Vec<StepReport> {
    let mut reports = Vec::new();
    if selection.includes(Step::Trust) {
        reports.push(apply_trust(paths, plan));
    }
    if selection.includes(Step::CaFile) {
        reports.push(apply_ca_file(paths, plan));
    }
    if selection.includes(Step::Names) {
        reports.push(apply_names(plan));
    }
    if selection.includes(Step::EnvFile) {
        reports.push(apply_env_file(core, ctx, plan).await);
    }
    for report in &mut reports {
        if !report.step.is_system() && report.status == StepStatus::Changed {
            hand_back_to_sudo_user(report);
        }
    }
    reports
}

/// Under `sudo`, the user's files (CA files, `.env`) were written by root into the user's
/// folders: they are given back to the user who ran sudo (`SUDO_UID`, `SUDO_GID`), so that user
/// can read the 0600 `.env` and run the next apply or remove. Without sudo nothing changes.
fn hand_back_to_sudo_user(report: &mut StepReport) {
    use std::os::unix::fs::MetadataExt;
    let id = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u32>().ok());
    let (Some(uid), Some(gid)) = (id("SUDO_UID"), id("SUDO_GID")) else { return };
    if std::fs::metadata("/proc/self").map(|m| m.uid()).ok() != Some(0) {
        return;
    }
    let mut owned: Vec<&Path> = report.files.iter().map(PathBuf::as_path).collect();
    if report.step == Step::CaFile
        && let Some(dir) = report.files.first().and_then(|f| f.parent())
    {
        owned.push(dir);
    }
    for path in owned {
        // A file that is not there (the truststore without keytool) or is a link is skipped.
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink())
            && let Err(e) = std::os::unix::fs::chown(path, Some(uid), Some(gid))
        {
            report.status = StepStatus::Failed {
                code: "FileError".into(),
                message: format!("cannot give {} back to the user who ran sudo: {e}", path.display()),
            };
        }
    }
}

/// Undoes the `selection` of `plan`'s steps: the hosts block, the trust file (then
/// `update-ca-certificates --fresh`), the CA files and truststore, and the `.env` file when it
/// is one this home wrote. A second run changes nothing.
pub fn remove(paths: &SystemPaths, plan: &ClientPlan, selection: StepSelection) -> Vec<StepReport> {
    let mut reports = Vec::new();
    if selection.includes(Step::Trust) {
        reports.push(remove_trust(paths, plan));
    }
    if selection.includes(Step::CaFile) {
        reports.push(remove_ca_file(plan));
    }
    if selection.includes(Step::Names) {
        reports.push(remove_names(plan));
    }
    if selection.includes(Step::EnvFile) {
        reports.push(remove_env_file(plan));
    }
    reports
}

/// A failure of a step's file work, with its code.
#[derive(Debug)]
struct StepFailure {
    code: &'static str,
    message: String,
    permission: bool,
}

impl StepFailure {
    fn io(path: &Path, what: &str, e: &std::io::Error) -> Self {
        Self {
            code: "FileError",
            message: format!("cannot {what} {}: {e}", path.display()),
            permission: matches!(e.kind(), std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem),
        }
    }

    fn new(code: &'static str, message: String) -> Self {
        Self { code, message, permission: false }
    }
}

fn report(step: Step, files: Vec<PathBuf>, outcome: Result<bool, StepFailure>) -> StepReport {
    let status = match outcome {
        Ok(true) => StepStatus::Changed,
        Ok(false) => StepStatus::Unchanged,
        Err(failure) if failure.permission => StepStatus::NeedsRoot,
        Err(failure) => StepStatus::Failed { code: failure.code.into(), message: failure.message },
    };
    StepReport { step, status, files }
}

/// Reads a regular file (not a symlink) of at most `limit` bytes; `None` when it does not exist.
fn read_regular(path: &Path, limit: u64, what: &'static str) -> Result<Option<Vec<u8>>, StepFailure> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StepFailure::io(path, "read", &e)),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(StepFailure::new(
                "FileIsSymlink",
                format!("{} is a symbolic link: it is neither read nor written through; edit its target by hand", path.display()),
            ));
        }
        Ok(m) if !m.is_file() => return Err(StepFailure::new("BadParameter", format!("{} is not a regular file", path.display()))),
        Ok(m) if m.len() > limit => {
            return Err(StepFailure::new(
                "FileTooLarge",
                format!("{} is larger than {limit} bytes, more than a {what} can reasonably be: left alone", path.display()),
            ));
        }
        Ok(_) => {}
    }
    let file = std::fs::File::open(path).map_err(|e| StepFailure::io(path, "read", &e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| StepFailure::io(path, "read", &e))?;
    if bytes.len() as u64 > limit {
        return Err(StepFailure::new("FileTooLarge", format!("{} grew past {limit} bytes while being read: left alone", path.display())));
    }
    Ok(Some(bytes))
}

/// Replaces `path` with `bytes` atomically: a temporary file beside it (created new, never
/// through a symlink: `create_new` refuses any existing name, links included), synced, then
/// renamed over it. `mode` is the new file's mode.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<(), StepFailure> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(StepFailure::new(
            "FileIsSymlink",
            format!("{} is a symbolic link: it is not written through; edit its target by hand", path.display()),
        ));
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.vaultmort-{}", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&temp)
            .map_err(|e| StepFailure::io(path, "write", &e))?;
        // The umask may have narrowed the mode: set it exactly.
        file.set_permissions(std::fs::Permissions::from_mode(mode)).map_err(|e| StepFailure::io(path, "write", &e))?;
        file.write_all(bytes).map_err(|e| StepFailure::io(path, "write", &e))?;
        file.sync_all().map_err(|e| StepFailure::io(path, "write", &e))?;
        std::fs::rename(&temp, path).map_err(|e| StepFailure::io(path, "replace", &e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Sets a file's permission bits, refusing a symlink.
fn set_mode(path: &Path, mode: u32) -> Result<(), StepFailure> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::symlink_metadata(path).map_err(|e| StepFailure::io(path, "read", &e))?;
    if !metadata.is_file() {
        return Err(StepFailure::new("BadParameter", format!("{} is not a regular file", path.display())));
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| StepFailure::io(path, "write", &e))
}

/// Creates `dir` and its missing parents, never writable by others whatever the umask (clients
/// trust the CA files inside it).
fn create_folder(dir: &Path) -> Result<(), StepFailure> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o755).create(dir).map_err(|e| StepFailure::io(dir, "create the folder", &e))
}

/// Writes `bytes` to `path` unless it holds them already; `Ok(true)` when written.
fn write_if_different(path: &Path, bytes: &[u8], mode: u32, limit: u64, what: &'static str) -> Result<bool, StepFailure> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_folder(dir)?;
    }
    let current = read_regular(path, limit, what)?;
    if current.as_deref() == Some(bytes) {
        return Ok(false);
    }
    write_atomically(path, bytes, mode)?;
    Ok(true)
}

/// Removes `path` if it exists (never through a symlink: a symlink itself is left alone).
fn remove_file(path: &Path) -> Result<bool, StepFailure> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StepFailure::io(path, "remove", &e)),
        Ok(m) if !m.is_file() => Err(StepFailure::new("BadParameter", format!("{} is not a regular file: left alone", path.display()))),
        Ok(_) => std::fs::remove_file(path).map(|()| true).map_err(|e| StepFailure::io(path, "remove", &e)),
    }
}

/// How long a tool this module runs (`update-ca-certificates`, `keytool`) may take.
const TOOL_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);
/// How much of a failing tool's error output is kept for the message.
const TOOL_STDERR_LIMIT: u64 = 64 * 1024;

/// Runs a tool to its end within [`TOOL_TIME_LIMIT`] (killed past it), keeping at most
/// [`TOOL_STDERR_LIMIT`] bytes of its error output for the message when it fails.
fn run(argv: &[String]) -> Result<(), StepFailure> {
    use std::io::Read;
    let (program, args) = argv.split_first().ok_or_else(|| StepFailure::new("InternalError", "an empty command".into()))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| {
            StepFailure::new(
                "CommandFailed",
                format!("cannot run {program}: {e} (on Debian and Ubuntu it comes with the ca-certificates package)"),
            )
        })?;
    // The error output is read beside the wait, so a chatty tool cannot fill its pipe and stall.
    let stderr = child.stderr.take().map(|pipe| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut pipe = pipe;
            let _ = pipe.by_ref().take(TOOL_STDERR_LIMIT).read_to_end(&mut kept);
            let _ = std::io::copy(&mut pipe, &mut std::io::sink());
            kept
        })
    });
    let deadline = std::time::Instant::now() + TOOL_TIME_LIMIT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => std::thread::sleep(std::time::Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(StepFailure::new(
                    "CommandFailed",
                    format!("`{}` did not finish within {} s and was stopped", shell_line(argv), TOOL_TIME_LIMIT.as_secs()),
                ));
            }
            Err(e) => return Err(StepFailure::new("CommandFailed", format!("waiting for {program}: {e}"))),
        }
    };
    if status.success() {
        return Ok(());
    }
    let stderr = stderr.and_then(|reader| reader.join().ok()).unwrap_or_default();
    Err(StepFailure::new("CommandFailed", format!("`{}` failed ({status}): {}", shell_line(argv), String::from_utf8_lossy(&stderr).trim())))
}

fn apply_trust(paths: &SystemPaths, plan: &ClientPlan) -> StepReport {
    let file = plan.trust.certificate_file.clone();
    let outcome = write_if_different(&file, plan.root_pem.as_bytes(), 0o644, 1024 * 1024, "certificate").and_then(|changed| {
        // Run it when the file is new, or when the bundle lacks the root (an earlier run failed).
        let bundled = read_regular(&paths.system_bundle(), 64 * 1024 * 1024, "bundle")
            .ok()
            .flatten()
            .is_some_and(|bundle| String::from_utf8_lossy(&bundle).contains(plan.root_pem.trim()));
        if changed || !bundled {
            run(&plan.trust.update_command)?;
            Ok(true)
        } else {
            Ok(false)
        }
    });
    report(Step::Trust, vec![file, paths.system_bundle()], outcome)
}

fn remove_trust(paths: &SystemPaths, plan: &ClientPlan) -> StepReport {
    let file = plan.trust.certificate_file.clone();
    let outcome = remove_file(&file).and_then(|removed| {
        if removed {
            run(&paths.update_ca_certificates(true))?;
        }
        Ok(removed)
    });
    report(Step::Trust, vec![file], outcome)
}

/// The bundle: the system bundle (when readable and not already holding the root), then the root.
fn bundle_bytes(paths: &SystemPaths, plan: &ClientPlan) -> Vec<u8> {
    let system = read_regular(&paths.system_bundle(), 64 * 1024 * 1024, "bundle").ok().flatten().unwrap_or_default();
    let mut bundle = String::from_utf8_lossy(&system).into_owned();
    if !bundle.contains(plan.root_pem.trim()) {
        if !bundle.is_empty() && !bundle.ends_with('\n') {
            bundle.push('\n');
        }
        bundle.push_str(&plan.root_pem);
    }
    bundle.into_bytes()
}

fn apply_ca_file(paths: &SystemPaths, plan: &ClientPlan) -> StepReport {
    let ca = &plan.ca_file;
    let mut files = vec![ca.root_file.clone(), ca.bundle_file.clone()];
    let outcome = (|| {
        let root_changed = write_if_different(&ca.root_file, plan.root_pem.as_bytes(), 0o644, 1024 * 1024, "certificate")?;
        let bundle_changed = write_if_different(&ca.bundle_file, &bundle_bytes(paths, plan), 0o644, 64 * 1024 * 1024, "bundle")?;
        let mut truststore_changed = false;
        if ca.keytool_found {
            files.push(ca.truststore_file.clone());
            // keytool salts every store anew: it is remade only when the root changed or it is missing.
            if root_changed || !ca.truststore_file.exists() {
                remove_file(&ca.truststore_file)?;
                run(&ca.keytool_command)?;
                // keytool creates it under the umask: clients trust it, so nobody else may write it.
                set_mode(&ca.truststore_file, 0o644)?;
                truststore_changed = true;
            }
        }
        Ok(root_changed || bundle_changed || truststore_changed)
    })();
    report(Step::CaFile, files, outcome)
}

fn remove_ca_file(plan: &ClientPlan) -> StepReport {
    let ca = &plan.ca_file;
    let files = vec![ca.root_file.clone(), ca.bundle_file.clone(), ca.truststore_file.clone()];
    let outcome = (|| {
        let mut removed = false;
        for file in &files {
            removed |= remove_file(file)?;
        }
        // The folder goes too when nothing else is left in it.
        if let Some(dir) = ca.root_file.parent() {
            let _ = std::fs::remove_dir(dir);
        }
        Ok(removed)
    })();
    report(Step::CaFile, files, outcome)
}

/// Where the home's block is in `text`: the byte range of its lines, from the start of the
/// BEGIN line to just past the END line's newline (or the end of the text).
fn find_block(text: &[u8], home_id: &str) -> Option<(usize, usize)> {
    let begin = begin_marker(home_id);
    let end = end_marker(home_id);
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive(|b| *b == b'\n') {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        // The last BEGIN before an END opens the block: a stray BEGIN line (a block someone cut
        // short) never pulls the lines after it into ours.
        if content == begin.as_bytes() {
            start = Some(offset);
        } else if let Some(s) = start
            && content == end.as_bytes()
        {
            return Some((s, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

/// `text` with the home's block set to `lines` (replaced in place, or appended) or, for
/// `None`, removed. Every byte outside the block is kept. When the file did not end with a
/// newline, the appended block starts with one and itself ends without one, so that removing it
/// gives back the original bytes.
pub fn hosts_with_block(text: &[u8], home_id: &str, lines: Option<&[String]>) -> Vec<u8> {
    let render = |lines: &[String], final_newline: bool| {
        let mut block = format!("{}\n", begin_marker(home_id));
        for line in lines {
            block.push_str(line);
            block.push('\n');
        }
        block.push_str(&end_marker(home_id));
        if final_newline {
            block.push('\n');
        }
        block.into_bytes()
    };
    match (find_block(text, home_id), lines) {
        (Some((start, end)), Some(lines)) => {
            let final_newline = text[..end].ends_with(b"\n");
            [&text[..start], &render(lines, final_newline)[..], &text[end..]].concat()
        }
        (Some((start, end)), None) => {
            // A block that ends the file without a newline came with the newline before it.
            let start =
                if end == text.len() && !text.ends_with(b"\n") && start > 0 && text[start - 1] == b'\n' { start - 1 } else { start };
            [&text[..start], &text[end..]].concat()
        }
        (None, Some(lines)) if text.is_empty() || text.ends_with(b"\n") => [text, &render(lines, true)[..]].concat(),
        (None, Some(lines)) => [text, b"\n", &render(lines, false)[..]].concat(),
        (None, None) => text.to_vec(),
    }
}

fn edit_hosts(plan: &ClientPlan, lines: Option<&[String]>) -> Result<bool, StepFailure> {
    let path = &plan.names.hosts_file;
    let current = read_regular(path, MAX_HOSTS_FILE, "hosts file")?;
    let mode = std::fs::symlink_metadata(path).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644);
    let current = current.unwrap_or_default();
    let wanted = hosts_with_block(&current, &plan.home_id, lines);
    if wanted == current {
        return Ok(false);
    }
    write_atomically(path, &wanted, mode)?;
    Ok(true)
}

fn apply_names(plan: &ClientPlan) -> StepReport {
    let lines = (!plan.names.lines.is_empty()).then_some(plan.names.lines.as_slice());
    report(Step::Names, vec![plan.names.hosts_file.clone()], edit_hosts(plan, lines))
}

fn remove_names(plan: &ClientPlan) -> StepReport {
    report(Step::Names, vec![plan.names.hosts_file.clone()], edit_hosts(plan, None))
}

/// The client secret an `.env` file holds, if it has one.
fn secret_in_env_file(bytes: &[u8]) -> Option<Zeroizing<String>> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines().find_map(|line| line.strip_prefix("AZURE_CLIENT_SECRET=")).map(|s| Zeroizing::new(s.to_string()))
}

fn env_file_text(plan: &ClientPlan, application: &ApplicationRef, secret: &str) -> Zeroizing<String> {
    let lines = env_lines(&plan.home_id, &plan.authority, &plan.tenant_id, application, &plan.vaults, &plan.ca_file, secret);
    Zeroizing::new(lines.join("\n") + "\n")
}

async fn apply_env_file(core: &Vaultmort, ctx: &RequestContext, plan: &ClientPlan) -> StepReport {
    let path = plan.env_file.path.clone();
    let Some(application) = &plan.env_file.application else {
        return StepReport {
            step: Step::EnvFile,
            status: StepStatus::Skipped { reason: "no application chosen (--application NAME|APPID)".into() },
            files: Vec::new(),
        };
    };
    let outcome = async {
        let current = read_regular(&path, MAX_ENV_FILE, ".env file")?.map(Zeroizing::new);
        if let Some(current) = &current {
            if !current.starts_with(env_marker(&plan.home_id).as_bytes()) {
                return Err(StepFailure::new(
                    "Conflict",
                    format!(
                        "{} exists and was not written by `vaultmort setup-client` for this home: choose another --env-file",
                        path.display()
                    ),
                ));
            }
            // A secret of this application that still signs in is kept: only the other lines
            // (a vault added, another port) are brought up to date.
            if let Some(secret) = secret_in_env_file(current) {
                let signs_in = core
                    .check_client_secret(&application.client_id, &secret)
                    .await
                    .map_err(|e| StepFailure::new(e.code(), e.to_string()))?;
                if signs_in.is_some() {
                    let wanted = env_file_text(plan, application, &secret);
                    if wanted.as_bytes() == current.as_slice() {
                        return Ok(false);
                    }
                    write_atomically(&path, wanted.as_bytes(), 0o600)?;
                    return Ok(true);
                }
            }
        }
        let created = core.add_client_secret(ctx, &application.client_id).await.map_err(|e| StepFailure::new(e.code(), e.to_string()))?;
        let secret = created.client_secret.ok_or_else(|| StepFailure::new("InternalError", "no client secret was made".into()))?;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_folder(dir)?;
        }
        write_atomically(&path, env_file_text(plan, application, &secret).as_bytes(), 0o600)?;
        Ok(true)
    }
    .await;
    report(Step::EnvFile, vec![path], outcome)
}

fn remove_env_file(plan: &ClientPlan) -> StepReport {
    let path = plan.env_file.path.clone();
    let outcome = (|| match read_regular(&path, MAX_ENV_FILE, ".env file")? {
        None => Ok(false),
        Some(bytes) if bytes.starts_with(env_marker(&plan.home_id).as_bytes()) => remove_file(&path),
        Some(_) => Err(StepFailure::new(
            "Conflict",
            format!("{} was not written by `vaultmort setup-client` for this home: left alone", path.display()),
        )),
    })();
    report(Step::EnvFile, vec![path], outcome)
}

/// One line per step, for people: what happened and, for a step that needs root, how to run it.
pub fn report_text(reports: &[StepReport]) -> String {
    let mut text = String::new();
    for r in reports {
        let name = match r.step {
            Step::Trust => "trust",
            Step::CaFile => "CA file",
            Step::Names => "host names",
            Step::EnvFile => ".env file",
        };
        let what = match &r.status {
            StepStatus::Changed => "changed".to_string(),
            StepStatus::Unchanged => "already as asked, nothing changed".to_string(),
            StepStatus::NeedsRoot => "needs root: run `sudo vaultmort setup-client` with the same options".to_string(),
            StepStatus::Skipped { reason } => format!("skipped: {reason}"),
            StepStatus::Failed { code, message } => format!("failed ({code}): {message}"),
        };
        let files = r.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ");
        text.push_str(&format!("{name}: {what}{}\n", if files.is_empty() { String::new() } else { format!(" [{files}]") }));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<String> {
        vec!["127.0.0.1 a.localhost".to_string(), "::1 a.localhost".to_string()]
    }

    #[test]
    fn a_block_added_then_removed_gives_back_every_byte_with_or_without_a_final_newline() {
        for original in
            [&b""[..], b"127.0.0.1 localhost\n", b"127.0.0.1 localhost", b"# BEGIN vaultmort other\n1.2.3.4 x\n# END vaultmort other\n"]
        {
            let with = hosts_with_block(original, "abcd1234", Some(&lines()));
            assert!(with.starts_with(original), "the lines before the block stay as they were");
            assert_eq!(hosts_with_block(&with, "abcd1234", Some(&lines())), with, "a second apply changes no byte");
            assert_eq!(hosts_with_block(&with, "abcd1234", None), original, "removal restores the original bytes");
        }
    }

    #[test]
    fn a_block_is_replaced_in_place_and_other_homes_blocks_stay() {
        let original = b"1.1.1.1 a\n# BEGIN vaultmort abcd1234\n127.0.0.1 old.localhost\n# END vaultmort abcd1234\n2.2.2.2 b\n# BEGIN vaultmort ffff0000\n3.3.3.3 c\n# END vaultmort ffff0000\n";
        let replaced = String::from_utf8(hosts_with_block(original, "abcd1234", Some(&lines()))).unwrap_or_default();
        assert_eq!(
            replaced,
            "1.1.1.1 a\n# BEGIN vaultmort abcd1234\n127.0.0.1 a.localhost\n::1 a.localhost\n# END vaultmort abcd1234\n2.2.2.2 b\n# BEGIN vaultmort ffff0000\n3.3.3.3 c\n# END vaultmort ffff0000\n",
            "the block keeps its place; the other home's block is untouched"
        );
    }

    #[test]
    fn a_stray_begin_line_keeps_the_lines_after_it_out_of_the_block() {
        let original = b"# BEGIN vaultmort abcd1234\n10.0.0.1 kept\n";
        let with = hosts_with_block(original, "abcd1234", Some(&lines()));
        assert!(with.starts_with(original), "the stray line and the one after it stay");
        assert_eq!(hosts_with_block(&with, "abcd1234", None), original, "removal takes only the block it wrote");
    }

    #[test]
    fn update_ca_certificates_is_moved_under_another_root_only() {
        assert_eq!(
            SystemPaths::under("/").update_ca_certificates(false),
            vec!["update-ca-certificates"],
            "the real root uses the defaults"
        );
        let moved = SystemPaths::under("/tmp/r").update_ca_certificates(true);
        assert!(moved.windows(2).any(|w| w[0] == "--localcertsdir" && w[1] == "/tmp/r/usr/local/share/ca-certificates"), "{moved:?}");
        assert!(moved.contains(&"--fresh".to_string()), "{moved:?}");
    }
}
