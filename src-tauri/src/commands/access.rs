//! Access control: the practice directory, "signed in as", a vault's access configuration
//! (access policies from templates, or Azure RBAC), role assignments (IAM) with "check access",
//! the vault's firewall, and the access log. Every rule is the core's; a refusal reaches the UI
//! as the core's `Forbidden` or `ForbiddenByFirewall` with the reason in its message.

use std::net::{IpAddr, Ipv4Addr};

use tauri::State;
use vaultmort_core::access_policy::{self, PolicyChange};
use vaultmort_core::audit::{AuditFilter, Outcome};
use vaultmort_core::directory::NewPrincipal;
use vaultmort_core::firewall::{NetworkChanges, NetworkRule};
use vaultmort_core::roles::AssignmentFilter;
use vaultmort_core::vaults::UpdateVault;
use vaultmort_core::{Door, ObjectKind};

use crate::dto::parse_time;
use crate::dto::{
    AccessCheckView, AccessConfigView, AccessPolicyView, AuditFilterInput, AuditRecordView, CreatedPrincipalView, NetworkView,
    PermissionSet, PolicyTemplateView, PolicyWriteView, PrincipalKindName, PrincipalView, RoleAssignmentView, RoleDefinitionView,
    SignedInView, VerificationView,
};
use crate::error::CommandError;
use crate::state::AppState;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Every user, group, service principal and managed identity of the practice directory.
#[tauri::command]
#[specta::specta]
pub async fn list_principals(state: State<'_, AppState>) -> Result<Vec<PrincipalView>, CommandError> {
    Ok(state.core()?.list_principals(&state.caller(), None).await?.into_iter().map(PrincipalView::from).collect())
}

/// Creates a principal: a user needs a UPN (`alice@contoso.example`); the others a display name.
/// A service principal comes with a first client secret, returned this once.
#[tauri::command]
#[specta::specta]
pub async fn create_principal(
    state: State<'_, AppState>,
    kind: PrincipalKindName,
    display_name: String,
    user_principal_name: Option<String>,
) -> Result<CreatedPrincipalView, CommandError> {
    let new = match kind {
        PrincipalKindName::User => NewPrincipal::User {
            user_principal_name: user_principal_name.ok_or_else(|| CommandError::bad_parameter("a user needs a user principal name"))?,
            display_name,
        },
        PrincipalKindName::Group => NewPrincipal::Group { display_name },
        PrincipalKindName::ServicePrincipal => NewPrincipal::ServicePrincipal { display_name },
        PrincipalKindName::ManagedIdentity => NewPrincipal::ManagedIdentity { display_name },
    };
    let created = state.core()?.create_principal(&state.caller(), new).await?;
    Ok(CreatedPrincipalView { principal: created.object.into(), client_secret: created.client_secret.map(|s| s.as_str().to_owned()) })
}

/// Deletes a principal (by UPN, app id, display name or object id).
#[tauri::command]
#[specta::specta]
pub async fn delete_principal(state: State<'_, AppState>, query: String) -> Result<PrincipalView, CommandError> {
    Ok(state.core()?.delete_principal(&state.caller(), &query).await?.into())
}

/// Who the app acts as now.
#[tauri::command]
#[specta::specta]
pub async fn signed_in(state: State<'_, AppState>) -> Result<SignedInView, CommandError> {
    Ok((&state.caller().principal).into())
}

/// Signs in as a user, service principal or managed identity (by UPN, app id, display name or
/// object id), or as the installation's owner with `owner`. Every later request runs as them,
/// and the choice is remembered for the next start. Audited as `SignIn`.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_as(state: State<'_, AppState>, query: String) -> Result<SignedInView, CommandError> {
    let core = state.core()?;
    let ctx =
        if query == "owner" { core.logout(Door::Desktop, LOOPBACK).await? } else { core.login(&query, Door::Desktop, LOOPBACK).await? };
    state.sign_in_as(ctx.principal.clone());
    Ok((&ctx.principal).into())
}

/// A vault's access configuration: its permission model, its policies, and the editor's choices.
#[tauri::command]
#[specta::specta]
pub async fn access_configuration(state: State<'_, AppState>, vault: String) -> Result<AccessConfigView, CommandError> {
    let core = state.core()?;
    let ctx = state.caller();
    let found = core.show_vault(&ctx, &vault).await?;
    // Names for the policies: the owner may read the directory; anyone else sees object ids.
    let directory = core.list_principals(&ctx, None).await.unwrap_or_default();
    let names = |kind: ObjectKind| access_policy::permissions_of(kind).iter().map(|p| (*p).to_string()).collect();
    Ok(AccessConfigView {
        rbac_authorization: found.rbac_authorization,
        policies: found.access_policies.iter().map(|p| AccessPolicyView::of(p, &directory)).collect(),
        all_permissions: PermissionSet {
            keys: names(ObjectKind::Key),
            secrets: names(ObjectKind::Secret),
            certificates: names(ObjectKind::Certificate),
        },
        templates: access_policy::templates().into_iter().map(PolicyTemplateView::from).collect(),
    })
}

/// Adds or replaces the access policy of `principal` on `vault` with exactly `permissions`.
#[tauri::command]
#[specta::specta]
pub async fn set_access_policy(
    state: State<'_, AppState>,
    vault: String,
    principal: String,
    permissions: PermissionSet,
) -> Result<PolicyWriteView, CommandError> {
    let change =
        PolicyChange { keys: Some(permissions.keys), secrets: Some(permissions.secrets), certificates: Some(permissions.certificates) };
    let written = state.core()?.set_access_policy(&state.caller(), &vault, &principal, change).await?;
    Ok(PolicyWriteView { flags: written.flags })
}

