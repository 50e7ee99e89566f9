//! The App Services blade's commands: the PetDash flow through IPC (a Key Vault certificate
//! imported into a web app, its custom domain verified against records added through the blade,
//! bound, and presented by the front end the app starts, as openssl sees it), and the refusals
//! the blade shows with their codes.

use serde_json::{Value, json};
use vaultmort_test_support::openssl::{fingerprint_hex, openssl, openssl_text, printed};

use crate::support::TestApp;

const VAULT: &str = "petdash-kv";
const GROUP: &str = "rg";
const HOST: &str = "www.petdash.com";
const APP: &str = "petdash-web";
/// The App Service resource provider's app id, the principal that reads vaults for imports.
const APP_SERVICE_APP_ID: &str = "abfa0a7c-a6b6-4736-8310-5855508787cd";

/// An unlocked app with vault `petdash-kv` in group `rg` holding certificate `www` for
/// `www.petdash.com` (PKCS#12 content type, the default), and a B1 plan with web app `petdash-web`.
fn petdash() -> TestApp {
    let app = TestApp::unlocked();
    app.vault(VAULT);
    let mut policy = app.ok("default_certificate_policy", json!({}));
    policy["subject"] = json!(format!("CN={HOST}"));
    assert_eq!(policy["contentType"], "pfx", "App Service imports PKCS#12 certificates, the default content type: {policy}");
    app.ok("create_certificate", json!({ "vault": VAULT, "name": "www", "policy": policy }));
    let plan = app.ok("create_app_service_plan", json!({ "resourceGroup": GROUP, "name": "petdash-plan", "sku": "b1" }));
    assert_eq!((plan["sku"].as_str(), plan["tier"].as_str()), (Some("B1"), Some("basic")), "the SKU is canonical: {plan}");
    assert_eq!(plan["allowsSslBindings"], true, "Basic allows SNI bindings: {plan}");
    let web = app.ok("create_web_app", json!({ "resourceGroup": GROUP, "name": APP, "plan": "petdash-plan" }));
    assert_eq!(web["defaultHostName"], format!("{APP}.azurewebsites.localhost"), "{web}");
    app
}

/// Gives the App Service resource provider secret Get on the vault, as the portal's guidance says.
fn let_app_service_read(app: &TestApp) {
    let principals = app.ok("list_principals", json!({}));
    let provider = principals
        .as_array()
        .and_then(|all| all.iter().find(|p| p["appId"] == APP_SERVICE_APP_ID))
        .unwrap_or_else(|| panic!("every practice directory holds the App Service principal: {principals}"));
    let permissions = json!({ "keys": [], "secrets": ["get"], "certificates": [] });
    app.ok("set_access_policy", json!({ "vault": VAULT, "principal": provider["objectId"], "permissions": permissions }));
}

/// Runs the domain check and adds every missing record it lists through `change_dns_record`:
/// the TXT, and the CNAME (a routing alternative is enough).
fn add_missing_records(app: &TestApp) -> Value {
    let check = app.ok("check_custom_domain", json!({ "resourceGroup": GROUP, "app": APP, "host": HOST }));
    for record in check["records"].as_array().expect("the records looked for") {
        if record["present"] == true || record["recordType"] == "A" {
            continue;
        }
        let mode = if record["recordType"] == "CNAME" { "set" } else { "add" };
        let change =
            json!({ "name": record["name"], "recordType": record["recordType"], "value": record["value"], "ttl": null, "mode": mode });
        app.ok("change_dns_record", json!({ "resourceGroup": GROUP, "zone": record["zone"], "change": change }));
    }
    check
}

/// The SHA-1 thumbprint of the leaf the front end on `port` presents for SNI `host`, read by openssl.
fn presented_thumbprint(port: u64, host: &str) -> String {
    fingerprint_hex(&openssl_text(&["x509", "-noout", "-fingerprint", "-sha1"], Some(presented_leaf(port, host).as_bytes())))
}

/// The serial number of that leaf as openssl prints it (upper-case hex).
fn presented_serial(port: u64, host: &str) -> String {
    let printed = openssl_text(&["x509", "-noout", "-serial"], Some(presented_leaf(port, host).as_bytes()));
    printed.trim().trim_start_matches("serial=").to_string()
}

/// The leaf (PEM) the front end on `port` presents for SNI `host`, as openssl's client receives it.
fn presented_leaf(port: u64, host: &str) -> String {
    let connect = format!("127.0.0.1:{port}");
    let out = openssl(&["s_client", "-connect", &connect, "-servername", host], Some(b""));
    let text = printed(&out);
    let start = text.find("-----BEGIN CERTIFICATE-----").unwrap_or_else(|| panic!("openssl got a certificate from port {port}: {text}"));
    let end = text[start..].find("-----END CERTIFICATE-----").map(|e| start + e + 25).expect("a whole PEM block");
    text[start..end].to_string()
}

