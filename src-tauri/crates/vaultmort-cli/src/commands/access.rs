//! `vaultmort account|ad|identity|role|network ...`: the practice directory, RBAC and practice
//! networks, in az's words and shapes.

use serde_json::{Value, json};
use vaultmort_core::directory::{DirectoryObjectKind, NewPrincipal};
use vaultmort_core::roles::AssignmentFilter;
use vaultmort_core::{Error, RequestContext, Vaultmort};

use crate::args::{
    AccountCommand, AdCommand, AdGroupCommand, AdGroupMemberCommand, AdSpCommand, AdUserCommand, IdentityCommand, NetworkCommand,
    RoleAssignmentCommand, RoleCommand, RoleDefinitionCommand, VnetCommand,
};
use crate::{CliError, dto};

fn subscription_json(core: &Vaultmort, ctx: &RequestContext, subscription: &vaultmort_core::model::Subscription) -> Value {
    json!({
        "cloudName": "AzureCloud",
        "homeTenantId": core.tenant().tenant_id,
        "id": subscription.id,
        "isDefault": subscription.id == core.tenant().default_subscription.id,
        "name": subscription.name,
        "state": "Enabled",
        "tenantId": core.tenant().tenant_id,
        "user": {"name": ctx.principal.name, "type": match ctx.principal.kind {
            vaultmort_core::context::PrincipalKind::User => "user",
            _ => "servicePrincipal",
        }},
    })
}

/// Runs an account command.
pub async fn account(core: &Vaultmort, ctx: &RequestContext, command: AccountCommand) -> Result<Value, CliError> {
    let subscriptions = match &command {
        AccountCommand::Create { .. } => Vec::new(),
        _ => core.list_subscriptions(ctx).await?,
    };
    Ok(match command {
        AccountCommand::List => Value::Array(subscriptions.iter().map(|s| subscription_json(core, ctx, s)).collect()),
        AccountCommand::Show => {
            let subscription = subscriptions.first().ok_or_else(|| CliError {
                code: "SubscriptionNotFound".into(),
                message: format!("{} holds no role in any subscription; ask an Owner for a role assignment", ctx.principal.name),
            })?;
            subscription_json(core, ctx, subscription)
        }
        AccountCommand::Set { subscription } => {
            let found = subscriptions
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(&subscription) || s.name.eq_ignore_ascii_case(&subscription))
                .ok_or_else(|| CliError {
                    code: "SubscriptionNotFound".into(),
                    message: format!("subscription '{subscription}' was not found among the subscriptions {} can use", ctx.principal.name),
                })?;
            subscription_json(core, ctx, found)
        }
        AccountCommand::Create { name } => subscription_json(core, ctx, &core.create_subscription(ctx, &name).await?),
    })
}

async fn show_kind(
    core: &Vaultmort,
    ctx: &RequestContext,
    id: &str,
    kind: DirectoryObjectKind,
) -> Result<vaultmort_core::directory::DirectoryObject, CliError> {
    let object = core.show_principal(ctx, id).await?;
    if object.kind != kind {
        return Err(Error::NotFound { code: "PrincipalNotFound", message: format!("'{id}' is a {:?}, not a {kind:?}", object.kind) }.into());
    }
    Ok(object)
}

async fn list_kind(core: &Vaultmort, ctx: &RequestContext, kind: DirectoryObjectKind) -> Result<Value, CliError> {
    let tenant = core.tenant().tenant_id.clone();
    Ok(Value::Array(core.list_principals(ctx, Some(kind)).await?.iter().map(|o| dto::directory_object(o, &tenant)).collect()))
}

async fn delete_kind(core: &Vaultmort, ctx: &RequestContext, id: &str, kind: DirectoryObjectKind) -> Result<Value, CliError> {
    let object = show_kind(core, ctx, id, kind).await?;
    core.delete_principal(ctx, &object.object_id).await?;
    Ok(Value::Null)
}

