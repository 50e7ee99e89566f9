//! Plans and web apps: names, the default host name, and the tier rules for custom domains.

use vaultmort_core::appservice::webapps::{CreatePlan, CreateWebApp, WebAppUpdate};
use vaultmort_core::appservice::{MinTlsVersion, PlanTier};

use crate::support::{APP, HOST, in_group, refused, verified_host, world};

#[tokio::test]
async fn a_web_app_gets_a_default_host_name_and_a_verification_id() {
    let (t, app) = world("B1").await;
    assert_eq!(app.default_host_name, "petdash.azurewebsites.localhost", "the default host is <app>.azurewebsites.localhost");
    assert_eq!(app.custom_domain_verification_id.len(), 64, "the verification id is 64 hex characters, as Azure's");
    assert!(app.custom_domain_verification_id.chars().all(|c| c.is_ascii_hexdigit()), "it is hex");
    assert!(!app.https_only && app.min_tls_version == MinTlsVersion::Tls12, "HTTPS Only is off and TLS 1.2 is the minimum by default");

    let again = refused(
        t.core.create_web_app(&t.owner, &CreateWebApp { app: in_group("PetDash"), plan: "plan".into() }).await,
        "web app names are unique, since each makes a host name",
    );
    assert_eq!(again.code(), "Conflict");
    let bad = refused(
        t.core.create_web_app(&t.owner, &CreateWebApp { app: in_group("-bad"), plan: "plan".into() }).await,
        "a name starting with a hyphen is not a host label",
    );
    assert_eq!(bad.code(), "BadParameter");

    let updated = t
        .core
        .update_web_app(&t.owner, &in_group(APP), &WebAppUpdate { https_only: Some(true), min_tls_version: Some(MinTlsVersion::Tls13) })
        .await
        .expect("site settings change");
    assert!(updated.https_only && updated.min_tls_version == MinTlsVersion::Tls13, "both settings are kept");
    assert!("1.1".parse::<MinTlsVersion>().is_err(), "TLS 1.1 is not offered as a minimum");
}

#[tokio::test]
async fn the_free_tier_refuses_custom_domains_until_the_plan_scales_up() {
    let (t, app) = world("F1").await;
    let refusal = refused(t.core.add_host_name(&t.owner, &in_group(APP), HOST).await, "F1 does not allow custom domains");
    assert_eq!(refusal.code(), "SkuNotAllowed", "the tier refusal has its own code");
    assert!(refusal.to_string().contains("F1"), "the message names the tier: {refusal}");
    let shown = t.core.show_web_app(&t.owner, &in_group(APP)).await.expect("app reads");
    assert!(shown.host_names.is_empty(), "the refused domain was not added");

    let plan = t.core.create_plan(&t.owner, &CreatePlan { plan: in_group("plan"), sku: "D1".into() }).await.expect("scale up to D1");
    assert_eq!(plan.tier, PlanTier::Shared);
    verified_host(&t, &app).await;

    let down = refused(
        t.core.create_plan(&t.owner, &CreatePlan { plan: in_group("plan"), sku: "F1".into() }).await,
        "scaling down below what the app uses is refused",
    );
    assert_eq!(down.code(), "SkuNotAllowed");
}

#[tokio::test]
async fn deleting_the_resource_group_takes_its_app_service_resources() {
    let (t, app) = world("B1").await;
    verified_host(&t, &app).await;
    t.core.delete_group(&t.owner, crate::support::group()).await.expect("the owner deletes the group");
    let sites = t.core.served_sites(&t.owner).await.expect("sites");
    assert!(sites.is_empty(), "no host name of the deleted group's app is served any more: {sites:?}");
    let zones = t.core.list_dns_zones(&t.owner, None, None).await.expect("zones");
    assert!(zones.is_empty(), "the group's DNS zone went with it");
}
