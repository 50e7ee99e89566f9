//! The authorize stage of the pipeline: which permission each operation needs, and the
//! [`Authorizer`] that decides.
//!
//! Every operation maps to exactly one [`Action`]: a Key Vault operation name (as the access log
//! records it) and one permission, either a management-plane action on a scope or a data-plane
//! permission on a kind of object. Today's authorizer lets the installation's owner do
//! everything and refuses anyone else; the access-control work replaces it with RBAC and access
//! policies without touching the operations.

use crate::context::RequestContext;
use crate::error::ObjectKind;
use crate::model::Vault;

/// The permission an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// A management-plane action such as `Microsoft.KeyVault/vaults/write`.
    Management(&'static str),
    /// A data-plane permission on keys, secrets or certificates, with its access-policy name
    /// (`get`, `sign`, `purge`, ...).
    Data(ObjectKind, &'static str),
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
}

/// What an action is checked against.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The practice tenant itself (settings such as the clock).
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
}

/// The verdict and the rule that gave it; both go into the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// The rule that decided, in words.
    pub rule: String,
}

/// Decides whether a caller may perform an action on a scope.
pub trait Authorizer: Send + Sync + std::fmt::Debug {
    /// The decision. Implementations must fail closed: no matching rule means refusal.
    fn authorize(&self, ctx: &RequestContext, action: &Action, scope: Scope<'_>) -> Decision;
}

/// The installation's owner may do everything; every other principal is refused.
#[derive(Debug, Default)]
pub struct OwnerOnly;

impl Authorizer for OwnerOnly {
    fn authorize(&self, ctx: &RequestContext, action: &Action, _scope: Scope<'_>) -> Decision {
        if ctx.principal.is_local_owner() {
            Decision { allowed: true, rule: "installation owner".to_string() }
        } else {
            Decision {
                allowed: false,
                rule: format!("no role assignment or access policy grants {} to {}", describe(action), ctx.principal.name),
            }
        }
    }
}

/// "keys/sign" or "Microsoft.KeyVault/vaults/write", for messages.
pub fn describe(action: &Action) -> String {
    match action.permission {
        Permission::Management(name) => name.to_string(),
        Permission::Data(kind, name) => format!("{}/{name}", kind.collection()),
    }
}

/// The catalogue of actions, one per core operation.
pub mod actions {
    use super::{Action, Permission};
    use crate::error::ObjectKind::{Certificate, Key, Secret};

