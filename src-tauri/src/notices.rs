//! Desktop notifications from the certificate scheduler, and the scheduler's loop in the app.
//!
//! While the app runs, the installation's periodic work (retention purges, lifetime actions,
//! expiry events; [`vaultmort_core::Vaultmort::tick`]) runs every minute. Each event it records
//! after the app opened the store becomes one desktop notification: a certificate near expiry,
//! expired, or its contacts notified; and each renewal the run made. Notifications go through [`Notifier`], so the app
//! uses the notification plugin and the mock-runtime tests a recording one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use vaultmort_core::renewal::Event;
use vaultmort_core::{Door, RequestContext, Vaultmort};

use crate::error::CommandError;

/// How often the scheduler runs while the app is open.
pub const SCHEDULER_INTERVAL: Duration = Duration::from_secs(60);

/// A desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The headline.
    pub title: String,
    /// The details.
    pub body: String,
}

/// Shows desktop notifications.
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Shows one notification.
    fn notify(&self, notice: &Notice) -> Result<(), CommandError>;
}

/// Keeps notifications in memory (tests; a session without a notification service).
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    shown: Mutex<Vec<Notice>>,
}

impl RecordingNotifier {
    /// Every notice so far.
    pub fn shown(&self) -> Vec<Notice> {
        self.shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

impl Notifier for RecordingNotifier {
    fn notify(&self, notice: &Notice) -> Result<(), CommandError> {
        self.shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(notice.clone());
        Ok(())
    }
}

/// What a person reads for an event; `None` for event types that need no notification.
pub fn notice_for(event: &Event) -> Option<Notice> {
    let name = event.subject.split('/').nth(1).unwrap_or(&event.subject);
    let vault = &event.vault_name;
    let expires = event.data.get("expires").and_then(|v| v.as_str()).unwrap_or("soon");
    let (title, body) = match event.event_type.as_str() {
        "CertificateNearExpiry" => ("Certificate expires soon", format!("'{name}' in vault '{vault}' expires {expires}.")),
        "CertificateExpired" => ("Certificate expired", format!("'{name}' in vault '{vault}' has expired.")),
        "KeyNearExpiry" => {
            ("Key expires soon", format!("Key '{name}' in vault '{vault}' expires {expires} (its rotation policy's Notify action)."))
        }
        "CertificateContactsNotified" => {
            ("Certificate contacts notified", format!("The contacts of vault '{vault}' were told about '{name}' (see the outbox)."))
        }
        _ => return None,
    };
    Some(Notice { title: title.to_string(), body })
}

/// Remembers which events were already shown.
#[derive(Debug, Default)]
pub struct EventCursor {
    last_seen: Mutex<Option<i64>>,
}

impl EventCursor {
    /// Starts after every event recorded so far, so that only what happens from now is shown.
    pub async fn start(&self, core: &Vaultmort) -> Result<(), CommandError> {
        let newest = all_events_after(core, 0).await?.last().map_or(0, |e| e.sequence);
        *self.last_seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(newest);
        Ok(())
    }

    /// Runs the scheduler once and shows a notification for each new event. Returns what was shown.
    pub async fn pass(&self, core: &Vaultmort, notifier: &dyn Notifier) -> Result<Vec<Notice>, CommandError> {
        let (_, renewal) = core.tick().await?;
        let after = self.last_seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).unwrap_or(0);
        let events = all_events_after(core, after).await?;
        let mut shown = Vec::new();
        // Renewals and rotations come from this run's report: their NewVersionCreated events
        // look like those of any new version, which a person makes themselves and needs no
        // notice of.
        let certificates =
            renewal.renewed.iter().map(|done| ("Certificate renewed", "Certificate", done, "renewed by its lifetime action"));
        let keys = renewal.keys_rotated.iter().map(|done| ("Key rotated", "Key", done, "rotated by its rotation policy"));
        for (title, what, done, how) in certificates.chain(keys) {
            let (vault, name) = done.split_once('/').unwrap_or(("", done));
            let notice = Notice { title: title.into(), body: format!("{what} '{name}' in vault '{vault}' was {how}.") };
            notifier.notify(&notice)?;
            shown.push(notice);
        }
        for event in &events {
            if let Some(notice) = notice_for(event) {
                notifier.notify(&notice)?;
                shown.push(notice);
            }
            *self.last_seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(event.sequence);
        }
        Ok(shown)
    }
}

async fn all_events_after(core: &Vaultmort, mut after: i64) -> Result<Vec<Event>, CommandError> {
    const PAGE: i64 = 500;
    let ctx = RequestContext::local_owner(Door::System);
    let mut all = Vec::new();
    loop {
        let page = core.list_events(&ctx, None, after, PAGE).await?;
        let full = page.len() as i64 == PAGE;
        after = page.last().map_or(after, |e| e.sequence);
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}

/// Runs the scheduler at once and then every [`SCHEDULER_INTERVAL`] for the life of the app.
pub(crate) fn spawn_scheduler(core: Arc<Vaultmort>, cursor: Arc<EventCursor>, notifier: Arc<dyn Notifier>) {
    tauri::async_runtime::spawn(async move {
        loop {
            if let Err(error) = cursor.pass(&core, notifier.as_ref()).await {
                log::warn!("the certificate scheduler failed: {error}");
            }
            tokio::time::sleep(SCHEDULER_INTERVAL).await;
        }
    });
}
