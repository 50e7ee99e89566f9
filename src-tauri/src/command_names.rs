// The one list of the app's IPC commands, shared by the library and the build script (which
// `include!`s this file, so it holds no inner attributes or `use`s).

/// Every command the web UI may invoke, by its IPC name. The build script turns each into the
/// permissions `allow-<name>` / `deny-<name>` (underscores become hyphens) and, because the list is
/// set, switches on ACL checks for app commands: a command no capability grants is refused.
/// Tests keep it equal to the commands registered in `specta_builder` and to the grants in
/// `capabilities/default.json`.
pub const COMMANDS: &[&str] = &[
    "session_status",
    "unlock",
    "list_groups",
    "create_group",
    "check_vault_name",
    "list_vaults",
    "create_vault",
    "list_secrets",
    "set_secret",
    "reveal_secret",
    "delete_secret",
    "list_deleted_secrets",
    "recover_secret",
    "list_keys",
    "create_key",
    "sign_digest",
    "verify_digest",
    "list_certificates",
    "create_self_signed_certificate",
    "expiring_soon",
];
