//! The use cases on the repository around a directory, as the command line runs them:
//! `cairn add`, `cairn repro`, `cairn exp show` and the rest are each one call here plus
//! rendering. The app's [`crate::Api`] commands call the same functions for the same use
//! case (under their trust checks, tasks and events), so the CLI, the desktop app and the
//! browser mode are adapters over one API.
//!
//! Results are the engines' own typed values (re-exported here, so adapters depend on
//! this crate alone): the CLI prints DVC's JSON shapes from them, which the app's DTOs are
//! not. Errors keep the engines' types too ([`WorkspaceError`]), so a message names its
//! file and line exactly as the engine wrote it.

mod config;
mod data;
mod experiments;
mod list;
mod models;
mod pipeline;
mod plots;
mod queue;
mod remotes;
mod runs;

use std::path::{Path, PathBuf};

pub use cairn_core::{Progress, ProgressEvent};
pub use config::ConfigRow;
pub use data::{CloudStatus, DataStatus, DataStatusOptions, Init, StageOutput, StatusReport, init};
pub use experiments::{ExpDiff, ExpRun, FileResult, Finished, Side};
pub use list::{ListEntry, ListOptions, TreeItem};
pub use models::Models;
pub use pipeline::{Graph, StageAdded, StageFlags, StageLine, files_to_commit, lock_file_of};
pub use plots::{PlotOptions, Written};
pub use queue::{DvcQueued, EntryLog, QueueStatus};
pub use remotes::RemoteRow;
pub use runs::RunLog;

/// Value types the use cases return, from the engines that make them.
pub mod types {
    pub use cairn_data::DataError;
    pub use cairn_data::add::Added;
    pub use cairn_data::checkout::CheckedOut;
    pub use cairn_data::config_edit::ConfigFile;
    pub use cairn_data::diff::{DataDiff, DiffPath};
    pub use cairn_data::fsck::FsckReport;
    pub use cairn_data::gc::GcReport;
    pub use cairn_data::remote::CloudState;
    pub use cairn_data::status::{Change, PointerStatus};
    pub use cairn_exp::collect::{flatten, iso_timestamp};
    pub use cairn_exp::diff::{
        DiffResult, Fmt, Rev, TrendPoint, diff_to_json, fmt_value, show_json,
    };
    pub use cairn_exp::manage::Applied;
    pub use cairn_exp::queue::{Entry, State};
    pub use cairn_exp::refs::ExpRef;
    pub use cairn_exp::registry::{Artifact, Registry};
    pub use cairn_exp::run::{ExpRunOptions, ExpRunResult};
    pub use cairn_exp::show::{ShowOptions, ShowResult};
    pub use cairn_exp::show_table::{ExpTable, TableOptions, TableStyle, tabulate_today};
    pub use cairn_exp::worker::Worker;
    pub use cairn_git::RevScope;
    pub use cairn_run::engine::Sink;
    pub use cairn_run::records::{RunDetail, RunRecord, timestamp};
    pub use cairn_run::status::StageStatus;
    pub use cairn_run::sync::{Direction, SyncReport};
    pub use cairn_run::{
        COMMIT_UNCHANGED, CancelToken, RunEvent, RunOptions, RunStatus, RunSummary, StageOutcome,
        Stream,
    };
}

