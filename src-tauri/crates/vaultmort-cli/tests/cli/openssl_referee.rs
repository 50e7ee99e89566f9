//! openssl as the referee of key interoperability: every signature algorithm (RS*, PS*, ES*)
//! is checked by openssl against the downloaded public key (PEM and DER); ciphertexts made by
//! openssl decrypt and unwrap in Vaultmort; Vaultmort's ciphertexts are randomized and, for an
//! imported key whose private half openssl holds, decrypt in openssl; imported RSA and EC JWKs
//! built from openssl keys sign exactly as the original keys and export the same public key.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{TestHome, b64, b64url, ecdsa_raw_to_der, openssl, openssl_ok, strip_leading_zeros, unb64, unb64url};

const VAULT: &str = "referee-vault";

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

fn path(file: &Path) -> &str {
    file.to_str().expect("scratch paths are UTF-8")
}

fn write(file: &Path, bytes: &[u8]) {
    std::fs::write(file, bytes).unwrap_or_else(|e| panic!("scratch file {} must be writable: {e}", file.display()));
}

fn read(file: &Path) -> Vec<u8> {
    std::fs::read(file).unwrap_or_else(|e| panic!("{} should have been written: {e}", file.display()))
}

/// Random bytes from openssl (an independent source, so Vaultmort cannot predict them).
fn random_bytes(count: usize) -> Vec<u8> {
    let bytes = openssl_ok(&["rand", &count.to_string()], None);
    assert_eq!(bytes.len(), count, "openssl rand writes exactly the number of bytes asked for");
    bytes
}

/// A copy of `bytes` with its lowest bit flipped.
fn flipped(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let last = out.last_mut().expect("a digest is never empty");
    *last ^= 1;
    out
}

fn left_pad(bytes: &[u8], len: usize) -> Vec<u8> {
    let bytes = strip_leading_zeros(bytes);
    assert!(bytes.len() <= len, "a {}-byte value cannot fit a {len}-byte field", bytes.len());
    let mut out = vec![0u8; len - bytes.len()];
    out.extend_from_slice(bytes);
    out
}

/// Creates key `name` in [`VAULT`] with extra `create` flags and returns the printed key.
fn create_key(home: &TestHome, name: &str, extra: &[&str]) -> Value {
    let mut args = vec!["keyvault", "key", "create", "--vault-name", VAULT, "--name", name];
    args.extend_from_slice(extra);
    home.ok(&args)
}

/// Downloads key `name` in `encoding` to a scratch file and returns its path.
fn download(home: &TestHome, name: &str, encoding: &str, file_name: &str) -> PathBuf {
    let file = home.scratch(file_name);
    let printed =
        home.ok(&["keyvault", "key", "download", "--vault-name", VAULT, "--name", name, "--encoding", encoding, "--file", path(&file)]);
    assert_eq!(printed, Value::Null, "download writes the file and prints nothing");
    file
}

fn sign(home: &TestHome, name: &str, algorithm: &str, digest: &[u8]) -> Vec<u8> {
    let out =
        home.ok(&["keyvault", "key", "sign", "--vault-name", VAULT, "--name", name, "--algorithm", algorithm, "--digest", &b64(digest)]);
    assert_eq!(out["algorithm"], algorithm, "sign reports the algorithm it used");
    unb64(out["signature"].as_str().expect("sign prints the signature as base64"))
}

fn verify(home: &TestHome, name: &str, algorithm: &str, digest: &[u8], signature: &[u8]) -> bool {
    let out = home.ok(&[
        "keyvault",
        "key",
        "verify",
        "--vault-name",
        VAULT,
        "--name",
        name,
        "--algorithm",
        algorithm,
        "--digest",
        &b64(digest),
        "--signature",
        &b64(signature),
    ]);
    out["isValid"].as_bool().expect("verify prints isValid as a boolean")
}

/// Runs a key crypto command (`encrypt`, `decrypt`, `wrap`, `unwrap`) and returns the result bytes.
fn crypt(home: &TestHome, command: &str, name: &str, algorithm: &str, value: &[u8]) -> Vec<u8> {
    let out =
        home.ok(&["keyvault", "key", command, "--vault-name", VAULT, "--name", name, "--algorithm", algorithm, "--value", &b64(value)]);
    assert_eq!(out["algorithm"], algorithm, "{command} reports the algorithm it used");
    unb64(out["result"].as_str().expect("the crypto commands print the result as base64"))
}

