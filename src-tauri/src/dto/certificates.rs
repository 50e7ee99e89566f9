//! What crosses the IPC boundary for the certificate wizards: the policy form, pending
//! operations with their CSR, import previews, issuers, contacts and the contacts' outbox.
//!
//! The policy form is the portal's "Create a certificate" page in types: it becomes a
//! [`CertificatePolicy`] here, and the core validates it (the form's own hints are a courtesy).
//! Policies the form cannot show (key usages, EKUs, emails in SANs) are kept as they are when a
//! policy is edited.

use super::{KeyKind, iso};
use crate::error::CommandError;
use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_certs::import::ImportPreview;
use vaultmort_certs::policy::{
    ActionProperties, CertificatePolicy, KeyProperties, LifetimeAction, SecretProperties, SubjectAlternativeNames, TriggerProperties,
};
use vaultmort_core::certificates::{CertificateBundle, CertificateOperation};
use vaultmort_core::issuers::{Contact, Issuer};
use vaultmort_core::renewal::Event;

/// How the certificate's secret holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ContentTypeName {
    /// `application/x-pkcs12`.
    Pfx,
    /// `application/x-pem-file`.
    Pem,
}

/// One lifetime action: what to do, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LifetimeActionForm {
    /// `AutoRenew` or `EmailContacts`.
    pub action: String,
    /// At this percentage of the lifetime (1-99); or
    pub lifetime_percentage: Option<u32>,
    /// this many days before expiry.
    pub days_before_expiry: Option<u32>,
}

/// The certificate policy as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PolicyForm {
    /// `Self`, `Unknown` (a CSR to have signed elsewhere) or the name of one of the vault's issuers.
    pub issuer_name: String,
    /// Subject, e.g. `CN=www.contoso.com`.
    pub subject: String,
    /// DNS names for the subject alternative names.
    pub dns_names: Vec<String>,
    /// Validity in months, 1 to 1200.
    pub validity_months: u32,
    /// Key type.
    pub key_type: KeyKind,
    /// RSA size (2048, 3072, 4096).
    pub key_size: Option<u32>,
    /// EC curve (P-256, P-384, P-521, P-256K).
    pub curve: Option<String>,
    /// Whether the private key may be exported (downloaded as PFX).
    pub exportable: bool,
    /// Whether renewals keep the same key.
    pub reuse_key: bool,
    /// How the secret holds the certificate.
    pub content_type: ContentTypeName,
    /// Lifetime actions.
    pub lifetime_actions: Vec<LifetimeActionForm>,
}

impl PolicyForm {
    /// The policy, starting from `base` (Key Vault's default for a new certificate, the current
    /// policy when editing) so that what the form does not show is kept.
    pub(crate) fn into_policy(self, mut base: CertificatePolicy) -> CertificatePolicy {
        let ec = self.key_type == KeyKind::Ec;
        base.key_props = Some(KeyProperties {
            exportable: Some(self.exportable),
            kty: Some(if ec { "EC" } else { "RSA" }.to_string()),
            key_size: if ec { None } else { Some(i64::from(self.key_size.unwrap_or(2048))) },
            curve: if ec { Some(self.curve.unwrap_or_else(|| "P-256".into())) } else { None },
            reuse_key: Some(self.reuse_key),
        });
        base.secret_props = Some(SecretProperties {
            content_type: Some(
                match self.content_type {
                    ContentTypeName::Pfx => "application/x-pkcs12",
                    ContentTypeName::Pem => "application/x-pem-file",
                }
                .to_string(),
            ),
        });
        let mut x509 = base.x509_props.take().unwrap_or_default();
        x509.subject = Some(self.subject.trim().to_string()).filter(|s| !s.is_empty());
        let dns: Vec<String> = self.dns_names.iter().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect();
        let mut sans = x509.sans.take().unwrap_or_default();
        sans.dns_names = if dns.is_empty() { None } else { Some(dns) };
        x509.sans = if sans == SubjectAlternativeNames::default() { None } else { Some(sans) };
        x509.validity_months = Some(i64::from(self.validity_months));
        // An EC key cannot encipher keys; Key Vault's default usages are RSA's.
        if ec && x509.key_usage.as_ref().is_some_and(|u| u.iter().any(|k| k == "keyEncipherment")) {
            x509.key_usage = Some(vec!["digitalSignature".into()]);
        }
        base.x509_props = Some(x509);
        base.lifetime_actions = Some(
            self.lifetime_actions
                .into_iter()
                .map(|a| LifetimeAction {
                    trigger: Some(TriggerProperties {
                        lifetime_percentage: a.lifetime_percentage.map(i64::from),
                        days_before_expiry: a.days_before_expiry.map(i64::from),
                    }),
                    action: Some(ActionProperties { action_type: Some(a.action) }),
                })
                .collect(),
        );
        let mut issuer = base.issuer.take().unwrap_or_default();
        issuer.name = Some(self.issuer_name);
        base.issuer = Some(issuer);
        base
    }

