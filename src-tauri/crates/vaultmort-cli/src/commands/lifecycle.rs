//! `delete`, `list-deleted`, `show-deleted`, `recover`, `purge`, `backup` and `restore`: one
//! dispatch for keys, secrets and certificates over the core's kind-generic life cycle, printed
//! in each kind's az shape ([`dto::object`], [`dto::object_item`]).

use serde_json::Value;
use vaultmort_core::{ObjectKind, RequestContext, Vaultmort};
use vaultmort_home::files::{FileKind, Sensitivity};

use super::{read_file, write_new_file};
use crate::args::LifecycleCommand;
use crate::{CliError, dto};

/// Runs a life-cycle command on objects of `kind`.
pub(crate) async fn run(core: &Vaultmort, ctx: &RequestContext, kind: ObjectKind, command: LifecycleCommand) -> Result<Value, CliError> {
    let collection = kind.collection();
    Ok(match command {
        LifecycleCommand::Delete(target) => {
            let t = target.resolve(collection)?;
            dto::object(&core.delete_object(ctx, &t.vault, kind, &t.name).await?)
        }
        LifecycleCommand::ListDeleted(vault) => {
            Value::Array(core.list_deleted_objects(ctx, &vault.vault_name, kind).await?.iter().map(dto::object_item).collect())
        }
        LifecycleCommand::ShowDeleted(target) => {
            let t = target.resolve(collection)?;
            dto::object(&core.get_deleted_object(ctx, &t.vault, kind, &t.name).await?)
        }
        LifecycleCommand::Recover(target) => {
            let t = target.resolve(collection)?;
            dto::object(&core.recover_object(ctx, &t.vault, kind, &t.name).await?)
        }
        LifecycleCommand::Purge(target) => {
            let t = target.resolve(collection)?;
            core.purge_object(ctx, &t.vault, kind, &t.name).await?;
            Value::Null
        }
        LifecycleCommand::Backup { target, file } => {
            let t = target.resolve(collection)?;
            // A backup is sealed, but it is the object's every version: only its owner reads it.
            write_new_file(&file, &core.backup_object(ctx, &t.vault, kind, &t.name).await?, Sensitivity::Private)?;
            Value::Null
        }
        LifecycleCommand::Restore { vault, file } => {
            dto::object(&core.restore_object(ctx, &vault.vault_name, kind, &read_file(&file, FileKind::Backup)?).await?)
        }
    })
}
