//! [`SqliteTransaction`]: one `BEGIN IMMEDIATE` transaction (or a read session without a
//! transaction), implementing the core's [`Transaction`] with plain SQL against the schema in
//! `migrations/`. A read session runs [`Transaction::audit_snapshot`] in a short deferred read
//! transaction, so that the access log and its chain head come from one WAL snapshot.
//!
//! Rows are turned into domain records here. Vaults and resource groups are stored whole as JSON
//! beside copies of the columns used to find them; objects and versions keep their identity in
//! columns and their free-form `properties` as JSON.

use chrono::{DateTime, Utc};
use sqlx::Sqlite;
use vaultmort_core::audit::{AuditChain, CHAIN_HEAD_KEY, ChainHead};
use vaultmort_core::model::{Deletion, ResourceGroup, Vault};
use vaultmort_core::storage::{
    AuditRecord, AuditSnapshot, DirectoryEntry, EntryKind, EventRecord, ObjectRecord, Resolved, ResourceKind, ResourceRecord, Transaction,
    VaultFilter, VersionRecord,
};
use vaultmort_core::{ObjectKind, StoreError};

use crate::error::{corrupt, corrupt_json, database, encode_json};

/// The connection a [`SqliteTransaction`] works on.
enum Connection {
    /// A write transaction.
    Transaction(sqlx::Transaction<'static, Sqlite>),
    /// A read session: each statement commits on its own.
    Session(sqlx::pool::PoolConnection<Sqlite>),
}

/// A transaction on the SQLite store. Dropping it without [`Transaction::commit`] rolls it back
/// (sqlx queues the rollback on the connection before returning it to the pool).
pub(crate) struct SqliteTransaction {
    connection: Connection,
}

impl SqliteTransaction {
    /// Wraps a transaction that has already been begun.
    pub(crate) fn new(tx: sqlx::Transaction<'static, Sqlite>) -> Self {
        Self { connection: Connection::Transaction(tx) }
    }

    /// Wraps a pooled connection for a read session.
    pub(crate) fn session(connection: sqlx::pool::PoolConnection<Sqlite>) -> Self {
        Self { connection: Connection::Session(connection) }
    }

    fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        match &mut self.connection {
            Connection::Transaction(tx) => tx,
            Connection::Session(connection) => connection,
        }
    }
}

/// An object row: vault_id, kind, name, deleted_at, scheduled_purge, properties.
type ObjectRow = (String, String, String, Option<i64>, Option<i64>, String);

/// A version row: vault_id, kind, name, version, sequence, created, properties, sealed.
type VersionRow = (String, String, String, String, i64, i64, String, Option<Vec<u8>>);

/// A resolve row: the vault's body, then the object's and the version's columns (absent when
/// there is no such object or version).
type ResolveRow = (
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<Vec<u8>>,
);

/// The columns of `audit_log`.
#[derive(sqlx::FromRow)]
struct AuditRow {
    sequence: i64,
    time: i64,
    operation: String,
    caller_object_id: String,
    caller_name: String,
    caller_type: String,
    client_address: String,
    door: String,
    vault: Option<String>,
    object: Option<String>,
    status: i64,
    error_code: Option<String>,
    duration_micros: i64,
    rule: String,
    flags: String,
    parameters: String,
    previous_hash: String,
    hash: String,
}

/// Every column of `audit_log`, as a literal for `concat!` (sqlx takes only static SQL).
macro_rules! audit_columns {
    () => {
        "sequence, time, operation, caller_object_id, caller_name, caller_type, client_address, door, vault, \
         object, status, error_code, duration_micros, rule, flags, parameters, previous_hash, hash"
    };
}

/// A directory row: kind, id, name, body.
type DirectoryRow = (String, String, String, String);

fn decode_directory(row: DirectoryRow) -> Result<DirectoryEntry, StoreError> {
    let (kind, id, name, body) = row;
    Ok(DirectoryEntry {
        kind: EntryKind::parse(&kind).ok_or_else(|| corrupt("a stored directory entry has an unknown kind"))?,
        id,
        name,
        body: serde_json::from_str(&body).map_err(corrupt_json("directory entry"))?,
    })
}

/// A resource row: kind, id, name, body, sealed.
type ResourceRow = (String, String, String, String, Option<Vec<u8>>);

fn decode_resource(row: ResourceRow) -> Result<ResourceRecord, StoreError> {
    let (kind, id, name, body, sealed) = row;
    Ok(ResourceRecord {
        kind: ResourceKind::parse(&kind).ok_or_else(|| corrupt("a stored resource has an unknown kind"))?,
        id,
        name,
        body: serde_json::from_str(&body).map_err(corrupt_json("resource"))?,
        sealed,
    })
}

