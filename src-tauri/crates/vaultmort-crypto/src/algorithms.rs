//! Key Vault's algorithm vocabulary: key types, curves, key operations, and the signature and
//! encryption algorithms, with their Azure names and the rules that tie them to keys.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CryptoError;

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in Key Vault's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name Key Vault uses on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = CryptoError;
            /// Parses a Key Vault name; case-insensitive, as the service is.
            fn from_str(s: &str) -> Result<Self, CryptoError> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| CryptoError::UnknownAlgorithm(format!("'{s}' is not a known {}; expected one of {}", $what, $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "))))
            }
        }
    };
}

named_enum!(
    /// The JSON Web Key type of a key.
    KeyType, "key type", {
        /// RSA, software-protected.
        Rsa => "RSA",
        /// Elliptic curve, software-protected.
        Ec => "EC",
        /// RSA in an HSM (premium vaults).
        RsaHsm => "RSA-HSM",
        /// Elliptic curve in an HSM (premium vaults).
        EcHsm => "EC-HSM",
    }
);

impl KeyType {
    /// Whether the key is RSA (software or HSM).
    pub fn is_rsa(self) -> bool {
        matches!(self, KeyType::Rsa | KeyType::RsaHsm)
    }
    /// Whether the key should live in an HSM.
    pub fn is_hsm(self) -> bool {
        matches!(self, KeyType::RsaHsm | KeyType::EcHsm)
    }
}

named_enum!(
    /// An elliptic curve by its JWK name.
    Curve, "curve", {
        /// NIST P-256.
        P256 => "P-256",
        /// NIST P-384.
        P384 => "P-384",
        /// NIST P-521.
        P521 => "P-521",
        /// SECG secp256k1.
        P256K => "P-256K",
    }
);

impl Curve {
    /// Bytes of one coordinate (and of the private scalar).
    pub fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 | Curve::P256K => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
    /// The signature algorithm Key Vault pairs with this curve.
    pub fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            Curve::P256 => SignatureAlgorithm::Es256,
            Curve::P384 => SignatureAlgorithm::Es384,
            Curve::P521 => SignatureAlgorithm::Es512,
            Curve::P256K => SignatureAlgorithm::Es256K,
        }
    }
}

named_enum!(
    /// An operation a key may be used for (`key_ops`).
    KeyOperation, "key operation", {
        /// Encrypt with the public key.
        Encrypt => "encrypt",
        /// Decrypt with the private key.
        Decrypt => "decrypt",
        /// Sign a digest.
        Sign => "sign",
        /// Verify a signature.
        Verify => "verify",
        /// Wrap a symmetric key.
        WrapKey => "wrapKey",
        /// Unwrap a symmetric key.
        UnwrapKey => "unwrapKey",
        /// Import (used in BYOK flows).
        Import => "import",
        /// Export (release) of an exportable key.
        Export => "export",
    }
);

impl KeyOperation {
    /// The operations a new key of this type gets when none are named, as Key Vault does.
    pub fn defaults_for(kty: KeyType) -> Vec<KeyOperation> {
        if kty.is_rsa() {
            vec![
                KeyOperation::Encrypt,
                KeyOperation::Decrypt,
                KeyOperation::Sign,
                KeyOperation::Verify,
                KeyOperation::WrapKey,
                KeyOperation::UnwrapKey,
            ]
        } else {
            vec![KeyOperation::Sign, KeyOperation::Verify]
        }
    }

    /// Whether a key of this type can perform the operation at all.
    pub fn applies_to(self, kty: KeyType) -> bool {
        match self {
            KeyOperation::Encrypt | KeyOperation::Decrypt | KeyOperation::WrapKey | KeyOperation::UnwrapKey => kty.is_rsa(),
            KeyOperation::Sign | KeyOperation::Verify | KeyOperation::Import | KeyOperation::Export => true,
        }
    }
}

named_enum!(
    /// A signature algorithm (JWS names).
    SignatureAlgorithm, "signature algorithm", {
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        Rs256 => "RS256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        Rs384 => "RS384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        Rs512 => "RS512",
        /// RSASSA-PSS with SHA-256, salt of the digest's length.
        Ps256 => "PS256",
        /// RSASSA-PSS with SHA-384.
        Ps384 => "PS384",
        /// RSASSA-PSS with SHA-512.
        Ps512 => "PS512",
        /// ECDSA P-256 with SHA-256.
        Es256 => "ES256",
        /// ECDSA P-384 with SHA-384.
        Es384 => "ES384",
        /// ECDSA P-521 with SHA-512.
        Es512 => "ES512",
        /// ECDSA secp256k1 with SHA-256.
        Es256K => "ES256K",
    }
);

/// The hash a signature algorithm expects a digest of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DigestAlgorithm {
    /// SHA-256.
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl DigestAlgorithm {
    /// The hash's standard name (`SHA-256`), which is also what WebCrypto's `digest` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// Output length in bytes.
    pub fn len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }
    /// Never empty; present for clippy's `len_without_is_empty`.
    pub fn is_empty(self) -> bool {
        false
    }
    pub(crate) fn aws(self) -> &'static aws_lc_rs::digest::Algorithm {
        match self {
            DigestAlgorithm::Sha256 => &aws_lc_rs::digest::SHA256,
            DigestAlgorithm::Sha384 => &aws_lc_rs::digest::SHA384,
            DigestAlgorithm::Sha512 => &aws_lc_rs::digest::SHA512,
        }
    }
    /// Hashes `data` (for callers that hold the message, such as tests and the UI's try-it panel).
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        aws_lc_rs::digest::digest(self.aws(), data).as_ref().to_vec()
    }
}