/// Runs an `ad` command.
pub async fn ad(core: &Vaultmort, ctx: &RequestContext, command: AdCommand) -> Result<Value, CliError> {
    let tenant = core.tenant().tenant_id.clone();
    Ok(match command {
        AdCommand::User(command) => match command {
            AdUserCommand::Create { display_name, user_principal_name } => {
                let created = core.create_principal(ctx, NewPrincipal::User { user_principal_name, display_name }).await?;
                dto::directory_object(&created.object, &tenant)
            }
            AdUserCommand::List => list_kind(core, ctx, DirectoryObjectKind::User).await?,
            AdUserCommand::Show(id) => dto::directory_object(&show_kind(core, ctx, &id.id, DirectoryObjectKind::User).await?, &tenant),
            AdUserCommand::Delete(id) => delete_kind(core, ctx, &id.id, DirectoryObjectKind::User).await?,
        },
        AdCommand::Group(command) => match command {
            AdGroupCommand::Create { display_name, .. } => {
                let created = core.create_principal(ctx, NewPrincipal::Group { display_name }).await?;
                dto::directory_object(&created.object, &tenant)
            }
            AdGroupCommand::List => list_kind(core, ctx, DirectoryObjectKind::Group).await?,
            AdGroupCommand::Show(group) => {
                dto::directory_object(&show_kind(core, ctx, &group.group, DirectoryObjectKind::Group).await?, &tenant)
            }
            AdGroupCommand::Delete(group) => delete_kind(core, ctx, &group.group, DirectoryObjectKind::Group).await?,
            AdGroupCommand::Member(AdGroupMemberCommand::Add(args)) => {
                core.change_group_member(ctx, &args.group, &args.member_id, true).await?;
                Value::Null
            }
            AdGroupCommand::Member(AdGroupMemberCommand::Remove(args)) => {
                core.change_group_member(ctx, &args.group, &args.member_id, false).await?;
                Value::Null
            }
            AdGroupCommand::Member(AdGroupMemberCommand::List(group)) => {
                let group = show_kind(core, ctx, &group.group, DirectoryObjectKind::Group).await?;
                let all = core.list_principals(ctx, None).await?;
                Value::Array(
                    all.iter().filter(|o| group.members.contains(&o.object_id)).map(|o| dto::directory_object(o, &tenant)).collect(),
                )
            }
        },
        AdCommand::Sp(command) => match command {
            AdSpCommand::Create { display_name } => {
                let created = core.create_principal(ctx, NewPrincipal::ServicePrincipal { display_name }).await?;
                json!({
                    "appId": created.object.app_id,
                    "displayName": created.object.display_name,
                    "id": created.object.object_id,
                    "password": created.client_secret.as_deref().map(String::as_str),
                    "tenant": tenant,
                })
            }
            AdSpCommand::List => list_kind(core, ctx, DirectoryObjectKind::ServicePrincipal).await?,
            AdSpCommand::Show(id) => {
                dto::directory_object(&show_kind(core, ctx, &id.id, DirectoryObjectKind::ServicePrincipal).await?, &tenant)
            }
            AdSpCommand::Delete(id) => delete_kind(core, ctx, &id.id, DirectoryObjectKind::ServicePrincipal).await?,
        },
    })
}

/// Runs an `identity` command.
pub async fn identity(core: &Vaultmort, ctx: &RequestContext, command: IdentityCommand) -> Result<Value, CliError> {
    let tenant = core.tenant().tenant_id.clone();
    let subscription = core.tenant().default_subscription.id.clone();
    Ok(match command {
        IdentityCommand::Create { name, .. } => {
            let created = core.create_principal(ctx, NewPrincipal::ManagedIdentity { display_name: name }).await?;
            dto::identity(&created.object, &tenant, &subscription)
        }
        IdentityCommand::List => Value::Array(
            core.list_principals(ctx, Some(DirectoryObjectKind::ManagedIdentity))
                .await?
                .iter()
                .map(|o| dto::identity(o, &tenant, &subscription))
                .collect(),
        ),
        IdentityCommand::Show(id) => {
            dto::identity(&show_kind(core, ctx, &id.id, DirectoryObjectKind::ManagedIdentity).await?, &tenant, &subscription)
        }
        IdentityCommand::Delete(id) => delete_kind(core, ctx, &id.id, DirectoryObjectKind::ManagedIdentity).await?,
    })
}

