//! The command list: written once, it generates [`dispatch`] (JSON in, JSON out, used by
//! every adapter) and the TypeScript `Commands` map in `bindings.ts`.

use serde_json::Value;
use ts_rs::TS;

use crate::Api;
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};

macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $name:ident ( $args:ty ) -> $ret:ty ; )*) => {
        /// Names of every command, in declaration order.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// Runs command `name` with JSON `args` and returns its JSON result.
        pub fn dispatch(api: &Api, name: &str, args: Value) -> ApiResult<Value> {
            match name {
                $(stringify!($name) => {
                    let args: $args = parse_args(name, args)?;
                    let out: $ret = api.$name(args)?;
                    serde_json::to_value(out)
                        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("{name}: {e}")))
                })*
                _ => Err(ApiError::new(
                    ErrorCode::UnknownCommand,
                    format!("unknown command `{name}`"),
                )),
            }
        }

        /// The TypeScript `Commands` interface: command name → argument and result types.
        pub fn ts_command_map(cfg: &ts_rs::Config) -> String {
            let mut s = String::from(
                "/** Every command: `call(name, args)` resolves to `result` or rejects with an ApiError. */\nexport interface Commands {\n",
            );
            $(
                let doc = [$($doc),*].join(" ");
                let doc = doc.trim();
                if !doc.is_empty() {
                    s.push_str(&format!("  /** {doc} */\n"));
                }
                s.push_str(&format!(
                    "  {}: {{ args: {}; result: {} }};\n",
                    stringify!($name),
                    <$args as TS>::name(cfg),
                    <$ret as TS>::name(cfg),
                ));
            )*
            s.push_str("}\n");
            s
        }
    };
}

fn parse_args<T: serde::de::DeserializeOwned>(name: &str, args: Value) -> ApiResult<T> {
    let args = if args.is_null() {
        Value::Object(Default::default())
    } else {
        args
    };
    serde_json::from_value(args).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidArguments,
            format!("{name}: bad arguments: {e}"),
        )
    })
}

