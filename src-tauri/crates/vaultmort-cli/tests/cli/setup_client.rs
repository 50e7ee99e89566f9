//! `vaultmort setup-client`: the plan changes nothing; `--apply` trusts the practice root through
//! the real `update-ca-certificates` (openssl then verifies a running server against the system
//! bundle), writes the hosts block and an `.env` whose secret gets a token; a second run changes
//! no byte; `--remove` gives back every file as it was. Every system path lives under a
//! temporary `VAULTMORT_SYSTEM_ROOT`: the real /etc is never touched.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::serve::RunningServer;
use crate::support::{TestHome, openssl};

/// The hosts file a test root starts with: foreign lines, another home's block, a comment.
const FOREIGN_HOSTS: &str = "127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n# BEGIN vaultmort otherhome\n10.0.0.9 other.localhost\n# END vaultmort otherhome\n192.168.1.5 printer # office\n";

/// A system root for the test: /etc/hosts, an empty local CA folder, and one ordinary CA (copied
/// from this machine) in ca-certificates.conf, so that `update-ca-certificates` always has a
/// bundle to rebuild, as on a real system.
fn system_root(home: &TestHome, hosts: &[u8]) -> PathBuf {
    let root = home.scratch("sysroot");
    for dir in ["etc/ssl/certs", "usr/local/share/ca-certificates", "usr/share/ca-certificates/mozilla"] {
        std::fs::create_dir_all(root.join(dir)).expect("the test root's folders");
    }
    let ordinary = std::fs::read_dir("/usr/share/ca-certificates/mozilla")
        .expect("this machine has the ca-certificates package")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "crt"))
        .expect("at least one CA certificate");
    let name = ordinary.file_name().expect("a file name").to_string_lossy().into_owned();
    std::fs::copy(&ordinary, root.join("usr/share/ca-certificates/mozilla").join(&name)).expect("copy an ordinary CA");
    std::fs::write(root.join("etc/ca-certificates.conf"), format!("mozilla/{name}\n")).expect("ca-certificates.conf");
    std::fs::write(root.join("etc/hosts"), hosts).expect("the hosts file");
    root
}

/// A home with vault `alpha`, the application `reporting`, and the system root in its environment.
fn prepared(hosts: &[u8]) -> (TestHome, PathBuf) {
    let mut home = TestHome::with_vault("alpha");
    home.ok(&["ad", "sp", "create", "--display-name", "reporting"]);
    let root = system_root(&home, hosts);
    home.env.push(("VAULTMORT_SYSTEM_ROOT".into(), root.display().to_string()));
    (home, root)
}

/// `setup-client --names hosts --application reporting` with the files given and `extra` flags.
fn setup_args<'a>(extra: &[&'a str], env_file: &'a str, client_dir: &'a str) -> Vec<&'a str> {
    let mut args =
        vec!["setup-client", "--names", "hosts", "--application", "reporting", "--env-file", env_file, "--client-dir", client_dir];
    args.extend_from_slice(extra);
    args
}

/// Every regular file under `dir`, with its bytes (symlinks by their target).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else { continue };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                files.insert(path.clone(), std::fs::read_link(&path).expect("a link").into_os_string().into_encoded_bytes());
            } else if meta.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).expect("a file"));
            }
        }
    }
    files
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["steps"]
        .as_array()
        .expect("a steps array")
        .iter()
        .map(|s| (s["step"].as_str().unwrap_or_default().to_string(), s["status"].as_str().unwrap_or_default().to_string()))
        .collect()
}

/// Whether openssl, trusting only `bundle`, verifies the server for `alpha.localhost`.
fn openssl_trusts(server: &RunningServer, bundle: &Path) -> (bool, String) {
    let connect = format!("127.0.0.1:{}", server.port);
    let out = openssl(
        &[
            "s_client",
            "-connect",
            &connect,
            "-servername",
            "alpha.localhost",
            "-verify_hostname",
            "alpha.localhost",
            "-CAfile",
            bundle.to_str().expect("utf-8 path"),
            "-verify_return_error",
            "-brief",
        ],
        Some(b""),
    );
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success() && text.contains("Verification: OK"), text)
}

