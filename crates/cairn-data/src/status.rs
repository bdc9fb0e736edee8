//! `status`: how the workspace differs from what pointer files record, decided exactly
//! as DVC decides it (`Output.status`): "not in cache" first, then "deleted",
//! "modified", "new".

use std::path::Path;

use cairn_core::Progress;
use serde::Serialize;

use crate::collect::{self, Tracked};
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;
use crate::pointer::{HashInfo, Out};
use crate::repo::Repo;
use crate::workspace::Hasher;

/// How one output differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Change {
    /// The recorded content is not (completely, validly) in the cache.
    #[serde(rename = "not in cache")]
    NotInCache,
    /// The workspace path is gone.
    #[serde(rename = "deleted")]
    Deleted,
    /// The workspace content differs.
    #[serde(rename = "modified")]
    Modified,
    /// The entry was never hashed.
    #[serde(rename = "new")]
    New,
}

impl Change {
    /// DVC's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::NotInCache => "not in cache",
            Change::Deleted => "deleted",
            Change::Modified => "modified",
            Change::New => "new",
        }
    }
}

/// The changed outputs of one pointer file.
#[derive(Debug, Clone, Serialize)]
pub struct PointerStatus {
    /// The `.dvc` file (absolute).
    pub file: std::path::PathBuf,
    /// `(absolute output path, change)` for each changed output.
    pub changes: Vec<(std::path::PathBuf, Change)>,
}

/// Status of every pointer file in the repository; clean ones are left out.
pub fn status(
    repo: &Repo,
    progress: &dyn Progress,
) -> Result<(Vec<PointerStatus>, Vec<DataError>)> {
    let (tracked, mut errors) = collect::pointers(repo.root())?;
    let state = repo.state();
    let hasher = Hasher::new(repo.root(), &state, progress);
    let mut out = Vec::new();
    for t in &tracked {
        match pointer_status(repo.odb(), &hasher, t) {
            Ok(s) if !s.changes.is_empty() => out.push(s),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    // A read-only command still benefits from remembering hashes; failure to save
    // only costs speed next time.
    let _ = state.save();
    Ok((out, errors))
}

fn pointer_status(odb: &Odb, hasher: &Hasher<'_>, t: &Tracked) -> Result<PointerStatus> {
    let mut changes = Vec::new();
    for (i, out) in t.pointer.outs.iter().enumerate() {
        let path = t.out_path(i);
        if let Some(c) = out_status(odb, hasher, out, &path)? {
            changes.push((path, c));
        }
    }
    Ok(PointerStatus {
        file: t.file.clone(),
        changes,
    })
}

/// The change of one output, or `None` if it is in sync.
pub fn out_status(
    odb: &Odb,
    hasher: &Hasher<'_>,
    out: &Out,
    path: &Path,
) -> Result<Option<Change>> {
    let kind = out.hash.as_ref().map_or(HashKind::Md5, |h| h.kind);
    let in_cache = || match &out.hash {
        Some(h) if out.cache => cache_complete(odb, h),
        _ => true,
    };
    let current = || hasher.hash_to_compare(path, kind);
    // The cache check and the workspace walk are independent; for a directory each can
    // be thousands of `stat`s, so they run side by side. For a file, waking a second
    // thread would cost more than either.
    let (in_cache, current) = if out.hash.as_ref().is_some_and(|h| h.is_dir()) {
        rayon::join(in_cache, current)
    } else {
        (in_cache(), current())
    };
    if !in_cache {
        return Ok(Some(Change::NotInCache));
    }
    let Some(current) = current? else {
        return Ok(Some(Change::Deleted));
    };
    // DVC compares the recorded hash (none) with the current one before it would say
    // "new", so an existing, never-hashed output reads as "modified".
    match &out.hash {
        None => Ok(Some(Change::Modified)),
        Some(h) if h.md5 != current.info.md5 => Ok(Some(Change::Modified)),
        Some(_) => Ok(None),
    }
}

/// Whether the object (and for a directory, its manifest and every member) is validly
/// in the cache, as DVC's `check` decides.
pub fn cache_complete(odb: &Odb, h: &HashInfo) -> bool {
    if h.is_dir() {
        odb.dir_complete(&h.md5, h.kind)
    } else {
        odb.is_valid(&h.md5, h.kind)
    }
}
