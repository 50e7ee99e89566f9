//! The core's error type. Every variant carries an Azure-style code ([`Error::code`]) that the
//! doors pass on unchanged (CLI stderr, `{code, message}` in the UI, the REST error body), and a
//! message a person can act on. Messages never contain secret values or key material.

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
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The vault firewall refused the client address.
    #[error("{0}")]
    ForbiddenByFirewall(String),
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

impl Error {
    /// The Azure-style error code.
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
            Error::ObjectDisabled { kind, .. } => match kind {
                ObjectKind::Key => "KeyDisabled",
                ObjectKind::Secret => "SecretDisabled",
                ObjectKind::Certificate => "CertificateDisabled",
            },
            Error::OperationNotAllowed { .. } => "OperationNotAllowed",
            Error::KeyNotYetValid { .. } => "KeyNotYetValid",
            Error::KeyExpired { .. } => "KeyExpired",
            Error::PurgeProtected(_) => "PurgeProtectionEnabled",
            Error::Forbidden(_) => "Forbidden",
            Error::ForbiddenByFirewall(_) => "ForbiddenByFirewall",
            Error::NotFound { code, .. } => code,
            Error::HsmUnavailable(_) => "HsmUnavailable",
            Error::Certificate { code, .. } => code,
            Error::Crypto(e) => match e {
                CryptoError::UnknownAlgorithm(_) | CryptoError::AlgorithmKeyMismatch { .. } => "BadParameter",
                CryptoError::DigestLength { .. } | CryptoError::PlaintextTooLong { .. } => "BadParameter",
                CryptoError::InvalidJwk(_) | CryptoError::UnsupportedKey(_) => "BadParameter",
                CryptoError::DecryptionFailed => "BadParameter",
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
            _ => None,
        }
    }

    /// The HTTP status Key Vault answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            Error::BadParameter(_) | Error::Crypto(_) => match self.code() {
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
            | Error::ForbiddenByFirewall(_) => 403,
            Error::HsmUnavailable(_) => 501,
            Error::Certificate { .. } => 400,
            Error::MasterKeyMismatch => 401,
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
