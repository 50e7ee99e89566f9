//! Key Vault's JSON bodies, built from the core's types: camelCase names, `attributes` with Unix
//! times, ids as absolute URLs under the vault's base address (`https://<host>` as the client
//! sent it), deleted objects with `recoveryId`, `deletedDate` and `scheduledPurgeDate`.
//!
//! Most answers are typed structs deriving `Serialize` and `JsonSchema`, so the OpenAPI document
//! ([`crate::openapi`]) describes exactly what is written. Certificate policies and key rotation
//! policies are still untyped JSON ([`UntypedObject`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use vaultmort_core::keys::KeyBundle as CoreKeyBundle;
use vaultmort_core::model::{Attributes, Recovery, Tags};
use vaultmort_core::objects::DeletedInfo;
use vaultmort_core::secrets::SecretBundle as CoreSecretBundle;
use vaultmort_crypto::JsonWebKey;

/// base64url without padding, Key Vault's encoding for bytes.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn is_false(flag: &bool) -> bool {
    !flag
}

/// A version's attributes, times in Unix seconds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectAttributes {
    /// Whether the version may be used.
    pub enabled: bool,
    /// Not valid before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Not valid after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// When the version was made.
    pub created: i64,
    /// When it last changed.
    pub updated: i64,
    /// Key Vault's recovery level (`Recoverable+Purgeable`, ...).
    pub recovery_level: String,
    /// Days a deleted object stays recoverable.
    pub recoverable_days: u32,
    /// Keys only: whether the private key may be exported (never, here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exportable: Option<bool>,
}

fn attributes(attributes: &Attributes, recovery: &Recovery, exportable: Option<bool>) -> ObjectAttributes {
    ObjectAttributes {
        enabled: attributes.enabled,
        nbf: attributes.not_before.map(|t| t.timestamp()),
        exp: attributes.expires.map(|t| t.timestamp()),
        created: attributes.created.timestamp(),
        updated: attributes.updated.timestamp(),
        recovery_level: recovery.recovery_level.clone(),
        recoverable_days: recovery.recoverable_days,
        exportable,
    }
}

/// What a soft-deleted object carries besides its usual fields.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeletedFields {
    /// The URL that recovers or purges it.
    pub recovery_id: String,
    /// When it was deleted (Unix seconds).
    pub deleted_date: i64,
    /// When it will be purged (Unix seconds).
    pub scheduled_purge_date: i64,
}

fn deleted(deleted: &Option<DeletedInfo>, base: &str) -> Option<DeletedFields> {
    deleted.as_ref().map(|info| DeletedFields {
        recovery_id: format!("{base}/{}", info.recovery_path),
        deleted_date: info.deleted_date.timestamp(),
        scheduled_purge_date: info.scheduled_purge_date.timestamp(),
    })
}

/// A secret as listed (and as a delete answers): everything but its value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretItem {
    /// The version's URL.
    pub id: String,
    /// Its attributes.
    pub attributes: ObjectAttributes,
    /// The content type the client gave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Tags, when there are any.
    #[serde(skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Whether a certificate manages it.
    #[serde(skip_serializing_if = "is_false")]
    pub managed: bool,
    /// Soft-delete facts, for a deleted secret.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<DeletedFields>,
}

/// A secret version with its value (when the core returned one).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SecretBundle<'a> {
    /// Everything a listed secret has.
    #[serde(flatten)]
    pub item: SecretItem,
    /// The value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
    /// For a certificate's secret: the URL of its key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

/// A secret bundle (with its value when the core returned one).
pub fn secret<'a>(bundle: &'a CoreSecretBundle, base: &str) -> SecretBundle<'a> {
    let kid = bundle.key_id.as_ref().map(|kid| if kid.starts_with("https://") { kid.clone() } else { format!("{base}/{kid}") });
    SecretBundle { item: secret_item(bundle, base), value: bundle.value.as_ref().map(|v| v.as_str()), kid }
}

/// An object's URL without its version: how Key Vault names each object in a listing of the
/// current versions (`GET /secrets`, `/keys`, `/certificates`) and of deleted objects, where a
/// version listing names each version.
fn unversioned_url(id: &vaultmort_core::objects::ObjectId, base: &str) -> String {
    vaultmort_core::objects::ObjectId { version: None, ..id.clone() }.url(base)
}

