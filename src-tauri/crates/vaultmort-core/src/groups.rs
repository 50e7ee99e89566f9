//! Resource groups of the practice tenant's subscription.
//!
//! Deleting a group soft-deletes the vaults in it, as deleting a resource group in Azure deletes
//! its resources; they stay recoverable for their retention period.

use chrono::Duration;

use crate::authz::{Scope, actions};
use crate::model::{Deletion, ResourceGroup, Tags};
use crate::storage::VaultFilter;
use crate::{Error, RequestContext, Result, Vaultmort, names};

/// A request to create (or update) a resource group.
#[derive(Debug, Clone, Default)]
pub struct CreateGroup {
    /// Name.
    pub name: String,
    /// Location.
    pub location: String,
    /// Tags.
    pub tags: Tags,
}

impl Vaultmort {
    /// Creates a resource group, or updates the tags of an existing one in the same location.
    pub async fn create_group(&self, ctx: &RequestContext, request: CreateGroup) -> Result<ResourceGroup> {
        let mut req = self.request(ctx, actions::GROUP_PUT).await?;
        let subscription = self.tenant.default_subscription.id.clone();
        let result = async {
            names::check_resource_group_name(&request.name)?;
            names::check_location(&request.location)?;
            names::check_tags(&request.tags)?;
            req.authorize(Scope::ResourceGroup { subscription_id: &subscription, name: &request.name }).await?;
            let group = match req.tx.resource_group_get(&subscription, &request.name).await? {
                Some(existing) if !existing.location.eq_ignore_ascii_case(&request.location) => {
                    return Err(Error::Conflict {
                        inner: "InvalidResourceGroupLocation",
                        message: format!("resource group '{}' already exists in location '{}'", existing.name, existing.location),
                    });
                }
                Some(existing) => ResourceGroup { tags: request.tags.clone(), ..existing },
                None => ResourceGroup {
                    subscription_id: subscription.clone(),
                    name: request.name.clone(),
                    location: request.location.to_ascii_lowercase(),
                    tags: request.tags.clone(),
                },
            };
            req.tx.resource_group_put(&group).await?;
            Ok(group)
        }
        .await;
        req.finish(result).await
    }

    /// Lists the resource groups of the default subscription.
    pub async fn list_groups(&self, ctx: &RequestContext) -> Result<Vec<ResourceGroup>> {
        let mut req = self.request(ctx, actions::GROUP_READ).await?;
        let subscription = self.tenant.default_subscription.id.clone();
        let result = async {
            req.authorize(Scope::Subscription(&subscription)).await?;
            Ok(req.tx.resource_group_list(&subscription).await?)
        }
        .await;
        req.finish(result).await
    }

    /// Shows one resource group.
    pub async fn show_group(&self, ctx: &RequestContext, name: &str) -> Result<ResourceGroup> {
        let mut req = self.request(ctx, actions::GROUP_READ).await?;
        let subscription = self.tenant.default_subscription.id.clone();
        let result = async {
            req.authorize(Scope::ResourceGroup { subscription_id: &subscription, name }).await?;
            req.tx.resource_group_get(&subscription, name).await?.ok_or_else(|| Error::ResourceGroupNotFound(name.to_string()))
        }
        .await;
        req.finish(result).await
    }

    /// Deletes a resource group, soft-deleting the vaults in it.
    pub async fn delete_group(&self, ctx: &RequestContext, name: &str) -> Result<()> {
        let mut req = self.request(ctx, actions::GROUP_DELETE).await?;
        let subscription = self.tenant.default_subscription.id.clone();
        let result = async {
            req.authorize(Scope::ResourceGroup { subscription_id: &subscription, name }).await?;
            let group =
                req.tx.resource_group_get(&subscription, name).await?.ok_or_else(|| Error::ResourceGroupNotFound(name.to_string()))?;
            let vaults = req.tx.vault_list(&VaultFilter { resource_group: Some(group.name.clone()), deleted: false }).await?;
            for mut vault in vaults {
                vault.deletion = Some(Deletion {
                    deleted_at: req.now,
                    scheduled_purge: req.now + Duration::days(i64::from(vault.soft_delete_retention_days)),
                });
                req.tx.vault_put(&vault).await?;
            }
            req.tx.resource_group_delete(&subscription, &group.name).await?;
            Ok(())
        }
        .await;
        req.finish(result).await
    }
}
