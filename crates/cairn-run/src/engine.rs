//! The repro engine: plan like `dvc repro`, run independent stages in parallel.
//!
//! For each planned stage, once everything it depends on is done, the engine decides as
//! DVC does (`Stage.reproduce`): skip if unchanged; otherwise remove non-persistent
//! outputs, restore from the run cache when the same inputs were seen before, or run the
//! command; then hash and commit outputs, write the stage's `dvc.lock` entry and fill the
//! run cache. The repository lock is held while touching the repository and released
//! while commands run (as DVC does), so commands may themselves call `dvc`/`cairn`.

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cairn_core::NoProgress;
use cairn_data::hash::HashKind;
use cairn_data::pointer::HashInfo;
use cairn_data::workspace::{Hasher, Pass};
use cairn_pipeline::{
    Dag, LockStage, Project, Stage, build_dag, check_paths_inside_repo, load_project,
};
use cairn_yaml::{Node, Value};

use crate::cancel::CancelToken;
use crate::error::RunError;
use crate::event::{RunEvent, RunStatus, StageOutcome, Stream};
use crate::lockwrite::{LockWriter, Recorded, entry_node};
use crate::records::{Records, now_ms};
use crate::status::{Checker, Locks, cmd_changed, is_callback};
use crate::{params, runcache};

/// What to reproduce and how.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Stage addresses (or foreach/matrix group names); empty means every stage.
    pub targets: Vec<String>,
    /// Run even if unchanged.
    pub force: bool,
    /// Also run what depends on the targets (instead of what they depend on).
    pub downstream: bool,
    /// Only the targets, not their dependencies.
    pub single_item: bool,
    /// Decide and report, run nothing.
    pub dry: bool,
    /// Stages to run at once (at least 1).
    pub jobs: usize,
    /// After a failure, keep running stages that don't depend on it.
    pub keep_going: bool,
    /// Keep a run record (with logs) in the per-user database.
    pub record: bool,
    /// With no targets: every pipeline in the repository (`dvc repro -P`) instead of the
    /// root `dvc.yaml` and what it depends on (`dvc repro`).
    pub all_pipelines: bool,
    /// Extra environment for the stage commands (e.g. `DVC_EXP_NAME` and
    /// `DVC_EXP_BASELINE_REV` during an experiment, which DVCLive reads).
    pub env: Vec<(String, String)>,
    /// `dvc commit`: run no command; record each planned stage's deps and outputs as
    /// they are now (a `.dvc` file's data too), storing the outputs in the cache. A
    /// stage that changed since its record is refused unless `force`. With no targets,
    /// every stage of every pipeline and every `.dvc` file.
    pub commit_only: bool,
    /// `dvc repro --no-commit`: record the runs in `dvc.lock` but leave their outputs
    /// out of the cache (and the run cache), for a later `commit`.
    pub no_commit: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            targets: Vec::new(),
            force: false,
            downstream: false,
            single_item: false,
            dry: false,
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            keep_going: false,
            record: true,
            env: Vec::new(),
            all_pipelines: false,
            commit_only: false,
            no_commit: false,
        }
    }
}

/// How a run went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    /// The run record, if one was kept.
    pub run_id: Option<String>,
    /// Overall result.
    pub status: RunStatus,
    /// Each planned stage and its outcome, in plan order.
    pub stages: Vec<(String, StageOutcome)>,
    /// The first failure, for people.
    pub error: Option<String>,
}

/// Where events go.
pub type Sink = Arc<dyn Fn(RunEvent) + Send + Sync>;

struct Ctx<'a> {
    root: &'a Path,
    repo: &'a cairn_data::Repo,
    project: &'a Project,
    stages: Vec<&'a Stage>,
    locks: Locks,
    state: cairn_data::state::State,
    opts: &'a RunOptions,
    sink: Sink,
    cancel: &'a CancelToken,
    writer: LockWriter,
    /// git2 handles are not `Sync`; stages take turns for `.gitignore` checks.
    git: Mutex<Option<cairn_git::Git>>,
    /// Activation of the project's virtual environment (see [`crate::pyenv`]).
    venv: Vec<(String, String)>,
    /// Cached outputs to git-ignore, with their stage's plan position: written in plan
    /// order at the end, so `.gitignore` reads as a sequential `dvc repro` leaves it
    /// however the stages interleaved.
    ignores: Mutex<Vec<(usize, PathBuf)>>,
}

enum Msg {
    /// A stage is about to change the workspace: the run record must exist now.
    Starting,
    Done(Done),
}

/// Keeps the run record, created lazily: a repro that finds everything up to date
/// leaves no record (and pays for no database or environment probe).
struct Recorder {
    id: Option<String>,
    root: PathBuf,
    targets: Vec<String>,
    plan: Vec<String>,
    db: Option<Records>,
    pending: Vec<(String, String, Done)>,
    env: Option<std::thread::JoinHandle<serde_json::Value>>,
}

impl Recorder {
    fn new(enabled: bool, root: &Path, targets: &[String], plan: &[String]) -> Recorder {
        Recorder {
            id: enabled.then(crate::records::new_run_id),
            root: root.to_path_buf(),
            targets: targets.to_vec(),
            plan: plan.to_vec(),
            db: None,
            pending: Vec::new(),
            env: None,
        }
    }

