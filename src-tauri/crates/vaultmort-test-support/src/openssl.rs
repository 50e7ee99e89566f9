//! The openssl CLI as the independent referee of every key, signature, certificate and PFX the
//! tests see: runs it on bytes or in a scratch folder with a bounded wait (a stuck openssl fails
//! the test instead of hanging it), and parses what it prints (`name=value` lines, the hex
//! blocks of `-text` dumps, keys as JWKs).
//!
//! Whether openssl is right is not in question here; what it accepts or prints is the evidence.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

use crate::text::b64url;

/// The longest one openssl run may take (RSA-4096 key generation on a loaded 2-core machine
/// stays far below this).
pub const OPENSSL_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs openssl with `args` in the current folder, feeding `stdin`; returns its output
/// (success not asserted).
pub fn openssl(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run(None, args, stdin)
}

/// Runs openssl with `args` in `dir`, feeding `stdin`; returns its output (success not asserted).
pub fn openssl_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    run(Some(dir), args, stdin)
}

/// Runs openssl, which must succeed; returns its stdout.
pub fn openssl_ok(args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    let out = openssl(args, stdin);
    assert!(out.status.success(), "openssl {} should succeed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Runs openssl, which must succeed; returns its stdout as text.
pub fn openssl_text(args: &[&str], stdin: Option<&[u8]>) -> String {
    String::from_utf8(openssl_ok(args, stdin)).unwrap_or_else(|e| panic!("openssl {} should print text: {e}", args.join(" ")))
}

/// Runs openssl in `dir`, which must succeed; returns its stdout as text.
pub fn openssl_text_in(dir: &Path, args: &[&str]) -> String {
    let out = openssl_in(dir, args, None);
    assert!(out.status.success(), "openssl {} should succeed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("openssl {} should print text: {e}", args.join(" ")))
}

/// Everything openssl printed, stdout then stderr, as text (for messages and `contains` checks
/// on commands that report on stderr, such as `pkcs12 -info`).
pub fn printed(out: &Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

fn run(dir: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new("openssl");
    command.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    command.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command.spawn().expect("openssl is installed (cargo xtask setup installs it)");
    // Feed and drain the pipes on their own threads, so a large output cannot block openssl
    // while this thread waits for it to end.
    let writer = child.stdin.take().zip(stdin).map(|(mut pipe, input)| {
        let input = input.to_vec();
        std::thread::spawn(move || {
            // openssl may exit before reading everything (a refusal); that is its answer, not ours.
            let _ = pipe.write_all(&input);
        })
    });
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                pipe.read_to_end(&mut bytes).expect("openssl's output pipe reads");
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    // A watchdog stops openssl at the deadline; this thread waits for the exit itself, so the
    // run takes exactly as long as openssl does (the benchmarks time these runs).
    let pid = child.id().to_string();
    let (finished, finished_signal) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || match finished_signal.recv_timeout(OPENSSL_TIMEOUT) {
        Err(RecvTimeoutError::Timeout) => {
            // The process has not been waited for yet, so its id is still its own.
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            true
        }
        _ => false,
    });
    let status = child.wait().expect("openssl's exit status can be read");
    // The watchdog may already have given up waiting; then it reports the stop below.
    let _ = finished.send(());
    let stopped = watchdog.join().expect("the watchdog thread ends");
    assert!(!stopped, "openssl {} did not finish within {OPENSSL_TIMEOUT:?} and was stopped", args.join(" "));
    if let Some(writer) = writer {
        writer.join().expect("the stdin writer thread ends");
    }
    Output {
        status,
        stdout: stdout.join().expect("the stdout reader thread ends"),
        stderr: stderr.join().expect("the stderr reader thread ends"),
    }
}

/// The value after the first `=` of an openssl `name=value` line (`subject=`, `SHA1 Fingerprint=`).
pub fn after_equals(line: &str) -> String {
    line.trim()
        .split_once('=')
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| panic!("openssl should print name=value, got {line:?}"))
}

/// A fingerprint as openssl prints it (`sha1 Fingerprint=AB:CD:...`) as upper-case hex without colons.
pub fn fingerprint_hex(printed: &str) -> String {
    after_equals(printed).replace(':', "").to_uppercase()
}

/// openssl's padding options for a Key Vault encryption algorithm (`RSA-OAEP`, `RSA-OAEP-256`,
/// `RSA1_5`).
pub fn padding_options(algorithm: &str) -> Vec<&'static str> {
    match algorithm {
        "RSA-OAEP" => vec!["-pkeyopt", "rsa_padding_mode:oaep"],
        "RSA-OAEP-256" => vec!["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"],
        "RSA1_5" => vec!["-pkeyopt", "rsa_padding_mode:pkcs1"],
        other => panic!("the referee knows no padding for {other}"),
    }
}

/// openssl encrypts `plaintext` with the public key `spki_pem` by a Key Vault `algorithm`.
pub fn encrypt(spki_pem: &[u8], algorithm: &str, plaintext: &[u8]) -> Vec<u8> {
    let scratch = Scratch::new();
    let key = scratch.write("public.pem", spki_pem);
    let key = key.to_str().expect("temporary paths are UTF-8");
    let mut args = vec!["pkeyutl", "-encrypt", "-pubin", "-inkey", key];
    args.extend(padding_options(algorithm));
    openssl_ok(&args, Some(plaintext))
}

/// openssl decrypts `ciphertext` with the private key `private_pem` by a Key Vault `algorithm`;
/// the error is what openssl printed.
pub fn decrypt(private_pem: &[u8], algorithm: &str, ciphertext: &[u8]) -> Result<Vec<u8>, String> {
    let scratch = Scratch::new();
    let key = scratch.write("private.pem", private_pem);
    let key = key.to_str().expect("temporary paths are UTF-8");
    let mut args = vec!["pkeyutl", "-decrypt", "-inkey", key];
    args.extend(padding_options(algorithm));
    let out = openssl(&args, Some(ciphertext));
    if out.status.success() { Ok(out.stdout) } else { Err(printed(&out)) }
}

/// The digest openssl computes of `data` with `name` (`sha256`, `sha384`, `sha512`).
pub fn digest(name: &str, data: &[u8]) -> Vec<u8> {
    openssl_ok(&["dgst", &format!("-{name}"), "-binary"], Some(data))
}

/// The hash a JWS signature algorithm (`RS256`, `PS384`, `ES256K`, ...) signs a digest of, as
/// openssl names it.
pub fn signature_digest(algorithm: &str) -> &'static str {
    match algorithm.get(2..) {
        Some("256" | "256K") => "sha256",
        Some("384") => "sha384",
        Some("512") => "sha512",
        _ => panic!("the referee knows no digest for {algorithm}"),
    }
}

