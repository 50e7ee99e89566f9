//! Every route the REST door answers, as data: [`RouteId`] names one, [`recognize`] finds it
//! from a method and the path's segments, and [`RouteId::spec`] describes it (method, path
//! template, Azure's operation name, request and response shapes, statuses) for the OpenAPI
//! document ([`crate::openapi`]).
//!
//! The dispatcher in [`crate::routes`] matches on [`RouteId`] alone, so nothing is answered that
//! is not listed here; the tests check that [`recognize`] answers exactly the templates of
//! [`RouteId::spec`]. Key Vault's quirks stay plain patterns: an empty version segment
//! (`/secrets/{n}/`, `/keys/{n}//sign`) means the latest version.
//!
//! Left out: the query string and the Host (which vault) are not part of a route.

use axum::http::Method;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::certificate_routes as certs;
use crate::dto;
use crate::routes as data;

/// One route of the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteId {
    // The token endpoint and the documents served without a token.
    /// `POST /{tenant}/oauth2/v2.0/token`: issues a practice bearer token for client credentials (form-encoded; OAuth-shaped errors).
    Token,
    /// `GET /{tenant}/v2.0/.well-known/openid-configuration`: the tenant's OpenID configuration: where the token endpoint is and how clients authenticate.
    OpenIdConfiguration,
    /// `GET /.well-known/openapi.json`: this document, with the server named by the requesting host.
    OpenApiDocument,
    // Resource Manager, on the server's own host.
    /// `GET /metadata/endpoints`: the cloud's endpoints, for `az cloud register`.
    CloudMetadata,
    /// `GET //metadata/endpoints`: the same, as a client asks that joins a Resource Manager URL
    /// ending in `/` with `/metadata/endpoints`.
    CloudMetadataDoubleSlash,
    /// `GET /subscriptions`: the subscriptions the caller holds a role in.
    SubscriptionList,
    /// `GET /subscriptions/{subscription-id}`: one subscription the caller holds a role in.
    SubscriptionGet,
    // Secrets.
    /// `GET /secrets`: lists the secrets, latest versions, without values.
    SecretList,
    /// `POST /secrets/restore`: restores a secret with all its versions from a backup blob.
    SecretRestore,
    /// `PUT /secrets/{secret-name}`: sets a secret's value as a new version.
    SecretSet,
    /// `DELETE /secrets/{secret-name}`: soft-deletes a secret with all its versions.
    SecretDelete,
    /// `GET /secrets/{secret-name}/versions`: lists a secret's versions, without values.
    SecretVersions,
    /// `POST /secrets/{secret-name}/backup`: a protected blob holding the secret with all its versions.
    SecretBackup,
    /// `GET /secrets/{secret-name}`: the latest version of a secret, with its value.
    SecretGetLatest,
    /// `GET /secrets/{secret-name}/{secret-version}`: one version of a secret with its value (an empty version means the latest).
    SecretGet,
    /// `PATCH /secrets/{secret-name}/{secret-version}`: changes a secret version's attributes, content type or tags (not its value).
    SecretUpdate,
    /// `GET /deletedsecrets`: lists the soft-deleted secrets.
    DeletedSecretList,
    /// `GET /deletedsecrets/{secret-name}`: a soft-deleted secret, with its purge date.
    DeletedSecretGet,
    /// `DELETE /deletedsecrets/{secret-name}`: erases a soft-deleted secret for good.
    DeletedSecretPurge,
    /// `POST /deletedsecrets/{secret-name}/recover`: brings a soft-deleted secret back.
    DeletedSecretRecover,
    // Keys.
    /// `GET /keys`: lists the keys, latest versions, without key material.
    KeyList,
    /// `POST /keys/restore`: restores a key with all its versions from a backup blob.
    KeyRestore,
    /// `POST /keys/{key-name}/create`: creates a key (or a new version of one) of the given type and size or curve.
    KeyCreate,
    /// `PUT /keys/{key-name}`: imports a key from a JSON Web Key (or a BYOK transfer blob) as a new version.
    KeyImport,
    /// `DELETE /keys/{key-name}`: soft-deletes a key with all its versions.
    KeyDelete,
    /// `GET /keys/{key-name}/versions`: lists a key's versions.
    KeyVersions,
    /// `POST /keys/{key-name}/backup`: a protected blob holding the key with all its versions.
    KeyBackup,
    /// `POST /keys/{key-name}/rotate`: makes a new version of the key with fresh material.
    KeyRotate,
    /// `GET /keys/{key-name}/rotationpolicy`: the key's rotation policy.
    KeyRotationPolicyGet,
    /// `PUT /keys/{key-name}/rotationpolicy`: sets the key's rotation policy.
    KeyRotationPolicySet,
    /// `GET /keys/{key-name}`: the latest version of a key, with its public JSON Web Key.
    KeyGetLatest,
    /// `GET /keys/{key-name}/{key-version}`: one version of a key with its public JSON Web Key (an empty version means the latest).
    KeyGet,
    /// `PATCH /keys/{key-name}/{key-version}`: changes a key version's attributes, permitted operations or tags.
    KeyUpdate,
    /// `POST /keys/{key-name}/{key-version}/encrypt`: encrypts a short value with the key.
    KeyEncrypt,
    /// `POST /keys/{key-name}/{key-version}/decrypt`: decrypts a value encrypted with the key.
    KeyDecrypt,
    /// `POST /keys/{key-name}/{key-version}/wrapkey`: wraps a symmetric key with the key.
    KeyWrap,
    /// `POST /keys/{key-name}/{key-version}/unwrapkey`: unwraps a symmetric key wrapped with the key.
    KeyUnwrap,
    /// `POST /keys/{key-name}/{key-version}/sign`: signs a digest with the key.
    KeySign,
    /// `POST /keys/{key-name}/{key-version}/verify`: checks a signature of a digest with the key.
    KeyVerify,
    /// `POST /keys/{key-name}/{key-version}/release`: secure key release: not supported by Vaultmort.
    KeyRelease,
    /// `GET /keys/{key-name}/{key-version}/attestation`: key attestation: not supported by Vaultmort.
    KeyAttestation,
    /// `POST /rng`: random bytes from the vault.
    RandomBytes,
    /// `GET /deletedkeys`: lists the soft-deleted keys.
    DeletedKeyList,
    /// `GET /deletedkeys/{key-name}`: a soft-deleted key, with its purge date.
    DeletedKeyGet,
    /// `DELETE /deletedkeys/{key-name}`: erases a soft-deleted key for good.
    DeletedKeyPurge,
    /// `POST /deletedkeys/{key-name}/recover`: brings a soft-deleted key back.
    DeletedKeyRecover,
    // Certificates.
    /// `GET /certificates`: lists the certificates, latest versions.
    CertificateList,
    /// `POST /certificates/restore`: restores a certificate with all its versions from a backup blob.
    CertificateRestore,
    /// `GET /certificates/contacts`: the vault's certificate contacts.
    CertificateContactsGet,
    /// `PUT /certificates/contacts`: replaces the vault's certificate contacts.
    CertificateContactsSet,
    /// `DELETE /certificates/contacts`: removes the vault's certificate contacts.
    CertificateContactsDelete,
    /// `GET /certificates/issuers`: lists the certificate issuers.
    CertificateIssuerList,
    /// `PUT /certificates/issuers/{issuer-name}`: creates or replaces a certificate issuer.
    CertificateIssuerSet,
    /// `PATCH /certificates/issuers/{issuer-name}`: changes the given fields of a certificate issuer.
    CertificateIssuerUpdate,
    /// `GET /certificates/issuers/{issuer-name}`: a certificate issuer.
    CertificateIssuerGet,
    /// `DELETE /certificates/issuers/{issuer-name}`: removes a certificate issuer.
    CertificateIssuerDelete,
    /// `POST /certificates/{certificate-name}/create`: starts creating a certificate (self-signed, by the practice CA, or Unknown for a CSR to merge later).
    CertificateCreate,
    /// `POST /certificates/{certificate-name}/import`: imports a certificate with its private key from PFX (base64) or PEM.
    CertificateImport,
    /// `GET /certificates/{certificate-name}/versions`: lists a certificate's versions.
    CertificateVersions,
    /// `GET /certificates/{certificate-name}/policy`: the certificate's policy.
    CertificatePolicyGet,
    /// `PATCH /certificates/{certificate-name}/policy`: changes the certificate's policy for its next versions.
    CertificatePolicyUpdate,
    /// `GET /certificates/{certificate-name}/pending`: the certificate's pending creation: status, CSR, target.
    CertificateOperationGet,
    /// `PATCH /certificates/{certificate-name}/pending`: asks to cancel the certificate's pending creation.
    CertificateOperationCancel,
    /// `DELETE /certificates/{certificate-name}/pending`: removes the certificate's pending creation.
    CertificateOperationDelete,
    /// `POST /certificates/{certificate-name}/pending/merge`: completes a pending certificate with the chain its CSR was signed into.
    CertificateMerge,
    /// `POST /certificates/{certificate-name}/backup`: a protected blob holding the certificate with all its versions.
    CertificateBackup,
    /// `DELETE /certificates/{certificate-name}`: soft-deletes a certificate with its key and secret.
    CertificateDelete,
    /// `GET /certificates/{certificate-name}`: the latest version of a certificate.
    CertificateGetLatest,
    /// `GET /certificates/{certificate-name}/{certificate-version}`: one version of a certificate (an empty version means the latest).
    CertificateGet,
    /// `PATCH /certificates/{certificate-name}/{certificate-version}`: changes a certificate version's attributes or tags.
    CertificateUpdate,
    /// `GET /deletedcertificates`: lists the soft-deleted certificates.
    DeletedCertificateList,
    /// `GET /deletedcertificates/{certificate-name}`: a soft-deleted certificate, with its purge date.
    DeletedCertificateGet,
    /// `DELETE /deletedcertificates/{certificate-name}`: erases a soft-deleted certificate for good.
    DeletedCertificatePurge,
    /// `POST /deletedcertificates/{certificate-name}/recover`: brings a soft-deleted certificate back.
    DeletedCertificateRecover,
}

