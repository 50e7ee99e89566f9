//! `vaultmort serve`: loopback unless told otherwise, the start-up line scripts read, the
//! owner's client secret in the home, and a server certificate openssl verifies against the
//! exported practice root.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{TestHome, openssl};

#[test]
fn a_non_loopback_bind_needs_allow_remote() {
    let home = TestHome::new();
    let failure = home.fails(&["serve", "--bind", "0.0.0.0", "--port", "0"]);
    assert_eq!(failure.code, "BadParameter", "serving other machines must be asked for: {}", failure.stderr);
    assert!(failure.stderr.contains("--allow-remote"), "the error names the flag: {}", failure.stderr);
}

#[test]
fn serve_prints_its_address_and_presents_a_certificate_from_the_practice_ca() {
    let home = TestHome::with_vault("served");
    let root = home.scratch("root.pem");
    home.ok(&["ca", "export-root", "--file", root.to_str().expect("utf-8 path")]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_vaultmort"));
    for (key, _) in std::env::vars() {
        if key.starts_with("VAULTMORT_") {
            command.env_remove(key);
        }
    }
    command.env("VAULTMORT_HOME", home.path().join("home"));
    for (key, value) in &home.env {
        command.env(key, value);
    }
    let mut child = command
        .args(["serve", "--port", "0", "--default-vault", "served"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("vaultmort serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a start-up line");
    let info: Result<Value, _> = serde_json::from_str(&line);
    let checks = (|| {
        let info = info.map_err(|e| format!("the start-up line is JSON: {e}: {line}"))?;
        let port = info["port"].as_u64().filter(|p| *p > 0).ok_or("a port")?;
        let tenant = info["tenantId"].as_str().ok_or("a tenant id")?;
        if info["tokenEndpoint"] != format!("https://localhost:{port}/{tenant}/oauth2/v2.0/token") {
            return Err(format!("the token endpoint: {info}"));
        }
        let secret_file = home.path().join("home").join("rest-client-secret");
        let secret = std::fs::read_to_string(&secret_file).map_err(|e| format!("the client secret is kept in the home: {e}"))?;
        if secret.trim().len() < 32 {
            return Err("a long random client secret".into());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&secret_file).map_err(|e| e.to_string())?.permissions().mode() & 0o777;
            if mode != 0o600 {
                return Err(format!("the secret file is private to its owner, not {mode:o}"));
            }
        }
        let connect = format!("127.0.0.1:{port}");
        let out = openssl(
            &[
                "s_client",
                "-connect",
                &connect,
                "-servername",
                "served.localhost",
                "-verify_hostname",
                "served.localhost",
                "-CAfile",
                root.to_str().ok_or("utf-8 path")?,
                "-verify_return_error",
                "-brief",
            ],
            Some(b""),
        );
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if !out.status.success() || !text.contains("Verification: OK") {
            return Err(format!("openssl verifies the server for served.localhost against the practice root: {text}"));
        }
        Ok(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    if let Err(why) = checks {
        panic!("{why}");
    }
}
