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

/// Arguments naming a task from a `progress` event.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TaskArgs {
    /// The event's `task`.
    pub task: String,
}

/// What to clone, and where.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CloneArgs {
    /// What `git clone` accepts: an https or ssh URL, or a path.
    pub url: String,
    /// The absolute folder to clone into; the project becomes `folder/name`.
    pub folder: String,
    /// The project's folder name; by default git's (the URL's last part, minus `.git`).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
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
    /// What happened since the project was last opened in Cairn (by a terminal, CI, a
    /// teammate's push that was pulled); `None` when it was never opened or nothing did.
    pub news: Option<ProjectNews>,
}

/// What is new in a project since it was last opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectNews {
    /// Commits on the current branch made since (counted up to 100).
    pub commits: u32,
    /// Experiments (under `refs/exps`) made since.
    pub experiments: u32,
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
    /// Repo-relative output paths (what can be wired into another stage).
    pub outs: Vec<String>,
    /// Whether the app can edit it (not generated by foreach/matrix, not a `.dvc` file).
    pub editable: bool,
    /// The address of the `foreach`/`matrix` definition that generated it, if any; the
    /// graph can collapse a group into one node.
    pub group: Option<String>,
}

/// An edge from a producing stage to a consuming one.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StageEdge {
    /// Producer stage id.
    pub source: String,
    /// Consumer stage id.
    pub target: String,
    /// The consumer's dependencies (repo-relative) that the producer's outputs feed.
    pub paths: Vec<String>,
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
    /// The Python environment stage commands run in: the project's venv
    /// (`.venv (Python 3.11.2)`), the one active where Cairn started, or none.
    pub python_env: Option<String>,
    /// With no environment: the file one can be made from (`requirements.txt`, see
    /// `make_python_env`).
    pub python_env_makeable: Option<String>,
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
    /// A stage's output with no version recorded yet: the stage has not run.
    NotRecorded,
}

/// A path in the Data tab: tracked by a `.dvc` file, or a stage's cached output.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrackedItem {
    /// Repo-relative workspace path.
    pub path: String,
    /// Repo-relative `.dvc` file, or the `dvc.lock` that records a stage's output.
    pub pointer: String,
    /// The stage that writes it (as `dvc` addresses stages); `None` for data tracked by
    /// a `.dvc` file.
    pub stage: Option<String>,
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
    /// The default remote (`core.remote`), if one is configured.
    pub remote: Option<RemoteView>,
}

/// A configured remote.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteView {
    /// Its name.
    pub name: String,
    /// Its URL or folder, as configured.
    pub url: String,
    /// Whether Cairn can push to and pull from it (a folder, S3, GCS, Azure, SSH, HTTP or
    /// WebDAV); else `dvc push`/`dvc pull` do.
    pub usable: bool,
    /// `endpointurl`: an S3-compatible service's address (MinIO, Ceph, R2).
    pub endpoint_url: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `port` (an SSH remote's).
    pub port: Option<String>,
    /// `user` (a WebDAV remote's sign-in).
    pub user: Option<String>,
    /// Whether credentials are configured for it in either config file (`access_key_id`,
    /// `connection_string`, `credentialpath`, `keyfile` or `password`).
    pub has_keys: bool,
}

/// Arguments of `set_remote`: the project's default remote, added or changed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetRemoteArgs {
    /// Project root.
    pub project: String,
    /// The remote's name (a remote of that name is changed).
    pub name: String,
    /// A folder (absolute, or relative to the project) or a URL such as `s3://bucket/path`.
    pub url: String,
    /// `endpointurl` for S3-compatible services; empty removes it.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub endpoint_url: Option<String>,
    /// `region`; empty removes it.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub region: Option<String>,
    /// Access key id, kept in `.dvc/config.local` (git-ignored); absent or empty keeps
    /// what is there.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub access_key_id: Option<String>,
    /// Secret access key, kept in `.dvc/config.local` with the id.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub secret_access_key: Option<String>,
    /// Azure: the storage account's connection string (it holds the key), kept in
    /// `.dvc/config.local`; absent or empty keeps what is there.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub connection_string: Option<String>,
    /// Google Cloud Storage: a service account key file (`credentialpath`), a path on this
    /// machine, kept in `.dvc/config.local`; absent or empty keeps what is there.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub credential_path: Option<String>,
    /// SSH: the server's port (`port`); empty removes it.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub port: Option<String>,
    /// SSH: a private key file (`keyfile`), a path on this machine, kept in
    /// `.dvc/config.local`; absent or empty keeps what is there.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub keyfile: Option<String>,
    /// WebDAV: the user to sign in as (`user`), kept in `.dvc/config.local` (each person
    /// signs in as themselves); absent or empty keeps what is there.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub user: Option<String>,
    /// WebDAV: the password or app token (`password`), kept in `.dvc/config.local`;
    /// absent or empty keeps what is there.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub password: Option<String>,
}

