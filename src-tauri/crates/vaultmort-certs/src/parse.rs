//! Reading certificates and CSRs: what a person (and the core) needs to know about them, and
//! collecting certificates out of PEM, DER, base64 and PKCS#7 input, ordered leaf first.
//!
//! Foreign CSRs are parsed with `x509-parser`, not rcgen, because rcgen's CSR parser rejects
//! requests carrying extensions it does not know (subjectKeyIdentifier, Microsoft's certificate
//! template); here unknown extensions are listed and otherwise ignored. A CSR's self-signature
//! is always checked (aws-lc-rs). Nothing here judges trust: chain ordering follows names and
//! key identifiers, not signatures or validity dates.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self, VerificationAlgorithm};
use base64::Engine;
use chrono::{DateTime, Utc};
use vaultmort_crypto::{Curve, PublicKey};
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::extensions::{GeneralName, ParsedExtension, X509Extension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo, X509Name};

use crate::CertError;
use crate::asn1;
use crate::key::{OID_EC, OID_RSA, curve_from_oid};
use crate::policy::{KeyUsage, NameAttribute, UPN_OID, escape_rfc4514};

const OID_EKU: &str = "2.5.29.37";
const OID_PKCS7_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

/// Subject alternative names found in a certificate or CSR.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubjectAltNames {
    /// DNS names.
    pub dns_names: Vec<String>,
    /// Email addresses (rfc822Name).
    pub emails: Vec<String>,
    /// User principal names (otherName 1.3.6.1.4.1.311.20.2.3).
    pub upns: Vec<String>,
    /// IP addresses, as text.
    pub ip_addresses: Vec<String>,
    /// URIs.
    pub uris: Vec<String>,
}

impl SubjectAltNames {
    /// Whether no name of any kind is present.
    pub fn is_empty(&self) -> bool {
        self.dns_names.is_empty() && self.emails.is_empty() && self.upns.is_empty() && self.ip_addresses.is_empty() && self.uris.is_empty()
    }
}

/// What a certificate says, read once from its DER.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateInfo {
    /// Subject as an RFC 4514 string (most specific attribute first: `CN=host,O=Org,C=US`).
    pub subject: String,
    /// Issuer, likewise.
    pub issuer: String,
    /// Serial number, upper-case hex without leading zeros (as `openssl x509 -serial` prints it).
    pub serial: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// Subject alternative names.
    pub sans: SubjectAltNames,
    /// Extended key usage OIDs, in certificate order.
    pub ekus: Vec<String>,
    /// Key usages.
    pub key_usage: Vec<KeyUsage>,
    /// Whether basicConstraints says CA:TRUE.
    pub is_ca: bool,
    /// The CA's path length constraint, if any.
    pub path_len: Option<u32>,
    /// DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// SHA-1 thumbprint of the DER (Key Vault's `x5t`, before base64url).
    pub x5t: Vec<u8>,
    /// SHA-256 thumbprint of the DER.
    pub sha256_thumbprint: Vec<u8>,
    /// subjectKeyIdentifier, if present.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier's key identifier, if present.
    pub authority_key_id: Option<Vec<u8>>,
    /// Whether subject and issuer are the same name.
    pub self_issued: bool,
    /// DER of the subject Name.
    pub subject_der: Vec<u8>,
    /// DER of the issuer Name.
    pub issuer_der: Vec<u8>,
}

