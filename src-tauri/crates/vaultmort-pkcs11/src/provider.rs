//! The PKCS#11 provider: Key Vault's key operations on private keys that stay in a token.
//!
//! Every key this provider makes ends as a token object with `CKA_SENSITIVE` true and
//! `CKA_EXTRACTABLE` false. Between its creation and that final state the key is wrapped once,
//! in the token, by the token's backup key (AES-256, itself sensitive and never extractable), and
//! the wrapped form goes into the [`TokenKeyRef`] the core stores: that is what a backup carries
//! and what [`CryptoProvider::restore`] unwraps, in this token only. Then `CKA_EXTRACTABLE` is
//! switched off, which PKCS#11 allows in that direction only.
//!
//! Plain key imports (JWK, PEM, PFX) enter the token by AES key wrap with padding under a
//! one-off session key, so SoftHSM parses the PKCS#8 and no private attribute is ever set by hand.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType as CkKeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use vaultmort_crypto::jwk::JsonWebKey;
use vaultmort_crypto::{
    CryptoError, CryptoProvider, Curve, EncryptionAlgorithm, KeySpec, NewKey, ProviderKey, ProviderKind, PublicKey, SignatureAlgorithm,
    SoftwareProvider,
};
use zeroize::Zeroizing;

use crate::config::{HsmConfig, TokenSelector};
use crate::hsm_error;
use crate::module::Token;
use crate::softhsm::{self, SoftHsmDir};
use crate::token_key::{TokenKeyKind, TokenKeyRef};

/// The label of each token's backup key.
pub const BACKUP_KEY_LABEL: &str = "vaultmort-backup-key";
/// The label prefix of Vaultmort's key objects.
pub const KEY_LABEL_PREFIX: &str = "vaultmort-key-";

/// DER DigestInfo prefixes for PKCS#1 v1.5 signatures over a precomputed hash.
const SHA256_INFO: &[u8] =
    &[0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
const SHA384_INFO: &[u8] =
    &[0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];
const SHA512_INFO: &[u8] =
    &[0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

/// The DER of a named curve's OID (`CKA_EC_PARAMS`).
pub(crate) fn curve_params(curve: Curve) -> Vec<u8> {
    match curve {
        Curve::P256 => vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        Curve::P384 => vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
        Curve::P521 => vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23],
        Curve::P256K => vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a],
    }
}

/// A raw uncompressed point from `CKA_EC_POINT`, which PKCS#11 says is a DER OCTET STRING (some
/// modules give the raw point).
fn raw_point(curve: Curve, value: &[u8]) -> Vec<u8> {
    let raw_len = 1 + 2 * curve.coordinate_len();
    if value.len() == raw_len && value[0] == 4 {
        return value.to_vec();
    }
    value[value.len().saturating_sub(raw_len)..].to_vec()
}

/// The attributes every private key object of Vaultmort's gets. `extractable` is true only
/// while the key is wrapped for its backup form.
pub(crate) fn private_template(id: &[u8], kind: TokenKeyKind, extractable: bool) -> Vec<Attribute> {
    let mut template = vec![
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(extractable),
        Attribute::Sign(true),
        Attribute::Id(id.to_vec()),
        Attribute::Label(format!("{KEY_LABEL_PREFIX}{}", hex::encode(id)).into_bytes()),
    ];
    match kind {
        TokenKeyKind::Rsa => {
            template.push(Attribute::KeyType(CkKeyType::RSA));
            template.push(Attribute::Decrypt(true));
            template.push(Attribute::Unwrap(true));
        }
        TokenKeyKind::Ec(_) => template.push(Attribute::KeyType(CkKeyType::EC)),
    }
    template
}

fn kind_of(public: &PublicKey) -> TokenKeyKind {
    match public {
        PublicKey::Rsa { .. } => TokenKeyKind::Rsa,
        PublicKey::Ec { curve, .. } => TokenKeyKind::Ec(*curve),
    }
}

/// HSM-protected keys in one PKCS#11 token.
pub struct Pkcs11Provider {
    token: Token,
    backup_key: ObjectHandle,
    /// Object handles by `CKA_ID` hex, so that an operation does not search the token.
    objects: Mutex<HashMap<String, ObjectHandle>>,
}

impl std::fmt::Debug for Pkcs11Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Provider").field("token", &self.token).finish_non_exhaustive()
    }
}

