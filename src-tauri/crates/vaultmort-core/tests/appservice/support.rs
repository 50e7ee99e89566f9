//! The PetDash world: a core with vault `kv`, an App Service plan `plan` of a chosen SKU and a
//! web app `petdash` in resource group `rg`, helpers to verify `www.petdash.com` through practice
//! DNS, and certificates made by openssl.

use vaultmort_certs::policy::{CertificatePolicy, SubjectAlternativeNames};
use vaultmort_core::appservice::dns::{RecordChange, RecordChangeMode, ResourceRef};
use vaultmort_core::appservice::webapps::{CreatePlan, CreateWebApp};
use vaultmort_core::appservice::{RecordType, WebApp};
use vaultmort_core::{Error, Result};
use vaultmort_test_support::home::{GROUP, TestCore};
use vaultmort_test_support::openssl::Scratch;

/// The vault certificates come from.
pub const VAULT: &str = "petdash-kv";
/// The web app.
pub const APP: &str = "petdash";
/// The custom domain.
pub const HOST: &str = "www.petdash.com";
/// The App Service resource provider's app id.
pub const APP_SERVICE: &str = vaultmort_core::directory::APP_SERVICE_APP_ID;

/// A reference to `name` in [`GROUP`] of the default subscription.
pub fn in_group(name: &str) -> ResourceRef {
    ResourceRef { subscription: None, resource_group: GROUP.into(), name: name.into() }
}

/// A core with vault [`VAULT`], plan `plan` of `sku` and web app [`APP`] on it.
pub async fn world(sku: &str) -> (TestCore, WebApp) {
    let t = TestCore::with_vault(VAULT).await;
    t.core.create_plan(&t.owner, &CreatePlan { plan: in_group("plan"), sku: sku.into() }).await.expect("the owner makes a plan");
    let app = t
        .core
        .create_web_app(&t.owner, &CreateWebApp { app: in_group(APP), plan: "plan".into() })
        .await
        .expect("the owner makes a web app");
    (t, app)
}

/// Adds a record to zone `petdash.com` (made on first use).
pub async fn record(t: &TestCore, name: &str, record_type: RecordType, value: &str, mode: RecordChangeMode) {
    t.core.create_dns_zone(&t.owner, &in_group("petdash.com")).await.expect("the owner makes the zone");
    let change = RecordChange { name: name.into(), record_type, value: value.into(), ttl: None, mode };
    t.core.change_dns_record(&t.owner, &in_group("petdash.com"), &change).await.expect("the record is written");
}

/// Writes the TXT and CNAME records that verify [`HOST`] for `app`, and adds the host name.
pub async fn verified_host(t: &TestCore, app: &WebApp) {
    record(t, "asuid.www", RecordType::Txt, &app.custom_domain_verification_id, RecordChangeMode::Add).await;
    record(t, "www", RecordType::Cname, &app.default_host_name, RecordChangeMode::Set).await;
    t.core.add_host_name(&t.owner, &in_group(APP), HOST).await.expect("a verified domain is added");
}

/// A vault certificate policy for [`HOST`], self-signed, with `content_type`.
pub fn vault_policy(content_type: &str) -> CertificatePolicy {
    let mut policy = CertificatePolicy::self_signed(&format!("CN={HOST}"));
    let x509 = policy.x509_props.as_mut().expect("the default policy has x509 properties");
    x509.sans = Some(SubjectAlternativeNames { dns_names: Some(vec![HOST.into()]), emails: None, upns: None });
    x509.key_usage = Some(vec!["digitalSignature".into(), "keyEncipherment".into()]);
    policy.secret_props.as_mut().expect("the default policy has secret properties").content_type = Some(content_type.into());
    policy
}

/// Makes vault certificate `name` for [`HOST`] in [`VAULT`] with `content_type`.
pub async fn vault_certificate(t: &TestCore, name: &str, content_type: &str) -> vaultmort_core::certificates::CertificateBundle {
    let op = t
        .core
        .create_certificate(&t.owner, VAULT, name, Some(vault_policy(content_type)), true, Default::default())
        .await
        .expect("the owner makes a self-signed certificate");
    assert_eq!(op.status, "completed", "a self-signed certificate is issued at once");
    t.core.get_certificate(&t.owner, VAULT, name, None).await.expect("the certificate reads")
}

/// Gives the App Service resource provider secret Get on [`VAULT`].
pub async fn grant_app_service(t: &TestCore) {
    let change = vaultmort_core::access_policy::PolicyChange { secrets: Some(vec!["get".into()]), ..Default::default() };
    t.core.set_access_policy(&t.owner, VAULT, APP_SERVICE, change).await.expect("the owner gives App Service secret Get");
}

/// A PFX made by openssl for a self-signed certificate with `subject` and SANs `dns`, valid
/// `days`, under `password`.
pub fn openssl_pfx(subject: &str, dns: &[&str], days: u32, password: &str) -> Vec<u8> {
    let scratch = Scratch::new();
    let sans = dns.iter().map(|d| format!("DNS:{d}")).collect::<Vec<_>>().join(",");
    let days = days.to_string();
    let mut args =
        vec!["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out", "cert.pem"];
    args.extend(["-subj", subject, "-days", &days]);
    let ext = format!("subjectAltName={sans}");
    if !dns.is_empty() {
        args.extend(["-addext", &ext]);
    }
    scratch.openssl(&args);
    let passout = format!("pass:{password}");
    scratch.openssl(&["pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "out.pfx", "-passout", &passout]);
    scratch.read("out.pfx")
}

/// The SHA-1 thumbprint of the certificate in `pfx` as openssl prints it (upper-case hex).
pub fn openssl_thumbprint(pfx: &[u8], password: &str) -> String {
    let scratch = Scratch::new();
    scratch.write("in.pfx", pfx);
    let passin = format!("pass:{password}");
    let cert = scratch.openssl_stdout(&["pkcs12", "-in", "in.pfx", "-passin", &passin, "-nokeys", "-clcerts"]);
    scratch.write("cert.pem", cert);
    let printed = scratch.openssl_stdout(&["x509", "-in", "cert.pem", "-noout", "-fingerprint", "-sha1"]);
    vaultmort_test_support::openssl::fingerprint_hex(&printed).to_ascii_uppercase()
}

/// The code of a refusal, failing the test when `result` succeeded.
pub fn refused<T: std::fmt::Debug>(result: Result<T>, why: &str) -> Error {
    match result {
        Ok(value) => panic!("{why}: it was allowed ({value:?})"),
        Err(e) => e,
    }
}

/// The resource group [`GROUP`] name, for calls taking it alone.
pub fn group() -> &'static str {
    GROUP
}