/// openssl's refusal of a signature, with what it printed.
#[derive(Debug)]
struct OpensslRefused(String);

impl std::fmt::Display for OpensslRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "openssl refused: {}", self.0)
    }
}

/// Whether openssl accepts a signature (`pkeyutl -verify` / `dgst -verify`).
fn openssl_accepts(args: &[&str]) -> Result<(), OpensslRefused> {
    let out = openssl(args, None);
    if out.status.success() {
        Ok(())
    } else {
        Err(OpensslRefused(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))))
    }
}

/// The bytes of the hex block under `label:` in openssl's `-text` output (`modulus:`, `priv:`,
/// `pub:`, ...); openssl prints them as indented `xx:xx:` lines.
fn text_field(text: &str, label: &str) -> Vec<u8> {
    let header = format!("{label}:");
    let mut lines = text.lines().skip_while(|line| line.trim() != header);
    assert!(lines.next().is_some(), "openssl's -text output should have a `{header}` block:\n{text}");
    let hex: String = lines
        .take_while(|line| {
            let trimmed = line.trim();
            line.starts_with(char::is_whitespace) && !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
        })
        .map(|line| line.trim().replace(':', ""))
        .collect();
    hex::decode(&hex).unwrap_or_else(|e| panic!("the `{header}` block should be hex bytes ({e}):\n{text}"))
}

/// The public exponent from a `publicExponent: 65537 (0x10001)` (or `Exponent:`) line.
fn text_exponent(text: &str) -> Vec<u8> {
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with("publicExponent:") || line.trim_start().starts_with("Exponent:"))
        .unwrap_or_else(|| panic!("openssl's -text output should show the public exponent:\n{text}"));
    let hex = line.split("(0x").nth(1).and_then(|rest| rest.split(')').next()).expect("the exponent line carries the value in hex");
    let even = if !hex.len().is_multiple_of(2) { format!("0{hex}") } else { hex.to_string() };
    hex::decode(even).expect("the exponent is hex")
}

// ---------------------------------------------------------------------------------------------
// ECDSA signature encodings: Key Vault's raw r||s against openssl's DER ECDSA-Sig-Value
// ---------------------------------------------------------------------------------------------

/// Reads one DER element with `tag` at the start of `bytes`: (content, rest).
fn der_element(bytes: &[u8], tag: u8) -> (&[u8], &[u8]) {
    assert_eq!(bytes.first(), Some(&tag), "openssl's ECDSA signature should have DER tag {tag:#04x} here");
    let (len, header) = match bytes[1] {
        short @ 0..=0x7f => (short as usize, 2),
        0x81 => (bytes[2] as usize, 3),
        0x82 => (((bytes[2] as usize) << 8) | bytes[3] as usize, 4),
        other => panic!("unexpected DER length byte {other:#04x}"),
    };
    (&bytes[header..header + len], &bytes[header + len..])
}

/// openssl's DER ECDSA signature as Key Vault's raw `r || s`, each padded to `coordinate` bytes.
fn ecdsa_der_to_raw(der: &[u8], coordinate: usize) -> Vec<u8> {
    let (sequence, rest) = der_element(der, 0x30);
    assert!(rest.is_empty(), "an ECDSA signature is one SEQUENCE");
    let (r, after_r) = der_element(sequence, 0x02);
    let (s, after_s) = der_element(after_r, 0x02);
    assert!(after_s.is_empty(), "ECDSA-Sig-Value holds exactly r and s");
    let mut raw = left_pad(r, coordinate);
    raw.extend(left_pad(s, coordinate));
    raw
}

#[test]
fn der_encoder_matches_known_encodings() {
    // r has its high bit set (needs a 0x00), s has leading zeros (must be stripped).
    let raw = [[0x80, 0x01].as_slice(), [0x00, 0x7f].as_slice()].concat();
    assert_eq!(
        ecdsa_raw_to_der(&raw),
        vec![0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x7f],
        "DER integers are minimal and positive: 0x00 before a high bit, no leading zero bytes otherwise"
    );
    assert_eq!(ecdsa_der_to_raw(&ecdsa_raw_to_der(&raw), 2), raw, "DER -> raw must undo raw -> DER");
    // A P-521 sized signature needs the long form of the SEQUENCE length.
    let long = vec![0xffu8; 132];
    let der = ecdsa_raw_to_der(&long);
    assert_eq!(&der[..3], &[0x30, 0x81, 0x8a], "138 content bytes take the 0x81 long length form");
    assert_eq!(ecdsa_der_to_raw(&der, 66), long, "the long form decodes back");
}

