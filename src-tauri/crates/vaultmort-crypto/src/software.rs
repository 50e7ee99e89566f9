//! The software provider: keys generated and used by aws-lc-rs in this process.
//!
//! Handle bytes are one tag byte naming the key type (1 RSA, 2 P-256, 3 P-384, 4 P-521,
//! 5 P-256K) followed by the PKCS#8 private key. Parsing PKCS#8 (and validating an RSA key) costs
//! more than a signature, so parsed keys are kept in a small in-memory cache keyed by a hash of
//! the handle.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use aws_lc_rs::digest::Digest;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeyPair as RsaKeyPair, KeyPairComponents, KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey,
    Pkcs1PrivateDecryptingKey, PrivateDecryptingKey, PublicKeyComponents,
};
use aws_lc_rs::signature::{self, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair as _, RsaEncoding};
use zeroize::Zeroizing;

use crate::CryptoError;
use crate::algorithms::{Curve, EncryptionAlgorithm, KeySpec, SignatureAlgorithm};
use crate::jwk::{JsonWebKey, PrivateJwk};
use crate::provider::{CryptoProvider, NewKey, ProviderKey, ProviderKind};
use crate::public::PublicKey;

const TAG_RSA: u8 = 1;
const CACHE_LIMIT: usize = 1024;

fn curve_tag(curve: Curve) -> u8 {
    match curve {
        Curve::P256 => 2,
        Curve::P384 => 3,
        Curve::P521 => 4,
        Curve::P256K => 5,
    }
}

fn tag_curve(tag: u8) -> Option<Curve> {
    match tag {
        2 => Some(Curve::P256),
        3 => Some(Curve::P384),
        4 => Some(Curve::P521),
        5 => Some(Curve::P256K),
        _ => None,
    }
}

fn ecdsa_signing(curve: Curve) -> &'static EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
        Curve::P256K => &signature::ECDSA_P256K1_SHA256_FIXED_SIGNING,
    }
}

enum ParsedKey {
    Rsa { pair: RsaKeyPair, pkcs8: Zeroizing<Vec<u8>>, decrypting: OnceLock<PrivateDecryptingKey> },
    Ec(EcdsaKeyPair),
}

/// Software keys through aws-lc-rs.
#[derive(Default)]
pub struct SoftwareProvider {
    cache: Mutex<HashMap<[u8; 32], Arc<ParsedKey>>>,
}

impl std::fmt::Debug for SoftwareProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SoftwareProvider")
    }
}

fn handle(tag: u8, pkcs8: &[u8]) -> ProviderKey {
    let mut bytes = Zeroizing::new(Vec::with_capacity(1 + pkcs8.len()));
    bytes.push(tag);
    bytes.extend_from_slice(pkcs8);
    ProviderKey { kind: ProviderKind::Software, bytes }
}

fn rsa_public(pair: &RsaKeyPair) -> PublicKey {
    let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    PublicKey::rsa(&components.n, &components.e)
}

fn rsa_new_key(pair: &RsaKeyPair) -> Result<NewKey, CryptoError> {
    let der = pair.as_der().map_err(|_| CryptoError::Internal("PKCS#8 encoding failed"))?;
    Ok(NewKey { handle: handle(TAG_RSA, der.as_ref()), public: rsa_public(pair) })
}

fn ec_new_key(curve: Curve, pair: &EcdsaKeyPair) -> Result<NewKey, CryptoError> {
    let der = pair.to_pkcs8v1().map_err(|_| CryptoError::Internal("PKCS#8 encoding failed"))?;
    let public = PublicKey::ec_from_point(curve, pair.public_key().as_ref())?;
    Ok(NewKey { handle: handle(curve_tag(curve), der.as_ref()), public })
}

