//! App Service plans and web apps: creating them in a resource group, the tier rules (custom
//! domains need Shared or above, SSL bindings Basic or above), site settings (HTTPS Only,
//! minimum TLS version) and custom host names, added only after the domain check in
//! [`super::dns`] passes.
//!
//! A web app's name is unique in the installation, as Azure's are worldwide, because it makes the
//! default host name `<app>.azurewebsites.localhost`. Left out: app settings, deployment, slots,
//! scaling and anything about the process behind a site.

use serde::{Deserialize, Serialize};

use super::dns::{self, HostNameCheck, ResourceRef};
use super::model::{
    self, AppServicePlan, DEFAULT_HOST_SUFFIX, DnsZone, HostNameBinding, MinTlsVersion, PRACTICE_INBOUND_ADDRESS, SslState, WebApp,
};
use crate::authz::{Scope, actions};
use crate::pipeline::Request;
use crate::storage::ResourceKind;
use crate::{Error, RequestContext, Result, Vaultmort};

const PLAN_TYPE: &str = "Microsoft.Web/serverfarms";
const SITE_TYPE: &str = "Microsoft.Web/sites";
/// The most custom host names one web app holds.
const MAX_HOST_NAMES: usize = 100;

/// A request to create an App Service plan, or to change the SKU of an existing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreatePlan {
    /// Where and what name.
    pub plan: ResourceRef,
    /// The SKU (`F1`, `D1`, `B1`, `S1`, `P1V2`, ...).
    pub sku: String,
}

/// A request to create a web app on a plan of the same resource group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebApp {
    /// Where and what name.
    pub app: ResourceRef,
    /// The plan's name (in the same resource group).
    pub plan: String,
}

/// Site settings to change; `None` leaves one as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WebAppUpdate {
    /// HTTPS Only.
    pub https_only: Option<bool>,
    /// The lowest TLS version accepted.
    pub min_tls_version: Option<MinTlsVersion>,
}

/// Checks a web app name: 2-60 letters, digits and inner hyphens.
fn check_app_name(name: &str) -> Result<String> {
    let ok = (2..=60).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !ok {
        return Err(Error::bad(format!("'{name}' is not a valid web app name: use 2 to 60 letters, digits and inner hyphens")));
    }
    Ok(name.to_ascii_lowercase())
}

/// Checks a plan name: 1-40 letters, digits and hyphens.
fn check_plan_name(name: &str) -> Result<()> {
    let ok = (1..=40).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !ok {
        return Err(Error::bad(format!("'{name}' is not a valid App Service plan name: use 1 to 40 letters, digits and hyphens")));
    }
    Ok(())
}

/// The `customDomainVerificationId` of a new app: 64 upper-case hex characters, as Azure's.
fn new_verification_id() -> Result<String> {
    Ok(hex::encode_upper(vaultmort_crypto::aead::random_bytes(32)?))
}

/// The resource group of `resource` in its subscription, authorized for the request's action.
pub(crate) async fn authorized_group(
    core: &Vaultmort,
    req: &mut Request<'_>,
    resource: &ResourceRef,
) -> Result<crate::model::ResourceGroup> {
    let subscription = core.resolve_subscription(req.tx.as_mut(), resource.subscription.as_deref()).await?;
    req.authorize(Scope::ResourceGroup { subscription_id: &subscription.id, name: &resource.resource_group }).await?;
    req.tx
        .resource_group_get(&subscription.id, &resource.resource_group)
        .await?
        .ok_or_else(|| Error::ResourceGroupNotFound(resource.resource_group.clone()))
}

/// Loads the web app `app` names, authorized at its resource group.
pub(crate) async fn load_app(core: &Vaultmort, req: &mut Request<'_>, app: &ResourceRef) -> Result<WebApp> {
    let group = authorized_group(core, req, app).await?;
    let id = model::resource_id(&group.subscription_id, &group.name, SITE_TYPE, &app.name.to_ascii_lowercase());
    model::load(req.tx.as_mut(), ResourceKind::WebApp, &id).await?.ok_or_else(|| Error::AppService {
        code: "WebAppNotFound",
        status: 404,
        message: format!("resource group '{}' has no web app '{}'", group.name, app.name),
    })
}

