//! Tests of the crypto crate's own encodings. The provider contract (every algorithm, for the
//! software and the PKCS#11 provider alike, with openssl as referee) is tested where both
//! providers are in reach: `vaultmort-pkcs11/tests/providers.rs`.

use vaultmort_crypto::{CryptoProvider, KeySpec, SoftwareProvider};

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