/// Unix seconds for storage.
fn seconds(time: DateTime<Utc>) -> i64 {
    time.timestamp()
}

/// A stored time back from unix seconds.
fn time(seconds: i64, what: &'static str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| corrupt(format!("a stored {what} time is out of range")))
}

/// The index columns for an optional deletion.
fn deletion_columns(deletion: Option<&Deletion>) -> (Option<i64>, Option<i64>) {
    match deletion {
        Some(d) => (Some(seconds(d.deleted_at)), Some(seconds(d.scheduled_purge))),
        None => (None, None),
    }
}

/// A deletion back from its two columns, which are set or clear together.
fn deletion(deleted_at: Option<i64>, scheduled_purge: Option<i64>, what: &'static str) -> Result<Option<Deletion>, StoreError> {
    match (deleted_at, scheduled_purge) {
        (None, None) => Ok(None),
        (Some(deleted_at), Some(scheduled_purge)) => {
            Ok(Some(Deletion { deleted_at: time(deleted_at, "deletion")?, scheduled_purge: time(scheduled_purge, "purge")? }))
        }
        _ => Err(corrupt(format!("a stored {what} has only half of its deletion dates"))),
    }
}

fn kind(text: &str) -> Result<ObjectKind, StoreError> {
    match text {
        "key" => Ok(ObjectKind::Key),
        "secret" => Ok(ObjectKind::Secret),
        "certificate" => Ok(ObjectKind::Certificate),
        _ => Err(corrupt("a stored object has an unknown kind")),
    }
}

fn decode_vault(body: &str) -> Result<Vault, StoreError> {
    serde_json::from_str(body).map_err(corrupt_json("vault"))
}

fn decode_group(body: &str) -> Result<ResourceGroup, StoreError> {
    serde_json::from_str(body).map_err(corrupt_json("resource group"))
}

fn decode_object(row: ObjectRow) -> Result<ObjectRecord, StoreError> {
    let (vault_id, kind_text, name, deleted_at, scheduled_purge, properties) = row;
    Ok(ObjectRecord {
        vault_id,
        kind: kind(&kind_text)?,
        name,
        deletion: deletion(deleted_at, scheduled_purge, "object")?,
        properties: serde_json::from_str(&properties).map_err(corrupt_json("object properties"))?,
    })
}

fn decode_version(row: VersionRow) -> Result<VersionRecord, StoreError> {
    let (vault_id, kind_text, name, version, sequence, created, properties, sealed) = row;
    Ok(VersionRecord {
        vault_id,
        kind: kind(&kind_text)?,
        name,
        version,
        sequence,
        created: time(created, "version creation")?,
        properties: serde_json::from_str(&properties).map_err(corrupt_json("version properties"))?,
        sealed,
    })
}

fn decode_audit(row: AuditRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        sequence: row.sequence,
        time: time(row.time, "audit")?,
        operation: row.operation,
        caller_object_id: row.caller_object_id,
        caller_name: row.caller_name,
        caller_type: row.caller_type,
        client_address: row.client_address,
        door: row.door,
        vault: row.vault,
        object: row.object,
        status: u16::try_from(row.status).map_err(|_| corrupt("a stored audit status is out of range"))?,
        error_code: row.error_code,
        duration_micros: row.duration_micros,
        rule: row.rule,
        flags: serde_json::from_str(&row.flags).map_err(corrupt_json("audit flags"))?,
        parameters: serde_json::from_str(&row.parameters).map_err(corrupt_json("audit parameters"))?,
        previous_hash: row.previous_hash,
        hash: row.hash,
    })
}

/// Reads the access log from `after` (exclusive), oldest first, at most `limit` records.
async fn list_audit(conn: &mut sqlx::SqliteConnection, after: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
    let rows: Vec<AuditRow> =
        sqlx::query_as(concat!("SELECT ", audit_columns!(), " FROM audit_log WHERE sequence > ? ORDER BY sequence LIMIT ?"))
            .bind(after)
            .bind(limit.max(0))
            .fetch_all(conn)
            .await
            .map_err(database("reading the access log"))?;
    rows.into_iter().map(decode_audit).collect()
}

/// Reads the whole access log and then its chain head on `conn`, which must be in a transaction
/// for the two to agree.
async fn audit_snapshot_on(conn: &mut sqlx::SqliteConnection) -> Result<AuditSnapshot, StoreError> {
    let records = list_audit(&mut *conn, 0, i64::MAX).await?;
    let head: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(CHAIN_HEAD_KEY)
        .fetch_optional(conn)
        .await
        .map_err(database("reading the access log's chain head"))?;
    let head = head.as_deref().map(ChainHead::decode).transpose()?;
    Ok(AuditSnapshot { records, head })
}

