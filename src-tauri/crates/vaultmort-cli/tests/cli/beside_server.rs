//! CLI calls beside a running, loaded `vaultmort serve` on the same home (issue 11 points 1 and
//! 7): the server answers two HTTPS clients as fast as they ask while the CLI verifies the
//! access log or writes secrets, and no CLI call may fail because the other process was busy
//! with the same store: no tampering reported while the log only grows, no "the store is busy".
//!
//! The load is bounded in requests and in time, so each test ends even if the server stalls.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::RunningServer;
use crate::support::TestHome;

/// The api-version the load sends (one the Azure SDKs send).
const API_VERSION: &str = "7.6";

/// Requests per load client at most.
const MAX_REQUESTS_PER_CLIENT: usize = 20_000;

/// How long the load runs at most, whatever the test is doing.
const MAX_LOAD_TIME: Duration = Duration::from_secs(45);

/// A `vaultmort serve` child on the test's home, with a token for the local owner.
struct Served {
    /// The child, stopped on drop.
    _server: RunningServer,
    port: u16,
    vault: String,
    root_pem: Vec<u8>,
    token: String,
}

impl Served {
    /// Starts `vaultmort serve` on a free port, and gets a token for the owner from its token
    /// endpoint with the client secret it keeps in the home.
    fn start(home: &TestHome, vault: &str) -> Served {
        let server = RunningServer::start(home, vault);
        let port = u16::try_from(server.port).ok().filter(|port| *port > 0).expect("the start-up line names the port");
        let root_pem = std::fs::read(&server.root).expect("the root was exported");
        let token = server.owner_token(home);
        Served { _server: server, port, vault: vault.to_string(), root_pem, token }
    }

    /// A new HTTPS client (its own connections) that trusts the practice root and reaches the
    /// server at `localhost` and `<vault>.localhost`.
    fn client(&self) -> reqwest::Client {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&self.root_pem).expect("the practice root is PEM")])
            .resolve(&format!("{}.localhost", self.vault), address)
            .resolve("localhost", address)
            .no_proxy()
            .build()
            .expect("an HTTPS client")
    }

    /// `https://<vault>.localhost:<port>/secrets/<name>?api-version=...`.
    fn secret_url(&self, name: &str) -> String {
        format!("https://{}.localhost:{}/secrets/{name}?api-version={API_VERSION}", self.vault, self.port)
    }
}

/// What the load did: requests answered, and the first few that were not answered 200.
#[derive(Default)]
struct Load {
    answered: AtomicUsize,
    failures: std::sync::Mutex<Vec<String>>,
    stop: AtomicBool,
}

