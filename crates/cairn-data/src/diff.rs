//! `diff`: data added, deleted, modified or renamed between two revisions, or between a
//! revision and the workspace. Pointer files are read from git objects, never checked out.

use std::collections::BTreeMap;

use cairn_core::Progress;
use cairn_git::Git;
use serde::Serialize;

use crate::collect;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;
use crate::paths::rel_slash;
use crate::pointer::{HashInfo, Pointer};
use crate::repo::Repo;
use crate::workspace::{Hasher, Pass};

/// One side of a diff: repo-relative path (directories end in `/`) → content hash.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    entries: BTreeMap<String, String>,
    /// Directories (`data/`) whose listing is not in the cache: their files are
    /// unknown, so nothing under them can be called added or deleted.
    unknown_dirs: Vec<String>,
    /// The sizes recorded for outputs (keys as in `entries`).
    sizes: BTreeMap<String, u64>,
}

/// A cached output a snapshot was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedOut {
    /// Repo-relative path.
    pub path: String,
    /// How it is hashed.
    pub kind: HashKind,
    /// Whether `push` sends it (`push: false` keeps it local).
    pub push: bool,
}

/// A rename: same content, new path.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Renamed {
    /// Where it was.
    pub old: String,
    /// Where it is.
    pub new: String,
}

/// A path in a diff listing.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum DiffPath {
    /// A plain path.
    Path {
        /// Repo-relative path.
        path: String,
    },
    /// A rename.
    Renamed {
        /// Both paths.
        path: Renamed,
    },
}

/// What changed, in `dvc diff --json`'s shape.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct DataDiff {
    /// New paths.
    pub added: Vec<DiffPath>,
    /// Removed paths.
    pub deleted: Vec<DiffPath>,
    /// Changed content.
    pub modified: Vec<DiffPath>,
    /// Moved content.
    pub renamed: Vec<DiffPath>,
    /// Directories whose listing is missing from the cache.
    #[serde(rename = "not in cache")]
    pub not_in_cache: Vec<DiffPath>,
}

impl Snapshot {
    /// Repo-relative path (directories end in `/`) → hash; an empty hash for an output
    /// declared but never recorded.
    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.entries
    }

    /// Whether the output at repo-relative `path` (a file, or a folder without its `/`)
    /// is recorded with a hash.
    pub fn records(&self, path: &str) -> bool {
        [path.to_string(), format!("{path}/")]
            .iter()
            .any(|k| self.entries.get(k).is_some_and(|h| !h.is_empty()))
    }

    /// Directories whose listing could not be read.
    pub fn unknown_dirs(&self) -> &[String] {
        &self.unknown_dirs
    }

    /// The size recorded for the output at `key` (a folder's key ends in `/`); files
    /// inside a folder have none, as its listing records no sizes.
    pub fn recorded_size(&self, key: &str) -> Option<u64> {
        self.sizes.get(key).copied()
    }

    fn add_out(&mut self, odb: &Odb, path: String, h: &HashInfo) {
        if let Some(size) = h.size {
            let key = if h.is_dir() {
                format!("{path}/")
            } else {
                path.clone()
            };
            self.sizes.insert(key, size);
        }
        if !h.is_dir() {
            self.entries.insert(path, h.md5.clone());
            return;
        }
        self.entries.insert(format!("{path}/"), h.md5.clone());
        match odb.recall_manifest(&h.md5, h.kind) {
            Ok(m) => {
                for e in m.entries() {
                    self.entries
                        .insert(format!("{path}/{}", e.relpath), e.md5.clone());
                }
            }
            Err(_) => self.unknown_dirs.push(format!("{path}/")),
        }
    }

    /// Adds the data recorded by the pointer files at git revision `rev`.
    pub fn add_revision(&mut self, repo: &Repo, git: &Git, rev: &str) -> Result<()> {
        let git_err = |e: cairn_git::GitError| DataError::BadPath {
            path: rev.into(),
            reason: e.to_string(),
        };
        let files = git
            .files_at(rev, &|p| p.ends_with(".dvc"))
            .map_err(git_err)?;
        for (file, bytes) in files {
            let text = String::from_utf8_lossy(&bytes);
            let pointer = Pointer::parse(std::path::Path::new(&format!("{rev}:{file}")), &text)?;
            let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            for out in &pointer.outs {
                if let Some(h) = &out.hash {
                    let path = if dir.is_empty() {
                        out.path.clone()
                    } else {
                        format!("{dir}/{}", out.path)
                    };
                    self.add_out(repo.odb(), path, h);
                }
            }
        }
        Ok(())
    }

    /// Adds the cached outputs the work tree's pointer files record (one never hashed
    /// with an empty hash), and returns them, repo-relative, each with its hash kind
    /// and whether it may be pushed (`push: false`).
    pub fn add_pointers(&mut self, repo: &Repo) -> Result<Vec<RecordedOut>> {
        let (tracked, errors) = collect::pointers(repo.root())?;
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        let mut outs = Vec::new();
        for t in &tracked {
            for (i, out) in t.pointer.outs.iter().enumerate().filter(|(_, o)| o.cache) {
                let path = rel_slash(&t.out_path(i), repo.root());
                self.add_recorded(repo.odb(), path.clone(), out.hash.as_ref());
                outs.push(RecordedOut {
                    path,
                    kind: out.hash.as_ref().map_or(HashKind::Md5, |h| h.kind),
                    push: out.push(),
                });
            }
        }
        Ok(outs)
    }

    /// Adds an output recorded outside `.dvc` files (a pipeline's cached output, as a
    /// lock file records it), repo-relative; `None` for one declared but never recorded,
    /// which DVC holds without a hash: it differs from any content and equals itself.
    pub fn add_recorded(&mut self, odb: &Odb, path: String, h: Option<&HashInfo>) {
        match h {
            Some(h) => self.add_out(odb, path, h),
            None => {
                self.entries.insert(path, String::new());
            }
        }
    }

    /// The data actually in the workspace, for the outputs the workspace's pointers name
    /// and the repo-relative paths `extra` (a pipeline's cached outputs).
    pub fn workspace(repo: &Repo, extra: &[String], progress: &dyn Progress) -> Result<Snapshot> {
        let (tracked, errors) = collect::pointers(repo.root())?;
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        let mut paths = Vec::new();
        for t in &tracked {
            for (i, out) in t.pointer.outs.iter().enumerate() {
                let kind = out.hash.as_ref().map_or(HashKind::Md5, |h| h.kind);
                paths.push((rel_slash(&t.out_path(i), repo.root()), kind));
            }
        }
        paths.extend(extra.iter().map(|rel| (rel.clone(), HashKind::Md5)));
        let mut snap = Snapshot::default();
        snap.add_hashed_paths(repo, &paths, progress)?;
        Ok(snap)
    }

    /// Adds the data now at `paths` (repo-relative, each hashed as its kind says);
    /// a path with nothing there adds nothing.
    pub fn add_hashed_paths(
        &mut self,
        repo: &Repo,
        paths: &[(String, HashKind)],
        progress: &dyn Progress,
    ) -> Result<()> {
        let state = repo.state();
        let hasher = Hasher::new(repo.root(), &state, progress);
        for (rel, kind) in paths {
            if let Some(h) = hasher.hash(&repo.root().join(rel), *kind, Pass::Hash)? {
                self.add_hashed(rel.clone(), &h);
            }
        }
        let _ = state.save();
        Ok(())
    }

    fn add_hashed(&mut self, rel: String, h: &crate::workspace::Hashed) {
        match &h.manifest {
            None => {
                self.entries.insert(rel, h.info.md5.clone());
            }
            Some(m) => {
                self.entries.insert(format!("{rel}/"), h.info.md5.clone());
                for e in m.entries() {
                    self.entries
                        .insert(format!("{rel}/{}", e.relpath), e.md5.clone());
                }
            }
        }
    }
}

