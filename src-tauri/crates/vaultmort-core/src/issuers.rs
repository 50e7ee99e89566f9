//! Certificate issuers and contacts of a vault (the data plane's `certificates/issuers` and
//! `certificates/contacts`).
//!
//! They are kept with the vault record, so they go with it through soft delete, recovery and
//! purge. An issuer's password is sealed by the barrier. Providers other than the practice CA
//! can be configured (to practise the portal's forms) but cannot issue offline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::authz::actions;
use crate::barrier::SealContext;
use crate::model::Vault;
pub use crate::model::issuer::{AdminDetail, Contact, IssuerRecord};
use crate::{Error, RequestContext, Result, Vaultmort};

/// The provider name of Vaultmort's practice certificate authority.
pub const PRACTICE_PROVIDER: &str = "VaultmortPractice";

/// An issuer as callers see it (the password is never returned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issuer {
    /// Vault name.
    pub vault: String,
    /// Issuer name.
    pub name: String,
    /// Provider.
    pub provider: String,
    /// Account id.
    pub account_id: Option<String>,
    /// Whether a password is set.
    pub has_password: bool,
    /// Organization id.
    pub organization_id: Option<String>,
    /// Administrators.
    pub admin_details: Vec<AdminDetail>,
    /// Enabled.
    pub enabled: bool,
    /// Created.
    pub created: DateTime<Utc>,
    /// Updated.
    pub updated: DateTime<Utc>,
}

/// Fields of an issuer to set; `None` leaves a field as it is on update.
#[derive(Clone, Default)]
pub struct IssuerChanges {
    /// Provider (required on create).
    pub provider: Option<String>,
    /// Account id.
    pub account_id: Option<String>,
    /// Password.
    pub password: Option<zeroize::Zeroizing<String>>,
    /// Organization id.
    pub organization_id: Option<String>,
    /// Administrators (replace all).
    pub admin_details: Option<Vec<AdminDetail>>,
    /// Enabled.
    pub enabled: Option<bool>,
}

impl std::fmt::Debug for IssuerChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerChanges").field("provider", &self.provider).finish_non_exhaustive()
    }
}

/// Finds an issuer of a vault by name (case-insensitive).
pub(crate) fn find<'a>(vault: &'a Vault, name: &str) -> Option<&'a IssuerRecord> {
    vault.certificate_issuers.iter().find(|i| i.name.eq_ignore_ascii_case(name))
}

fn view(vault: &Vault, record: &IssuerRecord) -> Issuer {
    Issuer {
        vault: vault.name.clone(),
        name: record.name.clone(),
        provider: record.provider.clone(),
        account_id: record.account_id.clone(),
        has_password: record.sealed_password.is_some(),
        organization_id: record.organization_id.clone(),
        admin_details: record.admin_details.clone(),
        enabled: record.enabled,
        created: record.created,
        updated: record.updated,
    }
}

fn check_issuer_name(name: &str) -> Result<()> {
    if name.eq_ignore_ascii_case("Self") || name.eq_ignore_ascii_case("Unknown") {
        return Err(Error::bad(format!("'{name}' is a built-in issuer name and cannot be configured")));
    }
    crate::names::check_object_name(crate::ObjectKind::Certificate, name)
        .map_err(|_| Error::bad(format!("the issuer name '{name}' is invalid: use letters, digits and hyphens")))
}

