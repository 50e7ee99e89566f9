//! The GUI-free core of Vaultmort, an offline Azure Key Vault.
//!
//! [`Vaultmort`] is the one object every door (desktop app, CLI, REST API) calls. Each operation
//! takes a [`RequestContext`] and a typed request, passes the pipeline in [`pipeline`]
//! (authenticate, firewall, authorize, run, audit, in one storage transaction) and returns a
//! typed result or an [`Error`] with an Azure-style code.
//!
//! What lives here: the domain model, name rules, the clock, the storage seam and its barrier
//! (envelope encryption), vaults, keys, secrets, soft delete, backup and restore, and access
//! control: the practice directory ([`directory`]), RBAC ([`roles`]), access policies
//! ([`access_policy`]), the firewall ([`firewall`]) and the hash-chained access log ([`audit`]);
//! the key catalog doors offer choices from ([`catalog`]) and the expiring-soon report
//! ([`expiring`]).
//! What does not:
//! any storage engine (see `vaultmort-store-sqlite`), where the master key comes from (see
//! `vaultmort-home`), and any presentation.
//!
//! # How it reads, bottom up
//!
//! 1. **Words and records**, which import nothing above them: [`Error`] (the one wire form of
//!    every failure), [`clock`], [`context`] (who calls, through which door), [`names`] (name
//!    and tag rules), and [`model`]: the records a vault and the directory hold ([`model`] for
//!    vaults, groups and attributes, [`model::access`] for access policies, firewall settings
//!    and roles, [`model::issuer`] for issuers and contacts).
//! 2. **The storage seam**: [`audit_chain`] (the access log's record and its hash chain),
//!    [`storage`] (the [`Storage`] and transaction traits a backend implements) and [`barrier`]
//!    (what is sealed before it is written).
//! 3. **The rules**: [`authz`] (one authorization decision, a pure function of the records) and
//!    the pipeline every operation passes (authenticate, firewall, authorize, run, audit).
//! 4. **Operations**, each an `impl Vaultmort` block over the pipeline: [`vaults`],
//!    [`groups`], [`directory`], [`roles`], [`access_policy`], [`firewall`], [`secrets`],
//!    [`keys`], [`certificates`], [`issuers`], [`rotation`], [`renewal`], [`backup`] and
//!    [`audit`]. [`objects`] holds what the object kinds share.
//!
//! The operation modules still call each other where one operation is built from another (a
//! certificate makes a key and a secret); records and rules never call up into them.
#![forbid(unsafe_code)]

pub mod access_check;
pub mod access_policy;
pub mod address;
pub mod appservice;
pub mod audit;
pub mod audit_chain;
mod audit_queue;
pub mod authz;
pub mod backup;
pub mod barrier;
pub mod catalog;
pub mod certificates;
pub mod clock;
pub mod context;
pub mod directory;
mod error;
pub mod expiring;
pub mod firewall;
pub mod groups;
pub mod hsm;
pub mod issuers;
pub mod keys;
pub mod lifecycle;
pub mod model;
pub mod names;
pub mod objects;
mod pipeline;
mod practice_ca;
pub mod renewal;
pub mod roles;
pub mod rotation;
pub mod secrets;
pub mod seed;
mod shared_settings;
pub mod storage;
pub mod vaults;

use std::sync::Arc;

use chrono::Duration;
use vaultmort_crypto::{CryptoProvider, SoftwareProvider};

pub use authz::{Authorizer, AzureRules};
pub use barrier::MasterKey;
pub use clock::Clock;
pub use context::{Door, Principal, RequestContext};
pub use error::{Error, ObjectKind, Result, StoreError, WireError, one_error_of_every_kind};
pub use model::Tenant;
pub use storage::Storage;

use crate::barrier::Barrier;
use crate::model::Subscription;

