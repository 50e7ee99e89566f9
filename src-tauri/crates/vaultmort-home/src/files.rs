//! The files a person hands to Vaultmort and the files it writes for them, for every door.
//!
//! Reading: an input file is read through a bounded reader, at most one byte more than the
//! largest file of its kind can be ([`FileKind::limit`]), so `/dev/zero`, an endless pipe or a
//! growing file is refused as soon as it passes the limit, whatever its metadata says. A door that
//! receives a file's bytes instead of a path (the desktop's file picker) checks their length
//! with [`check_input_len`].
//!
//! Writing: a download is written whole or not at all: the bytes go to a temporary file created
//! beside the target with `O_EXCL` and mode 0600 (whatever the umask), which is then renamed over
//! the target. A rename replaces a symlink at the target rather than following it, and the
//! temporary file's random name cannot be planted in advance, so no symlink redirects a write.
//! [`Sensitivity::Public`] files are widened to 0644 through the open handle.
//!
//! Left out: choosing the path (the door's dialog or flag) and presentation of errors.

use std::io::{Read, Write};
use std::path::Path;

/// Bytes in a KiB.
const KIB: u64 = 1024;
/// Bytes in a MiB.
const MIB: u64 = 1024 * KIB;

/// What an input file holds, which fixes the most it can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A secret's value (`secret set --file`): at most Key Vault's 25 KB. Every encoding the
    /// doors offer (UTF-8, base64, hex) stores at least as many characters as the file has bytes,
    /// so a larger file can never become a storable value.
    SecretValue,
    /// A certificate to import or merge: PFX, PEM (certificates and key), DER or PKCS #7.
    Certificate,
    /// A key to import (a JSON Web Key).
    Key,
    /// A JSON document: a certificate or rotation policy, a role definition.
    Json,
    /// A backup blob to restore.
    Backup,
}

impl FileKind {
    /// The largest file of this kind Vaultmort reads, in bytes.
    ///
    /// - Certificates: 1 MiB. A PFX with an RSA 4096 key and a chain of ten certificates is under
    ///   20 KB; real bundles stay far below a megabyte.
    /// - Keys: 64 KiB. An RSA 4096 private JWK is about 3.3 KB pretty-printed.
    /// - JSON documents: 1 MiB. Policies are a few KB; a role definition with thousands of actions
    ///   stays well below.
    /// - Backups: 64 MiB. A blob holds at most [`vaultmort_core::backup::MAX_BACKUP_VERSIONS`]
    ///   (500) versions; a secret version is at most 25 KB, about 34 KB as base64 plus its
    ///   properties, so about 20 MB for 500 versions; a certificate's blob also carries its key and
    ///   secret. 64 MiB leaves room above the largest one.
    pub const fn limit(self) -> u64 {
        match self {
            FileKind::SecretValue => vaultmort_core::secrets::MAX_SECRET_BYTES as u64,
            FileKind::Certificate => MIB,
            FileKind::Key => 64 * KIB,
            FileKind::Json => MIB,
            FileKind::Backup => 64 * MIB,
        }
    }

    /// What the file is, for messages.
    pub const fn what(self) -> &'static str {
        match self {
            FileKind::SecretValue => "secret value",
            FileKind::Certificate => "certificate file",
            FileKind::Key => "key file",
            FileKind::Json => "JSON document",
            FileKind::Backup => "backup",
        }
    }
}

/// Who may read a file Vaultmort writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    /// Certificates, public keys, CSRs: mode 0644.
    Public,
    /// Secret values, private keys, backups, the access log: mode 0600.
    Private,
}

/// What to do when the target already exists (a file, a directory or a symlink).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse with [`FileError::Exists`]; nothing is written (the CLI: a flag is not a confirmation).
    Refuse,
    /// Replace it; a symlink is replaced itself, never followed (the desktop's save dialog has
    /// already asked the person).
    Replace,
}

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The input is larger than any file of its kind can be.
    #[error("{path} is larger than {limit} bytes, the most a {what} can be; it was not read further")]
    TooLarge {
        /// The file, as given.
        path: String,
        /// What it should hold.
        what: &'static str,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The input cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file, as given.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The target exists and [`Existing::Refuse`] was asked.
    #[error("{path} already exists; choose another file")]
    Exists {
        /// The target, as given.
        path: String,
    },
    /// The target cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The target, as given.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

impl FileError {
    /// The error code shown with the message.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::TooLarge { .. } => "BadParameter",
            FileError::Read { .. } => "FileReadFailed",
            FileError::Exists { .. } => "FileExists",
            FileError::Write { .. } => "FileWriteFailed",
        }
    }
}