impl Pkcs11Provider {
    /// Opens the HSM `config` describes. The practice token lives in `practice_dir` (the home's
    /// `hsm` folder) and must already be initialised (see [`crate::softhsm`]).
    pub fn open(config: &HsmConfig, practice_dir: &Path) -> Result<Self, CryptoError> {
        let token = match config {
            HsmConfig::Practice { label, user_pin, .. } => {
                SoftHsmDir::new(practice_dir).activate()?;
                Token::open(&softhsm::module_path(), &TokenSelector::Label(label.clone()), user_pin)?
            }
            HsmConfig::Module { path, token, pin } => Token::open(path, token, pin)?,
        };
        Self::over(token)
    }

    /// The provider over an open token; gives the token its backup key on first use.
    pub fn over(token: Token) -> Result<Self, CryptoError> {
        let backup_key = token.with_session(|session| {
            let template = [Attribute::Class(ObjectClass::SECRET_KEY), Attribute::Label(BACKUP_KEY_LABEL.as_bytes().to_vec())];
            let found = session.find_objects(&template).map_err(|e| hsm_error("C_FindObjects", e))?;
            if let Some(key) = found.first() {
                return Ok(*key);
            }
            session
                .generate_key(
                    &Mechanism::AesKeyGen,
                    &[
                        Attribute::Class(ObjectClass::SECRET_KEY),
                        Attribute::KeyType(CkKeyType::AES),
                        Attribute::ValueLen(32.into()),
                        Attribute::Token(true),
                        Attribute::Private(true),
                        Attribute::Sensitive(true),
                        Attribute::Extractable(false),
                        Attribute::Wrap(true),
                        Attribute::Unwrap(true),
                        Attribute::Encrypt(false),
                        Attribute::Decrypt(false),
                        Attribute::Label(BACKUP_KEY_LABEL.as_bytes().to_vec()),
                    ],
                )
                .map_err(|e| hsm_error("C_GenerateKey (backup key)", e))
        })?;
        Ok(Self { token, backup_key, objects: Mutex::new(HashMap::new()) })
    }

    /// The token.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The private key object a reference names, refusing references to another token.
    fn object(&self, session: &Session, key: &TokenKeyRef) -> Result<ObjectHandle, CryptoError> {
        self.check_token(key)?;
        if let Some(found) = self.objects.lock().map_err(|_| CryptoError::Internal("object cache poisoned"))?.get(&key.id) {
            return Ok(*found);
        }
        let template = [Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Id(key.id_bytes()?)];
        let found = session.find_objects(&template).map_err(|e| hsm_error("C_FindObjects", e))?;
        let object = *found.first().ok_or_else(|| {
            CryptoError::Hsm(format!("the token has no private key with id {} (it was destroyed or the token was re-initialised)", key.id))
        })?;
        self.objects.lock().map_err(|_| CryptoError::Internal("object cache poisoned"))?.insert(key.id.clone(), object);
        Ok(object)
    }

    fn check_token(&self, key: &TokenKeyRef) -> Result<(), CryptoError> {
        let here = &self.token.identity().serial;
        if &key.token_serial != here {
            return Err(CryptoError::ForeignHsm(format!(
                "this HSM key belongs to the HSM token with serial {}; it can only be used or restored there (this HSM's token is {here})",
                key.token_serial
            )));
        }
        Ok(())
    }

    /// Takes a freshly made, still extractable private key object: wraps it under the backup
    /// key, makes it non-extractable, and returns the reference the core keeps. Destroys the
    /// object if any step fails, so that no half-made key stays in the token.
    pub(crate) fn seal_new_object(
        &self,
        session: &Session,
        object: ObjectHandle,
        id: &[u8],
        public: PublicKey,
    ) -> Result<NewKey, CryptoError> {
        let finish = || -> Result<NewKey, CryptoError> {
            let wrapped = session
                .wrap_key(&Mechanism::AesKeyWrapPad, self.backup_key, object)
                .map_err(|e| hsm_error("C_WrapKey (backup form)", e))?;
            session
                .update_attributes(object, &[Attribute::Extractable(false)])
                .map_err(|e| hsm_error("C_SetAttributeValue (CKA_EXTRACTABLE)", e))?;
            let reference = TokenKeyRef {
                v: 1,
                token_serial: self.token.identity().serial.clone(),
                id: hex::encode(id),
                kind: kind_of(&public),
                wrapped: base64_encode(&wrapped),
            };
            Ok(NewKey { handle: reference.to_handle()?, public })
        };
        match finish() {
            Ok(key) => {
                self.objects.lock().map_err(|_| CryptoError::Internal("object cache poisoned"))?.insert(hex::encode(id), object);
                Ok(key)
            }
            Err(e) => {
                let _ = session.destroy_object(object);
                Err(e)
            }
        }
    }

