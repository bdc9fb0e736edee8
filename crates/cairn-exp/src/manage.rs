//! `exp apply | branch | remove | rename` and `exp list`, with DVC's refs and effects.

use std::path::Path;

use cairn_git::Git;

use crate::error::ExpError;
use crate::refs::{APPLY_HEAD, ExpRef, list_exp_refs, ref_name, resolve, validate_name};

/// Where `apply` keeps the work tree's uncommitted changes (as DVC does).
pub const APPLY_STASH: &str = "refs/exps/apply/stash";

/// `refs/exps/exec/EXEC_APPLY`: the last applied experiment.
pub const EXEC_APPLY: &str = "refs/exps/exec/EXEC_APPLY";

/// What `apply` changed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    /// The experiment.
    pub name: String,
    /// Its commit.
    pub commit: String,
    /// Git-tracked files written or removed.
    pub files: Vec<String>,
    /// DVC outputs restored from the cache.
    pub outputs: Vec<String>,
    /// Outputs whose cache objects are missing (pull needed).
    pub missing: Vec<String>,
    /// The commit holding the work tree's previous uncommitted changes, if there were
    /// any (`refs/exps/apply/stash`).
    pub saved_changes: Option<String>,
}

/// Writes an experiment's files into the work tree (uncommitted; HEAD and the index stay)
/// and checks its DVC outputs out from the cache, like `dvc exp apply`.
pub fn apply(root: &Path, what: &str) -> Result<Applied, ExpError> {
    let git = Git::discover(root)?;
    let root = git.root().to_path_buf();
    let (name, commit) = match resolve(&git, what) {
        Ok(r) => (r.name, r.commit),
        Err(e) => match git.resolve(what) {
            Ok(c) => (what.to_string(), c),
            Err(_) => return Err(e),
        },
    };
    let head = git
        .head_commit()
        .ok_or_else(|| ExpError::Invalid("no HEAD commit".into()))?;
    // It rewrites the work tree and checks outputs out: not while dvc or a run writes.
    let _lock = cairn_data::Repo::open(&root)?.lock()?;
    // Like DVC (`apply_stash.preserve_workspace`): uncommitted changes to tracked files
    // are kept in `refs/exps/apply/stash` before the experiment's files replace them.
    let saved = if git.is_dirty() {
        let c =
            git.commit_worktree_snapshot(&head, &[], "dvc: apply: workspace before applying")?;
        git.set_ref(APPLY_STASH, &c, "dvc: apply")?;
        Some(c)
    } else {
        None
    };
    let mut files = Vec::new();
    for p in git.changed_paths(&head, &commit)? {
        let dest = root.join(&p);
        match git.read_at(&commit, &p)? {
            Some(bytes) => {
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| ExpError::io(&p, e))?;
                }
                cairn_core::write_atomic(&dest, &bytes).map_err(|e| ExpError::io(&p, e))?;
            }
            None => {
                let _ = std::fs::remove_file(&dest);
            }
        }
        files.push(p);
    }
    let (outputs, missing) = checkout_outputs(&root)?;
    git.set_ref(APPLY_HEAD, &head, "dvc: apply")?;
    git.set_ref(EXEC_APPLY, &commit, "dvc: apply")?;
    Ok(Applied {
        name,
        commit,
        files,
        outputs,
        missing,
        saved_changes: saved,
    })
}

/// Materialises every cached pipeline output recorded in the work tree's `dvc.lock`
/// files whose workspace copy differs (or is absent). Returns what was restored (or
/// already matched) and what is not in the cache.
pub fn checkout_outputs(root: &Path) -> Result<(Vec<String>, Vec<String>), ExpError> {
    let r = cairn_run::outputs::restore_locked(root, true)?;
    Ok((r.restored, r.missing))
}

/// `exp branch`: a git branch at the experiment's commit.
pub fn branch(root: &Path, what: &str, branch: Option<&str>) -> Result<(String, String), ExpError> {
    let git = Git::discover(root)?;
    let r = resolve(&git, what)?;
    let name = branch
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}-branch", r.name));
    git.create_branch(&name, &r.commit)?;
    Ok((name, r.commit))
}

/// `exp remove`: deletes experiment refs (by name, or every experiment of the HEAD
/// baseline with `all`), returns what went.
pub fn remove(root: &Path, names: &[String], all: bool) -> Result<Vec<ExpRef>, ExpError> {
    let git = Git::discover(root)?;
    let mut out = Vec::new();
    if all {
        let head = git.head_commit();
        for r in list_exp_refs(&git)? {
            if Some(&r.baseline) == head.as_ref() {
                git.delete_ref(&r.refname)?;
                out.push(r);
            }
        }
        return Ok(out);
    }
    let mut unknown = Vec::new();
    for n in names {
        match resolve(&git, n) {
            Ok(r) => {
                git.delete_ref(&r.refname)?;
                out.push(r);
            }
            Err(_) => unknown.push(n.clone()),
        }
    }
    if !unknown.is_empty() {
        return Err(ExpError::UnknownExperiment(unknown.join(", ")));
    }
    Ok(out)
}

/// `exp rename OLD NEW`.
pub fn rename(root: &Path, old: &str, new: &str, force: bool) -> Result<ExpRef, ExpError> {
    validate_name(new)?;
    let git = Git::discover(root)?;
    let r = resolve(&git, old)?;
    let target = ref_name(&r.baseline, new);
    if git.ref_target(&target).is_some() && !force {
        return Err(ExpError::Exists(new.to_string()));
    }
    git.delete_ref(&r.refname)?;
    git.set_ref(&target, &r.commit, "dvc: rename")?;
    Ok(ExpRef {
        refname: target,
        baseline: r.baseline,
        name: new.to_string(),
        commit: r.commit,
    })
}

/// Puts removed experiments back: each `(refname, commit)` as [`remove`] returned it.
/// Refuses names outside the experiment layout and refs that exist again meanwhile.
pub fn restore(root: &Path, refs: &[(String, String)]) -> Result<Vec<String>, ExpError> {
    let git = Git::discover(root)?;
    let mut names = Vec::new();
    for (refname, commit) in refs {
        let (_, name) = crate::refs::parse_ref(refname)
            .ok_or_else(|| ExpError::Invalid(format!("{refname} is not an experiment ref")))?;
        if git.ref_target(refname).is_some() {
            return Err(ExpError::Exists(name));
        }
        git.resolve(commit)?;
        names.push(name);
    }
    for (refname, commit) in refs {
        git.set_ref(refname, commit, "cairn: restore removed experiment")?;
    }
    Ok(names)
}

/// `exp list`: experiments by baseline (all baselines with `all`, else HEAD's).
pub fn list(root: &Path, all: bool) -> Result<Vec<ExpRef>, ExpError> {
    let git = Git::discover(root)?;
    let head = git.head_commit();
    Ok(list_exp_refs(&git)?
        .into_iter()
        .filter(|r| all || Some(&r.baseline) == head.as_ref())
        .collect())
}
