//! Keys: RSA sizes and EC curves as asked (openssl reads the public keys), signatures openssl
//! verifies for every JWS algorithm, encryption and key wrapping that interoperate with openssl
//! both ways, `key_ops`, disabled versions, the nbf/exp rules, imported openssl keys, and
//! rotation.

use chrono::{Duration, Utc};
use vaultmort_core::keys::{CreateKey, ImportKey, KeyBundle, KeyRef, UpdateKey};
use vaultmort_core::model::AttributeChanges;
use vaultmort_crypto::{Curve, EncryptionAlgorithm, JsonWebKey, KeyOperation, KeyType, PublicKey, SignatureAlgorithm};
use vaultmort_test_support::home::TestCore;
use vaultmort_test_support::openssl::{self, OpensslKey, openssl_text};

use crate::support::{VAULT, core_with_vault, refused, spki_pem, version_of};

fn rsa(name: &str, size: u32) -> CreateKey {
    let mut request = CreateKey::new(name, KeyType::Rsa);
    request.size = Some(size);
    request
}

fn ec(name: &str, curve: Curve) -> CreateKey {
    let mut request = CreateKey::new(name, KeyType::Ec);
    request.curve = Some(curve);
    request
}

async fn create(t: &TestCore, request: CreateKey) -> KeyBundle {
    let name = request.name.clone();
    t.core.create_key(&t.owner, VAULT, request).await.unwrap_or_else(|e| panic!("key '{name}' is created: {e}"))
}

/// Some bytes to sign, different every call.
fn message() -> Vec<u8> {
    openssl::openssl_ok(&["rand", "1000"], None)
}

/// One bit of `bytes` flipped.
fn flipped(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[0] ^= 0x01;
    out
}

#[tokio::test]
async fn rsa_sizes_and_ec_curves_are_as_asked_and_openssl_reads_the_public_keys() {
    let t = core_with_vault().await;
    for (request, expected) in [
        (rsa("rsa2048", 2048), "Public-Key: (2048 bit)"),
        (rsa("rsa3072", 3072), "Public-Key: (3072 bit)"),
        (ec("p256", Curve::P256), "NIST CURVE: P-256"),
        (ec("p384", Curve::P384), "NIST CURVE: P-384"),
        (ec("p521", Curve::P521), "NIST CURVE: P-521"),
    ] {
        let name = request.name.clone();
        let key = create(&t, request).await;
        let text = openssl_text(&["pkey", "-pubin", "-noout", "-text"], Some(&spki_pem(&key.public)));
        assert!(text.contains(expected), "openssl reads key '{name}' as {expected:?}:\n{text}");
        let defaults = KeyOperation::defaults_for(key.kty);
        assert_eq!(key.key_ops, defaults, "a key made without key_ops gets its type's defaults ('{name}')");
        let shown = t.core.get_key(&t.owner, VAULT, &name, None).await.expect("the key reads back");
        assert_eq!(shown.public, key.public, "get returns the public key create returned ('{name}')");
    }
    let default_rsa = create(&t, CreateKey::new("default-rsa", KeyType::Rsa)).await;
    let PublicKey::Rsa { n, .. } = &default_rsa.public else { panic!("an RSA key has an RSA public key") };
    assert_eq!(n.len(), 256, "an RSA key with no size is 2048 bits, as in Key Vault");

    let mut mixed = CreateKey::new("mixed", KeyType::Ec);
    mixed.size = Some(2048);
    refused(t.core.create_key(&t.owner, VAULT, mixed).await, "BadParameter", None, "an RSA size on an EC key");
    refused(t.core.create_key(&t.owner, VAULT, rsa("odd", 1024)).await, "BadParameter", None, "an RSA size Key Vault does not offer");
}

