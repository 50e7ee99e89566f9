//! Bad requests get Key Vault-shaped errors, never a 500.

use reqwest::Method;
use serde_json::json;

use crate::support::{TestServer, assert_error};

#[tokio::test]
async fn malformed_and_mistyped_bodies_are_bad_parameters() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let url = format!("{}/secrets/x?api-version=7.6", t.vault_url());
    let raw = |body: &'static str| t.client().put(&url).bearer_auth(&token).header("content-type", "application/json").body(body).send();
    for (body, why) in [
        ("{\"value\": ", "truncated JSON"),
        ("not json", "not JSON"),
        ("{\"value\": 5}", "a number where a string belongs"),
        ("{\"value\": \"v\", \"tags\": {\"a\": 1}}", "a tag that is not a string"),
        ("{\"value\": \"v\", \"attributes\": {\"exp\": \"tomorrow\"}}", "a date that is not Unix seconds"),
        ("", "an empty body"),
        ("[]", "an array"),
    ] {
        let response = raw(body).await.expect("the server answers");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.expect("a JSON error");
        assert_error(status, &body, 400, "BadParameter", why);
    }
    let (status, body) = t.call(&token, Method::POST, "/keys/k/create?api-version=7.6", Some(json!({"kty": "DSA"}))).await;
    assert_error(status, &body, 400, "BadParameter", "an unknown key type");
    let (status, body) =
        t.call(&token, Method::POST, "/keys/k/create?api-version=7.6", Some(json!({"kty": "RSA", "key_size": 1000}))).await;
    assert_error(status, &body, 400, "BadParameter", "an RSA size Key Vault refuses");
    t.call(&token, Method::POST, "/keys/k/create?api-version=7.6", Some(json!({"kty": "EC"}))).await;
    let (status, body) =
        t.call(&token, Method::POST, "/keys/k//sign?api-version=7.6", Some(json!({"alg": "ES256", "value": "c2hvcnQ"}))).await;
    assert_error(status, &body, 400, "BadParameter", "a digest of the wrong length");
    let (status, body) =
        t.call(&token, Method::POST, "/keys/k//decrypt?api-version=7.6", Some(json!({"alg": "RSA-OAEP", "value": "AAAA"}))).await;
    assert!(status == 400 || status == 403, "decrypt with an EC key is refused as input, not a crash: {status} {body}");
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let big = "x".repeat(vaultmort_rest::DEFAULT_BODY_LIMIT + 10);
    let (status, body) = t.call(&token, Method::PUT, "/secrets/big?api-version=7.6", Some(json!({"value": big}))).await;
    assert_error(status, &body, 413, "RequestBodyTooLarge", "a body over the limit");
    let (status, body) = t.call(&token, Method::PUT, "/secrets/big?api-version=7.6", Some(json!({"value": "x".repeat(30 * 1024)}))).await;
    assert_error(status, &body, 400, "BadParameter", "a secret over 25 KB but under the body limit");
}

#[tokio::test]
async fn unknown_routes_and_a_missing_api_version_are_shaped_errors() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let (status, body) = t.call(&token, Method::GET, "/nothing/here?api-version=7.6", None).await;
    assert_error(status, &body, 404, "NotFound", "an unknown route");
    let (status, body) = t.call(&token, Method::POST, "/secrets?api-version=7.6", None).await;
    assert_error(status, &body, 404, "NotFound", "a known path with the wrong method");
    let (status, body) = t.call(&token, Method::GET, "/secrets", None).await;
    assert_error(status, &body, 400, "BadParameter", "no api-version");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("api-version")), "the message names the parameter");
    let (status, _) = t.call(&token, Method::GET, "/secrets?api-version=2099-01-01-preview", None).await;
    assert_eq!(status, 200, "a later dated preview version is accepted by its shape");
    let (status, body) = t.call(&token, Method::GET, "/secrets?api-version=7.6&maxresults=500", None).await;
    assert_error(status, &body, 400, "BadParameter", "maxresults over 25");
    let (status, body) = t.call(&token, Method::GET, "/secrets?api-version=7.6&$skiptoken=abc", None).await;
    assert_error(status, &body, 400, "BadParameter", "a skiptoken this server did not issue");
    let (status, body) = t.call(&token, Method::GET, "/secrets/bad_name!?api-version=7.6", None).await;
    assert!(status == 400 || status == 404, "a bad name is an input error: {status} {body}");
}

