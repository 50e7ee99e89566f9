//! The OpenAPI document: the committed copy is the generated one, the server answers it without
//! a token naming the host used, every documented data-plane route is answered by a route (never
//! the door's "no route"), and real answers fit the document's schemas.
//!
//! `VAULTMORT_WRITE_OPENAPI=1` rewrites docs/openapi.json instead of comparing.

use std::path::PathBuf;

use reqwest::Method;
use serde_json::{Value, json};
use vaultmort_rest::openapi;
use vaultmort_rest::route_table::{Access, RouteId};

use crate::support::TestServer;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../docs/openapi.json")
}

#[test]
fn the_committed_document_is_the_generated_one() {
    let generated = openapi::committed_text();
    let path = committed_path();
    if std::env::var("VAULTMORT_WRITE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).expect("docs/openapi.json is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json differs from the document the code generates; if the change is intended, run the test with \
         VAULTMORT_WRITE_OPENAPI=1 and commit the file ({} bytes committed, {} generated)",
        committed.len(),
        generated.len()
    );
}

#[test]
fn the_document_lists_every_route_of_the_table() {
    let document = openapi::document(None);
    assert_eq!(document["openapi"], "3.1.0", "3.1 embeds the 2020-12 schemas schemars writes");
    for id in RouteId::ALL {
        let spec = id.spec();
        let operation = &document["paths"][spec.template][spec.method.to_ascii_lowercase()];
        assert_eq!(operation["operationId"], spec.operation_id, "{id:?} is in the document under its template and method");
        let needs_version =
            operation["parameters"].as_array().is_some_and(|p| p.iter().any(|p| p["$ref"] == "#/components/parameters/api-version"));
        assert_eq!(
            needs_version,
            spec.access == Access::Bearer,
            "{id:?}: data-plane routes require Key Vault's api-version, others do not"
        );
    }
    let methods = ["get", "put", "post", "patch", "delete", "head"];
    let listed: usize = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|p| p.as_object())
        .flat_map(|o| o.keys())
        .filter(|k| methods.contains(&k.as_str()))
        .count();
    assert_eq!(listed, RouteId::ALL.len(), "the document lists exactly the table's routes");
}

#[tokio::test]
async fn the_server_answers_the_document_without_a_token_naming_the_host_used() {
    let t = TestServer::start().await;
    let committed = openapi::document(None);
    for base in [t.vault_url(), format!("https://localhost:{}", t.addr().port())] {
        let response = t.client().get(format!("{base}/.well-known/openapi.json")).send().await.expect("the server answers");
        assert_eq!(response.status().as_u16(), 200, "the document needs no token, like the OpenID configuration");
        let served: Value = response.json().await.expect("the document is JSON");
        assert_eq!(served["servers"][0]["url"], base, "the first server is the host the client used");
        let host = base.trim_start_matches("https://");
        let expected = openapi::document(Some(openapi::ServedAt { host, port: t.addr().port(), tenant: t.server.tenant() }));
        assert_eq!(served, expected, "the served document is the generated one for this host");
        assert_eq!(
            served["paths"].as_object().map(|p| p.len()),
            committed["paths"].as_object().map(|p| p.len()),
            "it lists the committed paths"
        );
        let token_url = &served["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"];
        assert_eq!(
            token_url.as_str(),
            Some(format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant()).as_str()),
            "the served token URL is this server's token endpoint"
        );
    }
}

/// Whether an answer is the door's own "no route" refusal (`ApiError::no_route`).
fn is_no_route(status: u16, body: &Value) -> bool {
    status == 404 && body["error"]["code"] == "NotFound" && body["error"]["message"].as_str().is_some_and(|m| m.starts_with("no route for"))
}

#[tokio::test]
async fn every_documented_data_plane_route_is_answered_by_a_route() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    // The check can fail: a path the document does not list gets the door's "no route".
    let (status, body) = t.call(&token, Method::GET, "/secrets/a/b/c?api-version=7.6", None).await;
    assert!(is_no_route(status, &body), "an undocumented path is refused as no route: {status} {body}");
    for id in RouteId::ALL {
        let spec = id.spec();
        if spec.access != Access::Bearer {
            continue;
        }
        let path: String = spec
            .template
            .split('/')
            .map(|s| if s.starts_with('{') { if s.ends_with("-version}") { "" } else { "probe" } } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let method: Method = spec.method.parse().expect("a method");
        let body = spec.request.map(|_| json!({}));
        let (status, answer) = t.call(&token, method, &format!("{path}?api-version=7.6"), body).await;
        assert!(!is_no_route(status, &answer), "{} {path} ({id:?}) is documented, so a route answers it: {status} {answer}", spec.method);
    }
}

