//! `vaultmort network dns ...`: practice DNS zones and their TXT, CNAME and A record sets, which
//! App Service checks a custom domain against. The record rules are the core's
//! (`vaultmort_core::appservice::dns`).

use serde_json::Value;
use vaultmort_core::appservice::RecordType;
use vaultmort_core::appservice::dns::{RecordChange, RecordChangeMode, ResourceRef};
use vaultmort_core::{RequestContext, Vaultmort};

use super::appservice::resource;
use crate::args::{ACommand, CnameCommand, DnsCommand, RecordSetCommand, RecordSetName, TxtCommand, ZoneCommand};
use crate::{CliError, dto};

/// Runs a `network dns` command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: DnsCommand) -> Result<Value, CliError> {
    Ok(match command {
        DnsCommand::Zone(ZoneCommand::Create(zone)) => dto::dns_zone(&core.create_dns_zone(ctx, &resource(zone)).await?),
        DnsCommand::Zone(ZoneCommand::List(scope)) => Value::Array(
            core.list_dns_zones(ctx, scope.subscription.as_deref(), scope.resource_group.as_deref())
                .await?
                .iter()
                .map(dto::dns_zone)
                .collect(),
        ),
        DnsCommand::Zone(ZoneCommand::Show(zone)) => dto::dns_zone(&core.show_dns_zone(ctx, &resource(zone)).await?),
        DnsCommand::Zone(ZoneCommand::Delete { zone, .. }) => {
            core.delete_dns_zone(ctx, &resource(zone)).await?;
            Value::Null
        }
        DnsCommand::RecordSet(RecordSetCommand::List { group, zone_name }) => {
            let zone = ResourceRef { subscription: group.subscription, resource_group: group.resource_group, name: zone_name };
            let zone = core.show_dns_zone(ctx, &zone).await?;
            Value::Array(zone.record_sets.iter().map(|set| dto::record_set(&zone, set)).collect())
        }
        DnsCommand::RecordSet(RecordSetCommand::Txt(command)) => match command {
            TxtCommand::AddRecord { set, value, ttl } => change(core, ctx, set, RecordType::Txt, value, ttl, RecordChangeMode::Add).await?,
            TxtCommand::RemoveRecord { set, value } => {
                change(core, ctx, set, RecordType::Txt, value, None, RecordChangeMode::Remove).await?
            }
        },
        DnsCommand::RecordSet(RecordSetCommand::Cname(command)) => match command {
            CnameCommand::SetRecord { set, cname, ttl } => {
                change(core, ctx, set, RecordType::Cname, cname, ttl, RecordChangeMode::Set).await?
            }
            CnameCommand::RemoveRecord { set, cname } => {
                change(core, ctx, set, RecordType::Cname, cname, None, RecordChangeMode::Remove).await?
            }
        },
        DnsCommand::RecordSet(RecordSetCommand::A(command)) => match command {
            ACommand::AddRecord { set, ipv4_address, ttl } => {
                change(core, ctx, set, RecordType::A, ipv4_address, ttl, RecordChangeMode::Add).await?
            }
            ACommand::RemoveRecord { set, ipv4_address } => {
                change(core, ctx, set, RecordType::A, ipv4_address, None, RecordChangeMode::Remove).await?
            }
        },
    })
}

/// Adds, sets or removes one record and prints the record set as it is now (nothing when its
/// last value went, as az prints nothing when it deletes the set).
async fn change(
    core: &Vaultmort,
    ctx: &RequestContext,
    set: RecordSetName,
    record_type: RecordType,
    value: String,
    ttl: Option<u32>,
    mode: RecordChangeMode,
) -> Result<Value, CliError> {
    let zone = ResourceRef { subscription: set.group.subscription, resource_group: set.group.resource_group, name: set.zone_name };
    let change = RecordChange { name: set.record_set_name, record_type, value, ttl, mode };
    let changed = core.change_dns_record(ctx, &zone, &change).await?;
    if changed.values.is_empty() {
        return Ok(Value::Null);
    }
    let zone = core.show_dns_zone(ctx, &zone).await?;
    Ok(dto::record_set(&zone, &changed))
}
