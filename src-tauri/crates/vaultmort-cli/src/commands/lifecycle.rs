//! `delete`, `list-deleted`, `show-deleted`, `recover`, `purge`, `backup` and `restore`: one
//! dispatch for keys, secrets and certificates, each kind naming its core calls and output shape.

use serde_json::Value;
use vaultmort_core::{RequestContext, Vaultmort};
use vaultmort_home::files::{FileKind, Sensitivity};

use super::{read_file, write_new_file};
use crate::CliError;
use crate::args::LifecycleCommand;

/// What one kind of object does for each life-cycle command.
pub(crate) trait Lifecycle {
    /// The id path segment: `keys`, `secrets` or `certificates`.
    const COLLECTION: &'static str;
    /// Soft-deletes and returns the deleted object.
    async fn delete(core: &Vaultmort, ctx: &RequestContext, vault: &str, name: &str) -> Result<Value, CliError>;
    /// Lists the soft-deleted objects.
    async fn list_deleted(core: &Vaultmort, ctx: &RequestContext, vault: &str) -> Result<Value, CliError>;
    /// Shows a soft-deleted object.
    async fn show_deleted(core: &Vaultmort, ctx: &RequestContext, vault: &str, name: &str) -> Result<Value, CliError>;
    /// Recovers a soft-deleted object.
    async fn recover(core: &Vaultmort, ctx: &RequestContext, vault: &str, name: &str) -> Result<Value, CliError>;
    /// Purges a soft-deleted object.
    async fn purge(core: &Vaultmort, ctx: &RequestContext, vault: &str, name: &str) -> Result<(), CliError>;
    /// Makes a backup blob.
    async fn backup(core: &Vaultmort, ctx: &RequestContext, vault: &str, name: &str) -> Result<Vec<u8>, CliError>;
    /// Restores a backup blob and returns the restored object.
    async fn restore(core: &Vaultmort, ctx: &RequestContext, vault: &str, blob: &[u8]) -> Result<Value, CliError>;
}

/// Runs a life-cycle command for the kind `K`.
pub(crate) async fn run<K: Lifecycle>(core: &Vaultmort, ctx: &RequestContext, command: LifecycleCommand) -> Result<Value, CliError> {
    Ok(match command {
        LifecycleCommand::Delete(target) => {
            let t = target.resolve(K::COLLECTION)?;
            K::delete(core, ctx, &t.vault, &t.name).await?
        }
        LifecycleCommand::ListDeleted(vault) => K::list_deleted(core, ctx, &vault.vault_name).await?,
        LifecycleCommand::ShowDeleted(target) => {
            let t = target.resolve(K::COLLECTION)?;
            K::show_deleted(core, ctx, &t.vault, &t.name).await?
        }
        LifecycleCommand::Recover(target) => {
            let t = target.resolve(K::COLLECTION)?;
            K::recover(core, ctx, &t.vault, &t.name).await?
        }
        LifecycleCommand::Purge(target) => {
            let t = target.resolve(K::COLLECTION)?;
            K::purge(core, ctx, &t.vault, &t.name).await?;
            Value::Null
        }
        LifecycleCommand::Backup { target, file } => {
            let t = target.resolve(K::COLLECTION)?;
            // A backup is sealed, but it is the object's every version: only its owner reads it.
            write_new_file(&file, &K::backup(core, ctx, &t.vault, &t.name).await?, Sensitivity::Private)?;
            Value::Null
        }
        LifecycleCommand::Restore { vault, file } => K::restore(core, ctx, &vault.vault_name, &read_file(&file, FileKind::Backup)?).await?,
    })
}