impl CertificateInfo {
    /// Parses one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let (rest, cert) = X509Certificate::from_der(der).map_err(|_| CertError::corrupt("this is not an X.509 certificate"))?;
        if !rest.is_empty() {
            return Err(CertError::corrupt("the certificate is followed by unexpected bytes"));
        }
        let summary = summarize_extensions(cert.extensions().iter());
        let validity = cert.validity();
        let subject_der = cert.subject().as_raw().to_vec();
        let issuer_der = cert.issuer().as_raw().to_vec();
        Ok(CertificateInfo {
            subject: name_to_rfc4514(cert.subject()),
            issuer: name_to_rfc4514(cert.issuer()),
            serial: serial_hex(cert.raw_serial()),
            not_before: to_chrono(validity.not_before.timestamp())?,
            not_after: to_chrono(validity.not_after.timestamp())?,
            sans: summary.sans,
            ekus: summary.ekus,
            key_usage: summary.key_usage,
            is_ca: summary.is_ca,
            path_len: summary.path_len,
            spki_der: cert.public_key().raw.to_vec(),
            x5t: digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref().to_vec(),
            sha256_thumbprint: digest::digest(&digest::SHA256, der).as_ref().to_vec(),
            subject_key_id: summary.subject_key_id,
            authority_key_id: summary.authority_key_id,
            self_issued: subject_der == issuer_der,
            subject_der,
            issuer_der,
        })
    }

    /// The certificate's public key (RSA, or EC on P-256, P-384, P-521 or P-256K).
    pub fn public_key(&self) -> Result<PublicKey, CertError> {
        spki_public_key(&self.spki_der)
    }

    /// The subject as Key Vault writes it in policies: `CN=host, O=Org, S=WA, C=US`.
    pub fn subject_key_vault_style(&self) -> String {
        X509Name::from_der(&self.subject_der).map(|(_, name)| name_to_key_vault_style(&name)).unwrap_or_else(|_| self.subject.clone())
    }

    /// Key Vault's `x5t`: the SHA-1 thumbprint, base64url without padding.
    pub fn x5t_base64url(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.x5t)
    }
}

/// What a certificate signing request asks for, after its signature has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CsrInfo {
    /// The CSR's DER.
    pub der: Vec<u8>,
    /// Subject as an RFC 4514 string.
    pub subject: String,
    /// DER of the subject Name.
    pub subject_der: Vec<u8>,
    /// The requested public key.
    pub public_key: PublicKey,
    /// DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// Requested subject alternative names.
    pub sans: SubjectAltNames,
    /// Requested extended key usages.
    pub ekus: Vec<String>,
    /// Requested key usages.
    pub key_usage: Vec<KeyUsage>,
    /// Every requested extension's OID, known or not (in request order).
    pub extension_oids: Vec<String>,
}

impl CsrInfo {
    /// Parses a DER CSR and verifies its self-signature. Extensions this crate does not know
    /// (subjectKeyIdentifier, Microsoft's certificate template, ...) are listed, not refused.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let (rest, csr) =
            X509CertificationRequest::from_der(der).map_err(|_| CertError::corrupt("this is not a PKCS#10 certificate signing request"))?;
        if !rest.is_empty() {
            return Err(CertError::corrupt("the CSR is followed by unexpected bytes"));
        }
        let info = &csr.certification_request_info;
        verify_signature(&info.subject_pki, &csr.signature_algorithm, &csr.signature_value.data, info.raw).map_err(|e| match e {
            CertError::Corrupt(_) => CertError::corrupt("the CSR's signature does not verify with its own public key"),
            other => other,
        })?;
        let spki_der = info.subject_pki.raw.to_vec();
        let public_key = spki_public_key(&spki_der)?;
        let mut extensions: Vec<&X509Extension<'_>> = Vec::new();
        for attribute in info.iter_attributes() {
            if let ParsedCriAttribute::ExtensionRequest(request) = attribute.parsed_attribute() {
                extensions.extend(request.extensions.iter());
            }
        }
        let summary = summarize_extensions(extensions.into_iter());
        Ok(CsrInfo {
            der: der.to_vec(),
            subject: name_to_rfc4514(&info.subject),
            subject_der: info.subject.as_raw().to_vec(),
            public_key,
            spki_der,
            sans: summary.sans,
            ekus: summary.ekus,
            key_usage: summary.key_usage,
            extension_oids: summary.oids,
        })
    }

    /// Parses a CSR given as PEM (`CERTIFICATE REQUEST` or `NEW CERTIFICATE REQUEST`), base64 or DER.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CertError> {
        if let Some(text) = as_text(bytes)
            && text.contains("-----BEGIN")
        {
            let blocks = ::pem::parse_many(text).map_err(|_| CertError::corrupt("the PEM text is malformed"))?;
            let block = blocks
                .iter()
                .find(|b| b.tag() == "CERTIFICATE REQUEST" || b.tag() == "NEW CERTIFICATE REQUEST")
                .ok_or_else(|| CertError::corrupt("the PEM text has no CERTIFICATE REQUEST block"))?;
            return Self::from_der(block.contents());
        }
        if let Some(decoded) = decode_base64_text(bytes) {
            return Self::from_der(&decoded);
        }
        Self::from_der(bytes)
    }
}

#[derive(Default)]
struct ExtensionSummary {
    sans: SubjectAltNames,
    ekus: Vec<String>,
    key_usage: Vec<KeyUsage>,
    is_ca: bool,
    path_len: Option<u32>,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    oids: Vec<String>,
}

