//! What the object tests share: the vault they work in, the check of a refusal's code, and the
//! forms openssl reads keys in.

use vaultmort_core::objects::ObjectId;
use vaultmort_core::{Error, Result};
use vaultmort_crypto::PublicKey;
use vaultmort_test_support::home::TestCore;

/// The vault every test works in.
pub const VAULT: &str = "objects-kv";

/// A core on a fresh home with the vault [`VAULT`].
pub async fn core_with_vault() -> TestCore {
    TestCore::with_vault(VAULT).await
}

/// The error of `result`, which must have failed with `code` (and `inner`, Azure's inner code,
/// when given); `why` says why the operation must be refused.
pub fn refused<T: std::fmt::Debug>(result: Result<T>, code: &str, inner: Option<&str>, why: &str) -> Error {
    match result {
        Ok(value) => panic!("{why}: expected a {code} refusal, but it succeeded with {value:?}"),
        Err(error) => {
            assert_eq!(error.code(), code, "{why}: refused with the wrong code ({error})");
            if inner.is_some() {
                assert_eq!(error.inner_code(), inner, "{why}: refused with the wrong inner code ({error})");
            }
            assert!(!error.to_string().is_empty(), "{why}: every refusal carries a message for a person");
            error
        }
    }
}

/// The version part of an object id, which every version id must have.
pub fn version_of(id: &ObjectId) -> String {
    id.version.clone().unwrap_or_else(|| panic!("{} should name a version", id.path()))
}

/// A public key as the SubjectPublicKeyInfo PEM openssl reads.
pub fn spki_pem(public: &PublicKey) -> Vec<u8> {
    public.to_spki_pem().expect("every stored public key has a SubjectPublicKeyInfo form").into_bytes()
}
