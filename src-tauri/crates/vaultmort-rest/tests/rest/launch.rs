//! What `vaultmort serve` and the desktop app share when they start a server: the owner's
//! secret file in the home, made once and read afterwards, and a coded error for a taken port.

use std::net::{IpAddr, Ipv4Addr};

use vaultmort_rest::launch;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

#[tokio::test]
async fn a_port_in_use_is_a_coded_error() {
    let taken = launch::bind(LOOPBACK, 0).await.expect("port 0 picks a free port");
    let port = taken.local_addr().expect("an address").port();
    let error = launch::bind(LOOPBACK, port).await.expect_err("the same port cannot be bound twice");
    assert_eq!(error.code, "AddressInUse", "the doors tell the person what to do about it: {}", error.message);
    assert!(error.message.contains(&port.to_string()), "the message names the port: {}", error.message);
}

#[tokio::test]
async fn the_owner_secret_is_made_once_then_read_from_the_home() {
    let home = tempfile::tempdir().expect("a temporary home");
    let test = crate::support::TestServer::start().await;
    let first = launch::home_credentials(test.core.clone(), home.path()).expect("the secret file is made");
    let secret = first.created_secret.clone().expect("a new secret is handed back once, to be shown");
    assert_eq!(first.secret_file, home.path().join(launch::OWNER_SECRET_FILE), "it lives in the home");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&first.secret_file).expect("the file exists").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only its owner may read the client secret");
    }
    let again = launch::home_credentials(test.core.clone(), home.path()).expect("the secret file is read");
    assert!(again.created_secret.is_none(), "an existing secret is not shown again");
    let read = launch::read_owner_secret(home.path()).expect("readable").expect("present");
    assert_eq!(read.as_str(), secret.as_str(), "the file holds the secret that was shown");
    let empty = tempfile::tempdir().expect("another home");
    assert!(launch::read_owner_secret(empty.path()).expect("no error").is_none(), "no file, no secret, no error");
}
