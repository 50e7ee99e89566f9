//! A home in a temporary folder with one vault, a server over it, and HTTPS clients that trust
//! only the practice root and reach `<vault>.localhost` at the server's address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use serde_json::Value;
use tempfile::TempDir;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use vaultmort_core::groups::CreateGroup;
use vaultmort_core::storage::AuditRecord;
use vaultmort_core::vaults::CreateVault;
use vaultmort_core::{Door, RequestContext, Vaultmort};
use vaultmort_home::{HomeOptions, KeySourceChoice};
use vaultmort_rest::{DirectoryCredentials, OwnerCredentials, Server};
use zeroize::Zeroizing;

pub const VAULT: &str = "restvault";
pub const OWNER_SECRET: &str = "owner client secret for tests";

pub struct TestServer {
    _dir: TempDir,
    pub core: Arc<Vaultmort>,
    pub server: Server,
    pub root_der: Vec<u8>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut vaultmort_rest::Options)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary home folder");
        let options = HomeOptions {
            home: Some(dir.path().join("home")),
            key_source: KeySourceChoice::Passphrase,
            passphrase: Some(Zeroizing::new("rest test passphrase".to_string())),
            prompt: None,
        };
        let home = vaultmort_home::open(options).await.expect("a fresh home opens with a passphrase");
        let core = home.core.clone();
        let owner = RequestContext::local_owner(Door::Cli);
        core.create_group(
            &owner,
            CreateGroup { name: "rg".into(), location: "westeurope".into(), tags: Default::default(), subscription: None },
        )
        .await
        .expect("the owner creates a resource group");
        core.create_vault(&owner, CreateVault::new(VAULT, "rg")).await.expect("the owner creates a vault");
        let root_der = core.practice_ca_root(&owner).await.expect("the practice root exports");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let credentials = DirectoryCredentials::new(core.clone(), OwnerCredentials::new(OWNER_SECRET));
        let mut options = vaultmort_rest::Options::new(Arc::new(credentials));
        options.default_vault = Some(VAULT.to_string());
        adjust(&mut options);
        let server = Server::start(core.clone(), listener, options).await.expect("the server starts");
        Self { _dir: dir, core, server, root_der }
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// `https://restvault.localhost:<port>`.
    pub fn vault_url(&self) -> String {
        format!("https://{VAULT}.localhost:{}", self.addr().port())
    }

    pub fn client(&self) -> reqwest::Client {
        self.client_from(None)
    }

    /// A client whose connections come from `source` (a second loopback address, say).
    pub fn client_from(&self, source: Option<IpAddr>) -> reqwest::Client {
        let root = reqwest::Certificate::from_der(&self.root_der).expect("the root is DER");
        let mut builder = reqwest::Client::builder()
            .tls_certs_only([root])
            .resolve(&format!("{VAULT}.localhost"), self.addr())
            .resolve("localhost", self.addr())
            .no_proxy();
        if let Some(source) = source {
            builder = builder.local_address(source);
        }
        builder.build().expect("a client")
    }

    /// A client that speaks only HTTP/1.1, or only HTTP/2 (negotiated by ALPN).
    pub fn client_http(&self, version: reqwest::Version) -> reqwest::Client {
        let root = reqwest::Certificate::from_der(&self.root_der).expect("the root is DER");
        let builder = reqwest::Client::builder()
            .tls_certs_only([root])
            .resolve(&format!("{VAULT}.localhost"), self.addr())
            .resolve("localhost", self.addr())
            .no_proxy();
        let builder = if version == reqwest::Version::HTTP_2 { builder.http2_prior_knowledge() } else { builder.http1_only() };
        builder.build().expect("a client")
    }

    /// A raw TLS connection to `<vault>.localhost` from `source` (any loopback address when
    /// `None`), offering `alpn` (`h2`, `http/1.1`): for clients that misbehave on purpose.
    pub async fn tls_connect(&self, source: Option<IpAddr>, alpn: &[&[u8]]) -> std::io::Result<TlsStream<TcpStream>> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(rustls::pki_types::CertificateDer::from(self.root_der.clone())).expect("the practice root is a CA certificate");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let socket = tokio::net::TcpSocket::new_v4()?;
        if let Some(source) = source {
            socket.bind(SocketAddr::new(source, 0))?;
        }
        let tcp = socket.connect(self.addr()).await?;
        let name = rustls::pki_types::ServerName::try_from(format!("{VAULT}.localhost")).expect("a DNS name");
        tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await
    }

    /// A token for the local owner from the token endpoint.
    pub async fn owner_token(&self) -> String {
        let owner = vaultmort_core::Principal::local_owner();
        self.token_for(&owner.object_id, OWNER_SECRET).await
    }

    /// The token endpoint's answer to client credentials: status and JSON body.
    pub async fn request_token(&self, client_id: &str, client_secret: &str) -> (u16, Value) {
        let response = self
            .client()
            .post(format!("https://localhost:{}/{}/oauth2/v2.0/token", self.addr().port(), self.server.tenant()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", client_secret),
                ("scope", "https://vault.azure.net/.default"),
            ])
            .send()
            .await
            .expect("the token endpoint answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON token response"))
    }

    /// A token for these client credentials (which must be right).
    pub async fn token_for(&self, client_id: &str, client_secret: &str) -> String {
        let (status, body) = self.request_token(client_id, client_secret).await;
        assert_eq!(status, 200, "the client credentials get a token: {body}");
        body["access_token"].as_str().expect("an access_token").to_string()
    }

    /// Makes a practice application in the directory: (object id, app id, client secret).
    pub async fn practice_app(&self, name: &str) -> (String, String, String) {
        let owner = RequestContext::local_owner(Door::Cli);
        let created = self
            .core
            .create_principal(&owner, vaultmort_core::directory::NewPrincipal::ServicePrincipal { display_name: name.into() })
            .await
            .expect("the owner makes a practice application");
        let app_id = created.object.app_id.clone().expect("a service principal has an app id");
        let secret = created.client_secret.expect("a new service principal comes with a client secret");
        (created.object.object_id, app_id, secret.to_string())
    }

    /// Sends `method path` to the vault with `token` and an optional JSON body.
    pub async fn call(&self, token: &str, method: reqwest::Method, path_and_query: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.client().request(method, format!("{}{path_and_query}", self.vault_url())).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("every body is JSON") })
    }

    /// The last audit sequence number so far.
    pub async fn audit_mark(&self) -> i64 {
        let owner = RequestContext::local_owner(Door::Cli);
        let records = self.core.audit_log(&owner, 0, 100_000).await.expect("the owner reads the access log");
        records.last().map(|r| r.sequence).unwrap_or(0)
    }

    /// REST audit records after `mark`.
    pub async fn audit_after(&self, mark: i64) -> Vec<AuditRecord> {
        let owner = RequestContext::local_owner(Door::Cli);
        let records = self.core.audit_log(&owner, mark, 100_000).await.expect("the owner reads the access log");
        records.into_iter().filter(|r| r.door == "rest").collect()
    }
}

/// Asserts a Key Vault-shaped error body.
pub fn assert_error(status: u16, body: &Value, expected_status: u16, code: &str, why: &str) {
    assert_eq!(status, expected_status, "{why}: status (body {body})");
    assert_eq!(body["error"]["code"], code, "{why}: error code (body {body})");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{why}: a message a person can act on");
}

/// Reads until the server closes the connection (or resets it), at most `bound`: what it sent,
/// or `None` when it was still open at the end.
pub async fn read_until_closed<S: tokio::io::AsyncRead + Unpin>(stream: &mut S, bound: std::time::Duration) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let read_all = async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(bound, read_all).await.ok().map(|()| received)
}
