//! `vaultmort appservice plan ...`: App Service plans, whose pricing tier decides what a web app
//! may have. The tier rules are the core's (`vaultmort_core::appservice::webapps`).

use serde_json::Value;
use vaultmort_core::appservice::dns::ResourceRef;
use vaultmort_core::appservice::webapps::CreatePlan;
use vaultmort_core::{RequestContext, Vaultmort};

use crate::args::{AppserviceCommand, InGroup, Named, PlanCommand};
use crate::{CliError, dto};

/// The resource `-g/--subscription/-n` names.
pub fn resource(named: Named) -> ResourceRef {
    ResourceRef { subscription: named.group.subscription, resource_group: named.group.resource_group, name: named.name }
}

/// The resource group `-g/--subscription` names (a resource with no name of its own).
pub fn group(group: InGroup) -> ResourceRef {
    ResourceRef { subscription: group.subscription, resource_group: group.resource_group, name: String::new() }
}

/// Runs an `appservice` command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: AppserviceCommand) -> Result<Value, CliError> {
    let AppserviceCommand::Plan(command) = command;
    Ok(match command {
        PlanCommand::Create { plan, sku } => {
            dto::app_service_plan(&core.create_plan(ctx, &CreatePlan { plan: resource(plan), sku }).await?)
        }
        PlanCommand::Update { plan, sku } => {
            dto::app_service_plan(&core.update_plan(ctx, &CreatePlan { plan: resource(plan), sku }).await?)
        }
        PlanCommand::Show(plan) => dto::app_service_plan(&core.show_plan(ctx, &resource(plan)).await?),
        PlanCommand::List(scope) => Value::Array(
            core.list_plans(ctx, scope.subscription.as_deref(), scope.resource_group.as_deref())
                .await?
                .iter()
                .map(dto::app_service_plan)
                .collect(),
        ),
        PlanCommand::Delete { plan, .. } => {
            core.delete_plan(ctx, &resource(plan)).await?;
            Value::Null
        }
    })
}
