//! Secret views and inputs (`commands::secrets`); list views never carry a value.

use super::{iso, object_url};
use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_core::secrets::SecretBundle;
use zeroize::Zeroizing;

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
