//! X.509 for Vaultmort: certificate policies in Key Vault's shape, CSRs and certificates signed
//! through a [`vaultmort_crypto::CryptoProvider`] (so HSM keys sign without leaving the token),
//! a local CA's issuing, and reading and writing PFX, PEM, DER and PKCS#7 files.
//!
//! Modules: [`policy`] (the policy document and Key Vault's rules), [`signer`] (rcgen signing
//! over a provider key), [`build`] (CSRs, self-signed and issued certificates), [`parse`]
//! (certificate and CSR contents, collecting chains), [`pfx`] and [`pem`] (key-and-chain files),
//! [`detect`] (which format a file is), [`key`] (PKCS#8 key inspection), [`hostname`] (whether a
//! certificate covers a host name).
//!
//! Left out on purpose: storage, versions, renewal scheduling and time (the core owns them; it
//! passes serials and validity dates in), and anything GUI.
#![forbid(unsafe_code)]

mod asn1;
pub mod build;
pub mod detect;
mod error;
pub mod hostname;
pub mod import;
pub mod key;
pub mod key_file;
pub mod parse;
pub mod pem;
pub mod pfx;
pub mod policy;
pub mod signer;

pub use build::{Profile, SubjectSource};
pub use detect::{Format, detect_format, needs_password};
pub use error::CertError;
pub use parse::{CertificateInfo, CsrInfo, SubjectAltNames, certificates_from};
pub use pem::{read_pem_bundle, write_pem};
pub use pfx::{KeyAndChain, read_pfx, write_pfx};
pub use policy::{ActionType, CertificatePolicy, ContentType, KeyUsage, LifetimeRule, SubjectName, Trigger};
pub use signer::ProviderSigner;
