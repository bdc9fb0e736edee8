//! Errors of the data engine. Each names the file (and line, where there is one) and
//! says what to do; the CLI and app render them as they are.

use std::path::PathBuf;

/// Everything that can go wrong while versioning data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Not inside a DVC repository.
    #[error(
        "{0} is not inside a DVC repository (no .dvc directory found); run `cairn init` at the repository root"
    )]
    NotARepo(PathBuf),
    /// `cairn init` outside git.
    #[error(
        "{0} is not inside a git repository; run `git init` first (Cairn keeps history in git)"
    )]
    NotGit(PathBuf),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A YAML file (a `.dvc` pointer, dvc.lock) is malformed.
    #[error("{path}:{line}:{col}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A path is outside the repository or inside `.git`/`.dvc`.
    #[error("{path}: {reason}; nothing was written")]
    BadPath {
        /// The path as the user gave it.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// An object the workspace needs is not in the cache.
    #[error(
        "{path}: missing cache object {hash}; run `dvc pull` (or `cairn pull`) to fetch it from a remote"
    )]
    MissingObject {
        /// The workspace path that needs it.
        path: String,
        /// The object id.
        hash: String,
    },
    /// Checkout would overwrite changes.
    #[error(
        "{path}: has changes that are not in the cache; use --force to discard them, or `cairn add` to keep them"
    )]
    WouldOverwrite {
        /// The workspace path.
        path: String,
    },
    /// The repository lock is held.
    #[error(transparent)]
    Locked(#[from] cairn_core::LockError),
    /// The state database failed.
    #[error("state database {path}: {source}")]
    State {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A `.dir` manifest in the cache is not valid JSON.
    #[error("{path}: corrupt directory manifest ({message}); run `cairn fsck`")]
    BadManifest {
        /// The manifest file.
        path: PathBuf,
        /// What the JSON parser said.
        message: String,
    },
    /// No usable remote for push or pull.
    #[error("{0}")]
    Remote(String),
    /// A config option name or value DVC would not take.
    #[error("{0}")]
    Config(String),
    /// Several targets failed; the others were processed.
    #[error("{} of the targets failed:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Several(Vec<DataError>),
}

impl DataError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result alias for the data engine.
pub type Result<T, E = DataError> = std::result::Result<T, E>;
