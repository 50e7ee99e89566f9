//! Who is calling: the practice token endpoint's signed JWTs and the two seams the directory
//! plugs into.
//!
//! - [`ClientCredentials`] checks an application's client id and secret at the token endpoint.
//!   [`DirectoryCredentials`] is the one a server
//!   runs with: the practice directory's service principals (client id = app id, secrets checked
//!   by the core against their keyed digests) plus the local owner (client id = the owner's
//!   object id, secret from a file in the home, [`OwnerCredentials`]).
//! - [`Authenticator`] turns a bearer token into a [`Principal`] or refuses it (401).
//!   [`JwtAuthenticator`] accepts only tokens this server signed ([`TokenSigner`], ES256), for
//!   the vault audience and this tenant, not expired on the core's clock. [`AnyToken`] is the
//!   explicit developer mode: any bearer is the local owner.
//!
//! Left out: whether the token's principal still exists (the core's pipeline checks that in its
//! authenticate stage, from the same read of the directory that authorizes the request),
//! authorization, and the firewall (the core reads `RequestContext::source`).

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vaultmort_core::context::PrincipalKind;
use vaultmort_core::{Principal, Vaultmort};
use zeroize::Zeroizing;

/// Key Vault's resource in Azure's public cloud: a token for it is accepted by every vault here.
pub const VAULT_AUDIENCE: &str = "https://vault.azure.net";

/// The resource a vault here names in its challenge: `https://localhost[:port]`. The SDKs check
/// that a vault's host ends with `.` and the challenge resource's host (Python compares the
/// authority, port included), so vaults at `https://<vault>.localhost:<port>` pass their
/// default check with the resource `https://localhost:<port>`.
pub fn challenge_resource(port: Option<u16>) -> String {
    match port {
        Some(port) if port != 443 => format!("https://localhost:{port}"),
        _ => "https://localhost".to_string(),
    }
}

/// The token audience a requested resource (or a `<resource>/.default` scope) stands for, when
/// it is a vault resource of this server: Key Vault's public resource, or `https://localhost`
/// with any port (the resource this server's challenges name). Normalised: no trailing slash,
/// lower case, and the default port dropped.
pub fn vault_audience(resource: &str) -> Option<String> {
    let resource = resource.strip_suffix("/.default").unwrap_or(resource).trim_end_matches('/').to_ascii_lowercase();
    if resource == VAULT_AUDIENCE {
        return Some(resource);
    }
    let authority = resource.strip_prefix("https://")?;
    match authority.split_once(':') {
        None if authority == "localhost" => Some(resource),
        Some(("localhost", port)) => match port.parse::<u16>() {
            Ok(443) => Some("https://localhost".to_string()),
            Ok(_) if !port.starts_with('0') && !port.starts_with('+') => Some(resource),
            _ => None,
        },
        _ => None,
    }
}
/// Azure Resource Manager's resource in Azure's public cloud (`az`'s
/// `--endpoint-active-directory-resource-id`): a token for it reaches this server's
/// management-plane routes ([`Audience::Management`]), and no vault.
pub const MANAGEMENT_AUDIENCE: &str = "https://management.core.windows.net";

/// The token audience a requested resource stands for when it is Resource Manager's
/// ([`MANAGEMENT_AUDIENCE`], with or without `/.default` and trailing slashes: `az` asks for
/// `https://management.core.windows.net//.default`). Normalised like [`vault_audience`].
pub fn management_audience(resource: &str) -> Option<String> {
    let resource = resource.strip_suffix("/.default").unwrap_or(resource).trim_end_matches('/').to_ascii_lowercase();
    (resource == MANAGEMENT_AUDIENCE).then_some(resource)
}

/// Which of this server's two resources a token is for: a vault's data plane, or the
/// management plane (Resource Manager). A token for one is refused by the other, as in Azure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Key Vault's data plane ([`vault_audience`]).
    Vault,
    /// Resource Manager ([`management_audience`]).
    Management,
}

