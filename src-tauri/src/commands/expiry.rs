//! What expires soon, across every vault: the overview's reminder list.
//!
//! A read-only composition of the core's list operations (each authorized and audited as usual).
//! Keys and secrets that a certificate manages are left out: they expire with their certificate,
//! which is listed.

use chrono::{DateTime, Duration, Utc};
use tauri::State;
use vaultmort_core::model::Attributes;

use crate::dto::{ExpiringItem, ObjectKindName, iso};
use crate::error::CommandError;
use crate::state::AppState;

/// Lists the keys, secrets and certificates whose newest version expires within `withinDays`
/// of now by the installation's (shiftable) clock, soonest first. Already expired ones are
/// included, with a negative `daysLeft`; disabled ones too.
#[tauri::command]
#[specta::specta]
pub async fn expiring_soon(state: State<'_, AppState>, within_days: u32) -> Result<Vec<ExpiringItem>, CommandError> {
    let core = state.core()?;
    let ctx = state.caller();
    // The clock is read here, before any operation: first take in a shift made by the CLI.
    core.catch_up().await?;
    let now = core.clock().now();
    let horizon = now + Duration::days(i64::from(within_days));
    let mut found = Vec::new();
    for vault in core.list_vaults(&ctx, None).await? {
        let vault = vault.name;
        let keys = core.list_keys(&ctx, &vault).await?.into_iter().filter(|k| !k.managed).map(|k| (k.id.name, k.attributes));
        let keys = keys.map(|(name, attributes)| (ObjectKindName::Key, name, attributes));
        let secrets = core.list_secrets(&ctx, &vault).await?.into_iter().filter(|s| !s.managed);
        let secrets = secrets.map(|s| (ObjectKindName::Secret, s.id.name, s.attributes));
        let certificates = core.list_certificates(&ctx, &vault).await?.into_iter();
        let certificates = certificates.map(|c| (ObjectKindName::Certificate, c.id.name, c.attributes));
        for (kind, name, attributes) in keys.chain(secrets).chain(certificates) {
            if let Some(expires) = expires_by(&attributes, horizon) {
                found.push((
                    expires,
                    ExpiringItem { vault: vault.clone(), kind, name, expires: iso(expires), days_left: days_between(now, expires) },
                ));
            }
        }
    }
    found.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| (&x.vault, x.kind, &x.name).cmp(&(&y.vault, y.kind, &y.name))));
    Ok(found.into_iter().map(|(_, item)| item).collect())
}

/// The expiry, when there is one no later than `horizon`.
fn expires_by(attributes: &Attributes, horizon: DateTime<Utc>) -> Option<DateTime<Utc>> {
    attributes.expires.filter(|expires| *expires <= horizon)
}

/// Whole days from `now` to `then` (rounded toward zero), clamped to what an `i32` holds.
fn days_between(now: DateTime<Utc>, then: DateTime<Utc>) -> i32 {
    let days = (then - now).num_days();
    i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX })
}