/// How often an append retries after another append linked to the same chain head first.
const APPEND_ATTEMPTS: usize = 16;

/// SQLite's extended result codes for a PRIMARY KEY and a UNIQUE constraint violation.
const SQLITE_CONSTRAINT_PRIMARYKEY: &str = "1555";
const SQLITE_CONSTRAINT_UNIQUE: &str = "2067";

/// Records per `INSERT` of a group append: the core's group limit, so that a group from a read
/// session lands in one statement, all or nothing. At 18 parameters a row this stays far below
/// SQLite's limit of 32,766 parameters per statement.
const AUDIT_ROWS_PER_INSERT: usize = vaultmort_core::storage::AUDIT_GROUP_LIMIT;

impl SqliteTransaction {
    /// The chain head and the next sequence number, read in one statement.
    async fn chain_position(&mut self) -> Result<(Option<ChainHead>, i64), StoreError> {
        let (head, last): (Option<Vec<u8>>, Option<i64>) =
            sqlx::query_as("SELECT (SELECT value FROM meta WHERE key = ?), (SELECT max(sequence) FROM audit_log)")
                .bind(CHAIN_HEAD_KEY)
                .fetch_one(self.conn())
                .await
                .map_err(database("reading the access log's chain head"))?;
        let head = head.as_deref().map(ChainHead::decode).transpose()?;
        // The next sequence follows both the head and any row past it (records from before
        // the chain, or rows the chain does not know about), so a sequence is never reused.
        let next = last.unwrap_or(0).max(head.as_ref().map(|h| h.sequence).unwrap_or(0)) + 1;
        Ok((head, next))
    }

    /// Links records to the chain after `head`, one after the other, ready to insert.
    fn link_group(
        records: &[AuditRecord],
        chain: &AuditChain,
        mut head: Option<ChainHead>,
        mut next: i64,
    ) -> Result<Vec<(AuditRecord, String, String)>, StoreError> {
        let mut linked = Vec::with_capacity(records.len());
        for record in records {
            let mut row = record.clone();
            row.time = time(seconds(record.time), "audit")?;
            head = Some(chain.link(&mut row, head.as_ref(), next));
            next += 1;
            let flags = serde_json::to_string(&row.flags).map_err(encode_json("audit flags"))?;
            let parameters = serde_json::to_string(&row.parameters).map_err(encode_json("audit parameters"))?;
            linked.push((row, flags, parameters));
        }
        Ok(linked)
    }

    /// Inserts linked records in one statement (at most [`AUDIT_ROWS_PER_INSERT`]).
    async fn insert_rows(&mut self, rows: &[(AuditRecord, String, String)]) -> Result<(), sqlx::Error> {
        let mut insert = sqlx::QueryBuilder::<Sqlite>::new(concat!("INSERT INTO audit_log (", audit_columns!(), ") "));
        insert.push_values(rows, |mut values, (row, flags, parameters)| {
            values
                .push_bind(row.sequence)
                .push_bind(seconds(row.time))
                .push_bind(row.operation.clone())
                .push_bind(row.caller_object_id.clone())
                .push_bind(row.caller_name.clone())
                .push_bind(row.caller_type.clone())
                .push_bind(row.client_address.clone())
                .push_bind(row.door.clone())
                .push_bind(row.vault.clone())
                .push_bind(row.object.clone())
                .push_bind(i64::from(row.status))
                .push_bind(row.error_code.clone())
                .push_bind(row.duration_micros)
                .push_bind(row.rule.clone())
                .push_bind(flags.clone())
                .push_bind(parameters.clone())
                .push_bind(row.previous_hash.clone())
                .push_bind(row.hash.clone());
        });
        insert.build().execute(self.conn()).await.map(|_| ())
    }

    /// Appends a group in a write transaction, which holds SQLite's write lock, so the head read
    /// first is still the head when the rows land.
    async fn append_group_locked(&mut self, records: &[AuditRecord], chain: &AuditChain) -> Result<Vec<i64>, StoreError> {
        let (head, next) = self.chain_position().await?;
        let linked = Self::link_group(records, chain, head, next)?;
        for rows in linked.chunks(AUDIT_ROWS_PER_INSERT) {
            self.insert_rows(rows).await.map_err(database("appending to the access log"))?;
        }
        Ok(linked.iter().map(|(row, _, _)| row.sequence).collect())
    }

