//! Issue 12 item 5, "Expiring soon" as one core operation: a principal that can read one vault
//! of two gets the readable vault's expiring objects and the other vault named as unreadable
//! (its refusals in the access log); the rules of the report: soonest first with a stable tie
//! order, the window's end, expired and disabled objects in, managed keys and secrets and
//! objects without an expiry out.

use std::time::Duration;

use chrono::Utc;
use vaultmort_certs::policy::CertificatePolicy;
use vaultmort_core::ObjectKind;
use vaultmort_core::access_policy::PolicyChange;
use vaultmort_core::keys::CreateKey;
use vaultmort_core::secrets::SetSecret;
use vaultmort_crypto::KeyType;

use crate::support::World;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn days(n: u64) -> Duration {
    DAY * u32::try_from(n).expect("a small number of days")
}

/// A secret `name` in `vault` expiring `in_days` days from now (negative: already expired).
async fn secret_expiring(w: &World, vault: &str, name: &str, in_days: i64) {
    let mut secret = SetSecret::new(name, "expiring-value");
    secret.expires = Some(Utc::now() + chrono::Duration::days(in_days) + chrono::Duration::hours(1));
    w.core.set_secret(&w.owner, vault, secret).await.expect("the owner sets an expiring secret");
}

#[tokio::test]
async fn a_principal_that_can_read_one_vault_of_two_sees_it_and_is_told_about_the_other() {
    let w = World::new().await;
    w.vault("readable", false).await;
    w.vault("closed", false).await;
    secret_expiring(&w, "readable", "tls-password", 10).await;
    secret_expiring(&w, "closed", "hidden-password", 5).await;
    let reader = w.user("reader@contoso.example").await;
    w.core
        .create_role_assignment(&w.owner, "reader@contoso.example", "Reader", &w.subscription_scope())
        .await
        .expect("the owner makes the user a Reader of the subscription, so that it sees both vaults");
    let list = || Some(vec!["list".to_string()]);
    let change = PolicyChange { keys: list(), secrets: list(), certificates: list() };
    w.core.set_access_policy(&w.owner, "readable", "reader@contoso.example", change).await.expect("the owner grants list on one vault");

    let before = w.log().await.len();
    let report = w.core.expiring_soon(&reader, days(30)).await.expect("a refusal on one vault does not fail the report");

    let listed: Vec<_> = report.items.iter().map(|i| (i.vault.as_str(), i.kind, i.name.as_str())).collect();
    assert_eq!(
        listed,
        [("readable", ObjectKind::Secret, "tls-password")],
        "only the readable vault's expiring secret is listed; the closed vault's secret must not leak"
    );
    assert_eq!(report.items[0].days_left, 10, "ten days (and an hour) left, rounded toward zero");
    assert_eq!(report.unreadable.len(), 1, "one vault could not be read: {:?}", report.unreadable);
    let closed = &report.unreadable[0];
    assert_eq!(closed.vault, "closed", "the unreadable vault is named");
    let kinds: Vec<_> = closed.refusals.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ObjectKind::Key, ObjectKind::Secret, ObjectKind::Certificate], "each kind's listing was refused, in order");
    for refusal in &closed.refusals {
        assert_eq!(refusal.error.code(), "Forbidden", "a missing access policy is a Forbidden refusal: {}", refusal.error);
        let message = refusal.error.to_string();
        assert!(message.contains("reader@contoso.example"), "the message names the caller: {message}");
        assert!(message.contains(&format!("{} list permission", refusal.kind.collection())), "and the missing permission: {message}");
    }

    let records = w.log_since(before).await;
    let refused: Vec<_> = records.iter().filter(|r| r.status == 403).map(|r| (r.operation.as_str(), r.vault.as_deref())).collect();
    assert_eq!(
        refused,
        [("KeyList", Some("closed")), ("SecretList", Some("closed")), ("CertificateList", Some("closed"))],
        "every refused listing leaves its own record in the access log, like any refused request"
    );
    for record in records.iter().filter(|r| r.status == 403) {
        assert_eq!(record.error_code.as_deref(), Some("Forbidden"), "the record keeps the refusal's code: {record:?}");
        assert_eq!(record.caller_name, "reader@contoso.example", "and the caller: {record:?}");
    }
    let allowed: Vec<_> = records.iter().filter(|r| r.status == 200).map(|r| (r.operation.as_str(), r.vault.as_deref())).collect();
    assert_eq!(
        allowed,
        [("VaultList", None), ("KeyList", Some("readable")), ("SecretList", Some("readable")), ("CertificateList", Some("readable"))],
        "the vault listing and the readable vault's listings are logged as ordinary reads"
    );
}

