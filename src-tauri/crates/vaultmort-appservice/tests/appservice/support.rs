//! A throwaway home with an App Service plan, a front end over it on two loopback ports, and the
//! clients the tests judge it with: `openssl s_client` (the independent referee of what is
//! presented), and HTTP/1.1 clients (hyper) over TLS trusting only a given root, or over plain
//! TCP, that keep their one connection so a test can send a second request on it.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Output;
use std::sync::Arc;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use vaultmort_appservice::{FrontEnd, Options};
use vaultmort_core::appservice::certificates::UploadCertificate;
use vaultmort_core::appservice::dns::{RecordChange, RecordChangeMode, ResourceRef};
use vaultmort_core::appservice::webapps::{CreatePlan, CreateWebApp, WebAppUpdate};
use vaultmort_core::appservice::{RecordType, WebApp};
use vaultmort_test_support::home::{GROUP, TestCore};
use vaultmort_test_support::openssl::{Scratch, openssl, printed};
use vaultmort_test_support::pki::{Leaf, OpensslPki};
use vaultmort_test_support::text::{pem, pem_blocks, pem_der};
use zeroize::Zeroizing;

/// The plan every test app runs on (B1: custom domains and SNI SSL allowed).
pub const PLAN: &str = "practice-plan";

/// A core with a plan, and a front end serving it.
pub struct Practice {
    pub test: TestCore,
    pub front_end: FrontEnd,
    /// The practice CA's root (DER).
    pub root: Vec<u8>,
}

impl Practice {
    /// A new home with the plan, and a front end with default options.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// A new home with the plan, and a front end with `options`.
    pub async fn start_with(options: Options) -> Self {
        let test = TestCore::new().await;
        let plan = CreatePlan { plan: reference(PLAN), sku: "B1".into() };
        test.core.create_plan(&test.owner, &plan).await.expect("the owner creates a B1 plan");
        let root = test.core.practice_ca_root(&test.owner).await.expect("the practice root exports");
        let front_end = start_front_end(test.core.clone(), options).await;
        Self { test, front_end, root }
    }

    /// Creates web app `name` on the plan.
    pub async fn web_app(&self, name: &str) -> WebApp {
        let request = CreateWebApp { app: reference(name), plan: PLAN.into() };
        self.test.core.create_web_app(&self.test.owner, &request).await.unwrap_or_else(|e| panic!("the owner creates web app {name}: {e}"))
    }

    /// Changes HTTPS Only and the lowest TLS version of `app`.
    pub async fn update(&self, app: &str, update: WebAppUpdate) -> WebApp {
        self.test
            .core
            .update_web_app(&self.test.owner, &reference(app), &update)
            .await
            .unwrap_or_else(|e| panic!("the owner updates {app}: {e}"))
    }

    /// Makes the practice DNS zone `zone` hold what App Service checks for `host` (`<label>.<zone>`)
    /// pointing at `app`, and adds `host` to `app`.
    pub async fn custom_domain(&self, app: &WebApp, zone: &str, label: &str) -> WebApp {
        let core = &self.test.core;
        let owner = &self.test.owner;
        // Creating a zone that exists hands the existing one back.
        core.create_dns_zone(owner, &reference(zone)).await.unwrap_or_else(|e| panic!("the owner creates zone {zone}: {e}"));
        let records = [
            (format!("asuid.{label}"), RecordType::Txt, app.custom_domain_verification_id.clone()),
            (label.to_string(), RecordType::Cname, app.default_host_name.clone()),
        ];
        for (name, record_type, value) in records {
            let change = RecordChange { name: name.clone(), record_type, value, ttl: None, mode: RecordChangeMode::Set };
            core.change_dns_record(owner, &reference(zone), &change)
                .await
                .unwrap_or_else(|e| panic!("the owner sets {name} in {zone}: {e}"));
        }
        let host = format!("{label}.{zone}");
        core.add_host_name(owner, &reference(&app.name), &host)
            .await
            .unwrap_or_else(|e| panic!("the owner adds {host} to {}: {e}", app.name))
    }

    /// Waits (up to 10 s) until the front end serves `host` as `check` wants, reloading each
    /// time; panics with `why` otherwise.
    pub async fn until_served(&self, why: &str, check: impl Fn(&[vaultmort_appservice::ServedNow]) -> bool) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if check(&self.front_end.served_now()) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{why}: served now is {:#?}", self.front_end.served_now());
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub fn https_port(&self) -> u16 {
        self.front_end.https_addr().port()
    }

    pub fn http_port(&self) -> u16 {
        self.front_end.http_addr().port()
    }
}

/// `name` in the test resource group of the default subscription.
pub fn reference(name: &str) -> ResourceRef {
    ResourceRef { subscription: None, resource_group: GROUP.into(), name: name.into() }
}

/// A front end over `core` on two fresh loopback ports, opened as the doors open theirs.
pub async fn start_front_end(core: Arc<vaultmort_core::Vaultmort>, options: Options) -> FrontEnd {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let https = vaultmort_rest::launch::bind(loopback, 0).await.expect("a free loopback port for HTTPS");
    let http = vaultmort_rest::launch::bind(loopback, 0).await.expect("a free loopback port for HTTP");
    FrontEnd::start_with(core, https, http, options).await.expect("the front end starts")
}

/// What `openssl s_client` saw: whether the handshake succeeded, everything it printed, and the
/// certificates the server sent (DER, leaf first).
pub struct Handshake {
    pub ok: bool,
    pub printed: String,
    pub chain: Vec<Vec<u8>>,
}

impl Handshake {
    /// The leaf, which must have been sent.
    pub fn leaf(&self) -> &[u8] {
        self.chain.first().unwrap_or_else(|| panic!("the server should have sent a certificate:\n{}", self.printed))
    }
}

/// `openssl s_client -connect 127.0.0.1:<port> [-servername <sni>] -showcerts` plus `extra`
/// (`-tls1_2`, ...), with nothing to send: it shakes hands, prints, and leaves.
pub async fn s_client(port: u16, sni: Option<&str>, extra: &[&str]) -> Handshake {
    let connect = format!("127.0.0.1:{port}");
    let mut args: Vec<String> = vec!["s_client".into(), "-connect".into(), connect, "-showcerts".into()];
    match sni {
        Some(name) => args.extend(["-servername".to_string(), name.to_string()]),
        None => args.push("-noservername".into()),
    }
    args.extend(extra.iter().map(|a| a.to_string()));
    let out: Output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        openssl(&args, None)
    })
    .await
    .expect("the openssl thread ends");
    let text = printed(&out);
    let chain = pem_blocks(&String::from_utf8_lossy(&out.stdout)).iter().map(|b| pem_der(b)).collect();
    Handshake { ok: out.status.success(), printed: text, chain }
}

