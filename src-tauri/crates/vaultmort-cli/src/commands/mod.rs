//! One module per command group; each turns parsed flags into a core request and the result
//! into az's JSON shape.

mod access;
mod appservice;
mod certificate;
mod clock;
mod dns;
mod group;
mod hsm;
mod key;
mod lifecycle;
mod secret;
mod setup_client;
mod vault;
mod webapp;

use serde_json::Value;
use vaultmort_core::{RequestContext, Vaultmort};
use vaultmort_home::files::{self, FileKind, Sensitivity};

use crate::CliError;
use crate::args::{KeyvaultCommand, TopCommand};

/// Runs one command.
pub async fn dispatch(core: &Vaultmort, ctx: &RequestContext, command: TopCommand) -> Result<Value, CliError> {
    match command {
        TopCommand::Group(command) => group::run(core, ctx, command).await,
        TopCommand::Clock(command) => clock::run(core, ctx, command).await,
        TopCommand::Keyvault(KeyvaultCommand::Key(command)) => key::run(core, ctx, command).await,
        TopCommand::Keyvault(KeyvaultCommand::Secret(command)) => secret::run(core, ctx, command).await,
        TopCommand::Keyvault(KeyvaultCommand::Certificate(command)) => certificate::run(core, ctx, command).await,
        TopCommand::Ca(command) => certificate::ca(core, ctx, command).await,
        TopCommand::Events(command) => certificate::events(core, ctx, command).await,
        TopCommand::Keyvault(command) => vault::run(core, ctx, command).await,
        TopCommand::Account(command) => access::account(core, ctx, command).await,
        TopCommand::Ad(command) => access::ad(core, ctx, command).await,
        TopCommand::Identity(command) => access::identity(core, ctx, command).await,
        TopCommand::Role(command) => access::role(core, ctx, command).await,
        TopCommand::Network(command) => access::network(core, ctx, command).await,
        TopCommand::Login => {
            let signed_in = core.login(&ctx.principal.object_id, vaultmort_core::Door::Cli, ctx.source).await?;
            Ok(serde_json::json!({
                "name": signed_in.principal.name,
                "objectId": signed_in.principal.object_id,
                "tenantId": core.tenant().tenant_id,
                "type": signed_in.principal.kind.as_str(),
            }))
        }
        TopCommand::Hsm(command) => hsm::run(core, ctx, command).await,
        TopCommand::Appservice(command) => appservice::run(core, ctx, command).await,
        TopCommand::Webapp(command) => webapp::run(core, ctx, command).await,
        TopCommand::SetupClient(args) => setup_client::run(core, ctx, args).await,
        TopCommand::Serve(_) | TopCommand::Byok(_) => {
            Err(CliError { code: "InternalError".into(), message: "serve and byok run outside the one-shot dispatch".into() })
        }
    }
}

/// Writes a file that did not exist before, all at once: a partial file never appears, an
/// existing file (or a symlink) at `path` is refused, and `Private` content is created 0600.
pub fn write_new_file(path: &std::path::Path, bytes: &[u8], sensitivity: Sensitivity) -> Result<(), CliError> {
    Ok(files::write_output(path, bytes, sensitivity, files::Existing::Refuse)?)
}

/// Reads a whole input file, refusing it once it passes the largest `kind` can be.
pub fn read_file(path: &std::path::Path, kind: FileKind) -> Result<Vec<u8>, CliError> {
    Ok(files::read_input(path, kind)?)
}

/// Reads a JSON argument given as text or as `@file`; `flag` names it in errors.
pub fn json_text_or_file(text: String, flag: &str) -> Result<String, CliError> {
    match text.strip_prefix('@') {
        Some(path) => {
            let path = std::path::Path::new(path);
            String::from_utf8(read_file(path, FileKind::Json)?)
                .map_err(|_| CliError::file(path, format!("the {flag} file is not UTF-8 text")))
        }
        None => Ok(text),
    }
}