#[test]
fn apply_trusts_the_root_names_the_vaults_and_writes_an_env_whose_secret_gets_a_token_and_remove_undoes_it() {
    let (home, root) = prepared(FOREIGN_HOSTS.as_bytes());
    let env_file = home.scratch("app.env");
    let client_dir = home.scratch("client");
    let (env_text, dir_text) = (env_file.display().to_string(), client_dir.display().to_string());
    let server = RunningServer::start(&home, "alpha");
    let bundle = root.join("etc/ssl/certs/ca-certificates.crt");
    let before = snapshot(&root);

    let applied = home.ok(&setup_args(&["--apply", "--port", &server.port.to_string()], &env_text, &dir_text));
    assert_eq!(
        statuses(&applied),
        [("trust", "changed"), ("caFile", "changed"), ("names", "changed"), ("envFile", "changed")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .to_vec(),
        "a first apply does every step: {applied}"
    );
    let home_id = applied["plan"]["homeId"].as_str().expect("a home id").to_string();

    // Trust: the real update-ca-certificates put the root into the bundle; openssl agrees.
    assert!(root.join(format!("usr/local/share/ca-certificates/vaultmort-practice-root-{home_id}.crt")).is_file(), "the trust file");
    let (trusted, text) = openssl_trusts(&server, &bundle);
    assert!(trusted, "after apply, the system bundle alone verifies the server for alpha.localhost: {text}");

    // Names: the foreign lines stay byte for byte, the block follows.
    let hosts = std::fs::read_to_string(root.join("etc/hosts")).expect("the hosts file");
    assert!(hosts.starts_with(FOREIGN_HOSTS), "every foreign line and the other home's block are kept: {hosts}");
    assert!(
        hosts.ends_with(&format!(
            "# BEGIN vaultmort {home_id}\n127.0.0.1 alpha.localhost\n::1 alpha.localhost\n# END vaultmort {home_id}\n"
        )),
        "the home's block names the vault for IPv4 and IPv6: {hosts}"
    );

    // The .env: 0600, the application's credentials, and a secret that signs in.
    let mode = std::fs::metadata(&env_file).expect("the .env file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the .env file holds a secret, so it is private to its owner, not {mode:o}");
    let env = std::fs::read_to_string(&env_file).expect("the .env file");
    let value = |name: &str| {
        env.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).unwrap_or_else(|| panic!("{name} in the .env: {env}")).to_string()
    };
    let app = home.ok(&["ad", "sp", "show", "--id", "reporting"]);
    assert_eq!(value("AZURE_CLIENT_ID"), app["appId"].as_str().expect("an app id"), "the chosen application's client id");
    assert_eq!(value("AZURE_AUTHORITY_HOST"), format!("https://localhost:{}", server.port), "the authority on the served port");
    assert_eq!(value("VAULT_URL"), format!("https://alpha.localhost:{}", server.port), "the vault URL");
    assert_eq!(value("REQUESTS_CA_BUNDLE"), client_dir.join("ca-bundle.pem").display().to_string(), "the CA bundle for requests");
    let secret = value("AZURE_CLIENT_SECRET");
    let stdout = serde_json::to_string(&applied).unwrap_or_default();
    assert!(!stdout.contains(&secret), "the new secret is never printed, only written into the .env file");
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={secret}&scope=https%3A%2F%2Fvault.azure.net%2F.default",
        value("AZURE_CLIENT_ID")
    );
    let tenant = value("AZURE_TENANT_ID");
    let (status, body) =
        server.curl("POST", &format!("/{tenant}/oauth2/v2.0/token"), &["Content-Type: application/x-www-form-urlencoded"], Some(&form));
    assert_eq!(status, 200, "the running server gives the .env's credentials a token: {body}");
    assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()), "an access token: {body}");

    // The CA file: openssl reads the root alone and the bundle; keytool made the truststore.
    let (trusted, text) = openssl_trusts(&server, &client_dir.join("practice-root.pem"));
    assert!(trusted, "the CA file alone verifies the server: {text}");
    assert!(client_dir.join("practice-root.p12").is_file(), "keytool is on PATH here, so the Java truststore is made");

    // A second apply changes no byte anywhere.
    let after_first = (snapshot(&root), snapshot(&client_dir), std::fs::read(&env_file).expect("the .env file"));
    let again = home.ok(&setup_args(&["--apply", "--port", &server.port.to_string()], &env_text, &dir_text));
    assert!(statuses(&again).iter().all(|(_, s)| s == "unchanged"), "a second apply changes nothing and says so: {again}");
    let after_second = (snapshot(&root), snapshot(&client_dir), std::fs::read(&env_file).expect("the .env file"));
    assert!(after_first == after_second, "a second apply leaves every byte of the system root, the CA files and the .env as they were");

    // A vault added since: the next apply brings the .env and the block up to date and keeps the
    // secret, which still signs in.
    home.ok(&["keyvault", "create", "--name", "beta", "--resource-group", "rg"]);
    let updated = home.ok(&setup_args(&["--apply", "--port", &server.port.to_string()], &env_text, &dir_text));
    let env_now = std::fs::read_to_string(&env_file).expect("the .env file");
    assert!(env_now.contains(&format!("VAULT_URL_BETA=https://beta.localhost:{}", server.port)), "the new vault's URL: {env_now}");
    assert!(env_now.contains(&format!("AZURE_CLIENT_SECRET={secret}\n")), "the secret that still signs in is kept");
    assert!(
        std::fs::read_to_string(root.join("etc/hosts")).expect("the hosts file").contains("\n127.0.0.1 beta.localhost\n"),
        "the block names the new vault: {updated}"
    );

    // Remove gives back the system root as it was, and the trust is gone.
    let removed = home.ok(&setup_args(&["--remove", "--port", &server.port.to_string()], &env_text, &dir_text));
    assert!(statuses(&removed).iter().all(|(_, s)| s == "changed"), "remove undoes every step: {removed}");
    assert_eq!(
        std::fs::read(root.join("etc/hosts")).expect("the hosts file"),
        FOREIGN_HOSTS.as_bytes(),
        "remove restores the hosts file byte for byte"
    );
    let (trusted, text) = openssl_trusts(&server, &bundle);
    assert!(!trusted, "after remove, the system bundle no longer verifies the practice server: {text}");
    let leftover: Vec<_> = snapshot(&root).into_keys().filter(|p| !before.contains_key(p)).collect();
    assert!(
        leftover.iter().all(|p| p.starts_with(root.join("etc/ssl/certs"))),
        "remove leaves no file of its own outside update-ca-certificates' links: {leftover:?}"
    );
    assert!(!env_file.exists() && !client_dir.exists(), "the .env file and the CA folder are gone");
    let again = home.ok(&setup_args(&["--remove", "--port", &server.port.to_string()], &env_text, &dir_text));
    assert!(statuses(&again).iter().all(|(_, s)| s == "unchanged"), "a second remove changes nothing and says so: {again}");
}

