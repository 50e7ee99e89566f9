//! What crosses the IPC boundary for the App Services blade: plans, web apps with their custom
//! domains and bindings, practice DNS zones, App Service certificates with their Key Vault sync
//! status, and the local HTTPS front end with the certificate it presents for each host name.
//!
//! Enums the core parses from text (SKU, TLS version, record type) arrive as the UI's closed
//! choices and are turned into the core's types here; the rules about them (which tier allows
//! what, which records verify a domain) stay in the core. Left out: private keys and PFX
//! passwords in any view (an upload's password only goes in).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_appservice::{CertificateOrigin, ServedNow};
use vaultmort_core::appservice::dns::{ExpectedRecord, HostNameCheck, RecordChange, RecordChangeMode};
use vaultmort_core::appservice::{
    AppServicePlan, CertificateSource, DnsZone, HostNameBinding, MinTlsVersion, PlanTier, RecordSet, RecordType, SslState, SyncStatus,
    WebApp, WebCertificate,
};

use super::iso;

/// An App Service plan's pricing tier, by what it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum PlanTierName {
    /// F1: no custom domains, no SSL bindings.
    Free,
    /// D1: custom domains, no SSL bindings.
    Shared,
    /// B1-B3: custom domains and SNI SSL.
    Basic,
    /// S1-S3.
    Standard,
    /// P1v2 and up.
    Premium,
}

impl From<PlanTier> for PlanTierName {
    fn from(tier: PlanTier) -> Self {
        match tier {
            PlanTier::Free => PlanTierName::Free,
            PlanTier::Shared => PlanTierName::Shared,
            PlanTier::Basic => PlanTierName::Basic,
            PlanTier::Standard => PlanTierName::Standard,
            PlanTier::Premium => PlanTierName::Premium,
        }
    }
}

/// An App Service plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppServicePlanView {
    /// Resource id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// Location.
    pub location: String,
    /// SKU (`B1`).
    pub sku: String,
    /// What the SKU allows.
    pub tier: PlanTierName,
    /// Whether its web apps may have custom domains.
    pub allows_custom_domains: bool,
    /// Whether its web apps may have SSL bindings.
    pub allows_ssl_bindings: bool,
    /// When it was made.
    pub created: String,
}

impl From<AppServicePlan> for AppServicePlanView {
    fn from(p: AppServicePlan) -> Self {
        Self {
            id: p.id,
            name: p.name,
            resource_group: p.resource_group,
            location: p.location,
            sku: p.sku,
            allows_custom_domains: p.tier.allows_custom_domains(),
            allows_ssl_bindings: p.tier.allows_ssl_bindings(),
            tier: p.tier.into(),
            created: iso(p.created),
        }
    }
}

/// The lowest TLS version a site accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum TlsVersionName {
    /// TLS 1.2.
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3.
    #[serde(rename = "1.3")]
    Tls13,
}

impl From<MinTlsVersion> for TlsVersionName {
    fn from(v: MinTlsVersion) -> Self {
        match v {
            MinTlsVersion::Tls12 => TlsVersionName::Tls12,
            MinTlsVersion::Tls13 => TlsVersionName::Tls13,
        }
    }
}

impl From<TlsVersionName> for MinTlsVersion {
    fn from(v: TlsVersionName) -> Self {
        match v {
            TlsVersionName::Tls12 => MinTlsVersion::Tls12,
            TlsVersionName::Tls13 => MinTlsVersion::Tls13,
        }
    }
}

/// A custom host name of a web app and its binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HostNameView {
    /// The host name.
    pub name: String,
    /// Whether an SNI SSL binding protects it.
    pub sni_enabled: bool,
    /// The bound certificate's thumbprint.
    pub thumbprint: Option<String>,
}

impl From<HostNameBinding> for HostNameView {
    fn from(b: HostNameBinding) -> Self {
        Self { name: b.name, sni_enabled: b.ssl_state == SslState::SniEnabled, thumbprint: b.thumbprint }
    }
}

