//! The provider contract, run for every provider: the software provider (aws-lc-rs) and the
//! PKCS#11 provider over a SoftHSM2 token of the test's own. Every algorithm round-trips,
//! refusals carry the right error, handles are opaque, and openssl referees the results: it
//! verifies every signature either provider makes and encrypts what each provider decrypts.

use vaultmort_crypto::algorithms::DigestAlgorithm;
use vaultmort_crypto::{
    CryptoError, CryptoProvider, Curve, EncryptionAlgorithm, JsonWebKey, KeySpec, KeyType, PublicKey, SignatureAlgorithm, SoftwareProvider,
};
use vaultmort_test_support::hsm::TestHsm;

/// Both providers; the HSM's token lives as long as this value.
struct Providers {
    software: SoftwareProvider,
    hsm: TestHsm,
}

impl Providers {
    fn new() -> Self {
        Self { software: SoftwareProvider::new(), hsm: TestHsm::new() }
    }

    fn each(&self) -> [&dyn CryptoProvider; 2] {
        [&self.software, self.hsm.provider()]
    }
}

mod openssl_referee {
    use vaultmort_test_support::openssl::{encrypt, verify_signature};

    use super::*;

    #[test]
    fn openssl_verifies_every_signature_of_every_shape() {
        let providers = Providers::new();
        for provider in providers.each() {
            for spec in KeySpec::all() {
                let key = provider.generate(spec).expect("key generation");
                let pem = key.public.to_spki_pem().expect("public PEM");
                for &algorithm in SignatureAlgorithm::ALL.iter().filter(|a| a.fits(spec)) {
                    let digest = algorithm.digest().hash(b"refereed message");
                    let signature = provider.sign(&key.handle, &key.public, algorithm, &digest).expect("signing");
                    verify_signature(pem.as_bytes(), algorithm.as_str(), &digest, &signature).unwrap_or_else(|refused| {
                        panic!("{} provider, {}: openssl accepts {algorithm}: {refused:?}", provider.kind(), spec.describe())
                    });
                }
            }
        }
    }

    #[test]
    fn what_openssl_encrypts_each_provider_decrypts() {
        let providers = Providers::new();
        for provider in providers.each() {
            for bits in [2048, 4096] {
                let key = provider.generate(KeySpec::Rsa { bits }).expect("key");
                let pem = key.public.to_spki_pem().expect("public PEM");
                for &algorithm in EncryptionAlgorithm::ALL {
                    let ciphertext = encrypt(pem.as_bytes(), algorithm.as_str(), b"openssl's plaintext");
                    let plain = provider
                        .decrypt(&key.handle, &key.public, algorithm, &ciphertext)
                        .unwrap_or_else(|e| panic!("{} provider decrypts openssl's RSA-{bits} {algorithm}: {e}", provider.kind()));
                    assert_eq!(plain.as_slice(), b"openssl's plaintext", "{} provider, RSA-{bits} {algorithm}", provider.kind());
                }
            }
        }
    }
}

mod sign_verify {
    use super::*;

    fn spec_for(algorithm: SignatureAlgorithm) -> KeySpec {
        match algorithm.curve() {
            Some(curve) => KeySpec::Ec { curve },
            None => KeySpec::Rsa { bits: 2048 },
        }
    }

    #[test]
    fn every_algorithm_round_trips_and_rejects_a_changed_digest() {
        let providers = Providers::new();
        for provider in providers.each() {
            for &algorithm in SignatureAlgorithm::ALL {
                let key = provider.generate(spec_for(algorithm)).expect("key generation");
                let digest = algorithm.digest().hash(b"message");
                let signature = provider.sign(&key.handle, &key.public, algorithm, &digest).expect("signing");
                assert!(
                    key.public.verify(algorithm, &digest, &signature).expect("verify runs"),
                    "{algorithm} must verify its own signature"
                );
                let mut changed = digest.clone();
                changed[0] ^= 1;
                assert!(
                    !key.public.verify(algorithm, &changed, &signature).expect("verify runs"),
                    "{algorithm} must reject a signature over another digest"
                );
            }
        }
    }

