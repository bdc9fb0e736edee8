//! Where trackers' log folders are found in a project: a walk of the project (skipping
//! hidden folders, environments, caches and MLflow's store) that collects the folders
//! holding a tracker's files, each named by its path relative to the project.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// How deep under the project log files are looked for (`lightning_logs/version_0`,
/// `runs/exp/2024-…`, `wandb/run-…` are two or three).
const MAX_DEPTH: usize = 8;

/// Folders never searched: caches, environments and other tools' stores.
const SKIPPED: &[&str] = &["node_modules", "__pycache__", "site-packages", "mlruns"];

/// Every folder under `root` holding files whose name `wanted` accepts, with those
/// files in name order. Symbolic links are not followed (W&B's `latest-run` would name
/// a run twice).
pub(crate) fn folders(
    root: &Path,
    wanted: impl Fn(&str) -> bool,
) -> BTreeMap<PathBuf, Vec<PathBuf>> {
    let mut dirs: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let walk = walkdir::WalkDir::new(root)
        .max_depth(MAX_DEPTH)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_type().is_dir() || !skipped(e.path()));
    for entry in walk.flatten() {
        if entry.file_type().is_file() && wanted(&entry.file_name().to_string_lossy()) {
            let dir = entry.path().parent().unwrap_or(root).to_path_buf();
            dirs.entry(dir).or_default().push(entry.into_path());
        }
    }
    for files in dirs.values_mut() {
        files.sort();
    }
    dirs
}

/// The files `wanted` accepts in the folder named `id` (as [`id`] gives it), in name
/// order; `None` if the id leaves the project or the folder cannot be listed.
pub(crate) fn folder(
    root: &Path,
    id: &str,
    wanted: impl Fn(&str) -> bool,
) -> Option<(PathBuf, Vec<PathBuf>)> {
    let rel = Path::new(id);
    if !rel
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let dir = root.join(rel);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| wanted(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    files.sort();
    Some((dir, files))
}

/// A folder's name as a run id: its path relative to the project, `/`-separated; `.`
/// for the project itself.
pub(crate) fn id(root: &Path, dir: &Path) -> String {
    let rel = dir.strip_prefix(root).unwrap_or(dir);
    let id = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if id.is_empty() { ".".to_string() } else { id }
}

fn skipped(dir: &Path) -> bool {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || SKIPPED.contains(&name.as_ref()) || dir.join("pyvenv.cfg").exists()
}
