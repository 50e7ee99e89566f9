//! The shared-change stamp of one store: a small file beside the database whose contents every
//! process sharing the database reads before a request and replaces after changing a shared
//! setting (see [`vaultmort_core::Storage::shared_change_stamp`]).
//!
//! A file rather than a row: reading it is one `open` and one short `read`, with no trip to
//! sqlx's worker thread, so a server can look at it on every request. The file holds a fresh
//! random value per announcement, never a counter: two processes announcing at once then still
//! leave a value that differs from what either saw before. It is replaced by writing a new file
//! (created exclusively, owner-only) and renaming it over the old one, so a reader never sees a
//! half-written stamp and a symlink planted at the path is replaced, not followed. The file
//! holds no secret; it only says "something shared changed, read the store again".

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use vaultmort_core::StoreError;
use vaultmort_core::storage::ChangeStamp;

use crate::error;

/// The most bytes of the stamp file that are read: a well-formed stamp has 32.
const STAMP_READ_LIMIT: u64 = 64;

/// The stamp file of the database at `database`: its name with `-stamp` appended.
pub(crate) fn path_for(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-stamp");
    PathBuf::from(name)
}

/// The current stamp; empty when no change was ever announced.
pub(crate) fn read(stamp: &Path) -> Result<ChangeStamp, StoreError> {
    let file = match fs::File::open(stamp) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(error::io("reading the shared-change stamp", stamp)(e)),
    };
    let mut contents = Vec::with_capacity(32);
    file.take(STAMP_READ_LIMIT).read_to_end(&mut contents).map_err(error::io("reading the shared-change stamp", stamp))?;
    Ok(contents)
}

/// Replaces the stamp with a fresh random value.
pub(crate) fn announce(stamp: &Path) -> Result<(), StoreError> {
    let value = uuid::Uuid::new_v4().simple().to_string();
    let mut temporary = stamp.as_os_str().to_owned();
    temporary.push(format!(".{value}.tmp"));
    let temporary = PathBuf::from(temporary);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temporary).and_then(|mut file| file.write_all(value.as_bytes()));
    if let Err(e) = written.and_then(|()| fs::rename(&temporary, stamp)) {
        // Best effort: the temporary file may not exist if creating it failed.
        let _ = fs::remove_file(&temporary);
        return Err(error::io("announcing a shared change in", stamp)(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_announcement_changes_the_stamp_and_a_planted_symlink_is_replaced() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let stamp = path_for(&dir.path().join("vaultmort.db"));
        assert!(read(&stamp).expect("a missing stamp reads").is_empty(), "no announcement yet: the empty stamp");
        announce(&stamp).expect("announce");
        let first = read(&stamp).expect("read");
        announce(&stamp).expect("announce again");
        let second = read(&stamp).expect("read");
        assert_eq!(first.len(), 32, "a stamp is 32 hex digits");
        assert_ne!(first, second, "each announcement leaves a value no reader has seen");

        let target = dir.path().join("elsewhere");
        fs::write(&target, b"untouched").expect("a file to point at");
        fs::remove_file(&stamp).expect("remove the stamp");
        std::os::unix::fs::symlink(&target, &stamp).expect("plant a symlink");
        announce(&stamp).expect("announce over a symlink");
        assert_eq!(fs::read(&target).expect("read the target"), b"untouched", "the write does not follow the symlink");
        assert!(!fs::symlink_metadata(&stamp).expect("stamp").file_type().is_symlink(), "the symlink was replaced by the stamp");
        let leftovers = fs::read_dir(dir.path())
            .expect("list")
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "tmp")))
            .count();
        assert_eq!(leftovers, 0, "no temporary file is left behind");
    }
}
