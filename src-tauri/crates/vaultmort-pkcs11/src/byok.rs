//! Bring your own key: the key-transfer blob (`.byok`), both sides.
//!
//! The blob is what Azure's HSM vendors' tools write: JSON with `schema_version`, a `header`
//! naming the key-exchange key (`kid`, `alg` `dir`, `enc` `CKM_RSA_AES_KEY_WRAP`), the
//! `ciphertext` in base64url, and a `generator`. The ciphertext is `CKM_RSA_AES_KEY_WRAP`: an
//! RSA-OAEP (SHA-1, MGF1-SHA-1) encryption of a fresh AES-256 key under the KEK, followed by
//! that AES key's RFC 5649 wrap (AES key wrap with padding) of the target key's PKCS#8.
//!
//! - Vault side, [`Pkcs11Provider::import_transfer`]: both unwraps run in the token (SoftHSM has
//!   no `CKM_RSA_AES_KEY_WRAP`, so they are its two halves, one after the other); the AES key is
//!   a session object and the target key arrives as a token object. No plaintext leaves the HSM.
//! - Vendor side, [`VendorTool`]: plays the customer's on-premises HSM with a second token of its
//!   own, generating the target key there (or taking a PKCS#8 file) and wrapping it for the KEK.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, KeyType as CkKeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use serde::{Deserialize, Serialize};
use vaultmort_crypto::{CryptoError, CryptoProvider, KeySpec, NewKey, ProviderKey, PublicKey, SoftwareProvider};

use crate::hsm_error;
use crate::module::Token;
use crate::provider::{Pkcs11Provider, private_template, unwrap_plain_pkcs8};
use crate::token_key::{TokenKeyKind, TokenKeyRef};

/// The `enc` value of a transfer blob.
pub const ENC: &str = "CKM_RSA_AES_KEY_WRAP";
/// The schema version written and accepted.
pub const SCHEMA_VERSION: &str = "1.0.0";

/// The header of a transfer blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferHeader {
    /// The key-exchange key's id (its full `kid` URL).
    pub kid: String,
    /// Always `dir`.
    pub alg: String,
    /// Always [`ENC`].
    pub enc: String,
}

/// A `.byok` key-transfer blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferBlob {
    /// [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// Which KEK and how.
    pub header: TransferHeader,
    /// base64url of the wrapped key.
    pub ciphertext: String,
    /// The tool and HSM that made it.
    pub generator: String,
}

impl TransferBlob {
    /// Reads and checks a blob (the bytes of a `.byok` file, or of REST's `key_hsm`).
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        let blob: TransferBlob = serde_json::from_slice(bytes).map_err(|e| {
            CryptoError::InvalidJwk(format!(
                "the key-transfer (BYOK) blob is not the JSON a vendor tool writes (schema_version, header, ciphertext, generator): {e}"
            ))
        })?;
        if blob.header.enc != ENC || blob.header.alg != "dir" {
            return Err(CryptoError::InvalidJwk(format!(
                "the key-transfer blob uses alg '{}' and enc '{}'; only alg 'dir' with enc '{ENC}' is supported",
                blob.header.alg, blob.header.enc
            )));
        }
        if !blob.schema_version.starts_with("1.") {
            return Err(CryptoError::InvalidJwk(format!(
                "key-transfer schema version '{}' is not supported (1.x is)",
                blob.schema_version
            )));
        }
        Ok(blob)
    }

    /// The wrapped key bytes.
    pub fn ciphertext_bytes(&self) -> Result<Vec<u8>, CryptoError> {
        URL_SAFE_NO_PAD
            .decode(self.ciphertext.trim_end_matches('='))
            .map_err(|_| CryptoError::InvalidJwk("the key-transfer blob's ciphertext is not base64url".into()))
    }

    /// A blob for `ciphertext` made for the KEK `kid`.
    pub fn new(kid: &str, ciphertext: &[u8], generator: &str) -> Self {
        Self {
            schema_version: SCHEMA_VERSION.into(),
            header: TransferHeader { kid: kid.into(), alg: "dir".into(), enc: ENC.into() },
            ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
            generator: generator.into(),
        }
    }
}

fn oaep_sha1() -> Mechanism<'static> {
    Mechanism::RsaPkcsOaep(PkcsOaepParams::new(MechanismType::SHA1, PkcsMgfType::MGF1_SHA1, PkcsOaepSource::empty()))
}

/// The target key types a transfer can carry into this HSM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferTarget {
    /// An RSA key.
    Rsa,
    /// An EC key.
    Ec,
}