/// A secret in a listing of current or deleted secrets: its id without the version.
pub fn listed_secret(bundle: &CoreSecretBundle, base: &str) -> SecretItem {
    SecretItem { id: unversioned_url(&bundle.id, base), ..secret_item(bundle, base) }
}

/// A key in a listing of current or deleted keys: its kid without the version.
pub fn listed_key(bundle: &CoreKeyBundle, base: &str) -> KeyItem {
    KeyItem { kid: unversioned_url(&bundle.id, base), ..key_item(bundle, base) }
}

/// A certificate in a listing of current or deleted certificates: its id without the version.
pub fn listed_certificate(bundle: &vaultmort_core::certificates::CertificateBundle, base: &str) -> CertificateItem {
    CertificateItem { id: unversioned_url(&bundle.id, base), ..certificate_item(bundle, base) }
}

/// A secret version as listed.
pub fn secret_item(bundle: &CoreSecretBundle, base: &str) -> SecretItem {
    SecretItem {
        id: bundle.id.url(base),
        attributes: attributes(&bundle.attributes, &bundle.recovery, None),
        content_type: bundle.content_type.clone(),
        tags: bundle.tags.clone(),
        managed: bundle.managed,
        deleted: deleted(&bundle.deleted, base),
    }
}

/// A key's public JSON Web Key; byte members in base64url.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicJwk {
    /// The key version's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Key type: `RSA`, `EC`, `RSA-HSM`, `EC-HSM`.
    pub kty: String,
    /// The operations the key permits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// RSA modulus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// EC curve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC x coordinate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC y coordinate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

impl PublicJwk {
    /// The public members of `jwk` (private ones, which a bundle never holds, are left out).
    fn of(jwk: &JsonWebKey) -> Self {
        let encoded = |bytes: &Option<Vec<u8>>| bytes.as_deref().map(b64url);
        PublicJwk {
            kid: jwk.kid.clone(),
            kty: jwk.kty.clone(),
            key_ops: jwk.key_ops.clone(),
            n: encoded(&jwk.n),
            e: encoded(&jwk.e),
            crv: jwk.crv.clone(),
            x: encoded(&jwk.x),
            y: encoded(&jwk.y),
        }
    }
}

/// A key as listed: its URL and attributes, no key material.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeyItem {
    /// The version's URL.
    pub kid: String,
    /// Its attributes.
    pub attributes: ObjectAttributes,
    /// Tags, when there are any.
    #[serde(skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Whether a certificate manages it.
    #[serde(skip_serializing_if = "is_false")]
    pub managed: bool,
    /// Soft-delete facts, for a deleted key.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<DeletedFields>,
}

/// A key version with its public JWK.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeyBundle {
    /// The public key.
    pub key: PublicJwk,
    /// Its attributes.
    pub attributes: ObjectAttributes,
    /// Tags, when there are any.
    #[serde(skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Whether a certificate manages it.
    #[serde(skip_serializing_if = "is_false")]
    pub managed: bool,
    /// Soft-delete facts, for a deleted key.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<DeletedFields>,
}

/// A key bundle with its public JWK.
pub fn key(bundle: &CoreKeyBundle, base: &str) -> KeyBundle {
    KeyBundle {
        key: PublicJwk::of(&bundle.jwk(base)),
        attributes: attributes(&bundle.attributes, &bundle.recovery, Some(false)),
        tags: bundle.tags.clone(),
        managed: bundle.managed,
        deleted: deleted(&bundle.deleted, base),
    }
}

/// A key version as listed.
pub fn key_item(bundle: &CoreKeyBundle, base: &str) -> KeyItem {
    KeyItem {
        kid: bundle.id.url(base),
        attributes: attributes(&bundle.attributes, &bundle.recovery, Some(false)),
        tags: bundle.tags.clone(),
        managed: bundle.managed,
        deleted: deleted(&bundle.deleted, base),
    }
}

/// The answer of encrypt, decrypt, wrap, unwrap and sign.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeyOperationResult {
    /// The URL of the key version that did it.
    pub kid: String,
    /// The result bytes, base64url.
    pub value: String,
}

/// The answer of verify.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerifyResult {
    /// Whether the signature is valid.
    pub value: bool,
}

/// Bytes as base64url under `value`: a backup blob, random bytes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Base64UrlValue {
    /// The bytes, base64url without padding.
    pub value: String,
}

