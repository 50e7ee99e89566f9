//! The practice DNS check before a custom domain is added: each missing record is named with
//! the value it must hold, and nothing is added until both the TXT and a routing record exist.

use vaultmort_core::appservice::RecordType;
use vaultmort_core::appservice::dns::RecordChangeMode;

use crate::support::{APP, HOST, in_group, record, refused, world};

#[tokio::test]
async fn a_custom_domain_needs_the_asuid_txt_record_and_a_cname_or_a_record() {
    let (t, app) = world("B1").await;

    let no_zone = refused(t.core.add_host_name(&t.owner, &in_group(APP), HOST).await, "a domain no practice zone holds is refused");
    assert_eq!(no_zone.code(), "HostNameNotVerified", "an unverified domain has its own code");
    assert!(no_zone.to_string().contains("no zone holds"), "the message says no zone holds the domain: {no_zone}");

    record(&t, "www", RecordType::Cname, &app.default_host_name, RecordChangeMode::Set).await;
    let no_txt = refused(t.core.add_host_name(&t.owner, &in_group(APP), HOST).await, "a domain without its TXT record is refused");
    let message = no_txt.to_string();
    assert!(message.contains("asuid.www"), "the message names the TXT record to add: {message}");
    assert!(message.contains(&app.custom_domain_verification_id), "the message gives the value the TXT must hold: {message}");
    assert!(!message.contains("CNAME record 'www'"), "the CNAME is present, so it is not asked for: {message}");

    let check = t.core.check_host_name(&t.owner, &in_group(APP), HOST).await.expect("the check runs without adding");
    assert!(!check.verified, "the check agrees the TXT is missing");
    assert!(check.records.iter().any(|r| r.record_type == RecordType::Cname && r.present), "the check sees the CNAME: {check:?}");

    record(&t, "asuid.www", RecordType::Txt, "not-the-id", RecordChangeMode::Add).await;
    let wrong_txt = refused(t.core.add_host_name(&t.owner, &in_group(APP), HOST).await, "a TXT with another value proves nothing");
    assert_eq!(wrong_txt.code(), "HostNameNotVerified");

    record(&t, "asuid.www", RecordType::Txt, &app.custom_domain_verification_id, RecordChangeMode::Add).await;
    let added = t.core.add_host_name(&t.owner, &in_group(APP), HOST).await.expect("with both records the domain is added");
    assert!(added.host_name(HOST).is_some(), "the app now lists the host name");
}

#[tokio::test]
async fn the_apex_is_routed_by_an_a_record_to_the_practice_address() {
    let (t, app) = world("B1").await;
    record(&t, "asuid", RecordType::Txt, &app.custom_domain_verification_id, RecordChangeMode::Add).await;
    let without_a = refused(t.core.add_host_name(&t.owner, &in_group(APP), "petdash.com").await, "the apex needs an A record");
    let message = without_a.to_string();
    assert!(message.contains("A record '@'") && message.contains("127.0.0.1"), "the A record and its address are named: {message}");
    assert!(!message.contains("CNAME"), "the apex cannot hold a CNAME, so none is offered: {message}");

    let cname_at_apex = refused(
        t.core
            .change_dns_record(
                &t.owner,
                &in_group("petdash.com"),
                &vaultmort_core::appservice::dns::RecordChange {
                    name: "@".into(),
                    record_type: RecordType::Cname,
                    value: app.default_host_name.clone(),
                    ttl: None,
                    mode: RecordChangeMode::Set,
                },
            )
            .await,
        "DNS forbids a CNAME at the zone apex",
    );
    assert_eq!(cname_at_apex.code(), "BadParameter");

    record(&t, "@", RecordType::A, "127.0.0.1", RecordChangeMode::Add).await;
    t.core.add_host_name(&t.owner, &in_group(APP), "petdash.com").await.expect("TXT asuid plus A @ verify the apex");
}

#[tokio::test]
async fn record_values_are_checked_and_a_cname_excludes_other_records() {
    let (t, _app) = world("B1").await;
    t.core.create_dns_zone(&t.owner, &in_group("petdash.com")).await.expect("zone");
    let change = |name: &str, record_type, value: &str, mode| vaultmort_core::appservice::dns::RecordChange {
        name: name.into(),
        record_type,
        value: value.into(),
        ttl: None,
        mode,
    };
    let bad_a = refused(
        t.core
            .change_dns_record(&t.owner, &in_group("petdash.com"), &change("www", RecordType::A, "999.1.1.1", RecordChangeMode::Add))
            .await,
        "an A record holds an IPv4 address",
    );
    assert_eq!(bad_a.code(), "BadParameter");
    t.core
        .change_dns_record(&t.owner, &in_group("petdash.com"), &change("www", RecordType::A, "127.0.0.1", RecordChangeMode::Add))
        .await
        .expect("an A record is added");
    let clash = refused(
        t.core
            .change_dns_record(
                &t.owner,
                &in_group("petdash.com"),
                &change("www", RecordType::Cname, "x.example.com", RecordChangeMode::Set),
            )
            .await,
        "a CNAME cannot sit beside an A record of the same name",
    );
    assert_eq!(clash.code(), "Conflict");
    let zone = t.core.show_dns_zone(&t.owner, &in_group("petdash.com")).await.expect("zone reads");
    assert_eq!(zone.record_sets.len(), 1, "the refused CNAME left nothing behind: {:?}", zone.record_sets);

    let taken = refused(
        t.core
            .create_dns_zone(
                &t.owner,
                &vaultmort_core::appservice::dns::ResourceRef {
                    subscription: None,
                    resource_group: "rg2".into(),
                    name: "petdash.com".into(),
                },
            )
            .await,
        "a zone name is used once, or a missing group is refused",
    );
    assert!(matches!(taken.code(), "ResourceGroupNotFound" | "Conflict"), "{taken}");
}
