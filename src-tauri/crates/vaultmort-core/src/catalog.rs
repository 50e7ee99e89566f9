//! The key catalog: which key types, RSA sizes, EC curves, key operations, signature algorithms
//! (with the digest each signs) and encryption algorithms the core accepts, and which key types
//! and sizes or curves a certificate policy may ask for, as one table a door can offer choices
//! from.
//!
//! Nothing here is a second list: every entry is drawn from the vocabulary the validation code
//! checks against ([`KeyType::ALL`], [`KeySpec::RSA_SIZES`], [`Curve::ALL`],
//! [`KeyOperation::applies_to`], [`SignatureAlgorithm::fits`], [`EncryptionAlgorithm::fits`],
//! and for certificates [`vaultmort_certs::signer::signs_certificates`]) and from the
//! installation's providers, so that a door offers exactly what the core accepts. A certificate
//! policy's curves are those whose key can sign its own certificate or CSR, which leaves
//! P-256K out (nothing here can certify a secp256k1 key).
//!
//! Left out: anything about a particular vault (a premium vault's HSM types are marked
//! `premium_vault_only`, not checked against a vault) or caller. The catalog is public
//! vocabulary, like Key Vault's documentation, so reading it is neither authorized nor audited.

use serde::{Deserialize, Serialize};
use vaultmort_crypto::{Curve, DigestAlgorithm, EncryptionAlgorithm, KeyOperation, KeySpec, KeyType, SignatureAlgorithm};

use crate::Vaultmort;

/// Whether keys of a type can be made in this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Availability {
    /// Keys of this type can be created (in a vault of the right SKU).
    Available,
    /// Keys of this type cannot be created here; `reason` says why (no HSM provider, say).
    Unavailable {
        /// The refusal a create request would get.
        reason: String,
    },
}

impl Availability {
    /// Whether keys of the type can be created.
    pub fn is_available(&self) -> bool {
        matches!(self, Availability::Available)
    }
}

/// The sizes or curves a key type takes, with the one used when a request names none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "camelCase")]
pub enum KeyShapes {
    /// RSA: a modulus size in bits.
    Rsa {
        /// Every size accepted, smallest first.
        sizes: Vec<u32>,
        /// The size used when none is named.
        default_size: u32,
    },
    /// Elliptic curve: a named curve.
    Ec {
        /// Every curve accepted, in Key Vault's order.
        curves: Vec<Curve>,
        /// The curve used when none is named.
        default_curve: Curve,
    },
}

impl KeyShapes {
    /// The shapes of keys of type `kty` that `usable` allows.
    fn of(kty: KeyType, usable: impl Fn(KeySpec) -> bool) -> Self {
        if kty.is_rsa() {
            let sizes = KeySpec::RSA_SIZES.iter().copied().filter(|&bits| usable(KeySpec::Rsa { bits })).collect();
            KeyShapes::Rsa { sizes, default_size: KeySpec::DEFAULT_RSA_SIZE }
        } else {
            let curves = Curve::ALL.iter().copied().filter(|&curve| usable(KeySpec::Ec { curve })).collect();
            KeyShapes::Ec { curves, default_curve: KeySpec::DEFAULT_CURVE }
        }
    }

    /// Every spec these shapes allow.
    pub fn specs(&self) -> Vec<KeySpec> {
        match self {
            KeyShapes::Rsa { sizes, .. } => sizes.iter().map(|&bits| KeySpec::Rsa { bits }).collect(),
            KeyShapes::Ec { curves, .. } => curves.iter().map(|&curve| KeySpec::Ec { curve }).collect(),
        }
    }
}

/// A signature algorithm a key type can use, with what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureOffer {
    /// The algorithm (`RS256`, `ES256K`).
    pub algorithm: SignatureAlgorithm,
    /// The hash of the message the caller sends as the digest.
    pub digest: DigestAlgorithm,
    /// The curve the key must be on; `None` when every size of the type fits.
    pub curve: Option<Curve>,
}

