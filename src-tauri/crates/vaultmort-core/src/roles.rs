//! Azure RBAC: role definitions (the built-in ones with their real action lists, and custom roles
//! from a JSON definition) and role assignments at subscription, resource group, vault or object
//! scope.
//!
//! Built-in roles live in code and are never stored; custom roles and assignments are stored in
//! the practice directory table. What a role grants is decided by [`RoleDefinition::grants`];
//! which assignments apply to a request is decided in [`crate::authz`].

use serde::Deserialize;

use crate::authz::{Scope, action_matches, actions};
use crate::context::RequestContext;
pub use crate::model::access::{RoleAssignment, RoleDefinition, RoleType};
use crate::storage::{DirectoryEntry, EntryKind, Transaction};
use crate::{Error, Result, Vaultmort};

impl RoleDefinition {
    /// Whether the role grants `action` (a dataAction when `data`): some pattern of the grant
    /// list matches and none of the exclusion list does.
    pub fn grants(&self, action: &str, data: bool) -> bool {
        let (grant, exclude) = if data { (&self.data_actions, &self.not_data_actions) } else { (&self.actions, &self.not_actions) };
        grant.iter().any(|p| action_matches(p, action)) && !exclude.iter().any(|p| action_matches(p, action))
    }
}

/// A custom role as `az role definition create --role-definition` takes it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CustomRoleInput {
    name: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    is_custom: Option<bool>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    actions: Vec<String>,
    #[serde(default)]
    not_actions: Vec<String>,
    #[serde(default)]
    data_actions: Vec<String>,
    #[serde(default)]
    not_data_actions: Vec<String>,
    assignable_scopes: Vec<String>,
}

fn built_in(id: &str, name: &str, description: &str, actions: &[&str], not_actions: &[&str], data_actions: &[&str]) -> RoleDefinition {
    let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
    RoleDefinition {
        id: id.to_string(),
        name: name.to_string(),
        description: description.to_string(),
        role_type: RoleType::BuiltInRole,
        actions: list(actions),
        not_actions: list(not_actions),
        data_actions: list(data_actions),
        not_data_actions: Vec::new(),
        assignable_scopes: vec!["/".to_string()],
    }
}

/// Actions every Key Vault data role carries on the management plane (read the vault and
/// its resource group, as in Azure's definitions).
const KV_DATA_ROLE_ACTIONS: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
    "Microsoft.KeyVault/checkNameAvailability/read",
    "Microsoft.KeyVault/deletedVaults/read",
    "Microsoft.KeyVault/locations/*/read",
    "Microsoft.KeyVault/vaults/*/read",
    "Microsoft.KeyVault/operations/read",
];

