//! Key files as people bring them to a key import (`keyvault key import --pem-file`, the
//! desktop's Import wizard) and to `byok wrap`: a PKCS#8 private key in PEM (plain, or encrypted
//! as `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes it), and a public key in PEM or DER. Every
//! door reads them here.
//!
//! This module only changes formats. The PEM blocks are read with the `pem` crate, an encrypted
//! key is opened with the `pkcs8` crate (as the certificate import does), the key's public half
//! and its consistency come from [`crate::key`] (aws-lc-rs underneath), and the private
//! members are lifted out of the DER into the JWK the core's import takes. No key operation runs
//! here, and nothing here prints or keeps key bytes beyond the `Zeroizing` buffers it returns.

use pkcs8::der::asn1::{AnyRef, OctetStringRef, UintRef};
use pkcs8::der::{Decode, Reader};
use vaultmort_crypto::{JsonWebKey, PublicKey};
use zeroize::Zeroizing;

use crate::CertError;

/// PEM labels of private keys that are not PKCS#8; Key Vault takes PKCS#8 only.
const TRADITIONAL_LABELS: [&str; 4] = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY"];

fn corrupt(message: &str) -> CertError {
    CertError::Corrupt(message.into())
}

/// The PKCS#8 DER of the one private key in `text`: a `PRIVATE KEY` block, or an
/// `ENCRYPTED PRIVATE KEY` block opened with `password`.
pub fn pkcs8_from_pem(text: &str, password: Option<&str>) -> Result<Zeroizing<Vec<u8>>, CertError> {
    for label in TRADITIONAL_LABELS {
        if text.contains(&format!("-----BEGIN {label}-----")) {
            return Err(CertError::TraditionalKey { label: label.to_string() });
        }
    }
    let blocks = pem::parse_many(text).map_err(|_| corrupt("the PEM text is malformed (a block's base64 or its BEGIN/END lines)"))?;
    let mut keys = Vec::new();
    for block in &blocks {
        match block.tag() {
            "PRIVATE KEY" => keys.push(Zeroizing::new(block.contents().to_vec())),
            "ENCRYPTED PRIVATE KEY" => keys.push(crate::pem::decrypt_pkcs8(block.contents(), password)?),
            _ => {}
        }
    }
    match keys.len() {
        1 => Ok(keys.remove(0)),
        0 => Err(CertError::NoPrivateKey),
        n => Err(CertError::BadParameter(format!("the PEM text holds {n} private keys; give a file with exactly one"))),
    }
}

/// The private JWK (`kty` RSA or EC, every private member) of a PKCS#8 key, checked for
/// consistency on the way.
pub fn private_jwk(pkcs8: &[u8]) -> Result<JsonWebKey, CertError> {
    let public = crate::key::pkcs8_public_key(pkcs8)?;
    let info = pkcs8::PrivateKeyInfoRef::try_from(pkcs8).map_err(|_| corrupt("the private key is not a PKCS#8 PrivateKeyInfo"))?;
    let inner = info.private_key.as_bytes();
    let mut jwk = JsonWebKey::default();
    match &public {
        PublicKey::Rsa { n, e } => {
            // RSAPrivateKey (RFC 8017 A.1.2): version, n, e, d, p, q, dP, dQ, qInv.
            let bad = || corrupt("the RSA private key inside the PKCS#8 is not an RSAPrivateKey");
            let members = AnyRef::from_der(inner)
                .and_then(|any| {
                    any.sequence(|reader| {
                        let mut members = Vec::with_capacity(9);
                        for _ in 0..9 {
                            members.push(Zeroizing::new(reader.decode::<UintRef<'_>>()?.as_bytes().to_vec()));
                        }
                        // A multi-prime key carries more and is refused as trailing data:
                        // Key Vault's keys are two-prime.
                        Ok(members)
                    })
                })
                .map_err(|_| bad())?;
            if members[1].as_slice() != n.as_slice() || members[2].as_slice() != e.as_slice() {
                return Err(bad());
            }
            jwk.kty = "RSA".into();
            jwk.n = Some(n.clone());
            jwk.e = Some(e.clone());
            jwk.d = Some(members[3].to_vec());
            jwk.p = Some(members[4].to_vec());
            jwk.q = Some(members[5].to_vec());
            jwk.dp = Some(members[6].to_vec());
            jwk.dq = Some(members[7].to_vec());
            jwk.qi = Some(members[8].to_vec());
        }
        PublicKey::Ec { curve, x, y } => {
            // ECPrivateKey (RFC 5915): version, privateKey, [0] parameters, [1] publicKey.
            let d = AnyRef::from_der(inner)
                .and_then(|any| {
                    any.sequence(|reader| {
                        let _version = reader.decode::<UintRef<'_>>()?;
                        let d = Zeroizing::new(reader.decode::<&OctetStringRef>()?.as_bytes().to_vec());
                        while !reader.is_finished() {
                            reader.decode::<AnyRef<'_>>()?;
                        }
                        Ok(d)
                    })
                })
                .map_err(|_| corrupt("the EC private key inside the PKCS#8 is not an ECPrivateKey"))?;
            jwk.kty = "EC".into();
            jwk.crv = Some(curve.to_string());
            jwk.x = Some(x.clone());
            jwk.y = Some(y.clone());
            jwk.d = Some(d.to_vec());
        }
    }
    Ok(jwk)
}

/// A public key from `bytes`: a `PUBLIC KEY` PEM block (SubjectPublicKeyInfo), or the same as DER.
pub fn public_key(bytes: &[u8]) -> Result<PublicKey, CertError> {
    let der = match std::str::from_utf8(bytes).ok().filter(|text| text.contains("-----BEGIN")) {
        Some(text) => {
            let blocks =
                pem::parse_many(text).map_err(|_| corrupt("the PEM text is malformed (a block's base64 or its BEGIN/END lines)"))?;
            let block = blocks.iter().find(|b| b.tag() == "PUBLIC KEY").ok_or_else(|| {
                CertError::BadParameter(
                    "the file holds no PUBLIC KEY block; download the key-exchange key with `vaultmort keyvault key download --encoding PEM`"
                        .into(),
                )
            })?;
            block.contents().to_vec()
        }
        None => bytes.to_vec(),
    };
    crate::parse::spki_public_key(&der)
}
