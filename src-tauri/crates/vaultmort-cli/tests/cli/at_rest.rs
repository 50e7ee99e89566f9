//! Nothing in plaintext at rest, and the master key's two sources. Secret values (ASCII, unicode,
//! 20 KB) and private keys (an openssl-made RSA and EC key imported as JWKs, whose PKCS#8 DER and
//! `d` openssl gives us) are searched for, raw and encoded, in every file of the home folder:
//! while the WAL still holds the writes, after more commands, and after a checkpoint. Canaries
//! that are stored in plaintext on purpose (a secret's name, a tag value) prove the scanner sees
//! the files it claims to. Then: the OS keyring path (only under `VAULTMORT_TEST_KEYRING=1`, as
//! `cargo xtask test` runs it), the passphrase path (right, wrong, missing, too short), a damaged
//! store, and the files' permissions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::support::{OpensslKey, PASSPHRASE, TestHome, b64, b64url, full_snapshot, with_db};

/// Something that must (or must not) be found, with a label for messages (never the bytes).
struct Needle {
    label: String,
    bytes: Vec<u8>,
}

/// The needles for `value` in every encoding a careless store might use: raw, standard base64,
/// base64url and hex. Long values are cut into 32-byte pieces, so any plaintext run of 63 bytes
/// or more would be caught, not only the whole value.
fn encodings(label: &str, value: &[u8]) -> Vec<Needle> {
    let mut out = Vec::new();
    for (encoding, bytes) in [
        ("raw", value.to_vec()),
        ("base64", b64(value).into_bytes()),
        ("base64url", b64url(value).into_bytes()),
        ("hex", hex::encode(value).into_bytes()),
    ] {
        out.extend(pieces(&format!("{label} ({encoding})"), &bytes));
    }
    out
}

/// `bytes` whole when short, else every 32-byte piece of it.
fn pieces(label: &str, bytes: &[u8]) -> Vec<Needle> {
    assert!(bytes.len() >= 8, "needle '{label}' is too short to search for without false alarms");
    if bytes.len() <= 64 {
        return vec![Needle { label: label.to_string(), bytes: bytes.to_vec() }];
    }
    bytes.chunks_exact(32).enumerate().map(|(i, chunk)| Needle { label: format!("{label} piece {i}"), bytes: chunk.to_vec() }).collect()
}

/// Every regular file under `dir`, recursively, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("the home folder is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("every file in the home folder is readable by its owner");
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

