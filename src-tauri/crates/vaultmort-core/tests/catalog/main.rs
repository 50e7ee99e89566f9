//! The key catalog against the core (issue 12, item 4): every key type, size, curve, operation
//! and algorithm the catalog offers is accepted by the operations that take it, every
//! certificate key type, size and curve it offers makes a certificate, and what it leaves out
//! is refused. Each test builds its own store in a temporary folder.

use vaultmort_certs::policy::{CertificatePolicy, KeyProperties};
use vaultmort_core::catalog::{KeyCatalog, KeyShapes};
use vaultmort_core::keys::{CreateKey, KeyRef};
use vaultmort_core::model::Sku;
use vaultmort_core::vaults::CreateVault;
use vaultmort_crypto::{Curve, EncryptionAlgorithm, KeyOperation, KeySpec, KeyType, SignatureAlgorithm};
use vaultmort_test_support::home::{GROUP, TestCore};

/// A core over a new store with a standard vault `std-vault` and a premium vault `hsm-vault`.
/// A core on a test home with a standard vault `std-vault` and a premium vault `hsm-vault`.
async fn world() -> TestCore {
    let world = TestCore::with_vault("std-vault").await;
    let mut premium = CreateVault::new("hsm-vault", GROUP);
    premium.sku = Sku::Premium;
    world.vault_with(premium).await;
    world
}

/// A key name for a spec: `rsa-3072`, `ec-p-256k`.
fn key_name(spec: KeySpec) -> String {
    match spec {
        KeySpec::Rsa { bits } => format!("rsa-{bits}"),
        KeySpec::Ec { curve } => format!("ec-{}", curve.as_str().to_ascii_lowercase()),
    }
}

/// A create request for `spec` with the given type.
fn create_request(name: &str, kty: KeyType, spec: KeySpec) -> CreateKey {
    let mut request = CreateKey::new(name, kty);
    match spec {
        KeySpec::Rsa { bits } => request.size = Some(bits),
        KeySpec::Ec { curve } => request.curve = Some(curve),
    }
    request
}

#[tokio::test]
async fn every_offered_key_type_shape_operation_and_algorithm_is_accepted() {
    let w = world().await;
    let catalog = w.core.key_catalog();
    let available: Vec<_> = catalog.key_types.iter().filter(|t| t.availability.is_available()).collect();
    let kinds: Vec<_> = available.iter().map(|t| t.kty).collect();
    assert_eq!(kinds, KeyType::ALL, "every key type is offered: software ones, and HSM ones in the home's practice token");
    let message = b"the message the caller hashes";
    for entry in available {
        assert_eq!(entry.premium_vault_only, entry.kty.is_hsm(), "{}: only HSM types need a premium vault", entry.kty);
        let vault = if entry.premium_vault_only { "hsm-vault" } else { "std-vault" };
        assert!(
            entry.default_operations.iter().all(|op| entry.operations.contains(op)),
            "{}: the defaults are among the offered operations",
            entry.kty
        );
        // Created with no size, curve or operations: the catalog's defaults.
        let made = w.core.create_key(&w.owner, vault, CreateKey::new(format!("default-{}", entry.kty), entry.kty)).await;
        let made = made.unwrap_or_else(|e| panic!("{}: a key with no parameters is created: {e}", entry.kty));
        let default_spec = match &entry.shapes {
            KeyShapes::Rsa { default_size, .. } => KeySpec::Rsa { bits: *default_size },
            KeyShapes::Ec { default_curve, .. } => KeySpec::Ec { curve: *default_curve },
        };
        assert_eq!(made.public.spec(), default_spec, "{}: the catalog names the default the core applies", entry.kty);
        assert_eq!(made.key_ops, entry.default_operations, "{}: and the default operations", entry.kty);

        for spec in entry.shapes.specs() {
            let name = key_name(spec);
            let mut request = create_request(&name, entry.kty, spec);
            request.key_ops = Some(entry.operations.clone());
            let key = w.core.create_key(&w.owner, vault, request).await;
            let key = key.unwrap_or_else(|e| panic!("{name}: every offered shape with every offered operation is accepted: {e}"));
            assert_eq!(key.public.spec(), spec, "{name}: the key has the shape asked for");
            let key_ref = KeyRef::latest(vault, &name);

            let offers: Vec<_> =
                entry.signature_algorithms.iter().filter(|o| o.curve.is_none_or(|c| spec == KeySpec::Ec { curve: c })).collect();
            assert!(!offers.is_empty(), "{name}: at least one signature algorithm is offered for every shape");
            for offer in offers {
                assert_eq!(offer.digest, offer.algorithm.digest(), "{name}: the digest offered is the one {} signs", offer.algorithm);
                let digest = offer.digest.hash(message);
                let signed = w.core.sign(&w.owner, key_ref, offer.algorithm, &digest).await;
                let signed = signed.unwrap_or_else(|e| panic!("{name}: offered algorithm {} signs: {e}", offer.algorithm));
                let verified = w.core.verify(&w.owner, key_ref, offer.algorithm, &digest, &signed.value).await;
                let verified = verified.unwrap_or_else(|e| panic!("{name}: {} verifies: {e}", offer.algorithm));
                assert!(verified.valid, "{name}: a signature made with {} verifies", offer.algorithm);
            }
            for &algorithm in &entry.encryption_algorithms {
                let plain = b"thirty-two bytes of key material";
                let sealed = w.core.encrypt(&w.owner, key_ref, algorithm, plain).await;
                let sealed = sealed.unwrap_or_else(|e| panic!("{name}: offered {algorithm} encrypts: {e}"));
                let opened = w.core.decrypt(&w.owner, key_ref, algorithm, &sealed.value).await;
                let opened = opened.unwrap_or_else(|e| panic!("{name}: {algorithm} decrypts: {e}"));
                assert_eq!(opened.value.as_slice(), plain, "{name}: {algorithm} gives back what it sealed");
                let wrapped = w.core.wrap_key(&w.owner, key_ref, algorithm, plain).await;
                let wrapped = wrapped.unwrap_or_else(|e| panic!("{name}: offered {algorithm} wraps: {e}"));
                let unwrapped = w.core.unwrap_key(&w.owner, key_ref, algorithm, &wrapped.value).await;
                let unwrapped = unwrapped.unwrap_or_else(|e| panic!("{name}: {algorithm} unwraps: {e}"));
                assert_eq!(unwrapped.value.as_slice(), plain, "{name}: {algorithm} unwraps what it wrapped");
            }
        }
    }
}

