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
//! limits are Key Vault's service limits per vault per 10 s: key creations 20 (software) or 10
//! (HSM); cryptographic operations with a key by its type, software RSA-2048 and EC 4,000,
//! RSA-3072 1,000, RSA-4096 500, and HSM RSA-2048 and EC 2,000, RSA-3072 500, RSA-4096 250;
//! 300 secret writes; 4,000 other transactions. Each kind of key counts in its own window, as
//! the service counts them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::http::Method;
use vaultmort_core::Vaultmort;

/// The window Key Vault counts in.
pub const WINDOW: Duration = Duration::from_secs(10);

/// The kind of key a limit is for: where it lives and, for RSA, its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeyTier {
    /// An HSM-protected key.
    pub hsm: bool,
    /// The RSA modulus size; `None` for EC keys (every curve has the RSA-2048 limits).
    pub rsa_bits: Option<u32>,
}

impl KeyTier {
    /// The tier of a key of type `kty` and shape `spec`.
    pub fn of(kty: vaultmort_crypto::KeyType, spec: vaultmort_crypto::KeySpec) -> Self {
        let rsa_bits = match spec {
            vaultmort_crypto::KeySpec::Rsa { bits } => Some(bits),
            vaultmort_crypto::KeySpec::Ec { .. } => None,
        };
        Self { hsm: kty.is_hsm(), rsa_bits }
    }
}

/// Which limit a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Creating, importing or rotating a key (HSM or software).
    KeyCreate {
        /// An HSM-protected key.
        hsm: bool,
    },
    /// A cryptographic operation (sign, verify, encrypt, decrypt, wrap, unwrap) with a key of
    /// this tier.
    KeyOperation(KeyTier),
    /// Setting a secret.
    SecretWrite,
    /// Everything else.
    Other,
}

/// What the throttle needs to know about the request's key, when it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyFacts {
    /// The tier of the key the request creates or uses, when known.
    pub tier: Option<KeyTier>,
}

impl Class {
    /// The class of a request, given what is known about its key (the body's `kty` for a
    /// creation, the stored key for an operation). Without key facts, software limits apply.
    pub fn of(method: &Method, segments: &[&str], key: KeyFacts) -> Self {
        let hsm = key.tier.is_some_and(|t| t.hsm);
        match (method, segments) {
            (&Method::POST, ["keys", _, "create" | "rotate"]) | (&Method::PUT, ["keys", _]) => Class::KeyCreate { hsm },
            (&Method::POST, ["keys", _, op] | ["keys", _, _, op]) if is_crypto_operation(op) => {
                Class::KeyOperation(key.tier.unwrap_or_default())
            }
            (&Method::PUT, ["secrets", _]) => Class::SecretWrite,
            _ => Class::Other,
        }
    }

    /// Transactions allowed per vault per window.
    pub fn limit(self) -> u32 {
        match self {
            Class::KeyCreate { hsm: false } => 20,
            Class::KeyCreate { hsm: true } => 10,
            Class::KeyOperation(KeyTier { hsm, rsa_bits }) => match (hsm, rsa_bits) {
                (false, Some(4096)) => 500,
                (false, Some(3072)) => 1000,
                (false, _) => 4000,
                (true, Some(4096)) => 250,
                (true, Some(3072)) => 500,
                (true, _) => 2000,
            },
            Class::SecretWrite => 300,
            Class::Other => 4000,
        }
    }
}

/// Whether a `keys/...` path's last segment is one of the six cryptographic operations.
pub fn is_crypto_operation(segment: &str) -> bool {
    ["sign", "verify", "encrypt", "decrypt", "wrapkey", "unwrapkey"].iter().any(|op| segment.eq_ignore_ascii_case(op))
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
        let create = Class::KeyCreate { hsm: false };
        for _ in 0..20 {
            assert!(throttle.admit("v", create, start).is_ok());
        }
        let retry = throttle.admit("v", create, start + Duration::from_secs(3));
        assert_eq!(retry, Err(7), "retry when the 10 s window ends");
        assert!(throttle.admit("v", Class::Other, start).is_ok(), "other transactions count separately");
        assert!(throttle.admit("v", create, start + WINDOW).is_ok(), "a new window");
        assert!(throttle.admit("w", create, start).is_ok(), "vaults without throttling are never refused");
        throttle.set("v", false);
        for _ in 0..50 {
            assert!(throttle.admit("v", create, start + WINDOW).is_ok(), "switched off");
        }
    }

    /// Admits as many `class` requests as allowed in one window; returns how many passed.
    fn admitted_in_one_window(class: Class) -> u32 {
        let throttle = Throttle::new(["v".to_string()]);
        let start = Instant::now();
        let mut passed = 0;
        while throttle.admit("v", class, start).is_ok() {
            passed += 1;
            assert!(passed <= 5000, "{class:?}: the limit is never above 4,000");
        }
        passed
    }

    #[test]
    fn each_kind_of_key_has_key_vaults_limit_and_its_own_window() {
        let tier = |hsm, rsa_bits| Class::KeyOperation(KeyTier { hsm, rsa_bits });
        let expected = [
            (Class::KeyCreate { hsm: false }, 20),
            (Class::KeyCreate { hsm: true }, 10),
            (tier(false, Some(2048)), 4000),
            (tier(false, None), 4000),
            (tier(false, Some(3072)), 1000),
            (tier(false, Some(4096)), 500),
            (tier(true, Some(2048)), 2000),
            (tier(true, None), 2000),
            (tier(true, Some(3072)), 500),
            (tier(true, Some(4096)), 250),
        ];
        for (class, limit) in expected {
            assert_eq!(admitted_in_one_window(class), limit, "{class:?} allows {limit} per 10 s");
        }
        let throttle = Throttle::new(["v".to_string()]);
        let start = Instant::now();
        for _ in 0..250 {
            assert!(throttle.admit("v", tier(true, Some(4096)), start).is_ok());
        }
        assert!(throttle.admit("v", tier(true, Some(4096)), start).is_err(), "HSM RSA-4096 is spent");
        assert!(throttle.admit("v", tier(true, Some(2048)), start).is_ok(), "HSM RSA-2048 keys count on their own");
        assert!(throttle.admit("v", tier(false, Some(4096)), start).is_ok(), "and so do software RSA-4096 keys");
    }

    #[test]
    fn requests_are_classed_by_route_and_key() {
        let hsm_4096 = KeyFacts { tier: Some(KeyTier { hsm: true, rsa_bits: Some(4096) }) };
        let none = KeyFacts::default();
        assert_eq!(Class::of(&Method::POST, &["keys", "k", "create"], hsm_4096), Class::KeyCreate { hsm: true });
        assert_eq!(Class::of(&Method::PUT, &["keys", "k"], none), Class::KeyCreate { hsm: false });
        assert_eq!(
            Class::of(&Method::POST, &["keys", "k", "v1", "sign"], hsm_4096),
            Class::KeyOperation(hsm_4096.tier.unwrap_or_default())
        );
        assert_eq!(Class::of(&Method::POST, &["keys", "k", "", "unwrapKey"], none), Class::KeyOperation(KeyTier::default()));
        assert_eq!(Class::of(&Method::GET, &["keys", "k"], hsm_4096), Class::Other, "reading a key is an other transaction");
        assert_eq!(Class::of(&Method::PUT, &["secrets", "s"], none), Class::SecretWrite);
    }
}
