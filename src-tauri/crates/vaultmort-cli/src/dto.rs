//! The JSON shapes az prints, built from the core's types. az mirrors the REST bodies with
//! camelCase names and ISO 8601 times; object ids are URLs under the vault's base address
//! `https://<vault>.localhost:<port>` ([`vaultmort_core::address::vault_url`]: the port from
//! `VAULTMORT_PORT`, 8443 by default).

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use vaultmort_certs::CertificatePolicy;
use vaultmort_core::address::vault_url;
use vaultmort_core::keys::KeyBundle;
use vaultmort_core::lifecycle::ObjectBundle;
use vaultmort_core::model::{Attributes, Recovery, ResourceGroup, Tags, Vault};
use vaultmort_core::objects::DeletedInfo;
use vaultmort_core::secrets::SecretBundle;
use vaultmort_crypto::jwk::b64url;

fn time(at: DateTime<Utc>) -> Value {
    Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
}

fn opt_time(at: Option<DateTime<Utc>>) -> Value {
    at.map(time).unwrap_or(Value::Null)
}

fn tags(tags: &Tags) -> Value {
    if tags.is_empty() { Value::Null } else { json!(tags) }
}

/// A resource group.
pub fn group(group: &ResourceGroup) -> Value {
    json!({
        "id": group.resource_id(),
        "location": group.location,
        "managedBy": null,
        "name": group.name,
        "properties": {"provisioningState": "Succeeded"},
        "tags": tags(&group.tags),
        "type": "Microsoft.Resources/resourceGroups"
    })
}

/// An active vault.
pub fn vault(vault: &Vault) -> Value {
    json!({
        "id": vault.resource_id(),
        "location": vault.location,
        "name": vault.name,
        "properties": {
            "accessPolicies": vault.access_policies.iter().map(access_policy).collect::<Vec<_>>(),
            "enablePurgeProtection": if vault.purge_protection { Value::Bool(true) } else { Value::Null },
            "enableRbacAuthorization": vault.rbac_authorization,
            "enableSoftDelete": true,
            "provisioningState": "Succeeded",
            "networkAcls": network_acls(&vault.network_acls),
            // Vaultmort's own setting, not Azure's (see `keyvault update --practice-throttling`).
            "practiceThrottling": vault.practice_throttling,
            "publicNetworkAccess": vault.network_acls.public_network_access,
            "sku": {"family": "A", "name": vault.sku.to_string()},
            "softDeleteRetentionInDays": vault.soft_delete_retention_days,
            "tenantId": vault.tenant_id,
            "vaultUri": format!("{}/", vault_url(&vault.name)),
        },
        "resourceGroup": vault.resource_group,
        "systemData": {"createdAt": time(vault.created), "lastModifiedAt": time(vault.updated)},
        "tags": tags(&vault.tags),
        "type": "Microsoft.KeyVault/vaults"
    })
}

/// A soft-deleted vault, as `az keyvault list-deleted` shows it.
pub fn deleted_vault(vault: &Vault) -> Value {
    let deletion = vault.deletion;
    json!({
        "id": format!("/subscriptions/{}/providers/Microsoft.KeyVault/locations/{}/deletedVaults/{}", vault.subscription_id, vault.location, vault.name),
        "name": vault.name,
        "properties": {
            "deletionDate": opt_time(deletion.map(|d| d.deleted_at)),
            "location": vault.location,
            "purgeProtectionEnabled": vault.purge_protection,
            "scheduledPurgeDate": opt_time(deletion.map(|d| d.scheduled_purge)),
            "tags": tags(&vault.tags),
            "vaultId": vault.resource_id(),
        },
        "type": "Microsoft.KeyVault/deletedVaults"
    })
}

