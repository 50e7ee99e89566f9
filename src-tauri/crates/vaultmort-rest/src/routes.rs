//! Every request: host routing, the body limit (a declared oversized body is refused first),
//! the token endpoint, the challenge, `api-version` ([`ApiVersion`]), then one data-plane route that parses its body into the core's request type, calls
//! the core once, and shapes the answer.
//!
//! Routing is [`crate::route_table::recognize`], a match on method and path segments that keeps
//! Key Vault's quirks (`/secrets/{n}/` means the latest version, `/keys/{n}//sign` an
//! unversioned key) as plain patterns; the dispatcher here matches on the [`RouteId`] it gives,
//! with no fallback arm, so every answered route is in the table (and in the OpenAPI document)
//! and no request can fall through to a 500. The token routes and the OpenAPI document are
//! answered before the bearer check.
//!
//! Not supported (501 `NotSupported`): `release` and `attestation`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State as Shared};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, Version, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vaultmort_core::keys::{CreateKey, ImportKey, KeyRef, UpdateKey};
use vaultmort_core::lifecycle::ObjectBundle;
use vaultmort_core::model::{AttributeChanges, Tags};
use vaultmort_core::rotation::RotationPolicy;
use vaultmort_core::secrets::{SetSecret, UpdateSecret};
use vaultmort_core::{ObjectKind, RequestContext, Vaultmort};
use vaultmort_crypto::jwk::b64url;
use vaultmort_crypto::{EncryptionAlgorithm, JsonWebKey, KeyOperation, KeyType, SignatureAlgorithm};
use zeroize::Zeroizing;

use crate::api_version::ApiVersion;
use crate::error::ApiError;
use crate::route_table::{RouteId, RouteMatch, recognize};
use crate::{DEV_MODE_HEADER, State, body as request_body, dto, token};

const KEY: ObjectKind = ObjectKind::Key;
const SECRET: ObjectKind = ObjectKind::Secret;

/// The most items one page of a listing holds, as in Key Vault.
const MAX_PAGE: usize = 25;

pub(crate) type Reply = Result<(StatusCode, Option<Value>), ApiError>;