    #[test]
    fn ecdsa_signatures_are_fixed_length_r_and_s() {
        let providers = Providers::new();
        for provider in providers.each() {
            for (curve, len) in [(Curve::P256, 64), (Curve::P384, 96), (Curve::P521, 132), (Curve::P256K, 64)] {
                let key = provider.generate(KeySpec::Ec { curve }).expect("key");
                let algorithm = curve.signature_algorithm();
                let sig = provider.sign(&key.handle, &key.public, algorithm, &algorithm.digest().hash(b"m")).expect("sign");
                assert_eq!(sig.len(), len, "Key Vault returns r||s, each padded to the curve size, for {curve}");
            }
        }
    }

    #[test]
    fn wrong_digest_length_and_wrong_curve_are_refused() {
        let providers = Providers::new();
        for provider in providers.each() {
            let rsa = provider.generate(KeySpec::Rsa { bits: 2048 }).expect("key");
            let err = provider.sign(&rsa.handle, &rsa.public, SignatureAlgorithm::Rs256, &[0u8; 31]).expect_err("31 bytes is no SHA-256");
            assert_eq!(err, CryptoError::DigestLength { algorithm: "RS256".into(), expected: 32, actual: 31 });
            let err = provider.sign(&rsa.handle, &rsa.public, SignatureAlgorithm::Es256, &[0u8; 32]).expect_err("ES256 needs P-256");
            assert!(matches!(err, CryptoError::AlgorithmKeyMismatch { .. }), "an EC algorithm on an RSA key is a mismatch: {err:?}");
            let p256 = provider.generate(KeySpec::Ec { curve: Curve::P256 }).expect("key");
            let err = provider.sign(&p256.handle, &p256.public, SignatureAlgorithm::Es384, &[0u8; 48]).expect_err("ES384 needs P-384");
            assert!(matches!(err, CryptoError::AlgorithmKeyMismatch { .. }), "ES384 on P-256 is a mismatch: {err:?}");
        }
    }
}

mod encrypt_decrypt {
    use super::*;

    #[test]
    fn every_algorithm_round_trips_for_every_rsa_size() {
        let providers = Providers::new();
        for provider in providers.each() {
            for bits in KeySpec::RSA_SIZES {
                let key = provider.generate(KeySpec::Rsa { bits }).expect("key");
                for &algorithm in EncryptionAlgorithm::ALL {
                    let secret = b"thirty-two bytes of key material";
                    let ciphertext = key.public.encrypt(algorithm, secret).expect("encrypt");
                    assert_eq!(ciphertext.len() * 8, bits as usize, "RSA ciphertext is as long as the modulus");
                    let plain = provider.decrypt(&key.handle, &key.public, algorithm, &ciphertext).expect("decrypt");
                    assert_eq!(plain.as_slice(), secret, "{algorithm} with RSA-{bits} must round-trip");
                    assert_ne!(key.public.encrypt(algorithm, secret).expect("encrypt"), ciphertext, "RSA padding is randomised");
                }
            }
        }
    }

    #[test]
    fn limits_and_damage_are_reported() {
        let providers = Providers::new();
        for provider in providers.each() {
            let key = provider.generate(KeySpec::Rsa { bits: 2048 }).expect("key");
            let max = EncryptionAlgorithm::RsaOaep256.max_plaintext(256);
            assert_eq!(max, 190, "OAEP-SHA-256 takes k - 2*32 - 2 bytes");
            let err = key.public.encrypt(EncryptionAlgorithm::RsaOaep256, &vec![1u8; max + 1]).expect_err("too long");
            assert!(matches!(err, CryptoError::PlaintextTooLong { max: 190, actual: 191, .. }), "{err:?}");
            let mut ciphertext = key.public.encrypt(EncryptionAlgorithm::RsaOaep, b"x").expect("encrypt");
            ciphertext[10] ^= 0x40;
            let err = provider.decrypt(&key.handle, &key.public, EncryptionAlgorithm::RsaOaep, &ciphertext).expect_err("damaged");
            assert_eq!(err, CryptoError::DecryptionFailed, "a damaged ciphertext fails without detail");
            let ec = provider.generate(KeySpec::Ec { curve: Curve::P256 }).expect("key");
            assert!(ec.public.encrypt(EncryptionAlgorithm::RsaOaep, b"x").is_err(), "EC keys do not encrypt");
        }
    }
}

