//! The SQLite implementation of Vaultmort's storage seam ([`vaultmort_core::Storage`]).
//!
//! [`SqliteStore::open`] opens (or creates) one database file in WAL mode, restricts it to its
//! owner, and brings its schema up to date with the migrations embedded from `migrations/`.
//! Every [`Storage::begin`] starts a `BEGIN IMMEDIATE` transaction, which takes SQLite's write
//! lock at once: two requests never interleave, and a second writer waits (up to the busy
//! timeout) for the first to finish instead of failing half-way through.
//!
//! Settings that processes sharing the database keep in memory are kept in step through a small
//! stamp file beside it (see [`change_stamp`]).
//!
//! Checkpoints (copying the WAL into the database file) run on a background task every 100 ms
//! rather than inside whichever request's commit fills the WAL.
//!
//! Names are case-insensitive, as in Key Vault (`COLLATE NOCASE` on every name column), and times
//! are kept as unix seconds.
#![forbid(unsafe_code)]

mod change_stamp;
mod error;
mod transaction;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use vaultmort_core::storage::{ChangeStamp, Transaction};
use vaultmort_core::{Storage, StoreError};

use crate::transaction::SqliteTransaction;

/// The schema, embedded at compile time.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a connection waits for another writer's lock before giving up with
/// [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a request waits for a free pooled connection before giving up with
/// [`StoreError::Busy`].
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Pooled connections. Every transaction writes, so only one is active at a time; the others
/// wait for the write lock in SQLite's busy handler.
const MAX_CONNECTIONS: u32 = 4;

/// How often the background checkpointer copies committed pages from the WAL into the database
/// file (a passive checkpoint, which waits for no reader or writer).
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);

/// WAL pages after which a committing connection checkpoints by itself (SQLite's default is
/// 1,000). The background checkpointer normally keeps the WAL far below this; it is the backstop
/// for when that task falls behind.
const WAL_AUTOCHECKPOINT_PAGES: &str = "8000";

/// Owner-only permissions for the directory created to hold the database.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;

/// Owner-only permissions for the database file and its WAL companions.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// A Vaultmort store in one SQLite database file.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
    /// The shared-change stamp file beside the database (see [`change_stamp`]).
    stamp: PathBuf,
    checkpointer: tokio::task::JoinHandle<()>,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // The task holds a handle on the pool; it must not keep the connections open.
        self.checkpointer.abort();
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating it (and its parent directory, owner-only) when
    /// missing, and applies any migrations it lacks.
    ///
    /// Connections use WAL journaling, `synchronous=NORMAL`, enforced foreign keys and a busy
    /// timeout of five seconds; a background task checkpoints the WAL. On unix the file is
    /// restricted to mode 0600. Must be called within a Tokio runtime.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        prepare_file(path)?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(error::database("opening the database"))?;
        MIGRATOR.run(&pool).await.map_err(error::migration)?;
        // SQLite gives the WAL and shared-memory files the database file's permissions; make
        // sure of it, since they hold recent writes.
        for suffix in ["-wal", "-shm"] {
            let mut companion = path.as_os_str().to_owned();
            companion.push(suffix);
            let companion = PathBuf::from(companion);
            if companion.exists() {
                restrict_file(&companion)?;
            }
        }
        let checkpointer = tokio::spawn(checkpoint_regularly(pool.clone()));
        Ok(SqliteStore { pool, path: path.to_path_buf(), stamp: change_stamp::path_for(path), checkpointer })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection, waiting for transactions in progress to end. Later calls to
    /// [`Storage::begin`] fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait::async_trait]
impl Storage for SqliteStore {
    async fn begin(&self) -> Result<Box<dyn Transaction>, StoreError> {
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(error::database("starting a transaction"))?;
        Ok(Box::new(SqliteTransaction::new(tx)))
    }

    async fn begin_read(&self) -> Result<Box<dyn Transaction>, StoreError> {
        let connection = self.pool.acquire().await.map_err(error::database("opening a read session"))?;
        Ok(Box::new(SqliteTransaction::session(connection)))
    }

    fn shared_change_stamp(&self) -> Result<ChangeStamp, StoreError> {
        change_stamp::read(&self.stamp)
    }

    fn announce_shared_change(&self) -> Result<(), StoreError> {
        change_stamp::announce(&self.stamp)
    }
}

/// Copies the WAL into the database file every [`CHECKPOINT_INTERVAL`], off the requests' path.
/// Left to SQLite, the connection whose commit crosses the WAL's size limit checkpoints (and
/// syncs the file) before its commit returns, and under load every request queued behind it
/// waits that long. A failed checkpoint is tried again at the next tick; the pool's closing ends
/// the task.
async fn checkpoint_regularly(pool: SqlitePool) {
    let mut ticks = tokio::time::interval(CHECKPOINT_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if pool.is_closed() {
            return;
        }
        let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await;
    }
}

/// Creates the parent directory (owner-only) and the database file (mode 0600) when missing,
/// and restricts an existing file to mode 0600.
fn prepare_file(path: &Path) -> Result<(), StoreError> {
    let missing_parent = path.parent().filter(|parent| !parent.as_os_str().is_empty() && !parent.exists());
    if let Some(parent) = missing_parent {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
            builder.mode(DIR_MODE);
            builder.create(parent).map_err(error::io("creating the directory", parent))?;
            // The mode given to mkdir is narrowed by the umask; set it exactly.
            fs::set_permissions(parent, fs::Permissions::from_mode(DIR_MODE)).map_err(error::io("restricting the directory", parent))?;
        }
        #[cfg(not(unix))]
        builder.create(parent).map_err(error::io("creating the directory", parent))?;
    }
    let mut options = fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path).map_err(error::io("creating the database file", path))?;
    restrict_file(path)
}

/// Sets a file's permissions to owner read and write only (unix; elsewhere a no-op).
fn restrict_file(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(FILE_MODE)).map_err(error::io("restricting the permissions of", path))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