impl SoftwareProvider {
    /// A provider with an empty key cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn parsed(&self, key: &ProviderKey) -> Result<Arc<ParsedKey>, CryptoError> {
        if key.kind != ProviderKind::Software {
            return Err(CryptoError::WrongProvider(key.kind.to_string()));
        }
        let fingerprint = crate::aead::sha256(&key.bytes);
        if let Some(found) = self.cache.lock().map_err(|_| CryptoError::Internal("key cache poisoned"))?.get(&fingerprint) {
            return Ok(found.clone());
        }
        let (tag, pkcs8) = key.bytes.split_first().ok_or(CryptoError::Internal("empty key handle"))?;
        let parsed = if *tag == TAG_RSA {
            let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|_| CryptoError::Internal("stored RSA key rejected"))?;
            ParsedKey::Rsa { pair, pkcs8: Zeroizing::new(pkcs8.to_vec()), decrypting: OnceLock::new() }
        } else {
            let curve = tag_curve(*tag).ok_or(CryptoError::Internal("unknown key handle tag"))?;
            ParsedKey::Ec(
                EcdsaKeyPair::from_pkcs8(ecdsa_signing(curve), pkcs8).map_err(|_| CryptoError::Internal("stored EC key rejected"))?,
            )
        };
        let parsed = Arc::new(parsed);
        let mut cache = self.cache.lock().map_err(|_| CryptoError::Internal("key cache poisoned"))?;
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(fingerprint, parsed.clone());
        Ok(parsed)
    }
}

