//! HSM-protected keys through the core (issue 13): each test opens a home whose practice token
//! (SoftHSM2 under `<home>/hsm`) is made on its first HSM key. openssl is the referee of every
//! signature; the token's own report (`hsm_show`) is the referee of what lives in it.

use vaultmort_certs::policy::{CertificatePolicy, KeyProperties};
use vaultmort_core::ObjectKind;
use vaultmort_core::certificates::DownloadFormat;
use vaultmort_core::keys::{CreateKey, ImportKey, KeyRef};
use vaultmort_core::model::Sku;
use vaultmort_core::vaults::CreateVault;
use vaultmort_crypto::{EncryptionAlgorithm, JsonWebKey, KeyOperation, KeyType, PublicKey, SignatureAlgorithm};
use vaultmort_pkcs11::byok::TransferBlob;
use vaultmort_test_support::home::{GROUP, TestCore};
use vaultmort_test_support::openssl::{Scratch, verify_signature};

const VAULT: &str = "hsm-vault";

/// A core with a premium vault [`VAULT`] and a standard vault `std-vault`.
async fn world() -> TestCore {
    let world = TestCore::with_vault("std-vault").await;
    let mut premium = CreateVault::new(VAULT, GROUP);
    premium.sku = Sku::Premium;
    world.vault_with(premium).await;
    world
}

/// The number of Vaultmort key objects the home's token holds.
async fn token_keys(w: &TestCore) -> usize {
    let status = w.core.hsm_show(&w.owner).await.expect("hsm show");
    let token = status.token.expect("the token exists once an HSM key was made");
    token.objects.iter().filter(|o| o.role == "vault key").count()
}

/// Signs a digest with `key` in the vault and has openssl check it against the key's public PEM.
async fn sign_and_referee(w: &TestCore, key: KeyRef<'_>, public: &PublicKey, algorithm: SignatureAlgorithm) {
    let digest = algorithm.digest().hash(b"signed inside the token");
    let signed = w.core.sign(&w.owner, key, algorithm, &digest).await.unwrap_or_else(|e| panic!("{algorithm} signs: {e}"));
    let pem = public.to_spki_pem().expect("public PEM");
    verify_signature(pem.as_bytes(), algorithm.as_str(), &digest, &signed.value)
        .unwrap_or_else(|refused| panic!("openssl accepts the HSM's {algorithm} signature: {refused:?}"));
}

#[tokio::test]
async fn an_hsm_key_lives_in_the_token_and_its_signatures_satisfy_openssl() {
    let w = world().await;
    assert_eq!(w.core.hsm_show(&w.owner).await.expect("show").mode, "not set up", "a new home has no token until an HSM key is made");
    let mut request = CreateKey::new("signer", KeyType::RsaHsm);
    request.size = Some(3072);
    let key = w.core.create_key(&w.owner, VAULT, request).await.expect("an RSA-HSM key in a premium vault");
    assert_eq!(key.kty, KeyType::RsaHsm, "the key says RSA-HSM");
    assert_eq!(key.jwk("https://x").kty, "RSA-HSM", "and so does its JWK");
    let listed = w.core.list_keys(&w.owner, VAULT).await.expect("list");
    assert_eq!(listed.iter().map(|k| k.kty).collect::<Vec<_>>(), [KeyType::RsaHsm], "and the listing");

    let status = w.core.hsm_show(&w.owner).await.expect("show");
    assert_eq!(status.mode, "practice", "the home made its practice token");
    let token = status.token.expect("token report");
    let objects: Vec<_> = token.objects.iter().filter(|o| o.role == "vault key").collect();
    assert_eq!(objects.len(), 1, "one key object in the token: {objects:?}");
    assert!(objects[0].sensitive && !objects[0].extractable, "the key is sensitive and not extractable: {:?}", objects[0]);
    assert!(token.mechanisms.iter().any(|m| m.contains("RSA_PKCS_OAEP")), "the report lists the token's mechanisms");

    for algorithm in [SignatureAlgorithm::Rs256, SignatureAlgorithm::Ps384, SignatureAlgorithm::Rs512] {
        sign_and_referee(&w, KeyRef::latest(VAULT, "signer"), &key.public, algorithm).await;
    }
    for algorithm in EncryptionAlgorithm::ALL {
        let sealed = w.core.encrypt(&w.owner, KeyRef::latest(VAULT, "signer"), *algorithm, b"a data key").await.expect("encrypt");
        let opened = w.core.decrypt(&w.owner, KeyRef::latest(VAULT, "signer"), *algorithm, &sealed.value).await.expect("decrypt");
        assert_eq!(opened.value.as_slice(), b"a data key", "{algorithm} decrypts in the token");
    }

    let ec = w.core.create_key(&w.owner, VAULT, CreateKey::new("ec-signer", KeyType::EcHsm)).await.expect("an EC-HSM key");
    sign_and_referee(&w, KeyRef::latest(VAULT, "ec-signer"), &ec.public, SignatureAlgorithm::Es256).await;
    assert_eq!(token_keys(&w).await, 2, "each key is one token object");

    let error = w.core.create_key(&w.owner, "std-vault", CreateKey::new("refused", KeyType::EcHsm)).await.expect_err("standard vault");
    assert_eq!(error.code(), "BadParameter", "{error}");
    assert_eq!(token_keys(&w).await, 2, "a refused key leaves nothing in the token");
}