/// Makes a self-signed CA in `dir` with `openssl req -x509`: a new RSA-2048 key `<name>.key`
/// and its certificate `<name>.pem` for `subject`, valid for `days`, marked as a CA that signs
/// certificates and CRLs.
pub fn make_root_ca(dir: &Path, name: &str, subject: &str, days: u32) {
    let (key, cert, days) = (format!("{name}.key"), format!("{name}.pem"), days.to_string());
    openssl_text_in(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-subj",
            subject,
            "-days",
            &days,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

/// openssl refused an input: what it printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpensslRefused(pub String);

impl std::fmt::Display for OpensslRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "openssl refused it: {}", self.0)
    }
}

impl std::error::Error for OpensslRefused {}

/// Whether openssl accepts `signature`, made by a JWS `algorithm` over `digest`, under the
/// public key `spki_pem`. The signature is in Key Vault's form (raw `r || s` for ES*, turned
/// into DER here); PS* signatures must use a salt as long as the digest. The error is what
/// openssl printed.
pub fn verify_signature(spki_pem: &[u8], algorithm: &str, digest: &[u8], signature: &[u8]) -> Result<(), OpensslRefused> {
    let scratch = Scratch::new();
    scratch.write("public.pem", spki_pem);
    scratch.write("digest.bin", digest);
    let signature = if algorithm.starts_with("ES") { crate::der::ecdsa_raw_to_der(signature) } else { signature.to_vec() };
    scratch.write("signature.bin", signature);
    let digest_option = format!("digest:{}", signature_digest(algorithm));
    let mut args: Vec<&str> =
        vec!["pkeyutl", "-verify", "-pubin", "-inkey", "public.pem", "-in", "digest.bin", "-sigfile", "signature.bin"];
    if !algorithm.starts_with("ES") {
        // RSA signatures carry the digest's algorithm (PKCS#1 DigestInfo, PSS hash); ECDSA's do not.
        args.extend(["-pkeyopt", &digest_option]);
    }
    if algorithm.starts_with("PS") {
        args.extend(["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"]);
    }
    match scratch.try_openssl(&args) {
        (true, _) => Ok(()),
        (false, printed) => Err(OpensslRefused(printed)),
    }
}