impl Base64UrlValue {
    /// `bytes` encoded.
    pub fn of(bytes: &[u8]) -> Self {
        Self { value: b64url(bytes) }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(rename = "ListPageOf{T}")]
pub struct ListPage<T> {
    /// The items of this page.
    pub value: Vec<T>,
    /// The absolute URL of the next page; null on the last one.
    #[serde(rename = "nextLink")]
    pub next_link: Option<String>,
}

/// A JSON object whose shape is not typed in Rust yet (certificate policies, an imported JWK).
pub type UntypedObject = Map<String, Value>;

/// Key Vault's error body.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The error: a code and a message, and Azure's inner code where it gives one.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorDetail {
    /// Key Vault's code (`SecretNotFound`, `BadParameter`, ...).
    pub code: String,
    /// What happened, for a person.
    pub message: String,
    /// The inner code, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub innererror: Option<InnerError>,
}

/// Azure's inner error code (`ObjectIsDeletedButRecoverable`, ...).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InnerError {
    /// The inner code.
    pub code: String,
}

/// Standard base64, as Key Vault encodes `cer` and `csr`.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A certificate policy with its id.
pub fn policy(policy: &vaultmort_certs::CertificatePolicy, base: &str, name: &str) -> Value {
    let mut value = serde_json::to_value(policy).unwrap_or(Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.insert("id".into(), format!("{base}/certificates/{name}/policy").into());
    }
    value
}

/// A certificate as listed: its URL, thumbprint and attributes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateItem {
    /// The version's URL.
    pub id: String,
    /// The SHA-1 thumbprint, base64url.
    pub x5t: String,
    /// Its attributes.
    pub attributes: ObjectAttributes,
    /// Tags, when there are any.
    #[serde(skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Soft-delete facts, for a deleted certificate.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<DeletedFields>,
}

/// A certificate version with its DER, the URLs of its key and secret, and its policy.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateBundle {
    /// Everything a listed certificate has.
    #[serde(flatten)]
    pub item: CertificateItem,
    /// The URL of its key.
    pub kid: String,
    /// The URL of its secret.
    pub sid: String,
    /// The certificate, standard base64 of its DER.
    pub cer: String,
    /// Its policy with the policy's URL (not typed yet: any JSON object).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<UntypedObject>")]
    pub policy: Option<Value>,
    /// The content type of its secret (`application/x-pkcs12` or `application/x-pem-file`).
    #[serde(rename = "contentType", skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// A certificate bundle with its DER, key and secret ids, and policy.
pub fn certificate(bundle: &vaultmort_core::certificates::CertificateBundle, base: &str) -> CertificateBundle {
    let policy = bundle.policy.as_ref();
    CertificateBundle {
        item: certificate_item(bundle, base),
        kid: bundle.kid.url(base),
        sid: bundle.sid.url(base),
        cer: b64(&bundle.cer),
        policy: policy.map(|p| self::policy(p, base, &bundle.id.name)),
        content_type: policy.and_then(|p| p.content_type().ok()).map(|ct| ct.as_str().to_string()),
    }
}

/// A certificate as listed.
pub fn certificate_item(bundle: &vaultmort_core::certificates::CertificateBundle, base: &str) -> CertificateItem {
    CertificateItem {
        id: bundle.id.url(base),
        x5t: b64url(&bundle.x5t),
        attributes: attributes(&bundle.attributes, &bundle.recovery, None),
        tags: bundle.tags.clone(),
        deleted: deleted(&bundle.deleted, base),
    }
}

/// The issuer a pending operation was made for.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IssuerName {
    /// The issuer's name (`Self`, `Unknown`, an issuer of the vault).
    pub name: String,
}

/// Why a pending operation failed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OperationError {
    /// Always `CertificateOperationFailed`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// A certificate's pending operation (`/certificates/{name}/pending`), in Key Vault's snake_case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateOperation {
    /// The operation's URL.
    pub id: String,
    /// Its issuer.
    pub issuer: IssuerName,
    /// The certificate signing request, standard base64 of its DER.
    pub csr: String,
    /// Whether cancellation was asked for.
    pub cancellation_requested: bool,
    /// `inProgress`, `completed`, `cancelled` or `failed`.
    pub status: String,
    /// More on the status.
    pub status_details: String,
    /// The failure, when it failed.
    pub error: Option<OperationError>,
    /// The certificate's URL, once it exists.
    pub target: Option<String>,
    /// The request's id.
    pub request_id: String,
}

