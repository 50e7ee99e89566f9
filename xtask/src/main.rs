//! Project tasks for Vaultmort, run as `cargo xtask <task>` from anywhere in the workspace.
//!
//! - `setup`: install what the project needs on a fresh Debian 12 machine (apt packages, and the
//!   cargo tools cached in the git-ignored `.tools/`). Idempotent; does nothing when all is there.
//! - `test`: every check CI runs: rustfmt, clippy, cargo-deny (offline, against the RustSec
//!   snapshot in `../shared/advisory-db`), then the whole test suite under nextest inside a
//!   private D-Bus session with a throwaway, unlocked gnome-keyring.
//! - `bench`: `openssl speed` and the core's criterion benchmarks, one after the other.
//! - `bench-desktop`: the desktop app's start-up time to its first interactive view and its idle
//!   memory, over five launches.
//! - `bench-rest`: the REST door under load (wrk over TLS with keep-alive) beside `openssl speed`,
//!   with the access log counted and verified after every run.
//! - `run` (also `desktop`): build the web UI and the desktop app and start it on the user's data
//!   directory (on a virtual screen when there is no display).
//! - `demo`: build the `vaultmort` CLI, print its help and run a short demo in a throwaway home;
//!   or, with arguments after `--`, run `vaultmort` with them against the user's own home.
//! - `bindings`: rewrite `ui/src/bindings.ts` from the desktop app's Rust command types.
//! - `e2e`: the desktop app's real-window tests (tauri-driver, WebdriverIO, `node --test`) on a
//!   virtual screen; they also refresh `docs/screenshots/`. `--dejavu-only` runs them with the
//!   fonts of a fresh Debian 12 alone (screenshots to a scratch folder), as `test` does.
//!
//! Deliberately left out: anything a plain `cargo` command already does well (building, single
//! tests), and portability: these tasks target Linux (Debian 12) like the CI machines.
//! Standard library only, so the task runner builds in seconds.

#![forbid(unsafe_code)]

mod advisory_db;
mod bench;
mod bench_desktop;
mod bench_rest;
mod bindings;
mod desktop;
mod e2e;
mod error;
mod process;
mod run;
mod scratch;
mod setup;
mod test;

use std::process::ExitCode;

use error::{Error, Result};
use process::Project;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  setup                      install missing apt packages and cargo tools (into .tools/)
  test [--quick] [-- ARGS]   fmt, clippy, deny, then every test; ARGS go to `cargo nextest run`
                             (--quick skips fmt, clippy and deny)
  run [-- ARGS]              build the UI and the desktop app, then start it on your data (under
                             xvfb-run when there is no display); ARGS go to the app, e.g. --home DIR
                             (`desktop` is the same task)
  demo [-- ARGS]             build the CLI, print its help and run a demo in a throwaway home;
                             with ARGS, run `vaultmort ARGS` against your own home instead
  bench [-- FILTER]          openssl speed, then the core's criterion benchmarks beside it
  bench-desktop              the desktop app's start-up time and idle memory (release build,
                             five launches on a private Xvfb)
  bench-rest                 the REST API under load: wrk over TLS against a release `vaultmort
                             serve` (secret get, RSA-2048 sign, the cheapest routes), beside
                             openssl speed; the access log is counted and verified
  bindings                   rewrite ui/src/bindings.ts from the app's Rust command types
  e2e                        build the UI and the desktop app, then drive it in a real window on a
                             virtual screen (tests/e2e; refreshes docs/screenshots);
                             --dejavu-only: with a fresh Debian's fonts alone, as `test` runs it
  help                       print this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the command line and runs the chosen task.
fn dispatch(args: &[String]) -> Result<ExitCode> {
    let Some((task, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    let (options, passthrough) = split_at_double_dash(rest);

    match task.as_str() {
        "setup" => {
            reject_extra(task, options, passthrough)?;
            let project = Project::locate()?;
            setup::system_packages(&project)?;
            setup::cargo_tools(&project)?;
            Ok(ExitCode::SUCCESS)
        }
        "test" => {
            let mut quick = false;
            for option in options {
                match option.as_str() {
                    "--quick" => quick = true,
                    other => return Err(unknown_option(task, other)),
                }
            }
            test::run(&Project::locate()?, test::Options { quick, nextest_args: passthrough })?;
            Ok(ExitCode::SUCCESS)
        }
        "demo" => {
            reject_extra(task, options, &[])?;
            run::run(&Project::locate()?, passthrough)
        }
        "bench" => {
            reject_extra(task, options, &[])?;
            bench::run(&Project::locate()?, passthrough)?;
            Ok(ExitCode::SUCCESS)
        }
        "bench-desktop" => {
            reject_extra(task, options, passthrough)?;
            bench_desktop::run(&Project::locate()?)?;
            Ok(ExitCode::SUCCESS)
        }
        "bench-rest" => {
            reject_extra(task, options, passthrough)?;
            bench_rest::run(&Project::locate()?)?;
            Ok(ExitCode::SUCCESS)
        }
        "run" | "desktop" => {
            reject_extra(task, options, &[])?;
            desktop::run(&Project::locate()?, passthrough)
        }
        "bindings" => {
            reject_extra(task, options, passthrough)?;
            bindings::run(&Project::locate()?)?;
            Ok(ExitCode::SUCCESS)
        }
        "e2e" => {
            match options {
                [] => {
                    reject_extra(task, options, passthrough)?;
                    e2e::run(&Project::locate()?)?;
                }
                [only] if only == "--dejavu-only" => {
                    reject_extra(task, &[], passthrough)?;
                    let screenshots = scratch::Scratch::new("e2e-screenshots")?;
                    e2e::run_with_screenshots(&Project::locate()?, screenshots.path(), e2e::Fonts::DejaVuOnly)?;
                }
                [other, ..] => return Err(unknown_option(task, other)),
            }
            Ok(ExitCode::SUCCESS)
        }
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(Error::new(format!("unknown task `{other}`\n\n{USAGE}"))),
    }
}

/// Splits `a b -- c d` into `([a, b], [c, d])`; everything after the first `--` is passed on.
fn split_at_double_dash(args: &[String]) -> (&[String], &[String]) {
    match args.iter().position(|arg| arg == "--") {
        Some(at) => (&args[..at], &args[at + 1..]),
        None => (args, &[]),
    }
}

fn reject_extra(task: &str, options: &[String], passthrough: &[String]) -> Result<()> {
    match options.first().or(passthrough.first()) {
        Some(option) => Err(unknown_option(task, option)),
        None => Ok(()),
    }
}

fn unknown_option(task: &str, option: &str) -> Error {
    Error::new(format!("`{task}` does not take `{option}`\n\n{USAGE}"))
}