#[test]
fn a_key_vault_certificate_is_imported_bound_to_a_verified_domain_and_served_by_the_front_end() {
    let app = petdash();
    let_app_service_read(&app);

    let zone = app.ok("create_dns_zone", json!({ "resourceGroup": GROUP, "name": "petdash.com" }));
    assert_eq!(zone["recordSets"], json!([]), "a new zone is empty: {zone}");
    assert_eq!(
        app.error_code("add_custom_domain", json!({ "resourceGroup": GROUP, "app": APP, "host": HOST })),
        "HostNameNotVerified",
        "a domain without its records is refused, naming what to add"
    );
    let check = add_missing_records(&app);
    let web = app.ok("get_web_app", json!({ "resourceGroup": GROUP, "name": APP }));
    let txt = check["records"].as_array().and_then(|r| r.iter().find(|r| r["recordType"] == "TXT")).expect("a TXT record is looked for");
    assert_eq!(
        (txt["name"].as_str(), &txt["value"], txt["purpose"].as_str(), txt["present"].as_bool()),
        (Some("asuid.www"), &web["customDomainVerificationId"], Some("ownership"), Some(false)),
        "the check shows the asuid TXT with the app's verification id, missing at first: {check}"
    );
    let kinds: Vec<&str> = check["records"].as_array().into_iter().flatten().filter_map(|r| r["recordType"].as_str()).collect();
    assert_eq!(kinds, ["TXT", "CNAME", "A"], "the TXT, then the CNAME and A alternatives: {check}");
    let again = app.ok("check_custom_domain", json!({ "resourceGroup": GROUP, "app": APP, "host": HOST }));
    assert_eq!(again["verified"], true, "with the TXT and the CNAME in the zone the domain verifies: {again}");
    let zone = app.ok("get_dns_zone", json!({ "resourceGroup": GROUP, "name": "petdash.com" }));
    assert_eq!(zone["recordSets"].as_array().map(Vec::len), Some(2), "the zone shows the two records added: {zone}");
    let web = app.ok("add_custom_domain", json!({ "resourceGroup": GROUP, "app": APP, "host": HOST }));
    assert_eq!(web["hostNames"], json!([{ "name": HOST, "sniEnabled": false, "thumbprint": null }]), "{web}");

    let imported =
        app.ok("import_key_vault_certificate", json!({ "resourceGroup": GROUP, "vault": VAULT, "certificateName": "www", "name": null }));
    let vault_thumbprint = app.ok("list_certificates", json!({ "vault": VAULT }))[0]["thumbprint"].clone();
    assert_eq!(imported["thumbprint"], vault_thumbprint, "the imported certificate is the vault's: {imported}");
    assert_eq!((imported["source"].as_str(), imported["keyVault"].as_str()), (Some("keyVault"), Some(VAULT)), "{imported}");
    let thumbprint = imported["thumbprint"].as_str().expect("a thumbprint").to_string();
    let synced = app.ok("sync_web_certificates", json!({ "resourceGroup": GROUP, "thumbprint": thumbprint }));
    let sync = &synced[0]["sync"];
    assert_eq!(sync["keyVaultSecretStatus"], "Succeeded", "Sync now reads the vault again and says so: {synced}");
    assert!(sync["lastAttempt"].is_string() && sync["nextSync"].is_string(), "with the last and next sync: {sync}");

    let web = app.ok("bind_web_certificate", json!({ "resourceGroup": GROUP, "app": APP, "thumbprint": thumbprint, "host": HOST }));
    assert_eq!(web["hostNames"][0], json!({ "name": HOST, "sniEnabled": true, "thumbprint": thumbprint }), "{web}");

    let stopped = app.ok("front_end_status", json!({}));
    assert_eq!((stopped["running"].as_bool(), stopped["sites"].as_array().map(Vec::len)), (Some(false), Some(0)), "{stopped}");
    let started = app.ok("start_front_end", json!({ "httpsPort": 0, "httpPort": 0 }));
    assert_eq!((started["running"].as_bool(), started["address"].as_str()), (Some(true), Some("127.0.0.1")), "loopback only: {started}");
    let port = started["httpsPort"].as_u64().expect("the HTTPS port chosen");
    assert!(port > 0 && started["httpPort"].as_u64().is_some_and(|p| p > 0 && p != port), "two free ports: {started}");
    let site = started["sites"]
        .as_array()
        .and_then(|sites| sites.iter().find(|s| s["host"] == HOST))
        .unwrap_or_else(|| panic!("the custom domain is served: {started}"))
        .clone();
    assert_eq!((site["origin"].as_str(), site["thumbprint"].as_str()), (Some("bound"), Some(thumbprint.as_str())), "{site}");
    assert_eq!(site["url"], format!("https://{HOST}:{port}/"), "the URL to open: {site}");
    let days = site["daysLeft"].as_i64().expect("days left");
    assert!((360..=366).contains(&days), "a 12-month certificate has about a year left by the core's clock, not {days}");
    assert_eq!(presented_thumbprint(port, HOST), thumbprint, "openssl is presented the bound certificate for the custom domain");
    assert_eq!(
        site["serialNumber"],
        presented_serial(port, HOST),
        "the blade shows the presented leaf's serial as openssl reads it: {site}"
    );
    let default_site = started["sites"].as_array().and_then(|s| s.iter().find(|s| s["defaultHost"] == true)).expect("the default host");
    assert_eq!(default_site["origin"], "default", "the default host name gets the built-in certificate: {default_site}");

    assert_eq!(app.error_code("start_front_end", json!({ "httpsPort": 0, "httpPort": 0 })), "Conflict", "one front end at a time");

    // A new version in the vault reaches the binding with "Sync now", and the running front end
    // presents it without a restart.
    let mut policy = app.ok("default_certificate_policy", json!({}));
    policy["subject"] = json!(format!("CN={HOST}"));
    app.ok("create_certificate", json!({ "vault": VAULT, "name": "www", "policy": policy }));
    let renewed = app.ok("list_certificates", json!({ "vault": VAULT }))[0]["thumbprint"].as_str().expect("a thumbprint").to_string();
    assert_ne!(renewed, thumbprint, "creating the certificate again makes a new version with a new key");
    let synced = app.ok("sync_web_certificates", json!({ "resourceGroup": GROUP, "thumbprint": null }));
    assert_eq!(synced[0]["thumbprint"], renewed.as_str(), "Sync now brings the vault's new version: {synced}");
    let web = app.ok("get_web_app", json!({ "resourceGroup": GROUP, "name": APP }));
    assert_eq!(web["hostNames"][0]["thumbprint"], renewed.as_str(), "the binding follows the certificate: {web}");
    let status = app.ok("front_end_status", json!({}));
    let site = status["sites"].as_array().and_then(|s| s.iter().find(|s| s["host"] == HOST)).expect("still served");
    assert_eq!(site["thumbprint"], renewed.as_str(), "the blade shows the renewed certificate as served: {site}");
    assert_eq!(presented_thumbprint(port, HOST), renewed, "and openssl is presented it by the same running front end");
    let thumbprint = renewed;
    let in_use = app
        .invoke("delete_web_certificate", json!({ "resourceGroup": GROUP, "thumbprint": thumbprint }))
        .expect_err("a bound certificate cannot be deleted");
    assert_eq!((in_use["code"].as_str(), in_use["innerCode"].as_str()), (Some("Conflict"), Some("CertificateInUse")), "{in_use}");
    let web = app.ok("unbind_web_certificate", json!({ "resourceGroup": GROUP, "app": APP, "thumbprint": thumbprint, "host": HOST }));
    assert_eq!(web["hostNames"][0]["sniEnabled"], false, "{web}");
    let status = app.ok("front_end_status", json!({}));
    let site = status["sites"].as_array().and_then(|s| s.iter().find(|s| s["host"] == HOST)).expect("still served");
    assert_eq!(site["origin"], "default", "after unbinding, the status shows the default certificate at once: {site}");

    let stopped = app.ok("stop_front_end", json!({}));
    assert_eq!(stopped["running"], false, "{stopped}");
    let port = u16::try_from(port).expect("a TCP port");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "after stop nothing listens on port {port}");
    app.ok("delete_web_certificate", json!({ "resourceGroup": GROUP, "thumbprint": thumbprint }));
    assert_eq!(app.ok("list_web_certificates", json!({ "resourceGroup": GROUP })), json!([]), "an unbound certificate can be deleted");
}

