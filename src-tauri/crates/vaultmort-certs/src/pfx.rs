//! PFX (PKCS#12) files: reading what people import, and writing what Key Vault hands out.
//!
//! Reading accepts OpenSSL 3's default files (PBES2: AES-256-CBC with PBKDF2), `-legacy` files
//! (RC2-40 and 3DES with SHA-1 MACs), unencrypted files (`-keypbe NONE -certpbe NONE`, with or
//! without a MAC), empty passwords, chains and EC keys; the file may also be given as base64
//! text, as Key Vault's certificate secrets hold it. Failures are told apart: the wrong
//! password, no private key, a key that does not match the certificate, damage, or something
//! unsupported.
//!
//! Writing uses PBES2 (AES-256-CBC, PBKDF2-HMAC-SHA256) for key and certificates and an
//! HMAC-SHA256 MAC, which OpenSSL 3 reads with its default settings, also with an empty
//! password (a Key Vault certificate secret is a PFX with no password).
//!
//! Left out: PFX files with several unrelated keys (the key matching a certificate is taken),
//! and secret bags.

use p12_keystore::error::Error as P12Error;
use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, Pkcs12Archive, PrivateKey, PrivateKeyChain};
use zeroize::Zeroizing;

use crate::key::{check_key_matches, pkcs8_public_key};
use crate::parse::{CertificateInfo, decode_base64_text, order_chain};
use crate::{CertError, asn1};

const OID_DATA: &str = "1.2.840.113549.1.7.1";
const OID_ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const OID_SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";

/// A private key with its certificate chain, leaf first.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyAndChain {
    /// The private key, PKCS#8 DER.
    pub key_pkcs8: Zeroizing<Vec<u8>>,
    /// DER certificates: the key's certificate first, then its issuers, then any others.
    pub chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for KeyAndChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyAndChain")
            .field("key_pkcs8", &"<redacted>")
            .field("chain", &format!("{} certificate(s)", self.chain.len()))
            .finish()
    }
}

/// Whether `bytes` is shaped like a PFX: `SEQUENCE { INTEGER 3, ContentInfo, ... }`.
pub(crate) fn looks_like_pfx(bytes: &[u8]) -> bool {
    pfx_parts(bytes).is_some()
}

struct PfxParts<'a> {
    version: asn1::Tlv<'a>,
    auth_safe: asn1::Tlv<'a>,
    mac: Option<asn1::Tlv<'a>>,
    has_mac: bool,
}

fn pfx_parts(bytes: &[u8]) -> Option<PfxParts<'_>> {
    let outer = asn1::read_all(bytes).filter(|t| t.tag == asn1::SEQUENCE)?;
    let fields = asn1::children(outer.content)?;
    let version = *fields.first().filter(|v| v.tag == asn1::INTEGER && v.content == [3])?;
    let auth_safe = *fields.get(1).filter(|a| a.tag == asn1::SEQUENCE)?;
    let content_type = asn1::children(auth_safe.content)?.first().copied()?;
    if content_type.tag != asn1::OID {
        return None;
    }
    Some(PfxParts { version, auth_safe, mac: fields.get(2).copied(), has_mac: fields.len() > 2 })
}

