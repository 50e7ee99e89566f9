//! Certificate and CSR signing through a [`CryptoProvider`]: an rcgen [`SigningKey`] whose
//! private key never leaves the provider, so an HSM key can sign its own CSR.
//!
//! The signer hashes the to-be-signed bytes itself, asks the provider to sign the digest with
//! Key Vault's algorithm (RS256 for RSA, ES256/ES384/ES512 for P-256/P-384/P-521), and turns an
//! ECDSA `r || s` into the DER `Ecdsa-Sig-Value` X.509 wants. RSA always signs as
//! sha256WithRSAEncryption, as Key Vault does. secp256k1 (P-256K) keys are refused: X.509 tools
//! (rcgen, most TLS stacks) have no signature algorithm for them.

use std::sync::Mutex;

use rcgen::{PublicKeyData, SignatureAlgorithm as RcgenAlgorithm, SigningKey};
use vaultmort_crypto::{CryptoError, CryptoProvider, Curve, KeySpec, ProviderKey, PublicKey, SignatureAlgorithm};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::CertError;
use crate::asn1;

/// Signs certificates and CSRs with a provider-held key.
pub struct ProviderSigner<'a> {
    provider: &'a dyn CryptoProvider,
    key: &'a ProviderKey,
    public: PublicKey,
    spki: Vec<u8>,
    raw_public: Vec<u8>,
    algorithm: SignatureAlgorithm,
    rcgen_algorithm: &'static RcgenAlgorithm,
    last_error: Mutex<Option<CryptoError>>,
}

impl std::fmt::Debug for ProviderSigner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSigner")
            .field("provider", &self.provider.kind())
            .field("key", &self.public.spec().describe())
            .field("algorithm", &self.algorithm.as_str())
            .finish()
    }
}

/// The algorithm (Key Vault's, and rcgen's for X.509) a key of this spec signs certificates and
/// CSRs with, or `None` when it cannot sign them (P-256K).
fn x509_algorithm(spec: KeySpec) -> Option<(SignatureAlgorithm, &'static RcgenAlgorithm)> {
    match spec {
        KeySpec::Rsa { .. } => Some((SignatureAlgorithm::Rs256, &rcgen::PKCS_RSA_SHA256)),
        KeySpec::Ec { curve: Curve::P256 } => Some((SignatureAlgorithm::Es256, &rcgen::PKCS_ECDSA_P256_SHA256)),
        KeySpec::Ec { curve: Curve::P384 } => Some((SignatureAlgorithm::Es384, &rcgen::PKCS_ECDSA_P384_SHA384)),
        KeySpec::Ec { curve: Curve::P521 } => Some((SignatureAlgorithm::Es512, &rcgen::PKCS_ECDSA_P521_SHA512)),
        KeySpec::Ec { curve: Curve::P256K } => None,
    }
}

/// Whether a key of this spec can sign a certificate (self-signed) or its own CSR.
pub fn signs_certificates(spec: KeySpec) -> bool {
    x509_algorithm(spec).is_some()
}

impl<'a> ProviderSigner<'a> {
    /// A signer for `key` (whose public half is `public`) held by `provider`.
    pub fn new(provider: &'a dyn CryptoProvider, key: &'a ProviderKey, public: &PublicKey) -> Result<Self, CertError> {
        let (algorithm, rcgen_algorithm) = x509_algorithm(public.spec()).ok_or_else(|| {
            CertError::unsupported("P-256K (secp256k1) keys cannot sign X.509 certificates or CSRs here; use P-256, P-384, P-521 or RSA")
        })?;
        let spki = public.to_spki_der()?;
        let (_, parsed) = SubjectPublicKeyInfo::from_der(&spki).map_err(|_| CertError::Internal("SPKI re-parse failed".into()))?;
        let raw_public = parsed.subject_public_key.data.to_vec();
        Ok(ProviderSigner {
            provider,
            key,
            public: public.clone(),
            spki,
            raw_public,
            algorithm,
            rcgen_algorithm,
            last_error: Mutex::new(None),
        })
    }

    /// The public key this signer signs for.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The DER SubjectPublicKeyInfo of the signing key.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The Key Vault algorithm the provider is asked to use.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// Signs `message` as it will appear in the certificate or CSR (DER `Ecdsa-Sig-Value` for ECDSA).
    pub fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, CertError> {
        let digest = self.algorithm.digest().hash(message);
        let signature = self.provider.sign(self.key, &self.public, self.algorithm, &digest)?;
        match self.public {
            PublicKey::Rsa { .. } => Ok(signature),
            PublicKey::Ec { .. } => ecdsa_raw_to_der(&signature),
        }
    }

    /// Turns an rcgen failure after signing into the provider's own error where there was one.
    pub(crate) fn explain(&self, error: rcgen::Error) -> CertError {
        let stored = self.last_error.lock().ok().and_then(|mut slot| slot.take());
        match (error, stored) {
            (rcgen::Error::RemoteKeyError, Some(crypto)) => CertError::Crypto(crypto),
            (other, _) => CertError::Internal(format!("certificate encoding failed: {other}")),
        }
    }
}

impl PublicKeyData for ProviderSigner<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.raw_public
    }

    fn algorithm(&self) -> &'static RcgenAlgorithm {
        self.rcgen_algorithm
    }
}

impl SigningKey for ProviderSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.sign_message(msg).map_err(|e| {
            if let (CertError::Crypto(crypto), Ok(mut slot)) = (e, self.last_error.lock()) {
                *slot = Some(crypto);
            }
            rcgen::Error::RemoteKeyError
        })
    }
}

/// Converts a fixed-length ECDSA `r || s` into DER `SEQUENCE { INTEGER r, INTEGER s }`.
pub(crate) fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>, CertError> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return Err(CertError::Internal(format!("an ECDSA signature of {} bytes is not r || s", raw.len())));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut content = asn1::encode_unsigned_integer(r);
    content.extend(asn1::encode_unsigned_integer(s));
    Ok(asn1::encode(asn1::SEQUENCE, &content))
}