/// The one handler: everything below is plain functions.
pub(crate) async fn handle(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    version: Version,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut response = respond(&state, peer, method, uri, &headers, body).await;
    if state.dev_any_token {
        response.headers_mut().insert(DEV_MODE_HEADER, HeaderValue::from_static("on: any bearer token is the local owner"));
    }
    // A refused or unfinished body leaves an HTTP/1.1 connection with bytes nobody will read:
    // say it closes (after the oversized rest is drained). HTTP/2 ends just the stream.
    let body_refused = matches!(response.status(), StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_TIMEOUT);
    if body_refused && version <= Version::HTTP_11 {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn json_response(status: StatusCode, body: Option<Value>) -> Response {
    match body {
        Some(body) => (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response(),
        None => status.into_response(),
    }
}

fn error_response(error: &ApiError) -> Response {
    let mut response = json_response(error.status(), Some(error.body()));
    if let Some(seconds) = error.retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

async fn respond(state: &State, peer: SocketAddr, method: Method, uri: Uri, headers: &HeaderMap, body: Body) -> Response {
    // Another process (the CLI beside this server) may have shifted the clock or switched
    // throttling: this request must see it, from its token check on.
    if let Err(error) = state.core.catch_up().await {
        return error_response(&ApiError::from(error));
    }
    let host = uri
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_string))
        .unwrap_or_else(|| format!("localhost:{}", state.port));
    let path = uri.path().to_string();
    // The host goes into every id this request returns: it must be a plain host[:port].
    if host.contains('@') || host.parse::<axum::http::uri::Authority>().is_err() {
        let error = ApiError::bad("the Host header is not a host name with an optional port");
        audit_refusal(state, unauthenticated(), peer, None, &method, &path, &error).await;
        return error_response(&error);
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // A body declared over the limit is refused before anything else, while the client sends it.
    let body = match request_body::refuse_declared_too_large(headers, body, state.body_limit) {
        Ok(body) => body,
        Err(error) => {
            audit_refusal(state, unauthenticated(), peer, vault_of(state, &host).ok().as_ref(), &method, &path, &error).await;
            return error_response(&error);
        }
    };

    // The practice token endpoint, its discovery document and this door's OpenAPI document need
    // no token.
    let recognized = recognize(&method, &segments);
    match recognized {
        Some(RouteMatch { id: RouteId::Token, name: tenant, .. }) => {
            let body = match read_body(state, body).await {
                Ok(body) => body,
                Err(e) => return error_response(&e),
            };
            return token::issue(state, tenant, headers, &body).await.into_response();
        }
        Some(RouteMatch { id: RouteId::OpenIdConfiguration, name: tenant, .. }) => {
            let (status, value) = token::openid_configuration(state, &host, tenant);
            return json_response(status, Some(value));
        }
        Some(RouteMatch { id: RouteId::OpenApiDocument, .. }) => {
            let served = crate::openapi::ServedAt { host: &host, port: state.port, tenant: state.signer.tenant() };
            return json_response(StatusCode::OK, Some(crate::openapi::document(Some(served))));
        }
        _ => {}
    }

    // Resource Manager's few routes, on the server's own host (management_routes.rs).
    if let Some(response) = crate::management_routes::answer(state, peer, &method, &host, &uri, headers).await {
        return response;
    }
    let bearer = headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(|h| {
        let (scheme, token) = h.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
    });
    let principal = match bearer {
        None => Err("the request has no bearer token; get one from the practice token endpoint".to_string()),
        Some(token) => state.authenticator.authenticate(&token, state.core.clock().now()).await.map_err(|e| e.0),
    };
    let vault = vault_of(state, &host);
    let principal = match principal {
        Ok(principal) => principal,
        Err(why) => {
            let refusal = ApiError::unauthorized(why);
            audit_refusal(state, unauthenticated(), peer, vault.as_ref().ok(), &method, &path, &refusal).await;
            return challenge(state, &host, &refusal.message);
        }
    };
    let result = async {
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(uri.query().unwrap_or("")).map_err(|_| ApiError::bad("the query string is malformed"))?;
        let api_version: ApiVersion = query
            .iter()
            .find(|(k, _)| k == "api-version")
            .ok_or_else(|| ApiError::bad("the 'api-version' query parameter is required (for example api-version=7.6)"))?
            .1
            .parse()?;
        let vault = vault.clone()?;
        let body = read_body(state, body).await?;
        if state.throttle.is_on(&vault) {
            let key = throttling_key_facts(state, &vault, &method, &segments, &body).await;
            if let Err(retry_after) = state.throttle.admit(&vault, crate::throttle::Class::of(&method, &segments, key), Instant::now()) {
                return Err(ApiError::throttled(retry_after));
            }
        }
        let call = Call {
            core: &state.core,
            ctx: crate::context(principal.clone(), peer),
            vault,
            base: format!("https://{host}"),
            path: path.clone(),
            api_version,
            query,
            body,
        };
        match recognized {
            Some(recognized) => route(&call, recognized).await,
            None => Err(ApiError::no_route(&method, &call.path)),
        }
    }
    .await;
    match result {
        Ok((status, value)) => json_response(status, value),
        Err(error) => {
            if !error.audited {
                audit_refusal(state, principal, peer, vault.as_ref().ok(), &method, &path, &error).await;
            }
            if error.status() == StatusCode::UNAUTHORIZED {
                // The core's authenticate stage refused the token's principal: the client is
                // told how to get another token, as for any refused token.
                return challenge(state, &host, &error.message);
            }
            error_response(&error)
        }
    }
}

/// The caller of a request without a valid token, as the access log names it.
fn unauthenticated() -> vaultmort_core::Principal {
    vaultmort_core::Principal {
        object_id: String::new(),
        name: "(no valid token)".to_string(),
        kind: vaultmort_core::context::PrincipalKind::User,
    }
}

/// Audits a request the door refused before any core operation ran. If the record cannot be
/// written the request is refused all the same, so nothing is lost but the record.
async fn audit_refusal(
    state: &State,
    principal: vaultmort_core::Principal,
    peer: SocketAddr,
    vault: Option<&String>,
    method: &Method,
    path: &str,
    error: &ApiError,
) {
    let refusal = vaultmort_core::DoorRefusal {
        operation: if error.code == "Unauthorized" { "Authentication" } else { "RequestRejected" }.to_string(),
        vault: vault.cloned(),
        object: Some(format!("{method} {path}")),
        status: error.status().as_u16(),
        code: error.code.clone(),
    };
    let _ = state.core.audit_refusal(&crate::context(principal, peer), &refusal).await;
}

/// 401 with the challenge: where to get a token, and for which resource. The resource is
/// `https://localhost:<port>` with the port the client used, which the SDKs' default
/// challenge-resource check accepts for `https://<vault>.localhost:<port>`.
fn challenge(state: &State, host: &str, why: &str) -> Response {
    let port = host.parse::<axum::http::uri::Authority>().ok().and_then(|a| a.port_u16()).or(Some(443));
    let resource = crate::auth::challenge_resource(port);
    let value = format!(
        "Bearer authorization=\"https://localhost:{}/{}\", resource=\"{resource}\", scope=\"{resource}/.default\"",
        state.port,
        state.signer.tenant(),
    );
    let mut response = error_response(&ApiError::unauthorized(why));
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// What practice throttling needs to know about the key a request creates or uses: the body's
/// `kty` and `key_size` for a creation or import, the stored key for a rotation or an
/// operation. Only asked when the vault is throttled.
async fn throttling_key_facts(state: &State, vault: &str, method: &Method, segments: &[&str], body: &Bytes) -> crate::throttle::KeyFacts {
    use crate::throttle::{KeyFacts, KeyTier};
    let from_body = |kty: Option<&str>, size: Option<u64>, hsm_flag: bool| {
        let kty = kty.unwrap_or("RSA");
        let hsm = hsm_flag || kty.ends_with("-HSM");
        let rsa_bits = kty.starts_with("RSA").then(|| size.and_then(|s| u32::try_from(s).ok()).unwrap_or(2048));
        KeyFacts { tier: Some(KeyTier { hsm, rsa_bits }) }
    };
    let json = || serde_json::from_slice::<Value>(body).unwrap_or_default();
    match (method, segments) {
        (&Method::POST, ["keys", _, "create"]) => {
            let json = json();
            from_body(json["kty"].as_str(), json["key_size"].as_u64(), false)
        }
        (&Method::PUT, ["keys", _]) => {
            let json = json();
            let size = json["key"]["n"].as_str().map(|n| (n.len() * 6 / 8) as u64 * 8);
            from_body(json["key"]["kty"].as_str(), size, json["Hsm"].as_bool().unwrap_or(false))
        }
        (&Method::POST, ["keys", name, "rotate"]) => key_facts_of(state, vault, name, None).await,
        (&Method::POST, ["keys", name, op]) if crate::throttle::is_crypto_operation(op) => key_facts_of(state, vault, name, None).await,
        (&Method::POST, ["keys", name, version, op]) if crate::throttle::is_crypto_operation(op) => {
            key_facts_of(state, vault, name, Some(*version).filter(|v| !v.is_empty())).await
        }
        _ => KeyFacts::default(),
    }
}

async fn key_facts_of(state: &State, vault: &str, name: &str, version: Option<&str>) -> crate::throttle::KeyFacts {
    let tier = state.core.key_shape_for_throttling(vault, name, version).await.map(|(kty, spec)| crate::throttle::KeyTier::of(kty, spec));
    crate::throttle::KeyFacts { tier }
}

async fn read_body(state: &State, body: Body) -> Result<Bytes, ApiError> {
    request_body::read(body, state.body_limit).await
}

/// The vault a Host names: `<vault>.localhost[:port]`, or the default vault for `localhost` and
/// IP addresses.
fn vault_of(state: &State, host: &str) -> Result<String, ApiError> {
    let name = if host.starts_with('[') {
        host.split(']').next().map(|h| format!("{h}]")).unwrap_or_default()
    } else {
        host.rsplit_once(':').map(|(h, _)| h.to_string()).unwrap_or_else(|| host.to_string())
    };
    let name = name.to_ascii_lowercase();
    if let Some(vault) = name.strip_suffix(".localhost")
        && !vault.is_empty()
        && !vault.contains('.')
    {
        return Ok(vault.to_string());
    }
    let is_ip = name.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_ok();
    if name == "localhost" || is_ip {
        return state.default_vault.clone().ok_or_else(|| {
            door_vault_not_found(
                host,
                format!(
                    "no default vault is set for {host}; use https://<vault>.localhost:{} or start the server with --default-vault",
                    state.port
                ),
            )
        });
    }
    Err(door_vault_not_found(host, format!("host '{host}' is not a vault of this server; use https://<vault>.localhost:{}", state.port)))
}

/// The core's `VaultNotFound` (its code and status) for a Host that names no vault, with the
/// door's own message; the door audits it, as no operation ran.
fn door_vault_not_found(host: &str, message: String) -> ApiError {
    ApiError { message, audited: false, ..vaultmort_core::Error::VaultNotFound(host.to_string()).into() }
}

/// One authenticated data-plane request.
pub(crate) struct Call<'a> {
    pub(crate) core: &'a Vaultmort,
    pub(crate) ctx: RequestContext,
    pub(crate) vault: String,
    pub(crate) base: String,
    pub(crate) path: String,
    api_version: ApiVersion,
    query: Vec<(String, String)>,
    body: Bytes,
}

impl Call<'_> {
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad("the request body is empty; a JSON object is expected"));
        }
        serde_json::from_slice(&self.body).map_err(|e| ApiError::bad(format!("the request body is not valid: {e}")))
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// One page of `items` with an absolute `nextLink`.
    pub(crate) fn page<T: Serialize>(&self, items: Vec<T>) -> Reply {
        let max = match self.param("maxresults") {
            None => MAX_PAGE,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                _ => return Err(ApiError::bad(format!("maxresults must be a number from 1 to {MAX_PAGE}, not '{text}'"))),
            },
        };
        let skip = match self.param("$skiptoken") {
            None => 0,
            Some(text) => {
                text.parse::<usize>().map_err(|_| ApiError::bad(format!("the $skiptoken '{text}' was not issued by this server")))?
            }
        };
        let next = (skip + max < items.len()).then(|| {
            let version = serde_urlencoded::to_string([("api-version", self.api_version.to_string())]).unwrap_or_default();
            format!("{}{}?{version}&$skiptoken={}&maxresults={max}", self.base, self.path, skip + max)
        });
        let value: Vec<T> = items.into_iter().skip(skip).take(max).collect();
        ok(dto::ListPage { value, next_link: next })
    }
}