impl Pkcs11Provider {
    /// Imports a transferred key: unwraps `ciphertext` with the KEK `kek` (an RSA key of this
    /// token) into a new token key. Nothing is kept when any step fails.
    pub fn import_transfer(
        &self,
        kek: &ProviderKey,
        kek_public: &PublicKey,
        ciphertext: &[u8],
        target: TransferTarget,
    ) -> Result<NewKey, CryptoError> {
        let PublicKey::Rsa { n, .. } = kek_public else {
            return Err(CryptoError::InvalidJwk("a key-exchange key is an RSA-HSM key".into()));
        };
        let k = n.len();
        if ciphertext.len() <= k + 16 {
            return Err(CryptoError::InvalidJwk(format!(
                "the key-transfer ciphertext is {} bytes: too short for an RSA-{} wrapped AES key followed by a wrapped private key (truncated?)",
                ciphertext.len(),
                k * 8
            )));
        }
        if target == TransferTarget::Ec {
            return Err(CryptoError::UnsupportedKey(
                "EC-HSM keys cannot be transferred into the practice HSM: SoftHSM keeps no public point with an unwrapped EC key, so the vault could not show its public key. Transfer an RSA-HSM key, or import the EC key as JWK or PEM with HSM protection".into(),
            ));
        }
        let (wrapped_aes, wrapped_key) = ciphertext.split_at(k);
        let reference = TokenKeyRef::from_handle(kek)?;
        let id = vaultmort_crypto::aead::random_bytes(16)?;
        let refused = || {
            CryptoError::InvalidJwk("the key-transfer blob does not unwrap with this key-exchange key: it was made for another KEK, or it was changed or cut short".into())
        };
        self.token().with_session(|session| {
            let kek_object = self.kek_object(session, &reference)?;
            let aes = session
                .unwrap_key(
                    &oaep_sha1(),
                    kek_object,
                    wrapped_aes,
                    &[
                        Attribute::Class(ObjectClass::SECRET_KEY),
                        Attribute::KeyType(CkKeyType::AES),
                        Attribute::Token(false),
                        Attribute::Sensitive(true),
                        Attribute::Extractable(false),
                        Attribute::Unwrap(true),
                    ],
                )
                .map_err(|e| match e {
                    CkError::Pkcs11(
                        RvError::EncryptedDataInvalid
                        | RvError::WrappedKeyInvalid
                        | RvError::WrappedKeyLenRange
                        | RvError::TemplateInconsistent
                        // SoftHSM's answer to an OAEP block that does not decrypt.
                        | RvError::GeneralError,
                        _,
                    ) => refused(),
                    other => hsm_error("C_UnwrapKey (transfer AES key)", other),
                })?;
            let unwrapped =
                session.unwrap_key(&Mechanism::AesKeyWrapPad, aes, wrapped_key, &private_template(&id, TokenKeyKind::Rsa, true));
            let _ = session.destroy_object(aes);
            let object = unwrapped.map_err(|e| match e {
                CkError::Pkcs11(_, _) => refused(),
                other => hsm_error("C_UnwrapKey (transferred key)", other),
            })?;
            let public = match Self::rsa_public_of(session, object) {
                Ok(public) => public,
                Err(e) => {
                    let _ = session.destroy_object(object);
                    return Err(e);
                }
            };
            let bits = public.spec();
            if !matches!(bits, KeySpec::Rsa { bits: 2048..=4096 }) {
                let _ = session.destroy_object(object);
                return Err(CryptoError::UnsupportedKey(format!(
                    "the transferred key is {}; RSA-HSM keys are 2048 to 4096 bits",
                    bits.describe()
                )));
            }
            self.seal_new_object(session, object, &id, public)
        })
    }

    fn kek_object(&self, session: &Session, reference: &TokenKeyRef) -> Result<ObjectHandle, CryptoError> {
        let template = [Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Id(reference.id_bytes()?)];
        if reference.token_serial != self.token().identity().serial {
            return Err(CryptoError::ForeignHsm("the key-exchange key lives in another HSM".into()));
        }
        session
            .find_objects(&template)
            .map_err(|e| hsm_error("C_FindObjects", e))?
            .first()
            .copied()
            .ok_or_else(|| CryptoError::Hsm("the key-exchange key's token object is gone".into()))
    }
}

/// The vendor's side: a token of its own that generates or takes a target key and wraps it for
/// a KEK's public key, as an on-premises HSM's BYOK tool does.
#[derive(Debug)]
pub struct VendorTool {
    token: Token,
}

/// What the vendor tool made.
#[derive(Debug, Clone)]
pub struct Wrapped {
    /// The transfer ciphertext.
    pub ciphertext: Vec<u8>,
    /// The target key's public half (to check signatures against later).
    pub public: PublicKey,
}

