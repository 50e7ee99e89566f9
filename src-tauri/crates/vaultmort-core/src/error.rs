//! The core's error type and its one wire form.
//!
//! Every variant has one [`WireError`] ([`Error::wire`]): Key Vault's code, the inner code where
//! Key Vault gives one, the HTTP status and a message a person can act on. The access record of
//! a failed request and all three doors (REST error body, the desktop's command error, the CLI's
//! `ERROR: (Code: InnerCode) message`) show that form and nothing else; a door adds only the
//! codes of refusals that are its own (REST's 401 challenge, 413, a missing api-version).
//! Messages never contain secret values or key material.

use vaultmort_crypto::CryptoError;

/// The kind of object a vault holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    /// A key.
    Key,
    /// A secret.
    Secret,
    /// A certificate.
    Certificate,
}

impl ObjectKind {
    /// The word used in messages and storage: "key", "secret", "certificate".
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Key => "key",
            ObjectKind::Secret => "secret",
            ObjectKind::Certificate => "certificate",
        }
    }
    /// The capitalised word used in codes: "Key", "Secret", "Certificate".
    pub fn title(self) -> &'static str {
        match self {
            ObjectKind::Key => "Key",
            ObjectKind::Secret => "Secret",
            ObjectKind::Certificate => "Certificate",
        }
    }
    /// The path segment in object ids: "keys", "secrets", "certificates".
    pub fn collection(self) -> &'static str {
        match self {
            ObjectKind::Key => "keys",
            ObjectKind::Secret => "secrets",
            ObjectKind::Certificate => "certificates",
        }
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in a core operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input that breaks a rule (name, size, value, combination of options).
    #[error("{0}")]
    BadParameter(String),
    /// No resource group with that name.
    #[error("resource group '{0}' was not found")]
    ResourceGroupNotFound(String),
    /// A resource group with that name exists.
    #[error("resource group '{0}' already exists")]
    ResourceGroupAlreadyExists(String),
    /// No vault with that name (or it is soft-deleted).
    #[error("vault '{0}' was not found")]
    VaultNotFound(String),
    /// No soft-deleted vault with that name.
    #[error("no deleted vault named '{0}' was found")]
    DeletedVaultNotFound(String),
    /// The vault name is taken, possibly by a soft-deleted vault.
    #[error("{message}")]
    VaultAlreadyExists {
        /// Why, including whether the name is held by a deleted vault.
        message: String,
    },
    /// No such object or version.
    #[error("{kind} '{name}'{} was not found in vault '{vault}'", version_suffix(.version))]
    ObjectNotFound {
        /// Key, secret or certificate.
        kind: ObjectKind,
        /// The vault.
        vault: String,
        /// The object name.
        name: String,
        /// The version asked for, if any.
        version: Option<String>,
    },
    /// No soft-deleted object with that name.
    #[error("deleted {kind} '{name}' was not found in vault '{vault}'")]
    DeletedObjectNotFound {
        /// Key, secret or certificate.
        kind: ObjectKind,
        /// The vault.
        vault: String,
        /// The object name.
        name: String,
    },
    /// A name collides with an object in the deleted state, or a restore with an existing name.
    #[error("{message}")]
    Conflict {
        /// Azure's inner code, such as `ObjectIsDeletedButRecoverable`.
        inner: &'static str,
        /// What collided and what to do.
        message: String,
    },
    /// The version is disabled.
    #[error("operation '{operation}' is not allowed on a disabled {kind}")]
    ObjectDisabled {
        /// Key, secret or certificate.
        kind: ObjectKind,
        /// The operation refused.
        operation: String,
    },
    /// The key's `key_ops` do not include the operation.
    #[error("operation '{operation}' is not permitted by this key's key_ops ({allowed})")]
    OperationNotAllowed {
        /// The operation refused.
        operation: String,
        /// The key's operations.
        allowed: String,
    },
    /// The time is before the key's not-before date.
    #[error("the key is not valid before {not_before}; operation '{operation}' refused")]
    KeyNotYetValid {
        /// The operation refused.
        operation: String,
        /// The nbf attribute.
        not_before: String,
    },
    /// The time is past the key's expiry for an operation that expiry forbids.
    #[error("the key expired at {expires}; operation '{operation}' refused (decrypt, unwrapKey and verify still work)")]
    KeyExpired {
        /// The operation refused.
        operation: String,
        /// The exp attribute.
        expires: String,
    },
    /// Purge refused because purge protection holds.
    #[error("{0}")]
    PurgeProtected(String),
    /// The caller is not who it claims to be: a token whose principal the directory no longer
    /// knows.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The vault firewall refused the client address.
    #[error("{0}")]
    ForbiddenByFirewall(String),
    /// A vault's access policies (or, in a vault that uses RBAC, the caller's role assignments)
    /// do not grant the data-plane permission asked for. Key Vault answers `Forbidden` and names
    /// which of the two refused in the inner code (`AccessDenied` or `ForbiddenByRbac`).
    #[error("{message}")]
    AccessDenied {
        /// Whether the vault authorizes by RBAC rather than access policies.
        by_rbac: bool,
        /// Who was refused what, and by which rule.
        message: String,
    },
    /// A directory or access-control record (principal, role, assignment, policy, subnet) was not
    /// found.
    #[error("{message}")]
    NotFound {
        /// The specific code (`PrincipalNotFound`, `RoleDefinitionNotFound`, ...).
        code: &'static str,
        /// What was looked for.
        message: String,
    },
    /// HSM-protected keys need a provider this installation does not have.
    #[error("{0}")]
    HsmUnavailable(String),
    /// A certificate, CSR, PFX or PEM input (or policy) was refused.
    #[error("{message}")]
    Certificate {
        /// The specific code (`BadParameter`, `WrongPassword`, `NoPrivateKey`, `KeyMismatch`, ...).
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// An App Service rule refused the request (tier, domain check, Key Vault import, binding).
    #[error("{message}")]
    AppService {
        /// The specific code (`HostNameNotVerified`, `KeyVaultAccessDenied`, ...).
        code: &'static str,
        /// The HTTP-style status (400, 403, 404 or 409).
        status: u16,
        /// What is wrong and what to do.
        message: String,
    },
    /// A crypto operation failed on its inputs.
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    /// The store failed.
    #[error("storage failure: {0}")]
    Storage(#[from] StoreError),
    /// Stored data failed its integrity check (tampering, or another installation's master key).
    #[error("stored data failed its integrity check: {0}")]
    Integrity(String),
    /// The master key does not open this store.
    #[error("the master key does not open this store: the passphrase is wrong, or the keyring holds another installation's key")]
    MasterKeyMismatch,
    /// The access log could not be written, so the request was refused.
    #[error("the request was refused because its audit record could not be written: {0}")]
    AuditUnavailable(String),
    /// A door asked an [`crate::lifecycle::ObjectBundle`] for one kind of object and it held
    /// another: a bug in the door, never the caller's input.
    #[error("a {expected} was expected, but the object is a {found}")]
    WrongObjectKind {
        /// The kind the door asked for.
        expected: ObjectKind,
        /// The kind the bundle holds.
        found: ObjectKind,
    },
}

fn version_suffix(version: &Option<String>) -> String {
    version.as_ref().map(|v| format!(" (version {v})")).unwrap_or_default()
}

/// An error as it crosses every boundary: the access record, the REST body, the desktop's
/// command error and the CLI's error line all carry exactly these fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireError {
    /// Key Vault's code (`SecretNotFound`, `Forbidden`, `Conflict`, ...).
    pub code: &'static str,
    /// Key Vault's inner code, where it gives one (`ForbiddenByFirewall`,
    /// `ObjectIsDeletedButRecoverable`).
    pub inner_code: Option<&'static str>,
    /// The HTTP status Key Vault answers with, and the access record keeps.
    pub status: u16,
    /// What happened and, where the core knows, what to do.
    pub message: String,
}

