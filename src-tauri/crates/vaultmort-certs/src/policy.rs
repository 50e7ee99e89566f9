//! Certificate policies in Key Vault's JSON shape, Key Vault's rules for them, and the typed
//! values the builders need (subject name, key spec, key usages, renewal triggers).
//!
//! [`CertificatePolicy`] is the raw document: it serializes with the REST API's own member
//! names (`key_props`, `x509_props`, `validity_months`, `lifetime_actions`, `issuer.cty`, ...,
//! and `secret_props.contentType`, the one camelCase member), and it also reads the names the
//! Azure CLI prints (`keyProperties`, `x509CertificateProperties`, `validityInMonths`, ...) and
//! camelCase spellings (`keyProps`, `x509Props`), so a policy saved by `az keyvault certificate
//! get-default-policy` loads as is. Names that Key Vault compares case-insensitively (key type,
//! curve, key usage, action type, content type) stay strings here and are checked by
//! [`CertificatePolicy::validate`], whose errors name the offending field.
//!
//! Left out: storing policies, issuers and contacts (the core's job) and deciding when a renewal
//! is due (the core reads its clock and uses [`CertificatePolicy::lifetime_triggers`]).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use vaultmort_crypto::{Curve, KeySpec, KeyType};

use crate::CertError;

/// The PFX content type of a certificate's secret.
pub const CONTENT_TYPE_PKCS12: &str = "application/x-pkcs12";
/// The PEM content type of a certificate's secret.
pub const CONTENT_TYPE_PEM: &str = "application/x-pem-file";
/// The OID of the User Principal Name otherName (Microsoft).
pub const UPN_OID: &str = "1.3.6.1.4.1.311.20.2.3";
/// Longest validity Key Vault accepts, in months.
pub const MAX_VALIDITY_MONTHS: u32 = 1200;
/// Key Vault bounds `daysBeforeExpiry` by this many days per month of validity.
pub const DAYS_PER_VALIDITY_MONTH: u32 = 27;

/// A certificate policy, as Key Vault's REST API sends and receives it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CertificatePolicy {
    /// The policy's id (`https://{vault}/certificates/{name}/policy`), set by the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Properties of the key backing the certificate.
    #[serde(rename = "key_props", alias = "keyProps", alias = "keyProperties", default, skip_serializing_if = "Option::is_none")]
    pub key_props: Option<KeyProperties>,
    /// Properties of the secret holding the certificate and key.
    #[serde(rename = "secret_props", alias = "secretProps", alias = "secretProperties", default, skip_serializing_if = "Option::is_none")]
    pub secret_props: Option<SecretProperties>,
    /// The X.509 contents of the certificate.
    #[serde(
        rename = "x509_props",
        alias = "x509Props",
        alias = "x509CertificateProperties",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub x509_props: Option<X509Properties>,
    /// What to do as the certificate nears expiry.
    #[serde(rename = "lifetime_actions", alias = "lifetimeActions", default, skip_serializing_if = "Option::is_none")]
    pub lifetime_actions: Option<Vec<LifetimeAction>>,
    /// Who issues the certificate.
    #[serde(rename = "issuer", alias = "issuerParameters", default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IssuerParameters>,
    /// Policy attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<PolicyAttributes>,
}

/// `key_props`: the key behind the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeyProperties {
    /// Whether the private key can be exported (in the secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exportable: Option<bool>,
    /// Key type: `RSA`, `RSA-HSM`, `EC` or `EC-HSM`.
    #[serde(rename = "kty", alias = "keyType", default, skip_serializing_if = "Option::is_none")]
    pub kty: Option<String>,
    /// RSA modulus size in bits.
    #[serde(rename = "key_size", alias = "keySize", default, skip_serializing_if = "Option::is_none")]
    pub key_size: Option<i64>,
    /// EC curve: `P-256`, `P-384`, `P-521` or `P-256K`.
    #[serde(rename = "crv", alias = "curve", default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    /// Whether renewal keeps the same key.
    #[serde(rename = "reuse_key", alias = "reuseKey", default, skip_serializing_if = "Option::is_none")]
    pub reuse_key: Option<bool>,
}

/// `secret_props`: the secret that holds the certificate and key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SecretProperties {
    /// `application/x-pkcs12` or `application/x-pem-file`.
    #[serde(rename = "contentType", alias = "content_type", default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// `x509_props`: what goes into the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct X509Properties {
    /// Subject distinguished name, e.g. `CN=www.contoso.com, O=Contoso, C=US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Extended key usages, as dotted OIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ekus: Option<Vec<String>>,
    /// Subject alternative names.
    #[serde(rename = "sans", alias = "subjectAlternativeNames", default, skip_serializing_if = "Option::is_none")]
    pub sans: Option<SubjectAlternativeNames>,
    /// Key usage names (`digitalSignature`, `keyEncipherment`, ...).
    #[serde(rename = "key_usage", alias = "keyUsage", default, skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<Vec<String>>,
    /// Validity in months.
    #[serde(
        rename = "validity_months",
        alias = "validityInMonths",
        alias = "validityMonths",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub validity_months: Option<i64>,
}