/// One key type and what may be asked of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyTypeEntry {
    /// The JWK key type.
    pub kty: KeyType,
    /// Whether keys of this type can be created here.
    pub availability: Availability,
    /// Whether only a premium vault holds keys of this type (the HSM types).
    pub premium_vault_only: bool,
    /// Its sizes or curves.
    pub shapes: KeyShapes,
    /// The operations a key of this type may be given (`key_ops`).
    pub operations: Vec<KeyOperation>,
    /// The operations it gets when a request names none.
    pub default_operations: Vec<KeyOperation>,
    /// The signature algorithms it can use (per curve for EC).
    pub signature_algorithms: Vec<SignatureOffer>,
    /// The encryption and key-wrapping algorithms it can use (none for EC).
    pub encryption_algorithms: Vec<EncryptionAlgorithm>,
}

/// A key type a certificate policy may ask for, with its sizes or curves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateKeyEntry {
    /// The JWK key type (`key_props.kty`).
    pub kty: KeyType,
    /// Whether certificates with this key type can be created here.
    pub availability: Availability,
    /// Whether only a premium vault holds keys of this type.
    pub premium_vault_only: bool,
    /// Its sizes (`key_props.key_size`) or curves (`key_props.crv`).
    pub shapes: KeyShapes,
}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCatalog {
    /// Every key type, in Key Vault's order.
    pub key_types: Vec<KeyTypeEntry>,
    /// Every key type a certificate policy may name.
    pub certificate_key_types: Vec<CertificateKeyEntry>,
}

impl KeyCatalog {
    /// The entry for key type `kty`.
    pub fn key_type(&self, kty: KeyType) -> Option<&KeyTypeEntry> {
        self.key_types.iter().find(|entry| entry.kty == kty)
    }
}

/// The signature algorithms that fit keys of these shapes: per curve for EC, and for RSA those
/// that fit every size.
fn signature_offers(shapes: &KeyShapes) -> Vec<SignatureOffer> {
    let offer = |algorithm: SignatureAlgorithm, curve| SignatureOffer { algorithm, digest: algorithm.digest(), curve };
    match shapes {
        KeyShapes::Rsa { .. } => {
            let specs = shapes.specs();
            SignatureAlgorithm::ALL.iter().filter(|a| specs.iter().all(|&spec| a.fits(spec))).map(|&a| offer(a, None)).collect()
        }
        KeyShapes::Ec { curves, .. } => curves
            .iter()
            .flat_map(|&curve| {
                SignatureAlgorithm::ALL.iter().filter(move |a| a.fits(KeySpec::Ec { curve })).map(move |&a| offer(a, Some(curve)))
            })
            .collect(),
    }
}

/// The encryption algorithms that fit every key of these shapes.
fn encryption_algorithms(shapes: &KeyShapes) -> Vec<EncryptionAlgorithm> {
    let specs = shapes.specs();
    EncryptionAlgorithm::ALL.iter().copied().filter(|a| specs.iter().all(|&spec| a.fits(spec))).collect()
}

impl Vaultmort {
    /// The key catalog of this installation: what a create, sign, verify, encrypt or wrap request
    /// and a certificate policy may name. Reads no stored data.
    pub fn key_catalog(&self) -> KeyCatalog {
        let availability = |kty: KeyType| match self.provider_for_type(kty) {
            Ok(()) => Availability::Available,
            Err(refusal) => Availability::Unavailable { reason: refusal.to_string() },
        };
        let key_types = KeyType::ALL
            .iter()
            .map(|&kty| {
                let shapes = KeyShapes::of(kty, |_| true);
                KeyTypeEntry {
                    kty,
                    availability: availability(kty),
                    premium_vault_only: kty.is_hsm(),
                    operations: KeyOperation::ALL.iter().copied().filter(|op| op.applies_to(kty)).collect(),
                    default_operations: KeyOperation::defaults_for(kty),
                    signature_algorithms: signature_offers(&shapes),
                    encryption_algorithms: encryption_algorithms(&shapes),
                    shapes,
                }
            })
            .collect();
        // A certificate's key is made by the same provider as any key of its type, and must be
        // able to sign its own certificate (self-signed) or CSR, which leaves P-256K out.
        let certificate_key_types = KeyType::ALL
            .iter()
            .map(|&kty| CertificateKeyEntry {
                kty,
                availability: availability(kty),
                premium_vault_only: kty.is_hsm(),
                shapes: KeyShapes::of(kty, vaultmort_certs::signer::signs_certificates),
            })
            .collect();
        KeyCatalog { key_types, certificate_key_types }
    }
}