    /// The form showing `policy`.
    pub(crate) fn of(policy: &CertificatePolicy) -> Result<Self, CommandError> {
        let key = policy.key_props.clone().unwrap_or_default();
        let ec = key.kty.as_deref().is_some_and(|k| k.starts_with("EC"));
        let x509 = policy.x509_props.clone().unwrap_or_default();
        let content_type = match policy.content_type().map_err(vaultmort_core::Error::from)? {
            vaultmort_certs::policy::ContentType::Pem => ContentTypeName::Pem,
            vaultmort_certs::policy::ContentType::Pkcs12 => ContentTypeName::Pfx,
        };
        Ok(Self {
            issuer_name: policy.issuer_name().to_string(),
            subject: x509.subject.unwrap_or_default(),
            dns_names: x509.sans.and_then(|s| s.dns_names).unwrap_or_default(),
            validity_months: policy.validity_months().map_err(vaultmort_core::Error::from)?,
            key_type: if ec { KeyKind::Ec } else { KeyKind::Rsa },
            key_size: if ec { None } else { Some(key.key_size.and_then(|s| u32::try_from(s).ok()).unwrap_or(2048)) },
            curve: if ec { Some(key.curve.unwrap_or_else(|| "P-256".into())) } else { None },
            exportable: policy.exportable(),
            reuse_key: policy.reuse_key(),
            content_type,
            lifetime_actions: policy
                .lifetime_actions
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|a| LifetimeActionForm {
                    action: a.action.and_then(|x| x.action_type).unwrap_or_default(),
                    lifetime_percentage: a.trigger.as_ref().and_then(|t| t.lifetime_percentage).and_then(|p| u32::try_from(p).ok()),
                    days_before_expiry: a.trigger.as_ref().and_then(|t| t.days_before_expiry).and_then(|d| u32::try_from(d).ok()),
                })
                .collect(),
        })
    }
}

/// A certificate version with the facts the details pane shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CertificateDetails {
    /// Name.
    pub name: String,
    /// Version id.
    pub version: String,
    /// Subject.
    pub subject: String,
    /// Issuer's name as written in the certificate.
    pub issuer: String,
    /// Serial number (hex).
    pub serial: String,
    /// SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    /// Start of validity.
    pub not_before: String,
    /// End of validity.
    pub expires: String,
    /// Whether the version may be used.
    pub enabled: bool,
    /// Creation time.
    pub created: String,
    /// Subjects of the chain above the leaf, nearest first.
    pub chain: Vec<String>,
}

impl From<CertificateBundle> for CertificateDetails {
    fn from(c: CertificateBundle) -> Self {
        let attributes = &c.attributes;
        let chain = c
            .chain
            .iter()
            .map(|der| vaultmort_certs::parse::CertificateInfo::from_der(der).map_or_else(|_| "(unreadable)".to_string(), |i| i.subject))
            .collect();
        Self {
            version: c.id.version.clone().unwrap_or_default(),
            thumbprint: hex::encode_upper(&c.x5t),
            not_before: iso(attributes.not_before.unwrap_or(attributes.created)),
            expires: iso(attributes.expires.unwrap_or(attributes.created)),
            enabled: attributes.enabled,
            created: iso(attributes.created),
            name: c.id.name,
            subject: c.subject,
            issuer: c.issuer,
            serial: c.serial,
            chain,
        }
    }
}

/// A certificate operation: done at once (Self, a CA) or pending with a CSR (Unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PendingView {
    /// Certificate name.
    pub name: String,
    /// `inProgress`, `completed`, `cancelled` or `failed`.
    pub status: String,
    /// In words.
    pub status_details: String,
    /// The issuer the request went to.
    pub issuer_name: String,
    /// The CSR as PEM (`CERTIFICATE REQUEST`); empty when there is none.
    pub csr_pem: String,
}

impl From<CertificateOperation> for PendingView {
    fn from(op: CertificateOperation) -> Self {
        let csr_pem = if op.csr.is_empty() { String::new() } else { vaultmort_crypto::pem::encode("CERTIFICATE REQUEST", &op.csr) };
        Self { name: op.id.name, status: op.status, status_details: op.status_details, issuer_name: op.issuer_name, csr_pem }
    }
}