/// `x509_props.sans`: subject alternative names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubjectAlternativeNames {
    /// DNS names.
    #[serde(rename = "dns_names", alias = "dnsNames", default, skip_serializing_if = "Option::is_none")]
    pub dns_names: Option<Vec<String>>,
    /// Email addresses (rfc822Name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<String>>,
    /// User principal names (otherName 1.3.6.1.4.1.311.20.2.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upns: Option<Vec<String>>,
}

/// One entry of `lifetime_actions`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LifetimeAction {
    /// When the action fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<TriggerProperties>,
    /// What happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionProperties>,
}

/// A lifetime action's trigger as sent: exactly one of the two members (see [`Trigger`] for the checked value).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TriggerProperties {
    /// Fire when this percentage (1-99) of the lifetime has passed.
    #[serde(rename = "lifetime_percentage", alias = "lifetimePercentage", default, skip_serializing_if = "Option::is_none")]
    pub lifetime_percentage: Option<i64>,
    /// Fire this many days before expiry.
    #[serde(rename = "days_before_expiry", alias = "daysBeforeExpiry", default, skip_serializing_if = "Option::is_none")]
    pub days_before_expiry: Option<i64>,
}

/// A lifetime action's action as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActionProperties {
    /// `AutoRenew` or `EmailContacts`.
    #[serde(rename = "action_type", alias = "actionType", default, skip_serializing_if = "Option::is_none")]
    pub action_type: Option<String>,
}

/// `issuer`: who issues the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IssuerParameters {
    /// `Self`, `Unknown`, or the name of an issuer configured in the vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Certificate type the issuer should produce (for integrated CAs, e.g. `OV-SSL`).
    #[serde(rename = "cty", alias = "certificateType", default, skip_serializing_if = "Option::is_none")]
    pub certificate_type: Option<String>,
    /// Whether the certificate should be logged for certificate transparency.
    #[serde(rename = "cert_transparency", alias = "certificateTransparency", default, skip_serializing_if = "Option::is_none")]
    pub certificate_transparency: Option<bool>,
}

/// `attributes` of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PolicyAttributes {
    /// Whether certificates made under the policy are enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Creation time, Unix seconds (set by the service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    /// Last update time, Unix seconds (set by the service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<i64>,
}

/// A key usage bit, with Key Vault's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KeyUsage {
    /// digitalSignature
    #[serde(rename = "digitalSignature")]
    DigitalSignature,
    /// nonRepudiation (contentCommitment)
    #[serde(rename = "nonRepudiation")]
    NonRepudiation,
    /// keyEncipherment
    #[serde(rename = "keyEncipherment")]
    KeyEncipherment,
    /// dataEncipherment
    #[serde(rename = "dataEncipherment")]
    DataEncipherment,
    /// keyAgreement
    #[serde(rename = "keyAgreement")]
    KeyAgreement,
    /// keyCertSign
    #[serde(rename = "keyCertSign")]
    KeyCertSign,
    /// cRLSign
    #[serde(rename = "cRLSign")]
    CrlSign,
    /// encipherOnly
    #[serde(rename = "encipherOnly")]
    EncipherOnly,
    /// decipherOnly
    #[serde(rename = "decipherOnly")]
    DecipherOnly,
}

impl KeyUsage {
    /// Every key usage, in bit order.
    pub const ALL: [KeyUsage; 9] = [
        KeyUsage::DigitalSignature,
        KeyUsage::NonRepudiation,
        KeyUsage::KeyEncipherment,
        KeyUsage::DataEncipherment,
        KeyUsage::KeyAgreement,
        KeyUsage::KeyCertSign,
        KeyUsage::CrlSign,
        KeyUsage::EncipherOnly,
        KeyUsage::DecipherOnly,
    ];

    /// Key Vault's name for the usage.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyUsage::DigitalSignature => "digitalSignature",
            KeyUsage::NonRepudiation => "nonRepudiation",
            KeyUsage::KeyEncipherment => "keyEncipherment",
            KeyUsage::DataEncipherment => "dataEncipherment",
            KeyUsage::KeyAgreement => "keyAgreement",
            KeyUsage::KeyCertSign => "keyCertSign",
            KeyUsage::CrlSign => "cRLSign",
            KeyUsage::EncipherOnly => "encipherOnly",
            KeyUsage::DecipherOnly => "decipherOnly",
        }
    }

    pub(crate) fn to_rcgen(self) -> rcgen::KeyUsagePurpose {
        use rcgen::KeyUsagePurpose as P;
        match self {
            KeyUsage::DigitalSignature => P::DigitalSignature,
            KeyUsage::NonRepudiation => P::ContentCommitment,
            KeyUsage::KeyEncipherment => P::KeyEncipherment,
            KeyUsage::DataEncipherment => P::DataEncipherment,
            KeyUsage::KeyAgreement => P::KeyAgreement,
            KeyUsage::KeyCertSign => P::KeyCertSign,
            KeyUsage::CrlSign => P::CrlSign,
            KeyUsage::EncipherOnly => P::EncipherOnly,
            KeyUsage::DecipherOnly => P::DecipherOnly,
        }
    }
}

