//! Practice throttling as a stored vault setting (issue 6): a vault switched on through the
//! core answers 429 with `Retry-After` past Key Vault's limit while another vault does not, and
//! switching it off and on again takes effect while the server runs.

use reqwest::Method;
use serde_json::{Value, json};
use vaultmort_core::vaults::{CreateVault, UpdateVault};
use vaultmort_core::{Door, RequestContext};

use crate::support::{TestServer, VAULT};

const SLOW: &str = "slowvault";

async fn switch(t: &TestServer, on: bool) {
    let owner = RequestContext::local_owner(Door::Cli);
    let updated = t
        .core
        .update_vault(&owner, SLOW, UpdateVault { practice_throttling: Some(on), ..Default::default() })
        .await
        .expect("the owner switches practice throttling");
    assert_eq!(updated.practice_throttling, on, "the vault keeps the setting");
}

/// Creates an EC key in `SLOW`: the status and, for a 429, the `Retry-After` seconds.
async fn create_key(t: &TestServer, client: &reqwest::Client, token: &str, name: &str) -> (u16, Option<u64>, Value) {
    let url = format!("https://{SLOW}.localhost:{}/keys/{name}/create?api-version=7.6", t.addr().port());
    let response = client.post(url).bearer_auth(token).json(&json!({"kty": "EC"})).send().await.expect("the server answers");
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|s| s.parse().ok());
    (status, retry_after, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn a_vault_switched_on_in_the_core_is_throttled_while_serving_and_another_is_not() {
    let t = TestServer::start().await;
    let owner = RequestContext::local_owner(Door::Cli);
    t.core.create_vault(&owner, CreateVault::new(SLOW, "rg")).await.expect("the owner creates a second vault");
    t.server.refresh_certificate(&t.core).await.expect("the server's certificate names the new vault");
    let root = reqwest::Certificate::from_der(&t.root_der).expect("DER");
    let slow_client = reqwest::Client::builder()
        .tls_certs_only([root])
        .resolve(&format!("{SLOW}.localhost"), t.addr())
        .no_proxy()
        .build()
        .expect("a client for the second vault");
    let token = t.owner_token().await;

    for i in 0..21 {
        let (status, body) =
            t.call(&token, Method::POST, &format!("/keys/free{i}/create?api-version=7.6"), Some(json!({"kty": "EC"}))).await;
        assert_eq!(status, 200, "{VAULT}'s setting is off, so even its 21st creation in 10 s passes: {body}");
    }

    switch(&t, true).await;
    for i in 0..20 {
        let (status, _, body) = create_key(&t, &slow_client, &token, &format!("k{i}")).await;
        assert_eq!(status, 200, "the first 20 key creations in 10 s pass: {body}");
    }
    let (status, retry_after, body) = create_key(&t, &slow_client, &token, "k20").await;
    assert_eq!(status, 429, "the 21st key creation in the window is over Key Vault's limit: {body}");
    assert_eq!(body["error"]["code"], "Throttled", "Key Vault's code for it");
    assert!(retry_after.is_some_and(|s| (1..=10).contains(&s)), "Retry-After says when the 10 s window ends: {retry_after:?}");

    switch(&t, false).await;
    let (status, _, body) = create_key(&t, &slow_client, &token, "k21").await;
    assert_eq!(status, 200, "switched off in the core, the server lets it through without a restart: {body}");

    switch(&t, true).await;
    // The old window may have ended meanwhile on a slow machine; a fresh one refuses its 21st.
    let mut refused = false;
    for i in 0..21 {
        if create_key(&t, &slow_client, &token, &format!("again{i}")).await.0 == 429 {
            refused = true;
            break;
        }
    }
    assert!(refused, "switched on again without a restart, the vault is throttled again within 21 creations");
}

/// HSM keys get Key Vault's HSM limits: 10 creations, and 250 operations for an RSA-4096 key,
/// each counted apart from software keys (issue 13).
#[tokio::test]
async fn hsm_keys_have_their_own_lower_limits() {
    let t = TestServer::start_with(|o| o.throttled_vaults = vec![VAULT.to_string()]).await;
    let owner = RequestContext::local_owner(Door::Cli);
    let premium = UpdateVault { sku: Some(vaultmort_core::model::Sku::Premium), ..Default::default() };
    t.core.update_vault(&owner, VAULT, premium).await.expect("the owner makes the vault premium");
    let token = t.owner_token().await;
    for i in 0..10 {
        let (status, body) =
            t.call(&token, Method::POST, &format!("/keys/h{i}/create?api-version=7.6"), Some(json!({"kty": "EC-HSM"}))).await;
        assert_eq!(status, 200, "HSM key creation {i} of 10 passes: {body}");
    }
    let (status, body) = t.call(&token, Method::POST, "/keys/h10/create?api-version=7.6", Some(json!({"kty": "EC-HSM"}))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("Throttled")), "the 11th HSM key creation in 10 s: {body}");
    let (status, body) = t.call(&token, Method::POST, "/keys/s0/create?api-version=7.6", Some(json!({"kty": "EC"}))).await;
    assert_eq!(status, 200, "software key creations count apart: {body}");

    // The key is made through the core (its creation is not what this part counts).
    let mut big = vaultmort_core::keys::CreateKey::new("big", vaultmort_crypto::KeyType::RsaHsm);
    big.size = Some(4096);
    t.core.create_key(&owner, VAULT, big).await.expect("an RSA-4096 HSM key");
    let digest = vaultmort_crypto::DigestAlgorithm::Sha256.hash(b"m");
    let sign = json!({"alg": "RS256", "value": base64_url(&digest)});
    for i in 0..250 {
        let (status, body) = t.call(&token, Method::POST, "/keys/big//sign?api-version=7.6", Some(sign.clone())).await;
        assert_eq!(status, 200, "HSM RSA-4096 operation {i} of 250 passes: {body}");
    }
    let (status, body) = t.call(&token, Method::POST, "/keys/big//sign?api-version=7.6", Some(sign.clone())).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("Throttled")), "the 251st in 10 s is over the limit: {body}");
    let ec = vaultmort_core::keys::CreateKey::new("small", vaultmort_crypto::KeyType::EcHsm);
    t.core.create_key(&owner, VAULT, ec).await.expect("an EC HSM key");
    let sign = json!({"alg": "ES256", "value": base64_url(&digest)});
    let (status, body) = t.call(&token, Method::POST, "/keys/small//sign?api-version=7.6", Some(sign)).await;
    assert_eq!(status, 200, "an EC HSM key counts in its own window: {body}");
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