    /// Appends a small group in a read session with two statements, the chain head read and one
    /// `INSERT`, which commits all its rows or none. Another writer that appended in between
    /// makes the insert fail on the chain's unique link index (or the sequence key), and the
    /// group is linked again to the new head.
    async fn append_group_unlocked(&mut self, records: &[AuditRecord], chain: &AuditChain) -> Result<Vec<i64>, StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (head, next) = self.chain_position().await?;
            let linked = Self::link_group(records, chain, head, next)?;
            match self.insert_rows(&linked).await {
                Ok(()) => return Ok(linked.iter().map(|(row, _, _)| row.sequence).collect()),
                Err(sqlx::Error::Database(db))
                    if attempt < APPEND_ATTEMPTS
                        && matches!(db.code().as_deref(), Some(SQLITE_CONSTRAINT_PRIMARYKEY | SQLITE_CONSTRAINT_UNIQUE)) =>
                {
                    continue;
                }
                Err(error) => return Err(database("appending to the access log")(error)),
            }
        }
    }

    /// Links a record to the hash chain and inserts it in two statements: read the chain head
    /// (and the newest sequence), then insert; the schema's trigger moves the head in the same
    /// statement, and its unique link index refuses a second record linked to the same head, in
    /// which case the append reads the new head and tries again. In a write transaction nothing
    /// else can append, so the first attempt lands.
    async fn append_chained(&mut self, record: &AuditRecord, chain: &AuditChain) -> Result<i64, StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (head, next) = self.chain_position().await?;
            let mut linked = record.clone();
            linked.time = time(seconds(record.time), "audit")?;
            chain.link(&mut linked, head.as_ref(), next);
            let flags = serde_json::to_string(&linked.flags).map_err(encode_json("audit flags"))?;
            let parameters = serde_json::to_string(&linked.parameters).map_err(encode_json("audit parameters"))?;
            let inserted = sqlx::query_scalar(concat!(
                "INSERT INTO audit_log (",
                audit_columns!(),
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING sequence"
            ))
            .bind(linked.sequence)
            .bind(seconds(linked.time))
            .bind(&linked.operation)
            .bind(&linked.caller_object_id)
            .bind(&linked.caller_name)
            .bind(&linked.caller_type)
            .bind(&linked.client_address)
            .bind(&linked.door)
            .bind(linked.vault.as_deref())
            .bind(linked.object.as_deref())
            .bind(i64::from(linked.status))
            .bind(linked.error_code.as_deref())
            .bind(linked.duration_micros)
            .bind(&linked.rule)
            .bind(flags)
            .bind(parameters)
            .bind(&linked.previous_hash)
            .bind(&linked.hash)
            .fetch_one(self.conn())
            .await;
            match inserted {
                Ok(sequence) => return Ok(sequence),
                Err(sqlx::Error::Database(db))
                    if attempt < APPEND_ATTEMPTS
                        && matches!(db.code().as_deref(), Some(SQLITE_CONSTRAINT_PRIMARYKEY | SQLITE_CONSTRAINT_UNIQUE)) =>
                {
                    continue;
                }
                Err(error) => return Err(database("appending to the access log")(error)),
            }
        }
    }
}

#[async_trait::async_trait]
impl Transaction for SqliteTransaction {
    async fn meta_get(&mut self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(self.conn())
            .await
            .map_err(database("reading a metadata value"))
    }

    async fn meta_put(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(self.conn())
            .await
            .map_err(database("writing a metadata value"))?;
        Ok(())
    }

    async fn data_key_get(&mut self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        sqlx::query_scalar("SELECT wrapped FROM data_keys WHERE id = ?")
            .bind(id)
            .fetch_optional(self.conn())
            .await
            .map_err(database("reading a data key"))
    }

    async fn data_key_latest(&mut self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT id FROM data_keys ORDER BY id DESC LIMIT 1")
            .fetch_optional(self.conn())
            .await
            .map_err(database("finding the newest data key"))
    }

    async fn data_key_insert(&mut self, wrapped: &[u8], created: DateTime<Utc>) -> Result<i64, StoreError> {
        sqlx::query_scalar("INSERT INTO data_keys (wrapped, created) VALUES (?, ?) RETURNING id")
            .bind(wrapped)
            .bind(seconds(created))
            .fetch_one(self.conn())
            .await
            .map_err(database("storing a data key"))
    }