#[tokio::test]
async fn creating_again_adds_a_version_and_each_version_is_its_own_key() {
    let t = core_with_vault().await;
    let first = create(&t, ec("signer", Curve::P256)).await;
    let second = create(&t, ec("signer", Curve::P256)).await;
    assert_ne!(first.id, second.id, "creating an existing name makes a new version");
    assert_ne!(first.public, second.public, "each version has its own key pair");
    let versions = t.core.list_key_versions(&t.owner, VAULT, "signer").await.expect("versions list");
    assert_eq!(versions.len(), 2, "both versions are listed");
    assert_eq!(t.core.list_keys(&t.owner, VAULT).await.expect("keys list").len(), 1, "one key however many versions");

    let digest = openssl::digest("sha256", &message());
    let old = KeyRef::version(VAULT, "signer", first.id.version.as_deref());
    let signature = t.core.sign(&t.owner, old, SignatureAlgorithm::Es256, &digest).await.expect("an older version signs");
    assert_eq!(signature.kid, first.id, "the signature names the version that made it");
    openssl::verify_signature(&spki_pem(&first.public), "ES256", &digest, &signature.value)
        .unwrap_or_else(|e| panic!("openssl accepts the old version's signature under the old public key: {e}"));
    assert!(
        openssl::verify_signature(&spki_pem(&second.public), "ES256", &digest, &signature.value).is_err(),
        "the newer version's public key does not accept it: the versions are different keys"
    );
}

#[tokio::test]
async fn signatures_of_every_algorithm_verify_in_openssl_and_in_the_core() {
    let t = core_with_vault().await;
    create(&t, rsa("rsa", 2048)).await;
    for (curve, name) in [(Curve::P256, "p256"), (Curve::P384, "p384"), (Curve::P521, "p521")] {
        create(&t, ec(name, curve)).await;
    }
    let cases = [
        ("rsa", SignatureAlgorithm::Rs256),
        ("rsa", SignatureAlgorithm::Rs384),
        ("rsa", SignatureAlgorithm::Rs512),
        ("rsa", SignatureAlgorithm::Ps256),
        ("rsa", SignatureAlgorithm::Ps384),
        ("rsa", SignatureAlgorithm::Ps512),
        ("p256", SignatureAlgorithm::Es256),
        ("p384", SignatureAlgorithm::Es384),
        ("p521", SignatureAlgorithm::Es512),
    ];
    for (name, algorithm) in cases {
        let key = t.core.get_key(&t.owner, VAULT, name, None).await.expect("the key reads");
        let digest = openssl::digest(openssl::signature_digest(algorithm.as_str()), &message());
        let signed = t.core.sign(&t.owner, KeyRef::latest(VAULT, name), algorithm, &digest).await.expect("the key signs");
        openssl::verify_signature(&spki_pem(&key.public), algorithm.as_str(), &digest, &signed.value)
            .unwrap_or_else(|e| panic!("openssl must accept the core's {algorithm} signature: {e}"));
        assert!(
            openssl::verify_signature(&spki_pem(&key.public), algorithm.as_str(), &flipped(&digest), &signed.value).is_err(),
            "openssl must refuse the {algorithm} signature for another digest, or the check above proves nothing"
        );
        let key_ref = KeyRef::latest(VAULT, name);
        let verified = t.core.verify(&t.owner, key_ref, algorithm, &digest, &signed.value).await.expect("verify runs");
        assert!(verified.valid, "the core accepts its own {algorithm} signature");
        let tampered = t.core.verify(&t.owner, key_ref, algorithm, &digest, &flipped(&signed.value)).await.expect("verify runs");
        assert!(!tampered.valid, "the core reports a changed {algorithm} signature as invalid, not as an error");
    }

    let digest = openssl::digest("sha256", &message());
    refused(
        t.core.sign(&t.owner, KeyRef::latest(VAULT, "p256"), SignatureAlgorithm::Rs256, &digest).await,
        "BadParameter",
        None,
        "an RSA algorithm with an EC key",
    );
    refused(
        t.core.sign(&t.owner, KeyRef::latest(VAULT, "rsa"), SignatureAlgorithm::Rs256, &digest[..20]).await,
        "BadParameter",
        None,
        "a digest of the wrong length for RS256",
    );
}

