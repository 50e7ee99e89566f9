//! The few Resource Manager (management-plane) answers a client needs before it reaches a vault:
//! `az login --service-principal` lists the caller's subscriptions (`GET /subscriptions`), and
//! `az login --skip-subscription-discovery --subscription <id>` reads one
//! (`GET /subscriptions/{id}`). They are served on the server's own host (`localhost:<port>` or
//! an IP address, never `<vault>.localhost`), which a custom cloud registers as its
//! `--endpoint-resource-manager`.
//!
//! `GET /metadata/endpoints` needs no token, as in Azure (and Azure Stack Hub, whose clouds are
//! registered the same way): it names this server's authority, the management resource its
//! tokens are for, its Resource Manager URL and the vault DNS suffix, so
//! `az cloud register --endpoint-resource-manager https://localhost:<port>/` finds the rest.
//!
//! Every other request needs a token for the management resource ([`Audience::Management`]); a
//! vault token is refused here as a management token is refused by every vault. The subscriptions are
//! the core's (`Vaultmort::list_subscriptions`: those the caller holds a role in), listed through
//! its pipeline, which authenticates and audits the request. Errors have Resource Manager's
//! shape and codes (`AuthenticationFailed`, `MissingApiVersionParameter`,
//! `InvalidApiVersionParameter`, `SubscriptionNotFound`).
//!
//! Left out: every other Resource Manager route (vaults and resource groups are managed through
//! the CLI and the desktop app), `GET /tenants` (the core has no operation that lists tenants
//! for a caller, and `az login` with `--tenant` does not ask), and in the metadata document
//! every endpoint of a service this server does not have (Graph, storage, SQL, ...).

use std::net::SocketAddr;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use vaultmort_core::model::Subscription;

use crate::State;
use crate::auth::Audience;
use crate::error::ApiError;

/// The answer to a management-plane request, or `None` when the request is not one (it goes on
/// to the data plane).
pub(crate) async fn answer(
    state: &State,
    peer: SocketAddr,
    method: &Method,
    host: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<Response> {
    if !is_server_host(host) {
        return None;
    }
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let route = match (method, segments.as_slice()) {
        // az asks for `<resource manager>/metadata/endpoints` and the resource manager URL
        // conventionally ends with a slash: `//metadata/endpoints` is the same document.
        (&Method::GET, ["metadata", "endpoints"] | ["", "metadata", "endpoints"]) => return Some(metadata_endpoints(state, host, uri)),
        (&Method::GET, ["subscriptions"]) => Route::ListSubscriptions,
        (&Method::GET, ["subscriptions", id]) if !id.is_empty() => Route::ShowSubscription(id),
        _ => return None,
    };
    Some(respond(state, peer, route, uri, headers).await)
}

enum Route<'a> {
    ListSubscriptions,
    ShowSubscription(&'a str),
}

/// Whether the Host is the server's own (`localhost` or an IP address, any port) rather than a
/// vault's.
fn is_server_host(host: &str) -> bool {
    let Ok(authority) = host.parse::<axum::http::uri::Authority>() else { return false };
    let name = authority.host().trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

async fn respond(state: &State, peer: SocketAddr, route: Route<'_>, uri: &Uri, headers: &HeaderMap) -> Response {
    let path = uri.path();
    let bearer = headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(|h| {
        let (scheme, token) = h.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
    });
    let principal = match bearer {
        None => Err("the request has no bearer token; get one for the management resource from the practice token endpoint".to_string()),
        Some(token) => state.authenticator.authenticate_for(&token, state.core.clock().now(), Audience::Management).await.map_err(|e| e.0),
    };
    let principal = match principal {
        Ok(principal) => principal,
        Err(why) => {
            let refusal = ApiError::new(StatusCode::UNAUTHORIZED, "AuthenticationFailed", why);
            audit_refusal(state, None, peer, path, &refusal).await;
            return challenge(state, &refusal);
        }
    };
    if let Err(refusal) = check_api_version(uri) {
        audit_refusal(state, Some(principal), peer, path, &refusal).await;
        return error_response(&refusal);
    }
    let ctx = crate::context(principal, peer);
    let subscriptions = match state.core.list_subscriptions(&ctx).await {
        Ok(subscriptions) => subscriptions,
        Err(error) => {
            let error = ApiError::from(error);
            // The core's authenticate stage refused the token's principal: tell the client how
            // to get another token, as for any refused token.
            return if error.status == StatusCode::UNAUTHORIZED { challenge(state, &error) } else { error_response(&error) };
        }
    };
    let tenant = state.core.tenant().tenant_id.as_str();
    match route {
        Route::ListSubscriptions => {
            let value: Vec<Value> = subscriptions.iter().map(|s| subscription_json(s, tenant)).collect();
            json_response(StatusCode::OK, json!({ "value": value }))
        }
        // Only a subscription the caller can see is shown; another is as absent as a wrong id,
        // as Resource Manager answers.
        Route::ShowSubscription(id) => match subscriptions.iter().find(|s| s.id.eq_ignore_ascii_case(id)) {
            Some(subscription) => json_response(StatusCode::OK, subscription_json(subscription, tenant)),
            None => error_response(&ApiError::new(
                StatusCode::NOT_FOUND,
                "SubscriptionNotFound",
                format!("The subscription '{id}' could not be found."),
            )),
        },
    }
}

/// `GET /metadata/endpoints`: this server as a cloud, in Resource Manager's metadata shape (the
/// authority, the management token resource, Resource Manager's URL, the vault DNS suffix
/// without its leading dot), all at the host the client used.
fn metadata_endpoints(state: &State, host: &str, uri: &Uri) -> Response {
    if let Err(refusal) = check_api_version(uri) {
        return error_response(&refusal);
    }
    let port = host.parse::<axum::http::uri::Authority>().ok().and_then(|a| a.port_u16()).unwrap_or(state.port);
    json_response(
        StatusCode::OK,
        json!({
            "name": "Vaultmort",
            "resourceManager": format!("https://{host}/"),
            "authentication": {
                "loginEndpoint": format!("https://{host}"),
                "audiences": [format!("{}/", crate::auth::MANAGEMENT_AUDIENCE)],
                "tenant": state.signer.tenant(),
                "identityProvider": "AAD",
            },
            "suffixes": { "keyVaultDns": format!("localhost:{port}") },
        }),
    )
}

/// A subscription in Resource Manager's shape (`Subscriptions - List`): its id, display name
/// and home tenant. A practice subscription is always usable, hence `Enabled`.
fn subscription_json(subscription: &Subscription, tenant: &str) -> Value {
    json!({
        "id": format!("/subscriptions/{}", subscription.id),
        "subscriptionId": subscription.id,
        "tenantId": tenant,
        "displayName": subscription.name,
        "state": "Enabled",
        "managedByTenants": [],
    })
}

/// Resource Manager's `api-version` check: required, and a dated version (`2022-12-01`,
/// optionally with a `-preview` suffix).
fn check_api_version(uri: &Uri) -> Result<(), ApiError> {
    let query: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or(""))
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "InvalidApiVersionParameter", "the query string is malformed"))?;
    let Some((_, version)) = query.iter().find(|(k, _)| k == "api-version") else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    if is_dated_version(version) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidApiVersionParameter",
            format!("The api-version '{version}' is invalid. The supported versions are dated, for example '2022-12-01'."),
        ))
    }
}