impl fmt::Display for KeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyUsage {
    type Err = CertError;
    /// Parses a Key Vault key usage name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, CertError> {
        KeyUsage::ALL.iter().copied().find(|k| k.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            CertError::bad(format!(
                "'{s}' is not a key usage; expected one of {}",
                KeyUsage::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

/// What a lifetime action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionType {
    /// Renew the certificate.
    AutoRenew,
    /// Email the vault's certificate contacts.
    EmailContacts,
}

impl ActionType {
    /// Key Vault's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::AutoRenew => "AutoRenew",
            ActionType::EmailContacts => "EmailContacts",
        }
    }
}

impl FromStr for ActionType {
    type Err = CertError;
    fn from_str(s: &str) -> Result<Self, CertError> {
        [ActionType::AutoRenew, ActionType::EmailContacts]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| CertError::bad(format!("'{s}' is not an action type; expected AutoRenew or EmailContacts")))
    }
}

/// The content type of a certificate's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentType {
    /// A PFX (PKCS#12) file.
    Pkcs12,
    /// A PEM file: the PKCS#8 key, then the certificates.
    Pem,
}

impl ContentType {
    /// The MIME type Key Vault uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Pkcs12 => CONTENT_TYPE_PKCS12,
            ContentType::Pem => CONTENT_TYPE_PEM,
        }
    }
}

/// When a lifetime action fires, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Trigger {
    /// When this percentage (1-99) of the validity period has passed.
    LifetimePercentage(u8),
    /// This many days before the end of validity.
    DaysBeforeExpiry(u32),
}

impl Trigger {
    /// The moment the trigger fires for a certificate valid from `not_before` to `not_after`.
    pub fn due_at(self, not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Trigger::LifetimePercentage(pct) => {
                let span = (not_after - not_before).num_seconds();
                not_before + chrono::Duration::seconds(span * i64::from(pct) / 100)
            }
            Trigger::DaysBeforeExpiry(days) => not_after - chrono::Duration::days(i64::from(days)),
        }
    }

    /// Days before expiry at which the trigger fires, for a certificate valid `validity_days`
    /// days: a percentage p fires at `validity_days - floor(validity_days * p / 100)`.
    pub fn days_before_expiry(self, validity_days: u32) -> u32 {
        match self {
            Trigger::LifetimePercentage(pct) => validity_days - (u64::from(validity_days) * u64::from(pct) / 100) as u32,
            Trigger::DaysBeforeExpiry(days) => days,
        }
    }
}

/// A lifetime action, checked: what happens and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LifetimeRule {
    /// What happens.
    pub action: ActionType,
    /// When.
    pub trigger: Trigger,
}

/// A lifetime action resolved to days before expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifetimeTrigger {
    /// The action.
    pub action: ActionType,
    /// Days before `not_after` at which it fires.
    pub days_before_expiry: u32,
}

/// One attribute type of a distinguished name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NameAttribute {
    /// CN (2.5.4.3)
    CommonName,
    /// O (2.5.4.10)
    Organization,
    /// OU (2.5.4.11)
    OrganizationalUnit,
    /// C (2.5.4.6)
    Country,
    /// ST or S (2.5.4.8)
    State,
    /// L (2.5.4.7)
    Locality,
    /// STREET (2.5.4.9)
    Street,
    /// E or emailAddress (1.2.840.113549.1.9.1)
    Email,
    /// DC (0.9.2342.19200300.100.1.25)
    DomainComponent,
    /// SERIALNUMBER (2.5.4.5)
    SerialNumber,
    /// UID (0.9.2342.19200300.100.1.1)
    UserId,
    /// Any other attribute, by dotted OID.
    Oid(String),
}

impl NameAttribute {
    /// The attribute's dotted OID.
    pub fn oid(&self) -> &str {
        match self {
            NameAttribute::CommonName => "2.5.4.3",
            NameAttribute::Organization => "2.5.4.10",
            NameAttribute::OrganizationalUnit => "2.5.4.11",
            NameAttribute::Country => "2.5.4.6",
            NameAttribute::State => "2.5.4.8",
            NameAttribute::Locality => "2.5.4.7",
            NameAttribute::Street => "2.5.4.9",
            NameAttribute::Email => "1.2.840.113549.1.9.1",
            NameAttribute::DomainComponent => "0.9.2342.19200300.100.1.25",
            NameAttribute::SerialNumber => "2.5.4.5",
            NameAttribute::UserId => "0.9.2342.19200300.100.1.1",
            NameAttribute::Oid(oid) => oid,
        }
    }

