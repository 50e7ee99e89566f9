//! Writing downloads to the file the person picked in the save dialog.
//!
//! A download is written whole or not at all: the bytes go to a temporary file beside the
//! target, which is then renamed over it. Files that hold a secret value or a private key are
//! created readable by their owner only. Reading files for import is the UI's job (the bytes
//! arrive base64-encoded), so nothing here opens a file the person did not choose.

use std::io::Write;
use std::path::Path;

use crate::dto::SavedFile;
use crate::error::CommandError;

/// Whether a download holds something only its owner should read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sensitivity {
    /// Certificates, public keys: readable as the user's umask allows.
    Public,
    /// Secret values and private keys: mode 0600.
    Private,
}

/// Writes `bytes` to `path` atomically.
pub(crate) fn save(path: &str, bytes: &[u8], sensitivity: Sensitivity) -> Result<SavedFile, CommandError> {
    let target = Path::new(path);
    if path.trim().is_empty() || target.file_name().is_none() {
        return Err(CommandError::bad_parameter("choose a file to save to"));
    }
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let failed = |error: std::io::Error| CommandError::new("FileWriteFailed", format!("cannot write {path}: {error}"));
    let mut temp = tempfile::Builder::new().prefix(".vaultmort-download-").tempfile_in(dir).map_err(failed)?;
    // tempfile creates the file with mode 0600; widen it only for public content.
    if sensitivity == Sensitivity::Public {
        set_public_mode(temp.path()).map_err(failed)?;
    }
    temp.write_all(bytes).map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    temp.persist(target).map_err(|e| failed(e.error))?;
    let size = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    Ok(SavedFile { path: path.to_string(), bytes: size })
}

#[cfg(unix)]
fn set_public_mode(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_public_mode(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