#[tokio::test]
async fn encryption_and_wrapping_interoperate_with_openssl_both_ways() {
    let t = core_with_vault().await;
    // An imported openssl key, so that openssl holds the private half to decrypt what the core
    // encrypts, and the core the private half to decrypt what openssl encrypts.
    let original = OpensslKey::rsa(2048);
    let jwk: JsonWebKey = serde_json::from_value(original.jwk.clone()).expect("openssl's numbers make a JWK");
    let import = ImportKey::new("cipher", jwk);
    let key = t.core.import_key(&t.owner, VAULT, import).await.expect("the openssl key imports");
    assert_eq!(
        key.public.to_spki_der().expect("an RSA public key has a DER form"),
        original.public_der(),
        "the imported key's public half is openssl's, byte for byte"
    );
    let cipher = KeyRef::latest(VAULT, "cipher");

    for algorithm in [EncryptionAlgorithm::RsaOaep, EncryptionAlgorithm::RsaOaep256, EncryptionAlgorithm::Rsa15] {
        let name = algorithm.as_str();
        let plaintext = openssl::openssl_ok(&["rand", "100"], None);
        let from_openssl = openssl::encrypt(&original.public_pem(), name, &plaintext);
        let opened = t.core.decrypt(&t.owner, cipher, algorithm, &from_openssl).await.expect("the core decrypts openssl's ciphertext");
        assert_eq!(*opened.value, plaintext, "decrypt returns exactly what openssl encrypted with {name}");

        let sealed = t.core.encrypt(&t.owner, cipher, algorithm, &plaintext).await.expect("the core encrypts");
        let again = t.core.encrypt(&t.owner, cipher, algorithm, &plaintext).await.expect("the core encrypts again");
        assert_ne!(sealed.value, again.value, "{name} padding is randomized: two encryptions differ");
        let by_openssl = openssl::decrypt(&original.pem, name, &sealed.value)
            .unwrap_or_else(|e| panic!("openssl decrypts the core's {name} ciphertext with the original key: {e}"));
        assert_eq!(by_openssl, plaintext, "openssl finds the plaintext in the core's {name} ciphertext");

        let aes_key = openssl::openssl_ok(&["rand", "32"], None);
        let wrapped = t.core.wrap_key(&t.owner, cipher, algorithm, &aes_key).await.expect("the core wraps");
        let unwrapped_by_openssl = openssl::decrypt(&original.pem, name, &wrapped.value)
            .unwrap_or_else(|e| panic!("openssl unwraps the core's {name} wrapping: {e}"));
        assert_eq!(unwrapped_by_openssl, aes_key, "wrapping is encryption of the key bytes under {name}");
        let wrapped_by_openssl = openssl::encrypt(&original.public_pem(), name, &aes_key);
        let unwrapped = t.core.unwrap_key(&t.owner, cipher, algorithm, &wrapped_by_openssl).await.expect("the core unwraps");
        assert_eq!(*unwrapped.value, aes_key, "unwrap returns the AES key openssl wrapped with {name}");
    }

    // The algorithm named is the one used: OAEP with SHA-1 cannot open an OAEP-SHA-256 wrapping.
    let aes_key = openssl::openssl_ok(&["rand", "32"], None);
    let wrapped = openssl::encrypt(&original.public_pem(), "RSA-OAEP-256", &aes_key);
    refused(
        t.core.unwrap_key(&t.owner, cipher, EncryptionAlgorithm::RsaOaep, &wrapped).await,
        "BadParameter",
        None,
        "unwrapping an OAEP-256 wrapping as OAEP (SHA-1)",
    );
    let too_long = vec![7u8; 256];
    refused(
        t.core.encrypt(&t.owner, cipher, EncryptionAlgorithm::RsaOaep, &too_long).await,
        "BadParameter",
        None,
        "a plaintext longer than OAEP allows",
    );
}

#[tokio::test]
async fn imported_ec_keys_sign_like_the_openssl_original_and_private_members_are_required() {
    let t = core_with_vault().await;
    for (curve, algorithm) in [("P-256", SignatureAlgorithm::Es256), ("P-384", SignatureAlgorithm::Es384)] {
        let original = OpensslKey::ec(curve);
        let name = format!("imported-{}", curve.to_lowercase());
        let jwk: JsonWebKey = serde_json::from_value(original.jwk.clone()).expect("openssl's numbers make a JWK");
        let import = ImportKey::new(name.clone(), jwk);
        let key = t.core.import_key(&t.owner, VAULT, import).await.expect("the openssl EC key imports");
        assert_eq!(key.kty, KeyType::Ec, "an EC JWK imports as an EC key");
        assert_eq!(
            key.public.to_spki_der().expect("an EC public key has a DER form"),
            original.public_der(),
            "the imported {curve} public key is openssl's"
        );
        let digest = openssl::digest(openssl::signature_digest(algorithm.as_str()), &message());
        let signed = t.core.sign(&t.owner, KeyRef::latest(VAULT, &name), algorithm, &digest).await.expect("the imported key signs");
        openssl::verify_signature(&original.public_pem(), algorithm.as_str(), &digest, &signed.value)
            .unwrap_or_else(|e| panic!("openssl verifies the {curve} signature with the original public key: {e}"));
    }

    let mut public_only = OpensslKey::ec("P-256").jwk;
    public_only.as_object_mut().expect("a JWK is an object").remove("d");
    let jwk: JsonWebKey = serde_json::from_value(public_only).expect("a public JWK parses");
    let import = ImportKey::new("no-d", jwk);
    refused(t.core.import_key(&t.owner, VAULT, import).await, "BadParameter", None, "a JWK without its private member 'd'");
    refused(t.core.get_key(&t.owner, VAULT, "no-d", None).await, "KeyNotFound", None, "a refused import leaves no key behind");
}

