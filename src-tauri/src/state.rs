//! The app's state: which home it opens, and the unlocked core once it is open.
//!
//! The home is opened lazily, by the UI's first `session_status` (never in `setup`, so the first
//! view is not blocked on D-Bus or Argon2). A store kept in the OS keyring opens right there; a
//! store under a passphrase reports that it needs one, and `unlock` opens it with the passphrase
//! typed in the UI. Once open, the core stays for the life of the process (there is no "lock"
//! yet). The REST API server and the App Service front end, when the person starts them, live
//! here too, on the app's runtime, and end with the app. Left out: the home's rules themselves (where the key comes from, passphrase strength),
//! which stay in `vaultmort-home`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use vaultmort_core::{Door, Principal, RequestContext, Vaultmort};
use vaultmort_home::{HomeError, HomeOptions, KeySourceChoice, PassphrasePrompt};
use zeroize::Zeroizing;

use crate::clipboard::Clipboard;
use crate::dto::SessionStatus;
use crate::error::CommandError;
use crate::notices::{EventCursor, Notifier};

/// How long a copied secret stays on the clipboard unless `--clipboard-clear-seconds` says otherwise.
pub const DEFAULT_CLIPBOARD_CLEAR: Duration = Duration::from_secs(30);

/// What the commands share: the home to open and, once unlocked, the core; the desktop services
/// (clipboard, notifications) the shell plugs in.
#[derive(Debug)]
pub struct AppState {
    home: PathBuf,
    key_source: KeySourceChoice,
    core: OnceLock<Arc<Vaultmort>>,
    /// Serialises attempts to open the home, so two early calls never open it twice.
    opening: tokio::sync::Mutex<()>,
    clipboard: OnceLock<Arc<dyn Clipboard>>,
    clipboard_clear_after: Duration,
    notifier: OnceLock<Arc<dyn Notifier>>,
    events: Arc<EventCursor>,
    started: Instant,
    first_view: OnceLock<Duration>,
    /// Who the app acts as: the local owner unless the person signed in as someone else.
    signed_in: Mutex<Principal>,
    /// The REST API while it runs. Dropping it (with the app) ends its accept loop.
    rest: tokio::sync::Mutex<Option<RunningRestApi>>,
    /// The App Service front end while it runs; started and stopped from the App Services blade,
    /// and ended with the app like the REST API.
    front_end: tokio::sync::Mutex<Option<vaultmort_appservice::FrontEnd>>,
    /// The `vaultmort` CLI the BYOK wizard's vendor step runs; beside the app when `None`.
    vendor_program: Option<PathBuf>,
    /// How long the vendor step may take before it is stopped.
    vendor_timeout: Duration,
}

/// The REST API server the app started, and what clients need to reach it.
#[derive(Debug)]
pub(crate) struct RunningRestApi {
    pub(crate) server: vaultmort_rest::Server,
    pub(crate) facts: vaultmort_rest::launch::ClientFacts,
}

impl AppState {
    /// State for the home at `home`; `key_source` applies only when the store is created there.
    pub fn new(home: impl Into<PathBuf>, key_source: KeySourceChoice) -> Self {
        Self {
            home: home.into(),
            key_source,
            core: OnceLock::new(),
            opening: tokio::sync::Mutex::new(()),
            clipboard: OnceLock::new(),
            clipboard_clear_after: DEFAULT_CLIPBOARD_CLEAR,
            notifier: OnceLock::new(),
            events: Arc::default(),
            started: Instant::now(),
            first_view: OnceLock::new(),
            signed_in: Mutex::new(Principal::local_owner()),
            rest: tokio::sync::Mutex::new(None),
            front_end: tokio::sync::Mutex::new(None),
            vendor_program: None,
            vendor_timeout: crate::vendor_tool::WRAP_TIMEOUT,
        }
    }

