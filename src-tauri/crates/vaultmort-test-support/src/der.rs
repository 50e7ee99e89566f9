//! The DER the tests build by hand to give openssl what Key Vault's formats leave out: an ECDSA
//! signature (Key Vault's raw `r || s`) as the `SEQUENCE { INTEGER r, INTEGER s }` openssl reads.

/// A big-endian unsigned integer without its leading zero bytes (one zero byte stays for zero).
pub fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
    &bytes[first..]
}

/// A DER length (short form, or long form with one or two bytes).
pub fn der_length(len: usize) -> Vec<u8> {
    match len {
        0..=0x7f => vec![len as u8],
        0x80..=0xff => vec![0x81, len as u8],
        _ => vec![0x82, (len >> 8) as u8, len as u8],
    }
}

/// A non-negative DER INTEGER from unsigned big-endian bytes.
pub fn der_integer(unsigned: &[u8]) -> Vec<u8> {
    let mut content = strip_leading_zeros(unsigned).to_vec();
    if content.first().is_some_and(|b| b & 0x80 != 0) {
        content.insert(0, 0);
    }
    let mut out = vec![0x02];
    out.extend(der_length(content.len()));
    out.extend(content);
    out
}

/// Key Vault's raw ECDSA `r || s` as the DER `SEQUENCE { INTEGER r, INTEGER s }` openssl reads.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Vec<u8> {
    assert!(raw.len().is_multiple_of(2), "a raw ECDSA signature is r || s of equal lengths, not {} bytes", raw.len());
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = der_integer(r);
    body.extend(der_integer(s));
    let mut out = vec![0x30];
    out.extend(der_length(body.len()));
    out.extend(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_signatures_become_minimal_positive_der_integers() {
        // r has its high bit set (needs a 0x00), s has a leading zero (must be stripped).
        let raw = [[0x80, 0x01].as_slice(), [0x00, 0x7f].as_slice()].concat();
        assert_eq!(
            ecdsa_raw_to_der(&raw),
            vec![0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x7f],
            "DER integers are minimal and positive, or openssl would reject every converted ES256 signature"
        );
    }

    #[test]
    fn long_lengths_take_the_long_form() {
        assert_eq!(der_length(0x7f), vec![0x7f], "127 fits the short form");
        assert_eq!(der_length(0x80), vec![0x81, 0x80], "128 needs one length byte after 0x81");
        assert_eq!(der_length(0x1234), vec![0x82, 0x12, 0x34], "two length bytes after 0x82");
    }
}
