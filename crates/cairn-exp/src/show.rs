//! `exp show`: the workspace, baseline commits and the experiments derived from each,
//! in the exact JSON shape of `dvc exp show --json`, read from git objects in parallel.

use std::path::Path;

use cairn_git::Git;
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::cache::ExpCache;
use crate::collect::{ExpData, collect_with, iso_timestamp};
use crate::dvc_queue;
use crate::error::ExpError;
use crate::queue;
use crate::refs::{ExpRef, list_exp_refs};
use crate::snapshot::{ParseCache, RevFs, Snapshot};

/// Which baselines to show.
#[derive(Debug, Clone, Default)]
pub struct ShowOptions {
    /// Baseline revisions (default `HEAD`).
    pub revs: Vec<String>,
    /// Commits per rev, walking first parents (`-n`); 1 by default.
    pub num: usize,
    /// Every branch.
    pub all_branches: bool,
    /// Every tag.
    pub all_tags: bool,
    /// Every commit.
    pub all_commits: bool,
    /// Leave the workspace row out.
    pub hide_workspace: bool,
    /// Leave queued experiments out.
    pub hide_queued: bool,
    /// Leave failed experiments of DVC's queue out (`--hide-failed`).
    pub hide_failed: bool,
    /// Only params that stages depend on (`--param-deps`).
    pub param_deps: bool,
    /// Baselines unnamed (`--sha`).
    pub sha_only: bool,
}

/// One experiment (a ref under `refs/exps/<baseline>/`).
#[derive(Debug, Clone)]
pub struct ExpEntry {
    /// Ref name (`e-lr02`).
    pub name: String,
    /// States along the experiment branch, tip first.
    pub revs: Vec<RevState>,
    /// Queue executor info (`null` for plain experiments).
    pub executor: Option<Value>,
}

/// A revision's data, or the error that stopped it from loading.
#[derive(Debug, Clone)]
pub struct RevState {
    /// Commit or `workspace`.
    pub rev: String,
    /// Name (branch, tag or experiment).
    pub name: Option<String>,
    /// Collected data.
    pub data: Option<ExpData>,
    /// Why collection failed.
    pub error: Option<(String, String)>,
}

impl RevState {
    fn to_json(&self, experiments: Option<Value>) -> Value {
        let mut o = Map::new();
        o.insert("rev".into(), json!(self.rev));
        o.insert("name".into(), json!(self.name));
        o.insert(
            "data".into(),
            self.data
                .as_ref()
                .map(ExpData::to_json)
                .unwrap_or(Value::Null),
        );
        o.insert(
            "error".into(),
            // DVC's `SerializableError` field order.
            match &self.error {
                Some((t, m)) => json!({"msg": m, "type": t}),
                None => Value::Null,
            },
        );
        o.insert("experiments".into(), experiments.unwrap_or(Value::Null));
        Value::Object(o)
    }
}

/// A baseline with its experiments.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The baseline commit.
    pub state: RevState,
    /// Its experiments, newest first.
    pub experiments: Vec<ExpEntry>,
}

/// The whole table.
#[derive(Debug, Clone)]
pub struct ShowResult {
    /// The work tree, unless hidden.
    pub workspace: Option<RevState>,
    /// Baselines in order.
    pub baselines: Vec<Baseline>,
}

impl ShowResult {
    /// DVC's `exp show --json` list.
    pub fn to_json(&self) -> Value {
        let mut out = Vec::new();
        if let Some(w) = &self.workspace {
            out.push(w.to_json(None));
        }
        for b in &self.baselines {
            let exps: Vec<Value> = b
                .experiments
                .iter()
                .map(|e| {
                    let mut o = Map::new();
                    o.insert(
                        "revs".into(),
                        Value::Array(e.revs.iter().map(|r| r.to_json(None)).collect()),
                    );
                    o.insert("executor".into(), e.executor.clone().unwrap_or(Value::Null));
                    // Cairn never makes an empty name; only an unnamed DVC queue entry
                    // (older DVC) has none, and DVC prints that as null.
                    o.insert(
                        "name".into(),
                        if e.name.is_empty() {
                            Value::Null
                        } else {
                            json!(e.name)
                        },
                    );
                    Value::Object(o)
                })
                .collect();
            out.push(
                b.state
                    .to_json((!exps.is_empty()).then_some(Value::Array(exps))),
            );
        }
        Value::Array(out)
    }