#[test]
fn the_blade_is_told_why_with_a_code() {
    let app = petdash();
    let import = json!({ "resourceGroup": GROUP, "vault": VAULT, "certificateName": "www", "name": null });
    assert_eq!(
        app.error_code("import_key_vault_certificate", import.clone()),
        "AzureServiceUnauthorizedToAccessKeyVault",
        "without secret Get for the App Service principal the import is refused with Azure's code"
    );
    assert_eq!(app.ok("list_web_certificates", json!({ "resourceGroup": null })), json!([]), "and nothing is stored");

    assert_eq!(
        app.error_code("change_app_service_plan_sku", json!({ "resourceGroup": GROUP, "name": "nowhere", "sku": "S1" })),
        "AppServicePlanNotFound",
        "changing the SKU of a plan that is not there does not make one"
    );
    assert_eq!(app.ok("list_app_service_plans", json!({ "resourceGroup": GROUP })).as_array().map(Vec::len), Some(1));
    let plan = app.ok("change_app_service_plan_sku", json!({ "resourceGroup": GROUP, "name": "petdash-plan", "sku": "F1" }));
    assert_eq!((plan["sku"].as_str(), plan["allowsCustomDomains"].as_bool()), (Some("F1"), Some(false)), "{plan}");
    assert_eq!(
        app.error_code("create_app_service_plan", json!({ "resourceGroup": GROUP, "name": "p2", "sku": "X9" })),
        "BadParameter",
        "an unknown SKU is refused"
    );

    let settings = json!({ "httpsOnly": true, "minTlsVersion": "1.3" });
    let web = app.ok("update_web_app_settings", json!({ "resourceGroup": GROUP, "name": APP, "settings": settings }));
    assert_eq!((web["httpsOnly"].as_bool(), web["minTlsVersion"].as_str()), (Some(true), Some("1.3")), "{web}");
    let refusal = app
        .invoke(
            "update_web_app_settings",
            json!({ "resourceGroup": GROUP, "name": APP, "settings": { "httpsOnly": null, "minTlsVersion": "1.0" } }),
        )
        .expect_err("TLS 1.0 is not a choice");
    assert!(refusal.is_string(), "a value outside the closed choice is refused before the command runs: {refusal}");

    let change = json!({ "name": "www", "recordType": "A", "value": "not-an-address", "ttl": null, "mode": "add" });
    app.ok("create_dns_zone", json!({ "resourceGroup": GROUP, "name": "petdash.com" }));
    assert_eq!(
        app.error_code("change_dns_record", json!({ "resourceGroup": GROUP, "zone": "petdash.com", "change": change })),
        "BadParameter",
        "an A record holds an IPv4 address"
    );

    let upload = json!({ "name": null, "data": "not base64!", "password": null });
    assert_eq!(
        app.error_code("upload_web_certificate", json!({ "resourceGroup": GROUP, "input": upload })),
        "BadParameter",
        "bytes that are not base64 are refused"
    );
    let huge = "A".repeat(8 * 1024 * 1024);
    let upload = json!({ "name": null, "data": huge, "password": null });
    let refusal = app.invoke("upload_web_certificate", json!({ "resourceGroup": GROUP, "input": upload })).expect_err("8 MiB is no PFX");
    assert_eq!(refusal["code"], "BadParameter", "a file far above the certificate file limit is refused unread: {refusal}");
    assert!(refusal["message"].as_str().is_some_and(|m| m.contains("certificate file")), "naming the limit: {refusal}");

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = taken.local_addr().expect("an address").port();
    assert_eq!(
        app.error_code("start_front_end", json!({ "httpsPort": port, "httpPort": 0 })),
        "AddressInUse",
        "a port in use is refused so that the blade can ask for another"
    );
    assert_eq!(app.ok("front_end_status", json!({}))["running"], false, "a failed start leaves it stopped");
    assert_eq!(
        app.error_code("get_web_app", json!({ "resourceGroup": GROUP, "name": "nope" })),
        "WebAppNotFound",
        "a missing app has its own code"
    );
}

