use vaultmort_crypto::{CryptoProvider, Curve, EncryptionAlgorithm, KeySpec, SignatureAlgorithm};
use vaultmort_pkcs11::softhsm::SoftHsmDir;
use vaultmort_pkcs11::{HsmConfig, Pkcs11Provider};
use zeroize::Zeroizing;

#[test]
fn smoke() {
    let dir = tempfile::tempdir().unwrap();
    let so = Zeroizing::new("so-pin-1234".to_string());
    let user = Zeroizing::new("user-pin-1234".to_string());
    SoftHsmDir::new(dir.path()).init_token("t1", &so, &user).unwrap();
    let p =
        Pkcs11Provider::open(&HsmConfig::Practice { label: "t1".into(), user_pin: user.clone(), so_pin: so.clone() }, dir.path()).unwrap();
    for spec in [
        KeySpec::Rsa { bits: 2048 },
        KeySpec::Ec { curve: Curve::P256 },
        KeySpec::Ec { curve: Curve::P256K },
        KeySpec::Ec { curve: Curve::P521 },
    ] {
        let k = p.generate(spec).unwrap();
        for &alg in SignatureAlgorithm::ALL {
            if !alg.fits(spec) {
                continue;
            }
            let d = alg.digest().hash(b"m");
            let s = p.sign(&k.handle, &k.public, alg, &d).unwrap();
            assert!(k.public.verify(alg, &d, &s).unwrap(), "{alg}");
        }
        if let KeySpec::Rsa { .. } = spec {
            for &alg in EncryptionAlgorithm::ALL {
                let c = k.public.encrypt(alg, b"hello").unwrap();
                assert_eq!(p.decrypt(&k.handle, &k.public, alg, &c).unwrap().as_slice(), b"hello", "{alg}");
            }
        }
        let r = p.restore(&k.handle).unwrap();
        p.destroy(&k.handle).unwrap();
        let d = SignatureAlgorithm::ALL.iter().find(|a| a.fits(spec)).unwrap();
        let dg = d.digest().hash(b"x");
        assert!(p.sign(&k.handle, &k.public, *d, &dg).is_err());
        let s = p.sign(&r, &k.public, *d, &dg).unwrap();
        assert!(k.public.verify(*d, &dg, &s).unwrap());
    }
    println!("{:#?}", vaultmort_pkcs11::inspect::describe(p.token()).unwrap().objects);
}
