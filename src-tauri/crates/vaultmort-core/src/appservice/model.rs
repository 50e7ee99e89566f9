//! The records of App Service practice, as Azure's resources show them (camelCase JSON), and how
//! they are kept: each is a [`ResourceRecord`] under its resource id.

use std::net::Ipv4Addr;

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::storage::{ResourceKind, ResourceRecord, Transaction};
use crate::{Error, Result};

/// The domain under which every web app gets its default host name, `<app>.azurewebsites.localhost`
/// (Azure's `azurewebsites.net`, moved under `localhost` so that it resolves to this machine).
pub const DEFAULT_HOST_SUFFIX: &str = "azurewebsites.localhost";

/// The address every practice web app answers on (its "inbound IP address"): the front end listens
/// on loopback, so an A record for a custom domain points here.
pub const PRACTICE_INBOUND_ADDRESS: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// How often App Service looks for a new version of a Key Vault certificate: every 24 hours.
pub fn sync_interval() -> Duration {
    Duration::hours(24)
}

/// What an App Service plan's pricing tier allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PlanTier {
    /// F1: no custom domains, no SSL bindings.
    Free,
    /// D1: custom domains, but no SSL bindings.
    Shared,
    /// B1-B3: custom domains and SNI SSL.
    Basic,
    /// S1-S3.
    Standard,
    /// P1v2 and up.
    Premium,
}

impl PlanTier {
    /// Whether web apps on this tier may have custom domains (Shared and up, as in Azure).
    pub fn allows_custom_domains(self) -> bool {
        self >= PlanTier::Shared
    }

    /// Whether web apps on this tier may have SSL bindings (Basic and up, as in Azure).
    pub fn allows_ssl_bindings(self) -> bool {
        self >= PlanTier::Basic
    }
}

/// Parses a plan SKU as az accepts it (`F1`, `FREE`, `D1`, `SHARED`, `B1`..`B3`, `S1`..`S3`,
/// `P1V2`.., `P0V3`.., `P1MV3`..) into its canonical name and tier.
pub fn parse_sku(text: &str) -> Result<(String, PlanTier)> {
    let upper = text.trim().to_ascii_uppercase();
    let tier = match upper.as_str() {
        "F1" | "FREE" => return Ok(("F1".into(), PlanTier::Free)),
        "D1" | "SHARED" => return Ok(("D1".into(), PlanTier::Shared)),
        "B1" | "B2" | "B3" => PlanTier::Basic,
        "S1" | "S2" | "S3" => PlanTier::Standard,
        "P1V2" | "P2V2" | "P3V2" | "P0V3" | "P1V3" | "P2V3" | "P3V3" | "P1MV3" | "P2MV3" | "P3MV3" | "P4MV3" | "P5MV3" => PlanTier::Premium,
        _ => {
            return Err(Error::bad(format!(
                "'{text}' is not an App Service plan SKU; use F1 (free), D1 (shared), B1-B3 (basic), S1-S3 (standard) or P1V2-P3V3 (premium)"
            )));
        }
    };
    Ok((upper, tier))
}

/// An App Service plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppServicePlan {
    /// Resource id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Subscription id.
    pub subscription_id: String,
    /// Resource group name.
    pub resource_group: String,
    /// Location (the resource group's).
    pub location: String,
    /// The SKU name (`B1`).
    pub sku: String,
    /// What the SKU allows.
    pub tier: PlanTier,
    /// When it was made.
    pub created: DateTime<Utc>,
}

/// The lowest TLS version a site accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MinTlsVersion {
    /// TLS 1.2 (Azure's default).
    #[default]
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3 only.
    #[serde(rename = "1.3")]
    Tls13,
}

impl MinTlsVersion {
    /// As az writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            MinTlsVersion::Tls12 => "1.2",
            MinTlsVersion::Tls13 => "1.3",
        }
    }
}

impl std::str::FromStr for MinTlsVersion {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim() {
            "1.2" => Ok(MinTlsVersion::Tls12),
            "1.3" => Ok(MinTlsVersion::Tls13),
            "1.0" | "1.1" => Err(Error::bad(format!(
                "minimum TLS version {text} is not offered: TLS 1.0 and 1.1 are obsolete and Vaultmort's front end speaks only 1.2 and 1.3"
            ))),
            _ => Err(Error::bad(format!("'{text}' is not a TLS version; use 1.2 or 1.3"))),
        }
    }
}

/// Whether a host name's traffic is protected by a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SslState {
    /// No binding: HTTPS presents the default certificate, which does not name the host.
    Disabled,
    /// An SNI SSL binding.
    SniEnabled,
}