    async fn resource_group_get(&mut self, subscription_id: &str, name: &str) -> Result<Option<ResourceGroup>, StoreError> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM resource_groups WHERE subscription_id = ? AND name = ?")
            .bind(subscription_id)
            .bind(name)
            .fetch_optional(self.conn())
            .await
            .map_err(database("reading a resource group"))?;
        body.as_deref().map(decode_group).transpose()
    }

    async fn resource_group_put(&mut self, group: &ResourceGroup) -> Result<(), StoreError> {
        let body = serde_json::to_string(group).map_err(encode_json("resource group"))?;
        sqlx::query(
            "INSERT INTO resource_groups (subscription_id, name, body) VALUES (?, ?, ?) \
             ON CONFLICT (subscription_id, name) DO UPDATE SET body = excluded.body",
        )
        .bind(&group.subscription_id)
        .bind(&group.name)
        .bind(body)
        .execute(self.conn())
        .await
        .map_err(database("writing a resource group"))?;
        Ok(())
    }

    async fn resource_group_delete(&mut self, subscription_id: &str, name: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM resource_groups WHERE subscription_id = ? AND name = ?")
            .bind(subscription_id)
            .bind(name)
            .execute(self.conn())
            .await
            .map_err(database("deleting a resource group"))?;
        Ok(())
    }

    async fn resource_group_list(&mut self, subscription_id: &str) -> Result<Vec<ResourceGroup>, StoreError> {
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM resource_groups WHERE subscription_id = ? ORDER BY name")
            .bind(subscription_id)
            .fetch_all(self.conn())
            .await
            .map_err(database("listing resource groups"))?;
        bodies.iter().map(|body| decode_group(body)).collect()
    }

    async fn vault_get(&mut self, name: &str) -> Result<Option<Vault>, StoreError> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM vaults WHERE name = ?")
            .bind(name)
            .fetch_optional(self.conn())
            .await
            .map_err(database("reading a vault"))?;
        body.as_deref().map(decode_vault).transpose()
    }

    async fn vault_put(&mut self, vault: &Vault) -> Result<(), StoreError> {
        let body = serde_json::to_string(vault).map_err(encode_json("vault"))?;
        let (deleted_at, scheduled_purge) = deletion_columns(vault.deletion.as_ref());
        sqlx::query(
            "INSERT INTO vaults (id, name, resource_group, deleted_at, scheduled_purge, body) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, resource_group = excluded.resource_group, \
             deleted_at = excluded.deleted_at, scheduled_purge = excluded.scheduled_purge, body = excluded.body",
        )
        .bind(&vault.id)
        .bind(&vault.name)
        .bind(&vault.resource_group)
        .bind(deleted_at)
        .bind(scheduled_purge)
        .bind(body)
        .execute(self.conn())
        .await
        .map_err(database("writing a vault"))?;
        Ok(())
    }

    async fn vault_purge(&mut self, vault_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM vaults WHERE id = ?").bind(vault_id).execute(self.conn()).await.map_err(database("purging a vault"))?;
        Ok(())
    }

    async fn vault_list(&mut self, filter: &VaultFilter) -> Result<Vec<Vault>, StoreError> {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM vaults \
             WHERE (deleted_at IS NOT NULL) = ? AND (? IS NULL OR resource_group = ?) \
             ORDER BY name",
        )
        .bind(filter.deleted)
        .bind(filter.resource_group.as_deref())
        .bind(filter.resource_group.as_deref())
        .fetch_all(self.conn())
        .await
        .map_err(database("listing vaults"))?;
        bodies.iter().map(|body| decode_vault(body)).collect()
    }

    async fn vaults_due_for_purge(&mut self, now: DateTime<Utc>) -> Result<Vec<Vault>, StoreError> {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM vaults WHERE deleted_at IS NOT NULL AND scheduled_purge <= ? ORDER BY scheduled_purge, name",
        )
        .bind(seconds(now))
        .fetch_all(self.conn())
        .await
        .map_err(database("finding vaults due for purge"))?;
        bodies.iter().map(|body| decode_vault(body)).collect()
    }

    async fn object_get(&mut self, vault_id: &str, kind: ObjectKind, name: &str) -> Result<Option<ObjectRecord>, StoreError> {
        let row: Option<ObjectRow> = sqlx::query_as(
            "SELECT vault_id, kind, name, deleted_at, scheduled_purge, properties FROM objects \
             WHERE vault_id = ? AND kind = ? AND name = ?",
        )
        .bind(vault_id)
        .bind(kind.as_str())
        .bind(name)
        .fetch_optional(self.conn())
        .await
        .map_err(database("reading an object"))?;
        row.map(decode_object).transpose()
    }

    async fn object_put(&mut self, object: &ObjectRecord) -> Result<(), StoreError> {
        let properties = serde_json::to_string(&object.properties).map_err(encode_json("object properties"))?;
        let (deleted_at, scheduled_purge) = deletion_columns(object.deletion.as_ref());
        // The stored name keeps the casing it was created with: it is part of the key that the
        // versions refer to.
        sqlx::query(
            "INSERT INTO objects (vault_id, kind, name, deleted_at, scheduled_purge, properties) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (vault_id, kind, name) DO UPDATE SET deleted_at = excluded.deleted_at, \
             scheduled_purge = excluded.scheduled_purge, properties = excluded.properties",
        )
        .bind(&object.vault_id)
        .bind(object.kind.as_str())
        .bind(&object.name)
        .bind(deleted_at)
        .bind(scheduled_purge)
        .bind(properties)
        .execute(self.conn())
        .await
        .map_err(database("writing an object"))?;
        Ok(())
    }

    async fn object_purge(&mut self, vault_id: &str, kind: ObjectKind, name: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM objects WHERE vault_id = ? AND kind = ? AND name = ?")
            .bind(vault_id)
            .bind(kind.as_str())
            .bind(name)
            .execute(self.conn())
            .await
            .map_err(database("purging an object"))?;
        Ok(())
    }

    async fn object_list(&mut self, vault_id: &str, kind: ObjectKind, deleted: bool) -> Result<Vec<ObjectRecord>, StoreError> {
        let rows: Vec<ObjectRow> = sqlx::query_as(
            "SELECT vault_id, kind, name, deleted_at, scheduled_purge, properties FROM objects \
             WHERE vault_id = ? AND kind = ? AND (deleted_at IS NOT NULL) = ? ORDER BY name",
        )
        .bind(vault_id)
        .bind(kind.as_str())
        .bind(deleted)
        .fetch_all(self.conn())
        .await
        .map_err(database("listing objects"))?;
        rows.into_iter().map(decode_object).collect()
    }

    async fn objects_due_for_purge(&mut self, now: DateTime<Utc>) -> Result<Vec<ObjectRecord>, StoreError> {
        let rows: Vec<ObjectRow> = sqlx::query_as(
            "SELECT o.vault_id, o.kind, o.name, o.deleted_at, o.scheduled_purge, o.properties \
             FROM objects AS o JOIN vaults AS v ON v.id = o.vault_id \
             WHERE o.deleted_at IS NOT NULL AND o.scheduled_purge <= ? AND v.deleted_at IS NULL \
             ORDER BY o.scheduled_purge, o.vault_id, o.kind, o.name",
        )
        .bind(seconds(now))
        .fetch_all(self.conn())
        .await
        .map_err(database("finding objects due for purge"))?;
        rows.into_iter().map(decode_object).collect()
    }

    async fn resolve(
        &mut self,
        vault_name: &str,
        kind: ObjectKind,
        name: &str,
        version: Option<&str>,
    ) -> Result<Option<Resolved>, StoreError> {
        let row: Option<ResolveRow> = sqlx::query_as(
            "SELECT v.body, o.name, o.deleted_at, o.scheduled_purge, o.properties, \
                    ov.version, ov.sequence, ov.created, ov.properties, ov.sealed \
             FROM vaults v \
             LEFT JOIN objects o ON o.vault_id = v.id AND o.kind = ? AND o.name = ? \
             LEFT JOIN object_versions ov ON ov.vault_id = o.vault_id AND ov.kind = o.kind AND ov.name = o.name \
                  AND (? IS NULL OR ov.version = ?) \
             WHERE v.name = ? ORDER BY ov.sequence DESC LIMIT 1",
        )
        .bind(kind.as_str())
        .bind(name)
        .bind(version)
        .bind(version)
        .bind(vault_name)
        .fetch_optional(self.conn())
        .await
        .map_err(database("resolving an object"))?;
        let Some((
            body,
            object_name,
            deleted_at,
            scheduled_purge,
            object_properties,
            version_id,
            sequence,
            created,
            version_properties,
            sealed,
        )) = row
        else {
            return Ok(None);
        };
        let vault = decode_vault(&body)?;
        let object = match (object_name, object_properties) {
            (Some(object_name), Some(properties)) => {
                Some(decode_object((vault.id.clone(), kind.as_str().to_string(), object_name, deleted_at, scheduled_purge, properties))?)
            }
            _ => None,
        };
        let found = match (&object, version_id, sequence, created, version_properties) {
            (Some(object), Some(version_id), Some(sequence), Some(created), Some(properties)) => Some(decode_version((
                vault.id.clone(),
                kind.as_str().to_string(),
                object.name.clone(),
                version_id,
                sequence,
                created,
                properties,
                sealed,
            ))?),
            _ => None,
        };
        Ok(Some(Resolved { vault, object, version: found }))
    }

    async fn version_get(
        &mut self,
        vault_id: &str,
        kind: ObjectKind,
        name: &str,
        version: Option<&str>,
    ) -> Result<Option<VersionRecord>, StoreError> {
        // With no version asked for, the newest (highest sequence) answers.
        let row: Option<VersionRow> = sqlx::query_as(
            "SELECT vault_id, kind, name, version, sequence, created, properties, sealed FROM object_versions \
             WHERE vault_id = ? AND kind = ? AND name = ? AND (? IS NULL OR version = ?) \
             ORDER BY sequence DESC LIMIT 1",
        )
        .bind(vault_id)
        .bind(kind.as_str())
        .bind(name)
        .bind(version)
        .bind(version)
        .fetch_optional(self.conn())
        .await
        .map_err(database("reading an object version"))?;
        row.map(decode_version).transpose()
    }

    async fn version_list(&mut self, vault_id: &str, kind: ObjectKind, name: &str) -> Result<Vec<VersionRecord>, StoreError> {
        let rows: Vec<VersionRow> = sqlx::query_as(
            "SELECT vault_id, kind, name, version, sequence, created, properties, sealed FROM object_versions \
             WHERE vault_id = ? AND kind = ? AND name = ? ORDER BY sequence, version",
        )
        .bind(vault_id)
        .bind(kind.as_str())
        .bind(name)
        .fetch_all(self.conn())
        .await
        .map_err(database("listing object versions"))?;
        rows.into_iter().map(decode_version).collect()
    }

    async fn version_put(&mut self, version: &VersionRecord) -> Result<(), StoreError> {
        let properties = serde_json::to_string(&version.properties).map_err(encode_json("version properties"))?;
        sqlx::query(
            "INSERT INTO object_versions (vault_id, kind, name, version, sequence, created, properties, sealed) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (vault_id, kind, name, version) DO UPDATE SET sequence = excluded.sequence, \
             created = excluded.created, properties = excluded.properties, sealed = excluded.sealed",
        )
        .bind(&version.vault_id)
        .bind(version.kind.as_str())
        .bind(&version.name)
        .bind(&version.version)
        .bind(version.sequence)
        .bind(seconds(version.created))
        .bind(properties)
        .bind(version.sealed.as_deref())
        .execute(self.conn())
        .await
        .map_err(database("writing an object version"))?;
        Ok(())
    }

    async fn audit_append(&mut self, record: &AuditRecord, chain: &AuditChain) -> Result<i64, StoreError> {
        // Also in a read session: each of the two statements commits on its own, and a lost race
        // for the chain head is retried (see `append_chained`).
        self.append_chained(record, chain).await
    }

    async fn audit_append_all(&mut self, records: &[AuditRecord], chain: &AuditChain) -> Result<Vec<i64>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        match self.connection {
            Connection::Transaction(_) => self.append_group_locked(records, chain).await,
            // Each statement is whole; the core never hands a session more than one statement's
            // worth (`AUDIT_GROUP_LIMIT`), larger groups land statement by statement.
            Connection::Session(_) => {
                let mut sequences = Vec::with_capacity(records.len());
                for group in records.chunks(AUDIT_ROWS_PER_INSERT) {
                    sequences.extend(self.append_group_unlocked(group, chain).await?);
                }
                Ok(sequences)
            }
        }
    }

    async fn audit_list(&mut self, after: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        list_audit(self.conn(), after, limit).await
    }

    async fn audit_snapshot(&mut self) -> Result<AuditSnapshot, StoreError> {
        match &mut self.connection {
            // A write transaction holds the write lock: nothing can append between the reads.
            Connection::Transaction(tx) => audit_snapshot_on(tx).await,
            // Each statement of a session would see the store as of its own start, so the reads
            // run in one deferred transaction: in WAL mode its first read fixes the snapshot
            // that every later read of it sees, and appenders are not held up meanwhile.
            Connection::Session(connection) => {
                let mut snapshot = sqlx::Connection::begin(&mut **connection).await.map_err(database("starting a read transaction"))?;
                let read = audit_snapshot_on(&mut snapshot).await?;
                // Ends the read transaction; dropping it on an error above rolls it back instead.
                snapshot.commit().await.map_err(database("ending a read transaction"))?;
                Ok(read)
            }
        }
    }

    async fn directory_get(&mut self, kind: EntryKind, id: &str) -> Result<Option<DirectoryEntry>, StoreError> {
        let row: Option<DirectoryRow> = sqlx::query_as("SELECT kind, id, name, body FROM directory WHERE kind = ? AND id = ?")
            .bind(kind.as_str())
            .bind(id)
            .fetch_optional(self.conn())
            .await
            .map_err(database("reading a directory entry"))?;
        row.map(decode_directory).transpose()
    }

    async fn directory_put(&mut self, entry: &DirectoryEntry) -> Result<(), StoreError> {
        let body = serde_json::to_string(&entry.body).map_err(encode_json("directory entry"))?;
        sqlx::query(
            "INSERT INTO directory (kind, id, name, body) VALUES (?, ?, ?, ?) \
             ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, body = excluded.body",
        )
        .bind(entry.kind.as_str())
        .bind(&entry.id)
        .bind(&entry.name)
        .bind(body)
        .execute(self.conn())
        .await
        .map_err(database("writing a directory entry"))?;
        Ok(())
    }

    async fn directory_list(&mut self, kind: EntryKind) -> Result<Vec<DirectoryEntry>, StoreError> {
        let rows: Vec<DirectoryRow> = sqlx::query_as("SELECT kind, id, name, body FROM directory WHERE kind = ? ORDER BY name, id")
            .bind(kind.as_str())
            .fetch_all(self.conn())
            .await
            .map_err(database("listing directory entries"))?;
        rows.into_iter().map(decode_directory).collect()
    }

    async fn directory_delete(&mut self, kind: EntryKind, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM directory WHERE kind = ? AND id = ?")
            .bind(kind.as_str())
            .bind(id)
            .execute(self.conn())
            .await
            .map_err(database("deleting a directory entry"))?;
        Ok(())
    }

    async fn resource_get(&mut self, kind: ResourceKind, id: &str) -> Result<Option<ResourceRecord>, StoreError> {
        let row: Option<ResourceRow> = sqlx::query_as("SELECT kind, id, name, body, sealed FROM resources WHERE kind = ? AND id = ?")
            .bind(kind.as_str())
            .bind(id)
            .fetch_optional(self.conn())
            .await
            .map_err(database("reading a resource"))?;
        row.map(decode_resource).transpose()
    }

    async fn resource_put(&mut self, record: &ResourceRecord) -> Result<(), StoreError> {
        let body = serde_json::to_string(&record.body).map_err(encode_json("resource"))?;
        sqlx::query(
            "INSERT INTO resources (kind, id, name, body, sealed) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, body = excluded.body, sealed = excluded.sealed",
        )
        .bind(record.kind.as_str())
        .bind(&record.id)
        .bind(&record.name)
        .bind(body)
        .bind(record.sealed.as_deref())
        .execute(self.conn())
        .await
        .map_err(database("writing a resource"))?;
        Ok(())
    }

    async fn resource_list(&mut self, kind: ResourceKind) -> Result<Vec<ResourceRecord>, StoreError> {
        let rows: Vec<ResourceRow> = sqlx::query_as("SELECT kind, id, name, body, sealed FROM resources WHERE kind = ? ORDER BY name, id")
            .bind(kind.as_str())
            .fetch_all(self.conn())
            .await
            .map_err(database("listing resources"))?;
        rows.into_iter().map(decode_resource).collect()
    }

    async fn resource_delete(&mut self, kind: ResourceKind, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM resources WHERE kind = ? AND id = ?")
            .bind(kind.as_str())
            .bind(id)
            .execute(self.conn())
            .await
            .map_err(database("deleting a resource"))?;
        Ok(())
    }

    async fn event_append(&mut self, event: &EventRecord) -> Result<i64, StoreError> {
        let data = serde_json::to_string(&event.data).map_err(encode_json("event data"))?;
        sqlx::query_scalar(
            "INSERT INTO events (time, vault_id, vault_name, event_type, subject, data) VALUES (?, ?, ?, ?, ?, ?) RETURNING sequence",
        )
        .bind(seconds(event.time))
        .bind(&event.vault_id)
        .bind(&event.vault_name)
        .bind(&event.event_type)
        .bind(&event.subject)
        .bind(data)
        .fetch_one(self.conn())
        .await
        .map_err(database("appending an event"))
    }

    async fn event_list(&mut self, vault_id: Option<&str>, after: i64, limit: i64) -> Result<Vec<EventRecord>, StoreError> {
        let rows: Vec<(i64, i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT sequence, time, vault_id, vault_name, event_type, subject, data FROM events \
             WHERE sequence > ? AND (? IS NULL OR vault_id = ?) ORDER BY sequence LIMIT ?",
        )
        .bind(after)
        .bind(vault_id)
        .bind(vault_id)
        .bind(limit.max(0))
        .fetch_all(self.conn())
        .await
        .map_err(database("reading events"))?;
        rows.into_iter()
            .map(|(sequence, at, vault_id, vault_name, event_type, subject, data)| {
                Ok(EventRecord {
                    sequence,
                    time: time(at, "event")?,
                    vault_id,
                    vault_name,
                    event_type,
                    subject,
                    data: serde_json::from_str(&data).map_err(corrupt_json("event data"))?,
                })
            })
            .collect()
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        match self.connection {
            Connection::Transaction(tx) => tx.commit().await.map_err(database("committing a transaction")),
            // Every statement of a read session has already committed.
            Connection::Session(_) => Ok(()),
        }
    }
}
