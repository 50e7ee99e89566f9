//! The server's TLS identity: a P-256 key made here and a leaf the core's practice CA issues for
//! it, with a SAN for `localhost`, each vault host (`<vault>.localhost`, listed one by one since
//! wildcards under `localhost` do not validate in every client), 127.0.0.1, 127.0.0.2 and ::1.
//!
//! The certificate sits behind a resolver that can be swapped while the server runs
//! ([`ServerIdentity::reissue`]), and each handshake reads the ClientHello first
//! ([`handshake`]), so the first connection to a vault added while serving already gets a
//! certificate naming it. Left out: client certificates.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use vaultmort_core::{Door, RequestContext, Vaultmort};

use crate::error::ApiError;

/// Days the server certificate is valid.
pub const SERVER_CERT_DAYS: u32 = 90;

/// The addresses every server certificate names.
pub const SERVER_IPS: [IpAddr; 3] =
    [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), IpAddr::V6(Ipv6Addr::LOCALHOST)];

/// The server's current certificate, swappable while it runs.
#[derive(Debug)]
pub struct ServerIdentity {
    current: RwLock<Arc<CertifiedKey>>,
    names: RwLock<Vec<String>>,
    provider: Arc<CryptoProvider>,
    /// One reissue at a time: handshakes racing for the same new host wait for one certificate.
    reissuing: tokio::sync::Mutex<()>,
}

impl ServerIdentity {
    /// Issues a first certificate naming `localhost` and every active vault.
    pub async fn issue(core: &Vaultmort, provider: Arc<CryptoProvider>) -> Result<Self, ApiError> {
        let names = dns_names(core).await?;
        let key = issue_certified_key(core, &names, &provider).await?;
        Ok(Self { current: RwLock::new(Arc::new(key)), names: RwLock::new(names), provider, reissuing: tokio::sync::Mutex::new(()) })
    }

    /// Issues a new certificate when the vaults changed since the last one.
    pub async fn reissue(&self, core: &Vaultmort) -> Result<bool, ApiError> {
        let _one_at_a_time = self.reissuing.lock().await;
        let names = dns_names(core).await?;
        if self.names.read().map(|n| *n == names).unwrap_or(false) {
            return Ok(false);
        }
        let key = issue_certified_key(core, &names, &self.provider).await?;
        if let (Ok(mut current), Ok(mut current_names)) = (self.current.write(), self.names.write()) {
            *current = Arc::new(key);
            *current_names = names;
        }
        Ok(true)
    }

    /// Whether the current certificate names `host`.
    pub fn names(&self, host: &str) -> bool {
        self.names.read().map(|n| n.iter().any(|name| name.eq_ignore_ascii_case(host))).unwrap_or(false)
    }

    /// The DER chain presented now (leaf first).
    pub fn chain(&self) -> Vec<Vec<u8>> {
        self.current.read().map(|k| k.cert.iter().map(|c| c.as_ref().to_vec()).collect()).unwrap_or_default()
    }
}

impl ResolvesServerCert for ServerIdentity {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|k| k.clone())
    }
}

/// Runs the TLS handshake of one connection. The ClientHello is read first: when it asks for a
/// `<vault>.localhost` the current certificate does not name (a vault added while serving), a
/// certificate naming it is issued before the handshake goes on, so the first connection to a
/// new vault already succeeds. `None` when the client goes away or the handshake fails.
pub(crate) async fn handshake(
    tcp: tokio::net::TcpStream,
    config: Arc<rustls::ServerConfig>,
    identity: &ServerIdentity,
    core: &Vaultmort,
) -> Option<tokio_rustls::server::TlsStream<tokio::net::TcpStream>> {
    let start = tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp).await.ok()?;
    let unknown_vault_host =
        start.client_hello().server_name().is_some_and(|sni| sni.to_ascii_lowercase().ends_with(".localhost") && !identity.names(sni));
    if unknown_vault_host {
        // A failure (or a host that is no vault) keeps the current certificate.
        let _ = identity.reissue(core).await;
    }
    start.into_stream(config).await.ok()
}

async fn dns_names(core: &Vaultmort) -> Result<Vec<String>, ApiError> {
    let ctx = RequestContext::local_owner(Door::Rest);
    let vaults = core.list_vaults(&ctx, None).await?;
    let mut names = vec!["localhost".to_string()];
    names.extend(vaults.iter().map(|v| format!("{}.localhost", v.name.to_ascii_lowercase())));
    names.sort();
    names.dedup();
    Ok(names)
}

async fn issue_certified_key(core: &Vaultmort, names: &[String], provider: &CryptoProvider) -> Result<CertifiedKey, ApiError> {
    let internal = |what: &str, e: &dyn std::fmt::Display| ApiError::internal(format!("{what}: {e}"));
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| internal("server key", &e))?;
    let mut params = rcgen::CertificateParams::new(names.to_vec()).map_err(|e| internal("server names", &e))?;
    params.subject_alt_names.extend(SERVER_IPS.iter().map(|ip| rcgen::SanType::IpAddress(*ip)));
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    let csr = params.serialize_request(&key).map_err(|e| internal("server CSR", &e))?;
    let ctx = RequestContext::local_owner(Door::Rest);
    let chain = core.practice_ca_issue_server(&ctx, csr.der(), SERVER_CERT_DAYS).await?;
    let chain: Vec<CertificateDer<'static>> = chain.into_iter().map(CertificateDer::from).collect();
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    CertifiedKey::from_der(chain, private, provider).map_err(|e| internal("server certificate", &e))
}
