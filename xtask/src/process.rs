//! Where the project is, and how its commands are started: from the workspace root, with the
//! cached tools in `.tools/bin` ahead of everything else on `PATH`, echoed before they run.

use std::env;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// The checked-out workspace the tasks work on.
pub struct Project {
    root: PathBuf,
    path: OsString,
    cargo: OsString,
}

impl Project {
    /// The workspace this task runner was built from (the parent of `xtask/`).
    pub fn locate() -> Result<Self> {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = manifest_dir.parent().ok_or_else(|| Error::new("xtask/ has no parent directory"))?.to_path_buf();
        let tools_bin = root.join(".tools").join("bin");
        let inherited = env::var_os("PATH").unwrap_or_default();
        let path = env::join_paths(std::iter::once(tools_bin).chain(env::split_paths(&inherited)))
            .map_err(|error| Error::new(format!("cannot build PATH: {error}")))?;
        // `cargo xtask` runs us through cargo, which names itself in CARGO: use the same toolchain.
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        Ok(Self { root, path, cargo })
    }

    /// The workspace root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The git-ignored cache of tools and tool data, `<root>/.tools`.
    pub fn tools_dir(&self) -> PathBuf {
        self.root.join(".tools")
    }

    /// The directory cargo builds into.
    pub fn target_dir(&self) -> PathBuf {
        env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).map(|dir| self.root.join(dir)).unwrap_or_else(|| self.root.join("target"))
    }

    /// A command for `program`, started in the workspace root with the project's `PATH` and no
    /// stdin (CI has none; nothing here may wait for a keyboard).
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root).env("PATH", &self.path).stdin(Stdio::null());
        command
    }

    /// A `cargo` command (the toolchain that runs this task runner).
    pub fn cargo(&self) -> Command {
        self.command(&self.cargo)
    }

    /// The cargo program, for commands that start it indirectly.
    pub fn cargo_program(&self) -> &OsStr {
        &self.cargo
    }

    /// Whether `program` is an executable file somewhere on the project's `PATH`.
    pub fn finds(&self, program: &str) -> bool {
        env::split_paths(&self.path).any(|dir| is_executable(&dir.join(program)))
    }
}

/// Whether `path` is a file someone may execute.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Echoes `command`, runs it to completion, and fails naming `step` unless it exits with 0.
pub fn run(step: &str, command: &mut Command) -> Result<()> {
    println!("$ {}", display(command));
    let status = command.status().map_err(|error| Error::new(format!("step `{step}`: cannot start {}: {error}", program(command))))?;
    if status.success() { Ok(()) } else { Err(Error::new(format!("step `{step}` failed ({status})"))) }
}

/// Runs `command` quietly and returns its standard output, or `None` if it cannot start or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn program(command: &Command) -> String {
    Path::new(command.get_program()).file_name().unwrap_or(command.get_program()).to_string_lossy().into_owned()
}

/// The command as a shell line, quoting the arguments a shell would split or expand.
pub fn display(command: &Command) -> String {
    std::iter::once(program(command)).chain(command.get_args().map(|arg| quote(&arg.to_string_lossy()))).collect::<Vec<_>>().join(" ")
}

fn quote(arg: &str) -> String {
    let plain = !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain { arg.to_owned() } else { format!("'{}'", arg.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_only_what_a_shell_would_split_or_expand() {
        let mut command = Command::new("/usr/bin/cargo");
        command.args(["nextest", "run", "-E", "test(foo)", "--", "it's"]);
        assert_eq!(
            display(&command),
            r"cargo nextest run -E 'test(foo)' -- 'it'\''s'",
            "the echoed line must paste back into a shell unchanged"
        );
    }
}
