//! Experiments as `dvc exp` keeps them (`refs/exps/...`): run, show, compare, apply,
//! branch, remove, rename, list, notes; and params and metrics at any revision.

use cairn_exp::diff::{DiffResult, Kind, Rev, TrendPoint};
use cairn_exp::manage::Applied;
use cairn_exp::queue::{Entry, QueueOptions};
use cairn_exp::refs::ExpRef;
use cairn_exp::run::{ExpRunOptions, ExpRunResult};
use cairn_exp::show::{ShowOptions, ShowResult};
use cairn_exp::worker::Worker;
use cairn_run::CancelToken;
use cairn_run::engine::Sink;
use indexmap::IndexMap;

use super::{Result, Workspace};

pub use cairn_exp::collect::FileResult;

/// How to run an experiment from the command line: what `exp run` takes, and for a
/// queued sweep, how to sample it.
#[derive(Debug, Clone, Default)]
pub struct ExpRun {
    /// Overrides (with `queue`, sweeps too), name, targets, force, jobs, message.
    pub options: ExpRunOptions,
    /// With a sweep, queue a random sample of this many grid points (`queue` only).
    pub samples: Option<usize>,
    /// The seed for `samples`.
    pub seed: Option<u64>,
}

/// One side of a params/metrics comparison.
pub type Side = Rev;

/// Params and metrics that differ between two sides.
#[derive(Debug)]
pub struct ExpDiff {
    /// The old side.
    pub old: Side,
    /// The new side.
    pub new: Side,
    /// Changed params per file.
    pub params: DiffResult,
    /// Changed metrics per file.
    pub metrics: DiffResult,
}

/// An experiment run right away in its own working copy (`--temp`, `--on`).
#[derive(Debug, Clone)]
pub struct Finished {
    /// Its name.
    pub name: String,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl ExpRun {
    fn queue_options(&self, sample: bool) -> QueueOptions {
        QueueOptions {
            set_params: self.options.set_params.clone(),
            name: self.options.name.clone(),
            targets: self.options.targets.clone(),
            samples: if sample { self.samples } else { None },
            seed: if sample { self.seed } else { None },
        }
    }
}

impl Workspace {
    /// Runs an experiment in the work tree and records it under `refs/exps`; the
    /// results stay in the work tree, as `dvc exp run` leaves them.
    pub fn run_experiment(
        &self,
        run: &ExpRun,
        sink: Sink,
        cancel: &CancelToken,
    ) -> Result<ExpRunResult> {
        let opts = ExpRunOptions {
            jobs: run.options.jobs.max(1),
            ..run.options.clone()
        };
        Ok(cairn_exp::run::run_experiment(
            self.root(),
            &opts,
            sink,
            cancel,
        )?)
    }

    /// Queues one experiment per grid point of `run`'s sweep (`cairn queue start` runs
    /// them).
    pub fn queue_experiments(&self, run: &ExpRun) -> Result<Vec<Entry>> {
        Ok(cairn_exp::queue::enqueue(
            self.root(),
            &run.queue_options(true),
        )?)
    }

    /// Runs `run` now in a working copy of its own, here or (`on`:
    /// `ssh://[user@]host[:port]/folder`) on another machine, one grid point at a time;
    /// the work tree is left as it is. Each finished one goes to `done`; the successful
    /// ones leave the queue, as dvc's temp runs do.
    pub fn run_experiments_apart(
        &self,
        run: &ExpRun,
        on: Option<&str>,
        cancel: &CancelToken,
        done: &dyn Fn(&Finished),
    ) -> Result<Vec<Finished>> {
        let worker = on.map(Worker::open).transpose()?;
        // Sampling a sweep is `--queue`'s alone.
        let entries = cairn_exp::queue::enqueue(self.root(), &run.queue_options(false))?;
        let mut out = Vec::new();
        for e in entries {
            let ran = match &worker {
                Some(w) => cairn_exp::worker::run_entry_on(self.root(), e, w, cancel)?,
                None => cairn_exp::queue::run_entry(self.root(), e, cancel)?,
            };
            if ran.error.is_none() {
                cairn_exp::queue::remove(self.root(), std::slice::from_ref(&ran.id), false)?;
            }
            let f = Finished {
                name: ran.name,
                error: ran.error,
            };
            done(&f);
            out.push(f);
        }
        Ok(out)
    }

    /// The baselines and their experiments with params and metrics (`dvc exp show`).
    pub fn show_experiments(&self, opts: &ShowOptions) -> Result<ShowResult> {
        Ok(cairn_exp::show::show(self.root(), opts)?)
    }