/// Compares `old` with `new`, as `dvc diff` does. With `with_missing` (comparing
/// against the workspace), entries of `old` whose content is not in the cache are
/// listed under "not in cache".
pub fn diff(odb: &Odb, old: &Snapshot, new: &Snapshot, with_missing: bool) -> DataDiff {
    let under = |dirs: &[String], p: &str| dirs.iter().any(|d| p.starts_with(d.as_str()) && p != d);
    let mut d = DataDiff::default();
    let mut added: Vec<&String> = new
        .entries
        .keys()
        .filter(|k| !old.entries.contains_key(*k) && !under(&old.unknown_dirs, k))
        .collect();
    let mut deleted: Vec<&String> = old
        .entries
        .keys()
        .filter(|k| !new.entries.contains_key(*k) && !under(&new.unknown_dirs, k))
        .collect();
    // Renames: a deleted file whose exact content appears at exactly one added path.
    let mut renamed = Vec::new();
    deleted.retain(|del| {
        if del.ends_with('/') {
            return true;
        }
        let hash = &old.entries[*del];
        if let Some(pos) = added
            .iter()
            .position(|a| !a.ends_with('/') && &new.entries[*a] == hash)
        {
            let a = added.remove(pos);
            renamed.push(DiffPath::Renamed {
                path: Renamed {
                    old: (*del).clone(),
                    new: a.clone(),
                },
            });
            return false;
        }
        true
    });
    d.added = added
        .into_iter()
        .map(|p| DiffPath::Path { path: p.clone() })
        .collect();
    d.deleted = deleted
        .into_iter()
        .map(|p| DiffPath::Path { path: p.clone() })
        .collect();
    d.renamed = renamed;
    d.modified = new
        .entries
        .iter()
        .filter(|(k, v)| old.entries.get(*k).is_some_and(|o| o != *v))
        .map(|(k, _)| DiffPath::Path { path: k.clone() })
        .collect();
    if with_missing {
        let mut missing: Vec<String> = Vec::new();
        for (path, hash) in &old.entries {
            if hash.is_empty() {
                continue; // declared, never recorded: nothing to be in the cache
            }
            let present = if hash.ends_with(".dir") {
                odb.read_manifest(hash, HashKind::Md5).is_ok()
            } else {
                odb.contains(hash, HashKind::Md5) || odb.contains(hash, HashKind::LegacyDos2Unix)
            };
            if !present {
                missing.push(path.clone());
            }
        }
        for dir in &old.unknown_dirs {
            missing.push(dir.clone());
            missing.extend(
                new.entries
                    .keys()
                    .filter(|k| under(std::slice::from_ref(dir), k))
                    .cloned(),
            );
        }
        missing.sort();
        missing.dedup();
        d.not_in_cache = missing
            .into_iter()
            .map(|path| DiffPath::Path { path })
            .collect();
    }
    d
}

impl DataDiff {
    /// Whether nothing changed (DVC then prints `{}`).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.deleted.is_empty()
            && self.modified.is_empty()
            && self.renamed.is_empty()
            && self.not_in_cache.is_empty()
    }

    /// `dvc diff --json`'s value: `{}` when empty; no "not in cache" between revisions.
    pub fn to_json(&self, with_missing: bool) -> serde_json::Value {
        if self.is_empty() {
            return serde_json::json!({});
        }
        let mut v = serde_json::to_value(self).expect("serialisable");
        if !with_missing && let Some(m) = v.as_object_mut() {
            m.remove("not in cache");
        }
        v
    }
}
