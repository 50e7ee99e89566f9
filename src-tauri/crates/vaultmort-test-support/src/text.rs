//! Base64 in the two alphabets the doors print (standard for values, URL-safe without padding
//! for JWK members), and PEM blocks, for tests that compare bytes with what openssl reads.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// Standard base64, as the CLI prints values and results.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard base64; panics on anything else, naming it.
pub fn unb64(text: &str) -> Vec<u8> {
    STANDARD.decode(text).unwrap_or_else(|e| panic!("expected standard base64, got {text:?}: {e}"))
}

/// Base64url without padding, as JWK members are written.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding; panics on anything else, naming it.
pub fn unb64url(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap_or_else(|e| panic!("expected base64url without padding, got {text:?}: {e}"))
}

/// `der` as one PEM block with `label` (`CERTIFICATE`, `PUBLIC KEY`, ...), 64 characters a line.
pub fn pem(label: &str, der: &[u8]) -> String {
    let body = b64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is UTF-8.
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Every PEM block of `text` with its BEGIN and END lines, in order.
pub fn pem_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("-----BEGIN ") {
            current = Some(String::new());
        }
        if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
        if line.starts_with("-----END ") {
            blocks.extend(current.take());
        }
    }
    blocks
}

/// The DER inside one PEM block (its base64 lines decoded; headers such as `Proc-Type` skipped).
pub fn pem_der(block: &str) -> Vec<u8> {
    let body: String = block.lines().filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.trim().is_empty()).collect();
    unb64(body.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trips_through_its_blocks() {
        let der: Vec<u8> = (0..=200u8).collect();
        let text = pem("CERTIFICATE", &der);
        assert!(text.lines().all(|l| l.len() <= 64), "PEM lines are at most 64 characters, as openssl writes them: {text}");
        let blocks = pem_blocks(&format!("junk before\n{text}{text}"));
        assert_eq!(blocks.len(), 2, "two blocks are found and the junk before them is left out: {blocks:?}");
        assert_eq!(pem_der(&blocks[1]), der, "a block decodes back to the DER it was made of");
    }
}