// ---------------------------------------------------------------------------------------------
// Signatures: every algorithm, checked by openssl against the downloaded PEM
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Pkcs1,
    Pss,
    Ecdsa,
}

fn family(algorithm: &str) -> (Family, &'static str) {
    let digest = match &algorithm[2..] {
        "256" | "256K" => "sha256",
        "384" => "sha384",
        "512" => "sha512",
        other => panic!("no digest for {other}"),
    };
    let family = match &algorithm[..2] {
        "RS" => Family::Pkcs1,
        "PS" => Family::Pss,
        "ES" => Family::Ecdsa,
        other => panic!("no family {other}"),
    };
    (family, digest)
}

/// Signs an openssl digest with a new key made by `create`, has openssl verify the signature
/// with the downloaded PEM, and checks `key verify` for the right and a changed digest.
fn signature_is_refereed_by_openssl(algorithm: &str, create: &[&str]) {
    let home = TestHome::with_vault(VAULT);
    let (family, digest_name) = family(algorithm);
    let key = create_key(&home, "signer", create);

    let message = home.scratch("message.bin");
    write(&message, &random_bytes(1000));
    let digest = openssl_ok(&["dgst", &format!("-{digest_name}"), "-binary", path(&message)], None);
    let digest_file = home.scratch("digest.bin");
    write(&digest_file, &digest);
    let changed_file = home.scratch("changed-digest.bin");
    write(&changed_file, &flipped(&digest));

    let signature = sign(&home, "signer", algorithm, &digest);
    let pem = download(&home, "signer", "PEM", "signer.pem");
    let digest_opt = format!("digest:{digest_name}");

    match family {
        Family::Pkcs1 | Family::Pss => {
            let modulus = unb64url(key["key"]["n"].as_str().expect("an RSA key shows n"));
            assert_eq!(signature.len(), modulus.len(), "an {algorithm} signature is exactly as long as the modulus");
            let sig_file = home.scratch("sig.bin");
            write(&sig_file, &signature);
            let salt_lengths: &[Option<&str>] =
                if family == Family::Pss { &[Some("rsa_pss_saltlen:digest"), Some("rsa_pss_saltlen:-1")] } else { &[None] };
            for salt in salt_lengths {
                let mut args = vec!["pkeyutl", "-verify", "-pubin", "-inkey", path(&pem), "-sigfile", path(&sig_file)];
                args.extend(["-pkeyopt", &digest_opt]);
                if let Some(salt) = salt {
                    args.extend(["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", salt]);
                }
                let mut good = args.clone();
                good.extend(["-in", path(&digest_file)]);
                openssl_accepts(&good).unwrap_or_else(|e| {
                    panic!("openssl must accept Vaultmort's {algorithm} signature with {salt:?} (salt length = digest length): {e}")
                });
                let mut bad = args.clone();
                bad.extend(["-in", path(&changed_file)]);
                assert!(openssl_accepts(&bad).is_err(), "openssl must reject the {algorithm} signature for a changed digest");
            }
            if family == Family::Pss {
                // PSS signatures carry a random salt: two signatures of one digest differ.
                let again = sign(&home, "signer", algorithm, &digest);
                assert_ne!(again, signature, "PSS salts are random, so signing twice gives different signatures");
                assert!(verify(&home, "signer", algorithm, &digest, &again), "the second PSS signature verifies too");
            } else {
                let again = sign(&home, "signer", algorithm, &digest);
                assert_eq!(again, signature, "PKCS#1 v1.5 signatures are deterministic");
            }
            // Cross-check through the message as well: openssl dgst hashes and verifies.
            let mut dgst = vec!["dgst".to_string(), format!("-{digest_name}"), "-verify".into(), path(&pem).into()];
            if family == Family::Pss {
                dgst.extend(["-sigopt".into(), "rsa_padding_mode:pss".into(), "-sigopt".into(), "rsa_pss_saltlen:-1".into()]);
            }
            dgst.extend(["-signature".into(), path(&sig_file).into(), path(&message).into()]);
            let dgst: Vec<&str> = dgst.iter().map(String::as_str).collect();
            openssl_accepts(&dgst)
                .unwrap_or_else(|e| panic!("openssl dgst -verify must accept the {algorithm} signature of the message: {e}"));
        }
        Family::Ecdsa => {
            let x = unb64url(key["key"]["x"].as_str().expect("an EC key shows x"));
            assert_eq!(signature.len(), 2 * x.len(), "an {algorithm} signature is raw r || s, each as long as a coordinate");
            let der_file = home.scratch("sig.der");
            write(&der_file, &ecdsa_raw_to_der(&signature));
            let good = ["pkeyutl", "-verify", "-pubin", "-inkey", path(&pem), "-in", path(&digest_file), "-sigfile", path(&der_file)];
            openssl_accepts(&good).unwrap_or_else(|e| panic!("openssl must accept Vaultmort's {algorithm} signature (as DER): {e}"));
            let bad = ["pkeyutl", "-verify", "-pubin", "-inkey", path(&pem), "-in", path(&changed_file), "-sigfile", path(&der_file)];
            assert!(openssl_accepts(&bad).is_err(), "openssl must reject the {algorithm} signature for a changed digest");
            let digest_flag = format!("-{digest_name}");
            let dgst = ["dgst", &digest_flag, "-verify", path(&pem), "-signature", path(&der_file), path(&message)];
            openssl_accepts(&dgst)
                .unwrap_or_else(|e| panic!("openssl dgst -verify must accept the {algorithm} signature of the message: {e}"));
        }
    }

    assert!(verify(&home, "signer", algorithm, &digest, &signature), "key verify must accept the {algorithm} signature of its digest");
    assert!(
        !verify(&home, "signer", algorithm, &flipped(&digest), &signature),
        "key verify must report isValid false when one bit of the digest changed ({algorithm})"
    );
    assert!(
        !verify(&home, "signer", algorithm, &digest, &flipped(&signature)),
        "key verify must report isValid false when one bit of the signature changed ({algorithm})"
    );
}