#[tokio::test]
async fn a_malformed_host_header_is_refused_before_it_reaches_an_id() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    // HTTP/1.1, where the Host header is the only authority (HTTP/2 uses :authority).
    let root = reqwest::Certificate::from_der(&t.root_der).expect("DER");
    let client = reqwest::Client::builder()
        .tls_certs_only([root])
        .resolve(&format!("{}.localhost", crate::support::VAULT), t.addr())
        .http1_only()
        .no_proxy()
        .build()
        .expect("a client");
    for host in ["restvault.localhost:1/x", "user@restvault.localhost", "bad host"] {
        let response = client
            .get(format!("{}/secrets?api-version=7.6", t.vault_url()))
            .header("host", host)
            .bearer_auth(&token)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.expect("a JSON error");
        assert_error(status, &body, 400, "BadParameter", host);
    }
}

#[tokio::test]
async fn a_throttled_vault_answers_429_with_retry_after_past_its_limit() {
    let t = TestServer::start_with(|o| o.throttled_vaults = vec![crate::support::VAULT.to_string()]).await;
    let token = t.owner_token().await;
    for i in 0..20 {
        let (status, body) = t.call(&token, Method::POST, &format!("/keys/k{i}/create?api-version=7.6"), Some(json!({"kty": "EC"}))).await;
        assert_eq!(status, 200, "the first 20 key creations in 10 s pass: {body}");
    }
    let mark = t.audit_mark().await;
    let response = t
        .client()
        .post(format!("{}/keys/k20/create?api-version=7.6", t.vault_url()))
        .bearer_auth(&token)
        .json(&json!({"kty": "EC"}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 429, "the 21st is throttled");
    let retry_after: u64 = response.headers()["retry-after"].to_str().ok().and_then(|s| s.parse().ok()).expect("a Retry-After in seconds");
    assert!((1..=10).contains(&retry_after), "within the 10 s window: {retry_after}");
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "Throttled");
    assert_eq!(t.audit_after(mark).await.len(), 1, "the throttled request is audited");
    let (status, _) = t.call(&token, Method::GET, "/keys?api-version=7.6", None).await;
    assert_eq!(status, 200, "other transactions have their own, larger limit");
    t.server.set_throttling(crate::support::VAULT, false);
    let (status, _) = t.call(&token, Method::POST, "/keys/k21/create?api-version=7.6", Some(json!({"kty": "EC"}))).await;
    assert_eq!(status, 200, "switched off while serving");
}

/// Every core error, one of each variant, is answered with exactly its wire form: the status the
/// access record keeps, the code, and the inner code in `innererror`.
#[test]
fn every_core_error_is_answered_in_its_one_wire_form() {
    let errors = vaultmort_core::one_error_of_every_kind();
    assert!(errors.len() >= 24, "one example per variant at least");
    for (error, same) in errors.into_iter().zip(vaultmort_core::one_error_of_every_kind()) {
        let wire = error.wire();
        let answered = vaultmort_rest::ApiError::from(same);
        let body = answered.body();
        assert_eq!(answered.status().as_u16(), wire.status, "the REST status is the audited status: {wire:?}");
        assert_eq!(body["error"]["code"], wire.code, "the code: {wire:?}");
        assert_eq!(body["error"]["innererror"]["code"].as_str(), wire.inner_code, "the inner code, and none where there is none: {wire:?}");
        assert!(answered.audited, "a core error was audited by the pipeline, so the door does not audit it again");
    }
}

