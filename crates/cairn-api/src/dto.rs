//! Transport types: what crosses the boundary to the frontend. Field names are camelCase in
//! JSON and TypeScript; `u64` sizes become `number` (no data set here nears 2^53 bytes).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ApiError;

/// A command without arguments.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct NoArgs {}

/// Arguments naming one project by its absolute path.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectArgs {
    /// Absolute path of the project's root (as listed by `list_projects`).
    pub project: String,
}

/// Arguments naming a folder on disk.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathArgs {
    /// Absolute path.
    pub path: String,
}

/// How a run ended, or that it is still going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Still going.
    Running,
    /// Every planned stage succeeded or was up to date.
    Succeeded,
    /// Some stage failed.
    Failed,
    /// Cancelled by the user.
    Cancelled,
}

/// One project on the Home screen.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSummary {
    /// Folder name.
    pub name: String,
    /// Absolute path of the repository root; the project's id.
    pub path: String,
    /// Current branch, if HEAD is on one.
    pub branch: Option<String>,
    /// Last commit's summary line.
    pub last_commit: Option<String>,
    /// Last commit time (seconds since epoch).
    pub last_commit_time: Option<i64>,
    /// Stages in the pipeline (0 if none or broken).
    pub stage_count: u32,
    /// Stages that need to run; `None` when the pipeline could not be evaluated.
    pub stale_count: Option<u32>,
    /// How the last recorded run ended.
    pub last_run: Option<RunState>,
    /// Whether the user trusted this project to run its commands.
    pub trusted: bool,
    /// The first problem loading the pipeline, if any.
    pub problem: Option<ApiError>,
    /// Whether the folder is gone.
    pub missing: bool,
}

/// Status of a stage in the pipeline view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    /// dvc.lock matches deps, params, outs and command.
    UpToDate,
    /// Something changed; `reasons` say what.
    Stale,
    /// Frozen: never re-run.
    Frozen,
    /// Waiting for upstream stages in the current run.
    Queued,
    /// Its command is running now.
    Running,
    /// Failed in the last run.
    Failed,
    /// Status could not be computed (see the pipeline's problems).
    Unknown,
}

/// A node of the pipeline graph.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StageNode {
    /// Stage address (`train`, `sub/dvc.yaml:train@1`); the node id.
    pub id: String,
    /// Stage name as written.
    pub name: String,
    /// The pipeline file defining it.
    pub dvcfile: String,
    /// Line of the stage in that file.
    pub line: u32,
    /// Commands.
    pub cmd: Vec<String>,
    /// Current state.
    pub state: StageState,
    /// Why it is stale or failed, for people.
    pub reasons: Vec<String>,
    /// Number of deps / outs, for the node label.
    pub dep_count: u32,
    /// Number of outputs.
    pub out_count: u32,
    /// A `.dvc` data source rather than a command stage.
    pub is_data_source: bool,
}

/// An edge from a producing stage to a consuming one.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StageEdge {
    /// Producer stage id.
    pub source: String,
    /// Consumer stage id.
    pub target: String,
}

/// The Pipeline tab.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PipelineView {
    /// The project.
    pub project: String,
    /// Stages in DVC's order.
    pub stages: Vec<StageNode>,
    /// Dependency edges.
    pub edges: Vec<StageEdge>,
    /// What is wrong with the pipeline files (broken YAML, cycles...).
    pub problems: Vec<ApiError>,
    /// The run in progress, if any.
    pub active_run: Option<String>,
    /// Whether the project is trusted to run.
    pub trusted: bool,
}

/// Arguments of `get_stage`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StageArgs {
    /// Project root.
    pub project: String,
    /// Stage address.
    pub stage: String,
}

