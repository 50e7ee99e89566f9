//! What every door that starts the REST server shares, so that `vaultmort serve` and the
//! desktop app's toggle behave alike: where the local owner's client secret is kept and how the
//! server's credentials are built from it ([`home_credentials`]), opening the listener with a
//! coded error when the port is taken ([`bind`]), and what a client needs to know to connect
//! ([`ClientFacts`]).
//!
//! Left out: which address a door may listen on (the CLI allows another machine's with
//! `--allow-remote`; the desktop app stays on loopback) and how a new secret is shown to the
//! person (the CLI prints it once; the app shows it once and copies it on request). Both are
//! the doors' business.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::StatusCode;
use tokio::net::TcpListener;
use vaultmort_core::{Principal, Vaultmort};
use zeroize::Zeroizing;

use crate::{ApiError, DirectoryCredentials, OwnerCredentials, Server};

/// The file in the home holding the local owner's client secret for the token endpoint.
pub const OWNER_SECRET_FILE: &str = "rest-client-secret";

/// Where the local owner's client secret is kept in `home`.
pub fn owner_secret_path(home: &Path) -> PathBuf {
    home.join(OWNER_SECRET_FILE)
}

/// The credentials a server over `core` runs with, and whether the owner's secret is new.
pub struct HomeCredentials {
    /// The directory's applications plus the local owner.
    pub credentials: DirectoryCredentials,
    /// The owner's secret when it was made just now (to be shown once), else `None`.
    pub created_secret: Option<Zeroizing<String>>,
    /// The file that holds the owner's secret.
    pub secret_file: PathBuf,
}

impl std::fmt::Debug for HomeCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HomeCredentials").field("secret_file", &self.secret_file).finish_non_exhaustive()
    }
}

/// Reads the owner's client secret from `home` (making it, mode 0600, on first use) and builds
/// the credentials of `core`'s directory plus the owner.
pub fn home_credentials(core: Arc<Vaultmort>, home: &Path) -> Result<HomeCredentials, ApiError> {
    let secret_file = owner_secret_path(home);
    let owner = OwnerCredentials::load_or_create(&secret_file).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "OwnerSecretUnavailable",
            format!("cannot read or make the client secret file {}: {e}", secret_file.display()),
        )
    })?;
    Ok(HomeCredentials { credentials: DirectoryCredentials::new(core, owner.credentials), created_secret: owner.created, secret_file })
}

/// Reads the owner's client secret from its file in `home`, if it was made yet.
pub fn read_owner_secret(home: &Path) -> Result<Option<Zeroizing<String>>, ApiError> {
    let path = owner_secret_path(home);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(Zeroizing::new(text.trim().to_string()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "OwnerSecretUnavailable",
            format!("cannot read the client secret file {}: {e}", path.display()),
        )),
    }
}

/// Listens on `address:port` (port 0 picks a free one). A port already in use is
/// `AddressInUse`, one the system does not allow (below 1024) `PortNotAllowed`; any other
/// failure is `ListenFailed`.
pub async fn bind(address: IpAddr, port: u16) -> Result<TcpListener, ApiError> {
    TcpListener::bind((address, port)).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "AddressInUse",
            format!("port {port} on {address} is already in use (another server, or `vaultmort serve`?): stop that or choose another port"),
        ),
        std::io::ErrorKind::PermissionDenied => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "PortNotAllowed",
            format!("the system does not allow listening on port {port}: choose one from 1024 up"),
        ),
        _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "ListenFailed", format!("cannot listen on {address}:{port}: {e}")),
    })
}

/// What a client needs to reach a running server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFacts {
    /// The port it listens on.
    pub port: u16,
    /// The practice tenant (the `{tenant}` of the token endpoint).
    pub tenant_id: String,
    /// The local owner's client id.
    pub client_id: String,
    /// `https://localhost:<port>`: the authority to give an Azure credential.
    pub authority: String,
    /// `https://localhost:<port>/<tenant>/oauth2/v2.0/token`.
    pub token_endpoint: String,
    /// The file holding the owner's client secret.
    pub secret_file: PathBuf,
}

impl ClientFacts {
    /// The facts of `server`, whose owner secret is kept in `secret_file`.
    pub fn of(server: &Server, secret_file: PathBuf) -> Self {
        let port = server.local_addr().port();
        let tenant_id = server.tenant().to_string();
        let authority = format!("https://localhost:{port}");
        Self {
            port,
            token_endpoint: format!("{authority}/{tenant_id}/oauth2/v2.0/token"),
            authority,
            tenant_id,
            client_id: Principal::local_owner().object_id,
            secret_file,
        }
    }

    /// `https://<vault>.localhost:<port>`, the URL an SDK client is given for `vault`.
    pub fn vault_url(&self, vault: &str) -> String {
        format!("https://{vault}.localhost:{}", self.port)
    }
}