/// Which way `data_sync` moves data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncDirection {
    /// Cache → remote.
    Push,
    /// Remote → cache → work tree.
    Pull,
}

/// Arguments of `data_sync`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncArgs {
    /// Project root.
    pub project: String,
    /// Push or pull.
    pub direction: SyncDirection,
    /// The remote's name; the default remote when absent.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remote: Option<String>,
}

/// What `data_sync` did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncResult {
    /// The remote used.
    pub remote: String,
    /// Objects copied.
    pub transferred: u64,
    /// Bytes copied.
    pub bytes: u64,
    /// Objects already there.
    pub up_to_date: u64,
    /// Paths whose data is on neither side.
    pub missing: Vec<String>,
    /// Work-tree paths restored (pull).
    pub restored: Vec<String>,
    /// What went wrong along the way without stopping it.
    pub problems: Vec<ApiError>,
}

/// What `remote_check` found.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteCheck {
    /// The remote asked.
    pub remote: String,
    /// Recorded outputs (repo-relative; folders end in `/`) the remote does not have.
    pub missing: Vec<String>,
    /// How many recorded outputs were asked about (`push: false` ones are not).
    pub checked: u64,
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

/// Arguments of `data_move`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveArgs {
    /// Project root.
    pub project: String,
    /// Repo-relative path of the tracked data.
    pub from: String,
    /// Its new repo-relative path.
    pub to: String,
}

/// What `data_move` did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveResult {
    /// The data's new repo-relative path (inside a folder named as the destination, it
    /// keeps its name).
    pub to: String,
    /// The `.dvc` file that records it now.
    pub pointer: String,
}

/// Arguments of `data_history`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryArgs {
    /// Project root.
    pub project: String,
    /// Repo-relative `.dvc` file, or `dvc.lock` (with `output`); empty to find the
    /// record of the repo-relative path in `output`.
    pub pointer: String,
    /// As in [`PreviewArgs::output`].
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub output: Option<String>,
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

/// What `data_commit` recorded.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordResult {
    /// One line for people.
    pub summary: String,
    /// Whether a record (`dvc.lock`, a `.dvc` file) changed: only then is there
    /// something to undo.
    pub changed: bool,
    /// What "Undo" would take back now, if anything.
    pub undo: Option<String>,
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
    /// Where "Clone…" suggests putting a new project: beside the most recently opened
    /// project, else the home folder.
    pub clone_folder: String,
}

/// Arguments of `list_experiments`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ListExperimentsArgs {
    /// Project root.
    pub project: String,
    /// Columns to add from every step series (DVCLive's `plots/metrics`, declared plots),
    /// one per series and stat, after the metrics.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub series: Option<Vec<SeriesStat>>,
    /// Commits per branch, newest first along first parents, each with its experiments
    /// (`exp show -n`); 1, `HEAD` alone, by default.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub commits: Option<u32>,
    /// Every branch, not only `HEAD`'s (`exp show --all-branches`).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub all_branches: Option<bool>,
}

/// What a step-series column shows of each row's series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "stat", rename_all = "camelCase")]
pub enum SeriesStat {
    /// Its smallest value (the cell's `step` is the first step that reached it).
    Min,
    /// Its largest value (the cell's `step` is the first step that reached it).
    Max,
    /// Its value at exactly this step.
    At {
        /// The step (x) to read.
        step: f64,
    },
}