#[test]
fn the_plan_alone_changes_nothing_and_makes_no_secret() {
    let (home, root) = prepared(FOREIGN_HOSTS.as_bytes());
    let before = snapshot(&root);
    let secrets_before = home.ok(&["ad", "sp", "show", "--id", "reporting"]);
    let env_file = home.scratch("plan.env");
    let client_dir = home.scratch("client");
    let out = home.run(&setup_args(&[], &env_file.display().to_string(), &client_dir.display().to_string()));
    assert!(out.status.success(), "the plan prints: {}", String::from_utf8_lossy(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("the plan as JSON");
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(plan["mode"], "plan", "{plan}");
    assert!(
        text.contains("update-ca-certificates") && text.contains("127.0.0.1 alpha.localhost"),
        "the text plan names the commands and lines: {text}"
    );
    assert!(plan["blocks"].as_array().is_some_and(|b| b.len() == 4), "one block per step: {plan}");
    assert_eq!(snapshot(&root), before, "the plan changes nothing in the system root");
    assert!(!env_file.exists() && !client_dir.exists(), "nor writes the user's files");
    assert_eq!(home.ok(&["ad", "sp", "show", "--id", "reporting"]), secrets_before, "nor makes a client secret");
}

#[test]
fn a_hosts_file_without_a_final_newline_gets_the_block_and_gets_back_every_byte() {
    let original = b"127.0.0.1 localhost\n# BEGIN vaultmort otherhome\n10.0.0.9 other.localhost\n# END vaultmort otherhome\n10.1.1.1 last-line-without-newline";
    let (home, root) = prepared(original);
    let (env_file, client_dir) = (home.scratch("a.env").display().to_string(), home.scratch("client").display().to_string());
    home.ok(&setup_args(&["--apply"], &env_file, &client_dir));
    let hosts = std::fs::read(root.join("etc/hosts")).expect("the hosts file");
    assert!(hosts.starts_with(original), "the foreign lines, the other home's block and the unterminated last line are kept");
    assert!(String::from_utf8_lossy(&hosts).contains("\n127.0.0.1 alpha.localhost\n"), "the block is on lines of its own");
    home.ok(&setup_args(&["--remove"], &env_file, &client_dir));
    assert_eq!(std::fs::read(root.join("etc/hosts")).expect("the hosts file"), original, "remove gives back every byte, no newline added");
}

#[test]
fn a_symlinked_or_huge_hosts_file_is_left_alone_and_the_step_says_why() {
    let (home, root) = prepared(b"");
    let hosts = root.join("etc/hosts");
    let target = home.scratch("real-hosts");
    std::fs::write(&target, FOREIGN_HOSTS).expect("the link's target");
    std::fs::remove_file(&hosts).expect("drop the plain file");
    std::os::unix::fs::symlink(&target, &hosts).expect("a symlinked hosts file");
    let (env_file, client_dir) = (home.scratch("a.env").display().to_string(), home.scratch("client").display().to_string());
    let failure = home.fails(&setup_args(&["--apply"], &env_file, &client_dir));
    assert_eq!(failure.code, "ClientSetupIncomplete", "the names step fails: {}", failure.stderr);
    assert!(failure.stderr.contains("FileIsSymlink"), "and says the hosts file is a link: {}", failure.stderr);
    assert_eq!(std::fs::read_to_string(&target).expect("the target"), FOREIGN_HOSTS, "nothing is written through the link");
    assert!(std::fs::symlink_metadata(&hosts).expect("the link").file_type().is_symlink(), "the link itself stays");

    std::fs::remove_file(&hosts).expect("drop the link");
    let huge = vec![b'#'; 17 * 1024 * 1024];
    std::fs::write(&hosts, &huge).expect("a huge hosts file");
    let failure = home.fails(&setup_args(&["--apply"], &env_file, &client_dir));
    assert!(failure.stderr.contains("FileTooLarge"), "a hosts file past the bound is refused unread: {}", failure.stderr);
    assert_eq!(std::fs::metadata(&hosts).expect("the hosts file").len(), huge.len() as u64, "and left as it was");
}

#[test]
fn an_env_file_setup_client_did_not_write_is_neither_overwritten_nor_removed() {
    let (home, _root) = prepared(FOREIGN_HOSTS.as_bytes());
    let env_file = home.scratch("mine.env");
    std::fs::write(&env_file, "MY_OWN=1\n").expect("someone's .env");
    let (env_text, client_dir) = (env_file.display().to_string(), home.scratch("client").display().to_string());
    let failure = home.fails(&setup_args(&["--apply"], &env_text, &client_dir));
    assert!(failure.stderr.contains("Conflict"), "the .env step refuses a file it did not write: {}", failure.stderr);
    let failure = home.fails(&setup_args(&["--remove"], &env_text, &client_dir));
    assert!(failure.stderr.contains("Conflict"), "and remove leaves it: {}", failure.stderr);
    assert_eq!(std::fs::read_to_string(&env_file).expect("the .env"), "MY_OWN=1\n", "the file is untouched");
}

/// The block holds the web apps' host names too (the core's list, as `webapp hosts-file`); when
/// NSS resolves `*.localhost` (`--names myhostname`), no `.localhost` name needs a line, so no
/// block is written at all and the hosts file stays as it was.
#[test]
fn web_app_host_names_join_the_block_and_myhostname_needs_none_for_localhost_names() {
    let (home, root) = prepared(FOREIGN_HOSTS.as_bytes());
    crate::webapp::plan_and_app(&home, &["-g", "rg"], "plan", "B1", "petdash");
    let (env_file, client_dir) = (home.scratch("a.env").display().to_string(), home.scratch("client").display().to_string());
    let applied = home.ok(&setup_args(&["--apply"], &env_file, &client_dir));
    let lines = applied["plan"]["names"]["lines"].clone();
    assert_eq!(
        lines,
        serde_json::json!(["127.0.0.1 alpha.localhost", "::1 alpha.localhost", "127.0.0.1 petdash.azurewebsites.localhost"]),
        "the vault and the web app's default host name: {applied}"
    );
    let hosts = std::fs::read_to_string(root.join("etc/hosts")).expect("the hosts file");
    assert!(hosts.contains("\n127.0.0.1 petdash.azurewebsites.localhost\n# END vaultmort "), "the web app's line is in the block: {hosts}");
    home.ok(&setup_args(&["--remove"], &env_file, &client_dir));

    let mut args = setup_args(&["--apply"], &env_file, &client_dir);
    args[2] = "myhostname";
    let applied = home.ok(&args);
    assert_eq!(applied["plan"]["names"]["lines"], serde_json::json!([]), "myhostname resolves every .localhost name: {applied}");
    assert_eq!(std::fs::read(root.join("etc/hosts")).expect("the hosts file"), FOREIGN_HOSTS.as_bytes(), "so no block is written");
}

/// Changes the owner of `path` and everything under it.
fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid)).expect("chown");
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        for entry in std::fs::read_dir(path).expect("a folder").filter_map(Result::ok) {
            chown_tree(&entry.path(), uid);
        }
    }
}

