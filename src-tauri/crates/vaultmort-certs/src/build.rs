//! Making CSRs and certificates: a CSR from a policy, a self-signed certificate from a policy,
//! and certificates issued by a CA key (leaves, intermediate CAs, root CAs) from a policy or a
//! parsed CSR.
//!
//! Every private-key operation goes through a [`ProviderSigner`], so the signing key may live
//! in an HSM. Serial numbers and validity are always given by the caller (the core reads its
//! shiftable clock); nothing here reads the system time except [`random_serial`]'s RNG.
//!
//! Profiles follow what `openssl verify -x509_strict` demands: CAs get a critical
//! basicConstraints CA:TRUE (with a path length), keyCertSign + cRLSign, a subjectKeyIdentifier
//! and, below the root, an authorityKeyIdentifier; leaves get a critical basicConstraints
//! CA:FALSE, a subjectKeyIdentifier, and an authorityKeyIdentifier when a CA issues them. A
//! self-signed leaf needs the explicit CA:FALSE: OpenSSL refuses a self-signed certificate whose
//! key usage includes keyCertSign (as Key Vault's default policy's does) when basicConstraints is
//! missing.
//!
//! A self-signed certificate whose policy has SANs but no subject is named `CN=<first SAN>`:
//! its issuer is its subject, and RFC 5280 (and `-x509_strict`) forbid an empty issuer.
//!
//! Left out: CRLs, OCSP, name constraints and certificate policies extensions.

use std::collections::HashSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use rcgen::string::{BmpString, Ia5String, PrintableString, TeletexString, UniversalString};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod,
    KeyUsagePurpose, OtherNameValue, SanType, SerialNumber,
};
use time::OffsetDateTime;
use vaultmort_crypto::PublicKey;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use crate::CertError;
use crate::parse::{CertificateInfo, CsrInfo, SubjectAltNames, spki_public_key};
use crate::policy::{CertificatePolicy, KeyUsage, NameAttribute, SubjectName, UPN_OID};
use crate::signer::ProviderSigner;

/// TLS server authentication.
pub const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
/// TLS client authentication.
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

/// Where an issued certificate's subject, SANs and public key come from.
#[derive(Debug, Clone, Copy)]
pub enum SubjectSource<'a> {
    /// A parsed (and signature-checked) CSR: its subject name is copied exactly, with its SANs
    /// (DNS, email, UPN, IP, URI) and public key. Its requested key usages are not: the
    /// [`Profile`] decides those.
    Csr(&'a CsrInfo),
    /// A policy's subject and SANs, for `public_key`.
    Policy {
        /// The policy.
        policy: &'a CertificatePolicy,
        /// The subject's public key.
        public_key: &'a PublicKey,
    },
}

/// What kind of certificate to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profile {
    /// An end-entity certificate with these usages (CA:FALSE).
    Leaf {
        /// Key usages.
        key_usage: Vec<KeyUsage>,
        /// Extended key usages (dotted OIDs).
        ekus: Vec<String>,
    },
    /// A subordinate CA (CA:TRUE, keyCertSign, cRLSign, digitalSignature).
    IntermediateCa {
        /// How many CAs may follow it (`None`: unlimited).
        path_len: Option<u8>,
    },
    /// A self-signed root CA.
    RootCa {
        /// How many CAs may follow it (`None`: unlimited).
        path_len: Option<u8>,
    },
}

impl Profile {
    /// A leaf with the policy's key usages and EKUs.
    pub fn leaf_from_policy(policy: &CertificatePolicy) -> Result<Self, CertError> {
        Ok(Profile::Leaf { key_usage: policy.key_usages()?, ekus: policy.ekus()? })
    }

    /// A leaf with what the CSR requests; when it requests nothing, digitalSignature (plus
    /// keyEncipherment for RSA) and serverAuth + clientAuth, as Key Vault's self-signed
    /// certificates carry.
    pub fn leaf_from_csr(csr: &CsrInfo) -> Self {
        let key_usage = if csr.key_usage.is_empty() {
            match csr.public_key {
                PublicKey::Rsa { .. } => vec![KeyUsage::DigitalSignature, KeyUsage::KeyEncipherment],
                PublicKey::Ec { .. } => vec![KeyUsage::DigitalSignature],
            }
        } else {
            csr.key_usage.clone()
        };
        let ekus = if csr.ekus.is_empty() { vec![EKU_SERVER_AUTH.into(), EKU_CLIENT_AUTH.into()] } else { csr.ekus.clone() };
        Profile::Leaf { key_usage, ekus }
    }
}

