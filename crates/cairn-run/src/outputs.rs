//! Putting a pipeline's cached outputs in the work tree as its lock files record them
//! (after `exp apply` changed the lock, after a `pull` fetched the objects).

use std::path::Path;

use cairn_data::checkout::materialize;

use crate::error::RunError;
use crate::status::Locks;

/// What [`restore_locked`] did, by repo-relative output path.
#[derive(Debug, Clone, Default)]
pub struct Restored {
    /// Written from the cache.
    pub restored: Vec<String>,
    /// Not (entirely) in the cache.
    pub missing: Vec<String>,
    /// Different in the work tree and left alone (`overwrite` was false).
    pub kept: Vec<String>,
}

fn file_matches(path: &Path, md5: &str) -> bool {
    match std::fs::read(path) {
        Ok(b) => cairn_data::hash::md5_bytes(&b) == md5,
        Err(_) => false,
    }
}

/// The cached outputs the work tree's pipelines declare, with the hashes their lock
/// files record (outputs of stages never run have none and are left out), for
/// [`cairn_data::checkout::checkout_with`]. A pipeline that does not load has none.
pub fn recorded_outputs(root: &Path) -> Vec<cairn_data::checkout::Recorded> {
    let Ok(project) = cairn_pipeline::load_project(root) else {
        return Vec::new();
    };
    let locks = Locks::of(&project);
    let mut out = Vec::new();
    for s in project.stages().filter(|s| !s.data_source) {
        let Some(entry) = locks.entry(s) else {
            continue;
        };
        for o in s.outs.iter().filter(|o| o.cache) {
            let (Some(rel), Some(e)) =
                (o.repo_path(s), entry.outs.iter().find(|e| e.path == o.path))
            else {
                continue;
            };
            if let Some(hash) = crate::status::locked_hash(e) {
                out.push(cairn_data::checkout::Recorded {
                    file: root.join(&s.dvcfile),
                    path: root.join(rel),
                    hash,
                    isexec: e.isexec.unwrap_or(false),
                });
            }
        }
    }
    out
}

/// Materialises every cached output the work tree's lock files record whose copy is
/// absent or different; a different copy is replaced only with `overwrite`. A pipeline
/// that does not load has nothing to restore.
pub fn restore_locked(root: &Path, overwrite: bool) -> Result<Restored, RunError> {
    let repo = cairn_data::Repo::open(root)?;
    let mut r = Restored::default();
    let Ok(project) = cairn_pipeline::load_project(root) else {
        return Ok(r);
    };
    let locks = Locks::of(&project);
    let odb = repo.odb();
    let types = repo.config().cache_types.clone();
    let io = |p: &Path, e| RunError::from(cairn_data::DataError::io(p, e));
    for s in project.stages().filter(|s| !s.data_source) {
        let Some(entry) = locks.entry(s) else {
            continue;
        };
        for o in s.outs.iter().filter(|o| o.cache) {
            let Some(rel) = o.repo_path(s) else { continue };
            let Some(e) = entry.outs.iter().find(|e| e.path == o.path) else {
                continue;
            };
            let Some(h) = crate::status::locked_hash(e) else {
                continue;
            };
            let (md5, kind) = (h.md5.as_str(), h.kind);
            let dest = root.join(&rel);
            if md5.ends_with(".dir") {
                let Ok(m) = odb.read_manifest(md5, kind) else {
                    r.missing.push(rel);
                    continue;
                };
                let (mut complete, mut wrote, mut kept) = (true, false, false);
                for f in m.entries() {
                    let d = dest.join(&f.relpath);
                    if !odb.contains(&f.md5, kind) {
                        complete = false;
                    } else if file_matches(&d, &f.md5) {
                    } else if d.exists() && !overwrite {
                        kept = true;
                    } else {
                        materialize(odb, &f.md5, kind, &d, &types, false)
                            .map_err(|er| io(&d, er))?;
                        wrote = true;
                    }
                }
                if !complete {
                    r.missing.push(rel);
                } else if kept {
                    r.kept.push(rel);
                } else if wrote || overwrite {
                    r.restored.push(rel);
                }
                continue;
            }
            if !odb.contains(md5, kind) {
                r.missing.push(rel);
            } else if file_matches(&dest, md5) {
            } else if dest.exists() && !overwrite {
                r.kept.push(rel);
            } else {
                let isexec = e.isexec.unwrap_or(false);
                materialize(odb, md5, kind, &dest, &types, isexec).map_err(|er| io(&dest, er))?;
                r.restored.push(rel);
            }
        }
    }
    Ok(r)
}
