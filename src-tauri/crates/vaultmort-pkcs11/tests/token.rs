//! What only a token can show: private keys that cannot be read or wrapped out of it, token
//! files without key material, backups that restore only into the same token, and objects that
//! go when the key is destroyed.

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeInfo, AttributeType, KeyType as CkKeyType, ObjectClass};
use vaultmort_crypto::{CryptoError, CryptoProvider, Curve, KeySpec, NewKey, SignatureAlgorithm, SoftwareProvider};
use vaultmort_pkcs11::softhsm::SoftHsmDir;
use vaultmort_pkcs11::{HsmConfig, Pkcs11Provider, TokenKeyRef};
use vaultmort_test_support::hsm::TestHsm;
use zeroize::Zeroizing;

/// The token object of `key`, found by its `CKA_ID`.
fn object_of(hsm: &TestHsm, key: &NewKey) -> cryptoki::object::ObjectHandle {
    let reference = TokenKeyRef::from_handle(&key.handle).expect("an HSM handle");
    let id = reference.id_bytes().expect("hex id");
    hsm.provider()
        .token()
        .with_session(|s| Ok(s.find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Id(id)]).expect("find")))
        .expect("session")
        .first()
        .copied()
        .expect("the key is a token object")
}

#[test]
fn private_key_values_cannot_be_read_or_wrapped_out_of_the_token() {
    let hsm = TestHsm::new();
    for spec in [KeySpec::Rsa { bits: 2048 }, KeySpec::Ec { curve: Curve::P384 }] {
        let key = hsm.provider().generate(spec).expect("key");
        let object = object_of(&hsm, &key);
        hsm.provider()
            .token()
            .with_session(|session| {
                let secret = [AttributeType::PrivateExponent, AttributeType::Value, AttributeType::Prime1];
                let info = session.get_attribute_info(object, &secret).expect("attribute info");
                let readable: Vec<_> = info.iter().filter(|i| matches!(i, AttributeInfo::Available(_))).collect();
                assert!(readable.is_empty(), "{}: no private value is readable: {info:?}", spec.describe());
                assert!(info.iter().any(|i| matches!(i, AttributeInfo::Sensitive)), "{}: the token calls them sensitive", spec.describe());
                let flags = session
                    .get_attributes(object, &[AttributeType::Sensitive, AttributeType::Extractable, AttributeType::Token])
                    .expect("flags");
                assert_eq!(
                    flags,
                    [Attribute::Sensitive(true), Attribute::Extractable(false), Attribute::Token(true)],
                    "{}",
                    spec.describe()
                );
                // A wrapping key the caller makes and controls: the token still refuses.
                let wrapping = session
                    .generate_key(
                        &Mechanism::AesKeyGen,
                        &[
                            Attribute::Class(ObjectClass::SECRET_KEY),
                            Attribute::KeyType(CkKeyType::AES),
                            Attribute::ValueLen(32.into()),
                            Attribute::Token(false),
                            Attribute::Wrap(true),
                        ],
                    )
                    .expect("an AES key of the caller's");
                let refused = session.wrap_key(&Mechanism::AesKeyWrapPad, wrapping, object);
                assert!(refused.is_err(), "{}: C_WrapKey of a vault key is refused", spec.describe());
                assert!(format!("{refused:?}").contains("KeyUnextractable"), "{}: as unextractable: {refused:?}", spec.describe());
                let refused = session.update_attributes(object, &[Attribute::Extractable(true)]);
                assert!(refused.is_err(), "{}: CKA_EXTRACTABLE cannot be switched back on", spec.describe());
                Ok(())
            })
            .expect("session");
    }
}