    fn log_path(&self, stage: &str) -> Option<PathBuf> {
        Some(crate::records::log_path(
            &crate::records::data_dir(),
            self.id.as_deref()?,
            stage,
        ))
    }

    fn ensure_started(&mut self, ctx: &Ctx<'_>) {
        let Some(id) = &self.id else { return };
        if self.db.is_some() {
            return;
        }
        let db = match Records::open_default() {
            Ok(db) => db,
            Err(e) => {
                eprintln!("warning: cannot record this run: {e}");
                self.id = None;
                return;
            }
        };
        let (commit, dirty) = ctx
            .git
            .lock()
            .expect("git mutex")
            .as_ref()
            .map(|g| (g.head_commit(), g.is_dirty()))
            .unwrap_or((None, false));
        let snapshot = params_snapshot(&self.root, ctx.project);
        // Probing the environment runs `python3`; do it beside the stages, not before.
        let root = self.root.clone();
        self.env = Some(std::thread::spawn(move || {
            crate::records::environment(&root)
        }));
        if let Err(e) = db.start(
            id,
            &self.root,
            commit.as_deref(),
            dirty,
            &snapshot,
            &serde_json::json!({}),
            &self.targets,
            &self.plan,
        ) {
            eprintln!("warning: cannot record this run: {e}");
            self.id = None;
            return;
        }
        for (stage, outcome, d) in std::mem::take(&mut self.pending) {
            let _ = db.stage(
                id,
                &stage,
                &outcome,
                d.exit_code,
                Some(d.started_ms),
                Some(d.duration_ms as i64),
                Some(d.peak_rss_kib as i64),
                d.message.as_deref(),
                d.log.as_deref(),
            );
        }
        self.db = Some(db);
    }

    fn stage_done(&mut self, ctx: &Ctx<'_>, stage: &str, d: &Done) {
        let Some(id) = self.id.clone() else { return };
        let outcome = serde_json::to_value(d.outcome)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        if !matches!(d.outcome, StageOutcome::UpToDate | StageOutcome::Frozen) {
            self.ensure_started(ctx);
        }
        match &self.db {
            Some(db) => {
                let _ = db.stage(
                    &id,
                    stage,
                    &outcome,
                    d.exit_code,
                    Some(d.started_ms),
                    Some(d.duration_ms as i64),
                    Some(d.peak_rss_kib as i64),
                    d.message.as_deref(),
                    d.log.as_deref(),
                );
            }
            None => self.pending.push((stage.to_string(), outcome, d.clone())),
        }
    }

    fn finish(&mut self, status: RunStatus) -> Result<(), RunError> {
        if let (Some(db), Some(id)) = (&self.db, &self.id) {
            if let Some(env) = self.env.take().and_then(|h| h.join().ok()) {
                db.set_environment(id, &env)?;
            }
            db.finish(id, status.as_str())?;
        }
        if self.db.is_none() {
            // Nothing ran: no record, so don't hand out an id that leads nowhere.
            self.id = None;
        }
        Ok(())
    }
}

impl Done {
    /// A stage settled without running anything.
    fn not_run(index: usize, outcome: StageOutcome, message: &str) -> Done {
        Done {
            index,
            outcome,
            exit_code: None,
            started_ms: now_ms(),
            duration_ms: 0,
            peak_rss_kib: 0,
            message: Some(message.into()),
            log: None,
        }
    }
}

#[derive(Clone)]
struct Done {
    index: usize,
    outcome: StageOutcome,
    exit_code: Option<i32>,
    started_ms: i64,
    duration_ms: u64,
    peak_rss_kib: u64,
    message: Option<String>,
    log: Option<PathBuf>,
}

/// Resolves user targets to stage indexes.
fn resolve_targets(
    project: &Project,
    dag: &Dag,
    targets: &[String],
    outputs_too: bool,
) -> Result<Vec<usize>, RunError> {
    let mut out = Vec::new();
    for t in targets {
        let t = t.trim_start_matches("./");
        let mut found: Vec<usize> = dag.index_of(t).into_iter().collect();
        // A pipeline file names all its stages; a `.dvc` file its data source.
        if found.is_empty() && (t == "dvc.yaml" || t.ends_with("/dvc.yaml") || t.ends_with(".dvc"))
        {
            found = project
                .stages()
                .enumerate()
                .filter(|(_, s)| s.dvcfile == t)
                .map(|(i, _)| i)
                .collect();
            if found.is_empty()
                && t == "dvc.yaml"
                && !project.files.iter().any(|f| f.path == "dvc.yaml")
            {
                // No root pipeline: reproduce everything rather than nothing.
                found = (0..dag.nodes.len()).collect();
            }
        }
        if found.is_empty() {
            found = project
                .stages()
                .enumerate()
                .filter(|(_, s)| {
                    s.generated_from.as_deref() == Some(t)
                        || s.name == t
                        || format!(
                            "{}:{}",
                            s.dvcfile,
                            s.generated_from.as_deref().unwrap_or("")
                        ) == t
                })
                .map(|(i, _)| i)
                .collect();
        }
        if found.is_empty() && outputs_too {
            // A tracked path names the stage (or `.dvc` file) that records it, as
            // `dvc commit data/prepared` does.
            let path = t.trim_end_matches('/');
            found = project
                .stages()
                .enumerate()
                .filter(|(_, s)| {
                    s.outs
                        .iter()
                        .any(|o| o.repo_path(s).as_deref() == Some(path))
                })
                .map(|(i, _)| i)
                .collect();
        }
        if found.is_empty() {
            return Err(RunError::UnknownTarget(t.to_string()));
        }
        out.extend(found);
    }
    Ok(out)
}