#[tokio::test]
async fn every_documented_management_route_is_answered_on_the_servers_own_host() {
    let t = TestServer::start().await;
    let response = t
        .client()
        .post(format!("https://localhost:{}/{}/oauth2/v2.0/token", t.addr().port(), t.server.tenant()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", vaultmort_core::Principal::local_owner().object_id.as_str()),
            ("client_secret", crate::support::OWNER_SECRET),
            ("scope", "https://management.core.windows.net//.default"),
        ])
        .send()
        .await
        .expect("the token endpoint answers");
    let body: Value = response.json().await.expect("an OAuth JSON body");
    let token = body["access_token"].as_str().expect("a management token").to_string();
    for id in RouteId::ALL.into_iter().filter(|id| matches!(id.spec().access, Access::Management | Access::ManagementMetadata)) {
        let spec = id.spec();
        let path = spec.template.replace("{subscription-id}", "probe");
        let url = format!("https://localhost:{}{path}?api-version=2022-12-01", t.addr().port());
        let method: Method = spec.method.parse().expect("a method");
        let response = t.client().request(method, url).bearer_auth(&token).send().await.expect("the server answers");
        let status = response.status().as_u16();
        let answer: Value = response.json().await.expect("a JSON answer");
        assert!(!is_no_route(status, &answer), "{} {path} ({id:?}) is documented, so a route answers it: {status} {answer}", spec.method);
    }
}

/// The schema of the success answer of `method template`.
fn answer_schema<'a>(document: &'a Value, method: &str, template: &str, status: &str) -> &'a Value {
    let schema = &document["paths"][template][method]["responses"][status]["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "{method} {template} documents a {status} JSON answer");
    schema
}

/// Where an instance departs from its schema, and how (the path from the root, then what).
#[derive(Debug)]
struct SchemaMismatch(String);

impl std::fmt::Display for SchemaMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A refusal of [`check`] saying `why`.
fn mismatch<T>(why: String) -> Result<T, SchemaMismatch> {
    Err(SchemaMismatch(why))
}

