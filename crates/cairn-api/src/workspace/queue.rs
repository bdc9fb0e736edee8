//! The experiment queue: Cairn's own (run here or on an SSH worker) and, read-only,
//! DVC's; and the two commands a worker machine runs for it.

use std::path::PathBuf;

use cairn_exp::dvc_queue::{self, DoneState};
use cairn_exp::queue::{self, Entry, State};
use cairn_exp::run::ExpRunOptions;
use cairn_exp::worker::{Worker, exec};
use cairn_run::CancelToken;
use serde::Serialize;

use super::{Result, Workspace, WorkspaceError, io};

/// A task of DVC's queue (`dvc exp run --queue`), which `dvc queue start` runs.
#[derive(Debug, Clone, Serialize)]
pub struct DvcQueued {
    /// Its stash commit.
    pub id: String,
    /// The experiment name, if one was given.
    pub name: Option<String>,
    /// The baseline commit.
    pub baseline: String,
    /// `running`, `queued`, `success` or `failed`.
    pub state: &'static str,
    /// When it was queued (seconds since the epoch).
    pub queued_s: Option<i64>,
    /// DVC's task id.
    pub task_id: String,
}

/// A queue entry's log, from either queue.
#[derive(Debug, Clone)]
pub struct EntryLog {
    /// The experiment's name.
    pub name: String,
    /// `queued`, `running`, `success` or `failed`.
    pub state: String,
    /// The SSH worker it runs on (its URL), none for this machine.
    pub worker: Option<String>,
    /// Run by DVC's own queue worker, not Cairn's.
    pub dvc_queue: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// The log so far.
    pub text: String,
}

/// Both queues: Cairn's entries, then DVC's running tasks, its queued ones and its
/// finished ones (failed first), as `dvc queue status` lists them.
#[derive(Debug, Clone)]
pub struct QueueStatus {
    /// Cairn's queue.
    pub entries: Vec<Entry>,
    /// DVC's queue.
    pub dvc: Vec<DvcQueued>,
}

impl Workspace {
    /// How many experiments wait in the queue.
    pub fn queued_count(&self) -> Result<usize> {
        Ok(queue::list(self.root())?
            .iter()
            .filter(|e| e.state == State::Queued)
            .count())
    }

    /// Opens an SSH worker (`ssh://[user@]host[:port]/folder`), checking the URL.
    pub fn worker(url: &str) -> Result<Worker> {
        Ok(Worker::open(url)?)
    }

    /// Runs queued experiments with `jobs` workers here, or on `worker`, until the queue
    /// is empty; `done` hears about each finished one.
    pub fn start_queue(
        &self,
        jobs: usize,
        worker: Option<&Worker>,
        cancel: &CancelToken,
        done: &(dyn Fn(&Entry) + Sync),
    ) -> Result<Vec<Entry>> {
        Ok(queue::start(self.root(), jobs, worker, cancel, done)?)
    }

    /// The log file of queue workers started in the background (its folder made).
    pub fn queue_workers_log(&self) -> Result<PathBuf> {
        let dir = queue::queue_dir(self.root());
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(dir.join("workers.log"))
    }

