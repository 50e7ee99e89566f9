//! The storage seam. The core speaks to any backend through [`Storage`] and its
//! [`Transaction`]: SQLite today, PostgreSQL for the team mode later.
//!
//! Storage is untrusted: what the core hands over in [`VersionRecord::sealed`] has already been
//! encrypted by the [`crate::barrier::Barrier`]; every other field is metadata that Key Vault
//! itself does not treat as secret (names, attributes, tags, public keys).
//!
//! Every request runs in one transaction, so a refused or failed request leaves nothing behind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::audit_chain::AuditRecord;
use crate::error::{ObjectKind, StoreError};
use crate::model::{Deletion, ResourceGroup, Vault};

/// The state of one named object (key, secret or certificate) in a vault, all versions together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectRecord {
    /// The vault's internal id.
    pub vault_id: String,
    /// Key, secret or certificate.
    pub kind: ObjectKind,
    /// The object's name.
    pub name: String,
    /// Set while soft-deleted.
    pub deletion: Option<Deletion>,
    /// Object-level data that is not per version (rotation policy, certificate policy, ...).
    pub properties: serde_json::Value,
}

/// One version of an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionRecord {
    /// The vault's internal id.
    pub vault_id: String,
    /// Key, secret or certificate.
    pub kind: ObjectKind,
    /// The object's name.
    pub name: String,
    /// The version id.
    pub version: String,
    /// Ordering of versions within the object: larger is newer.
    pub sequence: i64,
    /// Creation time, for listing.
    pub created: DateTime<Utc>,
    /// Per-kind metadata (attributes, tags, key parameters, content type).
    pub properties: serde_json::Value,
    /// Sealed secret value or key handle, produced by the barrier; never plaintext.
    pub sealed: Option<Vec<u8>>,
}

/// What a directory entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EntryKind {
    /// A user, group, service principal or managed identity ([`crate::directory::DirectoryObject`]).
    Principal,
    /// A custom role ([`crate::roles::RoleDefinition`]).
    RoleDefinition,
    /// A role assignment ([`crate::roles::RoleAssignment`]).
    RoleAssignment,
    /// A practice virtual network ([`crate::directory::VirtualNetwork`]).
    VirtualNetwork,
}

impl EntryKind {
    /// The stored name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Principal => "principal",
            EntryKind::RoleDefinition => "roleDefinition",
            EntryKind::RoleAssignment => "roleAssignment",
            EntryKind::VirtualNetwork => "virtualNetwork",
        }
    }

    /// The kind back from its stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [EntryKind::Principal, EntryKind::RoleDefinition, EntryKind::RoleAssignment, EntryKind::VirtualNetwork]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// One record of the practice directory or of access control, stored as JSON under its kind
/// and id. None of them holds a secret value (client secrets are kept as keyed digests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// What it is.
    pub kind: EntryKind,
    /// Its id (object id, role id, assignment id, network name).
    pub id: String,
    /// A name for listing and ordering.
    pub name: String,
    /// The record.
    pub body: serde_json::Value,
}

/// What a management-plane resource of another provider than Key Vault is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
    /// A practice subscription made besides the default one.
    Subscription,
    /// An App Service plan (`Microsoft.Web/serverfarms`).
    AppServicePlan,
    /// A web app (`Microsoft.Web/sites`).
    WebApp,
    /// An App Service certificate (`Microsoft.Web/certificates`); its private key is sealed.
    WebCertificate,
    /// A practice DNS zone with its record sets (`Microsoft.Network/dnsZones`).
    DnsZone,
}

impl ResourceKind {
    /// Every kind, in a fixed order.
    pub const ALL: [ResourceKind; 5] = [
        ResourceKind::Subscription,
        ResourceKind::AppServicePlan,
        ResourceKind::WebApp,
        ResourceKind::WebCertificate,
        ResourceKind::DnsZone,
    ];

