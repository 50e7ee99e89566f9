//! Desktop notifications from the certificate scheduler (`AppState::run_scheduler_once` with a
//! `RecordingNotifier`).
//!
//! The installation's clock is moved the way `vaultmort clock shift` does it, through the core of
//! a second opening of the same home while the app is closed (the app reads the shift when it
//! opens the store), so that no production command is needed for it.

use std::sync::Arc;

use chrono::Duration;
use vaultmort_core::{Door, RequestContext};
use vaultmort_desktop::notices::RecordingNotifier;
use vaultmort_home::{HomeOptions, KeySourceChoice};
use zeroize::Zeroizing;

use crate::support::{PASSPHRASE, TestApp};

/// Moves the clock of the store in `home` by `days`, as `vaultmort clock shift` does.
fn shift_clock(home: &std::path::Path, days: i64) {
    tauri::async_runtime::block_on(async {
        let options = HomeOptions {
            home: Some(home.to_path_buf()),
            key_source: KeySourceChoice::Passphrase,
            passphrase: Some(Zeroizing::new(PASSPHRASE.to_string())),
            prompt: None,
        };
        let opened = vaultmort_home::open(options).await.expect("the test passphrase opens the home");
        opened
            .core
            .shift_clock(&RequestContext::local_owner(Door::Cli), Duration::days(days))
            .await
            .expect("the owner may shift the clock");
    });
}

#[test]
fn a_certificate_near_expiry_is_notified_once() {
    let first = TestApp::unlocked();
    first.vault("notice-kv");
    first.self_signed("notice-kv", "soon", 1);
    let home = first.close();
    // Five days on, a one-month certificate has less than 30 days left (Key Vault's
    // CertificateNearExpiry) and is far from its 80 % renewal.
    shift_clock(home.path(), 5);

    let app = TestApp::on_home(home, |state| state);
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
