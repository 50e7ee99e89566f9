//! Key Vault's JSON bodies, built from the core's types: camelCase names, `attributes` with Unix
//! times, ids as absolute URLs under the vault's base address (`https://<host>` as the client
//! sent it), deleted objects with `recoveryId`, `deletedDate` and `scheduledPurgeDate`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use vaultmort_core::keys::KeyBundle;
use vaultmort_core::model::{Attributes, Recovery, Tags};
use vaultmort_core::objects::DeletedInfo;
use vaultmort_core::secrets::SecretBundle;

/// base64url without padding, Key Vault's encoding for bytes.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn attributes(attributes: &Attributes, recovery: &Recovery, exportable: Option<bool>) -> Value {
    let mut out = Map::new();
    out.insert("enabled".into(), attributes.enabled.into());
    if let Some(nbf) = attributes.not_before {
        out.insert("nbf".into(), nbf.timestamp().into());
    }
    if let Some(exp) = attributes.expires {
        out.insert("exp".into(), exp.timestamp().into());
    }
    out.insert("created".into(), attributes.created.timestamp().into());
    out.insert("updated".into(), attributes.updated.timestamp().into());
    out.insert("recoveryLevel".into(), recovery.recovery_level.clone().into());
    out.insert("recoverableDays".into(), recovery.recoverable_days.into());
    if let Some(flag) = exportable {
        out.insert("exportable".into(), flag.into());
    }
    Value::Object(out)
}

fn put_tags(out: &mut Map<String, Value>, tags: &Tags) {
    if !tags.is_empty() {
        out.insert("tags".into(), json!(tags));
    }
}

fn put_deleted(out: &mut Map<String, Value>, deleted: &Option<DeletedInfo>, base: &str) {
    if let Some(info) = deleted {
        out.insert("recoveryId".into(), format!("{base}/{}", info.recovery_path).into());
        out.insert("deletedDate".into(), info.deleted_date.timestamp().into());
        out.insert("scheduledPurgeDate".into(), info.scheduled_purge_date.timestamp().into());
    }
}

fn secret_common(bundle: &SecretBundle, base: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), bundle.id.url(base).into());
    out.insert("attributes".into(), attributes(&bundle.attributes, &bundle.recovery, None));
    if let Some(ct) = &bundle.content_type {
        out.insert("contentType".into(), ct.clone().into());
    }
    put_tags(&mut out, &bundle.tags);
    if bundle.managed {
        out.insert("managed".into(), true.into());
    }
    put_deleted(&mut out, &bundle.deleted, base);
    out
}

/// A secret bundle (with its value when the core returned one).
pub fn secret(bundle: &SecretBundle, base: &str) -> Value {
    let mut out = secret_common(bundle, base);
    if let Some(value) = &bundle.value {
        out.insert("value".into(), value.as_str().into());
    }
    if let Some(kid) = &bundle.key_id {
        let kid = if kid.starts_with("https://") { kid.clone() } else { format!("{base}/{kid}") };
        out.insert("kid".into(), kid.into());
    }
    Value::Object(out)
}

/// A secret as listed.
pub fn secret_item(bundle: &SecretBundle, base: &str) -> Value {
    Value::Object(secret_common(bundle, base))
}

/// A key bundle with its public JWK.
pub fn key(bundle: &KeyBundle, base: &str) -> Value {
    let mut out = Map::new();
    let jwk = serde_json::to_value(bundle.jwk(base)).unwrap_or(Value::Null);
    out.insert("key".into(), jwk);
    out.insert("attributes".into(), attributes(&bundle.attributes, &bundle.recovery, Some(false)));
    put_tags(&mut out, &bundle.tags);
    if bundle.managed {
        out.insert("managed".into(), true.into());
    }
    put_deleted(&mut out, &bundle.deleted, base);
    Value::Object(out)
}

/// A key as listed.
pub fn key_item(bundle: &KeyBundle, base: &str) -> Value {
    let mut out = Map::new();
    out.insert("kid".into(), bundle.id.url(base).into());
    out.insert("attributes".into(), attributes(&bundle.attributes, &bundle.recovery, Some(false)));
    put_tags(&mut out, &bundle.tags);
    if bundle.managed {
        out.insert("managed".into(), true.into());
    }
    put_deleted(&mut out, &bundle.deleted, base);
    Value::Object(out)
}

