//! What crosses the IPC boundary for the REST API page: whether the server runs, where, and
//! what an SDK client needs (vault URLs, token endpoint, tenant, client id, the secret's file).
//! Left out: the client secret itself, which reaches the UI only once, in the answer to the
//! start that made it, and otherwise goes to the clipboard (`copy_rest_client_secret`).

use serde::Serialize;
use specta::Type;
use vaultmort_core::model::Vault;
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
