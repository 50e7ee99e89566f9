//! PKCS#8 private keys as they arrive in imported files: which key it is, its public half, and
//! whether it belongs to a certificate.
//!
//! Parsing uses aws-lc-rs, which also checks that the key is internally consistent; nothing here
//! signs or decrypts. Keys stay in `Zeroizing` buffers owned by the caller, and no error or
//! `Debug` output shows key bytes.

use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, PublicKeyComponents};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _};
use vaultmort_crypto::{Curve, PublicKey};

use crate::CertError;
use crate::asn1;

pub(crate) const OID_RSA: &str = "1.2.840.113549.1.1.1";
pub(crate) const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
pub(crate) const OID_EC: &str = "1.2.840.10045.2.1";
pub(crate) const OID_ED25519: &str = "1.3.101.112";

/// The curve named by an EC parameters OID.
pub(crate) fn curve_from_oid(dotted: &str) -> Option<Curve> {
    match dotted {
        "1.2.840.10045.3.1.7" => Some(Curve::P256),
        "1.3.132.0.34" => Some(Curve::P384),
        "1.3.132.0.35" => Some(Curve::P521),
        "1.3.132.0.10" => Some(Curve::P256K),
        _ => None,
    }
}

fn curve_oid(curve: Curve) -> &'static str {
    match curve {
        Curve::P256 => "1.2.840.10045.3.1.7",
        Curve::P384 => "1.3.132.0.34",
        Curve::P521 => "1.3.132.0.35",
        Curve::P256K => "1.3.132.0.10",
    }
}

fn ecdsa_alg(curve: Curve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        Curve::P521 => &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
        Curve::P256K => &signature::ECDSA_P256K1_SHA256_ASN1_SIGNING,
    }
}

/// The public key of a PKCS#8 (unencrypted `PrivateKeyInfo`) private key: RSA or EC on P-256,
/// P-384, P-521 or P-256K. The key is checked for consistency on the way.
pub fn pkcs8_public_key(pkcs8: &[u8]) -> Result<PublicKey, CertError> {
    let not_pkcs8 = || CertError::corrupt("the private key is not a PKCS#8 PrivateKeyInfo");
    let info = asn1::read_all(pkcs8).filter(|t| t.tag == asn1::SEQUENCE).ok_or_else(not_pkcs8)?;
    let fields = asn1::children(info.content).ok_or_else(not_pkcs8)?;
    let algorithm = fields.get(1).filter(|t| t.tag == asn1::SEQUENCE).ok_or_else(not_pkcs8)?;
    let alg_fields = asn1::children(algorithm.content).ok_or_else(not_pkcs8)?;
    let oid = alg_fields.first().ok_or_else(not_pkcs8)?;
    if asn1::is_oid(oid, OID_RSA) {
        let pair = RsaKeyPair::from_pkcs8(pkcs8)
            .map_err(|_| CertError::unsupported("the RSA private key was rejected (it must be 2048 to 8192 bits and consistent)"))?;
        let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        return Ok(PublicKey::rsa(&components.n, &components.e));
    }
    if asn1::is_oid(oid, OID_EC) {
        let params = alg_fields.get(1).filter(|t| t.tag == asn1::OID).ok_or_else(|| {
            CertError::unsupported("the EC private key does not name its curve (explicit curve parameters are not supported)")
        })?;
        let curve = [Curve::P256, Curve::P384, Curve::P521, Curve::P256K]
            .into_iter()
            .find(|c| asn1::is_oid(params, curve_oid(*c)))
            .ok_or_else(|| CertError::unsupported("the EC private key is on a curve other than P-256, P-384, P-521 or P-256K"))?;
        let pair = EcdsaKeyPair::from_pkcs8(ecdsa_alg(curve), pkcs8)
            .map_err(|_| CertError::corrupt(format!("the {curve} private key is malformed or inconsistent")))?;
        return PublicKey::ec_from_point(curve, pair.public_key().as_ref()).map_err(CertError::from);
    }
    if asn1::is_oid(oid, OID_RSA_PSS) {
        return Err(CertError::unsupported("RSA-PSS-only keys (id-RSASSA-PSS) are not supported; use an rsaEncryption key"));
    }
    if asn1::is_oid(oid, OID_ED25519) {
        return Err(CertError::unsupported("Ed25519 keys are not supported by Key Vault; use RSA or EC"));
    }
    Err(CertError::unsupported("the private key is neither RSA nor EC"))
}

/// Checks that `pkcs8` is the private half of `public`.
pub(crate) fn check_key_matches(pkcs8: &[u8], public: &PublicKey) -> Result<(), CertError> {
    let own = pkcs8_public_key(pkcs8)?;
    if own == *public {
        Ok(())
    } else {
        Err(CertError::KeyMismatch(format!(
            "the key is {} but the certificate holds a different public key ({})",
            own.spec().describe(),
            public.spec().describe()
        )))
    }
}
