//! Secrets: set (each set makes a version), get with the value, list and update attributes
//! (soft delete and the rest of the life cycle are kind-generic, in [`crate::lifecycle`]). Values are at most 25 KB and are sealed by the barrier before storage.
//!
//! A disabled version's value is refused; as in Key Vault, `nbf` and `exp` are informational for
//! secrets and do not block reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::authz::actions;
use crate::model::{AttributeChanges, Attributes, Recovery, Tags, Vault, check_validity_window};
use crate::objects::{self, DeletedInfo, Listing, ObjectId, StoredVersion};
use crate::storage::{ObjectRecord, VersionRecord};
use crate::{Error, ObjectKind, RequestContext, Result, Vaultmort, names};

const KIND: ObjectKind = ObjectKind::Secret;

/// The largest secret value Key Vault accepts: 25 KB.
pub const MAX_SECRET_BYTES: usize = 25 * 1024;

/// Secret-specific stored properties of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretInfo {
    /// Content type, free text (`text/plain`, `application/x-pkcs12`, ...).
    #[serde(default)]
    pub content_type: Option<String>,
    /// For a certificate's secret: the key id it goes with.
    #[serde(default)]
    pub key_id: Option<String>,
}

/// The formats a certificate's secret can be read in (`outContentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateSecretFormat {
    /// `application/x-pkcs12`: a PFX with no password, base64.
    Pkcs12,
    /// `application/x-pem-file`: the PKCS#8 key (when held) and the chain, PEM.
    Pem,
}

impl CertificateSecretFormat {
    /// The content type this format is named by.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pkcs12 => crate::certificates::PKCS12,
            Self::Pem => crate::certificates::PEM,
        }
    }
}

impl std::str::FromStr for CertificateSecretFormat {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        if text.eq_ignore_ascii_case(crate::certificates::PKCS12) {
            Ok(Self::Pkcs12)
        } else if text.eq_ignore_ascii_case(crate::certificates::PEM) {
            Ok(Self::Pem)
        } else {
            Err(Error::BadParameter(format!(
                "outContentType '{text}' is not one of {} and {}",
                crate::certificates::PKCS12,
                crate::certificates::PEM
            )))
        }
    }
}

/// A secret version. `value` is present only where the operation returns it (set, get).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretBundle {
    /// The version's id.
    pub id: ObjectId,
    /// The value, when returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Zeroizing<String>>,
    /// Content type.
    pub content_type: Option<String>,
    /// Attributes.
    pub attributes: Attributes,
    /// Recovery level and days.
    pub recovery: Recovery,
    /// Tags.
    pub tags: Tags,
    /// Whether a certificate manages this secret.
    pub managed: bool,
    /// For a certificate's secret, its key id.
    pub key_id: Option<String>,
    /// Set when soft-deleted.
    pub deleted: Option<DeletedInfo>,
}

impl std::fmt::Debug for SecretBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBundle")
            .field("id", &self.id)
            .field("value", &self.value.as_ref().map(|_| "<hidden>"))
            .finish_non_exhaustive()
    }
}

/// A request to set a secret.
#[derive(Clone)]
pub struct SetSecret {
    /// Name.
    pub name: String,
    /// The value (at most 25 KB).
    pub value: Zeroizing<String>,
    /// Content type.
    pub content_type: Option<String>,
    /// Enabled (default true).
    pub enabled: bool,
    /// Not before.
    pub not_before: Option<DateTime<Utc>>,
    /// Expires.
    pub expires: Option<DateTime<Utc>>,
    /// Tags.
    pub tags: Tags,
}

impl std::fmt::Debug for SetSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetSecret").field("name", &self.name).finish_non_exhaustive()
    }
}

impl SetSecret {
    /// An enabled secret with no content type or dates.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Zeroizing::new(value.into()),
            content_type: None,
            enabled: true,
            not_before: None,
            expires: None,
            tags: Tags::new(),
        }
    }
}

/// Changes to a secret version.
#[derive(Debug, Clone, Default)]
pub struct UpdateSecret {
    /// Attributes and tags.
    pub attributes: AttributeChanges,
    /// New content type.
    pub content_type: Option<String>,
}

type SecretVersion = StoredVersion<SecretInfo>;

/// A secret version without its value.
pub(crate) fn bundle_without_value(vault: &Vault, object: &ObjectRecord, record: &VersionRecord) -> Result<SecretBundle> {
    bundle(vault, object, record, None)
}

pub(crate) fn bundle(
    vault: &Vault,
    object: &ObjectRecord,
    record: &VersionRecord,
    value: Option<Zeroizing<String>>,
) -> Result<SecretBundle> {
    let props: SecretVersion = objects::decode(record)?;
    Ok(SecretBundle {
        id: objects::version_id(vault, record),
        value,
        content_type: props.extra.content_type,
        attributes: props.attributes,
        recovery: objects::recovery(vault),
        tags: props.tags,
        managed: props.managed,
        key_id: props.extra.key_id,
        deleted: objects::deleted_info(object),
    })
}

