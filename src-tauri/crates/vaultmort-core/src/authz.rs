//! The authorize stage of the pipeline: which permission each operation needs, and the
//! [`Authorizer`] that decides.
//!
//! Every operation maps to exactly one [`Action`]: a Key Vault operation name (as the access log
//! records it) and one permission, either a management-plane action on a scope or a data-plane
//! permission on a kind of object. A data permission names both its access-policy permission
//! (`secrets/get`) and its RBAC dataAction (`Microsoft.KeyVault/vaults/secrets/getSecret/action`),
//! so one operation is checked the same way in either permission model.
//!
//! [`AzureRules`] decides as Azure does: management actions against role assignments (inherited
//! downward from the scope they are made at, through nested group membership), data actions
//! against the vault's access policies, or, when the vault uses RBAC authorization, against role
//! assignments at the vault or the object's scope. The facts it needs (the caller's groups,
//! assignments, custom roles) are loaded by the pipeline from the request's transaction; the
//! decision itself is a pure function. Left out: the firewall (see [`crate::firewall`]), which the
//! pipeline runs before this stage.

use std::collections::{BTreeSet, HashMap};

use crate::error::ObjectKind;
use crate::model::Vault;
use crate::model::access::{AccessPolicy, RoleAssignment, RoleDefinition};

/// The permission an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// A management-plane action such as `Microsoft.KeyVault/vaults/write`.
    Management(&'static str),
    /// A data-plane permission on keys, secrets or certificates.
    Data {
        /// The kind of object.
        kind: ObjectKind,
        /// The access-policy permission (`get`, `sign`, `purge`, ...).
        permission: &'static str,
        /// The RBAC dataAction (`Microsoft.KeyVault/vaults/keys/sign/action`, ...).
        data_action: &'static str,
    },
}

/// One operation of the core: its audit name and the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// Key Vault's operation name, as recorded in the access log.
    pub operation: &'static str,
    /// The permission it needs.
    pub permission: Permission,
    /// Whether the operation changes nothing but its audit record (it then runs without a
    /// write transaction).
    pub read_only: bool,
}

impl Action {
    /// The same action, marked as changing nothing.
    pub const fn reads(self) -> Self {
        Action { read_only: true, ..self }
    }

    /// Whether this is a data-plane action (subject to the firewall and access policies).
    pub fn is_data(&self) -> bool {
        matches!(self.permission, Permission::Data { .. })
    }
}

/// What an action is checked against.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The practice tenant itself (directory, settings such as the clock, the access log): the
    /// root scope `/`.
    Tenant,
    /// A subscription.
    Subscription(&'a str),
    /// A resource group of a subscription.
    ResourceGroup {
        /// Subscription id.
        subscription_id: &'a str,
        /// Resource group name.
        name: &'a str,
    },
    /// A vault (management or data plane).
    Vault(&'a Vault),
    /// Any scope by its resource id (role assignments and custom roles name scopes this way).
    Resource(&'a str),
}

impl Scope<'_> {
    /// The Azure resource id of the scope (`/` for the tenant).
    pub fn path(&self) -> String {
        match self {
            Scope::Tenant => "/".to_string(),
            Scope::Subscription(id) => format!("/subscriptions/{id}"),
            Scope::ResourceGroup { subscription_id, name } => format!("/subscriptions/{subscription_id}/resourceGroups/{name}"),
            Scope::Vault(vault) => vault.resource_id(),
            Scope::Resource(path) => path.to_string(),
        }
    }
}

/// The scope of one object in a vault, for data roles assigned at object scope:
/// `<vault id>/secrets/<name>`.
pub fn object_scope(vault: &Vault, kind: ObjectKind, name: &str) -> String {
    format!("{}/{}/{name}", vault.resource_id(), kind.collection())
}

/// Whether an assignment made at `assigned` reaches `target` (the same scope or one below it).
pub fn scope_contains(assigned: &str, target: &str) -> bool {
    let assigned = assigned.trim_end_matches('/').to_ascii_lowercase();
    let target = target.trim_end_matches('/').to_ascii_lowercase();
    assigned.is_empty() || target == assigned || target.starts_with(&format!("{assigned}/"))
}

/// Whether an action pattern from a role definition (`*`, `*/read`,
/// `Microsoft.KeyVault/vaults/secrets/*`) matches an action. `*` matches any run of characters;
/// comparison ignores case, as Azure's does.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    fn matches(pattern: &[u8], text: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len()).any(|skip| matches(rest, &text[skip..])),
            Some((first, rest)) => text.first().is_some_and(|t| t.eq_ignore_ascii_case(first)) && matches(rest, &text[1..]),
        }
    }
    matches(pattern.as_bytes(), action.as_bytes())
}