/// Reproduces the pipeline at `root`. Blocking; call from a thread in a UI.
pub fn run(
    root: &Path,
    opts: &RunOptions,
    sink: Sink,
    cancel: &CancelToken,
) -> Result<RunSummary, RunError> {
    let repo = cairn_data::Repo::open(root)?;
    let root = repo.root().to_path_buf();
    let project = load_project(&root)?;
    let dag = build_dag(&project)?;
    check_paths_inside_repo(&project)?;
    let stages: Vec<&Stage> = project.stages().collect();
    let targets = if opts.targets.is_empty() && opts.commit_only {
        // `dvc commit` with no target: every stage and every `.dvc` file.
        (0..dag.nodes.len()).collect()
    } else if opts.targets.is_empty() && !opts.all_pipelines {
        // `dvc repro` with no target means the root dvc.yaml (plus what it needs).
        resolve_targets(&project, &dag, &["dvc.yaml".to_string()], false)?
    } else {
        resolve_targets(&project, &dag, &opts.targets, opts.commit_only)?
    };
    let plan: Vec<usize> = if opts.single_item && !targets.is_empty() {
        let set: HashSet<usize> = targets.iter().copied().collect();
        dag.postorder(Some(&set), true)
    } else {
        dag.repro_plan(&targets, opts.downstream)
    };
    let in_plan: HashSet<usize> = plan.iter().copied().collect();
    let upstream: Vec<Vec<usize>> = (0..stages.len())
        .map(|i| {
            if opts.single_item || dag.frozen[i] {
                Vec::new()
            } else {
                dag.deps_of[i]
                    .iter()
                    .copied()
                    .filter(|d| in_plan.contains(d))
                    .collect()
            }
        })
        .collect();
    let ctx = Ctx {
        root: &root,
        repo: &repo,
        project: &project,
        locks: Locks::of(&project),
        state: repo.state(),
        stages,
        opts,
        sink: sink.clone(),
        cancel,
        writer: LockWriter::default(),
        git: Mutex::new(cairn_git::Git::discover(&root).ok()),
        // A caller that set up an environment (an experiment in a worktree, activated
        // from the main checkout's venv) keeps it.
        venv: if opts.env.iter().any(|(k, _)| k == "VIRTUAL_ENV") {
            Vec::new()
        } else {
            crate::pyenv::activation(&root)
        },
        ignores: Mutex::new(Vec::new()),
    };
    let names: Vec<String> = plan
        .iter()
        .map(|&i| ctx.stages[i].addressing.clone())
        .collect();
    // A stage can only become stale when a stage upstream of it runs, so one status
    // pass up front settles every stage that is clean and has only clean upstream
    // without a thread or the lock — an up-to-date repro costs what `status` costs.
    let clean_upfront: Vec<bool> = {
        let checker = checker(&ctx);
        (0..ctx.stages.len())
            .map(|i| {
                let stage = ctx.stages[i];
                !opts.force
                    && !opts.commit_only
                    && in_plan.contains(&i)
                    && !stage.data_source
                    && !stage.frozen
                    && checker
                        .stage_status(stage, ctx.locks.entry(stage))
                        .is_ok_and(|s| s.items.is_empty())
            })
            .collect()
    };
    let mut recorder = Recorder::new(opts.record && !opts.dry, &root, &opts.targets, &names);
    let run_id = recorder.id.clone();
    sink(RunEvent::RunStarted {
        run_id: run_id.clone().unwrap_or_default(),
        stages: names.clone(),
    });

    let position: std::collections::HashMap<usize, usize> =
        plan.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    let mut outcome: Vec<Option<StageOutcome>> = vec![None; ctx.stages.len()];
    let mut started: HashSet<usize> = HashSet::new();
    let mut first_error: Option<String> = None;
    let mut stop = false;
    let jobs = opts.jobs.max(1);
    let (tx, rx) = mpsc::channel::<Msg>();
    std::thread::scope(|scope| {
        let mut running = 0usize;
        loop {
            // Start every ready stage, in plan order, up to `jobs`.
            for &i in &plan {
                if running >= jobs || stop || cancel.is_cancelled() {
                    break;
                }
                if started.contains(&i) || outcome[i].is_some() {
                    continue;
                }
                let ups = &upstream[i];
                if ups.iter().any(|u| {
                    matches!(
                        outcome[*u],
                        Some(
                            StageOutcome::Failed | StageOutcome::Blocked | StageOutcome::Cancelled
                        )
                    )
                }) {
                    outcome[i] = Some(StageOutcome::Blocked);
                    let done = Done::not_run(
                        i,
                        StageOutcome::Blocked,
                        "not run: a stage it depends on failed",
                    );
                    finish(&ctx, &mut recorder, &done);
                    continue;
                }
                if !ups.iter().all(|u| outcome[*u].is_some()) {
                    continue;
                }
                if clean_upfront[i]
                    && !ups.iter().any(|u| {
                        matches!(
                            outcome[*u],
                            Some(StageOutcome::Succeeded | StageOutcome::Restored)
                        )
                    })
                {
                    outcome[i] = Some(StageOutcome::UpToDate);
                    let done = Done::not_run(i, StageOutcome::UpToDate, "up to date");
                    finish(&ctx, &mut recorder, &done);
                    continue;
                }
                started.insert(i);
                running += 1;
                let tx = tx.clone();
                let ctx = &ctx;
                let log = recorder.log_path(&ctx.stages[i].addressing);
                let pos = position[&i];
                scope.spawn(move || {
                    let starting = tx.clone();
                    let on_start = move || {
                        let _ = starting.send(Msg::Starting);
                    };
                    let done = process_stage(ctx, i, pos, log, &on_start);
                    let _ = tx.send(Msg::Done(done));
                });
            }
            if running == 0 {
                break;
            }
            let done = match rx.recv() {
                Ok(Msg::Starting) => {
                    recorder.ensure_started(&ctx);
                    continue;
                }
                Ok(Msg::Done(done)) => done,
                Err(_) => break,
            };
            running -= 1;
            if done.outcome == StageOutcome::Failed {
                if first_error.is_none() {
                    first_error = done.message.clone();
                }
                if !opts.keep_going {
                    stop = true;
                }
            }
            outcome[done.index] = Some(done.outcome);
            finish(&ctx, &mut recorder, &done);
        }
    });
    // Whatever never started: cancelled, or stopped by a failure.
    let cancelled = cancel.is_cancelled();
    for &i in &plan {
        if outcome[i].is_none() {
            let (o, msg) = if cancelled {
                (StageOutcome::Cancelled, "cancelled before it started")
            } else {
                (
                    StageOutcome::Blocked,
                    "not run: the run stopped at a failure (use --keep-going to run independent stages)",
                )
            };
            outcome[i] = Some(o);
            finish(&ctx, &mut recorder, &Done::not_run(i, o, msg));
        }
    }
    // Finished stages must be on disk whatever happened to the others.
    let ignored = write_gitignores(&ctx);
    let flushed = ctx.writer.flush(&root).and(ignored);
    let _ = ctx.state.save();
    flushed?;
    let status = if cancelled {
        RunStatus::Cancelled
    } else if plan.iter().any(|&i| {
        matches!(
            outcome[i],
            Some(StageOutcome::Failed | StageOutcome::Blocked)
        )
    }) {
        RunStatus::Failed
    } else {
        RunStatus::Succeeded
    };
    recorder.finish(status)?;
    sink(RunEvent::RunFinished {
        run_id: run_id.clone().unwrap_or_default(),
        status,
    });
    Ok(RunSummary {
        run_id: recorder.id.clone(),
        status,
        stages: plan
            .iter()
            .map(|&i| {
                (
                    ctx.stages[i].addressing.clone(),
                    outcome[i].expect("all decided"),
                )
            })
            .collect(),
        error: first_error,
    })
}

