//! A throwaway core over SQLite, with the local owner, a resource group `rg` and helpers to make
//! principals and contexts.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tempfile::TempDir;
use vaultmort_core::directory::NewPrincipal;
use vaultmort_core::groups::CreateGroup;
use vaultmort_core::storage::AuditRecord;
use vaultmort_core::vaults::CreateVault;
use vaultmort_core::{Clock, Door, MasterKey, RequestContext, Vaultmort};
use vaultmort_store_sqlite::SqliteStore;

/// A core in a temporary folder.
pub struct World {
    _dir: TempDir,
    /// The core.
    pub core: Vaultmort,
    /// The database file, for direct SQL.
    pub db: PathBuf,
    /// The local owner on loopback.
    pub owner: RequestContext,
}

impl World {
    /// A fresh store with a resource group `rg`.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder for the store");
        let db = dir.path().join("vaultmort.db");
        let store = SqliteStore::open(&db).await.expect("a new store opens");
        let core = Vaultmort::open(Arc::new(store), &MasterKey::from_bytes([7; 32]), Arc::new(Clock::system()))
            .await
            .expect("the core opens over a new store");
        let owner = RequestContext::local_owner(Door::Cli);
        core.create_group(
            &owner,
            CreateGroup { name: "rg".into(), location: "westeurope".into(), tags: Default::default(), subscription: None },
        )
        .await
        .expect("the owner creates a resource group");
        Self { _dir: dir, core, db, owner }
    }

    /// The same store opened again by a new core (as the next run of the app or CLI would).
    pub async fn reopen(self) -> Self {
        let Self { _dir, core, db, owner } = self;
        drop(core);
        let store = SqliteStore::open(&db).await.expect("the store opens again");
        let core = Vaultmort::open(Arc::new(store), &MasterKey::from_bytes([7; 32]), Arc::new(Clock::system()))
            .await
            .expect("the core opens over the existing store");
        Self { _dir, core, db, owner }
    }

    /// Another core over the same store, opened now, as a second process (the CLI beside a
    /// running server) would open it: its own store connections and its own clock.
    pub async fn second_process(&self) -> Vaultmort {
        let store = SqliteStore::open(&self.db).await.expect("the store opens a second time");
        Vaultmort::open(Arc::new(store), &MasterKey::from_bytes([7; 32]), Arc::new(Clock::system()))
            .await
            .expect("a second core opens over the same store")
    }

    /// A vault made by the owner (access policies unless `rbac`).
    pub async fn vault(&self, name: &str, rbac: bool) {
        let mut request = CreateVault::new(name, "rg");
        request.rbac_authorization = rbac;
        self.core.create_vault(&self.owner, request).await.expect("the owner creates a vault");
    }

    /// A new user; returns its context on loopback.
    pub async fn user(&self, upn: &str) -> RequestContext {
        self.core
            .create_principal(&self.owner, NewPrincipal::User { user_principal_name: upn.into(), display_name: upn.into() })
            .await
            .expect("the owner creates a user");
        self.as_(upn).await
    }

    /// Signs in as a principal on loopback.
    pub async fn as_(&self, principal: &str) -> RequestContext {
        self.core.sign_in(principal, Door::Cli, "127.0.0.1".parse().expect("loopback")).await.expect("a directory principal signs in")
    }

    /// The same caller from another address.
    pub fn from(ctx: &RequestContext, address: &str) -> RequestContext {
        let source: IpAddr = address.parse().expect("a test address");
        RequestContext { source, ..ctx.clone() }
    }

    /// The subscription's scope.
    pub fn subscription_scope(&self) -> String {
        format!("/subscriptions/{}", self.core.tenant().default_subscription.id)
    }

    /// A vault's scope.
    pub fn vault_scope(&self, vault: &str) -> String {
        format!("{}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/{vault}", self.subscription_scope())
    }

    /// Every access log record so far, read straight from the store's rows through the core's
    /// own decoder (as the owner; that read is itself logged and returned last).
    pub async fn log(&self) -> Vec<AuditRecord> {
        self.core.audit_log(&self.owner, 0, i64::MAX).await.expect("the owner reads the log")
    }

    /// The records appended after `before` (a length of an earlier [`World::log`]), leaving out
    /// the log reads themselves.
    pub async fn log_since(&self, before: usize) -> Vec<AuditRecord> {
        self.log().await.into_iter().skip(before).filter(|r| r.operation != "AuditLogRead").collect()
    }

    /// Runs one SQL statement on the store file through a separate connection.
    pub async fn sql(&self, statement: &str) -> u64 {
        use sqlx::Connection;
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&self.db);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("the store file opens with sqlx");
        let done = sqlx::query(sqlx::AssertSqlSafe(statement.to_string())).execute(&mut conn).await.expect("the statement runs");
        conn.close().await.expect("the connection closes");
        done.rows_affected()
    }

    /// Every text and blob cell of every table, for scanning.
    pub async fn all_cells(&self) -> Vec<Vec<u8>> {
        use sqlx::{Connection, Row};
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&self.db);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("the store file opens with sqlx");
        let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .expect("the table list reads");
        let mut cells = Vec::new();
        for table in tables {
            let rows =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{table}\""))).fetch_all(&mut conn).await.expect("rows read");
            for row in rows {
                for index in 0..row.len() {
                    if let Ok(Some(bytes)) = row.try_get::<Option<Vec<u8>>, _>(index) {
                        cells.push(bytes);
                    } else if let Ok(Some(text)) = row.try_get::<Option<String>, _>(index) {
                        cells.push(text.into_bytes());
                    }
                }
            }
        }
        conn.close().await.expect("the connection closes");
        cells
    }
}