    /// The short name used in strings (`CN`, `O`, ...); `E` for email, as Windows and Key Vault write it.
    pub fn short_name(&self) -> &str {
        match self {
            NameAttribute::CommonName => "CN",
            NameAttribute::Organization => "O",
            NameAttribute::OrganizationalUnit => "OU",
            NameAttribute::Country => "C",
            NameAttribute::State => "ST",
            NameAttribute::Locality => "L",
            NameAttribute::Street => "STREET",
            NameAttribute::Email => "E",
            NameAttribute::DomainComponent => "DC",
            NameAttribute::SerialNumber => "SERIALNUMBER",
            NameAttribute::UserId => "UID",
            NameAttribute::Oid(oid) => oid,
        }
    }

    /// The attribute for a dotted OID (a known one where it is known).
    pub fn from_oid(oid: &str) -> Self {
        const KNOWN: [NameAttribute; 11] = [
            NameAttribute::CommonName,
            NameAttribute::Organization,
            NameAttribute::OrganizationalUnit,
            NameAttribute::Country,
            NameAttribute::State,
            NameAttribute::Locality,
            NameAttribute::Street,
            NameAttribute::Email,
            NameAttribute::DomainComponent,
            NameAttribute::SerialNumber,
            NameAttribute::UserId,
        ];
        KNOWN.into_iter().find(|k| k.oid() == oid).unwrap_or_else(|| NameAttribute::Oid(oid.to_string()))
    }

    fn from_key(key: &str) -> Option<Self> {
        let upper = key.trim().to_ascii_uppercase();
        Some(match upper.as_str() {
            "CN" => NameAttribute::CommonName,
            "O" => NameAttribute::Organization,
            "OU" => NameAttribute::OrganizationalUnit,
            "C" => NameAttribute::Country,
            "ST" | "S" => NameAttribute::State,
            "L" => NameAttribute::Locality,
            "STREET" => NameAttribute::Street,
            "E" | "EMAIL" | "EMAILADDRESS" => NameAttribute::Email,
            "DC" => NameAttribute::DomainComponent,
            "SERIALNUMBER" => NameAttribute::SerialNumber,
            "UID" => NameAttribute::UserId,
            _ => {
                let dotted = upper.strip_prefix("OID.").unwrap_or(&upper);
                if crate::asn1::oid_content(dotted).is_some() {
                    NameAttribute::from_oid(dotted)
                } else {
                    return None;
                }
            }
        })
    }
}

/// A distinguished name parsed from a Key Vault subject string.
///
/// Attributes are kept in the order written. As in RFC 4514 and on Windows, the string names
/// the most specific attribute first (`CN=host, O=Org, C=US`), so the certificate's DER name
/// holds them in reverse (C, then O, then CN).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubjectName {
    /// Attribute type and value pairs, in string order.
    pub attributes: Vec<(NameAttribute, String)>,
}

impl SubjectName {
    /// Parses `CN=x, O=y, OU=z, C=US, ST=.., L=.., E=..`: separators `,` or `;`, values may be
    /// quoted (`O="Contoso, Ltd"`) or use backslash escapes (`O=Contoso\, Ltd`).
    pub fn parse(text: &str) -> Result<Self, CertError> {
        let mut attributes = Vec::new();
        for part in split_unescaped(text)? {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (key, raw_value) = part
                .split_once('=')
                .ok_or_else(|| CertError::bad(format!("'{part}' is not an attribute=value pair (for example CN=www.contoso.com)")))?;
            let attribute = NameAttribute::from_key(key).ok_or_else(|| {
                CertError::bad(format!(
                    "'{}' is not a known name attribute; use CN, O, OU, C, ST, L, STREET, E, DC, SERIALNUMBER, UID or a dotted OID",
                    key.trim()
                ))
            })?;
            let value = unescape_value(raw_value.trim())?;
            if value.is_empty() {
                return Err(CertError::bad(format!("the {} attribute has an empty value", attribute.short_name())));
            }
            if attribute == NameAttribute::Country && (value.len() != 2 || !value.chars().all(|c| c.is_ascii_alphabetic())) {
                return Err(CertError::bad(format!("the country (C) must be a two-letter code such as US, not '{value}'")));
            }
            attributes.push((attribute, value));
        }
        if attributes.is_empty() {
            return Err(CertError::bad("the subject names no attribute"));
        }
        Ok(SubjectName { attributes })
    }

    /// The first common name, if any.
    pub fn common_name(&self) -> Option<&str> {
        self.attributes.iter().find(|(a, _)| *a == NameAttribute::CommonName).map(|(_, v)| v.as_str())
    }

