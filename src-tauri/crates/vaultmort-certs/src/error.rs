//! The certificate crate's error type, with an Azure-style code for every failure.
//!
//! Messages are written for the person importing or creating a certificate: they say what was
//! wrong and, where there is one, what to do about it. They never contain key material, and
//! password-protected input is described without echoing the password.

use vaultmort_crypto::CryptoError;

/// What went wrong while building, parsing, reading or writing certificates.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertError {
    /// A certificate policy field breaks one of Key Vault's rules.
    #[error("invalid certificate policy: {field}: {message}")]
    InvalidPolicy {
        /// The field, with its REST name (`x509_props.validity_months`, `lifetime_actions[0].trigger`, ...).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// An argument that cannot be used (an empty chain, a zero serial, dates in the wrong order, ...).
    #[error("{0}")]
    BadParameter(String),
    /// The password does not open the file.
    #[error("the password is wrong: it does not open this file")]
    WrongPassword,
    /// The file is protected by a password and none was given.
    #[error("this file is protected by a password; give the password to open it")]
    PasswordRequired,
    /// The file holds certificates but no private key.
    #[error("the file has no private key; Key Vault needs the certificate's private key to import it (export it again with the key)")]
    NoPrivateKey,
    /// The file holds a private key but no certificate.
    #[error("the file has a private key but no certificate")]
    NoCertificate,
    /// The private key does not belong to the certificate it came with.
    #[error("the private key does not match the certificate: {0}")]
    KeyMismatch(String),
    /// A PEM private key in a traditional (non-PKCS#8) format.
    #[error(
        "the private key is a traditional \"{label}\" PEM block; Key Vault requires PKCS#8. Convert it with \
         `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem` (or `-v2 aes-256-cbc` instead of `-nocrypt` to keep it encrypted)"
    )]
    TraditionalKey {
        /// The PEM label that was found (`RSA PRIVATE KEY`, `EC PRIVATE KEY`, ...).
        label: String,
    },
    /// A format, algorithm or feature this crate does not handle.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The input is damaged or is not what it claims to be.
    #[error("the input is damaged or not in the expected format: {0}")]
    Corrupt(String),
    /// A provider refused or failed a key operation.
    #[error("key operation failed: {0}")]
    Crypto(#[from] CryptoError),
    /// Something that should not happen did.
    #[error("internal certificate failure: {0}")]
    Internal(String),
}

impl CertError {
    /// The Azure-style error code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            CertError::InvalidPolicy { .. } | CertError::BadParameter(_) | CertError::NoCertificate => "BadParameter",
            CertError::WrongPassword | CertError::PasswordRequired => "WrongPassword",
            CertError::NoPrivateKey => "NoPrivateKey",
            CertError::KeyMismatch(_) => "KeyMismatch",
            CertError::TraditionalKey { .. } | CertError::Unsupported(_) => "UnsupportedFormat",
            CertError::Corrupt(_) => "CorruptInput",
            CertError::Crypto(inner) => match inner {
                CryptoError::UnknownAlgorithm(_)
                | CryptoError::AlgorithmKeyMismatch { .. }
                | CryptoError::UnsupportedKey(_)
                | CryptoError::InvalidJwk(_)
                | CryptoError::DigestLength { .. } => "BadParameter",
                _ => "InternalError",
            },
            CertError::Internal(_) => "InternalError",
        }
    }

    pub(crate) fn policy(field: impl Into<String>, message: impl Into<String>) -> Self {
        CertError::InvalidPolicy { field: field.into(), message: message.into() }
    }

    pub(crate) fn corrupt(message: impl Into<String>) -> Self {
        CertError::Corrupt(message.into())
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        CertError::Unsupported(message.into())
    }

    pub(crate) fn bad(message: impl Into<String>) -> Self {
        CertError::BadParameter(message.into())
    }
}
