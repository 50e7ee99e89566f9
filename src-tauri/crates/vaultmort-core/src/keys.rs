//! Keys: create, import, read, list, update, rotate and the six cryptographic operations, with
//! Key Vault's rules. Soft delete, recover, purge, backup and restore are kind-generic, in
//! [`crate::lifecycle`].
//!
//! Private operations (sign, decrypt, unwrapKey) run in the key's provider; public operations
//! (verify, encrypt, wrapKey) use the stored public key, as Key Vault performs them service-side
//! too. Every operation checks the version's `enabled` flag, its `key_ops`, and its validity
//! window: nothing works before `nbf`; after `exp`, encrypt, wrapKey and sign are refused while
//! decrypt, unwrapKey and verify still work so that older data stays readable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vaultmort_crypto::{
    CryptoProvider, EncryptionAlgorithm, JsonWebKey, KeyOperation, KeySpec, KeyType, ProviderKey, ProviderKind, PublicKey,
    SignatureAlgorithm,
};
use zeroize::Zeroizing;

use crate::authz::actions;
use crate::model::{AttributeChanges, Attributes, Recovery, Tags, Vault, check_validity_window};
use crate::objects::{self, DeletedInfo, Listing, ObjectId, StoredVersion};
use std::sync::Arc;

use crate::storage::{ObjectRecord, Transaction, VersionRecord};
use crate::{Error, ObjectKind, RequestContext, Result, Vaultmort, names};
use vaultmort_pkcs11::byok::{TransferBlob, TransferTarget};

const KIND: ObjectKind = ObjectKind::Key;

/// Key-specific stored properties of a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyMaterialInfo {
    /// JWK key type.
    pub kty: KeyType,
    /// Permitted operations.
    pub key_ops: Vec<KeyOperation>,
    /// The public key.
    pub public: PublicKey,
    /// Which provider holds the private key.
    pub provider: ProviderKind,
}

/// A key version as callers see it: id, public key, attributes, tags. Never private material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyBundle {
    /// The version's id.
    pub id: ObjectId,
    /// JWK key type.
    pub kty: KeyType,
    /// Permitted operations.
    pub key_ops: Vec<KeyOperation>,
    /// The public key.
    pub public: PublicKey,
    /// Attributes.
    pub attributes: Attributes,
    /// Recovery level and days.
    pub recovery: Recovery,
    /// Tags.
    pub tags: Tags,
    /// Whether a certificate manages this key.
    pub managed: bool,
    /// Set when the key is soft-deleted.
    pub deleted: Option<DeletedInfo>,
}

impl KeyBundle {
    /// The public JWK with `kid` set under `vault_base`.
    pub fn jwk(&self, vault_base: &str) -> JsonWebKey {
        JsonWebKey::from_public(&self.public, self.kty, Some(self.id.url(vault_base)), &self.key_ops)
    }
}

/// A request to create a key (or a new version of one).
#[derive(Debug, Clone)]
pub struct CreateKey {
    /// Key name.
    pub name: String,
    /// Key type; `-HSM` types need a premium vault.
    pub kty: KeyType,
    /// RSA size in bits (2048 when `None`).
    pub size: Option<u32>,
    /// EC curve (P-256 when `None`).
    pub curve: Option<vaultmort_crypto::Curve>,
    /// Operations; the type's defaults when `None`.
    pub key_ops: Option<Vec<KeyOperation>>,
    /// Enabled (default true).
    pub enabled: bool,
    /// Not valid before.
    pub not_before: Option<DateTime<Utc>>,
    /// Expires.
    pub expires: Option<DateTime<Utc>>,
    /// Tags.
    pub tags: Tags,
}

impl CreateKey {
    /// An enabled key with default parameters for its type.
    pub fn new(name: impl Into<String>, kty: KeyType) -> Self {
        Self {
            name: name.into(),
            kty,
            size: None,
            curve: None,
            key_ops: None,
            enabled: true,
            not_before: None,
            expires: None,
            tags: Tags::new(),
        }
    }