/// Whether an experiments-table column shows a param, a metric, or a step series' stat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ExpColumnKind {
    /// From a params file.
    Param,
    /// From a metrics file.
    Metric,
    /// A stat of a step series (see `ExpColumn::stat`).
    Series,
}

/// One column of the experiments table.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpColumn {
    /// Param or metric.
    pub kind: ExpColumnKind,
    /// The file it is read from (`params.yaml`, `dvclive/metrics.json`).
    pub file: String,
    /// Its key, nested keys joined with `.` (`train.lr`); a series' name (`train/loss`).
    pub key: String,
    /// For a series column, what it shows of the series.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stat: Option<SeriesStat>,
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
    /// In a series column, the step the value was logged at.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub step: Option<f64>,
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
    /// The user's note on this commit (git notes, `refs/notes/cairn`).
    pub note: Option<String>,
    /// Where a row not made by DVC or Cairn comes from: `mlflow` for a run in the
    /// project's `mlruns/`, `tensorboard` for a folder of TensorBoard event files,
    /// `wandb` for a W&B run folder (read-only: no apply, branch or note).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
    /// The SSH worker a queued experiment runs (or ran) on, as its host
    /// (`gpu-box`); none for this machine.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub worker: Option<String>,
}

/// Arguments of `queue_log`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueLogArgs {
    /// Project root.
    pub project: String,
    /// The queued experiment's row id (its queue entry id).
    pub id: String,
}

/// What a queued experiment said: its log as far as it is written.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueLog {
    /// Experiment name.
    pub name: String,
    /// `queued`, `running`, `success` or `failed`.
    pub state: String,
    /// The SSH worker it runs on (its URL), none for this machine.
    pub worker: Option<String>,
    /// Run by DVC's own queue worker (`dvc queue start`), not Cairn's.
    pub dvc_queue: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// The log's last lines (at most 2,000).
    pub lines: Vec<String>,
    /// Lines before those that were left out.
    pub skipped: usize,
}

/// Arguments of `set_note`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NoteArgs {
    /// Project root.
    pub project: String,
    /// The commit (a row id): an experiment or a baseline.
    pub commit: String,
    /// The note; blank removes it.
    pub note: String,
}

/// The experiments table: the workspace, then each baseline commit (`HEAD` first) with
/// the experiments based on it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentsView {
    /// Params first, then metrics, each in file order.
    pub columns: Vec<ExpColumn>,
    /// Workspace, then each baseline followed by its experiments, newest first.
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
    /// Run it on this SSH worker (`ssh://[user@]host[:port]/folder`) rather than here.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
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
    /// Freezes a stage (never run, as `dvc freeze`) or unfreezes it.
    SetFrozen {
        /// Its address.
        stage: String,
        /// Frozen or not.
        frozen: bool,
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

/// What to do to one experiment.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum ExpAction {
    /// Write its params, code and outputs into the work tree (`exp apply`).
    Apply,
    /// Create a git branch at it (`exp branch`); default name `<name>-branch`.
    Branch {
        /// The branch name.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none", default)]
        branch: Option<String>,
    },
    /// Give it another name (`exp rename`).
    Rename {
        /// The new name.
        new_name: String,
    },
    /// Delete its ref (`exp remove`); the result says how to restore it.
    Remove,
    /// Put back refs a `remove` returned (undo).
    Restore {
        /// What `remove` returned.
        refs: Vec<ExpRefView>,
    },
}

/// Arguments of `experiment_action`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpActionArgs {
    /// Project root.
    pub project: String,
    /// The experiment's name (or ref, or commit prefix); ignored by `restore`.
    pub experiment: String,
    /// What to do.
    pub action: ExpAction,
}

/// An experiment ref as it was.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpRefView {
    /// Its name.
    pub name: String,
    /// `refs/exps/…`.
    pub refname: String,
    /// The commit it pointed at.
    pub commit: String,
}

