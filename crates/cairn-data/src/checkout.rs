//! `checkout`: make the workspace hold what pointer files record, from the cache.
//!
//! Cairn never writes through a link into the cache: files are replaced by rename,
//! never opened for writing in place. Before touching an output, every file it would
//! overwrite or delete is checked; content that exists nowhere else (not in the cache)
//! stops that output unless `force` is set, so nothing unsaved is lost.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use cairn_core::Progress;
use serde::Serialize;

use crate::collect;
use crate::config::LinkType;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::ignore::DvcIgnore;
use crate::odb::Odb;
use crate::pointer::HashInfo;
use crate::repo::Repo;
use crate::workspace::{Hashed, Hasher, Pass, Stat, walk};

/// What checkout did to one output.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedOut {
    /// The output path, relative to the repository root.
    pub path: String,
    /// Files written or replaced.
    pub written: u64,
    /// Files removed (not part of the recorded directory).
    pub removed: u64,
    /// Whether the output was absent before (dvc's `A`; else `M`).
    pub added: bool,
    /// Whether it is a directory.
    pub dir: bool,
}

/// An output recorded outside `.dvc` files: a pipeline's cached output, with the hash its
/// lock file records.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The pipeline file that declares it (a target naming it selects its outputs).
    pub file: PathBuf,
    /// The output's absolute path.
    pub path: PathBuf,
    /// The recorded hash.
    pub hash: HashInfo,
    /// `isexec: true` in the lock entry.
    pub isexec: bool,
}

/// Restores every output (or those of pointers/outputs under `targets`).
pub fn checkout(
    repo: &Repo,
    targets: Option<&[PathBuf]>,
    force: bool,
    progress: &dyn Progress,
) -> Result<(Vec<CheckedOut>, Vec<DataError>)> {
    checkout_with(repo, targets, force, &[], progress)
}

