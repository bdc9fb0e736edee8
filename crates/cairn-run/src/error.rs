//! Errors of the repro engine.

/// Why a run could not start or a stage could not complete.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The pipeline files are broken.
    #[error(transparent)]
    Pipeline(#[from] cairn_pipeline::PipelineError),
    /// The data layer failed (hashing, cache, lock).
    #[error(transparent)]
    Data(#[from] cairn_data::DataError),
    /// A target names no stage.
    #[error("no stage named `{0}`; `cairn dag` lists the stages")]
    UnknownTarget(String),
    /// `commit` met a stage that changed since its record, without `force`.
    #[error(
        "stage `{stage}` changed since it was recorded ({changes}): `cairn commit -f` records it as it is now, `cairn repro` runs it"
    )]
    CommitChanged {
        /// The stage.
        stage: String,
        /// What changed, for people.
        changes: String,
    },
    /// A dependency is missing and nothing produces it.
    #[error(
        "stage `{stage}`: dependency `{path}` does not exist and no stage produces it; create it or `cairn add` it"
    )]
    MissingDep {
        /// The stage.
        stage: String,
        /// The dependency path.
        path: String,
    },
    /// A params file or key is missing.
    #[error("stage `{stage}`: {message}")]
    Params {
        /// The stage.
        stage: String,
        /// What is missing.
        message: String,
    },
    /// A command exited non-zero.
    #[error("stage `{stage}`: command `{cmd}` failed with exit code {code}")]
    CommandFailed {
        /// The stage.
        stage: String,
        /// The command line.
        cmd: String,
        /// Its exit code (-1 when killed by a signal).
        code: i32,
    },
    /// An output was not produced.
    #[error(
        "stage `{stage}`: output `{path}` does not exist after the command ran; check the command writes it"
    )]
    MissingOutput {
        /// The stage.
        stage: String,
        /// The output path.
        path: String,
    },
    /// A cached output is also tracked by git (DVC refuses this too).
    #[error(
        "stage `{stage}`: output `{path}` is already tracked by git; stop tracking it there (`git rm -r --cached '{path}'` and commit), then run again"
    )]
    TrackedByGit {
        /// The stage.
        stage: String,
        /// The output.
        path: String,
    },
    /// A frozen stage's outputs are missing.
    #[error(
        "stage `{stage}` is frozen and its output `{path}` is missing from the workspace and the cache; unfreeze it or restore the data"
    )]
    FrozenMissing {
        /// The stage.
        stage: String,
        /// The output.
        path: String,
    },
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// I/O.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The run records database failed.
    #[error("run records: {0}")]
    Records(#[from] rusqlite::Error),
}

impl RunError {
    /// Wraps an I/O error with its path.
    pub fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        RunError::Io {
            path: path.to_string(),
            source,
        }
    }
}
