//! The domain model: tenant, subscriptions, resource groups, vaults, and the attributes shared
//! by keys, secrets and certificates. These are the validated forms; raw input is parsed into
//! them by [`crate::names`] and the request types of each operation module.

pub mod access;
pub mod issuer;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Tags on a resource or object (at most 15, as in Azure).
pub type Tags = BTreeMap<String, String>;

/// The practice tenant of one installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// Tenant id (a GUID).
    pub tenant_id: String,
    /// The subscription new resource groups land in unless another is chosen.
    pub default_subscription: Subscription,
}

/// A practice subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Subscription id (a GUID).
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A resource group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    /// The subscription it belongs to.
    pub subscription_id: String,
    /// Its name.
    pub name: String,
    /// Its location.
    pub location: String,
    /// Its tags.
    #[serde(default)]
    pub tags: Tags,
}

impl ResourceGroup {
    /// The Azure resource id.
    pub fn resource_id(&self) -> String {
        format!("/subscriptions/{}/resourceGroups/{}", self.subscription_id, self.name)
    }
}

/// The vault pricing tier. Premium vaults may hold HSM-protected keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sku {
    /// Software-protected keys only.
    Standard,
    /// Software- and HSM-protected keys.
    Premium,
}

impl std::str::FromStr for Sku {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "standard" => Ok(Sku::Standard),
            "premium" => Ok(Sku::Premium),
            _ => Err(crate::Error::bad(format!("SKU '{s}' is not valid; use standard or premium"))),
        }
    }
}

impl std::fmt::Display for Sku {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sku::Standard => "standard",
            Sku::Premium => "premium",
        })
    }
}

/// When a deleted vault or object was deleted and when it will be purged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deletion {
    /// Time of the soft delete.
    pub deleted_at: DateTime<Utc>,
    /// Time after which it is purged for good.
    pub scheduled_purge: DateTime<Utc>,
}

/// A key vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vault {
    /// Internal id (a GUID), stable across soft delete and recovery.
    pub id: String,
    /// The vault name, unique in the tenant.
    pub name: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Subscription id.
    pub subscription_id: String,
    /// Resource group name.
    pub resource_group: String,
    /// Location.
    pub location: String,
    /// Pricing tier.
    pub sku: Sku,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// Days a deleted vault or object stays recoverable (7 to 90).
    pub soft_delete_retention_days: u32,
    /// Purge protection; once on, it cannot be turned off.
    pub purge_protection: bool,
    /// Whether data-plane access uses Azure RBAC instead of access policies.
    pub rbac_authorization: bool,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change.
    pub updated: DateTime<Utc>,
    /// Set while the vault is soft-deleted.
    #[serde(default)]
    pub deletion: Option<Deletion>,
    /// Certificate issuers configured in the vault.
    #[serde(default)]
    pub certificate_issuers: Vec<issuer::IssuerRecord>,
    /// Certificate contacts (notified by EmailContacts lifetime actions).
    #[serde(default)]
    pub certificate_contacts: Vec<issuer::Contact>,
    /// Access policies (the data plane's permissions unless `rbac_authorization`).
    #[serde(default)]
    pub access_policies: Vec<access::AccessPolicy>,
    /// Firewall settings.
    #[serde(default)]
    pub network_acls: access::NetworkAcls,
    /// Practice throttling: the REST door answers this vault as Key Vault does past its service
    /// limits (429 with `Retry-After`), so callers can practise their retry logic. Off unless set.
    #[serde(default)]
    pub practice_throttling: bool,
}

impl Vault {
    /// The Azure resource id.
    pub fn resource_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.KeyVault/vaults/{}",
            self.subscription_id, self.resource_group, self.name
        )
    }

    /// Key Vault's recovery level for objects in this vault.
    pub fn recovery_level(&self) -> &'static str {
        match (self.soft_delete_retention_days < 90, self.purge_protection) {
            (false, false) => "Recoverable+Purgeable",
            (false, true) => "Recoverable",
            (true, false) => "CustomizedRecoverable+Purgeable",
            (true, true) => "CustomizedRecoverable",
        }
    }
}

/// Attributes every key, secret and certificate version carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attributes {
    /// Whether the version may be used.
    pub enabled: bool,
    /// Not valid before this time.
    #[serde(default)]
    pub not_before: Option<DateTime<Utc>>,
    /// Not valid after this time.
    #[serde(default)]
    pub expires: Option<DateTime<Utc>>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change.
    pub updated: DateTime<Utc>,
}

impl Attributes {
    /// The attributes of a version made at `now` (created and last changed then).
    pub fn made_at(now: DateTime<Utc>, enabled: bool, not_before: Option<DateTime<Utc>>, expires: Option<DateTime<Utc>>) -> Self {
        Self { enabled, not_before, expires, created: now, updated: now }
    }
}

/// Attributes as a caller sets them: `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeChanges {
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// New not-before (`Some(None)` clears it).
    pub not_before: Option<Option<DateTime<Utc>>>,
    /// New expiry (`Some(None)` clears it).
    pub expires: Option<Option<DateTime<Utc>>>,
    /// New tags (replace all).
    pub tags: Option<Tags>,
}

impl AttributeChanges {
    /// Applies the changes to a version's attributes and tags.
    pub fn apply(&self, attributes: &mut Attributes, tags: &mut Tags, now: DateTime<Utc>) -> crate::Result<()> {
        if let Some(enabled) = self.enabled {
            attributes.enabled = enabled;
        }
        if let Some(nbf) = self.not_before {
            attributes.not_before = nbf;
        }
        if let Some(exp) = self.expires {
            attributes.expires = exp;
        }
        if let Some(new_tags) = &self.tags {
            crate::names::check_tags(new_tags)?;
            tags.clone_from(new_tags);
        }
        check_validity_window(attributes.not_before, attributes.expires)?;
        attributes.updated = now;
        Ok(())
    }
}

/// Refuses an expiry that is not after the not-before date.
pub fn check_validity_window(not_before: Option<DateTime<Utc>>, expires: Option<DateTime<Utc>>) -> crate::Result<()> {
    if let (Some(nbf), Some(exp)) = (not_before, expires)
        && exp <= nbf
    {
        {
            return Err(crate::Error::bad(format!(
                "the expiry ({}) must be later than the not-before date ({})",
                exp.to_rfc3339(),
                nbf.to_rfc3339()
            )));
        }
    }
    Ok(())
}

/// What every object's state shows about recovery, for attribute views.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recovery {
    /// Key Vault's recovery level string.
    pub recovery_level: String,
    /// Days the object stays recoverable after deletion.
    pub recoverable_days: u32,
}

impl Recovery {
    /// The recovery facts for objects in `vault`.
    pub fn of(vault: &Vault) -> Self {
        Self { recovery_level: vault.recovery_level().to_string(), recoverable_days: vault.soft_delete_retention_days }
    }
}
