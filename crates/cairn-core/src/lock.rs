//! The repository lock, shared with DVC.
//!
//! DVC holds `flock(LOCK_EX|LOCK_NB)` on `.dvc/tmp/lock` for the whole of any command
//! that writes (zc.lockfile), writing ` <pid>\n` into the file. Taking the same lock
//! the same way means `dvc` and `cairn` — CLI or app — never write one repo at once.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "the repository is locked by {holder} ({path}); wait for it to finish, or if no such process is running, retry"
    )]
    Held {
        /// Who holds it, e.g. "PID 1234" or "another process".
        holder: String,
        /// The lock file.
        path: PathBuf,
    },
    /// The lock file could not be opened.
    #[error("cannot open the repository lock {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// A held repository lock; released on drop.
#[derive(Debug)]
pub struct RepoLock {
    file: File,
    path: PathBuf,
}

impl RepoLock {
    /// Takes the lock at `path` (normally `.dvc/tmp/lock`), retrying for up to `wait`.
    pub fn acquire(path: &Path, wait: Duration) -> Result<RepoLock, LockError> {
        let io_err = |source| LockError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_err)?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    let mut content = String::new();
                    let _ = file.read_to_string(&mut content);
                    let holder = match content.trim().parse::<u32>() {
                        Ok(pid) => format!("PID {pid}"),
                        Err(_) => "another process".to_string(),
                    };
                    return Err(LockError::Held {
                        holder,
                        path: path.to_path_buf(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io_err(e)),
            }
        }
        // Same content zc.lockfile writes, so DVC's own diagnostics read it.
        let _ = file.seek(SeekFrom::Start(0));
        let _ = writeln!(file, " {}", std::process::id());
        let pos = file.stream_position().unwrap_or(0);
        let _ = file.set_len(pos);
        let _ = file.flush();
        Ok(RepoLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_pid() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tmp/lock");
        let held = RepoLock::acquire(&p, Duration::ZERO).unwrap();
        let err = RepoLock::acquire(&p, Duration::from_millis(100)).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("PID {}", std::process::id())),
            "{err}"
        );
        drop(held);
        RepoLock::acquire(&p, Duration::ZERO).unwrap();
    }
}
