//! Why an edit was refused, for people: each error names the file, the stage or the path,
//! and what to do instead.

use super::*;

/// Why an edit was refused. Nothing is written in any of these cases.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    /// No stage has that address.
    #[error("no stage `{0}` in this project\n  hint: `cairn stage list` shows the stages")]
    NoSuchStage(String),
    /// The name is taken.
    #[error(
        "{file}:{line}: stage `{name}` already exists\n  hint: choose another name, or replace it (`--force`)"
    )]
    StageExists {
        /// The name.
        name: String,
        /// Its file.
        file: String,
        /// Its line.
        line: usize,
    },
    /// The name has characters DVC refuses.
    #[error(
        "`{0}` is not a valid stage name\n  hint: use letters, digits, `_` and `-` (no other punctuation)"
    )]
    BadName(String),
    /// The command is empty.
    #[error("the command of stage `{0}` is empty\n  hint: enter the command the stage runs")]
    EmptyCmd(String),
    /// The stage comes from a `foreach`/`matrix` template.
    #[error(
        "{file}:{line}: stage `{stage}` is generated from `{group}` by foreach/matrix\n  hint: edit the `do` template of `{group}` in the file"
    )]
    Generated {
        /// The generated stage.
        stage: String,
        /// The template.
        group: String,
        /// Its file.
        file: String,
        /// Its line.
        line: usize,
    },
    /// The stage is a `.dvc` file.
    #[error("`{0}` is data tracked by a .dvc file, not a pipeline stage")]
    DataSource(String),
    /// The part to change is written in flow style.
    #[error(
        "{file}:{line}: {what} is written in flow style (`{{…}}` or `[…]`), which Cairn does not rewrite\n  hint: edit it in the file, or write it in block style"
    )]
    FlowStyle {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// What ("the stages", "stage `train`").
        what: String,
    },
    /// A path leaves the repository.
    #[error(
        "`{0}` is outside the repository\n  hint: pipelines can only use paths inside the project"
    )]
    OutsideRepo(String),
    /// A new dependency does not exist and nothing produces it.
    #[error(
        "dependency `{0}` does not exist and no stage outputs it\n  hint: create it first, or add the stage that writes it"
    )]
    MissingDep(String),
    /// The path is already there.
    #[error("stage `{stage}` already lists `{path}` in its {list}")]
    AlreadyListed {
        /// The stage.
        stage: String,
        /// The path.
        path: String,
        /// "dependencies" or "outputs".
        list: &'static str,
    },
    /// The path is not there.
    #[error("stage `{stage}` does not list `{path}` in its {list}")]
    NotListed {
        /// The stage.
        stage: String,
        /// The path.
        path: String,
        /// "dependencies" or "outputs".
        list: &'static str,
    },
    /// The file is broken already, so it cannot be edited safely.
    #[error("{0}\n  (fix the file first; nothing was changed)")]
    Broken(PipelineError),
    /// The edited pipeline would not load or its graph would not build.
    #[error("this change would leave the pipeline invalid, so nothing was written:\n{0}")]
    WouldBreak(PipelineError),
    /// The file changed on disk between reading and writing it.
    #[error(
        "{0} changed on disk while this edit was being made, so nothing was written\n  hint: look at the file again, then redo the edit"
    )]
    Conflict(String),
    /// Another process holds the repository lock.
    #[error("{0}")]
    Locked(String),
    /// Writing failed.
    #[error("{file}: cannot write: {message}")]
    Write {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
}

impl EditError {
    /// A short stable identifier for machine-readable output.
    pub fn kind(&self) -> &'static str {
        match self {
            EditError::NoSuchStage(_) | EditError::NotListed { .. } => "not_found",
            EditError::StageExists { .. } | EditError::AlreadyListed { .. } => "exists",
            EditError::WouldBreak(PipelineError::Cycle { .. }) => "cycle",
            EditError::MissingDep(_) => "missing_dep",
            EditError::OutsideRepo(_) => "path_outside_repo",
            EditError::Conflict(_) => "conflict",
            EditError::Locked(_) => "locked",
            EditError::Write { .. } => "io",
            _ => "invalid",
        }
    }
}