/// What the authorizer knows about the caller, loaded from the store for one request.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The caller's object id and the object ids of every group it is in, directly or through
    /// nested groups.
    pub identities: BTreeSet<String>,
    /// Role assignments to any of those identities.
    pub assignments: Vec<RoleAssignment>,
    /// Every role definition (built-in and custom), by id.
    pub definitions: HashMap<String, RoleDefinition>,
}

/// The target of one decision.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The scope the action is checked at.
    pub scope: Scope<'a>,
    /// For a data action on one named object: its kind and name (object-scope assignments
    /// reach it).
    pub object: Option<(ObjectKind, &'a str)>,
}

/// The verdict and the rule that gave it; both go into the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// The rule that decided, in words.
    pub rule: String,
}

/// Decides whether a caller may perform an action on a target.
pub trait Authorizer: Send + Sync + std::fmt::Debug {
    /// The decision. Implementations must fail closed: no matching rule means refusal.
    fn authorize(&self, caller_name: &str, action: &Action, target: Target<'_>, facts: &Facts) -> Decision;
}

/// Azure's rules: RBAC for the management plane; access policies, or RBAC when the vault has
/// `enableRbacAuthorization`, for the data plane.
#[derive(Debug, Default)]
pub struct AzureRules;

impl Authorizer for AzureRules {
    fn authorize(&self, caller_name: &str, action: &Action, target: Target<'_>, facts: &Facts) -> Decision {
        let refuse = |why: &str| Decision {
            allowed: false,
            rule: format!("no role assignment or access policy grants {} to {caller_name}{why}", describe(action)),
        };
        match (action.permission, target.scope) {
            (Permission::Data { kind, permission, data_action }, Scope::Vault(vault)) => {
                if vault.rbac_authorization {
                    let mut scopes = vec![vault.resource_id()];
                    if let Some((object_kind, name)) = target.object.filter(|(object_kind, _)| *object_kind == kind) {
                        scopes.push(object_scope(vault, object_kind, name));
                    }
                    match granting_assignment(facts, data_action, true, &scopes) {
                        Some(rule) => Decision { allowed: true, rule },
                        None => refuse(&format!(" (the vault uses Azure RBAC; no role at its scope has {data_action})")),
                    }
                } else {
                    match granting_policy(&vault.access_policies, facts, kind, permission) {
                        Some(policy) => Decision {
                            allowed: true,
                            rule: format!("access policy for object {} grants {}", policy.object_id, describe(action)),
                        },
                        None => refuse(" (the vault uses access policies; none grants it)"),
                    }
                }
            }
            (Permission::Data { .. }, _) => refuse(" (a data-plane action is only granted on a vault)"),
            (Permission::Management(name), scope) => match granting_assignment(facts, name, false, &[scope.path()]) {
                Some(rule) => Decision { allowed: true, rule },
                None => refuse(""),
            },
        }
    }
}

/// The first assignment whose role grants `action` (a dataAction when `data`) at one of
/// `scopes`, described as a rule.
fn granting_assignment(facts: &Facts, action: &str, data: bool, scopes: &[String]) -> Option<String> {
    facts.assignments.iter().find_map(|assignment| {
        let reaches = scopes.iter().any(|scope| scope_contains(&assignment.scope, scope));
        let role = facts.definitions.get(&assignment.role_definition_id)?;
        (reaches && role.grants(action, data))
            .then(|| format!("role '{}' assigned to {} at scope {}", role.name, assignment.principal_id, assignment.scope))
    })
}

/// The first access policy for one of the caller's identities that holds `permission`.
fn granting_policy<'a>(policies: &'a [AccessPolicy], facts: &Facts, kind: ObjectKind, permission: &str) -> Option<&'a AccessPolicy> {
    policies.iter().find(|policy| facts.identities.contains(&policy.object_id) && policy.permissions.holds(kind, permission))
}

