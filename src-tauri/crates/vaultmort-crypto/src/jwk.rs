//! JSON Web Keys (RFC 7517) as Key Vault uses them: base64url integers without padding,
//! `key_ops`, and the `-HSM` key types.
//!
//! A JWK read from a user is checked here once ([`JsonWebKey::parse`]) so that everything past
//! this module handles only well-formed keys.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::CryptoError;
use crate::algorithms::{Curve, KeyOperation, KeyType};
use crate::public::PublicKey;

/// Bytes serialised as base64url without padding; Key Vault's encoding for JWK members.
pub mod b64url {
    use super::*;

    /// Serialises optional bytes.
    pub fn serialize<S: serde::Serializer>(value: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(bytes) => s.serialize_str(&URL_SAFE_NO_PAD.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    /// Deserialises optional bytes, accepting padded or unpadded base64url (and standard base64,
    /// which some tools emit).
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| decode(&t).map_err(serde::de::Error::custom)).transpose()
    }

    /// Decodes base64url with or without padding, or standard base64.
    pub fn decode(text: &str) -> Result<Vec<u8>, String> {
        let trimmed = text.trim().trim_end_matches('=');
        URL_SAFE_NO_PAD
            .decode(trimmed)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
            .map_err(|_| "is not valid base64url".to_string())
    }

    /// Encodes bytes as base64url without padding.
    pub fn encode(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }
}

/// A JSON Web Key, public or private.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonWebKey {
    /// Key identifier (a URL in Key Vault).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kid: Option<String>,
    /// Key type: RSA, EC, RSA-HSM, EC-HSM.
    pub kty: String,
    /// Permitted operations.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_ops: Option<Vec<String>>,
    /// RSA modulus.
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub n: Option<Vec<u8>>,
    /// RSA public exponent.
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub e: Option<Vec<u8>>,
    /// RSA private exponent, or EC private scalar.
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub d: Option<Vec<u8>>,
    /// RSA first prime.
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub p: Option<Vec<u8>>,
    /// RSA second prime.
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub q: Option<Vec<u8>>,
    /// RSA d mod (p-1).
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub dp: Option<Vec<u8>>,
    /// RSA d mod (q-1).
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub dq: Option<Vec<u8>>,
    /// RSA q^-1 mod p.
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub qi: Option<Vec<u8>>,
    /// EC curve name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub crv: Option<String>,
    /// EC x coordinate.
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub x: Option<Vec<u8>>,
    /// EC y coordinate.
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub y: Option<Vec<u8>>,
    /// Symmetric key bytes (not supported for software keys).
    #[serde(with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub k: Option<Vec<u8>>,
    /// A key-transfer (BYOK) blob: the bytes of a `.byok` file, wrapped for a key-exchange key.
    /// Only in import requests, with `kty` `RSA-HSM` or `EC-HSM`.
    #[serde(rename = "key_hsm", alias = "T", with = "b64url", skip_serializing_if = "Option::is_none", default)]
    pub key_hsm: Option<Vec<u8>>,
}

impl std::fmt::Debug for JsonWebKey {
    /// Never prints private members.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonWebKey").field("kid", &self.kid).field("kty", &self.kty).field("crv", &self.crv).finish_non_exhaustive()
    }
}

impl Drop for JsonWebKey {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for member in [&mut self.d, &mut self.p, &mut self.q, &mut self.dp, &mut self.dq, &mut self.qi, &mut self.k].into_iter().flatten() {
            member.zeroize();
        }
    }
}

/// The private parts of a JWK, checked for presence and shape.
pub enum PrivateJwk {
    /// RSA with every CRT member present.
    Rsa {
        /// Public part.
        public: PublicKey,
        /// Private exponent.
        d: Zeroizing<Vec<u8>>,
        /// First prime.
        p: Zeroizing<Vec<u8>>,
        /// Second prime.
        q: Zeroizing<Vec<u8>>,
        /// d mod (p-1).
        dp: Zeroizing<Vec<u8>>,
        /// d mod (q-1).
        dq: Zeroizing<Vec<u8>>,
        /// q^-1 mod p.
        qi: Zeroizing<Vec<u8>>,
    },
    /// EC with the private scalar.
    Ec {
        /// Public part.
        public: PublicKey,
        /// Private scalar, left-padded to the curve's length.
        d: Zeroizing<Vec<u8>>,
    },
}