    /// The name as an RFC 4514 string (`CN=host,O=Org,C=US`).
    pub fn to_rfc4514(&self) -> String {
        self.attributes.iter().map(|(a, v)| format!("{}={}", a.short_name(), escape_rfc4514(v))).collect::<Vec<_>>().join(",")
    }
}

fn split_unescaped(text: &str) -> Result<Vec<String>, CertError> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                match chars.next() {
                    Some(next) => current.push(next),
                    None => return Err(CertError::bad("the subject ends with a lone backslash")),
                }
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' | ';' if !quoted => parts.push(std::mem::take(&mut current)),
            '+' if !quoted => {
                return Err(CertError::unsupported(
                    "multi-valued name components ('+') are not supported; escape a literal plus sign as \\+",
                ));
            }
            _ => current.push(c),
        }
    }
    if quoted {
        return Err(CertError::bad("the subject has an unterminated quote"));
    }
    parts.push(current);
    Ok(parts)
}

fn unescape_value(raw: &str) -> Result<String, CertError> {
    if let Some(inner) = raw.strip_prefix('"') {
        let inner = inner.strip_suffix('"').ok_or_else(|| CertError::bad(format!("the value {raw} has text after its closing quote")))?;
        return Ok(inner.replace("\\\"", "\""));
    }
    // Backslash escapes: `\,` for a special character, `\XX` for one byte in hex (RFC 4514).
    let mut bytes = Vec::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let (a, b) = (chars[i + 1], chars.get(i + 2).copied().unwrap_or(' '));
            if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() {
                let byte = u8::from_str_radix(&format!("{a}{b}"), 16).map_err(|_| CertError::bad("bad hex escape in the subject"))?;
                bytes.push(byte);
                i += 3;
                continue;
            }
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(a.encode_utf8(&mut buf).as_bytes());
            i += 2;
            continue;
        }
        let mut buf = [0u8; 4];
        bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| CertError::bad("a hex escape in the subject is not UTF-8"))
}

