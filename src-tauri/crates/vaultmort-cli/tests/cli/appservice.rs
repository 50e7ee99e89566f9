//! `vaultmort appservice plan ...`: what a plan's pricing tier allows, from outside. The free
//! tier (F1) has no custom domains, the shared tier (D1) no SSL bindings; scaling the plan up
//! lets each through, and scaling down under what the apps use is refused.

use vaultmort_test_support::openssl::Scratch;

use crate::support::TestHome;
use crate::webapp::{fails_in, ok_in, openssl_pfx, p, plan_and_app, verify_domain};

const HOST: &str = "www.petdash.com";

#[test]
fn the_free_tier_refuses_custom_domains_the_shared_tier_refuses_bindings_and_b1_allows_both() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let rg: &[&str] = &["-g", "rg"];
    let app = plan_and_app(&home, rg, "petdash-plan", "F1", "petdash");
    verify_domain(&home, rg, &app, "petdash.com", "www");
    let hostname_add = ["webapp", "config", "hostname", "add", "--webapp-name", "petdash", "--hostname", HOST];

    let before = ok_in(&home, &["webapp", "show", "-n", "petdash"], rg);
    let refused = fails_in(&home, &hostname_add, rg);
    assert_eq!(refused.code, "SkuNotAllowed", "F1 has no custom domains: {}", refused.stderr);
    assert!(
        refused.stderr.contains("F1") && refused.stderr.contains("custom domains"),
        "the message names tier and rule: {}",
        refused.stderr
    );
    assert_eq!(ok_in(&home, &["webapp", "show", "-n", "petdash"], rg), before, "the refused host name was not added");

    let shared = ok_in(&home, &["appservice", "plan", "update", "-n", "petdash-plan", "--sku", "D1"], rg);
    assert_eq!(shared["sku"]["tier"], "Shared", "{shared}");
    ok_in(&home, &hostname_add, rg);
    let scratch = Scratch::new();
    let pfx = openssl_pfx(&scratch, "www", HOST, 365, "pw");
    let uploaded = ok_in(
        &home,
        &["webapp", "config", "ssl", "upload", "-n", "petdash", "--certificate-file", p(&pfx), "--certificate-password", "pw"],
        rg,
    );
    let thumbprint = uploaded["thumbprint"].as_str().expect("a thumbprint").to_string();
    let bind = ["webapp", "config", "ssl", "bind", "-n", "petdash", "--certificate-thumbprint", &thumbprint, "--ssl-type", "SNI"];
    let before = ok_in(&home, &["webapp", "show", "-n", "petdash"], rg);
    let refused = fails_in(&home, &bind, rg);
    assert_eq!(refused.code, "SkuNotAllowed", "D1 has no SSL bindings: {}", refused.stderr);
    assert!(
        refused.stderr.contains("D1") && refused.stderr.contains("SSL bindings"),
        "the message names tier and rule: {}",
        refused.stderr
    );
    assert_eq!(ok_in(&home, &["webapp", "show", "-n", "petdash"], rg), before, "the refused binding changed nothing");

    let basic = ok_in(&home, &["appservice", "plan", "update", "-n", "petdash-plan", "--sku", "B1"], rg);
    assert_eq!(basic["sku"]["tier"], "Basic", "{basic}");
    let bound = ok_in(&home, &bind, rg);
    let state = bound["hostNameSslStates"].as_array().and_then(|s| s.iter().find(|s| s["name"] == HOST)).cloned().unwrap_or_default();
    assert_eq!(state["sslState"], "SniEnabled", "on B1 the binding is made: {bound}");

    // Down again is refused while the app has a binding; the plan stays B1.
    let refused = fails_in(&home, &["appservice", "plan", "update", "-n", "petdash-plan", "--sku", "F1"], rg);
    assert_eq!(refused.code, "SkuNotAllowed", "F1 cannot hold an app with custom domains: {}", refused.stderr);
    let plans = ok_in(&home, &["appservice", "plan", "list"], rg);
    assert_eq!(plans[0]["sku"]["name"], "B1", "the refused change left the plan as it was: {plans}");
    let missing = fails_in(&home, &["appservice", "plan", "update", "-n", "no-such-plan", "--sku", "B1"], rg);
    assert_eq!(missing.code, "AppServicePlanNotFound", "update changes a plan that exists, it makes none: {}", missing.stderr);
    assert_eq!(ok_in(&home, &["appservice", "plan", "list"], rg).as_array().map(Vec::len), Some(1), "still one plan");
}