impl std::fmt::Display for WireError {
    /// `Code: InnerCode` (or just `Code`), as the CLI prints it between parentheses.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.inner_code {
            Some(inner) => write!(f, "{}: {inner}", self.code),
            None => f.write_str(self.code),
        }
    }
}

impl Error {
    /// The one wire form of this error.
    pub fn wire(&self) -> WireError {
        WireError { code: self.code(), inner_code: self.inner_code(), status: self.status(), message: self.to_string() }
    }

    /// Key Vault's error code (the wire form's `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadParameter(_) => "BadParameter",
            Error::ResourceGroupNotFound(_) => "ResourceGroupNotFound",
            Error::ResourceGroupAlreadyExists(_) => "ResourceGroupAlreadyExists",
            Error::VaultNotFound(_) => "VaultNotFound",
            Error::DeletedVaultNotFound(_) => "DeletedVaultNotFound",
            Error::VaultAlreadyExists { .. } => "VaultAlreadyExists",
            Error::ObjectNotFound { kind, .. } | Error::DeletedObjectNotFound { kind, .. } => match kind {
                ObjectKind::Key => "KeyNotFound",
                ObjectKind::Secret => "SecretNotFound",
                ObjectKind::Certificate => "CertificateNotFound",
            },
            Error::Conflict { .. } => "Conflict",
            // Key Vault answers a disabled version as `Forbidden` and names the kind in the
            // inner code (`SecretDisabled`, ...).
            Error::ObjectDisabled { .. } => "Forbidden",
            Error::OperationNotAllowed { .. } => "OperationNotAllowed",
            Error::KeyNotYetValid { .. } => "KeyNotYetValid",
            Error::KeyExpired { .. } => "KeyExpired",
            Error::PurgeProtected(_) => "PurgeProtectionEnabled",
            // Key Vault answers a firewall refusal as `Forbidden` and names the firewall in the
            // inner code.
            Error::Unauthenticated(_) => "Unauthorized",
            Error::Forbidden(_) | Error::ForbiddenByFirewall(_) | Error::AccessDenied { .. } => "Forbidden",
            Error::NotFound { code, .. } => code,
            Error::HsmUnavailable(_) => "HsmUnavailable",
            Error::Certificate { code, .. } => code,
            Error::AppService { code, .. } => code,
            Error::Crypto(e) => match e {
                CryptoError::UnknownAlgorithm(_) | CryptoError::AlgorithmKeyMismatch { .. } => "BadParameter",
                CryptoError::DigestLength { .. } | CryptoError::PlaintextTooLong { .. } => "BadParameter",
                CryptoError::InvalidJwk(_) | CryptoError::UnsupportedKey(_) => "BadParameter",
                CryptoError::DecryptionFailed => "BadParameter",
                CryptoError::ForeignHsm(_) | CryptoError::NotExportable(_) => "BadParameter",
                _ => "InternalError",
            },
            Error::Storage(_) => "StorageError",
            Error::Integrity(_) => "IntegrityCheckFailed",
            Error::MasterKeyMismatch => "MasterKeyMismatch",
            Error::AuditUnavailable(_) => "AuditUnavailable",
            Error::WrongObjectKind { .. } => "InternalError",
        }
    }

    /// The inner error code where Azure gives one (`ObjectIsDeletedButRecoverable`, ...).
    pub fn inner_code(&self) -> Option<&'static str> {
        match self {
            Error::Conflict { inner, .. } => Some(inner),
            Error::ForbiddenByFirewall(_) => Some("ForbiddenByFirewall"),
            Error::AccessDenied { by_rbac: false, .. } => Some("AccessDenied"),
            Error::AccessDenied { by_rbac: true, .. } => Some("ForbiddenByRbac"),
            Error::ObjectDisabled { kind, .. } => Some(match kind {
                ObjectKind::Key => "KeyDisabled",
                ObjectKind::Secret => "SecretDisabled",
                ObjectKind::Certificate => "CertificateDisabled",
            }),
            _ => None,
        }
    }

    /// The HTTP status Key Vault answers this error with (the wire form's `status`).
    pub fn status(&self) -> u16 {
        match self {
            // Input errors, except where the crypto or certificate library itself failed.
            Error::BadParameter(_) | Error::Crypto(_) | Error::Certificate { .. } => match self.code() {
                "InternalError" => 500,
                _ => 400,
            },
            Error::ResourceGroupNotFound(_)
            | Error::VaultNotFound(_)
            | Error::DeletedVaultNotFound(_)
            | Error::ObjectNotFound { .. }
            | Error::DeletedObjectNotFound { .. }
            | Error::NotFound { .. } => 404,
            Error::ResourceGroupAlreadyExists(_) | Error::VaultAlreadyExists { .. } | Error::Conflict { .. } => 409,
            Error::ObjectDisabled { .. }
            | Error::OperationNotAllowed { .. }
            | Error::KeyNotYetValid { .. }
            | Error::KeyExpired { .. }
            | Error::PurgeProtected(_)
            | Error::Forbidden(_)
            | Error::ForbiddenByFirewall(_)
            | Error::AccessDenied { .. } => 403,
            Error::HsmUnavailable(_) => 501,
            Error::AppService { status, .. } => *status,
            Error::Unauthenticated(_) | Error::MasterKeyMismatch => 401,
            Error::Storage(_) | Error::Integrity(_) | Error::AuditUnavailable(_) | Error::WrongObjectKind { .. } => 500,
        }
    }

    /// Shorthand for a `BadParameter` error.
    pub fn bad(message: impl Into<String>) -> Self {
        Error::BadParameter(message.into())
    }
}