/// The built-in roles: the five management roles and the Key Vault data roles, with Azure's ids
/// and action lists.
pub fn built_in_roles() -> Vec<RoleDefinition> {
    vec![
        built_in(
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "Owner",
            "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
            &["*"],
            &[],
            &[],
        ),
        built_in(
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
            "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
            &["*"],
            &[
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
                "Microsoft.Blueprint/blueprintAssignments/write",
                "Microsoft.Blueprint/blueprintAssignments/delete",
                "Microsoft.Compute/galleries/share/action",
                "Microsoft.Purview/consents/write",
                "Microsoft.Purview/consents/delete",
            ],
            &[],
        ),
        built_in(
            "acdd72a7-3385-48ef-bd42-f606fba81ae7",
            "Reader",
            "View all resources, but does not allow you to make any changes.",
            &["*/read"],
            &[],
            &[],
        ),
        built_in(
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            "User Access Administrator",
            "Lets you manage user access to Azure resources.",
            &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
            &[],
            &[],
        ),
        built_in(
            "f25e0fa2-a7c8-4377-a976-54943a77a395",
            "Key Vault Contributor",
            "Lets you manage key vaults, but not access to them.",
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
                "Microsoft.KeyVault/*",
            ],
            &[
                "Microsoft.KeyVault/locations/deletedVaults/purge/action",
                "Microsoft.KeyVault/hsmPools/*",
                "Microsoft.KeyVault/managedHsms/*",
            ],
            &[],
        ),
        built_in(
            "00482a5a-887f-4fb3-b363-3b7fe8e74483",
            "Key Vault Administrator",
            "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets.",
            KV_DATA_ROLE_ACTIONS,
            &[],
            &["Microsoft.KeyVault/vaults/*"],
        ),
        built_in(
            "21090545-7ca7-4776-b22c-e363652d74d2",
            "Key Vault Reader",
            "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material.",
            KV_DATA_ROLE_ACTIONS,
            &[],
            &["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
        ),
        built_in(
            "a4417e6f-fecd-4de8-b567-7b0420556985",
            "Key Vault Certificates Officer",
            "Perform any action on the certificates of a key vault, excluding reading the secret and key portions, and managing permissions.",
            KV_DATA_ROLE_ACTIONS,
            &[],
            &[
                "Microsoft.KeyVault/vaults/certificatecas/*",
                "Microsoft.KeyVault/vaults/certificates/*",
                "Microsoft.KeyVault/vaults/certificatecontacts/write",
                "Microsoft.KeyVault/vaults/deletedCertificates/*",
            ],
        ),
        built_in(
            "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
            "Key Vault Certificate User",
            "Read entire certificate contents including secret and key portion.",
            &[],
            &[],
            &[
                "Microsoft.KeyVault/vaults/certificates/read",
                "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
                "Microsoft.KeyVault/vaults/keys/read",
            ],
        ),
        built_in(
            "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
            "Key Vault Crypto Officer",
            "Perform any action on the keys of a key vault, except manage permissions.",
            KV_DATA_ROLE_ACTIONS,
            &[],
            &[
                "Microsoft.KeyVault/vaults/keys/*",
                "Microsoft.KeyVault/vaults/deletedKeys/*",
                "Microsoft.KeyVault/vaults/keyrotationpolicies/*",
            ],
        ),
        built_in(
            "12338af0-0e69-4776-bea7-57ae8d297424",
            "Key Vault Crypto User",
            "Perform cryptographic operations using keys.",
            &[],
            &[],
            &[
                "Microsoft.KeyVault/vaults/keys/read",
                "Microsoft.KeyVault/vaults/keys/update/action",
                "Microsoft.KeyVault/vaults/keys/backup/action",
                "Microsoft.KeyVault/vaults/keys/encrypt/action",
                "Microsoft.KeyVault/vaults/keys/decrypt/action",
                "Microsoft.KeyVault/vaults/keys/wrap/action",
                "Microsoft.KeyVault/vaults/keys/unwrap/action",
                "Microsoft.KeyVault/vaults/keys/sign/action",
                "Microsoft.KeyVault/vaults/keys/verify/action",
            ],
        ),
        built_in(
            "e147488a-f6f5-4113-8e2d-b22465e65bf6",
            "Key Vault Crypto Service Encryption User",
            "Read metadata of keys and perform wrap/unwrap operations.",
            &[
                "Microsoft.EventGrid/eventSubscriptions/write",
                "Microsoft.EventGrid/eventSubscriptions/read",
                "Microsoft.EventGrid/eventSubscriptions/delete",
            ],
            &[],
            &[
                "Microsoft.KeyVault/vaults/keys/read",
                "Microsoft.KeyVault/vaults/keys/wrap/action",
                "Microsoft.KeyVault/vaults/keys/unwrap/action",
            ],
        ),
        built_in(
            "08bbd89e-9f13-488c-ac41-acfcb10c90ab",
            "Key Vault Crypto Service Release User",
            "Release keys.",
            &[],
            &[],
            &["Microsoft.KeyVault/vaults/keys/release/action"],
        ),
        built_in(
            "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
            "Key Vault Secrets Officer",
            "Perform any action on the secrets of a key vault, except manage permissions.",
            KV_DATA_ROLE_ACTIONS,
            &[],
            &["Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/deletedSecrets/*"],
        ),
        built_in(
            "4633458b-17de-408a-b874-0445c86b69e6",
            "Key Vault Secrets User",
            "Read secret contents including secret portion of a certificate with private key.",
            &[],
            &[],
            &["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
        ),
        built_in(
            "8b54135c-b56d-4d72-a534-26097cfdc8d8",
            "Key Vault Data Access Administrator",
            "Manage access to Azure Key Vault by adding or removing role assignments for the Key Vault data roles.",
            &[
                "Microsoft.Authorization/roleAssignments/write",
                "Microsoft.Authorization/roleAssignments/delete",
                "Microsoft.Authorization/*/read",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.KeyVault/vaults/*/read",
                "Microsoft.Management/managementGroups/read",
                "Microsoft.Resources/subscriptions/read",
                "Microsoft.Support/*",
            ],
            &[],
            &[],
        ),
    ]
}

/// Every role definition: built-in, then the stored custom roles.
pub(crate) async fn all_definitions(tx: &mut dyn Transaction) -> Result<Vec<RoleDefinition>> {
    let mut roles = built_in_roles();
    for entry in tx.directory_list(EntryKind::RoleDefinition).await? {
        roles.push(crate::directory::decode(&entry)?);
    }
    Ok(roles)
}

/// Every stored role assignment.
pub(crate) async fn all_assignments(tx: &mut dyn Transaction) -> Result<Vec<RoleAssignment>> {
    tx.directory_list(EntryKind::RoleAssignment).await?.iter().map(crate::directory::decode).collect()
}

fn find_role<'a>(roles: &'a [RoleDefinition], name_or_id: &str) -> Option<&'a RoleDefinition> {
    let wanted = name_or_id.rsplit('/').next().unwrap_or(name_or_id);
    roles.iter().find(|r| r.name.eq_ignore_ascii_case(name_or_id) || r.id.eq_ignore_ascii_case(wanted))
}

/// Checks a scope's shape: `/`, a subscription, a resource group, a vault or an object in a vault.
fn check_scope(scope: &str) -> Result<()> {
    // Segment names compare without case, as Azure's resource ids do.
    let lower = scope.trim_end_matches('/').to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').skip(1).collect();
    let ok = scope == "/"
        || (scope.starts_with('/')
            && !parts.iter().any(|p| p.is_empty())
            && matches!(
                parts.as_slice(),
                ["subscriptions", _]
                    | ["subscriptions", _, "resourcegroups", _]
                    | ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.keyvault", "vaults", _]
                    | [
                        "subscriptions",
                        _,
                        "resourcegroups",
                        _,
                        "providers",
                        "microsoft.keyvault",
                        "vaults",
                        _,
                        "keys" | "secrets" | "certificates",
                        _
                    ]
            ));
    if ok {
        Ok(())
    } else {
        Err(Error::bad(format!(
            "'{scope}' is not a scope: use /subscriptions/<id>[/resourceGroups/<rg>[/providers/Microsoft.KeyVault/vaults/<vault>[/secrets|keys|certificates/<name>]]]"
        )))
    }
}

/// Which role assignments to list.
#[derive(Debug, Clone, Default)]
pub struct AssignmentFilter {
    /// Only for this principal (UPN, app id, display name or object id).
    pub assignee: Option<String>,
    /// Only at this scope; with `include_inherited`, also at scopes above it.
    pub scope: Option<String>,
    /// Only of this role.
    pub role: Option<String>,
    /// Include assignments at scopes that contain `scope`.
    pub include_inherited: bool,
}

impl Vaultmort {
    /// Every role definition, built-in first.
    pub async fn list_role_definitions(&self, ctx: &RequestContext) -> Result<Vec<RoleDefinition>> {
        let mut req = self.request(ctx, actions::ROLE_DEFINITION_READ).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            all_definitions(req.tx.as_mut()).await
        }
        .await;
        req.finish(result).await
    }

    /// Creates (or replaces) a custom role from its JSON definition (`Name`, `Actions`,
    /// `NotActions`, `DataActions`, `NotDataActions`, `AssignableScopes`).
    pub async fn create_role_definition(&self, ctx: &RequestContext, definition_json: &str) -> Result<RoleDefinition> {
        let mut req = self.request(ctx, actions::ROLE_DEFINITION_WRITE).await?;
        let result = async {
            let input: CustomRoleInput =
                serde_json::from_str(definition_json).map_err(|e| Error::bad(format!("the role definition is not valid: {e}")))?;
            if input.is_custom == Some(false) {
                return Err(Error::bad("only custom roles can be created (IsCustom must be true)"));
            }
            if input.name.trim().is_empty() {
                return Err(Error::bad("a role definition needs a Name"));
            }
            if input.assignable_scopes.is_empty() {
                return Err(Error::bad("a custom role needs at least one AssignableScopes entry"));
            }
            for scope in &input.assignable_scopes {
                check_scope(scope)?;
            }
            if input.actions.is_empty() && input.data_actions.is_empty() {
                return Err(Error::bad("a custom role must grant at least one action or data action"));
            }
            // Written at the first assignable scope, as Azure requires permission there.
            let first = input.assignable_scopes[0].clone();
            req.authorize_path(&first).await?;
            let roles = all_definitions(req.tx.as_mut()).await?;
            let existing = find_role(&roles, &input.name).cloned();
            if let Some(existing) = &existing
                && existing.role_type == RoleType::BuiltInRole
            {
                return Err(Error::Conflict {
                    inner: "RoleDefinitionWithSameNameExists",
                    message: format!("'{}' is a built-in role; choose another name", existing.name),
                });
            }
            let id = existing.map(|r| r.id).or(input.id).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let role = RoleDefinition {
                id,
                name: input.name,
                description: input.description,
                role_type: RoleType::CustomRole,
                actions: input.actions,
                not_actions: input.not_actions,
                data_actions: input.data_actions,
                not_data_actions: input.not_data_actions,
                assignable_scopes: input.assignable_scopes,
            };
            req.tx.directory_put(&crate::directory::entry(EntryKind::RoleDefinition, &role.id, &role.name, &role)?).await?;
            Ok(role)
        }
        .await;
        req.finish(result).await
    }

    /// Deletes a custom role that no assignment uses.
    pub async fn delete_role_definition(&self, ctx: &RequestContext, name_or_id: &str) -> Result<RoleDefinition> {
        let mut req = self.request(ctx, actions::ROLE_DEFINITION_DELETE).await?;
        let result = async {
            let roles = all_definitions(req.tx.as_mut()).await?;
            let role = find_role(&roles, name_or_id)
                .cloned()
                .ok_or_else(|| Error::NotFound { code: "RoleDefinitionNotFound", message: format!("no role named '{name_or_id}'") })?;
            req.authorize_path(role.assignable_scopes.first().map(String::as_str).unwrap_or("/")).await?;
            if role.role_type == RoleType::BuiltInRole {
                return Err(Error::bad(format!("'{}' is a built-in role and cannot be deleted", role.name)));
            }
            if all_assignments(req.tx.as_mut()).await?.iter().any(|a| a.role_definition_id == role.id) {
                return Err(Error::Conflict {
                    inner: "RoleDefinitionHasAssignments",
                    message: format!("role '{}' is still assigned; delete its assignments first", role.name),
                });
            }
            req.tx.directory_delete(EntryKind::RoleDefinition, &role.id).await?;
            Ok(role)
        }
        .await;
        req.finish(result).await
    }

    /// Assigns a role to a principal at a scope (`az role assignment create`).
    pub async fn create_role_assignment(&self, ctx: &RequestContext, assignee: &str, role: &str, scope: &str) -> Result<RoleAssignment> {
        let mut req = self.request(ctx, actions::ROLE_ASSIGNMENT_WRITE).await?;
        let result = async {
            check_scope(scope)?;
            req.authorize_path(scope).await?;
            let principal = crate::directory::find(req.tx.as_mut(), assignee).await?;
            let roles = all_definitions(req.tx.as_mut()).await?;
            let role = find_role(&roles, role)
                .cloned()
                .ok_or_else(|| Error::NotFound { code: "RoleDefinitionNotFound", message: format!("no role named '{role}'") })?;
            if !role.assignable_scopes.iter().any(|s| crate::authz::scope_contains(s, scope)) {
                return Err(Error::bad(format!("role '{}' cannot be assigned at '{scope}' (outside its assignable scopes)", role.name)));
            }
            let existing = all_assignments(req.tx.as_mut()).await?;
            if let Some(same) = existing
                .iter()
                .find(|a| a.principal_id == principal.object_id && a.role_definition_id == role.id && a.scope.eq_ignore_ascii_case(scope))
            {
                return Err(Error::Conflict {
                    inner: "RoleAssignmentExists",
                    message: format!("the role assignment already exists (id {})", same.id),
                });
            }
            let assignment = RoleAssignment {
                id: uuid::Uuid::new_v4().to_string(),
                principal_id: principal.object_id.clone(),
                principal_type: principal.kind.az_type().to_string(),
                role_definition_id: role.id.clone(),
                role_definition_name: role.name.clone(),
                scope: scope.to_string(),
                created: req.now,
            };
            req.tx
                .directory_put(&crate::directory::entry(EntryKind::RoleAssignment, &assignment.id, &assignment.principal_id, &assignment)?)
                .await?;
            Ok(assignment)
        }
        .await;
        req.finish(result).await
    }

    /// Lists role assignments (`az role assignment list`).
    pub async fn list_role_assignments(&self, ctx: &RequestContext, filter: &AssignmentFilter) -> Result<Vec<RoleAssignment>> {
        let mut req = self.request(ctx, actions::ROLE_ASSIGNMENT_READ).await?;
        let result = async {
            let at = filter.scope.clone().unwrap_or_else(|| format!("/subscriptions/{}", self.tenant.default_subscription.id));
            req.authorize_path(&at).await?;
            let principal = match &filter.assignee {
                Some(query) => Some(crate::directory::find(req.tx.as_mut(), query).await?.object_id),
                None => None,
            };
            let roles = all_definitions(req.tx.as_mut()).await?;
            let role = match &filter.role {
                Some(name) => Some(
                    find_role(&roles, name)
                        .ok_or_else(|| Error::NotFound { code: "RoleDefinitionNotFound", message: format!("no role named '{name}'") })?
                        .id
                        .clone(),
                ),
                None => None,
            };
            Ok(all_assignments(req.tx.as_mut())
                .await?
                .into_iter()
                .filter(|a| principal.as_ref().is_none_or(|p| &a.principal_id == p))
                .filter(|a| role.as_ref().is_none_or(|r| &a.role_definition_id == r))
                .filter(|a| match &filter.scope {
                    None => true,
                    Some(scope) if filter.include_inherited => {
                        crate::authz::scope_contains(&a.scope, scope) || crate::authz::scope_contains(scope, &a.scope)
                    }
                    Some(scope) => a.scope.trim_end_matches('/').eq_ignore_ascii_case(scope.trim_end_matches('/')),
                })
                .collect())
        }
        .await;
        req.finish(result).await
    }

    /// Deletes role assignments: the one with `id`, or those matching assignee, role and scope
    /// (`az role assignment delete`). Returns what was deleted.
    pub async fn delete_role_assignments(
        &self,
        ctx: &RequestContext,
        id: Option<&str>,
        assignee: Option<&str>,
        role: Option<&str>,
        scope: Option<&str>,
    ) -> Result<Vec<RoleAssignment>> {
        let mut req = self.request(ctx, actions::ROLE_ASSIGNMENT_DELETE).await?;
        let result = async {
            if id.is_none() && assignee.is_none() && role.is_none() && scope.is_none() {
                return Err(Error::bad("give --ids, or at least one of --assignee, --role and --scope"));
            }
            let principal = match assignee {
                Some(query) => Some(crate::directory::find(req.tx.as_mut(), query).await?.object_id),
                None => None,
            };
            let roles = all_definitions(req.tx.as_mut()).await?;
            let role_id = match role {
                Some(name) => Some(
                    find_role(&roles, name)
                        .ok_or_else(|| Error::NotFound { code: "RoleDefinitionNotFound", message: format!("no role named '{name}'") })?
                        .id
                        .clone(),
                ),
                None => None,
            };
            let doomed: Vec<RoleAssignment> = all_assignments(req.tx.as_mut())
                .await?
                .into_iter()
                .filter(|a| id.is_none_or(|id| a.id.eq_ignore_ascii_case(id.rsplit('/').next().unwrap_or(id))))
                .filter(|a| principal.as_ref().is_none_or(|p| &a.principal_id == p))
                .filter(|a| role_id.as_ref().is_none_or(|r| &a.role_definition_id == r))
                .filter(|a| scope.is_none_or(|s| a.scope.trim_end_matches('/').eq_ignore_ascii_case(s.trim_end_matches('/'))))
                .collect();
            // Every deletion needs the permission at the assignment's own scope.
            let mut authorized = false;
            for assignment in &doomed {
                req.authorize_path(&assignment.scope).await?;
                authorized = true;
            }
            if !authorized {
                req.authorize_path(scope.unwrap_or("/")).await?;
            }
            for assignment in &doomed {
                req.tx.directory_delete(EntryKind::RoleAssignment, &assignment.id).await?;
            }
            Ok(doomed)
        }
        .await;
        req.finish(result).await
    }
}

/// Stores a role assignment without a request (seeding the local owner's).
pub(crate) async fn seed_assignment(tx: &mut dyn Transaction, assignment: &RoleAssignment) -> Result<()> {
    let entry: DirectoryEntry = crate::directory::entry(EntryKind::RoleAssignment, &assignment.id, &assignment.principal_id, assignment)?;
    Ok(tx.directory_put(&entry).await?)
}

impl Vaultmort {
    /// The subscriptions the caller holds a role in, at the subscription or inside it, or above
    /// it (`az account list`): the default subscription and any made since.
    pub async fn list_subscriptions(&self, ctx: &RequestContext) -> Result<Vec<crate::model::Subscription>> {
        let mut req = self.request(ctx, actions::SUBSCRIPTION_READ).await?;
        let result = async {
            let facts = req.caller_facts(true).await?;
            req.authorize_system("subscriptions are listed from the caller's own role assignments");
            let visible = |subscription: &crate::model::Subscription| {
                let path = format!("/subscriptions/{}", subscription.id);
                facts
                    .assignments
                    .iter()
                    .any(|a| crate::authz::scope_contains(&a.scope, &path) || crate::authz::scope_contains(&path, &a.scope))
            };
            Ok(self.all_subscriptions(req.tx.as_mut()).await?.into_iter().filter(visible).collect())
        }
        .await;
        req.finish(result).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_for_shape_without_case() {
        assert!(check_scope("/").is_ok(), "the root");
        assert!(check_scope("/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/v/secrets/x").is_ok(), "any case");
        assert!(check_scope("/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v").is_ok(), "a vault");
        assert!(check_scope("/subscriptions//resourceGroups/rg").is_err(), "an empty segment");
        assert!(check_scope("subscriptions/s").is_err(), "a relative path");
        assert!(check_scope("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a").is_err(), "not Key Vault");
    }

    #[test]
    fn contributor_excludes_authorization_writes_and_reader_only_reads() {
        let roles = built_in_roles();
        let role = |name: &str| roles.iter().find(|r| r.name == name).expect("a built-in role");
        assert!(role("Contributor").grants("Microsoft.KeyVault/vaults/accessPolicies/write", false), "the self-grant route");
        assert!(!role("Contributor").grants("Microsoft.Authorization/roleAssignments/write", false), "notActions");
        assert!(role("Reader").grants("Microsoft.KeyVault/vaults/read", false), "reads");
        assert!(!role("Reader").grants("Microsoft.KeyVault/vaults/write", false), "no writes");
        assert!(!role("Owner").grants("Microsoft.KeyVault/vaults/secrets/getSecret/action", true), "Owner has no data actions");
        assert!(role("Key Vault Reader").grants("Microsoft.KeyVault/vaults/secrets/readMetadata/action", true), "metadata");
        assert!(!role("Key Vault Reader").grants("Microsoft.KeyVault/vaults/secrets/getSecret/action", true), "no values");
    }
}