impl Audience {
    /// The audience a token's `aud` claim (or a requested scope) names, if it is one of ours.
    pub fn of(aud: &str) -> Option<(Self, String)> {
        vault_audience(aud).map(|a| (Self::Vault, a)).or_else(|| management_audience(aud).map(|a| (Self::Management, a)))
    }

    fn describe(self) -> String {
        match self {
            Self::Vault => format!("a vault resource ({VAULT_AUDIENCE} or https://localhost:<port>)"),
            Self::Management => format!("the management resource ({MANAGEMENT_AUDIENCE}/)"),
        }
    }
}

/// How long an issued token lives.
pub const TOKEN_LIFETIME_SECONDS: i64 = 3600;

/// Why a bearer token was refused; the message goes into the 401 body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AuthError(pub String);

/// Turns a bearer token into the principal it stands for.
#[async_trait]
pub trait Authenticator: Send + Sync {
    /// The principal, or why the token is refused. `now` is the core's (shiftable) clock.
    async fn authenticate(&self, bearer: &str, now: DateTime<Utc>) -> Result<Principal, AuthError>;

    /// The principal of a token that must be for `audience`. By default the audience is the
    /// vault's, checked by [`Authenticator::authenticate`]; an authenticator that does not read
    /// audiences (developer mode) accepts the token for the management plane too.
    async fn authenticate_for(&self, bearer: &str, now: DateTime<Utc>, audience: Audience) -> Result<Principal, AuthError> {
        let _ = audience;
        self.authenticate(bearer, now).await
    }
}

/// Checks client credentials at the token endpoint.
#[async_trait]
pub trait ClientCredentials: Send + Sync {
    /// The principal whose client id and secret these are, or `None`.
    async fn authenticate_client(&self, client_id: &str, client_secret: &str) -> Result<Option<Principal>, AuthError>;
}

/// Developer mode: any bearer token is the local owner.
#[derive(Debug, Default)]
pub struct AnyToken;

#[async_trait]
impl Authenticator for AnyToken {
    async fn authenticate(&self, _bearer: &str, _now: DateTime<Utc>) -> Result<Principal, AuthError> {
        Ok(Principal::local_owner())
    }
}

/// The one client known before the directory exists: the local owner, with a secret kept in a
/// file of the home.
pub struct OwnerCredentials {
    secret_digest: [u8; 32],
}

impl std::fmt::Debug for OwnerCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnerCredentials")
    }
}

/// The owner's client secret as read from or written to its file.
pub struct OwnerSecret {
    /// The credentials that check it.
    pub credentials: OwnerCredentials,
    /// The secret when it was made just now (to be shown once), else `None`.
    pub created: Option<Zeroizing<String>>,
}

impl OwnerCredentials {
    /// Credentials that accept `secret` for the local owner's client id.
    pub fn new(secret: &str) -> Self {
        Self { secret_digest: digest(secret.as_bytes()) }
    }

    /// Reads the secret from `path`, or makes one (32 random bytes, base64url) and writes it
    /// there with mode 0600 when the file does not exist.
    pub fn load_or_create(path: &Path) -> std::io::Result<OwnerSecret> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(OwnerSecret { credentials: Self::new(text.trim()), created: None }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let bytes = vaultmort_crypto::aead::random_bytes(32).map_err(std::io::Error::other)?;
                let secret = Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes));
                write_private(path, secret.as_bytes())?;
                Ok(OwnerSecret { credentials: Self::new(&secret), created: Some(secret) })
            }
            Err(e) => Err(e),
        }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    vaultmort_crypto::aead::sha256(bytes)
}

impl OwnerCredentials {
    /// The local owner, when these are its client id and secret.
    pub fn check(&self, client_id: &str, client_secret: &str) -> Option<Principal> {
        let owner = Principal::local_owner();
        let id_ok = client_id.eq_ignore_ascii_case(&owner.object_id);
        let secret_ok = aws_lc_rs::constant_time::verify_slices_are_equal(&digest(client_secret.as_bytes()), &self.secret_digest).is_ok();
        (id_ok && secret_ok).then_some(owner)
    }
}

