//! The certificate issuers and contacts a vault record holds. The operations on them are in
//! [`crate::issuers`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An administrator of an issuer account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminDetail {
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email.
    pub email: String,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A certificate issuer as stored with its vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuerRecord {
    /// Issuer name.
    pub name: String,
    /// Provider (`VaultmortPractice`, `DigiCert`, `GlobalSign`, ...).
    pub provider: String,
    /// Account id.
    #[serde(default)]
    pub account_id: Option<String>,
    /// The password, sealed, base64 (never shown).
    #[serde(default)]
    pub sealed_password: Option<String>,
    /// Organization id.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Administrators.
    #[serde(default)]
    pub admin_details: Vec<AdminDetail>,
    /// Whether it may be used.
    pub enabled: bool,
    /// Created.
    pub created: DateTime<Utc>,
    /// Updated.
    pub updated: DateTime<Utc>,
}

/// A certificate contact of a vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// Email address.
    pub email: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}