/// What `experiment_action` did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpActionResult {
    /// For people.
    pub message: String,
    /// The branch created.
    pub branch: Option<String>,
    /// What was deleted (pass to `restore` to undo).
    pub removed: Vec<ExpRefView>,
    /// Where `apply` kept uncommitted changes (a commit id), if there were any.
    pub saved_changes: Option<String>,
    /// Outputs `apply` could not check out (not in the cache).
    pub missing: Vec<String>,
}

/// Arguments of `preview_data`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewArgs {
    /// Project root.
    pub project: String,
    /// Repo-relative `.dvc` file of the data, or a `dvc.lock` (with `output`); empty to
    /// find the record of the repo-relative path in `output`.
    pub pointer: String,
    /// With a `dvc.lock` pointer: which stage output, as the lock file writes its path;
    /// with an empty pointer: the data's repo-relative path.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub output: Option<String>,
    /// The version recorded at this commit; the work tree's pointer when absent.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub commit: Option<String>,
    /// A file inside a tracked folder (`/`-separated, relative to it).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub inner: Option<String>,
    /// Also compare with the version recorded at this commit.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub compare_to: Option<String>,
}

/// How a preview shows its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PreviewKind {
    /// CSV/TSV or Parquet: columns and the first rows.
    Table,
    /// UTF-8 text (the first 64 KiB).
    Text,
    /// An image, as a data URL.
    Image,
    /// A tracked folder's files.
    Dir,
    /// Anything else: only its size and hash.
    Binary,
}

/// One file of a tracked folder.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewEntry {
    /// Path inside the folder.
    pub relpath: String,
    /// Its MD5 (empty when only the work tree's copy was listed).
    pub md5: String,
}

/// What changed between the previewed version and another.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewChanges {
    /// The other version's commit (short).
    pub against: String,
    /// Rows (tables) or files (folders) only in the previewed version.
    pub added: u64,
    /// Rows or files only in the other version.
    pub removed: u64,
    /// The first added rows.
    pub added_rows: Vec<Vec<Option<String>>>,
    /// The first removed rows.
    pub removed_rows: Vec<Vec<Option<String>>>,
    /// Files only in the previewed folder.
    pub added_files: Vec<String>,
    /// Files only in the other folder.
    pub removed_files: Vec<String>,
    /// Files in both with different content (for a single file: one empty entry if it differs).
    pub modified_files: Vec<String>,
}

/// A preview of tracked data.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DataPreview {
    /// Repo-relative path shown.
    pub path: String,
    /// Its recorded hash.
    pub md5: Option<String>,
    /// Bytes (files).
    pub size: Option<u64>,
    /// Read from the cache (else from the work tree).
    pub from_cache: bool,
    /// How to show it.
    pub kind: PreviewKind,
    /// Table header.
    pub columns: Vec<String>,
    /// Each column's type, where the file records one (Parquet: `int64`, `string`,
    /// `timestamp[us, UTC]`…); empty for CSV.
    pub column_types: Vec<String>,
    /// The first rows; `None` is a missing value (Parquet's null), which CSV has not.
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows in the table, when it was small enough to count.
    pub total_rows: Option<u64>,
    /// Text content.
    pub text: Option<String>,
    /// Only part is shown (rows, text, entries; an image too large to send).
    pub truncated: bool,
    /// `data:` URL of an image.
    pub image: Option<String>,
    /// A folder's files (the first 1,000).
    pub entries: Vec<PreviewEntry>,
    /// Files in the folder.
    pub total_entries: u64,
    /// Compared with `compare_to`, when asked.
    pub changes: Option<PreviewChanges>,
}

/// Where the user put one pipeline node (flow coordinates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NodePosition {
    /// The node id (a stage address, or `group:NAME`).
    pub node: String,
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
}

/// Arguments of `save_layout`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveLayoutArgs {
    /// Project root.
    pub project: String,
    /// Positions to record.
    pub positions: Vec<NodePosition>,
    /// Forget the project's earlier positions first (back to the automatic layout).
    pub reset: bool,
}

/// Arguments of `compare_projects`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CompareProjectsArgs {
    /// Project roots, in the order their rows are listed.
    pub projects: Vec<String>,
    /// Each project's experiments too, not only its `HEAD` (and uncommitted results).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub experiments: Option<bool>,
}

