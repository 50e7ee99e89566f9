//! Tests of the crypto crate, run against every provider (today: the software provider).
//! Interoperability with openssl is tested through the CLI; these tests pin the provider
//! contract: every algorithm round-trips, refusals carry the right error, and handles are
//! opaque.

use vaultmort_crypto::algorithms::DigestAlgorithm;
use vaultmort_crypto::{
    CryptoError, CryptoProvider, Curve, EncryptionAlgorithm, JsonWebKey, KeySpec, KeyType, PublicKey, SignatureAlgorithm, SoftwareProvider,
};

fn providers() -> Vec<Box<dyn CryptoProvider>> {
    vec![Box::new(SoftwareProvider::new())]
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
        for provider in providers() {
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
        for provider in providers() {
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
        for provider in providers() {
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
        for provider in providers() {
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
        for provider in providers() {
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
        for provider in providers() {
            let key = provider.generate(KeySpec::Rsa { bits: 2048 }).expect("key");
            let public_only = JsonWebKey::from_public(&key.public, KeyType::Rsa, None, &[]);
            let err = provider.import_jwk(&public_only).expect_err("no private members");
            assert_eq!(err, CryptoError::InvalidJwk("member 'd' is required for kty RSA".into()));
        }
    }

    #[test]
    fn unknown_types_and_curves_are_refused() {
        for provider in providers() {
            let oct = JsonWebKey::parse(r#"{"kty":"oct","k":"AAAA"}"#).expect("parses as JSON");
            assert!(matches!(provider.import_jwk(&oct), Err(CryptoError::InvalidJwk(_))), "oct keys are not software keys");
            let bad_curve = JsonWebKey::parse(r#"{"kty":"EC","crv":"P-192","x":"AA","y":"AA","d":"AA"}"#).expect("JSON");
            let err = provider.import_jwk(&bad_curve).expect_err("P-192 is not offered");
            assert!(err.to_string().contains("P-192"), "the message names the curve: {err}");
        }
    }

    #[test]
    fn an_ec_point_off_the_curve_is_refused() {
        for provider in providers() {
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
        for provider in providers() {
            let key = provider.generate(KeySpec::Ec { curve: Curve::P256 }).expect("key");
            let shown = format!("{:?}", key.handle);
            assert_eq!(shown, "ProviderKey(software, ..)", "handles are printed without their bytes");
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
        for provider in providers() {
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
        for provider in providers() {
            let err = provider.import_pkcs8(b"definitely not a key").expect_err("not PKCS#8");
            assert!(matches!(err, CryptoError::UnsupportedKey(_)), "{err:?}");
            assert!(!err.to_string().contains("definitely"), "the input is never echoed in the message");
        }
    }
}

mod pem {
    use std::io::Write;
    use std::process::{Command, Stdio};

    use base64::Engine;
    use vaultmort_crypto::pem::{LINE_LENGTH, encode};

    use super::*;

    /// The base64 lines between the BEGIN and END lines.
    fn body_lines<'a>(text: &'a str, label: &str) -> Vec<&'a str> {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.first(), Some(&begin.as_str()), "the text starts with the BEGIN line: {text}");
        assert_eq!(lines.last(), Some(&""), "the text ends with a newline after the END line: {text:?}");
        assert_eq!(lines.get(lines.len() - 2), Some(&end.as_str()), "the last line is the END line: {text}");
        lines[1..lines.len() - 2].to_vec()
    }

    #[test]
    fn lines_hold_64_characters_and_the_last_one_the_rest() {
        // 48 bytes are exactly one full line; 49 spill one block into a second line.
        for (size, expected_lines) in [(1, 1), (48, 1), (49, 2), (96, 2), (300, 7)] {
            let der: Vec<u8> = (0..size).map(|i| (i * 7 % 256) as u8).collect();
            let text = encode("TEST DATA", &der);
            let lines = body_lines(&text, "TEST DATA");
            assert_eq!(lines.len(), expected_lines, "{size} bytes make {expected_lines} base64 line(s): {text}");
            let (last, full) = lines.split_last().expect("at least one line");
            assert!(full.iter().all(|l| l.len() == LINE_LENGTH), "every line but the last is exactly 64 characters: {text}");
            assert!(!last.is_empty() && last.len() <= LINE_LENGTH, "the last line holds the rest, 1 to 64 characters: {text}");
            let joined: String = lines.concat();
            let decoded = base64::engine::general_purpose::STANDARD.decode(joined).expect("the body is standard base64");
            assert_eq!(decoded, der, "the body decodes to the DER given");
        }
    }

    #[test]
    fn openssl_reads_a_public_key_back_to_the_same_der() {
        let key = SoftwareProvider::new().generate(KeySpec::Rsa { bits: 2048 }).expect("key");
        let der = key.public.to_spki_der().expect("SPKI");
        let text = encode("PUBLIC KEY", &der);
        assert_eq!(key.public.to_spki_pem().expect("PEM"), text, "to_spki_pem writes with the one encoder");
        let mut child = Command::new("openssl")
            .args(["pkey", "-pubin", "-inform", "PEM", "-outform", "DER"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl is installed (cargo xtask setup installs it)");
        child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write the PEM to openssl");
        let output = child.wait_with_output().expect("openssl ran");
        assert!(output.status.success(), "openssl reads the PEM: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.stdout, der, "openssl decodes the PEM to the very SPKI encoded");
    }
}
