//! What crosses the IPC boundary for access control: directory principals, the signed-in
//! principal, access policies and their templates, role definitions and assignments, "check
//! access", the vault's firewall, and the access log. Each view is built from the core's type
//! here; the rules themselves (who may write a policy, what a role grants) stay in the core.

use crate::dto::iso;
use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_core::access_check::AccessCheck;
use vaultmort_core::access_policy::{AccessPolicy, PolicyTemplate};
use vaultmort_core::audit::Verification;
use vaultmort_core::directory::{DirectoryObject, DirectoryObjectKind};
use vaultmort_core::firewall::NetworkAcls;
use vaultmort_core::roles::{RoleAssignment, RoleDefinition, RoleType};
use vaultmort_core::storage::AuditRecord;

/// The kinds of directory object, as the UI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKindName {
    /// A person.
    User,
    /// A security group.
    Group,
    /// An application's service principal.
    ServicePrincipal,
    /// A managed identity.
    ManagedIdentity,
}

impl From<DirectoryObjectKind> for PrincipalKindName {
    fn from(kind: DirectoryObjectKind) -> Self {
        match kind {
            DirectoryObjectKind::User => Self::User,
            DirectoryObjectKind::Group => Self::Group,
            DirectoryObjectKind::ServicePrincipal => Self::ServicePrincipal,
            DirectoryObjectKind::ManagedIdentity => Self::ManagedIdentity,
        }
    }
}

/// A directory object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalView {
    /// Object id.
    pub object_id: String,
    /// What it is.
    pub kind: PrincipalKindName,
    /// Display name.
    pub display_name: String,
    /// What one signs in with: the UPN for users, else the display name.
    pub sign_in_name: String,
    /// Application id, for service principals.
    pub app_id: Option<String>,
    /// A first-party service Key Vault trusts (the firewall's bypass lets it through).
    pub trusted_service: bool,
}

impl From<DirectoryObject> for PrincipalView {
    fn from(o: DirectoryObject) -> Self {
        Self {
            sign_in_name: o.sign_in_name(),
            object_id: o.object_id,
            kind: o.kind.into(),
            display_name: o.display_name,
            app_id: o.app_id,
            trusted_service: o.trusted_service,
        }
    }
}

/// Who the app acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignedInView {
    /// Object id.
    pub object_id: String,
    /// Sign-in name.
    pub name: String,
    /// Whether this is the installation's owner.
    pub owner: bool,
}

impl From<&vaultmort_core::Principal> for SignedInView {
    fn from(p: &vaultmort_core::Principal) -> Self {
        Self { object_id: p.object_id.clone(), name: p.name.clone(), owner: p.is_local_owner() }
    }
}

/// A principal just created; a service principal's client secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreatedPrincipalView {
    /// The new object.
    pub principal: PrincipalView,
    /// The first client secret of a service principal; never shown again.
    pub client_secret: Option<String>,
}

/// Permission names, by kind of object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PermissionSet {
    /// Key permissions (`get`, `sign`, ...).
    pub keys: Vec<String>,
    /// Secret permissions.
    pub secrets: Vec<String>,
    /// Certificate permissions.
    pub certificates: Vec<String>,
}

/// One access policy of a vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AccessPolicyView {
    /// The principal's object id.
    pub object_id: String,
    /// Its display name ("unknown principal" once deleted from the directory).
    pub display_name: String,
    /// What it is, when the directory still knows it.
    pub kind: Option<PrincipalKindName>,
    /// What it may do.
    pub permissions: PermissionSet,
}

impl AccessPolicyView {
    pub(crate) fn of(policy: &AccessPolicy, directory: &[DirectoryObject]) -> Self {
        let known = directory.iter().find(|o| o.object_id == policy.object_id);
        Self {
            object_id: policy.object_id.clone(),
            display_name: known.map_or_else(|| "unknown principal".to_string(), DirectoryObject::sign_in_name),
            kind: known.map(|o| o.kind.into()),
            permissions: PermissionSet {
                keys: policy.permissions.keys.clone(),
                secrets: policy.permissions.secrets.clone(),
                certificates: policy.permissions.certificates.clone(),
            },
        }
    }
}

/// A vault's "Access configuration": its permission model and, in policy mode, its policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AccessConfigView {
    /// Azure RBAC decides data access (access policies are then ignored).
    pub rbac_authorization: bool,
    /// The vault's access policies.
    pub policies: Vec<AccessPolicyView>,
    /// Every permission a policy can hold, for the editor's checkboxes.
    pub all_permissions: PermissionSet,
    /// The portal's "Configure from template" presets.
    pub templates: Vec<PolicyTemplateView>,
}

/// A "Configure from template" preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTemplateView {
    /// Its name, as the portal shows it.
    pub name: String,
    /// What it selects.
    pub permissions: PermissionSet,
}

impl From<PolicyTemplate> for PolicyTemplateView {
    fn from(t: PolicyTemplate) -> Self {
        Self {
            name: t.name.to_string(),
            permissions: PermissionSet {
                keys: t.permissions.keys,
                secrets: t.permissions.secrets,
                certificates: t.permissions.certificates,
            },
        }
    }
}

/// What writing a policy did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PolicyWriteView {
    /// Flags the core raised, e.g. `self-granted-data-access` when the writer granted itself data access.
    pub flags: Vec<String>,
}

