//! The key and secret of a certificate are managed by it: the key and secret commands refuse to
//! change them, while the certificate commands carry them through delete and recover.

use crate::support::TestHome;

fn home_with_certificate() -> TestHome {
    let home = TestHome::with_vault("managed-kv");
    let policy = home.scratch("policy.json");
    let default = home.ok(&["keyvault", "certificate", "get-default-policy"]);
    std::fs::write(&policy, default.to_string()).expect("write the policy");
    let op = home.ok(&[
        "keyvault",
        "certificate",
        "create",
        "--vault-name",
        "managed-kv",
        "--name",
        "site",
        "--policy",
        &format!("@{}", policy.display()),
    ]);
    assert_eq!(op["status"], "completed", "a Self certificate is issued at once");
    home
}

#[test]
fn key_and_secret_commands_refuse_to_change_a_certificates_objects() {
    let home = home_with_certificate();
    let cases: [&[&str]; 5] = [
        &["keyvault", "secret", "set", "--vault-name", "managed-kv", "--name", "site", "--value", "x"],
        &["keyvault", "secret", "delete", "--vault-name", "managed-kv", "--name", "site"],
        &["keyvault", "key", "create", "--vault-name", "managed-kv", "--name", "site"],
        &["keyvault", "key", "delete", "--vault-name", "managed-kv", "--name", "site"],
        &["keyvault", "key", "set-attributes", "--vault-name", "managed-kv", "--name", "site", "--enabled", "false"],
    ];
    for args in cases {
        let failure = home.fails(args);
        assert_eq!(failure.code, "BadParameter", "`{}` must be refused", args.join(" "));
        assert!(failure.stderr.contains("managed by certificate 'site'"), "the message names the certificate: {}", failure.stderr);
    }
    let key = home.ok(&["keyvault", "key", "show", "--vault-name", "managed-kv", "--name", "site"]);
    assert_eq!(key["attributes"]["enabled"], true, "the refused set-attributes changed nothing");
    assert_eq!(key["managed"], true, "the key says it is managed");
}

#[test]
fn deleting_and_recovering_the_certificate_carries_key_and_secret() {
    let home = home_with_certificate();
    home.ok(&["keyvault", "certificate", "delete", "--vault-name", "managed-kv", "--name", "site"]);
    assert_eq!(home.fails(&["keyvault", "key", "show", "--vault-name", "managed-kv", "--name", "site"]).code, "KeyNotFound");
    assert_eq!(home.fails(&["keyvault", "secret", "show", "--vault-name", "managed-kv", "--name", "site"]).code, "SecretNotFound");
    let deleted_key = home.ok(&["keyvault", "key", "show-deleted", "--vault-name", "managed-kv", "--name", "site"]);
    assert!(deleted_key["recoveryId"].as_str().is_some_and(|id| id.ends_with("/deletedkeys/site")), "the key is in the deleted state");
    home.ok(&["keyvault", "certificate", "recover", "--vault-name", "managed-kv", "--name", "site"]);
    home.ok(&["keyvault", "key", "show", "--vault-name", "managed-kv", "--name", "site"]);
    home.ok(&["keyvault", "secret", "show", "--vault-name", "managed-kv", "--name", "site"]);
}
