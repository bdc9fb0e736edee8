//! Running pipelines (through `cairn-run`), live stage states for the graph, and the run
//! history from the run records.
//!
//! A run goes on its own thread; its [`cairn_run::RunEvent`]s are turned into
//! [`ApiEvent`]s (output lines batched every 100 ms so a chatty stage cannot flood the UI)
//! and also folded into an [`ActiveRun`], so a frontend that opens mid-run still sees
//! which stage is running.

use crate::workspace::types::ExpRunOptions;
use crate::workspace::{ExpRun, Workspace};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cairn_run::{CancelToken, RunEvent, RunOptions, RunStatus, StageOutcome};

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::{Api, ApiEvent, project_root};

/// What a run does.
enum Job {
    /// Reproduce the pipeline.
    Pipeline(RunOptions),
    /// Reproduce with changed params and record an experiment.
    Experiment(ExpRun),
    /// Run the queue (a sweep just queued): `total` experiments, `jobs` at a time, each
    /// in its own worktree.
    Sweep {
        total: usize,
        jobs: usize,
        worker: Option<cairn_exp::worker::Worker>,
    },
}

/// A run in progress.
pub(crate) struct ActiveRun {
    pub(crate) run_id: Option<String>,
    pub(crate) cancel: CancelToken,
    /// Stage → state during this run.
    pub(crate) states: Arc<Mutex<HashMap<String, StageState>>>,
    /// Set by the engine's last event.
    pub(crate) finished: Option<(String, RunState)>,
}

impl From<cairn_run::RunError> for ApiError {
    fn from(e: cairn_run::RunError) -> Self {
        use cairn_run::RunError as R;
        match e {
            R::Pipeline(p) => p.into(),
            R::Data(d) => d.into(),
            R::UnknownTarget(_) => ApiError::new(ErrorCode::NotFound, e.to_string()),
            _ => ApiError::new(ErrorCode::Run, e.to_string()),
        }
    }
}

fn run_state(s: RunStatus) -> RunState {
    match s {
        RunStatus::Running => RunState::Running,
        RunStatus::Succeeded => RunState::Succeeded,
        RunStatus::Failed => RunState::Failed,
        RunStatus::Cancelled => RunState::Cancelled,
    }
}

fn outcome_word(o: StageOutcome) -> &'static str {
    match o {
        StageOutcome::Succeeded => "succeeded",
        StageOutcome::UpToDate => "up_to_date",
        StageOutcome::Restored => "restored",
        StageOutcome::Frozen => "frozen",
        StageOutcome::Failed => "failed",
        StageOutcome::Blocked => "blocked",
        StageOutcome::Cancelled => "cancelled",
        StageOutcome::WouldRun => "would_run",
    }
}

/// Stage states and reasons from `dvc status`-style checks: `None` when the pipeline
/// cannot be evaluated (the caller reports why).
pub(crate) fn stage_status(
    root: &Path,
) -> Result<HashMap<String, (StageState, Vec<String>)>, ApiError> {
    let statuses = cairn_run::status(root, &cairn_core::NoProgress)?;
    // A stage without a dvc.lock entry has simply never run; say so rather than listing
    // every dependency as "modified".
    let project = cairn_pipeline::load_project(root)?;
    let locks = Some(cairn_run::status::Locks::of(&project));
    let never_ran: std::collections::HashSet<String> = project
        .stages()
        .filter(|st| locks.as_ref().is_none_or(|l| l.entry(st).is_none()))
        .map(|st| st.addressing.clone())
        .collect();
    Ok(statuses
        .into_iter()
        .map(|s| {
            let state = if s.frozen {
                StageState::Frozen
            } else if s.items.is_empty() {
                StageState::UpToDate
            } else {
                StageState::Stale
            };
            let reasons = if s.items.is_empty() {
                Vec::new()
            } else if never_ran.contains(&s.stage) {
                vec!["never run".to_string()]
            } else {
                s.summary().split(", ").map(str::to_string).collect()
            };
            (s.stage, (state, reasons))
        })
        .collect())
}

fn records() -> ApiResult<cairn_run::records::Records> {
    Ok(cairn_run::records::Records::open_default()?)
}

