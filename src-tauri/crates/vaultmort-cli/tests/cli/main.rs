//! Black-box tests of the `vaultmort` binary, one module per command area. Every test works in
//! its own temporary home with a passphrase-protected store (the keyring tests use a private
//! D-Bus session), never the user's data or keyring. openssl is the independent referee for
//! keys, signatures and ciphertexts.

mod support;

mod access;
mod appservice;
mod at_rest;
mod backup;
mod bad_input;
mod beside_server;
mod byok;
mod certificate_files;
mod certificates;
mod dns;
mod docs;
mod hsm;
mod keys;
mod managed;
mod openssl_referee;
mod secrets;
mod seed;
mod serve;
mod setup_client;
mod soft_delete;
mod vaults;
mod webapp;