/// A dependency or output path with what is known about it on disk.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathInfo {
    /// Repo-relative path.
    pub path: String,
    /// Whether it exists in the workspace.
    pub exists: bool,
    /// Bytes (a directory: total of its files).
    pub size: Option<u64>,
    /// Files in a directory.
    pub nfiles: Option<u64>,
    /// For outputs: whether the recorded version is in the cache (`None`: not cached output).
    pub cached: Option<bool>,
    /// For outputs: `cache: false` in dvc.yaml.
    pub cache_disabled: bool,
    /// For outputs: metrics / plots / plain.
    pub kind: String,
}

/// One param a stage reads, with its current value.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ParamValue {
    /// Params file.
    pub file: String,
    /// Dotted key.
    pub key: String,
    /// Its value as JSON text (`null` when missing).
    pub value: String,
}

/// A line of stage output.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// `stdout` or `stderr`.
    pub stream: String,
    /// The text.
    pub line: String,
}

/// The stage side panel.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StageDetail {
    /// The graph node (state and reasons).
    pub node: StageNode,
    /// Working directory (repo-relative, `.` for the root).
    pub wdir: String,
    /// Description from dvc.yaml.
    pub desc: Option<String>,
    /// File dependencies.
    pub deps: Vec<PathInfo>,
    /// Outputs.
    pub outs: Vec<PathInfo>,
    /// Params with values.
    pub params: Vec<ParamValue>,
    /// Output of its latest run (from the run records), newest run first.
    pub logs: Vec<LogLine>,
    /// Id of the run the logs come from.
    pub logs_run: Option<String>,
    /// The command as written in the file (before `${…}`), one per line; `None` when the
    /// stage cannot be edited (generated by foreach/matrix, or a `.dvc` file).
    pub written_cmd: Option<String>,
}

/// Arguments of `run_pipeline`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunArgs {
    /// Project root.
    pub project: String,
    /// Stage addresses; empty = the whole pipeline (only stale stages run).
    pub targets: Vec<String>,
    /// Run even if up to date.
    pub force: bool,
    /// Also run everything downstream of `targets` ("Run from here").
    pub downstream: bool,
    /// Only `targets`, not their upstream ("Run this stage").
    pub single_item: bool,
}

/// A started run.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunHandle {
    /// Project root.
    pub project: String,
}

/// One run in the Runs tab.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    /// Record id.
    pub id: String,
    /// Start, milliseconds since the epoch.
    pub started_ms: i64,
    /// End, if over.
    pub ended_ms: Option<i64>,
    /// How it ended.
    pub status: String,
    /// Git commit it ran on.
    pub git_commit: Option<String>,
    /// Whether the work tree had uncommitted changes.
    pub dirty: bool,
    /// Requested targets (empty: whole pipeline).
    pub targets: Vec<String>,
}

/// One stage of a recorded run.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunStageInfo {
    /// Stage address.
    pub stage: String,
    /// succeeded / up_to_date / failed / ...
    pub outcome: String,
    /// Exit code of a failed command.
    pub exit_code: Option<i32>,
    /// Wall time.
    pub duration_ms: Option<i64>,
    /// Why skipped / failed.
    pub message: Option<String>,
    /// Its output.
    pub logs: Vec<LogLine>,
}

/// A run with its stages.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunDetailView {
    /// The run.
    pub run: RunInfo,
    /// Its stages in plan order.
    pub stages: Vec<RunStageInfo>,
}

/// Arguments of `get_run`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunIdArgs {
    /// Project root.
    pub project: String,
    /// Record id.
    pub run_id: String,
}

/// Arguments of `set_trust`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrustArgs {
    /// Project root.
    pub project: String,
    /// Trust (true) or revoke (false).
    pub trusted: bool,
}

/// State of a tracked file or directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DataState {
    /// Workspace matches the pointer and the cache has it.
    InSync,
    /// Workspace content differs from the pointer.
    Modified,
    /// The recorded version is not in the cache.
    NotInCache,
    /// The workspace path is gone.
    Deleted,
    /// Never hashed.
    New,
}