fn write_gitignores(ctx: &Ctx<'_>) -> Result<(), RunError> {
    let mut ignores = std::mem::take(&mut *ctx.ignores.lock().expect("ignores mutex"));
    ignores.sort_by_key(|(plan_index, _)| *plan_index);
    let git = ctx.git.lock().expect("git mutex");
    for (_, path) in ignores {
        cairn_data::gitignore::ignore(git.as_ref(), &path)?;
    }
    Ok(())
}

fn finish(ctx: &Ctx<'_>, recorder: &mut Recorder, d: &Done) {
    let stage = &ctx.stages[d.index].addressing;
    recorder.stage_done(ctx, stage, d);
    (ctx.sink)(RunEvent::StageFinished {
        stage: stage.clone(),
        outcome: d.outcome,
        exit_code: d.exit_code,
        duration_ms: d.duration_ms,
        message: d.message.clone(),
    });
}

/// Params files of the project and their content, for the run record.
fn params_snapshot(root: &Path, project: &Project) -> serde_json::Value {
    let mut files: Vec<String> = vec!["params.yaml".into()];
    for s in project.stages() {
        files.extend(s.params_repo_paths());
    }
    files.sort();
    files.dedup();
    let mut out = serde_json::Map::new();
    for f in files {
        if let Ok(d) = cairn_pipeline::params_file::load(&cairn_pipeline::LocalFs::new(root), &f) {
            out.insert(f, d.to_json());
        }
    }
    serde_json::Value::Object(out)
}

