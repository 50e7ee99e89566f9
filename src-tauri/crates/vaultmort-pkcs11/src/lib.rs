//! The PKCS#11 crypto provider: HSM-protected keys that live in a token and never leave it.
//!
//! [`Pkcs11Provider`] implements the same [`vaultmort_crypto::CryptoProvider`] trait as the
//! software provider, over any PKCS#11 module (`cryptoki`). Keys are generated (or unwrapped) in
//! the token as `CKA_TOKEN`, `CKA_PRIVATE`, `CKA_SENSITIVE` objects that end up not extractable;
//! every private operation (sign, decrypt, unwrap) runs in the token. What the core stores is a
//! [`TokenKeyRef`]: the token's serial, the object's `CKA_ID`, and the key wrapped by the token's
//! own backup key at creation, which only that token can unwrap again (backup and restore).
//!
//! How it reads:
//! - [`config`]: which module, which token, which PIN; the practice token's settings.
//! - [`softhsm`]: Vaultmort's own SoftHSM2 token under the home (its own `SOFTHSM2_CONF`).
//! - [`module`]: loading a module once per process, finding a token, a pool of logged-in sessions.
//! - [`provider`]: the provider itself (keygen, sign, decrypt, import, destroy, restore).
//! - [`oaep`]: RSA-OAEP with SHA-256 decoded outside the token around a raw in-token RSA
//!   operation, because SoftHSM 2.6 lacks OAEP-SHA256.
//! - [`byok`]: bring your own key, both sides: the vault's import of a `CKM_RSA_AES_KEY_WRAP`
//!   blob (unwrapped in the token), and the vendor tool that makes one from a second token.
//! - [`inspect`]: what `hsm show` reports (module, token, mechanisms, objects).
//!
//! This is the only crate where `unsafe` is allowed, and only for setting SoftHSM's
//! configuration variable (see [`softhsm`]); `cryptoki` holds the FFI.

pub mod byok;
pub mod config;
pub mod inspect;
pub mod module;
mod oaep;
pub mod provider;
pub mod softhsm;
mod token_key;

pub use config::{HsmConfig, TokenSelector};
pub use provider::Pkcs11Provider;
pub use token_key::TokenKeyRef;

/// Turns a cryptoki failure into the crypto crate's error, naming the PKCS#11 function and
/// return value (never key material).
pub(crate) fn hsm_error(doing: &str, error: cryptoki::error::Error) -> vaultmort_crypto::CryptoError {
    vaultmort_crypto::CryptoError::Hsm(format!("{doing}: {error}"))
}
