//! `exp run` in a working copy, the way DVC's workspace executor does it: apply the
//! `-S` overrides to the params files, reproduce, then record an experiment commit
//! (parent = baseline, tree = baseline + `git add -u` + the stage files, top-level
//! metrics/params/plots and overridden params files, message
//! `dvc: commit experiment <sha256 of the lock data of the stages that ran>`) under
//! `refs/exps/<baseline[:2]>/<baseline[2:]>/<name>`. HEAD, the index and the work tree's
//! results are left exactly as `dvc exp run` leaves them: HEAD on the baseline branch,
//! the results (and overrides) as uncommitted changes in the work tree.

use std::path::{Path, PathBuf};

use cairn_git::Git;
use cairn_pipeline::load_project;
use cairn_run::{CancelToken, RunOptions, RunStatus, RunSummary, StageOutcome};
use indexmap::IndexMap;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::ExpError;
use crate::names::unique_name;
use crate::overrides::{apply_to_file, has_sweep, to_path_overrides};
use crate::refs::{EXEC_HEAD, ref_name, validate_name};
use crate::snapshot::lock_path_for;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct ExpRunOptions {
    /// `-S [file:]key=value` overrides.
    pub set_params: Vec<String>,
    /// Experiment name (generated when absent).
    pub name: Option<String>,
    /// Stages to reproduce (all when empty).
    pub targets: Vec<String>,
    /// Reproduce every stage and replace an existing experiment of the same name.
    pub force: bool,
    /// Stages at once.
    pub jobs: usize,
    /// Custom commit message.
    pub message: Option<String>,
}

/// What a run recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExpRunResult {
    /// Experiment name.
    pub name: String,
    /// The experiment commit.
    pub commit: String,
    /// Its ref.
    pub refname: String,
    /// The baseline commit.
    pub baseline: String,
    /// DVC's experiment hash (sha256 of the stages' lock data).
    pub exp_hash: String,
    /// The repro summary.
    pub summary: RunSummary,
}

/// DVC's `reproduce` without targets means `dvc.yaml` (the root pipeline file and
/// what it depends on), not every pipeline in the repository: sub-directory pipelines
/// only run when named. With no root `dvc.yaml`, everything is the target.
/// The main working copy's root when `git` is a linked worktree (queue workers): DVC
/// points `DVC_ROOT` at the parent repository, not the executor's copy.
fn main_repo_root(git: &Git) -> Option<PathBuf> {
    let common = git.common_dir()?;
    let parent = common.parent()?;
    (parent != git.root()).then(|| parent.to_path_buf())
}

