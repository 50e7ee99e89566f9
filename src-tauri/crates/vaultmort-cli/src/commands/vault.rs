//! `vaultmort keyvault create|list|show|update|delete|list-deleted|show-deleted|recover|purge`,
//! `set-policy|delete-policy`, `network-rule add|remove|list`, `log list|export|verify` and
//! `check-access`.

use serde_json::{Value, json};
use vaultmort_core::access_policy::PolicyChange;
use vaultmort_core::audit::{AuditFilter, Outcome};
use vaultmort_core::firewall::{NetworkChanges, NetworkRule};
use vaultmort_core::model::Sku;
use vaultmort_core::vaults::{CreateVault, UpdateVault};
use vaultmort_core::{Error, RequestContext, Vaultmort};

use crate::args::{KeyvaultCommand, LogCommand, LogFilter, NetworkRuleArgs, NetworkRuleCommand};
use crate::{CliError, dto, parse};

fn audit_filter(filter: &LogFilter) -> Result<AuditFilter, CliError> {
    let outcome = match filter.result.as_deref() {
        None => None,
        Some(text) if text.eq_ignore_ascii_case("succeeded") || text.eq_ignore_ascii_case("success") => Some(Outcome::Succeeded),
        Some(text) if text.eq_ignore_ascii_case("denied") || text.eq_ignore_ascii_case("forbidden") => Some(Outcome::Denied),
        Some(text) if text.eq_ignore_ascii_case("failed") => Some(Outcome::Failed),
        Some(text) => return Err(Error::bad(format!("--result '{text}' must be Succeeded, Denied or Failed")).into()),
    };
    Ok(AuditFilter {
        vault: filter.vault_name.clone(),
        caller: filter.caller.clone(),
        operation: filter.operation.clone(),
        outcome,
        since: parse::optional_date("start-time", &filter.start_time)?,
        until: parse::optional_date("end-time", &filter.end_time)?,
        limit: filter.top,
    })
}

fn network_rule(args: &NetworkRuleArgs) -> Result<NetworkRule, CliError> {
    match (&args.ip_address, &args.subnet) {
        (Some(ip), None) => Ok(NetworkRule::Ip(ip.clone())),
        (None, Some(subnet)) => Ok(NetworkRule::Subnet(subnet.clone())),
        _ => Err(Error::bad("give one of --ip-address and --subnet").into()),
    }
}

