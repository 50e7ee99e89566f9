//! Settings that another process sharing the store can change while this one runs, and how such
//! a change reaches this process before its next request.
//!
//! The core keeps two settings in memory for its hot path: the clock's shift ([`crate::Clock`])
//! and the vaults with practice throttling on ([`crate::vaults::ThrottledVaults`]). The CLI
//! beside a running server or desktop app changes them in the store; every door of one home must
//! then agree at once. So a process that changes one announces it through the storage seam
//! ([`crate::Storage::announce_shared_change`]) after the commit, and every request first compares
//! the storage's change stamp with the one this process last loaded, reloading both settings
//! from the store when it differs. Comparing the stamp is cheap (no database round trip); the
//! reload happens once per change, not once per request.
//!
//! What it does not cover: data every request reads from the store anyway (policies, roles,
//! the firewall, the directory), which needs no announcement.

use chrono::Duration;

use crate::storage::{ChangeStamp, Storage, VaultFilter};
use crate::vaults::ThrottledVaults;
use crate::{Clock, Result, StoreError};

/// Where the clock's shift is kept in the store's meta table, as decimal seconds.
pub(crate) const CLOCK_OFFSET_KEY: &str = "clock.offset_seconds";

/// The change stamp this process last loaded the shared settings at.
#[derive(Debug, Default)]
pub(crate) struct SharedSettingsWatch {
    /// The stamp the in-memory settings reflect (at least).
    seen: std::sync::Mutex<ChangeStamp>,
    /// Held while reloading, so two reloads never interleave and a slower one cannot overwrite a
    /// newer one's result.
    reloading: tokio::sync::Mutex<()>,
}

impl SharedSettingsWatch {
    /// A watch that has loaded the settings as they stood at `stamp`.
    pub(crate) fn loaded_at(stamp: ChangeStamp) -> Self {
        Self { seen: std::sync::Mutex::new(stamp), reloading: tokio::sync::Mutex::new(()) }
    }

    fn is_current(&self, stamp: &ChangeStamp) -> bool {
        *self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) == *stamp
    }

    /// Reloads `clock`'s shift and `throttled` from `storage` when another process (or this one)
    /// announced a change since the last load.
    pub(crate) async fn catch_up(&self, storage: &dyn Storage, clock: &Clock, throttled: &ThrottledVaults) -> Result<()> {
        if self.is_current(&storage.shared_change_stamp()?) {
            return Ok(());
        }
        let _one_reload = self.reloading.lock().await;
        // Read the stamp before the store: whatever the store shows is at least as new as it.
        let stamp = storage.shared_change_stamp()?;
        if self.is_current(&stamp) {
            return Ok(());
        }
        let mut session = storage.begin_read().await?;
        let offset = read_clock_offset(session.meta_get(CLOCK_OFFSET_KEY).await?)?;
        let active = session.vault_list(&VaultFilter { resource_group: None, deleted: false }).await?;
        drop(session);
        clock.set_offset(offset);
        throttled.replace_with(&active);
        *self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = stamp;
        Ok(())
    }
}

/// The clock's shift as stored (none stored: no shift).
pub(crate) fn read_clock_offset(stored: Option<Vec<u8>>) -> Result<Duration> {
    let Some(bytes) = stored else {
        return Ok(Duration::zero());
    };
    let text = String::from_utf8_lossy(&bytes);
    let seconds: i64 = text.parse().map_err(|_| StoreError::Corrupt(format!("clock offset '{text}'")))?;
    Ok(Duration::seconds(seconds))
}
