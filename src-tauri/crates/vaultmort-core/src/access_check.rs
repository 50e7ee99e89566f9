//! "Check access" (the portal's IAM blade): what one principal may do on one vault, action by
//! action, with the rule that decides each, evaluated by the same authorizer and firewall the
//! pipeline uses. The caller needs `Microsoft.Authorization/roleAssignments/read` on the vault.

use std::net::IpAddr;

use serde::Serialize;

use crate::authz::{Facts, Scope, Target, actions, describe};
use crate::context::RequestContext;
use crate::directory::DirectoryObject;
use crate::storage::Transaction;
use crate::{Result, Vaultmort};

/// One line of a check: an action and the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessCheck {
    /// Key Vault's operation name.
    pub operation: String,
    /// The permission (`secrets/get`) or management action.
    pub permission: String,
    /// The RBAC dataAction, for data operations.
    pub data_action: Option<String>,
    /// Whether the principal may.
    pub allowed: bool,
    /// Why.
    pub rule: String,
}

/// The directory entry of `object_id` (if the directory knows it) and the facts the authorizer
/// needs about it: its groups through nesting and, with `with_roles`, its role assignments and
/// every role definition.
pub(crate) async fn facts_for(tx: &mut dyn Transaction, object_id: &str, with_roles: bool) -> Result<(Option<DirectoryObject>, Facts)> {
    let (entry, mut facts) = identity_facts(tx, object_id).await?;
    if with_roles {
        add_roles(tx, &mut facts).await?;
    }
    Ok((entry, facts))
}

/// The directory entry of `object_id` and its identities (itself and its groups through
/// nesting), from one read of the directory.
pub(crate) async fn identity_facts(tx: &mut dyn Transaction, object_id: &str) -> Result<(Option<DirectoryObject>, Facts)> {
    let all = crate::directory::all_objects(tx).await?;
    let entry = all.iter().find(|o| o.object_id.eq_ignore_ascii_case(object_id)).cloned();
    let mut identities = crate::directory::groups_of(&all, entry.as_ref().map(|e| e.object_id.as_str()).unwrap_or(object_id));
    identities.insert(entry.as_ref().map(|e| e.object_id.clone()).unwrap_or_else(|| object_id.to_string()));
    Ok((entry, Facts { identities, ..Facts::default() }))
}

/// Adds the role assignments of `facts`' identities and every role definition.
pub(crate) async fn add_roles(tx: &mut dyn Transaction, facts: &mut Facts) -> Result<()> {
    facts.assignments =
        crate::roles::all_assignments(tx).await?.into_iter().filter(|a| facts.identities.contains(&a.principal_id)).collect();
    facts.definitions = crate::roles::all_definitions(tx).await?.into_iter().map(|r| (r.id.clone(), r)).collect();
    Ok(())
}

impl Vaultmort {
    /// What `principal` (UPN, app id, display name or object id) may do on `vault_name`, for every
    /// data operation and the vault's management operations, from `source` (the firewall's view).
    pub async fn check_access(&self, ctx: &RequestContext, principal: &str, vault_name: &str, source: IpAddr) -> Result<Vec<AccessCheck>> {
        let mut req = self.request(ctx, actions::CHECK_ACCESS).await?;
        let result = async {
            let vault = crate::vaults::active_vault(req.tx.as_mut(), vault_name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            let object = crate::directory::find(req.tx.as_mut(), principal).await?;
            let (entry, facts) = facts_for(req.tx.as_mut(), &object.object_id, true).await?;
            let vault_actions = [
                actions::VAULT_GET,
                actions::VAULT_PATCH,
                actions::VAULT_DELETE,
                actions::ACCESS_POLICY_WRITE,
                actions::ROLE_ASSIGNMENT_WRITE,
            ];
            let mut out = Vec::new();
            for action in vault_actions.iter().chain(actions::ALL.iter().filter(|a| a.is_data())) {
                let data_action = match action.permission {
                    crate::authz::Permission::Data { data_action, .. } => Some(data_action.to_string()),
                    crate::authz::Permission::Management(_) => None,
                };
                let firewall = if action.is_data() { Some(crate::firewall::check(&vault, source, entry.as_ref())) } else { None };
                let (allowed, rule) = match firewall {
                    Some(Err(refusal)) => (false, format!("firewall: {refusal}")),
                    _ => {
                        let decision = self.authorizer.authorize(
                            &object.sign_in_name(),
                            action,
                            Target { scope: Scope::Vault(&vault), object: None },
                            &facts,
                        );
                        (decision.allowed, decision.rule)
                    }
                };
                out.push(AccessCheck { operation: action.operation.to_string(), permission: describe(action), data_action, allowed, rule });
            }
            Ok(out)
        }
        .await;
        req.finish(result).await
    }
}