fn process_stage(
    ctx: &Ctx<'_>,
    i: usize,
    plan_index: usize,
    log: Option<PathBuf>,
    on_start: &dyn Fn(),
) -> Done {
    let stage = ctx.stages[i];
    (ctx.sink)(RunEvent::StageQueued {
        stage: stage.addressing.clone(),
    });
    let started_ms = now_ms();
    let t0 = Instant::now();
    let mut exit_code = None;
    let mut peak = 0;
    let result = stage_work(
        ctx,
        stage,
        plan_index,
        log.as_deref(),
        on_start,
        &mut exit_code,
        &mut peak,
    );
    let (outcome, message) = match result {
        Ok(r) => r,
        Err(RunError::Cancelled) => (StageOutcome::Cancelled, Some("cancelled".into())),
        Err(e) => (StageOutcome::Failed, Some(e.to_string())),
    };
    Done {
        index: i,
        outcome,
        exit_code,
        started_ms,
        duration_ms: t0.elapsed().as_millis() as u64,
        peak_rss_kib: peak,
        message,
        log: log.filter(|p| p.exists()),
    }
}

fn checker<'a>(ctx: &'a Ctx<'a>) -> Checker<'a> {
    Checker {
        root: ctx.root,
        repo: ctx.repo,
        hasher: Hasher::new(ctx.root, &ctx.state, &NoProgress),
    }
}

fn stage_work(
    ctx: &Ctx<'_>,
    stage: &Stage,
    plan_index: usize,
    log: Option<&Path>,
    on_start: &dyn Fn(),
    exit_code: &mut Option<i32>,
    peak: &mut u64,
) -> Result<(StageOutcome, Option<String>), RunError> {
    if ctx.opts.commit_only {
        return commit_only(ctx, stage, plan_index);
    }
    if stage.data_source {
        return data_source(ctx, stage);
    }
    let lock_entry = ctx.locks.entry(stage);
    let checker = checker(ctx);
    let repo_lock = ctx.repo.lock()?;
    let status = checker.stage_status(stage, lock_entry)?;
    if stage.frozen {
        if let Some(crate::status::StatusItem::ChangedOuts(outs)) = status
            .items
            .iter()
            .find(|i| matches!(i, crate::status::StatusItem::ChangedOuts(_)))
        {
            if let Some((path, _)) = outs
                .iter()
                .find(|(_, w)| **w == "deleted" || **w == "not in cache")
            {
                return Err(RunError::FrozenMissing {
                    stage: stage.addressing.clone(),
                    path: path.clone(),
                });
            }
            if !ctx.opts.dry {
                commit(ctx, stage, plan_index, false)?;
            }
        }
        return Ok((StageOutcome::Frozen, Some("frozen: not run".into())));
    }
    if !ctx.opts.force && status.items.is_empty() {
        return Ok((StageOutcome::UpToDate, Some("up to date".into())));
    }
    let reason = if ctx.opts.force {
        "forced".to_string()
    } else {
        status.summary()
    };
    if ctx.opts.dry {
        (ctx.sink)(RunEvent::StageStarted {
            stage: stage.addressing.clone(),
            cmd: stage.cmd.commands(),
        });
        return Ok((StageOutcome::WouldRun, Some(format!("would run: {reason}"))));
    }
    on_start();
    remove_outs(ctx, stage)?;
    if !ctx.opts.force
        && can_use_run_cache(ctx, stage)
        && let Some(entry) = cached_entry(ctx, &checker, stage, lock_entry, &status)?
        && restore(ctx, stage, &entry)?
    {
        commit(ctx, stage, plan_index, true)?;
        return Ok((
            StageOutcome::Restored,
            Some("restored from the run cache (same inputs ran before)".into()),
        ));
    }
    for dep in &stage.deps {
        if let Some(rel) = stage.dep_repo_path(&dep.path)
            && !ctx.root.join(&rel).exists()
        {
            return Err(RunError::MissingDep {
                stage: stage.addressing.clone(),
                path: rel,
            });
        }
    }
    drop(repo_lock);
    run_commands(ctx, stage, log, exit_code, peak)?;
    let _repo_lock = ctx.repo.lock()?;
    commit(ctx, stage, plan_index, true)?;
    Ok((StageOutcome::Succeeded, Some(reason)))
}

/// `dvc commit` of one stage: record what is there now, without running anything.
/// A stage that changed since its record (deps, outputs, params or command) is
/// refused unless forced, as `dvc commit` refuses it when nobody confirms.
fn commit_only(
    ctx: &Ctx<'_>,
    stage: &Stage,
    plan_index: usize,
) -> Result<(StageOutcome, Option<String>), RunError> {
    let checker = checker(ctx);
    if stage.data_source {
        let pointer = cairn_data::pointer::Pointer::load(&ctx.root.join(&stage.dvcfile))?;
        let mut paths = Vec::new();
        let mut changed = Vec::new();
        for (o, out) in stage.outs.iter().zip(&pointer.outs) {
            let Some(rel) = o.repo_path(stage) else {
                continue;
            };
            let abs = ctx.root.join(&rel);
            match cairn_data::status::out_status(ctx.repo.odb(), &checker.hasher, out, &abs)? {
                Some(cairn_data::status::Change::Deleted) => {
                    return Err(RunError::MissingOutput {
                        stage: stage.addressing.clone(),
                        path: rel,
                    });
                }
                Some(cairn_data::status::Change::Modified | cairn_data::status::Change::New) => {
                    changed.push(format!("{rel} modified"))
                }
                _ => {}
            }
            paths.push(abs);
        }
        if let Some(dry) = may_commit(ctx, stage, &changed)? {
            return Ok(dry);
        }
        // As `add` records it: hashed, stored, the `.dvc` file rewritten.
        let (_, errors) = cairn_data::add::add(ctx.repo, &paths, &NoProgress);
        if let Some(e) = errors.into_iter().next() {
            return Err(e.into());
        }
        return Ok((StageOutcome::Succeeded, Some("committed".into())));
    }
    let _repo_lock = ctx.repo.lock()?;
    let mut status = checker.stage_status(stage, ctx.locks.entry(stage))?;
    // What `dvc commit` asks about is the work tree against the record: an output
    // only missing from the cache (after `repro --no-commit`) is what commit is for,
    // and an always-changed stage has not changed by itself.
    status.items.retain_mut(|item| match item {
        crate::status::StatusItem::ChangedOuts(outs) => {
            outs.retain(|_, why| *why != cairn_data::status::Change::NotInCache.as_str());
            !outs.is_empty()
        }
        crate::status::StatusItem::AlwaysChanged => false,
        _ => true,
    });
    let changed = if status.items.is_empty() {
        Vec::new()
    } else {
        vec![status.summary()]
    };
    if let Some(dry) = may_commit(ctx, stage, &changed)? {
        return Ok(dry);
    }
    // Filling the run cache too, as `dvc commit` does.
    commit(ctx, stage, plan_index, true)?;
    Ok((StageOutcome::Succeeded, Some("committed".into())))
}

