//! What crosses the IPC boundary: the command inputs and views, shaped for the UI.
//!
//! These are the app's own types, not the core's: names in camelCase, dates as ISO-8601 strings
//! (UTC, whole seconds), bytes as base64, numbers that fit a JavaScript number (specta refuses
//! 64-bit integers). Each view is built from the core's type in one `From`/constructor here, so
//! the command functions stay one-liners. Inputs only deserialize and views only serialize. An
//! `Option` is `T | null` in TypeScript: a key always present in views, which inputs may also
//! leave out. Left out: secret values in list views (only `reveal_secret` returns a value) and
//! private key material (the core never returns it).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_core::ObjectKind;
use vaultmort_core::address::vault_url;
use vaultmort_core::certificates::CertificateBundle;
use vaultmort_core::keys::KeyBundle;
use vaultmort_core::lifecycle::ObjectBundle;
use vaultmort_core::model::{ResourceGroup, Sku, Vault};
use vaultmort_core::objects::ObjectId;
use vaultmort_core::secrets::SecretBundle;
use zeroize::Zeroizing;

/// An ISO-8601 UTC time, `2026-11-29T10:00:00Z`.
pub(crate) fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn object_url(id: &ObjectId) -> String {
    id.url(&vault_url(&id.vault))
}

/// Whether the store is open, and if not, what the UI must ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    /// The store is open: data commands work.
    pub unlocked: bool,
    /// The store is under a passphrase and waits for `unlock`.
    pub needs_passphrase: bool,
    /// There is no store yet: `unlock` creates it with the passphrase given (ask twice, compare).
    pub first_run: bool,
    /// The home folder, to show the person where their data lives.
    pub home: String,
}

/// A resource group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    /// Its name.
    pub name: String,
    /// Its location, lower case (`westeurope`).
    pub location: String,
}

impl From<ResourceGroup> for GroupView {
    fn from(group: ResourceGroup) -> Self {
        Self { name: group.name, location: group.location }
    }
}

/// A vault's pricing tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum SkuName {
    /// Software-protected keys.
    Standard,
    /// Software- and HSM-protected keys.
    Premium,
}

impl From<Sku> for SkuName {
    fn from(sku: Sku) -> Self {
        match sku {
            Sku::Standard => Self::Standard,
            Sku::Premium => Self::Premium,
        }
    }
}

impl From<SkuName> for Sku {
    fn from(sku: SkuName) -> Self {
        match sku {
            SkuName::Standard => Sku::Standard,
            SkuName::Premium => Sku::Premium,
        }
    }
}

/// A key vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VaultView {
    /// Vault name.
    pub name: String,
    /// The resource group it is in.
    pub resource_group: String,
    /// Location.
    pub location: String,
    /// Pricing tier.
    pub sku: SkuName,
    /// Days a deleted object stays recoverable.
    pub retention_days: u32,
    /// Whether purge protection is on (it cannot be turned off).
    pub purge_protection: bool,
    /// Whether the data plane uses Azure RBAC instead of access policies.
    pub rbac_authorization: bool,
    /// Whether the REST API throttles this vault like Key Vault's service limits.
    pub practice_throttling: bool,
    /// `https://<vault>.localhost:<port>/`.
    pub vault_uri: String,
    /// The Azure resource id (the scope of role assignments on the vault).
    pub resource_id: String,
    /// Creation time.
    pub created: String,
}

impl From<Vault> for VaultView {
    fn from(vault: Vault) -> Self {
        Self {
            vault_uri: format!("{}/", vault_url(&vault.name)),
            resource_id: vault.resource_id(),
            name: vault.name,
            resource_group: vault.resource_group,
            location: vault.location,
            sku: vault.sku.into(),
            retention_days: vault.soft_delete_retention_days,
            purge_protection: vault.purge_protection,
            rbac_authorization: vault.rbac_authorization,
            practice_throttling: vault.practice_throttling,
            created: iso(vault.created),
        }
    }
}

/// What `create_vault` needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateVaultInput {
    /// Vault name (3 to 24 letters, digits and hyphens; see `check_vault_name`).
    pub name: String,
    /// An existing resource group.
    pub resource_group: String,
    /// Location; the resource group's when null.
    pub location: Option<String>,
    /// Pricing tier.
    pub sku: SkuName,
    /// Soft-delete retention, 7 to 90 days.
    pub retention_days: u32,
    /// Turn purge protection on.
    pub purge_protection: bool,
}

