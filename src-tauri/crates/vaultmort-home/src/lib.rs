//! Opens a Vaultmort home: the folder that holds one installation's SQLite store.
//!
//! This is where the doors (CLI, desktop app, REST server) get a ready [`Vaultmort`] core from:
//! it finds the folder ([`default_home`]), opens the store, obtains the master key and unlocks
//! the core. The master key comes from the OS keyring (Secret Service) when one answers; otherwise
//! from a passphrase, stretched with Argon2id. Which source a store uses is fixed when the store
//! is created and recorded in it, so a later run never silently switches.
//!
//! Left out: anything about presentation; prompting is a callback the door supplies.
#![forbid(unsafe_code)]

pub mod files;
mod keyring;
mod passphrase;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vaultmort_core::{Clock, Error as CoreError, MasterKey, Vaultmort};
use vaultmort_store_sqlite::SqliteStore;
use zeroize::Zeroizing;

pub use passphrase::MIN_PASSPHRASE_LEN;

/// File name of the store inside the home folder.
pub const STORE_FILE: &str = "vaultmort.db";
/// Folder inside the home for Vaultmort's practice HSM (SoftHSM2 configuration and tokens).
pub const HSM_DIR: &str = "hsm";
const SOURCE_KEY: &str = "master.source";
const STORE_ID_KEY: &str = "store.id";

/// Where the master key of a store comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The OS keyring (Secret Service on Linux).
    Keyring,
    /// A passphrase, stretched with Argon2id.
    Passphrase,
}

impl KeySource {
    fn as_str(self) -> &'static str {
        match self {
            KeySource::Keyring => "keyring",
            KeySource::Passphrase => "passphrase",
        }
    }
}

/// Which source to use when a new store is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeySourceChoice {
    /// The keyring when it answers, else a passphrase.
    #[default]
    Auto,
    /// Only the keyring.
    Keyring,
    /// Only a passphrase.
    Passphrase,
}

impl std::str::FromStr for KeySourceChoice {
    type Err = HomeError;
    fn from_str(s: &str) -> Result<Self, HomeError> {
        match s.to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "keyring" => Ok(Self::Keyring),
            "passphrase" => Ok(Self::Passphrase),
            other => Err(HomeError::BadSetting(format!("VAULTMORT_KEY_SOURCE '{other}' is not auto, keyring or passphrase"))),
        }
    }
}

/// Why the door is asking for a passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassphrasePrompt {
    /// A new store: the door should ask twice and compare.
    Create,
    /// An existing store.
    Unlock,
}

/// Asks the person for a passphrase.
pub type Prompt = Box<dyn Fn(PassphrasePrompt) -> Option<Zeroizing<String>> + Send + Sync>;

/// How to open a home.
#[derive(Default)]
pub struct HomeOptions {
    /// The folder; [`default_home`] when `None`.
    pub home: Option<PathBuf>,
    /// The key source for a new store.
    pub key_source: KeySourceChoice,
    /// A passphrase given up front (`VAULTMORT_PASSPHRASE`).
    pub passphrase: Option<Zeroizing<String>>,
    /// How to ask for a passphrase when none was given; no prompt means "fail with a message".
    pub prompt: Option<Prompt>,
}

impl HomeOptions {
    /// Options from the environment: `VAULTMORT_HOME`, `VAULTMORT_KEY_SOURCE`, `VAULTMORT_PASSPHRASE`.
    pub fn from_env() -> Result<Self, HomeError> {
        Ok(Self {
            home: std::env::var_os("VAULTMORT_HOME").filter(|v| !v.is_empty()).map(PathBuf::from),
            key_source: std::env::var("VAULTMORT_KEY_SOURCE").unwrap_or_default().parse()?,
            passphrase: std::env::var("VAULTMORT_PASSPHRASE").ok().map(Zeroizing::new),
            prompt: None,
        })
    }
}

