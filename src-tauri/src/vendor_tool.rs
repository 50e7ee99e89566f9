//! The vendor's side of bring-your-own-key, run as `vaultmort byok wrap` in a child process.
//!
//! The BYOK wizard's third step plays the customer's on-premises HSM. That is the CLI's
//! `byok wrap`, which uses a SoftHSM token of its own. SoftHSM reads its configuration once per
//! process and this process already has the vault's token loaded, so the vendor tool cannot run
//! here: the app starts the `vaultmort` binary that sits beside its own executable, waits a
//! bounded time for it, and reads its JSON answer (or its `ERROR: (Code) message` line).
//!
//! Left out: the wrapping itself (the CLI and `vaultmort-pkcs11` do it) and any choice of files
//! (the command passes the paths it was given).

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::CommandError;

/// How long `byok wrap` may take: an RSA-4096 key generated in SoftHSM by a debug build on a
/// busy two-core machine takes well under a minute.
pub(crate) const WRAP_TIMEOUT: Duration = Duration::from_secs(120);

/// The CLI's file name.
const CLI_NAME: &str = if cfg!(windows) { "vaultmort.exe" } else { "vaultmort" };

/// Where the `vaultmort` CLI is: beside the running executable (`target/debug/` in a build, the
/// install folder in a package). In cargo's test layout the executable runs from
/// `target/debug/deps/`, one folder below the CLI, so that parent is tried too.
pub(crate) fn cli_beside_executable() -> Result<PathBuf, CommandError> {
    let exe = std::env::current_exe()
        .map_err(|error| CommandError::new("VendorToolMissing", format!("cannot tell where this app runs from: {error}")))?;
    let folder = exe.parent().unwrap_or(Path::new("."));
    let beside = folder.join(CLI_NAME);
    if beside.is_file() {
        return Ok(beside);
    }
    if folder.file_name().is_some_and(|name| name == "deps")
        && let Some(above) = folder.parent().map(|up| up.join(CLI_NAME)).filter(|p| p.is_file())
    {
        return Ok(above);
    }
    Err(missing(&beside))
}

/// The refusal when the CLI is not where it should be.
pub(crate) fn missing(path: &Path) -> CommandError {
    CommandError::new(
        "VendorToolMissing",
        format!(
            "the vendor step runs the `vaultmort` CLI, which is not at {}; build it beside the app (`cargo build --workspace`) or install it with the app",
            path.display()
        ),
    )
}

/// Runs `program` with `args`, waiting at most `timeout`, and returns its
/// standard output as JSON. A failure gives the CLI's own code and message; a run past `timeout`
/// is killed and answered `VendorToolTimeout`.
pub(crate) fn run_json(program: &Path, args: &[OsString], timeout: Duration) -> Result<serde_json::Value, CommandError> {
    if !program.is_file() {
        return Err(missing(program));
    }
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // The vault's SoftHSM configuration is this process's; the vendor token brings its own.
    command.env_remove("SOFTHSM2_CONF");
    let mut child =
        command.spawn().map_err(|error| CommandError::new("VendorToolFailed", format!("cannot start {}: {error}", program.display())))?;
    // Both pipes are drained on their own threads, so a chatty child never blocks on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                // Best effort: the child may have ended between the check and the kill.
                let _ = child.kill();
                let _ = child.wait();
                return Err(CommandError::new(
                    "VendorToolTimeout",
                    format!("the vendor tool did not finish within {} s and was stopped", timeout.as_secs()),
                ));
            }
            Err(error) => return Err(CommandError::new("VendorToolFailed", format!("cannot wait for the vendor tool: {error}"))),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        return Err(cli_error(&String::from_utf8_lossy(&stderr), status.code()));
    }
    serde_json::from_slice(&stdout)
        .map_err(|error| CommandError::new("VendorToolFailed", format!("the vendor tool's answer is not the JSON it writes: {error}")))
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // What was read before an error is still worth showing.
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// The CLI's error line, `ERROR: (Code) message` or `ERROR: (Code: Inner) message`, as a
/// command error; anything else is passed on under `VendorToolFailed`.
pub(crate) fn cli_error(stderr: &str, exit_code: Option<i32>) -> CommandError {
    let line = stderr.lines().rev().find(|line| line.starts_with("ERROR: (")).unwrap_or_default();
    if let Some((codes, message)) = line.strip_prefix("ERROR: (").and_then(|rest| rest.split_once(") ")) {
        let (code, inner) = match codes.split_once(": ") {
            Some((code, inner)) => (code, Some(inner.to_string())),
            None => (codes, None),
        };
        return CommandError { code: code.to_string(), inner_code: inner, message: message.to_string() };
    }
    let said = stderr.trim();
    CommandError::new(
        "VendorToolFailed",
        match exit_code {
            Some(code) if said.is_empty() => format!("the vendor tool failed with exit code {code}"),
            Some(code) => format!("the vendor tool failed with exit code {code}: {said}"),
            None => format!("the vendor tool was stopped by a signal: {said}"),
        },
    )
}