#[tokio::test]
async fn key_ops_limit_what_a_key_may_do() {
    let t = core_with_vault().await;
    let mut request = rsa("sign-only", 2048);
    request.key_ops = Some(vec![KeyOperation::Sign, KeyOperation::Verify]);
    create(&t, request).await;
    let key = KeyRef::latest(VAULT, "sign-only");
    let digest = openssl::digest("sha256", &message());
    t.core.sign(&t.owner, key, SignatureAlgorithm::Rs256, &digest).await.expect("an operation in key_ops works");
    for (what, result) in [
        ("encrypt", t.core.encrypt(&t.owner, key, EncryptionAlgorithm::RsaOaep, b"data").await.map(|_| ())),
        ("wrapKey", t.core.wrap_key(&t.owner, key, EncryptionAlgorithm::RsaOaep, &[1; 32]).await.map(|_| ())),
    ] {
        let error = refused(result, "OperationNotAllowed", None, &format!("{what} on a key whose key_ops are sign and verify"));
        assert!(error.to_string().contains(what), "the message names the refused operation: {error}");
    }

    let update = UpdateKey { key_ops: Some(vec![KeyOperation::Encrypt, KeyOperation::Decrypt]), ..Default::default() };
    t.core.update_key(&t.owner, VAULT, "sign-only", None, update).await.expect("key_ops can be changed");
    t.core.encrypt(&t.owner, key, EncryptionAlgorithm::RsaOaep, b"data").await.expect("encrypt works once allowed");
    refused(
        t.core.sign(&t.owner, key, SignatureAlgorithm::Rs256, &digest).await,
        "OperationNotAllowed",
        None,
        "sign after it was taken out",
    );

    let mut impossible = ec("ec-encrypt", Curve::P256);
    impossible.key_ops = Some(vec![KeyOperation::Encrypt]);
    refused(t.core.create_key(&t.owner, VAULT, impossible).await, "BadParameter", None, "encrypt on an EC key, which cannot encrypt");
}

#[tokio::test]
async fn a_disabled_version_refuses_every_operation_while_other_versions_work() {
    let t = core_with_vault().await;
    let old = create(&t, rsa("k", 2048)).await;
    create(&t, rsa("k", 2048)).await;
    let old_version = version_of(&old.id);
    let disable = UpdateKey { attributes: AttributeChanges { enabled: Some(false), ..Default::default() }, ..Default::default() };
    let updated = t.core.update_key(&t.owner, VAULT, "k", Some(&old_version), disable).await.expect("a version can be disabled");
    assert!(!updated.attributes.enabled, "the update reports the version disabled");

    let digest = openssl::digest("sha256", &message());
    let old_ref = KeyRef::version(VAULT, "k", Some(&old_version));
    refused(
        t.core.sign(&t.owner, old_ref, SignatureAlgorithm::Rs256, &digest).await,
        "Forbidden",
        Some("KeyDisabled"),
        "sign with a disabled version",
    );
    refused(
        t.core.encrypt(&t.owner, old_ref, EncryptionAlgorithm::RsaOaep, b"x").await,
        "Forbidden",
        Some("KeyDisabled"),
        "encrypt with a disabled version",
    );
    t.core
        .sign(&t.owner, KeyRef::latest(VAULT, "k"), SignatureAlgorithm::Rs256, &digest)
        .await
        .expect("the newest version, still enabled, signs");
}

