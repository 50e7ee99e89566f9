//! Vaultmort's REST door: Key Vault's data-plane API over HTTPS, so the official Azure SDKs
//! work against an offline vault with only the vault URL and the credential changed.
//!
//! [`Server::start`] serves on a listener it is given: TLS with a certificate from the core's
//! practice CA ([`tls`]), vaults routed by Host (`<vault>.localhost:<port>`; `localhost` and IP
//! addresses go to the default vault), the challenge flow and a practice token endpoint
//! ([`auth`], [`token`]), and the data plane ([`routes`]) in Key Vault's JSON shapes
//! ([`dto`], the one word every door uses for its edge shapes) with Key Vault-shaped errors ([`error`]).
//!
//! Every data-plane request builds a [`RequestContext`] with the authenticated principal, the
//! socket's peer address and [`Door::Rest`], and calls one public function of the core: the
//! core's pipeline authorizes, runs and audits it. No business rule lives here.
//!
//! [`launch`] holds what every door that starts a server shares (the owner's secret file, the
//! loopback listener, what clients need to know); [`throttle`] the practice service limits;
//! [`connection`] the bounds on each connection (handshake, head, body and idle times, and
//! connections per address, [`ConnectionLimits`]); [`api_version`] the versions accepted.
//!
//! [`route_table`] lists every route the door answers ([`route_table::recognize`] finds one, and
//! the dispatcher matches on it alone); [`openapi`] builds the OpenAPI document from that table
//! and the JSON Schema of the Rust types, served without a token at `/.well-known/openapi.json`.
//!
//! Left out: the routes listed as not supported in [`routes`].
#![forbid(unsafe_code)]

pub mod api_version;
pub mod auth;
mod body;
mod certificate_routes;
pub mod client_setup;
pub mod connection;
pub mod dto;
pub mod error;
pub mod launch;
mod management_routes;
pub mod openapi;
pub mod route_table;
mod routes;
pub mod throttle;
pub mod tls;
mod token;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use vaultmort_core::{Door, RequestContext, Vaultmort};

pub use api_version::ApiVersion;
pub use auth::{
    AnyToken, AuthError, Authenticator, ClientCredentials, DirectoryCredentials, JwtAuthenticator, OwnerCredentials, TokenSigner,
};
pub use connection::ConnectionLimits;
pub use error::ApiError;

/// The largest request body accepted (Key Vault's own limit is far below what any valid
/// request needs); larger bodies get 413.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The header every response carries in developer mode.
pub const DEV_MODE_HEADER: &str = "x-vaultmort-dev-any-token";

/// How the server behaves.
pub struct Options {
    /// The vault that `https://localhost:<port>` and `https://127.0.0.1:<port>` reach.
    pub default_vault: Option<String>,
    /// Accept any bearer token as the local owner (and say so in every response).
    pub dev_any_token: bool,
    /// Who may get tokens at the token endpoint.
    pub credentials: Arc<dyn ClientCredentials>,
    /// Replaces the token check (the directory's authenticator); `None` checks this server's
    /// own tokens against `credentials`.
    pub authenticator: Option<Arc<dyn Authenticator>>,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// Vaults throttled like Key Vault's service limits (429 when over) for this run, on top of
    /// the vaults whose stored `practiceThrottling` setting is on.
    pub throttled_vaults: Vec<String>,
    /// How long connections and their requests may take, and how many one address may hold.
    pub connection_limits: ConnectionLimits,
}

impl Options {
    /// Defaults: no default vault, developer mode off, `credentials` for the token endpoint, the
    /// default body limit and connection limits.
    pub fn new(credentials: Arc<dyn ClientCredentials>) -> Self {
        Self {
            default_vault: None,
            dev_any_token: false,
            credentials,
            authenticator: None,
            body_limit: DEFAULT_BODY_LIMIT,
            throttled_vaults: Vec::new(),
            connection_limits: ConnectionLimits::default(),
        }
    }
}

