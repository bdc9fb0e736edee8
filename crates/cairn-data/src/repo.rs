//! A DVC repository on disk: where its root, `.dvc` directory, cache and lock are.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cairn_core::RepoLock;

use crate::config::Config;
use crate::error::{DataError, Result};
use crate::odb::Odb;
use crate::state::State;

/// An opened DVC repository.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
    config: Config,
    odb: Odb,
}

/// How long a writer waits for another to release the lock (DVC waits about as long).
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

impl Repo {
    /// Finds the repository containing `start` (the nearest ancestor with `.dvc/`).
    pub fn discover(start: &Path) -> Result<Repo> {
        let start = start.canonicalize().map_err(|e| DataError::io(start, e))?;
        let root = start
            .ancestors()
            .find(|p| p.join(".dvc").is_dir())
            .ok_or_else(|| DataError::NotARepo(start.clone()))?;
        Repo::open(root)
    }

    /// Opens the repository rooted at `root`.
    pub fn open(root: &Path) -> Result<Repo> {
        let root = root.canonicalize().map_err(|e| DataError::io(root, e))?;
        let config = Config::load(&root.join(".dvc"))?;
        let tmp = root.join(".dvc").join("tmp").join("cairn");
        let odb = Odb::new(config.cache_dir.clone())
            .with_manifest_memo(tmp.join("manifests"))
            .with_verified_memo(tmp.join("verified"));
        Ok(Repo { root, config, odb })
    }

    /// The repository root (absolute, canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `.dvc` directory.
    pub fn dvc_dir(&self) -> PathBuf {
        self.root.join(".dvc")
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The cache.
    pub fn odb(&self) -> &Odb {
        &self.odb
    }

    /// Takes the repository write lock shared with DVC.
    pub fn lock(&self) -> Result<RepoLock> {
        Ok(RepoLock::acquire(
            &self.dvc_dir().join("tmp").join("lock"),
            LOCK_WAIT,
        )?)
    }

    /// Opens the state table, falling back to remembering nothing if it is unusable
    /// (a read-only checkout must still work, only slower).
    pub fn state(&self) -> State {
        State::open(&self.dvc_dir().join("tmp").join("cairn").join("state.db"))
            .unwrap_or_else(|_| State::in_memory())
    }
}