/// One certificate of an import preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PreviewCertificateView {
    /// Subject.
    pub subject: String,
    /// Issuer.
    pub issuer: String,
    /// Start of validity.
    pub not_before: String,
    /// End of validity.
    pub expires: String,
    /// DNS names, emails, IPs and URIs from the SAN extension.
    pub sans: Vec<String>,
    /// Public key, in words (`RSA 2048`).
    pub key: String,
    /// SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
}

/// What a file holds, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreviewView {
    /// The detected format, in words.
    pub format: String,
    /// Ask for the password, then preview again.
    pub needs_password: bool,
    /// Whether there is a private key (an import needs one).
    pub has_private_key: bool,
    /// The certificates, leaf first.
    pub chain: Vec<PreviewCertificateView>,
}

impl From<ImportPreview> for ImportPreviewView {
    fn from(p: ImportPreview) -> Self {
        let chain = p
            .chain
            .into_iter()
            .map(|c| {
                let s = &c.info.sans;
                let sans = s.dns_names.iter().chain(&s.emails).chain(&s.upns).chain(&s.ip_addresses).chain(&s.uris).cloned().collect();
                PreviewCertificateView {
                    subject: c.info.subject.clone(),
                    issuer: c.info.issuer.clone(),
                    not_before: iso(c.info.not_before),
                    expires: iso(c.info.not_after),
                    sans,
                    key: c.key,
                    thumbprint: hex::encode_upper(&c.info.x5t),
                }
            })
            .collect();
        Self {
            format: vaultmort_certs::import::format_name(p.format).to_string(),
            needs_password: p.needs_password,
            has_private_key: p.has_private_key,
            chain,
        }
    }
}

/// What `import_certificate` needs.
#[derive(Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportInput {
    /// Certificate name.
    pub name: String,
    /// The file, base64.
    pub data: String,
    /// Its password, if it has one.
    pub password: Option<String>,
}

impl std::fmt::Debug for ImportInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportInput")
            .field("name", &self.name)
            .field("data", &format!("{} base64 chars", self.data.len()))
            .finish_non_exhaustive()
    }
}

/// Download formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum DownloadFormatName {
    /// The certificate alone, DER (`.cer`).
    Cer,
    /// The certificate alone, PEM.
    Pem,
    /// The certificate with its chain, PEM.
    Chain,
    /// Certificate, chain and private key, PKCS#12 (an exportable key only).
    Pfx,
}

/// A certificate issuer of a vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IssuerView {
    /// Issuer name (what policies refer to).
    pub name: String,
    /// Provider (`VaultmortPractice`, `DigiCert`, `GlobalSign`).
    pub provider: String,
    /// Account id, if set.
    pub account_id: Option<String>,
    /// Whether it may be used.
    pub enabled: bool,
}

impl From<Issuer> for IssuerView {
    fn from(i: Issuer) -> Self {
        Self { name: i.name, provider: i.provider, account_id: i.account_id, enabled: i.enabled }
    }
}

/// A certificate contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    /// Email address.
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

impl From<Contact> for ContactView {
    fn from(c: Contact) -> Self {
        Self { email: c.email, name: c.name, phone: c.phone }
    }
}

impl From<ContactView> for Contact {
    fn from(c: ContactView) -> Self {
        Self { email: c.email, name: c.name, phone: c.phone }
    }
}

/// A notification in the contacts' outbox, or another scheduler event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    /// Position in the event log.
    pub sequence: u32,
    /// When (the installation's clock).
    pub time: String,
    /// Vault name.
    pub vault: String,
    /// Event type (`CertificateContactsNotified`, `CertificateNearExpiry`, ...).
    pub event_type: String,
    /// The object (`certificates/name/version`).
    pub subject: String,
    /// For an outbox message: its recipients.
    pub to: Vec<String>,
    /// For an outbox message: its subject line; else a summary.
    pub summary: String,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        let to = e
            .data
            .get("to")
            .and_then(|t| t.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let summary = e
            .data
            .get("subject")
            .and_then(|s| s.as_str())
            .map(String::from)
            .or_else(|| crate::notices::notice_for(&e).map(|n| format!("{}: {}", n.title, n.body)))
            .unwrap_or_else(|| e.event_type.clone());
        Self {
            sequence: u32::try_from(e.sequence).unwrap_or(u32::MAX),
            time: iso(e.time),
            vault: e.vault_name,
            event_type: e.event_type,
            subject: e.subject,
            to,
            summary,
        }
    }
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
