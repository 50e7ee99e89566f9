//! Backup and restore of keys and secrets: a purged key or secret comes back from its blob with
//! every version (same ids, same public keys, same values) and a restored private key still
//! signs what openssl verifies against the public key downloaded before the backup. Restores
//! that collide with an existing or deleted object are conflicts; altered, truncated, empty,
//! random and other-tenant blobs are refused without changing the store; and a blob file holds
//! no plaintext material. Wrong-kind blobs and restores into another vault are the core's rules
//! alone, tested in vaultmort-core's `tests/objects/backup.rs`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{OpensslKey, TestHome, b64, openssl, openssl_ok, store_snapshot};

const VAULT: &str = "backup-vault";

fn path_text(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// The version segment at the end of an object id.
fn version_of(id: &Value) -> String {
    id.as_str().and_then(|id| id.rsplit('/').next()).unwrap_or_else(|| panic!("an object id ends with its version, got {id}")).to_string()
}

/// Backs up `kind` ("key" or "secret") `name` of `vault` to a new scratch file and returns its path.
fn backup(home: &TestHome, kind: &str, vault: &str, name: &str, file: &str) -> PathBuf {
    let path = home.scratch(file);
    let out = home.ok(&["keyvault", kind, "backup", "--vault-name", vault, "--name", name, "--file", path_text(&path)]);
    assert_eq!(out, Value::Null, "backup prints nothing; the blob goes to the file");
    path
}

fn restore_fails(home: &TestHome, kind: &str, vault: &str, file: &Path) -> crate::support::Failure {
    home.fails(&["keyvault", kind, "restore", "--vault-name", vault, "--file", path_text(file)])
}

fn delete_and_purge(home: &TestHome, kind: &str, vault: &str, name: &str) {
    home.ok(&["keyvault", kind, "delete", "--vault-name", vault, "--name", name]);
    home.ok(&["keyvault", kind, "purge", "--vault-name", vault, "--name", name]);
    let gone = home.fails(&["keyvault", kind, "show-deleted", "--vault-name", vault, "--name", name]);
    assert!(gone.code.ends_with("NotFound"), "after purge the {kind} is in no state at all: {}", gone.stderr);
}

/// The ids of a key's (`kid`) or secret's (`id`) versions, sorted.
fn version_ids(home: &TestHome, kind: &str, vault: &str, name: &str) -> Vec<String> {
    let field = if kind == "key" { "kid" } else { "id" };
    let mut ids: Vec<String> = home
        .ok(&["keyvault", kind, "list-versions", "--vault-name", vault, "--name", name])
        .as_array()
        .expect("list-versions prints an array")
        .iter()
        .map(|v| v[field].as_str().expect("every version has an id").to_string())
        .collect();
    ids.sort();
    ids
}

fn list(home: &TestHome, kind: &str, vault: &str) -> Value {
    home.ok(&["keyvault", kind, "list", "--vault-name", vault])
}

/// Signs SHA-256(`data`) with RS256 by key version `kid` and returns the signature bytes.
fn sign_rs256(home: &TestHome, kid: &str, data: &[u8]) -> Vec<u8> {
    let digest = openssl_ok(&["dgst", "-sha256", "-binary"], Some(data));
    let signed = home.ok(&["keyvault", "key", "sign", "--id", kid, "--algorithm", "RS256", "--digest", &b64(&digest)]);
    assert_eq!(signed["kid"], kid, "the signature is made by the version asked for");
    crate::support::unb64(signed["signature"].as_str().expect("sign returns a base64 signature"))
}

/// Whether openssl accepts `signature` over `data` as RS256 (PKCS#1 v1.5, SHA-256) by `pem`.
fn openssl_verifies(home: &TestHome, pem: &Path, data: &[u8], signature: &[u8], tag: &str) -> bool {
    let data_file = home.scratch(&format!("{tag}.data"));
    let sig_file = home.scratch(&format!("{tag}.sig"));
    std::fs::write(&data_file, data).expect("write the signed data");
    std::fs::write(&sig_file, signature).expect("write the signature");
    let out = openssl(&["dgst", "-sha256", "-verify", path_text(pem), "-signature", path_text(&sig_file), path_text(&data_file)], None);
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK")
}

/// Whether `needle` occurs anywhere in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn key_backup_purge_restore_round_trips_every_version() {
    let home = TestHome::with_vault(VAULT);
    let first = home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "signer", "--kty", "RSA", "--size", "2048"]);
    let second = home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "signer", "--kty", "RSA", "--size", "2048"]);
    let kids_before = version_ids(&home, "key", VAULT, "signer");
    assert_eq!(kids_before.len(), 2, "two creates make two versions");

    // The public keys as they were before the backup: JWK numbers and a PEM per version.
    let mut before = Vec::new();
    for (i, created) in [&first, &second].into_iter().enumerate() {
        let version = version_of(&created["key"]["kid"]);
        let pem = home.scratch(&format!("v{i}.pem"));
        home.ok(&[
            "keyvault",
            "key",
            "download",
            "--vault-name",
            VAULT,
            "--name",
            "signer",
            "--version",
            &version,
            "--file",
            path_text(&pem),
        ]);
        before.push((version, created["key"]["n"].clone(), created["key"]["e"].clone(), pem));
    }

    let blob = backup(&home, "key", VAULT, "signer", "signer.blob");
    delete_and_purge(&home, "key", VAULT, "signer");
    assert_eq!(
        home.fails(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "signer"]).code,
        "KeyNotFound",
        "the purged key is gone before the restore"
    );

    let restored = home.ok(&["keyvault", "key", "restore", "--vault-name", VAULT, "--file", path_text(&blob)]);
    assert_eq!(restored["key"]["kid"], second["key"]["kid"], "restore answers with the newest version, under its original id");
    assert_eq!(version_ids(&home, "key", VAULT, "signer"), kids_before, "every version comes back with its original version id");

    let data = b"signed after the restore".to_vec();
    for (i, (version, n, e, pem)) in before.iter().enumerate() {
        let shown = home.ok(&["keyvault", "key", "show", "--vault-name", VAULT, "--name", "signer", "--version", version]);
        assert_eq!(&shown["key"]["n"], n, "version {i} has the same RSA modulus after the restore");
        assert_eq!(&shown["key"]["e"], e, "version {i} has the same public exponent after the restore");
        let kid = shown["key"]["kid"].as_str().expect("kid");
        let signature = sign_rs256(&home, kid, &data);
        assert!(
            openssl_verifies(&home, pem, &data, &signature, &format!("restored-{i}")),
            "openssl verifies the restored version {i}'s RS256 signature against the PEM downloaded before the backup, \
             so the restored private key is the original"
        );
    }
    // The referee must be able to say no: version 1's signature is not valid under version 0's key.
    let newest_signature = sign_rs256(&home, second["key"]["kid"].as_str().expect("kid"), &data);
    assert!(
        !openssl_verifies(&home, &before[0].3, &data, &newest_signature, "cross"),
        "a signature by one version must not verify under another version's public key"
    );
}

