//! The data plane: secrets and keys through their life cycle, paging, and one audit record per
//! request with the socket's peer address.

use std::net::{IpAddr, Ipv4Addr};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestServer, VAULT, assert_error};

#[tokio::test]
async fn a_secret_goes_through_set_get_update_list_delete_recover_and_purge() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let v = "?api-version=7.6";
    let (status, first) = t
        .call(
            &token,
            Method::PUT,
            &format!("/secrets/db-password{v}"),
            Some(json!({"value": "one", "contentType": "text/plain", "tags": {"env": "dev"}})),
        )
        .await;
    assert_eq!(status, 200, "set: {first}");
    let id = first["id"].as_str().expect("an id").to_string();
    assert!(id.starts_with(&format!("{}/secrets/db-password/", t.vault_url())), "ids are absolute under the vault host: {id}");
    assert_eq!(first["attributes"]["enabled"], true);
    assert!(first["attributes"]["created"].is_i64(), "times are Unix seconds");
    assert_eq!(first["attributes"]["recoveryLevel"], "Recoverable+Purgeable");
    let (_, second) = t.call(&token, Method::PUT, &format!("/secrets/db-password{v}"), Some(json!({"value": "two"}))).await;

    let (status, latest) = t.call(&token, Method::GET, &format!("/secrets/db-password/{v}"), None).await;
    assert_eq!((status, &latest["value"]), (200, &json!("two")), "a trailing slash means the latest version");
    let first_version = id.rsplit('/').next().expect("a version");
    let (_, old) = t.call(&token, Method::GET, &format!("/secrets/db-password/{first_version}{v}"), None).await;
    assert_eq!(old["value"], "one");

    let (status, updated) = t
        .call(
            &token,
            Method::PATCH,
            &format!("/secrets/db-password/{first_version}{v}"),
            Some(json!({"attributes": {"enabled": false}, "tags": {"a": "b"}})),
        )
        .await;
    assert_eq!(status, 200, "update: {updated}");
    assert_eq!(updated["attributes"]["enabled"], false);
    assert!(updated.get("value").is_none(), "an update does not return the value");

    let (_, versions) = t.call(&token, Method::GET, &format!("/secrets/db-password/versions{v}"), None).await;
    assert_eq!(versions["value"].as_array().map(Vec::len), Some(2), "two versions: {versions}");

    let (status, backup) = t.call(&token, Method::POST, &format!("/secrets/db-password/backup{v}"), None).await;
    assert_eq!(status, 200, "backup: {backup}");

    let (status, deleted) = t.call(&token, Method::DELETE, &format!("/secrets/db-password{v}"), None).await;
    assert_eq!(status, 200, "delete: {deleted}");
    assert_eq!(deleted["recoveryId"], format!("{}/deletedsecrets/db-password", t.vault_url()));
    assert!(deleted["scheduledPurgeDate"].is_i64());
    let (status, body) = t.call(&token, Method::GET, &format!("/secrets/db-password{v}"), None).await;
    assert_error(status, &body, 404, "SecretNotFound", "a deleted secret is not found");
    let (_, listed) = t.call(&token, Method::GET, &format!("/deletedsecrets{v}"), None).await;
    assert_eq!(listed["value"][0]["recoveryId"], deleted["recoveryId"]);
    let (status, _) = t.call(&token, Method::GET, &format!("/deletedsecrets/db-password{v}"), None).await;
    assert_eq!(status, 200);
    let (status, recovered) = t.call(&token, Method::POST, &format!("/deletedsecrets/db-password/recover{v}"), None).await;
    assert_eq!(status, 200, "recover: {recovered}");
    let (_, again) = t.call(&token, Method::GET, &format!("/secrets/db-password{v}"), None).await;
    assert_eq!(again["value"], second["value"], "the recovered secret has its latest value");

    t.call(&token, Method::DELETE, &format!("/secrets/db-password{v}"), None).await;
    let (status, body) = t.call(&token, Method::DELETE, &format!("/deletedsecrets/db-password{v}"), None).await;
    assert_eq!(status, 204, "purge answers 204 with no body: {body}");
    let (status, restored) = t.call(&token, Method::POST, &format!("/secrets/restore{v}"), Some(json!({"value": backup["value"]}))).await;
    assert_eq!(status, 200, "restore after purge: {restored}");
    assert_eq!(restored["id"].as_str().map(|s| s.contains("/secrets/db-password/")), Some(true));
}

