//! Remotes that are folders (`dvc remote add -d NAME /mnt/share/store`, a local disk, a
//! mounted share): push, fetch and pull cache objects in DVC 3's remote layout
//! (`files/md5/xx/…`), so `dvc pull` reads what Cairn pushed and the reverse. Cloud
//! remotes (s3, gs, azure, ssh, http…) are refused by name, pointing at `dvc push`.
//!
//! Objects are copied whole through a temp name and renamed into place on either side,
//! and every fetched object is re-hashed before it enters the cache, so an interrupted
//! transfer or a damaged remote never leaves a wrong object under a right name.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use cairn_core::{Progress, ProgressEvent};
use rayon::prelude::*;
use serde::Serialize;

use crate::collect;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;
use crate::pointer::HashInfo;
use crate::repo::Repo;

/// A configured remote that is a folder.
#[derive(Debug)]
pub struct Remote {
    /// Its name in `.dvc/config`.
    pub name: String,
    /// Its folder.
    pub root: PathBuf,
    odb: Odb,
}

/// Data a push or fetch is about: a workspace path and the hash recorded for it.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// Repo-relative path, for messages.
    pub path: String,
    /// Its recorded hash.
    pub hash: HashInfo,
    /// `push: false` outputs are fetched but never pushed.
    pub push: bool,
}

/// What a push or fetch did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Transfer {
    /// The remote's name.
    pub remote: String,
    /// Objects copied.
    pub transferred: usize,
    /// Bytes copied.
    pub bytes: u64,
    /// Objects already on the other side.
    pub up_to_date: usize,
    /// Paths whose data is on neither side (not in the cache for a push, not on the
    /// remote for a fetch).
    pub missing: Vec<String>,
}

