//! The IPC commands: thin adapters that turn UI input into a core request made as the signed-in
//! principal (the local owner by default) through the desktop door, and the core's answer into a
//! view from [`crate::dto`].
//!
//! Every command is `async` and returns `Result<_, CommandError>`. Data commands fail with
//! `Locked` until the store is unlocked (see [`session`]). No business rule lives here: names,
//! sizes, algorithms and dates are checked by the core, which also authorizes and audits each
//! request. Each module mirrors a view of the UI.

pub mod access;
pub mod app_service;
pub mod byok;
pub mod certificates;
pub mod deleted;
pub mod expiry;
pub mod groups;
pub mod hsm;
pub mod keys;
pub mod rest_api;
pub mod secrets;
pub mod session;
pub mod vaults;
