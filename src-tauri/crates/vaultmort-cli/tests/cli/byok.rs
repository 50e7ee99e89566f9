//! Bring your own key through the CLI (issue 13): a key-exchange key (KEK) in a Premium vault,
//! a `.byok` transfer file made by an independent wrapper (Python `cryptography`) or by
//! `vaultmort byok wrap` (the simulated vendor HSM), `keyvault key import --byok-file`, and every
//! refusal leaving nothing behind, neither a key in the vault nor an object in the token. Also
//! `key import --pem-file` (PKCS#8, encrypted or not). openssl makes the target keys and checks
//! the vault's signatures against the original public keys.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::hsm::{PREMIUM, STANDARD, download_pem, key_names, path, premium_home, vault_key_objects, vault_signature_verifies};
use crate::support::{OpensslKey, TestHome, openssl_ok};

/// The independent wrapper, run with the system's python3 and its `cryptography` package.
const WRAPPER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/scripts/byok_wrap.py");

/// Creates the KEK `name` in `vault` (RSA-HSM, `bits`, key_ops exactly import) and returns its
/// kid and the file holding its public key as `key download --encoding PEM` wrote it.
pub fn kek(home: &TestHome, vault: &str, name: &str, bits: &str) -> (String, PathBuf) {
    let made = home.ok(&[
        "keyvault",
        "key",
        "create",
        "--vault-name",
        vault,
        "--name",
        name,
        "--kty",
        "RSA-HSM",
        "--size",
        bits,
        "--ops",
        "import",
    ]);
    assert_eq!(made["key"]["keyOps"], serde_json::json!(["import"]), "a KEK allows only import: {made}");
    let kid = made["key"]["kid"].as_str().expect("the KEK has a kid").to_string();
    let file = home.scratch(&format!("{vault}-{name}-kek.pem"));
    std::fs::write(&file, download_pem(home, vault, name)).expect("the KEK's public key is written");
    (kid, file)
}

/// Wraps `target` for the KEK with the independent Python wrapper and returns the `.byok` file.
pub fn python_wrap(home: &TestHome, kek_pem: &Path, kid: &str, target: &OpensslKey, name: &str) -> PathBuf {
    let der = home.scratch(&format!("{name}.p8.der"));
    std::fs::write(&der, &target.pkcs8_der).expect("the target's PKCS#8 is written");
    let out = home.scratch(&format!("{name}.byok"));
    let run = Command::new("python3").args([WRAPPER, path(kek_pem), kid, path(&der), path(&out)]).output().expect("python3 runs");
    assert!(
        run.status.success(),
        "the independent wrapper needs python3 with the `cryptography` package (Debian python3-cryptography): {}",
        String::from_utf8_lossy(&run.stderr)
    );
    out
}

/// The `.byok` file's JSON.
fn blob(file: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(file).expect("the .byok file reads")).expect("a .byok file is JSON")
}

/// Writes `value` as a new `.byok` file.
fn write_blob(home: &TestHome, name: &str, value: &Value) -> PathBuf {
    let file = home.scratch(&format!("{name}.byok"));
    std::fs::write(&file, value.to_string()).expect("the altered blob is written");
    file
}

fn ciphertext(value: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(value["ciphertext"].as_str().expect("a blob has a ciphertext")).expect("the ciphertext is base64url")
}

fn with_ciphertext(value: &Value, bytes: &[u8]) -> Value {
    let mut changed = value.clone();
    changed["ciphertext"] = Value::String(URL_SAFE_NO_PAD.encode(bytes));
    changed
}

fn import_byok(vault: &str, name: &str, file: &Path) -> Vec<String> {
    ["keyvault", "key", "import", "--vault-name", vault, "--name", name, "--byok-file", path(file)].map(String::from).to_vec()
}