impl Vaultmort {
    /// Sets a secret: a new version with the value.
    pub async fn set_secret(&self, ctx: &RequestContext, vault_name: &str, request: SetSecret) -> Result<SecretBundle> {
        let mut req = self.request(ctx, actions::SECRET_SET).await?;
        req.set_object(format!("secrets/{}", request.name));
        req.note_sensitive("value", request.value.as_bytes());
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            names::check_object_name(KIND, &request.name)?;
            names::check_tags(&request.tags)?;
            check_validity_window(request.not_before, request.expires)?;
            if request.value.len() > MAX_SECRET_BYTES {
                return Err(Error::bad(format!(
                    "the secret value is {} bytes; Key Vault accepts at most {MAX_SECRET_BYTES} bytes (25 KB)",
                    request.value.len()
                )));
            }
            if request.content_type.as_ref().is_some_and(|ct| ct.len() > 255) {
                return Err(Error::bad("the content type is longer than 255 characters"));
            }
            objects::refuse_if_managed(req.tx.as_mut(), &vault, KIND, &request.name, "set").await?;
            let (object, sequence) = objects::object_for_new_version(req.tx.as_mut(), &vault, KIND, &request.name).await?;
            let version = names::new_version_id();
            req.set_object(format!("secrets/{}/{version}", object.name));
            let props = SecretVersion {
                attributes: Attributes::made_at(req.now, request.enabled, request.not_before, request.expires),
                tags: request.tags.clone(),
                managed: false,
                extra: SecretInfo { content_type: request.content_type.clone(), key_id: None },
            };
            let record = objects::put_version(
                self,
                req.tx.as_mut(),
                &vault,
                objects::NewVersion { object: &object, version: &version, sequence },
                &props,
                Some(request.value.as_bytes()),
            )
            .await?;
            bundle(&vault, &object, &record, Some(request.value.clone()))
        }
        .await;
        req.finish(result).await
    }

    /// Gets a secret version with its value (the newest when `version` is `None`).
    pub async fn get_secret(&self, ctx: &RequestContext, vault_name: &str, name: &str, version: Option<&str>) -> Result<SecretBundle> {
        self.get_secret_as(ctx, vault_name, name, version, None).await
    }

    /// Reads a secret version as [`get_secret`](Self::get_secret) does, with a certificate's
    /// secret converted to `format` when given (Key Vault's `outContentType`, from api-version
    /// 2025-06-01-preview on): the PFX as PEM (PKCS#8 key, then the chain) or the PEM as a PFX
    /// with no password, the key included only when the secret holds it. A plain secret cannot
    /// be converted (`BadParameter`); the refusal is audited like any other.
    pub async fn get_secret_as(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        version: Option<&str>,
        format: Option<CertificateSecretFormat>,
    ) -> Result<SecretBundle> {
        let mut req = self.request(ctx, actions::SECRET_GET).await?;
        req.set_object(format!("secrets/{name}"));
        let result = async {
            let (vault, object, record) = req.data_version(vault_name, KIND, name, version).await?;
            let props: SecretVersion = objects::decode(&record)?;
            if !props.attributes.enabled {
                return Err(Error::ObjectDisabled { kind: KIND, operation: "get".into() });
            }
            if format.is_some() && !props.managed {
                return Err(Error::BadParameter(format!(
                    "outContentType applies only to a certificate's secret; '{name}' is not backed by a certificate"
                )));
            }
            let bytes = objects::open_material(self, req.tx.as_mut(), &record).await?;
            let value = Zeroizing::new(
                String::from_utf8(bytes.to_vec()).map_err(|_| Error::Integrity(format!("secret '{name}' does not decode as text")))?,
            );
            let mut bundle = bundle(&vault, &object, &record, Some(value))?;
            if let Some(format) = format {
                let stored = bundle.content_type.clone().unwrap_or_default();
                if !format.content_type().eq_ignore_ascii_case(&stored) {
                    let value = bundle.value.take().unwrap_or_default();
                    bundle.value = Some(crate::certificates::convert_certificate_secret(&value, &stored, format, name)?);
                    bundle.content_type = Some(format.content_type().to_string());
                }
            }
            Ok(bundle)
        }
        .await;
        req.finish(result).await
    }

    /// Lists secrets (newest version of each, without values).
    pub async fn list_secrets(&self, ctx: &RequestContext, vault: &str) -> Result<Vec<SecretBundle>> {
        self.listing(ctx, actions::SECRET_LIST, (KIND, vault), Listing::Latest, bundle_without_value).await
    }

    /// Lists the versions of a secret (without values), oldest first.
    pub async fn list_secret_versions(&self, ctx: &RequestContext, vault: &str, name: &str) -> Result<Vec<SecretBundle>> {
        self.listing(ctx, actions::SECRET_LIST, (KIND, vault), Listing::Versions(name), bundle_without_value).await
    }

    /// Changes a version's attributes, tags or content type.
    pub async fn update_secret(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        version: Option<&str>,
        update: UpdateSecret,
    ) -> Result<SecretBundle> {
        let mut req = self.request(ctx, actions::SECRET_UPDATE).await?;
        req.set_object(format!("secrets/{name}"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            objects::refuse_if_managed(req.tx.as_mut(), &vault, KIND, name, "update").await?;
            let (object, mut record) = objects::active_version(req.tx.as_mut(), &vault, KIND, name, version).await?;
            req.set_object(format!("secrets/{}/{}", object.name, record.version));
            let mut props: SecretVersion = objects::decode(&record)?;
            update.attributes.apply(&mut props.attributes, &mut props.tags, req.now)?;
            if let Some(ct) = &update.content_type {
                props.extra.content_type = Some(ct.clone());
            }
            record.properties = objects::encode(&props)?;
            req.tx.version_put(&record).await?;
            bundle(&vault, &object, &record, None)
        }
        .await;
        req.finish(result).await
    }
}