fn attributes(attributes: &Attributes, recovery: &Recovery, exportable: Option<bool>) -> Value {
    let mut out = json!({
        "created": time(attributes.created),
        "enabled": attributes.enabled,
        "expires": opt_time(attributes.expires),
        "notBefore": opt_time(attributes.not_before),
        "recoverableDays": recovery.recoverable_days,
        "recoveryLevel": recovery.recovery_level,
        "updated": time(attributes.updated),
    });
    if let (Some(flag), Some(map)) = (exportable, out.as_object_mut()) {
        map.insert("exportable".into(), Value::Bool(flag));
    }
    out
}

fn add_deleted(mut out: Value, deleted: &Option<DeletedInfo>, base: &str) -> Value {
    if let (Some(info), Some(map)) = (deleted, out.as_object_mut()) {
        map.insert("deletedDate".into(), time(info.deleted_date));
        map.insert("recoveryId".into(), Value::String(format!("{base}/{}", info.recovery_path)));
        map.insert("scheduledPurgeDate".into(), time(info.scheduled_purge_date));
    }
    out
}

fn managed(flag: bool) -> Value {
    if flag { Value::Bool(true) } else { Value::Null }
}

/// A key with its public JWK (`key show`, `key create`, ...).
/// A key's rotation policy as az shows it: Key Vault's shape with its id, times as ISO 8601.
pub fn rotation_policy(policy: &vaultmort_core::rotation::RotationPolicy, vault: &str, name: &str) -> Value {
    let mut out = policy.to_wire();
    if let Some(map) = out.as_object_mut() {
        map.insert("id".into(), format!("{}/keys/{name}/rotationpolicy", vault_url(vault)).into());
    }
    if let Some(attributes) = out.get_mut("attributes").and_then(Value::as_object_mut) {
        for (field, time) in [("created", policy.created), ("updated", policy.updated)] {
            if let Some(time) = time {
                attributes.insert(field.into(), time.to_rfc3339().into());
            }
        }
    }
    out
}

pub fn key(bundle: &KeyBundle) -> Value {
    let base = vault_url(&bundle.id.vault);
    let jwk = bundle.jwk(&base);
    let b64 = |v: &Option<Vec<u8>>| v.as_ref().map(|b| Value::String(b64url::encode(b))).unwrap_or(Value::Null);
    let out = json!({
        "attributes": attributes(&bundle.attributes, &bundle.recovery, Some(false)),
        "key": {
            "crv": jwk.crv,
            "e": b64(&jwk.e),
            "keyOps": jwk.key_ops,
            "kid": jwk.kid,
            "kty": jwk.kty,
            "n": b64(&jwk.n),
            "x": b64(&jwk.x),
            "y": b64(&jwk.y),
        },
        "managed": managed(bundle.managed),
        "tags": tags(&bundle.tags),
    });
    add_deleted(out, &bundle.deleted, &base)
}

/// A key as listed (`key list`, `key list-versions`, `key list-deleted`).
pub fn key_item(bundle: &KeyBundle) -> Value {
    let base = vault_url(&bundle.id.vault);
    let out = json!({
        "attributes": attributes(&bundle.attributes, &bundle.recovery, Some(false)),
        "kid": bundle.id.url(&base),
        "managed": managed(bundle.managed),
        "name": bundle.id.name,
        "tags": tags(&bundle.tags),
    });
    add_deleted(out, &bundle.deleted, &base)
}

/// A secret, with its value when the bundle has one.
pub fn secret(bundle: &SecretBundle) -> Value {
    let base = vault_url(&bundle.id.vault);
    let mut out = json!({
        "attributes": attributes(&bundle.attributes, &bundle.recovery, None),
        "contentType": bundle.content_type,
        "id": bundle.id.url(&base),
        "kid": bundle.key_id.as_ref().map(|kid| if kid.starts_with("https://") { kid.clone() } else { format!("{base}/{kid}") }),
        "managed": managed(bundle.managed),
        "name": bundle.id.name,
        "tags": tags(&bundle.tags),
    });
    if let (Some(value), Some(map)) = (&bundle.value, out.as_object_mut()) {
        map.insert("value".into(), Value::String(value.to_string()));
    }
    add_deleted(out, &bundle.deleted, &base)
}