/// How the last recorded run of `root` ended.
pub(crate) fn last_run(root: &Path) -> Option<RunState> {
    let r = records().ok()?;
    let run = r.list(Some(root)).ok()?.into_iter().next()?;
    Some(match run.status.as_str() {
        "running" => RunState::Running,
        "succeeded" => RunState::Succeeded,
        "cancelled" => RunState::Cancelled,
        _ => RunState::Failed,
    })
}

/// Stages that failed in the project's latest finished run, with why.
pub(crate) fn last_failures(root: &Path) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Ok(r) = records() else { return out };
    let Some(run) = r
        .list(Some(root))
        .ok()
        .and_then(|l| l.into_iter().find(|x| x.status != "running"))
    else {
        return out;
    };
    if let Ok(Some(d)) = r.get(&run.id) {
        for s in d.stages {
            if s.outcome == "failed" {
                let why = s.message.unwrap_or_else(|| "failed in the last run".into());
                out.insert(s.stage, why);
            }
        }
    }
    out
}

/// The latest recorded log of `stage`, and the run it is from.
pub(crate) fn latest_logs(root: &Path, stage: &str) -> (Vec<LogLine>, Option<String>) {
    let Ok(r) = records() else {
        return (Vec::new(), None);
    };
    let Ok(runs) = r.list(Some(root)) else {
        return (Vec::new(), None);
    };
    for run in runs.iter().take(50) {
        let Ok(Some(d)) = r.get(&run.id) else {
            continue;
        };
        if let Some(s) = d.stages.iter().find(|s| s.stage == stage)
            && let Some(p) = &s.log_path
        {
            return (read_log(Path::new(p)), Some(run.id.clone()));
        }
    }
    (Vec::new(), None)
}

fn read_log(path: &Path) -> Vec<LogLine> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| LogLine {
            stream: if l.starts_with("$ ") { "cmd" } else { "stdout" }.to_string(),
            line: l.to_string(),
        })
        .collect()
}

fn run_info(r: &cairn_run::records::RunRecord) -> RunInfo {
    RunInfo {
        id: r.id.clone(),
        started_ms: r.started_ms,
        ended_ms: r.ended_ms,
        status: r.status.clone(),
        git_commit: r.git_commit.clone(),
        dirty: r.dirty,
        targets: r.targets.clone(),
    }
}

/// Batches output lines per stage and flushes them at most every 100 ms.
struct OutputBatcher {
    pending: Vec<(String, LogLine)>,
    last_flush: Instant,
}

impl Api {
    /// The live state of stages in the project's run, if one is going.
    pub(crate) fn active_states(
        &self,
        project: &str,
    ) -> Option<(Option<String>, HashMap<String, StageState>)> {
        let runs = self.inner.runs.lock().ok()?;
        let a = runs.get(project)?;
        let states = a.states.lock().ok()?.clone();
        Some((a.run_id.clone(), states))
    }

    /// Whether the app's own run is going in the project at `root`.
    pub(crate) fn is_running(&self, root: &std::path::Path) -> bool {
        self.inner
            .runs
            .lock()
            .map(|r| r.contains_key(root.to_string_lossy().as_ref()))
            .unwrap_or(false)
    }

    /// `run_pipeline`: checks trust, then runs on a thread; returns at once.
    pub fn run_pipeline(&self, args: RunArgs) -> ApiResult<RunHandle> {
        let root = self.trusted_root(&args.project)?;
        // Validate up front so a broken pipeline is an error of this call, with its line.
        let project = cairn_pipeline::load_project(&root)?;
        cairn_pipeline::build_dag(&project)?;
        let opts = RunOptions {
            targets: args.targets.clone(),
            force: args.force,
            downstream: args.downstream,
            single_item: args.single_item,
            // The app's "Run all" means every pipeline the project shows.
            all_pipelines: true,
            ..RunOptions::default()
        };
        self.start_run(root, Job::Pipeline(opts))?;
        Ok(RunHandle {
            project: args.project,
        })
    }

