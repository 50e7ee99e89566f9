//! The practice token endpoint: OAuth2 client credentials at `POST /{tenant}/oauth2/v2.0/token`
//! (form-encoded; the client authenticates with its secret in the body, `client_secret_post`,
//! or in an `Authorization: Basic` header, `client_secret_basic`), and the OpenID
//! configuration MSAL reads first at `GET /{tenant}/v2.0/.well-known/openid-configuration`,
//! which advertises exactly those two methods. Errors are OAuth-shaped
//! (`{"error","error_description"}`), as Entra ID answers them.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::State;
use crate::auth::{Audience, MANAGEMENT_AUDIENCE, TOKEN_LIFETIME_SECONDS, VAULT_AUDIENCE};

/// An OAuth error reply.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> (StatusCode, Value) {
    (status, json!({"error": error, "error_description": description, "error_codes": [], "timestamp": ""}))
}

/// The client authentication methods the token endpoint accepts, as the OpenID document
/// advertises them: exactly what [`client_credentials`] reads.
pub(crate) const AUTH_METHODS: [&str; 2] = ["client_secret_post", "client_secret_basic"];

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

/// The token endpoint's answer. A client that authenticated with HTTP Basic and failed is told
/// so in `WWW-Authenticate` (RFC 6749 section 5.2).
pub(crate) struct TokenAnswer {
    status: StatusCode,
    body: Value,
    basic_challenge: bool,
}

impl From<(StatusCode, Value)> for TokenAnswer {
    fn from((status, body): (StatusCode, Value)) -> Self {
        Self { status, body, basic_challenge: false }
    }
}

impl IntoResponse for TokenAnswer {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], self.body.to_string()).into_response();
        if self.basic_challenge {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"vaultmort\""));
        }
        response
    }
}

/// Why the client's credentials could not be read from the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ClientAuthError {
    /// The `Authorization: Basic` value is not base64 of `id:secret` (form-encoded, UTF-8).
    #[error("the Authorization header is not Basic base64(client_id:client_secret) with both parts form-encoded")]
    MalformedBasic,
    /// The secret came both in the header and in the body.
    #[error("the client credentials were given both in the Authorization header and in the body; use one method")]
    TwoMethods,
    /// The body's client_id differs from the header's.
    #[error("the client_id in the body is not the one in the Authorization header")]
    ClientIdMismatch,
    /// Neither method was used.
    #[error(
        "client_id and client_secret are required, in the body (client_secret_post) or in an Authorization: Basic header (client_secret_basic)"
    )]
    Missing,
}

/// A client's id and secret, and whether they came by HTTP Basic.
struct ClientSecret {
    client_id: String,
    secret: Zeroizing<String>,
    by_basic: bool,
}

/// The client's credentials: from `Authorization: Basic` (`client_secret_basic`, RFC 6749
/// section 2.3.1: id and secret form-encoded, joined by `:`, base64) or from the body
/// (`client_secret_post`), never both. A body may repeat the header's client_id.
fn client_credentials(headers: &HeaderMap, form: &TokenForm) -> Result<ClientSecret, ClientAuthError> {
    let basic = headers.get(header::AUTHORIZATION).and_then(|value| {
        let (scheme, rest) = value.to_str().ok()?.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("basic").then(|| rest.trim().to_string())
    });
    let Some(encoded) = basic else {
        let (Some(client_id), Some(secret)) = (&form.client_id, &form.client_secret) else {
            return Err(ClientAuthError::Missing);
        };
        return Ok(ClientSecret { client_id: client_id.clone(), secret: Zeroizing::new(secret.clone()), by_basic: false });
    };
    if form.client_secret.is_some() {
        return Err(ClientAuthError::TwoMethods);
    }
    let decoded = Zeroizing::new(BASIC_BASE64.decode(encoded.as_bytes()).map_err(|_| ClientAuthError::MalformedBasic)?);
    let text = std::str::from_utf8(&decoded).map_err(|_| ClientAuthError::MalformedBasic)?;
    let (id, secret) = text.split_once(':').ok_or(ClientAuthError::MalformedBasic)?;
    let client_id = form_decode(id).ok_or(ClientAuthError::MalformedBasic)?;
    let secret = Zeroizing::new(form_decode(secret).ok_or(ClientAuthError::MalformedBasic)?);
    if client_id.is_empty() {
        return Err(ClientAuthError::MalformedBasic);
    }
    if form.client_id.as_ref().is_some_and(|body_id| *body_id != client_id) {
        return Err(ClientAuthError::ClientIdMismatch);
    }
    Ok(ClientSecret { client_id, secret, by_basic: true })
}

/// Standard base64, padded or not.
const BASIC_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// Undoes application/x-www-form-urlencoded encoding (`+` is a space, `%XX` a byte); `None` for
/// a broken escape or bytes that are not UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(b) = input.next() {
        bytes.push(match b {
            b'+' => b' ',
            b'%' => {
                let hex = [input.next()?, input.next()?];
                u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?
            }
            b => b,
        });
    }
    String::from_utf8(bytes).ok()
}

