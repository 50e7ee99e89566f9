//! App Service certificates and SNI SSL bindings.
//!
//! A certificate gets into a resource group in one of two ways: an uploaded PFX with its password
//! ([`Vaultmort::upload_web_certificate`]), or a Key Vault certificate
//! ([`Vaultmort::import_key_vault_certificate`]). The import enforces Azure's rules, each with its
//! own code: the vault is in the web app's subscription (`KeyVaultInAnotherSubscription`); the
//! App Service resource provider may get the secret (`AzureServiceUnauthorizedToAccessKeyVault`);
//! a firewalled vault lets trusted services through (`KeyVaultFirewallBlocked`); the secret is a
//! PKCS#12 (`KeyVaultSecretNotPkcs12`) without a password (`KeyVaultSecretPasswordProtected`)
//! that holds its private key (`KeyVaultSecretHasNoPrivateKey`). The vault is read by a request
//! of its own, made as the resource provider's principal from [`APP_SERVICE_SOURCE`], so the
//! vault's firewall and access rules decide and the access log shows it.
//!
//! A Key Vault certificate is looked at again every [`super::model::sync_interval`] of the
//! shiftable clock by the scheduler, or at once by [`Vaultmort::sync_web_certificates`] ("Sync
//! now"); a new secret version replaces the certificate and moves every binding to the new
//! thumbprint. A failed look keeps the last good certificate and records why.
//!
//! A binding ([`Vaultmort::bind_certificate`]) needs a Basic tier or above, a custom host name the
//! app has, and a certificate of its resource group that covers the host name (RFC 6125) and has
//! not expired. Private keys and chains are sealed by the barrier beside each record.

use std::net::{IpAddr, Ipv4Addr};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use vaultmort_certs::CertificateInfo;
use zeroize::Zeroizing;

use super::dns::ResourceRef;
use super::model::{self, CertificateSource, SslState, SyncStatus, WebApp, WebCertificate};
use super::webapps::{authorized_group, load_app, plan_of, save_app, tier_refusal};
use crate::authz::actions;
use crate::barrier::SealContext;
use crate::context::{Door, Principal, PrincipalKind};
use crate::pipeline::Request;
use crate::storage::{ResourceKind, ResourceRecord, Transaction};
use crate::{Error, RequestContext, Result, Vaultmort};

const CERTIFICATE_TYPE: &str = "Microsoft.Web/certificates";
/// The content type App Service imports from Key Vault.
pub const PKCS12_CONTENT_TYPE: &str = "application/x-pkcs12";
/// The largest PFX accepted (upload or secret), well above any real certificate chain.
const MAX_PFX_BYTES: usize = 64 * 1024;
/// The address the App Service resource provider reads vaults from: a documentation address
/// (TEST-NET-3) standing for Azure's public ranges, so that a vault firewall's IP rules do not
/// let it through by accident and only the trusted-services bypass does.
pub const APP_SERVICE_SOURCE: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 80));

/// A PFX to upload into a resource group (`webapp config ssl upload`).
#[derive(Clone, Default)]
pub struct UploadCertificate {
    /// The subscription (id or name); the default one when `None`.
    pub subscription: Option<String>,
    /// The resource group (the web app's).
    pub resource_group: String,
    /// The certificate's name; the thumbprint when `None`.
    pub name: Option<String>,
    /// The PFX, DER or base64.
    pub pfx: Vec<u8>,
    /// Its password.
    pub password: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for UploadCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadCertificate").field("resource_group", &self.resource_group).field("name", &self.name).finish_non_exhaustive()
    }
}

/// A Key Vault certificate to import into a resource group (`webapp config ssl import`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ImportKeyVaultCertificate {
    /// The subscription (id or name); the default one when `None`.
    pub subscription: Option<String>,
    /// The resource group (the web app's).
    pub resource_group: String,
    /// The vault's name.
    pub vault: String,
    /// The Key Vault certificate's name (its secret has the same name).
    pub certificate_name: String,
    /// The App Service certificate's name; `<vault>-<certificate>` when `None`, as az names it.
    pub name: Option<String>,
}

/// The certificates of a resource group to sync now; all of its Key Vault certificates when
/// `thumbprint` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SyncRequest {
    /// The subscription (id or name); the default one when `None`.
    pub subscription: Option<String>,
    /// The resource group.
    pub resource_group: String,
    /// One certificate's thumbprint.
    pub thumbprint: Option<String>,
}