    fn spec(&self) -> Result<KeySpec> {
        if self.kty.is_rsa() {
            if self.curve.is_some() {
                return Err(Error::bad("--curve applies to EC keys; RSA keys take --size"));
            }
            Ok(KeySpec::rsa(self.size.unwrap_or(KeySpec::DEFAULT_RSA_SIZE))?)
        } else {
            if self.size.is_some() {
                return Err(Error::bad("--size applies to RSA keys; EC keys take --curve"));
            }
            Ok(KeySpec::Ec { curve: self.curve.unwrap_or(KeySpec::DEFAULT_CURVE) })
        }
    }
}

/// A request to import a private JWK.
#[derive(Debug, Clone)]
pub struct ImportKey {
    /// Key name.
    pub name: String,
    /// The key, with every private member.
    pub jwk: JsonWebKey,
    /// Put it in an HSM (needs a premium vault).
    pub hsm: bool,
    /// Enabled (default true).
    pub enabled: bool,
    /// Not valid before.
    pub not_before: Option<DateTime<Utc>>,
    /// Expires.
    pub expires: Option<DateTime<Utc>>,
    /// Tags.
    pub tags: Tags,
    /// Operations; the JWK's `key_ops`, else the type's defaults.
    pub key_ops: Option<Vec<KeyOperation>>,
}

impl ImportKey {
    /// Imports `jwk` as the software key `name`: enabled, no dates, no tags, the JWK's own
    /// operations.
    pub fn new(name: impl Into<String>, jwk: JsonWebKey) -> Self {
        Self { name: name.into(), jwk, hsm: false, enabled: true, not_before: None, expires: None, tags: Tags::default(), key_ops: None }
    }
}

/// Changes to a key version.
#[derive(Debug, Clone, Default)]
pub struct UpdateKey {
    /// Attributes and tags.
    pub attributes: AttributeChanges,
    /// New operations.
    pub key_ops: Option<Vec<KeyOperation>>,
}

/// Result of encrypt, decrypt, wrapKey and unwrapKey.
#[derive(Clone, PartialEq, Eq)]
pub struct CryptoResult {
    /// The key version used.
    pub kid: ObjectId,
    /// The output bytes (plaintext for decrypt and unwrapKey: handle with care).
    pub value: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for CryptoResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CryptoResult({:?}, {} bytes)", self.kid, self.value.len())
    }
}

/// Result of verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyResult {
    /// The key version used.
    pub kid: ObjectId,
    /// Whether the signature matches.
    pub valid: bool,
}

/// Which key version a cryptographic operation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef<'a> {
    /// Vault name.
    pub vault: &'a str,
    /// Key name.
    pub name: &'a str,
    /// Version; the newest when `None`.
    pub version: Option<&'a str>,
}

impl<'a> KeyRef<'a> {
    /// The newest version of `name` in `vault`.
    pub fn latest(vault: &'a str, name: &'a str) -> Self {
        Self { vault, name, version: None }
    }
    /// A given version.
    pub fn version(vault: &'a str, name: &'a str, version: Option<&'a str>) -> Self {
        Self { vault, name, version }
    }
}

pub(crate) type KeyVersion = StoredVersion<KeyMaterialInfo>;

fn check_key_ops(kty: KeyType, ops: &[KeyOperation]) -> Result<()> {
    if let Some(bad) = ops.iter().find(|op| !op.applies_to(kty)) {
        return Err(Error::bad(format!("key operation '{bad}' is not possible with a {kty} key")));
    }
    Ok(())
}

pub(crate) fn bundle(vault: &Vault, object: &ObjectRecord, record: &VersionRecord) -> Result<KeyBundle> {
    let props: KeyVersion = objects::decode(record)?;
    Ok(KeyBundle {
        id: objects::version_id(vault, record),
        kty: props.extra.kty,
        key_ops: props.extra.key_ops,
        public: props.extra.public,
        attributes: props.attributes,
        recovery: objects::recovery(vault),
        tags: props.tags,
        managed: props.managed,
        deleted: objects::deleted_info(object),
    })
}