/// Runs an access log command.
async fn log(core: &Vaultmort, ctx: &RequestContext, command: LogCommand) -> Result<Value, CliError> {
    Ok(match command {
        LogCommand::List(filter) => {
            Value::Array(core.query_audit_log(ctx, &audit_filter(&filter)?).await?.iter().map(dto::audit_event).collect())
        }
        LogCommand::Export { filter, file } => {
            let records = core.query_audit_log(ctx, &audit_filter(&filter)?).await?;
            let mut lines = String::new();
            for record in &records {
                lines.push_str(&dto::audit_event(record).to_string());
                lines.push('\n');
            }
            // The access log names who did what to which secret: private.
            super::write_new_file(&file, lines.as_bytes(), vaultmort_home::files::Sensitivity::Private)?;
            json!({"file": file.display().to_string(), "records": records.len()})
        }
        LogCommand::Verify => {
            let verification = core.verify_audit_log(ctx).await?;
            if !verification.valid {
                return Err(CliError {
                    code: "AuditLogTampered".into(),
                    message: format!(
                        "the access log failed verification at record {}: {}",
                        verification.first_bad_sequence.unwrap_or_default(),
                        verification.problems.join("; ")
                    ),
                });
            }
            serde_json::to_value(&verification).map_err(|e| CliError { code: "InternalError".into(), message: e.to_string() })?
        }
    })
}

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
            NetworkChanges {
                default_action: args.default_action.as_deref().map(str::parse).transpose()?,
                bypass: args.bypass.as_deref().map(str::parse).transpose()?,
                public_network_access: args.public_network_access.as_deref().map(str::parse).transpose()?,
            }
            .apply(&mut request.network_acls);
            for rule in args.network_acls_ips.iter().flatten() {
                let (network, prefix) = vaultmort_core::firewall::parse_ipv4_rule(rule)?;
                request.network_acls.ip_rules.push(format!("{network}/{prefix}"));
            }
            dto::vault(&core.create_vault(ctx, request).await?)
        }
        KeyvaultCommand::List { resource_group } => {
            Value::Array(core.list_vaults(ctx, resource_group.as_deref()).await?.iter().map(dto::vault).collect())
        }
        KeyvaultCommand::Show(v) => dto::vault(&core.show_vault(ctx, &v.name).await?),
        KeyvaultCommand::Update(args) => {
            let update = UpdateVault {
                sku: args.sku.as_deref().map(str::parse::<Sku>).transpose()?,
                tags: parse::optional_tags(&args.tags)?,
                purge_protection: args.enable_purge_protection,
                rbac_authorization: args.enable_rbac_authorization,
                retention_days: args.retention_days,
                practice_throttling: args.practice_throttling,
                network: NetworkChanges {
                    default_action: args.default_action.as_deref().map(str::parse).transpose()?,
                    bypass: args.bypass.as_deref().map(str::parse).transpose()?,
                    public_network_access: args.public_network_access.as_deref().map(str::parse).transpose()?,
                },
            };
            dto::vault(&core.update_vault(ctx, &args.name, update).await?)
        }
        KeyvaultCommand::Delete(v) => {
            core.delete_vault(ctx, &v.name).await?;
            Value::Null
        }
        KeyvaultCommand::ListDeleted => Value::Array(core.list_deleted_vaults(ctx).await?.iter().map(dto::deleted_vault).collect()),
        KeyvaultCommand::ShowDeleted(v) => dto::deleted_vault(&core.show_deleted_vault(ctx, &v.name).await?),
        KeyvaultCommand::Recover(v) => dto::vault(&core.recover_vault(ctx, &v.name).await?),
        KeyvaultCommand::Purge(v) => {
            core.purge_vault(ctx, &v.name).await?;
            Value::Null
        }
        KeyvaultCommand::SetPolicy(args) => {
            let change = PolicyChange {
                keys: args.key_permissions.clone(),
                secrets: args.secret_permissions.clone(),
                certificates: args.certificate_permissions.clone(),
            };
            let written = core.set_access_policy(ctx, &args.target.name, args.target.principal()?, change).await?;
            let mut out = dto::vault(&written.vault);
            if let Some(map) = out.as_object_mut() {
                // Vaultmort's addition to az's shape: what the write raised (self-granted data access).
                map.insert("flags".into(), json!(written.flags));
            }
            out
        }
        KeyvaultCommand::DeletePolicy(args) => dto::vault(&core.delete_access_policy(ctx, &args.name, args.principal()?).await?),
        KeyvaultCommand::NetworkRule(NetworkRuleCommand::Add(args)) => {
            dto::vault(&core.change_network_rule(ctx, &args.name, network_rule(&args)?, true).await?)
        }
        KeyvaultCommand::NetworkRule(NetworkRuleCommand::Remove(args)) => {
            dto::vault(&core.change_network_rule(ctx, &args.name, network_rule(&args)?, false).await?)
        }
        KeyvaultCommand::NetworkRule(NetworkRuleCommand::List(v)) => {
            let acls = core.network_rules(ctx, &v.name).await?;
            let mut out = dto::network_acls(&acls);
            if let Some(map) = out.as_object_mut() {
                map.insert("publicNetworkAccess".into(), json!(acls.public_network_access));
            }
            out
        }
        KeyvaultCommand::Log(command) => log(core, ctx, command).await?,
        KeyvaultCommand::CheckAccess { name, assignee } => {
            serde_json::to_value(core.check_access(ctx, &assignee, &name, ctx.source).await?)
                .map_err(|e| CliError { code: "InternalError".into(), message: e.to_string() })?
        }
        KeyvaultCommand::Key(_) | KeyvaultCommand::Secret(_) | KeyvaultCommand::Certificate(_) => {
            return Err(CliError { code: "InternalError".into(), message: "key and secret commands are dispatched elsewhere".into() });
        }
    })
}
