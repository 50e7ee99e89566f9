//! Practice throttling: Key Vault's service limits per vault and 10-second window (software
//! keys and secrets), answered as the service does, with 429 `Throttled` and `Retry-After`.
//! Off by default and switched on per vault, so people can practise their retry logic.
//!
//! Whether a vault is throttled is the vault's stored setting (`practiceThrottling`, read from
//! the core's in-memory set, so no request reads the store for it) or, for one run only, a
//! vault named when the server started (`vaultmort serve --throttle`) or switched on with
//! `Server::set_throttling`.
//!
//! The window is wall-clock time (the shiftable clock is for object lifetimes, not rates). The
//! limits are the Standard tier's: 20 key creations (RSA-2048 and EC), 300 secret writes, and
//! 4,000 other transactions per vault per 10 s. Left out: the lower limits of RSA-3072/4096
//! keys and HSM keys.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::http::Method;
use vaultmort_core::Vaultmort;

/// The window Key Vault counts in.
pub const WINDOW: Duration = Duration::from_secs(10);

/// Which limit a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Creating, importing or rotating a key.
    KeyCreate,
    /// Setting a secret.
    SecretWrite,
    /// Everything else.
    Other,
}

impl Class {
    /// The class of a request.
    pub fn of(method: &Method, segments: &[&str]) -> Self {
        match (method, segments) {
            (&Method::POST, ["keys", _, "create" | "rotate"]) | (&Method::PUT, ["keys", _]) => Class::KeyCreate,
            (&Method::PUT, ["secrets", _]) => Class::SecretWrite,
            _ => Class::Other,
        }
    }

    /// Transactions allowed per vault per window.
    pub fn limit(self) -> u32 {
        match self {
            Class::KeyCreate => 20,
            Class::SecretWrite => 300,
            Class::Other => 4000,
        }
    }
}

/// Counts requests of throttled vaults.
#[derive(Default)]
pub struct Throttle {
    /// Vaults throttled for this run only, whatever their stored setting.
    this_run: RwLock<Vec<String>>,
    /// The core whose vaults' stored settings count, if any.
    stored: Option<Arc<Vaultmort>>,
    windows: Mutex<HashMap<(String, Class), (Instant, u32)>>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").field("this_run", &self.this_run).finish_non_exhaustive()
    }
}

impl Throttle {
    /// Throttling on for `vaults` for this run (and for no vault by its stored setting).
    pub fn new(vaults: impl IntoIterator<Item = String>) -> Self {
        Self { this_run: RwLock::new(vaults.into_iter().map(|v| v.to_ascii_lowercase()).collect()), ..Self::default() }
    }

    /// The same, with the stored setting of `core`'s vaults counting too.
    pub fn with_stored_settings(mut self, core: Arc<Vaultmort>) -> Self {
        self.stored = Some(core);
        self
    }

    /// Turns throttling on or off for a vault for this run; a vault whose stored setting is on
    /// stays throttled.
    pub fn set(&self, vault: &str, on: bool) {
        let mut vaults = self.this_run.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        vaults.retain(|v| !v.eq_ignore_ascii_case(vault));
        if on {
            vaults.push(vault.to_ascii_lowercase());
        }
    }

    /// Whether requests to `vault` are counted. Cheap: two small in-memory lookups, no allocation.
    pub fn is_on(&self, vault: &str) -> bool {
        let this_run =
            self.this_run.read().unwrap_or_else(std::sync::PoisonError::into_inner).iter().any(|v| v.eq_ignore_ascii_case(vault));
        this_run || self.stored.as_ref().is_some_and(|core| core.practice_throttling(vault))
    }

    /// Counts one request; `Err(seconds)` when it is over the limit, with the seconds until the
    /// window ends (the `Retry-After`).
    pub fn admit(&self, vault: &str, class: Class, now: Instant) -> Result<(), u64> {
        if !self.is_on(vault) {
            return Ok(());
        }
        let vault = vault.to_ascii_lowercase();
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(());
        };
        let (start, count) = windows.entry((vault, class)).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            (*start, *count) = (now, 0);
        }
        if *count >= class.limit() {
            let left = WINDOW.saturating_sub(now.duration_since(*start));
            return Err(left.as_secs().max(1));
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_twenty_first_key_creation_in_a_window_is_refused_until_it_ends() {
        let throttle = Throttle::new(["v".to_string()]);
        let start = Instant::now();
        for _ in 0..20 {
            assert!(throttle.admit("v", Class::KeyCreate, start).is_ok());
        }
        let retry = throttle.admit("v", Class::KeyCreate, start + Duration::from_secs(3));
        assert_eq!(retry, Err(7), "retry when the 10 s window ends");
        assert!(throttle.admit("v", Class::Other, start).is_ok(), "other transactions count separately");
        assert!(throttle.admit("v", Class::KeyCreate, start + WINDOW).is_ok(), "a new window");
        assert!(throttle.admit("w", Class::KeyCreate, start).is_ok(), "vaults without throttling are never refused");
        throttle.set("v", false);
        for _ in 0..50 {
            assert!(throttle.admit("v", Class::KeyCreate, start + WINDOW).is_ok(), "switched off");
        }
    }
}
