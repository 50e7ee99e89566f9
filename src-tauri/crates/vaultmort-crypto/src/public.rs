//! Public keys and the operations that need nothing secret: verify, encrypt, and export as
//! SubjectPublicKeyInfo (DER or PEM) or as a public JSON Web Key.
//!
//! Key Vault performs these operations for callers too; since they use only public data, every
//! provider shares this one implementation.

use aws_lc_rs::digest::Digest;
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, Pkcs1PublicEncryptingKey, PublicEncryptingKey, PublicKeyComponents,
};
use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use serde::{Deserialize, Serialize};

use crate::CryptoError;
use crate::algorithms::{Curve, EncryptionAlgorithm, KeySpec, SignatureAlgorithm};

/// The public half of a key, in the form JWKs carry it (big-endian integers, no leading zeros).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PublicKey {
    /// RSA modulus and public exponent.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// EC point on a named curve.
    Ec {
        /// The curve.
        curve: Curve,
        /// X coordinate, left-padded to the curve's coordinate length.
        x: Vec<u8>,
        /// Y coordinate, left-padded likewise.
        y: Vec<u8>,
    },
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
    &bytes[first..]
}

impl PublicKey {
    /// An RSA public key from modulus and exponent bytes (leading zeros are dropped).
    pub fn rsa(n: &[u8], e: &[u8]) -> Self {
        PublicKey::Rsa { n: strip_leading_zeros(n).to_vec(), e: strip_leading_zeros(e).to_vec() }
    }

    /// An EC public key from the uncompressed SEC1 point `04 || x || y`.
    pub fn ec_from_point(curve: Curve, point: &[u8]) -> Result<Self, CryptoError> {
        let len = curve.coordinate_len();
        if point.len() != 1 + 2 * len || point[0] != 4 {
            return Err(CryptoError::InvalidJwk(format!("an uncompressed {curve} point is {} bytes", 1 + 2 * len)));
        }
        Ok(PublicKey::Ec { curve, x: point[1..=len].to_vec(), y: point[1 + len..].to_vec() })
    }

    /// The key's spec (type and size or curve).
    pub fn spec(&self) -> KeySpec {
        match self {
            PublicKey::Rsa { n, .. } => KeySpec::Rsa { bits: (n.len() * 8) as u32 },
            PublicKey::Ec { curve, .. } => KeySpec::Ec { curve: *curve },
        }
    }

    /// The uncompressed SEC1 point of an EC key.
    pub fn ec_point(&self) -> Option<Vec<u8>> {
        match self {
            PublicKey::Ec { x, y, .. } => {
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(4);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                Some(point)
            }
            PublicKey::Rsa { .. } => None,
        }
    }