    /// Both queues, with entries whose worker died marked failed first.
    pub fn queue_status(&self) -> Result<QueueStatus> {
        queue::reap(self.root())?;
        let entries = queue::list(self.root())?;
        let git = self.git()?;
        let task = |q: dvc_queue::DvcQueued, state: &'static str| DvcQueued {
            queued_s: git.commit_time(&q.stash_rev).ok(),
            id: q.stash_rev,
            name: q.name,
            baseline: q.baseline_rev,
            state,
            task_id: q.task_id,
        };
        let dvc_queue::Taken { active, mut done } = dvc_queue::list_taken(self.root())?;
        let mut dvc: Vec<DvcQueued> = active
            .into_iter()
            .map(|a| task(a.entry, "running"))
            .collect();
        dvc.extend(
            dvc_queue::list_queued(self.root())?
                .into_iter()
                .map(|q| task(q, "queued")),
        );
        done.sort_by_key(|d| matches!(d.state, DoneState::Success { .. }));
        dvc.extend(done.into_iter().map(|d| {
            let state = d.state.label();
            task(d.entry, state)
        }));
        Ok(QueueStatus { entries, dvc })
    }

    /// A queued experiment (by name or id prefix) of either queue, and its log so far.
    pub fn queue_log(&self, experiment: &str) -> Result<EntryLog> {
        let found = queue::list(self.root())?
            .into_iter()
            .find(|e| e.name == experiment || e.id.starts_with(experiment));
        if let Some(e) = found {
            let text =
                std::fs::read_to_string(queue::log_path(self.root(), &e.id)).unwrap_or_default();
            return Ok(EntryLog {
                name: e.name,
                state: e.state.label().to_ascii_lowercase(),
                worker: e.worker,
                dvc_queue: false,
                error: e.error,
                text,
            });
        }
        self.dvc_task_log(experiment)
    }

    /// The log of a task DVC's worker runs or ran (`dvc queue logs`): its process's
    /// output file.
    fn dvc_task_log(&self, experiment: &str) -> Result<EntryLog> {
        let root = self.root();
        let dvc_queue::Taken { active, done } = dvc_queue::list_taken(root)?;
        let mut taken: Vec<(
            dvc_queue::DvcQueued,
            &'static str,
            Option<dvc_queue::ProcInfo>,
        )> = active
            .into_iter()
            .map(|a| (a.entry, "running", a.proc))
            .collect();
        taken.extend(done.into_iter().map(|d| (d.entry, d.state.label(), d.proc)));
        // DVC's `match_queue_entry_by_name`: a name first, then a commit prefix.
        let hex = !experiment.is_empty() && experiment.bytes().all(|b| b.is_ascii_hexdigit());
        let pick = taken
            .iter()
            .position(|(q, ..)| q.name.as_deref() == Some(experiment))
            .or_else(|| {
                taken.iter().position(|(q, ..)| {
                    hex && q.stash_rev.starts_with(&experiment.to_ascii_lowercase())
                })
            });
        let Some(i) = pick else {
            if dvc_queue::find_queued(root, experiment)?.is_some() {
                return Err(WorkspaceError::Invalid(format!(
                    "experiment '{experiment}' is in dvc's queue but has not been started"
                )));
            }
            return Err(WorkspaceError::NotFound(format!(
                "no queued experiment '{experiment}'"
            )));
        };
        let (q, state, proc) = taken.swap_remove(i);
        let Some(path) = proc.and_then(|p| p.stdout) else {
            return Err(WorkspaceError::NotFound(format!(
                "no output logs found for experiment '{experiment}' (dvc's worker has not \
                 started it yet, or it failed during setup)"
            )));
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        Ok(EntryLog {
            name: q.name.unwrap_or_else(|| q.stash_rev[..7].to_string()),
            state: state.into(),
            worker: None,
            dvc_queue: true,
            error: (state == "failed").then(|| "Experiment run failed".to_string()),
            text,
        })
    }

    /// Removes queued experiments (by name or id prefix; `all`: every one; `done`: the
    /// finished ones). Also returns the names given that are DVC's queue's, which are
    /// left to `dvc queue remove` (it owns their stash reflog and task messages).
    pub fn remove_queued(
        &self,
        names: &[String],
        all: bool,
        done: bool,
    ) -> Result<(Vec<Entry>, Vec<String>)> {
        let which: Vec<String> = if done {
            queue::list(self.root())?
                .into_iter()
                .filter(|e| matches!(e.state, State::Success | State::Failed))
                .map(|e| e.id)
                .collect()
        } else {
            names.to_vec()
        };
        let gone = queue::remove(self.root(), &which, all)?;
        let mut dvcs = Vec::new();
        for w in names {
            if !gone
                .iter()
                .any(|e| &e.name == w || e.id.starts_with(w.as_str()))
                && dvc_queue::find_queued(self.root(), w)?.is_some()
            {
                dvcs.push(w.clone());
            }
        }
        Ok((gone, dvcs))
    }

    /// On a worker machine: the cache objects this working copy refers to, as JSON.
    pub fn worker_objects(&self) -> Result<serde_json::Value> {
        Ok(serde_json::json!(exec::objects(self.root())?))
    }

    /// On a worker machine: runs the experiment in this working copy (its log on
    /// stdout) and returns the result line the sending machine reads. With
    /// `stop_on_eof`, the run is cancelled when stdin ends (the sender is gone).
    pub fn worker_run(
        &self,
        baseline: &str,
        name: Option<String>,
        set_params: Vec<String>,
        targets: Vec<String>,
        stop_on_eof: bool,
        cancel: &CancelToken,
    ) -> Result<String> {
        if stop_on_eof {
            exec::cancel_at_end_of_input(cancel);
        }
        let opts = ExpRunOptions {
            set_params,
            name,
            targets,
            jobs: 1,
            ..Default::default()
        };
        let result = exec::run(self.root(), baseline, &opts, cancel)?;
        Ok(exec::result_line(&result))
    }
}