/// A secret's newest version, without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SecretItem {
    /// Secret name.
    pub name: String,
    /// The version's id URL.
    pub id: String,
    /// The version id (32 hex digits).
    pub version: String,
    /// Whether the version may be read.
    pub enabled: bool,
    /// Content type, free text.
    pub content_type: Option<String>,
    /// Creation time.
    pub created: String,
    /// Last change.
    pub updated: String,
    /// Expiry (informational for secrets).
    pub expires: Option<String>,
}

impl From<SecretBundle> for SecretItem {
    fn from(secret: SecretBundle) -> Self {
        Self {
            id: object_url(&secret.id),
            version: secret.id.version.clone().unwrap_or_default(),
            name: secret.id.name,
            enabled: secret.attributes.enabled,
            content_type: secret.content_type,
            created: iso(secret.attributes.created),
            updated: iso(secret.attributes.updated),
            expires: secret.attributes.expires.map(iso),
        }
    }
}

/// What `set_secret` needs. The value is wiped from memory when the input is dropped.
#[derive(Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SetSecretInput {
    /// Secret name (letters, digits and hyphens).
    pub name: String,
    /// The value, at most 25 KB.
    #[specta(type = String)]
    pub value: Zeroizing<String>,
    /// Content type, free text.
    pub content_type: Option<String>,
}

impl std::fmt::Debug for SetSecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetSecretInput").field("name", &self.name).field("content_type", &self.content_type).finish_non_exhaustive()
    }
}

/// A soft-deleted key, secret or certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeletedItem {
    /// What kind of object.
    pub kind: ObjectKindName,
    /// Its name.
    pub name: String,
    /// When it was deleted.
    pub deleted_date: String,
    /// When it will be purged for good.
    pub scheduled_purge_date: String,
}

impl DeletedItem {
    /// The view of a deleted object; `None` for one that is not deleted.
    pub(crate) fn of(object: &ObjectBundle) -> Option<Self> {
        let deleted = object.deleted()?;
        Some(Self {
            kind: object.kind().into(),
            name: object.id().name.clone(),
            deleted_date: iso(deleted.deleted_date),
            scheduled_purge_date: iso(deleted.scheduled_purge_date),
        })
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

/// A certificate's newest version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CertificateItem {
    /// Certificate name.
    pub name: String,
    /// Subject, RFC 4514 (`CN=www.contoso.com`).
    pub subject: String,
    /// SHA-1 thumbprint, upper-case hex (as the portal shows it).
    pub thumbprint: String,
    /// Start of validity.
    pub not_before: String,
    /// End of validity.
    pub expires: String,
    /// Whether the version may be used.
    pub enabled: bool,
}

impl From<CertificateBundle> for CertificateItem {
    fn from(certificate: CertificateBundle) -> Self {
        let attributes = &certificate.attributes;
        Self {
            thumbprint: hex::encode_upper(&certificate.x5t),
            // A certificate version's attributes always carry its validity; fall back to the
            // creation time rather than fail a whole listing.
            not_before: iso(attributes.not_before.unwrap_or(attributes.created)),
            expires: iso(attributes.expires.unwrap_or(attributes.created)),
            enabled: attributes.enabled,
            name: certificate.id.name,
            subject: certificate.subject,
        }
    }
}

/// What `create_self_signed_certificate` needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SelfSignedInput {
    /// Certificate name (its key and secret get the same name).
    pub name: String,
    /// Subject, e.g. `CN=www.contoso.com`.
    pub subject: String,
    /// Validity in months, 1 to 1200.
    pub validity_months: u32,
}

/// Which kind of object an expiry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKindName {
    /// A key.
    Key,
    /// A secret.
    Secret,
    /// A certificate.
    Certificate,
}

impl From<ObjectKindName> for ObjectKind {
    fn from(kind: ObjectKindName) -> Self {
        match kind {
            ObjectKindName::Key => ObjectKind::Key,
            ObjectKindName::Secret => ObjectKind::Secret,
            ObjectKindName::Certificate => ObjectKind::Certificate,
        }
    }
}

impl From<ObjectKind> for ObjectKindName {
    fn from(kind: ObjectKind) -> Self {
        match kind {
            ObjectKind::Key => ObjectKindName::Key,
            ObjectKind::Secret => ObjectKindName::Secret,
            ObjectKind::Certificate => ObjectKindName::Certificate,
        }
    }
}

