//! Certificates: three linked objects with one name and one version id, the certificate, its
//! key (`kid`) and its secret (`sid`, the PFX or PEM), with Key Vault's policy, issuers
//! (`Self`, `Unknown`, and the practice CA), pending operations, merge, import and download.
//!
//! X.509 work (building, parsing, PFX and PEM) is done by the `vaultmort-certs` crate; this
//! module owns the objects, their life cycle and the rules. Renewal, events and the practice CA
//! live in [`crate::renewal`] and [`crate::practice_ca`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Months;
use serde::{Deserialize, Serialize};
use vaultmort_certs::policy::CertificatePolicy;
use vaultmort_crypto::{KeyOperation, KeyType, NewKey, ProviderKey};
use zeroize::Zeroizing;

use crate::authz::actions;
use crate::keys::KeyMaterialInfo;
use crate::model::{AttributeChanges, Attributes, Recovery, Tags, Vault};
use crate::objects::{self, DeletedInfo, NewVersion, ObjectId, StoredVersion};
use crate::pipeline::Request;
use crate::secrets::SecretInfo;
use crate::storage::{EventRecord, ObjectRecord, VersionRecord};
use crate::{Error, ObjectKind, RequestContext, Result, Vaultmort, names};

const KIND: ObjectKind = ObjectKind::Certificate;
/// The content type of a PFX secret.
pub const PKCS12: &str = "application/x-pkcs12";
/// The content type of a PEM secret.
pub const PEM: &str = "application/x-pem-file";

/// What a certificate version stores besides attributes and tags. All of it is public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateData {
    /// The certificate, DER, base64.
    pub cer: String,
    /// The issuing chain after the certificate, DER, base64 each.
    #[serde(default)]
    pub chain: Vec<String>,
    /// SHA-1 thumbprint, base64url (Key Vault's x5t).
    pub x5t: String,
    /// Subject, RFC 4514.
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// The lifetime actions already carried out for this version (`EmailContacts`, ...).
    #[serde(default)]
    pub actions_done: Vec<String>,
}

/// The pending operation of a certificate being issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingState {
    /// Request id.
    pub request_id: String,
    /// The issuer named in the policy at creation.
    pub issuer_name: String,
    /// The CSR, DER, base64.
    pub csr: String,
    /// `inProgress`, `completed`, `cancelled` or `failed`.
    pub status: String,
    /// Human words about the status.
    pub status_details: String,
    /// Whether cancellation was asked for.
    pub cancellation_requested: bool,
    /// The version id the key was made under and the certificate will get.
    pub version: String,
    /// Error when failed.
    #[serde(default)]
    pub error: Option<String>,
}

/// The object-level state of a certificate: its policy and any pending operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CertificateState {
    #[serde(default)]
    pub(crate) policy: Option<CertificatePolicy>,
    #[serde(default)]
    pub(crate) pending: Option<PendingState>,
}

pub(crate) type CertificateVersion = StoredVersion<CertificateData>;

/// A certificate version as callers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateBundle {
    /// The certificate version's id.
    pub id: ObjectId,
    /// Its key's id (same name and version).
    pub kid: ObjectId,
    /// Its secret's id (same name and version).
    pub sid: ObjectId,
    /// The certificate, DER.
    pub cer: Vec<u8>,
    /// The chain after it, DER each.
    pub chain: Vec<Vec<u8>>,
    /// SHA-1 thumbprint.
    pub x5t: Vec<u8>,
    /// Subject.
    pub subject: String,
    /// Issuer.
    pub issuer: String,
    /// Serial, hex.
    pub serial: String,
    /// Attributes (nbf and exp are the certificate's validity).
    pub attributes: Attributes,
    /// Recovery level and days.
    pub recovery: Recovery,
    /// Tags.
    pub tags: Tags,
    /// The policy (on the newest version's views).
    pub policy: Option<CertificatePolicy>,
    /// Set when soft-deleted.
    pub deleted: Option<DeletedInfo>,
}

/// A pending (or finished) certificate operation, as `certificate pending show` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateOperation {
    /// `certificates/<name>/pending`.
    pub id: ObjectId,
    /// The issuer.
    pub issuer_name: String,
    /// The CSR, DER.
    pub csr: Vec<u8>,
    /// Whether cancellation was asked for.
    pub cancellation_requested: bool,
    /// `inProgress`, `completed`, `cancelled`, `failed`.
    pub status: String,
    /// Details.
    pub status_details: String,
    /// The certificate id once completed.
    pub target: Option<ObjectId>,
    /// Request id.
    pub request_id: String,
    /// Error text when failed.
    pub error: Option<String>,
}

/// A request to import a certificate.
#[derive(Clone)]
pub struct ImportCertificate {
    /// Name.
    pub name: String,
    /// PFX, PEM or DER bytes (must contain the private key).
    pub data: Zeroizing<Vec<u8>>,
    /// PFX or encrypted-key password.
    pub password: Option<Zeroizing<String>>,
    /// A policy; derived from the certificate when `None`.
    pub policy: Option<CertificatePolicy>,
    /// Enabled.
    pub enabled: bool,
    /// Tags.
    pub tags: Tags,
}

