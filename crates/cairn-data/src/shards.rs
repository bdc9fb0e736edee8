//! Open handles on the cache's 256 shard directories (`files/md5/00` … `ff`).
//!
//! Adding 10,000 small files writes 10,000 objects; a status of them checks 10,000
//! objects. Through open shard directories each of those is one short relative
//! lookup. An object is written as an unnamed file (`O_TMPFILE`) and linked in under
//! its name once complete — or, where that is unsupported, written to a temp file and
//! installed with `renameat2(RENAME_NOREPLACE)`. Either publishes it atomically and
//! says whether it was already there, so there is no `stat` before every write.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::fs::{AtFlags, CWD, Mode, OFlags, RenameFlags};
use rustix::io::Errno;

use crate::meta::FileMeta;
use crate::odb::OBJECT_MODE;

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::CLOEXEC);

/// The `files/md5` directory of a cache and its shards, opened on first use.
pub struct Shards {
    base: PathBuf,
    base_fd: OnceLock<OwnedFd>,
    shards: [OnceLock<OwnedFd>; 256],
    /// Set once `O_TMPFILE` writes failed here; later objects use temp + rename.
    no_tmpfile: AtomicBool,
}

impl std::fmt::Debug for Shards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shards").field("base", &self.base).finish()
    }
}

/// Splits a hash into its shard number and the object's name inside the shard.
fn split(hash: &str) -> Option<(u8, &str)> {
    let prefix = hash.get(..2)?;
    let idx = u8::from_str_radix(prefix, 16).ok()?;
    // Only canonical lowercase names: `AB` would open a different directory.
    (prefix.bytes().all(|b| !b.is_ascii_uppercase()) && hash.len() > 2).then(|| (idx, &hash[2..]))
}

impl Shards {
    /// Shards of the `files/md5` directory at `base`.
    pub fn new(base: PathBuf) -> Shards {
        Shards {
            base,
            base_fd: OnceLock::new(),
            shards: std::array::from_fn(|_| OnceLock::new()),
            no_tmpfile: AtomicBool::new(false),
        }
    }

    fn base(&self, create: bool) -> io::Result<BorrowedFd<'_>> {
        if let Some(fd) = self.base_fd.get() {
            return Ok(fd.as_fd());
        }
        if create {
            std::fs::create_dir_all(&self.base)?;
        }
        let fd = rustix::fs::openat(CWD, &self.base, DIR_FLAGS, Mode::empty())?;
        let _ = self.base_fd.set(fd);
        Ok(self.base_fd.get().expect("just set").as_fd())
    }

    fn shard(&self, idx: u8, create: bool) -> io::Result<BorrowedFd<'_>> {
        let slot = &self.shards[idx as usize];
        if let Some(fd) = slot.get() {
            return Ok(fd.as_fd());
        }
        let base = self.base(create)?;
        let name = format!("{idx:02x}");
        let fd = match rustix::fs::openat(base, &name, DIR_FLAGS, Mode::empty()) {
            Err(Errno::NOENT) if create => {
                match rustix::fs::mkdirat(base, &name, Mode::from_raw_mode(0o755)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e.into()),
                }
                rustix::fs::openat(base, &name, DIR_FLAGS, Mode::empty())?
            }
            other => other?,
        };
        let _ = slot.set(fd);
        Ok(slot.get().expect("just set").as_fd())
    }

    /// The `stat` of shard directory `idx` itself, looked up by name (so a shard that
    /// was removed and re-created reads as changed).
    pub fn shard_stamp(&self, idx: u8) -> Option<FileMeta> {
        let base = self.base(false).ok()?;
        rustix::fs::statat(base, format!("{idx:02x}"), AtFlags::empty())
            .ok()
            .map(|s| FileMeta::from(&s))
    }

    /// `stat` of object `hash`; `None` when the hash is not a canonical name (the
    /// caller falls back to paths).
    pub fn stat(&self, hash: &str) -> Option<io::Result<FileMeta>> {
        let (idx, rest) = split(hash)?;
        Some(self.shard(idx, false).and_then(|d| {
            Ok(FileMeta::from(&rustix::fs::statat(
                d,
                rest,
                AtFlags::empty(),
            )?))
        }))
    }

    /// Stores `data` as object `hash` unless an object of that name exists. `None`
    /// when the hash is not a canonical name.
    pub fn write(&self, hash: &str, data: &[u8]) -> Option<io::Result<()>> {
        let (idx, rest) = split(hash)?;
        Some((|| {
            let dir = self.shard(idx, true)?;
            if !self.no_tmpfile.load(Ordering::Relaxed) {
                match write_unnamed(dir, rest, data) {
                    Err(e) if tmpfile_unsupported(&e) => {
                        self.no_tmpfile.store(true, Ordering::Relaxed)
                    }
                    other => return other,
                }
            }
            let tmp = cairn_core::atomic::temp_name_for(rest);
            let fd = rustix::fs::openat(
                dir,
                &tmp,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC,
                Mode::from_raw_mode(OBJECT_MODE),
            )?;
            let result = (|| {
                let mut file = File::from(fd);
                file.write_all(data)?;
                fix_mode(&file)?;
                drop(file);
                install(dir, &tmp, dir, rest)
            })();
            if result.is_err() {
                let _ = rustix::fs::unlinkat(dir, &tmp, AtFlags::empty());
            }
            result
        })())
    }

    /// Moves the finished temp file `tmp` (a name in the `files/md5` directory) into
    /// place as object `hash`, or drops it if the object exists.
    pub fn install_temp(&self, tmp: &str, hash: &str) -> Option<io::Result<()>> {
        let (idx, rest) = split(hash)?;
        Some((|| {
            let base = self.base(true)?;
            let dir = self.shard(idx, true)?;
            install(base, tmp, dir, rest)
        })())
    }
}

