//! Core throughput through the whole core API (pipeline, SQLite store in WAL mode, barrier,
//! provider, audit record per request), on a temporary passphrase-protected home:
//! RSA-2048 sign, ES256 sign and secret get; self-signed certificate creation (RSA-2048 and
//! P-256) and the import of a PFX holding a 3-certificate chain (made with the openssl CLI).
//! `cargo xtask bench` runs this beside `openssl speed`, `openssl req -x509 -newkey` and
//! `openssl pkcs12`; docs/benchmarks.md records the figures.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vaultmort_core::keys::{CreateKey, KeyRef};
use vaultmort_core::secrets::SetSecret;
use vaultmort_crypto::{Curve, KeyType, SignatureAlgorithm};
use vaultmort_test_support::home::TestCore;
use vaultmort_test_support::pki::{Leaf, OpensslPki};

fn core_ops(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime for the benchmark");
    // A throwaway passphrase-protected home, opened as the CLI opens its own.
    let test = runtime.block_on(TestCore::with_vault("bench-vault"));
    let core = test.core.clone();
    let ctx = test.owner.clone();
    runtime
        .block_on(async {
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

    // A PFX (OpenSSL 3 defaults, password `bench`) with a leaf, an intermediate and a root.
    let pki = OpensslPki::new();
    let pfx = pki.pfx(Leaf::Rsa, "bench", &[]);
    let policy = |kty: &str| {
        let json = format!(
            r#"{{"issuer":{{"name":"Self"}},"key_props":{{"kty":"{kty}","exportable":true,"reuse_key":false{}}},
               "x509_props":{{"subject":"CN=bench.example","validity_months":12}},"secret_props":{{"contentType":"application/x-pkcs12"}}}}"#,
            if kty == "RSA" { r#","key_size":2048"# } else { r#","crv":"P-256""# }
        );
        serde_json::from_str::<vaultmort_certs::CertificatePolicy>(&json).expect("a valid policy")
    };
    let (rsa_policy, ec_policy) = (policy("RSA"), policy("EC"));
    let counter = std::cell::Cell::new(0u64);
    let next = |prefix: &str| {
        counter.set(counter.get() + 1);
        format!("{prefix}-{}", counter.get())
    };
    let mut certs = c.benchmark_group("certificates");
    certs.sample_size(20);
    certs.bench_function("create_self_signed_rsa2048", |b| {
        b.iter(|| {
            let name = next("rsa");
            runtime
                .block_on(core.create_certificate(&ctx, "bench-vault", &name, Some(rsa_policy.clone()), true, Default::default()))
                .expect("create")
        })
    });
    certs.bench_function("create_self_signed_p256", |b| {
        b.iter(|| {
            let name = next("ec");
            runtime
                .block_on(core.create_certificate(&ctx, "bench-vault", &name, Some(ec_policy.clone()), true, Default::default()))
                .expect("create")
        })
    });
    certs.bench_function("import_pfx_3_cert_chain", |b| {
        b.iter(|| {
            let request = vaultmort_core::certificates::ImportCertificate {
                name: next("pfx"),
                data: zeroize::Zeroizing::new(pfx.clone()),
                password: Some(zeroize::Zeroizing::new("bench".into())),
                policy: None,
                enabled: true,
                tags: Default::default(),
            };
            runtime.block_on(core.import_certificate(&ctx, "bench-vault", request)).expect("import")
        })
    });
    // The same work done by the openssl CLI, one process per operation as people run it.
    let openssl = |args: &[&str]| {
        pki.scratch.openssl(args);
    };
    certs.bench_function("openssl_req_x509_newkey_rsa2048", |b| {
        b.iter(|| {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "o.key",
                "-out",
                "o.pem",
                "-subj",
                "/CN=bench.example",
                "-days",
                "365",
            ])
        })
    });
    certs.bench_function("openssl_req_x509_newkey_p256", |b| {
        b.iter(|| {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "o.key",
                "-out",
                "o.pem",
                "-subj",
                "/CN=bench.example",
                "-days",
                "365",
            ])
        })
    });
    certs.bench_function("openssl_pkcs12_read_3_cert_chain", |b| {
        b.iter(|| openssl(&["pkcs12", "-in", "leaf.pfx", "-passin", "pass:bench", "-nodes", "-out", "o.pem"]))
    });
    certs.finish();
}

criterion_group!(benches, core_ops);
criterion_main!(benches);