    /// The stored name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Subscription => "subscription",
            ResourceKind::AppServicePlan => "appServicePlan",
            ResourceKind::WebApp => "webApp",
            ResourceKind::WebCertificate => "webCertificate",
            ResourceKind::DnsZone => "dnsZone",
        }
    }

    /// The kind back from its stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One management-plane resource, stored as JSON under its kind and id (its Azure resource id,
/// compared without case). What must stay secret about it is in `sealed`, sealed by the barrier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRecord {
    /// What it is.
    pub kind: ResourceKind,
    /// Its resource id.
    pub id: String,
    /// Its name, for listing and ordering.
    pub name: String,
    /// The record.
    pub body: serde_json::Value,
    /// Sealed private content, if it has any.
    pub sealed: Option<Vec<u8>>,
}

/// Something a vault raised by itself: an Event Grid-style event (`CertificateNearExpiry`,
/// `CertificateExpired`, `CertificateNewVersionCreated`) or a notification for its certificate
/// contacts (`CertificateContactsNotified`, the EmailContacts outbox).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    /// Position (assigned by storage when appended; 0 before).
    pub sequence: i64,
    /// When it happened (shifted clock).
    pub time: DateTime<Utc>,
    /// The vault's internal id.
    pub vault_id: String,
    /// The vault's name.
    pub vault_name: String,
    /// The event type.
    pub event_type: String,
    /// The object it concerns (`certificates/name/version`).
    pub subject: String,
    /// Event details (never secret values).
    pub data: serde_json::Value,
}

/// The access log as of one moment: every record, oldest first, and the chain head that was
/// stored with the newest of them ([`Transaction::audit_snapshot`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSnapshot {
    /// Every record, oldest first.
    pub records: Vec<AuditRecord>,
    /// The chain head, `None` when no chained record was ever appended.
    pub head: Option<crate::audit_chain::ChainHead>,
}

/// A vault with one of its objects and one version, found together.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The vault (active or soft-deleted).
    pub vault: Vault,
    /// The object, if the vault has one of that kind and name.
    pub object: Option<ObjectRecord>,
    /// The version asked for (or the newest), if it exists.
    pub version: Option<VersionRecord>,
}

/// Filters for listing vaults.
#[derive(Debug, Clone, Default)]
pub struct VaultFilter {
    /// Only in this resource group.
    pub resource_group: Option<String>,
    /// `false`: active vaults; `true`: soft-deleted vaults.
    pub deleted: bool,
}

/// A storage backend.
#[async_trait::async_trait]
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// Starts a read-write transaction; it takes the write lock at once so that two writers never
    /// interleave.
    async fn begin(&self) -> Result<Box<dyn Transaction>, StoreError>;

    /// Starts a read session for a request that changes nothing but its audit record: reads
    /// take no write lock, and each write (the audit record) is durable on its own. Backends
    /// without such a mode use a transaction.
    async fn begin_read(&self) -> Result<Box<dyn Transaction>, StoreError> {
        self.begin().await
    }

    /// A value that changes whenever any process sharing this store calls
    /// [`Storage::announce_shared_change`]. It is how a process that keeps shared settings in
    /// memory (the clock's shift, practice throttling) notices that another process changed
    /// them, without reading the store on every request; so it must be cheap, as it is read
    /// once per request. Opaque: only compared for equality.
    fn shared_change_stamp(&self) -> Result<ChangeStamp, StoreError>;

    /// Tells every process sharing this store that shared settings changed. Called after the
    /// change is committed, so whoever sees the new stamp and reads the store sees the change.
    fn announce_shared_change(&self) -> Result<(), StoreError>;
}

/// What [`Storage::shared_change_stamp`] returns: opaque bytes, compared for equality.
pub type ChangeStamp = Vec<u8>;

/// The most access-log records the core hands to [`Transaction::audit_append_all`] at once.
pub const AUDIT_GROUP_LIMIT: usize = 128;

