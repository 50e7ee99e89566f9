//! The SQLite implementation of Vaultmort's storage seam ([`vaultmort_core::Storage`]).
//!
//! [`SqliteStore::open`] opens (or creates) one database file in WAL mode, restricts it to its
//! owner, and brings its schema up to date with the migrations embedded from `migrations/`.
//! Every [`Storage::begin`] starts a `BEGIN IMMEDIATE` transaction, which takes SQLite's write
//! lock at once: two requests never interleave, and a second writer waits for the first to
//! finish instead of failing half-way through.
//!
//! Waiting for another writer, in this process or another one (a running `vaultmort serve` beside
//! a CLI call), is the store's business, not the caller's: every connection waits in SQLite's
//! busy handler up to [`StoreOptions::lock_wait`] (30 seconds unless told otherwise), and
//! [`Storage::begin`] also retries, with a growing pause, a `BEGIN IMMEDIATE` that SQLite refuses
//! as busy without waiting, until that same bound has passed. Only a lock held past the bound
//! reaches the caller, as [`StoreError::Busy`] naming the bound.
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

/// How long a writer waits for the write lock, and a statement for any lock, before the store
/// gives up with [`StoreError::Busy`], unless [`StoreOptions::lock_wait`] says otherwise.
///
/// Long enough for any real writer under load: the longest holder of the write lock is one
/// request's transaction (a key creation generates its RSA-4096 key inside it, around a second
/// on a busy two-core machine), a group commit of the access log is one `INSERT`, and the WAL
/// checkpoint runs passively on a background task without holding the write lock; a writer
/// that queues behind several of them is through in seconds. Thirty seconds is also as long as
/// a pooled connection is waited for ([`ACQUIRE_TIMEOUT`]) and as long as the REST door waits
/// for a request's headers, so a caller waits no longer here than it would anywhere else.
/// Past it, something holds the lock that will not let go (a stopped process, a debugger),
/// and the caller is told so instead of hanging.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(30);

/// The first pause before [`Storage::begin`] tries again a `BEGIN IMMEDIATE` that SQLite
/// refused as busy without waiting; each further pause doubles, up to [`MAX_BEGIN_PAUSE`].
const FIRST_BEGIN_PAUSE: Duration = Duration::from_millis(2);

/// The longest pause between two tries of `BEGIN IMMEDIATE`: short, so that a writer that
/// waits does not lose the lock to every newcomer.
const MAX_BEGIN_PAUSE: Duration = Duration::from_millis(50);

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

/// How a store waits for others; [`StoreOptions::default`] is right outside tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreOptions {
    /// How long a writer waits for the write lock (and a statement for any lock) held by another
    /// connection before [`StoreError::Busy`]; [`DEFAULT_LOCK_WAIT`] unless a test wants a
    /// shorter bound. SQLite counts it in whole milliseconds, up to `i32::MAX` of them.
    pub lock_wait: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { lock_wait: DEFAULT_LOCK_WAIT }
    }
}

impl StoreOptions {
    /// The same options with another lock wait.
    pub fn lock_wait(self, lock_wait: Duration) -> Self {
        Self { lock_wait, ..self }
    }
}

/// A Vaultmort store in one SQLite database file.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
    lock_wait: Duration,
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
    /// Connections use WAL journaling, `synchronous=NORMAL`, enforced foreign keys and wait
    /// [`DEFAULT_LOCK_WAIT`] for another writer's lock; a background task checkpoints the WAL.
    /// On unix the file is restricted to mode 0600. Must be called within a Tokio runtime.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, StoreOptions::default()).await
    }

    /// [`SqliteStore::open`] with other options (a shorter lock wait, for tests).
    pub async fn open_with(path: &Path, options: StoreOptions) -> Result<SqliteStore, StoreError> {
        let StoreOptions { lock_wait } = options;
        // SQLite takes the busy timeout as an i32 of milliseconds (sqlx panics beyond it).
        let lock_wait = lock_wait.min(Duration::from_millis(i32::MAX.unsigned_abs().into()));
        prepare_file(path)?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(lock_wait)
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
        Ok(SqliteStore { pool, path: path.to_path_buf(), lock_wait, stamp: change_stamp::path_for(path), checkpointer })
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
        let tx = retry_while_busy(self.lock_wait, error::is_busy, || self.pool.begin_with("BEGIN IMMEDIATE"))
            .await
            .map_err(|e| error::begin(e, self.lock_wait))?;
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

/// Runs `attempt` until it succeeds, fails otherwise than `busy`, or `lock_wait` has passed
/// since the first try, pausing between tries ([`FIRST_BEGIN_PAUSE`], doubling up to
/// [`MAX_BEGIN_PAUSE`], never past the bound). SQLite's busy handler already waits inside a
/// `BEGIN IMMEDIATE` for a lock another connection holds, but SQLite does not promise to call
/// it: where waiting could deadlock, or where the connection's view of the WAL went stale
/// (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_BUSY_RECOVERY`), it answers busy at once. This makes those
/// answers wait the same bound instead of reaching a person.
async fn retry_while_busy<T, E, F, Fut>(lock_wait: Duration, busy: impl Fn(&E) -> bool, mut attempt: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let deadline = tokio::time::Instant::now() + lock_wait;
    let mut pause = FIRST_BEGIN_PAUSE;
    loop {
        match attempt().await {
            Err(error) if busy(&error) => {
                let now = tokio::time::Instant::now();
                if now >= deadline {
                    return Err(error);
                }
                tokio::time::sleep(pause.min(deadline - now)).await;
                pause = (pause * 2).min(MAX_BEGIN_PAUSE);
            }
            outcome => return outcome,
        }
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

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// An answer of the fake `BEGIN IMMEDIATE` below.
    #[derive(Debug, PartialEq)]
    enum Answer {
        Busy,
        Broken,
    }

    fn busy(answer: &Answer) -> bool {
        *answer == Answer::Busy
    }

    // Issue 11 point 7: a busy answer given without waiting is tried again, not shown.
    #[tokio::test]
    async fn a_busy_answer_is_tried_again_until_it_clears() {
        let tries = Cell::new(0);
        let outcome = retry_while_busy(Duration::from_secs(10), busy, || {
            tries.set(tries.get() + 1);
            let answer = if tries.get() < 4 { Err(Answer::Busy) } else { Ok("began") };
            async move { answer }
        })
        .await;
        assert_eq!(outcome, Ok("began"), "three busy answers within the bound are waited out");
        assert_eq!(tries.get(), 4, "each busy answer leads to exactly one more try");
    }

    #[tokio::test]
    async fn a_busy_answer_past_the_bound_is_returned_and_other_failures_at_once() {
        let tries = Cell::new(0);
        let outcome: Result<(), Answer> = retry_while_busy(Duration::from_millis(100), busy, || {
            tries.set(tries.get() + 1);
            async { Err(Answer::Busy) }
        })
        .await;
        assert_eq!(outcome, Err(Answer::Busy), "a lock that stays held past the bound ends as busy");
        assert!(tries.get() > 1, "it was tried again within the bound before giving up");

        let tries = Cell::new(0);
        let outcome: Result<(), Answer> = retry_while_busy(Duration::from_secs(10), busy, || {
            tries.set(tries.get() + 1);
            async { Err(Answer::Broken) }
        })
        .await;
        assert_eq!((outcome, tries.get()), (Err(Answer::Broken), 1), "a failure other than busy is not retried");
    }
}