/// A recognized request: the route and the values of its path parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteMatch<'a> {
    /// Which route.
    pub id: RouteId,
    /// The object's name (secret, key, certificate or issuer), the tenant of the token routes
    /// or the subscription id; empty for routes on a collection.
    pub name: &'a str,
    /// The version segment when the route has one and it is not empty (empty means latest).
    pub version: Option<&'a str>,
}

/// Finds the route for `method` and the path's `segments` (the path without its leading `/`,
/// split on `/`). `None`: the door has no such route.
pub fn recognize<'a>(method: &Method, segments: &[&'a str]) -> Option<RouteMatch<'a>> {
    use RouteId::*;
    let (id, name, version): (RouteId, &str, Option<&str>) = match (method.as_str(), segments) {
        ("POST", [tenant, "oauth2", "v2.0", "token"]) => (Token, tenant, None),
        ("GET", [tenant, "v2.0", ".well-known", "openid-configuration"]) => (OpenIdConfiguration, tenant, None),
        ("GET", [".well-known", "openapi.json"]) => (OpenApiDocument, "", None),

        ("GET", ["metadata", "endpoints"]) => (CloudMetadata, "", None),
        ("GET", ["", "metadata", "endpoints"]) => (CloudMetadataDoubleSlash, "", None),
        ("GET", ["subscriptions"]) => (SubscriptionList, "", None),
        ("GET", ["subscriptions", id]) => (SubscriptionGet, id, None),

        ("GET", ["secrets"]) => (SecretList, "", None),
        ("POST", ["secrets", "restore"]) => (SecretRestore, "", None),
        ("PUT", ["secrets", name]) => (SecretSet, name, None),
        ("DELETE", ["secrets", name]) => (SecretDelete, name, None),
        ("GET", ["secrets", name, "versions"]) => (SecretVersions, name, None),
        ("POST", ["secrets", name, "backup"]) => (SecretBackup, name, None),
        ("GET", ["secrets", name]) => (SecretGetLatest, name, None),
        ("GET", ["secrets", name, v]) => (SecretGet, name, version(v)),
        ("PATCH", ["secrets", name, v]) => (SecretUpdate, name, version(v)),
        ("GET", ["deletedsecrets"]) => (DeletedSecretList, "", None),
        ("GET", ["deletedsecrets", name]) => (DeletedSecretGet, name, None),
        ("DELETE", ["deletedsecrets", name]) => (DeletedSecretPurge, name, None),
        ("POST", ["deletedsecrets", name, "recover"]) => (DeletedSecretRecover, name, None),

        ("GET", ["keys"]) => (KeyList, "", None),
        ("POST", ["keys", "restore"]) => (KeyRestore, "", None),
        ("POST", ["keys", name, "create"]) => (KeyCreate, name, None),
        ("PUT", ["keys", name]) => (KeyImport, name, None),
        ("DELETE", ["keys", name]) => (KeyDelete, name, None),
        ("GET", ["keys", name, "versions"]) => (KeyVersions, name, None),
        ("POST", ["keys", name, "backup"]) => (KeyBackup, name, None),
        ("POST", ["keys", name, "rotate"]) => (KeyRotate, name, None),
        ("GET", ["keys", name, "rotationpolicy"]) => (KeyRotationPolicyGet, name, None),
        ("PUT", ["keys", name, "rotationpolicy"]) => (KeyRotationPolicySet, name, None),
        ("GET", ["keys", name]) => (KeyGetLatest, name, None),
        ("GET", ["keys", name, v]) => (KeyGet, name, version(v)),
        ("PATCH", ["keys", name, v]) => (KeyUpdate, name, version(v)),
        ("POST", ["keys", name, v, "encrypt"]) => (KeyEncrypt, name, version(v)),
        ("POST", ["keys", name, v, "decrypt"]) => (KeyDecrypt, name, version(v)),
        ("POST", ["keys", name, v, "wrapkey"]) => (KeyWrap, name, version(v)),
        ("POST", ["keys", name, v, "unwrapkey"]) => (KeyUnwrap, name, version(v)),
        ("POST", ["keys", name, v, "sign"]) => (KeySign, name, version(v)),
        ("POST", ["keys", name, v, "verify"]) => (KeyVerify, name, version(v)),
        ("POST", ["keys", name, v, "release"]) => (KeyRelease, name, version(v)),
        ("GET", ["keys", name, v, "attestation"]) => (KeyAttestation, name, version(v)),
        ("POST", ["rng"]) => (RandomBytes, "", None),
        ("GET", ["deletedkeys"]) => (DeletedKeyList, "", None),
        ("GET", ["deletedkeys", name]) => (DeletedKeyGet, name, None),
        ("DELETE", ["deletedkeys", name]) => (DeletedKeyPurge, name, None),
        ("POST", ["deletedkeys", name, "recover"]) => (DeletedKeyRecover, name, None),

        ("GET", ["certificates"]) => (CertificateList, "", None),
        ("POST", ["certificates", "restore"]) => (CertificateRestore, "", None),
        ("GET", ["certificates", "contacts"]) => (CertificateContactsGet, "", None),
        ("PUT", ["certificates", "contacts"]) => (CertificateContactsSet, "", None),
        ("DELETE", ["certificates", "contacts"]) => (CertificateContactsDelete, "", None),
        ("GET", ["certificates", "issuers"]) => (CertificateIssuerList, "", None),
        ("PUT", ["certificates", "issuers", name]) => (CertificateIssuerSet, name, None),
        ("PATCH", ["certificates", "issuers", name]) => (CertificateIssuerUpdate, name, None),
        ("GET", ["certificates", "issuers", name]) => (CertificateIssuerGet, name, None),
        ("DELETE", ["certificates", "issuers", name]) => (CertificateIssuerDelete, name, None),
        ("POST", ["certificates", name, "create"]) => (CertificateCreate, name, None),
        ("POST", ["certificates", name, "import"]) => (CertificateImport, name, None),
        ("GET", ["certificates", name, "versions"]) => (CertificateVersions, name, None),
        ("GET", ["certificates", name, "policy"]) => (CertificatePolicyGet, name, None),
        ("PATCH", ["certificates", name, "policy"]) => (CertificatePolicyUpdate, name, None),
        ("GET", ["certificates", name, "pending"]) => (CertificateOperationGet, name, None),
        ("PATCH", ["certificates", name, "pending"]) => (CertificateOperationCancel, name, None),
        ("DELETE", ["certificates", name, "pending"]) => (CertificateOperationDelete, name, None),
        ("POST", ["certificates", name, "pending", "merge"]) => (CertificateMerge, name, None),
        ("POST", ["certificates", name, "backup"]) => (CertificateBackup, name, None),
        ("DELETE", ["certificates", name]) => (CertificateDelete, name, None),
        ("GET", ["certificates", name]) => (CertificateGetLatest, name, None),
        ("GET", ["certificates", name, v]) => (CertificateGet, name, version(v)),
        ("PATCH", ["certificates", name, v]) => (CertificateUpdate, name, version(v)),
        ("GET", ["deletedcertificates"]) => (DeletedCertificateList, "", None),
        ("GET", ["deletedcertificates", name]) => (DeletedCertificateGet, name, None),
        ("DELETE", ["deletedcertificates", name]) => (DeletedCertificatePurge, name, None),
        ("POST", ["deletedcertificates", name, "recover"]) => (DeletedCertificateRecover, name, None),
        _ => return None,
    };
    Some(RouteMatch { id, name, version })
}