    /// DER SubjectPublicKeyInfo, as `az keyvault key download --encoding DER` writes it.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        let der: PublicKeyX509Der<'static> = match self {
            PublicKey::Rsa { n, e } => PublicKeyComponents { n: n.as_slice(), e: e.as_slice() }
                .as_der()
                .map_err(|_| CryptoError::InvalidJwk("the RSA modulus or exponent is malformed".into()))?,
            PublicKey::Ec { curve, .. } => {
                let point = self.ec_point().unwrap_or_default();
                ParsedPublicKey::new(ecdsa_verification(*curve), point)
                    .map_err(|_| CryptoError::InvalidJwk(format!("the point is not on curve {curve}")))?
                    .as_der()
                    .map_err(|_| CryptoError::Internal("SPKI encoding failed"))?
            }
        };
        Ok(der.as_ref().to_vec())
    }

    /// PEM `PUBLIC KEY`, as `az keyvault key download --encoding PEM` writes it.
    pub fn to_spki_pem(&self) -> Result<String, CryptoError> {
        Ok(crate::pem::encode("PUBLIC KEY", &self.to_spki_der()?))
    }

    /// Checks a signature over a digest. `Ok(false)` means the signature does not match.
    pub fn verify(&self, algorithm: SignatureAlgorithm, digest: &[u8], signature_bytes: &[u8]) -> Result<bool, CryptoError> {
        self.check_signature_algorithm(algorithm)?;
        algorithm.check_digest(digest)?;
        let digest = Digest::import_less_safe(digest, algorithm.digest().aws()).map_err(|_| CryptoError::Internal("digest import"))?;
        let spki = self.to_spki_der()?;
        let verifier: &'static dyn VerificationAlgorithm = match algorithm {
            SignatureAlgorithm::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            SignatureAlgorithm::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            SignatureAlgorithm::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            SignatureAlgorithm::Ps256 => &signature::RSA_PSS_2048_8192_SHA256,
            SignatureAlgorithm::Ps384 => &signature::RSA_PSS_2048_8192_SHA384,
            SignatureAlgorithm::Ps512 => &signature::RSA_PSS_2048_8192_SHA512,
            SignatureAlgorithm::Es256 | SignatureAlgorithm::Es384 | SignatureAlgorithm::Es512 | SignatureAlgorithm::Es256K => {
                let PublicKey::Ec { curve, .. } = self else { unreachable!("checked by check_signature_algorithm") };
                ecdsa_verification(*curve)
            }
        };
        let key_bytes = match self {
            PublicKey::Rsa { .. } => spki,
            PublicKey::Ec { .. } => self.ec_point().unwrap_or_default(),
        };
        Ok(signature::UnparsedPublicKey::new(verifier, key_bytes).verify_digest(&digest, signature_bytes).is_ok())
    }

    /// Encrypts with the public key (also what `wrapKey` does).
    pub fn encrypt(&self, algorithm: EncryptionAlgorithm, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.check_encryption_algorithm(algorithm)?;
        let PublicKey::Rsa { n, .. } = self else {
            return Err(CryptoError::AlgorithmKeyMismatch { algorithm: algorithm.to_string(), key: self.spec().describe() });
        };
        let max = algorithm.max_plaintext(n.len());
        if plaintext.len() > max {
            return Err(CryptoError::PlaintextTooLong { algorithm: algorithm.to_string(), max, actual: plaintext.len() });
        }
        let key = PublicEncryptingKey::from_der(&self.to_spki_der()?).map_err(|_| CryptoError::Internal("RSA public key rejected"))?;
        let mut out = vec![0u8; n.len()];
        let len = match algorithm {
            EncryptionAlgorithm::RsaOaep | EncryptionAlgorithm::RsaOaep256 => {
                let oaep = if algorithm == EncryptionAlgorithm::RsaOaep { &OAEP_SHA1_MGF1SHA1 } else { &OAEP_SHA256_MGF1SHA256 };
                OaepPublicEncryptingKey::new(key)
                    .and_then(|k| k.encrypt(oaep, plaintext, &mut out, None).map(|c| c.len()))
                    .map_err(|_| CryptoError::Internal("RSA-OAEP encryption failed"))?
            }
            EncryptionAlgorithm::Rsa15 => Pkcs1PublicEncryptingKey::new(key)
                .and_then(|k| k.encrypt(plaintext, &mut out).map(|c| c.len()))
                .map_err(|_| CryptoError::Internal("RSA1_5 encryption failed"))?,
        };
        out.truncate(len);
        Ok(out)
    }

    /// Refuses a signature algorithm that does not fit this key.
    pub fn check_signature_algorithm(&self, algorithm: SignatureAlgorithm) -> Result<(), CryptoError> {
        if algorithm.fits(self.spec()) {
            Ok(())
        } else {
            Err(CryptoError::AlgorithmKeyMismatch { algorithm: algorithm.to_string(), key: self.spec().describe() })
        }
    }

    /// Refuses an encryption algorithm on a key that cannot encrypt.
    pub fn check_encryption_algorithm(&self, algorithm: EncryptionAlgorithm) -> Result<(), CryptoError> {
        if algorithm.fits(self.spec()) {
            Ok(())
        } else {
            Err(CryptoError::AlgorithmKeyMismatch { algorithm: algorithm.to_string(), key: self.spec().describe() })
        }
    }
}

pub(crate) fn ecdsa_verification(curve: Curve) -> &'static signature::EcdsaVerificationAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
        Curve::P256K => &signature::ECDSA_P256K1_SHA256_FIXED,
    }
}