    /// `run_experiment`: reproduces the pipeline with some params changed and records the
    /// result as an experiment (as `cairn exp run -S … [--name …]`), reporting progress
    /// through the same events as `run_pipeline`.
    pub fn run_experiment(&self, args: ExpRunArgs) -> ApiResult<RunHandle> {
        let root = self.trusted_root(&args.project)?;
        let project = cairn_pipeline::load_project(&root)?;
        cairn_pipeline::build_dag(&project)?;
        let name = args
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if let Some(n) = name {
            cairn_exp::refs::validate_name(n)?;
        }
        // Bad overrides are this call's error, before anything changes.
        let grouped = cairn_exp::overrides::to_path_overrides(&args.set_params);
        for o in grouped.values().flatten() {
            cairn_exp::overrides::parse_override(o)?;
        }
        let worker = args
            .worker
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(Workspace::worker)
            .transpose()?;
        if worker.is_some() || cairn_exp::overrides::has_sweep(&grouped)? {
            // One experiment per combination, queued, then run by workers in their own
            // worktrees (as `cairn exp run --queue` + `cairn queue start [--on]` would).
            // A worker machine runs one at a time: its cores (or its GPU) are the
            // stages' to use.
            if self.is_running(&root) {
                return Err(ApiError::new(
                    ErrorCode::AlreadyRunning,
                    "a run is already in progress in this project; cancel it or wait for it to finish",
                ));
            }
            let queued = Workspace::at(&root)?.queue_experiments(&ExpRun {
                options: ExpRunOptions {
                    set_params: args.set_params.clone(),
                    name: name.map(str::to_string),
                    ..Default::default()
                },
                ..Default::default()
            })?;
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let job = Job::Sweep {
                total: queued.len(),
                jobs: if worker.is_some() {
                    1
                } else {
                    cores.min(queued.len()).max(1)
                },
                worker,
            };
            self.start_run(root, job)?;
            return Ok(RunHandle {
                project: args.project,
            });
        }
        let run = ExpRun {
            options: ExpRunOptions {
                set_params: args.set_params.clone(),
                name: name.map(str::to_string),
                jobs: 1,
                ..Default::default()
            },
            ..Default::default()
        };
        self.start_run(root, Job::Experiment(run))?;
        Ok(RunHandle {
            project: args.project,
        })
    }

    /// The project's root, if the user trusted it to run its commands.
    pub(crate) fn trusted_root(&self, project: &str) -> ApiResult<std::path::PathBuf> {
        let root = project_root(project)?;
        if !self.index().is_trusted(&root.to_string_lossy())? {
            return Err(ApiError::new(
                ErrorCode::NotTrusted,
                "this project is not trusted yet: running its pipeline executes the commands in its dvc.yaml",
            ));
        }
        Ok(root)
    }

    /// Registers the project's run and starts `job` on its own thread.
    fn start_run(&self, root: std::path::PathBuf, job: Job) -> ApiResult<()> {
        let key = root.to_string_lossy().into_owned();
        let cancel = CancelToken::new();
        let states = Arc::new(Mutex::new(HashMap::new()));
        {
            let mut runs = self.inner.runs.lock().expect("runs mutex");
            if runs.contains_key(&key) {
                return Err(ApiError::new(
                    ErrorCode::AlreadyRunning,
                    "a run is already in progress in this project; cancel it or wait for it to finish",
                ));
            }
            runs.insert(
                key.clone(),
                ActiveRun {
                    run_id: None,
                    cancel: cancel.clone(),
                    states: states.clone(),
                    finished: None,
                },
            );
        }
        let api = self.clone();
        std::thread::Builder::new()
            .name("cairn-run".into())
            .spawn(move || api.run_thread(root, key, job, cancel, states))
            .map_err(|e| ApiError::new(ErrorCode::Run, format!("cannot start a run: {e}")))?;
        Ok(())
    }