#[tokio::test]
async fn listings_page_with_maxresults_and_an_absolute_next_link() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    for i in 0..7 {
        let (status, _) = t.call(&token, Method::PUT, &format!("/secrets/s{i}?api-version=7.6"), Some(json!({"value": "x"}))).await;
        assert_eq!(status, 200);
    }
    let mut names = Vec::new();
    let mut url = format!("{}/secrets?api-version=7.6&maxresults=3", t.vault_url());
    let mut pages = 0;
    loop {
        pages += 1;
        let response = t.client().get(&url).bearer_auth(&token).send().await.expect("answers");
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.expect("JSON");
        let items = page["value"].as_array().expect("a value array");
        assert!(items.len() <= 3, "maxresults caps a page");
        names.extend(items.iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()));
        match page["nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&format!("{}/secrets?api-version=7.6", t.vault_url())), "nextLink is absolute: {next}");
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!((pages, names.len()), (3, 7), "seven secrets in pages of three");
}

#[tokio::test]
async fn keys_are_created_used_rotated_and_deleted() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let v = "?api-version=7.6";
    let (status, rsa) =
        t.call(&token, Method::POST, &format!("/keys/signer/create{v}"), Some(json!({"kty": "RSA", "key_size": 2048}))).await;
    assert_eq!(status, 200, "create RSA: {rsa}");
    let kid = rsa["key"]["kid"].as_str().expect("a kid").to_string();
    assert!(kid.starts_with(&format!("{}/keys/signer/", t.vault_url())));
    assert!(rsa["key"]["n"].is_string() && rsa["key"]["e"].is_string(), "the public JWK: {rsa}");
    assert!(rsa["key"].get("d").is_none(), "never private material");
    let version = kid.rsplit('/').next().expect("a version");

    let digest = URL_SAFE_NO_PAD.encode(vaultmort_crypto::aead::sha256(b"hello"));
    let (status, signed) =
        t.call(&token, Method::POST, &format!("/keys/signer/{version}/sign{v}"), Some(json!({"alg": "RS256", "value": digest}))).await;
    assert_eq!(status, 200, "sign: {signed}");
    assert_eq!(signed["kid"], kid);
    let (_, verified) = t
        .call(
            &token,
            Method::POST,
            &format!("/keys/signer/{version}/verify{v}"),
            Some(json!({"alg": "RS256", "digest": digest, "value": signed["value"]})),
        )
        .await;
    assert_eq!(verified["value"], true, "the signature verifies: {verified}");
    let (_, unversioned) =
        t.call(&token, Method::POST, &format!("/keys/signer//sign{v}"), Some(json!({"alg": "PS256", "value": digest}))).await;
    assert_eq!(unversioned["kid"], kid, "an empty version means the latest");

    let plain = URL_SAFE_NO_PAD.encode(b"sixteen byte key");
    let (_, wrapped) = t
        .call(&token, Method::POST, &format!("/keys/signer/{version}/wrapkey{v}"), Some(json!({"alg": "RSA-OAEP-256", "value": plain})))
        .await;
    let (_, unwrapped) = t
        .call(
            &token,
            Method::POST,
            &format!("/keys/signer/{version}/unwrapkey{v}"),
            Some(json!({"alg": "RSA-OAEP-256", "value": wrapped["value"]})),
        )
        .await;
    assert_eq!(unwrapped["value"], plain, "wrap then unwrap gives the key back");

    let (status, ec) = t.call(&token, Method::POST, &format!("/keys/ec/create{v}"), Some(json!({"kty": "EC", "crv": "P-384"}))).await;
    assert_eq!((status, &ec["key"]["crv"]), (200, &json!("P-384")), "create EC: {ec}");

    let (status, rotated) = t.call(&token, Method::POST, &format!("/keys/signer/rotate{v}"), None).await;
    assert_eq!(status, 200, "rotate: {rotated}");
    assert_ne!(rotated["key"]["kid"], kid, "rotation makes a new version");
    let (_, versions) = t.call(&token, Method::GET, &format!("/keys/signer/versions{v}"), None).await;
    assert_eq!(versions["value"].as_array().map(Vec::len), Some(2));
    let (status, updated) = t
        .call(
            &token,
            Method::PATCH,
            &format!("/keys/signer/{version}{v}"),
            Some(json!({"key_ops": ["verify"], "attributes": {"exp": 4102444800i64}})),
        )
        .await;
    assert_eq!(status, 200, "update: {updated}");
    assert_eq!(updated["key"]["key_ops"], json!(["verify"]));
    assert_eq!(updated["attributes"]["exp"], 4102444800i64);

    let (status, deleted) = t.call(&token, Method::DELETE, &format!("/keys/ec{v}"), None).await;
    assert_eq!(status, 200, "delete: {deleted}");
    assert_eq!(deleted["recoveryId"], format!("{}/deletedkeys/ec", t.vault_url()));
    let (_, listed) = t.call(&token, Method::GET, &format!("/deletedkeys{v}"), None).await;
    assert_eq!(listed["value"].as_array().map(Vec::len), Some(1));
    let (status, _) = t.call(&token, Method::POST, &format!("/deletedkeys/ec/recover{v}"), None).await;
    assert_eq!(status, 200);
    let (_, keys) = t.call(&token, Method::GET, &format!("/keys{v}"), None).await;
    assert_eq!(keys["value"].as_array().map(Vec::len), Some(2), "both keys listed: {keys}");
}