fn args(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

fn mode(file: &Path) -> u32 {
    std::fs::metadata(file).expect("the file exists").permissions().mode() & 0o777
}

#[test]
fn a_key_wrapped_by_an_independent_wrapper_imports_into_the_hsm_and_signs_as_the_original() {
    let home = premium_home();
    let (kid, kek_pem) = kek(&home, PREMIUM, "kek", "2048");
    let target = OpensslKey::rsa(2048);
    let file = python_wrap(&home, &kek_pem, &kid, &target, "target");

    let imported = home.ok(&args(&import_byok(PREMIUM, "byok-key", &file)));
    assert_eq!(imported["key"]["kty"], "RSA-HSM", "a BYOK key lands in the HSM: {imported}");
    let original_public = target.public_pem();
    assert_eq!(
        download_pem(&home, PREMIUM, "byok-key"),
        original_public,
        "the vault holds the very key openssl made: its public key is byte for byte openssl's"
    );
    for algorithm in ["RS256", "PS256", "RS512"] {
        assert!(
            vault_signature_verifies(&home, PREMIUM, "byok-key", algorithm, &original_public, b"bring your own key"),
            "openssl verifies the vault's {algorithm} signature with the original public key"
        );
    }
    let objects = vault_key_objects(&home);
    assert_eq!(objects.len(), 2, "the KEK and the imported key are token objects: {objects:?}");
    assert!(objects.iter().all(|o| o["sensitive"] == true && o["extractable"] == false), "both stay in the token: {objects:?}");

    // The KEK does nothing but import.
    let kek_sign = home.fails(&[
        "keyvault",
        "key",
        "sign",
        "--vault-name",
        PREMIUM,
        "--name",
        "kek",
        "--algorithm",
        "RS256",
        "--digest",
        &crate::support::b64(&[1u8; 32]),
    ]);
    assert_eq!(kek_sign.code, "OperationNotAllowed", "a KEK's key_ops are exactly import, so it cannot sign: {}", kek_sign.stderr);
}

#[test]
fn vaultmort_byok_wrap_plays_the_vendor_hsm_for_a_generated_or_a_given_key() {
    let home = premium_home();
    let (kid, kek_pem) = kek(&home, PREMIUM, "kek", "4096");

    // A target key generated in the vendor token.
    let out = home.scratch("generated.byok");
    let public = home.scratch("generated-pub.pem");
    let wrapped = home.ok(&[
        "byok",
        "wrap",
        "--kek-file",
        path(&kek_pem),
        "--kek-kid",
        &kid,
        "--kty",
        "RSA",
        "--size",
        "3072",
        "--out",
        path(&out),
        "--public-out",
        path(&public),
    ]);
    assert_eq!(wrapped["targetKey"], "an RSA 3072 key", "{wrapped}");
    let written = blob(&out);
    assert_eq!(written["schema_version"], "1.0.0", "{written}");
    assert_eq!(written["header"], serde_json::json!({"kid": kid, "alg": "dir", "enc": "CKM_RSA_AES_KEY_WRAP"}), "{written}");
    assert!(written["generator"].as_str().is_some_and(|g| g.contains("SoftHSM2")), "{written}");
    let bytes = ciphertext(&written).len();
    assert!(
        bytes > 512 && (bytes - 512).is_multiple_of(8),
        "an RSA-4096 OAEP block, then an RFC 5649 wrap (a multiple of 8 bytes): {bytes}"
    );
    assert_eq!(mode(&out), 0o600, "the .byok file is private");
    let vendor = home.home_dir().join("byok-vendor-hsm");
    assert_eq!(mode(&vendor), 0o700, "the simulated vendor HSM's folder is private");
    assert_eq!(mode(&vendor.join("vendor-token.json")), 0o600, "its PIN file is private");

    home.ok(&args(&import_byok(PREMIUM, "generated", &out)));
    let public_pem = std::fs::read(&public).expect("--public-out wrote the target's public key");
    assert_eq!(download_pem(&home, PREMIUM, "generated"), public_pem, "the imported key is the one the vendor token generated");
    assert!(
        vault_signature_verifies(&home, PREMIUM, "generated", "PS256", &public_pem, b"vendor"),
        "openssl verifies against --public-out"
    );

    // An existing key from an encrypted PKCS#8 file, through the same vendor token.
    let target = OpensslKey::rsa(2048);
    let encrypted = home.scratch("target-enc.pem");
    std::fs::write(&encrypted, openssl_ok(&["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:vendor-pw"], Some(&target.pem)))
        .expect("the encrypted key is written");
    let given = home.scratch("given.byok");
    let again = home.ok(&[
        "byok",
        "wrap",
        "--kek-file",
        path(&kek_pem),
        "--kek-kid",
        &kid,
        "--key-file",
        path(&encrypted),
        "--key-password",
        "vendor-pw",
        "--out",
        path(&given),
    ]);
    assert_eq!(again["generator"], wrapped["generator"], "the second run reuses the same vendor token");
    // This time the blob's JSON text on the command line, as az's --byok-string takes it.
    let given_text = String::from_utf8(std::fs::read(&given).expect("the blob reads")).expect("a blob is text");
    home.ok(&["keyvault", "key", "import", "--vault-name", PREMIUM, "--name", "given", "--byok-string", &given_text]);
    assert_eq!(download_pem(&home, PREMIUM, "given"), target.public_pem(), "the vault holds openssl's key");
    assert!(vault_signature_verifies(&home, PREMIUM, "given", "RS256", &target.public_pem(), b"given"), "and signs as it");

    // Another vendor folder is another simulated HSM, made private on first use.
    let elsewhere = home.scratch("vendor-elsewhere");
    let other = home.ok(&[
        "byok",
        "wrap",
        "--kek-file",
        path(&kek_pem),
        "--kek-kid",
        &kid,
        "--size",
        "2048",
        "--out",
        path(&home.scratch("elsewhere.byok")),
        "--vendor-hsm",
        path(&elsewhere),
    ]);
    assert_ne!(other["generator"], wrapped["generator"], "a token of its own, with its own serial: {other}");
    assert_eq!(mode(&elsewhere), 0o700, "--vendor-hsm is made private");
    assert_eq!(mode(&elsewhere.join("vendor-token.json")), 0o600, "with its PIN file private");
    home.ok(&args(&import_byok(PREMIUM, "elsewhere", &home.scratch("elsewhere.byok"))));

    let exists = home.fails(&["byok", "wrap", "--kek-file", path(&kek_pem), "--kek-kid", &kid, "--size", "2048", "--out", path(&given)]);
    assert_eq!(exists.code, "FileExists", "an existing output is not overwritten: {}", exists.stderr);
    let no_password = home.fails(&[
        "byok",
        "wrap",
        "--kek-file",
        path(&kek_pem),
        "--kek-kid",
        &kid,
        "--key-file",
        path(&encrypted),
        "--out",
        path(&home.scratch("x.byok")),
    ]);
    assert_eq!(no_password.code, "WrongPassword", "an encrypted key needs its password: {}", no_password.stderr);
    let bad_kid = home.fails(&[
        "byok",
        "wrap",
        "--kek-file",
        path(&kek_pem),
        "--kek-kid",
        "kek",
        "--size",
        "2048",
        "--out",
        path(&home.scratch("y.byok")),
    ]);
    assert_eq!(bad_kid.code, "BadParameter", "the kid must be a key URL: {}", bad_kid.stderr);
    let ec_kek = home.scratch("ec-kek.pem");
    std::fs::write(&ec_kek, OpensslKey::ec("P-256").public_pem()).expect("an EC public key is written");
    let ec = home.fails(&[
        "byok",
        "wrap",
        "--kek-file",
        path(&ec_kek),
        "--kek-kid",
        &kid,
        "--size",
        "2048",
        "--out",
        path(&home.scratch("z.byok")),
    ]);
    assert_eq!(ec.code, "BadParameter", "a KEK is RSA: {}", ec.stderr);
    assert!(
        !home.scratch("x.byok").exists() && !home.scratch("y.byok").exists() && !home.scratch("z.byok").exists(),
        "refused wraps write nothing"
    );
}

#[test]
fn byok_refusals_have_clear_codes_and_leave_nothing_in_the_vault_or_the_token() {
    let home = premium_home();
    let (kid, kek_pem) = kek(&home, PREMIUM, "kek", "2048");
    let target = OpensslKey::rsa(2048);
    let good = blob(&python_wrap(&home, &kek_pem, &kid, &target, "good"));

    // A second Premium vault with a KEK of its own, and a KEK of this vault with more operations.
    home.ok(&["keyvault", "create", "--name", "hsm-other", "--resource-group", "rg", "--sku", "premium"]);
    let (other_kid, other_pem) = kek(&home, "hsm-other", "kek", "2048");
    let for_other_vault = python_wrap(&home, &other_pem, &other_kid, &target, "other-vault");
    home.ok(&[
        "keyvault",
        "key",
        "create",
        "--vault-name",
        PREMIUM,
        "--name",
        "kek-wide",
        "--kty",
        "RSA-HSM",
        "--ops",
        "import",
        "wrapKey",
    ]);
    let wide_pem = home.scratch("wide.pem");
    std::fs::write(&wide_pem, download_pem(&home, PREMIUM, "kek-wide")).expect("written");
    let wide_kid = home.ok(&["keyvault", "key", "show", "--vault-name", PREMIUM, "--name", "kek-wide"])["key"]["kid"]
        .as_str()
        .expect("kid")
        .to_string();
    let for_wide = python_wrap(&home, &wide_pem, &wide_kid, &target, "wide");
    home.ok(&["keyvault", "key", "create", "--vault-name", PREMIUM, "--name", "kek-soft", "--kty", "RSA", "--ops", "import"]);
    let soft_pem = home.scratch("soft.pem");
    std::fs::write(&soft_pem, download_pem(&home, PREMIUM, "kek-soft")).expect("written");
    let soft_kid = home.ok(&["keyvault", "key", "show", "--vault-name", PREMIUM, "--name", "kek-soft"])["key"]["kid"]
        .as_str()
        .expect("kid")
        .to_string();
    let for_soft = python_wrap(&home, &soft_pem, &soft_kid, &target, "soft");

    let version = kid.rsplit('/').next().expect("a kid ends with its version");
    let cut = ciphertext(&good);
    let mut tampered = cut.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 0x01;
    let mut unknown = good.clone();
    unknown["header"]["kid"] = Value::String(format!("https://{PREMIUM}.localhost:8443/keys/no-such-kek/{version}"));
    let mut named_other = good.clone();
    named_other["header"]["kid"] = Value::String(other_kid.clone());
    let good_text = good.to_string();

    let cases: Vec<(&str, PathBuf, &str, &str)> = vec![
        ("a blob for a KEK this vault does not have", write_blob(&home, "unknown", &unknown), "KeyNotFound", "no-such-kek"),
        ("a blob made for another vault's KEK", for_other_vault, "BadParameter", "hsm-other"),
        ("a good blob relabelled with another vault's kid", write_blob(&home, "named-other", &named_other), "BadParameter", "hsm-other"),
        ("a KEK with operations beyond import", for_wide, "BadParameter", "exactly the operation 'import'"),
        ("a software KEK", for_soft, "BadParameter", "RSA-HSM"),
        (
            "a tampered ciphertext",
            write_blob(&home, "tampered", &with_ciphertext(&good, &tampered)),
            "BadParameter",
            "changed or cut short",
        ),
        (
            "a ciphertext cut short",
            write_blob(&home, "short", &with_ciphertext(&good, &cut[..cut.len() - 24])),
            "BadParameter",
            "changed or cut short",
        ),
        (
            "a ciphertext cut to the RSA block",
            write_blob(&home, "rsa-only", &with_ciphertext(&good, &cut[..256])),
            "BadParameter",
            "truncated",
        ),
        (
            "a truncated file",
            {
                let file = home.scratch("truncated.byok");
                std::fs::write(&file, &good_text[..good_text.len() / 2]).expect("written");
                file
            },
            "BadParameter",
            "JSON",
        ),
    ];
    let keys_before = key_names(&home, PREMIUM);
    let objects_before = vault_key_objects(&home).len();
    for (what, file, code, says) in &cases {
        let failure = home.fails(&args(&import_byok(PREMIUM, "refused", file)));
        assert_eq!(&failure.code, code, "{what}: {}", failure.stderr);
        assert!(failure.stderr.contains(says), "{what}: the message says '{says}': {}", failure.stderr);
        assert_eq!(key_names(&home, PREMIUM), keys_before, "{what}: nothing is stored in the vault");
        assert_eq!(vault_key_objects(&home).len(), objects_before, "{what}: no object is left in the token");
    }

    // The AES key's RSA-OAEP block altered, or wrapped for another KEK under this KEK's kid: the
    // token's unwrap fails (SoftHSM says CKR_GENERAL_ERROR), and the refusal is the same
    // BadParameter as for the other damaged blobs, keeping nothing.
    let mut rsa_block = cut.clone();
    rsa_block[10] ^= 0x01;
    let wrong_kek = python_wrap(&home, &other_pem, &kid, &target, "wrong-kek");
    for (what, file) in [
        ("a tampered RSA block", write_blob(&home, "rsa-block", &with_ciphertext(&good, &rsa_block))),
        ("a blob wrapped for another KEK", wrong_kek),
    ] {
        let failure = home.fails(&args(&import_byok(PREMIUM, "refused", &file)));
        assert_eq!(failure.code, "BadParameter", "{what}: {}", failure.stderr);
        assert_eq!(key_names(&home, PREMIUM), keys_before, "{what}: nothing is stored in the vault");
        assert_eq!(vault_key_objects(&home).len(), objects_before, "{what}: no object is left in the token");
    }

    // An RSA blob declared as an EC transfer: the practice HSM takes no EC transfers.
    let as_ec = home.fails(&[&args(&import_byok(PREMIUM, "refused", &write_blob(&home, "as-ec", &good)))[..], &["--kty", "EC"]].concat());
    assert_eq!(as_ec.code, "BadParameter", "{}", as_ec.stderr);
    assert!(as_ec.stderr.contains("EC-HSM"), "the message names the refused type: {}", as_ec.stderr);
    assert_eq!(key_names(&home, PREMIUM), keys_before, "an EC transfer stores nothing");
    let unknown_kty = home.fails(&[&args(&import_byok(PREMIUM, "refused", &home.scratch("as-ec.byok")))[..], &["--kty", "oct"]].concat());
    assert_eq!(unknown_kty.code, "BadParameter", "{}", unknown_kty.stderr);

    // The same good blob, into a Standard vault.
    let standard = home.fails(&args(&import_byok(STANDARD, "refused", &write_blob(&home, "good", &good))));
    assert_eq!(standard.code, "BadParameter", "{}", standard.stderr);
    assert!(standard.stderr.contains("Hardware key operation not allowed on standard vault."), "{}", standard.stderr);
    assert!(key_names(&home, STANDARD).is_empty(), "nothing stored in the Standard vault");
    let software =
        home.fails(&[&args(&import_byok(PREMIUM, "refused", &home.scratch("good.byok")))[..], &["--protection", "software"]].concat());
    assert_eq!(software.code, "BadParameter", "a transfer cannot be software-protected: {}", software.stderr);

    // And after all that, the good blob still imports.
    home.ok(&args(&import_byok(PREMIUM, "accepted", &home.scratch("good.byok"))));
    assert!(
        vault_signature_verifies(&home, PREMIUM, "accepted", "RS256", &target.public_pem(), b"after the refusals"),
        "the good blob works"
    );
}

#[test]
fn pem_files_import_as_software_or_hsm_keys_and_sign_as_the_original() {
    let home = premium_home();
    let rsa = OpensslKey::rsa(2048);
    let ec = OpensslKey::ec("P-256");
    let plain = home.scratch("rsa.pem");
    std::fs::write(&plain, openssl_ok(&["pkey"], Some(&rsa.pem))).expect("written");
    let encrypted = home.scratch("rsa-enc.pem");
    std::fs::write(&encrypted, openssl_ok(&["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:pem-pw"], Some(&rsa.pem)))
        .expect("written");
    let ec_file = home.scratch("ec.pem");
    std::fs::write(&ec_file, openssl_ok(&["pkey"], Some(&ec.pem))).expect("written");
    let traditional = home.scratch("rsa-traditional.pem");
    std::fs::write(&traditional, openssl_ok(&["pkey", "-traditional"], Some(&rsa.pem))).expect("written");

    let soft = home.ok(&["keyvault", "key", "import", "--vault-name", STANDARD, "--name", "pem-soft", "--pem-file", path(&plain)]);
    assert_eq!(soft["key"]["kty"], "RSA", "{soft}");
    let enc = home.ok(&[
        "keyvault",
        "key",
        "import",
        "--vault-name",
        PREMIUM,
        "--name",
        "pem-hsm",
        "--pem-file",
        path(&encrypted),
        "--pem-password",
        "pem-pw",
        "--protection",
        "hsm",
    ]);
    assert_eq!(enc["key"]["kty"], "RSA-HSM", "{enc}");
    let pem_text = String::from_utf8(std::fs::read(&ec_file).expect("reads")).expect("PEM is text");
    let ec_hsm = home.ok(&[
        "keyvault",
        "key",
        "import",
        "--vault-name",
        PREMIUM,
        "--name",
        "pem-ec",
        "--pem-string",
        &pem_text,
        "--protection",
        "hsm",
    ]);
    assert_eq!(ec_hsm["key"]["kty"], "EC-HSM", "{ec_hsm}");
    // A JWK, as before issue 13, now also into the HSM.
    let jwk_file = home.scratch("rsa.jwk");
    std::fs::write(&jwk_file, rsa.jwk.to_string()).expect("written");
    let jwk = home.ok(&[
        "keyvault",
        "key",
        "import",
        "--vault-name",
        PREMIUM,
        "--name",
        "jwk-hsm",
        "--file",
        path(&jwk_file),
        "--protection",
        "hsm",
    ]);
    assert_eq!(jwk["key"]["kty"], "RSA-HSM", "{jwk}");
    assert!(vault_signature_verifies(&home, PREMIUM, "jwk-hsm", "RS384", &rsa.public_pem(), b"jwk"), "the JWK key signs in the token");
    // Every size and curve Key Vault has, as openssl writes them.
    for (name, genpkey, algorithm) in [
        ("pem-4096", ["RSA", "rsa_keygen_bits:4096"], "RS512"),
        ("pem-p384", ["EC", "ec_paramgen_curve:P-384"], "ES384"),
        ("pem-p521", ["EC", "ec_paramgen_curve:P-521"], "ES512"),
        ("pem-p256k", ["EC", "ec_paramgen_curve:secp256k1"], "ES256K"),
    ] {
        let key = openssl_ok(&["genpkey", "-algorithm", genpkey[0], "-pkeyopt", genpkey[1]], None);
        let public = openssl_ok(&["pkey", "-pubout"], Some(&key));
        let file = home.scratch(&format!("{name}.pem"));
        std::fs::write(&file, &key).expect("written");
        home.ok(&["keyvault", "key", "import", "--vault-name", STANDARD, "--name", name, "--pem-file", path(&file)]);
        assert_eq!(download_pem(&home, STANDARD, name), public, "{name} is openssl's key");
        assert!(vault_signature_verifies(&home, STANDARD, name, algorithm, &public, b"curves"), "openssl verifies {name}");
    }
    for (vault, name, algorithm, key) in
        [(STANDARD, "pem-soft", "RS256", &rsa), (PREMIUM, "pem-hsm", "PS256", &rsa), (PREMIUM, "pem-ec", "ES256", &ec)]
    {
        assert_eq!(download_pem(&home, vault, name), key.public_pem(), "{name} is openssl's key");
        assert!(
            vault_signature_verifies(&home, vault, name, algorithm, &key.public_pem(), b"pem"),
            "openssl verifies {name}'s {algorithm} signature"
        );
    }

    let missing = home.scratch("missing.pem");
    let refusals: [(&[&str], &str); 5] = [
        (&["--pem-file", path(&encrypted)], "WrongPassword"),
        (&["--pem-file", path(&encrypted), "--pem-password", "not-it"], "WrongPassword"),
        (&["--pem-file", path(&traditional)], "UnsupportedFormat"),
        (&["--pem-file", path(&missing)], "FileReadFailed"),
        (&["--pem-file", path(&plain), "--protection", "hsm"], "BadParameter"),
    ];
    for (extra, code) in refusals {
        let failure = home.fails(&[&["keyvault", "key", "import", "--vault-name", STANDARD, "--name", "refused"][..], extra].concat());
        assert_eq!(failure.code, code, "{extra:?}: {}", failure.stderr);
    }
    assert_eq!(key_names(&home, STANDARD), ["pem-4096", "pem-p256k", "pem-p384", "pem-p521", "pem-soft"], "refused imports store nothing");
}