    fn run_thread(
        &self,
        root: std::path::PathBuf,
        key: String,
        job: Job,
        cancel: CancelToken,
        states: Arc<Mutex<HashMap<String, StageState>>>,
    ) {
        let batcher = Arc::new(Mutex::new(OutputBatcher {
            pending: Vec::new(),
            last_flush: Instant::now(),
        }));
        let api = self.clone();
        let project = key.clone();
        let b = batcher.clone();
        let sink: cairn_run::engine::Sink = Arc::new(move |e: RunEvent| {
            api.on_run_event(&project, &states, &b, e);
        });
        // The error, and whether it means the run was cancelled.
        let result: Result<(), (String, bool)> = match job {
            Job::Pipeline(opts) => Workspace::at(&root)
                .and_then(|ws| ws.repro(&opts, sink, &cancel))
                .map(|_| ())
                .map_err(|e| (e.to_string(), e.is_cancelled())),
            Job::Experiment(run) => Workspace::at(&root)
                .and_then(|ws| ws.run_experiment(&run, sink, &cancel))
                .map(|_| ())
                .map_err(|e| (e.to_string(), e.is_cancelled())),
            Job::Sweep {
                total,
                jobs,
                worker,
            } => self.run_sweep(&root, &key, total, jobs, worker.as_ref(), &cancel),
        };
        self.flush_output(&key, &batcher, true);
        let active = self.inner.runs.lock().expect("runs mutex").remove(&key);
        let run_id = active.as_ref().and_then(|a| a.run_id.clone());
        let error = result.as_ref().err().map(|(m, _)| m.clone());
        if let Some((run_id, status)) = active.and_then(|a| a.finished) {
            // An experiment can fail after its stages succeeded (recording it).
            let status = match (&status, &error) {
                (RunState::Succeeded, Some(_)) => RunState::Failed,
                _ => status,
            };
            self.emit(ApiEvent::RunFinished {
                project: key,
                run_id,
                status,
                error,
            });
        } else if result.is_ok() {
            // A sweep has no single run plan; its experiments reported as they finished.
            self.emit(ApiEvent::RunFinished {
                project: key,
                run_id: run_id.unwrap_or_default(),
                status: RunState::Succeeded,
                error: None,
            });
        } else if let Err((message, cancelled)) = result {
            // Events already reported what ran; this is for failures before the plan.
            self.emit(ApiEvent::RunFinished {
                project: key,
                run_id: run_id.unwrap_or_default(),
                status: if cancelled {
                    RunState::Cancelled
                } else {
                    RunState::Failed
                },
                error: Some(message),
            });
        }
    }