/// sha256 over `json.dumps(data, sort_keys=True)` (DVC's `dict_sha256`).
pub fn dict_sha256(v: &Value) -> String {
    let s = cairn_pipeline::pynum::dumps(v, true);
    let d = Sha256::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// DVC's `hash_exp`: the lock entries (`{name: entry}`) of the stages that ran.
pub fn exp_hash(root: &Path, ran: &[String]) -> Result<String, ExpError> {
    let project = load_project(root)?;
    let mut data = serde_json::Map::new();
    let mut locks: IndexMap<String, Value> = IndexMap::new();
    for s in project.stages() {
        if s.data_source || !ran.contains(&s.addressing) {
            continue;
        }
        let lock = lock_path_for(&s.dvcfile);
        if !locks.contains_key(&lock) {
            let v = std::fs::read_to_string(root.join(&lock))
                .ok()
                .and_then(|t| cairn_yaml::parse(&t).ok())
                .map(|n| cairn_pipeline::data::Data::from_node(&n).to_json())
                .unwrap_or(Value::Null);
            locks.insert(lock.clone(), v);
        }
        if let Some(entry) = locks[&lock].get("stages").and_then(|st| st.get(&s.name)) {
            data.insert(s.name.clone(), entry.clone());
        }
    }
    Ok(dict_sha256(&Value::Object(data)))
}

/// Paths DVC stages for the experiment commit besides `git add -u`: per stage that ran,
/// its pipeline and lock file, in-repo deps that DVC does not track and uncached outs
/// (`_get_stage_files`); the top-level metrics, params and plots; the overridden params
/// files. Directories expand to their files; git-ignored files are skipped.
pub fn staged_paths(
    root: &Path,
    git: &Git,
    ran: &[String],
    params_files: &[String],
) -> Result<Vec<String>, ExpError> {
    let project = load_project(root)?;
    let mut paths: Vec<String> = Vec::new();
    let dvc_outs: Vec<String> = project
        .stages()
        .flat_map(|s| {
            s.outs
                .iter()
                .filter(|o| o.cache)
                .filter_map(move |o| o.repo_path(s))
        })
        .collect();
    for s in project.stages() {
        if !ran.contains(&s.addressing) || s.data_source {
            continue;
        }
        paths.push(s.dvcfile.clone());
        paths.push(lock_path_for(&s.dvcfile));
        for d in &s.deps {
            if let Some(p) = s.dep_repo_path(&d.path)
                && !dvc_outs
                    .iter()
                    .any(|o| &p == o || p.starts_with(&format!("{o}/")))
            {
                paths.push(p);
            }
        }
        for o in &s.outs {
            if !o.cache
                && let Some(p) = o.repo_path(s)
            {
                paths.push(p);
            }
        }
    }
    for f in &project.files {
        let dir = cairn_pipeline::fs::parent(&f.path);
        for v in f.metrics.iter().chain(&f.params) {
            if let Some(p) = v.as_str() {
                paths.push(cairn_pipeline::fs::repo_path(dir, p));
            }
        }
        for v in &f.plots {
            match v {
                Value::String(p) => paths.push(cairn_pipeline::fs::repo_path(dir, p)),
                Value::Object(m) => {
                    for (id, def) in m {
                        // A definition's `y: {file: field}` names its sources; else the id.
                        match def.get("y") {
                            Some(Value::Object(files)) => {
                                for file in files.keys() {
                                    paths.push(cairn_pipeline::fs::repo_path(dir, file));
                                }
                            }
                            _ => paths.push(cairn_pipeline::fs::repo_path(dir, id)),
                        }
                    }
                }
                _ => {}
            }
        }
    }
    paths.extend(params_files.iter().cloned());
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        let abs = root.join(&p);
        if abs.is_dir() {
            for f in walk_files(&abs) {
                if let Ok(rel) = f.strip_prefix(root) {
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    if !git.is_ignored(&f) && !out.contains(&rel) {
                        out.push(rel);
                    }
                }
            }
        } else if abs.exists() && !git.is_ignored(&abs) && !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Applies `-S` overrides (no sweeps) to the params files under `root`; returns the
/// files it changed.
pub fn apply_overrides(root: &Path, set_params: &[String]) -> Result<Vec<String>, ExpError> {
    let grouped = to_path_overrides(set_params);
    if has_sweep(&grouped)? {
        return Err(ExpError::Invalid(
            "Sweep overrides can't be used without `--queue`".into(),
        ));
    }
    for (file, ovs) in &grouped {
        apply_to_file(&root.join(file), file, ovs)?;
    }
    Ok(grouped.keys().cloned().collect())
}

/// Runs an experiment in the working copy at `root` and records it.
pub fn run_experiment(
    root: &Path,
    opts: &ExpRunOptions,
    sink: cairn_run::engine::Sink,
    cancel: &CancelToken,
) -> Result<ExpRunResult, ExpError> {
    let git = Git::discover(root)?;
    let baseline = git.head_commit().ok_or_else(|| {
        ExpError::Invalid("the repository has no commits yet; commit a baseline first".into())
    })?;
    run_experiment_on(git.root(), &baseline, opts, sink, cancel)
}

/// Like [`run_experiment`] with an explicit baseline (the experiment commit's parent);
/// queue workers use it in worktrees whose HEAD is a snapshot of the queued work tree.
pub fn run_experiment_on(
    root: &Path,
    baseline: &str,
    opts: &ExpRunOptions,
    sink: cairn_run::engine::Sink,
    cancel: &CancelToken,
) -> Result<ExpRunResult, ExpError> {
    let git = Git::discover(root)?;
    let root = git.root().to_path_buf();
    let baseline = baseline.to_string();
    let name = match &opts.name {
        Some(n) => {
            validate_name(n)?;
            n.clone()
        }
        None => unique_name(|n| git.ref_target(&ref_name(&baseline, n)).is_some()),
    };
    let refname = ref_name(&baseline, &name);
    // Like DVC (`Experiments.new`): a taken name is refused before anything changes.
    if opts.name.is_some() && !opts.force && git.ref_target(&refname).is_some() {
        return Err(ExpError::Exists(name));
    }
    let params_files = apply_overrides(&root, &opts.set_params)?;
    // What DVC's executor puts in the stages' environment (`run_env`): DVCLive reads
    // these to know it runs inside an experiment (and must not save one itself).
    let main_root = main_repo_root(&git).unwrap_or_else(|| root.clone());
    let run_opts = RunOptions {
        // No targets: the root dvc.yaml, as `dvc exp run` (cairn-run's default).
        targets: opts.targets.clone(),
        force: opts.force,
        jobs: opts.jobs.max(1),
        // A queued experiment runs in a worktree without the (git-ignored) venv: use the
        // main checkout's.
        env: [
            ("DVC_EXP_BASELINE_REV".into(), baseline.clone()),
            ("DVC_EXP_NAME".into(), name.clone()),
            ("DVC_ROOT".into(), main_root.to_string_lossy().into_owned()),
        ]
        .into_iter()
        .chain(cairn_run::pyenv::activation(&main_root))
        .collect(),
        ..RunOptions::default()
    };
    let summary = cairn_run::run(&root, &run_opts, sink, cancel)?;
    if summary.status != RunStatus::Succeeded {
        return Err(ExpError::Invalid(format!(
            "failed to reproduce experiment '{name}': {}",
            summary
                .error
                .clone()
                .unwrap_or_else(|| "a stage failed".into())
        )));
    }
    let ran: Vec<String> = summary
        .stages
        .iter()
        .filter(|(_, o)| matches!(o, StageOutcome::Succeeded | StageOutcome::Restored))
        .map(|(s, _)| s.clone())
        .collect();
    let hash = exp_hash(&root, &ran)?;
    let extra = staged_paths(&root, &git, &ran, &params_files)?;
    let message = opts
        .message
        .clone()
        .unwrap_or_else(|| format!("dvc: commit experiment {hash}"));
    let mut commit = git.commit_worktree_snapshot(&baseline, &extra, &message)?;
    if let Some(existing) = git.ref_target(&refname)
        && !opts.force
    {
        if git.same_tree(&existing, &commit)? {
            commit = existing;
        } else {
            return Err(ExpError::Exists(name));
        }
    }
    git.set_ref(&refname, &commit, &format!("commit: {message}"))?;
    git.set_ref(EXEC_HEAD, &baseline, "dvc: exec head")?;
    Ok(ExpRunResult {
        name,
        commit,
        refname,
        baseline,
        exp_hash: hash,
        summary,
    })
}
