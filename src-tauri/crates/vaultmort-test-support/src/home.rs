//! Throwaway homes: a temporary folder holding a Vaultmort home protected by
//! [`PASSPHRASE`](crate::PASSPHRASE) (never the user's data directory or keyring) and scratch
//! files beside it, and a core opened on such a home through `vaultmort-home`, exactly as the
//! CLI and the app open theirs, with the local owner and a resource group `rg`.
//!
//! Driving a door (spawning the CLI, the app's mock runtime) is left to each door's tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tempfile::TempDir;
use vaultmort_core::groups::CreateGroup;
use vaultmort_core::vaults::CreateVault;
use vaultmort_core::{Door, RequestContext, Vaultmort};
use vaultmort_home::{Home, HomeError, HomeOptions, KeySourceChoice};
use zeroize::Zeroizing;

use crate::PASSPHRASE;

/// The resource group [`TestCore`] makes and puts its vaults in.
pub const GROUP: &str = "rg";

/// A temporary folder with a home in `home/` and scratch files in `scratch/`; both go when it
/// is dropped.
pub struct TestHome {
    dir: TempDir,
}

impl Default for TestHome {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHome {
    /// A fresh folder; the home in it is created by the first open.
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("a temporary folder for the test home") }
    }

    /// The temporary folder holding the home and the scratch files.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The home folder (what `VAULTMORT_HOME` names).
    pub fn home_dir(&self) -> PathBuf {
        self.root().join("home")
    }

    /// The SQLite store file inside the home folder.
    pub fn db_file(&self) -> PathBuf {
        self.home_dir().join("vaultmort.db")
    }

    /// A path for a scratch file beside the home (not inside it).
    pub fn scratch(&self, name: &str) -> PathBuf {
        let dir = self.root().join("scratch");
        std::fs::create_dir_all(&dir).expect("the scratch folder can be made");
        dir.join(name)
    }

    /// Options that open this home with the passphrase key source and [`PASSPHRASE`], never
    /// asking anyone.
    pub fn options(&self) -> HomeOptions {
        HomeOptions {
            home: Some(self.home_dir()),
            key_source: KeySourceChoice::Passphrase,
            passphrase: Some(Zeroizing::new(PASSPHRASE.into())),
            prompt: None,
        }
    }

    /// Opens (creating on first use) this home's store with [`PASSPHRASE`].
    pub async fn open(&self) -> Result<Home, HomeError> {
        vaultmort_home::open(self.options()).await
    }
}

/// A core on a fresh [`TestHome`], with the local owner's context and a resource group [`GROUP`].
pub struct TestCore {
    /// The home the core was opened on (kept so that the folder lives as long as the core).
    pub home: TestHome,
    /// The core.
    pub core: Arc<Vaultmort>,
    /// The local owner, as the CLI calls in.
    pub owner: RequestContext,
}

impl TestCore {
    /// A core on a new home, with resource group [`GROUP`].
    pub async fn new() -> Self {
        let home = TestHome::new();
        let core = home.open().await.expect("a new test home opens with the test passphrase").core;
        let owner = RequestContext::local_owner(Door::Cli);
        core.create_group(
            &owner,
            CreateGroup { name: GROUP.into(), location: "westeurope".into(), tags: Default::default(), subscription: None },
        )
        .await
        .expect("the owner creates the test resource group");
        Self { home, core, owner }
    }

    /// A core on a new home with one standard vault `name`.
    pub async fn with_vault(name: &str) -> Self {
        let test = Self::new().await;
        test.vault(name).await;
        test
    }

    /// Creates a standard vault `name` in [`GROUP`] (soft delete on, purge protection off).
    pub async fn vault(&self, name: &str) {
        self.vault_with(CreateVault::new(name, GROUP)).await;
    }

    /// Creates a vault from `request`, which must succeed.
    pub async fn vault_with(&self, request: CreateVault) {
        let name = request.name.clone();
        self.core.create_vault(&self.owner, request).await.unwrap_or_else(|e| panic!("the owner creates vault '{name}': {e}"));
    }

    /// The same home opened again by a new core (as the next run of the CLI or app would).
    pub async fn reopen(self) -> Self {
        let Self { home, core, owner } = self;
        drop(core);
        let core = home.open().await.expect("the test home opens again with the test passphrase").core;
        Self { home, core, owner }
    }
}
