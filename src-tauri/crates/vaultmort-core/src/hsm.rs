//! The home's HSM: which PKCS#11 token holds HSM-protected keys, made and opened on first use.
//!
//! By default a home's HSM is Vaultmort's own SoftHSM2 token under `<home>/hsm`, made the first
//! time an HSM key is needed, with a user PIN and a security officer PIN generated here. The
//! configuration (module, token, PINs) is sealed in the store like any secret, so the PINs are
//! never on disk in plaintext. `hsm configure` replaces it with any PKCS#11 module (a real HSM,
//! a YubiHSM): the token is opened and logged into before the change is kept.
//!
//! The provider is opened once per process and kept; every door of a home finds the same
//! configuration in the shared store.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use vaultmort_pkcs11::inspect::TokenReport;
use vaultmort_pkcs11::softhsm::SoftHsmDir;
use vaultmort_pkcs11::{HsmConfig, Pkcs11Provider, TokenSelector};
use zeroize::Zeroizing;

use crate::authz::{Scope, actions};
use crate::barrier::SealContext;
use crate::storage::Transaction;
use crate::{Error, RequestContext, Result, Vaultmort};

const CONFIG_KEY: &str = "hsm.config";

fn seal_context() -> SealContext {
    SealContext::installation("hsm-config")
}

/// Where this process finds (or makes) the practice token, and the provider once open, with
/// the stored configuration record it was opened from.
#[derive(Default)]
pub(crate) struct HsmSlot {
    /// The practice token's folder (`<home>/hsm`); `None` when the core was opened without a
    /// home folder, which leaves only a configured module.
    practice_dir: Option<PathBuf>,
    provider: Mutex<Option<OpenHsm>>,
}

/// A provider and the sealed configuration record it was opened from: when another door of the
/// home stores another configuration, the record differs and the provider is opened again.
#[derive(Clone)]
struct OpenHsm {
    record: Vec<u8>,
    provider: Arc<Pkcs11Provider>,
    /// Whether it is the practice token (for `hsm show`).
    practice: bool,
}

impl HsmSlot {
    pub(crate) fn new(practice_dir: Option<PathBuf>) -> Self {
        Self { practice_dir, provider: Mutex::new(None) }
    }

    fn loaded(&self) -> Result<Option<OpenHsm>> {
        Ok(self.provider.lock().map_err(|_| Error::Crypto(vaultmort_crypto::CryptoError::Internal("HSM slot poisoned")))?.clone())
    }

    fn keep(&self, open: OpenHsm) -> Result<()> {
        *self.provider.lock().map_err(|_| Error::Crypto(vaultmort_crypto::CryptoError::Internal("HSM slot poisoned")))? = Some(open);
        Ok(())
    }

    fn practice_dir(&self) -> Result<&PathBuf> {
        self.practice_dir.as_ref().ok_or_else(|| {
            Error::HsmUnavailable(
                "this core was opened without a home folder, so it has no practice HSM; configure a PKCS#11 module".into(),
            )
        })
    }
}

/// What `hsm show` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HsmStatus {
    /// `practice` (Vaultmort's SoftHSM token), `module` (one the user configured) or
    /// `not set up` (made with the first HSM key).
    pub mode: String,
    /// The token, once set up.
    pub token: Option<TokenReport>,
}

/// A PKCS#11 module to use instead of the practice token.
#[derive(Clone)]
pub struct HsmModule {
    /// The module's shared library.
    pub path: PathBuf,
    /// Which token.
    pub token: TokenSelector,
    /// The user PIN.
    pub pin: Zeroizing<String>,
}

impl std::fmt::Debug for HsmModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmModule").field("path", &self.path).field("token", &self.token).finish_non_exhaustive()
    }
}

fn random_pin() -> Result<Zeroizing<String>> {
    Ok(Zeroizing::new(hex::encode(vaultmort_crypto::aead::random_bytes(16)?)))
}

impl Vaultmort {
    async fn store_hsm_config(&self, tx: &mut dyn Transaction, config: &HsmConfig) -> Result<Vec<u8>> {
        let plain = Zeroizing::new(
            serde_json::to_vec(config).map_err(|_| Error::Crypto(vaultmort_crypto::CryptoError::Internal("HSM configuration encoding")))?,
        );
        let sealed = self.barrier.seal(tx, &seal_context(), &plain).await?;
        tx.meta_put(CONFIG_KEY, &sealed).await?;
        Ok(sealed)
    }

    /// Opens the provider `config` describes and keeps it with the record it came from.
    fn open_hsm(&self, record: Vec<u8>, config: &HsmConfig) -> Result<Arc<Pkcs11Provider>> {
        let dir = match config {
            HsmConfig::Practice { .. } => self.hsm.practice_dir()?.clone(),
            HsmConfig::Module { .. } => PathBuf::new(),
        };
        let provider = Arc::new(Pkcs11Provider::open(config, &dir).map_err(|e| Error::HsmUnavailable(e.to_string()))?);
        self.hsm.keep(OpenHsm { record, provider: provider.clone(), practice: config.is_practice() })?;
        Ok(provider)
    }