/// Whether `stage`, with `changed` (what differs from its record), may be committed:
/// a dry run's verdict to report instead (what changed, or nothing), or an error for a
/// changed stage without `force`; `None` to go on.
fn may_commit(
    ctx: &Ctx<'_>,
    stage: &Stage,
    changed: &[String],
) -> Result<Option<(StageOutcome, Option<String>)>, RunError> {
    if ctx.opts.dry {
        let verdict = if changed.is_empty() {
            COMMIT_UNCHANGED.into()
        } else {
            format!("changed: {}", changed.join(", "))
        };
        return Ok(Some((StageOutcome::WouldRun, Some(verdict))));
    }
    if !changed.is_empty() && !ctx.opts.force {
        return Err(RunError::CommitChanged {
            stage: stage.addressing.clone(),
            changes: changed.join(", "),
        });
    }
    Ok(None)
}

/// A dry `commit`'s message for a stage that records what is already recorded.
pub const COMMIT_UNCHANGED: &str = "unchanged";

/// A `.dvc` file in the graph: like DVC, re-record data that changed, refuse data
/// that is gone.
fn data_source(ctx: &Ctx<'_>, stage: &Stage) -> Result<(StageOutcome, Option<String>), RunError> {
    let pointer = cairn_data::pointer::Pointer::load(&ctx.root.join(&stage.dvcfile))?;
    let checker = checker(ctx);
    let mut changed = Vec::new();
    for (o, out) in stage.outs.iter().zip(&pointer.outs) {
        let Some(rel) = o.repo_path(stage) else {
            continue;
        };
        match cairn_data::status::out_status(
            ctx.repo.odb(),
            &checker.hasher,
            out,
            &ctx.root.join(&rel),
        )? {
            None => {}
            Some(cairn_data::status::Change::Modified | cairn_data::status::Change::New) => {
                changed.push(ctx.root.join(&rel))
            }
            Some(c) => {
                return Err(RunError::MissingDep {
                    stage: stage.addressing.clone(),
                    path: format!("{rel} ({})", c.as_str()),
                });
            }
        }
    }
    if changed.is_empty() {
        return Ok((
            StageOutcome::UpToDate,
            Some("data source up to date".into()),
        ));
    }
    if ctx.opts.dry {
        return Ok((
            StageOutcome::WouldRun,
            Some("would re-record changed data".into()),
        ));
    }
    let (_, errors) = cairn_data::add::add(ctx.repo, &changed, &NoProgress);
    if let Some(e) = errors.into_iter().next() {
        return Err(e.into());
    }
    Ok((
        StageOutcome::Succeeded,
        Some("re-recorded changed data".into()),
    ))
}

