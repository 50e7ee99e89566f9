//! What the core stores for an HSM key: a reference to the token object, never key material.

use serde::{Deserialize, Serialize};
use vaultmort_crypto::{CryptoError, Curve, ProviderKey, ProviderKind};
use zeroize::Zeroizing;

/// The kind of private key a token object holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenKeyKind {
    /// An RSA key.
    Rsa,
    /// An EC key on this curve.
    Ec(Curve),
}

/// A reference to a private key in a token, as kept (sealed) in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenKeyRef {
    /// Format version.
    pub v: u8,
    /// The serial number of the token holding the key.
    pub token_serial: String,
    /// The object's `CKA_ID`, hex.
    pub id: String,
    /// What kind of key it is.
    pub kind: TokenKeyKind,
    /// The private key wrapped (AES key wrap with padding) by the token's backup key when it was
    /// made, base64: only that token can unwrap it, which is how backups restore into the same
    /// HSM and nowhere else. Ciphertext, not key material.
    pub wrapped: String,
}

impl TokenKeyRef {
    /// Reads a reference out of a provider handle.
    pub fn from_handle(key: &ProviderKey) -> Result<Self, CryptoError> {
        if key.kind != ProviderKind::Pkcs11 {
            return Err(CryptoError::WrongProvider(key.kind.to_string()));
        }
        serde_json::from_slice(&key.bytes).map_err(|_| CryptoError::Internal("unreadable HSM key reference"))
    }

    /// The provider handle holding this reference.
    pub fn to_handle(&self) -> Result<ProviderKey, CryptoError> {
        let bytes = serde_json::to_vec(self).map_err(|_| CryptoError::Internal("HSM key reference encoding"))?;
        Ok(ProviderKey { kind: ProviderKind::Pkcs11, bytes: Zeroizing::new(bytes) })
    }

    /// The `CKA_ID` bytes.
    pub fn id_bytes(&self) -> Result<Vec<u8>, CryptoError> {
        hex::decode(&self.id).map_err(|_| CryptoError::Internal("HSM key reference with a bad id"))
    }
}