    /// The provider of the configuration the store holds now (read in `tx`, so that a change
    /// another door of the home made counts at once), and whether it is the practice token;
    /// `None` when no HSM is set up.
    async fn current_hsm(&self, tx: &mut dyn Transaction) -> Result<Option<(Arc<Pkcs11Provider>, bool)>> {
        let Some(record) = tx.meta_get(CONFIG_KEY).await? else { return Ok(None) };
        if let Some(open) = self.hsm.loaded()?
            && open.record == record
        {
            return Ok(Some((open.provider, open.practice)));
        }
        let plain = self.barrier.open(tx, &seal_context(), &record).await?;
        let config: HsmConfig =
            serde_json::from_slice(&plain).map_err(|_| Error::Integrity("the HSM configuration record is unreadable".into()))?;
        Ok(Some((self.open_hsm(record, &config)?, config.is_practice())))
    }

    /// The HSM provider for an operation on an existing HSM key (its configuration exists).
    pub(crate) async fn hsm_provider(&self, tx: &mut dyn Transaction) -> Result<Arc<Pkcs11Provider>> {
        match self.current_hsm(tx).await? {
            Some((provider, _)) => Ok(provider),
            None => Err(Error::HsmUnavailable("this home has no HSM set up, but a key says it lives in one".into())),
        }
    }

    /// The HSM provider for making a key: on the first HSM key of a home, makes the practice
    /// token (in `tx`, so that the configuration is kept only if the key is).
    pub(crate) async fn hsm_provider_making(&self, tx: &mut dyn Transaction) -> Result<Arc<Pkcs11Provider>> {
        if let Some((provider, _)) = self.current_hsm(tx).await? {
            return Ok(provider);
        }
        let dir = self.hsm.practice_dir()?.clone();
        // A fresh label per attempt: a token made by an attempt whose transaction was then
        // rolled back is left unused rather than mistaken for this one.
        let label = format!("{}-{}", HsmConfig::PRACTICE_LABEL, &hex::encode(vaultmort_crypto::aead::random_bytes(4)?));
        let (user_pin, so_pin) = (random_pin()?, random_pin()?);
        SoftHsmDir::new(&dir).init_token(&label, &so_pin, &user_pin).map_err(|e| Error::HsmUnavailable(e.to_string()))?;
        let config = HsmConfig::Practice { label, user_pin, so_pin };
        let record = self.store_hsm_config(tx, &config).await?;
        self.open_hsm(record, &config)
    }

    /// Whether HSM-protected keys can be made here (for the key catalog): a configured HSM, or
    /// a home folder to make the practice token in with SoftHSM installed.
    pub(crate) fn hsm_possible(&self) -> Result<()> {
        let refused = |reason: String| Error::HsmUnavailable(format!("HSM-protected keys cannot be made here: {reason}"));
        if matches!(self.hsm.loaded(), Ok(Some(_))) {
            return Ok(());
        }
        if self.hsm.practice_dir.is_none() {
            return Err(refused("this core has no home folder for the practice HSM".into()));
        }
        let module = vaultmort_pkcs11::softhsm::module_path();
        if !module.is_file() {
            return Err(refused(format!("SoftHSM2 is not installed ({} is missing; install Debian's softhsm2)", module.display())));
        }
        Ok(())
    }

    /// The HSM's state: the token's module, identity, mechanisms and objects.
    pub async fn hsm_show(&self, ctx: &RequestContext) -> Result<HsmStatus> {
        let mut req = self.request(ctx, actions::HSM_READ).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let Some((provider, practice)) = self.current_hsm(req.tx.as_mut()).await? else {
                return Ok(HsmStatus { mode: "not set up".into(), token: None });
            };
            let report = vaultmort_pkcs11::inspect::describe(provider.token()).map_err(|e| Error::HsmUnavailable(e.to_string()))?;
            Ok(HsmStatus { mode: if practice { "practice".into() } else { "module".into() }, token: Some(report) })
        }
        .await;
        req.finish(result).await
    }

    /// Uses the PKCS#11 module `module` as this home's HSM from now on. The token is opened and
    /// logged into first; a module that does not answer changes nothing. Keys made in the
    /// previous HSM stay there and stop working until it is configured again.
    pub async fn hsm_configure(&self, ctx: &RequestContext, module: HsmModule) -> Result<HsmStatus> {
        let mut req = self.request(ctx, actions::HSM_CONFIGURE).await?;
        req.note_sensitive("pin", module.pin.as_bytes());
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let config = HsmConfig::Module { path: module.path.clone(), token: module.token.clone(), pin: module.pin.clone() };
            let provider = Arc::new(Pkcs11Provider::open(&config, &PathBuf::new()).map_err(|e| Error::HsmUnavailable(e.to_string()))?);
            let record = self.store_hsm_config(req.tx.as_mut(), &config).await?;
            let report = vaultmort_pkcs11::inspect::describe(provider.token()).map_err(|e| Error::HsmUnavailable(e.to_string()))?;
            self.hsm.keep(OpenHsm { record, provider, practice: false })?;
            Ok(HsmStatus { mode: "module".into(), token: Some(report) })
        }
        .await;
        req.finish(result).await
    }
}