/// Real failures of different kinds, each answered over HTTPS and recorded by the core's
/// pipeline: the response's status and code are the ones its access record holds.
#[tokio::test]
async fn a_failed_request_is_answered_with_the_status_and_code_its_access_record_holds() {
    let t = TestServer::start().await;
    let owner = t.owner_token().await;
    let (_, app_id, secret) = t.practice_app("no-access-app").await;
    let stranger = t.token_for(&app_id, &secret).await;
    let put = |value: &str| Some(json!({"value": value}));
    t.call(&owner, Method::PUT, "/secrets/gone?api-version=7.6", put("v")).await;
    t.call(&owner, Method::DELETE, "/secrets/gone?api-version=7.6", None).await;
    t.call(&owner, Method::POST, "/keys/off/create?api-version=7.6", Some(json!({"kty": "EC", "attributes": {"enabled": false}}))).await;
    t.call(&owner, Method::POST, "/keys/ec/create?api-version=7.6", Some(json!({"kty": "EC"}))).await;
    let failures = [
        Failure::of("a missing secret", &owner, Method::GET, "/secrets/missing", None, 404, "SecretNotFound", None),
        Failure::of("a missing key", &owner, Method::GET, "/keys/missing", None, 404, "KeyNotFound", None),
        Failure::of(
            "a name held by a deleted secret",
            &owner,
            Method::PUT,
            "/secrets/gone",
            put("again"),
            409,
            "Conflict",
            Some("ObjectIsDeletedButRecoverable"),
        ),
        Failure::of("no access policy", &stranger, Method::GET, "/secrets/gone", None, 403, "Forbidden", Some("AccessDenied")),
        Failure::of(
            "a disabled key",
            &owner,
            Method::POST,
            "/keys/off//sign",
            Some(json!({"alg": "ES256", "value": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})),
            403,
            "Forbidden",
            Some("KeyDisabled"),
        ),
        Failure::of(
            "a digest of the wrong length",
            &owner,
            Method::POST,
            "/keys/ec//sign",
            Some(json!({"alg": "ES256", "value": "c2hvcnQ"})),
            400,
            "BadParameter",
            None,
        ),
        Failure::of(
            "an RSA size Key Vault refuses",
            &owner,
            Method::POST,
            "/keys/small/create",
            Some(json!({"kty": "RSA", "key_size": 1000})),
            400,
            "BadParameter",
            None,
        ),
    ];
    for Failure { why, token, method, path, body, status, code, inner } in failures {
        let mark = t.audit_mark().await;
        let (answered, response) = t.call(token, method, &format!("{path}?api-version=7.6"), body).await;
        assert_error(answered, &response, status, code, why);
        assert_eq!(response["error"]["innererror"]["code"].as_str(), inner, "{why}: the inner code ({response})");
        let records = t.audit_after(mark).await;
        let record = records.last().unwrap_or_else(|| panic!("{why}: the failure is audited"));
        assert_eq!(
            (record.status, record.error_code.as_deref()),
            (answered, Some(code)),
            "{why}: the access record holds what the client was answered"
        );
    }
}

/// One failing request of the test above and what it must be answered with.
struct Failure<'a> {
    why: &'a str,
    token: &'a str,
    method: Method,
    path: &'a str,
    body: Option<serde_json::Value>,
    status: u16,
    code: &'a str,
    inner: Option<&'a str>,
}

impl<'a> Failure<'a> {
    #[allow(clippy::too_many_arguments)] // one row of the table above, read left to right
    fn of(
        why: &'a str,
        token: &'a str,
        method: Method,
        path: &'a str,
        body: Option<serde_json::Value>,
        status: u16,
        code: &'a str,
        inner: Option<&'a str>,
    ) -> Self {
        Self { why, token, method, path, body, status, code, inner }
    }
}
