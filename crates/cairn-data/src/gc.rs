//! `gc`: remove cache objects nothing references. Dry run unless told otherwise.

use std::collections::HashSet;
use std::path::PathBuf;

use cairn_git::{Git, RevScope};
use cairn_yaml::Value;
use serde::Serialize;

use crate::collect;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::pointer::{HashInfo, Pointer};
use crate::repo::Repo;

/// What gc found (and, unless dry, removed).
#[derive(Debug, Clone, Serialize)]
pub struct GcReport {
    /// Objects kept.
    pub kept: usize,
    /// Objects that are (or would be) removed.
    pub removed: Vec<String>,
    /// Bytes freed (or that would be).
    pub bytes: u64,
    /// Whether anything was actually deleted.
    pub dry_run: bool,
    /// Leftovers of interrupted writes (temp files, staged shard directories) that
    /// are (or would be) removed, as paths.
    pub stale_temps: Vec<String>,
}

/// Hashes referenced by a `dvc.lock` text (outs and deps of every stage).
pub fn lockfile_hashes(text: &str) -> Vec<HashInfo> {
    let Ok(root) = cairn_yaml::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let Some(stages) = root.get("stages").and_then(|s| s.as_map()) else {
        return out;
    };
    for (_, stage) in stages {
        for section in ["deps", "outs"] {
            for entry in stage
                .get(section)
                .and_then(|s| s.as_seq())
                .unwrap_or_default()
            {
                if let Some(md5) = entry.get("md5").and_then(|m| m.as_str()) {
                    let kind = match entry.get("hash").map(|h| &h.value) {
                        Some(Value::Str(s)) if s == "md5" => HashKind::Md5,
                        _ => HashKind::LegacyDos2Unix,
                    };
                    out.push(HashInfo {
                        md5: md5.to_string(),
                        size: None,
                        nfiles: None,
                        kind,
                    });
                }
            }
        }
    }
    out
}

/// Collects what `scope` references and removes (or, when `dry_run`, lists) the rest.
pub fn gc(repo: &Repo, scope: RevScope, dry_run: bool) -> Result<GcReport> {
    let _lock = repo.lock()?;
    let mut used: Vec<HashInfo> = Vec::new();
    let (tracked, errors) = collect::pointers(repo.root())?;
    if let Some(e) = errors.into_iter().next() {
        // Deleting while a pointer can't be read could delete its data.
        return Err(e);
    }
    used.extend(
        tracked
            .iter()
            .flat_map(|t| t.pointer.outs.iter().filter_map(|o| o.hash.clone())),
    );
    for lock in find_lockfiles(repo)? {
        let text = std::fs::read_to_string(&lock).map_err(|e| DataError::io(&lock, e))?;
        used.extend(lockfile_hashes(&text));
    }
    if scope.all_branches || scope.all_tags || scope.all_commits {
        let git =
            Git::discover(repo.root()).map_err(|_| DataError::NotGit(repo.root().to_path_buf()))?;
        let git_err = |e: cairn_git::GitError| DataError::BadPath {
            path: repo.root().to_path_buf(),
            reason: e.to_string(),
        };
        for rev in git.revisions(scope).map_err(git_err)? {
            for (file, bytes) in git
                .files_at(&rev, &|p| {
                    p.ends_with(".dvc") || p == "dvc.lock" || p.ends_with("/dvc.lock")
                })
                .map_err(git_err)?
            {
                let text = String::from_utf8_lossy(&bytes);
                if file.ends_with(".dvc") {
                    let p = Pointer::parse(std::path::Path::new(&format!("{rev}:{file}")), &text)?;
                    used.extend(p.outs.into_iter().filter_map(|o| o.hash));
                } else {
                    used.extend(lockfile_hashes(&text));
                }
            }
        }
    }
    let odb = repo.odb();
    let mut keep: HashSet<(String, HashKind)> = HashSet::new();
    for h in &used {
        keep.insert((h.md5.clone(), h.kind));
        if h.is_dir()
            && let Ok(m) = odb.read_manifest(&h.md5, h.kind)
        {
            keep.extend(m.entries().iter().map(|e| (e.md5.clone(), h.kind)));
        }
    }
    let mut report = GcReport {
        kept: 0,
        removed: Vec::new(),
        bytes: 0,
        dry_run,
        stale_temps: Vec::new(),
    };
    for path in odb
        .stale_temps()
        .map_err(|e| DataError::io(odb.root(), e))?
    {
        if !dry_run {
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed.map_err(|e| DataError::io(&path, e))?;
        }
        report.stale_temps.push(path.display().to_string());
    }
    let objects = odb.list().map_err(|e| DataError::io(odb.root(), e))?;
    for (hash, kind, path) in objects {
        if keep.contains(&(hash.clone(), kind)) {
            report.kept += 1;
            continue;
        }
        report.bytes += std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if !dry_run {
            std::fs::remove_file(&path).map_err(|e| DataError::io(&path, e))?;
        }
        report.removed.push(hash);
    }
    report.removed.sort();
    Ok(report)
}

fn find_lockfiles(repo: &Repo) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut ignore = crate::ignore::DvcIgnore::load_for(repo.root(), repo.root())?;
    let mut stack = vec![repo.root().to_path_buf()];
    while let Some(d) = stack.pop() {
        ignore.add_dir(&d)?;
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(ft) if ft.is_dir() && !ignore.is_ignored(&p, true) => stack.push(p),
                Ok(ft) if ft.is_file() && e.file_name() == "dvc.lock" => out.push(p),
                _ => {}
            }
        }
    }
    Ok(out)
}
