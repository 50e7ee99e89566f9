//! RSA-OAEP decoding (RFC 8017 section 7.1.2) with SHA-256 and MGF1-SHA-256, for tokens without
//! `CKM_RSA_PKCS_OAEP` over SHA-256 (SoftHSM 2.6 answers `CKR_ARGUMENTS_BAD`).
//!
//! The token performs the raw private-key operation (`CKM_RSA_X_509`); only the encoded message
//! comes out, and this module removes the OAEP padding. Every check feeds one flag so that a
//! bad ciphertext fails the same way whatever was wrong with it.

use aws_lc_rs::digest::{SHA256, digest};
use vaultmort_crypto::CryptoError;
use zeroize::Zeroizing;

const HASH_LEN: usize = 32;

fn mgf1(seed: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len + HASH_LEN));
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut input = Zeroizing::new(seed.to_vec());
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(digest(&SHA256, &input).as_ref());
        counter += 1;
    }
    out.truncate(len);
    out
}

/// Removes OAEP-SHA256 padding (empty label) from `encoded`, the raw RSA output of a
/// `modulus_len`-byte key.
pub(crate) fn decode_sha256(encoded: &[u8], modulus_len: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if modulus_len < 2 * HASH_LEN + 2 || encoded.len() > modulus_len {
        return Err(CryptoError::DecryptionFailed);
    }
    // The token may drop leading zero bytes of the integer: put them back.
    let mut em = Zeroizing::new(vec![0u8; modulus_len - encoded.len()]);
    em.extend_from_slice(encoded);
    let (y, rest) = (em[0], &em[1..]);
    let (masked_seed, masked_db) = rest.split_at(HASH_LEN);
    let seed_mask = mgf1(masked_db, HASH_LEN);
    let seed: Zeroizing<Vec<u8>> = Zeroizing::new(masked_seed.iter().zip(seed_mask.iter()).map(|(a, b)| a ^ b).collect());
    let db_mask = mgf1(&seed, masked_db.len());
    let db: Zeroizing<Vec<u8>> = Zeroizing::new(masked_db.iter().zip(db_mask.iter()).map(|(a, b)| a ^ b).collect());
    let label_hash = digest(&SHA256, b"");
    let mut bad = u8::from(y != 0);
    for (a, b) in db[..HASH_LEN].iter().zip(label_hash.as_ref()) {
        bad |= a ^ b;
    }
    // PS (zero bytes), then 0x01, then the message: find the separator without an early exit.
    let mut separator = 0usize;
    let mut found = 0u8;
    for (index, byte) in db.iter().enumerate().skip(HASH_LEN) {
        let is_one = u8::from(*byte == 1);
        let is_zero = u8::from(*byte == 0);
        let first_one = is_one & (found ^ 1);
        if first_one == 1 {
            separator = index;
        }
        // A non-zero, non-one byte before the separator is an error.
        bad |= (found ^ 1) & (is_zero ^ 1) & (is_one ^ 1);
        found |= is_one;
    }
    bad |= found ^ 1;
    if bad != 0 {
        return Err(CryptoError::DecryptionFailed);
    }
    Ok(Zeroizing::new(db[separator + 1..].to_vec()))
}
