//! Typed events pushed to every frontend (Tauri event bridge, SSE in `cairn ui`): run
//! progress, stage output lines, file changes and the progress of long commands. Frontends never poll for these.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::dto::{LogLine, RunState};

/// Something that happened; `project` is the project root it concerns.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum ApiEvent {
    /// A run has a plan.
    RunStarted {
        /// Project root.
        project: String,
        /// Run record id.
        run_id: String,
        /// Stages in plan order.
        stages: Vec<String>,
    },
    /// A stage changed state during a run.
    StageUpdate {
        /// Project root.
        project: String,
        /// Stage address.
        stage: String,
        /// queued / running / succeeded / up_to_date / restored / frozen / failed / blocked / cancelled / would_run
        phase: String,
        /// Duration once finished.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none", default)]
        duration_ms: Option<u64>,
        /// Exit code of a failed command.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none", default)]
        exit_code: Option<i32>,
        /// Why, for people.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none", default)]
        message: Option<String>,
    },
    /// Lines of output from a running stage (batched).
    StageOutput {
        /// Project root.
        project: String,
        /// Stage address.
        stage: String,
        /// The lines.
        lines: Vec<LogLine>,
    },
    /// The run is over.
    RunFinished {
        /// Project root.
        project: String,
        /// Run record id.
        run_id: String,
        /// How it ended.
        status: RunState,
        /// Why it could not run at all, if so.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none", default)]
        error: Option<String>,
    },
    /// Files changed in a project's work tree (debounced).
    FilesChanged {
        /// Project root.
        project: String,
        /// Some of the changed repo-relative paths.
        paths: Vec<String>,
    },
    /// The projects list changed.
    ProjectsChanged {},
    /// Long work advanced (tracking data, checking it out, cloning, looking for
    /// repositories). Sent when it starts, at most every 100 ms while it goes, and once
    /// with `finished` when it ends, however it ended.
    Progress {
        /// Project root (or the folder) the work is about.
        project: String,
        /// Identifies the task across its events; pass it to `cancel_task`.
        task: String,
        /// What is being done, for people ("Tracking data").
        title: String,
        /// The current step ("hashing", "receiving objects"); empty before the first.
        phase: String,
        /// Units (files, objects) done in this step.
        done: u64,
        /// Units in this step, when known.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none", default)]
        total: Option<u64>,
        /// Bytes done in this step.
        bytes: u64,
        /// Bytes in this step, when known.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none", default)]
        total_bytes: Option<u64>,
        /// Whether `cancel_task` can stop it.
        cancellable: bool,
        /// The last event of this task.
        finished: bool,
    },
}

/// The broadcast channel events go through. Slow subscribers lose old events rather than
/// blocking runs.
#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<ApiEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(4096);
        EventBus { tx }
    }
}

impl EventBus {
    /// Sends to every current subscriber (none is fine).
    pub fn emit(&self, e: ApiEvent) {
        let _ = self.tx.send(e);
    }

    /// A new receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ApiEvent> {
        self.tx.subscribe()
    }
}