/// Checks `instance` against `schema` (the 2020-12 keywords schemars writes); objects with
/// `properties` are closed, so an answer with a field the schema does not describe fails.
fn check(document: &Value, schema: &Value, instance: &Value, at: &str) -> Result<(), SchemaMismatch> {
    if schema == &Value::Bool(true) {
        return Ok(());
    }
    let object = schema.as_object().ok_or_else(|| SchemaMismatch(format!("{at}: the schema {schema} is not an object")))?;
    const KNOWN: [&str; 14] = [
        "$ref",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "anyOf",
        "oneOf",
        "allOf",
        "format",
        "description",
        "minimum",
        "maximum",
        "title",
    ];
    if let Some(unknown) = object.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return mismatch(format!("{at}: the check does not know the keyword '{unknown}'"));
    }
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let pointer = reference.strip_prefix('#').ok_or_else(|| SchemaMismatch(format!("{at}: {reference} is not local")))?;
        let target = document.pointer(pointer).ok_or_else(|| SchemaMismatch(format!("{at}: {reference} names no schema")))?;
        check(document, target, instance, at)?;
    }
    if let Some(types) = object.get("type") {
        let types: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => return mismatch(format!("{at}: type {types} is neither a name nor a list")),
        };
        let fits = types.iter().any(|t| match *t {
            "object" => instance.is_object(),
            "array" => instance.is_array(),
            "string" => instance.is_string(),
            "boolean" => instance.is_boolean(),
            "integer" => instance.is_i64() || instance.is_u64(),
            "number" => instance.is_number(),
            "null" => instance.is_null(),
            _ => false,
        });
        if !fits {
            return mismatch(format!("{at}: {instance} is not of type {types:?}"));
        }
    }
    if let Some(minimum) = object.get("minimum").and_then(Value::as_f64)
        && instance.as_f64().is_some_and(|n| n < minimum)
    {
        return mismatch(format!("{at}: {instance} is below {minimum}"));
    }
    for (keyword, all) in [("allOf", true), ("anyOf", false), ("oneOf", false)] {
        if let Some(options) = object.get(keyword).and_then(Value::as_array) {
            let results: Vec<Result<(), SchemaMismatch>> = options.iter().map(|o| check(document, o, instance, at)).collect();
            let passed = results.iter().filter(|r| r.is_ok()).count();
            let fits = if all {
                passed == options.len()
            } else if keyword == "oneOf" {
                passed == 1
            } else {
                passed > 0
            };
            if !fits {
                return mismatch(format!("{at}: {keyword} not met: {results:?}"));
            }
        }
    }
    if let (Some(map), true) = (instance.as_object(), object.get("type").is_some_and(|t| t == "object")) {
        let properties = object.get("properties").and_then(Value::as_object);
        for name in object.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !map.contains_key(name) {
                return mismatch(format!("{at}: the required property '{name}' is missing from {instance}"));
            }
        }
        for (name, value) in map {
            let place = format!("{at}.{name}");
            match (properties.and_then(|p| p.get(name)), object.get("additionalProperties")) {
                (Some(property), _) => check(document, property, value, &place)?,
                (None, Some(additional)) if additional != &Value::Bool(false) => check(document, additional, value, &place)?,
                (None, _) if properties.is_some() => return mismatch(format!("{place}: the schema does not describe this property")),
                (None, _) => {}
            }
        }
    }
    if let (Some(items), Some(schema)) = (instance.as_array(), object.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(document, schema, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn real_answers_fit_the_documented_schemas() {
    let t = TestServer::start().await;
    let token = t.owner_token().await;
    let document = openapi::document(None);
    let fits = |schema: &Value, answer: &Value, what: &str| {
        if let Err(why) = check(&document, schema, answer, "$") {
            panic!("{what}: the answer does not fit its documented schema: {why}\nanswer: {answer}");
        }
    };
    let v = "?api-version=7.6";

    let (status, set) = t
        .call(&token, Method::PUT, &format!("/secrets/s1{v}"), Some(json!({"value": "x", "contentType": "text/plain", "tags": {"a": "b"}})))
        .await;
    assert_eq!(status, 200, "set secret: {set}");
    fits(answer_schema(&document, "put", "/secrets/{secret-name}", "200"), &set, "set secret");

    let (_, list) = t.call(&token, Method::GET, &format!("/secrets{v}&maxresults=1"), None).await;
    t.call(&token, Method::PUT, &format!("/secrets/s2{v}"), Some(json!({"value": "y"}))).await;
    let (_, paged) = t.call(&token, Method::GET, &format!("/secrets{v}&maxresults=1"), None).await;
    assert!(paged["nextLink"].is_string(), "two secrets at one a page leave a next page: {paged}");
    for (page, what) in [(&list, "list secrets"), (&paged, "list secrets with a next page")] {
        fits(answer_schema(&document, "get", "/secrets", "200"), page, what);
    }

    let (status, created) = t.call(&token, Method::POST, &format!("/keys/k1/create{v}"), Some(json!({"kty": "EC", "crv": "P-256"}))).await;
    assert_eq!(status, 200, "create key: {created}");
    let (_, key) = t.call(&token, Method::GET, &format!("/keys/k1{v}"), None).await;
    fits(answer_schema(&document, "get", "/keys/{key-name}", "200"), &key, "get key");
    let (status, deleted) = t.call(&token, Method::DELETE, &format!("/keys/k1{v}"), None).await;
    assert_eq!(status, 200, "delete key: {deleted}");
    fits(answer_schema(&document, "delete", "/keys/{key-name}", "200"), &deleted, "a deleted key with its recovery facts");

    let (status, contacts) =
        t.call(&token, Method::PUT, &format!("/certificates/contacts{v}"), Some(json!({"contacts": [{"email": "a@example.com"}]}))).await;
    assert_eq!(status, 200, "set contacts: {contacts}");
    fits(answer_schema(&document, "put", "/certificates/contacts", "200"), &contacts, "certificate contacts");
    let (status, issuer) = t.call(&token, Method::PUT, &format!("/certificates/issuers/iss1{v}"), Some(json!({"provider": "Test"}))).await;
    assert_eq!(status, 200, "set issuer: {issuer}");
    fits(answer_schema(&document, "put", "/certificates/issuers/{issuer-name}", "200"), &issuer, "a certificate issuer");
    let (_, issuers) = t.call(&token, Method::GET, &format!("/certificates/issuers{v}"), None).await;
    fits(answer_schema(&document, "get", "/certificates/issuers", "200"), &issuers, "listed issuers");
    let (status, pending) = t.call(&token, Method::POST, &format!("/certificates/c1/create{v}"), Some(json!({}))).await;
    assert_eq!(status, 202, "create certificate: {pending}");
    fits(answer_schema(&document, "post", "/certificates/{certificate-name}/create", "202"), &pending, "a pending certificate");
    let (_, operation) = t.call(&token, Method::GET, &format!("/certificates/c1/pending{v}"), None).await;
    fits(answer_schema(&document, "get", "/certificates/{certificate-name}/pending", "200"), &operation, "a certificate operation");

    let (status, certificate) = t.call(&token, Method::GET, &format!("/certificates/c1{v}"), None).await;
    assert_eq!(status, 200, "the self-signed certificate is made at once: {certificate}");
    fits(answer_schema(&document, "get", "/certificates/{certificate-name}", "200"), &certificate, "a certificate bundle");
    let (_, certificates) = t.call(&token, Method::GET, &format!("/certificates{v}"), None).await;
    fits(answer_schema(&document, "get", "/certificates", "200"), &certificates, "listed certificates");

    let (status, missing) = t.call(&token, Method::GET, &format!("/secrets/nothing-here{v}"), None).await;
    assert_eq!(status, 404, "a missing secret: {missing}");
    let error = &document["components"]["responses"]["Error"]["content"]["application/json"]["schema"];
    fits(error, &missing, "an error");

    // The check can fail: a field the schema does not describe, or a wrong type.
    let schema = answer_schema(&document, "put", "/secrets/{secret-name}", "200");
    let mut extra = set.clone();
    extra["surprise"] = json!(1);
    assert!(check(&document, schema, &extra, "$").is_err(), "an undescribed field fails the check");
    let mut wrong = set.clone();
    wrong["attributes"]["enabled"] = json!("yes");
    assert!(check(&document, schema, &wrong, "$").is_err(), "a wrong type fails the check");
}