/// A custom host name of a web app and its binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostNameBinding {
    /// The host name (lower case).
    pub name: String,
    /// Its SSL state.
    pub ssl_state: SslState,
    /// The bound certificate's thumbprint (follows the certificate when a sync brings a new version).
    pub thumbprint: Option<String>,
    /// The bound certificate's resource id.
    pub certificate_id: Option<String>,
}

/// A web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebApp {
    /// Resource id.
    pub id: String,
    /// Name (unique across the installation, as web app names are across Azure).
    pub name: String,
    /// Subscription id.
    pub subscription_id: String,
    /// Resource group name.
    pub resource_group: String,
    /// Location (the plan's).
    pub location: String,
    /// The plan's resource id.
    pub server_farm_id: String,
    /// `<name>.azurewebsites.localhost`.
    pub default_host_name: String,
    /// The value an `asuid.<host>` TXT record must hold to prove the domain is the owner's.
    pub custom_domain_verification_id: String,
    /// The address an A record of a custom domain points to.
    pub inbound_ip_address: Ipv4Addr,
    /// Whether HTTP is redirected to HTTPS.
    pub https_only: bool,
    /// The lowest TLS version accepted.
    pub min_tls_version: MinTlsVersion,
    /// Custom host names, with their bindings.
    pub host_names: Vec<HostNameBinding>,
    /// When it was made.
    pub created: DateTime<Utc>,
}

impl WebApp {
    /// The custom host name `host`, if the app has it.
    pub fn host_name(&self, host: &str) -> Option<&HostNameBinding> {
        self.host_names.iter().find(|h| h.name.eq_ignore_ascii_case(host))
    }
}

/// Where an App Service certificate came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum CertificateSource {
    /// A PFX file uploaded with its password.
    Upload,
    /// A Key Vault certificate's secret, read as the App Service resource provider and synced.
    KeyVault {
        /// The vault's resource id.
        key_vault_id: String,
        /// The vault's name.
        vault_name: String,
        /// The secret's name (the certificate's name).
        secret_name: String,
        /// The secret version now held.
        secret_version: String,
    },
}

/// The outcome of the last look at a Key Vault certificate, with Azure's
/// `keyVaultSecretStatus` words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// `Succeeded`, or what went wrong (`AzureServiceUnauthorizedToAccessKeyVault`,
    /// `KeyVaultSecretDoesNotExist`, `KeyVaultSecretDisabled`, `KeyVaultFirewallBlocked`,
    /// `KeyVaultDoesNotExist`, `InvalidSecretContent`).
    pub key_vault_secret_status: String,
    /// A sentence for the person, when it failed.
    pub message: Option<String>,
    /// When it was last looked at.
    pub last_attempt: DateTime<Utc>,
    /// When it last succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// When the next automatic look is due.
    pub next_sync: DateTime<Utc>,
}

/// An App Service certificate (public facts; its private key and chain are sealed beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebCertificate {
    /// Resource id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Subscription id.
    pub subscription_id: String,
    /// Resource group name.
    pub resource_group: String,
    /// SHA-1 of the leaf, upper-case hex, as App Service shows it.
    pub thumbprint: String,
    /// The leaf's subject common name (or its subject when it has none).
    pub subject_name: String,
    /// The DNS names it covers (SANs, or the common name when it has no SAN).
    pub host_names: Vec<String>,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// The serial number, upper-case hex.
    pub serial_number: String,
    /// Not before.
    pub issue_date: DateTime<Utc>,
    /// Not after.
    pub expiration_date: DateTime<Utc>,
    /// Upload or Key Vault.
    pub source: CertificateSource,
    /// For Key Vault certificates: the last sync.
    pub sync: Option<SyncStatus>,
    /// When it was made.
    pub created: DateTime<Utc>,
}

/// A DNS record type the practice zones hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// Canonical name.
    #[serde(rename = "CNAME")]
    Cname,
    /// Text.
    #[serde(rename = "TXT")]
    Txt,
}

impl RecordType {
    /// As DNS writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Cname => "CNAME",
            RecordType::Txt => "TXT",
        }
    }
}

impl std::str::FromStr for RecordType {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "A" => Ok(RecordType::A),
            "CNAME" => Ok(RecordType::Cname),
            "TXT" => Ok(RecordType::Txt),
            _ => Err(Error::bad(format!("'{text}' is not a record type practice DNS holds; use A, CNAME or TXT"))),
        }
    }
}

/// The records of one name and type in a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordSet {
    /// The name relative to the zone (`www`, `asuid.www`, `@` for the apex).
    pub name: String,
    /// The type.
    #[serde(rename = "type")]
    pub record_type: RecordType,
    /// Time to live, in seconds.
    pub ttl: u32,
    /// The values (addresses, one canonical name, texts).
    pub values: Vec<String>,
}