/// An empty version segment means the latest version.
fn version(segment: &str) -> Option<&str> {
    (!segment.is_empty()).then_some(segment)
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: answered before the bearer check, without `api-version`.
    Public,
    /// A bearer token for the vault resource; Key Vault's `api-version` is required.
    Bearer,
    /// Resource Manager, on the server's own host (`localhost`, an IP address): a bearer token
    /// for the management resource and a dated `api-version`.
    Management,
    /// Resource Manager's metadata, on the server's own host: no token, a dated `api-version`.
    ManagementMetadata,
}

/// Builds the JSON Schema of a body with the generator of the document.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// How a route answers when it succeeds.
#[derive(Clone, Copy)]
pub enum Answer {
    /// This status with a JSON body of this shape.
    Json(u16, SchemaFn),
    /// This status with no body.
    Empty(u16),
    /// Always 501 `NotSupported`: a Key Vault operation Vaultmort does not implement.
    NotSupported,
}

/// What the OpenAPI document says of one route.
#[derive(Clone, Copy)]
pub struct RouteSpec {
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, with `{parameter}` segments.
    pub template: &'static str,
    /// The operation's name (Azure's, where Key Vault has the operation).
    pub operation_id: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// The group it is listed under (`secrets`, `keys`, ...).
    pub tag: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The JSON request body, when it takes one.
    pub request: Option<SchemaFn>,
    /// The success answer.
    pub answer: Answer,
    /// Whether it answers one page of a listing (`maxresults`, `$skiptoken`, `nextLink`).
    pub paged: bool,
}

