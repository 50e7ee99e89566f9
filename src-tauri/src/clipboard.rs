//! Copying a secret value to the system clipboard, and taking it off again.
//!
//! A copied value stays on the clipboard for a limited time (30 s unless the person chose
//! otherwise with `--clipboard-clear-seconds`); then it is cleared, but only if the clipboard
//! still holds that value, so whatever the person copied since is left alone. The comparison is
//! made on SHA-256 digests: the value itself is not kept in the app's memory while it waits.
//! The clipboard is reached through [`Clipboard`], so the app uses the clipboard-manager plugin
//! and the mock-runtime tests an in-memory one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::CommandError;

/// Read and write access to a clipboard's text.
pub trait Clipboard: Send + Sync + std::fmt::Debug {
    /// Puts `text` on the clipboard.
    fn write_text(&self, text: &str) -> Result<(), CommandError>;
    /// What the clipboard holds as text (empty when it holds none).
    fn read_text(&self) -> Result<Zeroizing<String>, CommandError>;
    /// Empties the clipboard.
    fn clear(&self) -> Result<(), CommandError>;
}

/// A process-local clipboard, for tests and for a session without a display.
#[derive(Debug, Default)]
pub struct MemoryClipboard {
    text: Mutex<Zeroizing<String>>,
}

impl Clipboard for MemoryClipboard {
    fn write_text(&self, text: &str) -> Result<(), CommandError> {
        *self.text.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Zeroizing::new(text.to_string());
        Ok(())
    }
    fn read_text(&self) -> Result<Zeroizing<String>, CommandError> {
        Ok(self.text.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone())
    }
    fn clear(&self) -> Result<(), CommandError> {
        self.write_text("")
    }
}

/// Copies `value` and schedules its removal after `clear_after`.
pub(crate) fn copy_for_a_while(clipboard: Arc<dyn Clipboard>, value: &str, clear_after: Duration) -> Result<(), CommandError> {
    clipboard.write_text(value)?;
    let digest: [u8; 32] = Sha256::digest(value.as_bytes()).into();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(clear_after).await;
        let still_ours = clipboard.read_text().map(|now| <[u8; 32]>::from(Sha256::digest(now.as_bytes())) == digest);
        match still_ours {
            Ok(true) => {
                if let Err(error) = clipboard.clear() {
                    log::warn!("could not clear the copied secret from the clipboard: {error}");
                }
            }
            Ok(false) => log::info!("the clipboard changed since a secret was copied; left as it is"),
            Err(error) => log::warn!("could not read the clipboard to clear a copied secret: {error}"),
        }
    });
    Ok(())
}