/// A temporary folder openssl commands run in, with the files they read and write.
pub struct Scratch(TempDir);

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

impl Scratch {
    /// A new, empty scratch folder, removed when dropped.
    pub fn new() -> Self {
        Scratch(tempfile::tempdir().expect("a temporary folder for openssl's files"))
    }
    /// The path of `name` in the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// The folder itself.
    pub fn dir(&self) -> &Path {
        self.0.path()
    }

    /// Writes `bytes` to `name` and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("scratch file {name} must be writable: {e}"));
        path
    }

    /// The bytes of `name`, which must exist.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name} should have been written: {e}"))
    }

    /// The text of `name`, which must exist and be UTF-8.
    pub fn read_text(&self, name: &str) -> String {
        String::from_utf8(self.read(name)).unwrap_or_else(|e| panic!("{name} should be text: {e}"))
    }

    /// Writes the DER certificate `der` as the PEM file `name` and returns its path.
    pub fn pem_cert(&self, name: &str, der: &[u8]) -> PathBuf {
        self.write(name, crate::text::pem("CERTIFICATE", der))
    }

    /// Runs openssl here; returns whether it succeeded and everything it printed.
    pub fn try_openssl(&self, args: &[&str]) -> (bool, String) {
        let out = openssl_in(self.dir(), args, None);
        (out.status.success(), printed(&out))
    }

    /// Runs openssl here, which must succeed; returns everything it printed (stdout then stderr).
    pub fn openssl(&self, args: &[&str]) -> String {
        let (ok, out) = self.try_openssl(args);
        assert!(ok, "openssl {} failed:\n{out}", args.join(" "));
        out
    }

    /// Runs openssl here, which must succeed; returns its stdout alone.
    pub fn openssl_stdout(&self, args: &[&str]) -> String {
        let out = openssl_in(self.dir(), args, None);
        assert!(out.status.success(), "openssl {} failed:\n{}", args.join(" "), printed(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// A private key generated by openssl, in the forms the tests compare against.
pub struct OpensslKey {
    /// The key as openssl wrote it (PEM).
    pub pem: Vec<u8>,
    /// The key as PKCS#8 DER, exported by openssl.
    pub pkcs8_der: Vec<u8>,
    /// The private JWK built from openssl's own dump of the key's numbers.
    pub jwk: Value,
    /// The private scalar / private exponent, big-endian as in the JWK's `d`.
    pub d: Vec<u8>,
}

impl OpensslKey {
    /// A fresh RSA key of `bits` bits.
    pub fn rsa(bits: u32) -> Self {
        let pem = openssl_ok(&["genpkey", "-algorithm", "RSA", "-pkeyopt", &format!("rsa_keygen_bits:{bits}")], None);
        Self::from_pem(pem)
    }

    /// A fresh EC key on `curve` (P-256, P-384 or P-521).
    pub fn ec(curve: &str) -> Self {
        let pem = openssl_ok(&["genpkey", "-algorithm", "EC", "-pkeyopt", &format!("ec_paramgen_curve:{curve}")], None);
        Self::from_pem(pem)
    }

    /// The public key as openssl writes it (SubjectPublicKeyInfo PEM).
    pub fn public_pem(&self) -> Vec<u8> {
        openssl_ok(&["pkey", "-pubout"], Some(&self.pem))
    }

    /// The public key as DER SubjectPublicKeyInfo, as openssl writes it.
    pub fn public_der(&self) -> Vec<u8> {
        openssl_ok(&["pkey", "-pubout", "-outform", "DER"], Some(&self.pem))
    }

    fn from_pem(pem: Vec<u8>) -> Self {
        let pkcs8_der = openssl_ok(&["pkcs8", "-topk8", "-nocrypt", "-outform", "DER"], Some(&pem));
        let text = String::from_utf8(openssl_ok(&["pkey", "-text", "-noout"], Some(&pem))).expect("openssl's key dump is text");
        let fields = key_dump_fields(&text);
        let field = |name: &str| -> Vec<u8> {
            let bytes = fields.get(name).unwrap_or_else(|| panic!("openssl's dump should have '{name}': {:?}", fields.keys()));
            let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            bytes[first..].to_vec()
        };
        if text.contains("modulus:") {
            let e_text = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("publicExponent:"))
                .and_then(|rest| rest.split("(0x").nth(1))
                .and_then(|hex| hex.strip_suffix(')'))
                .expect("openssl prints publicExponent: N (0xHEX)");
            let e_hex = if e_text.len() % 2 == 1 { format!("0{e_text}") } else { e_text.to_string() };
            let e = hex::decode(e_hex).expect("the public exponent is hex");
            let d = field("privateExponent");
            let jwk = serde_json::json!({
                "kty": "RSA",
                "n": b64url(&field("modulus")),
                "e": b64url(&e),
                "d": b64url(&d),
                "p": b64url(&field("prime1")),
                "q": b64url(&field("prime2")),
                "dp": b64url(&field("exponent1")),
                "dq": b64url(&field("exponent2")),
                "qi": b64url(&field("coefficient")),
            });
            Self { pem, pkcs8_der, jwk, d }
        } else {
            let curve =
                text.lines().find_map(|l| l.trim().strip_prefix("NIST CURVE:")).map(str::trim).expect("openssl names the NIST curve");
            let len = match curve {
                "P-256" => 32,
                "P-384" => 48,
                "P-521" => 66,
                other => panic!("the tests only make NIST curves, got {other}"),
            };
            let pad = |bytes: Vec<u8>| {
                let mut out = vec![0u8; len - bytes.len()];
                out.extend_from_slice(&bytes);
                out
            };
            let point = fields.get("pub").expect("openssl prints the public point");
            assert_eq!(point.len(), 1 + 2 * len, "openssl prints the uncompressed point 04||x||y");
            let d = pad(field("priv"));
            let jwk = serde_json::json!({
                "kty": "EC",
                "crv": curve,
                "x": b64url(&point[1..=len]),
                "y": b64url(&point[1 + len..]),
                "d": b64url(&d),
            });
            Self { pem, pkcs8_der, jwk, d }
        }
    }
}

/// The byte fields of `openssl pkey -text -noout` (and `x509 -text`): a `name:` line followed by
/// indented `hh:hh:...` lines.
pub fn key_dump_fields(text: &str) -> HashMap<String, Vec<u8>> {
    let mut fields = HashMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if line.starts_with(' ') {
            if let Some((_, hex)) = current.as_mut() {
                hex.push_str(&line.trim().replace(':', ""));
            }
            continue;
        }
        if let Some((name, hex)) = current.take() {
            fields.insert(name, hex::decode(hex).expect("openssl prints hex bytes"));
        }
        if let Some(name) = line.strip_suffix(':') {
            current = Some((name.to_string(), String::new()));
        }
    }
    if let Some((name, hex)) = current.take() {
        fields.insert(name, hex::decode(hex).expect("openssl prints hex bytes"));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_larger_than_a_pipe_buffer_is_read_whole() {
        // 256 KiB through stdin and back: more than a pipe holds, so a runner that waited for
        // the exit before draining the pipes would hang here until the bounded wait stopped it.
        let input = vec![b'a'; 256 * 1024];
        let out = openssl(&["base64", "-e"], Some(&input));
        assert!(out.status.success(), "openssl base64 runs: {}", printed(&out));
        let decoded = openssl_ok(&["base64", "-d"], Some(&out.stdout));
        assert_eq!(decoded.len(), input.len(), "every byte went through openssl and came back");
    }

    #[test]
    fn a_refusal_is_reported_not_asserted() {
        let out = openssl(&["x509", "-noout", "-subject"], Some(b"not a certificate"));
        assert!(!out.status.success(), "openssl refuses text that is no certificate");
        assert!(!printed(&out).is_empty(), "and says why on stderr");
    }

    #[test]
    fn name_value_lines_and_fingerprints_parse() {
        assert_eq!(after_equals("subject=CN = a.example\n"), "CN = a.example", "the value after the first '='");
        assert_eq!(fingerprint_hex("sha1 Fingerprint=ab:CD:01\n"), "ABCD01", "colons dropped, upper case");
    }
}
