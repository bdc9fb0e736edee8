//! Log files read incrementally. A training program appends to its log (TensorBoard's
//! event files, W&B's `.wandb` file) for hours and the app re-reads on every change, so
//! each file's parsed contents are kept (per process) with the offset read up to; a
//! later read parses only what was appended. A file that shrank or was replaced
//! (another inode) is read again from the start.

use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

/// What a log file is parsed into, one appended piece at a time.
pub(crate) trait Appended: Default + Clone + Send + Sync + 'static {
    /// Takes the whole records at the start of `buf`, the file's bytes from `offset` on,
    /// and returns how many bytes they took; the rest (part of a record that is still
    /// being written) is offered again, with what follows it, on the next read.
    fn append(&mut self, buf: &[u8], offset: u64) -> usize;
}

struct Cached<T> {
    identity: (u64, u64),
    offset: u64,
    data: Arc<T>,
}

/// The parsed files of one kind, by path.
pub(crate) struct Tail<T> {
    files: LazyLock<Mutex<HashMap<PathBuf, Cached<T>>>>,
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt as _;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    let created = meta
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    (created, 0)
}

impl<T: Appended> Tail<T> {
    pub(crate) const fn new() -> Self {
        Tail {
            files: LazyLock::new(Default::default),
        }
    }

    /// The file's contents up to its last whole record; `None` if it cannot be read (and
    /// then it is forgotten).
    pub(crate) fn load(&self, path: &Path) -> Option<Arc<T>> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let meta = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            _ => {
                files.remove(path);
                return None;
            }
        };
        let id = identity(&meta);
        let cached = files.entry(path.to_path_buf()).or_insert_with(|| Cached {
            identity: id,
            offset: 0,
            data: Arc::default(),
        });
        if cached.identity != id || meta.len() < cached.offset {
            *cached = Cached {
                identity: id,
                offset: 0,
                data: Arc::default(),
            };
        }
        if meta.len() > cached.offset {
            let mut buf = Vec::new();
            let read = std::fs::File::open(path).and_then(|mut f| {
                f.seek(SeekFrom::Start(cached.offset))?;
                f.read_to_end(&mut buf)
            });
            if read.is_err() {
                files.remove(path);
                return None;
            }
            // In place unless a caller still holds the previous contents.
            let used = Arc::make_mut(&mut cached.data).append(&buf, cached.offset);
            cached.offset += used as u64;
        }
        Some(cached.data.clone())
    }

    /// Drops what is kept of `path` (tests rewrite files in place).
    #[cfg(test)]
    pub(crate) fn forget(&self, path: &Path) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path);
    }
}