    /// All rows (baselines and experiment tips), for tables.
    pub fn rows(&self) -> Vec<(&RevState, Option<&str>)> {
        let mut out = Vec::new();
        if let Some(w) = &self.workspace {
            out.push((w, None));
        }
        for b in &self.baselines {
            out.push((&b.state, None));
            for e in &b.experiments {
                if let Some(r) = e.revs.first() {
                    out.push((r, Some(b.state.rev.as_str())));
                }
            }
        }
        out
    }
}

/// Collects one commit (fresh git handle: safe from any thread).
pub fn collect_commit(root: &Path, rev: &str, name: Option<String>) -> RevState {
    let git = match Git::discover(root) {
        Ok(g) => g,
        Err(e) => {
            return RevState {
                rev: rev.into(),
                name,
                data: None,
                error: Some(("SCMError".into(), e.to_string())),
            };
        }
    };
    collect_commit_with(&git, rev, name)
}

/// Collects one commit with an open repository.
pub fn collect_commit_with(git: &Git, rev: &str, name: Option<String>) -> RevState {
    let odb = cairn_data::Repo::open(git.root())
        .map(|r| r.odb().clone())
        .unwrap_or_else(|_| cairn_data::odb::Odb::new(git.root().join(".dvc").join("cache")));
    collect_commit_shared(git, rev, name, &odb, &ParseCache::default(), false)
}

/// Collects one commit, sharing the cache location and parsed files with other commits.
pub fn collect_commit_shared(
    git: &Git,
    rev: &str,
    name: Option<String>,
    odb: &cairn_data::odb::Odb,
    cache: &ParseCache,
    param_deps: bool,
) -> RevState {
    let ts = git.commit_time(rev).ok().map(iso_timestamp);
    let fs = RevFs::new(git, rev);
    let snap = Snapshot::at_shared(rev, &fs, git.root(), odb, cache);
    if let Err(e) = &snap.project {
        return RevState {
            rev: rev.into(),
            name,
            data: None,
            error: Some(("DvcException".into(), e.clone())),
        };
    }
    RevState {
        rev: rev.into(),
        name,
        data: Some(collect_with(&snap, ts, param_deps)),
        error: None,
    }
}

/// The work tree's state.
pub fn collect_workspace(root: &Path) -> RevState {
    collect_workspace_with(root, false)
}

/// Like [`collect_workspace`]; `param_deps` keeps only the params stages depend on.
pub fn collect_workspace_with(root: &Path, param_deps: bool) -> RevState {
    let snap = Snapshot::workspace(root);
    if let Err(e) = &snap.project {
        return RevState {
            rev: "workspace".into(),
            name: None,
            data: None,
            error: Some(("DvcException".into(), e.clone())),
        };
    }
    RevState {
        rev: "workspace".into(),
        name: None,
        data: Some(collect_with(&snap, None, param_deps)),
        error: None,
    }
}

/// Baseline commits as DVC's `iter_revs` orders them.
pub fn baseline_revs(git: &Git, opts: &ShowOptions) -> Result<Vec<String>, ExpError> {
    let mut revs = opts.revs.clone();
    if revs.is_empty() && !opts.all_branches && !opts.all_tags && !opts.all_commits {
        revs.push("HEAD".into());
    }
    let num = if opts.num == 0 { 1 } else { opts.num };
    let mut out: Vec<String> = Vec::new();
    let push = |c: String, out: &mut Vec<String>| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    for r in &revs {
        let c = git.resolve(r)?;
        for id in git.first_parents(&c, num)? {
            push(id, &mut out);
        }
    }
    if opts.all_commits {
        for id in git.all_commits_by_date()? {
            push(id, &mut out);
        }
    } else {
        if opts.all_branches {
            for (_, tip) in git.branches()? {
                for id in git.first_parents(&tip, num)? {
                    push(id, &mut out);
                }
            }
        }
        if opts.all_tags {
            for (_, c) in git.tags()? {
                push(c, &mut out);
            }
        }
    }
    Ok(out)
}

