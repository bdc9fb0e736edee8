//! `move`: rename tracked data and its record together, as `dvc move` does.

use std::path::{Path, PathBuf};

use cairn_git::Git;

use crate::error::{DataError, Result};
use crate::gitignore;
use crate::paths::rel_slash;
use crate::pointer::{Pointer, pointer_path_for};
use crate::repo::Repo;

/// What `move` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Moved {
    /// The data's old path, relative to the repository root.
    pub from: String,
    /// Its new path.
    pub to: String,
    /// The `.dvc` file that records it now.
    pub pointer: String,
    /// The `.dvc` file that recorded it before, if it was renamed with the data.
    pub old_pointer: Option<String>,
    /// The `.gitignore` files changed.
    pub gitignores: Vec<String>,
}

/// Moves the data at `from` (absolute, tracked by a `.dvc` file) to `to` (absolute; an
/// existing directory receives it under its own name). A `.dvc` file named after the
/// data is renamed with it; one named otherwise keeps its place and records the new
/// path. Outputs of pipeline stages are refused: their path is the stage's to change.
pub fn move_data(repo: &Repo, from: &Path, to: &Path) -> Result<Moved> {
    let _lock = repo.lock()?;
    let root = repo.root();
    let bad = |path: &Path, reason: String| DataError::BadPath {
        path: path.to_path_buf(),
        reason,
    };
    let (tracked, _) = crate::collect::pointers(root)?;
    let Some((t, i)) = tracked.iter().find_map(|t| {
        (0..t.pointer.outs.len())
            .find(|&i| t.out_path(i) == from)
            .map(|i| (t, i))
    }) else {
        return Err(bad(
            from,
            "is not tracked by a .dvc file (a stage's output moves by changing the stage's `outs`)"
                .into(),
        ));
    };
    if t.pointer.outs.len() != 1 {
        return Err(bad(
            &t.file,
            "records several outputs; move them by editing it".into(),
        ));
    }
    if !from.exists() {
        return Err(bad(
            from,
            "is not in the work tree; check it out first (`cairn checkout`)".into(),
        ));
    }
    let to = if to.is_dir() {
        to.join(from.file_name().expect("tracked paths have a name"))
    } else {
        to.to_path_buf()
    };
    if to.exists() || to.symlink_metadata().is_ok() {
        return Err(bad(&to, "already exists".into()));
    }
    if to.starts_with(from) {
        return Err(bad(&to, "is inside the data being moved".into()));
    }
    // Named after the data (`data.csv.dvc` for `data.csv`): renamed with it.
    let named_after = t.file.file_stem() == from.file_name();
    let new_pointer = if named_after {
        pointer_path_for(&to)
    } else {
        t.file.clone()
    };
    if named_after && new_pointer.exists() {
        return Err(bad(&new_pointer, "already exists".into()));
    }
    let git = Git::discover(root).ok();
    // Inside a tracked folder, or anywhere else git ignores, the record could not be
    // committed (`dvc move` refuses it too).
    if git.as_ref().is_some_and(|g| g.is_ignored(&new_pointer)) {
        return Err(bad(
            &to,
            format!(
                "would put its record {} where git ignores it (inside tracked data?); choose another place",
                rel_slash(&new_pointer, root)
            ),
        ));
    }
    let pointer_dir = new_pointer.parent().expect("pointer files have a parent");
    let mut pointer: Pointer = t.pointer.clone();
    pointer.outs[i].path = rel_slash(&to, pointer_dir);
    let mut gitignores: Vec<PathBuf> = Vec::new();
    let cached = pointer.outs[i].cache;

    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| DataError::io(parent, e))?;
    }
    std::fs::rename(from, &to).map_err(|e| DataError::io(from, e))?;
    // The record moves as it is (as `dvc move` keeps it): data changed before the move
    // still reads as changed, for `add` or `commit` to record.
    let written = cairn_core::write_atomic(&new_pointer, pointer.to_yaml().as_bytes())
        .map_err(|e| DataError::io(&new_pointer, e));
    if let Err(e) = written {
        // Nothing half-done: the data goes back where its record says it is.
        let _ = std::fs::rename(&to, from);
        return Err(e);
    }
    if named_after && new_pointer != t.file {
        std::fs::remove_file(&t.file).map_err(|e| DataError::io(&t.file, e))?;
    }
    if cached {
        gitignores.extend(gitignore::unignore(from)?);
        gitignores.extend(gitignore::ignore(git.as_ref(), &to)?);
    }
    gitignores.sort();
    gitignores.dedup();
    Ok(Moved {
        from: rel_slash(from, root),
        to: rel_slash(&to, root),
        pointer: rel_slash(&new_pointer, root),
        old_pointer: (new_pointer != t.file).then(|| rel_slash(&t.file, root)),
        gitignores: gitignores.iter().map(|g| rel_slash(g, root)).collect(),
    })
}