/// Runs a `role` command.
pub async fn role(core: &Vaultmort, ctx: &RequestContext, command: RoleCommand) -> Result<Value, CliError> {
    Ok(match command {
        RoleCommand::Definition(RoleDefinitionCommand::Create { role_definition }) => {
            let text = crate::commands::json_text_or_file(role_definition, "--role-definition")?;
            dto::role_definition(&core.create_role_definition(ctx, &text).await?)
        }
        RoleCommand::Definition(RoleDefinitionCommand::List { name, custom_role_only }) => Value::Array(
            core.list_role_definitions(ctx)
                .await?
                .iter()
                .filter(|r| name.as_ref().is_none_or(|n| r.name.eq_ignore_ascii_case(n) || r.id.eq_ignore_ascii_case(n)))
                .filter(|r| !custom_role_only || r.role_type == vaultmort_core::roles::RoleType::CustomRole)
                .map(dto::role_definition)
                .collect(),
        ),
        RoleCommand::Definition(RoleDefinitionCommand::Delete { name }) => {
            core.delete_role_definition(ctx, &name).await?;
            Value::Null
        }
        RoleCommand::Assignment(RoleAssignmentCommand::Create { assignee, role, scope }) => {
            dto::role_assignment(&core.create_role_assignment(ctx, &assignee, &role, &scope).await?)
        }
        RoleCommand::Assignment(RoleAssignmentCommand::List { assignee, role, scope, include_inherited, all }) => {
            let scope = if all { scope.or_else(|| Some("/".to_string())) } else { scope };
            let include_inherited = include_inherited || (all && scope.as_deref() == Some("/"));
            let filter = AssignmentFilter { assignee, role, scope, include_inherited };
            Value::Array(core.list_role_assignments(ctx, &filter).await?.iter().map(dto::role_assignment).collect())
        }
        RoleCommand::Assignment(RoleAssignmentCommand::Delete { ids, assignee, role, scope }) => {
            core.delete_role_assignments(ctx, ids.as_deref(), assignee.as_deref(), role.as_deref(), scope.as_deref()).await?;
            Value::Null
        }
    })
}

/// Runs a `network` command.
pub async fn network(core: &Vaultmort, ctx: &RequestContext, command: NetworkCommand) -> Result<Value, CliError> {
    let vnet_json = |vnet: &vaultmort_core::directory::VirtualNetwork| {
        json!({
            "id": vnet.id,
            "name": vnet.name,
            "resourceGroup": vnet.resource_group,
            "subnets": vnet.subnets.iter().map(|s| json!({"addressPrefix": s.address_prefix, "id": s.id, "name": s.name})).collect::<Vec<_>>(),
            "type": "Microsoft.Network/virtualNetworks",
        })
    };
    Ok(match command {
        NetworkCommand::Vnet(VnetCommand::Create { resource_group, name, subnets }) => {
            let mut pairs = Vec::new();
            for subnet in &subnets {
                let (subnet_name, prefix) = subnet
                    .split_once('=')
                    .ok_or_else(|| Error::bad(format!("subnet '{subnet}' must be name=CIDR, such as backend=10.0.1.0/24")))?;
                pairs.push((subnet_name.to_string(), prefix.to_string()));
            }
            vnet_json(&core.create_virtual_network(ctx, &resource_group, &name, &pairs).await?)
        }
        NetworkCommand::Vnet(VnetCommand::List) => Value::Array(core.list_virtual_networks(ctx).await?.iter().map(vnet_json).collect()),
        NetworkCommand::Vnet(VnetCommand::Place { principal, subnet }) => {
            let subnet = if subnet.eq_ignore_ascii_case("none") { None } else { Some(subnet.as_str()) };
            let object = core.place_principal(ctx, &principal, subnet).await?;
            dto::directory_object(&object, &core.tenant().tenant_id)
        }
        NetworkCommand::Dns(command) => super::dns::run(core, ctx, command).await?,
    })
}
