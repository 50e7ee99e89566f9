//! Vaults: create, show, list, update, soft delete, recover, purge, and the retention sweep that
//! purges what has stayed deleted past its retention period.
//!
//! Each vault's practice-throttling switch is also kept in memory ([`ThrottledVaults`]), so that
//! a door can ask "is this vault throttled?" on every request without reading the store. The set
//! is loaded when the core opens and changed by this core's own vault writes after they commit;
//! a write that changes it is announced, so that another process on the same store (a server
//! beside the CLI's `keyvault update`) reloads it before its next request (see
//! `shared_settings`).

use chrono::Duration;

use crate::authz::{Scope, actions};
use crate::context::{Door, Principal, PrincipalKind, RequestContext};
use crate::model::{Deletion, Sku, Tags, Vault};
use crate::storage::VaultFilter;
use crate::{Error, ObjectKind, Result, Vaultmort, names};

/// Days of soft-delete retention when none is given.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// A request to create a vault.
#[derive(Debug, Clone)]
pub struct CreateVault {
    /// Vault name.
    pub name: String,
    /// Resource group (must exist).
    pub resource_group: String,
    /// Location; the resource group's when `None`.
    pub location: Option<String>,
    /// Pricing tier.
    pub sku: Sku,
    /// Tags.
    pub tags: Tags,
    /// Soft-delete retention, 7 to 90 days.
    pub retention_days: u32,
    /// Turn purge protection on.
    pub purge_protection: bool,
    /// Use Azure RBAC for the data plane.
    pub rbac_authorization: bool,
    /// Firewall settings.
    pub network_acls: crate::model::access::NetworkAcls,
}

impl CreateVault {
    /// A request with Azure's defaults: standard SKU, 90 days, no purge protection, access policies.
    pub fn new(name: impl Into<String>, resource_group: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            resource_group: resource_group.into(),
            location: None,
            sku: Sku::Standard,
            tags: Tags::new(),
            retention_days: DEFAULT_RETENTION_DAYS,
            purge_protection: false,
            rbac_authorization: false,
            network_acls: crate::model::access::NetworkAcls::default(),
        }
    }
}

/// Changes to a vault; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct UpdateVault {
    /// New SKU.
    pub sku: Option<Sku>,
    /// New tags (replace all).
    pub tags: Option<Tags>,
    /// Purge protection: only `true` is accepted once it is on.
    pub purge_protection: Option<bool>,
    /// RBAC authorization on or off.
    pub rbac_authorization: Option<bool>,
    /// Retention days; Azure fixes this at creation, so a different value is refused.
    pub retention_days: Option<u32>,
    /// Firewall settings (default action, bypass, public network access).
    pub network: crate::firewall::NetworkChanges,
    /// Practice throttling on or off (see [`Vault::practice_throttling`]).
    pub practice_throttling: Option<bool>,
}

/// The names of the active vaults with practice throttling on, held in memory for a cheap
/// per-request lookup (see the module docs for what it does not see).
#[derive(Debug, Default)]
pub struct ThrottledVaults {
    names: std::sync::RwLock<Vec<String>>,
}

impl ThrottledVaults {
    /// The set as these vaults have it.
    pub(crate) fn from_vaults<'a>(vaults: impl IntoIterator<Item = &'a Vault>) -> Self {
        let set = Self::default();
        set.replace_with(vaults);
        set
    }

    /// Whether `vault` (any case) is throttled. No allocation; free when no vault is throttled.
    pub fn contains(&self, vault: &str) -> bool {
        let names = self.names.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        !names.is_empty() && names.iter().any(|name| name.eq_ignore_ascii_case(vault))
    }

    /// Records a vault's setting as it now stands in the store (a deleted vault is never
    /// throttled). Returns whether that changed the set.
    pub(crate) fn remember(&self, vault: &Vault) -> bool {
        self.set(&vault.name, vault.practice_throttling && vault.deletion.is_none())
    }

    /// Forgets a purged vault. Returns whether that changed the set.
    pub(crate) fn forget(&self, vault: &str) -> bool {
        self.set(vault, false)
    }

    /// Replaces the whole set with these (active) vaults' settings.
    pub(crate) fn replace_with<'a>(&self, vaults: impl IntoIterator<Item = &'a Vault>) {
        let on: Vec<String> = vaults
            .into_iter()
            .filter(|vault| vault.practice_throttling && vault.deletion.is_none())
            .map(|vault| vault.name.to_ascii_lowercase())
            .collect();
        *self.names.write().unwrap_or_else(std::sync::PoisonError::into_inner) = on;
    }

    fn set(&self, vault: &str, on: bool) -> bool {
        let mut names = self.names.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = names.len();
        names.retain(|name| !name.eq_ignore_ascii_case(vault));
        let was_on = names.len() != before;
        if on {
            names.push(vault.to_ascii_lowercase());
        }
        was_on != on
    }
}