impl JsonWebKey {
    /// Parses JWK JSON text, with a message that says which member is wrong.
    pub fn parse(json: &str) -> Result<Self, CryptoError> {
        serde_json::from_str(json).map_err(|e| CryptoError::InvalidJwk(format!("not a JSON Web Key: {e}")))
    }

    /// The key type, checked.
    pub fn key_type(&self) -> Result<KeyType, CryptoError> {
        self.kty.parse().map_err(|_| CryptoError::InvalidJwk(format!("kty '{}' is not RSA, EC, RSA-HSM or EC-HSM", self.kty)))
    }

    /// The `key_ops` member, checked.
    pub fn key_operations(&self) -> Result<Option<Vec<KeyOperation>>, CryptoError> {
        self.key_ops
            .as_ref()
            .map(|ops| {
                ops.iter().map(|op| op.parse().map_err(|_| CryptoError::InvalidJwk(format!("key_ops member '{op}' is unknown")))).collect()
            })
            .transpose()
    }

    fn member(&self, name: &str, value: &Option<Vec<u8>>) -> Result<Vec<u8>, CryptoError> {
        match value {
            Some(bytes) if !bytes.is_empty() => Ok(bytes.clone()),
            _ => Err(CryptoError::InvalidJwk(format!("member '{name}' is required for kty {}", self.kty))),
        }
    }

    /// The public key this JWK describes.
    pub fn public_key(&self) -> Result<PublicKey, CryptoError> {
        if self.key_type()?.is_rsa() {
            Ok(PublicKey::rsa(&self.member("n", &self.n)?, &self.member("e", &self.e)?))
        } else {
            let curve: Curve = self
                .crv
                .as_deref()
                .ok_or_else(|| CryptoError::InvalidJwk(format!("member 'crv' is required for kty {}", self.kty)))?
                .parse()
                .map_err(|_| {
                    CryptoError::InvalidJwk(format!(
                        "crv '{}' is not P-256, P-384, P-521 or P-256K",
                        self.crv.as_deref().unwrap_or_default()
                    ))
                })?;
            let len = curve.coordinate_len();
            let x = left_pad(&self.member("x", &self.x)?, len, "x")?;
            let y = left_pad(&self.member("y", &self.y)?, len, "y")?;
            Ok(PublicKey::Ec { curve, x, y })
        }
    }

    /// The private members, all required; a JWK without them cannot be imported.
    pub fn private_parts(&self) -> Result<PrivateJwk, CryptoError> {
        let public = self.public_key()?;
        match &public {
            PublicKey::Rsa { .. } => Ok(PrivateJwk::Rsa {
                d: Zeroizing::new(self.member("d", &self.d)?),
                p: Zeroizing::new(self.member("p", &self.p)?),
                q: Zeroizing::new(self.member("q", &self.q)?),
                dp: Zeroizing::new(self.member("dp", &self.dp)?),
                dq: Zeroizing::new(self.member("dq", &self.dq)?),
                qi: Zeroizing::new(self.member("qi", &self.qi)?),
                public,
            }),
            PublicKey::Ec { curve, .. } => {
                let d = Zeroizing::new(left_pad(&self.member("d", &self.d)?, curve.coordinate_len(), "d")?);
                Ok(PrivateJwk::Ec { public, d })
            }
        }
    }

    /// A public JWK for a key, as Key Vault returns it.
    pub fn from_public(public: &PublicKey, kty: KeyType, kid: Option<String>, key_ops: &[KeyOperation]) -> Self {
        let mut jwk = JsonWebKey::default();
        jwk.kid = kid;
        jwk.kty = kty.to_string();
        jwk.key_ops = Some(key_ops.iter().map(|op| op.to_string()).collect());
        match public {
            PublicKey::Rsa { n, e } => {
                jwk.n = Some(n.clone());
                jwk.e = Some(e.clone());
            }
            PublicKey::Ec { curve, x, y } => {
                jwk.crv = Some(curve.to_string());
                jwk.x = Some(x.clone());
                jwk.y = Some(y.clone());
            }
        }
        jwk
    }
}

fn left_pad(bytes: &[u8], len: usize, name: &str) -> Result<Vec<u8>, CryptoError> {
    if bytes.len() > len {
        return Err(CryptoError::InvalidJwk(format!("member '{name}' is {} bytes, longer than the curve's {len}", bytes.len())));
    }
    let mut out = vec![0u8; len - bytes.len()];
    out.extend_from_slice(bytes);
    Ok(out)
}