/// The plan a web app runs on.
pub(crate) async fn plan_of(req: &mut Request<'_>, app: &WebApp) -> Result<AppServicePlan> {
    model::load(req.tx.as_mut(), ResourceKind::AppServicePlan, &app.server_farm_id)
        .await?
        .ok_or_else(|| Error::Integrity(format!("web app '{}' names plan {} that is not there", app.name, app.server_farm_id)))
}

/// Writes a web app back.
pub(crate) async fn save_app(req: &mut Request<'_>, app: &WebApp) -> Result<()> {
    model::save(req.tx.as_mut(), ResourceKind::WebApp, &app.id, &app.name, app, None).await
}

impl Vaultmort {
    /// Creates an App Service plan, or changes the SKU of the one with this name
    /// (`appservice plan create` / `update --sku`). Moving down to a tier that does not allow
    /// what the plan's apps use (custom domains, SSL bindings) is refused.
    pub async fn create_plan(&self, ctx: &RequestContext, request: &CreatePlan) -> Result<AppServicePlan> {
        self.put_plan(ctx, request, false).await
    }

    /// Changes the SKU of an existing plan (`appservice plan update --sku`); a plan that is not
    /// there is `AppServicePlanNotFound`, not made.
    pub async fn update_plan(&self, ctx: &RequestContext, request: &CreatePlan) -> Result<AppServicePlan> {
        self.put_plan(ctx, request, true).await
    }

    /// Shows one App Service plan.
    pub async fn show_plan(&self, ctx: &RequestContext, plan: &ResourceRef) -> Result<AppServicePlan> {
        let mut req = self.request(ctx, actions::WEB_PLAN_READ).await?;
        let result = async {
            let group = authorized_group(self, &mut req, plan).await?;
            let id = model::resource_id(&group.subscription_id, &group.name, PLAN_TYPE, &plan.name);
            model::load(req.tx.as_mut(), ResourceKind::AppServicePlan, &id).await?.ok_or_else(|| plan_not_found(&group.name, &plan.name))
        }
        .await;
        req.finish(result).await
    }

    /// Creates or changes a plan; with `must_exist`, only changes one.
    async fn put_plan(&self, ctx: &RequestContext, request: &CreatePlan, must_exist: bool) -> Result<AppServicePlan> {
        let mut req = self.request(ctx, actions::WEB_PLAN_WRITE).await?;
        let result = async {
            let group = authorized_group(self, &mut req, &request.plan).await?;
            check_plan_name(&request.plan.name)?;
            let (sku, tier) = model::parse_sku(&request.sku)?;
            let id = model::resource_id(&group.subscription_id, &group.name, PLAN_TYPE, &request.plan.name);
            let existing: Option<AppServicePlan> = model::load(req.tx.as_mut(), ResourceKind::AppServicePlan, &id).await?;
            let plan = match existing {
                Some(existing) => {
                    let apps: Vec<WebApp> = model::load_all(req.tx.as_mut(), ResourceKind::WebApp).await?;
                    for app in apps.iter().filter(|a| a.server_farm_id.eq_ignore_ascii_case(&existing.id)) {
                        if !tier.allows_custom_domains() && !app.host_names.is_empty() {
                            return Err(tier_refusal(
                                "this change",
                                &sku,
                                &format!("web app '{}' has custom domains, which the free tier does not allow", app.name),
                            ));
                        }
                        if !tier.allows_ssl_bindings() && app.host_names.iter().any(|h| h.ssl_state != SslState::Disabled) {
                            return Err(tier_refusal(
                                "this change",
                                &sku,
                                &format!("web app '{}' has SSL bindings, which need Basic (B1) or above", app.name),
                            ));
                        }
                    }
                    AppServicePlan { sku, tier, ..existing }
                }
                None if must_exist => return Err(plan_not_found(&group.name, &request.plan.name)),
                None => AppServicePlan {
                    id: id.clone(),
                    name: request.plan.name.clone(),
                    subscription_id: group.subscription_id.clone(),
                    resource_group: group.name.clone(),
                    location: group.location.clone(),
                    sku,
                    tier,
                    created: req.now,
                },
            };
            model::save(req.tx.as_mut(), ResourceKind::AppServicePlan, &plan.id, &plan.name, &plan, None).await?;
            Ok(plan)
        }
        .await;
        req.finish(result).await
    }

