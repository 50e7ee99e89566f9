//! The practice token endpoint: OAuth2 client credentials at `POST /{tenant}/oauth2/v2.0/token`
//! (form-encoded), and the OpenID configuration MSAL reads first at
//! `GET /{tenant}/v2.0/.well-known/openid-configuration`. Errors are OAuth-shaped
//! (`{"error","error_description"}`), as Entra ID answers them.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::State;
use crate::auth::{TOKEN_LIFETIME_SECONDS, VAULT_AUDIENCE};

/// An OAuth error reply.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> (StatusCode, Value) {
    (status, json!({"error": error, "error_description": description, "error_codes": [], "timestamp": ""}))
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

fn tenant_matches(state: &State, tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(state.signer.tenant()) || matches!(tenant, "organizations" | "common")
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub(crate) async fn issue(state: &State, tenant: &str, body: &[u8]) -> (StatusCode, Value) {
    if !tenant_matches(state, tenant) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_tenant", &format!("tenant '{tenant}' is not this installation's tenant"));
    }
    let Ok(form) = serde_urlencoded::from_bytes::<TokenForm>(body) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the body is not form-encoded");
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "only grant_type=client_credentials is supported");
    }
    let scope = form.scope.unwrap_or_default();
    if !scope.split_whitespace().any(|s| s.trim_end_matches("/.default").trim_end_matches('/') == VAULT_AUDIENCE) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", &format!("the scope must be {VAULT_AUDIENCE}/.default"));
    }
    let (Some(client_id), Some(secret)) = (form.client_id, form.client_secret) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "client_id and client_secret are required");
    };
    let principal = match state.credentials.authenticate_client(&client_id, &secret).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "the client id or secret is wrong"),
        Err(e) => return oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", &e.0),
    };
    match state.signer.issue(&principal, &client_id, state.core.clock().now()) {
        Ok(token) => (
            StatusCode::OK,
            json!({
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME_SECONDS,
                "ext_expires_in": TOKEN_LIFETIME_SECONDS,
                "access_token": token,
            }),
        ),
        Err(e) => oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e.0),
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
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "tenant_region_scope": null,
        }),
    )
}
