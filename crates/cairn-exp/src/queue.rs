//! The experiment queue: `exp run --queue` records an entry (baseline, a snapshot commit
//! of the work tree's tracked changes, overrides, name); workers run entries in parallel,
//! each in its own git worktree under `.dvc/tmp/exps/` (sharing the DVC cache through
//! `.dvc/config.local`, as DVC's temp-dir executor does), and record the experiment ref
//! exactly as a workspace run would. Entries live in `.dvc/tmp/cairn/queue/<id>.json`
//! (status, timings, result) with the log next to them, so queued and running experiments
//! are visible to `exp show` and `queue status` from any process.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use cairn_git::Git;
use cairn_run::{CancelToken, RunEvent};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ExpError;
use crate::names::unique_name;
use crate::overrides::{expand_sweeps, has_sweep, to_path_overrides};
use crate::refs::{ref_name, validate_name};
use crate::run::ExpRunOptions;
use crate::show::{ExpEntry, RevState};

/// Where an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting for a worker.
    Queued,
    /// A worker is running it.
    Running,
    /// Recorded as an experiment.
    Success,
    /// Failed (see the log).
    Failed,
}

impl State {
    /// Name as `dvc queue status` prints it.
    pub fn label(self) -> &'static str {
        match self {
            State::Queued => "Queued",
            State::Running => "Running",
            State::Success => "Success",
            State::Failed => "Failed",
        }
    }
}

/// One queued experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Id (hex, also the snapshot commit id).
    pub id: String,
    /// Experiment name.
    pub name: String,
    /// Baseline commit.
    pub baseline: String,
    /// Commit holding the work tree state to run from (baseline + tracked changes).
    pub snapshot: String,
    /// Overrides (`-S` strings, file-qualified).
    pub set_params: Vec<String>,
    /// Targets.
    pub targets: Vec<String>,
    /// State.
    pub state: State,
    /// When queued (ms since epoch).
    pub queued_ms: u64,
    /// When started.
    pub started_ms: Option<u64>,
    /// When done.
    pub finished_ms: Option<u64>,
    /// Result commit.
    pub commit: Option<String>,
    /// Failure message.
    pub error: Option<String>,
    /// Worker process id while running.
    pub pid: Option<u32>,
    /// The SSH worker it ran on (`ssh://host/folder`); none for this machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
}