#[async_trait]
impl ClientCredentials for OwnerCredentials {
    async fn authenticate_client(&self, client_id: &str, client_secret: &str) -> Result<Option<Principal>, AuthError> {
        Ok(self.check(client_id, client_secret))
    }
}

/// The credentials a server runs with: the local owner's (a secret file in the home) and the
/// practice directory's applications (client id = app id; the client secret is made when the
/// application is created with `vaultmort ad sp create` or on the Directory page, and shown
/// once).
pub struct DirectoryCredentials {
    core: Arc<Vaultmort>,
    owner: OwnerCredentials,
}

impl std::fmt::Debug for DirectoryCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectoryCredentials")
    }
}

impl DirectoryCredentials {
    /// The directory of `core`, plus the local owner with `owner`'s secret.
    pub fn new(core: Arc<Vaultmort>, owner: OwnerCredentials) -> Self {
        Self { core, owner }
    }
}

fn directory_unavailable(error: vaultmort_core::Error) -> AuthError {
    AuthError(format!("the directory could not be read: {error}"))
}

#[async_trait]
impl ClientCredentials for DirectoryCredentials {
    async fn authenticate_client(&self, client_id: &str, client_secret: &str) -> Result<Option<Principal>, AuthError> {
        if let Some(owner) = self.owner.check(client_id, client_secret) {
            return Ok(Some(owner));
        }
        let Some(object) = self.core.check_client_secret(client_id, client_secret).await.map_err(directory_unavailable)? else {
            return Ok(None);
        };
        Ok(object.principal_kind().map(|kind| Principal { object_id: object.object_id.clone(), name: object.sign_in_name(), kind }))
    }
}

/// The claims of a practice token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Audience.
    pub aud: String,
    /// Issuer.
    pub iss: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// The principal's object id.
    pub oid: String,
    /// Subject (the object id too).
    pub sub: String,
    /// Tenant id.
    pub tid: String,
    /// The client id the token was issued to.
    #[serde(default)]
    pub appid: Option<String>,
    /// `app` or `user`.
    #[serde(default)]
    pub idtyp: Option<String>,
    /// The principal's sign-in name when the token was issued (the access log's caller name for
    /// a request refused before the core's pipeline names it from the directory).
    #[serde(default)]
    pub name: Option<String>,
}