/// Removes the access policy of `principal` from `vault`.
#[tauri::command]
#[specta::specta]
pub async fn delete_access_policy(state: State<'_, AppState>, vault: String, principal: String) -> Result<(), CommandError> {
    state.core()?.delete_access_policy(&state.caller(), &vault, &principal).await?;
    Ok(())
}

/// Switches the vault between access policies and Azure RBAC for data access.
#[tauri::command]
#[specta::specta]
pub async fn set_rbac_authorization(state: State<'_, AppState>, vault: String, enabled: bool) -> Result<(), CommandError> {
    let update = UpdateVault { rbac_authorization: Some(enabled), ..UpdateVault::default() };
    state.core()?.update_vault(&state.caller(), &vault, update).await?;
    Ok(())
}

/// Every role definition, built-in and custom.
#[tauri::command]
#[specta::specta]
pub async fn list_role_definitions(state: State<'_, AppState>) -> Result<Vec<RoleDefinitionView>, CommandError> {
    Ok(state.core()?.list_role_definitions(&state.caller()).await?.into_iter().map(RoleDefinitionView::from).collect())
}

/// The role assignments that apply at `scope` (a resource id), inherited ones included.
#[tauri::command]
#[specta::specta]
pub async fn list_role_assignments(state: State<'_, AppState>, scope: String) -> Result<Vec<RoleAssignmentView>, CommandError> {
    let filter = AssignmentFilter { scope: Some(scope), include_inherited: true, ..AssignmentFilter::default() };
    Ok(state.core()?.list_role_assignments(&state.caller(), &filter).await?.into_iter().map(RoleAssignmentView::from).collect())
}

/// Assigns `role` to `assignee` at `scope`.
#[tauri::command]
#[specta::specta]
pub async fn create_role_assignment(
    state: State<'_, AppState>,
    assignee: String,
    role: String,
    scope: String,
) -> Result<RoleAssignmentView, CommandError> {
    Ok(state.core()?.create_role_assignment(&state.caller(), &assignee, &role, &scope).await?.into())
}

/// Removes a role assignment by id.
#[tauri::command]
#[specta::specta]
pub async fn delete_role_assignment(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    state.core()?.delete_role_assignments(&state.caller(), Some(&id), None, None, None).await?;
    Ok(())
}

/// What `principal` may do on `vault`, operation by operation, and the rule that decides.
#[tauri::command]
#[specta::specta]
pub async fn check_access(state: State<'_, AppState>, principal: String, vault: String) -> Result<Vec<AccessCheckView>, CommandError> {
    Ok(state.core()?.check_access(&state.caller(), &principal, &vault, LOOPBACK).await?.into_iter().map(AccessCheckView::from).collect())
}

/// The vault's firewall.
#[tauri::command]
#[specta::specta]
pub async fn network_rules(state: State<'_, AppState>, vault: String) -> Result<NetworkView, CommandError> {
    Ok(state.core()?.network_rules(&state.caller(), &vault).await?.into())
}

/// Sets public network access, the default action and the trusted-services bypass.
#[tauri::command]
#[specta::specta]
pub async fn update_network(
    state: State<'_, AppState>,
    vault: String,
    public_network_access: String,
    default_action: String,
    bypass: String,
) -> Result<NetworkView, CommandError> {
    let network = NetworkChanges {
        public_network_access: Some(public_network_access.parse()?),
        default_action: Some(default_action.parse()?),
        bypass: Some(bypass.parse()?),
    };
    let updated = state.core()?.update_vault(&state.caller(), &vault, UpdateVault { network, ..UpdateVault::default() }).await?;
    Ok(updated.network_acls.into())
}

/// Adds (`add`) or removes an IP rule (an IPv4 address or CIDR range) or, when `subnet` is set,
/// a virtual network rule.
#[tauri::command]
#[specta::specta]
pub async fn change_network_rule(
    state: State<'_, AppState>,
    vault: String,
    rule: String,
    subnet: bool,
    add: bool,
) -> Result<NetworkView, CommandError> {
    let rule = if subnet { NetworkRule::Subnet(rule) } else { NetworkRule::Ip(rule) };
    Ok(state.core()?.change_network_rule(&state.caller(), &vault, rule, add).await?.network_acls.into())
}

/// The access log, newest first, filtered.
#[tauri::command]
#[specta::specta]
pub async fn query_access_log(state: State<'_, AppState>, filter: AuditFilterInput) -> Result<Vec<AuditRecordView>, CommandError> {
    let outcome = match filter.outcome.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => None,
        Some("succeeded") => Some(Outcome::Succeeded),
        Some("denied") => Some(Outcome::Denied),
        Some("failed") => Some(Outcome::Failed),
        Some(other) => return Err(CommandError::bad_parameter(format!("'{other}' is not a result: use succeeded, denied or failed"))),
    };
    let blank = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    let core_filter = AuditFilter {
        vault: blank(filter.vault),
        caller: blank(filter.caller),
        operation: blank(filter.operation),
        outcome,
        since: parse_time("start of the time range", filter.since.as_deref())?,
        until: parse_time("end of the time range", filter.until.as_deref())?,
        limit: filter.limit.map(|l| l as usize),
    };
    let mut records = state.core()?.query_audit_log(&state.caller(), &core_filter).await?;
    records.sort_by_key(|r| std::cmp::Reverse(r.sequence));
    Ok(records.into_iter().map(AuditRecordView::from).collect())
}

/// Checks the access log's hash chain: an edited or removed record breaks it.
#[tauri::command]
#[specta::specta]
pub async fn verify_access_log(state: State<'_, AppState>) -> Result<VerificationView, CommandError> {
    Ok(state.core()?.verify_audit_log(&state.caller()).await?.into())
}
