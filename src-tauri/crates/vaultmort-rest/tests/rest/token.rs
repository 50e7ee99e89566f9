//! The practice token endpoint's client authentication methods (issue 11 point 6): what the
//! OpenID document advertises is what works.

use base64::Engine;
use reqwest::Method;

use crate::support::{OWNER_SECRET, TestServer};

fn token_url(t: &TestServer) -> String {
    format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant())
}

/// `Basic base64(form-encode(id):form-encode(secret))`, RFC 6749 section 2.3.1.
fn basic(client_id: &str, client_secret: &str) -> String {
    let encode = |s: &str| serde_urlencoded::to_string([("x", s)]).expect("encodable")["x=".len()..].to_string();
    let pair = format!("{}:{}", encode(client_id), encode(client_secret));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
}

async fn token_request(t: &TestServer, authorization: Option<String>, form: &[(&str, &str)]) -> (u16, Option<String>, serde_json::Value) {
    let mut fields = vec![("grant_type", "client_credentials"), ("scope", "https://vault.azure.net/.default")];
    fields.extend_from_slice(form);
    let mut request = t.client().post(token_url(t)).form(&fields);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.send().await.expect("the token endpoint answers");
    let status = response.status().as_u16();
    let challenge = response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).map(str::to_string);
    (status, challenge, response.json().await.expect("an OAuth JSON body"))
}

// Regression, issue 11 point 6: `client_secret_basic` was advertised but a Basic-authenticated
// token request answered 400.
#[tokio::test]
async fn issue11_a_basic_authenticated_token_request_gets_a_token_that_works() {
    let t = TestServer::start().await;
    let owner = vaultmort_core::Principal::local_owner().object_id;
    // The owner's test secret has spaces: form-encoded as `+` inside the base64.
    let (status, _, body) = token_request(&t, Some(basic(&owner, OWNER_SECRET)), &[]).await;
    assert_eq!(status, 200, "client_secret_basic gets a token: {body}");
    let token = body["access_token"].as_str().expect("an access token");
    let (status, body) = t.call(token, Method::GET, "/secrets?api-version=7.6", None).await;
    assert_eq!(status, 200, "the token it got works on the vault: {body}");

    let (_, app_id, secret) = t.practice_app("basic-app").await;
    let (status, _, body) = token_request(&t, Some(basic(&app_id, &secret)), &[("client_id", app_id.as_str())]).await;
    assert_eq!(status, 200, "a directory application too, with its client_id repeated in the body: {body}");
}

#[tokio::test]
async fn issue11_a_wrong_basic_secret_is_invalid_client() {
    let t = TestServer::start().await;
    let owner = vaultmort_core::Principal::local_owner().object_id;
    let (status, challenge, body) = token_request(&t, Some(basic(&owner, "not the secret")), &[]).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "a wrong secret gets no token: {body}");
    assert!(challenge.is_some_and(|c| c.starts_with("Basic")), "the 401 names the scheme the client used (RFC 6749 5.2)");
}

#[tokio::test]
async fn issue11_credentials_given_both_ways_are_refused() {
    let t = TestServer::start().await;
    let owner = vaultmort_core::Principal::local_owner().object_id;
    let form = [("client_id", owner.as_str()), ("client_secret", OWNER_SECRET)];
    let (status, _, body) = token_request(&t, Some(basic(&owner, OWNER_SECRET)), &form).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "one authentication method per request: {body}");
    let (status, _, body) = token_request(&t, Some("Basic not-base64!".into()), &[]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "a malformed Basic header: {body}");
}

#[tokio::test]
async fn the_openid_document_advertises_exactly_the_methods_that_work() {
    let t = TestServer::start().await;
    let document: serde_json::Value = t
        .client()
        .get(format!("https://localhost:{}/{}/v2.0/.well-known/openid-configuration", t.addr().port(), t.server.tenant()))
        .send()
        .await
        .expect("the document answers")
        .json()
        .await
        .expect("JSON");
    let methods = &document["token_endpoint_auth_methods_supported"];
    assert_eq!(methods, &serde_json::json!(["client_secret_post", "client_secret_basic"]), "both are tested in this module");
}
