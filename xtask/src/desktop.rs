//! `cargo xtask run` (or `desktop`): build the web UI and the desktop app, then start the app.
//!
//! The UI is built only when `ui/package.json` exists (`npm ci`, then its `build` script into
//! `ui/dist/`, which the app embeds at compile time, so it is built first). With no display
//! (`DISPLAY` and `WAYLAND_DISPLAY` unset) the app runs under `xvfb-run`, on a virtual screen.
//! Arguments after `--` go to the app, e.g. `--home <dir>` or `--key-source passphrase`.

use std::env;
use std::process::ExitCode;

use crate::error::{Error, Result};
use crate::process::{self, Project};
use crate::setup;

/// The virtual screen for a headless run: the size the screenshots use.
const XVFB_SCREEN: &str = "-screen 0 1280x800x24";

/// Installs the UI's npm packages (from the lock file) and builds it into `ui/dist/`.
pub fn build_ui(project: &Project) -> Result<()> {
    process::run("npm ci", project.command("npm").args(["ci", "--prefix", "ui", "--no-audit", "--no-fund"]))?;
    process::run("ui build", project.command("npm").args(["--prefix", "ui", "run", "build"]))
}

/// Builds the UI and the app, then runs the app until its window closes.
pub fn run(project: &Project, args: &[String]) -> Result<ExitCode> {
    setup::system_packages(project)?;
    build_ui(project)?;
    process::run("build", project.cargo().args(["build", "--package", "vaultmort-desktop", "--package", "vaultmort-cli"]))?;
    let app = project.target_dir().join("debug").join("vaultmort-desktop");

    let headless = ["DISPLAY", "WAYLAND_DISPLAY"].iter().all(|name| env::var_os(name).is_none_or(|value| value.is_empty()));
    let mut command = if headless {
        println!("desktop: no display; running on a virtual screen (xvfb-run {XVFB_SCREEN})");
        let mut xvfb = project.command("xvfb-run");
        xvfb.args(["-a", "-s", XVFB_SCREEN]).arg(&app);
        xvfb
    } else {
        project.command(&app)
    };
    command.args(args);
    println!("$ {}", process::display(&command));
    let status = command.status().map_err(|error| Error::new(format!("cannot start {}: {error}", app.display())))?;
    // A signal has no exit code; report it as a plain failure.
    let code = status.code().and_then(|code| u8::try_from(code).ok()).unwrap_or(1);
    Ok(ExitCode::from(code))
}