#[test]
fn rs256_rsa2048_verifies_with_openssl() {
    signature_is_refereed_by_openssl("RS256", &["--kty", "RSA", "--size", "2048"]);
}

#[test]
fn rs256_rsa3072_verifies_with_openssl() {
    signature_is_refereed_by_openssl("RS256", &["--kty", "RSA", "--size", "3072"]);
}

#[test]
fn rs256_rsa4096_verifies_with_openssl() {
    signature_is_refereed_by_openssl("RS256", &["--kty", "RSA", "--size", "4096"]);
}

#[test]
fn rs384_verifies_with_openssl() {
    signature_is_refereed_by_openssl("RS384", &["--kty", "RSA", "--size", "2048"]);
}

#[test]
fn rs512_verifies_with_openssl() {
    signature_is_refereed_by_openssl("RS512", &["--kty", "RSA", "--size", "2048"]);
}

#[test]
fn ps256_verifies_with_openssl() {
    signature_is_refereed_by_openssl("PS256", &["--kty", "RSA", "--size", "2048"]);
}

#[test]
fn ps384_verifies_with_openssl() {
    signature_is_refereed_by_openssl("PS384", &["--kty", "RSA", "--size", "2048"]);
}

#[test]
fn ps512_verifies_with_openssl() {
    signature_is_refereed_by_openssl("PS512", &["--kty", "RSA", "--size", "2048"]);
}

#[test]
fn es256_verifies_with_openssl() {
    signature_is_refereed_by_openssl("ES256", &["--kty", "EC", "--curve", "P-256"]);
}

#[test]
fn es384_verifies_with_openssl() {
    signature_is_refereed_by_openssl("ES384", &["--kty", "EC", "--curve", "P-384"]);
}

#[test]
fn es512_verifies_with_openssl() {
    signature_is_refereed_by_openssl("ES512", &["--kty", "EC", "--curve", "P-521"]);
}

#[test]
fn es256k_verifies_with_openssl() {
    signature_is_refereed_by_openssl("ES256K", &["--kty", "EC", "--curve", "P-256K"]);
}

// ---------------------------------------------------------------------------------------------
// Public key downloads: PEM and DER are the same SubjectPublicKeyInfo, and match the JWK
// ---------------------------------------------------------------------------------------------

