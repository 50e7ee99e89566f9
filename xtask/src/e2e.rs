//! `cargo xtask e2e`: the desktop app's real-window tests (`tests/e2e/`).
//!
//! WebdriverIO (run by `node --test`) talks to tauri-driver, which starts WebKitWebDriver, which
//! starts the app on a fresh home. Steps: tauri-driver into `.tools/` (once), the test suite's npm
//! packages, the UI and the app, then the suite on a virtual screen (`xvfb-run`) inside a private
//! D-Bus session. The suite writes the screenshots in `docs/screenshots/`.
//!
//! Fonts: the screenshots use what setup installs (Liberation Sans stands in for Arial, DejaVu
//! for the rest). The test task runs the suite with DejaVu alone, through a private fontconfig
//! file: that is all a fresh Debian 12 has, and it lays out wider than the fonts the UI names, so
//! the UI must fit the default window with it too.

use std::fs;
use std::path::{Path, PathBuf};

use crate::desktop;
use crate::error::{Error, Result};
use crate::process::{self, Project};
use crate::scratch::Scratch;
use crate::setup;

/// The virtual screen: the size the screenshots use.
const XVFB_SCREEN: &str = "-screen 0 1280x800x24";

/// tauri-driver's versions to accept (2.x maps `tauri:options` onto WebKitWebDriver's options).
const TAURI_DRIVER_VERSION: &str = "^2";

/// Where Debian's `fonts-dejavu-core` puts its fonts: the only fonts of a fresh Debian 12.
const DEJAVU_FONTS: &str = "/usr/share/fonts/truetype/dejavu";

/// Which fonts the app sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fonts {
    /// Every font installed on the machine (setup installs those the screenshots use).
    Installed,
    /// DejaVu alone, as on a fresh Debian 12 machine.
    DejaVuOnly,
}

/// Prepares everything, then runs the suite, writing the screenshots to `docs/screenshots/`
/// (`cargo xtask e2e` is the command that refreshes them). It takes no filter: its tests are the
/// steps of one user flow in one app session, each building on the one before.
pub fn run(project: &Project) -> Result<()> {
    run_with_screenshots(project, &project.root().join("docs").join("screenshots"), Fonts::Installed)
}

/// The same, with the screenshots written to `screenshots` (the test task uses a scratch folder
/// so that a test run leaves the committed pictures alone) and the app seeing `fonts`.
pub fn run_with_screenshots(project: &Project, screenshots: &std::path::Path, fonts: Fonts) -> Result<()> {
    setup::system_packages(project)?;
    tauri_driver(project)?;
    process::run("npm ci (e2e)", project.command("npm").args(["ci", "--prefix", "tests/e2e", "--no-audit", "--no-fund"]))?;
    desktop::build_ui(project)?;
    // The app and the CLI it runs for the BYOK vendor step, with the workspace's feature
    // resolution, so that what the test run built is reused.
    process::run("build", project.cargo().args(["build", "--workspace", "--bin", "vaultmort-desktop", "--bin", "vaultmort"]))?;

    let mut suite = project.command("dbus-run-session");
    suite.args(["--", "xvfb-run", "-a", "-s", XVFB_SCREEN, "npm", "--prefix", "tests/e2e", "test"]);
    // The app binary the suite starts: the one just built, wherever the target directory is.
    suite.env("VAULTMORT_E2E_APP", project.target_dir().join("debug").join("vaultmort-desktop"));
    suite.env("VAULTMORT_E2E_SCREENSHOTS", screenshots);
    // Kept alive until the suite ends: the fontconfig file and its cache live in it.
    let _font_config = match fonts {
        Fonts::Installed => None,
        Fonts::DejaVuOnly => {
            let scratch = Scratch::new("fontconfig")?;
            let file = dejavu_only_font_config(scratch.path())?;
            println!("e2e: the app sees the DejaVu fonts only ({DEJAVU_FONTS}), as on a fresh Debian 12");
            suite.env("FONTCONFIG_FILE", file);
            Some(scratch)
        }
    };
    process::run("e2e", &mut suite)
}

/// Writes a fontconfig file into `dir` that knows only the DejaVu fonts (with the system's usual
/// rules and aliases, so `sans-serif` still means DejaVu Sans) and returns its path.
fn dejavu_only_font_config(dir: &Path) -> Result<PathBuf> {
    if !Path::new(DEJAVU_FONTS).is_dir() {
        return Err(Error::new(format!("no DejaVu fonts at {DEJAVU_FONTS}: install fonts-dejavu-core")));
    }
    let cache = dir.join("cache");
    let config = format!(
        concat!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n<fontconfig>\n",
            "  <dir>{fonts}</dir>\n  <cachedir>{cache}</cachedir>\n",
            "  <include ignore_missing=\"yes\">/etc/fonts/conf.d</include>\n</fontconfig>\n"
        ),
        fonts = DEJAVU_FONTS,
        cache = cache.display()
    );
    let file = dir.join("fonts.conf");
    fs::write(&file, config).map_err(|error| Error::new(format!("cannot write {}: {error}", file.display())))?;
    Ok(file)
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
