//! `vaultmort`: the command-line door to Vaultmort, shaped like `az keyvault`.
//!
//! It parses the command line ([`args`]), opens the home (unlocking the master key), runs the
//! retention sweep, calls one core operation as the signed-in principal (`--as`, else the one
//! `vaultmort login --as` remembered, else the local owner) from loopback (or `--source-ip`),
//! and prints the result as az would ([`dto`], the edge shapes, and [`output`]). Errors go to
//! stderr in the core's wire form, `ERROR: (Code) message` or `ERROR: (Code: InnerCode) message`,
//! with a non-zero exit status: 3 when something was not found, 1 otherwise, 2 for usage errors.
//! Two commands run outside that path: `serve` (a long-running server) and `byok wrap` ([`byok`],
//! the simulated vendor HSM, which must not open the home or its HSM in the same process).
#![forbid(unsafe_code)]

mod args;
mod byok;
mod commands;
mod dto;
mod output;
mod parse;
mod serve;

use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;

use clap::Parser;
use vaultmort_core::{Door, RequestContext};
use vaultmort_home::{HomeError, HomeOptions, PassphrasePrompt};
use zeroize::Zeroizing;

/// An error on its way to stderr.
#[derive(Debug)]
pub struct CliError {
    /// Azure-style code, followed by `: InnerCode` where Key Vault gives one.
    pub code: String,
    /// What happened.
    pub message: String,
}

impl From<vaultmort_core::Error> for CliError {
    fn from(e: vaultmort_core::Error) -> Self {
        // The core's wire form: `Code` or `Code: InnerCode`, as the REST API and the app show it.
        let wire = e.wire();
        Self { code: wire.to_string(), message: wire.message }
    }
}

impl From<vaultmort_crypto::CryptoError> for CliError {
    fn from(e: vaultmort_crypto::CryptoError) -> Self {
        vaultmort_core::Error::from(e).into()
    }
}

impl From<vaultmort_certs::CertError> for CliError {
    fn from(e: vaultmort_certs::CertError) -> Self {
        Self { code: e.code().to_string(), message: e.to_string() }
    }
}

impl From<HomeError> for CliError {
    fn from(e: HomeError) -> Self {
        Self { code: e.code().to_string(), message: e.to_string() }
    }
}

impl From<vaultmort_home::files::FileError> for CliError {
    fn from(e: vaultmort_home::files::FileError) -> Self {
        Self { code: e.code().to_string(), message: e.to_string() }
    }
}

impl CliError {
    /// A file could not be read or written.
    pub fn file(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        Self { code: "FileError".into(), message: format!("{}: {e}", path.display()) }
    }

    fn exit_code(&self) -> u8 {
        if self.code.contains("NotFound") { 3 } else { 1 }
    }
}

fn prompt(why: PassphrasePrompt) -> Option<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    match why {
        PassphrasePrompt::Unlock => rpassword::prompt_password("Vaultmort passphrase: ").ok().map(Zeroizing::new),
        PassphrasePrompt::Create => {
            eprintln!(
                "No OS keyring answered, so this new Vaultmort store will be protected by a passphrase (at least {} characters).",
                vaultmort_home::MIN_PASSPHRASE_LEN
            );
            let first = Zeroizing::new(rpassword::prompt_password("New passphrase: ").ok()?);
            let second = Zeroizing::new(rpassword::prompt_password("Repeat it: ").ok()?);
            if first != second {
                eprintln!("The two passphrases differ.");
                return None;
            }
            Some(first)
        }
    }
}

async fn run(cli: args::Cli) -> Result<serde_json::Value, CliError> {
    let mut options = HomeOptions::from_env()?;
    options.prompt = Some(Box::new(prompt));
    let home = vaultmort_home::open(options).await?;
    let core = home.core.as_ref();
    core.tick().await?;
    let source = cli.source_ip.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if matches!(cli.command, args::TopCommand::Login) && cli.as_principal.is_none() {
        return Err(CliError {
            code: "BadParameter".into(),
            message: "say who to sign in as: vaultmort login --as <upn, app id or object id>".into(),
        });
    }
    let ctx: RequestContext = match &cli.as_principal {
        Some(principal) => core.sign_in(principal, Door::Cli, source).await?,
        None => core.signed_in(Door::Cli, source).await?,
    };
    commands::dispatch(core, &ctx, cli.command).await
}

fn serve(args: args::ServeArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ERROR: (InternalError) could not start: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        let mut options = HomeOptions::from_env()?;
        options.prompt = Some(Box::new(prompt));
        serve::run(args, options).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ERROR: ({}) {}", error.code, error.message);
            ExitCode::from(error.exit_code())
        }
    }
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let format = cli.output;
    let query = cli.query.clone();
    let cli = match cli.command {
        args::TopCommand::Serve(serve_args) => return serve(serve_args),
        // The vendor's side of BYOK opens a SoftHSM token of its own and never the home's store:
        // one process serves one SoftHSM configuration, and the vault's HSM must not be it.
        args::TopCommand::Byok(command) => {
            return finish(byok::run(command).and_then(|value| output::render(value, format, query.as_deref()).map_err(CliError::from)));
        }
        command => args::Cli { command, ..cli },
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ERROR: (InternalError) could not start: {e}");
            return ExitCode::from(1);
        }
    };
    finish(runtime.block_on(run(cli)).and_then(|value| output::render(value, format, query.as_deref()).map_err(CliError::from)))
}

/// Prints a one-shot command's output, or its error in the core's wire form.
fn finish(result: Result<String, CliError>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("ERROR: ({}) {}", error.code, error.message);
            ExitCode::from(error.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One error of every core variant: the CLI prints the REST body's code, then `: ` and its
    /// inner code where REST has an `innererror`, and the same message.
    #[test]
    fn every_core_error_is_printed_with_the_rest_apis_code_and_inner_code() {
        for (error, same) in vaultmort_core::one_error_of_every_kind().into_iter().zip(vaultmort_core::one_error_of_every_kind()) {
            let printed = CliError::from(error);
            let answered = vaultmort_rest::ApiError::from(same).body();
            let expected = match answered["error"]["innererror"]["code"].as_str() {
                Some(inner) => format!("{}: {inner}", answered["error"]["code"].as_str().unwrap_or_default()),
                None => answered["error"]["code"].as_str().unwrap_or_default().to_string(),
            };
            assert_eq!(printed.code, expected, "{}", printed.message);
            assert_eq!(answered["error"]["message"], printed.message.as_str(), "the same message");
        }
    }
}
