//! "Expiring soon": the keys, secrets and certificates, across every vault the caller can list,
//! whose newest version expires within a window, and the vaults whose objects the caller could
//! not read.
//!
//! The report is a composition of the ordinary requests, each authorized and audited as it would
//! be alone: one vault listing (`VaultList`), then per vault one listing per object kind
//! (`KeyList`, `SecretList`, `CertificateList`). A listing the caller is refused (no list
//! permission, the vault's firewall) does not end the report: the refusal is kept, per vault
//! and kind, with its code and message, and its audit record is written like any refused
//! request's. A vault deleted while the report runs is left out. Any other failure (storage,
//! the access log) ends the report, since a partial answer would hide it. A caller who may not
//! list vaults at all gets that refusal: the report does not name vaults the caller cannot see.
//!
//! The rules: only each object's newest version counts; keys and secrets that a certificate
//! manages are left out (they expire with their certificate, which is listed); expired and
//! disabled objects are included; soonest first, then by vault, kind (key, secret, certificate)
//! and name. "Now" is read once, after taking in a clock shift made by another process.
//!
//! Left out: deleted objects (they are under the deleted-objects listings) and older versions.

use chrono::{DateTime, Utc};

use crate::model::Attributes;
use crate::{Error, ObjectKind, RequestContext, Result, Vaultmort};

/// An object whose newest version expires within the window (or has expired).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringItem {
    /// The vault it is in.
    pub vault: String,
    /// Key, secret or certificate.
    pub kind: ObjectKind,
    /// Its name.
    pub name: String,
    /// Whether its newest version is enabled.
    pub enabled: bool,
    /// When its newest version expires.
    pub expires: DateTime<Utc>,
    /// Whole days from the report's `now` to `expires`, rounded toward zero; negative once
    /// expired.
    pub days_left: i64,
}

/// A kind of object the caller could not list in a vault, and why.
#[derive(Debug)]
pub struct CollectionRefusal {
    /// Keys, secrets or certificates.
    pub kind: ObjectKind,
    /// The refusal the listing got (`Forbidden`, `ForbiddenByFirewall`).
    pub error: Error,
}

/// A vault the caller can see but could not read (all of it, or some kinds of object).
#[derive(Debug)]
pub struct UnreadableVault {
    /// The vault's name.
    pub vault: String,
    /// One refusal per kind of object that could not be listed, in the order key, secret,
    /// certificate.
    pub refusals: Vec<CollectionRefusal>,
}

/// What expires soon, and what could not be read.
#[derive(Debug)]
pub struct ExpiringReport {
    /// The installation's time the report was made at.
    pub now: DateTime<Utc>,
    /// The end of the window: objects expiring at or before it are listed.
    pub horizon: DateTime<Utc>,
    /// The objects, soonest first.
    pub items: Vec<ExpiringItem>,
    /// The vaults (in the order of the vault listing) with kinds the caller may not list.
    pub unreadable: Vec<UnreadableVault>,
}

/// The kinds in the report's order.
const KINDS: [ObjectKind; 3] = [ObjectKind::Key, ObjectKind::Secret, ObjectKind::Certificate];

/// A kind's place in the report's tie order.
fn kind_rank(kind: ObjectKind) -> usize {
    KINDS.iter().position(|k| *k == kind).unwrap_or(KINDS.len())
}

/// Whether a listing's failure is about the caller's access to that vault (kept in the report)
/// rather than a failure of the installation (which ends it).
fn is_refusal(error: &Error) -> bool {
    matches!(error.code(), "Forbidden" | "ForbiddenByFirewall")
}

/// Whole days from `now` to `then`, rounded toward zero.
fn days_between(now: DateTime<Utc>, then: DateTime<Utc>) -> i64 {
    (then - now).num_days()
}

impl Vaultmort {
    /// Lists what expires within `within` of now (by the installation's clock) in every vault the
    /// caller can list, and names the vaults whose keys, secrets or certificates it may not list.
    pub async fn expiring_soon(&self, ctx: &RequestContext, within: std::time::Duration) -> Result<ExpiringReport> {
        // The clock is read once, before any listing: first take in a shift made elsewhere.
        self.catch_up().await?;
        let now = self.clock.now();
        let horizon = chrono::Duration::from_std(within).ok().and_then(|w| now.checked_add_signed(w)).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut items = Vec::new();
        let mut unreadable = Vec::new();
        for vault in self.list_vaults(ctx, None).await? {
            let mut refusals = Vec::new();
            for kind in KINDS {
                let objects = match self.newest_unmanaged(ctx, &vault.name, kind).await {
                    Ok(objects) => objects,
                    Err(error) if is_refusal(&error) => {
                        refusals.push(CollectionRefusal { kind, error });
                        continue;
                    }
                    // Deleted since the vault listing: nothing in it expires any more.
                    Err(Error::VaultNotFound(_)) => break,
                    Err(error) => return Err(error),
                };
                for (name, attributes) in objects {
                    let Some(expires) = attributes.expires.filter(|expires| *expires <= horizon) else { continue };
                    let days_left = days_between(now, expires);
                    items.push(ExpiringItem { vault: vault.name.clone(), kind, name, enabled: attributes.enabled, expires, days_left });
                }
            }
            if !refusals.is_empty() {
                unreadable.push(UnreadableVault { vault: vault.name, refusals });
            }
        }
        items.sort_by(|a, b| (a.expires, &a.vault, kind_rank(a.kind), &a.name).cmp(&(b.expires, &b.vault, kind_rank(b.kind), &b.name)));
        Ok(ExpiringReport { now, horizon, items, unreadable })
    }

    /// The name and attributes of the newest version of each object of `kind` in `vault`,
    /// leaving out keys and secrets a certificate manages; one ordinary listing request.
    async fn newest_unmanaged(&self, ctx: &RequestContext, vault: &str, kind: ObjectKind) -> Result<Vec<(String, Attributes)>> {
        Ok(match kind {
            ObjectKind::Key => {
                self.list_keys(ctx, vault).await?.into_iter().filter(|k| !k.managed).map(|k| (k.id.name, k.attributes)).collect()
            }
            ObjectKind::Secret => {
                self.list_secrets(ctx, vault).await?.into_iter().filter(|s| !s.managed).map(|s| (s.id.name, s.attributes)).collect()
            }
            ObjectKind::Certificate => self.list_certificates(ctx, vault).await?.into_iter().map(|c| (c.id.name, c.attributes)).collect(),
        })
    }
}