/// Standard base64, as az prints crypto results.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A certificate version (`certificate show`, `import`, ...).
pub fn certificate(bundle: &vaultmort_core::certificates::CertificateBundle) -> Value {
    let base = vault_url(&bundle.id.vault);
    let out = json!({
        "attributes": attributes(&bundle.attributes, &bundle.recovery, None),
        "cer": b64(&bundle.cer),
        "contentType": bundle.policy.as_ref().and_then(|p| p.content_type().ok()).map(|c| c.as_str()),
        "id": bundle.id.url(&base),
        "kid": bundle.kid.url(&base),
        "name": bundle.id.name,
        "policy": bundle.policy.as_ref().map(certificate_policy),
        "sid": bundle.sid.url(&base),
        "subject": bundle.subject,
        "issuer": bundle.issuer,
        "tags": tags(&bundle.tags),
        "x509ThumbprintHex": hex::encode_upper(&bundle.x5t),
    });
    add_deleted(out, &bundle.deleted, &base)
}

/// A certificate policy in the shape the Azure CLI prints (`keyProperties`,
/// `x509CertificateProperties`, `validityInMonths`, ...), members that are not set left out.
/// (The certs crate reads this shape too, so a policy saved from `az` loads as is.)
pub fn certificate_policy(policy: &CertificatePolicy) -> Value {
    fn put<T: Serialize>(map: &mut Map<String, Value>, key: &str, value: &Option<T>) {
        if let Some(v) = value {
            map.insert(key.to_string(), json!(v));
        }
    }
    let mut out = Map::new();
    if let Some(id) = &policy.id {
        out.insert("id".into(), json!(id));
    }
    if let Some(k) = &policy.key_props {
        let mut m = Map::new();
        put(&mut m, "curve", &k.curve);
        put(&mut m, "exportable", &k.exportable);
        put(&mut m, "keySize", &k.key_size);
        put(&mut m, "keyType", &k.kty);
        put(&mut m, "reuseKey", &k.reuse_key);
        out.insert("keyProperties".into(), Value::Object(m));
    }
    if let Some(s) = &policy.secret_props {
        let mut m = Map::new();
        put(&mut m, "contentType", &s.content_type);
        out.insert("secretProperties".into(), Value::Object(m));
    }
    if let Some(x) = &policy.x509_props {
        let mut m = Map::new();
        put(&mut m, "ekus", &x.ekus);
        put(&mut m, "keyUsage", &x.key_usage);
        put(&mut m, "subject", &x.subject);
        if let Some(sans) = &x.sans {
            let mut s = Map::new();
            put(&mut s, "dnsNames", &sans.dns_names);
            put(&mut s, "emails", &sans.emails);
            put(&mut s, "upns", &sans.upns);
            m.insert("subjectAlternativeNames".into(), Value::Object(s));
        }
        put(&mut m, "validityInMonths", &x.validity_months);
        out.insert("x509CertificateProperties".into(), Value::Object(m));
    }
    if let Some(actions) = &policy.lifetime_actions {
        let list = actions
            .iter()
            .map(|a| {
                let mut m = Map::new();
                if let Some(action) = &a.action {
                    let mut am = Map::new();
                    put(&mut am, "actionType", &action.action_type);
                    m.insert("action".into(), Value::Object(am));
                }
                if let Some(t) = &a.trigger {
                    let mut tm = Map::new();
                    put(&mut tm, "daysBeforeExpiry", &t.days_before_expiry);
                    put(&mut tm, "lifetimePercentage", &t.lifetime_percentage);
                    m.insert("trigger".into(), Value::Object(tm));
                }
                Value::Object(m)
            })
            .collect();
        out.insert("lifetimeActions".into(), Value::Array(list));
    }
    if let Some(i) = &policy.issuer {
        let mut m = Map::new();
        put(&mut m, "certificateTransparency", &i.certificate_transparency);
        put(&mut m, "certificateType", &i.certificate_type);
        put(&mut m, "name", &i.name);
        out.insert("issuerParameters".into(), Value::Object(m));
    }
    if let Some(a) = &policy.attributes {
        out.insert("attributes".into(), json!(a));
    }
    Value::Object(out)
}