#[tokio::test]
async fn every_offered_certificate_key_type_size_and_curve_makes_a_certificate() {
    let w = world().await;
    let catalog = w.core.key_catalog();
    for entry in catalog.certificate_key_types.iter().filter(|t| t.availability.is_available()) {
        for spec in entry.shapes.specs() {
            let name = format!("cert-{}-{}", entry.kty.as_str().to_ascii_lowercase(), key_name(spec));
            let vault = if entry.kty.is_hsm() { "hsm-vault" } else { "std-vault" };
            let mut policy = CertificatePolicy::self_signed(&format!("CN={name}"));
            policy.key_props = Some(KeyProperties {
                // An HSM key stays in the token: its certificate cannot be exportable.
                exportable: Some(!entry.kty.is_hsm()),
                kty: Some(entry.kty.as_str().into()),
                key_size: match spec {
                    KeySpec::Rsa { bits } => Some(i64::from(bits)),
                    KeySpec::Ec { .. } => None,
                },
                curve: match spec {
                    KeySpec::Rsa { .. } => None,
                    KeySpec::Ec { curve } => Some(curve.as_str().into()),
                },
                reuse_key: Some(false),
            });
            w.core
                .create_certificate(&w.owner, vault, &name, Some(policy), true, Default::default())
                .await
                .unwrap_or_else(|e| panic!("{name}: an offered certificate key shape is accepted: {e}"));
            let key = w.core.get_key(&w.owner, vault, &name, None).await.expect("the certificate's key is readable");
            assert_eq!(key.public.spec(), spec, "{name}: the certificate's key has the offered shape");
            assert_eq!(key.kty, entry.kty, "{name}: the certificate's key is of the type the policy asked for");
        }
    }
}

/// The catalog entry of `kty`.
fn shapes_of(catalog: &KeyCatalog, kty: KeyType) -> &KeyShapes {
    &catalog.key_type(kty).expect("every key type has an entry").shapes
}