/// "secrets/get" or "Microsoft.KeyVault/vaults/write", for messages.
pub fn describe(action: &Action) -> String {
    match action.permission {
        Permission::Management(name) => name.to_string(),
        Permission::Data { kind, permission, .. } => format!("{}/{permission}", kind.collection()),
    }
}

/// The catalogue of actions, one per core operation.
pub mod actions {
    use super::{Action, Permission};
    use crate::error::ObjectKind::{Certificate, Key, Secret};

    const fn mgmt(operation: &'static str, action: &'static str) -> Action {
        Action { operation, permission: Permission::Management(action), read_only: false }
    }
    const fn key(operation: &'static str, permission: &'static str, data_action: &'static str) -> Action {
        Action { operation, permission: Permission::Data { kind: Key, permission, data_action }, read_only: false }
    }
    const fn certificate(operation: &'static str, permission: &'static str, data_action: &'static str) -> Action {
        Action { operation, permission: Permission::Data { kind: Certificate, permission, data_action }, read_only: false }
    }
    const fn secret(operation: &'static str, permission: &'static str, data_action: &'static str) -> Action {
        Action { operation, permission: Permission::Data { kind: Secret, permission, data_action }, read_only: false }
    }

    /// Create or replace a resource group.
    pub const GROUP_PUT: Action = mgmt("ResourceGroupPut", "Microsoft.Resources/subscriptions/resourceGroups/write");
    /// Read resource groups.
    pub const GROUP_READ: Action = mgmt("ResourceGroupGet", "Microsoft.Resources/subscriptions/resourceGroups/read").reads();
    /// Delete a resource group.
    pub const GROUP_DELETE: Action = mgmt("ResourceGroupDelete", "Microsoft.Resources/subscriptions/resourceGroups/delete");
    /// Create a vault.
    pub const VAULT_PUT: Action = mgmt("VaultPut", "Microsoft.KeyVault/vaults/write");
    /// Change a vault.
    pub const VAULT_PATCH: Action = mgmt("VaultPatch", "Microsoft.KeyVault/vaults/write");
    /// Read a vault.
    pub const VAULT_GET: Action = mgmt("VaultGet", "Microsoft.KeyVault/vaults/read").reads();
    /// List vaults.
    pub const VAULT_LIST: Action = mgmt("VaultList", "Microsoft.KeyVault/vaults/read").reads();
    /// Soft-delete a vault.
    pub const VAULT_DELETE: Action = mgmt("VaultDelete", "Microsoft.KeyVault/vaults/delete");
    /// Read deleted vaults.
    pub const VAULT_GET_DELETED: Action = mgmt("DeletedVaultGet", "Microsoft.KeyVault/locations/deletedVaults/read").reads();
    /// Recover a deleted vault.
    pub const VAULT_RECOVER: Action = mgmt("VaultRecover", "Microsoft.KeyVault/vaults/write");
    /// Purge a deleted vault.
    pub const VAULT_PURGE: Action = mgmt("VaultPurge", "Microsoft.KeyVault/locations/deletedVaults/purge/action");
    /// Shift the installation's clock.
    pub const CLOCK_SHIFT: Action = mgmt("ClockShift", "Vaultmort/clock/write");
    /// See the HSM: module, token, mechanisms, objects.
    pub const HSM_READ: Action = mgmt("HsmRead", "Vaultmort/hsm/read").reads();
    /// Choose the HSM (PKCS#11 module, token, PIN).
    pub const HSM_CONFIGURE: Action = mgmt("HsmConfigure", "Vaultmort/hsm/write");
    /// Read the access log.
    pub const LOG_READ: Action = mgmt("AuditLogRead", "Microsoft.Insights/diagnosticSettings/read").reads();