/// A `.dvc`-tracked path in the Data tab.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrackedItem {
    /// Repo-relative workspace path.
    pub path: String,
    /// Repo-relative `.dvc` file.
    pub pointer: String,
    /// A directory.
    pub is_dir: bool,
    /// Recorded size.
    pub size: Option<u64>,
    /// Recorded number of files.
    pub nfiles: Option<u64>,
    /// Recorded hash (short).
    pub md5: Option<String>,
    /// Status.
    pub state: DataState,
}

/// The Data tab.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DataView {
    /// Tracked paths.
    pub items: Vec<TrackedItem>,
    /// Files that "Save version" would commit.
    pub unsaved: Vec<ChangedFile>,
    /// Problems reading pointers.
    pub problems: Vec<ApiError>,
}

/// A path that differs from the last commit.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangedFile {
    /// Repo-relative path.
    pub path: String,
    /// added / modified / deleted.
    pub change: String,
}

/// Arguments naming paths inside a project.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathsArgs {
    /// Project root.
    pub project: String,
    /// Repo-relative paths.
    pub paths: Vec<String>,
    /// For checkout: discard changes that are not in the cache.
    #[serde(default)]
    pub force: bool,
}

/// Arguments of `save_version`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveArgs {
    /// Project root.
    pub project: String,
    /// Commit message.
    pub message: String,
    /// Paths to commit; empty = every changed file listed in `DataView.unsaved`.
    pub paths: Vec<String>,
}

/// A commit.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommitView {
    /// Full id.
    pub id: String,
    /// First line of the message.
    pub summary: String,
    /// Author.
    pub author: String,
    /// Seconds since the epoch.
    pub time: i64,
}

/// Arguments of `data_history`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryArgs {
    /// Project root.
    pub project: String,
    /// Repo-relative `.dvc` file.
    pub pointer: String,
}

/// One recorded version of a dataset.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DataVersion {
    /// The commit that recorded it.
    pub commit: CommitView,
    /// Recorded hash.
    pub md5: Option<String>,
    /// Recorded size.
    pub size: Option<u64>,
    /// Recorded files.
    pub nfiles: Option<u64>,
    /// Whether the workspace currently holds this version.
    pub current: bool,
    /// Whether its content is in the local cache (so it can be checked out).
    pub in_cache: bool,
}

/// Arguments of `checkout_version`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutVersionArgs {
    /// Project root.
    pub project: String,
    /// Repo-relative `.dvc` file.
    pub pointer: String,
    /// Commit whose version to restore.
    pub commit: String,
}

/// Result of `checkout` operations.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutResult {
    /// Paths written.
    pub restored: Vec<String>,
    /// Per-target failures.
    pub problems: Vec<ApiError>,
}

/// Result of `add_folder`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AddFolderResult {
    /// Repositories added.
    pub added: Vec<ProjectSummary>,
    /// How many repositories were already in the list.
    pub already_listed: u32,
}

/// Facts the frontend needs at start.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Cairn version.
    pub version: String,
    /// Where Cairn keeps its own data.
    pub data_dir: String,
    /// The project to open first (`--project`, or the demo on first launch).
    pub initial_project: Option<String>,
}

/// Whether an experiments-table column shows a param or a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ExpColumnKind {
    /// From a params file.
    Param,
    /// From a metrics file.
    Metric,
}

/// One column of the experiments table.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpColumn {
    /// Param or metric.
    pub kind: ExpColumnKind,
    /// The file it is read from (`params.yaml`, `dvclive/metrics.json`).
    pub file: String,
    /// Its key, nested keys joined with `.` (`train.lr`).
    pub key: String,
}

/// What a row of the experiments table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ExpRowKind {
    /// The work tree, uncommitted changes included.
    Workspace,
    /// A commit experiments are based on (`HEAD`).
    Baseline,
    /// An experiment (a ref under `refs/exps`).
    Experiment,
}

/// A value in the table: as Python prints it, and as a number when it is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpCell {
    /// The value as text (`0.01`, `True`, `['a', 'b']`).
    pub text: String,
    /// The value as a number, for sorting and charts.
    pub num: Option<f64>,
}

