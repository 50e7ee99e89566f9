//! `create_self_signed_certificate`, `list_certificates`.

use serde_json::json;

use crate::support::TestApp;

#[test]
fn a_short_lived_self_signed_certificate_is_listed() {
    let app = TestApp::unlocked();
    app.vault("certs-kv");
    // One month: too short for Key Vault's default "renew 90 days before expiry", fine for the
    // portal's "renew at 80% of the lifetime" that the desktop app uses.
    let input = json!({ "name": "short", "subject": "CN=short.example", "validityMonths": 1 });
    let created = app.ok("create_self_signed_certificate", json!({ "vault": "certs-kv", "input": input }));
    assert_eq!(created["thumbprint"].as_str().map(str::len), Some(40), "a SHA-1 thumbprint in hex: {created}");
    let listed = app.ok("list_certificates", json!({ "vault": "certs-kv" }));
    assert_eq!(listed, json!([created]), "the listing shows the certificate as created");
    let bad = json!({ "name": "bad", "subject": "not a subject", "validityMonths": 12 });
    assert_eq!(app.error_code("create_self_signed_certificate", json!({ "vault": "certs-kv", "input": bad })), "BadParameter");
}
