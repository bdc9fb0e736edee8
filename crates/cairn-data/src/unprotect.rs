//! `unprotect`: workspace copies linked to the cache (`cache.type` hardlink or symlink)
//! turned back into files of their own that can be edited, as `dvc unprotect` does.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::error::{DataError, Result};
use crate::ignore::DvcIgnore;
use crate::workspace::{Stat, walk};

/// Unprotects `path` (absolute; a file, or every file of a folder): a symlink or a
/// hardlink is replaced by a copy of its bytes, and every file gets ordinary
/// permissions (0666 less the umask), as DVC leaves them. Returns how many files were
/// copied.
pub fn unprotect(root: &Path, path: &Path) -> Result<usize> {
    if !path.exists() {
        return Err(DataError::BadPath {
            path: path.to_path_buf(),
            reason: "does not exist in the work tree; check it out first (`cairn checkout`)".into(),
        });
    }
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let ignore = DvcIgnore::load_for(root, path)?;
        walk(path, &ignore, Stat::Deferred)?
            .iter()
            .map(|f| f.path(path))
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    let mode = file_mode();
    let mut copied = 0;
    for f in &files {
        let meta = fs::symlink_metadata(f).map_err(|e| DataError::io(f, e))?;
        if meta.file_type().is_symlink() || meta.nlink() > 1 {
            copy_in_place(f).map_err(|e| DataError::io(f, e))?;
            copied += 1;
        }
        fs::set_permissions(f, fs::Permissions::from_mode(mode))
            .map_err(|e| DataError::io(f, e))?;
    }
    Ok(copied)
}

/// Replaces `path` with a copy of its bytes: written under a temp name first, so
/// nobody reading it meanwhile sees half a file, then renamed over the link.
fn copy_in_place(path: &Path) -> io::Result<()> {
    let tmp = cairn_core::atomic::temp_path_for(path);
    let copied = (|| {
        let mut from = fs::File::open(path)?;
        let mut to = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .open(&tmp)?;
        io::copy(&mut from, &mut to)?;
        fs::rename(&tmp, path)
    })();
    if copied.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    copied
}

/// 0666 less the process umask: what a new file gets.
fn file_mode() -> u32 {
    0o666 & !cairn_core::umask::umask().unwrap_or(0o022)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_writable_copies_and_plain_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let cache = root.join("object");
        fs::write(&cache, b"cached").unwrap();
        fs::set_permissions(&cache, fs::Permissions::from_mode(0o444)).unwrap();
        fs::create_dir(root.join("d")).unwrap();
        std::os::unix::fs::symlink(&cache, root.join("d/sym")).unwrap();
        fs::hard_link(&cache, root.join("d/hard")).unwrap();
        fs::write(root.join("d/plain"), b"mine").unwrap();
        fs::set_permissions(root.join("d/plain"), fs::Permissions::from_mode(0o444)).unwrap();
        assert_eq!(unprotect(root, &root.join("d")).unwrap(), 2);
        for (name, bytes) in [("sym", "cached"), ("hard", "cached"), ("plain", "mine")] {
            let p = root.join("d").join(name);
            let m = fs::symlink_metadata(&p).unwrap();
            assert!(m.file_type().is_file() && m.nlink() == 1, "{name}");
            assert_eq!(m.permissions().mode() & 0o777, file_mode(), "{name}");
            assert_eq!(fs::read_to_string(&p).unwrap(), bytes);
        }
        // The cache's copy is untouched.
        assert_eq!(
            fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
            0o444
        );
        assert!(unprotect(root, &root.join("missing")).is_err());
    }
}
