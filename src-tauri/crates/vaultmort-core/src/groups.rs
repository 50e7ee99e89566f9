//! Resource groups of the practice tenant's subscriptions, and the subscriptions themselves: the
//! default one every installation has, and others a person makes to practise what crosses a
//! subscription's edge (App Service imports only from vaults of its own subscription). Vaults
//! live in the default subscription; other resources (resource groups, App Service) may live in
//! any.
//!
//! Deleting a group soft-deletes the vaults in it, as deleting a resource group in Azure deletes
//! its resources; they stay recoverable for their retention period. Its App Service and DNS
//! resources go for good, as they do in Azure.

use chrono::Duration;

use crate::authz::{Scope, actions};
use crate::model::{Deletion, ResourceGroup, Subscription, Tags};
use crate::storage::ResourceKind;
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
    /// The subscription (id or name); the default subscription when `None`.
    pub subscription: Option<String>,
}

/// A practice subscription, as stored.
fn subscription_record_id(id: &str) -> String {
    format!("/subscriptions/{id}")
}

impl Vaultmort {
    /// The subscription `text` names (id or display name, without case); the default one for
    /// `None`.
    pub(crate) async fn resolve_subscription(&self, tx: &mut dyn crate::storage::Transaction, text: Option<&str>) -> Result<Subscription> {
        let default = &self.tenant.default_subscription;
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(default.clone()) };
        if default.id.eq_ignore_ascii_case(text) || default.name.eq_ignore_ascii_case(text) {
            return Ok(default.clone());
        }
        let others: Vec<Subscription> = crate::appservice::model::load_all(tx, ResourceKind::Subscription).await?;
        others.into_iter().find(|s| s.id.eq_ignore_ascii_case(text) || s.name.eq_ignore_ascii_case(text)).ok_or_else(|| Error::NotFound {
            code: "SubscriptionNotFound",
            message: format!("no practice subscription has the id or name '{text}' (`account list` shows them)"),
        })
    }

    /// Every practice subscription: the default one first, then those made since.
    pub(crate) async fn all_subscriptions(&self, tx: &mut dyn crate::storage::Transaction) -> Result<Vec<Subscription>> {
        let mut all = vec![self.tenant.default_subscription.clone()];
        all.extend(crate::appservice::model::load_all::<Subscription>(tx, ResourceKind::Subscription).await?);
        Ok(all)
    }

    /// Makes another practice subscription (`az account alias create`), authorized at the tenant
    /// root. Its name must be new.
    pub async fn create_subscription(&self, ctx: &RequestContext, name: &str) -> Result<Subscription> {
        let mut req = self.request(ctx, actions::SUBSCRIPTION_WRITE).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let name = name.trim();
            if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
                return Err(Error::bad("a subscription name is 1 to 64 characters, without control characters"));
            }
            if self.all_subscriptions(req.tx.as_mut()).await?.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
                return Err(Error::Conflict {
                    inner: "SubscriptionNameTaken",
                    message: format!("a subscription named '{name}' already exists"),
                });
            }
            let subscription = Subscription { id: uuid::Uuid::new_v4().to_string(), name: name.to_string() };
            let id = subscription_record_id(&subscription.id);
            crate::appservice::model::save(req.tx.as_mut(), ResourceKind::Subscription, &id, name, &subscription, None).await?;
            Ok(subscription)
        }
        .await;
        req.finish(result).await
    }

    /// Creates a resource group, or updates the tags of an existing one in the same location.
    pub async fn create_group(&self, ctx: &RequestContext, request: CreateGroup) -> Result<ResourceGroup> {
        let mut req = self.request(ctx, actions::GROUP_PUT).await?;
        let result = async {
            let subscription = self.resolve_subscription(req.tx.as_mut(), request.subscription.as_deref()).await?.id;
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

    /// Deletes a resource group, soft-deleting the vaults in it and removing its App Service
    /// plans, web apps, certificates and DNS zones.
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
            let app_service = crate::appservice::model::delete_in_group(req.tx.as_mut(), &subscription, &group.name).await?;
            req.tx.resource_group_delete(&subscription, &group.name).await?;
            Ok(app_service)
        }
        .await;
        if req.finish(result).await? > 0 {
            // The front end stops serving the group's web apps.
            self.announce_shared_change()?;
        }
        Ok(())
    }
}
