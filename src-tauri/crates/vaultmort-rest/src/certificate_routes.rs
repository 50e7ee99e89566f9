//! The certificate routes: create (Self, the practice CA, Unknown then merge), import (PFX or
//! PEM), versions, policy, pending operations, issuers, contacts, soft delete, backup and
//! restore. Like [`crate::routes`], each parses its body, calls the core once, and shapes the
//! answer.

use axum::http::StatusCode;
use base64::Engine;
use schemars::JsonSchema;
use serde::Deserialize;
use vaultmort_certs::CertificatePolicy;
use vaultmort_core::ObjectKind;
use vaultmort_core::certificates::ImportCertificate;
use vaultmort_core::issuers::{AdminDetail, Contact, IssuerChanges};
use vaultmort_core::lifecycle::ObjectBundle;
use vaultmort_core::model::Tags;
use zeroize::Zeroizing;

use crate::dto;
use crate::error::ApiError;
use crate::route_table::{RouteId, RouteMatch};
use crate::routes::{AttributesIn, Call, Reply, ok, with_status};

const CERTIFICATE: ObjectKind = ObjectKind::Certificate;

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CertificateCreateIn")]
pub(crate) struct CreateIn {
    /// The certificate policy (its schema is not typed yet).
    #[schemars(with = "Option<crate::dto::UntypedObject>")]
    policy: Option<CertificatePolicy>,
    attributes: Option<AttributesIn>,
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CertificateImportIn")]
pub(crate) struct ImportIn {
    /// A PFX file in standard base64, or PEM text with the certificate and its private key.
    value: String,
    /// The PFX password.
    pwd: Option<String>,
    /// The certificate policy (its schema is not typed yet).
    #[schemars(with = "Option<crate::dto::UntypedObject>")]
    policy: Option<CertificatePolicy>,
    attributes: Option<AttributesIn>,
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CertificateUpdateIn")]
pub(crate) struct UpdateIn {
    attributes: Option<AttributesIn>,
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CertificateMergeIn")]
pub(crate) struct MergeIn {
    /// The signed certificate and its chain, each standard base64 of its DER, leaf first.
    x5c: Vec<String>,
    attributes: Option<AttributesIn>,
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CertificateOperationCancelIn")]
pub(crate) struct CancelIn {
    /// Only `true`: cancel the pending creation.
    cancellation_requested: bool,
}

#[derive(Deserialize, Default, JsonSchema)]
#[schemars(rename = "IssuerCredentialsIn")]
pub(crate) struct CredentialsIn {
    account_id: Option<String>,
    pwd: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "IssuerAdminIn")]
pub(crate) struct AdminIn {
    first_name: Option<String>,
    last_name: Option<String>,
    email: String,
    phone: Option<String>,
}

#[derive(Deserialize, Default, JsonSchema)]
#[schemars(rename = "IssuerOrganizationIn")]
pub(crate) struct OrgIn {
    id: Option<String>,
    admin_details: Option<Vec<AdminIn>>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CertificateIssuerIn")]
pub(crate) struct IssuerIn {
    /// The provider's name.
    provider: Option<String>,
    credentials: Option<CredentialsIn>,
    org_details: Option<OrgIn>,
    attributes: Option<AttributesIn>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CertificateContactIn")]
pub(crate) struct ContactIn {
    email: String,
    name: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CertificateContactsIn")]
pub(crate) struct ContactsIn {
    /// The contacts that replace the vault's.
    contacts: Vec<ContactIn>,
}

fn issuer_changes(input: IssuerIn) -> IssuerChanges {
    let credentials = input.credentials.unwrap_or_default();
    let org = input.org_details;
    IssuerChanges {
        provider: input.provider,
        account_id: credentials.account_id,
        password: credentials.pwd.map(Zeroizing::new),
        organization_id: org.as_ref().and_then(|o| o.id.clone()),
        admin_details: org.and_then(|o| o.admin_details).map(|admins| {
            admins
                .into_iter()
                .map(|a| AdminDetail { first_name: a.first_name, last_name: a.last_name, email: a.email, phone: a.phone })
                .collect()
        }),
        enabled: input.attributes.and_then(|a| a.enabled),
    }
}

fn standard_base64(text: &str, field: &str) -> Result<Vec<u8>, ApiError> {
    let trimmed = text.trim();
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .or_else(|_| vaultmort_crypto::jwk::b64url::decode(trimmed).map_err(|_| ()))
        .map_err(|_| ApiError::bad(format!("'{field}' is not valid base64")))
}

/// Answers one certificate route ([`crate::routes`] sends only those here).
pub(crate) async fn route(call: &Call<'_>, m: RouteMatch<'_>) -> Reply {
    let (name, v) = (m.name, m.version);
    let core = call.core;
    let (ctx, vault, base) = (&call.ctx, call.vault.as_str(), call.base.as_str());
    match m.id {
        RouteId::CertificateList => {
            let items = core.list_certificates(ctx, vault).await?;
            call.page(items.iter().map(|b| dto::listed_certificate(b, base)).collect())
        }
        RouteId::CertificateRestore => {
            let input: crate::routes::BlobIn = call.json()?;
            let blob = vaultmort_crypto::jwk::b64url::decode(&input.value).map_err(|e| ApiError::bad(format!("'value' {e}")))?;
            ok(dto::certificate(&core.restore_object(ctx, vault, CERTIFICATE, &blob).await?.into_certificate()?, base))
        }
        RouteId::CertificateContactsGet => ok(dto::contacts(&core.get_certificate_contacts(ctx, vault).await?, base)),
        RouteId::CertificateContactsSet => {
            let input: ContactsIn = call.json()?;
            let contacts = input.contacts.into_iter().map(|c| Contact { email: c.email, name: c.name, phone: c.phone }).collect();
            ok(dto::contacts(&core.set_certificate_contacts(ctx, vault, contacts).await?, base))
        }
        RouteId::CertificateContactsDelete => ok(dto::contacts(&core.delete_certificate_contacts(ctx, vault).await?, base)),
        RouteId::CertificateIssuerList => {
            let items = core.list_certificate_issuers(ctx, vault).await?;
            call.page(items.iter().map(|i| dto::issuer_item(i, base)).collect())
        }
        RouteId::CertificateIssuerSet => {
            let input: IssuerIn = call.json()?;
            ok(dto::issuer(&core.set_certificate_issuer(ctx, vault, name, issuer_changes(input)).await?, base))
        }
        RouteId::CertificateIssuerUpdate => {
            let input: IssuerIn = call.json()?;
            ok(dto::issuer(&core.update_certificate_issuer(ctx, vault, name, issuer_changes(input)).await?, base))
        }
        RouteId::CertificateIssuerGet => ok(dto::issuer(&core.get_certificate_issuer(ctx, vault, name).await?, base)),
        RouteId::CertificateIssuerDelete => ok(dto::issuer(&core.delete_certificate_issuer(ctx, vault, name).await?, base)),
        RouteId::CertificateCreate => {
            let input: CreateIn = call.json()?;
            let enabled = input.attributes.and_then(|a| a.enabled).unwrap_or(true);
            let op = core.create_certificate(ctx, vault, name, input.policy, enabled, input.tags.unwrap_or_default()).await?;
            let mut body = dto::operation(&op, base);
            // Key Vault always answers a create with an operation in progress, and the SDKs
            // rely on it: Python's poller never fetches the certificate when the first
            // answer is already final. The next GET of /pending reports the real status.
            body.status = "inProgress".into();
            body.target = None;
            with_status(StatusCode::ACCEPTED, body)
        }
        RouteId::CertificateImport => {
            let input: ImportIn = call.json()?;
            let data = match standard_base64(&input.value, "value") {
                Ok(bytes) => bytes,
                // PEM arrives as text.
                Err(_) if input.value.contains("-----BEGIN") => input.value.as_bytes().to_vec(),
                Err(e) => return Err(e),
            };
            let request = ImportCertificate {
                name: name.to_string(),
                data: Zeroizing::new(data),
                password: input.pwd.filter(|p| !p.is_empty()).map(Zeroizing::new),
                policy: input.policy,
                enabled: input.attributes.and_then(|a| a.enabled).unwrap_or(true),
                tags: input.tags.unwrap_or_default(),
            };
            ok(dto::certificate(&core.import_certificate(ctx, vault, request).await?, base))
        }
        RouteId::CertificateVersions => {
            let items = core.list_certificate_versions(ctx, vault, name).await?;
            call.page(items.iter().map(|b| dto::certificate_item(b, base)).collect())
        }
        RouteId::CertificatePolicyGet => ok(dto::policy(&core.get_certificate_policy(ctx, vault, name).await?, base, name)),
        RouteId::CertificatePolicyUpdate => {
            let policy: CertificatePolicy = call.json()?;
            ok(dto::policy(&core.update_certificate_policy(ctx, vault, name, policy).await?, base, name))
        }
        RouteId::CertificateOperationGet => ok(dto::operation(&core.get_certificate_operation(ctx, vault, name).await?, base)),
        RouteId::CertificateOperationCancel => {
            let input: CancelIn = call.json()?;
            if !input.cancellation_requested {
                return Err(ApiError::bad("only cancellation_requested: true can be set on a pending operation"));
            }
            ok(dto::operation(&core.cancel_certificate_operation(ctx, vault, name).await?, base))
        }
        RouteId::CertificateOperationDelete => ok(dto::operation(&core.delete_certificate_operation(ctx, vault, name).await?, base)),
        RouteId::CertificateMerge => {
            let input: MergeIn = call.json()?;
            let mut pem = String::new();
            for (i, cert) in input.x5c.iter().enumerate() {
                let der = standard_base64(cert, &format!("x5c[{i}]"))?;
                pem.push_str(&vaultmort_certs::write_pem(&[der], None).map_err(|e| ApiError::bad(e.to_string()))?);
            }
            let enabled = input.attributes.and_then(|a| a.enabled).unwrap_or(true);
            let bundle = core.merge_certificate(ctx, vault, name, pem.as_bytes(), enabled, input.tags.unwrap_or_default()).await?;
            with_status(StatusCode::CREATED, dto::certificate(&bundle, base))
        }
        RouteId::CertificateBackup => ok(dto::Base64UrlValue::of(&core.backup_object(ctx, vault, CERTIFICATE, name).await?)),
        RouteId::CertificateDelete => {
            ok(dto::certificate(&core.delete_object(ctx, vault, CERTIFICATE, name).await?.into_certificate()?, base))
        }
        RouteId::CertificateGetLatest => ok(dto::certificate(&core.get_certificate(ctx, vault, name, None).await?, base)),
        RouteId::CertificateGet => ok(dto::certificate(&core.get_certificate(ctx, vault, name, v).await?, base)),
        RouteId::CertificateUpdate => {
            let input: UpdateIn = call.json()?;
            let changes = input.attributes.unwrap_or_default().changes(input.tags)?;
            ok(dto::certificate(&core.update_certificate(ctx, vault, name, v, changes).await?, base))
        }
        RouteId::DeletedCertificateList => {
            let items = core.list_deleted_objects(ctx, vault, CERTIFICATE).await?;
            let items = items.into_iter().map(ObjectBundle::into_certificate).collect::<Result<Vec<_>, _>>()?;
            call.page(items.iter().map(|b| dto::listed_certificate(b, base)).collect())
        }
        RouteId::DeletedCertificateGet => {
            ok(dto::certificate(&core.get_deleted_object(ctx, vault, CERTIFICATE, name).await?.into_certificate()?, base))
        }
        RouteId::DeletedCertificatePurge => {
            core.purge_object(ctx, vault, CERTIFICATE, name).await?;
            Ok((StatusCode::NO_CONTENT, None))
        }
        RouteId::DeletedCertificateRecover => {
            ok(dto::certificate(&core.recover_object(ctx, vault, CERTIFICATE, name).await?.into_certificate()?, base))
        }
        other => Err(ApiError::internal(format!("{other:?} is not a certificate route"))),
    }
}