#[tokio::test]
async fn each_request_gets_exactly_one_audit_record_with_the_peer_address() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let second_loopback = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let client = t.client_from(Some(second_loopback));
    let mark = t.audit_mark().await;
    let paths = ["/secrets/audited", "/secrets/audited", "/secrets/missing"];
    let methods = [Method::PUT, Method::GET, Method::GET];
    for (path, method) in paths.iter().zip(methods) {
        let mut request = client.request(method.clone(), format!("{}{path}?api-version=7.6", t.vault_url())).bearer_auth(&token);
        if method == Method::PUT {
            request = request.json(&json!({"value": "x"}));
        }
        request.send().await.expect("the server answers");
    }
    // Refused at the door, before any core operation: no token, no api-version, bad JSON, no route.
    let base = t.vault_url();
    client.get(format!("{base}/secrets?api-version=7.6")).send().await.expect("answers");
    client.get(format!("{base}/secrets")).bearer_auth(&token).send().await.expect("answers");
    client.put(format!("{base}/secrets/x?api-version=7.6")).bearer_auth(&token).body("{").send().await.expect("answers");
    client.get(format!("{base}/nowhere?api-version=7.6")).bearer_auth(&token).send().await.expect("answers");
    let records = t.audit_after(mark).await;
    assert_eq!(records.len(), 7, "one record per request, failures included: {records:?}");
    for record in &records {
        assert_eq!(record.client_address, "127.0.0.2", "the socket's peer address, not a header");
        assert_eq!(record.vault.as_deref(), Some(VAULT));
    }
    for record in records.iter().take(3).chain(records.iter().skip(4)) {
        assert_eq!(record.caller_object_id, vaultmort_core::Principal::local_owner().object_id);
    }
    let statuses: Vec<u16> = records.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 404, 401, 400, 400, 404], "each audited with the status answered");
    assert_eq!(records[3].operation, "Authentication");
    assert_eq!(records[3].caller_object_id, "", "no token, no caller");
    assert_eq!(records[6].object.as_deref(), Some("GET /nowhere"));
}

#[tokio::test]
async fn localhost_and_ip_hosts_reach_the_default_vault() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    t.call(&token, Method::PUT, "/secrets/shared?api-version=7.6", Some(json!({"value": "via host"}))).await;
    let response = t
        .client()
        .get(format!("https://localhost:{}/secrets/shared?api-version=7.6", t.addr().port()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["value"], "via host");
    assert!(
        body["id"].as_str().is_some_and(|id| id.starts_with(&format!("https://localhost:{}/secrets/shared/", t.addr().port()))),
        "ids follow the host the client used: {body}"
    );
}

