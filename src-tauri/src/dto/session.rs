//! The session's shape: whether the store is open and what the UI must ask for (`commands::session`).

use serde::Serialize;
use specta::Type;

/// Whether the store is open, and if not, what the UI must ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    /// The store is open: data commands work.
    pub unlocked: bool,
    /// The store is under a passphrase and waits for `unlock`.
    pub needs_passphrase: bool,
    /// There is no store yet: `unlock` creates it with the passphrase given (ask twice, compare).
    pub first_run: bool,
    /// The home folder, to show the person where their data lives.
    pub home: String,
}