/// A web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WebAppView {
    /// Resource id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// Location.
    pub location: String,
    /// The plan's name.
    pub plan: String,
    /// `<name>.azurewebsites.localhost`.
    pub default_host_name: String,
    /// What an `asuid.<host>` TXT record must hold.
    pub custom_domain_verification_id: String,
    /// Where an A record of a custom domain points.
    pub inbound_ip_address: String,
    /// Whether HTTP is redirected to HTTPS.
    pub https_only: bool,
    /// The lowest TLS version accepted.
    pub min_tls_version: TlsVersionName,
    /// Custom host names with their bindings.
    pub host_names: Vec<HostNameView>,
    /// When it was made.
    pub created: String,
}

impl From<WebApp> for WebAppView {
    fn from(a: WebApp) -> Self {
        let plan = a.server_farm_id.rsplit('/').next().unwrap_or_default().to_string();
        Self {
            id: a.id,
            name: a.name,
            resource_group: a.resource_group,
            location: a.location,
            plan,
            default_host_name: a.default_host_name,
            custom_domain_verification_id: a.custom_domain_verification_id,
            inbound_ip_address: a.inbound_ip_address.to_string(),
            https_only: a.https_only,
            min_tls_version: a.min_tls_version.into(),
            host_names: a.host_names.into_iter().map(HostNameView::from).collect(),
            created: iso(a.created),
        }
    }
}

/// Site settings to change; null leaves one as it is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WebAppSettingsInput {
    /// HTTPS Only.
    pub https_only: Option<bool>,
    /// The lowest TLS version accepted.
    pub min_tls_version: Option<TlsVersionName>,
}

/// A DNS record type practice zones hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum RecordTypeName {
    /// IPv4 address.
    A,
    /// Canonical name.
    #[serde(rename = "CNAME")]
    Cname,
    /// Text.
    #[serde(rename = "TXT")]
    Txt,
}

impl From<RecordType> for RecordTypeName {
    fn from(t: RecordType) -> Self {
        match t {
            RecordType::A => RecordTypeName::A,
            RecordType::Cname => RecordTypeName::Cname,
            RecordType::Txt => RecordTypeName::Txt,
        }
    }
}

impl From<RecordTypeName> for RecordType {
    fn from(t: RecordTypeName) -> Self {
        match t {
            RecordTypeName::A => RecordType::A,
            RecordTypeName::Cname => RecordType::Cname,
            RecordTypeName::Txt => RecordType::Txt,
        }
    }
}

/// How a record change applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum RecordChangeModeName {
    /// Adds a value to the set.
    Add,
    /// Replaces the set's values with this one (the way to set a CNAME).
    Set,
    /// Removes a value.
    Remove,
}

/// A change to one record set of a zone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordChangeInput {
    /// The name relative to the zone (`www`, `asuid.www`, `@`).
    pub name: String,
    /// The type.
    pub record_type: RecordTypeName,
    /// The value (an IPv4 address, a host name, a text).
    pub value: String,
    /// Time to live in seconds; 3600 when null.
    pub ttl: Option<u32>,
    /// Add, set or remove.
    pub mode: RecordChangeModeName,
}

impl From<RecordChangeInput> for RecordChange {
    fn from(c: RecordChangeInput) -> Self {
        Self {
            name: c.name,
            record_type: c.record_type.into(),
            value: c.value,
            ttl: c.ttl,
            mode: match c.mode {
                RecordChangeModeName::Add => RecordChangeMode::Add,
                RecordChangeModeName::Set => RecordChangeMode::Set,
                RecordChangeModeName::Remove => RecordChangeMode::Remove,
            },
        }
    }
}

/// The records of one name and type in a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordSetView {
    /// The name relative to the zone.
    pub name: String,
    /// The type.
    pub record_type: RecordTypeName,
    /// Time to live, in seconds.
    pub ttl: u32,
    /// The values.
    pub values: Vec<String>,
}