impl std::fmt::Debug for ImportCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportCertificate").field("name", &self.name).finish_non_exhaustive()
    }
}

/// Formats a certificate can be downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadFormat {
    /// The certificate alone, DER.
    Der,
    /// The certificate alone, PEM.
    Pem,
    /// The certificate and its chain, PEM.
    PemChain,
    /// PKCS#12 with the private key and chain.
    Pfx,
}

/// A certificate's secret value, stored as `stored` (its content type), in `format`: the same
/// key and chain, written as the issuance writes them. Stored data that does not parse is an
/// integrity failure, not the caller's mistake.
pub(crate) fn convert_certificate_secret(
    value: &str,
    stored: &str,
    format: crate::secrets::CertificateSecretFormat,
    name: &str,
) -> Result<Zeroizing<String>> {
    let damaged = |e: vaultmort_certs::CertError| Error::Integrity(format!("the secret of certificate '{name}' does not parse: {e}"));
    let (key, chain) = if stored.eq_ignore_ascii_case(PEM) {
        let chain = vaultmort_certs::parse::certificates_from(value.as_bytes()).map_err(damaged)?;
        let key = if value.contains("PRIVATE KEY-----") {
            Some(vaultmort_certs::pem::read_pem_bundle(value, None).map_err(damaged)?.key_pkcs8)
        } else {
            None
        };
        (key, chain)
    } else {
        vaultmort_certs::pfx::read_pfx_key_optional(value.as_bytes(), None).map_err(damaged)?
    };
    let key = key.as_ref().map(|k| k.as_slice());
    Ok(match format {
        crate::secrets::CertificateSecretFormat::Pem => vaultmort_certs::pem::write_pem(&chain, key)?,
        crate::secrets::CertificateSecretFormat::Pkcs12 => {
            let pfx = Zeroizing::new(vaultmort_certs::pfx::write_pfx(key, &chain, None, name)?);
            Zeroizing::new(b64(&pfx))
        }
    })
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub(crate) fn unb64(text: &str) -> Result<Vec<u8>> {
    STANDARD.decode(text).map_err(|_| Error::Integrity("a stored certificate is not valid base64".into()))
}

fn cert_error(e: vaultmort_certs::CertError) -> Error {
    Error::Certificate { code: e.code(), message: e.to_string() }
}

impl From<vaultmort_certs::CertError> for Error {
    fn from(e: vaultmort_certs::CertError) -> Self {
        cert_error(e)
    }
}

pub(crate) fn bundle(vault: &Vault, object: &ObjectRecord, record: &VersionRecord) -> Result<CertificateBundle> {
    let props: CertificateVersion = objects::decode(record)?;
    let state: CertificateState = serde_json::from_value(object.properties.clone()).unwrap_or_default();
    let id = objects::version_id(vault, record);
    let linked = |kind| ObjectId { kind, ..id.clone() };
    Ok(CertificateBundle {
        kid: linked(ObjectKind::Key),
        sid: linked(ObjectKind::Secret),
        cer: unb64(&props.extra.cer)?,
        chain: props.extra.chain.iter().map(|c| unb64(c)).collect::<Result<_>>()?,
        x5t: vaultmort_crypto::jwk::b64url::decode(&props.extra.x5t).unwrap_or_default(),
        subject: props.extra.subject,
        issuer: props.extra.issuer,
        serial: props.extra.serial,
        attributes: props.attributes,
        recovery: objects::recovery(vault),
        tags: props.tags,
        policy: state.policy,
        deleted: objects::deleted_info(object),
        id,
    })
}

fn operation(vault: &Vault, name: &str, pending: &PendingState) -> Result<CertificateOperation> {
    let target = (pending.status == "completed").then(|| ObjectId {
        vault: vault.name.clone(),
        kind: KIND,
        name: name.to_string(),
        version: Some(pending.version.clone()),
    });
    Ok(CertificateOperation {
        id: ObjectId { vault: vault.name.clone(), kind: KIND, name: name.to_string(), version: Some("pending".into()) },
        issuer_name: pending.issuer_name.clone(),
        csr: unb64(&pending.csr)?,
        cancellation_requested: pending.cancellation_requested,
        status: pending.status.clone(),
        status_details: pending.status_details.clone(),
        target,
        request_id: pending.request_id.clone(),
        error: pending.error.clone(),
    })
}

fn state_of(object: &ObjectRecord) -> Result<CertificateState> {
    serde_json::from_value(object.properties.clone()).map_err(|e| Error::Integrity(format!("certificate '{}' state: {e}", object.name)))
}

fn state_value(state: &CertificateState) -> Result<serde_json::Value> {
    serde_json::to_value(state).map_err(|e| Error::Integrity(format!("certificate state: {e}")))
}

/// How an issuer named in a policy issues.
enum IssuerKind {
    SelfSigned,
    Unknown,
    PracticeCa,
}

/// Everything needed to write the three linked versions of a new certificate.
pub(crate) struct Issued {
    pub(crate) version: String,
    pub(crate) cert_der: Vec<u8>,
    pub(crate) chain: Vec<Vec<u8>>,
    pub(crate) key: NewKey,
    pub(crate) exportable: bool,
    pub(crate) content_type: String,
    pub(crate) key_reused: bool,
}

impl Vaultmort {
    fn issuer_kind(&self, vault: &Vault, issuer: &str) -> Result<IssuerKind> {
        if issuer.eq_ignore_ascii_case("Self") {
            return Ok(IssuerKind::SelfSigned);
        }
        if issuer.eq_ignore_ascii_case("Unknown") {
            return Ok(IssuerKind::Unknown);
        }
        match crate::issuers::find(vault, issuer) {
            Some(found) if found.provider.eq_ignore_ascii_case(crate::issuers::PRACTICE_PROVIDER) => {
                if !found.enabled {
                    return Err(Error::bad(format!("issuer '{issuer}' is disabled")));
                }
                Ok(IssuerKind::PracticeCa)
            }
            Some(found) => Err(Error::bad(format!(
                "issuer '{issuer}' uses provider '{}', which cannot be reached offline; use provider '{}' for the practice CA",
                found.provider,
                crate::issuers::PRACTICE_PROVIDER
            ))),
            None => Err(Error::bad(format!(
                "issuer '{issuer}' is not configured in vault '{}'; use Self, Unknown or an issuer you created",
                vault.name
            ))),
        }
    }

    /// Makes (or reuses) a key for a policy.
    pub(crate) async fn certificate_key(
        &self,
        tx: &mut dyn crate::storage::Transaction,
        vault: &Vault,
        policy: &CertificatePolicy,
        reuse: Option<NewKey>,
    ) -> Result<(NewKey, bool)> {
        if let Some(key) = reuse {
            return Ok((key, true));
        }
        let spec = policy.key_spec()?;
        let kty = policy.key_type()?;
        if kty.is_hsm() && policy.exportable() {
            return Err(Error::bad(format!(
                "a certificate whose key is {kty} keeps its private key in the HSM, so it cannot be exportable: set keyProperties.exportable to false"
            )));
        }
        let provider = self.key_provider(tx, vault, kty).await?;
        Ok((provider.generate(spec)?, false))
    }

    /// Issues a certificate for `policy` now (Self or the practice CA).
    pub(crate) async fn issue_now(
        &self,
        req: &mut Request<'_>,
        vault: &Vault,
        policy: &CertificatePolicy,
        key: NewKey,
        key_reused: bool,
    ) -> Result<Issued> {
        let issuer = policy.issuer_name();
        let version = names::new_version_id();
        let not_before = req.now;
        let months = policy.validity_months()?;
        let not_after = not_before.checked_add_months(Months::new(months)).ok_or_else(|| Error::bad("the validity is too long"))?;
        let serial = vaultmort_crypto::aead::random_bytes(16)?;
        let provider = self.provider_of(req.tx.as_mut(), key.handle.kind).await?;
        let (cert_der, chain) = match self.issuer_kind(vault, issuer)? {
            IssuerKind::SelfSigned => {
                let signer = vaultmort_certs::signer::ProviderSigner::new(provider.as_ref(), &key.handle, &key.public)?;
                (vaultmort_certs::build::self_signed(policy, &signer, &serial, not_before, not_after)?, Vec::new())
            }
            IssuerKind::PracticeCa => {
                let ca = self.practice_ca(req.tx.as_mut(), req.now).await?;
                let leaf = ca.issue_leaf(self, policy, &key.public, &serial, not_before, not_after)?;
                (leaf, vec![ca.intermediate_der.clone(), ca.root_der.clone()])
            }
            IssuerKind::Unknown => return Err(Error::bad("a certificate from issuer Unknown is issued by merging a signed certificate")),
        };
        Ok(Issued {
            version,
            cert_der,
            chain,
            key,
            exportable: policy.exportable(),
            content_type: policy.content_type()?.as_str().to_string(),
            key_reused,
        })
    }

    /// Writes the key, secret and certificate versions of an issued certificate.
    pub(crate) async fn store_issued(
        &self,
        req: &mut Request<'_>,
        vault: &Vault,
        name: &str,
        issued: &Issued,
        enabled: bool,
        tags: &Tags,
    ) -> Result<(ObjectRecord, VersionRecord)> {
        let info = vaultmort_certs::parse::CertificateInfo::from_der(&issued.cert_der)?;
        if info.public_key()? != issued.key.public {
            return Err(Error::bad("the certificate's public key does not match its private key"));
        }
        let attributes = Attributes::made_at(req.now, enabled, Some(info.not_before), Some(info.not_after));
        let version = issued.version.as_str();

        // The key.
        let (key_object, key_sequence) = managed_object(req, vault, ObjectKind::Key, name).await?;
        let kty = key_type_of(&issued.key);
        let key_ops = if kty.is_rsa() { KeyOperation::defaults_for(kty) } else { vec![KeyOperation::Sign, KeyOperation::Verify] };
        let key_props = StoredVersion {
            attributes: attributes.clone(),
            tags: tags.clone(),
            managed: true,
            extra: KeyMaterialInfo { kty, key_ops, public: issued.key.public.clone(), provider: issued.key.handle.kind },
        };
        objects::put_version(
            self,
            req.tx.as_mut(),
            vault,
            NewVersion { object: &key_object, version, sequence: key_sequence },
            &key_props,
            Some(&issued.key.handle.bytes),
        )
        .await?;

        // The secret: PFX or PEM, with the private key only when it is exportable.
        let pkcs8 = if issued.exportable { Some(self.export_pkcs8(&issued.key.handle)?) } else { None };
        let secret_value: Zeroizing<String> = if issued.content_type == PEM {
            let mut chain = vec![issued.cert_der.clone()];
            chain.extend(issued.chain.iter().cloned());
            vaultmort_certs::pem::write_pem(&chain, pkcs8.as_ref().map(|k| k.as_slice()))?
        } else {
            let mut chain = vec![issued.cert_der.clone()];
            chain.extend(issued.chain.iter().cloned());
            let pfx = Zeroizing::new(vaultmort_certs::pfx::write_pfx(pkcs8.as_ref().map(|k| k.as_slice()), &chain, None, name)?);
            Zeroizing::new(b64(&pfx))
        };
        let (secret_object, secret_sequence) = managed_object(req, vault, ObjectKind::Secret, name).await?;
        let secret_props = StoredVersion {
            attributes: attributes.clone(),
            tags: tags.clone(),
            managed: true,
            extra: SecretInfo {
                content_type: Some(issued.content_type.clone()),
                key_id: Some(
                    ObjectId { vault: vault.name.clone(), kind: ObjectKind::Key, name: name.to_string(), version: Some(version.into()) }
                        .path(),
                ),
            },
        };
        objects::put_version(
            self,
            req.tx.as_mut(),
            vault,
            NewVersion { object: &secret_object, version, sequence: secret_sequence },
            &secret_props,
            Some(secret_value.as_bytes()),
        )
        .await?;

        // The certificate.
        let (cert_object, cert_sequence) = objects::object_for_new_version(req.tx.as_mut(), vault, KIND, name).await?;
        let cert_props = CertificateVersion {
            attributes,
            tags: tags.clone(),
            managed: false,
            extra: CertificateData {
                cer: b64(&issued.cert_der),
                chain: issued.chain.iter().map(|c| b64(c)).collect(),
                x5t: vaultmort_crypto::jwk::b64url::encode(&info.x5t),
                subject: info.subject.clone(),
                issuer: info.issuer.clone(),
                serial: info.serial.clone(),
                actions_done: Vec::new(),
            },
        };
        let record = objects::put_version(
            self,
            req.tx.as_mut(),
            vault,
            NewVersion { object: &cert_object, version, sequence: cert_sequence },
            &cert_props,
            None,
        )
        .await?;
        let _ = issued.key_reused;
        req.tx
            .event_append(&EventRecord {
                sequence: 0,
                time: req.now,
                vault_id: vault.id.clone(),
                vault_name: vault.name.clone(),
                event_type: "CertificateNewVersionCreated".into(),
                subject: format!("certificates/{}/{version}", cert_object.name),
                data: serde_json::json!({"thumbprint": cert_props.extra.x5t, "subject": info.subject, "expires": info.not_after}),
            })
            .await?;
        let cert_object = req.tx.object_get(&vault.id, KIND, name).await?.unwrap_or(cert_object);
        Ok((cert_object, record))
    }

    /// The PKCS#8 of an exportable key.
    pub(crate) fn export_pkcs8(&self, handle: &ProviderKey) -> Result<Zeroizing<Vec<u8>>> {
        Ok(vaultmort_crypto::software::pkcs8_der(handle)?)
    }

    /// Creates a certificate from a policy: Self and the practice CA complete at once; Unknown
    /// leaves a pending operation with a CSR to sign and merge.
    pub async fn create_certificate(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        policy: Option<CertificatePolicy>,
        enabled: bool,
        tags: Tags,
    ) -> Result<CertificateOperation> {
        let mut req = self.request(ctx, actions::CERTIFICATE_CREATE).await?;
        req.set_object(format!("certificates/{name}"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            names::check_object_name(KIND, name)?;
            names::check_tags(&tags)?;
            let policy = policy.unwrap_or_else(CertificatePolicy::azure_default);
            policy.validate()?;
            check_renewable(&policy)?;
            let issuer = policy.issuer_name().to_string();
            let kind = self.issuer_kind(&vault, &issuer)?;
            check_linked_names_free(&mut req, &vault, name).await?;
            let (object, _) = objects::object_for_new_version(req.tx.as_mut(), &vault, KIND, name).await?;
            let mut state = state_of(&object)?;
            if state.pending.as_ref().is_some_and(|p| p.status == "inProgress") {
                return Err(Error::Conflict {
                    inner: "PendingCertificateOperation",
                    message: format!("certificate '{name}' has a pending operation; merge, cancel or delete it first"),
                });
            }
            let (key, reused) = self.certificate_key(req.tx.as_mut(), &vault, &policy, None).await?;
            let provider = self.provider_of(req.tx.as_mut(), key.handle.kind).await?;
            let signer = vaultmort_certs::signer::ProviderSigner::new(provider.as_ref(), &key.handle, &key.public)?;
            let csr = vaultmort_certs::build::csr(&policy, &signer)?;
            let pending = match kind {
                IssuerKind::Unknown => {
                    let version = names::new_version_id();
                    self.store_pending_key(&mut req, &vault, name, &version, &key, &tags).await?;
                    PendingState {
                        request_id: names::new_version_id(),
                        issuer_name: issuer.to_string(),
                        csr: b64(&csr),
                        status: "inProgress".into(),
                        status_details: "Pending certificate created. Download the CSR, have it signed, and merge the signed certificate."
                            .into(),
                        cancellation_requested: false,
                        version,
                        error: None,
                    }
                }
                IssuerKind::SelfSigned | IssuerKind::PracticeCa => {
                    let issued = self.issue_now(&mut req, &vault, &policy, key, reused).await?;
                    self.store_issued(&mut req, &vault, name, &issued, enabled, &tags).await?;
                    PendingState {
                        request_id: names::new_version_id(),
                        issuer_name: issuer.to_string(),
                        csr: b64(&csr),
                        status: "completed".into(),
                        status_details: "The certificate was issued.".into(),
                        cancellation_requested: false,
                        version: issued.version,
                        error: None,
                    }
                }
            };
            let object = req.tx.object_get(&vault.id, KIND, name).await?.unwrap_or(object);
            state.policy = Some(policy);
            state.pending = Some(pending.clone());
            let object = ObjectRecord { properties: state_value(&state)?, ..object };
            req.tx.object_put(&object).await?;
            operation(&vault, &object.name, &pending)
        }
        .await;
        req.finish(result).await
    }

    /// Stores the key of a pending certificate, disabled until the merge.
    async fn store_pending_key(
        &self,
        req: &mut Request<'_>,
        vault: &Vault,
        name: &str,
        version: &str,
        key: &NewKey,
        tags: &Tags,
    ) -> Result<()> {
        let (key_object, sequence) = managed_object(req, vault, ObjectKind::Key, name).await?;
        let kty = key_type_of(key);
        let props = StoredVersion {
            attributes: Attributes::made_at(req.now, false, None, None),
            tags: tags.clone(),
            managed: true,
            extra: KeyMaterialInfo { kty, key_ops: KeyOperation::defaults_for(kty), public: key.public.clone(), provider: key.handle.kind },
        };
        objects::put_version(
            self,
            req.tx.as_mut(),
            vault,
            NewVersion { object: &key_object, version, sequence },
            &props,
            Some(&key.handle.bytes),
        )
        .await?;
        Ok(())
    }

    /// Shows a certificate version (the newest when `version` is `None`).
    pub async fn get_certificate(&self, ctx: &RequestContext, vault: &str, name: &str, version: Option<&str>) -> Result<CertificateBundle> {
        self.show_version(ctx, actions::CERTIFICATE_GET, (KIND, vault, name), version, bundle).await
    }

    /// Lists certificates (newest version of each).
    pub async fn list_certificates(&self, ctx: &RequestContext, vault: &str) -> Result<Vec<CertificateBundle>> {
        self.listing(ctx, actions::CERTIFICATE_LIST, (KIND, vault), objects::Listing::Latest, bundle).await
    }

    /// Lists a certificate's versions.
    pub async fn list_certificate_versions(&self, ctx: &RequestContext, vault: &str, name: &str) -> Result<Vec<CertificateBundle>> {
        self.listing(ctx, actions::CERTIFICATE_LIST, (KIND, vault), objects::Listing::Versions(name), bundle).await
    }

    /// Changes a version's attributes and tags; enabling or disabling also applies to its key
    /// and secret versions.
    pub async fn update_certificate(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        version: Option<&str>,
        changes: AttributeChanges,
    ) -> Result<CertificateBundle> {
        let mut req = self.request(ctx, actions::CERTIFICATE_UPDATE).await?;
        req.set_object(format!("certificates/{name}"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            let (object, mut record) = objects::active_version(req.tx.as_mut(), &vault, KIND, name, version).await?;
            let mut props: CertificateVersion = objects::decode(&record)?;
            let limited = AttributeChanges { not_before: None, expires: None, ..changes.clone() };
            limited.apply(&mut props.attributes, &mut props.tags, req.now)?;
            record.properties = objects::encode(&props)?;
            req.tx.version_put(&record).await?;
            if let Some(enabled) = changes.enabled {
                for kind in [ObjectKind::Key, ObjectKind::Secret] {
                    if let Some(mut linked) = req.tx.version_get(&vault.id, kind, &object.name, Some(&record.version)).await? {
                        let mut value = linked.properties.clone();
                        if let Some(attributes) = value.get_mut("attributes").and_then(|a| a.as_object_mut()) {
                            attributes.insert("enabled".into(), serde_json::Value::Bool(enabled));
                            attributes.insert("updated".into(), serde_json::to_value(req.now).unwrap_or_default());
                        }
                        linked.properties = value;
                        req.tx.version_put(&linked).await?;
                    }
                }
            }
            bundle(&vault, &object, &record)
        }
        .await;
        req.finish(result).await
    }

    /// The certificate's policy.
    pub async fn get_certificate_policy(&self, ctx: &RequestContext, vault_name: &str, name: &str) -> Result<CertificatePolicy> {
        let mut req = self.request(ctx, actions::CERTIFICATE_GET).await?;
        req.set_object(format!("certificates/{name}/policy"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            let object = objects::active_object(req.tx.as_mut(), &vault, KIND, name).await?;
            state_of(&object)?.policy.ok_or_else(|| Error::ObjectNotFound {
                kind: KIND,
                vault: vault.name.clone(),
                name: format!("{name}/policy"),
                version: None,
            })
        }
        .await;
        req.finish(result).await
    }

    /// Replaces the certificate's policy (it applies to the next version).
    pub async fn update_certificate_policy(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        policy: CertificatePolicy,
    ) -> Result<CertificatePolicy> {
        let mut req = self.request(ctx, actions::CERTIFICATE_UPDATE).await?;
        req.set_object(format!("certificates/{name}/policy"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            policy.validate()?;
            self.issuer_kind(&vault, policy.issuer_name())?;
            check_renewable(&policy)?;
            let object = objects::active_object(req.tx.as_mut(), &vault, KIND, name).await?;
            let mut state = state_of(&object)?;
            state.policy = Some(policy.clone());
            req.tx.object_put(&ObjectRecord { properties: state_value(&state)?, ..object }).await?;
            Ok(policy)
        }
        .await;
        req.finish(result).await
    }

    async fn pending_request(
        &self,
        ctx: &RequestContext,
        action: crate::authz::Action,
        vault_name: &str,
        name: &str,
        step: PendingStep,
    ) -> Result<CertificateOperation> {
        let mut req = self.request(ctx, action).await?;
        req.set_object(format!("certificates/{name}/pending"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            let object = objects::active_object(req.tx.as_mut(), &vault, KIND, name).await?;
            let mut state = state_of(&object)?;
            let missing =
                || Error::ObjectNotFound { kind: KIND, vault: vault.name.clone(), name: format!("{name}/pending"), version: None };
            let mut pending = state.pending.clone().ok_or_else(missing)?;
            match step {
                PendingStep::Show => {}
                PendingStep::Cancel => {
                    if pending.status == "inProgress" {
                        pending.cancellation_requested = true;
                        pending.status = "cancelled".into();
                        pending.status_details = "The operation was cancelled.".into();
                    }
                    state.pending = Some(pending.clone());
                    req.tx.object_put(&ObjectRecord { properties: state_value(&state)?, ..object.clone() }).await?;
                }
                PendingStep::Delete => {
                    state.pending = None;
                    req.tx.object_put(&ObjectRecord { properties: state_value(&state)?, ..object.clone() }).await?;
                }
            }
            operation(&vault, &object.name, &pending)
        }
        .await;
        req.finish(result).await
    }

    /// Shows the pending operation (with its CSR).
    pub async fn get_certificate_operation(&self, ctx: &RequestContext, vault: &str, name: &str) -> Result<CertificateOperation> {
        self.pending_request(ctx, actions::CERTIFICATE_GET, vault, name, PendingStep::Show).await
    }

    /// Cancels an in-progress operation.
    pub async fn cancel_certificate_operation(&self, ctx: &RequestContext, vault: &str, name: &str) -> Result<CertificateOperation> {
        self.pending_request(ctx, actions::CERTIFICATE_UPDATE, vault, name, PendingStep::Cancel).await
    }

    /// Deletes the pending operation.
    pub async fn delete_certificate_operation(&self, ctx: &RequestContext, vault: &str, name: &str) -> Result<CertificateOperation> {
        self.pending_request(ctx, actions::CERTIFICATE_DELETE, vault, name, PendingStep::Delete).await
    }

    /// Merges a signed certificate (and chain) into the pending operation. The certificate's
    /// public key must be the pending key's; otherwise nothing changes and the operation stays.
    pub async fn merge_certificate(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        signed: &[u8],
        enabled: bool,
        tags: Tags,
    ) -> Result<CertificateBundle> {
        let mut req = self.request(ctx, actions::CERTIFICATE_MERGE).await?;
        req.set_object(format!("certificates/{name}/pending"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            names::check_tags(&tags)?;
            let object = objects::active_object(req.tx.as_mut(), &vault, KIND, name).await?;
            let mut state = state_of(&object)?;
            let pending = match &state.pending {
                Some(p) if p.status == "inProgress" => p.clone(),
                _ => {
                    return Err(Error::bad(format!("certificate '{name}' has no pending operation in progress to merge into")));
                }
            };
            let chain = vaultmort_certs::parse::certificates_from(signed)?;
            let (leaf, rest) = chain.split_first().ok_or_else(|| Error::bad("no certificate was found in the merged data"))?;
            let info = vaultmort_certs::parse::CertificateInfo::from_der(leaf)?;
            let key_record = req
                .tx
                .version_get(&vault.id, ObjectKind::Key, &object.name, Some(&pending.version))
                .await?
                .ok_or_else(|| Error::Integrity(format!("the pending key of '{name}' is missing")))?;
            let key_props: StoredVersion<KeyMaterialInfo> = objects::decode(&key_record)?;
            if info.public_key()? != key_props.extra.public {
                return Err(Error::Certificate {
                    code: "KeyMismatch",
                    message: format!(
                        "the merged certificate (subject {}) was issued for another key: its public key does not match the pending key of '{name}'; the pending operation is unchanged",
                        info.subject
                    ),
                });
            }
            let handle = objects::open_material(self, req.tx.as_mut(), &key_record).await?;
            let key = NewKey { handle: ProviderKey { kind: key_props.extra.provider, bytes: handle }, public: key_props.extra.public.clone() };
            let policy = state.policy.clone().unwrap_or_else(CertificatePolicy::azure_default);
            // The pending key version is replaced by the full set under the same version id.
            let issued = Issued {
                version: pending.version.clone(),
                cert_der: leaf.clone(),
                chain: rest.to_vec(),
                key,
                exportable: policy.exportable(),
                content_type: policy.content_type()?.as_str().to_string(),
                key_reused: false,
            };
            let (object, record) = self.store_issued_replacing_key(&mut req, &vault, name, &issued, enabled, &tags, key_record.sequence).await?;
            state.pending = Some(PendingState { status: "completed".into(), status_details: "The signed certificate was merged.".into(), ..pending });
            req.tx.object_put(&ObjectRecord { properties: state_value(&state)?, ..object.clone() }).await?;
            req.set_object(format!("certificates/{}/{}", object.name, record.version));
            let object = ObjectRecord { properties: state_value(&state)?, ..object };
            bundle(&vault, &object, &record)
        }
        .await;
        req.finish(result).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn store_issued_replacing_key(
        &self,
        req: &mut Request<'_>,
        vault: &Vault,
        name: &str,
        issued: &Issued,
        enabled: bool,
        tags: &Tags,
        _key_sequence: i64,
    ) -> Result<(ObjectRecord, VersionRecord)> {
        // The pending key version already exists under this version id; store_issued writes it
        // again with the certificate's validity and enabled state (version_put replaces).
        self.store_issued(req, vault, name, issued, enabled, tags).await
    }

    /// Imports a certificate with its private key from PFX or PEM (or DER with a key in PEM).
    pub async fn import_certificate(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        request: ImportCertificate,
    ) -> Result<CertificateBundle> {
        let mut req = self.request(ctx, actions::CERTIFICATE_IMPORT).await?;
        req.set_object(format!("certificates/{}", request.name));
        req.note_sensitive("value", &request.data);
        if let Some(password) = &request.password {
            req.note_sensitive("password", password.as_bytes());
        }
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            names::check_object_name(KIND, &request.name)?;
            names::check_tags(&request.tags)?;
            let password = request.password.as_ref().map(|p| p.as_str());
            let bundle_in = vaultmort_certs::import::read_key_and_chain(&request.data, password)?;
            let (leaf, rest) = bundle_in.chain.split_first().ok_or_else(|| Error::bad("the file holds no certificate"))?;
            let info = vaultmort_certs::parse::CertificateInfo::from_der(leaf)?;
            let policy = match request.policy.clone() {
                Some(policy) => {
                    policy.validate()?;
                    policy
                }
                None => {
                    let content_type = match vaultmort_certs::detect::detect_format(&request.data) {
                        vaultmort_certs::detect::Format::Pem => vaultmort_certs::policy::ContentType::Pem,
                        _ => vaultmort_certs::policy::ContentType::Pkcs12,
                    };
                    CertificatePolicy::for_imported(&info, content_type)?
                }
            };
            check_renewable(&policy)?;
            self.issuer_kind(&vault, policy.issuer_name())?;
            check_linked_names_free(&mut req, &vault, &request.name).await?;
            let key = self.key_provider(req.tx.as_mut(), &vault, policy.key_type()?).await?.import_pkcs8(&bundle_in.key_pkcs8)?;
            if key.public != info.public_key()? {
                return Err(Error::Certificate {
                    code: "KeyMismatch",
                    message: "the private key does not belong to the certificate".into(),
                });
            }
            let issued = Issued {
                version: names::new_version_id(),
                cert_der: leaf.clone(),
                chain: rest.to_vec(),
                key,
                exportable: policy.exportable(),
                content_type: policy.content_type()?.as_str().to_string(),
                key_reused: false,
            };
            let (object, record) = self.store_issued(&mut req, &vault, &request.name, &issued, request.enabled, &request.tags).await?;
            let mut state = state_of(&object)?;
            state.policy = Some(policy);
            let object = ObjectRecord { properties: state_value(&state)?, ..object };
            req.tx.object_put(&object).await?;
            req.set_object(format!("certificates/{}/{}", object.name, record.version));
            bundle(&vault, &object, &record)
        }
        .await;
        req.finish(result).await
    }

    /// Downloads a certificate version: DER, PEM, PEM with chain, or PFX with the private key.
    pub async fn download_certificate(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        version: Option<&str>,
        format: DownloadFormat,
        password: Option<&str>,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let action = if format == DownloadFormat::Pfx { actions::SECRET_GET } else { actions::CERTIFICATE_GET };
        let mut req = self.request(ctx, action).await?;
        req.set_object(format!("certificates/{name}"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            let (object, record) = objects::active_version(req.tx.as_mut(), &vault, KIND, name, version).await?;
            req.set_object(format!("certificates/{}/{}", object.name, record.version));
            let cert = bundle(&vault, &object, &record)?;
            let mut chain = vec![cert.cer.clone()];
            chain.extend(cert.chain.iter().cloned());
            Ok(match format {
                DownloadFormat::Der => Zeroizing::new(cert.cer.clone()),
                DownloadFormat::Pem => Zeroizing::new(vaultmort_certs::pem::write_pem(&chain[..1], None)?.as_bytes().to_vec()),
                DownloadFormat::PemChain => Zeroizing::new(vaultmort_certs::pem::write_pem(&chain, None)?.as_bytes().to_vec()),
                DownloadFormat::Pfx => {
                    if !cert.attributes.enabled {
                        return Err(Error::ObjectDisabled { kind: KIND, operation: "download".into() });
                    }
                    let state = state_of(&object)?;
                    if !state.policy.as_ref().is_none_or(|p| p.exportable()) {
                        return Err(Error::Forbidden(format!(
                            "the key of certificate '{name}' is not exportable, so no PFX with its private key can be made"
                        )));
                    }
                    let key_record = req
                        .tx
                        .version_get(&vault.id, ObjectKind::Key, &object.name, Some(&record.version))
                        .await?
                        .ok_or_else(|| Error::Integrity(format!("the key of '{name}' is missing")))?;
                    let key_props: StoredVersion<KeyMaterialInfo> = objects::decode(&key_record)?;
                    let handle = ProviderKey {
                        kind: key_props.extra.provider,
                        bytes: objects::open_material(self, req.tx.as_mut(), &key_record).await?,
                    };
                    let pkcs8 = self.export_pkcs8(&handle)?;
                    Zeroizing::new(vaultmort_certs::pfx::write_pfx(Some(&pkcs8), &chain, password, &object.name)?)
                }
            })
        }
        .await;
        req.finish(result).await
    }
}

#[derive(Clone, Copy)]
enum PendingStep {
    Show,
    Cancel,
    Delete,
}

/// Refuses AutoRenew where no issuer can renew (Unknown).
fn check_renewable(policy: &CertificatePolicy) -> Result<()> {
    if policy.issuer_name().eq_ignore_ascii_case("Unknown")
        && policy.lifetime_rules()?.iter().any(|r| r.action == vaultmort_certs::policy::ActionType::AutoRenew)
    {
        return Err(Error::bad(
            "a policy with issuer Unknown cannot use AutoRenew: nothing can renew it; use EmailContacts, or name an issuer that can renew",
        ));
    }
    Ok(())
}

/// Refuses a certificate name already used by an unmanaged key or secret.
async fn check_linked_names_free(req: &mut Request<'_>, vault: &Vault, name: &str) -> Result<()> {
    for kind in [ObjectKind::Key, ObjectKind::Secret] {
        if let Some(existing) = req.tx.object_get(&vault.id, kind, name).await? {
            let latest = req.tx.version_get(&vault.id, kind, &existing.name, None).await?;
            if !latest.as_ref().is_some_and(objects::is_managed) {
                return Err(Error::Conflict {
                    inner: "ObjectAlreadyExists",
                    message: format!(
                        "a {kind} named '{name}' already exists and is not managed by a certificate; choose another certificate name"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Gets (or makes) a key or secret object managed by a certificate.
async fn managed_object(req: &mut Request<'_>, vault: &Vault, kind: ObjectKind, name: &str) -> Result<(ObjectRecord, i64)> {
    objects::object_for_new_version(req.tx.as_mut(), vault, kind, name).await
}

/// The JWK type of a certificate's key: its shape, with `-HSM` when the HSM holds it.
fn key_type_of(key: &NewKey) -> KeyType {
    let hsm = key.handle.kind == vaultmort_crypto::ProviderKind::Pkcs11;
    match (key.public.ec_point().is_some(), hsm) {
        (true, false) => KeyType::Ec,
        (true, true) => KeyType::EcHsm,
        (false, false) => KeyType::Rsa,
        (false, true) => KeyType::RsaHsm,
    }
}