    /// Create a key.
    pub const KEY_CREATE: Action = key("KeyCreate", "create", "Microsoft.KeyVault/vaults/keys/create/action");
    /// Import a key.
    pub const KEY_IMPORT: Action = key("KeyImport", "import", "Microsoft.KeyVault/vaults/keys/import/action");
    /// Read a key.
    pub const KEY_GET: Action = key("KeyGet", "get", "Microsoft.KeyVault/vaults/keys/read").reads();
    /// List keys or versions.
    pub const KEY_LIST: Action = key("KeyList", "list", "Microsoft.KeyVault/vaults/keys/read").reads();
    /// Update a key version.
    pub const KEY_UPDATE: Action = key("KeyUpdate", "update", "Microsoft.KeyVault/vaults/keys/update/action");
    /// Rotate a key.
    pub const KEY_ROTATE: Action = key("KeyRotate", "rotate", "Microsoft.KeyVault/vaults/keys/rotate/action");
    /// Random bytes from the vault (`POST /rng`); any key permission a caller could read with.
    pub const KEY_RANDOM_BYTES: Action = key("KeyRandomBytes", "get", "Microsoft.KeyVault/vaults/keys/read").reads();
    /// Read a key's rotation policy.
    pub const KEY_GET_ROTATION_POLICY: Action =
        key("KeyRotationPolicyGet", "getrotationpolicy", "Microsoft.KeyVault/vaults/keyrotationpolicies/read").reads();
    /// Set a key's rotation policy.
    pub const KEY_SET_ROTATION_POLICY: Action =
        key("KeyRotationPolicySet", "setrotationpolicy", "Microsoft.KeyVault/vaults/keyrotationpolicies/write");
    /// Delete a key.
    pub const KEY_DELETE: Action = key("KeyDelete", "delete", "Microsoft.KeyVault/vaults/keys/delete");
    /// Read deleted keys.
    pub const KEY_GET_DELETED: Action = key("KeyGetDeleted", "get", "Microsoft.KeyVault/vaults/deletedKeys/read").reads();
    /// List deleted keys.
    pub const KEY_LIST_DELETED: Action = key("KeyListDeleted", "list", "Microsoft.KeyVault/vaults/deletedKeys/read").reads();
    /// Recover a key.
    pub const KEY_RECOVER: Action = key("KeyRecover", "recover", "Microsoft.KeyVault/vaults/deletedKeys/recover/action");
    /// Purge a key.
    pub const KEY_PURGE: Action = key("KeyPurge", "purge", "Microsoft.KeyVault/vaults/deletedKeys/delete");
    /// Back up a key.
    pub const KEY_BACKUP: Action = key("KeyBackup", "backup", "Microsoft.KeyVault/vaults/keys/backup/action");
    /// Restore a key.
    pub const KEY_RESTORE: Action = key("KeyRestore", "restore", "Microsoft.KeyVault/vaults/keys/restore/action");
    /// Encrypt.
    pub const KEY_ENCRYPT: Action = key("KeyEncrypt", "encrypt", "Microsoft.KeyVault/vaults/keys/encrypt/action").reads();
    /// Decrypt.
    pub const KEY_DECRYPT: Action = key("KeyDecrypt", "decrypt", "Microsoft.KeyVault/vaults/keys/decrypt/action").reads();
    /// Wrap a key.
    pub const KEY_WRAP: Action = key("KeyWrap", "wrapKey", "Microsoft.KeyVault/vaults/keys/wrap/action").reads();
    /// Unwrap a key.
    pub const KEY_UNWRAP: Action = key("KeyUnwrap", "unwrapKey", "Microsoft.KeyVault/vaults/keys/unwrap/action").reads();
    /// Sign a digest.
    pub const KEY_SIGN: Action = key("KeySign", "sign", "Microsoft.KeyVault/vaults/keys/sign/action").reads();
    /// Verify a signature.
    pub const KEY_VERIFY: Action = key("KeyVerify", "verify", "Microsoft.KeyVault/vaults/keys/verify/action").reads();