#[tokio::test]
async fn a_vault_added_while_serving_gets_a_certificate_without_a_restart() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let owner = vaultmort_core::RequestContext::local_owner(vaultmort_core::Door::Cli);
    let before = t.server.certificate_chain();
    t.core.create_vault(&owner, vaultmort_core::vaults::CreateVault::new("latevault", "rg")).await.expect("a second vault");
    let root = reqwest::Certificate::from_der(&t.root_der).expect("DER");
    let client =
        reqwest::Client::builder().tls_certs_only([root]).resolve("latevault.localhost", t.addr()).no_proxy().build().expect("a client");
    let url = format!("https://latevault.localhost:{}/secrets?api-version=7.6", t.addr().port());
    let response = client.get(&url).bearer_auth(&token).send().await.expect("the very first handshake with the new host succeeds");
    assert_eq!(response.status(), 200, "and the request is served");
    assert_ne!(t.server.certificate_chain(), before, "a new certificate was issued for it, without a restart");
}

#[tokio::test]
async fn a_rotation_policy_is_set_and_read_back() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let v = "?api-version=7.6";
    t.call(&token, Method::POST, &format!("/keys/rotating/create{v}"), Some(json!({"kty": "EC"}))).await;
    let (status, default) = t.call(&token, Method::GET, &format!("/keys/rotating/rotationpolicy{v}"), None).await;
    assert_eq!(status, 200, "{default}");
    assert_eq!(default["lifetimeActions"][0]["action"]["type"], "Notify", "Key Vault's default policy: {default}");
    let policy = json!({
        "lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "Rotate"}}],
        "attributes": {"expiryTime": "P1Y"}
    });
    let (status, set) = t.call(&token, Method::PUT, &format!("/keys/rotating/rotationpolicy{v}"), Some(policy)).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["id"], format!("{}/keys/rotating/rotationpolicy", t.vault_url()));
    let (_, read) = t.call(&token, Method::GET, &format!("/keys/rotating/rotationpolicy{v}"), None).await;
    assert_eq!(read["lifetimeActions"][0]["trigger"]["timeAfterCreate"], "P90D");
    assert_eq!(read["attributes"]["expiryTime"], "P1Y");
    assert!(read["attributes"]["created"].is_i64());
    let too_soon = json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P1D"}, "action": {"type": "Rotate"}}]});
    let (status, body) = t.call(&token, Method::PUT, &format!("/keys/rotating/rotationpolicy{v}"), Some(too_soon)).await;
    assert_error(status, &body, 400, "BadParameter", "a trigger under seven days");
}

/// Key Vault names each object in a listing of current or deleted objects by its id without a
/// version, and each version in a version listing by its versioned id (the az CLI's suite saw
/// versioned ids in `GET /secrets`).
#[tokio::test]
async fn listings_name_objects_without_versions_and_versions_with_them() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let v = "?api-version=7.6";
    let (_, set) = t.call(&token, Method::PUT, &format!("/secrets/listed{v}"), Some(json!({"value": "x"}))).await;
    let (_, key) = t.call(&token, Method::POST, &format!("/keys/listed-key/create{v}"), Some(json!({"kty": "EC"}))).await;
    let base = t.vault_url();
    let (_, secrets) = t.call(&token, Method::GET, &format!("/secrets{v}"), None).await;
    assert_eq!(secrets["value"][0]["id"], format!("{base}/secrets/listed"), "{secrets}");
    let (_, versions) = t.call(&token, Method::GET, &format!("/secrets/listed/versions{v}"), None).await;
    assert_eq!(versions["value"][0]["id"], set["id"], "a version listing names the version: {versions}");
    let (_, keys) = t.call(&token, Method::GET, &format!("/keys{v}"), None).await;
    assert_eq!(keys["value"][0]["kid"], format!("{base}/keys/listed-key"), "{keys}");
    let (_, key_versions) = t.call(&token, Method::GET, &format!("/keys/listed-key/versions{v}"), None).await;
    assert_eq!(key_versions["value"][0]["kid"], key["key"]["kid"], "{key_versions}");
    let (status, _) = t.call(&token, Method::DELETE, &format!("/secrets/listed{v}"), None).await;
    assert_eq!(status, 200);
    let (_, deleted) = t.call(&token, Method::GET, &format!("/deletedsecrets{v}"), None).await;
    assert_eq!(deleted["value"][0]["id"], format!("{base}/secrets/listed"), "{deleted}");
}