    /// Lists App Service plans of a resource group, or of the subscription.
    pub async fn list_plans(
        &self,
        ctx: &RequestContext,
        subscription: Option<&str>,
        resource_group: Option<&str>,
    ) -> Result<Vec<AppServicePlan>> {
        self.list_placed(ctx, actions::WEB_PLAN_READ, subscription, resource_group).await
    }

    /// Deletes a plan that no web app runs on.
    pub async fn delete_plan(&self, ctx: &RequestContext, plan: &ResourceRef) -> Result<()> {
        let mut req = self.request(ctx, actions::WEB_PLAN_DELETE).await?;
        let result = async {
            let group = authorized_group(self, &mut req, plan).await?;
            let id = model::resource_id(&group.subscription_id, &group.name, PLAN_TYPE, &plan.name);
            if req.tx.resource_get(ResourceKind::AppServicePlan, &id).await?.is_none() {
                return Err(plan_not_found(&group.name, &plan.name));
            }
            let apps: Vec<WebApp> = model::load_all(req.tx.as_mut(), ResourceKind::WebApp).await?;
            if let Some(app) = apps.iter().find(|a| a.server_farm_id.eq_ignore_ascii_case(&id)) {
                return Err(Error::Conflict {
                    inner: "AppServicePlanInUse",
                    message: format!("App Service plan '{}' still runs web app '{}': delete the app first", plan.name, app.name),
                });
            }
            req.tx.resource_delete(ResourceKind::AppServicePlan, &id).await?;
            Ok(())
        }
        .await;
        req.finish(result).await
    }

