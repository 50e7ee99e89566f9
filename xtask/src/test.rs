//! `cargo xtask test`: every check CI runs, in order, stopping at the first that fails.
//!
//! The test suite runs hermetically: a private D-Bus session holds a gnome-keyring whose files
//! live in throwaway directories, so no test can reach the user's real keyring, and the
//! `VAULTMORT_*` settings of the calling shell are dropped.

use std::fs;
use std::path::Path;

use crate::advisory_db;
use crate::error::{Error, Result};
use crate::process::{self, Project};
use crate::scratch::Scratch;
use crate::setup;

/// How to run the checks.
pub struct Options<'a> {
    /// Skip fmt, clippy and deny: only the test suite.
    pub quick: bool,
    /// Extra arguments for `cargo nextest run`, e.g. a filter expression.
    pub nextest_args: &'a [String],
}

/// Starts the daemon with the password `ci` (which also unlocks the new login keyring), then
/// runs the command given as positional arguments, so they need no shell quoting.
const KEYRING_THEN_EXEC: &str = concat!(
    "printf ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null",
    " || { echo gnome-keyring-daemon did not start >&2; exit 1; }",
    "; exec \"$@\"",
);

/// Settings of the calling shell that would make tests use the user's data or key.
const USER_SETTINGS: &[&str] =
    &["VAULTMORT_HOME", "VAULTMORT_KEY_SOURCE", "VAULTMORT_PASSPHRASE", "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL"];

/// Runs setup, then fmt, clippy, deny (unless quick) and the test suite.
pub fn run(project: &Project, options: Options<'_>) -> Result<()> {
    setup::system_packages(project)?;
    setup::cargo_tools(project)?;

    if !options.quick {
        process::run("fmt", project.cargo().args(["fmt", "--all", "--check"]))?;
        crate::desktop::build_ui(project)?;
        process::run("ui check", project.command("npm").args(["--prefix", "ui", "run", "check"]))?;
        process::run("clippy", project.cargo().args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))?;
        // cargo-deny reads the whole crate graph for every target platform (`cargo metadata`),
        // so it needs the sources of crates a Linux build never downloads (windows-sys, ...).
        // Fetch them first: the one step of the checks that uses the network, and a no-op once
        // the cargo cache holds them. Only the advisory database stays offline.
        process::run("fetch", project.cargo().args(["fetch", "--locked"]))?;
        let snapshot = advisory_db::prepare(project)?;
        println!("deny: advisories from {snapshot}");
        process::run("deny", project.cargo().args(["deny", "--offline", "--locked", "check"]))?;
    }

    let data = Scratch::new("xdg-data")?;
    let runtime = Scratch::new("xdg-runtime")?;
    let mut nextest = project.command("dbus-run-session");
    nextest
        .args(["--", "sh", "-c", KEYRING_THEN_EXEC, "sh"])
        .arg(project.cargo_program())
        .args(["nextest", "run", "--workspace", "--locked", "--no-fail-fast"])
        .args(options.nextest_args)
        .env("XDG_DATA_HOME", data.path())
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("VAULTMORT_TEST_KEYRING", "1");
    for name in USER_SETTINGS {
        nextest.env_remove(name);
    }
    let outcome = process::run("tests", &mut nextest);
    stop_leftovers(project, runtime.path());
    outcome?;

    // The official Azure SDK for Python against `vaultmort serve` (tests/sdk-python): the venv
    // with the pinned SDKs is made once under .tools/ and reused.
    // `--workspace` resolves features as the test run just did, so the binary it built is reused
    // (`-p vaultmort-cli` resolved them anew and rebuilt much of the tree, minutes on CI).
    process::run("vaultmort binary", project.cargo().args(["build", "--workspace", "--bin", "vaultmort", "--locked"]))?;
    let mut sdk_python = project.command("python3");
    sdk_python.arg("tests/sdk-python/run.py").arg("--vaultmort").arg(project.target_dir().join("debug").join("vaultmort"));
    for name in USER_SETTINGS {
        sdk_python.env_remove(name);
    }
    process::run("sdk-python", &mut sdk_python)?;

    // The real Azure CLI against the same binary (tests/az-cli): a cloud registered for the
    // server, a service-principal login, then `az keyvault` at az's default api-versions. The
    // venv with the pinned azure-cli is made once under .tools/ (about a minute) and reused.
    let mut az_cli = project.command("python3");
    az_cli.arg("tests/az-cli/run.py").arg("--vaultmort").arg(project.target_dir().join("debug").join("vaultmort"));
    for name in USER_SETTINGS {
        az_cli.env_remove(name);
    }
    process::run("az-cli", &mut az_cli)?;

    // The official Azure SDKs for JavaScript on Node.js against the same binary (tests/sdk-js):
    // its npm packages are installed from the lock file when they are missing or the lock changed.
    sdk_js_packages(project)?;
    let mut sdk_js = project.command("node");
    sdk_js.arg("tests/sdk-js/run.mjs").arg("--vaultmort").arg(project.target_dir().join("debug").join("vaultmort"));
    for name in USER_SETTINGS {
        sdk_js.env_remove(name);
    }
    process::run("sdk-js", &mut sdk_js)?;

    // The desktop app in a real window, driven as a user would (tauri-driver under xvfb-run),
    // with the fonts of a fresh Debian 12 machine.
    let screenshots = Scratch::new("e2e-screenshots")?;
    crate::e2e::run_with_screenshots(project, screenshots.path(), crate::e2e::Fonts::DejaVuOnly)?;

    println!("xtask test: all {} passed", if options.quick { "tests" } else { "checks" });
    Ok(())
}

