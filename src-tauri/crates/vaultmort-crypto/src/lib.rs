//! Crypto providers for Vaultmort.
//!
//! Every private-key operation in Vaultmort goes through a [`CryptoProvider`]: the software
//! provider here (aws-lc-rs) today, a PKCS#11 provider later. A key is a [`ProviderKey`] handle
//! whose bytes only the provider that made it understands; callers never see a private key.
//!
//! The crate also holds the algorithm vocabulary with Key Vault's names ([`algorithms`]), JSON Web
//! Keys ([`jwk`]), PEM armour ([`pem`]), public-key operations that need no provider (verify, encrypt), and the
//! authenticated encryption used by the storage barrier ([`aead`]).
//!
//! Left out on purpose: storage, access rules and time; those belong to the core.
#![forbid(unsafe_code)]

pub mod aead;
pub mod algorithms;
mod error;
pub mod jwk;
pub mod pem;
pub mod provider;
pub mod public;
pub mod software;

pub use algorithms::{Curve, DigestAlgorithm, EncryptionAlgorithm, KeyOperation, KeySpec, KeyType, SignatureAlgorithm};
pub use error::CryptoError;
pub use jwk::JsonWebKey;
pub use provider::{CryptoProvider, NewKey, ProviderKey, ProviderKind};
pub use public::PublicKey;
pub use software::SoftwareProvider;