fn summarize_extensions<'a, 'b: 'a>(extensions: impl Iterator<Item = &'a X509Extension<'b>>) -> ExtensionSummary {
    let mut out = ExtensionSummary::default();
    for ext in extensions {
        let oid = ext.oid.to_id_string();
        if oid == OID_EKU {
            out.ekus = parse_eku(ext.value);
        }
        match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => {
                for name in &san.general_names {
                    add_general_name(&mut out.sans, name);
                }
            }
            ParsedExtension::KeyUsage(ku) => {
                let flags = [
                    (ku.digital_signature(), KeyUsage::DigitalSignature),
                    (ku.non_repudiation(), KeyUsage::NonRepudiation),
                    (ku.key_encipherment(), KeyUsage::KeyEncipherment),
                    (ku.data_encipherment(), KeyUsage::DataEncipherment),
                    (ku.key_agreement(), KeyUsage::KeyAgreement),
                    (ku.key_cert_sign(), KeyUsage::KeyCertSign),
                    (ku.crl_sign(), KeyUsage::CrlSign),
                    (ku.encipher_only(), KeyUsage::EncipherOnly),
                    (ku.decipher_only(), KeyUsage::DecipherOnly),
                ];
                out.key_usage = flags.into_iter().filter(|(set, _)| *set).map(|(_, k)| k).collect();
            }
            ParsedExtension::BasicConstraints(bc) => {
                out.is_ca = bc.ca;
                out.path_len = bc.path_len_constraint;
            }
            ParsedExtension::SubjectKeyIdentifier(id) => out.subject_key_id = Some(id.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(aki) => out.authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec()),
            _ => {}
        }
        out.oids.push(oid);
    }
    out
}

fn parse_eku(value: &[u8]) -> Vec<String> {
    asn1::read_all(value)
        .filter(|t| t.tag == asn1::SEQUENCE)
        .and_then(|seq| asn1::children(seq.content))
        .map(|oids| oids.iter().filter(|t| t.tag == asn1::OID).filter_map(|t| asn1::oid_to_dotted(t.content)).collect())
        .unwrap_or_default()
}

fn add_general_name(sans: &mut SubjectAltNames, name: &GeneralName<'_>) {
    match name {
        GeneralName::DNSName(d) => sans.dns_names.push((*d).to_string()),
        GeneralName::RFC822Name(e) => sans.emails.push((*e).to_string()),
        GeneralName::URI(u) => sans.uris.push((*u).to_string()),
        GeneralName::IPAddress(bytes) => {
            if let Ok(v4) = <[u8; 4]>::try_from(*bytes) {
                sans.ip_addresses.push(std::net::Ipv4Addr::from(v4).to_string());
            } else if let Ok(v6) = <[u8; 16]>::try_from(*bytes) {
                sans.ip_addresses.push(std::net::Ipv6Addr::from(v6).to_string());
            }
        }
        GeneralName::OtherName(oid, value) if oid.to_id_string() == UPN_OID => {
            // value is `[0] EXPLICIT UTF8String`
            if let Some(upn) = asn1::read_all(value)
                .filter(|t| t.tag == 0xa0)
                .and_then(|t| asn1::read_all(t.content))
                .filter(|t| t.tag == 0x0c)
                .and_then(|t| std::str::from_utf8(t.content).ok())
            {
                sans.upns.push(upn.to_string());
            }
        }
        _ => {}
    }
}

/// An RFC 4514 string for a Name: RDNs from last to first, multi-valued RDNs joined with `+`.
pub(crate) fn name_to_rfc4514(name: &X509Name<'_>) -> String {
    format_name(name, ",", false)
}

/// A Name as Key Vault writes subjects: most specific first, `, ` between parts, `S` for the state.
pub(crate) fn name_to_key_vault_style(name: &X509Name<'_>) -> String {
    format_name(name, ", ", true)
}

