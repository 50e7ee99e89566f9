//! Points cargo-deny at the RustSec snapshot in `../shared/advisory-db` without a network.
//!
//! cargo-deny 0.20 looks for each database in `<db-path>/<last url segment>-<hash of the url>`,
//! wants a `crates/` directory there, and (with `--offline`) takes the modification time of
//! `.git/FETCH_HEAD` as the time of the last fetch. The snapshot is read-only plain files, so we
//! build that layout in the git-ignored `.tools/advisory-dbs` (deny.toml's `db-path`): a symlink
//! to the snapshot's `crates/` and a `FETCH_HEAD` naming the snapshot, rewritten on every run,
//! because "fetching" here means reading the snapshot. How old the snapshot itself is, is printed.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::error::{Error, Result};
use crate::process::Project;

/// The snapshot, relative to the workspace root (CI clones the repository next to `shared/`).
const SNAPSHOT: &str = "../shared/advisory-db";

/// deny.toml's `db-path`, relative to the workspace root.
const DB_PATH: &str = ".tools/advisory-dbs";

/// The directory cargo-deny derives from deny.toml's `db-urls` entry
/// `https://github.com/rustsec/advisory-db`. Change both together; `cargo deny -L debug check`
/// logs the directory it opens. If they disagree, cargo-deny fails to find `FETCH_HEAD`.
const DB_DIR: &str = "advisory-db-3157b0e258782691";

/// Lays out `.tools/advisory-dbs/` for the snapshot and returns what the snapshot says it is.
pub fn prepare(project: &Project) -> Result<String> {
    let snapshot = project.root().join(SNAPSHOT);
    let snapshot = snapshot.canonicalize().map_err(|error| {
        Error::new(format!("no RustSec snapshot at {} ({error}); it is expected beside the repository", snapshot.display()))
    })?;
    let description = fs::read_to_string(snapshot.join("SNAPSHOT.txt")).unwrap_or_else(|_| format!("snapshot at {}", snapshot.display()));

    let db = project.root().join(DB_PATH).join(DB_DIR);
    let git = db.join(".git");
    fs::create_dir_all(&git).map_err(|error| io_error("create", &git, error))?;
    replace_symlink(&snapshot.join("crates"), &db.join("crates"))?;
    let fetch_head = git.join("FETCH_HEAD");
    fs::write(&fetch_head, &description).map_err(|error| io_error("write", &fetch_head, error))?;
    // "RustSec advisory database, snapshot of commit <id> (<date>). <more>": the first sentence.
    let first_sentence = description.split_once(". ").map_or(description.trim(), |(first, _)| first);
    Ok(first_sentence.to_owned())
}

/// Makes `link` a symlink to `target`, whatever was there before.
fn replace_symlink(target: &Path, link: &Path) -> Result<()> {
    match fs::read_link(link) {
        Ok(existing) if existing == target => return Ok(()),
        Ok(_) => fs::remove_file(link).map_err(|error| io_error("remove", link, error))?,
        Err(error) if error.kind() == ErrorKind::NotFound => {}
        Err(_) => fs::remove_dir_all(link).map_err(|error| io_error("remove", link, error))?,
    }
    symlink(target, link).map_err(|error| io_error("create symlink", link, error))
}

fn io_error(action: &str, path: &Path, error: std::io::Error) -> Error {
    Error::new(format!("cannot {action} {}: {error}", path.display()))
}