#[tokio::test]
async fn rotate_makes_a_new_token_key_and_purge_destroys_every_version() {
    let w = world().await;
    let first = w.core.create_key(&w.owner, VAULT, CreateKey::new("rotating", KeyType::RsaHsm)).await.expect("create");
    let second = w.core.rotate_key(&w.owner, VAULT, "rotating").await.expect("rotate");
    assert_ne!(first.public, second.public, "rotation makes a new key pair");
    assert_eq!(second.kty, KeyType::RsaHsm, "of the same protection");
    assert_eq!(token_keys(&w).await, 2, "both versions have their own token object");
    sign_and_referee(&w, KeyRef::version(VAULT, "rotating", first.id.version.as_deref()), &first.public, SignatureAlgorithm::Rs256).await;

    w.core.delete_object(&w.owner, VAULT, ObjectKind::Key, "rotating").await.expect("delete");
    assert_eq!(token_keys(&w).await, 2, "a soft-deleted key keeps its token objects (it can be recovered)");
    w.core.purge_object(&w.owner, VAULT, ObjectKind::Key, "rotating").await.expect("purge");
    assert_eq!(token_keys(&w).await, 0, "purge destroys the token object of every version");
}

#[tokio::test]
async fn a_backup_restores_into_the_same_hsm_after_purge_and_signs_with_the_same_key() {
    let w = world().await;
    let key = w.core.create_key(&w.owner, VAULT, CreateKey::new("kept", KeyType::EcHsm)).await.expect("create");
    let blob = w.core.backup_object(&w.owner, VAULT, ObjectKind::Key, "kept").await.expect("backup");
    w.core.delete_object(&w.owner, VAULT, ObjectKind::Key, "kept").await.expect("delete");
    w.core.purge_object(&w.owner, VAULT, ObjectKind::Key, "kept").await.expect("purge");
    assert_eq!(token_keys(&w).await, 0, "the purge destroyed the token object");
    let restored = w.core.restore_object(&w.owner, VAULT, ObjectKind::Key, &blob).await.expect("restore").into_key().expect("a key");
    assert_eq!(restored.public, key.public, "the same key comes back");
    assert_eq!(restored.kty, KeyType::EcHsm, "still HSM-protected");
    assert_eq!(token_keys(&w).await, 1, "unwrapped into a new token object");
    sign_and_referee(&w, KeyRef::latest(VAULT, "kept"), &key.public, SignatureAlgorithm::Es256).await;
}