#[tokio::test]
async fn a_caller_who_cannot_list_vaults_gets_that_refusal() {
    let w = World::new().await;
    w.vault("unseen", false).await;
    let stranger = w.user("stranger@contoso.example").await;
    let error = w.core.expiring_soon(&stranger, days(30)).await.expect_err("no role: the vaults cannot be listed");
    assert_eq!(error.code(), "Forbidden", "the report does not name vaults the caller cannot see: {error}");
}

#[tokio::test]
async fn the_report_is_soonest_first_within_the_window_without_managed_objects() {
    let w = World::new().await;
    w.vault("alpha", false).await;
    w.vault("beta", false).await;
    let same_time = Utc::now() + chrono::Duration::days(3);
    // Three objects expiring at the same instant: the tie order is vault, then kind, then name.
    for (vault, name) in [("beta", "b-secret"), ("alpha", "z-secret"), ("alpha", "a-secret")] {
        let mut secret = SetSecret::new(name, "v");
        secret.expires = Some(same_time);
        w.core.set_secret(&w.owner, vault, secret).await.expect("a secret expiring with the others");
    }
    let mut key = CreateKey::new("a-key", KeyType::Ec);
    key.expires = Some(same_time);
    w.core.create_key(&w.owner, "alpha", key).await.expect("a key expiring with the secrets");
    // Expired and disabled ones are in; later than the window, or no expiry, out.
    let mut expired = SetSecret::new("expired-disabled", "v");
    expired.expires = Some(Utc::now() - chrono::Duration::days(2) - chrono::Duration::hours(1));
    expired.enabled = false;
    w.core.set_secret(&w.owner, "beta", expired).await.expect("an expired, disabled secret");
    secret_expiring(&w, "alpha", "next-quarter", 90).await;
    w.core.set_secret(&w.owner, "alpha", SetSecret::new("forever", "v")).await.expect("a secret with no expiry");
    // A certificate valid one month: listed, while its key and secret (managed) are not.
    let mut policy = CertificatePolicy::self_signed("CN=site.example");
    policy.x509_props.as_mut().expect("the default policy has x509 properties").validity_months = Some(1);
    policy.lifetime_actions = None;
    w.core.create_certificate(&w.owner, "beta", "site", Some(policy), true, Default::default()).await.expect("a one-month certificate");
    // A newer version without an expiry hides the older, expiring one.
    secret_expiring(&w, "alpha", "renewed", 1).await;
    w.core.set_secret(&w.owner, "alpha", SetSecret::new("renewed", "v2")).await.expect("a newer version without an expiry");

    let report = w.core.expiring_soon(&w.owner, days(40)).await.expect("the owner reads every vault");
    let listed: Vec<_> = report.items.iter().map(|i| (i.vault.as_str(), i.kind, i.name.as_str())).collect();
    assert_eq!(
        listed,
        [
            ("beta", ObjectKind::Secret, "expired-disabled"),
            ("alpha", ObjectKind::Key, "a-key"),
            ("alpha", ObjectKind::Secret, "a-secret"),
            ("alpha", ObjectKind::Secret, "z-secret"),
            ("beta", ObjectKind::Secret, "b-secret"),
            ("beta", ObjectKind::Certificate, "site"),
        ],
        "soonest first; equal expiries by vault, kind (key before secret) and name; the certificate's own key and secret, \
         objects past the window or without an expiry, and an older version's expiry are left out"
    );
    let expired = &report.items[0];
    assert_eq!(expired.days_left, -2, "an expired object has negative days left");
    assert!(!expired.enabled, "and is listed although disabled");
    assert!(report.unreadable.is_empty(), "the owner reads everything: {:?}", report.unreadable);
    assert!(report.items.iter().all(|i| i.expires <= report.horizon), "nothing after the window's end");
    assert_eq!(report.horizon - report.now, chrono::Duration::days(40), "the window runs from the report's one reading of the clock");

    let wider = w.core.expiring_soon(&w.owner, days(100)).await.expect("a wider window");
    assert!(
        wider.items.iter().any(|i| i.name == "next-quarter" && i.days_left == 90),
        "a secret 90 days out enters a 100-day window: {:?}",
        wider.items
    );
    let huge = w.core.expiring_soon(&w.owner, Duration::MAX).await.expect("a window past the end of time is capped, not an error");
    assert_eq!(huge.items.len(), wider.items.len(), "the capped window lists what the 100-day one does");
}
