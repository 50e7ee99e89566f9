//! The master key in the OS keyring (Secret Service over D-Bus).
//!
//! The entry is service `vaultmort`, user `master-key:<store id>`, so several stores (and test
//! runs) never share or overwrite each other's key. Keyring calls block, so they run on a
//! blocking thread.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use vaultmort_core::MasterKey;

use crate::HomeError;

const SERVICE: &str = "vaultmort";

fn entry(store_id: &str) -> Result<Entry, HomeError> {
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new().map_err(|e| {
        HomeError::Keyring(format!(
            "no OS keyring answered (Secret Service over D-Bus): {e}; set VAULTMORT_KEY_SOURCE=passphrase to use a passphrase"
        ))
    })?;
    Entry::new_in_store(&store, SERVICE, &format!("master-key:{store_id}")).map_err(|e| HomeError::Keyring(format!("keyring entry: {e}")))
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, HomeError> + Send + 'static) -> Result<T, HomeError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| HomeError::Keyring(format!("keyring worker failed: {e}")))?
}

/// Makes a new master key and stores it in the keyring, reading it back to be sure it stuck.
pub(crate) async fn create(store_id: &str) -> Result<MasterKey, HomeError> {
    let store_id = store_id.to_string();
    blocking(move || {
        let key = MasterKey::generate()?;
        let entry = entry(&store_id)?;
        entry.set_secret(key.expose()).map_err(|e| HomeError::Keyring(format!("the keyring refused the master key: {e}")))?;
        let back =
            zeroize::Zeroizing::new(entry.get_secret().map_err(|e| HomeError::Keyring(format!("the keyring lost the master key: {e}")))?);
        if back.as_slice() != key.expose() {
            return Err(HomeError::Keyring("the keyring returned a different master key than it was given".into()));
        }
        Ok(key)
    })
    .await
}

/// Reads the store's master key from the keyring.
pub(crate) async fn load(store_id: &str) -> Result<MasterKey, HomeError> {
    let store_id = store_id.to_string();
    blocking(move || {
        let secret = zeroize::Zeroizing::new(entry(&store_id)?.get_secret().map_err(|e| match e {
            keyring_core::Error::NoEntry => HomeError::Keyring(format!(
                "the OS keyring has no master key for this store (master-key:{store_id}); it may have been removed, and the store cannot be opened without it"
            )),
            other => HomeError::Keyring(format!("the OS keyring did not give the master key: {other}")),
        })?);
        crate::master_from(&secret).ok_or_else(|| HomeError::Keyring("the keyring's master key has the wrong length".into()))
    })
    .await
}
