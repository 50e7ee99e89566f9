//! What crosses the IPC boundary: the command inputs and views, shaped for the UI.
//!
//! These are the app's own types, not the core's: names in camelCase, dates as ISO-8601 strings
//! (UTC, whole seconds), bytes as base64, numbers that fit a JavaScript number (specta refuses
//! 64-bit integers). Each view is built from the core's type in one `From`/constructor here, so
//! the command functions stay one-liners. Inputs only deserialize and views only serialize. An
//! `Option` is `T | null` in TypeScript: a key always present in views, which inputs may also
//! leave out. Left out: secret values in list views (only `reveal_secret` returns a value) and
//! private key material (the core never returns it).
//!
//! One file per command module (`commands/<name>.rs` has its shapes in `dto/<name>.rs`); what
//! several share (times, attributes, the object kind, a saved file) is here.

mod access;
mod app_service;
mod byok;
mod certificates;
mod deleted;
mod expiry;
mod groups;
mod hsm;
mod keys;
mod rest_api;
mod secrets;
mod session;
mod vaults;

pub use access::*;
pub use app_service::*;
pub use byok::*;
pub use certificates::*;
pub use deleted::*;
pub use expiry::*;
pub use groups::*;
pub use hsm::*;
pub use keys::*;
pub use rest_api::*;
pub use secrets::*;
pub use session::*;
pub use vaults::*;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;
use vaultmort_core::ObjectKind;
use vaultmort_core::address::vault_url;
use vaultmort_core::objects::ObjectId;

/// An ISO-8601 UTC time, `2026-11-29T10:00:00Z`.
pub(crate) fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn object_url(id: &ObjectId) -> String {
    id.url(&vault_url(&id.vault))
}

/// Which kind of object an expiry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKindName {
    /// A key.
    Key,
    /// A secret.
    Secret,
    /// A certificate.
    Certificate,
}

impl From<ObjectKindName> for ObjectKind {
    fn from(kind: ObjectKindName) -> Self {
        match kind {
            ObjectKindName::Key => ObjectKind::Key,
            ObjectKindName::Secret => ObjectKind::Secret,
            ObjectKindName::Certificate => ObjectKind::Certificate,
        }
    }
}

impl From<ObjectKind> for ObjectKindName {
    fn from(kind: ObjectKind) -> Self {
        match kind {
            ObjectKind::Key => ObjectKindName::Key,
            ObjectKind::Secret => ObjectKindName::Secret,
            ObjectKind::Certificate => ObjectKindName::Certificate,
        }
    }
}

/// Parses an optional ISO-8601 time from the UI (`2026-11-29T10:00:00Z` or with an offset).
pub(crate) fn parse_time(field: &str, text: Option<&str>) -> Result<Option<DateTime<Utc>>, crate::CommandError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    DateTime::parse_from_rfc3339(text).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
        crate::CommandError::bad_parameter(format!("the {field} '{text}' is not a date and time such as 2026-12-31T23:59:00Z"))
    })
}

/// A version's editable attributes, as the edit form sends them: the whole desired state (a
/// null date clears it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AttributesInput {
    /// Whether the version may be used.
    pub enabled: bool,
    /// Activation date, or null for none.
    pub not_before: Option<String>,
    /// Expiry, or null for none.
    pub expires: Option<String>,
}

impl AttributesInput {
    /// The core's change set: every attribute set to the form's value.
    pub(crate) fn changes(&self) -> Result<vaultmort_core::model::AttributeChanges, crate::CommandError> {
        Ok(vaultmort_core::model::AttributeChanges {
            enabled: Some(self.enabled),
            not_before: Some(parse_time("activation date", self.not_before.as_deref())?),
            expires: Some(parse_time("expiry", self.expires.as_deref())?),
            tags: None,
        })
    }
}

/// Where a download went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SavedFile {
    /// The file written.
    pub path: String,
    /// How many bytes.
    pub bytes: u32,
}
