//! The OpenAPI 3.1 document of the REST door, built from the code's own definitions: the routes
//! and their specs in [`crate::route_table`], and JSON Schema (draft 2020-12, which OpenAPI 3.1
//! embeds) derived with `schemars` from the Rust types that parse the request bodies and shape
//! the answers ([`crate::dto`]).
//!
//! The server answers it without a token at `GET /.well-known/openapi.json`, naming the host the
//! client used; `docs/openapi.json` holds the same document with a templated server, and a test
//! checks that the committed file is what this module builds.
//!
//! Left out: the shapes not typed in Rust yet (certificate bundles and policies, issuers,
//! contacts, pending operations, rotation policies, subscriptions, the token endpoint's form and
//! answers) are described as any JSON object.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::dto::ErrorBody;
use crate::route_table::{Access, Answer, RouteId};

/// Where a served copy is answered from: the host the client used, the server's port and the
/// practice tenant (for the token URL).
#[derive(Debug, Clone, Copy)]
pub struct ServedAt<'a> {
    /// `host[:port]` as the client sent it.
    pub host: &'a str,
    /// The port the server listens on (the token endpoint is `https://localhost:<port>`).
    pub port: u16,
    /// The practice tenant's id.
    pub tenant: &'a str,
}

/// The scope clients ask the token endpoint for, for the vaults.
const VAULT_SCOPE: &str = "https://vault.azure.net/.default";

/// The scope for Resource Manager (the management resource, with its trailing slash).
const MANAGEMENT_SCOPE: &str = "https://management.core.windows.net//.default";

/// Where Resource Manager's routes are: the server's own host, with the served port when known.
fn management_servers(port: Option<u16>) -> Value {
    match port {
        Some(port) => json!([{"url": format!("https://localhost:{port}"), "description": "This server's own host."}]),
        None => json!([{
            "url": "https://localhost:{port}",
            "description": "The server's own host (localhost or an IP address, never a vault's host).",
            "variables": {"port": {"default": "8443", "description": "The port the server listens on."}},
        }]),
    }
}

/// The document: with a templated server (`https://{vault}.localhost:{port}`) when `served` is
/// `None`, as committed; otherwise naming the requesting host first, with the real token URL.
pub fn document(served: Option<ServedAt<'_>>) -> Value {
    static TEMPLATE: OnceLock<Value> = OnceLock::new();
    let mut document = TEMPLATE.get_or_init(build).clone();
    if let Some(served) = served {
        let url = format!("https://{}", served.host);
        if let Some(servers) = document["servers"].as_array_mut() {
            servers.insert(0, json!({"url": url, "description": "The host this copy was requested from."}));
        }
        document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] =
            json!(format!("https://localhost:{}/{}/oauth2/v2.0/token", served.port, served.tenant));
        for path in document["paths"].as_object_mut().into_iter().flat_map(|paths| paths.values_mut()) {
            for operation in path.as_object_mut().into_iter().flat_map(|path| path.values_mut()) {
                if let Some(servers) = operation.get_mut("servers") {
                    *servers = management_servers(Some(served.port));
                }
            }
        }
    }
    document
}

/// The committed form: pretty-printed JSON with a final newline.
pub fn committed_text() -> String {
    let mut text = serde_json::to_string_pretty(&document(None)).unwrap_or_default();
    text.push('\n');
    text
}

fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    })
}

fn build() -> Value {
    build_with_clashes().0
}

