//! Event files read incrementally. A training program appends to its event file for
//! hours and the app re-reads on every change, so each file's parsed contents are kept
//! (per process) with the offset read up to; a later read parses only what was appended.
//! A file that shrank or was replaced (another inode) is read again from the start.

use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use super::events::FileData;
use super::record::{self, Next};

struct Cached {
    identity: (u64, u64),
    offset: u64,
    data: Arc<FileData>,
}

static FILES: LazyLock<Mutex<HashMap<PathBuf, Cached>>> = LazyLock::new(Default::default);

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

/// The file's contents up to its last whole record; `None` if it cannot be read (and
/// then it is forgotten).
pub(super) fn load(path: &Path) -> Option<Arc<FileData>> {
    let mut files = FILES.lock().unwrap_or_else(|e| e.into_inner());
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
        let data = Arc::make_mut(&mut cached.data);
        let mut at = 0;
        while let Next::Record(bytes, used) = record::next(&buf[at..]) {
            data.add_record(bytes);
            at += used;
        }
        cached.offset += at as u64;
    }
    Some(cached.data.clone())
}

#[cfg(test)]
pub(super) fn forget(path: &Path) {
    FILES.lock().unwrap_or_else(|e| e.into_inner()).remove(path);
}