/// Which needles occur in which files: (needle label, file name).
fn scan(files: &[(PathBuf, Vec<u8>)], needles: &[Needle]) -> Vec<(String, String)> {
    let mut by_prefix: HashMap<[u8; 8], Vec<&Needle>> = HashMap::new();
    for needle in needles {
        let prefix: [u8; 8] = needle.bytes[..8].try_into().expect("needles are at least 8 bytes");
        by_prefix.entry(prefix).or_default().push(needle);
    }
    let mut found = Vec::new();
    for (path, hay) in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for at in 0..hay.len().saturating_sub(7) {
            let prefix: [u8; 8] = hay[at..at + 8].try_into().expect("8 bytes");
            if let Some(candidates) = by_prefix.get(&prefix) {
                for needle in candidates {
                    if hay[at..].starts_with(&needle.bytes) {
                        found.push((needle.label.clone(), name.clone()));
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn names(files: &[(PathBuf, Vec<u8>)]) -> Vec<String> {
    files.iter().map(|(p, b)| format!("{} ({} bytes)", p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(), b.len())).collect()
}

/// A read transaction held open on the store: SQLite cannot checkpoint frames written after it
/// began, nor delete the WAL, so every write made meanwhile stays only in `vaultmort.db-wal`.
struct WalPin {
    runtime: tokio::runtime::Runtime,
    conn: sqlx::SqliteConnection,
}

impl WalPin {
    fn new(db: &Path) -> Self {
        use sqlx::Connection;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime for sqlx");
        let conn = runtime.block_on(async {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db).create_if_missing(false);
            let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("the store opens with sqlx");
            sqlx::query("BEGIN").execute(&mut conn).await.expect("a read transaction begins");
            let _: i64 = sqlx::query_scalar("SELECT count(*) FROM meta").fetch_one(&mut conn).await.expect("the read snapshot is taken");
            conn
        });
        Self { runtime, conn }
    }

    fn release(self) {
        use sqlx::Connection;
        let Self { runtime, mut conn } = self;
        runtime.block_on(async {
            sqlx::query("COMMIT").execute(&mut conn).await.expect("the read transaction ends");
            conn.close().await.expect("the pin's connection closes");
        });
    }
}

/// A 20 KB value that is not repetitive (so that pieces of it are distinctive): printable ASCII
/// from a fixed linear congruential sequence.
fn big_value() -> String {
    let mut state: u64 = 0x5eed_0fa7_4e57;
    (0..20 * 1024)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            char::from(b'!' + ((state >> 33) % 94) as u8)
        })
        .collect()
}

#[test]
fn secrets_and_private_keys_are_never_stored_in_plaintext() {
    let home = TestHome::with_vault("atrest");
    let ascii = "AtRest-ascii-secret-0xC0FFEE-never-on-disk-7d1e";
    let unicode = "Überprüfung-ключ-秘密の値-🔑-jamais-en-clair-4b9f";
    let big = big_value();
    let canary_name = "atrest-canary-plaintext-name-q7x";
    let canary_tag = "atrest-canary-tag-value-z9w";

    let rsa = OpensslKey::rsa(2048);
    let ec = OpensslKey::ec("P-256");
    let rsa_file = home.scratch("rsa.jwk.json");
    let ec_file = home.scratch("ec.jwk.json");
    std::fs::write(&rsa_file, rsa.jwk.to_string()).expect("write the RSA JWK");
    std::fs::write(&ec_file, ec.jwk.to_string()).expect("write the EC JWK");
    let big_file = home.scratch("big.txt");
    std::fs::write(&big_file, &big).expect("write the 20 KB value");

    // Pin the WAL: everything below is written after this read snapshot, so it cannot reach the
    // main database file until the pin is released.
    let pin = WalPin::new(&home.db_file());

    home.ok(&["keyvault", "secret", "set", "--vault-name", "atrest", "--name", "ascii", "--value", ascii]);
    home.ok(&["keyvault", "secret", "set", "--vault-name", "atrest", "--name", "unicode", "--value", unicode]);
    let big_path = big_file.to_str().expect("utf-8 path");
    home.ok(&["keyvault", "secret", "set", "--vault-name", "atrest", "--name", "big", "--file", big_path]);
    home.ok(&[
        "keyvault",
        "secret",
        "set",
        "--vault-name",
        "atrest",
        "--name",
        canary_name,
        "--value",
        ascii,
        "--tags",
        &format!("t={canary_tag}"),
    ]);
    home.ok(&["keyvault", "key", "create", "--vault-name", "atrest", "--name", "made-rsa", "--kty", "RSA"]);
    home.ok(&["keyvault", "key", "create", "--vault-name", "atrest", "--name", "made-ec", "--kty", "EC", "--curve", "P-256"]);
    home.ok(&[
        "keyvault",
        "key",
        "import",
        "--vault-name",
        "atrest",
        "--name",
        "imported-rsa",
        "--file",
        rsa_file.to_str().expect("utf-8 path"),
    ]);
    home.ok(&[
        "keyvault",
        "key",
        "import",
        "--vault-name",
        "atrest",
        "--name",
        "imported-ec",
        "--file",
        ec_file.to_str().expect("utf-8 path"),
    ]);

    let digest = b64(&[0x42u8; 32]);
    let plaintexts = ["AtRest-decrypted-plaintext-one-5c3a", "AtRest-decrypted-plaintext-two-9e0d"];
    for key in ["made-rsa", "imported-rsa"] {
        home.ok(&["keyvault", "key", "sign", "--vault-name", "atrest", "--name", key, "--algorithm", "RS256", "--digest", &digest]);
        for plaintext in plaintexts {
            let sealed = home.ok(&[
                "keyvault",
                "key",
                "encrypt",
                "--vault-name",
                "atrest",
                "--name",
                key,
                "--algorithm",
                "RSA-OAEP-256",
                "--value",
                plaintext,
                "--data-type",
                "plaintext",
            ]);
            let ciphertext = sealed["result"].as_str().expect("encrypt returns result");
            let opened = home.ok(&[
                "keyvault",
                "key",
                "decrypt",
                "--vault-name",
                "atrest",
                "--name",
                key,
                "--algorithm",
                "RSA-OAEP-256",
                "--value",
                ciphertext,
                "--data-type",
                "plaintext",
            ]);
            assert_eq!(opened["result"], plaintext, "decrypt must give back what encrypt sealed, else the round trip proves nothing");
        }
    }
    for key in ["made-ec", "imported-ec"] {
        home.ok(&["keyvault", "key", "sign", "--vault-name", "atrest", "--name", key, "--algorithm", "ES256", "--digest", &digest]);
    }
    let backups: Vec<PathBuf> =
        ["ascii", "big", "imported-rsa", "imported-ec"].iter().map(|n| home.scratch(&format!("{n}.backup"))).collect();
    home.ok(&["keyvault", "secret", "backup", "--vault-name", "atrest", "--name", "ascii", "--file", backups[0].to_str().expect("utf-8")]);
    home.ok(&["keyvault", "secret", "backup", "--vault-name", "atrest", "--name", "big", "--file", backups[1].to_str().expect("utf-8")]);
    home.ok(&[
        "keyvault",
        "key",
        "backup",
        "--vault-name",
        "atrest",
        "--name",
        "imported-rsa",
        "--file",
        backups[2].to_str().expect("utf-8"),
    ]);
    home.ok(&[
        "keyvault",
        "key",
        "backup",
        "--vault-name",
        "atrest",
        "--name",
        "imported-ec",
        "--file",
        backups[3].to_str().expect("utf-8"),
    ]);

    // The forbidden bytes.
    let mut forbidden = Vec::new();
    forbidden.extend(encodings("ascii secret", ascii.as_bytes()));
    forbidden.extend(encodings("unicode secret", unicode.as_bytes()));
    forbidden.extend(encodings("20 KB secret", big.as_bytes()));
    for plaintext in plaintexts {
        forbidden.extend(encodings("decrypted plaintext", plaintext.as_bytes()));
    }
    for (label, key) in [("imported RSA key", &rsa), ("imported EC key", &ec)] {
        forbidden.extend(pieces(&format!("{label} PKCS#8 DER"), &key.pkcs8_der));
        forbidden.extend(pieces(&format!("{label} PKCS#8 base64 (PEM body)"), b64(&key.pkcs8_der).as_bytes()));
        forbidden.extend(pieces(&format!("{label} d"), &key.d));
        let d_text = key.jwk["d"].as_str().expect("the JWK has d");
        forbidden.extend(pieces(&format!("{label} JWK d member"), d_text.as_bytes()));
        forbidden.extend(pieces(&format!("{label} d (hex)"), hex::encode(&key.d).as_bytes()));
    }
    // Sanity of the referee: openssl's PKCS#8 holds the very d of the JWK we imported.
    for key in [&rsa, &ec] {
        assert!(
            key.pkcs8_der.windows(key.d.len()).any(|w| w == key.d.as_slice()),
            "the PKCS#8 DER from openssl should contain the private scalar/exponent the JWK was built from"
        );
    }
    let canaries = vec![
        Needle { label: "secret name".into(), bytes: canary_name.as_bytes().to_vec() },
        Needle { label: "tag value".into(), bytes: canary_tag.as_bytes().to_vec() },
    ];

    // Scan 1: the WAL holds every write above, un-checkpointed.
    let files = files_under(&home.home_dir());
    let wal_name = "vaultmort.db-wal";
    assert!(
        files.iter().any(|(p, b)| p.ends_with(wal_name) && !b.is_empty()),
        "with a read transaction pinned, the writes must sit in a non-empty WAL file; files: {:?}",
        names(&files)
    );
    let seen = scan(&files, &canaries);
    for canary in &canaries {
        assert!(
            seen.contains(&(canary.label.clone(), wal_name.to_string())),
            "the scanner must find the {} (stored in plaintext on purpose) in the WAL, or it is not looking at the WAL; found {seen:?} in {:?}",
            canary.label,
            names(&files)
        );
        assert!(
            !seen.contains(&(canary.label.clone(), "vaultmort.db".to_string())),
            "the {} must not have reached the main file while the WAL is pinned, else this scan is not of an un-checkpointed WAL",
            canary.label
        );
    }
    let leaks = scan(&files, &forbidden);
    assert!(leaks.is_empty(), "secret values or private key material found in plaintext at rest (un-checkpointed WAL): {leaks:?}");
    pin.release();

    // Scan 2: after more commands (reads, a new version, rotation, soft delete and recovery).
    let shown = home.ok(&["keyvault", "secret", "show", "--vault-name", "atrest", "--name", "unicode"]);
    assert_eq!(shown["value"], unicode, "the unicode secret must read back exactly, else the scan searched for the wrong bytes");
    let shown = home.ok(&["keyvault", "secret", "show", "--vault-name", "atrest", "--name", "big"]);
    assert_eq!(shown["value"].as_str().map(str::len), Some(big.len()), "the 20 KB secret must read back whole");
    assert_eq!(shown["value"], big.as_str(), "the 20 KB secret must read back byte for byte");
    home.ok(&["keyvault", "secret", "set", "--vault-name", "atrest", "--name", "ascii", "--value", unicode]);
    home.ok(&["keyvault", "key", "rotate", "--vault-name", "atrest", "--name", "imported-rsa"]);
    home.ok(&["keyvault", "secret", "delete", "--vault-name", "atrest", "--name", "unicode"]);
    home.ok(&["keyvault", "secret", "recover", "--vault-name", "atrest", "--name", "unicode"]);
    home.ok(&["keyvault", "secret", "list", "--vault-name", "atrest"]);
    home.ok(&["keyvault", "key", "sign", "--vault-name", "atrest", "--name", "imported-ec", "--algorithm", "ES256", "--digest", &digest]);
    let files = files_under(&home.home_dir());
    let seen = scan(&files, &canaries);
    for canary in &canaries {
        assert!(
            seen.iter().any(|(label, _)| label == &canary.label),
            "the scanner must still find the {}: {:?}",
            canary.label,
            names(&files)
        );
    }
    let leaks = scan(&files, &forbidden);
    assert!(leaks.is_empty(), "secret values or private key material found in plaintext at rest after more commands: {leaks:?}");

    // Scan 3: after a full checkpoint everything is in the main file.
    with_db(&home.db_file(), async |conn| {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await.expect("the checkpoint runs");
    });
    let files = files_under(&home.home_dir());
    let seen = scan(&files, &canaries);
    for canary in &canaries {
        assert!(
            seen.contains(&(canary.label.clone(), "vaultmort.db".to_string())),
            "after a checkpoint the {} must be in the main file, where the scanner must see it: {seen:?}",
            canary.label
        );
    }
    let leaks = scan(&files, &forbidden);
    assert!(leaks.is_empty(), "secret values or private key material found in plaintext in the checkpointed store: {leaks:?}");

    // The backup blobs (outside the home) are sealed too.
    let blobs: Vec<(PathBuf, Vec<u8>)> = backups.iter().map(|p| (p.clone(), std::fs::read(p).expect("the backup file exists"))).collect();
    let leaks = scan(&blobs, &forbidden);
    assert!(leaks.is_empty(), "backup blobs must be sealed, but hold plaintext material: {leaks:?}");
}

/// Replaces (or with `None` removes) one environment variable of the home's runs.
fn set_env(home: &mut TestHome, key: &str, value: Option<&str>) {
    home.env.retain(|(k, _)| k != key);
    if let Some(value) = value {
        home.env.push((key.to_string(), value.to_string()));
    }
}

fn meta_text(home: &TestHome, key: &'static str) -> Option<String> {
    with_db(&home.db_file(), async |conn| {
        let value: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = ?").bind(key).fetch_optional(&mut *conn).await.expect("meta reads");
        value.map(|v| String::from_utf8(v).expect("the meta value is text"))
    })
}

fn keyring_tests_enabled(test: &str) -> bool {
    if std::env::var("VAULTMORT_TEST_KEYRING").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "{test}: skipped: VAULTMORT_TEST_KEYRING is not 1, so no private D-Bus session with an unlocked gnome-keyring is known to be \
         running (run `cargo xtask test`); the user's real keyring is never used"
    );
    false
}

fn secret_tool(args: &[&str]) -> Option<std::process::Output> {
    match std::process::Command::new("secret-tool").args(args).stdin(std::process::Stdio::null()).output() {
        Ok(out) => Some(out),
        Err(e) => {
            eprintln!("secret-tool could not run ({e}); install libsecret-tools to check the keyring entry itself");
            None
        }
    }
}

/// The attribute lines of `secret-tool search --all service vaultmort` (never the secrets).
fn keyring_attributes() -> Option<String> {
    let out = secret_tool(&["search", "--all", "service", "vaultmort"])?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Some(text.lines().filter(|l| l.starts_with("attribute.")).collect::<Vec<_>>().join("\n"))
}

#[test]
fn keyring_holds_the_master_key_and_its_loss_is_reported() {
    if !keyring_tests_enabled("keyring_holds_the_master_key_and_its_loss_is_reported") {
        return;
    }
    let mut home = TestHome::new();
    set_env(&mut home, "VAULTMORT_PASSPHRASE", None);
    set_env(&mut home, "VAULTMORT_KEY_SOURCE", Some("keyring"));
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    home.ok(&["keyvault", "create", "--name", "kr-vault", "--resource-group", "rg"]);
    home.ok(&["keyvault", "secret", "set", "--vault-name", "kr-vault", "--name", "s", "--value", "keyring-protected-value-81f2"]);
    // A separate process: the key cannot come from memory, and no passphrase is set.
    let shown = home.ok(&["keyvault", "secret", "show", "--vault-name", "kr-vault", "--name", "s"]);
    assert_eq!(shown["value"], "keyring-protected-value-81f2", "a second process must unlock the store with the keyring's key alone");

    assert_eq!(meta_text(&home, "master.source").as_deref(), Some("keyring"), "the store must record that its key lives in the keyring");
    let id = meta_text(&home, "store.id").expect("a keyring store records its id");
    let user = format!("master-key:{id}");
    match keyring_attributes() {
        Some(attributes) => {
            assert!(
                attributes.contains(&format!("attribute.username = {user}")),
                "the keyring should hold service vaultmort, user {user}; it has:\n{attributes}"
            );
            // The master key itself must not be in the store's files.
            let out = secret_tool(&["lookup", "service", "vaultmort", "username", &user]).expect("secret-tool ran a moment ago");
            assert_eq!(out.stdout.len(), 32, "the keyring entry should be the 32-byte master key");
            let leaks = scan(&files_under(&home.home_dir()), &[Needle { label: "master key".into(), bytes: out.stdout.clone() }]);
            assert!(leaks.is_empty(), "the keyring's master key must never be written into the home folder: {leaks:?}");

            // Take the key away: the store can no longer be opened, and says why.
            let cleared = secret_tool(&["clear", "service", "vaultmort", "username", &user]).expect("secret-tool ran a moment ago");
            assert!(cleared.status.success(), "secret-tool clear should remove the entry: {}", String::from_utf8_lossy(&cleared.stderr));
            let failure = home.fails(&["keyvault", "secret", "show", "--vault-name", "kr-vault", "--name", "s"]);
            assert_eq!(failure.code, "KeyringUnavailable", "a keyring store whose key is gone cannot open: {}", failure.stderr);
            assert_eq!(failure.status, 1, "a missing master key is not a NotFound of the request");
            assert!(
                failure.stderr.contains("has no master key for this store") && failure.stderr.contains(&user),
                "the message must say the keyring has no master key for this store (and which entry): {}",
                failure.stderr
            );
        }
        None => eprintln!("secret-tool is not installed: the keyring entry and its removal were not checked"),
    }
}

#[test]
fn auto_key_source_prefers_the_keyring() {
    if !keyring_tests_enabled("auto_key_source_prefers_the_keyring") {
        return;
    }
    let mut home = TestHome::new();
    // A passphrase is available too; auto must still choose the keyring when one answers.
    set_env(&mut home, "VAULTMORT_KEY_SOURCE", Some("auto"));
    home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
    assert_eq!(meta_text(&home, "master.source").as_deref(), Some("keyring"), "auto must pick the keyring when it answers");
    // The passphrase plays no part: a later run without one (or with a wrong one) opens the store.
    set_env(&mut home, "VAULTMORT_PASSPHRASE", None);
    home.ok(&["group", "show", "--name", "rg"]);
    set_env(&mut home, "VAULTMORT_PASSPHRASE", Some("not the passphrase at all"));
    home.ok(&["group", "show", "--name", "rg"]);
    let id = meta_text(&home, "store.id").expect("a keyring store records its id");
    if let Some(attributes) = keyring_attributes() {
        assert!(attributes.contains(&format!("master-key:{id}")), "auto's key must be in the keyring under master-key:{id}:\n{attributes}");
        secret_tool(&["clear", "service", "vaultmort", "username", &format!("master-key:{id}")]);
    }
}

#[test]
fn the_right_passphrase_opens_and_a_wrong_one_changes_nothing() {
    let mut home = TestHome::with_vault("pp-vault");
    home.ok(&["keyvault", "secret", "set", "--vault-name", "pp-vault", "--name", "s", "--value", "under-a-passphrase"]);
    assert_eq!(meta_text(&home, "master.source").as_deref(), Some("passphrase"), "a passphrase store records its source");
    let before = full_snapshot(&home);

    set_env(&mut home, "VAULTMORT_PASSPHRASE", Some("correct horse battery stapler"));
    let wrong = home.fails(&["keyvault", "secret", "set", "--vault-name", "pp-vault", "--name", "s", "--value", "overwritten"]);
    assert_eq!(wrong.code, "WrongPassphrase", "a near-miss passphrase must be refused as wrong: {}", wrong.stderr);
    assert_eq!(wrong.status, 1, "a refused passphrase exits non-zero");
    assert!(wrong.stderr.contains("passphrase is wrong"), "the message must say the passphrase is wrong: {}", wrong.stderr);
    assert_eq!(full_snapshot(&home), before, "a wrong passphrase must leave every table, the access log included, as it was");

    set_env(&mut home, "VAULTMORT_PASSPHRASE", Some(PASSPHRASE));
    let shown = home.ok(&["keyvault", "secret", "show", "--vault-name", "pp-vault", "--name", "s"]);
    assert_eq!(shown["value"], "under-a-passphrase", "the right passphrase opens the store, with the value the wrong one could not change");
}

#[test]
fn without_a_passphrase_or_a_terminal_a_passphrase_is_required() {
    let mut home = TestHome::with_vault("pp-vault");
    let before = full_snapshot(&home);
    set_env(&mut home, "VAULTMORT_PASSPHRASE", None);
    // stdin is /dev/null: no terminal to ask on.
    let failure = home.fails(&["keyvault", "list"]);
    assert_eq!(failure.code, "PassphraseRequired", "no passphrase and no terminal cannot unlock: {}", failure.stderr);
    assert!(failure.stderr.contains("VAULTMORT_PASSPHRASE"), "the message must say how to give the passphrase: {}", failure.stderr);
    assert_eq!(full_snapshot(&home), before, "a refused unlock changes nothing");

    // A new store cannot be made without one either.
    let mut fresh = TestHome::new();
    set_env(&mut fresh, "VAULTMORT_PASSPHRASE", None);
    let failure = fresh.fails(&["group", "list"]);
    assert_eq!(failure.code, "PassphraseRequired", "a new passphrase store needs a passphrase too: {}", failure.stderr);
}

#[test]
fn a_damaged_check_value_is_reported_as_damage_not_as_a_wrong_passphrase() {
    let mut home = TestHome::with_vault("dmg-vault");
    set_env(&mut home, "VAULTMORT_PASSPHRASE", Some("a wrong passphrase here"));
    let wrong = home.fails(&["keyvault", "list"]);
    assert_eq!(wrong.code, "WrongPassphrase", "{}", wrong.stderr);
    set_env(&mut home, "VAULTMORT_PASSPHRASE", Some(PASSPHRASE));

    with_db(&home.db_file(), async |conn| {
        let mut check: Vec<u8> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'barrier.check'")
            .fetch_one(&mut *conn)
            .await
            .expect("an initialised store has a barrier check value");
        let middle = check.len() / 2;
        check[middle] ^= 0x01;
        sqlx::query("UPDATE meta SET value = ? WHERE key = 'barrier.check'")
            .bind(check)
            .execute(&mut *conn)
            .await
            .expect("the flip is written");
    });
    let damaged = home.fails(&["keyvault", "list"]);
    assert_eq!(
        damaged.code, "StoreDamaged",
        "a flipped bit in the check value is damage, even with the right passphrase: {}",
        damaged.stderr
    );
    assert_eq!(damaged.status, 1, "damage exits with 1");
    assert!(damaged.stderr.contains("damaged"), "the message must say the store is damaged: {}", damaged.stderr);
    assert!(!damaged.stderr.contains("passphrase is wrong"), "damage must not be blamed on the passphrase: {}", damaged.stderr);
    assert_ne!(damaged.stderr, wrong.stderr, "damage and a wrong passphrase must read differently");
}

#[test]
fn a_junk_file_header_is_reported_as_damage() {
    let home = TestHome::with_vault("dmg-vault");
    with_db(&home.db_file(), async |conn| {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await.expect("the checkpoint runs");
    });
    let mut bytes = std::fs::read(home.db_file()).expect("the store file exists");
    assert!(bytes.starts_with(b"SQLite format 3\0"), "the store is an SQLite file before the damage");
    bytes[..100].copy_from_slice(&[0xA5; 100]);
    std::fs::write(home.db_file(), &bytes).expect("the junk header is written");
    for companion in ["vaultmort.db-wal", "vaultmort.db-shm"] {
        let _ = std::fs::remove_file(home.home_dir().join(companion));
    }
    let damaged = home.fails(&["keyvault", "list"]);
    assert_eq!(damaged.code, "StoreDamaged", "a store file that is not a database is damaged: {}", damaged.stderr);
    assert!(damaged.stderr.contains("vaultmort.db"), "the message must name the damaged file: {}", damaged.stderr);
    assert!(!damaged.stderr.contains("passphrase"), "damage must not be blamed on the passphrase: {}", damaged.stderr);
}

#[test]
fn a_short_new_passphrase_is_refused_and_leaves_no_usable_store() {
    let mut home = TestHome::new();
    for short in ["short7!", "äöüßéèê"] {
        set_env(&mut home, "VAULTMORT_PASSPHRASE", Some(short));
        let failure = home.fails(&["group", "create", "--name", "rg", "--location", "westeurope"]);
        assert_eq!(
            failure.code, "BadParameter",
            "a 7-character passphrase (counted in characters, not bytes) is too short: {}",
            failure.stderr
        );
        assert!(failure.stderr.contains('8'), "the message must give the minimum length, 8: {}", failure.stderr);
        if home.db_file().exists() {
            assert_eq!(meta_text(&home, "barrier.check"), None, "a refused passphrase must not leave an initialised store behind");
            assert_eq!(meta_text(&home, "master.source"), None, "a refused passphrase must not leave a key source recorded");
        }
    }
    // Exactly 8 characters is enough, and makes a fresh, empty store.
    set_env(&mut home, "VAULTMORT_PASSPHRASE", Some("eight8!!"));
    assert_eq!(home.ok(&["group", "list"]), serde_json::json!([]), "the first usable store is a fresh, empty one");
    assert_eq!(meta_text(&home, "master.source").as_deref(), Some("passphrase"), "the store is protected by the 8-character passphrase");
    set_env(&mut home, "VAULTMORT_PASSPHRASE", Some("short7!"));
    assert_eq!(home.fails(&["group", "list"]).code, "WrongPassphrase", "the refused short passphrase never became the store's passphrase");
}

#[test]
fn the_store_file_and_home_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = TestHome::with_vault("perm-vault");
    home.ok(&["keyvault", "secret", "set", "--vault-name", "perm-vault", "--name", "s", "--value", "v"]);
    let mode = |p: &Path| std::fs::metadata(p).expect("the path exists").permissions().mode() & 0o777;
    assert_eq!(mode(&home.home_dir()), 0o700, "the home folder must be owner-only (0700)");
    assert_eq!(mode(&home.db_file()), 0o600, "the store file must be owner read/write only (0600)");
    for (path, _) in files_under(&home.home_dir()) {
        assert_eq!(mode(&path) & 0o077, 0, "{} must not be readable by group or others", path.display());
    }
    // Also when the folder existed before, with loose permissions.
    let loose = TestHome::new();
    std::fs::create_dir_all(loose.home_dir()).expect("create the folder");
    std::fs::set_permissions(loose.home_dir(), std::fs::Permissions::from_mode(0o755)).expect("loosen it");
    loose.ok(&["group", "list"]);
    assert_eq!(mode(&loose.home_dir()), 0o700, "an existing home folder must be narrowed to 0700");
    assert_eq!(mode(&loose.db_file()), 0o600, "the store file must be 0600");
}

