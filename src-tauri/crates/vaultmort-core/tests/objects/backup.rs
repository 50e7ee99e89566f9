//! Backup and restore: keys, secrets and certificates round trip with every version and their
//! original ids (the restored private keys sign as the originals, by openssl); restores are
//! refused over an existing or deleted object, for damaged blobs, for the wrong kind and for
//! another home's blobs, without changing anything; blobs hold no plaintext.

use vaultmort_certs::policy::CertificatePolicy;
use vaultmort_core::ObjectKind;
use vaultmort_core::keys::{CreateKey, ImportKey, KeyRef};
use vaultmort_core::secrets::SetSecret;
use vaultmort_crypto::{JsonWebKey, KeyType, SignatureAlgorithm};
use vaultmort_test_support::home::TestCore;
use vaultmort_test_support::openssl::{self, OpensslKey};
use vaultmort_test_support::text::b64;

use crate::support::{VAULT, core_with_vault, refused, spki_pem, version_of};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn rsa(name: &str) -> CreateKey {
    let mut request = CreateKey::new(name, KeyType::Rsa);
    request.size = Some(2048);
    request
}

async fn key_versions(t: &TestCore, vault: &str, name: &str) -> Vec<String> {
    let mut versions: Vec<String> =
        t.core.list_key_versions(&t.owner, vault, name).await.expect("versions list").iter().map(|k| version_of(&k.id)).collect();
    versions.sort();
    versions
}

async fn secret_versions(t: &TestCore, vault: &str, name: &str) -> Vec<String> {
    let mut versions: Vec<String> =
        t.core.list_secret_versions(&t.owner, vault, name).await.expect("versions list").iter().map(|s| version_of(&s.id)).collect();
    versions.sort();
    versions
}

#[tokio::test]
async fn a_key_restores_with_every_version_and_its_private_keys_sign_as_before() {
    let t = core_with_vault().await;
    let first = t.core.create_key(&t.owner, VAULT, rsa("signer")).await.expect("created");
    let second = t.core.create_key(&t.owner, VAULT, rsa("signer")).await.expect("created again");
    let versions_before = key_versions(&t, VAULT, "signer").await;
    let blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Key, "signer").await.expect("the key backs up");
    t.core.delete_object(&t.owner, VAULT, ObjectKind::Key, "signer").await.expect("deleted");
    t.core.purge_object(&t.owner, VAULT, ObjectKind::Key, "signer").await.expect("purged");
    refused(t.core.get_key(&t.owner, VAULT, "signer", None).await, "KeyNotFound", None, "the purged key before its restore");

    let restored =
        t.core.restore_object(&t.owner, VAULT, ObjectKind::Key, &blob).await.and_then(|b| b.into_key()).expect("the backup restores");
    assert_eq!(restored.id, second.id, "restore answers with the newest version, under its original id");
    assert_eq!(key_versions(&t, VAULT, "signer").await, versions_before, "every version comes back with its original id");

    let digest = openssl::digest("sha256", b"signed after the restore");
    for (i, original) in [&first, &second].into_iter().enumerate() {
        let shown = t.core.get_key(&t.owner, VAULT, "signer", original.id.version.as_deref()).await.expect("the version reads");
        assert_eq!(shown.public, original.public, "version {i} has the same public key after the restore");
        let key = KeyRef::version(VAULT, "signer", original.id.version.as_deref());
        let signed = t.core.sign(&t.owner, key, SignatureAlgorithm::Rs256, &digest).await.expect("the restored version signs");
        openssl::verify_signature(&spki_pem(&original.public), "RS256", &digest, &signed.value).unwrap_or_else(|e| {
            panic!("openssl verifies restored version {i}'s signature under the public key from before the backup: {e}")
        });
    }
    let newest = t.core.sign(&t.owner, KeyRef::latest(VAULT, "signer"), SignatureAlgorithm::Rs256, &digest).await.expect("signs");
    assert!(
        openssl::verify_signature(&spki_pem(&first.public), "RS256", &digest, &newest.value).is_err(),
        "the referee can say no: one version's signature does not verify under another version's key"
    );
}