/// What one retention sweep purged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Vault names purged.
    pub vaults: Vec<String>,
    /// Objects purged, as `vault/kind/name`.
    pub objects: Vec<String>,
}

fn check_retention(days: u32) -> Result<()> {
    if !(7..=90).contains(&days) {
        return Err(Error::bad(format!("soft-delete retention must be 7 to 90 days, not {days}")));
    }
    Ok(())
}

impl Vaultmort {
    /// Announces a change of the throttling set to the other processes sharing the store, when
    /// there was one (`changed`).
    fn throttling_changed(&self, changed: bool) -> Result<()> {
        if changed { self.announce_shared_change() } else { Ok(()) }
    }

    /// Creates a vault in an existing resource group.
    pub async fn create_vault(&self, ctx: &RequestContext, request: CreateVault) -> Result<Vault> {
        let mut req = self.request(ctx, actions::VAULT_PUT).await?;
        let subscription = self.tenant.default_subscription.id.clone();
        let result = async {
            req.set_vault(&request.name);
            names::check_vault_name(&request.name)?;
            check_retention(request.retention_days)?;
            names::check_tags(&request.tags)?;
            if let Some(location) = &request.location {
                names::check_location(location)?;
            }
            req.authorize(Scope::ResourceGroup { subscription_id: &subscription, name: &request.resource_group }).await?;
            for rule in &request.network_acls.ip_rules {
                crate::firewall::parse_ipv4_rule(rule)?;
            }
            for subnet in &request.network_acls.virtual_network_rules {
                crate::directory::subnet_by_id(req.tx.as_mut(), subnet).await?;
            }
            let group = req
                .tx
                .resource_group_get(&subscription, &request.resource_group)
                .await?
                .ok_or_else(|| Error::ResourceGroupNotFound(request.resource_group.clone()))?;
            if let Some(existing) = req.tx.vault_get(&request.name).await? {
                let message = if existing.deletion.is_some() {
                    format!(
                        "a deleted vault named '{}' exists; recover it with 'keyvault recover' or purge it before reusing the name",
                        existing.name
                    )
                } else {
                    format!("the vault name '{}' is already in use in this tenant", existing.name)
                };
                return Err(Error::VaultAlreadyExists { message });
            }
            let vault = Vault {
                id: uuid::Uuid::new_v4().to_string(),
                name: request.name.clone(),
                tenant_id: self.tenant.tenant_id.clone(),
                subscription_id: subscription.clone(),
                resource_group: group.name.clone(),
                location: request.location.clone().map(|l| l.to_ascii_lowercase()).unwrap_or(group.location.clone()),
                sku: request.sku,
                tags: request.tags.clone(),
                soft_delete_retention_days: request.retention_days,
                purge_protection: request.purge_protection,
                rbac_authorization: request.rbac_authorization,
                created: req.now,
                updated: req.now,
                deletion: None,
                certificate_issuers: Vec::new(),
                certificate_contacts: Vec::new(),
                // As `az keyvault create` does: in access-policy mode the creator gets every
                // permission; in RBAC mode nobody has data access until a role is assigned.
                access_policies: if request.rbac_authorization {
                    Vec::new()
                } else {
                    vec![crate::model::access::AccessPolicy {
                        tenant_id: self.tenant.tenant_id.clone(),
                        object_id: ctx.principal.object_id.clone(),
                        application_id: None,
                        permissions: crate::model::access::Permissions::all(),
                    }]
                },
                network_acls: request.network_acls.clone(),
                practice_throttling: false,
            };
            req.tx.vault_put(&vault).await?;
            Ok(vault)
        }
        .await;
        let vault = req.finish(result).await?;
        self.throttling_changed(self.throttled.remember(&vault))?;
        Ok(vault)
    }