#[tokio::test]
async fn a_certificate_with_an_hsm_key_signs_its_csr_in_the_token_and_refuses_pfx() {
    let w = world().await;
    let mut policy = CertificatePolicy::self_signed("CN=hsm.example");
    if let Some(issuer) = policy.issuer.as_mut() {
        issuer.name = Some("Unknown".into());
    }
    // Nothing renews an Unknown-issuer certificate by itself.
    policy.lifetime_actions = None;
    policy.key_props =
        Some(KeyProperties { exportable: Some(false), kty: Some("RSA-HSM".into()), key_size: Some(2048), curve: None, reuse_key: None });
    let pending = w.core.create_certificate(&w.owner, VAULT, "hsm-cert", Some(policy), true, Default::default()).await;
    let csr = pending.expect("an HSM certificate's CSR").csr;
    let scratch = Scratch::new();
    scratch.write("csr.der", &csr);
    let printed = scratch.openssl(&["req", "-inform", "DER", "-in", "csr.der", "-verify", "-noout"]);
    assert!(printed.contains("verify OK") || printed.contains("Certificate request self-signature verify OK"), "openssl: {printed}");
    assert_eq!(token_keys(&w).await, 1, "the CSR's key is a token object");

    let mut policy = CertificatePolicy::self_signed("CN=hsm-self.example");
    policy.key_props = Some(KeyProperties {
        exportable: Some(false),
        kty: Some("EC-HSM".into()),
        key_size: None,
        curve: Some("P-256".into()),
        reuse_key: None,
    });
    w.core.create_certificate(&w.owner, VAULT, "hsm-self", Some(policy), true, Default::default()).await.expect("self-signed in the HSM");
    let key = w.core.get_key(&w.owner, VAULT, "hsm-self", None).await.expect("its key");
    assert_eq!(key.kty, KeyType::EcHsm, "the certificate's key is an EC-HSM key");
    let cer = w.core.download_certificate(&w.owner, VAULT, "hsm-self", None, DownloadFormat::Der, None).await.expect("CER downloads");
    scratch.write("cert.der", cer.as_slice());
    let printed = scratch.openssl(&["x509", "-inform", "DER", "-in", "cert.der", "-noout", "-subject"]);
    assert!(printed.contains("hsm-self.example"), "openssl reads the certificate the token signed: {printed}");
    w.core.download_certificate(&w.owner, VAULT, "hsm-self", None, DownloadFormat::Pem, None).await.expect("PEM downloads");
    let error = w.core.download_certificate(&w.owner, VAULT, "hsm-self", None, DownloadFormat::Pfx, Some("pw")).await;
    let error = error.expect_err("no PFX: the key cannot leave the HSM");
    assert!(error.to_string().contains("not exportable"), "{error}");
}

/// A transfer blob for `kek` made the way a vendor tool does, from `pkcs8` (test-side code:
/// RSA-OAEP SHA-1 of an AES-256 key by the public key, then RFC 5649 of the key).
fn transfer_blob(kid: &str, kek: &PublicKey, pkcs8: &[u8]) -> Vec<u8> {
    use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
    let aes = vaultmort_crypto::aead::random_bytes(32).expect("random");
    let wrapped_aes = kek.encrypt(EncryptionAlgorithm::RsaOaep, &aes).expect("OAEP");
    let mut wrapped_key = vec![0u8; pkcs8.len() + 16];
    let len = AesKek::new(&AES_256, &aes).expect("kek").wrap_with_padding(pkcs8, &mut wrapped_key).expect("wrap").len();
    wrapped_key.truncate(len);
    serde_json::to_vec(&TransferBlob::new(kid, &[wrapped_aes, wrapped_key].concat(), "vaultmort tests")).expect("json")
}