/// A certificate ready to store: its public facts and its private key with the chain.
struct Parsed {
    leaf: CertificateInfo,
    key_pkcs8: Zeroizing<Vec<u8>>,
    chain: Vec<Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
struct SealedKeyAndChain {
    key_pkcs8: String,
    chain: Vec<String>,
}

fn seal_context(id: &str) -> SealContext {
    SealContext::installation(&format!("web-certificate/{}", id.to_ascii_lowercase()))
}

/// Opens the private key and chain sealed beside a certificate record.
pub(crate) async fn open_key_and_chain(
    core: &Vaultmort,
    tx: &mut dyn Transaction,
    record: &ResourceRecord,
) -> Result<(Zeroizing<Vec<u8>>, Vec<Vec<u8>>)> {
    let sealed = record.sealed.as_deref().ok_or_else(|| Error::Integrity(format!("certificate '{}' has no sealed key", record.name)))?;
    let opened = core.barrier.open(tx, &seal_context(&record.id), sealed).await?;
    let stored: SealedKeyAndChain = serde_json::from_slice(&opened)
        .map_err(|_| Error::Integrity(format!("the sealed key of certificate '{}' does not read", record.name)))?;
    let decode = |text: &str| {
        STANDARD.decode(text).map_err(|_| Error::Integrity(format!("the sealed key of certificate '{}' does not read", record.name)))
    };
    let key = Zeroizing::new(decode(&stored.key_pkcs8)?);
    let chain = stored.chain.iter().map(|c| decode(c)).collect::<Result<Vec<_>>>()?;
    Ok((key, chain))
}

/// Seals a key and chain for the certificate `id`.
async fn seal_key_and_chain(core: &Vaultmort, tx: &mut dyn Transaction, id: &str, parsed: &Parsed) -> Result<Vec<u8>> {
    let stored = Zeroizing::new(
        serde_json::to_vec(&SealedKeyAndChain {
            key_pkcs8: STANDARD.encode(parsed.key_pkcs8.as_slice()),
            chain: parsed.chain.iter().map(|c| STANDARD.encode(c)).collect(),
        })
        .map_err(|e| Error::Integrity(format!("a certificate's key does not encode: {e}")))?,
    );
    core.barrier.seal(tx, &seal_context(id), &stored).await
}

/// Reads a PFX into a key and chain, with App Service's error codes.
fn read_pfx(bytes: &[u8], password: Option<&str>, what: &str) -> Result<Parsed> {
    if bytes.len() > MAX_PFX_BYTES * 2 {
        return Err(Error::Certificate {
            code: "BadParameter",
            message: format!("{what} is larger than any certificate chain ({} bytes)", bytes.len()),
        });
    }
    let read = vaultmort_certs::read_pfx(bytes, password).map_err(Error::from)?;
    let leaf = CertificateInfo::from_der(&read.chain[0]).map_err(Error::from)?;
    Ok(Parsed { leaf, key_pkcs8: read.key_pkcs8, chain: read.chain })
}

/// The public facts of a parsed certificate, as a record.
fn describe(
    parsed: &Parsed,
    id: String,
    name: String,
    group: &crate::model::ResourceGroup,
    source: CertificateSource,
    now: chrono::DateTime<chrono::Utc>,
) -> WebCertificate {
    let leaf = &parsed.leaf;
    WebCertificate {
        id,
        name,
        subscription_id: group.subscription_id.clone(),
        resource_group: group.name.clone(),
        thumbprint: hex::encode_upper(&leaf.x5t),
        subject_name: vaultmort_certs::hostname::common_name(&leaf.subject).unwrap_or_else(|| leaf.subject.clone()),
        host_names: vaultmort_certs::hostname::dns_names(leaf),
        issuer: leaf.issuer.clone(),
        serial_number: leaf.serial.to_ascii_uppercase().replace(':', ""),
        issue_date: leaf.not_before,
        expiration_date: leaf.not_after,
        source,
        sync: None,
        created: now,
    }
}

/// The principal App Service reads vaults as, with the address its requests come from.
pub fn app_service_context() -> RequestContext {
    let (object_id, _, name) = crate::directory::TRUSTED_SERVICES[0];
    RequestContext {
        principal: Principal { object_id: object_id.to_string(), name: name.to_string(), kind: PrincipalKind::ServicePrincipal },
        source: APP_SERVICE_SOURCE,
        door: Door::System,
    }
}

/// What App Service says about a failed read of a vault: Azure's `keyVaultSecretStatus` word and
/// an error for the person.
fn key_vault_failure(error: Error, vault: &str, secret: &str) -> (&'static str, Error) {
    let app_id = crate::directory::APP_SERVICE_APP_ID;
    let (status, http, message) = match &error {
        Error::ForbiddenByFirewall(_) => (
            "KeyVaultFirewallBlocked",
            403,
            format!(
                "vault '{vault}' has a firewall that refuses the App Service resource provider: let trusted Microsoft services bypass it (`keyvault update --bypass AzureServices`) or allow public access"
            ),
        ),
        Error::Forbidden(_) | Error::AccessDenied { .. } => (
            "AzureServiceUnauthorizedToAccessKeyVault",
            403,
            format!(
                "the App Service resource provider (app id {app_id}) may not get secret '{secret}' from vault '{vault}': give it secret Get in an access policy (`keyvault set-policy --spn {app_id} --secret-permissions get`), or in an RBAC vault assign it Key Vault Secrets User or Key Vault Certificate User"
            ),
        ),
        Error::VaultNotFound(_) => ("KeyVaultDoesNotExist", 404, format!("there is no vault '{vault}'")),
        Error::ObjectNotFound { .. } => {
            ("KeyVaultSecretDoesNotExist", 404, format!("vault '{vault}' has no certificate or secret '{secret}' (or it was deleted)"))
        }
        Error::ObjectDisabled { .. } => {
            ("KeyVaultSecretDisabled", 400, format!("secret '{secret}' in vault '{vault}' is disabled: enable it first"))
        }
        _ => return ("Unknown", error),
    };
    (status, Error::AppService { code: status, status: http, message })
}

impl Vaultmort {
    /// Reads the secret `name` of `vault` as the App Service resource provider and parses it as
    /// App Service requires: a PKCS#12 without a password, with its private key. The error
    /// carries the `keyVaultSecretStatus` word a sync records.
    async fn read_key_vault_certificate(&self, vault: &str, name: &str) -> std::result::Result<(String, Parsed), (&'static str, Error)> {
        let bundle = self.get_secret(&app_service_context(), vault, name, None).await.map_err(|e| key_vault_failure(e, vault, name))?;
        let version = bundle.id.version.clone().unwrap_or_default();
        let not_pkcs12 =
            |why: String| ("InvalidSecretContent", Error::AppService { code: "KeyVaultSecretNotPkcs12", status: 400, message: why });
        let content_type = bundle.content_type.clone().unwrap_or_default();
        if !content_type.eq_ignore_ascii_case(PKCS12_CONTENT_TYPE) {
            let shown = if content_type.is_empty() { "no content type".to_string() } else { format!("content type '{content_type}'") };
            return Err(not_pkcs12(format!(
                "secret '{name}' in vault '{vault}' has {shown}; App Service imports only PKCS#12 secrets (content type {PKCS12_CONTENT_TYPE}): make the certificate with that content type"
            )));
        }
        let value = bundle.value.as_ref().map(|v| v.as_str()).unwrap_or_default();
        let bytes =
            Zeroizing::new(STANDARD.decode(value.trim()).map_err(|_| {
                not_pkcs12(format!("secret '{name}' in vault '{vault}' is not a base64 PKCS#12, which App Service imports"))
            })?);
        if vaultmort_certs::pfx::needs_password(&bytes) {
            return Err((
                "InvalidSecretContent",
                Error::AppService {
                    code: "KeyVaultSecretPasswordProtected",
                    status: 400,
                    message: format!(
                        "the PKCS#12 in secret '{name}' of vault '{vault}' is protected by a password; App Service imports it only without one, as Key Vault keeps certificates"
                    ),
                },
            ));
        }
        match read_pfx(&bytes, None, "the secret") {
            Ok(parsed) => Ok((version, parsed)),
            Err(Error::Certificate { code: "NoPrivateKey", .. }) => Err((
                "InvalidSecretContent",
                Error::AppService {
                    code: "KeyVaultSecretHasNoPrivateKey",
                    status: 400,
                    message: format!(
                        "the PKCS#12 in secret '{name}' of vault '{vault}' has no private key; App Service needs the key to serve the certificate"
                    ),
                },
            )),
            Err(e) => Err(not_pkcs12(format!("secret '{name}' in vault '{vault}' does not read as a PKCS#12: {e}"))),
        }
    }