/// Where `npm ci` leaves a copy of the lock file it installed, inside `node_modules/` (which
/// `npm ci` empties first, so a failed or older install leaves no copy that matches).
const SDK_JS_INSTALLED_LOCK: &str = "tests/sdk-js/node_modules/.installed-package-lock.json";

/// Runs `npm ci` for tests/sdk-js unless `node_modules/` holds what the current lock file names.
fn sdk_js_packages(project: &Project) -> Result<()> {
    let lock = project.root().join("tests/sdk-js/package-lock.json");
    let installed = project.root().join(SDK_JS_INSTALLED_LOCK);
    let wanted = fs::read(&lock).map_err(|error| Error::new(format!("cannot read {}: {error}", lock.display())))?;
    if fs::read(&installed).is_ok_and(|copy| copy == wanted) {
        println!("sdk-js: the npm packages match package-lock.json");
        return Ok(());
    }
    process::run("npm ci (sdk-js)", project.command("npm").args(["ci", "--prefix", "tests/sdk-js", "--no-audit", "--no-fund"]))?;
    fs::write(&installed, wanted).map_err(|error| Error::new(format!("cannot write {}: {error}", installed.display())))
}

/// Stops what the keyring session left running. gnome-keyring-daemon normally exits with its bus,
/// but outlives it when the tests end before it has finished connecting (a filter that matches
/// nothing, say). Ours are the processes whose environment names our throwaway runtime dir.
fn stop_leftovers(project: &Project, runtime: &Path) {
    let ours = format!("XDG_RUNTIME_DIR={}", runtime.display()).into_bytes();
    let Ok(processes) = fs::read_dir("/proc") else {
        return;
    };
    for process in processes.flatten() {
        let name = process.file_name();
        let Some(pid) = name.to_str().filter(|name| name.bytes().all(|b| b.is_ascii_digit())) else {
            continue;
        };
        let Ok(environ) = fs::read(process.path().join("environ")) else {
            continue;
        };
        if environ.split(|&byte| byte == 0).any(|var| var == ours) {
            // Best effort: a process that has exited meanwhile needs no stopping.
            let _ = project.command("kill").arg(pid).status();
        }
    }
}