impl From<RecordSet> for RecordSetView {
    fn from(r: RecordSet) -> Self {
        Self { name: r.name, record_type: r.record_type.into(), ttl: r.ttl, values: r.values }
    }
}

/// A practice DNS zone with its record sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DnsZoneView {
    /// Resource id.
    pub id: String,
    /// The zone's domain.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// Its record sets.
    pub record_sets: Vec<RecordSetView>,
    /// When it was made.
    pub created: String,
}

impl From<DnsZone> for DnsZoneView {
    fn from(z: DnsZone) -> Self {
        Self {
            id: z.id,
            name: z.name,
            resource_group: z.resource_group,
            record_sets: z.record_sets.into_iter().map(RecordSetView::from).collect(),
            created: iso(z.created),
        }
    }
}

/// One record App Service looks for before it adds a custom domain, and whether it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedRecordView {
    /// `ownership` (the TXT record) or `routing` (the CNAME or the A record; one is enough).
    pub purpose: String,
    /// The zone it belongs in, if a zone holds the host name.
    pub zone: Option<String>,
    /// The name relative to that zone (`asuid.www`).
    pub name: String,
    /// The type.
    pub record_type: RecordTypeName,
    /// The value it must hold.
    pub value: String,
    /// Whether the zone holds it.
    pub present: bool,
}

impl From<ExpectedRecord> for ExpectedRecordView {
    fn from(r: ExpectedRecord) -> Self {
        Self { purpose: r.purpose, zone: r.zone, name: r.name, record_type: r.record_type.into(), value: r.value, present: r.present }
    }
}

/// App Service's domain check of one host name for one web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HostNameCheckView {
    /// The host name checked.
    pub host_name: String,
    /// The zone holding it, if any.
    pub zone: Option<String>,
    /// The TXT record, then the CNAME and A alternatives.
    pub records: Vec<ExpectedRecordView>,
    /// Whether the host name may be added now.
    pub verified: bool,
}

impl From<HostNameCheck> for HostNameCheckView {
    fn from(c: HostNameCheck) -> Self {
        Self {
            host_name: c.host_name,
            zone: c.zone,
            records: c.records.into_iter().map(ExpectedRecordView::from).collect(),
            verified: c.verified,
        }
    }
}

/// The last look at a Key Vault certificate (Azure's `keyVaultSecretStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusView {
    /// `Succeeded`, or what went wrong (`AzureServiceUnauthorizedToAccessKeyVault`, ...).
    pub key_vault_secret_status: String,
    /// A sentence for the person, when it failed.
    pub message: Option<String>,
    /// When it was last looked at.
    pub last_attempt: String,
    /// When it last succeeded.
    pub last_success: Option<String>,
    /// When the next automatic look is due.
    pub next_sync: String,
}

impl From<SyncStatus> for SyncStatusView {
    fn from(s: SyncStatus) -> Self {
        Self {
            key_vault_secret_status: s.key_vault_secret_status,
            message: s.message,
            last_attempt: iso(s.last_attempt),
            last_success: s.last_success.map(iso),
            next_sync: iso(s.next_sync),
        }
    }
}

/// An App Service certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WebCertificateView {
    /// Resource id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    /// The subject's common name.
    pub subject_name: String,
    /// The DNS names it covers.
    pub host_names: Vec<String>,
    /// The issuer.
    pub issuer: String,
    /// Serial number, upper-case hex.
    pub serial_number: String,
    /// Not before.
    pub issue_date: String,
    /// Not after.
    pub expiration_date: String,
    /// `upload` or `keyVault`.
    pub source: String,
    /// For a Key Vault certificate: the vault's name.
    pub key_vault: Option<String>,
    /// For a Key Vault certificate: the secret's name.
    pub key_vault_secret: Option<String>,
    /// For a Key Vault certificate: the secret version held now.
    pub key_vault_secret_version: Option<String>,
    /// For a Key Vault certificate: the last sync.
    pub sync: Option<SyncStatusView>,
}