    const fn mgmt(operation: &'static str, action: &'static str) -> Action {
        Action { operation, permission: Permission::Management(action), read_only: false }
    }
    const fn key(operation: &'static str, permission: &'static str) -> Action {
        Action { operation, permission: Permission::Data(Key, permission), read_only: false }
    }
    const fn certificate(operation: &'static str, permission: &'static str) -> Action {
        Action { operation, permission: Permission::Data(Certificate, permission), read_only: false }
    }
    const fn secret(operation: &'static str, permission: &'static str) -> Action {
        Action { operation, permission: Permission::Data(Secret, permission), read_only: false }
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
    /// Read the access log.
    pub const LOG_READ: Action = mgmt("AuditLogRead", "Microsoft.Insights/diagnosticSettings/read").reads();

    /// Create a key.
    pub const KEY_CREATE: Action = key("KeyCreate", "create");
    /// Import a key.
    pub const KEY_IMPORT: Action = key("KeyImport", "import");
    /// Read a key.
    pub const KEY_GET: Action = key("KeyGet", "get").reads();
    /// List keys or versions.
    pub const KEY_LIST: Action = key("KeyList", "list").reads();
    /// Update a key version.
    pub const KEY_UPDATE: Action = key("KeyUpdate", "update");
    /// Rotate a key.
    pub const KEY_ROTATE: Action = key("KeyRotate", "rotate");
    /// Random bytes from the vault (`POST /rng`); any key permission a caller could read with.
    pub const KEY_RANDOM_BYTES: Action = key("KeyRandomBytes", "get").reads();
    /// Read a key's rotation policy.
    pub const KEY_GET_ROTATION_POLICY: Action = key("KeyRotationPolicyGet", "getrotationpolicy").reads();
    /// Set a key's rotation policy.
    pub const KEY_SET_ROTATION_POLICY: Action = key("KeyRotationPolicySet", "setrotationpolicy");
    /// Delete a key.
    pub const KEY_DELETE: Action = key("KeyDelete", "delete");
    /// Read deleted keys.
    pub const KEY_GET_DELETED: Action = key("KeyGetDeleted", "get").reads();
    /// List deleted keys.
    pub const KEY_LIST_DELETED: Action = key("KeyListDeleted", "list").reads();
    /// Recover a key.
    pub const KEY_RECOVER: Action = key("KeyRecover", "recover");
    /// Purge a key.
    pub const KEY_PURGE: Action = key("KeyPurge", "purge");
    /// Back up a key.
    pub const KEY_BACKUP: Action = key("KeyBackup", "backup");
    /// Restore a key.
    pub const KEY_RESTORE: Action = key("KeyRestore", "restore");
    /// Encrypt.
    pub const KEY_ENCRYPT: Action = key("KeyEncrypt", "encrypt").reads();
    /// Decrypt.
    pub const KEY_DECRYPT: Action = key("KeyDecrypt", "decrypt").reads();
    /// Wrap a key.
    pub const KEY_WRAP: Action = key("KeyWrap", "wrapKey").reads();
    /// Unwrap a key.
    pub const KEY_UNWRAP: Action = key("KeyUnwrap", "unwrapKey").reads();
    /// Sign a digest.
    pub const KEY_SIGN: Action = key("KeySign", "sign").reads();
    /// Verify a signature.
    pub const KEY_VERIFY: Action = key("KeyVerify", "verify").reads();

    /// Set a secret.
    pub const SECRET_SET: Action = secret("SecretSet", "set");
    /// Read a secret.
    pub const SECRET_GET: Action = secret("SecretGet", "get").reads();
    /// List secrets or versions.
    pub const SECRET_LIST: Action = secret("SecretList", "list").reads();
    /// Update a secret version's attributes.
    pub const SECRET_UPDATE: Action = secret("SecretUpdate", "set");
    /// Delete a secret.
    pub const SECRET_DELETE: Action = secret("SecretDelete", "delete");
    /// Read deleted secrets.
    pub const SECRET_GET_DELETED: Action = secret("SecretGetDeleted", "get").reads();
    /// List deleted secrets.
    pub const SECRET_LIST_DELETED: Action = secret("SecretListDeleted", "list").reads();
    /// Recover a secret.
    pub const SECRET_RECOVER: Action = secret("SecretRecover", "recover");
    /// Purge a secret.
    pub const SECRET_PURGE: Action = secret("SecretPurge", "purge");
    /// Back up a secret.
    pub const SECRET_BACKUP: Action = secret("SecretBackup", "backup");
    /// Restore a secret.
    pub const SECRET_RESTORE: Action = secret("SecretRestore", "restore");

    /// Create a certificate.
    pub const CERTIFICATE_CREATE: Action = certificate("CertificateCreate", "create");
    /// Import a certificate.
    pub const CERTIFICATE_IMPORT: Action = certificate("CertificateImport", "import");
    /// Read a certificate, its policy or its pending operation.
    pub const CERTIFICATE_GET: Action = certificate("CertificateGet", "get").reads();
    /// List certificates or versions.
    pub const CERTIFICATE_LIST: Action = certificate("CertificateList", "list").reads();
    /// Update a certificate, its policy or its pending operation.
    pub const CERTIFICATE_UPDATE: Action = certificate("CertificateUpdate", "update");
    /// Merge a signed certificate into a pending operation.
    pub const CERTIFICATE_MERGE: Action = certificate("CertificatePendingMerge", "create");
    /// Delete a certificate or its pending operation.
    pub const CERTIFICATE_DELETE: Action = certificate("CertificateDelete", "delete");
    /// Read deleted certificates.
    pub const CERTIFICATE_GET_DELETED: Action = certificate("CertificateGetDeleted", "get").reads();
    /// List deleted certificates.
    pub const CERTIFICATE_LIST_DELETED: Action = certificate("CertificateListDeleted", "list").reads();
    /// Recover a certificate.
    pub const CERTIFICATE_RECOVER: Action = certificate("CertificateRecover", "recover");
    /// Purge a certificate.
    pub const CERTIFICATE_PURGE: Action = certificate("CertificatePurge", "purge");
    /// Back up a certificate.
    pub const CERTIFICATE_BACKUP: Action = certificate("CertificateBackup", "backup");
    /// Restore a certificate.
    pub const CERTIFICATE_RESTORE: Action = certificate("CertificateRestore", "restore");
    /// Create or update issuers.
    pub const CERTIFICATE_SET_ISSUERS: Action = certificate("CertificateIssuerSet", "setissuers");
    /// Read an issuer.
    pub const CERTIFICATE_GET_ISSUERS: Action = certificate("CertificateIssuerGet", "getissuers").reads();
    /// List issuers.
    pub const CERTIFICATE_LIST_ISSUERS: Action = certificate("CertificateIssuerList", "listissuers").reads();
    /// Delete an issuer.
    pub const CERTIFICATE_DELETE_ISSUERS: Action = certificate("CertificateIssuerDelete", "deleteissuers");
    /// Read or change the certificate contacts.
    pub const CERTIFICATE_MANAGE_CONTACTS: Action = certificate("CertificateContactsManage", "managecontacts");
    /// Export the practice CA's root certificate.
    pub const CA_EXPORT: Action = mgmt("PracticeCaExport", "Vaultmort/practiceCa/read");
    /// Issue a TLS server certificate from the practice CA (the REST door's own certificate).
    pub const CA_ISSUE_SERVER: Action = mgmt("PracticeCaIssueServer", "Vaultmort/practiceCa/issue");
}
