//! Keys, secrets and certificates end to end in the core, with no door in between: each test
//! opens a throwaway home (a real SQLite store in a temporary folder, protected by the test
//! passphrase) and calls `Vaultmort`'s methods as the local owner. openssl is the independent
//! referee of every key, signature, ciphertext, certificate and PFX. The CLI's own tests keep
//! what is the CLI's (flags, output shapes, exit codes, files).
//!
//! Modules: `secrets`, `keys`, `certificates` (with the objects a certificate manages),
//! `soft_delete` and `backup`; `support` holds the assertions they share.

mod support;

mod backup;
mod certificates;
mod keys;
mod secrets;
mod soft_delete;
