//! `push`, `fetch` and `pull` of the work tree's data: the `.dvc` files' outputs and the
//! cached outputs a pipeline's lock files record, moved with a folder remote
//! ([`cairn_data::remote`]). One function serves the CLI and the app.

use std::path::Path;

use cairn_core::Progress;
use cairn_data::remote::{Transfer, Wanted};
use serde::Serialize;

use crate::error::RunError;
use crate::status::Locks;

/// Every object the work tree refers to: `.dvc` files' outputs, then the cached outputs
/// (`cache: true`) of each stage as its lock entry records them. Also returns the
/// problems of `.dvc` files that could not be read (the rest are still listed).
pub fn workspace_objects(
    root: &Path,
) -> Result<(Vec<Wanted>, Vec<cairn_data::DataError>), RunError> {
    let (mut wanted, errors) = cairn_data::remote::pointer_objects(root)?;
    let project = cairn_pipeline::load_project(root)?;
    let locks = Locks::of(&project);
    for stage in project.stages() {
        let Some(entry) = locks.entry(stage) else {
            continue;
        };
        for out in stage.outs.iter().filter(|o| o.cache) {
            let Some(locked) = entry.outs.iter().find(|e| e.path == out.path) else {
                continue;
            };
            let (Some(hash), Some(path)) = (
                crate::status::locked_hash(locked),
                stage.dep_repo_path(&out.path),
            ) else {
                continue;
            };
            wanted.push(Wanted {
                path,
                hash,
                push: out.push,
            });
        }
    }
    Ok((wanted, errors))
}

/// Which way data moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Cache → remote.
    Push,
    /// Remote → cache.
    Fetch,
    /// Remote → cache → work tree.
    Pull,
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// Objects moved.
    #[serde(flatten)]
    pub transfer: Transfer,
    /// Work-tree paths restored (pull).
    pub restored: Vec<String>,
}

/// Moves the work tree's data (or only what lies under `targets`, repo-relative) between
/// the cache and the remote named `remote` (default: `core.remote`). Returns the report
/// and the problems that did not stop it (unreadable `.dvc` files, checkout failures).
pub fn sync(
    root: &Path,
    remote: Option<&str>,
    direction: Direction,
    targets: &[String],
    force: bool,
    progress: &dyn Progress,
) -> Result<(SyncReport, Vec<cairn_data::DataError>), RunError> {
    let repo = cairn_data::Repo::open(root)?;
    let remote = cairn_data::remote::resolve(&repo, remote)?;
    let (mut wanted, mut problems) = workspace_objects(repo.root())?;
    let under = |path: &str, t: &str| {
        let t = t.trim_end_matches('/');
        let t = t.strip_suffix(".dvc").unwrap_or(t);
        path == t || path.starts_with(&format!("{t}/")) || t.starts_with(&format!("{path}/"))
    };
    if !targets.is_empty() {
        wanted.retain(|w| targets.iter().any(|t| under(&w.path, t)));
    }
    let transfer = match direction {
        Direction::Push => cairn_data::remote::push(&repo, &remote, &wanted, progress)?,
        Direction::Fetch | Direction::Pull => {
            cairn_data::remote::fetch(&repo, &remote, &wanted, progress)?
        }
    };
    let mut restored = Vec::new();
    if direction == Direction::Pull {
        let abs: Vec<std::path::PathBuf> = targets.iter().map(|t| repo.root().join(t)).collect();
        let filter = (!abs.is_empty()).then_some(abs.as_slice());
        let (done, errors) = cairn_data::checkout::checkout(&repo, filter, force, progress)?;
        restored = done.into_iter().map(|c| c.path).collect();
        problems.extend(errors);
        // Pipeline outputs are not in .dvc files: restore those the lock records.
        let r = crate::outputs::restore_locked(repo.root(), force)?;
        restored.extend(r.restored);
        problems.extend(
            r.kept
                .into_iter()
                .map(|path| cairn_data::DataError::WouldOverwrite { path }),
        );
    }
    Ok((SyncReport { transfer, restored }, problems))
}