/// The document, and the schema names a request type and an answer type both claim.
fn build_with_clashes() -> (Value, Vec<String>) {
    // Requests are described as they are read, answers as they are written (a field the server
    // leaves out when empty is not required).
    let mut requests = settings().for_deserialize().into_generator();
    let mut answers = settings().for_serialize().into_generator();
    let error = schema_of::<ErrorBody>(&mut answers);

    let mut paths = Map::new();
    for id in RouteId::ALL {
        let spec = id.spec();
        let path = paths.entry(spec.template).or_insert_with(|| match path_parameters(spec.template) {
            Value::Array(none) if none.is_empty() => json!({}),
            parameters => json!({"parameters": parameters}),
        });
        let mut operation = Map::new();
        operation.insert("operationId".into(), spec.operation_id.into());
        operation.insert("summary".into(), spec.summary.into());
        operation.insert("tags".into(), json!([spec.tag]));
        let mut parameters = Vec::new();
        match spec.access {
            Access::Bearer => parameters.push(json!({"$ref": "#/components/parameters/api-version"})),
            Access::Management => {
                parameters.push(json!({"$ref": "#/components/parameters/management-api-version"}));
                operation.insert("security".into(), json!([{"bearer": []}, {"oauth2": [MANAGEMENT_SCOPE]}]));
                operation.insert("servers".into(), management_servers(None));
            }
            Access::Public => {
                operation.insert("security".into(), json!([]));
            }
            Access::ManagementMetadata => {
                parameters.push(json!({"$ref": "#/components/parameters/management-api-version"}));
                operation.insert("security".into(), json!([]));
                operation.insert("servers".into(), management_servers(None));
            }
        }
        if spec.paged {
            parameters.push(json!({"$ref": "#/components/parameters/maxresults"}));
            parameters.push(json!({"$ref": "#/components/parameters/skiptoken"}));
        }
        for option in id.query_options() {
            parameters.push(json!({
                "name": option.name, "in": "query", "required": false, "description": option.description,
                "schema": {"type": "string", "enum": option.values},
            }));
        }
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(request) = spec.request {
            let media = if id == RouteId::Token { "application/x-www-form-urlencoded" } else { "application/json" };
            let schema = Value::from(request(&mut requests));
            operation.insert("requestBody".into(), json!({"required": true, "content": {media: {"schema": schema}}}));
        }
        let mut responses = Map::new();
        match spec.answer {
            Answer::Json(status, shape) => {
                let schema = Value::from(shape(&mut answers));
                responses.insert(
                    status.to_string(),
                    json!({"description": status_text(status), "content": {"application/json": {"schema": schema}}}),
                );
            }
            Answer::Empty(status) => {
                responses.insert(status.to_string(), json!({"description": status_text(status)}));
            }
            Answer::NotSupported => {
                responses.insert("501".into(), json!({"$ref": "#/components/responses/NotSupported"}));
            }
        }
        match (spec.access, id) {
            (Access::ManagementMetadata, _) => {
                responses.insert("4XX".into(), json!({"$ref": "#/components/responses/Error"}));
            }
            (Access::Bearer | Access::Management, _) => {
                responses.insert("401".into(), json!({"$ref": "#/components/responses/Unauthorized"}));
                responses.insert("4XX".into(), json!({"$ref": "#/components/responses/Error"}));
                responses.insert("5XX".into(), json!({"$ref": "#/components/responses/Error"}));
            }
            (Access::Public, RouteId::Token) => {
                responses.insert(
                    "4XX".into(),
                    json!({"description": "An OAuth error (`error`, `error_description`).", "content": {"application/json": {"schema": {"type": "object"}}}}),
                );
            }
            (Access::Public, _) => {}
        }
        operation.insert("responses".into(), Value::Object(responses));
        if let Some(path) = path.as_object_mut() {
            path.insert(spec.method.to_ascii_lowercase(), Value::Object(operation));
        }
    }

    let mut schemas = answers.take_definitions(true);
    let mut clashes = Vec::new();
    for (name, schema) in requests.take_definitions(true) {
        // A request type and an answer type with one name but two shapes: the answer's keeps
        // the name, and the unit test below fails until one of them is renamed.
        match schemas.get(&name) {
            Some(existing) if existing != &schema => clashes.push(name),
            Some(_) => {}
            None => {
                schemas.insert(name, schema);
            }
        }
    }

    let document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Vaultmort REST door",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Key Vault's data plane as Vaultmort serves it offline: the routes this server answers, generated from its route table and Rust types. The vault is chosen by the host name (`<vault>.localhost`; `localhost` and IP addresses reach the default vault). Every data-plane call needs a bearer token from the practice token endpoint and the `api-version` query parameter.",
        },
        "servers": [{
            "url": "https://{vault}.localhost:{port}",
            "description": "A vault of a Vaultmort server on this machine.",
            "variables": {
                "vault": {"default": "myvault", "description": "The vault's name."},
                "port": {"default": "8443", "description": "The port the server listens on."},
            },
        }],
        "security": [{"bearer": []}, {"oauth2": [VAULT_SCOPE]}],
        "tags": [
            {"name": "identity", "description": "The practice token endpoint and the documents served without a token."},
            {"name": "secrets", "description": "Secrets and their versions, soft delete, backup and restore."},
            {"name": "keys", "description": "Keys, their versions and cryptographic operations."},
            {"name": "certificates", "description": "Certificates, their policies, issuers, contacts and pending operations."},
            {"name": "management", "description": "The few Resource Manager routes a client needs before it reaches a vault."},
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "api-version": {
                    "name": "api-version", "in": "query", "required": true,
                    "description": "The Key Vault API version the client speaks (for example 7.6).",
                    "schema": {"type": "string"},
                },
                "management-api-version": {
                    "name": "api-version", "in": "query", "required": true,
                    "description": "Resource Manager's dated API version (for example 2022-12-01, optionally with -preview).",
                    "schema": {"type": "string"},
                },
                "maxresults": {
                    "name": "maxresults", "in": "query", "required": false,
                    "description": "The most items one page holds.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 25},
                },
                "skiptoken": {
                    "name": "$skiptoken", "in": "query", "required": false,
                    "description": "Where the next page starts, as the previous page's nextLink gives it.",
                    "schema": {"type": "string"},
                },
            },
            "responses": {
                "Error": {"description": "A Key Vault error.", "content": {"application/json": {"schema": error}}},
                "Unauthorized": {
                    "description": "No token, or one this server does not accept; `WWW-Authenticate` names where to get one.",
                    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": error}},
                },
                "NotSupported": {
                    "description": "A Key Vault operation Vaultmort does not implement (code NotSupported).",
                    "content": {"application/json": {"schema": error}},
                },
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "oauth2": {
                    "type": "oauth2",
                    "description": "Client credentials at the practice token endpoint of the server's tenant.",
                    "flows": {"clientCredentials": {
                        "tokenUrl": "https://localhost:8443/{tenant}/oauth2/v2.0/token",
                        "scopes": {VAULT_SCOPE: "Key Vault's data plane.", MANAGEMENT_SCOPE: "Resource Manager's subscriptions."},
                    }},
                },
            },
        },
    });
    (sorted(document), clashes)
}

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().into()
}