#[tokio::test]
async fn nothing_works_before_nbf_and_after_exp_only_decrypt_unwrap_and_verify_do() {
    let t = core_with_vault().await;
    let digest = openssl::digest("sha256", &message());

    let mut later = rsa("later", 2048);
    later.not_before = Some(Utc::now() + Duration::days(1));
    create(&t, later).await;
    let later = KeyRef::latest(VAULT, "later");
    refused(t.core.sign(&t.owner, later, SignatureAlgorithm::Rs256, &digest).await, "KeyNotYetValid", None, "sign before nbf");
    refused(t.core.encrypt(&t.owner, later, EncryptionAlgorithm::RsaOaep, b"x").await, "KeyNotYetValid", None, "encrypt before nbf");

    let mut expiring = rsa("expiring", 2048);
    expiring.expires = Some(Utc::now() + Duration::hours(1));
    create(&t, expiring).await;
    let expiring = KeyRef::latest(VAULT, "expiring");
    let signature = t.core.sign(&t.owner, expiring, SignatureAlgorithm::Rs256, &digest).await.expect("it signs before it expires");
    let ciphertext = t.core.encrypt(&t.owner, expiring, EncryptionAlgorithm::RsaOaep, b"kept").await.expect("it encrypts");
    let wrapped = t.core.wrap_key(&t.owner, expiring, EncryptionAlgorithm::RsaOaep, &[9; 32]).await.expect("it wraps");

    t.core.shift_clock(&t.owner, Duration::days(2)).await.expect("the owner moves the practice clock");

    t.core.sign(&t.owner, later, SignatureAlgorithm::Rs256, &digest).await.expect("past nbf the key signs");
    refused(t.core.sign(&t.owner, expiring, SignatureAlgorithm::Rs256, &digest).await, "KeyExpired", None, "sign after exp");
    refused(t.core.encrypt(&t.owner, expiring, EncryptionAlgorithm::RsaOaep, b"x").await, "KeyExpired", None, "encrypt after exp");
    refused(t.core.wrap_key(&t.owner, expiring, EncryptionAlgorithm::RsaOaep, &[9; 32]).await, "KeyExpired", None, "wrapKey after exp");
    let opened =
        t.core.decrypt(&t.owner, expiring, EncryptionAlgorithm::RsaOaep, &ciphertext.value).await.expect("decrypt works after exp");
    assert_eq!(opened.value.as_slice(), b"kept", "older data stays readable after expiry");
    let unwrapped =
        t.core.unwrap_key(&t.owner, expiring, EncryptionAlgorithm::RsaOaep, &wrapped.value).await.expect("unwrap works after exp");
    assert_eq!(unwrapped.value.as_slice(), &[9; 32], "older wrapped keys stay usable after expiry");
    let verified =
        t.core.verify(&t.owner, expiring, SignatureAlgorithm::Rs256, &digest, &signature.value).await.expect("verify works after exp");
    assert!(verified.valid, "older signatures still verify after expiry");
}

#[tokio::test]
async fn rotation_adds_a_version_of_the_same_kind_and_older_versions_keep_working() {
    let t = core_with_vault().await;
    let mut request = ec("rotating", Curve::P384);
    request.key_ops = Some(vec![KeyOperation::Sign, KeyOperation::Verify]);
    request.tags.insert("team".into(), "payments".into());
    let original = create(&t, request).await;
    let rotated = t.core.rotate_key(&t.owner, VAULT, "rotating").await.expect("the key rotates");
    assert_ne!(rotated.id, original.id, "rotation makes a new version");
    assert_ne!(rotated.public, original.public, "with a new key pair");
    assert_eq!(rotated.kty, KeyType::Ec, "of the same type");
    assert!(matches!(rotated.public, PublicKey::Ec { curve: Curve::P384, .. }), "on the same curve: {:?}", rotated.public);
    assert_eq!(rotated.key_ops, original.key_ops, "with the same key_ops");
    assert_eq!(rotated.tags, original.tags, "and the same tags");

    let digest = openssl::digest("sha384", &message());
    let old = KeyRef::version(VAULT, "rotating", original.id.version.as_deref());
    let signed = t.core.sign(&t.owner, old, SignatureAlgorithm::Es384, &digest).await.expect("the old version still signs");
    openssl::verify_signature(&spki_pem(&original.public), "ES384", &digest, &signed.value)
        .unwrap_or_else(|e| panic!("openssl accepts the old version's signature after rotation: {e}"));
    refused(t.core.rotate_key(&t.owner, VAULT, "never-made").await, "KeyNotFound", None, "rotating a key that does not exist");
}