/// Which rule an operation is checked against.
fn check_usable(props: &KeyVersion, op: KeyOperation, now: DateTime<Utc>) -> Result<()> {
    if !props.attributes.enabled {
        return Err(Error::ObjectDisabled { kind: KIND, operation: op.to_string() });
    }
    if !props.extra.key_ops.contains(&op) {
        let allowed = props.extra.key_ops.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ");
        return Err(Error::OperationNotAllowed { operation: op.to_string(), allowed });
    }
    if let Some(nbf) = props.attributes.not_before
        && now < nbf
    {
        return Err(Error::KeyNotYetValid { operation: op.to_string(), not_before: nbf.to_rfc3339() });
    }
    if let Some(exp) = props.attributes.expires {
        let refused_after_expiry = matches!(op, KeyOperation::Encrypt | KeyOperation::WrapKey | KeyOperation::Sign);
        if now >= exp && refused_after_expiry {
            return Err(Error::KeyExpired { operation: op.to_string(), expires: exp.to_rfc3339() });
        }
    }
    Ok(())
}

/// The key name and version a transfer blob's `kid` names, which must be a key of `vault`
/// (Key Vault takes a blob only into the vault whose KEK it was made for).
fn kek_reference(kid: &str, vault: &str) -> Result<(String, Option<String>)> {
    let refused = || {
        Error::bad(format!(
            "the key-transfer blob's kid '{kid}' is not a key URL of vault '{vault}' (https://{vault}.<host>/keys/<name>/<version>)"
        ))
    };
    let rest = kid.split_once("://").map(|(_, rest)| rest).ok_or_else(refused)?;
    let (host, path) = rest.split_once('/').ok_or_else(refused)?;
    let host_vault = host.split('.').next().unwrap_or_default();
    if !host_vault.eq_ignore_ascii_case(vault) {
        return Err(Error::bad(format!(
            "the key-transfer blob was made for a key-exchange key of vault '{host_vault}', not of '{vault}': import it into the vault whose KEK wrapped it"
        )));
    }
    let mut parts = path.trim_end_matches('/').split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("keys"), Some(name), version, None) if !name.is_empty() => {
            Ok((name.to_string(), version.filter(|v| !v.is_empty()).map(str::to_string)))
        }
        _ => Err(refused()),
    }
}

/// Azure's refusal of an HSM key type in a standard vault.
pub(crate) fn check_sku_allows(vault: &Vault, kty: KeyType) -> Result<()> {
    if kty.is_hsm() && vault.sku != crate::model::Sku::Premium {
        return Err(Error::bad(format!(
            "Hardware key operation not allowed on standard vault. '{}' is a standard vault; {kty} keys need a premium vault (change its SKU with 'keyvault update --sku premium')",
            vault.name
        )));
    }
    Ok(())
}

impl Vaultmort {
    /// The provider that makes keys of type `kty` in `vault`: `-HSM` types need a premium vault
    /// and an HSM provider.
    /// and the home's HSM (made on first use, in `tx`).
    pub(crate) async fn key_provider(&self, tx: &mut dyn Transaction, vault: &Vault, kty: KeyType) -> Result<Arc<dyn CryptoProvider>> {
        check_sku_allows(vault, kty)?;
        if kty.is_hsm() {
            self.provider_for_type(kty)?;
            return Ok(self.hsm_provider_making(tx).await?);
        }
        Ok(self.software.clone())
    }

    /// Whether keys of type `kty` can be made in this installation, whatever the vault, or why
    /// not. The key catalog reports the same answer as each type's availability.
    pub(crate) fn provider_for_type(&self, kty: KeyType) -> Result<()> {
        if kty.is_hsm() {
            return self.hsm_possible();
        }
        Ok(())
    }

    /// The provider holding keys of `kind`.
    pub(crate) async fn provider_of(&self, tx: &mut dyn Transaction, kind: ProviderKind) -> Result<Arc<dyn CryptoProvider>> {
        match kind {
            ProviderKind::Software => Ok(self.software.clone()),
            ProviderKind::Pkcs11 => Ok(self.hsm_provider(tx).await?),
        }
    }