/// A role definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinitionView {
    /// Its id.
    pub id: String,
    /// Its name (`Key Vault Secrets User`).
    pub name: String,
    /// What it is for.
    pub description: String,
    /// A custom role (not built in).
    pub custom: bool,
    /// Whether it grants data actions (so it matters at vault and object scope).
    pub data_role: bool,
}

impl From<RoleDefinition> for RoleDefinitionView {
    fn from(r: RoleDefinition) -> Self {
        Self {
            custom: r.role_type != RoleType::BuiltInRole,
            data_role: !r.data_actions.is_empty(),
            id: r.id,
            name: r.name,
            description: r.description,
        }
    }
}

/// A role assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentView {
    /// Its id.
    pub id: String,
    /// The assignee's object id.
    pub principal_id: String,
    /// The assignee's type (`User`, `Group`, `ServicePrincipal`).
    pub principal_type: String,
    /// The role's name.
    pub role: String,
    /// Where it applies.
    pub scope: String,
    /// When it was made.
    pub created: String,
}

impl From<RoleAssignment> for RoleAssignmentView {
    fn from(a: RoleAssignment) -> Self {
        Self {
            id: a.id,
            principal_id: a.principal_id,
            principal_type: a.principal_type,
            role: a.role_definition_name,
            scope: a.scope,
            created: iso(a.created),
        }
    }
}

/// One line of "check access".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AccessCheckView {
    /// The operation.
    pub operation: String,
    /// Its access-policy permission (`secrets/get`).
    pub permission: String,
    /// Its RBAC data action.
    pub data_action: Option<String>,
    /// Whether the principal may.
    pub allowed: bool,
    /// The rule that decided.
    pub rule: String,
}

impl From<AccessCheck> for AccessCheckView {
    fn from(c: AccessCheck) -> Self {
        Self { operation: c.operation, permission: c.permission, data_action: c.data_action, allowed: c.allowed, rule: c.rule }
    }
}

/// A vault's firewall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkView {
    /// `Enabled` or `Disabled`.
    pub public_network_access: String,
    /// `Allow` or `Deny`.
    pub default_action: String,
    /// `AzureServices` or `None`.
    pub bypass: String,
    /// IPv4 addresses and CIDR ranges.
    pub ip_rules: Vec<String>,
    /// Subnet ids.
    pub virtual_network_rules: Vec<String>,
}

impl From<NetworkAcls> for NetworkView {
    fn from(n: NetworkAcls) -> Self {
        Self {
            public_network_access: format!("{:?}", n.public_network_access),
            default_action: format!("{:?}", n.default_action),
            bypass: format!("{:?}", n.bypass),
            ip_rules: n.ip_rules,
            virtual_network_rules: n.virtual_network_rules,
        }
    }
}

/// One record of the access log (never a value, key or token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecordView {
    /// Position in the log.
    pub sequence: u32,
    /// When (the installation's clock).
    pub time: String,
    /// Key Vault's operation name.
    pub operation: String,
    /// The caller's name.
    pub caller_name: String,
    /// The caller's object id.
    pub caller_object_id: String,
    /// The client address.
    pub client_address: String,
    /// The door (`desktop`, `cli`, `rest`, `system`).
    pub door: String,
    /// The vault, if any.
    pub vault: Option<String>,
    /// The object (`secrets/name/version`), never its value.
    pub object: Option<String>,
    /// HTTP-style status.
    pub status: u32,
    /// The error code, if refused or failed.
    pub error_code: Option<String>,
    /// Duration in microseconds.
    pub duration_micros: u32,
    /// The rule that allowed or denied it.
    pub rule: String,
    /// Flags, e.g. `self-granted-data-access`.
    pub flags: Vec<String>,
}

impl From<AuditRecord> for AuditRecordView {
    fn from(r: AuditRecord) -> Self {
        Self {
            sequence: u32::try_from(r.sequence).unwrap_or(u32::MAX),
            time: iso(r.time),
            operation: r.operation,
            caller_name: r.caller_name,
            caller_object_id: r.caller_object_id,
            client_address: r.client_address,
            door: r.door,
            vault: r.vault,
            object: r.object,
            status: u32::from(r.status),
            error_code: r.error_code,
            duration_micros: u32::try_from(r.duration_micros).unwrap_or(u32::MAX),
            rule: r.rule,
            flags: r.flags,
        }
    }
}

/// The access log's filters (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditFilterInput {
    /// Vault name.
    pub vault: Option<String>,
    /// Caller name or object id.
    pub caller: Option<String>,
    /// Operation name.
    pub operation: Option<String>,
    /// `succeeded`, `denied` or `failed`.
    pub outcome: Option<String>,
    /// From (ISO-8601).
    pub since: Option<String>,
    /// Until (ISO-8601).
    pub until: Option<String>,
    /// At most this many (newest).
    pub limit: Option<u32>,
}

/// The result of checking the log's hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VerificationView {
    /// The chain is intact.
    pub valid: bool,
    /// Records read.
    pub records: u32,
    /// The first record that breaks the chain.
    pub first_bad_sequence: Option<u32>,
    /// What is wrong, in words.
    pub problems: Vec<String>,
}

impl From<Verification> for VerificationView {
    fn from(v: Verification) -> Self {
        Self {
            valid: v.valid,
            records: u32::try_from(v.records).unwrap_or(u32::MAX),
            first_bad_sequence: v.first_bad_sequence.and_then(|s| u32::try_from(s).ok()),
            problems: v.problems,
        }
    }
}
