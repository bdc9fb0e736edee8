//! Open handles on the cache's 256 shard directories (`files/md5/00` … `ff`).
//!
//! Adding 10,000 small files writes 10,000 objects; a status of them checks 10,000
//! objects. Through open shard directories each of those is one short relative
//! lookup. An object is written as an unnamed file (`O_TMPFILE`) and linked in under
//! its name once complete — or, where that is unsupported, written to a temp file and
//! installed with `renameat2(RENAME_NOREPLACE)`. Either publishes it atomically and
//! says whether it was already there, so there is no `stat` before every write.
//!
//! A batch of many objects ([`Shards::begin`]) builds each shard directory that does not
//! exist yet off to the side under a temp name, its objects created directly under their
//! names, and renames it into place whole once they are all written
//! ([`Shards::publish`]): the first add into an empty cache then costs one directory
//! operation per object instead of two (a named create is ~25% cheaper than an unnamed
//! file plus its link), and still no object is ever visible half-written. Only the
//! batch that staged a shard writes into it that way and publishes it; anyone else
//! (another batch, a single write — parallel stages share one cache) adds objects to it
//! the atomic way, so a publish never reveals someone else's half-written file.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};

use rustix::fs::{AtFlags, CWD, Mode, OFlags, RenameFlags};
use rustix::io::Errno;

use crate::meta::FileMeta;
use crate::odb::OBJECT_MODE;

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::CLOEXEC);

/// A batch of writes (see [`Shards::begin`]).
pub type BatchId = u64;

/// An open shard directory.
struct Slot {
    fd: OwnedFd,
    /// The temp name it is being built under (in `files/md5`) until published, and the
    /// batch that builds it.
    staged: Option<(String, BatchId)>,
}

