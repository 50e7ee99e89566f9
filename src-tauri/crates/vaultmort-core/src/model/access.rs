//! The records of access control that a vault and the directory hold: access policies and their
//! permission lists, the firewall's settings, and role definitions and assignments. The rules
//! that read them live above: [`crate::authz`] decides, [`crate::firewall`] checks addresses, and
//! [`crate::access_policy`], [`crate::roles`] and [`crate::firewall`] hold the operations that
//! change them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ObjectKind;

/// Key permissions, in the portal's order: management, cryptographic, privileged, rotation.
pub const KEY_PERMISSIONS: [&str; 20] = [
    "get",
    "list",
    "update",
    "create",
    "import",
    "delete",
    "recover",
    "backup",
    "restore",
    "decrypt",
    "encrypt",
    "unwrapKey",
    "wrapKey",
    "verify",
    "sign",
    "purge",
    "release",
    "rotate",
    "getrotationpolicy",
    "setrotationpolicy",
];

/// Secret permissions.
pub const SECRET_PERMISSIONS: [&str; 8] = ["get", "list", "set", "delete", "recover", "backup", "restore", "purge"];

/// Certificate permissions.
pub const CERTIFICATE_PERMISSIONS: [&str; 16] = [
    "get",
    "list",
    "update",
    "create",
    "import",
    "delete",
    "recover",
    "backup",
    "restore",
    "managecontacts",
    "manageissuers",
    "getissuers",
    "listissuers",
    "setissuers",
    "deleteissuers",
    "purge",
];

/// The permission list of a kind of object.
pub fn permissions_of(kind: ObjectKind) -> &'static [&'static str] {
    match kind {
        ObjectKind::Key => &KEY_PERMISSIONS,
        ObjectKind::Secret => &SECRET_PERMISSIONS,
        ObjectKind::Certificate => &CERTIFICATE_PERMISSIONS,
    }
}

/// The permissions one policy grants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Key permissions.
    #[serde(default)]
    pub keys: Vec<String>,
    /// Secret permissions.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Certificate permissions.
    #[serde(default)]
    pub certificates: Vec<String>,
}

impl Permissions {
    /// Every permission of every kind (what `az keyvault create` gives the creator).
    pub fn all() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Self { keys: list(&KEY_PERMISSIONS), secrets: list(&SECRET_PERMISSIONS), certificates: list(&CERTIFICATE_PERMISSIONS) }
    }

    /// The list for a kind.
    pub fn of(&self, kind: ObjectKind) -> &[String] {
        match kind {
            ObjectKind::Key => &self.keys,
            ObjectKind::Secret => &self.secrets,
            ObjectKind::Certificate => &self.certificates,
        }
    }

    /// Whether the policy holds `permission` on `kind` (case-insensitive; `all` holds every one).
    pub fn holds(&self, kind: ObjectKind, permission: &str) -> bool {
        self.of(kind).iter().any(|p| p.eq_ignore_ascii_case(permission) || p.eq_ignore_ascii_case("all"))
    }

    /// Whether it grants nothing.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.secrets.is_empty() && self.certificates.is_empty()
    }
}

/// One access policy entry of a vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessPolicy {
    /// The tenant.
    pub tenant_id: String,
    /// The user, group, service principal or managed identity.
    pub object_id: String,
    /// A compound identity's application id, when set.
    #[serde(default)]
    pub application_id: Option<String>,
    /// What it grants.
    pub permissions: Permissions,
}

/// Whether the vault answers on its public endpoint at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublicNetworkAccess {
    /// Reachable (subject to the rules).
    #[default]
    Enabled,
    /// Not reachable, except for trusted services when the bypass allows them.
    Disabled,
}

/// What happens to a request no rule matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DefaultAction {
    /// Let it through (no firewall).
    #[default]
    Allow,
    /// Refuse it.
    Deny,
}

/// Whether trusted Microsoft services pass the firewall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bypass {
    /// Trusted services pass.
    #[default]
    AzureServices,
    /// Nobody passes without a rule.
    None,
}

/// A vault's firewall settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAcls {
    /// Public network access.
    #[serde(default)]
    pub public_network_access: PublicNetworkAccess,
    /// The default action.
    #[serde(default)]
    pub default_action: DefaultAction,
    /// The trusted-services bypass.
    #[serde(default)]
    pub bypass: Bypass,
    /// IPv4 rules in CIDR form (`203.0.113.0/24`, `198.51.100.7/32`).
    #[serde(default)]
    pub ip_rules: Vec<String>,
    /// Subnet resource ids.
    #[serde(default)]
    pub virtual_network_rules: Vec<String>,
}

/// Built-in or custom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleType {
    /// Shipped with Azure.
    BuiltInRole,
    /// Defined by the tenant.
    CustomRole,
}

/// A role definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    /// The role's GUID (Azure's own for built-in roles).
    pub id: String,
    /// Role name ("Key Vault Secrets User").
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Built-in or custom.
    pub role_type: RoleType,
    /// Management actions granted (patterns with `*`).
    pub actions: Vec<String>,
    /// Management actions taken back out.
    pub not_actions: Vec<String>,
    /// Data actions granted.
    pub data_actions: Vec<String>,
    /// Data actions taken back out.
    pub not_data_actions: Vec<String>,
    /// Where it may be assigned (`/` for built-in roles).
    pub assignable_scopes: Vec<String>,
}

/// A role assignment: a role for a principal at a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// The assignment's GUID.
    pub id: String,
    /// Object id of the user, group, service principal or managed identity.
    pub principal_id: String,
    /// What kind of principal, as az shows it (`User`, `Group`, `ServicePrincipal`).
    pub principal_type: String,
    /// The role's id.
    pub role_definition_id: String,
    /// The role's name, at the time of assignment.
    pub role_definition_name: String,
    /// The scope (resource id; `/` for the tenant root).
    pub scope: String,
    /// When it was made.
    pub created: DateTime<Utc>,
}
