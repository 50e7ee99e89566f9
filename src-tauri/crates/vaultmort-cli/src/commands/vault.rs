//! `vaultmort keyvault create|list|show|update|delete|list-deleted|show-deleted|recover|purge`

use serde_json::Value;
use vaultmort_core::model::Sku;
use vaultmort_core::vaults::{CreateVault, UpdateVault};
use vaultmort_core::{RequestContext, Vaultmort};

use crate::args::KeyvaultCommand;
use crate::{CliError, az, parse};

/// Runs a vault command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: KeyvaultCommand) -> Result<Value, CliError> {
    Ok(match command {
        KeyvaultCommand::Create(args) => {
            let mut request = CreateVault::new(args.name, args.resource_group);
            request.location = args.location;
            request.sku = args.sku.parse::<Sku>()?;
            request.retention_days = args.retention_days;
            request.purge_protection = args.enable_purge_protection.unwrap_or(false);
            request.rbac_authorization = args.enable_rbac_authorization.unwrap_or(false);
            request.tags = parse::optional_tags(&args.tags)?.unwrap_or_default();
            az::vault(&core.create_vault(ctx, request).await?)
        }
        KeyvaultCommand::List { resource_group } => {
            Value::Array(core.list_vaults(ctx, resource_group.as_deref()).await?.iter().map(az::vault).collect())
        }
        KeyvaultCommand::Show(v) => az::vault(&core.show_vault(ctx, &v.name).await?),
        KeyvaultCommand::Update(args) => {
            let update = UpdateVault {
                sku: args.sku.as_deref().map(str::parse::<Sku>).transpose()?,
                tags: parse::optional_tags(&args.tags)?,
                purge_protection: args.enable_purge_protection,
                rbac_authorization: args.enable_rbac_authorization,
                retention_days: args.retention_days,
                network: Default::default(),
            };
            az::vault(&core.update_vault(ctx, &args.name, update).await?)
        }
        KeyvaultCommand::Delete(v) => {
            core.delete_vault(ctx, &v.name).await?;
            Value::Null
        }
        KeyvaultCommand::ListDeleted => Value::Array(core.list_deleted_vaults(ctx).await?.iter().map(az::deleted_vault).collect()),
        KeyvaultCommand::ShowDeleted(v) => az::deleted_vault(&core.show_deleted_vault(ctx, &v.name).await?),
        KeyvaultCommand::Recover(v) => az::vault(&core.recover_vault(ctx, &v.name).await?),
        KeyvaultCommand::Purge(v) => {
            core.purge_vault(ctx, &v.name).await?;
            Value::Null
        }
        KeyvaultCommand::Key(_) | KeyvaultCommand::Secret(_) | KeyvaultCommand::Certificate(_) => {
            return Err(CliError { code: "InternalError".into(), message: "key and secret commands are dispatched elsewhere".into() });
        }
    })
}