/// A random 16-byte serial number with the top bit clear (positive, 127 bits of entropy).
pub fn random_serial() -> Result<[u8; 16], CertError> {
    let mut serial = [0u8; 16];
    aws_lc_rs::rand::fill(&mut serial).map_err(|_| CertError::Internal("the random number generator failed".into()))?;
    serial[0] &= 0x7f;
    if serial[0] == 0 {
        serial[0] = 0x01;
    }
    Ok(serial)
}

/// A DER CSR for the policy's subject, SANs (DNS, email as rfc822Name, UPN as otherName),
/// key usages and EKUs (as an extensionRequest), signed by `signer`, whose key it certifies.
pub fn csr(policy: &CertificatePolicy, signer: &ProviderSigner<'_>) -> Result<Vec<u8>, CertError> {
    policy.validate()?;
    let mut params = empty_params();
    apply_policy_names(&mut params, policy)?;
    params.key_usages = policy.key_usages()?.into_iter().map(KeyUsage::to_rcgen).collect();
    params.extended_key_usages = eku_purposes(&policy.ekus()?)?;
    let request = params.serialize_request(signer).map_err(|e| signer.explain(e))?;
    Ok(request.der().to_vec())
}

/// A DER self-signed certificate for the policy, signed by (and certifying) `signer`'s key.
pub fn self_signed(
    policy: &CertificatePolicy,
    signer: &ProviderSigner<'_>,
    serial: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Vec<u8>, CertError> {
    let profile = Profile::leaf_from_policy(policy)?;
    issue(SubjectSource::Policy { policy, public_key: signer.public_key() }, None, signer, serial, not_before, not_after, &profile)
}

/// Issues a DER certificate.
///
/// With `issuer_cert_der`, the certificate is issued by that CA certificate, whose key
/// `issuer_signer` must hold; without it the certificate is self-signed and the subject's key
/// must be the signer's. [`Profile::RootCa`] is always self-signed.
pub fn issue(
    subject: SubjectSource<'_>,
    issuer_cert_der: Option<&[u8]>,
    issuer_signer: &ProviderSigner<'_>,
    serial: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    profile: &Profile,
) -> Result<Vec<u8>, CertError> {
    let mut params = empty_params();
    params.serial_number = Some(SerialNumber::from_slice(&check_serial(serial)?));
    (params.not_before, params.not_after) = check_validity(not_before, not_after)?;

    let (subject_spki, expected_subject) = match subject {
        SubjectSource::Csr(csr) => {
            let (_, name) = X509Name::from_der(&csr.subject_der).map_err(|_| CertError::corrupt("the CSR's subject name is malformed"))?;
            params.distinguished_name = dn_from_x509_name(&name, "the CSR's subject")?;
            params.subject_alt_names = sans_from_parsed(&csr.sans)?;
            (csr.spki_der.clone(), Some(csr.subject_der.clone()))
        }
        SubjectSource::Policy { policy, public_key } => {
            policy.validate()?;
            apply_policy_names(&mut params, policy)?;
            (public_key.to_spki_der()?, None)
        }
    };
    if params.distinguished_name.iter().next().is_none() && params.subject_alt_names.is_empty() {
        return Err(CertError::bad("the certificate would have neither a subject nor a subject alternative name"));
    }
    let subject_public = spki_public_key(&subject_spki)?;

    match profile {
        Profile::Leaf { key_usage, ekus } => {
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = key_usage.iter().map(|k| k.to_rcgen()).collect();
            params.extended_key_usages = eku_purposes(ekus)?;
        }
        Profile::IntermediateCa { path_len } | Profile::RootCa { path_len } => {
            params.is_ca = IsCa::Ca(match path_len {
                Some(n) => BasicConstraints::Constrained(*n),
                None => BasicConstraints::Unconstrained,
            });
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        }
    }

    let der = match issuer_cert_der {
        None => {
            if params.distinguished_name.iter().next().is_none() {
                // RFC 5280 forbids an empty issuer, and a self-signed certificate's issuer is its
                // subject: name it after its first subject alternative name.
                let first = params.subject_alt_names.iter().find_map(|san| match san {
                    SanType::DnsName(n) | SanType::Rfc822Name(n) | SanType::URI(n) => Some(n.as_str().to_string()),
                    SanType::OtherName((_, OtherNameValue::Utf8String(upn))) => Some(upn.clone()),
                    SanType::IpAddress(ip) => Some(ip.to_string()),
                    _ => None,
                });
                if let Some(cn) = first {
                    params.distinguished_name.push(DnType::CommonName, DnValue::Utf8String(cn));
                }
            }
            if subject_public != *issuer_signer.public_key() {
                return Err(CertError::KeyMismatch(
                    "a self-signed certificate must be signed by its own key, but the signer holds a different key".into(),
                ));
            }
            params.self_signed(issuer_signer).map_err(|e| issuer_signer.explain(e))?.der().to_vec()
        }
        Some(issuer_der) => {
            if matches!(profile, Profile::RootCa { .. }) {
                return Err(CertError::bad("a root CA is self-signed: issue it without an issuer certificate"));
            }
            let issuer_info = CertificateInfo::from_der(issuer_der)?;
            if issuer_info.public_key()? != *issuer_signer.public_key() {
                return Err(CertError::KeyMismatch("the signer does not hold the issuer certificate's key".into()));
            }
            if !issuer_info.is_ca {
                return Err(CertError::bad("the issuer certificate is not a CA (its basicConstraints does not say CA:TRUE)"));
            }
            if !issuer_info.key_usage.is_empty() && !issuer_info.key_usage.contains(&KeyUsage::KeyCertSign) {
                return Err(CertError::bad("the issuer certificate's key usage does not allow signing certificates (keyCertSign)"));
            }
            if issuer_info.path_len == Some(0) && matches!(profile, Profile::IntermediateCa { .. }) {
                return Err(CertError::bad("the issuer's path length is 0: it may not issue another CA"));
            }
            let (_, issuer_cert) =
                X509Certificate::from_der(issuer_der).map_err(|_| CertError::corrupt("the issuer certificate is malformed"))?;
            let mut issuer_params = empty_params();
            issuer_params.distinguished_name = dn_from_x509_name(issuer_cert.subject(), "the issuer's subject")?;
            issuer_params.key_identifier_method = match &issuer_info.subject_key_id {
                Some(ski) => KeyIdMethod::PreSpecified(ski.clone()),
                None => KeyIdMethod::Sha256,
            };
            let issuer = Issuer::new(issuer_params, issuer_signer);
            params.use_authority_key_identifier_extension = true;
            let subject_key = rcgen::SubjectPublicKeyInfo::from_der(&subject_spki).map_err(|_| {
                CertError::unsupported("the subject's public key type cannot be certified (RSA, P-256, P-384 and P-521 can)")
            })?;
            let der = params.signed_by(&subject_key, &issuer).map_err(|e| issuer_signer.explain(e))?.der().to_vec();
            let issued = CertificateInfo::from_der(&der)?;
            if issued.issuer_der != issuer_info.subject_der {
                return Err(CertError::unsupported(
                    "the issuer's name cannot be reproduced byte for byte (it uses a string type or layout rcgen does not write)",
                ));
            }
            der
        }
    };
    if let Some(expected) = expected_subject {
        let issued = CertificateInfo::from_der(&der)?;
        if issued.subject_der != expected {
            return Err(CertError::unsupported("the CSR's subject name cannot be reproduced byte for byte"));
        }
    }
    Ok(der)
}

/// A self-signed root CA for `subject` (a subject string such as `CN=Practice Root, O=Vaultmort`),
/// with no path length limit.
pub fn root_ca(
    subject: &str,
    signer: &ProviderSigner<'_>,
    serial: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Vec<u8>, CertError> {
    let policy = CertificatePolicy::self_signed(subject);
    issue(
        SubjectSource::Policy { policy: &policy, public_key: signer.public_key() },
        None,
        signer,
        serial,
        not_before,
        not_after,
        &Profile::RootCa { path_len: None },
    )
}

/// An intermediate CA for `subject` and `public_key` that may issue only leaves (path length 0),
/// issued by the CA certificate `issuer_der`, whose key `issuer_signer` holds.
pub fn intermediate_ca(
    subject: &str,
    public_key: &PublicKey,
    issuer_der: &[u8],
    issuer_signer: &ProviderSigner<'_>,
    serial: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Vec<u8>, CertError> {
    let policy = CertificatePolicy::self_signed(subject);
    issue(
        SubjectSource::Policy { policy: &policy, public_key },
        Some(issuer_der),
        issuer_signer,
        serial,
        not_before,
        not_after,
        &Profile::IntermediateCa { path_len: Some(0) },
    )
}

/// A leaf with the policy's subject, SANs, key usages and EKUs for `public_key`, issued by the CA
/// certificate `issuer_der`, whose key `issuer_signer` holds.
pub fn issue_leaf(
    policy: &CertificatePolicy,
    public_key: &PublicKey,
    issuer_der: &[u8],
    issuer_signer: &ProviderSigner<'_>,
    serial: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Vec<u8>, CertError> {
    let profile = Profile::leaf_from_policy(policy)?;
    issue(SubjectSource::Policy { policy, public_key }, Some(issuer_der), issuer_signer, serial, not_before, not_after, &profile)
}

fn check_serial(serial: &[u8]) -> Result<Vec<u8>, CertError> {
    let first = serial.iter().position(|b| *b != 0).unwrap_or(serial.len());
    let trimmed = &serial[first..];
    if trimmed.is_empty() {
        return Err(CertError::bad("the serial number must not be zero"));
    }
    if trimmed.len() > 20 || (trimmed.len() == 20 && trimmed[0] & 0x80 != 0) {
        return Err(CertError::bad("the serial number must fit in 20 bytes as a positive integer (at most 159 bits)"));
    }
    Ok(trimmed.to_vec())
}

fn check_validity(not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> Result<(OffsetDateTime, OffsetDateTime), CertError> {
    if not_after <= not_before {
        return Err(CertError::bad("the certificate's end of validity must come after its start"));
    }
    let convert = |dt: DateTime<Utc>| {
        OffsetDateTime::from_unix_timestamp(dt.timestamp())
            .ok()
            .filter(|t| (0..=9999).contains(&t.year()))
            .ok_or_else(|| CertError::bad("validity dates must fall between the years 0 and 9999"))
    };
    Ok((convert(not_before)?, convert(not_after)?))
}

/// Parameters with nothing filled in: rcgen's defaults include a subject
/// (`CN=rcgen self signed cert`) that must never reach a certificate.
fn empty_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
}

fn apply_policy_names(params: &mut CertificateParams, policy: &CertificatePolicy) -> Result<(), CertError> {
    params.distinguished_name = match policy.subject_name()? {
        Some(name) => dn_from_subject_name(&name)?,
        None => DistinguishedName::new(),
    };
    let sans = policy.sans();
    let parsed = SubjectAltNames { dns_names: sans.dns_names, emails: sans.emails, upns: sans.upns, ..Default::default() };
    params.subject_alt_names = sans_from_parsed(&parsed)?;
    Ok(())
}

fn oid_arcs(dotted: &str) -> Result<Vec<u64>, CertError> {
    dotted.split('.').map(|a| a.parse::<u64>().map_err(|_| CertError::bad(format!("'{dotted}' is not a dotted OID")))).collect()
}

fn eku_purposes(ekus: &[String]) -> Result<Vec<ExtendedKeyUsagePurpose>, CertError> {
    ekus.iter().map(|e| oid_arcs(e).map(ExtendedKeyUsagePurpose::Other)).collect()
}

fn dn_from_subject_name(name: &SubjectName) -> Result<DistinguishedName, CertError> {
    let mut dn = DistinguishedName::new();
    let mut seen = HashSet::new();
    // The string lists the most specific attribute first; the DER name holds it last.
    for (attribute, value) in name.attributes.iter().rev() {
        if !seen.insert(attribute.oid().to_string()) {
            return Err(CertError::unsupported(format!("the subject repeats {}; each attribute may appear once", attribute.short_name())));
        }
        let dn_value = match attribute {
            NameAttribute::Country | NameAttribute::SerialNumber => {
                DnValue::PrintableString(PrintableString::try_from(value.as_str()).map_err(|_| {
                    CertError::bad(format!("{} may only hold letters, digits and simple punctuation", attribute.short_name()))
                })?)
            }
            NameAttribute::Email | NameAttribute::DomainComponent => DnValue::Ia5String(
                Ia5String::try_from(value.as_str())
                    .map_err(|_| CertError::bad(format!("{} must be ASCII text", attribute.short_name())))?,
            ),
            _ => DnValue::Utf8String(value.clone()),
        };
        dn.push(DnType::from_oid(&oid_arcs(attribute.oid())?), dn_value);
    }
    Ok(dn)
}

/// An rcgen name that re-encodes `name` with the same string types. Names that repeat an
/// attribute or use multi-valued RDNs cannot be represented and are refused.
fn dn_from_x509_name(name: &X509Name<'_>, what: &str) -> Result<DistinguishedName, CertError> {
    let mut dn = DistinguishedName::new();
    let mut seen = HashSet::new();
    for rdn in name.iter() {
        let mut attributes = rdn.iter();
        let (Some(atv), None) = (attributes.next(), attributes.next()) else {
            return Err(CertError::unsupported(format!("{what} uses a multi-valued name component, which cannot be reproduced")));
        };
        let oid = atv.attr_type().to_id_string();
        if !seen.insert(oid.clone()) {
            return Err(CertError::unsupported(format!(
                "{what} repeats the attribute {}, which cannot be reproduced",
                NameAttribute::from_oid(&oid).short_name()
            )));
        }
        let value = atv.attr_value();
        let data = value.data;
        let text = || {
            crate::parse::decode_directory_string(value.tag().0, data)
                .ok_or_else(|| CertError::corrupt(format!("{what} has an undecodable value")))
        };
        let invalid = |_| CertError::corrupt(format!("{what} has a value that does not fit its string type"));
        let dn_value = match value.tag().0 {
            12 => DnValue::Utf8String(text()?),
            19 => DnValue::PrintableString(PrintableString::try_from(text()?).map_err(invalid)?),
            22 => DnValue::Ia5String(Ia5String::try_from(text()?).map_err(invalid)?),
            20 => DnValue::TeletexString(TeletexString::try_from(text()?).map_err(invalid)?),
            30 => DnValue::BmpString(BmpString::from_utf16be(data.to_vec()).map_err(invalid)?),
            28 => DnValue::UniversalString(UniversalString::from_utf32be(data.to_vec()).map_err(invalid)?),
            other => {
                return Err(CertError::unsupported(format!("{what} uses an ASN.1 string type (tag {other}) that cannot be reproduced")));
            }
        };
        dn.push(DnType::from_oid(&oid_arcs(&oid)?), dn_value);
    }
    Ok(dn)
}

fn sans_from_parsed(sans: &SubjectAltNames) -> Result<Vec<SanType>, CertError> {
    let ascii = |value: &str, what: &str| {
        Ia5String::try_from(value)
            .map_err(|_| CertError::bad(format!("the {what} '{value}' must be ASCII (use punycode for international names)")))
    };
    let mut out = Vec::new();
    for dns in &sans.dns_names {
        out.push(SanType::DnsName(ascii(dns, "DNS name")?));
    }
    for email in &sans.emails {
        out.push(SanType::Rfc822Name(ascii(email, "email address")?));
    }
    for upn in &sans.upns {
        out.push(SanType::OtherName((oid_arcs(UPN_OID)?, OtherNameValue::Utf8String(upn.clone()))));
    }
    for ip in &sans.ip_addresses {
        out.push(SanType::IpAddress(ip.parse::<IpAddr>().map_err(|_| CertError::bad(format!("'{ip}' is not an IP address")))?));
    }
    for uri in &sans.uris {
        out.push(SanType::URI(ascii(uri, "URI")?));
    }
    Ok(out)
}
