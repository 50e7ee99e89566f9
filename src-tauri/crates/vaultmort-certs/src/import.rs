//! Reading a certificate file that someone wants to import: which format it is, whether it needs a
//! password, what it holds (a preview for the import wizard), and the key with its chain.
//!
//! The same reading serves the preview and the import itself, so what the wizard shows is what
//! the import stores. Nothing here touches a vault; the core decides where the result goes.
//! Left out: the private key in the preview (only its type and size are described).

use crate::detect::{Format, detect_format};
use crate::error::CertError;
use crate::parse::{CertificateInfo, certificates_from};
use crate::pfx::KeyAndChain;
use vaultmort_crypto::KeySpec;

/// Reads the private key and chain from a PFX or PEM file, as an import needs them.
///
/// A DER certificate or PKCS#7 bundle has no private key and is refused with `NoPrivateKey`; a
/// file in none of the formats gets `CorruptInput` with a message saying what it looks like.
pub fn read_key_and_chain(bytes: &[u8], password: Option<&str>) -> Result<KeyAndChain, CertError> {
    match detect_format(bytes) {
        Format::Pfx => crate::pfx::read_pfx(bytes, password),
        Format::Pem => crate::pem::read_pem_bundle_bytes(bytes, password),
        Format::Der | Format::Pkcs7 => Err(CertError::NoPrivateKey),
        Format::Unknown => Err(CertError::Corrupt(unknown_format_message(bytes).to_string())),
    }
}

/// Why a file in no known format cannot be read, in words for the person importing it.
fn unknown_format_message(bytes: &[u8]) -> &'static str {
    if bytes.is_empty() {
        "the file is empty: import a PFX file, or a PEM file with the certificate and its PKCS#8 private key"
    } else if std::str::from_utf8(bytes).is_ok() {
        "the file is text without any PEM block (no `BEGIN CERTIFICATE` line): import a PFX file, or a PEM file with the certificate and its PKCS#8 private key"
    } else {
        "the file is not a PFX (PKCS#12) file, a PEM bundle or a certificate: it is damaged (truncated or altered) or in another format"
    }
}

/// The file format, in the words the wizard shows.
pub fn format_name(format: Format) -> &'static str {
    match format {
        Format::Pfx => "PFX (PKCS#12)",
        Format::Pem => "PEM",
        Format::Der => "DER certificate",
        Format::Pkcs7 => "PKCS#7 bundle",
        Format::Unknown => "unknown",
    }
}

/// One certificate of a previewed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewCertificate {
    /// What the certificate says.
    pub info: CertificateInfo,
    /// Its public key type and size (`RSA 2048`, `EC P-256`).
    pub key: String,
}

/// What a file holds, shown before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPreview {
    /// The detected format.
    pub format: Format,
    /// The file is protected and no (or an empty) password was given: ask for one and preview
    /// again. The other fields are then empty.
    pub needs_password: bool,
    /// Whether the file holds a private key (an import needs one).
    pub has_private_key: bool,
    /// The certificates, the key's certificate first, then its issuers.
    pub chain: Vec<PreviewCertificate>,
}

impl ImportPreview {
    /// The certificate the key belongs to, when there is one.
    pub fn leaf(&self) -> Option<&PreviewCertificate> {
        self.chain.first()
    }
}

/// Previews `bytes`: format, password need, certificates and key.
///
/// A missing password is not an error here (the preview says `needs_password`); a wrong one is
/// (`WrongPassword`), as is a damaged file. A key that does not belong to the certificate is
/// refused with `KeyMismatch`, so the wizard never offers an import that would fail.
pub fn preview(bytes: &[u8], password: Option<&str>) -> Result<ImportPreview, CertError> {
    let format = detect_format(bytes);
    let empty = |needs_password| ImportPreview { format, needs_password, has_private_key: false, chain: Vec::new() };
    let (has_private_key, chain) = match format {
        Format::Pfx | Format::Pem => match read_key_and_chain(bytes, password) {
            Ok(bundle) => {
                check_key_matches(&bundle)?;
                (true, bundle.chain)
            }
            Err(CertError::PasswordRequired) => return Ok(empty(true)),
            // A PEM file of certificates alone still previews; importing it is refused later.
            Err(CertError::NoPrivateKey) => (false, certificates_from(bytes)?),
            Err(other) => return Err(other),
        },
        Format::Der | Format::Pkcs7 => (false, certificates_from(bytes)?),
        Format::Unknown => return Err(CertError::Corrupt(unknown_format_message(bytes).to_string())),
    };
    let chain = chain
        .iter()
        .map(|der| {
            let info = CertificateInfo::from_der(der)?;
            let key = describe_key(info.public_key()?.spec());
            Ok(PreviewCertificate { info, key })
        })
        .collect::<Result<Vec<_>, CertError>>()?;
    if chain.is_empty() {
        return Err(CertError::NoCertificate);
    }
    Ok(ImportPreview { format, needs_password: false, has_private_key, chain })
}

/// Refuses a bundle whose private key is not the leaf certificate's.
fn check_key_matches(bundle: &KeyAndChain) -> Result<(), CertError> {
    let leaf = bundle.chain.first().ok_or(CertError::NoCertificate)?;
    let certificate_key = CertificateInfo::from_der(leaf)?.public_key()?;
    let private_key_public = crate::key::pkcs8_public_key(&bundle.key_pkcs8)?;
    if certificate_key == private_key_public {
        Ok(())
    } else {
        Err(CertError::KeyMismatch("the file's private key belongs to another certificate".into()))
    }
}

/// `RSA 2048` or `EC P-256`.
pub fn describe_key(spec: KeySpec) -> String {
    match spec {
        KeySpec::Rsa { bits } => format!("RSA {bits}"),
        KeySpec::Ec { curve } => format!("EC {curve}"),
    }
}
