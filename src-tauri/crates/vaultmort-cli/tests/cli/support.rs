//! Shared test fixtures: a throwaway home, running the binary, reading its JSON and errors,
//! and running openssl.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// The passphrase every test home uses unless a test says otherwise.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// A temporary Vaultmort home.
pub struct TestHome {
    dir: TempDir,
    /// Environment variables set for every run (beyond VAULTMORT_HOME).
    pub env: Vec<(String, String)>,
    /// Shell commands run before `vaultmort` in the same process (`umask 000`, `ulimit -v ...`):
    /// when set, every run goes through `sh -c '<prelude>; exec "$@"'`.
    pub shell_prelude: Option<String>,
}

/// The result of a failed command: the error code and the whole stderr.
#[derive(Debug)]
pub struct Failure {
    /// The code between parentheses in `ERROR: (Code) message`.
    pub code: String,
    /// All of stderr.
    pub stderr: String,
    /// The exit status.
    pub status: i32,
}

impl TestHome {
    /// A fresh home protected by [`PASSPHRASE`].
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for the test home");
        Self {
            dir,
            env: vec![("VAULTMORT_KEY_SOURCE".into(), "passphrase".into()), ("VAULTMORT_PASSPHRASE".into(), PASSPHRASE.into())],
            shell_prelude: None,
        }
    }

    /// A fresh home with a resource group `rg` and a vault named `vault`.
    pub fn with_vault(vault: &str) -> Self {
        let home = Self::new();
        home.ok(&["group", "create", "--name", "rg", "--location", "westeurope"]);
        home.ok(&["keyvault", "create", "--name", vault, "--resource-group", "rg"]);
        home
    }

    /// The home folder (the value of VAULTMORT_HOME).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path for a scratch file inside the test's temporary area (not inside the home).
    pub fn scratch(&self, name: &str) -> PathBuf {
        let dir = self.dir.path().join("scratch");
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir.join(name)
    }

    /// Runs `vaultmort` with `args`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).stdin(Stdio::null()).output().expect("the vaultmort binary runs")
    }

    /// A `vaultmort` command on this home (through the shell prelude, if any), with no
    /// `VAULTMORT_*` setting of the calling environment: for tests that spawn it themselves.
    pub fn command(&self) -> Command {
        let binary = env!("CARGO_BIN_EXE_vaultmort");
        let mut command = match &self.shell_prelude {
            None => Command::new(binary),
            Some(prelude) => {
                let mut shell = Command::new("sh");
                shell.arg("-c").arg(format!("{prelude}; exec \"$@\"")).arg("sh").arg(binary);
                shell
            }
        };
        for (key, _) in std::env::vars() {
            if key.starts_with("VAULTMORT_") {
                command.env_remove(key);
            }
        }
        command.env("VAULTMORT_HOME", self.path().join("home"));
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    /// Runs a command that must succeed and returns its JSON output (Null when it prints nothing).
    pub fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "`vaultmort {}` should succeed, but failed with {:?}: {}",
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        if text.trim().is_empty() { Value::Null } else { serde_json::from_str(&text).expect("the command prints JSON") }
    }

    /// Runs a command that must fail and returns its error code and stderr.
    pub fn fails(&self, args: &[&str]) -> Failure {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "`vaultmort {}` should fail, but succeeded: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!stderr.contains("panicked"), "`vaultmort {}` must fail with an error, not a panic: {stderr}", args.join(" "));
        let code = stderr
            .split_once("ERROR: (")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(code, _)| code.to_string())
            .unwrap_or_else(|| panic!("stderr should carry `ERROR: (Code) message`, got: {stderr}"));
        Failure { code, stderr, status: out.status.code().unwrap_or(-1) }
    }
}

/// Runs openssl with `args`, feeding `stdin`; returns the output (success not asserted).
pub fn openssl(args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl is installed (cargo xtask setup installs it)");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input).expect("write to openssl");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("openssl finishes")
}

/// Runs openssl and asserts success, returning stdout.
pub fn openssl_ok(args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    let out = openssl(args, stdin);
    assert!(out.status.success(), "openssl {} should succeed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Standard base64.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64.
pub fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).expect("valid base64")
}

// ---- Added for the at-rest and bad-input tests: the store file, its tables, openssl keys as JWKs ----

impl TestHome {
    /// The home folder the binary uses (VAULTMORT_HOME).
    pub fn home_dir(&self) -> PathBuf {
        self.path().join("home")
    }

    /// The SQLite store file inside the home folder.
    pub fn db_file(&self) -> PathBuf {
        self.home_dir().join("vaultmort.db")
    }
}