/// A certificate as listed.
pub fn certificate_item(bundle: &vaultmort_core::certificates::CertificateBundle) -> Value {
    let base = vault_url(&bundle.id.vault);
    let out = json!({
        "attributes": attributes(&bundle.attributes, &bundle.recovery, None),
        "id": bundle.id.url(&base),
        "name": bundle.id.name,
        "subject": bundle.subject,
        "tags": tags(&bundle.tags),
        "x509ThumbprintHex": hex::encode_upper(&bundle.x5t),
    });
    add_deleted(out, &bundle.deleted, &base)
}

/// A key, secret or certificate from the life-cycle commands (`delete`, `show-deleted`,
/// `recover`, `restore`), in its kind's shape.
pub fn object(bundle: &ObjectBundle) -> Value {
    match bundle {
        ObjectBundle::Key(key_bundle) => key(key_bundle),
        ObjectBundle::Secret(secret_bundle) => secret(secret_bundle),
        ObjectBundle::Certificate(certificate_bundle) => certificate(certificate_bundle),
    }
}

/// A key, secret or certificate as `list-deleted` lists it: keys and certificates in their
/// list shape, secrets in their whole shape (a listed secret has no value to leave out).
pub fn object_item(bundle: &ObjectBundle) -> Value {
    match bundle {
        ObjectBundle::Key(key_bundle) => key_item(key_bundle),
        ObjectBundle::Secret(secret_bundle) => secret(secret_bundle),
        ObjectBundle::Certificate(certificate_bundle) => certificate_item(certificate_bundle),
    }
}

/// A certificate operation (`certificate create`, `pending show`).
pub fn certificate_operation(op: &vaultmort_core::certificates::CertificateOperation) -> Value {
    let base = vault_url(&op.id.vault);
    json!({
        "cancellationRequested": op.cancellation_requested,
        "csr": b64(&op.csr),
        "error": op.error.as_ref().map(|e| json!({"code": "CertificateOperationFailed", "message": e})),
        "id": op.id.url(&base),
        "issuerParameters": {"certificateTransparency": null, "certificateType": null, "name": op.issuer_name},
        "name": op.id.name,
        "requestId": op.request_id,
        "status": op.status,
        "statusDetails": op.status_details,
        "target": op.target.as_ref().map(|t| t.url(&base)),
    })
}

/// A certificate issuer.
pub fn issuer(issuer: &vaultmort_core::issuers::Issuer) -> Value {
    let base = vault_url(&issuer.vault);
    json!({
        "attributes": {"created": time(issuer.created), "enabled": issuer.enabled, "updated": time(issuer.updated)},
        "credentials": {"accountId": issuer.account_id, "password": null},
        "id": format!("{base}/certificates/issuers/{}", issuer.name),
        "name": issuer.name,
        "organizationDetails": {"adminDetails": issuer.admin_details, "id": issuer.organization_id},
        "provider": issuer.provider,
    })
}

/// An event or contact notification.
pub fn event(event: &vaultmort_core::renewal::Event) -> Value {
    json!({
        "data": event.data,
        "eventTime": time(event.time),
        "eventType": event.event_type,
        "id": event.sequence,
        "subject": event.subject,
        "vault": event.vault_name,
    })
}

/// An access policy entry, as in a vault's `properties.accessPolicies`.
pub fn access_policy(policy: &vaultmort_core::access_policy::AccessPolicy) -> Value {
    json!({
        "applicationId": policy.application_id,
        "objectId": policy.object_id,
        "permissions": {
            "certificates": policy.permissions.certificates,
            "keys": policy.permissions.keys,
            "secrets": policy.permissions.secrets,
            "storage": [],
        },
        "tenantId": policy.tenant_id,
    })
}