    /// The public key of an RSA private key object (its modulus and exponent are public).
    pub(crate) fn rsa_public_of(session: &Session, object: ObjectHandle) -> Result<PublicKey, CryptoError> {
        let attributes = session
            .get_attributes(object, &[AttributeType::Modulus, AttributeType::PublicExponent])
            .map_err(|e| hsm_error("C_GetAttributeValue", e))?;
        let (mut n, mut e) = (None, None);
        for attribute in attributes {
            match attribute {
                Attribute::Modulus(value) => n = Some(value),
                Attribute::PublicExponent(value) => e = Some(value),
                _ => {}
            }
        }
        match (n, e) {
            (Some(n), Some(e)) => Ok(PublicKey::rsa(&n, &e)),
            _ => Err(CryptoError::Hsm("the token did not give the RSA key's modulus and exponent".into())),
        }
    }

    /// Puts a plaintext PKCS#8 key (validated, with its public half known) into the token.
    fn import_checked(&self, pkcs8: &[u8], public: PublicKey) -> Result<NewKey, CryptoError> {
        let id = vaultmort_crypto::aead::random_bytes(16)?;
        let template = private_template(&id, kind_of(&public), true);
        self.token.with_session(|session| {
            let object = unwrap_plain_pkcs8(session, pkcs8, &template)?;
            self.seal_new_object(session, object, &id, public)
        })
    }
}

/// Brings a PKCS#8 key that is already in this process into the token as an object made from
/// `template`: wrapped here under a one-off AES key (RFC 5649), which enters the token as a
/// session object, unwraps the key there, and is destroyed. The token parses the PKCS#8 itself,
/// so no private attribute is ever set by hand.
pub(crate) fn unwrap_plain_pkcs8(session: &Session, pkcs8: &[u8], template: &[Attribute]) -> Result<ObjectHandle, CryptoError> {
    let transport = vaultmort_crypto::aead::random_key()?;
    let wrapped = aes_kwp_wrap(&transport[..], pkcs8)?;
    let transport_object = session
        .create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(CkKeyType::AES),
            Attribute::Token(false),
            Attribute::Value(transport.to_vec()),
            Attribute::Unwrap(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
        ])
        .map_err(|e| hsm_error("C_CreateObject (transport key)", e))?;
    let unwrapped = session.unwrap_key(&Mechanism::AesKeyWrapPad, transport_object, &wrapped, template);
    let _ = session.destroy_object(transport_object);
    unwrapped.map_err(|e| hsm_error("C_UnwrapKey (import)", e))
}

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, CryptoError> {
    STANDARD.decode(text).map_err(|_| CryptoError::Internal("HSM key reference with bad base64"))
}

/// AES key wrap with padding (RFC 5649) in this process, for material that is already here.
pub(crate) fn aes_kwp_wrap(key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
    let kek = AesKek::new(&AES_256, key).map_err(|_| CryptoError::Internal("AES key wrap key"))?;
    let mut out = vec![0u8; plaintext.len() + 16];
    let written = kek.wrap_with_padding(plaintext, &mut out).map_err(|_| CryptoError::Internal("AES key wrap"))?.len();
    out.truncate(written);
    Ok(out)
}

fn map_decrypt_error(doing: &str, error: CkError) -> CryptoError {
    match error {
        // SoftHSM answers a padding failure with CKR_GENERAL_ERROR (its OpenSSL call failed).
        CkError::Pkcs11(RvError::EncryptedDataInvalid | RvError::EncryptedDataLenRange | RvError::GeneralError, _) => {
            CryptoError::DecryptionFailed
        }
        other => hsm_error(doing, other),
    }
}