    /// Uploads a PFX into a resource group. Its name is the thumbprint unless one is given.
    pub async fn upload_web_certificate(&self, ctx: &RequestContext, upload: &UploadCertificate) -> Result<WebCertificate> {
        let mut req = self.request(ctx, actions::WEB_CERTIFICATE_WRITE).await?;
        let result = async {
            let group_ref = ResourceRef {
                subscription: upload.subscription.clone(),
                resource_group: upload.resource_group.clone(),
                name: String::new(),
            };
            let group = authorized_group(self, &mut req, &group_ref).await?;
            let parsed = read_pfx(&upload.pfx, upload.password.as_ref().map(|p| p.as_str()), "the PFX")?;
            let thumbprint = hex::encode_upper(&parsed.leaf.x5t);
            let name = certificate_name(upload.name.as_deref().unwrap_or(&thumbprint))?;
            store_certificate(self, &mut req, &group, name, &parsed, CertificateSource::Upload).await
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Imports a Key Vault certificate into a resource group, as App Service does: the caller's
    /// right to write certificates there and the vault's subscription are checked first, then the
    /// vault is read as the App Service resource provider, then the certificate is stored. A
    /// refusal at any step stores nothing.
    pub async fn import_key_vault_certificate(&self, ctx: &RequestContext, import: &ImportKeyVaultCertificate) -> Result<WebCertificate> {
        let group_ref =
            ResourceRef { subscription: import.subscription.clone(), resource_group: import.resource_group.clone(), name: String::new() };
        // 1. May the caller import into this group, and is the vault in the same subscription?
        let mut check = self.request(ctx, actions::WEB_CERTIFICATE_IMPORT_CHECK).await?;
        let checked = async {
            let group = authorized_group(self, &mut check, &group_ref).await?;
            check.set_vault(&import.vault);
            let vault = match check.tx.vault_get(&import.vault).await? {
                Some(vault) if vault.deletion.is_none() => vault,
                _ => {
                    return Err(Error::AppService {
                        code: "KeyVaultDoesNotExist",
                        status: 404,
                        message: format!("there is no vault '{}' to import from", import.vault),
                    });
                }
            };
            if !vault.subscription_id.eq_ignore_ascii_case(&group.subscription_id) {
                return Err(Error::AppService {
                    code: "KeyVaultInAnotherSubscription",
                    status: 400,
                    message: format!(
                        "vault '{}' is in subscription {}, and resource group '{}' in subscription {}: App Service imports certificates only from vaults of its own subscription",
                        vault.name, vault.subscription_id, group.name, group.subscription_id
                    ),
                });
            }
            Ok(vault.name)
        }
        .await;
        let vault_name = check.finish(checked).await?;
        // 2. The resource provider reads the secret: its own request, firewall and access rules.
        let (version, parsed) = self.read_key_vault_certificate(&vault_name, &import.certificate_name).await.map_err(|(_, e)| e)?;
        // 3. Store it.
        let mut req = self.request(ctx, actions::WEB_CERTIFICATE_WRITE).await?;
        let result = async {
            let group = authorized_group(self, &mut req, &group_ref).await?;
            req.set_vault(&vault_name);
            let vault = req.tx.vault_get(&vault_name).await?.ok_or_else(|| Error::VaultNotFound(vault_name.clone()))?;
            let name = certificate_name(&import.name.clone().unwrap_or_else(|| format!("{}-{}", vault.name, import.certificate_name)))?;
            let source = CertificateSource::KeyVault {
                key_vault_id: vault.resource_id(),
                vault_name: vault.name.clone(),
                secret_name: import.certificate_name.clone(),
                secret_version: version,
            };
            let mut stored = store_certificate(self, &mut req, &group, name, &parsed, source).await?;
            stored.sync = Some(SyncStatus::succeeded(req.now));
            let record = req.tx.resource_get(ResourceKind::WebCertificate, &stored.id).await?.and_then(|r| r.sealed);
            model::save(req.tx.as_mut(), ResourceKind::WebCertificate, &stored.id, &stored.name, &stored, record).await?;
            Ok(stored)
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Lists the certificates of a resource group, or of the subscription.
    pub async fn list_web_certificates(
        &self,
        ctx: &RequestContext,
        subscription: Option<&str>,
        resource_group: Option<&str>,
    ) -> Result<Vec<WebCertificate>> {
        self.list_placed(ctx, actions::WEB_CERTIFICATE_READ, subscription, resource_group).await
    }

    /// Shows the certificate of a resource group with this thumbprint.
    pub async fn show_web_certificate(
        &self,
        ctx: &RequestContext,
        subscription: Option<&str>,
        resource_group: &str,
        thumbprint: &str,
    ) -> Result<WebCertificate> {
        let mut req = self.request(ctx, actions::WEB_CERTIFICATE_READ).await?;
        let result = async {
            let group_ref = ResourceRef {
                subscription: subscription.map(str::to_string),
                resource_group: resource_group.to_string(),
                name: String::new(),
            };
            let group = authorized_group(self, &mut req, &group_ref).await?;
            Ok(find_by_thumbprint(&mut req, &group, thumbprint).await?.0)
        }
        .await;
        req.finish(result).await
    }

    /// Deletes a certificate no binding uses.
    pub async fn delete_web_certificate(
        &self,
        ctx: &RequestContext,
        subscription: Option<&str>,
        resource_group: &str,
        thumbprint: &str,
    ) -> Result<()> {
        let mut req = self.request(ctx, actions::WEB_CERTIFICATE_DELETE).await?;
        let result = async {
            let group_ref = ResourceRef {
                subscription: subscription.map(str::to_string),
                resource_group: resource_group.to_string(),
                name: String::new(),
            };
            let group = authorized_group(self, &mut req, &group_ref).await?;
            let (certificate, _) = find_by_thumbprint(&mut req, &group, thumbprint).await?;
            let apps: Vec<WebApp> = model::load_all(req.tx.as_mut(), ResourceKind::WebApp).await?;
            for app in &apps {
                if let Some(binding) =
                    app.host_names.iter().find(|h| h.certificate_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(&certificate.id)))
                {
                    return Err(Error::Conflict {
                        inner: "CertificateInUse",
                        message: format!(
                            "certificate {} is bound to '{}' of web app '{}': unbind it first",
                            certificate.thumbprint, binding.name, app.name
                        ),
                    });
                }
            }
            req.tx.resource_delete(ResourceKind::WebCertificate, &certificate.id).await?;
            Ok(())
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Binds a certificate of the app's resource group to its custom host names with SNI SSL
    /// (`webapp config ssl bind --ssl-type SNI`): to `host`, or to every custom host name the
    /// certificate covers when `host` is `None`. Each rule refused names itself; nothing changes
    /// unless every host name can be bound.
    pub async fn bind_certificate(
        &self,
        ctx: &RequestContext,
        app: &ResourceRef,
        thumbprint: &str,
        ssl_type: &str,
        host: Option<&str>,
    ) -> Result<WebApp> {
        let mut req = self.request(ctx, actions::WEB_HOSTNAME_WRITE).await?;
        let result = async {
            let mut found = load_app(self, &mut req, app).await?;
            match ssl_type.trim().to_ascii_uppercase().as_str() {
                "SNI" | "SNIENABLED" => {}
                "IP" | "IPBASED" | "IPBASEDENABLED" => {
                    return Err(Error::bad(
                        "IP-based SSL is not offered in App Service practice (every app shares one address); use --ssl-type SNI",
                    ));
                }
                other => return Err(Error::bad(format!("'{other}' is not an SSL type; use SNI"))),
            }
            let plan = plan_of(&mut req, &found).await?;
            if !plan.tier.allows_ssl_bindings() {
                return Err(tier_refusal(
                    "SSL bindings",
                    &plan.sku,
                    "scale the plan up to Basic (B1) or above (`appservice plan update --sku B1`)",
                ));
            }
            let group = crate::model::ResourceGroup {
                subscription_id: found.subscription_id.clone(),
                name: found.resource_group.clone(),
                location: found.location.clone(),
                tags: Default::default(),
            };
            let (certificate, record) = find_by_thumbprint(&mut req, &group, thumbprint).await?;
            let (_, chain) = open_key_and_chain(self, req.tx.as_mut(), &record).await?;
            let leaf = CertificateInfo::from_der(&chain[0]).map_err(Error::from)?;
            if req.now >= certificate.expiration_date {
                return Err(Error::AppService {
                    code: "CertificateExpired",
                    status: 400,
                    message: format!(
                        "certificate {} expired on {}: renew it (or import its new version) before binding it",
                        certificate.thumbprint,
                        certificate.expiration_date.to_rfc3339()
                    ),
                });
            }
            let targets: Vec<String> = match host {
                Some(host) => {
                    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
                    if found.host_name(&host).is_none() {
                        return Err(Error::AppService {
                            code: "HostNameNotAdded",
                            status: 400,
                            message: format!(
                                "web app '{}' has no custom domain '{host}': add and verify it first (`webapp config hostname add`)",
                                found.name
                            ),
                        });
                    }
                    if !vaultmort_certs::hostname::covers(&leaf, &host) {
                        return Err(Error::AppService {
                            code: "CertificateDoesNotCoverHostName",
                            status: 400,
                            message: format!(
                                "certificate {} names {} and does not cover '{host}'",
                                certificate.thumbprint,
                                certificate.host_names.join(", ")
                            ),
                        });
                    }
                    vec![host]
                }
                None => {
                    let covered: Vec<String> = found
                        .host_names
                        .iter()
                        .filter(|h| vaultmort_certs::hostname::covers(&leaf, &h.name))
                        .map(|h| h.name.clone())
                        .collect();
                    if covered.is_empty() {
                        return Err(Error::AppService {
                            code: "CertificateDoesNotCoverHostName",
                            status: 400,
                            message: format!(
                                "certificate {} ({}) covers none of web app '{}''s custom domains ({})",
                                certificate.thumbprint,
                                certificate.host_names.join(", "),
                                found.name,
                                if found.host_names.is_empty() {
                                    "none added yet".to_string()
                                } else {
                                    found.host_names.iter().map(|h| h.name.clone()).collect::<Vec<_>>().join(", ")
                                }
                            ),
                        });
                    }
                    covered
                }
            };
            for binding in found.host_names.iter_mut().filter(|h| targets.contains(&h.name)) {
                binding.ssl_state = SslState::SniEnabled;
                binding.thumbprint = Some(certificate.thumbprint.clone());
                binding.certificate_id = Some(certificate.id.clone());
            }
            save_app(&mut req, &found).await?;
            Ok(found)
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Removes SNI bindings of a certificate (`webapp config ssl unbind`): from `host`, or from
    /// every host name it is bound to.
    pub async fn unbind_certificate(
        &self,
        ctx: &RequestContext,
        app: &ResourceRef,
        thumbprint: &str,
        host: Option<&str>,
    ) -> Result<WebApp> {
        let mut req = self.request(ctx, actions::WEB_HOSTNAME_WRITE).await?;
        let result = async {
            let mut found = load_app(self, &mut req, app).await?;
            let mut changed = 0;
            for binding in found.host_names.iter_mut() {
                let this_host = host.is_none_or(|h| binding.name.eq_ignore_ascii_case(h.trim()));
                if this_host && binding.thumbprint.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(thumbprint.trim())) {
                    binding.ssl_state = SslState::Disabled;
                    binding.thumbprint = None;
                    binding.certificate_id = None;
                    changed += 1;
                }
            }
            if changed == 0 {
                return Err(Error::AppService {
                    code: "BindingNotFound",
                    status: 404,
                    message: format!(
                        "web app '{}' has no binding to certificate {thumbprint}{}",
                        found.name,
                        host.map(|h| format!(" on '{h}'")).unwrap_or_default()
                    ),
                });
            }
            save_app(&mut req, &found).await?;
            Ok(found)
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// "Sync now": looks at the vault for the Key Vault certificates of a resource group (one, by
    /// thumbprint, or all) at once. Returns them as they are after the look; a failure is in
    /// each one's `sync` status, and the last good certificate stays.
    pub async fn sync_web_certificates(&self, ctx: &RequestContext, request: &SyncRequest) -> Result<Vec<WebCertificate>> {
        let mut check = self.request(ctx, actions::WEB_CERTIFICATE_IMPORT_CHECK).await?;
        let listed = async {
            let group_ref = ResourceRef {
                subscription: request.subscription.clone(),
                resource_group: request.resource_group.clone(),
                name: String::new(),
            };
            let group = authorized_group(self, &mut check, &group_ref).await?;
            let all: Vec<WebCertificate> = model::load_all(check.tx.as_mut(), ResourceKind::WebCertificate).await?;
            let chosen: Vec<WebCertificate> = all
                .into_iter()
                .filter(|c| c.subscription_id == group.subscription_id && c.resource_group.eq_ignore_ascii_case(&group.name))
                .filter(|c| matches!(c.source, CertificateSource::KeyVault { .. }))
                .filter(|c| request.thumbprint.as_deref().is_none_or(|t| c.thumbprint.eq_ignore_ascii_case(t.trim())))
                .collect();
            if chosen.is_empty() {
                return Err(Error::AppService {
                    code: "CertificateNotFound",
                    status: 404,
                    message: match &request.thumbprint {
                        Some(t) => format!("resource group '{}' has no Key Vault certificate with thumbprint {t}", group.name),
                        None => format!("resource group '{}' has no Key Vault certificates to sync", group.name),
                    },
                });
            }
            Ok(chosen)
        }
        .await;
        let chosen = check.finish(listed).await?;
        let mut out = Vec::new();
        for certificate in chosen {
            out.push(self.sync_one(ctx, &certificate.id).await?);
        }
        self.announce_shared_change()?;
        Ok(out)
    }

    /// The scheduler's part: syncs every Key Vault certificate whose next sync is due on the
    /// shiftable clock. Returns what it looked at, as `group/name: status`.
    pub(crate) async fn sync_due_web_certificates(&self) -> Result<Vec<String>> {
        let ctx = crate::renewal::scheduler();
        let mut req = self.request(&ctx, actions::WEB_CERTIFICATE_READ).await?;
        let listed = async {
            req.authorize_system("App Service looks at Key Vault certificates every 24 hours");
            let now = req.now;
            let all: Vec<WebCertificate> = model::load_all(req.tx.as_mut(), ResourceKind::WebCertificate).await?;
            Ok(all.into_iter().filter(|c| c.sync.as_ref().is_some_and(|s| s.next_sync <= now)).map(|c| c.id).collect::<Vec<_>>())
        }
        .await;
        // Nothing due is the usual case: no record for it.
        let due: Vec<String> = match listed {
            Ok(due) if due.is_empty() => {
                drop(req);
                return Ok(Vec::new());
            }
            other => req.finish(other).await?,
        };
        let mut report = Vec::new();
        for id in due {
            let synced = self.sync_one(&ctx, &id).await?;
            let status = synced.sync.as_ref().map(|s| s.key_vault_secret_status.clone()).unwrap_or_default();
            report.push(format!("{}/{}: {status}", synced.resource_group, synced.name));
        }
        if !report.is_empty() {
            self.announce_shared_change()?;
        }
        Ok(report)
    }

    /// Looks at the vault for one Key Vault certificate and stores the outcome: a new version
    /// replaces the certificate and moves its bindings; a failure keeps it and records why.
    async fn sync_one(&self, ctx: &RequestContext, id: &str) -> Result<WebCertificate> {
        let (vault, secret, held_version) = {
            let mut req = self.request(ctx, actions::WEB_CERTIFICATE_READ).await?;
            let found = async {
                if ctx.door == Door::System {
                    req.authorize_system("App Service syncs a Key Vault certificate");
                }
                let certificate: WebCertificate =
                    model::load(req.tx.as_mut(), ResourceKind::WebCertificate, id).await?.ok_or_else(|| Error::AppService {
                        code: "CertificateNotFound",
                        status: 404,
                        message: format!("certificate {id} is gone"),
                    })?;
                if ctx.door != Door::System {
                    req.authorize(crate::authz::Scope::ResourceGroup {
                        subscription_id: &certificate.subscription_id,
                        name: &certificate.resource_group,
                    })
                    .await?;
                }
                match certificate.source {
                    CertificateSource::KeyVault { vault_name, secret_name, secret_version, .. } => {
                        Ok((vault_name, secret_name, secret_version))
                    }
                    CertificateSource::Upload => Err(Error::bad("an uploaded certificate has no vault to sync from")),
                }
            }
            .await;
            req.finish(found).await?
        };
        let looked = self.read_key_vault_certificate(&vault, &secret).await;
        let mut req = self.request(ctx, actions::WEB_CERTIFICATE_WRITE).await?;
        let result = async {
            if ctx.door == Door::System {
                req.authorize_system("App Service syncs a Key Vault certificate");
            }
            let record = req.tx.resource_get(ResourceKind::WebCertificate, id).await?.ok_or_else(|| Error::AppService {
                code: "CertificateNotFound",
                status: 404,
                message: format!("certificate {id} is gone"),
            })?;
            let mut certificate: WebCertificate = model::decode(&record)?;
            if ctx.door != Door::System {
                req.authorize(crate::authz::Scope::ResourceGroup {
                    subscription_id: &certificate.subscription_id,
                    name: &certificate.resource_group,
                })
                .await?;
            }
            req.set_vault(&vault);
            req.set_object(format!("webCertificates/{}", certificate.name));
            let now = req.now;
            let last_success = certificate.sync.as_ref().and_then(|s| s.last_success);
            let mut sealed = record.sealed.clone();
            let status = match looked {
                Ok((version, parsed)) if version != held_version => {
                    let old_id = certificate.id.clone();
                    let group = crate::model::ResourceGroup {
                        subscription_id: certificate.subscription_id.clone(),
                        name: certificate.resource_group.clone(),
                        location: String::new(),
                        tags: Default::default(),
                    };
                    let mut renewed = describe(
                        &parsed,
                        certificate.id.clone(),
                        certificate.name.clone(),
                        &group,
                        certificate.source.clone(),
                        certificate.created,
                    );
                    if let CertificateSource::KeyVault { secret_version, .. } = &mut renewed.source {
                        *secret_version = version;
                    }
                    sealed = Some(seal_key_and_chain(self, req.tx.as_mut(), &old_id, &parsed).await?);
                    // Every binding follows the certificate to its new thumbprint.
                    let apps: Vec<WebApp> = model::load_all(req.tx.as_mut(), ResourceKind::WebApp).await?;
                    for mut app in apps {
                        let mut moved = false;
                        for binding in app
                            .host_names
                            .iter_mut()
                            .filter(|h| h.certificate_id.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(&old_id)))
                        {
                            binding.thumbprint = Some(renewed.thumbprint.clone());
                            moved = true;
                        }
                        if moved {
                            save_app(&mut req, &app).await?;
                        }
                    }
                    req.flag("newVersionSynced");
                    certificate = renewed;
                    SyncStatus::succeeded(now)
                }
                Ok(_) => SyncStatus::succeeded(now),
                Err((word, error)) => {
                    req.flag("syncFailed");
                    SyncStatus {
                        key_vault_secret_status: word.to_string(),
                        message: Some(error.to_string()),
                        last_attempt: now,
                        last_success,
                        next_sync: now + model::sync_interval(),
                    }
                }
            };
            certificate.sync = Some(status);
            model::save(req.tx.as_mut(), ResourceKind::WebCertificate, &certificate.id, &certificate.name, &certificate, sealed).await?;
            Ok(certificate)
        }
        .await;
        req.finish(result).await
    }
}

/// Checks an App Service certificate name: 1-260 characters, no slashes or control characters.
fn certificate_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 260 || name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\' | '?' | '#' | '%')) {
        return Err(Error::bad(format!("'{name}' is not a valid certificate name: use 1 to 260 characters without / \\ ? # %")));
    }
    Ok(name.to_string())
}

/// Stores a parsed certificate in `group` under `name`, refusing a second certificate with the
/// same thumbprint in the group, as App Service does.
async fn store_certificate(
    core: &Vaultmort,
    req: &mut Request<'_>,
    group: &crate::model::ResourceGroup,
    name: String,
    parsed: &Parsed,
    source: CertificateSource,
) -> Result<WebCertificate> {
    let id = model::resource_id(&group.subscription_id, &group.name, CERTIFICATE_TYPE, &name);
    let thumbprint = hex::encode_upper(&parsed.leaf.x5t);
    let all: Vec<WebCertificate> = model::load_all(req.tx.as_mut(), ResourceKind::WebCertificate).await?;
    if let Some(same) = all.iter().find(|c| {
        c.subscription_id == group.subscription_id
            && c.resource_group.eq_ignore_ascii_case(&group.name)
            && (c.thumbprint == thumbprint || c.id.eq_ignore_ascii_case(&id))
    }) {
        return Err(Error::Conflict {
            inner: "CertificateExists",
            message: if same.thumbprint == thumbprint {
                format!("resource group '{}' already has this certificate (thumbprint {thumbprint}) as '{}'", group.name, same.name)
            } else {
                format!("resource group '{}' already has a certificate named '{name}'", group.name)
            },
        });
    }
    let certificate = describe(parsed, id.clone(), name.clone(), group, source, req.now);
    let sealed = seal_key_and_chain(core, req.tx.as_mut(), &id, parsed).await?;
    model::save(req.tx.as_mut(), ResourceKind::WebCertificate, &id, &name, &certificate, Some(sealed)).await?;
    req.set_object(format!("webCertificates/{name}"));
    Ok(certificate)
}

/// The certificate of `group` with `thumbprint`, with its stored record.
async fn find_by_thumbprint(
    req: &mut Request<'_>,
    group: &crate::model::ResourceGroup,
    thumbprint: &str,
) -> Result<(WebCertificate, ResourceRecord)> {
    let wanted = thumbprint.trim().replace(':', "").to_ascii_uppercase();
    for record in req.tx.resource_list(ResourceKind::WebCertificate).await? {
        let certificate: WebCertificate = model::decode(&record)?;
        if certificate.subscription_id == group.subscription_id
            && certificate.resource_group.eq_ignore_ascii_case(&group.name)
            && certificate.thumbprint == wanted
        {
            return Ok((certificate, record));
        }
    }
    Err(Error::AppService {
        code: "CertificateNotFound",
        status: 404,
        message: format!(
            "resource group '{}' has no App Service certificate with thumbprint {wanted} (upload or import it first)",
            group.name
        ),
    })
}