/// What a use case on the work tree can fail with: the engine's error, unchanged.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// Data versioning (the cache, pointers, the lock, remotes).
    #[error(transparent)]
    Data(#[from] cairn_data::DataError),
    /// Git.
    #[error(transparent)]
    Git(#[from] cairn_git::GitError),
    /// A pipeline file.
    #[error(transparent)]
    Pipeline(#[from] cairn_pipeline::PipelineError),
    /// An edit of a pipeline file.
    #[error(transparent)]
    Edit(#[from] cairn_pipeline::edit::EditError),
    /// Running the pipeline, or its records.
    #[error(transparent)]
    Run(#[from] cairn_run::RunError),
    /// Experiments, the queue, workers, plots.
    #[error(transparent)]
    Exp(#[from] cairn_exp::ExpError),
    /// DVC's own experiment queue.
    #[error(transparent)]
    DvcQueue(#[from] cairn_exp::dvc_queue::DvcQueueError),
    /// The model registry.
    #[error(transparent)]
    Registry(#[from] cairn_exp::registry::write::RegistryError),
    /// Reading or writing a named file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// Something asked for that is not there (the message says what to run instead).
    #[error("{0}")]
    NotFound(String),
    /// A request that cannot be carried out as given (the message says why and what to do).
    #[error("{0}")]
    Invalid(String),
    /// A use case the app shares, failing as the app reports it.
    #[error(transparent)]
    App(#[from] crate::ApiError),
}

impl WorkspaceError {
    /// Whether the work stopped because it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        use cairn_run::RunError::Cancelled;
        matches!(
            self,
            WorkspaceError::Run(Cancelled)
                | WorkspaceError::Exp(cairn_exp::ExpError::Run(Cancelled))
        )
    }
}

/// Result of a use case.
pub type Result<T, E = WorkspaceError> = std::result::Result<T, E>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WorkspaceError + '_ {
    move |source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl From<WorkspaceError> for crate::ApiError {
    fn from(e: WorkspaceError) -> Self {
        use crate::{ApiError, ErrorCode};
        match e {
            WorkspaceError::Data(e) => e.into(),
            WorkspaceError::Git(e) => e.into(),
            WorkspaceError::Pipeline(e) => e.into(),
            WorkspaceError::Edit(e) => e.into(),
            WorkspaceError::Run(e) => e.into(),
            WorkspaceError::Exp(e) => e.into(),
            WorkspaceError::Io { .. } => ApiError::new(ErrorCode::Io, e.to_string()),
            WorkspaceError::NotFound(m) => ApiError::not_found(m),
            WorkspaceError::Invalid(m) => ApiError::new(ErrorCode::InvalidArguments, m),
            WorkspaceError::App(e) => e,
            WorkspaceError::Registry(e) => crate::models::registry_error(e),
            WorkspaceError::DvcQueue(_) => {
                ApiError::new(ErrorCode::InvalidArguments, e.to_string())
            }
        }
    }
}

/// The DVC repository around a directory, with that directory: paths people type are
/// relative to it, and output paths are shown relative to it.
#[derive(Debug, Clone)]
pub struct Workspace {
    repo: cairn_data::Repo,
    cwd: PathBuf,
}

impl Workspace {
    /// The repository containing `dir` (its nearest ancestor with `.dvc/`).
    pub fn discover(dir: &Path) -> Result<Workspace> {
        let cwd = dir.canonicalize().map_err(io(dir))?;
        Ok(Workspace {
            repo: cairn_data::Repo::discover(&cwd)?,
            cwd,
        })
    }

    /// The repository rooted at `root`, seen from its root.
    pub fn at(root: &Path) -> Result<Workspace> {
        let repo = cairn_data::Repo::open(root)?;
        Ok(Workspace {
            cwd: repo.root().to_path_buf(),
            repo,
        })
    }

    /// The repository root (absolute, canonical).
    pub fn root(&self) -> &Path {
        self.repo.root()
    }

    /// The root as seen from [`Workspace::cwd`]: `.`, `..`, `../..`…
    pub fn display_root(&self) -> String {
        match cairn_data::paths::rel_slash(self.root(), &self.cwd) {
            r if r.is_empty() => ".".to_string(),
            r => r,
        }
    }

    /// The directory paths are relative to.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// `path` (absolute, or relative to the repository root) as people here should read
    /// it: relative to [`Workspace::cwd`], with `/`.
    pub fn shown(&self, path: &Path) -> String {
        cairn_data::paths::rel_slash(&self.root().join(path), &self.cwd)
    }

    /// A path someone typed, absolute and normalised (not checked).
    fn typed(&self, path: &Path) -> PathBuf {
        cairn_data::paths::normalize(&self.cwd, path)
    }

    /// A path someone typed, as a repository-relative `/` path.
    fn typed_rel(&self, path: &Path) -> String {
        cairn_data::paths::rel_slash(&self.typed(path), self.root())
    }

    fn git(&self) -> Result<cairn_git::Git> {
        Ok(cairn_git::Git::discover(self.root())?)
    }
}

/// Sizes the process's file-descriptor limit for hashing many files at once; call once
/// at start-up.
pub fn prepare_process() {
    cairn_data::reserve_descriptor_table();
}

/// Prints a JSON value as Python's `json.dumps` does (DVC's `--json` output), so scripts
/// can switch tools.
pub fn python_json(v: &serde_json::Value) -> String {
    cairn_pipeline::pynum::dumps(v, false)
}