impl VendorTool {
    /// The tool over an open token.
    pub fn new(token: Token) -> Self {
        Self { token }
    }

    /// Generates an RSA target key of `bits` in the vendor token and wraps it for `kek`.
    pub fn wrap_generated(&self, kek: &PublicKey, bits: u32) -> Result<Wrapped, CryptoError> {
        if !KeySpec::RSA_SIZES.contains(&bits) {
            return Err(CryptoError::UnsupportedKey(format!("RSA keys are 2048, 3072 or 4096 bits, not {bits}")));
        }
        let id = vaultmort_crypto::aead::random_bytes(16)?;
        self.token.with_session(|session| {
            let public_template = [
                Attribute::Class(ObjectClass::PUBLIC_KEY),
                Attribute::KeyType(CkKeyType::RSA),
                Attribute::Token(false),
                Attribute::ModulusBits(u64::from(bits).into()),
                Attribute::PublicExponent(vec![1, 0, 1]),
                Attribute::Verify(true),
            ];
            let (public_object, object) = session
                .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public_template, &private_template(&id, TokenKeyKind::Rsa, true))
                .map_err(|e| hsm_error("C_GenerateKeyPair (vendor)", e))?;
            let _ = session.destroy_object(public_object);
            let public = Pkcs11Provider::rsa_public_of(session, object)?;
            let ciphertext = wrap_for(session, kek, object)?;
            Ok(Wrapped { ciphertext, public })
        })
    }

    /// Takes an existing private key (PKCS#8 DER) into the vendor token and wraps it for `kek`.
    pub fn wrap_pkcs8(&self, kek: &PublicKey, pkcs8: &[u8]) -> Result<Wrapped, CryptoError> {
        let checked = SoftwareProvider::new().import_pkcs8(pkcs8)?;
        let kind = match checked.public {
            PublicKey::Rsa { .. } => TokenKeyKind::Rsa,
            PublicKey::Ec { curve, .. } => TokenKeyKind::Ec(curve),
        };
        let pkcs8 = vaultmort_crypto::software::pkcs8_der(&checked.handle)?;
        let id = vaultmort_crypto::aead::random_bytes(16)?;
        // The vendor's copy lives for this session only: it is wrapped out and destroyed.
        let mut template = private_template(&id, kind, true);
        template.retain(|a| !matches!(a, Attribute::Token(_)));
        template.push(Attribute::Token(false));
        self.token.with_session(|session| {
            let object = unwrap_plain_pkcs8(session, &pkcs8, &template)?;
            let ciphertext = wrap_for(session, kek, object)?;
            let _ = session.destroy_object(object);
            Ok(Wrapped { ciphertext, public: checked.public.clone() })
        })
    }
}

/// `CKM_RSA_AES_KEY_WRAP` in two steps inside the vendor token: a fresh AES-256 key wrapped by
/// the KEK with RSA-OAEP (SHA-1), then the target key wrapped by that AES key (RFC 5649).
fn wrap_for(session: &Session, kek: &PublicKey, target: ObjectHandle) -> Result<Vec<u8>, CryptoError> {
    let PublicKey::Rsa { n, e } = kek else {
        return Err(CryptoError::InvalidJwk("the key-exchange key must be an RSA key".into()));
    };
    let kek_object = session
        .create_object(&[
            Attribute::Class(ObjectClass::PUBLIC_KEY),
            Attribute::KeyType(CkKeyType::RSA),
            Attribute::Token(false),
            Attribute::Modulus(n.clone()),
            Attribute::PublicExponent(e.clone()),
            Attribute::Wrap(true),
            Attribute::Encrypt(true),
        ])
        .map_err(|e| hsm_error("C_CreateObject (KEK public key)", e))?;
    let aes = session
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::KeyType(CkKeyType::AES),
                Attribute::ValueLen(32.into()),
                Attribute::Token(false),
                Attribute::Extractable(true),
                Attribute::Wrap(true),
            ],
        )
        .map_err(|e| hsm_error("C_GenerateKey (transfer AES key)", e))?;
    let result = (|| {
        let wrapped_aes = session.wrap_key(&oaep_sha1(), kek_object, aes).map_err(|e| hsm_error("C_WrapKey (RSA-OAEP)", e))?;
        let wrapped_key = session.wrap_key(&Mechanism::AesKeyWrapPad, aes, target).map_err(|e| hsm_error("C_WrapKey (AES-KWP)", e))?;
        Ok([wrapped_aes, wrapped_key].concat())
    })();
    let _ = session.destroy_object(aes);
    let _ = session.destroy_object(kek_object);
    result
}
