//! Vault access policies (the data plane's classic permission model): the exact permission lists
//! (keys 20, secrets 8, certificates 16), the portal's "Configure from template" presets, and the
//! operations that write and remove policies (at most 1,024 per vault).
//!
//! Writing a policy is a management action (`Microsoft.KeyVault/vaults/accessPolicies/write`),
//! which Contributor and Key Vault Contributor hold. So a Contributor can grant itself data
//! access: Azure allows it, and so does Vaultmort, but the result and the audit record carry the
//! flag [`SELF_GRANT_FLAG`]. When a vault uses RBAC authorization its policies are kept but
//! ignored.

use serde::Serialize;

use crate::authz::{Scope, actions};
use crate::context::RequestContext;
use crate::error::ObjectKind;
use crate::model::Vault;
pub use crate::model::access::{AccessPolicy, CERTIFICATE_PERMISSIONS, KEY_PERMISSIONS, Permissions, SECRET_PERMISSIONS, permissions_of};
use crate::{Error, Result, Vaultmort};

/// Most access policies a vault may hold.
pub const MAX_POLICIES_PER_VAULT: usize = 1024;

/// The flag on a policy write that grants the caller (or a group it is in) data access.
pub const SELF_GRANT_FLAG: &str = "self-granted-data-access";

/// Parses permission names for a kind into the canonical spelling; `all` expands to the list.
/// Refuses names that are not on the kind's list.
pub fn parse_permissions(kind: ObjectKind, names: &[String]) -> Result<Vec<String>> {
    let allowed = permissions_of(kind);
    let mut out: Vec<String> = Vec::new();
    for name in names.iter().flat_map(|n| n.split([',', ' '])).filter(|n| !n.is_empty()) {
        if name.eq_ignore_ascii_case("all") {
            return Ok(allowed.iter().map(|s| s.to_string()).collect());
        }
        let canonical = allowed
            .iter()
            .find(|p| p.eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::bad(format!("'{name}' is not a {} permission; allowed: {}", kind.as_str(), allowed.join(", "))))?;
        if !out.iter().any(|p| p == canonical) {
            out.push(canonical.to_string());
        }
    }
    Ok(out)
}

/// A portal "Configure from template" preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyTemplate {
    /// The template's name as the portal shows it.
    pub name: &'static str,
    /// What it grants.
    pub permissions: Permissions,
}

/// The portal's templates.
pub fn templates() -> Vec<PolicyTemplate> {
    let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let key_management = list(&KEY_PERMISSIONS[..9]);
    let secret_management = list(&SECRET_PERMISSIONS[..7]);
    let certificate_management = list(&CERTIFICATE_PERMISSIONS[..15]);
    let template = |name, keys: &[String], secrets: &[String], certificates: &[String]| PolicyTemplate {
        name,
        permissions: Permissions { keys: keys.to_vec(), secrets: secrets.to_vec(), certificates: certificates.to_vec() },
    };
    let none: Vec<String> = Vec::new();
    vec![
        template("Key, Secret, & Certificate Management", &key_management, &secret_management, &certificate_management),
        template("Key & Secret Management", &key_management, &secret_management, &none),
        template("Secret & Certificate Management", &none, &secret_management, &certificate_management),
        template("Key & Certificate Management", &key_management, &none, &certificate_management),
        template("Key Management", &key_management, &none, &none),
        template("Secret Management", &none, &secret_management, &none),
        template("Certificate Management", &none, &none, &certificate_management),
        template("SQL Server Connector", &list(&["get", "list", "unwrapKey", "wrapKey"]), &none, &none),
        template("Azure Data Lake Storage or Azure Storage", &list(&["get", "list", "unwrapKey", "wrapKey"]), &none, &none),
        template("Azure Backup", &list(&["get", "list", "backup"]), &list(&["get", "list", "backup"]), &none),
        template("Exchange Online Customer Key", &list(&["get", "unwrapKey", "wrapKey"]), &none, &none),
        template("SharePoint Online Customer Key", &list(&["get", "unwrapKey", "wrapKey"]), &none, &none),
        template("Azure Information BYOK", &list(&["get", "decrypt", "sign"]), &none, &none),
    ]
}

/// A change to one principal's access policy; `None` leaves that kind's list as it is (as
/// `az keyvault set-policy` does).
#[derive(Debug, Clone, Default)]
pub struct PolicyChange {
    /// Key permissions to set.
    pub keys: Option<Vec<String>>,
    /// Secret permissions to set.
    pub secrets: Option<Vec<String>>,
    /// Certificate permissions to set.
    pub certificates: Option<Vec<String>>,
}

/// The vault after a policy write, with flags raised by the write.
#[derive(Debug, Clone)]
pub struct PolicyWrite {
    /// The vault as it now is.
    pub vault: Vault,
    /// Flags such as [`SELF_GRANT_FLAG`].
    pub flags: Vec<String>,
}