fn tenant_matches(state: &State, tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(state.signer.tenant()) || matches!(tenant, "organizations" | "common")
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub(crate) async fn issue(state: &State, tenant: &str, headers: &HeaderMap, body: &[u8]) -> TokenAnswer {
    if !tenant_matches(state, tenant) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_tenant", &format!("tenant '{tenant}' is not this installation's tenant"))
            .into();
    }
    let Ok(form) = serde_urlencoded::from_bytes::<TokenForm>(body) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the body is not form-encoded").into();
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "only grant_type=client_credentials is supported").into();
    }
    let scope = form.scope.clone().unwrap_or_default();
    let Some((_, audience)) = scope.split_whitespace().find_map(Audience::of) else {
        let message = format!(
            "the scope must be a vault resource's .default ({VAULT_AUDIENCE}/.default or https://localhost:<port>/.default) \
             or the management resource's ({MANAGEMENT_AUDIENCE}//.default)"
        );
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", &message).into();
    };
    let client = match client_credentials(headers, &form) {
        Ok(client) => client,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &e.to_string()).into(),
    };
    let principal = match state.credentials.authenticate_client(&client.client_id, &client.secret).await {
        Ok(Some(principal)) => principal,
        Ok(None) => {
            let (status, body) = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "the client id or secret is wrong");
            return TokenAnswer { status, body, basic_challenge: client.by_basic };
        }
        Err(e) => return oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", &e.0).into(),
    };
    match state.signer.issue(&principal, &client.client_id, &audience, state.core.clock().now()) {
        Ok(token) => (
            StatusCode::OK,
            json!({
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME_SECONDS,
                "ext_expires_in": TOKEN_LIFETIME_SECONDS,
                "access_token": token,
            }),
        )
            .into(),
        Err(e) => oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e.0).into(),
    }
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub(crate) fn openid_configuration(state: &State, host: &str, tenant: &str) -> (StatusCode, Value) {
    if !tenant_matches(state, tenant) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_tenant", &format!("tenant '{tenant}' is not this installation's tenant"));
    }
    let base = format!("https://{host}/{tenant}");
    (
        StatusCode::OK,
        json!({
            "token_endpoint": format!("{base}/oauth2/v2.0/token"),
            "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
            "issuer": format!("{base}/v2.0"),
            "jwks_uri": format!("{base}/discovery/v2.0/keys"),
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "tenant_region_scope": null,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(client_id: Option<&str>, client_secret: Option<&str>) -> TokenForm {
        TokenForm {
            grant_type: Some("client_credentials".into()),
            client_id: client_id.map(str::to_string),
            client_secret: client_secret.map(str::to_string),
            scope: None,
        }
    }

    fn basic(credentials: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&value).expect("ASCII"));
        headers
    }

    #[test]
    fn basic_credentials_are_form_decoded_after_base64() {
        let client = client_credentials(&basic("app%3Aone:s%C3%A9cret+with%2Bplus"), &form(None, None)).expect("well-formed");
        assert_eq!((client.client_id.as_str(), client.secret.as_str()), ("app:one", "sécret with+plus"), "RFC 6749 2.3.1 encoding");
        assert!(client.by_basic);
        let same_id = client_credentials(&basic("app:secret"), &form(Some("app"), None)).expect("the body may repeat the client id");
        assert_eq!(same_id.client_id, "app");
    }

    #[test]
    fn credentials_must_come_one_way_and_well_formed() {
        assert_eq!(client_credentials(&basic("app:secret"), &form(None, Some("secret"))).err(), Some(ClientAuthError::TwoMethods));
        assert_eq!(client_credentials(&basic("app:secret"), &form(Some("other"), None)).err(), Some(ClientAuthError::ClientIdMismatch));
        assert_eq!(client_credentials(&basic("no colon"), &form(None, None)).err(), Some(ClientAuthError::MalformedBasic));
        assert_eq!(client_credentials(&basic("app:%zz"), &form(None, None)).err(), Some(ClientAuthError::MalformedBasic));
        assert_eq!(client_credentials(&basic(":secret"), &form(None, None)).err(), Some(ClientAuthError::MalformedBasic));
        let mut not_base64 = HeaderMap::new();
        not_base64.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        assert_eq!(client_credentials(&not_base64, &form(None, None)).err(), Some(ClientAuthError::MalformedBasic));
        assert_eq!(client_credentials(&HeaderMap::new(), &form(Some("app"), None)).err(), Some(ClientAuthError::Missing));
        let post = client_credentials(&HeaderMap::new(), &form(Some("app"), Some("secret"))).expect("client_secret_post");
        assert!(!post.by_basic);
    }
}
