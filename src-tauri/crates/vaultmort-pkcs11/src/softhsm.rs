//! Vaultmort's own SoftHSM2 token: a private configuration and token directory under the home.
//!
//! SoftHSM reads its configuration file from the `SOFTHSM2_CONF` environment variable when the
//! module is initialised, and from nowhere else; there is no per-call setting. So the practice
//! token sets that variable to the home's own file (never the system's `/etc/softhsm2.conf`)
//! before the module is first loaded in this process. One process therefore serves one practice
//! token directory; opening a second home's practice token in the same process is refused with
//! a message rather than silently using the first home's tokens.
//!
//! Layout under `<home>/hsm/` (0700): `softhsm2.conf` (0600) and `tokens/` (0700), where
//! SoftHSM keeps each token's objects, private ones encrypted under a key derived from the PIN.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use vaultmort_crypto::CryptoError;
use zeroize::Zeroizing;

use crate::config::TokenSelector;
use crate::hsm_error;
use crate::module;

/// Where Debian's `softhsm2` package puts the module.
pub const DEFAULT_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The module path, overridable with `VAULTMORT_SOFTHSM_MODULE` (another distribution's layout).
pub fn module_path() -> PathBuf {
    std::env::var_os("VAULTMORT_SOFTHSM_MODULE").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| DEFAULT_MODULE.into())
}

/// The configuration file this process pointed SoftHSM at, once it has.
static CONFIGURED: Mutex<Option<PathBuf>> = Mutex::new(None);

/// A SoftHSM token directory with its own configuration file.
#[derive(Debug, Clone)]
pub struct SoftHsmDir {
    root: PathBuf,
}

fn private_dir(path: &Path) -> Result<(), CryptoError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| CryptoError::Hsm(format!("cannot create '{}': {e}", path.display())))
}

impl SoftHsmDir {
    /// The directory `root` (made 0700 with its configuration on first use).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The configuration file.
    pub fn conf_path(&self) -> PathBuf {
        self.root.join("softhsm2.conf")
    }

    /// The token directory.
    pub fn token_dir(&self) -> PathBuf {
        self.root.join("tokens")
    }

    /// Writes the configuration file and directories if they are missing.
    pub fn prepare(&self) -> Result<(), CryptoError> {
        private_dir(&self.root)?;
        private_dir(&self.token_dir())?;
        let conf = self.conf_path();
        if !conf.exists() {
            let text = format!(
                "# Vaultmort's practice HSM (SoftHSM2). Made by Vaultmort; do not point other tools at it.\n\
                 directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                self.token_dir().display()
            );
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&conf)
                .map_err(|e| CryptoError::Hsm(format!("cannot write '{}': {e}", conf.display())))?;
            file.write_all(text.as_bytes()).map_err(|e| CryptoError::Hsm(format!("cannot write '{}': {e}", conf.display())))?;
        }
        Ok(())
    }

    /// Points SoftHSM in this process at this directory's configuration (before the module is
    /// loaded), or checks that it already points there.
    pub fn activate(&self) -> Result<(), CryptoError> {
        self.prepare()?;
        let conf = self.conf_path();
        let mut configured = CONFIGURED.lock().map_err(|_| CryptoError::Internal("SoftHSM configuration lock poisoned"))?;
        match configured.as_ref() {
            Some(current) if *current == conf => Ok(()),
            Some(current) => Err(CryptoError::Hsm(format!(
                "this process already uses the SoftHSM tokens of '{}'; one process serves one home's practice HSM",
                current.display()
            ))),
            None => {
                if module::is_loaded(&module_path()) {
                    return Err(CryptoError::Hsm(
                        "SoftHSM was loaded in this process with another configuration before the practice HSM; restart to use it".into(),
                    ));
                }
                set_softhsm_conf(&conf);
                *configured = Some(conf);
                Ok(())
            }
        }
    }

    /// Whether a token labelled `label` exists here.
    pub fn has_token(&self, label: &str) -> Result<bool, CryptoError> {
        self.activate()?;
        let context = module::load(&module_path())?;
        Ok(module::find_slot(&context, &TokenSelector::Label(label.to_string())).is_ok())
    }

    /// Initialises a new token labelled `label` in the first free slot, with `so_pin` for the
    /// security officer and `user_pin` for the user, and gives it its backup key.
    pub fn init_token(&self, label: &str, so_pin: &Zeroizing<String>, user_pin: &Zeroizing<String>) -> Result<(), CryptoError> {
        self.activate()?;
        let context = module::load(&module_path())?;
        let slots = context.get_slots_with_token().map_err(|e| hsm_error("C_GetSlotList", e))?;
        let mut free = None;
        for slot in slots {
            let info = context.get_token_info(slot).map_err(|e| hsm_error("C_GetTokenInfo", e))?;
            if !info.token_initialized() {
                free = Some(slot);
                break;
            }
        }
        let slot = free.ok_or_else(|| CryptoError::Hsm("SoftHSM offers no free slot for a new token".into()))?;
        context.init_token(slot, &AuthPin::from(so_pin.as_str()), label).map_err(|e| hsm_error("C_InitToken", e))?;
        // SoftHSM renumbers the slot once its token is initialised: find it again by label.
        let (slot, _) = module::find_slot(&context, &TokenSelector::Label(label.to_string()))?;
        let session = context.open_rw_session(slot).map_err(|e| hsm_error("C_OpenSession", e))?;
        session.login(UserType::So, Some(&AuthPin::from(so_pin.as_str()))).map_err(|e| hsm_error("C_Login (SO)", e))?;
        session.init_pin(&AuthPin::from(user_pin.as_str())).map_err(|e| hsm_error("C_InitPIN", e))?;
        session.logout().map_err(|e| hsm_error("C_Logout", e))?;
        drop(session);
        Ok(())
    }
}

/// Sets `SOFTHSM2_CONF` for this process.
#[allow(unsafe_code)]
fn set_softhsm_conf(conf: &Path) {
    // SAFETY: `set_var` is unsafe because another thread reading the environment at the same
    // moment (getenv in C code) races with it. Callers reach this once per process, under the
    // CONFIGURED lock, before SoftHSM (the only reader of this variable) is loaded; Vaultmort's
    // own threads do not read the environment after start-up. SoftHSM offers no other way to
    // be told where its configuration is.
    unsafe { std::env::set_var("SOFTHSM2_CONF", conf) };
}