fn der_download_matches_pem(create: &[&str]) {
    let home = TestHome::with_vault(VAULT);
    let key = create_key(&home, "pub", create);
    let pem = download(&home, "pub", "PEM", "pub.pem");
    let der = download(&home, "pub", "DER", "pub.der");

    let pem_text = String::from_utf8(read(&pem)).expect("a PEM file is text");
    assert!(pem_text.starts_with("-----BEGIN PUBLIC KEY-----\n"), "the PEM download is a SubjectPublicKeyInfo `PUBLIC KEY`: {pem_text}");
    let der_bytes = read(&der);
    let pem_as_der = openssl_ok(&["pkey", "-pubin", "-in", path(&pem), "-outform", "DER"], None);
    assert_eq!(pem_as_der, der_bytes, "the DER download must be byte for byte the key inside the PEM download (as openssl reads it)");

    let der_text = openssl_ok(&["pkey", "-pubin", "-inform", "DER", "-in", path(&der), "-noout", "-text"], None);
    let pem_text = openssl_ok(&["pkey", "-pubin", "-in", path(&pem), "-noout", "-text"], None);
    assert_eq!(der_text, pem_text, "openssl must read the same key from the DER and the PEM download");
    let text = String::from_utf8(der_text).expect("openssl -text output is text");

    if key["key"]["kty"] == "RSA" {
        let n = unb64url(key["key"]["n"].as_str().expect("an RSA key shows n"));
        let e = unb64url(key["key"]["e"].as_str().expect("an RSA key shows e"));
        assert_eq!(strip_leading_zeros(&text_field(&text, "Modulus")), n.as_slice(), "the downloaded modulus must be the JWK's n");
        assert_eq!(text_exponent(&text), e, "the downloaded exponent must be the JWK's e");
    } else {
        let mut point = vec![4u8];
        point.extend(unb64url(key["key"]["x"].as_str().expect("an EC key shows x")));
        point.extend(unb64url(key["key"]["y"].as_str().expect("an EC key shows y")));
        assert_eq!(text_field(&text, "pub"), point, "the downloaded point must be 04 || x || y of the JWK");
    }
}

#[test]
fn der_download_of_rsa_key_matches_pem_and_jwk() {
    der_download_matches_pem(&["--kty", "RSA"]);
}

#[test]
fn der_download_of_ec_key_matches_pem_and_jwk() {
    der_download_matches_pem(&["--kty", "EC", "--curve", "P-384"]);
}

#[test]
fn der_download_of_secp256k1_key_matches_pem_and_jwk() {
    der_download_matches_pem(&["--kty", "EC", "--curve", "P-256K"]);
}

// ---------------------------------------------------------------------------------------------
// Encryption and key wrapping
// ---------------------------------------------------------------------------------------------

/// openssl `pkeyutl -pkeyopt` settings for a Key Vault encryption algorithm.
fn padding_opts(algorithm: &str) -> Vec<&'static str> {
    match algorithm {
        "RSA-OAEP" => vec!["-pkeyopt", "rsa_padding_mode:oaep"],
        "RSA-OAEP-256" => vec!["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"],
        "RSA1_5" => vec!["-pkeyopt", "rsa_padding_mode:pkcs1"],
        other => panic!("no padding for {other}"),
    }
}

/// openssl encrypts `plaintext` with the public key in `pem`.
fn openssl_encrypt(pem: &Path, algorithm: &str, plaintext: &[u8]) -> Vec<u8> {
    let mut args = vec!["pkeyutl", "-encrypt", "-pubin", "-inkey", path(pem)];
    args.extend(padding_opts(algorithm));
    openssl_ok(&args, Some(plaintext))
}

