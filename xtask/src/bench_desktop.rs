//! `cargo xtask bench-desktop`: the desktop app's start-up time and idle memory.
//!
//! Builds the UI and the app in release mode, starts a private X server (Xvfb), and launches the
//! app five times, each on a fresh home with the passphrase key source, so that its first
//! interactive view is the unlock screen. For each launch it records:
//! - the wall time from spawning the process to the app's log line "first interactive view"
//!   (written when the UI, after its first painted frame, calls the `ui_ready` command), and the
//!   app's own figure in that line (from its state's creation);
//! - after 10 s idle, the resident memory of the app process, and the RSS and PSS summed over
//!   the app and every process it started (WebKit's web and network processes). PSS divides
//!   shared pages among the processes that map them, so it does not count shared libraries twice.
//!
//! The figures go to the terminal as a Markdown table; docs/benchmarks.md records a run. Nothing
//! is asserted: a benchmark measures, tests decide.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::desktop;
use crate::error::{Error, Result};
use crate::process::{self, Project};
use crate::scratch::Scratch;
use crate::setup;

const RUNS: usize = 5;
const IDLE: Duration = Duration::from_secs(10);
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// One launch's figures.
struct Launch {
    wall_ms: f64,
    reported_ms: u64,
    app_rss_kib: u64,
    tree_rss_kib: u64,
    tree_pss_kib: u64,
    processes: usize,
}

/// Builds, launches [`RUNS`] times and prints the table.
pub fn run(project: &Project) -> Result<()> {
    setup::system_packages(project)?;
    desktop::build_ui(project)?;
    process::run("build (release)", project.cargo().args(["build", "--release", "--package", "vaultmort-desktop"]))?;
    let app = project.target_dir().join("release").join("vaultmort-desktop");
    let mut xvfb = XServer::start()?;
    let mut launches = Vec::new();
    for i in 1..=RUNS {
        let launch = launch_once(&app, &xvfb.display);
        match launch {
            Ok(l) => {
                println!(
                    "bench-desktop: run {i}: first view after {:.0} ms (app says {} ms); idle: app {} MiB RSS, {} processes {} MiB RSS / {} MiB PSS",
                    l.wall_ms,
                    l.reported_ms,
                    l.app_rss_kib / 1024,
                    l.processes,
                    l.tree_rss_kib / 1024,
                    l.tree_pss_kib / 1024
                );
                launches.push(l);
            }
            Err(error) => {
                xvfb.stop();
                return Err(error);
            }
        }
    }
    xvfb.stop();
    print_table(&launches);
    Ok(())
}

fn launch_once(app: &Path, display: &str) -> Result<Launch> {
    let scratch = Scratch::new("bench-desktop")?;
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).map_err(|e| Error::new(format!("cannot create {}: {e}", home.display())))?;
    let mut command = Command::new(app);
    command
        .args(["--home"])
        .arg(&home)
        .args(["--key-source", "passphrase"])
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_CONFIG_HOME", scratch.path().join("config"))
        .env("XDG_DATA_HOME", scratch.path().join("data"))
        .env("XDG_CACHE_HOME", scratch.path().join("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| Error::new(format!("cannot start {}: {e}", app.display())))?;
    let result = measure(&mut child, started);
    let _ = child.kill();
    let _ = child.wait();
    kill_descendants(child.id());
    result
}

fn measure(child: &mut Child, started: Instant) -> Result<Launch> {
    let stdout = child.stdout.take().ok_or_else(|| Error::new("no stdout from the app"))?;
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let reported_ms = loop {
        let left = STARTUP_LIMIT.checked_sub(started.elapsed()).ok_or_else(|| Error::new("the app showed no view within 60 s"))?;
        let line = lines_rx.recv_timeout(left).map_err(|_| Error::new("the app showed no view within 60 s (or exited)"))?;
        if let Some(ms) = reported_first_view(&line) {
            break ms;
        }
    };
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    std::thread::sleep(IDLE);
    let pid = child.id();
    let tree = descendants(pid);
    let app_rss_kib = status_kib(pid, "VmRSS:").unwrap_or(0);
    let mut tree_rss_kib = app_rss_kib;
    let mut tree_pss_kib = pss_kib(pid).unwrap_or(0);
    for p in &tree {
        tree_rss_kib += status_kib(*p, "VmRSS:").unwrap_or(0);
        tree_pss_kib += pss_kib(*p).unwrap_or(0);
    }
    Ok(Launch { wall_ms, reported_ms, app_rss_kib, tree_rss_kib, tree_pss_kib, processes: tree.len() + 1 })
}

/// The milliseconds in the app's "first interactive view '…' after N ms" log line.
fn reported_first_view(line: &str) -> Option<u64> {
    let rest = line.split("first interactive view").nth(1)?;
    let after = rest.split(" after ").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

/// Every process whose parent chain leads to `root`.
fn descendants(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            if let Some(ppid) = parent_of(pid) {
                parents.push((pid, ppid));
            }
        }
    }
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (pid, ppid) in &parents {
            if *ppid == p && !found.contains(pid) {
                found.push(*pid);
                frontier.push(*pid);
            }
        }
    }
    found
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: read after the last ')'.
    let after = &stat[stat.rfind(')')? + 2..];
    after.split_whitespace().nth(1)?.parse().ok()
}

fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok()
}

fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup.lines().find(|l| l.starts_with("Pss:"))?.split_whitespace().nth(1)?.parse().ok()
}

fn kill_descendants(root: u32) {
    for pid in descendants(root) {
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn print_table(launches: &[Launch]) {
    let med = |f: &dyn Fn(&Launch) -> f64| median(launches.iter().map(f).collect());
    println!();
    println!("| measure ({RUNS} launches, median) | value |");
    println!("|---|---|");
    println!("| spawn to first interactive view (unlock screen), wall clock | {:.0} ms |", med(&|l| l.wall_ms));
    println!("| the same, as the app measures it from its state's creation | {:.0} ms |", med(&|l| l.reported_ms as f64));
    println!("| idle after 10 s: app process RSS | {:.0} MiB |", med(&|l| l.app_rss_kib as f64) / 1024.0);
    println!("| idle after 10 s: app + WebKit processes, RSS summed | {:.0} MiB |", med(&|l| l.tree_rss_kib as f64) / 1024.0);
    println!("| idle after 10 s: app + WebKit processes, PSS summed | {:.0} MiB |", med(&|l| l.tree_pss_kib as f64) / 1024.0);
    println!("| processes | {} |", launches.first().map_or(0, |l| l.processes));
}

/// A private X server for the launches.
struct XServer {
    child: Child,
    display: String,
}

impl XServer {
    fn start() -> Result<Self> {
        let number = (90..200)
            .find(|n| !PathBuf::from(format!("/tmp/.X11-unix/X{n}")).exists() && !PathBuf::from(format!("/tmp/.X{n}-lock")).exists());
        let number = number.ok_or_else(|| Error::new("no free X display number between :90 and :199"))?;
        let display = format!(":{number}");
        let child = Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::new(format!("cannot start Xvfb: {e}")))?;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            if Instant::now() > deadline {
                return Err(Error::new("Xvfb did not start within 10 s"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { child, display })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