/// What openssl reads in a certificate: `serial=...` and the subjectAltName extension.
pub fn serial_and_names(der: &[u8]) -> (String, String) {
    let scratch = Scratch::new();
    scratch.pem_cert("leaf.pem", der);
    let text = scratch.openssl_stdout(&["x509", "-in", "leaf.pem", "-noout", "-serial", "-ext", "subjectAltName"]);
    let serial = text.lines().find_map(|l| l.strip_prefix("serial=")).unwrap_or_else(|| panic!("openssl prints the serial:\n{text}"));
    (serial.trim().to_string(), text)
}

/// Whether `openssl verify -CAfile <root> -untrusted <chain[1..]> <chain[0]>` accepts the chain
/// as presented; the error is what openssl printed.
pub fn verify_chain(root: &[u8], chain: &[Vec<u8>]) -> Result<(), vaultmort_test_support::openssl::OpensslRefused> {
    let scratch = Scratch::new();
    scratch.pem_cert("root.pem", root);
    scratch.pem_cert("leaf.pem", &chain[0]);
    let untrusted: String = chain[1..].iter().map(|der| pem("CERTIFICATE", der)).collect();
    scratch.write("untrusted.pem", untrusted);
    let (ok, out) = scratch.try_openssl(&["verify", "-CAfile", "root.pem", "-untrusted", "untrusted.pem", "leaf.pem"]);
    if ok { Ok(()) } else { Err(vaultmort_test_support::openssl::OpensslRefused(out)) }
}

/// One HTTP/1.1 connection kept open for several requests.
pub struct KeptConnection {
    sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
}

/// An answer: status, headers and body text.
pub struct Answer {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl KeptConnection {
    /// HTTPS to 127.0.0.1:`port` with SNI `sni`, trusting only `root`; the handshake must succeed.
    pub async fn https(port: u16, sni: &str, root: &[u8]) -> Self {
        Self::try_https(port, sni, root).await.unwrap_or_else(|e| panic!("a TLS connection for {sni} should be made: {e}"))
    }

    /// HTTPS to 127.0.0.1:`port` with SNI `sni`, trusting only `root`.
    pub async fn try_https(port: u16, sni: &str, root: &[u8]) -> std::io::Result<Self> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(rustls::pki_types::CertificateDer::from(root.to_vec())).expect("the root is a CA certificate");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
        let name = rustls::pki_types::ServerName::try_from(sni.to_string()).expect("a DNS name");
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await?;
        Ok(Self::over(tls).await)
    }

    /// Plain HTTP to 127.0.0.1:`port`.
    pub async fn http(port: u16) -> Self {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.expect("the HTTP port accepts");
        Self::over(tcp).await
    }

    async fn over<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static>(stream: S) -> Self {
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("an HTTP/1.1 connection");
        tokio::spawn(connection);
        Self { sender }
    }

    /// `GET path_and_query` with `Host: host`.
    pub async fn get(&mut self, host: &str, path_and_query: &str) -> Answer {
        self.try_get(host, path_and_query).await.unwrap_or_else(|e| panic!("GET {path_and_query} for {host} should be answered: {e}"))
    }

    /// `GET path_and_query` with `Host: host`, or why it failed.
    pub async fn try_get(&mut self, host: &str, path_and_query: &str) -> Result<Answer, hyper::Error> {
        self.sender.ready().await?;
        let request = hyper::Request::get(path_and_query).header("host", host).body(Empty::new()).expect("a request");
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
    }
}

/// Uploads `leaf` of `pki` as a PFX into the test group and binds it with SNI to `host` of
/// `app`; returns the certificate's thumbprint.
pub async fn upload_and_bind(practice: &Practice, pki: &OpensslPki, leaf: Leaf, app: &str, host: &str) -> String {
    let core = &practice.test.core;
    let owner = &practice.test.owner;
    let upload = UploadCertificate {
        subscription: None,
        resource_group: GROUP.into(),
        name: Some(format!("{}-{:?}", host.replace('.', "-"), leaf).to_lowercase()),
        pfx: pki.pfx(leaf, "pfx password", &[]),
        password: Some(Zeroizing::new("pfx password".into())),
    };
    let certificate =
        core.upload_web_certificate(owner, &upload).await.unwrap_or_else(|e| panic!("the owner uploads the {leaf:?} leaf: {e}"));
    core.bind_certificate(owner, &reference(app), &certificate.thumbprint, "SNI", Some(host))
        .await
        .unwrap_or_else(|e| panic!("the owner binds {} to {host}: {e}", certificate.thumbprint));
    certificate.thumbprint
}
