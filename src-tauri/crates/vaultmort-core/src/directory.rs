//! The practice directory: users, groups (with nested membership), applications' service
//! principals (with client secrets) and managed identities, each with an object id; and the
//! practice virtual networks whose subnets principals can sit in (for the vault firewall).
//!
//! The local owner and a few well-known first-party service principals (trusted services, such
//! as the App Service resource provider) are put in place when a store is opened. A principal is
//! found by object id, user principal name, app id or display name ([`find`]); that is how `--as`
//! and the desktop app's "signed in as" switcher turn a name into a [`RequestContext`].
//!
//! Client secrets are shown once, when made, and stored only as an HMAC under a key derived from
//! the master key. Left out: passwords and interactive sign-in; in this practice tenant, choosing
//! a principal is signing in as it.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::authz::{Scope, actions};
use crate::context::{Door, LOCAL_OWNER_ID, Principal, PrincipalKind, RequestContext};
use crate::storage::{DirectoryEntry, EntryKind, Transaction};
use crate::{Error, Result, StoreError, Vaultmort};

/// The App Service resource provider's application id (a trusted first-party service).
pub const APP_SERVICE_APP_ID: &str = "abfa0a7c-a6b6-4736-8310-5855508787cd";

/// Well-known first-party service principals put in every practice directory, as
/// (object id, app id, display name). They are "trusted services" for the vault firewall's
/// AzureServices bypass.
pub const TRUSTED_SERVICES: &[(&str, &str, &str)] = &[
    ("5a0f7f26-2c1e-4f4b-9a53-6b3b0c0a5e01", APP_SERVICE_APP_ID, "Microsoft Azure App Service"),
    ("5a0f7f26-2c1e-4f4b-9a53-6b3b0c0a5e02", "262044b1-e2ce-469f-a196-69ab7ada62d3", "Backup Management Service"),
];

/// What a directory object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DirectoryObjectKind {
    /// A person, signed in by user principal name.
    User,
    /// A security group; its members may be users, service principals, identities or groups.
    Group,
    /// An application's service principal.
    ServicePrincipal,
    /// A managed identity (a service principal Azure manages).
    ManagedIdentity,
}

impl DirectoryObjectKind {
    /// The principal type az shows (`User`, `Group`, `ServicePrincipal`).
    pub fn az_type(self) -> &'static str {
        match self {
            DirectoryObjectKind::User => "User",
            DirectoryObjectKind::Group => "Group",
            DirectoryObjectKind::ServicePrincipal | DirectoryObjectKind::ManagedIdentity => "ServicePrincipal",
        }
    }
}

/// A client secret of a service principal: its id, a hint, and an HMAC of the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSecretRecord {
    /// The credential's key id.
    pub key_id: String,
    /// The first three characters, as Entra shows them.
    pub hint: String,
    /// HMAC-SHA256 of the value under the directory key (hex); never the value.
    pub digest: String,
    /// When it stops working.
    pub end_date: DateTime<Utc>,
}

/// A user, group, service principal or managed identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryObject {
    /// The object id (a GUID).
    pub object_id: String,
    /// What it is.
    pub kind: DirectoryObjectKind,
    /// Display name.
    pub display_name: String,
    /// Users: the user principal name (`alice@contoso.example`).
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// Service principals and managed identities: the application (client) id.
    #[serde(default)]
    pub app_id: Option<String>,
    /// Groups: the object ids of direct members.
    #[serde(default)]
    pub members: Vec<String>,
    /// The practice subnet the principal's traffic comes from, if any (a subnet resource id).
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// Service principals: client secrets (digests only).
    #[serde(default)]
    pub client_secrets: Vec<ClientSecretRecord>,
    /// A well-known first-party service that the firewall's AzureServices bypass lets through.
    #[serde(default)]
    pub trusted_service: bool,
    /// When it was made.
    pub created: DateTime<Utc>,
}

impl DirectoryObject {
    /// The name a request context carries: the UPN for users, the display name otherwise.
    pub fn sign_in_name(&self) -> String {
        self.user_principal_name.clone().unwrap_or_else(|| self.display_name.clone())
    }

