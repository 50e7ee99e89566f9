//! Turns sqlx, migration, JSON and file-system failures into the core's [`StoreError`].
//!
//! Rows may hold sealed material, so no message built here carries row data: database messages
//! come from SQLite itself (which names tables and constraints, not values), and JSON failures
//! are reduced to their category and position.

use std::path::Path;

use sqlx::migrate::MigrateError;
use vaultmort_core::StoreError;

/// SQLite's primary result code for a database file locked by another connection.
const SQLITE_BUSY: i64 = 5;
/// SQLite's primary result code for a table locked within the same connection or shared cache.
const SQLITE_LOCKED: i64 = 6;
/// SQLite's primary result code for a damaged database image.
const SQLITE_CORRUPT: i64 = 11;
/// SQLite's primary result code for a file that is not a database.
const SQLITE_NOTADB: i64 = 26;

/// Whether `error` is SQLite's answer that another connection holds a lock this one needs
/// (`SQLITE_BUSY` or `SQLITE_LOCKED`, with any extended code), which waiting may clear.
pub(crate) fn is_busy(error: &sqlx::Error) -> bool {
    matches!(primary_code(error), Some(SQLITE_BUSY | SQLITE_LOCKED))
}

/// The primary SQLite result code of a database error.
fn primary_code(error: &sqlx::Error) -> Option<i64> {
    match error {
        sqlx::Error::Database(db) => db.code().and_then(|code| code.parse::<i64>().ok()).map(|code| code & 0xff),
        _ => None,
    }
}

/// Maps the failure to start a write transaction after the store waited `lock_wait` for the
/// write lock; a lock still held then is [`StoreError::Busy`] naming the bound.
pub(crate) fn begin(error: sqlx::Error, lock_wait: std::time::Duration) -> StoreError {
    if is_busy(&error) {
        StoreError::Busy(format!(
            "starting a transaction: another writer held the database's write lock for longer than the {} s this store \
             waits for it; if no other Vaultmort process is working, one may be stopped while it holds the lock",
            lock_wait.as_secs_f64()
        ))
    } else {
        classify("starting a transaction", &error)
    }
}

/// Maps a sqlx error met while doing `action` ("reading a vault", ...).
pub(crate) fn database(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| classify(action, &error)
}

fn classify(action: &str, error: &sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::Database(db) => {
            let message = db.message();
            match primary_code(error) {
                Some(SQLITE_BUSY | SQLITE_LOCKED) => StoreError::Busy(format!(
                    "{action}: another connection held the database's lock for longer than this store waits for it ({message})"
                )),
                Some(SQLITE_CORRUPT | SQLITE_NOTADB) => StoreError::Corrupt(format!("{action}: {message}")),
                _ => StoreError::Database(format!("{action}: {message}")),
            }
        }
        sqlx::Error::PoolTimedOut => StoreError::Busy(format!("{action}: timed out waiting for a free database connection")),
        sqlx::Error::ColumnDecode { index, .. } => StoreError::Corrupt(format!("{action}: column {index} does not hold the expected type")),
        sqlx::Error::Decode(_) => StoreError::Corrupt(format!("{action}: a column does not hold the expected type")),
        // The remaining variants (I/O, configuration, closed pool, worker crash, ...) describe
        // the connection, not rows.
        other => StoreError::Database(format!("{action}: {other}")),
    }
}

/// Maps a failure to bring the schema up to date.
pub(crate) fn migration(error: MigrateError) -> StoreError {
    match error {
        MigrateError::Execute(inner) | MigrateError::ExecuteMigration(inner, _) => classify("updating the database schema", &inner),
        MigrateError::VersionMissing(version) => StoreError::Database(format!(
            "the database has schema migration {version}, which this version of Vaultmort does not know; \
             it was probably written by a newer Vaultmort"
        )),
        other => StoreError::Database(format!("updating the database schema: {other}")),
    }
}

/// A stored JSON document that does not decode into `what`. Names the category of the failure
/// and its position, never the offending text.
pub(crate) fn corrupt_json(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |error| {
        let category = match error.classify() {
            serde_json::error::Category::Io => "could not be read",
            serde_json::error::Category::Syntax => "is not valid JSON",
            serde_json::error::Category::Data => "does not have the expected shape",
            serde_json::error::Category::Eof => "is truncated",
        };
        StoreError::Corrupt(format!("the stored {what} {category} (line {}, column {})", error.line(), error.column()))
    }
}

/// A domain record that could not be turned into JSON.
pub(crate) fn encode_json(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |error| {
        let category = match error.classify() {
            serde_json::error::Category::Io => "an I/O error",
            _ => "a value JSON cannot represent",
        };
        StoreError::Database(format!("the {what} could not be encoded as JSON: it holds {category}"))
    }
}

/// A stored value outside its column's domain (an unknown kind, an out-of-range time, ...).
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// A file-system failure on `path` while doing `action`.
pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    move |error| StoreError::Database(format!("{action} {}: {error}", path.display()))
}
