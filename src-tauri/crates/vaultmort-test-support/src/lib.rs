//! What Vaultmort's tests and benchmarks share, and nothing else uses: it is only ever a
//! `[dev-dependency]`.
//!
//! - [`home`] (feature `home`): a throwaway home in a temporary folder, protected by the test
//!   passphrase and never the user's data or keyring, and a core opened on it with the local
//!   owner and a resource group.
//! - [`hsm`] (feature `hsm`): a practice SoftHSM2 token in a temporary folder and the PKCS#11
//!   provider over it, for tests and benchmarks of HSM keys below the core.
//! - [`openssl`]: the openssl CLI as the independent referee, run with a bounded wait, in a
//!   scratch folder or on bytes, and the parsing of what it prints; [`pki`] builds a small
//!   certificate authority with it.
//! - [`der`] and [`text`]: the few encodings tests need to hand bytes to openssl (ECDSA
//!   signatures as DER) and to read the doors' output (base64).
//!
//! It leaves out everything one door owns (running the CLI binary, the desktop app's mock
//! runtime): those stay in each door's own test support.

#[cfg(feature = "home")]
pub mod home;
#[cfg(feature = "hsm")]
pub mod hsm;

pub mod der;
pub mod openssl;
pub mod pki;
pub mod text;

/// The passphrase every test home uses unless a test says otherwise (long enough for a new store).
pub const PASSPHRASE: &str = "correct horse battery staple";
