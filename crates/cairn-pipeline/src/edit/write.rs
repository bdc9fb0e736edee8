//! Putting a planned [`Change`] on disk, and taking it back.
//!
//! Both hold the repository lock DVC also takes, and both refuse if any file is not what
//! the change expects, so an edit made from a stale view (the file changed in an editor or
//! in the terminal meanwhile) never overwrites someone else's work.

use std::path::Path;
use std::time::Duration;

use cairn_core::RepoLock;

use super::{Change, EditError};

/// How long to wait for a `dvc`/`cairn` command that holds the lock.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// One file's expected and new content: `(file, expected now, new)`; `None` = absent.
type Step<'a> = (&'a str, Option<&'a str>, Option<&'a str>);

/// Writes the change if every file it touches still holds what it was planned from.
pub fn write(root: &Path, change: &Change) -> Result<(), EditError> {
    let mut steps: Vec<Step<'_>> =
        vec![(&change.file, change.before.as_deref(), Some(&change.after))];
    steps.extend(
        change
            .also
            .iter()
            .map(|c| (c.file.as_str(), c.before.as_deref(), c.after.as_deref())),
    );
    apply(root, &steps)
}

/// Puts every file back as it was before the change (removing files it created) if they
/// still hold what the change wrote.
pub fn revert(root: &Path, change: &Change) -> Result<(), EditError> {
    let mut steps: Vec<Step<'_>> =
        vec![(&change.file, Some(&change.after), change.before.as_deref())];
    steps.extend(
        change
            .also
            .iter()
            .map(|c| (c.file.as_str(), c.after.as_deref(), c.before.as_deref())),
    );
    apply(root, &steps)
}

fn apply(root: &Path, steps: &[Step<'_>]) -> Result<(), EditError> {
    let io_err = |file: &str, e: std::io::Error| EditError::Write {
        file: file.to_string(),
        message: e.to_string(),
    };
    let tmp = root.join(".dvc").join("tmp");
    std::fs::create_dir_all(&tmp).map_err(|e| io_err(".dvc/tmp", e))?;
    let _lock = RepoLock::acquire(&tmp.join("lock"), LOCK_WAIT)
        .map_err(|e| EditError::Locked(e.to_string()))?;
    // Every file is checked before any is written.
    for (file, expect, _) in steps {
        let current = match std::fs::read_to_string(root.join(file)) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(file, e)),
        };
        if current.as_deref() != *expect {
            return Err(EditError::Conflict(file.to_string()));
        }
    }
    for (file, _, new) in steps {
        let path = root.join(file);
        match new {
            Some(text) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| io_err(file, e))?;
                }
                cairn_core::atomic::write_atomic(&path, text.as_bytes())
                    .map_err(|e| io_err(file, e))?;
            }
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io_err(file, e));
                }
                _ => {}
            },
        }
    }
    Ok(())
}