impl Claims {
    /// The principal the token names, as the door knows it before the core's authenticate stage
    /// checks it against the directory.
    fn principal(&self) -> Principal {
        let kind = match self.idtyp.as_deref() {
            Some("user") => PrincipalKind::User,
            _ => PrincipalKind::ServicePrincipal,
        };
        Principal { object_id: self.oid.clone(), name: self.name.clone().unwrap_or_else(|| self.oid.clone()), kind }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

const KEY_ID: &str = "vaultmort-practice-1";

/// Signs and checks the server's tokens with an ES256 key made when the server starts: tokens do
/// not outlive the server that issued them.
pub struct TokenSigner {
    pair: EcdsaKeyPair,
    tenant: String,
    issuer: String,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner").field("tenant", &self.tenant).finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// A new signing key for tokens of `tenant` issued by `issuer` (the token endpoint's base).
    pub fn generate(tenant: &str, issuer: &str) -> Result<Self, AuthError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| AuthError("could not make the token signing key".into()))?;
        let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref())
            .map_err(|_| AuthError("could not load the token signing key".into()))?;
        Ok(Self { pair, tenant: tenant.to_string(), issuer: issuer.to_string() })
    }

    /// The tenant tokens are issued for.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// A token for `principal`, issued to `client_id` for `audience` (one of [`Audience::of`]),
    /// valid from `now` for an hour.
    pub fn issue(&self, principal: &Principal, client_id: &str, audience: &str, now: DateTime<Utc>) -> Result<String, AuthError> {
        let claims = Claims {
            aud: audience.to_string(),
            iss: self.issuer.clone(),
            iat: now.timestamp(),
            nbf: now.timestamp() - 300,
            exp: now.timestamp() + TOKEN_LIFETIME_SECONDS,
            oid: principal.object_id.clone(),
            sub: principal.object_id.clone(),
            tid: self.tenant.clone(),
            appid: Some(client_id.to_string()),
            idtyp: Some(if principal.kind == PrincipalKind::User { "user" } else { "app" }.to_string()),
            name: Some(principal.name.clone()),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims (tests use it to make expired or foreign-audience tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, AuthError> {
        let header = Header { alg: "ES256".into(), typ: "JWT".into(), kid: KEY_ID.into() };
        let encode = |value: &dyn erased::Json| value.json().map(|bytes| URL_SAFE_NO_PAD.encode(bytes));
        let signing_input = format!("{}.{}", encode(&header)?, encode(claims)?);
        let rng = SystemRandom::new();
        let signature = self.pair.sign(&rng, signing_input.as_bytes()).map_err(|_| AuthError("could not sign the token".into()))?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref())))
    }

    /// Checks a token's signature, vault audience and lifetime; returns its claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, AuthError> {
        let claims = self.verify_signed(token, now)?;
        check_audience(&claims, Audience::Vault)?;
        Ok(claims)
    }

    /// Checks a token's signature, tenant and lifetime, and that its audience is one of this
    /// server's ([`Audience::of`]); which one is the caller's to check ([`check_audience`]).
    fn verify_signed(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, AuthError> {
        let refuse = |why: &str| AuthError(why.to_string());
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(sig), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(refuse("the bearer token is not a JWT"));
        };
        let signature = URL_SAFE_NO_PAD.decode(sig).map_err(|_| refuse("the token's signature is not base64url"))?;
        let public = UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, self.pair.public_key().as_ref());
        public
            .verify(format!("{header}.{payload}").as_bytes(), &signature)
            .map_err(|_| refuse("the token was not issued by this server (signature check failed)"))?;
        let header: Header = decode_json(header).ok_or_else(|| refuse("the token's header is malformed"))?;
        if header.alg != "ES256" {
            return Err(refuse("the token's algorithm is not ES256"));
        }
        let claims: Claims = decode_json(payload).ok_or_else(|| refuse("the token's claims are malformed"))?;
        if Audience::of(&claims.aud).is_none() {
            return Err(AuthError(format!(
                "the token's audience '{}' is not a resource of this server ({VAULT_AUDIENCE}, https://localhost:<port> or {MANAGEMENT_AUDIENCE}/)",
                claims.aud
            )));
        }
        if claims.tid != self.tenant {
            return Err(refuse("the token is for another tenant"));
        }
        check_lifetime(&claims, now)?;
        Ok(claims)
    }
}

/// Whether a token's audience is `wanted`: a vault token does not reach the management plane,
/// nor a management token a vault.
pub fn check_audience(claims: &Claims, wanted: Audience) -> Result<(), AuthError> {
    match Audience::of(&claims.aud) {
        Some((audience, _)) if audience == wanted => Ok(()),
        _ => Err(AuthError(format!("the token's audience '{}' is not {}", claims.aud, wanted.describe()))),
    }
}