fn byok_request(name: &str, blob: Vec<u8>) -> ImportKey {
    let mut jwk = JsonWebKey::parse(r#"{"kty":"RSA-HSM"}"#).expect("a bare JWK");
    jwk.key_hsm = Some(blob);
    ImportKey::new(name, jwk)
}

#[tokio::test]
async fn byok_imports_into_the_token_and_refuses_every_bad_blob_keeping_nothing() {
    let w = world().await;
    let mut kek = CreateKey::new("kek", KeyType::RsaHsm);
    kek.key_ops = Some(vec![KeyOperation::Import]);
    let kek = w.core.create_key(&w.owner, VAULT, kek).await.expect("a KEK");
    let kid = kek.id.url(&format!("https://{VAULT}.localhost:8443"));
    let target = vaultmort_crypto::SoftwareProvider::new();
    let target = vaultmort_crypto::CryptoProvider::generate(&target, vaultmort_crypto::KeySpec::Rsa { bits: 2048 }).expect("target");
    let pkcs8 = vaultmort_crypto::software::pkcs8_der(&target.handle).expect("pkcs8");
    let blob = transfer_blob(&kid, &kek.public, &pkcs8);
    let before = token_keys(&w).await;

    // Refusals first, each leaving no key and no token object behind.
    let mut tampered = serde_json::from_slice::<TransferBlob>(&blob).expect("json");
    let mut bytes = tampered.ciphertext_bytes().expect("b64");
    let last = bytes.len() - 5;
    bytes[last] ^= 0x55;
    tampered = TransferBlob::new(&kid, &bytes, "tampered");
    let mut truncated = serde_json::from_slice::<TransferBlob>(&blob).expect("json");
    let short = truncated.ciphertext_bytes().expect("b64")[..300].to_vec();
    truncated = TransferBlob::new(&kid, &short, "truncated");
    let other_vault = TransferBlob::new(&kid.replace(VAULT, "other-vault"), &tampered.ciphertext_bytes().expect("b64"), "x");
    let unknown_kek = TransferBlob::new(&kid.replace("/keys/kek/", "/keys/nokek/"), &tampered.ciphertext_bytes().expect("b64"), "x");
    for (label, bad) in [
        ("tampered", serde_json::to_vec(&tampered).expect("json")),
        ("truncated", serde_json::to_vec(&truncated).expect("json")),
        ("another vault's KEK", serde_json::to_vec(&other_vault).expect("json")),
        ("not a blob", b"{\"not\":\"a blob\"}".to_vec()),
    ] {
        let error = w.core.import_key(&w.owner, VAULT, byok_request("byok", bad)).await.expect_err(label);
        assert_eq!(error.code(), "BadParameter", "{label}: {error}");
    }
    let error = w.core.import_key(&w.owner, VAULT, byok_request("byok", serde_json::to_vec(&unknown_kek).expect("json"))).await;
    let error = error.expect_err("a blob for a KEK the vault does not have");
    assert_eq!(error.code(), "KeyNotFound", "the KEK the blob names is not in the vault: {error}");
    let error = w.core.import_key(&w.owner, "std-vault", byok_request("byok", blob.clone())).await.expect_err("standard vault");
    assert!(error.to_string().starts_with("Hardware key operation not allowed"), "{error}");
    let mut wide = CreateKey::new("wide-kek", KeyType::RsaHsm);
    wide.key_ops = Some(vec![KeyOperation::Import, KeyOperation::Decrypt]);
    let wide = w.core.create_key(&w.owner, VAULT, wide).await.expect("a key with more than import");
    let wide_kid = wide.id.url(&format!("https://{VAULT}.localhost:8443"));
    let error = w.core.import_key(&w.owner, VAULT, byok_request("byok", transfer_blob(&wide_kid, &wide.public, &pkcs8))).await;
    assert!(error.expect_err("a KEK must allow only import").to_string().contains("exactly the operation 'import'"));
    assert!(w.core.get_key(&w.owner, VAULT, "byok", None).await.is_err(), "no refused import stored a key");
    assert_eq!(token_keys(&w).await, before + 1, "only the second KEK was added to the token");

    // The good blob: the key arrives in the token, and signs as the original key.
    let imported = w.core.import_key(&w.owner, VAULT, byok_request("byok", blob)).await.expect("BYOK import");
    assert_eq!(imported.kty, KeyType::RsaHsm, "a transferred key is HSM-protected");
    assert_eq!(imported.public, target.public, "with the target key's public key");
    sign_and_referee(&w, KeyRef::latest(VAULT, "byok"), &target.public, SignatureAlgorithm::Ps256).await;

    // The KEK itself only imports.
    let digest = SignatureAlgorithm::Rs256.digest().hash(b"m");
    let error = w.core.sign(&w.owner, KeyRef::latest(VAULT, "kek"), SignatureAlgorithm::Rs256, &digest).await.expect_err("KEK");
    assert_eq!(error.code(), "OperationNotAllowed", "a KEK cannot sign: {error}");
}

#[tokio::test]
async fn another_pkcs11_module_can_be_configured_and_a_wrong_pin_changes_nothing() {
    use vaultmort_core::hsm::HsmModule;
    use vaultmort_pkcs11::TokenSelector;
    use vaultmort_test_support::hsm::{LABEL, TestHsm, USER_PIN};
    use zeroize::Zeroizing;

    // A token of the test's own, as a user's own HSM would be: the home is pointed at it.
    let own = TestHsm::new();
    let w = world().await;
    let module = |pin: &str| HsmModule {
        path: vaultmort_pkcs11::softhsm::module_path(),
        token: TokenSelector::Label(LABEL.into()),
        pin: Zeroizing::new(pin.into()),
    };
    let error = w.core.hsm_configure(&w.owner, module("not-the-pin")).await.expect_err("a wrong PIN");
    assert_eq!(error.code(), "HsmUnavailable", "{error}");
    assert!(error.to_string().contains("PIN"), "the refusal names the PIN: {error}");
    assert_eq!(w.core.hsm_show(&w.owner).await.expect("show").mode, "not set up", "a refused configuration is not kept");
    let mut bad_path = module(USER_PIN);
    bad_path.path = "/nonexistent/libpkcs11.so".into();
    let error = w.core.hsm_configure(&w.owner, bad_path).await.expect_err("no such module");
    assert!(error.to_string().contains("/nonexistent/libpkcs11.so"), "the refusal names the module: {error}");

    let status = w.core.hsm_configure(&w.owner, module(USER_PIN)).await.expect("the module is configured");
    assert_eq!(status.mode, "module");
    assert_eq!(status.token.as_ref().map(|t| t.label.as_str()), Some(LABEL), "the report is the configured token's");
    let key = w.core.create_key(&w.owner, VAULT, CreateKey::new("in-own-hsm", KeyType::EcHsm)).await.expect("a key in the user's HSM");
    let objects = own.provider().token().with_session(|s| {
        Ok(s.find_objects(&[cryptoki::object::Attribute::Class(cryptoki::object::ObjectClass::PRIVATE_KEY)]).expect("find").len())
    });
    assert_eq!(objects.expect("session"), 1, "the key was made in the configured token");
    sign_and_referee(&w, KeyRef::latest(VAULT, "in-own-hsm"), &key.public, SignatureAlgorithm::Es256).await;
}

#[tokio::test]
async fn a_module_configured_by_another_door_of_the_home_is_used_at_once() {
    use vaultmort_core::hsm::HsmModule;
    use vaultmort_pkcs11::TokenSelector;
    use vaultmort_pkcs11::softhsm::SoftHsmDir;
    use zeroize::Zeroizing;

    let w = world().await;
    w.core.create_key(&w.owner, VAULT, CreateKey::new("in-practice", KeyType::EcHsm)).await.expect("the practice token is made");
    // A second core on the same home, as the CLI beside a running server or app.
    let other_door = w.home.open().await.expect("the home opens a second time").core;
    // A second token in the home's SoftHSM folder stands in for the user's own HSM.
    let hsm_dir = w.home.home_dir().join("hsm");
    let (user, so) = (Zeroizing::new("own-user-pin".to_string()), Zeroizing::new("own-so-pin".to_string()));
    SoftHsmDir::new(&hsm_dir).init_token("users-own", &so, &user).expect("a second token");
    let module = HsmModule { path: vaultmort_pkcs11::softhsm::module_path(), token: TokenSelector::Label("users-own".into()), pin: user };
    other_door.hsm_configure(&w.owner, module).await.expect("the other door configures the module");

    let seen = w.core.hsm_show(&w.owner).await.expect("show");
    assert_eq!(seen.mode, "module", "the first core sees the change without reopening");
    assert_eq!(seen.token.as_ref().map(|t| t.label.as_str()), Some("users-own"), "and reports the configured token");
    w.core.create_key(&w.owner, VAULT, CreateKey::new("in-module", KeyType::EcHsm)).await.expect("a key in the configured token");
    let objects = other_door.hsm_show(&w.owner).await.expect("show").token.expect("token").objects;
    assert_eq!(objects.iter().filter(|o| o.role == "vault key").count(), 1, "the new key went to the configured token: {objects:?}");
}