/// DVC's `describe`: current branch, then tags, then branches.
pub fn describe(git: &Git, revs: &[String]) -> Vec<Option<String>> {
    let head = git.head_commit();
    let cur = git.current_branch();
    let tags = git.tags().unwrap_or_default();
    let branches = git.branches().unwrap_or_default();
    revs.iter()
        .map(|r| {
            if Some(r) == head.as_ref() && cur.is_some() {
                return cur.clone();
            }
            tags.iter()
                .find(|(_, c)| c == r)
                .or_else(|| branches.iter().find(|(_, c)| c == r))
                .map(|(n, _)| n.clone())
        })
        .collect()
}

/// Builds the `exp show` table.
pub fn show(root: &Path, opts: &ShowOptions) -> Result<ShowResult, ExpError> {
    let git = Git::discover(root)?;
    let root = git.root().to_path_buf();
    if !git.has_commits() {
        return Ok(ShowResult {
            workspace: None,
            baselines: Vec::new(),
        });
    }
    let baselines = baseline_revs(&git, opts)?;
    let names = if opts.sha_only {
        vec![None; baselines.len()]
    } else {
        describe(&git, &baselines)
    };
    let refs = list_exp_refs(&git)?;
    // Every commit to collect: baselines, then each experiment branch (tip back to its
    // baseline, exclusive).
    struct Job {
        rev: String,
        name: Option<String>,
        /// DVC collects baselines in full even with `--param-deps`.
        param_deps: bool,
    }
    let mut jobs: Vec<Job> = Vec::new();
    for (b, n) in baselines.iter().zip(&names) {
        jobs.push(Job {
            rev: b.clone(),
            name: n.clone(),
            param_deps: false,
        });
    }
    let mut exp_plan: Vec<(usize, &ExpRef, Vec<String>)> = Vec::new();
    for (bi, b) in baselines.iter().enumerate() {
        for r in refs.iter().filter(|r| &r.baseline == b) {
            exp_plan.push((bi, r, branch_revs(&git, &r.commit, b)?));
        }
    }
    let exp_start = jobs.len();
    for (_, r, chain) in &exp_plan {
        for (i, c) in chain.iter().enumerate() {
            jobs.push(Job {
                rev: c.clone(),
                name: (i == 0).then(|| r.name.clone()),
                param_deps: opts.param_deps,
            });
        }
    }
    // Experiments DVC queued: DVC's `collect_queued_data` collects each stash commit
    // like any revision (with the caller's `param_deps`), for the baselines shown only.
    let dvc_start = jobs.len();
    let dvc_queued: Vec<(usize, dvc_queue::DvcQueued)> = if opts.hide_queued {
        Vec::new()
    } else {
        dvc_queue::list_queued(&root)?
            .into_iter()
            .filter_map(|q| {
                let bi = baselines.iter().position(|b| *b == q.baseline_rev)?;
                Some((bi, q))
            })
            .collect()
    };
    for (_, q) in &dvc_queued {
        jobs.push(Job {
            rev: q.stash_rev.clone(),
            name: q.name.clone(),
            param_deps: opts.param_deps,
        });
    }
    // Tasks DVC's workers finished: successful ones lend their executor to the
    // experiment ref they made; failed ones are listed from their stash commit.
    let dvc_queue::Taken {
        active: dvc_active,
        done: dvc_done,
    } = dvc_queue::list_taken(&root)?;
    let (dvc_success, dvc_failed): (Vec<_>, Vec<_>) = dvc_done
        .into_iter()
        .filter(|d| baselines.contains(&d.entry.baseline_rev))
        .partition(|d| matches!(d.state, dvc_queue::DoneState::Success { .. }));
    let failed_start = jobs.len();
    let dvc_failed: Vec<(usize, dvc_queue::DvcDone)> = if opts.hide_failed {
        Vec::new()
    } else {
        dvc_failed
            .into_iter()
            .filter_map(|d| {
                let bi = baselines.iter().position(|b| *b == d.entry.baseline_rev)?;
                Some((bi, d))
            })
            .collect()
    };
    for (_, d) in &dvc_failed {
        jobs.push(Job {
            rev: d.entry.stash_rev.clone(),
            name: d.entry.name.clone(),
            param_deps: opts.param_deps,
        });
    }
    // A task a worker has just taken, before its executor records where it works: DVC's
    // `exp show` fails on the missing info file there. Cairn lists it as running, with
    // what its stash commit says (like a queued one) until the executor is set up.
    let (dvc_active, dvc_starting): (Vec<_>, Vec<_>) =
        dvc_active.into_iter().partition(|a| a.exec.is_some());
    let starting_start = jobs.len();
    let dvc_starting: Vec<(usize, dvc_queue::DvcActive)> = dvc_starting
        .into_iter()
        .filter_map(|a| {
            let bi = baselines.iter().position(|b| *b == a.entry.baseline_rev)?;
            Some((bi, a))
        })
        .collect();
    for (_, a) in &dvc_starting {
        jobs.push(Job {
            rev: a.entry.stash_rev.clone(),
            name: a.entry.name.clone(),
            param_deps: opts.param_deps,
        });
    }
    let workspace = (!opts.hide_workspace).then(|| collect_workspace_with(&root, opts.param_deps));
    let odb = cairn_data::Repo::open(&root)
        .map(|r| r.odb().clone())
        .unwrap_or_else(|_| cairn_data::odb::Odb::new(root.join(".dvc").join("cache")));
    let cache = ParseCache::default();
    // Like DVC, the per-commit cache holds full results only.
    let mut exp_cache = ExpCache::load(&root);
    let states: Vec<RevState> = jobs
        .par_iter()
        .map_init(
            || Git::discover(&root).ok(),
            |g, j| {
                if let Some(data) = (!j.param_deps).then(|| exp_cache.get(&j.rev)).flatten() {
                    return RevState {
                        rev: j.rev.clone(),
                        name: j.name.clone(),
                        data: Some(data),
                        error: None,
                    };
                }
                match g {
                    Some(g) => {
                        collect_commit_shared(g, &j.rev, j.name.clone(), &odb, &cache, j.param_deps)
                    }
                    None => collect_commit(&root, &j.rev, j.name.clone()),
                }
            },
        )
        .collect();
    for (s, j) in states.iter().zip(&jobs) {
        if let Some(d) = &s.data
            && !d.contains_error()
            && !j.param_deps
        {
            exp_cache.put(&s.rev, d);
        }
    }
    exp_cache.save();
    let mut out: Vec<Baseline> = states[..exp_start]
        .iter()
        .map(|s| Baseline {
            state: s.clone(),
            experiments: Vec::new(),
        })
        .collect();
    let mut k = exp_start;
    for (bi, r, chain) in &exp_plan {
        let revs: Vec<RevState> = states[k..k + chain.len()].to_vec();
        k += chain.len();
        if revs.is_empty() {
            continue;
        }
        let executor = dvc_success.iter().find_map(|d| match &d.state {
            dvc_queue::DoneState::Success { exp_ref } if *exp_ref == r.refname => {
                Some(d.executor_json())
            }
            _ => None,
        });
        out[*bi].experiments.push(ExpEntry {
            name: r.name.clone(),
            revs,
            executor,
        });
    }
    for ((bi, q), state) in dvc_queued.iter().zip(&states[dvc_start..]) {
        let mut state = state.clone();
        // DVC rebuilds queued data without metrics: nothing has run yet, whatever
        // metrics files the stash commit carries are the baseline's.
        if let Some(d) = &mut state.data {
            d.metrics.clear();
        }
        out[*bi].experiments.push(ExpEntry {
            name: q.name.clone().unwrap_or_default(),
            revs: vec![state],
            executor: Some(q.executor_json()),
        });
    }
    for ((bi, d), state) in dvc_failed.iter().zip(&states[failed_start..starting_start]) {
        // Unlike queued ones, DVC keeps whatever the stash commit's metrics say.
        let mut state = state.clone();
        state.error = Some((String::new(), "Experiment run failed".into()));
        out[*bi].experiments.push(ExpEntry {
            name: d.entry.name.clone().unwrap_or_default(),
            revs: vec![state],
            executor: Some(d.executor_json()),
        });
    }
    for ((bi, a), state) in dvc_starting.iter().zip(&states[starting_start..]) {
        let mut state = state.clone();
        // Nothing has run yet: the stash commit's metrics files are the baseline's.
        if let Some(d) = &mut state.data {
            d.metrics.clear();
        }
        out[*bi].experiments.push(ExpEntry {
            name: a.entry.name.clone().unwrap_or_default(),
            revs: vec![state],
            executor: Some(a.executor_json()),
        });
    }
    // Tasks DVC's workers are running, read from their executors' repositories.
    for a in dvc_active {
        let (Some(bi), Some(exec)) = (
            baselines.iter().position(|b| *b == a.entry.baseline_rev),
            &a.exec,
        ) else {
            continue;
        };
        out[bi].experiments.push(ExpEntry {
            name: a.entry.name.clone().unwrap_or_default(),
            revs: collect_running(&a, exec, opts.param_deps),
            executor: Some(a.executor_json()),
        });
    }
    // Queued experiments (Cairn's queue) after the finished ones, like DVC's order
    // (active, successful, queued, failed).
    if !opts.hide_queued
        && let Ok(entries) = queue::list(&root)
    {
        for e in entries {
            if let Some(b) = out.iter_mut().find(|b| b.state.rev == e.baseline)
                && e.state != queue::State::Success
            {
                b.experiments.push(e.to_exp_entry(&root));
            }
        }
    }
    for b in &mut out {
        sort_experiments(&mut b.experiments);
    }
    Ok(ShowResult {
        workspace,
        baselines: out,
    })
}

