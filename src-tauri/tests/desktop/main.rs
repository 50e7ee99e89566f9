//! Tests of the desktop app, on Tauri's mock runtime: the real configuration and capabilities
//! (`generate_context!`), real IPC requests, and a throwaway passphrase-protected home per test.
//! No window, display or keyring is needed.
//!
//! Modules mirror `src/`: `bindings` (the TypeScript export in `lib.rs`), `command_names` (the
//! command list against the capability and the ACL), `commands/*` (one per command module), `error`
//! (the command error against the REST API's), and
//! `support` (building the app and invoking commands).

mod bindings;
mod command_names;
mod commands;
mod error;
mod support;
