//! What crosses the IPC boundary for the REST API page: whether the server runs, where, and
//! what an SDK client needs (vault URLs, token endpoint, tenant, client id, the secret's file).
//! Also the client set-up plan (the same blocks as `vaultmort setup-client`) and the outcome
//! of writing a client's files.
//! Left out: the client secret itself, which reaches the UI only once, in the answer to the
//! start that made it, and otherwise goes to the clipboard (`copy_rest_client_secret`); the
//! secret made for a client's `.env` file is written into that file only.

use serde::Serialize;
use specta::Type;
use vaultmort_core::model::Vault;
use vaultmort_rest::client_setup::{PlanBlock, Step, StepReport, StepStatus};
use vaultmort_rest::launch::ClientFacts;

/// One vault as a REST client addresses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RestVaultUrl {
    /// Vault name.
    pub vault: String,
    /// `https://<vault>.localhost:<port>`.
    pub url: String,
    /// Whether practice throttling is on for it.
    pub practice_throttling: bool,
}

/// The REST API's state and what clients need to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RestApiStatus {
    /// Whether the server is running.
    pub running: bool,
    /// The port it listens on, or the default port when it is stopped.
    pub port: u16,
    /// The address it listens on (always loopback from the app).
    pub address: String,
    /// Every vault's URL (empty while stopped, or when the signed-in principal lists none).
    pub vaults: Vec<RestVaultUrl>,
    /// `https://localhost:<port>/<tenant>/oauth2/v2.0/token`, while running.
    pub token_endpoint: Option<String>,
    /// `https://localhost:<port>`, the authority for an Azure credential, while running.
    pub authority: Option<String>,
    /// The practice tenant's id.
    pub tenant_id: String,
    /// The local owner's client id.
    pub client_id: String,
    /// The file holding the owner's client secret.
    pub client_secret_file: String,
    /// Whether that file exists yet (it is made at the first start).
    pub client_secret_exists: bool,
    /// The owner's client secret, only in the answer to the start that made it: shown once.
    pub new_client_secret: Option<String>,
}

impl RestVaultUrl {
    /// `vault` as the running server at `facts` serves it.
    pub(crate) fn of(vault: &Vault, facts: &ClientFacts) -> Self {
        Self { url: facts.vault_url(&vault.name), vault: vault.name.clone(), practice_throttling: vault.practice_throttling }
    }
}

/// One block of the client set-up plan (`vaultmort_rest::client_setup::plan_blocks`), to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientSetupBlock {
    /// `trust`, `caFile`, `names` or `envFile`.
    pub step: String,
    /// Its heading.
    pub title: String,
    /// Shell commands or file lines.
    pub text: String,
    /// Whether it needs root (`sudo vaultmort setup-client --apply`).
    pub needs_root: bool,
}

/// An application (service principal) whose credentials can go into the `.env` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientApplication {
    /// Its display name.
    pub display_name: String,
    /// Its application (client) id.
    pub client_id: String,
}

/// What a client machine needs, as `vaultmort setup-client` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientSetupPlan {
    /// The home's short id (names its trust file and hosts block).
    pub home_id: String,
    /// The port the plan is for: the running server's, else the default.
    pub port: u16,
    /// The blocks, one per step.
    pub blocks: Vec<ClientSetupBlock>,
    /// The applications to choose from for the `.env` file.
    pub applications: Vec<ClientApplication>,
    /// The command that performs the system parts.
    pub system_command: String,
}

/// What happened to one step the app ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientSetupStep {
    /// `caFile` or `envFile`.
    pub step: String,
    /// `changed`, `unchanged`, `needsRoot`, `skipped` or `failed`.
    pub status: String,
    /// Why it was skipped or how it failed.
    pub detail: Option<String>,
    /// The files it wrote, or found as asked.
    pub files: Vec<String>,
}

fn step_name(step: Step) -> String {
    match step {
        Step::Trust => "trust",
        Step::CaFile => "caFile",
        Step::Names => "names",
        Step::EnvFile => "envFile",
    }
    .to_string()
}

impl From<PlanBlock> for ClientSetupBlock {
    fn from(block: PlanBlock) -> Self {
        Self { step: step_name(block.step), title: block.title, text: block.text, needs_root: block.needs_root }
    }
}

impl From<StepReport> for ClientSetupStep {
    fn from(report: StepReport) -> Self {
        let (status, detail) = match report.status {
            StepStatus::Changed => ("changed", None),
            StepStatus::Unchanged => ("unchanged", None),
            StepStatus::NeedsRoot => ("needsRoot", None),
            StepStatus::Skipped { reason } => ("skipped", Some(reason)),
            StepStatus::Failed { code, message } => ("failed", Some(format!("{code}: {message}"))),
        };
        Self {
            step: step_name(report.step),
            status: status.to_string(),
            detail,
            files: report.files.iter().map(|f| f.display().to_string()).collect(),
        }
    }
}
