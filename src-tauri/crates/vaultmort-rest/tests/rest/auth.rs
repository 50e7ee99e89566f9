//! The challenge, the token endpoint, and refused tokens.

use reqwest::Method;
use serde_json::json;
use vaultmort_rest::auth::{Claims, TokenSigner};

use crate::support::{OWNER_SECRET, TestServer, assert_error};

#[tokio::test]
async fn a_request_without_a_token_is_challenged_and_acted_on_only_with_one() {
    let t = TestServer::start().await;
    let response =
        t.client().put(format!("{}/secrets/first?api-version=7.6", t.vault_url())).body("").send().await.expect("the server answers");
    assert_eq!(response.status(), 401, "an unauthenticated request is challenged");
    let challenge = response.headers()["www-authenticate"].to_str().expect("an ASCII header").to_string();
    let expected = format!("authorization=\"https://localhost:{}/{}\"", t.addr().port(), t.server.tenant());
    assert!(challenge.starts_with("Bearer ") && challenge.contains(&expected), "the challenge names the token authority: {challenge}");
    assert!(challenge.contains("resource=\"https://vault.azure.net\""), "the challenge names the vault resource: {challenge}");
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(body["error"]["code"], "Unauthorized");

    let token = t.owner_token().await;
    let (status, body) = t.call(&token, Method::PUT, "/secrets/first?api-version=7.6", Some(json!({"value": "v1"}))).await;
    assert_eq!(status, 200, "with a token the same request succeeds: {body}");
    assert_eq!(body["value"], "v1");
}

#[tokio::test]
async fn the_token_endpoint_refuses_a_wrong_secret_and_a_wrong_grant() {
    let t = TestServer::start().await;
    let owner = vaultmort_core::Principal::local_owner();
    let url = format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant());
    let send = |form: Vec<(&'static str, String)>| {
        let client = t.client();
        let url = url.clone();
        async move {
            let response = client.post(url).form(&form).send().await.expect("the endpoint answers");
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.expect("an OAuth JSON body"))
        }
    };
    let base = |secret: &str, grant: &str| {
        vec![
            ("grant_type", grant.to_string()),
            ("client_id", owner.object_id.clone()),
            ("client_secret", secret.to_string()),
            ("scope", "https://vault.azure.net/.default".to_string()),
        ]
    };
    let (status, body) = send(base("not the secret", "client_credentials")).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "a wrong secret gets no token");
    let (status, body) = send(base(OWNER_SECRET, "password")).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (status, body) = send(base(OWNER_SECRET, "client_credentials")).await;
    assert_eq!(status, 200, "the right secret gets a token: {body}");
    assert_eq!(body["token_type"], "Bearer");
}

fn claims(t: &TestServer, aud: &str, oid: &str, exp_offset: i64) -> Claims {
    let now = t.core.clock().now().timestamp();
    Claims {
        aud: aud.into(),
        iss: "test".into(),
        iat: now,
        nbf: now - 60,
        exp: now + exp_offset,
        oid: oid.into(),
        sub: oid.into(),
        tid: t.server.tenant().into(),
        appid: None,
        idtyp: None,
    }
}

#[tokio::test]
async fn bad_expired_foreign_and_unknown_principal_tokens_get_401() {
    let t = TestServer::start().await;
    let owner = vaultmort_core::Principal::local_owner().object_id;
    let signer = t.server.token_signer();
    let foreign = TokenSigner::generate(t.server.tenant(), "elsewhere").expect("another key");
    let cases = [
        ("not-a-jwt".to_string(), "garbage"),
        (signer.sign(&claims(&t, "https://vault.azure.net", &owner, -10)).expect("signed"), "expired"),
        (signer.sign(&claims(&t, "https://management.azure.com", &owner, 600)).expect("signed"), "another audience"),
        (foreign.sign(&claims(&t, "https://vault.azure.net", &owner, 600)).expect("signed"), "signed by another server"),
        (
            signer.sign(&claims(&t, "https://vault.azure.net", "11111111-2222-3333-4444-555555555555", 600)).expect("signed"),
            "unknown principal",
        ),
    ];
    for (token, why) in cases {
        let (status, body) = t.call(&token, Method::GET, "/secrets?api-version=7.6", None).await;
        assert_error(status, &body, 401, "Unauthorized", why);
    }
    let good = signer.sign(&claims(&t, "https://vault.azure.net", &owner, 600)).expect("signed");
    let (status, _) = t.call(&good, Method::GET, "/secrets?api-version=7.6", None).await;
    assert_eq!(status, 200, "the same claims, in date, for the owner, pass");
}

