//! PEM bundles: a PKCS#8 private key (plain, or encrypted with PBES2 as `openssl pkcs8 -topk8
//! -v2 aes-256-cbc` writes it) with its certificates, as Key Vault imports and exports them.
//!
//! Key Vault only takes PKCS#8 keys, so traditional `RSA PRIVATE KEY` / `EC PRIVATE KEY` blocks
//! are refused with the `openssl pkcs8 -topk8` command that converts them. Written bundles put the
//! key first (`PRIVATE KEY`), then the certificates leaf first, as Key Vault's PEM secrets do.

use zeroize::Zeroizing;

use crate::CertError;
use crate::key::check_key_matches;
use crate::parse::{CertificateInfo, as_text, pkcs7_certificates};
use crate::pfx::{KeyAndChain, order_from_leaf};

const TRADITIONAL_LABELS: [&str; 4] = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY"];

/// Reads a PEM bundle: one PKCS#8 key (`PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` opened with
/// `password`) and its certificates (`CERTIFICATE` blocks, or a `PKCS7` block), returned leaf first.
pub fn read_pem_bundle(text: &str, password: Option<&str>) -> Result<KeyAndChain, CertError> {
    for label in TRADITIONAL_LABELS {
        if text.contains(&format!("-----BEGIN {label}-----")) {
            return Err(CertError::TraditionalKey { label: label.to_string() });
        }
    }
    let blocks =
        ::pem::parse_many(text).map_err(|_| CertError::corrupt("the PEM text is malformed (a block's base64 or its BEGIN/END lines)"))?;
    if blocks.is_empty() {
        return Err(CertError::corrupt("the text holds no PEM block"));
    }
    let mut keys: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    let mut certs: Vec<Vec<u8>> = Vec::new();
    for block in &blocks {
        match block.tag() {
            "PRIVATE KEY" => keys.push(Zeroizing::new(block.contents().to_vec())),
            "ENCRYPTED PRIVATE KEY" => keys.push(decrypt_pkcs8(block.contents(), password)?),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                let der = crate::asn1::read(block.contents()).map(|(t, _)| t.raw.to_vec()).unwrap_or_else(|| block.contents().to_vec());
                certs.push(der);
            }
            "PKCS7" => certs.extend(pkcs7_certificates(block.contents())?),
            _ => {}
        }
    }
    if keys.len() > 1 {
        return Err(CertError::bad(format!("the bundle holds {} private keys; a certificate takes exactly one", keys.len())));
    }
    let key = keys.pop().ok_or(CertError::NoPrivateKey)?;
    if certs.is_empty() {
        return Err(CertError::NoCertificate);
    }
    let public = crate::key::pkcs8_public_key(&key)?;
    let infos: Vec<CertificateInfo> = certs.iter().map(|c| CertificateInfo::from_der(c)).collect::<Result<_, _>>()?;
    let leaf = infos.iter().position(|i| i.public_key().ok().as_ref() == Some(&public)).ok_or_else(|| {
        CertError::KeyMismatch(format!(
            "the private key ({}) belongs to none of the {} certificate(s)",
            public.spec().describe(),
            certs.len()
        ))
    })?;
    let leaf_der = certs.remove(leaf);
    let mut chain = vec![leaf_der.clone()];
    chain.extend(order_from_leaf(&leaf_der, certs));
    Ok(KeyAndChain { key_pkcs8: key, chain })
}

/// Reads a PEM bundle given as bytes (UTF-8, with or without a byte-order mark).
pub fn read_pem_bundle_bytes(bytes: &[u8], password: Option<&str>) -> Result<KeyAndChain, CertError> {
    let text = as_text(bytes).ok_or_else(|| CertError::corrupt("the PEM file is not text"))?;
    read_pem_bundle(text, password)
}

pub(crate) fn decrypt_pkcs8(der: &[u8], password: Option<&str>) -> Result<Zeroizing<Vec<u8>>, CertError> {
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der)
        .map_err(|_| CertError::corrupt("the ENCRYPTED PRIVATE KEY block is not PKCS#8 EncryptedPrivateKeyInfo"))?;
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Err(CertError::PasswordRequired);
    };
    match info.decrypt(password.as_bytes()) {
        Ok(document) => Ok(Zeroizing::new(document.as_bytes().to_vec())),
        Err(pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::AlgorithmParametersInvalid { .. }))
        | Err(pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm { .. })) => Err(CertError::unsupported(
            "the key is encrypted with a scheme this app cannot open; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
        )),
        Err(_) => Err(CertError::WrongPassword),
    }
}

/// Writes a PEM bundle: the PKCS#8 key first (as `PRIVATE KEY`, when given), then the chain.
/// The key, when given, must belong to the first certificate.
pub fn write_pem(chain: &[Vec<u8>], key_pkcs8: Option<&[u8]>) -> Result<Zeroizing<String>, CertError> {
    let mut out = Zeroizing::new(String::new());
    if let Some(key) = key_pkcs8 {
        let leaf = chain.first().ok_or_else(|| CertError::bad("a key needs its certificate in the bundle"))?;
        check_key_matches(key, &CertificateInfo::from_der(leaf)?.public_key()?)?;
        out.push_str(&vaultmort_crypto::pem::encode("PRIVATE KEY", key));
    }
    for der in chain {
        CertificateInfo::from_der(der)?;
        out.push_str(&vaultmort_crypto::pem::encode("CERTIFICATE", der));
    }
    Ok(out)
}