/// Escapes a value for an RFC 4514 string.
pub(crate) fn escape_rfc4514(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `text` is a dotted OID (at least two arcs, first 0-2).
pub fn is_dotted_oid(text: &str) -> bool {
    crate::asn1::oid_content(text).is_some() && text.split('.').all(|arc| !arc.is_empty() && (arc == "0" || !arc.starts_with('0')))
}

impl CertificatePolicy {
    /// The policy `az keyvault certificate get-default-policy` prints: issuer `Self`, subject
    /// `CN=CLIGetDefaultPolicy`, an exportable RSA 2048 key that renewals reuse, a PFX secret,
    /// 12 months of validity, the six key usages cRLSign, dataEncipherment, digitalSignature,
    /// keyEncipherment, keyAgreement and keyCertSign, no EKUs or SANs, and AutoRenew 90 days
    /// before expiry.
    pub fn azure_default() -> Self {
        CertificatePolicy {
            id: None,
            key_props: Some(KeyProperties {
                exportable: Some(true),
                kty: Some("RSA".into()),
                key_size: Some(2048),
                curve: None,
                reuse_key: Some(true),
            }),
            secret_props: Some(SecretProperties { content_type: Some(CONTENT_TYPE_PKCS12.into()) }),
            x509_props: Some(X509Properties {
                subject: Some("CN=CLIGetDefaultPolicy".into()),
                ekus: None,
                sans: None,
                key_usage: Some(
                    ["cRLSign", "dataEncipherment", "digitalSignature", "keyEncipherment", "keyAgreement", "keyCertSign"]
                        .map(String::from)
                        .to_vec(),
                ),
                validity_months: Some(12),
            }),
            lifetime_actions: Some(vec![LifetimeAction {
                trigger: Some(TriggerProperties { lifetime_percentage: None, days_before_expiry: Some(90) }),
                action: Some(ActionProperties { action_type: Some("AutoRenew".into()) }),
            }]),
            issuer: Some(IssuerParameters { name: Some("Self".into()), certificate_type: None, certificate_transparency: None }),
            attributes: None,
        }
    }

    /// The policy Key Vault gives a certificate imported without one: the certificate's
    /// subject (written `CN=..., O=..., S=..., C=...`), SANs, EKUs, key usages and validity in
    /// months; its key type and size or curve, exportable and not reused; the secret's content
    /// type; issuer `Unknown`; and an EmailContacts action at 80% of the lifetime.
    pub fn for_imported(info: &crate::parse::CertificateInfo, content_type: ContentType) -> Result<Self, CertError> {
        let key_props = match info.public_key()? {
            vaultmort_crypto::PublicKey::Rsa { n, .. } => KeyProperties {
                exportable: Some(true),
                kty: Some("RSA".into()),
                key_size: Some((n.len() * 8) as i64),
                curve: None,
                reuse_key: Some(false),
            },
            vaultmort_crypto::PublicKey::Ec { curve, .. } => KeyProperties {
                exportable: Some(true),
                kty: Some("EC".into()),
                key_size: None,
                curve: Some(curve.as_str().into()),
                reuse_key: Some(false),
            },
        };
        let list = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
        let sans =
            SubjectAlternativeNames { dns_names: list(&info.sans.dns_names), emails: list(&info.sans.emails), upns: list(&info.sans.upns) };
        let has_sans = sans.dns_names.is_some() || sans.emails.is_some() || sans.upns.is_some();
        let subject = info.subject_key_vault_style();
        Ok(CertificatePolicy {
            id: None,
            key_props: Some(key_props),
            secret_props: Some(SecretProperties { content_type: Some(content_type.as_str().into()) }),
            x509_props: Some(X509Properties {
                subject: (!subject.is_empty()).then_some(subject),
                ekus: list(&info.ekus),
                sans: has_sans.then_some(sans),
                key_usage: (!info.key_usage.is_empty()).then(|| info.key_usage.iter().map(|k| k.as_str().to_string()).collect()),
                validity_months: Some(i64::from(months_between(info.not_before, info.not_after))),
            }),
            lifetime_actions: Some(vec![LifetimeAction {
                trigger: Some(TriggerProperties { lifetime_percentage: Some(80), days_before_expiry: None }),
                action: Some(ActionProperties { action_type: Some(ActionType::EmailContacts.as_str().into()) }),
            }]),
            issuer: Some(IssuerParameters { name: Some("Unknown".into()), certificate_type: None, certificate_transparency: None }),
            attributes: Some(PolicyAttributes { enabled: Some(true), created: None, updated: None }),
        })
    }

    /// A self-signed policy for `subject`, otherwise the same as [`CertificatePolicy::azure_default`].
    pub fn self_signed(subject: &str) -> Self {
        let mut policy = Self::azure_default();
        if let Some(x509) = policy.x509_props.as_mut() {
            x509.subject = Some(subject.to_string());
        }
        policy
    }

    /// Checks the policy against Key Vault's rules; the error names the first field that breaks one.
    pub fn validate(&self) -> Result<(), CertError> {
        self.key_spec()?;
        self.content_type()?;
        let x509 = self.x509_props.as_ref();
        let has_subject = x509.and_then(|x| x.subject.as_deref()).is_some_and(|s| !s.trim().is_empty());
        if has_subject {
            self.subject_name()?;
        }
        let sans = self.sans();
        if !has_subject && sans.dns_names.is_empty() && sans.emails.is_empty() && sans.upns.is_empty() {
            return Err(CertError::policy("x509_props.subject", "a certificate needs a subject or at least one subject alternative name"));
        }
        for (i, dns) in sans.dns_names.iter().enumerate() {
            check_dns_name(format!("x509_props.sans.dns_names[{i}]"), dns)?;
        }
        for (i, email) in sans.emails.iter().enumerate() {
            check_addr(format!("x509_props.sans.emails[{i}]"), email, "an email address")?;
        }
        for (i, upn) in sans.upns.iter().enumerate() {
            check_addr(format!("x509_props.sans.upns[{i}]"), upn, "a user principal name")?;
        }
        self.validity_months()?;
        self.key_usages()?;
        self.ekus()?;
        self.lifetime_rules()?;
        if let Some(name) = self.issuer.as_ref().and_then(|i| i.name.as_deref())
            && name.trim().is_empty()
        {
            return Err(CertError::policy("issuer.name", "the issuer name is empty; use Self, Unknown or an issuer's name"));
        }
        Ok(())
    }

    /// The key type (`RSA` when the policy names none).
    pub fn key_type(&self) -> Result<KeyType, CertError> {
        match self.key_props.as_ref().and_then(|k| k.kty.as_deref()) {
            None => Ok(KeyType::Rsa),
            Some(text) => KeyType::from_str(text).map_err(|_| {
                CertError::policy("key_props.kty", format!("'{text}' is not a key type; expected RSA, RSA-HSM, EC or EC-HSM"))
            }),
        }
    }

    /// The key spec the policy asks for: RSA 2048 and EC P-256 when size or curve is left out.
    pub fn key_spec(&self) -> Result<KeySpec, CertError> {
        let kty = self.key_type()?;
        let props = self.key_props.clone().unwrap_or_default();
        if kty.is_rsa() {
            if let Some(curve) = &props.curve {
                return Err(CertError::policy("key_props.crv", format!("an RSA key has no curve, but '{curve}' was given")));
            }
            let bits = props.key_size.unwrap_or(i64::from(KeySpec::DEFAULT_RSA_SIZE));
            if !KeySpec::RSA_SIZES.iter().any(|s| i64::from(*s) == bits) {
                return Err(CertError::policy("key_props.key_size", format!("RSA keys are 2048, 3072 or 4096 bits, not {bits}")));
            }
            Ok(KeySpec::Rsa { bits: bits as u32 })
        } else {
            if let Some(size) = props.key_size {
                return Err(CertError::policy(
                    "key_props.key_size",
                    format!("an EC key's size comes from its curve; leave key_size out (got {size})"),
                ));
            }
            let curve = match props.curve.as_deref() {
                None => KeySpec::DEFAULT_CURVE,
                Some(text) => Curve::from_str(text).map_err(|_| {
                    CertError::policy("key_props.crv", format!("'{text}' is not a curve; expected P-256, P-384, P-521 or P-256K"))
                })?,
            };
            Ok(KeySpec::Ec { curve })
        }
    }

    /// Whether the private key may be exported (Key Vault's default is yes).
    pub fn exportable(&self) -> bool {
        self.key_props.as_ref().and_then(|k| k.exportable).unwrap_or(true)
    }

    /// Whether a renewal keeps the key (default no).
    pub fn reuse_key(&self) -> bool {
        self.key_props.as_ref().and_then(|k| k.reuse_key).unwrap_or(false)
    }

    /// The secret's content type (PFX when the policy names none).
    pub fn content_type(&self) -> Result<ContentType, CertError> {
        match self.secret_props.as_ref().and_then(|s| s.content_type.as_deref()) {
            None => Ok(ContentType::Pkcs12),
            Some(t) if t.trim().eq_ignore_ascii_case(CONTENT_TYPE_PKCS12) => Ok(ContentType::Pkcs12),
            Some(t) if t.trim().eq_ignore_ascii_case(CONTENT_TYPE_PEM) => Ok(ContentType::Pem),
            Some(t) => Err(CertError::policy(
                "secret_props.contentType",
                format!("'{t}' is not a certificate content type; expected {CONTENT_TYPE_PKCS12} or {CONTENT_TYPE_PEM}"),
            )),
        }
    }

    /// The subject as a structured name, or `None` when the policy has no subject (SANs only).
    pub fn subject_name(&self) -> Result<Option<SubjectName>, CertError> {
        match self.x509_props.as_ref().and_then(|x| x.subject.as_deref()) {
            Some(s) if !s.trim().is_empty() => {
                SubjectName::parse(s).map(Some).map_err(|e| CertError::policy("x509_props.subject", error_text(&e)))
            }
            _ => Ok(None),
        }
    }

    /// The subject alternative names, each list empty when absent.
    pub fn sans(&self) -> Sans {
        let sans = self.x509_props.as_ref().and_then(|x| x.sans.clone()).unwrap_or_default();
        Sans { dns_names: sans.dns_names.unwrap_or_default(), emails: sans.emails.unwrap_or_default(), upns: sans.upns.unwrap_or_default() }
    }

    /// Validity in months (12 when the policy names none).
    pub fn validity_months(&self) -> Result<u32, CertError> {
        let months = self.x509_props.as_ref().and_then(|x| x.validity_months).unwrap_or(12);
        if !(1..=i64::from(MAX_VALIDITY_MONTHS)).contains(&months) {
            return Err(CertError::policy(
                "x509_props.validity_months",
                format!("validity must be 1 to {MAX_VALIDITY_MONTHS} months, not {months}"),
            ));
        }
        Ok(months as u32)
    }

    /// The end of validity for a certificate that starts at `not_before`.
    pub fn not_after(&self, not_before: DateTime<Utc>) -> Result<DateTime<Utc>, CertError> {
        let months = self.validity_months()?;
        not_before.checked_add_months(Months::new(months)).ok_or_else(|| CertError::bad("the validity period runs past the year 9999"))
    }

    /// The key usages, typed.
    pub fn key_usages(&self) -> Result<Vec<KeyUsage>, CertError> {
        let names = self.x509_props.as_ref().and_then(|x| x.key_usage.clone()).unwrap_or_default();
        let mut out = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let usage = KeyUsage::from_str(name).map_err(|e| CertError::policy(format!("x509_props.key_usage[{i}]"), error_text(&e)))?;
            if !out.contains(&usage) {
                out.push(usage);
            }
        }
        Ok(out)
    }

    /// The extended key usages (dotted OIDs), checked.
    pub fn ekus(&self) -> Result<Vec<String>, CertError> {
        let ekus = self.x509_props.as_ref().and_then(|x| x.ekus.clone()).unwrap_or_default();
        for (i, eku) in ekus.iter().enumerate() {
            if !is_dotted_oid(eku.trim()) {
                return Err(CertError::policy(
                    format!("x509_props.ekus[{i}]"),
                    format!("'{eku}' is not a dotted OID such as 1.3.6.1.5.5.7.3.1 (serverAuth)"),
                ));
            }
        }
        Ok(ekus.into_iter().map(|e| e.trim().to_string()).collect())
    }

    /// The lifetime actions, checked against Key Vault's rules: each has one trigger kind, a
    /// percentage of 1-99 or 1 to 27 x validity-months days, and there is at most one action of
    /// each type.
    pub fn lifetime_rules(&self) -> Result<Vec<LifetimeRule>, CertError> {
        let months = self.validity_months()?;
        let max_days = i64::from(months * DAYS_PER_VALIDITY_MONTH);
        let mut out: Vec<LifetimeRule> = Vec::new();
        for (i, action) in self.lifetime_actions.iter().flatten().enumerate() {
            let field = format!("lifetime_actions[{i}]");
            let action_type = match action.action.as_ref().and_then(|a| a.action_type.as_deref()) {
                None => return Err(CertError::policy(format!("{field}.action.action_type"), "each lifetime action needs an action_type")),
                Some(t) => ActionType::from_str(t).map_err(|e| CertError::policy(format!("{field}.action.action_type"), error_text(&e)))?,
            };
            if out.iter().any(|t| t.action == action_type) {
                return Err(CertError::policy(
                    format!("{field}.action.action_type"),
                    format!("the policy already has a {} action; give at most one of each type", action_type.as_str()),
                ));
            }
            let trigger = action.trigger.clone().unwrap_or_default();
            let trigger = match (trigger.lifetime_percentage, trigger.days_before_expiry) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(CertError::policy(
                        format!("{field}.trigger"),
                        "give exactly one of lifetime_percentage and days_before_expiry",
                    ));
                }
                (Some(p), None) => {
                    if !(1..=99).contains(&p) {
                        return Err(CertError::policy(
                            format!("{field}.trigger.lifetime_percentage"),
                            format!("the lifetime percentage must be 1 to 99, not {p}"),
                        ));
                    }
                    Trigger::LifetimePercentage(p as u8)
                }
                (None, Some(d)) => {
                    if !(1..=max_days).contains(&d) {
                        return Err(CertError::policy(
                            format!("{field}.trigger.days_before_expiry"),
                            format!("days before expiry must be 1 to {max_days} (27 x {months} months of validity), not {d}"),
                        ));
                    }
                    Trigger::DaysBeforeExpiry(d as u32)
                }
            };
            out.push(LifetimeRule { action: action_type, trigger });
        }
        Ok(out)
    }

    /// The lifetime actions resolved to days before expiry, for a certificate valid for
    /// `validity_days` days (see [`Trigger::days_before_expiry`]).
    pub fn lifetime_triggers(&self, validity_days: u32) -> Result<Vec<LifetimeTrigger>, CertError> {
        Ok(self
            .lifetime_rules()?
            .into_iter()
            .map(|rule| LifetimeTrigger { action: rule.action, days_before_expiry: rule.trigger.days_before_expiry(validity_days) })
            .collect())
    }

    /// The issuer name (`Self` when the policy names none).
    pub fn issuer_name(&self) -> &str {
        self.issuer.as_ref().and_then(|i| i.name.as_deref()).unwrap_or("Self")
    }
}