#[test]
fn secret_backup_purge_restore_round_trips_every_version() {
    let home = TestHome::with_vault(VAULT);
    let values = ["first value", "second välue ✓", "third\nmulti-line value"];
    let mut ids = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let set = home.ok(&[
            "keyvault",
            "secret",
            "set",
            "--vault-name",
            VAULT,
            "--name",
            "kept",
            "--value",
            value,
            "--content-type",
            &format!("text/v{i}"),
            "--tags",
            &format!("n={i}"),
        ]);
        ids.push(version_of(&set["id"]));
    }
    let ids_before = version_ids(&home, "secret", VAULT, "kept");

    let blob = backup(&home, "secret", VAULT, "kept", "kept.blob");
    delete_and_purge(&home, "secret", VAULT, "kept");
    assert_eq!(list(&home, "secret", VAULT), serde_json::json!([]), "the purged secret is gone before the restore");

    let restored = home.ok(&["keyvault", "secret", "restore", "--vault-name", VAULT, "--file", path_text(&blob)]);
    assert_eq!(version_of(&restored["id"]), ids[2], "restore answers with the newest version");
    assert!(restored.get("value").is_none(), "restore does not echo the secret value: {restored}");
    assert_eq!(version_ids(&home, "secret", VAULT, "kept"), ids_before, "all three versions come back with their ids");
    for (i, (version, value)) in ids.iter().zip(values).enumerate() {
        let shown = home.ok(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "kept", "--version", version]);
        assert_eq!(shown["value"], value, "version {i} has its own value back");
        assert_eq!(shown["contentType"], format!("text/v{i}"), "version {i} keeps its content type");
        assert_eq!(shown["tags"]["n"], i.to_string(), "version {i} keeps its tags");
    }
    let newest = home.ok(&["keyvault", "secret", "show", "--vault-name", VAULT, "--name", "kept"]);
    assert_eq!(newest["value"], values[2], "the newest version is still the newest");
}

