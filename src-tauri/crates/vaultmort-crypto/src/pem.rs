//! PEM armour (RFC 7468): the one encoder every Vaultmort crate writes PEM with, for public keys
//! here, certificates, keys and bundles in `vaultmort-certs`, and CSRs in the desktop app.
//!
//! The text is what OpenSSL writes: `-----BEGIN <label>-----`, the DER in standard base64 with
//! padding in lines of 64 characters, `-----END <label>-----`, each line ending in `\n`. Reading
//! PEM (with its many tolerated variants) is left to the `pem` crate where it is needed.

use base64::Engine;

/// The length of a full base64 line inside a PEM block.
pub const LINE_LENGTH: usize = 64;

/// Wraps DER bytes in PEM armour labelled `label` (`CERTIFICATE`, `PUBLIC KEY`, ...), with
/// 64-character lines and a newline after the END line.
pub fn encode(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::with_capacity(body.len() + body.len() / LINE_LENGTH + 2 * label.len() + 34);
    pem.push_str("-----BEGIN ");
    pem.push_str(label);
    pem.push_str("-----\n");
    // Base64 text is ASCII, so every byte is one character.
    for line in body.as_bytes().chunks(LINE_LENGTH) {
        pem.extend(line.iter().copied().map(char::from));
        pem.push('\n');
    }
    pem.push_str("-----END ");
    pem.push_str(label);
    pem.push_str("-----\n");
    pem
}