#[tokio::test]
async fn a_secret_restores_with_every_version_and_value() {
    let t = core_with_vault().await;
    let values = ["first value", "second välue ✓", "third\nmulti-line value"];
    let mut ids = Vec::new();
    for value in values {
        ids.push(t.core.set_secret(&t.owner, VAULT, SetSecret::new("kept", value)).await.expect("set works").id);
    }
    let blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Secret, "kept").await.expect("the secret backs up");
    t.core.delete_object(&t.owner, VAULT, ObjectKind::Secret, "kept").await.expect("deleted");
    t.core.purge_object(&t.owner, VAULT, ObjectKind::Secret, "kept").await.expect("purged");
    let restored =
        t.core.restore_object(&t.owner, VAULT, ObjectKind::Secret, &blob).await.and_then(|b| b.into_secret()).expect("the backup restores");
    assert_eq!(restored.id, ids[2], "restore answers with the newest version");
    assert!(restored.value.is_none(), "restore does not hand out the value");
    for (id, value) in ids.iter().zip(values) {
        let read = t.core.get_secret(&t.owner, VAULT, "kept", id.version.as_deref()).await.expect("each version reads");
        assert_eq!(read.value.as_deref().map(String::as_str), Some(value), "version {:?} keeps its own value", id.version);
    }
}

#[tokio::test]
async fn a_certificate_restores_with_its_key_and_secret() {
    let t = core_with_vault().await;
    let op = t
        .core
        .create_certificate(&t.owner, VAULT, "site", Some(CertificatePolicy::self_signed("CN=site.example")), true, Default::default())
        .await
        .expect("created");
    assert_eq!(op.status, "completed", "a Self certificate is issued at once");
    let cert = t.core.get_certificate(&t.owner, VAULT, "site", None).await.expect("reads");
    let key = t.core.get_key(&t.owner, VAULT, "site", None).await.expect("its key reads");
    let blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Certificate, "site").await.expect("the certificate backs up");
    t.core.delete_object(&t.owner, VAULT, ObjectKind::Certificate, "site").await.expect("deleted");
    t.core.purge_object(&t.owner, VAULT, ObjectKind::Certificate, "site").await.expect("purged");

    let restored = t
        .core
        .restore_object(&t.owner, VAULT, ObjectKind::Certificate, &blob)
        .await
        .and_then(|b| b.into_certificate())
        .expect("the backup restores");
    assert_eq!(restored.id, cert.id, "the certificate comes back under its original version");
    assert_eq!(restored.cer, cert.cer, "with the same certificate");
    let restored_key = t.core.get_key(&t.owner, VAULT, "site", None).await.expect("the key is restored with the certificate");
    assert!(restored_key.managed, "and is still managed by it");
    let secret = t.core.get_secret(&t.owner, VAULT, "site", None).await.expect("the secret is restored with the certificate");
    assert_eq!(secret.id.version, cert.id.version, "the secret is the certificate's version");
    let digest = openssl::digest("sha256", b"certificate key after restore");
    let signed = t.core.sign(&t.owner, KeyRef::latest(VAULT, "site"), SignatureAlgorithm::Rs256, &digest).await.expect("signs");
    openssl::verify_signature(&spki_pem(&key.public), "RS256", &digest, &signed.value)
        .unwrap_or_else(|e| panic!("the restored certificate key signs as the original: {e}"));
}