/// Writes an object as an unnamed file (`O_TMPFILE`) and links it in under its name
/// once complete: one directory operation per object instead of a create and a rename,
/// and a crash can leave no temp file behind. An existing object wins (same name,
/// same bytes); the unnamed file then just goes away.
fn write_unnamed(dir: BorrowedFd<'_>, name: &str, data: &[u8]) -> io::Result<()> {
    let fd = rustix::fs::openat(
        dir,
        ".",
        OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
        Mode::from_raw_mode(OBJECT_MODE),
    )?;
    let mut file = File::from(fd);
    file.write_all(data)?;
    fix_mode(&file)?;
    // Linking the fd itself needs CAP_DAC_READ_SEARCH on older kernels; its /proc
    // entry works for anyone.
    let linked = match rustix::fs::linkat(&file, "", dir, name, AtFlags::EMPTY_PATH) {
        Err(Errno::NOENT | Errno::PERM | Errno::INVAL) => link_through_proc(&file, dir, name),
        other => other,
    };
    match linked {
        Ok(()) | Err(Errno::EXIST) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Links an unnamed file through its `/proc/self/fd` entry, which any user may do.
fn link_through_proc(file: &File, dir: BorrowedFd<'_>, name: &str) -> rustix::io::Result<()> {
    rustix::fs::linkat(
        CWD,
        format!("/proc/self/fd/{}", file.as_raw_fd()),
        dir,
        name,
        AtFlags::SYMLINK_FOLLOW,
    )
}

/// Filesystems (or setups without /proc) where unnamed files can't be used: fall back
/// to temp file + rename for the rest of the command.
fn tmpfile_unsupported(e: &io::Error) -> bool {
    [
        Errno::OPNOTSUPP,
        Errno::ISDIR,
        Errno::INVAL,
        Errno::NOENT,
        Errno::PERM,
        Errno::XDEV,
    ]
    .iter()
    .any(|errno| e.raw_os_error() == Some(errno.raw_os_error()))
}

/// Renames `tmp` to `name` without replacing an existing object: objects are named by
/// their content, so one already there holds the same bytes and the temp file goes.
fn install(from: BorrowedFd<'_>, tmp: &str, to: BorrowedFd<'_>, name: &str) -> io::Result<()> {
    match rustix::fs::renameat_with(from, tmp, to, name, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        Err(Errno::EXIST) => {
            rustix::fs::unlinkat(from, tmp, AtFlags::empty())?;
            Ok(())
        }
        // Filesystems without RENAME_NOREPLACE: check, then plain rename.
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {
            if rustix::fs::statat(to, name, AtFlags::empty()).is_ok() {
                rustix::fs::unlinkat(from, tmp, AtFlags::empty())?;
                return Ok(());
            }
            Ok(rustix::fs::renameat(from, tmp, to, name)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Objects are created with mode 0444; a umask that strips read bits would leave them
/// less readable than DVC makes them, so only then is an explicit `fchmod` needed.
pub(crate) fn fix_mode(file: &File) -> io::Result<()> {
    if umask_hides_read_bits() {
        rustix::fs::fchmod(file, Mode::from_raw_mode(OBJECT_MODE))?;
    }
    Ok(())
}

fn umask_hides_read_bits() -> bool {
    static HIDES: OnceLock<bool> = OnceLock::new();
    *HIDES.get_or_init(|| {
        // `umask(2)` can only be read by setting it, which races with other threads;
        // Linux reports it in /proc instead. Unknown means: always chmod.
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Umask:"))
                    .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
            })
            .is_none_or(|mask| mask & OBJECT_MODE != 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn unnamed_files_link_through_proc_too() {
        // The route unprivileged users take on kernels that refuse `AT_EMPTY_PATH`.
        let dir = tempfile::tempdir().unwrap();
        let d = File::open(dir.path()).unwrap();
        let fd = rustix::fs::openat(
            &d,
            ".",
            OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
            Mode::from_raw_mode(OBJECT_MODE),
        )
        .unwrap();
        let mut file = File::from(fd);
        file.write_all(b"bytes").unwrap();
        link_through_proc(&file, d.as_fd(), "obj").unwrap();
        assert_eq!(std::fs::read(dir.path().join("obj")).unwrap(), b"bytes");
        assert_eq!(
            link_through_proc(&file, d.as_fd(), "obj"),
            Err(Errno::EXIST),
            "never replaces"
        );
    }

    #[test]
    fn writes_once_and_stats_objects() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("files/md5");
        let shards = Shards::new(base.clone());
        assert!(shards.stat("ab1234").unwrap().is_err(), "nothing yet");
        shards.write("ab1234", b"one").unwrap().unwrap();
        // Same name again: the first object stays, no temp file is left.
        shards.write("ab1234", b"two").unwrap().unwrap();
        let obj = base.join("ab/1234");
        assert_eq!(std::fs::read(&obj).unwrap(), b"one");
        assert_eq!(
            std::fs::metadata(&obj).unwrap().permissions().mode() & 0o777,
            0o444
        );
        assert_eq!(std::fs::read_dir(base.join("ab")).unwrap().count(), 1);
        assert_eq!(shards.stat("ab1234").unwrap().unwrap().len(), 3);
        assert!(
            shards.stat("AB1234").is_none(),
            "non-canonical names use paths"
        );
        assert!(shards.write("zz", b"").is_none());
    }
}