/// Runs `work` on a fresh single-threaded runtime with a raw connection to the store file
/// (never created here: the binary must have made it).
pub fn with_db<T>(db: &Path, work: impl AsyncFnOnce(&mut sqlx::SqliteConnection) -> T) -> T {
    use sqlx::Connection;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime for sqlx");
    runtime.block_on(async {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db).create_if_missing(false);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("the store file opens with sqlx");
        let out = work(&mut conn).await;
        conn.close().await.expect("the sqlx connection closes");
        out
    })
}

/// Every row of every table except the access log (and the access log's AUTOINCREMENT counter),
/// as SQL literals, ordered: two equal snapshots mean the store's contents did not change.
pub fn store_snapshot(home: &TestHome) -> std::collections::BTreeMap<String, Vec<String>> {
    // Everything but the access log (its rows and its chain head in meta).
    table_snapshot(&home.db_file(), &["audit_log"])
}

/// Every row of every table, the access log included.
pub fn full_snapshot(home: &TestHome) -> std::collections::BTreeMap<String, Vec<String>> {
    table_snapshot(&home.db_file(), &[])
}

fn table_snapshot(db: &Path, skip: &[&str]) -> std::collections::BTreeMap<String, Vec<String>> {
    let skip: Vec<String> = skip.iter().map(|s| s.to_string()).collect();
    with_db(db, async move |conn| {
        let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut *conn)
            .await
            .expect("the table list reads");
        assert!(tables.iter().any(|t| t == "object_versions"), "the store should have its schema, found tables {tables:?}");
        let mut out = std::collections::BTreeMap::new();
        for table in tables.into_iter().filter(|t| !skip.contains(t)) {
            let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{table}')")))
                .fetch_all(&mut *conn)
                .await
                .expect("the column list reads");
            let row = columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
            let filter = if table == "sqlite_sequence" && !skip.is_empty() {
                format!("WHERE name NOT IN ({})", skip.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(","))
            } else if table == "meta" && skip.iter().any(|s| s == "audit_log") {
                // The access log's chain head moves with every record, so it goes with the log.
                "WHERE key <> 'audit.chain_head'".to_string()
            } else {
                String::new()
            };
            let rows: Vec<String> =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {row} AS r FROM \"{table}\" {filter} ORDER BY r")))
                    .fetch_all(&mut *conn)
                    .await
                    .expect("the table reads");
            out.insert(table, rows);
        }
        out
    })
}

/// One row of the access log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    /// Sequence number.
    pub sequence: i64,
    /// Operation name (`SecretSet`, ...).
    pub operation: String,
    /// Caller display name.
    pub caller_name: String,
    /// Door (`cli`, ...).
    pub door: String,
    /// Vault, when the request concerned one.
    pub vault: Option<String>,
    /// Object path.
    pub object: Option<String>,
    /// HTTP-style status.
    pub status: i64,
    /// Error code of a refusal.
    pub error_code: Option<String>,
    /// The rule that decided.
    pub rule: String,
}

/// An access-log row as sqlx reads it, in [`AuditRow`]'s field order.
type AuditTuple = (i64, String, String, String, Option<String>, Option<String>, i64, Option<String>, String);

/// The whole access log, oldest first.
pub fn audit_rows(home: &TestHome) -> Vec<AuditRow> {
    with_db(&home.db_file(), async |conn| {
        let rows: Vec<AuditTuple> = sqlx::query_as(
            "SELECT sequence, operation, caller_name, door, vault, object, status, error_code, rule FROM audit_log ORDER BY sequence",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("the access log reads");
        rows.into_iter()
            .map(|(sequence, operation, caller_name, door, vault, object, status, error_code, rule)| AuditRow {
                sequence,
                operation,
                caller_name,
                door,
                vault,
                object,
                status,
                error_code,
                rule,
            })
            .collect()
    })
}

/// Base64url without padding, as JWK members are written.
pub fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A private key generated by openssl, in the forms the tests compare against.
pub struct OpensslKey {
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

    fn from_pem(pem: Vec<u8>) -> Self {
        let pkcs8_der = openssl_ok(&["pkcs8", "-topk8", "-nocrypt", "-outform", "DER"], Some(&pem));
        let text = String::from_utf8(openssl_ok(&["pkey", "-text", "-noout"], Some(&pem))).expect("openssl's key dump is text");
        let fields = openssl_key_fields(&text);
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
            Self { pkcs8_der, jwk, d }
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
            Self { pkcs8_der, jwk, d }
        }
    }
}

/// The byte fields of `openssl pkey -text -noout`: a `name:` line followed by indented
/// `hh:hh:...` lines.
fn openssl_key_fields(text: &str) -> std::collections::HashMap<String, Vec<u8>> {
    let mut fields = std::collections::HashMap::new();
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
    assert!(raw.len().is_multiple_of(2), "a raw ECDSA signature is r || s of equal lengths");
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = der_integer(r);
    body.extend(der_integer(s));
    let mut out = vec![0x30];
    out.extend(der_length(body.len()));
    out.extend(body);
    out
}
