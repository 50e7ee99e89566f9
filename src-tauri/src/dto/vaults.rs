//! Vault views and inputs (`commands::vaults`).

use super::iso;
use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_core::address::vault_url;
use vaultmort_core::model::{Sku, Vault};

/// A vault's pricing tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum SkuName {
    /// Software-protected keys.
    Standard,
    /// Software- and HSM-protected keys.
    Premium,
}

impl From<Sku> for SkuName {
    fn from(sku: Sku) -> Self {
        match sku {
            Sku::Standard => Self::Standard,
            Sku::Premium => Self::Premium,
        }
    }
}

impl From<SkuName> for Sku {
    fn from(sku: SkuName) -> Self {
        match sku {
            SkuName::Standard => Sku::Standard,
            SkuName::Premium => Sku::Premium,
        }
    }
}

/// A key vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VaultView {
    /// Vault name.
    pub name: String,
    /// The resource group it is in.
    pub resource_group: String,
    /// Location.
    pub location: String,
    /// Pricing tier.
    pub sku: SkuName,
    /// Days a deleted object stays recoverable.
    pub retention_days: u32,
    /// Whether purge protection is on (it cannot be turned off).
    pub purge_protection: bool,
    /// Whether the data plane uses Azure RBAC instead of access policies.
    pub rbac_authorization: bool,
    /// Whether the REST API throttles this vault like Key Vault's service limits.
    pub practice_throttling: bool,
    /// `https://<vault>.localhost:<port>/`.
    pub vault_uri: String,
    /// The Azure resource id (the scope of role assignments on the vault).
    pub resource_id: String,
    /// Creation time.
    pub created: String,
}

impl From<Vault> for VaultView {
    fn from(vault: Vault) -> Self {
        Self {
            vault_uri: format!("{}/", vault_url(&vault.name)),
            resource_id: vault.resource_id(),
            name: vault.name,
            resource_group: vault.resource_group,
            location: vault.location,
            sku: vault.sku.into(),
            retention_days: vault.soft_delete_retention_days,
            purge_protection: vault.purge_protection,
            rbac_authorization: vault.rbac_authorization,
            practice_throttling: vault.practice_throttling,
            created: iso(vault.created),
        }
    }
}

/// What `create_vault` needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateVaultInput {
    /// Vault name (3 to 24 letters, digits and hyphens; see `check_vault_name`).
    pub name: String,
    /// An existing resource group.
    pub resource_group: String,
    /// Location; the resource group's when null.
    pub location: Option<String>,
    /// Pricing tier.
    pub sku: SkuName,
    /// Soft-delete retention, 7 to 90 days.
    pub retention_days: u32,
    /// Turn purge protection on.
    pub purge_protection: bool,
}