fn format_name(name: &X509Name<'_>, separator: &str, windows_labels: bool) -> String {
    let rdns: Vec<String> = name
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let attribute = NameAttribute::from_oid(&atv.attr_type().to_id_string());
                    let label = if windows_labels && attribute == NameAttribute::State { "S" } else { attribute.short_name() };
                    let value = atv.attr_value();
                    match decode_directory_string(value.tag().0, value.data) {
                        Some(text) => format!("{label}={}", escape_rfc4514(&text)),
                        None => format!("{}=#{}", attribute.oid(), hex::encode(value.data)),
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(separator)
}

/// The text of a directory string (UTF8, Printable, IA5, Teletex as Latin-1, BMP, Universal, Numeric, Visible).
pub(crate) fn decode_directory_string(tag: u32, data: &[u8]) -> Option<String> {
    match tag {
        12 | 19 | 22 | 18 | 26 => std::str::from_utf8(data).ok().map(str::to_string),
        20 => Some(data.iter().map(|b| char::from(*b)).collect()),
        30 => {
            if !data.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = data.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16(&units).ok()
        }
        28 => {
            if !data.len().is_multiple_of(4) {
                return None;
            }
            data.chunks(4).map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))).collect()
        }
        _ => None,
    }
}

fn serial_hex(raw: &[u8]) -> String {
    let first = raw.iter().position(|b| *b != 0).unwrap_or(raw.len().saturating_sub(1));
    hex::encode_upper(&raw[first..])
}

fn to_chrono(seconds: i64) -> Result<DateTime<Utc>, CertError> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| CertError::corrupt("a validity date is out of range"))
}

/// The public key in a DER SubjectPublicKeyInfo: RSA, or EC on P-256, P-384, P-521 or P-256K.
pub fn spki_public_key(spki_der: &[u8]) -> Result<PublicKey, CertError> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der).map_err(|_| CertError::corrupt("the public key info is malformed"))?;
    let oid = spki.algorithm.algorithm.to_id_string();
    if oid == OID_RSA {
        match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => Ok(PublicKey::rsa(rsa.modulus, rsa.exponent)),
            _ => Err(CertError::corrupt("the RSA public key is malformed")),
        }
    } else if oid == OID_EC {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .and_then(|o| curve_from_oid(&o.to_id_string()))
            .ok_or_else(|| CertError::unsupported("the EC public key is on a curve other than P-256, P-384, P-521 or P-256K"))?;
        PublicKey::ec_from_point(curve, &spki.subject_public_key.data)
            .map_err(|_| CertError::unsupported("only uncompressed EC public keys are supported"))
    } else {
        Err(CertError::unsupported(format!("public keys of algorithm {oid} are not supported; Key Vault uses RSA and EC")))
    }
}

fn verification_algorithm(
    spki: &SubjectPublicKeyInfo<'_>,
    algorithm: &AlgorithmIdentifier<'_>,
) -> Result<&'static dyn VerificationAlgorithm, CertError> {
    let oid = algorithm.algorithm.to_id_string();
    let unsupported = || CertError::unsupported(format!("signature algorithm {oid} is not supported"));
    let curve = || {
        spki.algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .and_then(|o| curve_from_oid(&o.to_id_string()))
            .ok_or_else(unsupported)
    };
    Ok(match oid.as_str() {
        "1.2.840.113549.1.1.5" => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        "1.2.840.113549.1.1.11" => &signature::RSA_PKCS1_2048_8192_SHA256,
        "1.2.840.113549.1.1.12" => &signature::RSA_PKCS1_2048_8192_SHA384,
        "1.2.840.113549.1.1.13" => &signature::RSA_PKCS1_2048_8192_SHA512,
        "1.2.840.113549.1.1.10" => {
            // RSASSA-PSS-params: [0] hashAlgorithm (SHA-1 when absent, which is not supported).
            let hash = algorithm
                .parameters
                .as_ref()
                .and_then(|p| asn1::children(p.data))
                .and_then(|fields| fields.into_iter().find(|f| f.tag == 0xa0))
                .and_then(|h| asn1::read_all(h.content))
                .and_then(|alg| asn1::children(alg.content))
                .and_then(|f| f.first().and_then(|o| asn1::oid_to_dotted(o.content)));
            match hash.as_deref() {
                Some("2.16.840.1.101.3.4.2.1") => &signature::RSA_PSS_2048_8192_SHA256,
                Some("2.16.840.1.101.3.4.2.2") => &signature::RSA_PSS_2048_8192_SHA384,
                Some("2.16.840.1.101.3.4.2.3") => &signature::RSA_PSS_2048_8192_SHA512,
                _ => return Err(unsupported()),
            }
        }
        "1.2.840.10045.4.3.2" => match curve()? {
            Curve::P256 => &signature::ECDSA_P256_SHA256_ASN1,
            Curve::P384 => &signature::ECDSA_P384_SHA256_ASN1,
            Curve::P521 => &signature::ECDSA_P521_SHA256_ASN1,
            Curve::P256K => &signature::ECDSA_P256K1_SHA256_ASN1,
        },
        "1.2.840.10045.4.3.3" => match curve()? {
            Curve::P256 => &signature::ECDSA_P256_SHA384_ASN1,
            Curve::P384 => &signature::ECDSA_P384_SHA384_ASN1,
            Curve::P521 => &signature::ECDSA_P521_SHA384_ASN1,
            Curve::P256K => return Err(unsupported()),
        },
        "1.2.840.10045.4.3.4" => match curve()? {
            Curve::P256 => &signature::ECDSA_P256_SHA512_ASN1,
            Curve::P384 => &signature::ECDSA_P384_SHA512_ASN1,
            Curve::P521 => &signature::ECDSA_P521_SHA512_ASN1,
            Curve::P256K => return Err(unsupported()),
        },
        _ => return Err(unsupported()),
    })
}

