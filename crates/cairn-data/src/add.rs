//! `add`: start tracking files and directories (or record their new content).

use std::path::{Path, PathBuf};

use cairn_core::Progress;
use cairn_git::Git;

use crate::checkout::link_from_cache;
use crate::error::{DataError, Result};
use crate::gitignore;
use crate::hash::HashKind;
use crate::pointer::{Out, Pointer, pointer_path_for};
use crate::repo::Repo;
use crate::workspace::{Hasher, Pass};

/// What `add` did for one target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Added {
    /// The target, relative to the repository root.
    pub path: String,
    /// The pointer file written, relative to the root.
    pub pointer: String,
    /// The content hash recorded.
    pub md5: String,
    /// Bytes tracked.
    pub size: u64,
    /// Files tracked (1 for a file).
    pub nfiles: u64,
    /// The `.gitignore` that got an entry, if one did.
    pub gitignore: Option<String>,
}

/// Tracks `targets` (absolute paths already checked with [`crate::paths::resolve_in_repo`]).
///
/// Every target is attempted; failures are collected and returned together after the
/// others are done. Takes the repository lock for the whole operation.
pub fn add(
    repo: &Repo,
    targets: &[PathBuf],
    progress: &dyn Progress,
) -> (Vec<Added>, Vec<DataError>) {
    let _lock = match repo.lock() {
        Ok(l) => l,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let git = Git::discover(repo.root()).ok();
    let state = repo.state();
    let hasher = Hasher::new(repo.root(), &state, progress);
    let mut done = Vec::new();
    let mut errors = Vec::new();
    for target in targets {
        match add_one(repo, git.as_ref(), &hasher, target) {
            Ok(a) => done.push(a),
            Err(e) => errors.push(e),
        }
    }
    if let Err(e) = state.save() {
        errors.push(e);
    }
    (done, errors)
}

fn add_one(repo: &Repo, git: Option<&Git>, hasher: &Hasher<'_>, target: &Path) -> Result<Added> {
    let rel = |p: &Path| crate::paths::rel_slash(p, repo.root());
    let bad = |reason: &str| DataError::BadPath {
        path: target.to_path_buf(),
        reason: reason.to_string(),
    };
    if target.extension().is_some_and(|e| e == "dvc") {
        return Err(bad("is a .dvc file; add the data it points to instead"));
    }
    if git.is_some_and(|g| g.is_tracked(target)) {
        return Err(bad(
            "is already tracked by git; run `git rm -r --cached` on it first, then add it to Cairn",
        ));
    }
    let hashed = hasher
        .hash(target, HashKind::Md5, Pass::Store(repo.odb()))?
        .ok_or_else(|| bad("does not exist (or is hidden by .dvcignore)"))?;
    let pointer_path = pointer_path_for(target);
    let name = target
        .file_name()
        .expect("resolved targets have names")
        .to_string_lossy()
        .into_owned();
    let mut pointer = if pointer_path.exists() {
        Pointer::load(&pointer_path)?
    } else {
        Pointer::new(new_out(&name))
    };
    let out = match pointer.outs.iter_mut().find(|o| o.path == name) {
        Some(o) => o,
        None => {
            return Err(bad(&format!(
                "{} exists but tracks something else; remove it first",
                rel(&pointer_path)
            )));
        }
    };
    out.isexec = hashed.isexec;
    out.hash = Some(hashed.info.clone());
    let cache = out.cache;
    cairn_core::write_atomic(&pointer_path, pointer.to_yaml().as_bytes())
        .map_err(|e| DataError::io(&pointer_path, e))?;
    let gitignore = if cache {
        gitignore::ignore(git, target)?
    } else {
        None
    };
    // With hardlink/symlink caches the workspace should share the cache's bytes;
    // a copy is already identical, so the default (`reflink,copy`) leaves it alone.
    let types = &repo.config().cache_types;
    if !matches!(
        types.first(),
        Some(crate::config::LinkType::Reflink | crate::config::LinkType::Copy) | None
    ) {
        link_from_cache(repo, target, &hashed, types)?;
    }
    Ok(Added {
        path: rel(target),
        pointer: rel(&pointer_path),
        md5: hashed.info.md5,
        size: hashed.info.size.unwrap_or(0),
        nfiles: hashed.info.nfiles.unwrap_or(1),
        gitignore: gitignore.map(|g| rel(&g)),
    })
}

fn new_out(name: &str) -> Out {
    Out {
        path: name.to_string(),
        hash: None,
        isexec: false,
        cache: true,
        extra: Vec::new(),
        mark: Default::default(),
    }
}
