//! Opens a Vaultmort home: the folder that holds one installation's SQLite store.
//!
//! This is where the doors (CLI, desktop app, REST server) get a ready [`Vaultmort`] core from:
//! it finds the folder ([`default_home`]), opens the store, obtains the master key and unlocks
//! the core. The master key comes from the OS keyring (Secret Service) when one answers; otherwise
//! from a passphrase, stretched with Argon2id. Which source a store uses is fixed when the store
//! is created and recorded in it, so a later run never silently switches.
//!
//! A throwaway home ([`open_ephemeral`], for `vaultmort serve --ephemeral`) is a fresh private
//! folder under the system's temporary directory whose master key is random and held only in
//! the memory of the process that made it: it is never written anywhere, so no other process
//! can open that store (a later [`open`] of it is refused with [`HomeError::Ephemeral`]), and
//! the folder is removed when the [`EphemeralHome`] is dropped or closed.
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
    /// A random key held only in the memory of the process that made the store
    /// ([`open_ephemeral`]); no other process can open it.
    Ephemeral,
}

impl KeySource {
    fn as_str(self) -> &'static str {
        match self {
            KeySource::Keyring => "keyring",
            KeySource::Passphrase => "passphrase",
            KeySource::Ephemeral => "ephemeral",
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
    /// The store belongs to a throwaway home whose key lives only in the process that made it.
    #[error(
        "the Vaultmort home '{0}' is a throwaway home of `vaultmort serve --ephemeral`: its master key exists only in that server's memory, so no other command can open it (talk to that server over its REST API instead)"
    )]
    Ephemeral(PathBuf),
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
            HomeError::Ephemeral(_) => "EphemeralHome",
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
            Some(b"ephemeral") => return Err(HomeError::Ephemeral(path)),
            _ => return Err(damaged(&db, "it does not record where its master key comes from")),
        };
        let store_id = String::from_utf8(store_id.unwrap_or_default()).map_err(|_| damaged(&db, "its id is not text"))?;
        let master = match source {
            KeySource::Keyring => keyring::load(&store_id).await?,
            KeySource::Ephemeral => return Err(HomeError::Ephemeral(path)),
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

    unlock(storage, master, clock, path, source).await
}

/// Opens the core over `storage` with `master` and gives it its practice HSM folder.
async fn unlock(
    storage: Arc<dyn vaultmort_core::Storage>,
    master: MasterKey,
    clock: Arc<Clock>,
    path: PathBuf,
    source: KeySource,
) -> Result<Home, HomeError> {
    let db = path.join(STORE_FILE);
    let core = match Vaultmort::open(storage, &master, clock).await {
        Ok(core) => core,
        Err(CoreError::MasterKeyMismatch) => {
            return Err(match source {
                KeySource::Passphrase => HomeError::WrongPassphrase,
                KeySource::Keyring => HomeError::WrongKeyringKey,
                KeySource::Ephemeral => damaged(&db, "a fresh throwaway store refused the key it was made with"),
            });
        }
        Err(CoreError::Integrity(reason)) => return Err(damaged(&db, reason)),
        Err(CoreError::Storage(e)) => return Err(damaged(&db, e)),
        Err(other) => return Err(other.into()),
    };
    let core = core.with_practice_hsm_dir(path.join(HSM_DIR));
    Ok(Home { core: Arc::new(core), path, key_source: source })
}

/// The prefix of a throwaway home's folder name under the system's temporary directory.
pub const EPHEMERAL_PREFIX: &str = "vaultmort-ephemeral-";

/// A throwaway home: its folder is removed when this is dropped or [closed](EphemeralHome::close).
#[derive(Debug)]
pub struct EphemeralHome {
    /// The opened home (its `path` is the temporary folder).
    pub home: Home,
    folder: tempfile::TempDir,
}

impl EphemeralHome {
    /// Removes the folder and everything in it now, reporting a failure (dropping removes it too,
    /// silently).
    pub fn close(self) -> Result<(), HomeError> {
        let EphemeralHome { home, folder } = self;
        let path = home.path.clone();
        drop(home);
        folder.close().map_err(|e| HomeError::Folder { path, reason: format!("the throwaway home could not be removed: {e}") })
    }
}

/// Makes a throwaway home: a new folder (mode 0700, named `vaultmort-ephemeral-*`) under the
/// system's temporary directory (`$TMPDIR`), a new store in it, and a random master key that is
/// kept only in this process's memory. No keyring, no passphrase and no Argon2: the key never
/// leaves the process, so there is nothing to stretch. A failure removes the folder.
pub async fn open_ephemeral() -> Result<EphemeralHome, HomeError> {
    let temp = std::env::temp_dir();
    // A random name that cannot be planted, created (not reused) with mode 0700 from the start.
    let mut builder = tempfile::Builder::new();
    builder.prefix(EPHEMERAL_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let folder = builder
        .tempdir_in(&temp)
        .map_err(|e| HomeError::Folder { path: temp.clone(), reason: format!("cannot make a throwaway home in it: {e}") })?;
    let path = folder.path().to_path_buf();
    let db = path.join(STORE_FILE);
    let store = SqliteStore::open(&db).await.map_err(|e| damaged(&db, e))?;
    let storage: Arc<dyn vaultmort_core::Storage> = Arc::new(store);
    let master = MasterKey::generate()?;
    {
        let mut tx = storage.begin().await.map_err(|e| damaged(&db, e))?;
        tx.meta_put(SOURCE_KEY, KeySource::Ephemeral.as_str().as_bytes()).await.map_err(|e| damaged(&db, e))?;
        tx.meta_put(STORE_ID_KEY, uuid_like()?.as_bytes()).await.map_err(|e| damaged(&db, e))?;
        tx.commit().await.map_err(|e| damaged(&db, e))?;
    }
    let home = unlock(storage, master, Arc::new(Clock::system()), path, KeySource::Ephemeral).await?;
    Ok(EphemeralHome { home, folder })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_throwaway_home_is_private_refused_elsewhere_and_removed_on_close() {
        let ephemeral = open_ephemeral().await.expect("a throwaway home opens without keyring or passphrase");
        let path = ephemeral.home.path.clone();
        assert_eq!(ephemeral.home.key_source, KeySource::Ephemeral, "the home says where its key comes from");
        assert!(
            path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(EPHEMERAL_PREFIX)),
            "the folder is named with the prefix people can look for: {}",
            path.display()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("stat the folder").permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "only the owner may enter a throwaway home");
        }
        let again = open(HomeOptions { home: Some(path.clone()), ..HomeOptions::default() }).await;
        match again {
            Err(HomeError::Ephemeral(refused)) => assert_eq!(refused, path, "the refusal names the home"),
            other => panic!("a second opener must be refused clearly, not {other:?}"),
        }
        ephemeral.close().expect("the folder is removed");
        assert!(!path.exists(), "the throwaway home is gone after close: {}", path.display());
    }
}