    /// Set a secret.
    pub const SECRET_SET: Action = secret("SecretSet", "set", "Microsoft.KeyVault/vaults/secrets/setSecret/action");
    /// Read a secret.
    pub const SECRET_GET: Action = secret("SecretGet", "get", "Microsoft.KeyVault/vaults/secrets/getSecret/action").reads();
    /// List secrets or versions.
    pub const SECRET_LIST: Action = secret("SecretList", "list", "Microsoft.KeyVault/vaults/secrets/readMetadata/action").reads();
    /// Update a secret version's attributes.
    pub const SECRET_UPDATE: Action = secret("SecretUpdate", "set", "Microsoft.KeyVault/vaults/secrets/update/action");
    /// Delete a secret.
    pub const SECRET_DELETE: Action = secret("SecretDelete", "delete", "Microsoft.KeyVault/vaults/secrets/delete");
    /// Read deleted secrets.
    pub const SECRET_GET_DELETED: Action = secret("SecretGetDeleted", "get", "Microsoft.KeyVault/vaults/deletedSecrets/read").reads();
    /// List deleted secrets.
    pub const SECRET_LIST_DELETED: Action = secret("SecretListDeleted", "list", "Microsoft.KeyVault/vaults/deletedSecrets/read").reads();
    /// Recover a secret.
    pub const SECRET_RECOVER: Action = secret("SecretRecover", "recover", "Microsoft.KeyVault/vaults/deletedSecrets/recover/action");
    /// Purge a secret.
    pub const SECRET_PURGE: Action = secret("SecretPurge", "purge", "Microsoft.KeyVault/vaults/deletedSecrets/delete");
    /// Back up a secret.
    pub const SECRET_BACKUP: Action = secret("SecretBackup", "backup", "Microsoft.KeyVault/vaults/secrets/backup/action");
    /// Restore a secret.
    pub const SECRET_RESTORE: Action = secret("SecretRestore", "restore", "Microsoft.KeyVault/vaults/secrets/restore/action");

    /// Create a certificate.
    pub const CERTIFICATE_CREATE: Action =
        certificate("CertificateCreate", "create", "Microsoft.KeyVault/vaults/certificates/create/action");
    /// Import a certificate.
    pub const CERTIFICATE_IMPORT: Action =
        certificate("CertificateImport", "import", "Microsoft.KeyVault/vaults/certificates/import/action");
    /// Read a certificate, its policy or its pending operation.
    pub const CERTIFICATE_GET: Action = certificate("CertificateGet", "get", "Microsoft.KeyVault/vaults/certificates/read").reads();
    /// List certificates or versions.
    pub const CERTIFICATE_LIST: Action = certificate("CertificateList", "list", "Microsoft.KeyVault/vaults/certificates/read").reads();
    /// Update a certificate, its policy or its pending operation.
    pub const CERTIFICATE_UPDATE: Action =
        certificate("CertificateUpdate", "update", "Microsoft.KeyVault/vaults/certificates/update/action");
    /// Merge a signed certificate into a pending operation.
    pub const CERTIFICATE_MERGE: Action =
        certificate("CertificatePendingMerge", "create", "Microsoft.KeyVault/vaults/certificates/create/action");
    /// Delete a certificate or its pending operation.
    pub const CERTIFICATE_DELETE: Action = certificate("CertificateDelete", "delete", "Microsoft.KeyVault/vaults/certificates/delete");
    /// Read deleted certificates.
    pub const CERTIFICATE_GET_DELETED: Action =
        certificate("CertificateGetDeleted", "get", "Microsoft.KeyVault/vaults/deletedCertificates/read").reads();
    /// List deleted certificates.
    pub const CERTIFICATE_LIST_DELETED: Action =
        certificate("CertificateListDeleted", "list", "Microsoft.KeyVault/vaults/deletedCertificates/read").reads();
    /// Recover a certificate.
    pub const CERTIFICATE_RECOVER: Action =
        certificate("CertificateRecover", "recover", "Microsoft.KeyVault/vaults/deletedCertificates/recover/action");
    /// Purge a certificate.
    pub const CERTIFICATE_PURGE: Action = certificate("CertificatePurge", "purge", "Microsoft.KeyVault/vaults/deletedCertificates/delete");
    /// Back up a certificate.
    pub const CERTIFICATE_BACKUP: Action =
        certificate("CertificateBackup", "backup", "Microsoft.KeyVault/vaults/certificates/backup/action");
    /// Restore a certificate.
    pub const CERTIFICATE_RESTORE: Action =
        certificate("CertificateRestore", "restore", "Microsoft.KeyVault/vaults/certificates/restore/action");
    /// Create or update issuers.
    pub const CERTIFICATE_SET_ISSUERS: Action =
        certificate("CertificateIssuerSet", "setissuers", "Microsoft.KeyVault/vaults/certificatecas/write");
    /// Read an issuer.
    pub const CERTIFICATE_GET_ISSUERS: Action =
        certificate("CertificateIssuerGet", "getissuers", "Microsoft.KeyVault/vaults/certificatecas/read").reads();
    /// List issuers.
    pub const CERTIFICATE_LIST_ISSUERS: Action =
        certificate("CertificateIssuerList", "listissuers", "Microsoft.KeyVault/vaults/certificatecas/read").reads();
    /// Delete an issuer.
    pub const CERTIFICATE_DELETE_ISSUERS: Action =
        certificate("CertificateIssuerDelete", "deleteissuers", "Microsoft.KeyVault/vaults/certificatecas/delete");
    /// Read or change the certificate contacts.
    pub const CERTIFICATE_MANAGE_CONTACTS: Action =
        certificate("CertificateContactsManage", "managecontacts", "Microsoft.KeyVault/vaults/certificatecontacts/write");
    /// Export the practice CA's root certificate.
    pub const CA_EXPORT: Action = mgmt("PracticeCaExport", "Vaultmort/practiceCa/read");
    /// Issue a TLS server certificate from the practice CA (the REST door's own certificate).
    pub const CA_ISSUE_SERVER: Action = mgmt("PracticeCaIssueServer", "Vaultmort/practiceCa/issue");