#[test]
fn restore_over_an_existing_or_deleted_object_is_a_conflict() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "EC"]);
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--value", "v"]);
    for (kind, name) in [("key", "k"), ("secret", "s")] {
        let blob = backup(&home, kind, VAULT, name, &format!("{kind}.blob"));
        let versions = version_ids(&home, kind, VAULT, name);

        let exists = restore_fails(&home, kind, VAULT, &blob);
        assert_eq!(exists.code, "Conflict: ObjectAlreadyExists", "a {kind} cannot be restored over an existing one: {}", exists.stderr);
        assert_eq!(version_ids(&home, kind, VAULT, name), versions, "the refused restore added no version to the {kind}");

        home.ok(&["keyvault", kind, "delete", "--vault-name", VAULT, "--name", name]);
        let deleted = restore_fails(&home, kind, VAULT, &blob);
        assert_eq!(
            deleted.code, "Conflict: ObjectIsDeletedButRecoverable",
            "a {kind} cannot be restored while one of that name is soft-deleted: {}",
            deleted.stderr
        );
        home.ok(&["keyvault", kind, "show-deleted", "--vault-name", VAULT, "--name", name]);
        assert_eq!(list(&home, kind, VAULT), serde_json::json!([]), "the refused restore did not bring the deleted {kind} back");
    }
}

#[test]
fn altered_truncated_empty_and_random_blobs_are_refused_without_change() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "EC"]);
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--value", "tamper target"]);
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "bystander", "--kty", "EC"]);

    for (kind, name) in [("key", "k"), ("secret", "s")] {
        let blob_path = backup(&home, kind, VAULT, name, &format!("{kind}.blob"));
        let blob = std::fs::read(&blob_path).expect("read the backup blob");
        assert!(blob.len() > 40, "a backup blob holds a header, a nonce, a payload and a tag; got {} bytes", blob.len());
        // Purge the original, so any accepted blob would visibly re-create it.
        delete_and_purge(&home, kind, VAULT, name);
        let list_before = list(&home, kind, VAULT);
        let snapshot_before = store_snapshot(&home);

        let mut bad: Vec<(String, Vec<u8>)> = Vec::new();
        for index in [0, 4, 5, blob.len() / 2, blob.len() - 1] {
            let mut altered = blob.clone();
            altered[index] ^= 0x01;
            bad.push((format!("byte {index} of {} flipped", blob.len()), altered));
        }
        bad.push(("the last byte cut off".into(), blob[..blob.len() - 1].to_vec()));
        bad.push(("cut in half".into(), blob[..blob.len() / 2].to_vec()));
        bad.push(("only the 5-byte header".into(), blob[..5].to_vec()));
        bad.push(("empty".into(), Vec::new()));
        bad.push(("random bytes".into(), openssl_ok(&["rand", "512"], None)));
        let mut headed = blob[..5].to_vec();
        headed.extend(openssl_ok(&["rand", &(blob.len() - 5).to_string()], None));
        bad.push(("the right header followed by random bytes".into(), headed));

        for (i, (what, bytes)) in bad.iter().enumerate() {
            let path = home.scratch(&format!("{kind}-bad-{i}.blob"));
            std::fs::write(&path, bytes).expect("write the damaged blob");
            let failure = restore_fails(&home, kind, VAULT, &path);
            assert_eq!(failure.code, "BadParameter", "a {kind} blob with {what} must be refused as bad input: {}", failure.stderr);
            assert_eq!(list(&home, kind, VAULT), list_before, "a refused {kind} blob ({what}) must not change the {kind} list");
        }
        assert_eq!(store_snapshot(&home), snapshot_before, "refused {kind} restores left every stored row as it was");

        // The intact blob still restores, so the refusals above were about the damage alone.
        home.ok(&["keyvault", kind, "restore", "--vault-name", VAULT, "--file", path_text(&blob_path)]);
        home.ok(&["keyvault", kind, "show", "--vault-name", VAULT, "--name", name]);
    }
}

