//! Resource Manager's routes on the server's own host, as `az login --service-principal` calls
//! them: `GET /subscriptions` and `GET /subscriptions/{id}` with a token for the management
//! resource, answered from the core's subscriptions and the caller's role assignments.

use reqwest::Method;
use serde_json::Value;
use vaultmort_core::{Door, RequestContext};

use crate::support::{TestServer, assert_error};

/// The scope `az` asks for: the management resource id with a trailing slash, then `/.default`.
const MANAGEMENT_SCOPE: &str = "https://management.core.windows.net//.default";

async fn token_for_scope(t: &TestServer, client_id: &str, client_secret: &str, scope: &str) -> String {
    let response = t
        .client()
        .post(format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant()))
        .form(&[("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", client_secret), ("scope", scope)])
        .send()
        .await
        .expect("the token endpoint answers");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("an OAuth JSON body");
    assert_eq!(status, 200, "the token endpoint issues tokens for {scope}: {body}");
    body["access_token"].as_str().expect("an access token").to_string()
}

/// `GET https://<host>:<port><path>` with an optional bearer token: status, `WWW-Authenticate`
/// and the JSON body.
async fn get(t: &TestServer, host: &str, path: &str, token: Option<&str>) -> (u16, Option<String>, Value) {
    let mut request = t.client().request(Method::GET, format!("https://{host}:{}{path}", t.addr().port()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let challenge = response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).map(str::to_string);
    (status, challenge, response.json().await.expect("every answer is JSON"))
}

#[tokio::test]
async fn an_application_sees_the_subscriptions_it_holds_a_role_in_and_no_other() {
    let t = TestServer::start().await;
    let (object_id, app_id, secret) = t.practice_app("arm-app").await;
    let token = token_for_scope(&t, &app_id, &secret, MANAGEMENT_SCOPE).await;
    let (status, _, body) = get(&t, "localhost", "/subscriptions?api-version=2022-12-01", Some(&token)).await;
    assert_eq!(status, 200, "a management token lists subscriptions: {body}");
    assert_eq!(
        body["value"],
        serde_json::json!([]),
        "an application without any role sees no subscription (az login then needs --allow-no-subscriptions)"
    );

    let subscription = t.core.tenant().default_subscription.clone();
    let owner = RequestContext::local_owner(Door::Cli);
    t.core
        .create_role_assignment(&owner, &object_id, "Reader", &format!("/subscriptions/{}/resourceGroups/rg", subscription.id))
        .await
        .expect("the owner assigns Reader on the resource group");
    let (status, _, body) = get(&t, "localhost", "/subscriptions?api-version=2022-12-01", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let listed = body["value"].as_array().expect("a value array");
    assert_eq!(listed.len(), 1, "a role inside the subscription makes it visible, as in Azure: {body}");
    let listed = &listed[0];
    assert_eq!(listed["subscriptionId"], subscription.id.as_str(), "the core's default subscription");
    assert_eq!(listed["id"], format!("/subscriptions/{}", subscription.id), "Resource Manager's id form");
    assert_eq!(listed["displayName"], subscription.name.as_str(), "its display name");
    assert_eq!(listed["tenantId"], t.server.tenant(), "its home tenant is the practice tenant the token is for");

    let (status, _, shown) =
        get(&t, "127.0.0.1", &format!("/subscriptions/{}?api-version=2022-12-01", subscription.id), Some(&token)).await;
    assert_eq!(status, 200, "one subscription by id, on the IP address too: {shown}");
    assert_eq!(&shown, listed, "GET /subscriptions/{{id}} answers the listed object");
    let unknown = uuid::Uuid::new_v4();
    let (status, _, body) = get(&t, "localhost", &format!("/subscriptions/{unknown}?api-version=2022-12-01"), Some(&token)).await;
    assert_error(status, &body, 404, "SubscriptionNotFound", "an id no subscription has");
}

#[tokio::test]
async fn the_management_plane_takes_only_management_tokens_and_vaults_refuse_them() {
    let t = TestServer::start().await;
    let (_, app_id, secret) = t.practice_app("arm-tokens").await;
    let path = "/subscriptions?api-version=2022-12-01";

    let mark = t.audit_mark().await;
    let (status, challenge, body) = get(&t, "localhost", path, None).await;
    assert_error(status, &body, 401, "AuthenticationFailed", "no token");
    let challenge = challenge.expect("a 401 says where to get a token");
    assert!(
        challenge.contains(&format!("authorization_uri=\"https://localhost:{}/{}\"", t.addr().port(), t.server.tenant())),
        "Resource Manager's challenge names the practice authority: {challenge}"
    );
    let refusals = t.audit_after(mark).await;
    assert_eq!(refusals.len(), 1, "the refused request is in the access log, as every request is");

    let vault_token = token_for_scope(&t, &app_id, &secret, "https://vault.azure.net/.default").await;
    let (status, _, body) = get(&t, "localhost", path, Some(&vault_token)).await;
    assert_error(status, &body, 401, "AuthenticationFailed", "a vault token does not reach the management plane");

    let management_token = token_for_scope(&t, &app_id, &secret, MANAGEMENT_SCOPE).await;
    let (status, body) = t.call(&management_token, Method::GET, "/secrets?api-version=7.6", None).await;
    assert_error(status, &body, 401, "Unauthorized", "a management token opens no vault");
    let (status, _, body) = get(&t, &format!("{}.localhost", crate::support::VAULT), path, Some(&management_token)).await;
    assert_error(status, &body, 401, "Unauthorized", "a vault's host is the data plane: /subscriptions there is no management route");
}

#[tokio::test]
async fn the_management_plane_requires_a_dated_api_version() {
    let t = TestServer::start().await;
    let (_, app_id, secret) = t.practice_app("arm-versions").await;
    let token = token_for_scope(&t, &app_id, &secret, MANAGEMENT_SCOPE).await;
    let (status, _, body) = get(&t, "localhost", "/subscriptions", Some(&token)).await;
    assert_error(status, &body, 400, "MissingApiVersionParameter", "no api-version");
    for wrong in ["7.6", "2022-13-01", "garbage"] {
        let (status, _, body) = get(&t, "localhost", &format!("/subscriptions?api-version={wrong}"), Some(&token)).await;
        assert_error(status, &body, 400, "InvalidApiVersionParameter", &format!("api-version {wrong} is not a Resource Manager version"));
    }
}

#[tokio::test]
async fn the_metadata_document_describes_this_server_as_a_cloud_without_a_token() {
    let t = TestServer::start().await;
    let port = t.addr().port();
    let (status, _, body) = get(&t, "localhost", "/metadata/endpoints?api-version=2022-09-01", None).await;
    assert_eq!(status, 200, "the metadata document is public, as Resource Manager's is: {body}");
    assert_eq!(body["resourceManager"], format!("https://localhost:{port}/"), "Resource Manager is this host");
    assert_eq!(body["authentication"]["loginEndpoint"], format!("https://localhost:{port}"), "the practice authority");
    assert_eq!(body["authentication"]["audiences"][0], "https://management.core.windows.net/", "the resource management tokens are for");
    assert_eq!(body["authentication"]["tenant"], t.server.tenant(), "the practice tenant");
    assert_eq!(body["suffixes"]["keyVaultDns"], format!("localhost:{port}"), "vaults are <vault>.localhost:<port>");

    // The token it names works on the routes it describes.
    let (_, app_id, secret) = t.practice_app("arm-metadata").await;
    let audience = body["authentication"]["audiences"][0].as_str().expect("an audience");
    let token = token_for_scope(&t, &app_id, &secret, &format!("{audience}/.default")).await;
    let (status, _, listed) = get(&t, "localhost", "/subscriptions?api-version=2022-12-01", Some(&token)).await;
    assert_eq!(status, 200, "a token for the advertised audience lists subscriptions: {listed}");

    let (status, _, doubled) = get(&t, "localhost", "//metadata/endpoints?api-version=2022-09-01", None).await;
    assert_eq!((status, &doubled), (200, &body), "az joins `https://localhost:<port>/` and `/metadata/endpoints` with two slashes");

    let (status, _, body) = get(&t, "localhost", "/metadata/endpoints", None).await;
    assert_error(status, &body, 400, "MissingApiVersionParameter", "the metadata document needs an api-version too");
}