/// Commits from `tip` back along first parents to `baseline` (exclusive), tip first —
/// scmrepo's `branch_revs`, capped at 1,000.
fn branch_revs(git: &Git, tip: &str, baseline: &str) -> Result<Vec<String>, ExpError> {
    let mut chain = Vec::new();
    let mut cur = tip.to_string();
    while cur != baseline && chain.len() <= 1000 {
        chain.push(cur.clone());
        match git.commit_meta(&cur)?.parents.first() {
            Some(p) => cur = p.clone(),
            None => break,
        }
    }
    Ok(chain)
}

/// A running DVC task's rows as DVC's `collect_exec_branch` collects them from the
/// executor's temporary repository: its work tree (under the task's id and name), then
/// any commits the run has already made on top of its baseline.
fn collect_running(
    active: &dvc_queue::DvcActive,
    exec: &dvc_queue::ExecDir,
    param_deps: bool,
) -> Vec<RevState> {
    let project = exec.project();
    let mut work = collect_workspace_with(&project, param_deps);
    work.rev = active.entry.stash_rev.clone();
    work.name = active.entry.name.clone();
    let mut revs = vec![work];
    // The executor may have just committed (the run is over, its result not yet
    // recorded); a repository that has gone meanwhile leaves the work tree row only.
    if let Ok(git) = Git::discover(&project)
        && let Some(head) = git.head_commit()
        && head != active.entry.baseline_rev
        && let Ok(chain) = branch_revs(&git, &head, &active.entry.baseline_rev)
    {
        let odb = cairn_data::Repo::open(&project)
            .map(|r| r.odb().clone())
            .unwrap_or_else(|_| cairn_data::odb::Odb::new(project.join(".dvc").join("cache")));
        let cache = ParseCache::default();
        revs.extend(
            chain
                .iter()
                .map(|c| collect_commit_shared(&git, c, None, &odb, &cache, param_deps)),
        );
    }
    revs
}

/// DVC's `collect`: groups in the order active, successful, queued, failed, each
/// sorted by `_sorted_ranges` — (timestamp, rev) of the tip, newest first.
fn sort_experiments(exps: &mut [ExpEntry]) {
    let key = |e: &ExpEntry| -> (u8, String, String) {
        let group = match e
            .executor
            .as_ref()
            .and_then(|x| x.get("state"))
            .and_then(Value::as_str)
        {
            Some("running") => 3,
            Some("queued") => 1,
            Some("failed") => 0,
            // Finished experiments (no executor, or "success").
            _ => 2,
        };
        let tip = e.revs.first();
        (
            group,
            tip.and_then(|r| r.data.as_ref())
                .and_then(|d| d.timestamp.clone())
                .unwrap_or_default(),
            tip.map(|r| r.rev.clone()).unwrap_or_default(),
        )
    };
    exps.sort_by_key(|e| std::cmp::Reverse(key(e)));
}
