//! The Expiring soon report (`commands::expiry`), with the vaults the caller could not read.

use super::{ObjectKindName, iso};
use serde::Serialize;
use specta::Type;

/// An object whose newest version expires soon (or has expired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringItem {
    /// The vault it is in.
    pub vault: String,
    /// Key, secret or certificate.
    pub kind: ObjectKindName,
    /// Its name.
    pub name: String,
    /// Its expiry.
    pub expires: String,
    /// Whole days from now (the installation's clock) to the expiry; negative once expired.
    pub days_left: i32,
}

impl From<vaultmort_core::expiring::ExpiringItem> for ExpiringItem {
    fn from(item: vaultmort_core::expiring::ExpiringItem) -> Self {
        Self {
            vault: item.vault,
            kind: item.kind.into(),
            name: item.name,
            expires: iso(item.expires),
            // Clamped to what an `i32` holds: only a date millions of years away is cut short.
            days_left: i32::try_from(item.days_left).unwrap_or(if item.days_left < 0 { i32::MIN } else { i32::MAX }),
        }
    }
}

/// A kind of object the caller may not list in a vault, and the refusal it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CollectionRefusalView {
    /// Keys, secrets or certificates.
    pub kind: ObjectKindName,
    /// The refusal, as any failed command reports it.
    pub error: crate::CommandError,
}

/// A vault the caller can see but could not read, wholly or in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnreadableVaultView {
    /// The vault's name.
    pub vault: String,
    /// One refusal per kind of object that could not be listed.
    pub refusals: Vec<CollectionRefusalView>,
}

/// What `expiring_soon` returns: the objects, soonest first, and the vaults it could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringReportView {
    /// Objects whose newest version expires within the window (or has expired), soonest first.
    pub items: Vec<ExpiringItem>,
    /// Vaults whose keys, secrets or certificates the signed-in principal may not list.
    pub unreadable: Vec<UnreadableVaultView>,
}

impl From<vaultmort_core::expiring::ExpiringReport> for ExpiringReportView {
    fn from(report: vaultmort_core::expiring::ExpiringReport) -> Self {
        let unreadable = report.unreadable.into_iter().map(|vault| UnreadableVaultView {
            vault: vault.vault,
            refusals: vault
                .refusals
                .into_iter()
                .map(|refusal| CollectionRefusalView { kind: refusal.kind.into(), error: refusal.error.into() })
                .collect(),
        });
        Self { items: report.items.into_iter().map(ExpiringItem::from).collect(), unreadable: unreadable.collect() }
    }
}
