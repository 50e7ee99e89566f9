//! Telling file formats apart, for the import wizard: PFX, PEM, a DER certificate or PKCS#7.
//!
//! Detection looks at structure only (no password is tried, except by [`needs_password`], which
//! tries the empty one). Base64 text is decoded first, since Key Vault's secret values and `cer`
//! fields carry PFX files and certificates that way.

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use crate::parse::{as_text, decode_base64_text, pkcs7_certificates};
use crate::pfx::looks_like_pfx;

pub use crate::pfx::needs_password;

/// A certificate file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PKCS#12 (`.pfx`, `.p12`).
    Pfx,
    /// PEM text (certificates and perhaps a key).
    Pem,
    /// One DER certificate (`.cer`, `.der`).
    Der,
    /// PKCS#7 SignedData with certificates (`.p7b`), in DER or as a PEM `PKCS7` block.
    Pkcs7,
    /// None of these.
    Unknown,
}

/// Which format `bytes` is in ([`Format::Unknown`] when it is none of them).
pub fn detect_format(bytes: &[u8]) -> Format {
    if let Some(text) = as_text(bytes)
        && text.contains("-----BEGIN ")
    {
        let only_pkcs7 =
            text.contains("-----BEGIN PKCS7-----") && !text.contains("-----BEGIN CERTIFICATE-----") && !text.contains("PRIVATE KEY-----");
        return if only_pkcs7 { Format::Pkcs7 } else { Format::Pem };
    }
    if let Some(decoded) = decode_base64_text(bytes) {
        return detect_der(&decoded);
    }
    detect_der(bytes)
}

fn detect_der(bytes: &[u8]) -> Format {
    if looks_like_pfx(bytes) {
        Format::Pfx
    } else if pkcs7_certificates(bytes).is_ok() {
        Format::Pkcs7
    } else if matches!(X509Certificate::from_der(bytes), Ok((rest, _)) if rest.is_empty()) {
        Format::Der
    } else {
        Format::Unknown
    }
}