impl Load {
    fn fail(&self, what: String) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() < 5 {
            failures.push(what);
        }
    }

    fn failures(&self) -> Vec<String> {
        self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

/// Starts `clients` load clients on `runtime`, each with its own connections, sending requests
/// until [`Load::stop`] (or its bounds). With `writes`, every request is a PUT of a secret;
/// otherwise GETs of `load` with every fourth request a PUT.
fn start_load(
    runtime: &tokio::runtime::Runtime,
    served: &Served,
    clients: usize,
    writes: bool,
) -> (Arc<Load>, Vec<tokio::task::JoinHandle<()>>) {
    let load = Arc::new(Load::default());
    let tasks = (0..clients)
        .map(|c| {
            let (client, load, token) = (served.client(), Arc::clone(&load), served.token.clone());
            let (get_url, put_url) = (served.secret_url("load"), served.secret_url(&format!("load-{c}")));
            runtime.spawn(async move {
                let started = Instant::now();
                for i in 0..MAX_REQUESTS_PER_CLIENT {
                    if load.stop.load(Ordering::Relaxed) || started.elapsed() > MAX_LOAD_TIME {
                        break;
                    }
                    let request = if writes || i % 4 == 0 {
                        client.put(&put_url).json(&json!({"value": format!("load {c}.{i}")}))
                    } else {
                        client.get(&get_url)
                    };
                    match request.bearer_auth(&token).send().await {
                        Ok(response) if response.status().is_success() => {
                            let _ = response.bytes().await;
                        }
                        Ok(response) => {
                            let status = response.status();
                            load.fail(format!("{status}: {}", response.text().await.unwrap_or_default()));
                        }
                        Err(error) => load.fail(format!("no answer: {error}")),
                    }
                    load.answered.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    (load, tasks)
}

/// Waits until the load has answered `count` more requests (bounded by [`MAX_LOAD_TIME`]).
fn wait_for_load(load: &Load, count: usize) {
    let started = Instant::now();
    while load.answered.load(Ordering::Relaxed) < count {
        assert!(started.elapsed() < MAX_LOAD_TIME, "the loaded server answers its first {count} requests");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops the load and waits for its clients to finish.
fn stop_load(runtime: &tokio::runtime::Runtime, load: &Load, tasks: Vec<tokio::task::JoinHandle<()>>) {
    load.stop.store(true, Ordering::Relaxed);
    runtime.block_on(async {
        for task in tasks {
            task.await.expect("no load client panics");
        }
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime for the load")
}

/// Regression, issue 11 point 1: with a server answering GETs and PUTs from two clients, 9 to 13
/// of 30 `keyvault log verify` runs failed with `AuditLogTampered ... the log ends at record 47
/// but the chain head names record 48`. Every run must now say the log is valid, during the
/// load and after it.
#[test]
fn issue11_point1_log_verify_beside_a_loaded_server_never_reports_tampering() {
    const RUNS: usize = 30;
    let home = TestHome::with_vault("served");
    home.ok(&["keyvault", "secret", "set", "--vault-name", "served", "--name", "load", "--value", "read under load"]);
    let runtime = runtime();
    let served = Served::start(&home, "served");
    let (load, tasks) = start_load(&runtime, &served, 2, false);
    wait_for_load(&load, 20);

    let answered_before = load.answered.load(Ordering::Relaxed);
    let mut false_alarms = Vec::new();
    for run in 1..=RUNS {
        let out = home.run(&["keyvault", "log", "verify"]);
        if !out.status.success() {
            false_alarms.push(format!("run {run}: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
    }
    let answered_during = load.answered.load(Ordering::Relaxed) - answered_before;
    stop_load(&runtime, &load, tasks);

    assert!(answered_during >= RUNS, "the server must be answering (and logging) while the log is verified ({answered_during} requests)");
    assert!(
        false_alarms.is_empty(),
        "nothing was tampered with, yet {} of {RUNS} verifications beside the loaded server failed: {false_alarms:#?}",
        false_alarms.len()
    );
    assert_eq!(load.failures(), Vec::<String>::new(), "every request of the load was answered with success");
    let verified = home.ok(&["keyvault", "log", "verify"]);
    assert_eq!(verified["valid"], true, "after the load the log still verifies: {verified}");
    assert!(verified["chained"].as_u64().is_some_and(|n| n as usize > answered_during), "every served request is on the chain: {verified}");
}

/// Regression, issue 11 point 7: 1 of about 3,000 CLI calls beside a loaded server failed with
/// `StorageError ... another writer held the database too long`. Three CLI writers beside a
/// server loaded with writes from two clients must all succeed, and what each wrote must be
/// there to read.
#[test]
fn issue11_point7_cli_writers_beside_a_server_loaded_with_writes_all_succeed() {
    const WRITERS: usize = 3;
    const WRITES_EACH: usize = 8;
    let home = Arc::new(TestHome::with_vault("served"));
    let runtime = runtime();
    let served = Served::start(&home, "served");
    let (load, tasks) = start_load(&runtime, &served, 2, true);
    wait_for_load(&load, 20);

    let answered_before = load.answered.load(Ordering::Relaxed);
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let home = Arc::clone(&home);
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..WRITES_EACH {
                    let (name, value) = (format!("cli-{w}-{i}"), format!("written by CLI writer {w}, call {i}"));
                    let out = home.run(&["keyvault", "secret", "set", "--vault-name", "served", "--name", &name, "--value", &value]);
                    if !out.status.success() {
                        failures.push(format!("{name}: {}", String::from_utf8_lossy(&out.stderr).trim()));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = writers.into_iter().flat_map(|writer| writer.join().expect("no writer thread panics")).collect();
    let answered_during = load.answered.load(Ordering::Relaxed) - answered_before;
    stop_load(&runtime, &load, tasks);

    assert!(answered_during >= WRITERS * WRITES_EACH, "the server must be writing while the CLI writes ({answered_during} requests)");
    assert!(
        failures.is_empty(),
        "contention must be waited out inside the store, yet {} of {} CLI writes failed: {failures:#?}",
        failures.len(),
        WRITERS * WRITES_EACH
    );
    assert_eq!(load.failures(), Vec::<String>::new(), "every write of the load was answered with success too");
    let client = served.client();
    runtime.block_on(async {
        for w in 0..WRITERS {
            for i in 0..WRITES_EACH {
                let name = format!("cli-{w}-{i}");
                let response = client.get(served.secret_url(&name)).bearer_auth(&served.token).send().await.expect("the server answers");
                assert_eq!(response.status().as_u16(), 200, "the secret {name} the CLI wrote is there");
                let body: Value = response.json().await.expect("a JSON secret");
                assert_eq!(body["value"], format!("written by CLI writer {w}, call {i}"), "the secret {name} holds what the CLI wrote");
            }
        }
    });
}