/// The PFX bytes: as given, or decoded from base64 text.
fn pfx_bytes(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, CertError> {
    if looks_like_pfx(bytes) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    if let Some(decoded) = decode_base64_text(bytes).filter(|d| looks_like_pfx(d)) {
        return Ok(std::borrow::Cow::Owned(decoded));
    }
    Err(CertError::corrupt("this is not a PFX (PKCS#12) file"))
}

/// Whether any part of the PFX is encrypted (an encryptedData safe or a shrouded key bag).
fn has_encrypted_content(parts: &PfxParts<'_>) -> bool {
    let Some(fields) = asn1::children(parts.auth_safe.content) else { return true };
    let Some(octets) = fields.get(1).filter(|t| t.tag == 0xa0).and_then(|t| asn1::read_all(t.content)) else { return true };
    let octets = if octets.tag == asn1::OCTET_STRING { octets.content } else { return true };
    let Some(safes) = asn1::read_all(octets).and_then(|s| asn1::children(s.content)) else { return true };
    for safe in safes {
        let Some(parts) = asn1::children(safe.content) else { return true };
        let Some(kind) = parts.first() else { return true };
        if asn1::is_oid(kind, OID_ENCRYPTED_DATA) {
            return true;
        }
        if asn1::is_oid(kind, OID_DATA) {
            let Some(bags) = parts
                .get(1)
                .and_then(|t| asn1::read_all(t.content))
                .and_then(|o| asn1::read_all(o.content))
                .and_then(|s| asn1::children(s.content))
            else {
                return true;
            };
            for bag in bags {
                if asn1::children(bag.content).and_then(|b| b.first().copied()).is_some_and(|oid| asn1::is_oid(&oid, OID_SHROUDED_KEY_BAG))
                {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether the MAC verifies with an absent (zero-length) password, per RFC 7292 appendix B.
fn mac_verifies_with_absent_password(parts: &PfxParts<'_>) -> bool {
    use aws_lc_rs::{digest, hmac};
    let Some(mac) = parts.mac else { return false };
    let Some(fields) = asn1::children(mac.content) else { return false };
    let (Some(digest_info), Some(salt)) = (fields.first(), fields.get(1).filter(|s| s.tag == asn1::OCTET_STRING)) else { return false };
    let iterations = match fields.get(2) {
        Some(i) if i.tag == asn1::INTEGER && !i.content.is_empty() && i.content.len() <= 4 => {
            i.content.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
        }
        None => 1,
        _ => return false,
    };
    if iterations == 0 || iterations > 1_000_000 {
        return false;
    }
    let Some(info) = asn1::children(digest_info.content) else { return false };
    let (Some(algorithm), Some(expected)) = (info.first(), info.get(1).filter(|d| d.tag == asn1::OCTET_STRING)) else { return false };
    let Some(oid) = asn1::children(algorithm.content).and_then(|a| a.first().copied()) else { return false };
    let (hash, mac_alg) = if asn1::is_oid(&oid, "1.3.14.3.2.26") {
        (&digest::SHA1_FOR_LEGACY_USE_ONLY, hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY)
    } else if asn1::is_oid(&oid, "2.16.840.1.101.3.4.2.1") {
        (&digest::SHA256, hmac::HMAC_SHA256)
    } else if asn1::is_oid(&oid, "2.16.840.1.101.3.4.2.2") {
        (&digest::SHA384, hmac::HMAC_SHA384)
    } else if asn1::is_oid(&oid, "2.16.840.1.101.3.4.2.3") {
        (&digest::SHA512, hmac::HMAC_SHA512)
    } else {
        return false;
    };
    let Some(data) = asn1::children(parts.auth_safe.content)
        .and_then(|f| f.get(1).copied())
        .filter(|t| t.tag == 0xa0)
        .and_then(|t| asn1::read_all(t.content))
        .filter(|o| o.tag == asn1::OCTET_STRING)
    else {
        return false;
    };
    let key = pkcs12_mac_key(hash, salt.content, iterations);
    hmac::verify(&hmac::Key::new(mac_alg, &key), data.content, expected.content).is_ok()
}

/// The PKCS#12 key derivation (RFC 7292 appendix B.2) for a MAC key (ID 3) from an absent password.
fn pkcs12_mac_key(hash: &'static aws_lc_rs::digest::Algorithm, salt: &[u8], iterations: u32) -> Vec<u8> {
    use aws_lc_rs::digest;
    let v = hash.block_len();
    let u = hash.output_len();
    let mut input: Vec<u8> =
        if salt.is_empty() { Vec::new() } else { (0..v * salt.len().div_ceil(v)).map(|k| salt[k % salt.len()]).collect() };
    let mut out = Vec::with_capacity(u);
    loop {
        let mut block = vec![3u8; v];
        block.extend_from_slice(&input);
        let mut a = digest::digest(hash, &block).as_ref().to_vec();
        for _ in 1..iterations {
            a = digest::digest(hash, &a).as_ref().to_vec();
        }
        out.extend_from_slice(&a);
        if out.len() >= u || input.is_empty() {
            break;
        }
        let b: Vec<u8> = (0..v).map(|k| a[k % u]).collect();
        for chunk in input.chunks_mut(v) {
            let mut carry = 1u16;
            for k in (0..v).rev() {
                let sum = u16::from(chunk[k]) + u16::from(b[k]) + carry;
                chunk[k] = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(u);
    out
}

/// The PFX without its MAC, to tell a wrong password from damage after a MAC failure.
fn without_mac(parts: &PfxParts<'_>) -> Vec<u8> {
    let mut content = parts.version.raw.to_vec();
    content.extend_from_slice(parts.auth_safe.raw);
    asn1::encode(asn1::SEQUENCE, &content)
}

fn open_archive(bytes: &[u8], password: Option<&str>) -> Result<Pkcs12Archive, CertError> {
    let parts = pfx_parts(bytes).ok_or_else(|| CertError::corrupt("this is not a PFX (PKCS#12) file"))?;
    let given = password.unwrap_or("");
    let refused = || if given.is_empty() { CertError::PasswordRequired } else { CertError::WrongPassword };
    match Pkcs12Archive::from_pkcs12(bytes, given) {
        Ok(archive) => Ok(archive),
        Err(P12Error::MacError(_)) if given.is_empty() && mac_verifies_with_absent_password(&parts) => {
            // Some tools MAC a password-less PFX with a zero-length password rather than an empty
            // BMPString (OpenSSL accepts both); the MAC checked out, so read past it.
            Pkcs12Archive::from_pkcs12(&without_mac(&parts), "").map_err(|e| classify(e, false, refused))
        }
        Err(P12Error::MacError(_)) => {
            // The MAC did not verify: the password is wrong, or the file was changed. If the
            // encrypted parts decrypt with this password, the password is right and the file is
            // damaged; with nothing encrypted, the MAC was the only check of the password.
            if has_encrypted_content(&parts) && Pkcs12Archive::from_pkcs12(&without_mac(&parts), given).is_ok() {
                Err(CertError::corrupt(
                    "the file's integrity check (MAC) failed although the password decrypts it: the file was damaged or altered",
                ))
            } else {
                Err(refused())
            }
        }
        Err(error) => Err(classify(error, has_encrypted_content(&parts) && !parts.has_mac, refused)),
    }
}

fn classify(error: P12Error, decryption_is_password_check: bool, refused: impl Fn() -> CertError) -> CertError {
    match error {
        P12Error::Pkcs5Error(_) | P12Error::UnpadError | P12Error::InvalidPrivateKey | P12Error::InvalidData | P12Error::DerError(_)
            if decryption_is_password_check =>
        {
            refused()
        }
        P12Error::UnsupportedEncryptionScheme => CertError::unsupported("the PFX uses an encryption scheme this app cannot open"),
        P12Error::UnsupportedMacAlgorithm => CertError::unsupported("the PFX uses an integrity (MAC) algorithm this app cannot check"),
        P12Error::UnsupportedContentType => CertError::unsupported("the PFX uses public-key protection (not password protection)"),
        P12Error::UnsupportedCertificateType => CertError::unsupported("the PFX holds a certificate type other than X.509"),
        P12Error::InvalidVersion => CertError::unsupported("the PFX is not version 3"),
        P12Error::InvalidParameters => CertError::unsupported("the PFX's key derivation settings are out of range (too many iterations)"),
        P12Error::X509Error(_) => CertError::corrupt("a certificate inside the PFX is damaged"),
        _ => CertError::corrupt("the PFX is damaged"),
    }
}

/// Reads a PFX: the private key and its chain, leaf first. `None` and `Some("")` both mean no
/// password. The file may be raw DER or base64 text.
pub fn read_pfx(bytes: &[u8], password: Option<&str>) -> Result<KeyAndChain, CertError> {
    let bytes = pfx_bytes(bytes)?;
    let archive = open_archive(&bytes, password)?;
    let certs: Vec<Vec<u8>> = archive.certs.iter().map(|c| c.cert.as_der().to_vec()).collect();
    if archive.keys.is_empty() {
        return Err(CertError::NoPrivateKey);
    }
    if certs.is_empty() {
        return Err(CertError::NoCertificate);
    }
    let infos: Vec<CertificateInfo> = certs.iter().map(|c| CertificateInfo::from_der(c)).collect::<Result<_, _>>()?;
    // Take the key whose public half matches a certificate, preferring the bag linked by localKeyId.
    let mut mismatch: Option<CertError> = None;
    for key in &archive.keys {
        let public = match pkcs8_public_key(key.key.as_der()) {
            Ok(p) => p,
            Err(e) => {
                mismatch.get_or_insert(e);
                continue;
            }
        };
        let linked =
            key.local_key_id.as_ref().and_then(|id| archive.certs.iter().position(|c| c.local_key_id.as_deref() == Some(id.as_ref())));
        let leaf = linked
            .filter(|i| infos[*i].public_key().ok().as_ref() == Some(&public))
            .or_else(|| infos.iter().position(|info| info.public_key().ok().as_ref() == Some(&public)));
        if let Some(leaf) = leaf {
            let mut rest = certs.clone();
            let leaf_der = rest.remove(leaf);
            let mut ordered = vec![leaf_der.clone()];
            ordered.extend(order_from_leaf(&leaf_der, rest));
            return Ok(KeyAndChain { key_pkcs8: Zeroizing::new(key.key.as_der().to_vec()), chain: ordered });
        }
        mismatch.get_or_insert(CertError::KeyMismatch(format!(
            "the file's private key ({}) belongs to none of its {} certificate(s)",
            public.spec().describe(),
            certs.len()
        )));
    }
    Err(mismatch.unwrap_or(CertError::NoPrivateKey))
}

/// A certificate chain (leaf first) and, when the file holds it, the leaf's private key (PKCS#8 DER).
pub type ChainWithOptionalKey = (Option<Zeroizing<Vec<u8>>>, Vec<Vec<u8>>);

/// Reads a PFX that may hold no private key (a certificate secret whose key is not exportable
/// holds only the chain): the key and chain when it has a key, as [`read_pfx`], otherwise the
/// certificates alone, leaf first.
pub fn read_pfx_key_optional(bytes: &[u8], password: Option<&str>) -> Result<ChainWithOptionalKey, CertError> {
    let bytes = pfx_bytes(bytes)?;
    let archive = open_archive(&bytes, password)?;
    if archive.keys.is_empty() {
        let certs: Vec<Vec<u8>> = archive.certs.iter().map(|c| c.cert.as_der().to_vec()).collect();
        if certs.is_empty() {
            return Err(CertError::NoCertificate);
        }
        for der in &certs {
            CertificateInfo::from_der(der)?;
        }
        return Ok((None, order_chain(certs)));
    }
    let KeyAndChain { key_pkcs8, chain } = read_pfx(&bytes, password)?;
    Ok((Some(key_pkcs8), chain))
}

/// The certificates after a known leaf, issuers first (by the same rules as [`order_chain`]).
pub(crate) fn order_from_leaf(leaf: &[u8], others: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut all = vec![leaf.to_vec()];
    all.extend(others);
    let ordered = order_chain(all.clone());
    if ordered.first().map(Vec::as_slice) == Some(leaf) {
        return ordered.into_iter().skip(1).collect();
    }
    // The leaf issued one of the others (unusual); keep its issuers first anyway.
    let mut out = Vec::new();
    let mut current = leaf.to_vec();
    let mut remaining: Vec<Vec<u8>> = all.into_iter().skip(1).collect();
    while let Ok(info) = CertificateInfo::from_der(&current) {
        if info.self_issued {
            break;
        }
        let Some(i) =
            remaining.iter().position(|c| CertificateInfo::from_der(c).is_ok_and(|candidate| candidate.subject_der == info.issuer_der))
        else {
            break;
        };
        current = remaining.remove(i);
        out.push(current.clone());
    }
    out.extend(remaining);
    out
}

/// Whether opening the PFX needs a password (it does not open with an empty one).
pub fn needs_password(bytes: &[u8]) -> bool {
    let Ok(bytes) = pfx_bytes(bytes) else { return false };
    matches!(open_archive(&bytes, None), Err(CertError::PasswordRequired))
}

/// Writes a PFX that OpenSSL 3 reads with its default settings: the key (if given) with
/// `friendly_name` (the leaf's common name when empty), and the chain (leaf first). `None` or
/// `Some("")` writes a PFX with an empty password, as Key Vault's certificate secrets are.
pub fn write_pfx(key_pkcs8: Option<&[u8]>, chain: &[Vec<u8>], password: Option<&str>, friendly_name: &str) -> Result<Vec<u8>, CertError> {
    let leaf_der = chain.first().ok_or_else(|| CertError::bad("a PFX needs at least one certificate"))?;
    let leaf = CertificateInfo::from_der(leaf_der)?;
    let certs: Vec<Certificate> = chain
        .iter()
        .map(|der| Certificate::from_der(der).map_err(|_| CertError::corrupt("a certificate in the chain is damaged")))
        .collect::<Result<_, _>>()?;
    let mut store = KeyStore::new();
    let alias = if friendly_name.is_empty() {
        leaf.subject.split(',').find_map(|p| p.strip_prefix("CN=")).unwrap_or(&leaf.subject).to_string()
    } else {
        friendly_name.to_string()
    };
    match key_pkcs8 {
        Some(key) => {
            check_key_matches(key, &leaf.public_key()?)?;
            let private = PrivateKey::from_der(key).map_err(|_| CertError::corrupt("the private key is not PKCS#8"))?;
            store.add_entry(&alias, KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(leaf.x5t.clone(), private, certs)));
        }
        None => {
            // Entries are written in alias order; number them to keep the chain's order.
            for (i, cert) in certs.into_iter().enumerate() {
                let name = if i == 0 { alias.clone() } else { cert.subject().to_string() };
                store.add_entry(&format!("{i:03} {name}"), KeyStoreEntry::Certificate(cert));
            }
        }
    }
    store.writer(password.unwrap_or("")).write().map_err(|_| CertError::Internal("the PFX could not be written".into()))
}
