//! Which PKCS#11 module and token a home uses, and with which PIN.
//!
//! The configuration holds PINs, so the core keeps it sealed like any secret; its `Debug` output
//! never shows them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// How to find the token in a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenSelector {
    /// The token with this label (`CKA_LABEL` of the token info).
    Label(String),
    /// The token in this slot id.
    Slot(u64),
}

impl std::fmt::Display for TokenSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSelector::Label(label) => write!(f, "token '{label}'"),
            TokenSelector::Slot(slot) => write!(f, "slot {slot}"),
        }
    }
}

/// A home's HSM: either Vaultmort's own practice token or any module the user configured.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum HsmConfig {
    /// Vaultmort's SoftHSM2 token in `<home>/hsm`, made on first use.
    #[serde(rename_all = "camelCase")]
    Practice {
        /// The token label.
        label: String,
        /// The user PIN (generated).
        user_pin: Zeroizing<String>,
        /// The security officer PIN (generated; kept for re-initialising the PIN).
        so_pin: Zeroizing<String>,
    },
    /// A PKCS#11 module the user chose (a real HSM, a YubiHSM, another SoftHSM).
    #[serde(rename_all = "camelCase")]
    Module {
        /// The module's shared library.
        path: PathBuf,
        /// Which token.
        token: TokenSelector,
        /// The user PIN.
        pin: Zeroizing<String>,
    },
}

impl std::fmt::Debug for HsmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HsmConfig::Practice { label, .. } => f.debug_struct("Practice").field("label", label).finish_non_exhaustive(),
            HsmConfig::Module { path, token, .. } => {
                f.debug_struct("Module").field("path", path).field("token", token).finish_non_exhaustive()
            }
        }
    }
}

impl HsmConfig {
    /// The practice token's label.
    pub const PRACTICE_LABEL: &'static str = "vaultmort";

    /// Whether this is Vaultmort's own practice token.
    pub fn is_practice(&self) -> bool {
        matches!(self, HsmConfig::Practice { .. })
    }
}
