//! `cargo xtask bindings`: rewrites `ui/src/bindings.ts` from the desktop app's Rust command types.
//!
//! The export lives in the app's staleness test (`src-tauri/tests/desktop/bindings.rs`), which
//! writes the file instead of comparing when `VAULTMORT_WRITE_BINDINGS` is set; so the file this
//! task writes is by construction the one `cargo xtask test` expects.

use crate::error::Result;
use crate::process::{self, Project};

/// Runs the bindings test in writing mode.
pub fn run(project: &Project) -> Result<()> {
    let mut test = project.cargo();
    test.args(["test", "--package", "vaultmort-desktop", "--test", "desktop", "bindings::"]).env("VAULTMORT_WRITE_BINDINGS", "1");
    process::run("bindings", &mut test)?;
    println!("bindings: wrote ui/src/bindings.ts");
    Ok(())
}
