//! `cargo xtask e2e`: the desktop app's real-window tests (`tests/e2e/`).
//!
//! WebdriverIO (run by `node --test`) talks to tauri-driver, which starts WebKitWebDriver, which
//! starts the app on a fresh home. Steps: tauri-driver into `.tools/` (once), the test suite's npm
//! packages, the UI and the app, then the suite on a virtual screen (`xvfb-run`) inside a private
//! D-Bus session. The suite writes the screenshots in `docs/screenshots/`.

use crate::desktop;
use crate::error::Result;
use crate::process::{self, Project};
use crate::setup;

/// The virtual screen: the size the screenshots use.
const XVFB_SCREEN: &str = "-screen 0 1280x800x24";

/// tauri-driver's versions to accept (2.x maps `tauri:options` onto WebKitWebDriver's options).
const TAURI_DRIVER_VERSION: &str = "^2";

/// Prepares everything, then runs the suite, writing the screenshots to `docs/screenshots/`
/// (`cargo xtask e2e` is the command that refreshes them). It takes no filter: its tests are the
/// steps of one user flow in one app session, each building on the one before.
pub fn run(project: &Project) -> Result<()> {
    run_with_screenshots(project, &project.root().join("docs").join("screenshots"))
}

/// The same, with the screenshots written to `screenshots` (the test task uses a scratch folder
/// so that a test run leaves the committed pictures alone).
pub fn run_with_screenshots(project: &Project, screenshots: &std::path::Path) -> Result<()> {
    setup::system_packages(project)?;
    tauri_driver(project)?;
    process::run("npm ci (e2e)", project.command("npm").args(["ci", "--prefix", "tests/e2e", "--no-audit", "--no-fund"]))?;
    desktop::build_ui(project)?;
    process::run("build", project.cargo().args(["build", "--package", "vaultmort-desktop"]))?;

    let mut suite = project.command("dbus-run-session");
    suite.args(["--", "xvfb-run", "-a", "-s", XVFB_SCREEN, "npm", "--prefix", "tests/e2e", "test"]);
    // The app binary the suite starts: the one just built, wherever the target directory is.
    suite.env("VAULTMORT_E2E_APP", project.target_dir().join("debug").join("vaultmort-desktop"));
    suite.env("VAULTMORT_E2E_SCREENSHOTS", screenshots);
    process::run("e2e", &mut suite)
}

/// Builds tauri-driver into `.tools/bin` unless it is there already.
fn tauri_driver(project: &Project) -> Result<()> {
    if process::is_executable(&project.tools_dir().join("bin").join("tauri-driver")) {
        return Ok(());
    }
    println!("e2e: building tauri-driver into .tools/ (once; takes a few minutes)");
    let mut install = project.cargo();
    install.args(["install", "tauri-driver", "--version", TAURI_DRIVER_VERSION, "--locked", "--root"]).arg(project.tools_dir());
    process::run("install tauri-driver", &mut install)
}