/// 200 with `body` as JSON.
pub(crate) fn ok(body: impl Serialize) -> Reply {
    with_status(StatusCode::OK, body)
}

/// `status` with `body` as JSON.
pub(crate) fn with_status(status: StatusCode, body: impl Serialize) -> Reply {
    // Only a map with non-string keys fails to convert, and no answer has one.
    let value = serde_json::to_value(body).map_err(|e| ApiError::internal(format!("the answer is not JSON: {e}")))?;
    Ok((status, Some(value)))
}

fn not_supported(what: &str) -> Reply {
    Err(ApiError::not_supported(format!("{what} is not supported by Vaultmort yet")))
}

fn time(seconds: i64, field: &str) -> Result<DateTime<Utc>, ApiError> {
    Utc.timestamp_opt(seconds, 0).single().ok_or_else(|| ApiError::bad(format!("attributes.{field} is not a valid Unix time")))
}

fn decode(text: &str, field: &str) -> Result<Vec<u8>, ApiError> {
    b64url::decode(text).map_err(|e| ApiError::bad(format!("'{field}' {e}")))
}

/// Not-before and expiry, when given.
type ValidityWindow = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

#[derive(Deserialize, Default, JsonSchema)]
/// The attributes a request may set.
pub(crate) struct AttributesIn {
    /// Whether the version may be used.
    pub(crate) enabled: Option<bool>,
    /// Not valid before (Unix seconds).
    nbf: Option<i64>,
    /// Not valid after (Unix seconds).
    exp: Option<i64>,
}

