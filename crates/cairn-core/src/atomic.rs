//! Atomic file writes: readers see the old file or the new one, never half of either.
//!
//! The data is not fsync'ed before the rename. Atomicity (for concurrent readers, and
//! across crashes on filesystems that order a rename-over after the file's data, as
//! ext4 does by default) comes from the rename; durability against power loss is not
//! promised — DVC does not promise it either, and an fsync per cache object made
//! adding many small files several times slower. `fsck` finds any object a crash
//! truncated.
//!
//! The temporary file is created next to the target (same filesystem, so `rename` is
//! atomic), with mode `0o666` filtered by the process umask — the mode any editor would
//! give a new file — unless the caller asks for another.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique temporary path in `dir` for a file that will be renamed to `name`.
pub fn temp_path_for(target: &Path) -> PathBuf {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(temp_name_for(&name))
}

/// A unique temporary file name for a file that will be renamed to `name` in the same
/// directory.
pub fn temp_name_for(name: &str) -> String {
    // The pid is cached: glibc no longer does, and this runs once per cache object.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let pid = *PID.get_or_init(std::process::id);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // Leading dot and a `.tmp` suffix: editors, git status and DVC's walkers skip or
    // show it as obviously transient if a crash leaves it behind.
    format!(".{name}.cairn-{pid}-{n}.tmp")
}

/// The process that made temp name `name` (one [`temp_name_for`] gave), if it is one.
pub fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, tail) = rest.rsplit_once(".cairn-")?;
    let (pid, n) = tail.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse().ok()
}

/// Writes `data` to `path` atomically (temp file, fsync, rename), creating parent dirs.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    write_atomic_with_mode(path, data, None)
}

/// Like [`write_atomic`], but sets `mode` on the result when given (e.g. `0o444`).
/// An existing file's mode is kept when `mode` is `None`.
pub fn write_atomic_with_mode(path: &Path, data: &[u8], mode: Option<u32>) -> io::Result<()> {
    let keep_mode = match mode {
        Some(_) => None,
        None => fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777),
    };
    let tmp = temp_path_for(path);
    let result = (|| {
        let open = || {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .open(&tmp)
        };
        // Create the parent only when needed: one failed open is cheaper than a
        // `create_dir_all` (a stat per path component) on every write.
        let mut file = match open() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent()
                    && !parent.as_os_str().is_empty()
                {
                    fs::create_dir_all(parent)?;
                }
                open()?
            }
            other => other?,
        };
        file.write_all(data)?;
        if let Some(m) = mode.or(keep_mode) {
            // fchmod on the open file: no second path lookup.
            file.set_permissions(fs::Permissions::from_mode(m))?;
        }
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_name_their_owner() {
        let name = temp_name_for("ab");
        assert_eq!(temp_owner(&name), Some(std::process::id()));
        assert_eq!(temp_owner(".x.cairn-12-3.tmp"), Some(12));
        for other in [
            "ab",
            ".x.tmp",
            ".x.cairn-12.tmp",
            ".x.cairn-a-1.tmp",
            "x.cairn-1-2.tmp",
        ] {
            assert_eq!(temp_owner(other), None, "{other}");
        }
    }

    #[test]
    fn replaces_content_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/f.txt");
        write_atomic(&p, b"one").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let leftovers: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }

    #[test]
    fn explicit_mode_wins() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("obj");
        write_atomic_with_mode(&p, b"x", Some(0o444)).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o444
        );
    }
}