/// The schema of `T` (a `$ref` to the document's components for named types).
fn shape<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// Any JSON object: for the shapes not yet typed in Rust (see the REST doc).
fn any_object(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "object"})
}

/// An optional query parameter a route reads besides `api-version` and paging.
#[derive(Debug, Clone, Copy)]
pub struct QueryOption {
    /// Its name in the query string.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// The values it takes.
    pub values: &'static [&'static str],
}

/// `outContentType` on a secret read: a certificate's secret as PFX or PEM.
pub const OUT_CONTENT_TYPE: QueryOption = QueryOption {
    name: "outContentType",
    description: "For a certificate's secret: the format to return it in (converted from the stored one); refused for a plain secret.",
    values: &["application/x-pkcs12", "application/x-pem-file"],
};

impl RouteId {
    /// The optional query parameters the route reads besides `api-version` and paging.
    pub fn query_options(self) -> &'static [QueryOption] {
        match self {
            RouteId::SecretGet | RouteId::SecretGetLatest => &[OUT_CONTENT_TYPE],
            _ => &[],
        }
    }

    /// Every route, in the order the document lists them.
    pub const ALL: [RouteId; 74] = {
        use RouteId::*;
        [
            Token,
            OpenIdConfiguration,
            OpenApiDocument,
            CloudMetadata,
            CloudMetadataDoubleSlash,
            SubscriptionList,
            SubscriptionGet,
            SecretList,
            SecretRestore,
            SecretSet,
            SecretDelete,
            SecretVersions,
            SecretBackup,
            SecretGetLatest,
            SecretGet,
            SecretUpdate,
            DeletedSecretList,
            DeletedSecretGet,
            DeletedSecretPurge,
            DeletedSecretRecover,
            KeyList,
            KeyRestore,
            KeyCreate,
            KeyImport,
            KeyDelete,
            KeyVersions,
            KeyBackup,
            KeyRotate,
            KeyRotationPolicyGet,
            KeyRotationPolicySet,
            KeyGetLatest,
            KeyGet,
            KeyUpdate,
            KeyEncrypt,
            KeyDecrypt,
            KeyWrap,
            KeyUnwrap,
            KeySign,
            KeyVerify,
            KeyRelease,
            KeyAttestation,
            RandomBytes,
            DeletedKeyList,
            DeletedKeyGet,
            DeletedKeyPurge,
            DeletedKeyRecover,
            CertificateList,
            CertificateRestore,
            CertificateContactsGet,
            CertificateContactsSet,
            CertificateContactsDelete,
            CertificateIssuerList,
            CertificateIssuerSet,
            CertificateIssuerUpdate,
            CertificateIssuerGet,
            CertificateIssuerDelete,
            CertificateCreate,
            CertificateImport,
            CertificateVersions,
            CertificatePolicyGet,
            CertificatePolicyUpdate,
            CertificateOperationGet,
            CertificateOperationCancel,
            CertificateOperationDelete,
            CertificateMerge,
            CertificateBackup,
            CertificateDelete,
            CertificateGetLatest,
            CertificateGet,
            CertificateUpdate,
            DeletedCertificateList,
            DeletedCertificateGet,
            DeletedCertificatePurge,
            DeletedCertificateRecover,
        ]
    };

    /// Whether it is answered without a token.
    pub fn is_public(self) -> bool {
        self.spec().access == Access::Public
    }

    /// What the document says of this route.
    pub fn spec(self) -> RouteSpec {
        use RouteId::*;
        // (method, template, operation id, summary, request, answer, paged)
        let (method, template, operation_id, summary, request, answer, paged): (_, _, _, _, Option<SchemaFn>, _, _) = match self {
            Token => (
                "POST",
                "/{tenant}/oauth2/v2.0/token",
                "IssueToken",
                "Issues a practice bearer token for client credentials (form-encoded; OAuth-shaped errors).",
                Some(any_object as SchemaFn),
                Answer::Json(200, any_object),
                false,
            ),
            OpenIdConfiguration => (
                "GET",
                "/{tenant}/v2.0/.well-known/openid-configuration",
                "GetOpenIdConfiguration",
                "The tenant's OpenID configuration: where the token endpoint is and how clients authenticate.",
                None,
                Answer::Json(200, any_object),
                false,
            ),
            OpenApiDocument => (
                "GET",
                "/.well-known/openapi.json",
                "GetOpenApiDocument",
                "This document, with the server named by the requesting host.",
                None,
                Answer::Json(200, any_object),
                false,
            ),

            CloudMetadata => (
                "GET",
                "/metadata/endpoints",
                "GetCloudMetadata",
                "This server as a cloud: its authority, management audience, Resource Manager URL and vault DNS suffix.",
                None,
                Answer::Json(200, any_object),
                false,
            ),
            CloudMetadataDoubleSlash => (
                "GET",
                "//metadata/endpoints",
                "GetCloudMetadataDoubleSlash",
                "The cloud metadata again, for clients that join a Resource Manager URL ending in a slash with /metadata.",
                None,
                Answer::Json(200, any_object),
                false,
            ),
            SubscriptionList => (
                "GET",
                "/subscriptions",
                "Subscriptions_List",
                "The subscriptions the caller holds a role in (what az login lists).",
                None,
                Answer::Json(200, any_object),
                false,
            ),
            SubscriptionGet => (
                "GET",
                "/subscriptions/{subscription-id}",
                "Subscriptions_Get",
                "One subscription the caller holds a role in.",
                None,
                Answer::Json(200, any_object),
                false,
            ),

            SecretList => (
                "GET",
                "/secrets",
                "GetSecrets",
                "Lists the secrets, latest versions, without values.",
                None,
                page::<dto::SecretItem>(),
                true,
            ),
            SecretRestore => (
                "POST",
                "/secrets/restore",
                "RestoreSecret",
                "Restores a secret with all its versions from a backup blob.",
                Some(shape::<data::BlobIn>),
                secret(),
                false,
            ),
            SecretSet => (
                "PUT",
                "/secrets/{secret-name}",
                "SetSecret",
                "Sets a secret's value as a new version.",
                Some(shape::<data::SecretSetIn>),
                secret(),
                false,
            ),
            SecretDelete => (
                "DELETE",
                "/secrets/{secret-name}",
                "DeleteSecret",
                "Soft-deletes a secret with all its versions.",
                None,
                Answer::Json(200, shape::<dto::SecretItem>),
                false,
            ),
            SecretVersions => (
                "GET",
                "/secrets/{secret-name}/versions",
                "GetSecretVersions",
                "Lists a secret's versions, without values.",
                None,
                page::<dto::SecretItem>(),
                true,
            ),
            SecretBackup => (
                "POST",
                "/secrets/{secret-name}/backup",
                "BackupSecret",
                "A protected blob holding the secret with all its versions.",
                None,
                blob(),
                false,
            ),
            SecretGetLatest => (
                "GET",
                "/secrets/{secret-name}",
                "GetLatestSecret",
                "The latest version of a secret, with its value.",
                None,
                secret(),
                false,
            ),
            SecretGet => (
                "GET",
                "/secrets/{secret-name}/{secret-version}",
                "GetSecret",
                "One version of a secret with its value (an empty version means the latest).",
                None,
                secret(),
                false,
            ),
            SecretUpdate => (
                "PATCH",
                "/secrets/{secret-name}/{secret-version}",
                "UpdateSecret",
                "Changes a secret version's attributes, content type or tags (not its value).",
                Some(shape::<data::SecretUpdateIn>),
                secret(),
                false,
            ),
            DeletedSecretList => {
                ("GET", "/deletedsecrets", "GetDeletedSecrets", "Lists the soft-deleted secrets.", None, page::<dto::SecretItem>(), true)
            }
            DeletedSecretGet => (
                "GET",
                "/deletedsecrets/{secret-name}",
                "GetDeletedSecret",
                "A soft-deleted secret, with its purge date.",
                None,
                Answer::Json(200, shape::<dto::SecretItem>),
                false,
            ),
            DeletedSecretPurge => (
                "DELETE",
                "/deletedsecrets/{secret-name}",
                "PurgeDeletedSecret",
                "Erases a soft-deleted secret for good.",
                None,
                Answer::Empty(204),
                false,
            ),
            DeletedSecretRecover => (
                "POST",
                "/deletedsecrets/{secret-name}/recover",
                "RecoverDeletedSecret",
                "Brings a soft-deleted secret back.",
                None,
                secret(),
                false,
            ),

            KeyList => {
                ("GET", "/keys", "GetKeys", "Lists the keys, latest versions, without key material.", None, page::<dto::KeyItem>(), true)
            }
            KeyRestore => (
                "POST",
                "/keys/restore",
                "RestoreKey",
                "Restores a key with all its versions from a backup blob.",
                Some(shape::<data::BlobIn>),
                key(),
                false,
            ),
            KeyCreate => (
                "POST",
                "/keys/{key-name}/create",
                "CreateKey",
                "Creates a key (or a new version of one) of the given type and size or curve.",
                Some(shape::<data::KeyCreateIn>),
                key(),
                false,
            ),
            KeyImport => (
                "PUT",
                "/keys/{key-name}",
                "ImportKey",
                "Imports a key from a JSON Web Key (or a BYOK transfer blob) as a new version.",
                Some(shape::<data::KeyImportIn>),
                key(),
                false,
            ),
            KeyDelete => ("DELETE", "/keys/{key-name}", "DeleteKey", "Soft-deletes a key with all its versions.", None, key(), false),
            KeyVersions => {
                ("GET", "/keys/{key-name}/versions", "GetKeyVersions", "Lists a key's versions.", None, page::<dto::KeyItem>(), true)
            }
            KeyBackup => (
                "POST",
                "/keys/{key-name}/backup",
                "BackupKey",
                "A protected blob holding the key with all its versions.",
                None,
                blob(),
                false,
            ),
            KeyRotate => {
                ("POST", "/keys/{key-name}/rotate", "RotateKey", "Makes a new version of the key with fresh material.", None, key(), false)
            }
            KeyRotationPolicyGet => (
                "GET",
                "/keys/{key-name}/rotationpolicy",
                "GetKeyRotationPolicy",
                "The key's rotation policy.",
                None,
                Answer::Json(200, any_object),
                false,
            ),
            KeyRotationPolicySet => (
                "PUT",
                "/keys/{key-name}/rotationpolicy",
                "UpdateKeyRotationPolicy",
                "Sets the key's rotation policy.",
                Some(any_object as SchemaFn),
                Answer::Json(200, any_object),
                false,
            ),
            KeyGetLatest => (
                "GET",
                "/keys/{key-name}",
                "GetLatestKey",
                "The latest version of a key, with its public JSON Web Key.",
                None,
                key(),
                false,
            ),
            KeyGet => (
                "GET",
                "/keys/{key-name}/{key-version}",
                "GetKey",
                "One version of a key with its public JSON Web Key (an empty version means the latest).",
                None,
                key(),
                false,
            ),
            KeyUpdate => (
                "PATCH",
                "/keys/{key-name}/{key-version}",
                "UpdateKey",
                "Changes a key version's attributes, permitted operations or tags.",
                Some(shape::<data::KeyUpdateIn>),
                key(),
                false,
            ),
            KeyEncrypt => (
                "POST",
                "/keys/{key-name}/{key-version}/encrypt",
                "Encrypt",
                "Encrypts a short value with the key.",
                Some(shape::<data::CryptoIn>),
                operation(),
                false,
            ),
            KeyDecrypt => (
                "POST",
                "/keys/{key-name}/{key-version}/decrypt",
                "Decrypt",
                "Decrypts a value encrypted with the key.",
                Some(shape::<data::CryptoIn>),
                operation(),
                false,
            ),
            KeyWrap => (
                "POST",
                "/keys/{key-name}/{key-version}/wrapkey",
                "WrapKey",
                "Wraps a symmetric key with the key.",
                Some(shape::<data::CryptoIn>),
                operation(),
                false,
            ),
            KeyUnwrap => (
                "POST",
                "/keys/{key-name}/{key-version}/unwrapkey",
                "UnwrapKey",
                "Unwraps a symmetric key wrapped with the key.",
                Some(shape::<data::CryptoIn>),
                operation(),
                false,
            ),
            KeySign => (
                "POST",
                "/keys/{key-name}/{key-version}/sign",
                "Sign",
                "Signs a digest with the key.",
                Some(shape::<data::CryptoIn>),
                operation(),
                false,
            ),
            KeyVerify => (
                "POST",
                "/keys/{key-name}/{key-version}/verify",
                "Verify",
                "Checks a signature of a digest with the key.",
                Some(shape::<data::VerifyIn>),
                Answer::Json(200, shape::<dto::VerifyResult>),
                false,
            ),
            KeyRelease => (
                "POST",
                "/keys/{key-name}/{key-version}/release",
                "Release",
                "Secure key release: not supported by Vaultmort.",
                None,
                Answer::NotSupported,
                false,
            ),
            KeyAttestation => (
                "GET",
                "/keys/{key-name}/{key-version}/attestation",
                "GetKeyAttestation",
                "Key attestation: not supported by Vaultmort.",
                None,
                Answer::NotSupported,
                false,
            ),
            RandomBytes => (
                "POST",
                "/rng",
                "GetRandomBytes",
                "Random bytes from the vault.",
                Some(shape::<data::RandomIn>),
                Answer::Json(200, shape::<dto::Base64UrlValue>),
                false,
            ),
            DeletedKeyList => ("GET", "/deletedkeys", "GetDeletedKeys", "Lists the soft-deleted keys.", None, page::<dto::KeyItem>(), true),
            DeletedKeyGet => {
                ("GET", "/deletedkeys/{key-name}", "GetDeletedKey", "A soft-deleted key, with its purge date.", None, key(), false)
            }
            DeletedKeyPurge => (
                "DELETE",
                "/deletedkeys/{key-name}",
                "PurgeDeletedKey",
                "Erases a soft-deleted key for good.",
                None,
                Answer::Empty(204),
                false,
            ),
            DeletedKeyRecover => {
                ("POST", "/deletedkeys/{key-name}/recover", "RecoverDeletedKey", "Brings a soft-deleted key back.", None, key(), false)
            }

            CertificateList => (
                "GET",
                "/certificates",
                "GetCertificates",
                "Lists the certificates, latest versions.",
                None,
                page::<dto::CertificateItem>(),
                true,
            ),
            CertificateRestore => (
                "POST",
                "/certificates/restore",
                "RestoreCertificate",
                "Restores a certificate with all its versions from a backup blob.",
                Some(shape::<data::BlobIn>),
                certificate(),
                false,
            ),
            CertificateContactsGet => (
                "GET",
                "/certificates/contacts",
                "GetCertificateContacts",
                "The vault's certificate contacts.",
                None,
                Answer::Json(200, shape::<dto::CertificateContacts>),
                false,
            ),
            CertificateContactsSet => (
                "PUT",
                "/certificates/contacts",
                "SetCertificateContacts",
                "Replaces the vault's certificate contacts.",
                Some(shape::<certs::ContactsIn>),
                Answer::Json(200, shape::<dto::CertificateContacts>),
                false,
            ),
            CertificateContactsDelete => (
                "DELETE",
                "/certificates/contacts",
                "DeleteCertificateContacts",
                "Removes the vault's certificate contacts.",
                None,
                Answer::Json(200, shape::<dto::CertificateContacts>),
                false,
            ),
            CertificateIssuerList => (
                "GET",
                "/certificates/issuers",
                "GetCertificateIssuers",
                "Lists the certificate issuers.",
                None,
                page::<dto::CertificateIssuerItem>(),
                true,
            ),
            CertificateIssuerSet => (
                "PUT",
                "/certificates/issuers/{issuer-name}",
                "SetCertificateIssuer",
                "Creates or replaces a certificate issuer.",
                Some(shape::<certs::IssuerIn>),
                Answer::Json(200, shape::<dto::CertificateIssuer>),
                false,
            ),
            CertificateIssuerUpdate => (
                "PATCH",
                "/certificates/issuers/{issuer-name}",
                "UpdateCertificateIssuer",
                "Changes the given fields of a certificate issuer.",
                Some(shape::<certs::IssuerIn>),
                Answer::Json(200, shape::<dto::CertificateIssuer>),
                false,
            ),
            CertificateIssuerGet => (
                "GET",
                "/certificates/issuers/{issuer-name}",
                "GetCertificateIssuer",
                "A certificate issuer.",
                None,
                Answer::Json(200, shape::<dto::CertificateIssuer>),
                false,
            ),
            CertificateIssuerDelete => (
                "DELETE",
                "/certificates/issuers/{issuer-name}",
                "DeleteCertificateIssuer",
                "Removes a certificate issuer.",
                None,
                Answer::Json(200, shape::<dto::CertificateIssuer>),
                false,
            ),
            CertificateCreate => (
                "POST",
                "/certificates/{certificate-name}/create",
                "CreateCertificate",
                "Starts creating a certificate (self-signed, by the practice CA, or Unknown for a CSR to merge later).",
                Some(shape::<certs::CreateIn>),
                Answer::Json(202, shape::<dto::CertificateOperation>),
                false,
            ),
            CertificateImport => (
                "POST",
                "/certificates/{certificate-name}/import",
                "ImportCertificate",
                "Imports a certificate with its private key from PFX (base64) or PEM.",
                Some(shape::<certs::ImportIn>),
                certificate(),
                false,
            ),
            CertificateVersions => (
                "GET",
                "/certificates/{certificate-name}/versions",
                "GetCertificateVersions",
                "Lists a certificate's versions.",
                None,
                page::<dto::CertificateItem>(),
                true,
            ),
            CertificatePolicyGet => (
                "GET",
                "/certificates/{certificate-name}/policy",
                "GetCertificatePolicy",
                "The certificate's policy.",
                None,
                Answer::Json(200, any_object),
                false,
            ),
            CertificatePolicyUpdate => (
                "PATCH",
                "/certificates/{certificate-name}/policy",
                "UpdateCertificatePolicy",
                "Changes the certificate's policy for its next versions.",
                Some(any_object as SchemaFn),
                Answer::Json(200, any_object),
                false,
            ),
            CertificateOperationGet => (
                "GET",
                "/certificates/{certificate-name}/pending",
                "GetCertificateOperation",
                "The certificate's pending creation: status, CSR, target.",
                None,
                Answer::Json(200, shape::<dto::CertificateOperation>),
                false,
            ),
            CertificateOperationCancel => (
                "PATCH",
                "/certificates/{certificate-name}/pending",
                "UpdateCertificateOperation",
                "Asks to cancel the certificate's pending creation.",
                Some(shape::<certs::CancelIn>),
                Answer::Json(200, shape::<dto::CertificateOperation>),
                false,
            ),
            CertificateOperationDelete => (
                "DELETE",
                "/certificates/{certificate-name}/pending",
                "DeleteCertificateOperation",
                "Removes the certificate's pending creation.",
                None,
                Answer::Json(200, shape::<dto::CertificateOperation>),
                false,
            ),
            CertificateMerge => (
                "POST",
                "/certificates/{certificate-name}/pending/merge",
                "MergeCertificate",
                "Completes a pending certificate with the chain its CSR was signed into.",
                Some(shape::<certs::MergeIn>),
                Answer::Json(201, shape::<dto::CertificateBundle>),
                false,
            ),
            CertificateBackup => (
                "POST",
                "/certificates/{certificate-name}/backup",
                "BackupCertificate",
                "A protected blob holding the certificate with all its versions.",
                None,
                blob(),
                false,
            ),
            CertificateDelete => (
                "DELETE",
                "/certificates/{certificate-name}",
                "DeleteCertificate",
                "Soft-deletes a certificate with its key and secret.",
                None,
                certificate(),
                false,
            ),
            CertificateGetLatest => (
                "GET",
                "/certificates/{certificate-name}",
                "GetLatestCertificate",
                "The latest version of a certificate.",
                None,
                certificate(),
                false,
            ),
            CertificateGet => (
                "GET",
                "/certificates/{certificate-name}/{certificate-version}",
                "GetCertificate",
                "One version of a certificate (an empty version means the latest).",
                None,
                certificate(),
                false,
            ),
            CertificateUpdate => (
                "PATCH",
                "/certificates/{certificate-name}/{certificate-version}",
                "UpdateCertificate",
                "Changes a certificate version's attributes or tags.",
                Some(shape::<certs::UpdateIn>),
                certificate(),
                false,
            ),
            DeletedCertificateList => (
                "GET",
                "/deletedcertificates",
                "GetDeletedCertificates",
                "Lists the soft-deleted certificates.",
                None,
                page::<dto::CertificateItem>(),
                true,
            ),
            DeletedCertificateGet => (
                "GET",
                "/deletedcertificates/{certificate-name}",
                "GetDeletedCertificate",
                "A soft-deleted certificate, with its purge date.",
                None,
                certificate(),
                false,
            ),
            DeletedCertificatePurge => (
                "DELETE",
                "/deletedcertificates/{certificate-name}",
                "PurgeDeletedCertificate",
                "Erases a soft-deleted certificate for good.",
                None,
                Answer::Empty(204),
                false,
            ),
            DeletedCertificateRecover => (
                "POST",
                "/deletedcertificates/{certificate-name}/recover",
                "RecoverDeletedCertificate",
                "Brings a soft-deleted certificate back.",
                None,
                certificate(),
                false,
            ),
        };
        let tag = match template.trim_start_matches('/').split('/').next() {
            Some("metadata") => "management",
            Some("secrets" | "deletedsecrets") => "secrets",
            Some("keys" | "deletedkeys" | "rng") => "keys",
            Some("certificates" | "deletedcertificates") => "certificates",
            Some("subscriptions") => "management",
            _ => "identity",
        };
        let access = match self {
            Token | OpenIdConfiguration | OpenApiDocument => Access::Public,
            SubscriptionList | SubscriptionGet => Access::Management,
            CloudMetadata | CloudMetadataDoubleSlash => Access::ManagementMetadata,
            _ => Access::Bearer,
        };
        RouteSpec { method, template, operation_id, summary, tag, access, request, answer, paged }
    }
}

fn page<T: JsonSchema>() -> Answer {
    Answer::Json(200, shape::<dto::ListPage<T>>)
}

fn secret() -> Answer {
    Answer::Json(200, shape::<dto::SecretBundle>)
}

fn key() -> Answer {
    Answer::Json(200, shape::<dto::KeyBundle>)
}

fn operation() -> Answer {
    Answer::Json(200, shape::<dto::KeyOperationResult>)
}

fn blob() -> Answer {
    Answer::Json(200, shape::<dto::Base64UrlValue>)
}

fn certificate() -> Answer {
    Answer::Json(200, shape::<dto::CertificateBundle>)
}