    /// Stores a new version of a key made by a provider.
    #[allow(clippy::too_many_arguments)]
    async fn store_new_key(
        &self,
        req: &mut crate::pipeline::Request<'_>,
        vault: &Vault,
        name: &str,
        kty: KeyType,
        key_ops: Vec<KeyOperation>,
        attributes: Attributes,
        tags: Tags,
        new_key: vaultmort_crypto::NewKey,
    ) -> Result<KeyBundle> {
        objects::refuse_if_managed(req.tx.as_mut(), vault, KIND, name, "add versions to").await?;
        let (object, sequence) = objects::object_for_new_version(req.tx.as_mut(), vault, KIND, name).await?;
        let version = names::new_version_id();
        req.set_object(format!("keys/{}/{version}", object.name));
        let props = KeyVersion {
            attributes,
            tags,
            managed: false,
            extra: KeyMaterialInfo { kty, key_ops, public: new_key.public, provider: new_key.handle.kind },
        };
        let record = objects::put_version(
            self,
            req.tx.as_mut(),
            vault,
            objects::NewVersion { object: &object, version: &version, sequence },
            &props,
            Some(&new_key.handle.bytes),
        )
        .await?;
        bundle(vault, &object, &record)
    }

    /// Creates a key, or a new version of an existing key.
    pub async fn create_key(&self, ctx: &RequestContext, vault_name: &str, request: CreateKey) -> Result<KeyBundle> {
        let mut req = self.request(ctx, actions::KEY_CREATE).await?;
        req.set_object(format!("keys/{}", request.name));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            names::check_object_name(KIND, &request.name)?;
            names::check_tags(&request.tags)?;
            check_validity_window(request.not_before, request.expires)?;
            let spec = request.spec()?;
            let key_ops = request.key_ops.clone().unwrap_or_else(|| KeyOperation::defaults_for(request.kty));
            check_key_ops(request.kty, &key_ops)?;
            let provider = self.key_provider(req.tx.as_mut(), &vault, request.kty).await?;
            // Refuse a deleted name before spending time on key generation.
            objects::object_for_new_version(req.tx.as_mut(), &vault, KIND, &request.name).await?;
            let new_key = provider.generate(spec)?;
            let attributes = Attributes::made_at(req.now, request.enabled, request.not_before, request.expires);
            self.store_new_key(&mut req, &vault, &request.name, request.kty, key_ops, attributes, request.tags.clone(), new_key).await
        }
        .await;
        req.finish(result).await
    }

    /// Imports a private JWK as a key (or a new version of one).
    pub async fn import_key(&self, ctx: &RequestContext, vault_name: &str, request: ImportKey) -> Result<KeyBundle> {
        let mut req = self.request(ctx, actions::KEY_IMPORT).await?;
        req.set_object(format!("keys/{}", request.name));
        if let Some(private) = &request.jwk.d {
            req.note_sensitive("key", private);
        }
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            names::check_object_name(KIND, &request.name)?;
            names::check_tags(&request.tags)?;
            check_validity_window(request.not_before, request.expires)?;
            if let Some(blob) = &request.jwk.key_hsm {
                return self.import_transferred(&mut req, &vault, &request, blob).await;
            }
            let jwk_type = request.jwk.key_type()?;
            let kty = match (jwk_type.is_rsa(), request.hsm || jwk_type.is_hsm()) {
                (true, false) => KeyType::Rsa,
                (true, true) => KeyType::RsaHsm,
                (false, false) => KeyType::Ec,
                (false, true) => KeyType::EcHsm,
            };
            let key_ops = match (&request.key_ops, request.jwk.key_operations()?) {
                (Some(ops), _) => ops.clone(),
                (None, Some(ops)) if !ops.is_empty() => ops,
                _ => KeyOperation::defaults_for(kty),
            };
            check_key_ops(kty, &key_ops)?;
            let provider = self.key_provider(req.tx.as_mut(), &vault, kty).await?;
            let new_key = provider.import_jwk(&request.jwk)?;
            let attributes = Attributes::made_at(req.now, request.enabled, request.not_before, request.expires);
            self.store_new_key(&mut req, &vault, &request.name, kty, key_ops, attributes, request.tags.clone(), new_key).await
        }
        .await;
        req.finish(result).await
    }

    /// Bring your own key: imports a key-transfer blob (`key_hsm`) wrapped for a key-exchange
    /// key of this vault, unwrapping it inside the HSM.
    async fn import_transferred(
        &self,
        req: &mut crate::pipeline::Request<'_>,
        vault: &Vault,
        request: &ImportKey,
        blob: &[u8],
    ) -> Result<KeyBundle> {
        let (kty, target) = match request.jwk.kty.as_str() {
            "RSA-HSM" | "RSA" => (KeyType::RsaHsm, TransferTarget::Rsa),
            "EC-HSM" | "EC" => (KeyType::EcHsm, TransferTarget::Ec),
            other => return Err(Error::bad(format!("a key transfer (key_hsm) imports an RSA-HSM or EC-HSM key, not kty '{other}'"))),
        };
        check_sku_allows(vault, kty)?;
        let blob = TransferBlob::parse(blob)?;
        let ciphertext = blob.ciphertext_bytes()?;
        let (kek_name, kek_version) = kek_reference(&blob.header.kid, &vault.name)?;
        // An unknown KEK is answered KeyNotFound, naming the key the blob's header gives.
        let (_, kek_record) = objects::active_version(req.tx.as_mut(), vault, KIND, &kek_name, kek_version.as_deref()).await?;
        let kek: KeyVersion = objects::decode(&kek_record)?;
        if kek.extra.kty != KeyType::RsaHsm || kek.extra.provider != ProviderKind::Pkcs11 {
            return Err(Error::bad(format!("key '{kek_name}' is a {} key; a key-exchange key is an RSA-HSM key", kek.extra.kty)));
        }
        if kek.extra.key_ops != [KeyOperation::Import] {
            let ops = kek.extra.key_ops.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ");
            return Err(Error::bad(format!(
                "key '{kek_name}' allows [{ops}]; a key-exchange key allows exactly the operation 'import' (create it with --ops import)"
            )));
        }
        check_usable(&kek, KeyOperation::Import, req.now)?;
        let kek_handle = self.provider_key(req, &kek_record, &kek).await?;
        let hsm = self.hsm_provider(req.tx.as_mut()).await?;
        let new_key = hsm.import_transfer(&kek_handle, &kek.extra.public, &ciphertext, target)?;
        let key_ops = match (&request.key_ops, request.jwk.key_operations()?) {
            (Some(ops), _) => ops.clone(),
            (None, Some(ops)) if !ops.is_empty() => ops,
            _ => KeyOperation::defaults_for(kty),
        };
        if let Err(e) = check_key_ops(kty, &key_ops) {
            let _ = hsm.destroy(&new_key.handle);
            return Err(e);
        }
        let attributes = Attributes::made_at(req.now, request.enabled, request.not_before, request.expires);
        let stored = self.store_new_key(req, vault, &request.name, kty, key_ops, attributes, request.tags.clone(), new_key.clone()).await;
        if stored.is_err() {
            let _ = hsm.destroy(&new_key.handle);
        }
        stored
    }

    /// The type and shape of key `name` in `vault` (its newest version unless `version` names
    /// one), for practice throttling to pick the counter Key Vault's service limits give that
    /// kind of key. Not an operation: it answers the caller nothing (the request it is asked for
    /// then runs through the pipeline, which authorizes and audits it), reads only public
    /// metadata, and is `None` whenever the key cannot be found.
    pub async fn key_shape_for_throttling(
        &self,
        vault: &str,
        name: &str,
        version: Option<&str>,
    ) -> Option<(KeyType, vaultmort_crypto::KeySpec)> {
        let mut tx = self.storage.begin_read().await.ok()?;
        let vault = tx.vault_get(vault).await.ok()??;
        let record = tx.version_get(&vault.id, KIND, name, version).await.ok()??;
        let props: KeyVersion = objects::decode(&record).ok()?;
        Some((props.extra.kty, props.extra.public.spec()))
    }

    /// Shows a key version (the newest when `version` is `None`).
    pub async fn get_key(&self, ctx: &RequestContext, vault: &str, name: &str, version: Option<&str>) -> Result<KeyBundle> {
        self.show_version(ctx, actions::KEY_GET, (KIND, vault, name), version, bundle).await
    }

    /// Lists keys: the newest version of each.
    pub async fn list_keys(&self, ctx: &RequestContext, vault: &str) -> Result<Vec<KeyBundle>> {
        self.listing(ctx, actions::KEY_LIST, (KIND, vault), Listing::Latest, bundle).await
    }

    /// Lists every version of a key, oldest first.
    pub async fn list_key_versions(&self, ctx: &RequestContext, vault: &str, name: &str) -> Result<Vec<KeyBundle>> {
        self.listing(ctx, actions::KEY_LIST, (KIND, vault), Listing::Versions(name), bundle).await
    }

    /// Changes a version's attributes, tags or operations.
    pub async fn update_key(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        version: Option<&str>,
        update: UpdateKey,
    ) -> Result<KeyBundle> {
        let mut req = self.request(ctx, actions::KEY_UPDATE).await?;
        req.set_object(format!("keys/{name}"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            objects::refuse_if_managed(req.tx.as_mut(), &vault, KIND, name, "update").await?;
            let (object, mut record) = objects::active_version(req.tx.as_mut(), &vault, KIND, name, version).await?;
            req.set_object(format!("keys/{}/{}", object.name, record.version));
            let mut props: KeyVersion = objects::decode(&record)?;
            update.attributes.apply(&mut props.attributes, &mut props.tags, req.now)?;
            if let Some(ops) = &update.key_ops {
                check_key_ops(props.extra.kty, ops)?;
                props.extra.key_ops = ops.clone();
            }
            record.properties = objects::encode(&props)?;
            req.tx.version_put(&record).await?;
            bundle(&vault, &object, &record)
        }
        .await;
        req.finish(result).await
    }

    /// Random bytes from the vault's generator (Key Vault's `rng`), 1 to 128 at a time.
    pub async fn random_bytes(&self, ctx: &RequestContext, vault_name: &str, count: usize) -> Result<Zeroizing<Vec<u8>>> {
        let mut req = self.request(ctx, actions::KEY_RANDOM_BYTES).await?;
        let result = async {
            req.data_vault(vault_name).await?;
            if !(1..=128).contains(&count) {
                return Err(Error::bad(format!("count must be from 1 to 128, not {count}")));
            }
            Ok(Zeroizing::new(vaultmort_crypto::aead::random_bytes(count)?))
        }
        .await;
        req.finish(result).await
    }

    /// Makes a new version with the same type, size or curve, operations and tags.
    pub async fn rotate_key(&self, ctx: &RequestContext, vault_name: &str, name: &str) -> Result<KeyBundle> {
        let mut req = self.request(ctx, actions::KEY_ROTATE).await?;
        req.set_object(format!("keys/{name}"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            self.rotate_latest(&mut req, &vault, name).await
        }
        .await;
        req.finish(result).await
    }

    /// Makes a new version of key `name` like its latest one (type, size or curve, operations,
    /// tags), with the expiry its rotation policy's `expiryTime` gives, and records
    /// `KeyNewVersionCreated`. Shared by `rotate_key` and the rotation policy's Rotate action.
    pub(crate) async fn rotate_latest(&self, req: &mut crate::pipeline::Request<'_>, vault: &Vault, name: &str) -> Result<KeyBundle> {
        let (object, latest) = objects::active_version(req.tx.as_mut(), vault, KIND, name, None).await?;
        let props: KeyVersion = objects::decode(&latest)?;
        if props.managed {
            return Err(Error::bad(format!("key '{name}' is managed by a certificate; renew the certificate instead")));
        }
        let expires = match crate::rotation::stored_policy(&object)? {
            Some(policy) => policy.expiry_days()?.map(|days| req.now + chrono::Duration::days(i64::from(days))),
            None => None,
        };
        let provider = self.key_provider(req.tx.as_mut(), vault, props.extra.kty).await?;
        let new_key = provider.generate(props.extra.public.spec())?;
        let attributes = Attributes::made_at(req.now, true, None, expires);
        let bundle = self
            .store_new_key(req, vault, &latest.name, props.extra.kty, props.extra.key_ops.clone(), attributes, props.tags.clone(), new_key)
            .await?;
        let version = bundle.id.version.clone().unwrap_or_default();
        crate::rotation::record_key_event(
            req,
            vault,
            &latest.name,
            &version,
            "KeyNewVersionCreated",
            serde_json::json!({"expires": expires}),
        )
        .await?;
        Ok(bundle)
    }

    async fn usable_key(
        req: &mut crate::pipeline::Request<'_>,
        key: KeyRef<'_>,
        op: KeyOperation,
    ) -> Result<(Vault, VersionRecord, KeyVersion)> {
        let (vault, _, record) = req.data_version(key.vault, KIND, key.name, key.version).await?;
        let props: KeyVersion = objects::decode(&record)?;
        check_usable(&props, op, req.now)?;
        Ok((vault, record, props))
    }

    async fn provider_key(
        &self,
        req: &mut crate::pipeline::Request<'_>,
        record: &VersionRecord,
        props: &KeyVersion,
    ) -> Result<ProviderKey> {
        let bytes = objects::open_material(self, req.tx.as_mut(), record).await?;
        Ok(ProviderKey { kind: props.extra.provider, bytes })
    }

    /// Signs a digest.
    pub async fn sign(&self, ctx: &RequestContext, key: KeyRef<'_>, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<CryptoResult> {
        let mut req = self.request(ctx, actions::KEY_SIGN).await?;
        req.set_object(format!("keys/{}", key.name));
        req.note_sensitive("digest", digest);
        let result = async {
            let (vault, record, props) = Self::usable_key(&mut req, key, KeyOperation::Sign).await?;
            props.extra.public.check_signature_algorithm(algorithm)?;
            algorithm.check_digest(digest)?;
            let handle = self.provider_key(&mut req, &record, &props).await?;
            let signature =
                self.provider_of(req.tx.as_mut(), props.extra.provider).await?.sign(&handle, &props.extra.public, algorithm, digest)?;
            Ok(CryptoResult { kid: objects::version_id(&vault, &record), value: Zeroizing::new(signature) })
        }
        .await;
        req.finish(result).await
    }

    /// Verifies a signature over a digest.
    pub async fn verify(
        &self,
        ctx: &RequestContext,
        key: KeyRef<'_>,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        let mut req = self.request(ctx, actions::KEY_VERIFY).await?;
        req.set_object(format!("keys/{}", key.name));
        let result = async {
            let (vault, record, props) = Self::usable_key(&mut req, key, KeyOperation::Verify).await?;
            let valid = props.extra.public.verify(algorithm, digest, signature)?;
            Ok(VerifyResult { kid: objects::version_id(&vault, &record), valid })
        }
        .await;
        req.finish(result).await
    }

    async fn public_encrypt(
        &self,
        ctx: &RequestContext,
        key: KeyRef<'_>,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
        op: KeyOperation,
    ) -> Result<CryptoResult> {
        let action = if op == KeyOperation::WrapKey { actions::KEY_WRAP } else { actions::KEY_ENCRYPT };
        let mut req = self.request(ctx, action).await?;
        req.set_object(format!("keys/{}", key.name));
        req.note_sensitive("value", plaintext);
        let result = async {
            let (vault, record, props) = Self::usable_key(&mut req, key, op).await?;
            let ciphertext = props.extra.public.encrypt(algorithm, plaintext)?;
            Ok(CryptoResult { kid: objects::version_id(&vault, &record), value: Zeroizing::new(ciphertext) })
        }
        .await;
        req.finish(result).await
    }

    async fn private_decrypt(
        &self,
        ctx: &RequestContext,
        key: KeyRef<'_>,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
        op: KeyOperation,
    ) -> Result<CryptoResult> {
        let action = if op == KeyOperation::UnwrapKey { actions::KEY_UNWRAP } else { actions::KEY_DECRYPT };
        let mut req = self.request(ctx, action).await?;
        req.set_object(format!("keys/{}", key.name));
        req.note_sensitive("value", ciphertext);
        let result = async {
            let (vault, record, props) = Self::usable_key(&mut req, key, op).await?;
            props.extra.public.check_encryption_algorithm(algorithm)?;
            let handle = self.provider_key(&mut req, &record, &props).await?;
            let plaintext = self.provider_of(req.tx.as_mut(), props.extra.provider).await?.decrypt(
                &handle,
                &props.extra.public,
                algorithm,
                ciphertext,
            )?;
            Ok(CryptoResult { kid: objects::version_id(&vault, &record), value: plaintext })
        }
        .await;
        req.finish(result).await
    }

    /// Encrypts with the key's public half.
    pub async fn encrypt(
        &self,
        ctx: &RequestContext,
        key: KeyRef<'_>,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
    ) -> Result<CryptoResult> {
        self.public_encrypt(ctx, key, algorithm, plaintext, KeyOperation::Encrypt).await
    }

    /// Decrypts with the private key.
    pub async fn decrypt(
        &self,
        ctx: &RequestContext,
        key: KeyRef<'_>,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
    ) -> Result<CryptoResult> {
        self.private_decrypt(ctx, key, algorithm, ciphertext, KeyOperation::Decrypt).await
    }

    /// Wraps a symmetric key with the key's public half.
    pub async fn wrap_key(
        &self,
        ctx: &RequestContext,
        key: KeyRef<'_>,
        algorithm: EncryptionAlgorithm,
        key_bytes: &[u8],
    ) -> Result<CryptoResult> {
        self.public_encrypt(ctx, key, algorithm, key_bytes, KeyOperation::WrapKey).await
    }

    /// Unwraps a symmetric key with the private key.
    pub async fn unwrap_key(
        &self,
        ctx: &RequestContext,
        key: KeyRef<'_>,
        algorithm: EncryptionAlgorithm,
        wrapped: &[u8],
    ) -> Result<CryptoResult> {
        self.private_decrypt(ctx, key, algorithm, wrapped, KeyOperation::UnwrapKey).await
    }
}

/// HSM token objects to destroy once the purge of their key records has committed. Destroying
/// them before the commit could leave records whose key is gone; after it, a failure leaves at
/// worst an unused token object.
#[derive(Default)]
pub(crate) struct TokenCleanup {
    provider: Option<Arc<dyn CryptoProvider>>,
    handles: Vec<ProviderKey>,
}

impl TokenCleanup {
    /// Notes the HSM handles of every version of key `name` in vault `vault_id`.
    pub(crate) async fn collect(&mut self, core: &Vaultmort, tx: &mut dyn Transaction, vault_id: &str, name: &str) -> Result<()> {
        for record in tx.version_list(vault_id, KIND, name).await? {
            let props: KeyVersion = objects::decode(&record)?;
            if props.extra.provider != ProviderKind::Pkcs11 || record.sealed.is_none() {
                continue;
            }
            if self.provider.is_none() {
                self.provider = Some(core.provider_of(tx, ProviderKind::Pkcs11).await?);
            }
            let bytes = objects::open_material(core, tx, &record).await?;
            self.handles.push(ProviderKey { kind: ProviderKind::Pkcs11, bytes });
        }
        Ok(())
    }

    /// Destroys the noted token objects. Returns the first failure, after trying them all.
    pub(crate) fn run(self) -> Result<()> {
        let Some(provider) = self.provider else { return Ok(()) };
        let mut first = None;
        for handle in &self.handles {
            if let Err(e) = provider.destroy(handle) {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), |e| Err(e.into()))
    }
}