mod jwk_import {
    use super::*;

    #[test]
    fn a_public_jwk_without_private_members_is_refused_by_name() {
        let providers = Providers::new();
        for provider in providers.each() {
            let key = provider.generate(KeySpec::Rsa { bits: 2048 }).expect("key");
            let public_only = JsonWebKey::from_public(&key.public, KeyType::Rsa, None, &[]);
            let err = provider.import_jwk(&public_only).expect_err("no private members");
            assert_eq!(err, CryptoError::InvalidJwk("member 'd' is required for kty RSA".into()));
        }
    }

    #[test]
    fn unknown_types_and_curves_are_refused() {
        let providers = Providers::new();
        for provider in providers.each() {
            let oct = JsonWebKey::parse(r#"{"kty":"oct","k":"AAAA"}"#).expect("parses as JSON");
            assert!(matches!(provider.import_jwk(&oct), Err(CryptoError::InvalidJwk(_))), "oct keys are not software keys");
            let bad_curve = JsonWebKey::parse(r#"{"kty":"EC","crv":"P-192","x":"AA","y":"AA","d":"AA"}"#).expect("JSON");
            let err = provider.import_jwk(&bad_curve).expect_err("P-192 is not offered");
            assert!(err.to_string().contains("P-192"), "the message names the curve: {err}");
        }
    }

    #[test]
    fn an_ec_point_off_the_curve_is_refused() {
        let providers = Providers::new();
        for provider in providers.each() {
            let key = provider.generate(KeySpec::Ec { curve: Curve::P256 }).expect("key");
            let PublicKey::Ec { curve, x, mut y } = key.public.clone() else { panic!("an EC key has an EC public key") };
            y[31] ^= 1;
            let moved = PublicKey::Ec { curve, x, y };
            assert!(moved.to_spki_der().is_err(), "a point that is not on P-256 cannot be encoded as a P-256 key");
        }
    }
}

mod handles {
    use super::*;

    #[test]
    fn debug_output_never_shows_key_bytes() {
        let providers = Providers::new();
        for provider in providers.each() {
            let key = provider.generate(KeySpec::Ec { curve: Curve::P256 }).expect("key");
            let shown = format!("{:?}", key.handle);
            assert_eq!(shown, format!("ProviderKey({}, ..)", provider.kind()), "handles are printed without their bytes");
        }
    }

    #[test]
    fn digests_have_the_lengths_key_vault_expects() {
        assert_eq!(DigestAlgorithm::Sha256.hash(b"").len(), 32);
        assert_eq!(DigestAlgorithm::Sha384.hash(b"").len(), 48);
        assert_eq!(DigestAlgorithm::Sha512.hash(b"").len(), 64);
    }
}

mod pkcs8_import {
    use super::*;

    #[test]
    fn a_pkcs8_key_imports_with_the_same_public_key() {
        let providers = Providers::new();
        for provider in providers.each() {
            for spec in [KeySpec::Rsa { bits: 2048 }, KeySpec::Ec { curve: Curve::P384 }, KeySpec::Ec { curve: Curve::P521 }] {
                let original = SoftwareProvider::new().generate(spec).expect("key");
                let der = vaultmort_crypto::software::pkcs8_der(&original.handle).expect("software keys have PKCS#8");
                let imported = provider.import_pkcs8(&der).expect("PKCS#8 imports");
                assert_eq!(imported.public, original.public, "an imported {} keeps its public key", spec.describe());
            }
        }
    }

    #[test]
    fn garbage_is_refused_without_echoing_it() {
        let providers = Providers::new();
        for provider in providers.each() {
            let err = provider.import_pkcs8(b"definitely not a key").expect_err("not PKCS#8");
            assert!(matches!(err, CryptoError::UnsupportedKey(_)), "{err:?}");
            assert!(!err.to_string().contains("definitely"), "the input is never echoed in the message");
        }
    }
}
