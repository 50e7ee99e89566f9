//! The one error shape every command returns: an Azure-style `code`, the inner code where Key
//! Vault gives one, and a human `message`.
//!
//! A core error arrives in the core's wire form ([`vaultmort_core::WireError`]): the same code
//! and inner code the REST API answers and the CLI prints. Other codes come from opening the home
//! (`WrongPassphrase`, `PassphraseRequired`, ...), from starting the REST API (`AddressInUse`,
//! `PortNotAllowed`, ...), plus `Locked` for a data command that arrives
//! before the store is unlocked. Left out: framework failures (an ACL denial, arguments of the
//! wrong type), which Tauri rejects with a plain string before any command runs.

use serde::Serialize;

/// What a failed command sends to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// Machine-readable: the core's error code, or `Locked`.
    pub code: String,
    /// Key Vault's inner code, where it gives one (`ForbiddenByFirewall`,
    /// `ObjectIsDeletedButRecoverable`).
    pub inner_code: Option<String>,
    /// For a person: what went wrong and, where the core says so, what to do.
    pub message: String,
}

impl CommandError {
    /// An error with this code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), inner_code: None, message: message.into() }
    }

    /// The store is not unlocked yet: the UI must call `session_status` / `unlock` first.
    pub fn locked() -> Self {
        Self::new("Locked", "Vaultmort is locked: unlock it first")
    }

    /// Input the adapter itself could not read (bad base64, say), reported as the core would.
    pub fn bad_parameter(message: impl Into<String>) -> Self {
        Self::new("BadParameter", message)
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner_code {
            Some(inner) => write!(f, "{} ({inner}): {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for CommandError {}

impl From<vaultmort_core::Error> for CommandError {
    fn from(error: vaultmort_core::Error) -> Self {
        let wire = error.wire();
        Self { code: wire.code.to_string(), inner_code: wire.inner_code.map(str::to_string), message: wire.message }
    }
}

impl From<vaultmort_crypto::CryptoError> for CommandError {
    fn from(error: vaultmort_crypto::CryptoError) -> Self {
        vaultmort_core::Error::from(error).into()
    }
}

impl From<vaultmort_certs::CertError> for CommandError {
    fn from(error: vaultmort_certs::CertError) -> Self {
        vaultmort_core::Error::from(error).into()
    }
}

impl From<vaultmort_rest::ApiError> for CommandError {
    fn from(error: vaultmort_rest::ApiError) -> Self {
        Self { code: error.code, inner_code: error.inner, message: error.message }
    }
}

impl From<vaultmort_home::files::FileError> for CommandError {
    fn from(error: vaultmort_home::files::FileError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<vaultmort_home::HomeError> for CommandError {
    fn from(error: vaultmort_home::HomeError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}