const TENANT_KEY: &str = "tenant";
/// Set once the local owner's role assignments (and, for stores made before access control,
/// its access policies on existing vaults) have been put in place.
const ACCESS_SEEDED_KEY: &str = "access.seeded";

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
pub struct Vaultmort {
    storage: Arc<dyn Storage>,
    barrier: Barrier,
    software: Arc<dyn CryptoProvider>,
    /// The home's HSM (PKCS#11), opened on first use.
    hsm: hsm::HsmSlot,
    clock: Arc<Clock>,
    tenant: Tenant,
    authorizer: Box<dyn Authorizer>,
    /// The key for keyed digests (audit parameters, client secrets), derived from the master key.
    digest_key: aws_lc_rs::hmac::Key,
    /// The access log's chain key, derived from the master key.
    audit: Arc<audit_queue::AuditQueue>,
    /// Vaults with practice throttling on, for doors to look up without the store.
    throttled: vaults::ThrottledVaults,
    /// When the clock's shift and `throttled` were last loaded from the store.
    shared: shared_settings::SharedSettingsWatch,
}

impl std::fmt::Debug for Vaultmort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vaultmort")
            .field("storage", &self.storage)
            .field("tenant", &self.tenant)
            .field("authorizer", &self.authorizer)
            .finish_non_exhaustive()
    }
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
        // The stamp before the settings: what the store shows is at least as new as it.
        let stamp = storage.shared_change_stamp()?;
        clock.set_offset(shared_settings::read_clock_offset(tx.meta_get(shared_settings::CLOCK_OFFSET_KEY).await?)?);
        seed_access(tx.as_mut(), &tenant, clock.now()).await?;
        let active = tx.vault_list(&storage::VaultFilter { resource_group: None, deleted: false }).await?;
        let throttled = vaults::ThrottledVaults::from_vaults(&active);
        tx.commit().await?;
        let digest_key = audit::derive_digest_key(master.expose());
        let audit = Arc::new(audit_queue::AuditQueue::new(storage.clone(), audit::AuditChain::new(master.expose())));
        Ok(Self {
            storage,
            barrier,
            software: Arc::new(SoftwareProvider::new()),
            hsm: hsm::HsmSlot::default(),
            clock,
            tenant,
            authorizer: Box::new(AzureRules),
            digest_key,
            audit,
            throttled,
            shared: shared_settings::SharedSettingsWatch::loaded_at(stamp),
        })
    }

    /// Gives the core its practice HSM folder (`<home>/hsm`), where Vaultmort's own SoftHSM
    /// token is made on first use. Without it only a configured PKCS#11 module can hold HSM keys.
    pub fn with_practice_hsm_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.hsm = hsm::HsmSlot::new(Some(dir));
        self
    }

    /// Replaces the authorizer ([`AzureRules`] by default).
    pub fn with_authorizer(mut self, authorizer: Box<dyn Authorizer>) -> Self {
        self.authorizer = authorizer;
        self
    }

    /// The clock every rule reads. A door that reads it outside an operation (a token's lifetime,
    /// say) calls [`Vaultmort::catch_up`] first, so that a shift made by another process counts.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Brings the settings this process keeps in memory (the clock's shift, practice throttling)
    /// up to date with changes another process sharing the store announced. Cheap when nothing
    /// changed; every operation calls it first, and a door calls it before reading the clock or
    /// the throttling switches outside an operation.
    pub async fn catch_up(&self) -> Result<()> {
        self.shared.catch_up(self.storage.as_ref(), &self.clock, &self.throttled).await
    }

    /// Tells the other processes sharing the store that a shared setting changed (after its
    /// commit).
    pub(crate) fn announce_shared_change(&self) -> Result<()> {
        Ok(self.storage.announce_shared_change()?)
    }

    /// The practice tenant.
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// Moves the installation's clock by `by` (negative moves it back) and keeps the shift in the
    /// store, so that every door sees the same time. Returns the new total shift.
    pub async fn shift_clock(&self, ctx: &RequestContext, by: Duration) -> Result<Duration> {
        self.set_clock_shift(ctx, |stored| stored + by).await
    }

    /// Sets the clock's shift back to zero.
    pub async fn reset_clock(&self, ctx: &RequestContext) -> Result<()> {
        self.set_clock_shift(ctx, |_| Duration::zero()).await.map(|_| ())
    }

    /// Replaces the stored shift with `new(stored)`, reading it under the write lock (another
    /// process may have moved it since this one loaded it), and announces the change.
    async fn set_clock_shift(&self, ctx: &RequestContext, new: impl FnOnce(Duration) -> Duration + Send) -> Result<Duration> {
        let mut req = self.request(ctx, authz::actions::CLOCK_SHIFT).await?;
        let result = async {
            req.authorize(authz::Scope::Tenant).await?;
            let stored = shared_settings::read_clock_offset(req.tx.meta_get(shared_settings::CLOCK_OFFSET_KEY).await?)?;
            let total = new(stored);
            req.tx.meta_put(shared_settings::CLOCK_OFFSET_KEY, total.num_seconds().to_string().as_bytes()).await?;
            Ok(total)
        }
        .await;
        let total = req.finish(result).await?;
        self.clock.set_offset(total);
        self.announce_shared_change()?;
        Ok(total)
    }

    /// Records a request a door refused before any operation ran (no valid token, a malformed
    /// request, an unknown route), so that every request leaves one audit record. Requests that
    /// reach an operation are audited by the pipeline instead.
    pub async fn audit_refusal(&self, ctx: &RequestContext, refusal: &DoorRefusal) -> Result<()> {
        self.catch_up().await?;
        let record = storage::AuditRecord {
            sequence: 0,
            time: self.clock.now(),
            operation: refusal.operation.clone(),
            caller_object_id: ctx.principal.object_id.clone(),
            caller_name: ctx.principal.name.clone(),
            caller_type: ctx.principal.kind.as_str().to_string(),
            client_address: ctx.source.to_string(),
            door: ctx.door.as_str().to_string(),
            vault: refusal.vault.clone(),
            object: refusal.object.clone(),
            status: refusal.status,
            error_code: Some(refusal.code.clone()),
            duration_micros: 0,
            rule: "refused by the door before authorization".to_string(),
            flags: Vec::new(),
            parameters: Default::default(),
            previous_hash: String::new(),
            hash: String::new(),
        };
        self.audit.append(record).await
    }

    /// Reads the access log, oldest first, after sequence `after`, at most `limit` records.
    pub async fn audit_log(&self, ctx: &RequestContext, after: i64, limit: i64) -> Result<Vec<storage::AuditRecord>> {
        let mut req = self.request(ctx, authz::actions::LOG_READ).await?;
        let result = async {
            req.authorize(authz::Scope::Tenant).await?;
            Ok(req.tx.audit_list(after, limit).await?)
        }
        .await;
        req.finish(result).await
    }
}