#[test]
fn an_imported_private_key_is_nowhere_in_the_token_files() {
    let hsm = TestHsm::new();
    let original = SoftwareProvider::new().generate(KeySpec::Rsa { bits: 2048 }).expect("key");
    let pkcs8 = vaultmort_crypto::software::pkcs8_der(&original.handle).expect("PKCS#8");
    let imported = hsm.provider().import_pkcs8(&pkcs8).expect("import into the token");
    assert_eq!(imported.public, original.public, "the token holds the same key");
    let mut files = Vec::new();
    let mut stack = vec![hsm.dir().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() { stack.push(path) } else { files.push(std::fs::read(&path).expect("readable file")) }
        }
    }
    assert!(files.len() >= 3, "the scan sees the token's files (configuration, token, objects): {}", files.len());
    // Every 24-byte piece of the PKCS#8 (which holds d, p, q, dp, dq, qi) is looked for.
    let pieces: Vec<&[u8]> = pkcs8.chunks_exact(24).collect();
    for (index, piece) in pieces.iter().enumerate() {
        let found = files.iter().any(|bytes| bytes.windows(piece.len()).any(|w| w == *piece));
        assert!(!found, "piece {index} of the private key is in a token file in plaintext");
    }
    let handle_text = String::from_utf8_lossy(&imported.handle.bytes).to_string();
    for piece in &pieces {
        assert!(!imported.handle.bytes.windows(piece.len()).any(|w| w == *piece), "the handle holds no plaintext key: {handle_text}");
    }
}

#[test]
fn a_key_restores_into_its_own_token_and_another_token_refuses_it() {
    let hsm = TestHsm::new();
    let key = hsm.provider().generate(KeySpec::Ec { curve: Curve::P256 }).expect("key");
    hsm.provider().destroy(&key.handle).expect("destroy");
    let digest = SignatureAlgorithm::Es256.digest().hash(b"m");
    let gone = hsm.provider().sign(&key.handle, &key.public, SignatureAlgorithm::Es256, &digest);
    assert!(matches!(gone, Err(CryptoError::Hsm(_))), "a destroyed key no longer signs: {gone:?}");
    let restored = hsm.provider().restore(&key.handle).expect("the token unwraps its own backup form");
    let signature = hsm.provider().sign(&restored, &key.public, SignatureAlgorithm::Es256, &digest).expect("signs again");
    assert!(key.public.verify(SignatureAlgorithm::Es256, &digest, &signature).expect("verify"), "the same key came back");

    // A second token beside the first: same module, its own backup key.
    let (user, so) = (Zeroizing::new("other-user".to_string()), Zeroizing::new("other-so".to_string()));
    SoftHsmDir::new(hsm.dir()).init_token("other-hsm", &so, &user).expect("a second token");
    let other =
        Pkcs11Provider::open(&HsmConfig::Practice { label: "other-hsm".into(), user_pin: user, so_pin: so }, hsm.dir()).expect("open");
    let error = other.restore(&key.handle).expect_err("another token refuses");
    assert!(matches!(error, CryptoError::ForeignHsm(_)), "named as another HSM's key: {error:?}");
    // Even with the serial rewritten, the wrapped key does not open under another backup key.
    let mut forged = TokenKeyRef::from_handle(&key.handle).expect("ref");
    forged.token_serial = other.token().identity().serial.clone();
    let error = other.restore(&forged.to_handle().expect("handle")).expect_err("the backup key differs");
    assert!(matches!(error, CryptoError::ForeignHsm(_)), "the unwrap fails as another HSM's key: {error:?}");
    let error = other.sign(&key.handle, &key.public, SignatureAlgorithm::Es256, &digest).expect_err("nor can it sign");
    assert!(matches!(error, CryptoError::ForeignHsm(_)), "{error:?}");
}

#[test]
fn a_damaged_oaep_256_ciphertext_fails_like_any_other() {
    let hsm = TestHsm::new();
    let key = hsm.provider().generate(KeySpec::Rsa { bits: 2048 }).expect("key");
    let algorithm = vaultmort_crypto::EncryptionAlgorithm::RsaOaep256;
    for damage in [0usize, 17, 128, 255] {
        let mut ciphertext = key.public.encrypt(algorithm, b"kept secret").expect("encrypt");
        ciphertext[damage] ^= 0x01;
        let error = hsm.provider().decrypt(&key.handle, &key.public, algorithm, &ciphertext).expect_err("damaged");
        assert_eq!(error, CryptoError::DecryptionFailed, "byte {damage} changed: the same refusal, no detail");
    }
    let error = hsm.provider().decrypt(&key.handle, &key.public, algorithm, &[1u8; 10]).expect_err("short");
    assert_eq!(error, CryptoError::DecryptionFailed, "a short ciphertext too");
}
