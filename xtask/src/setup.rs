//! Installs what the project needs on a fresh Debian 12 machine, and nothing when it is there.
//!
//! System packages come from apt (as root, or through sudo); cargo tools are built once into the
//! git-ignored `.tools/` so a CI cache can keep them. The list includes what the desktop app (Tauri 2
//! over WebKitGTK) needs to build and to run headless, since `cargo clippy --workspace` compiles it.

use std::process::Command;

use crate::error::Result;
use crate::process::{self, Project};

/// Debian packages the project needs.
const APT_PACKAGES: &[&str] = &[
    "build-essential", // a C compiler for aws-lc-rs and the bundled SQLite
    "pkg-config",      // locating system libraries from build scripts
    "openssl",         // independent cross-checks of keys, signatures and certificates
    "dbus",            // the bus over which the Secret Service (OS keyring) is reached
    "dbus-daemon",     // dbus-run-session: a private session bus for the keyring tests
    "dbus-x11",        // a session bus for gnome-keyring; without it apt would pull in systemd
    "gnome-keyring",   // a real Secret Service for the master-key tests
    "libsecret-tools", // secret-tool, to look at what Vaultmort stored in a keyring
    "softhsm2",        // a PKCS#11 token for HSM-protected keys
    "xvfb",            // a headless X server for the desktop app's tests
    "xauth",           // needed by xvfb-run
    // The desktop app: Tauri 2 on Linux links WebKitGTK 4.1, GTK 3 and libsoup 3.
    "file",                         // what tauri's tooling uses to inspect binaries and icons
    "libssl-dev",                   // OpenSSL headers for crates of the Tauri tree that link it
    "libwebkit2gtk-4.1-dev",        // the web view (wry)
    "libsoup-3.0-dev",              // WebKitGTK's HTTP library
    "libjavascriptcoregtk-4.1-dev", // WebKitGTK's JavaScript engine
    "libgtk-3-dev",                 // windows, menus and dialogs (tao, rfd)
    "librsvg2-dev",                 // SVG icons in GTK
    "libayatana-appindicator3-dev", // tray icons (the Tauri guide's list; unused today)
    "libxdo-dev",                   // keyboard shortcuts in native menus (the Tauri guide's list)
    "webkit2gtk-driver",            // WebKitWebDriver, for the real-window tests through tauri-driver
    "imagemagick",                  // screenshots of the headless screen (`import`) and icon work
    "fonts-dejavu-core",            // the fonts of a fresh Debian 12, which the e2e test runs with
    "fonts-liberation",             // Liberation Sans for Arial in the UI's font stack: the screenshots
    "python3",                      // the Azure SDK for Python conformance suite (tests/sdk-python)
    "python3-venv",                 // its virtual environment under .tools/
    "wrk",                          // the HTTP load generator of `cargo xtask bench-rest`
    "curl",                         // a token from the practice token endpoint there; the App Service front end tests
    // Resolves every `*.localhost` name to loopback (RFC 6761) through NSS, so the SDK suites
    // reach `https://<vault>.localhost:<port>` with their default resolver; the package's
    // install script adds `myhostname` to the hosts line of /etc/nsswitch.conf.
    "libnss-myhostname",
];

/// Cargo tools, by executable: the crate, the versions to accept, and whether a copy found
/// anywhere on `PATH` will do (otherwise only `.tools/bin` counts).
const CARGO_TOOLS: &[CargoTool] = &[
    // deny.toml is written for the 0.20 configuration format.
    CargoTool { crate_name: "cargo-deny", version: Some("~0.20"), any_on_path: false },
    // Preinstalled in /usr/local/bin on the project's machines.
    CargoTool { crate_name: "cargo-nextest", version: None, any_on_path: true },
];

struct CargoTool {
    crate_name: &'static str,
    version: Option<&'static str>,
    any_on_path: bool,
}

/// Installs the missing apt packages, running `apt-get update` first, once, if any are missing.
pub fn system_packages(project: &Project) -> Result<()> {
    if !project.finds("dpkg-query") {
        println!("setup: not a Debian system; make sure these are installed: {}", APT_PACKAGES.join(" "));
        return Ok(());
    }
    let missing: Vec<&str> = APT_PACKAGES.iter().copied().filter(|name| !is_installed(project, name)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("setup: installing {}", missing.join(" "));
    process::run("apt-get update", apt_get(project).arg("update"))?;
    process::run("apt-get install", apt_get(project).args(["install", "-y", "--no-install-recommends"]).args(&missing))
}

/// Builds the missing cargo tools into `.tools/`.
pub fn cargo_tools(project: &Project) -> Result<()> {
    let tools_bin = project.tools_dir().join("bin");
    for tool in CARGO_TOOLS {
        let present =
            if tool.any_on_path { project.finds(tool.crate_name) } else { process::is_executable(&tools_bin.join(tool.crate_name)) };
        if present {
            continue;
        }
        println!("setup: building {} into .tools/ (once; takes a few minutes)", tool.crate_name);
        let mut install = project.cargo();
        install.args(["install", tool.crate_name, "--locked"]);
        if let Some(version) = tool.version {
            install.args(["--version", version]);
        }
        install.arg("--root").arg(project.tools_dir());
        process::run(&format!("install {}", tool.crate_name), &mut install)?;
    }
    Ok(())
}

fn is_installed(project: &Project, package: &str) -> bool {
    let status = process::output(project.command("dpkg-query").args(["-W", "-f=${Status}", package]));
    status.is_some_and(|status| status.trim() == "install ok installed")
}

/// A non-interactive `apt-get`, as root: directly if we are root, else through sudo. The
/// variable goes through `env` because sudo would drop it from the environment.
fn apt_get(project: &Project) -> Command {
    let uid = process::output(project.command("id").arg("-u"));
    let mut command = if uid.is_some_and(|uid| uid.trim() == "0") {
        project.command("env")
    } else {
        let mut sudo = project.command("sudo");
        sudo.arg("env");
        sudo
    };
    command.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
    command
}
