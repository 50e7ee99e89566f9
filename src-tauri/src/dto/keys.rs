//! Key views and inputs (`commands::keys`), and the key catalog the forms are built from.
//!
//! The key catalog as the UI reads it: the core's [`KeyCatalog`] with Key Vault's names as
//! strings, so that the key form, the try-it panel and the certificate policy form build their
//! choices from it and hold no list of their own.

use super::{iso, object_url};
use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_core::address::vault_url;
use vaultmort_core::catalog::{Availability, CertificateKeyEntry, KeyCatalog, KeyShapes, KeyTypeEntry, SignatureOffer};
use vaultmort_core::keys::KeyBundle;

/// A key type's sizes or curves and whether it can be used, as both lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyShapesView {
    /// JWK key type: `RSA`, `EC`, `RSA-HSM`, `EC-HSM`.
    pub kty: String,
    /// Whether keys of this type can be created in this installation.
    pub available: bool,
    /// Why not, when they cannot (the refusal a create would get).
    pub unavailable_reason: Option<String>,
    /// Whether only a premium vault holds keys of this type.
    pub premium_vault_only: bool,
    /// RSA sizes in bits, smallest first; empty for EC types.
    pub sizes: Vec<u32>,
    /// The size used when none is chosen; null for EC types.
    pub default_size: Option<u32>,
    /// EC curves (`P-256`, ...); empty for RSA types.
    pub curves: Vec<String>,
    /// The curve used when none is chosen; null for RSA types.
    pub default_curve: Option<String>,
}

impl KeyShapesView {
    fn of(kty: vaultmort_crypto::KeyType, availability: &Availability, premium_vault_only: bool, shapes: &KeyShapes) -> Self {
        let (sizes, default_size, curves, default_curve) = match shapes {
            KeyShapes::Rsa { sizes, default_size } => (sizes.clone(), Some(*default_size), Vec::new(), None),
            KeyShapes::Ec { curves, default_curve } => {
                (Vec::new(), None, curves.iter().map(ToString::to_string).collect(), Some(default_curve.to_string()))
            }
        };
        let unavailable_reason = match availability {
            Availability::Available => None,
            Availability::Unavailable { reason } => Some(reason.clone()),
        };
        Self {
            kty: kty.to_string(),
            available: availability.is_available(),
            unavailable_reason,
            premium_vault_only,
            sizes,
            default_size,
            curves,
            default_curve,
        }
    }
}

/// A signature algorithm a key type can use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignatureAlgorithmView {
    /// JWS name: `RS256`, `PS384`, `ES256K`, ...
    pub name: String,
    /// The hash of the message to send as the digest, by its WebCrypto name (`SHA-256`).
    pub digest: String,
    /// The curve the key must be on; null when every key of the type fits.
    pub curve: Option<String>,
}

impl From<&SignatureOffer> for SignatureAlgorithmView {
    fn from(offer: &SignatureOffer) -> Self {
        Self { name: offer.algorithm.to_string(), digest: offer.digest.as_str().to_string(), curve: offer.curve.map(|c| c.to_string()) }
    }
}

/// A key type and what a key of it may be asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyTypeView {
    /// Its type, availability and sizes or curves.
    pub shapes: KeyShapesView,
    /// Operations a key of this type may be created with (`key_ops`).
    pub operations: Vec<String>,
    /// The operations it gets by default.
    pub default_operations: Vec<String>,
    /// Signature algorithms, each with its digest (and curve for EC).
    pub signature_algorithms: Vec<SignatureAlgorithmView>,
    /// Encryption and key-wrapping algorithms (none for EC).
    pub encryption_algorithms: Vec<String>,
}

impl From<&KeyTypeEntry> for KeyTypeView {
    fn from(entry: &KeyTypeEntry) -> Self {
        Self {
            shapes: KeyShapesView::of(entry.kty, &entry.availability, entry.premium_vault_only, &entry.shapes),
            operations: entry.operations.iter().map(ToString::to_string).collect(),
            default_operations: entry.default_operations.iter().map(ToString::to_string).collect(),
            signature_algorithms: entry.signature_algorithms.iter().map(SignatureAlgorithmView::from).collect(),
            encryption_algorithms: entry.encryption_algorithms.iter().map(ToString::to_string).collect(),
        }
    }
}

impl From<&CertificateKeyEntry> for KeyShapesView {
    fn from(entry: &CertificateKeyEntry) -> Self {
        KeyShapesView::of(entry.kty, &entry.availability, entry.premium_vault_only, &entry.shapes)
    }
}

/// What `key_catalog` returns: the key types for keys, and those for certificate policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyCatalogView {
    /// Every key type, available or not, in Key Vault's order.
    pub key_types: Vec<KeyTypeView>,
    /// Every key type a certificate policy may name, with its sizes or curves.
    pub certificate_key_types: Vec<KeyShapesView>,
}

