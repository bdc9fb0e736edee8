//! Runs kept between reads. The table re-reads the store on every refresh, and a store
//! of thousands of runs is tens of thousands of small files; a run read before is
//! served again while nothing it was read from changed. What it was read from is
//! witnessed by stamps (size, modification time, inode) taken before reading: its
//! `meta.yaml`, every folder of its params, metrics and tags (a new key is a new file in
//! one), each metric file (appended to while the run trains) and its name tag. Param
//! files are not stamped: MLflow never changes a logged param.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::SystemTime;

use super::Run;

/// What a file or folder looked like; `None` when it did not exist.
pub(super) type Stamp = Option<(u64, Option<SystemTime>, u64)>;

/// Paths a read depended on, with their stamps from just before it.
pub(super) type Witnesses = Vec<(PathBuf, Stamp)>;

struct Entry {
    witnesses: Witnesses,
    run: Option<Run>,
}

static RUNS: LazyLock<Mutex<HashMap<PathBuf, Entry>>> = LazyLock::new(Default::default);

pub(super) fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let ino = 0;
    Some((meta.len(), meta.modified().ok(), ino))
}

/// The run in `dir` as `read` reads it, or as it was last read if its witnesses say
/// nothing changed since.
pub(super) fn get(dir: &Path, read: impl FnOnce() -> (Option<Run>, Witnesses)) -> Option<Run> {
    {
        let runs = RUNS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = runs.get(dir)
            && e.witnesses.iter().all(|(p, s)| stamp(p) == *s)
        {
            return e.run.clone();
        }
    }
    let (run, witnesses) = read();
    RUNS.lock().unwrap_or_else(|e| e.into_inner()).insert(
        dir.to_path_buf(),
        Entry {
            witnesses,
            run: run.clone(),
        },
    );
    run
}
