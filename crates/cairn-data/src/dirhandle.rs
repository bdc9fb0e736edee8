//! An open directory, and the file operations made relative to it.
//!
//! Walking a tracked directory stats and opens every file in it. Doing that by full
//! path makes the kernel resolve every component of the path each time (a repository
//! nested eight levels deep costs eight lookups per file); relative to an open
//! directory it resolves one. On a 10,000-file directory that is most of the
//! difference between a status that stats and one that walks paths.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicBool, Ordering};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::meta::FileMeta;

/// Set once an `O_NOATIME` open was refused; later opens don't ask again.
static NOATIME_REFUSED: AtomicBool = AtomicBool::new(false);

/// An open directory and the path it was opened at.
#[derive(Debug)]
pub struct DirHandle {
    fd: OwnedFd,
    path: PathBuf,
}

/// One name in a directory, with the type `readdir` reported (if it did).
#[derive(Debug)]
pub struct DirName {
    /// The entry's name.
    pub name: OsString,
    /// What it is, or `None` when that needs a `stat` (symlinks, which are followed,
    /// or filesystems that don't say).
    pub kind: Option<NameKind>,
}

/// The type of a directory entry, as `readdir` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A FIFO, socket or device: never hashed (and never opened, which could block).
    Special,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::CLOEXEC);

impl DirHandle {
    /// Opens the directory at `path` (following symlinks, as DVC's walk does).
    pub fn open(path: &Path) -> io::Result<DirHandle> {
        let fd = rustix::fs::openat(CWD, path, DIR_FLAGS, Mode::empty())?;
        Ok(DirHandle {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// Opens the subdirectory `name`.
    pub fn open_dir(&self, name: &OsStr) -> io::Result<DirHandle> {
        let fd = rustix::fs::openat(&self.fd, name, DIR_FLAGS, Mode::empty())?;
        Ok(DirHandle {
            fd,
            path: self.path.join(name),
        })
    }

    /// The path this directory was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every name in the directory except `.` and `..`, in the order `readdir` gives,
    /// handed to `each` in batches of up to `size` as `readdir` produces them, so work on
    /// the first names can start while a large directory is still being read.
    pub fn names_in_batches(
        &self,
        size: usize,
        mut each: impl FnMut(Vec<DirName>),
    ) -> io::Result<()> {
        let mut dir = rustix::fs::Dir::read_from(&self.fd)?;
        let mut out = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let kind = match entry.file_type() {
                FileType::Directory => Some(NameKind::Dir),
                FileType::RegularFile => Some(NameKind::File),
                FileType::Symlink | FileType::Unknown => None,
                _ => Some(NameKind::Special),
            };
            out.push(DirName {
                name: OsStr::from_bytes(name).to_os_string(),
                kind,
            });
            if out.len() >= size {
                each(std::mem::take(&mut out));
            }
        }
        if !out.is_empty() {
            each(out);
        }
        Ok(())
    }

    /// `stat` of `name`, following a symlink.
    pub fn stat(&self, name: &OsStr) -> io::Result<FileMeta> {
        Ok(FileMeta::from(&rustix::fs::statat(
            &self.fd,
            name,
            AtFlags::empty(),
        )?))
    }

    /// Opens `name` for reading, without updating its access time where allowed:
    /// hashing 10,000 freshly written files would otherwise dirty 10,000 inodes just
    /// to record that Cairn read them (a twentieth of an add's kernel time on ext4).
    pub fn open_file(&self, name: &OsStr) -> io::Result<File> {
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        if NOATIME_REFUSED.load(Ordering::Relaxed) {
            return Ok(File::from(rustix::fs::openat(
                &self.fd,
                name,
                flags,
                Mode::empty(),
            )?));
        }
        match rustix::fs::openat(&self.fd, name, flags | OFlags::NOATIME, Mode::empty()) {
            Ok(fd) => Ok(File::from(fd)),
            // Only the file's owner may ask for it (or some filesystems refuse it).
            Err(Errno::PERM | Errno::INVAL) => {
                NOATIME_REFUSED.store(true, Ordering::Relaxed);
                Ok(File::from(rustix::fs::openat(
                    &self.fd,
                    name,
                    flags,
                    Mode::empty(),
                )?))
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_stats_and_opens_relative_to_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("f"), b"abc").unwrap();
        std::os::unix::fs::symlink("f", dir.path().join("link")).unwrap();
        let h = DirHandle::open(dir.path()).unwrap();
        let mut names = Vec::new();
        h.names_in_batches(2, |batch| {
            assert!(batch.len() <= 2);
            names.extend(
                batch
                    .into_iter()
                    .map(|n| (n.name.to_string_lossy().into_owned(), n.kind)),
            )
        })
        .unwrap();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            names,
            [
                ("f".to_string(), Some(NameKind::File)),
                ("link".to_string(), None),
                ("sub".to_string(), Some(NameKind::Dir))
            ]
        );
        let m = h.stat(OsStr::new("link")).unwrap();
        assert!(m.is_file() && m.len() == 3, "symlinks are followed");
        assert!(h.stat(OsStr::new("sub")).unwrap().is_dir());
        let mut s = String::new();
        io::Read::read_to_string(&mut h.open_file(OsStr::new("f")).unwrap(), &mut s).unwrap();
        assert_eq!(s, "abc");
        assert_eq!(
            h.open_dir(OsStr::new("sub")).unwrap().path(),
            dir.path().join("sub")
        );
    }
}