#[tokio::test]
async fn what_the_catalog_leaves_out_is_refused() {
    let w = world().await;
    let catalog = w.core.key_catalog();

    let KeyShapes::Rsa { sizes, .. } = shapes_of(&catalog, KeyType::Rsa) else { panic!("RSA keys take sizes") };
    for bits in [1024, 2047, 8192] {
        assert!(!sizes.contains(&bits), "{bits} is not offered");
        let error = w.core.create_key(&w.owner, "std-vault", create_request("odd-size", KeyType::Rsa, KeySpec::Rsa { bits })).await;
        let error = error.expect_err("a size the catalog leaves out is refused");
        assert_eq!(error.code(), "BadParameter", "RSA {bits}: {error}");
    }
    let KeyShapes::Ec { curves, .. } = shapes_of(&catalog, KeyType::Ec) else { panic!("EC keys take curves") };
    assert_eq!(curves.as_slice(), Curve::ALL, "every curve the core parses is offered, so none is left out by accident");
    let error = "P-192".parse::<Curve>().expect_err("a curve the catalog leaves out does not even parse");
    assert!(error.to_string().contains("P-256K"), "the refusal lists the curves: {error}");

    let ec = catalog.key_type(KeyType::Ec).expect("EC is in the catalog");
    let missing: Vec<_> = KeyOperation::ALL.iter().filter(|op| !ec.operations.contains(op)).collect();
    assert!(!missing.is_empty(), "EC keys are offered fewer operations than exist");
    for &&op in &missing {
        let mut request = CreateKey::new("ec-with-odd-op", KeyType::Ec);
        request.key_ops = Some(vec![op]);
        let error = w.core.create_key(&w.owner, "std-vault", request).await.expect_err("an operation not offered for EC is refused");
        assert_eq!(error.code(), "BadParameter", "EC with {op}: {error}");
    }
    assert!(ec.encryption_algorithms.is_empty(), "no encryption algorithm is offered for EC");

    w.core.create_key(&w.owner, "std-vault", CreateKey::new("p256", KeyType::Ec)).await.expect("a P-256 key");
    let p256 = KeyRef::latest("std-vault", "p256");
    for algorithm in SignatureAlgorithm::ALL {
        if ec.signature_algorithms.iter().any(|o| o.algorithm == *algorithm && o.curve == Some(Curve::P256)) {
            continue;
        }
        let digest = algorithm.digest().hash(b"m");
        let error = w.core.sign(&w.owner, p256, *algorithm, &digest).await.expect_err("an algorithm not offered for P-256 is refused");
        assert_eq!(error.code(), "BadParameter", "{algorithm} on P-256: {error}");
    }
    // No encryption algorithm is offered for EC, and an EC key cannot be given the operations
    // either (see above), so each is refused before any algorithm is looked at.
    for algorithm in EncryptionAlgorithm::ALL {
        let error = w.core.encrypt(&w.owner, p256, *algorithm, b"x").await.expect_err("EC keys do not encrypt");
        assert_eq!(error.code(), "OperationNotAllowed", "{algorithm} on an EC key: encrypt is not among its operations: {error}");
    }

    // Premium-only types in a standard vault: Azure's refusal, and nothing is made.
    for entry in catalog.key_types.iter().filter(|t| t.premium_vault_only) {
        let error = w.core.create_key(&w.owner, "std-vault", CreateKey::new("hsm-key", entry.kty)).await.expect_err("standard vault");
        assert_eq!(error.code(), "BadParameter", "{}: {error}", entry.kty);
        assert!(
            error.to_string().starts_with("Hardware key operation not allowed on standard vault."),
            "{}: the refusal is Azure's: {error}",
            entry.kty
        );
        let certificate = catalog.certificate_key_types.iter().find(|c| c.kty == entry.kty).expect("the type is in both lists");
        assert_eq!(certificate.availability, entry.availability, "{}: a certificate's key is made the same way", entry.kty);
    }
    assert!(w.core.list_keys(&w.owner, "std-vault").await.expect("list").iter().all(|k| !k.kty.is_hsm()), "no HSM key was stored");
    let mut policy = CertificatePolicy::self_signed("CN=hsm-exportable");
    policy.key_props =
        Some(KeyProperties { exportable: Some(true), kty: Some("RSA-HSM".into()), key_size: Some(2048), curve: None, reuse_key: None });
    let error = w.core.create_certificate(&w.owner, "hsm-vault", "hsm-exportable", Some(policy), true, Default::default()).await;
    let error = error.expect_err("an exportable HSM certificate is refused");
    assert!(error.to_string().contains("cannot be exportable"), "the refusal says why: {error}");

    let KeyShapes::Ec { curves: certificate_curves, .. } =
        &catalog.certificate_key_types.iter().find(|t| t.kty == KeyType::Ec).expect("EC certificates are offered").shapes
    else {
        panic!("EC certificates take curves")
    };
    assert!(!certificate_curves.contains(&Curve::P256K), "P-256K is not offered for certificates");
    let mut policy = CertificatePolicy::self_signed("CN=k1");
    policy.key_props = Some(KeyProperties {
        exportable: Some(true),
        kty: Some("EC".into()),
        key_size: None,
        curve: Some("P-256K".into()),
        reuse_key: None,
    });
    let error = w.core.create_certificate(&w.owner, "std-vault", "k1", Some(policy), true, Default::default()).await;
    let error = error.expect_err("a P-256K certificate, left out of the catalog, is refused");
    assert!(error.to_string().contains("P-256K"), "the refusal says why: {error}");

    let mut policy = CertificatePolicy::self_signed("CN=odd");
    policy.key_props =
        Some(KeyProperties { exportable: Some(true), kty: Some("RSA".into()), key_size: Some(1024), curve: None, reuse_key: None });
    let error = w.core.create_certificate(&w.owner, "std-vault", "odd", Some(policy.clone()), true, Default::default()).await;
    assert_eq!(error.expect_err("a certificate key size not offered is refused").code(), "BadParameter");
    policy.key_props = Some(KeyProperties {
        exportable: Some(true),
        kty: Some("EC".into()),
        key_size: None,
        curve: Some("P-192".into()),
        reuse_key: None,
    });
    let error = w.core.create_certificate(&w.owner, "std-vault", "odd", Some(policy), true, Default::default()).await;
    assert_eq!(error.expect_err("a certificate curve not offered is refused").code(), "BadParameter");
}