/// Without root, `--apply` still writes the user's files (CA files, .env), reports the trust
/// and names steps as `needsRoot`, exits 0, and leaves the system root untouched. Run as
/// `nobody` (through setpriv) when the tests run as root.
#[test]
fn without_root_apply_writes_the_users_files_and_names_the_steps_left_for_root() {
    use std::os::unix::fs::MetadataExt;
    const NOBODY: u32 = 65534;
    let (home, root) = prepared(FOREIGN_HOSTS.as_bytes());
    let before = snapshot(&root);
    let user_dir = home.scratch("user");
    std::fs::create_dir_all(&user_dir).expect("the user's folder");
    let as_root = std::fs::metadata("/proc/self").expect("/proc/self").uid() == 0;
    if as_root {
        // nobody must reach the home (its own) and the scratch area, and only read the system root.
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        chown_tree(&home.home_dir(), NOBODY);
        chown_tree(&user_dir, NOBODY);
    }
    let env_file = user_dir.join("app.env");
    let client_dir = user_dir.join("client");
    let (env_text, dir_text) = (env_file.display().to_string(), client_dir.display().to_string());
    let args = setup_args(&["--apply"], &env_text, &dir_text);
    let direct = home.command();
    let mut command = if as_root {
        let mut wrapped = std::process::Command::new("setpriv");
        wrapped.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(direct.get_program());
        wrapped.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).env("HOME", &user_dir);
        for (key, value) in direct.get_envs() {
            if let Some(value) = value {
                wrapped.env(key, value);
            }
        }
        wrapped
    } else {
        direct
    };
    let out = command.args(&args).stdin(std::process::Stdio::null()).output().expect("vaultmort runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "some steps could be done, so the exit status is 0: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report as JSON");
    assert_eq!(
        statuses(&report),
        [("trust", "needsRoot"), ("caFile", "changed"), ("names", "needsRoot"), ("envFile", "changed")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .to_vec(),
        "the user's files are written and the system steps are left for root: {report}"
    );
    assert!(stderr.contains("needs root"), "stderr says which steps need root: {stderr}");
    assert_eq!(snapshot(&root), before, "nothing in the system root changed");
    let mode = std::fs::metadata(&env_file).expect("the .env file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the .env file is private: {mode:o}");
}

/// Under sudo, the user's files written by root are given back to the user who ran sudo
/// (`SUDO_UID`, `SUDO_GID`), so that user can read the 0600 .env; the system files stay root's.
#[test]
fn under_sudo_the_users_files_are_given_back_to_the_sudo_user() {
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata("/proc/self").expect("/proc/self").uid() != 0 {
        eprintln!("skipped: only root can give files away; this run is not root");
        return;
    }
    let (mut home, root) = prepared(FOREIGN_HOSTS.as_bytes());
    home.env.push(("SUDO_UID".into(), "65534".into()));
    home.env.push(("SUDO_GID".into(), "65534".into()));
    let env_file = home.scratch("a.env");
    let client_dir = home.scratch("client");
    home.ok(&setup_args(&["--apply"], &env_file.display().to_string(), &client_dir.display().to_string()));
    for path in [env_file.clone(), client_dir.clone(), client_dir.join("practice-root.pem"), client_dir.join("ca-bundle.pem")] {
        let meta = std::fs::metadata(&path).expect("written");
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534), "{} belongs to the user who ran sudo", path.display());
    }
    let hosts = std::fs::metadata(root.join("etc/hosts")).expect("the hosts file");
    assert_eq!(hosts.uid(), 0, "the system's hosts file stays root's");
}