impl Vaultmort {
    /// Sets the access policy of a principal (UPN, app id, display name or object id) on a vault:
    /// creates it, or changes the permission kinds given. Flags a caller granting itself.
    pub async fn set_access_policy(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        principal: &str,
        change: PolicyChange,
    ) -> Result<PolicyWrite> {
        let mut req = self.request(ctx, actions::ACCESS_POLICY_WRITE).await?;
        let result = async {
            let mut vault = crate::vaults::active_vault(req.tx.as_mut(), vault_name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            let object = crate::directory::find(req.tx.as_mut(), principal).await?;
            let keys = change.keys.as_deref().map(|p| parse_permissions(ObjectKind::Key, p)).transpose()?;
            let secrets = change.secrets.as_deref().map(|p| parse_permissions(ObjectKind::Secret, p)).transpose()?;
            let certificates = change.certificates.as_deref().map(|p| parse_permissions(ObjectKind::Certificate, p)).transpose()?;
            if keys.is_none() && secrets.is_none() && certificates.is_none() {
                return Err(Error::bad("give at least one of --key-permissions, --secret-permissions and --certificate-permissions"));
            }
            let position = vault.access_policies.iter().position(|p| p.object_id == object.object_id && p.application_id.is_none());
            let index = match position {
                Some(index) => index,
                None => {
                    if vault.access_policies.len() >= MAX_POLICIES_PER_VAULT {
                        return Err(Error::bad(format!(
                            "vault '{}' already has {MAX_POLICIES_PER_VAULT} access policies, the most a vault may hold",
                            vault.name
                        )));
                    }
                    vault.access_policies.push(AccessPolicy {
                        tenant_id: self.tenant.tenant_id.clone(),
                        object_id: object.object_id.clone(),
                        application_id: None,
                        permissions: Permissions::default(),
                    });
                    vault.access_policies.len() - 1
                }
            };
            let policy = &mut vault.access_policies[index];
            if let Some(keys) = keys {
                policy.permissions.keys = keys;
            }
            if let Some(secrets) = secrets {
                policy.permissions.secrets = secrets;
            }
            if let Some(certificates) = certificates {
                policy.permissions.certificates = certificates;
            }
            let granted = !policy.permissions.is_empty();
            let facts = req.caller_facts(true).await?;
            let mut flags = Vec::new();
            if granted && facts.identities.contains(&object.object_id) {
                req.flag(SELF_GRANT_FLAG);
                flags.push(SELF_GRANT_FLAG.to_string());
            }
            vault.updated = req.now;
            req.tx.vault_put(&vault).await?;
            Ok(PolicyWrite { vault, flags })
        }
        .await;
        req.finish(result).await
    }

    /// Removes a principal's access policy from a vault (`az keyvault delete-policy`).
    pub async fn delete_access_policy(&self, ctx: &RequestContext, vault_name: &str, principal: &str) -> Result<Vault> {
        let mut req = self.request(ctx, actions::ACCESS_POLICY_WRITE).await?;
        let result = async {
            let mut vault = crate::vaults::active_vault(req.tx.as_mut(), vault_name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            // A policy may outlive its principal; an object id matches it directly.
            let object_id = match crate::directory::find(req.tx.as_mut(), principal).await {
                Ok(object) => object.object_id,
                Err(_) if vault.access_policies.iter().any(|p| p.object_id.eq_ignore_ascii_case(principal)) => {
                    principal.to_ascii_lowercase()
                }
                Err(e) => return Err(e),
            };
            let before = vault.access_policies.len();
            vault.access_policies.retain(|p| !p.object_id.eq_ignore_ascii_case(&object_id));
            if vault.access_policies.len() == before {
                return Err(Error::NotFound {
                    code: "AccessPolicyNotFound",
                    message: format!("vault '{}' has no access policy for '{principal}'", vault.name),
                });
            }
            vault.updated = req.now;
            req.tx.vault_put(&vault).await?;
            Ok(vault)
        }
        .await;
        req.finish(result).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_and_the_main_template_have_the_portal_counts() {
        assert_eq!((KEY_PERMISSIONS.len(), SECRET_PERMISSIONS.len(), CERTIFICATE_PERMISSIONS.len()), (20, 8, 16), "Azure's lists");
        let main = templates().into_iter().find(|t| t.name == "Key, Secret, & Certificate Management").expect("the template exists");
        let counts = (main.permissions.keys.len(), main.permissions.secrets.len(), main.permissions.certificates.len());
        assert_eq!(counts, (9, 7, 15), "9 key, 7 secret (all but purge), 15 certificate (all but purge) permissions");
        assert!(!main.permissions.holds(ObjectKind::Secret, "purge"), "the template leaves purge out");
    }

    #[test]
    fn permission_names_are_checked_and_canonicalised() {
        let parsed = parse_permissions(ObjectKind::Key, &["WRAPKEY".into(), "get,list".into()]).expect("valid names");
        assert_eq!(parsed, ["wrapKey", "get", "list"], "names take the canonical spelling, in order, without duplicates");
        assert!(parse_permissions(ObjectKind::Secret, &["sign".into()]).is_err(), "sign is not a secret permission");
        assert_eq!(parse_permissions(ObjectKind::Secret, &["all".into()]).expect("all").len(), 8, "all expands to the list");
    }
}
