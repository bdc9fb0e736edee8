//! Everything that can be wrong with a pipeline, each error saying where and what to do.
//!
//! Users meet these errors in files they wrote by hand, so every variant names the file
//! (repo-relative), the line when there is one, the offending key in DVC's dotted form
//! (`stages.train.cmd`), and a hint. Variants follow DVC's own failure classes so callers
//! can tell a YAML typo from a schema violation from a graph problem.

use std::fmt;

/// Where in which file a problem is. `line` is 0 when the problem has no single position.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// Repo-relative path of the file, with `/` separators (boxed to keep errors small).
    pub file: Box<str>,
    /// 1-based line, or 0 if unknown.
    pub line: u32,
    /// 1-based column, or 0 if unknown.
    pub col: u32,
}

impl Location {
    /// A position in `file`.
    pub fn new(file: impl Into<String>, line: usize, col: usize) -> Self {
        Location {
            file: file.into().into_boxed_str(),
            line: clamp(line),
            col: clamp(col),
        }
    }

    /// A position from a YAML mark.
    pub fn at(file: &str, mark: cairn_yaml::Mark) -> Self {
        Location::new(file, mark.line, mark.col)
    }
}

/// Lines and columns are `u32` to keep errors small (clippy's `result_large_err`); no
/// pipeline file has more lines than that.
fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.col) {
            (0, _) => write!(f, "{}", self.file),
            (l, 0) => write!(f, "{}:{}", self.file, l),
            (l, c) => write!(f, "{}:{}:{}", self.file, l, c),
        }
    }
}

/// A pipeline that Cairn (like DVC) refuses to load or to build a graph from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PipelineError {
    /// A file could not be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// Repo-relative path.
        path: String,
        /// The OS error.
        message: String,
    },

    /// `dvc.yaml`, `dvc.lock` or a params/vars file is not valid YAML (or JSON/TOML).
    #[error("{at}: '{file}' is invalid: {message}\n  hint: fix the syntax at that position (YAML forbids tabs for indentation; quote values containing ': ' or '{{')", file = at.file)]
    Syntax {
        /// Where the parser stopped.
        at: Location,
        /// The parser's message.
        message: String,
    },

    /// The document parses but does not fit the `dvc.yaml` schema (unknown key, wrong type...).
    #[error("{at}: '{file}' validation failed: {message}, in {key}\n  hint: {hint}", file = at.file)]
    Schema {
        /// Where the offending key or value is.
        at: Location,
        /// The path of keys, DVC style: `stages -> train -> live`.
        key: String,
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: Box<str>,
    },

    /// `dvc.lock` does not fit the lock schema (DVC 3 rejects 1.x lock files too).
    #[error("{at}: '{file}' validation failed: {message}, in {key}\n  hint: {hint}", file = at.file)]
    Lock {
        /// Where in the lock file.
        at: Location,
        /// The path of keys.
        key: String,
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: Box<str>,
    },

    /// A `${…}` expression could not be resolved, or resolved to the wrong type.
    #[error("{at}: failed to parse '{key}' in '{file}': {message}\n  hint: {hint}", file = at.file)]
    Interpolation {
        /// Where the string with the expression is.
        at: Location,
        /// The definition key, DVC style: `stages.train.cmd`.
        key: String,
        /// What went wrong (`Could not find 'lr'`).
        message: String,
        /// What to do about it.
        hint: Box<str>,
    },

    /// A `vars` entry or params file could not be loaded or merged.
    #[error("{at}: failed to parse '{key}' in '{file}': {message}\n  hint: {hint}", file = at.file)]
    Vars {
        /// Where the `vars` entry is.
        at: Location,
        /// `vars` or `stages.<name>.vars`.
        key: String,
        /// What went wrong.
        message: String,
        /// What to do about it.
        hint: Box<str>,
    },

    /// A stage definition that is well-formed YAML but cannot become a stage
    /// (e.g. a `.dvc` file named as an output, a `foreach` over a number).
    #[error("{at}: invalid stage '{stage}' ({key}): {message}\n  hint: {hint}")]
    Stage {
        /// Where the definition is.
        at: Location,
        /// The stage name.
        stage: String,
        /// The offending key.
        key: String,
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: Box<str>,
    },

    /// A path uses a remote scheme (`s3://`, `gs://`...) that Cairn cannot reach.
    #[error(
        "{at}: '{path}' in stage '{stage}' uses the '{scheme}' scheme, which is not supported\n  hint: use a local path, or import the data first"
    )]
    UnsupportedRemote {
        /// Where the path is written.
        at: Location,
        /// The stage address.
        stage: String,
        /// The path as written.
        path: String,
        /// The URL scheme.
        scheme: String,
    },

    /// A path leaves the repository (only raised by [`crate::dag::check_paths_inside_repo`]).
    #[error(
        "{at}: '{path}' in stage '{stage}' points outside the repository\n  hint: keep deps and outs inside the repository, or track external data with an import"
    )]
    PathOutsideRepo {
        /// Where the path is written.
        at: Location,
        /// The stage address.
        stage: String,
        /// The path as written.
        path: String,
    },

    /// Two stages (or one stage twice) declare the same output.
    #[error("{at}: output '{path}' is specified in: {}\n  hint: keep each output in exactly one stage; remove it from all but one of them", stages.join(", "))]
    DuplicateOutput {
        /// Where the second declaration is.
        at: Location,
        /// The repo-relative output path.
        path: String,
        /// The stages declaring it.
        stages: Vec<String>,
    },

    /// One output lies inside another output's directory.
    #[error(
        "{at}: the output paths '{parent}' ('{parent_stage}') and '{child}' ('{child_stage}') overlap and are thus in the same tracked directory\n  hint: outputs should be in separate tracked directories or tracked individually"
    )]
    OverlappingOutputs {
        /// Where the later of the two is declared.
        at: Location,
        /// The enclosing output.
        parent: String,
        /// Its stage.
        parent_stage: Box<str>,
        /// The nested output.
        child: String,
        /// Its stage.
        child_stage: Box<str>,
    },

    /// A `dvc.yaml` lives inside another stage's output directory.
    #[error(
        "{dvcfile}: stage '{stage}' is within an output '{out}' of another stage\n  hint: move the pipeline file out of the output directory"
    )]
    StageInsideOutput {
        /// The pipeline file.
        dvcfile: String,
        /// The stage address.
        stage: String,
        /// The output containing it.
        out: String,
    },

    /// The stages depend on each other in a circle (a stage depending on its own output
    /// is the smallest such circle).
    #[error("pipeline has a cycle: {}\n  hint: the same item(s) are defined as both a dependency and an output along this path; break the loop by removing one of those deps", stages.join(" -> "))]
    Cycle {
        /// The stage addresses along the cycle, first one repeated at the end.
        stages: Vec<String>,
    },
}

