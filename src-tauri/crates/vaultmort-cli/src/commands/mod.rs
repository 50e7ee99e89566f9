//! One module per command group; each turns parsed flags into a core request and the result
//! into az's JSON shape.

mod access;
mod certificate;
mod clock;
mod group;
mod key;
mod lifecycle;
mod secret;
mod vault;

use serde_json::Value;
use vaultmort_core::{RequestContext, Vaultmort};

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
        TopCommand::Serve(_) => Err(CliError { code: "InternalError".into(), message: "serve runs outside the one-shot dispatch".into() }),
    }
}

/// Writes a file that did not exist before, all at once: a partial file never appears.
pub fn write_new_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    if path.exists() {
        return Err(CliError { code: "FileExists".into(), message: format!("{} already exists; choose another file", path.display()) });
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let temp = dir.join(format!(".{}.vaultmort-partial", path.file_name().and_then(|n| n.to_str()).unwrap_or("download")));
    std::fs::write(&temp, bytes).map_err(|e| CliError::file(&temp, e))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        CliError::file(path, e)
    })
}

/// Reads a whole input file.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::file(path, e))
}