impl From<WebCertificate> for WebCertificateView {
    fn from(c: WebCertificate) -> Self {
        let (source, key_vault, key_vault_secret, key_vault_secret_version) = match c.source {
            CertificateSource::Upload => ("upload", None, None, None),
            CertificateSource::KeyVault { vault_name, secret_name, secret_version, .. } => {
                ("keyVault", Some(vault_name), Some(secret_name), Some(secret_version))
            }
        };
        Self {
            id: c.id,
            name: c.name,
            resource_group: c.resource_group,
            thumbprint: c.thumbprint,
            subject_name: c.subject_name,
            host_names: c.host_names,
            issuer: c.issuer,
            serial_number: c.serial_number,
            issue_date: iso(c.issue_date),
            expiration_date: iso(c.expiration_date),
            source: source.to_string(),
            key_vault,
            key_vault_secret,
            key_vault_secret_version,
            sync: c.sync.map(SyncStatusView::from),
        }
    }
}

/// A PFX to upload, read by the page from the file the person chose.
#[derive(Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WebCertificateUploadInput {
    /// The certificate's name; its thumbprint when null.
    pub name: Option<String>,
    /// The PFX's bytes, base64.
    pub data: String,
    /// Its password; none when null.
    pub password: Option<String>,
}

impl std::fmt::Debug for WebCertificateUploadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebCertificateUploadInput").field("name", &self.name).finish_non_exhaustive()
    }
}

/// One host name the front end answers for, with the certificate it presents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServedSiteView {
    /// The host name.
    pub host: String,
    /// The web app.
    pub app: String,
    /// Its resource group.
    pub resource_group: String,
    /// Whether this is the app's default host name.
    pub default_host: bool,
    /// `https://<host>:<port>/`.
    pub url: String,
    /// `bound` (the certificate of its SSL binding) or `default` (the built-in wildcard one).
    pub origin: String,
    /// The presented certificate's SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    /// Its serial number.
    pub serial_number: String,
    /// Its subject's common name.
    pub subject_name: String,
    /// Its expiry.
    pub expires: String,
    /// Whole days left until it expires, by the installation's (shiftable) clock; negative once expired.
    pub days_left: i32,
    /// Why a bound certificate is not presented, when it could not be loaded.
    pub problem: Option<String>,
}

impl ServedSiteView {
    /// `served` as the front end on `https_port` presents it, with days counted from `now`.
    pub(crate) fn of(served: ServedNow, https_port: u16, now: DateTime<Utc>) -> Self {
        let days = served.presented.certificate.days_left(now);
        let facts = served.presented.certificate;
        Self {
            url: format!("https://{}:{https_port}/", served.host),
            host: served.host,
            app: served.app,
            resource_group: served.resource_group,
            default_host: served.default_host,
            origin: match served.presented.origin {
                CertificateOrigin::Bound => "bound",
                CertificateOrigin::Default => "default",
            }
            .to_string(),
            thumbprint: facts.thumbprint,
            serial_number: facts.serial_number,
            subject_name: facts.subject_name,
            expires: iso(facts.expiration_date),
            days_left: i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX }),
            problem: served.problem,
        }
    }
}

/// The front end's state and what it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FrontEndStatus {
    /// Whether it runs.
    pub running: bool,
    /// The address it listens on (always loopback from the app).
    pub address: String,
    /// Its HTTPS port while running.
    pub https_port: Option<u16>,
    /// Its plain HTTP port while running.
    pub http_port: Option<u16>,
    /// The installation's clock now, which the days left are counted from.
    pub now: String,
    /// Every host name served, by app, the default host name first (empty while stopped).
    pub sites: Vec<ServedSiteView>,
}