/// Schemes of remotes Cairn does not talk to (DVC does, through its plugins).
fn scheme(url: &str) -> Option<&str> {
    let (s, rest) = url.split_once("://")?;
    (!s.is_empty() && !rest.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'))
        .then_some(s)
}

/// The remote named `name`, else `core.remote`.
pub fn resolve(repo: &Repo, name: Option<&str>) -> Result<Remote> {
    let config = repo.config();
    let name = match name.or(config.default_remote.as_deref()) {
        Some(n) => n.to_string(),
        None => {
            return Err(DataError::Remote(
                "no default remote: add one with `dvc remote add -d NAME /path/to/folder` (or name one with -r)"
                    .into(),
            ));
        }
    };
    let r = config.remotes.iter().find(|r| r.name == name).ok_or_else(|| {
        DataError::Remote(format!(
            "remote `{name}` is not in .dvc/config; add it with `dvc remote add {name} /path/to/folder`"
        ))
    })?;
    if let Some(s) = scheme(&r.url)
        && s != "file"
    {
        return Err(DataError::Remote(format!(
            "remote `{name}` is {}; Cairn pushes to and pulls from folders (a local disk or a mounted share) — use `dvc push`/`dvc pull` for {s} remotes",
            r.url
        )));
    }
    let path = r.url.strip_prefix("file://").unwrap_or(&r.url);
    let root = r.base.join(path);
    Ok(Remote {
        name,
        odb: Odb::new(root.clone()),
        root,
    })
}

/// Whether `url` is a remote Cairn can use (a folder).
pub fn is_folder_url(url: &str) -> bool {
    scheme(url).is_none_or(|s| s == "file")
}

/// The data `.dvc` files record (cached outputs only).
pub fn pointer_objects(root: &Path) -> Result<(Vec<Wanted>, Vec<DataError>)> {
    let (tracked, errors) = collect::pointers(root)?;
    let mut out = Vec::new();
    for t in &tracked {
        for (i, o) in t.pointer.outs.iter().enumerate() {
            if let (Some(h), true) = (&o.hash, o.cache) {
                out.push(Wanted {
                    path: crate::paths::rel_slash(&t.out_path(i), root),
                    hash: h.clone(),
                    push: true,
                });
            }
        }
    }
    Ok((out, errors))
}

/// Every object behind `w`: the file, or a folder's manifest and its files. The
/// manifest is read from `manifests` (the side that has it).
fn objects_of(w: &Wanted, manifests: &Odb) -> Option<Vec<(String, HashKind)>> {
    let h = &w.hash;
    if !h.is_dir() {
        return Some(vec![(h.md5.clone(), h.kind)]);
    }
    let m = manifests.read_manifest(&h.md5, h.kind).ok()?;
    let mut out = vec![(h.md5.clone(), h.kind)];
    out.extend(m.entries().iter().map(|e| (e.md5.clone(), h.kind)));
    Some(out)
}

/// Copies `from` to `to` through a temp name in `to`'s folder.
fn copy_object(from: &Path, to: &Path) -> std::io::Result<u64> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = to.with_file_name(cairn_core::atomic::temp_name_for("object"));
    let result = std::fs::copy(from, &tmp).and_then(|n| {
        std::fs::rename(&tmp, to)?;
        Ok(n)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Sends the objects of `wanted` that the remote lacks.
pub fn push(
    repo: &Repo,
    remote: &Remote,
    wanted: &[Wanted],
    progress: &dyn Progress,
) -> Result<Transfer> {
    let local = repo.odb();
    let mut t = Transfer {
        remote: remote.name.clone(),
        ..Transfer::default()
    };
    let mut todo: Vec<(String, HashKind)> = Vec::new();
    let mut seen = HashSet::new();
    for w in wanted.iter().filter(|w| w.push) {
        match objects_of(w, local) {
            Some(objs) if objs.iter().all(|(h, k)| local.contains(h, *k)) => {
                todo.extend(objs.into_iter().filter(|o| seen.insert(o.clone())));
            }
            _ => t.missing.push(w.path.clone()),
        }
    }
    progress.event(ProgressEvent::Start {
        phase: "pushing",
        total_files: Some(todo.len() as u64),
        total_bytes: None,
    });
    // Files before manifests: a manifest on the remote promises its files are there.
    let (manifests, files): (Vec<_>, Vec<_>) =
        todo.into_iter().partition(|(h, _)| h.ends_with(".dir"));
    for batch in [files, manifests] {
        let copied: Vec<Option<u64>> = batch
            .par_iter()
            .map(|(hash, kind)| {
                let dest = remote.odb.path(hash, *kind);
                let n = if dest.is_file() {
                    None
                } else {
                    Some(push_object(local, remote, hash, *kind)?)
                };
                progress.event(ProgressEvent::Advance {
                    files: 1,
                    bytes: n.unwrap_or(0),
                });
                Ok(n)
            })
            .collect::<Result<_>>()?;
        tally(&mut t, &copied);
    }
    progress.event(ProgressEvent::Finish);
    Ok(t)
}

/// Brings the objects of `wanted` that the cache lacks from the remote, re-hashing each.
pub fn fetch(
    repo: &Repo,
    remote: &Remote,
    wanted: &[Wanted],
    progress: &dyn Progress,
) -> Result<Transfer> {
    let _lock = repo.lock()?;
    let local = repo.odb();
    let mut t = Transfer {
        remote: remote.name.clone(),
        ..Transfer::default()
    };
    // Manifests first: they say which files a folder needs.
    for w in wanted.iter().filter(|w| w.hash.is_dir()) {
        let h = &w.hash;
        if !local.contains(&h.md5, h.kind) && remote.odb.contains(&h.md5, h.kind) {
            let n = fetch_object(local, remote, &h.md5, h.kind)?;
            t.transferred += 1;
            t.bytes += n;
        }
    }
    // Each wanted path's objects, read once (a folder's from its manifest).
    let per_path: Vec<Option<Vec<(String, HashKind)>>> =
        wanted.iter().map(|w| objects_of(w, local)).collect();
    let mut todo: Vec<(String, HashKind)> = Vec::new();
    let mut seen = HashSet::new();
    for (w, objs) in wanted.iter().zip(&per_path) {
        match objs {
            // Manifests were fetched above.
            Some(objs) => todo.extend(
                objs.iter()
                    .filter(|(h, _)| !h.ends_with(".dir"))
                    .filter(|o| seen.insert((*o).clone()))
                    .cloned(),
            ),
            None => t.missing.push(w.path.clone()),
        }
    }
    progress.event(ProgressEvent::Start {
        phase: "fetching",
        total_files: Some(todo.len() as u64),
        total_bytes: None,
    });
    // `Some(Some(bytes))` copied, `Some(None)` already here, `None` absent from the remote.
    let fetched: Vec<Option<Option<u64>>> = todo
        .par_iter()
        .map(|(hash, kind)| {
            let r = if local.contains(hash, *kind) {
                Some(None)
            } else if remote.odb.contains(hash, *kind) {
                Some(Some(fetch_object(local, remote, hash, *kind)?))
            } else {
                None
            };
            progress.event(ProgressEvent::Advance { files: 1, bytes: 0 });
            Ok(r)
        })
        .collect::<Result<_>>()?;
    let absent: HashSet<&str> = fetched
        .iter()
        .zip(&todo)
        .filter(|(r, _)| r.is_none())
        .map(|(_, (h, _))| h.as_str())
        .collect();
    let copied: Vec<Option<u64>> = fetched.iter().flatten().copied().collect();
    tally(&mut t, &copied);
    progress.event(ProgressEvent::Finish);
    for (w, objs) in wanted.iter().zip(&per_path) {
        let incomplete = objs
            .as_ref()
            .is_some_and(|objs| objs.iter().any(|(h, _)| absent.contains(h.as_str())));
        if incomplete && !t.missing.contains(&w.path) {
            t.missing.push(w.path.clone());
        }
    }
    Ok(t)
}

/// One object from the cache to the remote. Files go through the remote's object store,
/// which hashes while it writes: a cache object that no longer matches its name is
/// reported instead of spreading to the remote. Manifests and legacy objects (named by a
/// different hash) are copied byte for byte.
fn push_object(local: &Odb, remote: &Remote, hash: &str, kind: HashKind) -> Result<u64> {
    let src = local.path(hash, kind);
    if hash.ends_with(".dir") || kind == HashKind::LegacyDos2Unix {
        let dest = remote.odb.path(hash, kind);
        return copy_object(&src, &dest).map_err(|e| DataError::io(&dest, e));
    }
    let file = std::fs::File::open(&src).map_err(|e| DataError::io(&src, e))?;
    let len = file.metadata().map_err(|e| DataError::io(&src, e))?.len();
    let (got, size) = remote
        .odb
        .add_open_file(file, len)
        .map_err(|e| DataError::io(remote.odb.path(hash, kind), e))?;
    if got != hash {
        return Err(DataError::Remote(format!(
            "{}: the cache copy does not match its name (it was changed in place); run `cairn fsck`, then add the data again",
            src.display()
        )));
    }
    Ok(size)
}

/// Counts copied objects (`Some(bytes)`) and those already there (`None`).
fn tally(t: &mut Transfer, copied: &[Option<u64>]) {
    for c in copied {
        match c {
            Some(n) => {
                t.transferred += 1;
                t.bytes += n;
            }
            None => t.up_to_date += 1,
        }
    }
}

/// One object from the remote into the cache, verified by its hash.
fn fetch_object(local: &Odb, remote: &Remote, hash: &str, kind: HashKind) -> Result<u64> {
    let src = remote.odb.path(hash, kind);
    let file = std::fs::File::open(&src).map_err(|e| DataError::io(&src, e))?;
    let len = file.metadata().map_err(|e| DataError::io(&src, e))?.len();
    let want = hash.strip_suffix(".dir").unwrap_or(hash);
    if hash.ends_with(".dir") || kind == HashKind::LegacyDos2Unix {
        // Manifests (and legacy objects, hashed differently) are small and stored
        // byte for byte: check the bytes, then store under the given name.
        let bytes = std::fs::read(&src).map_err(|e| DataError::io(&src, e))?;
        if hash.ends_with(".dir") && crate::hash::md5_bytes(&bytes) != want {
            return Err(corrupt(&src, remote));
        }
        let dest = local.path(hash, kind);
        cairn_core::write_atomic_with_mode(&dest, &bytes, Some(0o444))
            .map_err(|e| DataError::io(&dest, e))?;
        return Ok(len);
    }
    let (got, size) = local
        .add_open_file(file, len)
        .map_err(|e| DataError::io(local.path(hash, kind), e))?;
    if got != want {
        return Err(corrupt(&src, remote));
    }
    Ok(size)
}

fn corrupt(src: &Path, remote: &Remote) -> DataError {
    DataError::Remote(format!(
        "{}: its content does not match its name on remote `{}`; the remote copy is damaged (push it again from a machine that has it)",
        src.display(),
        remote.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_folders_are_remotes_here() {
        assert!(is_folder_url("/mnt/store"));
        assert!(is_folder_url("../store"));
        assert!(is_folder_url("file:///mnt/store"));
        assert!(is_folder_url("C:\\store"));
        assert!(!is_folder_url("s3://bucket/path"));
        assert!(!is_folder_url("ssh://host/path"));
        assert!(!is_folder_url("https://example.com/x"));
    }
}