#[test]
fn the_scanner_finds_plaintext_where_it_is() {
    // The scanner itself must be able to fail: a file holding a value raw, in base64 and a piece of
    // a long value must all be reported, and an unrelated file must not be.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let value = big_value();
    std::fs::create_dir_all(dir.path().join("nested")).expect("a nested folder");
    std::fs::write(dir.path().join("nested").join("leak.bin"), format!("xx{}yy", &value[1000..1100])).expect("write");
    std::fs::write(dir.path().join("b64.txt"), b64(b"a secret value in base64")).expect("write");
    std::fs::write(dir.path().join("clean.bin"), vec![0u8; 4096]).expect("write");
    let mut needles = encodings("big", value.as_bytes());
    needles.extend(encodings("small", b"a secret value in base64"));
    let found = scan(&files_under(dir.path()), &needles);
    assert!(
        found.iter().any(|(l, f)| l.starts_with("big (raw)") && f == "leak.bin"),
        "a 100-byte run of the big value must be found: {found:?}"
    );
    assert!(found.iter().any(|(l, f)| l == "small (base64)" && f == "b64.txt"), "a base64 copy must be found: {found:?}");
    assert!(found.iter().all(|(_, f)| f != "clean.bin"), "nothing is found in a file of zeros: {found:?}");
}

