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

/// The key families the desktop's wizards create; [`KeyProtection`] decides software or HSM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum KeyKind {
    /// RSA (`size` 2048, 3072 or 4096).
    #[serde(rename = "RSA")]
    Rsa,
    /// Elliptic curve (`curve` P-256, P-384, P-521 or P-256K).
    #[serde(rename = "EC")]
    Ec,
}

/// Where a key's private half lives: "Protection" in the key wizards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum KeyProtection {
    /// In the vault's store, encrypted under the master key (`RSA`, `EC`).
    #[default]
    Software,
    /// In the home's HSM, never leaving it (`RSA-HSM`, `EC-HSM`); premium vaults only.
    Hsm,
}

impl KeyKind {
    /// The JWK key type of a key of this kind with `protection`.
    pub(crate) fn key_type(self, protection: KeyProtection) -> vaultmort_crypto::KeyType {
        use vaultmort_crypto::KeyType;
        match (self, protection) {
            (KeyKind::Rsa, KeyProtection::Software) => KeyType::Rsa,
            (KeyKind::Ec, KeyProtection::Software) => KeyType::Ec,
            (KeyKind::Rsa, KeyProtection::Hsm) => KeyType::RsaHsm,
            (KeyKind::Ec, KeyProtection::Hsm) => KeyType::EcHsm,
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
    /// Software (the default when null) or HSM: `RSA` becomes `RSA-HSM`, `EC` becomes `EC-HSM`.
    #[serde(default)]
    pub protection: Option<KeyProtection>,
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

/// The file an imported key comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum KeyFileFormat {
    /// A private JSON Web Key (RSA or EC, with every private member).
    Jwk,
    /// A PKCS#8 private key in PEM: `PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` with a password.
    Pem,
    /// A `.byok` key-transfer file wrapped for one of the vault's key-exchange keys; it always
    /// becomes an `RSA-HSM` key.
    Byok,
}

/// What `import_key` needs: the key's file and how to keep it.
#[derive(Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportKeyInput {
    /// Key name.
    pub name: String,
    /// What `data` holds.
    pub format: KeyFileFormat,
    /// The file's bytes (or the pasted JWK text), base64.
    pub data: String,
    /// The password of an encrypted PEM key; null otherwise.
    #[serde(default)]
    pub password: Option<String>,
    /// Software (the default when null) or HSM; a BYOK file always lands in the HSM.
    #[serde(default)]
    pub protection: Option<KeyProtection>,
    /// Permitted operations; the JWK's own `key_ops`, else the type's defaults, when null.
    #[serde(default)]
    pub key_ops: Option<Vec<String>>,
    /// Enabled; true when null.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Activation date (ISO-8601), or null.
    #[serde(default)]
    pub not_before: Option<String>,
    /// Expiry (ISO-8601), or null.
    #[serde(default)]
    pub expires: Option<String>,
    /// Tags, at most 15.
    #[serde(default)]
    pub tags: Option<std::collections::BTreeMap<String, String>>,
}

impl std::fmt::Debug for ImportKeyInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key's bytes and the password stay out of logs.
        f.debug_struct("ImportKeyInput")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("protection", &self.protection)
            .finish_non_exhaustive()
    }
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