fn run_commands(
    ctx: &Ctx<'_>,
    stage: &Stage,
    log: Option<&Path>,
    exit_code: &mut Option<i32>,
    peak: &mut u64,
) -> Result<(), RunError> {
    let cmds = stage.cmd.commands();
    (ctx.sink)(RunEvent::StageStarted {
        stage: stage.addressing.clone(),
        cmd: cmds.clone(),
    });
    let log_file: Option<Arc<Mutex<File>>> = match log {
        Some(p) => {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| RunError::io(parent.display(), e))?;
            }
            Some(Arc::new(Mutex::new(
                File::create(p).map_err(|e| RunError::io(p.display(), e))?,
            )))
        }
        None => None,
    };
    let cwd = ctx.root.join(stage.wdir_rel());
    let mut env = vec![
        ("DVC_ROOT", ctx.root.to_string_lossy().into_owned()),
        ("DVC_STAGE", stage.addressing.clone()),
    ];
    env.extend(ctx.venv.iter().map(|(k, v)| (k.as_str(), v.clone())));
    env.extend(ctx.opts.env.iter().map(|(k, v)| (k.as_str(), v.clone())));
    for cmd in cmds {
        if ctx.cancel.is_cancelled() {
            return Err(RunError::Cancelled);
        }
        if let Some(f) = &log_file {
            let _ = writeln!(f.lock().expect("log mutex"), "$ {cmd}");
        }
        let sink = ctx.sink.clone();
        let name = stage.addressing.clone();
        let lf = log_file.clone();
        let on_line: Arc<dyn Fn(Stream, String) + Send + Sync> = Arc::new(move |stream, line| {
            if let Some(f) = &lf {
                let _ = writeln!(f.lock().expect("log mutex"), "{line}");
            }
            sink(RunEvent::Output {
                stage: name.clone(),
                stream,
                line,
            });
        });
        let exit =
            crate::process::run_command(&cmd, &cwd, &env, ctx.cancel, on_line).map_err(|e| {
                RunError::io(
                    format!("stage `{}`: cannot start `{cmd}`", stage.addressing),
                    e,
                )
            })?;
        *peak = (*peak).max(exit.peak_rss_kib);
        if ctx.cancel.is_cancelled() {
            return Err(RunError::Cancelled);
        }
        if exit.code != 0 {
            *exit_code = Some(exit.code);
            return Err(RunError::CommandFailed {
                stage: stage.addressing.clone(),
                cmd,
                code: exit.code,
            });
        }
    }
    *exit_code = Some(0);
    Ok(())
}

/// DVC's `remove_outs`: delete every non-persistent output before running.
fn remove_outs(ctx: &Ctx<'_>, stage: &Stage) -> Result<(), RunError> {
    for o in &stage.outs {
        if o.persist {
            continue;
        }
        let Some(rel) = o.repo_path(stage) else {
            continue;
        };
        let abs = ctx.root.join(&rel);
        let Ok(meta) = std::fs::symlink_metadata(&abs) else {
            continue;
        };
        let r = if meta.is_dir() {
            std::fs::remove_dir_all(&abs)
        } else {
            std::fs::remove_file(&abs)
        };
        r.map_err(|e| RunError::io(&rel, e))?;
    }
    Ok(())
}

/// DVC's `_can_hash`: only stages with a command, deps and outs, none persistent,
/// and not always-changed, take part in the run cache.
fn can_use_run_cache(ctx: &Ctx<'_>, stage: &Stage) -> bool {
    if is_callback(stage) || stage.always_changed {
        return false;
    }
    if (stage.deps.is_empty() && stage.params.is_empty()) || stage.outs.is_empty() {
        return false;
    }
    if stage
        .outs
        .iter()
        .any(|o| o.persist || o.repo_path(stage).is_none())
    {
        return false;
    }
    stage
        .deps
        .iter()
        .all(|d| d.repo_path_exists(ctx.root, stage))
}

trait DepExists {
    fn repo_path_exists(&self, root: &Path, stage: &Stage) -> bool;
}

impl DepExists for cairn_pipeline::Dep {
    fn repo_path_exists(&self, root: &Path, stage: &Stage) -> bool {
        stage
            .dep_repo_path(&self.path)
            .is_some_and(|rel| root.join(rel).exists())
    }
}

/// The run-cache entry to restore from, if any: the stage's own lock entry when only
/// outputs changed, else the newest entry recorded for the current inputs.
fn cached_entry(
    ctx: &Ctx<'_>,
    checker: &Checker<'_>,
    stage: &Stage,
    lock: Option<&LockStage>,
    status: &crate::status::StageStatus,
) -> Result<Option<Node>, RunError> {
    let deps_unchanged = !status
        .items
        .iter()
        .any(|i| matches!(i, crate::status::StatusItem::ChangedDeps(_)));
    if let Some(l) = lock
        && !cmd_changed(stage, lock)
        && deps_unchanged
        && stage
            .outs
            .iter()
            .all(|o| l.outs.iter().any(|e| e.path == o.path && e.md5.is_some()))
    {
        let rec = Recorded {
            outs: l
                .outs
                .iter()
                .filter_map(|e| Some((e.path.clone(), hashed_from_lock(e)?)))
                .collect(),
            ..Default::default()
        };
        return Ok(Some(entry_node(stage, &rec)));
    }
    let inputs = measure_inputs(checker, stage)?;
    let key_entry = entry_node(stage, &inputs);
    let out_paths: Vec<String> = stage.outs.iter().map(|o| o.path.clone()).collect();
    let key = runcache::key_for_inputs(&key_entry, &out_paths);
    let _ = ctx;
    Ok(runcache::load(ctx.repo.odb().root(), &key))
}

fn hashed_from_lock(e: &cairn_pipeline::LockEntry) -> Option<cairn_data::workspace::Hashed> {
    let kind = if e.hash.is_some() {
        HashKind::Md5
    } else {
        HashKind::LegacyDos2Unix
    };
    Some(cairn_data::workspace::Hashed {
        info: HashInfo {
            md5: e.md5.clone()?,
            size: e.size,
            nfiles: e.nfiles,
            kind,
        },
        manifest: None,
        isexec: e.isexec.unwrap_or(false),
    })
}

