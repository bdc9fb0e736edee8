//! Errors from experiment operations.

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum ExpError {
    /// Git failed.
    #[error(transparent)]
    Git(#[from] cairn_git::GitError),
    /// The pipeline run failed.
    #[error(transparent)]
    Run(#[from] cairn_run::RunError),
    /// A pipeline file is broken.
    #[error(transparent)]
    Pipeline(#[from] cairn_pipeline::PipelineError),
    /// The data layer failed.
    #[error(transparent)]
    Data(#[from] cairn_data::DataError),
    /// I/O on a named path.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// DVC's own experiment queue could not be read.
    #[error(transparent)]
    DvcQueue(#[from] crate::dvc_queue::DvcQueueError),
    /// Bad user input (name, override, sweep).
    #[error("{0}")]
    Invalid(String),
    /// No such experiment.
    #[error("unknown experiment '{0}'; see `cairn exp show` for names")]
    UnknownExperiment(String),
    /// An experiment with this name exists with different content.
    #[error(
        "experiment conflicts with existing experiment '{0}'; use `--force` to replace it or choose another `--name`"
    )]
    Exists(String),
    /// The workspace has changes that would be overwritten.
    #[error("{0}")]
    Dirty(String),
}

impl ExpError {
    /// Wraps an I/O error with its path.
    pub fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        ExpError::Io {
            path: path.to_string(),
            source,
        }
    }
}