/// Issue 13: HSM keys keep no private key material under the home, whichever way they arrived
/// (a PEM import with HSM protection, a BYOK blob from the independent wrapper, a blob from
/// `byok wrap --key-file` whose simulated vendor HSM also lives under the home). The SoftHSM
/// token files, the vendor folder and the store are all scanned for the keys' PKCS#8 and `d`.
#[test]
fn hsm_keys_leave_no_private_key_material_under_the_home() {
    use crate::byok::{kek, python_wrap};
    use crate::hsm::{PREMIUM, path, premium_home};

    let home = premium_home();
    let (kid, kek_pem) = kek(&home, PREMIUM, "kek", "2048");
    let by_pem = OpensslKey::rsa(2048);
    let by_pem_ec = OpensslKey::ec("P-384");
    let by_python = OpensslKey::rsa(2048);
    let by_vendor = OpensslKey::rsa(3072);

    for (name, key) in [("pem-rsa", &by_pem), ("pem-ec", &by_pem_ec)] {
        let file = home.scratch(&format!("{name}.pem"));
        std::fs::write(&file, &key.pem).expect("the PEM key is written outside the home");
        home.ok(&["keyvault", "key", "import", "--vault-name", PREMIUM, "--name", name, "--pem-file", path(&file), "--protection", "hsm"]);
    }
    let blob = python_wrap(&home, &kek_pem, &kid, &by_python, "python");
    home.ok(&["keyvault", "key", "import", "--vault-name", PREMIUM, "--name", "byok-python", "--byok-file", path(&blob)]);
    let vendor_key = home.scratch("vendor-key.pem");
    std::fs::write(&vendor_key, &by_vendor.pem).expect("written");
    let vendor_blob = home.scratch("vendor.byok");
    home.ok(&[
        "byok",
        "wrap",
        "--kek-file",
        path(&kek_pem),
        "--kek-kid",
        &kid,
        "--key-file",
        path(&vendor_key),
        "--out",
        path(&vendor_blob),
    ]);
    home.ok(&["keyvault", "key", "import", "--vault-name", PREMIUM, "--name", "byok-vendor", "--byok-file", path(&vendor_blob)]);

    let mut needles = Vec::new();
    for (label, key) in [("pem-rsa", &by_pem), ("pem-ec", &by_pem_ec), ("byok-python", &by_python), ("byok-vendor", &by_vendor)] {
        needles.extend(encodings(&format!("{label} PKCS#8"), &key.pkcs8_der));
        needles.extend(encodings(&format!("{label} d"), &key.d));
    }
    let files = files_under(&home.home_dir());
    let file_names = names(&files);
    assert!(file_names.iter().any(|n| n.starts_with("softhsm2.conf")), "the scan covers the token folders: {file_names:?}");
    assert!(file_names.iter().any(|n| n.starts_with("vendor-token.json")), "and the simulated vendor HSM: {file_names:?}");
    let found = scan(&files, &needles);
    assert!(found.is_empty(), "private key material of HSM keys found under the home: {found:?} (files: {file_names:?})");
}