impl CryptoProvider for SoftwareProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Software
    }

    fn generate(&self, spec: KeySpec) -> Result<NewKey, CryptoError> {
        match spec {
            KeySpec::Rsa { bits } => {
                let size = match bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    other => return Err(CryptoError::UnsupportedKey(format!("RSA keys are 2048, 3072 or 4096 bits, not {other}"))),
                };
                let pair = RsaKeyPair::generate(size).map_err(|_| CryptoError::Internal("RSA key generation failed"))?;
                rsa_new_key(&pair)
            }
            KeySpec::Ec { curve } => {
                let pair = EcdsaKeyPair::generate(ecdsa_signing(curve)).map_err(|_| CryptoError::Internal("EC key generation failed"))?;
                ec_new_key(curve, &pair)
            }
        }
    }

    fn import_jwk(&self, jwk: &JsonWebKey) -> Result<NewKey, CryptoError> {
        match jwk.private_parts()? {
            PrivateJwk::Rsa { public, d, p, q, dp, dq, qi } => {
                let PublicKey::Rsa { n, e } = &public else { return Err(CryptoError::Internal("RSA JWK without RSA public key")) };
                let bits = n.len() * 8;
                if !(2048..=4096).contains(&bits) {
                    return Err(CryptoError::UnsupportedKey(format!("RSA keys must be 2048 to 4096 bits, this one is {bits}")));
                }
                let components = KeyPairComponents {
                    public_key: PublicKeyComponents { n: n.as_slice(), e: e.as_slice() },
                    d: d.as_slice(),
                    p: p.as_slice(),
                    q: q.as_slice(),
                    dP: dp.as_slice(),
                    dQ: dq.as_slice(),
                    qInv: qi.as_slice(),
                };
                let pair = RsaKeyPair::from_components(&components)
                    .map_err(|_| CryptoError::InvalidJwk("the RSA members do not form a consistent private key".into()))?;
                rsa_new_key(&pair)
            }
            PrivateJwk::Ec { public, d } => {
                let PublicKey::Ec { curve, .. } = public else { return Err(CryptoError::Internal("EC JWK without EC public key")) };
                let point = public.ec_point().unwrap_or_default();
                let pair = EcdsaKeyPair::from_private_key_and_public_key(ecdsa_signing(curve), &d, &point)
                    .map_err(|_| CryptoError::InvalidJwk(format!("d, x and y do not form a consistent {curve} key")))?;
                ec_new_key(curve, &pair)
            }
        }
    }

    fn import_pkcs8(&self, der: &[u8]) -> Result<NewKey, CryptoError> {
        if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
            let bits = pair.public_modulus_len() * 8;
            if !(2048..=4096).contains(&bits) {
                return Err(CryptoError::UnsupportedKey(format!("RSA keys must be 2048 to 4096 bits, this one is {bits}")));
            }
            return rsa_new_key(&pair);
        }
        for &curve in Curve::ALL {
            if let Ok(pair) = EcdsaKeyPair::from_pkcs8(ecdsa_signing(curve), der) {
                return ec_new_key(curve, &pair);
            }
        }
        Err(CryptoError::UnsupportedKey("the private key is not an RSA (2048-4096) or EC (P-256, P-384, P-521, P-256K) PKCS#8 key".into()))
    }

    fn sign(&self, key: &ProviderKey, public: &PublicKey, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        public.check_signature_algorithm(algorithm)?;
        algorithm.check_digest(digest)?;
        let digest = Digest::import_less_safe(digest, algorithm.digest().aws()).map_err(|_| CryptoError::Internal("digest import"))?;
        match &*self.parsed(key)? {
            ParsedKey::Rsa { pair, .. } => {
                let encoding: &'static dyn RsaEncoding = match algorithm {
                    SignatureAlgorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
                    SignatureAlgorithm::Rs384 => &signature::RSA_PKCS1_SHA384,
                    SignatureAlgorithm::Rs512 => &signature::RSA_PKCS1_SHA512,
                    SignatureAlgorithm::Ps256 => &signature::RSA_PSS_SHA256,
                    SignatureAlgorithm::Ps384 => &signature::RSA_PSS_SHA384,
                    SignatureAlgorithm::Ps512 => &signature::RSA_PSS_SHA512,
                    _ => return Err(CryptoError::AlgorithmKeyMismatch { algorithm: algorithm.to_string(), key: public.spec().describe() }),
                };
                let mut out = vec![0u8; pair.public_modulus_len()];
                pair.sign_digest(encoding, &digest, &mut out).map_err(|_| CryptoError::Internal("RSA signing failed"))?;
                Ok(out)
            }
            ParsedKey::Ec(pair) => {
                let sig = pair.sign_digest(&digest).map_err(|_| CryptoError::Internal("ECDSA signing failed"))?;
                Ok(sig.as_ref().to_vec())
            }
        }
    }

    fn decrypt(
        &self,
        key: &ProviderKey,
        public: &PublicKey,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        public.check_encryption_algorithm(algorithm)?;
        let parsed = self.parsed(key)?;
        let ParsedKey::Rsa { pkcs8, decrypting, .. } = &*parsed else {
            return Err(CryptoError::AlgorithmKeyMismatch { algorithm: algorithm.to_string(), key: public.spec().describe() });
        };
        let private = match decrypting.get() {
            Some(found) => found.clone(),
            None => {
                let made = PrivateDecryptingKey::from_pkcs8(pkcs8).map_err(|_| CryptoError::Internal("stored RSA key rejected"))?;
                decrypting.get_or_init(|| made).clone()
            }
        };
        let mut out = Zeroizing::new(vec![0u8; private.key_size_bytes()]);
        let len = match algorithm {
            EncryptionAlgorithm::RsaOaep | EncryptionAlgorithm::RsaOaep256 => {
                let oaep = if algorithm == EncryptionAlgorithm::RsaOaep { &OAEP_SHA1_MGF1SHA1 } else { &OAEP_SHA256_MGF1SHA256 };
                OaepPrivateDecryptingKey::new(private)
                    .map_err(|_| CryptoError::Internal("OAEP key setup failed"))?
                    .decrypt(oaep, ciphertext, &mut out, None)
                    .map_err(|_| CryptoError::DecryptionFailed)?
                    .len()
            }
            EncryptionAlgorithm::Rsa15 => Pkcs1PrivateDecryptingKey::new(private)
                .map_err(|_| CryptoError::Internal("PKCS#1 key setup failed"))?
                .decrypt(ciphertext, &mut out)
                .map_err(|_| CryptoError::DecryptionFailed)?
                .len(),
        };
        out.truncate(len);
        Ok(out)
    }
}

/// The PKCS#8 DER of a software handle, for exportable keys (certificate PFX files).
pub fn pkcs8_der(key: &ProviderKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if key.kind != ProviderKind::Software {
        return Err(CryptoError::WrongProvider(key.kind.to_string()));
    }
    let (_, pkcs8) = key.bytes.split_first().ok_or(CryptoError::Internal("empty key handle"))?;
    Ok(Zeroizing::new(pkcs8.to_vec()))
}
