//! Loading a PKCS#11 module, finding its token, and keeping logged-in sessions.
//!
//! A module is loaded and `C_Initialize`d once per process (PKCS#11 allows one initialisation
//! per application), and kept for the life of the process. A [`Token`] keeps one session open
//! for as long as it lives, because a PKCS#11 login belongs to the application and ends when its
//! last session closes; further sessions come from a small pool so that operations on several
//! threads do not queue behind one session.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use vaultmort_crypto::CryptoError;
use zeroize::Zeroizing;

use crate::config::TokenSelector;
use crate::hsm_error;

/// The most sessions kept open beside the anchor session.
const POOL_LIMIT: usize = 16;

static MODULES: Mutex<Vec<(PathBuf, Pkcs11)>> = Mutex::new(Vec::new());

/// The tokens this process has logged into: (module, token serial) and a digest of the PIN that
/// worked. PKCS#11 keeps one login per application, so a second `C_Login` answers
/// `CKR_USER_ALREADY_LOGGED_IN` whatever PIN it is given; the PIN is then checked against the
/// one that logged in, so that a wrong PIN is never accepted on the strength of an earlier login.
static LOGINS: Mutex<Vec<(PathBuf, String, [u8; 32])>> = Mutex::new(Vec::new());

fn pin_digest(pin: &str) -> [u8; 32] {
    vaultmort_crypto::aead::hmac_sha256(b"vaultmort/pkcs11-login", pin.as_bytes())
}

/// The loaded, initialised module at `path` (loaded on first call in this process).
pub fn load(path: &Path) -> Result<Pkcs11, CryptoError> {
    let mut modules = MODULES.lock().map_err(|_| CryptoError::Internal("module table poisoned"))?;
    if let Some((_, found)) = modules.iter().find(|(p, _)| p == path) {
        return Ok(found.clone());
    }
    if !path.is_file() {
        return Err(CryptoError::Hsm(format!("the PKCS#11 module '{}' does not exist", path.display())));
    }
    let context = Pkcs11::new(path).map_err(|e| CryptoError::Hsm(format!("cannot load the PKCS#11 module '{}': {e}", path.display())))?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(hsm_error("C_Initialize", e)),
    }
    modules.push((path.to_path_buf(), context.clone()));
    Ok(context)
}

/// Whether the module at `path` is already loaded in this process.
pub fn is_loaded(path: &Path) -> bool {
    MODULES.lock().map(|modules| modules.iter().any(|(p, _)| p == path)).unwrap_or(false)
}

/// Who a token is, as its token info says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenIdentity {
    /// Token label.
    pub label: String,
    /// Serial number (what key references record).
    pub serial: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// The slot it sits in.
    pub slot: u64,
}

/// The slot holding the token `selector` names.
pub fn find_slot(context: &Pkcs11, selector: &TokenSelector) -> Result<(Slot, TokenIdentity), CryptoError> {
    let slots = context.get_slots_with_initialized_token().map_err(|e| hsm_error("C_GetSlotList", e))?;
    for slot in slots {
        let info = context.get_token_info(slot).map_err(|e| hsm_error("C_GetTokenInfo", e))?;
        let matches = match selector {
            TokenSelector::Label(label) => info.label().trim_end() == label,
            TokenSelector::Slot(id) => slot.id() == *id,
        };
        if matches {
            let identity = TokenIdentity {
                label: info.label().trim_end().to_string(),
                serial: info.serial_number().trim_end().to_string(),
                manufacturer: info.manufacturer_id().trim_end().to_string(),
                model: info.model().trim_end().to_string(),
                slot: slot.id(),
            };
            return Ok((slot, identity));
        }
    }
    Err(CryptoError::Hsm(format!("the PKCS#11 module has no initialised {selector}")))
}

/// An open, logged-in token.
pub struct Token {
    context: Pkcs11,
    slot: Slot,
    identity: TokenIdentity,
    module: PathBuf,
    /// Holds the login for the application; also used when the pool is empty and busy.
    anchor: Mutex<Session>,
    pool: Mutex<Vec<Session>>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("module", &self.module).field("identity", &self.identity).finish_non_exhaustive()
    }
}

impl Token {
    /// Opens the token `selector` names in the module at `module` and logs in as the user.
    pub fn open(module: &Path, selector: &TokenSelector, pin: &Zeroizing<String>) -> Result<Self, CryptoError> {
        let context = load(module)?;
        let (slot, identity) = find_slot(&context, selector)?;
        let anchor = context.open_rw_session(slot).map_err(|e| hsm_error("C_OpenSession", e))?;
        let digest = pin_digest(pin);
        let mut logins = LOGINS.lock().map_err(|_| CryptoError::Internal("login table poisoned"))?;
        match anchor.login(UserType::User, Some(&AuthPin::from(pin.as_str()))) {
            Ok(()) => logins.push((module.to_path_buf(), identity.serial.clone(), digest)),
            Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
                let known = logins.iter().find(|(m, serial, _)| m == module && *serial == identity.serial);
                match known {
                    Some((_, _, logged_in_with)) if *logged_in_with == digest => {}
                    Some(_) => {
                        return Err(CryptoError::Hsm(format!(
                            "the PIN for {selector} is wrong (it is not the PIN this token is logged in with)"
                        )));
                    }
                    None => {
                        return Err(CryptoError::Hsm(format!(
                            "{selector} is already logged in by another part of this process, so the PIN cannot be checked"
                        )));
                    }
                }
            }
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                return Err(CryptoError::Hsm(format!("the PIN for {selector} is wrong (C_Login: CKR_PIN_INCORRECT)")));
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => {
                return Err(CryptoError::Hsm(format!("the user PIN of {selector} is locked (C_Login: CKR_PIN_LOCKED)")));
            }
            Err(e) => return Err(hsm_error("C_Login", e)),
        }
        Ok(Self { context, slot, identity, module: module.to_path_buf(), anchor: Mutex::new(anchor), pool: Mutex::new(Vec::new()) })
    }

    /// Who the token is.
    pub fn identity(&self) -> &TokenIdentity {
        &self.identity
    }

    /// The module's path.
    pub fn module(&self) -> &Path {
        &self.module
    }

    /// The module context (for token-level queries).
    pub fn context(&self) -> &Pkcs11 {
        &self.context
    }

    /// The token's slot.
    pub fn slot(&self) -> Slot {
        self.slot
    }

    /// Runs `work` with a session of this token: a pooled one when free, else a new one, which
    /// joins the pool afterwards (up to [`POOL_LIMIT`]).
    pub fn with_session<T>(&self, work: impl FnOnce(&Session) -> Result<T, CryptoError>) -> Result<T, CryptoError> {
        let pooled = self.pool.lock().map_err(|_| CryptoError::Internal("session pool poisoned"))?.pop();
        let session = match pooled {
            Some(session) => session,
            None => match self.context.open_rw_session(self.slot) {
                Ok(session) => session,
                // A token with a session limit: share the anchor session.
                Err(_) => {
                    let anchor = self.anchor.lock().map_err(|_| CryptoError::Internal("anchor session poisoned"))?;
                    return work(&anchor);
                }
            },
        };
        let result = work(&session);
        let mut pool = self.pool.lock().map_err(|_| CryptoError::Internal("session pool poisoned"))?;
        if pool.len() < POOL_LIMIT {
            pool.push(session);
        }
        result
    }
}
