//! `vaultmort group ...`

use serde_json::Value;
use vaultmort_core::groups::CreateGroup;
use vaultmort_core::{RequestContext, Vaultmort};

use crate::args::GroupCommand;
use crate::{CliError, dto, parse};

/// Runs a group command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: GroupCommand) -> Result<Value, CliError> {
    Ok(match command {
        GroupCommand::Create { name, location, tags, subscription } => {
            let tags = parse::optional_tags(&tags)?.unwrap_or_default();
            dto::group(&core.create_group(ctx, CreateGroup { name, location, tags, subscription }).await?)
        }
        GroupCommand::List => Value::Array(core.list_groups(ctx).await?.iter().map(dto::group).collect()),
        GroupCommand::Show { name } => dto::group(&core.show_group(ctx, &name).await?),
        GroupCommand::Delete { name, .. } => {
            core.delete_group(ctx, &name).await?;
            Value::Null
        }
    })
}