    /// Creates a web app on a plan of its resource group (`webapp create`).
    pub async fn create_web_app(&self, ctx: &RequestContext, request: &CreateWebApp) -> Result<WebApp> {
        let mut req = self.request(ctx, actions::WEB_APP_WRITE).await?;
        let result = async {
            let group = authorized_group(self, &mut req, &request.app).await?;
            let name = check_app_name(&request.app.name)?;
            let plan_id = model::resource_id(&group.subscription_id, &group.name, PLAN_TYPE, &request.plan);
            let plan: AppServicePlan = model::load(req.tx.as_mut(), ResourceKind::AppServicePlan, &plan_id).await?.ok_or_else(|| {
                Error::AppService {
                    code: "AppServicePlanNotFound",
                    status: 404,
                    message: format!("resource group '{}' has no App Service plan '{}' (`appservice plan create`)", group.name, request.plan),
                }
            })?;
            let apps: Vec<WebApp> = model::load_all(req.tx.as_mut(), ResourceKind::WebApp).await?;
            if let Some(taken) = apps.iter().find(|a| a.name == name) {
                return Err(Error::Conflict {
                    inner: "WebAppNameTaken",
                    message: format!(
                        "web app name '{name}' is taken (resource group '{}'): names are unique, as each makes {name}.{DEFAULT_HOST_SUFFIX}",
                        taken.resource_group
                    ),
                });
            }
            let app = WebApp {
                id: model::resource_id(&group.subscription_id, &group.name, SITE_TYPE, &name),
                default_host_name: format!("{name}.{DEFAULT_HOST_SUFFIX}"),
                name,
                subscription_id: group.subscription_id.clone(),
                resource_group: group.name.clone(),
                location: plan.location.clone(),
                server_farm_id: plan.id.clone(),
                custom_domain_verification_id: new_verification_id()?,
                inbound_ip_address: PRACTICE_INBOUND_ADDRESS,
                https_only: false,
                min_tls_version: MinTlsVersion::Tls12,
                host_names: Vec::new(),
                created: req.now,
            };
            save_app(&mut req, &app).await?;
            Ok(app)
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Shows a web app.
    pub async fn show_web_app(&self, ctx: &RequestContext, app: &ResourceRef) -> Result<WebApp> {
        let mut req = self.request(ctx, actions::WEB_APP_READ).await?;
        let result = async { load_app(self, &mut req, app).await }.await;
        req.finish(result).await
    }

    /// Lists web apps of a resource group, or of the subscription.
    pub async fn list_web_apps(
        &self,
        ctx: &RequestContext,
        subscription: Option<&str>,
        resource_group: Option<&str>,
    ) -> Result<Vec<WebApp>> {
        self.list_placed(ctx, actions::WEB_APP_READ, subscription, resource_group).await
    }

    /// Every host name (default and custom) of every web app the caller can see, in every
    /// subscription, with the address it is served on: the `/etc/hosts` entries that make them
    /// reach the local front end. `vaultmort webapp hosts-file` and `vaultmort setup-client` print
    /// these.
    pub async fn web_app_host_entries(&self, ctx: &RequestContext) -> Result<Vec<(std::net::Ipv4Addr, String)>> {
        let mut entries = Vec::new();
        for subscription in self.list_subscriptions(ctx).await? {
            for app in self.list_web_apps(ctx, Some(&subscription.id), None).await? {
                entries.push((app.inbound_ip_address, app.default_host_name.clone()));
                entries.extend(app.host_names.iter().map(|h| (app.inbound_ip_address, h.name.clone())));
            }
        }
        Ok(entries)
    }

    /// Deletes a web app; the front end stops serving its host names.
    pub async fn delete_web_app(&self, ctx: &RequestContext, app: &ResourceRef) -> Result<()> {
        let mut req = self.request(ctx, actions::WEB_APP_DELETE).await?;
        let result = async {
            let found = load_app(self, &mut req, app).await?;
            req.tx.resource_delete(ResourceKind::WebApp, &found.id).await?;
            Ok(())
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Changes site settings (`webapp update --https-only`, `webapp config set --min-tls-version`).
    pub async fn update_web_app(&self, ctx: &RequestContext, app: &ResourceRef, update: &WebAppUpdate) -> Result<WebApp> {
        let mut req = self.request(ctx, actions::WEB_APP_WRITE).await?;
        let result = async {
            let mut found = load_app(self, &mut req, app).await?;
            if let Some(https_only) = update.https_only {
                found.https_only = https_only;
            }
            if let Some(version) = update.min_tls_version {
                found.min_tls_version = version;
            }
            save_app(&mut req, &found).await?;
            Ok(found)
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Runs App Service's domain check of `host` for a web app without adding it: the records
    /// it looks for and which are present (what the portal shows before "Add custom domain").
    pub async fn check_host_name(&self, ctx: &RequestContext, app: &ResourceRef, host: &str) -> Result<HostNameCheck> {
        let mut req = self.request(ctx, actions::WEB_APP_READ).await?;
        let result = async {
            let found = load_app(self, &mut req, app).await?;
            let host = dns::check_dns_name(host, "host name")?;
            let zones: Vec<DnsZone> = model::load_all(req.tx.as_mut(), ResourceKind::DnsZone).await?;
            Ok(dns::check_host_name(&zones, &found, &host))
        }
        .await;
        req.finish(result).await
    }

    /// Adds a custom host name (`webapp config hostname add`) once the plan's tier allows custom
    /// domains and the domain check passes; a failed check names each missing record.
    pub async fn add_host_name(&self, ctx: &RequestContext, app: &ResourceRef, host: &str) -> Result<WebApp> {
        let mut req = self.request(ctx, actions::WEB_HOSTNAME_WRITE).await?;
        let result = async {
            let mut found = load_app(self, &mut req, app).await?;
            if host.trim().starts_with('*') {
                return Err(Error::bad("wildcard custom domains are not offered in App Service practice; add each host name"));
            }
            let host = dns::check_dns_name(host, "host name")?;
            if host == found.default_host_name || host.ends_with(&format!(".{DEFAULT_HOST_SUFFIX}")) {
                return Err(Error::bad(format!(
                    "'{host}' is under {DEFAULT_HOST_SUFFIX}, which App Service gives out itself; add your own domain"
                )));
            }
            let plan = plan_of(&mut req, &found).await?;
            if !plan.tier.allows_custom_domains() {
                return Err(tier_refusal(
                    "custom domains",
                    &plan.sku,
                    "scale the plan up to Shared (D1) or above (`appservice plan update --sku B1`)",
                ));
            }
            if found.host_name(&host).is_some() {
                return Ok(found);
            }
            if found.host_names.len() >= MAX_HOST_NAMES {
                return Err(Error::bad(format!("a web app holds at most {MAX_HOST_NAMES} custom host names")));
            }
            let apps: Vec<WebApp> = model::load_all(req.tx.as_mut(), ResourceKind::WebApp).await?;
            if let Some(other) = apps.iter().find(|a| a.id != found.id && a.host_name(&host).is_some()) {
                return Err(Error::Conflict {
                    inner: "HostNameTaken",
                    message: format!("host name '{host}' is already added to web app '{}': remove it there first", other.name),
                });
            }
            let zones: Vec<DnsZone> = model::load_all(req.tx.as_mut(), ResourceKind::DnsZone).await?;
            let check = dns::check_host_name(&zones, &found, &host);
            if let Some(refusal) = check.failure(&found.name) {
                return Err(refusal);
            }
            found.host_names.push(HostNameBinding { name: host, ssl_state: SslState::Disabled, thumbprint: None, certificate_id: None });
            save_app(&mut req, &found).await?;
            Ok(found)
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Removes a custom host name and its binding (`webapp config hostname delete`).
    pub async fn delete_host_name(&self, ctx: &RequestContext, app: &ResourceRef, host: &str) -> Result<WebApp> {
        let mut req = self.request(ctx, actions::WEB_HOSTNAME_WRITE).await?;
        let result = async {
            let mut found = load_app(self, &mut req, app).await?;
            let before = found.host_names.len();
            found.host_names.retain(|h| !h.name.eq_ignore_ascii_case(host.trim()));
            if found.host_names.len() == before {
                return Err(Error::AppService {
                    code: "HostNameNotFound",
                    status: 404,
                    message: format!("web app '{}' has no custom host name '{host}'", found.name),
                });
            }
            save_app(&mut req, &found).await?;
            Ok(found)
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Lists the resources of kind `T` in a resource group, or in the whole subscription,
    /// authorized for `action` there.
    pub(crate) async fn list_placed<T: model::Placed>(
        &self,
        ctx: &RequestContext,
        action: crate::authz::Action,
        subscription: Option<&str>,
        resource_group: Option<&str>,
    ) -> Result<Vec<T>> {
        let mut req = self.request(ctx, action).await?;
        let result = async {
            let (subscription_id, group) = self.list_scope(&mut req, subscription, resource_group).await?;
            let all: Vec<T> = model::load_all(req.tx.as_mut(), T::KIND).await?;
            Ok(all
                .into_iter()
                .filter(|r| {
                    r.subscription_id() == subscription_id && group.as_deref().is_none_or(|g| r.resource_group().eq_ignore_ascii_case(g))
                })
                .collect())
        }
        .await;
        req.finish(result).await
    }

    /// The subscription and, if given, resource group a list covers, authorized.
    async fn list_scope(
        &self,
        req: &mut Request<'_>,
        subscription: Option<&str>,
        resource_group: Option<&str>,
    ) -> Result<(String, Option<String>)> {
        let subscription = self.resolve_subscription(req.tx.as_mut(), subscription).await?;
        match resource_group {
            Some(group) => {
                req.authorize(Scope::ResourceGroup { subscription_id: &subscription.id, name: group }).await?;
                if req.tx.resource_group_get(&subscription.id, group).await?.is_none() {
                    return Err(Error::ResourceGroupNotFound(group.to_string()));
                }
            }
            None => req.authorize(Scope::Subscription(&subscription.id)).await?,
        }
        Ok((subscription.id, resource_group.map(str::to_string)))
    }
}

/// There is no plan `name` in resource group `group`.
fn plan_not_found(group: &str, name: &str) -> Error {
    Error::AppService {
        code: "AppServicePlanNotFound",
        status: 404,
        message: format!("resource group '{group}' has no App Service plan '{name}'"),
    }
}

/// A refusal because the plan's tier does not allow `what`.
pub(crate) fn tier_refusal(what: &str, sku: &str, advice: &str) -> Error {
    Error::AppService {
        code: "SkuNotAllowed",
        status: 409,
        message: format!("the App Service plan's pricing tier ({sku}) does not allow {what}: {advice}"),
    }
}