    /// Verify the access log's hash chain.
    pub const LOG_VERIFY: Action = mgmt("AuditLogVerify", "Microsoft.Insights/diagnosticSettings/read").reads();
    /// Write or remove an access policy of a vault.
    pub const ACCESS_POLICY_WRITE: Action = mgmt("VaultAccessPolicyWrite", "Microsoft.KeyVault/vaults/accessPolicies/write");
    /// Change a vault's firewall rules.
    pub const NETWORK_RULE_WRITE: Action = mgmt("VaultNetworkRuleWrite", "Microsoft.KeyVault/vaults/write");
    /// Create a practice subscription.
    pub const SUBSCRIPTION_WRITE: Action = mgmt("SubscriptionCreate", "Microsoft.Subscription/aliases/write");
    /// Create or change an App Service plan.
    pub const WEB_PLAN_WRITE: Action = mgmt("AppServicePlanWrite", "Microsoft.Web/serverfarms/write");
    /// Read App Service plans.
    pub const WEB_PLAN_READ: Action = mgmt("AppServicePlanGet", "Microsoft.Web/serverfarms/read").reads();
    /// Delete an App Service plan.
    pub const WEB_PLAN_DELETE: Action = mgmt("AppServicePlanDelete", "Microsoft.Web/serverfarms/delete");
    /// Create or change a web app (and its site settings).
    pub const WEB_APP_WRITE: Action = mgmt("WebAppWrite", "Microsoft.Web/sites/write");
    /// Read web apps.
    pub const WEB_APP_READ: Action = mgmt("WebAppGet", "Microsoft.Web/sites/read").reads();
    /// Delete a web app.
    pub const WEB_APP_DELETE: Action = mgmt("WebAppDelete", "Microsoft.Web/sites/delete");
    /// Add, bind, unbind or remove a web app's host name.
    pub const WEB_HOSTNAME_WRITE: Action = mgmt("WebAppHostNameBindingWrite", "Microsoft.Web/sites/hostNameBindings/write");
    /// Upload, import or sync an App Service certificate.
    pub const WEB_CERTIFICATE_WRITE: Action = mgmt("WebCertificateWrite", "Microsoft.Web/certificates/write");
    /// Check, before reading a vault, that the caller may import a certificate from it.
    pub const WEB_CERTIFICATE_IMPORT_CHECK: Action = mgmt("WebCertificateImportCheck", "Microsoft.Web/certificates/write").reads();
    /// Read App Service certificates.
    pub const WEB_CERTIFICATE_READ: Action = mgmt("WebCertificateGet", "Microsoft.Web/certificates/read").reads();
    /// Delete an App Service certificate.
    pub const WEB_CERTIFICATE_DELETE: Action = mgmt("WebCertificateDelete", "Microsoft.Web/certificates/delete");
    /// What the local HTTPS front end presents (host names with their certificates).
    pub const WEB_FRONT_END_READ: Action = mgmt("WebFrontEndRead", "Microsoft.Web/sites/read").reads();
    /// Create, change or delete a practice DNS zone or its records.
    pub const DNS_WRITE: Action = mgmt("DnsZoneWrite", "Microsoft.Network/dnsZones/write");
    /// Read practice DNS zones.
    pub const DNS_READ: Action = mgmt("DnsZoneGet", "Microsoft.Network/dnsZones/read").reads();
    /// Read subscriptions.
    pub const SUBSCRIPTION_READ: Action = mgmt("SubscriptionGet", "Microsoft.Resources/subscriptions/read").reads();
    /// Read the practice directory (users, groups, service principals, managed identities, networks).
    pub const DIRECTORY_READ: Action = mgmt("DirectoryRead", "Microsoft.Directory/objects/read").reads();
    /// Create, change or delete directory objects and practice networks.
    pub const DIRECTORY_WRITE: Action = mgmt("DirectoryWrite", "Microsoft.Directory/objects/write");
    /// Read role definitions.
    pub const ROLE_DEFINITION_READ: Action = mgmt("RoleDefinitionGet", "Microsoft.Authorization/roleDefinitions/read").reads();
    /// Create or change a custom role definition.
    pub const ROLE_DEFINITION_WRITE: Action = mgmt("RoleDefinitionWrite", "Microsoft.Authorization/roleDefinitions/write");
    /// Delete a custom role definition.
    pub const ROLE_DEFINITION_DELETE: Action = mgmt("RoleDefinitionDelete", "Microsoft.Authorization/roleDefinitions/delete");
    /// Read role assignments (and check another principal's access).
    pub const ROLE_ASSIGNMENT_READ: Action = mgmt("RoleAssignmentGet", "Microsoft.Authorization/roleAssignments/read").reads();
    /// Create a role assignment.
    pub const ROLE_ASSIGNMENT_WRITE: Action = mgmt("RoleAssignmentWrite", "Microsoft.Authorization/roleAssignments/write");
    /// Delete a role assignment.
    pub const ROLE_ASSIGNMENT_DELETE: Action = mgmt("RoleAssignmentDelete", "Microsoft.Authorization/roleAssignments/delete");