/// A vault's `properties.networkAcls`.
pub fn network_acls(acls: &vaultmort_core::firewall::NetworkAcls) -> Value {
    json!({
        "bypass": acls.bypass,
        "defaultAction": acls.default_action,
        "ipRules": acls.ip_rules.iter().map(|r| json!({"value": r})).collect::<Vec<_>>(),
        "virtualNetworkRules": acls.virtual_network_rules.iter().map(|id| json!({"id": id, "ignoreMissingVnetServiceEndpoint": false})).collect::<Vec<_>>(),
    })
}

/// A directory object as `az ad user|group|sp show` prints it (Microsoft Graph's shape).
pub fn directory_object(object: &vaultmort_core::directory::DirectoryObject, tenant_id: &str) -> Value {
    use vaultmort_core::directory::DirectoryObjectKind as Kind;
    match object.kind {
        Kind::User => json!({
            "@odata.type": "#microsoft.graph.user",
            "displayName": object.display_name,
            "id": object.object_id,
            "mail": null,
            "userPrincipalName": object.user_principal_name,
        }),
        Kind::Group => json!({
            "@odata.type": "#microsoft.graph.group",
            "displayName": object.display_name,
            "id": object.object_id,
            "mailEnabled": false,
            "securityEnabled": true,
        }),
        Kind::ServicePrincipal | Kind::ManagedIdentity => json!({
            "@odata.type": "#microsoft.graph.servicePrincipal",
            "appId": object.app_id,
            "appOwnerOrganizationId": tenant_id,
            "displayName": object.display_name,
            "id": object.object_id,
            "passwordCredentials": object.client_secrets.iter().map(|c| json!({
                "endDateTime": time(c.end_date),
                "hint": c.hint,
                "keyId": c.key_id,
            })).collect::<Vec<_>>(),
            "servicePrincipalType": if object.kind == Kind::ManagedIdentity { "ManagedIdentity" } else { "Application" },
            "subnetId": object.subnet_id,
            "trustedService": object.trusted_service,
        }),
    }
}

/// A managed identity as `az identity show` prints it.
pub fn identity(object: &vaultmort_core::directory::DirectoryObject, tenant_id: &str, subscription_id: &str) -> Value {
    json!({
        "clientId": object.app_id,
        "id": format!("/subscriptions/{subscription_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}", object.display_name),
        "name": object.display_name,
        "principalId": object.object_id,
        "tenantId": tenant_id,
        "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
    })
}

/// A role definition as `az role definition list` prints it.
pub fn role_definition(role: &vaultmort_core::roles::RoleDefinition) -> Value {
    json!({
        "assignableScopes": role.assignable_scopes,
        "description": role.description,
        "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{}", role.id),
        "name": role.id,
        "permissions": [{
            "actions": role.actions,
            "dataActions": role.data_actions,
            "notActions": role.not_actions,
            "notDataActions": role.not_data_actions,
        }],
        "roleName": role.name,
        "roleType": role.role_type,
        "type": "Microsoft.Authorization/roleDefinitions",
    })
}

/// A role assignment as `az role assignment list` prints it.
pub fn role_assignment(assignment: &vaultmort_core::roles::RoleAssignment) -> Value {
    json!({
        "createdOn": time(assignment.created),
        "id": format!("{}/providers/Microsoft.Authorization/roleAssignments/{}", assignment.scope.trim_end_matches('/'), assignment.id),
        "name": assignment.id,
        "principalId": assignment.principal_id,
        "principalType": assignment.principal_type,
        "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{}", assignment.role_definition_id),
        "roleDefinitionName": assignment.role_definition_name,
        "scope": assignment.scope,
        "type": "Microsoft.Authorization/roleAssignments",
    })
}

