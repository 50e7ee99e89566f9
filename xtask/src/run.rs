//! `cargo xtask demo`: the `vaultmort` CLI, shown off.
//!
//! Without arguments: the CLI's help, then a short demo (a resource group, a vault, a secret and
//! a key) in a throwaway home unlocked by a fixed passphrase, so the user's data and keyring are
//! never touched. With arguments after `--`: `vaultmort <arguments>` against the user's own home.

use std::process::{Command, ExitCode};

use crate::error::{Error, Result};
use crate::process::{self, Project};
use crate::scratch::Scratch;
use crate::setup;

/// The demo, one `vaultmort` command line per entry (no argument contains a space).
const DEMO: &[&str] = &[
    "group create --name demo-rg --location westeurope",
    "keyvault create --name demo-vault --resource-group demo-rg",
    "keyvault secret set --vault-name demo-vault --name greeting --value hello",
    "keyvault secret show --vault-name demo-vault --name greeting",
    "keyvault key create --vault-name demo-vault --name signer --kty RSA --size 2048",
    "keyvault key list --vault-name demo-vault -o table",
];

/// Builds the CLI, then runs the demo, or `vaultmort` with `args` when there are any.
pub fn run(project: &Project, args: &[String]) -> Result<ExitCode> {
    // Only the system packages: the cargo tools are for `test`, and building them takes minutes.
    setup::system_packages(project)?;
    process::run("build", project.cargo().args(["build", "--package", "vaultmort-cli", "--bin", "vaultmort"]))?;
    let vaultmort = project.target_dir().join("debug").join("vaultmort");

    if !args.is_empty() {
        // The user's own directory and stdin: paths are theirs, a passphrase prompt may come.
        let status = Command::new(&vaultmort)
            .args(args)
            .status()
            .map_err(|error| Error::new(format!("cannot start {}: {error}", vaultmort.display())))?;
        // A signal has no exit code; report it as a plain failure.
        let code = status.code().and_then(|code| u8::try_from(code).ok()).unwrap_or(1);
        return Ok(ExitCode::from(code));
    }

    process::run("help", project.command(&vaultmort).arg("--help"))?;

    let home = Scratch::new("demo-home")?;
    let settings = [
        ("VAULTMORT_HOME", home.path().as_os_str()),
        ("VAULTMORT_KEY_SOURCE", "passphrase".as_ref()),
        ("VAULTMORT_PASSPHRASE", "demo-passphrase".as_ref()),
    ];
    println!();
    println!("Demo in a throwaway home (deleted afterwards):");
    for (name, value) in &settings {
        println!("  {name}={}", value.to_string_lossy());
    }
    for line in DEMO {
        println!();
        let mut command = project.command(&vaultmort);
        command.args(line.split_whitespace()).envs(settings);
        process::run(&format!("demo: vaultmort {line}"), &mut command)?;
    }
    Ok(ExitCode::SUCCESS)
}
