//! The one error type every command returns: a closed [`ErrorCode`] the UI can branch on,
//! a message for people, and the file and line when the problem is in a file.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What kind of failure; the UI decides what to offer (a trust dialog, a retry) from this,
/// never from the message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The command name is not one of [`crate::COMMANDS`].
    UnknownCommand,
    /// The arguments did not match the command's argument type.
    InvalidArguments,
    /// A project, stage, run or file that does not exist.
    NotFound,
    /// The project has not been trusted to run its commands.
    NotTrusted,
    /// A run is already going in this project.
    AlreadyRunning,
    /// `dvc.yaml` / `dvc.lock` / params are malformed or the graph is invalid.
    InvalidPipeline,
    /// The repository lock is held by another process (a `dvc` or `cairn` command).
    Locked,
    /// A data versioning operation failed.
    Data,
    /// A git operation failed.
    Git,
    /// Running the pipeline failed to start or broke.
    Run,
    /// A file changed on disk since the view the request was made from, or a destination
    /// is already taken.
    Conflict,
    /// The user cancelled the work (`cancel_task`).
    Cancelled,
    /// Reading or writing a file failed.
    Io,
    /// Anything else (a bug).
    Internal,
}

/// An error as the frontend sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ApiError {
    /// The class of failure.
    pub code: ErrorCode,
    /// What went wrong and what to do, for people.
    pub message: String,
    /// Repo-relative file the problem is in, if any.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    /// 1-based line in `file`, if known.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
}

impl ApiError {
    /// An error without a location.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            file: None,
            line: None,
        }
    }

    /// A `NotFound` error.
    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::NotFound, what)
    }

    /// Adds a location.
    pub fn at(mut self, file: impl Into<String>, line: Option<u32>) -> Self {
        self.file = Some(file.into());
        self.line = line.filter(|l| *l > 0);
        self
    }
}

/// Result of every API function.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<cairn_pipeline::PipelineError> for ApiError {
    fn from(e: cairn_pipeline::PipelineError) -> Self {
        let line = pipeline_line(&e);
        let err = ApiError::new(ErrorCode::InvalidPipeline, e.to_string());
        match e.file() {
            Some(f) => err.at(f, line),
            None => err,
        }
    }
}

/// The line of a pipeline error, read from its `file:line:col` prefix.
fn pipeline_line(e: &cairn_pipeline::PipelineError) -> Option<u32> {
    let file = e.file()?;
    let text = e.to_string();
    let rest = text.strip_prefix(file)?.strip_prefix(':')?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
}

impl From<cairn_pipeline::edit::EditError> for ApiError {
    fn from(e: cairn_pipeline::edit::EditError) -> Self {
        use cairn_pipeline::edit::EditError as E;
        match &e {
            E::Broken(p) | E::WouldBreak(p) => {
                let err = ApiError::new(ErrorCode::InvalidPipeline, e.to_string());
                match p.file() {
                    Some(f) => err.at(f, pipeline_line(p)),
                    None => err,
                }
            }
            E::NoSuchStage(_) | E::NotListed { .. } => ApiError::not_found(e.to_string()),
            E::MissingDep(_) => ApiError::new(ErrorCode::InvalidPipeline, e.to_string()),
            E::Conflict(_) => ApiError::new(ErrorCode::Conflict, e.to_string()),
            E::Locked(_) => ApiError::new(ErrorCode::Locked, e.to_string()),
            E::Write { .. } => ApiError::new(ErrorCode::Io, e.to_string()),
            E::StageExists { file, line, .. }
            | E::Generated { file, line, .. }
            | E::FlowStyle { file, line, .. } => {
                ApiError::new(ErrorCode::InvalidArguments, e.to_string())
                    .at(file.clone(), u32::try_from(*line).ok())
            }
            _ => ApiError::new(ErrorCode::InvalidArguments, e.to_string()),
        }
    }
}

impl From<cairn_data::DataError> for ApiError {
    fn from(e: cairn_data::DataError) -> Self {
        use cairn_data::DataError as D;
        match &e {
            D::Locked(_) => ApiError::new(ErrorCode::Locked, e.to_string()),
            D::Syntax { path, line, .. } => ApiError::new(ErrorCode::Data, e.to_string())
                .at(path.display().to_string(), u32::try_from(*line).ok()),
            D::Io { .. } => ApiError::new(ErrorCode::Io, e.to_string()),
            D::NotGit(_) => ApiError::new(ErrorCode::Git, e.to_string()),
            _ => ApiError::new(ErrorCode::Data, e.to_string()),
        }
    }
}

impl From<cairn_exp::ExpError> for ApiError {
    fn from(e: cairn_exp::ExpError) -> Self {
        use cairn_exp::ExpError as X;
        match e {
            X::Git(g) => g.into(),
            X::Run(r) => r.into(),
            X::Pipeline(p) => p.into(),
            X::Data(d) => d.into(),
            X::Io { .. } => ApiError::new(ErrorCode::Io, e.to_string()),
            X::UnknownExperiment(_) => ApiError::not_found(e.to_string()),
            X::Invalid(_) => ApiError::new(ErrorCode::InvalidArguments, e.to_string()),
            _ => ApiError::new(ErrorCode::Internal, e.to_string()),
        }
    }
}

impl From<cairn_git::GitError> for ApiError {
    fn from(e: cairn_git::GitError) -> Self {
        match e {
            cairn_git::GitError::BadRevision(_) => ApiError::not_found(e.to_string()),
            _ => ApiError::new(ErrorCode::Git, e.to_string()),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::new(ErrorCode::Internal, format!("projects index: {e}"))
    }
}

/// Wraps an I/O error with the path it concerns.
pub fn io_error(path: &std::path::Path, e: std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display()))
}