/// Puts the practice directory's built-in principals in place and, once per store, makes the
/// local owner Owner of the tenant root and of the default subscription. A store made before
/// access control existed also gets the owner's full access policy on each of its
/// access-policy vaults, so that nothing the owner could do before is lost.
async fn seed_access(tx: &mut dyn storage::Transaction, tenant: &Tenant, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    directory::seed(tx, now).await?;
    if tx.meta_get(ACCESS_SEEDED_KEY).await?.is_some() {
        return Ok(());
    }
    let owner_role = roles::built_in_roles()
        .into_iter()
        .find(|r| r.name == "Owner")
        .ok_or_else(|| Error::Integrity("the Owner role is missing".into()))?;
    for scope in ["/".to_string(), format!("/subscriptions/{}", tenant.default_subscription.id)] {
        let assignment = roles::RoleAssignment {
            id: uuid::Uuid::new_v4().to_string(),
            principal_id: context::LOCAL_OWNER_ID.to_string(),
            principal_type: "User".to_string(),
            role_definition_id: owner_role.id.clone(),
            role_definition_name: owner_role.name.clone(),
            scope,
            created: now,
        };
        roles::seed_assignment(tx, &assignment).await?;
    }
    for deleted in [false, true] {
        for mut vault in tx.vault_list(&storage::VaultFilter { resource_group: None, deleted }).await? {
            if !vault.rbac_authorization && vault.access_policies.is_empty() {
                vault.access_policies.push(access_policy::AccessPolicy {
                    tenant_id: tenant.tenant_id.clone(),
                    object_id: context::LOCAL_OWNER_ID.to_string(),
                    application_id: None,
                    permissions: access_policy::Permissions::all(),
                });
                tx.vault_put(&vault).await?;
            }
        }
    }
    tx.meta_put(ACCESS_SEEDED_KEY, b"1").await?;
    Ok(())
}