fn encryption_interoperates(algorithm: &str) {
    let home = TestHome::with_vault(VAULT);
    create_key(&home, "cipher", &["--kty", "RSA", "--size", "2048"]);
    let pem = download(&home, "cipher", "PEM", "cipher.pem");

    // openssl -> Vaultmort: decrypt and unwrap what openssl encrypted with the public key.
    let plaintext = random_bytes(100);
    let ciphertext = openssl_encrypt(&pem, algorithm, &plaintext);
    assert_eq!(ciphertext.len(), 256, "an RSA 2048 ciphertext is 256 bytes");
    assert_eq!(
        crypt(&home, "decrypt", "cipher", algorithm, &ciphertext),
        plaintext,
        "key decrypt must return exactly the bytes openssl encrypted with {algorithm}"
    );
    let aes_key = random_bytes(32);
    let wrapped_by_openssl = openssl_encrypt(&pem, algorithm, &aes_key);
    assert_eq!(
        crypt(&home, "unwrap", "cipher", algorithm, &wrapped_by_openssl),
        aes_key,
        "key unwrap must return the AES key openssl wrapped with {algorithm}"
    );

    // Vaultmort round trips, with randomized padding.
    let first = crypt(&home, "encrypt", "cipher", algorithm, &plaintext);
    let second = crypt(&home, "encrypt", "cipher", algorithm, &plaintext);
    assert_eq!(first.len(), 256, "key encrypt gives a modulus-sized ciphertext");
    assert_ne!(first, second, "{algorithm} padding is randomized: two encryptions of one plaintext must differ");
    assert_ne!(first, ciphertext, "Vaultmort's ciphertext differs from openssl's (random padding)");
    for ciphertext in [&first, &second] {
        assert_eq!(crypt(&home, "decrypt", "cipher", algorithm, ciphertext), plaintext, "key encrypt -> key decrypt must round-trip");
    }
    let wrapped = crypt(&home, "wrap", "cipher", algorithm, &aes_key);
    let wrapped_again = crypt(&home, "wrap", "cipher", algorithm, &aes_key);
    assert_ne!(wrapped, wrapped_again, "{algorithm} wrapping is randomized too");
    assert_eq!(crypt(&home, "unwrap", "cipher", algorithm, &wrapped), aes_key, "key wrap -> key unwrap must round-trip a 32-byte AES key");
    assert_eq!(crypt(&home, "unwrap", "cipher", algorithm, &wrapped_again), aes_key, "every wrapping unwraps");
}

#[test]
fn rsa_oaep_interoperates_with_openssl() {
    encryption_interoperates("RSA-OAEP");
}

#[test]
fn rsa_oaep_256_interoperates_with_openssl() {
    encryption_interoperates("RSA-OAEP-256");
}

#[test]
fn rsa1_5_interoperates_with_openssl() {
    encryption_interoperates("RSA1_5");
}

#[test]
fn openssl_oaep_256_wrapped_aes_key_unwraps_and_the_hash_matters() {
    let home = TestHome::with_vault(VAULT);
    create_key(&home, "kek", &["--kty", "RSA"]);
    let pem = download(&home, "kek", "PEM", "kek.pem");
    let aes_key = random_bytes(32);
    let wrapped = openssl_encrypt(&pem, "RSA-OAEP-256", &aes_key);
    assert_eq!(crypt(&home, "unwrap", "kek", "RSA-OAEP-256", &wrapped), aes_key, "an OAEP-256 key wrapped by openssl must unwrap exactly");

    // The algorithm named is the one used: OAEP with SHA-1 cannot open an OAEP-SHA-256 wrapping.
    let failure = home.fails(&[
        "keyvault",
        "key",
        "unwrap",
        "--vault-name",
        VAULT,
        "--name",
        "kek",
        "--algorithm",
        "RSA-OAEP",
        "--value",
        &b64(&wrapped),
    ]);
    assert_eq!(failure.code, "BadParameter", "unwrapping with the wrong OAEP hash fails as a bad input: {}", failure.stderr);
    assert!(failure.stderr.contains("decryption failed"), "the message says decryption failed: {}", failure.stderr);
}

// ---------------------------------------------------------------------------------------------
// Imported JWKs: keys made by openssl, used in Vaultmort, checked against the original
// ---------------------------------------------------------------------------------------------

/// Imports the JWK `jwk` from a file as key `name` and returns the printed key.
fn import(home: &TestHome, name: &str, jwk: &Value) -> Value {
    let file = home.scratch(&format!("{name}.jwk.json"));
    write(&file, serde_json::to_string_pretty(jwk).expect("a JWK serialises").as_bytes());
    home.ok(&["keyvault", "key", "import", "--vault-name", VAULT, "--name", name, "--file", path(&file)])
}

/// The downloaded public key equals openssl's `pkey -pubout` of the original private key.
fn public_key_matches_original(home: &TestHome, name: &str, original: &Path) {
    let expected = openssl_ok(&["pkey", "-in", path(original), "-pubout", "-outform", "DER"], None);
    let pem = download(home, name, "PEM", &format!("{name}.pem"));
    let pem_der = openssl_ok(&["pkey", "-pubin", "-in", path(&pem), "-outform", "DER"], None);
    assert_eq!(pem_der, expected, "the imported key's PEM must hold the original key's public half (openssl pkey -pubout)");
    let der = download(home, name, "DER", &format!("{name}.der"));
    assert_eq!(read(&der), expected, "the imported key's DER download must equal openssl pkey -pubout -outform DER");
}