/// [`checkout`] of the `.dvc` files' outputs and the `recorded` ones, as `dvc checkout`
/// restores both.
pub fn checkout_with(
    repo: &Repo,
    targets: Option<&[PathBuf]>,
    force: bool,
    recorded: &[Recorded],
    progress: &dyn Progress,
) -> Result<(Vec<CheckedOut>, Vec<DataError>)> {
    let _lock = repo.lock()?;
    let (tracked, mut errors) = collect::pointers(repo.root())?;
    let state = repo.state();
    let hasher = Hasher::new(repo.root(), &state, progress);
    let wanted = |file: &Path, path: &Path| {
        targets.is_none_or(|targets| {
            targets
                .iter()
                .any(|tg| tg == file || path.starts_with(tg) || tg.starts_with(path))
        })
    };
    let mut outs: Vec<(PathBuf, &HashInfo, bool)> = Vec::new();
    for t in &tracked {
        for (i, out) in t.pointer.outs.iter().enumerate() {
            let path = t.out_path(i);
            if let (Some(h), true, true) = (&out.hash, out.cache, wanted(&t.file, &path)) {
                outs.push((path, h, out.isexec));
            }
        }
    }
    for r in recorded.iter().filter(|r| wanted(&r.file, &r.path)) {
        outs.push((r.path.clone(), &r.hash, r.isexec));
    }
    let mut done = Vec::new();
    for (path, h, isexec) in outs {
        match checkout_out(repo, &hasher, h, isexec, &path, force) {
            Ok(Some(c)) => done.push(c),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    let _ = state.save();
    Ok((done, errors))
}

fn checkout_out(
    repo: &Repo,
    hasher: &Hasher<'_>,
    h: &HashInfo,
    isexec: bool,
    path: &Path,
    force: bool,
) -> Result<Option<CheckedOut>> {
    let odb = repo.odb();
    let rel = crate::paths::rel_slash(path, repo.root());
    let missing = |hash: &str| DataError::MissingObject {
        path: rel.clone(),
        hash: hash.to_string(),
    };
    let types = &repo.config().cache_types;
    if !h.is_dir() {
        let current = hasher.hash(path, h.kind, Pass::Hash)?;
        if current.as_ref().is_some_and(|c| c.info.md5 == h.md5) {
            return Ok(None);
        }
        if !odb.is_valid(&h.md5, h.kind) {
            return Err(missing(&h.md5));
        }
        if let Some(c) = &current
            && !force
            && !odb.contains(&c.info.md5, c.info.kind)
        {
            return Err(DataError::WouldOverwrite { path: rel });
        }
        remove_any(path)?;
        materialize(odb, &h.md5, h.kind, path, types, isexec)
            .map_err(|e| DataError::io(path, e))?;
        return Ok(Some(CheckedOut {
            path: rel,
            written: 1,
            removed: 0,
            added: current.is_none(),
            dir: false,
        }));
    }
    let added = fs::symlink_metadata(path).is_err();
    let manifest = odb
        .read_manifest(&h.md5, h.kind)
        .map_err(|_| missing(&h.md5))?;
    // Plan first: what is there now, what must go, what must be written.
    if path.is_file() || path.is_symlink() && !path.is_dir() {
        if !force
            && !hasher
                .hash(path, h.kind, Pass::Hash)?
                .is_some_and(|c| odb.contains(&c.info.md5, c.info.kind))
        {
            return Err(DataError::WouldOverwrite { path: rel });
        }
        remove_any(path)?;
    }
    let mut existing: HashMap<String, PathBuf> = HashMap::new();
    if path.is_dir() {
        let ignore = DvcIgnore::load_for(repo.root(), path)?;
        for f in walk(path, &ignore, Stat::Deferred)? {
            existing.insert(f.relpath(), f.path(path));
        }
    }
    let mut to_write = Vec::new();
    let mut unsaved = Vec::new();
    for e in manifest.entries() {
        let dest = path.join(&e.relpath);
        if let Some(p) = existing.remove(&e.relpath) {
            let cur = hasher.hash(&p, h.kind, Pass::Hash)?;
            if cur.as_ref().is_some_and(|c| c.info.md5 == e.md5) {
                continue;
            }
            if let Some(c) = cur
                && !odb.contains(&c.info.md5, c.info.kind)
            {
                unsaved.push(p.clone());
            }
        }
        if !odb.is_valid(&e.md5, h.kind) {
            return Err(DataError::MissingObject {
                path: format!("{rel}/{}", e.relpath),
                hash: e.md5.clone(),
            });
        }
        to_write.push((dest, e.md5.clone()));
    }
    let to_remove: Vec<PathBuf> = existing.into_values().collect();
    for p in &to_remove {
        if let Some(c) = hasher.hash(p, h.kind, Pass::Hash)?
            && !odb.contains(&c.info.md5, c.info.kind)
        {
            unsaved.push(p.clone());
        }
    }
    if !unsaved.is_empty() && !force {
        return Err(DataError::WouldOverwrite {
            path: crate::paths::rel_slash(&unsaved[0], repo.root()),
        });
    }
    for p in &to_remove {
        remove_any(p)?;
    }
    for (dest, md5) in &to_write {
        remove_any(dest)?;
        materialize(odb, md5, h.kind, dest, types, false).map_err(|e| DataError::io(dest, e))?;
    }
    fs::create_dir_all(path).map_err(|e| DataError::io(path, e))?;
    if to_write.is_empty() && to_remove.is_empty() {
        return Ok(None);
    }
    Ok(Some(CheckedOut {
        path: rel,
        written: to_write.len() as u64,
        removed: to_remove.len() as u64,
        added,
        dir: true,
    }))
}

fn remove_any(path: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    let r = if meta.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    r.map_err(|e| DataError::io(path, e))
}

/// Replaces the workspace copy of an already-cached `hashed` with links (for
/// hardlink/symlink cache types) so workspace and cache share bytes.
pub fn link_from_cache(
    repo: &Repo,
    target: &Path,
    hashed: &Hashed,
    types: &[LinkType],
) -> Result<()> {
    let odb = repo.odb();
    match &hashed.manifest {
        None => materialize(
            odb,
            &hashed.info.md5,
            hashed.info.kind,
            target,
            types,
            hashed.isexec,
        )
        .map_err(|e| DataError::io(target, e)),
        Some(m) => {
            for e in m.entries() {
                let dest = target.join(&e.relpath);
                materialize(odb, &e.md5, hashed.info.kind, &dest, types, false)
                    .map_err(|err| DataError::io(&dest, err))?;
            }
            Ok(())
        }
    }
}

/// Puts object `hash` at `dest` with the first link type that works, atomically
/// (temp name + rename), creating parent directories.
pub fn materialize(
    odb: &Odb,
    hash: &str,
    kind: HashKind,
    dest: &Path,
    types: &[LinkType],
    isexec: bool,
) -> io::Result<()> {
    let src = odb.path(hash, kind);
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent)?;
    }
    let tmp = cairn_core::atomic::temp_path_for(dest);
    let mut last_err = io::Error::other("no cache.type configured");
    for t in types {
        let r = match t {
            // No portable reflink here yet; DVC's default `reflink,copy` falls through to copy.
            LinkType::Reflink => continue,
            LinkType::Hardlink => fs::hard_link(&src, &tmp),
            LinkType::Symlink => std::os::unix::fs::symlink(src.canonicalize()?, &tmp),
            LinkType::Copy => copy_new(&src, &tmp, isexec),
        };
        match r.and_then(|_| fs::rename(&tmp, dest)) {
            Ok(()) => return Ok(()),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                last_err = e;
            }
        }
    }
    Err(last_err)
}

/// Copies into a new file with ordinary permissions (0666 less umask), adding `u+x`
/// for executables as DVC does.
fn copy_new(src: &Path, dest: &Path, isexec: bool) -> io::Result<()> {
    let mut from = fs::File::open(src)?;
    let mut to = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o666)
        .open(dest)?;
    io::copy(&mut from, &mut to)?;
    if isexec {
        let mode = to.metadata()?.permissions().mode();
        fs::set_permissions(dest, fs::Permissions::from_mode(mode | 0o100))?;
    }
    Ok(())
}