#[test]
fn a_backup_from_another_home_does_not_restore() {
    let home = TestHome::with_vault(VAULT);
    home.ok(&["keyvault", "key", "create", "--vault-name", VAULT, "--name", "k", "--kty", "EC"]);
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "s", "--value", "v"]);
    let key_blob = backup(&home, "key", VAULT, "k", "k.blob");
    let secret_blob = backup(&home, "secret", VAULT, "s", "s.blob");

    // Another installation: another tenant and master key, same passphrase and vault name.
    let other = TestHome::with_vault(VAULT);
    let other_tenant = other.ok(&["keyvault", "show", "--name", VAULT])["properties"]["tenantId"].clone();
    let own_tenant = home.ok(&["keyvault", "show", "--name", VAULT])["properties"]["tenantId"].clone();
    assert_ne!(other_tenant, own_tenant, "each home is its own practice tenant");
    let snapshot = store_snapshot(&other);
    for (kind, blob) in [("key", &key_blob), ("secret", &secret_blob)] {
        let failure = restore_fails(&other, kind, VAULT, blob);
        assert_eq!(
            failure.code, "BadParameter",
            "a {kind} backup is bound to its tenant and must not restore elsewhere: {}",
            failure.stderr
        );
        assert_eq!(list(&other, kind, VAULT), serde_json::json!([]), "the other home gained no {kind}");
    }
    assert_eq!(store_snapshot(&other), snapshot, "refused foreign restores changed nothing in the other home");
}

#[test]
fn backup_blobs_hold_no_plaintext() {
    let home = TestHome::with_vault(VAULT);
    let value = "Plaintext-Canary-7f3c9e21-must-never-appear";
    home.ok(&["keyvault", "secret", "set", "--vault-name", VAULT, "--name", "canary", "--value", value]);
    let secret_blob = std::fs::read(backup(&home, "secret", VAULT, "canary", "canary.blob")).expect("read the secret blob");

    // A key whose private numbers the test knows, because openssl made it.
    let private = OpensslKey::rsa(2048);
    let jwk_file = home.scratch("imported.jwk");
    std::fs::write(&jwk_file, serde_json::to_vec(&private.jwk).expect("JWK to JSON")).expect("write the JWK");
    home.ok(&["keyvault", "key", "import", "--vault-name", VAULT, "--name", "imported", "--file", path_text(&jwk_file)]);
    let key_blob = std::fs::read(backup(&home, "key", VAULT, "imported", "imported.blob")).expect("read the key blob");

    for (what, blob) in [("secret", &secret_blob), ("key", &key_blob)] {
        assert_eq!(&blob[..5], b"VMBK\x01", "a {what} blob starts with the Vaultmort backup header and format 1");
        for marker in [&b"BEGIN"[..], b"PRIVATE", b"tenant_id", b"versions", b"material"] {
            assert!(!contains(blob, marker), "the {what} blob must be sealed: '{}' appears in plaintext", String::from_utf8_lossy(marker));
        }
    }
    assert!(!contains(&secret_blob, value.as_bytes()), "the secret value must not appear in the blob");
    assert!(!contains(&secret_blob, b64(value.as_bytes()).as_bytes()), "nor its base64");
    assert!(!contains(&secret_blob, &value.as_bytes()[..16]), "nor even a 16-byte piece of it");

    let d = &private.d;
    assert!(!contains(&key_blob, d), "the private exponent must not appear in the key blob");
    assert!(!contains(&key_blob, &d[..16]), "nor a 16-byte piece of it");
    assert!(!contains(&key_blob, &private.pkcs8_der[..64]), "the PKCS#8 encoding of the private key must not appear");
    assert!(!contains(&key_blob, b64(d).as_bytes()), "the private exponent's base64 must not appear");
    assert!(!contains(&key_blob, b64(&private.pkcs8_der).get(..40).expect("long base64").as_bytes()), "nor the PKCS#8 key's base64");
    let d_b64url = private.jwk["d"].as_str().expect("the JWK has d");
    assert!(!contains(&key_blob, &d_b64url.as_bytes()[..40]), "nor the JWK's base64url d");

    // The canary checks can fail: the same scans find the material in an unsealed copy.
    assert!(contains(value.as_bytes(), &value.as_bytes()[..16]) && contains(&private.pkcs8_der, d), "the scan finds what is there");
}
