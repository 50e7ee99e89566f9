//! `vaultmort network dns ...` and the domain check App Service runs against practice DNS: a
//! custom domain is added only with its `asuid` TXT record and a CNAME (or A) record, and each
//! refusal names the record that is missing with the value it must hold.

use crate::support::TestHome;
use crate::webapp::{fails_in, ok_in, plan_and_app};

#[test]
fn an_unverified_domain_is_refused_naming_the_missing_txt_then_the_missing_cname() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let rg: &[&str] = &["-g", "rg"];
    let app = plan_and_app(&home, rg, "petdash-plan", "B1", "petdash");
    let id = app["customDomainVerificationId"].as_str().expect("a verification id").to_string();
    let zone = ok_in(&home, &["network", "dns", "zone", "create", "-n", "petdash.com"], rg);
    assert_eq!(zone["name"], "petdash.com", "{zone}");
    let add = ["webapp", "config", "hostname", "add", "--webapp-name", "petdash", "--hostname", "www.petdash.com"];
    let check = ["webapp", "config", "hostname", "check", "--webapp-name", "petdash", "--hostname", "www.petdash.com"];
    let shown = || ok_in(&home, &["webapp", "show", "-n", "petdash"], rg);
    let before = shown();

    let refused = fails_in(&home, &add, rg);
    assert_eq!(refused.code, "HostNameNotVerified", "nothing in DNS proves the domain: {}", refused.stderr);
    assert!(refused.stderr.contains("asuid.www") && refused.stderr.contains(&id), "the TXT name and value are named: {}", refused.stderr);
    assert_eq!(shown(), before, "the refused domain was not added");
    let checked = ok_in(&home, &check, rg);
    assert_eq!(checked["verified"], false, "{checked}");
    assert_eq!(checked["records"][0]["name"], "asuid.www", "the check shows the TXT record first: {checked}");
    assert_eq!(checked["records"][0]["present"], false, "{checked}");

    let txt = ok_in(&home, &["network", "dns", "record-set", "txt", "add-record", "-z", "petdash.com", "-n", "asuid.www", "-v", &id], rg);
    assert_eq!(txt["TXTRecords"][0]["value"][0], id.as_str(), "{txt}");
    assert_eq!(txt["fqdn"], "asuid.www.petdash.com.", "{txt}");
    let refused = fails_in(&home, &add, rg);
    assert_eq!(refused.code, "HostNameNotVerified", "ownership alone does not route the domain: {}", refused.stderr);
    assert!(!refused.stderr.contains("asuid.www"), "the TXT record is present now and no longer asked for: {}", refused.stderr);
    assert!(
        refused.stderr.contains("CNAME record 'www'") && refused.stderr.contains("petdash.azurewebsites.localhost"),
        "the missing CNAME and its target are named: {}",
        refused.stderr
    );
    assert_eq!(shown(), before, "the refused domain was not added");

    // A CNAME to somewhere else does not route it either.
    ok_in(
        &home,
        &["network", "dns", "record-set", "cname", "set-record", "-z", "petdash.com", "-n", "www", "-c", "elsewhere.example.com"],
        rg,
    );
    assert_eq!(fails_in(&home, &add, rg).code, "HostNameNotVerified", "a CNAME to another host does not route to the app");
    let cname = ok_in(
        &home,
        &["network", "dns", "record-set", "cname", "set-record", "-z", "petdash.com", "-n", "www", "-c", "petdash.azurewebsites.localhost"],
        rg,
    );
    assert_eq!(cname["CNAMERecord"]["cname"], "petdash.azurewebsites.localhost", "set-record replaces the name: {cname}");
    assert_eq!(ok_in(&home, &check, rg)["verified"], true, "both records are there now");
    let added = ok_in(&home, &add, rg);
    assert_eq!(added["hostNameType"], "Verified", "{added}");
    let listed = ok_in(&home, &["webapp", "config", "hostname", "list", "--webapp-name", "petdash"], rg);
    let names: Vec<&str> = listed.as_array().map(|all| all.iter().filter_map(|b| b["name"].as_str()).collect()).unwrap_or_default();
    assert_eq!(names, ["petdash/petdash.azurewebsites.localhost", "petdash/www.petdash.com"], "default then custom: {listed}");
}

#[test]
fn record_sets_are_added_listed_and_removed_as_az_shows_them() {
    let home = TestHome::new();
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    let rg: &[&str] = &["-g", "rg"];
    ok_in(&home, &["network", "dns", "zone", "create", "-n", "petdash.com"], rg);
    let a = ["network", "dns", "record-set", "a", "add-record", "-z", "petdash.com", "-n", "@", "-a", "127.0.0.1", "--ttl", "300"];
    let set = ok_in(&home, &a, rg);
    assert_eq!(set["ARecords"][0]["ipv4Address"], "127.0.0.1", "{set}");
    assert_eq!(set["TTL"], 300, "the TTL given is kept: {set}");
    assert_eq!(set["fqdn"], "petdash.com.", "'@' is the zone itself: {set}");
    let bad = fails_in(&home, &["network", "dns", "record-set", "a", "add-record", "-z", "petdash.com", "-n", "@", "-a", "not-an-ip"], rg);
    assert_eq!(bad.code, "BadParameter", "an A record holds an IPv4 address: {}", bad.stderr);
    ok_in(&home, &["network", "dns", "record-set", "txt", "add-record", "-z", "petdash.com", "-n", "note", "-v", "hello"], rg);
    let listed = ok_in(&home, &["network", "dns", "record-set", "list", "-z", "petdash.com"], rg);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "one A and one TXT set: {listed}");
    let zone = ok_in(&home, &["network", "dns", "zone", "show", "-n", "petdash.com"], rg);
    assert_eq!(zone["numberOfRecordSets"], 2, "{zone}");

    let removed =
        ok_in(&home, &["network", "dns", "record-set", "txt", "remove-record", "-z", "petdash.com", "-n", "note", "-v", "hello"], rg);
    assert!(removed.is_null(), "removing the last value removes the set and prints nothing: {removed}");
    let gone =
        fails_in(&home, &["network", "dns", "record-set", "txt", "remove-record", "-z", "petdash.com", "-n", "note", "-v", "hello"], rg);
    assert_eq!(gone.code, "RecordNotFound", "{}", gone.stderr);
    assert_eq!(gone.status, 3, "not found exits with 3");
    let listed = ok_in(&home, &["network", "dns", "record-set", "list", "-z", "petdash.com"], rg);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "the A set is left: {listed}");

    let zones = home.ok(&["network", "dns", "zone", "list"]);
    assert_eq!(zones.as_array().map(Vec::len), Some(1), "{zones}");
    ok_in(&home, &["network", "dns", "zone", "delete", "-n", "petdash.com", "--yes"], rg);
    let missing = fails_in(&home, &["network", "dns", "zone", "show", "-n", "petdash.com"], rg);
    assert_eq!(missing.code, "DnsZoneNotFound", "{}", missing.stderr);
}
