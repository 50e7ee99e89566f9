//! BYOK wizard views and inputs (`commands::byok`): the vendor step's choices and what it wrote.

use serde::{Deserialize, Serialize};
use specta::Type;

/// The vendor step: which target key to wrap for the key-exchange key, and where the files go.
#[derive(Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ByokWrapInput {
    /// Names the files: `<name>.byok` and `<name>-public.pem` (a number is added when taken).
    pub target_name: String,
    /// Generate an RSA target key of this size (2048, 3072 or 4096) in the vendor's HSM; or null
    /// and give `target_key`.
    pub target_size: Option<u32>,
    /// An existing target key instead: a PKCS#8 PEM file's bytes, base64.
    #[serde(default)]
    pub target_key: Option<String>,
    /// The password of an encrypted `target_key`.
    #[serde(default)]
    pub target_password: Option<String>,
    /// The folder to write the files in (made when missing).
    pub folder: String,
}

impl std::fmt::Debug for ByokWrapInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The target key's bytes and password stay out of logs.
        f.debug_struct("ByokWrapInput")
            .field("target_name", &self.target_name)
            .field("target_size", &self.target_size)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

/// What the vendor step made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ByokWrapView {
    /// The key-transfer file (`.byok`), wrapped for the KEK.
    pub byok_file: String,
    /// The target key's public key (PEM), to check the vault's signatures against later.
    pub public_key_file: String,
    /// The KEK's public key (PEM) the vendor tool wrapped for.
    pub kek_file: String,
    /// The KEK version's id, written into the file's header.
    pub kek_kid: String,
    /// The target key in words (`an RSA 3072 key`).
    pub target_key: String,
    /// The tool and HSM that made the file, as its `generator` says.
    pub generator: String,
    /// The simulated vendor HSM's folder.
    pub vendor_hsm: String,
    /// The `.byok` file's bytes, base64, for the import step.
    pub transfer: String,
}
