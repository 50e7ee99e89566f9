//! Desktop notifications from the certificate scheduler (`AppState::run_scheduler_once` with a
//! `RecordingNotifier`).
//!
//! The installation's clock is moved the way `vaultmort clock shift` does it, through the core of
//! a second opening of the same home while the app is closed (the app reads the shift when it
//! opens the store), so that no production command is needed for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use vaultmort_core::{Door, RequestContext};
use vaultmort_desktop::notices::RecordingNotifier;
use vaultmort_test_support::home::TestHome;

use crate::support::TestApp;

/// Opens the store in `home` a second time (the app closed) and hands its core to `work`.
fn with_core<F: std::future::Future<Output = ()>>(home: &TestHome, work: impl FnOnce(Arc<vaultmort_core::Vaultmort>) -> F) {
    tauri::async_runtime::block_on(async {
        let opened = home.open().await.expect("the test passphrase opens the home");
        work(opened.core.clone()).await;
    });
}

/// Opens the app on `home` with a recording notifier plugged in before the unlock (so the
/// scheduler loop started at unlock reports to it), and waits up to 20 s for a notice titled
/// `title`. Returns the app, the notifier and the notices with that title.
fn unlock_and_wait_for(home: TestHome, title: &str) -> (TestApp, Arc<RecordingNotifier>, Vec<vaultmort_desktop::notices::Notice>) {
    let app = TestApp::on_home(home, |state| state);
    let notifier = Arc::new(RecordingNotifier::default());
    app.state().set_notifier(notifier.clone());
    app.unlock();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !notifier.shown().iter().any(|n| n.title == title) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let titled = notifier.shown().into_iter().filter(|n| n.title == title).collect();
    (app, notifier, titled)
}

/// Moves the clock of the store in `home` by `days`, as `vaultmort clock shift` does.
fn shift_clock(home: &TestHome, days: i64) {
    with_core(home, |core| async move {
        core.shift_clock(&RequestContext::local_owner(Door::Cli), Days::days(days)).await.expect("the owner may shift the clock");
    });
}

/// A home with a one-month self-signed certificate 'soon' in vault 'notice-kv', and the clock
/// five days on: then it has less than 30 days left (Key Vault's CertificateNearExpiry) and is
/// far from its renewal at 80 % of the lifetime.
fn home_with_a_certificate_near_expiry() -> TestHome {
    let first = TestApp::unlocked();
    first.vault("notice-kv");
    first.self_signed("notice-kv", "soon", 1);
    let home = first.close();
    shift_clock(&home, 5);
    home
}

#[test]
fn a_certificate_near_expiry_is_notified_once() {
    let app = TestApp::on_home(home_with_a_certificate_near_expiry(), |state| state);
    app.unlock();
    // Plugged in after the unlock, so that the app's own scheduler loop (started at unlock when
    // there is a notifier) does not race the test's runs; the notices come from the same pass.
    let notifier = Arc::new(RecordingNotifier::default());
    app.state().set_notifier(notifier.clone());

    let shown = tauri::async_runtime::block_on(app.state().run_scheduler_once()).expect("the scheduler runs");
    let titles: Vec<&str> = shown.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["Certificate expires soon"], "the near-expiry event of the unlock's run must reach the person: {shown:?}");
    assert!(shown[0].body.contains("'soon' in vault 'notice-kv'"), "the notice names the certificate and vault: {shown:?}");
    assert_eq!(notifier.shown(), shown, "what the pass returns is what the notifier showed");

    let again = tauri::async_runtime::block_on(app.state().run_scheduler_once()).expect("the scheduler runs");
    assert_eq!(again, [], "an event is notified once, not on every run");
    assert_eq!(notifier.shown().len(), 1, "nothing new was shown");
}

#[test]
fn the_scheduler_loop_started_at_unlock_notifies_by_itself() {
    let app = TestApp::on_home(home_with_a_certificate_near_expiry(), |state| state);
    // As the app does in `setup`: the notifier is there before the unlock, so the unlock starts
    // the scheduler loop, whose first pass runs at once.
    let notifier = Arc::new(RecordingNotifier::default());
    app.state().set_notifier(notifier.clone());
    app.unlock();
    let deadline = Instant::now() + Duration::from_secs(20);
    while notifier.shown().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let shown = notifier.shown();
    assert_eq!(shown.len(), 1, "the loop's first pass must notify without anyone calling it: {shown:?}");
    assert_eq!(shown[0].title, "Certificate expires soon", "{shown:?}");
    // Let that pass record the event as seen (it does so right after notifying).
    std::thread::sleep(Duration::from_millis(200));
    let again = tauri::async_runtime::block_on(app.state().run_scheduler_once()).expect("the scheduler runs");
    assert_eq!(again, [], "what the loop showed is not shown again by a later pass");
}

#[test]
fn a_renewal_by_the_lifetime_action_is_notified() {
    // A one-month certificate renews at 80 % of its lifetime (the desktop's default policy):
    // 25 days on, the scheduler renews it, and the person hears of it once.
    let first = TestApp::unlocked();
    first.vault("notice-kv");
    first.self_signed("notice-kv", "renews", 1);
    let home = first.close();
    shift_clock(&home, 25);
    let (app, notifier, renewed) = unlock_and_wait_for(home, "Certificate renewed");
    assert_eq!(renewed.len(), 1, "the renewal made at unlock is announced once: {:?}", notifier.shown());
    assert!(renewed[0].body.contains("'renews' in vault 'notice-kv'"), "{renewed:?}");
    let versions = app.ok("list_certificate_versions", serde_json::json!({ "vault": "notice-kv", "name": "renews" }));
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "and the certificate has its new version: {versions}");
}

#[test]
fn a_rotation_by_the_key_rotation_policy_is_notified() {
    // A key whose policy rotates it 30 days after creation, and the clock 31 days on: the
    // scheduler pass at unlock rotates it, and the person hears of it once.
    let first = TestApp::unlocked();
    first.vault("notice-kv");
    let home = first.close();
    with_core(&home, |core| async move {
        let owner = RequestContext::local_owner(Door::Cli);
        let key = vaultmort_core::keys::CreateKey::new("rotating", vaultmort_crypto::KeyType::Ec);
        core.create_key(&owner, "notice-kv", key).await.expect("the owner creates a key");
        let wire = serde_json::json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P30D"}, "action": {"type": "Rotate"}}]});
        let policy = vaultmort_core::rotation::RotationPolicy::from_wire(wire).expect("a well-formed policy");
        core.set_key_rotation_policy(&owner, "notice-kv", "rotating", policy).await.expect("the owner sets the policy");
    });
    shift_clock(&home, 31);
    let (app, notifier, rotated) = unlock_and_wait_for(home, "Key rotated");
    assert_eq!(rotated.len(), 1, "the rotation made at unlock is announced once: {:?}", notifier.shown());
    assert!(rotated[0].body.contains("'rotating' in vault 'notice-kv'"), "{rotated:?}");
    let versions = app.ok("list_key_versions", serde_json::json!({ "vault": "notice-kv", "name": "rotating" }));
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "and the key has its new version: {versions}");
}