/// An opened home.
#[derive(Debug)]
pub struct Home {
    /// The unlocked core.
    pub core: Arc<Vaultmort>,
    /// The home folder.
    pub path: PathBuf,
    /// Where the master key came from.
    pub key_source: KeySource,
}

/// What can stop a home from opening.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HomeError {
    /// A setting is invalid.
    #[error("{0}")]
    BadSetting(String),
    /// The home folder cannot be used.
    #[error("the Vaultmort home '{path}' cannot be used: {reason}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The store uses the keyring and the keyring does not answer or lacks the key.
    #[error("{0}")]
    Keyring(String),
    /// A passphrase is needed and none was given.
    #[error("this Vaultmort store is protected by a passphrase: set VAULTMORT_PASSPHRASE or run in a terminal to be asked for it")]
    PassphraseRequired,
    /// A new passphrase is too weak or the two entries differ.
    #[error("{0}")]
    WeakPassphrase(String),
    /// The passphrase does not open the store.
    #[error("the passphrase is wrong: it does not open this Vaultmort store (nothing was changed)")]
    WrongPassphrase,
    /// The keyring's key does not open the store.
    #[error("the master key in the OS keyring does not open this store (it may belong to another installation)")]
    WrongKeyringKey,
    /// The store is damaged.
    #[error("the Vaultmort store at '{path}' is damaged: {reason}")]
    Damaged {
        /// The store file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Any other core error.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl HomeError {
    /// The error code shown with the message.
    pub fn code(&self) -> &'static str {
        match self {
            HomeError::BadSetting(_) => "BadParameter",
            HomeError::Folder { .. } => "HomeUnavailable",
            HomeError::Keyring(_) => "KeyringUnavailable",
            HomeError::PassphraseRequired => "PassphraseRequired",
            HomeError::WeakPassphrase(_) => "BadParameter",
            HomeError::WrongPassphrase => "WrongPassphrase",
            HomeError::WrongKeyringKey => "MasterKeyMismatch",
            HomeError::Damaged { .. } => "StoreDamaged",
            HomeError::Core(e) => e.code(),
        }
    }
}

/// The home folder: `VAULTMORT_HOME`, else the OS data directory (`$XDG_DATA_HOME/vaultmort`,
/// normally `~/.local/share/vaultmort` on Linux).
pub fn default_home() -> Result<PathBuf, HomeError> {
    if let Some(home) = std::env::var_os("VAULTMORT_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(data).join("vaultmort"));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local").join("share").join("vaultmort")),
        None => Err(HomeError::BadSetting("neither VAULTMORT_HOME, XDG_DATA_HOME nor HOME is set".into())),
    }
}

fn damaged(path: &Path, reason: impl std::fmt::Display) -> HomeError {
    HomeError::Damaged { path: path.to_path_buf(), reason: reason.to_string() }
}