#[tokio::test]
async fn restoring_over_an_existing_or_deleted_object_is_a_conflict_that_changes_nothing() {
    let t = core_with_vault().await;
    t.core.create_key(&t.owner, VAULT, CreateKey::new("k", KeyType::Ec)).await.expect("created");
    t.core.set_secret(&t.owner, VAULT, SetSecret::new("s", "v")).await.expect("set");
    let key_blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Key, "k").await.expect("backs up");
    let secret_blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Secret, "s").await.expect("backs up");

    let key_versions_before = key_versions(&t, VAULT, "k").await;
    refused(
        t.core.restore_object(&t.owner, VAULT, ObjectKind::Key, &key_blob).await,
        "Conflict",
        Some("ObjectAlreadyExists"),
        "a key restored over itself",
    );
    assert_eq!(key_versions(&t, VAULT, "k").await, key_versions_before, "the refused key restore added no version");
    let secret_versions_before = secret_versions(&t, VAULT, "s").await;
    refused(
        t.core.restore_object(&t.owner, VAULT, ObjectKind::Secret, &secret_blob).await,
        "Conflict",
        Some("ObjectAlreadyExists"),
        "a secret over itself",
    );
    assert_eq!(secret_versions(&t, VAULT, "s").await, secret_versions_before, "the refused secret restore added no version");

    t.core.delete_object(&t.owner, VAULT, ObjectKind::Key, "k").await.expect("deleted");
    t.core.delete_object(&t.owner, VAULT, ObjectKind::Secret, "s").await.expect("deleted");
    refused(
        t.core.restore_object(&t.owner, VAULT, ObjectKind::Key, &key_blob).await,
        "Conflict",
        Some("ObjectIsDeletedButRecoverable"),
        "a key restored while one of that name is soft-deleted",
    );
    refused(
        t.core.restore_object(&t.owner, VAULT, ObjectKind::Secret, &secret_blob).await,
        "Conflict",
        Some("ObjectIsDeletedButRecoverable"),
        "a secret restored while one of that name is soft-deleted",
    );
    assert!(t.core.list_keys(&t.owner, VAULT).await.expect("list").is_empty(), "the refused restore did not bring the key back");
    assert!(t.core.list_secrets(&t.owner, VAULT).await.expect("list").is_empty(), "nor the secret");
}

#[tokio::test]
async fn damaged_foreign_and_wrong_kind_blobs_are_refused_and_the_intact_blob_still_restores() {
    let t = core_with_vault().await;
    t.core.set_secret(&t.owner, VAULT, SetSecret::new("s", "tamper target")).await.expect("set");
    t.core.create_key(&t.owner, VAULT, CreateKey::new("k", KeyType::Ec)).await.expect("created");
    let blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Secret, "s").await.expect("backs up");
    let key_blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Key, "k").await.expect("backs up");
    assert!(blob.len() > 40, "a blob holds a header, a nonce, a payload and a tag; got {} bytes", blob.len());
    t.core.delete_object(&t.owner, VAULT, ObjectKind::Secret, "s").await.expect("deleted");
    t.core.purge_object(&t.owner, VAULT, ObjectKind::Secret, "s").await.expect("purged, so an accepted blob would visibly bring it back");

    let mut bad: Vec<(String, Vec<u8>)> = Vec::new();
    for index in [0, 4, 5, blob.len() / 2, blob.len() - 1] {
        let mut altered = blob.clone();
        altered[index] ^= 0x01;
        bad.push((format!("byte {index} of {} flipped", blob.len()), altered));
    }
    bad.push(("the last byte cut off".into(), blob[..blob.len() - 1].to_vec()));
    bad.push(("only the header".into(), blob[..5].to_vec()));
    bad.push(("nothing".into(), Vec::new()));
    bad.push(("random bytes".into(), openssl::openssl_ok(&["rand", "512"], None)));
    bad.push(("a key backup".into(), key_blob));
    let other = TestCore::with_vault(VAULT).await;
    other.core.set_secret(&other.owner, VAULT, SetSecret::new("s", "another home's")).await.expect("set in the other home");
    let foreign = other.core.backup_object(&other.owner, VAULT, ObjectKind::Secret, "s").await.expect("the other home backs up");
    bad.push(("another home's backup of a secret of the same name in a vault of the same name".into(), foreign));

    for (what, bytes) in &bad {
        refused(
            t.core.restore_object(&t.owner, VAULT, ObjectKind::Secret, bytes).await,
            "BadParameter",
            None,
            &format!("a secret blob with {what}"),
        );
        assert!(t.core.list_secrets(&t.owner, VAULT).await.expect("list").is_empty(), "a refused blob ({what}) restored nothing");
    }
    t.core
        .restore_object(&t.owner, VAULT, ObjectKind::Secret, &blob)
        .await
        .and_then(|b| b.into_secret())
        .expect("the intact blob restores, so the refusals were about the damage");
    let read = t.core.get_secret(&t.owner, VAULT, "s", None).await.expect("reads");
    assert_eq!(read.value.as_deref().map(String::as_str), Some("tamper target"), "the restored value is the original");
}