/// Reads the whole file at `path`, refusing it once it passes `kind`'s limit.
pub fn read_input(path: &Path, kind: FileKind) -> Result<Vec<u8>, FileError> {
    let shown = path.display().to_string();
    let read_failed = |source| FileError::Read { path: shown.clone(), source };
    let file = std::fs::File::open(path).map_err(read_failed)?;
    read_bounded(file, &shown, kind).map_err(|error| match error {
        FileError::Read { source, .. } => read_failed(source),
        other => other,
    })
}

/// Reads `source` to its end, refusing it once it passes `kind`'s limit; `name` names it in errors.
pub fn read_bounded(source: impl Read, name: &str, kind: FileKind) -> Result<Vec<u8>, FileError> {
    let limit = kind.limit();
    let mut bytes = Vec::new();
    source.take(limit + 1).read_to_end(&mut bytes).map_err(|source| FileError::Read { path: name.to_string(), source })?;
    check_input_len(bytes.len(), name, kind)?;
    Ok(bytes)
}

/// Refuses `len` bytes of input named `name` when they pass `kind`'s limit.
pub fn check_input_len(len: usize, name: &str, kind: FileKind) -> Result<(), FileError> {
    if u64::try_from(len).unwrap_or(u64::MAX) > kind.limit() {
        return Err(FileError::TooLarge { path: name.to_string(), what: kind.what(), limit: kind.limit() });
    }
    Ok(())
}

/// Writes `bytes` to `path` whole or not at all, with the mode `sensitivity` asks for, never
/// following a symlink at `path`.
pub fn write_output(path: &Path, bytes: &[u8], sensitivity: Sensitivity, existing: Existing) -> Result<(), FileError> {
    let shown = path.display().to_string();
    let failed = |source| FileError::Write { path: shown.clone(), source };
    if path.as_os_str().is_empty() || path.file_name().is_none() {
        return Err(failed(std::io::Error::new(std::io::ErrorKind::InvalidInput, "this is not a file name")));
    }
    // `symlink_metadata` sees a symlink itself (even a dangling one), not what it points to.
    if existing == Existing::Refuse && std::fs::symlink_metadata(path).is_ok() {
        return Err(FileError::Exists { path: shown });
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // tempfile creates the file with O_CREAT | O_EXCL and mode 0600 on Unix, under a random name.
    let mut temp = tempfile::Builder::new().prefix(".vaultmort-partial-").tempfile_in(dir).map_err(failed)?;
    if sensitivity == Sensitivity::Public {
        widen_to_public(temp.as_file()).map_err(failed)?;
    }
    temp.write_all(bytes).map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    match existing {
        // A rename replaces whatever is at the target, a symlink included, without following it.
        Existing::Replace => temp.persist(path).map(drop).map_err(|error| failed(error.error)),
        // Refuses atomically if something appeared at the target since the check above.
        Existing::Refuse => temp.persist_noclobber(path).map(drop).map_err(|error| match error.error.kind() {
            std::io::ErrorKind::AlreadyExists => FileError::Exists { path: shown.clone() },
            _ => failed(error.error),
        }),
    }
}

#[cfg(unix)]
fn widen_to_public(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn widen_to_public(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_input_is_refused_after_the_limit() {
        let endless = std::io::repeat(0);
        let error = read_bounded(endless, "endless", FileKind::Key).expect_err("an endless input must be refused, not read forever");
        assert_eq!(error.code(), "BadParameter", "too large is the caller's mistake: {error}");
        assert!(error.to_string().contains("65536"), "the message names the limit: {error}");
    }

    #[test]
    fn an_input_at_the_limit_is_read_whole() {
        let limit = usize::try_from(FileKind::SecretValue.limit()).expect("25 KiB fits a usize");
        let bytes = read_bounded(&vec![b'a'; limit][..], "exact", FileKind::SecretValue).expect("a file of exactly the limit is accepted");
        assert_eq!(bytes.len(), limit, "the whole file is returned");
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_symlink_is_not_followed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, b"untouched").expect("write the pointed-to file");
        let target = dir.path().join("target");
        std::os::unix::fs::symlink(&elsewhere, &target).expect("plant a symlink");
        write_output(&target, b"secret", Sensitivity::Private, Existing::Replace).expect("replace the symlink");
        assert_eq!(std::fs::read(&elsewhere).expect("read"), b"untouched", "the symlink's target must not be written");
        assert!(!std::fs::symlink_metadata(&target).expect("stat").file_type().is_symlink(), "the symlink itself is replaced");
        let error = write_output(&target, b"again", Sensitivity::Private, Existing::Refuse).expect_err("an existing file is refused");
        assert_eq!(error.code(), "FileExists", "refusal names the reason: {error}");
    }
}