/// One transaction. Dropping it without [`Transaction::commit`] rolls it back.
#[async_trait::async_trait]
pub trait Transaction: Send {
    /// Reads a metadata value.
    async fn meta_get(&mut self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Writes a metadata value.
    async fn meta_put(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError>;

    /// Reads a wrapped data key.
    async fn data_key_get(&mut self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    /// The newest data key id, if any.
    async fn data_key_latest(&mut self) -> Result<Option<i64>, StoreError>;
    /// Stores a wrapped data key under a new id and returns the id.
    async fn data_key_insert(&mut self, wrapped: &[u8], created: DateTime<Utc>) -> Result<i64, StoreError>;

    /// A resource group by name (case-insensitive).
    async fn resource_group_get(&mut self, subscription_id: &str, name: &str) -> Result<Option<ResourceGroup>, StoreError>;
    /// Inserts or replaces a resource group.
    async fn resource_group_put(&mut self, group: &ResourceGroup) -> Result<(), StoreError>;
    /// Removes a resource group.
    async fn resource_group_delete(&mut self, subscription_id: &str, name: &str) -> Result<(), StoreError>;
    /// Lists resource groups of a subscription.
    async fn resource_group_list(&mut self, subscription_id: &str) -> Result<Vec<ResourceGroup>, StoreError>;

    /// A vault by name (case-insensitive), active or soft-deleted.
    async fn vault_get(&mut self, name: &str) -> Result<Option<Vault>, StoreError>;
    /// Inserts or replaces a vault.
    async fn vault_put(&mut self, vault: &Vault) -> Result<(), StoreError>;
    /// Removes a vault and everything in it, for good.
    async fn vault_purge(&mut self, vault_id: &str) -> Result<(), StoreError>;
    /// Lists vaults.
    async fn vault_list(&mut self, filter: &VaultFilter) -> Result<Vec<Vault>, StoreError>;
    /// Soft-deleted vaults whose purge date has passed.
    async fn vaults_due_for_purge(&mut self, now: DateTime<Utc>) -> Result<Vec<Vault>, StoreError>;

    /// An object by name (case-insensitive), active or soft-deleted.
    async fn object_get(&mut self, vault_id: &str, kind: ObjectKind, name: &str) -> Result<Option<ObjectRecord>, StoreError>;
    /// Inserts or replaces an object.
    async fn object_put(&mut self, object: &ObjectRecord) -> Result<(), StoreError>;
    /// Removes an object and all its versions, for good.
    async fn object_purge(&mut self, vault_id: &str, kind: ObjectKind, name: &str) -> Result<(), StoreError>;
    /// Lists objects of a kind, active (`deleted == false`) or soft-deleted.
    async fn object_list(&mut self, vault_id: &str, kind: ObjectKind, deleted: bool) -> Result<Vec<ObjectRecord>, StoreError>;
    /// Soft-deleted objects (in active vaults) whose purge date has passed.
    async fn objects_due_for_purge(&mut self, now: DateTime<Utc>) -> Result<Vec<ObjectRecord>, StoreError>;

    /// A version, or the newest when `version` is `None`.
    async fn version_get(
        &mut self,
        vault_id: &str,
        kind: ObjectKind,
        name: &str,
        version: Option<&str>,
    ) -> Result<Option<VersionRecord>, StoreError>;
    /// Finds a vault by name with an object of it and a version (the newest when `version` is
    /// `None`) in one step: the hot path of every read. `None` when there is no such vault.
    async fn resolve(
        &mut self,
        vault_name: &str,
        kind: ObjectKind,
        name: &str,
        version: Option<&str>,
    ) -> Result<Option<Resolved>, StoreError> {
        let Some(vault) = self.vault_get(vault_name).await? else { return Ok(None) };
        let object = self.object_get(&vault.id, kind, name).await?;
        let found = match &object {
            Some(object) => self.version_get(&vault.id, kind, &object.name, version).await?,
            None => None,
        };
        Ok(Some(Resolved { vault, object, version: found }))
    }
    /// Every version of an object, oldest first.
    async fn version_list(&mut self, vault_id: &str, kind: ObjectKind, name: &str) -> Result<Vec<VersionRecord>, StoreError>;
    /// Inserts or replaces a version.
    async fn version_put(&mut self, version: &VersionRecord) -> Result<(), StoreError>;

    /// Appends to the access log and returns the record's sequence number. The backend links the
    /// record to the hash chain with `chain` (see [`crate::audit_chain::AuditChain::link`]): it reads
    /// the chain head from metadata, stores the record with its hashes and moves the head, such
    /// that two appends never link to the same head, also in a read session (SQLite: a unique
    /// link index and a retry).
    async fn audit_append(&mut self, record: &AuditRecord, chain: &crate::audit_chain::AuditChain) -> Result<i64, StoreError>;
    /// Appends `records` in order, linked one after the other, and returns their sequence
    /// numbers; the access log's group commit calls it with at most [`AUDIT_GROUP_LIMIT`]
    /// records, in a read session ([`Storage::begin_read`]) followed by
    /// [`Transaction::commit`]. Up to that many records must land all or none, also in a read
    /// session (SQLite: one `INSERT` of several rows). The default appends one by one, which is
    /// right for backends whose read session is a transaction.
    async fn audit_append_all(&mut self, records: &[AuditRecord], chain: &crate::audit_chain::AuditChain) -> Result<Vec<i64>, StoreError> {
        let mut sequences = Vec::with_capacity(records.len());
        for record in records {
            sequences.push(self.audit_append(record, chain).await?);
        }
        Ok(sequences)
    }
    /// Reads the access log, oldest first, from `after` (exclusive), at most `limit` records.
    async fn audit_list(&mut self, after: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError>;
    /// Reads the whole access log, oldest first, and its chain head as of one moment, also in a
    /// read session (SQLite: one read transaction): another session or process appending
    /// between the two reads must never make them disagree, or a growing log would look
    /// truncated to [`crate::audit_chain::AuditChain::verify`]. The default reads both in turn, which
    /// is right for backends whose read session is a transaction.
    async fn audit_snapshot(&mut self) -> Result<AuditSnapshot, StoreError> {
        let records = self.audit_list(0, i64::MAX).await?;
        let head = self
            .meta_get(crate::audit_chain::CHAIN_HEAD_KEY)
            .await?
            .map(|bytes| crate::audit_chain::ChainHead::decode(&bytes))
            .transpose()?;
        Ok(AuditSnapshot { records, head })
    }

    /// Appends an event and returns its sequence number.
    async fn event_append(&mut self, event: &EventRecord) -> Result<i64, StoreError>;
    /// Reads events, oldest first, after `after` (exclusive), at most `limit`; all vaults when
    /// `vault_id` is `None`.
    async fn event_list(&mut self, vault_id: Option<&str>, after: i64, limit: i64) -> Result<Vec<EventRecord>, StoreError>;

    /// A directory entry by kind and id (case-insensitive).
    async fn directory_get(&mut self, kind: EntryKind, id: &str) -> Result<Option<DirectoryEntry>, StoreError>;
    /// Inserts or replaces a directory entry.
    async fn directory_put(&mut self, entry: &DirectoryEntry) -> Result<(), StoreError>;
    /// Every entry of a kind, by name.
    async fn directory_list(&mut self, kind: EntryKind) -> Result<Vec<DirectoryEntry>, StoreError>;
    /// Removes a directory entry (nothing happens when it is missing).
    async fn directory_delete(&mut self, kind: EntryKind, id: &str) -> Result<(), StoreError>;

    /// A management-plane resource by kind and id (case-insensitive).
    async fn resource_get(&mut self, kind: ResourceKind, id: &str) -> Result<Option<ResourceRecord>, StoreError>;
    /// Inserts or replaces a resource.
    async fn resource_put(&mut self, record: &ResourceRecord) -> Result<(), StoreError>;
    /// Every resource of a kind, by name then id.
    async fn resource_list(&mut self, kind: ResourceKind) -> Result<Vec<ResourceRecord>, StoreError>;
    /// Removes a resource (nothing happens when it is missing).
    async fn resource_delete(&mut self, kind: ResourceKind, id: &str) -> Result<(), StoreError>;

    /// Makes the transaction's changes durable.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}
