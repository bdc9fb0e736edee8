//! The few facts about a file that hashing and the state table need.
//!
//! Walks stat files relative to an open directory (`statat`), which `std::fs::Metadata`
//! cannot represent, so both that and std's metadata convert into this one type.

use std::os::unix::fs::MetadataExt;

/// Identity, size and mode of a file, as one `stat` reported them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    /// Inode number.
    pub ino: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Size in bytes.
    pub size: u64,
    /// `st_mode` (type and permission bits).
    pub mode: u32,
}

impl FileMeta {
    /// Bytes in the file.
    pub fn len(&self) -> u64 {
        self.size
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Whether any execute bit is set (DVC's `isexec`).
    pub fn is_exec(&self) -> bool {
        self.mode & 0o111 != 0
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        self.mode & 0o170000 == 0o100000
    }
}

impl From<&std::fs::Metadata> for FileMeta {
    fn from(m: &std::fs::Metadata) -> Self {
        FileMeta {
            ino: m.ino(),
            mtime_ns: m.mtime() * 1_000_000_000 + m.mtime_nsec(),
            size: m.len(),
            mode: m.mode(),
        }
    }
}

impl From<&rustix::fs::Stat> for FileMeta {
    // Field widths differ between architectures, hence the casts.
    #[allow(clippy::unnecessary_cast)]
    fn from(s: &rustix::fs::Stat) -> Self {
        FileMeta {
            ino: s.st_ino as u64,
            mtime_ns: s.st_mtime as i64 * 1_000_000_000 + s.st_mtime_nsec as i64,
            size: s.st_size as u64,
            mode: s.st_mode as u32,
        }
    }
}