#[tokio::test]
async fn a_token_expires_when_the_clock_moves_past_it() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let (status, _) = t.call(&token, Method::GET, "/secrets?api-version=7.6", None).await;
    assert_eq!(status, 200);
    t.core.clock().set_offset(chrono::Duration::hours(2));
    let (status, body) = t.call(&token, Method::GET, "/secrets?api-version=7.6", None).await;
    assert_error(status, &body, 401, "Unauthorized", "two hours on, the one-hour token is refused");
}

#[tokio::test]
async fn developer_mode_accepts_any_token_and_says_so() {
    let t = TestServer::start_with(|o| o.dev_any_token = true).await;
    let response = t
        .client()
        .get(format!("{}/secrets?api-version=7.6", t.vault_url()))
        .bearer_auth("anything at all")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200, "any bearer is the local owner in developer mode");
    assert!(response.headers().contains_key(vaultmort_rest::DEV_MODE_HEADER), "every response says developer mode is on");
    let normal = TestServer::start().await;
    let response = normal.client().get(format!("{}/secrets?api-version=7.6", normal.vault_url())).send().await.expect("answers");
    assert!(!response.headers().contains_key(vaultmort_rest::DEV_MODE_HEADER), "developer mode is off by default");
}

/// The local owner and one practice application, as the directory will provide them.
struct OwnerAndApp;

const APP_ID: &str = "aaaaaaaa-0000-0000-0000-000000000001";

fn app() -> vaultmort_core::Principal {
    vaultmort_core::Principal {
        object_id: APP_ID.into(),
        name: "practice-app".into(),
        kind: vaultmort_core::context::PrincipalKind::ServicePrincipal,
    }
}

impl vaultmort_rest::ClientCredentials for OwnerAndApp {
    fn authenticate_client(&self, client_id: &str, client_secret: &str) -> Option<vaultmort_core::Principal> {
        match (client_id, client_secret) {
            (APP_ID, "app secret") => Some(app()),
            (_, OWNER_SECRET) => vaultmort_rest::OwnerCredentials::new(OWNER_SECRET).authenticate_client(client_id, client_secret),
            _ => None,
        }
    }
    fn principal(&self, object_id: &str) -> Option<vaultmort_core::Principal> {
        if object_id == APP_ID { Some(app()) } else { vaultmort_rest::OwnerCredentials::new(OWNER_SECRET).principal(object_id) }
    }
}

#[tokio::test]
async fn an_application_without_permission_is_refused_by_the_core_and_audited() {
    let t = TestServer::start_with(|o| o.credentials = std::sync::Arc::new(OwnerAndApp)).await;
    let response = t
        .client()
        .post(format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", APP_ID),
            ("client_secret", "app secret"),
            ("scope", "https://vault.azure.net/.default"),
        ])
        .send()
        .await
        .expect("the token endpoint answers");
    assert_eq!(response.status(), 200, "the directory's application gets a token");
    let token: serde_json::Value = response.json().await.expect("JSON");
    let token = token["access_token"].as_str().expect("a token").to_string();
    let mark = t.audit_mark().await;
    let (status, body) = t.call(&token, Method::GET, "/secrets?api-version=7.6", None).await;
    assert_error(status, &body, 403, "Forbidden", "the owner-only authorizer refuses an application");
    let records = t.audit_after(mark).await;
    assert_eq!(records.len(), 1, "the refusal is audited once");
    assert_eq!(records[0].caller_object_id, APP_ID, "under the application's own identity");
    assert_eq!(records[0].status, 403);
}