impl From<&KeyCatalog> for KeyCatalogView {
    fn from(catalog: &KeyCatalog) -> Self {
        Self {
            key_types: catalog.key_types.iter().map(KeyTypeView::from).collect(),
            certificate_key_types: catalog.certificate_key_types.iter().map(KeyShapesView::from).collect(),
        }
    }
}

/// A key's newest version: its id and public facts, never private material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyItem {
    /// Key name.
    pub name: String,
    /// The version's id URL (the JWK `kid`).
    pub kid: String,
    /// The version id.
    pub version: String,
    /// JWK key type: `RSA`, `EC`, `RSA-HSM` or `EC-HSM`.
    pub kty: String,
    /// The curve of an EC key (`P-256`, ...), which decides the signature algorithms it takes;
    /// null for RSA.
    pub curve: Option<String>,
    /// Permitted operations (`sign`, `verify`, `encrypt`, ...).
    pub key_ops: Vec<String>,
    /// Whether the version may be used.
    pub enabled: bool,
    /// Creation time.
    pub created: String,
    /// Expiry.
    pub expires: Option<String>,
}

impl From<KeyBundle> for KeyItem {
    fn from(key: KeyBundle) -> Self {
        Self {
            kid: object_url(&key.id),
            version: key.id.version.clone().unwrap_or_default(),
            name: key.id.name,
            kty: key.kty.to_string(),
            curve: match key.public.spec() {
                vaultmort_crypto::KeySpec::Ec { curve } => Some(curve.to_string()),
                vaultmort_crypto::KeySpec::Rsa { .. } => None,
            },
            key_ops: key.key_ops.iter().map(ToString::to_string).collect(),
            enabled: key.attributes.enabled,
            created: iso(key.attributes.created),
            expires: key.attributes.expires.map(iso),
        }
    }
}

/// The software key types the desktop app creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum KeyKind {
    /// RSA (`size` 2048, 3072 or 4096).
    #[serde(rename = "RSA")]
    Rsa,
    /// Elliptic curve (`curve` P-256, P-384, P-521 or P-256K).
    #[serde(rename = "EC")]
    Ec,
}

impl From<KeyKind> for vaultmort_crypto::KeyType {
    fn from(kind: KeyKind) -> Self {
        match kind {
            KeyKind::Rsa => Self::Rsa,
            KeyKind::Ec => Self::Ec,
        }
    }
}

/// What `create_key` needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateKeyInput {
    /// Key name.
    pub name: String,
    /// Key type.
    pub kty: KeyKind,
    /// RSA size in bits; 2048 when null. Only for RSA.
    pub size: Option<u32>,
    /// EC curve name; P-256 when null. Only for EC.
    pub curve: Option<String>,
    /// Permitted operations (`sign`, `verify`, `encrypt`, ...); the type's defaults when null.
    pub key_ops: Option<Vec<String>>,
    /// Enabled; true when null.
    pub enabled: Option<bool>,
    /// Activation date (ISO-8601), or null.
    pub not_before: Option<String>,
    /// Expiry (ISO-8601), or null.
    pub expires: Option<String>,
    /// Tags, at most 15.
    pub tags: Option<std::collections::BTreeMap<String, String>>,
}

/// The try-it panel's operations besides sign and verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CryptoOperation {
    /// Encrypt with the public key.
    Encrypt,
    /// Decrypt with the private key.
    Decrypt,
    /// Wrap a symmetric key with the public key.
    WrapKey,
    /// Unwrap a symmetric key with the private key.
    UnwrapKey,
}

/// One version of a key with its public half as a JWK, for the details pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyDetails {
    /// The version's list facts.
    pub item: KeyItem,
    /// Key size or curve, in words (`RSA 2048`, `EC P-256`).
    pub size: String,
    /// The public JWK, pretty-printed JSON.
    pub public_jwk: String,
    /// Activation date.
    pub not_before: Option<String>,
    /// Last change.
    pub updated: String,
    /// Tags.
    pub tags: std::collections::BTreeMap<String, String>,
}

impl KeyDetails {
    pub(crate) fn of(key: KeyBundle) -> Result<Self, crate::CommandError> {
        let jwk = key.jwk(&vault_url(&key.id.vault));
        let public_jwk = serde_json::to_string_pretty(&jwk).map_err(|e| crate::CommandError::new("InternalError", e.to_string()))?;
        Ok(Self {
            size: vaultmort_certs::import::describe_key(key.public.spec()),
            public_jwk,
            not_before: key.attributes.not_before.map(iso),
            updated: iso(key.attributes.updated),
            tags: key.tags.clone(),
            item: key.into(),
        })
    }
}
