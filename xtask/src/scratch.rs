//! Throwaway directories (a keyring, a demo home), private to the user and removed on drop.

use std::fs::{self, DirBuilder};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// A fresh directory with mode 0700 under the system temp dir; deleted with its contents on drop.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Creates `vaultmort-xtask-<label>-<unique>` in the temp dir.
    pub fn new(label: &str) -> Result<Self> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.subsec_nanos()).unwrap_or_default();
        let unique = format!("{}-{nanos:x}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(format!("vaultmort-xtask-{label}-{unique}"));
        // 0700: gnome-keyring refuses a runtime dir others can read, and a demo home holds keys.
        DirBuilder::new().mode(0o700).create(&path).map_err(|error| Error::new(format!("cannot create {}: {error}", path.display())))?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover directory in /tmp is harmless, a panic in drop is not.
        let _ = fs::remove_dir_all(&self.path);
    }
}
