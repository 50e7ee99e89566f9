//! The CLI's own test fixtures: a throwaway home driven through the `vaultmort` binary, its JSON
//! and errors, and the store file behind it. The home folder, the test passphrase, openssl and
//! the encodings come from `vaultmort-test-support`, shared with the other crates' tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub use vaultmort_test_support::PASSPHRASE;
pub use vaultmort_test_support::der::{ecdsa_raw_to_der, strip_leading_zeros};
pub use vaultmort_test_support::openssl::{OpensslKey, openssl, openssl_ok};
pub use vaultmort_test_support::text::{b64, b64url, unb64, unb64url};

/// A temporary Vaultmort home, used through the binary.
pub struct TestHome {
    home: vaultmort_test_support::home::TestHome,
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
        Self {
            home: vaultmort_test_support::home::TestHome::new(),
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

    /// The temporary folder holding the home (in `home/`) and the scratch files.
    pub fn path(&self) -> &Path {
        self.home.root()
    }

    /// A path for a scratch file inside the test's temporary area (not inside the home).
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.home.scratch(name)
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
        command.env("VAULTMORT_HOME", self.home_dir());
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

// ---- Added for the at-rest and bad-input tests: the store file, its tables, openssl keys as JWKs ----

impl TestHome {
    /// The home folder the binary uses (VAULTMORT_HOME).
    pub fn home_dir(&self) -> PathBuf {
        self.home.home_dir()
    }

    /// The SQLite store file inside the home folder.
    pub fn db_file(&self) -> PathBuf {
        self.home.db_file()
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