commands! {
    /// Version, data dir and the project to open first.
    app_info(NoArgs) -> AppInfo;
    /// Projects on the Home screen, most recently opened first.
    list_projects(NoArgs) -> Vec<ProjectSummary>;
    /// Adds the git repository at `path` to the list.
    add_project(PathArgs) -> ProjectSummary;
    /// Adds every git repository found under `path`.
    add_folder(PathArgs) -> AddFolderResult;
    /// Clones a git repository into a folder and lists it (untrusted); progress arrives as
    /// `progress` events, and `cancel_task` stops it leaving nothing behind.
    clone_project(CloneArgs) -> ProjectSummary;
    /// Stops a cancellable task (see the `progress` event).
    cancel_task(TaskArgs) -> ();
    /// Removes a project from the list (files are untouched).
    remove_project(ProjectArgs) -> ();
    /// Copies the demo project into the data dir (if absent), commits it, trusts and lists it.
    install_demo(NoArgs) -> ProjectSummary;
    /// One project's summary; marks it opened and starts watching its files.
    open_project(ProjectArgs) -> ProjectSummary;
    /// Trusts (or stops trusting) a project to run its pipeline commands.
    set_trust(TrustArgs) -> ();
    /// The pipeline graph with stage states.
    get_pipeline(ProjectArgs) -> PipelineView;
    /// Makes `.venv` from `requirements.txt` (a cancellable task; pip's output is its
    /// phase); returns the environment as the header names it.
    make_python_env(ProjectArgs) -> String;
    /// Where the user dragged the pipeline's nodes (they override the automatic layout).
    get_layout(ProjectArgs) -> Vec<NodePosition>;
    /// Records dragged node positions, or forgets them all (`reset`).
    save_layout(SaveLayoutArgs) -> ();
    /// Everything about one stage for the side panel.
    get_stage(StageArgs) -> StageDetail;
    /// Starts a run; progress arrives as events.
    run_pipeline(RunArgs) -> RunHandle;
    /// Cancels the project's run.
    cancel_run(ProjectArgs) -> ();
    /// Recorded runs, newest first.
    list_runs(ProjectArgs) -> Vec<RunInfo>;
    /// A recorded run with per-stage outcomes and logs.
    get_run(RunIdArgs) -> RunDetailView;
    /// Tracked data with status, and the files "Save version" would commit.
    data_status(ProjectArgs) -> DataView;
    /// Starts tracking files or folders.
    data_add(PathsArgs) -> DataView;
    /// Restores tracked data from the cache (all when `paths` is empty).
    data_checkout(PathsArgs) -> CheckoutResult;
    /// Records tracked paths (stage outputs, `.dvc` data) as they are now, as
    /// `dvc commit -f` does; undone by `undo_edit`.
    data_commit(PathsArgs) -> RecordResult;
    /// Moves tracked data with its `.dvc` file and `.gitignore` entry, as `dvc move`.
    data_move(MoveArgs) -> MoveResult;
    /// Pushes the work tree's data to the default folder remote, or pulls it from there;
    /// progress arrives as `progress` events.
    data_sync(SyncArgs) -> SyncResult;
    /// Which recorded outputs (`.dvc` files' and the pipeline's) the default remote
    /// lacks, as `dvc data status --not-in-remote` tells it.
    remote_check(ProjectArgs) -> RemoteCheck;
    /// Adds or changes the default remote (`.dvc/config`, keys in `.dvc/config.local`),
    /// writing the lines `dvc remote add -d` and `dvc remote modify` write.
    set_remote(SetRemoteArgs) -> RemoteView;
    /// Commits pointer files, dvc.lock, params and code with a message.
    save_version(SaveArgs) -> CommitView;
    /// A look at tracked data (table rows, text, image, a folder's files) at any
    /// version, read from the cache without checking it out; optionally compared with
    /// another version.
    preview_data(PreviewArgs) -> DataPreview;
    /// The versions of one dataset, newest first.
    data_history(HistoryArgs) -> Vec<DataVersion>;
    /// Restores the version of a dataset recorded in `commit`.
    checkout_version(CheckoutVersionArgs) -> CheckoutResult;
    /// The experiments table: workspace, `HEAD` (or more history) and the experiments
    /// on each, params and metrics.
    list_experiments(ListExperimentsArgs) -> ExperimentsView;
    /// A queued (or running, or finished) experiment's log, for following a run in the
    /// queue or on an SSH worker.
    queue_log(QueueLogArgs) -> QueueLog;
    /// The model registry GTO keeps in git tags (latest version, each stage's version,
    /// every version with its commit), with what `dvc.yaml` declares about each model.
    list_models(ProjectArgs) -> ModelsView;
    /// Registers a commit (HEAD by default) as a model version, writing the tag
    /// `gto register` writes; the version defaults to the latest one's next patch.
    register_model(RegisterModelArgs) -> ModelsView;
    /// Puts a registered model version in a stage, writing the tag `gto assign` writes.
    assign_stage(AssignStageArgs) -> ModelsView;
    /// A new project: a folder with git, DVC's files and a README, committed and trusted.
    create_project(CreateProjectArgs) -> ProjectSummary;
    /// Several projects' `HEAD` (and experiments) side by side, in one set of columns.
    compare_projects(CompareProjectsArgs) -> ProjectsComparison;
    /// Writes the note on an experiment's or baseline's commit (git notes under
    /// `refs/notes/cairn`; blank removes it).
    set_note(NoteArgs) -> ();
    /// The image plots (a confusion matrix, DVCLive's logged images) of some rows.
    plot_images(PlotImagesArgs) -> Vec<RevImagesView>;
    /// Metric step series of some rows, decimated for a chart `width` pixels wide.
    metric_series(SeriesArgs) -> Vec<RevSeriesView>;
    /// Starts an experiment: the pipeline with some params changed, recorded under
    /// `refs/exps`; progress arrives as run events.
    run_experiment(ExpRunArgs) -> RunHandle;
    /// Applies, branches, renames or deletes one experiment (or restores deleted ones),
    /// as `cairn exp apply|branch|rename|remove` do.
    experiment_action(ExpActionArgs) -> ExpActionResult;
    /// Changes the pipeline (add or remove a stage, its command, its deps and outs) and
    /// writes it back to its `dvc.yaml`; refused, with why, if the result would be invalid.
    edit_pipeline(EditArgs) -> EditResult;
    /// Takes back the latest pipeline edit, unless the file changed since.
    undo_edit(ProjectArgs) -> EditResult;
}