#[test]
fn imported_rsa_jwk_from_openssl_signs_and_decrypts_like_the_original() {
    let home = TestHome::with_vault(VAULT);
    let original = home.scratch("orig-rsa.pem");
    openssl_ok(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path(&original)], None);
    let text = String::from_utf8(openssl_ok(&["pkey", "-in", path(&original), "-text", "-noout"], None)).expect("openssl text output");
    let member = |label: &str| b64url(strip_leading_zeros(&text_field(&text, label)));
    let n = strip_leading_zeros(&text_field(&text, "modulus")).to_vec();
    assert_eq!(n.len(), 256, "a 2048-bit modulus is 256 bytes");
    let jwk = json!({
        "kty": "RSA",
        "n": b64url(&n),
        "e": b64url(&text_exponent(&text)),
        "d": member("privateExponent"),
        "p": member("prime1"),
        "q": member("prime2"),
        "dp": member("exponent1"),
        "dq": member("exponent2"),
        "qi": member("coefficient"),
    });
    let imported = import(&home, "imported-rsa", &jwk);
    assert_eq!(imported["key"]["kty"], "RSA", "an RSA JWK imports as an RSA key");
    assert_eq!(imported["key"]["n"], jwk["n"], "the imported key shows the original modulus");
    assert_eq!(imported["key"]["e"], jwk["e"], "the imported key shows the original exponent");
    public_key_matches_original(&home, "imported-rsa", &original);

    let message = home.scratch("message.bin");
    write(&message, b"signed in Vaultmort, checked against the original openssl key");
    let digest = openssl_ok(&["dgst", "-sha256", "-binary", path(&message)], None);
    let digest_file = home.scratch("digest.bin");
    write(&digest_file, &digest);

    // RS256 is deterministic: Vaultmort and openssl, holding the same key, sign identically.
    let signature = sign(&home, "imported-rsa", "RS256", &digest);
    let by_openssl =
        openssl_ok(&["pkeyutl", "-sign", "-inkey", path(&original), "-in", path(&digest_file), "-pkeyopt", "digest:sha256"], None);
    assert_eq!(signature, by_openssl, "an RS256 signature by the imported key must equal openssl's with the original key");
    let sig_file = home.scratch("rs256.sig");
    write(&sig_file, &signature);
    let check = [
        "pkeyutl",
        "-verify",
        "-inkey",
        path(&original),
        "-in",
        path(&digest_file),
        "-sigfile",
        path(&sig_file),
        "-pkeyopt",
        "digest:sha256",
    ];
    openssl_accepts(&check).unwrap_or_else(|e| panic!("openssl must verify the imported key's RS256 signature with the original key: {e}"));

    let pss = sign(&home, "imported-rsa", "PS256", &digest);
    let pss_file = home.scratch("ps256.sig");
    write(&pss_file, &pss);
    let check = [
        "pkeyutl",
        "-verify",
        "-inkey",
        path(&original),
        "-in",
        path(&digest_file),
        "-sigfile",
        path(&pss_file),
        "-pkeyopt",
        "digest:sha256",
        "-pkeyopt",
        "rsa_padding_mode:pss",
        "-pkeyopt",
        "rsa_pss_saltlen:digest",
    ];
    openssl_accepts(&check).unwrap_or_else(|e| panic!("openssl must verify the imported key's PS256 signature with the original key: {e}"));

    // A PSS signature made by openssl with the original key verifies in Vaultmort.
    let pss_by_openssl = openssl_ok(
        &[
            "pkeyutl",
            "-sign",
            "-inkey",
            path(&original),
            "-in",
            path(&digest_file),
            "-pkeyopt",
            "digest:sha256",
            "-pkeyopt",
            "rsa_padding_mode:pss",
            "-pkeyopt",
            "rsa_pss_saltlen:digest",
        ],
        None,
    );
    assert!(verify(&home, "imported-rsa", "PS256", &digest, &pss_by_openssl), "key verify must accept openssl's PS256 signature");

    // Encryption the other way: Vaultmort encrypts, openssl decrypts with the original key.
    for algorithm in ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] {
        let plaintext = random_bytes(48);
        let ciphertext = crypt(&home, "encrypt", "imported-rsa", algorithm, &plaintext);
        let mut args = vec!["pkeyutl", "-decrypt", "-inkey", path(&original)];
        args.extend(padding_opts(algorithm));
        assert_eq!(
            openssl_ok(&args, Some(&ciphertext)),
            plaintext,
            "openssl must decrypt Vaultmort's {algorithm} ciphertext with the original private key"
        );
        let wrapped = crypt(&home, "wrap", "imported-rsa", algorithm, &plaintext[..32]);
        assert_eq!(openssl_ok(&args, Some(&wrapped)), &plaintext[..32], "openssl must unwrap Vaultmort's {algorithm} key wrapping");
    }
}