/// A practice DNS zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsZone {
    /// Resource id.
    pub id: String,
    /// The zone's domain (`petdash.com`).
    pub name: String,
    /// Subscription id.
    pub subscription_id: String,
    /// Resource group name.
    pub resource_group: String,
    /// Its record sets, by name then type.
    pub record_sets: Vec<RecordSet>,
    /// When it was made.
    pub created: DateTime<Utc>,
}

impl DnsZone {
    /// The record set of `name` and `record_type`, if any.
    pub fn record_set(&self, name: &str, record_type: RecordType) -> Option<&RecordSet> {
        self.record_sets.iter().find(|r| r.record_type == record_type && r.name.eq_ignore_ascii_case(name))
    }
}

/// A resource that sits in a resource group of a subscription, stored as one kind.
pub trait Placed: DeserializeOwned {
    /// The kind it is stored as.
    const KIND: ResourceKind;
    /// Its subscription id.
    fn subscription_id(&self) -> &str;
    /// Its resource group's name.
    fn resource_group(&self) -> &str;
}

macro_rules! placed {
    ($($ty:ty => $kind:expr),+) => {$(
        impl Placed for $ty {
            const KIND: ResourceKind = $kind;
            fn subscription_id(&self) -> &str {
                &self.subscription_id
            }
            fn resource_group(&self) -> &str {
                &self.resource_group
            }
        }
    )+};
}
placed!(AppServicePlan => ResourceKind::AppServicePlan, WebApp => ResourceKind::WebApp, WebCertificate => ResourceKind::WebCertificate, DnsZone => ResourceKind::DnsZone);

impl SyncStatus {
    /// A look at the vault that succeeded at `now`; the next is due a sync interval later.
    pub fn succeeded(now: DateTime<Utc>) -> Self {
        Self {
            key_vault_secret_status: "Succeeded".into(),
            message: None,
            last_attempt: now,
            last_success: Some(now),
            next_sync: now + sync_interval(),
        }
    }
}

/// The resource id of a resource of `provider_type` (`Microsoft.Web/sites`) in a group.
pub fn resource_id(subscription_id: &str, resource_group: &str, provider_type: &str, name: &str) -> String {
    format!("/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/{provider_type}/{name}")
}

/// Reads a stored resource of `kind` as `T`.
pub(crate) async fn load<T: DeserializeOwned>(tx: &mut dyn Transaction, kind: ResourceKind, id: &str) -> Result<Option<T>> {
    match tx.resource_get(kind, id).await? {
        Some(record) => Ok(Some(decode(&record)?)),
        None => Ok(None),
    }
}

/// Every stored resource of `kind` as `T`.
pub(crate) async fn load_all<T: DeserializeOwned>(tx: &mut dyn Transaction, kind: ResourceKind) -> Result<Vec<T>> {
    tx.resource_list(kind).await?.iter().map(decode).collect()
}

/// The record's body as `T`.
pub(crate) fn decode<T: DeserializeOwned>(record: &ResourceRecord) -> Result<T> {
    serde_json::from_value(record.body.clone())
        .map_err(|e| Error::Integrity(format!("stored {} '{}' does not read: {e}", record.kind.as_str(), record.name)))
}

/// Writes `value` as the resource `id` of `kind`, with `sealed` content if it has any.
pub(crate) async fn save<T: Serialize>(
    tx: &mut dyn Transaction,
    kind: ResourceKind,
    id: &str,
    name: &str,
    value: &T,
    sealed: Option<Vec<u8>>,
) -> Result<()> {
    let body = serde_json::to_value(value).map_err(|e| Error::Integrity(format!("{} '{name}' does not encode: {e}", kind.as_str())))?;
    tx.resource_put(&ResourceRecord { kind, id: id.to_string(), name: name.to_string(), body, sealed }).await?;
    Ok(())
}

/// Removes every App Service and DNS resource of a resource group (its deletion takes them, as
/// deleting a group in Azure deletes what is in it). Returns how many went.
pub(crate) async fn delete_in_group(tx: &mut dyn Transaction, subscription_id: &str, resource_group: &str) -> Result<usize> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Placement {
        subscription_id: String,
        resource_group: String,
    }
    let mut removed = 0;
    for kind in [ResourceKind::WebApp, ResourceKind::WebCertificate, ResourceKind::AppServicePlan, ResourceKind::DnsZone] {
        for record in tx.resource_list(kind).await? {
            let placement: Placement = decode(&record)?;
            if placement.subscription_id == subscription_id && placement.resource_group.eq_ignore_ascii_case(resource_group) {
                tx.resource_delete(kind, &record.id).await?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}