    /// Runs the queue until it is empty, reporting each finished experiment as progress
    /// (and as a change, so the experiments table reloads).
    fn run_sweep(
        &self,
        root: &Path,
        key: &str,
        total: usize,
        jobs: usize,
        worker: Option<&cairn_exp::worker::Worker>,
        cancel: &CancelToken,
    ) -> Result<(), (String, bool)> {
        let task =
            crate::tasks::Task::start(self, key, &format!("Running {total} experiments"), false);
        task.report("experiments done", 0, Some(total as u64));
        let done = std::sync::atomic::AtomicU64::new(0);
        let ws = Workspace::at(root).map_err(|e| (e.to_string(), false))?;
        let finished = ws
            .start_queue(jobs, worker, cancel, &|_| {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                task.report("experiments done", n, Some(total as u64));
                self.emit(ApiEvent::FilesChanged {
                    project: key.to_string(),
                    paths: vec![cairn_data::paths::rel_slash(
                        &cairn_exp::queue::queue_dir(root),
                        root,
                    )],
                });
            })
            .map_err(|e| (e.to_string(), false))?;
        if cancel.is_cancelled() {
            return Err(("cancelled; queued experiments stay queued".into(), true));
        }
        let failed: Vec<&str> = finished
            .iter()
            .filter(|e| e.state == cairn_exp::queue::State::Failed)
            .map(|e| e.name.as_str())
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err((
                format!(
                    "{} of {total} experiments failed ({}); click \"failed\" in its row for its log",
                    failed.len(),
                    failed.join(", ")
                ),
                false,
            ))
        }
    }

    fn flush_output(&self, project: &str, batcher: &Mutex<OutputBatcher>, force: bool) {
        let mut b = batcher.lock().expect("batcher mutex");
        if b.pending.is_empty() || (!force && b.last_flush.elapsed() < Duration::from_millis(100)) {
            return;
        }
        b.last_flush = Instant::now();
        let pending = std::mem::take(&mut b.pending);
        drop(b);
        let mut by_stage: Vec<(String, Vec<LogLine>)> = Vec::new();
        for (stage, line) in pending {
            match by_stage.last_mut() {
                Some((s, lines)) if *s == stage => lines.push(line),
                _ => by_stage.push((stage, vec![line])),
            }
        }
        for (stage, lines) in by_stage {
            self.emit(ApiEvent::StageOutput {
                project: project.to_string(),
                stage,
                lines,
            });
        }
    }

    fn on_run_event(
        &self,
        project: &str,
        states: &Mutex<HashMap<String, StageState>>,
        batcher: &Mutex<OutputBatcher>,
        e: RunEvent,
    ) {
        let set = |stage: &str, s: StageState| {
            states.lock().expect("states").insert(stage.to_string(), s);
        };
        if !matches!(e, RunEvent::Output { .. }) {
            self.flush_output(project, batcher, true);
        }
        match e {
            RunEvent::RunStarted { run_id, stages } => {
                if let Some(a) = self.inner.runs.lock().expect("runs").get_mut(project) {
                    a.run_id = Some(run_id.clone());
                }
                for s in &stages {
                    set(s, StageState::Queued);
                }
                self.emit(ApiEvent::RunStarted {
                    project: project.into(),
                    run_id,
                    stages,
                });
            }
            RunEvent::StageQueued { stage } => {
                set(&stage, StageState::Queued);
                self.stage_update(project, stage, "queued", None, None, None);
            }
            RunEvent::StageStarted { stage, cmd } => {
                set(&stage, StageState::Running);
                {
                    let mut b = batcher.lock().expect("batcher");
                    for c in cmd {
                        b.pending.push((
                            stage.clone(),
                            LogLine {
                                stream: "cmd".into(),
                                line: format!("$ {c}"),
                            },
                        ));
                    }
                }
                self.stage_update(project, stage, "running", None, None, None);
            }
            RunEvent::Output {
                stage,
                stream,
                line,
            } => {
                batcher.lock().expect("batcher").pending.push((
                    stage,
                    LogLine {
                        stream: match stream {
                            cairn_run::Stream::Stdout => "stdout",
                            cairn_run::Stream::Stderr => "stderr",
                        }
                        .into(),
                        line,
                    },
                ));
                self.flush_output(project, batcher, false);
            }
            RunEvent::StageFinished {
                stage,
                outcome,
                exit_code,
                duration_ms,
                message,
            } => {
                let state = match outcome {
                    StageOutcome::Failed => StageState::Failed,
                    StageOutcome::Blocked | StageOutcome::Cancelled | StageOutcome::WouldRun => {
                        StageState::Stale
                    }
                    StageOutcome::Frozen => StageState::Frozen,
                    _ => StageState::UpToDate,
                };
                set(&stage, state);
                self.stage_update(
                    project,
                    stage,
                    outcome_word(outcome),
                    Some(duration_ms),
                    exit_code,
                    message,
                );
            }
            RunEvent::RunFinished { run_id, status } => {
                // Emitted by the run thread once the run is no longer active, so a
                // frontend refreshing on this event sees final states.
                if let Some(a) = self.inner.runs.lock().expect("runs").get_mut(project) {
                    a.finished = Some((run_id, run_state(status)));
                }
            }
        }
    }

    fn stage_update(
        &self,
        project: &str,
        stage: String,
        phase: &str,
        duration_ms: Option<u64>,
        exit_code: Option<i32>,
        message: Option<String>,
    ) {
        self.emit(ApiEvent::StageUpdate {
            project: project.into(),
            stage,
            phase: phase.into(),
            duration_ms,
            exit_code,
            message,
        });
    }

    /// `cancel_run`: stops the project's run (running commands are killed).
    pub fn cancel_run(&self, args: ProjectArgs) -> ApiResult<()> {
        let root = project_root(&args.project)?;
        let runs = self.inner.runs.lock().expect("runs mutex");
        match runs.get(&*root.to_string_lossy()) {
            Some(a) => {
                a.cancel.cancel();
                Ok(())
            }
            None => Err(ApiError::not_found("no run is in progress in this project")),
        }
    }

    /// `list_runs`: the run records of a project, newest first.
    pub fn list_runs(&self, args: ProjectArgs) -> ApiResult<Vec<RunInfo>> {
        let root = project_root(&args.project)?;
        Ok(records()?.list(Some(&root))?.iter().map(run_info).collect())
    }

    /// `get_run`: one run with its stages and their logs.
    pub fn get_run(&self, args: RunIdArgs) -> ApiResult<RunDetailView> {
        let d = records()?
            .get(&args.run_id)?
            .ok_or_else(|| ApiError::not_found(format!("no run `{}`", args.run_id)))?;
        Ok(RunDetailView {
            run: run_info(&d.run),
            stages: d
                .stages
                .iter()
                .map(|s| RunStageInfo {
                    stage: s.stage.clone(),
                    outcome: s.outcome.clone(),
                    exit_code: s.exit_code,
                    duration_ms: s.duration_ms,
                    message: s.message.clone(),
                    logs: s
                        .log_path
                        .as_deref()
                        .map(|p| read_log(Path::new(p)))
                        .unwrap_or_default(),
                })
                .collect(),
        })
    }
}