/// Imports an openssl EC key on `openssl_curve` as a JWK with `crv` and checks it against openssl.
fn imported_ec_jwk_matches_original(openssl_curve: &str, crv: &str, algorithm: &str, digest_name: &str, coordinate: usize) {
    let home = TestHome::with_vault(VAULT);
    let original = home.scratch("orig-ec.pem");
    let curve_opt = format!("ec_paramgen_curve:{openssl_curve}");
    openssl_ok(&["genpkey", "-algorithm", "EC", "-pkeyopt", &curve_opt, "-out", path(&original)], None);
    let text = String::from_utf8(openssl_ok(&["ec", "-in", path(&original), "-text", "-noout"], None)).expect("openssl text output");
    // openssl prints priv as a minimal positive integer (maybe with a 00, maybe shorter than the
    // curve) and pub as the uncompressed point 04 || x || y.
    let d = left_pad(&text_field(&text, "priv"), coordinate);
    let point = text_field(&text, "pub");
    assert_eq!(point.len(), 1 + 2 * coordinate, "openssl prints the uncompressed {crv} point");
    assert_eq!(point[0], 4, "an uncompressed point starts with 04");
    let (x, y) = point[1..].split_at(coordinate);
    let jwk = json!({"kty": "EC", "crv": crv, "x": b64url(x), "y": b64url(y), "d": b64url(&d)});
    let imported = import(&home, "imported-ec", &jwk);
    assert_eq!(imported["key"]["kty"], "EC", "an EC JWK imports as an EC key");
    assert_eq!(imported["key"]["crv"], crv, "the imported key keeps its curve");
    assert_eq!(imported["key"]["x"], jwk["x"], "the imported key shows the original x");
    assert_eq!(imported["key"]["y"], jwk["y"], "the imported key shows the original y");
    assert!(imported["key"].get("d").is_none(), "the printed key never carries the private scalar");
    public_key_matches_original(&home, "imported-ec", &original);

    let message = home.scratch("message.bin");
    write(&message, &random_bytes(300));
    let digest = openssl_ok(&["dgst", &format!("-{digest_name}"), "-binary", path(&message)], None);
    let digest_file = home.scratch("digest.bin");
    write(&digest_file, &digest);

    let signature = sign(&home, "imported-ec", algorithm, &digest);
    assert_eq!(signature.len(), 2 * coordinate, "{algorithm} signatures are raw r || s");
    let der_file = home.scratch("sig.der");
    write(&der_file, &ecdsa_raw_to_der(&signature));
    let check = ["pkeyutl", "-verify", "-inkey", path(&original), "-in", path(&digest_file), "-sigfile", path(&der_file)];
    openssl_accepts(&check)
        .unwrap_or_else(|e| panic!("openssl must verify the imported key's {algorithm} signature with the original key: {e}"));

    // openssl's DER signature with the original key, converted to r || s, verifies in Vaultmort.
    let by_openssl = openssl_ok(&["pkeyutl", "-sign", "-inkey", path(&original), "-in", path(&digest_file)], None);
    let raw = ecdsa_der_to_raw(&by_openssl, coordinate);
    assert!(verify(&home, "imported-ec", algorithm, &digest, &raw), "key verify must accept openssl's {algorithm} signature (as r || s)");
    assert!(!verify(&home, "imported-ec", algorithm, &flipped(&digest), &raw), "and reject it for a changed digest");
}

#[test]
fn imported_p256_jwk_from_openssl_signs_like_the_original() {
    imported_ec_jwk_matches_original("P-256", "P-256", "ES256", "sha256", 32);
}

#[test]
fn imported_p521_jwk_from_openssl_signs_like_the_original() {
    // P-521 scalars often print shorter than 66 bytes: the JWK must pad them.
    imported_ec_jwk_matches_original("P-521", "P-521", "ES512", "sha512", 66);
}

#[test]
fn imported_secp256k1_jwk_from_openssl_signs_like_the_original() {
    imported_ec_jwk_matches_original("secp256k1", "P-256K", "ES256K", "sha256", 32);
}
