//! The storage barrier: envelope encryption between the core and untrusted storage.
//!
//! A 256-bit master key (from the OS keyring or a passphrase; see the `vaultmort-home` crate)
//! wraps data keys with AES-256-GCM; data keys seal secret values and private key handles with
//! AES-256-GCM. Each sealed value is bound by associated data to where it belongs (vault, kind,
//! name, version), so copying a ciphertext into another row makes it unreadable rather than
//! readable under a different name.
//!
//! A check value sealed under the master key tells a wrong master key (wrong passphrase, another
//! installation's keyring entry) apart from a damaged store, whose check value no longer matches
//! its recorded hash.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use vaultmort_crypto::aead::{self, KEY_LEN, SealingKey};
use zeroize::Zeroizing;

use crate::storage::Transaction;
use crate::{Error, Result};

const CHECK_KEY: &str = "barrier.check";
const CHECK_HASH_KEY: &str = "barrier.check.sha256";
const CHECK_AAD: &[u8] = b"vaultmort/barrier-check/v1";
const CHECK_PLAINTEXT: &[u8] = b"vaultmort master key check";
const DATA_KEY_AAD: &[u8] = b"vaultmort/data-key/v1";
const SEALED_FORMAT: u8 = 1;

/// The 256-bit key that wraps every data key. Zeroed when dropped; never printed.
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl MasterKey {
    /// Wraps 32 key bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(Zeroizing::new(bytes))
    }
    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        Ok(Self(aead::random_key()?))
    }
    /// The key bytes, for the keyring.
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

/// Where a sealed value belongs; its text is the associated data of the seal.
pub struct SealContext(String);

impl SealContext {
    /// A key handle or secret value of one object version.
    pub fn version(vault_id: &str, kind: crate::ObjectKind, name: &str, version: &str) -> Self {
        Self(format!("v1/{vault_id}/{kind}/{}/{version}", name.to_ascii_lowercase()))
    }
    /// An installation-wide value (backup key, CA key, ...).
    pub fn installation(purpose: &str) -> Self {
        Self(format!("v1/installation/{purpose}"))
    }
}

/// The unlocked barrier of one store.
pub struct Barrier {
    master: SealingKey,
    data_keys: Mutex<HashMap<i64, Arc<SealingKey>>>,
}

impl std::fmt::Debug for Barrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Barrier(..)")
    }
}

/// Whether a store has been set up with a master key yet.
pub async fn is_initialized(tx: &mut dyn Transaction) -> Result<bool> {
    Ok(tx.meta_get(CHECK_KEY).await?.is_some())
}

impl Barrier {
    /// Opens the barrier with `master`, setting the store up on first use. Refuses a key that does
    /// not match the store with [`Error::MasterKeyMismatch`], and a damaged check value with
    /// [`Error::Integrity`].
    pub async fn unlock(tx: &mut dyn Transaction, master: &MasterKey, now: DateTime<Utc>) -> Result<Self> {
        let barrier = Self { master: SealingKey::new(master.expose())?, data_keys: Mutex::new(HashMap::new()) };
        match tx.meta_get(CHECK_KEY).await? {
            None => {
                let check = barrier.master.seal(CHECK_AAD, CHECK_PLAINTEXT)?;
                tx.meta_put(CHECK_KEY, &check).await?;
                tx.meta_put(CHECK_HASH_KEY, &aead::sha256(&check)).await?;
                barrier.new_data_key(tx, now).await?;
            }
            Some(check) => {
                let recorded = tx.meta_get(CHECK_HASH_KEY).await?;
                if recorded.as_deref() != Some(&aead::sha256(&check)[..]) {
                    return Err(Error::Integrity("the master key check value is damaged; the store file may be corrupt".into()));
                }
                match barrier.master.open(CHECK_AAD, &check) {
                    Ok(plain) if plain.as_slice() == CHECK_PLAINTEXT => {}
                    _ => return Err(Error::MasterKeyMismatch),
                }
            }
        }
        Ok(barrier)
    }

    async fn new_data_key(&self, tx: &mut dyn Transaction, now: DateTime<Utc>) -> Result<i64> {
        let key = aead::random_key()?;
        let wrapped = self.master.seal(DATA_KEY_AAD, key.as_ref())?;
        let id = tx.data_key_insert(&wrapped, now).await?;
        self.cache().insert(id, Arc::new(SealingKey::new(&key)?));
        Ok(id)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<SealingKey>>> {
        // A poisoned lock only means another thread panicked while inserting; the map is still valid.
        self.data_keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn data_key(&self, tx: &mut dyn Transaction, id: i64) -> Result<Arc<SealingKey>> {
        if let Some(key) = self.cache().get(&id) {
            return Ok(key.clone());
        }
        let wrapped = tx.data_key_get(id).await?.ok_or_else(|| Error::Integrity(format!("data key {id} is missing")))?;
        let plain = self.master.open(DATA_KEY_AAD, &wrapped).map_err(|_| Error::Integrity(format!("data key {id} does not open")))?;
        let bytes: [u8; KEY_LEN] =
            plain.as_slice().try_into().map_err(|_| Error::Integrity(format!("data key {id} has the wrong length")))?;
        let key = Arc::new(SealingKey::new(&bytes)?);
        self.cache().insert(id, key.clone());
        Ok(key)
    }

    /// Seals `plaintext` for the place `context` names.
    pub async fn seal(&self, tx: &mut dyn Transaction, context: &SealContext, plaintext: &[u8]) -> Result<Vec<u8>> {
        let id = match tx.data_key_latest().await? {
            Some(id) => id,
            None => return Err(Error::Integrity("the store has no data key".into())),
        };
        let key = self.data_key(tx, id).await?;
        let sealed = key.seal(context.0.as_bytes(), plaintext)?;
        let mut out = Vec::with_capacity(9 + sealed.len());
        out.push(SEALED_FORMAT);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Barrier::seal`] made for the same `context`.
    pub async fn open(&self, tx: &mut dyn Transaction, context: &SealContext, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if sealed.len() < 9 || sealed[0] != SEALED_FORMAT {
            return Err(Error::Integrity("a sealed value has an unknown format".into()));
        }
        let mut id_bytes = [0u8; 8];
        id_bytes.copy_from_slice(&sealed[1..9]);
        let key = self.data_key(tx, i64::from_be_bytes(id_bytes)).await?;
        key.open(context.0.as_bytes(), &sealed[9..]).map_err(|_| Error::Integrity("a sealed value failed authentication".into()))
    }

    /// Seals with the master key directly, for installation-wide keys kept in metadata.
    pub fn seal_with_master(&self, context: &SealContext, plaintext: &[u8]) -> Result<Vec<u8>> {
        Ok(self.master.seal(context.0.as_bytes(), plaintext)?)
    }

    /// Opens what [`Barrier::seal_with_master`] made.
    pub fn open_with_master(&self, context: &SealContext, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.master.open(context.0.as_bytes(), sealed).map_err(|_| Error::Integrity("an installation key failed authentication".into()))
    }
}