/// An object whose newest version expires soon (or has expired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringItem {
    /// The vault it is in.
    pub vault: String,
    /// Key, secret or certificate.
    pub kind: ObjectKindName,
    /// Its name.
    pub name: String,
    /// Its expiry.
    pub expires: String,
    /// Whole days from now (the installation's clock) to the expiry; negative once expired.
    pub days_left: i32,
}

impl From<vaultmort_core::expiring::ExpiringItem> for ExpiringItem {
    fn from(item: vaultmort_core::expiring::ExpiringItem) -> Self {
        Self {
            vault: item.vault,
            kind: item.kind.into(),
            name: item.name,
            expires: iso(item.expires),
            // Clamped to what an `i32` holds: only a date millions of years away is cut short.
            days_left: i32::try_from(item.days_left).unwrap_or(if item.days_left < 0 { i32::MIN } else { i32::MAX }),
        }
    }
}

/// A kind of object the caller may not list in a vault, and the refusal it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CollectionRefusalView {
    /// Keys, secrets or certificates.
    pub kind: ObjectKindName,
    /// The refusal, as any failed command reports it.
    pub error: crate::CommandError,
}

/// A vault the caller can see but could not read, wholly or in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnreadableVaultView {
    /// The vault's name.
    pub vault: String,
    /// One refusal per kind of object that could not be listed.
    pub refusals: Vec<CollectionRefusalView>,
}

/// What `expiring_soon` returns: the objects, soonest first, and the vaults it could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringReportView {
    /// Objects whose newest version expires within the window (or has expired), soonest first.
    pub items: Vec<ExpiringItem>,
    /// Vaults whose keys, secrets or certificates the signed-in principal may not list.
    pub unreadable: Vec<UnreadableVaultView>,
}

impl From<vaultmort_core::expiring::ExpiringReport> for ExpiringReportView {
    fn from(report: vaultmort_core::expiring::ExpiringReport) -> Self {
        let unreadable = report.unreadable.into_iter().map(|vault| UnreadableVaultView {
            vault: vault.vault,
            refusals: vault
                .refusals
                .into_iter()
                .map(|refusal| CollectionRefusalView { kind: refusal.kind.into(), error: refusal.error.into() })
                .collect(),
        });
        Self { items: report.items.into_iter().map(ExpiringItem::from).collect(), unreadable: unreadable.collect() }
    }
}

/// Parses an optional ISO-8601 time from the UI (`2026-11-29T10:00:00Z` or with an offset).
pub(crate) fn parse_time(field: &str, text: Option<&str>) -> Result<Option<DateTime<Utc>>, crate::CommandError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    DateTime::parse_from_rfc3339(text).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
        crate::CommandError::bad_parameter(format!("the {field} '{text}' is not a date and time such as 2026-12-31T23:59:00Z"))
    })
}

/// A version's editable attributes, as the edit form sends them: the whole desired state (a
/// null date clears it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AttributesInput {
    /// Whether the version may be used.
    pub enabled: bool,
    /// Activation date, or null for none.
    pub not_before: Option<String>,
    /// Expiry, or null for none.
    pub expires: Option<String>,
}

impl AttributesInput {
    /// The core's change set: every attribute set to the form's value.
    pub(crate) fn changes(&self) -> Result<vaultmort_core::model::AttributeChanges, crate::CommandError> {
        Ok(vaultmort_core::model::AttributeChanges {
            enabled: Some(self.enabled),
            not_before: Some(parse_time("activation date", self.not_before.as_deref())?),
            expires: Some(parse_time("expiry", self.expires.as_deref())?),
            tags: None,
        })
    }
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

/// A secret version's details (no value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SecretDetails {
    /// The version's list facts.
    pub item: SecretItem,
    /// Activation date.
    pub not_before: Option<String>,
    /// Tags.
    pub tags: std::collections::BTreeMap<String, String>,
    /// Whether a certificate manages this secret (then it is read-only here).
    pub managed: bool,
}

impl From<SecretBundle> for SecretDetails {
    fn from(secret: SecretBundle) -> Self {
        Self { not_before: secret.attributes.not_before.map(iso), tags: secret.tags.clone(), managed: secret.managed, item: secret.into() }
    }
}

/// Where a download went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SavedFile {
    /// The file written.
    pub path: String,
    /// How many bytes.
    pub bytes: u32,
}
