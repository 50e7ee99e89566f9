//! The crypto crate's error type.

/// What went wrong in a crypto operation. Messages never contain key material.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// A name Key Vault does not know (algorithm, curve, key type or key operation); the text
    /// says which name, what kind of name it should be, and the names that are known.
    #[error("{0}")]
    UnknownAlgorithm(String),
    /// The algorithm exists but does not fit this key (an ES algorithm on an RSA key, ES384 on P-256, ...).
    #[error("algorithm {algorithm} cannot be used with {key}")]
    AlgorithmKeyMismatch {
        /// The algorithm asked for.
        algorithm: String,
        /// A description of the key (type and size or curve).
        key: String,
    },
    /// A digest whose length does not match the signature algorithm.
    #[error("a {algorithm} digest must be {expected} bytes long, got {actual}")]
    DigestLength {
        /// The signature algorithm.
        algorithm: String,
        /// Bytes the algorithm's hash produces.
        expected: usize,
        /// Bytes that were given.
        actual: usize,
    },
    /// The plaintext is longer than the algorithm allows for this key.
    #[error("the plaintext is {actual} bytes; {algorithm} with this key takes at most {max}")]
    PlaintextTooLong {
        /// The encryption algorithm.
        algorithm: String,
        /// Largest plaintext allowed.
        max: usize,
        /// Bytes that were given.
        actual: usize,
    },
    /// Decryption failed: wrong key, wrong algorithm, or a damaged ciphertext.
    #[error("decryption failed: the ciphertext does not decrypt with this key and algorithm")]
    DecryptionFailed,
    /// A JSON Web Key that cannot be used.
    #[error("invalid JSON Web Key: {0}")]
    InvalidJwk(String),
    /// A key size or curve that is not supported.
    #[error("unsupported key parameters: {0}")]
    UnsupportedKey(String),
    /// Authenticated decryption of stored data failed (tampered or wrong key).
    #[error("authenticated decryption failed")]
    SealBroken,
    /// The provider that made the key is not the one asked to use it.
    #[error("the key belongs to the {0} provider")]
    WrongProvider(String),
    /// The HSM (a PKCS#11 token) refused or failed an operation; the text names the PKCS#11
    /// function and return value, never key material.
    #[error("the HSM failed: {0}")]
    Hsm(String),
    /// Key material that belongs to another HSM (a backup or a key-transfer blob made for
    /// another token's key): it can only be used where it was made.
    #[error("{0}")]
    ForeignHsm(String),
    /// The private key cannot leave its provider (an HSM key asked for as PKCS#8 or PFX).
    #[error("{0}")]
    NotExportable(String),
    /// The underlying library failed in a way that should not happen.
    #[error("internal crypto failure: {0}")]
    Internal(&'static str),
}