#[test]
fn a_pfx_is_uploaded_with_its_password_and_a_wrong_one_is_refused() {
    let app = petdash();
    let files = vaultmort_test_support::openssl::Scratch::new();
    let dir = files.dir().to_str().expect("utf-8 paths").to_string();
    let key = format!("{dir}/k.pem");
    let cert = format!("{dir}/c.pem");
    let pfx = format!("{dir}/site.pfx");
    let subject = format!("/CN={HOST}");
    openssl_text(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-subj",
            &subject,
            "-days",
            "30",
        ],
        None,
    );
    openssl_text(&["pkcs12", "-export", "-inkey", &key, "-in", &cert, "-passout", "pass:pfx-pw", "-out", &pfx], None);
    let data = base64_of(&std::fs::read(&pfx).expect("the PFX"));

    let wrong = json!({ "name": "site", "data": data, "password": "nope" });
    assert_eq!(
        app.error_code("upload_web_certificate", json!({ "resourceGroup": GROUP, "input": wrong })),
        "WrongPassword",
        "a wrong password is said to be wrong"
    );
    let upload = json!({ "name": "site", "data": data, "password": "pfx-pw" });
    let uploaded = app.ok("upload_web_certificate", json!({ "resourceGroup": GROUP, "input": upload }));
    let expected = fingerprint_hex(&openssl_text(&["x509", "-noout", "-fingerprint", "-sha1", "-in", &cert], None));
    assert_eq!(uploaded["thumbprint"], expected, "the thumbprint is the certificate's SHA-1, as openssl computes it: {uploaded}");
    assert_eq!((uploaded["source"].as_str(), &uploaded["sync"]), (Some("upload"), &Value::Null), "an upload has no sync: {uploaded}");
    assert_eq!(uploaded["hostNames"], json!([HOST]), "{uploaded}");
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
