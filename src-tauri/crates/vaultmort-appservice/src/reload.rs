//! Keeping the site table current: [`CurrentSites`] holds the table every new handshake and
//! request reads, and swaps in a new one atomically on [`CurrentSites::reload`]; [`watch`]
//! reloads whenever the store's shared change stamp moves (every App Service write and every
//! certificate sync announce one, in whichever process made them) and once a minute regardless.
//!
//! A swap changes only what new handshakes see: an open connection keeps its TLS session (and
//! the certificate it was served) and goes on answering. A failed reload keeps the last good
//! table; the watcher reports a problem when it starts, changes and ends, without secrets. Left out: the sites' content ([`crate::sites`]).

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use tokio::sync::watch;
use tokio::time::Instant;
use vaultmort_core::Vaultmort;
use vaultmort_core::storage::ChangeStamp;

use crate::default_certificate::DefaultCertificate;
use crate::error::FrontEndError;
use crate::sites::SiteTable;

/// How long after a failed reload the watcher tries again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// The table in use now, and how to make the next one.
#[derive(Debug)]
pub(crate) struct CurrentSites {
    core: Arc<Vaultmort>,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<SiteTable>>,
    /// One reload at a time, so an older result never replaces a newer one.
    reloading: tokio::sync::Mutex<()>,
}

impl CurrentSites {
    /// Makes the default certificate and the first table.
    pub(crate) async fn load(core: Arc<Vaultmort>, provider: Arc<CryptoProvider>) -> Result<Self, FrontEndError> {
        let default_certificate = Arc::new(DefaultCertificate::issue(&core, &provider).await?);
        let table = build(&core, default_certificate, &provider).await?;
        Ok(Self { core, provider, current: RwLock::new(Arc::new(table)), reloading: tokio::sync::Mutex::new(()) })
    }

    /// The table in use now.
    pub(crate) fn current(&self) -> Arc<SiteTable> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Reads the sites again (and makes a new default certificate when the old one is due) and
    /// swaps the new table in. On failure the current table stays.
    pub(crate) async fn reload(&self) -> Result<(), FrontEndError> {
        let _one_at_a_time = self.reloading.lock().await;
        let mut default_certificate = self.current().default_certificate().clone();
        if default_certificate.is_due(chrono::Utc::now()) {
            default_certificate = Arc::new(DefaultCertificate::issue(&self.core, &self.provider).await?);
        }
        let table = build(&self.core, default_certificate, &self.provider).await?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(table);
        Ok(())
    }
}

async fn build(
    core: &Vaultmort,
    default_certificate: Arc<DefaultCertificate>,
    provider: &Arc<CryptoProvider>,
) -> Result<SiteTable, FrontEndError> {
    let sites = core.served_sites(&crate::system_context()).await?;
    SiteTable::build(sites, default_certificate, provider)
}

/// How often [`watch`] looks and reloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReloadTimes {
    /// How often the shared change stamp is read. Default 300 ms.
    pub poll_interval: Duration,
    /// The longest time between two reloads, changes or not. Default one hour: every change a
    /// door makes (App Service writes, syncs, clock shifts) moves the stamp and reloads at once,
    /// so the periodic reload only renews the default certificate in time, and each reload is
    /// a record in the access log.
    pub reload_interval: Duration,
}

impl Default for ReloadTimes {
    fn default() -> Self {
        Self { poll_interval: Duration::from_millis(300), reload_interval: Duration::from_secs(3600) }
    }
}

/// A problem the watcher meets again and again (a store that cannot be read), reported when it
/// starts, when it changes and when it ends, not at every look.
#[derive(Debug, Default)]
struct Problem {
    last: Option<String>,
}

impl Problem {
    /// Records the outcome of one look: `Some(message)` when it failed.
    fn record(&mut self, now: Option<String>, recovered: &str) {
        if now == self.last {
            return;
        }
        match &now {
            Some(message) => crate::warn(format_args!("{message}")),
            None => crate::warn(format_args!("{recovered}")),
        }
        self.last = now;
    }
}

/// Reloads `sites` whenever the shared change stamp moves away from `seen` (the stamp read
/// before the current table was built) and at least every `times.reload_interval`, until
/// `stop` changes or its sender is gone.
pub(crate) async fn watch(sites: Arc<CurrentSites>, mut seen: Option<ChangeStamp>, times: ReloadTimes, mut stop: watch::Receiver<bool>) {
    let (mut stamp_problem, mut reload_problem) = (Problem::default(), Problem::default());
    let mut next_reload = Instant::now() + times.reload_interval;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(times.poll_interval) => {}
        }
        // Read before reloading: a change announced during the reload moves it again.
        let stamp = match sites.core.shared_change_stamp() {
            Ok(stamp) => {
                stamp_problem.record(None, "the shared change stamp can be read again");
                Some(stamp)
            }
            Err(e) => {
                stamp_problem.record(Some(format!("the shared change stamp cannot be read ({}): {e}", e.code())), "");
                None
            }
        };
        let changed = stamp.is_some() && stamp != seen;
        if !changed && Instant::now() < next_reload {
            continue;
        }
        if stamp.is_some() {
            seen = stamp;
        }
        next_reload = match sites.reload().await {
            Ok(()) => {
                reload_problem.record(None, "the sites reload again");
                Instant::now() + times.reload_interval
            }
            Err(e) => {
                let message = format!("reloading the sites failed ({}): {e}; the last good sites are still served", e.code());
                reload_problem.record(Some(message), "");
                Instant::now() + RETRY_AFTER_FAILURE.min(times.reload_interval)
            }
        };
    }
}