/// Checks a signature over `data` made by the key in `spki`.
pub(crate) fn verify_signature(
    spki: &SubjectPublicKeyInfo<'_>,
    algorithm: &AlgorithmIdentifier<'_>,
    signature_bytes: &[u8],
    data: &[u8],
) -> Result<(), CertError> {
    let verifier = verification_algorithm(spki, algorithm)?;
    signature::UnparsedPublicKey::new(verifier, &spki.subject_public_key.data)
        .verify(data, signature_bytes)
        .map_err(|_| CertError::corrupt("the signature does not verify"))
}

/// Whether the certificate `child_der` was signed by the key of `issuer_der`.
pub fn is_signed_by(child_der: &[u8], issuer_der: &[u8]) -> bool {
    let (Ok((_, child)), Ok((_, issuer))) = (X509Certificate::from_der(child_der), X509Certificate::from_der(issuer_der)) else {
        return false;
    };
    verify_signature(issuer.public_key(), &child.signature_algorithm, &child.signature_value.data, child.tbs_certificate.as_ref()).is_ok()
}

pub(crate) fn as_text(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    Some(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Decodes input that is only base64 text (whitespace allowed), as Key Vault's secret values
/// and `cer` fields carry certificates and PFX files.
pub(crate) fn decode_base64_text(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = as_text(bytes)?;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 16 || !compact.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_')) {
        return None;
    }
    let engines = [&base64::engine::general_purpose::STANDARD, &base64::engine::general_purpose::URL_SAFE];
    let decoded = engines.iter().find_map(|e| e.decode(&compact).ok()).or_else(|| {
        let trimmed = compact.trim_end_matches('=');
        [&base64::engine::general_purpose::STANDARD_NO_PAD, &base64::engine::general_purpose::URL_SAFE_NO_PAD]
            .iter()
            .find_map(|e| e.decode(trimmed).ok())
    })?;
    (decoded.first() == Some(&asn1::SEQUENCE)).then_some(decoded)
}

/// The certificates inside a PKCS#7 ContentInfo (SignedData; certificates-only is typical).
pub(crate) fn pkcs7_certificates(der: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    let bad = || CertError::corrupt("the PKCS#7 structure is malformed");
    let content_info = asn1::read(der).map(|(t, _)| t).filter(|t| t.tag == asn1::SEQUENCE).ok_or_else(bad)?;
    let fields = asn1::children(content_info.content).ok_or_else(bad)?;
    let content_type = fields.first().ok_or_else(bad)?;
    if !asn1::is_oid(content_type, OID_PKCS7_SIGNED_DATA) {
        return Err(CertError::unsupported("this PKCS#7 file is not SignedData, so it carries no certificates"));
    }
    let explicit = fields.get(1).filter(|t| t.tag == 0xa0).ok_or_else(bad)?;
    let signed_data = asn1::read(explicit.content).map(|(t, _)| t).filter(|t| t.tag == asn1::SEQUENCE).ok_or_else(bad)?;
    let mut certs = Vec::new();
    for field in asn1::children(signed_data.content).ok_or_else(bad)? {
        // certificates [0] IMPLICIT SET OF CertificateChoices
        if field.tag == 0xa0 {
            for choice in asn1::children(field.content).ok_or_else(bad)? {
                if choice.tag == asn1::SEQUENCE {
                    certs.push(choice.raw.to_vec());
                }
            }
        }
    }
    Ok(certs)
}

fn is_pkcs7(der: &[u8]) -> bool {
    asn1::read(der)
        .filter(|(t, _)| t.tag == asn1::SEQUENCE)
        .and_then(|(t, _)| asn1::children(t.content))
        .and_then(|f| f.first().copied())
        .is_some_and(|oid| asn1::is_oid(&oid, OID_PKCS7_SIGNED_DATA))
}

/// Every certificate in `bytes`, leaf first: PEM with one or more `CERTIFICATE` blocks (other
/// blocks such as keys are skipped; `PKCS7` blocks are opened), a single DER certificate,
/// PKCS#7 SignedData in DER or PEM (`openssl crl2pkcs7 -nocrl` output, Windows `.p7b`), or any
/// of these in base64.
pub fn certificates_from(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    let certs = collect_certificates(bytes)?;
    if certs.is_empty() {
        return Err(CertError::corrupt("no certificate was found"));
    }
    for der in &certs {
        CertificateInfo::from_der(der)?;
    }
    Ok(order_chain(certs))
}

fn collect_certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    if let Some(text) = as_text(bytes)
        && text.contains("-----BEGIN")
    {
        let blocks = ::pem::parse_many(text).map_err(|_| CertError::corrupt("the PEM text is malformed"))?;
        let mut certs = Vec::new();
        for block in &blocks {
            match block.tag() {
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => certs.push(certificate_prefix(block.contents())),
                "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS" => certs.extend(pkcs7_certificates(block.contents())?),
                _ => {}
            }
        }
        return Ok(certs);
    }
    if let Some(decoded) = decode_base64_text(bytes) {
        return collect_certificates(&decoded);
    }
    if is_pkcs7(bytes) {
        return pkcs7_certificates(bytes);
    }
    if X509Certificate::from_der(bytes).is_ok() {
        let (cert, rest) = asn1::read(bytes).ok_or_else(|| CertError::corrupt("the certificate is malformed"))?;
        if !rest.is_empty() {
            return Err(CertError::corrupt("the certificate is followed by unexpected bytes"));
        }
        return Ok(vec![cert.raw.to_vec()]);
    }
    Err(CertError::corrupt("this is not a certificate in PEM, DER, base64 or PKCS#7 form"))
}

