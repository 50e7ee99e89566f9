//! The challenge, the token endpoint, and refused tokens.

use reqwest::Method;
use serde_json::json;
use vaultmort_rest::auth::{Claims, TokenSigner};

use std::net::{IpAddr, Ipv4Addr};

use vaultmort_core::access_policy::PolicyChange;
use vaultmort_core::firewall::{Bypass, DefaultAction, NetworkChanges, NetworkRule};
use vaultmort_core::vaults::UpdateVault;
use vaultmort_core::{Door, RequestContext};

use crate::support::{OWNER_SECRET, TestServer, VAULT, assert_error};

#[tokio::test]
async fn a_request_without_a_token_is_challenged_and_acted_on_only_with_one() {
    let t = TestServer::start().await;
    let response =
        t.client().put(format!("{}/secrets/first?api-version=7.6", t.vault_url())).body("").send().await.expect("the server answers");
    assert_eq!(response.status(), 401, "an unauthenticated request is challenged");
    let challenge = response.headers()["www-authenticate"].to_str().expect("an ASCII header").to_string();
    let expected = format!("authorization=\"https://localhost:{}/{}\"", t.addr().port(), t.server.tenant());
    assert!(challenge.starts_with("Bearer ") && challenge.contains(&expected), "the challenge names the token authority: {challenge}");
    let resource = format!("https://localhost:{}", t.addr().port());
    assert!(
        challenge.contains(&format!("resource=\"{resource}\"")) && challenge.contains(&format!("scope=\"{resource}/.default\"")),
        "the challenge names this server's vault resource, which the SDKs' resource check accepts for <vault>.localhost: {challenge}"
    );
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
        name: None,
    }
}

/// What the SDKs do with their default options: read the challenge's resource, check that the
/// vault's host ends with `.` and that resource's authority, and ask for `<resource>/.default`.
#[tokio::test]
async fn the_challenge_resource_passes_the_sdks_default_check_and_gets_a_token() {
    let t = TestServer::start().await;
    let response = t.client().get(format!("{}/secrets?api-version=7.6", t.vault_url())).send().await.expect("the server answers");
    let challenge = response.headers()["www-authenticate"].to_str().expect("an ASCII header").to_string();
    let resource = challenge.split("resource=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a resource").to_string();
    let vault_authority = t.vault_url().trim_start_matches("https://").to_string();
    let resource_authority = resource.trim_start_matches("https://");
    assert!(
        vault_authority.ends_with(&format!(".{resource_authority}")),
        "Python's check: '{vault_authority}' must end with '.{resource_authority}'"
    );
    let owner = vaultmort_core::Principal::local_owner().object_id;
    let url = format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant());
    let form = [
        ("grant_type", "client_credentials".to_string()),
        ("client_id", owner),
        ("client_secret", OWNER_SECRET.to_string()),
        ("scope", format!("{resource}/.default")),
    ];
    let body: serde_json::Value = t.client().post(url).form(&form).send().await.expect("answers").json().await.expect("JSON");
    let token = body["access_token"].as_str().unwrap_or_else(|| panic!("a token for the challenge's resource: {body}"));
    let (status, body) = t.call(token, Method::GET, "/secrets?api-version=7.6", None).await;
    assert_eq!(status, 200, "a token for the challenge's resource works on the vault: {body}");
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
        (signer.sign(&claims(&t, "https://localhost.evil.example", &owner, 600)).expect("signed"), "a look-alike of localhost"),
        (signer.sign(&claims(&t, "http://localhost", &owner, 600)).expect("signed"), "localhost without TLS"),
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