/// Under umask 000 nothing setup-client makes is writable by others: clients trust the CA files,
/// the truststore and the folder that holds them, and the .env file holds a secret.
#[test]
fn under_umask_000_the_client_files_and_their_folder_are_not_writable_by_others() {
    let (home, _root) = prepared(FOREIGN_HOSTS.as_bytes());
    let user_dir = home.scratch("umask");
    let (env_file, client_dir) = (user_dir.join("nested/app.env"), user_dir.join("client/inner"));
    let (env_text, dir_text) = (env_file.display().to_string(), client_dir.display().to_string());
    let direct = home.command();
    let mut command = std::process::Command::new("sh");
    command.args(["-c", "umask 000; exec \"$@\"", "sh"]).arg(direct.get_program());
    for (key, value) in direct.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    let out = command.args(setup_args(&["--apply"], &env_text, &dir_text)).stdin(std::process::Stdio::null()).output().expect("runs");
    assert!(out.status.success(), "the apply works under umask 000: {}", String::from_utf8_lossy(&out.stderr));
    let mut seen = 0;
    for path in [user_dir.join("client"), client_dir.clone(), user_dir.join("nested")]
        .into_iter()
        .chain(std::fs::read_dir(&client_dir).expect("the client folder").filter_map(Result::ok).map(|e| e.path()))
    {
        let mode = std::fs::metadata(&path).expect("made").permissions().mode() & 0o777;
        assert_eq!(mode & 0o022, 0, "{} is not writable by group or others: {mode:o}", path.display());
        seen += 1;
    }
    assert!(seen >= 5, "the folders, the CA file and the bundle were all checked ({seen})");
    let mode = std::fs::metadata(&env_file).expect("the .env file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the .env file is private under umask 000: {mode:o}");
}
