//! The provider seam: where private keys live and private-key operations happen.
//!
//! A provider turns a [`KeySpec`] or an imported JWK into a [`ProviderKey`] handle and performs
//! `sign` and `decrypt` (and so `unwrapKey`) with it. Public-key operations need no provider; see
//! [`crate::public`]. The software provider keeps the key's PKCS#8 bytes in the handle, which the
//! core seals before storage; the PKCS#11 provider keeps only a token object reference there
//! (and the key wrapped by a key that never leaves that token, for backups), so callers never
//! change when keys move into an HSM.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::CryptoError;
use crate::algorithms::{EncryptionAlgorithm, KeySpec, SignatureAlgorithm};
use crate::jwk::JsonWebKey;
use crate::public::PublicKey;

/// Which provider made (and alone can use) a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Software keys (aws-lc-rs).
    Software,
    /// Keys in a PKCS#11 token.
    Pkcs11,
}

impl std::fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProviderKind::Software => "software",
            ProviderKind::Pkcs11 => "pkcs11",
        })
    }
}

/// A provider's handle on one private key. The bytes mean something only to that provider and
/// are treated as secret: they are sealed before storage and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderKey {
    /// The provider that understands `bytes`.
    pub kind: ProviderKind,
    /// Provider-specific handle bytes.
    pub bytes: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProviderKey({}, ..)", self.kind)
    }
}

/// A key a provider has just made or imported.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// The handle to keep (sealed) in storage.
    pub handle: ProviderKey,
    /// Its public half.
    pub public: PublicKey,
}

/// Where private keys live. Implementations must never return private key material except in
/// the opaque [`ProviderKey`] handle.
pub trait CryptoProvider: Send + Sync + std::fmt::Debug {
    /// Which provider this is.
    fn kind(&self) -> ProviderKind;

    /// Makes a new key pair.
    fn generate(&self, spec: KeySpec) -> Result<NewKey, CryptoError>;

    /// Takes in a private JWK (every private member present).
    fn import_jwk(&self, jwk: &JsonWebKey) -> Result<NewKey, CryptoError>;

    /// Takes in a PKCS#8 private key (RSA or EC), as found in imported PFX and PEM files.
    fn import_pkcs8(&self, der: &[u8]) -> Result<NewKey, CryptoError>;

    /// Signs a digest with Key Vault's algorithm semantics: RS/PS give a modulus-length
    /// signature, ES gives `r || s`, each left-padded to the curve's length.
    fn sign(&self, key: &ProviderKey, public: &PublicKey, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>, CryptoError>;

    /// Decrypts (or unwraps) with the private key.
    fn decrypt(
        &self,
        key: &ProviderKey,
        public: &PublicKey,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError>;

    /// Destroys the key where it lives, once its last record is purged. Software keys live only
    /// in their (sealed) handle, so there is nothing to do; an HSM destroys its token object.
    fn destroy(&self, key: &ProviderKey) -> Result<(), CryptoError> {
        let _ = key;
        Ok(())
    }

    /// Makes a handle from a backup usable again: software handles are the key itself; an HSM
    /// unwraps the key it wrapped when the handle was made into a new token object, and refuses
    /// a handle made by another token.
    fn restore(&self, key: &ProviderKey) -> Result<ProviderKey, CryptoError> {
        Ok(key.clone())
    }
}