/// One row of the experiments table.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpRow {
    /// `workspace`, or the commit id.
    pub id: String,
    /// What people call it: `workspace`, the branch, or the experiment's name.
    pub name: String,
    /// Workspace, baseline or experiment.
    pub kind: ExpRowKind,
    /// The baseline commit an experiment is based on.
    pub baseline: Option<String>,
    /// Commit time (`2026-11-27T08:35:10`).
    pub created: Option<String>,
    /// `success`, or a queued experiment's `queued` / `running` / `failed`.
    pub status: String,
    /// Why its data could not be read, if so.
    pub error: Option<String>,
    /// One value per column (same order), `null` where it has none.
    pub values: Vec<Option<ExpCell>>,
}

/// The experiments table: the workspace, `HEAD` and the experiments based on it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentsView {
    /// Params first, then metrics, each in file order.
    pub columns: Vec<ExpColumn>,
    /// Workspace, baseline, then its experiments, newest first.
    pub rows: Vec<ExpRow>,
}

/// Arguments of `metric_series`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SeriesArgs {
    /// Project root.
    pub project: String,
    /// Row ids (`workspace` or commit ids).
    pub revs: Vec<String>,
    /// Metric names to load (empty: all).
    pub names: Vec<String>,
    /// Chart width in pixels: each series is cut to about twice as many points, keeping
    /// every bucket's minimum and maximum.
    pub width: u32,
}

/// One metric's steps in one revision.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SeriesLine {
    /// Metric name (`acc`, `train/loss`).
    pub name: String,
    /// The file it came from.
    pub file: String,
    /// Steps.
    pub xs: Vec<f64>,
    /// Values.
    pub ys: Vec<f64>,
}

/// The series of one revision.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevSeriesView {
    /// Row id (`workspace` or commit id).
    pub rev: String,
    /// Its metric series.
    pub series: Vec<SeriesLine>,
}

/// Arguments of `run_experiment`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpRunArgs {
    /// Project root.
    pub project: String,
    /// Changed params as `[file:]key=value` (`train.lr=0.05`), like `exp run -S`.
    pub set_params: Vec<String>,
    /// The experiment's name (one is generated when absent or empty).
    pub name: Option<String>,
}

/// One change to a pipeline, as the Pipeline tab makes it. Stages are named by address;
/// paths are repo-relative.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PipelineEdit {
    /// A new stage in the root `dvc.yaml` (or `file`).
    AddStage {
        /// Its name.
        name: String,
        /// The command; one per line for several.
        cmd: String,
        /// Dependencies.
        deps: Vec<String>,
        /// Outputs (cached).
        outs: Vec<String>,
        /// Repo-relative pipeline file; `dvc.yaml` when absent.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
    },
    /// Deletes a stage.
    RemoveStage {
        /// Its address.
        stage: String,
    },
    /// Replaces a stage's command (one per line for several).
    SetCmd {
        /// Its address.
        stage: String,
        /// The command.
        cmd: String,
    },
    /// Adds a dependency (wires an output into the stage).
    AddDep {
        /// Its address.
        stage: String,
        /// Repo-relative path.
        path: String,
    },
    /// Removes a dependency.
    RemoveDep {
        /// Its address.
        stage: String,
        /// Repo-relative path.
        path: String,
    },
    /// Adds an output.
    AddOut {
        /// Its address.
        stage: String,
        /// Repo-relative path.
        path: String,
    },
    /// Removes an output.
    RemoveOut {
        /// Its address.
        stage: String,
        /// Repo-relative path.
        path: String,
    },
}

/// Arguments of `edit_pipeline`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EditArgs {
    /// Project root.
    pub project: String,
    /// The change.
    pub edit: PipelineEdit,
}

/// What an edit (or its undo) did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EditResult {
    /// One line for people.
    pub summary: String,
    /// The repo-relative file that changed.
    pub file: String,
    /// What "Undo" would take back now, if anything.
    pub undo: Option<String>,
}