impl CryptoProvider for Pkcs11Provider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Pkcs11
    }

    fn generate(&self, spec: KeySpec) -> Result<NewKey, CryptoError> {
        let id = vaultmort_crypto::aead::random_bytes(16)?;
        self.token.with_session(|session| match spec {
            KeySpec::Rsa { bits } => {
                if !KeySpec::RSA_SIZES.contains(&bits) {
                    return Err(CryptoError::UnsupportedKey(format!("RSA keys are 2048, 3072 or 4096 bits, not {bits}")));
                }
                let public_template = [
                    Attribute::Class(ObjectClass::PUBLIC_KEY),
                    Attribute::KeyType(CkKeyType::RSA),
                    Attribute::Token(false),
                    Attribute::Private(false),
                    Attribute::ModulusBits(u64::from(bits).into()),
                    Attribute::PublicExponent(vec![1, 0, 1]),
                    Attribute::Verify(true),
                    Attribute::Encrypt(true),
                ];
                let (public_object, object) = session
                    .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public_template, &private_template(&id, TokenKeyKind::Rsa, true))
                    .map_err(|e| hsm_error("C_GenerateKeyPair (RSA)", e))?;
                let public = Self::rsa_public_of(session, public_object);
                let _ = session.destroy_object(public_object);
                match public {
                    Ok(public) => self.seal_new_object(session, object, &id, public),
                    Err(e) => {
                        let _ = session.destroy_object(object);
                        Err(e)
                    }
                }
            }
            KeySpec::Ec { curve } => {
                let public_template = [
                    Attribute::Class(ObjectClass::PUBLIC_KEY),
                    Attribute::KeyType(CkKeyType::EC),
                    Attribute::Token(false),
                    Attribute::Private(false),
                    Attribute::EcParams(curve_params(curve)),
                    Attribute::Verify(true),
                ];
                let (public_object, object) = session
                    .generate_key_pair(&Mechanism::EccKeyPairGen, &public_template, &private_template(&id, TokenKeyKind::Ec(curve), true))
                    .map_err(|e| hsm_error("C_GenerateKeyPair (EC)", e))?;
                let point =
                    session.get_attributes(public_object, &[AttributeType::EcPoint]).map_err(|e| hsm_error("C_GetAttributeValue", e));
                let _ = session.destroy_object(public_object);
                let public = point.and_then(|attributes| {
                    attributes
                        .into_iter()
                        .find_map(|a| if let Attribute::EcPoint(value) = a { Some(value) } else { None })
                        .ok_or_else(|| CryptoError::Hsm("the token did not give the EC key's point".into()))
                        .and_then(|value| PublicKey::ec_from_point(curve, &raw_point(curve, &value)))
                });
                match public {
                    Ok(public) => self.seal_new_object(session, object, &id, public),
                    Err(e) => {
                        let _ = session.destroy_object(object);
                        Err(e)
                    }
                }
            }
        })
    }

    fn import_jwk(&self, jwk: &JsonWebKey) -> Result<NewKey, CryptoError> {
        // The software provider checks the JWK is a consistent private key and gives its PKCS#8.
        let checked = SoftwareProvider::new().import_jwk(jwk)?;
        let pkcs8 = vaultmort_crypto::software::pkcs8_der(&checked.handle)?;
        self.import_checked(&pkcs8, checked.public)
    }

    fn import_pkcs8(&self, der: &[u8]) -> Result<NewKey, CryptoError> {
        let checked = SoftwareProvider::new().import_pkcs8(der)?;
        let pkcs8 = vaultmort_crypto::software::pkcs8_der(&checked.handle)?;
        self.import_checked(&pkcs8, checked.public)
    }

    fn sign(&self, key: &ProviderKey, public: &PublicKey, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        public.check_signature_algorithm(algorithm)?;
        algorithm.check_digest(digest)?;
        let reference = TokenKeyRef::from_handle(key)?;
        self.token.with_session(|session| {
            let object = self.object(session, &reference)?;
            let pss = |hash_alg: MechanismType, mgf: PkcsMgfType, len: usize| {
                Mechanism::RsaPkcsPss(PkcsPssParams { hash_alg, mgf, s_len: (len as u64).into() })
            };
            let (mechanism, data): (Mechanism, Vec<u8>) = match algorithm {
                SignatureAlgorithm::Rs256 => (Mechanism::RsaPkcs, [SHA256_INFO, digest].concat()),
                SignatureAlgorithm::Rs384 => (Mechanism::RsaPkcs, [SHA384_INFO, digest].concat()),
                SignatureAlgorithm::Rs512 => (Mechanism::RsaPkcs, [SHA512_INFO, digest].concat()),
                SignatureAlgorithm::Ps256 => (pss(MechanismType::SHA256, PkcsMgfType::MGF1_SHA256, 32), digest.to_vec()),
                SignatureAlgorithm::Ps384 => (pss(MechanismType::SHA384, PkcsMgfType::MGF1_SHA384, 48), digest.to_vec()),
                SignatureAlgorithm::Ps512 => (pss(MechanismType::SHA512, PkcsMgfType::MGF1_SHA512, 64), digest.to_vec()),
                SignatureAlgorithm::Es256 | SignatureAlgorithm::Es384 | SignatureAlgorithm::Es512 | SignatureAlgorithm::Es256K => {
                    (Mechanism::Ecdsa, digest.to_vec())
                }
            };
            session.sign(&mechanism, object, &data).map_err(|e| hsm_error("C_Sign", e))
        })
    }

    fn decrypt(
        &self,
        key: &ProviderKey,
        public: &PublicKey,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        public.check_encryption_algorithm(algorithm)?;
        let PublicKey::Rsa { n, .. } = public else {
            return Err(CryptoError::AlgorithmKeyMismatch { algorithm: algorithm.to_string(), key: public.spec().describe() });
        };
        let modulus_len = n.len();
        let reference = TokenKeyRef::from_handle(key)?;
        self.token.with_session(|session| {
            let object = self.object(session, &reference)?;
            match algorithm {
                EncryptionAlgorithm::Rsa15 => session
                    .decrypt(&Mechanism::RsaPkcs, object, ciphertext)
                    .map(Zeroizing::new)
                    .map_err(|e| map_decrypt_error("C_Decrypt", e)),
                EncryptionAlgorithm::RsaOaep => {
                    let params = PkcsOaepParams::new(MechanismType::SHA1, PkcsMgfType::MGF1_SHA1, PkcsOaepSource::empty());
                    session
                        .decrypt(&Mechanism::RsaPkcsOaep(params), object, ciphertext)
                        .map(Zeroizing::new)
                        .map_err(|e| map_decrypt_error("C_Decrypt", e))
                }
                EncryptionAlgorithm::RsaOaep256 => {
                    let params = PkcsOaepParams::new(MechanismType::SHA256, PkcsMgfType::MGF1_SHA256, PkcsOaepSource::empty());
                    match session.decrypt(&Mechanism::RsaPkcsOaep(params), object, ciphertext) {
                        Ok(plain) => Ok(Zeroizing::new(plain)),
                        // SoftHSM 2.6 has OAEP with SHA-1 only. Do the RSA step in
                        // the token and the padding here.
                        Err(CkError::Pkcs11(RvError::ArgumentsBad | RvError::MechanismParamInvalid | RvError::MechanismInvalid, _)) => {
                            if ciphertext.len() != modulus_len {
                                return Err(CryptoError::DecryptionFailed);
                            }
                            let raw = Zeroizing::new(
                                session
                                    .decrypt(&Mechanism::RsaX509, object, ciphertext)
                                    .map_err(|e| map_decrypt_error("C_Decrypt (raw RSA)", e))?,
                            );
                            crate::oaep::decode_sha256(&raw, modulus_len)
                        }
                        Err(e) => Err(map_decrypt_error("C_Decrypt", e)),
                    }
                }
            }
        })
    }

    fn destroy(&self, key: &ProviderKey) -> Result<(), CryptoError> {
        let reference = TokenKeyRef::from_handle(key)?;
        self.check_token(&reference)?;
        self.token.with_session(|session| {
            let template = [Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Id(reference.id_bytes()?)];
            for object in session.find_objects(&template).map_err(|e| hsm_error("C_FindObjects", e))? {
                session.destroy_object(object).map_err(|e| hsm_error("C_DestroyObject", e))?;
            }
            self.objects.lock().map_err(|_| CryptoError::Internal("object cache poisoned"))?.remove(&reference.id);
            Ok(())
        })
    }

    fn restore(&self, key: &ProviderKey) -> Result<ProviderKey, CryptoError> {
        let reference = TokenKeyRef::from_handle(key)?;
        self.check_token(&reference)?;
        let wrapped = base64_decode(&reference.wrapped)?;
        // A new object with a new id: each stored key owns its own token object, so purging one
        // never takes away another's.
        let id = vaultmort_crypto::aead::random_bytes(16)?;
        self.token.with_session(|session| {
            let object = session
                .unwrap_key(&Mechanism::AesKeyWrapPad, self.backup_key, &wrapped, &private_template(&id, reference.kind, false))
                .map_err(|e| match e {
                    // SoftHSM answers an AES key unwrap whose integrity check fails with
                    // CKR_GENERAL_ERROR.
                    CkError::Pkcs11(
                        RvError::WrappedKeyInvalid | RvError::EncryptedDataInvalid | RvError::WrappedKeyLenRange | RvError::GeneralError,
                        _,
                    ) => CryptoError::ForeignHsm(
                        "the backed-up HSM key does not unwrap with this token's backup key: it was made by another HSM".into(),
                    ),
                    other => hsm_error("C_UnwrapKey (restore)", other),
                })?;
            self.objects.lock().map_err(|_| CryptoError::Internal("object cache poisoned"))?.insert(hex::encode(&id), object);
            TokenKeyRef { id: hex::encode(&id), ..reference.clone() }.to_handle()
        })
    }
}