/// An access log record in Key Vault's AuditEvent shape (diagnostic logs), with the chain fields.
pub fn audit_event(record: &vaultmort_core::storage::AuditRecord) -> Value {
    let object_id = match (&record.vault, &record.object) {
        (Some(vault), Some(object)) => Value::String(format!("{}/{object}", vault_url(vault))),
        _ => Value::Null,
    };
    json!({
        "callerIpAddress": record.client_address,
        "category": "AuditEvent",
        "durationMs": record.duration_micros / 1000,
        "hash": record.hash,
        "identity": {"claim": {
            "appid": null,
            "name": record.caller_name,
            "oid": record.caller_object_id,
            "type": record.caller_type,
        }},
        "operationName": record.operation,
        "previousHash": record.previous_hash,
        "properties": {
            "clientInfo": format!("vaultmort {}", record.door),
            "door": record.door,
            "errorCode": record.error_code,
            "flags": record.flags,
            "httpStatusCode": record.status,
            "id": object_id,
            "parameters": record.parameters,
            "vault": record.vault,
        },
        "resultDescription": record.rule,
        "resultSignature": status_text(record.status),
        "resultType": if record.status < 400 { "Success".to_string() } else { record.error_code.clone().unwrap_or_else(|| "Failure".into()) },
        "sequence": record.sequence,
        "time": time(record.time),
    })
}

fn status_text(status: u16) -> &'static str {
    match status {
        200..=299 => "OK",
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        _ => "InternalServerError",
    }
}

// ---- App Service practice: plans, web apps, certificates, DNS (az's Microsoft.Web and
// Microsoft.Network/dnszones shapes, with Vaultmort's extras named as such) ----

/// An App Service plan, as `az appservice plan show` prints it.
pub fn app_service_plan(plan: &vaultmort_core::appservice::AppServicePlan) -> Value {
    use vaultmort_core::appservice::PlanTier;
    let tier = match plan.tier {
        PlanTier::Free => "Free",
        PlanTier::Shared => "Shared",
        PlanTier::Basic => "Basic",
        PlanTier::Standard => "Standard",
        PlanTier::Premium if plan.sku.ends_with("V3") => "PremiumV3",
        PlanTier::Premium => "PremiumV2",
    };
    json!({
        "id": plan.id,
        "kind": "app",
        "location": plan.location,
        "name": plan.name,
        "resourceGroup": plan.resource_group,
        "sku": {"capacity": 1, "family": plan.sku.chars().next().map(String::from), "name": plan.sku, "size": plan.sku, "tier": tier},
        "status": "Ready",
        "subscription": plan.subscription_id,
        "type": "Microsoft.Web/serverfarms",
    })
}

fn ssl_state(state: vaultmort_core::appservice::SslState) -> &'static str {
    match state {
        vaultmort_core::appservice::SslState::Disabled => "Disabled",
        vaultmort_core::appservice::SslState::SniEnabled => "SniEnabled",
    }
}

/// A web app, as `az webapp show` prints it (the site configuration's minTlsVersion included).
pub fn web_app(app: &vaultmort_core::appservice::WebApp) -> Value {
    let mut host_names = vec![app.default_host_name.clone()];
    host_names.extend(app.host_names.iter().map(|h| h.name.clone()));
    let mut ssl_states = vec![json!({"hostType": "Standard", "name": app.default_host_name, "sslState": "Disabled", "thumbprint": null})];
    ssl_states.extend(
        app.host_names
            .iter()
            .map(|h| json!({"hostType": "Standard", "name": h.name, "sslState": ssl_state(h.ssl_state), "thumbprint": h.thumbprint})),
    );
    json!({
        "customDomainVerificationId": app.custom_domain_verification_id,
        "defaultHostName": app.default_host_name,
        "enabled": true,
        "enabledHostNames": host_names,
        "hostNameSslStates": ssl_states,
        "hostNames": host_names,
        "httpsOnly": app.https_only,
        "id": app.id,
        "inboundIpAddress": app.inbound_ip_address.to_string(),
        "kind": "app",
        "location": app.location,
        "name": app.name,
        "outboundIpAddresses": app.inbound_ip_address.to_string(),
        "resourceGroup": app.resource_group,
        "serverFarmId": app.server_farm_id,
        "siteConfig": {"minTlsVersion": app.min_tls_version.as_str()},
        "state": "Running",
        "subscription": app.subscription_id,
        "systemData": {"createdAt": time(app.created)},
        "type": "Microsoft.Web/sites",
    })
}