/// The `files/md5` directory of a cache and its shards, opened on first use.
pub struct Shards {
    base: PathBuf,
    base_fd: OnceLock<OwnedFd>,
    slots: [RwLock<Option<Slot>>; 256],
    /// Set once `O_TMPFILE` writes failed here; later objects use temp + rename.
    no_tmpfile: AtomicBool,
    /// The last batch id handed out.
    batches: AtomicU64,
    /// Batches with a failed write into a staged shard that could not be cleaned up:
    /// their staged shards are discarded instead of published.
    spoiled: std::sync::Mutex<Vec<BatchId>>,
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

fn shard_name(idx: u8) -> String {
    format!("{idx:02x}")
}

impl Shards {
    /// Shards of the `files/md5` directory at `base`.
    pub fn new(base: PathBuf) -> Shards {
        Shards {
            base,
            base_fd: OnceLock::new(),
            slots: std::array::from_fn(|_| RwLock::new(None)),
            no_tmpfile: AtomicBool::new(false),
            batches: AtomicU64::new(0),
            spoiled: Default::default(),
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

    /// Runs `f` on shard `idx` (opened, or with `create` made, on first use — staged
    /// when `batch` is given), telling it whether `batch` is staging that shard.
    fn with_shard<R>(
        &self,
        idx: u8,
        create: bool,
        batch: Option<BatchId>,
        f: impl FnOnce(BorrowedFd<'_>, bool) -> io::Result<R>,
    ) -> io::Result<R> {
        let mine = |s: &Slot| batch.is_some() && s.staged.as_ref().map(|(_, b)| *b) == batch;
        let slot = &self.slots[idx as usize];
        {
            let guard = slot.read().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = guard.as_ref() {
                return f(s.fd.as_fd(), mine(s));
            }
        }
        let mut guard = slot.write().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Some(self.open_shard(idx, create, batch)?);
        }
        let s = guard.as_ref().expect("just set");
        f(s.fd.as_fd(), mine(s))
    }

    fn open_shard(&self, idx: u8, create: bool, batch: Option<BatchId>) -> io::Result<Slot> {
        let base = self.base(create)?;
        let name = shard_name(idx);
        match rustix::fs::openat(base, &name, DIR_FLAGS, Mode::empty()) {
            Ok(fd) => Ok(Slot { fd, staged: None }),
            Err(Errno::NOENT) if create => {
                let staged = batch.map(|b| (cairn_core::atomic::temp_name_for(&name), b));
                let dir = staged.as_ref().map_or(name.as_str(), |(t, _)| t.as_str());
                match rustix::fs::mkdirat(base, dir, Mode::from_raw_mode(0o755)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e.into()),
                }
                let fd = rustix::fs::openat(base, dir, DIR_FLAGS, Mode::empty())?;
                Ok(Slot { fd, staged })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Starts a batch: shards it is first to need are staged until it is published.
    pub fn begin(&self) -> BatchId {
        self.batches.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Moves every shard `batch` staged into place (whole, or object by object where a
    /// shard of that name appeared meanwhile). Every slot is tried; the first error is
    /// returned.
    pub fn publish(&self, batch: BatchId) -> io::Result<()> {
        let spoiled = {
            let mut list = self.spoiled.lock().unwrap_or_else(|e| e.into_inner());
            let was = list.contains(&batch);
            list.retain(|b| *b != batch);
            was
        };
        let mut first_error = None;
        for (idx, slot) in self.slots.iter().enumerate() {
            let mut guard = slot.write().unwrap_or_else(|e| e.into_inner());
            let Some(open) = guard
                .as_mut()
                .filter(|s| s.staged.as_ref().is_some_and(|(_, b)| *b == batch))
            else {
                continue;
            };
            if spoiled {
                let (temp, _) = open.staged.take().unwrap_or_default();
                let path = self.base.join(temp);
                *guard = None;
                if let Err(e) = std::fs::remove_dir_all(&path)
                    && e.kind() != io::ErrorKind::NotFound
                {
                    first_error.get_or_insert(e);
                }
            } else if let Err(e) = self.publish_one(idx as u8, open) {
                // The slot is re-opened by name on next use.
                *guard = None;
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Publishes staged shard `slot` as shard `idx`, leaving `slot` the live shard.
    fn publish_one(&self, idx: u8, slot: &mut Slot) -> io::Result<()> {
        let base = self.base(false)?;
        let name = shard_name(idx);
        let (staged, _) = slot.staged.clone().unwrap_or_default();
        let whole =
            match rustix::fs::renameat_with(base, &staged, base, &name, RenameFlags::NOREPLACE) {
                Ok(()) => true,
                Err(Errno::EXIST | Errno::NOTEMPTY) => false,
                // Filesystems without RENAME_NOREPLACE: a plain rename can only replace an
                // empty directory, which loses nothing.
                Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {
                    match rustix::fs::renameat(base, &staged, base, &name) {
                        Ok(()) => true,
                        Err(Errno::EXIST | Errno::NOTEMPTY) => false,
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(e) => return Err(e.into()),
            };
        if !whole {
            // Another writer made the shard meanwhile: move the objects one by one.
            let fd = rustix::fs::openat(base, &name, DIR_FLAGS, Mode::empty())?;
            for entry in std::fs::read_dir(self.base.join(&staged))? {
                let entry = entry?.file_name();
                let entry = entry.to_string_lossy();
                install(slot.fd.as_fd(), &entry, fd.as_fd(), &entry)?;
            }
            rustix::fs::unlinkat(base, &staged, AtFlags::REMOVEDIR)?;
            slot.fd = fd;
        }
        // After a whole rename the open handle is the shard itself.
        slot.staged = None;
        Ok(())
    }

    /// The `stat` of shard directory `idx` itself, looked up by name (so a shard that
    /// was removed and re-created reads as changed).
    pub fn shard_stamp(&self, idx: u8) -> Option<FileMeta> {
        let base = self.base(false).ok()?;
        rustix::fs::statat(base, shard_name(idx), AtFlags::empty())
            .ok()
            .map(|s| FileMeta::from(&s))
    }

    /// `stat` of object `hash`; `None` when the hash is not a canonical name (the
    /// caller falls back to paths).
    pub fn stat(&self, hash: &str) -> Option<io::Result<FileMeta>> {
        let (idx, rest) = split(hash)?;
        Some(self.with_shard(idx, false, None, |d, _| {
            Ok(FileMeta::from(&rustix::fs::statat(
                d,
                rest,
                AtFlags::empty(),
            )?))
        }))
    }

    /// Stores `data` as object `hash` unless an object of that name exists, as part of
    /// `batch` if given. `None` when the hash is not a canonical name.
    pub fn write(&self, hash: &str, data: &[u8], batch: Option<BatchId>) -> Option<io::Result<()>> {
        let (idx, rest) = split(hash)?;
        Some(self.with_shard(idx, true, batch, |dir, mine| {
            if let (true, Some(b)) = (mine, batch) {
                return self.write_staged(dir, rest, data, b);
            }
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
        }))
    }

    /// Creates the object under its own name in a shard nobody else sees yet. An
    /// existing name was written earlier in this batch (same name, same bytes).
    fn write_staged(
        &self,
        dir: BorrowedFd<'_>,
        name: &str,
        data: &[u8],
        batch: BatchId,
    ) -> io::Result<()> {
        let fd = match rustix::fs::openat(
            dir,
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC,
            Mode::from_raw_mode(OBJECT_MODE),
        ) {
            Ok(fd) => fd,
            Err(Errno::EXIST) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let mut file = File::from(fd);
        let result = file.write_all(data).and_then(|()| fix_mode(&file));
        if result.is_err() && rustix::fs::unlinkat(dir, name, AtFlags::empty()).is_err() {
            self.spoiled
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(batch);
        }
        result
    }

    /// Moves the finished temp file `tmp` (a name in the `files/md5` directory) into
    /// place as object `hash`, or drops it if the object exists.
    pub fn install_temp(
        &self,
        tmp: &str,
        hash: &str,
        batch: Option<BatchId>,
    ) -> Option<io::Result<()>> {
        let (idx, rest) = split(hash)?;
        Some((|| {
            let base = self.base(true)?;
            self.with_shard(idx, true, batch, |dir, _| install(base, tmp, dir, rest))
        })())
    }
}

/// Grows the process's descriptor table to hold the 256 shard handles (and the files
/// in flight) at once. Call early, while the process has one thread: the kernel grows
/// a table that threads share only after an RCU grace period (1–3 ms each time, twice
/// on the way to 512 slots, measured with `perf sched` during an add), but grows a
/// single thread's table immediately.
pub fn reserve_descriptor_table() {
    // Duplicating onto a high number makes the kernel size the table for it; the
    // duplicate is closed straight away and the table keeps its size.
    // Whichever standard stream is open.
    let _ = rustix::io::fcntl_dupfd_cloexec(io::stdin().as_fd(), 511)
        .or_else(|_| rustix::io::fcntl_dupfd_cloexec(io::stderr().as_fd(), 511));
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
        // Unknown means: always chmod.
        cairn_core::umask::umask().is_none_or(|mask| mask & OBJECT_MODE != 0)
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
        shards.write("ab1234", b"one", None).unwrap().unwrap();
        // Same name again: the first object stays, no temp file is left.
        shards.write("ab1234", b"two", None).unwrap().unwrap();
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
        assert!(shards.write("zz", b"", None).is_none());
    }

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn new_shards_appear_whole_when_published() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("files/md5");
        std::fs::create_dir_all(base.join("cd")).unwrap();
        let shards = Shards::new(base.clone());
        let id = shards.begin();
        let b = Some(id);
        shards.write("ab1111", b"one", b).unwrap().unwrap();
        shards.write("ab2222", b"two", b).unwrap().unwrap();
        shards.write("ab1111", b"one", b).unwrap().unwrap();
        shards
            .write("cd3333", b"existing shard", b)
            .unwrap()
            .unwrap();
        // Nothing under its final path yet in the new shard, but lookups see it.
        assert!(!base.join("ab").exists());
        assert_eq!(shards.stat("ab2222").unwrap().unwrap().len(), 3);
        // An existing shard is written the usual way, visible at once.
        assert_eq!(
            std::fs::read(base.join("cd/3333")).unwrap(),
            b"existing shard"
        );
        shards.publish(id).unwrap();
        assert_eq!(names(&base), ["ab", "cd"], "no staging directory left");
        assert_eq!(names(&base.join("ab")), ["1111", "2222"]);
        assert_eq!(std::fs::read(base.join("ab/1111")).unwrap(), b"one");
        let mode = std::fs::metadata(base.join("ab/2222"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o444);
        // After publishing, the shard is an ordinary one.
        shards.write("ab3333", b"three", None).unwrap().unwrap();
        assert_eq!(std::fs::read(base.join("ab/3333")).unwrap(), b"three");
        assert_eq!(shards.stat("ab1111").unwrap().unwrap().len(), 3);
    }

    #[test]
    fn a_shard_made_meanwhile_gets_the_staged_objects_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("files/md5");
        let shards = Shards::new(base.clone());
        let b = shards.begin();
        shards.write("ab1111", b"mine", Some(b)).unwrap().unwrap();
        shards.write("ab2222", b"same", Some(b)).unwrap().unwrap();
        // Another writer (say, dvc on a shared cache) creates the shard meanwhile.
        std::fs::create_dir(base.join("ab")).unwrap();
        std::fs::write(base.join("ab/2222"), b"same").unwrap();
        std::fs::write(base.join("ab/9999"), b"theirs").unwrap();
        shards.publish(b).unwrap();
        assert_eq!(names(&base), ["ab"]);
        assert_eq!(names(&base.join("ab")), ["1111", "2222", "9999"]);
        assert_eq!(std::fs::read(base.join("ab/1111")).unwrap(), b"mine");
        assert_eq!(std::fs::read(base.join("ab/9999")).unwrap(), b"theirs");
        // The handle now is the real shard's.
        shards.write("ab4444", b"after", None).unwrap().unwrap();
        assert_eq!(std::fs::read(base.join("ab/4444")).unwrap(), b"after");
    }

    #[test]
    fn a_spoiled_batch_is_discarded_not_published() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("files/md5");
        let shards = Shards::new(base.clone());
        let b = shards.begin();
        shards.write("ab1111", b"x", Some(b)).unwrap().unwrap();
        shards.spoiled.lock().unwrap().push(b);
        shards.publish(b).unwrap();
        assert!(names(&base).is_empty(), "{:?}", names(&base));
        assert!(shards.stat("ab1111").unwrap().is_err());
    }

    #[test]
    fn only_the_batch_that_staged_a_shard_publishes_it() {
        // Parallel stages share one cache: batch A stages shard `ab`; batch B and a
        // lone write add objects to it (atomically, not as direct creates A owns);
        // B's publish leaves A's shard alone, A's brings everything in.
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("files/md5");
        let shards = Shards::new(base.clone());
        let a = shards.begin();
        let b = shards.begin();
        assert_ne!(a, b);
        shards.write("ab1111", b"from a", Some(a)).unwrap().unwrap();
        shards.write("ab2222", b"from b", Some(b)).unwrap().unwrap();
        shards.write("ab3333", b"lone", None).unwrap().unwrap();
        shards
            .write("cd4444", b"b's own", Some(b))
            .unwrap()
            .unwrap();
        shards.publish(b).unwrap();
        assert_eq!(
            names(&base.join("cd")),
            ["4444"],
            "b published its own shard"
        );
        assert!(!base.join("ab").exists(), "but not a's");
        shards.publish(a).unwrap();
        assert_eq!(names(&base), ["ab", "cd"]);
        assert_eq!(names(&base.join("ab")), ["1111", "2222", "3333"]);
        assert_eq!(std::fs::read(base.join("ab/2222")).unwrap(), b"from b");
    }
}
