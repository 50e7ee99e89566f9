//! Writing downloads to the file the person picked in the save dialog, and checking the files
//! the UI reads for import.
//!
//! The rules (whole or nothing, 0600 for private content, no symlink followed, the most an input
//! file may hold) are `vaultmort_home::files`, shared with the CLI; this module only adapts them
//! to the commands' types. The save dialog has already asked before replacing a file, so a
//! download replaces whatever is at the path. Reading files for import is the UI's job (the bytes
//! arrive base64-encoded), so nothing here opens a file the person did not choose.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
pub(crate) use vaultmort_home::files::Sensitivity;
use vaultmort_home::files::{self, Existing, FileKind};

use crate::dto::SavedFile;
use crate::error::CommandError;

/// Writes `bytes` to `path` atomically.
pub(crate) fn save(path: &str, bytes: &[u8], sensitivity: Sensitivity) -> Result<SavedFile, CommandError> {
    if path.trim().is_empty() {
        return Err(CommandError::bad_parameter("choose a file to save to"));
    }
    files::write_output(std::path::Path::new(path), bytes, sensitivity, Existing::Replace)?;
    let size = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    Ok(SavedFile { path: path.to_string(), bytes: size })
}

/// Decodes a file's bytes sent as base64 by the UI, refusing more than `kind` can hold before
/// decoding: the base64 text is measured first, then the bytes.
pub(crate) fn received_file(data: &str, kind: FileKind) -> Result<Vec<u8>, CommandError> {
    let data = data.trim();
    // Base64 carries 3 bytes in 4 characters, the last group 1 to 3: the text holds at least
    // this many bytes, so a text that holds more than the limit is refused undecoded.
    files::check_input_len((data.len() / 4 * 3).saturating_sub(2), "the chosen file", kind)?;
    let bytes =
        STANDARD.decode(data).map_err(|error| CommandError::bad_parameter(format!("the file's bytes are not valid base64: {error}")))?;
    files::check_input_len(bytes.len(), "the chosen file", kind)?;
    Ok(bytes)
}
