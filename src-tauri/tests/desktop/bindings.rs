//! `ui/src/bindings.ts` is what the Rust command types export, and names every command.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn committed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts")
}

fn fresh_export() -> String {
    let dir = tempfile::tempdir().expect("a temp dir for the fresh export");
    let path = dir.path().join("bindings.ts");
    vaultmort_desktop::specta_builder::<tauri::test::MockRuntime>()
        .export(vaultmort_desktop::typescript(), &path)
        .expect("every command type exports to TypeScript");
    std::fs::read_to_string(&path).expect("the export wrote the file")
}

/// Fails when the committed bindings differ from the Rust types; with
/// `VAULTMORT_WRITE_BINDINGS=1` (`cargo xtask bindings`) writes them instead.
#[test]
fn committed_bindings_match_the_rust_types() {
    let fresh = fresh_export();
    let committed = committed_path();
    if std::env::var_os("VAULTMORT_WRITE_BINDINGS").is_some() {
        std::fs::create_dir_all(committed.parent().expect("ui/src/bindings.ts has a parent")).expect("ui/src/ can be created");
        std::fs::write(&committed, &fresh).expect("ui/src/bindings.ts is writable");
        return;
    }
    let old = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        old == fresh,
        "ui/src/bindings.ts is stale: the UI would call commands with the wrong types; run `cargo xtask bindings` and commit it"
    );
}

/// The commands the exported file invokes are exactly `COMMANDS`, so the build script's
/// permissions and the capability cover every command the UI can call, and no more.
#[test]
fn the_bindings_invoke_exactly_the_listed_commands() {
    let fresh = fresh_export();
    let invoked: BTreeSet<&str> = fresh
        .split("__TAURI_INVOKE(\"")
        .skip(1)
        .map(|rest| rest.split('"').next().expect("an invoke names its command in quotes"))
        .collect();
    let listed: BTreeSet<&str> = vaultmort_desktop::COMMANDS.iter().copied().collect();
    assert_eq!(invoked, listed, "src/command_names.rs must list every registered command and nothing else");
}