impl Entry {
    /// The entry as an `exp show` experiment (DVC's shape for queued/running ones:
    /// params as they will be, no metrics yet).
    pub fn to_exp_entry(&self, root: &Path) -> ExpEntry {
        let data = Git::discover(root).ok().map(|g| {
            let snap = crate::snapshot::Snapshot::at(&g, &self.snapshot);
            let mut params = crate::collect::read_params(&snap);
            let grouped = to_path_overrides(&self.set_params);
            for (file, ovs) in &grouped {
                if let Some(crate::collect::FileResult::Data(v)) = params.get_mut(file) {
                    let mut d = cairn_pipeline::data::Data::from_json(v);
                    if crate::overrides::apply_to_data(&mut d, ovs, file).is_ok() {
                        *v = d.to_json();
                    }
                }
            }
            // A running experiment shows what it has logged so far.
            let metrics = match self.state {
                State::Running => crate::live::load(root, &self.id)
                    .map(|l| l.metric_results())
                    .unwrap_or_default(),
                _ => IndexMap::new(),
            };
            crate::collect::ExpData {
                rev: self.id.clone(),
                timestamp: None,
                params,
                metrics,
                deps: IndexMap::new(),
                outs: IndexMap::new(),
            }
        });
        let mut executor = json!({
            "state": match self.state {
                State::Queued => "queued",
                State::Running => "running",
                State::Success => "success",
                State::Failed => "failed",
            },
            "name": "cairn-queue",
            "local": null,
        });
        if let Some(w) = &self.worker {
            executor["worker"] = json!(w);
        }
        ExpEntry {
            name: self.name.clone(),
            revs: vec![RevState {
                rev: self.id.clone(),
                name: Some(self.name.clone()),
                data,
                error: None,
            }],
            executor: Some(executor),
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

static WORKTREES: Mutex<()> = Mutex::new(());

/// `.dvc/tmp/cairn/queue`.
pub fn queue_dir(root: &Path) -> PathBuf {
    root.join(".dvc").join("tmp").join("cairn").join("queue")
}

fn entry_path(root: &Path, id: &str) -> PathBuf {
    queue_dir(root).join(format!("{id}.json"))
}

/// The log file of an entry.
pub fn log_path(root: &Path, id: &str) -> PathBuf {
    queue_dir(root).join(format!("{id}.log"))
}

pub(crate) fn save(root: &Path, e: &Entry) -> Result<(), ExpError> {
    let dir = queue_dir(root);
    std::fs::create_dir_all(&dir).map_err(|er| ExpError::io(dir.display(), er))?;
    let p = entry_path(root, &e.id);
    let bytes = serde_json::to_vec_pretty(e).expect("serialisable");
    cairn_core::write_atomic(&p, &bytes).map_err(|er| ExpError::io(p.display(), er))
}

/// Every entry, oldest first.
pub fn list(root: &Path) -> Result<Vec<Entry>, ExpError> {
    let dir = queue_dir(root);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Entry> = rd
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice(&b).ok())
        .collect();
    out.sort_by(|a, b| a.queued_ms.cmp(&b.queued_ms).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// What to queue.
#[derive(Debug, Clone, Default)]
pub struct QueueOptions {
    /// `-S` overrides, sweeps allowed.
    pub set_params: Vec<String>,
    /// Name (sweeps get `-1`, `-2`... suffixes, like DVC).
    pub name: Option<String>,
    /// Targets.
    pub targets: Vec<String>,
    /// Keep a random sample of this many grid points.
    pub samples: Option<usize>,
    /// Seed for `samples` (random when absent).
    pub seed: Option<u64>,
}

/// Queues one experiment per grid point; returns the entries.
pub fn enqueue(root: &Path, opts: &QueueOptions) -> Result<Vec<Entry>, ExpError> {
    let git = Git::discover(root)?;
    let root = git.root().to_path_buf();
    let baseline = git
        .head_commit()
        .ok_or_else(|| ExpError::Invalid("commit a baseline before queueing".into()))?;
    let grouped = to_path_overrides(&opts.set_params);
    let sweep = has_sweep(&grouped)?;
    let mut grid: Vec<IndexMap<String, Vec<String>>> = if sweep {
        expand_sweeps(&grouped)?
    } else {
        vec![grouped]
    };
    if let Some(n) = opts.samples
        && n < grid.len()
    {
        use rand::SeedableRng;
        use rand::seq::SliceRandom;
        let mut rng = match opts.seed {
            Some(s) => rand::rngs::StdRng::seed_from_u64(s),
            None => rand::rngs::StdRng::from_os_rng(),
        };
        let mut idx: Vec<usize> = (0..grid.len()).collect();
        idx.shuffle(&mut rng);
        let mut keep: Vec<usize> = idx.into_iter().take(n).collect();
        keep.sort_unstable();
        grid = keep.into_iter().map(|i| grid[i].clone()).collect();
    }
    if let Some(n) = &opts.name {
        validate_name(n)?;
        if !sweep && git.ref_target(&ref_name(&baseline, n)).is_some() {
            return Err(ExpError::Exists(n.clone()));
        }
    }
    let existing: Vec<String> = list(&root)?
        .into_iter()
        .filter(|e| e.baseline == baseline && e.state != State::Success)
        .map(|e| e.name)
        .collect();
    let snapshot = git.commit_worktree_snapshot(&baseline, &[], "cairn: queued experiment")?;
    let mut out = Vec::new();
    for (i, point) in grid.into_iter().enumerate() {
        let name = match &opts.name {
            Some(n) if sweep => format!("{n}-{}", i + 1),
            Some(n) => n.clone(),
            None => unique_name(|n| {
                git.ref_target(&ref_name(&baseline, n)).is_some()
                    || existing.iter().any(|e| e == n)
                    || out.iter().any(|e: &Entry| e.name == n)
            }),
        };
        let set_params: Vec<String> = point
            .iter()
            .flat_map(|(file, ovs)| ovs.iter().map(move |o| format!("{file}:{o}")))
            .collect();
        let id = {
            use rand::Rng;
            let mut r = rand::rng();
            format!("{:016x}{:04x}", r.random::<u64>(), i)
        };
        let entry = Entry {
            id: id.clone(),
            name,
            baseline: baseline.clone(),
            snapshot: snapshot.clone(),
            set_params,
            targets: opts.targets.clone(),
            state: State::Queued,
            queued_ms: now_ms(),
            started_ms: None,
            finished_ms: None,
            commit: None,
            error: None,
            pid: None,
            worker: None,
        };
        git.set_ref(
            &format!("refs/exps/cairn/queue/{id}"),
            &snapshot,
            "cairn: queue",
        )?;
        save(&root, &entry)?;
        out.push(entry);
    }
    Ok(out)
}

/// Removes entries by id or name (running ones are left alone); returns what went.
pub fn remove(root: &Path, which: &[String], all: bool) -> Result<Vec<Entry>, ExpError> {
    let git = Git::discover(root)?;
    let mut out = Vec::new();
    for e in list(root)? {
        let hit = all
            || which
                .iter()
                .any(|w| w == &e.name || e.id.starts_with(w.as_str()));
        if hit && e.state != State::Running {
            let _ = std::fs::remove_file(entry_path(root, &e.id));
            let _ = std::fs::remove_file(log_path(root, &e.id));
            crate::live::remove(root, &e.id);
            git.delete_ref(&format!("refs/exps/cairn/queue/{}", e.id))?;
            out.push(e);
        }
    }
    Ok(out)
}

/// Takes the oldest queued entry and marks it running (under a process-wide lock file).
fn claim(root: &Path, guard: &Mutex<()>) -> Result<Option<Entry>, ExpError> {
    let _g = guard.lock().unwrap_or_else(|p| p.into_inner());
    let dir = queue_dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| ExpError::io(dir.display(), e))?;
    let lock =
        cairn_core::RepoLock::acquire(&dir.join("claim.lock"), std::time::Duration::from_secs(60))
            .map_err(|e| ExpError::Invalid(e.to_string()))?;
    let next = list(root)?.into_iter().find(|e| e.state == State::Queued);
    let out = match next {
        Some(mut e) => {
            e.state = State::Running;
            e.started_ms = Some(now_ms());
            e.pid = Some(std::process::id());
            save(root, &e)?;
            Some(e)
        }
        None => None,
    };
    drop(lock);
    Ok(out)
}

/// An entry's log, written a line at a time from any thread.
pub type LogLine = Arc<dyn Fn(&str) + Send + Sync>;

/// Runs `work` for a claimed entry with its log open, then records how it ended
/// (state, result commit or error) and drops its queue ref.
pub(crate) fn run_with(
    root: &Path,
    mut e: Entry,
    work: impl FnOnce(&Entry, &LogLine) -> Result<String, ExpError>,
) -> Result<Entry, ExpError> {
    let git = Git::discover(root)?;
    let log = log_path(root, &e.id);
    let log_file = Arc::new(Mutex::new(
        std::fs::File::create(&log).map_err(|er| ExpError::io(log.display(), er))?,
    ));
    let write_log: LogLine = Arc::new(move |line: &str| {
        use std::io::Write;
        let mut f = log_file.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(f, "{line}");
    });
    let result = work(&e, &write_log);
    crate::live::remove(root, &e.id);
    e.finished_ms = Some(now_ms());
    e.pid = None;
    match result {
        Ok(c) => {
            e.state = State::Success;
            e.commit = Some(c);
        }
        Err(er) => {
            write_log(&format!("ERROR: {er}"));
            e.state = State::Failed;
            e.error = Some(er.to_string());
        }
    }
    git.delete_ref(&format!("refs/exps/cairn/queue/{}", e.id))?;
    save(root, &e)?;
    Ok(e)
}

/// What a queued entry runs (its overrides, name and targets).
pub(crate) fn run_options(e: &Entry) -> ExpRunOptions {
    ExpRunOptions {
        set_params: e.set_params.clone(),
        name: Some(e.name.clone()),
        targets: e.targets.clone(),
        force: false,
        jobs: 1,
        message: None,
    }
}

/// Runs an experiment in a working copy made for it (a worktree here, or a folder on
/// an SSH worker), as DVC's executor does: data from the cache first (`.dvc`-tracked
/// deps, and outputs so unchanged stages stay up to date), then reproduce and record.
/// Everything it says goes to `log`; what it has logged so far, as it changes, to
/// `live` ([`crate::live`]).
pub fn execute(
    wt: &Path,
    baseline: &str,
    opts: &ExpRunOptions,
    log: &LogLine,
    live: &(dyn Fn(&str) + Sync),
    cancel: &CancelToken,
) -> Result<crate::run::ExpRunResult, ExpError> {
    {
        let wrepo = cairn_data::Repo::open(wt)?;
        let (_, errs) =
            cairn_data::checkout::checkout(&wrepo, None, true, &cairn_core::NoProgress)?;
        for er in errs {
            log(&format!("WARNING: {er}"));
        }
        let (_, missing) = crate::manage::checkout_outputs(wt)?;
        for m in missing {
            log(&format!("WARNING: {m} is not in the cache (pull needed)"));
        }
    }
    log(&format!(
        "Reproducing experiment '{}'",
        opts.name.as_deref().unwrap_or("")
    ));
    let sink_log = log.clone();
    let sink: cairn_run::engine::Sink = Arc::new(move |ev: RunEvent| match ev {
        RunEvent::StageStarted { stage, cmd } => {
            sink_log(&format!("Running stage '{stage}':"));
            for c in cmd {
                sink_log(&format!("> {c}"));
            }
        }
        RunEvent::Output { line, .. } => sink_log(&line),
        RunEvent::StageFinished {
            stage,
            outcome,
            message,
            ..
        } => sink_log(&format!(
            "Stage '{stage}': {outcome:?}{}",
            message.map(|m| format!(" ({m})")).unwrap_or_default()
        )),
        _ => {}
    });
    // Files written from here on are this run's results.
    let since = crate::live::start(wt);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let r = std::thread::scope(|s| {
        s.spawn(|| crate::live::follow(wt, since, &stop, live));
        let r = crate::run::run_experiment_on(wt, baseline, opts, sink, cancel);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        r
    })?;
    log(&format!("Ran experiment '{}' ({})", r.name, &r.commit[..7]));
    Ok(r)
}

/// The git worktree entry `id` runs in on this machine (`.dvc/tmp/exps/cairn-<id>`).
pub fn worktree_path(root: &Path, id: &str) -> PathBuf {
    root.join(".dvc")
        .join("tmp")
        .join("exps")
        .join(format!("cairn-{id}"))
}

/// Runs one entry in a fresh worktree; returns the finished entry.
pub fn run_entry(root: &Path, e: Entry, cancel: &CancelToken) -> Result<Entry, ExpError> {
    let git = Git::discover(root)?;
    let wt_name = format!("cairn-{}", e.id);
    let wt = worktree_path(root, &e.id);
    run_with(root, e, |e, log| {
        let result = (|| {
            if let Some(parent) = wt.parent() {
                std::fs::create_dir_all(parent).map_err(|er| ExpError::io(parent.display(), er))?;
            }
            {
                // Worktree bookkeeping in `.git` is not safe to change from two threads.
                let _g = WORKTREES.lock().unwrap_or_else(|p| p.into_inner());
                let _ = git.worktree_remove(&wt_name, &wt);
                git.worktree_add(&wt_name, &wt, &e.snapshot)?;
            }
            // Share the cache with the main repository.
            let cache = cairn_data::Repo::open(root)?.config().cache_dir.clone();
            let local = wt.join(".dvc").join("config.local");
            if wt.join(".dvc").is_dir() {
                std::fs::write(&local, format!("[cache]\n    dir = {}\n", cache.display()))
                    .map_err(|er| ExpError::io(local.display(), er))?;
            }
            let live = |json: &str| crate::live::save(root, &e.id, json);
            execute(&wt, &e.baseline, &run_options(e), log, &live, cancel).map(|r| r.commit)
        })();
        let _g = WORKTREES.lock().unwrap_or_else(|p| p.into_inner());
        let _ = git.worktree_remove(&wt_name, &wt);
        result
    })
}

/// Runs queued entries with `jobs` workers until the queue is empty, here or on the
/// SSH `worker`. `on_done` hears about each finished entry.
pub fn start(
    root: &Path,
    jobs: usize,
    worker: Option<&crate::worker::Worker>,
    cancel: &CancelToken,
    on_done: &(dyn Fn(&Entry) + Sync),
) -> Result<Vec<Entry>, ExpError> {
    let git = Git::discover(root)?;
    let root = git.root().to_path_buf();
    drop(git);
    let guard = Mutex::new(());
    let done = Mutex::new(Vec::new());
    let first_err: Mutex<Option<ExpError>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    if cancel.is_cancelled() {
                        break;
                    }
                    let e = match claim(&root, &guard) {
                        Ok(Some(e)) => e,
                        Ok(None) => break,
                        Err(er) => {
                            first_err.lock().unwrap().get_or_insert(er);
                            break;
                        }
                    };
                    let ran = match worker {
                        Some(w) => crate::worker::run_entry_on(&root, e, w, cancel),
                        None => run_entry(&root, e, cancel),
                    };
                    match ran {
                        Ok(e) => {
                            on_done(&e);
                            done.lock().unwrap().push(e);
                        }
                        Err(er) => {
                            first_err.lock().unwrap().get_or_insert(er);
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_err.into_inner().unwrap() {
        return Err(e);
    }
    Ok(done.into_inner().unwrap())
}

/// Marks entries whose worker process is gone as failed (after a crash).
pub fn reap(root: &Path) -> Result<(), ExpError> {
    for mut e in list(root)? {
        if e.state == State::Running
            && let Some(pid) = e.pid
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            e.state = State::Failed;
            e.error = Some("the worker stopped before the experiment finished".into());
            crate::live::remove(root, &e.id);
            save(root, &e)?;
        }
    }
    Ok(())
}
