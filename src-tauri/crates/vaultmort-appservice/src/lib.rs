//! Vaultmort's App Service front end: the practice web apps served for real on loopback, so that
//! `openssl s_client -servername www.petdash.com` and `curl --resolve` see the certificate bound
//! to a host name, and a renewed Key Vault certificate reaches them without a restart.
//!
//! [`FrontEnd::start`] takes two listeners (open them with [`vaultmort_rest::launch::bind`]): one
//! HTTPS port for every web app, where each connection's SNI picks the site and its certificate
//! and TLS versions ([`tls`], [`sites`]), and one plain HTTP port that redirects HTTPS-only apps
//! and serves the others ([`page`]). Both use the REST door's connection bounds
//! ([`vaultmort_rest::ConnectionLimits`]: connections per address, handshake, header and idle
//! times). Unbound host names get a built-in `*.azurewebsites.localhost` certificate from the
//! practice CA ([`default_certificate`]). What is served is the core's
//! [`Vaultmort::served_sites`], read again whenever the store announces a change ([`reload`]).
//!
//! The front end asks the core as the system ([`system_context`]); it holds private keys only in
//! memory and never logs them. The rules (which host may be bound to what) are the core's, in
//! `vaultmort_core::appservice`; nothing here decides them. Left out: the user's own process
//! behind a site, IP-based SSL, and listening anywhere but where the caller's listeners are.
#![forbid(unsafe_code)]

pub mod default_certificate;
pub mod error;
pub mod page;
pub mod reload;
pub mod sites;
pub mod tls;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use vaultmort_core::context::PrincipalKind;
use vaultmort_core::{Door, Principal, RequestContext, Vaultmort};
use vaultmort_rest::ConnectionLimits;
use vaultmort_rest::connection::{AddressSlots, serve_http};

pub use error::FrontEndError;
pub use reload::ReloadTimes;
pub use sites::{CertificateFacts, CertificateOrigin, Presented, ServedNow};

use crate::page::Connection;
use crate::reload::CurrentSites;

/// The object id the front end calls the core with.
pub const FRONT_END_PRINCIPAL_ID: &str = "vaultmort-appservice-front-end";

/// The request context of the front end's own requests: a managed identity on the system door,
/// from loopback.
pub fn system_context() -> RequestContext {
    RequestContext {
        principal: Principal {
            object_id: FRONT_END_PRINCIPAL_ID.into(),
            name: "App Service front end".into(),
            kind: PrincipalKind::ManagedIdentity,
        },
        source: IpAddr::V4(Ipv4Addr::LOCALHOST),
        door: Door::System,
    }
}

/// Reports a problem of the running front end: through `log` when the process installed a
/// logger that takes warnings (the desktop app), else on stderr (the CLI). Callers never pass
/// key material or secret values.
pub(crate) fn warn(message: std::fmt::Arguments<'_>) {
    if log::max_level() >= log::LevelFilter::Warn {
        log::warn!("App Service front end: {message}");
    } else {
        eprintln!("App Service front end: {message}");
    }
}

/// How the front end behaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// How long connections and their requests may take, and how many one address may hold
    /// (both ports together).
    pub connection_limits: ConnectionLimits,
    /// How often the sites are read again.
    pub reload_times: ReloadTimes,
}

/// What every connection of one front end shares.
struct Shared {
    sites: Arc<CurrentSites>,
    limits: ConnectionLimits,
    slots: Arc<AddressSlots>,
    https_port: u16,
}

/// Which port a listener serves.
#[derive(Debug, Clone, Copy)]
enum Port {
    Https,
    Http,
}

/// A running front end.
pub struct FrontEnd {
    https_addr: SocketAddr,
    http_addr: SocketAddr,
    sites: Arc<CurrentSites>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for FrontEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrontEnd").field("https_addr", &self.https_addr).field("http_addr", &self.http_addr).finish_non_exhaustive()
    }
}