#[tokio::test]
async fn a_backup_restores_into_another_vault_of_the_same_home() {
    let t = core_with_vault().await;
    t.vault("second-kv").await;
    let key = t.core.create_key(&t.owner, VAULT, rsa("mover")).await.expect("created");
    let blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Key, "mover").await.expect("backs up");
    let restored = t
        .core
        .restore_object(&t.owner, "second-kv", ObjectKind::Key, &blob)
        .await
        .and_then(|b| b.into_key())
        .expect("restores into the other vault");
    assert_eq!(restored.id.vault, "second-kv", "the restored key lives in the target vault");
    assert_eq!(restored.id.version, key.id.version, "the version id travels with the backup");
    let digest = openssl::digest("sha256", b"moved between vaults");
    let signed = t.core.sign(&t.owner, KeyRef::latest("second-kv", "mover"), SignatureAlgorithm::Rs256, &digest).await.expect("signs");
    openssl::verify_signature(&spki_pem(&key.public), "RS256", &digest, &signed.value)
        .unwrap_or_else(|e| panic!("the key restored into the other vault signs as the original: {e}"));
    t.core.get_key(&t.owner, VAULT, "mover", None).await.expect("the source vault keeps its own copy");
}

#[tokio::test]
async fn backup_blobs_hold_no_plaintext() {
    let t = core_with_vault().await;
    let value = "Plaintext-Canary-7f3c9e21-must-never-appear";
    t.core.set_secret(&t.owner, VAULT, SetSecret::new("canary", value)).await.expect("set");
    let secret_blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Secret, "canary").await.expect("backs up");
    let private = OpensslKey::rsa(2048);
    let jwk: JsonWebKey = serde_json::from_value(private.jwk.clone()).expect("openssl's numbers make a JWK");
    let import = ImportKey::new("imported", jwk);
    t.core.import_key(&t.owner, VAULT, import).await.expect("imports");
    let key_blob = t.core.backup_object(&t.owner, VAULT, ObjectKind::Key, "imported").await.expect("backs up");

    for (what, blob) in [("secret", &secret_blob), ("key", &key_blob)] {
        for marker in [&b"BEGIN"[..], b"PRIVATE", b"versions", b"material"] {
            assert!(!contains(blob, marker), "the {what} blob must be sealed: '{}' appears in plaintext", String::from_utf8_lossy(marker));
        }
    }
    assert!(!contains(&secret_blob, &value.as_bytes()[..16]), "no 16-byte piece of the secret value appears in its blob");
    assert!(!contains(&secret_blob, b64(value.as_bytes()).as_bytes()), "nor its base64");
    assert!(!contains(&key_blob, &private.d[..16]), "no 16-byte piece of the private exponent appears in the key blob");
    assert!(!contains(&key_blob, &private.pkcs8_der[..64]), "nor of the PKCS#8 encoding of the private key");
    // The scan can fail: it finds the material where it is.
    assert!(contains(&private.pkcs8_der, &private.d[..16]), "the scan finds the exponent in the unsealed PKCS#8");
}