    /// The principal kind of a caller; `None` for groups, which cannot sign in.
    pub fn principal_kind(&self) -> Option<PrincipalKind> {
        match self.kind {
            DirectoryObjectKind::User => Some(PrincipalKind::User),
            DirectoryObjectKind::ServicePrincipal => Some(PrincipalKind::ServicePrincipal),
            DirectoryObjectKind::ManagedIdentity => Some(PrincipalKind::ManagedIdentity),
            DirectoryObjectKind::Group => None,
        }
    }
}

/// A subnet of a practice virtual network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subnet {
    /// Subnet name.
    pub name: String,
    /// Its resource id (`.../virtualNetworks/<vnet>/subnets/<name>`), as network rules name it.
    pub id: String,
    /// Its address range (CIDR).
    pub address_prefix: String,
}

/// A practice virtual network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetwork {
    /// Name (unique in the practice tenant).
    pub name: String,
    /// Resource id.
    pub id: String,
    /// Resource group it is filed under.
    pub resource_group: String,
    /// Its subnets.
    pub subnets: Vec<Subnet>,
}

/// A new principal.
#[derive(Debug, Clone)]
pub enum NewPrincipal {
    /// A user with a UPN and display name.
    User {
        /// `alice@contoso.example`.
        user_principal_name: String,
        /// Display name.
        display_name: String,
    },
    /// A security group.
    Group {
        /// Display name.
        display_name: String,
    },
    /// An application with its service principal (and a first client secret).
    ServicePrincipal {
        /// Display name.
        display_name: String,
    },
    /// A managed identity.
    ManagedIdentity {
        /// Display name.
        display_name: String,
    },
}

/// A principal just made; for service principals, with the client secret shown this once.
#[derive(Debug)]
pub struct CreatedPrincipal {
    /// The directory object.
    pub object: DirectoryObject,
    /// The new client secret (service principals only); not stored anywhere.
    pub client_secret: Option<Zeroizing<String>>,
}

pub(crate) fn entry<T: Serialize>(kind: EntryKind, id: &str, name: &str, value: &T) -> Result<DirectoryEntry> {
    Ok(DirectoryEntry {
        kind,
        id: id.to_string(),
        name: name.to_string(),
        body: serde_json::to_value(value).map_err(|e| StoreError::Corrupt(format!("encoding a directory entry: {e}")))?,
    })
}

pub(crate) fn decode<T: DeserializeOwned>(entry: &DirectoryEntry) -> Result<T> {
    serde_json::from_value(entry.body.clone())
        .map_err(|e| Error::Storage(StoreError::Corrupt(format!("directory entry {} ({:?}): {e}", entry.id, entry.kind))))
}

/// Every directory object.
pub(crate) async fn all_objects(tx: &mut dyn Transaction) -> Result<Vec<DirectoryObject>> {
    tx.directory_list(EntryKind::Principal).await?.iter().map(decode).collect()
}

/// A directory object by object id, UPN, app id or display name (case-insensitive). A display
/// name shared by several objects is refused as ambiguous.
pub(crate) async fn find(tx: &mut dyn Transaction, query: &str) -> Result<DirectoryObject> {
    let all = all_objects(tx).await?;
    find_in(&all, query).cloned()
}

