//! Two processes over one store agree at once on what each keeps in memory: the clock's shift
//! and practice throttling. Regression, issue 11 point 2: a running server did not see the
//! CLI's `clock shift` (tokens outlived their expiry, writes were stamped with the old time).

use chrono::{Duration, Utc};
use vaultmort_core::secrets::SetSecret;
use vaultmort_core::vaults::UpdateVault;

use crate::support::World;

/// How far apart two readings of the clock may be in these tests: they run within seconds.
const SLACK_SECONDS: i64 = 60;

#[tokio::test]
async fn a_clock_shift_by_another_process_counts_from_the_next_request_on() {
    let world = World::new().await;
    world.vault("shared", false).await;
    let server = &world.core;
    let cli = world.second_process().await;

    cli.shift_clock(&world.owner, Duration::days(2)).await.expect("the second process shifts the clock");
    // The first process makes a request without being told anything else.
    let bundle = server.set_secret(&world.owner, "shared", SetSecret::new("stamped", "value")).await.expect("a write");
    let expected = Utc::now() + Duration::days(2);
    assert!(
        (bundle.attributes.created - expected).num_seconds().abs() < SLACK_SECONDS,
        "a write right after another process's shift is stamped with the shifted time: created {}, expected about {expected}",
        bundle.attributes.created
    );
    assert_eq!(server.clock().offset(), Duration::days(2), "the first process's clock carries the new shift");

    // A shift made from stale memory adds to what is stored, not to what that process last saw.
    server.shift_clock(&world.owner, Duration::hours(1)).await.expect("the first process shifts too");
    let total = cli.shift_clock(&world.owner, Duration::hours(1)).await.expect("the second shifts again");
    assert_eq!(total, Duration::days(2) + Duration::hours(2), "both shifts count, whichever process made them");

    cli.reset_clock(&world.owner).await.expect("the second process resets the clock");
    server.catch_up().await.expect("the first process catches up");
    assert_eq!(server.clock().offset(), Duration::zero(), "a reset elsewhere is seen too");
}

#[tokio::test]
async fn practice_throttling_switched_by_another_process_is_seen_at_once() {
    let world = World::new().await;
    world.vault("throttled", false).await;
    let server = &world.core;
    let cli = world.second_process().await;
    assert!(!server.practice_throttling("throttled"), "a new vault is not throttled");

    let on = UpdateVault { practice_throttling: Some(true), ..UpdateVault::default() };
    cli.update_vault(&world.owner, "throttled", on).await.expect("the second process switches throttling on");
    server.catch_up().await.expect("the first process catches up");
    assert!(server.practice_throttling("throttled"), "the switch made elsewhere is on here as well");

    cli.delete_vault(&world.owner, "throttled").await.expect("the second process deletes the vault");
    server.catch_up().await.expect("the first process catches up");
    assert!(!server.practice_throttling("throttled"), "a vault deleted elsewhere is no longer throttled here");
}