/// What every request handler reads.
pub(crate) struct State {
    pub(crate) core: Arc<Vaultmort>,
    pub(crate) signer: Arc<TokenSigner>,
    pub(crate) authenticator: Arc<dyn Authenticator>,
    pub(crate) credentials: Arc<dyn ClientCredentials>,
    pub(crate) default_vault: Option<String>,
    pub(crate) dev_any_token: bool,
    pub(crate) body_limit: usize,
    pub(crate) port: u16,
    pub(crate) throttle: Arc<throttle::Throttle>,
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    identity: Arc<tls::ServerIdentity>,
    signer: Arc<TokenSigner>,
    tenant: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    throttle: Arc<throttle::Throttle>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Server {
    /// Issues the server certificate and starts serving on `listener`.
    pub async fn start(core: Arc<Vaultmort>, listener: TcpListener, options: Options) -> Result<Self, ApiError> {
        let addr = listener.local_addr().map_err(|e| ApiError::internal(format!("listener address: {e}")))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let identity = Arc::new(tls::ServerIdentity::issue(&core, provider.clone()).await?);
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ApiError::internal(format!("TLS versions: {e}")))?
            .with_no_client_auth()
            .with_cert_resolver(identity.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let tls_config = Arc::new(config);

        let throttle = Arc::new(throttle::Throttle::new(options.throttled_vaults.clone()).with_stored_settings(core.clone()));
        let tenant = core.tenant().tenant_id.clone();
        let issuer = format!("https://localhost:{}/{tenant}/v2.0", addr.port());
        let signer = Arc::new(TokenSigner::generate(&tenant, &issuer).map_err(|e| ApiError::internal(e.0))?);
        let authenticator: Arc<dyn Authenticator> = match (&options.authenticator, options.dev_any_token) {
            (_, true) => Arc::new(AnyToken),
            (Some(custom), false) => custom.clone(),
            (None, false) => Arc::new(JwtAuthenticator::new(signer.clone())),
        };
        let state = Arc::new(State {
            core: core.clone(),
            signer: signer.clone(),
            authenticator,
            credentials: options.credentials,
            default_vault: options.default_vault,
            dev_any_token: options.dev_any_token,
            body_limit: options.body_limit,
            port: addr.port(),
            throttle: throttle.clone(),
        });
        let slots = connection::AddressSlots::new(options.connection_limits.max_connections_per_address);
        let shared = Arc::new(connection::Shared {
            limits: options.connection_limits,
            tls_config,
            identity: identity.clone(),
            core,
            router: axum::Router::new().fallback(routes::handle).with_state(state),
        });

        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = stopped.changed() => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((tcp, peer)) = accepted else {
                    // Out of file descriptors or a reset before accept: pause, then go on.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                // Beyond its address's share the connection is closed at once, unread.
                let Some(slot) = slots.take(peer.ip()) else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                tokio::spawn(connection::serve(shared.clone(), tcp, peer, slot));
            }
        });
        Ok(Self { addr, identity, signer, tenant, stop, task, throttle })
    }

    /// Turns practice throttling on or off for a vault while serving, for this run only (a vault
    /// whose stored setting is on stays throttled; change that with the core's `update_vault`).
    pub fn set_throttling(&self, vault: &str, on: bool) {
        self.throttle.set(vault, on);
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The practice tenant's id (the `{tenant}` of the token endpoint).
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The certificate chain it presents (DER, leaf first).
    pub fn certificate_chain(&self) -> Vec<Vec<u8>> {
        self.identity.chain()
    }

    /// The key that signs this server's tokens.
    pub fn token_signer(&self) -> &Arc<TokenSigner> {
        &self.signer
    }

    /// Issues a new certificate if the vaults changed (a vault was added).
    pub async fn refresh_certificate(&self, core: &Vaultmort) -> Result<bool, ApiError> {
        self.identity.reissue(core).await
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Serves until the accept loop ends.
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// The request context of one REST request.
pub(crate) fn context(principal: vaultmort_core::Principal, peer: SocketAddr) -> RequestContext {
    RequestContext { principal, source: peer.ip(), door: Door::Rest }
}