/// Standard base64, as Key Vault encodes `cer` and `csr`.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A certificate policy with its id.
pub fn policy(policy: &vaultmort_certs::CertificatePolicy, base: &str, name: &str) -> Value {
    let mut value = serde_json::to_value(policy).unwrap_or(Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.insert("id".into(), format!("{base}/certificates/{name}/policy").into());
    }
    value
}

fn certificate_common(bundle: &vaultmort_core::certificates::CertificateBundle, base: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), bundle.id.url(base).into());
    out.insert("x5t".into(), b64url(&bundle.x5t).into());
    out.insert("attributes".into(), attributes(&bundle.attributes, &bundle.recovery, None));
    put_tags(&mut out, &bundle.tags);
    put_deleted(&mut out, &bundle.deleted, base);
    out
}

/// A certificate bundle with its DER, key and secret ids, and policy.
pub fn certificate(bundle: &vaultmort_core::certificates::CertificateBundle, base: &str) -> Value {
    let mut out = certificate_common(bundle, base);
    out.insert("kid".into(), bundle.kid.url(base).into());
    out.insert("sid".into(), bundle.sid.url(base).into());
    out.insert("cer".into(), b64(&bundle.cer).into());
    if let Some(p) = &bundle.policy {
        out.insert("policy".into(), policy(p, base, &bundle.id.name));
        if let Ok(ct) = p.content_type() {
            out.insert("contentType".into(), ct.as_str().into());
        }
    }
    Value::Object(out)
}

/// A certificate as listed.
pub fn certificate_item(bundle: &vaultmort_core::certificates::CertificateBundle, base: &str) -> Value {
    Value::Object(certificate_common(bundle, base))
}

/// A certificate operation (`/certificates/{name}/pending`).
pub fn operation(op: &vaultmort_core::certificates::CertificateOperation, base: &str) -> Value {
    json!({
        "id": format!("{base}/certificates/{}/pending", op.id.name),
        "issuer": {"name": op.issuer_name},
        "csr": b64(&op.csr),
        "cancellation_requested": op.cancellation_requested,
        "status": op.status,
        "status_details": op.status_details,
        "error": op.error.as_ref().map(|e| json!({"code": "CertificateOperationFailed", "message": e})),
        "target": op.target.as_ref().map(|t| t.url(base)),
        "request_id": op.request_id,
    })
}

/// A certificate issuer.
pub fn issuer(issuer: &vaultmort_core::issuers::Issuer, base: &str) -> Value {
    let admins: Vec<Value> = issuer
        .admin_details
        .iter()
        .map(|a| json!({"first_name": a.first_name, "last_name": a.last_name, "email": a.email, "phone": a.phone}))
        .collect();
    json!({
        "id": format!("{base}/certificates/issuers/{}", issuer.name),
        "provider": issuer.provider,
        "credentials": {"account_id": issuer.account_id},
        "org_details": {"id": issuer.organization_id, "admin_details": admins},
        "attributes": {"enabled": issuer.enabled, "created": issuer.created.timestamp(), "updated": issuer.updated.timestamp()},
    })
}

/// An issuer as listed.
pub fn issuer_item(issuer: &vaultmort_core::issuers::Issuer, base: &str) -> Value {
    json!({"id": format!("{base}/certificates/issuers/{}", issuer.name), "provider": issuer.provider})
}

/// The vault's certificate contacts.
pub fn contacts(contacts: &[vaultmort_core::issuers::Contact], base: &str) -> Value {
    let list: Vec<Value> = contacts.iter().map(|c| json!({"email": c.email, "name": c.name, "phone": c.phone})).collect();
    json!({"id": format!("{base}/certificates/contacts"), "contacts": list})
}

/// A key's rotation policy.
pub fn rotation_policy(policy: &vaultmort_core::rotation::RotationPolicy, base: &str, name: &str) -> Value {
    let mut wire = policy.to_wire();
    if let Some(map) = wire.as_object_mut() {
        map.insert("id".into(), format!("{base}/keys/{name}/rotationpolicy").into());
    }
    wire
}