/// `YYYY-MM-DD` with a real month and day, optionally followed by `-preview`.
fn is_dated_version(version: &str) -> bool {
    let date = version.strip_suffix("-preview").unwrap_or(version);
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() && date.len() == 10
}

/// 401 with Resource Manager's challenge: where to get a token.
fn challenge(state: &State, refusal: &ApiError) -> Response {
    let mut response = error_response(refusal);
    let value = format!(
        "Bearer authorization_uri=\"https://localhost:{}/{}\", error=\"invalid_token\", error_description=\"{}\"",
        state.port,
        state.signer.tenant(),
        refusal.message.replace('"', "'"),
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Audits a request refused before the core's pipeline ran; if the record cannot be written the
/// request is refused all the same.
async fn audit_refusal(state: &State, principal: Option<vaultmort_core::Principal>, peer: SocketAddr, path: &str, error: &ApiError) {
    let principal = principal.unwrap_or_else(|| vaultmort_core::Principal {
        object_id: String::new(),
        name: "(no valid token)".to_string(),
        kind: vaultmort_core::context::PrincipalKind::User,
    });
    let refusal = vaultmort_core::DoorRefusal {
        operation: if error.status == StatusCode::UNAUTHORIZED { "Authentication" } else { "RequestRejected" }.to_string(),
        vault: None,
        object: Some(format!("GET {path}")),
        status: error.status.as_u16(),
        code: error.code.clone(),
    };
    let _ = state.core.audit_refusal(&crate::context(principal, peer), &refusal).await;
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response()
}

fn error_response(error: &ApiError) -> Response {
    json_response(error.status(), error.body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_servers_own_host_is_the_management_plane() {
        for ours in ["localhost:8443", "LOCALHOST", "127.0.0.1:9", "[::1]:8443"] {
            assert!(is_server_host(ours), "{ours} is the server's own host");
        }
        for vault in ["myvault.localhost:8443", "example.com", "localhost.evil:1"] {
            assert!(!is_server_host(vault), "{vault} is not the management host");
        }
    }

    #[test]
    fn api_versions_are_dated() {
        for good in ["2022-12-01", "2016-06-01", "2020-01-01-preview"] {
            assert!(is_dated_version(good), "{good}");
        }
        for bad in ["7.6", "2022-13-01", "2022-12-1", "garbage", "", "2022-12-01-beta", "+2022-12-01"] {
            assert!(!is_dated_version(bad), "{bad}");
        }
    }
}
