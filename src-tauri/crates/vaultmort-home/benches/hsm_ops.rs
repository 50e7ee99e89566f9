//! HSM signing: RSA-2048 RS256 through the whole core (pipeline, store, barrier, audit record,
//! PKCS#11 provider) against a raw PKCS#11 `C_Sign` loop with the same key object in the same
//! SoftHSM2 token, in the same run. The home is configured to use a test token whose PIN the raw loop also knows.
//! `cargo xtask bench` runs it; docs/benchmarks.md records the figures (issue 13: aim 0.8x).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use vaultmort_core::hsm::HsmModule;
use vaultmort_core::keys::{CreateKey, KeyRef};
use vaultmort_core::model::Sku;
use vaultmort_core::vaults::CreateVault;
use vaultmort_crypto::{KeyType, SignatureAlgorithm};
use vaultmort_pkcs11::TokenSelector;
use vaultmort_pkcs11::module::Token;
use vaultmort_pkcs11::provider::KEY_LABEL_PREFIX;
use vaultmort_test_support::home::{GROUP, TestCore};
use vaultmort_test_support::hsm::{LABEL, TestHsm, USER_PIN};
use zeroize::Zeroizing;

/// DER DigestInfo prefix of SHA-256, as a PKCS#1 v1.5 signature over a digest needs.
const SHA256_INFO: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

fn hsm_ops(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime for the benchmark");
    let hsm = TestHsm::new();
    let test = runtime.block_on(TestCore::new());
    let (core, ctx) = (test.core.clone(), test.owner.clone());
    runtime
        .block_on(async {
            let module = HsmModule {
                path: vaultmort_pkcs11::softhsm::module_path(),
                token: TokenSelector::Label(LABEL.into()),
                pin: Zeroizing::new(USER_PIN.into()),
            };
            core.hsm_configure(&ctx, module).await?;
            let mut vault = CreateVault::new("bench-hsm", GROUP);
            vault.sku = Sku::Premium;
            core.create_vault(&ctx, vault).await?;
            core.create_key(&ctx, "bench-hsm", CreateKey::new("rsa", KeyType::RsaHsm)).await?;
            Ok::<_, vaultmort_core::Error>(())
        })
        .expect("the benchmark's premium vault and HSM key are set up");

    // The raw loop signs with the very key object the core made, found in the token by its
    // label, through sessions of its own.
    let token =
        Token::open(&vaultmort_pkcs11::softhsm::module_path(), &TokenSelector::Label(LABEL.into()), &Zeroizing::new(USER_PIN.into()))
            .expect("the raw loop opens the same token");
    let session = token.context().open_ro_session(token.slot()).expect("a session for the raw loop");
    let vault_keys: Vec<_> = session
        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
        .expect("C_FindObjects")
        .into_iter()
        .filter(|object| {
            let label = session.get_attributes(*object, &[AttributeType::Label]).expect("label");
            matches!(label.first(), Some(Attribute::Label(l)) if l.starts_with(KEY_LABEL_PREFIX.as_bytes()))
        })
        .collect();
    assert_eq!(vault_keys.len(), 1, "the token holds the one key the benchmark made");
    let data = [SHA256_INFO.as_slice(), &[7u8; 32]].concat();
    let digest = [7u8; 32];

    let mut group = c.benchmark_group("hsm");
    group.throughput(Throughput::Elements(1));
    group.bench_function("core_rsa2048_sign_rs256", |b| {
        b.iter(|| runtime.block_on(core.sign(&ctx, KeyRef::latest("bench-hsm", "rsa"), SignatureAlgorithm::Rs256, &digest)).expect("sign"))
    });
    group
        .bench_function("raw_pkcs11_rsa2048_sign", |b| b.iter(|| session.sign(&Mechanism::RsaPkcs, vault_keys[0], &data).expect("C_Sign")));
    group.finish();
    drop(hsm);
}

criterion_group!(benches, hsm_ops);
criterion_main!(benches);
