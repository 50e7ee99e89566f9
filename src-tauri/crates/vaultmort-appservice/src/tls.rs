//! TLS on the one HTTPS port every web app shares, chosen per connection by SNI as App Service's
//! front ends do: the ClientHello is read first ([`accept`]), its server name looked up in the
//! site table current at that moment, and the handshake goes on with that site's settings
//! ([`server_config`]): its certificate (the bound one with its chain, or the default wildcard)
//! and its versions (TLS 1.2 and 1.3, or 1.3 only). TLS 1.0 and 1.1 are never offered; rustls
//! has neither. ALPN offers `h2` and `http/1.1`.
//!
//! Left out: client certificates, IP-based SSL, and anything after the handshake.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use vaultmort_core::appservice::MinTlsVersion;

use crate::reload::CurrentSites;
use crate::sites::Presented;

/// TLS 1.3, then 1.2.
static TLS12_AND_UP: [&rustls::SupportedProtocolVersion; 2] = [&rustls::version::TLS13, &rustls::version::TLS12];
/// TLS 1.3 only.
static TLS13_ONLY: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];

/// The versions a site with minimum `min` speaks.
pub fn protocol_versions(min: MinTlsVersion) -> &'static [&'static rustls::SupportedProtocolVersion] {
    match min {
        MinTlsVersion::Tls12 => &TLS12_AND_UP,
        MinTlsVersion::Tls13 => &TLS13_ONLY,
    }
}

/// The settings of one site: always `key`, the versions `min` allows, ALPN `h2` and `http/1.1`.
pub(crate) fn server_config(
    key: Arc<CertifiedKey>,
    min: MinTlsVersion,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(protocol_versions(min))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(SingleCertAndKey::from(key)));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Runs the handshake of one connection with the settings of the site its ClientHello names,
/// and says what certificate it presented. `None` when the client goes away or the handshake
/// fails (a version the site does not speak, say). The caller bounds the time.
pub(crate) async fn accept(tcp: TcpStream, sites: &CurrentSites) -> Option<(TlsStream<TcpStream>, Presented)> {
    let start = tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp).await.ok()?;
    let (config, presented) = sites.current().for_sni(start.client_hello().server_name());
    let stream = start.into_stream(config).await.ok()?;
    Some((stream, presented))
}
