//! Putting a planned [`Change`] on disk, and taking it back.
//!
//! Both hold the repository lock DVC also takes, and both refuse if the file is not what the
//! change expects, so an edit made from a stale view (the file changed in an editor or in
//! the terminal meanwhile) never overwrites someone else's work.

use std::path::Path;
use std::time::Duration;

use cairn_core::RepoLock;

use super::{Change, EditError};

/// How long to wait for a `dvc`/`cairn` command that holds the lock.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// Writes `change.after` if the file still holds `change.before`.
pub fn write(root: &Path, change: &Change) -> Result<(), EditError> {
    replace(
        root,
        &change.file,
        change.before.as_deref(),
        Some(&change.after),
    )
}

/// Puts back `change.before` (removing a file the change created) if the file still holds
/// `change.after`.
pub fn revert(root: &Path, change: &Change) -> Result<(), EditError> {
    replace(
        root,
        &change.file,
        Some(&change.after),
        change.before.as_deref(),
    )
}

fn replace(
    root: &Path,
    file: &str,
    expect: Option<&str>,
    new: Option<&str>,
) -> Result<(), EditError> {
    let io_err = |e: std::io::Error| EditError::Write {
        file: file.to_string(),
        message: e.to_string(),
    };
    let tmp = root.join(".dvc").join("tmp");
    std::fs::create_dir_all(&tmp).map_err(io_err)?;
    let _lock = RepoLock::acquire(&tmp.join("lock"), LOCK_WAIT)
        .map_err(|e| EditError::Locked(e.to_string()))?;
    let path = root.join(file);
    let current = match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(e)),
    };
    if current.as_deref() != expect {
        return Err(EditError::Conflict(file.to_string()));
    }
    match new {
        Some(text) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io_err)?;
            }
            cairn_core::atomic::write_atomic(&path, text.as_bytes()).map_err(io_err)
        }
        None => std::fs::remove_file(&path).map_err(io_err),
    }
}