impl FrontEnd {
    /// Makes the default certificate, reads the sites and serves HTTPS on `https` and plain
    /// HTTP on `http`, with the default [`Options`].
    pub async fn start(core: Arc<Vaultmort>, https: TcpListener, http: TcpListener) -> Result<FrontEnd, FrontEndError> {
        Self::start_with(core, https, http, Options::default()).await
    }

    /// [`FrontEnd::start`] with `options`.
    pub async fn start_with(
        core: Arc<Vaultmort>,
        https: TcpListener,
        http: TcpListener,
        options: Options,
    ) -> Result<FrontEnd, FrontEndError> {
        let https_addr = https.local_addr().map_err(|source| FrontEndError::Listener { port: "HTTPS", source })?;
        let http_addr = http.local_addr().map_err(|source| FrontEndError::Listener { port: "HTTP", source })?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        // Read before the first table: a change announced while it is built moves it again.
        let stamp = core.shared_change_stamp().ok();
        let sites = Arc::new(CurrentSites::load(core, provider).await?);
        let shared = Arc::new(Shared {
            sites: sites.clone(),
            slots: AddressSlots::new(options.connection_limits.max_connections_per_address),
            limits: options.connection_limits,
            https_port: https_addr.port(),
        });
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(accept_loop(https, Port::Https, shared.clone(), stopped.clone())),
            tokio::spawn(accept_loop(http, Port::Http, shared, stopped.clone())),
            tokio::spawn(reload::watch(sites.clone(), stamp, options.reload_times, stopped)),
        ];
        Ok(FrontEnd { https_addr, http_addr, sites, stop, tasks })
    }

    /// The HTTPS port's address.
    pub fn https_addr(&self) -> SocketAddr {
        self.https_addr
    }

    /// The plain HTTP port's address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Reads the sites now (after "Sync now", say) instead of waiting for the watcher. New
    /// handshakes see the result; open connections are not disturbed. On failure the sites
    /// served before stay.
    pub async fn reload(&self) -> Result<(), FrontEndError> {
        self.sites.reload().await
    }

    /// Every host name served now, with the certificate HTTPS presents for it: by app, the
    /// default host name first.
    pub fn served_now(&self) -> Vec<ServedNow> {
        self.sites.current().served_now()
    }

    /// The built-in default certificate presented now (for unbound names and unknown SNI).
    pub fn default_certificate(&self) -> CertificateFacts {
        self.sites.current().default_certificate().facts.clone()
    }

    /// Stops accepting, closes every open connection and stops watching for changes.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Accepts connections on `listener` until `stop` changes or its sender is gone; each one is
/// served on its own task, which ends at the same signal.
async fn accept_loop(listener: TcpListener, port: Port, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((tcp, peer)) = accepted else {
            // Out of file descriptors or a reset before accept: pause, then go on.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        // Beyond its address's share the connection is closed at once, unread.
        let Some(slot) = shared.slots.take(peer.ip()) else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let (shared, mut stop) = (shared.clone(), stop.clone());
        tokio::spawn(async move {
            let _slot = slot;
            tokio::select! {
                _ = stop.changed() => {}
                () = serve(shared, port, tcp, peer) => {}
            }
        });
    }
}

async fn serve(shared: Arc<Shared>, port: Port, tcp: TcpStream, peer: SocketAddr) {
    match port {
        Port::Https => {
            let handshake = tls::accept(tcp, &shared.sites);
            let Ok(Some((stream, presented))) = tokio::time::timeout(shared.limits.tls_handshake_timeout, handshake).await else {
                return;
            };
            let router = page::router(shared.sites.clone(), Connection::Https(presented));
            serve_http(stream, peer, router, &shared.limits).await;
        }
        Port::Http => {
            let router = page::router(shared.sites.clone(), Connection::Http { https_port: shared.https_port });
            serve_http(tcp, peer, router, &shared.limits).await;
        }
    }
}
