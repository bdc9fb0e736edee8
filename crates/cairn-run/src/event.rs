//! Typed progress of a run, for the CLI to print and the app to forward.

use serde::Serialize;

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// How a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageOutcome {
    /// Ran and succeeded.
    Succeeded,
    /// Unchanged; not run.
    UpToDate,
    /// Restored from the run cache instead of running.
    Restored,
    /// Frozen; not run.
    Frozen,
    /// Its command failed (or it could not be prepared).
    Failed,
    /// Not run because a stage it depends on failed.
    Blocked,
    /// Stopped by a cancel.
    Cancelled,
    /// `--dry`: would run.
    WouldRun,
}

/// How a whole run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still going.
    Running,
    /// Every planned stage succeeded or was up to date.
    Succeeded,
    /// Some stage failed.
    Failed,
    /// Cancelled by the user.
    Cancelled,
}

impl RunStatus {
    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }
}

/// One thing that happened during a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunEvent {
    /// The plan is known.
    RunStarted {
        /// Run record id.
        run_id: String,
        /// Stage addresses in plan order.
        stages: Vec<String>,
    },
    /// A stage's upstream is done; it is deciding whether to run.
    StageQueued {
        /// Stage address.
        stage: String,
    },
    /// A stage's command is starting.
    StageStarted {
        /// Stage address.
        stage: String,
        /// The (interpolated) commands.
        cmd: Vec<String>,
    },
    /// A line of output.
    Output {
        /// Stage address.
        stage: String,
        /// stdout or stderr.
        stream: Stream,
        /// The line, without its newline.
        line: String,
    },
    /// A stage is done, however it ended.
    StageFinished {
        /// Stage address.
        stage: String,
        /// How it ended.
        outcome: StageOutcome,
        /// Exit code of the failing command, if one failed.
        exit_code: Option<i32>,
        /// Wall time spent.
        duration_ms: u64,
        /// Why (for skips and failures), for people.
        message: Option<String>,
    },
    /// The run is over.
    RunFinished {
        /// Run record id.
        run_id: String,
        /// How it ended.
        status: RunStatus,
    },
}
