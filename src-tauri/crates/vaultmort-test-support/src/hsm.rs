//! A practice HSM for tests below the core: a SoftHSM2 token in a temporary folder, with
//! throwaway PINs, and the PKCS#11 provider over it.
//!
//! SoftHSM reads its configuration once per process, so a test process holds one [`TestHsm`]
//! at a time; nextest runs every test in its own process, which is how the suite runs.

use tempfile::TempDir;
use vaultmort_pkcs11::softhsm::SoftHsmDir;
use vaultmort_pkcs11::{HsmConfig, Pkcs11Provider};
use zeroize::Zeroizing;

/// The token's label.
pub const LABEL: &str = "vaultmort-tests";
/// The user PIN of the test token (throwaway).
pub const USER_PIN: &str = "test-user-pin";

/// A SoftHSM2 token in a temporary folder (removed when dropped) and the provider over it.
pub struct TestHsm {
    dir: TempDir,
    provider: Pkcs11Provider,
}

impl TestHsm {
    /// Makes the folder and token and opens the provider.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder for the test token");
        let (user, so) = (Zeroizing::new(USER_PIN.to_string()), Zeroizing::new("test-so-pin".to_string()));
        SoftHsmDir::new(dir.path())
            .init_token(LABEL, &so, &user)
            .expect("SoftHSM makes the test token (cargo xtask setup installs softhsm2)");
        let config = HsmConfig::Practice { label: LABEL.into(), user_pin: user, so_pin: so };
        let provider = Pkcs11Provider::open(&config, dir.path()).expect("the test token opens");
        Self { dir, provider }
    }

    /// The provider.
    pub fn provider(&self) -> &Pkcs11Provider {
        &self.provider
    }

    /// The token folder (to scan its files, or make a second token beside the first).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Default for TestHsm {
    fn default() -> Self {
        Self::new()
    }
}