    /// Params and metrics that differ between `a` and `b`. One side given that is an
    /// experiment: it against its baseline; another revision: it against the work tree;
    /// none: `HEAD` against the work tree.
    pub fn experiment_diff(&self, a: Option<&str>, b: Option<&str>, all: bool) -> Result<ExpDiff> {
        let (old, new) = match (a, b) {
            (Some(x), Some(y)) => (Rev::parse(x), Rev::parse(y)),
            (Some(x), None) => match cairn_exp::refs::resolve(&self.git()?, x) {
                Ok(r) => (Rev::Named(r.baseline), Rev::Named(r.commit)),
                Err(_) => (Rev::parse(x), Rev::Workspace),
            },
            _ => (Rev::Named("HEAD".into()), Rev::Workspace),
        };
        Ok(ExpDiff {
            params: self.value_diff(Kind::Params, &old, &new, all)?,
            metrics: self.value_diff(Kind::Metrics, &old, &new, all)?,
            old,
            new,
        })
    }

    /// Params (or metrics) that differ between revision `a` (default `HEAD`) and `b`
    /// (default: the work tree); `all` keeps unchanged ones.
    pub fn diff_values(
        &self,
        metrics: bool,
        a: Option<&str>,
        b: Option<&str>,
        all: bool,
    ) -> Result<(Side, Side, DiffResult)> {
        let old = Rev::parse(a.unwrap_or("HEAD"));
        let new = Rev::parse(b.unwrap_or("workspace"));
        let kind = if metrics { Kind::Metrics } else { Kind::Params };
        let d = self.value_diff(kind, &old, &new, all)?;
        Ok((old, new, d))
    }

    fn value_diff(&self, kind: Kind, old: &Rev, new: &Rev, all: bool) -> Result<DiffResult> {
        let read = |r: &Rev| cairn_exp::diff::read(self.root(), r, kind);
        Ok(cairn_exp::diff::diff(&read(old)?, &read(new)?, all))
    }

    /// The metrics files at `rev` (default: the work tree), each read or its error.
    pub fn metrics(&self, rev: Option<&str>) -> Result<(Side, IndexMap<String, FileResult>)> {
        let rev = rev.map(Rev::parse).unwrap_or(Rev::Workspace);
        let files = cairn_exp::diff::read(self.root(), &rev, Kind::Metrics)?;
        Ok((rev, files))
    }

    /// The metrics of the last `n` commits up to `rev` (first parents), oldest first.
    pub fn metric_trend(&self, rev: Option<&str>, n: usize) -> Result<Vec<TrendPoint>> {
        Ok(cairn_exp::diff::trend(
            self.root(),
            rev.unwrap_or("HEAD"),
            n,
        )?)
    }

    /// Writes an experiment's results into the work tree (uncommitted), saving
    /// uncommitted changes first.
    pub fn apply_experiment(&self, experiment: &str) -> Result<Applied> {
        Ok(cairn_exp::manage::apply(self.root(), experiment)?)
    }

    /// Makes a git branch (default `<experiment>-branch`) of an experiment; returns the
    /// branch and its commit.
    pub fn branch_experiment(
        &self,
        experiment: &str,
        branch: Option<&str>,
    ) -> Result<(String, String)> {
        Ok(cairn_exp::manage::branch(self.root(), experiment, branch)?)
    }

    /// Deletes experiments (`all`: every one of the current baseline).
    pub fn remove_experiments(&self, names: &[String], all: bool) -> Result<Vec<ExpRef>> {
        Ok(cairn_exp::manage::remove(self.root(), names, all)?)
    }

    /// Renames an experiment (`force`: replacing one with the new name).
    pub fn rename_experiment(&self, old: &str, new: &str, force: bool) -> Result<ExpRef> {
        Ok(cairn_exp::manage::rename(self.root(), old, new, force)?)
    }

    /// The experiments of the current baseline (`all`: of every baseline), each with
    /// its baseline as people name it (a branch, a tag, or a short commit id).
    pub fn list_experiments(&self, all: bool) -> Result<Vec<(ExpRef, String)>> {
        let refs = cairn_exp::manage::list(self.root(), all)?;
        let git = self.git()?;
        let mut names: std::collections::HashMap<String, String> = Default::default();
        Ok(refs
            .into_iter()
            .map(|r| {
                let name = names
                    .entry(r.baseline.clone())
                    .or_insert_with(|| {
                        cairn_exp::show::describe(&git, std::slice::from_ref(&r.baseline))
                            .pop()
                            .flatten()
                            .unwrap_or_else(|| r.baseline[..7].to_string())
                    })
                    .clone();
                (r, name)
            })
            .collect())
    }

    /// The note on an experiment or any revision (a git note under `refs/notes/cairn`).
    pub fn note(&self, target: &str) -> Result<Option<String>> {
        let git = self.git()?;
        let commit = cairn_exp::diff::resolve_rev(&git, target)?;
        Ok(git.note(&commit)?)
    }

    /// Writes (an empty `text`: removes) the note on an experiment or any revision.
    pub fn set_note(&self, target: &str, text: &str) -> Result<()> {
        let git = self.git()?;
        let commit = cairn_exp::diff::resolve_rev(&git, target)?;
        Ok(git.set_note(&commit, text)?)
    }
}