/// Checks out every output of a run-cache entry; `false` if any is not in the cache.
fn restore(ctx: &Ctx<'_>, stage: &Stage, entry: &Node) -> Result<bool, RunError> {
    let odb = ctx.repo.odb();
    let mut outs = Vec::new();
    for item in entry
        .get("outs")
        .and_then(|o| o.as_seq())
        .unwrap_or_default()
    {
        let (Some(path), Some(md5)) = (
            item.get("path").and_then(Node::as_str),
            item.get("md5").and_then(Node::as_str),
        ) else {
            return Ok(false);
        };
        let kind = if item.get("hash").is_some() {
            HashKind::Md5
        } else {
            HashKind::LegacyDos2Unix
        };
        let h = HashInfo {
            md5: md5.to_string(),
            size: None,
            nfiles: None,
            kind,
        };
        if !cairn_data::status::cache_complete(odb, &h) {
            return Ok(false);
        }
        let isexec = matches!(
            item.get("isexec").map(|v| &v.value),
            Some(Value::Bool(true))
        );
        outs.push((path.to_string(), h, isexec));
    }
    if outs.len() != stage.outs.len() {
        return Ok(false);
    }
    let copy = [cairn_data::config::LinkType::Copy];
    for (path, h, isexec) in outs {
        let rel = stage.dep_repo_path(&path).unwrap_or(path);
        let abs = ctx.root.join(&rel);
        if h.is_dir() {
            let m = odb
                .read_manifest(&h.md5, h.kind)
                .map_err(|e| RunError::io(&rel, std::io::Error::other(e.to_string())))?;
            std::fs::create_dir_all(&abs).map_err(|e| RunError::io(&rel, e))?;
            for e in m.entries() {
                cairn_data::checkout::materialize(
                    odb,
                    &e.md5,
                    h.kind,
                    &abs.join(&e.relpath),
                    &copy,
                    false,
                )
                .map_err(|err| RunError::io(&rel, err))?;
            }
        } else {
            cairn_data::checkout::materialize(odb, &h.md5, h.kind, &abs, &copy, isexec)
                .map_err(|e| RunError::io(&rel, e))?;
        }
    }
    Ok(true)
}

/// Hashes deps and reads params (the inputs half of a lock entry).
fn measure_inputs(checker: &Checker<'_>, stage: &Stage) -> Result<Recorded, RunError> {
    let mut rec = Recorded::default();
    for d in &stage.deps {
        let Some(rel) = stage.dep_repo_path(&d.path) else {
            continue;
        };
        let h = checker
            .current(&checker.root.join(&rel), HashKind::Md5)?
            .ok_or_else(|| RunError::MissingDep {
                stage: stage.addressing.clone(),
                path: rel.clone(),
            })?;
        rec.deps.push((d.path.clone(), h));
    }
    for p in &stage.params {
        let vals = params::read(checker.root, stage, p)
            .map_err(|message| RunError::Params {
                stage: stage.addressing.clone(),
                message,
            })?
            .ok_or_else(|| RunError::Params {
                stage: stage.addressing.clone(),
                message: format!("params file `{}` does not exist", p.file),
            })?;
        let missing: Vec<&String> = p.keys.iter().filter(|k| !vals.contains_key(*k)).collect();
        if !missing.is_empty() {
            return Err(RunError::Params {
                stage: stage.addressing.clone(),
                message: format!(
                    "parameters {} are missing from `{}`",
                    missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    p.file
                ),
            });
        }
        rec.params.push((p.file.clone(), vals));
    }
    Ok(rec)
}

/// After a successful command (or restore): hash deps and outs, store outputs in the
/// cache, write the lock entry, git-ignore cached outputs and fill the run cache.
fn commit(
    ctx: &Ctx<'_>,
    stage: &Stage,
    plan_index: usize,
    use_run_cache: bool,
) -> Result<(), RunError> {
    let checker = checker(ctx);
    let mut rec = measure_inputs(&checker, stage)?;
    let odb = ctx.repo.odb();
    let store = !ctx.opts.no_commit;
    let run_cache = use_run_cache
        && store
        && can_use_run_cache(ctx, stage)
        && !stage
            .outs
            .iter()
            .any(|o| !o.cache && o.kind == cairn_pipeline::OutKind::Out);
    for o in &stage.outs {
        let Some(rel) = o.repo_path(stage) else {
            continue;
        };
        let abs = ctx.root.join(&rel);
        // Uncached metrics/plots still go into the cache when the run cache is filled,
        // so a restore can bring them back (DVC's `_uncached_outs`).
        let pass = if (o.cache && store) || run_cache {
            Pass::Store(odb)
        } else {
            Pass::Hash
        };
        let h = checker
            .hasher
            .hash(&abs, HashKind::Md5, pass)?
            .ok_or_else(|| RunError::MissingOutput {
                stage: stage.addressing.clone(),
                path: rel.clone(),
            })?;
        rec.outs.push((o.path.clone(), h));
        if o.cache {
            ctx.ignores
                .lock()
                .expect("ignores mutex")
                .push((plan_index, abs.clone()));
        }
    }
    let entry = entry_node(stage, &rec);
    ctx.writer
        .write(ctx.root, stage, entry.clone(), plan_index)?;
    if run_cache {
        runcache::save(odb.root(), &entry).map_err(|e| RunError::io("run cache", e))?;
    }
    let _ = ctx.project;
    Ok(())
}