/// A storage backend failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened or queried.
    #[error("{0}")]
    Database(String),
    /// A row could not be decoded (damaged or from a newer version).
    #[error("a stored record could not be read: {0}")]
    Corrupt(String),
    /// The database is locked by another writer for too long.
    #[error("the store is busy: {0}")]
    Busy(String),
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One error of every variant, and of every code a variant chooses between (a crypto or
/// certificate failure that is the caller's input, and one that is the library's own), for the
/// tests that check every door and the access record show an error the same way. Not used by
/// any operation.
#[doc(hidden)]
pub fn one_error_of_every_kind() -> Vec<Error> {
    let object = |kind| Error::ObjectNotFound { kind, vault: "v".into(), name: "n".into(), version: Some("0123".into()) };
    vec![
        Error::BadParameter("the name 'a b' has a space".into()),
        Error::ResourceGroupNotFound("rg".into()),
        Error::ResourceGroupAlreadyExists("rg".into()),
        Error::VaultNotFound("v".into()),
        Error::DeletedVaultNotFound("v".into()),
        Error::VaultAlreadyExists { message: "the name 'v' is held by a deleted vault".into() },
        object(ObjectKind::Key),
        object(ObjectKind::Secret),
        object(ObjectKind::Certificate),
        Error::DeletedObjectNotFound { kind: ObjectKind::Secret, vault: "v".into(), name: "n".into() },
        Error::Conflict { inner: "ObjectIsDeletedButRecoverable", message: "secret 'n' is deleted but recoverable".into() },
        Error::ObjectDisabled { kind: ObjectKind::Key, operation: "sign".into() },
        Error::OperationNotAllowed { operation: "encrypt".into(), allowed: "sign, verify".into() },
        Error::KeyNotYetValid { operation: "sign".into(), not_before: "2030-01-01T00:00:00Z".into() },
        Error::KeyExpired { operation: "sign".into(), expires: "2020-01-01T00:00:00Z".into() },
        Error::PurgeProtected("purge protection is on".into()),
        Error::Unauthenticated("the token's principal is not known to this installation".into()),
        Error::Forbidden("no secrets get permission".into()),
        Error::ForbiddenByFirewall("client address 127.0.0.2 is not allowed".into()),
        Error::AccessDenied { by_rbac: false, message: "no secrets get permission in the vault's access policies".into() },
        Error::NotFound { code: "PrincipalNotFound", message: "no principal 'x'".into() },
        Error::HsmUnavailable("no HSM provider".into()),
        Error::Certificate { code: "WrongPassword", message: "the PFX password is wrong".into() },
        Error::Certificate { code: "InternalError", message: "the certificate could not be built".into() },
        Error::AppService { code: "HostNameNotVerified", status: 400, message: "add a TXT record asuid.www".into() },
        Error::Crypto(CryptoError::UnknownAlgorithm("RS1".into())),
        Error::Crypto(CryptoError::Internal("the library failed")),
        Error::Storage(StoreError::Busy("locked".into())),
        Error::Integrity("a sealed value does not open".into()),
        Error::MasterKeyMismatch,
        Error::AuditUnavailable("disk full".into()),
        Error::WrongObjectKind { expected: ObjectKind::Key, found: ObjectKind::Secret },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The highest number [`variant_number`] gives.
    const LAST_VARIANT: usize = 27;

    /// A number per variant. The match is exhaustive, so a new variant does not compile until it
    /// gets a number here, and then [`LAST_VARIANT`] grows and the coverage test below fails until
    /// [`one_error_of_every_kind`] has an example of it.
    fn variant_number(error: &Error) -> usize {
        match error {
            Error::BadParameter(_) => 0,
            Error::ResourceGroupNotFound(_) => 1,
            Error::ResourceGroupAlreadyExists(_) => 2,
            Error::VaultNotFound(_) => 3,
            Error::DeletedVaultNotFound(_) => 4,
            Error::VaultAlreadyExists { .. } => 5,
            Error::ObjectNotFound { .. } => 6,
            Error::DeletedObjectNotFound { .. } => 7,
            Error::Conflict { .. } => 8,
            Error::ObjectDisabled { .. } => 9,
            Error::OperationNotAllowed { .. } => 10,
            Error::KeyNotYetValid { .. } => 11,
            Error::KeyExpired { .. } => 12,
            Error::PurgeProtected(_) => 13,
            Error::Forbidden(_) => 14,
            Error::ForbiddenByFirewall(_) => 15,
            Error::NotFound { .. } => 16,
            Error::HsmUnavailable(_) => 17,
            Error::Certificate { .. } => 18,
            Error::Crypto(_) => 19,
            Error::Storage(_) => 20,
            Error::Integrity(_) => 21,
            Error::MasterKeyMismatch => 22,
            Error::AuditUnavailable(_) => 23,
            Error::Unauthenticated(_) => 24,
            Error::WrongObjectKind { .. } => 25,
            Error::AppService { .. } => 26,
            Error::AccessDenied { .. } => 27,
        }
    }

    #[test]
    fn the_examples_cover_every_variant() {
        let seen: std::collections::BTreeSet<usize> = one_error_of_every_kind().iter().map(variant_number).collect();
        let all: std::collections::BTreeSet<usize> = (0..=LAST_VARIANT).collect();
        assert_eq!(seen, all, "one_error_of_every_kind() must hold an example of every Error variant");
    }

    #[test]
    fn the_wire_form_is_key_vaults() {
        let wire = |e: Error| e.wire();
        let firewall = wire(Error::ForbiddenByFirewall("127.0.0.2 refused".into()));
        assert_eq!((firewall.code, firewall.inner_code, firewall.status), ("Forbidden", Some("ForbiddenByFirewall"), 403));
        assert_eq!(firewall.to_string(), "Forbidden: ForbiddenByFirewall", "the CLI's parenthesised form");
        let conflict = wire(Error::Conflict { inner: "ObjectIsDeletedButRecoverable", message: "x".into() });
        assert_eq!((conflict.code, conflict.inner_code, conflict.status), ("Conflict", Some("ObjectIsDeletedButRecoverable"), 409));
        let broken = wire(Error::Certificate { code: "InternalError", message: "x".into() });
        assert_eq!((broken.code, broken.status), ("InternalError", 500), "the library's own failure is the server's, never the caller's");
        let input = wire(Error::Certificate { code: "WrongPassword", message: "x".into() });
        assert_eq!((input.code, input.status), ("WrongPassword", 400), "a wrong password is the caller's input");
        let denied = wire(Error::AccessDenied { by_rbac: false, message: "x".into() });
        assert_eq!((denied.code, denied.inner_code, denied.status), ("Forbidden", Some("AccessDenied"), 403), "an access policy refused");
        let by_rbac = wire(Error::AccessDenied { by_rbac: true, message: "x".into() });
        assert_eq!((by_rbac.code, by_rbac.inner_code), ("Forbidden", Some("ForbiddenByRbac")), "a role assignment was missing");
        let disabled = wire(Error::ObjectDisabled { kind: ObjectKind::Secret, operation: "get".into() });
        assert_eq!((disabled.code, disabled.inner_code, disabled.status), ("Forbidden", Some("SecretDisabled"), 403), "a disabled version");
        let missing = wire(Error::ObjectNotFound { kind: ObjectKind::Secret, vault: "v".into(), name: "n".into(), version: None });
        assert_eq!((missing.code, missing.inner_code, missing.status), ("SecretNotFound", None, 404));
        assert_eq!(missing.message, "secret 'n' was not found in vault 'v'");
    }

    #[test]
    fn every_status_is_one_key_vault_answers() {
        for error in one_error_of_every_kind() {
            let wire = error.wire();
            assert!([400, 401, 403, 404, 409, 500, 501].contains(&wire.status), "{wire:?}");
            assert_eq!(
                wire.status >= 500,
                wire.code.ends_with("InternalError")
                    || ["StorageError", "IntegrityCheckFailed", "AuditUnavailable", "HsmUnavailable"].contains(&wire.code),
                "only the installation's own failures are 5xx: {wire:?}"
            );
            assert_eq!(wire.status == 404, wire.code.ends_with("NotFound"), "exactly the *NotFound codes are 404: {wire:?}");
        }
    }
}