/// A project in a comparison, and why it has no rows if so.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ComparedProject {
    /// Project root.
    pub path: String,
    /// Its folder's name.
    pub name: String,
    /// Why its table could not be read (then it has no rows).
    pub error: Option<String>,
}

/// One row of a comparison: a row of a project's experiments table.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ComparedRow {
    /// The project's root.
    pub project: String,
    /// The row, its values laid out in the comparison's columns.
    pub row: ExpRow,
}

/// Several projects' experiments in one table: columns are matched by kind, file and
/// key, so the same metric of two projects is one column.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectsComparison {
    /// The projects compared, as asked.
    pub projects: Vec<ComparedProject>,
    /// Params first, then metrics, in the order first seen.
    pub columns: Vec<ExpColumn>,
    /// Project by project: its work tree when its results are not committed, `HEAD`,
    /// and (when asked) its experiments.
    pub rows: Vec<ComparedRow>,
}

/// Arguments of `plot_images`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlotImagesArgs {
    /// Project root.
    pub project: String,
    /// Row ids: `workspace`, commits, experiment names.
    pub revs: Vec<String>,
}

/// One image plot of a revision.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlotImage {
    /// Its repo path (`eval/confusion.svg`).
    pub path: String,
    /// The image as a data URL, when it could be read and is not too large.
    pub url: Option<String>,
    /// Why it is not shown (not in the cache, too large…).
    pub error: Option<String>,
}

/// A revision's image plots.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevImagesView {
    /// The row id asked for.
    pub rev: String,
    /// Its image plots, in the pipeline's order.
    pub images: Vec<PlotImage>,
}

/// Arguments of `create_project`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateProjectArgs {
    /// The absolute folder to create it in; the project becomes `folder/name`.
    pub folder: String,
    /// The project's folder name.
    pub name: String,
}

/// One version of a registered model (GTO's git tags).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelVersionView {
    /// `v1.2.0`, or a commit for a stage assigned to an unregistered commit.
    pub version: String,
    /// The commit the version is.
    pub commit: String,
    /// Registered by a `@vX.Y.Z` tag.
    pub registered: bool,
    /// Not deregistered.
    pub active: bool,
    /// When it was registered (local time, ISO 8601, as experiments' times are).
    pub created: String,
    /// Who tagged it.
    pub author: String,
    /// The tag's message.
    pub message: String,
    /// The stages it holds now.
    pub stages: Vec<String>,
}

/// A model (or other artifact): declared in `dvc.yaml`, registered with GTO, or both.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelView {
    /// As GTO names it (`model`, or `dir/sub:model` for a subfolder's `dvc.yaml`).
    pub name: String,
    /// From `dvc.yaml`'s `artifacts:`, when declared there.
    pub path: Option<String>,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub kind: Option<String>,
    pub desc: Option<String>,
    /// The highest active registered version.
    pub latest: Option<String>,
    /// Stage → version, for the registry's stages in order.
    pub stages: Vec<ModelStage>,
    /// Not deprecated (a declared artifact nobody registered is active).
    pub active: bool,
    /// Has registry tags at all.
    pub registered: bool,
    /// Every version, highest first.
    pub versions: Vec<ModelVersionView>,
}

/// Which version a stage holds.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelStage {
    pub stage: String,
    pub version: String,
}

/// The project's model registry.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelsView {
    /// Registered or declared models, by name; deprecated ones last.
    pub models: Vec<ModelView>,
    /// The stages in use, sorted (the table's columns).
    pub stages: Vec<String>,
    /// The stages `.gto` allows (`stages:`), if it restricts them: only these can be
    /// assigned.
    pub allowed_stages: Option<Vec<String>>,
}

/// Registers a commit as a model version (`gto register`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegisterModelArgs {
    pub project: String,
    /// The model (`model`, or `dir/sub:model`).
    pub name: String,
    /// `v1.2.0`; the latest version's next patch when absent.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version: Option<String>,
    /// The commit (any revision); `HEAD` when absent.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rev: Option<String>,
}

/// Puts a registered version in a stage (`gto assign`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignStageArgs {
    pub project: String,
    pub name: String,
    pub version: String,
    pub stage: String,
}