/// Opens (or creates) the home described by `options`.
pub async fn open(options: HomeOptions) -> Result<Home, HomeError> {
    let path = match &options.home {
        Some(path) => path.clone(),
        None => default_home()?,
    };
    create_private_dir(&path)?;
    let db = path.join(STORE_FILE);
    let store = SqliteStore::open(&db).await.map_err(|e| damaged(&db, e))?;
    let storage: Arc<dyn vaultmort_core::Storage> = Arc::new(store);

    // Read sessions, not write transactions: a CLI call opening the home must not hold the write
    // lock that a server beside it needs (issue 11 point 7).
    let (initialized, recorded_source, store_id) = {
        let mut tx = storage.begin_read().await.map_err(|e| damaged(&db, e))?;
        let initialized = vaultmort_core::barrier::is_initialized(tx.as_mut()).await?;
        let source = tx.meta_get(SOURCE_KEY).await.map_err(|e| damaged(&db, e))?;
        let id = tx.meta_get(STORE_ID_KEY).await.map_err(|e| damaged(&db, e))?;
        (initialized, source, id)
    };
    let clock = Arc::new(Clock::system());

    let (master, source) = if initialized {
        let source = match recorded_source.as_deref() {
            Some(b"keyring") => KeySource::Keyring,
            Some(b"passphrase") => KeySource::Passphrase,
            _ => return Err(damaged(&db, "it does not record where its master key comes from")),
        };
        let store_id = String::from_utf8(store_id.unwrap_or_default()).map_err(|_| damaged(&db, "its id is not text"))?;
        let master = match source {
            KeySource::Keyring => keyring::load(&store_id).await?,
            KeySource::Passphrase => {
                let phrase = passphrase_from(&options, PassphrasePrompt::Unlock)?;
                let recorded = {
                    let mut session = storage.begin_read().await.map_err(|e| damaged(&db, e))?;
                    passphrase::recorded_parameters(session.as_mut()).await.map_err(|e| match e {
                        HomeError::Core(CoreError::Storage(err)) => damaged(&db, err),
                        other => other,
                    })?
                };
                // Argon2id takes a while by design: with no store session open.
                passphrase::derive_existing(&phrase, &recorded)?
            }
        };
        (master, source)
    } else {
        let store_id = uuid_like()?;
        let (master, source) = match options.key_source {
            KeySourceChoice::Passphrase => (None, KeySource::Passphrase),
            KeySourceChoice::Keyring => (Some(keyring::create(&store_id).await?), KeySource::Keyring),
            KeySourceChoice::Auto => match keyring::create(&store_id).await {
                Ok(key) => (Some(key), KeySource::Keyring),
                Err(_) => (None, KeySource::Passphrase),
            },
        };
        let mut tx = storage.begin().await.map_err(|e| damaged(&db, e))?;
        let master = match master {
            Some(key) => key,
            None => {
                let phrase = passphrase_from(&options, PassphrasePrompt::Create)?;
                passphrase::check_new(&phrase)?;
                passphrase::derive_new(tx.as_mut(), &phrase).await?
            }
        };
        tx.meta_put(SOURCE_KEY, source.as_str().as_bytes()).await.map_err(|e| damaged(&db, e))?;
        tx.meta_put(STORE_ID_KEY, store_id.as_bytes()).await.map_err(|e| damaged(&db, e))?;
        tx.commit().await.map_err(|e| damaged(&db, e))?;
        (master, source)
    };

    let core = match Vaultmort::open(storage, &master, clock).await {
        Ok(core) => core,
        Err(CoreError::MasterKeyMismatch) => {
            return Err(match source {
                KeySource::Passphrase => HomeError::WrongPassphrase,
                KeySource::Keyring => HomeError::WrongKeyringKey,
            });
        }
        Err(CoreError::Integrity(reason)) => return Err(damaged(&db, reason)),
        Err(CoreError::Storage(e)) => return Err(damaged(&db, e)),
        Err(other) => return Err(other.into()),
    };
    let core = core.with_practice_hsm_dir(path.join(HSM_DIR));
    Ok(Home { core: Arc::new(core), path, key_source: source })
}

fn passphrase_from(options: &HomeOptions, why: PassphrasePrompt) -> Result<Zeroizing<String>, HomeError> {
    if let Some(phrase) = &options.passphrase {
        return Ok(phrase.clone());
    }
    match &options.prompt {
        Some(prompt) => prompt(why).ok_or(HomeError::PassphraseRequired),
        None => Err(HomeError::PassphraseRequired),
    }
}

fn uuid_like() -> Result<String, HomeError> {
    let bytes = vaultmort_crypto::aead::random_bytes(16).map_err(CoreError::from)?;
    Ok(hex::encode(bytes))
}

fn create_private_dir(path: &Path) -> Result<(), HomeError> {
    let fail = |e: std::io::Error| HomeError::Folder { path: path.to_path_buf(), reason: e.to_string() };
    std::fs::create_dir_all(path).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    }
    Ok(())
}

/// Builds a master key from keyring or passphrase bytes.
fn master_from(bytes: &[u8]) -> Option<MasterKey> {
    let array: [u8; 32] = bytes.try_into().ok()?;
    Some(MasterKey::from_bytes(array))
}