/// A `TRUSTED CERTIFICATE` block carries trust settings after the certificate; keep only the certificate.
fn certificate_prefix(der: &[u8]) -> Vec<u8> {
    asn1::read(der).map(|(t, _)| t.raw.to_vec()).unwrap_or_else(|| der.to_vec())
}

/// Orders certificates leaf first: the leaf is the certificate that issued none of the others;
/// each next one is the issuer of the one before (by name, and by key identifier where both
/// carry one). Duplicates are dropped; certificates outside the path follow in input order.
pub fn order_chain(certs: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut unique: Vec<Vec<u8>> = Vec::new();
    for der in certs {
        if !unique.contains(&der) {
            unique.push(der);
        }
    }
    let infos: Vec<Option<CertificateInfo>> = unique.iter().map(|d| CertificateInfo::from_der(d).ok()).collect();
    let issues = |issuer: &CertificateInfo, child: &CertificateInfo| {
        child.issuer_der == issuer.subject_der
            && match (&child.authority_key_id, &issuer.subject_key_id) {
                (Some(aki), Some(ski)) => aki == ski,
                _ => true,
            }
    };
    let n = unique.len();
    let issued_another = |i: usize| {
        let Some(me) = &infos[i] else { return false };
        (0..n).any(|j| j != i && infos[j].as_ref().is_some_and(|other| other.subject_der != me.subject_der && issues(me, other)))
    };
    let Some(leaf) = (0..n).find(|i| infos[*i].is_some() && !issued_another(*i)) else {
        return unique;
    };
    let mut order = vec![leaf];
    while let Some(Some(current)) = order.last().and_then(|i| infos.get(*i)) {
        if current.self_issued {
            break;
        }
        match (0..n).find(|j| !order.contains(j) && infos[*j].as_ref().is_some_and(|cand| issues(cand, current))) {
            Some(j) => order.push(j),
            None => break,
        }
    }
    let mut out: Vec<Vec<u8>> = order.iter().map(|i| unique[*i].clone()).collect();
    for (i, der) in unique.iter().enumerate() {
        if !order.contains(&i) {
            out.push(der.clone());
        }
    }
    out
}