/// A web app's site configuration, as `az webapp config set` prints it.
pub fn site_config(app: &vaultmort_core::appservice::WebApp) -> Value {
    json!({
        "id": format!("{}/config/web", app.id),
        "location": app.location,
        "minTlsVersion": app.min_tls_version.as_str(),
        "name": app.name,
        "resourceGroup": app.resource_group,
        "type": "Microsoft.Web/sites/config",
    })
}

/// The host name bindings of a web app, as `az webapp config hostname list` prints them: the
/// default host name first, then the custom domains.
pub fn host_name_bindings(app: &vaultmort_core::appservice::WebApp) -> Value {
    let binding = |name: &str, custom: bool, state: &str, thumbprint: Option<&str>| {
        json!({
            "azureResourceName": app.name,
            "azureResourceType": "Website",
            "customHostNameDnsRecordType": if custom { Value::from("CName") } else { Value::Null },
            "hostNameType": if custom { "Verified" } else { "Managed" },
            "id": format!("{}/hostNameBindings/{name}", app.id),
            "name": format!("{}/{name}", app.name),
            "resourceGroup": app.resource_group,
            "siteName": app.name,
            "sslState": state,
            "thumbprint": thumbprint,
            "type": "Microsoft.Web/sites/hostNameBindings",
        })
    };
    let mut out = vec![binding(&app.default_host_name, false, "Disabled", None)];
    out.extend(app.host_names.iter().map(|h| binding(&h.name, true, ssl_state(h.ssl_state), h.thumbprint.as_deref())));
    Value::Array(out)
}

/// One host name binding of a web app (after `hostname add`), or Null if it has none by that name.
pub fn host_name_binding(app: &vaultmort_core::appservice::WebApp, host: &str) -> Value {
    let all = host_name_bindings(app);
    let wanted = format!("{}/{}", app.name, host.trim().trim_end_matches('.').to_ascii_lowercase());
    all.as_array().and_then(|bindings| bindings.iter().find(|b| b["name"] == wanted.as_str())).cloned().unwrap_or(Value::Null)
}

/// An App Service certificate, as `az webapp config ssl show` prints it; `sync` is Vaultmort's
/// own (the last look at the vault, and when the next is due).
pub fn web_certificate(certificate: &vaultmort_core::appservice::WebCertificate) -> Value {
    use vaultmort_core::appservice::CertificateSource;
    let (key_vault_id, secret_name, secret_version) = match &certificate.source {
        CertificateSource::KeyVault { key_vault_id, secret_name, secret_version, .. } => {
            (Value::from(key_vault_id.as_str()), Value::from(secret_name.as_str()), Value::from(secret_version.as_str()))
        }
        CertificateSource::Upload => (Value::Null, Value::Null, Value::Null),
    };
    let sync = certificate.sync.as_ref().map(|s| {
        json!({
            "keyVaultSecretStatus": s.key_vault_secret_status,
            "lastAttempt": time(s.last_attempt),
            "lastSuccess": opt_time(s.last_success),
            "message": s.message,
            "nextSync": time(s.next_sync),
        })
    });
    json!({
        "expirationDate": time(certificate.expiration_date),
        "hostNames": certificate.host_names,
        "id": certificate.id,
        "issueDate": time(certificate.issue_date),
        "issuer": certificate.issuer,
        "keyVaultId": key_vault_id,
        "keyVaultSecretName": secret_name,
        "keyVaultSecretStatus": certificate.sync.as_ref().map(|s| s.key_vault_secret_status.clone()),
        "keyVaultSecretVersion": secret_version,
        "name": certificate.name,
        "resourceGroup": certificate.resource_group,
        "serialNumber": certificate.serial_number,
        "subjectName": certificate.subject_name,
        "subscription": certificate.subscription_id,
        "sync": sync,
        "thumbprint": certificate.thumbprint,
        "type": "Microsoft.Web/certificates",
    })
}