    /// The same state with the BYOK vendor step running `program` instead of the `vaultmort`
    /// CLI beside the app's executable.
    pub fn with_vendor_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.vendor_program = Some(program.into());
        self
    }

    /// The same state with the BYOK vendor step stopped after `timeout` instead of two minutes.
    pub fn with_vendor_timeout(mut self, timeout: Duration) -> Self {
        self.vendor_timeout = timeout;
        self
    }

    /// How long the BYOK vendor step may take.
    pub(crate) fn vendor_timeout(&self) -> Duration {
        self.vendor_timeout
    }

    /// The `vaultmort` CLI for the BYOK vendor step.
    pub(crate) fn vendor_program(&self) -> Result<PathBuf, CommandError> {
        match &self.vendor_program {
            Some(program) if program.is_file() => Ok(program.clone()),
            Some(program) => Err(crate::vendor_tool::missing(program)),
            None => crate::vendor_tool::cli_beside_executable(),
        }
    }

    /// The same state with copied secrets cleared from the clipboard after `after`.
    pub fn with_clipboard_clear_after(mut self, after: Duration) -> Self {
        self.clipboard_clear_after = after;
        self
    }

    /// Who a desktop request is from: the signed-in principal, on loopback, through the desktop door.
    pub(crate) fn caller(&self) -> RequestContext {
        let principal = self.signed_in.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        RequestContext { principal, ..RequestContext::local_owner(Door::Desktop) }
    }

    /// Acts as `principal` from now on.
    pub(crate) fn sign_in_as(&self, principal: Principal) {
        *self.signed_in.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = principal;
    }

    /// Plugs in the clipboard (once; later calls are ignored).
    pub fn set_clipboard(&self, clipboard: Arc<dyn Clipboard>) {
        let _ = self.clipboard.set(clipboard);
    }

    /// Plugs in the notifier (once; later calls are ignored). Set it before the store is
    /// unlocked: the scheduler loop starts at unlock only when there is a notifier.
    pub fn set_notifier(&self, notifier: Arc<dyn Notifier>) {
        let _ = self.notifier.set(notifier);
    }

    pub(crate) fn clipboard(&self) -> Result<Arc<dyn Clipboard>, CommandError> {
        self.clipboard.get().cloned().ok_or_else(|| CommandError::new("ClipboardUnavailable", "there is no clipboard in this session"))
    }

    pub(crate) fn clipboard_clear_after(&self) -> Duration {
        self.clipboard_clear_after
    }

    /// Runs the scheduler once, as its loop does every minute, and shows a notification through
    /// the plugged-in notifier for each new event. Returns what was shown.
    pub async fn run_scheduler_once(&self) -> Result<Vec<crate::notices::Notice>, CommandError> {
        let notifier = self.notifier.get().cloned().ok_or_else(|| CommandError::new("NotificationFailed", "no notifier is plugged in"))?;
        let core = self.core()?;
        self.events.pass(&core, notifier.as_ref()).await
    }

    /// Records when the UI first showed an interactive view; the first call wins. Returns the
    /// time from the state's creation (the app's start) to that moment.
    pub(crate) fn first_view_shown(&self) -> Duration {
        *self.first_view.get_or_init(|| self.started.elapsed())
    }

    /// State from the command line and the environment: `--home <dir>` or `VAULTMORT_HOME` or the
    /// OS data directory; `--key-source <auto|keyring|passphrase>` or `VAULTMORT_KEY_SOURCE`
    /// (default `auto`); `--clipboard-clear-seconds <n>` (default 30). The flags exist so that a test driver, which cannot set the app's
    /// environment, can point it at a throwaway home.
    pub fn from_args_and_env(args: impl IntoIterator<Item = String>) -> Result<Self, HomeError> {
        let mut home = None;
        let mut key_source = None;
        let mut clear = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--home" => home = args.next().map(PathBuf::from),
                "--key-source" => key_source = args.next(),
                "--clipboard-clear-seconds" => {
                    clear = args.next().and_then(|s| s.parse::<u64>().ok()).map(Duration::from_secs);
                }
                _ => {} // Anything else (e.g. what a desktop launcher adds) is not ours.
            }
        }
        let home = match home {
            Some(home) => home,
            None => vaultmort_home::default_home()?,
        };
        let key_source = match key_source {
            Some(choice) => choice.parse()?,
            None => std::env::var("VAULTMORT_KEY_SOURCE").unwrap_or_default().parse()?,
        };
        Ok(Self::new(home, key_source).with_clipboard_clear_after(clear.unwrap_or(DEFAULT_CLIPBOARD_CLEAR)))
    }

    /// The home folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The REST API server, when the app started one.
    pub(crate) fn rest_api(&self) -> &tokio::sync::Mutex<Option<RunningRestApi>> {
        &self.rest
    }

    /// The App Service front end, when the app started one.
    pub(crate) fn front_end(&self) -> &tokio::sync::Mutex<Option<vaultmort_appservice::FrontEnd>> {
        &self.front_end
    }

    /// The unlocked core, or `Locked`.
    pub(crate) fn core(&self) -> Result<Arc<Vaultmort>, CommandError> {
        self.core.get().cloned().ok_or_else(CommandError::locked)
    }

    /// Whether the store is unlocked, opening it if that needs no passphrase; with `passphrase`,
    /// opens (or, on first run, creates) the store with it.
    pub(crate) async fn open(&self, passphrase: Option<Zeroizing<String>>) -> Result<SessionStatus, CommandError> {
        let _one_at_a_time = self.opening.lock().await;
        if self.core.get().is_some() {
            return Ok(self.status(true, None));
        }
        // `open` asks this prompt only when it needs a passphrase it was not given; the answer
        // "none" makes it fail with PassphraseRequired, and the recorded question says whether the
        // store is new (Create) or exists (Unlock).
        let asked: Arc<Mutex<Option<PassphrasePrompt>>> = Arc::default();
        let recorder = Arc::clone(&asked);
        let options = HomeOptions {
            home: Some(self.home.clone()),
            key_source: self.key_source,
            passphrase,
            prompt: Some(Box::new(move |why| {
                *recorder.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(why);
                None
            })),
        };
        match vaultmort_home::open(options).await {
            Ok(home) => {
                // Events recorded before now were someone else's news; show what happens from here,
                // starting with what the first scheduler run finds due.
                if let Err(error) = self.events.start(&home.core).await {
                    log::warn!("cannot read the event log: {error}");
                }
                // With notifications, the scheduler loop's first run (at once) does the catching
                // up, so that renewals made now are announced too; without, it is done here.
                if self.notifier.get().is_none() {
                    after_unlock(&home.core).await;
                }
                // Whoever was signed in through the desktop last time is signed in again.
                match home.core.signed_in(Door::Desktop, std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)).await {
                    Ok(ctx) => self.sign_in_as(ctx.principal),
                    Err(error) => log::warn!("the remembered sign-in is gone ({error}); acting as the owner"),
                }
                if let Some(notifier) = self.notifier.get() {
                    crate::notices::spawn_scheduler(Arc::clone(&home.core), Arc::clone(&self.events), Arc::clone(notifier));
                }
                // Only this task sets the cell, under the `opening` lock, so it is still empty.
                self.core.get_or_init(|| home.core);
                log::info!("opened the Vaultmort home {} ({:?})", self.home.display(), home.key_source);
                Ok(self.status(true, None))
            }
            Err(HomeError::PassphraseRequired) => {
                let why = *asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(self.status(false, why))
            }
            Err(other) => Err(other.into()),
        }
    }

    fn status(&self, unlocked: bool, asked: Option<PassphrasePrompt>) -> SessionStatus {
        SessionStatus {
            unlocked,
            needs_passphrase: !unlocked,
            first_run: asked == Some(PassphrasePrompt::Create),
            home: self.home.display().to_string(),
        }
    }
}

/// The installation's periodic work, once at unlock: purges past their retention, certificate
/// renewals and expiry events that came due while the app was closed. A failure here is logged,
/// never a reason to refuse the unlock.
async fn after_unlock(core: &Vaultmort) {
    match core.tick().await {
        Ok((sweep, renewal)) => log::info!("after unlock: {sweep:?}; {renewal:?}"),
        Err(error) => log::warn!("after unlock, the retention sweep or certificate scheduler failed: {error}"),
    }
}