/// The path parameters of a template: every `{name}` segment.
fn path_parameters(template: &str) -> Value {
    let parameters: Vec<Value> = template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let description = if name.ends_with("-version") {
                "The version; empty (a trailing slash) means the latest."
            } else if name == "tenant" {
                "The practice tenant's id."
            } else {
                "The object's name."
            };
            json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
        })
        .collect();
    Value::Array(parameters)
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK.",
        201 => "Created.",
        202 => "Accepted: the operation goes on.",
        204 => "Done; no body.",
        _ => "Answered.",
    }
}

/// `value` with every object's keys in order, so the text does not depend on how serde_json
/// keeps maps in this build.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_request_and_answer_types_share_a_schema_name() {
        let (_, clashes) = build_with_clashes();
        assert!(clashes.is_empty(), "rename one side with #[schemars(rename)]: {clashes:?} name two different shapes");
    }

    #[test]
    fn every_reference_names_a_schema_of_the_document() {
        fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(target)) = map.get("$ref") {
                        found.push(target);
                    }
                    map.values().for_each(|v| refs(v, found));
                }
                Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
                _ => {}
            }
        }
        let document = document(None);
        let mut found = Vec::new();
        refs(&document, &mut found);
        assert!(found.len() > 50, "the document refers to its components");
        for target in found {
            let pointer = target.strip_prefix('#').unwrap_or(target);
            assert!(document.pointer(pointer).is_some(), "{target} resolves inside the document");
        }
    }
}