/// A practice application of the directory signs in with its own client secret; the core's
/// access policy, not the door, decides what it may do; the refusals and successes are audited
/// under its own object id; and deleting it from the directory voids the token it holds.
#[tokio::test]
async fn a_directory_application_gets_a_token_and_only_what_its_policy_grants() {
    let t = TestServer::start().await;
    let (object_id, app_id, secret) = t.practice_app("billing-app").await;
    let (status, body) = t.request_token(&app_id, "not the secret").await;
    assert_eq!(status, 401, "a wrong client secret gets no token: {body}");
    assert_eq!(body["error"], "invalid_client");
    let owner_token = t.owner_token().await;
    t.call(&owner_token, Method::PUT, "/secrets/db-password?api-version=7.6", Some(json!({"value": "hunter2"}))).await;

    let token = t.token_for(&app_id, &secret).await;
    let mark = t.audit_mark().await;
    let (status, body) = t.call(&token, Method::GET, "/secrets/db-password?api-version=7.6", None).await;
    assert_error(status, &body, 403, "Forbidden", "an application with no access policy is refused");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("secrets get")), "the refusal names the permission: {body}");
    assert!(!body.to_string().contains("hunter2"), "a refusal never carries the value");

    let owner = RequestContext::local_owner(Door::Cli);
    let grant = PolicyChange { secrets: Some(vec!["get".into()]), ..Default::default() };
    t.core.set_access_policy(&owner, VAULT, &app_id, grant).await.expect("the owner grants secrets get");
    let (status, body) = t.call(&token, Method::GET, "/secrets/db-password?api-version=7.6", None).await;
    assert_eq!(status, 200, "secrets get is now granted: {body}");
    assert_eq!(body["value"], "hunter2");
    let (status, body) = t.call(&token, Method::GET, "/keys?api-version=7.6", None).await;
    assert_error(status, &body, 403, "Forbidden", "keys list is still not granted");

    let records = t.audit_after(mark).await;
    assert_eq!(records.len(), 3, "each request is audited once: {records:?}");
    assert!(records.iter().all(|r| r.caller_object_id == object_id), "under the application's own object id: {records:?}");
    assert_eq!(records.iter().map(|r| r.status).collect::<Vec<_>>(), [403, 200, 403]);

    t.core.delete_principal(&owner, &app_id).await.expect("the owner deletes the application");
    let mark = t.audit_mark().await;
    let (status, body) = t.call(&token, Method::GET, "/secrets/db-password?api-version=7.6", None).await;
    assert_error(status, &body, 401, "Unauthorized", "the token of a deleted principal is refused");
    let records = t.audit_after(mark).await;
    assert_eq!(records.len(), 1, "the refusal is audited once, by the core's authenticate stage: {records:?}");
    assert_eq!((records[0].status, records[0].error_code.as_deref()), (401, Some("Unauthorized")));
    assert_eq!(records[0].caller_object_id, object_id, "under the object id the token names");
    assert!(records[0].rule.starts_with("authenticate:"), "the rule says which stage refused it: {}", records[0].rule);
    let (status, _) = t.request_token(&app_id, &secret).await;
    assert_eq!(status, 401, "and its secret gets no new token");
}

/// The vault firewall, through the REST door: a rule admitting only 127.0.0.1 lets the
/// application in from there and refuses it from 127.0.0.2, as Key Vault answers (403
/// `Forbidden` with the inner code `ForbiddenByFirewall`, the caller's address named).
#[tokio::test]
async fn the_firewall_refuses_a_loopback_address_its_rules_exclude() {
    let t = TestServer::start().await;
    let (_, app_id, secret) = t.practice_app("firewalled-app").await;
    let owner = RequestContext::local_owner(Door::Cli);
    let grant = PolicyChange { secrets: Some(vec!["get".into(), "set".into()]), ..Default::default() };
    t.core.set_access_policy(&owner, VAULT, &app_id, grant).await.expect("the owner grants secrets");
    t.core.change_network_rule(&owner, VAULT, NetworkRule::Ip("127.0.0.1".into()), true).await.expect("a rule for 127.0.0.1");
    let deny = UpdateVault {
        network: NetworkChanges { default_action: Some(DefaultAction::Deny), bypass: Some(Bypass::None), public_network_access: None },
        ..Default::default()
    };
    t.core.update_vault(&owner, VAULT, deny).await.expect("the owner turns the firewall on");

    let token = t.token_for(&app_id, &secret).await;
    let (status, body) = t.call(&token, Method::PUT, "/secrets/behind-firewall?api-version=7.6", Some(json!({"value": "v"}))).await;
    assert_eq!(status, 200, "127.0.0.1 is admitted by its rule: {body}");

    let far = t.client_from(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))));
    let mark = t.audit_mark().await;
    let response = far
        .get(format!("{}/secrets/behind-firewall?api-version=7.6", t.vault_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("a JSON error");
    assert_error(status, &body, 403, "Forbidden", "127.0.0.2 is not in the rules");
    assert_eq!(body["error"]["innererror"]["code"], "ForbiddenByFirewall", "the inner code names the firewall: {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("127.0.0.2")), "the message names the address: {body}");
    let records = t.audit_after(mark).await;
    assert_eq!(records.len(), 1, "the refusal is audited: {records:?}");
    assert_eq!((records[0].status, records[0].client_address.as_str()), (403, "127.0.0.2"));
    assert_eq!(records[0].error_code.as_deref(), Some("Forbidden"), "the record holds the code the client was answered");
    assert!(records[0].rule.contains("firewall"), "and the rule names the firewall: {}", records[0].rule);
}