    /// Shows an active vault.
    pub async fn show_vault(&self, ctx: &RequestContext, name: &str) -> Result<Vault> {
        let mut req = self.request(ctx, actions::VAULT_GET).await?;
        let result = async {
            req.set_vault(name);
            let vault = active_vault(req.tx.as_mut(), name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            Ok(vault)
        }
        .await;
        req.finish(result).await
    }

    /// Lists active vaults, all or in one resource group.
    pub async fn list_vaults(&self, ctx: &RequestContext, resource_group: Option<&str>) -> Result<Vec<Vault>> {
        let mut req = self.request(ctx, actions::VAULT_LIST).await?;
        let subscription = self.tenant.default_subscription.id.clone();
        let result = async {
            match resource_group {
                Some(group) => {
                    req.authorize(Scope::ResourceGroup { subscription_id: &subscription, name: group }).await?;
                    if req.tx.resource_group_get(&subscription, group).await?.is_none() {
                        return Err(Error::ResourceGroupNotFound(group.to_string()));
                    }
                }
                None => req.authorize(Scope::Subscription(&subscription)).await?,
            }
            Ok(req.tx.vault_list(&VaultFilter { resource_group: resource_group.map(str::to_string), deleted: false }).await?)
        }
        .await;
        req.finish(result).await
    }

    /// Changes a vault's settings.
    pub async fn update_vault(&self, ctx: &RequestContext, name: &str, update: UpdateVault) -> Result<Vault> {
        let mut req = self.request(ctx, actions::VAULT_PATCH).await?;
        let result = async {
            req.set_vault(name);
            let mut vault = active_vault(req.tx.as_mut(), name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            if let Some(days) = update.retention_days {
                check_retention(days)?;
                if days != vault.soft_delete_retention_days {
                    return Err(Error::bad(format!(
                        "soft-delete retention is fixed when a vault is created ({} days for '{}')",
                        vault.soft_delete_retention_days, vault.name
                    )));
                }
            }
            if update.purge_protection == Some(false) && vault.purge_protection {
                return Err(Error::bad(format!("purge protection is on for '{}' and cannot be turned off", vault.name)));
            }
            if let Some(true) = update.purge_protection {
                vault.purge_protection = true;
            }
            if let Some(sku) = update.sku {
                vault.sku = sku;
            }
            if let Some(tags) = update.tags {
                names::check_tags(&tags)?;
                vault.tags = tags;
            }
            if let Some(rbac) = update.rbac_authorization {
                vault.rbac_authorization = rbac;
            }
            if let Some(on) = update.practice_throttling {
                vault.practice_throttling = on;
            }
            update.network.apply(&mut vault.network_acls);
            vault.updated = req.now;
            req.tx.vault_put(&vault).await?;
            Ok(vault)
        }
        .await;
        let vault = req.finish(result).await?;
        // Only after the commit, so a refused or failed update never changes what doors see.
        self.throttling_changed(self.throttled.remember(&vault))?;
        Ok(vault)
    }

    /// Whether practice throttling is on for the active vault `name` (any case): a lookup in
    /// memory, not an audited request, for a door to call on every request. See the module docs.
    pub fn practice_throttling(&self, name: &str) -> bool {
        self.throttled.contains(name)
    }

    /// Soft-deletes a vault; it and its objects stay recoverable for its retention period.
    pub async fn delete_vault(&self, ctx: &RequestContext, name: &str) -> Result<Vault> {
        let mut req = self.request(ctx, actions::VAULT_DELETE).await?;
        let result = async {
            req.set_vault(name);
            let mut vault = active_vault(req.tx.as_mut(), name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            vault.deletion = Some(Deletion {
                deleted_at: req.now,
                scheduled_purge: req.now + Duration::days(i64::from(vault.soft_delete_retention_days)),
            });
            req.tx.vault_put(&vault).await?;
            Ok(vault)
        }
        .await;
        let vault = req.finish(result).await?;
        self.throttling_changed(self.throttled.remember(&vault))?;
        Ok(vault)
    }

    /// Lists soft-deleted vaults.
    pub async fn list_deleted_vaults(&self, ctx: &RequestContext) -> Result<Vec<Vault>> {
        let mut req = self.request(ctx, actions::VAULT_GET_DELETED).await?;
        let subscription = self.tenant.default_subscription.id.clone();
        let result = async {
            req.authorize(Scope::Subscription(&subscription)).await?;
            Ok(req.tx.vault_list(&VaultFilter { resource_group: None, deleted: true }).await?)
        }
        .await;
        req.finish(result).await
    }

    /// Shows a soft-deleted vault.
    pub async fn show_deleted_vault(&self, ctx: &RequestContext, name: &str) -> Result<Vault> {
        let mut req = self.request(ctx, actions::VAULT_GET_DELETED).await?;
        let result = async {
            req.set_vault(name);
            let vault = deleted_vault(req.tx.as_mut(), name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            Ok(vault)
        }
        .await;
        req.finish(result).await
    }

    /// Recovers a soft-deleted vault with everything in it.
    pub async fn recover_vault(&self, ctx: &RequestContext, name: &str) -> Result<Vault> {
        let mut req = self.request(ctx, actions::VAULT_RECOVER).await?;
        let result = async {
            req.set_vault(name);
            let mut vault = deleted_vault(req.tx.as_mut(), name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            if req.tx.resource_group_get(&vault.subscription_id, &vault.resource_group).await?.is_none() {
                return Err(Error::ResourceGroupNotFound(format!(
                    "{} (re-create it before recovering vault '{}')",
                    vault.resource_group, vault.name
                )));
            }
            vault.deletion = None;
            vault.updated = req.now;
            req.tx.vault_put(&vault).await?;
            Ok(vault)
        }
        .await;
        let vault = req.finish(result).await?;
        self.throttling_changed(self.throttled.remember(&vault))?;
        Ok(vault)
    }

    /// Purges a soft-deleted vault for good, unless purge protection holds.
    pub async fn purge_vault(&self, ctx: &RequestContext, name: &str) -> Result<()> {
        let mut req = self.request(ctx, actions::VAULT_PURGE).await?;
        let result = async {
            req.set_vault(name);
            let vault = deleted_vault(req.tx.as_mut(), name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            if vault.purge_protection {
                let until = vault.deletion.map(|d| d.scheduled_purge.to_rfc3339()).unwrap_or_default();
                return Err(Error::PurgeProtected(format!(
                    "vault '{}' has purge protection: it cannot be purged before its retention period ends ({until})",
                    vault.name
                )));
            }
            req.tx.vault_purge(&vault.id).await?;
            Ok(())
        }
        .await;
        req.finish(result).await?;
        self.throttling_changed(self.throttled.forget(name))?;
        Ok(())
    }

    /// Purges every vault and object whose retention period has ended (by the shifted clock).
    /// Each purge is its own audited request by the installation itself.
    pub async fn sweep_retention(&self) -> Result<SweepReport> {
        let system = RequestContext {
            principal: Principal {
                object_id: "vaultmort-retention".into(),
                name: "Vaultmort retention".into(),
                kind: PrincipalKind::ManagedIdentity,
            },
            source: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            door: Door::System,
        };
        let mut report = SweepReport::default();
        self.catch_up().await?;
        let now = self.clock.now();
        let (vaults, objects) = {
            let mut tx = self.storage.begin().await?;
            (tx.vaults_due_for_purge(now).await?, tx.objects_due_for_purge(now).await?)
        };
        for vault in vaults {
            let mut req = self.request(&system, actions::VAULT_PURGE).await?;
            req.authorize_system("soft-delete retention period ended");
            let result = async {
                req.set_vault(&vault.name);
                req.tx.vault_purge(&vault.id).await?;
                Ok(())
            }
            .await;
            req.finish(result).await?;
            self.throttling_changed(self.throttled.forget(&vault.name))?;
            report.vaults.push(vault.name);
        }
        for object in objects {
            let action = match object.kind {
                ObjectKind::Key => actions::KEY_PURGE,
                ObjectKind::Secret => actions::SECRET_PURGE,
                ObjectKind::Certificate => continue,
            };
            let mut req = self.request(&system, action).await?;
            req.authorize_system("soft-delete retention period ended");
            req.set_object(format!("{}/{}", object.kind.collection(), object.name));
            let mut cleanup = crate::keys::TokenCleanup::default();
            let result = async {
                if object.kind == ObjectKind::Key {
                    cleanup.collect(self, req.tx.as_mut(), &object.vault_id, &object.name).await?;
                }
                req.tx.object_purge(&object.vault_id, object.kind, &object.name).await?;
                Ok(())
            }
            .await;
            req.finish(result).await?;
            cleanup.run()?;
            report.objects.push(format!("{}/{}", object.kind, object.name));
        }
        Ok(report)
    }
}

pub(crate) async fn active_vault(tx: &mut dyn crate::storage::Transaction, name: &str) -> Result<Vault> {
    match tx.vault_get(name).await? {
        Some(vault) if vault.deletion.is_none() => Ok(vault),
        _ => Err(Error::VaultNotFound(name.to_string())),
    }
}

async fn deleted_vault(tx: &mut dyn crate::storage::Transaction, name: &str) -> Result<Vault> {
    match tx.vault_get(name).await? {
        Some(vault) if vault.deletion.is_some() => Ok(vault),
        _ => Err(Error::DeletedVaultNotFound(name.to_string())),
    }
}
