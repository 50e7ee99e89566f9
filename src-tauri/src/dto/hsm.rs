//! HSM page views and inputs (`commands::hsm`): the home's PKCS#11 token as the core describes
//! it, and the "Configure module" form.
//!
//! Slot ids are strings: PKCS#11 slot ids are 64-bit and need not fit a JavaScript number.
//! The PIN only travels UI → backend; no view carries it.

use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_core::hsm::HsmStatus;
use vaultmort_pkcs11::inspect::{TokenObject, TokenReport};

/// What the HSM page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HsmStatusView {
    /// `practice` (Vaultmort's own SoftHSM2 token), `module` (one configured here) or
    /// `not set up` (the practice token is made with the first HSM key).
    pub mode: String,
    /// The token, once there is one.
    pub token: Option<TokenView>,
}

impl From<HsmStatus> for HsmStatusView {
    fn from(status: HsmStatus) -> Self {
        Self { mode: status.mode, token: status.token.map(TokenView::from) }
    }
}

/// A PKCS#11 token: its module, identity, PIN state, mechanisms and key objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// The module's shared library path.
    pub module: String,
    /// The module's own description and version.
    pub library: String,
    /// Token label.
    pub label: String,
    /// Token serial number.
    pub serial: String,
    /// Manufacturer and model.
    pub model: String,
    /// Slot id, in decimal.
    pub slot: String,
    /// The user PIN's state: `ok`, `count low`, `final try` or `locked`.
    pub pin_state: String,
    /// Mechanisms the token offers (`CKM_RSA_PKCS`, ...), sorted.
    pub mechanisms: Vec<String>,
    /// Key objects in the token.
    pub objects: Vec<TokenObjectView>,
}

impl From<TokenReport> for TokenView {
    fn from(report: TokenReport) -> Self {
        Self {
            module: report.module,
            library: report.library,
            label: report.label,
            serial: report.serial,
            model: report.model,
            slot: report.slot.to_string(),
            pin_state: report.pin_state,
            mechanisms: report.mechanisms,
            objects: report.objects.into_iter().map(TokenObjectView::from).collect(),
        }
    }
}

/// One key object in the token (never its value: the token does not give it out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenObjectView {
    /// `CKA_LABEL`.
    pub label: String,
    /// `CKA_ID`, hex.
    pub id: String,
    /// Object class: `private key` or `secret key`.
    pub class: String,
    /// Key type: `RSA`, `EC`, `AES`.
    pub key_type: String,
    /// `CKA_SENSITIVE`: the value may not be read in the clear.
    pub sensitive: bool,
    /// `CKA_EXTRACTABLE`: the value may be wrapped out of the token.
    pub extractable: bool,
    /// What it is to Vaultmort: `vault key`, `backup key` or `other`.
    pub role: String,
}

impl From<TokenObject> for TokenObjectView {
    fn from(object: TokenObject) -> Self {
        Self {
            label: object.label,
            id: object.id,
            class: object.class,
            key_type: object.key_type,
            sensitive: object.sensitive,
            extractable: object.extractable,
            role: object.role,
        }
    }
}

/// The "Configure module" form: a PKCS#11 module and which of its tokens to use.
#[derive(Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HsmModuleInput {
    /// The module's shared library (`/usr/lib/softhsm/libsofthsm2.so`, a vendor's `.so`).
    pub path: String,
    /// The token's label; give this or `slot`.
    pub token_label: Option<String>,
    /// The token's slot id in decimal; give this or `token_label`.
    pub slot: Option<String>,
    /// The token's user PIN.
    pub pin: String,
}

impl std::fmt::Debug for HsmModuleInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmModuleInput")
            .field("path", &self.path)
            .field("token_label", &self.token_label)
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}