fn check_email(email: &str) -> Result<()> {
    let valid = email.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.') && !domain.starts_with('.'));
    if valid { Ok(()) } else { Err(Error::bad(format!("'{email}' is not an email address"))) }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IssuerWrite {
    Create,
    Update,
}

impl Vaultmort {
    async fn write_issuer(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        changes: IssuerChanges,
        mode: IssuerWrite,
    ) -> Result<Issuer> {
        let mut req = self.request(ctx, actions::CERTIFICATE_SET_ISSUERS).await?;
        req.set_object(format!("certificates/issuers/{name}"));
        if let Some(password) = &changes.password {
            req.note_sensitive("password", password.as_bytes());
        }
        let result = async {
            let mut vault = req.data_vault(vault_name).await?;
            check_issuer_name(name)?;
            let existing = vault.certificate_issuers.iter().position(|i| i.name.eq_ignore_ascii_case(name));
            let mut record = match (existing, mode) {
                (Some(at), _) => vault.certificate_issuers[at].clone(),
                (None, IssuerWrite::Update) => {
                    return Err(Error::ObjectNotFound {
                        kind: crate::ObjectKind::Certificate,
                        vault: vault.name.clone(),
                        name: format!("issuers/{name}"),
                        version: None,
                    });
                }
                (None, IssuerWrite::Create) => IssuerRecord {
                    name: name.to_string(),
                    provider: String::new(),
                    account_id: None,
                    sealed_password: None,
                    organization_id: None,
                    admin_details: Vec::new(),
                    enabled: true,
                    created: req.now,
                    updated: req.now,
                },
            };
            if let Some(provider) = changes.provider {
                if provider.trim().is_empty() {
                    return Err(Error::bad("the issuer provider must not be empty"));
                }
                record.provider = provider;
            }
            if record.provider.is_empty() {
                return Err(Error::bad(format!("give the issuer's provider, such as {PRACTICE_PROVIDER}")));
            }
            if let Some(account) = changes.account_id {
                record.account_id = Some(account);
            }
            if let Some(org) = changes.organization_id {
                record.organization_id = Some(org);
            }
            if let Some(admins) = changes.admin_details {
                for admin in &admins {
                    check_email(&admin.email)?;
                }
                record.admin_details = admins;
            }
            if let Some(enabled) = changes.enabled {
                record.enabled = enabled;
            }
            if let Some(password) = changes.password {
                let context = SealContext::installation(&format!("issuer-password/{}/{}", vault.id, record.name.to_ascii_lowercase()));
                let sealed = self.barrier.seal(req.tx.as_mut(), &context, password.as_bytes()).await?;
                record.sealed_password = Some(crate::certificates::b64(&sealed));
            }
            record.updated = req.now;
            match existing {
                Some(at) => vault.certificate_issuers[at] = record.clone(),
                None => vault.certificate_issuers.push(record.clone()),
            }
            req.tx.vault_put(&vault).await?;
            Ok(view(&vault, &record))
        }
        .await;
        req.finish(result).await
    }

    /// Creates (or replaces) an issuer.
    pub async fn set_certificate_issuer(&self, ctx: &RequestContext, vault: &str, name: &str, changes: IssuerChanges) -> Result<Issuer> {
        self.write_issuer(ctx, vault, name, changes, IssuerWrite::Create).await
    }

    /// Changes an existing issuer.
    pub async fn update_certificate_issuer(&self, ctx: &RequestContext, vault: &str, name: &str, changes: IssuerChanges) -> Result<Issuer> {
        self.write_issuer(ctx, vault, name, changes, IssuerWrite::Update).await
    }

    /// Shows an issuer.
    pub async fn get_certificate_issuer(&self, ctx: &RequestContext, vault_name: &str, name: &str) -> Result<Issuer> {
        let mut req = self.request(ctx, actions::CERTIFICATE_GET_ISSUERS).await?;
        req.set_object(format!("certificates/issuers/{name}"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            find(&vault, name).map(|r| view(&vault, r)).ok_or_else(|| Error::ObjectNotFound {
                kind: crate::ObjectKind::Certificate,
                vault: vault.name.clone(),
                name: format!("issuers/{name}"),
                version: None,
            })
        }
        .await;
        req.finish(result).await
    }

    /// Lists issuers.
    pub async fn list_certificate_issuers(&self, ctx: &RequestContext, vault_name: &str) -> Result<Vec<Issuer>> {
        let mut req = self.request(ctx, actions::CERTIFICATE_LIST_ISSUERS).await?;
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            Ok(vault.certificate_issuers.iter().map(|r| view(&vault, r)).collect())
        }
        .await;
        req.finish(result).await
    }

    /// Deletes an issuer.
    pub async fn delete_certificate_issuer(&self, ctx: &RequestContext, vault_name: &str, name: &str) -> Result<Issuer> {
        let mut req = self.request(ctx, actions::CERTIFICATE_DELETE_ISSUERS).await?;
        req.set_object(format!("certificates/issuers/{name}"));
        let result = async {
            let mut vault = req.data_vault(vault_name).await?;
            let at =
                vault.certificate_issuers.iter().position(|i| i.name.eq_ignore_ascii_case(name)).ok_or_else(|| Error::ObjectNotFound {
                    kind: crate::ObjectKind::Certificate,
                    vault: vault.name.clone(),
                    name: format!("issuers/{name}"),
                    version: None,
                })?;
            let removed = vault.certificate_issuers.remove(at);
            req.tx.vault_put(&vault).await?;
            Ok(view(&vault, &removed))
        }
        .await;
        req.finish(result).await
    }

    /// Replaces the vault's certificate contacts.
    pub async fn set_certificate_contacts(&self, ctx: &RequestContext, vault_name: &str, contacts: Vec<Contact>) -> Result<Vec<Contact>> {
        let mut req = self.request(ctx, actions::CERTIFICATE_MANAGE_CONTACTS).await?;
        req.set_object("certificates/contacts".into());
        let result = async {
            let mut vault = req.data_vault(vault_name).await?;
            for contact in &contacts {
                check_email(&contact.email)?;
            }
            vault.certificate_contacts = contacts.clone();
            req.tx.vault_put(&vault).await?;
            Ok(contacts)
        }
        .await;
        req.finish(result).await
    }

    /// The vault's certificate contacts.
    pub async fn get_certificate_contacts(&self, ctx: &RequestContext, vault_name: &str) -> Result<Vec<Contact>> {
        let mut req = self.request(ctx, actions::CERTIFICATE_MANAGE_CONTACTS).await?;
        req.set_object("certificates/contacts".into());
        let result = async { Ok(req.data_vault(vault_name).await?.certificate_contacts) }.await;
        req.finish(result).await
    }

    /// Removes every certificate contact; returns the removed ones.
    pub async fn delete_certificate_contacts(&self, ctx: &RequestContext, vault_name: &str) -> Result<Vec<Contact>> {
        let mut req = self.request(ctx, actions::CERTIFICATE_MANAGE_CONTACTS).await?;
        req.set_object("certificates/contacts".into());
        let result = async {
            let mut vault = req.data_vault(vault_name).await?;
            let removed = std::mem::take(&mut vault.certificate_contacts);
            req.tx.vault_put(&vault).await?;
            Ok(removed)
        }
        .await;
        req.finish(result).await
    }
}