fn find_in<'a>(all: &'a [DirectoryObject], query: &str) -> Result<&'a DirectoryObject> {
    let query = query.trim();
    let exact = all.iter().find(|o| {
        o.object_id.eq_ignore_ascii_case(query)
            || o.user_principal_name.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(query))
            || o.app_id.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(query))
    });
    if let Some(found) = exact {
        return Ok(found);
    }
    let named: Vec<&DirectoryObject> = all.iter().filter(|o| o.display_name.eq_ignore_ascii_case(query)).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NotFound {
            code: "PrincipalNotFound",
            message: format!("no user, group, service principal or managed identity matches '{query}' in the practice directory"),
        }),
        many => Err(Error::bad(format!(
            "{} directory objects are named '{query}'; use the object id ({})",
            many.len(),
            many.iter().map(|o| o.object_id.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The object ids of every group `object_id` belongs to, directly or through nested groups.
pub(crate) fn groups_of(all: &[DirectoryObject], object_id: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut frontier = vec![object_id.to_string()];
    while let Some(member) = frontier.pop() {
        for group in all.iter().filter(|o| o.kind == DirectoryObjectKind::Group && o.members.contains(&member)) {
            if found.insert(group.object_id.clone()) {
                frontier.push(group.object_id.clone());
            }
        }
    }
    found
}

/// Puts the local owner and the trusted first-party services in the directory when missing.
pub(crate) async fn seed(tx: &mut dyn Transaction, now: DateTime<Utc>) -> Result<()> {
    let owner = Principal::local_owner();
    let mut wanted = vec![DirectoryObject {
        object_id: LOCAL_OWNER_ID.to_string(),
        kind: DirectoryObjectKind::User,
        display_name: "Vaultmort owner".to_string(),
        user_principal_name: Some(owner.name.clone()),
        app_id: None,
        members: Vec::new(),
        subnet_id: None,
        client_secrets: Vec::new(),
        trusted_service: false,
        created: now,
    }];
    for (object_id, app_id, name) in TRUSTED_SERVICES {
        wanted.push(DirectoryObject {
            object_id: object_id.to_string(),
            kind: DirectoryObjectKind::ServicePrincipal,
            display_name: name.to_string(),
            user_principal_name: None,
            app_id: Some(app_id.to_string()),
            members: Vec::new(),
            subnet_id: None,
            client_secrets: Vec::new(),
            trusted_service: true,
            created: now,
        });
    }
    for object in wanted {
        if tx.directory_get(EntryKind::Principal, &object.object_id).await?.is_none() {
            tx.directory_put(&entry(EntryKind::Principal, &object.object_id, &object.display_name, &object)?).await?;
        }
    }
    Ok(())
}

fn random_secret() -> Result<Zeroizing<String>> {
    // 30 random bytes, base64url: the length and alphabet of an Entra client secret.
    let bytes = vaultmort_crypto::aead::random_key()?;
    use base64::Engine;
    Ok(Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..30])))
}

impl Vaultmort {
    /// Turns a principal query (UPN, app id, display name or object id) into a request context
    /// for `door` from `source`: the practice tenant's sign-in. Groups cannot sign in.
    pub async fn sign_in(&self, query: &str, door: Door, source: IpAddr) -> Result<RequestContext> {
        let mut tx = self.storage.begin_read().await?;
        let object = find(tx.as_mut(), query).await?;
        let kind =
            object.principal_kind().ok_or_else(|| Error::bad(format!("'{}' is a group; groups cannot sign in", object.display_name)))?;
        Ok(RequestContext { principal: Principal { object_id: object.object_id.clone(), name: object.sign_in_name(), kind }, source, door })
    }

    /// Signs in as a principal and remembers it for `door` (`vaultmort login --as`), so that later
    /// requests through that door run as it. Audited as `SignIn`.
    pub async fn login(&self, query: &str, door: Door, source: IpAddr) -> Result<RequestContext> {
        let ctx = self.sign_in(query, door, source).await?;
        let mut req = self.request(&ctx, actions::SIGN_IN).await?;
        req.authorize_system("practice sign-in: any user, service principal or managed identity of the directory may sign in");
        let key = format!("signin.{}", door.as_str());
        let result = async { Ok(req.tx.meta_put(&key, ctx.principal.object_id.as_bytes()).await?) }.await;
        req.finish(result).await?;
        Ok(ctx)
    }

    /// Signs out of `door`: later requests through it run as the local owner again. Audited as
    /// `SignIn` (of the owner).
    pub async fn logout(&self, door: Door, source: IpAddr) -> Result<RequestContext> {
        let ctx = RequestContext { source, ..RequestContext::local_owner(door) };
        let mut req = self.request(&ctx, actions::SIGN_IN).await?;
        req.authorize_system("practice sign-in: the installation's owner may always sign back in");
        let key = format!("signin.{}", door.as_str());
        let result = async { Ok(req.tx.meta_put(&key, ctx.principal.object_id.as_bytes()).await?) }.await;
        req.finish(result).await?;
        Ok(ctx)
    }

    /// The principal signed in through `door` (see [`Vaultmort::login`]), or the local owner.
    pub async fn signed_in(&self, door: Door, source: IpAddr) -> Result<RequestContext> {
        let mut tx = self.storage.begin_read().await?;
        let remembered = tx.meta_get(&format!("signin.{}", door.as_str())).await?;
        drop(tx);
        match remembered {
            Some(bytes) => self.sign_in(&String::from_utf8_lossy(&bytes), door, source).await,
            None => Ok(RequestContext { source, ..RequestContext::local_owner(door) }),
        }
    }

    /// Creates a user, group, service principal or managed identity.
    pub async fn create_principal(&self, ctx: &RequestContext, new: NewPrincipal) -> Result<CreatedPrincipal> {
        let mut req = self.request(ctx, actions::DIRECTORY_WRITE).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let all = all_objects(req.tx.as_mut()).await?;
            let base = |kind, display_name: String| DirectoryObject {
                object_id: uuid::Uuid::new_v4().to_string(),
                kind,
                display_name,
                user_principal_name: None,
                app_id: None,
                members: Vec::new(),
                subnet_id: None,
                client_secrets: Vec::new(),
                trusted_service: false,
                created: req.now,
            };
            let check_name = |name: &str| {
                if name.trim().is_empty() || name.len() > 256 {
                    Err(Error::bad("a display name must be 1 to 256 characters"))
                } else {
                    Ok(())
                }
            };
            let mut client_secret = None;
            let object = match new {
                NewPrincipal::User { user_principal_name, display_name } => {
                    check_name(&display_name)?;
                    let valid = user_principal_name.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty() && domain.contains('.') && !user_principal_name.contains(char::is_whitespace)
                    });
                    if !valid {
                        return Err(Error::bad(format!("'{user_principal_name}' is not a user principal name (name@domain)")));
                    }
                    if all.iter().any(|o| o.user_principal_name.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&user_principal_name))) {
                        return Err(Error::Conflict {
                            inner: "ObjectConflict",
                            message: format!("a user with principal name '{user_principal_name}' already exists"),
                        });
                    }
                    DirectoryObject { user_principal_name: Some(user_principal_name), ..base(DirectoryObjectKind::User, display_name) }
                }
                NewPrincipal::Group { display_name } => {
                    check_name(&display_name)?;
                    base(DirectoryObjectKind::Group, display_name)
                }
                NewPrincipal::ManagedIdentity { display_name } => {
                    check_name(&display_name)?;
                    DirectoryObject {
                        app_id: Some(uuid::Uuid::new_v4().to_string()),
                        ..base(DirectoryObjectKind::ManagedIdentity, display_name)
                    }
                }
                NewPrincipal::ServicePrincipal { display_name } => {
                    check_name(&display_name)?;
                    let secret = random_secret()?;
                    let record = ClientSecretRecord {
                        key_id: uuid::Uuid::new_v4().to_string(),
                        hint: secret.chars().take(3).collect(),
                        digest: self.keyed_digest(b"client-secret", secret.as_bytes()),
                        end_date: req.now + chrono::Duration::days(365),
                    };
                    client_secret = Some(secret);
                    DirectoryObject {
                        app_id: Some(uuid::Uuid::new_v4().to_string()),
                        client_secrets: vec![record],
                        ..base(DirectoryObjectKind::ServicePrincipal, display_name)
                    }
                }
            };
            req.tx.directory_put(&entry(EntryKind::Principal, &object.object_id, &object.display_name, &object)?).await?;
            Ok(CreatedPrincipal { object, client_secret })
        }
        .await;
        req.finish(result).await
    }

    /// Lists directory objects, of one kind or all.
    pub async fn list_principals(&self, ctx: &RequestContext, kind: Option<DirectoryObjectKind>) -> Result<Vec<DirectoryObject>> {
        let mut req = self.request(ctx, actions::DIRECTORY_READ).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let mut all = all_objects(req.tx.as_mut()).await?;
            all.retain(|o| kind.is_none_or(|k| o.kind == k));
            all.sort_by_key(|o| o.display_name.to_ascii_lowercase());
            Ok(all)
        }
        .await;
        req.finish(result).await
    }

    /// One directory object by object id, UPN, app id or display name.
    pub async fn show_principal(&self, ctx: &RequestContext, query: &str) -> Result<DirectoryObject> {
        let mut req = self.request(ctx, actions::DIRECTORY_READ).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            find(req.tx.as_mut(), query).await
        }
        .await;
        req.finish(result).await
    }

    /// Deletes a directory object, its group memberships and its role assignments. The local
    /// owner cannot be deleted.
    pub async fn delete_principal(&self, ctx: &RequestContext, query: &str) -> Result<DirectoryObject> {
        let mut req = self.request(ctx, actions::DIRECTORY_WRITE).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let object = find(req.tx.as_mut(), query).await?;
            if object.object_id == LOCAL_OWNER_ID || object.trusted_service {
                return Err(Error::bad(format!("'{}' is built into the practice directory and cannot be deleted", object.display_name)));
            }
            for mut group in all_objects(req.tx.as_mut()).await?.into_iter().filter(|o| o.members.contains(&object.object_id)) {
                group.members.retain(|m| m != &object.object_id);
                req.tx.directory_put(&entry(EntryKind::Principal, &group.object_id, &group.display_name, &group)?).await?;
            }
            for assignment in crate::roles::all_assignments(req.tx.as_mut()).await? {
                if assignment.principal_id == object.object_id {
                    req.tx.directory_delete(EntryKind::RoleAssignment, &assignment.id).await?;
                }
            }
            req.tx.directory_delete(EntryKind::Principal, &object.object_id).await?;
            Ok(object)
        }
        .await;
        req.finish(result).await
    }

    /// Adds a new client secret (valid 365 days) to a service principal, keeping its other
    /// secrets, as `az ad sp credential reset --append` does: the returned object carries the new
    /// secret this once; only its keyed digest is stored. Other kinds are refused (`BadParameter`).
    pub async fn add_client_secret(&self, ctx: &RequestContext, query: &str) -> Result<CreatedPrincipal> {
        let mut req = self.request(ctx, actions::DIRECTORY_WRITE).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let mut object = find(req.tx.as_mut(), query).await?;
            if object.kind != DirectoryObjectKind::ServicePrincipal {
                return Err(Error::bad(format!("'{}' is not a service principal, so it has no client secrets", object.display_name)));
            }
            let secret = random_secret()?;
            object.client_secrets.push(ClientSecretRecord {
                key_id: uuid::Uuid::new_v4().to_string(),
                hint: secret.chars().take(3).collect(),
                digest: self.keyed_digest(b"client-secret", secret.as_bytes()),
                end_date: req.now + chrono::Duration::days(365),
            });
            req.tx.directory_put(&entry(EntryKind::Principal, &object.object_id, &object.display_name, &object)?).await?;
            Ok(CreatedPrincipal { object, client_secret: Some(secret) })
        }
        .await;
        req.finish(result).await
    }

    /// Adds (`add == true`) or removes a member of a group. A group cannot contain itself,
    /// directly or through nesting.
    pub async fn change_group_member(&self, ctx: &RequestContext, group: &str, member: &str, add: bool) -> Result<DirectoryObject> {
        let mut req = self.request(ctx, actions::DIRECTORY_WRITE).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let all = all_objects(req.tx.as_mut()).await?;
            let mut group = find_in(&all, group)?.clone();
            if group.kind != DirectoryObjectKind::Group {
                return Err(Error::bad(format!("'{}' is not a group", group.display_name)));
            }
            let member = find_in(&all, member)?.clone();
            if add {
                if member.object_id == group.object_id || groups_of(&all, &group.object_id).contains(&member.object_id) {
                    return Err(Error::bad(format!(
                        "adding '{}' to '{}' would make a membership cycle",
                        member.display_name, group.display_name
                    )));
                }
                if group.members.contains(&member.object_id) {
                    return Err(Error::Conflict {
                        inner: "ObjectConflict",
                        message: format!("'{}' is already a member of '{}'", member.display_name, group.display_name),
                    });
                }
                group.members.push(member.object_id.clone());
            } else {
                if !group.members.contains(&member.object_id) {
                    return Err(Error::NotFound {
                        code: "PrincipalNotFound",
                        message: format!("'{}' is not a member of '{}'", member.display_name, group.display_name),
                    });
                }
                group.members.retain(|m| m != &member.object_id);
            }
            req.tx.directory_put(&entry(EntryKind::Principal, &group.object_id, &group.display_name, &group)?).await?;
            Ok(group)
        }
        .await;
        req.finish(result).await
    }

    /// Creates a practice virtual network with subnets given as (name, CIDR).
    pub async fn create_virtual_network(
        &self,
        ctx: &RequestContext,
        resource_group: &str,
        name: &str,
        subnets: &[(String, String)],
    ) -> Result<VirtualNetwork> {
        let mut req = self.request(ctx, actions::DIRECTORY_WRITE).await?;
        let subscription = self.tenant.default_subscription.id.clone();
        let result = async {
            req.authorize(Scope::ResourceGroup { subscription_id: &subscription, name: resource_group }).await?;
            crate::names::check_resource_group_name(name)?;
            let group = req
                .tx
                .resource_group_get(&subscription, resource_group)
                .await?
                .ok_or_else(|| Error::ResourceGroupNotFound(resource_group.to_string()))?;
            if req.tx.directory_get(EntryKind::VirtualNetwork, &name.to_ascii_lowercase()).await?.is_some() {
                return Err(Error::Conflict {
                    inner: "InUseVirtualNetworkName",
                    message: format!("a virtual network named '{name}' exists"),
                });
            }
            let id =
                format!("/subscriptions/{subscription}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{name}", group.name);
            let mut list = Vec::new();
            for (subnet, prefix) in subnets {
                crate::firewall::parse_ipv4_rule(prefix)?;
                list.push(Subnet { name: subnet.clone(), id: format!("{id}/subnets/{subnet}"), address_prefix: prefix.clone() });
            }
            let vnet = VirtualNetwork { name: name.to_string(), id, resource_group: group.name.clone(), subnets: list };
            req.tx.directory_put(&entry(EntryKind::VirtualNetwork, &name.to_ascii_lowercase(), name, &vnet)?).await?;
            Ok(vnet)
        }
        .await;
        req.finish(result).await
    }

    /// The practice virtual networks.
    pub async fn list_virtual_networks(&self, ctx: &RequestContext) -> Result<Vec<VirtualNetwork>> {
        let mut req = self.request(ctx, actions::DIRECTORY_READ).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            req.tx.directory_list(EntryKind::VirtualNetwork).await?.iter().map(decode).collect()
        }
        .await;
        req.finish(result).await
    }

    /// Places a principal in a practice subnet (or takes it out with `None`): its requests then
    /// come from that subnet, as the firewall's virtual network rules see them.
    pub async fn place_principal(&self, ctx: &RequestContext, query: &str, subnet_id: Option<&str>) -> Result<DirectoryObject> {
        let mut req = self.request(ctx, actions::DIRECTORY_WRITE).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let mut object = find(req.tx.as_mut(), query).await?;
            object.subnet_id = match subnet_id {
                Some(id) => Some(subnet_by_id(req.tx.as_mut(), id).await?.id),
                None => None,
            };
            req.tx.directory_put(&entry(EntryKind::Principal, &object.object_id, &object.display_name, &object)?).await?;
            Ok(object)
        }
        .await;
        req.finish(result).await
    }

    /// Whether `secret` is a current client secret of the service principal with `app_id` (for
    /// the REST API's token endpoint). Compares digests, never stored values.
    pub async fn check_client_secret(&self, app_id: &str, secret: &str) -> Result<Option<DirectoryObject>> {
        self.catch_up().await?;
        let mut tx = self.storage.begin_read().await?;
        let all = all_objects(tx.as_mut()).await?;
        let digest = self.keyed_digest(b"client-secret", secret.as_bytes());
        let now = self.clock.now();
        Ok(all.into_iter().find(|o| {
            o.app_id.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(app_id))
                && o.client_secrets.iter().any(|c| c.end_date > now && crate::audit::constant_time_eq(&c.digest, &digest))
        }))
    }
}

/// A subnet by its resource id (case-insensitive).
pub(crate) async fn subnet_by_id(tx: &mut dyn Transaction, id: &str) -> Result<Subnet> {
    for entry in tx.directory_list(EntryKind::VirtualNetwork).await? {
        let vnet: VirtualNetwork = decode(&entry)?;
        if let Some(subnet) = vnet.subnets.into_iter().find(|s| s.id.eq_ignore_ascii_case(id)) {
            return Ok(subnet);
        }
    }
    Err(Error::NotFound { code: "SubnetNotFound", message: format!("no practice subnet has the id '{id}'") })
}