/// Whether a token's claims are within their lifetime at `now`.
fn check_lifetime(claims: &Claims, now: DateTime<Utc>) -> Result<(), AuthError> {
    let now = now.timestamp();
    if now >= claims.exp {
        return Err(AuthError("the token has expired".into()));
    }
    if now < claims.nbf {
        return Err(AuthError("the token is not valid yet".into()));
    }
    Ok(())
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Option<T> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

mod erased {
    /// Serialises to JSON bytes without making the caller generic.
    pub trait Json {
        fn json(&self) -> Result<Vec<u8>, super::AuthError>;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> Result<Vec<u8>, super::AuthError> {
            serde_json::to_vec(self).map_err(|e| super::AuthError(format!("could not encode the token: {e}")))
        }
    }
}

/// How many verified tokens [`JwtAuthenticator`] remembers before it starts afresh.
pub const VERIFIED_TOKENS_KEPT: usize = 4096;

/// Accepts the server's own tokens.
///
/// A client sends the same token with every request for an hour, so the signature, audience and
/// tenant checks of a token are done once: its claims are remembered under the token's SHA-256
/// (never the token itself), and later requests check only its lifetime, on the core's clock.
/// Whether its principal still exists is the core's authenticate stage's to check.
pub struct JwtAuthenticator {
    signer: Arc<TokenSigner>,
    verified: std::sync::Mutex<std::collections::HashMap<[u8; 32], Claims>>,
}

impl JwtAuthenticator {
    /// Tokens from `signer`.
    pub fn new(signer: Arc<TokenSigner>) -> Self {
        Self { signer, verified: std::sync::Mutex::default() }
    }

    /// The token's claims: remembered ones (their lifetime and audience checked again), or
    /// checked in full.
    fn claims(&self, bearer: &str, now: DateTime<Utc>, audience: Audience) -> Result<Claims, AuthError> {
        let key = digest(bearer.as_bytes());
        let remembered = self.verified.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key).cloned();
        if let Some(claims) = remembered {
            check_lifetime(&claims, now)?;
            check_audience(&claims, audience)?;
            return Ok(claims);
        }
        let claims = self.signer.verify_signed(bearer, now)?;
        check_audience(&claims, audience)?;
        let mut verified = self.verified.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if verified.len() >= VERIFIED_TOKENS_KEPT {
            verified.clear();
        }
        verified.insert(key, claims.clone());
        Ok(claims)
    }
}

#[async_trait]
impl Authenticator for JwtAuthenticator {
    async fn authenticate(&self, bearer: &str, now: DateTime<Utc>) -> Result<Principal, AuthError> {
        self.authenticate_for(bearer, now, Audience::Vault).await
    }

    async fn authenticate_for(&self, bearer: &str, now: DateTime<Utc>, audience: Audience) -> Result<Principal, AuthError> {
        Ok(self.claims(bearer, now, audience)?.principal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_audiences_are_key_vault_and_localhost_with_any_port_only() {
        assert_eq!(vault_audience("https://vault.azure.net/.default").as_deref(), Some(VAULT_AUDIENCE));
        assert_eq!(vault_audience("HTTPS://Vault.Azure.Net/").as_deref(), Some(VAULT_AUDIENCE), "case and a trailing slash do not matter");
        assert_eq!(vault_audience("https://localhost:8443/.default").as_deref(), Some("https://localhost:8443"));
        assert_eq!(vault_audience("https://localhost:443").as_deref(), Some("https://localhost"), "the default port is dropped");
        assert_eq!(vault_audience("https://localhost").as_deref(), Some("https://localhost"));
        for refused in [
            "http://localhost:8443",
            "https://localhost.evil.example",
            "https://evil.localhost",
            "https://localhost:99999",
            "https://localhost:+80",
            "https://localhost:",
            "https://management.azure.com/.default",
            "",
        ] {
            assert_eq!(vault_audience(refused), None, "{refused} is not a vault resource");
        }
        assert_eq!(challenge_resource(Some(8443)), "https://localhost:8443");
        assert_eq!(challenge_resource(Some(443)), "https://localhost");
    }
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).single().expect("a valid time")
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let signer = TokenSigner::generate("tenant", "https://localhost/tenant/v2.0").expect("a key");
        let token = signer.issue(&Principal::local_owner(), "client", VAULT_AUDIENCE, at(1_000_000)).expect("a token");
        let claims = signer.verify(&token, at(1_000_010)).expect("a fresh token verifies");
        assert_eq!(claims.oid, Principal::local_owner().object_id);
        assert!(signer.verify(&token, at(1_000_000 + TOKEN_LIFETIME_SECONDS)).is_err(), "expired at exp");
    }