impl PipelineError {
    /// The file the error is about, if it is about one file.
    pub fn file(&self) -> Option<&str> {
        match self {
            PipelineError::Io { path, .. } => Some(path),
            PipelineError::Syntax { at, .. }
            | PipelineError::Schema { at, .. }
            | PipelineError::Lock { at, .. }
            | PipelineError::Interpolation { at, .. }
            | PipelineError::Vars { at, .. }
            | PipelineError::Stage { at, .. }
            | PipelineError::UnsupportedRemote { at, .. }
            | PipelineError::PathOutsideRepo { at, .. }
            | PipelineError::DuplicateOutput { at, .. }
            | PipelineError::OverlappingOutputs { at, .. } => Some(&*at.file),
            PipelineError::StageInsideOutput { dvcfile, .. } => Some(dvcfile),
            PipelineError::Cycle { .. } => None,
        }
    }

    /// A short machine-readable class, like the corpus' `error_kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            PipelineError::Io { .. } => "io",
            PipelineError::Syntax { .. } => "yaml_syntax",
            PipelineError::Schema { .. } => "dvcyaml_schema",
            PipelineError::Lock { .. } => "lock_schema",
            PipelineError::Interpolation { .. } | PipelineError::Vars { .. } => {
                "interpolation_or_vars"
            }
            PipelineError::Stage { .. } => "stage",
            PipelineError::UnsupportedRemote { .. } => "unsupported_remote",
            PipelineError::PathOutsideRepo { .. } => "path_outside_repo",
            PipelineError::DuplicateOutput { .. }
            | PipelineError::OverlappingOutputs { .. }
            | PipelineError::StageInsideOutput { .. }
            | PipelineError::Cycle { .. } => "graph",
        }
    }
}