impl AttributesIn {
    pub(crate) fn changes(&self, tags: Option<Tags>) -> Result<AttributeChanges, ApiError> {
        Ok(AttributeChanges {
            enabled: self.enabled,
            not_before: self.nbf.map(|t| time(t, "nbf")).transpose()?.map(Some),
            expires: self.exp.map(|t| time(t, "exp")).transpose()?.map(Some),
            tags,
        })
    }
    /// `(nbf, exp)`.
    fn dates(&self) -> Result<ValidityWindow, ApiError> {
        Ok((self.nbf.map(|t| time(t, "nbf")).transpose()?, self.exp.map(|t| time(t, "exp")).transpose()?))
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
/// Set a secret: a new version with this value.
pub(crate) struct SecretSetIn {
    /// The value.
    value: String,
    /// A content type of the client's choosing.
    content_type: Option<String>,
    /// The version's attributes.
    attributes: Option<AttributesIn>,
    /// Tags (at most 15).
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
/// Change a secret version's properties; what is left out stays.
pub(crate) struct SecretUpdateIn {
    /// A new content type.
    content_type: Option<String>,
    /// Attributes to change.
    attributes: Option<AttributesIn>,
    /// Tags that replace the version's tags.
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
/// Create a key, or a new version of one.
pub(crate) struct KeyCreateIn {
    /// Key type: `RSA`, `EC`, `RSA-HSM`, `EC-HSM`.
    kty: String,
    /// RSA size in bits (2048 when left out).
    key_size: Option<u32>,
    /// RSA public exponent: only 65537.
    public_exponent: Option<u32>,
    /// EC curve (`P-256` when left out).
    crv: Option<String>,
    /// Permitted operations (the type's defaults when left out).
    key_ops: Option<Vec<String>>,
    /// The version's attributes.
    attributes: Option<AttributesIn>,
    /// Tags (at most 15).
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
/// Import a key as a new version.
pub(crate) struct KeyImportIn {
    /// The key as a JSON Web Key (private members base64url), or a BYOK blob in `key_hsm`.
    #[schemars(with = "dto::UntypedObject")]
    key: JsonWebKey,
    /// Keep the key in the vault's HSM (premium vaults).
    #[serde(rename = "Hsm")]
    hsm: Option<bool>,
    /// The version's attributes.
    attributes: Option<AttributesIn>,
    /// Tags (at most 15).
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
/// Change a key version's properties; what is left out stays.
pub(crate) struct KeyUpdateIn {
    /// Permitted operations.
    key_ops: Option<Vec<String>>,
    /// Attributes to change.
    attributes: Option<AttributesIn>,
    /// Tags that replace the version's tags.
    tags: Option<Tags>,
}

#[derive(Deserialize, JsonSchema)]
/// Encrypt, decrypt, wrap, unwrap or sign.
pub(crate) struct CryptoIn {
    /// The algorithm (`RSA-OAEP-256`, `ES256`, ...).
    alg: String,
    /// The input bytes (the digest, for sign), base64url.
    value: String,
}

#[derive(Deserialize, JsonSchema)]
/// Verify a signature of a digest.
pub(crate) struct VerifyIn {
    /// The signature algorithm.
    alg: String,
    /// The digest, base64url.
    digest: String,
    /// The signature, base64url.
    value: String,
}

#[derive(Deserialize, JsonSchema)]
/// Ask for random bytes.
pub(crate) struct RandomIn {
    /// How many bytes.
    count: usize,
}

#[derive(Deserialize, JsonSchema)]
/// A backup blob to restore.
pub(crate) struct BlobIn {
    /// The blob a backup returned, base64url.
    pub(crate) value: String,
}

fn key_ops(ops: Option<Vec<String>>) -> Result<Option<Vec<KeyOperation>>, ApiError> {
    ops.map(|ops| ops.iter().map(|op| op.parse::<KeyOperation>().map_err(ApiError::from)).collect()).transpose()
}

/// Answers one recognized data-plane route: parse the body, call the core once, shape the answer.
async fn route(call: &Call<'_>, m: RouteMatch<'_>) -> Reply {
    let (name, v) = (m.name, m.version);
    let core = call.core;
    let (ctx, vault, base) = (&call.ctx, call.vault.as_str(), call.base.as_str());
    match m.id {
        // Secrets.
        RouteId::SecretList => {
            let items = core.list_secrets(ctx, vault).await?;
            call.page(items.iter().map(|b| dto::listed_secret(b, base)).collect())
        }
        RouteId::SecretRestore => {
            let input: BlobIn = call.json()?;
            ok(dto::secret(&core.restore_object(ctx, vault, SECRET, &decode(&input.value, "value")?).await?.into_secret()?, base))
        }
        RouteId::SecretSet => {
            let input: SecretSetIn = call.json()?;
            let attributes = input.attributes.unwrap_or_default();
            let (not_before, expires) = attributes.dates()?;
            let request = SetSecret {
                name: name.to_string(),
                value: Zeroizing::new(input.value),
                content_type: input.content_type,
                enabled: attributes.enabled.unwrap_or(true),
                not_before,
                expires,
                tags: input.tags.unwrap_or_default(),
            };
            ok(dto::secret(&core.set_secret(ctx, vault, request).await?, base))
        }
        RouteId::SecretDelete => ok(dto::secret_item(&core.delete_object(ctx, vault, SECRET, name).await?.into_secret()?, base)),
        RouteId::SecretVersions => {
            let items = core.list_secret_versions(ctx, vault, name).await?;
            call.page(items.iter().map(|b| dto::secret_item(b, base)).collect())
        }
        RouteId::SecretBackup => ok(dto::Base64UrlValue::of(&core.backup_object(ctx, vault, SECRET, name).await?)),
        RouteId::SecretGetLatest | RouteId::SecretGet => {
            // `outContentType` (api-version 2025-06-01-preview on): a certificate's secret as PFX
            // or PEM. Refused before the core runs, so the door audits a bad value.
            let format = call
                .param(crate::route_table::OUT_CONTENT_TYPE.name)
                .map(str::parse)
                .transpose()
                .map_err(|e: vaultmort_core::Error| ApiError { audited: false, ..ApiError::from(e) })?;
            ok(dto::secret(&core.get_secret_as(ctx, vault, name, v, format).await?, base))
        }
        RouteId::SecretUpdate => {
            let input: SecretUpdateIn = call.json()?;
            let update =
                UpdateSecret { attributes: input.attributes.unwrap_or_default().changes(input.tags)?, content_type: input.content_type };
            ok(dto::secret(&core.update_secret(ctx, vault, name, v, update).await?, base))
        }
        RouteId::DeletedSecretList => {
            let items = core.list_deleted_objects(ctx, vault, SECRET).await?;
            let items = items.into_iter().map(ObjectBundle::into_secret).collect::<Result<Vec<_>, _>>()?;
            call.page(items.iter().map(|b| dto::listed_secret(b, base)).collect())
        }
        RouteId::DeletedSecretGet => ok(dto::secret_item(&core.get_deleted_object(ctx, vault, SECRET, name).await?.into_secret()?, base)),
        RouteId::DeletedSecretPurge => {
            core.purge_object(ctx, vault, SECRET, name).await?;
            Ok((StatusCode::NO_CONTENT, None))
        }
        RouteId::DeletedSecretRecover => ok(dto::secret(&core.recover_object(ctx, vault, SECRET, name).await?.into_secret()?, base)),

        // Keys.
        RouteId::KeyList => {
            let items = core.list_keys(ctx, vault).await?;
            call.page(items.iter().map(|b| dto::listed_key(b, base)).collect())
        }
        RouteId::KeyRestore => {
            let input: BlobIn = call.json()?;
            ok(dto::key(&core.restore_object(ctx, vault, KEY, &decode(&input.value, "value")?).await?.into_key()?, base))
        }
        RouteId::KeyCreate => {
            let input: KeyCreateIn = call.json()?;
            let attributes = input.attributes.unwrap_or_default();
            let (not_before, expires) = attributes.dates()?;
            if input.public_exponent.is_some_and(|e| e != 65537) {
                return Err(ApiError::bad("only the public exponent 65537 is supported"));
            }
            let request = CreateKey {
                name: name.to_string(),
                kty: input.kty.parse::<KeyType>()?,
                size: input.key_size,
                curve: input.crv.map(|c| c.parse()).transpose()?,
                key_ops: key_ops(input.key_ops)?,
                enabled: attributes.enabled.unwrap_or(true),
                not_before,
                expires,
                tags: input.tags.unwrap_or_default(),
            };
            ok(dto::key(&core.create_key(ctx, vault, request).await?, base))
        }
        RouteId::KeyImport => {
            let input: KeyImportIn = call.json()?;
            let attributes = input.attributes.unwrap_or_default();
            let (not_before, expires) = attributes.dates()?;
            let request = ImportKey {
                name: name.to_string(),
                jwk: input.key,
                hsm: input.hsm.unwrap_or(false),
                enabled: attributes.enabled.unwrap_or(true),
                not_before,
                expires,
                tags: input.tags.unwrap_or_default(),
                key_ops: None,
            };
            ok(dto::key(&core.import_key(ctx, vault, request).await?, base))
        }
        RouteId::KeyDelete => ok(dto::key(&core.delete_object(ctx, vault, KEY, name).await?.into_key()?, base)),
        RouteId::KeyVersions => {
            let items = core.list_key_versions(ctx, vault, name).await?;
            call.page(items.iter().map(|b| dto::key_item(b, base)).collect())
        }
        RouteId::KeyBackup => ok(dto::Base64UrlValue::of(&core.backup_object(ctx, vault, KEY, name).await?)),
        RouteId::KeyRotate => ok(dto::key(&core.rotate_key(ctx, vault, name).await?, base)),
        RouteId::KeyRotationPolicyGet => ok(dto::rotation_policy(&core.get_key_rotation_policy(ctx, vault, name).await?, base, name)),
        RouteId::KeyRotationPolicySet => {
            // Parsed before any core call, so not yet audited: the door audits the refusal.
            let policy = RotationPolicy::from_wire(call.json()?).map_err(|e| ApiError { audited: false, ..e.into() })?;
            ok(dto::rotation_policy(&core.set_key_rotation_policy(ctx, vault, name, policy).await?, base, name))
        }
        RouteId::KeyGetLatest => ok(dto::key(&core.get_key(ctx, vault, name, None).await?, base)),
        RouteId::KeyGet => ok(dto::key(&core.get_key(ctx, vault, name, v).await?, base)),
        RouteId::KeyUpdate => {
            let input: KeyUpdateIn = call.json()?;
            let update =
                UpdateKey { attributes: input.attributes.unwrap_or_default().changes(input.tags)?, key_ops: key_ops(input.key_ops)? };
            ok(dto::key(&core.update_key(ctx, vault, name, v, update).await?, base))
        }
        id @ (RouteId::KeyEncrypt | RouteId::KeyDecrypt | RouteId::KeyWrap | RouteId::KeyUnwrap) => {
            let input: CryptoIn = call.json()?;
            let alg: EncryptionAlgorithm = input.alg.parse()?;
            let value = decode(&input.value, "value")?;
            let key = KeyRef::version(vault, name, v);
            let result = match id {
                RouteId::KeyEncrypt => core.encrypt(ctx, key, alg, &value).await?,
                RouteId::KeyDecrypt => core.decrypt(ctx, key, alg, &value).await?,
                RouteId::KeyWrap => core.wrap_key(ctx, key, alg, &value).await?,
                _ => core.unwrap_key(ctx, key, alg, &value).await?,
            };
            ok(dto::KeyOperationResult { kid: result.kid.url(base), value: dto::b64url(&result.value) })
        }
        RouteId::KeySign => {
            let input: CryptoIn = call.json()?;
            let alg: SignatureAlgorithm = input.alg.parse()?;
            let result = core.sign(ctx, KeyRef::version(vault, name, v), alg, &decode(&input.value, "value")?).await?;
            ok(dto::KeyOperationResult { kid: result.kid.url(base), value: dto::b64url(&result.value) })
        }
        RouteId::KeyVerify => {
            let input: VerifyIn = call.json()?;
            let alg: SignatureAlgorithm = input.alg.parse()?;
            let (digest, signature) = (decode(&input.digest, "digest")?, decode(&input.value, "value")?);
            let result = core.verify(ctx, KeyRef::version(vault, name, v), alg, &digest, &signature).await?;
            ok(dto::VerifyResult { value: result.valid })
        }
        RouteId::KeyRelease => not_supported("key release"),
        RouteId::KeyAttestation => not_supported("key attestation"),
        RouteId::RandomBytes => {
            let input: RandomIn = call.json()?;
            ok(dto::Base64UrlValue::of(&core.random_bytes(ctx, vault, input.count).await?))
        }
        RouteId::DeletedKeyList => {
            let items = core.list_deleted_objects(ctx, vault, KEY).await?;
            let items = items.into_iter().map(ObjectBundle::into_key).collect::<Result<Vec<_>, _>>()?;
            call.page(items.iter().map(|b| dto::listed_key(b, base)).collect())
        }
        RouteId::DeletedKeyGet => ok(dto::key(&core.get_deleted_object(ctx, vault, KEY, name).await?.into_key()?, base)),
        RouteId::DeletedKeyPurge => {
            core.purge_object(ctx, vault, KEY, name).await?;
            Ok((StatusCode::NO_CONTENT, None))
        }
        RouteId::DeletedKeyRecover => ok(dto::key(&core.recover_object(ctx, vault, KEY, name).await?.into_key()?, base)),

        RouteId::CertificateList
        | RouteId::CertificateRestore
        | RouteId::CertificateContactsGet
        | RouteId::CertificateContactsSet
        | RouteId::CertificateContactsDelete
        | RouteId::CertificateIssuerList
        | RouteId::CertificateIssuerSet
        | RouteId::CertificateIssuerUpdate
        | RouteId::CertificateIssuerGet
        | RouteId::CertificateIssuerDelete
        | RouteId::CertificateCreate
        | RouteId::CertificateImport
        | RouteId::CertificateVersions
        | RouteId::CertificatePolicyGet
        | RouteId::CertificatePolicyUpdate
        | RouteId::CertificateOperationGet
        | RouteId::CertificateOperationCancel
        | RouteId::CertificateOperationDelete
        | RouteId::CertificateMerge
        | RouteId::CertificateBackup
        | RouteId::CertificateDelete
        | RouteId::CertificateGetLatest
        | RouteId::CertificateGet
        | RouteId::CertificateUpdate
        | RouteId::DeletedCertificateList
        | RouteId::DeletedCertificateGet
        | RouteId::DeletedCertificatePurge
        | RouteId::DeletedCertificateRecover => crate::certificate_routes::route(call, m).await,

        // Resource Manager's routes are answered on the server's own host before the bearer
        // check (management_routes.rs); a vault's host has none.
        RouteId::SubscriptionList | RouteId::SubscriptionGet | RouteId::CloudMetadata | RouteId::CloudMetadataDoubleSlash => {
            Err(ApiError::no_route(&Method::GET, &call.path))
        }

        // Answered before the bearer check, in `respond`.
        RouteId::Token | RouteId::OpenIdConfiguration | RouteId::OpenApiDocument => {
            Err(ApiError::internal(format!("{:?} is answered before the token check", m.id)))
        }
    }
}