/// A certificate operation (`/certificates/{name}/pending`).
pub fn operation(op: &vaultmort_core::certificates::CertificateOperation, base: &str) -> CertificateOperation {
    CertificateOperation {
        id: format!("{base}/certificates/{}/pending", op.id.name),
        issuer: IssuerName { name: op.issuer_name.clone() },
        csr: b64(&op.csr),
        cancellation_requested: op.cancellation_requested,
        status: op.status.clone(),
        status_details: op.status_details.clone(),
        error: op.error.as_ref().map(|e| OperationError { code: "CertificateOperationFailed".into(), message: e.clone() }),
        target: op.target.as_ref().map(|t| t.url(base)),
        request_id: op.request_id.clone(),
    }
}

/// An issuer's administrator.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IssuerAdmin {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Email address.
    pub email: String,
    /// Phone number.
    pub phone: Option<String>,
}

/// An issuer's account (its password is never returned).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IssuerCredentials {
    /// The account id.
    pub account_id: Option<String>,
}

/// An issuer's organization.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IssuerOrganization {
    /// The organization's id.
    pub id: Option<String>,
    /// Its administrators.
    pub admin_details: Vec<IssuerAdmin>,
}

/// An issuer's attributes, times in Unix seconds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IssuerAttributes {
    /// Whether it may be used.
    pub enabled: bool,
    /// When it was made.
    pub created: i64,
    /// When it last changed.
    pub updated: i64,
}

/// A certificate issuer, in Key Vault's snake_case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateIssuer {
    /// The issuer's URL.
    pub id: String,
    /// The provider's name.
    pub provider: String,
    /// Its account.
    pub credentials: IssuerCredentials,
    /// Its organization.
    pub org_details: IssuerOrganization,
    /// Its attributes.
    pub attributes: IssuerAttributes,
}

/// A certificate issuer.
pub fn issuer(issuer: &vaultmort_core::issuers::Issuer, base: &str) -> CertificateIssuer {
    let admins = issuer
        .admin_details
        .iter()
        .map(|a| IssuerAdmin {
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            email: a.email.clone(),
            phone: a.phone.clone(),
        })
        .collect();
    CertificateIssuer {
        id: format!("{base}/certificates/issuers/{}", issuer.name),
        provider: issuer.provider.clone(),
        credentials: IssuerCredentials { account_id: issuer.account_id.clone() },
        org_details: IssuerOrganization { id: issuer.organization_id.clone(), admin_details: admins },
        attributes: IssuerAttributes { enabled: issuer.enabled, created: issuer.created.timestamp(), updated: issuer.updated.timestamp() },
    }
}

/// An issuer as listed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateIssuerItem {
    /// The issuer's URL.
    pub id: String,
    /// The provider's name.
    pub provider: String,
}

/// An issuer as listed.
pub fn issuer_item(issuer: &vaultmort_core::issuers::Issuer, base: &str) -> CertificateIssuerItem {
    CertificateIssuerItem { id: format!("{base}/certificates/issuers/{}", issuer.name), provider: issuer.provider.clone() }
}

/// One certificate contact.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateContact {
    /// Email address.
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

/// The vault's certificate contacts.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateContacts {
    /// The contacts' URL.
    pub id: String,
    /// The contacts.
    pub contacts: Vec<CertificateContact>,
}

/// The vault's certificate contacts.
pub fn contacts(contacts: &[vaultmort_core::issuers::Contact], base: &str) -> CertificateContacts {
    CertificateContacts {
        id: format!("{base}/certificates/contacts"),
        contacts: contacts
            .iter()
            .map(|c| CertificateContact { email: c.email.clone(), name: c.name.clone(), phone: c.phone.clone() })
            .collect(),
    }
}

/// A key's rotation policy.
pub fn rotation_policy(policy: &vaultmort_core::rotation::RotationPolicy, base: &str, name: &str) -> Value {
    let mut wire = policy.to_wire();
    if let Some(map) = wire.as_object_mut() {
        map.insert("id".into(), format!("{base}/keys/{name}/rotationpolicy").into());
    }
    wire
}
