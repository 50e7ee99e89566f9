//! Core throughput: RSA-2048 sign, ES256 sign and secret get through the whole core API
//! (pipeline, SQLite store in WAL mode, barrier, provider, audit record per request), on a
//! temporary passphrase-protected home. `cargo xtask bench` runs this beside `openssl speed` and
//! docs/benchmarks.md records the figures.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vaultmort_core::groups::CreateGroup;
use vaultmort_core::keys::{CreateKey, KeyRef};
use vaultmort_core::secrets::SetSecret;
use vaultmort_core::vaults::CreateVault;
use vaultmort_core::{Door, RequestContext};
use vaultmort_crypto::{Curve, KeyType, SignatureAlgorithm};
use vaultmort_home::{HomeOptions, KeySourceChoice};

fn core_ops(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime for the benchmark");
    let dir = tempfile::tempdir().expect("a temporary home");
    let options = HomeOptions {
        home: Some(dir.path().to_path_buf()),
        key_source: KeySourceChoice::Passphrase,
        passphrase: Some(zeroize::Zeroizing::new("benchmark passphrase".into())),
        prompt: None,
    };
    let home = runtime.block_on(vaultmort_home::open(options)).expect("the home opens");
    let core = home.core.clone();
    let ctx = RequestContext::local_owner(Door::Cli);
    runtime
        .block_on(async {
            core.create_group(&ctx, CreateGroup { name: "bench".into(), location: "westeurope".into(), tags: Default::default() }).await?;
            core.create_vault(&ctx, CreateVault::new("bench-vault", "bench")).await?;
            core.create_key(&ctx, "bench-vault", CreateKey::new("rsa", KeyType::Rsa)).await?;
            let mut ec = CreateKey::new("ec", KeyType::Ec);
            ec.curve = Some(Curve::P256);
            core.create_key(&ctx, "bench-vault", ec).await?;
            core.set_secret(&ctx, "bench-vault", SetSecret::new("secret", "a value of modest length")).await?;
            Ok::<_, vaultmort_core::Error>(())
        })
        .expect("the benchmark vault is set up");
    let digest = [7u8; 32];

    let mut group = c.benchmark_group("core");
    group.throughput(Throughput::Elements(1));
    group.bench_function("rsa2048_sign_rs256", |b| {
        b.iter(|| {
            runtime.block_on(core.sign(&ctx, KeyRef::latest("bench-vault", "rsa"), SignatureAlgorithm::Rs256, &digest)).expect("sign")
        })
    });
    group.bench_function("p256_sign_es256", |b| {
        b.iter(|| runtime.block_on(core.sign(&ctx, KeyRef::latest("bench-vault", "ec"), SignatureAlgorithm::Es256, &digest)).expect("sign"))
    });
    group.bench_function("secret_get", |b| b.iter(|| runtime.block_on(core.get_secret(&ctx, "bench-vault", "secret", None)).expect("get")));
    group.finish();
}

criterion_group!(benches, core_ops);
criterion_main!(benches);
