//! The GUI-free core of Vaultmort, an offline Azure Key Vault.
//!
//! [`Vaultmort`] is the one object every door (desktop app, CLI, REST API) calls. Each operation
//! takes a [`RequestContext`] and a typed request, passes the pipeline in [`pipeline`]
//! (authorize, run, audit, in one storage transaction) and returns a typed result or an
//! [`Error`] with an Azure-style code.
//!
//! What lives here: the domain model, name rules, the clock, the storage seam and its barrier
//! (envelope encryption), vaults, keys, secrets, soft delete, backup and restore. What does not:
//! any storage engine (see `vaultmort-store-sqlite`), where the master key comes from (see
//! `vaultmort-home`), and any presentation.
#![forbid(unsafe_code)]

pub mod authz;
pub mod backup;
pub mod barrier;
pub mod certificates;
pub mod clock;
pub mod context;
mod error;
pub mod groups;
pub mod issuers;
pub mod keys;
pub mod model;
pub mod names;
pub mod objects;
mod pipeline;
mod practice_ca;
pub mod renewal;
pub mod rotation;
pub mod secrets;
pub mod storage;
pub mod vaults;

use std::sync::Arc;

use chrono::Duration;
use vaultmort_crypto::{CryptoProvider, SoftwareProvider};

pub use authz::{Authorizer, OwnerOnly};
pub use barrier::MasterKey;
pub use clock::Clock;
pub use context::{Door, Principal, RequestContext};
pub use error::{Error, ObjectKind, Result, StoreError};
pub use model::Tenant;
pub use storage::Storage;

use crate::barrier::Barrier;
use crate::model::Subscription;

const TENANT_KEY: &str = "tenant";
const CLOCK_OFFSET_KEY: &str = "clock.offset_seconds";

/// A request a door refused before any operation ran, as the access log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorRefusal {
    /// What the request was, in the log's operation column (`Authentication`, `RequestRejected`).
    pub operation: String,
    /// The vault it was addressed to, if known.
    pub vault: Option<String>,
    /// What it asked for (`GET /secrets/x`).
    pub object: Option<String>,
    /// The HTTP-style status answered.
    pub status: u16,
    /// The error code answered.
    pub code: String,
}

/// The core: storage behind its barrier, crypto providers, the clock and the authorizer.
#[derive(Debug)]
pub struct Vaultmort {
    storage: Arc<dyn Storage>,
    barrier: Barrier,
    software: Arc<dyn CryptoProvider>,
    clock: Arc<Clock>,
    tenant: Tenant,
    authorizer: Box<dyn Authorizer>,
}

impl Vaultmort {
    /// Opens the core over `storage` with `master`: unlocks the barrier (setting up a new store
    /// on first use), loads or creates the practice tenant, and restores the clock's shift.
    pub async fn open(storage: Arc<dyn Storage>, master: &MasterKey, clock: Arc<Clock>) -> Result<Self> {
        let mut tx = storage.begin().await?;
        let barrier = Barrier::unlock(tx.as_mut(), master, clock.now()).await?;
        let tenant = match tx.meta_get(TENANT_KEY).await? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(format!("tenant record: {e}")))?,
            None => {
                let tenant = Tenant {
                    tenant_id: uuid::Uuid::new_v4().to_string(),
                    default_subscription: Subscription { id: uuid::Uuid::new_v4().to_string(), name: "Practice subscription".into() },
                };
                let bytes = serde_json::to_vec(&tenant).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                tx.meta_put(TENANT_KEY, &bytes).await?;
                tenant
            }
        };
        if let Some(bytes) = tx.meta_get(CLOCK_OFFSET_KEY).await? {
            let text = String::from_utf8_lossy(&bytes);
            let seconds: i64 = text.parse().map_err(|_| StoreError::Corrupt(format!("clock offset '{text}'")))?;
            clock.set_offset(Duration::seconds(seconds));
        }
        tx.commit().await?;
        Ok(Self { storage, barrier, software: Arc::new(SoftwareProvider::new()), clock, tenant, authorizer: Box::new(OwnerOnly) })
    }

    /// Replaces the authorizer (the access-control layer plugs in here).
    pub fn with_authorizer(mut self, authorizer: Box<dyn Authorizer>) -> Self {
        self.authorizer = authorizer;
        self
    }

    /// The clock every rule reads.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The practice tenant.
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// Moves the installation's clock by `by` (negative moves it back) and keeps the shift in the
    /// store, so that every door sees the same time. Returns the new total shift.
    pub async fn shift_clock(&self, ctx: &RequestContext, by: Duration) -> Result<Duration> {
        let mut req = self.request(ctx, authz::actions::CLOCK_SHIFT).await?;
        let result = async {
            req.authorize(authz::Scope::Tenant)?;
            let total = self.clock.offset() + by;
            req.tx.meta_put(CLOCK_OFFSET_KEY, total.num_seconds().to_string().as_bytes()).await?;
            Ok(total)
        }
        .await;
        let total = req.finish(result).await?;
        self.clock.set_offset(total);
        Ok(total)
    }

    /// Sets the clock's shift back to zero.
    pub async fn reset_clock(&self, ctx: &RequestContext) -> Result<()> {
        let offset = self.clock.offset();
        self.shift_clock(ctx, -offset).await.map(|_| ())
    }

    /// Records a request a door refused before any operation ran (no valid token, a malformed
    /// request, an unknown route), so that every request leaves one audit record. Requests that
    /// reach an operation are audited by the pipeline instead.
    pub async fn audit_refusal(&self, ctx: &RequestContext, refusal: &DoorRefusal) -> Result<()> {
        let record = storage::AuditRecord {
            sequence: 0,
            time: self.clock.now(),
            operation: refusal.operation.clone(),
            caller_object_id: ctx.principal.object_id.clone(),
            caller_name: ctx.principal.name.clone(),
            client_address: ctx.source.to_string(),
            door: serde_json::to_value(ctx.door).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            vault: refusal.vault.clone(),
            object: refusal.object.clone(),
            status: refusal.status,
            error_code: Some(refusal.code.clone()),
            duration_micros: 0,
            rule: "refused by the door before authorization".to_string(),
        };
        let unavailable = |e: StoreError| Error::AuditUnavailable(e.to_string());
        let mut tx = self.storage.begin().await.map_err(unavailable)?;
        tx.audit_append(&record).await.map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)
    }

    /// Reads the access log, oldest first, after sequence `after`, at most `limit` records.
    pub async fn audit_log(&self, ctx: &RequestContext, after: i64, limit: i64) -> Result<Vec<storage::AuditRecord>> {
        let mut req = self.request(ctx, authz::actions::LOG_READ).await?;
        let result = async {
            req.authorize(authz::Scope::Tenant)?;
            Ok(req.tx.audit_list(after, limit).await?)
        }
        .await;
        req.finish(result).await
    }
}