    /// Check what another principal may do on a vault (the portal's "Check access").
    pub const CHECK_ACCESS: Action = mgmt("CheckAccess", "Microsoft.Authorization/roleAssignments/read").reads();
    /// Sign in as a directory principal (`vaultmort login`).
    pub const SIGN_IN: Action = mgmt("SignIn", "Vaultmort/signIn/action");

    /// Every action, for catalogue-wide checks and the "check access" view.
    pub const ALL: &[Action] = &[
        GROUP_PUT,
        GROUP_READ,
        GROUP_DELETE,
        VAULT_PUT,
        VAULT_PATCH,
        VAULT_GET,
        VAULT_LIST,
        VAULT_DELETE,
        VAULT_GET_DELETED,
        VAULT_RECOVER,
        VAULT_PURGE,
        CLOCK_SHIFT,
        HSM_READ,
        HSM_CONFIGURE,
        LOG_READ,
        LOG_VERIFY,
        CA_EXPORT,
        CA_ISSUE_SERVER,
        ACCESS_POLICY_WRITE,
        NETWORK_RULE_WRITE,
        SUBSCRIPTION_READ,
        DIRECTORY_READ,
        DIRECTORY_WRITE,
        ROLE_DEFINITION_READ,
        ROLE_DEFINITION_WRITE,
        ROLE_DEFINITION_DELETE,
        ROLE_ASSIGNMENT_READ,
        ROLE_ASSIGNMENT_WRITE,
        ROLE_ASSIGNMENT_DELETE,
        SIGN_IN,
        KEY_CREATE,
        KEY_IMPORT,
        KEY_GET,
        KEY_LIST,
        KEY_UPDATE,
        KEY_ROTATE,
        KEY_RANDOM_BYTES,
        KEY_GET_ROTATION_POLICY,
        KEY_SET_ROTATION_POLICY,
        KEY_DELETE,
        KEY_GET_DELETED,
        KEY_LIST_DELETED,
        KEY_RECOVER,
        KEY_PURGE,
        KEY_BACKUP,
        KEY_RESTORE,
        KEY_ENCRYPT,
        KEY_DECRYPT,
        KEY_WRAP,
        KEY_UNWRAP,
        KEY_SIGN,
        KEY_VERIFY,
        SECRET_SET,
        SECRET_GET,
        SECRET_LIST,
        SECRET_UPDATE,
        SECRET_DELETE,
        SECRET_GET_DELETED,
        SECRET_LIST_DELETED,
        SECRET_RECOVER,
        SECRET_PURGE,
        SECRET_BACKUP,
        SECRET_RESTORE,
        CERTIFICATE_CREATE,
        CERTIFICATE_IMPORT,
        CERTIFICATE_GET,
        CERTIFICATE_LIST,
        CERTIFICATE_UPDATE,
        CERTIFICATE_MERGE,
        CERTIFICATE_DELETE,
        CERTIFICATE_GET_DELETED,
        CERTIFICATE_LIST_DELETED,
        CERTIFICATE_RECOVER,
        CERTIFICATE_PURGE,
        CERTIFICATE_BACKUP,
        CERTIFICATE_RESTORE,
        CERTIFICATE_SET_ISSUERS,
        CERTIFICATE_GET_ISSUERS,
        CERTIFICATE_LIST_ISSUERS,
        CERTIFICATE_DELETE_ISSUERS,
        CERTIFICATE_MANAGE_CONTACTS,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access_policy::permissions_of;
    use crate::roles::built_in_roles;

    #[test]
    fn every_data_action_maps_to_one_listed_permission_and_one_data_action_a_built_in_role_knows() {
        let data_actions: Vec<&Action> = actions::ALL.iter().filter(|a| a.is_data()).collect();
        assert_eq!(data_actions.len(), 51, "the catalogue holds every data operation of the core");
        let administrator = built_in_roles().into_iter().find(|r| r.name == "Key Vault Administrator").expect("built in");
        for action in data_actions {
            let Permission::Data { kind, permission, data_action } = action.permission else { unreachable!("filtered to data") };
            assert!(
                permissions_of(kind).contains(&permission),
                "{}: '{permission}' must be one of the {} access-policy permissions",
                action.operation,
                kind.collection()
            );
            assert!(
                data_action.starts_with("Microsoft.KeyVault/vaults/") && !data_action.contains('*'),
                "{}: the dataAction '{data_action}' must be one concrete Key Vault dataAction",
                action.operation
            );
            assert!(administrator.grants(data_action, true), "Key Vault Administrator holds vaults/*, so it grants {data_action}");
        }
        let operations: BTreeSet<&str> = actions::ALL.iter().map(|a| a.operation).collect();
        assert_eq!(operations.len(), actions::ALL.len(), "each operation name appears once in the catalogue");
    }

    #[test]
    fn wildcards_match_as_azure_patterns_do() {
        assert!(action_matches("*", "Microsoft.KeyVault/vaults/write"), "* matches everything");
        assert!(action_matches("*/read", "Microsoft.KeyVault/vaults/read"), "*/read matches any read");
        assert!(!action_matches("*/read", "Microsoft.KeyVault/vaults/write"), "*/read does not match a write");
        assert!(action_matches("Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write"), "case is ignored");
        assert!(!action_matches("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/keys/read"), "secrets/* is not keys");
    }

    #[test]
    fn scopes_reach_downward_only() {
        assert!(scope_contains("/", "/subscriptions/s"), "the root reaches every subscription");
        assert!(scope_contains("/subscriptions/s", "/subscriptions/S/resourceGroups/rg"), "case-insensitive, downward");
        assert!(!scope_contains("/subscriptions/s/resourceGroups/rg", "/subscriptions/s"), "never upward");
        assert!(!scope_contains("/subscriptions/s/resourceGroups/rg", "/subscriptions/s/resourceGroups/rg2"), "not a sibling prefix");
    }
}
