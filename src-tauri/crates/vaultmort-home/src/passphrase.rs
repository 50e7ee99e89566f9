//! The master key from a passphrase, with Argon2id.
//!
//! The salt and cost parameters are kept in the store's metadata (they are not secret), so the
//! parameters can be raised later without breaking existing stores. Whether a passphrase is right
//! is decided by the barrier's check value, not here.

use argon2::{Algorithm, Argon2, Params, Version};
use vaultmort_core::storage::Transaction;
use vaultmort_core::{MasterKey, StoreError};
use zeroize::Zeroizing;

use crate::HomeError;

/// Shortest passphrase accepted for a new store.
pub const MIN_PASSPHRASE_LEN: usize = 8;
const SALT_KEY: &str = "passphrase.salt";
const PARAMS_KEY: &str = "passphrase.argon2id";
/// Memory (KiB), iterations and lanes: OWASP's recommended minimum for Argon2id.
const DEFAULT_PARAMS: (u32, u32, u32) = (19 * 1024, 2, 1);

/// Refuses a new passphrase that is too short.
pub(crate) fn check_new(phrase: &str) -> Result<(), HomeError> {
    if phrase.chars().count() < MIN_PASSPHRASE_LEN {
        return Err(HomeError::WeakPassphrase(format!("the passphrase must have at least {MIN_PASSPHRASE_LEN} characters")));
    }
    Ok(())
}

fn derive(phrase: &str, salt: &[u8], (m, t, p): (u32, u32, u32)) -> Result<MasterKey, HomeError> {
    let params = Params::new(m, t, p, Some(32)).map_err(|e| HomeError::BadSetting(format!("Argon2 parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(phrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| HomeError::BadSetting(format!("Argon2: {e}")))?;
    Ok(MasterKey::from_bytes(*out))
}

/// Derives the key for a new store and records salt and parameters.
pub(crate) async fn derive_new(tx: &mut dyn Transaction, phrase: &str) -> Result<MasterKey, HomeError> {
    let salt = vaultmort_crypto::aead::random_bytes(16).map_err(vaultmort_core::Error::from)?;
    let (m, t, p) = DEFAULT_PARAMS;
    tx.meta_put(SALT_KEY, &salt).await.map_err(vaultmort_core::Error::from)?;
    tx.meta_put(PARAMS_KEY, format!("{m},{t},{p}").as_bytes()).await.map_err(vaultmort_core::Error::from)?;
    derive(phrase, &salt, DEFAULT_PARAMS)
}

/// The salt and Argon2id parameters an existing store recorded.
pub(crate) struct RecordedParameters {
    salt: Vec<u8>,
    params: (u32, u32, u32),
}

/// Reads the salt and parameters an existing store recorded (quick; the derivation is separate
/// so that it runs with no store session open).
pub(crate) async fn recorded_parameters(tx: &mut dyn Transaction) -> Result<RecordedParameters, HomeError> {
    let corrupt = |what: &str| HomeError::Core(vaultmort_core::Error::Storage(StoreError::Corrupt(what.to_string())));
    let salt =
        tx.meta_get(SALT_KEY).await.map_err(vaultmort_core::Error::from)?.ok_or_else(|| corrupt("the passphrase salt is missing"))?;
    let params =
        tx.meta_get(PARAMS_KEY).await.map_err(vaultmort_core::Error::from)?.ok_or_else(|| corrupt("the Argon2 parameters are missing"))?;
    let text = String::from_utf8(params).map_err(|_| corrupt("the Argon2 parameters are not text"))?;
    let numbers: Vec<u32> =
        text.split(',').map(|n| n.parse()).collect::<Result<_, _>>().map_err(|_| corrupt("the Argon2 parameters are malformed"))?;
    let [m, t, p] = numbers[..] else { return Err(corrupt("the Argon2 parameters are malformed")) };
    Ok(RecordedParameters { salt, params: (m, t, p) })
}

/// Derives the key of an existing store from its recorded salt and parameters.
pub(crate) fn derive_existing(phrase: &str, recorded: &RecordedParameters) -> Result<MasterKey, HomeError> {
    derive(phrase, &recorded.salt, recorded.params)
}