/// A practice DNS zone, as `az network dns zone show` prints it.
pub fn dns_zone(zone: &vaultmort_core::appservice::DnsZone) -> Value {
    json!({
        "id": zone.id,
        "location": "global",
        "name": zone.name,
        "numberOfRecordSets": zone.record_sets.len(),
        "resourceGroup": zone.resource_group,
        "subscription": zone.subscription_id,
        "type": "Microsoft.Network/dnszones",
        "zoneType": "Public",
    })
}

/// A record set of a zone, as `az network dns record-set ... show` prints it (`ARecords`,
/// `CNAMERecord`, `TXTRecords`).
pub fn record_set(zone: &vaultmort_core::appservice::DnsZone, set: &vaultmort_core::appservice::RecordSet) -> Value {
    use vaultmort_core::appservice::RecordType;
    let kind = set.record_type.as_str();
    let fqdn = if set.name == "@" { format!("{}.", zone.name) } else { format!("{}.{}.", set.name, zone.name) };
    let mut out = json!({
        "fqdn": fqdn,
        "id": format!("{}/{kind}/{}", zone.id, set.name),
        "name": set.name,
        "resourceGroup": zone.resource_group,
        "TTL": set.ttl,
        "type": format!("Microsoft.Network/dnszones/{kind}"),
    });
    match set.record_type {
        RecordType::A => out["ARecords"] = set.values.iter().map(|v| json!({"ipv4Address": v})).collect(),
        RecordType::Cname => out["CNAMERecord"] = set.values.first().map(|v| json!({"cname": v})).unwrap_or(Value::Null),
        RecordType::Txt => out["TXTRecords"] = set.values.iter().map(|v| json!({"value": [v]})).collect(),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_prints_in_the_azure_cli_shape() {
        assert_eq!(
            certificate_policy(&CertificatePolicy::azure_default()),
            json!({
                "issuerParameters": {"name": "Self"},
                "keyProperties": {"exportable": true, "keySize": 2048, "keyType": "RSA", "reuseKey": true},
                "lifetimeActions": [{"action": {"actionType": "AutoRenew"}, "trigger": {"daysBeforeExpiry": 90}}],
                "secretProperties": {"contentType": "application/x-pkcs12"},
                "x509CertificateProperties": {
                    "keyUsage": ["cRLSign", "dataEncipherment", "digitalSignature", "keyEncipherment", "keyAgreement", "keyCertSign"],
                    "subject": "CN=CLIGetDefaultPolicy",
                    "validityInMonths": 12
                }
            }),
            "get-default-policy output, less the null members az prints"
        );
    }

    #[test]
    fn a_printed_policy_reads_back_unchanged() {
        let mut policy = CertificatePolicy::self_signed("CN=round.example");
        if let Some(x509) = policy.x509_props.as_mut() {
            x509.ekus = Some(vec!["1.3.6.1.5.5.7.3.1".into()]);
            x509.sans = Some(vaultmort_certs::policy::SubjectAlternativeNames {
                dns_names: Some(vec!["round.example".into()]),
                emails: None,
                upns: None,
            });
        }
        let printed = certificate_policy(&policy);
        let read: CertificatePolicy = serde_json::from_value(printed.clone()).expect("the certs crate reads the az shape");
        assert_eq!(read, policy, "a policy printed by the CLI loads back as the same policy: {printed}");
    }
}