impl SignatureAlgorithm {
    /// The digest this algorithm signs.
    pub fn digest(self) -> DigestAlgorithm {
        use SignatureAlgorithm::*;
        match self {
            Rs256 | Ps256 | Es256 | Es256K => DigestAlgorithm::Sha256,
            Rs384 | Ps384 | Es384 => DigestAlgorithm::Sha384,
            Rs512 | Ps512 | Es512 => DigestAlgorithm::Sha512,
        }
    }
    /// The curve an ES algorithm requires, or `None` for RSA algorithms.
    pub fn curve(self) -> Option<Curve> {
        match self {
            SignatureAlgorithm::Es256 => Some(Curve::P256),
            SignatureAlgorithm::Es384 => Some(Curve::P384),
            SignatureAlgorithm::Es512 => Some(Curve::P521),
            SignatureAlgorithm::Es256K => Some(Curve::P256K),
            _ => None,
        }
    }
    /// Whether a key of this type and size or curve can make (and check) this signature: RS and
    /// PS algorithms fit every RSA key, each ES algorithm fits the one curve it is defined on.
    pub fn fits(self, spec: KeySpec) -> bool {
        match (spec, self.curve()) {
            (KeySpec::Rsa { .. }, None) => true,
            (KeySpec::Ec { curve }, Some(needed)) => curve == needed,
            _ => false,
        }
    }

    /// Checks that a digest has the length this algorithm expects.
    pub fn check_digest(self, digest: &[u8]) -> Result<(), CryptoError> {
        let expected = self.digest().len();
        if digest.len() != expected {
            return Err(CryptoError::DigestLength { algorithm: self.to_string(), expected, actual: digest.len() });
        }
        Ok(())
    }
}

named_enum!(
    /// An RSA encryption (and key wrapping) algorithm.
    EncryptionAlgorithm, "encryption algorithm", {
        /// RSAES-OAEP with SHA-1 and MGF1-SHA-1.
        RsaOaep => "RSA-OAEP",
        /// RSAES-OAEP with SHA-256 and MGF1-SHA-256.
        RsaOaep256 => "RSA-OAEP-256",
        /// RSAES-PKCS1-v1_5.
        Rsa15 => "RSA1_5",
    }
);

impl EncryptionAlgorithm {
    /// Whether a key of this type and size or curve can encrypt (and wrap) with this algorithm:
    /// every RSA key can, no EC key can.
    pub fn fits(self, spec: KeySpec) -> bool {
        matches!(spec, KeySpec::Rsa { .. })
    }

    /// The largest plaintext this algorithm takes for a modulus of `modulus_len` bytes.
    pub fn max_plaintext(self, modulus_len: usize) -> usize {
        match self {
            EncryptionAlgorithm::RsaOaep => modulus_len.saturating_sub(2 * 20 + 2),
            EncryptionAlgorithm::RsaOaep256 => modulus_len.saturating_sub(2 * 32 + 2),
            EncryptionAlgorithm::Rsa15 => modulus_len.saturating_sub(11),
        }
    }
}

/// What kind of key to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum KeySpec {
    /// An RSA key of 2048, 3072 or 4096 bits.
    Rsa {
        /// Modulus size in bits.
        bits: u32,
    },
    /// An EC key on a named curve.
    Ec {
        /// The curve.
        curve: Curve,
    },
}

impl KeySpec {
    /// RSA sizes Key Vault accepts.
    pub const RSA_SIZES: [u32; 3] = [2048, 3072, 4096];

    /// The RSA size a key or certificate policy gets when it names none.
    pub const DEFAULT_RSA_SIZE: u32 = 2048;

    /// The curve an EC key or certificate policy gets when it names none.
    pub const DEFAULT_CURVE: Curve = Curve::P256;

    /// Every RSA size and EC curve Key Vault accepts, in its order (RSA sizes, then curves).
    pub fn all() -> impl Iterator<Item = KeySpec> {
        let rsa = Self::RSA_SIZES.iter().map(|&bits| KeySpec::Rsa { bits });
        rsa.chain(Curve::ALL.iter().map(|&curve| KeySpec::Ec { curve }))
    }

    /// Checks the parameters and returns the spec, or why not.
    pub fn rsa(bits: u32) -> Result<Self, CryptoError> {
        if Self::RSA_SIZES.contains(&bits) {
            Ok(KeySpec::Rsa { bits })
        } else {
            Err(CryptoError::UnsupportedKey(format!("RSA keys are 2048, 3072 or 4096 bits, not {bits}")))
        }
    }

    /// A short description for messages: "RSA 2048" or "EC P-256".
    pub fn describe(self) -> String {
        match self {
            KeySpec::Rsa { bits } => format!("an RSA {bits} key"),
            KeySpec::Ec { curve } => format!("an EC {curve} key"),
        }
    }
}