/// Subject alternative names with absent lists made empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sans {
    /// DNS names.
    pub dns_names: Vec<String>,
    /// Email addresses.
    pub emails: Vec<String>,
    /// User principal names.
    pub upns: Vec<String>,
}

/// Whole months from `start` to `end`, rounded to the nearest month and kept within 1-1200.
fn months_between(start: DateTime<Utc>, end: DateTime<Utc>) -> u32 {
    let mut months = 0u32;
    while months < MAX_VALIDITY_MONTHS && start.checked_add_months(Months::new(months + 1)).is_some_and(|t| t <= end) {
        months += 1;
    }
    let rest = start.checked_add_months(Months::new(months)).map(|t| (end - t).num_days()).unwrap_or(0);
    if rest >= 15 {
        months += 1;
    }
    months.clamp(1, MAX_VALIDITY_MONTHS)
}

fn error_text(e: &CertError) -> String {
    match e {
        CertError::BadParameter(m) | CertError::Unsupported(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Checks a SAN DNS name; `field` names it in the error.
fn check_dns_name(field: String, name: &str) -> Result<(), CertError> {
    let trimmed = name.strip_prefix("*.").unwrap_or(name);
    if trimmed.is_empty() || name.len() > 253 {
        return Err(CertError::policy(field, format!("'{name}' is not a DNS name")));
    }
    let ok = trimmed.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    if ok {
        Ok(())
    } else {
        Err(CertError::policy(
            field,
            format!("'{name}' is not a DNS name (letters, digits, hyphens and dots; a leading *. for a wildcard)"),
        ))
    }
}

/// Checks an email address or UPN (`name@domain`); `field` names it in the error.
fn check_addr(field: String, value: &str, what: &str) -> Result<(), CertError> {
    match value.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() && !value.contains(char::is_whitespace) && value.is_ascii() => {
            Ok(())
        }
        _ => Err(CertError::policy(field, format!("'{value}' is not {what} (name@domain)"))),
    }
}