    #[tokio::test]
    async fn a_remembered_token_still_expires_and_a_forged_one_is_still_refused() {
        let signer = Arc::new(TokenSigner::generate("tenant", "x").expect("a key"));
        let authenticator = JwtAuthenticator::new(signer.clone());
        let token = signer.issue(&Principal::local_owner(), "client", VAULT_AUDIENCE, at(1_000_000)).expect("a token");
        authenticator.authenticate(&token, at(1_000_001)).await.expect("a fresh token is accepted");
        authenticator.authenticate(&token, at(1_000_002)).await.expect("and again, from memory");
        let expired = authenticator.authenticate(&token, at(1_000_000 + TOKEN_LIFETIME_SECONDS)).await;
        assert!(expired.is_err(), "a remembered token is refused once it expires");
        let (head, _) = token.rsplit_once('.').expect("a JWT");
        let forged = format!("{head}.{}", URL_SAFE_NO_PAD.encode([0u8; 64]));
        assert!(authenticator.authenticate(&forged, at(1_000_001)).await.is_err(), "the same claims with another signature are refused");
    }

    #[tokio::test]
    async fn a_management_token_reaches_only_the_management_plane_and_a_vault_token_only_vaults() {
        assert_eq!(management_audience("https://management.core.windows.net//.default").as_deref(), Some(MANAGEMENT_AUDIENCE));
        assert_eq!(management_audience("https://management.azure.com/.default"), None, "ARM's URL is not its token resource");
        assert_eq!(vault_audience("https://management.core.windows.net/"), None, "the management resource is no vault resource");
        let signer = Arc::new(TokenSigner::generate("tenant", "x").expect("a key"));
        let authenticator = JwtAuthenticator::new(signer.clone());
        let owner = Principal::local_owner();
        let management = signer.issue(&owner, "client", MANAGEMENT_AUDIENCE, at(1_000_000)).expect("a token");
        let vault = signer.issue(&owner, "client", VAULT_AUDIENCE, at(1_000_000)).expect("a token");
        for round in ["checked in full", "remembered"] {
            assert!(authenticator.authenticate_for(&management, at(1_000_001), Audience::Management).await.is_ok(), "{round}");
            assert!(authenticator.authenticate(&management, at(1_000_001)).await.is_err(), "a management token opens no vault ({round})");
            assert!(authenticator.authenticate(&vault, at(1_000_001)).await.is_ok(), "{round}");
            let refused = authenticator.authenticate_for(&vault, at(1_000_001), Audience::Management).await;
            assert!(refused.is_err(), "a vault token does not reach the management plane ({round})");
        }
        assert!(signer.verify(&management, at(1_000_001)).is_err(), "verify is the vault check");
    }

    #[test]
    fn another_servers_token_is_refused() {
        let ours = TokenSigner::generate("tenant", "x").expect("a key");
        let theirs = TokenSigner::generate("tenant", "x").expect("a key");
        let token = theirs.issue(&Principal::local_owner(), "client", VAULT_AUDIENCE, at(1_000_000)).expect("a token");
        assert!(ours.verify(&token, at(1_000_001)).is_err(), "a signature by another key must not verify");
    }

    #[tokio::test]
    async fn the_owner_client_needs_its_secret() {
        let credentials = OwnerCredentials::new("s3cret");
        let owner = Principal::local_owner();
        let check = |id: String, secret: &'static str| {
            let credentials = &credentials;
            async move { credentials.authenticate_client(&id, secret).await.expect("no store involved") }
        };
        assert!(check(owner.object_id.clone(), "s3cret").await.is_some(), "the owner's id and secret");
        assert!(check(owner.object_id.clone(), "wrong").await.is_none(), "a wrong secret");
        assert!(check("someone-else".into(), "s3cret").await.is_none(), "the secret under another client id");
    }
}
