//! `api-version` is required and must be a Key Vault version, by shape (issue 11 point 4).

use crate::support::{TestServer, assert_error};

async fn list_with_version(t: &TestServer, token: &str, version: &str) -> (u16, serde_json::Value) {
    let query = serde_urlencoded::to_string([("api-version", version)]).expect("encodable");
    let response =
        t.client().get(format!("{}/secrets?{query}", t.vault_url())).bearer_auth(token).send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

// Regression, issue 11 point 4: `garbage`, empty, `1.0` and a 10,000-digit value all answered 200.
#[tokio::test]
async fn issue11_values_that_are_no_key_vault_version_are_refused_with_bad_parameter() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let huge = "7".repeat(10_000);
    for version in ["", "garbage", "1.0", "7.7", "2015-06-01", "2025-02-30", "7.6-beta", huge.as_str()] {
        let (status, body) = list_with_version(&t, &token, version).await;
        let shown: String = version.chars().take(20).collect();
        assert_error(status, &body, 400, "BadParameter", &format!("api-version '{shown}'"));
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("({shown}")), "the message names the bad version: {message}");
        assert!(message.len() < 300, "a huge value is not echoed whole: {} characters", message.len());
    }
}

#[tokio::test]
async fn issue11_every_version_the_sdks_send_is_accepted() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    for version in [
        "7.0",
        "7.1",
        "7.2",
        "7.3",
        "7.4",
        "7.5",
        "7.6",
        "7.6-preview",
        "7.5-preview.1",
        "2016-10-01",
        "2025-07-01",
        "2026-04-01",
        "2031-01-15-preview",
    ] {
        let (status, body) = list_with_version(&t, &token, version).await;
        assert_eq!(status, 200, "api-version {version} is one an SDK sends (or a later dated one): {body}");
    }
}

#[tokio::test]
async fn the_next_link_carries_the_api_version_the_client_sent() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    for i in 0..3 {
        let (status, _) =
            t.call(&token, reqwest::Method::PUT, &format!("/secrets/s{i}?api-version=7.6"), Some(serde_json::json!({"value": "v"}))).await;
        assert_eq!(status, 200);
    }
    let (status, body) = t.call(&token, reqwest::Method::GET, "/secrets?api-version=7.5-preview.1&maxresults=2", None).await;
    assert_eq!(status, 200);
    let next = body["nextLink"].as_str().expect("a second page");
    assert!(next.contains("api-version=7.5-preview.1"), "the pager keeps the client's version: {next}");
}
